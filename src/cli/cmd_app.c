/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decc app / dataset / workerpool: register assets in the PoCo registries, show them, count
 * them (one implementation for the three, the commands differ by their fields).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/error.h"
#include "decc/hex.h"
#include "cli/pococli.h"

static const char *const kind_names[3] = { "app", "dataset", "workerpool" };

struct asset_opts {
	const char *name, *multiaddr, *checksum, *mrenclave, *type, *description, *owner, *user;
};

/* Bytes that are printable text are shown as text, others as 0x-hex. */
static json_t *jtext_or_hex(const struct decc_buf *b)
{
	for (size_t i = 0; i < b->len; i++)
		if (b->data[i] < 0x20 || b->data[i] > 0x7e)
			return pcli_jhex(b->data, b->len);
	return json_stringn((const char *)b->data, b->len);
}

static int asset_deploy(struct cli *cli, int kind, const struct asset_opts *o)
{
	char cmd[40];
	struct decc_chain *c;
	decc_address me, owner, out;
	uint8_t checksum[32];
	int r;

	snprintf(cmd, sizeof(cmd), "%s deploy", kind_names[kind]);
	if (kind == 2) {
		if (!o->description)
			return cli_usage_error(kind_names[kind], cmd,
					       "--description TEXT is required");
	} else {
		if (!o->name || !o->multiaddr || !o->checksum)
			return cli_usage_error(kind_names[kind], cmd,
					       "--name, --multiaddr and --checksum are required");
		if (pcli_parse_bytes32(checksum, o->checksum) < 0)
			return cli_usage_error(kind_names[kind], cmd, "--checksum: %s",
					       decc_error_last());
	}
	if (o->owner && decc_address_parse(&owner, o->owner) < 0)
		return cli_usage_error(kind_names[kind], cmd, "--owner: %s", decc_error_last());
	if ((r = pcli_open(cli, kind_names[kind], cmd, &c, true, &me)) != CLI_EXIT_OK)
		return r;
	if (!o->owner)
		owner = me;
	switch (kind) {
	case 0:
		r = decc_chain_create_app(c, &out, &owner, o->name, o->type ? o->type : "DOCKER",
					  (const uint8_t *)o->multiaddr, strlen(o->multiaddr),
					  checksum,
					  (const uint8_t *)(o->mrenclave ? o->mrenclave : ""),
					  o->mrenclave ? strlen(o->mrenclave) : 0);
		break;
	case 1:
		r = decc_chain_create_dataset(c, &out, &owner, o->name,
					      (const uint8_t *)o->multiaddr, strlen(o->multiaddr),
					      checksum);
		break;
	default:
		r = decc_chain_create_workerpool(c, &out, &owner, o->description);
		break;
	}
	decc_chain_free(c);
	if (r < 0)
		return pcli_fail(cmd);
	if (!cli->json) {
		char s[43];

		decc_address_to_checksum(s, &out);
		printf("%s\n", s);
		return CLI_EXIT_OK;
	}
	return pcli_print(
	    cli, json_pack("{s:o, s:o}", "address", pcli_jaddr(&out), "owner", pcli_jaddr(&owner)));
}

