/* SPDX-License-Identifier: Apache-2.0 */
#include "test.h"

#include <jansson.h>

#include "decc/crypto.h"
#include "decc/eip712.h"

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

/* Hash a JSON document held by jansson; returns the decc result code. */
static int hash_doc(json_t *doc, uint8_t d[32], uint8_t sep[32], uint8_t sh[32])
{
	char *text = json_dumps(doc, JSON_COMPACT);
	int r;

	assert_non_null(text);
	r = decc_eip712_hash_json(d, sep, sh, text, strlen(text));
	free(text);
	return r;
}

static void test_mail_example(void **state)
{
	json_t *doc = load("eip712/mail.json");
	uint8_t d[32], sep[32], sh[32], th[32];
	struct decc_eip712_domain dom = { .name = "Ether Mail",
					  .version = "1",
					  .chain_id = decc_u256_from_u64(1) };
	char *types;

	(void)state;
	assert_int_equal(hash_doc(doc, d, sep, sh), 0);
	assert_bytes_hex(sep, 32,
			 "0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f");
	assert_bytes_hex(sh, 32,
			 "0xc52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e");
	assert_bytes_hex(d, 32,
			 "0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2");

	/* the fixed-domain helpers agree */
	memset(dom.verifying_contract.b, 0xcc, 20);
	decc_eip712_domain_separator(sep, &dom);
	assert_bytes_hex(sep, 32,
			 "0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f");
	decc_eip712_digest(th, sep, sh);
	assert_memory_equal(th, d, 32);

	/* type hash of Mail = keccak("Mail(Person from,Person to,string contents)Person(...)") */
	types = json_dumps(json_object_get(doc, "types"), JSON_COMPACT);
	assert_int_equal(decc_eip712_type_hash_json(th, types, strlen(types), "Mail"), 0);
	assert_bytes_hex(th, 32,
			 "0xa0cedeb2dc280ba39b857546d74f5549c3a1d7bdc2dd96bf881f76108e23dac2");
	assert_int_equal(decc_eip712_type_hash_json(th, types, strlen(types), "Nope"),
			 DECC_ENOTFOUND);
	free(types);

	/* without an EIP712Domain type the domain type comes from the fields present */
	json_object_del(json_object_get(doc, "types"), "EIP712Domain");
	memset(d, 0, 32);
	assert_int_equal(hash_doc(doc, d, NULL, NULL), 0);
	assert_bytes_hex(d, 32,
			 "0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2");
	json_decref(doc);
}

static void test_ethers_bag(void **state)
{
	json_t *doc = load("interop/typed-bag.json");
	uint8_t d[32], sep[32], sh[32], th[32], want[32];
	const char *enc = str(doc, "encodeType");
	char *text = json_dumps(doc, JSON_COMPACT);

	(void)state;
	assert_int_equal(decc_eip712_hash_json(d, sep, sh, text, strlen(text)), 0);
	assert_bytes_hex(d, 32, str(doc, "digest"));
	assert_bytes_hex(sep, 32, str(doc, "domainSeparator"));
	assert_bytes_hex(sh, 32, str(doc, "structHash"));
	/* whole document or its "types" member */
	assert_int_equal(decc_eip712_type_hash_json(th, text, strlen(text), "Bag"), 0);
	decc_keccak256(want, enc, strlen(enc));
	assert_memory_equal(th, want, 32);
	free(text);
	json_decref(doc);
}

static void test_ethers_orders(void **state)
{
	static const char *const names[] = { "app", "dataset", "workerpool", "request" };

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		char rel[64];
		json_t *doc;
		uint8_t d[32];

		snprintf(rel, sizeof(rel), "interop/typed-%s.json", names[i]);
		doc = load(rel);
		assert_int_equal(hash_doc(doc, d, NULL, NULL), 0);
		assert_bytes_hex(d, 32, str(doc, "digest"));
		json_decref(doc);
	}
}

/* Replace a value at a path in a fresh copy of a vector and expect an error code. */
static void expect_mail_error(int code, const char *path_obj, const char *key, json_t *value)
{
	json_t *doc = load("eip712/mail.json"), *o = doc;
	uint8_t d[32] = { 0 }, zero[32] = { 0 };
	char buf[128], *save = NULL, *part;

	snprintf(buf, sizeof(buf), "%s", path_obj);
	for (part = strtok_r(buf, "/", &save); part; part = strtok_r(NULL, "/", &save))
		o = json_object_get(o, part);
	assert_non_null(o);
	if (value)
		json_object_set_new(o, key, value);
	else
		json_object_del(o, key);
	assert_int_equal(hash_doc(doc, d, NULL, NULL), code);
	assert_memory_equal(d, zero, 32); /* untouched */
	assert_true(strlen(decc_error_last()) > 0);
	json_decref(doc);
}

static void test_negatives(void **state)
{
	(void)state;
	/* bad checksum, not an address */
	expect_mail_error(DECC_EINVAL, "message/from", "wallet",
			  json_string("0xcD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"));
	expect_mail_error(DECC_EINVAL, "message/from", "wallet", json_integer(5));
	/* missing field, wrong value kinds */
	expect_mail_error(DECC_EINVAL, "message", "contents", NULL);
	expect_mail_error(DECC_EINVAL, "message", "contents", json_null());
	expect_mail_error(DECC_EINVAL, "message", "to", json_string("Bob"));
	/* domain chainId out of range / not an integer */
	expect_mail_error(DECC_EINVAL, "domain", "chainId", json_string("-1"));
	expect_mail_error(DECC_EINVAL, "domain", "chainId", json_string("12abc"));
	expect_mail_error(DECC_EINVAL, "domain", "chainId", json_real(1.5));
	/* unknown field type, unknown primary type */
	expect_mail_error(DECC_EINVAL, "types", "Person",
			  json_pack("[{s:s,s:s}]", "name", "name", "type", "strin"));
	expect_mail_error(DECC_EINVAL, "", "primaryType", json_string("Letter"));
	expect_mail_error(DECC_EINVAL, "", "primaryType", json_string("EIP712Domain"));
	expect_mail_error(DECC_EINVAL, "", "message", NULL);
}

