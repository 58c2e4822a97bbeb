/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decc's own scrypt core (used for parameters OpenSSL refuses) against OpenSSL's scrypt on
 * parameters both accept, and against RFC 7914 §12's third vector.
 */
#include "test.h"

#include "crypto/scrypt.h"
#include "decc/crypto.h"

static void own_scrypt(uint8_t *out, size_t outlen, const char *pass, const char *salt, uint64_t n,
		       uint32_t r, uint32_t p)
{
	size_t blen = (size_t)128 * r * p;
	uint8_t *b = malloc(blen);
	uint32_t *v = malloc((size_t)128 * r * n);
	uint32_t *xy = malloc((size_t)256 * r);

	assert_non_null(b);
	assert_non_null(v);
	assert_non_null(xy);
	assert_int_equal(
	    decc_pbkdf2_sha256(b, blen, pass, strlen(pass), (const uint8_t *)salt, strlen(salt), 1),
	    0);
	decc__scrypt_romix(b, r, p, n, v, xy);
	assert_int_equal(decc_pbkdf2_sha256(out, outlen, pass, strlen(pass), b, blen, 1), 0);
	free(b);
	free(v);
	free(xy);
}

static void test_same_as_openssl(void **state)
{
	static const struct {
		uint64_t n;
		uint32_t r, p;
	} cases[] = { { 2, 1, 1 }, { 1024, 8, 1 }, { 256, 2, 3 }, { 4096, 1, 2 } };

	(void)state;
	for (size_t i = 0; i < DECC_ARRAY_SIZE(cases); i++) {
		uint8_t a[64], b[64];

		own_scrypt(a, sizeof(a), "password", "NaCl", cases[i].n, cases[i].r, cases[i].p);
		assert_int_equal(decc_scrypt(b, sizeof(b), "password", 8, (const uint8_t *)"NaCl",
					     4, cases[i].n, cases[i].r, cases[i].p, 1 << 30),
				 0);
		assert_memory_equal(a, b, sizeof(a));
	}
}

static void test_rfc7914_vector(void **state)
{
	uint8_t dk[64];

	(void)state;
	own_scrypt(dk, sizeof(dk), "pleaseletmein", "SodiumChloride", 16384, 8, 1);
	assert_bytes_hex(dk, 64,
			 "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2"
			 "d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887");
}

/* N = 2^16 with r = 1 is refused by OpenSSL (N >= 2^(16 r)); decc_scrypt still computes it. */
static void test_beyond_rfc_bound(void **state)
{
	uint8_t a[32], b[32];

	(void)state;
	own_scrypt(a, sizeof(a), "testpassword", "salt", 65536, 1, 1);
	assert_int_equal(decc_scrypt(b, sizeof(b), "testpassword", 12, (const uint8_t *)"salt", 4,
				     65536, 1, 1, 1 << 30),
			 0);
	assert_memory_equal(a, b, sizeof(a));
	/* and the memory cap still applies to it */
	assert_int_equal(decc_scrypt(b, sizeof(b), "testpassword", 12, (const uint8_t *)"salt", 4,
				     65536, 1, 1, 1 << 20),
			 DECC_ELIMIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_openssl),
		cmocka_unit_test(test_rfc7914_vector),
		cmocka_unit_test(test_beyond_rfc_bound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
