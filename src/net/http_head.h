/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The request-head parser of the HTTP server: a pure function over bytes (no socket, no
 * allocation), so that it is fuzzed (tests/fuzz/fuzz-http-request.c). It copies the head into
 * caller storage, splits it into NUL-terminated strings in place and decodes the path and the
 * query arguments there (decoding only shrinks). Strict where leniency enables request
 * smuggling: no whitespace before a header colon, no line folding, one Content-Length value,
 * not both Content-Length and Transfer-Encoding, only the chunked transfer coding.
 */
#ifndef DECC_NET_HTTP_REQ_HEAD_H
#define DECC_NET_HTTP_REQ_HEAD_H

#include "decc/common.h"

#define DECC_HTTP_REQ_HEAD_MAX (64 * 1024) /* request line + headers + the empty line */
#define DECC_HTTP_REQ_HEADERS_MAX 100
#define DECC_HTTP_REQ_ARGS_MAX 100

struct decc_http_req_field {
	const char *name;
	const char *value; /* NULL: a query argument without '=' */
};

struct decc_http_req_head {
	const char *method;
	const char *path; /* %-decoded */
	unsigned minor;	  /* HTTP/1.<minor>: 0 or 1 */
	struct decc_http_req_field headers[DECC_HTTP_REQ_HEADERS_MAX];
	size_t nheaders;
	struct decc_http_req_field args[DECC_HTTP_REQ_ARGS_MAX];
	size_t nargs;
	bool has_length;
	uint64_t length; /* Content-Length */
	bool chunked;
	bool expect_continue;
	bool keep_alive; /* after this request (version and Connection header) */
};

/*
 * Parses the head at the start of p[0..n). Returns 0 with *head_len = its size (the body or the
 * next request follows) and h filled, pointing into storage (at least DECC_HTTP_REQ_HEAD_MAX + 1
 * bytes, or n + 1 if smaller); DECC_EAGAIN when the head is not complete yet (and n is below
 * the limit); DECC_ELIMIT past DECC_HTTP_REQ_HEAD_MAX bytes or DECC_HTTP_REQ_HEADERS_MAX headers;
 * DECC_EINVAL when malformed. Messages say what was wrong.
 */
int decc_http_parse_request_head(struct decc_http_req_head *h, char *storage, size_t storage_len,
				 const uint8_t *p, size_t n, size_t *head_len);

/* The value of header name (case-insensitive) or NULL. */
const char *decc_http_req_head_header(const struct decc_http_req_head *h, const char *name);
/* The value of query argument name or NULL. */
const char *decc_http_req_head_arg(const struct decc_http_req_head *h, const char *name);

#endif
