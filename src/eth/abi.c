/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Solidity ABI (docs.soliditylang.org, "Contract ABI Specification"). A sequence (tuple, T[k],
 * the elements of T[]) is laid out as heads then tails: a static component sits in its head
 * slot, a dynamic one has there the offset of its tail, relative to the start of the sequence.
 *
 * The decoder is written for hostile input: every read is bounded, offsets and lengths are
 * checked before use, and the total number of values produced is bounded by the input size
 * (offsets may point many heads at one tail, which must not multiply the work).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "decc/abi.h"
#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/hex.h"

/* ---- types ---- */

struct parser {
	const char *text;
	size_t pos;
};

static int parse_type(struct parser *p, struct decc_abi_type **out, unsigned depth);

static int type_err(const struct parser *p, const char *what)
{
	return decc_error_set(DECC_EINVAL, "bad ABI type \"%.200s\" at character %zu: %s", p->text,
			      p->pos, what);
}

static struct decc_abi_type *type_new(enum decc_abi_kind kind)
{
	struct decc_abi_type *t = calloc(1, sizeof(*t));

	if (t)
		t->kind = kind;
	return t;
}

void decc_abi_type_free(struct decc_abi_type *t)
{
	if (!t)
		return;
	decc_abi_type_free(t->elem);
	for (size_t i = 0; i < t->n_members; i++)
		decc_abi_type_free(t->members[i]);
	free(t->members);
	free(t);
}

static int oom(void)
{
	return decc_error_set(DECC_ENOMEM, "out of memory");
}

/* Decimal without leading zeros; SIZE_MAX when absent, malformed or above max. */
static size_t parse_number(const char *s, size_t len, size_t max)
{
	size_t v = 0;

	if (len == 0 || (s[0] == '0' && len > 1))
		return SIZE_MAX;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return SIZE_MAX;
		v = v * 10 + (size_t)(s[i] - '0');
		if (v > max)
			return SIZE_MAX;
	}
	return v;
}

static int parse_elementary(struct parser *p, struct decc_abi_type **out)
{
	const char *s = p->text + p->pos;
	size_t len = 0, bits;
	struct decc_abi_type *t;
	enum decc_abi_kind kind;
	unsigned size = 0;

	while ((s[len] >= 'a' && s[len] <= 'z') || (s[len] >= '0' && s[len] <= '9'))
		len++;
	if (len == 7 && !memcmp(s, "address", 7)) {
		kind = DECC_ABI_ADDRESS;
		size = 20;
	} else if (len == 4 && !memcmp(s, "bool", 4)) {
		kind = DECC_ABI_BOOL;
	} else if (len == 6 && !memcmp(s, "string", 6)) {
		kind = DECC_ABI_STRING;
	} else if (len == 5 && !memcmp(s, "bytes", 5)) {
		kind = DECC_ABI_BYTES;
	} else if (len > 5 && !memcmp(s, "bytes", 5)) {
		kind = DECC_ABI_FIXED_BYTES;
		bits = parse_number(s + 5, len - 5, 32);
		if (bits == SIZE_MAX || bits == 0)
			return type_err(p, "bytesN needs N from 1 to 32");
		size = (unsigned)bits;
	} else if ((len >= 4 && !memcmp(s, "uint", 4)) || (len >= 3 && !memcmp(s, "int", 3))) {
		size_t skip = s[0] == 'u' ? 4 : 3;

		kind = s[0] == 'u' ? DECC_ABI_UINT : DECC_ABI_INT;
		bits = len == skip ? 256 : parse_number(s + skip, len - skip, 256);
		if (bits == SIZE_MAX || bits == 0 || bits % 8)
			return type_err(p, "(u)intN needs N a multiple of 8 from 8 to 256");
		size = (unsigned)bits;
	} else {
		return type_err(p, "unknown type name");
	}
	t = type_new(kind);
	if (!t)
		return oom();
	t->size = size;
	p->pos += len;
	*out = t;
	return 0;
}

