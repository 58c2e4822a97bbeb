/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Secret Management Service: `decc sms` (docs/cmd/decc-sms.md) and its client
 * (`decc secret`, docs/cmd/decc-secret.md). Same HTTP paths, headers, bodies and answers as
 * iExec's SMS, so the iexec SDK can push to it.
 *
 * Secrets and who may push them (each push is signed, EIP-191, over the challenge below):
 *  - web3: a dataset key, by dataset address; signer = owner() of the dataset contract.
 *  - web2: owner-scoped named secrets (e.g. the result-encryption public key); signer = the
 *    owner address itself. The only kind that can be updated (PUT), as in iExec.
 *  - app: the app-developer secret (index "1"); signer = owner() of the app contract.
 *  - requester: named requester secrets; signer = the requester address itself.
 *
 * challenge = keccak256(keccak256("IEXEC_SMS_DOMAIN") ‖ target (20 bytes) [‖ keccak256(name)]
 *             ‖ keccak256(value)); the name part is absent for web3 and is "1" for app.
 *
 * Storage: SQLite (DIR/sms.db, WAL, synchronous=FULL), each value encrypted with AES-256-CBC
 * (random IV) then MACed with HMAC-SHA256 under keys derived from the master key file
 * (DIR/master.key, 0600, created on first start). The MAC binds the row's identity (kind,
 * target, name), so rows cannot be swapped.
 *
 * The TEE release (reference offchain.md §3–§4, ARCHITECTURE.md §6): POST /tee/challenges/{taskId}
 * makes (once) the task's enclave challenge key, answered by its address only; POST /tee/session
 * checks an enclave's quote and worker authorization (decc_tee_session_build) and answers the
 * session sealed to the quote's ephemeral key. No endpoint answers a secret in the clear.
 */
#ifndef DECC_SMS_H
#define DECC_SMS_H

#include "decc/address.h"
#include "decc/tee.h"

#define DECC_SMS_DOMAIN "IEXEC_SMS_DOMAIN"
#define DECC_SMS_SECRET_MAX 4096      /* bytes of one secret value */
#define DECC_SMS_NAME_MAX 256	      /* bytes of a web2 secret name */
#define DECC_SMS_REQUESTER_KEY_MAX 64 /* requester secret keys: [A-Za-z0-9_-]{1,64} */
#define DECC_SMS_TARGET_MAX 32	      /* a target is an address (20) or, later, a task id (32) */
#define DECC_SMS_APP_SECRET_INDEX "1"
#define DECC_SMS_RESULT_KEY_NAME "iexec-result-encryption-public-key"
#define DECC_SMS_DEFAULT_URL "http://127.0.0.1:13300"
#define DECC_SMS_SESSION_REQUEST_MAX 4096 /* bytes of a POST /tee/session body */

/* Kinds of secrets. The numbers are stored in the database: never renumber. */
enum decc_sms_kind {
	DECC_SMS_WEB3 = 1,	  /* dataset key: target = dataset, name = "" */
	DECC_SMS_WEB2 = 2,	  /* owner-scoped: target = owner, name */
	DECC_SMS_APP = 3,	  /* app-developer secret: target = app, name = "1" */
	DECC_SMS_REQUESTER = 4,	  /* requester secret: target = requester, name = key */
	DECC_SMS_ENCLAVE_KEY = 5, /* per-task enclave challenge key: target = task id, name = "" */
				  /* 6..: reserved */
};

/* The identity of a stored secret. */
struct decc_sms_id {
	enum decc_sms_kind kind;
	uint8_t target[DECC_SMS_TARGET_MAX];
	size_t target_len;
	char name[DECC_SMS_NAME_MAX + 1];
};

/* An id for an address target (name may be NULL for ""; DECC_EINVAL if it is too long). */
DECC_EXTERN DECC_MUST_USE int decc_sms_id_init(struct decc_sms_id *out, enum decc_sms_kind kind,
					       const decc_address *target, const char *name);

