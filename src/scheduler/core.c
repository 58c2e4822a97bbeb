/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scheduler's state machine (offchain.md §2, poco.md §3): deal intake, initialize,
 * assignment with the contribution-need prediction, replicate status updates, consensus read
 * from the chain, reveal requests, finalize, reopen on reveal timeout, deadlines and worker
 * liveness. No clock and no network of its own: the time is passed in and the chain is a
 * table of operations, so the unit tests run it on a fake clock and a fake chain.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/hex.h"
#include "scheduler/internal.h"

static void hex32(char out[67], const uint8_t b[32])
{
	decc_hex_encode(out, b, 32, true);
}

static void hexaddr(char out[43], const decc_address *a)
{
	decc_hex_encode(out, a->b, 20, true);
}

static void slog(struct sched *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void slog(struct sched *s, const char *fmt, ...)
{
	char line[768];
	va_list ap;

	if (!s->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	s->log(s->log_ctx, line);
}

/* A line in the task's log (kept in the store) and in the daemon's log. */
static void tlog(struct sched *s, const uint8_t task[32], uint64_t now, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void tlog(struct sched *s, const uint8_t task[32], uint64_t now, const char *fmt, ...)
{
	char line[640], id[67];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (sched_store_log(s->db, task, now, line) < 0)
		slog(s, "cannot keep a task log line: %s", decc_error_last());
	hex32(id, task);
	slog(s, "task %s: %s", id, line);
}

/*
 * The lock, and one SQLite transaction around everything the caller writes under it: one commit
 * (one WAL sync) per request or tick instead of one per statement (a task took ~36), and a
 * crash keeps a request's writes whole or not at all. sched_intake() has its own transaction.
 */
static void enter(struct sched *s)
{
	pthread_mutex_lock(&s->lock);
	if (sched_store_begin(s->db) < 0)
		slog(s, "store: %s (writing without a transaction)", decc_error_last());
}

static void leave(struct sched *s)
{
	if (sched_store_in_transaction(s->db) && sched_store_commit(s->db) < 0)
		slog(s, "store: %s (this request's changes are lost)", decc_error_last());
	pthread_mutex_unlock(&s->lock);
}

static int task_set(struct sched *s, struct sched_task *t, int status, uint64_t now,
		    const char *why)
{
	tlog(s, t->id, now, "%s -> %s%s%s", sched_task_status_name(t->status),
	     sched_task_status_name(status), why ? ": " : "", why ? why : "");
	t->status = status;
	t->updated = now;
	if (why && (status == T_FAILED || strstr(sched_task_status_name(status), "FAIL") ||
		    strstr(sched_task_status_name(status), "TIMEOUT") ||
		    status == T_FINAL_DEADLINE_REACHED))
		snprintf(t->cause, sizeof(t->cause), "%s", why);
	return sched_store_task_put(s->db, t);
}

/* A failure state followed by FAILED, as iexec-core does. */
static int task_fail(struct sched *s, struct sched_task *t, int status, uint64_t now,
		     const char *why)
{
	DECC_TRY(task_set(s, t, status, now, why));
	snprintf(t->cause, sizeof(t->cause), "%s", why);
	return task_set(s, t, T_FAILED, now, NULL);
}

static bool is_tee(const uint8_t tag[32])
{
	return (tag[31] & 1) != 0;
}

static void task_id(uint8_t out[32], const uint8_t deal[32], uint64_t idx)
{
	uint8_t pre[64] = { 0 };

	memcpy(pre, deal, 32);
	for (int i = 0; i < 8; i++)
		pre[63 - i] = (uint8_t)(idx >> (8 * i));
	decc_keccak256(out, pre, sizeof(pre));
}

int sched_init(struct sched *s, struct sched_store *db, const struct sched_chain_ops *ops,
	       void *ctx, const uint8_t sk[32], const decc_address *workerpool)
{
	memset(s, 0, sizeof(*s));
	DECC_TRY(decc_address_from_seckey(&s->me, sk));
	memcpy(s->sk, sk, 32);
	s->db = db;
	s->ops = ops;
	s->ctx = ctx;
	s->workerpool = *workerpool;
	s->worker_timeout_s = 60;
	if (pthread_mutex_init(&s->lock, NULL) != 0) {
		decc_wipe(s->sk, sizeof(s->sk));
		return decc_error_set(DECC_ERROR, "cannot create the scheduler lock");
	}
	return 0;
}

void sched_release(struct sched *s)
{
	decc_wipe(s->sk, sizeof(s->sk));
	pthread_mutex_destroy(&s->lock);
}

/* ---- deal intake ---- */
static int take_deal(struct sched *s, const uint8_t deal[32], uint64_t now)
{
	struct sched_deal d;
	char id[67], note[160];
	uint64_t cdl, fdl;

	hex32(id, deal);
	if (s->ops->deal(s->ctx, &d, deal) < 0)
		return decc_error_wrap(DECC_ERROR, "reading deal %s", id);
	if (!d.exists) {
		snprintf(note, sizeof(note), "skipped: the deal does not exist");
	} else if (!decc_address_eq(&d.workerpool, &s->workerpool)) {
		snprintf(note, sizeof(note), "skipped: another workerpool's deal");
	} else if ((cdl = d.start_time + 7 * d.timeref) <= now) {
		snprintf(note, sizeof(note), "skipped: contribution deadline passed");
	} else if (is_tee(d.tag) && d.trust > 1) {
		snprintf(note, sizeof(note), "skipped: TEE deal with trust %llu (must be 0 or 1)",
			 (unsigned long long)d.trust);
	} else {
		fdl = d.start_time + 10 * d.timeref;
		for (uint64_t i = 0; i < d.bot_size; i++) {
			struct sched_task t = { 0 };

			memcpy(t.deal, deal, 32);
			t.idx = d.bot_first + i;
			task_id(t.id, deal, t.idx);
			t.status = T_RECEIVED;
			t.trust = d.trust ? d.trust : 1;
			memcpy(t.tag, d.tag, 32);
			t.timeref = d.timeref;
			t.contribution_deadline = cdl;
			t.final_deadline = fdl;
			t.callback = d.callback;
			t.updated = now;
			DECC_TRY(sched_store_task_put(s->db, &t));
			tlog(s, t.id, now, "RECEIVED (deal %s, index %llu, trust %llu%s)", id,
			     (unsigned long long)t.idx, (unsigned long long)t.trust,
			     is_tee(t.tag) ? ", TEE" : "");
		}
		snprintf(note, sizeof(note), "%llu task(s)", (unsigned long long)d.bot_size);
	}
	slog(s, "deal %s: %s", id, note);
	return sched_store_deal_add(s->db, deal, note);
}

int sched_intake(struct sched *s, uint64_t now)
{
	uint8_t(*deals)[32] = NULL;
	size_t n = 0;
	uint64_t from, next;
	bool found;
	int r;

	pthread_mutex_lock(&s->lock);
	r = sched_store_cursor(s->db, &from, &found);
	if (r < 0)
		goto out;
	if (!found)
		from = s->start_block;
	pthread_mutex_unlock(&s->lock);
	r = s->ops->notices(s->ctx, &deals, &n, from, &next);
	pthread_mutex_lock(&s->lock);
	if (r < 0)
		goto out;
	r = sched_store_begin(s->db);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < n && r == 0; i++) {
		bool seen;

		r = sched_store_deal_seen(s->db, &seen, deals[i]);
		if (r == 0 && !seen)
			r = take_deal(s, deals[i], now);
	}
	if (r == 0)
		r = sched_store_set_cursor(s->db, next);
	if (r == 0)
		r = sched_store_commit(s->db);
	else
		sched_store_rollback(s->db);
out:
	pthread_mutex_unlock(&s->lock);
	free(deals);
	return r;
}

/* ---- the task state machine ---- */
static uint64_t worker_weight(struct sched *s, const decc_address *w)
{
	struct sched_worker wk;

	if (sched_store_worker_get(s->db, &wk, w) < 0 || wk.weight == 0)
		return 2; /* max(0 / 3, 3) - 1: a fresh worker */
	return wk.weight;
}

/* Read the chain contribution of replicates that may have contributed. */
static void verify_contributions(struct sched *s, struct sched_repl *rs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct sched_repl *r = &rs[i];
		int st = r->status == R_WORKER_LOST ? r->lost_from : r->status;
		struct sched_contrib c;

		if (st < R_CONTRIBUTING || (r->verified && r->chain_status >= 2))
			continue;
		if (st == R_FAILED || st == R_ABORTED)
			continue;
		if (s->ops->contribution(s->ctx, &c, r->task, &r->worker) < 0 || c.status == 0)
			continue;
		if (r->verified && r->chain_status == c.status)
			continue;
		r->verified = true;
		r->chain_status = c.status;
		memcpy(r->hash, c.hash, 32);
		if (sched_store_repl_put(s->db, r) < 0)
			slog(s, "cannot store a verified contribution: %s", decc_error_last());
	}
}

static int finish(struct sched *s, struct sched_task *t, uint64_t now)
{
	if (t->status != T_FINALIZED)
		DECC_TRY(task_set(s, t, T_FINALIZED, now, "task COMPLETED on chain"));
	return task_set(s, t, T_COMPLETED, now, NULL);
}

static int do_initialize(struct sched *s, struct sched_task *t, uint64_t now)
{
	struct sched_ctask ct;
	int r;

	if (is_tee(t->tag) && !s->ops->challenge)
		return task_fail(s, t, T_INITIALIZE_FAILED, now,
				 "TEE task and no SMS configured (--sms URL)");
	if (t->status == T_RECEIVED)
		DECC_TRY(task_set(s, t, T_INITIALIZING, now, NULL));
	if (s->ops->task(s->ctx, &ct, t->id) < 0) {
		tlog(s, t->id, now, "reading the task on chain failed: %s", decc_error_last());
		return 0;
	}
	if (ct.status == 0) {
		r = s->ops->initialize(s->ctx, t->deal, t->idx);
		if (r == DECC_EREVERT)
			return task_fail(s, t, T_INITIALIZE_FAILED, now, decc_error_last());
		if (r < 0) {
			tlog(s, t->id, now, "initialize failed (retrying): %s", decc_error_last());
			return 0;
		}
	}
	/* the SMS makes the enclave challenge of a task it sees initialized on the ledger */
	if (is_tee(t->tag) && !t->has_challenge) {
		r = s->ops->challenge(s->ctx, &t->challenge, t->id);
		if (r < 0) {
			tlog(s, t->id, now, "enclave challenge from the SMS failed: %s",
			     decc_error_last());
			return 0; /* retried at the next tick */
		}
		t->has_challenge = true;
	}
	if (!is_tee(t->tag)) {
		t->has_challenge = true;
		t->challenge = DECC_ADDRESS_ZERO;
	}
	return task_set(s, t, T_INITIALIZED, now, NULL);
}

static int reopen(struct sched *s, struct sched_task *t, struct sched_repl *rs, size_t n,
		  uint64_t now)
{
	int r;

	DECC_TRY(task_set(s, t, T_REOPENING, now, "reveal deadline passed without any reveal"));
	r = s->ops->reopen(s->ctx, t->id);
	if (r < 0) {
		tlog(s, t->id, now, "reopen failed (retrying): %s", decc_error_last());
		return task_set(s, t, T_CONSENSUS_REACHED, now, "reopen to be retried");
	}
	for (size_t i = 0; i < n; i++) {
		if (!rs[i].verified || memcmp(rs[i].hash, t->consensus, 32) != 0 ||
		    sched_repl_final(rs[i].status))
			continue;
		rs[i].status = R_FAILED;
		rs[i].chain_status = 3;
		snprintf(rs[i].cause, sizeof(rs[i].cause), "REVEAL_TIMEOUT");
		DECC_TRY(sched_store_repl_put(s->db, &rs[i]));
	}
	DECC_TRY(task_set(s, t, T_REOPENED, now, NULL));
	memset(t->consensus, 0, 32);
	t->reveal_deadline = 0;
	return task_set(s, t, T_INITIALIZED, now, "waiting for new contributions");
}

static int finalize(struct sched *s, struct sched_task *t, struct sched_repl *rs, size_t n,
		    uint64_t now)
{
	const char *link = "", *cb = "";
	struct decc_buf cbb = DECC_BUF_INIT;
	bool reported = false;
	int r;

	/* wait for a revealer's REVEALED report (it carries the result link), until the deadline */
	for (size_t i = 0; i < n; i++)
		reported |= rs[i].chain_status == 2 && rs[i].status >= R_REVEALED &&
			    rs[i].status != R_WORKER_LOST && !sched_repl_failed(rs[i].status);
	if (!reported && now < t->reveal_deadline)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (rs[i].chain_status != 2)
			continue;
		if (!*link && rs[i].result_link[0])
			link = rs[i].result_link;
		if (!*cb && rs[i].callback_data[0])
			cb = rs[i].callback_data;
	}
	if (!decc_address_is_zero(&t->callback) && decc_hex_decode_buf(&cbb, cb, strlen(cb)) < 0) {
		decc_buf_release(&cbb);
		tlog(s, t->id, now, "no valid callback data from the revealers yet");
		return 0;
	}
	if (t->status != T_FINALIZING)
		DECC_TRY(task_set(s, t, T_FINALIZING, now, NULL));
	r = s->ops->finalize(s->ctx, t->id, (const uint8_t *)link, strlen(link), cbb.data, cbb.len);
	decc_buf_release(&cbb);
	if (r < 0) {
		tlog(s, t->id, now, "finalize failed (retrying): %s", decc_error_last());
		return 0;
	}
	return finish(s, t, now);
}

