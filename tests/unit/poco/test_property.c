/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Property test: a few thousand random operations (seeded PRNG) through the executor, and
 * after each one: the SRLC supply equals the sum of all balances and only deposit/withdraw
 * change it; the hub's own balance equals the sum of frozen amounts (kitty included); no
 * amount is absurdly large (a u256 underflow would show as one); consumed <= volume for
 * every order used.
 */
#include "harness.h"

#define N_ACC 8
#define N_OPS 2500

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return x;
}

static unsigned pick(unsigned n)
{
	return (unsigned)(rnd() % n);
}

struct model {
	struct chain c;
	struct account
	    acc[N_ACC]; /* 0 owner, 1 app, 2 dataset, 3 pool, 4-5 requesters, 6-7 workers */
	decc_address app, dataset, pool;
	uint8_t deals[64][32];
	size_t n_deals;
	uint8_t tasks[256][32];
	size_t n_tasks;
	uint8_t hashes[512][32];
	uint64_t volumes[512];
	size_t n_hashes;
	uint64_t supply;
	uint64_t salt;
};

static void remember(struct model *m, const struct decc_order *o)
{
	if (m->n_hashes < DECC_ARRAY_SIZE(m->hashes)) {
		order_hash(&m->c, m->hashes[m->n_hashes], o);
		m->volumes[m->n_hashes++] = o->volume.w[0];
	}
}

static void op_match(struct model *m)
{
	struct decc_order app, ds, wp, req;
	const struct account *requester = &m->acc[4 + pick(2)];
	bool with_dataset = pick(2);
	uint8_t dealid[32];

	decc_order_init(&app, DECC_ORDER_APP);
	decc_order_init(&ds, DECC_ORDER_DATASET);
	decc_order_init(&wp, DECC_ORDER_WORKERPOOL);
	decc_order_init(&req, DECC_ORDER_REQUEST);
	m->salt++;
	app.app = m->app;
	app.price = decc_u256_from_u64(pick(20));
	app.volume = decc_u256_from_u64(1 + pick(4));
	memcpy(app.salt, &m->salt, 8);
	if (with_dataset) {
		ds.dataset = m->dataset;
		ds.price = decc_u256_from_u64(pick(10));
		ds.volume = decc_u256_from_u64(1 + pick(4));
		memcpy(ds.salt, &m->salt, 8);
	}
	wp.workerpool = m->pool;
	wp.price = decc_u256_from_u64(pick(200));
	wp.volume = decc_u256_from_u64(1 + pick(4));
	wp.trust = decc_u256_from_u64(5);
	memcpy(wp.salt, &m->salt, 8);
	req.app = m->app;
	req.dataset = ds.dataset;
	req.appmaxprice = app.price;
	req.datasetmaxprice = ds.price;
	req.workerpoolmaxprice = decc_u256_from_u64(pick(250));
	req.requester = requester->a;
	req.volume = decc_u256_from_u64(1 + pick(4));
	req.trust = decc_u256_from_u64(pick(4));
	memcpy(req.salt, &m->salt, 8);
	sign_order(&m->c, &app, &m->acc[1]);
	if (with_dataset)
		sign_order(&m->c, &ds, &m->acc[2]);
	sign_order(&m->c, &wp, &m->acc[3]);
	sign_order(&m->c, &req, requester);
	remember(m, &app);
	if (with_dataset)
		remember(m, &ds);
	remember(m, &wp);
	remember(m, &req);
	if (match_orders(&m->c, &m->acc[pick(N_ACC)].a, &app, &ds, &wp, &req, dealid, false) &&
	    m->n_deals < DECC_ARRAY_SIZE(m->deals))
		memcpy(m->deals[m->n_deals++], dealid, 32);
	decc_order_release(&app);
	decc_order_release(&ds);
	decc_order_release(&wp);
	decc_order_release(&req);
}

