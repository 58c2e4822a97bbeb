/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AES through OpenSSL's EVP interface: AES-256-CBC with PKCS#7 padding, streaming so that any
 * amount of data is processed in constant memory (the DataProtector dataset and result format),
 * and AES-128-CTR (the keystore v3 cipher).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "crypto/internal.h"
#include "decc/crypto.h"
#include "decc/error.h"

/* Large enough that a system call and an EVP call are amortised over many blocks. */
#define FD_CHUNK ((size_t)1 << 20)
/* Keep every EVP call's length well inside an int. */
#define EVP_CHUNK ((size_t)1 << 30)

struct decc_aes_cbc {
	EVP_CIPHER_CTX *ctx;
	bool encrypt;
	bool done;	/* final was called (successfully or not): no more input */
	uint64_t total; /* input bytes seen, to explain a failing final */
};

int decc_aes_cbc_new(struct decc_aes_cbc **out, bool encrypt, const uint8_t key[32],
		     const uint8_t iv[16])
{
	struct decc_aes_cbc *c = calloc(1, sizeof(*c));

	if (!c)
		return decc_error_set(DECC_ENOMEM, "out of memory creating an AES context");
	c->encrypt = encrypt;
	c->ctx = EVP_CIPHER_CTX_new();
	if (!c->ctx ||
	    EVP_CipherInit_ex(c->ctx, EVP_aes_256_cbc(), NULL, key, iv, encrypt ? 1 : 0) != 1) {
		decc_aes_cbc_free(c);
		return decc_crypto_ossl_fail(DECC_ERROR, "cannot set up AES-256-CBC");
	}
	*out = c;
	return 0;
}

int decc_aes_cbc_update(struct decc_aes_cbc *c, uint8_t *out, size_t *out_len, const uint8_t *in,
			size_t n)
{
	size_t produced = 0;

	if (c->done)
		return decc_error_set(DECC_EINVAL, "AES-256-CBC: data given after the end");
	while (n > 0) {
		size_t chunk = n < EVP_CHUNK ? n : EVP_CHUNK;
		int w = 0;

		if (EVP_CipherUpdate(c->ctx, out + produced, &w, in, (int)chunk) != 1) {
			c->done = true;
			return decc_crypto_ossl_fail(DECC_ERROR, "AES-256-CBC %s failed",
						     c->encrypt ? "encryption" : "decryption");
		}
		produced += (size_t)w;
		in += chunk;
		n -= chunk;
		c->total += chunk;
	}
	*out_len = produced;
	return 0;
}

int decc_aes_cbc_final(struct decc_aes_cbc *c, uint8_t *out, size_t *out_len)
{
	int w = 0;

	if (c->done)
		return decc_error_set(DECC_EINVAL, "AES-256-CBC: the stream is already finished");
	c->done = true;
	if (!c->encrypt && (c->total == 0 || c->total % DECC_AES_BLOCK != 0)) {
		decc_crypto_ossl_clear();
		return decc_error_set(
		    DECC_EINVAL,
		    "AES-256-CBC ciphertext of %llu bytes is not a positive multiple "
		    "of 16: it is truncated or not AES-CBC data",
		    (unsigned long long)c->total);
	}
	if (EVP_CipherFinal_ex(c->ctx, out, &w) != 1) {
		if (c->encrypt)
			return decc_crypto_ossl_fail(DECC_ERROR, "AES-256-CBC encryption failed");
		decc_crypto_ossl_clear();
		return decc_error_set(
		    DECC_EAUTH, "AES-256-CBC decryption: bad PKCS#7 padding (wrong key or IV, "
				"or corrupted data)");
	}
	*out_len = (size_t)w;
	return 0;
}

void decc_aes_cbc_free(struct decc_aes_cbc *c)
{
	if (!c)
		return;
	/* EVP_CIPHER_CTX_free wipes the key schedule */
	EVP_CIPHER_CTX_free(c->ctx);
	free(c);
}

