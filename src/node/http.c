/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HTTP front of the node (decc's server, one thread per connection: a thread may sleep until
 * its transaction's block is committed without holding up others). POST any path: JSON-RPC;
 * GET /healthz, GET /metrics.
 */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "decc/error.h"
#include "decc/http_server.h"
#include "node/internal.h"

static int reply(struct decc_http_req *rq, unsigned status, const char *ctype, struct decc_buf *b)
{
	return decc_http_respond_buf(rq, status, ctype, b);
}

static int reply_text(struct decc_http_req *rq, unsigned status, const char *ctype,
		      const char *text)
{
	return decc_http_respond(rq, status, ctype, text, strlen(text));
}

static const char *market_arg(void *ctx, const char *name)
{
	return decc_http_req_query(ctx, name);
}

/* The market API (src/orderbook): a POST's body is complete when this runs. */
static int market(struct decc_node *n, struct decc_http_req *rq, const char *url,
		  const char *method)
{
	bool post = strcmp(method, "POST") == 0 && !decc_http_req_body_too_large(rq);
	size_t len = 0;
	const uint8_t *body = decc_http_req_body(rq, &len);
	struct decc_orderbook_http_request mr = {
		.method = method,
		.path = url,
		.arg = market_arg,
		.arg_ctx = rq,
		.body = post ? body : NULL,
		.body_len = post ? len : 0,
		.now = (uint64_t)time(NULL),
	};
	struct decc_buf out = DECC_BUF_INIT;
	unsigned status = 500;

	atomic_fetch_add(&n->n_http, 1);
	if (decc_orderbook_http_handle(n->market, &out, &status, &mr) < 0) {
		decc_buf_release(&out);
		return DECC_ERROR;
	}
	return reply(rq, status, "application/json", &out);
}

/* Bodies up to max_body; a larger one is answered by on_request (JSON-RPC's error shape). */
static int on_begin(void *cls, struct decc_http_req *rq)
{
	struct decc_node *n = cls;

	decc_http_req_body_limit(rq, n->cfg.max_body, DECC_HTTP_BODY_OVERFLOW_TO_HANDLER);
	return 0;
}

static int on_request(void *cls, struct decc_http_req *rq)
{
	struct decc_node *n = cls;
	const char *url = decc_http_req_path(rq), *method = decc_http_req_method(rq);
	struct decc_buf out = DECC_BUF_INIT;
	size_t len = 0;
	const uint8_t *body;

	if (strncmp(url, "/market/", 8) == 0)
		return market(n, rq, url, method);
	if (strcmp(method, "POST") != 0) {
		if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
			return reply_text(rq, 405, "text/plain", "use POST for JSON-RPC\n");
		atomic_fetch_add(&n->n_http, 1);
		if (strcmp(url, "/healthz") == 0)
			return reply_text(rq, 200, "text/plain", "ok\n");
		if (strcmp(url, "/metrics") == 0) {
			if (decc_node_metrics(n, &out) < 0) {
				decc_buf_release(&out);
				return DECC_ERROR;
			}
			return reply(rq, 200, "text/plain; version=0.0.4", &out);
		}
		return reply_text(rq, 404, "text/plain", "not found\n");
	}
	atomic_fetch_add(&n->n_http, 1);
	if (decc_http_req_body_too_large(rq)) {
		char msg[200];

		snprintf(msg, sizeof(msg),
			 "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":"
			 "\"request body too large: at most %zu bytes\"}}",
			 n->cfg.max_body);
		return reply_text(rq, 413, "application/json", msg);
	}
	body = decc_http_req_body(rq, &len);
	decc_buf_init(&out, (size_t)256 << 20);
	if (decc_node_handle_body(n, &out, (const char *)body, len) < 0) {
		decc_buf_release(&out);
		return reply_text(rq, 500, "application/json",
				  "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32603,"
				  "\"message\":\"response too large\"}}");
	}
	if (out.len == 0) { /* notifications only */
		decc_buf_release(&out);
		return reply_text(rq, 204, "application/json", "");
	}
	return reply(rq, 200, "application/json", &out);
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
	struct decc_http_server_opts o = { 0 };

	DECC_TRY(node_resolve_listen(&ss, &sslen, n->cfg.listen));
	o.addr = (struct sockaddr *)&ss;
	o.addrlen = sslen;
	o.max_connections = (unsigned)n->cfg.max_connections;
	o.idle_timeout_s = 60;
	o.stack_size = (size_t)256 << 10;
	o.max_body = n->cfg.max_body;
	o.begin = on_begin;
	o.handle = on_request;
	o.ctx = n;
	if (decc_http_server_start(&n->http, &o) < 0)
		return decc_error_set(DECC_ERROR,
				      "cannot listen on %s (address in use or not allowed?): pick "
				      "another --listen",
				      n->cfg.listen);
	n->port = decc_http_server_port(n->http);
	node_log(n, "info", "listening on %s (port %u)", n->cfg.listen, n->port);
	return 0;
}

void http_stop(struct decc_node *n)
{
	decc_http_server_stop(n->http);
	n->http = NULL;
}