static void op_initialize(struct model *m)
{
	uint8_t taskid[32];

	if (!m->n_deals)
		return;
	if (chain_call(&m->c, &m->acc[3].a, &m->c.cfg.hub, "initialize(bytes32,uint256)",
		       decc_abi_tuplev(2, decc_abi_fixed_bytes(m->deals[pick(m->n_deals)], 32),
				       decc_abi_uint64(pick(4)))) &&
	    m->n_tasks < DECC_ARRAY_SIZE(m->tasks)) {
		out_word(&m->c, 0, taskid);
		memcpy(m->tasks[m->n_tasks++], taskid, 32);
	}
}

static void op_contribute(struct model *m, bool fast)
{
	const struct account *w = &m->acc[6 + pick(2)];
	uint8_t digest[32] = { (uint8_t)pick(2) }, rh[32], rs[32], h[32], sig[65];
	const uint8_t *taskid;

	if (!m->n_tasks)
		return;
	taskid = m->tasks[pick(m->n_tasks)];
	decc_poco_authorization_hash(h, &w->a, taskid, &DECC_ADDRESS_ZERO);
	assert_int_equal(decc_eip191_sign(sig, h, 32, m->acc[3].sk), 0);
	if (fast) {
		chain_call(&m->c, &w->a, &m->c.cfg.hub,
			   "contributeAndFinalize(bytes32,bytes32,bytes,bytes,address,bytes,bytes)",
			   decc_abi_tuplev(7, decc_abi_fixed_bytes(taskid, 32),
					   decc_abi_fixed_bytes(digest, 32),
					   decc_abi_bytes(NULL, 0), decc_abi_bytes(NULL, 0),
					   decc_abi_address(&DECC_ADDRESS_ZERO),
					   decc_abi_bytes(NULL, 0), decc_abi_bytes(sig, 65)));
		return;
	}
	decc_poco_result_hash(rh, taskid, digest);
	decc_poco_result_seal(rs, &w->a, taskid, digest);
	chain_call(
	    &m->c, &w->a, &m->c.cfg.hub, "contribute(bytes32,bytes32,bytes32,address,bytes,bytes)",
	    decc_abi_tuplev(6, decc_abi_fixed_bytes(taskid, 32), decc_abi_fixed_bytes(rh, 32),
			    decc_abi_fixed_bytes(rs, 32), decc_abi_address(&DECC_ADDRESS_ZERO),
			    decc_abi_bytes(NULL, 0), decc_abi_bytes(sig, 65)));
}

static void op_reveal(struct model *m)
{
	uint8_t digest[32] = { (uint8_t)pick(2) };

	if (!m->n_tasks)
		return;
	chain_call(&m->c, &m->acc[6 + pick(2)].a, &m->c.cfg.hub, "reveal(bytes32,bytes32)",
		   decc_abi_tuplev(2, decc_abi_fixed_bytes(m->tasks[pick(m->n_tasks)], 32),
				   decc_abi_fixed_bytes(digest, 32)));
}

static void op_task_call(struct model *m, const char *sig)
{
	if (!m->n_tasks)
		return;
	chain_call(&m->c, &m->acc[3].a, &m->c.cfg.hub, sig,
		   decc_abi_tuplev(1, decc_abi_fixed_bytes(m->tasks[pick(m->n_tasks)], 32)));
}

static void op_finalize(struct model *m)
{
	if (!m->n_tasks)
		return;
	chain_call(&m->c, &m->acc[3].a, &m->c.cfg.hub, "finalize(bytes32,bytes,bytes)",
		   decc_abi_tuplev(3, decc_abi_fixed_bytes(m->tasks[pick(m->n_tasks)], 32),
				   decc_abi_bytes(NULL, 0), decc_abi_bytes(NULL, 0)));
}

static void op_deposit(struct model *m)
{
	uint64_t v = 1 + pick(500);

	deposit(&m->c, &m->acc[pick(N_ACC)], v);
	m->supply += v;
}

