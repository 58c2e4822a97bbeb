/* SPDX-License-Identifier: Apache-2.0 */
/*
 * multipart/form-data (RFC 7578 over RFC 2046), parsed as a stream in bounded memory.
 *
 * The body is seen through a fixed window. The delimiter is always searched as
 * CRLF "--" boundary: the parser starts as if a CRLF preceded the body, so that a body that
 * opens directly with the first delimiter (the usual case) needs no special path. In part data,
 * everything but the last (delimiter length - 1) bytes of the window can be handed out, since
 * a delimiter cannot start there without ending beyond the window.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "decc/error.h"
#include "decc/store.h"

#define WINDOW (64 * 1024)
#define FIELD_MAX 1024

enum state {
	ST_PREAMBLE,
	ST_AFTER_DELIM,
	ST_HEADERS,
	ST_DATA,
	ST_END,
	ST_FAILED
};

struct decc_multipart {
	struct decc_multipart_cb cb;
	size_t max_header;
	size_t max_parts;
	uint64_t max_body;
	uint64_t fed;
	size_t parts;
	enum state st;
	char delim[DECC_MULTIPART_BOUNDARY_MAX + 5]; /* CRLF "--" boundary */
	size_t dlen;
	size_t len; /* bytes in win */
	char name[FIELD_MAX], filename[FIELD_MAX], ctype[FIELD_MAX];
	bool has_filename;
	char hdr[WINDOW];
	uint8_t win[WINDOW];
};

static bool bchar(int c)
{
	return isalnum(c) || (c && strchr("'()+_,-./:=? ", c));
}

int decc_multipart_boundary(char out[DECC_MULTIPART_BOUNDARY_MAX + 1], const char *ct)
{
	const char *p;
	char b[DECC_MULTIPART_BOUNDARY_MAX + 1];
	size_t n = 0;

	DECC_ENSURE(ct && strncasecmp(ct, "multipart/form-data", 19) == 0 &&
			(ct[19] == ';' || ct[19] == ' ' || ct[19] == '\t'),
		    DECC_EINVAL, "Content-Type is not multipart/form-data");
	p = ct + 19;
	for (;;) {
		while (*p == ';' || *p == ' ' || *p == '\t')
			p++;
		DECC_ENSURE(*p, DECC_EINVAL, "multipart/form-data without a boundary parameter");
		if (strncasecmp(p, "boundary=", 9) == 0)
			break;
		/* skip another parameter, quoted values included */
		while (*p && *p != ';') {
			if (*p == '"') {
				for (p++; *p && *p != '"'; p++)
					if (*p == '\\' && p[1])
						p++;
				if (*p)
					p++;
			} else {
				p++;
			}
		}
	}
	p += 9;
	if (*p == '"') {
		for (p++; *p && *p != '"'; p++) {
			if (*p == '\\' && p[1])
				p++;
			DECC_ENSURE(n < DECC_MULTIPART_BOUNDARY_MAX, DECC_EINVAL,
				    "multipart boundary longer than 70 characters");
			b[n++] = *p;
		}
		DECC_ENSURE(*p == '"', DECC_EINVAL, "multipart boundary: unterminated quote");
	} else {
		for (; *p && *p != ';' && *p != ' ' && *p != '\t'; p++) {
			DECC_ENSURE(n < DECC_MULTIPART_BOUNDARY_MAX, DECC_EINVAL,
				    "multipart boundary longer than 70 characters");
			b[n++] = *p;
		}
	}
	DECC_ENSURE(n > 0 && b[n - 1] != ' ', DECC_EINVAL, "multipart boundary is empty");
	for (size_t i = 0; i < n; i++)
		DECC_ENSURE(bchar((unsigned char)b[i]), DECC_EINVAL,
			    "multipart boundary has a forbidden character");
	b[n] = 0;
	memcpy(out, b, n + 1);
	return 0;
}

int decc_multipart_new(struct decc_multipart **out, const char *boundary,
		       const struct decc_multipart_cb *cb, const struct decc_multipart_limits *lim)
{
	struct decc_multipart *m;
	size_t bl = boundary ? strlen(boundary) : 0;

	DECC_ENSURE(bl > 0 && bl <= DECC_MULTIPART_BOUNDARY_MAX, DECC_EINVAL,
		    "multipart boundary must be 1 to 70 characters");
	m = calloc(1, sizeof(*m));
	if (!m)
		return decc_error_set(DECC_ENOMEM, "multipart: out of memory");
	m->cb = *cb;
	m->max_header = lim && lim->max_header_bytes ? lim->max_header_bytes : 8192;
	if (m->max_header > WINDOW - 4)
		m->max_header = WINDOW - 4;
	m->max_parts = lim && lim->max_parts ? lim->max_parts : 64;
	m->max_body = lim ? lim->max_body : 0;
	m->dlen = (size_t)snprintf(m->delim, sizeof(m->delim), "\r\n--%s", boundary);
	/* As if a CRLF preceded the body (see the top of this file). */
	m->win[0] = '\r';
	m->win[1] = '\n';
	m->len = 2;
	m->st = ST_PREAMBLE;
	*out = m;
	return 0;
}

