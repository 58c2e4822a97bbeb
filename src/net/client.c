/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP/1.1 client (include/decc/http_client.h). It replaced a general-purpose HTTP library
 * that mapped some twenty shared libraries into every daemon and set up OpenSSL at start, and
 * whose handle per request meant a new TCP connection (and a new server thread) per request.
 *
 * Blocking calls on non-blocking sockets: every wait is a poll() bounded by the connect
 * timeout or the request's deadline. Connections that the server keeps open wait in a small
 * per-thread cache keyed by scheme + authority; a request that fails on a reused connection
 * before any byte of the answer came back (the server closed it while it was idle) is sent
 * again once on a fresh connection. The framing is parsed by src/net/parse.c and
 * src/net/chunked.c, both pure and fuzzed.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "decc/error.h"
#include "decc/http_client.h"
#include "decc/tls.h"
#include "net/chunked.h"

#define RBUF 16384
#define CACHE_SLOTS 4
#define REDIRECT_BODY_MAX (1u << 20) /* a redirect's body is read (and dropped) up to this */
#define RETRY 1			     /* internal: the reused connection was stale */

struct conn {
	int fd;
	struct decc_tls *tls;
	char key[320];
	size_t pos, len; /* unread bytes in buf */
	size_t cap;	 /* RBUF, grown up to DECC_HTTP_HEAD_MAX for a long head */
	bool reused;
	uint8_t *buf;
};

struct cache {
	struct conn *idle[CACHE_SLOTS];
};

static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static pthread_key_t cache_key;

static void conn_free(struct conn *c)
{
	if (!c)
		return;
	decc_tls_free(c->tls);
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	free(c);
}

static void cache_destroy(void *p)
{
	struct cache *k = p;

	for (size_t i = 0; i < CACHE_SLOTS; i++)
		conn_free(k->idle[i]);
	free(k);
}

static void cache_key_init(void)
{
	(void)pthread_key_create(&cache_key, cache_destroy);
}

static struct cache *cache_get(bool create)
{
	struct cache *k;

	pthread_once(&cache_once, cache_key_init);
	k = pthread_getspecific(cache_key);
	if (!k && create) {
		k = calloc(1, sizeof(*k));
		if (k && pthread_setspecific(cache_key, k) != 0) {
			free(k);
			k = NULL;
		}
	}
	return k;
}

void decc_http_client_drop_cache(void)
{
	struct cache *k = cache_get(false);

	if (!k)
		return;
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		conn_free(k->idle[i]);
		k->idle[i] = NULL;
	}
}

/* An idle connection for key that still looks open (nothing readable: no EOF, no junk). */
static struct conn *cache_take(const char *key)
{
	struct cache *k = cache_get(false);

	if (!k)
		return NULL;
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		struct conn *c = k->idle[i];
		struct pollfd pfd;

		if (!c || strcmp(c->key, key) != 0)
			continue;
		k->idle[i] = NULL;
		pfd.fd = c->fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, 0) != 0) {
			conn_free(c);
			continue;
		}
		c->reused = true;
		return c;
	}
	return NULL;
}

static void cache_put(struct conn *c)
{
	struct cache *k = cache_get(true);

	if (!k) {
		conn_free(c);
		return;
	}
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		if (!k->idle[i]) {
			k->idle[i] = c;
			return;
		}
	}
	/* full: the oldest goes */
	conn_free(k->idle[0]);
	memmove(&k->idle[0], &k->idle[1], sizeof(k->idle[0]) * (CACHE_SLOTS - 1));
	k->idle[CACHE_SLOTS - 1] = c;
}

/* ---- waiting ---- */

static uint64_t deadline_after(unsigned ms)
{
	return ms ? decc_monotonic_ms() + ms : 0;
}

static uint64_t earliest(uint64_t a, uint64_t b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return a < b ? a : b;
}