static int parse_tuple(struct parser *p, struct decc_abi_type **out, unsigned depth)
{
	struct decc_abi_type *t = type_new(DECC_ABI_TUPLE), *m;
	size_t cap = 0;
	int r;

	if (!t)
		return oom();
	p->pos++; /* '(' */
	if (p->text[p->pos] == ')') {
		p->pos++;
		*out = t;
		return 0;
	}
	for (;;) {
		r = parse_type(p, &m, depth + 1);
		if (r < 0)
			goto fail;
		if (t->n_members == cap) {
			size_t ncap = cap ? 2 * cap : 4;
			struct decc_abi_type **nm = reallocarray(t->members, ncap, sizeof(*nm));

			if (!nm) {
				decc_abi_type_free(m);
				r = oom();
				goto fail;
			}
			t->members = nm;
			cap = ncap;
		}
		t->members[t->n_members++] = m;
		if (p->text[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->text[p->pos] == ')') {
			p->pos++;
			*out = t;
			return 0;
		}
		r = type_err(p, "expected ',' or ')' in tuple");
		goto fail;
	}
fail:
	decc_abi_type_free(t);
	return r;
}

static int parse_type(struct parser *p, struct decc_abi_type **out, unsigned depth)
{
	struct decc_abi_type *t = NULL;
	int r;

	if (depth > DECC_ABI_MAX_DEPTH)
		return decc_error_set(DECC_ELIMIT, "ABI type \"%.200s\" nested deeper than %d",
				      p->text, DECC_ABI_MAX_DEPTH);
	if (p->text[p->pos] == '(')
		r = parse_tuple(p, &t, depth);
	else
		r = parse_elementary(p, &t);
	if (r < 0)
		return r;
	while (p->text[p->pos] == '[') {
		const char *s = p->text + p->pos + 1;
		const char *close = strchr(s, ']');
		struct decc_abi_type *a;
		size_t k = 0;

		if (++depth > DECC_ABI_MAX_DEPTH) {
			decc_abi_type_free(t);
			return decc_error_set(DECC_ELIMIT,
					      "ABI type \"%.200s\" nested deeper than %d", p->text,
					      DECC_ABI_MAX_DEPTH);
		}
		if (!close) {
			decc_abi_type_free(t);
			return type_err(p, "missing ']'");
		}
		if (close != s) {
			k = parse_number(s, (size_t)(close - s), DECC_ABI_MAX_ITEMS);
			if (k == SIZE_MAX || k == 0) {
				decc_abi_type_free(t);
				return type_err(p, "fixed array length must be 1..65536");
			}
		}
		a = type_new(close == s ? DECC_ABI_ARRAY : DECC_ABI_FIXED_ARRAY);
		if (!a) {
			decc_abi_type_free(t);
			return oom();
		}
		a->length = k;
		a->elem = t;
		t = a;
		p->pos += (size_t)(close - s) + 2;
	}
	*out = t;
	return 0;
}

int decc_abi_type_parse(struct decc_abi_type **out, const char *text)
{
	struct parser p = { .text = text, .pos = 0 };
	struct decc_abi_type *t;

	DECC_TRY(parse_type(&p, &t, 0));
	if (text[p.pos]) {
		decc_abi_type_free(t);
		return type_err(&p, "unexpected characters after the type");
	}
	*out = t;
	return 0;
}

bool decc_abi_type_is_dynamic(const struct decc_abi_type *t)
{
	switch (t->kind) {
	case DECC_ABI_BYTES:
	case DECC_ABI_STRING:
	case DECC_ABI_ARRAY:
		return true;
	case DECC_ABI_FIXED_ARRAY:
		return decc_abi_type_is_dynamic(t->elem);
	case DECC_ABI_TUPLE:
		for (size_t i = 0; i < t->n_members; i++) {
			if (decc_abi_type_is_dynamic(t->members[i]))
				return true;
		}
		return false;
	default:
		return false;
	}
}

/* Bytes a component takes in its sequence's head; SIZE_MAX when it cannot fit in memory. */
static size_t head_size(const struct decc_abi_type *t)
{
	size_t n = 0, m;

	if (decc_abi_type_is_dynamic(t))
		return 32;
	switch (t->kind) {
	case DECC_ABI_FIXED_ARRAY:
		m = head_size(t->elem);
		if (m == SIZE_MAX || decc_mul_overflow(m, t->length, &n))
			return SIZE_MAX;
		return n;
	case DECC_ABI_TUPLE:
		for (size_t i = 0; i < t->n_members; i++) {
			m = head_size(t->members[i]);
			if (m == SIZE_MAX || decc_add_overflow(n, m, &n))
				return SIZE_MAX;
		}
		return n;
	default:
		return 32;
	}
}

static int type_text(struct decc_buf *out, const struct decc_abi_type *t)
{
	switch (t->kind) {
	case DECC_ABI_UINT:
		return decc_buf_appendf(out, "uint%u", t->size);
	case DECC_ABI_INT:
		return decc_buf_appendf(out, "int%u", t->size);
	case DECC_ABI_ADDRESS:
		return decc_buf_append_str(out, "address");
	case DECC_ABI_BOOL:
		return decc_buf_append_str(out, "bool");
	case DECC_ABI_FIXED_BYTES:
		return decc_buf_appendf(out, "bytes%u", t->size);
	case DECC_ABI_BYTES:
		return decc_buf_append_str(out, "bytes");
	case DECC_ABI_STRING:
		return decc_buf_append_str(out, "string");
	case DECC_ABI_ARRAY:
		DECC_TRY(type_text(out, t->elem));
		return decc_buf_append_str(out, "[]");
	case DECC_ABI_FIXED_ARRAY:
		DECC_TRY(type_text(out, t->elem));
		return decc_buf_appendf(out, "[%zu]", t->length);
	case DECC_ABI_TUPLE:
		DECC_TRY(decc_buf_append_byte(out, '('));
		for (size_t i = 0; i < t->n_members; i++) {
			if (i)
				DECC_TRY(decc_buf_append_byte(out, ','));
			DECC_TRY(type_text(out, t->members[i]));
		}
		return decc_buf_append_byte(out, ')');
	default:
		return decc_error_set(DECC_EINVAL, "unknown ABI type kind %d", (int)t->kind);
	}
}

static void buf_truncate(struct decc_buf *b, size_t len)
{
	if (b->cap) {
		b->len = len;
		b->data[len] = 0;
	}
}

int decc_abi_type_text(struct decc_buf *out, const struct decc_abi_type *t)
{
	size_t len0 = out->len;
	int r = type_text(out, t);

	if (r < 0)
		buf_truncate(out, len0);
	return r;
}

/* ---- values ---- */

static struct decc_abi_value *value_new(enum decc_abi_kind kind)
{
	struct decc_abi_value *v = calloc(1, sizeof(*v));

	if (v) {
		v->kind = kind;
		v->bytes = (struct decc_buf)DECC_BUF_INIT;
	}
	return v;
}

void decc_abi_value_free(struct decc_abi_value *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n_items; i++)
		decc_abi_value_free(v->items[i]);
	free(v->items);
	decc_buf_release(&v->bytes);
	free(v);
}

