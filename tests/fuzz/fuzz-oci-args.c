/* SPDX-License-Identifier: Apache-2.0 */
/* iexec_args splitting: never crash; the words are bounded and NULL-terminated. */
#include <stdlib.h>
#include <string.h>

#include "decc/oci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	char **v;
	size_t n, total = 0;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	if (decc_oci_split_args(&v, &n, s) == 0) {
		for (size_t i = 0; i < n; i++) {
			if (!v[i])
				abort();
			total += strlen(v[i]);
		}
		if (v[n] || n > 4096 || total > strlen(s))
			abort();
		decc_oci_strv_free(v);
	}
	free(s);
	return 0;
}
