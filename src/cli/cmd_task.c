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
#include "cli/pococli.h"

#define PAGE "task"
#define RESULTS_MAX (64 * 1024)

static const char *const status_names[] = { "UNSET", "ACTIVE", "REVEALING", "COMPLETED", "FAILED" };
static const char *const contribution_names[] = { "UNSET", "CONTRIBUTED", "PROVED", "REJECTED" };

struct task_opts {
	const char *result_digest, *enclave_challenge, *enclave_sign, *authorization_sign;
	const char *results, *results_callback, *worker;
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
		OPT_END,
	};
	static const char *const subs[] = { "show",	  "claim",
					    "initialize", "authorize",
					    "contribute", "reveal",
					    "finalize",	  "contribute-and-finalize" };
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
	if (strcmp(sub, "authorize") == 0)
		return task_authorize(cli, &o, id);
	return task_tx(cli, sub, &o, id, args.npos == 3 ? args.pos[2] : NULL);
}
