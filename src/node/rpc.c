/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Ethereum JSON-RPC 2.0 methods of `decc node` (ARCHITECTURE §3). Every request is answered
 * with a result or a JSON-RPC error object; no input makes the node fail.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/abi.h"
#include "decc/error.h"
#include "decc/hex.h"
#include "node/internal.h"

#define E_PARSE -32700
#define E_INVALID_REQUEST -32600
#define E_METHOD -32601
#define E_PARAMS -32602
#define E_INTERNAL -32603
#define E_SERVER -32000
#define E_LIMIT -32005
#define E_REVERT 3

#define MAX_CALLDATA (DECC_TX_MAX_SIZE)
#define MAX_LOG_RESULTS 10000

struct rpc_err {
	int code;
	char msg[300];
	json_t *data;
};

typedef json_t *(*rpc_fn)(struct decc_node *n, json_t *params, struct rpc_err *e);

static json_t *fail(struct rpc_err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static json_t *fail(struct rpc_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	e->code = code;
	return NULL;
}

/* ---- encoding helpers ----------------------------------------------------------------- */

static json_t *qty(uint64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "0x%llx", (unsigned long long)v);
	return json_string(s);
}

static json_t *qty256(const decc_u256 *v)
{
	char s[67];

	decc_u256_to_hex(s, v);
	return json_string(s);
}

static json_t *hexdata(const uint8_t *p, size_t n)
{
	char *s;
	json_t *j;

	if (n > ((size_t)64 << 20))
		return NULL;
	s = malloc(2 * n + 3);
	if (!s)
		return NULL;
	decc_hex_encode(s, p, n, true);
	j = json_stringn(s, 2 * n + 2);
	free(s);
	return j;
}

static json_t *addr_json(const decc_address *a)
{
	return hexdata(a->b, 20);
}

/* ---- parameter parsing ---------------------------------------------------------------- */

static bool parse_qty(uint64_t *out, json_t *v)
{
	const char *s;
	uint64_t x = 0;
	size_t len;

	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
		return true;
	}
	if (!json_is_string(v))
		return false;
	s = json_string_value(v);
	len = json_string_length(v);
	if (len < 3 || len > 18 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return false;
	for (size_t i = 2; i < len; i++) {
		int d;
		char c = s[i];

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		x = x << 4 | (uint64_t)d;
	}
	*out = x;
	return true;
}

static bool parse_u256(decc_u256 *out, json_t *v)
{
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = decc_u256_from_u64((uint64_t)json_integer_value(v));
		return true;
	}
	return json_is_string(v) && json_string_length(v) <= 80 &&
	       decc_u256_parse(out, json_string_value(v)) == 0;
}

static bool parse_addr(decc_address *out, json_t *v)
{
	if (!json_is_string(v) || json_string_length(v) != 42)
		return false;
	return decc_address_parse(out, json_string_value(v)) == 0;
}

static bool parse_hash(uint8_t out[32], json_t *v)
{
	if (!json_is_string(v) || json_string_length(v) != 66)
		return false;
	return decc_hex_decode_exact(out, 32, json_string_value(v)) == 0;
}

static bool parse_data(struct decc_buf *out, json_t *v)
{
	if (!json_is_string(v))
		return false;
	return decc_hex_decode_buf(out, json_string_value(v), json_string_length(v)) == 0;
}

/* A block tag: "latest"/"pending"/"safe"/"finalized" (head), "earliest" (0), a quantity, or an
 * EIP-1898 object {"blockNumber": …}. Missing means latest. */
static bool parse_block(struct decc_node *n, uint64_t *out, json_t *v, bool *pending)
{
	const char *s;

	if (pending)
		*pending = false;
	if (!v || json_is_null(v)) {
		*out = decc_ledger_head(n->ledger);
		return true;
	}
	if (json_is_object(v))
		v = json_object_get(v, "blockNumber");
	if (!json_is_string(v))
		return parse_qty(out, v);
	s = json_string_value(v);
	if (!strcmp(s, "latest") || !strcmp(s, "safe") || !strcmp(s, "finalized") ||
	    !strcmp(s, "pending")) {
		if (pending)
			*pending = !strcmp(s, "pending");
		*out = decc_ledger_head(n->ledger);
		return true;
	}
	if (!strcmp(s, "earliest")) {
		*out = 0;
		return true;
	}
	return parse_qty(out, v);
}

static json_t *param(json_t *params, size_t i)
{
	return json_array_get(params, i);
}

/* ---- blocks, transactions, receipts ------------------------------------------------------ */

