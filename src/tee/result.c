/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Result digest, names, zip, encryption and decryption (include/decc/result.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/file.h"
#include "decc/hex.h"
#include "decc/result.h"
#include "tee/internal.h"

#define ENC_ENTRY "iexec_out.zip.aes"
#define KEY_ENTRY "aes-key.rsa"
#define NAME_MAX_ZIP 1024 /* bytes of an entry name we unpack */

/* ---- computed.json ---- */

static int dup_str(char **out, json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return decc_error_set(DECC_EINVAL, "computed.json: \"%s\" is not a string", key);
	*out = strdup(json_string_value(v));
	if (!*out)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	return 0;
}

int decc_result_computed_parse(struct decc_result_computed *out, const char *json, size_t n)
{
	struct decc_result_computed c = { 0 };
	json_error_t err;
	json_t *o;
	int r;

	if (n > DECC_RESULT_COMPUTED_MAX)
		return decc_error_set(DECC_ELIMIT, "computed.json: larger than %zu bytes",
				      DECC_RESULT_COMPUTED_MAX);
	o = json_loadb(json, n, JSON_REJECT_DUPLICATES, &err);
	if (!o)
		return decc_error_set(DECC_EINVAL, "computed.json: not JSON: %s", err.text);
	if (!json_is_object(o)) {
		json_decref(o);
		return decc_error_set(DECC_EINVAL, "computed.json: not a JSON object");
	}
	r = dup_str(&c.deterministic_output_path, o, "deterministic-output-path");
	if (r == 0)
		r = dup_str(&c.callback_data, o, "callback-data");
	if (r == 0)
		r = dup_str(&c.error_message, o, "error-message");
	json_decref(o);
	if (r < 0) {
		decc_result_computed_release(&c);
		return r;
	}
	*out = c;
	return 0;
}

void decc_result_computed_release(struct decc_result_computed *c)
{
	if (!c)
		return;
	free(c->deterministic_output_path);
	free(c->callback_data);
	free(c->error_message);
	memset(c, 0, sizeof(*c));
}

/* ---- digests ---- */

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b); /* byte-wise: C locale strcmp */
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Direct children of dir (without . and ..), sorted byte-wise. */
static int list_dir(char ***out, size_t *count, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;

	if (!d)
		return decc_error_set(DECC_ERROR, "%s: cannot open directory: %s", dir,
				      strerror(errno));
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			char **g;

			if (nc > 1000000 || !(g = realloc(names, nc * sizeof(*g)))) {
				closedir(d);
				free_names(names, n);
				return decc_error_set(DECC_ELIMIT, "%s: too many entries", dir);
			}
			names = g;
			cap = nc;
		}
		if (!(names[n] = strdup(e->d_name))) {
			closedir(d);
			free_names(names, n);
			return decc_error_set(DECC_ENOMEM, "out of memory");
		}
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	*out = names;
	*count = n;
	return 0;
}

int decc_result_digest_path(uint8_t out[32], const char *path)
{
	struct decc_keccak k;
	struct stat st;
	char **names = NULL;
	size_t n = 0, used = 0;
	int r = 0;

	if (lstat(path, &st) < 0)
		return decc_error_set(DECC_ENOTFOUND, "result digest: %s: %s", path,
				      strerror(errno));
	if (S_ISLNK(st.st_mode))
		return decc_error_set(DECC_EINVAL, "result digest: %s is a symlink", path);
	if (S_ISREG(st.st_mode)) {
		uint8_t h[32];
		uint64_t size;

		DECC_TRY(tee_sha256_file(h, &size, path));
		if (size == 0)
			return decc_error_set(
			    DECC_EINVAL, "result digest: %s is empty; write a non-empty result",
			    path);
		memcpy(out, h, 32);
		return 0;
	}
	if (!S_ISDIR(st.st_mode))
		return decc_error_set(DECC_EINVAL, "result digest: %s is not a file or directory",
				      path);
	DECC_TRY(list_dir(&names, &n, path));
	decc_keccak_init(&k);
	for (size_t i = 0; i < n && r == 0; i++) {
		char *child = tee_path_join(path, names[i]);
		uint8_t h[32];
		uint64_t size;

		if (!child) {
			r = decc_error_set(DECC_ENOMEM, "out of memory");
			break;
		}
		if (lstat(child, &st) < 0) {
			r = decc_error_set(DECC_ERROR, "result digest: %s: %s", child,
					   strerror(errno));
		} else if (S_ISLNK(st.st_mode)) {
			r = decc_error_set(DECC_EINVAL, "result digest: %s is a symlink", child);
		} else if (S_ISREG(st.st_mode)) {
			r = tee_sha256_file(h, &size, child);
			if (r == 0 && size == 0)
				r = decc_error_set(DECC_EINVAL, "result digest: %s is empty",
						   child);
			if (r == 0) {
				decc_keccak_update(&k, h, 32);
				used++;
			}
		}
		/* sub-directories and special files contribute nothing (iExec's rule) */
		free(child);
	}
	free_names(names, n);
	if (r < 0)
		return r;
	if (used == 0)
		return decc_error_set(DECC_EINVAL,
				      "result digest: %s holds no regular file to hash", path);
	decc_keccak_final(&k, out);
	return 0;
}

