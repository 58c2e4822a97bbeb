/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decc dataset: register datasets (createDataset on the registry, or createDatasetWithSchema on
 * the DataProtector when --schema is given), show them with their DatasetSchema, count them
 * (cmd_app.c, shared with app and workerpool); the dataset file subcommands are in
 * cmd_dataset_crypt.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/error.h"
#include "cli/pococli.h"
#include "cli/protect_cmds.h"

struct ds_opts {
	const char *name, *multiaddr, *checksum, *owner, *user, *schema, *dataprotector;
};

/* Bytes that are printable text are shown as text, others as 0x-hex (as cmd_app.c does). */
static json_t *text_or_hex(const struct decc_buf *b)
{
	for (size_t i = 0; i < b->len; i++)
		if (b->data[i] < 0x20 || b->data[i] > 0x7e)
			return pcli_jhex(b->data, b->len);
	return json_stringn((const char *)b->data, b->len);
}

/*
 * The schema as DataProtector stores it: a JSON object in compact form (JSON.stringify: keys in
 * their order, no spaces). *out is a heap string.
 */
static int compact_schema(char **out, const char *text)
{
	json_error_t err;
	json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &err);
	char *s;

	if (!j)
		return decc_error_set(DECC_EINVAL, "not JSON: %s (column %d)", err.text,
				      err.column);
	if (!json_is_object(j)) {
		json_decref(j);
		return decc_error_set(DECC_EINVAL, "a schema is a JSON object, e.g. "
						   "{\"email\":\"string\"}");
	}
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!s)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	*out = s;
	return 0;
}

static int dataset_deploy(struct cli *cli, const struct ds_opts *o)
{
	static const char cmd[] = "dataset deploy";
	struct decc_chain_receipt rc = { 0 };
	struct decc_chain *c;
	decc_address me, owner, out, dp;
	uint8_t checksum[32];
	char *schema = NULL;
	json_t *res;
	int r;

	if (!o->name || !o->multiaddr || !o->checksum)
		return cli_usage_error("dataset", cmd,
				       "--name, --multiaddr and --checksum are required");
	if (pcli_parse_bytes32(checksum, o->checksum) < 0)
		return cli_usage_error("dataset", cmd, "--checksum: %s", decc_error_last());
	if (o->owner && decc_address_parse(&owner, o->owner) < 0)
		return cli_usage_error("dataset", cmd, "--owner: %s", decc_error_last());
	if (o->dataprotector && !o->schema)
		return cli_usage_error("dataset", cmd, "--dataprotector goes with --schema");
	if (o->dataprotector && decc_address_parse(&dp, o->dataprotector) < 0)
		return cli_usage_error("dataset", cmd, "--dataprotector: %s", decc_error_last());
	if (o->schema && compact_schema(&schema, o->schema) < 0)
		return cli_usage_error("dataset", cmd, "--schema: %s", decc_error_last());
	if ((r = pcli_open(cli, "dataset", cmd, &c, true, &me)) != CLI_EXIT_OK) {
		free(schema);
		return r;
	}
	if (!o->owner)
		owner = me;
	if (schema)
		r = decc_chain_create_dataset_with_schema(
		    c, &out, &rc, o->dataprotector ? &dp : NULL, &owner, o->name, schema,
		    (const uint8_t *)o->multiaddr, strlen(o->multiaddr), checksum);
	else
		r = decc_chain_create_dataset(c, &out, &owner, o->name,
					      (const uint8_t *)o->multiaddr, strlen(o->multiaddr),
					      checksum);
	decc_chain_free(c);
	if (r < 0) {
		decc_chain_receipt_release(&rc);
		free(schema);
		return pcli_fail(cmd);
	}
	if (!cli->json) {
		char s[43];

		decc_address_to_checksum(s, &out);
		printf("%s\n", s);
		decc_chain_receipt_release(&rc);
		free(schema);
		return CLI_EXIT_OK;
	}
	res = json_pack("{s:o, s:o}", "address", pcli_jaddr(&out), "owner", pcli_jaddr(&owner));
	if (res && schema) {
		json_object_set_new(res, "schema", json_string(schema));
		json_object_set_new(res, "txHash", pcli_jbytes32(rc.tx_hash));
		json_object_set_new(res, "block", json_integer((json_int_t)rc.block_number));
	}
	decc_chain_receipt_release(&rc);
	free(schema);
	return pcli_print(cli, res);
}

/*
 * The dataset's schema from its DatasetSchema log, looked up only where the DataProtector has
 * code (decc node's always does): *schema NULL when there is none.
 */
