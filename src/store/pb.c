/* SPDX-License-Identifier: Apache-2.0 */
#include "decc/error.h"
#include "store/pb.h"

size_t decc_pb_varint_put(uint8_t *out, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		out[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	out[n++] = (uint8_t)v;
	return n;
}

int decc_pb_varint_get(struct decc_cursor *c, uint64_t *out)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < DECC_PB_VARINT_MAX; i++) {
		uint8_t byte;

		DECC_TRY(decc_cursor_u8(c, &byte));
		if (i == 9 && byte > 1)
			return decc_error_set(DECC_EINVAL, "varint overflows 64 bits");
		v |= (uint64_t)(byte & 0x7f) << (7 * i);
		if (!(byte & 0x80)) {
			/* A trailing zero byte means a non-minimal encoding. */
			DECC_ENSURE(byte != 0 || i == 0, DECC_EINVAL, "varint is not minimal");
			*out = v;
			return 0;
		}
	}
	return decc_error_set(DECC_EINVAL, "varint too long");
}

int decc_pb_put_varint_field(struct decc_buf *b, unsigned field, uint64_t v)
{
	uint8_t tmp[2 * DECC_PB_VARINT_MAX];
	size_t n = decc_pb_varint_put(tmp, (uint64_t)field << 3 | DECC_PB_VARINT);

	n += decc_pb_varint_put(tmp + n, v);
	return decc_buf_append(b, tmp, n);
}

int decc_pb_put_bytes_field(struct decc_buf *b, unsigned field, const void *p, size_t n)
{
	uint8_t tmp[2 * DECC_PB_VARINT_MAX];
	size_t k = decc_pb_varint_put(tmp, (uint64_t)field << 3 | DECC_PB_LEN);

	k += decc_pb_varint_put(tmp + k, n);
	DECC_TRY(decc_buf_append(b, tmp, k));
	return decc_buf_append(b, p, n);
}

int decc_pb_key(struct decc_cursor *c, unsigned *field, unsigned *wire)
{
	uint64_t key;

	DECC_TRY(decc_pb_varint_get(c, &key));
	DECC_ENSURE(key >> 3 >= 1 && key >> 3 <= 0xffff, DECC_EINVAL,
		    "protobuf: bad field number %llu", (unsigned long long)(key >> 3));
	*field = (unsigned)(key >> 3);
	*wire = (unsigned)(key & 7);
	DECC_ENSURE(*wire == DECC_PB_VARINT || *wire == DECC_PB_LEN, DECC_EINVAL,
		    "protobuf: unsupported wire type %u in field %u", *wire, *field);
	return 0;
}

int decc_pb_bytes(struct decc_cursor *c, struct decc_span *out)
{
	uint64_t len;

	DECC_TRY(decc_pb_varint_get(c, &len));
	DECC_ENSURE(len <= decc_cursor_left(c), DECC_EINVAL,
		    "protobuf: field of %llu bytes runs past the end", (unsigned long long)len);
	return decc_cursor_take(c, out, (size_t)len);
}
