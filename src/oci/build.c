/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decc_oci_build(): a deterministic single-layer OCI image archive from a directory.
 *
 * Determinism: the layer lists the tree in byte order of the names, every entry has mtime 0,
 * uid/gid 0 and no owner names, permissions only (no setuid/setgid/sticky), the pax_restricted
 * tar format (no pax headers for short names), a hard link is stored as a separate file;
 * gzip (optional) is written without time stamp or name. The JSON documents are compact with
 * sorted keys and no "created" time. The same tree and spec therefore give the same bytes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>

#include "decc/buf.h"
#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/hex.h"
#include "oci/internal.h"

#define LAYER_TAR "application/vnd.oci.image.layer.v1.tar"
#define LAYER_TGZ "application/vnd.oci.image.layer.v1.tar+gzip"
#define CONFIG_TYPE "application/vnd.oci.image.config.v1+json"
#define MANIFEST_TYPE "application/vnd.oci.image.manifest.v1+json"
#define INDEX_TYPE "application/vnd.oci.image.index.v1+json"

/* ---- a tar stream into a temp file, hashed as it is written ---- */

struct sink {
	FILE *f;
	struct decc_sha256 *h;
	uint64_t n;
	int err;
};

static la_ssize_t sink_write(struct archive *a, void *ctx, const void *p, size_t n)
{
	struct sink *s = ctx;

	(void)a;
	if (fwrite(p, 1, n, s->f) != n || decc_sha256_update(s->h, p, n) < 0) {
		s->err = 1;
		return -1;
	}
	s->n += n;
	return (la_ssize_t)n;
}

static int sink_close(struct archive *a, void *ctx)
{
	(void)a;
	(void)ctx;
	return ARCHIVE_OK;
}

/* The uncompressed tar is hashed for the diff_id even when the blob is gzip. */
struct layer_out {
	struct archive *a;
	struct sink blob;
	struct decc_sha256 *diff; /* hash of the uncompressed tar */
	struct archive *plain;	  /* a second writer producing the same tar, for diff */
	struct sink plain_sink;
	uint64_t entries, bytes;
	const struct decc_oci_limits *lim;
};

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_entry(struct layer_out *L, const char *name, const struct stat *st, const char *link,
		     int fd);

static int write_both(struct layer_out *L, struct archive_entry *e, const void *data, size_t n,
		      bool header)
{
	struct archive *ws[2] = { L->a, L->plain };

	for (int i = 0; i < 2; i++) {
		if (!ws[i])
			continue;
		if (header) {
			if (archive_write_header(ws[i], e) != ARCHIVE_OK)
				return decc_error_set(DECC_ERROR, "image build: tar header: %s",
						      archive_error_string(ws[i]));
		} else if (n && archive_write_data(ws[i], data, n) != (la_ssize_t)n) {
			return decc_error_set(DECC_ERROR, "image build: tar data: %s",
					      archive_error_string(ws[i]));
		}
	}
	return 0;
}

static int add_entry(struct layer_out *L, const char *name, const struct stat *st, const char *link,
		     int fd)
{
	struct archive_entry *e;
	int r = 0;

	DECC_ENSURE(++L->entries <= L->lim->entries, DECC_ELIMIT,
		    "image build: more than %llu entries", (unsigned long long)L->lim->entries);
	e = archive_entry_new();
	if (!e)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	archive_entry_set_pathname(e, name);
	archive_entry_set_mtime(e, 0, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	archive_entry_set_perm(e, st->st_mode & 0777);
	if (S_ISDIR(st->st_mode)) {
		archive_entry_set_filetype(e, AE_IFDIR);
	} else if (S_ISLNK(st->st_mode)) {
		archive_entry_set_filetype(e, AE_IFLNK);
		archive_entry_set_symlink(e, link);
	} else {
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_size(e, st->st_size);
		L->bytes += (uint64_t)st->st_size;
		if (L->bytes > L->lim->unpacked_bytes)
			r = decc_error_set(DECC_ELIMIT, "image build: more than %llu bytes",
					   (unsigned long long)L->lim->unpacked_bytes);
	}
	if (r == 0)
		r = write_both(L, e, NULL, 0, true);
	if (r == 0 && S_ISREG(st->st_mode)) {
		uint8_t buf[65536];
		off_t left = st->st_size;

		while (r == 0 && left > 0) {
			ssize_t n =
			    read(fd, buf,
				 (size_t)(left < (off_t)sizeof(buf) ? left : (off_t)sizeof(buf)));

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				r = decc_error_set(DECC_ERROR, "image build: %s changed while read",
						   name);
				break;
			}
			r = write_both(L, e, buf, (size_t)n, false);
			left -= n;
		}
	}
	archive_entry_free(e);
	return r;
}

