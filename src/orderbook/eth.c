/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A checker that asks the chain with eth_call (the hub, its registries and the assets), and
 * the node's book, whose eth_call is decc_ledger_call on the node's own ledger.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/abi.h"
#include "decc/error.h"
#include "decc/ledger.h"
#include "decc/poco.h"
#include "orderbook/internal.h"

struct eth_ctx {
	decc_orderbook_call_fn call;
	void *call_ctx;
	decc_address hub;
	pthread_mutex_t lock;
	bool has_registry[3];
	decc_address registry[3];   /* app, dataset, workerpool */
	struct decc_ledger *ledger; /* the node's book */
};

/* Call signature(args) on `to`; *word gets the first 32 bytes of the return data. */
static int call_word(struct eth_ctx *e, uint8_t word[32], const decc_address *to,
		     const char *signature, struct decc_abi_value *args)
{
	struct decc_buf data = DECC_BUF_INIT, ret = DECC_BUF_INIT;
	int r;

	if (args) {
		r = decc_abi_encode_call(&data, signature, args);
		decc_abi_value_free(args);
	} else { /* no argument: the selector alone */
		uint8_t sel[4];

		decc_abi_selector(sel, signature);
		r = decc_buf_append(&data, sel, 4);
	}
	if (r < 0)
		goto out;
	r = e->call(e->call_ctx, &ret, to, data.data, data.len);
	if (r < 0)
		goto out;
	if (ret.len < 32) {
		char as[43];

		decc_address_to_checksum(as, to);
		r = decc_error_set(ret.len == 0 ? DECC_ENOTFOUND : DECC_EINVAL,
				   "%s answered %zu bytes to %s (no contract there?)", as, ret.len,
				   signature);
		goto out;
	}
	memcpy(word, ret.data, 32);
out:
	decc_buf_release(&data);
	decc_buf_release(&ret);
	return r;
}

static void word_address(decc_address *out, const uint8_t w[32])
{
	memcpy(out->b, w + 12, 20);
}

static int eth_domain(void *ctx, uint8_t out[32])
{
	return call_word(ctx, out, &((struct eth_ctx *)ctx)->hub, "eip712domain_separator()", NULL);
}

static int eth_consumed(void *ctx, decc_u256 *out, const uint8_t hash[32])
{
	struct eth_ctx *e = ctx;
	uint8_t w[32];

	DECC_TRY(call_word(e, w, &e->hub, "viewConsumed(bytes32)",
			   decc_abi_tuplev(1, decc_abi_fixed_bytes(hash, 32))));
	decc_u256_from_be(out, w);
	return 0;
}

static int eth_owner(void *ctx, decc_address *out, enum decc_order_type t,
		     const decc_address *asset)
{
	static const char *const getters[3] = { "appregistry()", "datasetregistry()",
						"workerpoolregistry()" };
	struct eth_ctx *e = ctx;
	decc_address reg;
	uint8_t w[32];
	int r;

	DECC_ENSURE((unsigned)t < 3, DECC_EINVAL, "request orders have no asset");
	pthread_mutex_lock(&e->lock);
	reg = e->registry[t];
	r = e->has_registry[t] ? 1 : 0;
	pthread_mutex_unlock(&e->lock);
	if (r == 0) {
		DECC_TRY(call_word(e, w, &e->hub, getters[t], NULL));
		word_address(&reg, w);
		pthread_mutex_lock(&e->lock);
		e->registry[t] = reg;
		e->has_registry[t] = true;
		pthread_mutex_unlock(&e->lock);
	}
	DECC_TRY(call_word(e, w, &reg, "isRegistered(address)",
			   decc_abi_tuplev(1, decc_abi_address(asset))));
	if (w[31] != 1)
		return decc_error_set(DECC_ENOTFOUND, "not registered");
	r = call_word(e, w, asset, "owner()", NULL);
	if (r < 0)
		return r;
	word_address(out, w);
	return 0;
}

static int eth_ctx_new(struct eth_ctx **out, decc_orderbook_call_fn call, void *call_ctx,
		       const decc_address *hub)
{
	struct eth_ctx *e = calloc(1, sizeof(*e));

	if (!e)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	e->call = call;
	e->call_ctx = call_ctx;
	e->hub = *hub;
	pthread_mutex_init(&e->lock, NULL);
	*out = e;
	return 0;
}

/* call_ctx NULL: the call gets the eth_ctx itself (the node's ledger_call). */
static int open_eth(struct decc_orderbook **out, const char *path, decc_orderbook_call_fn call,
		    void *call_ctx, const decc_address *hub, struct decc_ledger *ledger)
{
	struct decc_orderbook_config cfg = { .path = path };
	struct eth_ctx *e = NULL;
	int r;

	DECC_ENSURE(call && hub, DECC_EINVAL, "orderbook: an eth_call function and a hub");
	DECC_TRY(eth_ctx_new(&e, call, call_ctx, hub));
	if (!call_ctx)
		e->call_ctx = e;
	e->ledger = ledger;
	cfg.checker = (struct decc_orderbook_checker){
		.asset_owner = eth_owner,
		.consumed = eth_consumed,
		.domain_separator = eth_domain,
		.ctx = e,
	};
	r = decc_orderbook_open(out, &cfg);
	if (r < 0) {
		pthread_mutex_destroy(&e->lock);
		free(e);
		return r;
	}
	ob_own_ctx(*out, e);
	return 0;
}

int decc_orderbook_open_eth(struct decc_orderbook **out, const char *path,
			    decc_orderbook_call_fn call, void *call_ctx, const decc_address *hub)
{
	DECC_ENSURE(call_ctx, DECC_EINVAL, "orderbook: the eth_call context is required");
	return open_eth(out, path, call, call_ctx, hub, NULL);
}

/* eth_call on the node's ledger (call_ctx is the eth_ctx itself). */
static int ledger_call(void *ctx, struct decc_buf *out, const decc_address *to, const uint8_t *data,
		       size_t n)
{
	struct eth_ctx *e = ctx;
	struct decc_exec_call call = { .to = *to, .data = data, .len = n, .is_static = true };
	struct decc_exec_result res;
	int r;

	decc_exec_result_init(&res);
	r = decc_ledger_call(e->ledger, &res, &call);
	if (r == 0 && !res.success) {
		struct decc_buf why = DECC_BUF_INIT;

		if (decc_abi_revert_reason(&why, res.output.data, res.output.len) == 0 && why.len)
			r = decc_error_set(DECC_EREVERT, "%s", decc_buf_str(&why));
		else
			r = decc_error_set(DECC_EREVERT, "execution reverted");
		decc_buf_release(&why);
	}
	if (r == 0)
		r = decc_buf_append(out, res.output.data, res.output.len);
	decc_exec_result_release(&res);
	return r;
}

int decc_orderbook_open_node(struct decc_orderbook **out, const char *data_dir,
			     struct decc_ledger *ledger)
{
	struct decc_poco_config pc;
	char path[4096];
	int r;

	DECC_ENSURE(data_dir && ledger, DECC_EINVAL, "orderbook: a data dir and a ledger");
	r = snprintf(path, sizeof(path), "%s/orderbook.db", data_dir);
	DECC_ENSURE(r > 0 && (size_t)r < sizeof(path), DECC_ELIMIT, "data dir path too long");
	decc_poco_config_default(&pc, decc_ledger_chain_id(ledger));
	return open_eth(out, path, ledger_call, NULL, &pc.hub, ledger);
}
