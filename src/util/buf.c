/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/buf.h"
#include "decc/error.h"

uint8_t decc_buf_empty_[1];

void decc_wipe(void *p, size_t n)
{
	if (p && n) {
		memset(p, 0, n);
		/* keep the stores: the compiler cannot prove nobody reads p afterwards */
		__asm__ __volatile__("" : : "r"(p) : "memory");
	}
}

void decc_buf_init(struct decc_buf *b, size_t max)
{
	*b = (struct decc_buf)DECC_BUF_INIT;
	b->max = max;
}

void decc_buf_init_secret(struct decc_buf *b, size_t max)
{
	decc_buf_init(b, max);
	b->secret = true;
}

void decc_buf_release(struct decc_buf *b)
{
	if (!b)
		return;
	if (b->cap) {
		if (b->secret)
			decc_wipe(b->data, b->cap);
		free(b->data);
	}
	b->data = decc_buf_empty_;
	b->len = 0;
	b->cap = 0;
}

void decc_buf_reset(struct decc_buf *b)
{
	if (b->cap) {
		if (b->secret)
			decc_wipe(b->data, b->len);
		b->data[0] = 0;
	}
	b->len = 0;
}

int decc_buf_reserve(struct decc_buf *b, size_t extra)
{
	size_t need, ncap;
	uint8_t *p;

	if (decc_add_overflow(b->len, extra, &need) || need > b->max)
		return decc_error_set(DECC_ELIMIT, "data too large (limit %zu bytes)", b->max);
	if (need + 1 <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need + 1) {
		if (decc_mul_overflow(ncap, 2, &ncap))
			return decc_error_set(DECC_ELIMIT, "data too large");
	}
	if (b->secret) {
		/* never leave a copy of a secret behind in freed memory */
		p = malloc(ncap);
		if (!p)
			return decc_error_set(DECC_ENOMEM, "out of memory");
		memcpy(p, b->data, b->len + 1);
		if (b->cap) {
			decc_wipe(b->data, b->cap);
			free(b->data);
		}
	} else {
		p = realloc(b->cap ? b->data : NULL, ncap);
		if (!p)
			return decc_error_set(DECC_ENOMEM, "out of memory");
		if (!b->cap)
			p[0] = 0;
	}
	b->data = p;
	b->cap = ncap;
	return 0;
}

int decc_buf_append(struct decc_buf *b, const void *p, size_t n)
{
	if (n == 0)
		return 0;
	DECC_TRY(decc_buf_reserve(b, n));
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = 0;
	return 0;
}

int decc_buf_append_byte(struct decc_buf *b, uint8_t c)
{
	return decc_buf_append(b, &c, 1);
}

int decc_buf_append_str(struct decc_buf *b, const char *s)
{
	return decc_buf_append(b, s, strlen(s));
}

int decc_buf_append_zeros(struct decc_buf *b, size_t n)
{
	if (n == 0)
		return 0;
	DECC_TRY(decc_buf_reserve(b, n));
	memset(b->data + b->len, 0, n);
	b->len += n;
	b->data[b->len] = 0;
	return 0;
}

int decc_buf_appendf(struct decc_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return decc_error_set(DECC_EINVAL, "bad format string");
	DECC_TRY(decc_buf_reserve(b, (size_t)n));
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

uint8_t *decc_buf_detach(struct decc_buf *b, size_t *len_out)
{
	uint8_t *p;
	size_t max = b->max;
	bool secret = b->secret;

	if (b->cap) {
		p = b->data;
	} else {
		p = malloc(1);
		if (p)
			p[0] = 0;
	}
	if (len_out)
		*len_out = b->len;
	decc_buf_init(b, max);
	b->secret = secret;
	return p;
}

/* ---- cursor ---- */

static int short_read(size_t want, size_t left)
{
	return decc_error_set(DECC_EINVAL, "truncated input: need %zu bytes, %zu left", want, left);
}

int decc_cursor_read(struct decc_cursor *c, void *out, size_t n)
{
	if (decc_cursor_left(c) < n)
		return short_read(n, decc_cursor_left(c));
	if (n)
		memcpy(out, c->ptr + c->pos, n);
	c->pos += n;
	return 0;
}

int decc_cursor_take(struct decc_cursor *c, struct decc_span *out, size_t n)
{
	if (decc_cursor_left(c) < n)
		return short_read(n, decc_cursor_left(c));
	out->ptr = c->ptr + c->pos;
	out->len = n;
	c->pos += n;
	return 0;
}

int decc_cursor_skip(struct decc_cursor *c, size_t n)
{
	if (decc_cursor_left(c) < n)
		return short_read(n, decc_cursor_left(c));
	c->pos += n;
	return 0;
}

int decc_cursor_u8(struct decc_cursor *c, uint8_t *out)
{
	return decc_cursor_read(c, out, 1);
}

static int read_le(struct decc_cursor *c, uint64_t *out, size_t n)
{
	uint8_t b[8];
	uint64_t v = 0;

	DECC_TRY(decc_cursor_read(c, b, n));
	for (size_t i = n; i-- > 0;)
		v = (v << 8) | b[i];
	*out = v;
	return 0;
}

int decc_cursor_u16le(struct decc_cursor *c, uint16_t *out)
{
	uint64_t v;

	DECC_TRY(read_le(c, &v, 2));
	*out = (uint16_t)v;
	return 0;
}

int decc_cursor_u32le(struct decc_cursor *c, uint32_t *out)
{
	uint64_t v;

	DECC_TRY(read_le(c, &v, 4));
	*out = (uint32_t)v;
	return 0;
}

int decc_cursor_u64le(struct decc_cursor *c, uint64_t *out)
{
	return read_le(c, out, 8);
}

int decc_cursor_uint_be(struct decc_cursor *c, uint64_t *out, size_t n)
{
	uint8_t b[8];
	uint64_t v = 0;

	if (n == 0 || n > 8)
		return decc_error_set(DECC_EINVAL, "bad integer width %zu", n);
	DECC_TRY(decc_cursor_read(c, b, n));
	for (size_t i = 0; i < n; i++)
		v = (v << 8) | b[i];
	*out = v;
	return 0;
}

int decc_cursor_u32be(struct decc_cursor *c, uint32_t *out)
{
	uint64_t v;

	DECC_TRY(decc_cursor_uint_be(c, &v, 4));
	*out = (uint32_t)v;
	return 0;
}
