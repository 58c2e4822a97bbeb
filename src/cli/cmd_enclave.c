/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decc enclave: the program a worker starts inside its sandbox for a TEE task
 * (docs/cmd/decc-enclave.md). It attests with the platform key, gets the session from the SMS,
 * runs pre-compute, the app (an iApp image, in a nested sandbox: decc_iapp_run) and
 * post-compute, and prints what the worker contributes. Progress goes to stderr, never a
 * secret; stdout carries one JSON object, the result or the failure cause.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/file.h"
#include "decc/hex.h"
#include "decc/iapp.h"
#include "decc/sms.h"
#include "decc/tee.h"
#include "decc/worker.h"
#include "cli/cli.h"

#define PAGE "enclave"
#define AUTH_MAX 8192

struct runner_ctx {
	const char *cache_dir;
	uint8_t digest[32]; /* what was measured: the app that runs must be that one */
	bool measured;
};

static int measure(void *ctx, uint8_t out[32], const char *image)
{
	struct runner_ctx *rc = ctx;

	DECC_TRY(decc_iapp_measure(out, image, rc->cache_dir));
	memcpy(rc->digest, out, 32);
	rc->measured = true;
	return 0;
}

static int run(void *ctx, int *exit_code, bool *timed_out, const struct decc_tee_app_spec *s)
{
	struct runner_ctx *rc = ctx;
	struct decc_iapp_spec spec = {
		.image = s->image,
		.cache_dir = rc->cache_dir,
		.in_dir = s->in_dir,
		.out_dir = s->out_dir,
		.args = s->args,
		.env = (const char *const *)s->env,
		.network = s->network,
		.timeout_s = s->max_seconds,
		.expect_digest = rc->measured ? rc->digest : NULL,
	};
	struct decc_iapp_result res;

	DECC_TRY(decc_iapp_run(&res, &spec));
	*exit_code = res.exit_code;
	*timed_out = res.timed_out;
	return 0;
}

static void progress(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "decc enclave: %s\n", line);
}

static int failure(const char *cause, const char *error);

/*
 * --sandboxed: the whole thing as a worker does it, through the worker's TEE runner (the image
 * downloaded from the store and checked, this binary started as the enclave in a sandbox).
 */
static int sandboxed(const char *sms, const char *store, const char *work, const char *pkey,
		     const char *cache, const char *app, const char *checksum,
		     const struct decc_tee_authorization *auth, const uint8_t wsig[65])
{
	struct decc_worker_tee_opts to = {
		.sms_url = sms,
		.store_url = store,
		.platform_key = pkey,
		.cache_dir = cache,
		.work_dir = work,
	};
	struct decc_worker_job job = { 0 };
	struct decc_worker_run_result res = { 0 };
	struct decc_worker_runner rn;
	struct decc_buf text = DECC_BUF_INIT;
	char self[4096];
	uint8_t sum[32];
	ssize_t n;
	int r;

	if (!app || !checksum || decc_hex_decode_exact(sum, 32, checksum) < 0)
		return cli_usage_error(
		    PAGE, "enclave",
		    "--sandboxed needs --app /ipfs/CID and --checksum 0x<32 bytes>");
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return cli_failx("enclave: cannot find the decc binary (/proc/self/exe)");
	self[n] = 0;
	to.decc_bin = self;
	job.app_multiaddr = app;
	job.app_checksum = sum;
	job.taskid = auth->taskid;
	job.auth = auth;
	job.worker_signature = wsig;
	job.timeout_s = 3600;
	if (decc_worker_runner_tee(&rn, &to) < 0)
		return failure("TEE_PREPARATION_FAILED", decc_error_last());
	r = rn.prepare(rn.ctx, &job);
	if (r < 0) {
		rn.free(rn.ctx);
		return failure("APP_IMAGE_DOWNLOAD_FAILED", decc_error_last());
	}
	r = rn.run(rn.ctx, &res, &job);
	rn.free(rn.ctx);
	if (r < 0)
		return failure("TEE_PREPARATION_FAILED", decc_error_last());
	if (res.cause[0])
		return failure(res.cause, res.error);
	decc_buf_init(&text, 1 << 20);
	r = decc_tee_result_json(&text, &res.tee);
	decc_tee_result_release(&res.tee);
	if (r == 0)
		printf("%s\n", decc_buf_str(&text));
	decc_buf_release(&text);
	return r == 0 ? CLI_EXIT_OK : failure("UNKNOWN", decc_error_last());
}

/* {"cause":"…","error":"…"} on stdout, exit 1. */
static int failure(const char *cause, const char *error)
{
	json_t *o = json_pack("{s:s,s:s}", "cause", cause && *cause ? cause : "UNKNOWN", "error",
			      error ? error : "");
	char *t = o ? json_dumps(o, JSON_COMPACT) : NULL;

	if (t)
		printf("%s\n", t);
	free(t);
	json_decref(o);
	fprintf(stderr, "decc enclave: failed (%s): %s\n", cause && *cause ? cause : "UNKNOWN",
		error ? error : "");
	return CLI_EXIT_FAIL;
}

