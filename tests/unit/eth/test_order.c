/* SPDX-License-Identifier: Apache-2.0 */
#include "test.h"

#include <jansson.h>

#include "decc/crypto.h"
#include "decc/order.h"

static json_t *load(const char *rel)
{
	json_error_t e;
	json_t *j = json_load_file(test_vector_path(rel), 0, &e);

	if (!j)
		fail_msg("cannot load %s: %s", rel, e.text);
	return j;
}

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	if (!s)
		fail_msg("vector lacks string \"%s\"", k);
	return s;
}

static enum decc_order_type type_of(const char *s)
{
	enum decc_order_type t = DECC_ORDER_APP;

	assert_int_equal(decc_order_type_parse(&t, s), 0);
	return t;
}

static int parse_obj(struct decc_order *o, bool *has_salt, enum decc_order_type t, json_t *obj)
{
	char *text = json_dumps(obj, JSON_COMPACT);
	int r;

	assert_non_null(text);
	r = decc_order_from_json(o, has_salt, t, text, strlen(text));
	free(text);
	return r;
}

static void test_typehashes(void **state)
{
	json_t *v = load("poco/eip712.json"), *it;
	const char *key;
	uint8_t h[32];
	size_t n = 0;

	(void)state;
	/* keccak(type string) == the constants of IexecLibOrders_v5 */
	json_object_foreach(json_object_get(v, "typehashes"), key, it)
	{
		decc_keccak256(h, key, strlen(key));
		assert_bytes_hex(h, 32, json_string_value(it));
		n++;
	}
	assert_int_equal(n, 5);
	json_object_foreach(json_object_get(v, "order_typehash"), key, it)
	{
		decc_order_type_hash(h, type_of(key));
		assert_bytes_hex(h, 32, json_string_value(it));
	}
	json_object_foreach(json_object_get(v, "operation_typehash"), key, it)
	{
		decc_order_operation_type_hash(h, type_of(key));
		assert_bytes_hex(h, 32, json_string_value(it));
	}
	json_decref(v);
}

static void test_domains(void **state)
{
	json_t *v = load("poco/eip712.json"), *it;
	struct decc_eip712_domain dom;
	decc_address hub;
	uint8_t sep[32], other[32];
	size_t i;

	(void)state;
	json_array_foreach(json_object_get(v, "domains"), i, it)
	{
		uint64_t chain = (uint64_t)json_integer_value(json_object_get(it, "chainId"));

		assert_int_equal(decc_address_parse(&hub, str(it, "hub")), 0);
		decc_order_domain(&dom, chain, &hub);
		assert_string_equal(dom.name, "iExecODB");
		assert_string_equal(dom.version, "5.0.0");
		decc_eip712_domain_separator(sep, &dom);
		assert_bytes_hex(sep, 32, str(it, "separator"));
		/* negative: another chain or hub is another domain */
		decc_order_domain(&dom, chain + 1, &hub);
		decc_eip712_domain_separator(other, &dom);
		assert_memory_not_equal(sep, other, 32);
		hub.b[19] ^= 1;
		decc_order_domain(&dom, chain, &hub);
		decc_eip712_domain_separator(other, &dom);
		assert_memory_not_equal(sep, other, 32);
	}
	assert_int_equal(i, 2);
	json_decref(v);
}

static void interop_sep(json_t *v, uint8_t sep[32])
{
	struct decc_eip712_domain dom;
	decc_address hub;

	assert_int_equal(decc_address_parse(&hub, str(v, "hub")), 0);
	decc_order_domain(&dom, (uint64_t)json_integer_value(json_object_get(v, "chainId")), &hub);
	decc_eip712_domain_separator(sep, &dom);
	assert_bytes_hex(sep, 32, str(v, "domainSeparator"));
}

