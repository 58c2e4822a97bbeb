/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decc-scenario: the differential-test driver (docs/DIFFERENTIAL.md).
 *
 *   decc-scenario --rpc URL --hub ADDR --keys FILE --out TRACE.json
 *	Run the fixed PoCo scenario against one backend (decc node, or anvil + the PoCo
 *	contracts deployed in native mode) and write a normalised JSON trace: after every step,
 *	the step's outcome (ok or its revert reason), the logs it emitted, every account's
 *	escrow balance and frozen amount, worker scores, consumed volumes, presignatures, and
 *	every deal, task and contribution seen so far. Backend-specific values (hub, registry
 *	and asset addresses, and everything hashed from them: order hashes, deal ids, task ids,
 *	result hashes and seals) are replaced by symbolic names after checking that the backend
 *	computed them as the driver expects; times are relative to the deal start or to the
 *	block that reached consensus.
 *
 *   decc-scenario --compare A.json B.json [--known FILE]
 *	Compare two traces value by value and print every difference. FILE lists the known,
 *	documented differences ("GLOB | reason" lines, matched against the value paths);
 *	exit 1 when an undocumented difference remains.
 *
 *   decc-scenario --bench N --rpc URL --hub ADDR --keys FILE
 *	Send N rounds of the benchmark mix (createApp, matchOrders, initialize,
 *	contributeAndFinalize) from one client and print "txs N seconds S tps R p50_ms P p99_ms Q".
 *
 * FILE of --keys: 10 private keys (hex, one a line), the first 10 anvil dev accounts; key 0
 * owns the hub.
 */
#include <fnmatch.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decc/chain.h"
#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/hex.h"

#define N_ACCTS 10
#define A_OWNER 0
#define A_APP 1
#define A_DS 2
#define A_SCHED 3
#define A_REQ 4
#define A_W5 5
#define A_W6 6
#define A_W7 7
#define A_W8 8
#define A_OUT 9

static const char *const acct_names[N_ACCTS] = {
	"owner",   "appOwner", "datasetOwner", "scheduler", "requester",
	"worker5", "worker6",  "worker7",      "worker8",   "outsider",
};

struct sym {
	uint8_t word[32];
	char name[48];
};

struct deal {
	char name[16];
	uint8_t id[32];
	uint64_t match_ts;
	bool matched;
};

struct task {
	char name[16];
	uint8_t id[32];
	int deal;
	uint64_t consensus_ts;
};

struct ctx {
	struct decc_chain *c[N_ACCTS];
	uint8_t sk[N_ACCTS][32];
	decc_address a[N_ACCTS];
	decc_address hub, apps, datasets, pools, kitty, enclave, app, ds, wp;
	uint8_t enclave_sk[32];
	uint8_t ds_sep[32];
	uint64_t chain_id, last_block, salt;
	struct sym *syms;
	size_t n_syms, cap_syms;
	struct deal deals[8];
	size_t n_deals;
	struct task tasks[16];
	size_t n_tasks;
	struct {
		char name[48];
		uint8_t hash[32];
		int owner;
	} orders[64];
	size_t n_orders;
	json_t *steps;
	uint8_t t_consensus[32], t_matched[32];
	int failures; /* driver-side errors (not reverts) */
};

static void die(const char *what)
{
	fprintf(stderr, "decc-scenario: %s: %s\n", what, decc_error_last());
	exit(2);
}

/* ---- symbols ---- */

static void sym_add(struct ctx *x, const uint8_t word[32], const char *name)
{
	if (x->n_syms == x->cap_syms) {
		size_t n = x->cap_syms ? x->cap_syms * 2 : 64;
		struct sym *s = realloc(x->syms, n * sizeof(*s));

		if (!s) {
			fprintf(stderr, "decc-scenario: out of memory\n");
			exit(2);
		}
		x->syms = s;
		x->cap_syms = n;
	}
	memcpy(x->syms[x->n_syms].word, word, 32);
	snprintf(x->syms[x->n_syms].name, sizeof(x->syms[0].name), "%s", name);
	x->n_syms++;
}

static void sym_addr_add(struct ctx *x, const decc_address *a, const char *name)
{
	uint8_t w[32];

	decc_address_to_word(w, a);
	sym_add(x, w, name);
}

static const char *sym_find(const struct ctx *x, const uint8_t word[32])
{
	for (size_t i = x->n_syms; i-- > 0;)
		if (memcmp(x->syms[i].word, word, 32) == 0)
			return x->syms[i].name;
	return NULL;
}

/* A 32-byte word: its symbol, or 0x-hex. out has >= 80 bytes. */
static const char *word_str(const struct ctx *x, const uint8_t w[32], char *out)
{
	const char *s = sym_find(x, w);

	if (s)
		return s;
	decc_hex_encode(out, w, 32, true);
	return out;
}

static json_t *jword(const struct ctx *x, const uint8_t w[32])
{
	char buf[80];

	return json_string(word_str(x, w, buf));
}

static json_t *jaddr(const struct ctx *x, const decc_address *a)
{
	uint8_t w[32];
	const char *s;
	char buf[43];

	if (decc_address_is_zero(a))
		return json_string("0");
	decc_address_to_word(w, a);
	s = sym_find(x, w);
	if (s)
		return json_string(s);
	decc_address_to_checksum(buf, a);
	return json_string(buf);
}

static json_t *ju256(const decc_u256 *v)
{
	char buf[79];

	decc_u256_to_dec(buf, v);
	return json_string(buf);
}

static json_t *jhex(const uint8_t *p, size_t n)
{
	char *s = malloc(2 * n + 3);
	json_t *j;

	if (!s)
		return NULL;
	decc_hex_encode(s, p, n, true);
	j = json_string(s);
	free(s);
	return j;
}

/* Data as 32-byte words, each normalised; a trailing partial word as hex. */
static json_t *jdata(const struct ctx *x, const uint8_t *p, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i + 32 <= n; i += 32)
		json_array_append_new(a, jword(x, p + i));
	if (i < n)
		json_array_append_new(a, jhex(p + i, n - i));
	return a;
}

/* ---- small helpers ---- */

static void salt_next(struct ctx *x, uint8_t salt[32])
{
	uint64_t v = ++x->salt;

	memset(salt, 0, 32);
	for (int i = 0; i < 8; i++)
		salt[31 - i] = (uint8_t)(v >> (8 * i));
}

static uint64_t block_ts(struct ctx *x, uint64_t number)
{
	struct decc_buf res = DECC_BUF_INIT;
	char params[64];
	json_t *j, *t;
	uint64_t ts = 0;

	snprintf(params, sizeof(params), "[\"0x%llx\",false]", (unsigned long long)number);
	if (decc_chain_rpc(x->c[0], &res, "eth_getBlockByNumber", params) < 0)
		die("eth_getBlockByNumber");
	j = json_loadb((const char *)res.data, res.len, 0, NULL);
	t = j ? json_object_get(j, "timestamp") : NULL;
	if (!json_is_string(t) || decc_chain_parse_quantity_u64(&ts, json_string_value(t)) < 0) {
		fprintf(stderr, "decc-scenario: block %llu has no timestamp\n",
			(unsigned long long)number);
		exit(2);
	}
	json_decref(j);
	decc_buf_release(&res);
	return ts;
}

static int find_task(const struct ctx *x, const uint8_t id[32])
{
	for (size_t i = 0; i < x->n_tasks; i++)
		if (memcmp(x->tasks[i].id, id, 32) == 0)
			return (int)i;
	return -1;
}

static int find_deal(const struct ctx *x, const uint8_t id[32])
{
	for (size_t i = 0; i < x->n_deals; i++)
		if (memcmp(x->deals[i].id, id, 32) == 0)
			return (int)i;
	return -1;
}

/* ---- state snapshot ---- */

static json_t *snap_logs(struct ctx *x)
{
	struct decc_chain_filter f = { 0 };
	struct decc_chain_logs logs = { 0 };
	json_t *a = json_array();
	uint64_t head;

	if (decc_chain_block_number(x->c[0], &head) < 0)
		die("eth_blockNumber");
	if (head <= x->last_block)
		return a;
	if (decc_chain_get_logs(x->c[0], &logs, &f, x->last_block + 1, head) < 0)
		die("eth_getLogs");
	x->last_block = head;
	for (size_t i = 0; i < logs.n; i++) {
		const struct decc_chain_log *l = &logs.items[i];
		json_t *o = json_object(), *tp = json_array();

		for (size_t k = 0; k < l->n_topics; k++)
			json_array_append_new(tp, jword(x, l->topics[k]));
		json_object_set_new(o, "address", jaddr(x, &l->address));
		json_object_set_new(o, "topics", tp);
		json_object_set_new(o, "data", jdata(x, l->data.data, l->data.len));
		json_array_append_new(a, o);
		/* times the comparison is relative to */
		if (l->n_topics >= 2 && memcmp(l->topics[0], x->t_consensus, 32) == 0) {
			int t = find_task(x, l->topics[1]);

			if (t >= 0)
				x->tasks[t].consensus_ts = block_ts(x, l->block_number);
		}
		if (l->n_topics >= 1 && memcmp(l->topics[0], x->t_matched, 32) == 0 &&
		    l->data.len >= 32) {
			int d = find_deal(x, l->data.data);

			if (d >= 0) {
				x->deals[d].match_ts = block_ts(x, l->block_number);
				x->deals[d].matched = true;
			}
		}
	}
	decc_chain_logs_release(&logs);
	return a;
}

