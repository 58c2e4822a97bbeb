/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The requester's commands: decc app run (like 'iexec app run') and decc protect process (like
 * DataProtector's processProtectedData). Both find the cheapest matching app, dataset and
 * workerpool orders on the market, sign a request order for one task, match the four on chain
 * and follow the task; protect process also takes care of the result key and the requester
 * secrets, then downloads and decrypts the result (docs/cmd/decc-app.md, decc-protect.md).
 * The market queries are in cli/market.h, shared with the data owner's commands.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/file.h"
#include "decc/hex.h"
#include "decc/orderbook.h"
#include "decc/poco.h"
#include "decc/result.h"
#include "decc/sms.h"
#include "decc/store.h"
#include "cli/devnet.h"
#include "cli/market.h"
#include "cli/pococli.h"
#include "cli/protect_cmds.h"

#define MULTI_MAX 32	       /* --input-file and --secret given at most this many times */
#define PARAMS_MAX (16 * 1024) /* a request order's params */
#define SCHED_RECORD_MAX ((size_t)4 << 20)
#define POLL_FIRST_MS 10 /* the task polled after 10 ms, twice as long each time, */
#define POLL_MS 250	 /* up to 250 ms; again from 10 ms when its status changes */
#define PEM_MAX (1 << 16)
#define RESULT_SHOW_MAX ((size_t)16 << 20) /* bytes of a result file printed on stdout */

static const char *const status_names[] = { "UNSET", "ACTIVE", "REVEALING", "COMPLETED", "FAILED" };
static const char *const kind_names[3] = { "app", "dataset", "workerpool" };

/* Values of an option that may repeat (opt.c keeps one value per option). */
struct multi {
	const char *v[MULTI_MAX];
	size_t n;
};

struct run_opts {
	const char *dataset, *args, *trust, *category, *tag, *workerpool, *max_price;
	const char *beneficiary, *market, *sms, *api, *output, *timeout, *scheduler;
	const char *data, *app;
	bool watch;
	struct multi input_files, secrets;
};

/* One run: the chain, the wallet, what is asked and what was found. */
struct run {
	struct cli *cli;
	const char *page, *cmd;
	bool progress; /* the steps on stderr */
	const struct run_opts *o;
	struct decc_chain *c;
	uint8_t sk[32];
	decc_address me;
	char *market;
	uint8_t domain[32];
	decc_address app, dataset, workerpool, beneficiary;
	bool has_dataset, has_workerpool;
	uint8_t tag[32];
	bool has_category;
	uint64_t category, trust, timeout;
	bool has_max_price;
	decc_u256 max_price;
	json_t *secrets; /* {"1": name}, or NULL */
	struct decc_order ord[3];
	bool found[3];
	char hash[3][67];
	uint8_t dealid[32], taskid[32];
	char deal_s[67], task_s[67];
	enum decc_chain_task_status status;
};