int decc_result_digest_callback(uint8_t out[32], const char *callback_hex)
{
	struct decc_buf b = DECC_BUF_INIT;
	int r;

	if (!callback_hex)
		return decc_error_set(DECC_EINVAL, "callback-data is missing from computed.json");
	r = decc_hex_decode_buf(&b, callback_hex, strlen(callback_hex));
	if (r < 0)
		return decc_error_wrap(r, "callback-data");
	if (b.len == 0) {
		decc_buf_release(&b);
		return decc_error_set(DECC_EINVAL, "callback-data is empty");
	}
	decc_keccak256(out, b.data, b.len);
	decc_buf_release(&b);
	return 0;
}

int decc_result_digest(uint8_t out[32], const char *out_dir, const struct decc_result_computed *c,
		       bool callback)
{
	const char *p = c->deterministic_output_path, *rest;
	char real_dir[PATH_MAX], real_target[PATH_MAX];
	char *host;
	size_t dl;
	int r;

	if (callback)
		return decc_result_digest_callback(out, c->callback_data);
	if (!p || !*p)
		return decc_error_set(DECC_EINVAL,
				      "computed.json has no deterministic-output-path");
	if (strncmp(p, "/iexec_out", 10) != 0 || (p[10] != 0 && p[10] != '/'))
		return decc_error_set(DECC_EINVAL,
				      "deterministic-output-path '%s' is not under /iexec_out", p);
	for (const char *s = p; (s = strstr(s, "..")) != NULL; s += 2)
		if (s[-1] == '/' && (s[2] == 0 || s[2] == '/'))
			return decc_error_set(DECC_EINVAL,
					      "deterministic-output-path '%s' contains '..'", p);
	rest = p + 10;
	while (*rest == '/')
		rest++;
	host = *rest ? tee_path_join(out_dir, rest) : strdup(out_dir);
	if (!host)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	/* The path may cross symlinks the app made: it must still resolve inside out_dir. */
	if (!realpath(out_dir, real_dir) || !realpath(host, real_target)) {
		r = decc_error_set(DECC_ENOTFOUND, "deterministic-output-path '%s' does not exist",
				   p);
		free(host);
		return r;
	}
	dl = strlen(real_dir);
	if (strncmp(real_target, real_dir, dl) != 0 ||
	    (real_target[dl] != 0 && real_target[dl] != '/')) {
		free(host);
		return decc_error_set(DECC_EINVAL,
				      "deterministic-output-path '%s' leaves /iexec_out", p);
	}
	r = decc_result_digest_path(out, host);
	free(host);
	return r;
}

/* ---- names and zip ---- */

static int walk_names(const char *dir, int depth)
{
	char **names = NULL;
	size_t n = 0;
	int r;

	if (depth > 64)
		return decc_error_set(DECC_ELIMIT, "%s: directories nested too deep", dir);
	DECC_TRY(list_dir(&names, &n, dir));
	r = 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		struct stat st;
		char *child;

		if (strlen(names[i]) > DECC_RESULT_NAME_MAX) {
			r = decc_error_set(DECC_ELIMIT,
					   "result file name '%s' is longer than %d characters "
					   "(POST_COMPUTE_TOO_LONG_RESULT_FILE_NAME)",
					   names[i], DECC_RESULT_NAME_MAX);
			break;
		}
		child = tee_path_join(dir, names[i]);
		if (!child) {
			r = decc_error_set(DECC_ENOMEM, "out of memory");
			break;
		}
		if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode))
			r = walk_names(child, depth + 1);
		free(child);
	}
	free_names(names, n);
	return r;
}

