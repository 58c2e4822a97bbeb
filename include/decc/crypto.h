/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cryptographic primitives. Implemented in src/crypto/, the only place that includes OpenSSL or
 * libsecp256k1 headers; nothing of those libraries appears here.
 */
#ifndef DECC_CRYPTO_H
#define DECC_CRYPTO_H

#include "decc/buf.h"

/* ---- Keccak-256 (Ethereum's, padding 0x01; not SHA3-256) ---- */
struct decc_keccak {
	uint64_t st[25];
	size_t pos;
};
DECC_EXTERN void decc_keccak_init(struct decc_keccak *k);
DECC_EXTERN void decc_keccak_update(struct decc_keccak *k, const void *p, size_t n);
DECC_EXTERN void decc_keccak_final(struct decc_keccak *k, uint8_t out[32]);
DECC_EXTERN void decc_keccak256(uint8_t out[32], const void *p, size_t n);

/* ---- SHA-256, HMAC-SHA-256 ---- */
struct decc_sha256; /* opaque streaming context */
DECC_EXTERN DECC_MUST_USE int decc_sha256_new(struct decc_sha256 **out);
DECC_EXTERN DECC_MUST_USE int decc_sha256_update(struct decc_sha256 *h, const void *p, size_t n);
DECC_EXTERN DECC_MUST_USE int decc_sha256_final(struct decc_sha256 *h, uint8_t out[32]);
DECC_EXTERN void decc_sha256_free(struct decc_sha256 *h);
DECC_EXTERN void decc_sha256(uint8_t out[32], const void *p, size_t n);
DECC_EXTERN void decc_hmac_sha256(uint8_t out[32], const void *key, size_t keylen, const void *p,
				  size_t n);

/* ---- CSPRNG (OpenSSL's DRBG seeded from the OS) ---- */
DECC_EXTERN DECC_MUST_USE int decc_random_bytes(void *out, size_t n);

/* ---- constant time ---- */
/* true when equal; time depends only on n. */
DECC_EXTERN bool decc_ct_equal(const void *a, const void *b, size_t n);

/* ---- secp256k1 ---- */
/* Signature layout everywhere in decc: r (32) || s (32) || recid (1, 0..3). Low-s always. */
DECC_EXTERN bool decc_secp256k1_seckey_valid(const uint8_t sk[32]);
DECC_EXTERN DECC_MUST_USE int decc_secp256k1_keygen(uint8_t sk[32]);
/* Uncompressed public key without the 0x04 prefix: X (32) || Y (32). */
DECC_EXTERN DECC_MUST_USE int decc_secp256k1_pubkey(uint8_t pub[64], const uint8_t sk[32]);
/* Compressed 33-byte form (and back), for compact encodings. */
DECC_EXTERN DECC_MUST_USE int decc_secp256k1_pubkey_compress(uint8_t out[33],
							     const uint8_t pub[64]);
DECC_EXTERN DECC_MUST_USE int decc_secp256k1_pubkey_parse(uint8_t pub[64], const uint8_t *in,
							  size_t n); /* 33 or 65 bytes */
/* Deterministic (RFC 6979) recoverable signature of a 32-byte digest. */
DECC_EXTERN DECC_MUST_USE int decc_secp256k1_sign(uint8_t sig[65], const uint8_t digest[32],
						  const uint8_t sk[32]);
/* Recover the public key; rejects high-s (DECC_EAUTH), recid > 3, r or s out of range. */
DECC_EXTERN DECC_MUST_USE int decc_secp256k1_recover(uint8_t pub[64], const uint8_t digest[32],
						     const uint8_t sig[65]);
DECC_EXTERN bool decc_secp256k1_is_low_s(const uint8_t sig[65]);
/* ECDH: sha256 of the compressed shared point (libsecp256k1's default). */
DECC_EXTERN DECC_MUST_USE int decc_secp256k1_ecdh(uint8_t out[32], const uint8_t pub[64],
						  const uint8_t sk[32]);

/* ---- AES ---- */
#define DECC_AES_BLOCK 16
/* Streaming AES-256-CBC with PKCS#7 padding; memory is constant whatever the data size. */
struct decc_aes_cbc; /* opaque */
DECC_EXTERN DECC_MUST_USE int decc_aes_cbc_new(struct decc_aes_cbc **out, bool encrypt,
					       const uint8_t key[32], const uint8_t iv[16]);
