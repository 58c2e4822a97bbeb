/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Base64, standard alphabet with padding (RFC 4648 §4). Decoding is strict: the length is a
 * multiple of 4, only alphabet characters, '=' only as the final one or two characters, and the
 * unused bits before the padding are zero, so every byte string has exactly one accepted text.
 */
#include <limits.h>

#include <openssl/evp.h>

#include "decc/crypto.h"
#include "decc/error.h"

/* Blocks handed to OpenSSL at once: multiples of 3 (encode) and 4 (decode), well inside int. */
#define ENC_CHUNK ((size_t)3 << 26)
#define DEC_CHUNK ((size_t)4 << 26)

int decc_base64_encode(struct decc_buf *out, const uint8_t *in, size_t n)
{
	size_t groups = n / 3 + (n % 3 != 0), olen;
	uint8_t *dst;

	if (decc_mul_overflow(groups, 4, &olen))
		return decc_error_set(DECC_ELIMIT, "base64: input too large");
	/* EVP_EncodeBlock writes a NUL after the text; decc_buf keeps room for it */
	DECC_TRY(decc_buf_reserve(out, olen));
	dst = out->data + out->len;
	while (n > 0) {
		size_t chunk = n < ENC_CHUNK ? n : ENC_CHUNK;
		int w = EVP_EncodeBlock(dst, in, (int)chunk);

		dst += w;
		in += chunk;
		n -= chunk;
	}
	out->len += olen;
	out->data[out->len] = 0;
	return 0;
}

static int b64_value(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

static int validate(const char *in, size_t n, size_t *pad)
{
	size_t p = 0;

	if (n % 4 != 0)
		return decc_error_set(DECC_EINVAL,
				      "base64: length %zu is not a multiple of 4 (truncated or "
				      "unpadded text)",
				      n);
	if (n >= 4 && in[n - 1] == '=')
		p = in[n - 2] == '=' ? 2 : 1;
	for (size_t i = 0; i < n - p; i++) {
		if (b64_value((unsigned char)in[i]) < 0)
			return decc_error_set(DECC_EINVAL,
					      "base64: invalid character 0x%02x at offset %zu",
					      (unsigned char)in[i], i);
	}
	/* the bits of the last character that fall beyond the data must be zero */
	if (p == 1 && (b64_value((unsigned char)in[n - 2]) & 0x03) != 0)
		return decc_error_set(DECC_EINVAL, "base64: non-zero bits before the padding");
	if (p == 2 && (b64_value((unsigned char)in[n - 3]) & 0x0f) != 0)
		return decc_error_set(DECC_EINVAL, "base64: non-zero bits before the padding");
	*pad = p;
	return 0;
}

int decc_base64_decode(struct decc_buf *out, const char *in, size_t n)
{
	size_t pad = 0, olen;
	uint8_t *dst;

	DECC_TRY(validate(in, n, &pad));
	if (n == 0)
		return 0;
	olen = n / 4 * 3 - pad;
	DECC_TRY(decc_buf_reserve(out, n / 4 * 3));
	dst = out->data + out->len;
	for (size_t off = 0; off < n;) {
		size_t chunk = n - off < DEC_CHUNK ? n - off : DEC_CHUNK;
		/* validated above, so OpenSSL cannot fail; it counts padding as zero bytes */
		int w = EVP_DecodeBlock(dst, (const unsigned char *)in + off, (int)chunk);

		if (w < 0 || (size_t)w != chunk / 4 * 3) {
			out->data[out->len] = 0;
			return decc_error_set(DECC_EINVAL, "base64: malformed text");
		}
		dst += w;
		off += chunk;
	}
	out->len += olen;
	out->data[out->len] = 0;
	return 0;
}
