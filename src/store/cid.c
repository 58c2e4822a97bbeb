/* SPDX-License-Identifier: Apache-2.0 */
/* CIDs: binary form, base32 (v1) and base58btc (v0) strings, sha2-256 multihash. */
#include <string.h>

#include "decc/cid.h"
#include "decc/crypto.h"
#include "decc/error.h"
#include "store/pb.h"

#define MH_SHA2_256 0x12
#define MH_LEN 32

static const char b32_alpha[] = "abcdefghijklmnopqrstuvwxyz234567";
static const char b58_alpha[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

size_t decc_cid_to_bytes(uint8_t out[DECC_CID_BIN_MAX], const struct decc_cid *c)
{
	size_t n = 0;

	if (c->version == 1) {
		n += decc_pb_varint_put(out + n, 1);
		n += decc_pb_varint_put(out + n, c->codec);
	}
	out[n++] = MH_SHA2_256;
	out[n++] = MH_LEN;
	memcpy(out + n, c->digest, MH_LEN);
	return n + MH_LEN;
}

static int parse_multihash(struct decc_cid *out, struct decc_cursor *c)
{
	uint64_t code, len;

	DECC_TRY(decc_pb_varint_get(c, &code));
	DECC_TRY(decc_pb_varint_get(c, &len));
	DECC_ENSURE(code == MH_SHA2_256, DECC_EINVAL,
		    "CID: multihash 0x%llx is not supported (only sha2-256)",
		    (unsigned long long)code);
	DECC_ENSURE(len == MH_LEN && decc_cursor_left(c) == MH_LEN, DECC_EINVAL,
		    "CID: sha2-256 digest must be 32 bytes");
	return decc_cursor_read(c, out->digest, MH_LEN);
}

int decc_cid_from_bytes(struct decc_cid *out, const uint8_t *p, size_t n)
{
	struct decc_cursor c;
	struct decc_cid cid = { 0 };
	uint64_t version;

	DECC_ENSURE(n <= DECC_CID_BIN_MAX, DECC_EINVAL, "CID: %zu bytes is too long", n);
	decc_cursor_init(&c, p, n);
	if (n == 34 && p[0] == MH_SHA2_256 && p[1] == MH_LEN) {
		cid.version = 0;
		cid.codec = DECC_CID_DAG_PB;
	} else {
		DECC_TRY(decc_pb_varint_get(&c, &version));
		DECC_ENSURE(version == 1, DECC_EINVAL, "CID: version %llu is not supported",
			    (unsigned long long)version);
		cid.version = 1;
		DECC_TRY(decc_pb_varint_get(&c, &cid.codec));
	}
	DECC_TRY(parse_multihash(&cid, &c));
	*out = cid;
	return 0;
}

static size_t b32_encode(char *out, const uint8_t *in, size_t n)
{
	size_t o = 0;
	unsigned buf = 0, bits = 0;

	for (size_t i = 0; i < n; i++) {
		buf = (buf << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = b32_alpha[(buf >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits)
		out[o++] = b32_alpha[(buf << (5 - bits)) & 31];
	out[o] = 0;
	return o;
}

static int b32_decode(uint8_t *out, size_t cap, size_t *outlen, const char *s, size_t n, bool upper)
{
	size_t o = 0;
	unsigned buf = 0, bits = 0;

	for (size_t i = 0; i < n; i++) {
		int v;
		char ch = s[i];

		if (ch >= (upper ? 'A' : 'a') && ch <= (upper ? 'Z' : 'z'))
			v = ch - (upper ? 'A' : 'a');
		else if (ch >= '2' && ch <= '7')
			v = ch - '2' + 26;
		else
			return decc_error_set(DECC_EINVAL, "CID: invalid base32 character '%c'",
					      ch >= 32 && ch < 127 ? ch : '?');
		buf = (buf << 5) | (unsigned)v;
		bits += 5;
		if (bits >= 8) {
			DECC_ENSURE(o < cap, DECC_EINVAL, "CID: too long");
			out[o++] = (uint8_t)(buf >> (bits - 8));
			bits -= 8;
		}
	}
	/* Unpadded base32: leftover bits must be fewer than 5 and zero. */
	DECC_ENSURE(bits < 5 && (buf & ((1u << bits) - 1)) == 0, DECC_EINVAL,
		    "CID: invalid base32 length or trailing bits");
	*outlen = o;
	return 0;
}

static void b58_encode(char *out, const uint8_t *in, size_t n)
{
	uint8_t digits[64] = { 0 };
	size_t nd = 0, zeros = 0, o = 0;

	while (zeros < n && in[zeros] == 0)
		zeros++;
	for (size_t i = zeros; i < n; i++) {
		unsigned carry = in[i];

		for (size_t j = 0; j < nd; j++) {
			carry += (unsigned)digits[j] << 8;
			digits[j] = (uint8_t)(carry % 58);
			carry /= 58;
		}
		while (carry) {
			digits[nd++] = (uint8_t)(carry % 58);
			carry /= 58;
		}
	}
	for (size_t i = 0; i < zeros; i++)
		out[o++] = '1';
	while (nd)
		out[o++] = b58_alpha[digits[--nd]];
	out[o] = 0;
}

static int b58_decode(uint8_t *out, size_t cap, size_t *outlen, const char *s, size_t n)
{
	uint8_t bytes[64] = { 0 };
	size_t nb = 0, zeros = 0;

	DECC_ENSURE(n <= 64, DECC_EINVAL, "CID: base58 string too long");
	while (zeros < n && s[zeros] == '1')
		zeros++;
	for (size_t i = zeros; i < n; i++) {
		const char *p = s[i] ? strchr(b58_alpha, s[i]) : NULL;
		unsigned carry;

		DECC_ENSURE(p, DECC_EINVAL, "CID: invalid base58 character");
		carry = (unsigned)(p - b58_alpha);
		for (size_t j = 0; j < nb; j++) {
			carry += (unsigned)bytes[j] * 58;
			bytes[j] = (uint8_t)carry;
			carry >>= 8;
		}
		while (carry) {
			DECC_ENSURE(nb < sizeof(bytes), DECC_EINVAL, "CID: base58 too long");
			bytes[nb++] = (uint8_t)carry;
			carry >>= 8;
		}
	}
	DECC_ENSURE(zeros + nb <= cap, DECC_EINVAL, "CID: too long");
	memset(out, 0, zeros);
	for (size_t i = 0; i < nb; i++)
		out[zeros + i] = bytes[nb - 1 - i];
	*outlen = zeros + nb;
	return 0;
}

int decc_cid_parse(struct decc_cid *out, const char *s, size_t n)
{
	uint8_t bin[DECC_CID_BIN_MAX];
	size_t len = 0;
	struct decc_cid cid;

	DECC_ENSURE(n >= 2 && n < DECC_CID_STR_MAX, DECC_EINVAL,
		    "CID: '%.*s' has a bad length (%zu characters)", (int)(n > 80 ? 80 : n), s, n);
	if (n == 46 && s[0] == 'Q' && s[1] == 'm') {
		DECC_TRY(b58_decode(bin, sizeof(bin), &len, s, n));
		DECC_ENSURE(len == 34, DECC_EINVAL, "CID: bad CIDv0 '%.*s'", (int)n, s);
	} else if (s[0] == 'b' || s[0] == 'B') {
		if (b32_decode(bin, sizeof(bin), &len, s + 1, n - 1, s[0] == 'B') < 0)
			return decc_error_wrap(DECC_EINVAL, "'%.*s'", (int)n, s);
		DECC_ENSURE(len > 0 && bin[0] == 1, DECC_EINVAL, "CID: '%.*s' is not a CIDv1",
			    (int)n, s);
	} else {
		return decc_error_set(
		    DECC_EINVAL, "CID: '%.*s' is neither CIDv1 base32 ('b…') nor CIDv0 ('Qm…')",
		    (int)n, s);
	}
	if (decc_cid_from_bytes(&cid, bin, len) < 0)
		return decc_error_wrap(DECC_EINVAL, "'%.*s'", (int)n, s);
	*out = cid;
	return 0;
}

void decc_cid_to_string(char out[DECC_CID_STR_MAX], const struct decc_cid *c)
{
	uint8_t bin[DECC_CID_BIN_MAX];
	size_t n = decc_cid_to_bytes(bin, c);

	if (c->version == 0) {
		b58_encode(out, bin, n);
		return;
	}
	out[0] = 'b';
	b32_encode(out + 1, bin, n);
}

void decc_cid_of(struct decc_cid *out, uint64_t codec, const void *data, size_t n)
{
	out->version = 1;
	out->codec = codec;
	decc_sha256(out->digest, data, n);
}

bool decc_cid_equal(const struct decc_cid *a, const struct decc_cid *b)
{
	/* v0 and v1-dag-pb of the same digest name the same block but are different CIDs. */
	return a->version == b->version && a->codec == b->codec &&
	       memcmp(a->digest, b->digest, sizeof(a->digest)) == 0;
}
