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

/*
 * Keccak-f[1600]. The 25 lanes live in local variables (a<y><x> is lane x of plane y) so that
 * the compiler keeps what it can in registers, and two rounds are written out per iteration
 * (a -> e, then e -> a) so no copying between rounds is needed. Each round: theta (column
 * parities c, their mix d), then per output plane rho+pi into b0..b4 (lane x, y of the input
 * moves to lane y, 2x + 3y rotated by its rho offset), chi on the plane, and iota on lane 0.
 *
 * Chi (b0 ^ (~b1 & b2) on each lane) is computed with "lane complementing" (the Keccak team's
 * implementation overview, section 2.2): six lanes are held inverted during the permutation,
 * which turns all but one NOT per plane into plain AND/OR, about 20% faster on x86-64 without
 * ANDN. The body is generated from the definition and checked by tests/vectors/crypto/.
 */
static void keccak_f(uint64_t st[25])
{
	uint64_t a00, a01, a02, a03, a04, a10, a11, a12, a13, a14, a20, a21, a22;
	uint64_t a23, a24, a30, a31, a32, a33, a34, a40, a41, a42, a43, a44;
	uint64_t e00, e01, e02, e03, e04, e10, e11, e12, e13, e14, e20, e21, e22;
	uint64_t e23, e24, e30, e31, e32, e33, e34, e40, e41, e42, e43, e44;
	uint64_t b0, b1, b2, b3, b4, c0, c1, c2, c3, c4, d0, d1, d2, d3, d4;

	/* lanes 1, 2, 8, 12, 17 and 20 are kept complemented during the rounds */
	a00 = st[0];
	a01 = ~st[1];
	a02 = ~st[2];
	a03 = st[3];
	a04 = st[4];
	a10 = st[5];
	a11 = st[6];
	a12 = st[7];
	a13 = ~st[8];
	a14 = st[9];
	a20 = st[10];
	a21 = st[11];
	a22 = ~st[12];
	a23 = st[13];
	a24 = st[14];
	a30 = st[15];
	a31 = st[16];
	a32 = ~st[17];
	a33 = st[18];
	a34 = st[19];
	a40 = ~st[20];
	a41 = st[21];
	a42 = st[22];
	a43 = st[23];
	a44 = st[24];
	for (int r = 0; r < 24; r += 2) {
		/* round r: a -> e */
		c0 = a00 ^ a10 ^ a20 ^ a30 ^ a40;
		c1 = a01 ^ a11 ^ a21 ^ a31 ^ a41;
		c2 = a02 ^ a12 ^ a22 ^ a32 ^ a42;
		c3 = a03 ^ a13 ^ a23 ^ a33 ^ a43;
		c4 = a04 ^ a14 ^ a24 ^ a34 ^ a44;
		d0 = c4 ^ rol(c1, 1);
		d1 = c0 ^ rol(c2, 1);
		d2 = c1 ^ rol(c3, 1);
		d3 = c2 ^ rol(c4, 1);
		d4 = c3 ^ rol(c0, 1);
		b0 = a00 ^ d0;
		b1 = rol(a11 ^ d1, 44);
		b2 = rol(a22 ^ d2, 43);
		b3 = rol(a33 ^ d3, 21);
		b4 = rol(a44 ^ d4, 14);
		e00 = b0 ^ (b1 | b2);
		e01 = b1 ^ (~b2 | b3);
		e02 = b2 ^ (b3 & b4);
		e03 = b3 ^ (b4 | b0);
		e04 = b4 ^ (b0 & b1);
		b0 = rol(a03 ^ d3, 28);
		b1 = rol(a14 ^ d4, 20);
		b2 = rol(a20 ^ d0, 3);
		b3 = rol(a31 ^ d1, 45);
		b4 = rol(a42 ^ d2, 61);
		e10 = b0 ^ (b1 | b2);
		e11 = b1 ^ (b2 & b3);
		e12 = b2 ^ (b3 | ~b4);
		e13 = b3 ^ (b4 | b0);
		e14 = b4 ^ (b0 & b1);
		b0 = rol(a01 ^ d1, 1);
		b1 = rol(a12 ^ d2, 6);
		b2 = rol(a23 ^ d3, 25);
		b3 = rol(a34 ^ d4, 8);
		b4 = rol(a40 ^ d0, 18);
		e20 = b0 ^ (b1 | b2);
		e21 = b1 ^ (b2 & b3);
		e22 = b2 ^ (~b3 & b4);
		e23 = ~b3 ^ (b4 | b0);
		e24 = b4 ^ (b0 & b1);
		b0 = rol(a04 ^ d4, 27);
		b1 = rol(a10 ^ d0, 36);
		b2 = rol(a21 ^ d1, 10);
		b3 = rol(a32 ^ d2, 15);
		b4 = rol(a43 ^ d3, 56);
		e30 = b0 ^ (b1 & b2);
		e31 = b1 ^ (b2 | b3);
		e32 = b2 ^ (~b3 | b4);
		e33 = ~b3 ^ (b4 & b0);
		e34 = b4 ^ (b0 | b1);
		b0 = rol(a02 ^ d2, 62);
		b1 = rol(a13 ^ d3, 55);
		b2 = rol(a24 ^ d4, 39);
		b3 = rol(a30 ^ d0, 41);
		b4 = rol(a41 ^ d1, 2);
		e40 = b0 ^ (~b1 & b2);
		e41 = ~b1 ^ (b2 | b3);
		e42 = b2 ^ (b3 & b4);
		e43 = b3 ^ (b4 | b0);
		e44 = b4 ^ (b0 & b1);
		e00 ^= round_consts[r];
		/* round r + 1: e -> a */
		c0 = e00 ^ e10 ^ e20 ^ e30 ^ e40;
		c1 = e01 ^ e11 ^ e21 ^ e31 ^ e41;
		c2 = e02 ^ e12 ^ e22 ^ e32 ^ e42;
		c3 = e03 ^ e13 ^ e23 ^ e33 ^ e43;
		c4 = e04 ^ e14 ^ e24 ^ e34 ^ e44;
		d0 = c4 ^ rol(c1, 1);
		d1 = c0 ^ rol(c2, 1);
		d2 = c1 ^ rol(c3, 1);
		d3 = c2 ^ rol(c4, 1);
		d4 = c3 ^ rol(c0, 1);
		b0 = e00 ^ d0;
		b1 = rol(e11 ^ d1, 44);
		b2 = rol(e22 ^ d2, 43);
		b3 = rol(e33 ^ d3, 21);
		b4 = rol(e44 ^ d4, 14);
		a00 = b0 ^ (b1 | b2);
		a01 = b1 ^ (~b2 | b3);
		a02 = b2 ^ (b3 & b4);
		a03 = b3 ^ (b4 | b0);
		a04 = b4 ^ (b0 & b1);
		b0 = rol(e03 ^ d3, 28);
		b1 = rol(e14 ^ d4, 20);
		b2 = rol(e20 ^ d0, 3);
		b3 = rol(e31 ^ d1, 45);
		b4 = rol(e42 ^ d2, 61);
		a10 = b0 ^ (b1 | b2);
		a11 = b1 ^ (b2 & b3);
		a12 = b2 ^ (b3 | ~b4);
		a13 = b3 ^ (b4 | b0);
		a14 = b4 ^ (b0 & b1);
		b0 = rol(e01 ^ d1, 1);
		b1 = rol(e12 ^ d2, 6);
		b2 = rol(e23 ^ d3, 25);
		b3 = rol(e34 ^ d4, 8);
		b4 = rol(e40 ^ d0, 18);
		a20 = b0 ^ (b1 | b2);
		a21 = b1 ^ (b2 & b3);
		a22 = b2 ^ (~b3 & b4);
		a23 = ~b3 ^ (b4 | b0);
		a24 = b4 ^ (b0 & b1);
		b0 = rol(e04 ^ d4, 27);
		b1 = rol(e10 ^ d0, 36);
		b2 = rol(e21 ^ d1, 10);
		b3 = rol(e32 ^ d2, 15);
		b4 = rol(e43 ^ d3, 56);
		a30 = b0 ^ (b1 & b2);
		a31 = b1 ^ (b2 | b3);
		a32 = b2 ^ (~b3 | b4);
		a33 = ~b3 ^ (b4 & b0);
		a34 = b4 ^ (b0 | b1);
		b0 = rol(e02 ^ d2, 62);
		b1 = rol(e13 ^ d3, 55);
		b2 = rol(e24 ^ d4, 39);
		b3 = rol(e30 ^ d0, 41);
		b4 = rol(e41 ^ d1, 2);
		a40 = b0 ^ (~b1 & b2);
		a41 = ~b1 ^ (b2 | b3);
		a42 = b2 ^ (b3 & b4);
		a43 = b3 ^ (b4 | b0);
		a44 = b4 ^ (b0 & b1);
		a00 ^= round_consts[r + 1];
	}
	st[0] = a00;
	st[1] = ~a01;
	st[2] = ~a02;
	st[3] = a03;
	st[4] = a04;
	st[5] = a10;
	st[6] = a11;
	st[7] = a12;
	st[8] = ~a13;
	st[9] = a14;
	st[10] = a20;
	st[11] = a21;
	st[12] = ~a22;
	st[13] = a23;
	st[14] = a24;
	st[15] = a30;
	st[16] = a31;
	st[17] = ~a32;
	st[18] = a33;
	st[19] = a34;
	st[20] = ~a40;
	st[21] = a41;
	st[22] = a42;
	st[23] = a43;
	st[24] = a44;
}

static inline uint64_t load64(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t v;

	memcpy(&v, p, 8); /* one unaligned load */
	return v;
#else
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
#endif
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
