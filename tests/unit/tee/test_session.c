/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Quotes (sign/verify, forged, replayed, wrong measurement), the SMS-side session checks over a
 * scripted ledger/secret backend, session sealing, and a whole enclave run (in-process SMS,
 * in-process store, a scripted app runner).
 */
#include <jansson.h>

#include "decc/crypto.h"
#include "decc/file.h"
#include "decc/poco.h"
#include "decc/protect.h"
#include "decc/result.h"
#include "decc/store.h"
#include "decc/tee.h"
#include "tee_test.h"

/* ---- a scripted world: keys, a task, secrets ---- */

struct world {
	char *dir, *platform_key;
	struct decc_tee_platform platform, verifier;
	uint8_t pool_sk[32], worker_sk[32], enclave_sk[32], other_sk[32];
	decc_address pool, worker, enclave, requester, beneficiary, app, dataset;
	uint8_t taskid[32], dealid[32], measurement[32];
	bool active, has_enclave_key, has_dataset_key, tee_tag;
	const char *params;
	char dataset_url[128];
	uint8_t dataset_checksum[32];
	char dataset_key_b64[64];
	char result_key_b64[8192];
};

static struct world *W;

static void key(uint8_t sk[32], decc_address *a, uint8_t fill)
{
	memset(sk, fill, 32);
	assert_int_equal(decc_address_from_seckey(a, sk), 0);
}

static int setup(void **state)
{
	decc_address pa;

	(void)state;
	W = calloc(1, sizeof(*W));
	W->dir = tt_mkdtemp();
	W->platform_key = tt_path(W->dir, "platform.key");
	assert_int_equal(decc_tee_sim_key_create(&pa, W->platform_key), 0);
	assert_int_equal(decc_tee_sim_key_create(&pa, W->platform_key), DECC_EEXISTS);
	assert_int_equal(decc_tee_sim_platform(&W->platform, W->platform_key), 0);
	assert_int_equal(decc_tee_sim_verifier(&W->verifier, &pa, 1), 0);
	key(W->pool_sk, &W->pool, 0x21);
	key(W->worker_sk, &W->worker, 0x22);
	key(W->enclave_sk, &W->enclave, 0x23);
	key(W->other_sk, &W->requester, 0x24);
	memset(W->beneficiary.b, 0xbe, 20);
	memset(W->app.b, 0xaa, 20);
	memset(W->dataset.b, 0xda, 20);
	memset(W->dealid, 0xd1, 32);
	{
		decc_u256 idx = { 0 };

		decc_poco_task_id(W->taskid, W->dealid, &idx);
	}
	decc_sha256(W->measurement, "app image", 9);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	decc_tee_platform_release(&W->platform);
	decc_tee_platform_release(&W->verifier);
	free(W->platform_key);
	tt_rm_rf(W->dir);
	free(W);
	return 0;
}

