/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RLP: never crashes or over-reads, and whatever decodes is canonical: re-encoding the item
 * tree gives back exactly the input bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "decc/rlp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void reencode(struct decc_buf *b, const struct decc_rlp_item *it)
{
	struct decc_cursor c;
	size_t mark;

	if (!it->is_list) {
		if (decc_rlp_append_bytes(b, it->payload.ptr, it->payload.len) != 0)
			abort();
		return;
	}
	mark = decc_rlp_list_begin(b);
	decc_cursor_init(&c, it->payload.ptr, it->payload.len);
	while (decc_cursor_left(&c)) {
		struct decc_rlp_item sub;

		/* decode validated the whole tree: every nested read must succeed */
		if (decc_rlp_next(&c, &sub) != 0)
			abort();
		reencode(b, &sub);
	}
	if (decc_rlp_list_end(b, mark) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decc_rlp_item it;
	struct decc_cursor c;
	struct decc_buf b = DECC_BUF_INIT;

	if (decc_rlp_decode(&it, data, size) == 0) {
		reencode(&b, &it);
		if (b.len != size || memcmp(b.data, data, size) != 0)
			abort();
		if (decc_rlp_validate(data, size) != 0)
			abort();
	}
	/* item by item, with the integer readers on each */
	decc_cursor_init(&c, data, size);
	while (decc_rlp_next(&c, &it) == 0) {
		uint64_t v;
		decc_u256 u;

		if (it.raw.ptr < data || it.raw.ptr + it.raw.len > data + size)
			abort();
		if (decc_rlp_get_u64(&v, &it) == 0) {
			decc_buf_reset(&b);
			if (decc_rlp_append_u64(&b, v) != 0 || b.len != it.raw.len ||
			    memcmp(b.data, it.raw.ptr, b.len) != 0)
				abort();
		}
		if (decc_rlp_get_u256(&u, &it) == 0) {
			decc_buf_reset(&b);
			if (decc_rlp_append_u256(&b, &u) != 0 || b.len != it.raw.len ||
			    memcmp(b.data, it.raw.ptr, b.len) != 0)
				abort();
		}
	}
	decc_buf_release(&b);
	return 0;
}
