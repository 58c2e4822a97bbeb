/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The chain client over a scripted transport: each test lists the JSON-RPC calls it expects
 * (method + canned result or error) and checks what the client sent: nonces, fees, signed
 * transactions, replayed calls, log ranges, response limits, typed PoCo calldata.
 */
#include <jansson.h>

#include "test.h"

#include "decc/chain.h"
#include "decc/crypto.h"
#include "decc/tx.h"

/* anvil's account 0 (well-known dev key) */
#define SK "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
#define ME "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
#define HUB "0x3aa5ebb10dc797cac828524e59a333d0a371443c"
#define APPREG "0xc6e7df5e7b4f2a278906862b61205850344d4e7d"

struct step {
	const char *method;
	const char *result; /* JSON text; "HASH" = keccak of the raw transaction sent */
	const char *error;  /* JSON error object instead of a result */
};

struct mock {
	const struct step *steps;
	size_t n, pos;
	json_t *sent; /* the params of every request, in order */
	int fail_transport;
};

static int mock_transport(void *ctx, struct decc_buf *resp, const char *url, const char *req,
			  size_t n, unsigned connect_ms, unsigned timeout_ms)
{
	struct mock *m = ctx;
	json_t *r = json_loadb(req, n, 0, NULL), *params;
	const struct step *s;
	const char *method;
	char *text = NULL;
	json_int_t id;
	int rc;

	(void)url;
	(void)connect_ms;
	(void)timeout_ms;
	assert_non_null(r);
	method = json_string_value(json_object_get(r, "method"));
	id = json_integer_value(json_object_get(r, "id"));
	params = json_object_get(r, "params");
	assert_true(json_is_array(params));
	if (m->fail_transport) {
		json_decref(r);
		return decc_error_set(DECC_ERROR, "Connection refused");
	}
	if (m->pos >= m->n)
		fail_msg("unexpected call %s after the script ended", method);
	s = &m->steps[m->pos++];
	if (strcmp(method, s->method) != 0)
		fail_msg("step %zu: expected %s, got %s", m->pos - 1, s->method, method);
	json_array_append(m->sent, params);
	if (s->result && strcmp(s->result, "HASH") == 0) {
		struct decc_buf raw = DECC_BUF_INIT;
		const char *hex = json_string_value(json_array_get(params, 0));
		uint8_t h[32];
		char hh[67];

		assert_int_equal(decc_hex_decode_buf(&raw, hex, strlen(hex)), 0);
		decc_keccak256(h, raw.data, raw.len);
		decc_hex_encode(hh, h, 32, true);
		rc = decc_buf_appendf(resp, "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"result\":\"%s\"}",
				      (long long)id, hh);
		decc_buf_release(&raw);
	} else if (s->error) {
		rc = decc_buf_appendf(resp, "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"error\":%s}",
				      (long long)id, s->error);
	} else {
		rc = decc_buf_appendf(resp, "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"result\":%s}",
				      (long long)id, s->result);
	}
	free(text);
	json_decref(r);
	return rc;
}

static struct decc_chain *new_client(struct mock *m, const struct step *steps, size_t n,
				     bool wallet)
{
	struct decc_chain *c = NULL;
	uint8_t sk[32];

	memset(m, 0, sizeof(*m));
	m->steps = steps;
	m->n = n;
	m->sent = json_array();
	assert_int_equal(decc_chain_new(&c, "http://127.0.0.1:1"), 0);
	decc_chain_set_transport(c, mock_transport, m);
	decc_chain_set_poll_interval(c, 1);
	if (wallet) {
		test_unhex(sk, 32, SK);
		assert_int_equal(decc_chain_set_wallet(c, sk), 0);
	}
	return c;
}

static void end_client(struct decc_chain *c, struct mock *m)
{
	assert_int_equal(m->pos, m->n); /* every scripted call was made */
	json_decref(m->sent);
	decc_chain_free(c);
}

/* The i-th raw transaction sent, decoded. */
static void sent_tx(struct mock *m, size_t step, struct decc_tx *tx)
{
	const char *hex = json_string_value(json_array_get(json_array_get(m->sent, step), 0));
	struct decc_buf raw = DECC_BUF_INIT;

	assert_non_null(hex);
	assert_int_equal(decc_hex_decode_buf(&raw, hex, strlen(hex)), 0);
	assert_int_equal(decc_tx_decode(tx, raw.data, raw.len), 0);
	decc_buf_release(&raw);
}

static const char *sent_str(struct mock *m, size_t step, size_t idx, const char *key)
{
	json_t *p = json_array_get(json_array_get(m->sent, step), idx);

	return key ? json_string_value(json_object_get(p, key)) : json_string_value(p);
}

static void test_new_and_connect(void **state)
{
	static const struct step steps[] = { { "eth_chainId", "\"0x7a69\"", NULL } };
	struct decc_chain *c = NULL;
	struct mock m;
	uint64_t id = 0;
	decc_address a;

	(void)state;
	assert_int_equal(decc_chain_new(&c, "ftp://x"), DECC_EINVAL);
	assert_int_equal(decc_chain_new(&c, ""), DECC_EINVAL);
	assert_null(c);
	c = new_client(&m, steps, 1, false);
	assert_int_equal(decc_chain_address(c, &a), DECC_ENOTFOUND);
	assert_int_equal(decc_chain_hub(c, &a), DECC_ENOTFOUND);
	assert_int_equal(decc_chain_connect(c, &id), 0);
	assert_int_equal(id, 31337);
	id = 0;
	assert_int_equal(decc_chain_connect(c, &id), 0); /* cached: no second call */
	assert_int_equal(id, 31337);
	end_client(c, &m);
}

