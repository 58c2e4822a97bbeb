/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RSA for result encryption: key generation, PEM import (SPKI, PKCS#1, PKCS#8) and export (SPKI,
 * PKCS#8), PKCS#1 v1.5 encryption of a small payload (the AES key of a result, "aes-key.rsa").
 */
#include <limits.h>
#include <stdlib.h>

#include <openssl/bio.h>
#include <openssl/decoder.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "crypto/internal.h"
#include "decc/crypto.h"
#include "decc/error.h"

#define RSA_MIN_BITS 2048
#define RSA_MAX_BITS 8192
#define PEM_MAX ((size_t)64 << 10)

struct decc_rsa {
	EVP_PKEY *pkey;
	bool priv;
};

static int rsa_wrap(struct decc_rsa **out, EVP_PKEY *pkey, bool priv)
{
	struct decc_rsa *k = malloc(sizeof(*k));

	if (!k) {
		EVP_PKEY_free(pkey);
		return decc_error_set(DECC_ENOMEM, "out of memory for an RSA key");
	}
	k->pkey = pkey;
	k->priv = priv;
	*out = k;
	return 0;
}

int decc_rsa_generate(struct decc_rsa **out, unsigned bits)
{
	EVP_PKEY *pkey;

	if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS || bits % 8 != 0)
		return decc_error_set(
		    DECC_EINVAL, "RSA key size %u is not supported (use 2048, 3072 or 4096)", bits);
	pkey = EVP_RSA_gen(bits);
	if (!pkey)
		return decc_crypto_ossl_fail(DECC_ERROR, "RSA-%u key generation failed", bits);
	return rsa_wrap(out, pkey, true);
}

/* Never prompt for a passphrase (OpenSSL would ask on the terminal): encrypted keys fail. */
static int no_passphrase(char *buf, size_t size, size_t *len, const OSSL_PARAM params[], void *arg)
{
	(void)buf;
	(void)size;
	(void)len;
	(void)params;
	(void)arg;
	return 0;
}

static int decode_pem(EVP_PKEY **pkey, const char *pem, size_t n, int selection)
{
	OSSL_DECODER_CTX *dctx;
	const unsigned char *p = (const unsigned char *)pem;
	size_t left = n;
	int ok;

	dctx = OSSL_DECODER_CTX_new_for_pkey(pkey, "PEM", NULL, "RSA", selection, NULL, NULL);
	if (!dctx)
		return decc_crypto_ossl_fail(DECC_ERROR, "cannot create a PEM decoder");
	ok = OSSL_DECODER_CTX_set_passphrase_cb(dctx, no_passphrase, NULL) == 1 &&
	     OSSL_DECODER_from_data(dctx, &p, &left) == 1;
	OSSL_DECODER_CTX_free(dctx);
	decc_crypto_ossl_clear();
	return ok ? 0 : DECC_EINVAL;
}

int decc_rsa_from_pem(struct decc_rsa **out, const char *pem, size_t n)
{
	EVP_PKEY *pkey = NULL;
	bool priv = true;
	int bits;

	if (n == 0 || n > PEM_MAX)
		return decc_error_set(DECC_EINVAL, "RSA PEM key of %zu bytes (expected 1 to %zu)",
				      n, PEM_MAX);
	/* a private key first (it also carries the public part), then a public one */
	if (decode_pem(&pkey, pem, n, EVP_PKEY_KEYPAIR) < 0) {
		priv = false;
		pkey = NULL;
		if (decode_pem(&pkey, pem, n, EVP_PKEY_PUBLIC_KEY) < 0)
			return decc_error_set(
			    DECC_EINVAL, "not an RSA key in PEM form (expected PUBLIC KEY, RSA "
					 "PUBLIC KEY, PRIVATE KEY or RSA PRIVATE KEY, "
					 "unencrypted)");
	}
	if (!pkey || !EVP_PKEY_is_a(pkey, "RSA")) {
		EVP_PKEY_free(pkey);
		return decc_error_set(DECC_EINVAL, "the PEM key is not an RSA key");
	}
	bits = EVP_PKEY_get_bits(pkey);
	if (bits < 1024 || bits > 16384) {
		EVP_PKEY_free(pkey);
		return decc_error_set(DECC_EINVAL, "RSA key of %d bits refused (1024 to 16384)",
				      bits);
	}
	return rsa_wrap(out, pkey, priv);
}

/* Copy a memory BIO's contents to out (append); the BIO is freed. */
static int bio_to_buf(struct decc_buf *out, BIO *bio)
{
	char *data = NULL;
	long len = BIO_get_mem_data(bio, &data);
	int r = 0;

	if (len <= 0)
		r = decc_crypto_ossl_fail(DECC_ERROR, "PEM encoding produced nothing");
	else
		r = decc_buf_append(out, data, (size_t)len);
	BIO_free(bio);
	return r;
}

