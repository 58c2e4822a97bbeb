/* SPDX-License-Identifier: Apache-2.0 */
#include <jansson.h>

#include "test.h"

#include "decc/rlp.h"

static json_t *load(const char *rel)
{
	json_error_t err;
	char *text = test_read_vector(rel, NULL);
	json_t *j = json_loads(text, JSON_ALLOW_NUL, &err);

	free(text);
	if (!j)
		fail_msg("%s: %s", rel, err.text);
	return j;
}

static void unhex_buf(struct decc_buf *b, const char *hex)
{
	decc_buf_reset(b);
	if (decc_hex_decode_buf(b, hex, strlen(hex)) != 0)
		fail_msg("bad hex %s", hex);
}

/* Encode the JSON form: string = its bytes, "#N" = integer N, array = list. */
static void encode_json(struct decc_buf *b, const json_t *v)
{
	if (json_is_array(v)) {
		size_t mark = decc_rlp_list_begin(b), i;
		json_t *x;

		json_array_foreach(v, i, x) encode_json(b, x);
		assert_int_equal(decc_rlp_list_end(b, mark), 0);
		return;
	}
	const char *s = json_string_value(v);

	assert_non_null(s);
	if (s[0] == '#') {
		decc_u256 n;
		uint64_t small;

		assert_int_equal(decc_u256_parse(&n, s + 1), 0);
		if (decc_u256_to_u64(&n, &small))
			assert_int_equal(decc_rlp_append_u64(b, small), 0);
		else
			assert_int_equal(decc_rlp_append_u256(b, &n), 0);
	} else {
		assert_int_equal(
		    decc_rlp_append_bytes(b, (const uint8_t *)s, json_string_length(v)), 0);
	}
}

/* The decoded item must have the structure and contents of the JSON form. */
static void check_item(const struct decc_rlp_item *it, const json_t *v)
{
	if (json_is_array(v)) {
		struct decc_cursor c;
		size_t i;
		json_t *x;

		assert_true(it->is_list);
		decc_cursor_init(&c, it->payload.ptr, it->payload.len);
		json_array_foreach(v, i, x)
		{
			struct decc_rlp_item sub;

			assert_int_equal(decc_rlp_next(&c, &sub), 0);
			check_item(&sub, x);
		}
		assert_int_equal(decc_cursor_left(&c), 0);
		return;
	}
	const char *s = json_string_value(v);

	assert_false(it->is_list);
	if (s[0] == '#') {
		decc_u256 want, got;
		uint64_t w64, g64;

		assert_int_equal(decc_u256_parse(&want, s + 1), 0);
		assert_int_equal(decc_rlp_get_u256(&got, it), 0);
		assert_int_equal(decc_u256_cmp(&want, &got), 0);
		if (decc_u256_to_u64(&want, &w64)) {
			assert_int_equal(decc_rlp_get_u64(&g64, it), 0);
			assert_int_equal(g64, w64);
		} else {
			assert_int_equal(decc_rlp_get_u64(&g64, it), DECC_EINVAL);
		}
	} else {
		assert_int_equal(it->payload.len, json_string_length(v));
		assert_memory_equal(it->payload.ptr, s, it->payload.len);
	}
}

static void test_valid(void **state)
{
	json_t *j = load("rlp/rlp.json"), *c;
	struct decc_buf b = DECC_BUF_INIT, want = DECC_BUF_INIT;
	size_t i, count = 0;

	(void)state;
	json_array_foreach(json_object_get(j, "valid"), i, c)
	{
		struct decc_rlp_item it;
		const char *name = json_string_value(json_object_get(c, "name"));

		unhex_buf(&want, json_string_value(json_object_get(c, "out")));
		decc_buf_reset(&b);
		encode_json(&b, json_object_get(c, "in"));
		if (b.len != want.len || memcmp(b.data, want.data, b.len) != 0)
			fail_msg("%s: encoding differs", name);
		assert_int_equal(decc_rlp_decode(&it, want.data, want.len), 0);
		assert_int_equal(it.raw.len, want.len);
		check_item(&it, json_object_get(c, "in"));
		assert_int_equal(decc_rlp_validate(want.data, want.len), 0);
		count++;
	}
	assert_true(count >= 20);
	decc_buf_release(&b);
	decc_buf_release(&want);
	json_decref(j);
}

static void test_invalid(void **state)
{
	json_t *j = load("rlp/invalid.json"), *c;
	struct decc_buf b = DECC_BUF_INIT;
	size_t i, count = 0;

	(void)state;
	json_array_foreach(json_object_get(j, "invalid"), i, c)
	{
		struct decc_rlp_item it = { .is_list = true };
		const char *why = json_string_value(json_object_get(c, "why"));

		unhex_buf(&b, json_string_value(json_object_get(c, "hex")));
		if (decc_rlp_decode(&it, b.data, b.len) != DECC_EINVAL)
			fail_msg("accepted: %s", why);
		/* output untouched on failure */
		assert_true(it.is_list);
		assert_null(it.raw.ptr);
		assert_int_equal(decc_rlp_validate(b.data, b.len), DECC_EINVAL);
		count++;
	}
	assert_true(count >= 15);
	decc_buf_release(&b);
	json_decref(j);
}

