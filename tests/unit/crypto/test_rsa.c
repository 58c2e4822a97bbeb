/* SPDX-License-Identifier: Apache-2.0 */
#include "vectors.h"

#include "decc/crypto.h"

/* The 32-byte plaintext the openssl CLI encrypted into rsa2048.pkcs1.bin. */
static const char *cli_plain = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

static struct decc_rsa *load_key(const char *rel)
{
	size_t n;
	char *pem = test_read_vector(rel, &n);
	struct decc_rsa *k = NULL;

	if (decc_rsa_from_pem(&k, pem, n) != 0)
		fail_msg("%s: %s", rel, decc_error_last());
	free(pem);
	return k;
}

static void test_generate_export_import(void **state)
{
	struct decc_rsa *k = NULL, *pub = NULL, *priv = NULL;
	struct decc_buf pub_pem = DECC_BUF_INIT, priv_pem, ct = DECC_BUF_INIT, pt;
	struct decc_buf again = DECC_BUF_INIT;
	uint8_t key[32];

	(void)state;
	decc_buf_init_secret(&priv_pem, 1 << 16);
	decc_buf_init_secret(&pt, 1 << 16);
	assert_int_equal(decc_rsa_generate(&k, 2048), 0);
	assert_true(decc_rsa_has_private(k));
	assert_int_equal(decc_rsa_bits(k), 2048);

	assert_int_equal(decc_rsa_public_pem(&pub_pem, k), 0);
	assert_non_null(strstr(decc_buf_str(&pub_pem), "-----BEGIN PUBLIC KEY-----"));
	assert_int_equal(decc_rsa_private_pem(&priv_pem, k), 0);
	assert_non_null(strstr(decc_buf_str(&priv_pem), "-----BEGIN PRIVATE KEY-----"));

	assert_int_equal(decc_rsa_from_pem(&pub, (char *)pub_pem.data, pub_pem.len), 0);
	assert_false(decc_rsa_has_private(pub));
	assert_int_equal(decc_rsa_bits(pub), 2048);
	assert_int_equal(decc_rsa_from_pem(&priv, (char *)priv_pem.data, priv_pem.len), 0);
	assert_true(decc_rsa_has_private(priv));
	/* the re-imported keys export the same PEM */
	assert_int_equal(decc_rsa_public_pem(&again, priv), 0);
	assert_int_equal(again.len, pub_pem.len);
	assert_memory_equal(again.data, pub_pem.data, again.len);
	decc_buf_release(&again);
	assert_int_equal(decc_rsa_private_pem(&again, pub), DECC_EINVAL);
	assert_int_equal(again.len, 0);

	/* encrypt a 32-byte key with the public half, decrypt with the re-imported private one */
	assert_int_equal(decc_random_bytes(key, sizeof(key)), 0);
	assert_int_equal(decc_rsa_encrypt_pkcs1(&ct, pub, key, sizeof(key)), 0);
	assert_int_equal(ct.len, 256);
	assert_int_equal(decc_rsa_decrypt_pkcs1(&pt, priv, ct.data, ct.len), 0);
	assert_int_equal(pt.len, 32);
	assert_memory_equal(pt.data, key, 32);
	/* PKCS#1 v1.5 is randomised: two encryptions differ */
	assert_int_equal(decc_rsa_encrypt_pkcs1(&again, pub, key, sizeof(key)), 0);
	assert_memory_not_equal(again.data, ct.data, 256);
	/* a public key cannot decrypt */
	decc_buf_reset(&pt);
	assert_int_equal(decc_rsa_decrypt_pkcs1(&pt, pub, ct.data, ct.len), DECC_EINVAL);
	assert_int_equal(pt.len, 0);

	decc_buf_release(&pub_pem);
	decc_buf_release(&priv_pem);
	decc_buf_release(&ct);
	decc_buf_release(&pt);
	decc_buf_release(&again);
	decc_rsa_free(k);
	decc_rsa_free(pub);
	decc_rsa_free(priv);
	decc_rsa_free(NULL);
}

/* A ciphertext made by `openssl pkeyutl -encrypt ... rsa_padding_mode:pkcs1` decrypts, with the
 * private key in both PKCS#8 and PKCS#1 PEM. */
static void test_openssl_cli_vector(void **state)
{
	static const char *priv_files[] = { "crypto/rsa2048.key.pem", "crypto/rsa2048.rsakey.pem" };
	size_t cn;
	char *ct = test_read_vector("crypto/rsa2048.pkcs1.bin", &cn);

	(void)state;
	assert_int_equal(cn, 256);
	for (size_t i = 0; i < DECC_ARRAY_SIZE(priv_files); i++) {
		struct decc_rsa *k = load_key(priv_files[i]);
		struct decc_buf pt = DECC_BUF_INIT;

		assert_true(decc_rsa_has_private(k));
		assert_int_equal(decc_rsa_bits(k), 2048);
		assert_int_equal(decc_rsa_decrypt_pkcs1(&pt, k, (uint8_t *)ct, cn), 0);
		assert_int_equal(pt.len, 32);
		assert_bytes_hex(pt.data, 32, cli_plain);
		/* negative: one flipped bit of ciphertext */
		ct[100] ^= 0x01;
		decc_buf_reset(&pt);
		assert_int_equal(decc_rsa_decrypt_pkcs1(&pt, k, (uint8_t *)ct, cn), DECC_EAUTH);
		assert_int_equal(pt.len, 0);
		ct[100] ^= 0x01;
		/* negative: wrong length */
		assert_int_equal(decc_rsa_decrypt_pkcs1(&pt, k, (uint8_t *)ct, cn - 1),
				 DECC_EINVAL);
		decc_buf_release(&pt);
		decc_rsa_free(k);
	}
	free(ct);
}