static void step(const struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void step(const struct run *r, const char *fmt, ...)
{
	va_list ap;

	if (!r->progress)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

static void addr_s(char out[43], const decc_address *a)
{
	decc_address_to_checksum(out, a);
}

/* Every --NAME of argv into m (opt_take_repeated). */
static int take_multi(int *argc, char **argv, const char *name, struct multi *m)
{
	return opt_take_repeated(argc, argv, name, m->v, MULTI_MAX, &m->n);
}

/* ---- the market ---- */

/* The cheapest live order of type t matching the query into r (market_first). */
static int market_first_r(struct run *r, enum decc_order_type t, const char *query, bool *found,
			  long long *total)
{
	DECC_TRY(market_first(&r->ord[t], r->hash[t], found, total, r->market, t, query));
	if (*found)
		r->found[t] = true;
	return 0;
}

/* What the query asks, in words, for the messages. */
static void describe(char *out, size_t cap, const struct run *r, bool with_dataset)
{
	char a[43], d[43], w[43], me[43];
	size_t n;

	addr_s(a, &r->app);
	addr_s(me, &r->me);
	n = (size_t)snprintf(out, cap, "app %s, requester %s", a, me);
	if (with_dataset && r->has_dataset && n < cap) {
		addr_s(d, &r->dataset);
		n += (size_t)snprintf(out + n, cap - n, ", dataset %s", d);
	}
	if (r->has_workerpool && n < cap) {
		addr_s(w, &r->workerpool);
		snprintf(out + n, cap - n, ", workerpool %s", w);
	}
}

static int find_orders(struct run *r)
{
	struct decc_buf q;
	uint8_t tee_bits[32] = { 0 }, pool_tag[32];
	const decc_address *ds = r->has_dataset ? &r->dataset : &DECC_ADDRESS_ZERO;
	char what[400], a[43], d[43], tg[67], ps[3][79], sum_s[79], max_s[79];
	long long total = 0;
	decc_u256 sum;
	bool found;
	int ret;

	decc_buf_init(&q, 4096);
	describe(what, sizeof(what), r, true);
	market_tag_hex(tg, r->tag);

	/* app orders: the app, compatible with us; a TEE request needs the TEE bit there, and
	 * no bit outside what we asked */
	tee_bits[31] = r->tag[31] & 1;
	ret = market_q_addr(&q, "app", &r->app);
	ret = ret ?: market_q_addr(&q, "dataset", ds);
	ret = ret ?: market_q_addr(&q, "requester", &r->me);
	ret = ret ?: (r->has_workerpool ? market_q_addr(&q, "workerpool", &r->workerpool) : 0);
	ret = ret ?: market_q_tag(&q, "minTag", tee_bits);
	ret = ret ?: market_q_tag(&q, "maxTag", r->tag);
	ret = ret ?: decc_buf_appendf(&q, "&minVolume=1&pageSize=%d", MARKET_PAGE);
	ret = ret ?: market_first_r(r, DECC_ORDER_APP, decc_buf_str(&q), &found, NULL);
	if (ret < 0)
		goto out;
	if (!found) {
		ret = decc_error_set(DECC_ENOTFOUND,
				     "no app order on the market for %s with tag %s (the app "
				     "owner publishes them with 'decc order publish app')",
				     what, tg);
		goto out;
	}
	step(r, "app order %s: %s nRLC, tag 0x..%02x", r->hash[0],
	     (decc_u256_to_dec(ps[0], &r->ord[0].price), ps[0]), r->ord[0].tag[31]);

	if (r->has_dataset) {
		q.len = 0;
		ret = market_q_addr(&q, "dataset", &r->dataset);
		ret = ret ?: market_q_addr(&q, "app", &r->app);
		ret = ret ?: market_q_addr(&q, "requester", &r->me);
		ret = ret
			  ?: (r->has_workerpool ? market_q_addr(&q, "workerpool", &r->workerpool)
						: 0);
		ret = ret ?: market_q_tag(&q, "maxTag", r->tag);
		ret = ret ?: decc_buf_appendf(&q, "&minVolume=1&pageSize=%d", MARKET_PAGE);
		ret = ret ?: market_first_r(r, DECC_ORDER_DATASET, decc_buf_str(&q), &found, NULL);
		if (ret < 0)
			goto out;
		if (!found) {
			addr_s(d, &r->dataset);
			addr_s(a, &r->app);
			/* how many orders the dataset has at all, to say why none fits */
			q.len = 0;
			ret = market_q_addr(&q, "dataset", &r->dataset);
			ret = ret ?: decc_buf_appendf(&q, "&pageSize=1");
			ret = ret
				  ?: market_first_r(r, DECC_ORDER_DATASET, decc_buf_str(&q), &found,
						    &total);
			if (ret < 0)
				goto out;
			if (r->found[1]) {
				decc_order_release(&r->ord[1]);
				r->found[1] = false;
			}
			describe(what, sizeof(what), r, false);
			ret = decc_error_set(
			    DECC_ENOTFOUND,
			    "no dataset order of %s on the market for %s with tag %s (the "
			    "dataset owner grants access with a dataset order; the dataset has "
			    "%lld live order(s), none for this app, requester, workerpool and tag)",
			    d, what, tg, total);
			goto out;
		}
		step(r, "dataset order %s: %s nRLC, tag 0x..%02x", r->hash[1],
		     (decc_u256_to_dec(ps[1], &r->ord[1].price), ps[1]), r->ord[1].tag[31]);
	}

	/* workerpool orders: every tag bit of the deal, the trust and category asked */
	for (int i = 0; i < 32; i++)
		pool_tag[i] =
		    r->tag[i] | r->ord[0].tag[i] | (r->has_dataset ? r->ord[1].tag[i] : 0);
	q.len = 0;
	ret = r->has_workerpool ? market_q_addr(&q, "workerpool", &r->workerpool) : 0;
	ret = ret ?: market_q_addr(&q, "app", &r->app);
	ret = ret ?: market_q_addr(&q, "dataset", ds);
	ret = ret ?: market_q_addr(&q, "requester", &r->me);
	ret = ret ?: market_q_tag(&q, "minTag", pool_tag);
	ret = ret ?: decc_buf_appendf(&q, "&minTrust=%llu", (unsigned long long)r->trust);
	ret = ret
		  ?: (r->has_category
			  ? decc_buf_appendf(&q, "&category=%llu", (unsigned long long)r->category)
			  : 0);
	ret = ret ?: decc_buf_appendf(&q, "&minVolume=1&pageSize=%d", MARKET_PAGE);
	ret = ret ?: market_first_r(r, DECC_ORDER_WORKERPOOL, decc_buf_str(&q), &found, NULL);
	if (ret < 0)
		goto out;
	if (!found) {
		market_tag_hex(tg, pool_tag);
		ret =
		    decc_error_set(DECC_ENOTFOUND,
				   "no workerpool order on the market for %s with tag %s, trust "
				   ">= %llu%s (a workerpool owner publishes them with 'decc order "
				   "publish workerpool')",
				   what, tg, (unsigned long long)r->trust,
				   r->has_category ? " and the category asked" : "");
		goto out;
	}
	step(r, "workerpool order %s: %s nRLC, category %llu", r->hash[2],
	     (decc_u256_to_dec(ps[2], &r->ord[2].price), ps[2]),
	     (unsigned long long)r->ord[2].category.w[0]);

	sum = r->ord[0].price;
	if (decc_u256_add(&sum, &sum, &r->ord[2].price) ||
	    (r->has_dataset && decc_u256_add(&sum, &sum, &r->ord[1].price))) {
		ret = decc_error_set(DECC_EINVAL, "the orders' prices overflow");
		goto out;
	}
	decc_u256_to_dec(sum_s, &sum);
	if (r->has_max_price && decc_u256_cmp(&sum, &r->max_price) > 0) {
		decc_u256_to_dec(max_s, &r->max_price);
		ret = decc_error_set(DECC_ELIMIT,
				     "the cheapest matching orders cost %s nRLC a task (app %s + "
				     "dataset %s + workerpool %s), above --max-price %s",
				     sum_s, ps[0], r->has_dataset ? ps[1] : "0", ps[2], max_s);
		goto out;
	}
	step(r, "orders found: %s nRLC a task", sum_s);
	ret = 0;
out:
	decc_buf_release(&q);
	return ret;
}

/* ---- the request and the deal ---- */

static int build_params(struct run *r, char **out)
{
	json_t *p = json_object(), *files = NULL;
	char *s;

	if (!p)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	if (r->o->args)
		json_object_set_new(p, "iexec_args", json_string(r->o->args));
	if (r->o->input_files.n) {
		files = json_array();
		for (size_t i = 0; files && i < r->o->input_files.n; i++)
			json_array_append_new(files, json_string(r->o->input_files.v[i]));
		json_object_set_new(p, "iexec_input_files", files);
	}
	if (r->secrets)
		json_object_set(p, "iexec_secrets", r->secrets);
	/* a TEE task encrypts its result for the beneficiary */
	if (market_tag_is_tee(r->tag) || market_tag_is_tee(r->ord[0].tag))
		json_object_set_new(p, "iexec_result_encryption", json_true());
	s = json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(p);
	if (!s)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	if (strlen(s) > PARAMS_MAX) {
		free(s);
		return decc_error_set(DECC_ELIMIT,
				      "the request's params (--args, --input-file, --secret) are "
				      "over %d bytes",
				      PARAMS_MAX);
	}
	*out = s;
	return 0;
}

static int request_and_match(struct run *r)
{
	struct decc_order req;
	const struct decc_order *four[4];
	decc_u256 volume;
	char *params = NULL;
	int ret;

	DECC_TRY(build_params(r, &params));
	decc_order_init(&req, DECC_ORDER_REQUEST);
	req.app = r->app;
	req.appmaxprice = r->ord[0].price;
	if (r->has_dataset) {
		req.dataset = r->dataset;
		req.datasetmaxprice = r->ord[1].price;
	}
	req.workerpool = r->ord[2].workerpool;
	req.workerpoolmaxprice = r->ord[2].price;
	req.requester = r->me;
	req.beneficiary = r->beneficiary;
	req.volume = decc_u256_from_u64(1);
	memcpy(req.tag, r->tag, 32);
	req.category = r->ord[2].category;
	req.trust = decc_u256_from_u64(r->trust);
	req.params = params; /* released with the order */
	ret = decc_random_bytes(req.salt, sizeof(req.salt));
	if (ret == 0)
		ret = decc_order_sign(&req, r->domain, r->sk);
	if (ret == 0) {
		four[0] = &r->ord[0];
		four[1] = r->has_dataset ? &r->ord[1] : NULL;
		four[2] = &r->ord[2];
		four[3] = &req;
		ret = pcli_match_orders(r->c, r->dealid, &volume, four);
	}
	decc_order_release(&req);
	if (ret < 0)
		return ret;
	decc_poco_task_id(r->taskid, r->dealid, &DECC_U256_ZERO);
	decc_hex_encode(r->deal_s, r->dealid, 32, true);
	decc_hex_encode(r->task_s, r->taskid, 32, true);
	step(r, "deal %s", r->deal_s);
	step(r, "task %s", r->task_s);
	return 0;
}

/* ---- following the task ---- */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The scheduler's view (--scheduler): its failure cause and the replicates' causes. */
static void sched_causes(const struct run *r, char *out, size_t cap, bool *failed)
{
	struct decc_buf b = DECC_BUF_INIT;
	char url[300];
	json_t *rec = NULL, *e;
	size_t i, n = 0;
	int st = 0;

	*out = 0;
	if (failed)
		*failed = false;
	if (!r->o->scheduler || strlen(r->o->scheduler) > 200)
		return;
	snprintf(url, sizeof(url), "%s%stasks/%s", r->o->scheduler,
		 r->o->scheduler[strlen(r->o->scheduler) - 1] == '/' ? "" : "/", r->task_s);
	if (devnet_http_get(url, &st, &b, SCHED_RECORD_MAX) == 0 && st == 200)
		rec = json_loadb((const char *)b.data, b.len, 0, NULL);
	decc_buf_release(&b);
	if (!json_is_object(rec)) {
		json_decref(rec);
		return;
	}
	if (failed)
		*failed = strcmp(json_string_value(json_object_get(rec, "currentStatus")) ?: "",
				 "FAILED") == 0;
	if (*(json_string_value(json_object_get(rec, "failureCause")) ?: ""))
		n += (size_t)snprintf(out + n, cap - n, "; the scheduler says: %s",
				      json_string_value(json_object_get(rec, "failureCause")));
	json_array_foreach(json_object_get(rec, "replicates"), i, e)
	{
		const char *cause = json_string_value(json_object_get(e, "cause"));

		if (cause && *cause && n < cap)
			n += (size_t)snprintf(
			    out + n, cap - n, "; worker %s: %s",
			    json_string_value(json_object_get(e, "walletAddress")) ?: "?", cause);
	}
	json_decref(rec);
}

/* The final deadline of a task not initialized yet: the deal's start + 10 x the time ref. */
static uint64_t deal_final_deadline(struct run *r)
{
	struct decc_chain_deal d = { 0 };
	struct decc_chain_category cat = { 0 };
	uint64_t id, dl = 0;

	if (decc_chain_view_deal(r->c, &d, r->dealid) < 0)
		return 0;
	if (decc_u256_to_u64(&d.category, &id) && decc_chain_view_category(r->c, &cat, id) == 0) {
		dl = d.start_time + 10 * cat.work_clock_time_ref;
		decc_chain_category_release(&cat);
	}
	decc_chain_deal_release(&d);
	return dl;
}

/*
 * Follow the task until COMPLETED (0), or FAILED, its final deadline passed, the scheduler
 * gave up (with --scheduler) or --timeout: an error with the cause. Status changes on stderr.
 */
static int watch(struct run *r)
{
	uint64_t start = now_ms(), final = 0, now = 0;
	long wait = POLL_FIRST_MS;
	int last = -1, errors = 0;
	char causes[1024];
	bool sched_failed;

	for (;;) {
		struct decc_chain_task t = { 0 };

		if (decc_chain_view_task(r->c, &t, r->taskid) < 0 ||
		    decc_chain_timestamp(r->c, &now) < 0) {
			decc_chain_task_release(&t);
			if (++errors >= 20)
				return decc_error_wrap(DECC_ERROR, "cannot follow the task");
			goto sleep;
		}
		errors = 0;
		r->status = t.status;
		final = t.status == DECC_TASK_UNSET ? final : t.final_deadline;
		decc_chain_task_release(&t);
		if ((int)r->status != last) {
			step(r, "task %s: %s", r->task_s,
			     (unsigned)r->status < 5 ? status_names[r->status] : "?");
			last = (int)r->status;
			wait = POLL_FIRST_MS;
		}
		if (r->status == DECC_TASK_COMPLETED)
			return 0;
		if (r->status == DECC_TASK_FAILED) {
			sched_causes(r, causes, sizeof(causes), NULL);
			return decc_error_set(
			    DECC_ERROR,
			    "task %s FAILED (claimed after its final deadline: the "
			    "requester was refunded)%s",
			    r->task_s, causes);
		}
		if (final == 0)
			final = deal_final_deadline(r);
		if (final && now >= final) {
			sched_causes(r, causes, sizeof(causes), NULL);
			return decc_error_set(
			    DECC_ERROR,
			    "task %s TIMEOUT: still %s at its final deadline (claim "
			    "a refund with 'decc task claim %s')%s",
			    r->task_s, status_names[r->status], r->task_s, causes);
		}
		sched_causes(r, causes, sizeof(causes), &sched_failed);
		if (sched_failed)
			return decc_error_set(DECC_ERROR,
					      "task %s: the workerpool's scheduler gave up on it "
					      "(status %s on the ledger)%s",
					      r->task_s, status_names[r->status], causes);
		if (r->timeout && now_ms() - start >= r->timeout * 1000)
			return decc_error_set(
			    DECC_ERROR, "task %s: still %s after --timeout %llu s%s", r->task_s,
			    status_names[r->status], (unsigned long long)r->timeout, causes);
	sleep:
		nanosleep(&(struct timespec){ 0, wait * 1000000L }, NULL);
		wait = wait * 2 > POLL_MS ? POLL_MS : wait * 2;
	}
}

/* ---- setup shared by both commands ---- */

static int registered(struct run *r, int kind, const decc_address *a)
{
	struct decc_abi_value *ret = NULL, *args;
	decc_address reg;
	bool yes = false;
	char s[43];
	int e;

	DECC_TRY(pcli_registry(r->c, kind, &reg));
	args = decc_abi_tuplev(1, decc_abi_address(a));
	if (!args)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	e = decc_chain_call_fn(r->c, &ret, &reg, "isRegistered(address)", args, "(bool)");
	decc_abi_value_free(args);
	if (e == 0)
		e = decc_abi_get_bool(&yes, ret->items[0]);
	decc_abi_value_free(ret);
	if (e < 0)
		return e;
	addr_s(s, a);
	if (!yes)
		return decc_error_set(DECC_ENOTFOUND, "%s is not a registered %s", s,
				      kind_names[kind]);
	return 0;
}

/* Parse the options both commands share into r (usage errors reported, exit status). */
static int run_parse(struct run *r, const struct run_opts *o, const char *app, bool tee_default)
{
	r->o = o;
	if (decc_address_parse(&r->app, app) < 0)
		return cli_usage_error(r->page, r->cmd, "APP: %s", decc_error_last());
	if (o->dataset) {
		if (decc_address_parse(&r->dataset, o->dataset) < 0)
			return cli_usage_error(r->page, r->cmd, "--dataset: %s", decc_error_last());
		r->has_dataset = true;
	}
	if (o->workerpool) {
		if (decc_address_parse(&r->workerpool, o->workerpool) < 0)
			return cli_usage_error(r->page, r->cmd, "--workerpool: %s",
					       decc_error_last());
		r->has_workerpool = true;
	}
	if (o->beneficiary && decc_address_parse(&r->beneficiary, o->beneficiary) < 0)
		return cli_usage_error(r->page, r->cmd, "--beneficiary: %s", decc_error_last());
	memset(r->tag, 0, 32);
	r->tag[31] = tee_default ? 1 : 0;
	if (o->tag && market_parse_tag(r->tag, o->tag) < 0)
		return cli_usage_error(r->page, r->cmd, "--tag: %s", decc_error_last());
	if (o->trust && cli_parse_u64(&r->trust, o->trust) < 0)
		return cli_usage_error(r->page, r->cmd, "--trust: %s", decc_error_last());
	if (o->category) {
		if (cli_parse_u64(&r->category, o->category) < 0)
			return cli_usage_error(r->page, r->cmd, "--category: %s",
					       decc_error_last());
		r->has_category = true;
	}
	if (o->max_price) {
		if (decc_u256_parse(&r->max_price, o->max_price) < 0 ||
		    strncmp(o->max_price, "0x", 2) == 0)
			return cli_usage_error(r->page, r->cmd,
					       "--max-price: expected a decimal amount of nRLC");
		r->has_max_price = true;
	}
	if (o->timeout && cli_parse_u64(&r->timeout, o->timeout) < 0)
		return cli_usage_error(r->page, r->cmd, "--timeout: %s", decc_error_last());
	return CLI_EXIT_OK;
}

/* The wallet (kept for the request and the SMS), the chain, the domain, the market. */
static int run_open(struct run *r)
{
	int e;

	if (cli_wallet_open(r->cli, NULL, r->sk, &r->me) < 0)
		return cli_fail("%s: cannot open the wallet", r->cmd);
	if ((e = pcli_open(r->cli, r->page, r->cmd, &r->c, false, NULL)) != CLI_EXIT_OK)
		return e;
	if (decc_chain_set_wallet(r->c, r->sk) < 0 ||
	    decc_chain_domain_separator(r->c, r->domain) < 0)
		return pcli_fail(r->cmd);
	if ((e = pcli_market_url(r->cli, r->page, r->cmd, r->o->market, &r->market)) != CLI_EXIT_OK)
		return e;
	if (!r->o->beneficiary)
		r->beneficiary = r->me;
	if (registered(r, 0, &r->app) < 0 ||
	    (r->has_dataset && registered(r, 1, &r->dataset) < 0) ||
	    (r->has_workerpool && registered(r, 2, &r->workerpool) < 0))
		return cli_fail("%s", r->cmd);
	return CLI_EXIT_OK;
}

static void run_release(struct run *r)
{
	decc_wipe(r->sk, sizeof(r->sk));
	decc_chain_free(r->c);
	free(r->market);
	json_decref(r->secrets);
	for (int i = 0; i < 3; i++)
		if (r->found[i])
			decc_order_release(&r->ord[i]);
}

static json_t *run_summary(const struct run *r)
{
	json_t *o =
	    json_pack("{s:s, s:s, s:o, s:s, s:s}", "dealid", r->deal_s, "taskid", r->task_s, "app",
		      pcli_jaddr(&r->app), "apporder", r->hash[0], "workerpoolorder", r->hash[2]);

	if (o && r->has_dataset) {
		json_object_set_new(o, "dataset", pcli_jaddr(&r->dataset));
		json_object_set_new(o, "datasetorder", json_string(r->hash[1]));
	}
	if (o)
		json_object_set_new(o, "workerpool", pcli_jaddr(&r->ord[2].workerpool));
	return o;
}

/* Options of both commands, and the repeated ones taken out of argv first. */
static int parse_all(struct cli *cli, const char *page, const char *cmd, struct run_opts *o,
		     int argc, char **argv, struct opt_args *args, char **pos, int max_pos,
		     bool *done)
{
	const struct opt opts[] = {
		OPT_STRING("dataset", &o->dataset),
		OPT_STRING("data", &o->data),
		OPT_STRING("app", &o->app),
		OPT_STRING("args", &o->args),
		OPT_STRING("trust", &o->trust),
		OPT_STRING("category", &o->category),
		OPT_STRING("tag", &o->tag),
		OPT_STRING("workerpool", &o->workerpool),
		OPT_STRING("max-price", &o->max_price),
		OPT_STRING("beneficiary", &o->beneficiary),
		OPT_STRING("market", &o->market),
		OPT_STRING("sms", &o->sms),
		OPT_STRING("api", &o->api),
		OPT_STRING("output", &o->output),
		OPT_STRING("timeout", &o->timeout),
		OPT_STRING("scheduler", &o->scheduler),
		OPT_FLAG("watch", &o->watch),
		OPT_END,
	};

	*done = true;
	if (take_multi(&argc, argv, "input-file", &o->input_files) < 0 ||
	    take_multi(&argc, argv, "secret", &o->secrets) < 0)
		return cli_usage_error(page, cmd, "%s", decc_error_last());
	return cli_parse(cli, page, cmd, opts, argc - 1, argv + 1, args, pos, max_pos, done);
}

/* ---- decc app run ---- */

int cmd_app_run(struct cli *cli, int argc, char **argv)
{
	struct run_opts o = { 0 };
	struct run r = { .cli = cli, .page = "app", .cmd = "app run" };
	struct opt_args args;
	char *pos[1];
	bool done;
	int e;

	e = parse_all(cli, "app", "app run", &o, argc, argv, &args, pos, 1, &done);
	if (done)
		return e;
	if (args.npos != 1)
		return cli_usage_error("app", "app run", "expected one APP address");
	if (o.data || o.app || o.output || o.api)
		return cli_usage_error("app", "app run",
				       "--data, --app, --output and --api are for 'decc protect "
				       "process'");
	r.progress = o.watch;
	if ((e = run_parse(&r, &o, pos[0], false)) != CLI_EXIT_OK)
		return e;
	/* --secret N=NAME: requester secrets already pushed, by name */
	for (size_t i = 0; i < o.secrets.n; i++) {
		const char *eq = strchr(o.secrets.v[i], '=');
		char idx[16];
		uint64_t n;

		if (!eq || eq == o.secrets.v[i] || (size_t)(eq - o.secrets.v[i]) >= sizeof(idx) ||
		    !decc_sms_requester_key_valid(eq + 1))
			return cli_usage_error("app", "app run",
					       "--secret: expected N=NAME (N an index from 1, NAME "
					       "a requester secret pushed with 'decc secret "
					       "push-requester')");
		snprintf(idx, sizeof(idx), "%.*s", (int)(eq - o.secrets.v[i]), o.secrets.v[i]);
		if (cli_parse_u64(&n, idx) < 0 || n == 0)
			return cli_usage_error("app", "app run", "--secret: bad index '%s'", idx);
		if (!r.secrets && !(r.secrets = json_object()))
			return cli_failx("app run: out of memory");
		json_object_set_new(r.secrets, idx, json_string(eq + 1));
	}
	if ((e = run_open(&r)) != CLI_EXIT_OK)
		goto out;
	if (find_orders(&r) < 0) {
		e = cli_fail("app run");
		goto out;
	}
	if (request_and_match(&r) < 0) {
		e = pcli_fail("app run");
		goto out;
	}
	if (o.watch && watch(&r) < 0) {
		e = cli_fail("app run");
		goto out;
	}
	{
		json_t *s = run_summary(&r);

		if (s && o.watch)
			json_object_set_new(s, "status", json_string(status_names[r.status]));
		e = pcli_print(cli, s);
	}
out:
	run_release(&r);
	return e;
}

/* ---- decc protect process ---- */

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(p);
	return 0;
}

/*
 * The result key: ~/.decc/result-keys/<me>_key, generated when missing; its public half in
 * the SMS (pushed when the SMS has none, replaced when the key was just made).
 */
static int ensure_result_key(struct run *r, char **priv_path)
{
	const char *home = getenv("HOME");
	struct decc_buf pem, pub = DECC_BUF_INIT, b64 = DECC_BUF_INIT;
	struct decc_rsa *k = NULL;
	char a[43], *dir = NULL, *path = NULL;
	bool fresh = false, exists = false;
	int e;

	addr_s(a, &r->me);
	if (!home || !*home)
		return decc_error_set(DECC_EINVAL, "HOME is not set: no ~/.decc/result-keys");
	if (asprintf(&dir, "%s/.decc/result-keys", home) < 0 ||
	    asprintf(&path, "%s/%s_key", dir, a) < 0) {
		free(dir);
		return decc_error_set(DECC_ENOMEM, "out of memory");
	}
	decc_buf_init_secret(&pem, PEM_MAX);
	e = 0;
	if (!decc_file_exists(path)) {
		step(r, "generating a result encryption key (RSA %d) in %s", DECC_RESULT_RSA_BITS,
		     dir);
		e = decc_file_mkdirs(dir, 0700);
		if (e == 0)
			e = decc_result_keys_generate(dir, &r->me, 0, false);
		fresh = e == 0;
	}
	if (e == 0)
		e = decc_file_read(&pem, path, PEM_MAX);
	if (e == 0)
		e = decc_rsa_from_pem(&k, (const char *)pem.data, pem.len);
	if (e == 0)
		e = decc_rsa_public_pem(&pub, k);
	if (e == 0)
		e = decc_base64_encode(&b64, pub.data, pub.len);
	if (e == 0 && !fresh)
		e = decc_sms_client_check(r->o->sms, &exists, DECC_SMS_WEB2, &r->me,
					  DECC_SMS_RESULT_KEY_NAME);
	if (e == 0 && (fresh || !exists)) {
		/* a fresh key replaces whatever the SMS had: the old one could not decrypt */
		e = decc_sms_client_push(r->o->sms, DECC_SMS_WEB2, &r->me, DECC_SMS_RESULT_KEY_NAME,
					 b64.data, b64.len, fresh, r->sk);
		if (e == DECC_ENOTFOUND && fresh)
			e = decc_sms_client_push(r->o->sms, DECC_SMS_WEB2, &r->me,
						 DECC_SMS_RESULT_KEY_NAME, b64.data, b64.len, false,
						 r->sk);
		if (e == 0)
			step(r, "result encryption key pushed to the SMS %s", r->o->sms);
	} else if (e == 0) {
		step(r, "result encryption key: %s (already in the SMS)", path);
	}
	decc_rsa_free(k);
	decc_buf_release(&pem);
	decc_buf_release(&pub);
	decc_buf_release(&b64);
	free(dir);
	if (e < 0) {
		free(path);
		return decc_error_wrap(e, "result key");
	}
	*priv_path = path;
	return 0;
}

/* --secret KEY=VALUE: each pushed under a fresh random name, listed in iexec_secrets. */
static int push_secrets(struct run *r)
{
	for (size_t i = 0; i < r->o->secrets.n; i++) {
		const char *s = r->o->secrets.v[i], *eq = strchr(s, '=');
		uint8_t rnd[16];
		char idx[16], name[35];
		uint64_t n;
		int e;

		if (!eq || eq == s || (size_t)(eq - s) >= sizeof(idx))
			return decc_error_set(DECC_EINVAL, "--secret: expected KEY=VALUE");
		snprintf(idx, sizeof(idx), "%.*s", (int)(eq - s), s);
		if (cli_parse_u64(&n, idx) < 0 || n == 0)
			return decc_error_set(DECC_EINVAL,
					      "--secret: KEY '%s' must be an index from 1", idx);
		if (strlen(eq + 1) > DECC_SMS_SECRET_MAX)
			return decc_error_set(DECC_ELIMIT, "--secret %s: over %d bytes", idx,
					      DECC_SMS_SECRET_MAX);
		DECC_TRY(decc_random_bytes(rnd, sizeof(rnd)));
		decc_hex_encode(name, rnd, sizeof(rnd), true);
		e = decc_sms_client_push(r->o->sms, DECC_SMS_REQUESTER, &r->me, name,
					 (const uint8_t *)eq + 1, strlen(eq + 1), false, r->sk);
		if (e < 0)
			return decc_error_wrap(e, "pushing requester secret %s", idx);
		if (!r->secrets && !(r->secrets = json_object()))
			return decc_error_set(DECC_ENOMEM, "out of memory");
		json_object_set_new(r->secrets, idx, json_string(name));
		step(r, "requester secret %s pushed to the SMS as %s", idx, name);
	}
	return 0;
}

/*
 * In the unpacked result dir: computed.json's deterministic-output-path when it is a file,
 * else the only file besides computed.json. *rel gets its name relative to dir.
 */
static int pick_result_file(const char *dir, char **path, char **rel)
{
	struct decc_buf cj = DECC_BUF_INIT;
	struct decc_result_computed comp = { 0 };
	char *p = NULL;
	int e;

	if (asprintf(&p, "%s/computed.json", dir) < 0)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	e = decc_file_read(&cj, p, 1 << 20);
	free(p);
	p = NULL;
	if (e == 0 && decc_result_computed_parse(&comp, decc_buf_str(&cj), cj.len) == 0 &&
	    comp.deterministic_output_path &&
	    strncmp(comp.deterministic_output_path, "/iexec_out/", 11) == 0 &&
	    !strstr(comp.deterministic_output_path, "..")) {
		const char *sub = comp.deterministic_output_path + 11;
		struct stat st;

		if (asprintf(&p, "%s/%s", dir, sub) < 0)
			p = NULL;
		if (p && lstat(p, &st) == 0 && S_ISREG(st.st_mode)) {
			*path = p;
			*rel = strdup(sub);
			decc_result_computed_release(&comp);
			decc_buf_release(&cj);
			return *rel ? 0 : decc_error_set(DECC_ENOMEM, "out of memory");
		}
		free(p);
		p = NULL;
	}
	decc_result_computed_release(&comp);
	decc_buf_release(&cj);
	/* else the single regular file of the top directory, computed.json aside */
	{
		DIR *d = opendir(dir);
		struct dirent *de;
		char *one = NULL;
		int n = 0;

		if (!d)
			return decc_error_set(DECC_ERROR, "cannot read %s", dir);
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.' || strcmp(de->d_name, "computed.json") == 0)
				continue;
			n++;
			free(one);
			one = strdup(de->d_name);
		}
		closedir(d);
		if (n != 1 || !one) {
			free(one);
			return decc_error_set(
			    DECC_ENOTFOUND,
			    "the result has %d files and no "
			    "deterministic-output-path file: use --output FILE to "
			    "keep the zip",
			    n);
		}
		if (asprintf(&p, "%s/%s", dir, one) < 0) {
			free(one);
			return decc_error_set(DECC_ENOMEM, "out of memory");
		}
		*path = p;
		*rel = one;
	}
	return 0;
}

