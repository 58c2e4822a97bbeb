/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Chain state, eth_call, transactions (nonce, fees, gas, signing, receipts, revert reasons),
 * contract creation and logs.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/hex.h"
#include "internal.h"

#define ONE_GWEI 1000000000ull
#define WATCH_DEFAULT_RANGE 2000

/* ---- chain state ---- */

static int rpc_u64(struct decc_chain *c, uint64_t *out, const char *method, json_t *params)
{
	json_t *res = NULL;
	int r;

	DECC_TRY(chain_rpc(c, &res, method, params));
	r = chain_get_u64(out, res, method);
	json_decref(res);
	return r;
}

static int rpc_u256(struct decc_chain *c, decc_u256 *out, const char *method, json_t *params)
{
	json_t *res = NULL;
	int r;

	DECC_TRY(chain_rpc(c, &res, method, params));
	r = chain_get_u256(out, res, method);
	json_decref(res);
	return r;
}

int decc_chain_block_number(struct decc_chain *c, uint64_t *out)
{
	return rpc_u64(c, out, "eth_blockNumber", NULL);
}

static int latest_block(struct decc_chain *c, json_t **out)
{
	json_t *res = NULL;

	DECC_TRY(chain_rpc(c, &res, "eth_getBlockByNumber", json_pack("[s,b]", "latest", 0)));
	if (!json_is_object(res)) {
		json_decref(res);
		return decc_error_set(DECC_EINVAL, "eth_getBlockByNumber: no latest block");
	}
	*out = res;
	return 0;
}

int decc_chain_timestamp(struct decc_chain *c, uint64_t *out)
{
	json_t *b = NULL;
	int r;

	DECC_TRY(latest_block(c, &b));
	r = chain_get_u64(out, json_object_get(b, "timestamp"), "latest block timestamp");
	json_decref(b);
	return r;
}

int decc_chain_balance(struct decc_chain *c, decc_u256 *out, const decc_address *a)
{
	return rpc_u256(c, out, "eth_getBalance",
			json_pack("[o,s]", chain_json_address(a), "latest"));
}

int decc_chain_tx_count(struct decc_chain *c, uint64_t *out, const decc_address *a, bool pending)
{
	return rpc_u64(c, out, "eth_getTransactionCount",
		       json_pack("[o,s]", chain_json_address(a), pending ? "pending" : "latest"));
}

int decc_chain_code(struct decc_chain *c, struct decc_buf *out, const decc_address *a)
{
	json_t *res = NULL;
	int r;

	DECC_TRY(
	    chain_rpc(c, &res, "eth_getCode", json_pack("[o,s]", chain_json_address(a), "latest")));
	r = chain_get_hex(out, res, "eth_getCode result");
	json_decref(res);
	return r;
}

int decc_chain_increase_time(struct decc_chain *c, uint64_t seconds)
{
	json_t *res = NULL;

	if (seconds > (uint64_t)INT64_MAX)
		return decc_error_set(DECC_EINVAL, "time increase too large");
	DECC_TRY(chain_rpc(c, &res, "evm_increaseTime", json_pack("[I]", (json_int_t)seconds)));
	json_decref(res);
	res = NULL;
	DECC_TRY(chain_rpc(c, &res, "evm_mine", NULL));
	json_decref(res);
	return 0;
}

/* ---- calls ---- */

/* {from?, to?, value?, data} as eth_call and eth_estimateGas take it. */
static json_t *call_object(const struct decc_chain *c, const decc_address *to,
			   const decc_u256 *value, const uint8_t *data, size_t n, uint64_t gas)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (c->has_wallet)
		json_object_set_new(o, "from", chain_json_address(&c->from));
	if (to)
		json_object_set_new(o, "to", chain_json_address(to));
	if (value && !decc_u256_is_zero(value))
		json_object_set_new(o, "value", chain_json_quantity(value));
	if (gas)
		json_object_set_new(o, "gas", chain_json_quantity_u64(gas));
	json_object_set_new(o, "data", chain_json_hex(data, n));
	return o;
}

