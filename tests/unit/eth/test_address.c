/* SPDX-License-Identifier: Apache-2.0 */
#include "test.h"

#include <jansson.h>

#include "decc/address.h"
#include "decc/crypto.h"

static json_t *load(const char *rel)
{
	json_error_t e;
	json_t *j = json_load_file(test_vector_path(rel), 0, &e);

	if (!j)
		fail_msg("cannot load %s: %s", rel, e.text);
	return j;
}

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	if (!s)
		fail_msg("vector lacks string \"%s\"", k);
	return s;
}

static void test_eip55_valid(void **state)
{
	json_t *v = load("eip55/addresses.json"), *it;
	size_t i;

	(void)state;
	json_array_foreach(json_object_get(v, "valid"), i, it)
	{
		const char *s = json_string_value(it);
		char lower[43], upper[43], out[43];
		decc_address a, b, c;

		assert_int_equal(decc_address_parse(&a, s), 0);
		decc_address_to_checksum(out, &a);
		assert_string_equal(out, s);
		for (int k = 0; k < 43; k++) {
			lower[k] = (char)((s[k] >= 'A' && s[k] <= 'F') ? s[k] + 32 : s[k]);
			upper[k] =
			    (char)((k >= 2 && s[k] >= 'a' && s[k] <= 'f') ? s[k] - 32 : s[k]);
		}
		assert_int_equal(decc_address_parse(&b, lower), 0);
		assert_int_equal(decc_address_parse(&c, upper), 0);
		assert_true(decc_address_eq(&a, &b));
		assert_true(decc_address_eq(&a, &c));
	}
	assert_int_equal(i, 4);
	json_decref(v);
}

static void test_eip55_negative(void **state)
{
	json_t *v = load("eip55/addresses.json"), *it;
	decc_address a = { { 0xAA } }, keep = a;
	size_t i, n = 0;

	(void)state;
	json_array_foreach(json_object_get(v, "bad_checksum"), i, it)
	{
		assert_int_equal(decc_address_parse(&a, json_string_value(it)), DECC_EINVAL);
		assert_non_null(strstr(decc_error_last(), "checksum"));
		assert_true(decc_address_eq(&a, &keep)); /* untouched on failure */
		n++;
	}
	json_array_foreach(json_object_get(v, "malformed"), i, it)
	{
		assert_int_equal(decc_address_parse(&a, json_string_value(it)), DECC_EINVAL);
		n++;
	}
	assert_int_equal(n, 10);
	json_decref(v);
}

/* keccak256("cow"), the EIP-712 example's signer */
static const char cow_sk[] = "c85ef7d79691fe79573b1a7064c19c1a9819ebdbd1faaab1a8ec92344438aaf4";
static const char mail_digest[] =
    "be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2";
static const char mail_sig[] = "4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d"
			       "07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562"
			       "1c";

static void test_sign_digest_eip712_example(void **state)
{
	uint8_t sk[32], d[32], sig[65], want[65];
	decc_address a, cow;
	char s[43];

	(void)state;
	test_unhex(sk, 32, cow_sk);
	test_unhex(d, 32, mail_digest);
	test_unhex(want, 65, mail_sig);
	assert_int_equal(decc_address_from_seckey(&cow, sk), 0);
	decc_address_to_checksum(s, &cow);
	assert_string_equal(s, "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826");
	assert_int_equal(decc_eth_sign_digest(sig, d, sk), 0);
	assert_memory_equal(sig, want, 65);
	assert_int_equal(decc_eth_recover_digest(&a, d, sig, 65), 0);
	assert_true(decc_address_eq(&a, &cow));
	/* v as recid 0/1 is accepted too */
	sig[64] = 1;
	assert_int_equal(decc_eth_recover_digest(&a, d, sig, 65), 0);
	assert_true(decc_address_eq(&a, &cow));
}

