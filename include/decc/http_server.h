/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decc's HTTP/1.1 server (src/net/server.c), used by the node, the market, the store, the SMS
 * and the scheduler. Plain TCP, one accept thread and one thread per connection (a handler may
 * block, e.g. until its transaction's block is committed, without holding up other
 * connections), keep-alive with an idle timeout, pipelining, Content-Length and chunked request
 * bodies, Expect: 100-continue, responses from memory or from a reader callback.
 *
 * A request goes through three callbacks:
 *   begin(ctx, rq)   optional, once the head is parsed: pick the body limit or a streaming body
 *                    sink, keep per-request state (decc_http_req_set_user), or answer at once
 *                    (the body is then not read);
 *   handle(ctx, rq)  once the body is complete: answer with decc_http_respond*();
 *   done(ctx, rq, ok) optional, after the answer was sent (ok) or the request was abandoned.
 * A callback returning < 0 (or a handler that does not answer) closes the connection after a
 * 500. All strings handed out live until done() returns.
 */
#ifndef DECC_HTTP_SERVER_H
#define DECC_HTTP_SERVER_H

#include <sys/socket.h>
#include <sys/types.h>

#include "decc/buf.h"
#include "decc/common.h"

struct decc_http_server;
struct decc_http_req;

struct decc_http_server_opts {
	const struct sockaddr *addr; /* IPv4 or IPv6; port 0 = any free port */
	socklen_t addrlen;
	unsigned max_connections; /* 0: 256; over it a connection gets 503 and is closed */
	unsigned idle_timeout_s;  /* 0: 60; a connection silent that long is closed */
	size_t stack_size;	  /* 0: 256 KiB per connection thread */
	size_t max_head;	  /* request line + headers; 0 (and at most): 64 KiB, over: 431 */
	size_t max_body;	  /* buffered body limit unless begin() sets one; 0: 1 MiB */
	int (*begin)(void *ctx, struct decc_http_req *rq);
	int (*handle)(void *ctx, struct decc_http_req *rq);
	void (*done)(void *ctx, struct decc_http_req *rq, bool ok);
	void *ctx;
};

DECC_EXTERN DECC_MUST_USE int decc_http_server_start(struct decc_http_server **out,
						     const struct decc_http_server_opts *o);
/* The bound port (the real one when 0 was asked for). */
DECC_EXTERN uint16_t decc_http_server_port(const struct decc_http_server *s);
/*
 * Stop accepting, let requests being handled finish their answer, close every connection,
 * join all threads and free the server. NULL is a no-op.
 */
DECC_EXTERN void decc_http_server_stop(struct decc_http_server *s);

/* ---- the request ---- */
DECC_EXTERN const char *decc_http_req_method(const struct decc_http_req *rq);
/* The path, %-decoded, without the query string. */
DECC_EXTERN const char *decc_http_req_path(const struct decc_http_req *rq);
/* A query argument ('+' and %XX decoded); NULL when absent or given without '='. */
DECC_EXTERN const char *decc_http_req_query(const struct decc_http_req *rq, const char *name);
/* A request header, name case-insensitive (the first one of that name); NULL when absent. */
DECC_EXTERN const char *decc_http_req_header(const struct decc_http_req *rq, const char *name);
DECC_EXTERN const struct sockaddr_storage *decc_http_req_peer(const struct decc_http_req *rq);
DECC_EXTERN void decc_http_req_set_user(struct decc_http_req *rq, void *user);
DECC_EXTERN void *decc_http_req_user(const struct decc_http_req *rq);

/* The buffered body (NUL-terminated, never NULL); empty with a sink or when too large. */
DECC_EXTERN const uint8_t *decc_http_req_body(const struct decc_http_req *rq, size_t *len);
/* The body was larger than the limit (only seen with DECC_HTTP_BODY_OVERFLOW_TO_HANDLER). */
DECC_EXTERN bool decc_http_req_body_too_large(const struct decc_http_req *rq);

enum {
	/* a body over the limit still calls handle() (decc_http_req_body_too_large() is true,
	 * the body is empty) instead of the server answering 413 */
	DECC_HTTP_BODY_OVERFLOW_TO_HANDLER = 1u << 0,
	/* the body buffer is wiped when freed (secrets) */
	DECC_HTTP_BODY_SECRET = 1u << 1,
};
/* In begin(): the body limit of this request (0: bodies are refused with 413) and flags. */
DECC_EXTERN void decc_http_req_body_limit(struct decc_http_req *rq, size_t max, unsigned flags);
/*
 * In begin(): stream the body to sink as it arrives instead of buffering it. A sink returning
 * < 0 abandons the request (the connection is closed, done() gets ok = false).
 */
DECC_EXTERN void decc_http_req_body_sink(struct decc_http_req *rq,
					 int (*sink)(void *ctx, const uint8_t *p, size_t n),
					 void *ctx);

/* ---- the answer (one per request) ---- */
/* A body copied from memory; ctype NULL: no Content-Type. */
DECC_EXTERN DECC_MUST_USE int decc_http_respond(struct decc_http_req *rq, unsigned status,
						const char *ctype, const void *body, size_t n);
/* The buffer's memory is taken (b is left empty), also on failure. */
DECC_EXTERN DECC_MUST_USE int decc_http_respond_buf(struct decc_http_req *rq, unsigned status,
						    const char *ctype, struct decc_buf *b);
/*
 * A body produced by read(ctx, buf, max): > 0 bytes written, 0 the end, < 0 an error (the
 * connection is closed mid-body). size is the Content-Length, or DECC_HTTP_SIZE_UNKNOWN for
 * chunked encoding. free_ctx(ctx), if given, runs once the body is no longer needed (always,
 * also when this call fails).
 */
#define DECC_HTTP_SIZE_UNKNOWN UINT64_MAX
DECC_EXTERN DECC_MUST_USE int
decc_http_respond_reader(struct decc_http_req *rq, unsigned status, const char *ctype,
			 uint64_t size, ssize_t (*read)(void *ctx, uint8_t *buf, size_t max),
			 void (*free_ctx)(void *ctx), void *ctx);
/* An extra header of the answer (before or after decc_http_respond*). */
DECC_EXTERN DECC_MUST_USE int decc_http_reply_header(struct decc_http_req *rq, const char *name,
						     const char *value);
/* The answer's status (0 while none). */
DECC_EXTERN unsigned decc_http_reply_status(const struct decc_http_req *rq);

#endif
