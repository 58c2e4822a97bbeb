/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP/1.1 request-head parser (RFC 9112 sections 2-6): request line, header fields, the
 * framing headers (Content-Length, Transfer-Encoding, Connection, Expect) and the query string
 * split and decoded like libmicrohttpd did for the daemons ('+' is a space, %XX a byte). Lines
 * end in CRLF or a bare LF; empty lines before the request line are skipped (RFC 9112 2.2).
 */
#include <string.h>
#include <strings.h>

#include "decc/buf.h"
#include "decc/error.h"
#include "decc/hex.h"
#include "net/http_head.h"
#include "net/field.h"

/* %XX (and '+' when plus) decoded in place; a bad escape stays as it is; %00 is refused. */
static int decode(char *s, bool plus)
{
	char *o = s;

	for (; *s; s++) {
		int hi, lo;

		if (*s == '%' && (hi = decc_hex_digit(s[1])) >= 0 &&
		    (lo = decc_hex_digit(s[2])) >= 0) {
			DECC_ENSURE(hi || lo, DECC_EINVAL,
				    "bad request: %%00 in the request target");
			*o++ = (char)(hi << 4 | lo);
			s += 2;
		} else if (plus && *s == '+') {
			*o++ = ' ';
		} else {
			*o++ = *s;
		}
	}
	*o = 0;
	return 0;
}

/* The next line at the cursor (without its CR LF or LF); DECC_EAGAIN when none is complete. */
static int next_line(struct decc_cursor *c, size_t *off, size_t *len)
{
	const uint8_t *start = c->ptr + c->pos;
	const uint8_t *nl = memchr(start, '\n', decc_cursor_left(c));
	struct decc_span line;

	if (!nl)
		return DECC_EAGAIN;
	*off = c->pos;
	DECC_TRY(decc_cursor_take(c, &line, (size_t)(nl - start) + 1));
	*len = line.len - 1;
	if (*len && line.ptr[*len - 1] == '\r')
		(*len)--;
	return 0;
}

static int parse_request_line(struct decc_http_req_head *h, char *s, size_t len)
{
	char *sp1, *sp2, *target, *q;

	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		DECC_ENSURE(ch == ' ' || (ch > 0x20 && ch != 0x7f), DECC_EINVAL,
			    "bad request: a control character in the request line");
	}
	s[len] = 0;
	sp1 = strchr(s, ' ');
	DECC_ENSURE(sp1 && sp1 != s, DECC_EINVAL, "bad request: no method in the request line");
	*sp1 = 0;
	for (char *m = s; *m; m++)
		DECC_ENSURE(decc_http_is_tchar((unsigned char)*m), DECC_EINVAL,
			    "bad request: the method is not a token");
	target = sp1 + 1;
	sp2 = strchr(target, ' ');
	DECC_ENSURE(sp2 && sp2 != target, DECC_EINVAL,
		    "bad request: the request line is not METHOD TARGET HTTP/1.x");
	*sp2 = 0;
	if (strcmp(sp2 + 1, "HTTP/1.1") == 0)
		h->minor = 1;
	else if (strcmp(sp2 + 1, "HTTP/1.0") == 0)
		h->minor = 0;
	else
		return decc_error_set(DECC_EINVAL, "bad request: only HTTP/1.0 and HTTP/1.1 are "
						   "served");
	DECC_ENSURE(target[0] == '/', DECC_EINVAL,
		    "bad request: the target must be a path starting with '/'");
	h->method = s;
	q = strchr(target, '?');
	if (q) {
		char *a = q + 1;

		*q = 0;
		while (*a) {
			char *amp = strchr(a, '&'), *eq;

			if (amp)
				*amp = 0;
			if (*a) {
				DECC_ENSURE(h->nargs < DECC_HTTP_REQ_ARGS_MAX, DECC_ELIMIT,
					    "bad request: more than %d query arguments",
					    DECC_HTTP_REQ_ARGS_MAX);
				eq = strchr(a, '=');
				if (eq)
					*eq = 0;
				DECC_TRY(decode(a, true));
				if (eq)
					DECC_TRY(decode(eq + 1, true));
				h->args[h->nargs].name = a;
				h->args[h->nargs].value = eq ? eq + 1 : NULL;
				h->nargs++;
			}
			if (!amp)
				break;
			a = amp + 1;
		}
	}
	DECC_TRY(decode(target, false));
	h->path = target;
	return 0;
}

