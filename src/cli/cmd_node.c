/* SPDX-License-Identifier: Apache-2.0 */
/* decc node: the ledger daemon (docs/cmd/decc-node.md). */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decc/error.h"
#include "decc/file.h"
#include "decc/node.h"
#include "decc/poco.h"
#include "cli/cli.h"

#define PAGE "node"
#define GENESIS_MAX ((size_t)16 << 20)

/* Structured log line on stderr: ts=… level=… msg="…" (logfmt). */
static void log_line(void *ctx, const char *level, const char *msg)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct timespec ts;
	struct tm tm;
	char stamp[32];

	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	pthread_mutex_lock(&lock);
	fprintf(stderr, "ts=%s.%03ldZ level=%s component=node msg=\"", stamp, ts.tv_nsec / 1000000,
		level);
	for (const char *p = msg; *p; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', stderr);
		fputc(*p == '\n' ? ' ' : *p, stderr);
	}
	fputs("\"\n", stderr);
	pthread_mutex_unlock(&lock);
}

static int parse_size(uint64_t *out, const char *s, const char *name, uint64_t max)
{
	if (!s)
		return 0;
	if (cli_parse_u64(out, s) < 0 || *out > max)
		return cli_usage_error(PAGE, "node", "%s: expected a number up to %llu", name,
				       (unsigned long long)max);
	return 0;
}

#define MAX_CATEGORIES 64

/* Genesis of the native PoCo contracts: the hub owner and the genesis file's categories. */
static int poco_genesis(void *ctx, struct decc_state *state, const struct decc_exec_env *env,
			const struct decc_genesis *g)
{
	const struct decc_poco_config *pc = ctx;
	struct decc_poco_category cats[MAX_CATEGORIES];
	decc_address owner = g->has_hub_owner ? g->hub_owner : DECC_ADDRESS_ZERO;

	(void)env;
	if (g->n_categories > MAX_CATEGORIES)
		return decc_error_set(DECC_ELIMIT, "genesis: at most %d categories",
				      MAX_CATEGORIES);
	for (size_t i = 0; i < g->n_categories; i++) {
		cats[i].name = g->categories[i].name;
		cats[i].description = g->categories[i].description;
		cats[i].work_clock_time_ref = g->categories[i].work_clock_time_ref;
	}
	return decc_poco_genesis(state, pc, &owner, g->n_categories ? cats : NULL, g->n_categories);
}

static void log_contracts(const struct decc_poco_config *pc)
{
	char hub[43], apps[43], datasets[43], pools[43], dp[43], msg[320];

	decc_address_to_checksum(hub, &pc->hub);
	decc_address_to_checksum(apps, &pc->app_registry);
	decc_address_to_checksum(datasets, &pc->dataset_registry);
	decc_address_to_checksum(pools, &pc->workerpool_registry);
	decc_address_to_checksum(dp, &pc->dataprotector);
	snprintf(msg, sizeof(msg),
		 "PoCo hub %s, registries app %s dataset %s workerpool %s, DataProtector %s", hub,
		 apps, datasets, pools, dp);
	log_line(NULL, "info", msg);
}

int cmd_node(struct cli *cli, int argc, char **argv)
{
	struct decc_poco_config pc;
	struct decc_executor executor;
	const char *genesis_path = NULL, *data = NULL, *listen = "127.0.0.1:8545";
	const char *block_time = NULL, *max_body = NULL, *max_batch = NULL, *log_range = NULL;
	const struct opt opts[] = {
		OPT_STRING("genesis", &genesis_path),	 OPT_STRING("data", &data),
		OPT_STRING("listen", &listen),		 OPT_STRING("block-time", &block_time),
		OPT_STRING("max-body", &max_body),	 OPT_STRING("max-batch", &max_batch),
		OPT_STRING("max-log-range", &log_range), OPT_END,
	};
	struct decc_node_config cfg = { 0 };
	struct decc_buf text = DECC_BUF_INIT;
	struct decc_genesis genesis;
	struct decc_node *node = NULL;
	struct opt_args args;
	uint64_t v = 0;
	sigset_t set;
	char *pos[1];
	bool done;
	int r, sig = 0;

	r = cli_parse(cli, "decc", "node", opts, argc - 1, argv + 1, &args, pos, 0, &done);
	if (done)
		return r;
	if (!genesis_path)
		return cli_usage_error(PAGE, "node", "--genesis FILE is required");
	if (!data)
		return cli_usage_error(PAGE, "node", "--data DIR is required");
	if ((r = parse_size(&v, block_time, "--block-time", 3600000)) != 0)
		return r;
	cfg.block_time_ms = v;
	v = 0;
	if ((r = parse_size(&v, max_body, "--max-body", (uint64_t)64 << 20)) != 0)
		return r;
	cfg.max_body = (size_t)v;
	v = 0;
	if ((r = parse_size(&v, max_batch, "--max-batch", 10000)) != 0)
		return r;
	cfg.max_batch = (size_t)v;
	v = 0;
	if ((r = parse_size(&v, log_range, "--max-log-range", 1000000)) != 0)
		return r;
	cfg.max_log_range = v;

	if (decc_file_read(&text, genesis_path, GENESIS_MAX) < 0 ||
	    decc_genesis_parse(&genesis, decc_buf_str(&text), text.len) < 0) {
		decc_buf_release(&text);
		return cli_fail("node: genesis %s", genesis_path);
	}
	decc_buf_release(&text);

	/* Signals go to this thread only (sigwait below); threads started later inherit it. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	decc_poco_config_default(&pc, genesis.chain_id);
	decc_poco_executor(&executor, &pc);
	cfg.executor = &executor;
	cfg.genesis_fn = poco_genesis;
	cfg.genesis_ctx = &pc;
	cfg.data_dir = data;
	cfg.genesis = &genesis;
	cfg.listen = listen;
	cfg.log = log_line;
	r = decc_node_start(&node, &cfg);
	if (r < 0) {
		decc_genesis_release(&genesis);
		return cli_fail("node");
	}
	log_contracts(&pc);
	log_line(NULL, "info",
		 cfg.block_time_ms ? "mining every --block-time ms"
				   : "automine: a block per group of transactions");
	while (sigwait(&set, &sig) != 0)
		;
	log_line(NULL, "info", sig == SIGTERM ? "SIGTERM: stopping" : "SIGINT: stopping");
	decc_node_stop(node);
	decc_genesis_release(&genesis);
	log_line(NULL, "info", "stopped");
	(void)cli;
	return CLI_EXIT_OK;
}
