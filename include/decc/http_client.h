/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decc's HTTP/1.1 client (src/net/client.c): blocking, one request at a time per thread, with
 * http:// and https:// URLs (IPv4, [IPv6] literals, names through getaddrinfo), a connect
 * timeout and an overall deadline, request bodies from memory or streamed, response bodies
 * into a bounded buffer or streamed to a callback, optional redirects, and a small per-thread
 * cache of kept-alive connections (so a daemon polling another one reuses one TCP connection).
 *
 * A request returns 0 whatever the HTTP status (the caller decides what a 404 means), or a
 * negative DECC_E* when no complete response was read: DECC_EAGAIN for a timeout, DECC_ELIMIT
 * for a body or head over its limit, DECC_ERROR for the network, DECC_EINVAL for a bad URL or
 * a malformed answer.
 */
#ifndef DECC_HTTP_CLIENT_H
#define DECC_HTTP_CLIENT_H

#include "decc/buf.h"

#define DECC_HTTP_HEAD_MAX (64 * 1024) /* status line + headers */
#define DECC_HTTP_HEADERS_MAX 100
#define DECC_HTTP_CONNECT_TIMEOUT_MS 30000 /* when a request says 0 */

struct decc_http_header {
	const char *name; /* as sent; compare with strcasecmp */
	const char *value;
};

/* A parsed response head; the strings point into `raw` (owned). */
struct decc_http_response {
	int status; /* 100..999 */
	int minor;  /* HTTP/1.<minor> */
	const char *reason;
	struct decc_http_header headers[DECC_HTTP_HEADERS_MAX];
	size_t n_headers;
	/* the framing, from the headers */
	int64_t content_length; /* -1 when absent */
	bool chunked;
	bool close;	/* Connection: close (or HTTP/1.0 without keep-alive) */
	char *raw;	/* the head, NUL-separated; free with decc_http_response_clear() */
	char url[2048]; /* the URL finally answered (after redirects) */
};

/* A header's value (case-insensitive name; the first one), NULL when absent. */
DECC_EXTERN const char *decc_http_header(const struct decc_http_response *r, const char *name);
DECC_EXTERN void decc_http_response_clear(struct decc_http_response *r);

struct decc_http_request {
	const char *method; /* NULL: "GET" (or "POST" when there is a body) */
	const char *url;
	/* extra header lines "Name: value", NULL-terminated list or NULL; Host, Content-Length
	 * and Transfer-Encoding are the client's */
	const char *const *headers;
	/* the body, from memory ... */
	const void *body;
	size_t body_len;
	/* ... or streamed: read_body fills up to cap bytes, *got = 0 at the end; body_size = its
	 * length (Content-Length), or -1 when unknown (sent chunked) */
	int (*read_body)(void *ctx, uint8_t *buf, size_t cap, size_t *got);
	void *read_ctx;
	int64_t body_size;
	/* the response body: into `out` (its max is the limit: DECC_ELIMIT past it), or given to
	 * on_body (return < 0 to stop with that error), capped at max_body when not 0 */
	struct decc_buf *out;
	int (*on_body)(void *ctx, const struct decc_http_response *r, const uint8_t *p, size_t n);
	void *body_ctx;
	uint64_t max_body;
	unsigned connect_timeout_ms; /* DNS lookup + connect; 0: DECC_HTTP_CONNECT_TIMEOUT_MS */
	unsigned timeout_ms;	     /* the whole exchange; 0: none */
	unsigned max_redirects;	     /* followed for GET and HEAD only; 0: none */
	bool no_reuse;		     /* a fresh connection, closed after */
};

/*
 * Perform one request. `resp` is overwritten (not freed): on success it holds the head of the
 * final response (free it with decc_http_response_clear()), on failure it is left empty.
 */
DECC_EXTERN DECC_MUST_USE int decc_http_request(struct decc_http_response *resp,
						const struct decc_http_request *req);

/* Close this thread's idle connections (and forget, without closing them on the wire, any a
 * forked child inherited: call it in the child after fork()). */
DECC_EXTERN void decc_http_client_drop_cache(void);

/* Percent-encode s for a URL query value (RFC 3986 unreserved characters kept). */
DECC_EXTERN DECC_MUST_USE int decc_http_url_escape(struct decc_buf *out, const char *s);

/* ---- pure parsers (fuzzed) ---- */

/*
 * Parse a response head at p (n bytes available). Returns 0 with *head_len = bytes of the head
 * (the blank line included) and *resp overwritten, DECC_EAGAIN when the head is not complete yet (and still within
 * DECC_HTTP_HEAD_MAX), DECC_ELIMIT / DECC_EINVAL otherwise. On success resp owns a copy.
 */
DECC_EXTERN DECC_MUST_USE int decc_http_parse_head(struct decc_http_response *resp,
						   const uint8_t *p, size_t n, size_t *head_len);

struct decc_http_url {
	bool tls;
	char host[256]; /* without brackets */
	unsigned port;
	char authority[300]; /* the Host header: host[:port], IPv6 in brackets */
	char target[2048];   /* path?query, "/" at least */
};

DECC_EXTERN DECC_MUST_USE int decc_http_url_parse(struct decc_http_url *out, const char *url);

#endif