int cmd_enclave(struct cli *cli, int argc, char **argv)
{
	const char *sms = NULL, *store = NULL, *work = NULL, *image = NULL, *pkey = NULL;
	const char *auth_file = NULL, *wsig = NULL, *cache = NULL, *make_key = NULL;
	const char *challenge = NULL, *app = NULL, *checksum = NULL;
	bool sandbox = false;
	const struct opt opts[] = {
		OPT_STRING("sms", &sms),
		OPT_STRING("store", &store),
		OPT_STRING("work-dir", &work),
		OPT_STRING("image", &image),
		OPT_STRING("platform-key", &pkey),
		OPT_STRING("authorization", &auth_file),
		OPT_STRING("worker-signature", &wsig),
		OPT_STRING("cache-dir", &cache),
		OPT_STRING("make-platform-key", &make_key),
		OPT_STRING("challenge", &challenge),
		OPT_FLAG("sandboxed", &sandbox),
		OPT_STRING("app", &app),
		OPT_STRING("checksum", &checksum),
		OPT_END,
	};
	struct decc_tee_platform platform = { 0 };
	struct runner_ctx rc = { 0 };
	struct decc_tee_app_runner runner = { .ctx = &rc, .measure = measure, .run = run };
	struct decc_tee_enclave_opts o = { 0 };
	struct decc_tee_result res = { 0 };
	struct decc_buf text = DECC_BUF_INIT;
	char cause[DECC_TEE_CAUSE_MAX] = "";
	struct opt_args args;
	char *pos[1];
	bool done;
	int r;

	r = cli_parse(cli, PAGE, "enclave", opts, argc - 1, argv + 1, &args, pos, 0, &done);
	if (done)
		return r;
	if (make_key) {
		decc_address a;
		char as[43];

		if (decc_tee_sim_key_create(&a, make_key) < 0)
			return cli_fail("enclave --make-platform-key");
		decc_address_to_checksum(as, &a);
		printf("%s\n", as);
		return CLI_EXIT_OK;
	}
	if (challenge) {
		uint8_t tid[32], sk[32];
		decc_address me, a;
		char as[43];

		if (!sms)
			return cli_usage_error(PAGE, "enclave", "--challenge needs --sms URL");
		if (decc_hex_decode_exact(tid, 32, challenge) < 0)
			return cli_usage_error(PAGE, "enclave", "--challenge: expected a task id");
		if (cli_wallet_open(cli, NULL, sk, &me) < 0)
			return cli_fail("enclave --challenge: the workerpool owner's wallet");
		r = decc_sms_client_challenge(sms, &a, tid, sk);
		decc_wipe(sk, sizeof(sk));
		if (r < 0)
			return cli_fail("enclave --challenge");
		decc_address_to_checksum(as, &a);
		printf("%s\n", as);
		return CLI_EXIT_OK;
	}
	if (!sms || !work || !(image || sandbox) || !pkey || !auth_file || !wsig || !cache)
		return cli_usage_error(
		    PAGE, "enclave",
		    "--sms, --work-dir, --image, --platform-key, --authorization, "
		    "--worker-signature and --cache-dir are required");
	if (decc_hex_decode_exact(o.worker_signature, 65, wsig) < 0)
		return cli_usage_error(PAGE, "enclave",
				       "--worker-signature: expected 0x + 130 hex digits");
	decc_buf_init(&text, AUTH_MAX);
	r = decc_file_read(&text, auth_file, AUTH_MAX);
	if (r == 0)
		r = decc_tee_authorization_parse(&o.auth, (const char *)text.data, text.len);
	decc_buf_release(&text);
	if (r < 0)
		return failure("WORKERPOOL_AUTHORIZATION_NOT_FOUND", decc_error_last());
	if (decc_tee_sim_platform(&platform, pkey) < 0)
		return failure("TEE_PREPARATION_FAILED", decc_error_last());
	if (sandbox) {
		r = sandboxed(sms, store, work, pkey, cache, app, checksum, &o.auth,
			      o.worker_signature);
		decc_tee_platform_release(&platform);
		return r;
	}
	rc.cache_dir = cache;
	o.sms_url = sms;
	o.store_api = store;
	o.work_dir = work;
	o.image = image;
	o.platform = &platform;
	o.runner = &runner;
	o.log = progress;
	o.cause = cause;
	r = decc_tee_enclave_run(&res, &o);
	decc_tee_platform_release(&platform);
	if (r < 0)
		return failure(cause, decc_error_last());
	if (res.app_timed_out || res.app_exit != 0) {
		bool timeout = res.app_timed_out;
		char msg[96];

		if (timeout)
			snprintf(msg, sizeof(msg), "the app hit its time limit");
		else
			snprintf(msg, sizeof(msg), "the app exited with %d", res.app_exit);
		decc_tee_result_release(&res);
		return failure(timeout ? "APP_COMPUTE_TIMEOUT" : "APP_COMPUTE_FAILED", msg);
	}
	decc_buf_init(&text, 1 << 20);
	r = decc_tee_result_json(&text, &res);
	decc_tee_result_release(&res);
	if (r < 0) {
		decc_buf_release(&text);
		return failure("UNKNOWN", decc_error_last());
	}
	printf("%s\n", decc_buf_str(&text));
	decc_buf_release(&text);
	fprintf(stderr, "decc enclave: done\n");
	return CLI_EXIT_OK;
}
