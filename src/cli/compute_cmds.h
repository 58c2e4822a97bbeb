/* SPDX-License-Identifier: Apache-2.0 */
/* decc scheduler and decc worker: the compute daemons (docs/cmd/decc-{scheduler,worker}.md). */
#ifndef DECC_CLI_COMPUTE_CMDS_H
#define DECC_CLI_COMPUTE_CMDS_H

#include <signal.h>

#include "cli/cli.h"

int cmd_scheduler(struct cli *cli, int argc, char **argv);
int cmd_worker(struct cli *cli, int argc, char **argv);

/* Shared by both daemons (cmd_scheduler.c): logfmt lines on stderr, the stop flag. */
void compute_log(const char *component, const char *msg);
extern volatile sig_atomic_t compute_stop;
void compute_catch_signals(void);

#endif
