/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Task lifecycle (§3, IexecPoco2Facet): initialize, contribute, reveal, reopen, finalize,
 * contributeAndFinalize, claim and their array forms; consensus, rewards, seizures, kitty,
 * scores. Like the contract, every require() of this facet reverts without a reason.
 *
 * Callbacks (§3.13): the contract calls deal.callback with receiveResult(taskid, results
 * callback) and ignores the outcome. On decc node there is no user code to run: a callback
 * to an EOA is a successful empty call and a native contract has no receiveResult, so both
 * outcomes are ignored as on chain; the data stays readable with resultFor(taskid) and in
 * viewTask, which is how consumers read it here.
 */
#include "internal.h"

#define REQ(cond)                                                                                  \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			r = poco_revert(p, NULL);                                                  \
			goto out;                                                                  \
		}                                                                                  \
	} while (0)
#define CHECK(expr)                                                                                \
	do {                                                                                       \
		r = (expr);                                                                        \
		if (r < 0)                                                                         \
			goto out;                                                                  \
	} while (0)

static decc_u256 U(uint64_t v)
{
	return decc_u256_from_u64(v);
}

static int emit_task(struct poco *p, const char *sig, const uint8_t taskid[32],
		     const decc_address *indexed_addr, const uint8_t *data, size_t len)
{
	uint8_t topics[3][32];
	size_t n = 2;

	poco_topic(topics[0], sig);
	memcpy(topics[1], taskid, 32);
	if (indexed_addr)
		poco_addr_word(topics[n++], indexed_addr);
	return poco_log(p, &p->cfg->hub, n, topics, data, len);
}

static int emit_bytes_event(struct poco *p, const char *sig, const uint8_t taskid[32],
			    const struct decc_buf *b)
{
	uint8_t topics[2][32];
	struct decc_abi_value *items[1] = { decc_abi_bytes(b->data, b->len) };

	poco_topic(topics[0], sig);
	memcpy(topics[1], taskid, 32);
	return poco_log_abi(p, &p->cfg->hub, 2, topics, "(bytes)", decc_abi_tuple(1, items));
}

static int emit_worker_task(struct poco *p, const char *sig, const decc_address *w,
			    const uint8_t taskid[32])
{
	uint8_t topics[3][32];

	poco_topic(topics[0], sig);
	poco_addr_word(topics[1], w);
	memcpy(topics[2], taskid, 32);
	return poco_log(p, &p->cfg->hub, 3, topics, NULL, 0);
}

/* ---- initialize ---- */

static int do_initialize(struct poco *p, uint8_t taskid[32], const uint8_t dealid[32],
			 const decc_u256 *idx)
{
	struct poco_deal d;
	struct poco_task t;
	struct decc_buf name = DECC_BUF_INIT, desc = DECC_BUF_INIT;
	decc_u256 end, v;
	bool found;
	int r = 0;

	poco_deal_init(&d);
	poco_task_init(&t);
	CHECK(poco_deal_get(p, &d, dealid));
	REQ(decc_u256_cmp(idx, &d.bot_first) >= 0);
	CHECK(poco_add(p, &end, &d.bot_first, &d.bot_size));
	REQ(decc_u256_cmp(idx, &end) < 0);
	decc_poco_task_id(taskid, dealid, idx);
	CHECK(poco_task_get(p, &t, taskid));
	REQ(t.status == TASK_UNSET);
	t.status = TASK_ACTIVE;
	memcpy(t.dealid, dealid, 32);
	t.idx = *idx;
	CHECK(poco_category_get(p, &found, &name, &desc, &t.timeref, &d.category));
	if (!found) {
		r = poco_panic(p, PANIC_ARRAY);
		goto out;
	}
	v = U(7);
	CHECK(poco_mul(p, &v, &t.timeref, &v));
	CHECK(poco_add(p, &t.contribution_deadline, &d.start_time, &v));
	v = U(10);
	CHECK(poco_mul(p, &v, &t.timeref, &v));
	CHECK(poco_add(p, &t.final_deadline, &d.start_time, &v));
	t.consensus_total = U(1);
	CHECK(poco_task_put(p, taskid, &t));
	{
		uint8_t topics[3][32];

		poco_topic(topics[0], "TaskInitialize(bytes32,address)");
		memcpy(topics[1], taskid, 32);
		poco_addr_word(topics[2], &d.workerpool.pointer);
		CHECK(poco_log(p, &p->cfg->hub, 3, topics, NULL, 0));
	}
out:
	decc_buf_release(&name);
	decc_buf_release(&desc);
	poco_deal_release(&d);
	poco_task_release(&t);
	return r;
}

