/* SPDX-License-Identifier: Apache-2.0 */
/* decc dataset: register datasets, show and count them (shared code in cmd_app.c). */
#include <string.h>

#include "cli/pococli.h"
#include "cli/protect_cmds.h"

int cmd_dataset(struct cli *cli, int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "encrypt") == 0) /* dataset files: cmd_dataset_crypt.c */
		return cmd_dataset_encrypt(cli, argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "decrypt") == 0)
		return cmd_dataset_decrypt(cli, argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "push-secret") == 0) { /* = decc secret push-dataset */
		argv[1] = (char *)"push-dataset";
		return cmd_secret(cli, argc, argv);
	}
	return pcli_asset_command(cli, 1, argc, argv);
}