/* decc computes ethers' hashes, verifies its signatures and signs byte-identically. */
static void test_ethers_orders(void **state)
{
	json_t *v = load("interop/orders.json"), *it;
	uint8_t sep[32], h[32], sk[32], cmp[64];
	size_t i;

	(void)state;
	interop_sep(v, sep);
	json_array_foreach(json_object_get(v, "orders"), i, it)
	{
		enum decc_order_type t = type_of(str(it, "type"));
		json_t *oj = json_object_get(it, "order");
		struct decc_order o, copy;
		decc_address signer;
		struct decc_buf out = DECC_BUF_INIT, saved = DECC_BUF_INIT;
		char *want;
		bool has_salt = false;

		assert_int_equal(parse_obj(&o, &has_salt, t, oj), 0);
		assert_true(has_salt);
		assert_int_equal(o.type, t);
		assert_int_equal(o.sign.len, 65);
		assert_int_equal(decc_address_parse(&signer, str(it, "signer")), 0);

		decc_order_struct_hash(h, &o);
		assert_bytes_hex(h, 32, str(it, "structHash"));
		decc_order_hash(h, sep, &o);
		assert_bytes_hex(h, 32, str(it, "orderHash"));
		decc_order_operation_hash(h, sep, &o, DECC_ORDER_OP_SIGN);
		assert_bytes_hex(h, 32, str(it, "signOperationHash"));
		decc_order_operation_hash(h, sep, &o, DECC_ORDER_OP_CLOSE);
		assert_bytes_hex(h, 32, str(it, "closeOperationHash"));

		/* ethers' signature verifies, in both encodings */
		assert_int_equal(decc_order_verify(&o, sep, &signer), 0);
		assert_int_equal(decc_buf_append(&saved, o.sign.data, o.sign.len), 0);
		test_unhex(cmp, 64, str(it, "compactSign"));
		decc_buf_reset(&o.sign);
		assert_int_equal(decc_buf_append(&o.sign, cmp, 64), 0);
		assert_int_equal(decc_order_verify(&o, sep, &signer), 0);

		/* same key, same order: RFC 6979 gives the same bytes */
		test_unhex(sk, 32, str(it, "privateKey"));
		assert_int_equal(decc_order_sign(&o, sep, sk), 0);
		assert_int_equal(o.sign.len, 65);
		assert_memory_equal(o.sign.data, saved.data, 65);

		/* the SDK JSON form comes back exactly as ethers' script wrote it */
		assert_int_equal(decc_order_to_json(&out, &o), 0);
		want = json_dumps(oj, JSON_COMPACT | JSON_PRESERVE_ORDER);
		assert_string_equal(decc_buf_str(&out), want);
		free(want);

		/* and parses back to the same hash */
		assert_int_equal(
		    decc_order_from_json(&copy, NULL, t, (const char *)out.data, out.len), 0);
		decc_order_hash(h, sep, &copy);
		assert_bytes_hex(h, 32, str(it, "orderHash"));
		decc_order_release(&copy);

		/* negatives: wrong signer, tampered order, wrong domain, unsigned */
		signer.b[0] ^= 1;
		assert_int_equal(decc_order_verify(&o, sep, &signer), DECC_EAUTH);
		signer.b[0] ^= 1;
		o.volume.w[0] += 1;
		assert_int_equal(decc_order_verify(&o, sep, &signer), DECC_EAUTH);
		o.volume.w[0] -= 1;
		sep[5] ^= 1;
		assert_int_equal(decc_order_verify(&o, sep, &signer), DECC_EAUTH);
		sep[5] ^= 1;
		assert_int_equal(decc_order_verify(&o, sep, &signer), 0);
		o.sign.data[64] = 30;
		assert_int_equal(decc_order_verify(&o, sep, &signer), DECC_EAUTH);
		decc_buf_reset(&o.sign);
		assert_int_equal(decc_order_verify(&o, sep, &signer), DECC_EAUTH);
		assert_int_equal(decc_buf_append(&o.sign, saved.data, 60), 0);
		assert_int_equal(decc_order_verify(&o, sep, &signer), DECC_EAUTH);

		decc_buf_release(&saved);
		decc_buf_release(&out);
		decc_order_release(&o);
	}
	assert_int_equal(i, 4);
	json_decref(v);
}

