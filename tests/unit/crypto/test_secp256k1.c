/* SPDX-License-Identifier: Apache-2.0 */
#include "vectors.h"

#include "decc/crypto.h"

/* The curve order n. */
static const char *order_hex = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";

struct kat {
	uint8_t sk[32], pub[64], addr[20], digest[32], sig[65];
};

static void load_kat(struct kat *k)
{
	struct vec_file v;
	int seen = 0;

	vec_open(&v, "crypto/secp256k1.txt");
	while (vec_next(&v)) {
		const char *name = v.f[0], *hex = v.f[1];

		if (strcmp(name, "seckey") == 0)
			test_unhex(k->sk, 32, hex);
		else if (strcmp(name, "pubkey") == 0)
			test_unhex(k->pub, 64, hex);
		else if (strcmp(name, "address") == 0)
			test_unhex(k->addr, 20, hex);
		else if (strcmp(name, "digest") == 0)
			test_unhex(k->digest, 32, hex);
		else if (strcmp(name, "sig_r") == 0)
			test_unhex(k->sig, 32, hex);
		else if (strcmp(name, "sig_s") == 0)
			test_unhex(k->sig + 32, 32, hex);
		else if (strcmp(name, "sig_recid") == 0)
			test_unhex(k->sig + 64, 1, hex);
		else
			fail_msg("unknown field %s", name);
		seen++;
	}
	vec_close(&v);
	assert_int_equal(seen, 7);
}

/* Private key -> public key -> keccak -> the known Ethereum address. */
static void test_pubkey_address(void **state)
{
	struct kat k;
	uint8_t pub[64], h[32], c33[33], back[64], u65[65];

	(void)state;
	load_kat(&k);
	assert_true(decc_secp256k1_seckey_valid(k.sk));
	assert_int_equal(decc_secp256k1_pubkey(pub, k.sk), 0);
	assert_memory_equal(pub, k.pub, 64);
	decc_keccak256(h, pub, 64);
	assert_memory_equal(h + 12, k.addr, 20);

	/* compressed form and back; the 65-byte form parses too */
	assert_int_equal(decc_secp256k1_pubkey_compress(c33, pub), 0);
	assert_int_equal(c33[0], 0x02 | (pub[63] & 1));
	assert_memory_equal(c33 + 1, pub, 32);
	assert_int_equal(decc_secp256k1_pubkey_parse(back, c33, 33), 0);
	assert_memory_equal(back, pub, 64);
	u65[0] = 0x04;
	memcpy(u65 + 1, pub, 64);
	memset(back, 0, sizeof(back));
	assert_int_equal(decc_secp256k1_pubkey_parse(back, u65, 65), 0);
	assert_memory_equal(back, pub, 64);
}

static void test_pubkey_invalid(void **state)
{
	struct kat k;
	uint8_t pub[64], keep[64], in[65], c33[33];

	(void)state;
	load_kat(&k);
	memset(pub, 0xee, sizeof(pub));
	memcpy(keep, pub, sizeof(pub));
	/* hybrid prefix 0x06/0x07, wrong lengths, uncompressed tag on 33 bytes */
	in[0] = 0x06 | (k.pub[63] & 1);
	memcpy(in + 1, k.pub, 64);
	assert_int_equal(decc_secp256k1_pubkey_parse(pub, in, 65), DECC_EINVAL);
	in[0] = 0x04;
	assert_int_equal(decc_secp256k1_pubkey_parse(pub, in, 64), DECC_EINVAL);
	assert_int_equal(decc_secp256k1_pubkey_parse(pub, in, 33), DECC_EINVAL);
	/* a point off the curve */
	in[64] ^= 1;
	assert_int_equal(decc_secp256k1_pubkey_parse(pub, in, 65), DECC_EINVAL);
	assert_int_equal(decc_secp256k1_pubkey_compress(c33, in + 1), DECC_EINVAL);
	/* x = 5 has no point on secp256k1 (5^3 + 7 = 132 is not a square mod p) */
	memset(c33, 0, sizeof(c33));
	c33[0] = 0x02;
	c33[32] = 5;
	assert_int_equal(decc_secp256k1_pubkey_parse(pub, c33, 33), DECC_EINVAL);
	assert_memory_equal(pub, keep, 64);
}

