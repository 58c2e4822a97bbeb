/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PoCo flows driven through the executor with ABI calldata, as a client would: registries,
 * escrow, orders (sign, presign, close), every matchOrders revert of reference/poco.md §2.1,
 * the worked example of §3.14 number by number, claim, trust-3 consensus, reopen, views.
 */
#include "harness.h"

struct world {
	struct chain c;
	struct account owner, bob, alice, wendy, carol, w1, w2, eve;
	decc_address app, dataset, pool;
};

struct set {
	struct decc_order app, ds, wp, req;
};

static void world_init(struct world *w)
{
	w->owner = account_n(0);
	w->bob = account_n(1);
	w->alice = account_n(2);
	w->wendy = account_n(3);
	w->carol = account_n(4);
	w->w1 = account_n(5);
	w->w2 = account_n(6);
	w->eve = account_n(7);
	chain_init(&w->c, &w->owner);
	w->app = create_app(&w->c, &w->bob, "app");
	w->dataset = create_dataset(&w->c, &w->alice, "data");
	w->pool = create_workerpool(&w->c, &w->wendy, "pool");
}

static void set_default(struct world *w, struct set *s, uint8_t salt)
{
	decc_order_init(&s->app, DECC_ORDER_APP);
	decc_order_init(&s->ds, DECC_ORDER_DATASET);
	decc_order_init(&s->wp, DECC_ORDER_WORKERPOOL);
	decc_order_init(&s->req, DECC_ORDER_REQUEST);
	s->app.app = w->app;
	s->app.price = decc_u256_from_u64(3);
	s->app.volume = decc_u256_from_u64(1000);
	s->app.salt[0] = salt;
	s->ds.dataset = w->dataset;
	s->ds.price = decc_u256_from_u64(2);
	s->ds.volume = decc_u256_from_u64(1000);
	s->ds.salt[0] = salt;
	s->wp.workerpool = w->pool;
	s->wp.price = decc_u256_from_u64(100);
	s->wp.volume = decc_u256_from_u64(1000);
	s->wp.trust = decc_u256_from_u64(10);
	s->wp.salt[0] = salt;
	s->req.app = w->app;
	s->req.appmaxprice = decc_u256_from_u64(3);
	s->req.dataset = w->dataset;
	s->req.datasetmaxprice = decc_u256_from_u64(2);
	s->req.workerpoolmaxprice = decc_u256_from_u64(100);
	s->req.requester = w->carol.a;
	s->req.beneficiary = w->carol.a;
	s->req.volume = decc_u256_from_u64(3);
	s->req.salt[0] = salt;
	s->req.params = strdup("{\"iexec_args\":\"x\"}");
}

static void sign_all(struct world *w, struct set *s)
{
	sign_order(&w->c, &s->app, &w->bob);
	if (!decc_address_is_zero(&s->ds.dataset))
		sign_order(&w->c, &s->ds, &w->alice);
	sign_order(&w->c, &s->wp, &w->wendy);
	sign_order(&w->c, &s->req, &w->carol);
}

static void set_release(struct set *s)
{
	decc_order_release(&s->app);
	decc_order_release(&s->ds);
	decc_order_release(&s->wp);
	decc_order_release(&s->req);
}

static bool do_match(struct world *w, struct set *s, uint8_t dealid[32])
{
	return match_orders(&w->c, &w->eve.a, &s->app, &s->ds, &s->wp, &s->req, dealid, false);
}

/* ---- registries ---- */

static struct decc_abi_value *tok_v(const decc_address *a)
{
	uint8_t w[32];
	decc_u256 v;

	poco_addr_word(w, a);
	decc_u256_from_be(&v, w);
	return decc_abi_uint(&v);
}

