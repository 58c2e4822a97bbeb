/* SPDX-License-Identifier: Apache-2.0 */
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
