/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The standalone market server (decc/market.h): decc's HTTP server, one thread per connection
 * (the book's checks may wait on a remote chain), /market/ handed to decc_orderbook_http_handle.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "decc/error.h"
#include "decc/http_server.h"
#include "decc/market.h"
#include "node/internal.h"

#define MARKET_MAX_CONNECTIONS 256u

struct decc_market_server {
	struct decc_http_server *http;
	struct decc_orderbook *ob;
};

static int reply_text(struct decc_http_req *rq, unsigned status, const char *text)
{
	return decc_http_respond(rq, status, "text/plain", text, strlen(text));
}

static const char *arg(void *ctx, const char *name)
{
	return decc_http_req_query(ctx, name);
}

/* POST bodies up to the book's limit; a larger one reaches the book as no body. */
static int on_begin(void *cls, struct decc_http_req *rq)
{
	(void)cls;
	decc_http_req_body_limit(rq, DECC_ORDERBOOK_MAX_BODY, DECC_HTTP_BODY_OVERFLOW_TO_HANDLER);
	return 0;
}

static int on_request(void *cls, struct decc_http_req *rq)
{
	struct decc_market_server *s = cls;
	const char *url = decc_http_req_path(rq), *method = decc_http_req_method(rq);
	bool post = strcmp(method, "POST") == 0 && !decc_http_req_body_too_large(rq);
	struct decc_orderbook_http_request mr;
	struct decc_buf out = DECC_BUF_INIT;
	unsigned status = 500;
	size_t len = 0;
	const uint8_t *body = decc_http_req_body(rq, &len);

	if (strcmp(method, "POST") != 0 && strcmp(method, "GET") != 0 &&
	    strcmp(method, "HEAD") != 0)
		return reply_text(rq, 405, "use GET or POST\n");
	if (strcmp(url, "/healthz") == 0)
		return reply_text(rq, 200, "ok\n");
	if (strncmp(url, "/market/", 8) != 0)
		return reply_text(rq, 404, "not found (the market is under /market/)\n");
	memset(&mr, 0, sizeof(mr));
	mr.method = method;
	mr.path = url;
	mr.arg = arg;
	mr.arg_ctx = rq;
	mr.body = post ? body : NULL;
	mr.body_len = post ? len : 0;
	mr.now = (uint64_t)time(NULL);
	if (decc_orderbook_http_handle(s->ob, &out, &status, &mr) < 0) {
		decc_buf_release(&out);
		return DECC_ERROR;
	}
	return decc_http_respond_buf(rq, status, "application/json", &out);
}

int decc_market_server_start(struct decc_market_server **out, struct decc_orderbook *ob,
			     const char *listen, unsigned *port)
{
	struct decc_http_server_opts o = { 0 };
	struct decc_market_server *s;
	struct sockaddr_storage ss;
	socklen_t sslen;

	DECC_ENSURE(ob && listen, DECC_EINVAL, "market server: a book and an address are needed");
	DECC_TRY(node_resolve_listen(&ss, &sslen, listen));
	s = calloc(1, sizeof(*s));
	if (!s)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	s->ob = ob;
	o.addr = (struct sockaddr *)&ss;
	o.addrlen = sslen;
	o.max_connections = MARKET_MAX_CONNECTIONS;
	o.idle_timeout_s = 60;
	o.stack_size = (size_t)256 << 10;
	o.max_body = DECC_ORDERBOOK_MAX_BODY;
	o.begin = on_begin;
	o.handle = on_request;
	o.ctx = s;
	if (decc_http_server_start(&s->http, &o) < 0) {
		free(s);
		return decc_error_set(
		    DECC_ERROR, "cannot listen on %s (address in use or not allowed?)", listen);
	}
	if (port)
		*port = decc_http_server_port(s->http);
	*out = s;
	return 0;
}

void decc_market_server_stop(struct decc_market_server *s)
{
	if (!s)
		return;
	decc_http_server_stop(s->http);
	free(s);
}
