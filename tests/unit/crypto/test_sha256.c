/* SPDX-License-Identifier: Apache-2.0 */
#include "vectors.h"

#include "decc/crypto.h"

static void test_sha256_vectors(void **state)
{
	struct vec_file v;
	int count = 0;

	(void)state;
	vec_open(&v, "crypto/sha256.txt");
	while (vec_next(&v)) {
		size_t n;
		uint8_t *in = vec_input(v.f[0], v.f[1], &n);
		uint8_t out[32];
		struct decc_sha256 *h = NULL;

		decc_sha256(out, in, n);
		assert_bytes_hex(out, 32, v.f[2]);

		/* streaming in odd pieces */
		assert_int_equal(decc_sha256_new(&h), 0);
		for (size_t off = 0, step = 1; off < n; off += step, step = step * 3 + 1) {
			if (step > n - off)
				step = n - off;
			assert_int_equal(decc_sha256_update(h, in + off, step), 0);
		}
		memset(out, 0, sizeof(out));
		assert_int_equal(decc_sha256_final(h, out), 0);
		assert_bytes_hex(out, 32, v.f[2]);
		/* the context restarts after final */
		assert_int_equal(decc_sha256_update(h, in, n), 0);
		assert_int_equal(decc_sha256_final(h, out), 0);
		assert_bytes_hex(out, 32, v.f[2]);
		decc_sha256_free(h);
		free(in);
		count++;
	}
	vec_close(&v);
	assert_int_equal(count, 4);
	decc_sha256_free(NULL);
}

static void test_hmac_vectors(void **state)
{
	struct vec_file v;
	int count = 0;

	(void)state;
	vec_open(&v, "crypto/hmac_sha256.txt");
	while (vec_next(&v)) {
		size_t kn, dn;
		uint8_t *key = vec_hex(v.f[0], &kn);
		uint8_t *data = vec_hex(v.f[1], &dn);
		uint8_t out[32], bad[32];

		decc_hmac_sha256(out, key, kn, data, dn);
		assert_bytes_hex(out, 32, v.f[2]);
		/* negative: a one-bit change of the key or of the data changes the MAC */
		key[0] ^= 1;
		decc_hmac_sha256(bad, key, kn, data, dn);
		assert_false(decc_ct_equal(out, bad, 32));
		key[0] ^= 1;
		data[dn - 1] ^= 0x80;
		decc_hmac_sha256(bad, key, kn, data, dn);
		assert_false(decc_ct_equal(out, bad, 32));
		free(key);
		free(data);
		count++;
	}
	vec_close(&v);
	assert_int_equal(count, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_hmac_vectors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