static int call_raw(struct decc_chain *c, struct decc_buf *out, const decc_address *to,
		    const decc_u256 *value, const uint8_t *data, size_t n, uint64_t gas,
		    uint64_t block)
{
	json_t *res = NULL, *obj = call_object(c, to, value, data, n, gas);
	int r;

	if (!obj)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	DECC_TRY(chain_rpc(c, &res, "eth_call", json_pack("[o,o]", obj, chain_json_block(block))));
	r = chain_get_hex(out, res, "eth_call result");
	json_decref(res);
	return r;
}

/* selector || args; no args (NULL) is the bare selector, as for an empty tuple. */
static int encode_call(struct decc_buf *out, const char *signature,
		       const struct decc_abi_value *args)
{
	uint8_t sel[4];

	if (args)
		return decc_abi_encode_call(out, signature, args);
	if (!strstr(signature, "()"))
		return decc_error_set(DECC_EINVAL, "%s: arguments missing", signature);
	decc_abi_selector(sel, signature);
	return decc_buf_append(out, sel, 4);
}

int decc_chain_call(struct decc_chain *c, struct decc_buf *out, const decc_address *to,
		    const uint8_t *data, size_t n, uint64_t block)
{
	return call_raw(c, out, to, NULL, data, n, 0, block);
}

int decc_chain_call_fn(struct decc_chain *c, struct decc_abi_value **out, const decc_address *to,
		       const char *signature, const struct decc_abi_value *args,
		       const char *returns)
{
	struct decc_buf data = DECC_BUF_INIT, ret = DECC_BUF_INIT;
	struct decc_abi_type *t = NULL;
	int r;

	r = encode_call(&data, signature, args);
	if (r < 0)
		goto out;
	r = decc_chain_call(c, &ret, to, data.data, data.len, DECC_CHAIN_LATEST);
	if (r < 0) {
		if (r == DECC_EREVERT)
			r = decc_error_wrap(r, "%s reverted", signature);
		goto out;
	}
	r = decc_abi_type_parse(&t, returns);
	if (r < 0)
		goto out;
	if (ret.len == 0) {
		char a[43];

		decc_address_to_checksum(a, to);
		r = decc_error_set(DECC_EINVAL,
				   "%s on %s returned no data (no contract there, or not a hub?)",
				   signature, a);
		goto out;
	}
	r = decc_abi_decode(out, t, ret.data, ret.len);
	if (r < 0)
		r = decc_error_wrap(r, "decoding the result of %s", signature);
out:
	decc_abi_type_free(t);
	decc_buf_release(&data);
	decc_buf_release(&ret);
	return r;
}

/* ---- transactions ---- */

static bool is_nonce_error(const char *msg)
{
	return strcasestr(msg, "nonce too low") || strcasestr(msg, "nonce too high") ||
	       strcasestr(msg, "invalid nonce") || strcasestr(msg, "already known") ||
	       strcasestr(msg, "replacement transaction underpriced");
}

