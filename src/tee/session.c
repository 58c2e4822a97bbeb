/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TEE session: worker authorization, the enclave's request, the SMS's checks and the
 * session content (modelled on the TDX session JSON of iExec's SMS: one service per stage with
 * its environment), and the sealed box that carries it to the enclave's ephemeral key.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/hex.h"
#include "decc/poco.h"
#include "decc/tee.h"

#define SEAL_SALT "decc-tee-session"
#define SEAL_INFO "decc-tee-session-v1"
#define SEAL_OVERHEAD (64 + 16 + 32)
#define SESSION_MAX ((size_t)1 << 20)
#define SECRET_MAX 4096 /* bytes of one SMS secret (reference offchain.md §1.5) */
#define RESULT_KEY_NAME "iexec-result-encryption-public-key"

/* ---- small JSON helpers ---- */

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int jhex(uint8_t *out, size_t n, json_t *o, const char *key, const char *what)
{
	const char *s = jstr(o, key);

	if (!s)
		return decc_error_set(DECC_EINVAL, "%s: \"%s\" is missing", what, key);
	if (decc_hex_decode_exact(out, n, s) < 0)
		return decc_error_set(DECC_EINVAL, "%s: \"%s\" is not %zu bytes of hex", what, key,
				      n);
	return 0;
}

static int jaddr(decc_address *out, json_t *o, const char *key, const char *what)
{
	const char *s = jstr(o, key);

	if (!s)
		return decc_error_set(DECC_EINVAL, "%s: \"%s\" is missing", what, key);
	if (decc_address_parse(out, s) < 0)
		return decc_error_wrap(DECC_EINVAL, "%s: \"%s\"", what, key);
	return 0;
}

static json_t *hexj(const uint8_t *p, size_t n)
{
	char buf[2 * 256 + 3];

	if (n > 256)
		return NULL;
	decc_hex_encode(buf, p, n, true);
	return json_string(buf);
}

static json_t *addrj(const decc_address *a)
{
	char s[43];

	decc_address_to_checksum(s, a);
	return json_string(s);
}

static int dump(struct decc_buf *out, json_t *o)
{
	char *s;
	int r;

	if (!o)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!s)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	r = decc_buf_append_str(out, s);
	decc_wipe(s, strlen(s));
	free(s);
	return r;
}

static json_t *load(const char *json, size_t n, const char *what)
{
	json_error_t err;
	json_t *o;

	if (n > SESSION_MAX) {
		decc_error_set(DECC_ELIMIT, "%s: larger than %zu bytes", what, SESSION_MAX);
		return NULL;
	}
	o = json_loadb(json, n, JSON_REJECT_DUPLICATES, &err);
	if (!o) {
		decc_error_set(DECC_EINVAL, "%s: not JSON: %s", what, err.text);
		return NULL;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		decc_error_set(DECC_EINVAL, "%s: not a JSON object", what);
		return NULL;
	}
	return o;
}

/* ---- worker authorization ---- */

static int auth_from(struct decc_tee_authorization *out, json_t *o)
{
	struct decc_tee_authorization a;
	const char *w = "authorization";
	json_t *idx = json_object_get(o, "taskIndex"), *sig = json_object_get(o, "signature");

	DECC_TRY(jhex(a.taskid, 32, o, "chainTaskId", w));
	DECC_TRY(jhex(a.dealid, 32, o, "dealId", w));
	DECC_TRY(jaddr(&a.worker, o, "workerWallet", w));
	DECC_TRY(jaddr(&a.enclave_challenge, o, "enclaveChallenge", w));
	if (json_is_integer(idx) && json_integer_value(idx) >= 0)
		a.task_index = (uint64_t)json_integer_value(idx);
	else
		return decc_error_set(DECC_EINVAL, "authorization: \"taskIndex\" is not a number");
	if (!json_is_object(sig))
		return decc_error_set(DECC_EINVAL, "authorization: \"signature\" is missing");
	DECC_TRY(jhex(a.signature, 65, sig, "value", "authorization signature"));
	*out = a;
	return 0;
}

int decc_tee_authorization_parse(struct decc_tee_authorization *out, const char *json, size_t n)
{
	json_t *o = load(json, n, "authorization");
	int r;

	if (!o)
		return decc_error_code();
	r = auth_from(out, o);
	json_decref(o);
	return r;
}