static json_t *tx_json(const struct decc_tx_info *t, const struct decc_tx *tx)
{
	json_t *o = json_object();
	decc_u256 r, s;

	if (!o)
		return NULL;
	json_object_set_new(o, "hash", hexdata(t->hash, 32));
	json_object_set_new(o, "blockHash", hexdata(t->block_hash, 32));
	json_object_set_new(o, "blockNumber", qty(t->block));
	json_object_set_new(o, "transactionIndex", qty(t->index));
	json_object_set_new(o, "from", addr_json(&t->from));
	json_object_set_new(o, "to", tx->has_to ? addr_json(&tx->to) : json_null());
	json_object_set_new(o, "nonce", qty(tx->nonce));
	json_object_set_new(o, "value", qty256(&tx->value));
	json_object_set_new(o, "gas", qty(tx->gas));
	json_object_set_new(o, "input", hexdata(tx->data.data, tx->data.len));
	json_object_set_new(o, "type", qty(tx->type));
	json_object_set_new(o, "chainId", qty(tx->chain_id));
	if (tx->type == 2) {
		json_object_set_new(o, "maxFeePerGas", qty256(&tx->max_fee));
		json_object_set_new(o, "maxPriorityFeePerGas", qty256(&tx->max_priority_fee));
		json_object_set_new(o, "gasPrice", qty256(&t->effective_gas_price));
		json_object_set_new(o, "accessList", json_array());
		json_object_set_new(o, "yParity", qty(tx->y_parity));
		json_object_set_new(o, "v", qty(tx->y_parity));
	} else {
		json_object_set_new(o, "gasPrice", qty256(&tx->gas_price));
		json_object_set_new(o, "v", qty(tx->chain_id * 2 + 35 + tx->y_parity));
	}
	decc_u256_from_be(&r, tx->r);
	decc_u256_from_be(&s, tx->s);
	json_object_set_new(o, "r", qty256(&r));
	json_object_set_new(o, "s", qty256(&s));
	return o;
}

static json_t *log_json(const struct decc_log_info *li)
{
	json_t *o = json_object(), *topics = json_array();

	if (!o || !topics) {
		json_decref(o);
		json_decref(topics);
		return NULL;
	}
	for (size_t t = 0; t < li->log.n_topics; t++)
		json_array_append_new(topics, hexdata(li->log.topics[t], 32));
	json_object_set_new(o, "address", addr_json(&li->log.address));
	json_object_set_new(o, "topics", topics);
	json_object_set_new(o, "data", hexdata(li->log.data.data, li->log.data.len));
	json_object_set_new(o, "blockNumber", qty(li->block));
	json_object_set_new(o, "blockHash", hexdata(li->block_hash, 32));
	json_object_set_new(o, "transactionHash", hexdata(li->tx_hash, 32));
	json_object_set_new(o, "transactionIndex", qty(li->tx_index));
	json_object_set_new(o, "logIndex", qty(li->log_index));
	json_object_set_new(o, "removed", json_false());
	return o;
}

static json_t *receipt_json(const struct decc_tx_info *t, const struct decc_tx *tx)
{
	json_t *o = json_object(), *logs = json_array();

	if (!o || !logs) {
		json_decref(o);
		json_decref(logs);
		return NULL;
	}
	for (size_t i = 0; i < t->n_logs; i++)
		json_array_append_new(logs, log_json(&t->logs[i]));
	json_object_set_new(o, "transactionHash", hexdata(t->hash, 32));
	json_object_set_new(o, "transactionIndex", qty(t->index));
	json_object_set_new(o, "blockHash", hexdata(t->block_hash, 32));
	json_object_set_new(o, "blockNumber", qty(t->block));
	json_object_set_new(o, "from", addr_json(&t->from));
	json_object_set_new(o, "to", tx->has_to ? addr_json(&tx->to) : json_null());
	json_object_set_new(o, "cumulativeGasUsed", qty(t->cumulative_gas_used));
	json_object_set_new(o, "gasUsed", qty(t->gas_used));
	json_object_set_new(o, "effectiveGasPrice", qty256(&t->effective_gas_price));
	json_object_set_new(o, "contractAddress", json_null());
	json_object_set_new(o, "logs", logs);
	json_object_set_new(o, "logsBloom", hexdata(t->bloom, 256));
	json_object_set_new(o, "type", qty(tx->type));
	json_object_set_new(o, "status", qty(t->success ? 1 : 0));
	return o;
}

/* Load a transaction by hash with its decoded form; ENOTFOUND when unknown. */
static int load_tx(struct decc_node *n, struct decc_tx_info *t, struct decc_tx *tx,
		   const uint8_t hash[32])
{
	int r;

	DECC_TRY(decc_ledger_tx_by_hash(n->ledger, t, hash));
	decc_tx_init(tx);
	r = decc_tx_decode(tx, t->raw.data, t->raw.len);
	if (r < 0)
		decc_tx_info_release(t);
	return r;
}

static json_t *block_json(struct decc_node *n, const struct decc_block_info *b, bool full,
			  struct rpc_err *e)
{
	static const uint8_t empty_root[32] = {
		0x56, 0xe8, 0x1f, 0x17, 0x1b, 0xcc, 0x55, 0xa6, 0xff, 0x83, 0x45,
		0xe6, 0x92, 0xc0, 0xf8, 0x6e, 0x5b, 0x48, 0xe0, 0x1b, 0x99, 0x6c,
		0xad, 0xc0, 0x01, 0x62, 0x2f, 0xb5, 0xe3, 0x63, 0xb4, 0x21,
	};
	static const uint8_t uncles[32] = {
		0x1d, 0xcc, 0x4d, 0xe8, 0xde, 0xc7, 0x5d, 0x7a, 0xab, 0x85, 0xb5,
		0x67, 0xb6, 0xcc, 0xd4, 0x1a, 0xd3, 0x12, 0x45, 0x1b, 0x94, 0x8a,
		0x74, 0x13, 0xf0, 0xa1, 0x42, 0xfd, 0x40, 0xd4, 0x93, 0x47,
	};
	uint8_t zero[32] = { 0 };
	json_t *o = json_object(), *txs = json_array();