static int fill_fees(struct decc_chain *c, struct decc_tx *tx, bool force_legacy)
{
	json_t *block = NULL, *res = NULL;
	decc_u256 base = DECC_U256_ZERO, tip = DECC_U256_ZERO, two = decc_u256_from_u64(2);
	int r;

	if (c->fee_mode == FEE_UNKNOWN || c->fee_mode == FEE_1559) {
		DECC_TRY(latest_block(c, &block));
		json_t *bf = json_object_get(block, "baseFeePerGas");

		if (bf && !json_is_null(bf)) {
			r = chain_get_u256(&base, bf, "latest block baseFeePerGas");
			json_decref(block);
			if (r < 0)
				return r;
			c->fee_mode = FEE_1559;
		} else {
			json_decref(block);
			c->fee_mode = FEE_LEGACY;
		}
	}
	if (c->fee_mode == FEE_LEGACY || force_legacy) {
		tx->type = 0;
		return rpc_u256(c, &tx->gas_price, "eth_gasPrice", NULL);
	}
	/* tip: the median reward of recent blocks, else the node's suggestion, else 1 gwei */
	if (chain_rpc(c, &res, "eth_feeHistory", json_pack("[s,s,[i]]", "0x5", "latest", 50)) ==
	    0) {
		json_t *rewards = json_object_get(res, "reward"), *row;
		size_t i;

		json_array_foreach(rewards, i, row)
		{
			decc_u256 v;

			if (chain_get_u256(&v, json_array_get(row, 0), "fee history reward") == 0 &&
			    decc_u256_cmp(&v, &tip) > 0)
				tip = v;
		}
		json_decref(res);
	}
	if (decc_u256_is_zero(&tip) && rpc_u256(c, &tip, "eth_maxPriorityFeePerGas", NULL) < 0)
		tip = decc_u256_from_u64(ONE_GWEI);
	decc_error_clear();
	tx->type = 2;
	tx->max_priority_fee = tip;
	if (decc_u256_mul(&tx->max_fee, &base, &two) ||
	    decc_u256_add(&tx->max_fee, &tx->max_fee, &tip))
		return decc_error_set(DECC_EINVAL, "base fee overflows");
	return 0;
}

static int estimate_gas(struct decc_chain *c, uint64_t *out, const decc_address *to,
			const decc_u256 *value, const uint8_t *data, size_t n)
{
	json_t *obj = call_object(c, to, value, data, n, 0);
	uint64_t g;

	if (!obj)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	DECC_TRY(rpc_u64(c, &g, "eth_estimateGas", json_pack("[o]", obj)));
	if (g > UINT64_MAX / (100 + DECC_CHAIN_GAS_MARGIN_PERCENT))
		return decc_error_set(DECC_EINVAL, "gas estimate %llu is absurd",
				      (unsigned long long)g);
	*out = g * (100 + DECC_CHAIN_GAS_MARGIN_PERCENT) / 100;
	return 0;
}

static int send_once(struct decc_chain *c, uint8_t hash[32], struct decc_tx *tx)
{
	struct decc_buf raw = DECC_BUF_INIT;
	json_t *res = NULL;
	uint8_t returned[32];
	int r;

	if (!c->has_nonce) {
		DECC_TRY(decc_chain_tx_count(c, &c->nonce, &c->from, true));
		c->has_nonce = true;
	}
	tx->nonce = c->nonce;
	tx->is_signed = false;
	DECC_TRY(decc_tx_sign(tx, c->sk));
	r = decc_tx_encode(&raw, tx);
	if (r == 0)
		r = decc_tx_hash(hash, tx);
	if (r < 0) {
		decc_buf_release(&raw);
		return r;
	}
	r = chain_rpc(c, &res, "eth_sendRawTransaction",
		      json_pack("[o]", chain_json_hex(raw.data, raw.len)));
	decc_buf_release(&raw);
	if (r < 0)
		return r;
	c->nonce++;
	r = chain_get_fixed(returned, 32, res, "eth_sendRawTransaction result");
	json_decref(res);
	if (r < 0)
		return r;
	if (memcmp(returned, hash, 32) != 0)
		return decc_error_set(DECC_EINVAL, "the node returned a transaction hash that is "
						   "not the hash of the transaction sent");
	return 0;
}