static void test_registries(void **state)
{
	struct world w;
	struct decc_abi_value *args;
	decc_address pred, o;
	uint8_t checksum[32] = { 1 };

	(void)state;
	world_init(&w);
	/* the creation log is the ERC-721 mint Transfer with the entry as topic 3 */
	w.app = create_app(&w.c, &w.bob, "app2");
	assert_int_equal(w.c.res.n_logs, 1);
	assert_int_equal(w.c.res.logs[0].n_topics, 4);
	assert_memory_equal(w.c.res.logs[0].topics[3] + 12, w.app.b, 20);
	assert_memory_equal(w.c.res.logs[0].address.b, w.c.cfg.app_registry.b, 20);
	/* predictApp agrees with createApp */
	args = decc_abi_tuplev(6, decc_abi_address(&w.bob.a), decc_abi_string("app2"),
			       decc_abi_string("DOCKER"),
			       decc_abi_bytes((const uint8_t *)"docker.io/x/app:1", 17),
			       decc_abi_fixed_bytes(checksum, 32), decc_abi_bytes(NULL, 0));
	assert_true(chain_call(&w.c, &w.bob.a, &w.c.cfg.app_registry,
			       "predictApp(address,string,string,bytes,bytes32,bytes)", args));
	pred = out_addr(&w.c, 0);
	assert_memory_equal(pred.b, w.app.b, 20);
	/* same parameters again: CREATE2 collision */
	args = decc_abi_tuplev(6, decc_abi_address(&w.bob.a), decc_abi_string("app2"),
			       decc_abi_string("DOCKER"),
			       decc_abi_bytes((const uint8_t *)"docker.io/x/app:1", 17),
			       decc_abi_fixed_bytes(checksum, 32), decc_abi_bytes(NULL, 0));
	assert_false(chain_call(&w.c, &w.bob.a, &w.c.cfg.app_registry,
				"createApp(address,string,string,bytes,bytes32,bytes)", args));
	assert_reverted(&w.c, "Create2: Failed on deploy");
	/* createApp is not a DatasetRegistry function */
	args = decc_abi_tuplev(6, decc_abi_address(&w.bob.a), decc_abi_string("z"),
			       decc_abi_string("DOCKER"), decc_abi_bytes(NULL, 0),
			       decc_abi_fixed_bytes(checksum, 32), decc_abi_bytes(NULL, 0));
	assert_false(chain_call(&w.c, &w.bob.a, &w.c.cfg.dataset_registry,
				"createApp(address,string,string,bytes,bytes32,bytes)", args));
	assert_reverted(&w.c, NULL);
	/* asset views */
	assert_true(chain_call(&w.c, &w.eve.a, &w.app, "m_appName()", decc_abi_tuple(0, NULL)));
	assert_int_equal(out_u64(&w.c, 1), 4);
	assert_memory_equal(w.c.res.output.data + 64, "app2", 4);
	assert_true(chain_call(&w.c, &w.eve.a, &w.app, "owner()", decc_abi_tuple(0, NULL)));
	o = out_addr(&w.c, 0);
	assert_memory_equal(o.b, w.bob.a.b, 20);
	assert_false(
	    chain_call(&w.c, &w.eve.a, &w.app, "m_datasetName()", decc_abi_tuple(0, NULL)));
	assert_reverted(&w.c, NULL);
	assert_true(chain_call(&w.c, &w.eve.a, &w.pool, "m_workerStakeRatioPolicy()",
			       decc_abi_tuple(0, NULL)));
	assert_int_equal(out_u64(&w.c, 0), 30);
	/* registry views */
	assert_true(chain_call(&w.c, &w.eve.a, &w.c.cfg.app_registry, "balanceOf(address)",
			       decc_abi_tuplev(1, decc_abi_address(&w.bob.a))));
	assert_int_equal(out_u64(&w.c, 0), 2);
	assert_true(chain_call(&w.c, &w.eve.a, &w.c.cfg.app_registry, "isRegistered(address)",
			       decc_abi_tuplev(1, decc_abi_address(&w.app))));
	assert_int_equal(out_u64(&w.c, 0), 1);
	assert_true(chain_call(&w.c, &w.eve.a, &w.c.cfg.dataset_registry, "isRegistered(address)",
			       decc_abi_tuplev(1, decc_abi_address(&w.app))));
	assert_int_equal(out_u64(&w.c, 0), 0);
	/* transfer: only the holder; then the new holder owns the asset */
	assert_false(chain_call(&w.c, &w.eve.a, &w.c.cfg.app_registry,
				"transferFrom(address,address,uint256)",
				decc_abi_tuplev(3, decc_abi_address(&w.bob.a),
						decc_abi_address(&w.eve.a), tok_v(&w.app))));
	assert_reverted(&w.c, "ERC721: transfer caller is not owner nor approved");
	assert_true(chain_call(&w.c, &w.bob.a, &w.c.cfg.app_registry,
			       "safeTransferFrom(address,address,uint256)",
			       decc_abi_tuplev(3, decc_abi_address(&w.bob.a),
					       decc_abi_address(&w.eve.a), tok_v(&w.app))));
	assert_int_equal(decc_poco_asset_owner(&o, &w.c.m.st, &w.app), 0);
	assert_memory_equal(o.b, w.eve.a.b, 20);
	assert_true(chain_call(&w.c, &w.eve.a, &w.c.cfg.app_registry,
			       "tokenOfOwnerByIndex(address,uint256)",
			       decc_abi_tuplev(2, decc_abi_address(&w.bob.a), decc_abi_uint64(0))));
	/* bob's remaining token is the first app (swap-and-pop kept it at index 0) */
	assert_false(chain_call(
	    &w.c, &w.eve.a, &w.c.cfg.app_registry, "tokenOfOwnerByIndex(address,uint256)",
	    decc_abi_tuplev(2, decc_abi_address(&w.bob.a), decc_abi_uint64(1))));
	assert_reverted(&w.c, "EnumerableSet: index out of bounds");
	assert_false(chain_call(&w.c, &w.eve.a, &w.c.cfg.app_registry, "ownerOf(uint256)",
				decc_abi_tuplev(1, decc_abi_uint64(12345))));
	assert_reverted(&w.c, "ERC721: owner query for nonexistent token");
	/* workerpool policy */
	assert_false(chain_call(&w.c, &w.eve.a, &w.pool, "changePolicy(uint256,uint256)",
				decc_abi_tuplev(2, decc_abi_uint64(40), decc_abi_uint64(5))));
	assert_reverted(&w.c, "caller is not the owner");
	assert_false(chain_call(&w.c, &w.wendy.a, &w.pool, "changePolicy(uint256,uint256)",
				decc_abi_tuplev(2, decc_abi_uint64(40), decc_abi_uint64(101))));
	assert_reverted(&w.c, NULL);
	assert_true(chain_call(&w.c, &w.wendy.a, &w.pool, "changePolicy(uint256,uint256)",
			       decc_abi_tuplev(2, decc_abi_uint64(40), decc_abi_uint64(5))));
	assert_true(log_has_topic(&w.c, "PolicyUpdate(uint256,uint256,uint256,uint256)", NULL));
	assert_true(chain_call(&w.c, &w.eve.a, &w.c.cfg.hub, "viewWorkerpool(address)",
			       decc_abi_tuplev(1, decc_abi_address(&w.pool))));
	assert_int_equal(out_u64(&w.c, 3), 40);
	assert_int_equal(out_u64(&w.c, 4), 5);
	chain_release(&w.c);
}

/* ---- escrow ---- */