static int fn_initialize(struct poco *p, const struct decc_abi_value *args)
{
	uint8_t dealid[32], taskid[32];
	decc_u256 idx;

	poco_arg_b32(dealid, args, 0);
	poco_arg_u256(&idx, args, 1);
	DECC_TRY(do_initialize(p, taskid, dealid, &idx));
	return poco_return_word(p, taskid);
}

/* ---- escrow outcomes ---- */

static const decc_address *kitty(void)
{
	return &decc_poco_kitty_address;
}

static int task_price(struct poco *p, decc_u256 *price, decc_u256 *poolstake,
		      const struct poco_deal *d)
{
	decc_u256 v = U(30), h = U(100);

	DECC_TRY(poco_add(p, price, &d->app.price, &d->dataset.price));
	DECC_TRY(poco_add(p, price, price, &d->workerpool.price));
	DECC_TRY(poco_mul(p, poolstake, &d->workerpool.price, &v));
	return poco_div(p, poolstake, poolstake, &h);
}

static int success_work(struct poco *p, const struct poco_deal *d, const uint8_t taskid[32])
{
	decc_u256 price, stake, k, v, h = U(100), min = U(DECC_POCO_KITTY_MIN);

	DECC_TRY(task_price(p, &price, &stake, d));
	DECC_TRY(poco_seize(p, &d->sponsor, &price, taskid));
	if (!decc_u256_is_zero(&d->app.price))
		DECC_TRY(poco_reward(p, &d->app.owner, &d->app.price, taskid));
	if (!decc_u256_is_zero(&d->dataset.price) && !decc_address_is_zero(&d->dataset.pointer))
		DECC_TRY(poco_reward(p, &d->dataset.owner, &d->dataset.price, taskid));
	DECC_TRY(poco_unlock(p, &d->workerpool.owner, &stake));
	DECC_TRY(poco_frozen(p, &k, kitty()));
	if (!decc_u256_is_zero(&k)) {
		v = U(10);
		DECC_TRY(poco_mul(p, &v, &k, &v));
		DECC_TRY(poco_div(p, &v, &v, &h));
		if (decc_u256_cmp(&v, &min) < 0)
			v = min;
		if (decc_u256_cmp(&v, &k) > 0)
			v = k;
		DECC_TRY(poco_seize(p, kitty(), &v, taskid));
		DECC_TRY(poco_reward(p, &d->workerpool.owner, &v, taskid));
	}
	return 0;
}

static int failed_work(struct poco *p, const struct poco_deal *d, const uint8_t taskid[32])
{
	decc_u256 price, stake, k;

	DECC_TRY(task_price(p, &price, &stake, d));
	DECC_TRY(poco_unlock(p, &d->sponsor, &price));
	DECC_TRY(poco_seize(p, &d->workerpool.owner, &stake, taskid));
	DECC_TRY(poco_frozen(p, &k, kitty()));
	DECC_TRY(poco_add(p, &k, &k, &stake));
	DECC_TRY(poco_set_frozen(p, kitty(), &k));
	DECC_TRY(poco_emit_reward(p, kitty(), &stake, taskid));
	return poco_emit_lock(p, kitty(), &stake);
}

