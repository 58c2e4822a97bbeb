/* SPDX-License-Identifier: Apache-2.0 */
/* Internal to the store layer: protobuf varints and fields, as dag-pb and UnixFS use them. */
#ifndef DECC_STORE_PB_H
#define DECC_STORE_PB_H

#include "decc/buf.h"

#define DECC_PB_VARINT_MAX 10

/* Write v as an unsigned LEB128 varint; returns the number of bytes (1..10). */
size_t decc_pb_varint_put(uint8_t *out, uint64_t v);
/* Read a minimally encoded varint of at most 64 bits. */
DECC_MUST_USE int decc_pb_varint_get(struct decc_cursor *c, uint64_t *out);

enum decc_pb_wire {
	DECC_PB_VARINT = 0,
	DECC_PB_LEN = 2
};

DECC_MUST_USE int decc_pb_put_varint_field(struct decc_buf *b, unsigned field, uint64_t v);
DECC_MUST_USE int decc_pb_put_bytes_field(struct decc_buf *b, unsigned field, const void *p,
					  size_t n);
/* Read a field key; wire types other than varint and length-delimited are DECC_EINVAL. */
DECC_MUST_USE int decc_pb_key(struct decc_cursor *c, unsigned *field, unsigned *wire);
/* Read the value of a length-delimited field. */
DECC_MUST_USE int decc_pb_bytes(struct decc_cursor *c, struct decc_span *out);

#endif
