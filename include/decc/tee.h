/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TEE path (ARCHITECTURE.md §6, reference offchain.md §3–§5): attestation, the session the
 * SMS releases to an attested enclave, pre-compute, post-compute and the `decc enclave` flow.
 *
 * Attestation goes through struct decc_tee_platform. The only backend here is SIMULATED: a
 * platform key (secp256k1) in a file signs the quote. It proves nothing about hardware and is
 * for development only; a hardware backend (TDX quote + DCAP verification) plugs into the same
 * two operations.
 *
 * The session travels sealed to the enclave's ephemeral key: ECDH (secp256k1) with a fresh SMS
 * key, HKDF-SHA256 into an AES-256-CBC key and an HMAC-SHA256 key, encrypt-then-MAC.
 */
#ifndef DECC_TEE_H
#define DECC_TEE_H

#include "decc/address.h"

/* ---- quotes ---- */

#define DECC_TEE_QUOTE_VERSION 1
/* version (1) ‖ measurement (32) ‖ taskid (32) ‖ ephemeral public key X‖Y (64) ‖ nonce (32) */
#define DECC_TEE_QUOTE_BODY_LEN 161
/* body ‖ signature (65: r ‖ s ‖ v, v = 27/28) */
#define DECC_TEE_QUOTE_LEN (DECC_TEE_QUOTE_BODY_LEN + 65)

struct decc_tee_quote {
	uint8_t version;
	uint8_t measurement[32]; /* sha256 image digest of what the enclave runs */
	uint8_t taskid[32];
	uint8_t ephemeral_pub[64];
	uint8_t nonce[32];
	uint8_t signature[65];
};

/* The canonical bytes of a quote, and back (exact length, known version, else DECC_EINVAL). */
DECC_EXTERN void decc_tee_quote_encode(uint8_t out[DECC_TEE_QUOTE_LEN],
				       const struct decc_tee_quote *q);
DECC_EXTERN DECC_MUST_USE int decc_tee_quote_decode(struct decc_tee_quote *out, const uint8_t *p,
						    size_t n);
/* The digest a platform signs: keccak("decc-tee-quote" ‖ body). */
DECC_EXTERN void decc_tee_quote_digest(uint8_t out[32], const struct decc_tee_quote *q);

/* ---- platforms ---- */

struct decc_tee_platform {
	const char *name; /* "sim" */
	bool simulated;	  /* true: development only, no hardware guarantee */
	void *ctx;
	/* Sign q (every field but the signature set) as this platform (NULL: cannot quote). */
	int (*quote)(void *ctx, struct decc_tee_quote *q);
	/*
	 * Check q was made by a platform this verifier trusts; *platform (may be NULL) gets its
	 * identity. DECC_EAUTH when not (NULL: cannot verify).
	 */
	int (*verify)(void *ctx, const struct decc_tee_quote *q, decc_address *platform);
	void (*free)(void *ctx);
};
DECC_EXTERN void decc_tee_platform_release(struct decc_tee_platform *p);

/*
 * Simulated platform key: 32 random bytes as hex in path (mode 0600, never replaced); *addr
 * gets the platform address, the identity verifiers are configured with.
 */
DECC_EXTERN DECC_MUST_USE int decc_tee_sim_key_create(decc_address *addr, const char *path);
/* Read the address of a platform key file (a file readable by others is DECC_EAUTH). */
DECC_EXTERN DECC_MUST_USE int decc_tee_sim_key_address(decc_address *addr, const char *path);
/* A quoting platform over the key in path. */
DECC_EXTERN DECC_MUST_USE int decc_tee_sim_platform(struct decc_tee_platform *out,
						    const char *key_path);
/* A verifier trusting the n platform addresses (copied). */
DECC_EXTERN DECC_MUST_USE int decc_tee_sim_verifier(struct decc_tee_platform *out,
						    const decc_address *trusted, size_t n);

/* ---- worker authorization (WorkerpoolAuthorization) ---- */

