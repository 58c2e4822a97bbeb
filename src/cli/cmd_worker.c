/* SPDX-License-Identifier: Apache-2.0 */
/* decc worker: the worker daemon (docs/cmd/decc-worker.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decc/error.h"
#include "decc/file.h"
#include "decc/worker.h"
#include "cli/compute_cmds.h"

#define PAGE "worker"

static void worker_log(void *ctx, const char *line)
{
	(void)ctx;
	compute_log("worker", line);
}

int cmd_worker(struct cli *cli, int argc, char **argv)
{
	const char *url = NULL, *slots = NULL, *work = NULL, *apps = NULL, *store = NULL;
	const char *kind = "oci", *sms = NULL, *pkey = NULL;
	const struct opt opts[] = {
		OPT_STRING("scheduler", &url),
		OPT_STRING("slots", &slots),
		OPT_STRING("work-dir", &work),
		OPT_STRING("apps-dir", &apps),
		OPT_STRING("store", &store),
		OPT_STRING("runner", &kind),
		OPT_STRING("sms", &sms),
		OPT_STRING("platform-key", &pkey),
		OPT_END,
	};
	struct decc_worker_config cfg = { 0 };
	struct decc_worker_runner runner = { 0 }, tee = { 0 };
	struct decc_worker_tee_opts to = { 0 };
	char self[4096], tcache[4200], twork[4200];
	ssize_t sl;
	struct opt_args args;
	char *pos[1], wbuf[256], cache[4200];
	uint8_t sk[32];
	decc_address me;
	uint64_t v;
	bool done;
	int r;

	r = cli_parse(cli, PAGE, "worker", opts, argc - 1, argv + 1, &args, pos, 0, &done);
	if (done)
		return r;
	if (!url)
		return cli_usage_error(PAGE, "worker", "--scheduler URL is required");
	if (slots) {
		if (cli_parse_u64(&v, slots) < 0 || v == 0 || v > 64)
			return cli_usage_error(PAGE, "worker", "--slots: expected 1 to 64");
		cfg.slots = (unsigned)v;
	}
	if (!work) {
		snprintf(wbuf, sizeof(wbuf), "%s/.decc/worker",
			 getenv("HOME") ? getenv("HOME") : ".");
		work = wbuf;
	}
	if (!apps)
		apps = work;
	if (!sms != !pkey)
		return cli_usage_error(PAGE, "worker",
				       "TEE tasks need both --sms URL and --platform-key FILE");
	if (strcmp(kind, "oci") != 0 && strcmp(kind, "local") != 0)
		return cli_usage_error(PAGE, "worker", "--runner: expected oci or local");
	if (cli_wallet_open(cli, NULL, sk, &me) < 0)
		return cli_fail("worker: cannot open the wallet");
	snprintf(cache, sizeof(cache), "%s/images", work);
	r = strcmp(kind, "oci") == 0 ? decc_worker_runner_oci(&runner, cache, store)
				     : decc_worker_runner_local(&runner, apps);
	if (r < 0) {
		decc_wipe(sk, sizeof(sk));
		return cli_fail("worker");
	}
	if (sms) {
		sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (sl <= 0) {
			decc_wipe(sk, sizeof(sk));
			if (runner.free)
				runner.free(runner.ctx);
			return cli_failx("worker: cannot find the decc binary for the enclave");
		}
		self[sl] = 0;
		snprintf(tcache, sizeof(tcache), "%s/tee-images", work);
		snprintf(twork, sizeof(twork), "%s/tee", work);
		to.decc_bin = self;
		to.sms_url = sms;
		to.store_url = store;
		to.platform_key = pkey;
		to.cache_dir = tcache;
		to.work_dir = twork;
		if (decc_file_mkdirs(tcache, 0700) < 0 || decc_file_mkdirs(twork, 0700) < 0 ||
		    decc_worker_runner_tee(&tee, &to) < 0) {
			decc_wipe(sk, sizeof(sk));
			if (runner.free)
				runner.free(runner.ctx);
			return cli_fail("worker: the TEE runner");
		}
		cfg.tee_runner = &tee;
	}
	compute_catch_signals();
	cfg.scheduler_url = url;
	cfg.sk = sk;
	cfg.work_dir = work;
	cfg.runner = &runner;
	cfg.store_url = store;
	r = decc_worker_run(&cfg, &compute_stop, worker_log, NULL);
	decc_wipe(sk, sizeof(sk));
	if (runner.free)
		runner.free(runner.ctx);
	if (tee.free)
		tee.free(tee.ctx);
	if (r < 0)
		return cli_fail("worker");
	compute_log("worker", "stopped");
	return CLI_EXIT_OK;
}
