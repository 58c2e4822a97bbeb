/* SPDX-License-Identifier: Apache-2.0 */
/* 256-bit unsigned arithmetic on four 64-bit limbs, checked: overflow is reported, never wrapped. */
#include <string.h>

#include "decc/error.h"
#include "decc/hex.h"
#include "decc/u256.h"

typedef unsigned __int128 u128;

bool decc_u256_to_u64(const decc_u256 *a, uint64_t *out)
{
	if (a->w[1] | a->w[2] | a->w[3])
		return false;
	*out = a->w[0];
	return true;
}

int decc_u256_cmp(const decc_u256 *a, const decc_u256 *b)
{
	for (int i = 3; i >= 0; i--) {
		if (a->w[i] != b->w[i])
			return a->w[i] < b->w[i] ? -1 : 1;
	}
	return 0;
}

bool decc_u256_add(decc_u256 *out, const decc_u256 *a, const decc_u256 *b)
{
	decc_u256 r;
	uint64_t carry = 0;

	for (int i = 0; i < 4; i++) {
		u128 t = (u128)a->w[i] + b->w[i] + carry;

		r.w[i] = (uint64_t)t;
		carry = (uint64_t)(t >> 64);
	}
	*out = r;
	return carry != 0;
}

bool decc_u256_sub(decc_u256 *out, const decc_u256 *a, const decc_u256 *b)
{
	decc_u256 r;
	uint64_t borrow = 0;

	for (int i = 0; i < 4; i++) {
		uint64_t x = a->w[i], y = b->w[i];
		uint64_t d = x - y - borrow;

		borrow = (x < y || (x == y && borrow)) ? 1 : 0;
		r.w[i] = d;
	}
	*out = r;
	return borrow != 0;
}

bool decc_u256_mul(decc_u256 *out, const decc_u256 *a, const decc_u256 *b)
{
	uint64_t r[8] = { 0 };

	/* schoolbook into 512 bits; any non-zero upper half is an overflow */
	for (int i = 0; i < 4; i++) {
		uint64_t carry = 0;

		if (a->w[i] == 0)
			continue;
		for (int j = 0; j < 4; j++) {
			u128 t = (u128)a->w[i] * b->w[j] + r[i + j] + carry;

			r[i + j] = (uint64_t)t;
			carry = (uint64_t)(t >> 64);
		}
		r[i + 4] = carry;
	}
	out->w[0] = r[0];
	out->w[1] = r[1];
	out->w[2] = r[2];
	out->w[3] = r[3];
	return (r[4] | r[5] | r[6] | r[7]) != 0;
}

static unsigned bit_length(const decc_u256 *a)
{
	for (int i = 3; i >= 0; i--) {
		if (a->w[i])
			return (unsigned)(64 * i + 64 - __builtin_clzll(a->w[i]));
	}
	return 0;
}

static void shl1(decc_u256 *a, unsigned bit)
{
	a->w[3] = (a->w[3] << 1) | (a->w[2] >> 63);
	a->w[2] = (a->w[2] << 1) | (a->w[1] >> 63);
	a->w[1] = (a->w[1] << 1) | (a->w[0] >> 63);
	a->w[0] = (a->w[0] << 1) | bit;
}

/* Division by a single limb, the common case (decimal printing, small divisors). */
static uint64_t div_small(decc_u256 *q, const decc_u256 *a, uint64_t d)
{
	u128 rem = 0;

	for (int i = 3; i >= 0; i--) {
		u128 cur = (rem << 64) | a->w[i];

		q->w[i] = (uint64_t)(cur / d);
		rem = cur % d;
	}
	return (uint64_t)rem;
}

bool decc_u256_divmod(decc_u256 *q, decc_u256 *r, const decc_u256 *a, const decc_u256 *b)
{
	decc_u256 quo = DECC_U256_ZERO, rem = DECC_U256_ZERO;
	unsigned n;

	if (decc_u256_is_zero(b))
		return true;
	if (!(b->w[1] | b->w[2] | b->w[3])) {
		uint64_t m = div_small(&quo, a, b->w[0]);

		rem = decc_u256_from_u64(m);
	} else {
		/* restoring binary long division; the remainder stays below b < 2^256 */
		n = bit_length(a);
		for (unsigned i = n; i-- > 0;) {
			unsigned bit = (unsigned)(a->w[i / 64] >> (i % 64)) & 1;
			bool top = (rem.w[3] >> 63) != 0;

			shl1(&rem, bit);
			shl1(&quo, 0);
			if (top || decc_u256_cmp(&rem, b) >= 0) {
				(void)decc_u256_sub(&rem, &rem, b);
				quo.w[0] |= 1;
			}
		}
	}
	if (q)
		*q = quo;
	if (r)
		*r = rem;
	return false;
}

