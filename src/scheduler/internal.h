/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the scheduler: the status enums (names as iexec-core spells them), the SQLite store
 * (store.c, the only file with sqlite3.h), the chain seen through a small table of operations
 * (chainops.c over decc_chain; tests plug a fake), the state machine (core.c, no I/O of its
 * own: time is passed in), the HTTP API (http.c) and its pure request parsers (parse.c).
 */
#ifndef DECC_SCHEDULER_INTERNAL_H
#define DECC_SCHEDULER_INTERNAL_H

#include <pthread.h>

#include "decc/address.h"
#include "decc/buf.h"
#include "decc/scheduler.h"

/* ---- statuses (offchain.md §2.2, §2.3): the enum order is iexec-core's ordinal order ---- */
enum sched_task_status {
	T_RECEIVED,
	T_INITIALIZING,
	T_INITIALIZED,
	T_INITIALIZE_FAILED,
	T_RUNNING,
	T_RUNNING_FAILED,
	T_CONTRIBUTION_TIMEOUT,
	T_CONSENSUS_REACHED,
	T_REOPENING,
	T_REOPENED,
	T_REOPEN_FAILED,
	T_AT_LEAST_ONE_REVEALED,
	T_RESULT_UPLOADING,
	T_RESULT_UPLOADED,
	T_RESULT_UPLOAD_TIMEOUT,
	T_FINALIZING,
	T_FINALIZED,
	T_FINALIZE_FAILED,
	T_FINAL_DEADLINE_REACHED,
	T_COMPLETED,
	T_FAILED,
	T_COUNT
};

enum sched_repl_status {
	R_CREATED,
	R_STARTING,
	R_START_FAILED,
	R_STARTED,
	R_APP_DOWNLOADING,
	R_APP_DOWNLOAD_FAILED,
	R_APP_DOWNLOADED,
	R_DATA_DOWNLOADING,
	R_DATA_DOWNLOAD_FAILED,
	R_DATA_DOWNLOADED,
	R_COMPUTING,
	R_COMPUTE_FAILED,
	R_COMPUTED,
	R_CONTRIBUTING,
	R_CONTRIBUTE_FAILED,
	R_CONTRIBUTED,
	R_REVEALING,
	R_REVEAL_FAILED,
	R_REVEALED,
	R_RESULT_UPLOAD_REQUESTED,
	R_RESULT_UPLOADING,
	R_RESULT_UPLOAD_FAILED,
	R_RESULT_UPLOADED,
	R_CONTRIBUTE_AND_FINALIZE_ONGOING,
	R_CONTRIBUTE_AND_FINALIZE_FAILED,
	R_CONTRIBUTE_AND_FINALIZE_DONE,
	R_COMPLETING,
	R_COMPLETE_FAILED,
	R_COMPLETED,
	R_FAILED,
	R_ABORTED,
	R_RECOVERING,
	R_WORKER_LOST,
	R_COUNT
};

enum sched_notice {
	N_PLEASE_CONTINUE,
	N_PLEASE_WAIT,
	N_PLEASE_START,
	N_PLEASE_DOWNLOAD_APP,
	N_PLEASE_DOWNLOAD_DATA,
	N_PLEASE_COMPUTE,
	N_PLEASE_CONTRIBUTE,
	N_PLEASE_REVEAL,
	N_PLEASE_UPLOAD,
	N_PLEASE_CONTRIBUTE_AND_FINALIZE,
	N_PLEASE_COMPLETE,
	N_PLEASE_ABORT,
	N_COUNT
};

const char *sched_task_status_name(int s);
const char *sched_repl_status_name(int s);
const char *sched_notice_name(int n);
int sched_task_status_parse(const char *s);	 /* -1 if unknown */
int sched_repl_status_parse(const char *s);	 /* -1 if unknown */
bool sched_cause_valid(const char *s);		 /* a ReplicateStatusCause name (offchain.md §9) */
bool sched_repl_failed(int s);			 /* a *_FAILED status, FAILED or ABORTED */
bool sched_repl_final(int s);			 /* COMPLETED, FAILED, ABORTED */
bool sched_task_final(int s);			 /* COMPLETED, FAILED */
bool sched_repl_transition_ok(int from, int to); /* ReplicateWorkflow */
int sched_next_action(int status, bool tee_fast, const char *cause); /* getNextAction */