void decc_multipart_free(struct decc_multipart *m)
{
	free(m);
}

static void consume(struct decc_multipart *m, size_t n)
{
	memmove(m->win, m->win + n, m->len - n);
	m->len -= n;
}

/* Copy a header parameter value (quoted or token) into out. */
static int param_value(char *out, const char **pp)
{
	const char *p = *pp;
	size_t n = 0;

	if (*p == '"') {
		for (p++; *p && *p != '"'; p++) {
			if (*p == '\\' && p[1])
				p++;
			DECC_ENSURE(n + 1 < FIELD_MAX, DECC_ELIMIT,
				    "multipart: header value too long");
			out[n++] = *p;
		}
		DECC_ENSURE(*p == '"', DECC_EINVAL, "multipart: unterminated quoted value");
		p++;
	} else {
		for (; *p && *p != ';' && *p != ' ' && *p != '\t'; p++) {
			DECC_ENSURE(n + 1 < FIELD_MAX, DECC_ELIMIT,
				    "multipart: header value too long");
			out[n++] = *p;
		}
	}
	out[n] = 0;
	*pp = p;
	return 0;
}

static int parse_disposition(struct decc_multipart *m, const char *v)
{
	char junk[FIELD_MAX];

	DECC_ENSURE(strncasecmp(v, "form-data", 9) == 0 || strncasecmp(v, "file", 4) == 0 ||
			strncasecmp(v, "attachment", 10) == 0,
		    DECC_EINVAL, "multipart: Content-Disposition is not form-data");
	while (*v && *v != ';')
		v++;
	while (*v) {
		while (*v == ';' || *v == ' ' || *v == '\t')
			v++;
		if (!*v)
			break;
		if (strncasecmp(v, "name=", 5) == 0) {
			v += 5;
			DECC_TRY(param_value(m->name, &v));
		} else if (strncasecmp(v, "filename=", 9) == 0) {
			v += 9;
			DECC_TRY(param_value(m->filename, &v));
			m->has_filename = true;
		} else {
			while (*v && *v != '=' && *v != ';')
				v++;
			if (*v == '=') {
				v++;
				DECC_TRY(param_value(junk, &v));
			}
		}
		while (*v == ' ' || *v == '\t')
			v++;
		DECC_ENSURE(*v == 0 || *v == ';', DECC_EINVAL,
			    "multipart: malformed Content-Disposition parameters");
	}
	return 0;
}

/* Headers of one part: hdr[0..n) without the final empty line, CRLF-separated, no NULs. */
static int parse_headers(struct decc_multipart *m, char *hdr, size_t n)
{
	char *line = hdr, *end = hdr + n;

	m->name[0] = m->filename[0] = m->ctype[0] = 0;
	m->has_filename = false;
	while (line < end) {
		char *eol = line, *colon, *v;

		while (eol < end && !(eol[0] == '\r' && eol + 1 < end && eol[1] == '\n'))
			eol++;
		*eol = 0;
		DECC_ENSURE(line[0] != ' ' && line[0] != '\t', DECC_EINVAL,
			    "multipart: folded header lines are not supported");
		colon = strchr(line, ':');
		DECC_ENSURE(colon && colon > line, DECC_EINVAL, "multipart: malformed header line");
		*colon = 0;
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		if (strcasecmp(line, "Content-Disposition") == 0) {
			DECC_TRY(parse_disposition(m, v));
		} else if (strcasecmp(line, "Content-Type") == 0) {
			DECC_ENSURE(strlen(v) < FIELD_MAX, DECC_ELIMIT,
				    "multipart: Content-Type too long");
			strcpy(m->ctype, v);
		}
		line = eol + 2;
	}
	return 0;
}

