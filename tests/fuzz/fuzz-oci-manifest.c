/* SPDX-License-Identifier: Apache-2.0 */
/* Image manifest parsing: never crash; every accepted digest is a clean sha256 (no path tricks). */
#include <stdlib.h>
#include <string.h>

#include "decc/oci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_digest(const char *d)
{
	if (!d || strncmp(d, "sha256:", 7) != 0 || strlen(d) != 71)
		abort();
	for (size_t i = 7; i < 71; i++)
		if (!strchr("0123456789abcdef", d[i]))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decc_oci_manifest m;

	if (decc_oci_manifest_parse(&m, (const char *)data, size) != 0)
		return 0;
	check_digest(m.config.digest);
	for (size_t i = 0; i < m.nlayers; i++)
		check_digest(m.layers[i].digest);
	decc_oci_manifest_release(&m);
	return 0;
}
