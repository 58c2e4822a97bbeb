/* SPDX-License-Identifier: Apache-2.0 */
/* decc order: hash, sign and verify PoCo orders (EIP-712, domain iExecODB / 5.0.0). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/crypto.h"
#include "decc/eip712.h"
#include "decc/error.h"
#include "decc/file.h"
#include "decc/hex.h"
#include "decc/order.h"
#include "decc/orderbook.h"
#include "cli/cli.h"
#include "cli/pococli.h"

#define PAGE "order"
#define ORDER_FILE_MAX (256 * 1024) /* a request order's params are at most 16 KiB */

struct order_opts {
	const char *order_file;
	const char *chain_id;
	const char *signer;
	const char *output;
	const char *keystore_dir;
	const char *market;				  /* publish, show */
	const char *app, *dataset, *workerpool, *request; /* match: order files */
};

/* What every order subcommand needs: the parsed order and the domain separator. */
struct order_ctx {
	const char *cmd; /* "order sign", for messages */
	struct decc_order order;
	bool has_salt;
	char *given_hash; /* "orderHash" of the input, if any (output of 'order sign') */
	uint8_t domain[32];
};

/*
 * Read and parse the order file. The "orderHash" member that 'decc order sign' adds is not an
 * order field: it is taken out here so signed orders can be fed back to hash and verify.
 */
static int load_order(struct order_ctx *c, enum decc_order_type type, const char *path)
{
	struct decc_buf text = DECC_BUF_INIT;
	const char *file = strcmp(path, "-") == 0 ? "/dev/stdin" : path;
	json_error_t jerr;
	json_t *root = NULL, *h;
	char *compact = NULL;
	int r;

	r = decc_file_read(&text, file, ORDER_FILE_MAX);
	if (r < 0) {
		r = decc_error_wrap(r, "cannot read the order");
		goto out;
	}
	root = json_loadb((const char *)text.data, text.len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		r = decc_error_set(DECC_EINVAL, "%s: malformed JSON at line %d column %d: %s", path,
				   jerr.line, jerr.column, jerr.text);
		goto out;
	}
	if (!json_is_object(root)) {
		r = decc_error_set(DECC_EINVAL, "%s: an order must be a JSON object", path);
		goto out;
	}
	h = json_object_get(root, "orderHash");
	if (h) {
		if (!json_is_string(h)) {
			r = decc_error_set(DECC_EINVAL, "%s: orderHash must be a 0x-hex string",
					   path);
			goto out;
		}
		c->given_hash = strdup(json_string_value(h));
		if (!c->given_hash) {
			r = decc_error_set(DECC_ENOMEM, "out of memory");
			goto out;
		}
		json_object_del(root, "orderHash");
	}
	compact = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!compact) {
		r = decc_error_set(DECC_ENOMEM, "out of memory");
		goto out;
	}
	r = decc_order_from_json(&c->order, &c->has_salt, type, compact, strlen(compact));
	if (r < 0)
		r = decc_error_wrap(r, "%s", path);
out:
	free(compact);
	json_decref(root);
	decc_buf_release(&text);
	return r;
}

/*
 * Parse the common arguments (TYPE, --order, --chain-id, --hub) into c. Returns CLI_EXIT_OK or
 * the exit status to return.
 */
static int order_setup(struct order_ctx *c, struct cli *cli, const struct order_opts *oo,
		       const char *type_s)
{
	struct decc_eip712_domain dom;
	enum decc_order_type type;
	decc_address hub;
	uint64_t chain_id;

	if (decc_order_type_parse(&type, type_s) < 0)
		return cli_usage_error(PAGE, c->cmd,
				       "unknown order type '%s' (app, dataset, workerpool or "
				       "request)",
				       type_s);
	if (!oo->order_file)
		return cli_usage_error(PAGE, c->cmd, "--order FILE is required");
	if (!oo->chain_id)
		return cli_usage_error(PAGE, c->cmd, "--chain-id N is required");
	if (!cli->hub)
		return cli_usage_error(PAGE, c->cmd, "--hub ADDR is required");
	if (cli_parse_u64(&chain_id, oo->chain_id) < 0)
		return cli_usage_error(PAGE, c->cmd, "--chain-id: %s", decc_error_last());
	if (decc_address_parse(&hub, cli->hub) < 0)
		return cli_usage_error(PAGE, c->cmd, "--hub: %s", decc_error_last());
	decc_order_init(&c->order, type);
	if (load_order(c, type, oo->order_file) < 0)
		return cli_fail("%s", c->cmd);
	decc_order_domain(&dom, chain_id, &hub);
	decc_eip712_domain_separator(c->domain, &dom);
	return CLI_EXIT_OK;
}

