/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SMS request handling end to end, without HTTP: a store in a temporary directory and a
 * scripted ledger (who owns which dataset and app). Each refusal is checked for its status,
 * its reason and that nothing changed.
 */
#include "test.h"

#include <jansson.h>
#include <unistd.h>

#include "decc/sms.h"

/* dev keys: ALICE owns dataset DS and app APP; BOB owns dataset DS2 */
static uint8_t alice_sk[32], bob_sk[32];
static decc_address alice, bob, ds, ds2, app, unknown;
static bool chain_down;

static int fake_owner(void *ctx, decc_address *owner, enum decc_sms_kind kind,
		      const decc_address *asset)
{
	(void)ctx;
	if (chain_down)
		return decc_error_set(DECC_ERROR, "eth_call: connection refused");
	if (kind == DECC_SMS_WEB3 && decc_address_eq(asset, &ds)) {
		*owner = alice;
		return 0;
	}
	if (kind == DECC_SMS_WEB3 && decc_address_eq(asset, &ds2)) {
		*owner = bob;
		return 0;
	}
	if (kind == DECC_SMS_APP && decc_address_eq(asset, &app)) {
		*owner = alice;
		return 0;
	}
	return decc_error_set(DECC_ENOTFOUND, "unknown to the registry");
}

struct fx {
	char dir[64];
	struct decc_sms_store *store;
	struct decc_sms_service *svc;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct decc_sms_service_config cfg = { 0 };
	uint8_t master[32];
	char path[128];

