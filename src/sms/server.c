/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `decc sms`: the HTTP side, on decc's HTTP server. It gathers one request (method, path, the
 * query parameters the SMS API uses, the Authorization header, a body of at most BODY_MAX
 * bytes: a secret or a session request) and hands it to decc_sms_handle(). Limits: body size (a larger
 * Content-Length is refused before the body is read; a chunked body is cut at the limit and
 * the connection closed after the answer), head size, number of connections, idle timeout.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/file.h"
#include "decc/http_server.h"
#include "decc/sms.h"

/* a secret value or a session request, whichever is larger */
#define BODY_MAX                                                                                   \
	(DECC_SMS_SECRET_MAX > DECC_SMS_SESSION_REQUEST_MAX ? DECC_SMS_SECRET_MAX                  \
							    : DECC_SMS_SESSION_REQUEST_MAX)
#define HEADER_MEMORY (32 * 1024) /* per connection: request line + headers */
#define CONNECTION_TIMEOUT_S 30u  /* idle connections are closed */

struct decc_sms_server {
	struct decc_http_server *http;
	struct decc_sms_store *store;
	struct decc_sms_service *service;
	uint16_t port;
	bool created_key;
	void (*log)(void *ctx, const char *line);
	void *log_ctx;
};

static void logf_(struct decc_sms_server *srv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void logf_(struct decc_sms_server *srv, const char *fmt, ...)
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

static int queue(struct decc_http_req *rq, unsigned status, const char *ctype, const void *body,
		 size_t n)
{
	return decc_http_respond(rq, status, ctype, body, n);
}

/* The secret lives in the body buffer until the answer: it is wiped. A body over BODY_MAX is
 * not read (or, chunked, cut at the limit) and the handler says it is too large. */
static int begin(void *cls, struct decc_http_req *rq)
{
	(void)cls;
	decc_http_req_body_limit(rq, BODY_MAX,
				 DECC_HTTP_BODY_SECRET | DECC_HTTP_BODY_OVERFLOW_TO_HANDLER);
	return 0;
}

static int handler(void *cls, struct decc_http_req *rq)
{
	struct decc_sms_server *srv = cls;
	const char *url = decc_http_req_path(rq), *method = decc_http_req_method(rq);
	size_t len = 0;
	const uint8_t *body = decc_http_req_body(rq, &len);
	struct decc_sms_http_request hr = {
		.method = method,
		.path = url,
		.secret_address = decc_http_req_query(rq, "secretAddress"),
		.owner_address = decc_http_req_query(rq, "ownerAddress"),
		.secret_name = decc_http_req_query(rq, "secretName"),
		.authorization = decc_http_req_header(rq, "Authorization"),
		.body = body,
		.body_len = len,
		.body_truncated = decc_http_req_body_too_large(rq),
	};
	struct decc_sms_response resp;
	int r;

	if (decc_sms_handle(srv->service, &resp, &hr) < 0) {
		decc_buf_release(&resp.body);
		return queue(rq, 500, "text/plain", "internal error\n", 15);
	}
	if (resp.status >= 400)
		logf_(srv, "%s %s refused %u: %.*s", method, url, resp.status,
		      (int)(resp.body.len > 300 ? 300 : resp.body.len),
		      (const char *)resp.body.data);
	r = queue(rq, resp.status, resp.content_type, resp.body.data, resp.body.len);
	decc_buf_release(&resp.body);
	return r;
}

static void completed(void *cls, struct decc_http_req *rq, bool ok)
{
	struct decc_sms_server *srv = cls;

	logf_(srv, "%s %.255s %u%s", decc_http_req_method(rq), decc_http_req_path(rq),
	      decc_http_reply_status(rq), ok ? "" : " (aborted)");
}

static int sockaddr_of(struct sockaddr_storage *ss, const char *host, uint16_t port)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(host, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		DECC_ENSURE(inet_pton(AF_INET6, host, &a->sin6_addr) == 1, DECC_EINVAL,
			    "sms: '%s' is not an IP address to listen on", host);
		return 0;
	}
	struct sockaddr_in *a = (struct sockaddr_in *)ss;

	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	DECC_ENSURE(inet_pton(AF_INET, host, &a->sin_addr) == 1, DECC_EINVAL,
		    "sms: '%s' is not an IPv4 address to listen on", host);
	return 0;
}

