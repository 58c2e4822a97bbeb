/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "decc/error.h"
#include "decc/hex.h"

static const char digits[] = "0123456789abcdef";

size_t decc_hex_encode(char *out, const uint8_t *in, size_t n, bool prefix)
{
	size_t j = 0;

	if (prefix) {
		out[j++] = '0';
		out[j++] = 'x';
	}
	for (size_t i = 0; i < n; i++) {
		out[j++] = digits[in[i] >> 4];
		out[j++] = digits[in[i] & 15];
	}
	out[j] = '\0';
	return j;
}

int decc_hex_append(struct decc_buf *b, const uint8_t *in, size_t n)
{
	size_t need;

	if (decc_mul_overflow(n, 2, &need) || decc_add_overflow(need, 2, &need))
		return decc_error_set(DECC_ELIMIT, "data too large");
	DECC_TRY(decc_buf_reserve(b, need));
	decc_hex_encode((char *)b->data + b->len, in, n, true);
	b->len += need;
	return 0;
}

int decc_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int strip(const char **s, size_t *slen)
{
	if (*slen >= 2 && (*s)[0] == '0' && ((*s)[1] == 'x' || (*s)[1] == 'X')) {
		*s += 2;
		*slen -= 2;
	}
	if (*slen % 2)
		return decc_error_set(DECC_EINVAL, "hex string has an odd number of digits");
	return 0;
}

static int decode_into(uint8_t *out, const char *s, size_t slen)
{
	for (size_t i = 0; i < slen / 2; i++) {
		int hi = decc_hex_digit(s[2 * i]), lo = decc_hex_digit(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return decc_error_set(DECC_EINVAL, "invalid hex digit at position %zu",
					      2 * i + (hi < 0 ? 0 : 1));
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int decc_hex_decode(uint8_t *out, size_t out_cap, size_t *out_len, const char *s, size_t slen)
{
	DECC_TRY(strip(&s, &slen));
	if (slen / 2 > out_cap)
		return decc_error_set(DECC_ELIMIT, "hex data too long: %zu bytes, at most %zu",
				      slen / 2, out_cap);
	DECC_TRY(decode_into(out, s, slen));
	*out_len = slen / 2;
	return 0;
}

int decc_hex_decode_buf(struct decc_buf *out, const char *s, size_t slen)
{
	size_t start = out->len;

	DECC_TRY(strip(&s, &slen));
	DECC_TRY(decc_buf_reserve(out, slen / 2));
	if (decode_into(out->data + start, s, slen) < 0) {
		out->data[start] = 0;
		return DECC_EINVAL;
	}
	out->len += slen / 2;
	out->data[out->len] = 0;
	return 0;
}

int decc_hex_decode_exact(uint8_t *out, size_t n, const char *s)
{
	size_t slen = strlen(s);
	uint8_t tmp[256];

	DECC_TRY(strip(&s, &slen));
	if (slen / 2 != n)
		return decc_error_set(DECC_EINVAL, "expected %zu bytes of hex, got %zu", n,
				      slen / 2);
	if (n > sizeof(tmp))
		return decc_error_set(DECC_ELIMIT, "hex value too long");
	DECC_TRY(decode_into(tmp, s, slen));
	memcpy(out, tmp, n);
	decc_wipe(tmp, n);
	return 0;
}