struct decc_tee_authorization {
	uint8_t taskid[32];
	uint8_t dealid[32];
	uint64_t task_index;
	decc_address worker;
	decc_address enclave_challenge;
	uint8_t signature[65]; /* sign191(H(worker, taskid, enclaveChallenge)) by the pool owner */
};
/* {"chainTaskId","dealId","taskIndex","workerWallet","enclaveChallenge","signature":{"value"}} */
DECC_EXTERN DECC_MUST_USE int decc_tee_authorization_parse(struct decc_tee_authorization *out,
							   const char *json, size_t n);
DECC_EXTERN DECC_MUST_USE int decc_tee_authorization_json(struct decc_buf *out,
							  const struct decc_tee_authorization *a);
/* The signer of the authorization (the pool owner when it is valid). */
DECC_EXTERN DECC_MUST_USE int decc_tee_authorization_signer(decc_address *out,
							    const struct decc_tee_authorization *a);

/* ---- session request (enclave -> SMS) ---- */

struct decc_tee_session_request {
	struct decc_tee_authorization auth;
	uint8_t worker_signature[65]; /* sign191(authorization hash) by the worker wallet */
	struct decc_tee_quote quote;
};
/* {"authorization":{…},"workerSignature":"0x…","quote":"0x…"} */
DECC_EXTERN DECC_MUST_USE int
decc_tee_session_request_json(struct decc_buf *out, const struct decc_tee_session_request *r);
DECC_EXTERN DECC_MUST_USE int decc_tee_session_request_parse(struct decc_tee_session_request *out,
							     const char *json, size_t n);

/* ---- the SMS side: checks and session content ---- */

/* What the ledger says about a task (strings owned, freed by decc_tee_task_info_release). */
struct decc_tee_task_info {
	bool active; /* chain task status ACTIVE */
	uint8_t dealid[32];
	uint64_t task_index, bot_first, bot_size;
	uint8_t tag[32];
	decc_address app, dataset, workerpool_owner, requester, beneficiary, callback;
	char *params;		  /* deal params (JSON or plain args), may be NULL */
	char *app_multiaddr;	  /* the app image reference */
	uint8_t app_checksum[32]; /* registered checksum */
	uint8_t *app_mrenclave;	  /* registered mrenclave bytes (may be NULL) */
	size_t app_mrenclave_len;
	char *dataset_multiaddr; /* when dataset != 0 */
	uint8_t dataset_checksum[32];
	uint64_t max_execution_time; /* seconds: the category's work clock time ref */
	char *result_proxy;	     /* default storage proxy URL, may be NULL */
};
DECC_EXTERN void decc_tee_task_info_release(struct decc_tee_task_info *t);

/*
 * The app's expected measurement and whether it may use the network: the "fingerprint" (32
 * bytes hex) and "network" (bool) of its mrenclave JSON when it has one, else its checksum and
 * no network.
 */
DECC_EXTERN DECC_MUST_USE int decc_tee_app_policy(uint8_t fingerprint[32], bool *network,
						  const struct decc_tee_task_info *t);

enum decc_tee_secret_kind {
	DECC_TEE_SECRET_DATASET_KEY,   /* target = dataset */
	DECC_TEE_SECRET_APP_DEVELOPER, /* target = app, name "1" */
	DECC_TEE_SECRET_REQUESTER,     /* target = requester, name = secret name */
	DECC_TEE_SECRET_RESULT_KEY,    /* target = beneficiary (Base64 of a PEM) */
};

/* What the session check reads; every function returns DECC_ENOTFOUND for "absent". */
struct decc_tee_session_backend {
	void *ctx;
	int (*task)(void *ctx, struct decc_tee_task_info *out, const uint8_t taskid[32]);
	int (*secret)(void *ctx, struct decc_buf *out, enum decc_tee_secret_kind kind,
		      const decc_address *target, const char *name);
	/* The per-task enclave key the SMS generated for taskid. */
	int (*enclave_key)(void *ctx, uint8_t sk[32], const uint8_t taskid[32]);
};