struct decc_abi_value *decc_abi_uint(const decc_u256 *x)
{
	struct decc_abi_value *v = value_new(DECC_ABI_UINT);

	if (v)
		decc_u256_to_be(v->word, x);
	return v;
}

struct decc_abi_value *decc_abi_uint64(uint64_t x)
{
	decc_u256 u = decc_u256_from_u64(x);

	return decc_abi_uint(&u);
}

struct decc_abi_value *decc_abi_int64(int64_t x)
{
	struct decc_abi_value *v = value_new(DECC_ABI_INT);
	uint64_t u = (uint64_t)x;

	if (v) {
		memset(v->word, x < 0 ? 0xff : 0, 24);
		for (int i = 0; i < 8; i++)
			v->word[24 + i] = (uint8_t)(u >> (56 - 8 * i));
	}
	return v;
}

struct decc_abi_value *decc_abi_address(const decc_address *a)
{
	struct decc_abi_value *v = value_new(DECC_ABI_ADDRESS);

	if (v)
		decc_address_to_word(v->word, a);
	return v;
}

struct decc_abi_value *decc_abi_bool(bool b)
{
	struct decc_abi_value *v = value_new(DECC_ABI_BOOL);

	if (v)
		v->word[31] = b ? 1 : 0;
	return v;
}

struct decc_abi_value *decc_abi_fixed_bytes(const uint8_t *p, size_t n)
{
	struct decc_abi_value *v;

	if (n > 32)
		return NULL;
	v = value_new(DECC_ABI_FIXED_BYTES);
	if (v && n)
		memcpy(v->word, p, n);
	return v;
}

static struct decc_abi_value *bytes_value(enum decc_abi_kind kind, const void *p, size_t n)
{
	struct decc_abi_value *v = value_new(kind);

	if (v && decc_buf_append(&v->bytes, p, n) < 0) {
		decc_abi_value_free(v);
		return NULL;
	}
	return v;
}

struct decc_abi_value *decc_abi_bytes(const uint8_t *p, size_t n)
{
	return bytes_value(DECC_ABI_BYTES, p, n);
}

struct decc_abi_value *decc_abi_string(const char *s)
{
	return bytes_value(DECC_ABI_STRING, s, strlen(s));
}

static struct decc_abi_value *composite(enum decc_abi_kind kind, size_t n,
					struct decc_abi_value **items)
{
	struct decc_abi_value *v = NULL;
	bool ok = true;

