/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Dataset encryption as the iexec SDK and the TEE pre-compute do it: IV (16 random bytes) ||
 * AES-256-CBC-PKCS#7(plaintext); the checksum is sha256 of exactly those bytes. One pass,
 * 1 MiB buffers, whatever the file size.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/hex.h"
#include "decc/protect.h"
#include "protect/internal.h"

#define CHUNK ((size_t)1 << 20)

int decc_protect_key_new(uint8_t key[DECC_PROTECT_KEY_LEN])
{
	return decc_random_bytes(key, DECC_PROTECT_KEY_LEN);
}

void decc_protect_key_encode(char out[DECC_PROTECT_KEY_B64_LEN + 1],
			     const uint8_t key[DECC_PROTECT_KEY_LEN])
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0, i;

	/* written here rather than through decc_base64_encode: no heap copy of the key */
	for (i = 0; i + 3 <= DECC_PROTECT_KEY_LEN; i += 3) {
		uint32_t v = (uint32_t)key[i] << 16 | (uint32_t)key[i + 1] << 8 | key[i + 2];

		out[o++] = tab[v >> 18];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = tab[(v >> 6) & 63];
		out[o++] = tab[v & 63];
	}
	{ /* 32 = 30 + 2: one final group with one '=' */
		uint32_t v = (uint32_t)key[i] << 16 | (uint32_t)key[i + 1] << 8;

		out[o++] = tab[v >> 18];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = tab[(v >> 6) & 63];
		out[o++] = '=';
	}
	out[o] = 0;
}

int decc_protect_key_decode(uint8_t key[DECC_PROTECT_KEY_LEN], const char *b64, size_t n)
{
	struct decc_buf raw;
	int r;

	while (n > 0 && (b64[0] == ' ' || b64[0] == '\t' || b64[0] == '\n' || b64[0] == '\r')) {
		b64++;
		n--;
	}
	while (n > 0 && (b64[n - 1] == ' ' || b64[n - 1] == '\t' || b64[n - 1] == '\n' ||
			 b64[n - 1] == '\r'))
		n--;
	decc_buf_init_secret(&raw, 64);
	r = decc_base64_decode(&raw, b64, n);
	if (r == 0 && raw.len != DECC_PROTECT_KEY_LEN)
		r = decc_error_set(DECC_EINVAL,
				   "dataset key: expected the base64 of 32 bytes, got %zu bytes",
				   raw.len);
	else if (r < 0)
		r = decc_error_wrap(r, "dataset key: not standard base64");
	if (r == 0)
		memcpy(key, raw.data, DECC_PROTECT_KEY_LEN);
	decc_buf_release(&raw);
	return r;
}

static void checksum_text(char out[DECC_PROTECT_CHECKSUM_STR_MAX], const uint8_t d[32])
{
	decc_hex_encode(out, d, 32, true);
}

static int open_in(const char *path, int *fd, struct stat *st)
{
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0) {
		int e = errno;

		return decc_error_set(e == ENOENT ? DECC_ENOTFOUND : DECC_ERROR,
				      "cannot open %s: %s", path, strerror(e));
	}
	if (fstat(*fd, st) != 0 || S_ISDIR(st->st_mode)) {
		close(*fd);
		*fd = -1;
		return decc_error_set(DECC_EINVAL, "%s is not a readable file", path);
	}
	posix_fadvise(*fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return 0;
}

struct pass {
	struct decc_aes_cbc *aes;
	struct decc_sha256 *sha;
	uint8_t *ibuf, *obuf;
	int in;
};

static void pass_release(struct pass *p)
{
	decc_aes_cbc_free(p->aes);
	decc_sha256_free(p->sha);
	if (p->ibuf)
		decc_wipe(p->ibuf, CHUNK);
	if (p->obuf)
		decc_wipe(p->obuf, CHUNK + DECC_AES_BLOCK);
	free(p->ibuf);
	free(p->obuf);
	if (p->in >= 0)
		close(p->in);
}

static int pass_alloc(struct pass *p)
{
	p->ibuf = malloc(CHUNK);
	p->obuf = malloc(CHUNK + DECC_AES_BLOCK);
	if (!p->ibuf || !p->obuf)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	return 0;
}

static int encrypt_body(struct pass *p, struct decc_protect_out *o, uint8_t digest[32],
			const char *in_path, const uint8_t key[32], const uint8_t iv[16],
			uint64_t size, const struct decc_progress *progress)
{
	uint64_t done = 0;
	size_t got, w;

	DECC_TRY(pass_alloc(p));
	DECC_TRY(decc_sha256_new(&p->sha));
	DECC_TRY(decc_aes_cbc_new(&p->aes, true, key, iv));
	DECC_TRY(decc_sha256_update(p->sha, iv, 16));
	DECC_TRY(decc_protect_write_all(o->fd, iv, 16, o->path));
	for (;;) {
		DECC_TRY(decc_protect_read_full(p->in, p->ibuf, CHUNK, &got, in_path));
		if (got == 0)
			break;
		DECC_TRY(decc_aes_cbc_update(p->aes, p->obuf, &w, p->ibuf, got));
		DECC_TRY(decc_sha256_update(p->sha, p->obuf, w));
		DECC_TRY(decc_protect_write_all(o->fd, p->obuf, w, o->path));
		done += got;
		decc_progress_report(progress, done, size > done ? size : done);
		if (got < CHUNK)
			break;
	}
	DECC_TRY(decc_aes_cbc_final(p->aes, p->obuf, &w));
	DECC_TRY(decc_sha256_update(p->sha, p->obuf, w));
	DECC_TRY(decc_protect_write_all(o->fd, p->obuf, w, o->path));
	return decc_sha256_final(p->sha, digest);
}