static int framing(struct decc_http_req_head *h, const char *name, const char *v, bool *close,
		   bool *ka, bool *te)
{
	if (strcasecmp(name, "Content-Length") == 0) {
		uint64_t x = 0;
		size_t i;

		for (i = 0; v[i]; i++) {
			DECC_ENSURE(v[i] >= '0' && v[i] <= '9' && i < 19, DECC_EINVAL,
				    "bad request: Content-Length is not a number");
			x = x * 10 + (uint64_t)(v[i] - '0');
		}
		DECC_ENSURE(i > 0, DECC_EINVAL, "bad request: empty Content-Length");
		DECC_ENSURE(!h->has_length || h->length == x, DECC_EINVAL,
			    "bad request: two different Content-Length values");
		h->has_length = true;
		h->length = x;
	} else if (strcasecmp(name, "Transfer-Encoding") == 0) {
		DECC_ENSURE(!*te && strcasecmp(v, "chunked") == 0, DECC_EINVAL,
			    "bad request: only the chunked transfer coding is accepted");
		*te = true;
		h->chunked = true;
	} else if (strcasecmp(name, "Connection") == 0) {
		*close |= decc_http_has_token(v, "close");
		*ka |= decc_http_has_token(v, "keep-alive");
	} else if (strcasecmp(name, "Expect") == 0) {
		if (strcasecmp(v, "100-continue") == 0)
			h->expect_continue = true;
	}
	return 0;
}

static int parse_field(struct decc_http_req_head *h, char *s, size_t len, bool *close, bool *ka,
		       bool *te)
{
	char *colon, *v, *end;

	s[len] = 0;
	DECC_ENSURE(s[0] != ' ' && s[0] != '\t', DECC_EINVAL,
		    "bad request: folded header lines are not accepted");
	DECC_ENSURE(h->nheaders < DECC_HTTP_REQ_HEADERS_MAX, DECC_ELIMIT,
		    "request has more than %d header fields", DECC_HTTP_REQ_HEADERS_MAX);
	colon = memchr(s, ':', len);
	DECC_ENSURE(colon && colon != s, DECC_EINVAL, "bad request: a header line without a name");
	*colon = 0;
	for (char *c = s; *c; c++)
		DECC_ENSURE(decc_http_is_tchar((unsigned char)*c), DECC_EINVAL,
			    "bad request: bad header name (space before ':'?)");
	v = colon + 1;
	end = s + len;
	for (char *c = v; c < end; c++)
		DECC_ENSURE(*c == '\t' || ((unsigned char)*c >= 0x20 && *c != 0x7f), DECC_EINVAL,
			    "bad request: a control character in header %s", s);
	while (*v == ' ' || *v == '\t')
		v++;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*end = 0;
	h->headers[h->nheaders].name = s;
	h->headers[h->nheaders].value = v;
	h->nheaders++;
	return framing(h, s, v, close, ka, te);
}

int decc_http_parse_request_head(struct decc_http_req_head *h, char *storage, size_t storage_len,
				 const uint8_t *p, size_t n, size_t *head_len)
{
	struct decc_cursor c;
	size_t off, len, start = 0, end = 0,
			 scan = n < DECC_HTTP_REQ_HEAD_MAX ? n : DECC_HTTP_REQ_HEAD_MAX;
	bool close = false, ka = false, te = false, first = true;
	int r;

	/* find the end of the head first: nothing is touched until it is complete */
	decc_cursor_init(&c, p, scan);
	for (;;) {
		r = next_line(&c, &off, &len);
		if (r == DECC_EAGAIN) {
			DECC_ENSURE(n < DECC_HTTP_REQ_HEAD_MAX, DECC_ELIMIT,
				    "request head larger than %d bytes", DECC_HTTP_REQ_HEAD_MAX);
			return DECC_EAGAIN;
		}
		DECC_TRY(r);
		if (first && len == 0)
			continue; /* empty lines before the request line */
		if (len == 0)
			break;
		if (first)
			start = off;
		first = false;
	}
	end = c.pos;
	DECC_ENSURE(storage_len > end, DECC_ELIMIT, "request head larger than its storage");
	memset(h, 0, sizeof(*h));
	memcpy(storage, p, end);
	storage[end] = 0;

	decc_cursor_init(&c, p, end);
	DECC_TRY(decc_cursor_skip(&c, start));
	DECC_TRY(next_line(&c, &off, &len));
	DECC_TRY(parse_request_line(h, storage + off, len));
	for (;;) {
		DECC_TRY(next_line(&c, &off, &len));
		if (len == 0)
			break;
		DECC_TRY(parse_field(h, storage + off, len, &close, &ka, &te));
	}
	DECC_ENSURE(!(te && h->has_length), DECC_EINVAL,
		    "bad request: both Content-Length and Transfer-Encoding");
	h->keep_alive = h->minor == 1 ? !close : (ka && !close);
	*head_len = end;
	return 0;
}

const char *decc_http_req_head_header(const struct decc_http_req_head *h, const char *name)
{
	for (size_t i = 0; i < h->nheaders; i++)
		if (strcasecmp(h->headers[i].name, name) == 0)
			return h->headers[i].value;
	return NULL;
}

const char *decc_http_req_head_arg(const struct decc_http_req_head *h, const char *name)
{
	for (size_t i = 0; i < h->nargs; i++)
		if (strcmp(h->args[i].name, name) == 0)
			return h->args[i].value;
	return NULL;
}