/* poll one fd until deadline: 1 ready, 0 timed out, <0 error */
static int wait_fd(int fd, short events, uint64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	for (;;) {
		int left = -1, k;

		if (deadline) {
			uint64_t now = decc_monotonic_ms();

			if (now >= deadline)
				return 0;
			left = (int)(deadline - now > 1000000 ? 1000000 : deadline - now);
		}
		k = poll(&pfd, 1, left);
		if (k > 0)
			return 1;
		if (k == 0 && deadline)
			continue; /* re-check the clock */
		if (k < 0 && errno != EINTR)
			return decc_error_set(DECC_ERROR, "poll: %s", strerror(errno));
	}
}

/* ---- connecting ---- */

static int connect_one(int *out, const struct addrinfo *ai, uint64_t deadline)
{
	int fd =
	    socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	int one = 1, err = 0, k;
	socklen_t len = sizeof(err);

	if (fd < 0)
		return -errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		if (errno != EINPROGRESS) {
			err = errno;
			close(fd);
			return -err;
		}
		k = wait_fd(fd, POLLOUT, deadline);
		if (k <= 0) {
			close(fd);
			return k == 0 ? -ETIMEDOUT : -EIO;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err) {
			close(fd);
			return -err;
		}
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	*out = fd;
	return 0;
}

/* ---- name resolution, bounded ----
 * getaddrinfo() has no timeout: a host name whose DNS server does not answer would hold the
 * request past its deadline. A numeric host is converted at once; a name is resolved on a
 * detached thread while the caller waits at most until cdl. The job is shared: whoever of the
 * two lets go last frees it, so a caller that gave up leaves the thread nothing to write to.
 */
struct resolve_job {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int refs;
	bool done;
	int rc, err; /* getaddrinfo's code, errno for EAI_SYSTEM */
	struct addrinfo *res;
	char host[256], port[8];
};

static void resolve_job_put(struct resolve_job *j)
{
	bool last;

	pthread_mutex_lock(&j->lock);
	last = --j->refs == 0;
	pthread_mutex_unlock(&j->lock);
	if (!last)
		return;
	if (j->res)
		freeaddrinfo(j->res);
	pthread_cond_destroy(&j->cond);
	pthread_mutex_destroy(&j->lock);
	free(j);
}

static void *resolve_main(void *arg)
{
	const struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	struct resolve_job *j = arg;
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(j->host, j->port, &hints, &res);
	int err = errno;

	pthread_mutex_lock(&j->lock);
	j->rc = rc;
	j->err = err;
	j->res = rc == 0 ? res : NULL;
	j->done = true;
	pthread_cond_signal(&j->cond);
	pthread_mutex_unlock(&j->lock);
	resolve_job_put(j);
	return NULL;
}

static int resolve(struct addrinfo **out, const char *host, const char *port, uint64_t cdl)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV | AI_NUMERICHOST };
	uint64_t start = decc_monotonic_ms();
	struct resolve_job *j;
	pthread_attr_t attr;
	pthread_t t;
	int rc;

	if (getaddrinfo(host, port, &hints, out) == 0)
		return 0; /* an address, no lookup */
	DECC_ENSURE(strlen(host) < sizeof(j->host), DECC_ELIMIT, "host name too long");
	j = calloc(1, sizeof(*j));
	if (!j)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->cond, NULL);
	j->refs = 2;
	snprintf(j->host, sizeof(j->host), "%s", host);
	snprintf(j->port, sizeof(j->port), "%s", port);
	rc = pthread_attr_init(&attr);
	if (rc == 0) {
		(void)pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		(void)pthread_attr_setstacksize(&attr, 256u << 10);
		rc = pthread_create(&t, &attr, resolve_main, j);
		pthread_attr_destroy(&attr);
	}
	if (rc != 0) {
		j->refs = 1;
		resolve_job_put(j);
		return decc_error_set(DECC_ERROR, "cannot resolve host %s: no thread: %s", host,
				      strerror(rc));
	}
	pthread_mutex_lock(&j->lock);
	while (!j->done) {
		struct timespec ts;
		uint64_t now = decc_monotonic_ms();

		if (cdl && now >= cdl)
			break;
		if (!cdl) {
			pthread_cond_wait(&j->cond, &j->lock);
			continue;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += (time_t)((cdl - now) / 1000u);
		ts.tv_nsec += (long)((cdl - now) % 1000u) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		(void)pthread_cond_timedwait(&j->cond, &j->lock, &ts);
	}
	if (!j->done) {
		pthread_mutex_unlock(&j->lock);
		resolve_job_put(j);
		return decc_error_set(DECC_EAGAIN, "cannot resolve host %s: no answer in %llu ms",
				      host, (unsigned long long)(decc_monotonic_ms() - start));
	}
	rc = j->rc;
	if (rc == 0) {
		*out = j->res;
		j->res = NULL;
	}
	pthread_mutex_unlock(&j->lock);
	if (rc != 0) {
		int err = j->err;

		resolve_job_put(j);
		return decc_error_set(DECC_ERROR, "cannot resolve host %s: %s", host,
				      rc == EAI_SYSTEM ? strerror(err) : gai_strerror(rc));
	}
	resolve_job_put(j);
	return 0;
}

