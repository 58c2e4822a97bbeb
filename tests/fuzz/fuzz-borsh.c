/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Borsh leaves: the first byte picks a schema type and a mode, the rest is the serialized
 * value. Decoding never crashes; whatever decodes in borsh mode re-encodes to exactly the
 * input (the encodings are canonical: 0/1 bools, exact lengths, valid UTF-8).
 */
#include <stdlib.h>
#include <string.h>

#include "decc/protect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const types[] = { "bool",	"f64",	  "i128",      "string",
				     "boolean", "number", "video/mp4", "application/zip" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decc_protect_value v;
	struct decc_buf enc = DECC_BUF_INIT;
	const char *type;
	int mode, r = 0;

	if (size == 0)
		return 0;
	type = types[data[0] % (sizeof(types) / sizeof(types[0]))];
	mode = (data[0] >> 4) % 3;
	data++;
	size--;
	(void)decc_protect_sniff_mime(data, size);
	if (decc_protect_decode(&v, type, (enum decc_protect_mode)mode, data, size) != 0)
		return 0;
	if (mode == DECC_PROTECT_BORSH) {
		switch (v.kind) {
		case DECC_PROTECT_BOOL:
			r = decc_protect_borsh_bool(&enc, v.b);
			break;
		case DECC_PROTECT_F64:
			/* NaN and infinities decode (any 8 bytes) but are never written */
			if (v.f64 != v.f64 || v.f64 - v.f64 != 0)
				goto out;
			r = decc_protect_borsh_f64(&enc, v.f64);
			break;
		case DECC_PROTECT_I128: {
			char dec[DECC_PROTECT_I128_STR_MAX];
			__int128 back;

			decc_protect_i128_format(dec, v.i128);
			if (decc_protect_i128_parse(&back, dec) != 0 || back != v.i128)
				abort();
			r = decc_protect_borsh_i128(&enc, v.i128);
			break;
		}
		case DECC_PROTECT_STRING:
			r = decc_protect_borsh_string(&enc, (const char *)v.bytes.data,
						      v.bytes.len);
			break;
		default:
			r = decc_buf_append(&enc, v.bytes.data, v.bytes.len);
			break;
		}
		if (r != 0 || enc.len != size || (size && memcmp(enc.data, data, size) != 0))
			abort();
	}
out:
	decc_protect_value_release(&v);
	decc_buf_release(&enc);
	return 0;
}
