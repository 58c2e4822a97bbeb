/* SPDX-License-Identifier: Apache-2.0 */
#include "test.h"

#include <jansson.h>

#include "decc/keystore.h"

static const char web3_sk[] = "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d";
static const char web3_addr[] = "0x008AeEda4D805471dF9b2A5B0f38A0C3bCBA786b";

static int open_vector(const char *rel, const char *pw, uint8_t sk[32], decc_address *a)
{
	size_t n;
	char *json = test_read_vector(rel, &n);
	int r = decc_keystore_decrypt(sk, a, json, n, pw, strlen(pw));

	free(json);
	return r;
}

static void check_web3(const char *rel)
{
	uint8_t sk[32] = { 0 }, zero[32] = { 0 };
	decc_address a;
	char s[43];

	assert_int_equal(open_vector(rel, "testpassword", sk, &a), 0);
	assert_bytes_hex(sk, 32, web3_sk);
	decc_address_to_checksum(s, &a);
	assert_string_equal(s, web3_addr);
	memset(sk, 0, 32);
	assert_int_equal(open_vector(rel, "testpassworD", sk, &a), DECC_EAUTH);
	assert_non_null(strstr(decc_error_last(), "wrong password"));
	assert_memory_equal(sk, zero, 32);
}

static void test_web3_pbkdf2(void **state)
{
	(void)state;
	check_web3("keystore/web3-pbkdf2.json");
}

/*
 * This vector has r = 1 with n = 2^18, beyond RFC 7914's bound n < 2^(16 r) that OpenSSL's
 * scrypt enforces (geth opens it, ethers/noble do not); decc_scrypt computes it with its own
 * ROMix for such parameters.
 */
static void test_web3_scrypt(void **state)
{
	(void)state;
	check_web3("keystore/web3-scrypt.json");
}

static void test_ethers_keystore(void **state)
{
	size_t n, pn;
	char *json = test_read_vector("interop/keystore.json", &n);
	char *pw = test_read_vector("interop/keystore.password", &pn);
	char *addr = test_read_vector("interop/keystore.address", NULL);
	uint8_t sk[32];
	decc_address a, want;

	(void)state;
	addr[42] = 0;
	assert_int_equal(decc_address_parse(&want, addr), 0);
	assert_int_equal(decc_keystore_decrypt(sk, &a, json, n, pw, pn), 0);
	assert_true(decc_address_eq(&a, &want));
	/* the password is bytes: one more or one less byte is wrong */
	assert_int_equal(decc_keystore_decrypt(sk, &a, json, n, pw, pn - 1), DECC_EAUTH);
	/* a cost cap below what the file asks for */
	assert_int_equal(decc_keystore_decrypt_capped(sk, &a, json, n, pw, pn, 1 << 20, 1000),
			 DECC_ELIMIT);
	free(json);
	free(pw);
	free(addr);
}

static void test_negatives(void **state)
{
	static const struct {
		const char *file;
		int code;
	} cases[] = {
		{ "keystore/neg-bad-mac.json", DECC_EAUTH },
		{ "keystore/neg-truncated-ciphertext.json", DECC_EINVAL },
		{ "keystore/neg-unknown-cipher.json", DECC_EINVAL },
		{ "keystore/neg-scrypt-n-too-large.json", DECC_ELIMIT },
		{ "keystore/neg-scrypt-n-not-power-of-two.json", DECC_EINVAL },
		{ "keystore/neg-version-2.json", DECC_EINVAL },
		{ "keystore/neg-address-mismatch.json", DECC_EAUTH },
		{ "keystore/neg-unknown-kdf.json", DECC_EINVAL },
		{ "keystore/neg-dklen-16.json", DECC_EINVAL },
		{ "keystore/neg-no-cipherparams.json", DECC_EINVAL },
		{ "keystore/neg-pbkdf2-c-too-large.json", DECC_ELIMIT },
		{ "keystore/neg-pbkdf2-prf.json", DECC_EINVAL },
		{ "keystore/neg-malformed.json", DECC_EINVAL },
	};
	char *pw = test_read_vector("interop/keystore.password", NULL);

	(void)state;
	for (size_t i = 0; i < DECC_ARRAY_SIZE(cases); i++) {
		uint8_t sk[32] = { 0 }, zero[32] = { 0 };
		decc_address a = DECC_ADDRESS_ZERO;
		/* the pbkdf2-based negatives use the Web3 password */
		const char *p = strstr(cases[i].file, "pbkdf2") ? "testpassword" : pw;
		int r = open_vector(cases[i].file, p, sk, &a);

		if (r != cases[i].code)
			fail_msg("%s: got %s (%s), expected %s", cases[i].file, decc_error_name(r),
				 decc_error_last(), decc_error_name(cases[i].code));
		assert_memory_equal(sk, zero, 32);
		assert_true(decc_address_is_zero(&a));
	}
	free(pw);
}

