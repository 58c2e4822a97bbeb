/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decc_sched_run: the store, the HTTP API (its own thread, no chain access) and the main loop
 * (the only user of the chain client): read new deals, advance the tasks, detect lost workers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decc/chain.h"
#include "decc/error.h"
#include "decc/file.h"
#include "decc/hex.h"
#include "scheduler/chainops.h"
#include "scheduler/internal.h"

static void dlog(decc_sched_log_fn log, void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void dlog(decc_sched_log_fn log, void *ctx, const char *fmt, ...)
{
	char line[768];
	va_list ap;

	if (!log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log(ctx, line);
}

static void nap(unsigned ms, volatile sig_atomic_t *stop)
{
	while (ms && !*stop) {
		unsigned step = ms > 50 ? 50 : ms;
		struct timespec ts = { 0, (long)step * 1000000L };

		nanosleep(&ts, NULL);
		ms -= step;
	}
}

static int open_chain(struct decc_chain **out, const struct decc_sched_config *cfg,
		      uint64_t *chain_id, decc_address *me)
{
	struct decc_chain *c = NULL;
	decc_address owner;
	char a[43], b[43];
	int r;

	DECC_TRY(decc_chain_new(&c, cfg->rpc_url));
	decc_chain_set_hub(c, &cfg->hub);
	r = decc_chain_set_wallet(c, cfg->sk);
	if (r == 0)
		r = decc_chain_address(c, me);
	if (r == 0)
		r = decc_chain_connect(c, chain_id);
	if (r == 0)
		r = decc_chain_owner(c, &owner, &cfg->workerpool);
	if (r < 0) {
		decc_error_wrap(r, "chain %s", cfg->rpc_url);
		decc_chain_free(c);
		return r;
	}
	if (!decc_address_eq(&owner, me)) {
		decc_address_to_checksum(a, me);
		decc_address_to_checksum(b, &owner);
		decc_chain_free(c);
		return decc_error_set(DECC_EAUTH,
				      "the wallet %s does not own the workerpool (owner %s): "
				      "authorizations it signs would be refused on chain",
				      a, b);
	}
	*out = c;
	return 0;
}

int decc_sched_run(const struct decc_sched_config *cfg, volatile sig_atomic_t *stop,
		   decc_sched_log_fn log, void *log_ctx)
{
	struct sched_store *db = NULL;
	struct decc_chain *chain = NULL;
	struct sched_http *http = NULL;
	struct sched_chainops ops = { 0 };
	struct sched s;
	char *path = NULL, pool[43], me_s[43], hub[43], config[4096];
	decc_address me;
	uint64_t chain_id;
	size_t plen;
	unsigned ping_s;
	int r;

	DECC_TRY(decc_file_mkdirs(cfg->data_dir, 0700));
	plen = strlen(cfg->data_dir) + sizeof("/scheduler.db");
	path = malloc(plen);
	if (!path)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	snprintf(path, plen, "%s/scheduler.db", cfg->data_dir);
	r = sched_store_open(&db, path);
	free(path);
	if (r < 0)
		return r;
	r = open_chain(&chain, cfg, &chain_id, &me);
	if (r < 0) {
		sched_store_close(db);
		return r;
	}
	ops.chain = chain;
	ops.hub = cfg->hub;
	ops.workerpool = cfg->workerpool;
	ops.max_range = cfg->max_logs_range ? cfg->max_logs_range : 1000;
	ops.sms_url = cfg->sms_url;
	ops.sk = cfg->sk;
	r = sched_init(&s, db, cfg->sms_url ? &sched_chainops_table : &sched_chainops_table_nosms,
		       &ops, cfg->sk, &cfg->workerpool);
	if (r < 0) {
		decc_chain_free(chain);
		sched_store_close(db);
		return r;
	}
	s.worker_timeout_s = cfg->worker_timeout_s ? cfg->worker_timeout_s : 60;
	s.start_block = cfg->start_block;
	s.log = log;
	s.log_ctx = log_ctx;
	/* workers ping at least 3 times per timeout, so only a silent one is lost */
	ping_s = cfg->ping_period_s ? cfg->ping_period_s : 10;
	if (ping_s > s.worker_timeout_s / 3)
		ping_s = s.worker_timeout_s / 3 ? (unsigned)(s.worker_timeout_s / 3) : 1;
	decc_address_to_checksum(pool, &cfg->workerpool);
	decc_address_to_checksum(me_s, &me);
	decc_address_to_checksum(hub, &cfg->hub);
	snprintf(config, sizeof(config),
		 "{\"workerPoolAddress\":\"%s\",\"schedulerPublicAddress\":\"%s\","
		 "\"chainId\":%llu,\"chainNodeUrl\":\"%s\",\"iexecHubContractAddress\":\"%s\","
		 "\"askForReplicatePeriod\":%u,\"pingPeriod\":%u,\"requiredWorkerVersion\":\"\","
		 "\"smsUrl\":\"%s\",\"storeUrl\":\"%s\"}",
		 pool, me_s, (unsigned long long)chain_id, cfg->rpc_url, hub,
		 cfg->ask_period_ms ? cfg->ask_period_ms : 2000, ping_s,
		 cfg->sms_url ? cfg->sms_url : "", cfg->store_url ? cfg->store_url : "");
	r = sched_http_start(&http, &s, cfg->listen_host, cfg->port, config);
	if (r < 0)
		goto out;
	dlog(log, log_ctx, "scheduler of workerpool %s (wallet %s, chain %llu) on http://%s:%u",
	     pool, me_s, (unsigned long long)chain_id, cfg->listen_host, cfg->port);
	while (!*stop) {
		uint64_t wall = (uint64_t)time(NULL), ts, now = wall;

		if (decc_chain_timestamp(chain, &ts) == 0 && ts > wall)
			now = ts;
		__atomic_store_n(&s.time_offset, (int64_t)(now - wall), __ATOMIC_RELAXED);
		if (sched_intake(&s, now) < 0)
			dlog(log, log_ctx, "reading deals: %s", decc_error_last());
		if (sched_tick(&s, now, wall) < 0)
			dlog(log, log_ctx, "advancing tasks: %s", decc_error_last());
		nap(cfg->poll_ms ? cfg->poll_ms : 1000, stop);
	}
	dlog(log, log_ctx, "scheduler stopping");
	r = 0;
out:
	sched_http_stop(http);
	sched_release(&s);
	decc_chain_free(chain);
	sched_store_close(db);
	return r;
}
