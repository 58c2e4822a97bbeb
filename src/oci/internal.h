/* SPDX-License-Identifier: Apache-2.0 */
/* Pieces of the OCI module shared between its files (not a public API). */
#ifndef DECC_OCI_INTERNAL_H
#define DECC_OCI_INTERNAL_H

#include "decc/oci.h"

/* Append an owned string (NULL = allocation failed) to a NULL-terminated vector. */
int oci_strv_push(char ***v, size_t *n, char *owned);

/* true for "sha256:" followed by 64 lowercase hex digits. */
bool oci_digest_valid(const char *d);

/* Parse an OCI index (index.json): the digest/size of the image manifest to use. */
int oci_index_pick(struct decc_oci_descriptor *out, const char *json, size_t n);

/* Legacy docker-save manifest.json: config file name and layer file names (first image). */
int oci_docker_manifest_parse(char **config, char ***layers, size_t *nlayers, const char *json,
			      size_t n);

void oci_descriptor_release(struct decc_oci_descriptor *d);

/* Remove name (a file, a symlink or a whole tree) in dirfd, never following symlinks. */
int oci_remove_at(int dirfd, const char *name);

/* Open rel under dirfd as if dirfd were "/" (symlinks cannot lead outside). */
int oci_open_in_root(int dirfd, const char *rel, int flags);

/*
 * Apply a layer read from fd (from its start). When digest is not NULL, the bytes read are
 * hashed and must match it (DECC_EAUTH), with size when size != UINT64_MAX.
 */
int oci_layer_apply_fd(int rootfd, int fd, const char *digest, uint64_t size,
		       const struct decc_oci_limits *limits, uint64_t *total_bytes,
		       uint64_t *total_entries);

/* Open libarchive (src/oci/libarchive.c): called before any archive object is created. */
int oci_archive_load(void);

#endif
