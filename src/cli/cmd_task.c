/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decc task: show and claim tasks; and the low-level operator commands a scheduler and its
 * workers use (initialize, authorize, contribute, reveal, finalize, contribute-and-finalize).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/hex.h"
#include "decc/poco.h"
#include "cli/devnet.h"
#include "cli/pococli.h"

#define PAGE "task"
#define RESULTS_MAX (64 * 1024)
#define SCHED_RECORD_MAX ((size_t)4 << 20) /* a scheduler's /tasks/ID answer */

static const char *const status_names[] = { "UNSET", "ACTIVE", "REVEALING", "COMPLETED", "FAILED" };
static const char *const contribution_names[] = { "UNSET", "CONTRIBUTED", "PROVED", "REJECTED" };

struct task_opts {
	const char *result_digest, *enclave_challenge, *enclave_sign, *authorization_sign;
	const char *results, *results_callback, *worker;
	const char *devnet, *scheduler;
	bool logs;
};

static json_t *contribution(struct decc_chain *c, const uint8_t taskid[32],
			    const decc_address *worker)
{
	struct decc_abi_value *ret = NULL, *args;
	decc_address enclave, hub;
	decc_u256 weight;
	uint8_t st;
	json_t *j = NULL;

	if (decc_chain_hub(c, &hub) < 0)
		return NULL;
	args = decc_abi_tuplev(2, decc_abi_fixed_bytes(taskid, 32), decc_abi_address(worker));
	if (!args)
		return NULL;
	if (decc_chain_call_fn(c, &ret, &hub, "viewContribution(bytes32,address)", args,
			       "((uint8,bytes32,bytes32,address,uint256))") == 0) {
		struct decc_abi_value *t = ret->items[0];

		st = t->items[0]->word[31];
		memcpy(enclave.b, t->items[3]->word + 12, 20);
		if (decc_abi_get_u256(&weight, t->items[4]) < 0)
			weight = DECC_U256_ZERO;
		j = json_pack("{s:o, s:s, s:o, s:o, s:o, s:o}", "worker", pcli_jaddr(worker),
			      "status", st < 4 ? contribution_names[st] : "?", "resultHash",
			      pcli_jbytes32(t->items[1]->word), "resultSeal",
			      pcli_jbytes32(t->items[2]->word), "enclaveChallenge",
			      pcli_jaddr(&enclave), "weight", pcli_ju256(&weight));
	}
	decc_abi_value_free(args);
	decc_abi_value_free(ret);
	return j;
}

static int task_show(struct cli *cli, const uint8_t taskid[32])
{
	struct decc_chain_task t;
	struct decc_chain *c;
	uint64_t now = 0;
	json_t *contribs, *res;
	int r;

	if ((r = pcli_open(cli, PAGE, "task show", &c, false, NULL)) != CLI_EXIT_OK)
		return r;
	r = decc_chain_view_task(c, &t, taskid);
	if (r == 0)
		r = decc_chain_timestamp(c, &now);
	if (r < 0) {
		decc_chain_free(c);
		return pcli_fail("task show");
	}
	contribs = json_array();
	for (size_t i = 0; contribs && i < t.n_contributors; i++) {
		json_t *j = contribution(c, taskid, &t.contributors[i]);

		json_array_append_new(contribs, j ? j : pcli_jaddr(&t.contributors[i]));
	}
	decc_chain_free(c);
	res = json_pack(
	    "{s:o, s:s, s:o, s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:I, s:o, s:o, s:o, "
	    "s:I, s:b}",
	    "taskid", pcli_jbytes32(taskid), "status",
	    (unsigned)t.status < 5 ? status_names[t.status] : "?", "dealid",
	    pcli_jbytes32(t.dealid), "idx", (json_int_t)t.idx, "timeref", (json_int_t)t.timeref,
	    "contributionDeadline", (json_int_t)t.contribution_deadline, "revealDeadline",
	    (json_int_t)t.reveal_deadline, "finalDeadline", (json_int_t)t.final_deadline,
	    "consensusValue", pcli_jbytes32(t.consensus_value), "revealCounter",
	    (json_int_t)t.reveal_counter, "winnerCounter", (json_int_t)t.winner_counter,
	    "contributions", contribs, "resultDigest", pcli_jbytes32(t.result_digest), "results",
	    pcli_jhex(t.results.data, t.results.len), "now", (json_int_t)now, "claimable",
	    (t.status == DECC_TASK_ACTIVE || t.status == DECC_TASK_REVEALING) &&
		t.final_deadline <= now);
	decc_chain_task_release(&t);
	return pcli_print(cli, res);
}