	test_unhex(alice_sk, 32,
		   "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
	test_unhex(bob_sk, 32, "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
	assert_int_equal(decc_address_from_seckey(&alice, alice_sk), 0);
	assert_int_equal(decc_address_from_seckey(&bob, bob_sk), 0);
	memset(ds.b, 0xd1, 20);
	memset(ds2.b, 0xd2, 20);
	memset(app.b, 0xa1, 20);
	memset(unknown.b, 0xee, 20);
	chain_down = false;
	snprintf(f->dir, sizeof(f->dir), "/tmp/decc-sms-svc.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(path, sizeof(path), "%s/master.key", f->dir);
	assert_int_equal(decc_sms_master_key_load(master, NULL, path), 0);
	snprintf(path, sizeof(path), "%s/sms.db", f->dir);
	assert_int_equal(decc_sms_store_open(&f->store, path, master), 0);
	cfg.store = f->store;
	cfg.owner = fake_owner;
	cfg.max_secrets = 6;
	assert_int_equal(decc_sms_service_new(&f->svc, &cfg), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	decc_sms_service_free(f->svc);
	decc_sms_store_free(f->store);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

struct call {
	const char *method;
	char path[300];
	char query_addr[43];
	const char *name;
	char auth[140];
	const char *value;
	size_t value_len;
	enum decc_sms_kind kind;
};

/* A request for kind/target/name, signed by sk over sign_value (NULL: no header). */
static struct call mk(const char *method, enum decc_sms_kind kind, const decc_address *target,
		      const char *name, const char *value, const uint8_t *sk,
		      const decc_address *sign_target, const char *sign_value)
{
	struct call c = { .method = method, .value = value, .kind = kind, .name = name };
	char a[43];

	c.value_len = value ? strlen(value) : 0;
	decc_address_to_checksum(a, target);
	switch (kind) {
	case DECC_SMS_WEB3:
		snprintf(c.path, sizeof(c.path), "/secrets/web3");
		memcpy(c.query_addr, a, 43);
		break;
	case DECC_SMS_WEB2:
		snprintf(c.path, sizeof(c.path), "/secrets/web2");
		memcpy(c.query_addr, a, 43);
		break;
	case DECC_SMS_APP:
		snprintf(c.path, sizeof(c.path), "/apps/%s/secrets", a);
		break;
	default:
		snprintf(c.path, sizeof(c.path), "/requesters/%s/secrets/%s", a, name);
		break;
	}
	if (sk) {
		uint8_t ch[32], sig[65];
		const char *v = sign_value ? sign_value : value;

		decc_sms_challenge(ch, kind, sign_target ? sign_target : target, name,
				   name ? strlen(name) : 0, (const uint8_t *)v, strlen(v));
		assert_int_equal(decc_sms_sign(sig, ch, sk), 0);
		decc_hex_encode(c.auth, sig, 65, true);
	}
	return c;
}

/* Run a call; returns the status, copies the reason (or "") into why. */
static unsigned run(struct fx *f, const struct call *c, char *why, size_t cap)
{
	struct decc_sms_http_request r = {
		.method = c->method,
		.path = c->path,
		.authorization = c->auth[0] ? c->auth : NULL,
		.body = (const uint8_t *)c->value,
		.body_len = c->value_len,
	};
	struct decc_sms_response resp;
	unsigned st;

	if (c->kind == DECC_SMS_WEB3)
		r.secret_address = c->query_addr;
	if (c->kind == DECC_SMS_WEB2) {
		r.owner_address = c->query_addr;
		r.secret_name = c->name;
	}
	assert_int_equal(decc_sms_handle(f->svc, &resp, &r), 0);
	st = resp.status;
	if (why) {
		json_t *j = json_loadb((const char *)resp.body.data, resp.body.len, 0, NULL);
		json_t *e = j ? json_array_get(json_object_get(j, "error"), 0) : NULL;

		snprintf(why, cap, "%s", e ? json_string_value(e) : "");
		if (st >= 400)
			assert_non_null(e); /* every refusal says why */
		json_decref(j);
	}
	decc_buf_release(&resp.body);
	return st;
}

static bool exists(struct fx *f, enum decc_sms_kind kind, const decc_address *t, const char *name)
{
	struct call c = mk("HEAD", kind, t, name, NULL, NULL, NULL, NULL);
	unsigned st = run(f, &c, NULL, 0);

	assert_true(st == 204 || st == 404);
	return st == 204;
}

static void stored_is(struct fx *f, enum decc_sms_kind kind, const decc_address *t,
		      const char *name, const char *want)
{
	struct decc_sms_id id;
	struct decc_buf b;

	assert_int_equal(decc_sms_id_init(&id, kind, t, kind == DECC_SMS_APP ? "1" : name), 0);
	decc_buf_init_secret(&b, 8192);
	assert_int_equal(decc_sms_store_get(f->store, &b, &id), 0);
	assert_int_equal(b.len, strlen(want));
	assert_memory_equal(b.data, want, b.len);
	decc_buf_release(&b);
}

static void test_dataset_key(void **state)
{
	struct fx *f = *state;
	struct call c;
	char why[700];

	assert_false(exists(f, DECC_SMS_WEB3, &ds, NULL));
	/* a non-owner: refused, nothing stored */
	c = mk("POST", DECC_SMS_WEB3, &ds, NULL, "key-by-bob", bob_sk, NULL, NULL);
	assert_int_equal(run(f, &c, why, sizeof(why)), 401);
	assert_non_null(strstr(why, "is not the owner"));
	assert_false(exists(f, DECC_SMS_WEB3, &ds, NULL));
	/* no signature, a garbage one */
	c = mk("POST", DECC_SMS_WEB3, &ds, NULL, "key", NULL, NULL, NULL);
	assert_int_equal(run(f, &c, why, sizeof(why)), 401);
	assert_non_null(strstr(why, "Authorization"));
	snprintf(c.auth, sizeof(c.auth), "0xnothex");
	assert_int_equal(run(f, &c, why, sizeof(why)), 401);
	/* Bob's signature for his own dataset replayed on Alice's */
	c = mk("POST", DECC_SMS_WEB3, &ds, NULL, "key", bob_sk, &ds2, NULL);
	assert_int_equal(run(f, &c, why, sizeof(why)), 401);
	/* the owner */
	c = mk("POST", DECC_SMS_WEB3, &ds, NULL, "key-of-alice", alice_sk, NULL, NULL);
	assert_int_equal(run(f, &c, why, sizeof(why)), 204);
	assert_true(exists(f, DECC_SMS_WEB3, &ds, NULL));
	stored_is(f, DECC_SMS_WEB3, &ds, NULL, "key-of-alice");
	/* again, even by the owner and with another value: write-once */
	c = mk("POST", DECC_SMS_WEB3, &ds, NULL, "key-2", alice_sk, NULL, NULL);
	assert_int_equal(run(f, &c, why, sizeof(why)), 409);
	assert_non_null(strstr(why, "write-once"));
	stored_is(f, DECC_SMS_WEB3, &ds, NULL, "key-of-alice");
	/* the owner's signature replayed for another dataset (Bob's): not Bob's signature */
	c = mk("POST", DECC_SMS_WEB3, &ds2, NULL, "key-of-alice", alice_sk, &ds, NULL);
	assert_int_equal(run(f, &c, why, sizeof(why)), 401);
	assert_false(exists(f, DECC_SMS_WEB3, &ds2, NULL));
	/* a signature over another value than the body */
	c = mk("POST", DECC_SMS_WEB3, &ds2, NULL, "body", bob_sk, NULL, "signed");
	assert_int_equal(run(f, &c, why, sizeof(why)), 401);
	assert_false(exists(f, DECC_SMS_WEB3, &ds2, NULL));
	/* not a registered dataset */
	c = mk("POST", DECC_SMS_WEB3, &unknown, NULL, "k", alice_sk, NULL, NULL);
	assert_int_equal(run(f, &c, why, sizeof(why)), 401);
	assert_non_null(strstr(why, "not a registered dataset"));
	/* the chain cannot be read */
	chain_down = true;
	c = mk("POST", DECC_SMS_WEB3, &ds2, NULL, "k", bob_sk, NULL, NULL);
	assert_int_equal(run(f, &c, why, sizeof(why)), 502);
	assert_non_null(strstr(why, "connection refused"));
	chain_down = false;
	assert_false(exists(f, DECC_SMS_WEB3, &ds2, NULL));
	/* oversize, refused before anything else */
	{
		static char big[DECC_SMS_SECRET_MAX + 2];

		memset(big, 'k', DECC_SMS_SECRET_MAX + 1);
		c = mk("POST", DECC_SMS_WEB3, &ds2, NULL, big, bob_sk, NULL, NULL);
		assert_int_equal(run(f, &c, why, sizeof(why)), 413);
		assert_false(exists(f, DECC_SMS_WEB3, &ds2, NULL));
		big[DECC_SMS_SECRET_MAX] = 0;
		c = mk("POST", DECC_SMS_WEB3, &ds2, NULL, big, bob_sk, NULL, NULL);
		assert_int_equal(run(f, &c, why, sizeof(why)), 204);
	}
}

static void test_app_and_requester(void **state)
{
	struct fx *f = *state;
	struct call c;
	char why[700];

	c = mk("POST", DECC_SMS_APP, &app, "1", "dev-secret", bob_sk, NULL, NULL);
	assert_int_equal(run(f, &c, why, sizeof(why)), 401);
	assert_false(exists(f, DECC_SMS_APP, &app, "1"));
	c = mk("POST", DECC_SMS_APP, &app, "1", "dev-secret", alice_sk, NULL, NULL);
	assert_int_equal(run(f, &c, why, sizeof(why)), 204);
	stored_is(f, DECC_SMS_APP, &app, "1", "dev-secret");
	assert_int_equal(run(f, &c, why, sizeof(why)), 409);
	/* an app address is not a dataset */
	c = mk("POST", DECC_SMS_WEB3, &app, NULL, "k", alice_sk, NULL, NULL);
	assert_int_equal(run(f, &c, why, sizeof(why)), 401);

	/* requester secrets: the requester signs for itself only */
	c = mk("POST", DECC_SMS_REQUESTER, &alice, "token", "t1", bob_sk, NULL, NULL);
	assert_int_equal(run(f, &c, why, sizeof(why)), 401);
	assert_false(exists(f, DECC_SMS_REQUESTER, &alice, "token"));
	c = mk("POST", DECC_SMS_REQUESTER, &alice, "token", "t1", alice_sk, NULL, NULL);
	assert_int_equal(run(f, &c, why, sizeof(why)), 204);
	c = mk("POST", DECC_SMS_REQUESTER, &alice, "other", "t2", alice_sk, NULL, NULL);
	assert_int_equal(run(f, &c, why, sizeof(why)), 204);
	assert_true(exists(f, DECC_SMS_REQUESTER, &alice, "token"));
	assert_true(exists(f, DECC_SMS_REQUESTER, &alice, "other"));
	assert_false(exists(f, DECC_SMS_REQUESTER, &bob, "token"));
	c = mk("POST", DECC_SMS_REQUESTER, &alice, "token", "t3", alice_sk, NULL, NULL);
	assert_int_equal(run(f, &c, why, sizeof(why)), 409);
	stored_is(f, DECC_SMS_REQUESTER, &alice, "token", "t1");
	/* the signature of "token" replayed under the name "other2" */
	c = mk("POST", DECC_SMS_REQUESTER, &alice, "other2", "t1", alice_sk, NULL, NULL);
	{
		struct call d =
		    mk("POST", DECC_SMS_REQUESTER, &alice, "token", "t1", alice_sk, NULL, NULL);

		memcpy(c.auth, d.auth, sizeof(c.auth));
	}
	assert_int_equal(run(f, &c, why, sizeof(why)), 401);
	assert_false(exists(f, DECC_SMS_REQUESTER, &alice, "other2"));
	/* a requester secret's signature cannot create the web2 secret of the same challenge */
	c = mk("POST", DECC_SMS_WEB2, &alice, "token", "t1", alice_sk, NULL, NULL);
	assert_int_equal(run(f, &c, why, sizeof(why)), 409);
	assert_false(exists(f, DECC_SMS_WEB2, &alice, "token"));
}

static void test_result_key_update(void **state)
{
	struct fx *f = *state;
	const char *n = DECC_SMS_RESULT_KEY_NAME;
	struct call c, old;
	char why[700];

	c = mk("PUT", DECC_SMS_WEB2, &bob, n, "pem-0", bob_sk, NULL, NULL);
	assert_int_equal(run(f, &c, why, sizeof(why)), 404);
	old = mk("POST", DECC_SMS_WEB2, &bob, n, "pem-1", bob_sk, NULL, NULL);
	assert_int_equal(run(f, &old, why, sizeof(why)), 204);
	c = mk("POST", DECC_SMS_WEB2, &bob, n, "pem-2", bob_sk, NULL, NULL);
	assert_int_equal(run(f, &c, why, sizeof(why)), 409);
	c.method = "PUT";
	assert_int_equal(run(f, &c, why, sizeof(why)), 204);
	stored_is(f, DECC_SMS_WEB2, &bob, n, "pem-2");
	/* Alice cannot set Bob's key */
	c = mk("PUT", DECC_SMS_WEB2, &bob, n, "pem-x", alice_sk, NULL, NULL);
	assert_int_equal(run(f, &c, why, sizeof(why)), 401);
	/* replaying the first push as an update would revert the key: refused */
	old.method = "PUT";
	assert_int_equal(run(f, &old, why, sizeof(why)), 409);
	assert_non_null(strstr(why, "already used"));
	stored_is(f, DECC_SMS_WEB2, &bob, n, "pem-2");
}

static void test_limits_and_metrics(void **state)
{
	struct fx *f = *state;
	struct decc_buf m = DECC_BUF_INIT;
	struct call c;
	char name[8], why[700];

	for (int i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		c = mk("POST", DECC_SMS_REQUESTER, &bob, name, name, bob_sk, NULL, NULL);
		assert_int_equal(run(f, &c, why, sizeof(why)), 204);
	}
	c = mk("POST", DECC_SMS_REQUESTER, &bob, "n6", "n6", bob_sk, NULL, NULL);
	assert_int_equal(run(f, &c, why, sizeof(why)), 507);
	assert_false(exists(f, DECC_SMS_REQUESTER, &bob, "n6"));
	assert_int_equal(decc_sms_metrics(f->svc, &m), 0);
	assert_non_null(strstr(decc_buf_str(&m), "decc_sms_secrets 6\n"));
	assert_non_null(strstr(decc_buf_str(&m), "decc_sms_pushes_total{kind=\"requester\"} 6\n"));
	assert_non_null(strstr(decc_buf_str(&m), "decc_sms_checks_total 1\n"));
	decc_buf_release(&m);
	/* health, unknown paths */
	{
		struct decc_sms_http_request r = { .method = "GET", .path = "/healthz" };
		struct decc_sms_response resp;

		assert_int_equal(decc_sms_handle(f->svc, &resp, &r), 0);
		assert_int_equal(resp.status, 200);
		decc_buf_release(&resp.body);
		r.path = "/secrets";
		assert_int_equal(decc_sms_handle(f->svc, &resp, &r), 0);
		assert_int_equal(resp.status, 404);
		assert_non_null(strstr(decc_buf_str(&resp.body), "{\"error\":[\"no such path"));
		decc_buf_release(&resp.body);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dataset_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_app_and_requester, setup, teardown),
		cmocka_unit_test_setup_teardown(test_result_key_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits_and_metrics, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