static void order_ctx_release(struct order_ctx *c)
{
	decc_order_release(&c->order);
	free(c->given_hash);
}

static int order_hash(struct cli *cli, struct order_ctx *c)
{
	uint8_t h[32];
	char hs[67];

	if (!c->has_salt)
		return cli_failx("%s: the order has no salt, so it has no hash yet (sign it with "
				 "'decc order sign', which draws one)",
				 c->cmd);
	decc_order_hash(h, c->domain, &c->order);
	decc_hex_encode(hs, h, sizeof(h), true);
	if (cli->json) {
		json_t *o = json_pack("{s:s}", "orderHash", hs);
		int r = cli_print_json(cli, o);

		json_decref(o);
		return r;
	}
	printf("%s\n", hs);
	return CLI_EXIT_OK;
}

static int order_sign(struct cli *cli, struct order_ctx *c, const struct order_opts *oo)
{
	struct decc_buf js = DECC_BUF_INIT, text = DECC_BUF_INIT;
	char hs[67], as[43], rs[43];
	uint8_t sk[32], h[32];
	decc_address addr;
	json_t *obj = NULL;
	int r, ret = CLI_EXIT_FAIL;

	if (!c->has_salt && decc_random_bytes(c->order.salt, sizeof(c->order.salt)) < 0)
		return cli_fail("%s: cannot draw a salt", c->cmd);
	if (cli_wallet_open(cli, oo->keystore_dir, sk, &addr) < 0)
		return cli_fail("%s", c->cmd);
	/* a request order is valid only when signed by its requester: catch it now */
	if (c->order.type == DECC_ORDER_REQUEST && !decc_address_eq(&addr, &c->order.requester)) {
		decc_wipe(sk, sizeof(sk));
		decc_address_to_checksum(as, &addr);
		decc_address_to_checksum(rs, &c->order.requester);
		return cli_failx("%s: the wallet %s is not the order's requester %s", c->cmd, as,
				 rs);
	}
	r = decc_order_sign(&c->order, c->domain, sk);
	decc_wipe(sk, sizeof(sk));
	if (r < 0)
		return cli_fail("%s", c->cmd);
	decc_order_hash(h, c->domain, &c->order);
	decc_hex_encode(hs, h, sizeof(h), true);
	if (decc_order_to_json(&js, &c->order) < 0) {
		cli_fail("%s", c->cmd);
		goto out;
	}
	obj = json_loadb((const char *)js.data, js.len, 0, NULL);
	if (!obj || json_object_set_new(obj, "orderHash", json_string(hs)) < 0) {
		cli_failx("%s: cannot build the signed order", c->cmd);
		goto out;
	}
	if (!oo->output) {
		ret = cli_print_json(cli, obj);
		goto out;
	}
	if (cli_json_text(&text, obj, cli->json) < 0 ||
	    decc_file_write_atomic(oo->output, text.data, text.len, 0644, DECC_FILE_REPLACE) < 0) {
		cli_fail("%s: cannot write %s", c->cmd, oo->output);
		goto out;
	}
	if (cli->json) {
		json_t *o = json_pack("{s:s, s:s}", "orderHash", hs, "output", oo->output);

		ret = cli_print_json(cli, o);
		json_decref(o);
	} else {
		printf("%s\n", hs);
		ret = CLI_EXIT_OK;
	}
out:
	json_decref(obj);
	decc_buf_release(&js);
	decc_buf_release(&text);
	return ret;
}

static int order_verify(struct cli *cli, struct order_ctx *c, const struct order_opts *oo)
{
	char hs[67], ss[43];
	decc_address signer;
	uint8_t h[32];

	if (oo->signer) {
		if (decc_address_parse(&signer, oo->signer) < 0)
			return cli_usage_error(PAGE, c->cmd, "--signer: %s", decc_error_last());
	} else if (c->order.type == DECC_ORDER_REQUEST) {
		signer = c->order.requester;
	} else {
		return cli_usage_error(PAGE, c->cmd,
				       "--signer ADDR is required (the owner of the "
				       "app, dataset or workerpool)");
	}
	if (!c->has_salt)
		return cli_failx("%s: the order has no salt", c->cmd);
	if (c->order.sign.len == 0)
		return cli_failx("%s: the order has no sign field", c->cmd);
	decc_order_hash(h, c->domain, &c->order);
	decc_hex_encode(hs, h, sizeof(h), true);
	if (c->given_hash && strcasecmp(c->given_hash, hs) != 0)
		return cli_failx("%s: invalid: orderHash %s is not the hash of this order for "
				 "this chain and hub (%s)",
				 c->cmd, c->given_hash, hs);
	decc_address_to_checksum(ss, &signer);
	if (decc_order_verify(&c->order, c->domain, &signer) < 0)
		return cli_fail("%s: invalid: not signed by %s", c->cmd, ss);
	if (cli->json) {
		json_t *o = json_pack("{s:b, s:s, s:s}", "valid", 1, "signer", ss, "orderHash", hs);
		int r = cli_print_json(cli, o);

		json_decref(o);
		return r;
	}
	printf("valid\n");
	return CLI_EXIT_OK;
}

