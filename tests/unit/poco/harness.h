/* SPDX-License-Identifier: Apache-2.0 */
/* Test harness for the native PoCo contracts: a chain of one state driven with ABI calldata. */
#ifndef DECC_TEST_POCO_HARNESS_H
#define DECC_TEST_POCO_HARNESS_H

#include "test.h"

#include "decc/abi.h"
#include "decc/crypto.h"
#include "decc/order.h"
#include "decc/poco.h"
#include "mem_state.h"
#include "poco/internal.h"

#define AO_T "(address,uint256,uint256,bytes32,address,address,address,bytes32,bytes)"
#define WO_T                                                                                       \
	"(address,uint256,uint256,bytes32,uint256,uint256,address,address,address,bytes32,bytes)"
#define RO_T                                                                                       \
	"(address,uint256,address,uint256,address,uint256,address,uint256,bytes32,uint256,"        \
	"uint256,"                                                                                 \
	"address,address,string,bytes32,bytes)"
#define MATCH_SIG "matchOrders(" AO_T "," AO_T "," WO_T "," RO_T ")"

struct chain {
	struct mem_state m;
	struct decc_poco_config cfg;
	struct decc_executor ex;
	uint64_t now;
	struct decc_exec_result res; /* result of the last call */
};

/* deterministic test accounts: secret key = 0x00..0(i+1) repeated pattern */
struct account {
	uint8_t sk[32];
	decc_address a;
};

static inline struct account account_n(unsigned i)
{
	struct account acc;

	memset(acc.sk, 0, 32);
	acc.sk[0] = 0x11;
	acc.sk[31] = (uint8_t)(i + 1);
	acc.sk[30] = (uint8_t)((i + 1) >> 8);
	assert_int_equal(decc_address_from_seckey(&acc.a, acc.sk), 0);
	return acc;
}

static inline void chain_init(struct chain *c, const struct account *owner)
{
	memset(c, 0, sizeof(*c));
	mem_state_init(&c->m, 1 << 14);
	decc_poco_config_default(&c->cfg, 65535);
	decc_poco_executor(&c->ex, &c->cfg);
	c->now = 1700000000;
	assert_int_equal(decc_poco_genesis(&c->m.st, &c->cfg, &owner->a, NULL, 0), 0);
	mem_commit(&c->m);
	decc_exec_result_init(&c->res);
}

static inline void chain_release(struct chain *c)
{
	decc_exec_result_release(&c->res);
	mem_state_release(&c->m);
}

/* Run a call; the ledger's job is emulated: value moved first, rollback on revert. */
static inline bool chain_call_value(struct chain *c, const decc_address *from,
				    const decc_address *to, const decc_u256 *value,
				    const uint8_t *data, size_t len)
{
	struct decc_exec_env env = { .state = &c->m.st,
				     .chain_id = c->cfg.chain_id,
				     .block_number = 1,
				     .timestamp = c->now };
	struct decc_exec_call call = { .from = *from, .to = *to, .data = data, .len = len };

	if (value)
		call.value = *value;
	decc_exec_result_release(&c->res);
	if (value && !decc_u256_is_zero(value))
		assert_int_equal(mem_transfer(&c->m, from, to, value), 0);
	if (c->ex.execute(c->ex.ctx, &env, &call, &c->res) != 0)
		fail_msg("execute failed: %s", decc_error_last());
	if (c->res.success)
		mem_commit(&c->m);
	else
		mem_rollback(&c->m);
	return c->res.success;
}

static inline int encode_free(struct decc_buf *out, const char *sig, struct decc_abi_value *args)
{
	int r = decc_abi_encode_call(out, sig, args);

	decc_abi_value_free(args);
	return r;
}

static inline bool chain_call(struct chain *c, const decc_address *from, const decc_address *to,
			      const char *sig, struct decc_abi_value *args)
{
	struct decc_buf data = DECC_BUF_INIT;
	bool ok;

	assert_non_null(args);
	if (decc_abi_encode_call(&data, sig, args) != 0)
		fail_msg("encoding %s: %s", sig, decc_error_last());
	decc_abi_value_free(args);
	ok = chain_call_value(c, from, to, NULL, data.data, data.len);
	decc_buf_release(&data);
	return ok;
}

/* Error(string) revert data of the last call equals reason (NULL: empty revert data). */
static inline void assert_reverted(struct chain *c, const char *reason)
{
	assert_false(c->res.success);
	if (!reason) {
		assert_int_equal(c->res.output.len, 0);
		return;
	}
	{
		size_t n = strlen(reason);

		if (c->res.output.len < 68 ||
		    memcmp(c->res.output.data, "\x08\xc3\x79\xa0", 4) != 0 ||
		    c->res.output.data[67] != n || c->res.output.len < 68 + n ||
		    memcmp(c->res.output.data + 68, reason, n) != 0) {
			struct decc_buf txt = DECC_BUF_INIT;

			if (decc_abi_revert_reason(&txt, c->res.output.data, c->res.output.len) !=
			    0)
				fail_msg("expected revert '%s', got undecodable data", reason);
			fail_msg("expected revert '%s', got '%s'", reason, decc_buf_str(&txt));
		}
	}
}

static inline void out_word(const struct chain *c, size_t i, uint8_t w[32])
{
	assert_true(c->res.output.len >= 32 * (i + 1));
	memcpy(w, c->res.output.data + 32 * i, 32);
}

static inline uint64_t out_u64(const struct chain *c, size_t i)
{
	uint8_t w[32];
	decc_u256 v;
	uint64_t x;

	out_word(c, i, w);
	decc_u256_from_be(&v, w);
	assert_true(decc_u256_to_u64(&v, &x));
	return x;
}

