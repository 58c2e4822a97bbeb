/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Opening an image (layout directory or archive), verifying its blobs, and the rootfs cache
 * keyed by the image digest.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decc/buf.h"
#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/file.h"
#include "decc/hex.h"
#include "oci/internal.h"

/* Mount points every rootfs gets, so a read-only rootfs can take the sandbox's mounts. */
static const char *const mountpoints[] = { "proc", "dev", "tmp", "iexec_in", "iexec_out" };

struct decc_oci_image {
	int dirfd;   /* the layout (or staged archive) root */
	char *stage; /* staged archive directory to remove, or NULL */
	char *cache;
	struct decc_oci_limits lim;
	enum decc_oci_digest_kind kind;
	char digest[72];
	struct decc_oci_manifest man; /* OCI layouts */
	char **legacy_layers;	      /* legacy docker-save: layer file names */
	size_t nlegacy;
	struct decc_oci_config cfg;
};

static void hash_hex(char out[72], const uint8_t md[32])
{
	memcpy(out, "sha256:", 7);
	decc_hex_encode(out + 7, md, 32, false);
}

/* Read a small file under the image root (resolved inside it) into out. */
static int read_rel(struct decc_buf *out, int dirfd, const char *rel, size_t max)
{
	int fd = oci_open_in_root(dirfd, rel, O_RDONLY);
	struct stat st;
	ssize_t n;
	int r;

	if (fd < 0)
		return decc_error_set(errno == ENOENT ? DECC_ENOTFOUND : DECC_ERROR,
				      "image: cannot open %s: %s", rel, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
		close(fd);
		return decc_error_set(DECC_ELIMIT,
				      "image: %s is not a regular file of at most "
				      "%zu bytes",
				      rel, max);
	}
	r = decc_buf_reserve(out, (size_t)st.st_size);
	while (r == 0) {
		uint8_t tmp[65536];

		n = read(fd, tmp, sizeof(tmp));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			r = decc_error_set(DECC_ERROR, "image: read %s: %s", rel, strerror(errno));
		if (n <= 0)
			break;
		if (out->len + (size_t)n > max)
			r = decc_error_set(DECC_ELIMIT, "image: %s grew while read", rel);
		else
			r = decc_buf_append(out, tmp, (size_t)n);
	}
	close(fd);
	return r;
}

static void blob_path(char *out, size_t cap, const char *digest)
{
	snprintf(out, cap, "blobs/sha256/%s", digest + 7);
}

/* A JSON blob by descriptor: read, check size and digest. */
static int read_blob(struct decc_buf *out, struct decc_oci_image *img,
		     const struct decc_oci_descriptor *d, const char *what)
{
	char path[128];
	uint8_t md[32];
	char got[72];

	DECC_ENSURE(d->size <= DECC_OCI_JSON_MAX, DECC_ELIMIT,
		    "image: %s of %llu bytes is too "
		    "large",
		    what, (unsigned long long)d->size);
	blob_path(path, sizeof(path), d->digest);
	DECC_TRY(read_rel(out, img->dirfd, path, DECC_OCI_JSON_MAX));
	decc_sha256(md, out->data, out->len);
	hash_hex(got, md);
	DECC_ENSURE(out->len == d->size, DECC_EAUTH, "image: %s %s has %zu bytes, expected %llu",
		    what, d->digest, out->len, (unsigned long long)d->size);
	DECC_ENSURE(strcmp(got, d->digest) == 0, DECC_EAUTH,
		    "image: %s digest mismatch: expected %s, content is %s", what, d->digest, got);
	return 0;
}

