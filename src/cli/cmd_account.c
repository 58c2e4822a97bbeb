/* SPDX-License-Identifier: Apache-2.0 */
/* decc account: the PoCo escrow of an account (show, deposit, withdraw), in nRLC. */
#include <stdio.h>
#include <string.h>

#include "decc/error.h"
#include "cli/pococli.h"

#define PAGE "account"

static int account_show(struct cli *cli, const char *who)
{
	struct decc_chain *c;
	decc_address a;
	decc_u256 stake, locked, wei;
	bool need_wallet = who == NULL;
	int r;

	if (who && decc_address_parse(&a, who) < 0)
		return cli_usage_error(PAGE, "account show", "ADDR: %s", decc_error_last());
	if ((r = pcli_open(cli, PAGE, "account show", &c, need_wallet, need_wallet ? &a : NULL)) !=
	    CLI_EXIT_OK)
		return r;
	if (decc_chain_view_account(c, &stake, &locked, &a) < 0 ||
	    decc_chain_balance(c, &wei, &a) < 0) {
		decc_chain_free(c);
		return pcli_fail("account show");
	}
	decc_chain_free(c);
	return pcli_print(cli, json_pack("{s:o, s:o, s:o, s:o}", "address", pcli_jaddr(&a),
					 "balance", pcli_ju256(&stake), "frozen",
					 pcli_ju256(&locked), "wei", pcli_ju256(&wei)));
}

static int account_move(struct cli *cli, bool deposit, const char *amount_s)
{
	const char *cmd = deposit ? "account deposit" : "account withdraw";
	struct decc_chain *c;
	decc_address me;
	decc_u256 amount, stake, locked;
	int r;

	if (decc_u256_parse(&amount, amount_s) < 0 || decc_u256_is_zero(&amount))
		return cli_usage_error(PAGE, cmd,
				       "AMOUNT: expected a positive number of nRLC, got "
				       "'%s'",
				       amount_s);
	if ((r = pcli_open(cli, PAGE, cmd, &c, true, &me)) != CLI_EXIT_OK)
		return r;
	r = deposit ? decc_chain_deposit(c, &amount) : decc_chain_withdraw(c, &amount);
	if (r < 0) {
		decc_chain_free(c);
		return pcli_fail(cmd);
	}
	if (decc_chain_view_account(c, &stake, &locked, &me) < 0) {
		decc_chain_free(c);
		return pcli_fail(cmd);
	}
	decc_chain_free(c);
	return pcli_print(cli,
			  json_pack("{s:o, s:o, s:o, s:o}", "address", pcli_jaddr(&me),
				    deposit ? "deposited" : "withdrawn", pcli_ju256(&amount),
				    "balance", pcli_ju256(&stake), "frozen", pcli_ju256(&locked)));
}

int cmd_account(struct cli *cli, int argc, char **argv)
{
	struct opt_args args;
	char *pos[3];
	bool done;
	int r;

	r = cli_parse(cli, PAGE, "account", (const struct opt[]){ OPT_END }, argc - 1, argv + 1,
		      &args, pos, 3, &done);
	if (done)
		return r;
	if (args.npos == 0)
		return cli_usage_error(PAGE, "account",
				       "missing subcommand (show, deposit, "
				       "withdraw)");
	if (strcmp(args.pos[0], "show") == 0) {
		if (args.npos > 2)
			return cli_usage_error(PAGE, "account show", "too many arguments");
		return account_show(cli, args.npos == 2 ? args.pos[1] : NULL);
	}
	if (strcmp(args.pos[0], "deposit") == 0 || strcmp(args.pos[0], "withdraw") == 0) {
		if (args.npos != 2)
			return cli_usage_error(PAGE, "account", "%s takes one AMOUNT (nRLC)",
					       args.pos[0]);
		return account_move(cli, args.pos[0][0] == 'd', args.pos[1]);
	}
	return cli_usage_error(PAGE, "account", "unknown subcommand '%s'", args.pos[0]);
}
