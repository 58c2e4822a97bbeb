/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SMS push challenges and Authorization headers against vectors computed with ethers
 * (tests/vectors/sms/README.md), and the ways a signature must fail: replayed for another
 * target, name or value, altered, high-s, malformed headers.
 */
#include "test.h"

#include <jansson.h>

#include "decc/sms.h"

static json_t *vectors(void)
{
	size_t n;
	char *text = test_read_vector("sms/challenges.json", &n);
	json_t *j = json_loadb(text, n, 0, NULL);

	free(text);
	assert_non_null(j);
	return j;
}

static enum decc_sms_kind kind_of(const char *k)
{
	if (strcmp(k, "web3") == 0)
		return DECC_SMS_WEB3;
	if (strcmp(k, "web2") == 0)
		return DECC_SMS_WEB2;
	if (strcmp(k, "app") == 0)
		return DECC_SMS_APP;
	assert_string_equal(k, "requester");
	return DECC_SMS_REQUESTER;
}

struct vec {
	enum decc_sms_kind kind;
	decc_address target, signer;
	const char *name, *value, *challenge, *signature;
	uint8_t sk[32];
};

static void load(struct vec *v, json_t *o)
{
	const char *name = json_string_value(json_object_get(o, "name"));

	v->kind = kind_of(json_string_value(json_object_get(o, "kind")));
	assert_int_equal(
	    decc_address_parse(&v->target, json_string_value(json_object_get(o, "target"))), 0);
	assert_int_equal(
	    decc_address_parse(&v->signer, json_string_value(json_object_get(o, "signer"))), 0);
	v->name = name;
	v->value = json_string_value(json_object_get(o, "value"));
	v->challenge = json_string_value(json_object_get(o, "challenge"));
	v->signature = json_string_value(json_object_get(o, "signature"));
	test_unhex(v->sk, 32, json_string_value(json_object_get(o, "privateKey")));
}

static void challenge_of(uint8_t out[32], const struct vec *v)
{
	decc_sms_challenge(out, v->kind, &v->target, v->name, v->name ? strlen(v->name) : 0,
			   (const uint8_t *)v->value, strlen(v->value));
}

static void test_vectors(void **state)
{
	json_t *j = vectors(), *list = json_object_get(j, "vectors"), *o;
	size_t i;

	(void)state;
	assert_true(json_array_size(list) >= 7);
	json_array_foreach(list, i, o)
	{
		struct vec v;
		uint8_t ch[32], sig[65];
		char hex[133];
		decc_address who;

		load(&v, o);
		challenge_of(ch, &v);
		assert_bytes_hex(ch, 32, v.challenge);
		/* RFC 6979 on both sides: the same signature as ethers, byte for byte */
		assert_int_equal(decc_sms_sign(sig, ch, v.sk), 0);
		decc_hex_encode(hex, sig, 65, true);
		assert_string_equal(hex, v.signature);
		assert_int_equal(decc_sms_recover(&who, ch, v.signature), 0);
		assert_true(decc_address_eq(&who, &v.signer));
	}
	json_decref(j);
}

/* The app index is always "1", whatever name is given. */
static void test_app_name_fixed(void **state)
{
	decc_address a = { { 0xe7 } };
	uint8_t x[32], y[32];

	(void)state;
	decc_sms_challenge(x, DECC_SMS_APP, &a, NULL, 0, (const uint8_t *)"v", 1);
	decc_sms_challenge(y, DECC_SMS_WEB2, &a, "1", 1, (const uint8_t *)"v", 1);
	assert_memory_equal(x, y, 32);
	decc_sms_challenge(y, DECC_SMS_APP, &a, "2", 1, (const uint8_t *)"v", 1);
	assert_memory_equal(x, y, 32);
	/* web3 ignores the name, and differs from a named secret */
	decc_sms_challenge(x, DECC_SMS_WEB3, &a, "n", 1, (const uint8_t *)"v", 1);
	decc_sms_challenge(y, DECC_SMS_WEB3, &a, NULL, 0, (const uint8_t *)"v", 1);
	assert_memory_equal(x, y, 32);
	decc_sms_challenge(y, DECC_SMS_WEB2, &a, "", 0, (const uint8_t *)"v", 1);
	assert_memory_not_equal(x, y, 32);
}

