/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Routing and validation of SMS requests: every path of the API, then malformed requests
 * (bad addresses, missing parameters, bad names, wrong methods, empty, oversize and non-UTF-8
 * bodies), each with the HTTP status it must get.
 */
#include "test.h"

#include "decc/sms.h"

#define DS "0x5FbDB2315678afecb367f032d93F642f64180aa3"
#define ME "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"

static struct decc_sms_http_request req(const char *method, const char *path, const char *body)
{
	return (struct decc_sms_http_request){
		.method = method,
		.path = path,
		.authorization = "0x00",
		.body = (const uint8_t *)body,
		.body_len = body ? strlen(body) : 0,
	};
}

/* Parse and expect failure with status. */
static void refused(const struct decc_sms_http_request *r, unsigned want)
{
	struct decc_sms_op op;
	unsigned status = 0;

	memset(&op, 0x5a, sizeof(op));
	assert_true(decc_sms_request_parse(&op, &status, r) < 0);
	assert_int_equal(status, want);
	assert_true(strlen(decc_error_last()) > 0);
	/* output untouched */
	assert_int_equal(((uint8_t *)&op)[0], 0x5a);
}

static void test_routes(void **state)
{
	struct decc_sms_http_request r;
	struct decc_sms_op op;
	decc_address ds;
	unsigned st;

	(void)state;
	assert_int_equal(decc_address_parse(&ds, DS), 0);
	r = req("POST", "/secrets/web3", "key");
	r.secret_address = DS;
	assert_int_equal(decc_sms_request_parse(&op, &st, &r), 0);
	assert_int_equal(op.op, DECC_SMS_OP_PUSH);
	assert_int_equal(op.id.kind, DECC_SMS_WEB3);
	assert_true(decc_address_eq(&op.target, &ds));
	assert_memory_equal(op.id.target, ds.b, 20);
	assert_int_equal(op.id.target_len, 20);
	assert_string_equal(op.id.name, "");
	assert_int_equal(op.value_len, 3);
	assert_false(op.compute);

	r.method = "HEAD";
	assert_int_equal(decc_sms_request_parse(&op, &st, &r), 0);
	assert_int_equal(op.op, DECC_SMS_OP_CHECK);

	r = req("PUT", "/secrets/web2", "v");
	r.owner_address = ME;
	r.secret_name = "iexec-result-encryption-public-key";
	assert_int_equal(decc_sms_request_parse(&op, &st, &r), 0);
	assert_int_equal(op.op, DECC_SMS_OP_UPDATE);
	assert_int_equal(op.id.kind, DECC_SMS_WEB2);
	assert_string_equal(op.id.name, "iexec-result-encryption-public-key");

	r = req("POST", "/apps/" DS "/secrets", "s");
	assert_int_equal(decc_sms_request_parse(&op, &st, &r), 0);
	assert_int_equal(op.id.kind, DECC_SMS_APP);
	assert_string_equal(op.id.name, "1");
	assert_true(op.compute);
	r.path = "/apps/" DS "/secrets/1"; /* the SDK's form */
	assert_int_equal(decc_sms_request_parse(&op, &st, &r), 0);
	assert_int_equal(op.id.kind, DECC_SMS_APP);

	r = req("HEAD", "/requesters/" ME "/secrets/api-token", NULL);
	assert_int_equal(decc_sms_request_parse(&op, &st, &r), 0);
	assert_int_equal(op.op, DECC_SMS_OP_CHECK);
	assert_int_equal(op.id.kind, DECC_SMS_REQUESTER);
	assert_string_equal(op.id.name, "api-token");

	r = req("GET", "/healthz", NULL);
	assert_int_equal(decc_sms_request_parse(&op, &st, &r), 0);
	assert_int_equal(op.op, DECC_SMS_OP_HEALTH);
	r = req("GET", "/metrics", NULL);
	assert_int_equal(decc_sms_request_parse(&op, &st, &r), 0);
	assert_int_equal(op.op, DECC_SMS_OP_METRICS);
}

