/* SPDX-License-Identifier: Apache-2.0 */
/* decc dataset: register datasets, show and count them (shared code in cmd_app.c). */
#include "cli/pococli.h"

int cmd_dataset(struct cli *cli, int argc, char **argv)
{
	return pcli_asset_command(cli, 1, argc, argv);
}
