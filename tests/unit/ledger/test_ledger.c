/* SPDX-License-Identifier: Apache-2.0 */
/* The ledger with a small test executor: transfers, contract writes, reverts, logs, restart. */
#include <stdlib.h>
#include <unistd.h>

#include "decc/ledger.h"
#include "test.h"

/* The anvil/hardhat dev key 0 and its address. */
static const char *SK0 = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
static const char *GENESIS =
    "{\"chainId\": 65535, \"timestamp\": 1700000000, \"accounts\": {"
    "\"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266\": {\"balance\": \"1000000000000000000000\"}}}";

static decc_address contract_addr(void)
{
	decc_address a;

	memset(a.b, 0xcc, 20);
	return a;
}

/*
 * Test executor, one contract at 0xcc…cc. Calldata: op byte, then
 *   0x01 key(32) value: store value under key, emit a log (topic0 = key), succeed;
 *   0x02 key(32) value: store, emit, then revert with data "no";
 *   0x03 key(32): return the value stored under key.
 */
static int t_execute(void *ctx, const struct decc_exec_env *env, const struct decc_exec_call *call,
		     struct decc_exec_result *res)
{
	struct decc_state *st = env->state;
	struct decc_log lg = { 0 };

	(void)ctx;
	res->gas_used = 5000;
	if (call->len < 33) {
		res->success = false;
		return 0;
	}
	switch (call->data[0]) {
	case 1:
	case 2:
		DECC_TRY(
		    st->ops->put(st->ctx, call->data + 1, 32, call->data + 33, call->len - 33));
		lg.address = call->to;
		memcpy(lg.topics[0], call->data + 1, 32);
		lg.n_topics = 1;
		decc_buf_init(&lg.data, 1024);
		DECC_TRY(decc_buf_append(&lg.data, call->data + 33, call->len - 33));
		DECC_TRY(decc_exec_result_add_log(res, &lg));
		decc_buf_release(&lg.data);
		if (call->data[0] == 2) {
			res->success = false;
			return decc_buf_append(&res->output, "no", 2);
		}
		res->success = true;
		return 0;
	case 3: {
		int r = st->ops->get(st->ctx, &res->output, call->data + 1, 32);

		res->success = r == 0;
		return r == DECC_ENOTFOUND ? 0 : r;
	}
	default:
		res->success = false;
		return 0;
	}
}

static bool t_is_contract(void *ctx, struct decc_state *st, const decc_address *a)
{
	decc_address c = contract_addr();

	(void)ctx, (void)st;
	return decc_address_eq(a, &c);
}

static const struct decc_executor test_exec = { t_execute, t_is_contract, NULL };

struct fixture {
	char dir[64];
	char path[96];
	struct decc_genesis g;
	struct decc_ledger *l;
	uint8_t sk[32];
	decc_address me;
};