/* floor(a * b / c) without intermediate overflow (OpenZeppelin Math.mulDiv); c != 0 */
static int mul_div(struct poco *p, decc_u256 *out, const decc_u256 *a, const decc_u256 *b,
		   const decc_u256 *c)
{
	decc_u256 prod, q, rem;

	if (decc_u256_is_zero(c))
		return poco_panic(p, PANIC_DIV_ZERO);
	if (!decc_u256_mul(&prod, a, b)) {
		decc_u256_divmod(&q, &rem, &prod, c);
		*out = q;
		return 0;
	}
	/* 512-bit path: long division bit by bit */
	{
		uint64_t w[8] = { 0 };
		decc_u256 r = DECC_U256_ZERO, res = DECC_U256_ZERO;

		for (int i = 0; i < 4; i++) {
			unsigned __int128 carry = 0;

			for (int j = 0; j < 4; j++) {
				unsigned __int128 t =
				    (unsigned __int128)a->w[i] * b->w[j] + w[i + j] + carry;
				w[i + j] = (uint64_t)t;
				carry = t >> 64;
			}
			w[i + 4] = (uint64_t)carry;
		}
		for (int bit = 511; bit >= 0; bit--) {
			bool top = r.w[3] >> 63;
			decc_u256 t;

			for (int i = 3; i > 0; i--)
				r.w[i] = (r.w[i] << 1) | (r.w[i - 1] >> 63);
			r.w[0] = (r.w[0] << 1) | ((w[bit / 64] >> (bit % 64)) & 1);
			if (top || decc_u256_cmp(&r, c) >= 0) {
				decc_u256_sub(&t, &r, c);
				r = t;
				if (bit >= 256)
					return poco_panic(p, PANIC_OVERFLOW); /* result > 2^256 */
				res.w[bit / 64] |= (uint64_t)1 << (bit % 64);
			}
		}
		*out = res;
	}
	return 0;
}

static int distribute_rewards(struct poco *p, const struct poco_deal *d, const struct poco_task *t,
			      const uint8_t taskid[32])
{
	decc_u256 total_weight = DECC_U256_ZERO, total = d->workerpool.price, workers, v;
	struct poco_contribution c;

	for (size_t i = 0; i < t->n_contributors; i++) {
		DECC_TRY(poco_contrib_get(p, &c, taskid, &t->contributors[i]));
		if (c.status == CONTRIB_PROVED)
			DECC_TRY(poco_add(p, &total_weight, &total_weight, &c.weight));
		else
			DECC_TRY(poco_add(p, &total, &total, &d->worker_stake));
	}
	v = U(100);
	DECC_TRY(poco_sub(p, &v, &v, &d->scheduler_ratio));
	DECC_TRY(poco_mul(p, &workers, &total, &v));
	v = U(100);
	DECC_TRY(poco_div(p, &workers, &workers, &v));
	for (size_t i = 0; i < t->n_contributors; i++) {
		const decc_address *w = &t->contributors[i];
		decc_u256 score, reward;

		DECC_TRY(poco_contrib_get(p, &c, taskid, w));
		DECC_TRY(poco_score(p, &score, w));
		if (c.status == CONTRIB_PROVED) {
			DECC_TRY(mul_div(p, &reward, &workers, &c.weight, &total_weight));
			DECC_TRY(poco_sub(p, &total, &total, &reward));
			DECC_TRY(poco_unlock(p, w, &d->worker_stake));
			DECC_TRY(poco_reward(p, w, &reward, taskid));
			if (t->n_contributors > 1) {
				v = U(1);
				DECC_TRY(poco_add(p, &score, &score, &v));
				DECC_TRY(poco_set_score(p, w, &score));
				DECC_TRY(emit_worker_task(
				    p, "AccurateContribution(address,bytes32)", w, taskid));
			}
		} else {
			decc_u256 two = U(2), three = U(3);

			DECC_TRY(poco_seize(p, w, &d->worker_stake, taskid));
			DECC_TRY(mul_div(p, &score, &score, &two, &three));
			DECC_TRY(poco_set_score(p, w, &score));
			DECC_TRY(
			    emit_worker_task(p, "FaultyContribution(address,bytes32)", w, taskid));
		}
	}
	return poco_reward(p, &d->workerpool.owner, &total, taskid);
}