static int open_layout(struct decc_oci_image *img)
{
	struct decc_buf b = DECC_BUF_INIT;
	struct decc_oci_descriptor md = { 0 };
	int r;

	r = read_rel(&b, img->dirfd, "index.json", DECC_OCI_JSON_MAX);
	if (r == 0)
		r = oci_index_pick(&md, (const char *)b.data, b.len);
	decc_buf_reset(&b);
	if (r == 0)
		r = read_blob(&b, img, &md, "manifest");
	if (r == 0)
		r = decc_oci_manifest_parse(&img->man, (const char *)b.data, b.len);
	if (r == 0) {
		snprintf(img->digest, sizeof(img->digest), "%s", md.digest);
		img->kind = DECC_OCI_DIGEST_MANIFEST;
		/* no early return: b and md are released below */
		if (img->man.nlayers > img->lim.layers)
			r = decc_error_set(DECC_ELIMIT, "image: more than %u layers",
					   img->lim.layers);
		for (size_t i = 0; r == 0 && i < img->man.nlayers; i++)
			if (img->man.layers[i].size > img->lim.blob_bytes)
				r = decc_error_set(DECC_ELIMIT,
						   "image: layer %zu is larger than "
						   "%llu bytes",
						   i, (unsigned long long)img->lim.blob_bytes);
	}
	decc_buf_reset(&b);
	if (r == 0)
		r = read_blob(&b, img, &img->man.config, "config");
	if (r == 0)
		r = decc_oci_config_parse(&img->cfg, (const char *)b.data, b.len);
	oci_descriptor_release(&md);
	decc_buf_release(&b);
	return r;
}

static int open_legacy(struct decc_oci_image *img)
{
	struct decc_buf b = DECC_BUF_INIT;
	char *config = NULL, *base;
	uint8_t md[32];
	size_t nd = 0;
	int r;

	r = read_rel(&b, img->dirfd, "manifest.json", DECC_OCI_JSON_MAX);
	if (r == 0)
		r = oci_docker_manifest_parse(&config, &img->legacy_layers, &img->nlegacy,
					      (const char *)b.data, b.len);
	decc_buf_reset(&b);
	if (r == 0)
		r = read_rel(&b, img->dirfd, config, DECC_OCI_JSON_MAX);
	if (r == 0) {
		decc_sha256(md, b.data, b.len);
		hash_hex(img->digest, md);
		img->kind = DECC_OCI_DIGEST_CONFIG;
		/* the config's file name is its digest ("<hex>.json" or "blobs/sha256/<hex>") */
		base = strrchr(config, '/') ? strrchr(config, '/') + 1 : config;
		if (strncmp(base, img->digest + 7, 64) != 0)
			r = decc_error_set(DECC_EAUTH,
					   "image: config %s does not match its digest %s", config,
					   img->digest);
	}
	if (r == 0)
		r = decc_oci_config_parse(&img->cfg, (const char *)b.data, b.len);
	while (r == 0 && img->cfg.diff_ids && img->cfg.diff_ids[nd])
		nd++;
	if (r == 0 && nd != img->nlegacy)
		r = decc_error_set(DECC_EINVAL, "image: %zu layers but %zu diff_ids in the config",
				   img->nlegacy, nd);
	if (r == 0 && img->nlegacy > img->lim.layers)
		r = decc_error_set(DECC_ELIMIT, "image: more than %u layers", img->lim.layers);
	free(config);
	decc_buf_release(&b);
	return r;
}