static void test_escrow(void **state)
{
	struct world w;
	decc_u256 v, wei;
	struct decc_buf data = DECC_BUF_INIT;

	(void)state;
	world_init(&w);
	fund_wei(&w.c, &w.carol.a, 10); /* 10e9 wei */
	/* deposit 2.5 nRLC worth of wei: 2 minted, 0.5e9 wei refunded */
	v = decc_u256_from_u64(2500000000ULL);
	assert_int_equal(encode_free(&data, "deposit()", decc_abi_tuple(0, NULL)), 0);
	assert_true(chain_call_value(&w.c, &w.carol.a, &w.c.cfg.hub, &v, data.data, data.len));
	decc_buf_release(&data);
	assert_int_equal(balance(&w.c, &w.carol.a), 2);
	mem_balance(&w.c.m, &wei, &w.carol.a);
	assert_int_equal(wei.w[0], 8000000000ULL);
	/* value to a non-payable function reverts */
	assert_int_equal(
	    encode_free(&data, "withdraw(uint256)", decc_abi_tuplev(1, decc_abi_uint64(1))), 0);
	v = decc_u256_from_u64(1);
	assert_false(chain_call_value(&w.c, &w.carol.a, &w.c.cfg.hub, &v, data.data, data.len));
	assert_reverted(&w.c, NULL);
	decc_buf_release(&data);
	/* withdraw more than the balance: SafeMathExtended's bare require, no reason (PoCo 6.1.0) */
	assert_false(chain_call(&w.c, &w.carol.a, &w.c.cfg.hub, "withdraw(uint256)",
				decc_abi_tuplev(1, decc_abi_uint64(3))));
	assert_reverted(&w.c, NULL);
	assert_int_equal(balance(&w.c, &w.carol.a), 2);
	assert_true(chain_call(&w.c, &w.carol.a, &w.c.cfg.hub, "withdraw(uint256)",
			       decc_abi_tuplev(1, decc_abi_uint64(1))));
	mem_balance(&w.c.m, &wei, &w.carol.a);
	assert_int_equal(wei.w[0], 9000000000ULL);
	assert_int_equal(balance(&w.c, &w.carol.a), 1);
	/* ERC-20 transfer and views */
	assert_true(chain_call(&w.c, &w.carol.a, &w.c.cfg.hub, "transfer(address,uint256)",
			       decc_abi_tuplev(2, decc_abi_address(&w.eve.a), decc_abi_uint64(1))));
	assert_int_equal(balance(&w.c, &w.eve.a), 1);
	/* a transfer above the balance and an allowance decreased below zero: no reason either */
	assert_false(
	    chain_call(&w.c, &w.eve.a, &w.c.cfg.hub, "transfer(address,uint256)",
		       decc_abi_tuplev(2, decc_abi_address(&w.carol.a), decc_abi_uint64(2))));
	assert_reverted(&w.c, NULL);
	assert_int_equal(balance(&w.c, &w.eve.a), 1);
	assert_int_equal(balance(&w.c, &w.carol.a), 0);
	assert_false(
	    chain_call(&w.c, &w.eve.a, &w.c.cfg.hub, "decreaseAllowance(address,uint256)",
		       decc_abi_tuplev(2, decc_abi_address(&w.carol.a), decc_abi_uint64(1))));
	assert_reverted(&w.c, NULL);
	assert_true(chain_call(&w.c, &w.eve.a, &w.c.cfg.hub, "viewAccount(address)",
			       decc_abi_tuplev(1, decc_abi_address(&w.eve.a))));
	assert_int_equal(out_u64(&w.c, 0), 1);
	assert_int_equal(out_u64(&w.c, 1), 0);
	assert_true(
	    chain_call(&w.c, &w.eve.a, &w.c.cfg.hub, "totalSupply()", decc_abi_tuple(0, NULL)));
	assert_int_equal(out_u64(&w.c, 0), 1);
	assert_true(
	    chain_call(&w.c, &w.eve.a, &w.c.cfg.hub, "decimals()", decc_abi_tuple(0, NULL)));
	assert_int_equal(out_u64(&w.c, 0), 9);
	/* unknown selector: empty revert */
	assert_false(chain_call(&w.c, &w.eve.a, &w.c.cfg.hub, "nope()", decc_abi_tuple(0, NULL)));
	assert_reverted(&w.c, NULL);
	/* truncated calldata: empty revert */
	{
		uint8_t sel[4];

		decc_abi_selector(sel, "withdraw(uint256)");
		assert_false(chain_call_value(&w.c, &w.eve.a, &w.c.cfg.hub, NULL, sel, 4));
		assert_reverted(&w.c, NULL);
	}
	chain_release(&w.c);
}

/* ---- matchOrders: every revert of §2.1 ---- */

enum mut {
	M_00,
	M_01,
	M_02,
	M_03,
	M_04,
	M_05,
	M_06,
	M_07,
	M_10,
	M_11,
	M_12,
	M_13,
	M_14,
	M_15,
	M_16,
	M_17,
	M_18,
	M_19,
	M_1a,
	M_1b,
	M_20,
	M_21,
	M_30,
	M_31,
	M_40,
	M_41,
	M_50,
	M_60,
	M_FUNDS,
	M_FORMAT,
	M_NOCONTRACT,
	M_COUNT
};

static const char *const expect[M_COUNT] = {
	"iExecV5-matchOrders-0x00",
	"iExecV5-matchOrders-0x01",
	"iExecV5-matchOrders-0x02",
	"iExecV5-matchOrders-0x03",
	"iExecV5-matchOrders-0x04",
	"iExecV5-matchOrders-0x05",
	"iExecV5-matchOrders-0x06",
	"iExecV5-matchOrders-0x07",
	"iExecV5-matchOrders-0x10",
	"iExecV5-matchOrders-0x11",
	"iExecV5-matchOrders-0x12",
	"iExecV5-matchOrders-0x13",
	"iExecV5-matchOrders-0x14",
	"iExecV5-matchOrders-0x15",
	"iExecV5-matchOrders-0x16",
	"iExecV5-matchOrders-0x17",
	"iExecV5-matchOrders-0x18",
	"iExecV5-matchOrders-0x19",
	"iExecV5-matchOrders-0x1a",
	"iExecV5-matchOrders-0x1b",
	"iExecV5-matchOrders-0x20",
	"iExecV5-matchOrders-0x21",
	"iExecV5-matchOrders-0x30",
	"iExecV5-matchOrders-0x31",
	"iExecV5-matchOrders-0x40",
	"iExecV5-matchOrders-0x41",
	"iExecV5-matchOrders-0x50",
	"iExecV5-matchOrders-0x60",
	"IexecEscrow: Transfer amount exceeds balance",
	"invalid-signature-format",
	NULL,
};

