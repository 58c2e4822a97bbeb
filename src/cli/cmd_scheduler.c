/* SPDX-License-Identifier: Apache-2.0 */
/* decc scheduler: the workerpool's scheduler daemon (docs/cmd/decc-scheduler.md). */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decc/error.h"
#include "decc/scheduler.h"
#include "cli/compute_cmds.h"
#include "cli/pococli.h"

#define PAGE "scheduler"

volatile sig_atomic_t compute_stop;

static void on_signal(int sig)
{
	(void)sig;
	compute_stop = 1;
}

void compute_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Structured log line on stderr: ts=… level=info component=… msg="…" (logfmt). */
void compute_log(const char *component, const char *msg)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct timespec ts;
	struct tm tm;
	char stamp[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	pthread_mutex_lock(&lock);
	fprintf(stderr, "ts=%s.%03ldZ level=info component=%s msg=\"", stamp, ts.tv_nsec / 1000000,
		component);
	for (const char *p = msg; *p; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', stderr);
		fputc(*p == '\n' ? ' ' : *p, stderr);
	}
	fputs("\"\n", stderr);
	fflush(stderr);
	pthread_mutex_unlock(&lock);
}

static void sched_log(void *ctx, const char *line)
{
	(void)ctx;
	compute_log("scheduler", line);
}

static int split_listen(char *host, size_t cap, uint16_t *port, const char *listen)
{
	const char *colon = strrchr(listen, ':');
	uint64_t p;
	size_t hl;

	if (!colon || colon == listen)
		return -1;
	hl = (size_t)(colon - listen);
	if (hl >= cap || cli_parse_u64(&p, colon + 1) < 0 || p == 0 || p > 65535)
		return -1;
	memcpy(host, listen, hl);
	host[hl] = 0;
	*port = (uint16_t)p;
	return 0;
}

int cmd_scheduler(struct cli *cli, int argc, char **argv)
{
	const char *pool = NULL, *listen = "127.0.0.1:13000", *data = NULL, *sms = NULL;
	const char *start = NULL, *timeout = NULL, *poll = NULL, *store = NULL, *ask = NULL;
	const struct opt opts[] = {
		OPT_STRING("workerpool", &pool),   OPT_STRING("listen", &listen),
		OPT_STRING("data", &data),	   OPT_STRING("sms", &sms),
		OPT_STRING("start-block", &start), OPT_STRING("worker-timeout", &timeout),
		OPT_STRING("poll-ms", &poll),	   OPT_STRING("ask-period-ms", &ask),
		OPT_STRING("store", &store),	   OPT_END,
	};
	struct decc_sched_config cfg = { 0 };
	struct decc_chain *c = NULL;
	struct opt_args args;
	char host[256], *pos[1];
	uint8_t sk[32];
	decc_address me;
	uint64_t v;
	bool done;
	int r;

	r = cli_parse(cli, PAGE, "scheduler", opts, argc - 1, argv + 1, &args, pos, 0, &done);
	if (done)
		return r;
	if (!pool)
		return cli_usage_error(PAGE, "scheduler", "--workerpool ADDR is required");
	if (!data)
		return cli_usage_error(PAGE, "scheduler", "--data DIR is required");
	if (decc_address_parse(&cfg.workerpool, pool) < 0)
		return cli_usage_error(PAGE, "scheduler", "--workerpool: %s", decc_error_last());
	if (split_listen(host, sizeof(host), &cfg.port, listen) < 0)
		return cli_usage_error(PAGE, "scheduler", "--listen: expected HOST:PORT, got '%s'",
				       listen);
	if ((sms && strlen(sms) > 500) || (store && strlen(store) > 500) ||
	    (cli->rpc && strlen(cli->rpc) > 500))
		return cli_usage_error(PAGE, "scheduler", "URLs are limited to 500 bytes");
	if (start) {
		if (cli_parse_u64(&v, start) < 0)
			return cli_usage_error(PAGE, "scheduler",
					       "--start-block: expected a number");
		cfg.start_block = v;
	}
	if (timeout) {
		if (cli_parse_u64(&v, timeout) < 0 || v == 0 || v > 86400)
			return cli_usage_error(PAGE, "scheduler",
					       "--worker-timeout: expected 1 to 86400 seconds");
		cfg.worker_timeout_s = (unsigned)v;
	}
	if (poll) {
		if (cli_parse_u64(&v, poll) < 0 || v < 10 || v > 600000)
			return cli_usage_error(PAGE, "scheduler",
					       "--poll-ms: expected 10 to 600000");
		cfg.poll_ms = (unsigned)v;
	}
	if (ask) {
		/* workers take 10 to 599999 ms (else their default, 2000) */
		if (cli_parse_u64(&v, ask) < 0 || v < 10 || v > 600000 - 1)
			return cli_usage_error(PAGE, "scheduler",
					       "--ask-period-ms: expected 10 to 599999");
		cfg.ask_period_ms = (unsigned)v;
	}
	/* the chain (and its default hub) as the PoCo commands see it; the wallet's key */
	r = pcli_open(cli, PAGE, "scheduler", &c, false, NULL);
	if (r != CLI_EXIT_OK)
		return r;
	r = decc_chain_hub(c, &cfg.hub);
	decc_chain_free(c);
	if (r < 0)
		return cli_fail("scheduler");
	if (cli_wallet_open(cli, NULL, sk, &me) < 0)
		return cli_fail("scheduler: cannot open the wallet");
	compute_catch_signals();
	cfg.rpc_url = cli->rpc;
	cfg.sk = sk;
	cfg.listen_host = host;
	cfg.data_dir = data;
	cfg.sms_url = sms;
	cfg.store_url = store;
	r = decc_sched_run(&cfg, &compute_stop, sched_log, NULL);
	decc_wipe(sk, sizeof(sk));
	if (r < 0)
		return cli_fail("scheduler");
	compute_log("scheduler", "stopped");
	return CLI_EXIT_OK;
}