static void test_seckey_invalid(void **state)
{
	uint8_t sk[32], pub[64], sig[65], digest[32] = { 1 }, shared[32];

	(void)state;
	memset(sk, 0, sizeof(sk));
	assert_false(decc_secp256k1_seckey_valid(sk));
	assert_int_equal(decc_secp256k1_pubkey(pub, sk), DECC_EINVAL);
	assert_int_equal(decc_secp256k1_sign(sig, digest, sk), DECC_EINVAL);
	test_unhex(sk, 32, order_hex);
	assert_false(decc_secp256k1_seckey_valid(sk));
	assert_int_equal(decc_secp256k1_pubkey(pub, sk), DECC_EINVAL);
	assert_int_equal(decc_secp256k1_sign(sig, digest, sk), DECC_EINVAL);
	memset(sk, 0xff, sizeof(sk));
	assert_false(decc_secp256k1_seckey_valid(sk));
	/* n - 1 is the largest valid key */
	test_unhex(sk, 32, order_hex);
	sk[31] -= 1;
	assert_true(decc_secp256k1_seckey_valid(sk));
	assert_int_equal(decc_secp256k1_pubkey(pub, sk), 0);
	test_unhex(sk, 32, order_hex);
	assert_int_equal(decc_secp256k1_ecdh(shared, pub, sk), DECC_EINVAL);
}

/* Deterministic signature equal to ethers' SigningKey.sign of the same digest. */
static void test_sign_known(void **state)
{
	struct kat k;
	uint8_t sig[65], again[65], pub[64];

	(void)state;
	load_kat(&k);
	assert_int_equal(decc_secp256k1_sign(sig, k.digest, k.sk), 0);
	assert_memory_equal(sig, k.sig, 65);
	assert_true(decc_secp256k1_is_low_s(sig));
	assert_int_equal(decc_secp256k1_sign(again, k.digest, k.sk), 0);
	assert_memory_equal(again, sig, 65);
	assert_int_equal(decc_secp256k1_recover(pub, k.digest, k.sig), 0);
	assert_memory_equal(pub, k.pub, 64);
	/* negative: another digest recovers another key (the signature does not match) */
	k.digest[0] ^= 1;
	assert_int_equal(decc_secp256k1_recover(pub, k.digest, k.sig), 0);
	assert_memory_not_equal(pub, k.pub, 64);
	/* negative: the other recovery id recovers another key */
	k.digest[0] ^= 1;
	k.sig[64] ^= 1;
	if (decc_secp256k1_recover(pub, k.digest, k.sig) == 0)
		assert_memory_not_equal(pub, k.pub, 64);
}

static void test_sign_recover_random(void **state)
{
	(void)state;
	for (int i = 0; i < 50; i++) {
		uint8_t sk[32], pub[64], rec[64], digest[32], sig[65];

		assert_int_equal(decc_secp256k1_keygen(sk), 0);
		assert_true(decc_secp256k1_seckey_valid(sk));
		assert_int_equal(decc_secp256k1_pubkey(pub, sk), 0);
		assert_int_equal(decc_random_bytes(digest, sizeof(digest)), 0);
		assert_int_equal(decc_secp256k1_sign(sig, digest, sk), 0);
		assert_true(sig[64] <= 3);
		assert_true(decc_secp256k1_is_low_s(sig));
		assert_int_equal(decc_secp256k1_recover(rec, digest, sig), 0);
		assert_memory_equal(rec, pub, 64);
	}
}

/* s' = n - s: the same signature in its malleable high-s form. */
static void to_high_s(uint8_t sig[65])
{
	uint8_t n[32];
	int borrow = 0;

	test_unhex(n, 32, order_hex);
	for (int i = 31; i >= 0; i--) {
		int d = n[i] - sig[32 + i] - borrow;

		borrow = d < 0;
		sig[32 + i] = (uint8_t)(d + (borrow ? 256 : 0));
	}
	sig[64] ^= 1;
}

