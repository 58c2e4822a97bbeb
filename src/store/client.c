/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store client: `add` and `cat` over the IPFS HTTP API, streamed both ways, so it works
 * against `decc store` and against a real IPFS node (kubo) alike.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "decc/error.h"
#include "decc/store.h"

#define MAX_ANSWER (1 << 20)

static int curl_ready(void)
{
	static int done;

	if (!done) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return decc_error_set(DECC_ERROR,
					      "store client: cannot initialise libcurl");
		done = 1;
	}
	return 0;
}

static size_t collect(char *p, size_t size, size_t n, void *ctx)
{
	struct decc_buf *b = ctx;

	if (decc_buf_append(b, p, size * n) < 0)
		return 0; /* answer too large: abort */
	return size * n;
}

static size_t read_file(char *buf, size_t size, size_t n, void *ctx)
{
	int fd = *(int *)ctx;
	ssize_t k;

	do
		k = read(fd, buf, size * n);
	while (k < 0 && errno == EINTR);
	return k < 0 ? CURL_READFUNC_ABORT : (size_t)k;
}

/* Message of a kubo-style error body, or the body itself. */
static void api_error(char *out, size_t cap, const struct decc_buf *body)
{
	json_t *o = json_loadb((const char *)body->data, body->len, 0, NULL);
	const char *m = o ? json_string_value(json_object_get(o, "Message")) : NULL;

	snprintf(out, cap, "%.*s", 400, m ? m : (body->len ? (const char *)body->data : "(empty)"));
	json_decref(o);
}

static int build_url(char *out, size_t cap, const char *api, const char *path, const char *arg)
{
	size_t n = strlen(api);
	int k;

	while (n && api[n - 1] == '/')
		n--;
	k = snprintf(out, cap, "%.*s%s%s", (int)n, api, path, arg ? arg : "");
	DECC_ENSURE(k > 0 && (size_t)k < cap, DECC_ELIMIT, "store client: URL too long");
	return 0;
}

int decc_store_client_add(char cid[DECC_CID_STR_MAX], uint64_t *size, const char *api_url,
			  const char *path)
{
	CURL *h = NULL;
	curl_mime *mime = NULL;
	curl_mimepart *part;
	struct decc_buf body;
	char url[2048], err[CURL_ERROR_SIZE] = "", msg[512], *base = NULL, *pathcopy = NULL;
	struct stat st;
	long status = 0;
	int fd = -1, r = 0;
	CURLcode cr;

	DECC_TRY(curl_ready());
	DECC_TRY(build_url(url, sizeof(url), api_url, "/api/v0/add",
			   "?cid-version=1&raw-leaves=true&progress=false&pin=true"));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return decc_error_set(errno == ENOENT ? DECC_ENOTFOUND : DECC_ERROR,
				      "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return decc_error_set(DECC_EINVAL, "%s: not a regular file", path);
	}
	decc_buf_init(&body, MAX_ANSWER);
	pathcopy = strdup(path);
	h = curl_easy_init();
	mime = h ? curl_mime_init(h) : NULL;
	part = mime ? curl_mime_addpart(mime) : NULL;
	if (!pathcopy || !part) {
		r = decc_error_set(DECC_ENOMEM, "store client: out of memory");
		goto out;
	}
	base = basename(pathcopy);
	if (curl_mime_name(part, "file") != CURLE_OK ||
	    curl_mime_filename(part, base) != CURLE_OK ||
	    curl_mime_type(part, "application/octet-stream") != CURLE_OK ||
	    curl_mime_data_cb(part, (curl_off_t)st.st_size, read_file, NULL, NULL, &fd) !=
		CURLE_OK) {
		r = decc_error_set(DECC_ERROR, "store client: cannot build the upload");
		goto out;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_MIMEPOST, mime);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
	cr = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (cr != CURLE_OK && status == 0) {
		r = decc_error_set(DECC_ERROR, "add %s to %s failed: %s", path, api_url,
				   err[0] ? err : curl_easy_strerror(cr));
		goto out;
	}
	if (status != 200) {
		api_error(msg, sizeof(msg), &body);
		r = decc_error_set(status == 413 || status == 503 ? DECC_ELIMIT : DECC_ERROR,
				   "add %s: %s answered HTTP %ld: %s", path, api_url, status, msg);
		goto out;
	}
	{
		/* the last line holds the file (earlier ones may be progress) */
		char *s = (char *)body.data, *last = NULL, *save = NULL;
		json_t *o = NULL;
		const char *hash, *sz;

		for (char *line = strtok_r(s, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			last = line;
		if (last)
			o = json_loads(last, 0, NULL);
		hash = o ? json_string_value(json_object_get(o, "Hash")) : NULL;
		sz = o ? json_string_value(json_object_get(o, "Size")) : NULL;
		if (!hash || strlen(hash) >= DECC_CID_STR_MAX) {
			r = decc_error_set(DECC_EINVAL, "add %s: %s gave no usable Hash", path,
					   api_url);
		} else {
			struct decc_cid c;

			if (decc_cid_parse(&c, hash, strlen(hash)) < 0) {
				r = decc_error_wrap(DECC_EINVAL, "add %s: %s answered a bad CID",
						    path, api_url);
			} else {
				strcpy(cid, hash);
				if (size)
					*size = sz ? strtoull(sz, NULL, 10) : 0;
			}
		}
		json_decref(o);
	}
out:
	curl_mime_free(mime);
	curl_easy_cleanup(h);
	decc_buf_release(&body);
	free(pathcopy);
	close(fd);
	return r;
}

struct cat_ctx {
	int fd;
	int werr;
	struct decc_unixfs_builder *verify; /* NULL when the CID cannot be re-derived */
	uint64_t bytes;
	struct decc_buf errbody; /* body of a non-200 answer */
	CURL *h;
};

static size_t cat_write(char *p, size_t size, size_t n, void *opaque)
{
	struct cat_ctx *c = opaque;
	size_t len = size * n, off = 0;
	long status = 0;

	curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200)
		return decc_buf_append(&c->errbody, p, len) < 0 ? 0 : len;
	if (c->verify && decc_unixfs_builder_write(c->verify, p, len) < 0)
		return 0;
	while (off < len) {
		ssize_t k = write(c->fd, p + off, len - off);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			c->werr = errno;
			return 0;
		}
		off += (size_t)k;
	}
	c->bytes += len;
	return len;
}