/*
 * Check a session request and build the session content (JSON, into a secret buffer):
 * quote signed by a trusted platform (verifier), quote for the authorization's task, worker
 * signature, task ACTIVE on the ledger and TEE-tagged, authorization signed by the deal's
 * workerpool owner for the task's enclave challenge (address of the SMS's enclave key), quote
 * measurement = app fingerprint; then the dataset key, the requester secrets of iexec_secrets,
 * the app-developer secret and the beneficiary's result key. Refusals are DECC_EAUTH (and
 * DECC_ENOTFOUND for missing secrets) with the reason.
 */
DECC_EXTERN DECC_MUST_USE int decc_tee_session_build(struct decc_buf *session_json,
						     const struct decc_tee_platform *verifier,
						     const struct decc_tee_session_backend *b,
						     const struct decc_tee_session_request *req);

/* Seal plain to the enclave's ephemeral public key; aad (the task id) is bound by the MAC. */
DECC_EXTERN DECC_MUST_USE int decc_tee_seal(struct decc_buf *box, const uint8_t eph_pub[64],
					    const uint8_t aad[32], const uint8_t *plain, size_t n);
/* Open a sealed box (DECC_EAUTH on a wrong key, aad or any altered byte). */
DECC_EXTERN DECC_MUST_USE int decc_tee_open(struct decc_buf *plain, const uint8_t eph_sk[32],
					    const uint8_t aad[32], const uint8_t *box, size_t n);

/* ---- the session as the enclave reads it ---- */

struct decc_tee_env {
	char **names, **values;
	size_t n;
};
/* The value of name, or NULL. */
DECC_EXTERN const char *decc_tee_env_get(const struct decc_tee_env *e, const char *name);

struct decc_tee_session {
	char *name; /* session id */
	uint8_t taskid[32];
	bool has_pre; /* a pre-compute stage is needed (dataset or input files) */
	struct decc_tee_env pre, app, post;
	char *app_image;
	uint8_t app_fingerprint[32];
	bool app_network;
	uint64_t app_max_seconds;
	char *app_args;
};
DECC_EXTERN DECC_MUST_USE int decc_tee_session_parse(struct decc_tee_session *out, const char *json,
						     size_t n);
/* Frees and wipes (values hold keys). */
DECC_EXTERN void decc_tee_session_release(struct decc_tee_session *s);

/* ---- pre-compute ---- */

struct decc_tee_fetch_opts {
	const char *store_api; /* for /ipfs/<cid> multiaddrs: the store's HTTP API */
	uint64_t max_bytes;    /* per download, 0: 1 GiB */
	unsigned timeout_s;    /* per download, 0: 300 */
};
/*
 * Run the pre-compute stage of env into in_dir: download the dataset, check its checksum
 * (0x + sha256 of the encrypted bytes), decrypt it (IV ‖ AES-256-CBC, key Base64 of 32 bytes)
 * to in_dir/<dataset address>; download the input files to in_dir/0x<sha256(url)>.
 */
DECC_EXTERN DECC_MUST_USE int decc_tee_precompute(const struct decc_tee_env *env,
						  const char *in_dir,
						  const struct decc_tee_fetch_opts *o);
/* Download url (http(s)://… or /ipfs/<cid>) to path, at most max bytes. */
DECC_EXTERN DECC_MUST_USE int decc_tee_fetch(const char *path, const char *url,
					     const struct decc_tee_fetch_opts *o);

/* ---- post-compute ---- */

/* enclaveSign = sign191(keccak(resultHash ‖ resultSeal)) with the enclave key. */
DECC_EXTERN DECC_MUST_USE int decc_tee_enclave_sign(uint8_t sig[65], const uint8_t sk[32],
						    const decc_address *worker,
						    const uint8_t taskid[32],
						    const uint8_t digest[32]);