static void test_recover_compact_and_negatives(void **state)
{
	static const uint8_t order_n[32] = {
		0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
		0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0xBA, 0xAE, 0xDC, 0xE6, 0xAF, 0x48,
		0xA0, 0x3B, 0xBF, 0xD2, 0x5E, 0x8C, 0xD0, 0x36, 0x41, 0x41,
	};
	uint8_t sk[32], d[32], sig[65], cmp[64], bad[65];
	decc_address a = DECC_ADDRESS_ZERO, cow;
	unsigned borrow = 0;

	(void)state;
	test_unhex(sk, 32, cow_sk);
	test_unhex(d, 32, mail_digest);
	test_unhex(sig, 65, mail_sig);
	assert_int_equal(decc_address_from_seckey(&cow, sk), 0);

	/* EIP-2098: r || (yParity << 255 | s); v = 28 -> parity 1 */
	memcpy(cmp, sig, 64);
	cmp[32] |= 0x80;
	assert_int_equal(decc_eth_recover_digest(&a, d, cmp, 64), 0);
	assert_true(decc_address_eq(&a, &cow));
	/* the wrong parity recovers somebody else */
	cmp[32] &= 0x7f;
	assert_int_equal(decc_eth_recover_digest(&a, d, cmp, 64), 0);
	assert_false(decc_address_eq(&a, &cow));

	/* high-s twin (n - s, flipped v) is valid ECDSA but must be rejected */
	memcpy(bad, sig, 65);
	for (int i = 31; i >= 0; i--) {
		int v = order_n[i] - sig[32 + i] - (int)borrow;

		borrow = v < 0;
		bad[32 + i] = (uint8_t)(v + (borrow ? 256 : 0));
	}
	bad[64] = 27;
	a = DECC_ADDRESS_ZERO;
	assert_int_equal(decc_eth_recover_digest(&a, d, bad, 65), DECC_EAUTH);
	assert_true(decc_address_is_zero(&a));

	/* v out of range, wrong lengths */
	memcpy(bad, sig, 65);
	bad[64] = 29;
	assert_int_equal(decc_eth_recover_digest(&a, d, bad, 65), DECC_EAUTH);
	assert_int_equal(decc_eth_recover_digest(&a, d, sig, 63), DECC_EINVAL);
	assert_int_equal(decc_eth_recover_digest(&a, d, sig, 0), DECC_EINVAL);

	/* another digest recovers another address */
	d[0] ^= 1;
	assert_int_equal(decc_eth_recover_digest(&a, d, sig, 65), 0);
	assert_false(decc_address_eq(&a, &cow));
}

static void test_eip191_ethers(void **state)
{
	json_t *v = load("interop/eip191.json"), *it;
	uint8_t sk[32], h[32], want[65], sig[65];
	decc_address signer, got;
	size_t i;

	(void)state;
	test_unhex(sk, 32, str(v, "privateKey"));
	assert_int_equal(decc_address_parse(&signer, str(v, "address")), 0);
	json_array_foreach(json_object_get(v, "vectors"), i, it)
	{
		const char *m = str(it, "message");

		decc_eip191_hash(h, m, strlen(m));
		assert_bytes_hex(h, 32, str(it, "hash"));
		test_unhex(want, 65, str(it, "signature"));
		assert_int_equal(decc_eip191_sign(sig, m, strlen(m), sk), 0);
		assert_memory_equal(sig, want, 65);
		assert_int_equal(decc_eip191_recover(&got, m, strlen(m), want, 65), 0);
		assert_true(decc_address_eq(&got, &signer));
		/* the same signature does not verify another message */
		assert_int_equal(decc_eip191_recover(&got, "x", 1, want, 65), 0);
		assert_false(decc_address_eq(&got, &signer));
	}
	assert_int_equal(i, 3);
	json_decref(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eip55_valid),
		cmocka_unit_test(test_eip55_negative),
		cmocka_unit_test(test_sign_digest_eip712_example),
		cmocka_unit_test(test_recover_compact_and_negatives),
		cmocka_unit_test(test_eip191_ethers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