/* The generic EIP-712 hasher and the order hasher agree. */
static void test_generic_agrees(void **state)
{
	json_t *v = load("interop/orders.json"), *it;
	uint8_t sep[32], h[32], g[32], gsep[32];
	size_t i;

	(void)state;
	interop_sep(v, sep);
	json_array_foreach(json_object_get(v, "orders"), i, it)
	{
		char rel[64];
		json_t *doc;
		char *text;
		struct decc_order o;
		enum decc_order_type t = type_of(str(it, "type"));

		assert_int_equal(parse_obj(&o, NULL, t, json_object_get(it, "order")), 0);
		snprintf(rel, sizeof(rel), "interop/typed-%s.json", str(it, "type"));
		doc = load(rel);
		text = json_dumps(doc, JSON_COMPACT);
		assert_int_equal(decc_eip712_hash_json(g, gsep, NULL, text, strlen(text)), 0);
		decc_order_hash(h, sep, &o);
		assert_memory_equal(g, h, 32);
		assert_memory_equal(gsep, sep, 32);
		free(text);
		json_decref(doc);
		decc_order_release(&o);
	}
	json_decref(v);
}

static json_t *request_obj(void)
{
	json_t *v = load("interop/orders.json");
	json_t *o = json_deep_copy(
	    json_object_get(json_array_get(json_object_get(v, "orders"), 3), "order"));

	json_decref(v);
	assert_non_null(o);
	return o;
}

static void expect_field_error(int code, const char *key, json_t *value, const char *needle)
{
	json_t *o = request_obj();
	struct decc_order out;

	memset(&out, 0x5a, sizeof(out));
	if (value)
		json_object_set_new(o, key, value);
	else
		json_object_del(o, key);
	assert_int_equal(parse_obj(&out, NULL, DECC_ORDER_REQUEST, o), code);
	if (!strstr(decc_error_last(), needle))
		fail_msg("error \"%s\" does not mention \"%s\"", decc_error_last(), needle);
	assert_int_equal(out.volume.w[0], 0x5a5a5a5a5a5a5a5aull); /* untouched */
	json_decref(o);
}

static void test_json_negatives(void **state)
{
	struct decc_buf big = DECC_BUF_INIT;

	(void)state;
	expect_field_error(DECC_EINVAL, "color", json_string("red"), "color");
	expect_field_error(DECC_EINVAL, "volume", NULL, "volume");
	expect_field_error(DECC_EINVAL, "app", NULL, "app");
	expect_field_error(DECC_EINVAL, "app",
			   json_string("0x3195449b29965321540CB4D1715FF9884bf62Bef"), "app");
	expect_field_error(DECC_EINVAL, "app", json_string("0x1234"), "app");
	expect_field_error(DECC_EINVAL, "volume", json_string("0x10"), "volume");
	expect_field_error(DECC_EINVAL, "volume", json_string("-1"), "volume");
	expect_field_error(DECC_EINVAL, "volume", json_string(""), "volume");
	expect_field_error(DECC_EINVAL, "volume", json_integer(-1), "volume");
	expect_field_error(DECC_EINVAL, "volume", json_real(1.0), "volume");
	expect_field_error(
	    DECC_EINVAL, "volume",
	    json_string(
		"115792089237316195423570985008687907853269984665640564039457584007913129639936"),
	    "volume");
	expect_field_error(DECC_EINVAL, "tag", json_string("0x0"), "tag");
	expect_field_error(
	    DECC_EINVAL, "tag",
	    json_string("0x00000000000000000000000000000000000000000000000000000000000003"), "tag");
	expect_field_error(
	    DECC_EINVAL, "salt",
	    json_string("518835f5d86cba4af8eb0e6f308a16058b3f628041fd66c59e53e962f2a8f016"),
	    "salt");
	expect_field_error(DECC_EINVAL, "params", json_integer(3), "params");
	expect_field_error(DECC_EINVAL, "sign", json_string("0xabc"), "sign");
	expect_field_error(DECC_EINVAL, "sign", json_string("zz"), "sign");
	for (int i = 0; i <= DECC_ORDER_MAX_PARAMS; i++)
		assert_int_equal(decc_buf_append_byte(&big, 'a'), 0);
	expect_field_error(DECC_ELIMIT, "params", json_string(decc_buf_str(&big)), "params");
	decc_buf_reset(&big);
	assert_int_equal(decc_buf_append_str(&big, "0x"), 0);
	for (int i = 0; i <= DECC_ORDER_MAX_SIGN; i++)
		assert_int_equal(decc_buf_append_str(&big, "ab"), 0);
	expect_field_error(DECC_ELIMIT, "sign", json_string(decc_buf_str(&big)), "sign");
	decc_buf_release(&big);
}