/* Reset the scripted world to a valid task before each test. */
static int reset(void **state)
{
	(void)state;
	W->active = true;
	W->has_enclave_key = true;
	W->has_dataset_key = true;
	W->tee_tag = true;
	W->params = "{\"iexec_args\":\"--x 1\",\"iexec_input_files\":[\"https://example.org/f\"],"
		    "\"iexec_secrets\":{\"1\":\"token\"},\"iexec_result_encryption\":true}";
	snprintf(W->dataset_url, sizeof(W->dataset_url), "/ipfs/bafkreiexample");
	memset(W->dataset_checksum, 0xcc, 32);
	snprintf(W->dataset_key_b64, sizeof(W->dataset_key_b64), "%s",
		 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
	snprintf(W->result_key_b64, sizeof(W->result_key_b64), "%s", "UEVN");
	return 0;
}

static int be_task(void *ctx, struct decc_tee_task_info *t, const uint8_t taskid[32])
{
	(void)ctx;
	if (memcmp(taskid, W->taskid, 32) != 0)
		return DECC_ENOTFOUND;
	memset(t, 0, sizeof(*t));
	t->active = W->active;
	memcpy(t->dealid, W->dealid, 32);
	t->bot_size = 1;
	t->tag[31] = W->tee_tag ? 0x09 : 0;
	t->app = W->app;
	t->dataset = W->dataset;
	t->workerpool_owner = W->pool;
	t->requester = W->requester;
	t->beneficiary = W->beneficiary;
	t->params = strdup(W->params);
	t->app_multiaddr = strdup("registry.example/app:1");
	memcpy(t->app_checksum, W->measurement, 32);
	t->dataset_multiaddr = strdup(W->dataset_url);
	memcpy(t->dataset_checksum, W->dataset_checksum, 32);
	t->max_execution_time = 300;
	return 0;
}

static int be_secret(void *ctx, struct decc_buf *out, enum decc_tee_secret_kind kind,
		     const decc_address *target, const char *name)
{
	(void)ctx;
	switch (kind) {
	case DECC_TEE_SECRET_DATASET_KEY:
		if (!W->has_dataset_key || !decc_address_eq(target, &W->dataset))
			return DECC_ENOTFOUND;
		return decc_buf_append_str(out, W->dataset_key_b64);
	case DECC_TEE_SECRET_REQUESTER:
		if (!decc_address_eq(target, &W->requester) || strcmp(name, "token") != 0)
			return DECC_ENOTFOUND;
		return decc_buf_append_str(out, "requester-token");
	case DECC_TEE_SECRET_RESULT_KEY:
		if (!decc_address_eq(target, &W->beneficiary))
			return DECC_ENOTFOUND;
		return decc_buf_append_str(out, W->result_key_b64);
	case DECC_TEE_SECRET_APP_DEVELOPER:
	default:
		return DECC_ENOTFOUND;
	}
}

static int be_enclave_key(void *ctx, uint8_t sk[32], const uint8_t taskid[32])
{
	(void)ctx;
	if (!W->has_enclave_key || memcmp(taskid, W->taskid, 32) != 0)
		return DECC_ENOTFOUND;
	memcpy(sk, W->enclave_sk, 32);
	return 0;
}

static const struct decc_tee_session_backend backend = {
	.task = be_task,
	.secret = be_secret,
	.enclave_key = be_enclave_key,
};

/* A valid request from the worker, signed by the pool owner, quoted by the platform. */
static void request(struct decc_tee_session_request *r, uint8_t eph_sk[32])
{
	uint8_t h[32];

	memset(r, 0, sizeof(*r));
	memcpy(r->auth.taskid, W->taskid, 32);
	memcpy(r->auth.dealid, W->dealid, 32);
	r->auth.worker = W->worker;
	r->auth.enclave_challenge = W->enclave;
	decc_poco_authorization_hash(h, &W->worker, W->taskid, &W->enclave);
	assert_int_equal(decc_eip191_sign(r->auth.signature, h, 32, W->pool_sk), 0);
	assert_int_equal(decc_eip191_sign(r->worker_signature, h, 32, W->worker_sk), 0);
	r->quote.version = DECC_TEE_QUOTE_VERSION;
	memcpy(r->quote.measurement, W->measurement, 32);
	memcpy(r->quote.taskid, W->taskid, 32);
	assert_int_equal(decc_secp256k1_keygen(eph_sk), 0);
	assert_int_equal(decc_secp256k1_pubkey(r->quote.ephemeral_pub, eph_sk), 0);
	assert_int_equal(W->platform.quote(W->platform.ctx, &r->quote), 0);
}

static int build(const struct decc_tee_session_request *r, struct decc_tee_session *s)
{
	struct decc_buf b;
	int rc;

	decc_buf_init_secret(&b, 1 << 20);
	rc = decc_tee_session_build(&b, &W->verifier, &backend, r);
	if (rc == 0 && s)
		assert_int_equal(decc_tee_session_parse(s, (char *)b.data, b.len), 0);
	decc_buf_release(&b);
	return rc;
}

/* ---- quotes ---- */

static void test_quote(void **state)
{
	struct decc_tee_session_request r;
	struct decc_tee_quote q;
	struct decc_tee_platform other, untrusting;
	uint8_t enc[DECC_TEE_QUOTE_LEN], eph[32];
	decc_address who, oa;
	char *okey = tt_path(W->dir, "other.key");

	(void)state;
	request(&r, eph);
	decc_tee_quote_encode(enc, &r.quote);
	assert_int_equal(decc_tee_quote_decode(&q, enc, sizeof(enc)), 0);
	{
		uint8_t enc2[DECC_TEE_QUOTE_LEN];

		decc_tee_quote_encode(enc2, &q);
		assert_memory_equal(enc, enc2, sizeof(enc));
	}
	assert_int_equal(decc_tee_quote_decode(&q, enc, sizeof(enc) - 1), DECC_EINVAL);
	enc[0] = 2;
	assert_int_equal(decc_tee_quote_decode(&q, enc, sizeof(enc)), DECC_EINVAL);
	assert_int_equal(W->verifier.verify(W->verifier.ctx, &r.quote, &who), 0);
	/* forged: a quote made with another platform key */
	assert_int_equal(decc_tee_sim_key_create(&oa, okey), 0);
	assert_int_equal(decc_tee_sim_platform(&other, okey), 0);
	q = r.quote;
	assert_int_equal(other.quote(other.ctx, &q), 0);
	assert_int_equal(W->verifier.verify(W->verifier.ctx, &q, NULL), DECC_EAUTH);
	/* altered after signing: measurement, task id */
	q = r.quote;
	q.measurement[0] ^= 1;
	assert_int_equal(W->verifier.verify(W->verifier.ctx, &q, NULL), DECC_EAUTH);
	q = r.quote;
	q.taskid[5] ^= 1;
	assert_int_equal(W->verifier.verify(W->verifier.ctx, &q, NULL), DECC_EAUTH);
	/* a verifier trusting nobody */
	assert_int_equal(decc_tee_sim_verifier(&untrusting, NULL, 0), 0);
	assert_int_equal(untrusting.verify(untrusting.ctx, &r.quote, NULL), DECC_EAUTH);
	/* a key file readable by others is refused */
	assert_int_equal(chmod(okey, 0644), 0);
	assert_int_equal(decc_tee_sim_key_address(&oa, okey), DECC_EAUTH);
	decc_tee_platform_release(&other);
	decc_tee_platform_release(&untrusting);
	free(okey);
}

/* ---- session checks ---- */

static void test_session_ok(void **state)
{
	struct decc_tee_session_request r, back;
	struct decc_tee_session s;
	struct decc_buf j = DECC_BUF_INIT;
	uint8_t eph[32], h[32];
	char want[67];

	(void)state;
	request(&r, eph);
	assert_int_equal(decc_tee_session_request_json(&j, &r), 0);
	assert_int_equal(decc_tee_session_request_parse(&back, (char *)j.data, j.len), 0);
	{
		struct decc_buf j2 = DECC_BUF_INIT;

		assert_int_equal(decc_tee_session_request_json(&j2, &back), 0);
		assert_string_equal(decc_buf_str(&j), decc_buf_str(&j2));
		assert_memory_equal(back.quote.signature, r.quote.signature, 65);
		assert_memory_equal(back.auth.signature, r.auth.signature, 65);
		decc_buf_release(&j2);
	}
	decc_buf_release(&j);
	assert_int_equal(build(&r, &s), 0);
	assert_true(s.has_pre);
	assert_string_equal(decc_tee_env_get(&s.pre, "IEXEC_DATASET_KEY"), W->dataset_key_b64);
	assert_string_equal(decc_tee_env_get(&s.pre, "IEXEC_DATASET_URL"), W->dataset_url);
	assert_string_equal(decc_tee_env_get(&s.pre, "IEXEC_INPUT_FILE_URL_1"),
			    "https://example.org/f");
	assert_string_equal(decc_tee_env_get(&s.app, "IEXEC_REQUESTER_SECRET_1"),
			    "requester-token");
	assert_null(decc_tee_env_get(&s.app, "IEXEC_DATASET_KEY")); /* never to the app */
	assert_null(decc_tee_env_get(&s.app, "SIGN_TEE_CHALLENGE_PRIVATE_KEY"));
	assert_string_equal(decc_tee_env_get(&s.app, "IEXEC_INPUT_FILES_NUMBER"), "1");
	decc_sha256(h, "https://example.org/f", 21);
	decc_hex_encode(want, h, 32, true);
	assert_string_equal(decc_tee_env_get(&s.app, "IEXEC_INPUT_FILE_NAME_1"), want);
	assert_string_equal(decc_tee_env_get(&s.post, "RESULT_ENCRYPTION"), "true");
	assert_string_equal(decc_tee_env_get(&s.post, "RESULT_ENCRYPTION_PUBLIC_KEY"), "UEVN");
	decc_hex_encode(want, W->enclave_sk, 32, true);
	assert_string_equal(decc_tee_env_get(&s.post, "SIGN_TEE_CHALLENGE_PRIVATE_KEY"), want);
	assert_string_equal(s.app_args, "--x 1");
	assert_int_equal(s.app_max_seconds, 300);
	assert_false(s.app_network);
	assert_memory_equal(s.app_fingerprint, W->measurement, 32);
	decc_tee_session_release(&s);
}

static void test_session_refusals(void **state)
{
	struct decc_tee_session_request r;
	uint8_t eph[32], h[32];

	(void)state;
	/* replayed: a quote for another task */
	request(&r, eph);
	r.quote.taskid[0] ^= 1;
	assert_int_equal(W->platform.quote(W->platform.ctx, &r.quote), 0);
	assert_int_equal(build(&r, NULL), DECC_EAUTH);
	/* wrong measurement (another image) */
	request(&r, eph);
	r.quote.measurement[3] ^= 1;
	assert_int_equal(W->platform.quote(W->platform.ctx, &r.quote), 0);
	assert_int_equal(build(&r, NULL), DECC_EAUTH);
	assert_non_null(strstr(decc_error_last(), "measurement"));
	/* authorization not signed by the pool owner */
	request(&r, eph);
	decc_poco_authorization_hash(h, &W->worker, W->taskid, &W->enclave);
	assert_int_equal(decc_eip191_sign(r.auth.signature, h, 32, W->other_sk), 0);
	assert_int_equal(build(&r, NULL), DECC_EAUTH);
	/* worker signature by someone else */
	request(&r, eph);
	assert_int_equal(decc_eip191_sign(r.worker_signature, h, 32, W->other_sk), 0);
	assert_int_equal(build(&r, NULL), DECC_EAUTH);
	/* another enclave challenge than the SMS's */
	request(&r, eph);
	r.auth.enclave_challenge = W->requester;
	decc_poco_authorization_hash(h, &W->worker, W->taskid, &W->requester);
	assert_int_equal(decc_eip191_sign(r.auth.signature, h, 32, W->pool_sk), 0);
	assert_int_equal(decc_eip191_sign(r.worker_signature, h, 32, W->worker_sk), 0);
	assert_int_equal(build(&r, NULL), DECC_EAUTH);
	/* task not ACTIVE, not TEE, no enclave key */
	request(&r, eph);
	W->active = false;
	assert_int_equal(build(&r, NULL), DECC_EAUTH);
	W->active = true;
	W->tee_tag = false;
	assert_int_equal(build(&r, NULL), DECC_EAUTH);
	W->tee_tag = true;
	W->has_enclave_key = false;
	assert_int_equal(build(&r, NULL), DECC_EAUTH);
	W->has_enclave_key = true;
	/* a missing dataset key, a missing requester secret */
	W->has_dataset_key = false;
	assert_int_equal(build(&r, NULL), DECC_ENOTFOUND);
	W->has_dataset_key = true;
	W->params = "{\"iexec_secrets\":{\"1\":\"absent\"}}";
	assert_int_equal(build(&r, NULL), DECC_ENOTFOUND);
	W->params = "{\"iexec_secrets\":{\"0\":\"token\"}}";
	assert_int_equal(build(&r, NULL), DECC_EINVAL);
	/* an unknown task */
	r.auth.taskid[0] ^= 1;
	r.quote.taskid[0] ^= 1;
	assert_int_equal(W->platform.quote(W->platform.ctx, &r.quote), 0);
	assert_int_equal(build(&r, NULL), DECC_EAUTH);
}

static void test_plain_args_params(void **state)
{
	struct decc_tee_session_request r;
	struct decc_tee_session s;
	uint8_t eph[32];

	(void)state;
	W->params = "not json at all";
	request(&r, eph);
	assert_int_equal(build(&r, &s), 0);
	assert_string_equal(s.app_args, "not json at all");
	assert_string_equal(decc_tee_env_get(&s.app, "IEXEC_INPUT_FILES_NUMBER"), "0");
	assert_string_equal(decc_tee_env_get(&s.post, "RESULT_ENCRYPTION"), "false");
	decc_tee_session_release(&s);
}

/* ---- sealing ---- */

static void test_seal(void **state)
{
	struct decc_buf box = DECC_BUF_INIT, out = DECC_BUF_INIT;
	uint8_t sk[32], pub[64], other[32], aad[32];
	const char *msg = "the session: keys and secrets";

	(void)state;
	memset(aad, 7, 32);
	assert_int_equal(decc_secp256k1_keygen(sk), 0);
	assert_int_equal(decc_secp256k1_keygen(other), 0);
	assert_int_equal(decc_secp256k1_pubkey(pub, sk), 0);
	assert_int_equal(decc_tee_seal(&box, pub, aad, (const uint8_t *)msg, strlen(msg)), 0);
	assert_null(memmem(box.data, box.len, "secrets", 7));
	assert_int_equal(decc_tee_open(&out, sk, aad, box.data, box.len), 0);
	assert_int_equal(out.len, strlen(msg));
	assert_memory_equal(out.data, msg, out.len);
	assert_int_equal(decc_tee_open(&out, other, aad, box.data, box.len), DECC_EAUTH);
	aad[0] ^= 1;
	assert_int_equal(decc_tee_open(&out, sk, aad, box.data, box.len), DECC_EAUTH);
	aad[0] ^= 1;
	for (size_t i = 0; i < box.len; i += 7) {
		box.data[i] ^= 0x40;
		assert_true(decc_tee_open(&out, sk, aad, box.data, box.len) < 0);
		box.data[i] ^= 0x40;
	}
	assert_int_equal(decc_tee_open(&out, sk, aad, box.data, box.len - 16), DECC_EAUTH);
	assert_int_equal(decc_tee_open(&out, sk, aad, box.data, 20), DECC_EINVAL);
	assert_int_equal(out.len, strlen(msg)); /* untouched by the failures */
	decc_buf_release(&box);
	decc_buf_release(&out);
}

/* ---- a whole enclave run ---- */

/* The SMS, in-process: parse, build, seal. */
static int sms_post(void *ctx, struct decc_buf *resp, unsigned *status, const char *url,
		    const char *body, size_t n)
{
	struct decc_tee_session_request r;
	struct decc_buf s, box = DECC_BUF_INIT, b64 = DECC_BUF_INIT;
	int rc;

	(void)ctx;
	assert_non_null(strstr(url, "/tee/session"));
	decc_buf_init_secret(&s, 1 << 20);
	rc = decc_tee_session_request_parse(&r, body, n);
	if (rc == 0)
		rc = decc_tee_session_build(&s, &W->verifier, &backend, &r);
	if (rc == 0)
		rc = decc_tee_seal(&box, r.quote.ephemeral_pub, r.auth.taskid, s.data, s.len);
	if (rc == 0)
		rc = decc_base64_encode(&b64, box.data, box.len);
	if (rc == 0) {
		*status = 200;
		rc = decc_buf_appendf(resp, "{\"box\":\"%s\"}", decc_buf_str(&b64));
	} else {
		*status = 401;
		rc = decc_buf_appendf(resp, "{\"error\":\"refused\"}");
	}
	decc_buf_release(&s);
	decc_buf_release(&box);
	decc_buf_release(&b64);
	return rc;
}

struct app_seen {
	char dataset[256];
	bool env_ok;
	bool key_leaked;
};

static int app_measure(void *ctx, uint8_t out[32], const char *image)
{
	(void)ctx;
	assert_string_equal(image, "hello.oci");
	memcpy(out, W->measurement, 32);
	return 0;
}

/* The "app": reads the dataset, writes a result and computed.json. */
static int app_run(void *ctx, int *code, bool *timed_out, const struct decc_tee_app_spec *s)
{
	struct app_seen *seen = ctx;
	char name[43], *p, *data;

	decc_address_to_checksum(name, &W->dataset);
	p = tt_path(s->in_dir, name);
	data = tt_read(p, NULL);
	snprintf(seen->dataset, sizeof(seen->dataset), "%s", data);
	free(data);
	free(p);
	for (size_t i = 0; s->env[i]; i++) {
		if (strncmp(s->env[i], "IEXEC_TASK_ID=0x", 16) == 0)
			seen->env_ok = true;
		if (strstr(s->env[i], "SIGN_TEE") || strstr(s->env[i], "DATASET_KEY"))
			seen->key_leaked = true;
	}
	tt_write(s->out_dir, "result.txt", "hello from the enclave\n");
	tt_write(s->out_dir, "computed.json",
		 "{\"deterministic-output-path\":\"/iexec_out/result.txt\"}");
	*code = 0;
	*timed_out = false;
	return 0;
}

static void test_enclave_run(void **state)
{
	struct decc_store_server_opts so = { 0 };
	struct decc_store_server *srv = NULL;
	struct decc_tee_app_runner runner;
	struct decc_tee_enclave_opts o = { 0 };
	struct decc_tee_session_request r;
	struct decc_tee_result res;
	struct app_seen seen = { 0 };
	struct decc_rsa *rsa = NULL;
	struct decc_buf pub = DECC_BUF_INIT, priv = DECC_BUF_INIT, b64 = DECC_BUF_INIT;
	char api[64], cid[DECC_CID_STR_MAX], sum[DECC_PROTECT_CHECKSUM_STR_MAX];
	char *work = tt_path(W->dir, "work"), *plain = tt_path(W->dir, "dataset.bin");
	char *enc = tt_path(W->dir, "dataset.enc"), *got = tt_path(W->dir, "got.zip");
	char *dec = tt_path(W->dir, "dec.zip"), *un = tt_path(W->dir, "un"), *p;
	uint8_t eph[32], dkey[32];
	decc_address signer;

	(void)state;
	/* a store, a protected dataset in it, a beneficiary key */
	so.data_dir = tt_path(W->dir, "store");
	so.host = "127.0.0.1";
	assert_int_equal(decc_store_server_start(&srv, &so), 0);
	snprintf(api, sizeof(api), "http://127.0.0.1:%u", decc_store_server_port(srv));
	tt_write(W->dir, "dataset.bin", "alice@example.org");
	assert_int_equal(decc_protect_key_new(dkey), 0);
	decc_protect_key_encode(W->dataset_key_b64, dkey);
	assert_int_equal(decc_protect_encrypt_file(enc, sum, plain, dkey, 0, NULL), 0);
	test_unhex(W->dataset_checksum, 32, sum);
	assert_int_equal(decc_store_client_add(cid, NULL, api, enc, NULL), 0);
	snprintf(W->dataset_url, sizeof(W->dataset_url), "/ipfs/%s", cid);
	assert_int_equal(decc_rsa_generate(&rsa, 2048), 0);
	assert_int_equal(decc_rsa_public_pem(&pub, rsa), 0);
	assert_int_equal(decc_rsa_private_pem(&priv, rsa), 0);
	assert_int_equal(decc_base64_encode(&b64, pub.data, pub.len), 0);
	snprintf(W->result_key_b64, sizeof(W->result_key_b64), "%s", decc_buf_str(&b64));
	W->params = "{\"iexec_result_encryption\":true}";

	request(&r, eph);
	runner =
	    (struct decc_tee_app_runner){ .ctx = &seen, .measure = app_measure, .run = app_run };
	assert_int_equal(mkdir(work, 0700), 0);
	o.sms_url = "http://sms.invalid";
	o.store_api = api;
	o.work_dir = work;
	o.image = "hello.oci";
	o.platform = &W->platform;
	o.runner = &runner;
	o.auth = r.auth;
	memcpy(o.worker_signature, r.worker_signature, 65);
	o.post = sms_post;
	assert_int_equal(decc_tee_enclave_run(&res, &o), 0);
	assert_string_equal(seen.dataset, "alice@example.org");
	assert_true(seen.env_ok);
	assert_false(seen.key_leaked);
	assert_true(res.encrypted);
	assert_non_null(res.location);
	assert_int_equal(decc_tee_enclave_signer(&signer, res.enclave_sign, &W->worker, W->taskid,
						 res.result_digest),
			 0);
	assert_true(decc_address_eq(&signer, &W->enclave));
	assert_true(decc_address_eq(&res.enclave_challenge, &W->enclave));
	/* the requester's side: download, decrypt, unzip, read */
	assert_int_equal(decc_store_client_cat(api, res.location + 6, got, true), 0);
	assert_int_equal(decc_result_decrypt(dec, got, (char *)priv.data, priv.len), 0);
	assert_int_equal(decc_result_unzip(un, dec), 0);
	p = tt_path(un, "result.txt");
	{
		char *t = tt_read(p, NULL);
		uint8_t h[32];

		assert_string_equal(t, "hello from the enclave\n");
		decc_sha256(h, t, strlen(t));
		assert_memory_equal(h, res.result_digest, 32);
		free(t);
	}
	free(p);
	decc_tee_result_release(&res);

	/* a wrong dataset checksum stops the run before the app */
	memset(&seen, 0, sizeof(seen));
	W->dataset_checksum[0] ^= 1;
	tt_rm_rf(work);
	work = tt_path(W->dir, "work2");
	assert_int_equal(mkdir(work, 0700), 0);
	o.work_dir = work;
	{
		char cause[DECC_TEE_CAUSE_MAX] = "";

		o.cause = cause;
		assert_int_equal(decc_tee_enclave_run(&res, &o), DECC_EAUTH);
		assert_string_equal(cause, "PRE_COMPUTE_INVALID_DATASET_CHECKSUM");
		o.cause = NULL;
	}
	assert_string_equal(seen.dataset, "");
	/* a platform the SMS does not trust */
	{
		struct decc_tee_platform other;
		char *k = tt_path(W->dir, "rogue.key");

		assert_int_equal(decc_tee_sim_key_create(NULL, k), 0);
		assert_int_equal(decc_tee_sim_platform(&other, k), 0);
		o.platform = &other;
		assert_int_equal(decc_tee_enclave_run(&res, &o), DECC_EAUTH);
		decc_tee_platform_release(&other);
		free(k);
	}
	decc_store_server_stop(srv);
	decc_rsa_free(rsa);
	decc_buf_release(&pub);
	decc_buf_release(&priv);
	decc_buf_release(&b64);
	free((char *)so.data_dir);
	tt_rm_rf(work);
	free(plain);
	free(enc);
	free(got);
	free(dec);
	free(un);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_quote, reset),
		cmocka_unit_test_setup(test_session_ok, reset),
		cmocka_unit_test_setup(test_session_refusals, reset),
		cmocka_unit_test_setup(test_plain_args_params, reset),
		cmocka_unit_test_setup(test_seal, reset),
		cmocka_unit_test_setup(test_enclave_run, reset),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
