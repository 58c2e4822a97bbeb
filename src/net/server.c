/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP/1.1 server (decc/http_server.h), replacing libmicrohttpd in the daemons (it linked
 * GnuTLS and its dependencies into every process, for TLS the daemons never use).
 *
 * One accept thread, one thread per connection with a small stack: handlers may block (the
 * node waits for its block, the market for a remote chain) without holding up other clients.
 * A connection thread reads a head (bounded in size and time), hands it to begin(), reads the
 * body into a bounded buffer or a sink, calls handle(), writes the answer in one sendmsg when
 * it is in memory, and goes on with the next request while the connection stays alive.
 * Every connection polls a stop pipe next to its socket, so stopping wakes idle connections at
 * once while a request being handled still gets its answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "decc/error.h"
#include "decc/http_server.h"
#include "net/chunked.h"
#include "net/http_head.h"

#define IN_CAP DECC_HTTP_REQ_HEAD_MAX /* the read buffer: a whole head fits */
#define OUT_BLOCK (64 * 1024)	      /* reader responses are sent in blocks of this size */
#define LINGER_MS 2000		      /* closing with unread input: drained for at most this */
#define LINGER_BYTES (1024 * 1024)    /* ... or this many bytes */
#define FULL_WAIT_MS 1000	      /* at the cap: new connections wait this long for a slot */

struct decc_http_server {
	struct decc_http_server_opts o;
	int lfd;
	int stop_pipe[2];
	uint16_t port;
	pthread_t acceptor;
	pthread_attr_t attr;
	pthread_mutex_t lock;
	pthread_cond_t slot; /* a connection ended */
	struct conn *conns;
	unsigned nconns;
	atomic_bool stopping;
};

struct decc_http_req {
	struct conn *c;
	struct decc_http_req_head head;
	size_t body_max;
	unsigned body_flags;
	struct decc_buf body;
	bool too_large;
	int (*sink)(void *ctx, const uint8_t *p, size_t n);
	void *sink_ctx;
	void *user;
	/* the answer */
	unsigned status;
	bool responded;
	struct decc_buf rhead; /* extra header lines */
	struct decc_buf rbody;
	bool reader;
	uint64_t rsize;
	ssize_t (*read)(void *ctx, uint8_t *buf, size_t max);
	void (*free_ctx)(void *ctx);
	void *rctx;
};

struct conn {
	struct decc_http_server *s;
	int fd;
	pthread_t th;
	bool done;
	struct sockaddr_storage peer;
	uint8_t *in;
	size_t in_len;
	char *storage;
	struct decc_http_req rq;
	struct conn *next;
};

enum io {
	IO_OK,
	IO_EOF,
	IO_TIMEOUT,
	IO_STOP,
	IO_ERR
};