static json_t *auth_to(const struct decc_tee_authorization *a)
{
	return json_pack("{s:o,s:o,s:I,s:o,s:o,s:{s:o}}", "chainTaskId", hexj(a->taskid, 32),
			 "dealId", hexj(a->dealid, 32), "taskIndex", (json_int_t)a->task_index,
			 "workerWallet", addrj(&a->worker), "enclaveChallenge",
			 addrj(&a->enclave_challenge), "signature", "value",
			 hexj(a->signature, 65));
}

int decc_tee_authorization_json(struct decc_buf *out, const struct decc_tee_authorization *a)
{
	return dump(out, auth_to(a));
}

static void auth_hash(uint8_t out[32], const struct decc_tee_authorization *a)
{
	decc_poco_authorization_hash(out, &a->worker, a->taskid, &a->enclave_challenge);
}

int decc_tee_authorization_signer(decc_address *out, const struct decc_tee_authorization *a)
{
	uint8_t h[32];

	auth_hash(h, a);
	return decc_eip191_recover(out, h, 32, a->signature, 65);
}

/* ---- session request ---- */

int decc_tee_session_request_json(struct decc_buf *out, const struct decc_tee_session_request *r)
{
	uint8_t q[DECC_TEE_QUOTE_LEN];
	struct decc_buf hq = DECC_BUF_INIT;
	json_t *o;
	int rc;

	decc_tee_quote_encode(q, &r->quote);
	DECC_TRY(decc_hex_append(&hq, q, sizeof(q)));
	o = json_pack("{s:o,s:o,s:s}", "authorization", auth_to(&r->auth), "workerSignature",
		      hexj(r->worker_signature, 65), "quote", decc_buf_str(&hq));
	rc = dump(out, o);
	decc_buf_release(&hq);
	return rc;
}

int decc_tee_session_request_parse(struct decc_tee_session_request *out, const char *json, size_t n)
{
	struct decc_tee_session_request req;
	uint8_t q[DECC_TEE_QUOTE_LEN];
	json_t *o = load(json, n, "session request"), *a;
	const char *qs;
	int r;

	if (!o)
		return decc_error_code();
	a = json_object_get(o, "authorization");
	if (!json_is_object(a))
		r = decc_error_set(DECC_EINVAL, "session request: \"authorization\" is missing");
	else
		r = auth_from(&req.auth, a);
	if (r == 0)
		r = jhex(req.worker_signature, 65, o, "workerSignature", "session request");
	if (r == 0) {
		qs = jstr(o, "quote");
		if (!qs || decc_hex_decode_exact(q, sizeof(q), qs) < 0)
			r = decc_error_set(DECC_EINVAL,
					   "session request: \"quote\" is not %d bytes of hex",
					   DECC_TEE_QUOTE_LEN);
	}
	if (r == 0)
		r = decc_tee_quote_decode(&req.quote, q, sizeof(q));
	json_decref(o);
	if (r == 0)
		*out = req;
	return r;
}

/* ---- SMS side ---- */

void decc_tee_task_info_release(struct decc_tee_task_info *t)
{
	if (!t)
		return;
	free(t->params);
	free(t->app_multiaddr);
	free(t->app_mrenclave);
	free(t->dataset_multiaddr);
	free(t->result_proxy);
	memset(t, 0, sizeof(*t));
}

int decc_tee_app_policy(uint8_t fingerprint[32], bool *network, const struct decc_tee_task_info *t)
{
	json_error_t err;
	json_t *o, *net;
	const char *fp;
	int r = 0;

	if (!t->app_mrenclave || t->app_mrenclave_len == 0) {
		memcpy(fingerprint, t->app_checksum, 32);
		*network = false;
		return 0;
	}
	o = json_loadb((const char *)t->app_mrenclave, t->app_mrenclave_len, 0, &err);
	if (!json_is_object(o)) {
		json_decref(o);
		return decc_error_set(DECC_EINVAL,
				      "the app's mrenclave is not a JSON object; register it as "
				      "{\"fingerprint\":\"<sha256>\"}");
	}
	fp = jstr(o, "fingerprint");
	net = json_object_get(o, "network");
	if (!fp || decc_hex_decode_exact(fingerprint, 32, fp) < 0)
		r = decc_error_set(DECC_EINVAL, "the app's mrenclave has no 32-byte fingerprint");
	else
		*network = json_is_true(net);
	json_decref(o);
	return r;
}

static int env_set(json_t *env, const char *k, const char *v)
{
	if (json_object_set_new(env, k, json_string(v ? v : "")) < 0)
		return decc_error_set(DECC_ENOMEM, "session: cannot set %s", k);
	return 0;
}

