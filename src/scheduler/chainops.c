/* SPDX-License-Identifier: Apache-2.0 */
/* The state machine's chain operations over the decc_chain client (one client per thread). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/chain.h"
#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/hex.h"
#include "decc/http_client.h"
#include "scheduler/chainops.h"

/* keccak("SchedulerNotice(address,bytes32)") */
static const char notice_topic[] =
    "0x692ad61076dceddd0f1a861f737553dd61fc8501cf4190d29c4e90af6607f765";

static int notices(void *ctx, uint8_t (**deals)[32], size_t *n, uint64_t from, uint64_t *next)
{
	struct sched_chainops *o = ctx;
	struct decc_chain_filter f = { 0 };
	struct decc_chain_logs logs = { 0 };
	uint8_t(*out)[32] = NULL;
	uint64_t latest, to;
	size_t k = 0;
	int r;

	DECC_TRY(decc_chain_block_number(o->chain, &latest));
	if (from > latest) {
		*deals = NULL;
		*n = 0;
		*next = from;
		return 0;
	}
	to = latest - from + 1 > o->max_range ? from + o->max_range - 1 : latest;
	f.has_address = true;
	f.address = o->hub;
	f.has_topic[0] = f.has_topic[1] = true;
	DECC_TRY(decc_hex_decode_exact(f.topics[0], 32, notice_topic));
	decc_address_to_word(f.topics[1], &o->workerpool);
	DECC_TRY(decc_chain_get_logs(o->chain, &logs, &f, from, to));
	if (logs.n) {
		out = calloc(logs.n, 32);
		if (!out) {
			decc_chain_logs_release(&logs);
			return decc_error_set(DECC_ENOMEM, "out of memory reading deals");
		}
	}
	for (size_t i = 0; i < logs.n; i++)
		if (logs.items[i].data.len == 32)
			memcpy(out[k++], logs.items[i].data.data, 32);
	decc_chain_logs_release(&logs);
	r = 0;
	*deals = out;
	*n = k;
	*next = to + 1;
	return r;
}

static uint64_t u64_of(const decc_u256 *v)
{
	uint64_t x;

	return decc_u256_to_u64(v, &x) ? x : UINT64_MAX;
}

static int deal(void *ctx, struct sched_deal *out, const uint8_t id[32])
{
	struct sched_chainops *o = ctx;
	struct decc_chain_deal d;
	struct decc_chain_category cat;
	struct sched_deal sd = { 0 };

	DECC_TRY(decc_chain_view_deal(o->chain, &d, id));
	sd.exists = !decc_address_is_zero(&d.requester);
	if (sd.exists) {
		int r = decc_chain_view_category(o->chain, &cat, u64_of(&d.category));

		if (r < 0) {
			decc_chain_deal_release(&d);
			return r;
		}
		sd.timeref = cat.work_clock_time_ref;
		decc_chain_category_release(&cat);
	}
	sd.trust = u64_of(&d.trust);
	sd.bot_first = d.bot_first;
	sd.bot_size = d.bot_size;
	sd.start_time = d.start_time;
	memcpy(sd.tag, d.tag, 32);
	sd.callback = d.callback;
	sd.workerpool = d.workerpool.pointer;
	decc_chain_deal_release(&d);
	*out = sd;
	return 0;
}

static int task(void *ctx, struct sched_ctask *out, const uint8_t id[32])
{
	struct sched_chainops *o = ctx;
	struct decc_chain_task t;

	DECC_TRY(decc_chain_view_task(o->chain, &t, id));
	out->status = (int)t.status;
	out->contribution_deadline = t.contribution_deadline;
	out->reveal_deadline = t.reveal_deadline;
	out->final_deadline = t.final_deadline;
	out->reveal_counter = t.reveal_counter;
	out->winner_counter = t.winner_counter;
	memcpy(out->consensus, t.consensus_value, 32);
	decc_chain_task_release(&t);
	return 0;
}

static int contribution(void *ctx, struct sched_contrib *out, const uint8_t id[32],
			const decc_address *w)
{
	struct sched_chainops *o = ctx;
	struct decc_abi_value *res = NULL, *args;
	decc_u256 st;
	uint64_t s64;
	int r;

	args = decc_abi_tuplev(2, decc_abi_fixed_bytes(id, 32), decc_abi_address(w));
	if (!args)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	r = decc_chain_call_fn(o->chain, &res, &o->hub, "viewContribution(bytes32,address)", args,
			       "((uint8,bytes32,bytes32,address,uint256))");
	decc_abi_value_free(args);
	if (r < 0)
		return r;
	if (res->n_items != 1 || res->items[0]->n_items != 5) {
		decc_abi_value_free(res);
		return decc_error_set(DECC_EINVAL, "viewContribution: unexpected answer");
	}
	r = decc_abi_get_u256(&st, res->items[0]->items[0]);
	if (r == 0)
		r = decc_abi_get_bytes32(out->hash, res->items[0]->items[1]);
	decc_abi_value_free(res);
	if (r < 0)
		return r;
	out->status = decc_u256_to_u64(&st, &s64) ? (int)s64 : 0;
	return 0;
}