static json_t *snap_balances(struct ctx *x)
{
	json_t *o = json_object();
	decc_address who[N_ACCTS + 2];
	const char *names[N_ACCTS + 2];

	for (int i = 0; i < N_ACCTS; i++) {
		who[i] = x->a[i];
		names[i] = acct_names[i];
	}
	who[N_ACCTS] = x->kitty;
	names[N_ACCTS] = "kitty";
	who[N_ACCTS + 1] = x->hub;
	names[N_ACCTS + 1] = "hub";
	for (int i = 0; i < N_ACCTS + 2; i++) {
		decc_u256 bal, frz;
		char b[79], f[79], s[170];

		if (decc_chain_balance_of(x->c[0], &bal, &who[i]) < 0 ||
		    decc_chain_frozen_of(x->c[0], &frz, &who[i]) < 0)
			die("balanceOf/frozenOf");
		decc_u256_to_dec(b, &bal);
		decc_u256_to_dec(f, &frz);
		snprintf(s, sizeof(s), "%s / %s", b, f);
		json_object_set_new(o, names[i], json_string(s));
	}
	return o;
}

static json_t *call_u256(struct ctx *x, const char *sig, struct decc_abi_value *args)
{
	struct decc_abi_value *out = NULL;
	decc_u256 v;
	json_t *j;

	if (decc_chain_call_fn(x->c[0], &out, &x->hub, sig, args, "(uint256)") < 0 ||
	    decc_abi_get_u256(&v, out->items[0]) < 0) {
		j = json_sprintf("error: %s", decc_error_last());
	} else {
		j = ju256(&v);
	}
	decc_abi_value_free(out);
	decc_abi_value_free(args);
	return j;
}

static json_t *snap_scores(struct ctx *x)
{
	json_t *o = json_object();

	for (int i = A_W5; i <= A_W8; i++)
		json_object_set_new(o, acct_names[i],
				    call_u256(x, "viewScore(address)",
					      decc_abi_tuplev(1, decc_abi_address(&x->a[i]))));
	return o;
}

static json_t *snap_orders(struct ctx *x)
{
	json_t *o = json_object();

	for (size_t i = 0; i < x->n_orders; i++) {
		json_t *e = json_object();
		struct decc_abi_value *out = NULL;
		bool pre = false;
		decc_u256 used;

		if (decc_chain_view_consumed(x->c[0], &used, x->orders[i].hash) < 0)
			die("viewConsumed");
		json_object_set_new(e, "consumed", ju256(&used));
		if (decc_chain_call_fn(
			x->c[0], &out, &x->hub, "verifyPresignature(address,bytes32)",
			decc_abi_tuplev(2, decc_abi_address(&x->a[x->orders[i].owner]),
					decc_abi_fixed_bytes(x->orders[i].hash, 32)),
			"(bool)") < 0 ||
		    decc_abi_get_bool(&pre, out->items[0]) < 0)
			json_object_set_new(e, "presigned",
					    json_sprintf("error: %s", decc_error_last()));
		else
			json_object_set_new(e, "presigned", json_boolean(pre));
		decc_abi_value_free(out);
		json_object_set_new(o, x->orders[i].name, e);
	}
	return o;
}

static json_t *jres(const struct ctx *x, const struct decc_chain_resource *r)
{
	return json_pack("{s:o,s:o,s:o}", "pointer", jaddr(x, &r->pointer), "owner",
			 jaddr(x, &r->owner), "price", ju256(&r->price));
}

static json_t *rel(const char *base, uint64_t v, uint64_t ref, bool have_ref)
{
	if (v == 0)
		return json_string("0");
	if (!have_ref)
		return json_sprintf("%s?+%llu", base, (unsigned long long)v);
	if (v >= ref)
		return json_sprintf("%s+%llu", base, (unsigned long long)(v - ref));
	return json_sprintf("%s-%llu", base, (unsigned long long)(ref - v));
}

static json_t *snap_deals(struct ctx *x)
{
	json_t *o = json_object();

	for (size_t i = 0; i < x->n_deals; i++) {
		struct deal *d = &x->deals[i];
		struct decc_chain_deal v;
		json_t *e;

		if (!d->matched)
			continue;
		if (decc_chain_view_deal(x->c[0], &v, d->id) < 0)
			die("viewDeal");
		e = json_object();
		json_object_set_new(e, "app", jres(x, &v.app));
		json_object_set_new(e, "dataset", jres(x, &v.dataset));
		json_object_set_new(e, "workerpool", jres(x, &v.workerpool));
		json_object_set_new(e, "trust", ju256(&v.trust));
		json_object_set_new(e, "category", ju256(&v.category));
		json_object_set_new(e, "tag", jword(x, v.tag));
		json_object_set_new(e, "requester", jaddr(x, &v.requester));
		json_object_set_new(e, "beneficiary", jaddr(x, &v.beneficiary));
		json_object_set_new(e, "callback", jaddr(x, &v.callback));
		json_object_set_new(e, "params", json_string(v.params ? v.params : ""));
		json_object_set_new(e, "startTime",
				    rel("matchBlock", v.start_time, d->match_ts, true));
		json_object_set_new(e, "botFirst", json_integer((json_int_t)v.bot_first));
		json_object_set_new(e, "botSize", json_integer((json_int_t)v.bot_size));
		json_object_set_new(e, "workerStake", ju256(&v.worker_stake));
		json_object_set_new(e, "schedulerRewardRatio", ju256(&v.scheduler_reward_ratio));
		json_object_set_new(e, "sponsor", jaddr(x, &v.sponsor));
		json_object_set_new(o, d->name, e);
		decc_chain_deal_release(&v);
	}
	return o;
}

static json_t *snap_contribution(struct ctx *x, const uint8_t taskid[32], const decc_address *w)
{
	struct decc_abi_value *out = NULL;
	json_t *e;

	if (decc_chain_call_fn(
		x->c[0], &out, &x->hub, "viewContribution(bytes32,address)",
		decc_abi_tuplev(2, decc_abi_fixed_bytes(taskid, 32), decc_abi_address(w)),
		"(uint8,bytes32,bytes32,address,uint256)") < 0)
		return json_sprintf("error: %s", decc_error_last());
	{
		decc_u256 st, wt;
		decc_address enc;

		if (decc_abi_get_u256(&st, out->items[0]) < 0 ||
		    decc_abi_get_address(&enc, out->items[3]) < 0 ||
		    decc_abi_get_u256(&wt, out->items[4]) < 0)
			die("viewContribution decode");
		e = json_pack("{s:o,s:o,s:o,s:o,s:o}", "status", ju256(&st), "resultHash",
			      jword(x, out->items[1]->word), "resultSeal",
			      jword(x, out->items[2]->word), "enclaveChallenge", jaddr(x, &enc),
			      "weight", ju256(&wt));
	}
	decc_abi_value_free(out);
	return e;
}

static json_t *snap_tasks(struct ctx *x)
{
	json_t *o = json_object();

	for (size_t i = 0; i < x->n_tasks; i++) {
		struct task *t = &x->tasks[i];
		struct decc_chain_task v;
		struct decc_chain_deal dv;
		json_t *e, *cs, *cm;

		if (decc_chain_view_task(x->c[0], &v, t->id) < 0)
			die("viewTask");
		if (decc_chain_view_deal(x->c[0], &dv, x->deals[t->deal].id) < 0)
			die("viewDeal");
		e = json_object();
		json_object_set_new(e, "status", json_integer(v.status));
		json_object_set_new(e, "dealid", jword(x, v.dealid));
		json_object_set_new(e, "idx", json_integer((json_int_t)v.idx));
		json_object_set_new(e, "timeref", json_integer((json_int_t)v.timeref));
		json_object_set_new(e, "contributionDeadline",
				    rel("start", v.contribution_deadline, dv.start_time, true));
		json_object_set_new(
		    e, "revealDeadline",
		    rel("consensus", v.reveal_deadline, t->consensus_ts, t->consensus_ts != 0));
		json_object_set_new(e, "finalDeadline",
				    rel("start", v.final_deadline, dv.start_time, true));
		json_object_set_new(e, "consensusValue", jword(x, v.consensus_value));
		json_object_set_new(e, "revealCounter", json_integer((json_int_t)v.reveal_counter));
		json_object_set_new(e, "winnerCounter", json_integer((json_int_t)v.winner_counter));
		cs = json_array();
		cm = json_object();
		for (size_t k = 0; k < v.n_contributors; k++) {
			json_t *name = jaddr(x, &v.contributors[k]);

			json_object_set_new(cm, json_string_value(name),
					    snap_contribution(x, t->id, &v.contributors[k]));
			json_array_append_new(cs, name);
		}
		json_object_set_new(e, "contributors", cs);
		json_object_set_new(e, "contributions", cm);
		json_object_set_new(e, "resultDigest", jword(x, v.result_digest));
		json_object_set_new(e, "results", jhex(v.results.data, v.results.len));
		json_object_set_new(e, "resultsTimestamp",
				    json_integer((json_int_t)v.results_timestamp));
		json_object_set_new(e, "resultsCallback",
				    jhex(v.results_callback.data, v.results_callback.len));
		json_object_set_new(o, t->name, e);
		decc_chain_task_release(&v);
		decc_chain_deal_release(&dv);
	}
	return o;
}