/* ---- store ---- */
#define SCHED_CAUSE_MAX 96
#define SCHED_LINK_MAX 1024

struct sched_task {
	uint8_t id[32];
	uint8_t deal[32];
	uint64_t idx;
	int status;
	uint64_t trust;
	uint8_t tag[32];
	uint64_t timeref;
	uint64_t contribution_deadline, reveal_deadline, final_deadline;
	uint8_t consensus[32];
	bool has_challenge;
	decc_address challenge;
	decc_address callback;
	char cause[SCHED_CAUSE_MAX];
	uint64_t updated;
};

struct sched_repl {
	uint8_t task[32];
	decc_address worker;
	int status;
	int lost_from;	  /* status before WORKER_LOST */
	bool verified;	  /* the chain holds this worker's contribution */
	uint8_t hash[32]; /* its resultHash, when verified */
	int chain_status; /* contribution status on chain (1 contributed, 2 proved, 3 rejected) */
	uint64_t created;
	char cause[SCHED_CAUSE_MAX];
	char result_link[SCHED_LINK_MAX];
	char callback_data[SCHED_LINK_MAX];
};

struct sched_worker {
	decc_address addr;
	uint64_t last_ping;
	uint64_t weight; /* max(score/3, 3) - 1 */
	uint64_t slots;
	bool tee; /* may take TEE tasks */
};

struct sched_store;
int sched_store_open(struct sched_store **out, const char *path);
void sched_store_close(struct sched_store *s);
int sched_store_begin(struct sched_store *s);
int sched_store_commit(struct sched_store *s);
void sched_store_rollback(struct sched_store *s);
bool sched_store_in_transaction(struct sched_store *s);
int sched_store_cursor(struct sched_store *s, uint64_t *out, bool *found);
int sched_store_set_cursor(struct sched_store *s, uint64_t next_block);
int sched_store_deal_seen(struct sched_store *s, bool *out, const uint8_t deal[32]);
int sched_store_deal_add(struct sched_store *s, const uint8_t deal[32], const char *note);
int sched_store_task_put(struct sched_store *s, const struct sched_task *t);
int sched_store_task_get(struct sched_store *s, struct sched_task *out, const uint8_t id[32]);
/* Tasks not COMPLETED/FAILED (all tasks when all), caller frees *out. */
int sched_store_tasks(struct sched_store *s, struct sched_task **out, size_t *n, bool all);
int sched_store_repl_put(struct sched_store *s, const struct sched_repl *r);
int sched_store_repl_get(struct sched_store *s, struct sched_repl *out, const uint8_t task[32],
			 const decc_address *w);
int sched_store_repls(struct sched_store *s, struct sched_repl **out, size_t *n,
		      const uint8_t task[32]);
int sched_store_repls_of(struct sched_store *s, struct sched_repl **out, size_t *n,
			 const decc_address *w);
int sched_store_worker_put(struct sched_store *s, const struct sched_worker *w);
int sched_store_worker_get(struct sched_store *s, struct sched_worker *out, const decc_address *a);
int sched_store_workers(struct sched_store *s, struct sched_worker **out, size_t *n);
int sched_store_log(struct sched_store *s, const uint8_t task[32], uint64_t time, const char *text);
/* Append the log lines of a task to out as a JSON array of {"time","text"}. */
int sched_store_logs_json(struct sched_store *s, struct decc_buf *out, const uint8_t task[32]);

/* ---- the chain, as the state machine sees it ---- */
struct sched_deal {
	bool exists;
	uint64_t trust, bot_first, bot_size, start_time, timeref;
	uint8_t tag[32];
	decc_address callback;
	decc_address workerpool;
};
struct sched_ctask {
	int status; /* 0 unset, 1 active, 2 revealing, 3 completed, 4 failed */
	uint64_t contribution_deadline, reveal_deadline, final_deadline;
	uint64_t reveal_counter, winner_counter;
	uint8_t consensus[32];
};
struct sched_contrib {
	int status; /* 0 unset, 1 contributed, 2 proved, 3 rejected */
	uint8_t hash[32];
};
struct sched_chain_ops {
	/* SchedulerNotice deal ids of the workerpool in [from, latest]; *next = the next block. */
	int (*notices)(void *ctx, uint8_t (**deals)[32], size_t *n, uint64_t from, uint64_t *next);
	int (*deal)(void *ctx, struct sched_deal *out, const uint8_t deal[32]);
	int (*task)(void *ctx, struct sched_ctask *out, const uint8_t task[32]);
	int (*contribution)(void *ctx, struct sched_contrib *out, const uint8_t task[32],
			    const decc_address *worker);
	int (*score)(void *ctx, uint64_t *out, const decc_address *worker);
	int (*initialize)(void *ctx, const uint8_t deal[32], uint64_t idx);
	int (*finalize)(void *ctx, const uint8_t task[32], const uint8_t *results, size_t rn,
			const uint8_t *callback, size_t cn);
	int (*reopen)(void *ctx, const uint8_t task[32]);
	/* TEE enclave challenge for a task (the SMS); NULL when there is no SMS. */
	int (*challenge)(void *ctx, decc_address *out, const uint8_t task[32]);
};

