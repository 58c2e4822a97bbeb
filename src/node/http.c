/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HTTP front of the node (libmicrohttpd, one thread per connection: a thread may sleep until
 * its transaction's block is committed without holding up others). POST any path: JSON-RPC;
 * GET /healthz, GET /metrics.
 */
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "decc/error.h"
#include "node/internal.h"

struct req {
	struct decc_buf body;
	bool too_large;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *ctype,
			     struct decc_buf *b)
{
	struct MHD_Response *resp;
	enum MHD_Result r;
	size_t len;
	uint8_t *p = decc_buf_detach(b, &len);

	resp = MHD_create_response_from_buffer(len, p, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(p);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", ctype);
	r = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return r;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, const char *ctype,
				  const char *text)
{
	struct decc_buf b = DECC_BUF_INIT;

	if (decc_buf_append_str(&b, text) < 0)
		return MHD_NO;
	return reply(c, status, ctype, &b);
}

static const char *market_arg(void *ctx, const char *name)
{
	return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, name);
}

/* The market API (src/orderbook): GET at once, POST once its body is complete. */
static enum MHD_Result market(struct decc_node *n, struct MHD_Connection *c, const char *url,
			      const char *method, struct req *rq)
{
	struct decc_orderbook_http_request mr = {
		.method = method,
		.path = url,
		.arg = market_arg,
		.arg_ctx = c,
		.body = rq && !rq->too_large ? rq->body.data : NULL,
		.body_len = rq ? rq->body.len : 0,
		.now = (uint64_t)time(NULL),
	};
	struct decc_buf out = DECC_BUF_INIT;
	unsigned status = 500;

	atomic_fetch_add(&n->n_http, 1);
	if (decc_orderbook_http_handle(n->market, &out, &status, &mr) < 0) {
		decc_buf_release(&out);
		return MHD_NO;
	}
	return reply(c, status, "application/json", &out);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_size, void **con_cls)
{
	struct decc_node *n = cls;
	struct req *rq = *con_cls;
	struct decc_buf out = DECC_BUF_INIT;

	(void)version;
	if (strncmp(url, "/market/", 8) == 0 &&
	    (strcmp(method, "POST") != 0 || (rq && *upload_size == 0)))
		return market(n, c, url, method, rq);
	if (strcmp(method, "POST") != 0) {
		if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
			return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
					  "use POST for JSON-RPC\n");
		atomic_fetch_add(&n->n_http, 1);
		if (strcmp(url, "/healthz") == 0)
			return reply_text(c, MHD_HTTP_OK, "text/plain", "ok\n");
		if (strcmp(url, "/metrics") == 0) {
			if (decc_node_metrics(n, &out) < 0) {
				decc_buf_release(&out);
				return MHD_NO;
			}
			return reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4", &out);
		}
		return reply_text(c, MHD_HTTP_NOT_FOUND, "text/plain", "not found\n");
	}
	if (!rq) {
		rq = calloc(1, sizeof(*rq));
		if (!rq)
			return MHD_NO;
		decc_buf_init(&rq->body, n->cfg.max_body);
		*con_cls = rq;
		return MHD_YES;
	}
	if (*upload_size) {
		if (!rq->too_large && decc_buf_append(&rq->body, upload_data, *upload_size) < 0) {
			rq->too_large = true;
			decc_buf_release(&rq->body);
		}
		*upload_size = 0;
		return MHD_YES;
	}
	atomic_fetch_add(&n->n_http, 1);
	if (rq->too_large) {
		char msg[200];

		snprintf(msg, sizeof(msg),
			 "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":"
			 "\"request body too large: at most %zu bytes\"}}",
			 n->cfg.max_body);
		return reply_text(c, MHD_HTTP_CONTENT_TOO_LARGE, "application/json", msg);
	}
	decc_buf_init(&out, (size_t)256 << 20);
	if (decc_node_handle_body(n, &out, (const char *)rq->body.data, rq->body.len) < 0) {
		decc_buf_release(&out);
		return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "application/json",
				  "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32603,"
				  "\"message\":\"response too large\"}}");
	}
	if (out.len == 0) { /* notifications only */
		decc_buf_release(&out);
		return reply_text(c, MHD_HTTP_NO_CONTENT, "application/json", "");
	}
	return reply(c, MHD_HTTP_OK, "application/json", &out);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct req *rq = *con_cls;

	(void)cls, (void)c, (void)toe;
	if (!rq)
		return;
	decc_buf_release(&rq->body);
	free(rq);
	*con_cls = NULL;
}

/* Split "HOST:PORT" ("[v6]:PORT" too) and resolve it (the node's and the market's servers). */
int node_resolve_listen(struct sockaddr_storage *ss, socklen_t *sslen, const char *listen)
{
	char host[256];
	const char *colon = strrchr(listen, ':');
	struct addrinfo hints = { 0 }, *ai = NULL;
	size_t hl;
	int rc;

	DECC_ENSURE(colon && colon != listen && colon[1], DECC_EINVAL,
		    "bad listen address \"%.100s\": use HOST:PORT, e.g. 127.0.0.1:8545", listen);
	hl = (size_t)(colon - listen);
	if (listen[0] == '[' && hl >= 2 && listen[hl - 1] == ']') {
		listen++;
		hl -= 2;
	}
	DECC_ENSURE(hl < sizeof(host), DECC_EINVAL, "listen host name too long");
	memcpy(host, listen, hl);
	host[hl] = 0;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(host, colon + 1, &hints, &ai);
	if (rc != 0 || !ai)
		return decc_error_set(DECC_EINVAL, "cannot resolve listen address \"%s:%s\": %s",
				      host, colon + 1, gai_strerror(rc));
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*sslen = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

int http_start(struct decc_node *n)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD;
	const union MHD_DaemonInfo *info;
	struct MHD_Daemon *d;

	DECC_TRY(node_resolve_listen(&ss, &sslen, n->cfg.listen));
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, n, MHD_OPTION_SOCK_ADDR, &ss,
			     MHD_OPTION_CONNECTION_LIMIT, (unsigned)n->cfg.max_connections,
			     MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_NOTIFY_COMPLETED,
			     on_completed, n, MHD_OPTION_THREAD_STACK_SIZE, (size_t)256 << 10,
			     MHD_OPTION_END);
	if (!d)
		return decc_error_set(DECC_ERROR,
				      "cannot listen on %s (address in use or not allowed?): pick "
				      "another --listen",
				      n->cfg.listen);
	n->http = d;
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	n->port = info ? info->port : 0;
	node_log(n, "info", "listening on %s (port %u)", n->cfg.listen, n->port);
	return 0;
}

void http_stop(struct decc_node *n)
{
	MHD_stop_daemon(n->http);
	n->http = NULL;
}