/* An id for a task target (32 bytes; name ""). */
DECC_EXTERN void decc_sms_id_init_task(struct decc_sms_id *out, enum decc_sms_kind kind,
				       const uint8_t taskid[32]);

/* ---- authorization (pure) ---- */

/* The challenge of a push (see above); name is ignored for web3. */
DECC_EXTERN void decc_sms_challenge(uint8_t out[32], enum decc_sms_kind kind,
				    const decc_address *target, const char *name, size_t name_len,
				    const uint8_t *value, size_t value_len);
/* EIP-191 signature of the challenge (what goes into the Authorization header). */
DECC_EXTERN DECC_MUST_USE int decc_sms_sign(uint8_t sig[65], const uint8_t challenge[32],
					    const uint8_t sk[32]);
/* The signer of an Authorization header value ("0x" + 130 hex digits). */
DECC_EXTERN DECC_MUST_USE int decc_sms_recover(decc_address *out, const uint8_t challenge[32],
					       const char *authorization);
/* [A-Za-z0-9_-]{1,64} */
DECC_EXTERN bool decc_sms_requester_key_valid(const char *key);

/* ---- requests (pure parsing, shared by the server and the fuzz target) ---- */

/* One HTTP request as the server received it. */
struct decc_sms_http_request {
	const char *method;
	const char *path;	    /* decoded path, without the query */
	const char *secret_address; /* query parameters; NULL when absent */
	const char *owner_address;
	const char *secret_name;
	const char *authorization; /* header; NULL when absent */
	const uint8_t *body;
	size_t body_len;
	bool body_truncated; /* the server stopped reading: the body is over the limit */
};

enum decc_sms_op_kind {
	DECC_SMS_OP_PUSH,   /* POST: create, write-once */
	DECC_SMS_OP_UPDATE, /* PUT (web2 only): replace an existing secret */
	DECC_SMS_OP_CHECK,  /* HEAD: does it exist */
	DECC_SMS_OP_HEALTH,
	DECC_SMS_OP_METRICS,
	DECC_SMS_OP_CHALLENGE, /* POST /tee/challenges/{taskId}: the task's enclave challenge */
	DECC_SMS_OP_SESSION,   /* POST /tee/session: an enclave asks for its session */
};

struct decc_sms_op {
	enum decc_sms_op_kind op;
	struct decc_sms_id id;
	decc_address target;
	const char *authorization; /* borrowed from the request */
	const uint8_t *value;	   /* borrowed from the request */
	size_t value_len;
	bool compute;	    /* /apps and /requesters: errors as {"error":[…]} */
	uint8_t taskid[32]; /* DECC_SMS_OP_CHALLENGE */
};

/*
 * Route and validate a request. On failure *status gets the HTTP answer (400 bad parameter or
 * body, 404 unknown path, 405 wrong method, 413 value over DECC_SMS_SECRET_MAX or a session
 * request over DECC_SMS_SESSION_REQUEST_MAX) and the message says why; on success *status is
 * 0. A session request's body is borrowed in value/value_len, parsed by the service.
 */
DECC_EXTERN DECC_MUST_USE int decc_sms_request_parse(struct decc_sms_op *out, unsigned *status,
						     const struct decc_sms_http_request *req);

/* ---- the store ---- */

struct decc_sms_store;

/*
 * Load the master key from path, or create it (32 random bytes as hex, mode 0600, written
 * atomically) when it does not exist; *created (may be NULL) says which. A key file readable
 * or writable by group or others is refused (DECC_EAUTH).
 */
DECC_EXTERN DECC_MUST_USE int decc_sms_master_key_load(uint8_t key[32], bool *created,
						       const char *path);

/*
 * Open (creating) the database at path. A database made under another master key is refused
 * (DECC_EAUTH). The master key is copied into wiped memory.
 */