/*
 * Initialize transactions of one tick stop after INIT_TICK_MS (at least one is sent): the tick
 * holds the lock, so a deal of many tasks is initialized over several ticks while workers
 * already take the first ones.
 */
#define INIT_TICK_MS 50

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int advance(struct sched *s, struct sched_task *t, uint64_t now, uint64_t *init_start)
{
	struct sched_repl *rs = NULL;
	struct sched_ctask ct;
	size_t n = 0, winners = 0;
	bool revealed = false;
	int r = 0;

	if (t->final_deadline && now >= t->final_deadline)
		return task_fail(s, t, T_FINAL_DEADLINE_REACHED, now, "final deadline reached");
	if (t->status == T_RECEIVED || t->status == T_INITIALIZING) {
		if (!*init_start)
			*init_start = mono_ms();
		else if (mono_ms() - *init_start >= INIT_TICK_MS)
			return 0;
		return do_initialize(s, t, now);
	}
	if (t->status < T_INITIALIZED)
		return 0;
	DECC_TRY(sched_store_repls(s->db, &rs, &n, t->id));
	/*
	 * Nothing can move on chain for a task no worker of ours took yet (only our workers are
	 * authorized to contribute, the deadlines are checked above): no chain read, so a deal
	 * of many tasks waiting for workers costs no eth_call per tick.
	 */
	if (t->status == T_INITIALIZED && n == 0 &&
	    !(t->contribution_deadline && t->contribution_deadline <= now)) {
		free(rs);
		return 0;
	}
	if (s->ops->task(s->ctx, &ct, t->id) < 0) {
		tlog(s, t->id, now, "reading the task on chain failed: %s", decc_error_last());
		free(rs);
		return 0;
	}
	if (ct.status == 3 || ct.status == 4) {
		free(rs);
		return ct.status == 3 ? finish(s, t, now)
				      : task_fail(s, t, T_FINAL_DEADLINE_REACHED, now,
						  "task claimed on chain");
	}
	verify_contributions(s, rs, n);
	switch (t->status) {
	case T_INITIALIZED:
	case T_RUNNING:
		if (ct.status == 1 && t->contribution_deadline <= now) {
			r = task_fail(s, t, T_CONTRIBUTION_TIMEOUT, now,
				      "contribution deadline reached");
			break;
		}
		if (t->status == T_INITIALIZED) {
			for (size_t i = 0; i < n; i++)
				if (rs[i].status >= R_STARTED && !sched_repl_failed(rs[i].status) &&
				    rs[i].status != R_WORKER_LOST) {
					r = task_set(s, t, T_RUNNING, now, NULL);
					break;
				}
			if (r < 0)
				break;
		}
		if (ct.status != 2)
			break;
		for (size_t i = 0; i < n; i++)
			if (rs[i].verified && rs[i].chain_status != 3 &&
			    memcmp(rs[i].hash, ct.consensus, 32) == 0)
				winners++;
		if (winners < ct.winner_counter || winners == 0)
			break;
		memcpy(t->consensus, ct.consensus, 32);
		t->reveal_deadline = ct.reveal_deadline;
		r = task_set(s, t, T_CONSENSUS_REACHED, now, NULL);
		if (r == 0)
			tlog(s, t->id, now, "%zu winner(s) asked to reveal", winners);
		break;
	case T_CONSENSUS_REACHED:
	case T_AT_LEAST_ONE_REVEALED:
	case T_FINALIZING:
		if (ct.status == 1) { /* reopened by someone else */
			r = task_set(s, t, T_INITIALIZED, now, "task ACTIVE again on chain");
			break;
		}
		for (size_t i = 0; i < n; i++)
			revealed |= rs[i].chain_status == 2;
		if (t->status == T_CONSENSUS_REACHED && (revealed || ct.reveal_counter > 0)) {
			r = task_set(s, t, T_AT_LEAST_ONE_REVEALED, now, NULL);
			if (r < 0)
				break;
		}
		if (ct.reveal_counter == 0 && now >= ct.reveal_deadline) {
			r = reopen(s, t, rs, n, now);
			break;
		}
		if (ct.reveal_counter > 0 &&
		    (ct.reveal_counter >= ct.winner_counter || now >= ct.reveal_deadline))
			r = finalize(s, t, rs, n, now);
		break;
	default:
		break;
	}
	free(rs);
	return r;
}