static int send_tx(struct decc_chain *c, uint8_t hash[32], uint64_t *gas_out,
		   const decc_address *to, const uint8_t *data, size_t n,
		   const struct decc_chain_txopts *opts)
{
	static const struct decc_chain_txopts none;
	struct decc_tx tx;
	int r;

	if (!opts)
		opts = &none;
	if (!c->has_wallet)
		return decc_error_set(DECC_ENOTFOUND,
				      "sending a transaction needs a wallet (--wallet FILE)");
	DECC_TRY(decc_chain_connect(c, NULL));
	decc_tx_init(&tx);
	tx.chain_id = c->chain_id;
	tx.has_to = to != NULL;
	if (to)
		tx.to = *to;
	tx.value = opts->value;
	r = decc_buf_append(&tx.data, data, n);
	if (r < 0)
		goto out;
	tx.gas = opts->gas;
	if (!tx.gas) {
		r = estimate_gas(c, &tx.gas, to, &opts->value, data, n);
		if (r < 0)
			goto out;
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		r = fill_fees(c, &tx, opts->legacy);
		if (r < 0)
			goto out;
		r = send_once(c, hash, &tx);
		if (r == 0)
			break;
		/* the local counter is unreliable now: ask the node again next time */
		c->has_nonce = false;
		if (attempt > 0 || !is_nonce_error(decc_error_last()))
			break;
	}
	if (r == 0 && gas_out)
		*gas_out = tx.gas;
out:
	decc_tx_release(&tx);
	return r;
}

int decc_chain_send(struct decc_chain *c, uint8_t tx_hash[32], const decc_address *to,
		    const uint8_t *data, size_t n, const struct decc_chain_txopts *opts)
{
	uint8_t h[32];

	DECC_TRY(send_tx(c, h, NULL, to, data, n, opts));
	memcpy(tx_hash, h, 32);
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) != 0)
		;
}

int decc_chain_wait(struct decc_chain *c, struct decc_chain_receipt *out, const uint8_t tx_hash[32],
		    unsigned timeout_ms)
{
	uint64_t deadline = now_ms() + (timeout_ms ? timeout_ms : DECC_CHAIN_RECEIPT_TIMEOUT_MS);
	char hex[67];

	decc_hex_encode(hex, tx_hash, 32, true);
	for (;;) {
		json_t *res = NULL;
		int r;

		DECC_TRY(chain_rpc(c, &res, "eth_getTransactionReceipt", json_pack("[s]", hex)));
		if (!json_is_null(res)) {
			r = chain_parse_receipt(out, res);
			json_decref(res);
			return r;
		}
		json_decref(res);
		if (now_ms() >= deadline)
			return decc_error_set(
			    DECC_EAGAIN,
			    "transaction %s not mined after %u ms (still pending;"
			    " check the node or raise the timeout)",
			    hex, timeout_ms ? timeout_ms : DECC_CHAIN_RECEIPT_TIMEOUT_MS);
		sleep_ms(c->poll_ms);
	}
}

/* Replay a failed transaction as a call at its block to learn why it reverted. */
static int revert_reason(struct decc_chain *c, const struct decc_chain_receipt *rc, uint64_t gas,
			 const decc_address *to, const decc_u256 *value, const uint8_t *data,
			 size_t n)
{
	struct decc_buf ret = DECC_BUF_INIT;
	char hex[67];
	int r;

	decc_hex_encode(hex, rc->tx_hash, 32, true);
	if (gas && rc->gas_used >= gas)
		return decc_error_set(DECC_EREVERT, "transaction %s ran out of gas (%llu)", hex,
				      (unsigned long long)gas);
	r = call_raw(c, &ret, to, value, data, n, gas, rc->block_number);
	decc_buf_release(&ret);
	if (r == DECC_EREVERT)
		return r; /* the message is the decoded reason */
	return decc_error_set(DECC_EREVERT,
			      "transaction %s reverted in block %llu (replaying it did not tell "
			      "why)",
			      hex, (unsigned long long)rc->block_number);
}

int decc_chain_transact(struct decc_chain *c, struct decc_chain_receipt *receipt,
			const decc_address *to, const uint8_t *data, size_t n,
			const struct decc_chain_txopts *opts)
{
	struct decc_chain_receipt rc;
	uint8_t hash[32];
	uint64_t gas = 0;
	int r;

	DECC_TRY(send_tx(c, hash, &gas, to, data, n, opts));
	DECC_TRY(decc_chain_wait(c, &rc, hash, opts ? opts->timeout_ms : 0));
	r = 0;
	if (!rc.status)
		r = revert_reason(c, &rc, gas, to, opts ? &opts->value : NULL, data, n);
	if (receipt)
		*receipt = rc;
	else
		decc_chain_receipt_release(&rc);
	return r;
}