static void op_withdraw(struct model *m)
{
	uint64_t v = pick(300);

	if (chain_call(&m->c, &m->acc[pick(N_ACC)].a, &m->c.cfg.hub, "withdraw(uint256)",
		       decc_abi_tuplev(1, decc_abi_uint64(v))))
		m->supply -= v;
}

static void op_transfer(struct model *m)
{
	chain_call(&m->c, &m->acc[pick(N_ACC)].a, &m->c.cfg.hub, "transfer(address,uint256)",
		   decc_abi_tuplev(2, decc_abi_address(&m->acc[pick(N_ACC)].a),
				   decc_abi_uint64(pick(100))));
}

static void check(struct model *m)
{
	uint64_t sum = 0, frozen_sum = 0;
	decc_u256 sup;

	for (int i = 0; i < N_ACC; i++) {
		uint64_t b = balance(&m->c, &m->acc[i].a), f = frozen(&m->c, &m->acc[i].a);

		assert_true(b < (1ULL << 40) && f < (1ULL << 40));
		sum += b;
		frozen_sum += f;
	}
	frozen_sum += frozen(&m->c, &decc_poco_kitty_address);
	sum += balance(&m->c, &decc_poco_kitty_address);
	sum += balance(&m->c, &m->c.cfg.hub);
	assert_int_equal(balance(&m->c, &m->c.cfg.hub), frozen_sum);
	assert_int_equal(decc_poco_total_supply(&sup, &m->c.m.st), 0);
	assert_int_equal(sup.w[0], m->supply);
	assert_int_equal(sum, m->supply);
	for (size_t i = 0; i < m->n_hashes; i++) {
		decc_u256 c;

		assert_int_equal(decc_poco_consumed(&c, &m->c.m.st, m->hashes[i]), 0);
		assert_true(c.w[0] <= m->volumes[i] && c.w[1] == 0);
	}
}

static void test_random_ops(void **state)
{
	struct model *m = calloc(1, sizeof(*m));
	unsigned matched = 0, completed = 0;

	(void)state;
	assert_non_null(m);
	for (int i = 0; i < N_ACC; i++)
		m->acc[i] = account_n((unsigned)(100 + i));
	chain_init(&m->c, &m->acc[0]);
	m->app = create_app(&m->c, &m->acc[1], "a");
	m->dataset = create_dataset(&m->c, &m->acc[2], "d");
	m->pool = create_workerpool(&m->c, &m->acc[3], "p");
	for (int i = 3; i < N_ACC; i++) {
		deposit(&m->c, &m->acc[i], 2000);
		m->supply += 2000;
	}
	for (int op = 0; op < N_OPS; op++) {
		size_t before = m->n_deals;

		switch (pick(12)) {
		case 0:
			op_deposit(m);
			break;
		case 1:
			op_withdraw(m);
			break;
		case 2:
			op_transfer(m);
			break;
		case 3:
		case 4:
			op_match(m);
			break;
		case 5:
			op_initialize(m);
			break;
		case 6:
			op_contribute(m, false);
			break;
		case 7:
			op_contribute(m, true);
			break;
		case 8:
			op_reveal(m);
			break;
		case 9:
			op_finalize(m);
			break;
		case 10:
			op_task_call(m, "claim(bytes32)");
			break;
		default:
			m->c.now += 1 + pick(120);
			break;
		}
		if (m->n_deals > before)
			matched++;
		if (m->c.res.success && m->c.res.n_logs &&
		    log_has_topic(&m->c, "TaskFinalize(bytes32,bytes)", NULL))
			completed++;
		check(m);
	}
	print_message("matched %u deals, completed %u tasks\n", matched, completed);
	/* the sequence exercised the main paths (the test would be vacuous otherwise) */
	assert_true(matched > 20);
	assert_true(completed > 5);
	chain_release(&m->c);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_ops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