void decc_u256_to_be(uint8_t out[32], const decc_u256 *a)
{
	for (int i = 0; i < 4; i++) {
		uint64_t v = a->w[3 - i];

		for (int j = 0; j < 8; j++)
			out[8 * i + j] = (uint8_t)(v >> (56 - 8 * j));
	}
}

void decc_u256_from_be(decc_u256 *out, const uint8_t in[32])
{
	for (int i = 0; i < 4; i++) {
		uint64_t v = 0;

		for (int j = 0; j < 8; j++)
			v = (v << 8) | in[8 * i + j];
		out->w[3 - i] = v;
	}
}

void decc_u256_to_be_min(uint8_t out[32], size_t *out_len, const decc_u256 *a)
{
	uint8_t be[32];
	size_t skip = 0;

	decc_u256_to_be(be, a);
	while (skip < 32 && be[skip] == 0)
		skip++;
	memcpy(out, be + skip, 32 - skip);
	*out_len = 32 - skip;
}

int decc_u256_from_be_bytes(decc_u256 *out, const uint8_t *in, size_t n)
{
	uint8_t be[32] = { 0 };

	if (n > 32)
		return decc_error_set(
		    DECC_EINVAL, "integer of %zu bytes does not fit in 256 bits (32 bytes max)", n);
	if (n)
		memcpy(be + 32 - n, in, n);
	decc_u256_from_be(out, be);
	return 0;
}

static int parse_hex(decc_u256 *out, const char *s, const char *orig)
{
	decc_u256 v = DECC_U256_ZERO;

	if (!*s)
		return decc_error_set(DECC_EINVAL, "bad number \"%s\": no digits after 0x", orig);
	for (; *s; s++) {
		int d = decc_hex_digit(*s);

		if (d < 0)
			return decc_error_set(DECC_EINVAL,
					      "bad hex number \"%.80s\": '%c' is not a "
					      "hex digit",
					      orig, *s);
		if (v.w[3] >> 60)
			return decc_error_set(DECC_EINVAL, "number \"%.80s\" exceeds 2^256-1",
					      orig);
		for (int i = 0; i < 4; i++)
			shl1(&v, 0);
		v.w[0] |= (uint64_t)d;
	}
	*out = v;
	return 0;
}

int decc_u256_parse(decc_u256 *out, const char *s)
{
	const decc_u256 ten = decc_u256_from_u64(10);
	decc_u256 v = DECC_U256_ZERO;
	const char *p = s;

	if (!s || !*s)
		return decc_error_set(DECC_EINVAL,
				      "bad number: empty text, expected decimal digits "
				      "or 0x-hex");
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return parse_hex(out, s + 2, s);
	for (; *p; p++) {
		decc_u256 d;

		if (*p < '0' || *p > '9')
			return decc_error_set(DECC_EINVAL,
					      "bad number \"%.80s\": expected decimal digits only "
					      "(no sign, spaces or separators) or 0x-hex",
					      s);
		d = decc_u256_from_u64((uint64_t)(*p - '0'));
		if (decc_u256_mul(&v, &v, &ten) || decc_u256_add(&v, &v, &d))
			return decc_error_set(DECC_EINVAL, "number \"%.80s\" exceeds 2^256-1", s);
	}
	*out = v;
	return 0;
}

void decc_u256_to_dec(char out[79], const decc_u256 *a)
{
	/* 10^19 is the largest power of ten below 2^64: peel 19 digits per division */
	const uint64_t chunk = 10000000000000000000ULL;
	char tmp[80];
	size_t pos = sizeof(tmp) - 1;
	decc_u256 v = *a;

	tmp[pos] = 0;
	do {
		uint64_t m = div_small(&v, &v, chunk);
		bool last = decc_u256_is_zero(&v);

		for (int i = 0; i < 19; i++) {
			tmp[--pos] = (char)('0' + m % 10);
			m /= 10;
			if (last && m == 0)
				break;
		}
	} while (!decc_u256_is_zero(&v));
	memcpy(out, tmp + pos, sizeof(tmp) - pos);
}

void decc_u256_to_hex(char out[67], const decc_u256 *a)
{
	static const char digits[] = "0123456789abcdef";
	uint8_t be[32];
	size_t i = 0, o = 2;

	decc_u256_to_be(be, a);
	out[0] = '0';
	out[1] = 'x';
	while (i < 64 && ((be[i / 2] >> (i % 2 ? 0 : 4)) & 0xf) == 0)
		i++;
	if (i == 64) {
		out[o++] = '0';
	} else {
		for (; i < 64; i++)
			out[o++] = digits[(be[i / 2] >> (i % 2 ? 0 : 4)) & 0xf];
	}
	out[o] = 0;
}
