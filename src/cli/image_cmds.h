/* SPDX-License-Identifier: Apache-2.0 */
/* decc image: build, measure and run iApp images (cmd_image.c, docs/cmd/decc-image.md). */
#ifndef DECC_CLI_IMAGE_CMDS_H
#define DECC_CLI_IMAGE_CMDS_H

#include "cli/cli.h"

int cmd_image(struct cli *cli, int argc, char **argv);

#endif
