/* SPDX-License-Identifier: Apache-2.0 */
/* Unsigned 256-bit integers, the EVM's word: amounts, prices, volumes, ids. */
#ifndef DECC_U256_H
#define DECC_U256_H

#include "decc/common.h"

typedef struct {
	uint64_t w[4]; /* little-endian limbs: w[0] is the least significant */
} decc_u256;

#define DECC_U256_ZERO ((decc_u256){ { 0, 0, 0, 0 } })

static inline decc_u256 decc_u256_from_u64(uint64_t v)
{
	return (decc_u256){ { v, 0, 0, 0 } };
}
static inline bool decc_u256_is_zero(const decc_u256 *a)
{
	return (a->w[0] | a->w[1] | a->w[2] | a->w[3]) == 0;
}
/* true when a fits in 64 bits; then *out = a. */
DECC_EXTERN bool decc_u256_to_u64(const decc_u256 *a, uint64_t *out);
DECC_EXTERN int decc_u256_cmp(const decc_u256 *a, const decc_u256 *b); /* -1, 0, 1 */
/* Checked arithmetic: return true on overflow/underflow/division by zero (out unspecified). */
DECC_EXTERN bool decc_u256_add(decc_u256 *out, const decc_u256 *a, const decc_u256 *b);
DECC_EXTERN bool decc_u256_sub(decc_u256 *out, const decc_u256 *a, const decc_u256 *b);
DECC_EXTERN bool decc_u256_mul(decc_u256 *out, const decc_u256 *a, const decc_u256 *b);
DECC_EXTERN bool decc_u256_divmod(decc_u256 *q, decc_u256 *r, const decc_u256 *a,
				  const decc_u256 *b);
DECC_EXTERN void decc_u256_to_be(uint8_t out[32], const decc_u256 *a);
DECC_EXTERN void decc_u256_from_be(decc_u256 *out, const uint8_t in[32]);
/* Big-endian bytes of any length <= 32 (RLP integers); *out_len gets the minimal length. */
DECC_EXTERN void decc_u256_to_be_min(uint8_t out[32], size_t *out_len, const decc_u256 *a);
DECC_EXTERN DECC_MUST_USE int decc_u256_from_be_bytes(decc_u256 *out, const uint8_t *in, size_t n);
/* Decimal (no sign, no leading '+', digits only) or 0x-hex. Rejects overflow and junk. */
DECC_EXTERN DECC_MUST_USE int decc_u256_parse(decc_u256 *out, const char *s);
/* Decimal text; out needs 79 bytes. */
DECC_EXTERN void decc_u256_to_dec(char out[79], const decc_u256 *a);
/* 0x-hex, minimal digits ("0x0" for zero), as Ethereum JSON-RPC quantities; out needs 67. */
DECC_EXTERN void decc_u256_to_hex(char out[67], const decc_u256 *a);

#endif
