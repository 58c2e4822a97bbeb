/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decc worker: logs in to its scheduler (signed challenge), pings, pulls work, runs each task
 * through a runner, computes the result digest (offchain.md §1.4), sends its own chain
 * transactions (contribute, reveal) and reports every step to the scheduler.
 */
#ifndef DECC_WORKER_H
#define DECC_WORKER_H

#include <signal.h>

#include "decc/address.h"
#include "decc/tee.h"

/* What a runner is asked to run: one app, for one task. */
struct decc_worker_job {
	const char *app_multiaddr;    /* the app's registered multiaddr */
	const uint8_t *app_checksum;  /* 32 bytes, the registered checksum (may be zero) */
	const char *const *args;      /* NULL-terminated, from iexec_args */
	const char *const *env;	      /* NULL-terminated "IEXEC_...=value" */
	const char *in_dir, *out_dir; /* host dirs seen by the app as /iexec_in, /iexec_out */
	const char *stdout_path;      /* host files receiving the app's output */
	const char *stderr_path;
	uint64_t timeout_s; /* category maxExecutionTime */
	/* TEE runners: the task, the scheduler's authorization and the worker's signature of it */
	const uint8_t *taskid;			   /* 32 bytes */
	const struct decc_tee_authorization *auth; /* NULL for standard tasks */
	const uint8_t *worker_signature;	   /* 65 bytes: sign191(auth hash), worker key */
	const char *app_image;			   /* = app_multiaddr */
	const char *args_text; /* iexec_args as the deal gives it (args is it split) */
	const char *store_url; /* the worker's store API (images, results); may be NULL */
};

struct decc_worker_run_result {
	int exit_code; /* -1 when killed */
	bool timed_out;
	/*
	 * TEE runners: what the enclave returned (result digest, hash, seal, enclave challenge
	 * and signature, location). The worker sends contributeAndFinalize with it and releases
	 * it. cause/error: the ReplicateStatusCause name and message when the enclave failed.
	 */
	struct decc_tee_result tee;
	char cause[64];
	char error[512];
};

/*
 * How a task is run. Standard runners (tee false) run the app in a sandbox with no key of the
 * worker; a TEE runner (tee true, the enclave) will also produce the enclave signature.
 */
struct decc_worker_runner {
	const char *name;
	bool tee;
	void *ctx;
	/* Is the app available here? DECC_ENOTFOUND when it is not (APP_IMAGE_DOWNLOAD_FAILED). */
	int (*prepare)(void *ctx, const struct decc_worker_job *job);
	/* Run it: 0 when it ran (whatever its exit code), negative when it could not start. */
	int (*run)(void *ctx, struct decc_worker_run_result *res,
		   const struct decc_worker_job *job);
	void (*free)(void *ctx);
};

/*
 * The interim standard runner, until the OCI runner lands: the app is a local executable in
 * apps_dir whose sha256 equals the app's registered checksum (or, for a zero checksum, whose
 * name is the multiaddr's last path segment); it runs under bubblewrap with the host's /usr
 * read-only, /iexec_in read-only, /iexec_out writable, every namespace unshared (no
 * network), an empty environment except the IEXEC_* variables, and a wall-clock limit.
 */
DECC_EXTERN DECC_MUST_USE int decc_worker_runner_local(struct decc_worker_runner *out,
						       const char *apps_dir);

/*
 * The OCI runner (the default): the app multiaddr is /ipfs/CID of an image archive (decc image
 * build), downloaded from the store (store_url, else the job's) into cache_dir, its image
 * digest checked against the registered checksum (zero: refused), run with decc_iapp_run.
 */
DECC_EXTERN DECC_MUST_USE int decc_worker_runner_oci(struct decc_worker_runner *out,
						     const char *cache_dir, const char *store_url);

/* The TEE runner (src/worker/runner_tee.c): `decc enclave` in a sandbox (E3). */
struct decc_worker_tee_opts {
	const char *decc_bin;	  /* the decc binary that runs as the enclave (bound read-only) */
	const char *sms_url;	  /* the SMS giving the sessions */
	const char *store_url;	  /* store API (image download, result upload); NULL: the job's */
	const char *platform_key; /* simulated platform key file (0600) */
	const char *cache_dir;	  /* downloaded app images */
	const char *work_dir;	  /* a private dir per task is made (and removed) here */
};
/*
 * prepare: the app image (/ipfs/CID from the store) into cache_dir, its digest checked against
 * the registered checksum (DECC_ENOTFOUND otherwise). run: `decc enclave` under
 * decc_sandbox_run (NESTABLE | NETWORK; host /usr, the decc binary, the image, the
 * authorization and the platform key read-only; a tmpfs /work); its result JSON goes to
 * res->tee (exit_code: the app's), a failure to res->cause/error with a non-zero exit_code.
 */
DECC_EXTERN DECC_MUST_USE int decc_worker_runner_tee(struct decc_worker_runner *out,
						     const struct decc_worker_tee_opts *o);

/* Split iexec_args into words: blanks separate, '...' and "..." group, \ escapes. */
DECC_EXTERN DECC_MUST_USE int decc_worker_split_args(char ***out, size_t *n, const char *s);
DECC_EXTERN void decc_worker_strv_free(char **v);

struct decc_worker_config {
	const char *scheduler_url;
	const uint8_t *sk; /* 32 bytes */
	unsigned slots;	   /* tasks at a time (0: 1) */
	const char *work_dir;
	const struct decc_worker_runner *runner;     /* standard tasks */
	const struct decc_worker_runner *tee_runner; /* TEE tasks; NULL: this worker has none */
	/* Store API (IPFS HTTP API) receiving the zipped results of standard tasks; NULL: the
	 * scheduler's "storeUrl", none when it has none (then no result location on chain). */
	const char *store_url;
};

typedef void (*decc_worker_log_fn)(void *ctx, const char *line);

/* Run until *stop becomes non-zero. Negative when it could not start (scheduler, chain). */
DECC_EXTERN DECC_MUST_USE int decc_worker_run(const struct decc_worker_config *cfg,
					      volatile sig_atomic_t *stop, decc_worker_log_fn log,
					      void *log_ctx);

#endif