static int step(struct decc_multipart *m, bool *progress)
{
	uint8_t *hit;
	size_t keep;

	*progress = false;
	switch (m->st) {
	case ST_PREAMBLE:
		hit = memmem(m->win, m->len, m->delim, m->dlen);
		if (hit) {
			consume(m, (size_t)(hit - m->win) + m->dlen);
			m->st = ST_AFTER_DELIM;
			*progress = true;
		} else if (m->len >= m->dlen) {
			consume(m, m->len - (m->dlen - 1));
		}
		return 0;
	case ST_AFTER_DELIM:
		while (m->len && (m->win[0] == ' ' || m->win[0] == '\t'))
			consume(m, 1); /* transport padding */
		if (m->len < 2)
			return 0;
		if (m->win[0] == '-' && m->win[1] == '-') {
			m->st = ST_END;
			m->len = 0;
			*progress = true;
			return 0;
		}
		DECC_ENSURE(m->win[0] == '\r' && m->win[1] == '\n', DECC_EINVAL,
			    "multipart: garbage after a boundary delimiter");
		consume(m, 2);
		DECC_ENSURE(m->parts < m->max_parts, DECC_ELIMIT, "multipart: more than %zu parts",
			    m->max_parts);
		m->parts++;
		m->st = ST_HEADERS;
		*progress = true;
		return 0;
	case ST_HEADERS: {
		size_t hlen;

		if (m->len >= 2 && m->win[0] == '\r' && m->win[1] == '\n') {
			hlen = 0; /* no headers at all */
		} else {
			hit = memmem(m->win, m->len, "\r\n\r\n", 4);
			if (!hit) {
				DECC_ENSURE(m->len <= m->max_header, DECC_ELIMIT,
					    "multipart: part headers longer than %zu bytes",
					    m->max_header);
				return 0;
			}
			hlen = (size_t)(hit - m->win) + 2;
			DECC_ENSURE(hlen <= m->max_header, DECC_ELIMIT,
				    "multipart: part headers longer than %zu bytes", m->max_header);
		}
		{
			char *hdr = m->hdr;
			struct decc_multipart_part part;

			memcpy(hdr, m->win, hlen);
			hdr[hlen] = 0;
			DECC_ENSURE(memchr(hdr, 0, hlen) == NULL, DECC_EINVAL,
				    "multipart: NUL byte in part headers");
			/* strip the final CRLF of the last header line */
			DECC_TRY(parse_headers(m, hdr, hlen >= 2 ? hlen - 2 : 0));
			consume(m, hlen + 2);
			m->st = ST_DATA;
			part.name = m->name;
			part.filename = m->filename;
			part.content_type = m->ctype;
			part.has_filename = m->has_filename;
			if (m->cb.part_begin)
				DECC_TRY(m->cb.part_begin(m->cb.ctx, &part));
		}
		*progress = true;
		return 0;
	}
	case ST_DATA:
		hit = memmem(m->win, m->len, m->delim, m->dlen);
		if (hit) {
			size_t k = (size_t)(hit - m->win);

			if (k && m->cb.part_data)
				DECC_TRY(m->cb.part_data(m->cb.ctx, m->win, k));
			consume(m, k + m->dlen);
			if (m->cb.part_end)
				DECC_TRY(m->cb.part_end(m->cb.ctx));
			m->st = ST_AFTER_DELIM;
			*progress = true;
			return 0;
		}
		keep = m->dlen - 1;
		if (m->len > keep) {
			size_t k = m->len - keep;

			if (m->cb.part_data)
				DECC_TRY(m->cb.part_data(m->cb.ctx, m->win, k));
			consume(m, k);
		}
		return 0;
	case ST_END:
		m->len = 0; /* epilogue: ignored */
		return 0;
	default:
		return decc_error_set(DECC_EINVAL, "multipart: parser already failed");
	}
}

static int feed(struct decc_multipart *m, const uint8_t *in, size_t n)
{
	while (n || m->len) {
		size_t k = sizeof(m->win) - m->len;
		bool progress = true;

		if (k > n)
			k = n;
		memcpy(m->win + m->len, in, k);
		m->len += k;
		in += k;
		n -= k;
		while (progress)
			DECC_TRY(step(m, &progress));
		if (n == 0)
			break;
		/* The window is full and nothing can move: only a too long header does that. */
		DECC_ENSURE(m->len < sizeof(m->win), DECC_ELIMIT,
			    "multipart: part headers too long");
	}
	return 0;
}

int decc_multipart_feed(struct decc_multipart *m, const void *p, size_t n)
{
	int r;

	DECC_ENSURE(m->st != ST_FAILED, DECC_EINVAL, "multipart: parser already failed");
	if (m->max_body && (n > m->max_body || m->fed > m->max_body - n)) {
		m->st = ST_FAILED;
		return decc_error_set(DECC_ELIMIT, "multipart: body larger than %llu bytes",
				      (unsigned long long)m->max_body);
	}
	m->fed += n;
	r = feed(m, p, n);
	if (r < 0)
		m->st = ST_FAILED;
	return r;
}

int decc_multipart_finish(struct decc_multipart *m)
{
	DECC_ENSURE(m->st != ST_FAILED, DECC_EINVAL, "multipart: parser already failed");
	if (m->st != ST_END) {
		m->st = ST_FAILED;
		return decc_error_set(DECC_EINVAL, "multipart: body truncated (%s)",
				      m->parts ? "no closing boundary" : "no part at all");
	}
	return 0;
}
