/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Files on disk: bounded reads, atomic writes (temp file + fsync + rename), mkdir -p with a mode.
 * Keystores, configs and orders go through these, so a crash never leaves a half-written file
 * and a hostile file never makes decc allocate without bound.
 */
#ifndef DECC_FILE_H
#define DECC_FILE_H

#include "decc/buf.h"

/*
 * Append the whole content of path to out. A file larger than max bytes (or than out's own
 * maximum) is DECC_ELIMIT, a missing file DECC_ENOTFOUND, anything else DECC_ERROR; the message
 * names the path. On failure out keeps its previous length and content.
 */
DECC_EXTERN DECC_MUST_USE int decc_file_read(struct decc_buf *out, const char *path, size_t max);

enum decc_file_flags {
	DECC_FILE_REPLACE = 1 << 0, /* replace an existing file (default: DECC_EEXISTS) */
};

/*
 * Write n bytes to path atomically: a temporary file in the same directory is written with
 * the given mode (e.g. 0600), fsync'ed, then renamed over (DECC_FILE_REPLACE) or linked to
 * path, and the directory is fsync'ed. Readers see either no file / the old file or the whole
 * new one. On failure nothing is left behind.
 */
DECC_EXTERN DECC_MUST_USE int decc_file_write_atomic(const char *path, const void *data, size_t n,
						     unsigned mode, unsigned flags);

/*
 * Create a directory and its missing parents with the given mode (e.g. 0700); directories that
 * already exist are left as they are. A path component that exists and is not a directory is
 * DECC_EEXISTS.
 */
DECC_EXTERN DECC_MUST_USE int decc_file_mkdirs(const char *path, unsigned mode);

/* true when path exists (any type, symlinks followed). */
DECC_EXTERN bool decc_file_exists(const char *path);

#endif