static void detect_lost(struct sched *s, uint64_t wall)
{
	struct sched_worker *ws = NULL;
	size_t n = 0;

	if (sched_store_workers(s->db, &ws, &n) < 0) {
		slog(s, "liveness check: %s", decc_error_last());
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct sched_repl *rs = NULL;
		size_t m = 0;
		char a[43];

		if (ws[i].last_ping + s->worker_timeout_s > wall)
			continue;
		if (sched_store_repls_of(s->db, &rs, &m, &ws[i].addr) < 0)
			continue;
		hexaddr(a, &ws[i].addr);
		for (size_t j = 0; j < m; j++) {
			if (sched_repl_final(rs[j].status) || sched_repl_failed(rs[j].status) ||
			    rs[j].status == R_WORKER_LOST)
				continue;
			tlog(s, rs[j].task, wall, "worker %s lost (no ping for %llu s) in %s", a,
			     (unsigned long long)(wall - ws[i].last_ping),
			     sched_repl_status_name(rs[j].status));
			rs[j].lost_from = rs[j].status;
			rs[j].status = R_WORKER_LOST;
			if (sched_store_repl_put(s->db, &rs[j]) < 0)
				slog(s, "cannot mark a lost replicate: %s", decc_error_last());
		}
		free(rs);
	}
	free(ws);
}

