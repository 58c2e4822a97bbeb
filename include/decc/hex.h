/* SPDX-License-Identifier: Apache-2.0 */
#ifndef DECC_HEX_H
#define DECC_HEX_H

#include "decc/buf.h"

/*
 * Encode n bytes as lowercase hex into out (2n+1 bytes, NUL-terminated; 2n+3 with the "0x"
 * prefix). Returns the number of characters written, without the NUL.
 */
/* The value of one hex digit (0-9, a-f, A-F), or -1. */
DECC_EXTERN int decc_hex_digit(int c);

DECC_EXTERN size_t decc_hex_encode(char *out, const uint8_t *in, size_t n, bool prefix);
/* Append "0x" + hex to a buffer. */
DECC_EXTERN DECC_MUST_USE int decc_hex_append(struct decc_buf *b, const uint8_t *in, size_t n);

/*
 * Decode hex (an optional "0x"/"0X" prefix, an even number of digits, either case) of length
 * slen. With want != SIZE_MAX the decoded length must equal want exactly.
 */
DECC_EXTERN DECC_MUST_USE int decc_hex_decode(uint8_t *out, size_t out_cap, size_t *out_len,
					      const char *s, size_t slen);
/* Decode into a buffer (any length up to the buffer's max). */
DECC_EXTERN DECC_MUST_USE int decc_hex_decode_buf(struct decc_buf *out, const char *s, size_t slen);
/* Decode exactly n bytes from a NUL-terminated string (e.g. bytes32, a private key). */
DECC_EXTERN DECC_MUST_USE int decc_hex_decode_exact(uint8_t *out, size_t n, const char *s);

#endif