static void test_match_reverts(void **state)
{
	(void)state;
	for (int m = 0; m < M_COUNT; m++) {
		struct world w;
		struct set s;
		decc_address other = account_n(42).a;

		world_init(&w);
		if (m != M_FUNDS)
			deposit(&w.c, &w.carol, 1000);
		deposit(&w.c, &w.wendy, 1000);
		set_default(&w, &s, 1);
		switch (m) {
		case M_00:
			s.req.category = decc_u256_from_u64(1);
			break;
		case M_01:
			s.req.category = decc_u256_from_u64(5);
			s.wp.category = decc_u256_from_u64(5);
			break;
		case M_02:
			s.req.trust = decc_u256_from_u64(11);
			break;
		case M_03:
			s.req.appmaxprice = decc_u256_from_u64(2);
			break;
		case M_04:
			s.req.datasetmaxprice = decc_u256_from_u64(1);
			break;
		case M_05:
			s.req.workerpoolmaxprice = decc_u256_from_u64(99);
			break;
		case M_06:
			s.req.tag[31] = 0x08;
			break;
		case M_07:
			s.req.tag[31] = 0x01;
			s.wp.tag[31] = 0x01;
			break;
		case M_10:
			s.req.app = other;
			break;
		case M_11:
			s.req.dataset = other;
			break;
		case M_12:
			s.req.workerpool = other;
			break;
		case M_13:
			s.app.datasetrestrict = other;
			break;
		case M_14:
			s.app.workerpoolrestrict = other;
			break;
		case M_15:
			s.app.requesterrestrict = other;
			break;
		case M_16:
			s.ds.apprestrict = other;
			break;
		case M_17:
			s.ds.workerpoolrestrict = other;
			break;
		case M_18:
			s.ds.requesterrestrict = other;
			break;
		case M_19:
			s.wp.apprestrict = other;
			break;
		case M_1a:
			s.wp.datasetrestrict = other;
			break;
		case M_1b:
			s.wp.requesterrestrict = other;
			break;
		case M_20: /* a dataset contract used as an app: owner() answers, not registered */
			s.app.app = w.dataset;
			s.req.app = w.dataset;
			break;
		case M_30:
			s.ds.dataset = w.app;
			s.req.dataset = w.app;
			break;
		case M_40:
			s.wp.workerpool = w.app;
			break;
		case M_NOCONTRACT:
			s.app.app = other;
			s.req.app = other;
			break;
		default:
			break;
		}
		sign_all(&w, &s);
		switch (m) {
		case M_21:
			sign_order(&w.c, &s.app, &w.eve);
			break;
		case M_31:
			sign_order(&w.c, &s.ds, &w.eve);
			break;
		case M_41:
			sign_order(&w.c, &s.wp, &w.eve);
			break;
		case M_50:
			sign_order(&w.c, &s.req, &w.eve);
			break;
		case M_FORMAT:
			decc_buf_reset(&s.req.sign);
			break;
		case M_60: {
			/* the app owner closes its order */
			struct decc_abi_value *op =
			    decc_abi_tuplev(3, poco_order_to_abi(&s.app), decc_abi_uint64(1),
					    decc_abi_bytes(NULL, 0));

			assert_true(chain_call(&w.c, &w.bob.a, &w.c.cfg.hub,
					       "manageAppOrder((" AO_T ",uint8,bytes))",
					       decc_abi_tuplev(1, op)));
			assert_true(log_has_topic(&w.c, "ClosedAppOrder(bytes32)", NULL));
			break;
		}
		default:
			break;
		}
		if (do_match(&w, &s, NULL))
			fail_msg("case %d: matchOrders succeeded, expected %s", m,
				 expect[m] ? expect[m] : "empty revert");
		assert_reverted(&w.c, expect[m]);
		assert_int_equal(w.c.res.n_logs, 0);
		set_release(&s);
		chain_release(&w.c);
	}
}

/* ---- the nominal match: deal, consumption, locks, events in order ---- */