static void refresh_weights(struct sched *s)
{
	struct sched_worker *ws = NULL;
	size_t n = 0;

	if (!s->ops->score || sched_store_workers(s->db, &ws, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		uint64_t score, w;

		if (ws[i].weight != 0 || s->ops->score(s->ctx, &score, &ws[i].addr) < 0)
			continue;
		w = score / 3 > 3 ? score / 3 : 3;
		ws[i].weight = w - 1;
		(void)sched_store_worker_put(s->db, &ws[i]);
	}
	free(ws);
}

int sched_tick(struct sched *s, uint64_t now, uint64_t wall)
{
	struct sched_task *ts = NULL;
	size_t n = 0;
	uint64_t init_start = 0;
	int r;

	enter(s);
	detect_lost(s, wall);
	refresh_weights(s);
	r = sched_store_tasks(s->db, &ts, &n, false);
	for (size_t i = 0; r == 0 && i < n; i++) {
		if (advance(s, &ts[i], now, &init_start) < 0) {
			char id[67];

			hex32(id, ts[i].id);
			slog(s, "task %s: %s", id, decc_error_last());
		}
	}
	leave(s);
	free(ts);
	return r;
}

/* ---- workers ---- */
int sched_register(struct sched *s, const decc_address *w, uint64_t slots, bool tee, uint64_t wall)
{
	struct sched_worker wk;
	int r;

	enter(s);
	if (sched_store_worker_get(s->db, &wk, w) < 0) {
		memset(&wk, 0, sizeof(wk));
		wk.addr = *w;
	}
	wk.slots = slots ? slots : 1;
	wk.tee = tee;
	wk.last_ping = wall;
	r = sched_store_worker_put(s->db, &wk);
	leave(s);
	return r;
}

int sched_ping(struct sched *s, const decc_address *w, uint64_t wall)
{
	struct sched_worker wk;
	struct sched_repl *rs = NULL;
	size_t n = 0;
	int r;

	enter(s);
	if (sched_store_worker_get(s->db, &wk, w) < 0) {
		memset(&wk, 0, sizeof(wk));
		wk.addr = *w;
		wk.slots = 1;
	}
	wk.last_ping = wall;
	r = sched_store_worker_put(s->db, &wk);
	if (r == 0 && (r = sched_store_repls_of(s->db, &rs, &n, w)) == 0) {
		for (size_t i = 0; i < n; i++) {
			struct sched_task t;

			if (rs[i].status != R_WORKER_LOST)
				continue;
			if (sched_store_task_get(s->db, &t, rs[i].task) < 0 ||
			    sched_task_final(t.status))
				continue;
			rs[i].status = rs[i].lost_from;
			tlog(s, rs[i].task, wall, "worker back, replicate in %s again",
			     sched_repl_status_name(rs[i].status));
			(void)sched_store_repl_put(s->db, &rs[i]);
		}
	}
	leave(s);
	free(rs);
	return r;
}

static int sign_auth(struct sched *s, struct sched_auth *a)
{
	uint8_t pre[72], h[32];

	memcpy(pre, a->worker.b, 20);
	memcpy(pre + 20, a->task, 32);
	memcpy(pre + 52, a->challenge.b, 20);
	decc_keccak256(h, pre, sizeof(pre));
	return decc_eip191_sign(a->sig, h, 32, s->sk);
}

/* iexec-core's prediction (offchain.md §2.5): does the task need another contribution? */
static bool need_more(struct sched *s, const struct sched_task *t, const struct sched_repl *rs,
		      size_t n, uint64_t wall)
{
	uint64_t best = 0, total = 0, pending = 0, worst, pred, trust = t->trust ? t->trust : 1;

	for (size_t i = 0; i < n; i++) {
		uint64_t w = worker_weight(s, &rs[i].worker), g = 0;

		if (rs[i].verified && rs[i].chain_status != 3) {
			/* weight of this group = product over its members */
			bool first = true;

			for (size_t j = 0; j < i; j++)
				if (rs[j].verified && rs[j].chain_status != 3 &&
				    memcmp(rs[j].hash, rs[i].hash, 32) == 0)
					first = false;
			if (!first)
				continue;
			g = 1;
			for (size_t j = i; j < n; j++)
				if (rs[j].verified && rs[j].chain_status != 3 &&
				    memcmp(rs[j].hash, rs[i].hash, 32) == 0)
					g *= worker_weight(s, &rs[j].worker);
			total += g;
			if (g > best)
				best = g;
		} else if (!rs[i].verified && !sched_repl_failed(rs[i].status) &&
			   rs[i].status != R_WORKER_LOST && rs[i].status != R_COMPLETED &&
			   rs[i].created + t->timeref > wall) {
			pending = pending ? pending * w : w;
		}
	}
	worst = total - best;
	if (best && pending)
		pred = best * pending;
	else
		pred = best ? best : pending;
	return !(pred * trust > (1 + pred + worst) * (trust - 1));
}

int sched_assign(struct sched *s, struct sched_auth *out, const decc_address *w, uint64_t now,
		 uint64_t wall)
{
	struct sched_task *ts = NULL;
	struct sched_repl *mine = NULL;
	struct sched_worker wk;
	size_t n = 0, m = 0, busy = 0;
	int r;

	enter(s);
	r = sched_store_worker_get(s->db, &wk, w);
	if (r < 0)
		goto out;
	r = sched_store_repls_of(s->db, &mine, &m, w);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < m; i++)
		if (mine[i].status < R_COMPUTED && !sched_repl_failed(mine[i].status))
			busy++;
	r = DECC_ENOTFOUND;
	if (busy >= (wk.slots ? wk.slots : 1)) {
		decc_error_set(r, "no free slot");
		goto out;
	}
	if (sched_store_tasks(s->db, &ts, &n, false) < 0) {
		r = DECC_ERROR;
		goto out;
	}
	/* RUNNING first, then the earliest contribution deadline (the store's order) */
	for (int pass = 0; pass < 2 && r == DECC_ENOTFOUND; pass++) {
		for (size_t i = 0; i < n; i++) {
			struct sched_task *t = &ts[i];
			struct sched_repl *rs = NULL, nr;
			size_t k = 0;
			bool has = false, more;

			if (t->status != (pass == 0 ? T_RUNNING : T_INITIALIZED))
				continue;
			if (t->contribution_deadline <= now || !t->has_challenge)
				continue;
			if (is_tee(t->tag) && !wk.tee)
				continue;
			if (sched_store_repls(s->db, &rs, &k, t->id) < 0)
				continue;
			for (size_t j = 0; j < k; j++)
				has |= decc_address_eq(&rs[j].worker, w);
			more = !has && need_more(s, t, rs, k, wall);
			free(rs);
			if (!more)
				continue;
			memset(&nr, 0, sizeof(nr));
			memcpy(nr.task, t->id, 32);
			nr.worker = *w;
			nr.status = R_CREATED;
			nr.created = wall;
			r = sched_store_repl_put(s->db, &nr);
			if (r < 0)
				goto out;
			memset(out, 0, sizeof(*out));
			memcpy(out->task, t->id, 32);
			memcpy(out->deal, t->deal, 32);
			out->idx = t->idx;
			out->worker = *w;
			out->challenge = t->challenge;
			out->tee = is_tee(t->tag);
			r = sign_auth(s, out);
			if (r == 0) {
				char a[43];

				hexaddr(a, w);
				tlog(s, t->id, now, "replicate CREATED for worker %s", a);
			}
			break;
		}
	}
	if (r == DECC_ENOTFOUND)
		decc_error_set(r, "no task needs a contribution");
out:
	leave(s);
	free(ts);
	free(mine);
	return r;
}