static inline decc_address out_addr(const struct chain *c, size_t i)
{
	uint8_t w[32];
	decc_address a;

	out_word(c, i, w);
	memcpy(a.b, w + 12, 20);
	return a;
}

static inline uint64_t balance(struct chain *c, const decc_address *a)
{
	decc_u256 v;
	uint64_t x;

	assert_int_equal(decc_poco_balance_of(&v, &c->m.st, a), 0);
	assert_true(decc_u256_to_u64(&v, &x));
	return x;
}

static inline uint64_t frozen(struct chain *c, const decc_address *a)
{
	decc_u256 v;
	uint64_t x;

	assert_int_equal(decc_poco_frozen_of(&v, &c->m.st, a), 0);
	assert_true(decc_u256_to_u64(&v, &x));
	return x;
}

static inline void fund_wei(struct chain *c, const decc_address *a, uint64_t wei_high)
{
	/* wei_high * 1e9 wei */
	decc_u256 v = decc_u256_from_u64(wei_high), g = decc_u256_from_u64(DECC_POCO_NRLC_WEI);

	assert_false(decc_u256_mul(&v, &v, &g));
	assert_int_equal(mem_set_wei(&c->m, a, &v), 0);
	mem_commit(&c->m);
}

static inline void deposit(struct chain *c, const struct account *who, uint64_t nrlc)
{
	decc_u256 v = decc_u256_from_u64(nrlc), g = decc_u256_from_u64(DECC_POCO_NRLC_WEI);
	struct decc_buf data = DECC_BUF_INIT;
	decc_u256 have;

	assert_false(decc_u256_mul(&v, &v, &g));
	mem_balance(&c->m, &have, &who->a);
	if (decc_u256_cmp(&have, &v) < 0) {
		assert_int_equal(mem_set_wei(&c->m, &who->a, &v), 0);
		mem_commit(&c->m);
	}
	assert_int_equal(encode_free(&data, "deposit()", decc_abi_tuple(0, NULL)), 0);
	assert_true(chain_call_value(c, &who->a, &c->cfg.hub, &v, data.data, data.len));
	decc_buf_release(&data);
}

static inline decc_address create_app(struct chain *c, const struct account *owner,
				      const char *name)
{
	uint8_t checksum[32] = { 1 };
	struct decc_abi_value *args = decc_abi_tuplev(
	    6, decc_abi_address(&owner->a), decc_abi_string(name), decc_abi_string("DOCKER"),
	    decc_abi_bytes((const uint8_t *)"docker.io/x/app:1", 17),
	    decc_abi_fixed_bytes(checksum, 32), decc_abi_bytes(NULL, 0));

	assert_true(chain_call(c, &owner->a, &c->cfg.app_registry,
			       "createApp(address,string,string,bytes,bytes32,bytes)", args));
	return out_addr(c, 0);
}

static inline decc_address create_dataset(struct chain *c, const struct account *owner,
					  const char *name)
{
	uint8_t checksum[32] = { 2 };
	struct decc_abi_value *args = decc_abi_tuplev(
	    4, decc_abi_address(&owner->a), decc_abi_string(name),
	    decc_abi_bytes((const uint8_t *)"/p2p/x", 6), decc_abi_fixed_bytes(checksum, 32));

	assert_true(chain_call(c, &owner->a, &c->cfg.dataset_registry,
			       "createDataset(address,string,bytes,bytes32)", args));
	return out_addr(c, 0);
}

static inline decc_address create_workerpool(struct chain *c, const struct account *owner,
					     const char *desc)
{
	struct decc_abi_value *args =
	    decc_abi_tuplev(2, decc_abi_address(&owner->a), decc_abi_string(desc));

	assert_true(chain_call(c, &owner->a, &c->cfg.workerpool_registry,
			       "createWorkerpool(address,string)", args));
	return out_addr(c, 0);
}

static inline void domain_sep(struct chain *c, uint8_t ds[32])
{
	assert_int_equal(decc_poco_domain_separator(ds, &c->m.st), 0);
}

static inline void sign_order(struct chain *c, struct decc_order *o, const struct account *who)
{
	uint8_t ds[32];

	domain_sep(c, ds);
	decc_buf_reset(&o->sign);
	assert_int_equal(decc_order_sign(o, ds, who->sk), 0);
}

static inline void order_hash(struct chain *c, uint8_t h[32], const struct decc_order *o)
{
	uint8_t ds[32];

	domain_sep(c, ds);
	decc_order_hash(h, ds, o);
}

/* matchOrders through the executor; returns success, dealid in *dealid when given */
static inline bool match_orders(struct chain *c, const decc_address *from,
				const struct decc_order *app, const struct decc_order *ds,
				const struct decc_order *wp, const struct decc_order *req,
				uint8_t dealid[32], bool sponsor)
{
	struct decc_abi_value *args =
	    decc_abi_tuplev(4, poco_order_to_abi(app), poco_order_to_abi(ds), poco_order_to_abi(wp),
			    poco_order_to_abi(req));
	bool ok = chain_call(
	    c, from, &c->cfg.hub,
	    sponsor ? "sponsorMatchOrders(" AO_T "," AO_T "," WO_T "," RO_T ")" : MATCH_SIG, args);

	if (ok && dealid)
		out_word(c, 0, dealid);
	return ok;
}

static inline bool log_has_topic(const struct chain *c, const char *event_sig, size_t *index)
{
	uint8_t t[32];

	decc_keccak256(t, event_sig, strlen(event_sig));
	for (size_t i = 0; i < c->res.n_logs; i++) {
		if (c->res.logs[i].n_topics > 0 && memcmp(c->res.logs[i].topics[0], t, 32) == 0) {
			if (index)
				*index = i;
			return true;
		}
	}
	return false;
}

#endif
