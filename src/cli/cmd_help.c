/* SPDX-License-Identifier: Apache-2.0 */
/* decc help [COMMAND]: the pages of docs/cmd/, compiled in. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

const char *cli_help_text(const char *name)
{
	for (size_t i = 0; i < cli_help_npages; i++)
		if (strcmp(cli_help_pages[i].name, name) == 0)
			return cli_help_pages[i].text;
	return NULL;
}

int cmd_help(struct cli *cli, int argc, char **argv)
{
	struct opt_args args;
	const char *text;
	char *pos[2];
	bool done;
	int r;

	r = cli_parse(cli, "help", "help", (const struct opt[]){ OPT_END }, argc - 1, argv + 1,
		      &args, pos, 1, &done);
	if (done)
		return r;
	if (args.npos == 0) {
		cli_usage(stdout);
		return CLI_EXIT_OK;
	}
	text = cli_help_text(args.pos[0]);
	if (!text) {
		/* a command without a page of its own still has its summary */
		for (size_t i = 0; i < cli_ncommands; i++) {
			if (strcmp(cli_commands[i].name, args.pos[0]) == 0) {
				printf("decc %s - %s\n", cli_commands[i].name,
				       cli_commands[i].summary);
				return CLI_EXIT_OK;
			}
		}
		return cli_usage_error("help", "help", "no such command '%s'", args.pos[0]);
	}
	fputs(text, stdout);
	return CLI_EXIT_OK;
}