int decc_chain_transact_fn(struct decc_chain *c, struct decc_chain_receipt *receipt,
			   const decc_address *to, const char *signature,
			   const struct decc_abi_value *args, const struct decc_chain_txopts *opts)
{
	struct decc_buf data = DECC_BUF_INIT;
	int r;

	r = encode_call(&data, signature, args);
	if (r == 0)
		r = decc_chain_transact(c, receipt, to, data.data, data.len, opts);
	if (r < 0) /* the function's name, not its whole signature: the error is read by people */
		r = decc_error_wrap(r, "%.*s", (int)strcspn(signature, "("), signature);
	decc_buf_release(&data);
	return r;
}

int decc_chain_deploy(struct decc_chain *c, decc_address *out, const uint8_t *code, size_t n,
		      const char *ctor_types, const struct decc_abi_value *ctor_args,
		      const struct decc_chain_txopts *opts)
{
	struct decc_buf data = DECC_BUF_INIT;
	struct decc_abi_type *t = NULL;
	struct decc_chain_receipt rc;
	int r;

	if (n == 0)
		return decc_error_set(DECC_EINVAL, "no creation code to deploy");
	r = decc_buf_append(&data, code, n);
	if (r == 0 && ctor_types) {
		r = decc_abi_type_parse(&t, ctor_types);
		if (r == 0)
			r = decc_abi_encode(&data, t, ctor_args);
		decc_abi_type_free(t);
	}
	if (r == 0)
		r = decc_chain_transact(c, &rc, NULL, data.data, data.len, opts);
	decc_buf_release(&data);
	if (r < 0)
		return r;
	if (!rc.has_contract_address) {
		decc_chain_receipt_release(&rc);
		return decc_error_set(DECC_EINVAL, "contract creation receipt has no address");
	}
	*out = rc.contract_address;
	decc_chain_receipt_release(&rc);
	return 0;
}

/* ---- logs ---- */

int decc_chain_get_logs(struct decc_chain *c, struct decc_chain_logs *out,
			const struct decc_chain_filter *f, uint64_t from, uint64_t to)
{
	json_t *o = json_object(), *topics = json_array(), *res = NULL;
	size_t last = 0;
	int r;

	if (!o || !topics) {
		json_decref(o);
		json_decref(topics);
		return decc_error_set(DECC_ENOMEM, "out of memory");
	}
	json_object_set_new(o, "fromBlock", chain_json_block(from));
	json_object_set_new(o, "toBlock", chain_json_block(to));
	if (f && f->has_address)
		json_object_set_new(o, "address", chain_json_address(&f->address));
	for (size_t i = 0; f && i < 4; i++)
		if (f->has_topic[i])
			last = i + 1;
	for (size_t i = 0; i < last; i++)
		json_array_append_new(topics, f->has_topic[i] ? chain_json_hex(f->topics[i], 32)
							      : json_null());
	json_object_set_new(o, "topics", topics);
	DECC_TRY(chain_rpc(c, &res, "eth_getLogs", json_pack("[o]", o)));
	r = chain_parse_logs(out, res);
	json_decref(res);
	return r;
}

int decc_chain_watch_poll(struct decc_chain *c, struct decc_chain_logs *out,
			  struct decc_chain_watch *w)
{
	uint64_t latest, to, range = w->max_range ? w->max_range : WATCH_DEFAULT_RANGE;
	struct decc_chain_logs l = { 0 };

	DECC_TRY(decc_chain_block_number(c, &latest));
	if (w->next_block > latest) {
		decc_chain_logs_release(out);
		return 0;
	}
	to = latest - w->next_block >= range ? w->next_block + range - 1 : latest;
	DECC_TRY(decc_chain_get_logs(c, &l, &w->filter, w->next_block, to));
	decc_chain_logs_release(out);
	*out = l;
	w->next_block = to + 1;
	return 0;
}
