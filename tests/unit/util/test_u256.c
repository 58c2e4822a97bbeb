/* SPDX-License-Identifier: Apache-2.0 */
#include "test.h"

#include "decc/u256.h"

#define MAX_DEC "115792089237316195423570985008687907853269984665640564039457584007913129639935"
#define MAX_HEX "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"

static decc_u256 P(const char *s)
{
	decc_u256 v;

	if (decc_u256_parse(&v, s) != 0)
		fail_msg("cannot parse %s: %s", s, decc_error_last());
	return v;
}

static void assert_dec(const decc_u256 *v, const char *want)
{
	char out[79];

	decc_u256_to_dec(out, v);
	assert_string_equal(out, want);
}

static void assert_hex(const decc_u256 *v, const char *want)
{
	char out[67];

	decc_u256_to_hex(out, v);
	assert_string_equal(out, want);
}

static void test_parse_format(void **state)
{
	decc_u256 v;

	(void)state;
	v = P("0");
	assert_true(decc_u256_is_zero(&v));
	assert_dec(&v, "0");
	assert_hex(&v, "0x0");
	v = P("1000000000000000000");
	assert_dec(&v, "1000000000000000000");
	assert_hex(&v, "0xde0b6b3a7640000");
	/* 10^19 and 10^19 - 1 straddle the 19-digit chunks of the decimal printer */
	v = P("10000000000000000000");
	assert_dec(&v, "10000000000000000000");
	v = P("9999999999999999999");
	assert_dec(&v, "9999999999999999999");
	v = P("100000000000000000000000000000000000000");
	assert_dec(&v, "100000000000000000000000000000000000000");
	v = P(MAX_DEC);
	assert_dec(&v, MAX_DEC);
	assert_hex(&v, MAX_HEX);
	v = P(MAX_HEX);
	assert_dec(&v, MAX_DEC);
	v = P("0X00ABcd");
	assert_hex(&v, "0xabcd");
	v = P("007");
	assert_dec(&v, "7");
	/* leading zero hex digits beyond 64 are fine as long as the value fits */
	v = P("0x0000ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
	assert_dec(&v, MAX_DEC);
}

static void test_parse_rejects(void **state)
{
	static const char *const bad[] = {
		"",
		"-1",
		"+1",
		" 1",
		"1 ",
		"1_000",
		"1e18",
		"0x",
		"0xg",
		"0x-1",
		"12a",
		/* 2^256: overflow by one, decimal and hex */
		"115792089237316195423570985008687907853269984665640564039457584007913129639936",
		"0x10000000000000000000000000000000000000000000000000000000000000000",
		"999999999999999999999999999999999999999999999999999999999999999999999999999999",
	};
	decc_u256 v = decc_u256_from_u64(42);

	(void)state;
	for (size_t i = 0; i < DECC_ARRAY_SIZE(bad); i++) {
		if (decc_u256_parse(&v, bad[i]) != DECC_EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
		/* output untouched */
		assert_int_equal(v.w[0], 42);
	}
}

static void test_add_sub(void **state)
{
	decc_u256 max = P(MAX_DEC), one = decc_u256_from_u64(1), r;
	decc_u256 a = P("0xffffffffffffffff"), b;

	(void)state;
	/* carries across every limb */
	assert_false(decc_u256_add(&r, &a, &one));
	assert_hex(&r, "0x10000000000000000");
	b = P("0xffffffffffffffffffffffffffffffffffffffffffffffff");
	assert_false(decc_u256_add(&r, &b, &one));
	assert_hex(&r, "0x1000000000000000000000000000000000000000000000000");
	/* max + 1 overflows, max + 0 does not */
	assert_true(decc_u256_add(&r, &max, &one));
	r = DECC_U256_ZERO;
	assert_false(decc_u256_add(&r, &max, &DECC_U256_ZERO));
	assert_dec(&r, MAX_DEC);
	/* borrows */
	assert_false(decc_u256_sub(&r, &max, &max));
	assert_true(decc_u256_is_zero(&r));
	b = P("0x1000000000000000000000000000000000000000000000000");
	assert_false(decc_u256_sub(&r, &b, &one));
	assert_hex(&r, "0xffffffffffffffffffffffffffffffffffffffffffffffff");
	/* 0 - 1 underflows; 5 - 5 - ... */
	assert_true(decc_u256_sub(&r, &DECC_U256_ZERO, &one));
	assert_true(decc_u256_sub(&r, &one, &max));
	/* in place */
	a = decc_u256_from_u64(10);
	assert_false(decc_u256_add(&a, &a, &a));
	assert_dec(&a, "20");
}

static void test_mul(void **state)
{
	decc_u256 r, a, b, max = P(MAX_DEC);
	decc_u256 two128 = P("0x100000000000000000000000000000000");
	decc_u256 one = decc_u256_from_u64(1), two = decc_u256_from_u64(2);

	(void)state;
	a = P("1000000000000000000");
	b = P("123456789000000000000");
	assert_false(decc_u256_mul(&r, &a, &b));
	assert_dec(&r, "123456789000000000000000000000000000000");
	assert_false(decc_u256_mul(&r, &max, &one));
	assert_dec(&r, MAX_DEC);
	assert_true(decc_u256_mul(&r, &max, &two));
	/* 2^128 * 2^128 = 2^256: overflow by exactly one */
	assert_true(decc_u256_mul(&r, &two128, &two128));
	a = P("0xffffffffffffffffffffffffffffffff");
	assert_false(decc_u256_mul(&r, &a, &two128));
	assert_hex(&r, "0xffffffffffffffffffffffffffffffff00000000000000000000000000000000");
	/* (2^128-1)^2 = 2^256 - 2^129 + 1 */
	assert_false(decc_u256_mul(&r, &a, &a));
	assert_hex(&r, "0xfffffffffffffffffffffffffffffffe00000000000000000000000000000001");
	assert_false(decc_u256_mul(&r, &max, &DECC_U256_ZERO));
	assert_true(decc_u256_is_zero(&r));
}

static void test_divmod(void **state)
{
	decc_u256 q, r, a, b, max = P(MAX_DEC), back;

	(void)state;
	a = P("1000000000000000000000");
	b = decc_u256_from_u64(7);
	assert_false(decc_u256_divmod(&q, &r, &a, &b));
	assert_dec(&q, "142857142857142857142");
	assert_dec(&r, "6");
	/* multi-limb divisor: max / (2^128 + 1) */
	b = P("0x100000000000000000000000000000001");
	assert_false(decc_u256_divmod(&q, &r, &max, &b));
	assert_hex(&q, "0xffffffffffffffffffffffffffffffff");
	assert_hex(&r, "0x0");
	/* q * b + r == a for a messy pair */
	a = P("98765432109876543210987654321098765432109876543210987654321098765432");
	b = P("12345678901234567890123456789012345678");
	assert_false(decc_u256_divmod(&q, &r, &a, &b));
	assert_true(decc_u256_cmp(&r, &b) < 0);
	assert_false(decc_u256_mul(&back, &q, &b));
	assert_false(decc_u256_add(&back, &back, &r));
	assert_int_equal(decc_u256_cmp(&back, &a), 0);
	/* max / max, a < b, division by zero */
	assert_false(decc_u256_divmod(&q, &r, &max, &max));
	assert_dec(&q, "1");
	assert_dec(&r, "0");
	assert_false(decc_u256_divmod(&q, &r, &b, &a));
	assert_dec(&q, "0");
	assert_int_equal(decc_u256_cmp(&r, &b), 0);
	assert_true(decc_u256_divmod(&q, &r, &a, &DECC_U256_ZERO));
	/* divisor with its top bit set (the shifted remainder passes 2^256) */
	b = P("0x8000000000000000000000000000000000000000000000000000000000000001");
	assert_false(decc_u256_divmod(&q, &r, &max, &b));
	assert_dec(&q, "1");
	assert_hex(&r, "0x7ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe");
	/* NULL outputs are allowed */
	assert_false(decc_u256_divmod(NULL, &r, &max, &b));
}

static void test_bytes(void **state)
{
	uint8_t be[32], min[32];
	size_t n;
	decc_u256 v = P("0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"), w;
	uint64_t x;

	(void)state;
	decc_u256_to_be(be, &v);
	assert_bytes_hex(be, 32,
			 "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20");
	decc_u256_from_be(&w, be);
	assert_int_equal(decc_u256_cmp(&v, &w), 0);
	v = decc_u256_from_u64(0x1234);
	decc_u256_to_be_min(min, &n, &v);
	assert_int_equal(n, 2);
	assert_bytes_hex(min, 2, "1234");
	decc_u256_to_be_min(min, &n, &DECC_U256_ZERO);
	assert_int_equal(n, 0);
	assert_int_equal(decc_u256_from_be_bytes(&w, (const uint8_t *)"\x12\x34", 2), 0);
	assert_int_equal(decc_u256_cmp(&v, &w), 0);
	assert_int_equal(decc_u256_from_be_bytes(&w, be, 0), 0);
	assert_true(decc_u256_is_zero(&w));
	assert_int_equal(
	    decc_u256_from_be_bytes(&w, (const uint8_t *)"012345678901234567890123456789012", 33),
	    DECC_EINVAL);
	assert_true(decc_u256_to_u64(&v, &x));
	assert_int_equal(x, 0x1234);
	v = P("0x10000000000000000");
	assert_false(decc_u256_to_u64(&v, &x));
	assert_int_equal(decc_u256_cmp(&v, &DECC_U256_ZERO), 1);
	assert_int_equal(decc_u256_cmp(&DECC_U256_ZERO, &v), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_format), cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_add_sub),	     cmocka_unit_test(test_mul),
		cmocka_unit_test(test_divmod),	     cmocka_unit_test(test_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