static int distribute_rewards_fast(struct poco *p, const struct poco_deal *d,
				   const uint8_t taskid[32])
{
	decc_u256 v = U(100), worker, sched;

	DECC_TRY(poco_sub(p, &v, &v, &d->scheduler_ratio));
	DECC_TRY(poco_mul(p, &worker, &d->workerpool.price, &v));
	v = U(100);
	DECC_TRY(poco_div(p, &worker, &worker, &v));
	DECC_TRY(poco_sub(p, &sched, &d->workerpool.price, &worker));
	DECC_TRY(poco_reward(p, &p->sender, &worker, taskid));
	return poco_reward(p, &d->workerpool.owner, &sched, taskid);
}

/* the scheduler (or TEE broker) authorization and the enclave signature, §3.5 */
static int check_signatures(struct poco *p, bool *ok, const struct poco_deal *d,
			    const uint8_t taskid[32], const decc_address *enclave,
			    const uint8_t rh[32], const uint8_t rs[32],
			    const struct decc_buf *esign, const struct decc_buf *asign)
{
	uint8_t msg[72];
	decc_address broker, signer;

	DECC_TRY(poco_config_addr(p, &broker, 'b'));
	signer = (!decc_address_is_zero(enclave) && !decc_address_is_zero(&broker))
		     ? broker
		     : d->workerpool.owner;
	memcpy(msg, p->sender.b, 20);
	memcpy(msg + 20, taskid, 32);
	memcpy(msg + 52, enclave->b, 20);
	DECC_TRY(poco_verify_eth_signed(p, ok, &signer, msg, 72, asign->data, asign->len));
	if (!*ok || decc_address_is_zero(enclave))
		return 0;
	memcpy(msg, rh, 32);
	memcpy(msg + 32, rs, 32);
	return poco_verify_eth_signed(p, ok, enclave, msg, 64, esign->data, esign->len);
}

static unsigned log2_floor(const decc_u256 *v)
{
	for (int i = 3; i >= 0; i--)
		if (v->w[i])
			return (unsigned)(64 * i + 63 - __builtin_clzll(v->w[i]));
	return 0;
}

static int check_consensus(struct poco *p, struct poco_task *t, const struct poco_deal *d,
			   const uint8_t taskid[32], const uint8_t h[32])
{
	decc_u256 group, lhs, rhs, tm1, v;
	uint64_t winners = 0;

	DECC_TRY(poco_group_get(p, &group, taskid, h));
	DECC_TRY(poco_mul(p, &lhs, &group, &d->trust));
	v = U(1);
	DECC_TRY(poco_sub(p, &tm1, &d->trust, &v));
	DECC_TRY(poco_mul(p, &rhs, &t->consensus_total, &tm1));
	if (decc_u256_cmp(&lhs, &rhs) <= 0)
		return 0;
	for (size_t i = 0; i < t->n_contributors; i++) {
		struct poco_contribution c;

		DECC_TRY(poco_contrib_get(p, &c, taskid, &t->contributors[i]));
		if (memcmp(c.result_hash, h, 32) == 0 && c.status == CONTRIB_CONTRIBUTED)
			winners++;
	}
	t->status = TASK_REVEALING;
	memcpy(t->consensus_value, h, 32);
	v = U(2);
	DECC_TRY(poco_mul(p, &v, &t->timeref, &v));
	DECC_TRY(poco_add(p, &t->reveal_deadline, &p->now, &v));
	t->reveal_counter = DECC_U256_ZERO;
	t->winner_counter = U(winners);
	return emit_task(p, "TaskConsensus(bytes32,bytes32)", taskid, NULL, h, 32);
}

