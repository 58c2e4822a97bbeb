/* SPDX-License-Identifier: Apache-2.0 */
/*
 * secp256k1 through libsecp256k1: keys, recoverable ECDSA signatures (RFC 6979 nonces, low-s),
 * public key recovery and ECDH. One context for the whole process, created and randomised once;
 * libsecp256k1 contexts are safe to share between threads once they are no longer modified.
 */
#include <pthread.h>
#include <string.h>

#include <secp256k1.h>
#include <secp256k1_ecdh.h>
#include <secp256k1_recovery.h>

#include "crypto/internal.h"
#include "decc/crypto.h"
#include "decc/error.h"

/* n / 2, the largest s accepted (EIP-2, and what libsecp256k1 itself produces). */
static const uint8_t half_order[32] = {
	0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4,
	0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
};

static secp256k1_context *ctx;
static pthread_once_t ctx_once = PTHREAD_ONCE_INIT;

static void ctx_create(void)
{
	uint8_t seed[32];
	secp256k1_context *c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);

	if (!c)
		return;
	/* blinding against side channels; without a seed the context still works, unblinded */
	if (decc_random_bytes(seed, sizeof(seed)) == 0 && !secp256k1_context_randomize(c, seed)) {
		secp256k1_context_destroy(c);
		c = NULL;
	}
	decc_wipe(seed, sizeof(seed));
	ctx = c;
}

static const secp256k1_context *get_ctx(void)
{
	pthread_once(&ctx_once, ctx_create);
	if (!ctx)
		decc_error_set(DECC_ERROR, "cannot create the secp256k1 context");
	return ctx;
}

bool decc_secp256k1_seckey_valid(const uint8_t sk[32])
{
	const secp256k1_context *c = get_ctx();

	return c && secp256k1_ec_seckey_verify(c, sk) == 1;
}

int decc_secp256k1_keygen(uint8_t sk[32])
{
	uint8_t k[32];

	if (!get_ctx())
		return DECC_ERROR;
	/* a random 256-bit value is out of range with probability ~2^-128: retry then */
	for (int i = 0; i < 16; i++) {
		DECC_TRY(decc_random_bytes(k, sizeof(k)));
		if (decc_secp256k1_seckey_valid(k)) {
			memcpy(sk, k, 32);
			decc_wipe(k, sizeof(k));
			return 0;
		}
	}
	decc_wipe(k, sizeof(k));
	return decc_error_set(DECC_ERROR, "the random generator keeps producing invalid keys");
}

static void serialize_pub(uint8_t pub[64], const secp256k1_pubkey *pk)
{
	uint8_t tmp[65];
	size_t len = sizeof(tmp);

	/* cannot fail for a valid secp256k1_pubkey and a 65-byte output */
	secp256k1_ec_pubkey_serialize(get_ctx(), tmp, &len, pk, SECP256K1_EC_UNCOMPRESSED);
	memcpy(pub, tmp + 1, 64);
}

static int parse_pub64(secp256k1_pubkey *pk, const uint8_t pub[64])
{
	uint8_t tmp[65];

	tmp[0] = 0x04;
	memcpy(tmp + 1, pub, 64);
	if (!secp256k1_ec_pubkey_parse(get_ctx(), pk, tmp, sizeof(tmp)))
		return decc_error_set(DECC_EINVAL,
				      "invalid secp256k1 public key (not on the curve)");
	return 0;
}

int decc_secp256k1_pubkey(uint8_t pub[64], const uint8_t sk[32])
{
	const secp256k1_context *c = get_ctx();
	secp256k1_pubkey pk;

	if (!c)
		return DECC_ERROR;
	if (!secp256k1_ec_pubkey_create(c, &pk, sk))
		return decc_error_set(
		    DECC_EINVAL, "invalid secp256k1 private key (zero or not below the order)");
	serialize_pub(pub, &pk);
	return 0;
}

int decc_secp256k1_pubkey_compress(uint8_t out[33], const uint8_t pub[64])
{
	secp256k1_pubkey pk;
	size_t len = 33;

	if (!get_ctx())
		return DECC_ERROR;
	DECC_TRY(parse_pub64(&pk, pub));
	secp256k1_ec_pubkey_serialize(get_ctx(), out, &len, &pk, SECP256K1_EC_COMPRESSED);
	return 0;
}