static int asset_show(struct cli *cli, int kind, const struct asset_opts *o, const char *which)
{
	char cmd[40];
	struct decc_chain *c;
	decc_address user, a;
	bool has_user = false, need_wallet;
	json_t *res = NULL;
	int r;

	snprintf(cmd, sizeof(cmd), "%s show", kind_names[kind]);
	if (o->user) {
		if (decc_address_parse(&user, o->user) < 0)
			return cli_usage_error(kind_names[kind], cmd, "--user: %s",
					       decc_error_last());
		has_user = true;
	}
	/* an index without --user is among the wallet's own assets */
	need_wallet = !has_user && strncmp(which, "0x", 2) != 0;
	if ((r = pcli_open(cli, kind_names[kind], cmd, &c, need_wallet, &user)) != CLI_EXIT_OK)
		return r;
	if (pcli_asset_resolve(c, kind, which, has_user || need_wallet ? &user : NULL, &a) < 0) {
		decc_chain_free(c);
		return pcli_fail(cmd);
	}
	if (kind == 0) {
		struct decc_chain_app v;

		r = decc_chain_view_app(c, &v, &a);
		if (r == 0) {
			res = json_pack("{s:o, s:o, s:s, s:s, s:o, s:o, s:o}", "address",
					pcli_jaddr(&a), "owner", pcli_jaddr(&v.owner), "name",
					v.name ? v.name : "", "type", v.type ? v.type : "",
					"multiaddr", jtext_or_hex(&v.multiaddr), "checksum",
					pcli_jbytes32(v.checksum), "mrenclave",
					jtext_or_hex(&v.mrenclave));
			decc_chain_app_release(&v);
		}
	} else if (kind == 1) {
		struct decc_chain_dataset v;

		r = decc_chain_view_dataset(c, &v, &a);
		if (r == 0) {
			res = json_pack("{s:o, s:o, s:s, s:o, s:o}", "address", pcli_jaddr(&a),
					"owner", pcli_jaddr(&v.owner), "name", v.name ? v.name : "",
					"multiaddr", jtext_or_hex(&v.multiaddr), "checksum",
					pcli_jbytes32(v.checksum));
			decc_chain_dataset_release(&v);
		}
	} else {
		struct decc_chain_workerpool v;

		r = decc_chain_view_workerpool(c, &v, &a);
		if (r == 0) {
			res = json_pack("{s:o, s:o, s:s, s:I, s:I}", "address", pcli_jaddr(&a),
					"owner", pcli_jaddr(&v.owner), "description",
					v.description ? v.description : "", "workerStakeRatio",
					(json_int_t)v.worker_stake_ratio, "schedulerRewardRatio",
					(json_int_t)v.scheduler_reward_ratio);
			decc_chain_workerpool_release(&v);
		}
	}
	decc_chain_free(c);
	if (r < 0)
		return pcli_fail(cmd);
	return pcli_print(cli, res);
}

static int asset_count(struct cli *cli, int kind, const struct asset_opts *o)
{
	char cmd[40];
	struct decc_chain *c;
	decc_address user;
	uint64_t n;
	int r;

	snprintf(cmd, sizeof(cmd), "%s count", kind_names[kind]);
	if (o->user && decc_address_parse(&user, o->user) < 0)
		return cli_usage_error(kind_names[kind], cmd, "--user: %s", decc_error_last());
	if ((r = pcli_open(cli, kind_names[kind], cmd, &c, false, NULL)) != CLI_EXIT_OK)
		return r;
	r = pcli_asset_count(c, kind, o->user ? &user : NULL, &n);
	decc_chain_free(c);
	if (r < 0)
		return pcli_fail(cmd);
	if (!cli->json) {
		printf("%llu\n", (unsigned long long)n);
		return CLI_EXIT_OK;
	}
	return pcli_print(cli, json_pack("{s:I}", "count", (json_int_t)n));
}

int pcli_asset_command(struct cli *cli, int kind, int argc, char **argv)
{
	struct asset_opts o = { 0 };
	const struct opt opts[] = {
		OPT_STRING("name", &o.name),
		OPT_STRING("multiaddr", &o.multiaddr),
		OPT_STRING("checksum", &o.checksum),
		OPT_STRING("mrenclave", &o.mrenclave),
		OPT_STRING("type", &o.type),
		OPT_STRING("description", &o.description),
		OPT_STRING("owner", &o.owner),
		OPT_STRING("user", &o.user),
		OPT_END,
	};
	const char *page = kind_names[kind];
	struct opt_args args;
	char *pos[3];
	bool done;
	int r;

	r = cli_parse(cli, page, page, opts, argc - 1, argv + 1, &args, pos, 3, &done);
	if (done)
		return r;
	if (args.npos == 0)
		return cli_usage_error(page, page, "missing subcommand (deploy, show, count)");
	if (strcmp(args.pos[0], "deploy") == 0 && args.npos == 1)
		return asset_deploy(cli, kind, &o);
	if (strcmp(args.pos[0], "show") == 0 && args.npos == 2)
		return asset_show(cli, kind, &o, args.pos[1]);
	if (strcmp(args.pos[0], "count") == 0 && args.npos == 1)
		return asset_count(cli, kind, &o);
	if (strcmp(args.pos[0], "show") == 0)
		return cli_usage_error(page, page, "show takes one ADDR or INDEX");
	if (strcmp(args.pos[0], "deploy") == 0 || strcmp(args.pos[0], "count") == 0)
		return cli_usage_error(page, page, "%s takes no argument", args.pos[0]);
	return cli_usage_error(page, page, "unknown subcommand '%s'", args.pos[0]);
}

int cmd_app(struct cli *cli, int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "run") == 0)
		return cmd_app_run(cli, argc - 1, argv + 1);
	return pcli_asset_command(cli, 0, argc, argv);
}
