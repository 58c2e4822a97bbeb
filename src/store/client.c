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

#include <jansson.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/hex.h"
#include "decc/http_client.h"
#include "decc/store.h"

#define MAX_ANSWER (1 << 20)
#define CONNECT_MS 30000

/*
 * The multipart/form-data body of an add, streamed: the part's head, the file read as it
 * goes (so a large dataset is never held in memory), the closing boundary.
 */
struct upload {
	struct decc_buf pre, post;
	size_t pre_off, post_off;
	int fd;
	uint64_t file_size, file_left;
	const struct decc_progress *progress; /* the file's bytes sent */
};

static int upload_read(void *ctx, uint8_t *buf, size_t cap, size_t *got)
{
	struct upload *u = ctx;
	size_t n = 0;

	if (u->pre_off < u->pre.len) {
		n = u->pre.len - u->pre_off < cap ? u->pre.len - u->pre_off : cap;
		memcpy(buf, u->pre.data + u->pre_off, n);
		u->pre_off += n;
	} else if (u->file_left > 0) {
		ssize_t k;
		size_t want = (uint64_t)cap < u->file_left ? cap : (size_t)u->file_left;

		do
			k = read(u->fd, buf, want);
		while (k < 0 && errno == EINTR);
		if (k < 0)
			return decc_error_set(DECC_ERROR, "cannot read the file: %s",
					      strerror(errno));
		if (k == 0)
			return decc_error_set(DECC_ERROR, "the file shrank while being uploaded");
		n = (size_t)k;
		u->file_left -= n;
		decc_progress_report(u->progress, u->file_size - u->file_left, u->file_size);
	} else if (u->post_off < u->post.len) {
		n = u->post.len - u->post_off < cap ? u->post.len - u->post_off : cap;
		memcpy(buf, u->post.data + u->post_off, n);
		u->post_off += n;
	}
	*got = n;
	return 0;
}

/* The part head and tail around the file, with a random boundary. */
static int upload_init(struct upload *u, char *ctype, size_t cap, const char *filename)
{
	uint8_t rnd[16];
	char boundary[64] = "decc-";

	DECC_TRY(decc_random_bytes(rnd, sizeof(rnd)));
	decc_hex_encode(boundary + 5, rnd, sizeof(rnd), false);
	snprintf(ctype, cap, "Content-Type: multipart/form-data; boundary=%s", boundary);
	DECC_TRY(decc_buf_appendf(&u->pre,
				  "--%s\r\nContent-Disposition: form-data; name=\"file\"; "
				  "filename=\"",
				  boundary));
	/* the name inside quotes: quotes and line ends escaped as a browser does */
	for (const char *p = filename; *p; p++) {
		if (*p == '"')
			DECC_TRY(decc_buf_append_str(&u->pre, "%22"));
		else if (*p == '\r')
			DECC_TRY(decc_buf_append_str(&u->pre, "%0D"));
		else if (*p == '\n')
			DECC_TRY(decc_buf_append_str(&u->pre, "%0A"));
		else
			DECC_TRY(decc_buf_append_byte(&u->pre, (uint8_t)*p));
	}
	DECC_TRY(
	    decc_buf_append_str(&u->pre, "\"\r\nContent-Type: application/octet-stream\r\n\r\n"));
	return decc_buf_appendf(&u->post, "\r\n--%s--\r\n", boundary);
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
			  const char *path, const struct decc_progress *progress)
{
	struct upload up = { .pre = DECC_BUF_INIT, .post = DECC_BUF_INIT, .fd = -1 };
	struct decc_http_response resp;
	struct decc_buf body;
	char url[2048], msg[512], ctype[128], *base = NULL, *pathcopy = NULL;
	const char *hdrs[] = { ctype, NULL };
	struct stat st;
	long status = 0;
	int fd = -1, r = 0;

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
	if (!pathcopy) {
		r = decc_error_set(DECC_ENOMEM, "store client: out of memory");
		goto out;
	}
	base = basename(pathcopy);
	r = upload_init(&up, ctype, sizeof(ctype), base);
	if (r < 0)
		goto out;
	up.fd = fd;
	up.file_size = up.file_left = (uint64_t)st.st_size;
	up.progress = progress;
	{
		struct decc_http_request q = {
			.method = "POST",
			.url = url,
			.headers = hdrs,
			.read_body = upload_read,
			.read_ctx = &up,
			.body_size = (int64_t)(up.pre.len + (uint64_t)st.st_size + up.post.len),
			.out = &body,
			.connect_timeout_ms = CONNECT_MS,
		};

		r = decc_http_request(&resp, &q);
	}
	if (r < 0) {
		snprintf(msg, sizeof(msg), "%s", decc_error_last());
		r = decc_error_set(DECC_ERROR, "add %s to %s failed: %s", path, api_url, msg);
		goto out;
	}
	status = resp.status;
	decc_http_response_clear(&resp);
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
	decc_buf_release(&up.pre);
	decc_buf_release(&up.post);
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
};

static int cat_write(void *opaque, const struct decc_http_response *r, const uint8_t *p, size_t len)
{
	struct cat_ctx *c = opaque;
	size_t off = 0;

	if (r->status != 200) {
		size_t room = c->errbody.max - c->errbody.len;

		return decc_buf_append(&c->errbody, p, len < room ? len : room);
	}
	if (c->verify)
		DECC_TRY(decc_unixfs_builder_write(c->verify, p, len));
	while (off < len) {
		ssize_t k = write(c->fd, p + off, len - off);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			c->werr = errno;
			return decc_error_set(DECC_ERROR, "write: %s", strerror(errno));
		}
		off += (size_t)k;
	}
	c->bytes += len;
	return 0;
}

int decc_store_client_cat_fd(const char *api_url, const char *cid, int fd, bool verify_strict)
{
	struct cat_ctx c = { .fd = fd };
	struct decc_cid want, got;
	char url[2048], err[512] = "", msg[512];
	struct decc_http_response resp;
	long status = 0;
	int r = 0, cr;

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
	{
		struct decc_http_request q = {
			.method = "POST",
			.url = url,
			.on_body = cat_write,
			.body_ctx = &c,
			.connect_timeout_ms = CONNECT_MS,
		};

		cr = decc_http_request(&resp, &q);
	}
	if (cr < 0) {
		snprintf(err, sizeof(err), "%s", decc_error_last());
	} else {
		status = resp.status;
		decc_http_response_clear(&resp);
	}
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
	if (cr < 0) {
		r = decc_error_set(
		    DECC_ERROR,
		    "cat %s from %s failed after %llu bytes: %s (the server may have "
		    "found a corrupted block)",
		    cid, api_url, (unsigned long long)c.bytes, err);
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
