/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decc scheduler: one per workerpool (iexec-core's role). It watches SchedulerNotice logs of
 * its workerpool from a persisted block cursor, initializes the tasks of each deal, hands them
 * to workers that pull over HTTP (signed challenge login, bearer tokens, pings), signs each
 * worker authorization (EIP-191 over keccak(worker || taskid || enclave challenge)), follows
 * contributions on chain, asks the winners to reveal once the chain reached consensus,
 * finalizes, reopens on reveal timeout, reassigns the work of workers that stop pinging.
 * Its whole state (cursor, deals, tasks, replicates, per-task logs and failure causes) lives
 * in SQLite under the data directory, so a restart resumes every task where it was.
 */
#ifndef DECC_SCHEDULER_H
#define DECC_SCHEDULER_H

#include <signal.h>

#include "decc/address.h"

struct decc_sched_config {
	const char *rpc_url;
	decc_address hub;
	decc_address workerpool;
	const uint8_t *sk;	 /* scheduler wallet (must own the workerpool); 32 bytes */
	const char *listen_host; /* e.g. "127.0.0.1" */
	uint16_t port;
	const char *data_dir;	   /* created if missing; holds scheduler.db */
	const char *sms_url;	   /* optional: SMS of TEE tasks (enclave challenges) */
	const char *store_url;	   /* optional: store API told to workers for results */
	uint64_t start_block;	   /* first block to scan when there is no cursor yet */
	unsigned poll_ms;	   /* chain polling period (0: 1000) */
	unsigned worker_timeout_s; /* a worker silent that long is lost (0: 60) */
	unsigned ping_period_s;	   /* told to workers (0: 10) */
	unsigned ask_period_ms;	   /* told to workers (0: 2000) */
	uint64_t max_logs_range;   /* blocks per eth_getLogs (0: 1000) */
};

/* Where the daemon writes its log lines (one line, no newline). */
typedef void (*decc_sched_log_fn)(void *ctx, const char *line);

/*
 * Run the scheduler until *stop becomes non-zero (set it from a signal handler). Returns 0
 * after a clean stop, or a negative code when it could not start (database, listen port,
 * chain unreachable at start, wallet not the workerpool owner).
 */
DECC_EXTERN DECC_MUST_USE int decc_sched_run(const struct decc_sched_config *cfg,
					     volatile sig_atomic_t *stop, decc_sched_log_fn log,
					     void *log_ctx);

#endif