/* Process n input bytes; writes at most n + 16 bytes to out, *out_len gets the count. */
DECC_EXTERN DECC_MUST_USE int decc_aes_cbc_update(struct decc_aes_cbc *c, uint8_t *out,
						  size_t *out_len, const uint8_t *in, size_t n);
/* Flush: padding on encrypt (16 bytes), padding check on decrypt (DECC_EAUTH if bad). */
DECC_EXTERN DECC_MUST_USE int decc_aes_cbc_final(struct decc_aes_cbc *c, uint8_t *out,
						 size_t *out_len);
DECC_EXTERN void decc_aes_cbc_free(struct decc_aes_cbc *c);
/* Whole-file helpers over file descriptors: read in_fd to EOF, write out_fd. */
DECC_EXTERN DECC_MUST_USE int decc_aes_cbc_fd(int out_fd, int in_fd, bool encrypt,
					      const uint8_t key[32], const uint8_t iv[16]);
/* One-shot in memory. */
DECC_EXTERN DECC_MUST_USE int decc_aes_cbc_buf(struct decc_buf *out, bool encrypt,
					       const uint8_t key[32], const uint8_t iv[16],
					       const uint8_t *in, size_t n);
/* AES-128-CTR (keystore v3 cipher); out may equal in. */
DECC_EXTERN DECC_MUST_USE int decc_aes128_ctr(uint8_t *out, const uint8_t *in, size_t n,
					      const uint8_t key[16], const uint8_t iv[16]);

/* ---- KDFs ---- */
/* scrypt; rejects parameters whose memory (128 * r * n) exceeds maxmem bytes (DECC_ELIMIT). */
DECC_EXTERN DECC_MUST_USE int decc_scrypt(uint8_t *out, size_t outlen, const void *pass,
					  size_t passlen, const uint8_t *salt, size_t saltlen,
					  uint64_t n, uint32_t r, uint32_t p, uint64_t maxmem);
DECC_EXTERN DECC_MUST_USE int decc_pbkdf2_sha256(uint8_t *out, size_t outlen, const void *pass,
						 size_t passlen, const uint8_t *salt,
						 size_t saltlen, uint32_t iterations);

/* ---- RSA (result encryption: SPKI PEM public keys, PKCS#1 v1.5 encryption) ---- */
struct decc_rsa; /* opaque, public or private */
DECC_EXTERN DECC_MUST_USE int decc_rsa_generate(struct decc_rsa **out, unsigned bits);
/* PEM in: "PUBLIC KEY" (SPKI), "RSA PUBLIC KEY", "PRIVATE KEY" (PKCS#8) or "RSA PRIVATE KEY". */
DECC_EXTERN DECC_MUST_USE int decc_rsa_from_pem(struct decc_rsa **out, const char *pem, size_t n);
DECC_EXTERN DECC_MUST_USE int decc_rsa_public_pem(struct decc_buf *out, const struct decc_rsa *k);
/* PKCS#8 "PRIVATE KEY" PEM, unencrypted; out should be a secret buffer. */
DECC_EXTERN DECC_MUST_USE int decc_rsa_private_pem(struct decc_buf *out, const struct decc_rsa *k);
DECC_EXTERN bool decc_rsa_has_private(const struct decc_rsa *k);
DECC_EXTERN unsigned decc_rsa_bits(const struct decc_rsa *k);
DECC_EXTERN DECC_MUST_USE int decc_rsa_encrypt_pkcs1(struct decc_buf *out, const struct decc_rsa *k,
						     const uint8_t *in, size_t n);
DECC_EXTERN DECC_MUST_USE int decc_rsa_decrypt_pkcs1(struct decc_buf *out, const struct decc_rsa *k,
						     const uint8_t *in, size_t n);
DECC_EXTERN void decc_rsa_free(struct decc_rsa *k);

/* ---- base64 (standard alphabet, padded) ---- */
DECC_EXTERN DECC_MUST_USE int decc_base64_encode(struct decc_buf *out, const uint8_t *in, size_t n);
DECC_EXTERN DECC_MUST_USE int decc_base64_decode(struct decc_buf *out, const char *in, size_t n);

/* ---- secret buffers: wiped on free, excluded from core dumps where possible ---- */
struct decc_secret {
	uint8_t *ptr;
	size_t len;
};
DECC_EXTERN DECC_MUST_USE int decc_secret_new(struct decc_secret **out, size_t len);
DECC_EXTERN void decc_secret_free(struct decc_secret *s);

#endif
