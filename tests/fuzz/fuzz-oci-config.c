/* SPDX-License-Identifier: Apache-2.0 */
/* Image config parsing and run parameters: never crash; what parses gives argv/env that hold. */
#include <stdlib.h>
#include <string.h>

#include "decc/oci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decc_oci_config c;
	struct decc_oci_run run;
	const char *const extra[] = { "IEXEC_IN=/iexec_in", NULL };

	if (decc_oci_config_parse(&c, (const char *)data, size) != 0)
		return 0;
	if (decc_oci_run_params(&run, &c, NULL, "a 'b c'", extra) == 0) {
		if (!run.argv || !run.argv[0] || !run.env || !run.cwd || run.cwd[0] != '/' ||
		    run.uid == 0 || run.gid == 0)
			abort();
		for (size_t i = 0; run.env[i]; i++)
			if (!strchr(run.env[i], '='))
				abort();
		decc_oci_run_release(&run);
	}
	decc_oci_config_release(&c);
	return 0;
}
