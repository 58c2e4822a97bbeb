/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Base64: decoding never crashes; decoding is strict, so whatever decodes re-encodes to exactly
 * the input; and any bytes encode and decode back to themselves.
 */
#include <stdlib.h>
#include <string.h>

#include "decc/crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decc_buf dec = DECC_BUF_INIT, enc = DECC_BUF_INIT;

	if (decc_base64_decode(&dec, (const char *)data, size) == 0) {
		if (dec.len != size / 4 * 3 - (size && data[size - 1] == '=') -
				   (size > 1 && data[size - 2] == '='))
			abort();
		if (decc_base64_encode(&enc, dec.data, dec.len) != 0 || enc.len != size ||
		    (size && memcmp(enc.data, data, size) != 0))
			abort();
	}
	decc_buf_release(&dec);
	decc_buf_release(&enc);

	if (decc_base64_encode(&enc, data, size) != 0)
		abort();
	if (decc_base64_decode(&dec, (const char *)enc.data, enc.len) != 0 || dec.len != size ||
	    (size && memcmp(dec.data, data, size) != 0))
		abort();
	decc_buf_release(&dec);
	decc_buf_release(&enc);
	return 0;
}
