/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `decc store`: the IPFS HTTP API subset clients use, on decc's HTTP server.
 *
 *   POST /api/v0/add       multipart upload(s), one {"Name","Hash","Size"} line per file
 *   POST /api/v0/cat?arg=  the bytes of a file
 *   GET  /ipfs/<cid>       read-only gateway
 *   GET  /healthz, /metrics
 *
 * One thread per connection: an upload is parsed and imported as it arrives, a download read
 * block by block, so memory does not grow with file sizes. Errors are shaped like kubo's:
 * {"Message":…,"Code":0|1,"Type":"error"}, 400 (Code 1) for a bad request, 500 otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <jansson.h>

#include "decc/error.h"
#include "decc/http_server.h"
#include "decc/store.h"

#define READ_BLOCK (64 * 1024)
#define DISCARD_MAX ((uint64_t)1 << 30)

struct decc_store_server {
	struct decc_store *store;
	struct decc_http_server *http;
	uint16_t port;
	uint64_t max_size;
	unsigned max_uploads;
	void (*log)(void *ctx, const char *line);
	void *log_ctx;
	atomic_uint uploads_active;
	atomic_ullong uploads_total, upload_bytes, upload_errors, files_added;
	atomic_ullong reads_total, read_errors, read_bytes, requests;
};

enum req_kind {
	REQ_OTHER,
	REQ_ADD
};

struct req {
	struct decc_store_server *srv;
	enum req_kind kind;
	bool counted;  /* holds an upload slot */
	bool failed;   /* an error response was queued */
	bool deferred; /* an error to answer once the body is consumed */
	unsigned err_status;
	uint64_t discarded;
	char err[600];
	bool has_expect;
	struct decc_cid expect;
	struct decc_multipart *mp;
	struct decc_store_import *im;
	char name[1024];
	struct decc_buf out; /* JSON lines of the files added */
	unsigned status;
	char method[8];
	char url[256];
};