static void test_match_ok(void **state)
{
	struct world w;
	struct set s;
	uint8_t dealid[32], rh[32], want[32];
	decc_u256 zero = DECC_U256_ZERO, c;
	static const char *const order[] = {
		"Transfer(address,address,uint256)",
		"Lock(address,uint256)",
		"Transfer(address,address,uint256)",
		"Lock(address,uint256)",
		"SchedulerNotice(address,bytes32)",
		"OrdersMatched(bytes32,bytes32,bytes32,bytes32,bytes32,uint256)",
		"DealSponsored(bytes32,address)",
	};

	(void)state;
	world_init(&w);
	deposit(&w.c, &w.eve, 1000);
	deposit(&w.c, &w.wendy, 1000);
	set_default(&w, &s, 7);
	sign_all(&w, &s);
	/* computeDealVolume view */
	assert_true(chain_call(
	    &w.c, &w.eve.a, &w.c.cfg.hub, "computeDealVolume(" AO_T "," AO_T "," WO_T "," RO_T ")",
	    decc_abi_tuplev(4, poco_order_to_abi(&s.app), poco_order_to_abi(&s.ds),
			    poco_order_to_abi(&s.wp), poco_order_to_abi(&s.req))));
	assert_int_equal(out_u64(&w.c, 0), 3);
	/* sponsored by eve (carol has no funds) */
	assert_true(match_orders(&w.c, &w.eve.a, &s.app, &s.ds, &s.wp, &s.req, dealid, true));
	assert_int_equal(w.c.res.n_logs, 7);
	for (size_t i = 0; i < 7; i++) {
		poco_topic(want, order[i]);
		assert_memory_equal(w.c.res.logs[i].topics[0], want, 32);
	}
	order_hash(&w.c, rh, &s.req);
	decc_poco_deal_id(want, rh, &zero);
	assert_memory_equal(dealid, want, 32);
	assert_int_equal(frozen(&w.c, &w.eve.a), 315);
	assert_int_equal(frozen(&w.c, &w.wendy.a), 90);
	assert_int_equal(balance(&w.c, &w.c.cfg.hub), 405);
	assert_int_equal(decc_poco_consumed(&c, &w.c.m.st, rh), 0);
	assert_int_equal(c.w[0], 3);
	/* viewDeal: sponsor is eve, botSize 3, workerStake 30 */
	assert_true(chain_call(&w.c, &w.eve.a, &w.c.cfg.hub, "viewDeal(bytes32)",
			       decc_abi_tuplev(1, decc_abi_fixed_bytes(dealid, 32))));
	/* output: offset, then tuple; the static head: 3 resources (9 words), trust, category,
	 * tag, requester, beneficiary, callback, params offset, startTime, botFirst, botSize,
	 * workerStake, schedulerRewardRatio, sponsor */
	assert_int_equal(out_u64(&w.c, 1 + 9), 1);   /* trust max(0,1) */
	assert_int_equal(out_u64(&w.c, 1 + 17), 0);  /* botFirst */
	assert_int_equal(out_u64(&w.c, 1 + 18), 3);  /* botSize */
	assert_int_equal(out_u64(&w.c, 1 + 19), 30); /* workerStake */
	assert_int_equal(out_u64(&w.c, 1 + 20), 1);  /* schedulerRewardRatio */
	{
		decc_address sp = out_addr(&w.c, 1 + 21);

		assert_memory_equal(sp.b, w.eve.a.b, 20);
	}
	/* the request is exhausted: same orders again -> 0x60 */
	assert_false(do_match(&w, &s, NULL));
	assert_reverted(&w.c, "iExecV5-matchOrders-0x60");
	set_release(&s);
	chain_release(&w.c);
}

/* presign via manage*Order (SIGN) makes an empty sign acceptable; bad operation signer */
static void test_presign(void **state)
{
	struct world w;
	struct set s;
	uint8_t h[32];

	(void)state;
	world_init(&w);
	deposit(&w.c, &w.carol, 1000);
	deposit(&w.c, &w.wendy, 1000);
	set_default(&w, &s, 9);
	sign_all(&w, &s);
	decc_buf_reset(&s.app.sign);
	/* eve may not presign bob's order */
	assert_false(chain_call(
	    &w.c, &w.eve.a, &w.c.cfg.hub, "manageAppOrder((" AO_T ",uint8,bytes))",
	    decc_abi_tuplev(1, decc_abi_tuplev(3, poco_order_to_abi(&s.app), decc_abi_uint64(0),
					       decc_abi_bytes((const uint8_t *)"x", 1)))));
	assert_reverted(&w.c, "invalid-signature-format");
	/* a signature of the operation by the owner is accepted from anyone */
	{
		uint8_t ds[32], oph[32], sig[65];

		domain_sep(&w.c, ds);
		decc_order_operation_hash(oph, ds, &s.app, DECC_ORDER_OP_SIGN);
		assert_int_equal(decc_eth_sign_digest(sig, oph, w.bob.sk), 0);
		assert_true(chain_call(
		    &w.c, &w.eve.a, &w.c.cfg.hub, "manageAppOrder((" AO_T ",uint8,bytes))",
		    decc_abi_tuplev(1,
				    decc_abi_tuplev(3, poco_order_to_abi(&s.app),
						    decc_abi_uint64(0), decc_abi_bytes(sig, 65)))));
	}
	assert_true(log_has_topic(&w.c, "SignedAppOrder(bytes32)", NULL));
	order_hash(&w.c, h, &s.app);
	assert_true(chain_call(&w.c, &w.eve.a, &w.c.cfg.hub, "viewPresigned(bytes32)",
			       decc_abi_tuplev(1, decc_abi_fixed_bytes(h, 32))));
	{
		decc_address a = out_addr(&w.c, 0);

		assert_memory_equal(a.b, w.bob.a.b, 20);
	}
	assert_true(do_match(&w, &s, NULL));
	set_release(&s);
	chain_release(&w.c);
}

/* ---- tasks ---- */

static void auth_sign(struct world *w, uint8_t sig[65], const struct account *signer,
		      const decc_address *worker, const uint8_t taskid[32])
{
	uint8_t h[32];

	decc_poco_authorization_hash(h, worker, taskid, &DECC_ADDRESS_ZERO);
	assert_int_equal(decc_eip191_sign(sig, h, 32, signer->sk), 0);
	(void)w;
}

static bool initialize(struct world *w, const uint8_t dealid[32], uint64_t idx, uint8_t taskid[32])
{
	bool ok =
	    chain_call(&w->c, &w->wendy.a, &w->c.cfg.hub, "initialize(bytes32,uint256)",
		       decc_abi_tuplev(2, decc_abi_fixed_bytes(dealid, 32), decc_abi_uint64(idx)));
	if (ok)
		out_word(&w->c, 0, taskid);
	return ok;
}

static bool contribute(struct world *w, const struct account *worker, const uint8_t taskid[32],
		       const uint8_t digest[32])
{
	uint8_t rh[32], rs[32], sig[65];

	decc_poco_result_hash(rh, taskid, digest);
	decc_poco_result_seal(rs, &worker->a, taskid, digest);
	auth_sign(w, sig, &w->wendy, &worker->a, taskid);
	return chain_call(
	    &w->c, &worker->a, &w->c.cfg.hub,
	    "contribute(bytes32,bytes32,bytes32,address,bytes,bytes)",
	    decc_abi_tuplev(6, decc_abi_fixed_bytes(taskid, 32), decc_abi_fixed_bytes(rh, 32),
			    decc_abi_fixed_bytes(rs, 32), decc_abi_address(&DECC_ADDRESS_ZERO),
			    decc_abi_bytes(NULL, 0), decc_abi_bytes(sig, 65)));
}

