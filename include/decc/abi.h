/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Solidity ABI encoding and decoding. Types are parsed from their canonical text
 * ("uint256", "bytes32", "(address,uint256,bytes)[]", "string[2]"); values form a tree.
 * Decoding reads through a bounded reader and fails with DECC_EINVAL on malformed input
 * (offsets out of range, lengths too large, dirty padding for address/bool/uintN) and with
 * DECC_ELIMIT past the limits below; it never reads out of bounds.
 */
#ifndef DECC_ABI_H
#define DECC_ABI_H

#include "decc/address.h"
#include "decc/u256.h"

#define DECC_ABI_MAX_DEPTH 16
#define DECC_ABI_MAX_ITEMS 65536 /* elements in one decoded array */

enum decc_abi_kind {
	DECC_ABI_UINT,
	DECC_ABI_INT,
	DECC_ABI_ADDRESS,
	DECC_ABI_BOOL,
	DECC_ABI_FIXED_BYTES, /* bytes1..bytes32 */
	DECC_ABI_BYTES,
	DECC_ABI_STRING,
	DECC_ABI_ARRAY,	      /* T[] */
	DECC_ABI_FIXED_ARRAY, /* T[k] */
	DECC_ABI_TUPLE,
};

struct decc_abi_type {
	enum decc_abi_kind kind;
	unsigned size;			/* bits for (u)int, byte count for bytesN */
	size_t length;			/* k for T[k] */
	struct decc_abi_type *elem;	/* arrays */
	struct decc_abi_type **members; /* tuples */
	size_t n_members;
};

DECC_EXTERN DECC_MUST_USE int decc_abi_type_parse(struct decc_abi_type **out, const char *text);
DECC_EXTERN void decc_abi_type_free(struct decc_abi_type *t);
DECC_EXTERN bool decc_abi_type_is_dynamic(const struct decc_abi_type *t);
/* Canonical text of a type ("uint" becomes "uint256"). */
DECC_EXTERN DECC_MUST_USE int decc_abi_type_text(struct decc_buf *out,
						 const struct decc_abi_type *t);

struct decc_abi_value {
	enum decc_abi_kind kind;
	uint8_t word[32];      /* uint/int (two's complement)/address/bool/bytesN as an ABI word */
	struct decc_buf bytes; /* bytes and string contents */
	struct decc_abi_value **items; /* arrays and tuples */
	size_t n_items;
};

/* Constructors; each returns NULL only when out of memory. Free with decc_abi_value_free. */
DECC_EXTERN struct decc_abi_value *decc_abi_uint(const decc_u256 *v);
DECC_EXTERN struct decc_abi_value *decc_abi_uint64(uint64_t v);
DECC_EXTERN struct decc_abi_value *decc_abi_int64(int64_t v);
DECC_EXTERN struct decc_abi_value *decc_abi_address(const decc_address *a);
DECC_EXTERN struct decc_abi_value *decc_abi_bool(bool b);
DECC_EXTERN struct decc_abi_value *decc_abi_fixed_bytes(const uint8_t *p, size_t n); /* n<=32 */
DECC_EXTERN struct decc_abi_value *decc_abi_bytes(const uint8_t *p, size_t n);
DECC_EXTERN struct decc_abi_value *decc_abi_string(const char *s);
/* Tuple or array taking ownership of n items (NULL items make the result NULL, all freed). */
DECC_EXTERN struct decc_abi_value *decc_abi_tuple(size_t n, struct decc_abi_value **items);
DECC_EXTERN struct decc_abi_value *decc_abi_array(size_t n, struct decc_abi_value **items);
/* Variadic forms ending in NULL-free lists of exactly n values. */
DECC_EXTERN struct decc_abi_value *decc_abi_tuplev(size_t n, ...);
DECC_EXTERN void decc_abi_value_free(struct decc_abi_value *v);

/* Typed readers (return DECC_EINVAL on a kind mismatch). */
DECC_EXTERN DECC_MUST_USE int decc_abi_get_u256(decc_u256 *out, const struct decc_abi_value *v);
DECC_EXTERN DECC_MUST_USE int decc_abi_get_address(decc_address *out,
						   const struct decc_abi_value *v);
DECC_EXTERN DECC_MUST_USE int decc_abi_get_bool(bool *out, const struct decc_abi_value *v);
DECC_EXTERN DECC_MUST_USE int decc_abi_get_bytes32(uint8_t out[32], const struct decc_abi_value *v);

/*
 * Encode a value of type t (the value's shape must match the type). The layout is enc(t) of the
 * specification, so function arguments, return data and event data, which are tuples, use a
 * tuple type: "(string)", not "string".
 */
DECC_EXTERN DECC_MUST_USE int decc_abi_encode(struct decc_buf *out, const struct decc_abi_type *t,
					      const struct decc_abi_value *v);
/* Decode exactly one value of type t from data (trailing bytes are allowed, like solc). */
DECC_EXTERN DECC_MUST_USE int decc_abi_decode(struct decc_abi_value **out,
					      const struct decc_abi_type *t, const uint8_t *data,
					      size_t n);

/* keccak256(signature)[0..4], e.g. "transfer(address,uint256)". */
DECC_EXTERN void decc_abi_selector(uint8_t out[4], const char *signature);
/* selector || encode(args tuple): the argument tuple type is taken from the signature. */
DECC_EXTERN DECC_MUST_USE int decc_abi_encode_call(struct decc_buf *out, const char *signature,
						   const struct decc_abi_value *args);
/* Decode calldata for signature: checks the selector, returns the argument tuple. */
DECC_EXTERN DECC_MUST_USE int decc_abi_decode_call(struct decc_abi_value **out,
						   const char *signature, const uint8_t *data,
						   size_t n);

/*
 * Revert data to text: Error(string) gives the string; Panic(uint256) gives
 * "panic 0x11 (arithmetic overflow)" and the like; empty data gives "reverted without a reason";
 * anything else "custom error 0x<selector>".
 */
DECC_EXTERN DECC_MUST_USE int decc_abi_revert_reason(struct decc_buf *out, const uint8_t *data,
						     size_t n);

#endif
