/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scheduler's state machine on a fake clock and a fake chain. The fake chain applies
 * PoCo's rules that the scheduler depends on (poco.md §3.4-§3.10: initialize, the weighted
 * consensus of fresh workers, reveal, finalize, reopen after the reveal deadline), the
 * workers are driven by calling the state machine as the HTTP API would, and the store is a
 * real SQLite file in a temporary directory (so a "restart" reopens it).
 */
#include "test.h"

#include <jansson.h>
#include <unistd.h>

#include "decc/crypto.h"
#include "scheduler/internal.h"

#define MAX_DEALS 4
#define MAX_TASKS 8
#define MAX_CONTRIB 8

struct fdeal {
	uint8_t id[32];
	struct sched_deal d;
};

struct fcontrib {
	decc_address w;
	struct sched_contrib c;
};

struct ftask {
	uint8_t id[32];
	struct sched_ctask t;
	uint64_t trust, group_of_consensus;
	struct fcontrib c[MAX_CONTRIB];
	size_t nc;
	char results[256];
};

struct fchain {
	struct fdeal deals[MAX_DEALS];
	size_t ndeals;
	struct ftask tasks[MAX_TASKS];
	size_t ntasks;
	uint64_t block, now;
	int initialize_calls, finalize_calls, reopen_calls, challenge_calls;
	bool down;
	decc_address challenge;
};

static void task_id(uint8_t out[32], const uint8_t deal[32], uint64_t idx)
{
	uint8_t pre[64] = { 0 };

	memcpy(pre, deal, 32);
	for (int i = 0; i < 8; i++)
		pre[63 - i] = (uint8_t)(idx >> (8 * i));
	decc_keccak256(out, pre, sizeof(pre));
}

static struct ftask *ftask(struct fchain *c, const uint8_t id[32])
{
	for (size_t i = 0; i < c->ntasks; i++)
		if (memcmp(c->tasks[i].id, id, 32) == 0)
			return &c->tasks[i];
	return NULL;
}

static int f_notices(void *ctx, uint8_t (**deals)[32], size_t *n, uint64_t from, uint64_t *next)
{
	struct fchain *c = ctx;

	(void)from;
	if (c->down)
		return decc_error_set(DECC_ERROR, "connection refused");
	*deals = calloc(c->ndeals + 1, 32);
	assert_non_null(*deals);
	for (size_t i = 0; i < c->ndeals; i++)
		memcpy((*deals)[i], c->deals[i].id, 32);
	*n = c->ndeals;
	*next = c->block + 1;
	return 0;
}

static int f_deal(void *ctx, struct sched_deal *out, const uint8_t deal[32])
{
	struct fchain *c = ctx;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < c->ndeals; i++)
		if (memcmp(c->deals[i].id, deal, 32) == 0)
			*out = c->deals[i].d;
	return 0;
}

static int f_task(void *ctx, struct sched_ctask *out, const uint8_t task[32])
{
	struct fchain *c = ctx;
	struct ftask *t = ftask(c, task);

	if (c->down)
		return decc_error_set(DECC_ERROR, "connection refused");
	memset(out, 0, sizeof(*out));
	if (t)
		*out = t->t;
	return 0;
}

static int f_contribution(void *ctx, struct sched_contrib *out, const uint8_t task[32],
			  const decc_address *w)
{
	struct fchain *c = ctx;
	struct ftask *t = ftask(c, task);

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; t && i < t->nc; i++)
		if (decc_address_eq(&t->c[i].w, w))
			*out = t->c[i].c;
	return 0;
}

static int f_score(void *ctx, uint64_t *out, const decc_address *w)
{
	(void)ctx;
	(void)w;
	*out = 0;
	return 0;
}

static int f_initialize(void *ctx, const uint8_t deal[32], uint64_t idx)
{
	struct fchain *c = ctx;
	struct ftask *t;
	uint8_t id[32];

	c->initialize_calls++;
	if (c->down)
		return decc_error_set(DECC_ERROR, "connection refused");
	for (size_t i = 0; i < c->ndeals; i++) {
		struct sched_deal *d = &c->deals[i].d;

		if (memcmp(c->deals[i].id, deal, 32) != 0)
			continue;
		if (idx < d->bot_first || idx >= d->bot_first + d->bot_size)
			return decc_error_set(DECC_EREVERT, "execution reverted");
		task_id(id, deal, idx);
		if (ftask(c, id))
			return decc_error_set(DECC_EREVERT, "execution reverted");
		assert_true(c->ntasks < MAX_TASKS);
		t = &c->tasks[c->ntasks++];
		memset(t, 0, sizeof(*t));
		memcpy(t->id, id, 32);
		t->trust = d->trust ? d->trust : 1;
		t->t.status = 1;
		t->t.contribution_deadline = d->start_time + 7 * d->timeref;
		t->t.final_deadline = d->start_time + 10 * d->timeref;
		return 0;
	}
	return decc_error_set(DECC_EREVERT, "execution reverted");
}