static int fn_contribute(struct poco *p, const struct decc_abi_value *args)
{
	struct poco_task t;
	struct poco_deal d;
	struct poco_contribution c;
	uint8_t taskid[32], rh[32], rs[32];
	decc_address enclave;
	decc_u256 score, w, g, delta, v;
	bool ok;
	int r = 0;

	poco_task_init(&t);
	poco_deal_init(&d);
	poco_arg_b32(taskid, args, 0);
	poco_arg_b32(rh, args, 1);
	poco_arg_b32(rs, args, 2);
	poco_arg_addr(&enclave, args, 3);
	CHECK(poco_task_get(p, &t, taskid));
	CHECK(poco_contrib_get(p, &c, taskid, &p->sender));
	CHECK(poco_deal_get(p, &d, t.dealid));
	REQ(t.status == TASK_ACTIVE);
	REQ(decc_u256_cmp(&t.contribution_deadline, &p->now) > 0);
	REQ(c.status == CONTRIB_UNSET);
	REQ(!decc_address_is_zero(&enclave) || (d.tag[31] & 1) == 0);
	CHECK(check_signatures(p, &ok, &d, taskid, &enclave, rh, rs, &args->items[4]->bytes,
			       &args->items[5]->bytes));
	REQ(ok);
	c.status = CONTRIB_CONTRIBUTED;
	memcpy(c.result_hash, rh, 32);
	memcpy(c.result_seal, rs, 32);
	c.enclave = enclave;
	CHECK(poco_task_push_contributor(&t, &p->sender));
	CHECK(poco_lock(p, &p->sender, &d.worker_stake));
	CHECK(emit_task(p, "TaskContribute(bytes32,address,bytes32)", taskid, &p->sender, rh, 32));

	/* score policy 1/3 */
	CHECK(poco_score(p, &score, &p->sender));
	v = U(3);
	CHECK(poco_div(p, &w, &score, &v));
	if (decc_u256_cmp(&w, &v) < 0)
		w = v;
	v = U(1);
	CHECK(poco_sub(p, &w, &w, &v));
	CHECK(poco_group_get(p, &g, taskid, rh));
	v = decc_u256_is_zero(&g) ? U(1) : g;
	CHECK(poco_mul(p, &delta, &v, &w));
	CHECK(poco_sub(p, &delta, &delta, &g));
	c.weight = U(log2_floor(&w));
	CHECK(poco_add(p, &g, &g, &delta));
	CHECK(poco_group_put(p, taskid, rh, &g));
	CHECK(poco_add(p, &t.consensus_total, &t.consensus_total, &delta));
	CHECK(poco_contrib_put(p, taskid, &p->sender, &c));
	CHECK(check_consensus(p, &t, &d, taskid, rh));
	CHECK(poco_task_put(p, taskid, &t));
out:
	poco_task_release(&t);
	poco_deal_release(&d);
	return r;
}