static int read_some(int fd, uint8_t *p, size_t cap, size_t *got)
{
	size_t n = 0;

	/* fill the buffer (pipes return short reads) so that each EVP call gets a big chunk */
	while (n < cap) {
		ssize_t r = read(fd, p + n, cap - n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return decc_error_set(DECC_ERROR, "AES-256-CBC: read failed: %s",
					      strerror(errno));
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*got = n;
	return 0;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return decc_error_set(DECC_ERROR, "AES-256-CBC: write failed: %s",
					      strerror(errno));
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int cbc_fd_loop(struct decc_aes_cbc *c, int out_fd, int in_fd, uint8_t *ibuf, uint8_t *obuf)
{
	size_t got = 0, w = 0;

	for (;;) {
		DECC_TRY(read_some(in_fd, ibuf, FD_CHUNK, &got));
		if (got == 0)
			break;
		DECC_TRY(decc_aes_cbc_update(c, obuf, &w, ibuf, got));
		DECC_TRY(write_all(out_fd, obuf, w));
		if (got < FD_CHUNK)
			break; /* read_some stops short only at end of file */
	}
	DECC_TRY(decc_aes_cbc_final(c, obuf, &w));
	return write_all(out_fd, obuf, w);
}

/*
 * On failure part of the output may already be written (a file descriptor cannot be rolled
 * back): callers write to a temporary file and rename it only on success. A decryption error
 * is reported only at the end of the data (the padding is in the last block).
 */
int decc_aes_cbc_fd(int out_fd, int in_fd, bool encrypt, const uint8_t key[32],
		    const uint8_t iv[16])
{
	struct decc_aes_cbc *c = NULL;
	uint8_t *ibuf, *obuf;
	int r;

	ibuf = malloc(FD_CHUNK);
	obuf = malloc(FD_CHUNK + DECC_AES_BLOCK);
	if (!ibuf || !obuf) {
		free(ibuf);
		free(obuf);
		return decc_error_set(DECC_ENOMEM, "out of memory for AES-256-CBC buffers");
	}
	r = decc_aes_cbc_new(&c, encrypt, key, iv);
	if (r == 0)
		r = cbc_fd_loop(c, out_fd, in_fd, ibuf, obuf);
	decc_aes_cbc_free(c);
	/* both buffers held plaintext at some point */
	decc_wipe(ibuf, FD_CHUNK);
	decc_wipe(obuf, FD_CHUNK + DECC_AES_BLOCK);
	free(ibuf);
	free(obuf);
	return r;
}

int decc_aes_cbc_buf(struct decc_buf *out, bool encrypt, const uint8_t key[32],
		     const uint8_t iv[16], const uint8_t *in, size_t n)
{
	struct decc_aes_cbc *c = NULL;
	size_t need, w1 = 0, w2 = 0;
	uint8_t *dst;
	int r;

	if (decc_add_overflow(n, DECC_AES_BLOCK, &need))
		return decc_error_set(DECC_ELIMIT, "AES-256-CBC input too large");
	DECC_TRY(decc_buf_reserve(out, need));
	dst = out->data + out->len;
	DECC_TRY(decc_aes_cbc_new(&c, encrypt, key, iv));
	r = decc_aes_cbc_update(c, dst, &w1, in, n);
	if (r == 0)
		r = decc_aes_cbc_final(c, dst + w1, &w2);
	decc_aes_cbc_free(c);
	if (r < 0) {
		/* a failed decryption may have left partial plaintext in the spare capacity */
		decc_wipe(dst, need);
		out->data[out->len] = 0;
		return r;
	}
	out->len += w1 + w2;
	out->data[out->len] = 0;
	return 0;
}

int decc_aes128_ctr(uint8_t *out, const uint8_t *in, size_t n, const uint8_t key[16],
		    const uint8_t iv[16])
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	size_t done = 0;
	int w, r = 0;

	if (!ctx || EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), NULL, key, iv) != 1) {
		r = decc_crypto_ossl_fail(DECC_ERROR, "cannot set up AES-128-CTR");
		goto out;
	}
	while (done < n) {
		size_t chunk = n - done < EVP_CHUNK ? n - done : EVP_CHUNK;

		if (EVP_EncryptUpdate(ctx, out + done, &w, in + done, (int)chunk) != 1 ||
		    (size_t)w != chunk) {
			r = decc_crypto_ossl_fail(DECC_ERROR, "AES-128-CTR failed");
			goto out;
		}
		done += chunk;
	}
out:
	EVP_CIPHER_CTX_free(ctx);
	return r;
}