static void test_limits_and_transport(void **state)
{
	static const struct step steps[] = {
		{ "eth_chainId",
		  "\"0x0000000000000000000000000000000000000000000000000000000000000"
		  "0000000000000000000000000000001\"",
		  NULL },
	};
	struct decc_chain *c;
	struct mock m;
	uint64_t id = 5;

	(void)state;
	c = new_client(&m, steps, 1, false);
	decc_chain_set_max_response(c, 64);
	assert_int_equal(decc_chain_connect(c, &id), DECC_ELIMIT);
	assert_non_null(strstr(decc_error_last(), "larger than 64 bytes"));
	assert_int_equal(id, 5);
	end_client(c, &m);

	c = new_client(&m, NULL, 0, false);
	m.fail_transport = 1;
	assert_int_equal(decc_chain_connect(c, &id), DECC_ERROR);
	assert_non_null(strstr(decc_error_last(), "eth_chainId to http://127.0.0.1:1"));
	assert_non_null(strstr(decc_error_last(), "Connection refused"));
	end_client(c, &m);
}

#define BLOCK_1559 "{\"number\":\"0x5\",\"timestamp\":\"0x64\",\"baseFeePerGas\":\"0x3b9aca00\"}"
#define BLOCK_LEGACY "{\"number\":\"0x5\",\"timestamp\":\"0x64\"}"

static void test_send_1559_nonce_resync(void **state)
{
	static const struct step steps[] = {
		/* 0 */ { "eth_chainId", "\"0x7a69\"", NULL },
		/* 1 */ { "eth_estimateGas", "\"0x5208\"", NULL },
		/* 2 */ { "eth_getBlockByNumber", BLOCK_1559, NULL },
		/* 3 */ { "eth_feeHistory", "{\"reward\":[[\"0x2\"],[\"0x5\"],[\"0x1\"]]}", NULL },
		/* 4 */ { "eth_getTransactionCount", "\"0x5\"", NULL },
		/* 5 */
		{ "eth_sendRawTransaction", NULL,
		  "{\"code\":-32003,\"message\":\"nonce too low: next nonce 7, tx nonce 5\"}" },
		/* 6 */ { "eth_getBlockByNumber", BLOCK_1559, NULL },
		/* 7 */ { "eth_feeHistory", "{\"reward\":[[\"0x5\"]]}", NULL },
		/* 8 */ { "eth_getTransactionCount", "\"0x7\"", NULL },
		/* 9 */ { "eth_sendRawTransaction", "HASH", NULL },
		/* second send: the nonce comes from the local counter */
		/* 10 */ { "eth_getBlockByNumber", BLOCK_1559, NULL },
		/* 11 */ { "eth_feeHistory", "{\"reward\":[[\"0x0\"]]}", NULL },
		/* 12 */ { "eth_maxPriorityFeePerGas", "\"0x9\"", NULL },
		/* 13 */ { "eth_sendRawTransaction", "HASH", NULL },
	};
	struct decc_chain_txopts opts = { .value = decc_u256_from_u64(1000) };
	struct decc_chain *c;
	struct decc_tx tx;
	struct mock m;
	decc_address to, sender, me;
	uint8_t h[32], want[32];
	struct decc_buf raw = DECC_BUF_INIT;
	uint64_t v;

	(void)state;
	test_unhex(to.b, 20, "70997970c51812dc3a010c7d01b50e0d17dc79c8");
	c = new_client(&m, steps, DECC_ARRAY_SIZE(steps), true);
	assert_int_equal(decc_chain_send(c, h, &to, NULL, 0, &opts), 0);
	/* estimateGas got from/to/value/data */
	assert_string_equal(sent_str(&m, 1, 0, "from"), ME);
	assert_string_equal(sent_str(&m, 1, 0, "value"), "0x3e8");
	assert_string_equal(sent_str(&m, 4, 1, NULL), "pending");
	decc_tx_init(&tx);
	sent_tx(&m, 9, &tx);
	assert_int_equal(tx.type, 2);
	assert_int_equal(tx.chain_id, 31337);
	assert_int_equal(tx.nonce, 7);
	assert_int_equal(tx.gas, 21000 * 120 / 100);
	assert_true(decc_u256_to_u64(&tx.max_priority_fee, &v) && v == 5);
	assert_true(decc_u256_to_u64(&tx.max_fee, &v) && v == 2000000000ull + 5);
	assert_true(decc_u256_to_u64(&tx.value, &v) && v == 1000);
	assert_int_equal(decc_tx_sender(&sender, &tx), 0);
	assert_int_equal(decc_address_parse(&me, ME), 0);
	assert_true(decc_address_eq(&sender, &me));
	assert_int_equal(decc_tx_encode(&raw, &tx), 0);
	decc_keccak256(want, raw.data, raw.len);
	assert_memory_equal(h, want, 32);
	decc_buf_release(&raw);
	decc_tx_release(&tx);

	opts.gas = 50000;
	assert_int_equal(decc_chain_send(c, h, &to, (const uint8_t *)"\x01", 1, &opts), 0);
	decc_tx_init(&tx);
	sent_tx(&m, 13, &tx);
	assert_int_equal(tx.nonce, 8);
	assert_int_equal(tx.gas, 50000);
	assert_true(decc_u256_to_u64(&tx.max_priority_fee, &v) && v == 9);
	decc_tx_release(&tx);
	end_client(c, &m);
}