int sched_authorization(struct sched *s, struct sched_auth *out, const uint8_t task[32],
			const decc_address *w)
{
	struct sched_task t;
	struct sched_repl rp;
	int r;

	enter(s);
	r = sched_store_task_get(s->db, &t, task);
	if (r == 0)
		r = sched_store_repl_get(s->db, &rp, task, w);
	if (r == 0) {
		memset(out, 0, sizeof(*out));
		memcpy(out->task, t.id, 32);
		memcpy(out->deal, t.deal, 32);
		out->idx = t.idx;
		out->worker = *w;
		out->challenge = t.challenge;
		out->tee = is_tee(t.tag);
		r = sign_auth(s, out);
	}
	leave(s);
	return r;
}

void sched_update_init(struct sched_update *u)
{
	memset(u, 0, sizeof(*u));
	u->status = -1;
	decc_buf_init(&u->stdout_tail, SCHED_MAX_LOG_TAIL);
	decc_buf_init(&u->stderr_tail, SCHED_MAX_LOG_TAIL);
	decc_buf_init(&u->error_message, 4096);
}

void sched_update_release(struct sched_update *u)
{
	decc_buf_release(&u->stdout_tail);
	decc_buf_release(&u->stderr_tail);
	decc_buf_release(&u->error_message);
}