/* A signature recovers to another address when anything it binds changes. */
static void test_replay(void **state)
{
	json_t *j = vectors(), *list = json_object_get(j, "vectors");
	struct vec v;
	uint8_t ch[32];
	decc_address who, other = { { 0x11 } };

	(void)state;
	load(&v, json_array_get(list, 0)); /* a dataset key */
	/* same value, another dataset */
	decc_sms_challenge(ch, v.kind, &other, NULL, 0, (const uint8_t *)v.value, strlen(v.value));
	assert_int_equal(decc_sms_recover(&who, ch, v.signature), 0);
	assert_false(decc_address_eq(&who, &v.signer));
	/* same dataset, another value */
	decc_sms_challenge(ch, v.kind, &v.target, NULL, 0, (const uint8_t *)"other", 5);
	assert_int_equal(decc_sms_recover(&who, ch, v.signature), 0);
	assert_false(decc_address_eq(&who, &v.signer));

	load(&v, json_array_get(list, 5)); /* a requester secret */
	decc_sms_challenge(ch, v.kind, &v.target, "api-token_2", 11, (const uint8_t *)v.value,
			   strlen(v.value));
	assert_int_equal(decc_sms_recover(&who, ch, v.signature), 0);
	assert_false(decc_address_eq(&who, &v.signer));
	json_decref(j);
}

static void test_bad_headers(void **state)
{
	json_t *j = vectors();
	struct vec v;
	uint8_t ch[32], sig[65], n_half[32];
	char hex[133];
	decc_address who;

	(void)state;
	load(&v, json_array_get(json_object_get(j, "vectors"), 0));
	challenge_of(ch, &v);
	assert_int_equal(decc_sms_recover(&who, ch, NULL), DECC_EAUTH);
	assert_int_equal(decc_sms_recover(&who, ch, ""), DECC_EAUTH);
	assert_int_equal(decc_sms_recover(&who, ch, "Bearer abc"), DECC_EAUTH);
	assert_int_equal(decc_sms_recover(&who, ch, "0x1234"), DECC_EAUTH);
	/* one hex digit short, one byte too many */
	memcpy(hex, v.signature, 132);
	hex[131] = 0;
	assert_int_equal(decc_sms_recover(&who, ch, hex), DECC_EAUTH);
	{
		char longer[140];

		snprintf(longer, sizeof(longer), "%s00", v.signature);
		assert_int_equal(decc_sms_recover(&who, ch, longer), DECC_EAUTH);
	}
	/* an altered r: another signer or no signer at all, never the owner */
	test_unhex(sig, 65, v.signature);
	sig[5] ^= 0x01;
	decc_hex_encode(hex, sig, 65, true);
	if (decc_sms_recover(&who, ch, hex) == 0)
		assert_false(decc_address_eq(&who, &v.signer));
	/* high-s (s' = n - s, v flipped): the same signer mathematically, refused */
	test_unhex(sig, 65, v.signature);
	test_unhex(n_half, 32, "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
	{
		int borrow = 0;

		for (int i = 31; i >= 0; i--) {
			int d = n_half[i] - sig[32 + i] - borrow;

			borrow = d < 0;
			sig[32 + i] = (uint8_t)(d + (borrow ? 256 : 0));
		}
	}
	sig[64] = sig[64] == 27 ? 28 : 27;
	decc_hex_encode(hex, sig, 65, true);
	assert_int_equal(decc_sms_recover(&who, ch, hex), DECC_EAUTH);
	json_decref(j);
}

static void test_requester_keys(void **state)
{
	char k64[65], k65[66];

	(void)state;
	memset(k64, 'a', 64);
	k64[64] = 0;
	memset(k65, 'a', 65);
	k65[65] = 0;
	assert_true(decc_sms_requester_key_valid("a"));
	assert_true(decc_sms_requester_key_valid("API_token-2"));
	assert_true(decc_sms_requester_key_valid(k64));
	assert_false(decc_sms_requester_key_valid(k65));
	assert_false(decc_sms_requester_key_valid(""));
	assert_false(decc_sms_requester_key_valid("a b"));
	assert_false(decc_sms_requester_key_valid("a/b"));
	assert_false(decc_sms_requester_key_valid("a.b"));
	assert_false(decc_sms_requester_key_valid("é"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),	       cmocka_unit_test(test_app_name_fixed),
		cmocka_unit_test(test_replay),	       cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_requester_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