static void test_send_legacy_and_hash_check(void **state)
{
	static const struct step steps[] = {
		{ "eth_chainId", "\"0x86\"", NULL },
		{ "eth_getBlockByNumber", BLOCK_LEGACY, NULL },
		{ "eth_gasPrice", "\"0x0\"", NULL },
		{ "eth_getTransactionCount", "\"0x0\"", NULL },
		{ "eth_sendRawTransaction", "HASH", NULL },
		/* a node that returns another hash is not believed */
		{ "eth_gasPrice", "\"0x0\"", NULL },
		{ "eth_sendRawTransaction",
		  "\"0x0000000000000000000000000000000000000000000000000000000000000001\"", NULL },
		/* any other send error is returned as is, and the nonce is asked again */
		{ "eth_gasPrice", "\"0x0\"", NULL },
		{ "eth_getTransactionCount", "\"0x2\"", NULL },
		{ "eth_sendRawTransaction", NULL,
		  "{\"code\":-32000,\"message\":\"insufficient funds for gas * price + value\"}" },
	};
	struct decc_chain_txopts opts = { .gas = 21000 };
	struct decc_chain *c;
	struct decc_tx tx;
	struct mock m;
	decc_address to = DECC_ADDRESS_ZERO;
	uint8_t h[32] = { 0 }, zero[32] = { 0 };

	(void)state;
	to.b[19] = 1;
	c = new_client(&m, steps, DECC_ARRAY_SIZE(steps), true);
	assert_int_equal(decc_chain_send(c, h, &to, NULL, 0, &opts), 0);
	decc_tx_init(&tx);
	sent_tx(&m, 4, &tx);
	assert_int_equal(tx.type, 0);
	assert_int_equal(tx.chain_id, 134);
	assert_int_equal(tx.nonce, 0);
	decc_tx_release(&tx);
	memset(h, 0, 32);
	assert_int_equal(decc_chain_send(c, h, &to, NULL, 0, &opts), DECC_EINVAL);
	assert_memory_equal(h, zero, 32); /* output untouched on failure */
	assert_int_equal(decc_chain_send(c, h, &to, NULL, 0, &opts), DECC_ERROR);
	assert_non_null(strstr(decc_error_last(), "insufficient funds"));
	end_client(c, &m);

	/* without a wallet nothing is sent */
	c = new_client(&m, NULL, 0, false);
	assert_int_equal(decc_chain_send(c, h, &to, NULL, 0, &opts), DECC_ENOTFOUND);
	end_client(c, &m);
}

#define REVERT_DATA                                                                                \
	"\"0x08c379a0"                                                                             \
	"0000000000000000000000000000000000000000000000000000000000000020"                         \
	"000000000000000000000000000000000000000000000000000000000000000a"                         \
	"646563633a206e6f706500000000000000000000000000000000000000000000\""

static void test_transact_revert_replay(void **state)
{
	static const struct step steps[] = {
		{ "eth_chainId", "\"0x7a69\"", NULL },
		{ "eth_getBlockByNumber", BLOCK_LEGACY, NULL },
		{ "eth_gasPrice", "\"0x1\"", NULL },
		{ "eth_getTransactionCount", "\"0x3\"", NULL },
		{ "eth_sendRawTransaction", "HASH", NULL },
		{ "eth_getTransactionReceipt", "null", NULL }, /* pending: poll again */
		{ "eth_getTransactionReceipt",
		  "{\"transactionHash\":\"0x" /* any hash */
		  "fb86af6df997f6decdac4516f1374d337acdbddf9ac060316d1381510e9675b2\","
		  "\"blockNumber\":\"0x10\",\"gasUsed\":\"0x6000\",\"status\":\"0x0\","
		  "\"logs\":[]}",
		  NULL },
		{ "eth_call", NULL,
		  "{\"code\":3,\"message\":\"execution reverted\",\"data\":" REVERT_DATA "}" },
	};
	struct decc_chain_txopts opts = { .gas = 60000 };
	struct decc_chain_receipt rc;
	struct decc_chain *c;
	struct mock m;
	decc_address to = DECC_ADDRESS_ZERO;

	(void)state;
	to.b[0] = 0x99;
	c = new_client(&m, steps, DECC_ARRAY_SIZE(steps), true);
	memset(&rc, 0, sizeof(rc));
	assert_int_equal(decc_chain_transact(c, &rc, &to, (const uint8_t *)"\x12\x34", 2, &opts),
			 DECC_EREVERT);
	assert_string_equal(decc_error_last(), "decc: nope");
	assert_false(rc.status);
	assert_int_equal(rc.block_number, 16);
	/* the replay: same sender, target, data and gas, at the block of the receipt */
	assert_string_equal(sent_str(&m, 7, 0, "from"), ME);
	assert_string_equal(sent_str(&m, 7, 0, "data"), "0x1234");
	assert_string_equal(sent_str(&m, 7, 0, "gas"), "0xea60");
	assert_string_equal(sent_str(&m, 7, 1, NULL), "0x10");
	decc_chain_receipt_release(&rc);
	end_client(c, &m);
}

static void test_logs_watch(void **state)
{
	static const struct step steps[] = {
		{ "eth_blockNumber", "\"0x10\"", NULL },
		{ "eth_getLogs",
		  "[{\"address\":\"" HUB "\",\"topics\":[],\"data\":\"0x\",\"blockNumber\":"
		  "\"0x6\",\"logIndex\":\"0x0\"}]",
		  NULL },
		{ "eth_blockNumber", "\"0x10\"", NULL }, /* nothing new: no eth_getLogs */
		{ "eth_blockNumber", "\"0x100\"", NULL },
		{ "eth_getLogs", "[]", NULL },
		{ "eth_blockNumber", "\"0x100\"", NULL },
		{ "eth_getLogs", "{\"not\":\"an array\"}", NULL },
	};
	struct decc_chain_watch w = { .next_block = 5, .max_range = 100 };
	struct decc_chain_logs logs = { 0 };
	struct decc_chain *c;
	struct mock m;
	json_t *f;

	(void)state;
	w.filter.has_address = true;
	assert_int_equal(decc_address_parse(&w.filter.address, HUB), 0);
	w.filter.has_topic[1] = true;
	memset(w.filter.topics[1], 0xab, 32);
	c = new_client(&m, steps, DECC_ARRAY_SIZE(steps), false);
	assert_int_equal(decc_chain_watch_poll(c, &logs, &w), 0);
	assert_int_equal(logs.n, 1);
	assert_int_equal(logs.items[0].block_number, 6);
	assert_int_equal(w.next_block, 0x11);
	f = json_array_get(json_array_get(m.sent, 1), 0);
	assert_string_equal(json_string_value(json_object_get(f, "fromBlock")), "0x5");
	assert_string_equal(json_string_value(json_object_get(f, "toBlock")), "0x10");
	assert_string_equal(json_string_value(json_object_get(f, "address")), HUB);
	/* topic 0 is a wildcard, topic 1 fixed, trailing wildcards dropped */
	assert_int_equal(json_array_size(json_object_get(f, "topics")), 2);
	assert_true(json_is_null(json_array_get(json_object_get(f, "topics"), 0)));
	assert_int_equal(decc_chain_watch_poll(c, &logs, &w), 0);
	assert_int_equal(logs.n, 0);
	assert_int_equal(w.next_block, 0x11);
	/* a long way behind: one range at a time */
	assert_int_equal(decc_chain_watch_poll(c, &logs, &w), 0);
	f = json_array_get(json_array_get(m.sent, 4), 0);
	assert_string_equal(json_string_value(json_object_get(f, "toBlock")), "0x74");
	assert_int_equal(w.next_block, 0x75);
	/* a malformed answer does not move the cursor */
	assert_int_equal(decc_chain_watch_poll(c, &logs, &w), DECC_EINVAL);
	assert_int_equal(w.next_block, 0x75);
	decc_chain_logs_release(&logs);
	end_client(c, &m);
}