static void test_recover_rejects(void **state)
{
	struct kat k;
	uint8_t pub[64], keep[64], sig[65];

	(void)state;
	load_kat(&k);
	memset(pub, 0xcd, sizeof(pub));
	memcpy(keep, pub, sizeof(pub));

	/* high-s: mathematically valid, refused */
	memcpy(sig, k.sig, 65);
	to_high_s(sig);
	assert_false(decc_secp256k1_is_low_s(sig));
	assert_int_equal(decc_secp256k1_recover(pub, k.digest, sig), DECC_EAUTH);
	assert_non_null(strstr(decc_error_last(), "high-s"));

	/* recovery id 4 (and 27, the unconverted Ethereum v) */
	memcpy(sig, k.sig, 65);
	sig[64] = 4;
	assert_int_equal(decc_secp256k1_recover(pub, k.digest, sig), DECC_EINVAL);
	sig[64] = 27;
	assert_int_equal(decc_secp256k1_recover(pub, k.digest, sig), DECC_EINVAL);

	/* r = 0, s = 0 */
	memcpy(sig, k.sig, 65);
	memset(sig, 0, 32);
	assert_int_equal(decc_secp256k1_recover(pub, k.digest, sig), DECC_EINVAL);
	memcpy(sig, k.sig, 65);
	memset(sig + 32, 0, 32);
	assert_int_equal(decc_secp256k1_recover(pub, k.digest, sig), DECC_EINVAL);

	/* r = n (out of range) */
	memcpy(sig, k.sig, 65);
	test_unhex(sig, 32, order_hex);
	assert_int_equal(decc_secp256k1_recover(pub, k.digest, sig), DECC_EINVAL);

	/* r whose x has no point on the curve: nothing recovers (x = 5, see above) */
	memcpy(sig, k.sig, 65);
	memset(sig, 0, 32);
	sig[31] = 5;
	sig[64] = 0;
	assert_int_equal(decc_secp256k1_recover(pub, k.digest, sig), DECC_EAUTH);

	assert_memory_equal(pub, keep, 64);
}

static void test_is_low_s_boundary(void **state)
{
	uint8_t sig[65] = { 0 };

	(void)state;
	/* s = n/2 is low, n/2 + 1 is high */
	test_unhex(sig + 32, 32,
		   "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0");
	assert_true(decc_secp256k1_is_low_s(sig));
	sig[63] += 1;
	assert_false(decc_secp256k1_is_low_s(sig));
}

static void test_ecdh(void **state)
{
	uint8_t a[32], b[32], pa[64], pb[64], s1[32], s2[32], s3[32], c[33], h[32];

	(void)state;
	assert_int_equal(decc_secp256k1_keygen(a), 0);
	assert_int_equal(decc_secp256k1_keygen(b), 0);
	assert_int_equal(decc_secp256k1_pubkey(pa, a), 0);
	assert_int_equal(decc_secp256k1_pubkey(pb, b), 0);
	assert_int_equal(decc_secp256k1_ecdh(s1, pb, a), 0);
	assert_int_equal(decc_secp256k1_ecdh(s2, pa, b), 0);
	assert_memory_equal(s1, s2, 32);
	/* sk = 1: the shared point is the peer's public key; the secret is sha256(compressed) */
	memset(a, 0, sizeof(a));
	a[31] = 1;
	assert_int_equal(decc_secp256k1_ecdh(s3, pb, a), 0);
	assert_int_equal(decc_secp256k1_pubkey_compress(c, pb), 0);
	decc_sha256(h, c, sizeof(c));
	assert_memory_equal(s3, h, 32);
	/* negative: a point off the curve */
	pb[63] ^= 1;
	assert_int_equal(decc_secp256k1_ecdh(s3, pb, b), DECC_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pubkey_address),	    cmocka_unit_test(test_pubkey_invalid),
		cmocka_unit_test(test_seckey_invalid),	    cmocka_unit_test(test_sign_known),
		cmocka_unit_test(test_sign_recover_random), cmocka_unit_test(test_recover_rejects),
		cmocka_unit_test(test_is_low_s_boundary),   cmocka_unit_test(test_ecdh),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