static bool consensus_phase(int st)
{
	return st == T_CONSENSUS_REACHED || st == T_AT_LEAST_ONE_REVEALED || st == T_FINALIZING ||
	       st == T_FINALIZED;
}

int sched_update_status(struct sched *s, int *http, int *notice, const uint8_t task[32],
			const decc_address *w, const struct sched_update *u, uint64_t now)
{
	struct sched_task t;
	struct sched_repl rp;
	char a[43];
	bool closing;
	int r;

	hexaddr(a, w);
	enter(s);
	r = sched_store_task_get(s->db, &t, task);
	if (r == 0)
		r = sched_store_repl_get(s->db, &rp, task, w);
	if (r == DECC_ENOTFOUND) {
		*http = 202;
		*notice = N_PLEASE_ABORT;
		r = 0;
		goto out;
	}
	if (r < 0)
		goto out;
	if (u->status == rp.status) {
		*http = 208;
		*notice = N_PLEASE_WAIT;
		goto out;
	}
	/* on a finished task, workers may still report their own completion or failure */
	closing = t.status == T_COMPLETED ? u->status == R_COMPLETING || u->status == R_COMPLETED ||
						u->status == R_COMPLETE_FAILED ||
						u->status == R_CONTRIBUTE_AND_FINALIZE_DONE
					  : u->status == R_FAILED || u->status == R_ABORTED;
	if (u->status == R_CREATED || u->status == R_WORKER_LOST || u->status == R_RECOVERING ||
	    u->status == R_RESULT_UPLOAD_REQUESTED ||
	    !sched_repl_transition_ok(rp.status, u->status) ||
	    (sched_task_final(t.status) && !closing)) {
		*http = 202;
		*notice = N_PLEASE_ABORT;
		if (!sched_task_final(t.status))
			tlog(s, task, now, "worker %s: refused %s -> %s", a,
			     sched_repl_status_name(rp.status), sched_repl_status_name(u->status));
		goto out;
	}
	tlog(s, task, now, "worker %s: %s -> %s%s%s", a, sched_repl_status_name(rp.status),
	     sched_repl_status_name(u->status), u->cause[0] ? " cause " : "", u->cause);
	if (u->error_message.len)
		tlog(s, task, now, "worker %s error: %s", a, decc_buf_str(&u->error_message));
	if (u->has_exit_code)
		tlog(s, task, now, "worker %s: app exit code %d", a, u->exit_code);
	if (u->stdout_tail.len)
		tlog(s, task, now, "worker %s stdout: %s", a, decc_buf_str(&u->stdout_tail));
	if (u->stderr_tail.len)
		tlog(s, task, now, "worker %s stderr: %s", a, decc_buf_str(&u->stderr_tail));
	rp.status = u->status;
	if (u->cause[0])
		snprintf(rp.cause, sizeof(rp.cause), "%s", u->cause);
	if (u->result_link[0])
		snprintf(rp.result_link, sizeof(rp.result_link), "%s", u->result_link);
	if (u->callback_data[0])
		snprintf(rp.callback_data, sizeof(rp.callback_data), "%s", u->callback_data);
	r = sched_store_repl_put(s->db, &rp);
	if (r < 0)
		goto out;
	if (t.status == T_INITIALIZED && u->status >= R_STARTED && !sched_repl_failed(u->status)) {
		r = task_set(s, &t, T_RUNNING, now, NULL);
		if (r < 0)
			goto out;
	}
	/*
	 * A TEE task's contributeAndFinalize ends it on chain in the worker's own transaction:
	 * look now rather than at the next tick, so the worker is told to complete at once.
	 */
	if (u->status == R_CONTRIBUTE_AND_FINALIZE_DONE && is_tee(t.tag) && t.trust <= 1 &&
	    !sched_task_final(t.status)) {
		struct sched_ctask ct;

		if (s->ops->task(s->ctx, &ct, task) == 0 && ct.status == 3 &&
		    (r = finish(s, &t, now)) < 0)
			goto out;
	}
	*http = 200;
	if (u->status == R_COMPUTED && consensus_phase(t.status))
		*notice = N_PLEASE_ABORT; /* too late: the chain has its consensus */
	else
		*notice = sched_next_action(u->status, is_tee(t.tag) && t.trust <= 1, u->cause);
out:
	leave(s);
	return r;
}

