/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Protected-data zips: any bytes opened as a zip never crash the reader; an archive that passes
 * the checks has only key-path names, and every leaf reads within its declared size (or fails
 * cleanly) and decodes as every schema type without crashing.
 */
#include <stdlib.h>
#include <string.h>

#include "decc/protect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const types[] = { "bool",	"f64",	  "i128",     "string",
				     "boolean", "number", "image/png" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct decc_protect_limits lim = {
		.max_entries = 64,
		.max_entry_size = 1 << 20,
		.max_total_size = 1 << 20,
		.max_value_size = 1 << 16,
	};
	struct decc_protect_reader *r = NULL;

	if (decc_protect_open_buf(&r, data, size, &lim) != 0)
		return 0;
	for (size_t i = 0; i < decc_protect_count(r); i++) {
		const char *name = decc_protect_name(r, i);
		struct decc_buf raw = DECC_BUF_INIT;
		size_t found;

		if (!name || name[0] == '/' || strstr(name, "..") || strchr(name, '\\'))
			abort();
		if (decc_protect_find(r, &found, name) != 0 || found > i)
			abort();
		if (decc_protect_read_raw(r, &raw, i) == 0) {
			if (raw.len != decc_protect_size(r, i))
				abort();
			for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
				for (int m = DECC_PROTECT_OPTIMISTIC; m <= DECC_PROTECT_LEGACY;
				     m++) {
					struct decc_protect_value v;

					if (decc_protect_decode(&v, types[t], m, raw.data,
								raw.len) == 0)
						decc_protect_value_release(&v);
				}
			}
		} else if (raw.len != 0) {
			abort(); /* a failed read leaves nothing */
		}
		decc_buf_release(&raw);
	}
	decc_protect_close(r);
	return 0;
}
