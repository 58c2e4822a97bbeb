/* SPDX-License-Identifier: Apache-2.0 */
/* Private helpers shared by the files of the protect layer (never included outside it). */
#ifndef DECC_PROTECT_INTERNAL_H
#define DECC_PROTECT_INTERNAL_H

#include "decc/buf.h"

/* Strict UTF-8 check. */
bool decc_protect_utf8_valid(const uint8_t *p, size_t n);

/*
 * An output file written under a temporary name in the target's directory and made visible
 * only by decc_protect_out_commit(); decc_protect_out_abort() removes it.
 */
struct decc_protect_out {
	char *path; /* final path */
	char *tmp;  /* temporary path (heap) */
	int fd;
	unsigned flags;
};

/* Create the temporary file (mode 0600). Fails with DECC_EEXISTS if path exists and the
 * flags do not say DECC_PROTECT_REPLACE. */
int decc_protect_out_open(struct decc_protect_out *o, const char *path, unsigned flags);
/* Close the descriptor (if open) and rename/link the temporary file to the final path. */
int decc_protect_out_commit(struct decc_protect_out *o);
/* Close and remove the temporary file; safe to call twice or after commit. */
void decc_protect_out_abort(struct decc_protect_out *o);

/* write(2) all of it, retrying on EINTR; message names what. */
int decc_protect_write_all(int fd, const void *p, size_t n, const char *what);
/* read(2) up to n bytes, short only at end of file. */
int decc_protect_read_full(int fd, void *p, size_t n, size_t *got, const char *what);

#endif