/* 0x-hex bytes, or else the text itself. */
static int bytes_arg(struct decc_buf *out, const char *s)
{
	if (strncmp(s, "0x", 2) == 0)
		return decc_hex_decode_buf(out, s, strlen(s));
	return decc_buf_append_str(out, s);
}

/* The options every worker-side transaction may take. */
struct worker_args {
	uint8_t digest[32];
	decc_address enclave;
	struct decc_buf enclave_sign, auth_sign, results, callback;
};

static void worker_args_release(struct worker_args *w)
{
	decc_buf_release(&w->enclave_sign);
	decc_buf_release(&w->auth_sign);
	decc_buf_release(&w->results);
	decc_buf_release(&w->callback);
}

static int parse_worker_args(struct worker_args *w, const struct task_opts *o, const char *cmd,
			     bool need_digest, bool need_auth)
{
	memset(w, 0, sizeof(*w));
	decc_buf_init(&w->enclave_sign, 1024);
	decc_buf_init(&w->auth_sign, 1024);
	decc_buf_init(&w->results, RESULTS_MAX);
	decc_buf_init(&w->callback, RESULTS_MAX);
	if (need_digest) {
		if (!o->result_digest)
			return cli_usage_error(PAGE, cmd, "--result-digest 0x… is required");
		if (pcli_parse_bytes32(w->digest, o->result_digest) < 0)
			return cli_usage_error(PAGE, cmd, "--result-digest: %s", decc_error_last());
	}
	if (need_auth) {
		if (!o->authorization_sign)
			return cli_usage_error(PAGE, cmd,
					       "--authorization-sign 0x… is required (the "
					       "scheduler's, see 'decc task authorize')");
		if (decc_hex_decode_buf(&w->auth_sign, o->authorization_sign,
					strlen(o->authorization_sign)) < 0)
			return cli_usage_error(PAGE, cmd, "--authorization-sign: %s",
					       decc_error_last());
	}
	if (o->enclave_challenge && decc_address_parse(&w->enclave, o->enclave_challenge) < 0)
		return cli_usage_error(PAGE, cmd, "--enclave-challenge: %s", decc_error_last());
	if (o->enclave_sign &&
	    decc_hex_decode_buf(&w->enclave_sign, o->enclave_sign, strlen(o->enclave_sign)) < 0)
		return cli_usage_error(PAGE, cmd, "--enclave-sign: %s", decc_error_last());
	if (o->results && bytes_arg(&w->results, o->results) < 0)
		return cli_usage_error(PAGE, cmd, "--results: %s", decc_error_last());
	if (o->results_callback && bytes_arg(&w->callback, o->results_callback) < 0)
		return cli_usage_error(PAGE, cmd, "--results-callback: %s", decc_error_last());
	return CLI_EXIT_OK;
}

static int task_authorize(struct cli *cli, const struct task_opts *o, const uint8_t taskid[32])
{
	decc_address worker, enclave = DECC_ADDRESS_ZERO, me;
	uint8_t sk[32], h[32], sig[65];
	int r;

	if (!o->worker)
		return cli_usage_error(PAGE, "task authorize", "--worker ADDR is required");
	if (decc_address_parse(&worker, o->worker) < 0)
		return cli_usage_error(PAGE, "task authorize", "--worker: %s", decc_error_last());
	if (o->enclave_challenge && decc_address_parse(&enclave, o->enclave_challenge) < 0)
		return cli_usage_error(PAGE, "task authorize", "--enclave-challenge: %s",
				       decc_error_last());
	if (cli_wallet_open(cli, NULL, sk, &me) < 0)
		return cli_fail("task authorize: cannot open the scheduler's wallet");
	decc_poco_authorization_hash(h, &worker, taskid, &enclave);
	r = decc_eip191_sign(sig, h, 32, sk);
	decc_wipe(sk, sizeof(sk));
	if (r < 0)
		return cli_fail("task authorize");
	if (!cli->json) {
		char s[133];

		decc_hex_encode(s, sig, 65, true);
		printf("%s\n", s);
		return CLI_EXIT_OK;
	}
	return pcli_print(cli, json_pack("{s:o, s:o, s:o, s:o, s:o}", "authorizationSign",
					 pcli_jhex(sig, 65), "signer", pcli_jaddr(&me), "worker",
					 pcli_jaddr(&worker), "taskid", pcli_jbytes32(taskid),
					 "enclaveChallenge", pcli_jaddr(&enclave)));
}

