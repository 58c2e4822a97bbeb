/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `decc sms`: the HTTP side on libmicrohttpd. It gathers one request (method, path, the query
 * parameters the SMS API uses, the Authorization header, a body of at most
 * BODY_MAX bytes: a secret or a session request) and hands it to
 * decc_sms_handle(). Limits: body size (a larger
 * Content-Length is refused before the body is read; a chunked body is cut at the limit and
 * the rest discarded), header memory per connection, number of connections, idle timeout.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/file.h"
#include "decc/sms.h"

/* a secret value or a session request, whichever is larger */
#define BODY_MAX                                                                                   \
	(DECC_SMS_SECRET_MAX > DECC_SMS_SESSION_REQUEST_MAX ? DECC_SMS_SECRET_MAX                  \
							    : DECC_SMS_SESSION_REQUEST_MAX)
#define DISCARD_MAX (64 * 1024)	  /* body bytes read past the limit before closing */
#define HEADER_MEMORY (32 * 1024) /* per connection: request line + headers */
#define CONNECTION_TIMEOUT_S 30u  /* idle connections are closed */

struct decc_sms_server {
	struct MHD_Daemon *mhd;
	struct decc_sms_store *store;
	struct decc_sms_service *service;
	uint16_t port;
	bool created_key;
	void (*log)(void *ctx, const char *line);
	void *log_ctx;
};

struct req {
	struct decc_buf body;
	size_t discarded;
	bool truncated;
	unsigned status;
	char method[8];
	char path[256];
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

static enum MHD_Result queue(struct MHD_Connection *c, struct req *rq, unsigned status,
			     const char *ctype, const void *body, size_t n)
{
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(n, (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result r;

	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", ctype);
	rq->status = status;
	r = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return r;
}

static enum MHD_Result answer(struct decc_sms_server *srv, struct MHD_Connection *c, struct req *rq,
			      const char *url, const char *method)
{
	struct decc_sms_http_request hr = {
		.method = method,
		.path = url,
		.secret_address =
		    MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "secretAddress"),
		.owner_address =
		    MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "ownerAddress"),
		.secret_name = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "secretName"),
		.authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"),
		.body = rq->body.data,
		.body_len = rq->body.len,
		.body_truncated = rq->truncated,
	};
	struct decc_sms_response resp;
	enum MHD_Result r;

	if (decc_sms_handle(srv->service, &resp, &hr) < 0) {
		decc_buf_release(&resp.body);
		return queue(c, rq, 500, "text/plain", "internal error\n", 15);
	}
	if (resp.status >= 400)
		logf_(srv, "%s %s refused %u: %.*s", method, url, resp.status,
		      (int)(resp.body.len > 300 ? 300 : resp.body.len),
		      (const char *)resp.body.data);
	r = queue(c, rq, resp.status, resp.content_type, resp.body.data, resp.body.len);
	decc_buf_release(&resp.body);
	return r;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version, const char *upload_data,
			       size_t *upload_data_size, void **con_cls)
{
	struct decc_sms_server *srv = cls;
	struct req *rq = *con_cls;

	if (!rq) {
		const char *len = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");

		rq = calloc(1, sizeof(*rq));
		if (!rq)
			return MHD_NO;
		/* the secret lives in this buffer until the answer: wipe it */
		decc_buf_init_secret(&rq->body, BODY_MAX);
		snprintf(rq->method, sizeof(rq->method), "%s", method);
		snprintf(rq->path, sizeof(rq->path), "%s", url);
		*con_cls = rq;
		if (len && strtoull(len, NULL, 10) > BODY_MAX) {
			/* refuse before reading: the answer says why, the body is not read */
			rq->truncated = true;
			return answer(srv, c, rq, url, method);
		}
		return MHD_YES;
	}
	if (rq->status) { /* answered early: drop what still arrives */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		if (rq->truncated || rq->body.len + n > BODY_MAX) {
			rq->truncated = true;
			rq->discarded += n;
			return rq->discarded > DISCARD_MAX ? MHD_NO : MHD_YES;
		}
		return decc_buf_append(&rq->body, upload_data, n) == 0 ? MHD_YES : MHD_NO;
	}
	return answer(srv, c, rq, url, method);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct decc_sms_server *srv = cls;
	struct req *rq = *con_cls;

	if (!rq)
		return;
	logf_(srv, "%s %s %u%s", rq->method, rq->path, rq->status,
	      toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
	decc_buf_release(&rq->body);
	free(rq);
	*con_cls = NULL;
}

static int sockaddr_of(struct sockaddr_storage *ss, unsigned *flags, const char *host,
		       uint16_t port)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(host, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		DECC_ENSURE(inet_pton(AF_INET6, host, &a->sin6_addr) == 1, DECC_EINVAL,
			    "sms: '%s' is not an IP address to listen on", host);
		*flags |= MHD_USE_IPv6;
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
	const union MHD_DaemonInfo *info;
	unsigned flags =
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ITC;
	const char *host = o->host ? o->host : "127.0.0.1";
	int r;

	DECC_TRY(sockaddr_of(&ss, &flags, host, o->port));
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
	srv->mhd = MHD_start_daemon(
	    flags, 0, NULL, NULL, handler, srv, MHD_OPTION_SOCK_ADDR, &ss,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, srv, MHD_OPTION_CONNECTION_LIMIT,
	    o->max_connections ? o->max_connections : 256u, MHD_OPTION_CONNECTION_TIMEOUT,
	    CONNECTION_TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HEADER_MEMORY,
	    MHD_OPTION_END);
	if (!srv->mhd) {
		r = decc_error_set(DECC_ERROR,
				   "sms: cannot listen on %s:%u (address in use or not allowed): "
				   "choose another --listen",
				   host, (unsigned)o->port);
		decc_sms_server_stop(srv);
		return r;
	}
	srv->port = o->port;
	info = MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_LISTEN_FD);
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
	if (srv->mhd) {
		MHD_quiesce_daemon(srv->mhd);
		MHD_stop_daemon(srv->mhd);
	}
	decc_sms_service_free(srv->service);
	decc_sms_store_free(srv->store);
	free(srv);
}