/* Recover the signer of an enclave signature. */
DECC_EXTERN DECC_MUST_USE int decc_tee_enclave_signer(decc_address *out, const uint8_t sig[65],
						      const decc_address *worker,
						      const uint8_t taskid[32],
						      const uint8_t digest[32]);

struct decc_tee_result {
	uint8_t result_digest[32], result_hash[32], result_seal[32];
	decc_address enclave_challenge;
	uint8_t enclave_sign[65];
	bool callback;
	char *callback_data; /* callback mode */
	char *upload_path;   /* web2 mode: the zip to upload (encrypted or not) */
	bool encrypted;
	char *location; /* after upload: "/ipfs/<cid>" */
	int app_exit;
	bool app_timed_out;
};
DECC_EXTERN void decc_tee_result_release(struct decc_tee_result *r);

/*
 * Post-compute of env over out_dir (/iexec_out on this host): computed.json, digest, file
 * names, zip (and encryption) into work_dir, enclave signature. The upload is separate.
 */
DECC_EXTERN DECC_MUST_USE int decc_tee_postcompute(struct decc_tee_result *out,
						   const struct decc_tee_env *env,
						   const char *out_dir, const char *work_dir);
/* The JSON the enclave gives the worker (no secret in it). */
DECC_EXTERN DECC_MUST_USE int decc_tee_result_json(struct decc_buf *out,
						   const struct decc_tee_result *r);
/* And back (the worker reads it): digests, challenge, signature, location, callback data. */
DECC_EXTERN DECC_MUST_USE int decc_tee_result_parse(struct decc_tee_result *out, const char *json,
						    size_t n);

/* ---- the enclave ---- */

/* How the enclave runs the app (the nested sandbox; tests plug their own). */
struct decc_tee_app_spec {
	const char *image;
	char *const *env; /* "NAME=VALUE", NULL-terminated */
	const char *args; /* iexec_args, tokenized like a shell line by the runner */
	const char *in_dir, *out_dir;
	bool network;
	uint64_t max_seconds;
};
struct decc_tee_app_runner {
	void *ctx;
	/* Digest of the image (its measurement). */
	int (*measure)(void *ctx, uint8_t out[32], const char *image);
	/* Run it; *exit_code gets its status, *timed_out whether the time limit stopped it. */
	int (*run)(void *ctx, int *exit_code, bool *timed_out, const struct decc_tee_app_spec *s);
};

/* POST body (JSON) to url; append the answer to resp, *status the HTTP status. */
typedef int (*decc_tee_post_fn)(void *ctx, struct decc_buf *resp, unsigned *status, const char *url,
				const char *body, size_t n);
/* The default: libcurl. */
DECC_EXTERN int decc_tee_http_post(void *ctx, struct decc_buf *resp, unsigned *status,
				   const char *url, const char *body, size_t n);

struct decc_tee_enclave_opts {
	const char *sms_url;   /* the SMS base URL; the session is POST <sms>/tee/session */
	const char *store_api; /* the store API (dataset download and result upload) */
	const char *work_dir;  /* private: iexec_in, iexec_out, post are made under it */
	const char *image;     /* the app image given by the worker */
	const struct decc_tee_platform *platform;
	const struct decc_tee_app_runner *runner;
	struct decc_tee_authorization auth;
	uint8_t worker_signature[65];
	decc_tee_post_fn post; /* NULL: decc_tee_http_post */
	void *post_ctx;
	/* Optional progress lines (no secret in them). */
	void (*log)(void *ctx, const char *line);
	void *log_ctx;
	/* Optional, DECC_TEE_CAUSE_MAX bytes: on failure, the ReplicateStatusCause name. */
	char *cause;
};
#define DECC_TEE_CAUSE_MAX 96

/*
 * attest -> session -> pre-compute -> app -> post-compute -> upload. On success out holds what
 * the worker contributes; plaintext stays under work_dir (the sandbox's tmpfs).
 */
DECC_EXTERN DECC_MUST_USE int decc_tee_enclave_run(struct decc_tee_result *out,
						   const struct decc_tee_enclave_opts *o);

#endif
