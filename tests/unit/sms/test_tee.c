/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SMS's TEE release without HTTP: /tee/challenges/{taskId} (signer, task, TEE tag, one key
 * per task, same answer on a repeat) and /tee/session (a simulated platform's quote, the worker
 * authorization, the session sealed to the quote's ephemeral key) over a store in a temporary
 * directory and a scripted ledger. Each refusal is checked for its status, its reason and that
 * nothing was stored; no answer carries a secret in the clear.
 */
#include "test.h"

#include <jansson.h>
#include <unistd.h>

#include "decc/crypto.h"
#include "decc/poco.h"
#include "decc/sms.h"
#include "decc/tee.h"

struct world {
	char dir[64];
	struct decc_sms_store *store;
	struct decc_sms_service *svc, *svc_untrusting;
	struct decc_tee_platform platform, rogue, verifier;
	uint8_t pool_sk[32], worker_sk[32], other_sk[32];
	decc_address pool, worker, other, app, dataset, requester, beneficiary;
	uint8_t dealid[32], taskid[32], taskid2[32], measurement[32];
	bool active, tee;
};

static struct world *W;

static const char DATASET_KEY[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
static const char REQUESTER_SECRET[] = "requester-secret-value-1234";

static void key(uint8_t sk[32], decc_address *a, uint8_t fill)
{
	memset(sk, fill, 32);
	assert_int_equal(decc_address_from_seckey(a, sk), 0);
}

static int fake_owner(void *ctx, decc_address *owner, enum decc_sms_kind kind,
		      const decc_address *asset)
{
	(void)ctx;
	(void)kind;
	(void)asset;
	*owner = W->other;
	return 0;
}

static int fake_task(void *ctx, struct decc_tee_task_info *t, const uint8_t taskid[32])
{
	(void)ctx;
	memset(t, 0, sizeof(*t));
	if (memcmp(taskid, W->taskid, 32) != 0 && memcmp(taskid, W->taskid2, 32) != 0)
		return decc_error_set(DECC_ENOTFOUND, "the task is not on the ledger");
	t->active = W->active;
	memcpy(t->dealid, W->dealid, 32);
	t->task_index = memcmp(taskid, W->taskid, 32) == 0 ? 0 : 1;
	t->bot_size = 2;
	t->tag[31] = W->tee ? 0x09 : 0;
	t->app = W->app;
	t->dataset = W->dataset;
	t->workerpool_owner = W->pool;
	t->requester = W->requester;
	t->beneficiary = W->beneficiary;
	t->params = strdup("{\"iexec_args\":\"a b\",\"iexec_secrets\":{\"1\":\"tok\"}}");
	t->app_multiaddr = strdup("/ipfs/bafyapp");
	memcpy(t->app_checksum, W->measurement, 32);
	t->dataset_multiaddr = strdup("/ipfs/bafydataset");
	memset(t->dataset_checksum, 0xcc, 32);
	t->max_execution_time = 60;
	return 0;
}

static void put(enum decc_sms_kind kind, const decc_address *target, const char *name,
		const char *value)
{
	struct decc_sms_id id;
	uint8_t ch[32];

	assert_int_equal(decc_sms_id_init(&id, kind, target, name), 0);
	decc_sha256(ch, value, strlen(value));
	ch[0] ^= (uint8_t)kind;
	assert_int_equal(decc_sms_store_put(W->store, &id, DECC_SMS_PUT_CREATE,
					    (const uint8_t *)value, strlen(value), &W->other, ch),
			 0);
}

static int setup(void **state)
{
	struct decc_sms_service_config cfg = { 0 };
	uint8_t master[32];
	char path[128];
	decc_address pa, ra;
	decc_u256 idx = { 0 };

	(void)state;
	W = calloc(1, sizeof(*W));
	snprintf(W->dir, sizeof(W->dir), "/tmp/decc-sms-tee.XXXXXX");
	assert_non_null(mkdtemp(W->dir));
	snprintf(path, sizeof(path), "%s/platform.key", W->dir);
	assert_int_equal(decc_tee_sim_key_create(&pa, path), 0);
	assert_int_equal(decc_tee_sim_platform(&W->platform, path), 0);
	snprintf(path, sizeof(path), "%s/rogue.key", W->dir);
	assert_int_equal(decc_tee_sim_key_create(&ra, path), 0);
	assert_int_equal(decc_tee_sim_platform(&W->rogue, path), 0);
	assert_int_equal(decc_tee_sim_verifier(&W->verifier, &pa, 1), 0);
	key(W->pool_sk, &W->pool, 0x31);
	key(W->worker_sk, &W->worker, 0x32);
	key(W->other_sk, &W->other, 0x33);
	memset(W->app.b, 0xaa, 20);
	memset(W->dataset.b, 0xda, 20);
	memset(W->requester.b, 0x7e, 20);
	memset(W->beneficiary.b, 0xbe, 20);
	memset(W->dealid, 0xd1, 32);
	decc_poco_task_id(W->taskid, W->dealid, &idx);
	idx = decc_u256_from_u64(1);
	decc_poco_task_id(W->taskid2, W->dealid, &idx);
	decc_sha256(W->measurement, "the app image", 13);
	W->active = true;
	W->tee = true;
	snprintf(path, sizeof(path), "%s/master.key", W->dir);
	assert_int_equal(decc_sms_master_key_load(master, NULL, path), 0);
	snprintf(path, sizeof(path), "%s/sms.db", W->dir);
	assert_int_equal(decc_sms_store_open(&W->store, path, master), 0);
	cfg.store = W->store;
	cfg.owner = fake_owner;
	cfg.task = fake_task;
	cfg.max_secrets = 100;
	assert_int_equal(decc_sms_service_new(&W->svc_untrusting, &cfg), 0);
	cfg.verifier = &W->verifier;
	cfg.result_proxy = "http://127.0.0.1:1/proxy";
	assert_int_equal(decc_sms_service_new(&W->svc, &cfg), 0);
	*state = W;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	decc_sms_service_free(W->svc);
	decc_sms_service_free(W->svc_untrusting);
	decc_sms_store_free(W->store);
	decc_tee_platform_release(&W->platform);
	decc_tee_platform_release(&W->rogue);
	decc_tee_platform_release(&W->verifier);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", W->dir);
	assert_int_equal(system(cmd), 0);
	free(W);
	return 0;
}

static uint64_t nsecrets(void)
{
	uint64_t n = 0;

	assert_int_equal(decc_sms_store_count(W->store, &n), 0);
	return n;
}

struct answer {
	unsigned status;
	char body[1 << 14];
	size_t len;
	char error[700], cause[128];
};

static void call(struct answer *a, struct decc_sms_service *svc, const char *method,
		 const char *path, const char *auth, const char *body, bool truncated)
{
	struct decc_sms_http_request r = {
		.method = method,
		.path = path,
		.authorization = auth,
		.body = (const uint8_t *)body,
		.body_len = body ? strlen(body) : 0,
		.body_truncated = truncated,
	};
	struct decc_sms_response resp;
	json_t *j;

	memset(a, 0, sizeof(*a));
	assert_int_equal(decc_sms_handle(svc, &resp, &r), 0);
	a->status = resp.status;
	assert_true(resp.body.len < sizeof(a->body));
	memcpy(a->body, resp.body.data, resp.body.len);
	a->len = resp.body.len;
	decc_buf_release(&resp.body);
	if (a->status < 400)
		return;
	j = json_loadb(a->body, a->len, 0, NULL);
	if (!j)
		fail_msg("%s %s: %u not JSON: %.*s", method, path, a->status, (int)a->len, a->body);
	/* every TEE refusal says why, as a string the enclave reads */
	assert_true(json_is_string(json_object_get(j, "error")));
	snprintf(a->error, sizeof(a->error), "%s", json_string_value(json_object_get(j, "error")));
	if (json_is_string(json_object_get(j, "cause")))
		snprintf(a->cause, sizeof(a->cause), "%s",
			 json_string_value(json_object_get(j, "cause")));
	json_decref(j);
}

/* POST /tee/challenges/<taskid> signed by sk (NULL: no header). */
static void challenge(struct answer *a, const uint8_t taskid[32], const uint8_t *sk)
{
	char path[128], tid[67], auth[133];
	uint8_t h[32], sig[65];

	decc_hex_encode(tid, taskid, 32, true);
	snprintf(path, sizeof(path), "/tee/challenges/%s", tid);
	if (sk) {
		decc_keccak256(h, taskid, 32);
		assert_int_equal(decc_eip191_sign(sig, h, 32, sk), 0);
		decc_hex_encode(auth, sig, 65, true);
	}
	call(a, W->svc, "POST", path, sk ? auth : NULL, NULL, false);
}

static void test_challenge(void **state)
{
	struct answer a, b;
	decc_address got;
	uint64_t n0 = nsecrets();
	struct decc_sms_id id;
	bool ex;

	(void)state;
	/* refusals first: nothing is made */
	challenge(&a, W->taskid, NULL);
	assert_int_equal(a.status, 401);
	assert_non_null(strstr(a.error, "Authorization"));
	challenge(&a, W->taskid, W->other_sk);
	assert_int_equal(a.status, 401);
	assert_non_null(strstr(a.error, "is not the owner"));
	{
		uint8_t unknown[32];

		memset(unknown, 0x55, 32);
		challenge(&a, unknown, W->pool_sk);
		assert_int_equal(a.status, 404);
		assert_non_null(strstr(a.error, "initialize it first"));
	}
	W->tee = false;
	challenge(&a, W->taskid, W->pool_sk);
	W->tee = true;
	assert_int_equal(a.status, 400);
	assert_non_null(strstr(a.error, "not a TEE deal"));
	W->active = false;
	challenge(&a, W->taskid, W->pool_sk);
	W->active = true;
	assert_int_equal(a.status, 409);
	assert_non_null(strstr(a.error, "not ACTIVE"));
	call(&a, W->svc, "GET", "/tee/challenges/0x00", NULL, NULL, false);
	assert_int_equal(a.status, 405);
	call(&a, W->svc, "POST", "/tee/challenges/0x1234", NULL, NULL, false);
	assert_int_equal(a.status, 400);
	assert_int_equal(nsecrets(), n0);

	/* the pool owner: an address (only), the same on a repeat, one key stored */
	challenge(&a, W->taskid, W->pool_sk);
	assert_int_equal(a.status, 200);
	assert_int_equal(a.len, 43); /* "0x" + 40 hex + "\n": the key never leaves */
	a.body[42] = 0;
	assert_int_equal(decc_address_parse(&got, a.body), 0);
	challenge(&b, W->taskid, W->pool_sk);
	assert_int_equal(b.status, 200);
	assert_memory_equal(a.body, b.body, 42);
	assert_int_equal(nsecrets(), n0 + 1);
	decc_sms_id_init_task(&id, DECC_SMS_ENCLAVE_KEY, W->taskid);
	assert_int_equal(decc_sms_store_exists(W->store, &ex, &id), 0);
	assert_true(ex);
	/* another task, another key */
	challenge(&b, W->taskid2, W->pool_sk);
	assert_int_equal(b.status, 200);
	assert_memory_not_equal(a.body, b.body, 42);
	assert_int_equal(nsecrets(), n0 + 2);
}

/* A session request for taskid (quote for quote_task, measured m, by platform p). */
struct req {
	struct decc_tee_session_request r;
	uint8_t eph_sk[32];
	char json[4096];
};

static void sign_auth(struct decc_tee_authorization *a, const uint8_t *pool_sk)
{
	uint8_t h[32];

	decc_poco_authorization_hash(h, &a->worker, a->taskid, &a->enclave_challenge);
	assert_int_equal(decc_eip191_sign(a->signature, h, 32, pool_sk), 0);
}

static void make_req(struct req *q, const uint8_t taskid[32], uint64_t idx,
		     const decc_address *chal, const struct decc_tee_platform *p,
		     const uint8_t quote_task[32], const uint8_t m[32], const uint8_t *pool_sk,
		     const uint8_t *worker_sk)
{
	struct decc_buf j = DECC_BUF_INIT;
	uint8_t h[32];

	memset(q, 0, sizeof(*q));
	memcpy(q->r.auth.taskid, taskid, 32);
	memcpy(q->r.auth.dealid, W->dealid, 32);
	q->r.auth.task_index = idx;
	q->r.auth.worker = W->worker;
	q->r.auth.enclave_challenge = *chal;
	sign_auth(&q->r.auth, pool_sk);
	decc_poco_authorization_hash(h, &q->r.auth.worker, q->r.auth.taskid,
				     &q->r.auth.enclave_challenge);
	assert_int_equal(decc_eip191_sign(q->r.worker_signature, h, 32, worker_sk), 0);
	q->r.quote.version = DECC_TEE_QUOTE_VERSION;
	memcpy(q->r.quote.measurement, m, 32);
	memcpy(q->r.quote.taskid, quote_task, 32);
	assert_int_equal(decc_secp256k1_keygen(q->eph_sk), 0);
	assert_int_equal(decc_secp256k1_pubkey(q->r.quote.ephemeral_pub, q->eph_sk), 0);
	assert_int_equal(decc_random_bytes(q->r.quote.nonce, 32), 0);
	assert_int_equal(p->quote(p->ctx, &q->r.quote), 0);
	assert_int_equal(decc_tee_session_request_json(&j, &q->r), 0);
	assert_true(j.len < sizeof(q->json));
	memcpy(q->json, j.data, j.len);
	decc_buf_release(&j);
}

static void get_challenge(decc_address *out, const uint8_t taskid[32])
{
	struct answer a;

	challenge(&a, taskid, W->pool_sk);
	assert_int_equal(a.status, 200);
	a.body[42] = 0;
	assert_int_equal(decc_address_parse(out, a.body), 0);
}

/* No answer carries a stored secret in the clear. */
static void no_secret_in(const struct answer *a)
{
	assert_null(memmem(a->body, a->len, DATASET_KEY, strlen(DATASET_KEY)));
	assert_null(memmem(a->body, a->len, REQUESTER_SECRET, strlen(REQUESTER_SECRET)));
}

static void refused(const struct req *q, unsigned status, const char *why)
{
	struct answer a;
	uint64_t n0 = nsecrets();

	call(&a, W->svc, "POST", "/tee/session", NULL, q->json, false);
	assert_int_equal(a.status, status);
	if (!strstr(a.error, why))
		fail_msg("refusal '%s' does not say '%s'", a.error, why);
	assert_non_null(strstr(a.cause, "TEE_SESSION_GENERATION_"));
	no_secret_in(&a);
	assert_int_equal(nsecrets(), n0);
}

static void test_session(void **state)
{
	struct decc_tee_session s;
	struct decc_buf box = DECC_BUF_INIT, plain;
	struct answer a;
	struct req q;
	decc_address chal, chal2, other;
	uint8_t other_m[32], sk[32], wrong[32];
	json_t *j;
	const char *v;

	(void)state;
	put(DECC_SMS_WEB3, &W->dataset, NULL, DATASET_KEY);
	put(DECC_SMS_REQUESTER, &W->requester, "tok", REQUESTER_SECRET);
	get_challenge(&chal, W->taskid);
	get_challenge(&chal2, W->taskid2);

	/* the valid request: 200, the session sealed to the quote's ephemeral key */
	make_req(&q, W->taskid, 0, &chal, &W->platform, W->taskid, W->measurement, W->pool_sk,
		 W->worker_sk);
	call(&a, W->svc, "POST", "/tee/session", NULL, q.json, false);
	assert_int_equal(a.status, 200);
	no_secret_in(&a);
	j = json_loadb(a.body, a.len, 0, NULL);
	assert_non_null(j);
	v = json_string_value(json_object_get(j, "box"));
	assert_non_null(v);
	assert_non_null(strstr(json_string_value(json_object_get(j, "sessionId")), "0000"));
	assert_int_equal(decc_base64_decode(&box, v, strlen(v)), 0);
	json_decref(j);
	decc_buf_init_secret(&plain, 1 << 20);
	/* only the enclave's ephemeral key opens it */
	memset(wrong, 0x44, 32);
	assert_int_equal(decc_tee_open(&plain, wrong, W->taskid, box.data, box.len), DECC_EAUTH);
	assert_int_equal(decc_tee_open(&plain, q.eph_sk, W->taskid2, box.data, box.len),
			 DECC_EAUTH);
	assert_int_equal(decc_tee_open(&plain, q.eph_sk, W->taskid, box.data, box.len), 0);
	assert_int_equal(decc_tee_session_parse(&s, (const char *)plain.data, plain.len), 0);
	assert_string_equal(decc_tee_env_get(&s.pre, "IEXEC_DATASET_KEY"), DATASET_KEY);
	assert_string_equal(decc_tee_env_get(&s.app, "IEXEC_REQUESTER_SECRET_1"), REQUESTER_SECRET);
	assert_string_equal(decc_tee_env_get(&s.post, "RESULT_STORAGE_PROXY"),
			    "http://127.0.0.1:1/proxy");
	/* the enclave key it carries is the challenge's */
	assert_int_equal(decc_hex_decode_exact(
			     sk, 32, decc_tee_env_get(&s.post, "SIGN_TEE_CHALLENGE_PRIVATE_KEY")),
			 0);
	assert_int_equal(decc_address_from_seckey(&other, sk), 0);
	assert_true(decc_address_eq(&other, &chal));
	assert_memory_equal(s.app_fingerprint, W->measurement, 32);
	decc_tee_session_release(&s);
	decc_buf_release(&plain);
	decc_buf_release(&box);

	/* a quote signed by a platform key the SMS does not trust */
	make_req(&q, W->taskid, 0, &chal, &W->rogue, W->taskid, W->measurement, W->pool_sk,
		 W->worker_sk);
	refused(&q, 401, "");
	/* the measurement of another image */
	decc_sha256(other_m, "another image", 13);
	make_req(&q, W->taskid, 0, &chal, &W->platform, W->taskid, other_m, W->pool_sk,
		 W->worker_sk);
	refused(&q, 401, "measurement");
	/* a valid quote of task 1 replayed in a request for task 2 */
	make_req(&q, W->taskid2, 1, &chal2, &W->platform, W->taskid, W->measurement, W->pool_sk,
		 W->worker_sk);
	refused(&q, 401, "another task");
	/* an authorization not signed by the workerpool owner */
	make_req(&q, W->taskid, 0, &chal, &W->platform, W->taskid, W->measurement, W->other_sk,
		 W->worker_sk);
	refused(&q, 401, "workerpool owner");
	/* a request not signed by the worker wallet */
	make_req(&q, W->taskid, 0, &chal, &W->platform, W->taskid, W->measurement, W->pool_sk,
		 W->other_sk);
	refused(&q, 401, "worker wallet");
	/* another task's enclave challenge */
	make_req(&q, W->taskid, 0, &chal2, &W->platform, W->taskid, W->measurement, W->pool_sk,
		 W->worker_sk);
	refused(&q, 401, "enclave challenge");
	/* the task is no longer ACTIVE */
	make_req(&q, W->taskid, 0, &chal, &W->platform, W->taskid, W->measurement, W->pool_sk,
		 W->worker_sk);
	W->active = false;
	refused(&q, 401, "not ACTIVE");
	W->active = true;
	/* not a TEE deal */
	W->tee = false;
	refused(&q, 401, "not a TEE deal");
	W->tee = true;

	/* an SMS trusting no platform refuses everything */
	call(&a, W->svc_untrusting, "POST", "/tee/session", NULL, q.json, false);
	assert_int_equal(a.status, 403);
	assert_non_null(strstr(a.error, "--trust-platform"));
	/* malformed, empty, oversize bodies; wrong method */
	call(&a, W->svc, "POST", "/tee/session", NULL, "{\"authorization\":1}", false);
	assert_int_equal(a.status, 400);
	assert_string_equal(a.cause, "TEE_SESSION_GENERATION_NO_SESSION_REQUEST");
	call(&a, W->svc, "POST", "/tee/session", NULL, NULL, false);
	assert_int_equal(a.status, 400);
	call(&a, W->svc, "POST", "/tee/session", NULL, q.json, true);
	assert_int_equal(a.status, 413);
	call(&a, W->svc, "GET", "/tee/session", NULL, NULL, false);
	assert_int_equal(a.status, 405);
}

static void test_session_missing_dataset_key(void **state)
{
	struct req q;
	decc_address chal;

	(void)state;
	get_challenge(&chal, W->taskid);
	make_req(&q, W->taskid, 0, &chal, &W->platform, W->taskid, W->measurement, W->pool_sk,
		 W->worker_sk);
	refused(&q, 404, "requester secret");
	put(DECC_SMS_REQUESTER, &W->requester, "tok", REQUESTER_SECRET);
	make_req(&q, W->taskid, 0, &chal, &W->platform, W->taskid, W->measurement, W->pool_sk,
		 W->worker_sk);
	refused(&q, 404, "dataset key");
	{
		struct answer a;

		call(&a, W->svc, "POST", "/tee/session", NULL, q.json, false);
		assert_string_equal(a.cause,
				    "TEE_SESSION_GENERATION_PRE_COMPUTE_GET_DATASET_SECRET_FAILED");
	}
}

static void test_request_parse(void **state)
{
	struct decc_sms_http_request r = { .method = "POST" };
	struct decc_sms_op op;
	unsigned st;
	char path[128], tid[67];

	(void)state;
	decc_hex_encode(tid, W->taskid, 32, true);
	snprintf(path, sizeof(path), "/tee/challenges/%s", tid);
	r.path = path;
	r.authorization = "0xab";
	assert_int_equal(decc_sms_request_parse(&op, &st, &r), 0);
	assert_int_equal(op.op, DECC_SMS_OP_CHALLENGE);
	assert_memory_equal(op.taskid, W->taskid, 32);
	assert_int_equal(op.id.kind, DECC_SMS_ENCLAVE_KEY);
	assert_int_equal(op.id.target_len, 32);
	assert_string_equal(op.authorization, "0xab");
	snprintf(path, sizeof(path), "/tee/challenges/%s/x", tid);
	assert_int_not_equal(decc_sms_request_parse(&op, &st, &r), 0);
	assert_int_equal(st, 404);
	r.path = "/tee/session";
	r.body = (const uint8_t *)"{}";
	r.body_len = 2;
	assert_int_equal(decc_sms_request_parse(&op, &st, &r), 0);
	assert_int_equal(op.op, DECC_SMS_OP_SESSION);
	assert_int_equal(op.value_len, 2);
	r.body_len = DECC_SMS_SESSION_REQUEST_MAX + 1;
	assert_int_not_equal(decc_sms_request_parse(&op, &st, &r), 0);
	assert_int_equal(st, 413);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_challenge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_missing_dataset_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_parse, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