	if (!o || !txs) {
		json_decref(o);
		json_decref(txs);
		return fail(e, E_INTERNAL, "out of memory");
	}
	for (size_t i = 0; i < b->n_txs; i++) {
		if (!full) {
			json_array_append_new(txs, hexdata(b->tx_hashes[i], 32));
		} else {
			struct decc_tx_info t;
			struct decc_tx tx;

			if (load_tx(n, &t, &tx, b->tx_hashes[i]) < 0) {
				json_decref(o);
				json_decref(txs);
				return fail(e, E_INTERNAL, "reading a transaction: %s",
					    decc_error_last());
			}
			json_array_append_new(txs, tx_json(&t, &tx));
			decc_tx_release(&tx);
			decc_tx_info_release(&t);
		}
	}
	json_object_set_new(o, "number", qty(b->number));
	json_object_set_new(o, "hash", hexdata(b->hash, 32));
	json_object_set_new(o, "parentHash", hexdata(b->parent, 32));
	json_object_set_new(o, "timestamp", qty(b->timestamp));
	json_object_set_new(o, "nonce", json_string("0x0000000000000000"));
	json_object_set_new(o, "difficulty", json_string("0x0"));
	json_object_set_new(o, "totalDifficulty", json_string("0x0"));
	json_object_set_new(o, "gasLimit", qty(DECC_LEDGER_BLOCK_GAS_LIMIT));
	json_object_set_new(o, "gasUsed", qty(b->gas_used));
	json_object_set_new(o, "baseFeePerGas", qty(DECC_LEDGER_BASE_FEE));
	json_object_set_new(o, "miner", addr_json(&DECC_ADDRESS_ZERO));
	json_object_set_new(o, "extraData", json_string("0x"));
	json_object_set_new(o, "logsBloom", hexdata(b->bloom, 256));
	json_object_set_new(o, "sha3Uncles", hexdata(uncles, 32));
	json_object_set_new(o, "mixHash", hexdata(zero, 32));
	json_object_set_new(o, "stateRoot", hexdata(zero, 32));
	json_object_set_new(o, "transactionsRoot", hexdata(b->n_txs ? b->hash : empty_root, 32));
	json_object_set_new(o, "receiptsRoot", hexdata(empty_root, 32));
	json_object_set_new(o, "size", qty(512 + 32 * b->n_txs));
	json_object_set_new(o, "uncles", json_array());
	json_object_set_new(o, "transactions", txs);
	return o;
}

/* ---- methods -------------------------------------------------------------------------- */

static json_t *m_client_version(struct decc_node *n, json_t *p, struct rpc_err *e)
{
	(void)n, (void)p, (void)e;
	return json_string("decc/" DECC_VERSION);
}

static json_t *m_chain_id(struct decc_node *n, json_t *p, struct rpc_err *e)
{
	(void)p, (void)e;
	return qty(decc_ledger_chain_id(n->ledger));
}

static json_t *m_net_version(struct decc_node *n, json_t *p, struct rpc_err *e)
{
	char s[24];

	(void)p, (void)e;
	snprintf(s, sizeof(s), "%llu", (unsigned long long)decc_ledger_chain_id(n->ledger));
	return json_string(s);
}

static json_t *m_block_number(struct decc_node *n, json_t *p, struct rpc_err *e)
{
	(void)p, (void)e;
	return qty(decc_ledger_head(n->ledger));
}

static json_t *m_gas_price(struct decc_node *n, json_t *p, struct rpc_err *e)
{
	(void)n, (void)p, (void)e;
	return qty(2 * DECC_LEDGER_BASE_FEE);
}

static json_t *m_max_priority(struct decc_node *n, json_t *p, struct rpc_err *e)
{
	(void)n, (void)p, (void)e;
	return qty(DECC_LEDGER_BASE_FEE);
}

static json_t *m_accounts(struct decc_node *n, json_t *p, struct rpc_err *e)
{
	(void)n, (void)p, (void)e;
	return json_array();
}

static json_t *m_false(struct decc_node *n, json_t *p, struct rpc_err *e)
{
	(void)n, (void)p, (void)e;
	return json_false();
}

static json_t *m_true(struct decc_node *n, json_t *p, struct rpc_err *e)
{
	(void)n, (void)p, (void)e;
	return json_true();
}

static json_t *m_get_balance(struct decc_node *n, json_t *p, struct rpc_err *e)
{
	decc_address a;
	decc_u256 bal;
	uint64_t blk;

	if (!parse_addr(&a, param(p, 0)))
		return fail(e, E_PARAMS, "invalid params: expected an address");
	if (!parse_block(n, &blk, param(p, 1), NULL))
		return fail(e, E_PARAMS, "invalid params: bad block tag");
	if (decc_ledger_account(n->ledger, &bal, NULL, &a) < 0)
		return fail(e, E_INTERNAL, "%s", decc_error_last());
	return qty256(&bal);
}

