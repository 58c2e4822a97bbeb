/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the files of the tee layer. */
#ifndef DECC_TEE_INTERNAL_H
#define DECC_TEE_INTERNAL_H

#include "decc/buf.h"

/* dir + "/" + name into a heap string (NULL on overflow or allocation failure). */
char *tee_path_join(const char *dir, const char *name);
/* Remove path and everything under it (symlinks are removed, never followed). */
void tee_rm_rf(const char *path);
/* sha256 of a file's bytes; *size gets its length. */
int tee_sha256_file(uint8_t out[32], uint64_t *size, const char *path);
/* Write all n bytes to fd. */
int tee_write_all(int fd, const void *p, size_t n);
/* A temporary file next to path ("<path>.tmpXXXXXX"), opened 0600; *tmp gets a heap name. */
int tee_tmpfile(char **tmp, int *fd, const char *path);

#endif
