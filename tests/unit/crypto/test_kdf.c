/* SPDX-License-Identifier: Apache-2.0 */
#include "vectors.h"

#include "decc/crypto.h"

static void test_scrypt_vectors(void **state)
{
	struct vec_file v;
	int count = 0;

	(void)state;
	vec_open(&v, "crypto/scrypt.txt");
	while (vec_next(&v)) {
		size_t pn, sn, dn;
		uint8_t *pass = vec_hex(v.f[0], &pn);
		uint8_t *salt = vec_hex(v.f[1], &sn);
		uint8_t *want = vec_hex(v.f[5], &dn);
		uint64_t n = strtoull(v.f[2], NULL, 10);
		uint32_t r = (uint32_t)strtoul(v.f[3], NULL, 10);
		uint32_t p = (uint32_t)strtoul(v.f[4], NULL, 10);
		uint8_t out[64];

		assert_int_equal(dn, sizeof(out));
		assert_int_equal(decc_scrypt(out, dn, pass, pn, salt, sn, n, r, p, 64 << 20), 0);
		assert_memory_equal(out, want, dn);
		/* negative: one byte of salt more gives another key */
		if (sn > 0) {
			assert_int_equal(
			    decc_scrypt(out, dn, pass, pn, salt, sn - 1, n, r, p, 64 << 20), 0);
			assert_memory_not_equal(out, want, dn);
		}
		free(pass);
		free(salt);
		free(want);
		count++;
	}
	vec_close(&v);
	assert_int_equal(count, 3);
}

static void test_scrypt_limits(void **state)
{
	uint8_t out[32], keep[32];

	(void)state;
	memset(out, 0x5a, sizeof(out));
	memcpy(keep, out, sizeof(out));
	/* keystore v3 standard parameters need 256 MiB: refused under a 64 MiB limit */
	assert_int_equal(
	    decc_scrypt(out, 32, "x", 1, (const uint8_t *)"s", 1, 262144, 8, 1, 64 << 20),
	    DECC_ELIMIT);
	assert_non_null(strstr(decc_error_last(), "memory"));
	/* exactly at the limit is fine (128 * r * N == maxmem) */
	assert_int_equal(
	    decc_scrypt(out, 32, "x", 1, (const uint8_t *)"s", 1, 1024, 8, 1, 128 * 8 * 1024), 0);
	memcpy(out, keep, sizeof(out));
	/* N not a power of two, N = 1, r = 0, p = 0, empty output: EINVAL, output untouched */
	assert_int_equal(decc_scrypt(out, 32, "x", 1, NULL, 0, 1000, 8, 1, 1 << 30), DECC_EINVAL);
	assert_int_equal(decc_scrypt(out, 32, "x", 1, NULL, 0, 1, 8, 1, 1 << 30), DECC_EINVAL);
	assert_int_equal(decc_scrypt(out, 32, "x", 1, NULL, 0, 16, 0, 1, 1 << 30), DECC_EINVAL);
	assert_int_equal(decc_scrypt(out, 32, "x", 1, NULL, 0, 16, 1, 0, 1 << 30), DECC_EINVAL);
	assert_int_equal(decc_scrypt(out, 0, "x", 1, NULL, 0, 16, 1, 1, 1 << 30), DECC_EINVAL);
	/* overflow of 128 * r * N */
	assert_int_equal(decc_scrypt(out, 32, "x", 1, NULL, 0, (uint64_t)1 << 62, 8, 1, UINT64_MAX),
			 DECC_ELIMIT);
	assert_memory_equal(out, keep, sizeof(out));
}

static void test_pbkdf2_vectors(void **state)
{
	struct vec_file v;
	int count = 0;

	(void)state;
	vec_open(&v, "crypto/pbkdf2_sha256.txt");
	while (vec_next(&v)) {
		size_t pn, sn, dn;
		uint8_t *pass = vec_hex(v.f[0], &pn);
		uint8_t *salt = vec_hex(v.f[1], &sn);
		uint8_t *want = vec_hex(v.f[3], &dn);
		uint32_t iter = (uint32_t)strtoul(v.f[2], NULL, 10);
		uint8_t out[64];

		assert_int_equal(dn, sizeof(out));
		assert_int_equal(decc_pbkdf2_sha256(out, dn, pass, pn, salt, sn, iter), 0);
		assert_memory_equal(out, want, dn);
		/* a shorter output is a prefix of the longer one */
		memset(out, 0, sizeof(out));
		assert_int_equal(decc_pbkdf2_sha256(out, 20, pass, pn, salt, sn, iter), 0);
		assert_memory_equal(out, want, 20);
		assert_int_equal(out[20], 0);
		/* negative: one iteration more gives another key */
		assert_int_equal(decc_pbkdf2_sha256(out, dn, pass, pn, salt, sn, iter + 1), 0);
		assert_memory_not_equal(out, want, dn);
		free(pass);
		free(salt);
		free(want);
		count++;
	}
	vec_close(&v);
	assert_int_equal(count, 2);
}

static void test_pbkdf2_invalid(void **state)
{
	uint8_t out[32];

	(void)state;
	assert_int_equal(decc_pbkdf2_sha256(out, 32, "p", 1, (const uint8_t *)"s", 1, 0),
			 DECC_EINVAL);
	assert_int_equal(decc_pbkdf2_sha256(out, 0, "p", 1, (const uint8_t *)"s", 1, 1),
			 DECC_EINVAL);
	/* short salt and few iterations are allowed (RFC 8018; the keystore decides policy) */
	assert_int_equal(decc_pbkdf2_sha256(out, 32, "", 0, NULL, 0, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scrypt_vectors),
		cmocka_unit_test(test_scrypt_limits),
		cmocka_unit_test(test_pbkdf2_vectors),
		cmocka_unit_test(test_pbkdf2_invalid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