static int fn_contribute_and_finalize(struct poco *p, const struct decc_abi_value *args)
{
	struct poco_task t;
	struct poco_deal d;
	struct poco_contribution c;
	uint8_t taskid[32], digest[32], rh[32], rs[32], cbh[32];
	const struct decc_buf *results = &args->items[2]->bytes, *cb = &args->items[3]->bytes;
	decc_address enclave;
	decc_u256 one = U(1), v;
	bool ok;
	int r = 0;

	poco_task_init(&t);
	poco_deal_init(&d);
	poco_arg_b32(taskid, args, 0);
	poco_arg_b32(digest, args, 1);
	poco_arg_addr(&enclave, args, 4);
	CHECK(poco_task_get(p, &t, taskid));
	CHECK(poco_contrib_get(p, &c, taskid, &p->sender));
	CHECK(poco_deal_get(p, &d, t.dealid));
	REQ(t.status == TASK_ACTIVE);
	REQ(decc_u256_cmp(&t.contribution_deadline, &p->now) > 0);
	REQ(t.n_contributors == 0);
	REQ(decc_u256_cmp(&d.trust, &one) == 0);
	decc_poco_result_hash(rh, taskid, digest);
	decc_poco_result_seal(rs, &p->sender, taskid, digest);
	decc_keccak256(cbh, cb->data, cb->len);
	REQ((decc_address_is_zero(&d.callback) && cb->len == 0) || memcmp(cbh, digest, 32) == 0);
	REQ(!decc_address_is_zero(&enclave) || (d.tag[31] & 1) == 0);
	CHECK(check_signatures(p, &ok, &d, taskid, &enclave, rh, rs, &args->items[5]->bytes,
			       &args->items[6]->bytes));
	REQ(ok);
	c.status = CONTRIB_PROVED;
	memcpy(c.result_hash, rh, 32);
	memcpy(c.result_seal, rs, 32);
	c.enclave = enclave;
	CHECK(poco_contrib_put(p, taskid, &p->sender, &c));
	t.status = TASK_COMPLETED;
	memcpy(t.consensus_value, rh, 32);
	v = U(2);
	CHECK(poco_mul(p, &v, &t.timeref, &v));
	CHECK(poco_add(p, &t.reveal_deadline, &p->now, &v));
	t.reveal_counter = one;
	t.winner_counter = one;
	memcpy(t.result_digest, digest, 32);
	decc_buf_reset(&t.results);
	CHECK(decc_buf_append(&t.results, results->data, results->len));
	decc_buf_reset(&t.results_callback);
	CHECK(decc_buf_append(&t.results_callback, cb->data, cb->len));
	CHECK(poco_task_push_contributor(&t, &p->sender));
	CHECK(poco_task_put(p, taskid, &t));
	CHECK(success_work(p, &d, taskid));
	CHECK(distribute_rewards_fast(p, &d, taskid));
	CHECK(emit_task(p, "TaskContribute(bytes32,address,bytes32)", taskid, &p->sender, rh, 32));
	CHECK(emit_task(p, "TaskConsensus(bytes32,bytes32)", taskid, NULL, rh, 32));
	CHECK(emit_task(p, "TaskReveal(bytes32,address,bytes32)", taskid, &p->sender, digest, 32));
	CHECK(emit_bytes_event(p, "TaskFinalize(bytes32,bytes)", taskid, results));
out:
	poco_task_release(&t);
	poco_deal_release(&d);
	return r;
}

static int fn_reveal(struct poco *p, const struct decc_abi_value *args)
{
	struct poco_task t;
	struct poco_contribution c;
	uint8_t taskid[32], digest[32], h[32];
	decc_u256 one = U(1);
	int r = 0;

	poco_task_init(&t);
	poco_arg_b32(taskid, args, 0);
	poco_arg_b32(digest, args, 1);
	CHECK(poco_task_get(p, &t, taskid));
	CHECK(poco_contrib_get(p, &c, taskid, &p->sender));
	REQ(t.status == TASK_REVEALING);
	REQ(decc_u256_cmp(&t.reveal_deadline, &p->now) > 0);
	REQ(c.status == CONTRIB_CONTRIBUTED);
	REQ(memcmp(c.result_hash, t.consensus_value, 32) == 0);
	decc_poco_result_hash(h, taskid, digest);
	REQ(memcmp(c.result_hash, h, 32) == 0);
	decc_poco_result_seal(h, &p->sender, taskid, digest);
	REQ(memcmp(c.result_seal, h, 32) == 0);
	c.status = CONTRIB_PROVED;
	CHECK(poco_contrib_put(p, taskid, &p->sender, &c));
	CHECK(poco_add(p, &t.reveal_counter, &t.reveal_counter, &one));
	memcpy(t.result_digest, digest, 32);
	CHECK(poco_task_put(p, taskid, &t));
	CHECK(emit_task(p, "TaskReveal(bytes32,address,bytes32)", taskid, &p->sender, digest, 32));
out:
	poco_task_release(&t);
	return r;
}