static int score(void *ctx, uint64_t *out, const decc_address *w)
{
	struct sched_chainops *o = ctx;
	struct decc_abi_value *res = NULL, *args = decc_abi_tuplev(1, decc_abi_address(w));
	decc_u256 v;
	int r;

	if (!args)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	r = decc_chain_call_fn(o->chain, &res, &o->hub, "viewScore(address)", args, "(uint256)");
	decc_abi_value_free(args);
	if (r < 0)
		return r;
	r = res->n_items == 1 ? decc_abi_get_u256(&v, res->items[0]) : DECC_EINVAL;
	decc_abi_value_free(res);
	if (r < 0)
		return decc_error_set(DECC_EINVAL, "viewScore: unexpected answer");
	*out = u64_of(&v);
	return 0;
}

static int initialize(void *ctx, const uint8_t id[32], uint64_t idx)
{
	struct sched_chainops *o = ctx;

	return decc_chain_initialize(o->chain, NULL, id, idx);
}

static int finalize(void *ctx, const uint8_t id[32], const uint8_t *res, size_t rn,
		    const uint8_t *cb, size_t cn)
{
	struct sched_chainops *o = ctx;

	return decc_chain_finalize(o->chain, id, res, rn, cb, cn);
}

static int reopen(void *ctx, const uint8_t id[32])
{
	struct sched_chainops *o = ctx;
	struct decc_abi_value *args = decc_abi_tuplev(1, decc_abi_fixed_bytes(id, 32));
	int r;

	if (!args)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	r = decc_chain_transact_fn(o->chain, NULL, &o->hub, "reopen(bytes32)", args, NULL);
	decc_abi_value_free(args);
	return r;
}

/*
 * POST {sms}/tee/challenges/{taskId}, authorized by sign191(keccak(taskId)) of the workerpool
 * owner (offchain.md §3); the answer is the challenge address.
 */
static int challenge(void *ctx, decc_address *out, const uint8_t id[32])
{
	struct sched_chainops *o = ctx;
	struct decc_buf body;
	char url[1024], tid[67], sig[133], auth[160];
	const char *hdr[] = { auth, NULL };
	struct decc_http_request q = {
		.method = "POST", .url = url, .headers = hdr, .out = &body, .timeout_ms = 10000
	};
	struct decc_http_response resp;
	uint8_t h[32], s[65];
	long status = 0;
	int r;

	decc_buf_init(&body, 4096);
	decc_hex_encode(tid, id, 32, true);
	decc_keccak256(h, id, 32);
	DECC_TRY(decc_eip191_sign(s, h, 32, o->sk));
	decc_hex_encode(sig, s, 65, true);
	snprintf(url, sizeof(url), "%s/tee/challenges/%s", o->sms_url, tid);
	snprintf(auth, sizeof(auth), "Authorization: %s", sig);
	r = decc_http_request(&resp, &q);
	if (r == 0) {
		status = resp.status;
		decc_http_response_clear(&resp);
	}
	if (r < 0) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", decc_error_last());
		r = decc_error_set(DECC_ERROR, "SMS %s: %s", url, msg);
	} else if (status != 200)
		r = decc_error_set(DECC_ERROR, "SMS %s answered HTTP %ld", url, status);
	else {
		/* the address, possibly as a JSON string */
		char *p = (char *)body.data;
		size_t n = body.len;

		while (n && (p[n - 1] == '\n' || p[n - 1] == '"' || p[n - 1] == ' '))
			p[--n] = 0;
		while (*p == '"' || *p == ' ')
			p++;
		r = decc_address_parse(out, p);
		if (r < 0)
			r = decc_error_set(DECC_EINVAL, "SMS %s: the answer is not an address",
					   url);
	}
	decc_buf_release(&body);
	return r;
}

const struct sched_chain_ops sched_chainops_table = {
	.notices = notices,
	.deal = deal,
	.task = task,
	.contribution = contribution,
	.score = score,
	.initialize = initialize,
	.finalize = finalize,
	.reopen = reopen,
	.challenge = challenge,
};

const struct sched_chain_ops sched_chainops_table_nosms = {
	.notices = notices,
	.deal = deal,
	.task = task,
	.contribution = contribution,
	.score = score,
	.initialize = initialize,
	.finalize = finalize,
	.reopen = reopen,
	.challenge = NULL,
};