/* ABI-encode a tuple value as a JSON string result of eth_call. */
static char *abi_result(const char *type, struct decc_abi_value *v)
{
	struct decc_abi_type *t = NULL;
	struct decc_buf b = DECC_BUF_INIT, hex = DECC_BUF_INIT;
	char *s;

	assert_non_null(v);
	assert_int_equal(decc_abi_type_parse(&t, type), 0);
	assert_int_equal(decc_abi_encode(&b, t, v), 0);
	assert_int_equal(decc_buf_append_byte(&hex, '"'), 0);
	assert_int_equal(decc_hex_append(&hex, b.data, b.len), 0);
	assert_int_equal(decc_buf_append_byte(&hex, '"'), 0);
	s = strdup(decc_buf_str(&hex));
	decc_abi_type_free(t);
	decc_abi_value_free(v);
	decc_buf_release(&b);
	decc_buf_release(&hex);
	return s;
}

static void test_typed_views(void **state)
{
	decc_address hub;
	char *domain, *cat, *acct;
	struct decc_chain *c;
	struct decc_chain_domain d;
	struct decc_chain_category k;
	decc_u256 stake, locked;
	struct mock m;
	uint64_t v;

	(void)state;
	assert_int_equal(decc_address_parse(&hub, HUB), 0);
	domain = abi_result(
	    "((string,string,uint256,address))",
	    decc_abi_tuplev(1, decc_abi_tuplev(4, decc_abi_string("iExecODB"),
					       decc_abi_string("5.0.0"), decc_abi_uint64(31337),
					       decc_abi_address(&hub))));
	cat = abi_result(
	    "((string,string,uint256))",
	    decc_abi_tuplev(1, decc_abi_tuplev(3, decc_abi_string("XS"), decc_abi_string("{}"),
					       decc_abi_uint64(300))));
	acct = abi_result(
	    "((uint256,uint256))",
	    decc_abi_tuplev(1, decc_abi_tuplev(2, decc_abi_uint64(1000), decc_abi_uint64(30))));
	const struct step steps[] = {
		{ "eth_call", domain, NULL },
		{ "eth_call", cat, NULL },
		{ "eth_call", NULL,
		  "{\"code\":3,\"message\":\"execution reverted\",\"data\":\"0x\"}" },
		{ "eth_call", acct, NULL },
		{ "eth_call", "\"0x\"", NULL },	    /* no contract there */
		{ "eth_call", "\"0x0000\"", NULL }, /* truncated word */
	};
	c = new_client(&m, steps, DECC_ARRAY_SIZE(steps), false);
	assert_int_equal(decc_chain_domain(c, &d), DECC_ENOTFOUND); /* no hub: no call */
	decc_chain_set_hub(c, &hub);
	assert_int_equal(decc_chain_domain(c, &d), 0);
	assert_string_equal(d.name, "iExecODB");
	assert_string_equal(d.version, "5.0.0");
	assert_int_equal(d.chain_id, 31337);
	assert_true(decc_address_eq(&d.verifying_contract, &hub));
	/* the call went to the hub with the domain() selector */
	assert_string_equal(sent_str(&m, 0, 0, "to"), HUB);
	assert_string_equal(sent_str(&m, 0, 0, "data"), "0xc2fb26a6");
	assert_int_equal(decc_chain_view_category(c, &k, 0), 0);
	assert_string_equal(k.name, "XS");
	assert_string_equal(k.description, "{}");
	assert_int_equal(k.work_clock_time_ref, 300);
	decc_chain_category_release(&k);
	assert_int_equal(decc_chain_view_category(c, &k, 9), DECC_ENOTFOUND);
	assert_string_equal(
	    sent_str(&m, 2, 0, "data"),
	    "0x4f5f44ec0000000000000000000000000000000000000000000000000000000000000009");
	assert_int_equal(decc_chain_view_account(c, &stake, &locked, &hub), 0);
	assert_true(decc_u256_to_u64(&stake, &v) && v == 1000);
	assert_true(decc_u256_to_u64(&locked, &v) && v == 30);
	assert_int_equal(decc_chain_count_category(c, &v), DECC_EINVAL);
	assert_non_null(strstr(decc_error_last(), "returned no data"));
	assert_int_equal(decc_chain_count_category(c, &v), DECC_EINVAL);
	end_client(c, &m);
	free(domain);
	free(cat);
	free(acct);
}

