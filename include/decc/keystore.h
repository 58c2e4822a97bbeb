/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Web3 Secret Storage (keystore v3) wallets: scrypt or pbkdf2-hmac-sha256, AES-128-CTR,
 * MAC = keccak256(derivedKey[16..32] || ciphertext). Files interoperate with geth, ethers and
 * the iexec SDK.
 */
#ifndef DECC_KEYSTORE_H
#define DECC_KEYSTORE_H

#include "decc/address.h"

#define DECC_KEYSTORE_MAX_JSON (64 * 1024)
/* scrypt memory cap when opening a file someone else made (geth "standard" needs 256 MiB). */
#define DECC_KEYSTORE_MAX_SCRYPT_MEM ((uint64_t)1 << 30)
/* pbkdf2 iteration cap when opening a file (the Web3 Secret Storage example uses 262144). */
#define DECC_KEYSTORE_MAX_PBKDF2_ITER 10000000u

enum decc_kdf {
	DECC_KDF_SCRYPT,
	DECC_KDF_PBKDF2,
};

struct decc_keystore_params {
	enum decc_kdf kdf;
	uint64_t n;    /* scrypt N */
	uint32_t r, p; /* scrypt r, p */
	uint32_t c;    /* pbkdf2 iterations */
};

/* geth's "standard" scrypt: N=262144, r=8, p=1. */
DECC_EXTERN void decc_keystore_params_default(struct decc_keystore_params *out);
/* geth's "light" scrypt: N=4096, r=8, p=6 (tests, devnets). */
DECC_EXTERN void decc_keystore_params_light(struct decc_keystore_params *out);

/* Write a keystore v3 JSON object (random salt, iv and uuid) for sk into out. */
DECC_EXTERN DECC_MUST_USE int decc_keystore_encrypt(struct decc_buf *out, const uint8_t sk[32],
						    const char *password, size_t passlen,
						    const struct decc_keystore_params *params);
/*
 * Open a keystore v3 JSON text. A wrong password gives DECC_EAUTH ("wrong password: MAC
 * mismatch"); malformed JSON or unsupported parameters DECC_EINVAL; kdf parameters beyond the
 * memory cap DECC_ELIMIT. If the file names an address, it must match the key (DECC_EAUTH).
 */
DECC_EXTERN DECC_MUST_USE int decc_keystore_decrypt(uint8_t sk[32], decc_address *addr,
						    const char *json, size_t n,
						    const char *password, size_t passlen);
/*
 * The same with caller-chosen cost caps instead of DECC_KEYSTORE_MAX_SCRYPT_MEM and
 * DECC_KEYSTORE_MAX_PBKDF2_ITER (fuzzing, constrained devices); beyond them, DECC_ELIMIT.
 */
DECC_EXTERN DECC_MUST_USE int decc_keystore_decrypt_capped(uint8_t sk[32], decc_address *addr,
							   const char *json, size_t n,
							   const char *password, size_t passlen,
							   uint64_t max_scrypt_mem,
							   uint32_t max_pbkdf2_iter);

#endif