static bool reveal(struct world *w, const struct account *worker, const uint8_t taskid[32],
		   const uint8_t digest[32])
{
	return chain_call(
	    &w->c, &worker->a, &w->c.cfg.hub, "reveal(bytes32,bytes32)",
	    decc_abi_tuplev(2, decc_abi_fixed_bytes(taskid, 32), decc_abi_fixed_bytes(digest, 32)));
}

static bool finalize(struct world *w, const struct account *from, const uint8_t taskid[32])
{
	return chain_call(&w->c, &from->a, &w->c.cfg.hub, "finalize(bytes32,bytes,bytes)",
			  decc_abi_tuplev(3, decc_abi_fixed_bytes(taskid, 32),
					  decc_abi_bytes((const uint8_t *)"/ipfs/Qm", 8),
					  decc_abi_bytes(NULL, 0)));
}

static bool contribute_and_finalize(struct world *w, const struct account *worker,
				    const uint8_t taskid[32], const uint8_t digest[32],
				    const struct account *signer)
{
	uint8_t sig[65];

	auth_sign(w, sig, signer, &worker->a, taskid);
	return chain_call(
	    &w->c, &worker->a, &w->c.cfg.hub,
	    "contributeAndFinalize(bytes32,bytes32,bytes,bytes,address,bytes,bytes)",
	    decc_abi_tuplev(7, decc_abi_fixed_bytes(taskid, 32), decc_abi_fixed_bytes(digest, 32),
			    decc_abi_bytes((const uint8_t *)"/ipfs/Qm", 8), decc_abi_bytes(NULL, 0),
			    decc_abi_address(&DECC_ADDRESS_ZERO), decc_abi_bytes(NULL, 0),
			    decc_abi_bytes(sig, 65)));
}

static void expect_accounts(struct world *w, uint64_t carol_b, uint64_t carol_f, uint64_t wendy_b,
			    uint64_t wendy_f, uint64_t w1_b, uint64_t w1_f, uint64_t w2_b,
			    uint64_t w2_f, uint64_t bob_b, uint64_t alice_b, uint64_t kitty_f)
{
	assert_int_equal(balance(&w->c, &w->carol.a), carol_b);
	assert_int_equal(frozen(&w->c, &w->carol.a), carol_f);
	assert_int_equal(balance(&w->c, &w->wendy.a), wendy_b);
	assert_int_equal(frozen(&w->c, &w->wendy.a), wendy_f);
	assert_int_equal(balance(&w->c, &w->w1.a), w1_b);
	assert_int_equal(frozen(&w->c, &w->w1.a), w1_f);
	assert_int_equal(balance(&w->c, &w->w2.a), w2_b);
	assert_int_equal(frozen(&w->c, &w->w2.a), w2_f);
	assert_int_equal(balance(&w->c, &w->bob.a), bob_b);
	assert_int_equal(balance(&w->c, &w->alice.a), alice_b);
	assert_int_equal(frozen(&w->c, &decc_poco_kitty_address), kitty_f);
	/* the hub holds exactly what is frozen (kitty included) */
	assert_int_equal(balance(&w->c, &w->c.cfg.hub), carol_f + wendy_f + w1_f + w2_f + kitty_f);
}

