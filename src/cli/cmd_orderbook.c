/* SPDX-License-Identifier: Apache-2.0 */
/* decc orderbook: list the market's orders of one type, with filters (docs/cmd/decc-orderbook.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/error.h"
#include "decc/http_client.h"
#include "decc/orderbook.h"
#include "cli/pococli.h"

#define PAGE "orderbook"

struct ob_opts {
	const char *market, *app, *dataset, *workerpool, *requester, *min_volume, *tag, *max_tag;
	const char *category, *min_trust, *max_trust, *page, *page_size;
};

/* Append "&name=value" (value URL-escaped) when value is set. */
static int add(struct decc_buf *q, const char *name, const char *value)
{
	if (!value)
		return 0;
	DECC_TRY(decc_buf_appendf(q, "%s%s=", q->len ? "&" : "", name));
	return decc_http_url_escape(q, value);
}

static void print_human(enum decc_order_type t, json_t *res)
{
	json_t *orders = json_object_get(res, "orders"), *e;
	static const char *const price_key[] = { "appprice", "datasetprice", "workerpoolprice",
						 "workerpoolmaxprice" };
	size_t i;

	printf("%lld %s order(s)", (long long)json_integer_value(json_object_get(res, "count")),
	       decc_order_type_name(t));
	printf(", page %lld:\n", (long long)json_integer_value(json_object_get(res, "page")));
	json_array_foreach(orders, i, e)
	{
		json_t *o = json_object_get(e, "order");
		json_t *rem = json_object_get(e, "remaining");
		char *rs = json_dumps(rem, JSON_ENCODE_ANY);

		printf("%s  price %s  remaining %s  signer %s\n",
		       json_string_value(json_object_get(e, "orderHash")),
		       json_string_value(json_object_get(o, price_key[t]))
			   ? json_string_value(json_object_get(o, price_key[t]))
			   : "?",
		       rs ? rs : "?", json_string_value(json_object_get(e, "signer")));
		free(rs);
	}
}

int cmd_orderbook(struct cli *cli, int argc, char **argv)
{
	struct ob_opts o = { 0 };
	const struct opt opts[] = {
		OPT_STRING("market", &o.market),
		OPT_STRING("app", &o.app),
		OPT_STRING("dataset", &o.dataset),
		OPT_STRING("workerpool", &o.workerpool),
		OPT_STRING("requester", &o.requester),
		OPT_STRING("min-volume", &o.min_volume),
		OPT_STRING("tag", &o.tag),
		OPT_STRING("max-tag", &o.max_tag),
		OPT_STRING("category", &o.category),
		OPT_STRING("min-trust", &o.min_trust),
		OPT_STRING("max-trust", &o.max_trust),
		OPT_STRING("page", &o.page),
		OPT_STRING("page-size", &o.page_size),
		OPT_END,
	};
	static const char *const own[] = { "app", "dataset", "workerpool", "requester" };
	struct decc_buf q = DECC_BUF_INIT, out = DECC_BUF_INIT;
	enum decc_order_type type;
	const char **own_opt[] = { &o.app, &o.dataset, &o.workerpool, &o.requester };
	struct opt_args args;
	char *pos[2], *url = NULL;
	json_t *res;
	bool done;
	int r;

	r = cli_parse(cli, PAGE, "orderbook", opts, argc - 1, argv + 1, &args, pos, 2, &done);
	if (done)
		return r;
	if (args.npos > 0 && strcmp(args.pos[0], "requester") == 0)
		type = DECC_ORDER_REQUEST;
	else if (args.npos == 0 || decc_order_type_parse(&type, args.pos[0]) < 0)
		return cli_usage_error(PAGE, "orderbook",
				       "expected app, dataset, workerpool or requester");
	if (args.npos == 2) {
		/* the positional ADDR is the asset (the requester for requester orders) */
		if (*own_opt[type])
			return cli_usage_error(PAGE, "orderbook", "give the %s once", own[type]);
		*own_opt[type] = args.pos[1];
	} else if (type == DECC_ORDER_APP || type == DECC_ORDER_DATASET) {
		if (!*own_opt[type])
			return cli_usage_error(PAGE, "orderbook", "orderbook %s needs the %s ADDR",
					       own[type], own[type]);
	}
	if ((r = pcli_market_url(cli, PAGE, "orderbook", o.market, &url)) != CLI_EXIT_OK)
		return r;
	r = add(&q, "app", o.app);
	r = r ?: add(&q, "dataset", o.dataset);
	r = r ?: add(&q, "workerpool", o.workerpool);
	r = r ?: add(&q, "requester", o.requester);
	r = r ?: add(&q, "minVolume", o.min_volume);
	r = r ?: add(&q, "minTag", o.tag);
	r = r ?: add(&q, "maxTag", o.max_tag);
	r = r ?: add(&q, "category", o.category);
	r = r ?: add(&q, "minTrust", o.min_trust);
	r = r ?: add(&q, "maxTrust", o.max_trust);
	r = r ?: add(&q, "page", o.page);
	r = r ?: add(&q, "pageSize", o.page_size);
	if (r == 0)
		r = decc_orderbook_client_list(&out, url, type, q.len ? decc_buf_str(&q) : NULL);
	free(url);
	decc_buf_release(&q);
	if (r < 0) {
		decc_buf_release(&out);
		return cli_fail("orderbook %s", args.pos[0]);
	}
	res = json_loadb((const char *)out.data, out.len, 0, NULL);
	decc_buf_release(&out);
	if (!res)
		return cli_failx("orderbook: the market answered malformed JSON");
	json_object_del(res, "ok");
	if (cli->json) {
		r = cli_print_json(cli, res);
	} else {
		print_human(type, res);
		r = CLI_EXIT_OK;
	}
	json_decref(res);
	return r;
}
