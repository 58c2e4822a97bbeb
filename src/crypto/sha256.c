/* SPDX-License-Identifier: Apache-2.0 */
/* SHA-256 (streaming and one-shot) and HMAC-SHA-256, through OpenSSL's EVP interface. */
#include <pthread.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "crypto/internal.h"
#include "decc/crypto.h"
#include "decc/error.h"

struct decc_sha256 {
	EVP_MD_CTX *ctx;
};

/* Fetch the implementation once: an implicit fetch on every init costs a lock and a lookup. */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_fetch(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *sha256_get(void)
{
	pthread_once(&sha256_once, sha256_fetch);
	return sha256_md;
}

int decc_sha256_new(struct decc_sha256 **out)
{
	const EVP_MD *md = sha256_get();
	struct decc_sha256 *h;

	if (!md)
		return decc_crypto_ossl_fail(DECC_ERROR, "SHA-256 is not available in OpenSSL");
	h = calloc(1, sizeof(*h));
	if (!h)
		return decc_error_set(DECC_ENOMEM, "out of memory creating a SHA-256 context");
	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx || EVP_DigestInit_ex(h->ctx, md, NULL) != 1) {
		decc_sha256_free(h);
		return decc_crypto_ossl_fail(DECC_ERROR, "cannot start a SHA-256 digest");
	}
	*out = h;
	return 0;
}

int decc_sha256_update(struct decc_sha256 *h, const void *p, size_t n)
{
	if (n == 0)
		return 0;
	if (EVP_DigestUpdate(h->ctx, p, n) != 1)
		return decc_crypto_ossl_fail(DECC_ERROR, "SHA-256 update failed");
	return 0;
}

int decc_sha256_final(struct decc_sha256 *h, uint8_t out[32])
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned len = 0;

	if (EVP_DigestFinal_ex(h->ctx, md, &len) != 1 || len != 32)
		return decc_crypto_ossl_fail(DECC_ERROR, "SHA-256 finalisation failed");
	memcpy(out, md, 32);
	/* the context may be reused for a new digest after final */
	if (EVP_DigestInit_ex(h->ctx, sha256_get(), NULL) != 1)
		decc_crypto_ossl_clear();
	return 0;
}

void decc_sha256_free(struct decc_sha256 *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
	free(h);
}

/*
 * The one-shot forms cannot report an error (their signatures return void, as digests of
 * in-memory data only fail when the process is out of memory or OpenSSL is broken): they abort
 * rather than return a wrong digest.
 */
void decc_sha256(uint8_t out[32], const void *p, size_t n)
{
	const EVP_MD *md = sha256_get();
	unsigned len = 0;

	if (!md || EVP_Digest(n ? p : "", n, out, &len, md, NULL) != 1 || len != 32)
		abort();
}

void decc_hmac_sha256(uint8_t out[32], const void *key, size_t keylen, const void *p, size_t n)
{
	uint8_t khash[32];
	unsigned len = 0;
	const uint8_t *d = n ? p : (const uint8_t *)"";

	/* HMAC replaces a key longer than the block by its digest; do it here when int is short */
	if (keylen > INT_MAX) {
		decc_sha256(khash, key, keylen);
		key = khash;
		keylen = sizeof(khash);
	}
	if (!HMAC(EVP_sha256(), keylen ? key : "", (int)keylen, d, n, out, &len) || len != 32)
		abort();
	decc_wipe(khash, sizeof(khash));
}
