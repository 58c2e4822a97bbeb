/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the PoCo commands (account, app, dataset, workerpool, order, orderbook, deal, task,
 * category) share: the chain client from the global options (or the --config file), the
 * market URL, parsing of amounts and ids, and output (human lines, or one JSON object).
 */
#ifndef DECC_CLI_POCOCLI_H
#define DECC_CLI_POCOCLI_H

#include "decc/chain.h"
#include "cli/cli.h"

/*
 * Fill the unset global options from --config FILE (JSON: {"rpc","hub","wallet",
 * "passwordFile","market"}); *market gets the market URL from the file when it has one.
 * Returns CLI_EXIT_OK or an exit status.
 */
int pcli_config(struct cli *cli, const char *page, const char *cmd, const char **market);

/*
 * The chain client: --rpc (required), --hub (default: decc node's native hub for the chain
 * id), the wallet when need_wallet (its address in *me, which may be NULL). Reports failures.
 */
int pcli_open(struct cli *cli, const char *page, const char *cmd, struct decc_chain **out,
	      bool need_wallet, decc_address *me);

/* The market URL: --market, else the config's, else --rpc + "/market". out is a heap string. */
int pcli_market_url(struct cli *cli, const char *page, const char *cmd, const char *market,
		    char **out);

/* Report a failed chain operation: "decc: CMD: REASON (what it means)". */
int pcli_fail(const char *cmd);

/* Print obj: one JSON object with --json, else "key: value" lines. Steals obj. */
int pcli_print(const struct cli *cli, json_t *obj);

json_t *pcli_jaddr(const decc_address *a);
json_t *pcli_ju256(const decc_u256 *v);
json_t *pcli_jhex(const uint8_t *p, size_t n);
json_t *pcli_jbytes32(const uint8_t p[32]);

/* 0x + 64 hex digits. */
int pcli_parse_bytes32(uint8_t out[32], const char *s);

/* Read a JSON order file (the output of 'decc order sign' too: its orderHash is dropped). */
int pcli_load_order(struct decc_order *o, bool *has_salt, enum decc_order_type type,
		    const char *path);

/* matchOrders (o[1] NULL: no dataset); the deal id and volume from the OrdersMatched log. */
int pcli_match_orders(struct decc_chain *c, uint8_t dealid[32], decc_u256 *volume,
		      const struct decc_order *o[4]);

/* ---- assets (0 app, 1 dataset, 2 workerpool) ---- */
/* The registry of kind, read from the hub. */
int pcli_registry(struct decc_chain *c, int kind, decc_address *out);
/* ADDR, or INDEX among user's assets (tokenOfOwnerByIndex). */
int pcli_asset_resolve(struct decc_chain *c, int kind, const char *arg, const decc_address *user,
		       decc_address *out);
/* Assets of user (balanceOf), or all of them when user is NULL (totalSupply). */
int pcli_asset_count(struct decc_chain *c, int kind, const decc_address *user, uint64_t *out);

/* decc app|dataset|workerpool (kind 0, 1, 2), in cmd_app.c. */
int pcli_asset_command(struct cli *cli, int kind, int argc, char **argv);

int cmd_account(struct cli *cli, int argc, char **argv);
int cmd_app(struct cli *cli, int argc, char **argv);
int cmd_app_run(struct cli *cli, int argc, char **argv); /* decc app run, in cmd_run.c */
int cmd_dataset(struct cli *cli, int argc, char **argv);
int cmd_workerpool(struct cli *cli, int argc, char **argv);
int cmd_orderbook(struct cli *cli, int argc, char **argv);
int cmd_deal(struct cli *cli, int argc, char **argv);
int cmd_task(struct cli *cli, int argc, char **argv);
int cmd_category(struct cli *cli, int argc, char **argv);

#endif