/*
 * End a step: record its outcome (rc and the error message of the action, taken before
 * anything else runs), what it is expected to do, and the state snapshot.
 */
static void step(struct ctx *x, const char *name, const char *expect, int rc, json_t *extra)
{
	json_t *s = json_object();

	if (rc == 0) {
		json_object_set_new(s, "result", json_string("ok"));
	} else if (rc == DECC_EREVERT) {
		/* the reason, without the "function: " the client puts in front */
		const char *m = decc_error_last();
		size_t fn =
		    strspn(m, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");

		if (fn > 0 && strncmp(m + fn, ": ", 2) == 0)
			m += fn + 2;
		json_object_set_new(s, "result", json_sprintf("revert: %s", m));
	} else {
		json_object_set_new(
		    s, "result",
		    json_sprintf("error %s: %s", decc_error_name(rc), decc_error_last()));
		x->failures++;
	}
	fprintf(stderr, "%-28s %s\n", name, json_string_value(json_object_get(s, "result")));
	json_object_set_new(s, "step", json_string(name));
	if (expect)
		json_object_set_new(s, "expect", json_string(expect));
	if (extra)
		json_object_set_new(s, "values", extra);
	json_object_set_new(s, "logs", snap_logs(x));
	json_object_set_new(s, "balances", snap_balances(x));
	json_object_set_new(s, "scores", snap_scores(x));
	json_object_set_new(s, "orders", snap_orders(x));
	json_object_set_new(s, "deals", snap_deals(x));
	json_object_set_new(s, "tasks", snap_tasks(x));
	json_array_append_new(x->steps, s);
}

/* ---- orders ---- */

struct oset {
	struct decc_order app, ds, wp, rq;
	bool no_ds;
	int k_app, k_ds, k_wp, k_rq; /* signing keys (account index, -1: leave unsigned) */
	int o_app, o_ds, o_wp, o_rq; /* owners, for the presignature view */
	uint8_t h_app[32], h_ds[32], h_wp[32], h_rq[32];
};

static void oset_base(struct ctx *x, struct oset *s)
{
	memset(s, 0, sizeof(*s));
	decc_order_init(&s->app, DECC_ORDER_APP);
	decc_order_init(&s->ds, DECC_ORDER_DATASET);
	decc_order_init(&s->wp, DECC_ORDER_WORKERPOOL);
	decc_order_init(&s->rq, DECC_ORDER_REQUEST);
	s->app.app = x->app;
	s->app.price = decc_u256_from_u64(3);
	s->app.volume = decc_u256_from_u64(100);
	salt_next(x, s->app.salt);
	s->ds.dataset = x->ds;
	s->ds.price = decc_u256_from_u64(2);
	s->ds.volume = decc_u256_from_u64(100);
	salt_next(x, s->ds.salt);
	s->wp.workerpool = x->wp;
	s->wp.price = decc_u256_from_u64(100);
	s->wp.volume = decc_u256_from_u64(100);
	s->wp.trust = decc_u256_from_u64(100);
	salt_next(x, s->wp.salt);
	s->rq.app = x->app;
	s->rq.appmaxprice = decc_u256_from_u64(3);
	s->rq.dataset = x->ds;
	s->rq.datasetmaxprice = decc_u256_from_u64(2);
	s->rq.workerpoolmaxprice = decc_u256_from_u64(100);
	s->rq.requester = x->a[A_REQ];
	s->rq.beneficiary = x->a[A_REQ];
	s->rq.volume = decc_u256_from_u64(1);
	s->rq.params = strdup("{\"iexec_args\":\"differential\"}");
	if (!s->rq.params) {
		fprintf(stderr, "decc-scenario: out of memory\n");
		exit(2);
	}
	salt_next(x, s->rq.salt);
	s->k_app = s->o_app = A_APP;
	s->k_ds = s->o_ds = A_DS;
	s->k_wp = s->o_wp = A_SCHED;
	s->k_rq = s->o_rq = A_REQ;
}

static void oset_release(struct oset *s)
{
	decc_order_release(&s->app);
	decc_order_release(&s->ds);
	decc_order_release(&s->wp);
	decc_order_release(&s->rq);
}

static void order_track(struct ctx *x, const char *name, const char *part, const uint8_t h[32],
			int owner)
{
	char buf[48];

	snprintf(buf, sizeof(buf), "%s.%s", name, part);
	sym_add(x, h, buf);
	if (x->n_orders < DECC_ARRAY_SIZE(x->orders)) {
		snprintf(x->orders[x->n_orders].name, sizeof(x->orders[0].name), "%s", buf);
		memcpy(x->orders[x->n_orders].hash, h, 32);
		x->orders[x->n_orders].owner = owner;
		x->n_orders++;
	}
}

static void sign1(struct ctx *x, struct decc_order *o, int k)
{
	if (k >= 0 && decc_order_sign(o, x->ds_sep, x->sk[k]) < 0)
		die("order sign");
}

/* Sign and hash the four orders; track them under `name` when track is set. */
static void oset_sign(struct ctx *x, struct oset *s, const char *name, bool track)
{
	sign1(x, &s->app, s->k_app);
	sign1(x, &s->ds, s->k_ds);
	sign1(x, &s->wp, s->k_wp);
	sign1(x, &s->rq, s->k_rq);
	decc_order_hash(s->h_app, x->ds_sep, &s->app);
	decc_order_hash(s->h_ds, x->ds_sep, &s->ds);
	decc_order_hash(s->h_wp, x->ds_sep, &s->wp);
	decc_order_hash(s->h_rq, x->ds_sep, &s->rq);
	if (!track)
		return;
	order_track(x, name, "app", s->h_app, s->o_app);
	if (!s->no_ds)
		order_track(x, name, "dataset", s->h_ds, s->o_ds);
	order_track(x, name, "workerpool", s->h_wp, s->o_wp);
	order_track(x, name, "request", s->h_rq, s->o_rq);
}

/*
 * matchOrders through decc_chain_transact_fn, the deal id and volume read from the
 * OrdersMatched log with the topic computed here from the event signature (independently of
 * decc_chain_match_orders, whose topic constant was wrong until 2026-12-06).
 */
static int match_orders(struct ctx *x, int sender, uint8_t dealid[32], decc_u256 *volume,
			const struct decc_order *app, const struct decc_order *ds,
			const struct decc_order *wp, const struct decc_order *rq)
{
	struct decc_order empty;
	struct decc_chain_receipt rc;
	char sig[512];
	int r;

	decc_order_init(&empty, DECC_ORDER_DATASET);
	snprintf(sig, sizeof(sig), "matchOrders(%s,%s,%s,%s)",
		 decc_chain_order_tuple_type(DECC_ORDER_APP),
		 decc_chain_order_tuple_type(DECC_ORDER_DATASET),
		 decc_chain_order_tuple_type(DECC_ORDER_WORKERPOOL),
		 decc_chain_order_tuple_type(DECC_ORDER_REQUEST));
	r = decc_chain_transact_fn(x->c[sender], &rc, &x->hub, sig,
				   decc_abi_tuplev(4, decc_chain_order_tuple(app),
						   decc_chain_order_tuple(ds ? ds : &empty),
						   decc_chain_order_tuple(wp),
						   decc_chain_order_tuple(rq)),
				   NULL);
	decc_order_release(&empty);
	if (r < 0)
		return r;
	r = decc_error_set(DECC_EINVAL, "matchOrders: no OrdersMatched event in the receipt");
	for (size_t i = 0; i < rc.logs.n; i++) {
		const struct decc_chain_log *l = &rc.logs.items[i];

		if (l->n_topics == 1 && decc_address_eq(&l->address, &x->hub) &&
		    memcmp(l->topics[0], x->t_matched, 32) == 0 && l->data.len == 192) {
			memcpy(dealid, l->data.data, 32);
			if (volume)
				decc_u256_from_be(volume, l->data.data + 160);
			r = 0;
			break;
		}
	}
	decc_chain_receipt_release(&rc);
	return r;
}

/* matchOrders from the requester's client; the deal id is checked against the expected one. */
static int do_match(struct ctx *x, struct oset *s, const char *name, const char *expect, int sender)
{
	uint8_t pre[64], want[32], got[32];
	decc_u256 first, vol;
	json_t *extra = json_object();
	struct deal *d = NULL;
	int rc;

	oset_sign(x, s, name, true);
	if (decc_chain_view_consumed(x->c[0], &first, s->h_rq) < 0)
		die("viewConsumed");
	memcpy(pre, s->h_rq, 32);
	decc_u256_to_be(pre + 32, &first);
	decc_keccak256(want, pre, 64);
	if (x->n_deals < DECC_ARRAY_SIZE(x->deals)) {
		char sym[48];

		d = &x->deals[x->n_deals++];
		snprintf(d->name, sizeof(d->name), "%s", name);
		memcpy(d->id, want, 32);
		snprintf(sym, sizeof(sym), "deal:%s", name);
		sym_add(x, want, sym);
	}
	rc = match_orders(x, sender, got, &vol, &s->app, s->no_ds ? NULL : &s->ds, &s->wp, &s->rq);
	if (rc == 0) {
		json_object_set_new(extra, "dealid", jword(x, got));
		json_object_set_new(extra, "volume", ju256(&vol));
	} else if (d) {
		x->n_deals--; /* no deal */
	}
	step(x, name, expect, rc, extra);
	return rc;
}

/* ---- tasks ---- */

static int new_task(struct ctx *x, const char *name, int deal, uint64_t idx)
{
	uint8_t pre[64];
	decc_u256 u = decc_u256_from_u64(idx);
	struct task *t;
	char sym[48];
	int rc;

	t = &x->tasks[x->n_tasks];
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->deal = deal;
	t->consensus_ts = 0;
	memcpy(pre, x->deals[deal].id, 32);
	decc_u256_to_be(pre + 32, &u);
	decc_keccak256(t->id, pre, 64);
	snprintf(sym, sizeof(sym), "task:%s", name);
	sym_add(x, t->id, sym);
	x->n_tasks++;
	rc = decc_chain_initialize(x->c[A_SCHED], NULL, x->deals[deal].id, idx);
	{
		char sname[48];

		snprintf(sname, sizeof(sname), "initialize-%s", name);
		step(x, sname, "ok", rc, NULL);
	}
	return (int)x->n_tasks - 1;
}

static void result_hashes(struct ctx *x, int t, int worker, const uint8_t digest[32],
			  uint8_t hash[32], uint8_t seal[32])
{
	uint8_t pre[84];
	char sym[48];

	memcpy(pre, x->tasks[t].id, 32);
	memcpy(pre + 32, digest, 32);
	decc_keccak256(hash, pre, 64);
	memcpy(pre, x->a[worker].b, 20);
	memcpy(pre + 20, x->tasks[t].id, 32);
	memcpy(pre + 52, digest, 32);
	decc_keccak256(seal, pre, 84);
	snprintf(sym, sizeof(sym), "resultHash:%s:%02x", x->tasks[t].name, digest[31]);
	if (!sym_find(x, hash))
		sym_add(x, hash, sym);
	snprintf(sym, sizeof(sym), "resultSeal:%s:%s", x->tasks[t].name, acct_names[worker]);
	if (!sym_find(x, seal))
		sym_add(x, seal, sym);
}

/* The scheduler's (or signer's) authorization: EIP-191 of keccak(worker ‖ taskid ‖ enclave). */
static void authorize(struct ctx *x, uint8_t sig[65], int signer, int t, int worker,
		      const decc_address *enclave)
{
	uint8_t pre[72], h[32];
	decc_address zero = DECC_ADDRESS_ZERO;

	memcpy(pre, x->a[worker].b, 20);
	memcpy(pre + 20, x->tasks[t].id, 32);
	memcpy(pre + 52, (enclave ? enclave : &zero)->b, 20);
	decc_keccak256(h, pre, 72);
	if (decc_eip191_sign(sig, h, 32, x->sk[signer]) < 0)
		die("authorization sign");
}

static void digest_of(uint8_t d[32], uint8_t v)
{
	memset(d, 0, 32);
	d[0] = 0xd1;
	d[31] = v;
}

static int contribute(struct ctx *x, int t, int worker, uint8_t v, const char *expect)
{
	uint8_t digest[32], hash[32], seal[32], auth[65];
	char name[48];
	int rc;

	digest_of(digest, v);
	result_hashes(x, t, worker, digest, hash, seal);
	authorize(x, auth, A_SCHED, t, worker, NULL);
	rc = decc_chain_contribute(x->c[worker], x->tasks[t].id, hash, seal, NULL, NULL, 0, auth,
				   65);
	snprintf(name, sizeof(name), "contribute-%s-%s", x->tasks[t].name, acct_names[worker]);
	step(x, name, expect, rc, NULL);
	return rc;
}

static int reveal(struct ctx *x, int t, int worker, uint8_t v, const char *expect)
{
	uint8_t digest[32];
	char name[48];
	int rc;

	digest_of(digest, v);
	rc = decc_chain_reveal(x->c[worker], x->tasks[t].id, digest);
	snprintf(name, sizeof(name), "reveal-%s-%s%s", x->tasks[t].name, acct_names[worker],
		 v == 1 ? "" : "-wrong");
	step(x, name, expect, rc, NULL);
	return rc;
}

static int finalize(struct ctx *x, int t, int sender, const char *expect)
{
	static const uint8_t results[] = "ipfs://result-location";
	char name[48];
	int rc;

	rc = decc_chain_finalize(x->c[sender], x->tasks[t].id, results, sizeof(results) - 1, NULL,
				 0);
	snprintf(name, sizeof(name), "finalize-%s%s", x->tasks[t].name,
		 sender == A_SCHED ? "" : "-not-scheduler");
	step(x, name, expect, rc, NULL);
	return rc;
}

static int task_tx(struct ctx *x, int t, int sender, const char *what, const char *expect)
{
	char name[48];
	int rc;

	if (strcmp(what, "claim") == 0)
		rc = decc_chain_claim(x->c[sender], x->tasks[t].id);
	else
		rc = decc_chain_transact_fn(
		    x->c[sender], NULL, &x->hub, "reopen(bytes32)",
		    decc_abi_tuplev(1, decc_abi_fixed_bytes(x->tasks[t].id, 32)), NULL);
	snprintf(name, sizeof(name), "%s-%s", what, x->tasks[t].name);
	step(x, name, expect, rc, NULL);
	return rc;
}

static int cfinalize(struct ctx *x, int t, int worker, int auth_signer, bool tee, const uint8_t *cb,
		     size_t cb_len, const char *label, const char *expect)
{
	static const uint8_t results[] = "ipfs://fast-result";
	uint8_t digest[32], hash[32], seal[32], auth[65], esig[65], pre[64], h[32];
	char name[64];
	int rc;

	if (cb_len)
		decc_keccak256(digest, cb, cb_len);
	else
		digest_of(digest, 1);
	result_hashes(x, t, worker, digest, hash, seal);
	authorize(x, auth, auth_signer, t, worker, tee ? &x->enclave : NULL);
	if (tee) {
		memcpy(pre, hash, 32);
		memcpy(pre + 32, seal, 32);
		decc_keccak256(h, pre, 64);
		if (decc_eip191_sign(esig, h, 32, x->enclave_sk) < 0)
			die("enclave sign");
	}
	rc = decc_chain_contribute_and_finalize(
	    x->c[worker], x->tasks[t].id, digest, results, sizeof(results) - 1, cb, cb_len,
	    tee ? &x->enclave : NULL, tee ? esig : NULL, tee ? 65 : 0, auth, 65);
	snprintf(name, sizeof(name), "contributeAndFinalize-%s-%s%s", x->tasks[t].name,
		 acct_names[worker], label);
	step(x, name, expect, rc, NULL);
	return rc;
}

static void time_jump(struct ctx *x, uint64_t s)
{
	char name[48];
	int rc = decc_chain_increase_time(x->c[0], s);

	snprintf(name, sizeof(name), "increaseTime-%llu", (unsigned long long)s);
	step(x, name, "ok", rc, NULL);
}

/* ---- the scenario ---- */

typedef void (*mutate_fn)(struct ctx *x, struct oset *s);

#define MUT(n) static void n(struct ctx *x, struct oset *s)
MUT(m_00)
{
	(void)x;
	s->rq.category = decc_u256_from_u64(1);
}
MUT(m_01)
{
	(void)x;
	s->rq.category = decc_u256_from_u64(5);
	s->wp.category = decc_u256_from_u64(5);
}
MUT(m_02)
{
	(void)x;
	s->rq.trust = decc_u256_from_u64(101);
}
MUT(m_03)
{
	(void)x;
	s->app.price = decc_u256_from_u64(4);
}
MUT(m_04)
{
	(void)x;
	s->ds.price = decc_u256_from_u64(3);
}
MUT(m_05)
{
	(void)x;
	s->wp.price = decc_u256_from_u64(101);
}
MUT(m_06)
{
	(void)x;
	s->rq.tag[30] = 0x01; /* gpu, not offered */
}
MUT(m_07)
{
	(void)x;
	s->rq.tag[31] = 0x01;
	s->wp.tag[31] = 0x01;
}
MUT(m_10)
{
	s->rq.app = x->a[A_OUT];
}
MUT(m_11)
{
	s->rq.dataset = x->a[A_OUT];
}
MUT(m_12)
{
	s->rq.workerpool = x->a[A_OUT];
}
MUT(m_13)
{
	s->app.datasetrestrict = x->a[A_OUT];
}
MUT(m_14)
{
	s->app.workerpoolrestrict = x->a[A_OUT];
}
MUT(m_15)
{
	s->app.requesterrestrict = x->a[A_OUT];
}
MUT(m_16)
{
	s->ds.apprestrict = x->a[A_OUT];
}
MUT(m_17)
{
	s->ds.workerpoolrestrict = x->a[A_OUT];
}
MUT(m_18)
{
	s->ds.requesterrestrict = x->a[A_OUT];
}
MUT(m_19)
{
	s->wp.apprestrict = x->a[A_OUT];
}
MUT(m_1a)
{
	s->wp.datasetrestrict = x->a[A_OUT];
}
MUT(m_1b)
{
	s->wp.requesterrestrict = x->a[A_OUT];
}
MUT(m_20)
{
	/* a dataset (it has an owner()) given as the app: not in the app registry */
	s->app.app = x->ds;
	s->rq.app = x->ds;
	s->k_app = A_DS;
}
MUT(m_21)
{
	(void)x;
	s->k_app = A_OUT;
}
MUT(m_30)
{
	s->ds.dataset = x->app;
	s->rq.dataset = x->app;
	s->k_ds = A_APP;
}
MUT(m_31)
{
	(void)x;
	s->k_ds = A_OUT;
}
MUT(m_40)
{
	s->wp.workerpool = x->app;
	s->k_wp = A_APP;
}
MUT(m_41)
{
	(void)x;
	s->k_wp = A_OUT;
}
MUT(m_50)
{
	(void)x;
	s->k_rq = A_OUT;
}
MUT(m_60)
{
	(void)x;
	s->rq.volume = decc_u256_from_u64(0);
}
MUT(m_funds)
{
	s->rq.requester = x->a[A_OUT];
	s->rq.beneficiary = x->a[A_OUT];
	s->k_rq = A_OUT;
}
MUT(m_eoa_app)
{
	s->app.app = x->a[A_OUT];
	s->rq.app = x->a[A_OUT];
	s->k_app = A_OUT;
}
MUT(m_sigfmt)
{
	(void)x;
	s->k_rq = -1;
	if (decc_buf_append(&s->rq.sign, "0123456789", 10) < 0)
		die("sign");
}

static const struct {
	const char *name, *expect;
	mutate_fn fn;
} reverts[] = {
	{ "revert-0x00-category", "iExecV5-matchOrders-0x00", m_00 },
	{ "revert-0x01-no-category", "iExecV5-matchOrders-0x01", m_01 },
	{ "revert-0x02-trust", "iExecV5-matchOrders-0x02", m_02 },
	{ "revert-0x03-appprice", "iExecV5-matchOrders-0x03", m_03 },
	{ "revert-0x04-datasetprice", "iExecV5-matchOrders-0x04", m_04 },
	{ "revert-0x05-poolprice", "iExecV5-matchOrders-0x05", m_05 },
	{ "revert-0x06-tag", "iExecV5-matchOrders-0x06", m_06 },
	{ "revert-0x07-tee", "iExecV5-matchOrders-0x07", m_07 },
	{ "revert-0x10-app", "iExecV5-matchOrders-0x10", m_10 },
	{ "revert-0x11-dataset", "iExecV5-matchOrders-0x11", m_11 },
	{ "revert-0x12-rq.workerpool", "iExecV5-matchOrders-0x12", m_12 },
	{ "revert-0x13-app.dsrestrict", "iExecV5-matchOrders-0x13", m_13 },
	{ "revert-0x14-app.wprestrict", "iExecV5-matchOrders-0x14", m_14 },
	{ "revert-0x15-app.rqrestrict", "iExecV5-matchOrders-0x15", m_15 },
	{ "revert-0x16-ds.apprestrict", "iExecV5-matchOrders-0x16", m_16 },
	{ "revert-0x17-ds.wprestrict", "iExecV5-matchOrders-0x17", m_17 },
	{ "revert-0x18-ds.rqrestrict", "iExecV5-matchOrders-0x18", m_18 },
	{ "revert-0x19-wp.apprestrict", "iExecV5-matchOrders-0x19", m_19 },
	{ "revert-0x1a-wp.dsrestrict", "iExecV5-matchOrders-0x1a", m_1a },
	{ "revert-0x1b-wp.rqrestrict", "iExecV5-matchOrders-0x1b", m_1b },
	{ "revert-0x20-app-unregistered", "iExecV5-matchOrders-0x20", m_20 },
	{ "revert-0x21-app-signature", "iExecV5-matchOrders-0x21", m_21 },
	{ "revert-0x30-ds-unregistered", "iExecV5-matchOrders-0x30", m_30 },
	{ "revert-0x31-ds-signature", "iExecV5-matchOrders-0x31", m_31 },
	{ "revert-0x40-wp-unregistered", "iExecV5-matchOrders-0x40", m_40 },
	{ "revert-0x41-wp-signature", "iExecV5-matchOrders-0x41", m_41 },
	{ "revert-0x50-rq-signature", "iExecV5-matchOrders-0x50", m_50 },
	{ "revert-0x60-volume", "iExecV5-matchOrders-0x60", m_60 },
	{ "revert-funds", "IexecEscrow: Transfer amount exceeds balance", m_funds },
	{ "revert-app-not-contract", "revert without reason", m_eoa_app },
	{ "revert-signature-format", "invalid-signature-format", m_sigfmt },
};

static void deposit(struct ctx *x, int who, uint64_t nrlc)
{
	decc_u256 v = decc_u256_from_u64(nrlc);
	char name[48];
	int rc = decc_chain_deposit(x->c[who], &v);

	snprintf(name, sizeof(name), "deposit-%s", acct_names[who]);
	step(x, name, "ok", rc, NULL);
}

static void manage(struct ctx *x, const char *name, const char *expect, int sender,
		   const struct decc_order *o, enum decc_order_operation op, int op_signer)
{
	uint8_t h[32], sig[65];
	int rc;

	if (op_signer >= 0) {
		decc_order_operation_hash(h, x->ds_sep, o, op);
		if (decc_eth_sign_digest(sig, h, x->sk[op_signer]) < 0)
			die("operation sign");
	}
	rc = decc_chain_manage_order(x->c[sender], o, op, op_signer >= 0 ? sig : NULL,
				     op_signer >= 0 ? 65 : 0);
	step(x, name, expect, rc, NULL);
}

static void create_assets(struct ctx *x)
{
	uint8_t sum[32] = { 0 };
	static const uint8_t maddr[] = "docker.io/decc/differential:1.0.0";
	static const uint8_t dmaddr[] = "ipfs://dataset";
	static const char enclave_conf[] = "{\"framework\":\"SCONE\",\"version\":\"v5\"}";
	json_t *extra;
	int rc;

	sum[31] = 0xc0;
	/* the owner creates the app for the app owner: msg.sender may differ from owner */
	rc = decc_chain_create_app(x->c[A_OWNER], &x->app, &x->a[A_APP], "diff-app", "DOCKER",
				   maddr, sizeof(maddr) - 1, sum, (const uint8_t *)enclave_conf,
				   sizeof(enclave_conf) - 1);
	if (rc == 0)
		sym_addr_add(x, &x->app, "app");
	extra = json_object();
	if (rc == 0) {
		struct decc_chain_app v;

		if (decc_chain_view_app(x->c[0], &v, &x->app) < 0)
			die("view app");
		json_object_set_new(extra, "owner", jaddr(x, &v.owner));
		json_object_set_new(extra, "name", json_string(v.name));
		json_object_set_new(extra, "type", json_string(v.type));
		json_object_set_new(extra, "multiaddr", jhex(v.multiaddr.data, v.multiaddr.len));
		json_object_set_new(extra, "checksum", jword(x, v.checksum));
		json_object_set_new(extra, "mrenclave", jhex(v.mrenclave.data, v.mrenclave.len));
		decc_chain_app_release(&v);
	}
	step(x, "createApp", "ok", rc, extra);
	if (rc < 0)
		die("createApp");

	rc = decc_chain_create_dataset(x->c[A_DS], &x->ds, &x->a[A_DS], "diff-dataset", dmaddr,
				       sizeof(dmaddr) - 1, sum);
	if (rc == 0)
		sym_addr_add(x, &x->ds, "dataset");
	extra = json_object();
	if (rc == 0) {
		struct decc_chain_dataset v;

		if (decc_chain_view_dataset(x->c[0], &v, &x->ds) < 0)
			die("view dataset");
		json_object_set_new(extra, "owner", jaddr(x, &v.owner));
		json_object_set_new(extra, "name", json_string(v.name));
		json_object_set_new(extra, "multiaddr", jhex(v.multiaddr.data, v.multiaddr.len));
		decc_chain_dataset_release(&v);
	}
	step(x, "createDataset", "ok", rc, extra);
	if (rc < 0)
		die("createDataset");

	rc = decc_chain_create_workerpool(x->c[A_SCHED], &x->wp, &x->a[A_SCHED], "diff-pool");
	if (rc == 0)
		sym_addr_add(x, &x->wp, "workerpool");
	extra = json_object();
	if (rc == 0) {
		struct decc_chain_workerpool v;

		if (decc_chain_view_workerpool(x->c[0], &v, &x->wp) < 0)
			die("view workerpool");
		json_object_set_new(extra, "owner", jaddr(x, &v.owner));
		json_object_set_new(extra, "description", json_string(v.description));
		json_object_set_new(extra, "workerStakeRatio",
				    json_integer((json_int_t)v.worker_stake_ratio));
		json_object_set_new(extra, "schedulerRewardRatio",
				    json_integer((json_int_t)v.scheduler_reward_ratio));
		decc_chain_workerpool_release(&v);
	}
	step(x, "createWorkerpool", "ok", rc, extra);
	if (rc < 0)
		die("createWorkerpool");

	/* the same parameters for the same owner again: the entry exists */
	rc = decc_chain_create_workerpool(x->c[A_SCHED], NULL, &x->a[A_SCHED], "diff-pool");
	step(x, "createWorkerpool-again", "revert", rc, NULL);
}

static void scenario(struct ctx *x)
{
	struct oset s;
	int dA, dB, dC, tA0, tA1, tA2, tA3, tB0, tB1, tC0;
	static const uint8_t cb[] = "callback-data";

	/* the hub itself */
	{
		struct decc_chain_domain dom;
		uint8_t sep[32];
		struct decc_eip712_domain d;
		json_t *extra = json_object();
		uint64_t n;

		if (decc_chain_domain(x->c[0], &dom) < 0 || decc_chain_count_category(x->c[0], &n))
			die("domain");
		decc_order_domain(&d, x->chain_id, &x->hub);
		decc_eip712_domain_separator(sep, &d);
		json_object_set_new(extra, "name", json_string(dom.name));
		json_object_set_new(extra, "version", json_string(dom.version));
		json_object_set_new(extra, "chainId", json_integer((json_int_t)dom.chain_id));
		json_object_set_new(extra, "verifyingContract", jaddr(x, &dom.verifying_contract));
		json_object_set_new(extra, "separatorAsComputed",
				    json_boolean(memcmp(sep, x->ds_sep, 32) == 0));
		json_object_set_new(extra, "countCategory", json_integer((json_int_t)n));
		for (uint64_t i = 0; i < n; i++) {
			struct decc_chain_category cat;

			if (decc_chain_view_category(x->c[0], &cat, i) < 0)
				die("viewCategory");
			json_object_set_new(
			    extra, cat.name,
			    json_sprintf("%s %llu", cat.description,
					 (unsigned long long)cat.work_clock_time_ref));
			decc_chain_category_release(&cat);
		}
		step(x, "hub", NULL, 0, extra);
	}

	deposit(x, A_REQ, 100000);
	deposit(x, A_SCHED, 1000);
	for (int w = A_W5; w <= A_W8; w++)
		deposit(x, w, 100);
	create_assets(x);

	/* every provokable matchOrders revert (reference §2.1), one change from a good set */
	for (size_t i = 0; i < DECC_ARRAY_SIZE(reverts); i++) {
		oset_base(x, &s);
		reverts[i].fn(x, &s);
		do_match(x, &s, reverts[i].name, reverts[i].expect, A_REQ);
		oset_release(&s);
	}

	/* deal A: with dataset, trust 3, 4 tasks, restrictions that pass */
	oset_base(x, &s);
	s.rq.volume = decc_u256_from_u64(4);
	s.rq.trust = decc_u256_from_u64(3);
	s.rq.workerpool = x->wp;
	s.app.datasetrestrict = x->ds;
	s.app.requesterrestrict = x->a[A_REQ];
	s.ds.apprestrict = x->app;
	s.wp.requesterrestrict = x->a[A_REQ];
	if (do_match(x, &s, "A", "ok", A_REQ) < 0)
		die("deal A");
	dA = (int)x->n_deals - 1;
	do_match(x, &s, "A-again", "iExecV5-matchOrders-0x60", A_REQ);
	oset_release(&s);

	/* A0: two workers agree, both reveal, finalize */
	tA0 = new_task(x, "A0", dA, 0);
	{
		int rc = decc_chain_initialize(x->c[A_SCHED], NULL, x->deals[dA].id, 0);

		step(x, "initialize-A0-again", "revert", rc, NULL);
		rc = decc_chain_initialize(x->c[A_SCHED], NULL, x->deals[dA].id, 4);
		step(x, "initialize-A-idx4", "revert", rc, NULL);
	}
	contribute(x, tA0, A_W5, 1, "ok");
	contribute(x, tA0, A_W5, 1, "revert (contributed)");
	contribute(x, tA0, A_W6, 1, "ok, consensus");
	contribute(x, tA0, A_W7, 1, "revert (not active)");
	finalize(x, tA0, A_SCHED, "revert (no reveal)");
	reveal(x, tA0, A_W5, 2, "revert (wrong digest)");
	reveal(x, tA0, A_W5, 1, "ok");
	task_tx(x, tA0, A_SCHED, "reopen", "revert");
	finalize(x, tA0, A_REQ, "revert");
	reveal(x, tA0, A_W6, 1, "ok");
	finalize(x, tA0, A_SCHED, "ok");
	task_tx(x, tA0, A_OUT, "claim", "revert (completed)");

	/* A1: two agree, one reveals; after the reveal deadline the other is faulty */
	tA1 = new_task(x, "A1", dA, 1);
	contribute(x, tA1, A_W5, 1, "ok");
	cfinalize(x, tA1, A_W8, A_SCHED, false, NULL, 0, "", "revert (trust 3)");
	contribute(x, tA1, A_W6, 1, "ok, consensus");
	reveal(x, tA1, A_W5, 1, "ok");
	time_jump(x, 700);
	reveal(x, tA1, A_W6, 1, "revert (reveal deadline)");
	finalize(x, tA1, A_SCHED, "ok, worker6 faulty");

	/* A2: consensus nobody reveals, reopen, new consensus */
	tA2 = new_task(x, "A2", dA, 2);
	contribute(x, tA2, A_W7, 1, "ok");
	contribute(x, tA2, A_W8, 1, "ok, consensus");
	task_tx(x, tA2, A_SCHED, "reopen", "revert (before reveal deadline)");
	time_jump(x, 700);
	task_tx(x, tA2, A_W7, "reopen", "revert (not scheduler)");
	task_tx(x, tA2, A_SCHED, "reopen", "ok");
	contribute(x, tA2, A_W7, 1, "revert (contributed before)");
	contribute(x, tA2, A_W5, 1, "ok");
	contribute(x, tA2, A_W6, 1, "ok, consensus");
	reveal(x, tA2, A_W5, 1, "ok");
	reveal(x, tA2, A_W6, 1, "ok");
	finalize(x, tA2, A_SCHED, "ok, workers 7 and 8 rejected");

	/* A3: one contribution, no consensus, claimed after the final deadline */
	tA3 = new_task(x, "A3", dA, 3);
	contribute(x, tA3, A_W7, 1, "ok");
	task_tx(x, tA3, A_OUT, "claim", "revert (before final deadline)");
	time_jump(x, 1700);
	contribute(x, tA3, A_W8, 1, "revert (contribution deadline)");
	task_tx(x, tA3, A_OUT, "claim", "ok");
	task_tx(x, tA3, A_OUT, "claim", "revert (failed)");

	/* deal B: no dataset, trust 0, presigned app and request orders */
	oset_base(x, &s);
	s.no_ds = true;
	memset(&s.rq.dataset, 0, sizeof(s.rq.dataset));
	s.rq.datasetmaxprice = decc_u256_from_u64(0);
	s.rq.volume = decc_u256_from_u64(2);
	s.k_app = -1;
	s.k_rq = -1;
	oset_sign(x, &s, "B", true);
	manage(x, "presign-B.app-by-stranger", "invalid-signature-format", A_OUT, &s.app,
	       DECC_ORDER_OP_SIGN, -1);
	manage(x, "presign-B.app", "ok", A_APP, &s.app, DECC_ORDER_OP_SIGN, -1);
	manage(x, "presign-B.request", "ok", A_REQ, &s.rq, DECC_ORDER_OP_SIGN, -1);
	if (do_match(x, &s, "B", "ok", A_OUT) < 0)
		die("deal B");
	dB = (int)x->n_deals - 1;
	oset_release(&s);
	tB0 = new_task(x, "B0", dB, 0);
	cfinalize(x, tB0, A_W5, A_SCHED, false, NULL, 0, "", "ok, kitty to scheduler");
	tB1 = new_task(x, "B1", dB, 1);
	cfinalize(x, tB1, A_W6, A_OUT, false, NULL, 0, "-bad-authorization", "revert");
	cfinalize(x, tB1, A_W6, A_SCHED, false, NULL, 0, "", "ok");

	/* deal C: TEE, a callback address, contributeAndFinalize with an enclave */
	oset_base(x, &s);
	s.no_ds = true;
	memset(&s.rq.dataset, 0, sizeof(s.rq.dataset));
	s.rq.datasetmaxprice = decc_u256_from_u64(0);
	s.app.tag[31] = 0x03;
	s.wp.tag[31] = 0x03;
	s.rq.tag[31] = 0x03;
	s.rq.callback = x->a[A_OUT];
	if (do_match(x, &s, "C", "ok", A_REQ) < 0)
		die("deal C");
	dC = (int)x->n_deals - 1;
	oset_release(&s);
	tC0 = new_task(x, "C0", dC, 0);
	cfinalize(x, tC0, A_W7, A_SCHED, false, cb, sizeof(cb) - 1, "-no-enclave", "revert");
	cfinalize(x, tC0, A_W7, A_SCHED, true, cb, sizeof(cb) - 1, "-enclave", "ok");

	/* order management: close, then match; a presign sent by a third party */
	oset_base(x, &s);
	oset_sign(x, &s, "D", true);
	manage(x, "close-D.workerpool", "ok", A_SCHED, &s.wp, DECC_ORDER_OP_CLOSE, -1);
	manage(x, "close-D.request-by-signature", "ok", A_OUT, &s.rq, DECC_ORDER_OP_CLOSE, A_REQ);
	do_match(x, &s, "D", "iExecV5-matchOrders-0x60", A_REQ);
	oset_release(&s);
	oset_base(x, &s);
	s.k_ds = -1;
	oset_sign(x, &s, "E", true);
	manage(x, "presign-E.dataset-by-signature", "ok", A_OWNER, &s.ds, DECC_ORDER_OP_SIGN, A_DS);
	manage(x, "presign-E.dataset-bad-signature", "invalid-sender-or-signature", A_OWNER, &s.ds,
	       DECC_ORDER_OP_SIGN, A_OUT);
	if (do_match(x, &s, "E", "ok", A_REQ) == 0) {
		int tE0 = new_task(x, "E0", (int)x->n_deals - 1, 0);

		cfinalize(x, tE0, A_W8, A_SCHED, false, NULL, 0, "", "ok");
	}
	oset_release(&s);

	/* withdrawals */
	{
		decc_u256 v = decc_u256_from_u64(50);
		int rc = decc_chain_withdraw(x->c[A_W5], &v);

		step(x, "withdraw-worker5", "ok", rc, NULL);
		v = decc_u256_from_u64(1000000000000ull);
		rc = decc_chain_withdraw(x->c[A_W5], &v);
		step(x, "withdraw-too-much", "revert", rc, NULL);
	}
}

/* ---- setup ---- */

static void read_keys(struct ctx *x, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[256];
	int n = 0;

	if (!f) {
		fprintf(stderr, "decc-scenario: cannot open %s\n", path);
		exit(2);
	}
	while (n < N_ACCTS && fgets(line, sizeof(line), f)) {
		char *p = line;
		size_t len;

		p[strcspn(p, "\r\n \t")] = 0;
		if (!*p)
			continue;
		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
			p += 2;
		len = strlen(p);
		if (len != 64 || decc_hex_decode_exact(x->sk[n], 32, p) < 0) {
			fprintf(stderr, "decc-scenario: %s: line %d is not a private key\n", path,
				n + 1);
			exit(2);
		}
		n++;
	}
	decc_wipe(line, sizeof(line));
	fclose(f);
	if (n != N_ACCTS) {
		fprintf(stderr, "decc-scenario: %s: need %d keys, found %d\n", path, N_ACCTS, n);
		exit(2);
	}
}

static void setup(struct ctx *x, const char *rpc, const char *hub, const char *keys)
{
	static const char enclave_seed[] = "decc-scenario enclave";

	memset(x, 0, sizeof(*x));
	read_keys(x, keys);
	if (decc_address_parse(&x->hub, hub) < 0)
		die("--hub");
	for (int i = 0; i < N_ACCTS; i++) {
		if (decc_chain_new(&x->c[i], rpc) < 0 ||
		    decc_chain_set_wallet(x->c[i], x->sk[i]) < 0 ||
		    decc_chain_address(x->c[i], &x->a[i]) < 0)
			die("chain client");
		decc_chain_set_hub(x->c[i], &x->hub);
		decc_chain_set_poll_interval(x->c[i], 2);
		sym_addr_add(x, &x->a[i], acct_names[i]);
	}
	if (decc_chain_connect(x->c[0], &x->chain_id) < 0)
		die("eth_chainId");
	for (int i = 1; i < N_ACCTS; i++) {
		uint64_t id;

		if (decc_chain_connect(x->c[i], &id) < 0)
			die("eth_chainId");
	}
	if (decc_chain_domain_separator(x->c[0], x->ds_sep) < 0)
		die("eip712domain_separator");
	if (decc_chain_registries(x->c[0], &x->apps, &x->datasets, &x->pools) < 0)
		die("registries");
	if (decc_address_parse(&x->kitty, "0x99c2268479b93fDe36232351229815DF80837e23") < 0)
		die("kitty");
	decc_keccak256(x->enclave_sk, enclave_seed, sizeof(enclave_seed) - 1);
	if (decc_address_from_seckey(&x->enclave, x->enclave_sk) < 0)
		die("enclave key");
	sym_addr_add(x, &x->hub, "hub");
	sym_addr_add(x, &x->apps, "appRegistry");
	sym_addr_add(x, &x->datasets, "datasetRegistry");
	sym_addr_add(x, &x->pools, "workerpoolRegistry");
	sym_addr_add(x, &x->kitty, "kitty");
	sym_addr_add(x, &x->enclave, "enclave");
	sym_add(x, x->ds_sep, "domainSeparator");
	{
		static const char s1[] = "TaskConsensus(bytes32,bytes32)";
		static const char s2[] =
		    "OrdersMatched(bytes32,bytes32,bytes32,bytes32,bytes32,uint256)";

		decc_keccak256(x->t_consensus, s1, sizeof(s1) - 1);
		decc_keccak256(x->t_matched, s2, sizeof(s2) - 1);
	}
	if (decc_chain_block_number(x->c[0], &x->last_block) < 0)
		die("eth_blockNumber");
	x->steps = json_array();
}

static void teardown(struct ctx *x)
{
	for (int i = 0; i < N_ACCTS; i++)
		decc_chain_free(x->c[i]);
	decc_wipe(x->sk, sizeof(x->sk));
	decc_wipe(x->enclave_sk, sizeof(x->enclave_sk));
	free(x->syms);
	json_decref(x->steps);
}

/* ---- compare ---- */

struct flat {
	char **k, **v;
	size_t n, cap;
};

static void flat_add(struct flat *f, const char *k, const char *v)
{
	if (f->n == f->cap) {
		size_t n = f->cap ? f->cap * 2 : 1024;
		char **a = realloc(f->k, n * sizeof(*a)), **b;

		if (!a)
			exit(2);
		f->k = a;
		b = realloc(f->v, n * sizeof(*b));
		if (!b)
			exit(2);
		f->v = b;
		f->cap = n;
	}
	f->k[f->n] = strdup(k);
	f->v[f->n] = strdup(v);
	if (!f->k[f->n] || !f->v[f->n])
		exit(2);
	f->n++;
}

static void flatten(struct flat *f, const char *path, json_t *j)
{
	char *p = NULL;

	if (json_is_object(j)) {
		const char *key;
		json_t *v;

		if (json_object_size(j) == 0)
			flat_add(f, path, "{}");
		json_object_foreach(j, key, v)
		{
			if (asprintf(&p, "%s/%s", path, key) < 0)
				exit(2);
			flatten(f, p, v);
			free(p);
		}
	} else if (json_is_array(j)) {
		size_t i;
		json_t *v;

		if (json_array_size(j) == 0)
			flat_add(f, path, "[]");
		json_array_foreach(j, i, v)
		{
			if (asprintf(&p, "%s[%zu]", path, i) < 0)
				exit(2);
			flatten(f, p, v);
			free(p);
		}
	} else {
		char *s = json_dumps(j, JSON_ENCODE_ANY);

		flat_add(f, path, s ? s : "?");
		free(s);
	}
}

static json_t *load(const char *path)
{
	json_error_t e;
	json_t *j = json_load_file(path, 0, &e);

	if (!j) {
		fprintf(stderr, "decc-scenario: %s: %s (line %d)\n", path, e.text, e.line);
		exit(2);
	}
	return j;
}

/* Flatten a trace: each step keyed by its number and name, so the paths read well. */
static void flatten_trace(struct flat *f, json_t *root)
{
	json_t *steps = json_object_get(root, "steps"), *s;
	size_t i;

	json_array_foreach(steps, i, s)
	{
		char *p = NULL;
		const char *name = json_string_value(json_object_get(s, "step"));

		if (asprintf(&p, "%03zu:%s", i, name ? name : "?") < 0)
			exit(2);
		flatten(f, p, s);
		free(p);
	}
}

struct known {
	char *glob, *reason;
	size_t hits;
};

static size_t load_known(struct known **out, const char *path)
{
	FILE *fp;
	char line[1024];
	size_t n = 0;
	struct known *k = NULL;

	*out = NULL;
	if (!path)
		return 0;
	fp = fopen(path, "r");
	if (!fp) {
		fprintf(stderr, "decc-scenario: cannot open %s\n", path);
		exit(2);
	}
	while (fgets(line, sizeof(line), fp)) {
		char *bar, *g = line, *e;

		line[strcspn(line, "\r\n")] = 0;
		while (*g == ' ' || *g == '\t')
			g++;
		if (!*g || *g == '#')
			continue;
		bar = strstr(g, " | ");
		if (!bar) {
			fprintf(stderr, "decc-scenario: %s: line without ' | reason': %s\n", path,
				g);
			exit(2);
		}
		*bar = 0;
		for (e = bar; e > g && (e[-1] == ' ' || e[-1] == '\t'); e--)
			e[-1] = 0;
		k = realloc(k, (n + 1) * sizeof(*k));
		if (!k)
			exit(2);
		k[n].glob = strdup(g);
		k[n].reason = strdup(bar + 3);
		k[n].hits = 0;
		n++;
	}
	fclose(fp);
	*out = k;
	return n;
}

static const char *lookup(const struct flat *f, const char *k, size_t *hint)
{
	/* both traces list their paths in the same order when they agree: try the hint first */
	if (*hint < f->n && strcmp(f->k[*hint], k) == 0)
		return f->v[(*hint)++];
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->k[i], k) == 0) {
			*hint = i + 1;
			return f->v[i];
		}
	return NULL;
}