DECC_EXTERN DECC_MUST_USE int decc_sms_store_open(struct decc_sms_store **out, const char *path,
						  const uint8_t master[32]);
DECC_EXTERN void decc_sms_store_free(struct decc_sms_store *s);

enum decc_sms_put_mode {
	DECC_SMS_PUT_CREATE, /* DECC_EEXISTS when the secret exists */
	DECC_SMS_PUT_UPDATE, /* DECC_ENOTFOUND when it does not */
};

/*
 * Store value (1..DECC_SMS_SECRET_MAX bytes) under id, recording the signer and the challenge
 * that authorized it. Every challenge is accepted once: an authorization already used (the
 * replay of an older update) is DECC_EEXISTS. Nothing changes on failure.
 */
DECC_EXTERN DECC_MUST_USE int decc_sms_store_put(struct decc_sms_store *s,
						 const struct decc_sms_id *id,
						 enum decc_sms_put_mode mode, const uint8_t *value,
						 size_t n, const decc_address *signer,
						 const uint8_t challenge[32]);
DECC_EXTERN DECC_MUST_USE int decc_sms_store_exists(struct decc_sms_store *s, bool *out,
						    const struct decc_sms_id *id);
/*
 * Decrypt a secret into out (make it a secret buffer). DECC_ENOTFOUND if absent, DECC_EAUTH
 * if the row fails its MAC (altered, or moved from another identity).
 */
DECC_EXTERN DECC_MUST_USE int decc_sms_store_get(struct decc_sms_store *s, struct decc_buf *out,
						 const struct decc_sms_id *id);
/* Number of stored secrets. */
DECC_EXTERN DECC_MUST_USE int decc_sms_store_count(struct decc_sms_store *s, uint64_t *out);

/* ---- the service (HTTP-independent request handling) ---- */

/*
 * Who owns an asset (web3: a dataset, app: an app), read from the ledger. DECC_ENOTFOUND when
 * the address is not a registered asset of that kind; another code when the ledger cannot be
 * read.
 */
typedef int (*decc_sms_owner_fn)(void *ctx, decc_address *owner, enum decc_sms_kind kind,
				 const decc_address *asset);

/*
 * What the ledger says about a task and its deal, app, dataset and category (the TEE
 * release reads it). DECC_ENOTFOUND when the task is not on the ledger (not initialized).
 */
typedef int (*decc_sms_task_fn)(void *ctx, struct decc_tee_task_info *out,
				const uint8_t taskid[32]);

struct decc_sms_service_config {
	struct decc_sms_store *store; /* borrowed */
	decc_sms_owner_fn owner;
	void *owner_ctx;
	uint64_t max_secrets; /* 0: 1000000 */
	/* The TEE release; task NULL: the /tee endpoints answer 501. */
	decc_sms_task_fn task;
	void *task_ctx;
	/* Attestation verifier (borrowed); NULL: every session request is refused. */
	const struct decc_tee_platform *verifier;
	/* Default result storage proxy given to post-compute (may be NULL). */
	const char *result_proxy;
};

struct decc_sms_service;

DECC_EXTERN DECC_MUST_USE int decc_sms_service_new(struct decc_sms_service **out,
						   const struct decc_sms_service_config *cfg);
DECC_EXTERN void decc_sms_service_free(struct decc_sms_service *s);

struct decc_sms_response {
	unsigned status;
	const char *content_type; /* static string */
	struct decc_buf body;	  /* release with decc_buf_release */
};

/*
 * Answer one request. Refusals are answers (4xx with the reason in the body), not failures;
 * a negative code only when the answer cannot be built. resp->body is initialised here.
 */
DECC_EXTERN DECC_MUST_USE int decc_sms_handle(struct decc_sms_service *s,
					      struct decc_sms_response *resp,
					      const struct decc_sms_http_request *req);
