/* SPDX-License-Identifier: Apache-2.0 */
/* Password-based key derivation: scrypt (keystore v3) and PBKDF2-HMAC-SHA-256, via EVP_KDF. */
#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <stdlib.h>

#include "crypto/internal.h"
#include "crypto/scrypt.h"
#include "decc/crypto.h"
#include "decc/error.h"

static int kdf_derive(const char *name, uint8_t *out, size_t outlen, OSSL_PARAM *params)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, name, NULL);
	EVP_KDF_CTX *kctx = NULL;
	int r = 0;

	if (!kdf) {
		r = decc_crypto_ossl_fail(DECC_ERROR, "%s is not available in OpenSSL", name);
		goto out;
	}
	kctx = EVP_KDF_CTX_new(kdf);
	if (!kctx) {
		r = decc_crypto_ossl_fail(DECC_ENOMEM, "cannot create a %s context", name);
		goto out;
	}
	if (EVP_KDF_derive(kctx, out, outlen, params) != 1)
		r = decc_crypto_ossl_fail(DECC_ERROR, "%s key derivation failed", name);
out:
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	return r;
}

/*
 * scrypt for parameters OpenSSL refuses (N >= 2^(16 r)): PBKDF2 around our own ROMix, as
 * RFC 7914 §6 defines it. Memory was already checked against the caller's maxmem.
 */
static int scrypt_fallback(uint8_t *out, size_t outlen, const void *pass, size_t passlen,
			   const uint8_t *salt, size_t saltlen, uint64_t n, uint32_t r, uint32_t p)
{
	size_t blen = (size_t)128 * r * p;
	uint8_t *b = malloc(blen);
	uint32_t *v = malloc((size_t)128 * r * n);
	uint32_t *xy = malloc((size_t)256 * r);
	int ret;

	if (!b || !v || !xy) {
		ret = decc_error_set(DECC_ENOMEM, "scrypt: out of memory");
		goto out;
	}
	ret = decc_pbkdf2_sha256(b, blen, pass, passlen, salt, saltlen, 1);
	if (ret < 0)
		goto out;
	decc__scrypt_romix(b, r, p, n, v, xy);
	ret = decc_pbkdf2_sha256(out, outlen, pass, passlen, b, blen, 1);
out:
	if (b)
		decc_wipe(b, blen);
	if (v)
		decc_wipe(v, (size_t)128 * r * n);
	if (xy)
		decc_wipe(xy, (size_t)256 * r);
	free(b);
	free(v);
	free(xy);
	return ret;
}

int decc_scrypt(uint8_t *out, size_t outlen, const void *pass, size_t passlen, const uint8_t *salt,
		size_t saltlen, uint64_t n, uint32_t r, uint32_t p, uint64_t maxmem)
{
	uint64_t mem, omem;
	OSSL_PARAM params[7];
	OSSL_PARAM *q = params;

	if (outlen == 0)
		return decc_error_set(DECC_EINVAL, "scrypt: output length is zero");
	if (n < 2 || (n & (n - 1)) != 0)
		return decc_error_set(DECC_EINVAL,
				      "scrypt: N = %llu is not a power of two greater than 1",
				      (unsigned long long)n);
	if (r == 0 || p == 0)
		return decc_error_set(DECC_EINVAL, "scrypt: r and p must be at least 1");
	if ((uint64_t)r * p >= (1u << 30))
		return decc_error_set(DECC_EINVAL, "scrypt: r * p must be below 2^30");
	if (__builtin_mul_overflow((uint64_t)128 * r, n, &mem) || mem > maxmem)
		return decc_error_set(DECC_ELIMIT,
				      "scrypt: parameters N = %llu, r = %u need more than the %llu "
				      "bytes of memory allowed",
				      (unsigned long long)n, r, (unsigned long long)maxmem);
	/* OpenSSL counts 128 * r * (N + 2 + p): give it exactly what these parameters need */
	if (__builtin_mul_overflow((uint64_t)128 * r, n + 2 + p, &omem))
		return decc_error_set(DECC_ELIMIT, "scrypt: parameters too large");

	if (r < 4 && n >= ((uint64_t)1 << (16 * r)))
		return scrypt_fallback(out, outlen, pass, passlen, salt, saltlen, n, r, p);

	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
						 (void *)(passlen ? pass : ""), passlen);
	*q++ = OSSL_PARAM_construct_octet_string(
	    OSSL_KDF_PARAM_SALT, (void *)(saltlen ? salt : (const uint8_t *)""), saltlen);
	*q++ = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n);
	*q++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r);
	*q++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p);
	*q++ = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &omem);
	*q = OSSL_PARAM_construct_end();
	return kdf_derive("SCRYPT", out, outlen, params);
}

int decc_pbkdf2_sha256(uint8_t *out, size_t outlen, const void *pass, size_t passlen,
		       const uint8_t *salt, size_t saltlen, uint32_t iterations)
{
	OSSL_PARAM params[6];
	OSSL_PARAM *q = params;
	uint64_t iter = iterations;
	int pkcs5 = 1; /* plain RFC 8018: no SP 800-132 minimums on salt, key and iteration count */

	if (outlen == 0 || iterations == 0)
		return decc_error_set(
		    DECC_EINVAL, "PBKDF2: output length and iteration count must be at least 1");

	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
						 (void *)(passlen ? pass : ""), passlen);
	*q++ = OSSL_PARAM_construct_octet_string(
	    OSSL_KDF_PARAM_SALT, (void *)(saltlen ? salt : (const uint8_t *)""), saltlen);
	*q++ = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_ITER, &iter);
	*q++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
	*q++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_PKCS5, &pkcs5);
	*q = OSSL_PARAM_construct_end();
	return kdf_derive("PBKDF2", out, outlen, params);
}
