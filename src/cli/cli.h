/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the commands of the decc tool share: the global options, the command table entry, how
 * failures are reported (one line on stderr: "decc: <what failed>: <why>") and the helpers
 * every command needs (passwords, wallets, JSON output).
 */
#ifndef DECC_CLI_H
#define DECC_CLI_H

#include <jansson.h>

#include "decc/address.h"
#include "decc/buf.h"
#include "cli/opt.h"

/* Exit statuses of the tool. */
enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAIL = 1,  /* the command ran and failed */
	CLI_EXIT_USAGE = 2, /* bad command line */
};

/* Options accepted before the command, and by every command. */
struct cli {
	bool json;		   /* success prints exactly one JSON object on stdout */
	const char *rpc;	   /* JSON-RPC URL of the chain */
	const char *hub;	   /* hub (PoCo proxy) address */
	const char *wallet;	   /* keystore file */
	const char *password_file; /* first line = the wallet password */
	const char *config;	   /* configuration file */
};

/* The global options as an option table (commands list it after their own). */
const struct opt *cli_global_opts(struct cli *cli);

struct cli_command {
	const char *name;
	/* argv[0] is the command name; returns an exit status */
	int (*run)(struct cli *cli, int argc, char **argv);
	const char *summary; /* one line, for 'decc --help' */
};

/* The command table (main.c). */
extern const struct cli_command cli_commands[];
extern const size_t cli_ncommands;

/* Commands: one file each, cmd_<name>.c. */
int cmd_help(struct cli *cli, int argc, char **argv);
int cmd_version(struct cli *cli, int argc, char **argv);
int cmd_wallet(struct cli *cli, int argc, char **argv);
int cmd_order(struct cli *cli, int argc, char **argv);
int cmd_node(struct cli *cli, int argc, char **argv);
int cmd_evm(struct cli *cli, int argc, char **argv);
int cmd_store(struct cli *cli, int argc, char **argv);
int cmd_result(struct cli *cli, int argc, char **argv);
int cmd_sms(struct cli *cli, int argc, char **argv);
int cmd_enclave(struct cli *cli, int argc, char **argv);
int cmd_secret(struct cli *cli, int argc, char **argv);

/* ---- help pages, compiled from docs/cmd/decc-<name>.md (generated help_text.c) ---- */
struct cli_help_page {
	const char *name; /* "wallet" for docs/cmd/decc-wallet.md, "decc" for decc.md */
	const char *text; /* plain text rendering */
};
extern const struct cli_help_page cli_help_pages[];
extern const size_t cli_help_npages;
const char *cli_help_text(const char *name);
/* Print the top-level usage (commands and summaries) to f. */
void cli_usage(FILE *f);

/* ---- reporting ---- */
/* Print "decc: <what>: <decc_error_last()>" on stderr; returns CLI_EXIT_FAIL. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "decc: <what>" on stderr; returns CLI_EXIT_FAIL. */
int cli_failx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Usage error: "decc: <cmd>: <msg> (see 'decc help <page>')"; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *page, const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/*
 * Parse a command's options (its table first, then the global ones). Returns CLI_EXIT_OK,
 * or an exit status to return at once (help printed: 0, usage error reported: 2); *done tells
 * which.
 */
int cli_parse(struct cli *cli, const char *page, const char *cmd, const struct opt *opts, int argc,
	      char **argv, struct opt_args *args, char **pos, int max_pos, bool *done);

/* Print a JSON object on stdout: compact on one line with --json, indented otherwise. */
int cli_print_json(const struct cli *cli, json_t *obj);
/* Render a JSON object as text (compact or indented), with a trailing newline. */
int cli_json_text(struct decc_buf *out, json_t *obj, bool compact);

/* ---- secrets and wallets ---- */
/*
 * The wallet password: the first line of --password-file (trailing CR/LF stripped), else an
 * interactive prompt without echo when stdin is a terminal (asked twice when confirm), else an
 * error. out should be a secret buffer.
 */
int cli_password(const struct cli *cli, struct decc_buf *out, bool confirm);
/* The default keystore directory: $HOME/.decc/wallets (out gets a heap string). */
int cli_default_keystore_dir(char **out);
/*
 * Choose the wallet file: --wallet, else the only keystore in dir (the default directory when
 * dir is NULL). out gets a heap string.
 */
int cli_wallet_path(const struct cli *cli, const char *dir, char **out);
/* Open the selected wallet: read, ask the password, decrypt. sk is wiped by the caller. */
int cli_wallet_open(const struct cli *cli, const char *dir, uint8_t sk[32], decc_address *addr);

/* Parse decimal digits into a u64 (no sign, no spaces, no overflow). */
int cli_parse_u64(uint64_t *out, const char *s);

#endif
