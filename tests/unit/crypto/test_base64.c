/* SPDX-License-Identifier: Apache-2.0 */
#include "vectors.h"

#include "decc/crypto.h"

static void test_vectors(void **state)
{
	struct vec_file v;
	int good = 0, bad = 0;

	(void)state;
	vec_open(&v, "crypto/base64.txt");
	while (vec_next(&v)) {
		struct decc_buf out = DECC_BUF_INIT;

		if (strcmp(v.f[0], "ok") == 0) {
			const char *plain = v.f[1], *text = v.f[2];

			assert_int_equal(
			    decc_base64_encode(&out, (const uint8_t *)plain, strlen(plain)), 0);
			assert_string_equal(decc_buf_str(&out), text);
			decc_buf_reset(&out);
			assert_int_equal(decc_base64_decode(&out, text, strlen(text)), 0);
			assert_int_equal(out.len, strlen(plain));
			assert_string_equal(decc_buf_str(&out), plain);
			good++;
		} else {
			assert_int_equal(decc_buf_append(&out, "keep", 4), 0);
			if (decc_base64_decode(&out, v.f[1], strlen(v.f[1])) != DECC_EINVAL)
				fail_msg("line %d: '%s' was not refused", v.line, v.f[1]);
			assert_string_equal(decc_buf_str(&out), "keep");
			bad++;
		}
		decc_buf_release(&out);
	}
	vec_close(&v);
	assert_int_equal(good, 7);
	assert_true(bad >= 15);
}

/* Whitespace, NUL and non-ASCII are refused too (they cannot be written in the vector file). */
static void test_refuses_whitespace(void **state)
{
	static const char *bad[] = { "Zm9v\n", " Zm9v", "Zm9v Zm9v", "Zm\r\n9v", "Zm9\xc3\xa9" };
	struct decc_buf out = DECC_BUF_INIT;

	(void)state;
	for (size_t i = 0; i < DECC_ARRAY_SIZE(bad); i++)
		assert_int_equal(decc_base64_decode(&out, bad[i], strlen(bad[i])), DECC_EINVAL);
	assert_int_equal(decc_base64_decode(&out, "Zm9v\0AAA", 8), DECC_EINVAL);
	assert_int_equal(out.len, 0);
	/* a limit on the output buffer is honoured */
	decc_buf_init(&out, 2);
	assert_int_equal(decc_base64_decode(&out, "Zm9v", 4), DECC_ELIMIT);
	assert_int_equal(decc_base64_encode(&out, (const uint8_t *)"f", 1), DECC_ELIMIT);
	decc_buf_release(&out);
}

/* Every byte string of 0..300 bytes round-trips, and the encoding is appended. */
static void test_roundtrip(void **state)
{
	uint8_t data[300];

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(255 - i * 13);
	for (size_t n = 0; n <= sizeof(data); n++) {
		struct decc_buf enc = DECC_BUF_INIT, dec = DECC_BUF_INIT;

		assert_int_equal(decc_buf_append(&enc, "x", 1), 0);
		assert_int_equal(decc_base64_encode(&enc, data, n), 0);
		assert_int_equal(enc.len, 1 + (n + 2) / 3 * 4);
		assert_int_equal(strlen(decc_buf_str(&enc)), enc.len);
		assert_int_equal(decc_base64_decode(&dec, (char *)enc.data + 1, enc.len - 1), 0);
		assert_int_equal(dec.len, n);
		if (n)
			assert_memory_equal(dec.data, data, n);
		decc_buf_release(&enc);
		decc_buf_release(&dec);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_refuses_whitespace),
		cmocka_unit_test(test_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