static void open_ledger(struct fixture *f)
{
	struct decc_ledger_config cfg = {
		.path = f->path, .genesis = &f->g, .executor = &test_exec, .no_sync = true
	};

	if (decc_ledger_open(&f->l, &cfg) != 0)
		fail_msg("open: %s", decc_error_last());
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	strcpy(f->dir, "/tmp/decc-ledger-test-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/ledger.db", f->dir);
	assert_int_equal(decc_genesis_parse(&f->g, GENESIS, strlen(GENESIS)), 0);
	test_unhex(f->sk, 32, SK0);
	assert_int_equal(decc_address_from_seckey(&f->me, f->sk), 0);
	open_ledger(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	decc_ledger_free(f->l);
	decc_genesis_release(&f->g);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* A signed transaction ready for decc_ledger_mine. */
struct stx {
	struct decc_tx tx;
	struct decc_buf raw;
	struct decc_ledger_submit sub;
};

static void make_tx(struct stx *s, struct fixture *f, uint64_t chain_id, uint64_t nonce,
		    const decc_address *to, uint64_t value, const uint8_t *data, size_t n)
{
	struct decc_tx t;

	decc_tx_init(&t);
	t.type = 2;
	t.chain_id = chain_id;
	t.nonce = nonce;
	t.max_fee = decc_u256_from_u64(3000000000ULL);
	t.max_priority_fee = decc_u256_from_u64(1000000000ULL);
	t.gas = 100000;
	t.has_to = true;
	t.to = *to;
	t.value = decc_u256_from_u64(value);
	assert_int_equal(decc_buf_append(&t.data, data, n), 0);
	assert_int_equal(decc_tx_sign(&t, f->sk), 0);
	decc_buf_init(&s->raw, DECC_TX_MAX_SIZE);
	assert_int_equal(decc_tx_encode(&s->raw, &t), 0);
	decc_tx_release(&t);
	decc_tx_init(&s->tx);
	assert_int_equal(decc_tx_decode(&s->tx, s->raw.data, s->raw.len), 0);
	memset(&s->sub, 0, sizeof(s->sub));
	s->sub.raw = s->raw.data;
	s->sub.raw_len = s->raw.len;
	s->sub.tx = &s->tx;
	assert_int_equal(decc_tx_sender(&s->sub.sender, &s->tx), 0);
	assert_int_equal(decc_tx_hash(s->sub.hash, &s->tx), 0);
}

static void free_tx(struct stx *s)
{
	decc_tx_release(&s->tx);
	decc_buf_release(&s->raw);
}

static void mine1(struct fixture *f, struct stx *s)
{
	uint64_t num;

	assert_int_equal(decc_ledger_mine(f->l, &s->sub, 1, &num), 0);
	assert_int_equal(num, decc_ledger_head(f->l));
}

static void test_transfer(void **state)
{
	struct fixture *f = *state;
	decc_address to;
	struct stx s;
	struct decc_tx_info ti;
	decc_u256 bal, fee_bal;
	uint64_t nonce;
	char dec[79];

	memset(to.b, 0x11, 20);
	assert_int_equal(decc_ledger_head(f->l), 0);
	make_tx(&s, f, 65535, 0, &to, 12345, NULL, 0);
	mine1(f, &s);
	assert_int_equal(s.sub.status, 0);
	assert_int_equal(decc_ledger_head(f->l), 1);
	assert_int_equal(decc_ledger_account(f->l, &bal, &nonce, &to), 0);
	assert_true(decc_u256_cmp(&bal, &(decc_u256){ { 12345 } }) == 0);
	assert_int_equal(nonce, 0);
	assert_int_equal(decc_ledger_account(f->l, &bal, &nonce, &f->me), 0);
	assert_int_equal(nonce, 1);
	/* 1000 ether - 12345 wei - 21000 gas * 2 gwei (base 1 + priority 1) */
	decc_u256_to_dec(dec, &bal);
	assert_string_equal(dec, "999999957999999987655");
	assert_int_equal(decc_ledger_account(f->l, &fee_bal, NULL, &DECC_ADDRESS_ZERO), 0);
	assert_true(decc_u256_cmp(&fee_bal, &(decc_u256){ { 42000000000000ULL } }) == 0);
	assert_int_equal(decc_ledger_tx_by_hash(f->l, &ti, s.sub.hash), 0);
	assert_true(ti.success);
	assert_int_equal(ti.gas_used, 21000);
	assert_int_equal(ti.block, 1);
	assert_int_equal(ti.index, 0);
	assert_true(decc_address_eq(&ti.from, &f->me));
	assert_int_equal(ti.raw.len, s.raw.len);
	decc_tx_info_release(&ti);
	free_tx(&s);
}

static void test_rejections(void **state)
{
	struct fixture *f = *state;
	decc_address to;
	struct stx s[3];
	uint64_t nonce;

	memset(to.b, 0x22, 20);
	make_tx(&s[0], f, 1, 0, &to, 1, NULL, 0);     /* wrong chain */
	make_tx(&s[1], f, 65535, 5, &to, 1, NULL, 0); /* nonce too high */
	make_tx(&s[2], f, 65535, 0, &to, 2000, NULL, 0);
	s[2].tx.value = decc_u256_from_u64(UINT64_MAX); /* more than we have once scaled */
	s[2].tx.value.w[2] = 1;
	struct decc_ledger_submit subs[3] = { s[0].sub, s[1].sub, s[2].sub };

	assert_int_equal(decc_ledger_mine(f->l, subs, 3, NULL), 0);
	assert_int_not_equal(subs[0].status, 0);
	assert_non_null(strstr(subs[0].reason, "chain id"));
	assert_non_null(strstr(subs[1].reason, "nonce too high"));
	assert_non_null(strstr(subs[2].reason, "insufficient funds"));
	assert_int_equal(decc_ledger_account(f->l, NULL, &nonce, &f->me), 0);
	assert_int_equal(nonce, 0);
	for (int i = 0; i < 3; i++) {
		struct decc_tx_info ti;

		assert_int_equal(decc_ledger_tx_by_hash(f->l, &ti, s[i].sub.hash), DECC_ENOTFOUND);
		free_tx(&s[i]);
	}
	assert_int_equal(decc_ledger_head(f->l), 1); /* an empty block was mined */
}

static void call_data(uint8_t *out, uint8_t op, uint8_t keybyte, const char *val)
{
	out[0] = op;
	memset(out + 1, keybyte, 32);
	memcpy(out + 33, val, strlen(val));
}

static void test_contract_write_and_revert(void **state)
{
	struct fixture *f = *state;
	decc_address c = contract_addr();
	uint8_t d1[40], d2[40], key1[32], key2[32];
	struct decc_buf v = DECC_BUF_INIT;
	struct decc_tx_info ti;
	struct stx s1, s2;
	uint64_t nonce;

	call_data(d1, 1, 0xa1, "hello");
	call_data(d2, 2, 0xa2, "gone!");
	memset(key1, 0xa1, 32);
	memset(key2, 0xa2, 32);
	make_tx(&s1, f, 65535, 0, &c, 0, d1, 38);
	make_tx(&s2, f, 65535, 1, &c, 77, d2, 38);
	struct decc_ledger_submit subs[2] = { s1.sub, s2.sub };

	assert_int_equal(decc_ledger_mine(f->l, subs, 2, NULL), 0);
	assert_int_equal(subs[0].status, 0);
	assert_int_equal(subs[1].status, 0); /* included, with a failed receipt */
	assert_int_equal(decc_ledger_state_get(f->l, &v, key1, 32), 0);
	assert_int_equal(v.len, 5);
	assert_memory_equal(v.data, "hello", 5);
	decc_buf_reset(&v);
	/* the revert discarded the write, the log and the value transfer */
	assert_int_equal(decc_ledger_state_get(f->l, &v, key2, 32), DECC_ENOTFOUND);
	{
		decc_u256 cb;

		assert_int_equal(decc_ledger_account(f->l, &cb, NULL, &c), 0);
		assert_true(decc_u256_is_zero(&cb));
	}
	assert_int_equal(decc_ledger_account(f->l, NULL, &nonce, &f->me), 0);
	assert_int_equal(nonce, 2);
	assert_int_equal(decc_ledger_tx_by_hash(f->l, &ti, s2.sub.hash), 0);
	assert_false(ti.success);
	assert_int_equal(ti.n_logs, 0);
	assert_int_equal(ti.index, 1);
	assert_int_equal(ti.gas_used, decc_intrinsic_gas(d2, 38) + 5000);
	decc_tx_info_release(&ti);
	assert_int_equal(decc_ledger_tx_by_hash(f->l, &ti, s1.sub.hash), 0);
	assert_true(ti.success);
	assert_int_equal(ti.n_logs, 1);
	assert_int_equal(ti.logs[0].log_index, 0);
	assert_memory_equal(ti.logs[0].log.topics[0], key1, 32);
	assert_int_equal(ti.cumulative_gas_used, ti.gas_used);
	decc_tx_info_release(&ti);

	/* eth_call reads the state and never persists its writes */
	{
		struct decc_exec_result res;
		uint8_t q[33], w[38];
		struct decc_exec_call call = { .to = c, .data = q, .len = 33 };

		q[0] = 3;
		memset(q + 1, 0xa1, 32);
		decc_exec_result_init(&res);
		assert_int_equal(decc_ledger_call(f->l, &res, &call), 0);
		assert_true(res.success);
		assert_int_equal(res.output.len, 5);
		assert_int_equal(res.gas_used, decc_intrinsic_gas(q, 33) + 5000);
		call_data(w, 1, 0xa3, "temp!");
		call.data = w;
		call.len = 38;
		assert_int_equal(decc_ledger_call(f->l, &res, &call), 0);
		assert_true(res.success);
		memset(key2, 0xa3, 32);
		assert_int_equal(decc_ledger_state_get(f->l, &v, key2, 32), DECC_ENOTFOUND);
		call_data(w, 2, 0xa3, "temp!");
		assert_int_equal(decc_ledger_call(f->l, &res, &call), 0);
		assert_false(res.success);
		assert_int_equal(res.output.len, 2);
		decc_exec_result_release(&res);
	}
	decc_buf_release(&v);
	free_tx(&s1);
	free_tx(&s2);
}

static void test_logs_query(void **state)
{
	struct fixture *f = *state;
	decc_address c = contract_addr(), other;
	struct decc_log_filter flt = { 0 };
	struct decc_log_info *logs;
	uint8_t d[40], t1[32], t2[32];
	struct stx s;
	size_t n;

	for (int i = 0; i < 3; i++) {
		call_data(d, 1, (uint8_t)(0xb0 + i), "abcde");
		make_tx(&s, f, 65535, (uint64_t)i, &c, 0, d, 38);
		mine1(f, &s);
		assert_int_equal(s.sub.status, 0);
		free_tx(&s);
	}
	flt.from_block = 0;
	flt.to_block = 100;
	flt.max_results = 100;
	assert_int_equal(decc_ledger_logs(f->l, &logs, &n, &flt), 0);
	assert_int_equal(n, 3);
	assert_int_equal(logs[0].block, 1);
	assert_int_equal(logs[2].block, 3);
	assert_true(decc_address_eq(&logs[1].log.address, &c));
	decc_log_infos_free(logs, n);

	memset(t1, 0xb1, 32);
	memset(t2, 0xb2, 32);
	const uint8_t(*topics)[32] = (const uint8_t(*)[32])t1;
	flt.topics[0] = topics;
	flt.n_topics[0] = 1;
	assert_int_equal(decc_ledger_logs(f->l, &logs, &n, &flt), 0);
	assert_int_equal(n, 1);
	assert_int_equal(logs[0].block, 2);
	decc_log_infos_free(logs, n);

	flt.n_topics[0] = 0;
	flt.from_block = 3;
	assert_int_equal(decc_ledger_logs(f->l, &logs, &n, &flt), 0);
	assert_int_equal(n, 1);
	assert_memory_equal(logs[0].log.topics[0], t2, 32);
	decc_log_infos_free(logs, n);

	memset(other.b, 0x33, 20);
	flt.from_block = 0;
	flt.addresses = &other;
	flt.n_addresses = 1;
	assert_int_equal(decc_ledger_logs(f->l, &logs, &n, &flt), 0);
	assert_int_equal(n, 0);
	free(logs);

	flt.n_addresses = 0;
	flt.max_results = 2;
	assert_int_equal(decc_ledger_logs(f->l, &logs, &n, &flt), DECC_ELIMIT);

	/* block 2's bloom has the topic, block 1's not */
	{
		struct decc_block_info b;
		uint8_t bloom[256] = { 0 };
		bool in1 = true;

		decc_bloom_add(bloom, t1, 32);
		assert_int_equal(decc_ledger_block_by_number(f->l, &b, 2), 0);
		for (int i = 0; i < 256; i++)
			assert_int_equal(b.bloom[i] & bloom[i], bloom[i]);
		assert_int_equal(b.n_txs, 1);
		decc_block_info_release(&b);
		assert_int_equal(decc_ledger_block_by_number(f->l, &b, 1), 0);
		for (int i = 0; i < 256; i++)
			in1 = in1 && (b.bloom[i] & bloom[i]) == bloom[i];
		assert_false(in1);
		decc_block_info_release(&b);
	}
}

static void test_restart(void **state)
{
	struct fixture *f = *state;
	decc_address c = contract_addr();
	struct decc_block_info b1, b2;
	struct decc_genesis other;
	struct decc_ledger *l2;
	uint8_t d[40], key[32];
	struct decc_buf v = DECC_BUF_INIT;
	uint64_t total;
	struct stx s;

	call_data(d, 1, 0xd1, "kept!");
	make_tx(&s, f, 65535, 0, &c, 0, d, 38);
	mine1(f, &s);
	assert_int_equal(decc_ledger_increase_time(f->l, 100, &total), 0);
	assert_int_equal(total, 100);
	assert_int_equal(decc_ledger_block_by_number(f->l, &b1, 1), 0);
	decc_ledger_free(f->l);
	f->l = NULL;
	open_ledger(f);
	assert_int_equal(decc_ledger_head(f->l), 1);
	assert_int_equal(decc_ledger_block_by_number(f->l, &b2, 1), 0);
	assert_memory_equal(b1.hash, b2.hash, 32);
	decc_block_info_release(&b1);
	decc_block_info_release(&b2);
	memset(key, 0xd1, 32);
	assert_int_equal(decc_ledger_state_get(f->l, &v, key, 32), 0);
	assert_int_equal(decc_ledger_increase_time(f->l, 1, &total), 0);
	assert_int_equal(total, 101); /* the time shift survived */
	/* the next block links to the previous head */
	free_tx(&s);
	make_tx(&s, f, 65535, 1, &c, 0, d, 38);
	mine1(f, &s);
	assert_int_equal(decc_ledger_block_by_number(f->l, &b2, 2), 0);
	assert_int_equal(decc_ledger_block_by_number(f->l, &b1, 1), 0);
	assert_memory_equal(b2.parent, b1.hash, 32);
	decc_block_info_release(&b1);
	decc_block_info_release(&b2);
	free_tx(&s);
	decc_buf_release(&v);

	/* a different genesis is refused */
	const char *g2 = "{\"chainId\": 7}";
	struct decc_ledger_config cfg = { .path = f->path, .genesis = &other };

	assert_int_equal(decc_genesis_parse(&other, g2, strlen(g2)), 0);
	assert_int_equal(decc_ledger_open(&l2, &cfg), DECC_EEXISTS);
	decc_genesis_release(&other);
}

static void test_genesis(void **state)
{
	struct decc_genesis g, g2;
	size_t len;
	char *text = test_read_vector("genesis/dev.json", &len);

	(void)state;
	assert_int_equal(decc_genesis_parse(&g, text, len), 0);
	assert_int_equal(g.chain_id, 65535);
	assert_int_equal(g.timestamp, 1700000000);
	assert_int_equal(g.n_accounts, 4);
	assert_int_equal(g.n_categories, 5);
	assert_string_equal(g.categories[4].name, "XL");
	assert_int_equal(g.categories[4].work_clock_time_ref, 36000);
	assert_true(g.has_hub_owner);
	free(text);
	/* same content, other key order and spacing: same identity */
	text = test_read_vector("genesis/dev.json", &len);
	assert_int_equal(decc_genesis_parse(&g2, text, len), 0);
	assert_memory_equal(g.hash, g2.hash, 32);
	decc_genesis_release(&g2);
	free(text);
	decc_genesis_release(&g);

	text = test_read_vector("genesis/bad-chainid.json", &len);
	assert_int_equal(decc_genesis_parse(&g, text, len), DECC_EINVAL);
	free(text);
	text = test_read_vector("genesis/bad-account.json", &len);
	assert_int_equal(decc_genesis_parse(&g, text, len), DECC_EINVAL);
	free(text);
	assert_int_equal(decc_genesis_parse(&g, "{", 1), DECC_EINVAL);
	const char *dup = "{\"chainId\":1,\"chainId\":2}";
	assert_int_equal(decc_genesis_parse(&g, dup, strlen(dup)), DECC_EINVAL);
	const char *neg =
	    "{\"chainId\":1,\"accounts\":{\"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266\":"
	    "{\"balance\":\"-5\"}}}";
	assert_int_equal(decc_genesis_parse(&g, neg, strlen(neg)), DECC_EINVAL);
	const char *a = "{\"chainId\":1,\"timestamp\":5}", *b = "{\"timestamp\":5, \"chainId\":1}";
	assert_int_equal(decc_genesis_parse(&g, a, strlen(a)), 0);
	assert_int_equal(decc_genesis_parse(&g2, b, strlen(b)), 0);
	assert_memory_equal(g.hash, g2.hash, 32);
	decc_genesis_release(&g);
	decc_genesis_release(&g2);
}

static void test_intrinsic_gas(void **state)
{
	uint8_t d[4] = { 0, 1, 0, 2 };

	(void)state;
	assert_int_equal(decc_intrinsic_gas(NULL, 0), 21000);
	assert_int_equal(decc_intrinsic_gas(d, 4), 21000 + 4 + 16 + 4 + 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_genesis),
		cmocka_unit_test(test_intrinsic_gas),
		cmocka_unit_test_setup_teardown(test_transfer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rejections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_contract_write_and_revert, setup, teardown),
		cmocka_unit_test_setup_teardown(test_logs_query, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