	for (size_t i = 0; i < n; i++)
		ok = ok && items[i];
	if (ok)
		v = value_new(kind);
	if (v && n) {
		v->items = calloc(n, sizeof(*v->items));
		if (!v->items) {
			free(v);
			v = NULL;
		}
	}
	if (!v) {
		for (size_t i = 0; i < n; i++)
			decc_abi_value_free(items[i]);
		return NULL;
	}
	if (n) /* items may be NULL for an empty tuple */
		memcpy(v->items, items, n * sizeof(*items));
	v->n_items = n;
	return v;
}

struct decc_abi_value *decc_abi_tuple(size_t n, struct decc_abi_value **items)
{
	return composite(DECC_ABI_TUPLE, n, items);
}

struct decc_abi_value *decc_abi_array(size_t n, struct decc_abi_value **items)
{
	return composite(DECC_ABI_ARRAY, n, items);
}

struct decc_abi_value *decc_abi_tuplev(size_t n, ...)
{
	struct decc_abi_value **items = n ? calloc(n, sizeof(*items)) : NULL;
	struct decc_abi_value *v;
	va_list ap;

	va_start(ap, n);
	for (size_t i = 0; i < n; i++) {
		struct decc_abi_value *x = va_arg(ap, struct decc_abi_value *);

		if (items)
			items[i] = x;
		else
			decc_abi_value_free(x);
	}
	va_end(ap);
	if (n && !items)
		return NULL;
	v = composite(DECC_ABI_TUPLE, n, items);
	free(items);
	return v;
}

int decc_abi_get_u256(decc_u256 *out, const struct decc_abi_value *v)
{
	if (v->kind != DECC_ABI_UINT && v->kind != DECC_ABI_INT)
		return decc_error_set(DECC_EINVAL, "ABI value is not an integer");
	decc_u256_from_be(out, v->word);
	return 0;
}

int decc_abi_get_address(decc_address *out, const struct decc_abi_value *v)
{
	if (v->kind != DECC_ABI_ADDRESS)
		return decc_error_set(DECC_EINVAL, "ABI value is not an address");
	memcpy(out->b, v->word + 12, 20);
	return 0;
}

int decc_abi_get_bool(bool *out, const struct decc_abi_value *v)
{
	if (v->kind != DECC_ABI_BOOL)
		return decc_error_set(DECC_EINVAL, "ABI value is not a bool");
	*out = v->word[31] != 0;
	return 0;
}

int decc_abi_get_bytes32(uint8_t out[32], const struct decc_abi_value *v)
{
	if (v->kind != DECC_ABI_FIXED_BYTES)
		return decc_error_set(DECC_EINVAL, "ABI value is not a bytesN");
	memcpy(out, v->word, 32);
	return 0;
}

/* ---- word checks, shared by encoder and decoder ---- */

static bool all_bytes(const uint8_t *p, size_t n, uint8_t b)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != b)
			return false;
	}
	return true;
}

/* Fits in `bits` unsigned bits. */
static bool fits_uint(const uint8_t w[32], unsigned bits)
{
	return all_bytes(w, 32 - bits / 8, 0);
}

/* Is the sign extension of its low `bits` bits. */
static bool fits_int(const uint8_t w[32], unsigned bits)
{
	size_t pad = 32 - bits / 8;
	uint8_t fill = (w[pad] & 0x80) ? 0xff : 0;

	return all_bytes(w, pad, fill);
}

static bool word_valid(const struct decc_abi_type *t, const uint8_t w[32])
{
	switch (t->kind) {
	case DECC_ABI_UINT:
		return fits_uint(w, t->size);
	case DECC_ABI_INT:
		return fits_int(w, t->size);
	case DECC_ABI_ADDRESS:
		return all_bytes(w, 12, 0);
	case DECC_ABI_BOOL:
		return all_bytes(w, 31, 0) && w[31] <= 1;
	case DECC_ABI_FIXED_BYTES:
		return all_bytes(w + t->size, 32 - t->size, 0);
	default:
		return false;
	}
}

static const char *kind_name(enum decc_abi_kind k)
{
	static const char *const names[] = { "uint",  "int",	"address", "bool",	  "bytesN",
					     "bytes", "string", "array",   "fixed array", "tuple" };

	return (unsigned)k < DECC_ARRAY_SIZE(names) ? names[k] : "?";
}

/* ---- encoding ---- */

static int encode_rec(struct decc_buf *out, const struct decc_abi_type *t,
		      const struct decc_abi_value *v, unsigned depth);

static const struct decc_abi_type *seq_type(const struct decc_abi_type *t, size_t i)
{
	return t->kind == DECC_ABI_TUPLE ? t->members[i] : t->elem;
}