/* Add the children of dirfd (named prefix/...) in byte order, depth first. */
static int add_tree(struct layer_out *L, int dirfd, const char *prefix, int depth)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int r = 0, dfd;

	DECC_ENSURE(depth < 128, DECC_ELIMIT, "image build: directories nested too deep");
	dfd = dup(dirfd);
	if (dfd < 0 || !(d = fdopendir(dfd))) {
		if (dfd >= 0)
			close(dfd);
		return decc_error_set(DECC_ERROR, "image build: cannot list %s: %s",
				      *prefix ? prefix : "/", strerror(errno));
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == cap) {
			char **v = realloc(names, (cap = cap ? cap * 2 : 32) * sizeof(*v));

			if (!v) {
				r = decc_error_set(DECC_ENOMEM, "out of memory");
				break;
			}
			names = v;
		}
		if (!(names[n] = strdup(de->d_name))) {
			r = decc_error_set(DECC_ENOMEM, "out of memory");
			break;
		}
		n++;
	}
	closedir(d);
	if (r == 0 && n) /* an empty directory has no names array */
		qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; r == 0 && i < n; i++) {
		char path[PATH_MAX], link[PATH_MAX];
		struct stat st;
		int fd = -1;

		if ((size_t)snprintf(path, sizeof(path), "%s%s", prefix, names[i]) >=
		    sizeof(path) - 1) {
			r = decc_error_set(DECC_ELIMIT, "image build: path too long");
			break;
		}
		if (fstatat(dirfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = decc_error_set(DECC_ERROR, "image build: %s: %s", path,
					   strerror(errno));
			break;
		}
		if (S_ISLNK(st.st_mode)) {
			ssize_t k = readlinkat(dirfd, names[i], link, sizeof(link) - 1);

			if (k < 0) {
				r = decc_error_set(DECC_ERROR, "image build: readlink %s", path);
				break;
			}
			link[k] = 0;
			r = add_entry(L, path, &st, link, -1);
		} else if (S_ISDIR(st.st_mode)) {
			fd = openat(dirfd, names[i],
				    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0) {
				r = decc_error_set(DECC_ERROR, "image build: open %s: %s", path,
						   strerror(errno));
				break;
			}
			r = add_entry(L, path, &st, NULL, -1);
			if (r == 0) {
				strcat(path, "/");
				r = add_tree(L, fd, path, depth + 1);
			}
			close(fd);
		} else if (S_ISREG(st.st_mode)) {
			fd = openat(dirfd, names[i], O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0) {
				r = decc_error_set(DECC_ERROR, "image build: open %s: %s", path,
						   strerror(errno));
				break;
			}
			r = add_entry(L, path, &st, NULL, fd);
			close(fd);
		} else {
			r = decc_error_set(DECC_EINVAL,
					   "image build: %s is not a file, directory or symlink "
					   "(devices, fifos and sockets cannot go in an image)",
					   path);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

static struct archive *new_tar(struct sink *s, bool gzip)
{
	struct archive *a = archive_write_new();

	if (!a)
		return NULL;
	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    (gzip &&
	     (archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
	      archive_write_set_filter_option(a, "gzip", "timestamp", NULL) != ARCHIVE_OK)) ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open2(a, s, NULL, sink_write, sink_close, NULL) != ARCHIVE_OK) {
		archive_write_free(a);
		return NULL;
	}
	return a;
}

static void digest_str(char out[72], const uint8_t md[32])
{
	memcpy(out, "sha256:", 7);
	decc_hex_encode(out + 7, md, 32, false);
}

/* Write the layer of dir into the file f (blob); gives its digest, size and diff_id. */
static int write_layer(FILE *f, const char *dir, bool gzip, const struct decc_oci_limits *lim,
		       char digest[72], uint64_t *size, char diff_id[72])
{
	struct layer_out L = { .lim = lim };
	FILE *devnull = fopen("/dev/null", "we");
	uint8_t md[32];
	int r = 0, dirfd;

	L.blob.f = f;
	if (!devnull)
		return decc_error_set(DECC_ERROR, "image build: /dev/null: %s", strerror(errno));
	L.plain_sink.f = devnull;
	if (decc_sha256_new(&L.blob.h) < 0 || (gzip && decc_sha256_new(&L.plain_sink.h) < 0)) {
		r = DECC_ENOMEM;
		goto out;
	}
	L.a = new_tar(&L.blob, gzip);
	if (gzip)
		L.plain = new_tar(&L.plain_sink, false);
	if (!L.a || (gzip && !L.plain)) {
		r = decc_error_set(DECC_ERROR, "image build: cannot start a tar writer");
		goto out;
	}
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		r = decc_error_set(DECC_EINVAL, "image build: %s is not a directory: %s", dir,
				   strerror(errno));
		goto out;
	}
	r = add_tree(&L, dirfd, "", 0);
	close(dirfd);
	if (r == 0 && (archive_write_close(L.a) != ARCHIVE_OK ||
		       (L.plain && archive_write_close(L.plain) != ARCHIVE_OK) || L.blob.err ||
		       L.plain_sink.err))
		r = decc_error_set(DECC_ERROR, "image build: cannot write the layer");
	if (r == 0) {
		r = decc_sha256_final(L.blob.h, md);
		digest_str(digest, md);
		*size = L.blob.n;
		if (r == 0 && gzip) {
			r = decc_sha256_final(L.plain_sink.h, md);
			digest_str(diff_id, md);
		} else {
			memcpy(diff_id, digest, 72);
		}
	}
out:
	if (L.a)
		archive_write_free(L.a);
	if (L.plain)
		archive_write_free(L.plain);
	decc_sha256_free(L.blob.h);
	decc_sha256_free(L.plain_sink.h);
	fclose(devnull);
	return r;
}

/* ---- JSON documents ---- */

static json_t *strv_json(const char *const *v)
{
	json_t *a = json_array();

	for (size_t i = 0; a && v && v[i]; i++)
		if (json_array_append_new(a, json_string(v[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static int dump(char **out, size_t *n, json_t *j)
{
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	json_decref(j);
	if (!s)
		return decc_error_set(DECC_ENOMEM, "image build: cannot make a JSON document");
	*out = s;
	*n = strlen(s);
	return 0;
}

static bool utf8_ok(const char *s)
{
	json_t *j = json_string(s);

	json_decref(j);
	return j != NULL;
}

static int check_strv(const char *const *v, const char *what, bool env)
{
	for (size_t i = 0; v && v[i]; i++) {
		DECC_ENSURE(i < 4096 && strlen(v[i]) < 65536, DECC_ELIMIT,
			    "image build: %s too long", what);
		DECC_ENSURE(utf8_ok(v[i]), DECC_EINVAL, "image build: %s entry %zu is not UTF-8",
			    what, i);
		DECC_ENSURE(!env || (strchr(v[i], '=') && v[i][0] != '='), DECC_EINVAL,
			    "image build: env entry '%s' is not NAME=value", v[i]);
	}
	return 0;
}

static json_t *descriptor(const char *type, const char *digest, uint64_t size)
{
	return json_pack("{s:s,s:s,s:I}", "mediaType", type, "digest", digest, "size",
			 (json_int_t)size);
}

/* ---- the outer archive ---- */

static int put_file(struct archive *a, const char *name, const void *data, size_t n, FILE *from)
{
	struct archive_entry *e = archive_entry_new();
	int r = 0;

	if (!e)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	archive_entry_set_pathname(e, name);
	archive_entry_set_mtime(e, 0, 0);
	archive_entry_set_filetype(e, name[strlen(name) - 1] == '/' ? AE_IFDIR : AE_IFREG);
	archive_entry_set_perm(e, name[strlen(name) - 1] == '/' ? 0755 : 0644);
	if (name[strlen(name) - 1] != '/')
		archive_entry_set_size(e, (la_int64_t)n);
	if (archive_write_header(a, e) != ARCHIVE_OK)
		r = decc_error_set(DECC_ERROR, "image build: %s", archive_error_string(a));
	if (r == 0 && data && n && archive_write_data(a, data, n) != (la_ssize_t)n)
		r = decc_error_set(DECC_ERROR, "image build: %s", archive_error_string(a));
	if (r == 0 && from) {
		uint8_t buf[65536];
		size_t k, left = n;

		rewind(from);
		while (r == 0 && left &&
		       (k = fread(buf, 1, left < sizeof(buf) ? left : sizeof(buf), from)) > 0) {
			if (archive_write_data(a, buf, k) != (la_ssize_t)k)
				r = decc_error_set(DECC_ERROR, "image build: %s",
						   archive_error_string(a));
			left -= k;
		}
		if (r == 0 && left)
			r = decc_error_set(DECC_ERROR, "image build: layer file shrank");
	}
	archive_entry_free(e);
	return r;
}

struct blob {
	char name[96]; /* blobs/sha256/<hex> */
	const void *data;
	size_t n;
	FILE *from;
};

static int blob_cmp(const void *a, const void *b)
{
	return strcmp(((const struct blob *)a)->name, ((const struct blob *)b)->name);
}

int decc_oci_build(char digest_out[72], const char *dir, const char *out_path,
		   const struct decc_oci_build_spec *spec)
{
	static const struct decc_oci_build_spec none = { 0 };
	struct decc_oci_limits lim = DECC_OCI_LIMITS_DEFAULT;
	char layer_digest[72], diff_id[72], config_digest[72], manifest_digest[72];
	char *config = NULL, *manifest = NULL, *index = NULL, tmp[PATH_MAX];
	size_t nconfig = 0, nmanifest = 0, nindex = 0;
	uint64_t layer_size = 0;
	struct blob blobs[3];
	struct sink outs = { 0 };
	struct archive *a = NULL;
	FILE *layer = NULL;
	uint8_t md[32];
	json_t *cfg;
	int r, tmpfd;

	DECC_TRY(oci_archive_load());

	DECC_ENSURE(dir && out_path, DECC_EINVAL, "image build: directory and output required");
	if (!spec)
		spec = &none;
	DECC_TRY(check_strv(spec->entrypoint, "entrypoint", false));
	DECC_TRY(check_strv(spec->cmd, "cmd", false));
	DECC_TRY(check_strv(spec->env, "env", true));
	DECC_ENSURE(!spec->workdir || spec->workdir[0] == '/', DECC_EINVAL,
		    "image build: the working directory must be absolute");
	layer = tmpfile();
	if (!layer)
		return decc_error_set(DECC_ERROR, "image build: tmpfile: %s", strerror(errno));
	r = write_layer(layer, dir, spec->gzip, &lim, layer_digest, &layer_size, diff_id);
	if (r < 0)
		goto out;
	if (fflush(layer) != 0) {
		r = decc_error_set(DECC_ERROR, "image build: cannot write the layer");
		goto out;
	}
	/* config */
	cfg = json_object();
	if (cfg) {
		json_t *c = json_object();

		if (spec->entrypoint)
			json_object_set_new(c, "Entrypoint", strv_json(spec->entrypoint));
		if (spec->cmd)
			json_object_set_new(c, "Cmd", strv_json(spec->cmd));
		if (spec->env)
			json_object_set_new(c, "Env", strv_json(spec->env));
		if (spec->workdir)
			json_object_set_new(c, "WorkingDir", json_string(spec->workdir));
		if (spec->user)
			json_object_set_new(c, "User", json_string(spec->user));
		json_object_set_new(cfg, "architecture", json_string("amd64"));
		json_object_set_new(cfg, "os", json_string("linux"));
		json_object_set_new(cfg, "config", c);
		json_object_set_new(
		    cfg, "rootfs", json_pack("{s:s,s:[s]}", "type", "layers", "diff_ids", diff_id));
	}
	r = dump(&config, &nconfig, cfg);
	if (r < 0)
		goto out;
	decc_sha256(md, config, nconfig);
	digest_str(config_digest, md);
	r = dump(
	    &manifest, &nmanifest,
	    json_pack("{s:i,s:s,s:o,s:[o]}", "schemaVersion", 2, "mediaType", MANIFEST_TYPE,
		      "config", descriptor(CONFIG_TYPE, config_digest, nconfig), "layers",
		      descriptor(spec->gzip ? LAYER_TGZ : LAYER_TAR, layer_digest, layer_size)));
	if (r < 0)
		goto out;
	decc_sha256(md, manifest, nmanifest);
	digest_str(manifest_digest, md);
	r = dump(&index, &nindex,
		 json_pack("{s:i,s:s,s:[o]}", "schemaVersion", 2, "mediaType", INDEX_TYPE,
			   "manifests", descriptor(MANIFEST_TYPE, manifest_digest, nmanifest)));
	if (r < 0)
		goto out;
	/* the archive, written next to out_path and renamed */
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", out_path) >= sizeof(tmp)) {
		r = decc_error_set(DECC_ELIMIT, "image build: output path too long");
		goto out;
	}
	tmpfd = mkstemp(tmp);
	if (tmpfd >= 0) {
		mode_t um = umask(0);

		umask(um);
		/* images are not secret: readable like any file the caller creates */
		if (fchmod(tmpfd, 0644 & ~um) < 0) {
			/* keep 0600 */
		}
	}
	if (tmpfd < 0 || !(outs.f = fdopen(tmpfd, "w"))) {
		if (tmpfd >= 0)
			close(tmpfd), unlink(tmp);
		r = decc_error_set(DECC_ERROR, "image build: cannot create %s: %s", tmp,
				   strerror(errno));
		goto out;
	}
	if (decc_sha256_new(&outs.h) < 0 || !(a = new_tar(&outs, false))) {
		r = decc_error_set(DECC_ERROR, "image build: cannot start the archive");
		goto fail_tmp;
	}
	snprintf(blobs[0].name, sizeof(blobs[0].name), "blobs/sha256/%s", layer_digest + 7);
	blobs[0].data = NULL, blobs[0].n = (size_t)layer_size, blobs[0].from = layer;
	snprintf(blobs[1].name, sizeof(blobs[1].name), "blobs/sha256/%s", config_digest + 7);
	blobs[1].data = config, blobs[1].n = nconfig, blobs[1].from = NULL;
	snprintf(blobs[2].name, sizeof(blobs[2].name), "blobs/sha256/%s", manifest_digest + 7);
	blobs[2].data = manifest, blobs[2].n = nmanifest, blobs[2].from = NULL;
	qsort(blobs, 3, sizeof(blobs[0]), blob_cmp);
	r = put_file(a, "blobs/", NULL, 0, NULL);
	if (r == 0)
		r = put_file(a, "blobs/sha256/", NULL, 0, NULL);
	for (size_t i = 0; r == 0 && i < 3; i++)
		if (i == 0 || strcmp(blobs[i].name, blobs[i - 1].name) != 0)
			r = put_file(a, blobs[i].name, blobs[i].data, blobs[i].n, blobs[i].from);
	if (r == 0)
		r = put_file(a, "index.json", index, nindex, NULL);
	if (r == 0)
		r = put_file(a, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30, NULL);
	if (r == 0 && (archive_write_close(a) != ARCHIVE_OK || outs.err))
		r = decc_error_set(DECC_ERROR, "image build: cannot write %s", tmp);
	if (r < 0)
		goto fail_tmp;
	if (fflush(outs.f) != 0 || fsync(fileno(outs.f)) != 0 || fclose(outs.f) != 0) {
		outs.f = NULL;
		r = decc_error_set(DECC_ERROR, "image build: cannot write %s", tmp);
		goto fail_tmp;
	}
	outs.f = NULL;
	if (rename(tmp, out_path) < 0) {
		r = decc_error_set(DECC_ERROR, "image build: cannot rename to %s: %s", out_path,
				   strerror(errno));
		goto fail_tmp;
	}
	memcpy(digest_out, manifest_digest, 72);
	goto out;
fail_tmp:
	if (outs.f)
		fclose(outs.f);
	unlink(tmp);
out:
	if (a)
		archive_write_free(a);
	decc_sha256_free(outs.h);
	if (layer)
		fclose(layer);
	free(config);
	free(manifest);
	free(index);
	return r;
}
