/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `decc store`: the IPFS HTTP API subset clients use, on libmicrohttpd.
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
#include <microhttpd.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <jansson.h>

#include "decc/error.h"
#include "decc/store.h"

#define READ_BLOCK (64 * 1024)
#define DISCARD_MAX ((uint64_t)1 << 30)

struct decc_store_server {
	struct decc_store *store;
	struct MHD_Daemon *mhd;
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

static enum MHD_Result send_text(struct MHD_Connection *c, struct req *rq, unsigned status,
				 const char *ctype, const char *body, size_t n)
{
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(n, (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result r;

	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", ctype);
	if (rq)
		rq->status = status;
	r = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return r;
}

/* kubo's error shape; code 1 (client error) goes with 400, code 0 with 5xx. */
static enum MHD_Result send_error(struct MHD_Connection *c, struct req *rq, unsigned status,
				  const char *msg)
{
	json_t *o = json_pack("{s:s,s:i,s:s}", "Message", msg, "Code", status < 500 ? 1 : 0, "Type",
			      "error");
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	enum MHD_Result r;
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
 * An upload failed while its body is still arriving. libmicrohttpd answers only once the body
 * was read, so the error is kept, the rest of the body discarded (up to DISCARD_MAX, past
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

static enum MHD_Result add_start(struct MHD_Connection *c, struct req *rq)
{
	struct decc_store_server *srv = rq->srv;
	const char *v, *ct;
	char boundary[DECC_MULTIPART_BOUNDARY_MAX + 1];
	struct decc_multipart_cb cb = { rq, part_begin, part_data, part_end };
	struct decc_multipart_limits lim = { 0 };
	unsigned active;

	v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "cid-version");
	if (v && strcmp(v, "1") != 0)
		return send_error(
		    c, rq, 400, "decc store makes CIDv1 only: use cid-version=1 (or leave it out)");
	v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "raw-leaves");
	if (v && strcmp(v, "true") != 0)
		return send_error(c, rq, 400, "decc store makes raw leaves only (raw-leaves=true)");
	v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "chunker");
	if (v && strcmp(v, "size-262144") != 0)
		return send_error(c, rq, 400, "decc store supports only chunker=size-262144");
	v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "expect");
	if (v) {
		if (decc_cid_parse(&rq->expect, v, strlen(v)) < 0)
			return send_error(c, rq, 400, decc_error_last());
		rq->has_expect = true;
	}
	v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
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
	ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
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
	return MHD_YES;
}

/* ---- cat and gateway ---- */

static ssize_t reader_cb(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct decc_store_reader *r = ((void **)cls)[0];
	struct decc_store_server *srv = ((void **)cls)[1];
	size_t got;

	if (decc_store_reader_read(r, buf, max, &got) < 0) {
		atomic_fetch_add(&srv->read_errors, 1);
		logf_(srv, "read failed at offset %llu: %s", (unsigned long long)pos,
		      decc_error_last());
		return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	if (got == 0)
		return MHD_CONTENT_READER_END_OF_STREAM;
	atomic_fetch_add(&srv->read_bytes, got);
	return (ssize_t)got;
}

static void reader_free(void *cls)
{
	void **pair = cls;

	decc_store_reader_free(pair[0]);
	free(pair);
}

static enum MHD_Result serve_file(struct MHD_Connection *c, struct req *rq, const char *arg,
				  bool gateway)
{
	struct decc_store_server *srv = rq->srv;
	struct decc_cid cid;
	struct decc_store_reader *r;
	struct MHD_Response *resp;
	void **pair;
	char name[DECC_CID_STR_MAX], etag[DECC_CID_STR_MAX + 2], path[DECC_CID_STR_MAX + 8];
	enum MHD_Result ret;
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
	pair = malloc(2 * sizeof(*pair));
	if (!pair) {
		decc_store_reader_free(r);
		return send_error(c, rq, 500, "out of memory");
	}
	pair[0] = r;
	pair[1] = srv;
	resp = MHD_create_response_from_callback(decc_store_reader_size(r), READ_BLOCK, reader_cb,
						 pair, reader_free);
	if (!resp) {
		reader_free(pair);
		return MHD_NO;
	}
	decc_cid_to_string(name, &cid);
	if (gateway) {
		snprintf(etag, sizeof(etag), "\"%s\"", name);
		snprintf(path, sizeof(path), "/ipfs/%s", name);
		MHD_add_response_header(resp, "Content-Type", "application/octet-stream");
		MHD_add_response_header(resp, "Etag", etag);
		MHD_add_response_header(resp, "X-Ipfs-Path", path);
		MHD_add_response_header(resp, "Cache-Control",
					"public, max-age=29030400, immutable");
	} else {
		char len[24];

		snprintf(len, sizeof(len), "%llu", (unsigned long long)decc_store_reader_size(r));
		MHD_add_response_header(resp, "Content-Type", "text/plain");
		MHD_add_response_header(resp, "X-Stream-Output", "1");
		MHD_add_response_header(resp, "X-Content-Length", len);
	}
	rq->status = 200;
	ret = MHD_queue_response(c, 200, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result metrics(struct MHD_Connection *c, struct req *rq)
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

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version, const char *upload_data,
			       size_t *upload_data_size, void **con_cls)
{
	struct decc_store_server *srv = cls;
	struct req *rq = *con_cls;
	bool post = strcmp(method, "POST") == 0;
	bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;

	if (!rq) {
		rq = calloc(1, sizeof(*rq));
		if (!rq)
			return MHD_NO;
		rq->srv = srv;
		rq->out = (struct decc_buf)DECC_BUF_INIT;
		snprintf(rq->method, sizeof(rq->method), "%s", method);
		snprintf(rq->url, sizeof(rq->url), "%s", url);
		*con_cls = rq;
		atomic_fetch_add(&srv->requests, 1);
		if (strcmp(url, "/api/v0/add") == 0) {
			if (!post)
				return send_error(c, rq, 405, "add needs POST");
			rq->kind = REQ_ADD;
			return add_start(c, rq);
		}
		return MHD_YES; /* answered below, once any body is consumed */
	}
	if (rq->kind == REQ_ADD) {
		if (rq->failed) {
			*upload_data_size = 0; /* response already queued */
			return MHD_YES;
		}
		if (*upload_data_size && rq->deferred) {
			rq->discarded += *upload_data_size;
			*upload_data_size = 0;
			return rq->discarded > DISCARD_MAX ? MHD_NO : MHD_YES;
		}
		if (*upload_data_size) {
			int r = decc_multipart_feed(rq->mp, upload_data, *upload_data_size);

			*upload_data_size = 0;
			if (r < 0)
				add_fail(rq, r);
			return MHD_YES;
		}
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
	if (*upload_data_size) {
		*upload_data_size = 0; /* bodies of other requests are ignored */
		return MHD_YES;
	}
	if (strcmp(url, "/api/v0/cat") == 0) {
		const char *off = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "offset");
		const char *len = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "length");

		if (!post)
			return send_error(c, rq, 405, "cat needs POST");
		if ((off && strcmp(off, "0") != 0) || len)
			return send_error(c, rq, 400, "offset and length are not supported");
		return serve_file(
		    c, rq, MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "arg"), false);
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

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct decc_store_server *srv = cls;
	struct req *rq = *con_cls;

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
	logf_(srv, "%s %s %u%s", rq->method, rq->url, rq->status,
	      toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
	decc_buf_release(&rq->out);
	free(rq);
	*con_cls = NULL;
}

int decc_store_server_start(struct decc_store_server **out, const struct decc_store_server_opts *o)
{
	struct decc_store_server *srv;
	struct sockaddr_storage ss = { 0 };
	const union MHD_DaemonInfo *info;
	unsigned flags =
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ITC;
	const char *host = o->host ? o->host : "127.0.0.1";
	int r;

	if (strchr(host, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(o->port);
		DECC_ENSURE(inet_pton(AF_INET6, host, &a->sin6_addr) == 1, DECC_EINVAL,
			    "store: '%s' is not an IP address to listen on", host);
		flags |= MHD_USE_IPv6;
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
	srv->mhd = MHD_start_daemon(
	    flags, 0, NULL, NULL, handler, srv, MHD_OPTION_SOCK_ADDR, &ss,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, srv, MHD_OPTION_CONNECTION_LIMIT, (unsigned)256,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)300, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)(128 * 1024), MHD_OPTION_END);
	if (!srv->mhd) {
		r = decc_error_set(DECC_ERROR,
				   "store: cannot listen on %s:%u (address in use or not allowed): "
				   "choose another --listen",
				   host, (unsigned)o->port);
		decc_store_free(srv->store);
		free(srv);
		return r;
	}
	info = MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_LISTEN_FD);
	srv->port = o->port;
	if (info) {
		struct sockaddr_storage got;
		socklen_t len = sizeof(got);

		if (getsockname(info->listen_fd, (struct sockaddr *)&got, &len) == 0)
			srv->port = ntohs(got.ss_family == AF_INET6
					      ? ((struct sockaddr_in6 *)&got)->sin6_port
					      : ((struct sockaddr_in *)&got)->sin_port);
	}
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
	if (srv->mhd) {
		MHD_quiesce_daemon(srv->mhd);
		MHD_stop_daemon(srv->mhd);
	}
	decc_store_free(srv->store);
	free(srv);
}