static void put_size(uint8_t w[32], size_t n)
{
	memset(w, 0, 24);
	for (int i = 0; i < 8; i++)
		w[24 + i] = (uint8_t)((uint64_t)n >> (56 - 8 * i));
}

static int encode_seq(struct decc_buf *out, const struct decc_abi_type *t,
		      const struct decc_abi_value *v, unsigned depth)
{
	size_t start = out->len, pos = start;

	/* heads: static components in place, a placeholder for each dynamic one */
	for (size_t i = 0; i < v->n_items; i++) {
		const struct decc_abi_type *ct = seq_type(t, i);

		if (decc_abi_type_is_dynamic(ct))
			DECC_TRY(decc_buf_append_zeros(out, 32));
		else
			DECC_TRY(encode_rec(out, ct, v->items[i], depth + 1));
	}
	/* tails, patching each placeholder with the tail's offset */
	for (size_t i = 0; i < v->n_items; i++) {
		const struct decc_abi_type *ct = seq_type(t, i);

		if (decc_abi_type_is_dynamic(ct)) {
			put_size(out->data + pos, out->len - start);
			DECC_TRY(encode_rec(out, ct, v->items[i], depth + 1));
			pos += 32;
		} else {
			pos += head_size(ct);
		}
	}
	return 0;
}

static int encode_rec(struct decc_buf *out, const struct decc_abi_type *t,
		      const struct decc_abi_value *v, unsigned depth)
{
	uint8_t w[32];
	bool ok;

	if (depth > DECC_ABI_MAX_DEPTH)
		return decc_error_set(DECC_ELIMIT, "ABI value nested deeper than %d",
				      DECC_ABI_MAX_DEPTH);
	switch (t->kind) {
	case DECC_ABI_UINT:
	case DECC_ABI_INT:
		ok = v->kind == DECC_ABI_UINT || v->kind == DECC_ABI_INT;
		/* a value changing signedness must mean the same number on both sides */
		if (ok && v->kind == DECC_ABI_UINT && t->kind == DECC_ABI_INT)
			ok = fits_uint(v->word, t->size) && !(v->word[32 - t->size / 8] & 0x80);
		if (ok && v->kind == DECC_ABI_INT && t->kind == DECC_ABI_UINT)
			ok = !(v->word[0] & 0x80);
		if (!ok || !word_valid(t, v->word))
			return decc_error_set(DECC_EINVAL,
					      "ABI encode: value (%s) does not fit %s%u",
					      kind_name(v->kind), kind_name(t->kind), t->size);
		return decc_buf_append(out, v->word, 32);
	case DECC_ABI_ADDRESS:
	case DECC_ABI_BOOL:
	case DECC_ABI_FIXED_BYTES:
		if (v->kind != t->kind || !word_valid(t, v->word))
			return decc_error_set(DECC_EINVAL, "ABI encode: value (%s) does not fit %s",
					      kind_name(v->kind), kind_name(t->kind));
		return decc_buf_append(out, v->word, 32);
	case DECC_ABI_BYTES:
	case DECC_ABI_STRING:
		if (v->kind != DECC_ABI_BYTES && v->kind != DECC_ABI_STRING)
			return decc_error_set(DECC_EINVAL, "ABI encode: expected %s, got %s",
					      kind_name(t->kind), kind_name(v->kind));
		put_size(w, v->bytes.len);
		DECC_TRY(decc_buf_append(out, w, 32));
		DECC_TRY(decc_buf_append(out, v->bytes.data, v->bytes.len));
		return decc_buf_append_zeros(out, (32 - v->bytes.len % 32) % 32);
	case DECC_ABI_ARRAY:
		if (v->kind != DECC_ABI_ARRAY && v->kind != DECC_ABI_FIXED_ARRAY)
			return decc_error_set(DECC_EINVAL, "ABI encode: expected an array, got %s",
					      kind_name(v->kind));
		put_size(w, v->n_items);
		DECC_TRY(decc_buf_append(out, w, 32));
		return encode_seq(out, t, v, depth);
	case DECC_ABI_FIXED_ARRAY:
		if ((v->kind != DECC_ABI_ARRAY && v->kind != DECC_ABI_FIXED_ARRAY) ||
		    v->n_items != t->length)
			return decc_error_set(
			    DECC_EINVAL,
			    "ABI encode: expected an array of %zu items, got %s of "
			    "%zu",
			    t->length, kind_name(v->kind), v->n_items);
		return encode_seq(out, t, v, depth);
	case DECC_ABI_TUPLE:
		if (v->kind != DECC_ABI_TUPLE || v->n_items != t->n_members)
			return decc_error_set(
			    DECC_EINVAL,
			    "ABI encode: expected a tuple of %zu members, got %s of "
			    "%zu",
			    t->n_members, kind_name(v->kind), v->n_items);
		return encode_seq(out, t, v, depth);
	default:
		return decc_error_set(DECC_EINVAL, "unknown ABI type kind %d", (int)t->kind);
	}
}