/* Download the task's result, decrypt it; save the zip (--output) or print its file. */
static int fetch_result(struct run *r, const char *priv_path, json_t *summary)
{
	struct decc_chain_task t = { 0 };
	struct decc_buf pem, content = DECC_BUF_INIT;
	char tmpl[4096], *storage = NULL, *location = NULL, *enc = NULL, *plain = NULL;
	char *unz = NULL, *file = NULL, *rel = NULL;
	const char *tmpdir = getenv("TMPDIR");
	bool encrypted, made = false;
	int e;

	decc_buf_init_secret(&pem, PEM_MAX);
	e = decc_chain_view_task(r->c, &t, r->taskid);
	if (e == 0 && t.results.len == 0)
		e = decc_error_set(DECC_ENOTFOUND, "the task has no result on the ledger");
	if (e == 0)
		e = decc_result_link_parse(&storage, &location, t.results.data, t.results.len);
	decc_chain_task_release(&t);
	if (e == 0 && (strcmp(storage, "ipfs") != 0 || strncmp(location, "/ipfs/", 6) != 0))
		e = decc_error_set(DECC_EINVAL,
				   "result stored on '%s' at '%s'; only ipfs is supported", storage,
				   location);
	snprintf(tmpl, sizeof(tmpl), "%s/decc-process.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (e == 0) {
		if (!mkdtemp(tmpl))
			e = decc_error_set(DECC_ERROR, "cannot make a temporary directory: %s",
					   strerror(errno));
		else
			made = true;
	}
	if (e == 0 &&
	    (asprintf(&enc, "%s/result.zip", tmpl) < 0 ||
	     asprintf(&plain, "%s/iexec_out.zip", tmpl) < 0 || asprintf(&unz, "%s/out", tmpl) < 0))
		e = decc_error_set(DECC_ENOMEM, "out of memory");
	if (e == 0)
		e = decc_store_client_cat(r->o->api, location + 6, enc, true);
	if (e == 0)
		step(r, "result downloaded: %s from %s", location, r->o->api);
	encrypted = e == 0 && decc_result_is_encrypted(enc);
	if (e == 0 && encrypted) {
		e = decc_file_read(&pem, priv_path, PEM_MAX);
		if (e == 0)
			e = decc_result_decrypt(plain, enc, (const char *)pem.data, pem.len);
		if (e == 0)
			step(r, "result decrypted with %s", priv_path);
	} else if (e == 0) {
		free(plain);
		plain = enc;
		enc = NULL;
	}
	if (e == 0 && r->o->output) {
		struct decc_buf z = DECC_BUF_INIT;

		e = decc_file_read(&z, plain, (size_t)1 << 31);
		if (e == 0)
			e = decc_file_write_atomic(r->o->output, z.data, z.len, 0600,
						   DECC_FILE_REPLACE);
		decc_buf_release(&z);
		if (e == 0) {
			step(r, "result saved to %s", r->o->output);
			json_object_set_new(summary, "output", json_string(r->o->output));
		}
	} else if (e == 0) {
		e = decc_result_unzip(unz, plain);
		if (e == 0)
			e = pick_result_file(unz, &file, &rel);
		if (e == 0)
			e = decc_file_read(&content, file, RESULT_SHOW_MAX);
		if (e == 0) {
			json_object_set_new(summary, "resultFile", json_string(rel));
			json_object_set_new(summary, "result",
					    json_stringn((const char *)content.data, content.len));
			if (!r->cli->json)
				fwrite(content.data, 1, content.len, stdout);
		}
	}
	if (e == 0) {
		json_object_set_new(summary, "location", json_string(location));
		json_object_set_new(summary, "encrypted", json_boolean(encrypted));
	}
	if (made)
		nftw(tmpl, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	decc_buf_release(&pem);
	decc_buf_release(&content);
	free(storage);
	free(location);
	free(enc);
	free(plain);
	free(unz);
	free(file);
	free(rel);
	return e;
}

int cmd_protect_process(struct cli *cli, int argc, char **argv)
{
	struct run_opts o = { .sms = DECC_SMS_DEFAULT_URL, .api = "http://127.0.0.1:5001" };
	struct run r = {
		.cli = cli, .page = "protect", .cmd = "protect process", .progress = true
	};
	struct opt_args args;
	char *pos[1], *priv = NULL;
	json_t *summary = NULL;
	bool done;
	int e;

	e = parse_all(cli, "protect", "protect process", &o, argc, argv, &args, pos, 0, &done);
	if (done)
		return e;
	if (!o.data || !o.app)
		return cli_usage_error("protect", "protect process",
				       "--data ADDR and --app ADDR are required");
	if (o.dataset || o.watch || o.trust || o.category)
		return cli_usage_error(
		    "protect", "protect process",
		    "--dataset, --watch, --trust and --category are for 'decc "
		    "app run' (the data is --data; the task is always followed)");
	o.dataset = o.data;
	if ((e = run_parse(&r, &o, o.app, true)) != CLI_EXIT_OK)
		return e;
	if (!market_tag_is_tee(r.tag))
		return cli_usage_error(
		    "protect", "protect process",
		    "--tag: protected data is processed in a TEE only (tag bit 0)");
	if ((e = run_open(&r)) != CLI_EXIT_OK)
		goto out;
	/* the orders first: nothing is pushed when nothing can match */
	if (find_orders(&r) < 0) {
		e = cli_fail("protect process");
		goto out;
	}
	if (ensure_result_key(&r, &priv) < 0 || push_secrets(&r) < 0) {
		e = cli_fail("protect process");
		goto out;
	}
	if (request_and_match(&r) < 0) {
		e = pcli_fail("protect process");
		goto out;
	}
	if (watch(&r) < 0) {
		e = cli_fail("protect process");
		goto out;
	}
	summary = run_summary(&r);
	if (!summary) {
		e = cli_failx("protect process: out of memory");
		goto out;
	}
	json_object_set_new(summary, "status", json_string("COMPLETED"));
	if (fetch_result(&r, priv, summary) < 0) {
		e = cli_fail("protect process: task %s", r.task_s);
		goto out;
	}
	if (cli->json || o.output) {
		if (!cli->json)
			json_object_del(summary, "result");
		e = pcli_print(cli, summary);
		summary = NULL;
	} else {
		e = CLI_EXIT_OK;
	}
out:
	json_decref(summary);
	free(priv);
	run_release(&r);
	return e;
}