static int f_finalize(void *ctx, const uint8_t task[32], const uint8_t *results, size_t rn,
		      const uint8_t *cb, size_t cn)
{
	struct fchain *c = ctx;
	struct ftask *t = ftask(c, task);

	(void)cb;
	(void)cn;
	c->finalize_calls++;
	if (!t || t->t.status != 2 || t->t.reveal_counter == 0 ||
	    (t->t.reveal_counter < t->t.winner_counter && c->now < t->t.reveal_deadline))
		return decc_error_set(DECC_EREVERT, "execution reverted");
	assert_true(rn < sizeof(t->results));
	memcpy(t->results, results, rn);
	t->results[rn] = 0;
	t->t.status = 3;
	return 0;
}

static int f_reopen(void *ctx, const uint8_t task[32])
{
	struct fchain *c = ctx;
	struct ftask *t = ftask(c, task);

	c->reopen_calls++;
	if (!t || t->t.status != 2 || t->t.reveal_counter != 0 || c->now < t->t.reveal_deadline)
		return decc_error_set(DECC_EREVERT, "execution reverted");
	for (size_t i = 0; i < t->nc; i++)
		if (memcmp(t->c[i].c.hash, t->t.consensus, 32) == 0)
			t->c[i].c.status = 3;
	t->t.status = 1;
	t->t.winner_counter = 0;
	memset(t->t.consensus, 0, 32);
	t->group_of_consensus = 0;
	return 0;
}

static int f_challenge(void *ctx, decc_address *out, const uint8_t task[32])
{
	struct fchain *c = ctx;

	c->challenge_calls++;
	/* like decc sms: only for a task initialized on the ledger */
	if (!ftask(c, task))
		return decc_error_set(DECC_EINVAL, "task not on the ledger: initialize it first");
	*out = c->challenge;
	return 0;
}

static const struct sched_chain_ops fake_ops = {
	.notices = f_notices,
	.deal = f_deal,
	.task = f_task,
	.contribution = f_contribution,
	.score = f_score,
	.initialize = f_initialize,
	.finalize = f_finalize,
	.reopen = f_reopen,
	.challenge = f_challenge,
};

/* PoCo contribute for a fresh worker (w = 2): group g -> max(g,1)*2, total += delta. */
static void chain_contribute(struct fchain *c, const uint8_t task[32], const decc_address *w,
			     uint8_t hbyte)
{
	struct ftask *t = ftask(c, task);
	uint64_t group = 0, total = 1, delta;
	uint8_t h[32];

	assert_non_null(t);
	assert_int_equal(t->t.status, 1);
	memset(h, hbyte, 32);
	for (size_t i = 0; i < t->nc; i++)
		assert_false(decc_address_eq(&t->c[i].w, w));
	/* recompute group/total from the contributions still counted */
	total = 1;
	for (size_t i = 0; i < t->nc; i++) {
		uint64_t g = 0;

		if (t->c[i].c.status == 3)
			continue;
		for (size_t j = 0; j < i; j++)
			if (t->c[j].c.status != 3 &&
			    memcmp(t->c[j].c.hash, t->c[i].c.hash, 32) == 0)
				g = 1;
		if (g)
			continue;
		g = 1;
		for (size_t j = i; j < t->nc; j++)
			if (t->c[j].c.status != 3 &&
			    memcmp(t->c[j].c.hash, t->c[i].c.hash, 32) == 0)
				g *= 2;
		total += g;
		if (memcmp(t->c[i].c.hash, h, 32) == 0)
			group = g;
	}
	assert_true(t->nc < MAX_CONTRIB);
	t->c[t->nc].w = *w;
	t->c[t->nc].c.status = 1;
	memcpy(t->c[t->nc].c.hash, h, 32);
	t->nc++;
	delta = (group ? group : 1) * 2 - group;
	group += delta;
	total += delta;
	if (group * t->trust > total * (t->trust - 1)) {
		t->t.status = 2;
		memcpy(t->t.consensus, h, 32);
		t->t.reveal_deadline = c->now + 2 * 100;
		t->t.reveal_counter = 0;
		t->t.winner_counter = 0;
		for (size_t i = 0; i < t->nc; i++)
			if (t->c[i].c.status == 1 && memcmp(t->c[i].c.hash, h, 32) == 0)
				t->t.winner_counter++;
	}
}

