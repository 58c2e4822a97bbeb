/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the PoCo commands: chain client setup, config file, market URL, output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/error.h"
#include "decc/file.h"
#include "decc/hex.h"
#include "decc/poco.h"
#include "cli/pococli.h"

#define CONFIG_MAX (64 * 1024)
#define ORDER_FILE_MAX (256 * 1024)

/* Strings of the config file live as long as the process (the options point into them). */
static json_t *config_root;

int pcli_config(struct cli *cli, const char *page, const char *cmd, const char **market)
{
	struct decc_buf text = DECC_BUF_INIT;
	json_error_t jerr;
	static const char *const keys[] = { "rpc", "hub", "wallet", "passwordFile", "market" };
	const char **dest[] = { &cli->rpc, &cli->hub, &cli->wallet, &cli->password_file, market };
	const char *k;
	json_t *v;

	if (!cli->config)
		return CLI_EXIT_OK;
	if (!config_root) {
		if (decc_file_read(&text, cli->config, CONFIG_MAX) < 0)
			return cli_fail("%s: cannot read the config file %s", cmd, cli->config);
		config_root = json_loadb((const char *)text.data, text.len, 0, &jerr);
		decc_buf_release(&text);
		if (!json_is_object(config_root))
			return cli_failx("%s: %s: not a JSON object (line %d: %s)", cmd,
					 cli->config, jerr.line, jerr.text);
	}
	json_object_foreach(config_root, k, v)
	{
		size_t i;

		for (i = 0; i < DECC_ARRAY_SIZE(keys); i++)
			if (strcmp(k, keys[i]) == 0)
				break;
		if (i == DECC_ARRAY_SIZE(keys))
			return cli_usage_error(page, cmd,
					       "%s: unknown key \"%s\" (rpc, hub, wallet, "
					       "passwordFile, market)",
					       cli->config, k);
		if (!json_is_string(v))
			return cli_usage_error(page, cmd, "%s: \"%s\" must be a string",
					       cli->config, k);
		if (dest[i] && !*dest[i])
			*dest[i] = json_string_value(v);
	}
	return CLI_EXIT_OK;
}

int pcli_open(struct cli *cli, const char *page, const char *cmd, struct decc_chain **out,
	      bool need_wallet, decc_address *me)
{
	struct decc_chain *c = NULL;
	uint64_t chain_id;
	uint8_t sk[32];
	decc_address a;
	int r;

	if ((r = pcli_config(cli, page, cmd, NULL)) != CLI_EXIT_OK)
		return r;
	if (!cli->rpc)
		return cli_usage_error(page, cmd, "missing --rpc URL (or \"rpc\" in --config)");
	if (decc_chain_new(&c, cli->rpc) < 0)
		return cli_fail("%s", cmd);
	if (need_wallet) {
		r = cli_wallet_open(cli, NULL, sk, &a);
		if (r == 0)
			r = decc_chain_set_wallet(c, sk);
		decc_wipe(sk, sizeof(sk));
		if (r < 0) {
			decc_chain_free(c);
			return cli_fail("%s: cannot open the wallet", cmd);
		}
		if (me)
			*me = a;
	}
	if (decc_chain_connect(c, &chain_id) < 0) {
		decc_chain_free(c);
		return cli_fail("%s: cannot reach the chain at %s", cmd, cli->rpc);
	}
	if (cli->hub) {
		if (decc_address_parse(&a, cli->hub) < 0) {
			decc_chain_free(c);
			return cli_usage_error(page, cmd, "--hub: %s", decc_error_last());
		}
	} else {
		struct decc_poco_config pc;

		/* decc node's hub lives at a fixed address */
		decc_poco_config_default(&pc, chain_id);
		a = pc.hub;
	}
	decc_chain_set_hub(c, &a);
	*out = c;
	return CLI_EXIT_OK;
}

int pcli_market_url(struct cli *cli, const char *page, const char *cmd, const char *market,
		    char **out)
{
	const char *from_config = NULL;
	size_t n;
	int r;

	if ((r = pcli_config(cli, page, cmd, &from_config)) != CLI_EXIT_OK)
		return r;
	if (!market)
		market = from_config;
	if (market) {
		*out = strdup(market);
	} else {
		if (!cli->rpc)
			return cli_usage_error(
			    page, cmd,
			    "missing --market URL or --rpc URL (decc node serves "
			    "the market under /market)");
		n = strlen(cli->rpc);
		while (n > 0 && cli->rpc[n - 1] == '/')
			n--;
		*out = malloc(n + sizeof("/market"));
		if (*out)
			snprintf(*out, n + sizeof("/market"), "%.*s/market", (int)n, cli->rpc);
	}
	if (!*out)
		return cli_failx("%s: out of memory", cmd);
	return CLI_EXIT_OK;
}

