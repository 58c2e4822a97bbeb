/* SPDX-License-Identifier: Apache-2.0 */
#include <jansson.h>

#include "test.h"

#include "decc/crypto.h"
#include "decc/rlp.h"
#include "decc/tx.h"

static json_t *vectors;

static int setup(void **state)
{
	json_error_t err;
	char *text = test_read_vector("tx/tx.json", NULL);

	(void)state;
	vectors = json_loads(text, 0, &err);
	free(text);
	return vectors ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	json_decref(vectors);
	return 0;
}

static json_t *vec(const char *name)
{
	size_t i;
	json_t *t;

	json_array_foreach(json_object_get(vectors, "transactions"), i, t)
	{
		if (!strcmp(json_string_value(json_object_get(t, "name")), name))
			return t;
	}
	fail_msg("no vector %s", name);
	return NULL;
}

static const char *str(const json_t *t, const char *key)
{
	const char *s = json_string_value(json_object_get(t, key));

	if (!s)
		fail_msg("vector field %s missing", key);
	return s;
}

static void raw_of(struct decc_buf *b, const json_t *t)
{
	const char *hex = str(t, "raw");

	decc_buf_reset(b);
	assert_int_equal(decc_hex_decode_buf(b, hex, strlen(hex)), 0);
}

static void assert_u256_dec(const decc_u256 *v, const char *want)
{
	char out[79];

	decc_u256_to_dec(out, v);
	assert_string_equal(out, want);
}

static void assert_buf_equal(const struct decc_buf *a, const struct decc_buf *b)
{
	assert_int_equal(a->len, b->len);
	assert_memory_equal(a->data, b->data, a->len);
}

/* Decode, check every field, recover the sender, re-encode, re-sign: all as ethers says. */
static void check_vector(const char *name)
{
	const json_t *t = vec(name);
	struct decc_buf raw = DECC_BUF_INIT, again = DECC_BUF_INIT, data = DECC_BUF_INIT;
	struct decc_tx tx, fresh;
	uint8_t h[32], sk[32], r0[32], s0[32];
	decc_address sender, want;
	char hexbuf[67];

	raw_of(&raw, t);
	assert_int_equal(decc_tx_decode(&tx, raw.data, raw.len), 0);
	assert_true(tx.is_signed);
	assert_int_equal(tx.type, json_integer_value(json_object_get(t, "type")));
	assert_int_equal(tx.chain_id, strtoull(str(t, "chain_id"), NULL, 10));
	assert_int_equal(tx.nonce, json_integer_value(json_object_get(t, "nonce")));
	assert_int_equal(tx.gas, strtoull(str(t, "gas"), NULL, 10));
	if (tx.type == 0) {
		assert_u256_dec(&tx.gas_price, str(t, "gas_price"));
	} else {
		assert_u256_dec(&tx.max_priority_fee, str(t, "max_priority_fee"));
		assert_u256_dec(&tx.max_fee, str(t, "max_fee"));
	}
	assert_u256_dec(&tx.value, str(t, "value"));
	if (json_is_null(json_object_get(t, "to"))) {
		assert_false(tx.has_to);
	} else {
		assert_true(tx.has_to);
		assert_int_equal(decc_address_parse(&want, str(t, "to")), 0);
		assert_true(decc_address_eq(&tx.to, &want));
	}
	assert_int_equal(decc_hex_decode_buf(&data, str(t, "data"), strlen(str(t, "data"))), 0);
	assert_buf_equal(&tx.data, &data);
	assert_int_equal(tx.y_parity, json_integer_value(json_object_get(t, "y_parity")));
	decc_hex_encode(hexbuf, tx.r, 32, true);
	assert_string_equal(hexbuf, str(t, "r"));
	decc_hex_encode(hexbuf, tx.s, 32, true);
	assert_string_equal(hexbuf, str(t, "s"));

	assert_int_equal(decc_tx_signing_hash(h, &tx), 0);
	decc_hex_encode(hexbuf, h, 32, true);
	assert_string_equal(hexbuf, str(t, "signing_hash"));
	assert_int_equal(decc_tx_hash(h, &tx), 0);
	decc_hex_encode(hexbuf, h, 32, true);
	assert_string_equal(hexbuf, str(t, "hash"));
	assert_int_equal(decc_tx_sender(&sender, &tx), 0);
	assert_int_equal(decc_address_parse(&want, str(t, "sender")), 0);
	assert_true(decc_address_eq(&sender, &want));

	/* encoding what was decoded gives the input back */
	assert_int_equal(decc_tx_encode(&again, &tx), 0);
	assert_buf_equal(&again, &raw);

	/* signing again (RFC 6979) reproduces ethers' bytes */
	test_unhex(sk, 32, str(t, "key"));
	memcpy(r0, tx.r, 32);
	memcpy(s0, tx.s, 32);
	memset(tx.r, 0, 32);
	memset(tx.s, 0, 32);
	tx.y_parity = 7;
	assert_int_equal(decc_tx_sign(&tx, sk), 0);
	assert_memory_equal(tx.r, r0, 32);
	assert_memory_equal(tx.s, s0, 32);
	decc_buf_reset(&again);
	assert_int_equal(decc_tx_encode(&again, &tx), 0);
	assert_buf_equal(&again, &raw);

	/* and a transaction built field by field signs to the same bytes */
	decc_tx_init(&fresh);
	fresh.type = tx.type;
	fresh.chain_id = tx.chain_id;
	fresh.nonce = tx.nonce;
	fresh.gas_price = tx.gas_price;
	fresh.max_priority_fee = tx.max_priority_fee;
	fresh.max_fee = tx.max_fee;
	fresh.gas = tx.gas;
	fresh.has_to = tx.has_to;
	fresh.to = tx.to;
	fresh.value = tx.value;
	assert_int_equal(decc_buf_append(&fresh.data, data.data, data.len), 0);
	if (tx.access_list.len != 1 || tx.access_list.data[0] != 0xc0)
		assert_int_equal(
		    decc_buf_append(&fresh.access_list, tx.access_list.data, tx.access_list.len),
		    0);
	assert_int_equal(decc_tx_encode(&again, &fresh), DECC_EINVAL); /* not signed yet */
	assert_int_equal(decc_tx_sign(&fresh, sk), 0);
	decc_buf_reset(&again);
	assert_int_equal(decc_tx_encode(&again, &fresh), 0);
	assert_buf_equal(&again, &raw);

	decc_tx_release(&fresh);
	decc_tx_release(&tx);
	decc_buf_release(&raw);
	decc_buf_release(&again);
	decc_buf_release(&data);
}