static const char *reason(unsigned st)
{
	switch (st) {
	case 100:
		return "Continue";
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 202:
		return "Accepted";
	case 204:
		return "No Content";
	case 206:
		return "Partial Content";
	case 301:
		return "Moved Permanently";
	case 302:
		return "Found";
	case 304:
		return "Not Modified";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 408:
		return "Request Timeout";
	case 409:
		return "Conflict";
	case 411:
		return "Length Required";
	case 413:
		return "Content Too Large";
	case 417:
		return "Expectation Failed";
	case 429:
		return "Too Many Requests";
	case 431:
		return "Request Header Fields Too Large";
	case 500:
		return "Internal Server Error";
	case 501:
		return "Not Implemented";
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	case 504:
		return "Gateway Timeout";
	default:
		return st < 300	  ? "OK"
		       : st < 400 ? "Redirect"
		       : st < 500 ? "Client Error"
				  : "Server Error";
	}
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Wait until fd is readable (or the server stops) for at most timeout_ms. */
static enum io wait_in(struct conn *c, int timeout_ms)
{
	struct pollfd p[2] = { { c->fd, POLLIN, 0 }, { c->s->stop_pipe[0], POLLIN, 0 } };
	int r;

	do
		r = poll(p, 2, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return IO_ERR;
	if (r == 0)
		return IO_TIMEOUT;
	if (p[0].revents)
		return IO_OK;
	return IO_STOP;
}

/* Read what is there (at least one byte) into the input buffer. */
static enum io fill(struct conn *c, int timeout_ms)
{
	enum io w;
	ssize_t n;

	if (c->in_len == IN_CAP)
		return IO_ERR;
	w = wait_in(c, timeout_ms);
	if (w != IO_OK)
		return w;
	do
		n = recv(c->fd, c->in + c->in_len, IN_CAP - c->in_len, 0);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return IO_EOF;
	if (n < 0)
		return IO_ERR;
	c->in_len += (size_t)n;
	return IO_OK;
}

static void consume(struct conn *c, size_t n)
{
	memmove(c->in, c->in + n, c->in_len - n);
	c->in_len -= n;
}

static int send_iov(struct conn *c, struct iovec *iov, int cnt)
{
	while (cnt > 0) {
		struct msghdr m = { .msg_iov = iov, .msg_iovlen = (size_t)cnt };
		ssize_t n = sendmsg(c->fd, &m, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return DECC_ERROR;
		while (cnt > 0 && (size_t)n >= iov->iov_len) {
			n -= (ssize_t)iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
	}
	return 0;
}

static int send_str(struct conn *c, const char *s)
{
	struct iovec iov = { (void *)s, strlen(s) };

	return send_iov(c, &iov, 1);
}

/* Close after an answer while the peer may still be sending: drain a little so that it sees
 * the answer instead of a reset. */
static void linger_close(struct conn *c)
{
	uint64_t end = now_ms() + LINGER_MS, got = 0;
	uint8_t buf[4096];

	shutdown(c->fd, SHUT_WR);
	while (got < LINGER_BYTES) {
		uint64_t t = now_ms();
		ssize_t n;

		if (t >= end || wait_in(c, (int)(end - t)) != IO_OK)
			break;
		n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n <= 0 && !(n < 0 && (errno == EINTR || errno == EAGAIN)))
			break;
		if (n > 0)
			got += (uint64_t)n;
	}
}

/* ---- the request API ---- */

const char *decc_http_req_method(const struct decc_http_req *rq)
{
	return rq->head.method;
}

const char *decc_http_req_path(const struct decc_http_req *rq)
{
	return rq->head.path;
}

const char *decc_http_req_query(const struct decc_http_req *rq, const char *name)
{
	return decc_http_req_head_arg(&rq->head, name);
}

const char *decc_http_req_header(const struct decc_http_req *rq, const char *name)
{
	return decc_http_req_head_header(&rq->head, name);
}

const struct sockaddr_storage *decc_http_req_peer(const struct decc_http_req *rq)
{
	return &rq->c->peer;
}

void decc_http_req_set_user(struct decc_http_req *rq, void *user)
{
	rq->user = user;
}

void *decc_http_req_user(const struct decc_http_req *rq)
{
	return rq->user;
}

const uint8_t *decc_http_req_body(const struct decc_http_req *rq, size_t *len)
{
	if (len)
		*len = rq->body.len;
	return rq->body.data;
}

bool decc_http_req_body_too_large(const struct decc_http_req *rq)
{
	return rq->too_large;
}

void decc_http_req_body_limit(struct decc_http_req *rq, size_t max, unsigned flags)
{
	rq->body_max = max;
	rq->body_flags = flags;
}

void decc_http_req_body_sink(struct decc_http_req *rq,
			     int (*sink)(void *ctx, const uint8_t *p, size_t n), void *ctx)
{
	rq->sink = sink;
	rq->sink_ctx = ctx;
}

static void drop_answer(struct decc_http_req *rq)
{
	if (rq->reader && rq->free_ctx)
		rq->free_ctx(rq->rctx);
	rq->reader = false;
	rq->free_ctx = NULL;
	decc_buf_release(&rq->rbody);
	rq->responded = false;
	rq->status = 0;
}

int decc_http_respond(struct decc_http_req *rq, unsigned status, const char *ctype,
		      const void *body, size_t n)
{
	struct decc_buf b = DECC_BUF_INIT;

	if (n && decc_buf_append(&b, body, n) < 0)
		return decc_error_set(DECC_ENOMEM, "http: out of memory for an answer");
	return decc_http_respond_buf(rq, status, ctype, &b);
}

static int set_ctype(struct decc_http_req *rq, const char *ctype)
{
	return ctype ? decc_http_reply_header(rq, "Content-Type", ctype) : 0;
}

int decc_http_respond_buf(struct decc_http_req *rq, unsigned status, const char *ctype,
			  struct decc_buf *b)
{
	int r;

	if (rq->responded) {
		decc_buf_release(b);
		return decc_error_set(DECC_EINVAL, "http: the request was already answered");
	}
	r = set_ctype(rq, ctype);
	if (r < 0) {
		decc_buf_release(b);
		return r;
	}
	rq->rbody = *b;
	*b = (struct decc_buf)DECC_BUF_INIT;
	rq->status = status;
	rq->responded = true;
	return 0;
}

int decc_http_respond_reader(struct decc_http_req *rq, unsigned status, const char *ctype,
			     uint64_t size, ssize_t (*read)(void *ctx, uint8_t *buf, size_t max),
			     void (*free_ctx)(void *ctx), void *ctx)
{
	int r = rq->responded
		    ? decc_error_set(DECC_EINVAL, "http: the request was already answered")
		    : set_ctype(rq, ctype);

	if (r < 0) {
		if (free_ctx)
			free_ctx(ctx);
		return r;
	}
	rq->reader = true;
	rq->rsize = size;
	rq->read = read;
	rq->free_ctx = free_ctx;
	rq->rctx = ctx;
	rq->status = status;
	rq->responded = true;
	return 0;
}

int decc_http_reply_header(struct decc_http_req *rq, const char *name, const char *value)
{
	DECC_ENSURE(name && value && *name && !strpbrk(name, "\r\n: ") && !strpbrk(value, "\r\n"),
		    DECC_EINVAL, "http: bad answer header");
	return decc_buf_appendf(&rq->rhead, "%s: %s\r\n", name, value);
}

unsigned decc_http_reply_status(const struct decc_http_req *rq)
{
	return rq->status;
}

/* ---- one request ---- */

static bool no_body_status(unsigned st)
{
	return (st >= 100 && st < 200) || st == 204 || st == 304;
}

/* Writes the answer; false when the connection must close (a send failed, a reader broke). */
static bool send_answer(struct conn *c, struct decc_http_req *rq, bool keep)
{
	bool head = strcmp(rq->head.method ? rq->head.method : "", "HEAD") == 0;
	bool nobody = no_body_status(rq->status);
	bool chunked = rq->reader && rq->rsize == DECC_HTTP_SIZE_UNKNOWN && !nobody;
	uint64_t len = rq->reader ? rq->rsize : rq->rbody.len;
	struct decc_buf h;
	struct iovec iov[2];
	uint8_t *block;
	uint64_t sent = 0;
	bool ok = false;

	if (!rq->responded)
		return false;
	if (chunked && rq->head.minor == 0)
		keep = false, chunked = false; /* HTTP/1.0: the body ends with the connection */
	decc_buf_init(&h, IN_CAP);
	if (decc_buf_appendf(&h, "HTTP/1.1 %u %s\r\n", rq->status, reason(rq->status)) < 0 ||
	    decc_buf_append(&h, rq->rhead.data, rq->rhead.len) < 0)
		goto out;
	if (!nobody) {
		if (chunked) {
			if (decc_buf_append_str(&h, "Transfer-Encoding: chunked\r\n") < 0)
				goto out;
		} else if (len != DECC_HTTP_SIZE_UNKNOWN &&
			   decc_buf_appendf(&h, "Content-Length: %llu\r\n",
					    (unsigned long long)len) < 0) {
			goto out;
		}
	}
	if (decc_buf_append_str(&h, !keep		  ? "Connection: close\r\n\r\n"
				    : rq->head.minor == 0 ? "Connection: keep-alive\r\n\r\n"
							  : "\r\n") < 0)
		goto out;
	iov[0] = (struct iovec){ h.data, h.len };
	if (!rq->reader || head || nobody) {
		int cnt = 1;

		if (!head && !nobody && rq->rbody.len)
			iov[cnt++] = (struct iovec){ rq->rbody.data, rq->rbody.len };
		ok = send_iov(c, iov, cnt) == 0;
		goto out;
	}
	if (send_iov(c, iov, 1) < 0)
		goto out;
	block = malloc(OUT_BLOCK);
	if (!block)
		goto out;
	for (;;) {
		size_t max = OUT_BLOCK;
		ssize_t n;

		if (!chunked && len != DECC_HTTP_SIZE_UNKNOWN) {
			if (sent == len) {
				ok = true;
				break;
			}
			if (len - sent < max)
				max = (size_t)(len - sent);
		}
		if (atomic_load(&c->s->stopping))
			break;
		n = rq->read(rq->rctx, block, max);
		if (n < 0 || (size_t)n > max)
			break;
		if (n == 0) {
			/* the end: fine for chunked and close-delimited bodies only */
			if (chunked)
				ok = send_str(c, "0\r\n\r\n") == 0;
			else
				ok = len == DECC_HTTP_SIZE_UNKNOWN;
			break;
		}
		if (chunked) {
			char sz[24];
			struct iovec v[3] = { { sz, 0 },
					      { block, (size_t)n },
					      { (void *)"\r\n", 2 } };

			v[0].iov_len = (size_t)snprintf(sz, sizeof(sz), "%zx\r\n", (size_t)n);
			if (send_iov(c, v, 3) < 0)
				break;
		} else {
			struct iovec v = { block, (size_t)n };

			if (send_iov(c, &v, 1) < 0)
				break;
		}
		sent += (uint64_t)n;
	}
	free(block);
	if (len == DECC_HTTP_SIZE_UNKNOWN && !chunked)
		ok = false; /* close-delimited: the close ends it */
out:
	decc_buf_release(&h);
	return ok;
}

struct body_ctx {
	struct decc_http_req *rq;
	bool overflow, sink_failed;
};

static int on_body(void *ctx, const uint8_t *p, size_t n)
{
	struct body_ctx *b = ctx;
	struct decc_http_req *rq = b->rq;

	if (rq->sink) {
		if (rq->sink(rq->sink_ctx, p, n) < 0) {
			b->sink_failed = true;
			return DECC_ERROR;
		}
		return 0;
	}
	if (decc_buf_append(&rq->body, p, n) < 0) {
		b->overflow = true;
		return DECC_ELIMIT;
	}
	return 0;
}

enum body_result {
	BODY_OK,
	BODY_TOO_LARGE,
	BODY_BAD,
	BODY_GONE
};

static enum body_result read_body(struct conn *c, struct decc_http_req *rq)
{
	int tmo = (int)c->s->o.idle_timeout_s * 1000;
	struct body_ctx b = { rq, false, false };

	if (rq->head.minor == 1 && rq->head.expect_continue &&
	    send_str(c, "HTTP/1.1 100 Continue\r\n\r\n") < 0)
		return BODY_GONE;
	if (rq->head.chunked) {
		struct decc_chunked ch;

		decc_chunked_init(&ch, 0);
		for (;;) {
			size_t used = 0;
			int r = decc_chunked_feed(&ch, c->in, c->in_len, &used, on_body, &b);

			consume(c, used);
			if (b.overflow)
				return BODY_TOO_LARGE;
			if (b.sink_failed)
				return BODY_GONE;
			if (r < 0)
				return BODY_BAD;
			if (ch.done)
				return BODY_OK;
			if (fill(c, tmo) != IO_OK)
				return BODY_GONE;
		}
	}
	for (uint64_t left = rq->head.length; left;) {
		size_t n = c->in_len < left ? c->in_len : (size_t)left;

		if (n) {
			int r = on_body(&b, c->in, n);

			consume(c, n);
			left -= n;
			if (b.overflow)
				return BODY_TOO_LARGE;
			if (r < 0)
				return BODY_GONE;
			continue;
		}
		if (fill(c, tmo) != IO_OK)
			return BODY_GONE;
	}
	return BODY_OK;
}

static void release_request(struct decc_http_req *rq)
{
	drop_answer(rq);
	decc_buf_release(&rq->body);
	decc_buf_release(&rq->rhead);
}

static void reset_request(struct conn *c)
{
	struct decc_http_req *rq = &c->rq;

	drop_answer(rq);
	decc_buf_release(&rq->body);
	decc_buf_release(&rq->rhead);
	memset(rq, 0, offsetof(struct decc_http_req, head));
	rq->c = c;
	rq->body = (struct decc_buf)DECC_BUF_INIT;
	rq->rhead = (struct decc_buf)DECC_BUF_INIT;
	rq->rbody = (struct decc_buf)DECC_BUF_INIT;
	rq->sink = NULL;
	rq->user = NULL;
	rq->too_large = false;
	decc_buf_init(&rq->rhead, IN_CAP);
}

static void simple_answer(struct conn *c, unsigned status, const char *msg)
{
	char buf[768];
	int n = snprintf(buf, sizeof(buf),
			 "HTTP/1.1 %u %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n%s\n",
			 status, reason(status), strlen(msg) + 1, msg);

	if (n > 0 && (size_t)n < sizeof(buf))
		(void)send_str(c, buf);
}

static void internal_error(struct decc_http_req *rq)
{
	drop_answer(rq);
	decc_buf_reset(&rq->rhead);
	if (decc_http_respond(rq, 500, "text/plain", "internal error\n", 15) < 0)
		rq->responded = false; /* nothing to send: the connection just closes */
}

/* Read, handle and answer one request; false when the connection is to be closed. */
static bool serve_one(struct conn *c)
{
	struct decc_http_server *s = c->s;
	struct decc_http_req *rq = &c->rq;
	uint64_t deadline = 0;
	size_t head_len = 0, scanned = 0;
	bool keep, linger = false, ok;
	int r = 0;

	/* the head: complete within the idle timeout of its first byte */
	for (;;) {
		enum io io;

		if (memchr(c->in + scanned, '\n', c->in_len - scanned)) {
			r = decc_http_parse_request_head(&rq->head, c->storage, IN_CAP + 1, c->in,
							 c->in_len, &head_len);
			if (r != DECC_EAGAIN)
				break;
		}
		scanned = c->in_len;
		if (c->in_len >= s->o.max_head) {
			simple_answer(c, 431, "request head too large");
			return false;
		}
		if (atomic_load(&s->stopping))
			return false;
		if (c->in_len && !deadline)
			deadline = now_ms() + (uint64_t)s->o.idle_timeout_s * 1000;
		if (deadline) {
			uint64_t t = now_ms();

			if (t >= deadline) {
				simple_answer(c, 408, "request head not received in time");
				return false;
			}
			io = fill(c, (int)(deadline - t));
		} else {
			io = fill(c, (int)s->o.idle_timeout_s * 1000);
		}
		if (io == IO_TIMEOUT && c->in_len)
			simple_answer(c, 408, "request head not received in time");
		if (io != IO_OK)
			return false;
	}
	if (r == 0 && head_len > s->o.max_head)
		r = decc_error_set(DECC_ELIMIT, "request head larger than %zu bytes",
				   s->o.max_head);
	if (r < 0) {
		simple_answer(c, r == DECC_ELIMIT ? 431 : 400, decc_error_last());
		return false;
	}
	consume(c, head_len);
	reset_request(c);
	rq->body_max = s->o.max_body;
	keep = rq->head.keep_alive;

	ok = false;
	if (s->o.begin && s->o.begin(s->o.ctx, rq) < 0) {
		internal_error(rq);
		keep = false;
		linger = true;
	}
	if (!rq->responded) {
		bool body = rq->head.chunked || rq->head.length;

		if (rq->body_flags & DECC_HTTP_BODY_SECRET)
			decc_buf_init_secret(&rq->body, rq->body_max);
		else
			decc_buf_init(&rq->body, rq->body_max);
		if (body && !rq->sink && rq->head.has_length && rq->head.length > rq->body_max) {
			rq->too_large = true; /* refused before reading (no 100 Continue) */
			keep = false;
			linger = true;
		} else if (body) {
			enum body_result br = read_body(c, rq);

			if (br == BODY_GONE)
				goto abandon;
			if (br == BODY_BAD) {
				simple_answer(c, 400, decc_error_last());
				goto abandon;
			}
			if (br == BODY_TOO_LARGE) {
				rq->too_large = true;
				keep = false;
				linger = true;
			}
		}
		if (rq->too_large) {
			decc_buf_release(&rq->body);
			if (rq->body_flags & DECC_HTTP_BODY_SECRET)
				decc_buf_init_secret(&rq->body, 0);
		}
		if (rq->too_large && !(rq->body_flags & DECC_HTTP_BODY_OVERFLOW_TO_HANDLER)) {
			char msg[96];
			int n =
			    snprintf(msg, sizeof(msg),
				     "request body too large: at most %zu bytes\n", rq->body_max);

			r = decc_http_respond(rq, 413, "text/plain", msg, (size_t)n);
		} else {
			r = s->o.handle(s->o.ctx, rq);
		}
		if (r < 0 || !rq->responded) {
			internal_error(rq);
			keep = false;
		}
	} else if (rq->head.chunked || rq->head.length) {
		keep = false; /* answered in begin(): the body is not read */
		linger = true;
	}
	if (atomic_load(&s->stopping))
		keep = false;
	ok = send_answer(c, rq, keep);
	if (s->o.done)
		s->o.done(s->o.ctx, rq, ok);
	release_request(rq); /* nothing (a reader's file, a large body) stays while idle */
	if (linger && ok)
		linger_close(c);
	return ok && keep;

abandon:
	if (s->o.done)
		s->o.done(s->o.ctx, rq, false);
	release_request(rq);
	return false;
}

static void *conn_main(void *arg)
{
	struct conn *c = arg;
	struct decc_http_server *s = c->s;

	while (serve_one(c))
		;
	drop_answer(&c->rq);
	decc_buf_release(&c->rq.body);
	decc_buf_release(&c->rq.rhead);
	close(c->fd);
	c->fd = -1;
	pthread_mutex_lock(&s->lock);
	c->done = true;
	s->nconns--;
	pthread_cond_signal(&s->slot);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static void free_conn(struct conn *c)
{
	free(c->in);
	free(c->storage);
	free(c);
}

/* Join the connection threads that ended (all of them when all is set). */
static void reap(struct decc_http_server *s, bool all)
{
	struct conn *dead = NULL, **pp;

	pthread_mutex_lock(&s->lock);
	for (pp = &s->conns; *pp;) {
		struct conn *c = *pp;

		if (all || c->done) {
			*pp = c->next;
			c->next = dead;
			dead = c;
		} else {
			pp = &c->next;
		}
	}
	pthread_mutex_unlock(&s->lock);
	while (dead) {
		struct conn *c = dead;

		dead = c->next;
		pthread_join(c->th, NULL);
		free_conn(c);
	}
}

static void refuse(int fd)
{
	static const char busy[] =
	    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
	    "Content-Length: 32\r\nConnection: close\r\n\r\n"
	    "too many connections: try later\n";
	uint8_t buf[4096];

	(void)!send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	shutdown(fd, SHUT_WR);
	(void)!recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	close(fd);
}

/*
 * While the server is at its cap, wait for a slot until FULL_WAIT_MS after it became full
 * (*full_since, kept by the caller); true when still full past that.
 */
static bool wait_slot(struct decc_http_server *s, uint64_t *full_since)
{
	bool full;

	pthread_mutex_lock(&s->lock);
	while (s->nconns >= s->o.max_connections && !atomic_load(&s->stopping)) {
		uint64_t now = now_ms(), end;
		struct timespec until;

		if (!*full_since)
			*full_since = now;
		end = *full_since + FULL_WAIT_MS;
		if (now >= end)
			break;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += (time_t)((end - now) / 1000);
		until.tv_nsec += (long)((end - now) % 1000) * 1000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&s->slot, &s->lock, &until);
	}
	full = s->nconns >= s->o.max_connections;
	if (!full)
		*full_since = 0;
	pthread_mutex_unlock(&s->lock);
	return full;
}

static void *accept_main(void *arg)
{
	struct decc_http_server *s = arg;
	uint64_t full_since = 0;

	while (!atomic_load(&s->stopping)) {
		struct pollfd p[2] = { { s->lfd, POLLIN, 0 }, { s->stop_pipe[0], POLLIN, 0 } };
		struct sockaddr_storage peer;
		socklen_t plen = sizeof(peer);
		struct timeval sndto = { .tv_sec = (time_t)s->o.idle_timeout_s };
		struct conn *c;
		int fd, one = 1;
		bool full;

		reap(s, false);
		/*
		 * At the cap, new connections wait in the listen backlog for a slot (clients that
		 * open a connection per request leave threads ending, not yet ended); still full
		 * after FULL_WAIT_MS, the next one is refused with a 503.
		 */
		full = wait_slot(s, &full_since);
		if (atomic_load(&s->stopping))
			break;
		if (poll(p, 2, full ? 100 : 1000) <= 0 || !p[0].revents)
			continue;
		fd = accept4(s->lfd, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM)
				usleep(10000); /* out of descriptors: let connections end */
			continue;
		}
		pthread_mutex_lock(&s->lock);
		full = s->nconns >= s->o.max_connections;
		pthread_mutex_unlock(&s->lock);
		if (full) {
			refuse(fd);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		/* a peer that stops reading an answer does not hold its thread for ever */
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &sndto, sizeof(sndto));
		c = calloc(1, sizeof(*c));
		if (c) {
			c->in = malloc(IN_CAP);
			c->storage = malloc(IN_CAP + 1);
		}
		if (!c || !c->in || !c->storage) {
			if (c)
				free_conn(c);
			close(fd);
			continue;
		}
		c->s = s;
		c->fd = fd;
		c->peer = peer;
		c->rq.c = c;
		c->rq.body = (struct decc_buf)DECC_BUF_INIT;
		c->rq.rhead = (struct decc_buf)DECC_BUF_INIT;
		c->rq.rbody = (struct decc_buf)DECC_BUF_INIT;
		pthread_mutex_lock(&s->lock);
		if (pthread_create(&c->th, &s->attr, conn_main, c) != 0) {
			pthread_mutex_unlock(&s->lock);
			free_conn(c);
			close(fd);
			continue;
		}
		s->nconns++;
		c->next = s->conns;
		s->conns = c;
		pthread_mutex_unlock(&s->lock);
	}
	return NULL;
}

/* ---- start and stop ---- */

int decc_http_server_start(struct decc_http_server **out, const struct decc_http_server_opts *o)
{
	struct decc_http_server *s;
	struct sockaddr_storage got;
	socklen_t glen = sizeof(got);
	pthread_condattr_t ca;
	int one = 1, e;

	DECC_ENSURE(o && o->addr && o->handle && o->addrlen <= sizeof(got), DECC_EINVAL,
		    "http server: an address and a handler are needed");
	s = calloc(1, sizeof(*s));
	if (!s)
		return decc_error_set(DECC_ENOMEM, "http server: out of memory");
	s->o = *o;
	if (!s->o.max_connections)
		s->o.max_connections = 256;
	if (!s->o.idle_timeout_s)
		s->o.idle_timeout_s = 60;
	if (!s->o.stack_size)
		s->o.stack_size = (size_t)256 << 10;
	if (!s->o.max_head || s->o.max_head > DECC_HTTP_REQ_HEAD_MAX)
		s->o.max_head = DECC_HTTP_REQ_HEAD_MAX;
	if (!s->o.max_body)
		s->o.max_body = (size_t)1 << 20;
	s->lfd = socket(o->addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->lfd < 0) {
		e = errno;
		free(s);
		return decc_error_set(DECC_ERROR, "http server: socket: %s", strerror(e));
	}
	setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s->lfd, o->addr, o->addrlen) < 0 || listen(s->lfd, 511) < 0 ||
	    getsockname(s->lfd, (struct sockaddr *)&got, &glen) < 0) {
		e = errno;
		close(s->lfd);
		free(s);
		return decc_error_set(DECC_ERROR, "http server: cannot listen: %s", strerror(e));
	}
	s->port = ntohs(got.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&got)->sin6_port
						  : ((struct sockaddr_in *)&got)->sin_port);
	if (pipe2(s->stop_pipe, O_CLOEXEC) < 0) {
		e = errno;
		close(s->lfd);
		free(s);
		return decc_error_set(DECC_ERROR, "http server: pipe: %s", strerror(e));
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->slot, &ca);
	pthread_condattr_destroy(&ca);
	pthread_attr_init(&s->attr);
	pthread_attr_setstacksize(&s->attr, s->o.stack_size);
	if (pthread_create(&s->acceptor, NULL, accept_main, s) != 0) {
		pthread_attr_destroy(&s->attr);
		pthread_cond_destroy(&s->slot);
		pthread_mutex_destroy(&s->lock);
		close(s->stop_pipe[0]);
		close(s->stop_pipe[1]);
		close(s->lfd);
		free(s);
		return decc_error_set(DECC_ERROR, "http server: cannot start the accept thread");
	}
	*out = s;
	return 0;
}

uint16_t decc_http_server_port(const struct decc_http_server *s)
{
	return s->port;
}

void decc_http_server_stop(struct decc_http_server *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	atomic_store(&s->stopping, true);
	pthread_cond_broadcast(&s->slot);
	pthread_mutex_unlock(&s->lock);
	(void)!write(s->stop_pipe[1], "x", 1);
	pthread_join(s->acceptor, NULL);
	close(s->lfd);
	reap(s, true);
	pthread_attr_destroy(&s->attr);
	pthread_cond_destroy(&s->slot);
	pthread_mutex_destroy(&s->lock);
	close(s->stop_pipe[0]);
	close(s->stop_pipe[1]);
	free(s);
}
