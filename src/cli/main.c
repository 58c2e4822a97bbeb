/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decc: the command table and the global options. Adding a command is one line in the table
 * below plus its cmd_<name>.c (and docs/cmd/decc-<name>.md for its help and man page).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "decc/common.h"
#include "decc/error.h"
#include "cli/cli.h"
#include "cli/pococli.h"
#include "cli/protect_cmds.h"
#include "cli/compute_cmds.h"
#include "cli/image_cmds.h"
#include "cli/devnet.h"

const struct cli_command cli_commands[] = {
	{ "help", cmd_help, "show the help of decc or of a command" },
	{ "version", cmd_version, "print the version of decc" },
	{ "wallet", cmd_wallet, "create, import, show wallets; sign messages" },
	{ "order", cmd_order, "hash, sign, verify, publish, cancel and match PoCo orders" },
	{ "orderbook", cmd_orderbook, "list the market's orders by type and asset" },
	{ "account", cmd_account, "escrow account: show, deposit, withdraw (nRLC)" },
	{ "app", cmd_app, "register, show and count apps" },
	{ "dataset", cmd_dataset, "register, show and count datasets" },
	{ "workerpool", cmd_workerpool, "register, show and count workerpools" },
	{ "deal", cmd_deal, "show a deal and its tasks" },
	{ "task", cmd_task, "show and claim tasks; operator commands (contribute, ...)" },
	{ "category", cmd_category, "show and count the hub's categories" },
	{ "evm", cmd_evm, "deploy PoCo on an EVM chain, send transactions, make calls" },
	{ "node", cmd_node, "run the ledger: a chain executing PoCo natively, JSON-RPC" },
	{ "store", cmd_store, "content-addressed storage: IPFS HTTP API server and client" },
	{ "result", cmd_result, "beneficiary keys; download and decrypt task results" },
	{ "protect", cmd_protect, "protected data: DataProtector zip, schema, dataset encryption" },
	{ "sms", cmd_sms, "Secret Management Service: dataset keys, app and requester secrets" },
	{ "enclave", cmd_enclave, "the TEE enclave a worker starts: attest, session, run, seal" },
	{ "secret", cmd_secret, "push secrets to an SMS (signed by the owner) and check them" },
	{ "image", cmd_image, "iApp images: build (deterministic), digest, run like a worker" },
	{ "scheduler", cmd_scheduler, "workerpool scheduler daemon: deals, tasks, worker API" },
	{ "worker", cmd_worker, "worker daemon: pulls tasks, runs apps, contributes, reveals" },
	{ "devnet", cmd_devnet, "a whole local network (node, store, SMS, pool, TEE workers)" },
};
const size_t cli_ncommands = DECC_ARRAY_SIZE(cli_commands);

void cli_usage(FILE *f)
{
	fprintf(f, "usage: decc [--version] [--help] [GLOBAL OPTIONS] COMMAND [ARGS]\n"
		   "\n"
		   "Commands:\n");
	for (size_t i = 0; i < cli_ncommands; i++)
		fprintf(f, "   %-10s %s\n", cli_commands[i].name, cli_commands[i].summary);
	fprintf(f, "\n"
		   "Global options (before the command or among its options):\n"
		   "   --json                one JSON object on stdout on success\n"
		   "   --rpc URL             JSON-RPC endpoint of the chain\n"
		   "   --hub ADDR            address of the iExec hub\n"
		   "   --wallet FILE         keystore file to use\n"
		   "   --password-file FILE  read the wallet password from the first line of FILE\n"
		   "   --config FILE         configuration file\n"
		   "\n"
		   "See 'decc help COMMAND' for the options and examples of a command.\n");
}

static const struct cli_command *find_command(const char *name)
{
	for (size_t i = 0; i < cli_ncommands; i++)
		if (strcmp(cli_commands[i].name, name) == 0)
			return &cli_commands[i];
	return NULL;
}

int cmd_version(struct cli *cli, int argc, char **argv)
{
	struct opt_args args;
	char *pos[1];
	bool done;
	int r;

	r = cli_parse(cli, "decc", "version", (const struct opt[]){ OPT_END }, argc - 1, argv + 1,
		      &args, pos, 0, &done);
	if (done)
		return r;
	if (cli->json) {
		json_t *o = json_pack("{s:s}", "version", DECC_VERSION);

		r = cli_print_json(cli, o);
		json_decref(o);
		return r;
	}
	printf("decc %s\n", DECC_VERSION);
	return CLI_EXIT_OK;
}

static int run(int argc, char **argv)
{
	struct cli cli = { 0 };
	bool version = false;
	const struct opt head[] = { OPT_FLAG("version", &version), OPT_END };
	const struct opt *tables[3] = { head, cli_global_opts(&cli), NULL };
	const struct cli_command *cmd;
	int r, used = 0;

	/* global options come before the command: stop at the first word that is not one */
	r = opt_parse_head(tables, argc - 1, argv + 1, &used);
	if (r == OPT_USAGE)
		return cli_usage_error(NULL, "usage", "%s", decc_error_last());
	if (r == OPT_HELP) {
		cli_usage(stdout);
		return CLI_EXIT_OK;
	}
	if (version)
		return cmd_version(&cli, 1, (char *[]){ "version", NULL });
	if (1 + used >= argc) {
		cli_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	argc -= 1 + used;
	argv += 1 + used;
	cmd = find_command(argv[0]);
	if (!cmd) {
		fprintf(stderr, "decc: '%s' is not a decc command (see 'decc --help')\n", argv[0]);
		return CLI_EXIT_USAGE;
	}
	return cmd->run(&cli, argc, argv);
}

int main(int argc, char **argv)
{
	int r = run(argc, argv);

	/* a result that could not be written (full disk, closed pipe) is a failure */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "decc: cannot write the output: %s\n", strerror(errno));
		return CLI_EXIT_FAIL;
	}
	return r;
}
