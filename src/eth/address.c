/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>

#include "decc/address.h"
#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/hex.h"

void decc_address_from_pubkey(decc_address *out, const uint8_t pub[64])
{
	uint8_t h[32];

	decc_keccak256(h, pub, 64);
	memcpy(out->b, h + 12, 20);
}

int decc_address_from_seckey(decc_address *out, const uint8_t sk[32])
{
	uint8_t pub[64];

	DECC_TRY(decc_secp256k1_pubkey(pub, sk));
	decc_address_from_pubkey(out, pub);
	return 0;
}

/* EIP-55: uppercase a hex letter when the matching nibble of keccak(lowercase hex) is >= 8. */
void decc_address_to_checksum(char out[43], const decc_address *a)
{
	uint8_t h[32];

	decc_hex_encode(out, a->b, 20, true);
	decc_keccak256(h, out + 2, 40);
	for (int i = 0; i < 40; i++) {
		uint8_t nib = (i % 2) ? (h[i / 2] & 15) : (h[i / 2] >> 4);
		char *c = &out[2 + i];

		if (*c >= 'a' && *c <= 'f' && nib >= 8)
			*c = (char)(*c - 'a' + 'A');
	}
}

int decc_address_parse(decc_address *out, const char *s)
{
	decc_address a;
	size_t n;
	bool lower = false, upper = false;
	char want[43];

	if (!s || strlen(s) != 42 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return decc_error_set(DECC_EINVAL,
				      "invalid address \"%.64s\": expected 0x and 40 hex digits",
				      s ? s : "");
	for (int i = 2; i < 42; i++) {
		lower |= (s[i] >= 'a' && s[i] <= 'f');
		upper |= (s[i] >= 'A' && s[i] <= 'F');
	}
	if (decc_hex_decode(a.b, sizeof(a.b), &n, s, 42) < 0 || n != 20)
		return decc_error_set(DECC_EINVAL, "invalid address \"%s\": not hex", s);
	if (lower && upper) {
		decc_address_to_checksum(want, &a);
		if (memcmp(want + 2, s + 2, 40) != 0)
			return decc_error_set(
			    DECC_EINVAL, "bad address checksum in %s (EIP-55 form: %s)", s, want);
	}
	*out = a;
	return 0;
}

bool decc_address_is_zero(const decc_address *a)
{
	static const decc_address zero;

	return memcmp(a->b, zero.b, 20) == 0;
}

bool decc_address_eq(const decc_address *a, const decc_address *b)
{
	return memcmp(a->b, b->b, 20) == 0;
}

void decc_address_to_word(uint8_t out[32], const decc_address *a)
{
	memset(out, 0, 12);
	memcpy(out + 12, a->b, 20);
}

int decc_eth_sign_digest(uint8_t sig[65], const uint8_t digest[32], const uint8_t sk[32])
{
	uint8_t tmp[65];

	DECC_TRY(decc_secp256k1_sign(tmp, digest, sk));
	/* v = 27/28 can only carry recid 0 or 1; 2 and 3 need r >= n, which never happens */
	if (tmp[64] > 1) {
		decc_wipe(tmp, sizeof(tmp));
		return decc_error_set(DECC_ERROR,
				      "signature has recovery id %u, not encodable as v", tmp[64]);
	}
	tmp[64] = (uint8_t)(27 + tmp[64]);
	memcpy(sig, tmp, 65);
	return 0;
}

/* r || s || recid from the 65-byte (v = 0/1/27/28) or 64-byte EIP-2098 (r || yParity·s) forms */
static int normalize_sig(uint8_t out[65], const uint8_t *sig, size_t siglen)
{
	if (siglen == 65) {
		uint8_t v = sig[64];

		if (v >= 27)
			v = (uint8_t)(v - 27);
		if (v > 1)
			return decc_error_set(
			    DECC_EAUTH, "invalid signature: v is %u, expected 27 or 28", sig[64]);
		memcpy(out, sig, 64);
		out[64] = v;
		return 0;
	}
	if (siglen == 64) {
		memcpy(out, sig, 64);
		out[64] = (uint8_t)(sig[32] >> 7);
		out[32] &= 0x7f;
		return 0;
	}
	return decc_error_set(DECC_EINVAL,
			      "invalid signature format: %zu bytes, expected 65 (r,s,v) or 64 "
			      "(EIP-2098 compact)",
			      siglen);
}

int decc_eth_recover_digest(decc_address *out, const uint8_t digest[32], const uint8_t *sig,
			    size_t siglen)
{
	uint8_t norm[65], pub[64];
	int r;

	DECC_TRY(normalize_sig(norm, sig, siglen));
	if (!decc_secp256k1_is_low_s(norm))
		return decc_error_set(DECC_EAUTH,
				      "invalid signature: s is in the upper half of the "
				      "curve order (malleable form), re-sign with low-s");
	r = decc_secp256k1_recover(pub, digest, norm);
	if (r < 0)
		return decc_error_wrap(r == DECC_EINVAL ? DECC_EAUTH : r,
				       "cannot recover the signer");
	decc_address_from_pubkey(out, pub);
	return 0;
}

void decc_eip191_hash(uint8_t out[32], const void *msg, size_t n)
{
	static const char prefix[] = "\x19"
				     "Ethereum Signed Message:\n";
	struct decc_keccak k;
	char len[24];
	int m = snprintf(len, sizeof(len), "%zu", n);

	decc_keccak_init(&k);
	decc_keccak_update(&k, prefix, sizeof(prefix) - 1);
	decc_keccak_update(&k, len, (size_t)m);
	decc_keccak_update(&k, msg, n);
	decc_keccak_final(&k, out);
}

int decc_eip191_sign(uint8_t sig[65], const void *msg, size_t n, const uint8_t sk[32])
{
	uint8_t h[32];

	decc_eip191_hash(h, msg, n);
	return decc_eth_sign_digest(sig, h, sk);
}

int decc_eip191_recover(decc_address *out, const void *msg, size_t n, const uint8_t *sig,
			size_t siglen)
{
	uint8_t h[32];

	decc_eip191_hash(h, msg, n);
	return decc_eth_recover_digest(out, h, sig, siglen);
}