static int env_setu(json_t *env, const char *k, uint64_t v)
{
	char b[24];

	snprintf(b, sizeof(b), "%llu", (unsigned long long)v);
	return env_set(env, k, b);
}

static int env_sethex(json_t *env, const char *k, const uint8_t *p, size_t n)
{
	char b[2 * 32 + 3];

	decc_hex_encode(b, p, n, true);
	return env_set(env, k, b);
}

static int env_setaddr(json_t *env, const char *k, const decc_address *a)
{
	char s[43];

	decc_address_to_checksum(s, a);
	return env_set(env, k, s);
}

/* Deal params: JSON object, or (not JSON) the whole string is iexec_args. */
struct params {
	json_t *o; /* owned, may be NULL */
	const char *args;
	json_t *input_files, *secrets;
	bool encrypt;
	const char *provider, *proxy;
};

static int params_parse(struct params *p, const char *text)
{
	json_t *o;

	memset(p, 0, sizeof(*p));
	if (!text || !*text)
		return 0;
	o = json_loads(text, 0, NULL);
	if (!json_is_object(o)) {
		json_decref(o);
		p->args = text;
		return 0;
	}
	p->o = o;
	p->args = jstr(o, "iexec_args");
	p->input_files = json_object_get(o, "iexec_input_files");
	p->secrets = json_object_get(o, "iexec_secrets");
	p->encrypt = json_is_true(json_object_get(o, "iexec_result_encryption"));
	p->provider = jstr(o, "iexec_result_storage_provider");
	p->proxy = jstr(o, "iexec_result_storage_proxy");
	if (p->input_files && !json_is_array(p->input_files))
		return decc_error_set(DECC_EINVAL, "deal params: iexec_input_files is not a list");
	if (p->secrets && !json_is_object(p->secrets))
		return decc_error_set(DECC_EINVAL, "deal params: iexec_secrets is not an object");
	for (size_t i = 0; p->input_files && i < json_array_size(p->input_files); i++)
		if (!json_is_string(json_array_get(p->input_files, i)))
			return decc_error_set(
			    DECC_EINVAL, "deal params: iexec_input_files[%zu] is not a URL", i);
	return 0;
}

static int get_secret(const struct decc_tee_session_backend *b, struct decc_buf *out,
		      enum decc_tee_secret_kind kind, const decc_address *target, const char *name,
		      bool required, const char *what)
{
	int r;

	decc_buf_init_secret(out, SECRET_MAX + 1);
	r = b->secret(b->ctx, out, kind, target, name);
	if (r == DECC_ENOTFOUND && !required)
		return 1;
	if (r == DECC_ENOTFOUND)
		return decc_error_set(DECC_ENOTFOUND, "session: no %s in the SMS", what);
	if (r < 0)
		return decc_error_wrap(r, "session: reading the %s", what);
	return 0;
}

