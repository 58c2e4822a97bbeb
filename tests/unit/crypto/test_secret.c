/* SPDX-License-Identifier: Apache-2.0 */
/* Constant-time compare, the CSPRNG, and secret buffers. */
#include "test.h"

#include "decc/crypto.h"

static void test_ct_equal(void **state)
{
	uint8_t a[64], b[64];

	(void)state;
	for (size_t i = 0; i < sizeof(a); i++)
		a[i] = b[i] = (uint8_t)i;
	assert_true(decc_ct_equal(a, b, sizeof(a)));
	assert_true(decc_ct_equal(a, b, 0));
	/* a difference anywhere, including the first and the last byte */
	for (size_t i = 0; i < sizeof(a); i++) {
		b[i] ^= 0x80;
		assert_false(decc_ct_equal(a, b, sizeof(a)));
		assert_true(decc_ct_equal(a, b, i)); /* the prefix before it still matches */
		b[i] ^= 0x80;
	}
}

static void test_random(void **state)
{
	uint8_t a[64], b[64], zero[64] = { 0 };
	size_t ones = 0;

	(void)state;
	assert_int_equal(decc_random_bytes(a, sizeof(a)), 0);
	assert_int_equal(decc_random_bytes(b, sizeof(b)), 0);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_memory_not_equal(a, zero, sizeof(a));
	assert_int_equal(decc_random_bytes(a, 0), 0);
	/* crude sanity: 512 random bits have between 150 and 362 ones (p < 1e-20 otherwise) */
	for (size_t i = 0; i < sizeof(a); i++)
		ones += (size_t)__builtin_popcount(a[i]);
	assert_in_range(ones, 150, 362);
}

static void test_secret_alloc(void **state)
{
	struct decc_secret *s = NULL, *z = NULL, *keep = (struct decc_secret *)0x1;

	(void)state;
	assert_int_equal(decc_secret_new(&s, 100), 0);
	assert_non_null(s);
	assert_non_null(s->ptr);
	assert_int_equal(s->len, 100);
	/* starts zeroed, writable over its whole length */
	for (size_t i = 0; i < s->len; i++)
		assert_int_equal(s->ptr[i], 0);
	memset(s->ptr, 0xa5, s->len);
	decc_secret_free(s);

	/* larger than a page, and empty */
	assert_int_equal(decc_secret_new(&s, 10000), 0);
	memset(s->ptr, 1, s->len);
	assert_int_equal(decc_secret_new(&z, 0), 0);
	assert_int_equal(z->len, 0);
	decc_secret_free(z);
	decc_secret_free(s);
	decc_secret_free(NULL);

	/* oversize: refused, output untouched */
	assert_int_equal(decc_secret_new(&keep, (size_t)1 << 40), DECC_ELIMIT);
	assert_ptr_equal(keep, (struct decc_secret *)0x1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ct_equal),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_secret_alloc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