static int compare(const char *pa, const char *pb, const char *known_path)
{
	json_t *ja = load(pa), *jb = load(pb);
	struct flat fa = { 0 }, fb = { 0 };
	struct known *known;
	size_t n_known = load_known(&known, known_path), hint = 0, n_diff = 0, n_known_diff = 0;
	const char *la = json_string_value(json_object_get(ja, "backend"));
	const char *lb = json_string_value(json_object_get(jb, "backend"));

	la = la ? la : pa;
	lb = lb ? lb : pb;
	flatten_trace(&fa, ja);
	flatten_trace(&fb, jb);
	for (int pass = 0; pass < 2; pass++) {
		const struct flat *x = pass ? &fb : &fa, *y = pass ? &fa : &fb;

		for (size_t i = 0; i < x->n; i++) {
			const char *vy = lookup(y, x->k[i], &hint);
			const char *va, *vb;
			size_t m;

			if (vy && (pass || strcmp(vy, x->v[i]) == 0))
				continue; /* same, or reported in pass 0 */
			va = pass ? "(absent)" : x->v[i];
			vb = pass ? x->v[i] : (vy ? vy : "(absent)");
			for (m = 0; m < n_known; m++)
				if (fnmatch(known[m].glob, x->k[i], 0) == 0)
					break;
			if (m < n_known) {
				known[m].hits++;
				n_known_diff++;
				printf(
				    "known  %s\n       %s: %s\n       %s: %s\n       reason: %s\n",
				    x->k[i], la, va, lb, vb, known[m].reason);
			} else {
				n_diff++;
				printf("DIFF   %s\n       %s: %s\n       %s: %s\n", x->k[i], la, va,
				       lb, vb);
			}
		}
	}
	printf("compared %zu values of %s with %zu of %s: %zu undocumented differences, %zu "
	       "documented ones\n",
	       fa.n, la, fb.n, lb, n_diff, n_known_diff);
	for (size_t m = 0; m < n_known; m++) {
		if (!known[m].hits)
			printf("note: known difference '%s' did not occur\n", known[m].glob);
		free(known[m].glob);
		free(known[m].reason);
	}
	free(known);
	for (size_t i = 0; i < fa.n; i++) {
		free(fa.k[i]);
		free(fa.v[i]);
	}
	for (size_t i = 0; i < fb.n; i++) {
		free(fb.k[i]);
		free(fb.v[i]);
	}
	free(fa.k);
	free(fa.v);
	free(fb.k);
	free(fb.v);
	json_decref(ja);
	json_decref(jb);
	return n_diff ? 1 : 0;
}