int sched_next(struct sched *s, int *notice, const uint8_t task[32], const decc_address *w)
{
	struct sched_task t;
	struct sched_repl rp;
	int r;

	enter(s);
	r = sched_store_task_get(s->db, &t, task);
	if (r == 0)
		r = sched_store_repl_get(s->db, &rp, task, w);
	if (r < 0)
		goto out;
	if (rp.status == R_COMPLETED)
		*notice = N_PLEASE_WAIT;
	else if (sched_repl_failed(rp.status) || rp.status == R_WORKER_LOST || t.status == T_FAILED)
		*notice = N_PLEASE_ABORT;
	else if (t.status == T_COMPLETED)
		*notice = N_PLEASE_COMPLETE;
	else if (consensus_phase(t.status)) {
		bool winner =
		    rp.verified && rp.chain_status != 3 && memcmp(rp.hash, t.consensus, 32) == 0;

		if (!winner)
			*notice = N_PLEASE_ABORT;
		else if (rp.status == R_CONTRIBUTED)
			*notice = N_PLEASE_REVEAL;
		else
			*notice = sched_next_action(rp.status, false, rp.cause);
	} else {
		*notice = sched_next_action(rp.status, is_tee(t.tag) && t.trust <= 1, rp.cause);
	}
out:
	leave(s);
	return r;
}