static json_t *m_get_tx_count(struct decc_node *n, json_t *p, struct rpc_err *e)
{
	decc_address a;
	uint64_t blk, nonce;
	bool pending;
	int r;

	if (!parse_addr(&a, param(p, 0)))
		return fail(e, E_PARAMS, "invalid params: expected an address");
	if (!parse_block(n, &blk, param(p, 1), &pending))
		return fail(e, E_PARAMS, "invalid params: bad block tag");
	if (pending)
		r = node_pending_nonce(n, &nonce, &a);
	else
		r = decc_ledger_account(n->ledger, NULL, &nonce, &a);
	if (r < 0)
		return fail(e, E_INTERNAL, "%s", decc_error_last());
	return qty(nonce);
}

static json_t *m_get_code(struct decc_node *n, json_t *p, struct rpc_err *e)
{
	static const uint8_t marker[] = { 0xfe }; /* INVALID: native code lives in decc */
	decc_address a;
	uint64_t blk;
	bool c;

	if (!parse_addr(&a, param(p, 0)))
		return fail(e, E_PARAMS, "invalid params: expected an address");
	if (!parse_block(n, &blk, param(p, 1), NULL))
		return fail(e, E_PARAMS, "invalid params: bad block tag");
	if (decc_ledger_is_contract(n->ledger, &c, &a) < 0)
		return fail(e, E_INTERNAL, "%s", decc_error_last());
	return c ? hexdata(marker, 1) : json_string("0x");
}

static json_t *m_get_storage_at(struct decc_node *n, json_t *p, struct rpc_err *e)
{
	uint8_t zero[32] = { 0 };
	decc_address a;

	(void)n;
	if (!parse_addr(&a, param(p, 0)))
		return fail(e, E_PARAMS, "invalid params: expected an address");
	return hexdata(zero, 32); /* native contracts have no EVM storage slots */
}

/* Parse a call object shared by eth_call and eth_estimateGas. */
static bool parse_call(struct decc_exec_call *c, struct decc_buf *data, json_t *o,
		       struct rpc_err *e)
{
	json_t *v;

	memset(c, 0, sizeof(*c));
	if (!json_is_object(o))
		return fail(e, E_PARAMS, "invalid params: expected a call object"), false;
	v = json_object_get(o, "from");
	if (v && !json_is_null(v) && !parse_addr(&c->from, v))
		return fail(e, E_PARAMS, "invalid params: bad \"from\" address"), false;
	v = json_object_get(o, "to");
	if (!v || json_is_null(v))
		return fail(e, E_PARAMS,
			    "invalid params: \"to\" is required (contract creation is not "
			    "supported)"),
		       false;
	if (!parse_addr(&c->to, v))
		return fail(e, E_PARAMS, "invalid params: bad \"to\" address"), false;
	v = json_object_get(o, "input");
	if (!v || json_is_null(v))
		v = json_object_get(o, "data");
	if (v && !json_is_null(v) && !parse_data(data, v))
		return fail(e, E_PARAMS, "invalid params: \"data\" must be 0x-hex bytes (max %d)",
			    MAX_CALLDATA),
		       false;
	v = json_object_get(o, "value");
	if (v && !json_is_null(v) && !parse_u256(&c->value, v))
		return fail(e, E_PARAMS, "invalid params: bad \"value\""), false;
	c->data = data->data;
	c->len = data->len;
	return true;
}

static json_t *revert_error(struct rpc_err *e, const struct decc_exec_result *res)
{
	struct decc_buf reason = DECC_BUF_INIT;

	if (res->output.len &&
	    decc_abi_revert_reason(&reason, res->output.data, res->output.len) == 0)
		fail(e, E_REVERT, "execution reverted: %.240s", decc_buf_str(&reason));
	else
		fail(e, E_REVERT, "execution reverted");
	decc_buf_release(&reason);
	e->data = hexdata(res->output.data, res->output.len);
	return NULL;
}

static json_t *run_call(struct decc_node *n, json_t *p, struct rpc_err *e, bool estimate)
{
	struct decc_exec_result res;
	struct decc_exec_call call;
	struct decc_buf data;
	json_t *out = NULL;
	uint64_t blk;
	int r;

	decc_buf_init(&data, MAX_CALLDATA);
	decc_exec_result_init(&res);
	if (!parse_call(&call, &data, param(p, 0), e))
		goto done;
	call.is_static = !estimate;
	if (!parse_block(n, &blk, param(p, 1), NULL)) {
		fail(e, E_PARAMS, "invalid params: bad block tag");
		goto done;
	}
	r = decc_ledger_call(n->ledger, &res, &call);
	if (r == DECC_EINVAL) {
		fail(e, E_SERVER, "%s", decc_error_last());
		goto done;
	}
	if (r < 0) {
		fail(e, E_INTERNAL, "%s", decc_error_last());
		goto done;
	}
	if (!res.success) {
		revert_error(e, &res);
		goto done;
	}
	if (estimate) {
		uint64_t g = res.gas_used;
		bool c = false;

		/* Headroom for state that changes before the transaction is mined. */
		if (decc_ledger_is_contract(n->ledger, &c, &call.to) == 0 && c)
			g += g / 5;
		out = qty(g > DECC_LEDGER_BLOCK_GAS_LIMIT ? DECC_LEDGER_BLOCK_GAS_LIMIT : g);
	} else {
		out = hexdata(res.output.data, res.output.len);
	}
done:
	decc_exec_result_release(&res);
	decc_buf_release(&data);
	return out;
}