static int conn_open(struct conn **out, const struct decc_http_url *u, const char *key,
		     unsigned connect_ms, uint64_t deadline)
{
	struct addrinfo *res = NULL;
	uint64_t cdl = earliest(deadline, deadline_after(connect_ms));
	char port[8];
	struct conn *c;
	int fd = -1, err = 0;

	snprintf(port, sizeof(port), "%u", u->port);
	DECC_TRY(resolve(&res, u->host, port, cdl));
	for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		err = connect_one(&fd, ai, cdl);
		if (err == 0 || err == -ETIMEDOUT)
			break;
	}
	freeaddrinfo(res);
	if (err == -ETIMEDOUT)
		return deadline && deadline < deadline_after(connect_ms)
			   ? decc_error_set(DECC_EAGAIN,
					    "connect to %s: the request's deadline passed",
					    u->authority)
			   : decc_error_set(DECC_EAGAIN, "connect to %s: timed out after %u ms",
					    u->authority, connect_ms);
	if (err < 0)
		return decc_error_set(DECC_ERROR, "connect to %s: %s", u->authority,
				      strerror(-err));
	c = malloc(sizeof(*c));
	if (c)
		c->buf = malloc(RBUF);
	if (!c || !c->buf) {
		free(c);
		close(fd);
		return decc_error_set(DECC_ENOMEM, "out of memory");
	}
	c->cap = RBUF;
	c->fd = fd;
	c->tls = NULL;
	c->pos = c->len = 0;
	c->reused = false;
	snprintf(c->key, sizeof(c->key), "%s", key);
	if (u->tls) {
		int r = decc_tls_connect(&c->tls, fd, u->host, cdl);

		if (r < 0) {
			conn_free(c);
			return r;
		}
	}
	*out = c;
	return 0;
}

/* ---- I/O ---- */

static int timed_out(uint64_t deadline, unsigned timeout_ms)
{
	(void)deadline;
	return decc_error_set(DECC_EAGAIN, "timed out after %u ms", timeout_ms);
}

static int conn_write(struct conn *c, const void *buf, size_t n, uint64_t deadline,
		      unsigned timeout_ms)
{
	const uint8_t *p = buf;

	if (c->tls) {
		int r = decc_tls_write(c->tls, buf, n, deadline);

		if (r == DECC_EAGAIN)
			return timed_out(deadline, timeout_ms);
		return r;
	}
	while (n > 0) {
		ssize_t k = send(c->fd, p, n, MSG_NOSIGNAL);

		if (k > 0) {
			p += k;
			n -= (size_t)k;
			continue;
		}
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			int w = wait_fd(c->fd, POLLOUT, deadline);

			if (w < 0)
				return w;
			if (w == 0)
				return timed_out(deadline, timeout_ms);
			continue;
		}
		return decc_error_set(DECC_ERROR, "send: %s", strerror(errno));
	}
	return 0;
}