/* 10 random alphanumerics, "0000", then 0x + the task id in hex (81 bytes with the NUL). */
static int session_id(char out[96], const uint8_t taskid[32])
{
	static const char al[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	uint8_t rnd[10];

	DECC_TRY(decc_random_bytes(rnd, sizeof(rnd)));
	for (int i = 0; i < 10; i++)
		out[i] = al[rnd[i] % (sizeof(al) - 1)];
	memcpy(out + 10, "0000", 4);
	decc_hex_encode(out + 14, taskid, 32, true);
	return 0;
}

static int checks(uint8_t enclave_sk[32], const struct decc_tee_platform *verifier,
		  const struct decc_tee_session_backend *b,
		  const struct decc_tee_session_request *q, const struct decc_tee_task_info *t,
		  uint8_t fingerprint[32], bool *network)
{
	uint8_t h[32];
	decc_address who, chal;
	char a[43], e[43];

	if (!verifier || !verifier->verify)
		return decc_error_set(DECC_EAUTH, "session: no platform verifier configured");
	DECC_TRY(verifier->verify(verifier->ctx, &q->quote, NULL));
	DECC_ENSURE(memcmp(q->quote.taskid, q->auth.taskid, 32) == 0, DECC_EAUTH,
		    "session: the quote was made for another task");
	auth_hash(h, &q->auth);
	if (decc_eip191_recover(&who, h, 32, q->worker_signature, 65) < 0 ||
	    !decc_address_eq(&who, &q->auth.worker))
		return decc_error_set(DECC_EAUTH,
				      "session: the request is not signed by the worker wallet");
	DECC_ENSURE(t->active, DECC_EAUTH, "session: the task is not ACTIVE on the ledger");
	DECC_ENSURE(memcmp(t->dealid, q->auth.dealid, 32) == 0 &&
			t->task_index == q->auth.task_index,
		    DECC_EAUTH, "session: the authorization's deal or index is not the task's");
	DECC_ENSURE(t->tag[31] & 1, DECC_EAUTH, "session: the deal is not a TEE deal (tag bit 0)");
	if (decc_tee_authorization_signer(&who, &q->auth) < 0 ||
	    !decc_address_eq(&who, &t->workerpool_owner)) {
		decc_address_to_checksum(a, &t->workerpool_owner);
		return decc_error_set(DECC_EAUTH,
				      "session: the authorization is not signed by the workerpool "
				      "owner %s",
				      a);
	}
	{
		int r = b->enclave_key(b->ctx, enclave_sk, q->auth.taskid);

		if (r == DECC_ENOTFOUND)
			return decc_error_set(
			    DECC_EAUTH, "session: no enclave challenge was made for this task");
		if (r < 0)
			return decc_error_wrap(r, "session: enclave key");
	}
	DECC_TRY(decc_address_from_seckey(&chal, enclave_sk));
	if (!decc_address_eq(&chal, &q->auth.enclave_challenge)) {
		decc_address_to_checksum(a, &chal);
		decc_address_to_checksum(e, &q->auth.enclave_challenge);
		return decc_error_set(DECC_EAUTH,
				      "session: the authorization names enclave challenge %s, the "
				      "task's is %s",
				      e, a);
	}
	DECC_TRY(decc_tee_app_policy(fingerprint, network, t));
	DECC_ENSURE(decc_ct_equal(fingerprint, q->quote.measurement, 32), DECC_EAUTH,
		    "session: the enclave's measurement is not the app's registered fingerprint");
	return 0;
}

static int build(json_t *root, const struct decc_tee_session_backend *b,
		 const struct decc_tee_session_request *q, const struct decc_tee_task_info *t,
		 const uint8_t enclave_sk[32], const uint8_t fingerprint[32], bool network)
{
	json_t *pre = json_object(), *app = json_object(), *post = json_object(), *svc;
	struct decc_buf s = DECC_BUF_INIT;
	struct params p;
	bool has_dataset = !decc_address_is_zero(&t->dataset);
	bool callback = !decc_address_is_zero(&t->callback);
	size_t nfiles;
	char k[64];
	int r;

	r = params_parse(&p, t->params);
	svc = json_array();
	if (!pre || !app || !post || !svc) {
		json_decref(pre);
		json_decref(app);
		json_decref(post);
		json_decref(svc);
		json_decref(p.o);
		return decc_error_set(DECC_ENOMEM, "out of memory");
	}
	nfiles = p.input_files ? json_array_size(p.input_files) : 0;
	/* app stage: the compute-stage variables (reference offchain.md §1.2) */
	if (r == 0)
		r = env_sethex(app, "IEXEC_DEAL_ID", t->dealid, 32);
	if (r == 0)
		r = env_setu(app, "IEXEC_TASK_INDEX", t->task_index);
	if (r == 0)
		r = env_sethex(app, "IEXEC_TASK_ID", q->auth.taskid, 32);
	if (r == 0)
		r = env_set(app, "IEXEC_IN", "/iexec_in");
	if (r == 0)
		r = env_set(app, "IEXEC_OUT", "/iexec_out");
	if (r == 0)
		r = env_setu(app, "IEXEC_BOT_SIZE", t->bot_size);
	if (r == 0)
		r = env_setu(app, "IEXEC_BOT_FIRST_INDEX", t->bot_first);
	if (r == 0)
		r = env_setu(app, "IEXEC_BOT_TASK_INDEX", t->task_index);
	/* only with a dataset: apps test IEXEC_DATASET_FILENAME to know whether they have one */
	if (r == 0 && has_dataset)
		r = env_setaddr(app, "IEXEC_DATASET_ADDRESS", &t->dataset);
	if (r == 0 && has_dataset)
		r = env_setaddr(app, "IEXEC_DATASET_FILENAME", &t->dataset);
	if (r == 0)
		r = env_setu(app, "IEXEC_INPUT_FILES_NUMBER", nfiles);
	if (r == 0 && nfiles)
		r = env_set(app, "IEXEC_INPUT_FILES_FOLDER", "/iexec_in");
	for (size_t i = 0; r == 0 && i < nfiles; i++) {
		const char *url = json_string_value(json_array_get(p.input_files, i));
		uint8_t h[32];

		decc_sha256(h, url, strlen(url));
		snprintf(k, sizeof(k), "IEXEC_INPUT_FILE_NAME_%zu", i + 1);
		r = env_sethex(app, k, h, 32);
	}
	if (r == 0) {
		r = get_secret(b, &s, DECC_TEE_SECRET_APP_DEVELOPER, &t->app, "1", false,
			       "app-developer secret");
		if (r == 0) {
			r = env_set(app, "IEXEC_APP_DEVELOPER_SECRET", decc_buf_str(&s));
			if (r == 0)
				r = env_set(app, "IEXEC_APP_DEVELOPER_SECRET_1", decc_buf_str(&s));
		} else if (r == 1) {
			r = 0;
		}
		decc_buf_release(&s);
	}
	if (r == 0 && p.secrets) {
		const char *idx;
		json_t *v;

		json_object_foreach(p.secrets, idx, v)
		{
			char *end;
			unsigned long n = strtoul(idx, &end, 10);

			if (!*idx || *end || n == 0 || n > 1000000 || !json_is_string(v)) {
				r = decc_error_set(DECC_EINVAL,
						   "deal params: iexec_secrets entry \"%.32s\" is "
						   "not \"<positive index>\": \"<name>\"",
						   idx);
				break;
			}
			r = get_secret(b, &s, DECC_TEE_SECRET_REQUESTER, &t->requester,
				       json_string_value(v), true, "requester secret");
			snprintf(k, sizeof(k), "IEXEC_REQUESTER_SECRET_%lu", n);
			if (r == 0)
				r = env_set(app, k, decc_buf_str(&s));
			decc_buf_release(&s);
			if (r < 0)
				break;
		}
	}
	/* pre-compute stage */
	if (r == 0)
		r = env_set(pre, "IEXEC_PRE_COMPUTE_OUT", "/iexec_in");
	if (r == 0)
		r = env_set(pre, "IS_DATASET_REQUIRED", has_dataset ? "true" : "false");
	if (r == 0 && has_dataset) {
		r = get_secret(b, &s, DECC_TEE_SECRET_DATASET_KEY, &t->dataset, NULL, true,
			       "dataset key (PRE_COMPUTE_GET_DATASET_SECRET_FAILED)");
		if (r == 0)
			r = env_set(pre, "IEXEC_DATASET_KEY", decc_buf_str(&s));
		decc_buf_release(&s);
		if (r == 0)
			r = env_set(pre, "IEXEC_DATASET_URL", t->dataset_multiaddr);
		if (r == 0)
			r = env_setaddr(pre, "IEXEC_DATASET_FILENAME", &t->dataset);
		if (r == 0)
			r = env_sethex(pre, "IEXEC_DATASET_CHECKSUM", t->dataset_checksum, 32);
	}
	if (r == 0)
		r = env_sethex(pre, "IEXEC_DEAL_ID", t->dealid, 32);
	if (r == 0)
		r = env_setu(pre, "IEXEC_TASK_INDEX", t->task_index);
	if (r == 0)
		r = env_sethex(pre, "IEXEC_TASK_ID", q->auth.taskid, 32);
	if (r == 0)
		r = env_set(pre, "IEXEC_INPUT_FILES_FOLDER", "/iexec_in");
	if (r == 0)
		r = env_setu(pre, "IEXEC_INPUT_FILES_NUMBER", nfiles);
	for (size_t i = 0; r == 0 && i < nfiles; i++) {
		snprintf(k, sizeof(k), "IEXEC_INPUT_FILE_URL_%zu", i + 1);
		r = env_set(pre, k, json_string_value(json_array_get(p.input_files, i)));
	}
	/* post-compute stage */
	if (r == 0)
		r = env_set(post, "RESULT_ENCRYPTION", p.encrypt ? "true" : "false");
	if (r == 0 && p.encrypt) {
		r = get_secret(b, &s, DECC_TEE_SECRET_RESULT_KEY, &t->beneficiary, RESULT_KEY_NAME,
			       true,
			       "result encryption key of the beneficiary (push it with 'decc "
			       "secret push-result-key')");
		if (r == 0)
			r = env_set(post, "RESULT_ENCRYPTION_PUBLIC_KEY", decc_buf_str(&s));
		decc_buf_release(&s);
	} else if (r == 0) {
		r = env_set(post, "RESULT_ENCRYPTION_PUBLIC_KEY", "");
	}
	if (r == 0)
		r = env_set(post, "RESULT_STORAGE_CALLBACK", callback ? "true" : "false");
	if (r == 0)
		r = env_set(post, "RESULT_STORAGE_PROVIDER",
			    callback ? "" : (p.provider ? p.provider : "ipfs"));
	if (r == 0)
		r = env_set(post, "RESULT_STORAGE_PROXY",
			    callback ? "" : (p.proxy ? p.proxy : t->result_proxy));
	for (int i = 0; r == 0 && i < 2; i++) {
		json_t *e = i ? post : pre;

		r = env_sethex(e, "IEXEC_TASK_ID", q->auth.taskid, 32);
		if (r == 0)
			r = env_setaddr(e, "SIGN_WORKER_ADDRESS", &q->auth.worker);
		if (r == 0)
			r = env_sethex(e, "SIGN_TEE_CHALLENGE_PRIVATE_KEY", enclave_sk, 32);
	}
	if (r == 0) {
		bool need_pre = has_dataset || nfiles > 0;

		if (need_pre)
			json_array_append_new(
			    svc, json_pack("{s:s,s:O}", "name", "pre-compute", "environment", pre));
		json_array_append_new(
		    svc, json_pack("{s:s,s:s,s:o,s:b,s:I,s:s,s:O}", "name", "app", "image_name",
				   t->app_multiaddr ? t->app_multiaddr : "", "fingerprint",
				   hexj(fingerprint, 32), "network", network, "max_execution_time",
				   (json_int_t)t->max_execution_time, "args", p.args ? p.args : "",
				   "environment", app));
		json_array_append_new(
		    svc, json_pack("{s:s,s:O}", "name", "post-compute", "environment", post));
		if (json_array_size(svc) != 2u + need_pre)
			r = decc_error_set(DECC_ENOMEM, "out of memory");
	}
	if (r == 0 && json_object_set(root, "services", svc) < 0)
		r = decc_error_set(DECC_ENOMEM, "out of memory");
	json_decref(svc);
	json_decref(pre);
	json_decref(app);
	json_decref(post);
	json_decref(p.o);
	return r;
}

int decc_tee_session_build(struct decc_buf *session_json, const struct decc_tee_platform *verifier,
			   const struct decc_tee_session_backend *b,
			   const struct decc_tee_session_request *q)
{
	struct decc_tee_task_info t = { 0 };
	uint8_t sk[32], fp[32];
	char sid[96];
	bool net = false;
	json_t *root;
	int r;

	if (!b || !b->task || !b->secret || !b->enclave_key)
		return decc_error_set(DECC_EINVAL, "session: incomplete backend");
	/* the quote first: nothing is read for a request no trusted platform made */
	if (!verifier || !verifier->verify)
		return decc_error_set(DECC_EAUTH, "session: no platform verifier configured");
	DECC_TRY(verifier->verify(verifier->ctx, &q->quote, NULL));
	r = b->task(b->ctx, &t, q->auth.taskid);
	if (r == DECC_ENOTFOUND)
		return decc_error_set(DECC_EAUTH, "session: the task does not exist on the ledger");
	if (r < 0)
		return decc_error_wrap(r, "session: reading the task");
	r = checks(sk, verifier, b, q, &t, fp, &net);
	if (r == 0)
		r = session_id(sid, q->auth.taskid);
	if (r == 0) {
		root = json_pack("{s:s,s:s,s:o}", "name", sid, "version", "0.1.0", "taskId",
				 hexj(q->auth.taskid, 32));
		if (!root)
			r = decc_error_set(DECC_ENOMEM, "out of memory");
		else
			r = build(root, b, q, &t, sk, fp, net);
		if (r == 0)
			r = dump(session_json, root);
		else
			json_decref(root);
	}
	decc_wipe(sk, sizeof(sk));
	decc_tee_task_info_release(&t);
	return r;
}

/* ---- sealing ---- */

/* HKDF-SHA256 (RFC 5869) with a fixed salt: 64 bytes = AES key ‖ MAC key. */
static void seal_keys(uint8_t keys[64], const uint8_t shared[32], const uint8_t sender[64],
		      const uint8_t aad[32])
{
	uint8_t prk[32], info[sizeof(SEAL_INFO) - 1 + 64 + 32 + 1], t2in[32 + sizeof(info)];
	size_t il = sizeof(SEAL_INFO) - 1;

	decc_hmac_sha256(prk, SEAL_SALT, sizeof(SEAL_SALT) - 1, shared, 32);
	memcpy(info, SEAL_INFO, il);
	memcpy(info + il, sender, 64);
	memcpy(info + il + 64, aad, 32);
	info[sizeof(info) - 1] = 1;
	decc_hmac_sha256(keys, prk, 32, info, sizeof(info));
	memcpy(t2in, keys, 32);
	memcpy(t2in + 32, info, sizeof(info));
	t2in[sizeof(t2in) - 1] = 2;
	decc_hmac_sha256(keys + 32, prk, 32, t2in, sizeof(t2in));
	decc_wipe(prk, sizeof(prk));
	decc_wipe(t2in, sizeof(t2in));
}

static int seal_mac(uint8_t out[32], const uint8_t key[32], const uint8_t aad[32], const uint8_t *p,
		    size_t n)
{
	struct decc_buf m = DECC_BUF_INIT;

	DECC_TRY(decc_buf_append(&m, aad, 32));
	if (decc_buf_append(&m, p, n) < 0) {
		decc_buf_release(&m);
		return decc_error_code();
	}
	decc_hmac_sha256(out, key, 32, m.data, m.len);
	decc_buf_release(&m);
	return 0;
}

int decc_tee_seal(struct decc_buf *box, const uint8_t eph_pub[64], const uint8_t aad[32],
		  const uint8_t *plain, size_t n)
{
	struct decc_buf out = DECC_BUF_INIT, ct = DECC_BUF_INIT;
	uint8_t sk[32], pub[64], shared[32], keys[64], iv[16], mac[32];
	int r;

	r = decc_secp256k1_keygen(sk);
	if (r == 0)
		r = decc_secp256k1_pubkey(pub, sk);
	if (r == 0)
		r = decc_secp256k1_ecdh(shared, eph_pub, sk);
	if (r < 0)
		r = decc_error_wrap(DECC_EINVAL, "seal: ephemeral key");
	if (r == 0) {
		seal_keys(keys, shared, pub, aad);
		r = decc_random_bytes(iv, sizeof(iv));
	}
	if (r == 0)
		r = decc_aes_cbc_buf(&ct, true, keys, iv, plain, n);
	if (r == 0)
		r = decc_buf_append(&out, pub, 64);
	if (r == 0)
		r = decc_buf_append(&out, iv, 16);
	if (r == 0)
		r = decc_buf_append(&out, ct.data, ct.len);
	if (r == 0)
		r = seal_mac(mac, keys + 32, aad, out.data, out.len);
	if (r == 0)
		r = decc_buf_append(&out, mac, 32);
	if (r == 0)
		r = decc_buf_append(box, out.data, out.len);
	decc_wipe(sk, sizeof(sk));
	decc_wipe(shared, sizeof(shared));
	decc_wipe(keys, sizeof(keys));
	decc_buf_release(&ct);
	decc_buf_release(&out);
	return r;
}

int decc_tee_open(struct decc_buf *plain, const uint8_t eph_sk[32], const uint8_t aad[32],
		  const uint8_t *box, size_t n)
{
	uint8_t shared[32], keys[64], mac[32];
	struct decc_buf pt;
	int r;

	DECC_ENSURE(n >= SEAL_OVERHEAD + 16 && (n - SEAL_OVERHEAD) % 16 == 0, DECC_EINVAL,
		    "sealed session: %zu bytes is not a valid box", n);
	r = decc_secp256k1_ecdh(shared, box, eph_sk);
	if (r < 0)
		return decc_error_set(DECC_EAUTH, "sealed session: bad sender key");
	seal_keys(keys, shared, box, aad);
	r = seal_mac(mac, keys + 32, aad, box, n - 32);
	if (r == 0 && !decc_ct_equal(mac, box + n - 32, 32))
		r = decc_error_set(DECC_EAUTH,
				   "sealed session: MAC mismatch (altered, or not for this "
				   "enclave or task)");
	decc_buf_init_secret(&pt, n);
	if (r == 0)
		r = decc_aes_cbc_buf(&pt, false, keys, box + 64, box + 80, n - SEAL_OVERHEAD);
	if (r == 0)
		r = decc_buf_append(plain, pt.data, pt.len);
	decc_buf_release(&pt);
	decc_wipe(shared, sizeof(shared));
	decc_wipe(keys, sizeof(keys));
	return r;
}

/* ---- the session, enclave side ---- */

const char *decc_tee_env_get(const struct decc_tee_env *e, const char *name)
{
	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->names[i], name) == 0)
			return e->values[i];
	return NULL;
}