static int task_tx(struct cli *cli, const char *sub, const struct task_opts *o,
		   const uint8_t taskid[32], const char *extra)
{
	char cmd[48];
	struct worker_args w;
	struct decc_chain *c = NULL;
	decc_address me;
	uint8_t out_id[32], rh[32], rs[32];
	bool digest = false, auth = false;
	json_t *res;
	int r;

	snprintf(cmd, sizeof(cmd), "task %s", sub);
	if (strcmp(sub, "contribute") == 0 || strcmp(sub, "contribute-and-finalize") == 0)
		digest = auth = true;
	else if (strcmp(sub, "reveal") == 0)
		digest = true;
	r = parse_worker_args(&w, o, cmd, digest, auth);
	if (r == CLI_EXIT_OK && strcmp(sub, "initialize") == 0 && !extra)
		r = cli_usage_error(PAGE, cmd, "expected DEALID IDX");
	if (r == CLI_EXIT_OK)
		r = pcli_open(cli, PAGE, cmd, &c, true, &me);
	if (r != CLI_EXIT_OK) {
		worker_args_release(&w);
		return r;
	}
	memcpy(out_id, taskid, 32);
	if (strcmp(sub, "initialize") == 0) {
		uint64_t idx;

		if (cli_parse_u64(&idx, extra) < 0) {
			r = cli_usage_error(PAGE, cmd, "IDX: %s", decc_error_last());
			goto out;
		}
		r = decc_chain_initialize(c, out_id, taskid, idx);
	} else if (strcmp(sub, "contribute") == 0) {
		decc_poco_result_hash(rh, taskid, w.digest);
		decc_poco_result_seal(rs, &me, taskid, w.digest);
		r = decc_chain_contribute(c, taskid, rh, rs, &w.enclave, w.enclave_sign.data,
					  w.enclave_sign.len, w.auth_sign.data, w.auth_sign.len);
	} else if (strcmp(sub, "reveal") == 0) {
		r = decc_chain_reveal(c, taskid, w.digest);
	} else if (strcmp(sub, "finalize") == 0) {
		r = decc_chain_finalize(c, taskid, w.results.data, w.results.len, w.callback.data,
					w.callback.len);
	} else if (strcmp(sub, "contribute-and-finalize") == 0) {
		r = decc_chain_contribute_and_finalize(
		    c, taskid, w.digest, w.results.data, w.results.len, w.callback.data,
		    w.callback.len, &w.enclave, w.enclave_sign.data, w.enclave_sign.len,
		    w.auth_sign.data, w.auth_sign.len);
	} else {
		r = decc_chain_claim(c, taskid);
	}
	if (r < 0) {
		r = pcli_fail(cmd);
		goto out;
	}
	if (!cli->json && strcmp(sub, "initialize") == 0) {
		char s[67];

		decc_hex_encode(s, out_id, 32, true);
		printf("%s\n", s);
		r = CLI_EXIT_OK;
		goto out;
	}
	res = json_pack("{s:o, s:s, s:o}", "taskid", pcli_jbytes32(out_id), "done", sub, "from",
			pcli_jaddr(&me));
	if (res && digest && auth) {
		json_object_set_new(res, "resultHash", pcli_jbytes32(rh));
		json_object_set_new(res, "resultSeal", pcli_jbytes32(rs));
	}
	r = pcli_print(cli, res);
out:
	decc_chain_free(c);
	worker_args_release(&w);
	return r;
}

/* ---- task debug ---- */

static bool is_app_log(const char *text)
{
	/* the scheduler keeps the app's output as "worker 0x… stdout: …" / "… stderr: …" */
	return strncmp(text, "worker ", 7) == 0 &&
	       (strstr(text, " stdout: ") || strstr(text, " stderr: "));
}

/* GET SCHED/tasks/ID: *rec the record, NULL (and *why) when the scheduler has none. */
static void sched_record(json_t **rec, char *why, size_t cap, const char *sched,
			 const uint8_t taskid[32])
{
	char url[256], id[67];
	struct decc_buf b = DECC_BUF_INIT;
	int st = 0;

	*rec = NULL;
	decc_hex_encode(id, taskid, 32, true);
	if (strlen(sched) > 160) {
		snprintf(why, cap, "scheduler URL too long");
		return;
	}
	snprintf(url, sizeof(url), "%s%stasks/%s", sched,
		 *sched && sched[strlen(sched) - 1] == '/' ? "" : "/", id);
	if (devnet_http_get(url, &st, &b, SCHED_RECORD_MAX) < 0)
		snprintf(why, cap, "no record from the scheduler: %s", decc_error_last());
	else if (st == 404)
		snprintf(why, cap, "the scheduler at %s has no record of this task", sched);
	else if (st != 200)
		snprintf(why, cap, "the scheduler at %s answered HTTP %d", sched, st);
	else if (!(*rec = json_loadb((const char *)b.data, b.len, 0, NULL)) ||
		 !json_is_object(*rec)) {
		json_decref(*rec);
		*rec = NULL;
		snprintf(why, cap, "the scheduler at %s sent malformed JSON", sched);
	}
	decc_buf_release(&b);
}