int sched_task_json(struct sched *s, struct decc_buf *out, const uint8_t task[32])
{
	struct sched_task t;
	struct sched_repl *rs = NULL;
	struct decc_buf logs = DECC_BUF_INIT;
	size_t n = 0;
	char id[67], deal[67], cons[67], ch[43];
	json_t *o = NULL, *arr, *jl;
	char *text = NULL;
	int r;

	enter(s);
	r = sched_store_task_get(s->db, &t, task);
	if (r == 0)
		r = sched_store_repls(s->db, &rs, &n, task);
	if (r == 0)
		r = sched_store_logs_json(s->db, &logs, task);
	leave(s);
	if (r < 0)
		goto out;
	hex32(id, t.id);
	hex32(deal, t.deal);
	hex32(cons, t.consensus);
	hexaddr(ch, &t.challenge);
	jl = json_loads(decc_buf_str(&logs), 0, NULL);
	o = json_pack("{s:s,s:s,s:I,s:s,s:I,s:I,s:I,s:I,s:s,s:s,s:s,s:o*}", "chainTaskId", id,
		      "chainDealId", deal, "taskIndex", (json_int_t)t.idx, "currentStatus",
		      sched_task_status_name(t.status), "trust", (json_int_t)t.trust,
		      "contributionDeadline", (json_int_t)t.contribution_deadline, "revealDeadline",
		      (json_int_t)t.reveal_deadline, "finalDeadline", (json_int_t)t.final_deadline,
		      "consensus", cons, "enclaveChallenge", ch, "failureCause", t.cause, "logs",
		      jl);
	arr = json_array();
	if (!o || !arr) {
		json_decref(arr);
		r = decc_error_set(DECC_ENOMEM, "out of memory building the task JSON");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		char a[43], h[67];

		hexaddr(a, &rs[i].worker);
		hex32(h, rs[i].hash);
		json_array_append_new(
		    arr, json_pack("{s:s,s:s,s:s,s:b,s:s,s:s}", "walletAddress", a, "status",
				   sched_repl_status_name(rs[i].status), "cause", rs[i].cause,
				   "contributed", rs[i].verified, "contributionHash",
				   rs[i].verified ? h : "", "resultLink", rs[i].result_link));
	}
	json_object_set_new(o, "replicates", arr);
	text = json_dumps(o, JSON_COMPACT);
	if (!text)
		r = decc_error_set(DECC_ENOMEM, "out of memory building the task JSON");
	else
		r = decc_buf_append_str(out, text);
out:
	free(text);
	json_decref(o);
	free(rs);
	decc_buf_release(&logs);
	return r;
}