/* Prometheus text of the service's counters. */
DECC_EXTERN DECC_MUST_USE int decc_sms_metrics(struct decc_sms_service *s, struct decc_buf *out);

/* The ledger view of the daemon: decc_sms_owner_fn over the chain client (rpc + hub). */
struct decc_sms_ledger;
DECC_EXTERN DECC_MUST_USE int decc_sms_ledger_new(struct decc_sms_ledger **out, const char *rpc_url,
						  const decc_address *hub);
DECC_EXTERN void decc_sms_ledger_free(struct decc_sms_ledger *l);
/* ctx is a struct decc_sms_ledger; thread-safe (calls are serialized). */
DECC_EXTERN int decc_sms_ledger_owner(void *ctx, decc_address *owner, enum decc_sms_kind kind,
				      const decc_address *asset);
/*
 * decc_sms_task_fn over the chain: viewTask, viewDeal, the app and dataset entries and the
 * category (ctx is a struct decc_sms_ledger; thread-safe).
 */
DECC_EXTERN int decc_sms_ledger_task(void *ctx, struct decc_tee_task_info *out,
				     const uint8_t taskid[32]);

/* ---- the server: `decc sms` ---- */

struct decc_sms_server_opts {
	const char *data_dir; /* master.key and sms.db; created 0700 */
	const char *host;     /* listen address, e.g. "127.0.0.1" */
	uint16_t port;	      /* 0: a free port chosen by the system */
	decc_sms_owner_fn owner;
	void *owner_ctx;
	uint64_t max_secrets;	  /* 0: 1000000 */
	unsigned max_connections; /* 0: 256 */
	decc_sms_task_fn task;	  /* the TEE release, as in decc_sms_service_config */
	void *task_ctx;
	const struct decc_tee_platform *verifier;
	const char *result_proxy;
	/* Optional: one line per request and event (no trailing newline). */
	void (*log)(void *ctx, const char *line);
	void *log_ctx;
};

struct decc_sms_server;

DECC_EXTERN DECC_MUST_USE int decc_sms_server_start(struct decc_sms_server **out,
						    const struct decc_sms_server_opts *o);
DECC_EXTERN uint16_t decc_sms_server_port(const struct decc_sms_server *srv);
/* true when the master key was created by this start. */
DECC_EXTERN bool decc_sms_server_created_key(const struct decc_sms_server *srv);
/* Stop accepting, finish the requests in flight, close the store, free. NULL is fine. */
DECC_EXTERN void decc_sms_server_stop(struct decc_sms_server *srv);

/* ---- the client (libcurl) ---- */

/*
 * Push a secret: computes the challenge, signs it with sk and sends it. web2 with update true
 * uses PUT. For web3, name is ignored; for app it must be NULL or "1". A refusal is
 * DECC_EAUTH (401: not the owner), DECC_EEXISTS (409), DECC_ENOTFOUND (404), DECC_ELIMIT
 * (413), DECC_EINVAL (400), with the SMS's reason; DECC_ERROR for transport failures.
 */
DECC_EXTERN DECC_MUST_USE int decc_sms_client_push(const char *sms_url, enum decc_sms_kind kind,
						   const decc_address *target, const char *name,
						   const uint8_t *value, size_t n, bool update,
						   const uint8_t sk[32]);
/*
 * POST /tee/challenges/{taskId} signed with sk (the workerpool owner's): *out gets the task's
 * enclave challenge address. Refusals as decc_sms_client_push.
 */
DECC_EXTERN DECC_MUST_USE int decc_sms_client_challenge(const char *sms_url, decc_address *out,
							const uint8_t taskid[32],
							const uint8_t sk[32]);
/* HEAD: *exists gets whether the SMS has the secret. */
DECC_EXTERN DECC_MUST_USE int decc_sms_client_check(const char *sms_url, bool *exists,
						    enum decc_sms_kind kind,
						    const decc_address *target, const char *name);

#endif