/* onlyScheduler: msg.sender == deals[tasks[taskid].dealid].workerpool.owner */
static int load_for_scheduler(struct poco *p, struct poco_task *t, struct poco_deal *d,
			      const uint8_t taskid[32])
{
	DECC_TRY(poco_task_get(p, t, taskid));
	DECC_TRY(poco_deal_get(p, d, t->dealid));
	if (!decc_address_eq(&p->sender, &d->workerpool.owner))
		return poco_revert(p, NULL);
	return 0;
}

static int fn_reopen(struct poco *p, const struct decc_abi_value *args)
{
	struct poco_task t;
	struct poco_deal d;
	uint8_t taskid[32];
	decc_u256 g;
	int r = 0;

	poco_task_init(&t);
	poco_deal_init(&d);
	poco_arg_b32(taskid, args, 0);
	CHECK(load_for_scheduler(p, &t, &d, taskid));
	REQ(t.status == TASK_REVEALING);
	REQ(decc_u256_cmp(&t.final_deadline, &p->now) > 0);
	REQ(decc_u256_cmp(&t.reveal_deadline, &p->now) <= 0 &&
	    decc_u256_is_zero(&t.reveal_counter));
	for (size_t i = 0; i < t.n_contributors; i++) {
		struct poco_contribution c;

		CHECK(poco_contrib_get(p, &c, taskid, &t.contributors[i]));
		if (memcmp(c.result_hash, t.consensus_value, 32) == 0) {
			c.status = CONTRIB_REJECTED;
			CHECK(poco_contrib_put(p, taskid, &t.contributors[i], &c));
		}
	}
	CHECK(poco_group_get(p, &g, taskid, t.consensus_value));
	CHECK(poco_sub(p, &t.consensus_total, &t.consensus_total, &g));
	CHECK(poco_group_put(p, taskid, t.consensus_value, &DECC_U256_ZERO));
	t.status = TASK_ACTIVE;
	memset(t.consensus_value, 0, 32);
	t.reveal_deadline = DECC_U256_ZERO;
	t.winner_counter = DECC_U256_ZERO;
	CHECK(poco_task_put(p, taskid, &t));
	CHECK(emit_task(p, "TaskReopen(bytes32)", taskid, NULL, NULL, 0));
out:
	poco_task_release(&t);
	poco_deal_release(&d);
	return r;
}

static int fn_finalize(struct poco *p, const struct decc_abi_value *args)
{
	struct poco_task t;
	struct poco_deal d;
	uint8_t taskid[32], cbh[32];
	const struct decc_buf *results = &args->items[1]->bytes, *cb = &args->items[2]->bytes;
	int r = 0;

	poco_task_init(&t);
	poco_deal_init(&d);
	poco_arg_b32(taskid, args, 0);
	CHECK(load_for_scheduler(p, &t, &d, taskid));
	REQ(t.status == TASK_REVEALING);
	REQ(decc_u256_cmp(&t.final_deadline, &p->now) > 0);
	REQ(decc_u256_cmp(&t.reveal_counter, &t.winner_counter) == 0 ||
	    (!decc_u256_is_zero(&t.reveal_counter) &&
	     decc_u256_cmp(&t.reveal_deadline, &p->now) <= 0));
	decc_keccak256(cbh, cb->data, cb->len);
	REQ((decc_address_is_zero(&d.callback) && cb->len == 0) ||
	    memcmp(cbh, t.result_digest, 32) == 0);
	t.status = TASK_COMPLETED;
	decc_buf_reset(&t.results);
	CHECK(decc_buf_append(&t.results, results->data, results->len));
	decc_buf_reset(&t.results_callback);
	CHECK(decc_buf_append(&t.results_callback, cb->data, cb->len));
	CHECK(poco_task_put(p, taskid, &t));
	CHECK(success_work(p, &d, taskid));
	CHECK(distribute_rewards(p, &d, &t, taskid));
	CHECK(emit_bytes_event(p, "TaskFinalize(bytes32,bytes)", taskid, results));
out:
	poco_task_release(&t);
	poco_deal_release(&d);
	return r;
}