static int lookup_schema(struct decc_chain *c, char **schema, const decc_address *dp,
			 const decc_address *dataset)
{
	struct decc_buf code = DECC_BUF_INIT;
	decc_address def;
	int r;

	*schema = NULL;
	if (!dp) {
		decc_chain_dataprotector_decc(&def);
		dp = &def;
	}
	r = decc_chain_code(c, &code, dp);
	if (r == 0 && code.len == 0) {
		decc_buf_release(&code);
		return 0; /* no DataProtector on this chain at that address */
	}
	decc_buf_release(&code);
	if (r < 0)
		return r;
	r = decc_chain_dataset_schema(c, schema, NULL, dp, dataset);
	if (r == DECC_ENOTFOUND)
		return 0;
	return r;
}

static int dataset_show(struct cli *cli, const struct ds_opts *o, const char *which)
{
	static const char cmd[] = "dataset show";
	struct decc_chain_dataset v;
	struct decc_chain *c;
	decc_address user, a, dp;
	bool has_user = false, need_wallet;
	char *schema = NULL;
	json_t *res;
	int r;

	if (o->user) {
		if (decc_address_parse(&user, o->user) < 0)
			return cli_usage_error("dataset", cmd, "--user: %s", decc_error_last());
		has_user = true;
	}
	if (o->dataprotector && decc_address_parse(&dp, o->dataprotector) < 0)
		return cli_usage_error("dataset", cmd, "--dataprotector: %s", decc_error_last());
	/* an index without --user is among the wallet's own datasets */
	need_wallet = !has_user && strncmp(which, "0x", 2) != 0;
	if ((r = pcli_open(cli, "dataset", cmd, &c, need_wallet, &user)) != CLI_EXIT_OK)
		return r;
	r = pcli_asset_resolve(c, 1, which, has_user || need_wallet ? &user : NULL, &a);
	if (r == 0)
		r = decc_chain_view_dataset(c, &v, &a);
	if (r < 0) {
		decc_chain_free(c);
		return pcli_fail(cmd);
	}
	r = lookup_schema(c, &schema, o->dataprotector ? &dp : NULL, &a);
	decc_chain_free(c);
	if (r < 0) {
		decc_chain_dataset_release(&v);
		decc_error_wrap(r, "reading the DatasetSchema of the dataset");
		return pcli_fail(cmd);
	}
	res = json_pack("{s:o, s:o, s:s, s:o, s:o}", "address", pcli_jaddr(&a), "owner",
			pcli_jaddr(&v.owner), "name", v.name ? v.name : "", "multiaddr",
			text_or_hex(&v.multiaddr), "checksum", pcli_jbytes32(v.checksum));
	decc_chain_dataset_release(&v);
	/* the schema is printed as its JSON text (a string in --json output) */
	if (res && schema)
		json_object_set_new(res, "schema", json_string(schema));
	else if (res && cli->json)
		json_object_set_new(res, "schema", json_null());
	free(schema);
	return pcli_print(cli, res);
}

static int dataset_command(struct cli *cli, int argc, char **argv)
{
	struct ds_opts o = { 0 };
	const struct opt opts[] = {
		OPT_STRING("name", &o.name),
		OPT_STRING("multiaddr", &o.multiaddr),
		OPT_STRING("checksum", &o.checksum),
		OPT_STRING("owner", &o.owner),
		OPT_STRING("user", &o.user),
		OPT_STRING("schema", &o.schema),
		OPT_STRING("dataprotector", &o.dataprotector),
		OPT_END,
	};
	struct opt_args args;
	char *pos[3];
	bool done;
	int r;

	r = cli_parse(cli, "dataset", "dataset", opts, argc - 1, argv + 1, &args, pos, 3, &done);
	if (done)
		return r;
	if (strcmp(args.pos[0], "deploy") == 0) {
		if (args.npos != 1)
			return cli_usage_error("dataset", "dataset deploy", "takes no argument");
		if (o.user)
			return cli_usage_error("dataset", "dataset deploy",
					       "--user is for show and count");
		return dataset_deploy(cli, &o);
	}
	if (args.npos != 2)
		return cli_usage_error("dataset", "dataset show", "takes one ADDR or INDEX");
	if (o.name || o.multiaddr || o.checksum || o.owner || o.schema)
		return cli_usage_error("dataset", "dataset show",
				       "--name, --multiaddr, --checksum, --owner and --schema are "
				       "for deploy");
	return dataset_show(cli, &o, args.pos[1]);
}

int cmd_dataset(struct cli *cli, int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "encrypt") == 0) /* dataset files: cmd_dataset_crypt.c */
		return cmd_dataset_encrypt(cli, argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "decrypt") == 0)
		return cmd_dataset_decrypt(cli, argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "push-secret") == 0) { /* = decc secret push-dataset */
		argv[1] = (char *)"push-dataset";
		return cmd_secret(cli, argc, argv);
	}
	if (argc > 1 && (strcmp(argv[1], "deploy") == 0 || strcmp(argv[1], "show") == 0))
		return dataset_command(cli, argc, argv);
	return pcli_asset_command(cli, 1, argc, argv); /* count: cmd_app.c */
}
