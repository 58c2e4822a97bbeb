/* SPDX-License-Identifier: Apache-2.0 */
/*
 * App images: OCI image layouts and `docker save` archives, verified and unpacked into a
 * cached root file system for decc_sandbox_run().
 *
 * Accepted inputs (decc_oci_open):
 *  - an OCI image layout directory (oci-layout, index.json, blobs/sha256/<hex>);
 *  - a tar of such a layout (skopeo `oci-archive:`), or a `docker save` archive of Docker >= 25,
 *    which is an OCI layout plus manifest.json;
 *  - a legacy `docker save` archive (manifest.json, <config>.json, <id>/layer.tar).
 * Every blob is checked against its sha256 digest and size: the manifest and the config when
 * the image is opened, each layer before it is unpacked (legacy archives: the config against
 * its file name, each uncompressed layer against the config's rootfs.diff_ids).
 *
 * Measurement: the image digest "sha256:<hex>" is the digest of the manifest, which commits to
 * the config and every layer; it is what a registry shows as the image's digest and what an
 * app's registered checksum is compared to. A legacy docker-save archive has no manifest: its
 * digest is then the image ID (the config digest) and digest_kind says so.
 *
 * Unpacking: layers in order into <cache>/<hex>/rootfs, honouring whiteouts (.wh.<name>,
 * .wh..wh..opq); entries with an absolute path or a ".." component are refused; every path is
 * resolved inside the rootfs (openat2 RESOLVE_IN_ROOT), so a symlink in the image can never
 * make the extraction touch anything outside; device nodes and fifos are skipped; setuid and
 * setgid bits are cleared; owners are not kept. The rootfs is built in a temp dir and renamed
 * into place with a marker holding the digest, so a cache entry is complete or absent.
 */
#ifndef DECC_OCI_H
#define DECC_OCI_H

#include "decc/common.h"

struct decc_oci_limits {
	uint64_t blob_bytes;	 /* largest blob (layer as stored, config, manifest) */
	uint64_t unpacked_bytes; /* total regular-file bytes of the unpacked rootfs */
	uint64_t entries;	 /* total tar entries over all layers */
	uint32_t layers;
};
#define DECC_OCI_LIMITS_DEFAULT                                                                    \
	((struct decc_oci_limits){ .blob_bytes = (uint64_t)2 << 30,                                \
				   .unpacked_bytes = (uint64_t)4 << 30,                            \
				   .entries = 500000,                                              \
				   .layers = 128 })
#define DECC_OCI_JSON_MAX ((size_t)4 << 20) /* manifest, config, index */

/* The parts of the image config a runtime honours. Arrays are NULL-terminated. */
struct decc_oci_config {
	char **entrypoint;
	char **cmd;
	char **env;    /* "NAME=value" */
	char *workdir; /* NULL when unset */
	char *user;    /* as written in the image, NULL when unset */
	char *os, *architecture;
	char **diff_ids; /* rootfs.diff_ids */
};

/* Parse an image config JSON (application/vnd.oci.image.config.v1+json or Docker's). */
DECC_EXTERN DECC_MUST_USE int decc_oci_config_parse(struct decc_oci_config *out, const char *json,
						    size_t n);
DECC_EXTERN void decc_oci_config_release(struct decc_oci_config *c);

struct decc_oci_descriptor {
	char *media_type;
	char *digest; /* "sha256:<64 lowercase hex>" */
	uint64_t size;
};

struct decc_oci_manifest {
	struct decc_oci_descriptor config;
	struct decc_oci_descriptor *layers;
	size_t nlayers;
};

/* Parse an image manifest; digests must be sha256 and layer media types tar or tar+gzip. */
DECC_EXTERN DECC_MUST_USE int decc_oci_manifest_parse(struct decc_oci_manifest *out,
						      const char *json, size_t n);
DECC_EXTERN void decc_oci_manifest_release(struct decc_oci_manifest *m);

/* ---- images ---- */
enum decc_oci_digest_kind {
	DECC_OCI_DIGEST_MANIFEST = 0, /* sha256 of the manifest (registry digest) */
	DECC_OCI_DIGEST_CONFIG = 1,   /* legacy docker-save archive: the image ID */
};

struct decc_oci_image; /* opaque */

/*
 * Open and verify (manifest, config) the image at path: a layout directory or an archive.
 * Archives are staged under cache_dir (created 0755 if missing), removed by _free.
 * limits NULL = DECC_OCI_LIMITS_DEFAULT. DECC_EAUTH on a digest or size mismatch, DECC_EINVAL
 * on a malformed image, DECC_ELIMIT on a limit, DECC_ENOTFOUND on a missing blob.
 */
DECC_EXTERN DECC_MUST_USE int decc_oci_open(struct decc_oci_image **out, const char *path,
					    const char *cache_dir,
					    const struct decc_oci_limits *limits);