/* reference/poco.md §3.14 worked example, every balance after every step */
static void test_worked_example(void **state)
{
	struct world w;
	struct set s, s3;
	uint8_t dealid[32], deal3[32], t0[32], t1[32], t2[32], t3[32], digest[32] = { 0xd1 };
	uint64_t start;

	(void)state;
	world_init(&w);
	deposit(&w.c, &w.carol, 1000);
	deposit(&w.c, &w.wendy, 1000);
	deposit(&w.c, &w.w1, 100);
	deposit(&w.c, &w.w2, 100);
	set_default(&w, &s, 1);
	sign_all(&w, &s);
	start = w.c.now;
	assert_true(do_match(&w, &s, dealid));
	expect_accounts(&w, 685, 315, 910, 90, 100, 0, 100, 0, 0, 0, 0);

	/* task 0: contribute / reveal / finalize */
	assert_true(initialize(&w, dealid, 0, t0));
	assert_true(log_has_topic(&w.c, "TaskInitialize(bytes32,address)", NULL));
	assert_false(initialize(&w, dealid, 0, t0)); /* already initialized */
	assert_reverted(&w.c, NULL);
	assert_false(initialize(&w, dealid, 3, t0)); /* out of the deal */
	assert_reverted(&w.c, NULL);
	w.c.now += 10;
	assert_true(contribute(&w, &w.w1, t0, digest));
	assert_true(log_has_topic(&w.c, "TaskConsensus(bytes32,bytes32)", NULL));
	expect_accounts(&w, 685, 315, 910, 90, 70, 30, 100, 0, 0, 0, 0);
	assert_false(contribute(&w, &w.w1, t0, digest)); /* not ACTIVE any more */
	assert_false(finalize(&w, &w.wendy, t0));	 /* nothing revealed yet */
	assert_reverted(&w.c, NULL);
	assert_false(reveal(&w, &w.w2, t0, digest)); /* not a contributor */
	assert_true(reveal(&w, &w.w1, t0, digest));
	assert_false(finalize(&w, &w.eve, t0)); /* only the scheduler */
	assert_reverted(&w.c, NULL);
	assert_true(finalize(&w, &w.wendy, t0));
	expect_accounts(&w, 685, 210, 941, 60, 199, 0, 100, 0, 3, 2, 0);
	assert_true(chain_call(&w.c, &w.eve.a, &w.c.cfg.hub, "viewTask(bytes32)",
			       decc_abi_tuplev(1, decc_abi_fixed_bytes(t0, 32))));
	assert_int_equal(out_u64(&w.c, 1), 3); /* COMPLETED */
	assert_true(chain_call(&w.c, &w.eve.a, &w.c.cfg.hub, "resultFor(bytes32)",
			       decc_abi_tuplev(1, decc_abi_fixed_bytes(t0, 32))));

	/* task 1: contributeAndFinalize */
	assert_true(initialize(&w, dealid, 1, t1));
	assert_false(contribute_and_finalize(&w, &w.w2, t1, digest, &w.eve)); /* bad authorizer */
	assert_reverted(&w.c, NULL);
	assert_true(contribute_and_finalize(&w, &w.w2, t1, digest, &w.wendy));
	{
		static const char *const tail[] = { "TaskContribute(bytes32,address,bytes32)",
						    "TaskConsensus(bytes32,bytes32)",
						    "TaskReveal(bytes32,address,bytes32)",
						    "TaskFinalize(bytes32,bytes)" };
		size_t n = w.c.res.n_logs;
		uint8_t t[32];

		for (size_t i = 0; i < 4; i++) {
			poco_topic(t, tail[i]);
			assert_memory_equal(w.c.res.logs[n - 4 + i].topics[0], t, 32);
		}
	}
	expect_accounts(&w, 685, 105, 972, 30, 199, 0, 199, 0, 6, 4, 0);

	/* task 2: nobody works; claim after the final deadline (10 x 300 s) */
	assert_true(initialize(&w, dealid, 2, t2));
	w.c.now = start + 2999;
	assert_false(chain_call(&w.c, &w.eve.a, &w.c.cfg.hub, "claim(bytes32)",
				decc_abi_tuplev(1, decc_abi_fixed_bytes(t2, 32))));
	assert_reverted(&w.c, NULL);
	w.c.now = start + 3000;
	assert_true(chain_call(&w.c, &w.eve.a, &w.c.cfg.hub, "claim(bytes32)",
			       decc_abi_tuplev(1, decc_abi_fixed_bytes(t2, 32))));
	assert_true(log_has_topic(&w.c, "TaskClaimed(bytes32)", NULL));
	expect_accounts(&w, 790, 0, 972, 0, 199, 0, 199, 0, 6, 4, 30);

	/* trust 3 with two fresh workers: consensus at the 2nd contribution, 49 each,
	 * scheduler 2 + the whole kitty (30 < 1e9) */
	set_default(&w, &s3, 2);
	s3.req.trust = decc_u256_from_u64(3);
	s3.req.volume = decc_u256_from_u64(1);
	sign_all(&w, &s3);
	assert_true(do_match(&w, &s3, deal3));
	expect_accounts(&w, 685, 105, 942, 30, 199, 0, 199, 0, 6, 4, 30);
	assert_true(initialize(&w, deal3, 0, t3));
	assert_true(contribute(&w, &w.w1, t3, digest));
	assert_false(log_has_topic(&w.c, "TaskConsensus(bytes32,bytes32)", NULL));
	assert_true(contribute(&w, &w.w2, t3, digest));
	assert_true(log_has_topic(&w.c, "TaskConsensus(bytes32,bytes32)", NULL));
	assert_true(chain_call(&w.c, &w.eve.a, &w.c.cfg.hub, "viewTask(bytes32)",
			       decc_abi_tuplev(1, decc_abi_fixed_bytes(t3, 32))));
	assert_int_equal(out_u64(&w.c, 1), 2);	   /* REVEALING */
	assert_int_equal(out_u64(&w.c, 1 + 9), 2); /* winnerCounter */
	expect_accounts(&w, 685, 105, 942, 30, 169, 30, 169, 30, 6, 4, 30);
	assert_true(reveal(&w, &w.w1, t3, digest));
	assert_false(finalize(&w, &w.wendy, t3)); /* 1 of 2 revealed, deadline not passed */
	assert_true(reveal(&w, &w.w2, t3, digest));
	assert_true(finalize(&w, &w.wendy, t3));
	expect_accounts(&w, 685, 0, 1004, 0, 248, 0, 248, 0, 9, 6, 0);
	{
		decc_u256 sc;

		assert_int_equal(decc_poco_score(&sc, &w.c.m.st, &w.w1.a), 0);
		assert_int_equal(sc.w[0], 1);
	}
	/* supply conserved: deposits were 1000 + 1000 + 100 + 100 */
	{
		decc_u256 sup;

		assert_int_equal(decc_poco_total_supply(&sup, &w.c.m.st), 0);
		assert_int_equal(sup.w[0], 2200);
	}
	set_release(&s);
	set_release(&s3);
	chain_release(&w.c);
}