/* Extract an archive into a fresh stage directory under the cache dir. */
static int stage_archive(struct decc_oci_image *img, const char *path)
{
	char tmpl[PATH_MAX];
	uint64_t bytes = 0, entries = 0;
	struct decc_oci_limits lim = img->lim;
	int r;

	if ((size_t)snprintf(tmpl, sizeof(tmpl), "%s/stage-XXXXXX", img->cache) >= sizeof(tmpl))
		return decc_error_set(DECC_ELIMIT, "image: cache path too long");
	if (!mkdtemp(tmpl))
		return decc_error_set(DECC_ERROR, "image: cannot create a stage dir in %s: %s",
				      img->cache, strerror(errno));
	img->stage = strdup(tmpl);
	if (!img->stage) {
		rmdir(tmpl);
		return decc_error_set(DECC_ENOMEM, "out of memory");
	}
	/* the archive holds every blob: it may be as large as all of them together */
	lim.blob_bytes = lim.unpacked_bytes;
	r = decc_oci_layer_apply_file(img->stage, path, &lim, &bytes, &entries);
	if (r < 0)
		return decc_error_wrap(r, "image archive %s", path);
	img->dirfd = open(img->stage, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (img->dirfd < 0)
		return decc_error_set(DECC_ERROR, "image: open %s: %s", img->stage,
				      strerror(errno));
	return 0;
}

static void remove_path(const char *path)
{
	char buf[PATH_MAX];
	char *slash;
	int dfd;

	snprintf(buf, sizeof(buf), "%s", path);
	slash = strrchr(buf, '/');
	if (!slash)
		return;
	*slash = 0;
	dfd = open(buf[0] ? buf : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return;
	if (oci_remove_at(dfd, slash + 1) < 0) {
		/* best effort: a leftover stage only costs disk */
	}
	close(dfd);
}

void decc_oci_free(struct decc_oci_image *img)
{
	if (!img)
		return;
	if (img->dirfd >= 0)
		close(img->dirfd);
	if (img->stage)
		remove_path(img->stage);
	free(img->stage);
	free(img->cache);
	decc_oci_manifest_release(&img->man);
	decc_oci_strv_free(img->legacy_layers);
	decc_oci_config_release(&img->cfg);
	free(img);
}

int decc_oci_open(struct decc_oci_image **out, const char *path, const char *cache_dir,
		  const struct decc_oci_limits *limits)
{
	struct decc_oci_image *img;
	struct stat st;
	bool layout;
	int r;

	DECC_ENSURE(path && cache_dir, DECC_EINVAL, "image: path and cache dir are required");
	DECC_ENSURE(stat(path, &st) == 0, DECC_ENOTFOUND, "image %s: %s", path, strerror(errno));
	DECC_TRY(decc_file_mkdirs(cache_dir, 0755));
	img = calloc(1, sizeof(*img));
	if (!img)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	img->dirfd = -1;
	img->lim = limits ? *limits : DECC_OCI_LIMITS_DEFAULT;
	img->cache = strdup(cache_dir);
	if (!img->cache) {
		decc_oci_free(img);
		return decc_error_set(DECC_ENOMEM, "out of memory");
	}
	if (S_ISDIR(st.st_mode)) {
		img->dirfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		r = img->dirfd < 0
			? decc_error_set(DECC_ERROR, "image: open %s: %s", path, strerror(errno))
			: 0;
	} else {
		r = stage_archive(img, path);
	}
	if (r == 0) {
		int fd = oci_open_in_root(img->dirfd, "index.json", O_PATH);

		layout = fd >= 0;
		if (fd >= 0)
			close(fd);
		r = layout ? open_layout(img) : open_legacy(img);
		if (r == DECC_ENOTFOUND && !layout)
			r = decc_error_set(DECC_EINVAL,
					   "image %s: neither an OCI layout "
					   "(index.json) nor a docker-save archive "
					   "(manifest.json)",
					   path);
	}
	if (r < 0) {
		decc_oci_free(img);
		return r;
	}
	*out = img;
	return 0;
}

const char *decc_oci_digest(const struct decc_oci_image *img)
{
	return img->digest;
}

enum decc_oci_digest_kind decc_oci_digest_kind(const struct decc_oci_image *img)
{
	return img->kind;
}

const struct decc_oci_config *decc_oci_image_config(const struct decc_oci_image *img)
{
	return &img->cfg;
}

static int apply_layers(struct decc_oci_image *img, int rootfd)
{
	uint64_t bytes = 0, entries = 0;
	char path[PATH_MAX];
	int fd, r = 0;

	for (size_t i = 0; r == 0 && i < img->man.nlayers + img->nlegacy; i++) {
		const char *digest;
		uint64_t size = UINT64_MAX;

		if (img->man.nlayers) {
			digest = img->man.layers[i].digest;
			size = img->man.layers[i].size;
			blob_path(path, sizeof(path), digest);
		} else {
			digest = img->cfg.diff_ids[i];
			snprintf(path, sizeof(path), "%s", img->legacy_layers[i]);
		}
		fd = oci_open_in_root(img->dirfd, path, O_RDONLY);
		if (fd < 0)
			return decc_error_set(DECC_ENOTFOUND, "image: layer %s: %s", path,
					      strerror(errno));
		r = oci_layer_apply_fd(rootfd, fd, digest, size, &img->lim, &bytes, &entries);
		close(fd);
		if (r < 0)
			r = decc_error_wrap(r, "image layer %zu", i);
	}
	return r;
}

static bool marker_ok(const char *dir, const char *digest)
{
	char path[PATH_MAX];
	struct decc_buf b = DECC_BUF_INIT;
	bool ok;

	snprintf(path, sizeof(path), "%s/digest", dir);
	if (decc_file_read(&b, path, 128) < 0) {
		decc_error_clear();
		return false;
	}
	ok = b.len == strlen(digest) + 1 && memcmp(b.data, digest, b.len - 1) == 0 &&
	     b.data[b.len - 1] == '\n';
	decc_buf_release(&b);
	return ok;
}

static int build_rootfs(struct decc_oci_image *img, const char *final)
{
	char tmp[PATH_MAX], rootfs[PATH_MAX + 16], marker[PATH_MAX + 16];
	int rootfd, r;

	snprintf(tmp, sizeof(tmp), "%s/tmp-%.12s-XXXXXX", img->cache, img->digest + 7);
	if (!mkdtemp(tmp))
		return decc_error_set(DECC_ERROR, "image cache %s: %s", img->cache,
				      strerror(errno));
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", tmp);
	r = mkdir(rootfs, 0755) < 0
		? decc_error_set(DECC_ERROR, "mkdir %s: %s", rootfs, strerror(errno))
		: 0;
	if (r == 0) {
		rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
		r = rootfd < 0 ? decc_error_set(DECC_ERROR, "open %s", rootfs) : 0;
		if (r == 0) {
			r = apply_layers(img, rootfd);
			for (size_t i = 0; r == 0 && i < DECC_ARRAY_SIZE(mountpoints); i++) {
				struct stat st;

				if (fstatat(rootfd, mountpoints[i], &st, AT_SYMLINK_NOFOLLOW) ==
					0 &&
				    !S_ISDIR(st.st_mode) &&
				    oci_remove_at(rootfd, mountpoints[i]) < 0)
					r = decc_error_set(DECC_ERROR, "rootfs: cannot replace /%s",
							   mountpoints[i]);
				if (r == 0 && mkdirat(rootfd, mountpoints[i], 0755) < 0 &&
				    errno != EEXIST)
					r = decc_error_set(DECC_ERROR, "rootfs: mkdir /%s: %s",
							   mountpoints[i], strerror(errno));
			}
			close(rootfd);
		}
	}
	if (r == 0 && chmod(tmp, 0755) < 0)
		r = decc_error_set(DECC_ERROR, "chmod %s: %s", tmp, strerror(errno));
	if (r == 0) {
		char line[80];

		snprintf(marker, sizeof(marker), "%s/digest", tmp);
		snprintf(line, sizeof(line), "%s\n", img->digest);
		r = decc_file_write_atomic(marker, line, strlen(line), 0644, 0);
	}
	if (r == 0 && rename(tmp, final) < 0) {
		if ((errno == EEXIST || errno == ENOTEMPTY) && marker_ok(final, img->digest))
			r = 0; /* another process finished the same image first */
		else
			r = decc_error_set(DECC_ERROR,
					   "image cache: cannot move %s to %s: %s (remove the "
					   "stale entry)",
					   tmp, final, strerror(errno));
		remove_path(tmp);
	}
	if (r < 0)
		remove_path(tmp);
	return r;
}

int decc_oci_rootfs(char **path_out, bool *cached, struct decc_oci_image *img)
{
	char final[PATH_MAX], rootfs[PATH_MAX + 8];
	bool hit;
	char *p;

	if ((size_t)snprintf(final, sizeof(final), "%s/%s", img->cache, img->digest + 7) >=
	    sizeof(final))
		return decc_error_set(DECC_ELIMIT, "image cache path too long");
	hit = marker_ok(final, img->digest);
	if (!hit)
		DECC_TRY(build_rootfs(img, final));
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", final);
	p = strdup(rootfs);
	if (!p)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	*path_out = p;
	if (cached)
		*cached = hit;
	return 0;
}