static void test_create_app(void **state)
{
	static const char *const receipt =
	    "{\"transactionHash\":\"0xfb86af6df997f6decdac4516f1374d337acdbddf9ac060316d1381510e967"
	    "5b2\",\"blockNumber\":\"0x22\",\"gasUsed\":\"0x8de52\",\"status\":\"0x1\",\"logs\":"
	    "[{\"address\":\"" APPREG "\",\"topics\":["
	    "\"0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef\","
	    "\"0x0000000000000000000000000000000000000000000000000000000000000000\","
	    "\"0x000000000000000000000000f39fd6e51aad88f6f4ce6ab8827279cfffb92266\","
	    "\"0x0000000000000000000000006b7840179a809e06655eff8bc89426f3887d6f5d\"],"
	    "\"data\":\"0x\"}]}";
	const struct step steps[] = {
		{ "eth_call",
		  "\"0x000000000000000000000000c6e7df5e7b4f2a278906862b61205850344d4e7d\"", NULL },
		{ "eth_call",
		  "\"0x0000000000000000000000000000000000000000000000000000000000000001\"", NULL },
		{ "eth_call",
		  "\"0x0000000000000000000000000000000000000000000000000000000000000002\"", NULL },
		{ "eth_chainId", "\"0x7a69\"", NULL },
		{ "eth_estimateGas", "\"0x8de52\"", NULL },
		{ "eth_getBlockByNumber", BLOCK_LEGACY, NULL },
		{ "eth_gasPrice", "\"0x1\"", NULL },
		{ "eth_getTransactionCount", "\"0x0\"", NULL },
		{ "eth_sendRawTransaction", "HASH", NULL },
		{ "eth_getTransactionReceipt", receipt, NULL },
	};
	struct decc_chain *c;
	struct mock m;
	decc_address hub, me, app, want;
	uint8_t sum[32] = { 0 };
	struct decc_tx tx;

	(void)state;
	assert_int_equal(decc_address_parse(&hub, HUB), 0);
	assert_int_equal(decc_address_parse(&me, ME), 0);
	c = new_client(&m, steps, DECC_ARRAY_SIZE(steps), true);
	decc_chain_set_hub(c, &hub);
	assert_int_equal(decc_chain_create_app(c, &app, &me, "hello", "DOCKER",
					       (const uint8_t *)"img", 3, sum, NULL, 0),
			 0);
	assert_int_equal(decc_address_parse(&want, "0x6b7840179a809e06655eff8bc89426f3887d6f5d"),
			 0);
	assert_true(decc_address_eq(&app, &want));
	assert_string_equal(sent_str(&m, 0, 0, "data"), "0x45b637a9"); /* appregistry() */
	decc_tx_init(&tx);
	sent_tx(&m, 8, &tx);
	assert_true(tx.has_to);
	assert_bytes_hex(tx.to.b, 20, APPREG);
	assert_true(tx.data.len > 4);
	assert_bytes_hex(tx.data.data, 4, "0x3f7868ff"); /* createApp selector (poco.md §4) */
	decc_tx_release(&tx);
	end_client(c, &m);
}

/* keccak256("OrdersMatched(bytes32,bytes32,bytes32,bytes32,bytes32,uint256)"), from ethers */
#define T_MATCHED "0xd811b592ed0899225773e8933d8df64bd0b62761a9d7aad4ed5b22735f4610a4"
#define W(b) "00000000000000000000000000000000000000000000000000000000000000" b

/* matchOrders reads the deal id and the volume from the hub's OrdersMatched log */
static void test_match_orders(void **state)
{
	static const char *const data = "\"0x" W("d1") W("a1") W("00") W("b1") W("c1") W("03") "\"";
	char receipt[2048], other[2048];
	struct step steps[] = {
		{ "eth_chainId", "\"0x7a69\"", NULL },
		{ "eth_estimateGas", "\"0x100000\"", NULL },
		{ "eth_getBlockByNumber", BLOCK_LEGACY, NULL },
		{ "eth_gasPrice", "\"0x1\"", NULL },
		{ "eth_getTransactionCount", "\"0x0\"", NULL },
		{ "eth_sendRawTransaction", "HASH", NULL },
		{ "eth_getTransactionReceipt", receipt, NULL },
	};
	struct decc_order app, wp, rq;
	struct decc_chain *c;
	struct mock m;
	decc_address hub;
	uint8_t dealid[32], want[32] = { 0 };
	decc_u256 vol;
	uint64_t v;

	(void)state;
	/* an OrdersMatched-looking log of another contract first, then the hub's */
	snprintf(receipt, sizeof(receipt),
		 "{\"transactionHash\":\"0x%064x\",\"blockNumber\":\"0x22\",\"gasUsed\":"
		 "\"0x90000\",\"status\":\"0x1\",\"logs\":[{\"address\":\"" APPREG
		 "\",\"topics\":[\"" T_MATCHED "\"],\"data\":\"0x" W("ee") W("a1") W("00") W("b1")
		     W("c1") W("09") "\"},{\"address\":\"" HUB "\",\"topics\":[\"" T_MATCHED
				     "\"],\"data\":%s}]}",
		 1, data);
	assert_int_equal(decc_address_parse(&hub, HUB), 0);
	decc_order_init(&app, DECC_ORDER_APP);
	decc_order_init(&wp, DECC_ORDER_WORKERPOOL);
	decc_order_init(&rq, DECC_ORDER_REQUEST);
	c = new_client(&m, steps, DECC_ARRAY_SIZE(steps), true);
	decc_chain_set_hub(c, &hub);
	assert_int_equal(decc_chain_match_orders(c, dealid, &vol, &app, NULL, &wp, &rq), 0);
	want[31] = 0xd1;
	assert_memory_equal(dealid, want, 32);
	assert_true(decc_u256_to_u64(&vol, &v) && v == 3);
	end_client(c, &m);

	/* no OrdersMatched log from the hub: an error, not a made-up deal */
	snprintf(other, sizeof(other),
		 "{\"transactionHash\":\"0x%064x\",\"blockNumber\":\"0x22\",\"gasUsed\":"
		 "\"0x90000\",\"status\":\"0x1\",\"logs\":[{\"address\":\"" HUB
		 "\",\"topics\":[\"0x%064x\"],\"data\":%s}]}",
		 1, 7, data);
	memcpy(receipt, other, sizeof(other));
	c = new_client(&m, steps, DECC_ARRAY_SIZE(steps), true);
	decc_chain_set_hub(c, &hub);
	assert_int_equal(decc_chain_match_orders(c, dealid, &vol, &app, NULL, &wp, &rq),
			 DECC_EINVAL);
	assert_non_null(strstr(decc_error_last(), "no OrdersMatched event"));
	end_client(c, &m);
	decc_order_release(&app);
	decc_order_release(&wp);
	decc_order_release(&rq);
}