static int hash_text(const char *text)
{
	uint8_t d[32];

	return decc_eip712_hash_json(d, NULL, NULL, text, strlen(text));
}

#define DOC(types, msg)                                                                            \
	"{\"types\":{" types                                                                       \
	"},\"primaryType\":\"T\",\"domain\":{\"name\":\"x\"},\"message\":" msg "}"

static void test_atomic_ranges(void **state)
{
	(void)state;
	assert_int_equal(
	    hash_text(DOC("\"T\":[{\"name\":\"v\",\"type\":\"uint8\"}]", "{\"v\":255}")), 0);
	assert_int_equal(
	    hash_text(DOC("\"T\":[{\"name\":\"v\",\"type\":\"uint8\"}]", "{\"v\":256}")),
	    DECC_EINVAL);
	assert_int_equal(
	    hash_text(DOC("\"T\":[{\"name\":\"v\",\"type\":\"uint8\"}]", "{\"v\":\"0xff\"}")), 0);
	assert_int_equal(
	    hash_text(DOC("\"T\":[{\"name\":\"v\",\"type\":\"int8\"}]", "{\"v\":-128}")), 0);
	assert_int_equal(
	    hash_text(DOC("\"T\":[{\"name\":\"v\",\"type\":\"int8\"}]", "{\"v\":-129}")),
	    DECC_EINVAL);
	assert_int_equal(
	    hash_text(DOC("\"T\":[{\"name\":\"v\",\"type\":\"int8\"}]", "{\"v\":128}")),
	    DECC_EINVAL);
	assert_int_equal(hash_text(DOC("\"T\":[{\"name\":\"v\",\"type\":\"uint7\"}]", "{\"v\":1}")),
			 DECC_EINVAL);
	assert_int_equal(
	    hash_text(DOC("\"T\":[{\"name\":\"v\",\"type\":\"bytes4\"}]", "{\"v\":\"0x010203\"}")),
	    DECC_EINVAL);
	assert_int_equal(
	    hash_text(DOC("\"T\":[{\"name\":\"v\",\"type\":\"bytes33\"}]", "{\"v\":\"0x01\"}")),
	    DECC_EINVAL);
	assert_int_equal(
	    hash_text(DOC("\"T\":[{\"name\":\"v\",\"type\":\"bytes\"}]", "{\"v\":\"0x0\"}")),
	    DECC_EINVAL);
	assert_int_equal(hash_text(DOC("\"T\":[{\"name\":\"v\",\"type\":\"bool\"}]", "{\"v\":1}")),
			 DECC_EINVAL);
	assert_int_equal(
	    hash_text(DOC("\"T\":[{\"name\":\"v\",\"type\":\"uint8[2]\"}]", "{\"v\":[1,2,3]}")),
	    DECC_EINVAL);
	assert_int_equal(
	    hash_text(DOC("\"T\":[{\"name\":\"v\",\"type\":\"uint8[2]\"}]", "{\"v\":[1,2]}")), 0);
	assert_int_equal(
	    hash_text(DOC("\"T\":[{\"name\":\"v\",\"type\":\"uint8[2\"}]", "{\"v\":[1,2]}")),
	    DECC_EINVAL);
	/* duplicate keys, malformed JSON, not an object */
	assert_int_equal(hash_text(DOC("\"T\":[{\"name\":\"v\",\"type\":\"bool\"}]",
				       "{\"v\":true,\"v\":false}")),
			 DECC_EINVAL);
	assert_int_equal(hash_text("{\"types\":"), DECC_EINVAL);
	assert_int_equal(hash_text("[1,2]"), DECC_EINVAL);
}

/* A self-referencing type nested deeper than the limit is refused, not a stack overflow. */
static void test_depth_limit(void **state)
{
	struct decc_buf b = DECC_BUF_INIT;

	(void)state;
	assert_int_equal(
	    decc_buf_append_str(&b, DOC("\"T\":[{\"name\":\"k\",\"type\":\"T[]\"}]", "")), 0);
	b.len -= 1; /* drop the final '}' to splice the message in */
	for (int i = 0; i < 200; i++)
		assert_int_equal(decc_buf_append_str(&b, "{\"k\":["), 0);
	for (int i = 0; i < 200; i++)
		assert_int_equal(decc_buf_append_str(&b, "]}"), 0);
	assert_int_equal(decc_buf_append_str(&b, "}"), 0);
	assert_int_equal(hash_text(decc_buf_str(&b)), DECC_ELIMIT);
	decc_buf_release(&b);

	/* a few levels are fine */
	assert_int_equal(hash_text(DOC("\"T\":[{\"name\":\"k\",\"type\":\"T[]\"}]",
				       "{\"k\":[{\"k\":[]},{\"k\":[{\"k\":[]}]}]}")),
			 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mail_example),  cmocka_unit_test(test_ethers_bag),
		cmocka_unit_test(test_ethers_orders), cmocka_unit_test(test_negatives),
		cmocka_unit_test(test_atomic_ranges), cmocka_unit_test(test_depth_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
