/* SPDX-License-Identifier: Apache-2.0 */
/* Recursive Length Prefix encoding. The decoder accepts only canonical encodings. */
#ifndef DECC_RLP_H
#define DECC_RLP_H

#include "decc/buf.h"
#include "decc/u256.h"

#define DECC_RLP_MAX_DEPTH 32

DECC_EXTERN DECC_MUST_USE int decc_rlp_append_bytes(struct decc_buf *b, const uint8_t *p, size_t n);
/* Integers: big-endian without leading zeros; zero is the empty string (0x80). */
DECC_EXTERN DECC_MUST_USE int decc_rlp_append_u64(struct decc_buf *b, uint64_t v);
DECC_EXTERN DECC_MUST_USE int decc_rlp_append_u256(struct decc_buf *b, const decc_u256 *v);
/* Lists: remember b->len with begin, then end fixes up the header in place. */
DECC_EXTERN size_t decc_rlp_list_begin(const struct decc_buf *b);
DECC_EXTERN DECC_MUST_USE int decc_rlp_list_end(struct decc_buf *b, size_t mark);
/* Append already-encoded RLP as-is. */
DECC_EXTERN DECC_MUST_USE int decc_rlp_append_raw(struct decc_buf *b, const uint8_t *p, size_t n);

struct decc_rlp_item {
	bool is_list;
	struct decc_span payload; /* string bytes, or the concatenated encodings of list items */
	struct decc_span raw;	  /* the whole encoding, header included */
};

/* Read one item from the cursor (DECC_EINVAL if truncated, non-canonical or oversize). */
DECC_EXTERN DECC_MUST_USE int decc_rlp_next(struct decc_cursor *c, struct decc_rlp_item *out);
/* Decode data that must be exactly one item. */
DECC_EXTERN DECC_MUST_USE int decc_rlp_decode(struct decc_rlp_item *out, const uint8_t *p,
					      size_t n);
/* Integer items: canonical (no leading zero), at most 8 / 32 bytes. */
DECC_EXTERN DECC_MUST_USE int decc_rlp_get_u64(uint64_t *out, const struct decc_rlp_item *it);
DECC_EXTERN DECC_MUST_USE int decc_rlp_get_u256(decc_u256 *out, const struct decc_rlp_item *it);
/* Check a whole encoding recursively (depth <= DECC_RLP_MAX_DEPTH). */
DECC_EXTERN DECC_MUST_USE int decc_rlp_validate(const uint8_t *p, size_t n);

#endif