/* What the revert codes of matchOrders mean (reference: PoCo IexecPoco1Facet). */
static const struct {
	const char *code, *why;
} match_reasons[] = {
	{ "0x00", "the request and workerpool orders have different categories" },
	{ "0x01", "the category does not exist" },
	{ "0x02", "the request asks more trust than the workerpool order accepts" },
	{ "0x03", "the app price is above the request's appmaxprice" },
	{ "0x04", "the dataset price is above the request's datasetmaxprice" },
	{ "0x05", "the workerpool price is above the request's workerpoolmaxprice" },
	{ "0x06", "the workerpool order does not offer every tag bit asked" },
	{ "0x07", "a TEE tag is asked but the app order has no TEE bit" },
	{ "0x10", "the request's app is not the app order's app" },
	{ "0x11", "the request's dataset is not the dataset order's dataset" },
	{ "0x12", "the request's workerpool restriction excludes this workerpool" },
	{ "0x13", "the app order's dataset restriction excludes this dataset" },
	{ "0x14", "the app order's workerpool restriction excludes this workerpool" },
	{ "0x15", "the app order's requester restriction excludes this requester" },
	{ "0x16", "the dataset order's app restriction excludes this app" },
	{ "0x17", "the dataset order's workerpool restriction excludes this workerpool" },
	{ "0x18", "the dataset order's requester restriction excludes this requester" },
	{ "0x19", "the workerpool order's app restriction excludes this app" },
	{ "0x1a", "the workerpool order's dataset restriction excludes this dataset" },
	{ "0x1b", "the workerpool order's requester restriction excludes this requester" },
	{ "0x20", "the app is not registered" },
	{ "0x21", "the app order is not signed by the app owner" },
	{ "0x30", "the dataset is not registered" },
	{ "0x31", "the dataset order is not signed by the dataset owner" },
	{ "0x40", "the workerpool is not registered" },
	{ "0x41", "the workerpool order is not signed by the workerpool owner" },
	{ "0x50", "the request order is not signed by its requester" },
	{ "0x60", "one of the orders has no volume left (consumed or cancelled)" },
};

int pcli_fail(const char *cmd)
{
	const char *m = decc_error_last(), *p;

	if ((p = strstr(m, "iExecV5-matchOrders-0x")) != NULL) {
		for (size_t i = 0; i < DECC_ARRAY_SIZE(match_reasons); i++)
			if (strncmp(p + 20, match_reasons[i].code, 4) == 0)
				return cli_fail("%s: %s", cmd, match_reasons[i].why);
	}
	if (strstr(m, "Transfer amount exceeds balance"))
		return cli_fail("%s: not enough free nRLC in the escrow (deposit with 'decc "
				"account deposit')",
				cmd);
	if (strstr(m, "reverted without a reason"))
		return cli_fail("%s: the hub refused (PoCo gives no reason here: check the task "
				"status and deadlines with 'decc task show', the signer, and the "
				"free balance)",
				cmd);
	return cli_fail("%s", cmd);
}

json_t *pcli_jaddr(const decc_address *a)
{
	char s[43];

	decc_address_to_checksum(s, a);
	return json_string(s);
}

json_t *pcli_ju256(const decc_u256 *v)
{
	char s[79];

	decc_u256_to_dec(s, v);
	return json_string(s);
}

json_t *pcli_jhex(const uint8_t *p, size_t n)
{
	struct decc_buf b = DECC_BUF_INIT;
	json_t *j = NULL;

	if (decc_hex_append(&b, p, n) == 0)
		j = json_stringn(decc_buf_str(&b), b.len);
	decc_buf_release(&b);
	return j;
}

json_t *pcli_jbytes32(const uint8_t p[32])
{
	char s[67];

	decc_hex_encode(s, p, 32, true);
	return json_string(s);
}

int pcli_parse_bytes32(uint8_t out[32], const char *s)
{
	if (strncmp(s, "0x", 2) != 0 || strlen(s) != 66 || decc_hex_decode_exact(out, 32, s) < 0)
		return decc_error_set(DECC_EINVAL, "\"%.80s\" is not 0x and 64 hex digits", s);
	return 0;
}