int decc_abi_encode(struct decc_buf *out, const struct decc_abi_type *t,
		    const struct decc_abi_value *v)
{
	size_t len0 = out->len;
	int r = encode_rec(out, t, v, 0);

	if (r < 0)
		buf_truncate(out, len0);
	return r;
}

/* ---- decoding ---- */

struct decoder {
	const uint8_t *data;
	size_t n;
	size_t budget; /* values and words still allowed to be produced */
};

/* Borrow len bytes at pos, bounds-checked through the cursor. */
static int take(const struct decoder *d, size_t pos, size_t len, const uint8_t **out)
{
	struct decc_cursor c;
	struct decc_span s;

	if (pos > d->n)
		return decc_error_set(DECC_EINVAL,
				      "ABI decode: position %zu beyond the %zu bytes "
				      "of data",
				      pos, d->n);
	decc_cursor_init(&c, d->data, d->n);
	c.pos = pos;
	if (decc_cursor_take(&c, &s, len) < 0)
		return decc_error_set(DECC_EINVAL,
				      "ABI decode: truncated data: %zu bytes needed at %zu, %zu "
				      "available",
				      len, pos, d->n - pos);
	*out = s.ptr;
	return 0;
}

/* A length or offset word: must fit comfortably (< 2^32) before any arithmetic on it. */
static int read_size(const struct decoder *d, size_t pos, size_t *out, const char *what)
{
	const uint8_t *w;
	size_t v = 0;

	DECC_TRY(take(d, pos, 32, &w));
	if (!all_bytes(w, 28, 0))
		return decc_error_set(DECC_EINVAL, "ABI decode: %s at byte %zu is out of range",
				      what, pos);
	for (int i = 28; i < 32; i++)
		v = (v << 8) | w[i];
	*out = v;
	return 0;
}

static int charge(struct decoder *d, size_t units)
{
	if (units > d->budget)
		return decc_error_set(DECC_ELIMIT,
				      "ABI decode: data expands to too many values for its size "
				      "(offsets pointing at shared data?)");
	d->budget -= units;
	return 0;
}

static int decode_rec(struct decoder *d, const struct decc_abi_type *t, size_t pos, unsigned depth,
		      struct decc_abi_value **out);

/* count components laid out as heads from base (which is also the origin of their offsets) */
static int decode_seq(struct decoder *d, const struct decc_abi_type *t, size_t count, size_t base,
		      unsigned depth, struct decc_abi_value *v)
{
	size_t hp = base;
	const struct decc_abi_type *et = t->kind == DECC_ABI_TUPLE ? NULL : t->elem;
	bool edyn = et && decc_abi_type_is_dynamic(et);
	size_t ehs = et ? head_size(et) : 0, need;

	if (et) {
		/* all heads must be present before anything is allocated for them */
		if (ehs == SIZE_MAX || decc_mul_overflow(ehs, count, &need) || base > d->n ||
		    need > d->n - base)
			return decc_error_set(
			    DECC_EINVAL,
			    "ABI decode: %zu array elements do not fit in the %zu "
			    "bytes after position %zu",
			    count, base > d->n ? 0 : d->n - base, base);
	}
	DECC_TRY(charge(d, count));
	if (count) {
		v->items = calloc(count, sizeof(*v->items));
		if (!v->items)
			return oom();
	}
	for (size_t i = 0; i < count; i++) {
		const struct decc_abi_type *ct = et ? et : t->members[i];
		bool dyn = et ? edyn : decc_abi_type_is_dynamic(ct);
		size_t hs = et ? ehs : head_size(ct), at = hp;

		if (dyn) {
			size_t off;

			DECC_TRY(read_size(d, hp, &off, "offset"));
			if (decc_add_overflow(base, off, &at) || at > d->n)
				return decc_error_set(DECC_EINVAL,
						      "ABI decode: offset %zu at byte %zu points "
						      "outside the %zu bytes of data",
						      off, hp, d->n);
		}
		DECC_TRY(decode_rec(d, ct, at, depth + 1, &v->items[i]));
		v->n_items = i + 1;
		if (hs == SIZE_MAX || decc_add_overflow(hp, hs, &hp))
			return decc_error_set(DECC_EINVAL, "ABI decode: type too large");
	}
	return 0;
}