/* ---- bench ---- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static const char *name_of_run(void)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "bench-pool-%llu", (unsigned long long)time(NULL));
	return buf;
}

/*
 * The benchmark mix, sent one transaction at a time: per round createApp (a new app),
 * matchOrders (volume 1, trust 0, no dataset), initialize, contributeAndFinalize.
 */
static int bench(struct ctx *x, unsigned rounds)
{
	double *lat = calloc((size_t)rounds * 4, sizeof(double)), t0, t;
	size_t n = 0;
	static const uint8_t results[] = "ipfs://bench";
	uint8_t sum[32] = { 0 };

	if (!lat)
		return 2;
	/* salts unique across runs on the same chain */
	x->salt = (uint64_t)time(NULL) << 20;
	if (decc_chain_create_workerpool(x->c[A_SCHED], &x->wp, &x->a[A_SCHED], name_of_run()) < 0)
		die("bench createWorkerpool");
	{
		decc_u256 v = decc_u256_from_u64(1000000000ull);

		if (decc_chain_deposit(x->c[A_REQ], &v) < 0 ||
		    decc_chain_deposit(x->c[A_SCHED], &v) < 0)
			die("bench deposit");
	}
	t0 = now_s();
	for (unsigned r = 0; r < rounds; r++) {
		struct oset s;
		char name[64];
		decc_address app;
		uint8_t dealid[32], taskid[32], digest[32], auth[65], pre[72], h[32];

		snprintf(name, sizeof(name), "bench-app-%u-%llu", r,
			 (unsigned long long)time(NULL));
		t = now_s();
		if (decc_chain_create_app(x->c[A_APP], &app, &x->a[A_APP], name, "DOCKER",
					  (const uint8_t *)name, strlen(name), sum, NULL, 0) < 0)
			die("bench createApp");
		lat[n++] = now_s() - t;
		x->app = app;
		oset_base(x, &s);
		s.no_ds = true;
		memset(&s.rq.dataset, 0, sizeof(s.rq.dataset));
		s.rq.datasetmaxprice = decc_u256_from_u64(0);
		oset_sign(x, &s, NULL, false);
		t = now_s();
		if (decc_chain_match_orders(x->c[A_REQ], dealid, NULL, &s.app, NULL, &s.wp, &s.rq) <
		    0)
			die("bench matchOrders");
		lat[n++] = now_s() - t;
		oset_release(&s);
		t = now_s();
		if (decc_chain_initialize(x->c[A_SCHED], taskid, dealid, 0) < 0)
			die("bench initialize");
		lat[n++] = now_s() - t;
		digest_of(digest, 1);
		memcpy(pre, x->a[A_W5].b, 20);
		memcpy(pre + 20, taskid, 32);
		memset(pre + 52, 0, 20);
		decc_keccak256(h, pre, 72);
		if (decc_eip191_sign(auth, h, 32, x->sk[A_SCHED]) < 0)
			die("bench authorization");
		t = now_s();
		if (decc_chain_contribute_and_finalize(x->c[A_W5], taskid, digest, results,
						       sizeof(results) - 1, NULL, 0, NULL, NULL, 0,
						       auth, 65) < 0)
			die("bench contributeAndFinalize");
		lat[n++] = now_s() - t;
	}
	t = now_s() - t0;
	qsort(lat, n, sizeof(double), cmp_double);
	printf("txs %zu seconds %.3f tps %.1f p50_ms %.2f p99_ms %.2f\n", n, t, (double)n / t,
	       lat[n / 2] * 1e3, lat[n * 99 / 100 < n ? n * 99 / 100 : n - 1] * 1e3);
	free(lat);
	return 0;
}