int decc_result_check_names(const char *dir)
{
	return walk_names(dir, 0);
}

static int zip_error(zip_t *z, const char *what, const char *path)
{
	return decc_error_set(DECC_ERROR, "%s: %s: %s", path, what, zip_strerror(z));
}

static int zip_add_tree(zip_t *z, const char *zip_path, const char *dir, const char *prefix,
			int depth)
{
	char **names = NULL;
	size_t n = 0;
	int r = 0;

	if (depth > 64)
		return decc_error_set(DECC_ELIMIT, "%s: directories nested too deep", dir);
	DECC_TRY(list_dir(&names, &n, dir));
	for (size_t i = 0; i < n && r == 0; i++) {
		char *child = tee_path_join(dir, names[i]);
		char *entry = *prefix ? tee_path_join(prefix, names[i]) : strdup(names[i]);
		struct stat st;

		if (!child || !entry) {
			r = decc_error_set(DECC_ENOMEM, "out of memory");
		} else if (lstat(child, &st) < 0) {
			r = decc_error_set(DECC_ERROR, "%s: %s", child, strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			r = zip_add_tree(z, zip_path, child, entry, depth + 1);
		} else if (S_ISREG(st.st_mode)) {
			zip_source_t *src = zip_source_file(z, child, 0, -1);
			zip_int64_t idx;

			if (!src) {
				r = zip_error(z, "cannot read", child);
			} else if ((idx = zip_file_add(z, entry, src, ZIP_FL_ENC_UTF_8)) < 0) {
				zip_source_free(src);
				r = zip_error(z, "cannot add", child);
			} else if (zip_set_file_compression(z, (zip_uint64_t)idx, ZIP_CM_DEFLATE,
							    0) < 0) {
				r = zip_error(z, "cannot set compression", zip_path);
			}
		}
		/* symlinks and special files are skipped, as the Java/Rust post-compute does */
		free(child);
		free(entry);
	}
	free_names(names, n);
	return r;
}

static int zip_create(zip_t **out, const char *path)
{
	int err = 0;
	zip_t *z;

	unlink(path);
	z = zip_open(path, ZIP_CREATE | ZIP_EXCL, &err);
	if (!z) {
		zip_error_t ze;

		zip_error_init_with_code(&ze, err);
		decc_error_set(DECC_ERROR, "%s: cannot create zip: %s", path,
			       zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return DECC_ERROR;
	}
	*out = z;
	return 0;
}

static int zip_finish(zip_t *z, const char *path)
{
	if (zip_close(z) < 0) {
		int r = zip_error(z, "cannot write zip", path);

		zip_discard(z);
		unlink(path);
		return r;
	}
	/* libzip writes nothing for an empty archive: make it a valid empty zip */
	if (!decc_file_exists(path)) {
		static const uint8_t eocd[22] = { 'P', 'K', 5, 6 };

		return decc_file_write_atomic(path, eocd, sizeof(eocd), 0600, DECC_FILE_REPLACE);
	}
	return 0;
}

int decc_result_zip_dir(const char *zip_path, const char *dir)
{
	zip_t *z;
	int r;

	DECC_TRY(zip_create(&z, zip_path));
	r = zip_add_tree(z, zip_path, dir, "", 0);
	if (r < 0) {
		zip_discard(z);
		unlink(zip_path);
		return r;
	}
	return zip_finish(z, zip_path);
}

/* ---- encryption ---- */

static int encrypt_file(const char *out_path, const char *in_path, const uint8_t key[32])
{
	uint8_t iv[16];
	int in, out, r;

	in = open(in_path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return decc_error_set(DECC_ERROR, "%s: cannot open: %s", in_path, strerror(errno));
	out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (out < 0) {
		close(in);
		return decc_error_set(DECC_ERROR, "%s: cannot create: %s", out_path,
				      strerror(errno));
	}
	r = decc_random_bytes(iv, sizeof(iv));
	if (r == 0)
		r = tee_write_all(out, iv, sizeof(iv));
	if (r == 0)
		r = decc_aes_cbc_fd(out, in, true, key, iv);
	if (r == 0 && fsync(out) < 0)
		r = decc_error_set(DECC_ERROR, "%s: fsync: %s", out_path, strerror(errno));
	close(in);
	close(out);
	if (r < 0)
		unlink(out_path);
	return r;
}

int decc_result_encrypt(const char *out_zip, const char *plain_zip, const char *pem, size_t pem_len)
{
	struct decc_rsa *rsa = NULL;
	struct decc_buf ek = DECC_BUF_INIT;
	uint8_t key[32];
	char *aes_path = NULL;
	zip_t *z = NULL;
	zip_source_t *src;
	int r, fd;

	r = decc_rsa_from_pem(&rsa, pem, pem_len);
	if (r < 0)
		return decc_error_wrap(r, "result encryption key");
	r = decc_random_bytes(key, sizeof(key));
	if (r == 0)
		r = decc_rsa_encrypt_pkcs1(&ek, rsa, key, sizeof(key));
	if (r == 0)
		r = tee_tmpfile(&aes_path, &fd, out_zip);
	if (r == 0) {
		close(fd);
		r = encrypt_file(aes_path, plain_zip, key);
	}
	decc_wipe(key, sizeof(key));
	if (r == 0)
		r = zip_create(&z, out_zip);
	if (r == 0) {
		src = zip_source_file(z, aes_path, 0, -1);
		if (!src || zip_file_add(z, ENC_ENTRY, src, ZIP_FL_ENC_UTF_8) < 0) {
			zip_source_free(src);
			r = zip_error(z, "cannot add " ENC_ENTRY, out_zip);
		}
	}
	if (r == 0) {
		src = zip_source_buffer(z, ek.data, ek.len, 0);
		if (!src || zip_file_add(z, KEY_ENTRY, src, ZIP_FL_ENC_UTF_8) < 0) {
			zip_source_free(src);
			r = zip_error(z, "cannot add " KEY_ENTRY, out_zip);
		}
	}
	if (r == 0) {
		r = zip_finish(z, out_zip); /* reads the sources: before they go */
		z = NULL;
	}
	if (z) {
		zip_discard(z);
		unlink(out_zip);
	}
	if (aes_path) {
		unlink(aes_path);
		free(aes_path);
	}
	decc_buf_release(&ek);
	decc_rsa_free(rsa);
	return r;
}

/* ---- reading hostile zips ---- */

static int zip_read_open(zip_t **out, const char *path)
{
	int err = 0;
	zip_t *z = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &err);

	if (!z) {
		zip_error_t ze;

		zip_error_init_with_code(&ze, err);
		decc_error_set(err == ZIP_ER_NOENT ? DECC_ENOTFOUND : DECC_EINVAL,
			       "%s: not a readable zip: %s", path, zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return decc_error_code();
	}
	if (zip_get_num_entries(z, 0) > DECC_RESULT_ZIP_ENTRIES_MAX) {
		zip_discard(z);
		return decc_error_set(DECC_ELIMIT, "%s: more than %d entries", path,
				      DECC_RESULT_ZIP_ENTRIES_MAX);
	}
	*out = z;
	return 0;
}

/* Base name of an entry (after the last '/'). */
static const char *base_name(const char *name)
{
	const char *s = strrchr(name, '/');

	return s ? s + 1 : name;
}

/* Find the only entry whose base name is want. */
static int find_entry(zip_uint64_t *idx, zip_t *z, const char *want, const char *path)
{
	zip_int64_t n = zip_get_num_entries(z, 0);
	bool found = false;

	for (zip_int64_t i = 0; i < n; i++) {
		const char *name = zip_get_name(z, (zip_uint64_t)i, ZIP_FL_ENC_RAW);

		if (!name || strcmp(base_name(name), want) != 0)
			continue;
		if (found)
			return decc_error_set(DECC_EINVAL, "%s: two entries named %s", path, want);
		found = true;
		*idx = (zip_uint64_t)i;
	}
	if (!found)
		return decc_error_set(DECC_EINVAL, "%s: no %s entry (not an encrypted result)",
				      path, want);
	return 0;
}

/*
 * Stream entry idx to a callback, refusing more than max bytes whatever the header claims
 * (libzip checks the CRC at the end of the stream).
 */
typedef int (*sink_fn)(void *ctx, const uint8_t *p, size_t n);

static int read_entry(zip_t *z, zip_uint64_t idx, uint64_t max, sink_fn sink, void *ctx,
		      const char *what)
{
	uint8_t chunk[65536];
	uint64_t total = 0;
	zip_file_t *f;
	zip_stat_t st;
	int r = 0;

	if (zip_stat_index(z, idx, 0, &st) < 0)
		return decc_error_set(DECC_EINVAL, "%s: cannot stat: %s", what, zip_strerror(z));
	if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
		return decc_error_set(DECC_EINVAL, "%s: encrypted zip entries are not supported",
				      what);
	if ((st.valid & ZIP_STAT_SIZE) && st.size > max)
		return decc_error_set(DECC_ELIMIT, "%s: larger than %llu bytes", what,
				      (unsigned long long)max);
	f = zip_fopen_index(z, idx, 0);
	if (!f)
		return decc_error_set(DECC_EINVAL, "%s: cannot open: %s", what, zip_strerror(z));
	for (;;) {
		zip_int64_t n = zip_fread(f, chunk, sizeof(chunk));

		if (n < 0) {
			r = decc_error_set(DECC_EINVAL, "%s: corrupt entry: %s", what,
					   zip_file_strerror(f));
			break;
		}
		if (n == 0)
			break;
		total += (uint64_t)n;
		if (total > max) {
			r = decc_error_set(DECC_ELIMIT, "%s: larger than %llu bytes", what,
					   (unsigned long long)max);
			break;
		}
		if ((r = sink(ctx, chunk, (size_t)n)) < 0)
			break;
	}
	zip_fclose(f);
	decc_wipe(chunk, sizeof(chunk));
	return r;
}

static int sink_buf(void *ctx, const uint8_t *p, size_t n)
{
	return decc_buf_append(ctx, p, n);
}

struct dec_sink {
	struct decc_aes_cbc *aes;
	const uint8_t *key;
	uint8_t iv[16];
	size_t ivlen;
	int fd;
	uint8_t out[65536 + 32];
};

static int sink_decrypt(void *ctx, const uint8_t *p, size_t n)
{
	struct dec_sink *d = ctx;
	size_t olen;

	if (d->ivlen < 16) {
		size_t take = 16 - d->ivlen < n ? 16 - d->ivlen : n;

		memcpy(d->iv + d->ivlen, p, take);
		d->ivlen += take;
		p += take;
		n -= take;
		if (d->ivlen == 16)
			DECC_TRY(decc_aes_cbc_new(&d->aes, false, d->key, d->iv));
	}
	while (n > 0) {
		size_t step = n > 65536 ? 65536 : n;

		DECC_TRY(decc_aes_cbc_update(d->aes, d->out, &olen, p, step));
		DECC_TRY(tee_write_all(d->fd, d->out, olen));
		p += step;
		n -= step;
	}
	return 0;
}

/* aes-key.rsa: raw RSA ciphertext, or (legacy) its Base64. */
static int unwrap_key(uint8_t key[32], const struct decc_rsa *rsa, const struct decc_buf *ek)
{
	struct decc_buf k, b64 = DECC_BUF_INIT;
	int r;

	decc_buf_init_secret(&k, 1024);
	r = decc_rsa_decrypt_pkcs1(&k, rsa, ek->data, ek->len);
	if (r < 0) {
		size_t n = ek->len;

		while (n && (ek->data[n - 1] == '\n' || ek->data[n - 1] == '\r'))
			n--;
		if (decc_base64_decode(&b64, (const char *)ek->data, n) == 0) {
			decc_buf_reset(&k);
			r = decc_rsa_decrypt_pkcs1(&k, rsa, b64.data, b64.len);
		}
		if (r < 0)
			r = decc_error_set(DECC_EAUTH,
					   "aes-key.rsa: cannot decrypt the result key with this "
					   "private key (is it the beneficiary's key?)");
	}
	if (r == 0 && k.len != 32)
		r = decc_error_set(DECC_EINVAL, "aes-key.rsa: the result key is %zu bytes, not 32",
				   k.len);
	if (r == 0)
		memcpy(key, k.data, 32);
	decc_buf_release(&k);
	decc_buf_release(&b64);
	return r;
}

int decc_result_decrypt(const char *out_path, const char *enc_zip, const char *pem, size_t pem_len)
{
	struct decc_rsa *rsa = NULL;
	struct decc_buf ek = DECC_BUF_INIT;
	struct dec_sink *d = NULL;
	zip_uint64_t ki, ai;
	char *tmp = NULL;
	uint8_t key[32];
	zip_t *z = NULL;
	size_t olen;
	int r, fd = -1;

	r = decc_rsa_from_pem(&rsa, pem, pem_len);
	if (r < 0)
		return decc_error_wrap(r, "result private key");
	if (!decc_rsa_has_private(rsa)) {
		decc_rsa_free(rsa);
		return decc_error_set(DECC_EINVAL, "result key: a private key is needed");
	}
	r = zip_read_open(&z, enc_zip);
	if (r == 0)
		r = find_entry(&ki, z, KEY_ENTRY, enc_zip);
	if (r == 0)
		r = find_entry(&ai, z, ENC_ENTRY, enc_zip);
	if (r == 0)
		r = read_entry(z, ki, DECC_RESULT_RSA_KEY_MAX, sink_buf, &ek, KEY_ENTRY);
	if (r == 0)
		r = unwrap_key(key, rsa, &ek);
	if (r == 0 && !(d = calloc(1, sizeof(*d))))
		r = decc_error_set(DECC_ENOMEM, "out of memory");
	if (r == 0)
		r = tee_tmpfile(&tmp, &fd, out_path);
	if (r == 0) {
		d->key = key;
		d->fd = fd;
		r = read_entry(z, ai, DECC_RESULT_ENC_MAX, sink_decrypt, d, ENC_ENTRY);
	}
	if (r == 0 && !d->aes)
		r = decc_error_set(DECC_EINVAL, ENC_ENTRY ": shorter than its IV");
	if (r == 0) {
		r = decc_aes_cbc_final(d->aes, d->out, &olen);
		if (r == DECC_EAUTH)
			r = decc_error_set(DECC_EAUTH, ENC_ENTRY ": bad padding (altered file)");
		else if (r < 0)
			r = decc_error_set(DECC_EINVAL, ENC_ENTRY ": %s", decc_error_last());
	}
	if (r == 0)
		r = tee_write_all(fd, d->out, olen);
	if (r == 0 && fsync(fd) < 0)
		r = decc_error_set(DECC_ERROR, "%s: fsync: %s", tmp, strerror(errno));
	if (fd >= 0)
		close(fd);
	if (r == 0 && rename(tmp, out_path) < 0)
		r = decc_error_set(DECC_ERROR, "%s: cannot rename: %s", out_path, strerror(errno));
	if (r < 0 && tmp)
		unlink(tmp);
	free(tmp);
	if (d) {
		decc_aes_cbc_free(d->aes);
		decc_wipe(d, sizeof(*d));
		free(d);
	}
	decc_wipe(key, sizeof(key));
	decc_buf_release(&ek);
	if (z)
		zip_discard(z);
	decc_rsa_free(rsa);
	return r;
}

bool decc_result_is_encrypted(const char *zip_path)
{
	zip_uint64_t i;
	zip_t *z;
	bool yes;

	if (zip_read_open(&z, zip_path) < 0)
		return false;
	yes = find_entry(&i, z, ENC_ENTRY, zip_path) == 0;
	zip_discard(z);
	decc_error_clear();
	return yes;
}

/* ---- unzip ---- */

/* A relative name made of non-empty components, none "." or "..", no backslash or NUL. */
static bool entry_name_ok(const char *name, size_t len)
{
	const char *s = name, *end = name + len;

	if (len == 0 || len > NAME_MAX_ZIP || name[0] == '/')
		return false;
	if (end[-1] == '/')
		end--;
	while (s < end) {
		const char *slash = memchr(s, '/', (size_t)(end - s));
		size_t n = slash ? (size_t)(slash - s) : (size_t)(end - s);

		if (n == 0 || n > 255 || (n == 1 && s[0] == '.') ||
		    (n == 2 && s[0] == '.' && s[1] == '.'))
			return false;
		for (size_t i = 0; i < n; i++)
			if (s[i] == '\\' || s[i] == 0)
				return false;
		s += n + 1;
	}
	return true;
}

struct fd_sink {
	int fd;
	uint64_t *total;
};

static int sink_fd(void *ctx, const uint8_t *p, size_t n)
{
	struct fd_sink *s = ctx;

	*s->total += n;
	if (*s->total > DECC_RESULT_UNZIP_MAX)
		return decc_error_set(DECC_ELIMIT, "unzip: more than %llu bytes in all",
				      (unsigned long long)DECC_RESULT_UNZIP_MAX);
	return tee_write_all(s->fd, p, n);
}

/* Create the parent directories of rel under root (no symlink followed: we made them all). */
static int make_parents(const char *root, const char *rel)
{
	char *p = tee_path_join(root, rel);
	int r = 0;

	if (!p)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	for (char *s = p + strlen(root) + 1; (s = strchr(s, '/')) != NULL; s++) {
		struct stat st;

		*s = 0;
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			r = decc_error_set(DECC_ERROR, "%s: cannot create: %s", p, strerror(errno));
		else if (lstat(p, &st) < 0 || !S_ISDIR(st.st_mode))
			r = decc_error_set(DECC_EINVAL, "unzip: %s is both a file and a directory",
					   rel);
		*s = '/';
		if (r < 0)
			break;
	}
	free(p);
	return r;
}

static int unzip_entries(zip_t *z, const char *root, const char *zip_path)
{
	zip_int64_t n = zip_get_num_entries(z, 0);
	uint64_t total = 0;

	for (zip_int64_t i = 0; i < n; i++) {
		const char *name = zip_get_name(z, (zip_uint64_t)i, ZIP_FL_ENC_RAW);
		zip_uint8_t opsys;
		zip_uint32_t attr;
		size_t len;
		char *path;
		int fd, r;

		if (!name)
			return decc_error_set(DECC_EINVAL, "%s: entry %lld has no name", zip_path,
					      (long long)i);
		len = strlen(name);
		if (!entry_name_ok(name, len))
			return decc_error_set(DECC_EINVAL,
					      "%s: unsafe entry name '%.80s' (absolute, '..', or "
					      "malformed)",
					      zip_path, name);
		if (zip_file_get_external_attributes(z, (zip_uint64_t)i, 0, &opsys, &attr) == 0 &&
		    opsys == ZIP_OPSYS_UNIX) {
			mode_t mode = (mode_t)(attr >> 16);

			if (mode && !S_ISREG(mode) && !S_ISDIR(mode))
				return decc_error_set(DECC_EINVAL,
						      "%s: entry '%.80s' is a symlink or special "
						      "file",
						      zip_path, name);
		}
		DECC_TRY(make_parents(root, name));
		path = tee_path_join(root, name);
		if (!path)
			return decc_error_set(DECC_ENOMEM, "out of memory");
		if (name[len - 1] == '/') {
			r = 0;
			if (mkdir(path, 0700) < 0 && errno != EEXIST)
				r = decc_error_set(DECC_ERROR, "%s: %s", path, strerror(errno));
			free(path);
			DECC_TRY(r);
			continue;
		}
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0) {
			r = decc_error_set(errno == EEXIST ? DECC_EINVAL : DECC_ERROR,
					   "%s: cannot create '%.80s': %s", zip_path, name,
					   errno == EEXIST ? "duplicate entry" : strerror(errno));
			free(path);
			return r;
		}
		r = read_entry(z, (zip_uint64_t)i, DECC_RESULT_UNZIP_MAX, sink_fd,
			       &(struct fd_sink){ .fd = fd, .total = &total }, name);
		close(fd);
		free(path);
		DECC_TRY(r);
	}
	return 0;
}

int decc_result_unzip(const char *dir, const char *zip_path)
{
	size_t n = strlen(dir) + sizeof(".unzipXXXXXX");
	char *stage;
	zip_t *z;
	int r;

	if (decc_file_exists(dir))
		return decc_error_set(DECC_EEXISTS, "%s already exists; choose a new directory",
				      dir);
	DECC_TRY(zip_read_open(&z, zip_path));
	stage = malloc(n);
	if (!stage) {
		zip_discard(z);
		return decc_error_set(DECC_ENOMEM, "out of memory");
	}
	snprintf(stage, n, "%s.unzipXXXXXX", dir);
	if (!mkdtemp(stage)) {
		r = decc_error_set(DECC_ERROR, "%s: cannot create: %s", stage, strerror(errno));
		free(stage);
		zip_discard(z);
		return r;
	}
	r = unzip_entries(z, stage, zip_path);
	zip_discard(z);
	if (r == 0 && rename(stage, dir) < 0)
		r = decc_error_set(DECC_ERROR, "%s: cannot rename: %s", dir, strerror(errno));
	if (r < 0)
		tee_rm_rf(stage);
	free(stage);
	return r;
}

/* ---- keys ---- */

int decc_result_keys_generate(const char *dir, const decc_address *addr, unsigned bits,
			      bool replace)
{
	struct decc_buf priv, pub = DECC_BUF_INIT;
	struct decc_rsa *k = NULL;
	char a[43], *pp = NULL, *qp = NULL;
	unsigned flags = replace ? DECC_FILE_REPLACE : 0;
	int r;

	decc_buf_init_secret(&priv, 1 << 16);
	decc_address_to_checksum(a, addr);
	r = decc_file_mkdirs(dir, 0700);
	if (r == 0) {
		char name[64];

		snprintf(name, sizeof(name), "%s_key", a);
		pp = tee_path_join(dir, name);
		snprintf(name, sizeof(name), "%s_key.pub", a);
		qp = tee_path_join(dir, name);
		if (!pp || !qp)
			r = decc_error_set(DECC_ENOMEM, "out of memory");
	}
	if (r == 0 && !replace && (decc_file_exists(pp) || decc_file_exists(qp)))
		r = decc_error_set(DECC_EEXISTS,
				   "%s already exists; keep it, or replace it (the results "
				   "encrypted for it could no longer be read)",
				   pp);
	if (r == 0)
		r = decc_rsa_generate(&k, bits ? bits : DECC_RESULT_RSA_BITS);
	if (r == 0)
		r = decc_rsa_private_pem(&priv, k);
	if (r == 0)
		r = decc_rsa_public_pem(&pub, k);
	if (r == 0)
		r = decc_file_write_atomic(pp, priv.data, priv.len, 0600, flags);
	if (r == 0)
		r = decc_file_write_atomic(qp, pub.data, pub.len, 0644, flags);
	if (r < 0 && pp && k)
		unlink(pp);
	free(pp);
	free(qp);
	decc_buf_release(&priv);
	decc_buf_release(&pub);
	decc_rsa_free(k);
	return r;
}

/* ---- result links ---- */

int decc_result_link(struct decc_buf *out, const char *storage, const char *location)
{
	for (const char *s = storage; *s; s++)
		DECC_ENSURE(*s != '"' && *s != '\\' && (unsigned char)*s >= 0x20, DECC_EINVAL,
			    "result link: bad storage name");
	for (const char *s = location; *s; s++)
		DECC_ENSURE(*s != '"' && *s != '\\' && (unsigned char)*s >= 0x20, DECC_EINVAL,
			    "result link: bad location");
	return decc_buf_appendf(out, "{ \"storage\": \"%s\", \"location\": \"%s\" }", storage,
				location);
}

int decc_result_link_parse(char **storage, char **location, const uint8_t *p, size_t n)
{
	json_error_t err;
	json_t *o = json_loadb((const char *)p, n, 0, &err), *s, *l;
	char *a, *b;

	if (!o)
		return decc_error_set(DECC_EINVAL, "result link is not JSON: %s", err.text);
	s = json_object_get(o, "storage");
	l = json_object_get(o, "location");
	if (!json_is_string(s) || !json_is_string(l)) {
		json_decref(o);
		return decc_error_set(DECC_EINVAL, "result link has no storage/location");
	}
	a = strdup(json_string_value(s));
	b = strdup(json_string_value(l));
	json_decref(o);
	if (!a || !b) {
		free(a);
		free(b);
		return decc_error_set(DECC_ENOMEM, "out of memory");
	}
	*storage = a;
	*location = b;
	return 0;
}