static int decode_word(struct decoder *d, const struct decc_abi_type *t, size_t pos,
		       struct decc_abi_value *v)
{
	const uint8_t *w;

	DECC_TRY(take(d, pos, 32, &w));
	if (!word_valid(t, w))
		return decc_error_set(DECC_EINVAL,
				      "ABI decode: %s at byte %zu has dirty padding or is out of "
				      "range",
				      kind_name(t->kind), pos);
	memcpy(v->word, w, 32);
	return 0;
}

static int decode_bytes(struct decoder *d, size_t pos, struct decc_abi_value *v)
{
	size_t len, padded, at;
	const uint8_t *p;

	DECC_TRY(read_size(d, pos, &len, "byte string length"));
	padded = len + (32 - len % 32) % 32; /* len < 2^32: no overflow */
	if (decc_add_overflow(pos, 32, &at))
		return decc_error_set(DECC_EINVAL, "ABI decode: position overflow");
	DECC_TRY(take(d, at, padded, &p));
	DECC_TRY(charge(d, padded / 32));
	return decc_buf_append(&v->bytes, p, len);
}

static int decode_rec(struct decoder *d, const struct decc_abi_type *t, size_t pos, unsigned depth,
		      struct decc_abi_value **out)
{
	struct decc_abi_value *v;
	size_t count;
	int r;

	if (depth > DECC_ABI_MAX_DEPTH)
		return decc_error_set(DECC_ELIMIT, "ABI decode: nested deeper than %d",
				      DECC_ABI_MAX_DEPTH);
	DECC_TRY(charge(d, 1));
	v = value_new(t->kind);
	if (!v)
		return oom();
	switch (t->kind) {
	case DECC_ABI_UINT:
	case DECC_ABI_INT:
	case DECC_ABI_ADDRESS:
	case DECC_ABI_BOOL:
	case DECC_ABI_FIXED_BYTES:
		r = decode_word(d, t, pos, v);
		break;
	case DECC_ABI_BYTES:
	case DECC_ABI_STRING:
		r = decode_bytes(d, pos, v);
		break;
	case DECC_ABI_ARRAY:
		r = read_size(d, pos, &count, "array length");
		if (r == 0 && count > DECC_ABI_MAX_ITEMS)
			r = decc_error_set(DECC_ELIMIT,
					   "ABI decode: array of %zu items exceeds the limit of %d",
					   count, DECC_ABI_MAX_ITEMS);
		if (r == 0)
			r = decode_seq(d, t, count, pos + 32, depth, v);
		break;
	case DECC_ABI_FIXED_ARRAY:
		r = decode_seq(d, t, t->length, pos, depth, v);
		break;
	case DECC_ABI_TUPLE:
		r = decode_seq(d, t, t->n_members, pos, depth, v);
		break;
	default:
		r = decc_error_set(DECC_EINVAL, "unknown ABI type kind %d", (int)t->kind);
		break;
	}
	if (r < 0) {
		decc_abi_value_free(v);
		return r;
	}
	*out = v;
	return 0;
}

int decc_abi_decode(struct decc_abi_value **out, const struct decc_abi_type *t, const uint8_t *data,
		    size_t n)
{
	/*
	 * A canonical encoding spends at least one 32-byte word per value, except zero-sized
	 * values (empty tuples) and the containers of static tuples / fixed arrays; the slack
	 * covers those, while a few heads aimed at one tail cannot multiply the work.
	 */
	struct decoder d = { .data = data, .n = n };
	struct decc_abi_value *v;

	d.budget = 40 * (n / 32 + 1) + 2 * (size_t)DECC_ABI_MAX_ITEMS;
	DECC_TRY(decode_rec(&d, t, 0, 0, &v));
	*out = v;
	return 0;
}

/* ---- calls ---- */

void decc_abi_selector(uint8_t out[4], const char *signature)
{
	uint8_t h[32];

	decc_keccak256(h, signature, strlen(signature));
	memcpy(out, h, 4);
}