/* ---- the state machine ---- */
struct sched {
	struct sched_store *db;
	const struct sched_chain_ops *ops;
	void *ctx;
	pthread_mutex_t lock;
	uint8_t sk[32];
	decc_address me;
	decc_address workerpool;
	uint64_t worker_timeout_s;
	uint64_t start_block;
	int64_t time_offset; /* chain time - wall time (atomic), set by the daemon */
	decc_sched_log_fn log;
	void *log_ctx;
};

int sched_init(struct sched *s, struct sched_store *db, const struct sched_chain_ops *ops,
	       void *ctx, const uint8_t sk[32], const decc_address *workerpool);
void sched_release(struct sched *s);

/* Read new SchedulerNotice logs from the cursor and create the tasks of new deals. */
int sched_intake(struct sched *s, uint64_t now);
/* One pass of the task state machine and of the liveness detector. */
int sched_tick(struct sched *s, uint64_t now, uint64_t wall);

struct sched_auth {
	uint8_t task[32];
	uint8_t deal[32];
	uint64_t idx;
	decc_address worker;
	decc_address challenge;
	uint8_t sig[65];
	bool tee;
};
/* A worker asks for work: 0 with an authorization, DECC_ENOTFOUND when there is none. */
int sched_assign(struct sched *s, struct sched_auth *out, const decc_address *w, uint64_t now,
		 uint64_t wall);
int sched_ping(struct sched *s, const decc_address *w, uint64_t wall);
int sched_register(struct sched *s, const decc_address *w, uint64_t slots, bool tee, uint64_t wall);

struct sched_update {
	int status;
	char cause[SCHED_CAUSE_MAX];
	char result_link[SCHED_LINK_MAX];
	char callback_data[SCHED_LINK_MAX];
	bool has_exit_code;
	int exit_code;
	struct decc_buf stdout_tail, stderr_tail; /* compute logs, bounded */
	struct decc_buf error_message;
};
void sched_update_init(struct sched_update *u);
void sched_update_release(struct sched_update *u);
/* A worker reports a status: *http = 200/202/208, *notice = the next action. */
int sched_update_status(struct sched *s, int *http, int *notice, const uint8_t task[32],
			const decc_address *w, const struct sched_update *u, uint64_t now);
/* What the worker should do now on this task (decc's polling instead of STOMP). */
int sched_next(struct sched *s, int *notice, const uint8_t task[32], const decc_address *w);
/* The authorization of an existing replicate (recovery after a worker restart). */
int sched_authorization(struct sched *s, struct sched_auth *out, const uint8_t task[32],
			const decc_address *w);
/* JSON of a task with its replicates and logs. */
int sched_task_json(struct sched *s, struct decc_buf *out, const uint8_t task[32]);

/* ---- request parsing (parse.c, pure) ---- */
#define SCHED_MAX_BODY (256 * 1024)
#define SCHED_MAX_LOG_TAIL (100000)
int sched_parse_update(struct sched_update *out, const char *body, size_t n);
int sched_parse_signature(uint8_t sig[65], const char *body, size_t n);
/* web3j's lenient hex decoding of a string (the login quirk), keccak of the bytes. */
void sched_challenge_digest(uint8_t out[32], const char *challenge);
int sched_parse_register(uint64_t *slots, bool *tee, const char *body, size_t n);

/* ---- HTTP ---- */
struct sched_http;
int sched_http_start(struct sched_http **out, struct sched *s, const char *host, uint16_t port,
		     const char *config_json);
void sched_http_stop(struct sched_http *h);

#endif