static void test_order_tuple(void **state)
{
	struct decc_order o;
	struct decc_abi_value *v;
	struct decc_abi_type *t = NULL;
	struct decc_buf b = DECC_BUF_INIT;

	(void)state;
	for (int k = DECC_ORDER_APP; k <= DECC_ORDER_REQUEST; k++) {
		decc_order_init(&o, (enum decc_order_type)k);
		v = decc_chain_order_tuple(&o);
		assert_non_null(v);
		assert_int_equal(decc_abi_type_parse(&t, decc_chain_order_tuple_type(o.type)), 0);
		decc_buf_reset(&b);
		assert_int_equal(decc_abi_encode(&b, t, v), 0);
		assert_int_equal(v->n_items, t->n_members);
		decc_abi_type_free(t);
		decc_abi_value_free(v);
		decc_order_release(&o);
	}
	decc_buf_release(&b);
	assert_null(decc_chain_order_tuple_type((enum decc_order_type)17));
}

/* ---- DataProtector ---- */

#define DP "0x36baaae8d4eb39b41331872b51796bc91875bb33" /* decc node's, lower case */
#define DSREG "0xa16e02e87b7454126e5e10d957a927a7f5b5d2be"
#define T_SCHEMA "0x37b19b8900a9b045473748167f459fa16828f33c13d71473bca4b5e52e5f4d5d"
#define DS1 "0x00000000000000000000000000000000000000d1"
#define DS2 "0x00000000000000000000000000000000000000d2"
#define DS3 "0x00000000000000000000000000000000000000d3"
#define DS4 "0x00000000000000000000000000000000000000d4"

/* Append one log object to b (comma-separated); data is a quoted JSON hex string. */
static void add_log(struct decc_buf *b, const char *address, const char *topic0,
		    const char *dataset, const char *data, unsigned block)
{
	if (b->len > 1)
		assert_int_equal(decc_buf_append_byte(b, ','), 0);
	assert_int_equal(decc_buf_appendf(b,
					  "{\"address\":\"%s\",\"topics\":[\"%s\",\"0x000000000000"
					  "000000000000%s\"],\"data\":%s,\"blockNumber\":\"0x%x\","
					  "\"logIndex\":\"0x0\",\"transactionHash\":\"0x%064x\"}",
					  address, topic0, dataset + 2, data, block, block),
			 0);
}

static char *schema_data(const char *schema)
{
	return abi_result("(string)", decc_abi_tuplev(1, decc_abi_string(schema)));
}