static void test_eip155_example(void **state)
{
	(void)state;
	check_vector("eip155-example");
}

static void test_eip1559(void **state)
{
	(void)state;
	check_vector("eip1559");
}

static void test_eip1559_create(void **state)
{
	(void)state;
	check_vector("eip1559-create");
}

static void test_legacy_pre155(void **state)
{
	(void)state;
	check_vector("legacy-pre155");
}

/* EIP-155's own published numbers, independent of the generated file. */
static void test_eip155_text(void **state)
{
	struct decc_tx tx;
	uint8_t sk[32], h[32];
	struct decc_buf raw = DECC_BUF_INIT;

	(void)state;
	decc_tx_init(&tx);
	tx.chain_id = 1;
	tx.nonce = 9;
	tx.gas_price = decc_u256_from_u64(20000000000ULL);
	tx.gas = 21000;
	tx.has_to = true;
	memset(tx.to.b, 0x35, 20);
	tx.value = decc_u256_from_u64(1000000000000000000ULL);
	assert_int_equal(decc_tx_signing_hash(h, &tx), 0);
	assert_bytes_hex(h, 32, "daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53");
	memset(sk, 0x46, 32);
	assert_int_equal(decc_tx_sign(&tx, sk), 0);
	assert_int_equal(decc_tx_encode(&raw, &tx), 0);
	assert_int_equal(raw.len, 110);
	assert_bytes_hex(
	    raw.data, 110,
	    "f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6"
	    "b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa"
	    "636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83");
	decc_buf_release(&raw);
	decc_tx_release(&tx);
}

static void test_contract_address(void **state)
{
	size_t i;
	json_t *c;

	(void)state;
	json_array_foreach(json_object_get(vectors, "create"), i, c)
	{
		decc_address sender, got, want;

		assert_int_equal(decc_address_parse(&sender, str(c, "sender")), 0);
		assert_int_equal(decc_address_parse(&want, str(c, "address")), 0);
		assert_int_equal(
		    decc_contract_address(
			&got, &sender, (uint64_t)json_integer_value(json_object_get(c, "nonce"))),
		    0);
		assert_true(decc_address_eq(&got, &want));
	}
	assert_int_equal(i, 2);
}