/* ---- market and chain: publish, show, cancel, match ---- */

static int order_publish(struct cli *cli, const struct order_opts *oo, const char *type_s)
{
	struct decc_buf js = DECC_BUF_INIT, out = DECC_BUF_INIT;
	enum decc_order_type type;
	struct decc_order o;
	bool has_salt;
	char *url = NULL;
	json_t *res;
	int r;

	if (decc_order_type_parse(&type, type_s) < 0)
		return cli_usage_error(PAGE, "order publish", "%s", decc_error_last());
	if (!oo->order_file)
		return cli_usage_error(PAGE, "order publish", "--order FILE is required");
	if ((r = pcli_market_url(cli, PAGE, "order publish", oo->market, &url)) != CLI_EXIT_OK)
		return r;
	if (pcli_load_order(&o, &has_salt, type, oo->order_file) < 0) {
		free(url);
		return cli_fail("order publish");
	}
	r = decc_order_to_json(&js, &o);
	decc_order_release(&o);
	if (r == 0)
		r = decc_orderbook_client_publish(&out, url, type, decc_buf_str(&js), js.len);
	free(url);
	decc_buf_release(&js);
	if (r < 0) {
		decc_buf_release(&out);
		return cli_fail("order publish: the market refused the order");
	}
	res = json_loadb((const char *)out.data, out.len, 0, NULL);
	decc_buf_release(&out);
	if (!res)
		return cli_failx("order publish: the market answered malformed JSON");
	if (!cli->json) {
		printf("%s\n", json_string_value(json_object_get(res, "orderHash")));
		json_decref(res);
		return CLI_EXIT_OK;
	}
	json_object_del(res, "ok");
	return pcli_print(cli, res);
}

static int order_show(struct cli *cli, const struct order_opts *oo, const char *type_s,
		      const char *hash_s)
{
	struct decc_buf out = DECC_BUF_INIT;
	enum decc_order_type type;
	uint8_t h[32];
	char *url = NULL;
	json_t *res;
	int r;

	if (decc_order_type_parse(&type, type_s) < 0)
		return cli_usage_error(PAGE, "order show", "%s", decc_error_last());
	if (pcli_parse_bytes32(h, hash_s) < 0)
		return cli_usage_error(PAGE, "order show", "HASH: %s", decc_error_last());
	if ((r = pcli_market_url(cli, PAGE, "order show", oo->market, &url)) != CLI_EXIT_OK)
		return r;
	r = decc_orderbook_client_get(&out, url, h);
	free(url);
	if (r < 0) {
		decc_buf_release(&out);
		return cli_fail("order show");
	}
	res = json_loadb((const char *)out.data, out.len, 0, NULL);
	decc_buf_release(&out);
	if (!res)
		return cli_failx("order show: the market answered malformed JSON");
	if (strcmp(json_string_value(json_object_get(res, "type")) ?: "", type_s) != 0) {
		json_decref(res);
		return cli_failx("order show: %s is not a %s order", hash_s, type_s);
	}
	json_object_del(res, "ok");
	return pcli_print(cli, res);
}

static int order_cancel(struct cli *cli, const struct order_opts *oo, const char *type_s)
{
	enum decc_order_type type;
	struct decc_chain *c;
	struct decc_order o;
	uint8_t dom[32], h[32];
	bool has_salt;
	int r;

	if (decc_order_type_parse(&type, type_s) < 0)
		return cli_usage_error(PAGE, "order cancel", "%s", decc_error_last());
	if (!oo->order_file)
		return cli_usage_error(PAGE, "order cancel", "--order FILE is required");
	if (pcli_load_order(&o, &has_salt, type, oo->order_file) < 0)
		return cli_fail("order cancel");
	if (!has_salt) {
		decc_order_release(&o);
		return cli_failx("order cancel: the order has no salt: it was never signed");
	}
	if ((r = pcli_open(cli, PAGE, "order cancel", &c, true, NULL)) != CLI_EXIT_OK) {
		decc_order_release(&o);
		return r;
	}
	r = decc_chain_domain_separator(c, dom);
	if (r == 0)
		r = decc_chain_manage_order(c, &o, DECC_ORDER_OP_CLOSE, NULL, 0);
	decc_chain_free(c);
	if (r == 0)
		decc_order_hash(h, dom, &o);
	decc_order_release(&o);
	if (r < 0)
		return pcli_fail("order cancel");
	if (!cli->json) {
		char s[67];

		decc_hex_encode(s, h, 32, true);
		printf("cancelled %s\n", s);
		return CLI_EXIT_OK;
	}
	return pcli_print(cli,
			  json_pack("{s:o, s:b}", "orderHash", pcli_jbytes32(h), "cancelled", 1));
}