static void env_release(struct decc_tee_env *e)
{
	for (size_t i = 0; i < e->n; i++) {
		free(e->names[i]);
		if (e->values[i]) {
			decc_wipe(e->values[i], strlen(e->values[i]));
			free(e->values[i]);
		}
	}
	free(e->names);
	free(e->values);
	memset(e, 0, sizeof(*e));
}

static int env_from(struct decc_tee_env *out, json_t *o, const char *stage)
{
	size_t n = json_object_size(o), i = 0;
	const char *k;
	json_t *v;

	if (!json_is_object(o))
		return decc_error_set(DECC_EINVAL, "session: %s has no environment", stage);
	out->names = calloc(n ? n : 1, sizeof(char *));
	out->values = calloc(n ? n : 1, sizeof(char *));
	if (!out->names || !out->values)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	json_object_foreach(o, k, v)
	{
		if (!json_is_string(v))
			return decc_error_set(DECC_EINVAL, "session: %s: %s is not a string", stage,
					      k);
		out->names[i] = strdup(k);
		out->values[i] = strdup(json_string_value(v));
		out->n = ++i;
		if (!out->names[i - 1] || !out->values[i - 1])
			return decc_error_set(DECC_ENOMEM, "out of memory");
	}
	return 0;
}

int decc_tee_session_parse(struct decc_tee_session *out, const char *json, size_t n)
{
	struct decc_tee_session s = { 0 };
	json_t *o = load(json, n, "session"), *svc, *it;
	bool seen_app = false, seen_post = false;
	int r = 0;
	size_t i;

	if (!o)
		return decc_error_code();
	if (!(s.name = strdup(jstr(o, "name") ? jstr(o, "name") : "")))
		r = decc_error_set(DECC_ENOMEM, "out of memory");
	if (r == 0)
		r = jhex(s.taskid, 32, o, "taskId", "session");
	svc = json_object_get(o, "services");
	if (r == 0 && !json_is_array(svc))
		r = decc_error_set(DECC_EINVAL, "session: no services");
	json_array_foreach(svc, i, it)
	{
		const char *name = jstr(it, "name");
		json_t *env = json_object_get(it, "environment");

		if (r < 0)
			break;
		if (!name) {
			r = decc_error_set(DECC_EINVAL, "session: a service has no name");
		} else if (strcmp(name, "pre-compute") == 0 && !s.has_pre) {
			s.has_pre = true;
			r = env_from(&s.pre, env, name);
		} else if (strcmp(name, "app") == 0 && !seen_app) {
			json_t *mx = json_object_get(it, "max_execution_time");

			seen_app = true;
			r = env_from(&s.app, env, name);
			if (r == 0)
				r = jhex(s.app_fingerprint, 32, it, "fingerprint", "session app");
			s.app_network = json_is_true(json_object_get(it, "network"));
			s.app_max_seconds = json_is_integer(mx) && json_integer_value(mx) > 0
						? (uint64_t)json_integer_value(mx)
						: 0;
			s.app_image = strdup(jstr(it, "image_name") ? jstr(it, "image_name") : "");
			s.app_args = strdup(jstr(it, "args") ? jstr(it, "args") : "");
			if (r == 0 && (!s.app_image || !s.app_args))
				r = decc_error_set(DECC_ENOMEM, "out of memory");
		} else if (strcmp(name, "post-compute") == 0 && !seen_post) {
			seen_post = true;
			r = env_from(&s.post, env, name);
		} else {
			r = decc_error_set(DECC_EINVAL, "session: unexpected service '%.32s'",
					   name);
		}
	}
	if (r == 0 && (!seen_app || !seen_post))
		r = decc_error_set(DECC_EINVAL,
				   "session: the app or post-compute stage is missing");
	json_decref(o);
	if (r < 0) {
		decc_tee_session_release(&s);
		return r;
	}
	*out = s;
	return 0;
}

void decc_tee_session_release(struct decc_tee_session *s)
{
	if (!s)
		return;
	free(s->name);
	free(s->app_image);
	if (s->app_args)
		decc_wipe(s->app_args, strlen(s->app_args));
	free(s->app_args);
	env_release(&s->pre);
	env_release(&s->app);
	env_release(&s->post);
	memset(s, 0, sizeof(*s));
}