/* Both public PEM forms import, and what they encrypt the CLI key decrypts. */
static void test_public_forms(void **state)
{
	static const char *pub_files[] = { "crypto/rsa2048.pub.pem", "crypto/rsa2048.rsapub.pem" };
	struct decc_rsa *priv = load_key("crypto/rsa2048.key.pem");
	struct decc_buf spki = DECC_BUF_INIT;
	size_t n;
	char *want = test_read_vector("crypto/rsa2048.pub.pem", &n);

	(void)state;
	for (size_t i = 0; i < DECC_ARRAY_SIZE(pub_files); i++) {
		struct decc_rsa *pub = load_key(pub_files[i]);
		struct decc_buf ct = DECC_BUF_INIT, pt = DECC_BUF_INIT;
		uint8_t msg[32];

		assert_false(decc_rsa_has_private(pub));
		test_unhex(msg, 32, cli_plain);
		assert_int_equal(decc_rsa_encrypt_pkcs1(&ct, pub, msg, 32), 0);
		assert_int_equal(decc_rsa_decrypt_pkcs1(&pt, priv, ct.data, ct.len), 0);
		assert_int_equal(pt.len, 32);
		assert_memory_equal(pt.data, msg, 32);
		/* exported as SPKI, identical to openssl's `pkey -pubout` */
		assert_int_equal(decc_rsa_public_pem(&spki, pub), 0);
		assert_int_equal(spki.len, n);
		assert_memory_equal(spki.data, want, n);
		decc_buf_reset(&spki);
		decc_buf_release(&ct);
		decc_buf_release(&pt);
		decc_rsa_free(pub);
	}
	decc_buf_release(&spki);
	decc_rsa_free(priv);
	free(want);
}

static void test_wrong_key(void **state)
{
	struct decc_rsa *cli = load_key("crypto/rsa2048.key.pem"), *other = NULL;
	struct decc_buf ct = DECC_BUF_INIT, pt = DECC_BUF_INIT;
	uint8_t msg[32] = { 7 };

	(void)state;
	assert_int_equal(decc_rsa_generate(&other, 2048), 0);
	assert_int_equal(decc_rsa_encrypt_pkcs1(&ct, other, msg, sizeof(msg)), 0);
	/* the wrong key sees random padding: refused, except about once in 2^16 runs where the
	 * padding happens to parse, and then the "key" is garbage (of 32 bytes once in ~2^25) */
	int r = decc_rsa_decrypt_pkcs1(&pt, cli, ct.data, ct.len);

	if (r == 0) {
		assert_false(pt.len == 32 && memcmp(pt.data, msg, 32) == 0);
		decc_buf_reset(&pt);
	} else {
		assert_int_equal(r, DECC_EAUTH);
		assert_non_null(strstr(decc_error_last(), "not encrypted for this key"));
		assert_int_equal(pt.len, 0);
	}
	/* too much plaintext for PKCS#1 v1.5 on 2048 bits: at most 245 bytes */
	uint8_t big[246] = { 0 };

	decc_buf_reset(&ct);
	assert_int_equal(decc_rsa_encrypt_pkcs1(&ct, other, big, 246), DECC_ELIMIT);
	assert_int_equal(ct.len, 0);
	assert_int_equal(decc_rsa_encrypt_pkcs1(&ct, other, big, 245), 0);
	decc_buf_release(&ct);
	decc_buf_release(&pt);
	decc_rsa_free(cli);
	decc_rsa_free(other);
}

static void test_bad_pem(void **state)
{
	static const char *garbage[] = {
		"",
		"hello",
		"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
		"-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n",
		"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
	};
	struct decc_rsa *k = (struct decc_rsa *)0x1;
	size_t n;
	char *pem;

	(void)state;
	for (size_t i = 0; i < DECC_ARRAY_SIZE(garbage); i++)
		assert_int_equal(decc_rsa_from_pem(&k, garbage[i], strlen(garbage[i])),
				 DECC_EINVAL);
	/* a truncated key */
	pem = test_read_vector("crypto/rsa2048.pub.pem", &n);
	assert_int_equal(decc_rsa_from_pem(&k, pem, n / 2), DECC_EINVAL);
	free(pem);
	/* a passphrase-protected key: refused, never prompts */
	pem = test_read_vector("crypto/rsa2048.encrypted.pem", &n);
	assert_int_equal(decc_rsa_from_pem(&k, pem, n), DECC_EINVAL);
	free(pem);
	/* output untouched */
	assert_ptr_equal(k, (struct decc_rsa *)0x1);
	/* unsupported sizes */
	k = NULL;
	assert_int_equal(decc_rsa_generate(&k, 1024), DECC_EINVAL);
	assert_int_equal(decc_rsa_generate(&k, 2047), DECC_EINVAL);
	assert_null(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generate_export_import),
		cmocka_unit_test(test_openssl_cli_vector),
		cmocka_unit_test(test_public_forms),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_bad_pem),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