int decc_store_client_cat_fd(const char *api_url, const char *cid, int fd, bool verify_strict)
{
	struct cat_ctx c = { .fd = fd };
	struct decc_cid want, got;
	char url[2048], err[CURL_ERROR_SIZE] = "", msg[512];
	long status = 0;
	CURLcode cr;
	int r = 0;

	DECC_TRY(curl_ready());
	DECC_TRY(decc_cid_parse(&want, cid, strlen(cid)));
	if (want.version == 1 && (want.codec == DECC_CID_RAW || want.codec == DECC_CID_DAG_PB)) {
		DECC_TRY(decc_unixfs_builder_new(&c.verify, NULL, NULL));
	} else if (verify_strict) {
		return decc_error_set(
		    DECC_EINVAL,
		    "%s: a CIDv0 cannot be verified while downloading (its layout "
		    "is unknown); use a CIDv1 or allow unverified downloads",
		    cid);
	}
	DECC_TRY(build_url(url, sizeof(url), api_url, "/api/v0/cat?arg=", cid));
	decc_buf_init(&c.errbody, 64 * 1024);
	c.h = curl_easy_init();
	if (!c.h) {
		r = decc_error_set(DECC_ENOMEM, "store client: out of memory");
		goto out;
	}
	curl_easy_setopt(c.h, CURLOPT_URL, url);
	curl_easy_setopt(c.h, CURLOPT_POST, 1L);
	curl_easy_setopt(c.h, CURLOPT_POSTFIELDSIZE, 0L);
	curl_easy_setopt(c.h, CURLOPT_POSTFIELDS, "");
	curl_easy_setopt(c.h, CURLOPT_WRITEFUNCTION, cat_write);
	curl_easy_setopt(c.h, CURLOPT_WRITEDATA, &c);
	curl_easy_setopt(c.h, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(c.h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c.h, CURLOPT_CONNECTTIMEOUT, 30L);
	cr = curl_easy_perform(c.h);
	curl_easy_getinfo(c.h, CURLINFO_RESPONSE_CODE, &status);
	if (status != 0 && status != 200) {
		api_error(msg, sizeof(msg), &c.errbody);
		r = decc_error_set(status == 404 ? DECC_ENOTFOUND : DECC_ERROR,
				   "cat %s: %s answered HTTP %ld: %s", cid, api_url, status, msg);
		goto out;
	}
	if (c.werr) {
		r = decc_error_set(DECC_ERROR, "cat %s: cannot write the output: %s", cid,
				   strerror(c.werr));
		goto out;
	}
	if (cr != CURLE_OK) {
		r = decc_error_set(
		    DECC_ERROR,
		    "cat %s from %s failed after %llu bytes: %s (the server may have "
		    "found a corrupted block)",
		    cid, api_url, (unsigned long long)c.bytes,
		    err[0] ? err : curl_easy_strerror(cr));
		goto out;
	}
	if (c.verify) {
		char s[DECC_CID_STR_MAX];

		r = decc_unixfs_builder_finish(c.verify, &got, NULL);
		if (r < 0)
			goto out;
		if (got.codec != want.codec ||
		    memcmp(got.digest, want.digest, sizeof(got.digest)) != 0) {
			decc_cid_to_string(s, &got);
			r = decc_error_set(DECC_EAUTH,
					   "cat %s: the %llu bytes received hash to %s, not to the "
					   "CID asked for (wrong content, or stored with another "
					   "chunking/layout than kubo's --cid-version=1 defaults)",
					   cid, (unsigned long long)c.bytes, s);
		}
	}
out:
	decc_unixfs_builder_free(c.verify);
	curl_easy_cleanup(c.h);
	decc_buf_release(&c.errbody);
	return r;
}

int decc_store_client_cat(const char *api_url, const char *cid, const char *out_path,
			  bool verify_strict)
{
	char *tmp;
	size_t n = strlen(out_path) + 16;
	int fd, r;

	tmp = malloc(n);
	if (!tmp)
		return decc_error_set(DECC_ENOMEM, "store client: out of memory");
	snprintf(tmp, n, "%s.tmp-XXXXXX", out_path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		r = decc_error_set(DECC_ERROR, "%s: cannot create a temporary file: %s", out_path,
				   strerror(errno));
		free(tmp);
		return r;
	}
	r = decc_store_client_cat_fd(api_url, cid, fd, verify_strict);
	if (r == 0 && fsync(fd) < 0)
		r = decc_error_set(DECC_ERROR, "%s: fsync failed: %s", tmp, strerror(errno));
	if (close(fd) < 0 && r == 0)
		r = decc_error_set(DECC_ERROR, "%s: close failed: %s", tmp, strerror(errno));
	if (r == 0 && rename(tmp, out_path) < 0)
		r = decc_error_set(DECC_ERROR, "%s: cannot rename into place: %s", out_path,
				   strerror(errno));
	if (r < 0)
		unlink(tmp);
	free(tmp);
	return r;
}