static int do_claim(struct poco *p, const uint8_t taskid[32])
{
	struct poco_task t;
	struct poco_deal d;
	int r = 0;

	poco_task_init(&t);
	poco_deal_init(&d);
	CHECK(poco_task_get(p, &t, taskid));
	REQ(t.status == TASK_ACTIVE || t.status == TASK_REVEALING);
	REQ(decc_u256_cmp(&t.final_deadline, &p->now) <= 0);
	t.status = TASK_FAILED;
	CHECK(poco_task_put(p, taskid, &t));
	CHECK(poco_deal_get(p, &d, t.dealid));
	CHECK(failed_work(p, &d, taskid));
	for (size_t i = 0; i < t.n_contributors; i++)
		CHECK(poco_unlock(p, &t.contributors[i], &d.worker_stake));
	CHECK(emit_task(p, "TaskClaimed(bytes32)", taskid, NULL, NULL, 0));
out:
	poco_task_release(&t);
	poco_deal_release(&d);
	return r;
}

static int fn_claim(struct poco *p, const struct decc_abi_value *args)
{
	uint8_t taskid[32];

	poco_arg_b32(taskid, args, 0);
	return do_claim(p, taskid);
}

static int fn_initialize_array(struct poco *p, const struct decc_abi_value *args)
{
	const struct decc_abi_value *deals = poco_arg(args, 0), *idx = poco_arg(args, 1);
	uint8_t taskid[32];
	decc_u256 i256;

	if (deals->n_items != idx->n_items)
		return poco_revert(p, NULL);
	for (size_t i = 0; i < deals->n_items; i++) {
		decc_u256_from_be(&i256, idx->items[i]->word);
		DECC_TRY(do_initialize(p, taskid, deals->items[i]->word, &i256));
	}
	return poco_return_bool(p, true);
}

static int fn_claim_array(struct poco *p, const struct decc_abi_value *args)
{
	const struct decc_abi_value *tasks = poco_arg(args, 0);

	for (size_t i = 0; i < tasks->n_items; i++)
		DECC_TRY(do_claim(p, tasks->items[i]->word));
	return poco_return_bool(p, true);
}

static int fn_initialize_and_claim_array(struct poco *p, const struct decc_abi_value *args)
{
	const struct decc_abi_value *deals = poco_arg(args, 0), *idx = poco_arg(args, 1);
	uint8_t taskid[32];
	decc_u256 i256;

	if (deals->n_items != idx->n_items)
		return poco_revert(p, NULL);
	for (size_t i = 0; i < deals->n_items; i++) {
		decc_u256_from_be(&i256, idx->items[i]->word);
		DECC_TRY(do_initialize(p, taskid, deals->items[i]->word, &i256));
		DECC_TRY(do_claim(p, taskid));
	}
	return poco_return_bool(p, true);
}

const struct poco_fn poco_task_fns[] = {
	{ "initialize(bytes32,uint256)", fn_initialize, false },
	{ "initializeArray(bytes32[],uint256[])", fn_initialize_array, false },
	{ "contribute(bytes32,bytes32,bytes32,address,bytes,bytes)", fn_contribute, false },
	{ "contributeAndFinalize(bytes32,bytes32,bytes,bytes,address,bytes,bytes)",
	  fn_contribute_and_finalize, false },
	{ "reveal(bytes32,bytes32)", fn_reveal, false },
	{ "reopen(bytes32)", fn_reopen, false },
	{ "finalize(bytes32,bytes,bytes)", fn_finalize, false },
	{ "claim(bytes32)", fn_claim, false },
	{ "claimArray(bytes32[])", fn_claim_array, false },
	{ "initializeAndClaimArray(bytes32[],uint256[])", fn_initialize_and_claim_array, false },
};
const size_t poco_n_task_fns = DECC_ARRAY_SIZE(poco_task_fns);