static void chain_reveal(struct fchain *c, const uint8_t task[32], const decc_address *w)
{
	struct ftask *t = ftask(c, task);

	assert_non_null(t);
	assert_int_equal(t->t.status, 2);
	for (size_t i = 0; i < t->nc; i++)
		if (decc_address_eq(&t->c[i].w, w)) {
			assert_int_equal(t->c[i].c.status, 1);
			t->c[i].c.status = 2;
			t->t.reveal_counter++;
			return;
		}
	fail_msg("reveal of a worker that did not contribute");
}

/* ---- fixture ---- */
#define T0 1000000ull
#define TIMEREF 100ull

struct fx {
	char dir[64], path[96];
	struct sched_store *db;
	struct sched s;
	struct fchain chain;
	uint8_t sk[32];
	decc_address pool, me, w[4];
	uint64_t now;
};

static struct fx *F;

static void open_sched(struct fx *f)
{
	assert_int_equal(sched_store_open(&f->db, f->path), 0);
	assert_int_equal(sched_init(&f->s, f->db, &fake_ops, &f->chain, f->sk, &f->pool), 0);
	f->s.worker_timeout_s = 30;
}

static void close_sched(struct fx *f)
{
	sched_release(&f->s);
	sched_store_close(f->db);
	f->db = NULL;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/decc-sched.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/scheduler.db", f->dir);
	test_unhex(f->sk, 32, "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
	assert_int_equal(decc_address_from_seckey(&f->me, f->sk), 0);
	memset(f->pool.b, 0x77, 20);
	for (int i = 0; i < 4; i++)
		memset(f->w[i].b, 0xa0 + i, 20);
	memset(f->chain.challenge.b, 0xcc, 20);
	f->chain.block = 10;
	f->now = T0;
	f->chain.now = T0;
	open_sched(f);
	F = f;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	if (f->db)
		close_sched(f);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void add_deal(struct fx *f, uint8_t byte, uint64_t trust, uint64_t bot, bool tee)
{
	struct fdeal *d = &f->chain.deals[f->chain.ndeals++];

	memset(d, 0, sizeof(*d));
	memset(d->id, byte, 32);
	d->d.exists = true;
	d->d.trust = trust;
	d->d.bot_first = 0;
	d->d.bot_size = bot;
	d->d.start_time = f->now;
	d->d.timeref = TIMEREF;
	d->d.workerpool = f->pool;
	if (tee)
		d->d.tag[31] = 1;
}

static void advance_time(struct fx *f, uint64_t s)
{
	f->now += s;
	f->chain.now = f->now;
}

static void tick(struct fx *f)
{
	assert_int_equal(sched_tick(&f->s, f->now, f->now), 0);
}

static int task_status(struct fx *f, const uint8_t id[32])
{
	struct sched_task t;

	assert_int_equal(sched_store_task_get(f->db, &t, id), 0);
	return t.status;
}

static int repl_status(struct fx *f, const uint8_t id[32], const decc_address *w)
{
	struct sched_repl r;

	assert_int_equal(sched_store_repl_get(f->db, &r, id, w), 0);
	return r.status;
}

/* A status update as the HTTP API passes it; returns the notice, checks the HTTP code. */
static int report(struct fx *f, const uint8_t id[32], const decc_address *w, int status,
		  const char *link, int want_http)
{
	struct sched_update u;
	int http = 0, notice = -1;

	sched_update_init(&u);
	u.status = status;
	if (link)
		snprintf(u.result_link, sizeof(u.result_link), "%s", link);
	assert_int_equal(sched_update_status(&f->s, &http, &notice, id, w, &u, f->now), 0);
	sched_update_release(&u);
	assert_int_equal(http, want_http);
	return notice;
}

/* A worker runs a task up to CONTRIBUTED with result hash byte h (on chain too). */
static void run_to_contributed(struct fx *f, const uint8_t id[32], const decc_address *w, uint8_t h)
{
	static const int path[] = { R_STARTING,	      R_STARTED,	  R_APP_DOWNLOADING,
				    R_APP_DOWNLOADED, R_DATA_DOWNLOADING, R_DATA_DOWNLOADED,
				    R_COMPUTING,      R_COMPUTED,	  R_CONTRIBUTING };
	int notice = -1;

	for (size_t i = 0; i < sizeof(path) / sizeof(path[0]); i++)
		notice = report(f, id, w, path[i], NULL, 200);
	assert_int_equal(notice, N_PLEASE_CONTINUE);
	chain_contribute(&f->chain, id, w, h);
	assert_int_equal(report(f, id, w, R_CONTRIBUTED, NULL, 200), N_PLEASE_WAIT);
}

static int next(struct fx *f, const uint8_t id[32], const decc_address *w)
{
	int notice = -1;

	assert_int_equal(sched_next(&f->s, &notice, id, w), 0);
	return notice;
}

static void reveal(struct fx *f, const uint8_t id[32], const decc_address *w, const char *link)
{
	assert_int_equal(next(f, id, w), N_PLEASE_REVEAL);
	assert_int_equal(report(f, id, w, R_REVEALING, NULL, 200), N_PLEASE_CONTINUE);
	chain_reveal(&f->chain, id, w);
	assert_int_equal(report(f, id, w, R_REVEALED, link, 200), N_PLEASE_WAIT);
}

static void complete(struct fx *f, const uint8_t id[32], const decc_address *w)
{
	assert_int_equal(next(f, id, w), N_PLEASE_COMPLETE);
	report(f, id, w, R_COMPLETING, NULL, 200);
	report(f, id, w, R_COMPLETED, NULL, 200);
}

/* The authorization must recover to the scheduler's wallet over keccak(w || task || chal). */
static void check_auth(struct fx *f, const struct sched_auth *a)
{
	uint8_t pre[72], h[32];
	decc_address who;

	memcpy(pre, a->worker.b, 20);
	memcpy(pre + 20, a->task, 32);
	memcpy(pre + 52, a->challenge.b, 20);
	decc_keccak256(h, pre, sizeof(pre));
	assert_int_equal(decc_eip191_recover(&who, h, 32, a->sig, 65), 0);
	assert_true(decc_address_eq(&who, &f->me));
}

/* ---- tests ---- */
static void test_trust1_lifecycle(void **state)
{
	struct fx *f = *state;
	struct sched_auth a;
	uint8_t id[32], deal[32];
	struct ftask *ct;

	add_deal(f, 0x11, 0, 1, false);
	memset(deal, 0x11, 32);
	task_id(id, deal, 0);
	assert_int_equal(sched_register(&f->s, &f->w[0], 1, false, f->now), 0);
	/* nothing before the deal is noticed */
	assert_int_equal(sched_assign(&f->s, &a, &f->w[0], f->now, f->now), DECC_ENOTFOUND);
	assert_int_equal(sched_intake(&f->s, f->now), 0);
	assert_int_equal(task_status(f, id), T_RECEIVED);
	/* the same notices again: the deal is not taken twice */
	assert_int_equal(sched_intake(&f->s, f->now), 0);
	tick(f);
	assert_int_equal(task_status(f, id), T_INITIALIZED);
	assert_int_equal(f->chain.initialize_calls, 1);
	assert_int_equal(sched_assign(&f->s, &a, &f->w[0], f->now, f->now), 0);
	assert_memory_equal(a.task, id, 32);
	assert_false(a.tee);
	assert_true(decc_address_is_zero(&a.challenge));
	check_auth(f, &a);
	/* trust 1: one contribution is enough, nobody else gets it */
	assert_int_equal(sched_register(&f->s, &f->w[1], 1, false, f->now), 0);
	assert_int_equal(sched_assign(&f->s, &a, &f->w[1], f->now, f->now), DECC_ENOTFOUND);
	run_to_contributed(f, id, &f->w[0], 0x42);
	assert_int_equal(task_status(f, id), T_RUNNING);
	tick(f);
	assert_int_equal(task_status(f, id), T_CONSENSUS_REACHED);
	/* revealed on chain but not yet reported (no result link): no finalize yet */
	assert_int_equal(next(f, id, &f->w[0]), N_PLEASE_REVEAL);
	assert_int_equal(report(f, id, &f->w[0], R_REVEALING, NULL, 200), N_PLEASE_CONTINUE);
	chain_reveal(&f->chain, id, &f->w[0]);
	tick(f);
	assert_int_equal(task_status(f, id), T_AT_LEAST_ONE_REVEALED);
	assert_int_equal(f->chain.finalize_calls, 0);
	assert_int_equal(report(f, id, &f->w[0], R_REVEALED, "/ipfs/QmResult", 200), N_PLEASE_WAIT);
	tick(f);
	assert_int_equal(task_status(f, id), T_COMPLETED);
	assert_int_equal(f->chain.finalize_calls, 1);
	ct = ftask(&f->chain, id);
	assert_int_equal(ct->t.status, 3);
	assert_string_equal(ct->results, "/ipfs/QmResult");
	complete(f, id, &f->w[0]);
	assert_int_equal(repl_status(f, id, &f->w[0]), R_COMPLETED);
	/* a finished task is not ticked again */
	tick(f);
	assert_int_equal(f->chain.finalize_calls, 1);
}

static void test_trust3_three_workers(void **state)
{
	struct fx *f = *state;
	struct sched_auth a;
	uint8_t id[32], deal[32];
	struct decc_buf js = DECC_BUF_INIT;
	json_t *o;

	add_deal(f, 0x33, 3, 1, false);
	memset(deal, 0x33, 32);
	task_id(id, deal, 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(sched_register(&f->s, &f->w[i], 1, false, f->now), 0);
	assert_int_equal(sched_intake(&f->s, f->now), 0);
	tick(f);
	/* fresh workers (weight 2): trust 3 needs two agreeing contributions */
	assert_int_equal(sched_assign(&f->s, &a, &f->w[0], f->now, f->now), 0);
	check_auth(f, &a);
	assert_int_equal(sched_assign(&f->s, &a, &f->w[1], f->now, f->now), 0);
	check_auth(f, &a);
	assert_int_equal(sched_assign(&f->s, &a, &f->w[2], f->now, f->now), DECC_ENOTFOUND);
	/* the same worker never gets the same task twice */
	assert_int_equal(sched_assign(&f->s, &a, &f->w[0], f->now, f->now), DECC_ENOTFOUND);
	run_to_contributed(f, id, &f->w[0], 0x42);
	tick(f);
	assert_int_equal(task_status(f, id), T_RUNNING);
	run_to_contributed(f, id, &f->w[1], 0x42);
	tick(f);
	assert_int_equal(task_status(f, id), T_CONSENSUS_REACHED);
	assert_int_equal(ftask(&f->chain, id)->t.winner_counter, 2);
	reveal(f, id, &f->w[0], "/ipfs/QmA");
	tick(f);
	/* one of two winners revealed, deadline not reached: no finalize yet */
	assert_int_equal(task_status(f, id), T_AT_LEAST_ONE_REVEALED);
	assert_int_equal(f->chain.finalize_calls, 0);
	reveal(f, id, &f->w[1], "/ipfs/QmA");
	tick(f);
	assert_int_equal(task_status(f, id), T_COMPLETED);
	assert_int_equal(f->chain.finalize_calls, 1);
	complete(f, id, &f->w[0]);
	complete(f, id, &f->w[1]);
	assert_int_equal(sched_task_json(&f->s, &js, id), 0);
	o = json_loads(decc_buf_str(&js), 0, NULL);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "currentStatus")), "COMPLETED");
	assert_int_equal(json_array_size(json_object_get(o, "replicates")), 2);
	assert_true(json_array_size(json_object_get(o, "logs")) > 5);
	json_decref(o);
	decc_buf_release(&js);
}