/* Parse "name(types)" into the argument tuple and the canonical selector. */
static int parse_signature(struct decc_abi_type **out, uint8_t sel[4], const char *signature)
{
	const char *paren = strchr(signature, '(');
	struct decc_buf canon = DECC_BUF_INIT;
	struct decc_abi_type *t;
	int r;

	if (!paren || paren == signature)
		return decc_error_set(DECC_EINVAL,
				      "bad function signature \"%.200s\": expected name(types)",
				      signature);
	for (const char *c = signature; c < paren; c++) {
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_' || *c == '$'))
			return decc_error_set(DECC_EINVAL,
					      "bad function signature \"%.200s\": bad character in "
					      "the name",
					      signature);
	}
	DECC_TRY(decc_abi_type_parse(&t, paren));
	if (t->kind != DECC_ABI_TUPLE) {
		decc_abi_type_free(t);
		return decc_error_set(DECC_EINVAL,
				      "bad function signature \"%.200s\": expected name(types)",
				      signature);
	}
	/* hash the canonical form, so "f(uint)" selects like "f(uint256)" */
	r = decc_buf_append(&canon, signature, (size_t)(paren - signature));
	if (r == 0)
		r = decc_abi_type_text(&canon, t);
	if (r < 0) {
		decc_buf_release(&canon);
		decc_abi_type_free(t);
		return r;
	}
	decc_abi_selector(sel, decc_buf_str(&canon));
	decc_buf_release(&canon);
	*out = t;
	return 0;
}

int decc_abi_encode_call(struct decc_buf *out, const char *signature,
			 const struct decc_abi_value *args)
{
	struct decc_abi_type *t;
	uint8_t sel[4];
	size_t len0 = out->len;
	int r;

	DECC_TRY(parse_signature(&t, sel, signature));
	r = decc_buf_append(out, sel, 4);
	if (r == 0)
		r = encode_rec(out, t, args, 0);
	if (r < 0)
		buf_truncate(out, len0);
	decc_abi_type_free(t);
	return r;
}

int decc_abi_decode_call(struct decc_abi_value **out, const char *signature, const uint8_t *data,
			 size_t n)
{
	struct decc_abi_type *t;
	uint8_t sel[4];
	int r;

	DECC_TRY(parse_signature(&t, sel, signature));
	if (n < 4 || memcmp(data, sel, 4) != 0) {
		decc_abi_type_free(t);
		return decc_error_set(
		    DECC_EINVAL, "calldata does not start with the selector of %.200s", signature);
	}
	r = decc_abi_decode(out, t, data + 4, n - 4);
	decc_abi_type_free(t);
	return r;
}

/* ---- revert data ---- */

static const char *panic_name(uint64_t code)
{
	switch (code) {
	case 0x00:
		return "generic compiler panic";
	case 0x01:
		return "assertion failed";
	case 0x11:
		return "arithmetic overflow";
	case 0x12:
		return "division or modulo by zero";
	case 0x21:
		return "invalid enum value";
	case 0x22:
		return "invalid storage byte array encoding";
	case 0x31:
		return "pop on an empty array";
	case 0x32:
		return "array index out of bounds";
	case 0x41:
		return "out of memory";
	case 0x51:
		return "call to a zero-initialized function";
	default:
		return "unknown panic code";
	}
}

static int decode_single(struct decc_abi_value **out, const char *type, const uint8_t *data,
			 size_t n)
{
	struct decc_abi_type *t;
	int r;

	DECC_TRY(decc_abi_type_parse(&t, type));
	r = decc_abi_decode(out, t, data, n);
	decc_abi_type_free(t);
	return r;
}

int decc_abi_revert_reason(struct decc_buf *out, const uint8_t *data, size_t n)
{
	static const uint8_t error_sel[4] = { 0x08, 0xc3, 0x79, 0xa0 };
	static const uint8_t panic_sel[4] = { 0x4e, 0x48, 0x7b, 0x71 };
	struct decc_abi_value *v = NULL;
	size_t len0 = out->len;
	int r;

	if (n == 0)
		return decc_buf_append_str(out, "reverted without a reason");
	if (n >= 4 && !memcmp(data, error_sel, 4) &&
	    decode_single(&v, "(string)", data + 4, n - 4) == 0) {
		r = decc_buf_append(out, v->items[0]->bytes.data, v->items[0]->bytes.len);
	} else if (n >= 4 && !memcmp(data, panic_sel, 4) &&
		   decode_single(&v, "(uint256)", data + 4, n - 4) == 0) {
		decc_u256 code;
		uint64_t c64;
		char hex[67];

		decc_u256_from_be(&code, v->items[0]->word);
		if (decc_u256_to_u64(&code, &c64)) {
			r = decc_buf_appendf(out, "panic 0x%02llx (%s)", (unsigned long long)c64,
					     panic_name(c64));
		} else {
			decc_u256_to_hex(hex, &code);
			r = decc_buf_appendf(out, "panic %s (unknown panic code)", hex);
		}
	} else {
		r = decc_buf_append_str(out, "custom error ");
		if (r == 0)
			r = decc_hex_append(out, data, n < 4 ? n : 4);
	}
	decc_abi_value_free(v);
	if (r < 0)
		buf_truncate(out, len0);
	return r;
}