int decc_secp256k1_pubkey_parse(uint8_t pub[64], const uint8_t *in, size_t n)
{
	secp256k1_pubkey pk;

	if (!get_ctx())
		return DECC_ERROR;
	/* libsecp256k1 also takes the "hybrid" 0x06/0x07 form; nobody should send it */
	if (!((n == 33 && (in[0] == 0x02 || in[0] == 0x03)) || (n == 65 && in[0] == 0x04)))
		return decc_error_set(
		    DECC_EINVAL,
		    "a secp256k1 public key is 33 bytes (02/03 prefix) or 65 bytes "
		    "(04 prefix), got %zu bytes",
		    n);
	if (!secp256k1_ec_pubkey_parse(get_ctx(), &pk, in, n))
		return decc_error_set(DECC_EINVAL,
				      "invalid secp256k1 public key (not on the curve)");
	serialize_pub(pub, &pk);
	return 0;
}

int decc_secp256k1_sign(uint8_t sig[65], const uint8_t digest[32], const uint8_t sk[32])
{
	const secp256k1_context *c = get_ctx();
	secp256k1_ecdsa_recoverable_signature rs;
	uint8_t out[64];
	int recid = -1;

	if (!c)
		return DECC_ERROR;
	/* NULL nonce function: RFC 6979; libsecp256k1 always returns the low-s form */
	if (!secp256k1_ecdsa_sign_recoverable(c, &rs, digest, sk, NULL, NULL))
		return decc_error_set(
		    DECC_EINVAL, "cannot sign: invalid secp256k1 private key (zero or not below "
				 "the order)");
	secp256k1_ecdsa_recoverable_signature_serialize_compact(c, out, &recid, &rs);
	if (recid < 0 || recid > 3)
		return decc_error_set(DECC_ERROR, "libsecp256k1 returned recovery id %d", recid);
	memcpy(sig, out, 64);
	sig[64] = (uint8_t)recid;
	return 0;
}

bool decc_secp256k1_is_low_s(const uint8_t sig[65])
{
	return memcmp(sig + 32, half_order, 32) <= 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

int decc_secp256k1_recover(uint8_t pub[64], const uint8_t digest[32], const uint8_t sig[65])
{
	const secp256k1_context *c = get_ctx();
	secp256k1_ecdsa_recoverable_signature rs;
	secp256k1_pubkey pk;

	if (!c)
		return DECC_ERROR;
	if (sig[64] > 3)
		return decc_error_set(DECC_EINVAL,
				      "invalid signature: recovery id %u (must be 0..3; v = 27/28 "
				      "must be converted by the caller)",
				      sig[64]);
	if (all_zero(sig, 32) || all_zero(sig + 32, 32))
		return decc_error_set(DECC_EINVAL, "invalid signature: r or s is zero");
	if (!decc_secp256k1_is_low_s(sig))
		return decc_error_set(
		    DECC_EAUTH, "invalid signature: s is in the upper half of the curve order "
				"(malleable high-s form, refused as Ethereum does)");
	/* parse_compact fails when r or s is not below the curve order */
	if (!secp256k1_ecdsa_recoverable_signature_parse_compact(c, &rs, sig, sig[64]))
		return decc_error_set(DECC_EINVAL,
				      "invalid signature: r or s is not below the curve order");
	if (!secp256k1_ecdsa_recover(c, &pk, &rs, digest))
		return decc_error_set(DECC_EAUTH,
				      "invalid signature: no public key recovers from it");
	serialize_pub(pub, &pk);
	return 0;
}

int decc_secp256k1_ecdh(uint8_t out[32], const uint8_t pub[64], const uint8_t sk[32])
{
	const secp256k1_context *c = get_ctx();
	secp256k1_pubkey pk;
	uint8_t shared[32];

	if (!c)
		return DECC_ERROR;
	DECC_TRY(parse_pub64(&pk, pub));
	/* NULL hash function: sha256(compressed shared point) */
	if (!secp256k1_ecdh(c, shared, &pk, sk, NULL, NULL))
		return decc_error_set(
		    DECC_EINVAL, "ECDH failed: invalid secp256k1 private key (zero or not below "
				 "the order)");
	memcpy(out, shared, 32);
	decc_wipe(shared, sizeof(shared));
	return 0;
}
