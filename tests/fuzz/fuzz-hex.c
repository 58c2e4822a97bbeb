/* SPDX-License-Identifier: Apache-2.0 */
/* Hex decoding: never crashes, and what decodes re-encodes to the same bytes. */
#include <stdlib.h>
#include <string.h>

#include "decc/hex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t out[64];
	size_t n;
	char back[2 * sizeof(out) + 3];
	struct decc_buf b = DECC_BUF_INIT;

	if (decc_hex_decode(out, sizeof(out), &n, (const char *)data, size) == 0) {
		uint8_t again[64];
		size_t m;

		decc_hex_encode(back, out, n, true);
		if (decc_hex_decode(again, sizeof(again), &m, back, strlen(back)) != 0 || m != n ||
		    memcmp(again, out, n) != 0)
			abort();
	}
	if (decc_hex_decode_buf(&b, (const char *)data, size) == 0 && b.len != size / 2 &&
	    b.len != (size - 2) / 2)
		abort();
	decc_buf_release(&b);
	return 0;
}