int decc_rsa_public_pem(struct decc_buf *out, const struct decc_rsa *k)
{
	BIO *bio = BIO_new(BIO_s_mem());

	if (!bio)
		return decc_crypto_ossl_fail(DECC_ENOMEM, "cannot create a memory BIO");
	if (PEM_write_bio_PUBKEY(bio, k->pkey) != 1) {
		BIO_free(bio);
		return decc_crypto_ossl_fail(DECC_ERROR, "cannot write the RSA public key as PEM");
	}
	return bio_to_buf(out, bio);
}

int decc_rsa_private_pem(struct decc_buf *out, const struct decc_rsa *k)
{
	BIO *bio;

	if (!k->priv)
		return decc_error_set(DECC_EINVAL, "this RSA key has no private part to export");
	/* secure memory BIO: its buffer is cleared when freed */
	bio = BIO_new(BIO_s_secmem());
	if (!bio)
		return decc_crypto_ossl_fail(DECC_ENOMEM, "cannot create a memory BIO");
	if (PEM_write_bio_PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL, NULL) != 1) {
		BIO_free(bio);
		return decc_crypto_ossl_fail(DECC_ERROR, "cannot write the RSA private key as PEM");
	}
	return bio_to_buf(out, bio);
}

bool decc_rsa_has_private(const struct decc_rsa *k)
{
	return k && k->priv;
}

unsigned decc_rsa_bits(const struct decc_rsa *k)
{
	int bits = k ? EVP_PKEY_get_bits(k->pkey) : 0;

	return bits > 0 ? (unsigned)bits : 0;
}

static EVP_PKEY_CTX *pkcs1_ctx(const struct decc_rsa *k, bool encrypt)
{
	EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);

	if (!pctx)
		return NULL;
	if ((encrypt ? EVP_PKEY_encrypt_init(pctx) : EVP_PKEY_decrypt_init(pctx)) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
		EVP_PKEY_CTX_free(pctx);
		return NULL;
	}
	return pctx;
}

int decc_rsa_encrypt_pkcs1(struct decc_buf *out, const struct decc_rsa *k, const uint8_t *in,
			   size_t n)
{
	size_t modlen = (size_t)EVP_PKEY_get_size(k->pkey), olen;
	EVP_PKEY_CTX *pctx;
	int r = 0;

	/* PKCS#1 v1.5 needs 11 bytes of padding and header */
	if (modlen < 11 || n > modlen - 11)
		return decc_error_set(DECC_ELIMIT,
				      "RSA PKCS#1 v1.5: %zu bytes is too much for a %zu-bit key "
				      "(at most %zu)",
				      n, modlen * 8, modlen < 11 ? 0 : modlen - 11);
	pctx = pkcs1_ctx(k, true);
	if (!pctx)
		return decc_crypto_ossl_fail(DECC_ERROR, "cannot set up RSA PKCS#1 encryption");
	DECC_TRY(decc_buf_reserve(out, modlen));
	olen = modlen;
	if (EVP_PKEY_encrypt(pctx, out->data + out->len, &olen, n ? in : (const uint8_t *)"", n) !=
	    1) {
		r = decc_crypto_ossl_fail(DECC_ERROR, "RSA PKCS#1 v1.5 encryption failed");
	} else {
		out->len += olen;
	}
	out->data[out->len] = 0;
	EVP_PKEY_CTX_free(pctx);
	return r;
}

int decc_rsa_decrypt_pkcs1(struct decc_buf *out, const struct decc_rsa *k, const uint8_t *in,
			   size_t n)
{
	size_t modlen = (size_t)EVP_PKEY_get_size(k->pkey), olen = 0;
	EVP_PKEY_CTX *pctx;
	uint8_t *tmp;
	int r = 0;

	if (!k->priv)
		return decc_error_set(DECC_EINVAL, "RSA decryption needs a private key");
	if (n != modlen)
		return decc_error_set(
		    DECC_EINVAL, "RSA ciphertext is %zu bytes, the %zu-bit key needs exactly %zu",
		    n, modlen * 8, modlen);
	pctx = pkcs1_ctx(k, false);
	if (!pctx)
		return decc_crypto_ossl_fail(DECC_ERROR, "cannot set up RSA PKCS#1 decryption");
	tmp = malloc(modlen);
	if (!tmp) {
		EVP_PKEY_CTX_free(pctx);
		return decc_error_set(DECC_ENOMEM, "out of memory for RSA decryption");
	}
	olen = modlen;
	if (EVP_PKEY_decrypt(pctx, tmp, &olen, in, n) != 1) {
		decc_crypto_ossl_clear();
		r = decc_error_set(DECC_EAUTH,
				   "RSA decryption failed: the data was not encrypted for this key "
				   "(or is corrupted)");
	} else {
		r = decc_buf_append(out, tmp, olen);
	}
	decc_wipe(tmp, modlen);
	free(tmp);
	EVP_PKEY_CTX_free(pctx);
	return r;
}

void decc_rsa_free(struct decc_rsa *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}
