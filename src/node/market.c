/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The standalone market server (decc/market.h): libmicrohttpd, one thread per connection (the
 * book's checks may wait on a remote chain), /market/ handed to decc_orderbook_http_handle.
 */
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "decc/error.h"
#include "decc/market.h"
#include "node/internal.h"

#define MARKET_MAX_CONNECTIONS 256u

struct decc_market_server {
	struct MHD_Daemon *mhd;
	struct decc_orderbook *ob;
};

struct mreq {
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

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, const char *text)
{
	struct decc_buf b = DECC_BUF_INIT;

	if (decc_buf_append_str(&b, text) < 0)
		return MHD_NO;
	return reply(c, status, "text/plain", &b);
}

static const char *arg(void *ctx, const char *name)
{
	return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, name);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_size, void **con_cls)
{
	struct decc_market_server *s = cls;
	struct mreq *rq = *con_cls;
	struct decc_orderbook_http_request mr;
	struct decc_buf out = DECC_BUF_INIT;
	unsigned status = 500;

	(void)version;
	if (strcmp(method, "POST") == 0) {
		if (!rq) {
			rq = calloc(1, sizeof(*rq));
			if (!rq)
				return MHD_NO;
			decc_buf_init(&rq->body, DECC_ORDERBOOK_MAX_BODY);
			*con_cls = rq;
			return MHD_YES;
		}
		if (*upload_size) {
			if (!rq->too_large &&
			    decc_buf_append(&rq->body, upload_data, *upload_size) < 0) {
				rq->too_large = true;
				decc_buf_release(&rq->body);
			}
			*upload_size = 0;
			return MHD_YES;
		}
	} else if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET or POST\n");
	}
	if (strcmp(url, "/healthz") == 0)
		return reply_text(c, MHD_HTTP_OK, "ok\n");
	if (strncmp(url, "/market/", 8) != 0)
		return reply_text(c, MHD_HTTP_NOT_FOUND,
				  "not found (the market is under /market/)\n");
	memset(&mr, 0, sizeof(mr));
	mr.method = method;
	mr.path = url;
	mr.arg = arg;
	mr.arg_ctx = c;
	mr.body = rq && !rq->too_large ? rq->body.data : NULL;
	mr.body_len = rq && !rq->too_large ? rq->body.len : 0;
	mr.now = (uint64_t)time(NULL);
	if (decc_orderbook_http_handle(s->ob, &out, &status, &mr) < 0) {
		decc_buf_release(&out);
		return MHD_NO;
	}
	return reply(c, status, "application/json", &out);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct mreq *rq = *con_cls;

	(void)cls, (void)c, (void)toe;
	if (!rq)
		return;
	decc_buf_release(&rq->body);
	free(rq);
	*con_cls = NULL;
}

int decc_market_server_start(struct decc_market_server **out, struct decc_orderbook *ob,
			     const char *listen, unsigned *port)
{
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD;
	const union MHD_DaemonInfo *info;
	struct decc_market_server *s;
	struct sockaddr_storage ss;
	socklen_t sslen;

	DECC_ENSURE(ob && listen, DECC_EINVAL, "market server: a book and an address are needed");
	DECC_TRY(node_resolve_listen(&ss, &sslen, listen));
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s = calloc(1, sizeof(*s));
	if (!s)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	s->ob = ob;
	s->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, &ss,
				  MHD_OPTION_CONNECTION_LIMIT, MARKET_MAX_CONNECTIONS,
				  MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_NOTIFY_COMPLETED,
				  on_completed, s, MHD_OPTION_THREAD_STACK_SIZE, (size_t)256 << 10,
				  MHD_OPTION_END);
	if (!s->mhd) {
		free(s);
		return decc_error_set(
		    DECC_ERROR, "cannot listen on %s (address in use or not allowed?)", listen);
	}
	info = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
	if (port)
		*port = info ? info->port : 0;
	*out = s;
	return 0;
}

void decc_market_server_stop(struct decc_market_server *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->mhd);
	free(s);
}