static void test_disagreeing_worker_loses(void **state)
{
	struct fx *f = *state;
	struct sched_auth a;
	uint8_t id[32], deal[32];

	add_deal(f, 0x34, 3, 1, false);
	memset(deal, 0x34, 32);
	task_id(id, deal, 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(sched_register(&f->s, &f->w[i], 1, false, f->now), 0);
	assert_int_equal(sched_intake(&f->s, f->now), 0);
	tick(f);
	assert_int_equal(sched_assign(&f->s, &a, &f->w[0], f->now, f->now), 0);
	assert_int_equal(sched_assign(&f->s, &a, &f->w[1], f->now, f->now), 0);
	run_to_contributed(f, id, &f->w[0], 0x42);
	run_to_contributed(f, id, &f->w[1], 0x99); /* disagrees */
	tick(f);
	assert_int_equal(task_status(f, id), T_RUNNING);
	/* no consensus: a third worker is needed */
	assert_int_equal(sched_assign(&f->s, &a, &f->w[2], f->now, f->now), 0);
	run_to_contributed(f, id, &f->w[2], 0x42);
	tick(f);
	/* groups 4 and 2, total 7: 4 * 3 > 7 * 2 fails (poco.md §3.7), a fourth is needed */
	assert_int_equal(task_status(f, id), T_RUNNING);
	assert_int_equal(sched_register(&f->s, &f->w[3], 1, false, f->now), 0);
	assert_int_equal(sched_assign(&f->s, &a, &f->w[3], f->now, f->now), 0);
	run_to_contributed(f, id, &f->w[3], 0x42);
	tick(f);
	assert_int_equal(task_status(f, id), T_CONSENSUS_REACHED);
	assert_int_equal(ftask(&f->chain, id)->t.winner_counter, 3);
	assert_int_equal(next(f, id, &f->w[1]), N_PLEASE_ABORT);
	reveal(f, id, &f->w[0], "/ipfs/QmA");
	reveal(f, id, &f->w[2], "/ipfs/QmA");
	reveal(f, id, &f->w[3], "/ipfs/QmA");
	tick(f);
	assert_int_equal(task_status(f, id), T_COMPLETED);
}

static void test_worker_lost_reassigned(void **state)
{
	struct fx *f = *state;
	struct sched_auth a;
	uint8_t id[32], deal[32];

	add_deal(f, 0x44, 0, 1, false);
	memset(deal, 0x44, 32);
	task_id(id, deal, 0);
	assert_int_equal(sched_register(&f->s, &f->w[0], 1, false, f->now), 0);
	assert_int_equal(sched_register(&f->s, &f->w[1], 1, false, f->now), 0);
	assert_int_equal(sched_intake(&f->s, f->now), 0);
	tick(f);
	assert_int_equal(sched_assign(&f->s, &a, &f->w[0], f->now, f->now), 0);
	report(f, id, &f->w[0], R_STARTING, NULL, 200);
	report(f, id, &f->w[0], R_STARTED, NULL, 200);
	assert_int_equal(sched_assign(&f->s, &a, &f->w[1], f->now, f->now), DECC_ENOTFOUND);
	/* w0 goes silent, w1 keeps pinging */
	advance_time(f, 31);
	assert_int_equal(sched_ping(&f->s, &f->w[1], f->now), 0);
	tick(f);
	assert_int_equal(repl_status(f, id, &f->w[0]), R_WORKER_LOST);
	assert_int_equal(next(f, id, &f->w[0]), N_PLEASE_ABORT);
	assert_int_equal(sched_assign(&f->s, &a, &f->w[1], f->now, f->now), 0);
	assert_memory_equal(a.task, id, 32);
	run_to_contributed(f, id, &f->w[1], 0x55);
	tick(f);
	reveal(f, id, &f->w[1], "/ipfs/QmB");
	tick(f);
	assert_int_equal(task_status(f, id), T_COMPLETED);
	/* w0 comes back: its replicate is not resumed on a finished task */
	assert_int_equal(sched_ping(&f->s, &f->w[0], f->now), 0);
	assert_int_equal(repl_status(f, id, &f->w[0]), R_WORKER_LOST);
}

static void test_reveal_timeout_reopen(void **state)
{
	struct fx *f = *state;
	struct sched_auth a;
	uint8_t id[32], deal[32];

	add_deal(f, 0x55, 0, 1, false);
	memset(deal, 0x55, 32);
	task_id(id, deal, 0);
	assert_int_equal(sched_register(&f->s, &f->w[0], 1, false, f->now), 0);
	assert_int_equal(sched_register(&f->s, &f->w[1], 1, false, f->now), 0);
	assert_int_equal(sched_intake(&f->s, f->now), 0);
	tick(f);
	assert_int_equal(sched_assign(&f->s, &a, &f->w[0], f->now, f->now), 0);
	run_to_contributed(f, id, &f->w[0], 0x42);
	tick(f);
	assert_int_equal(task_status(f, id), T_CONSENSUS_REACHED);
	/* w0 never reveals; keep both pinging through the reveal period */
	advance_time(f, 2 * TIMEREF - 1);
	assert_int_equal(sched_ping(&f->s, &f->w[0], f->now), 0);
	assert_int_equal(sched_ping(&f->s, &f->w[1], f->now), 0);
	tick(f);
	assert_int_equal(f->chain.reopen_calls, 0);
	advance_time(f, 1);
	tick(f);
	assert_int_equal(f->chain.reopen_calls, 1);
	assert_int_equal(ftask(&f->chain, id)->t.status, 1);
	assert_int_equal(task_status(f, id), T_INITIALIZED);
	assert_int_equal(repl_status(f, id, &f->w[0]), R_FAILED);
	assert_int_equal(next(f, id, &f->w[0]), N_PLEASE_ABORT);
	/* another worker contributes again and the task completes */
	assert_int_equal(sched_ping(&f->s, &f->w[1], f->now), 0);
	assert_int_equal(sched_assign(&f->s, &a, &f->w[1], f->now, f->now), 0);
	run_to_contributed(f, id, &f->w[1], 0x42);
	tick(f);
	assert_int_equal(task_status(f, id), T_CONSENSUS_REACHED);
	reveal(f, id, &f->w[1], "/ipfs/QmC");
	tick(f);
	assert_int_equal(task_status(f, id), T_COMPLETED);
}

static void test_restart_resumes(void **state)
{
	struct fx *f = *state;
	struct sched_auth a, b;
	uint8_t id[32], deal[32];
	uint64_t cursor;
	bool found;

	add_deal(f, 0x66, 0, 2, false);
	memset(deal, 0x66, 32);
	task_id(id, deal, 0);
	assert_int_equal(sched_register(&f->s, &f->w[0], 1, false, f->now), 0);
	assert_int_equal(sched_intake(&f->s, f->now), 0);
	tick(f);
	assert_int_equal(sched_assign(&f->s, &a, &f->w[0], f->now, f->now), 0);
	run_to_contributed(f, id, &f->w[0], 0x42);
	/* the scheduler dies and comes back on the same database */
	close_sched(f);
	open_sched(f);
	assert_int_equal(sched_store_cursor(f->db, &cursor, &found), 0);
	assert_true(found);
	assert_int_equal(cursor, 11);
	assert_int_equal(sched_intake(&f->s, f->now), 0);
	assert_int_equal(f->chain.initialize_calls, 2); /* two tasks, each initialized once */
	assert_int_equal(repl_status(f, a.task, &f->w[0]), R_CONTRIBUTED);
	assert_int_equal(sched_authorization(&f->s, &b, a.task, &f->w[0]), 0);
	assert_memory_equal(b.sig, a.sig, 65);
	tick(f);
	assert_int_equal(task_status(f, a.task), T_CONSENSUS_REACHED);
	reveal(f, a.task, &f->w[0], "/ipfs/QmD");
	tick(f);
	assert_int_equal(task_status(f, a.task), T_COMPLETED);
	assert_int_equal(f->chain.initialize_calls, 2);
}

static void test_tee_task(void **state)
{
	struct fx *f = *state;
	struct sched_auth a;
	uint8_t id[32], deal[32];

	add_deal(f, 0x77, 1, 1, true);
	add_deal(f, 0x78, 3, 1, true); /* a TEE deal with trust > 1 is skipped */
	memset(deal, 0x77, 32);
	task_id(id, deal, 0);
	assert_int_equal(sched_register(&f->s, &f->w[0], 1, false, f->now), 0);
	assert_int_equal(sched_register(&f->s, &f->w[1], 1, true, f->now), 0);
	assert_int_equal(sched_register(&f->s, &f->w[2], 1, true, f->now), 0);
	assert_int_equal(sched_intake(&f->s, f->now), 0);
	tick(f);
	assert_int_equal(task_status(f, id), T_INITIALIZED);
	assert_int_equal(f->chain.initialize_calls, 1);
	assert_int_equal(f->chain.challenge_calls, 1);
	/* a non-TEE worker gets nothing, a TEE worker gets it with the enclave challenge */
	assert_int_equal(sched_assign(&f->s, &a, &f->w[0], f->now, f->now), DECC_ENOTFOUND);
	assert_int_equal(sched_assign(&f->s, &a, &f->w[1], f->now, f->now), 0);
	assert_true(a.tee);
	assert_true(decc_address_eq(&a.challenge, &f->chain.challenge));
	check_auth(f, &a);
	/* one worker only */
	assert_int_equal(sched_assign(&f->s, &a, &f->w[2], f->now, f->now), DECC_ENOTFOUND);
	report(f, id, &f->w[1], R_STARTING, NULL, 200);
	report(f, id, &f->w[1], R_STARTED, NULL, 200);
	report(f, id, &f->w[1], R_APP_DOWNLOADING, NULL, 200);
	report(f, id, &f->w[1], R_APP_DOWNLOADED, NULL, 200);
	report(f, id, &f->w[1], R_DATA_DOWNLOADING, NULL, 200);
	report(f, id, &f->w[1], R_DATA_DOWNLOADED, NULL, 200);
	report(f, id, &f->w[1], R_COMPUTING, NULL, 200);
	assert_int_equal(report(f, id, &f->w[1], R_COMPUTED, NULL, 200),
			 N_PLEASE_CONTRIBUTE_AND_FINALIZE);
	assert_int_equal(report(f, id, &f->w[1], R_CONTRIBUTE_AND_FINALIZE_ONGOING, NULL, 200),
			 N_PLEASE_CONTINUE);
	/* contributeAndFinalize done on chain, seen by the scheduler before the worker's report */
	ftask(&f->chain, id)->t.status = 3;
	tick(f);
	assert_int_equal(task_status(f, id), T_COMPLETED);
	assert_int_equal(report(f, id, &f->w[1], R_CONTRIBUTE_AND_FINALIZE_DONE, NULL, 200),
			 N_PLEASE_WAIT);
	assert_int_equal(f->chain.finalize_calls, 0);
	complete(f, id, &f->w[1]);
}

static void test_refused_updates(void **state)
{
	struct fx *f = *state;
	struct sched_auth a;
	uint8_t id[32], deal[32], other[32];

	add_deal(f, 0x88, 0, 1, false);
	memset(deal, 0x88, 32);
	task_id(id, deal, 0);
	memset(other, 0xee, 32);
	assert_int_equal(sched_register(&f->s, &f->w[0], 1, false, f->now), 0);
	assert_int_equal(sched_intake(&f->s, f->now), 0);
	tick(f);
	assert_int_equal(sched_assign(&f->s, &a, &f->w[0], f->now, f->now), 0);
	/* skipping steps, unknown task, another worker, back to CREATED: refused, unchanged */
	assert_int_equal(report(f, id, &f->w[0], R_COMPUTED, NULL, 202), N_PLEASE_ABORT);
	assert_int_equal(report(f, other, &f->w[0], R_STARTING, NULL, 202), N_PLEASE_ABORT);
	assert_int_equal(report(f, id, &f->w[1], R_STARTING, NULL, 202), N_PLEASE_ABORT);
	assert_int_equal(repl_status(f, id, &f->w[0]), R_CREATED);
	report(f, id, &f->w[0], R_STARTING, NULL, 200);
	assert_int_equal(report(f, id, &f->w[0], R_STARTING, NULL, 208), N_PLEASE_WAIT);
	assert_int_equal(report(f, id, &f->w[0], R_CREATED, NULL, 202), N_PLEASE_ABORT);
	assert_int_equal(repl_status(f, id, &f->w[0]), R_STARTING);
	/* a failed compute is recorded with its cause and the task stays assignable */
	report(f, id, &f->w[0], R_STARTED, NULL, 200);
	report(f, id, &f->w[0], R_APP_DOWNLOADING, NULL, 200);
	report(f, id, &f->w[0], R_APP_DOWNLOADED, NULL, 200);
	report(f, id, &f->w[0], R_COMPUTING, NULL, 200);
	assert_int_equal(report(f, id, &f->w[0], R_COMPUTE_FAILED, NULL, 200), N_PLEASE_ABORT);
}

static void test_deadlines(void **state)
{
	struct fx *f = *state;
	struct sched_auth a;
	uint8_t id[32], deal[32];
	struct sched_task t;

	add_deal(f, 0x99, 0, 1, false);
	memset(deal, 0x99, 32);
	task_id(id, deal, 0);
	assert_int_equal(sched_register(&f->s, &f->w[0], 1, false, f->now), 0);
	assert_int_equal(sched_intake(&f->s, f->now), 0);
	tick(f);
	advance_time(f, 7 * TIMEREF);
	assert_int_equal(sched_ping(&f->s, &f->w[0], f->now), 0);
	assert_int_equal(sched_assign(&f->s, &a, &f->w[0], f->now, f->now), DECC_ENOTFOUND);
	tick(f);
	assert_int_equal(sched_store_task_get(f->db, &t, id), 0);
	assert_int_equal(t.status, T_FAILED);
	assert_string_equal(t.cause, "contribution deadline reached");
	/* a deal noticed after its contribution deadline is skipped */
	add_deal(f, 0x9a, 0, 1, false);
	f->chain.deals[1].d.start_time = f->now - 7 * TIMEREF;
	memset(deal, 0x9a, 32);
	task_id(id, deal, 0);
	assert_int_equal(sched_intake(&f->s, f->now), 0);
	assert_int_equal(sched_store_task_get(f->db, &t, id), DECC_ENOTFOUND);
}

static void test_chain_down_retries(void **state)
{
	struct fx *f = *state;
	uint8_t id[32], deal[32];

	add_deal(f, 0xab, 0, 1, false);
	memset(deal, 0xab, 32);
	task_id(id, deal, 0);
	f->chain.down = true;
	assert_true(sched_intake(&f->s, f->now) < 0);
	f->chain.down = false;
	assert_int_equal(sched_intake(&f->s, f->now), 0);
	f->chain.down = true;
	tick(f);
	assert_int_equal(task_status(f, id), T_INITIALIZING);
	f->chain.down = false;
	tick(f);
	assert_int_equal(task_status(f, id), T_INITIALIZED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_trust1_lifecycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trust3_three_workers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disagreeing_worker_loses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_worker_lost_reassigned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reveal_timeout_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_resumes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tee_task, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_updates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deadlines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chain_down_retries, setup, teardown),
	};

	(void)F;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
