/* SPDX-License-Identifier: Apache-2.0 */
/* decc workerpool: register workerpools, show and count them (shared code in cmd_app.c). */
#include "cli/pococli.h"

int cmd_workerpool(struct cli *cli, int argc, char **argv)
{
	return pcli_asset_command(cli, 2, argc, argv);
}
