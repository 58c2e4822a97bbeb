/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Borsh leaves of protected data (bool, f64, i128, string), the legacy 0.x encodings, and the
 * decoding rules of @iexec/dataprotector-deserializer (modes borsh / legacy / optimistic).
 */
#include <math.h>
#include <string.h>

#include "decc/error.h"
#include "decc/protect.h"
#include "protect/internal.h"

/* Largest integer that an f64 holds exactly together with all smaller ones (2^53 - 1). */
#define SAFE_INT_MAX 9007199254740991.0

enum decc_protect_kind decc_protect_kind_of(const char *type)
{
	if (!type)
		return DECC_PROTECT_BYTES;
	if (strcmp(type, "bool") == 0 || strcmp(type, "boolean") == 0)
		return DECC_PROTECT_BOOL;
	if (strcmp(type, "f64") == 0)
		return DECC_PROTECT_F64;
	if (strcmp(type, "i128") == 0)
		return DECC_PROTECT_I128;
	if (strcmp(type, "string") == 0)
		return DECC_PROTECT_STRING;
	if (strcmp(type, "number") == 0)
		return DECC_PROTECT_NUMBER;
	return DECC_PROTECT_BYTES;
}

bool decc_protect_key_valid(const char *key, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = key[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return false;
	}
	return true;
}

/* Strict UTF-8 (no overlongs, no surrogates, at most U+10FFFF), as TextDecoder fatal mode. */
bool decc_protect_utf8_valid(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t c = p[i];
		size_t len;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i < len)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		i += len;
	}
	return true;
}

int decc_protect_borsh_bool(struct decc_buf *out, bool v)
{
	return decc_buf_append_byte(out, v ? 1 : 0);
}

int decc_protect_borsh_f64(struct decc_buf *out, double v)
{
	uint8_t le[8];
	uint64_t bits;

	if (!isfinite(v))
		return decc_error_set(DECC_EINVAL, "f64 value is not finite (NaN or infinity): "
						   "protected data numbers must be finite");
	memcpy(&bits, &v, 8);
	for (int i = 0; i < 8; i++)
		le[i] = (uint8_t)(bits >> (8 * i));
	return decc_buf_append(out, le, 8);
}

int decc_protect_borsh_i128(struct decc_buf *out, __int128 v)
{
	unsigned __int128 u = (unsigned __int128)v;
	uint8_t le[16];

	for (int i = 0; i < 16; i++)
		le[i] = (uint8_t)(u >> (8 * i));
	return decc_buf_append(out, le, 16);
}

int decc_protect_borsh_string(struct decc_buf *out, const char *s, size_t n)
{
	size_t before = out->len;
	uint8_t le[4];
	int r;

	if (n > UINT32_MAX)
		return decc_error_set(DECC_ELIMIT,
				      "string of %zu bytes is too long for Borsh "
				      "(u32 length)",
				      n);
	if (!decc_protect_utf8_valid((const uint8_t *)s, n))
		return decc_error_set(DECC_EINVAL, "string is not valid UTF-8");
	for (int i = 0; i < 4; i++)
		le[i] = (uint8_t)((uint32_t)n >> (8 * i));
	if ((r = decc_buf_append(out, le, 4)) < 0 || (r = decc_buf_append(out, s, n)) < 0) {
		out->len = before;
		out->data[before] = 0;
	}
	return r;
}

int decc_protect_i128_parse(__int128 *out, const char *s)
{
	const unsigned __int128 max_pos = ((unsigned __int128)1 << 127) - 1;
	unsigned __int128 v = 0, lim;
	bool neg = false;
	const char *p = s;

	if (*p == '-') {
		neg = true;
		p++;
	}
	lim = neg ? max_pos + 1 : max_pos;
	if (*p == 0)
		return decc_error_set(DECC_EINVAL, "i128 '%.50s': expected decimal digits", s);
	for (; *p; p++) {
		unsigned d;

		if (*p < '0' || *p > '9')
			return decc_error_set(DECC_EINVAL, "i128 '%.50s': expected decimal digits",
					      s);
		d = (unsigned)(*p - '0');
		if (v > (lim - d) / 10)
			return decc_error_set(
			    DECC_EINVAL, "i128 '%.50s' is out of range (-2^127 .. 2^127-1)", s);
		v = v * 10 + d;
	}
	/* two's complement negation of the magnitude, also right for -2^127 */
	*out = neg ? (__int128)(~v + 1) : (__int128)v;
	return 0;
}

void decc_protect_i128_format(char out[DECC_PROTECT_I128_STR_MAX], __int128 v)
{
	unsigned __int128 u = v < 0 ? ~(unsigned __int128)v + 1 : (unsigned __int128)v;
	char tmp[DECC_PROTECT_I128_STR_MAX];
	size_t n = 0, o = 0;

	do {
		tmp[n++] = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u);
	if (v < 0)
		out[o++] = '-';
	while (n)
		out[o++] = tmp[--n];
	out[o] = 0;
}

void decc_protect_value_release(struct decc_protect_value *v)
{
	if (!v)
		return;
	decc_buf_release(&v->bytes);
	memset(v, 0, sizeof(*v));
	decc_buf_init_secret(&v->bytes, DECC_BUF_DEFAULT_MAX);
}

static int take_bytes(struct decc_protect_value *v, const uint8_t *p, size_t n)
{
	decc_buf_init_secret(&v->bytes, SIZE_MAX);
	return decc_buf_append(&v->bytes, p, n);
}

