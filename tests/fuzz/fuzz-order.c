/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Order JSON (first byte: order type, rest: JSON). Never crashes; an order that parses prints
 * to JSON that parses back to the same order hash and prints identically.
 */
#include <stdlib.h>
#include <string.h>

#include "decc/order.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t sep[32] = { 1, 2, 3 };
	struct decc_order o, back;
	struct decc_buf j1 = DECC_BUF_INIT, j2 = DECC_BUF_INIT;
	uint8_t h1[32], h2[32];
	enum decc_order_type t;

	if (size < 1)
		return 0;
	t = (enum decc_order_type)(data[0] % 4);
	if (decc_order_from_json(&o, NULL, t, (const char *)data + 1, size - 1) != 0)
		return 0;
	if (decc_order_to_json(&j1, &o) != 0)
		abort();
	if (decc_order_from_json(&back, NULL, t, (const char *)j1.data, j1.len) != 0)
		abort();
	decc_order_hash(h1, sep, &o);
	decc_order_hash(h2, sep, &back);
	if (memcmp(h1, h2, 32) != 0 || o.sign.len != back.sign.len ||
	    memcmp(o.sign.data, back.sign.data, o.sign.len) != 0)
		abort();
	if (decc_order_to_json(&j2, &back) != 0 || j1.len != j2.len ||
	    memcmp(j1.data, j2.data, j1.len) != 0)
		abort();
	decc_buf_release(&j1);
	decc_buf_release(&j2);
	decc_order_release(&o);
	decc_order_release(&back);
	return 0;
}
