/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SMS request handling, independent of HTTP: route, check the value, recover the signer of
 * the challenge, compare it with the owner (the ledger for datasets and apps, the address
 * itself for web2 and requester secrets), store. Answers follow iExec's SMS: 204 stored or
 * present, 401 bad signature or not the owner, 404 absent, 409 exists (write-once), 413 too
 * large, 400 bad request; refusals carry {"error":["<reason>"]}.
 *
 * The TEE release: /tee/challenges/{taskId} (the per-task enclave key, made once, kind 5) and
 * /tee/session (decc_tee_session_build over a backend reading this service's ledger view and
 * store, the answer sealed to the quote's ephemeral key). Their refusals carry
 * {"error":"<reason>","cause":"<ReplicateStatusCause>"}, as the enclave reads them.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/hex.h"
#include "decc/sms.h"

#define DEFAULT_MAX_SECRETS 1000000
#define NKINDS 6
#define ENCLAVE_KEY_LABEL "decc-sms-enclave-key"
#define PROXY_SECRET_NAME "iexec-result-iexec-result-proxy-url"

struct decc_sms_service {
	struct decc_sms_store *store;
	decc_sms_owner_fn owner;
	void *owner_ctx;
	uint64_t max_secrets;
	decc_sms_task_fn task;
	void *task_ctx;
	const struct decc_tee_platform *verifier;
	const char *result_proxy;
	atomic_ullong nsecrets;
	atomic_ullong challenges, sessions, session_refusals;
	atomic_ullong requests, checks, pushes[NKINDS], updates;
	atomic_ullong r400, r401, r404, r405, r409, r413, r5xx;
};

int decc_sms_service_new(struct decc_sms_service **out, const struct decc_sms_service_config *cfg)
{
	struct decc_sms_service *s;
	uint64_t n = 0;

	DECC_ENSURE(cfg->store && cfg->owner, DECC_EINVAL,
		    "sms: a store and an owner lookup are "
		    "required");
	DECC_TRY(decc_sms_store_count(cfg->store, &n));
	s = calloc(1, sizeof(*s));
	if (!s)
		return decc_error_set(DECC_ENOMEM, "sms: out of memory");
	s->store = cfg->store;
	s->owner = cfg->owner;
	s->owner_ctx = cfg->owner_ctx;
	s->max_secrets = cfg->max_secrets ? cfg->max_secrets : DEFAULT_MAX_SECRETS;
	s->task = cfg->task;
	s->task_ctx = cfg->task_ctx;
	s->verifier = cfg->verifier;
	s->result_proxy = cfg->result_proxy;
	atomic_store(&s->nsecrets, n);
	*out = s;
	return 0;
}

void decc_sms_service_free(struct decc_sms_service *s)
{
	free(s);
}

static const char *kind_name(enum decc_sms_kind k)
{
	switch (k) {
	case DECC_SMS_WEB3:
		return "dataset";
	case DECC_SMS_WEB2:
		return "web2";
	case DECC_SMS_APP:
		return "app";
	case DECC_SMS_REQUESTER:
		return "requester";
	case DECC_SMS_ENCLAVE_KEY:
		return "enclave-key";
	default:
		return "unknown";
	}
}

static void count_status(struct decc_sms_service *s, unsigned status)
{
	switch (status) {
	case 400:
		atomic_fetch_add(&s->r400, 1);
		break;
	case 401:
		atomic_fetch_add(&s->r401, 1);
		break;
	case 404:
		atomic_fetch_add(&s->r404, 1);
		break;
	case 405:
		atomic_fetch_add(&s->r405, 1);
		break;
	case 409:
		atomic_fetch_add(&s->r409, 1);
		break;
	case 413:
		atomic_fetch_add(&s->r413, 1);
		break;
	default:
		if (status >= 500)
			atomic_fetch_add(&s->r5xx, 1);
		break;
	}
}

/* A refusal: {"error":["<msg>"]}. */
static int refuse(struct decc_sms_service *s, struct decc_sms_response *resp, unsigned status,
		  const char *msg)
{
	char clean[700];
	json_t *o;
	char *text;
	int r;

	/* reasons quote request bytes, which need not be text: keep printable ASCII only */
	snprintf(clean, sizeof(clean), "%s", msg);
	for (char *p = clean; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	o = json_pack("{s:[s]}", "error", clean);
	text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!text)
		return decc_error_set(DECC_ENOMEM, "sms: out of memory");
	decc_buf_reset(&resp->body);
	r = decc_buf_append_str(&resp->body, text);
	if (r == 0)
		r = decc_buf_append_byte(&resp->body, '\n');
	free(text);
	resp->status = status;
	resp->content_type = "application/json";
	count_status(s, status);
	return r;
}

static int refusef(struct decc_sms_service *s, struct decc_sms_response *resp, unsigned status,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int refusef(struct decc_sms_service *s, struct decc_sms_response *resp, unsigned status,
		   const char *fmt, ...)
{
	char msg[640];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return refuse(s, resp, status, msg);
}

static int text(struct decc_sms_response *resp, unsigned status, const char *ctype,
		const char *body, size_t n)
{
	resp->status = status;
	resp->content_type = ctype;
	decc_buf_reset(&resp->body);
	return decc_buf_append(&resp->body, body, n);
}

static unsigned store_status(int code)
{
	switch (code) {
	case DECC_EEXISTS:
		return 409;
	case DECC_ENOTFOUND:
		return 404;
	case DECC_ELIMIT:
		return 413;
	case DECC_EINVAL:
		return 400;
	default:
		return 500;
	}
}

/* Who must have signed: the ledger's owner for datasets and apps, else the target itself. */
static int expected_signer(struct decc_sms_service *s, struct decc_sms_response *resp,
			   decc_address *out, const struct decc_sms_op *op, bool *refused)
{
	char a[43];
	int r;

	*refused = false;
	if (op->id.kind != DECC_SMS_WEB3 && op->id.kind != DECC_SMS_APP) {
		*out = op->target;
		return 0;
	}
	r = s->owner(s->owner_ctx, out, op->id.kind, &op->target);
	if (r == 0)
		return 0;
	*refused = true;
	decc_address_to_checksum(a, &op->target);
	if (r == DECC_ENOTFOUND)
		return refusef(s, resp, 401, "%s is not a registered %s: %s", a,
			       kind_name(op->id.kind), decc_error_last());
	return refusef(s, resp, 502, "cannot read the owner of %s from the chain: %s", a,
		       decc_error_last());
}

static int push(struct decc_sms_service *s, struct decc_sms_response *resp,
		const struct decc_sms_op *op)
{
	uint8_t challenge[32];
	decc_address signer, owner;
	char a[43], b[43], t[43];
	bool refused;
	int r;

	decc_sms_challenge(challenge, op->id.kind, &op->target, op->id.name, strlen(op->id.name),
			   op->value, op->value_len);
	if (decc_sms_recover(&signer, challenge, op->authorization) < 0)
		return refuse(s, resp, 401, decc_error_last());
	r = expected_signer(s, resp, &owner, op, &refused);
	if (refused || r < 0)
		return r;
	if (!decc_address_eq(&signer, &owner)) {
		decc_address_to_checksum(a, &signer);
		decc_address_to_checksum(b, &owner);
		decc_address_to_checksum(t, &op->target);
		if (op->id.kind == DECC_SMS_WEB3 || op->id.kind == DECC_SMS_APP)
			return refusef(
			    s, resp, 401,
			    "signer %s is not the owner of %s %s (its owner is %s), or the "
			    "signature is for another target or value",
			    a, kind_name(op->id.kind), t, b);
		return refusef(s, resp, 401,
			       "signer %s is not %s, or the signature is for another target, name "
			       "or value",
			       a, t);
	}
	if (op->op == DECC_SMS_OP_PUSH && atomic_load(&s->nsecrets) >= s->max_secrets)
		return refusef(s, resp, 507, "the SMS holds its maximum of %llu secrets",
			       (unsigned long long)s->max_secrets);
	r = decc_sms_store_put(s->store, &op->id,
			       op->op == DECC_SMS_OP_UPDATE ? DECC_SMS_PUT_UPDATE
							    : DECC_SMS_PUT_CREATE,
			       op->value, op->value_len, &signer, challenge);
	if (r < 0)
		return refuse(s, resp, store_status(r), decc_error_last());
	if (op->op == DECC_SMS_OP_PUSH) {
		atomic_fetch_add(&s->nsecrets, 1);
		atomic_fetch_add(&s->pushes[op->id.kind % NKINDS], 1);
	} else {
		atomic_fetch_add(&s->updates, 1);
	}
	return text(resp, 204, "text/plain", "", 0);
}

/* ---- the TEE release ---- */

#define SESSION_ANSWER_MAX ((size_t)2 << 20)

/* A TEE refusal: {"error":"<reason>"[,"cause":"<ReplicateStatusCause>"]}. */
static int refuse_tee(struct decc_sms_service *s, struct decc_sms_response *resp, unsigned status,
		      const char *cause, const char *msg)
{
	char clean[700];
	json_t *o;
	char *text;
	int r;

	snprintf(clean, sizeof(clean), "%s", msg);
	for (char *p = clean; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	o = cause ? json_pack("{s:s,s:s}", "error", clean, "cause", cause)
		  : json_pack("{s:s}", "error", clean);
	text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	if (!text)
		return decc_error_set(DECC_ENOMEM, "sms: out of memory");
	decc_buf_reset(&resp->body);
	r = decc_buf_append_str(&resp->body, text);
	if (r == 0)
		r = decc_buf_append_byte(&resp->body, '\n');
	free(text);
	resp->status = status;
	resp->content_type = "application/json";
	count_status(s, status);
	return r;
}

static int refusef_tee(struct decc_sms_service *s, struct decc_sms_response *resp, unsigned status,
		       const char *cause, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int refusef_tee(struct decc_sms_service *s, struct decc_sms_response *resp, unsigned status,
		       const char *cause, const char *fmt, ...)
{
	char msg[640];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return refuse_tee(s, resp, status, cause, msg);
}

/* The stored enclave key of a task (DECC_ENOTFOUND when none was made). */
static int enclave_key_get(struct decc_sms_service *s, uint8_t sk[32], const uint8_t taskid[32])
{
	struct decc_sms_id id;
	struct decc_buf v;
	int r;

	decc_sms_id_init_task(&id, DECC_SMS_ENCLAVE_KEY, taskid);
	decc_buf_init_secret(&v, 256);
	r = decc_sms_store_get(s->store, &v, &id);
	if (r == 0 && decc_hex_decode_exact(sk, 32, decc_buf_str(&v)) < 0)
		r = decc_error_set(DECC_EAUTH,
				   "sms: the stored enclave key of the task is damaged");
	decc_buf_release(&v);
	return r;
}

/* Make and store the enclave key of a task; a concurrent maker's key wins. */
static int enclave_key_make(struct decc_sms_service *s, uint8_t sk[32], const uint8_t taskid[32],
			    const decc_address *signer)
{
	struct decc_sms_id id;
	struct decc_keccak k;
	uint8_t tag[32];
	char hex[65];
	int r;

	/* the store's "authorization used" tag: one per task, distinct from any push challenge */
	decc_keccak_init(&k);
	decc_keccak_update(&k, ENCLAVE_KEY_LABEL, strlen(ENCLAVE_KEY_LABEL));
	decc_keccak_update(&k, taskid, 32);
	decc_keccak_final(&k, tag);
	decc_sms_id_init_task(&id, DECC_SMS_ENCLAVE_KEY, taskid);
	DECC_TRY(decc_secp256k1_keygen(sk));
	decc_hex_encode(hex, sk, 32, false);
	r = decc_sms_store_put(s->store, &id, DECC_SMS_PUT_CREATE, (const uint8_t *)hex, 64, signer,
			       tag);
	decc_wipe(hex, sizeof(hex));
	if (r == 0) {
		atomic_fetch_add(&s->nsecrets, 1);
		atomic_fetch_add(&s->pushes[DECC_SMS_ENCLAVE_KEY], 1);
		return 0;
	}
	decc_wipe(sk, 32);
	if (r == DECC_EEXISTS)
		return enclave_key_get(s, sk, taskid);
	return r;
}

static int challenge(struct decc_sms_service *s, struct decc_sms_response *resp,
		     const struct decc_sms_op *op)
{
	struct decc_tee_task_info t = { 0 };
	uint8_t h[32], sk[32];
	decc_address signer, addr;
	char tid[67], a[43], b[43], line[45];
	int r;

	atomic_fetch_add(&s->challenges, 1);
	if (!s->task)
		return refuse_tee(s, resp, 501, NULL,
				  "this SMS has no TEE release (no chain view)");
	decc_hex_encode(tid, op->taskid, 32, true);
	decc_keccak256(h, op->taskid, 32);
	if (decc_sms_recover(&signer, h, op->authorization) < 0)
		return refusef_tee(s, resp, 401, NULL,
				   "%s (sign191(keccak256(taskId)) by the workerpool owner)",
				   decc_error_last());
	r = s->task(s->task_ctx, &t, op->taskid);
	if (r == DECC_ENOTFOUND)
		return refusef_tee(s, resp, 404, NULL, "task %s: %s: initialize it first", tid,
				   decc_error_last());
	if (r < 0)
		return refusef_tee(s, resp, 502, NULL, "cannot read task %s from the chain: %s",
				   tid, decc_error_last());
	if (!(t.tag[31] & 1)) {
		decc_tee_task_info_release(&t);
		return refusef_tee(s, resp, 400, NULL,
				   "task %s: its deal is not a TEE deal (tag bit 0 unset), it has "
				   "no enclave challenge",
				   tid);
	}
	if (!decc_address_eq(&signer, &t.workerpool_owner)) {
		decc_address_to_checksum(a, &signer);
		decc_address_to_checksum(b, &t.workerpool_owner);
		decc_tee_task_info_release(&t);
		return refusef_tee(s, resp, 401, NULL,
				   "signer %s is not the owner %s of the task's workerpool", a, b);
	}
	r = enclave_key_get(s, sk, op->taskid);
	if (r == DECC_ENOTFOUND) {
		bool active = t.active;

		decc_tee_task_info_release(&t);
		/* a new key only for a task that can still run */
		if (!active)
			return refusef_tee(s, resp, 409, NULL,
					   "task %s is not ACTIVE on the ledger", tid);
		if (atomic_load(&s->nsecrets) >= s->max_secrets)
			return refusef_tee(s, resp, 507, NULL,
					   "the SMS holds its maximum of %llu secrets",
					   (unsigned long long)s->max_secrets);
		r = enclave_key_make(s, sk, op->taskid, &signer);
	}
	decc_tee_task_info_release(&t);
	if (r < 0)
		return refuse_tee(s, resp, 500, NULL, decc_error_last());
	r = decc_address_from_seckey(&addr, sk);
	decc_wipe(sk, sizeof(sk));
	if (r < 0)
		return refuse_tee(s, resp, 500, NULL, decc_error_last());
	decc_address_to_checksum(a, &addr);
	snprintf(line, sizeof(line), "%s\n", a);
	return text(resp, 200, "text/plain", line, strlen(line));
}

/* ---- the session backend: the ledger view and this SMS's store ---- */

static int be_task(void *ctx, struct decc_tee_task_info *out, const uint8_t taskid[32])
{
	struct decc_sms_service *s = ctx;
	struct decc_sms_id id;
	struct decc_buf v;
	int r;

	DECC_TRY(s->task(s->task_ctx, out, taskid));
	if (out->result_proxy)
		return 0;
	/* the pool's result proxy (a web2 secret of the workerpool owner), else the default */
	decc_buf_init(&v, DECC_SMS_SECRET_MAX + 1);
	r = decc_sms_id_init(&id, DECC_SMS_WEB2, &out->workerpool_owner, PROXY_SECRET_NAME);
	if (r == 0)
		r = decc_sms_store_get(s->store, &v, &id);
	if (r == 0)
		out->result_proxy = strdup(decc_buf_str(&v));
	else if (s->result_proxy)
		out->result_proxy = strdup(s->result_proxy);
	decc_buf_release(&v);
	return 0;
}

static int be_secret(void *ctx, struct decc_buf *out, enum decc_tee_secret_kind kind,
		     const decc_address *target, const char *name)
{
	struct decc_sms_service *s = ctx;
	struct decc_sms_id id;
	enum decc_sms_kind k;

	switch (kind) {
	case DECC_TEE_SECRET_DATASET_KEY:
		k = DECC_SMS_WEB3;
		name = NULL;
		break;
	case DECC_TEE_SECRET_APP_DEVELOPER:
		k = DECC_SMS_APP;
		name = DECC_SMS_APP_SECRET_INDEX;
		break;
	case DECC_TEE_SECRET_REQUESTER:
		k = DECC_SMS_REQUESTER;
		break;
	case DECC_TEE_SECRET_RESULT_KEY:
		k = DECC_SMS_WEB2;
		break;
	default:
		return decc_error_set(DECC_EINVAL, "sms: unknown secret kind %d", (int)kind);
	}
	DECC_TRY(decc_sms_id_init(&id, k, target, name));
	return decc_sms_store_get(s->store, out, &id);
}

static int be_enclave_key(void *ctx, uint8_t sk[32], const uint8_t taskid[32])
{
	return enclave_key_get(ctx, sk, taskid);
}

/* HTTP status and TeeSessionGenerationError cause of a session refusal. */
static unsigned session_refusal(const char **cause, int code, const char *msg)
{
	switch (code) {
	case DECC_EAUTH:
		*cause = "TEE_SESSION_GENERATION_INVALID_AUTHORIZATION";
		return 401;
	case DECC_ENOTFOUND:
		if (strstr(msg, "dataset key"))
			*cause = "TEE_SESSION_GENERATION_PRE_COMPUTE_GET_DATASET_SECRET_FAILED";
		else if (strstr(msg, "result encryption key"))
			*cause = "TEE_SESSION_GENERATION_POST_COMPUTE_GET_ENCRYPTION_TOKENS_FAILED_"
				 "EMPTY_BENEFICIARY_KEY";
		else
			*cause = "TEE_SESSION_GENERATION_SECURE_SESSION_GENERATION_FAILED";
		return 404;
	case DECC_EINVAL:
		*cause = strstr(msg, "mrenclave")
			     ? "TEE_SESSION_GENERATION_APP_COMPUTE_INVALID_ENCLAVE_CONFIG"
			     : "TEE_SESSION_GENERATION_SECURE_SESSION_GENERATION_FAILED";
		return 400;
	case DECC_ELIMIT:
		*cause = "TEE_SESSION_GENERATION_SECURE_SESSION_GENERATION_FAILED";
		return 413;
	default:
		*cause = strstr(msg, "reading the task")
			     ? "TEE_SESSION_GENERATION_GET_TASK_DESCRIPTION_FAILED"
			     : "TEE_SESSION_GENERATION_UNKNOWN_ISSUE";
		return strstr(msg, "reading the task") ? 502 : 500;
	}
}

/* {"sessionId":"<name>","box":"<Base64 of the sealed session>"} */
static int session_answer(struct decc_sms_response *resp, const struct decc_buf *json,
			  const struct decc_buf *b64)
{
	json_t *sj = json_loadb((const char *)json->data, json->len, 0, NULL);
	json_t *name = json_object_get(sj, "name");
	json_t *o = json_pack("{s:s,s:s%}", "sessionId",
			      json_is_string(name) ? json_string_value(name) : "", "box",
			      (const char *)b64->data, b64->len);
	char *t = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	int r;

	json_decref(sj);
	json_decref(o);
	if (!t)
		return decc_error_set(DECC_ENOMEM, "sms: out of memory");
	decc_buf_release(&resp->body);
	decc_buf_init(&resp->body, SESSION_ANSWER_MAX);
	r = decc_buf_append_str(&resp->body, t);
	free(t);
	resp->status = 200;
	resp->content_type = "application/json";
	return r;
}

static int session(struct decc_sms_service *s, struct decc_sms_response *resp,
		   const struct decc_sms_op *op)
{
	const struct decc_tee_session_backend b = {
		.ctx = s,
		.task = be_task,
		.secret = be_secret,
		.enclave_key = be_enclave_key,
	};
	struct decc_tee_session_request req;
	struct decc_buf json, box = DECC_BUF_INIT, b64 = DECC_BUF_INIT;
	const char *cause;
	unsigned status;
	char msg[640];
	int r;

	atomic_fetch_add(&s->sessions, 1);
	if (!s->verifier) {
		atomic_fetch_add(&s->session_refusals, 1);
		return refuse_tee(s, resp, 403,
				  "TEE_SESSION_GENERATION_SECURE_SESSION_NO_TEE_FRAMEWORK",
				  "no attestation platform is trusted by this SMS (start it with "
				  "--trust-platform ADDR): every session is refused");
	}
	if (!s->task)
		return refuse_tee(s, resp, 501, "TEE_SESSION_GENERATION_UNKNOWN_ISSUE",
				  "this SMS has no TEE release (no chain view)");
	if (decc_tee_session_request_parse(&req, (const char *)op->value, op->value_len) < 0) {
		atomic_fetch_add(&s->session_refusals, 1);
		return refuse_tee(s, resp, 400, "TEE_SESSION_GENERATION_NO_SESSION_REQUEST",
				  decc_error_last());
	}
	decc_buf_init_secret(&json, (size_t)1 << 20);
	r = decc_tee_session_build(&json, s->verifier, &b, &req);
	if (r < 0) {
		snprintf(msg, sizeof(msg), "%s", decc_error_last());
		decc_buf_release(&json);
		atomic_fetch_add(&s->session_refusals, 1);
		status = session_refusal(&cause, r, msg);
		return refuse_tee(s, resp, status, cause, msg);
	}
	decc_buf_init(&box, SESSION_ANSWER_MAX);
	decc_buf_init(&b64, SESSION_ANSWER_MAX);
	r = decc_tee_seal(&box, req.quote.ephemeral_pub, req.auth.taskid, json.data, json.len);
	if (r == 0)
		r = decc_base64_encode(&b64, box.data, box.len);
	if (r == 0)
		r = session_answer(resp, &json, &b64);
	decc_buf_release(&json);
	decc_buf_release(&box);
	decc_buf_release(&b64);
	if (r < 0)
		return refuse_tee(s, resp, 500,
				  "TEE_SESSION_GENERATION_SECURE_SESSION_GENERATION_FAILED",
				  decc_error_last());
	return 0;
}

int decc_sms_handle(struct decc_sms_service *s, struct decc_sms_response *resp,
		    const struct decc_sms_http_request *req)
{
	struct decc_sms_op op;
	unsigned status;
	bool exists;
	int r;

	decc_buf_init(&resp->body, 1 << 16);
	resp->status = 500;
	resp->content_type = "text/plain";
	atomic_fetch_add(&s->requests, 1);
	if (decc_sms_request_parse(&op, &status, req) < 0) {
		if (req->path && strncmp(req->path, "/tee/", 5) == 0)
			return refuse_tee(s, resp, status, NULL, decc_error_last());
		return refuse(s, resp, status, decc_error_last());
	}
	switch (op.op) {
	case DECC_SMS_OP_HEALTH:
		return text(resp, 200, "text/plain", "ok\n", 3);
	case DECC_SMS_OP_METRICS:
		resp->status = 200;
		resp->content_type = "text/plain; version=0.0.4";
		return decc_sms_metrics(s, &resp->body);
	case DECC_SMS_OP_CHECK:
		atomic_fetch_add(&s->checks, 1);
		r = decc_sms_store_exists(s->store, &exists, &op.id);
		if (r < 0)
			return refuse(s, resp, 500, decc_error_last());
		return text(resp, exists ? 204 : 404, "text/plain", "", 0);
	case DECC_SMS_OP_PUSH:
	case DECC_SMS_OP_UPDATE:
		return push(s, resp, &op);
	case DECC_SMS_OP_CHALLENGE:
		return challenge(s, resp, &op);
	case DECC_SMS_OP_SESSION:
		return session(s, resp, &op);
	default:
		return refuse(s, resp, 500, "unknown operation");
	}
}

int decc_sms_metrics(struct decc_sms_service *s, struct decc_buf *out)
{
	int r;

	r = decc_buf_appendf(
	    out,
	    "# TYPE decc_sms_requests_total counter\ndecc_sms_requests_total %llu\n"
	    "# TYPE decc_sms_secrets gauge\ndecc_sms_secrets %llu\n"
	    "# TYPE decc_sms_checks_total counter\ndecc_sms_checks_total %llu\n"
	    "# TYPE decc_sms_updates_total counter\ndecc_sms_updates_total %llu\n"
	    "# TYPE decc_sms_pushes_total counter\n",
	    (unsigned long long)s->requests, (unsigned long long)s->nsecrets,
	    (unsigned long long)s->checks, (unsigned long long)s->updates);
	for (int k = DECC_SMS_WEB3; r == 0 && k <= DECC_SMS_ENCLAVE_KEY; k++)
		r = decc_buf_appendf(out, "decc_sms_pushes_total{kind=\"%s\"} %llu\n",
				     kind_name((enum decc_sms_kind)k),
				     (unsigned long long)s->pushes[k]);
	if (r == 0)
		r = decc_buf_appendf(
		    out,
		    "# TYPE decc_sms_tee_challenges_total counter\ndecc_sms_tee_challenges_total "
		    "%llu\n"
		    "# TYPE decc_sms_tee_sessions_total counter\ndecc_sms_tee_sessions_total %llu\n"
		    "# TYPE decc_sms_tee_session_refusals_total counter\n"
		    "decc_sms_tee_session_refusals_total %llu\n",
		    (unsigned long long)s->challenges, (unsigned long long)s->sessions,
		    (unsigned long long)s->session_refusals);
	if (r == 0)
		r = decc_buf_appendf(out,
				     "# TYPE decc_sms_refusals_total counter\n"
				     "decc_sms_refusals_total{status=\"400\"} %llu\n"
				     "decc_sms_refusals_total{status=\"401\"} %llu\n"
				     "decc_sms_refusals_total{status=\"404\"} %llu\n"
				     "decc_sms_refusals_total{status=\"405\"} %llu\n"
				     "decc_sms_refusals_total{status=\"409\"} %llu\n"
				     "decc_sms_refusals_total{status=\"413\"} %llu\n"
				     "decc_sms_refusals_total{status=\"5xx\"} %llu\n",
				     (unsigned long long)s->r400, (unsigned long long)s->r401,
				     (unsigned long long)s->r404, (unsigned long long)s->r405,
				     (unsigned long long)s->r409, (unsigned long long)s->r413,
				     (unsigned long long)s->r5xx);
	return r;
}