static void test_bad_targets(void **state)
{
	struct decc_sms_http_request r;

	(void)state;
	r = req("POST", "/secrets/web3", "k");
	refused(&r, 400); /* no secretAddress */
	r.secret_address = "";
	refused(&r, 400);
	r.secret_address = "0x1234";
	refused(&r, 400);
	r.secret_address = "0x5fbDB2315678afecb367f032d93F642f64180aa3"; /* bad EIP-55 case */
	refused(&r, 400);
	r.secret_address = "5FbDB2315678afecb367f032d93F642f64180aa3zz";
	refused(&r, 400);

	r = req("POST", "/secrets/web2", "v");
	r.owner_address = ME;
	refused(&r, 400); /* no secretName */
	r.secret_name = "";
	refused(&r, 400);
	r.owner_address = NULL;
	r.secret_name = "n";
	refused(&r, 400);
	r.owner_address = ME;
	r.secret_name = "\xc0\x80"; /* not UTF-8 */
	refused(&r, 400);
	{
		char longname[DECC_SMS_NAME_MAX + 2];

		memset(longname, 'n', sizeof(longname) - 1);
		longname[sizeof(longname) - 1] = 0;
		r.secret_name = longname;
		refused(&r, 400);
	}

	r = req("POST", "/requesters/" ME "/secrets/bad.name", "v");
	refused(&r, 400);
	r.path = "/requesters/" ME "/secrets/"
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"; /* 65 */
	refused(&r, 400);
	r.path = "/requesters/0xzz/secrets/k";
	refused(&r, 400);
	r.path = "/apps/" DS "/secrets/2";
	refused(&r, 400);
}

static void test_bad_paths_methods(void **state)
{
	struct decc_sms_http_request r;

	(void)state;
	r = req("POST", "/", "v");
	refused(&r, 404);
	r.path = "/secrets/web4";
	refused(&r, 404);
	r.path = "/apps//secrets";
	refused(&r, 404);
	r.path = "/apps/" DS;
	refused(&r, 404);
	r.path = "/apps/" DS "/secrets/1/x";
	refused(&r, 404);
	r.path = "/apps/" DS "/secretsx";
	refused(&r, 404);
	r.path = "/requesters/" ME "/secrets";
	refused(&r, 404);
	r.path = "/requesters/" ME "/secrets/k/extra";
	refused(&r, 404);
	r.path = "";
	refused(&r, 404);

	r = req("GET", "/secrets/web3", NULL);
	r.secret_address = DS;
	refused(&r, 405); /* secrets are never read back */
	r.method = "PUT";
	refused(&r, 405); /* dataset keys are not updatable */
	r = req("PUT", "/apps/" DS "/secrets", "v");
	refused(&r, 405);
	r = req("DELETE", "/requesters/" ME "/secrets/k", NULL);
	refused(&r, 405);
	r = req("POST", "/healthz", NULL);
	refused(&r, 405);
	r = req(NULL, "/healthz", NULL);
	refused(&r, 400);
}

static void test_bodies(void **state)
{
	static char big[DECC_SMS_SECRET_MAX + 2];
	struct decc_sms_http_request r;
	struct decc_sms_op op;
	unsigned st;

	(void)state;
	r = req("POST", "/requesters/" ME "/secrets/k", "");
	refused(&r, 400); /* empty */
	memset(big, 'a', DECC_SMS_SECRET_MAX + 1);
	r.body = (const uint8_t *)big;
	r.body_len = DECC_SMS_SECRET_MAX + 1;
	refused(&r, 413);
	r.body_len = DECC_SMS_SECRET_MAX; /* exactly the limit */
	assert_int_equal(decc_sms_request_parse(&op, &st, &r), 0);
	assert_int_equal(op.value_len, DECC_SMS_SECRET_MAX);
	r.body_truncated = true; /* the server cut it */
	refused(&r, 413);

	r = req("POST", "/requesters/" ME "/secrets/k", NULL);
	{
		static const char *bad[] = {
			"\xc0\x80",	    /* overlong NUL */
			"\xe0\x80\xaf",	    /* overlong '/' */
			"\xed\xa0\x80",	    /* surrogate */
			"\xf4\x90\x80\x80", /* > U+10FFFF */
			"ok\xe2\x82",	    /* truncated */
			"\xff",
			"\x80",
		};

		for (size_t i = 0; i < DECC_ARRAY_SIZE(bad); i++) {
			r.body = (const uint8_t *)bad[i];
			r.body_len = strlen(bad[i]);
			refused(&r, 400);
		}
	}
	r.body = (const uint8_t *)"cl\xc3\xa9 \xf0\x9f\x94\x91";
	r.body_len = strlen((const char *)r.body);
	assert_int_equal(decc_sms_request_parse(&op, &st, &r), 0);
	/* a HEAD ignores the body entirely */
	r = req("HEAD", "/requesters/" ME "/secrets/k", NULL);
	r.body_truncated = true;
	assert_int_equal(decc_sms_request_parse(&op, &st, &r), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_bad_targets),
		cmocka_unit_test(test_bad_paths_methods),
		cmocka_unit_test(test_bodies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
