/* SPDX-License-Identifier: Apache-2.0 */
#include "test.h"

static void test_append_and_limit(void **state)
{
	struct decc_buf b;

	(void)state;
	decc_buf_init(&b, 8);
	assert_int_equal(decc_buf_append_str(&b, "abcd"), 0);
	assert_string_equal(decc_buf_str(&b), "abcd");
	assert_int_equal(decc_buf_appendf(&b, "%d", 1234), 0);
	assert_int_equal(b.len, 8);
	/* one more byte crosses the maximum: refused, contents unchanged */
	assert_int_equal(decc_buf_append_byte(&b, 'x'), DECC_ELIMIT);
	assert_string_equal(decc_buf_str(&b), "abcd1234");
	decc_buf_release(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(decc_buf_str(&b), "");
}

static void test_detach(void **state)
{
	struct decc_buf b = DECC_BUF_INIT;
	uint8_t *p;
	size_t n;

	(void)state;
	assert_int_equal(decc_buf_append(&b, "xyz", 3), 0);
	p = decc_buf_detach(&b, &n);
	assert_int_equal(n, 3);
	assert_memory_equal(p, "xyz", 3);
	assert_int_equal(b.len, 0);
	free(p);
	decc_buf_release(&b);
}

static void test_secret_grows(void **state)
{
	struct decc_buf b;

	(void)state;
	decc_buf_init_secret(&b, 1 << 20);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(decc_buf_append(&b, "0123456789", 10), 0);
	assert_int_equal(b.len, 10000);
	assert_memory_equal(b.data + 9990, "0123456789", 10);
	decc_buf_release(&b);
}

static void test_cursor_bounds(void **state)
{
	const uint8_t data[] = { 1, 2, 3, 4, 5 };
	struct decc_cursor c;
	uint32_t v32;
	uint64_t v;
	uint8_t b;

	(void)state;
	decc_cursor_init(&c, data, sizeof(data));
	assert_int_equal(decc_cursor_u32be(&c, &v32), 0);
	assert_int_equal(v32, 0x01020304);
	/* a read past the end fails and leaves the position alone */
	assert_int_equal(decc_cursor_uint_be(&c, &v, 2), DECC_EINVAL);
	assert_int_equal(decc_cursor_left(&c), 1);
	assert_int_equal(decc_cursor_u8(&c, &b), 0);
	assert_int_equal(b, 5);
	assert_int_equal(decc_cursor_u8(&c, &b), DECC_EINVAL);
	assert_int_equal(decc_cursor_skip(&c, SIZE_MAX), DECC_EINVAL);
}

static void test_hex(void **state)
{
	uint8_t out[4];
	size_t n;
	struct decc_buf b = DECC_BUF_INIT;
	char s[16];

	(void)state;
	assert_int_equal(decc_hex_decode(out, sizeof(out), &n, "0xDEadbeef", 10), 0);
	assert_int_equal(n, 4);
	decc_hex_encode(s, out, 4, true);
	assert_string_equal(s, "0xdeadbeef");
	assert_int_equal(decc_hex_decode(out, sizeof(out), &n, "abc", 3), DECC_EINVAL);
	assert_int_equal(decc_hex_decode(out, sizeof(out), &n, "zz", 2), DECC_EINVAL);
	assert_int_equal(decc_hex_decode(out, sizeof(out), &n, "0x0102030405", 12), DECC_ELIMIT);
	assert_int_equal(decc_hex_decode_exact(out, 2, "0x0102"), 0);
	assert_int_equal(decc_hex_decode_exact(out, 2, "0x010203"), DECC_EINVAL);
	assert_int_equal(decc_hex_decode_buf(&b, "", 0), 0);
	assert_int_equal(b.len, 0);
	assert_int_equal(decc_hex_decode_buf(&b, "0x00ff", 6), 0);
	assert_int_equal(b.len, 2);
	assert_int_equal(b.data[1], 0xff);
	assert_int_equal(decc_hex_append(&b, out, 2), 0);
	assert_int_equal(b.len, 8);
	decc_buf_release(&b);
}

static void test_error_wrap(void **state)
{
	(void)state;
	assert_int_equal(decc_error_set(DECC_EINVAL, "bad %s", "thing"), DECC_EINVAL);
	assert_int_equal(decc_error_wrap(DECC_EINVAL, "reading %s", "f.json"), DECC_EINVAL);
	assert_string_equal(decc_error_last(), "reading f.json: bad thing");
	assert_int_equal(decc_error_code(), DECC_EINVAL);
	decc_error_clear();
	assert_int_equal(decc_error_code(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_and_limit),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_secret_grows),
		cmocka_unit_test(test_cursor_bounds),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_error_wrap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