/* More bytes into c->buf; *got = 0 at the end of the stream. */
static int conn_fill(struct conn *c, uint64_t deadline, unsigned timeout_ms, size_t *got)
{
	if (c->pos == c->len) {
		c->pos = c->len = 0;
	} else if (c->pos > 0) {
		memmove(c->buf, c->buf + c->pos, c->len - c->pos);
		c->len -= c->pos;
		c->pos = 0;
	}
	if (c->len == c->cap) {
		/* only a response head that is not complete yet needs more than RBUF */
		uint8_t *nb;

		if (c->cap >= DECC_HTTP_HEAD_MAX)
			return decc_error_set(DECC_ELIMIT,
					      "HTTP response: head longer than %d bytes",
					      DECC_HTTP_HEAD_MAX);
		nb = realloc(c->buf, DECC_HTTP_HEAD_MAX);
		if (!nb)
			return decc_error_set(DECC_ENOMEM, "out of memory");
		c->buf = nb;
		c->cap = DECC_HTTP_HEAD_MAX;
	}
	if (c->tls) {
		int r = decc_tls_read(c->tls, c->buf + c->len, c->cap - c->len, got, deadline);

		if (r == DECC_EAGAIN)
			return timed_out(deadline, timeout_ms);
		if (r < 0)
			return r;
		c->len += *got;
		return 0;
	}
	for (;;) {
		ssize_t k = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);

		if (k >= 0) {
			c->len += (size_t)k;
			*got = (size_t)k;
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			int w = wait_fd(c->fd, POLLIN, deadline);

			if (w < 0)
				return w;
			if (w == 0)
				return timed_out(deadline, timeout_ms);
			continue;
		}
		return decc_error_set(DECC_ERROR, "recv: %s", strerror(errno));
	}
}

/* ---- one exchange ---- */

