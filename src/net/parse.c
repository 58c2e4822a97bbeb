/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP client's pure parsers: the response head (status line + header fields, RFC 9112)
 * and http(s) URLs. No I/O, so both are fuzzed (tests/fuzz/fuzz-http-response.c). Every bound
 * is explicit: the head is at most DECC_HTTP_HEAD_MAX bytes with DECC_HTTP_HEADERS_MAX fields,
 * field lines end in CRLF, obsolete line folding and control bytes are refused, and
 * Content-Length / Transfer-Encoding are checked the way a request-smuggling-safe reader must.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "decc/error.h"
#include "decc/http_client.h"
#include "net/field.h"

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

const char *decc_http_header(const struct decc_http_response *r, const char *name)
{
	for (size_t i = 0; i < r->n_headers; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

void decc_http_response_clear(struct decc_http_response *r)
{
	free(r->raw);
	memset(r, 0, sizeof(*r));
	r->content_length = -1;
}

/* End of the head (index after CRLFCRLF), or 0 when absent within n. */
static size_t find_end(const uint8_t *p, size_t n)
{
	for (size_t i = 3; i < n; i++)
		if (p[i] == '\n' && p[i - 1] == '\r' && p[i - 2] == '\n' && p[i - 3] == '\r')
			return i + 1;
	return 0;
}

static int parse_length(const char *v, int64_t *out)
{
	uint64_t x = 0;

	if (!*v)
		return decc_error_set(DECC_EINVAL, "HTTP response: empty Content-Length");
	for (const char *s = v; *s; s++) {
		if (!is_digit((uint8_t)*s))
			return decc_error_set(DECC_EINVAL,
					      "HTTP response: bad Content-Length %.40s", v);
		if (x > ((uint64_t)INT64_MAX - 9) / 10)
			return decc_error_set(DECC_ELIMIT,
					      "HTTP response: Content-Length too large");
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*out = (int64_t)x;
	return 0;
}

static int parse_fields(struct decc_http_response *r, char *s, size_t n)
{
	struct decc_cursor c;
	bool te = false, keep_alive = false, close = false;
	size_t line = 0;

	decc_cursor_init(&c, s, n);
	/* status line: HTTP/1.x SP 3DIGIT [SP reason] CRLF */
	while (decc_cursor_left(&c) >= 2 && !(s[c.pos] == '\r' && s[c.pos + 1] == '\n'))
		c.pos++;
	line = c.pos;
	if (line < 12 || memcmp(s, "HTTP/1.", 7) != 0 || !is_digit((uint8_t)s[7]) || s[8] != ' ' ||
	    !is_digit((uint8_t)s[9]) || !is_digit((uint8_t)s[10]) || !is_digit((uint8_t)s[11]) ||
	    (line > 12 && s[12] != ' ') || s[9] == '0')
		return decc_error_set(DECC_EINVAL, "HTTP response: bad status line");
	r->minor = s[7] - '0';
	r->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
	for (size_t i = 13; i < line; i++)
		if (((uint8_t)s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
			return decc_error_set(DECC_EINVAL, "HTTP response: bad status line");
	s[line] = '\0';
	r->reason = line > 12 ? s + 13 : s + line;
	c.pos = line + 2;

	for (;;) {
		size_t start = c.pos, colon = 0, end, vs, ve;

		if (decc_cursor_left(&c) < 2)
			return decc_error_set(DECC_EINVAL, "HTTP response: truncated head");
		if (s[start] == '\r' && s[start + 1] == '\n')
			break; /* the blank line */
		if (s[start] == ' ' || s[start] == '\t')
			return decc_error_set(DECC_EINVAL, "HTTP response: folded header line");
		while (c.pos < n && s[c.pos] != '\r') {
			uint8_t ch = (uint8_t)s[c.pos];

			if (!colon && ch == ':') {
				colon = c.pos;
			} else if (!colon && !decc_http_is_tchar(ch)) {
				return decc_error_set(
				    DECC_EINVAL, "HTTP response: bad header name byte 0x%02x", ch);
			} else if (colon && ((ch < 0x20 && ch != '\t') || ch == 0x7f)) {
				return decc_error_set(
				    DECC_EINVAL, "HTTP response: bad header value byte 0x%02x", ch);
			}
			c.pos++;
		}
		end = c.pos;
		if (end + 1 >= n || s[end + 1] != '\n')
			return decc_error_set(DECC_EINVAL, "HTTP response: bare CR in the head");
		if (!colon || colon == start)
			return decc_error_set(DECC_EINVAL,
					      "HTTP response: header line without name");
		if (r->n_headers == DECC_HTTP_HEADERS_MAX)
			return decc_error_set(DECC_ELIMIT, "HTTP response: more than %d headers",
					      DECC_HTTP_HEADERS_MAX);
		vs = colon + 1;
		while (vs < end && (s[vs] == ' ' || s[vs] == '\t'))
			vs++;
		ve = end;
		while (ve > vs && (s[ve - 1] == ' ' || s[ve - 1] == '\t'))
			ve--;
		s[colon] = '\0';
		s[ve] = '\0';
		r->headers[r->n_headers].name = s + start;
		r->headers[r->n_headers].value = s + vs;
		r->n_headers++;
		c.pos = end + 2;
	}

	/* the framing */
	for (size_t i = 0; i < r->n_headers; i++) {
		const char *name = r->headers[i].name, *v = r->headers[i].value;

		if (strcasecmp(name, "Content-Length") == 0) {
			int64_t len = 0;

			DECC_TRY(parse_length(v, &len));
			if (r->content_length >= 0 && r->content_length != len)
				return decc_error_set(DECC_EINVAL,
						      "HTTP response: conflicting Content-Length");
			r->content_length = len;
		} else if (strcasecmp(name, "Transfer-Encoding") == 0) {
			if (te || strcasecmp(v, "chunked") != 0)
				return decc_error_set(
				    DECC_EINVAL,
				    "HTTP response: unsupported Transfer-Encoding "
				    "%.40s",
				    v);
			te = true;
		} else if (strcasecmp(name, "Connection") == 0) {
			close = close || decc_http_has_token(v, "close");
			keep_alive = keep_alive || decc_http_has_token(v, "keep-alive");
		}
	}
	r->chunked = te;
	if (te && r->content_length >= 0) {
		/* both: the length is ignored, and the connection not trusted after */
		r->content_length = -1;
		close = true;
	}
	r->close = close || (r->minor == 0 && !keep_alive);
	return 0;
}

int decc_http_parse_head(struct decc_http_response *resp, const uint8_t *p, size_t n,
			 size_t *head_len)
{
	struct decc_http_response r;
	size_t scan = n < DECC_HTTP_HEAD_MAX ? n : DECC_HTTP_HEAD_MAX, end;
	static const char magic[] = "HTTP/";
	int rc;

	if (memcmp(p, magic, scan < 5 ? scan : 5) != 0)
		return decc_error_set(DECC_EINVAL, "HTTP response: not an HTTP/1.x answer");
	end = find_end(p, scan);
	if (!end) {
		if (n >= DECC_HTTP_HEAD_MAX)
			return decc_error_set(DECC_ELIMIT,
					      "HTTP response: head longer than %d bytes",
					      DECC_HTTP_HEAD_MAX);
		return decc_error_set(DECC_EAGAIN, "HTTP response: head incomplete");
	}
	memset(&r, 0, sizeof(r));
	r.content_length = -1;
	r.raw = malloc(end + 1);
	if (!r.raw)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	memcpy(r.raw, p, end);
	r.raw[end] = '\0';
	rc = parse_fields(&r, r.raw, end);
	if (rc < 0) {
		free(r.raw);
		return rc;
	}
	*resp = r;
	*head_len = end;
	return 0;
}

/* ---- URLs ---- */

int decc_http_url_parse(struct decc_http_url *out, const char *url)
{
	struct decc_http_url u;
	const char *p = url, *a, *ae, *h, *he;
	size_t hl, tl = 0;
	unsigned long port = 0;

	memset(&u, 0, sizeof(u));
	if (strncasecmp(p, "http://", 7) == 0) {
		p += 7;
	} else if (strncasecmp(p, "https://", 8) == 0) {
		u.tls = true;
		p += 8;
	} else {
		return decc_error_set(DECC_EINVAL,
				      "%.200s: only http:// and https:// URLs are "
				      "supported",
				      url);
	}
	a = p;
	ae = a + strcspn(a, "/?#");
	if (memchr(a, '@', (size_t)(ae - a)))
		return decc_error_set(DECC_EINVAL, "%.200s: user names in URLs are not supported",
				      url);
	if (*a == '[') {
		h = a + 1;
		he = memchr(h, ']', (size_t)(ae - h));
		if (!he || he == h)
			return decc_error_set(DECC_EINVAL, "%.200s: bad IPv6 address", url);
		for (const char *s = h; s < he; s++)
			if (!strchr("0123456789abcdefABCDEF:.", *s))
				return decc_error_set(DECC_EINVAL, "%.200s: bad IPv6 address", url);
		p = he + 1;
	} else {
		h = a;
		he = a + strcspn(a, ":/?#");
		for (const char *s = h; s < he; s++)
			if (!(is_digit((uint8_t)*s) || (*s >= 'a' && *s <= 'z') ||
			      (*s >= 'A' && *s <= 'Z') || *s == '-' || *s == '.' || *s == '_'))
				return decc_error_set(DECC_EINVAL, "%.200s: bad host name", url);
		p = he;
	}
	hl = (size_t)(he - h);
	if (hl == 0 || hl >= sizeof(u.host))
		return decc_error_set(DECC_EINVAL, "%.200s: bad host name", url);
	memcpy(u.host, h, hl);
	if (p < ae && *p == ':') {
		p++;
		if (p == ae) {
			port = 0;
		} else {
			for (const char *s = p; s < ae; s++) {
				if (!is_digit((uint8_t)*s) || port > 65535)
					return decc_error_set(DECC_EINVAL, "%.200s: bad port", url);
				port = port * 10 + (unsigned long)(*s - '0');
			}
			if (port == 0 || port > 65535)
				return decc_error_set(DECC_EINVAL, "%.200s: bad port", url);
		}
		p = ae;
	}
	if (p != ae)
		return decc_error_set(DECC_EINVAL, "%.200s: bad host", url);
	u.port = port ? (unsigned)port : (u.tls ? 443u : 80u);
	if (*a == '[')
		snprintf(u.authority, sizeof(u.authority), "[%s]", u.host);
	else
		snprintf(u.authority, sizeof(u.authority), "%s", u.host);
	if (u.port != (u.tls ? 443u : 80u)) {
		size_t al = strlen(u.authority);

		snprintf(u.authority + al, sizeof(u.authority) - al, ":%u", u.port);
	}
	/* the target: path?query without the fragment; bytes above 0x7f percent-encoded */
	if (*p != '/')
		u.target[tl++] = '/';
	for (; *p && *p != '#'; p++) {
		uint8_t ch = (uint8_t)*p;

		if (ch <= 0x20 || ch == 0x7f)
			return decc_error_set(
			    DECC_EINVAL, "%.200s: the URL holds a space or a control byte", url);
		if (tl + 4 >= sizeof(u.target))
			return decc_error_set(DECC_ELIMIT, "%.200s...: URL too long", url);
		if (ch >= 0x80) {
			snprintf(u.target + tl, 4, "%%%02X", ch);
			tl += 3;
		} else {
			u.target[tl++] = (char)ch;
		}
	}
	u.target[tl] = '\0';
	*out = u;
	return 0;
}

int decc_http_url_escape(struct decc_buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		uint8_t c = (uint8_t)*s;

		if (is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    strchr("-_.~", c)) {
			DECC_TRY(decc_buf_append_byte(out, c));
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };

			DECC_TRY(decc_buf_append(out, e, 3));
		}
	}
	return 0;
}