static void test_create_dataset_with_schema(void **state)
{
	char *data = schema_data("{\"email\":\"string\"}");
	struct decc_buf receipt = DECC_BUF_INIT, logs = DECC_BUF_INIT;
	struct decc_chain_receipt rc;
	struct decc_chain *c;
	struct mock m;
	decc_address me, ds, want, dp;
	uint8_t sum[32] = { 7 };
	struct decc_tx tx;
	char *big;

	(void)state;
	assert_int_equal(decc_buf_append_byte(&logs, '['), 0);
	/* the registry's Transfer, then DatasetSchema */
	assert_int_equal(
	    decc_buf_appendf(
		&logs,
		"{\"address\":\"" DSREG "\",\"topics\":["
		"\"0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef\","
		"\"0x%064x\",\"0x000000000000000000000000%s\",\"0x000000000000000000"
		"000000%s\"],\"data\":\"0x\"}",
		0, ME + 2, DS1 + 2),
	    0);
	add_log(&logs, DP, T_SCHEMA, DS1, data, 0x22);
	assert_int_equal(decc_buf_append_byte(&logs, ']'), 0);
	assert_int_equal(decc_buf_appendf(&receipt,
					  "{\"transactionHash\":\"0x%064x\",\"blockNumber\":"
					  "\"0x22\",\"gasUsed\":\"0x8de52\",\"status\":\"0x1\","
					  "\"logs\":%s}",
					  0xabc, decc_buf_str(&logs)),
			 0);
	{
		const struct step steps[] = {
			{ "eth_chainId", "\"0x7a69\"", NULL },
			{ "eth_estimateGas", "\"0x8de52\"", NULL },
			{ "eth_getBlockByNumber", BLOCK_LEGACY, NULL },
			{ "eth_gasPrice", "\"0x1\"", NULL },
			{ "eth_getTransactionCount", "\"0x0\"", NULL },
			{ "eth_sendRawTransaction", "HASH", NULL },
			{ "eth_getTransactionReceipt", decc_buf_str(&receipt), NULL },
			/* a duplicate: estimateGas reverts with the registry's reason */
			{ "eth_estimateGas", NULL,
			  "{\"code\":3,\"message\":\"execution reverted\",\"data\":\"0x08c379a0"
			  "0000000000000000000000000000000000000000000000000000000000000020"
			  "0000000000000000000000000000000000000000000000000000000000000019"
			  "437265617465323a204661696c6564206f6e206465706c6f7900000000000000\"}" },
			/* a contract that is no DataProtector: no DatasetSchema in the receipt */
			{ "eth_estimateGas", "\"0x8de52\"", NULL },
			{ "eth_gasPrice", "\"0x1\"", NULL }, /* legacy: known from the first */
			{ "eth_sendRawTransaction", "HASH", NULL },
			{ "eth_getTransactionReceipt",
			  "{\"transactionHash\":\"0x" /* any hash */
			  "fb86af6df997f6decdac4516f1374d337acdbddf9ac060316d1381510e9675b2\","
			  "\"blockNumber\":\"0x23\",\"gasUsed\":\"0x6000\",\"status\":\"0x1\","
			  "\"logs\":[]}",
			  NULL },
		};

		assert_int_equal(decc_address_parse(&me, ME), 0);
		c = new_client(&m, steps, DECC_ARRAY_SIZE(steps), true);
		memset(&rc, 0, sizeof(rc));
		assert_int_equal(decc_chain_create_dataset_with_schema(
				     c, &ds, &rc, NULL, &me, "my data", "{\"email\":\"string\"}",
				     (const uint8_t *)"\xa5\x03", 2, sum),
				 0);
		assert_int_equal(decc_address_parse(&want, DS1), 0);
		assert_true(decc_address_eq(&ds, &want));
		assert_int_equal(rc.block_number, 0x22);
		assert_int_equal(rc.logs.n, 2);
		decc_chain_receipt_release(&rc);
		/* sent to decc node's DataProtector with the contract's selector and arguments */
		decc_tx_init(&tx);
		sent_tx(&m, 5, &tx);
		assert_true(tx.has_to);
		assert_bytes_hex(tx.to.b, 20, DP);
		decc_chain_dataprotector_decc(&dp);
		assert_bytes_hex(dp.b, 20, DP);
		assert_int_equal(decc_address_parse(&want, DECC_CHAIN_DATAPROTECTOR_DECC), 0);
		assert_true(decc_address_eq(&dp, &want));
		assert_bytes_hex(tx.data.data, 4, "0x167fbf5f");
		{
			struct decc_abi_value *v = NULL;

			assert_int_equal(decc_abi_decode_call(&v,
							      "createDatasetWithSchema(address,"
							      "string,string,bytes,bytes32)",
							      tx.data.data, tx.data.len),
					 0);
			assert_bytes_hex(v->items[0]->word + 12, 20, ME);
			assert_int_equal(v->items[1]->bytes.len, 7);
			assert_memory_equal(v->items[2]->bytes.data, "{\"email\":\"string\"}", 18);
			assert_int_equal(v->items[3]->bytes.len, 2);
			assert_memory_equal(v->items[4]->word, sum, 32);
			decc_abi_value_free(v);
		}
		decc_tx_release(&tx);
		/* the revert reason comes back in words; *out untouched */
		ds = DECC_ADDRESS_ZERO;
		assert_int_equal(
		    decc_chain_create_dataset_with_schema(c, &ds, NULL, NULL, &me, "my data", "{}",
							  (const uint8_t *)"\xa5\x03", 2, sum),
		    DECC_EREVERT);
		assert_non_null(strstr(decc_error_last(), "Create2: Failed on deploy"));
		assert_true(decc_address_is_zero(&ds));
		/* an explicit address is used as given */
		assert_int_equal(decc_address_parse(&dp, HUB), 0);
		assert_int_equal(decc_chain_create_dataset_with_schema(c, &ds, NULL, &dp, &me, "x",
								       "{}", NULL, 0, sum),
				 DECC_EINVAL);
		assert_non_null(strstr(decc_error_last(), "DatasetSchema"));
		assert_true(decc_address_is_zero(&ds));
		decc_tx_init(&tx);
		sent_tx(&m, 10, &tx);
		assert_bytes_hex(tx.to.b, 20, HUB);
		decc_tx_release(&tx);
		/* an oversize schema is refused before anything is sent */
		big = malloc(DECC_CHAIN_SCHEMA_MAX + 2);
		assert_non_null(big);
		memset(big, 'x', DECC_CHAIN_SCHEMA_MAX + 1);
		big[DECC_CHAIN_SCHEMA_MAX + 1] = 0;
		assert_int_equal(decc_chain_create_dataset_with_schema(c, &ds, NULL, NULL, &me, "x",
								       big, NULL, 0, sum),
				 DECC_ELIMIT);
		free(big);
		end_client(c, &m);
	}
	decc_buf_release(&receipt);
	decc_buf_release(&logs);
	free(data);
}

