/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RLP (Ethereum Yellow Paper, appendix B). The encoder always produces the canonical form and
 * the decoder accepts nothing else, so that one value has exactly one encoding (transaction
 * hashes depend on it).
 */
#include <string.h>

#include "decc/error.h"
#include "decc/rlp.h"

/* Header for a payload of n bytes: offset 0x80 for strings, 0xc0 for lists. */
static size_t header(uint8_t out[9], uint8_t base, size_t n)
{
	size_t k = 0;

	if (n < 56) {
		out[0] = (uint8_t)(base + n);
		return 1;
	}
	for (size_t v = n; v; v >>= 8)
		k++;
	out[0] = (uint8_t)(base + 55 + k);
	for (size_t i = 0; i < k; i++)
		out[1 + i] = (uint8_t)(n >> (8 * (k - 1 - i)));
	return 1 + k;
}

int decc_rlp_append_bytes(struct decc_buf *b, const uint8_t *p, size_t n)
{
	uint8_t h[9];
	size_t hl, need;

	if (n == 1 && p[0] < 0x80)
		return decc_buf_append_byte(b, p[0]);
	hl = header(h, 0x80, n);
	if (decc_add_overflow(hl, n, &need))
		return decc_error_set(DECC_ELIMIT, "RLP string too large");
	DECC_TRY(decc_buf_reserve(b, need));
	DECC_TRY(decc_buf_append(b, h, hl));
	return decc_buf_append(b, p, n);
}

int decc_rlp_append_u64(struct decc_buf *b, uint64_t v)
{
	uint8_t be[8];
	size_t k = 0;

	for (uint64_t t = v; t; t >>= 8)
		k++;
	for (size_t i = 0; i < k; i++)
		be[i] = (uint8_t)(v >> (8 * (k - 1 - i)));
	return decc_rlp_append_bytes(b, be, k);
}

int decc_rlp_append_u256(struct decc_buf *b, const decc_u256 *v)
{
	uint8_t be[32];
	size_t n;

	decc_u256_to_be_min(be, &n, v);
	return decc_rlp_append_bytes(b, be, n);
}

size_t decc_rlp_list_begin(const struct decc_buf *b)
{
	return b->len;
}

int decc_rlp_list_end(struct decc_buf *b, size_t mark)
{
	uint8_t h[9];
	size_t n, hl;

	if (mark > b->len)
		return decc_error_set(DECC_EINVAL, "RLP list mark %zu beyond buffer end %zu", mark,
				      b->len);
	n = b->len - mark;
	hl = header(h, 0xc0, n);
	DECC_TRY(decc_buf_reserve(b, hl));
	memmove(b->data + mark + hl, b->data + mark, n);
	memcpy(b->data + mark, h, hl);
	b->len += hl;
	b->data[b->len] = 0;
	return 0;
}

int decc_rlp_append_raw(struct decc_buf *b, const uint8_t *p, size_t n)
{
	return decc_buf_append(b, p, n);
}

static int bad(const char *what, size_t at)
{
	return decc_error_set(DECC_EINVAL, "invalid RLP at byte %zu: %s", at, what);
}

int decc_rlp_next(struct decc_cursor *c, struct decc_rlp_item *out)
{
	size_t start = c->pos, n, hl = 1;
	uint8_t p;
	bool list;
	struct decc_span payload;

	if (decc_cursor_left(c) == 0)
		return bad("truncated: expected an item", start);
	p = c->ptr[start];
	if (p < 0x80) {
		out->is_list = false;
		out->payload = DECC_SPAN(c->ptr + start, 1);
		out->raw = out->payload;
		c->pos++;
		return 0;
	}
	list = p >= 0xc0;
	n = (size_t)(p - (list ? 0xc0 : 0x80));
	if (n >= 56) {
		size_t k = n - 55; /* 1..8 length bytes */

		if (k > sizeof(size_t) || decc_cursor_left(c) < 1 + k)
			return bad("truncated length", start);
		if (c->ptr[start + 1] == 0)
			return bad("length with leading zero bytes", start);
		n = 0;
		for (size_t i = 0; i < k; i++)
			n = (n << 8) | c->ptr[start + 1 + i];
		if (n < 56)
			return bad("long form used for a length below 56", start);
		hl += k;
	}
	if (decc_cursor_left(c) - hl < n)
		return decc_error_set(
		    DECC_EINVAL, "invalid RLP at byte %zu: length %zu exceeds the %zu bytes left",
		    start, n, decc_cursor_left(c) - hl);
	payload = DECC_SPAN(c->ptr + start + hl, n);
	if (!list && n == 1 && payload.ptr[0] < 0x80)
		return bad("single byte below 0x80 must be encoded as itself", start);
	out->is_list = list;
	out->payload = payload;
	out->raw = DECC_SPAN(c->ptr + start, hl + n);
	c->pos += hl + n;
	return 0;
}

static int validate(const struct decc_rlp_item *it, unsigned depth)
{
	struct decc_cursor c;

	if (!it->is_list)
		return 0;
	if (depth >= DECC_RLP_MAX_DEPTH)
		return decc_error_set(DECC_ELIMIT, "RLP nested deeper than %d lists",
				      DECC_RLP_MAX_DEPTH);
	decc_cursor_init(&c, it->payload.ptr, it->payload.len);
	while (decc_cursor_left(&c)) {
		struct decc_rlp_item sub;

		DECC_TRY(decc_rlp_next(&c, &sub));
		DECC_TRY(validate(&sub, depth + 1));
	}
	return 0;
}

int decc_rlp_decode(struct decc_rlp_item *out, const uint8_t *p, size_t n)
{
	struct decc_cursor c;
	struct decc_rlp_item it;

	decc_cursor_init(&c, p, n);
	DECC_TRY(decc_rlp_next(&c, &it));
	if (decc_cursor_left(&c))
		return decc_error_set(DECC_EINVAL, "invalid RLP: %zu trailing bytes after the item",
				      decc_cursor_left(&c));
	DECC_TRY(validate(&it, 0));
	*out = it;
	return 0;
}

int decc_rlp_validate(const uint8_t *p, size_t n)
{
	struct decc_rlp_item it;

	return decc_rlp_decode(&it, p, n);
}

static int int_bytes(const struct decc_rlp_item *it, size_t max)
{
	if (it->is_list)
		return decc_error_set(DECC_EINVAL, "invalid RLP integer: got a list");
	if (it->payload.len > max)
		return decc_error_set(DECC_EINVAL, "invalid RLP integer: %zu bytes, at most %zu",
				      it->payload.len, max);
	if (it->payload.len && it->payload.ptr[0] == 0)
		return decc_error_set(DECC_EINVAL, "invalid RLP integer: leading zero byte");
	return 0;
}

int decc_rlp_get_u64(uint64_t *out, const struct decc_rlp_item *it)
{
	uint64_t v = 0;

	DECC_TRY(int_bytes(it, 8));
	for (size_t i = 0; i < it->payload.len; i++)
		v = (v << 8) | it->payload.ptr[i];
	*out = v;
	return 0;
}

int decc_rlp_get_u256(decc_u256 *out, const struct decc_rlp_item *it)
{
	DECC_TRY(int_bytes(it, 32));
	return decc_u256_from_be_bytes(out, it->payload.ptr, it->payload.len);
}
