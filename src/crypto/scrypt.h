/* SPDX-License-Identifier: Apache-2.0 */
#ifndef DECC_CRYPTO_SCRYPT_H
#define DECC_CRYPTO_SCRYPT_H

#include <stddef.h>
#include <stdint.h>

/*
 * scrypt's ROMix over p blocks of 128 * r bytes, in place (RFC 7914 §5, steps 2-3). OpenSSL's
 * scrypt refuses N >= 2^(16 r) (the RFC's bound), but geth wrote such files (the Web3 Secret
 * Storage vector uses N = 2^18, r = 1), so decc_scrypt falls back to this for them.
 * v must hold 128 * r * n bytes, xy 256 * r bytes.
 */
void decc__scrypt_romix(uint8_t *b, uint32_t r, uint32_t p, uint64_t n, uint32_t *v, uint32_t *xy);

#endif