static void test_dataset_schemas(void **state)
{
	char *d1 = schema_data("{\"a\":\"bool\"}"), *d2 = schema_data("{\"b\":\"f64\"}");
	char *dnul = schema_data("");
	struct decc_buf p1 = DECC_BUF_INIT, p2 = DECC_BUF_INIT, p3 = DECC_BUF_INIT;
	struct decc_chain_schema_query q = { .to_block = DECC_CHAIN_LATEST,
					     .max_count = 2,
					     .max_range = 10 };
	struct decc_chain_dataset_schemas out = { 0 };
	struct decc_chain *c;
	struct mock m;
	json_t *f;

	(void)state;
	/* page [0, 9]: one good log, then malformed ones that are skipped */
	assert_int_equal(decc_buf_append_byte(&p1, '['), 0);
	add_log(&p1, DP, T_SCHEMA, DS1, d1, 3);
	add_log(&p1, DP, T_SCHEMA, DS2, "\"0x\"", 4);		      /* no ABI string */
	add_log(&p1, DP, T_SCHEMA, DS2, "\"0x0000000000000020\"", 4); /* truncated */
	add_log(&p1, HUB, T_SCHEMA, DS2, d1, 5);		      /* another emitter */
	add_log(&p1, DP, T_SCHEMA, DS2, d1, 5);
	assert_int_equal(decc_buf_append_byte(&p1, ']'), 0);
	/* page [10, 19]: two logs in block 12, which pass max_count 2 with the first ones */
	assert_int_equal(decc_buf_append_byte(&p2, '['), 0);
	add_log(&p2, DP, T_SCHEMA, DS3, d2, 12);
	add_log(&p2, DP, T_SCHEMA, DS4, d2, 12);
	assert_int_equal(decc_buf_append_byte(&p2, ']'), 0);
	/* page of block 12 alone with max_count 1 */
	assert_int_equal(decc_buf_append_byte(&p3, '['), 0);
	add_log(&p3, DP, T_SCHEMA, DS3, d2, 12);
	add_log(&p3, DP, T_SCHEMA, DS4, d2, 12);
	add_log(&p3, DP, T_SCHEMA, DS1, dnul, 13);
	assert_int_equal(decc_buf_append_byte(&p3, ']'), 0);
	{
		const struct step steps[] = {
			{ "eth_blockNumber", "\"0x19\"", NULL },
			{ "eth_getLogs", decc_buf_str(&p1), NULL },
			{ "eth_getLogs", decc_buf_str(&p2), NULL },
			/* second call, from block 12 */
			{ "eth_getLogs", decc_buf_str(&p3), NULL },
			{ "eth_getLogs", "[]", NULL },
			{ "eth_getLogs", "[]", NULL },
			/* third call: max_count 1, block 12 alone passes it */
			{ "eth_getLogs", decc_buf_str(&p3), NULL },
		};

		c = new_client(&m, steps, DECC_ARRAY_SIZE(steps), false);
		assert_int_equal(decc_chain_dataset_schemas(c, &out, &q), 0);
		/* DS1 (block 3) and DS2 (block 5); the malformed and foreign ones skipped... */
		assert_int_equal(out.n, 2);
		assert_string_equal(out.items[0].schema, "{\"a\":\"bool\"}");
		assert_int_equal(out.items[0].block_number, 3);
		assert_bytes_hex(out.items[0].dataset.b, 20, DS1);
		assert_bytes_hex(out.items[1].dataset.b, 20, DS2);
		assert_int_equal(out.items[1].block_number, 5);
		assert_int_equal(out.skipped, 3);
		/* ...then block 12 did not fit: the page stops before it */
		assert_true(out.truncated);
		assert_int_equal(out.next_block, 12);
		f = json_array_get(json_array_get(m.sent, 1), 0);
		assert_string_equal(json_string_value(json_object_get(f, "fromBlock")), "0x0");
		assert_string_equal(json_string_value(json_object_get(f, "toBlock")), "0x9");
		assert_string_equal(json_string_value(json_object_get(f, "address")), DP);
		assert_int_equal(json_array_size(json_object_get(f, "topics")), 1);
		assert_string_equal(
		    json_string_value(json_array_get(json_object_get(f, "topics"), 0)), T_SCHEMA);
		f = json_array_get(json_array_get(m.sent, 2), 0);
		assert_string_equal(json_string_value(json_object_get(f, "fromBlock")), "0xa");
		assert_string_equal(json_string_value(json_object_get(f, "toBlock")), "0x13");

		/* resume from next_block up to block 35: three pages, nothing truncated */
		q.from_block = out.next_block;
		q.to_block = 35;
		q.max_count = 3;
		assert_int_equal(decc_chain_dataset_schemas(c, &out, &q), 0);
		assert_int_equal(out.n, 3);
		assert_bytes_hex(out.items[0].dataset.b, 20, DS3);
		assert_string_equal(out.items[2].schema, "");
		assert_false(out.truncated);
		assert_int_equal(out.next_block, 36);
		assert_int_equal(out.skipped, 0);
		f = json_array_get(json_array_get(m.sent, 5), 0);
		assert_string_equal(json_string_value(json_object_get(f, "fromBlock")), "0x20");
		assert_string_equal(json_string_value(json_object_get(f, "toBlock")), "0x23");

		/* one block alone passes the limit: an error, out untouched */
		q.max_count = 1;
		q.to_block = 12;
		assert_int_equal(decc_chain_dataset_schemas(c, &out, &q), DECC_ELIMIT);
		assert_int_equal(out.n, 3);
		end_client(c, &m);
	}
	decc_chain_dataset_schemas_release(&out);
	decc_buf_release(&p1);
	decc_buf_release(&p2);
	decc_buf_release(&p3);
	free(d1);
	free(d2);
	free(dnul);
}

static void test_dataset_schema_one(void **state)
{
	char *d1 = schema_data("{\"a\":{\"b\":\"i128\"}}");
	struct decc_buf p = DECC_BUF_INIT;
	decc_address ds;
	char *schema = NULL;
	uint64_t block = 0;
	struct decc_chain *c;
	struct mock m;
	json_t *f;

	(void)state;
	assert_int_equal(decc_buf_append_byte(&p, '['), 0);
	add_log(&p, DP, T_SCHEMA, DS2, d1, 2100);
	assert_int_equal(decc_buf_append_byte(&p, ']'), 0);
	{
		const struct step steps[] = {
			{ "eth_blockNumber", "\"0x2710\"", NULL }, { "eth_getLogs", "[]", NULL },
			{ "eth_getLogs", decc_buf_str(&p), NULL }, /* found: no further page */
			{ "eth_blockNumber", "\"0x5\"", NULL },	   { "eth_getLogs", "[]", NULL },
		};

		assert_int_equal(decc_address_parse(&ds, DS2), 0);
		c = new_client(&m, steps, DECC_ARRAY_SIZE(steps), false);
		assert_int_equal(decc_chain_dataset_schema(c, &schema, &block, NULL, &ds), 0);
		assert_string_equal(schema, "{\"a\":{\"b\":\"i128\"}}");
		assert_int_equal(block, 2100);
		free(schema);
		/* the dataset is topic 1 of the filter */
		f = json_object_get(json_array_get(json_array_get(m.sent, 1), 0), "topics");
		assert_int_equal(json_array_size(f), 2);
		assert_string_equal(
		    json_string_value(json_array_get(f, 1)),
		    "0x00000000000000000000000000000000000000000000000000000000000000d2");
		schema = NULL;
		assert_int_equal(decc_chain_dataset_schema(c, &schema, NULL, NULL, &ds),
				 DECC_ENOTFOUND);
		assert_null(schema);
		end_client(c, &m);
	}
	decc_buf_release(&p);
	free(d1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_and_connect),
		cmocka_unit_test(test_limits_and_transport),
		cmocka_unit_test(test_send_1559_nonce_resync),
		cmocka_unit_test(test_send_legacy_and_hash_check),
		cmocka_unit_test(test_transact_revert_replay),
		cmocka_unit_test(test_logs_watch),
		cmocka_unit_test(test_typed_views),
		cmocka_unit_test(test_create_app),
		cmocka_unit_test(test_match_orders),
		cmocka_unit_test(test_order_tuple),
		cmocka_unit_test(test_create_dataset_with_schema),
		cmocka_unit_test(test_dataset_schemas),
		cmocka_unit_test(test_dataset_schema_one),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