int pcli_print(const struct cli *cli, json_t *obj)
{
	const char *k;
	json_t *v;
	int r;

	if (!obj)
		return cli_failx("out of memory building the output");
	if (cli->json) {
		r = cli_print_json(cli, obj);
		json_decref(obj);
		return r;
	}
	json_object_foreach(obj, k, v)
	{
		if (json_is_string(v)) {
			printf("%-22s %s\n", k, json_string_value(v));
		} else {
			char *s =
			    json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);

			printf("%-22s %s\n", k, s ? s : "?");
			free(s);
		}
	}
	json_decref(obj);
	return CLI_EXIT_OK;
}

int pcli_load_order(struct decc_order *o, bool *has_salt, enum decc_order_type type,
		    const char *path)
{
	struct decc_buf text = DECC_BUF_INIT;
	const char *file = strcmp(path, "-") == 0 ? "/dev/stdin" : path;
	json_error_t jerr;
	json_t *root;
	char *compact;
	int r;

	r = decc_file_read(&text, file, ORDER_FILE_MAX);
	if (r < 0)
		return decc_error_wrap(r, "cannot read the order %s", path);
	root = json_loadb((const char *)text.data, text.len, JSON_REJECT_DUPLICATES, &jerr);
	decc_buf_release(&text);
	if (!json_is_object(root)) {
		json_decref(root);
		return decc_error_set(DECC_EINVAL, "%s: not a JSON object (line %d: %s)", path,
				      jerr.line, jerr.text);
	}
	json_object_del(root, "orderHash");
	compact = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!compact)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	decc_order_init(o, type);
	r = decc_order_from_json(o, has_salt, type, compact, strlen(compact));
	free(compact);
	if (r < 0) {
		decc_order_release(o);
		return decc_error_wrap(r, "%s", path);
	}
	return 0;
}

int pcli_registry(struct decc_chain *c, int kind, decc_address *out)
{
	decc_address r[3];

	DECC_TRY(decc_chain_registries(c, &r[0], &r[1], &r[2]));
	*out = r[kind];
	return 0;
}

int pcli_asset_resolve(struct decc_chain *c, int kind, const char *arg, const decc_address *user,
		       decc_address *out)
{
	struct decc_abi_value *ret = NULL, *args;
	decc_address reg;
	uint64_t idx;
	int r;

	if (strncmp(arg, "0x", 2) == 0)
		return decc_address_parse(out, arg);
	if (cli_parse_u64(&idx, arg) < 0)
		return decc_error_set(DECC_EINVAL, "'%s' is neither an address nor an index", arg);
	DECC_ENSURE(user, DECC_EINVAL, "an INDEX needs --user ADDR (or a wallet)");
	DECC_TRY(pcli_registry(c, kind, &reg));
	args = decc_abi_tuplev(2, decc_abi_address(user), decc_abi_uint64(idx));
	if (!args)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	r = decc_chain_call_fn(c, &ret, &reg, "tokenOfOwnerByIndex(address,uint256)", args,
			       "(uint256)");
	decc_abi_value_free(args);
	if (r < 0)
		return decc_error_wrap(r, "no asset at index %llu of that user",
				       (unsigned long long)idx);
	memcpy(out->b, ret->items[0]->word + 12, 20);
	decc_abi_value_free(ret);
	return 0;
}

int pcli_asset_count(struct decc_chain *c, int kind, const decc_address *user, uint64_t *out)
{
	struct decc_abi_value *ret = NULL, *args = NULL;
	decc_address reg;
	decc_u256 v;
	int r;

	DECC_TRY(pcli_registry(c, kind, &reg));
	if (user) {
		args = decc_abi_tuplev(1, decc_abi_address(user));
		if (!args)
			return decc_error_set(DECC_ENOMEM, "out of memory");
	}
	r = decc_chain_call_fn(c, &ret, &reg, user ? "balanceOf(address)" : "totalSupply()", args,
			       "(uint256)");
	decc_abi_value_free(args);
	if (r < 0)
		return r;
	r = decc_abi_get_u256(&v, ret->items[0]);
	decc_abi_value_free(ret);
	if (r == 0 && !decc_u256_to_u64(&v, out))
		r = decc_error_set(DECC_EINVAL, "count out of range");
	return r;
}