static int open_state(struct decc_sms_server *srv, const struct decc_sms_server_opts *o)
{
	struct decc_sms_service_config cfg = { 0 };
	struct decc_buf path = DECC_BUF_INIT;
	uint8_t master[32];
	int r;

	DECC_ENSURE(o->data_dir && *o->data_dir, DECC_EINVAL, "sms: a data directory is required");
	DECC_ENSURE(o->owner, DECC_EINVAL, "sms: an owner lookup is required");
	DECC_TRY(decc_file_mkdirs(o->data_dir, 0700));
	r = decc_buf_appendf(&path, "%s/master.key", o->data_dir);
	if (r == 0)
		r = decc_sms_master_key_load(master, &srv->created_key, decc_buf_str(&path));
	if (r == 0) {
		decc_buf_reset(&path);
		r = decc_buf_appendf(&path, "%s/sms.db", o->data_dir);
	}
	if (r == 0) {
		r = decc_sms_store_open(&srv->store, decc_buf_str(&path), master);
		decc_wipe(master, sizeof(master));
	}
	decc_buf_release(&path);
	if (r < 0)
		return r;
	cfg.store = srv->store;
	cfg.owner = o->owner;
	cfg.owner_ctx = o->owner_ctx;
	cfg.max_secrets = o->max_secrets;
	cfg.task = o->task;
	cfg.task_ctx = o->task_ctx;
	cfg.verifier = o->verifier;
	cfg.result_proxy = o->result_proxy;
	return decc_sms_service_new(&srv->service, &cfg);
}

int decc_sms_server_start(struct decc_sms_server **out, const struct decc_sms_server_opts *o)
{
	struct decc_sms_server *srv;
	struct sockaddr_storage ss;
	struct decc_http_server_opts ho = { 0 };
	const char *host = o->host ? o->host : "127.0.0.1";
	int r;

	DECC_TRY(sockaddr_of(&ss, host, o->port));
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return decc_error_set(DECC_ENOMEM, "sms: out of memory");
	srv->log = o->log;
	srv->log_ctx = o->log_ctx;
	r = open_state(srv, o);
	if (r < 0) {
		decc_sms_server_stop(srv);
		return r;
	}
	ho.addr = (struct sockaddr *)&ss;
	ho.addrlen =
	    ss.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	ho.max_connections = o->max_connections ? o->max_connections : 256u;
	ho.idle_timeout_s = CONNECTION_TIMEOUT_S;
	ho.stack_size = (size_t)2 << 20; /* handlers reach SQLite and the chain client */
	ho.max_head = HEADER_MEMORY;
	ho.max_body = BODY_MAX;
	ho.begin = begin;
	ho.handle = handler;
	ho.done = completed;
	ho.ctx = srv;
	if (decc_http_server_start(&srv->http, &ho) < 0) {
		r = decc_error_set(DECC_ERROR,
				   "sms: cannot listen on %s:%u (address in use or not allowed): "
				   "choose another --listen",
				   host, (unsigned)o->port);
		decc_sms_server_stop(srv);
		return r;
	}
	srv->port = decc_http_server_port(srv->http);
	*out = srv;
	return 0;
}

uint16_t decc_sms_server_port(const struct decc_sms_server *srv)
{
	return srv->port;
}

bool decc_sms_server_created_key(const struct decc_sms_server *srv)
{
	return srv->created_key;
}

void decc_sms_server_stop(struct decc_sms_server *srv)
{
	if (!srv)
		return;
	decc_http_server_stop(srv->http);
	decc_sms_service_free(srv->service);
	decc_sms_store_free(srv->store);
	free(srv);
}