static const char *jstr(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v ? v : "";
}

/* "in 12 s" / "12 s ago" relative to now. */
static void rel(char *out, size_t cap, uint64_t t, uint64_t now)
{
	if (t >= now)
		snprintf(out, cap, "in %llu s", (unsigned long long)(t - now));
	else
		snprintf(out, cap, "%llu s ago", (unsigned long long)(now - t));
}

static int task_debug(struct cli *cli, const struct task_opts *o, const uint8_t taskid[32])
{
	struct decc_chain_task t = { 0 };
	struct decc_chain_deal d = { 0 };
	struct decc_chain *c = NULL;
	json_t *dn = NULL, *rec = NULL, *res = NULL, *diag, *logs, *history, *jl, *e;
	const char *sched = o->scheduler;
	char why[512] = "", a[43], b[43], tbuf[64];
	decc_address me;
	uint64_t now = 0;
	bool have_deal = false;
	size_t i;
	int r;

	if (o->devnet) {
		if (devnet_read(&dn, o->devnet) < 0)
			return cli_fail("task debug: --devnet %s", o->devnet);
		if (!cli->rpc)
			cli->rpc = json_string_value(json_object_get(dn, "rpc"));
		if (!cli->hub)
			cli->hub = json_string_value(json_object_get(dn, "hub"));
		if (!sched)
			sched = json_string_value(json_object_get(dn, "scheduler"));
	}
	if ((r = pcli_open(cli, PAGE, "task debug", &c, o->logs, &me)) != CLI_EXIT_OK)
		goto out;
	if (decc_chain_view_task(c, &t, taskid) < 0 || decc_chain_timestamp(c, &now) < 0) {
		r = pcli_fail("task debug");
		goto out;
	}
	if (t.status != DECC_TASK_UNSET) {
		if (decc_chain_view_deal(c, &d, t.dealid) < 0) {
			r = pcli_fail("task debug");
			goto out;
		}
		have_deal = true;
	}
	if (o->logs) {
		if (!have_deal) {
			r = cli_failx("task debug: --logs: the task is not on the ledger yet, its "
				      "requester is unknown");
			goto out;
		}
		if (!decc_address_eq(&me, &d.requester)) {
			decc_address_to_checksum(a, &me);
			decc_address_to_checksum(b, &d.requester);
			r = cli_failx("task debug: --logs: the app's logs are for the requester "
				      "(%s) only; the wallet is %s",
				      b, a);
			goto out;
		}
	}
	if (sched)
		sched_record(&rec, why, sizeof(why), sched, taskid);

	/* what went wrong, or what comes next */
	diag = json_array();
	switch (t.status) {
	case DECC_TASK_UNSET:
		json_array_append_new(diag, json_string("not initialized on the ledger yet (the "
							"scheduler initializes the tasks of "
							"a deal it sees; or no such task)"));
		break;
	case DECC_TASK_ACTIVE:
	case DECC_TASK_REVEALING:
		if (t.final_deadline <= now) {
			rel(tbuf, sizeof(tbuf), t.final_deadline, now);
			json_array_append_new(
			    diag, json_sprintf("missed its final deadline (%s): the requester can "
					       "claim a refund with 'decc task claim'",
					       tbuf));
		} else if (t.status == DECC_TASK_ACTIVE) {
			rel(tbuf, sizeof(tbuf), t.contribution_deadline, now);
			json_array_append_new(
			    diag, json_sprintf("waiting for contributions (%zu so far); the "
					       "contribution deadline is %s",
					       t.n_contributors, tbuf));
		} else {
			rel(tbuf, sizeof(tbuf), t.reveal_deadline, now);
			json_array_append_new(
			    diag, json_sprintf("consensus reached, waiting for reveals (%llu of "
					       "%llu); the reveal deadline is %s",
					       (unsigned long long)t.reveal_counter,
					       (unsigned long long)t.winner_counter, tbuf));
		}
		break;
	case DECC_TASK_COMPLETED:
		json_array_append_new(diag, json_string("completed: the result is on the ledger"));
		break;
	case DECC_TASK_FAILED:
		json_array_append_new(
		    diag, json_string("failed: claimed after its final deadline (the requester "
				      "was refunded, the workerpool's stake went to the kitty)"));
		break;
	}
	if (rec && *jstr(rec, "failureCause"))
		json_array_append_new(diag, json_sprintf("the scheduler's failure cause: %s",
							 jstr(rec, "failureCause")));
	json_array_foreach(json_object_get(rec, "replicates"), i, e)
	{
		if (*jstr(e, "cause"))
			json_array_append_new(
			    diag, json_sprintf("worker %s: %s (cause %s)", jstr(e, "walletAddress"),
					       jstr(e, "status"), jstr(e, "cause")));
	}
	if (sched && !rec)
		json_array_append_new(diag, json_string(why));
	if (!sched)
		json_array_append_new(diag,
				      json_string("no scheduler given (--scheduler URL or --devnet "
						  "DIR): only the ledger's view"));

	/* the scheduler's history; the app's output only with --logs */
	history = json_array();
	logs = json_array();
	json_array_foreach(json_object_get(rec, "logs"), i, e)
	{
		const char *text = jstr(e, "text");

		json_array_append(is_app_log(text) ? logs : history, e);
	}
	jl = o->logs ? logs : NULL;
	if (!jl)
		json_decref(logs);
	if (rec)
		json_object_del(rec, "logs");

	res = json_pack("{s:o, s:s, s:I, s:o}", "taskid", pcli_jbytes32(taskid), "status",
			(unsigned)t.status < 5 ? status_names[t.status] : "?", "now",
			(json_int_t)now, "diagnosis", diag);
	if (res && t.status != DECC_TASK_UNSET)
		json_object_set_new(
		    res, "ledger",
		    json_pack("{s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:b}", "dealid",
			      pcli_jbytes32(t.dealid), "idx", (json_int_t)t.idx, "contributors",
			      (json_int_t)t.n_contributors, "revealCounter",
			      (json_int_t)t.reveal_counter, "winnerCounter",
			      (json_int_t)t.winner_counter, "contributionDeadline",
			      (json_int_t)t.contribution_deadline, "revealDeadline",
			      (json_int_t)t.reveal_deadline, "finalDeadline",
			      (json_int_t)t.final_deadline, "claimable",
			      (t.status == DECC_TASK_ACTIVE || t.status == DECC_TASK_REVEALING) &&
				  t.final_deadline <= now));
	if (res && have_deal) {
		json_object_set_new(
		    res, "deal",
		    json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:s}", "requester",
			      pcli_jaddr(&d.requester), "app", pcli_jaddr(&d.app.pointer),
			      "dataset", pcli_jaddr(&d.dataset.pointer), "workerpool",
			      pcli_jaddr(&d.workerpool.pointer), "trust", pcli_ju256(&d.trust),
			      "category", pcli_ju256(&d.category), "tee", (d.tag[31] & 1) != 0,
			      "params", d.params ? d.params : ""));
	}
	if (res && sched)
		json_object_set_new(res, "schedulerUrl", json_string(sched));
	if (res && rec) {
		json_object_set_new(rec, "history", history);
		json_object_set(res, "scheduler", rec);
	} else {
		json_decref(history);
	}
	if (res && jl)
		json_object_set_new(res, "logs", jl);
	else
		json_decref(jl);
	if (!res) {
		r = cli_failx("task debug: out of memory");
		goto out;
	}
	if (cli->json) {
		r = cli_print_json(cli, res);
		res = NULL;
		goto out;
	}
	printf("task %s: %s (chain time %llu)\n", jstr(res, "taskid"), jstr(res, "status"),
	       (unsigned long long)now);
	if (have_deal) {
		char h[67];

		decc_hex_encode(h, t.dealid, 32, true);
		decc_address_to_checksum(a, &d.requester);
		printf("   deal %s, task %llu; requester %s; %s, trust %s\n", h,
		       (unsigned long long)t.idx, a, (d.tag[31] & 1) ? "TEE" : "standard",
		       json_string_value(json_object_get(json_object_get(res, "deal"), "trust")));
		rel(tbuf, sizeof(tbuf), t.contribution_deadline, now);
		printf("   contribution deadline %llu (%s)\n",
		       (unsigned long long)t.contribution_deadline, tbuf);
		rel(tbuf, sizeof(tbuf), t.reveal_deadline, now);
		printf("   reveal deadline       %llu (%s)\n",
		       (unsigned long long)t.reveal_deadline, tbuf);
		rel(tbuf, sizeof(tbuf), t.final_deadline, now);
		printf("   final deadline        %llu (%s)\n", (unsigned long long)t.final_deadline,
		       tbuf);
		printf("   contributions %zu, reveals %llu of %llu winners\n", t.n_contributors,
		       (unsigned long long)t.reveal_counter, (unsigned long long)t.winner_counter);
	}
	json_array_foreach(json_object_get(res, "diagnosis"), i, e)
	    printf("   => %s\n", json_string_value(e));
	if (rec) {
		printf("scheduler %s: %s%s%s\n", sched, jstr(rec, "currentStatus"),
		       *jstr(rec, "failureCause") ? ", cause " : "", jstr(rec, "failureCause"));
		json_array_foreach(json_object_get(rec, "replicates"), i, e)
		    printf("   replicate %s: %s%s%s%s%s\n", jstr(e, "walletAddress"),
			   jstr(e, "status"), *jstr(e, "cause") ? ", cause " : "", jstr(e, "cause"),
			   *jstr(e, "resultLink") ? ", result " : "", jstr(e, "resultLink"));
		json_array_foreach(json_object_get(rec, "history"), i, e) printf(
		    "   %lld %s\n", (long long)json_integer_value(json_object_get(e, "time")),
		    jstr(e, "text"));
	}
	if (jl) {
		printf("app logs (%zu):\n", json_array_size(jl));
		json_array_foreach(jl, i, e) printf("   %s\n", jstr(e, "text"));
	}
	r = CLI_EXIT_OK;