static json_t *m_call(struct decc_node *n, json_t *p, struct rpc_err *e)
{
	return run_call(n, p, e, false);
}

static json_t *m_estimate_gas(struct decc_node *n, json_t *p, struct rpc_err *e)
{
	return run_call(n, p, e, true);
}

/*
 * In a batch, every eth_sendRawTransaction is queued first (so they share a block) and
 * answered in order afterwards: the pre-pass leaves its handle or its error here.
 */
struct started_tx {
	struct pending_tx *p;
	int r;
	char why[200];
};
static _Thread_local struct started_tx *started;

static bool parse_raw(struct decc_buf *raw, json_t *p, struct rpc_err *e)
{
	decc_buf_init(raw, DECC_TX_MAX_SIZE);
	if (!parse_data(raw, param(p, 0)) || raw->len == 0) {
		fail(e, E_PARAMS,
		     "invalid params: expected the raw transaction as 0x-hex (max %d bytes)",
		     DECC_TX_MAX_SIZE);
		return false;
	}
	return true;
}

static json_t *m_send_raw(struct decc_node *n, json_t *p, struct rpc_err *e)
{
	struct decc_buf raw;
	char why[200];
	uint8_t hash[32];
	json_t *out = NULL;
	int r;

	if (started) {
		struct started_tx *st = started;

		started = NULL;
		r = st->r;
		if (r == 0)
			r = node_submit_wait(n, st->p, hash, why, sizeof(why));
		else
			snprintf(why, sizeof(why), "%s", st->why);
		if (r == 0)
			return hexdata(hash, 32);
		return why[0] ? fail(e, E_SERVER, "%s", why)
			      : fail(e, E_INTERNAL, "internal error");
	}
	if (!parse_raw(&raw, p, e))
		goto done;
	r = node_submit(n, hash, raw.data, raw.len, why, sizeof(why));
	if (r == 0)
		out = hexdata(hash, 32);
	else if (why[0])
		fail(e, E_SERVER, "%s", why);
	else
		fail(e, E_INTERNAL, "%s", decc_error_last());
done:
	decc_buf_release(&raw);
	return out;
}

static json_t *tx_lookup(struct decc_node *n, json_t *p, struct rpc_err *e, bool receipt)
{
	struct decc_tx_info t;
	struct decc_tx tx;
	uint8_t hash[32];
	json_t *out;
	int r;

	if (!parse_hash(hash, param(p, 0)))
		return fail(e, E_PARAMS, "invalid params: expected a 32-byte hash");
	r = load_tx(n, &t, &tx, hash);
	if (r == DECC_ENOTFOUND)
		return json_null();
	if (r < 0)
		return fail(e, E_INTERNAL, "%s", decc_error_last());
	out = receipt ? receipt_json(&t, &tx) : tx_json(&t, &tx);
	decc_tx_release(&tx);
	decc_tx_info_release(&t);
	return out ? out : fail(e, E_INTERNAL, "out of memory");
}

static json_t *m_get_receipt(struct decc_node *n, json_t *p, struct rpc_err *e)
{
	return tx_lookup(n, p, e, true);
}

static json_t *m_get_tx(struct decc_node *n, json_t *p, struct rpc_err *e)
{
	return tx_lookup(n, p, e, false);
}

static json_t *block_reply(struct decc_node *n, int r, struct decc_block_info *b, json_t *fullv,
			   struct rpc_err *e)
{
	json_t *out;

	if (fullv && !json_is_boolean(fullv))
		return fail(e, E_PARAMS, "invalid params: the second parameter must be a boolean");
	if (r == DECC_ENOTFOUND)
		return json_null();
	if (r < 0)
		return fail(e, E_INTERNAL, "%s", decc_error_last());
	out = block_json(n, b, json_is_true(fullv), e);
	decc_block_info_release(b);
	return out;
}

static json_t *m_block_by_number(struct decc_node *n, json_t *p, struct rpc_err *e)
{
	struct decc_block_info b;
	uint64_t num;
	int r;

	if (!parse_block(n, &num, param(p, 0), NULL))
		return fail(e, E_PARAMS, "invalid params: bad block tag");
	r = decc_ledger_block_by_number(n->ledger, &b, num);
	return block_reply(n, r, &b, param(p, 1), e);
}

static json_t *m_block_by_hash(struct decc_node *n, json_t *p, struct rpc_err *e)
{
	struct decc_block_info b;
	uint8_t hash[32];
	int r;

	if (!parse_hash(hash, param(p, 0)))
		return fail(e, E_PARAMS, "invalid params: expected a 32-byte block hash");
	r = decc_ledger_block_by_hash(n->ledger, &b, hash);
	return block_reply(n, r, &b, param(p, 1), e);
}