int decc_protect_encrypt_file_iv(const char *out_path, char checksum[DECC_PROTECT_CHECKSUM_STR_MAX],
				 const char *in_path, const uint8_t key[DECC_PROTECT_KEY_LEN],
				 const uint8_t iv[16], unsigned flags,
				 const struct decc_progress *progress)
{
	struct pass p = { .in = -1 };
	struct decc_protect_out o;
	uint8_t digest[32];
	struct stat st;
	int r;

	DECC_TRY(open_in(in_path, &p.in, &st));
	if ((r = decc_protect_out_open(&o, out_path, flags)) < 0) {
		pass_release(&p);
		return r;
	}
	r = encrypt_body(&p, &o, digest, in_path, key, iv, (uint64_t)st.st_size, progress);
	pass_release(&p);
	if (r < 0) {
		decc_protect_out_abort(&o);
		return decc_error_wrap(r, "encrypt %s", in_path);
	}
	DECC_TRY(decc_protect_out_commit(&o));
	if (checksum)
		checksum_text(checksum, digest);
	return 0;
}

int decc_protect_encrypt_file(const char *out_path, char checksum[DECC_PROTECT_CHECKSUM_STR_MAX],
			      const char *in_path, const uint8_t key[DECC_PROTECT_KEY_LEN],
			      unsigned flags, const struct decc_progress *progress)
{
	uint8_t iv[16];

	DECC_TRY(decc_random_bytes(iv, sizeof(iv)));
	return decc_protect_encrypt_file_iv(out_path, checksum, in_path, key, iv, flags, progress);
}

static int decrypt_body(struct pass *p, struct decc_protect_out *o, const char *in_path,
			const struct stat *st, const uint8_t key[32])
{
	uint8_t iv[16];
	size_t got, w;

	if (S_ISREG(st->st_mode) && (st->st_size < 32 || (st->st_size - 16) % DECC_AES_BLOCK != 0))
		return decc_error_set(
		    DECC_EINVAL,
		    "%s has %lld bytes: an encrypted dataset is a 16-byte IV and "
		    "a whole number (at least one) of 16-byte blocks; the file is "
		    "truncated or not encrypted",
		    in_path, (long long)st->st_size);
	DECC_TRY(pass_alloc(p));
	DECC_TRY(decc_protect_read_full(p->in, iv, 16, &got, in_path));
	if (got != 16)
		return decc_error_set(DECC_EINVAL, "%s is shorter than its 16-byte IV", in_path);
	DECC_TRY(decc_aes_cbc_new(&p->aes, false, key, iv));
	for (;;) {
		DECC_TRY(decc_protect_read_full(p->in, p->ibuf, CHUNK, &got, in_path));
		if (got == 0)
			break;
		DECC_TRY(decc_aes_cbc_update(p->aes, p->obuf, &w, p->ibuf, got));
		DECC_TRY(decc_protect_write_all(o->fd, p->obuf, w, o->path));
		if (got < CHUNK)
			break;
	}
	DECC_TRY(decc_aes_cbc_final(p->aes, p->obuf, &w));
	return decc_protect_write_all(o->fd, p->obuf, w, o->path);
}

int decc_protect_decrypt_file(const char *out_path, const char *in_path,
			      const uint8_t key[DECC_PROTECT_KEY_LEN], unsigned flags)
{
	struct pass p = { .in = -1 };
	struct decc_protect_out o;
	struct stat st;
	int r;

	DECC_TRY(open_in(in_path, &p.in, &st));
	if ((r = decc_protect_out_open(&o, out_path, flags)) < 0) {
		pass_release(&p);
		return r;
	}
	r = decrypt_body(&p, &o, in_path, &st, key);
	pass_release(&p);
	if (r < 0) {
		decc_protect_out_abort(&o);
		return decc_error_wrap(r, "decrypt %s", in_path);
	}
	return decc_protect_out_commit(&o);
}

int decc_protect_checksum_file(char out[DECC_PROTECT_CHECKSUM_STR_MAX], const char *path)
{
	struct pass p = { .in = -1 };
	uint8_t digest[32];
	struct stat st;
	size_t got;
	int r;

	DECC_TRY(open_in(path, &p.in, &st));
	r = pass_alloc(&p);
	if (r == 0)
		r = decc_sha256_new(&p.sha);
	while (r == 0) {
		r = decc_protect_read_full(p.in, p.ibuf, CHUNK, &got, path);
		if (r < 0 || got == 0)
			break;
		r = decc_sha256_update(p.sha, p.ibuf, got);
		if (got < CHUNK)
			break;
	}
	if (r == 0)
		r = decc_sha256_final(p.sha, digest);
	pass_release(&p);
	if (r < 0)
		return r;
	checksum_text(out, digest);
	return 0;
}