static void logf_(struct decc_store_server *srv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void logf_(struct decc_store_server *srv, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!srv->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	srv->log(srv->log_ctx, line);
}

static int send_text(struct decc_http_req *c, struct req *rq, unsigned status, const char *ctype,
		     const char *body, size_t n)
{
	if (rq)
		rq->status = status;
	return decc_http_respond(c, status, ctype, body, n);
}

/* kubo's error shape; code 1 (client error) goes with 400, code 0 with 5xx. */
static int send_error(struct decc_http_req *c, struct req *rq, unsigned status, const char *msg)
{
	json_t *o = json_pack("{s:s,s:i,s:s}", "Message", msg, "Code", status < 500 ? 1 : 0, "Type",
			      "error");
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	int r;
	struct decc_buf b = DECC_BUF_INIT;

	if (s && decc_buf_append_str(&b, s) == 0 && decc_buf_append_byte(&b, '\n') == 0)
		r = send_text(c, rq, status, "application/json", (const char *)b.data, b.len);
	else
		r = send_text(c, rq, 500, "text/plain", "internal error\n", 15);
	if (rq)
		rq->failed = true;
	free(s);
	json_decref(o);
	decc_buf_release(&b);
	return r;
}

static unsigned status_of(int code)
{
	switch (code) {
	case DECC_EINVAL:
		return 400;
	case DECC_ELIMIT:
		return 413;
	case DECC_EAUTH:
		return 400;
	case DECC_ENOTFOUND:
		return 500; /* kubo offline: "block was not found locally" */
	default:
		return 500;
	}
}

/* ---- add ---- */

static void percent_decode(char *s)
{
	char *o = s;

	for (; *s; s++) {
		unsigned v;

		if (*s == '%' && s[1] && s[2] && sscanf(s + 1, "%2x", &v) == 1 && v) {
			*o++ = (char)v;
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = 0;
}

static int part_begin(void *ctx, const struct decc_multipart_part *p)
{
	struct req *rq = ctx;

	DECC_ENSURE(strcasecmp(p->content_type, "application/x-directory") != 0, DECC_EINVAL,
		    "directories are not supported by decc store: add files one by one");
	DECC_ENSURE(strlen(p->filename) < sizeof(rq->name), DECC_ELIMIT, "file name too long");
	strcpy(rq->name, p->filename);
	percent_decode(rq->name);
	return decc_store_import_begin(rq->srv->store, &rq->im, rq->srv->max_size);
}

static int part_data(void *ctx, const uint8_t *p, size_t n)
{
	struct req *rq = ctx;

	atomic_fetch_add(&rq->srv->upload_bytes, n);
	return decc_store_import_write(rq->im, p, n);
}

static int part_end(void *ctx)
{
	struct req *rq = ctx;
	struct decc_cid root;
	uint64_t size;
	char cid[DECC_CID_STR_MAX], sz[24];
	json_t *o;
	char *s;
	int r;

	r = decc_store_import_commit(rq->im, &root, &size, rq->has_expect ? &rq->expect : NULL);
	rq->im = NULL;
	DECC_TRY(r);
	decc_cid_to_string(cid, &root);
	snprintf(sz, sizeof(sz), "%llu", (unsigned long long)size);
	o = json_pack("{s:s,s:s,s:s}", "Name", rq->name[0] ? rq->name : cid, "Hash", cid, "Size",
		      sz);
	s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!s)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	r = decc_buf_append_str(&rq->out, s);
	if (r == 0)
		r = decc_buf_append_byte(&rq->out, '\n');
	free(s);
	atomic_fetch_add(&rq->srv->files_added, 1);
	logf_(rq->srv, "added %s size=%llu name=\"%s\"", cid, (unsigned long long)size, rq->name);
	return r;
}

/*
 * An upload failed while its body is still arriving. The answer waits until the body was read
 * (a client still sending may not see an early one), so the error is kept, the rest of the body discarded (up to DISCARD_MAX, past
 * which the connection is closed), and the answer sent at the end.
 */
static void add_fail(struct req *rq, int code)
{
	atomic_fetch_add(&rq->srv->upload_errors, 1);
	snprintf(rq->err, sizeof(rq->err), "%s", decc_error_last());
	rq->err_status = status_of(code);
	rq->deferred = true;
	decc_store_import_abort(rq->im);
	rq->im = NULL;
	logf_(rq->srv, "upload failed: %s", rq->err);
}

/* The upload's body as it arrives; past an error it is discarded (up to DISCARD_MAX). */
static int add_sink(void *ctx, const uint8_t *p, size_t n)
{
	struct req *rq = ctx;

	if (rq->deferred) {
		rq->discarded += n;
		return rq->discarded > DISCARD_MAX ? DECC_ELIMIT : 0;
	}
	if (decc_multipart_feed(rq->mp, p, n) < 0)
		add_fail(rq, decc_error_code());
	return 0;
}

/* Bodies of other requests are read and ignored (up to DISCARD_MAX). */
static int discard_sink(void *ctx, const uint8_t *p, size_t n)
{
	struct req *rq = ctx;

	(void)p;
	rq->discarded += n;
	return rq->discarded > DISCARD_MAX ? DECC_ELIMIT : 0;
}

static int add_start(struct decc_http_req *c, struct req *rq)
{
	struct decc_store_server *srv = rq->srv;
	const char *v, *ct;
	char boundary[DECC_MULTIPART_BOUNDARY_MAX + 1];
	struct decc_multipart_cb cb = { rq, part_begin, part_data, part_end };
	struct decc_multipart_limits lim = { 0 };
	unsigned active;

	v = decc_http_req_query(c, "cid-version");
	if (v && strcmp(v, "1") != 0)
		return send_error(
		    c, rq, 400, "decc store makes CIDv1 only: use cid-version=1 (or leave it out)");
	v = decc_http_req_query(c, "raw-leaves");
	if (v && strcmp(v, "true") != 0)
		return send_error(c, rq, 400, "decc store makes raw leaves only (raw-leaves=true)");
	v = decc_http_req_query(c, "chunker");
	if (v && strcmp(v, "size-262144") != 0)
		return send_error(c, rq, 400, "decc store supports only chunker=size-262144");
	v = decc_http_req_query(c, "expect");
	if (v) {
		if (decc_cid_parse(&rq->expect, v, strlen(v)) < 0)
			return send_error(c, rq, 400, decc_error_last());
		rq->has_expect = true;
	}
	v = decc_http_req_header(c, "Content-Length");
	if (v && srv->max_size) {
		unsigned long long len = strtoull(v, NULL, 10);

		/* the multipart framing adds a few hundred bytes per file */
		if (len > srv->max_size + 64 * 1024) {
			char msg[200];

			snprintf(msg, sizeof(msg), "upload larger than the limit of %llu bytes",
				 (unsigned long long)srv->max_size);
			atomic_fetch_add(&srv->upload_errors, 1);
			return send_error(c, rq, 413, msg);
		}
	}
	ct = decc_http_req_header(c, "Content-Type");
	if (decc_multipart_boundary(boundary, ct) < 0)
		return send_error(c, rq, 400, decc_error_last());
	active = atomic_fetch_add(&srv->uploads_active, 1) + 1;
	rq->counted = true;
	if (active > srv->max_uploads) {
		char msg[200];

		snprintf(msg, sizeof(msg), "too many concurrent uploads (limit %u): retry later",
			 srv->max_uploads);
		return send_error(c, rq, 503, msg);
	}
	atomic_fetch_add(&srv->uploads_total, 1);
	if (srv->max_size)
		lim.max_body = srv->max_size + 64 * 1024 * (uint64_t)64;
	if (decc_multipart_new(&rq->mp, boundary, &cb, &lim) < 0)
		return send_error(c, rq, 500, decc_error_last());
	decc_buf_init(&rq->out, 1 << 20);
	decc_http_req_body_sink(c, add_sink, rq);
	return 0;
}

/* ---- cat and gateway ---- */

struct file_reader {
	struct decc_store_reader *r;
	struct decc_store_server *srv;
	uint64_t pos;
};

static ssize_t reader_cb(void *cls, uint8_t *buf, size_t max)
{
	struct file_reader *fr = cls;
	size_t got;

	if (decc_store_reader_read(fr->r, buf, max, &got) < 0) {
		atomic_fetch_add(&fr->srv->read_errors, 1);
		logf_(fr->srv, "read failed at offset %llu: %s", (unsigned long long)fr->pos,
		      decc_error_last());
		return DECC_ERROR;
	}
	fr->pos += got;
	atomic_fetch_add(&fr->srv->read_bytes, got);
	return (ssize_t)got;
}

static void reader_free(void *cls)
{
	struct file_reader *fr = cls;

	decc_store_reader_free(fr->r);
	free(fr);
}

static int serve_file(struct decc_http_req *c, struct req *rq, const char *arg, bool gateway)
{
	struct decc_store_server *srv = rq->srv;
	struct decc_cid cid;
	struct decc_store_reader *r;
	struct file_reader *fr;
	char name[DECC_CID_STR_MAX], etag[DECC_CID_STR_MAX + 2], path[DECC_CID_STR_MAX + 8];
	uint64_t size;
	int rc;

	atomic_fetch_add(&srv->reads_total, 1);
	if (!arg || !*arg)
		return send_error(c, rq, 400, "argument \"ipfs-path\" is required");
	if (strncmp(arg, "/ipfs/", 6) == 0)
		arg += 6;
	if (strchr(arg, '/'))
		return send_error(c, rq, 400,
				  "paths inside a CID are not supported by decc store: give a file "
				  "CID");
	if (decc_cid_parse(&cid, arg, strlen(arg)) < 0)
		return send_error(c, rq, 400, decc_error_last());
	rc = decc_store_reader_open(srv->store, &r, &cid);
	if (rc < 0) {
		atomic_fetch_add(&srv->read_errors, 1);
		logf_(srv, "cat %s: %s", arg, decc_error_last());
		if (gateway) {
			unsigned st = rc == DECC_ENOTFOUND ? 404 : rc == DECC_EINVAL ? 400 : 500;
			char msg[600];
			int n = snprintf(msg, sizeof(msg), "%s\n", decc_error_last());

			return send_text(c, rq, st, "text/plain; charset=utf-8", msg,
					 n > 0 && (size_t)n < sizeof(msg) ? (size_t)n
									  : strlen(msg));
		}
		return send_error(c, rq, status_of(rc), decc_error_last());
	}
	fr = calloc(1, sizeof(*fr));
	if (!fr) {
		decc_store_reader_free(r);
		return send_error(c, rq, 500, "out of memory");
	}
	fr->r = r;
	fr->srv = srv;
	size = decc_store_reader_size(r);
	decc_cid_to_string(name, &cid);
	if (gateway) {
		snprintf(etag, sizeof(etag), "\"%s\"", name);
		snprintf(path, sizeof(path), "/ipfs/%s", name);
		if (decc_http_reply_header(c, "Etag", etag) < 0 ||
		    decc_http_reply_header(c, "X-Ipfs-Path", path) < 0 ||
		    decc_http_reply_header(c, "Cache-Control",
					   "public, max-age=29030400, immutable") < 0) {
			reader_free(fr);
			return DECC_ENOMEM;
		}
	} else {
		char len[24];

		snprintf(len, sizeof(len), "%llu", (unsigned long long)size);
		if (decc_http_reply_header(c, "X-Stream-Output", "1") < 0 ||
		    decc_http_reply_header(c, "X-Content-Length", len) < 0) {
			reader_free(fr);
			return DECC_ENOMEM;
		}
	}
	rq->status = 200;
	return decc_http_respond_reader(c, 200, gateway ? "application/octet-stream" : "text/plain",
					size, reader_cb, reader_free, fr);
}

static int metrics(struct decc_http_req *c, struct req *rq)
{
	struct decc_store_server *s = rq->srv;
	char body[2048];
	int n = snprintf(
	    body, sizeof(body),
	    "# TYPE decc_store_requests_total counter\ndecc_store_requests_total %llu\n"
	    "# TYPE decc_store_uploads_total counter\ndecc_store_uploads_total %llu\n"
	    "# TYPE decc_store_upload_errors_total counter\ndecc_store_upload_errors_total %llu\n"
	    "# TYPE decc_store_upload_bytes_total counter\ndecc_store_upload_bytes_total %llu\n"
	    "# TYPE decc_store_files_added_total counter\ndecc_store_files_added_total %llu\n"
	    "# TYPE decc_store_uploads_active gauge\ndecc_store_uploads_active %u\n"
	    "# TYPE decc_store_reads_total counter\ndecc_store_reads_total %llu\n"
	    "# TYPE decc_store_read_errors_total counter\ndecc_store_read_errors_total %llu\n"
	    "# TYPE decc_store_read_bytes_total counter\ndecc_store_read_bytes_total %llu\n",
	    (unsigned long long)s->requests, (unsigned long long)s->uploads_total,
	    (unsigned long long)s->upload_errors, (unsigned long long)s->upload_bytes,
	    (unsigned long long)s->files_added, (unsigned)s->uploads_active,
	    (unsigned long long)s->reads_total, (unsigned long long)s->read_errors,
	    (unsigned long long)s->read_bytes);

	return send_text(c, rq, 200, "text/plain; version=0.0.4", body, (size_t)n);
}

/* The head is there: per-request state, and an upload is checked and set up to stream. */
static int begin(void *cls, struct decc_http_req *c)
{
	struct decc_store_server *srv = cls;
	const char *url = decc_http_req_path(c), *method = decc_http_req_method(c);
	struct req *rq = calloc(1, sizeof(*rq));

	if (!rq)
		return DECC_ENOMEM;
	rq->srv = srv;
	rq->out = (struct decc_buf)DECC_BUF_INIT;
	snprintf(rq->method, sizeof(rq->method), "%s", method);
	snprintf(rq->url, sizeof(rq->url), "%s", url);
	decc_http_req_set_user(c, rq);
	atomic_fetch_add(&srv->requests, 1);
	if (strcmp(url, "/api/v0/add") == 0) {
		if (strcmp(method, "POST") != 0)
			return send_error(c, rq, 405, "add needs POST");
		rq->kind = REQ_ADD;
		return add_start(c, rq);
	}
	decc_http_req_body_sink(c, discard_sink, rq); /* answered once any body is consumed */
	return 0;
}

static int handler(void *cls, struct decc_http_req *c)
{
	struct req *rq = decc_http_req_user(c);
	const char *url = decc_http_req_path(c), *method = decc_http_req_method(c);
	bool post = strcmp(method, "POST") == 0;
	bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;

	(void)cls;
	if (rq->kind == REQ_ADD) {
		if (!rq->deferred) {
			int r = decc_multipart_finish(rq->mp);

			if (r < 0)
				add_fail(rq, r);
		}
		if (rq->deferred)
			return send_error(c, rq, rq->err_status, rq->err);
		if (rq->out.len == 0)
			return send_error(c, rq, 400, "no file in the upload");
		return send_text(c, rq, 200, "application/json", (const char *)rq->out.data,
				 rq->out.len);
	}
	if (strcmp(url, "/api/v0/cat") == 0) {
		const char *off = decc_http_req_query(c, "offset");
		const char *len = decc_http_req_query(c, "length");

		if (!post)
			return send_error(c, rq, 405, "cat needs POST");
		if ((off && strcmp(off, "0") != 0) || len)
			return send_error(c, rq, 400, "offset and length are not supported");
		return serve_file(c, rq, decc_http_req_query(c, "arg"), false);
	}
	if (strncmp(url, "/api/v0/", 8) == 0)
		return send_error(c, rq, 404, "this command is not served by decc store");
	if (get && strncmp(url, "/ipfs/", 6) == 0)
		return serve_file(c, rq, url + 6, true);
	if (get && strcmp(url, "/healthz") == 0)
		return send_text(c, rq, 200, "text/plain", "ok\n", 3);
	if (get && strcmp(url, "/metrics") == 0)
		return metrics(c, rq);
	return send_text(c, rq, 404, "text/plain; charset=utf-8", "404 page not found\n", 19);
}

static void completed(void *cls, struct decc_http_req *c, bool ok)
{
	struct decc_store_server *srv = cls;
	struct req *rq = decc_http_req_user(c);

	if (!rq)
		return;
	if (rq->im) {
		/* the client went away mid-upload: nothing of it stays */
		atomic_fetch_add(&srv->upload_errors, 1);
		decc_store_import_abort(rq->im);
	}
	decc_multipart_free(rq->mp);
	if (rq->counted)
		atomic_fetch_sub(&srv->uploads_active, 1);
	logf_(srv, "%s %s %u%s", rq->method, rq->url, rq->status, ok ? "" : " (aborted)");
	decc_buf_release(&rq->out);
	free(rq);
	decc_http_req_set_user(c, NULL);
}

int decc_store_server_start(struct decc_store_server **out, const struct decc_store_server_opts *o)
{
	struct decc_store_server *srv;
	struct sockaddr_storage ss = { 0 };
	struct decc_http_server_opts ho = { 0 };
	const char *host = o->host ? o->host : "127.0.0.1";
	int r;

	if (strchr(host, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(o->port);
		DECC_ENSURE(inet_pton(AF_INET6, host, &a->sin6_addr) == 1, DECC_EINVAL,
			    "store: '%s' is not an IP address to listen on", host);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(o->port);
		DECC_ENSURE(inet_pton(AF_INET, host, &a->sin_addr) == 1, DECC_EINVAL,
			    "store: '%s' is not an IPv4 address to listen on", host);
	}
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return decc_error_set(DECC_ENOMEM, "store: out of memory");
	srv->max_size = o->max_size;
	srv->max_uploads = o->max_uploads ? o->max_uploads : 8;
	srv->log = o->log;
	srv->log_ctx = o->log_ctx;
	r = decc_store_open(&srv->store, o->data_dir);
	if (r < 0) {
		free(srv);
		return r;
	}
	ho.addr = (struct sockaddr *)&ss;
	ho.addrlen =
	    ss.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	ho.max_connections = 256;
	ho.idle_timeout_s = 300;
	ho.stack_size = (size_t)2 << 20; /* the importer and the block store run on it */
	ho.begin = begin;
	ho.handle = handler;
	ho.done = completed;
	ho.ctx = srv;
	if (decc_http_server_start(&srv->http, &ho) < 0) {
		r = decc_error_set(DECC_ERROR,
				   "store: cannot listen on %s:%u (address in use or not allowed): "
				   "choose another --listen",
				   host, (unsigned)o->port);
		decc_store_free(srv->store);
		free(srv);
		return r;
	}
	srv->port = decc_http_server_port(srv->http);
	*out = srv;
	return 0;
}

uint16_t decc_store_server_port(const struct decc_store_server *srv)
{
	return srv->port;
}

void decc_store_server_stop(struct decc_store_server *srv)
{
	if (!srv)
		return;
	decc_http_server_stop(srv->http);
	decc_store_free(srv->store);
	free(srv);
}
