/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Commands of the protect area: `decc protect ...` (cmd_protect.c, cmd_protect_data.c) and the dataset file
 * subcommands `decc dataset encrypt|decrypt` (cmd_dataset_crypt.c), which cmd_dataset.c
 * dispatches to. Each takes argv with argv[0] = its own name and returns an exit status.
 */
#ifndef DECC_CLI_PROTECT_CMDS_H
#define DECC_CLI_PROTECT_CMDS_H

#include "cli/cli.h"

int cmd_protect(struct cli *cli, int argc, char **argv);
int cmd_dataset_encrypt(struct cli *cli, int argc, char **argv);
int cmd_dataset_decrypt(struct cli *cli, int argc, char **argv);
int cmd_protect_process(struct cli *cli, int argc, char **argv); /* in cmd_run.c */
/* The data owner's subcommands, in cmd_protect_data.c. */
int cmd_protect_data(struct cli *cli, int argc, char **argv);
int cmd_protect_list(struct cli *cli, int argc, char **argv);
int cmd_protect_grant(struct cli *cli, int argc, char **argv);
int cmd_protect_access(struct cli *cli, int argc, char **argv);
int cmd_protect_revoke(struct cli *cli, int argc, char **argv);
int cmd_protect_transfer(struct cli *cli, int argc, char **argv);

#endif