static bool is_redirect(int status)
{
	return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

struct exchange {
	const struct decc_http_request *req;
	const struct decc_http_url *u;
	const char *method;
	uint64_t deadline;
	bool follow;  /* redirects are followed */
	bool discard; /* a redirect: the body is dropped */
	uint64_t limit;
	uint64_t received;
	struct decc_http_response *resp;
};

static bool header_ok(const char *h)
{
	return strpbrk(h, "\r\n") == NULL && strchr(h, ':') != NULL;
}

static int build_head(struct decc_buf *b, const struct exchange *x, bool streamed_chunked)
{
	const struct decc_http_request *q = x->req;
	bool has_body = q->read_body || q->body_len > 0 ||
			(strcmp(x->method, "GET") != 0 && strcmp(x->method, "HEAD") != 0 &&
			 strcmp(x->method, "DELETE") != 0 && strcmp(x->method, "OPTIONS") != 0);

	DECC_TRY(decc_buf_appendf(b, "%s %s HTTP/1.1\r\nHost: %s\r\n", x->method, x->u->target,
				  x->u->authority));
	for (size_t i = 0; q->headers && q->headers[i]; i++) {
		if (!header_ok(q->headers[i]))
			return decc_error_set(DECC_EINVAL, "HTTP request: bad header line %.60s",
					      q->headers[i]);
		DECC_TRY(decc_buf_appendf(b, "%s\r\n", q->headers[i]));
	}
	if (streamed_chunked)
		DECC_TRY(decc_buf_append_str(b, "Transfer-Encoding: chunked\r\n"));
	else if (has_body)
		DECC_TRY(decc_buf_appendf(
		    b, "Content-Length: %llu\r\n",
		    (unsigned long long)(q->read_body ? (uint64_t)q->body_size : q->body_len)));
	if (q->no_reuse)
		DECC_TRY(decc_buf_append_str(b, "Connection: close\r\n"));
	return decc_buf_append_str(b, "\r\n");
}

static int send_streamed(struct conn *c, const struct exchange *x, bool chunked, bool *net)
{
	const struct decc_http_request *q = x->req;
	uint8_t *buf = malloc(RBUF + 32);
	uint64_t sent = 0;
	int r = 0;

	if (!buf)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	for (;;) {
		size_t got = 0, off = chunked ? 12 : 0;

		r = q->read_body(q->read_ctx, buf + off, RBUF, &got);
		if (r < 0)
			break;
		if (got > RBUF) {
			r = decc_error_set(DECC_EINVAL, "HTTP request: body reader overran");
			break;
		}
		if (!chunked && sent + got > (uint64_t)q->body_size) {
			r = decc_error_set(DECC_EINVAL,
					   "HTTP request: the body is longer than its %lld bytes",
					   (long long)q->body_size);
			break;
		}
		if (chunked) {
			char h[12];
			int hl = snprintf(h, sizeof(h), "%zx\r\n", got);

			memcpy(buf + off - (size_t)hl, h, (size_t)hl);
			memcpy(buf + off + got, "\r\n", 2);
			if (got == 0)
				memcpy(buf + off + 2, "\r\n", 2); /* 0 CRLF CRLF */
			r = conn_write(c, buf + off - (size_t)hl, (size_t)hl + got + (got ? 2 : 4),
				       x->deadline, q->timeout_ms);
			*net = r < 0;
		} else if (got) {
			r = conn_write(c, buf, got, x->deadline, q->timeout_ms);
			*net = r < 0;
		}
		if (r < 0 || got == 0)
			break;
		sent += got;
	}
	if (r == 0 && !chunked && sent != (uint64_t)q->body_size)
		r = decc_error_set(DECC_EINVAL,
				   "HTTP request: the body ended after %llu of its %lld bytes",
				   (unsigned long long)sent, (long long)q->body_size);
	free(buf);
	return r;
}

static int deliver(void *ctx, const uint8_t *p, size_t n)
{
	struct exchange *x = ctx;
	const struct decc_http_request *q = x->req;

	if (n == 0)
		return 0;
	if (x->limit && (n > x->limit || x->received > x->limit - n)) {
		if (x->discard)
			return decc_error_set(DECC_ELIMIT, "redirect body too large");
		return decc_error_set(DECC_ELIMIT, "response too large (more than %llu bytes)",
				      (unsigned long long)x->limit);
	}
	x->received += n;
	if (x->discard)
		return 0;
	if (q->on_body)
		return q->on_body(q->body_ctx, x->resp, p, n);
	if (q->out) {
		int r = decc_buf_append(q->out, p, n);

		if (r == DECC_ELIMIT)
			return decc_error_set(
			    DECC_ELIMIT, "response too large (more than %zu bytes)", q->out->max);
		return r;
	}
	return 0;
}

/* Read a response head, skipping 1xx. RETRY when a reused connection had been closed. */
static int read_head(struct conn *c, struct exchange *x, struct decc_http_response *resp,
		     bool *any_byte)
{
	for (;;) {
		size_t used = 0, got = 0;
		int r;

		if (c->len > c->pos) {
			*any_byte = true;
			r = decc_http_parse_head(resp, c->buf + c->pos, c->len - c->pos, &used);
			if (r == 0) {
				c->pos += used;
				if (resp->status >= 100 && resp->status < 200) {
					if (resp->status == 101) {
						decc_http_response_clear(resp);
						return decc_error_set(DECC_EINVAL,
								      "HTTP response: unexpected "
								      "protocol switch");
					}
					decc_http_response_clear(resp);
					continue;
				}
				return 0;
			}
			if (r != DECC_EAGAIN)
				return r;
		}
		r = conn_fill(c, x->deadline, x->req->timeout_ms, &got);
		if (r < 0) {
			if (c->reused && !*any_byte && r != DECC_EAGAIN)
				return RETRY;
			return r;
		}
		if (got == 0) {
			if (c->reused && !*any_byte)
				return RETRY;
			return decc_error_set(
			    DECC_ERROR, "%s closed the connection %s", x->u->authority,
			    *any_byte ? "in the middle of the answer" : "without answering");
		}
	}
}

static int read_body(struct conn *c, struct exchange *x, struct decc_http_response *resp,
		     bool *reusable)
{
	const struct decc_http_request *q = x->req;
	bool head = strcmp(x->method, "HEAD") == 0;
	size_t got = 0;
	int r;

	if (head || resp->status == 204 || resp->status == 304)
		return 0;
	if (!x->discard && resp->content_length >= 0 && x->limit &&
	    (uint64_t)resp->content_length > x->limit) {
		*reusable = false;
		return decc_error_set(
		    DECC_ELIMIT, "response too large (%lld bytes, more than %llu)",
		    (long long)resp->content_length, (unsigned long long)x->limit);
	}
	if (resp->chunked) {
		struct decc_chunked ch;

		decc_chunked_init(&ch, 0);
		for (;;) {
			size_t used = 0;

			if (c->len > c->pos) {
				r = decc_chunked_feed(&ch, c->buf + c->pos, c->len - c->pos, &used,
						      deliver, x);
				c->pos += used;
				if (r < 0) {
					*reusable = false;
					return r;
				}
				if (ch.done)
					return 0;
			}
			r = conn_fill(c, x->deadline, q->timeout_ms, &got);
			if (r == 0 && got == 0)
				r = decc_error_set(DECC_ERROR,
						   "%s closed the connection in the middle of a "
						   "chunked answer",
						   x->u->authority);
			if (r < 0) {
				*reusable = false;
				return r;
			}
		}
	}
	if (resp->content_length >= 0) {
		uint64_t left = (uint64_t)resp->content_length;

		while (left > 0) {
			size_t take = c->len - c->pos;

			if (take) {
				if ((uint64_t)take > left)
					take = (size_t)left;
				r = deliver(x, c->buf + c->pos, take);
				c->pos += take;
				left -= take;
				if (r < 0) {
					*reusable = false;
					return r;
				}
				continue;
			}
			r = conn_fill(c, x->deadline, q->timeout_ms, &got);
			if (r == 0 && got == 0)
				r = decc_error_set(
				    DECC_ERROR,
				    "%s closed the connection with %llu bytes of the "
				    "answer missing",
				    x->u->authority, (unsigned long long)left);
			if (r < 0) {
				*reusable = false;
				return r;
			}
		}
		return 0;
	}
	/* neither: the body runs until the server closes */
	*reusable = false;
	for (;;) {
		if (c->len > c->pos) {
			r = deliver(x, c->buf + c->pos, c->len - c->pos);
			c->pos = c->len;
			if (r < 0)
				return r;
		}
		r = conn_fill(c, x->deadline, q->timeout_ms, &got);
		if (r < 0)
			return r;
		if (got == 0)
			return 0;
	}
}

/*
 * One request on one connection (taken from the cache or opened). 0 with the response, RETRY
 * when a reused connection turned out closed before answering, or an error.
 */
static int exchange_once(struct exchange *x, struct decc_http_response *resp, bool allow_reuse)
{
	const struct decc_http_request *q = x->req;
	bool streamed_chunked = q->read_body && q->body_size < 0;
	bool any_byte = false, reusable = !q->no_reuse;
	struct decc_buf head = DECC_BUF_INIT;
	struct conn *c = NULL;
	char key[320];
	int r, werr = 0;
	bool net = false;

	snprintf(key, sizeof(key), "%s://%s", x->u->tls ? "https" : "http", x->u->authority);
	r = build_head(&head, x, streamed_chunked);
	if (r < 0)
		goto out;
	if (allow_reuse)
		c = cache_take(key);
	if (!c) {
		unsigned cms =
		    q->connect_timeout_ms ? q->connect_timeout_ms : DECC_HTTP_CONNECT_TIMEOUT_MS;

		r = conn_open(&c, x->u, key, cms, x->deadline);
		if (r < 0) {
			c = NULL;
			goto out;
		}
	}
	/* the head and a small body in one write */
	if (!q->read_body && q->body_len > 0 && q->body_len <= 65536) {
		r = decc_buf_append(&head, q->body, q->body_len);
		if (r < 0)
			goto out;
	}
	r = conn_write(c, head.data, head.len, x->deadline, q->timeout_ms);
	if (r == 0 && !q->read_body && q->body_len > 65536)
		r = conn_write(c, q->body, q->body_len, x->deadline, q->timeout_ms);
	net = r < 0;
	if (r == 0 && q->read_body)
		r = send_streamed(c, x, streamed_chunked, &net);
	if (r < 0) {
		/* the server may have answered and closed early (413...): read that answer */
		if (r == DECC_EAGAIN || !net)
			goto out;
		if (c->reused) {
			r = RETRY;
			goto out;
		}
		werr = r;
		reusable = false;
	}
	r = read_head(c, x, resp, &any_byte);
	if (r != 0) {
		if (werr && r != RETRY)
			r = werr;
		goto out;
	}
	x->discard = x->follow && is_redirect(resp->status) && decc_http_header(resp, "Location");
	if (x->discard)
		x->limit = REDIRECT_BODY_MAX;
	else if (q->on_body || !q->out)
		x->limit = q->max_body;
	else
		x->limit = q->out->max > q->out->len ? q->out->max - q->out->len : 0;
	r = read_body(c, x, resp, &reusable);
	if (r == DECC_ELIMIT && x->discard)
		r = 0; /* a big redirect body: not read to its end, the connection is dropped */
	if (r < 0) {
		decc_http_response_clear(resp);
		goto out;
	}
	if (resp->close || c->pos != c->len)
		reusable = false;
out:
	if (c) {
		if (r == 0 && reusable)
			cache_put(c);
		else
			conn_free(c);
	}
	decc_buf_release(&head);
	return r;
}

/* Resolve Location against the current URL into next. */
static int resolve_location(char *next, size_t cap, const struct decc_http_url *u, const char *loc)
{
	const char *scheme = u->tls ? "https" : "http";
	int k;

	if (strncasecmp(loc, "http://", 7) == 0 || strncasecmp(loc, "https://", 8) == 0) {
		k = snprintf(next, cap, "%s", loc);
	} else if (loc[0] == '/' && loc[1] == '/') {
		k = snprintf(next, cap, "%s:%s", scheme, loc);
	} else if (loc[0] == '/') {
		k = snprintf(next, cap, "%s://%s%s", scheme, u->authority, loc);
	} else if (strchr(loc, ':') && strcspn(loc, ":") < strcspn(loc, "/?#")) {
		return decc_error_set(DECC_EINVAL, "redirect to an unsupported URL %.200s", loc);
	} else {
		size_t dir = strcspn(u->target, "?");

		while (dir > 0 && u->target[dir - 1] != '/')
			dir--;
		k = snprintf(next, cap, "%s://%s%.*s%s", scheme, u->authority, (int)dir, u->target,
			     loc);
	}
	if (k < 0 || (size_t)k >= cap)
		return decc_error_set(DECC_ELIMIT, "redirect URL too long");
	return 0;
}

int decc_http_request(struct decc_http_response *resp, const struct decc_http_request *req)
{
	struct decc_http_response r;
	struct decc_http_url u;
	char url[2048];
	unsigned hops = 0;
	const char *method = req->method;
	uint64_t deadline = deadline_after(req->timeout_ms);
	int rc;

	memset(resp, 0, sizeof(*resp));
	resp->content_length = -1;
	memset(&r, 0, sizeof(r));
	if (!method)
		method = req->body_len || req->read_body ? "POST" : "GET";
	if (snprintf(url, sizeof(url), "%s", req->url) >= (int)sizeof(url))
		return decc_error_set(DECC_ELIMIT, "URL too long");
	for (;;) {
		struct exchange x = {
			.req = req,
			.u = &u,
			.method = method,
			.deadline = deadline,
			.resp = &r,
		};
		bool follow = req->max_redirects > 0 &&
			      (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0);
		const char *loc;

		decc_http_response_clear(&r);
		DECC_TRY(decc_http_url_parse(&u, url));
		x.follow = follow;
		rc = exchange_once(&x, &r, !req->no_reuse && !req->read_body);
		if (rc == RETRY)
			rc = exchange_once(&x, &r, false);
		if (rc == RETRY)
			rc = decc_error_set(
			    DECC_ERROR, "%s closed the connection without answering", u.authority);
		if (rc < 0)
			return decc_error_wrap(rc, "%s %.200s", method, url);
		loc = decc_http_header(&r, "Location");
		if (!follow || !is_redirect(r.status) || !loc) {
			snprintf(r.url, sizeof(r.url), "%s", url);
			*resp = r;
			return 0;
		}
		if (++hops > req->max_redirects) {
			decc_http_response_clear(&r);
			return decc_error_set(DECC_ELIMIT, "%s %.200s: more than %u redirects",
					      method, req->url, req->max_redirects);
		}
		rc = resolve_location(url, sizeof(url), &u, loc);
		decc_http_response_clear(&r);
		if (rc < 0)
			return decc_error_wrap(rc, "%s %.200s", method, req->url);
	}
}
