/* SPDX-License-Identifier: Apache-2.0 */
/* scrypt's memory-hard core (RFC 7914 §3-§5): Salsa20/8, BlockMix, ROMix. */
#include <string.h>

#include "crypto/scrypt.h"

#define R(a, b) (((a) << (b)) | ((a) >> (32 - (b))))

static void salsa20_8(uint32_t b[16])
{
	uint32_t x[16];

	memcpy(x, b, sizeof(x));
	for (int i = 0; i < 8; i += 2) {
		x[4] ^= R(x[0] + x[12], 7);
		x[8] ^= R(x[4] + x[0], 9);
		x[12] ^= R(x[8] + x[4], 13);
		x[0] ^= R(x[12] + x[8], 18);
		x[9] ^= R(x[5] + x[1], 7);
		x[13] ^= R(x[9] + x[5], 9);
		x[1] ^= R(x[13] + x[9], 13);
		x[5] ^= R(x[1] + x[13], 18);
		x[14] ^= R(x[10] + x[6], 7);
		x[2] ^= R(x[14] + x[10], 9);
		x[6] ^= R(x[2] + x[14], 13);
		x[10] ^= R(x[6] + x[2], 18);
		x[3] ^= R(x[15] + x[11], 7);
		x[7] ^= R(x[3] + x[15], 9);
		x[11] ^= R(x[7] + x[3], 13);
		x[15] ^= R(x[11] + x[7], 18);
		x[1] ^= R(x[0] + x[3], 7);
		x[2] ^= R(x[1] + x[0], 9);
		x[3] ^= R(x[2] + x[1], 13);
		x[0] ^= R(x[3] + x[2], 18);
		x[6] ^= R(x[5] + x[4], 7);
		x[7] ^= R(x[6] + x[5], 9);
		x[4] ^= R(x[7] + x[6], 13);
		x[5] ^= R(x[4] + x[7], 18);
		x[11] ^= R(x[10] + x[9], 7);
		x[8] ^= R(x[11] + x[10], 9);
		x[9] ^= R(x[8] + x[11], 13);
		x[10] ^= R(x[9] + x[8], 18);
		x[12] ^= R(x[15] + x[14], 7);
		x[13] ^= R(x[12] + x[15], 9);
		x[14] ^= R(x[13] + x[12], 13);
		x[15] ^= R(x[14] + x[13], 18);
	}
	for (int i = 0; i < 16; i++)
		b[i] += x[i];
}

/* BlockMix with Salsa20/8: in (2r blocks of 64 bytes) -> out, even blocks first then odd. */
static void blockmix(uint32_t *out, const uint32_t *in, uint32_t r)
{
	uint32_t x[16];

	memcpy(x, &in[(2 * r - 1) * 16], 64);
	for (uint32_t i = 0; i < 2 * r; i++) {
		for (int k = 0; k < 16; k++)
			x[k] ^= in[i * 16 + k];
		salsa20_8(x);
		memcpy(&out[(i / 2 + (i & 1) * r) * 16], x, 64);
	}
}

static uint64_t integerify(const uint32_t *x, uint32_t r)
{
	const uint32_t *last = &x[(2 * r - 1) * 16];

	return ((uint64_t)last[1] << 32) | last[0];
}

static void romix(uint8_t *b, uint32_t r, uint64_t n, uint32_t *v, uint32_t *xy)
{
	size_t words = 32 * (size_t)r;
	uint32_t *x = xy, *y = xy + words;

	for (size_t k = 0; k < words; k++) {
		const uint8_t *p = &b[4 * k];

		x[k] = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		       (uint32_t)p[3] << 24;
	}
	for (uint64_t i = 0; i < n; i++) {
		memcpy(&v[i * words], x, words * 4);
		blockmix(y, x, r);
		memcpy(x, y, words * 4);
	}
	for (uint64_t i = 0; i < n; i++) {
		uint64_t j = integerify(x, r) & (n - 1);

		for (size_t k = 0; k < words; k++)
			x[k] ^= v[j * words + k];
		blockmix(y, x, r);
		memcpy(x, y, words * 4);
	}
	for (size_t k = 0; k < words; k++) {
		b[4 * k] = (uint8_t)x[k];
		b[4 * k + 1] = (uint8_t)(x[k] >> 8);
		b[4 * k + 2] = (uint8_t)(x[k] >> 16);
		b[4 * k + 3] = (uint8_t)(x[k] >> 24);
	}
}

void decc__scrypt_romix(uint8_t *b, uint32_t r, uint32_t p, uint64_t n, uint32_t *v, uint32_t *xy)
{
	for (uint32_t i = 0; i < p; i++)
		romix(b + (size_t)i * 128 * r, r, n, v, xy);
}
