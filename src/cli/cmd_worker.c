/* SPDX-License-Identifier: Apache-2.0 */
/* decc worker: the worker daemon (docs/cmd/decc-worker.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/error.h"
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
	const char *kind = "oci";
	const struct opt opts[] = {
		OPT_STRING("scheduler", &url),
		OPT_STRING("slots", &slots),
		OPT_STRING("work-dir", &work),
		OPT_STRING("apps-dir", &apps),
		OPT_STRING("store", &store),
		OPT_STRING("runner", &kind),
		OPT_END,
	};
	struct decc_worker_config cfg = { 0 };
	struct decc_worker_runner runner = { 0 };
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
	if (r < 0)
		return cli_fail("worker");
	compute_log("worker", "stopped");
	return CLI_EXIT_OK;
}