/* Rebuild a transaction's RLP list with one field replaced by raw bytes (or removed). */
static void rebuild(struct decc_buf *out, const struct decc_buf *raw, size_t field,
		    const uint8_t *repl, size_t repl_len, bool drop)
{
	bool typed = raw->data[0] == 2;
	struct decc_rlp_item list, it;
	struct decc_cursor c;
	size_t mark, idx = 0;

	assert_int_equal(decc_rlp_decode(&list, raw->data + typed, raw->len - typed), 0);
	decc_buf_reset(out);
	if (typed)
		assert_int_equal(decc_buf_append_byte(out, 2), 0);
	mark = decc_rlp_list_begin(out);
	decc_cursor_init(&c, list.payload.ptr, list.payload.len);
	while (decc_cursor_left(&c)) {
		assert_int_equal(decc_rlp_next(&c, &it), 0);
		if (idx++ == field) {
			if (!drop)
				assert_int_equal(decc_rlp_append_raw(out, repl, repl_len), 0);
			continue;
		}
		assert_int_equal(decc_rlp_append_raw(out, it.raw.ptr, it.raw.len), 0);
	}
	if (field == idx)
		assert_int_equal(decc_rlp_append_raw(out, repl, repl_len), 0);
	assert_int_equal(decc_rlp_list_end(out, mark), 0);
}

static void expect_reject(const struct decc_buf *b, int code, const char *what)
{
	struct decc_tx tx;

	memset(&tx, 0x5a, sizeof(tx));
	int r = decc_tx_decode(&tx, b->data, b->len);

	if (r != code)
		fail_msg("%s: got %d (%s), expected %d", what, r, decc_error_last(), code);
	/* output untouched */
	assert_int_equal(tx.nonce, 0x5a5a5a5a5a5a5a5aULL);
}

static void test_negatives(void **state)
{
	struct decc_buf legacy = DECC_BUF_INIT, typed = DECC_BUF_INIT, m = DECC_BUF_INIT;
	/* n - s for the legacy vector's s: the same signature in its high-s form */
	static const uint8_t n_order[32] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
					     0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b,
					     0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41 };
	uint8_t s[32], hs[33];
	decc_u256 nn, ss, hi;
	struct decc_tx tx;

	(void)state;
	raw_of(&legacy, vec("eip155-example"));
	raw_of(&typed, vec("eip1559"));

	/* high-s */
	assert_int_equal(decc_tx_decode(&tx, legacy.data, legacy.len), 0);
	memcpy(s, tx.s, 32);
	decc_tx_release(&tx);
	decc_u256_from_be(&nn, n_order);
	decc_u256_from_be(&ss, s);
	assert_false(decc_u256_sub(&hi, &nn, &ss));
	hs[0] = 0xa0;
	decc_u256_to_be(hs + 1, &hi);
	rebuild(&m, &legacy, 8, hs, 33, false);
	expect_reject(&m, DECC_EAUTH, "legacy high-s");
	rebuild(&m, &typed, 11, hs, 33, false);
	expect_reject(&m, DECC_EAUTH, "type 2 high-s");
	/* r = 0 */
	rebuild(&m, &legacy, 7, (const uint8_t *)"\x80", 1, false);
	expect_reject(&m, DECC_EAUTH, "r = 0");
	/* v: 35/36 (EIP-155 with chain id 0), 29, 0 */
	rebuild(&m, &legacy, 6, (const uint8_t *)"\x23", 1, false);
	expect_reject(&m, DECC_EINVAL, "v = 35");
	rebuild(&m, &legacy, 6, (const uint8_t *)"\x1d", 1, false);
	expect_reject(&m, DECC_EINVAL, "v = 29");
	/* y parity 2 */
	rebuild(&m, &typed, 9, (const uint8_t *)"\x02", 1, false);
	expect_reject(&m, DECC_EINVAL, "yParity = 2");
	/* field count: one missing, one extra */
	rebuild(&m, &legacy, 5, NULL, 0, true);
	expect_reject(&m, DECC_EINVAL, "8 legacy fields");
	rebuild(&m, &typed, 12, (const uint8_t *)"\x80", 1, false);
	expect_reject(&m, DECC_EINVAL, "13 type-2 fields");
	/* to of 19 bytes */
	{
		uint8_t to19[20] = { 0x93 };

		rebuild(&m, &legacy, 3, to19, 20, false);
		expect_reject(&m, DECC_EINVAL, "19-byte to");
	}
	/* non-canonical integer: nonce 9 written as 0x8109 */
	rebuild(&m, &legacy, 0, (const uint8_t *)"\x81\x09", 2, false);
	expect_reject(&m, DECC_EINVAL, "non-canonical nonce");
	/* leading zero in the gas */
	rebuild(&m, &legacy, 2, (const uint8_t *)"\x83\x00\x52\x08", 4, false);
	expect_reject(&m, DECC_EINVAL, "gas with a leading zero");
	/* access list that is a string, or malformed entries */
	rebuild(&m, &typed, 8, (const uint8_t *)"\x80", 1, false);
	expect_reject(&m, DECC_EINVAL, "access list as a string");
	rebuild(&m, &typed, 8, (const uint8_t *)"\xc2\xc1\x80", 3, false);
	expect_reject(&m, DECC_EINVAL, "access list entry without keys");
	/* truncated, trailing byte, unknown types, empty */
	decc_buf_reset(&m);
	assert_int_equal(decc_buf_append(&m, legacy.data, legacy.len - 1), 0);
	expect_reject(&m, DECC_EINVAL, "truncated");
	assert_int_equal(decc_buf_append(&m, legacy.data + legacy.len - 1, 1), 0);
	assert_int_equal(decc_buf_append_byte(&m, 0), 0);
	expect_reject(&m, DECC_EINVAL, "trailing byte");
	m.data[0] = 0x01;
	expect_reject(&m, DECC_EINVAL, "type 1");
	m.data[0] = 0x03;
	expect_reject(&m, DECC_EINVAL, "type 3");
	m.data[0] = 0x80;
	expect_reject(&m, DECC_EINVAL, "RLP string");
	m.len = 0;
	expect_reject(&m, DECC_EINVAL, "empty");
	/* oversize: a data field past DECC_TX_MAX_SIZE */
	decc_buf_reset(&m);
	assert_int_equal(decc_buf_append_zeros(&m, DECC_TX_MAX_SIZE + 1), 0);
	m.data[0] = 0xc0;
	expect_reject(&m, DECC_ELIMIT, "oversize");

	decc_buf_release(&legacy);
	decc_buf_release(&typed);
	decc_buf_release(&m);
}

