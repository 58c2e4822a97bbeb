/* SPDX-License-Identifier: Apache-2.0 */
/* Ethereum addresses (EIP-55) and signatures over 32-byte digests. */
#ifndef DECC_ADDRESS_H
#define DECC_ADDRESS_H

#include "decc/buf.h"

typedef struct {
	uint8_t b[20];
} decc_address;

#define DECC_ADDRESS_ZERO ((decc_address){ { 0 } })

/* keccak256(X || Y)[12..32] */
DECC_EXTERN void decc_address_from_pubkey(decc_address *out, const uint8_t pub[64]);
DECC_EXTERN DECC_MUST_USE int decc_address_from_seckey(decc_address *out, const uint8_t sk[32]);
/* "0x" + EIP-55 mixed-case hex, NUL-terminated (43 bytes). */
DECC_EXTERN void decc_address_to_checksum(char out[43], const decc_address *a);
/*
 * Parse "0x" + 40 hex digits. All-lowercase or all-uppercase digits are accepted as they are;
 * mixed case must be the exact EIP-55 checksum (DECC_EINVAL "bad address checksum" otherwise).
 */
DECC_EXTERN DECC_MUST_USE int decc_address_parse(decc_address *out, const char *s);
DECC_EXTERN bool decc_address_is_zero(const decc_address *a);
DECC_EXTERN bool decc_address_eq(const decc_address *a, const decc_address *b);
/* The 32-byte ABI word form (12 zero bytes then the address). */
DECC_EXTERN void decc_address_to_word(uint8_t out[32], const decc_address *a);

/*
 * Ethereum signatures are 65 bytes r || s || v with v = 27 or 28 (decc's crypto layer uses
 * recid 0/1 in the last byte; these helpers convert).
 * Sign a digest as-is (no prefix).
 */
DECC_EXTERN DECC_MUST_USE int decc_eth_sign_digest(uint8_t sig[65], const uint8_t digest[32],
						   const uint8_t sk[32]);
/*
 * Recover the signer of a digest from a 65-byte (v 27/28 or 0/1) or 64-byte EIP-2098 compact
 * signature. High-s is rejected (DECC_EAUTH); any other length is DECC_EINVAL.
 */
DECC_EXTERN DECC_MUST_USE int decc_eth_recover_digest(decc_address *out, const uint8_t digest[32],
						      const uint8_t *sig, size_t siglen);

/* EIP-191 personal messages: keccak256("\x19Ethereum Signed Message:\n" || len || msg). */
DECC_EXTERN void decc_eip191_hash(uint8_t out[32], const void *msg, size_t n);
DECC_EXTERN DECC_MUST_USE int decc_eip191_sign(uint8_t sig[65], const void *msg, size_t n,
					       const uint8_t sk[32]);
DECC_EXTERN DECC_MUST_USE int decc_eip191_recover(decc_address *out, const void *msg, size_t n,
						  const uint8_t *sig, size_t siglen);

#endif