DECC_EXTERN void decc_oci_free(struct decc_oci_image *img);

/* "sha256:<hex>", valid while img lives. */
DECC_EXTERN const char *decc_oci_digest(const struct decc_oci_image *img);
DECC_EXTERN enum decc_oci_digest_kind decc_oci_digest_kind(const struct decc_oci_image *img);
DECC_EXTERN const struct decc_oci_config *decc_oci_image_config(const struct decc_oci_image *img);

/*
 * Make sure the verified rootfs of img is in the cache (unpack it if not, verifying every
 * layer) and give its path (<cache_dir>/<hex>/rootfs, free() it). The rootfs holds the mount
 * points /proc, /dev, /tmp, /iexec_in and /iexec_out. *cached tells whether it was already
 * there (may be NULL).
 */
DECC_EXTERN DECC_MUST_USE int decc_oci_rootfs(char **path_out, bool *cached,
					      struct decc_oci_image *img);

/*
 * Apply one layer (tar, optionally gzip-compressed; read from memory) onto the directory
 * rootfs, with the rules above. *total_bytes and *total_entries are running totals checked
 * against limits (both may start at 0).
 */
DECC_EXTERN DECC_MUST_USE int decc_oci_layer_apply(const char *rootfs, const void *data, size_t n,
						   const struct decc_oci_limits *limits,
						   uint64_t *total_bytes, uint64_t *total_entries);
/* The same from a file. */
DECC_EXTERN DECC_MUST_USE int decc_oci_layer_apply_file(const char *rootfs, const char *path,
							const struct decc_oci_limits *limits,
							uint64_t *total_bytes,
							uint64_t *total_entries);

/* ---- building ---- */

/* What decc_oci_build() writes into the image config. Arrays are NULL-terminated or NULL. */
struct decc_oci_build_spec {
	const char *const *entrypoint;
	const char *const *cmd;
	const char *const *env; /* "NAME=value" */
	const char *workdir;	/* absolute, NULL = unset */
	const char *user;	/* NULL = unset (the runtime then uses 65534) */
	bool gzip;		/* layer as tar+gzip (default: plain tar) */
};

/*
 * Write a deterministic OCI image archive (a tar of an OCI image layout: oci-layout,
 * index.json, blobs/sha256/{layer, config, manifest}) at out_path (replaced atomically) from
 * the tree under dir (one layer; regular files, directories and symlinks; anything else is
 * DECC_EINVAL). Same tree and spec = same bytes: entries sorted by name, mtime 0, uid/gid 0,
 * permission bits only, no timestamps anywhere. digest_out gets "sha256:<hex>" of the
 * manifest: the same value decc_oci_open() then reports, and the app's checksum on chain.
 * The archive gets mode 0644 minus the umask. Limits: DECC_OCI_LIMITS_DEFAULT (entries,
 * bytes). spec may be NULL.
 */
DECC_EXTERN DECC_MUST_USE int decc_oci_build(char digest_out[72], const char *dir,
					     const char *out_path,
					     const struct decc_oci_build_spec *spec);

/* ---- run parameters ---- */

/*
 * Split iexec_args like a POSIX shell, without any expansion: blanks separate words; '...'
 * keeps everything literally; "..." keeps everything except that \" \\ \$ \` and
 * backslash-newline are escapes; outside quotes a backslash escapes the next character; ""
 * and '' make empty words. Unbalanced quotes or a trailing backslash are DECC_EINVAL; more
 * than 4096 words or 1 MiB DECC_ELIMIT. *out is NULL-terminated (free with decc_oci_strv_free).
 */
DECC_EXTERN DECC_MUST_USE int decc_oci_split_args(char ***out, size_t *nout, const char *s);
DECC_EXTERN void decc_oci_strv_free(char **v);

struct decc_oci_run {
	char **argv;	   /* Entrypoint + (split iexec_args if non-empty, else Cmd) */
	char **env;	   /* image Env, with PATH defaulted, overridden by the extra entries */
	char *cwd;	   /* WorkingDir or "/" */
	uint32_t uid, gid; /* from User: numeric or a name in the rootfs' /etc/passwd; root or
			    * unset = 65534 (apps never run as root) */
};

/*
 * Build the run parameters of the image for a task: argv from Entrypoint/Cmd and iexec_args
 * (NULL or "" = the image's Cmd), env = image Env + extra_env (NULL-terminated "NAME=value",
 * these win). rootfs (may be NULL) is used to resolve a user name.
 */
DECC_EXTERN DECC_MUST_USE int decc_oci_run_params(struct decc_oci_run *out,
						  const struct decc_oci_config *cfg,
						  const char *rootfs, const char *iexec_args,
						  const char *const *extra_env);
DECC_EXTERN void decc_oci_run_release(struct decc_oci_run *r);

#endif