out:
	json_decref(res);
	json_decref(rec);
	decc_chain_deal_release(&d);
	decc_chain_task_release(&t);
	decc_chain_free(c);
	json_decref(dn);
	return r;
}

int cmd_task(struct cli *cli, int argc, char **argv)
{
	struct task_opts o = { 0 };
	const struct opt opts[] = {
		OPT_STRING("result-digest", &o.result_digest),
		OPT_STRING("enclave-challenge", &o.enclave_challenge),
		OPT_STRING("enclave-sign", &o.enclave_sign),
		OPT_STRING("authorization-sign", &o.authorization_sign),
		OPT_STRING("results", &o.results),
		OPT_STRING("results-callback", &o.results_callback),
		OPT_STRING("worker", &o.worker),
		OPT_STRING("devnet", &o.devnet),
		OPT_STRING("scheduler", &o.scheduler),
		OPT_FLAG("logs", &o.logs),
		OPT_END,
	};
	static const char *const subs[] = { "show",	  "claim",     "debug",
					    "initialize", "authorize", "contribute",
					    "reveal",	  "finalize",  "contribute-and-finalize" };
	struct opt_args args;
	char *pos[3];
	uint8_t id[32];
	const char *sub;
	bool done, known = false;
	int r;

	r = cli_parse(cli, PAGE, "task", opts, argc - 1, argv + 1, &args, pos, 3, &done);
	if (done)
		return r;
	if (args.npos == 0)
		return cli_usage_error(PAGE, "task", "missing subcommand (show, claim, …)");
	sub = args.pos[0];
	for (size_t i = 0; i < DECC_ARRAY_SIZE(subs); i++)
		known = known || strcmp(sub, subs[i]) == 0;
	if (!known)
		return cli_usage_error(PAGE, "task", "unknown subcommand '%s'", sub);
	if (args.npos < 2)
		return cli_usage_error(PAGE, "task", "%s: missing the %s", sub,
				       strcmp(sub, "initialize") == 0 ? "DEALID and IDX"
								      : "TASKID");
	if (args.npos > (strcmp(sub, "initialize") == 0 ? 3 : 2))
		return cli_usage_error(PAGE, "task", "%s: too many arguments", sub);
	if (pcli_parse_bytes32(id, args.pos[1]) < 0)
		return cli_usage_error(PAGE, "task", "%s: %s", sub, decc_error_last());
	if (strcmp(sub, "show") == 0)
		return task_show(cli, id);
	if (strcmp(sub, "debug") == 0)
		return task_debug(cli, &o, id);
	if (strcmp(sub, "authorize") == 0)
		return task_authorize(cli, &o, id);
	return task_tx(cli, sub, &o, id, args.npos == 3 ? args.pos[2] : NULL);
}