static void test_next_sequence(void **state)
{
	/* two items back to back: next reads them one at a time, decode refuses the pair */
	const uint8_t data[] = { 0x83, 'd', 'o', 'g', 0xc2, 0x01, 0x02 };
	struct decc_cursor c;
	struct decc_rlp_item it;

	(void)state;
	decc_cursor_init(&c, data, sizeof(data));
	assert_int_equal(decc_rlp_next(&c, &it), 0);
	assert_false(it.is_list);
	assert_int_equal(it.payload.len, 3);
	assert_int_equal(it.raw.len, 4);
	assert_int_equal(decc_rlp_next(&c, &it), 0);
	assert_true(it.is_list);
	assert_int_equal(it.payload.len, 2);
	assert_int_equal(decc_cursor_left(&c), 0);
	assert_int_equal(decc_rlp_next(&c, &it), DECC_EINVAL);
	assert_int_equal(decc_rlp_decode(&it, data, sizeof(data)), DECC_EINVAL);
}

static void test_depth(void **state)
{
	uint8_t data[DECC_RLP_MAX_DEPTH + 2];
	struct decc_rlp_item it;
	size_t n;

	(void)state;
	/* DECC_RLP_MAX_DEPTH nested lists are fine, one more is refused */
	for (size_t depth = DECC_RLP_MAX_DEPTH; depth <= DECC_RLP_MAX_DEPTH + 1; depth++) {
		n = depth;
		for (size_t i = 0; i < n; i++)
			data[i] = (uint8_t)(0xc0 + (n - 1 - i));
		if (depth == DECC_RLP_MAX_DEPTH)
			assert_int_equal(decc_rlp_decode(&it, data, n), 0);
		else
			assert_int_equal(decc_rlp_decode(&it, data, n), DECC_ELIMIT);
	}
}

static void test_integers(void **state)
{
	struct decc_rlp_item it;
	uint64_t v = 7;
	decc_u256 u;
	struct decc_buf b = DECC_BUF_INIT;
	uint8_t nine[10] = { 0x89, 1, 0, 0, 0, 0, 0, 0, 0, 0 };
	uint8_t big[34] = { 0xa1, 1 };

	(void)state;
	/* leading zero, single zero byte, list: not canonical integers */
	assert_int_equal(decc_rlp_decode(&it, (const uint8_t *)"\x82\x00\x01", 3), 0);
	assert_int_equal(decc_rlp_get_u64(&v, &it), DECC_EINVAL);
	assert_int_equal(decc_rlp_get_u256(&u, &it), DECC_EINVAL);
	assert_int_equal(decc_rlp_decode(&it, (const uint8_t *)"\x00", 1), 0);
	assert_int_equal(decc_rlp_get_u64(&v, &it), DECC_EINVAL);
	assert_int_equal(decc_rlp_decode(&it, (const uint8_t *)"\xc0", 1), 0);
	assert_int_equal(decc_rlp_get_u64(&v, &it), DECC_EINVAL);
	assert_int_equal(v, 7);
	/* 9 bytes do not fit u64; 33 bytes do not fit u256 */
	assert_int_equal(decc_rlp_decode(&it, nine, sizeof(nine)), 0);
	assert_int_equal(decc_rlp_get_u64(&v, &it), DECC_EINVAL);
	assert_int_equal(decc_rlp_get_u256(&u, &it), 0);
	assert_int_equal(decc_rlp_decode(&it, big, sizeof(big)), 0);
	assert_int_equal(decc_rlp_get_u256(&u, &it), DECC_EINVAL);
	/* u64 boundaries */
	assert_int_equal(decc_rlp_append_u64(&b, 0), 0);
	assert_int_equal(decc_rlp_append_u64(&b, 127), 0);
	assert_int_equal(decc_rlp_append_u64(&b, 128), 0);
	assert_int_equal(decc_rlp_append_u64(&b, UINT64_MAX), 0);
	assert_int_equal(b.len, 13);
	assert_bytes_hex(b.data, 13, "807f818088ffffffffffffffff");
	decc_buf_release(&b);
}

static void test_list_end_long(void **state)
{
	struct decc_buf b = DECC_BUF_INIT;
	size_t mark;
	uint8_t blob[300];
	struct decc_rlp_item it;

	(void)state;
	memset(blob, 0xaa, sizeof(blob));
	assert_int_equal(decc_buf_append_str(&b, "prefix"), 0);
	mark = decc_rlp_list_begin(&b);
	assert_int_equal(decc_rlp_append_bytes(&b, blob, sizeof(blob)), 0);
	assert_int_equal(decc_rlp_list_end(&b, mark), 0);
	/* 300 + 3 = 303 = 0x012f payload: header f9 01 2f, then b9 01 2c */
	assert_bytes_hex(b.data + 6, 6, "f9012fb9012c");
	assert_int_equal(b.len, 6 + 3 + 3 + 300);
	assert_int_equal(decc_rlp_decode(&it, b.data + 6, b.len - 6), 0);
	assert_int_equal(decc_rlp_list_end(&b, b.len + 1), DECC_EINVAL);
	decc_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),	      cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_next_sequence), cmocka_unit_test(test_depth),
		cmocka_unit_test(test_integers),      cmocka_unit_test(test_list_end_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