/* ---- main ---- */

static void usage(void)
{
	fprintf(stderr,
		"usage: decc-scenario --rpc URL --hub ADDR --keys FILE --out TRACE [--label NAME]\n"
		"       decc-scenario --compare A.json B.json [--known FILE]\n"
		"       decc-scenario --bench ROUNDS --rpc URL --hub ADDR --keys FILE\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *rpc = NULL, *hub = NULL, *keys = NULL, *out = NULL, *label = NULL;
	const char *known = NULL, *ca = NULL, *cb = NULL;
	unsigned rounds = 0;
	struct ctx *x;
	int rc;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--compare") == 0 && i + 2 < argc) {
			ca = argv[++i];
			cb = argv[++i];
		} else if (i + 1 >= argc) {
			usage();
		} else if (strcmp(a, "--rpc") == 0) {
			rpc = argv[++i];
		} else if (strcmp(a, "--hub") == 0) {
			hub = argv[++i];
		} else if (strcmp(a, "--keys") == 0) {
			keys = argv[++i];
		} else if (strcmp(a, "--out") == 0) {
			out = argv[++i];
		} else if (strcmp(a, "--label") == 0) {
			label = argv[++i];
		} else if (strcmp(a, "--known") == 0) {
			known = argv[++i];
		} else if (strcmp(a, "--bench") == 0) {
			rounds = (unsigned)strtoul(argv[++i], NULL, 10);
		} else {
			usage();
		}
	}
	if (ca)
		return compare(ca, cb, known);
	if (!rpc || !hub || !keys || (!out && !rounds))
		usage();
	x = calloc(1, sizeof(*x));
	if (!x)
		return 2;
	setup(x, rpc, hub, keys);
	if (rounds) {
		rc = bench(x, rounds);
	} else {
		json_t *root;

		scenario(x);
		root = json_pack("{s:s,s:O}", "backend", label ? label : rpc, "steps", x->steps);
		if (!root || json_dump_file(root, out, JSON_INDENT(1) | JSON_SORT_KEYS) < 0) {
			fprintf(stderr, "decc-scenario: cannot write %s\n", out);
			return 2;
		}
		json_decref(root);
		rc = x->failures ? 1 : 0;
		if (x->failures)
			fprintf(stderr,
				"decc-scenario: %d steps failed for other reasons than a "
				"revert\n",
				x->failures);
	}
	teardown(x);
	free(x);
	return rc;
}