static json_t *m_fee_history(struct decc_node *n, json_t *p, struct rpc_err *e)
{
	uint64_t count, newest;
	json_t *o, *fees, *ratios, *rewards = NULL, *pct = param(p, 2);

	if (!parse_qty(&count, param(p, 0)) || !parse_block(n, &newest, param(p, 1), NULL))
		return fail(e, E_PARAMS, "invalid params: [blockCount, newestBlock, percentiles]");
	if (pct && !json_is_null(pct) && (!json_is_array(pct) || json_array_size(pct) > 100))
		return fail(e, E_PARAMS, "invalid params: percentiles must be an array (max 100)");
	if (count > 1024)
		count = 1024;
	if (newest > decc_ledger_head(n->ledger))
		newest = decc_ledger_head(n->ledger);
	if (count > newest + 1)
		count = newest + 1;
	o = json_object();
	fees = json_array();
	ratios = json_array();
	if (json_is_array(pct))
		rewards = json_array();
	for (uint64_t i = 0; i <= count; i++)
		json_array_append_new(fees, qty(DECC_LEDGER_BASE_FEE));
	for (uint64_t i = 0; i < count; i++) {
		json_array_append_new(ratios, json_real(0.0));
		if (rewards) {
			json_t *rw = json_array();

			for (size_t k = 0; k < json_array_size(pct); k++)
				json_array_append_new(rw, qty(DECC_LEDGER_BASE_FEE));
			json_array_append_new(rewards, rw);
		}
	}
	json_object_set_new(o, "oldestBlock", qty(newest + 1 - count));
	json_object_set_new(o, "baseFeePerGas", fees);
	json_object_set_new(o, "gasUsedRatio", ratios);
	if (rewards)
		json_object_set_new(o, "reward", rewards);
	return o;
}

/* Topics filter position: null (any), a hash, or an array of hashes/null. */
static bool parse_topic_pos(uint8_t (*store)[32], size_t *n, json_t *v)
{
	size_t i;
	json_t *x;

	*n = 0;
	if (!v || json_is_null(v))
		return true;
	if (json_is_string(v)) {
		*n = 1;
		return parse_hash(store[0], v);
	}
	if (!json_is_array(v) || json_array_size(v) > DECC_LOG_FILTER_MAX_TOPICS)
		return false;
	json_array_foreach(v, i, x)
	{
		if (json_is_null(x)) { /* [null, …] matches anything */
			*n = 0;
			return true;
		}
		if (!parse_hash(store[*n], x))
			return false;
		(*n)++;
	}
	return true;
}

static json_t *m_get_logs(struct decc_node *n, json_t *p, struct rpc_err *e)
{
	static _Thread_local uint8_t topics[4][DECC_LOG_FILTER_MAX_TOPICS][32];
	decc_address addrs[DECC_LOG_FILTER_MAX_ADDRESSES];
	struct decc_log_filter f = { 0 };
	struct decc_log_info *logs = NULL;
	json_t *o = param(p, 0), *v, *out;
	size_t nlogs = 0;
	int r;

	if (!json_is_object(o))
		return fail(e, E_PARAMS, "invalid params: expected a filter object");
	v = json_object_get(o, "blockHash");
	if (v && !json_is_null(v)) {
		struct decc_block_info b;
		uint8_t h[32];

		if (!parse_hash(h, v))
			return fail(e, E_PARAMS, "invalid params: bad blockHash");
		if (json_object_get(o, "fromBlock") || json_object_get(o, "toBlock"))
			return fail(e, E_PARAMS,
				    "invalid params: blockHash excludes fromBlock/toBlock");
		r = decc_ledger_block_by_hash(n->ledger, &b, h);
		if (r == DECC_ENOTFOUND)
			return fail(e, E_SERVER, "unknown block");
		if (r < 0)
			return fail(e, E_INTERNAL, "%s", decc_error_last());
		f.from_block = f.to_block = b.number;
		decc_block_info_release(&b);
	} else {
		if (!parse_block(n, &f.from_block, json_object_get(o, "fromBlock"), NULL) ||
		    !parse_block(n, &f.to_block, json_object_get(o, "toBlock"), NULL))
			return fail(e, E_PARAMS, "invalid params: bad fromBlock/toBlock");
		if (f.to_block > decc_ledger_head(n->ledger))
			f.to_block = decc_ledger_head(n->ledger);
		if (f.from_block <= f.to_block && f.to_block - f.from_block >= n->cfg.max_log_range)
			return fail(e, E_LIMIT,
				    "block range too large: at most %llu blocks per eth_getLogs",
				    (unsigned long long)n->cfg.max_log_range);
	}
	v = json_object_get(o, "address");
	if (json_is_string(v)) {
		if (!parse_addr(&addrs[0], v))
			return fail(e, E_PARAMS, "invalid params: bad address");
		f.n_addresses = 1;
	} else if (json_is_array(v)) {
		size_t i;
		json_t *x;

		if (json_array_size(v) > DECC_LOG_FILTER_MAX_ADDRESSES)
			return fail(e, E_LIMIT, "at most %d addresses in a filter",
				    DECC_LOG_FILTER_MAX_ADDRESSES);
		json_array_foreach(v, i, x)
		{
			if (!parse_addr(&addrs[i], x))
				return fail(e, E_PARAMS, "invalid params: bad address");
		}
		f.n_addresses = json_array_size(v);
	} else if (v && !json_is_null(v)) {
		return fail(e, E_PARAMS, "invalid params: bad address");
	}
	f.addresses = addrs;
	v = json_object_get(o, "topics");
	if (v && !json_is_null(v)) {
		if (!json_is_array(v) || json_array_size(v) > 4)
			return fail(e, E_PARAMS, "invalid params: topics must be an array of <= 4");
		for (size_t i = 0; i < json_array_size(v); i++)
			if (!parse_topic_pos(topics[i], &f.n_topics[i], json_array_get(v, i)))
				return fail(e, E_PARAMS, "invalid params: bad topic %zu", i);
	}
	for (size_t i = 0; i < 4; i++)
		f.topics[i] = (const uint8_t(*)[32])topics[i];
	f.max_results = MAX_LOG_RESULTS;
	r = decc_ledger_logs(n->ledger, &logs, &nlogs, &f);
	if (r == DECC_ELIMIT)
		return fail(e, E_LIMIT, "%s", decc_error_last());
	if (r < 0)
		return fail(e, E_INTERNAL, "%s", decc_error_last());
	out = json_array();
	for (size_t i = 0; out && i < nlogs; i++)
		json_array_append_new(out, log_json(&logs[i]));
	decc_log_infos_free(logs, nlogs);
	return out ? out : fail(e, E_INTERNAL, "out of memory");
}