/* disagreeing workers, reopen after the reveal deadline, faulty contribution seized */
static void test_reopen_and_faulty(void **state)
{
	struct world w;
	struct set s;
	uint8_t dealid[32], t[32], d1[32] = { 1 }, d2[32] = { 2 };
	uint64_t start;

	(void)state;
	world_init(&w);
	deposit(&w.c, &w.carol, 1000);
	deposit(&w.c, &w.wendy, 1000);
	deposit(&w.c, &w.w1, 100);
	deposit(&w.c, &w.w2, 100);
	set_default(&w, &s, 3);
	s.req.trust = decc_u256_from_u64(2);
	s.req.volume = decc_u256_from_u64(1);
	sign_all(&w, &s);
	start = w.c.now;
	assert_true(do_match(&w, &s, dealid));
	assert_true(initialize(&w, dealid, 0, t));
	/* trust 2: one fresh contribution (group 2, total 3: 4 > 3) reaches consensus */
	assert_true(contribute(&w, &w.w1, t, d1));
	/* reveal deadline = now + 600; w1 never reveals; reopen by the scheduler */
	assert_false(chain_call(&w.c, &w.wendy.a, &w.c.cfg.hub, "reopen(bytes32)",
				decc_abi_tuplev(1, decc_abi_fixed_bytes(t, 32))));
	w.c.now += 600;
	assert_true(chain_call(&w.c, &w.wendy.a, &w.c.cfg.hub, "reopen(bytes32)",
			       decc_abi_tuplev(1, decc_abi_fixed_bytes(t, 32))));
	assert_true(log_has_topic(&w.c, "TaskReopen(bytes32)", NULL));
	/* w1 cannot contribute again; w2 contributes another result and reveals */
	assert_false(contribute(&w, &w.w1, t, d1));
	assert_true(contribute(&w, &w.w2, t, d2));
	assert_true(reveal(&w, &w.w2, t, d2));
	assert_true(finalize(&w, &w.wendy, t));
	assert_true(log_has_topic(&w.c, "FaultyContribution(address,bytes32)", NULL));
	assert_true(log_has_topic(&w.c, "AccurateContribution(address,bytes32)", NULL));
	/* w1's stake seized (70 left); total reward 100 + 30 = 130, workers 128 (130*99/100),
	 * w2 weight 1 of 1 -> 128; scheduler 2 */
	assert_int_equal(balance(&w.c, &w.w1.a), 70);
	assert_int_equal(frozen(&w.c, &w.w1.a), 0);
	assert_int_equal(balance(&w.c, &w.w2.a), 228);
	assert_int_equal(balance(&w.c, &w.wendy.a), 1000 - 30 + 30 + 2);
	assert_true(w.c.now < start + 3000);
	set_release(&s);
	chain_release(&w.c);
}

static void test_views_and_admin(void **state)
{
	struct world w;

	(void)state;
	world_init(&w);
	assert_true(
	    chain_call(&w.c, &w.eve.a, &w.c.cfg.hub, "countCategory()", decc_abi_tuple(0, NULL)));
	assert_int_equal(out_u64(&w.c, 0), 5);
	assert_true(chain_call(&w.c, &w.eve.a, &w.c.cfg.hub, "viewCategory(uint256)",
			       decc_abi_tuplev(1, decc_abi_uint64(4))));
	assert_int_equal(out_u64(&w.c, 3), 36000);
	assert_false(chain_call(&w.c, &w.eve.a, &w.c.cfg.hub, "viewCategory(uint256)",
				decc_abi_tuplev(1, decc_abi_uint64(5))));
	assert_reverted(&w.c, NULL);
	assert_false(chain_call(&w.c, &w.eve.a, &w.c.cfg.hub,
				"createCategory(string,string,uint256)",
				decc_abi_tuplev(3, decc_abi_string("XXL"), decc_abi_string(""),
						decc_abi_uint64(100000))));
	assert_reverted(&w.c, "Ownable: caller is not the owner");
	assert_true(chain_call(&w.c, &w.owner.a, &w.c.cfg.hub,
			       "createCategory(string,string,uint256)",
			       decc_abi_tuplev(3, decc_abi_string("XXL"), decc_abi_string(""),
					       decc_abi_uint64(100000))));
	assert_int_equal(out_u64(&w.c, 0), 5);
	assert_true(log_has_topic(&w.c, "CreateCategory(uint256,string,string,uint256)", NULL));
	/* domain() and the stored separator agree with decc_order_domain */
	{
		struct decc_eip712_domain d;
		uint8_t ds[32], got[32];

		decc_order_domain(&d, w.c.cfg.chain_id, &w.c.cfg.hub);
		decc_eip712_domain_separator(ds, &d);
		assert_true(chain_call(&w.c, &w.eve.a, &w.c.cfg.hub, "eip712domain_separator()",
				       decc_abi_tuple(0, NULL)));
		out_word(&w.c, 0, got);
		assert_memory_equal(got, ds, 32);
	}
	assert_true(
	    chain_call(&w.c, &w.eve.a, &w.c.cfg.hub, "appregistry()", decc_abi_tuple(0, NULL)));
	{
		decc_address a = out_addr(&w.c, 0);

		assert_memory_equal(a.b, w.c.cfg.app_registry.b, 20);
	}
	assert_false(chain_call(
	    &w.c, &w.owner.a, &w.c.cfg.hub,
	    "configure(address,string,string,uint8,address,address,address,"
	    "address)",
	    decc_abi_tuplev(
		8, decc_abi_address(&DECC_ADDRESS_ZERO), decc_abi_string("a"), decc_abi_string("b"),
		decc_abi_uint64(9), decc_abi_address(&DECC_ADDRESS_ZERO),
		decc_abi_address(&DECC_ADDRESS_ZERO), decc_abi_address(&DECC_ADDRESS_ZERO),
		decc_abi_address(&DECC_ADDRESS_ZERO))));
	assert_reverted(&w.c, "already-configured");
	assert_true(
	    chain_call(&w.c, &w.eve.a, &w.c.cfg.hub, "kitty_min()", decc_abi_tuple(0, NULL)));
	assert_int_equal(out_u64(&w.c, 0), 1000000000);
	assert_false(chain_call(&w.c, &w.eve.a, &w.c.cfg.hub, "resultFor(bytes32)",
				decc_abi_tuplev(1, decc_abi_fixed_bytes(w.app.b, 20))));
	assert_reverted(&w.c, "task-pending");
	chain_release(&w.c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registries),	  cmocka_unit_test(test_escrow),
		cmocka_unit_test(test_match_reverts),	  cmocka_unit_test(test_match_ok),
		cmocka_unit_test(test_presign),		  cmocka_unit_test(test_worked_example),
		cmocka_unit_test(test_reopen_and_faulty), cmocka_unit_test(test_views_and_admin),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