/*
 * matchOrders, with the deal id and volume read from the OrdersMatched log (the topic computed
 * here from the event signature).
 */
int pcli_match_orders(struct decc_chain *c, uint8_t dealid[32], decc_u256 *volume,
		      const struct decc_order *o[4])
{
	struct decc_chain_receipt rc;
	struct decc_abi_value *args;
	struct decc_order empty;
	decc_address hub;
	uint8_t topic[32];
	char sig[1024];
	int r;

	DECC_TRY(decc_chain_hub(c, &hub));
	snprintf(sig, sizeof(sig), "matchOrders(%s,%s,%s,%s)",
		 decc_chain_order_tuple_type(DECC_ORDER_APP),
		 decc_chain_order_tuple_type(DECC_ORDER_DATASET),
		 decc_chain_order_tuple_type(DECC_ORDER_WORKERPOOL),
		 decc_chain_order_tuple_type(DECC_ORDER_REQUEST));
	decc_order_init(&empty, DECC_ORDER_DATASET);
	args = decc_abi_tuplev(4, decc_chain_order_tuple(o[0]),
			       decc_chain_order_tuple(o[1] ? o[1] : &empty),
			       decc_chain_order_tuple(o[2]), decc_chain_order_tuple(o[3]));
	decc_order_release(&empty);
	if (!args)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	memset(&rc, 0, sizeof(rc));
	r = decc_chain_transact_fn(c, &rc, &hub, sig, args, NULL);
	decc_abi_value_free(args);
	if (r < 0) {
		decc_chain_receipt_release(&rc);
		return r;
	}
	decc_keccak256(topic, "OrdersMatched(bytes32,bytes32,bytes32,bytes32,bytes32,uint256)",
		       strlen("OrdersMatched(bytes32,bytes32,bytes32,bytes32,bytes32,uint256)"));
	r = decc_error_set(DECC_EINVAL, "matchOrders: no OrdersMatched event in the receipt");
	for (size_t i = 0; i < rc.logs.n; i++) {
		const struct decc_chain_log *l = &rc.logs.items[i];

		if (l->n_topics >= 1 && decc_address_eq(&l->address, &hub) &&
		    memcmp(l->topics[0], topic, 32) == 0 && l->data.len == 192) {
			memcpy(dealid, l->data.data, 32);
			decc_u256_from_be(volume, l->data.data + 160);
			r = 0;
			break;
		}
	}
	decc_chain_receipt_release(&rc);
	return r;
}

static int order_match(struct cli *cli, const struct order_opts *oo)
{
	const char *files[4] = { oo->app, oo->dataset, oo->workerpool, oo->request };
	struct decc_order orders[4];
	struct decc_chain *c;
	uint8_t dealid[32];
	decc_u256 volume;
	bool has_salt, loaded[4] = { false };
	int r = CLI_EXIT_OK;

	if (!oo->app || !oo->workerpool || !oo->request)
		return cli_usage_error(PAGE, "order match",
				       "--app, --workerpool and --request FILE are required "
				       "(--dataset too when there is one)");
	for (int i = 0; i < 4 && r == CLI_EXIT_OK; i++) {
		if (!files[i])
			continue;
		if (pcli_load_order(&orders[i], &has_salt, (enum decc_order_type)i, files[i]) < 0)
			r = cli_fail("order match");
		else
			loaded[i] = true;
	}
	if (r == CLI_EXIT_OK)
		r = pcli_open(cli, PAGE, "order match", &c, true, NULL);
	if (r == CLI_EXIT_OK) {
		const struct decc_order *four[4] = { &orders[0], loaded[1] ? &orders[1] : NULL,
						     &orders[2], &orders[3] };

		r = pcli_match_orders(c, dealid, &volume, four);
		decc_chain_free(c);
		r = r < 0 ? pcli_fail("order match") : CLI_EXIT_OK;
	}
	for (int i = 0; i < 4; i++)
		if (loaded[i])
			decc_order_release(&orders[i]);
	if (r != CLI_EXIT_OK)
		return r;
	if (!cli->json) {
		char s[67];

		decc_hex_encode(s, dealid, 32, true);
		printf("%s\n", s);
		return CLI_EXIT_OK;
	}
	return pcli_print(cli, json_pack("{s:o, s:o}", "dealid", pcli_jbytes32(dealid), "volume",
					 pcli_ju256(&volume)));
}