static json_t *m_increase_time(struct decc_node *n, json_t *p, struct rpc_err *e)
{
	uint64_t secs, total;

	if (!parse_qty(&secs, param(p, 0)) || secs > (1ULL << 32))
		return fail(e, E_PARAMS, "invalid params: expected a number of seconds");
	if (decc_ledger_increase_time(n->ledger, secs, &total) < 0)
		return fail(e, E_SERVER, "%s", decc_error_last());
	return qty(total);
}

static json_t *m_mine(struct decc_node *n, json_t *p, struct rpc_err *e)
{
	(void)p;
	if (node_mine(n) < 0)
		return fail(e, E_SERVER, "%s", decc_error_last());
	return json_string("0x0");
}

/* ---- dispatch ------------------------------------------------------------------------- */

static const struct {
	const char *name;
	rpc_fn fn;
} methods[] = {
	{ "(other)", NULL },
	{ "web3_clientVersion", m_client_version },
	{ "eth_chainId", m_chain_id },
	{ "net_version", m_net_version },
	{ "net_listening", m_true },
	{ "eth_syncing", m_false },
	{ "eth_mining", m_true },
	{ "eth_accounts", m_accounts },
	{ "eth_blockNumber", m_block_number },
	{ "eth_gasPrice", m_gas_price },
	{ "eth_maxPriorityFeePerGas", m_max_priority },
	{ "eth_feeHistory", m_fee_history },
	{ "eth_getBalance", m_get_balance },
	{ "eth_getTransactionCount", m_get_tx_count },
	{ "eth_getCode", m_get_code },
	{ "eth_getStorageAt", m_get_storage_at },
	{ "eth_call", m_call },
	{ "eth_estimateGas", m_estimate_gas },
	{ "eth_sendRawTransaction", m_send_raw },
	{ "eth_getTransactionReceipt", m_get_receipt },
	{ "eth_getTransactionByHash", m_get_tx },
	{ "eth_getBlockByNumber", m_block_by_number },
	{ "eth_getBlockByHash", m_block_by_hash },
	{ "eth_getLogs", m_get_logs },
	{ "evm_increaseTime", m_increase_time },
	{ "evm_mine", m_mine },
};

_Static_assert(DECC_ARRAY_SIZE(methods) <= RPC_M_COUNT_, "raise RPC_M_COUNT_");

const char *rpc_method_name(size_t i)
{
	return i < DECC_ARRAY_SIZE(methods) ? methods[i].name : NULL;
}

static json_t *error_response(json_t *id, const struct rpc_err *e)
{
	json_t *o = json_object(), *err = json_object();

	json_object_set_new(err, "code", json_integer(e->code));
	json_object_set_new(err, "message", json_string(e->msg));
	if (e->data)
		json_object_set(err, "data", e->data);
	json_object_set_new(o, "jsonrpc", json_string("2.0"));
	json_object_set(o, "id", id ? id : json_null());
	json_object_set_new(o, "error", err);
	return o;
}