static void test_oversize(void **state)
{
	struct decc_buf b = DECC_BUF_INIT;
	uint8_t sk[32];

	(void)state;
	assert_int_equal(decc_buf_append_zeros(&b, DECC_KEYSTORE_MAX_JSON + 1), 0);
	assert_int_equal(decc_keystore_decrypt(sk, NULL, (const char *)b.data, b.len, "x", 1),
			 DECC_ELIMIT);
	decc_buf_release(&b);
}

static void check_layout(const struct decc_buf *out, const decc_address *a, const char *kdf)
{
	json_error_t e;
	json_t *j = json_loadb((const char *)out->data, out->len, 0, &e), *c;
	char hex[41];
	const char *id;

	assert_non_null(j);
	decc_hex_encode(hex, a->b, 20, false);
	assert_string_equal(json_string_value(json_object_get(j, "address")), hex);
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 3);
	id = json_string_value(json_object_get(j, "id"));
	assert_non_null(id);
	assert_int_equal(strlen(id), 36);
	assert_int_equal(id[14], '4'); /* uuid v4 */
	assert_non_null(strchr("89ab", id[19]));
	c = json_object_get(j, "crypto");
	assert_string_equal(json_string_value(json_object_get(c, "cipher")), "aes-128-ctr");
	assert_string_equal(json_string_value(json_object_get(c, "kdf")), kdf);
	assert_int_equal(strlen(json_string_value(json_object_get(c, "ciphertext"))), 64);
	assert_int_equal(strlen(json_string_value(json_object_get(c, "mac"))), 64);
	assert_int_equal(
	    strlen(json_string_value(json_object_get(json_object_get(c, "cipherparams"), "iv"))),
	    32);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(c, "kdfparams"), "dklen")), 32);
	json_decref(j);
}

static void test_roundtrip(void **state)
{
	struct decc_keystore_params p;
	struct decc_buf out = DECC_BUF_INIT, out2 = DECC_BUF_INIT;
	uint8_t sk[32], got[32], zero[32] = { 0 };
	decc_address a, want;

	(void)state;
	test_unhex(sk, 32, web3_sk);
	assert_int_equal(decc_address_parse(&want, web3_addr), 0);

	decc_keystore_params_light(&p);
	assert_int_equal(p.n, 4096);
	assert_int_equal(p.r, 8);
	assert_int_equal(p.p, 6);
	assert_int_equal(decc_keystore_encrypt(&out, sk, "pässword", 9, &p), 0);
	check_layout(&out, &want, "scrypt");
	assert_int_equal(
	    decc_keystore_decrypt(got, &a, (const char *)out.data, out.len, "pässword", 9), 0);
	assert_memory_equal(got, sk, 32);
	assert_true(decc_address_eq(&a, &want));
	assert_int_equal(
	    decc_keystore_decrypt(got, &a, (const char *)out.data, out.len, "password", 8),
	    DECC_EAUTH);
	/* fresh salt and iv every time */
	assert_int_equal(decc_keystore_encrypt(&out2, sk, "pässword", 9, &p), 0);
	assert_string_not_equal(decc_buf_str(&out), decc_buf_str(&out2));

	p = (struct decc_keystore_params){ .kdf = DECC_KDF_PBKDF2, .c = 1000 };
	assert_int_equal(decc_keystore_encrypt(&out, sk, "pw", 2, &p), 0);
	check_layout(&out, &want, "pbkdf2");
	assert_int_equal(decc_keystore_decrypt(got, NULL, (const char *)out.data, out.len, "pw", 2),
			 0);
	assert_memory_equal(got, sk, 32);

	/* invalid keys and parameters are refused, out untouched */
	decc_buf_reset(&out2);
	assert_int_equal(decc_keystore_encrypt(&out2, zero, "pw", 2, &p), DECC_EINVAL);
	p = (struct decc_keystore_params){ .kdf = DECC_KDF_SCRYPT, .n = 1000, .r = 8, .p = 1 };
	assert_int_equal(decc_keystore_encrypt(&out2, sk, "pw", 2, &p), DECC_EINVAL);
	p = (struct decc_keystore_params){ .kdf = DECC_KDF_SCRYPT, .n = 1u << 24, .r = 8, .p = 1 };
	assert_int_equal(decc_keystore_encrypt(&out2, sk, "pw", 2, &p), DECC_ELIMIT);
	assert_int_equal(out2.len, 0);

	decc_keystore_params_default(&p);
	assert_int_equal(p.n, 262144);
	assert_int_equal(p.r, 8);
	assert_int_equal(p.p, 1);
	decc_buf_release(&out);
	decc_buf_release(&out2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_web3_pbkdf2),	cmocka_unit_test(test_web3_scrypt),
		cmocka_unit_test(test_ethers_keystore), cmocka_unit_test(test_negatives),
		cmocka_unit_test(test_oversize),	cmocka_unit_test(test_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