static int order_market(struct cli *cli, const struct order_opts *oo, struct opt_args *args)
{
	const char *sub = args->pos[0];

	if (strcmp(sub, "match") == 0) {
		if (args->npos != 1)
			return cli_usage_error(PAGE, "order match",
					       "takes no argument: the "
					       "orders are --app, --dataset, "
					       "--workerpool, --request FILE");
		return order_match(cli, oo);
	}
	if (oo->app || oo->dataset || oo->workerpool || oo->request)
		return cli_usage_error(PAGE, "order",
				       "--app/--dataset/--workerpool/--request are "
				       "for 'order match'");
	if (strcmp(sub, "show") == 0) {
		if (args->npos != 3)
			return cli_usage_error(PAGE, "order show", "expected TYPE HASH");
		return order_show(cli, oo, args->pos[1], args->pos[2]);
	}
	if (args->npos != 2)
		return cli_usage_error(PAGE, "order", "%s: expected TYPE --order FILE", sub);
	if (strcmp(sub, "publish") == 0)
		return order_publish(cli, oo, args->pos[1]);
	return order_cancel(cli, oo, args->pos[1]);
}

int cmd_order(struct cli *cli, int argc, char **argv)
{
	struct order_opts oo = { 0 };
	const struct opt opts[] = {
		OPT_STRING("order", &oo.order_file),
		OPT_STRING("chain-id", &oo.chain_id),
		OPT_STRING("signer", &oo.signer),
		OPT_STRING("output", &oo.output),
		OPT_STRING("keystore-dir", &oo.keystore_dir),
		OPT_STRING("market", &oo.market),
		OPT_STRING("app", &oo.app),
		OPT_STRING("dataset", &oo.dataset),
		OPT_STRING("workerpool", &oo.workerpool),
		OPT_STRING("request", &oo.request),
		OPT_END,
	};
	struct order_ctx c = { 0 };
	struct opt_args args;
	char *pos[3];
	const char *sub;
	char cmd[64];
	bool done;
	int r;

	r = cli_parse(cli, PAGE, "order", opts, argc - 1, argv + 1, &args, pos, 3, &done);
	if (done)
		return r;
	if (args.npos == 0)
		return cli_usage_error(PAGE, "order",
				       "missing subcommand (hash, sign, verify, publish, show, "
				       "cancel, match)");
	sub = args.pos[0];
	if (strcmp(sub, "publish") == 0 || strcmp(sub, "show") == 0 || strcmp(sub, "cancel") == 0 ||
	    strcmp(sub, "match") == 0)
		return order_market(cli, &oo, &args);
	if (oo.market || oo.app || oo.dataset || oo.workerpool || oo.request)
		return cli_usage_error(PAGE, "order",
				       "--market, --app, --dataset, --workerpool and "
				       "--request are for publish, show, cancel and "
				       "match");
	if (strcmp(sub, "hash") != 0 && strcmp(sub, "sign") != 0 && strcmp(sub, "verify") != 0)
		return cli_usage_error(PAGE, "order", "unknown subcommand '%s'", sub);
	snprintf(cmd, sizeof(cmd), "order %s", sub);
	c.cmd = cmd;
	if (args.npos != 2)
		return cli_usage_error(PAGE, cmd,
				       args.npos < 2 ? "missing the order TYPE (app, dataset, "
						       "workerpool or request)"
						     : "too many arguments");
	if (oo.signer && strcmp(sub, "verify") != 0)
		return cli_usage_error(PAGE, cmd, "--signer is only for 'order verify'");
	if (oo.output && strcmp(sub, "sign") != 0)
		return cli_usage_error(PAGE, cmd, "--output is only for 'order sign'");
	r = order_setup(&c, cli, &oo, args.pos[1]);
	if (r == CLI_EXIT_OK) {
		if (strcmp(sub, "hash") == 0)
			r = order_hash(cli, &c);
		else if (strcmp(sub, "sign") == 0)
			r = order_sign(cli, &c, &oo);
		else
			r = order_verify(cli, &c, &oo);
	}
	order_ctx_release(&c);
	return r;
}