static void test_json_lenient_forms(void **state)
{
	json_t *o = request_obj();
	struct decc_order a, b;
	struct decc_buf out = DECC_BUF_INIT;
	bool has_salt = true;
	enum decc_order_type t;

	(void)state;
	/* integers as JSON numbers, addresses in lowercase, no salt, no sign */
	json_object_set_new(o, "volume", json_integer(7));
	json_object_set_new(o, "app", json_string("0x3195449b29965321540cb4d1715ff9884bf62bef"));
	json_object_del(o, "salt");
	json_object_del(o, "sign");
	assert_int_equal(parse_obj(&a, &has_salt, DECC_ORDER_REQUEST, o), 0);
	assert_false(has_salt);
	assert_int_equal(a.volume.w[0], 7);
	assert_int_equal(a.sign.len, 0);
	for (int i = 0; i < 32; i++)
		assert_int_equal(a.salt[i], 0);
	assert_int_equal(decc_order_to_json(&out, &a), 0);
	assert_non_null(strstr(decc_buf_str(&out), "\"volume\":\"7\""));
	assert_non_null(
	    strstr(decc_buf_str(&out), "\"app\":\"0x3195449B29965321540CB4D1715FF9884bf62Bef\""));
	assert_null(strstr(decc_buf_str(&out), "\"sign\""));
	assert_int_equal(decc_order_from_json(&b, &has_salt, DECC_ORDER_REQUEST,
					      (const char *)out.data, out.len),
			 0);
	assert_true(has_salt);
	assert_string_equal(a.params, b.params);
	decc_order_release(&a);
	decc_order_release(&b);
	decc_buf_release(&out);
	json_decref(o);

	/* an app order is not a request order */
	o = request_obj();
	assert_int_equal(parse_obj(&a, NULL, DECC_ORDER_APP, o), DECC_EINVAL);
	json_decref(o);

	assert_int_equal(decc_order_type_parse(&t, "workerpool"), 0);
	assert_int_equal(t, DECC_ORDER_WORKERPOOL);
	assert_string_equal(decc_order_type_name(DECC_ORDER_DATASET), "dataset");
	assert_int_equal(decc_order_type_parse(&t, "apporder"), DECC_EINVAL);

	/* init/release of an empty order, release twice is harmless */
	decc_order_init(&a, DECC_ORDER_APP);
	assert_non_null(a.params);
	assert_string_equal(a.params, "");
	decc_order_release(&a);
	decc_order_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_typehashes),     cmocka_unit_test(test_domains),
		cmocka_unit_test(test_ethers_orders),  cmocka_unit_test(test_generic_agrees),
		cmocka_unit_test(test_json_negatives), cmocka_unit_test(test_json_lenient_forms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