static int decode_borsh(struct decc_protect_value *v, enum decc_protect_kind kind, const uint8_t *p,
			size_t n)
{
	switch (kind) {
	case DECC_PROTECT_BOOL:
		if (n != 1 || p[0] > 1)
			return decc_error_set(DECC_EINVAL, "bool: expected one byte 0 or 1");
		v->b = p[0] == 1;
		return 0;
	case DECC_PROTECT_F64: {
		uint64_t bits = 0;

		if (n != 8)
			return decc_error_set(DECC_EINVAL, "f64: expected 8 bytes, got %zu", n);
		for (int i = 0; i < 8; i++)
			bits |= (uint64_t)p[i] << (8 * i);
		memcpy(&v->f64, &bits, 8);
		return 0;
	}
	case DECC_PROTECT_I128: {
		unsigned __int128 u = 0;

		if (n != 16)
			return decc_error_set(DECC_EINVAL, "i128: expected 16 bytes, got %zu", n);
		for (int i = 0; i < 16; i++)
			u |= (unsigned __int128)p[i] << (8 * i);
		v->i128 = (__int128)u;
		return 0;
	}
	case DECC_PROTECT_STRING: {
		uint32_t len;

		if (n < 4)
			return decc_error_set(DECC_EINVAL,
					      "string: shorter than its 4-byte length");
		len = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		      (uint32_t)p[3] << 24;
		if ((size_t)len != n - 4)
			return decc_error_set(DECC_EINVAL,
					      "string: length prefix %u does not match the %zu "
					      "bytes that follow",
					      len, n - 4);
		if (!decc_protect_utf8_valid(p + 4, len))
			return decc_error_set(DECC_EINVAL, "string: not valid UTF-8");
		return take_bytes(v, p + 4, len);
	}
	case DECC_PROTECT_NUMBER:
	case DECC_PROTECT_BYTES:
	default:
		return decc_error_set(DECC_EINVAL, "not a Borsh type");
	}
}

/* Legacy (0.x) number: the decimal text of a safe integer, read as JavaScript Number() would
 * for what 0.x wrote: optional '-', digits. */
static int decode_legacy_number(struct decc_protect_value *v, const uint8_t *p, size_t n)
{
	double d = 0;
	size_t i = 0;
	bool neg = false;

	if (n > 0 && p[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i == n || n - i > 16)
		return decc_error_set(DECC_EINVAL, "number: expected the decimal text of a safe "
						   "integer");
	for (; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return decc_error_set(DECC_EINVAL, "number: expected decimal digits");
		d = d * 10 + (p[i] - '0');
	}
	if (d > SAFE_INT_MAX)
		return decc_error_set(DECC_EINVAL, "number: beyond 2^53-1");
	v->f64 = neg ? -d : d;
	return 0;
}

int decc_protect_decode(struct decc_protect_value *out, const char *type,
			enum decc_protect_mode mode, const uint8_t *p, size_t n)
{
	enum decc_protect_kind kind = decc_protect_kind_of(type);
	const char *t = type ? type : "(none)";
	struct decc_protect_value v;
	bool legacy_bool = type && strcmp(type, "boolean") == 0;
	int r;

	memset(&v, 0, sizeof(v));
	decc_buf_init_secret(&v.bytes, DECC_BUF_DEFAULT_MAX);
	v.kind = kind == DECC_PROTECT_NUMBER ? DECC_PROTECT_F64 : kind;
	switch (kind) {
	case DECC_PROTECT_BOOL:
		/* "boolean" is legacy only, "bool" is Borsh only; both are one byte 0/1 */
		if (legacy_bool && mode == DECC_PROTECT_BORSH)
			return decc_error_set(DECC_EINVAL,
					      "schema type \"boolean\" is legacy: not read in "
					      "borsh mode");
		if (!legacy_bool && mode == DECC_PROTECT_LEGACY)
			return decc_error_set(DECC_EINVAL, "schema type \"bool\" is not read in "
							   "legacy mode");
		r = decode_borsh(&v, kind, p, n);
		break;
	case DECC_PROTECT_F64:
	case DECC_PROTECT_I128:
		if (mode == DECC_PROTECT_LEGACY)
			return decc_error_set(DECC_EINVAL,
					      "schema type \"%s\" is not read in legacy mode", t);
		r = decode_borsh(&v, kind, p, n);
		break;
	case DECC_PROTECT_STRING:
		if (mode != DECC_PROTECT_LEGACY) {
			r = decode_borsh(&v, kind, p, n);
			if (r == 0 || mode == DECC_PROTECT_BORSH)
				break;
			decc_buf_release(&v.bytes);
		}
		/* legacy: the raw text (the JS reader replaces bad UTF-8; decc refuses it) */
		if (!decc_protect_utf8_valid(p, n))
			return decc_error_set(DECC_EINVAL, "string: neither Borsh nor UTF-8 text");
		r = take_bytes(&v, p, n);
		break;
	case DECC_PROTECT_NUMBER:
		if (mode == DECC_PROTECT_BORSH)
			return decc_error_set(DECC_EINVAL, "schema type \"number\" is legacy: not "
							   "read in borsh mode");
		r = decode_legacy_number(&v, p, n);
		break;
	case DECC_PROTECT_BYTES:
	default:
		r = take_bytes(&v, p, n);
		break;
	}
	if (r < 0) {
		decc_buf_release(&v.bytes);
		return decc_error_wrap(r, "cannot decode the value as \"%s\"", t);
	}
	*out = v;
	return 0;
}
