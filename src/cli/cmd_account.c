/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decc account: the PoCo escrow of an account (show, deposit, withdraw), in nRLC, on a native
 * or a token-mode hub (read from the hub's token()), and RLC transfers on a token-mode hub.
 */
#include <stdio.h>
#include <string.h>

#include "decc/error.h"
#include "cli/pococli.h"

#define PAGE "account"

static int account_show(struct cli *cli, const char *who)
{
	struct decc_chain *c;
	enum decc_chain_escrow mode;
	decc_address a, token;
	decc_u256 stake, locked, wei, rlc;
	bool need_wallet = who == NULL;
	json_t *out;
	int r;

	if (who && decc_address_parse(&a, who) < 0)
		return cli_usage_error(PAGE, "account show", "ADDR: %s", decc_error_last());
	if ((r = pcli_open(cli, PAGE, "account show", &c, need_wallet, need_wallet ? &a : NULL)) !=
	    CLI_EXIT_OK)
		return r;
	if (decc_chain_escrow_mode(c, &mode, &token) < 0 ||
	    decc_chain_view_account(c, &stake, &locked, &a) < 0 ||
	    decc_chain_balance(c, &wei, &a) < 0 ||
	    (mode == DECC_ESCROW_TOKEN && decc_chain_rlc_balance(c, &rlc, &a) < 0)) {
		decc_chain_free(c);
		return pcli_fail("account show");
	}
	decc_chain_free(c);
	out = json_pack("{s:o, s:s, s:o, s:o, s:o}", "address", pcli_jaddr(&a), "mode",
			mode == DECC_ESCROW_TOKEN ? "token" : "native", "balance",
			pcli_ju256(&stake), "frozen", pcli_ju256(&locked), "wei", pcli_ju256(&wei));
	if (out && mode == DECC_ESCROW_TOKEN) {
		json_object_set_new(out, "token", pcli_jaddr(&token));
		json_object_set_new(out, "rlc", pcli_ju256(&rlc));
	}
	return pcli_print(cli, out);
}

/* decc account send-rlc TO AMOUNT: RLC from the wallet to TO (token-mode hubs only). */
static int account_send_rlc(struct cli *cli, const char *to_s, const char *amount_s)
{
	const char *cmd = "account send-rlc";
	struct decc_chain_receipt rc;
	struct decc_chain *c;
	decc_address me, to;
	decc_u256 amount, mine, theirs;
	int r;

	if (decc_address_parse(&to, to_s) < 0)
		return cli_usage_error(PAGE, cmd, "TO: %s", decc_error_last());
	if (decc_u256_parse(&amount, amount_s) < 0 || decc_u256_is_zero(&amount))
		return cli_usage_error(
		    PAGE, cmd, "AMOUNT: expected a positive number of nRLC, got '%s'", amount_s);
	if ((r = pcli_open(cli, PAGE, cmd, &c, true, &me)) != CLI_EXIT_OK)
		return r;
	memset(&rc, 0, sizeof(rc));
	if (decc_chain_rlc_transfer(c, &rc, &to, &amount) < 0 ||
	    decc_chain_rlc_balance(c, &mine, &me) < 0 ||
	    decc_chain_rlc_balance(c, &theirs, &to) < 0) {
		decc_chain_receipt_release(&rc);
		decc_chain_free(c);
		return pcli_fail(cmd);
	}
	decc_chain_free(c);
	r = pcli_print(cli, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "from", pcli_jaddr(&me),
				      "to", pcli_jaddr(&to), "sent", pcli_ju256(&amount), "rlc",
				      pcli_ju256(&mine), "toRlc", pcli_ju256(&theirs), "txHash",
				      pcli_jbytes32(rc.tx_hash)));
	decc_chain_receipt_release(&rc);
	return r;
}

static int account_move(struct cli *cli, bool deposit, const char *amount_s)
{
	const char *cmd = deposit ? "account deposit" : "account withdraw";
	struct decc_chain *c;
	enum decc_chain_escrow mode;
	decc_address me;
	decc_u256 amount, stake, locked, rlc;
	json_t *out;
	int r;

	if (decc_u256_parse(&amount, amount_s) < 0 || decc_u256_is_zero(&amount))
		return cli_usage_error(PAGE, cmd,
				       "AMOUNT: expected a positive number of nRLC, got "
				       "'%s'",
				       amount_s);
	if ((r = pcli_open(cli, PAGE, cmd, &c, true, &me)) != CLI_EXIT_OK)
		return r;
	if (!deposit) {
		/* PoCo 6.1.0 reverts without a reason here: say what is missing, send nothing */
		if (decc_chain_view_account(c, &stake, &locked, &me) < 0) {
			decc_chain_free(c);
			return pcli_fail(cmd);
		}
		if (decc_u256_cmp(&stake, &amount) < 0) {
			char h[79], w[79], f[79];

			decc_chain_free(c);
			decc_u256_to_dec(h, &stake);
			decc_u256_to_dec(w, &amount);
			decc_u256_to_dec(f, &locked);
			return cli_failx("%s: not enough free balance in the escrow: %s nRLC free "
					 "(%s frozen by deals is not withdrawable), the withdrawal "
					 "needs %s",
					 cmd, h, f, w);
		}
	}
	r = deposit ? decc_chain_deposit_checked(c, &amount) : decc_chain_withdraw(c, &amount);
	if (r < 0 || decc_chain_escrow_mode(c, &mode, NULL) < 0 ||
	    decc_chain_view_account(c, &stake, &locked, &me) < 0 ||
	    (mode == DECC_ESCROW_TOKEN && decc_chain_rlc_balance(c, &rlc, &me) < 0)) {
		decc_chain_free(c);
		return pcli_fail(cmd);
	}
	decc_chain_free(c);
	out = json_pack("{s:o, s:o, s:o, s:o}", "address", pcli_jaddr(&me),
			deposit ? "deposited" : "withdrawn", pcli_ju256(&amount), "balance",
			pcli_ju256(&stake), "frozen", pcli_ju256(&locked));
	if (out && mode == DECC_ESCROW_TOKEN)
		json_object_set_new(out, "rlc", pcli_ju256(&rlc));
	return pcli_print(cli, out);
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
				       "withdraw, send-rlc)");
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
	if (strcmp(args.pos[0], "send-rlc") == 0) {
		if (args.npos != 3)
			return cli_usage_error(PAGE, "account send-rlc",
					       "expected TO and AMOUNT (nRLC)");
		return account_send_rlc(cli, args.pos[1], args.pos[2]);
	}
	return cli_usage_error(PAGE, "account", "unknown subcommand '%s'", args.pos[0]);
}