static void test_sign_and_recover(void **state)
{
	struct decc_tx tx, back;
	uint8_t sk[32];
	struct decc_buf raw = DECC_BUF_INIT;
	decc_address me, from;

	(void)state;
	memset(sk, 0x11, 32);
	assert_int_equal(decc_address_from_seckey(&me, sk), 0);
	decc_tx_init(&tx);
	tx.type = 2;
	tx.chain_id = 65535;
	tx.nonce = 1;
	tx.max_fee = decc_u256_from_u64(2);
	tx.gas = 1;
	assert_int_equal(decc_tx_sender(&from, &tx), DECC_EINVAL);
	assert_int_equal(decc_tx_sign(&tx, sk), 0);
	assert_int_equal(decc_tx_sender(&from, &tx), 0);
	assert_true(decc_address_eq(&from, &me));
	assert_int_equal(decc_tx_encode(&raw, &tx), 0);
	assert_int_equal(decc_tx_decode(&back, raw.data, raw.len), 0);
	assert_int_equal(decc_tx_sender(&from, &back), 0);
	assert_true(decc_address_eq(&from, &me));
	/* a changed field changes the sender: the signature covers it */
	back.nonce = 2;
	assert_int_equal(decc_tx_sender(&from, &back), 0);
	assert_false(decc_address_eq(&from, &me));
	/* unsupported type refused when signing */
	tx.type = 1;
	assert_int_equal(decc_tx_sign(&tx, sk), DECC_EINVAL);
	decc_tx_release(&back);
	decc_tx_release(&tx);
	decc_buf_release(&raw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eip155_example), cmocka_unit_test(test_eip155_text),
		cmocka_unit_test(test_eip1559),	       cmocka_unit_test(test_eip1559_create),
		cmocka_unit_test(test_legacy_pre155),  cmocka_unit_test(test_contract_address),
		cmocka_unit_test(test_negatives),      cmocka_unit_test(test_sign_and_recover),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
