/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Keccak-256 as Ethereum uses it (the original Keccak padding 0x01, not SHA3's 0x06).
 * OpenSSL 3.0 has no Keccak-256, hence this file. Lanes are loaded little-endian explicitly,
 * so the code does not depend on the host's byte order.
 */
#include <string.h>

#include "decc/crypto.h"

#define RATE 136 /* 1600 - 2 * 256 bits, in bytes */

static const uint64_t round_consts[24] = {
	0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
	0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
	0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
	0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
	0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
	0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

static inline uint64_t rol(uint64_t x, unsigned n)
{
	return (x << n) | (x >> (64 - n));
}

/* Keccak-f[1600], unrolled over the 5x5 lanes (theta, rho+pi, chi, iota). */
static void keccak_f(uint64_t a[25])
{
	uint64_t c0, c1, c2, c3, c4, d0, d1, d2, d3, d4;
	uint64_t b[25];

	for (int r = 0; r < 24; r++) {
		c0 = a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20];
		c1 = a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21];
		c2 = a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22];
		c3 = a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23];
		c4 = a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24];
		d0 = c4 ^ rol(c1, 1);
		d1 = c0 ^ rol(c2, 1);
		d2 = c1 ^ rol(c3, 1);
		d3 = c2 ^ rol(c4, 1);
		d4 = c3 ^ rol(c0, 1);

		/* rho and pi: b[y, 2x+3y] = rol(a[x, y] ^ d[x], r[x, y]) */
		b[0] = a[0] ^ d0;
		b[10] = rol(a[1] ^ d1, 1);
		b[20] = rol(a[2] ^ d2, 62);
		b[5] = rol(a[3] ^ d3, 28);
		b[15] = rol(a[4] ^ d4, 27);
		b[16] = rol(a[5] ^ d0, 36);
		b[1] = rol(a[6] ^ d1, 44);
		b[11] = rol(a[7] ^ d2, 6);
		b[21] = rol(a[8] ^ d3, 55);
		b[6] = rol(a[9] ^ d4, 20);
		b[7] = rol(a[10] ^ d0, 3);
		b[17] = rol(a[11] ^ d1, 10);
		b[2] = rol(a[12] ^ d2, 43);
		b[12] = rol(a[13] ^ d3, 25);
		b[22] = rol(a[14] ^ d4, 39);
		b[23] = rol(a[15] ^ d0, 41);
		b[8] = rol(a[16] ^ d1, 45);
		b[18] = rol(a[17] ^ d2, 15);
		b[3] = rol(a[18] ^ d3, 21);
		b[13] = rol(a[19] ^ d4, 8);
		b[14] = rol(a[20] ^ d0, 18);
		b[24] = rol(a[21] ^ d1, 2);
		b[9] = rol(a[22] ^ d2, 61);
		b[19] = rol(a[23] ^ d3, 56);
		b[4] = rol(a[24] ^ d4, 14);

		for (int y = 0; y < 25; y += 5) {
			a[y + 0] = b[y + 0] ^ (~b[y + 1] & b[y + 2]);
			a[y + 1] = b[y + 1] ^ (~b[y + 2] & b[y + 3]);
			a[y + 2] = b[y + 2] ^ (~b[y + 3] & b[y + 4]);
			a[y + 3] = b[y + 3] ^ (~b[y + 4] & b[y + 0]);
			a[y + 4] = b[y + 4] ^ (~b[y + 0] & b[y + 1]);
		}
		a[0] ^= round_consts[r];
	}
}

static inline uint64_t load64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static inline void xor_byte(uint64_t st[25], size_t i, uint8_t v)
{
	st[i / 8] ^= (uint64_t)v << (8 * (i % 8));
}

void decc_keccak_init(struct decc_keccak *k)
{
	memset(k, 0, sizeof(*k));
}

void decc_keccak_update(struct decc_keccak *k, const void *data, size_t n)
{
	const uint8_t *p = data;

	/* finish a partial block first */
	while (n > 0 && k->pos != 0) {
		xor_byte(k->st, k->pos++, *p++);
		n--;
		if (k->pos == RATE) {
			keccak_f(k->st);
			k->pos = 0;
		}
	}
	while (n >= RATE) {
		for (size_t i = 0; i < RATE / 8; i++)
			k->st[i] ^= load64(p + 8 * i);
		keccak_f(k->st);
		p += RATE;
		n -= RATE;
	}
	while (n > 0) {
		xor_byte(k->st, k->pos++, *p++);
		n--;
	}
}

void decc_keccak_final(struct decc_keccak *k, uint8_t out[32])
{
	xor_byte(k->st, k->pos, 0x01);
	xor_byte(k->st, RATE - 1, 0x80);
	keccak_f(k->st);
	for (size_t i = 0; i < 32; i++)
		out[i] = (uint8_t)(k->st[i / 8] >> (8 * (i % 8)));
	memset(k, 0, sizeof(*k));
}

void decc_keccak256(uint8_t out[32], const void *p, size_t n)
{
	struct decc_keccak k;

	decc_keccak_init(&k);
	decc_keccak_update(&k, p, n);
	decc_keccak_final(&k, out);
}