/* One request object; NULL for a notification. */
static json_t *handle_one(struct decc_node *n, json_t *req)
{
	struct rpc_err e = { 0 };
	json_t *id = NULL, *params, *res, *out;
	const char *name;
	size_t i;

	if (!json_is_object(req)) {
		fail(&e, E_INVALID_REQUEST, "invalid request: expected an object");
		goto error;
	}
	id = json_object_get(req, "id");
	if (id && !json_is_string(id) && !json_is_number(id) && !json_is_null(id)) {
		id = NULL;
		fail(&e, E_INVALID_REQUEST, "invalid request: id must be a string or a number");
		goto error;
	}
	if (!json_is_string(json_object_get(req, "jsonrpc")) ||
	    strcmp(json_string_value(json_object_get(req, "jsonrpc")), "2.0") != 0) {
		fail(&e, E_INVALID_REQUEST, "invalid request: \"jsonrpc\" must be \"2.0\"");
		goto error;
	}
	if (!json_is_string(json_object_get(req, "method"))) {
		fail(&e, E_INVALID_REQUEST, "invalid request: \"method\" must be a string");
		goto error;
	}
	name = json_string_value(json_object_get(req, "method"));
	params = json_object_get(req, "params");
	if (params && !json_is_array(params) && !json_is_null(params)) {
		fail(&e, E_PARAMS, "invalid params: \"params\" must be an array");
		goto error;
	}
	for (i = 1; i < DECC_ARRAY_SIZE(methods); i++)
		if (strcmp(methods[i].name, name) == 0)
			break;
	if (i == DECC_ARRAY_SIZE(methods)) {
		atomic_fetch_add(&n->rpc_calls[RPC_M_OTHER], 1);
		fail(&e, E_METHOD, "the method %.100s does not exist/is not available", name);
		goto error;
	}
	atomic_fetch_add(&n->rpc_calls[i], 1);
	res = methods[i].fn(n, params, &e);
	if (!res) {
		if (!e.code)
			fail(&e, E_INTERNAL, "internal error");
		goto error;
	}
	if (!id) { /* a notification: no response */
		json_decref(res);
		return NULL;
	}
	out = json_object();
	json_object_set_new(out, "jsonrpc", json_string("2.0"));
	json_object_set(out, "id", id);
	json_object_set_new(out, "result", res);
	return out;
error:
	atomic_fetch_add(&n->n_rpc_errors, 1);
	if (json_is_object(req) && !json_object_get(req, "id") && e.code != E_INVALID_REQUEST) {
		json_decref(e.data);
		return NULL;
	}
	out = error_response(id, &e);
	json_decref(e.data);
	return out;
}

static int append_json(struct decc_buf *out, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);
	int r;

	if (!s)
		return decc_error_set(DECC_ENOMEM, "out of memory (response)");
	r = decc_buf_append_str(out, s);
	free(s);
	return r;
}

/* Batch pre-pass: queue a well-formed eth_sendRawTransaction without waiting. */
static void prestart(struct decc_node *n, struct started_tx *st, json_t *req)
{
	struct rpc_err e = { 0 };
	struct decc_buf raw;
	json_t *m = json_object_get(req, "method"), *v = json_object_get(req, "jsonrpc");
	json_t *id = json_object_get(req, "id");

	if (!json_is_string(m) || strcmp(json_string_value(m), "eth_sendRawTransaction") != 0 ||
	    !json_is_string(v) || strcmp(json_string_value(v), "2.0") != 0 ||
	    (id && !json_is_string(id) && !json_is_number(id) && !json_is_null(id)) ||
	    !json_is_array(json_object_get(req, "params")))
		return;
	if (parse_raw(&raw, json_object_get(req, "params"), &e)) {
		st->r = node_submit_start(n, &st->p, raw.data, raw.len, st->why, sizeof(st->why));
		if (st->r < 0 && !st->why[0])
			snprintf(st->why, sizeof(st->why), "%s", decc_error_last());
	}
	decc_buf_release(&raw);
}

int decc_node_handle_body(struct decc_node *n, struct decc_buf *out, const char *body, size_t len)
{
	struct rpc_err e = { 0 };
	json_error_t jerr;
	json_t *root, *resp = NULL;
	int r = 0;

	root = json_loadb(body, len, 0, &jerr);
	if (!root) {
		fail(&e, E_PARSE, "parse error: %.200s", jerr.text);
		resp = error_response(NULL, &e);
	} else if (json_is_array(root)) {
		size_t i;
		json_t *x;

		if (json_array_size(root) == 0) {
			fail(&e, E_INVALID_REQUEST, "invalid request: empty batch");
			resp = error_response(NULL, &e);
		} else if (json_array_size(root) > n->cfg.max_batch) {
			fail(&e, E_INVALID_REQUEST, "batch too large: at most %zu requests",
			     n->cfg.max_batch);
			resp = error_response(NULL, &e);
		} else {
			struct started_tx *pre = calloc(json_array_size(root), sizeof(*pre));

			resp = json_array();
			node_hold(n, true);
			json_array_foreach(root, i, x)
			{
				if (pre)
					prestart(n, &pre[i], x);
			}
			node_hold(n, false);
			json_array_foreach(root, i, x)
			{
				json_t *one;

				started = pre && (pre[i].p || pre[i].r) ? &pre[i] : NULL;
				one = handle_one(n, x);
				if (started && started->p) /* not consumed: settle it anyway */
					(void)node_submit_wait(n, started->p, (uint8_t[32]){ 0 },
							       started->why, sizeof(started->why));
				started = NULL;
				if (one)
					json_array_append_new(resp, one);
			}
			free(pre);
			if (json_array_size(resp) == 0) {
				json_decref(resp);
				resp = NULL;
			}
		}
	} else {
		resp = handle_one(n, root);
	}
	if (resp)
		r = append_json(out, resp);
	json_decref(resp);
	json_decref(root);
	return r;
}
