/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <unistd.h>

#include "vectors.h"

#include "decc/crypto.h"

/* NIST SP 800-38A, F.2.5 / F.2.6 (CBC-AES256) and F.5.1 (CTR-AES128). */
static const char *sp_plain = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
			      "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
static const char *cbc_key = "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";
static const char *cbc_iv = "000102030405060708090a0b0c0d0e0f";
static const char *cbc_cipher = "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
				"39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b";
static const char *ctr_key = "2b7e151628aed2a6abf7158809cf4f3c";
static const char *ctr_iv = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
static const char *ctr_cipher = "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
				"5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee";

/* Interop vector made with the openssl CLI (tests/vectors/crypto/README.md). */
static const char *interop_key = "8b1a9953c4611296a827abf8c47804d7e6c49c3e7d4c2b1a0f9e8d7c6b5a4938";
static const char *interop_iv = "1f2e3d4c5b6a79880796a5b4c3d2e1f0";

static void test_cbc_sp800_38a(void **state)
{
	uint8_t key[32], iv[16], plain[64], cipher[64], out[80 + 16], back[96];
	struct decc_aes_cbc *c = NULL;
	size_t w = 0, w2 = 0;

	(void)state;
	test_unhex(key, 32, cbc_key);
	test_unhex(iv, 16, cbc_iv);
	test_unhex(plain, 64, sp_plain);
	test_unhex(cipher, 64, cbc_cipher);

	/* F.2.5: the four blocks, then one block of PKCS#7 padding (16 x 0x10) */
	assert_int_equal(decc_aes_cbc_new(&c, true, key, iv), 0);
	assert_int_equal(decc_aes_cbc_update(c, out, &w, plain, 64), 0);
	assert_int_equal(w, 64);
	assert_int_equal(decc_aes_cbc_final(c, out + w, &w2), 0);
	assert_int_equal(w2, 16);
	assert_memory_equal(out, cipher, 64);
	decc_aes_cbc_free(c);

	/* F.2.6: decryption of the whole stream gives the four blocks back */
	assert_int_equal(decc_aes_cbc_new(&c, false, key, iv), 0);
	assert_int_equal(decc_aes_cbc_update(c, back, &w, out, 80), 0);
	assert_int_equal(decc_aes_cbc_final(c, back + w, &w2), 0);
	assert_int_equal(w + w2, 64);
	assert_memory_equal(back, plain, 64);
	decc_aes_cbc_free(c);

	/* F.2.6 without our padding block: blocks 1-3 come out, and the last block (ending in
	 * 0x10 but not 16 x 0x10) is refused as padding */
	assert_int_equal(decc_aes_cbc_new(&c, false, key, iv), 0);
	w = 0;
	for (size_t i = 0; i < 64; i += 5) {
		size_t n = 64 - i < 5 ? 64 - i : 5, got;

		assert_int_equal(decc_aes_cbc_update(c, back + w, &got, cipher + i, n), 0);
		w += got;
	}
	assert_int_equal(w, 48);
	assert_memory_equal(back, plain, 48);
	assert_int_equal(decc_aes_cbc_final(c, back + w, &w2), DECC_EAUTH);
	assert_non_null(strstr(decc_error_last(), "padding"));
	/* the stream is over: no more data, no second final */
	assert_int_equal(decc_aes_cbc_update(c, back, &w, cipher, 16), DECC_EINVAL);
	assert_int_equal(decc_aes_cbc_final(c, back, &w2), DECC_EINVAL);
	decc_aes_cbc_free(c);
	decc_aes_cbc_free(NULL);
}

static void test_ctr_sp800_38a(void **state)
{
	uint8_t key[16], iv[16], plain[64], buf[64];

	(void)state;
	test_unhex(key, 16, ctr_key);
	test_unhex(iv, 16, ctr_iv);
	test_unhex(plain, 64, sp_plain);
	assert_int_equal(decc_aes128_ctr(buf, plain, 64, key, iv), 0);
	assert_bytes_hex(buf, 64, ctr_cipher);
	/* in place, and back */
	assert_int_equal(decc_aes128_ctr(buf, buf, 64, key, iv), 0);
	assert_memory_equal(buf, plain, 64);
	/* a prefix of a CTR stream is the prefix of the ciphertext */
	assert_int_equal(decc_aes128_ctr(buf, plain, 21, key, iv), 0);
	assert_bytes_hex(buf, 21, "874d6191b620e3261bef6864990db6ce9806f66b79");
	/* negative: another IV gives another stream */
	iv[15] ^= 1;
	assert_int_equal(decc_aes128_ctr(buf, plain, 64, key, iv), 0);
	assert_memory_not_equal(buf, plain, 64);
	assert_int_equal(decc_aes128_ctr(buf, plain, 0, key, iv), 0);
}

static uint8_t *pattern(size_t n)
{
	uint8_t *p = malloc(n ? n : 1);

	assert_non_null(p);
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + (i >> 8));
	return p;
}

/* PKCS#7 round trip of every size 0..100 and 1 MiB (+ a few odd ones) through the buffer API. */
static void test_cbc_roundtrip_sizes(void **state)
{
	static const size_t big[] = { 1 << 20, (1 << 20) + 1, 65535, 65536 + 15 };
	uint8_t key[32], iv[16];

	(void)state;
	test_unhex(key, 32, interop_key);
	test_unhex(iv, 16, interop_iv);
	for (size_t t = 0; t <= 100 + DECC_ARRAY_SIZE(big); t++) {
		size_t n = t <= 100 ? t : big[t - 101];
		uint8_t *in = pattern(n);
		struct decc_buf enc = DECC_BUF_INIT, dec = DECC_BUF_INIT;

		assert_int_equal(decc_aes_cbc_buf(&enc, true, key, iv, in, n), 0);
		assert_int_equal(enc.len, (n / 16 + 1) * 16);
		assert_int_equal(decc_aes_cbc_buf(&dec, false, key, iv, enc.data, enc.len), 0);
		assert_int_equal(dec.len, n);
		if (n)
			assert_memory_equal(dec.data, in, n);
		decc_buf_release(&enc);
		decc_buf_release(&dec);
		free(in);
	}
}

/* Streaming in odd chunk sizes gives the one-shot ciphertext and plaintext. */
static void test_cbc_streaming_chunks(void **state)
{
	static const size_t steps[] = { 1, 3, 15, 16, 17, 31, 4097 };
	const size_t n = 100003;
	uint8_t key[32], iv[16];
	uint8_t *in = pattern(n), *out = malloc(n + 64);
	struct decc_buf ref = DECC_BUF_INIT;

	(void)state;
	assert_non_null(out);
	test_unhex(key, 32, interop_key);
	test_unhex(iv, 16, interop_iv);
	assert_int_equal(decc_aes_cbc_buf(&ref, true, key, iv, in, n), 0);
	for (size_t s = 0; s < DECC_ARRAY_SIZE(steps); s++) {
		for (int enc = 1; enc >= 0; enc--) {
			const uint8_t *src = enc ? in : ref.data;
			size_t len = enc ? n : ref.len, w = 0, got;
			struct decc_aes_cbc *c = NULL;

			assert_int_equal(decc_aes_cbc_new(&c, enc, key, iv), 0);
			for (size_t off = 0; off < len;) {
				size_t k = steps[s] < len - off ? steps[s] : len - off;

				assert_int_equal(
				    decc_aes_cbc_update(c, out + w, &got, src + off, k), 0);
				assert_true(got <= k + 16);
				w += got;
				off += k;
			}
			assert_int_equal(decc_aes_cbc_final(c, out + w, &got), 0);
			w += got;
			decc_aes_cbc_free(c);
			if (enc) {
				assert_int_equal(w, ref.len);
				assert_memory_equal(out, ref.data, w);
			} else {
				assert_int_equal(w, n);
				assert_memory_equal(out, in, n);
			}
		}
	}
	decc_buf_release(&ref);
	free(in);
	free(out);
}

static void test_cbc_decrypt_errors(void **state)
{
	uint8_t key[32], iv[16], *in = pattern(40);
	struct decc_buf enc = DECC_BUF_INIT, dec = DECC_BUF_INIT;

	(void)state;
	test_unhex(key, 32, interop_key);
	test_unhex(iv, 16, interop_iv);
	assert_int_equal(decc_aes_cbc_buf(&enc, true, key, iv, in, 40), 0);
	assert_int_equal(enc.len, 48);
	assert_int_equal(decc_buf_append(&dec, "keep", 4), 0);

	/* truncated (not a multiple of 16), and empty: EINVAL, output untouched */
	assert_int_equal(decc_aes_cbc_buf(&dec, false, key, iv, enc.data, 47), DECC_EINVAL);
	assert_non_null(strstr(decc_error_last(), "truncated"));
	assert_int_equal(decc_aes_cbc_buf(&dec, false, key, iv, enc.data, 0), DECC_EINVAL);
	/* a whole block missing: the padding no longer checks out */
	assert_int_equal(decc_aes_cbc_buf(&dec, false, key, iv, enc.data, 32), DECC_EAUTH);
	/* wrong key */
	key[0] ^= 1;
	assert_int_equal(decc_aes_cbc_buf(&dec, false, key, iv, enc.data, 48), DECC_EAUTH);
	key[0] ^= 1;
	/* corrupted last block */
	enc.data[47] ^= 0x55;
	assert_int_equal(decc_aes_cbc_buf(&dec, false, key, iv, enc.data, 48), DECC_EAUTH);
	enc.data[47] ^= 0x55;
	assert_int_equal(dec.len, 4);
	assert_string_equal(decc_buf_str(&dec), "keep");

	/* and it still works, appending */
	assert_int_equal(decc_aes_cbc_buf(&dec, false, key, iv, enc.data, 48), 0);
	assert_int_equal(dec.len, 44);
	assert_memory_equal(dec.data + 4, in, 40);
	decc_buf_release(&enc);
	decc_buf_release(&dec);
	free(in);
}

/* The openssl CLI's file decrypts with decc, and decc's encryption is byte-identical to it. */
static void test_cbc_openssl_interop(void **state)
{
	size_t pn, cn;
	char *plain = test_read_vector("crypto/aes_interop.plain", &pn);
	char *cipher = test_read_vector("crypto/aes_interop.enc", &cn);
	uint8_t key[32], iv[16];
	struct decc_buf out = DECC_BUF_INIT;

	(void)state;
	test_unhex(key, 32, interop_key);
	test_unhex(iv, 16, interop_iv);
	assert_int_equal(pn, 1000);
	assert_int_equal(cn, 1008);
	assert_int_equal(decc_aes_cbc_buf(&out, false, key, iv, (uint8_t *)cipher, cn), 0);
	assert_int_equal(out.len, pn);
	assert_memory_equal(out.data, plain, pn);
	decc_buf_reset(&out);
	assert_int_equal(decc_aes_cbc_buf(&out, true, key, iv, (uint8_t *)plain, pn), 0);
	assert_int_equal(out.len, cn);
	assert_memory_equal(out.data, cipher, cn);
	decc_buf_release(&out);
	free(plain);
	free(cipher);
}

static int tmpfile_fd(char *path)
{
	int fd;

	strcpy(path, "/tmp/decc-test-aes-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	return fd;
}

static uint8_t *read_fd(int fd, size_t *n)
{
	off_t end = lseek(fd, 0, SEEK_END);
	uint8_t *p = malloc((size_t)end + 1);

	assert_non_null(p);
	assert_int_equal(pread(fd, p, (size_t)end, 0), end);
	*n = (size_t)end;
	return p;
}

/* Files through decc_aes_cbc_fd: across the 1 MiB internal chunk, and through a pipe. */
static void test_cbc_fd(void **state)
{
	static const size_t sizes[] = { 0, 1, 16, 1000, (1 << 20) - 1, 1 << 20, (3 << 20) + 5 };
	uint8_t key[32], iv[16];
	char path[64];

	(void)state;
	test_unhex(key, 32, interop_key);
	test_unhex(iv, 16, interop_iv);
	for (size_t t = 0; t < DECC_ARRAY_SIZE(sizes); t++) {
		size_t n = sizes[t], en, dn;
		uint8_t *in = pattern(n), *enc, *dec;
		struct decc_buf ref = DECC_BUF_INIT;
		int fin = tmpfile_fd(path), fenc = tmpfile_fd(path), fdec = tmpfile_fd(path);

		assert_int_equal(write(fin, in, n), (ssize_t)n);
		assert_int_equal(lseek(fin, 0, SEEK_SET), 0);
		assert_int_equal(decc_aes_cbc_fd(fenc, fin, true, key, iv), 0);
		enc = read_fd(fenc, &en);
		assert_int_equal(decc_aes_cbc_buf(&ref, true, key, iv, in, n), 0);
		assert_int_equal(en, ref.len);
		assert_memory_equal(enc, ref.data, en);
		assert_int_equal(lseek(fenc, 0, SEEK_SET), 0);
		assert_int_equal(decc_aes_cbc_fd(fdec, fenc, false, key, iv), 0);
		dec = read_fd(fdec, &dn);
		assert_int_equal(dn, n);
		if (n)
			assert_memory_equal(dec, in, n);
		close(fin);
		close(fenc);
		close(fdec);
		free(in);
		free(enc);
		free(dec);
		decc_buf_release(&ref);
	}
}

static void test_cbc_fd_errors(void **state)
{
	uint8_t key[32], iv[16], *in = pattern(5000);
	char path[64];
	int fin = tmpfile_fd(path), fout = tmpfile_fd(path), pfd[2];

	(void)state;
	test_unhex(key, 32, interop_key);
	test_unhex(iv, 16, interop_iv);
	/* a 5000-byte "ciphertext" is not a multiple of 16: truncated */
	assert_int_equal(write(fin, in, 5000), 5000);
	assert_int_equal(lseek(fin, 0, SEEK_SET), 0);
	assert_int_equal(decc_aes_cbc_fd(fout, fin, false, key, iv), DECC_EINVAL);
	/* 4992 bytes of noise: whole blocks, bad padding (with overwhelming probability) */
	assert_int_equal(ftruncate(fin, 4992), 0);
	assert_int_equal(lseek(fin, 0, SEEK_SET), 0);
	assert_int_equal(decc_aes_cbc_fd(fout, fin, false, key, iv), DECC_EAUTH);
	/* unreadable input, unwritable output */
	assert_int_equal(decc_aes_cbc_fd(fout, -1, true, key, iv), DECC_ERROR);
	assert_non_null(strstr(decc_error_last(), "read"));
	assert_int_equal(lseek(fin, 0, SEEK_SET), 0);
	assert_int_equal(decc_aes_cbc_fd(-1, fin, true, key, iv), DECC_ERROR);
	assert_non_null(strstr(decc_error_last(), "write"));
	/* a pipe as input: short reads are not end of file */
	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(write(pfd[1], in, 3000), 3000);
	assert_int_equal(write(pfd[1], in + 3000, 2000), 2000);
	close(pfd[1]);
	assert_int_equal(ftruncate(fout, 0), 0);
	assert_int_equal(lseek(fout, 0, SEEK_SET), 0);
	assert_int_equal(decc_aes_cbc_fd(fout, pfd[0], true, key, iv), 0);
	assert_int_equal(lseek(fout, 0, SEEK_END), 5008);
	close(pfd[0]);
	close(fin);
	close(fout);
	free(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cbc_sp800_38a),
		cmocka_unit_test(test_ctr_sp800_38a),
		cmocka_unit_test(test_cbc_roundtrip_sizes),
		cmocka_unit_test(test_cbc_streaming_chunks),
		cmocka_unit_test(test_cbc_decrypt_errors),
		cmocka_unit_test(test_cbc_openssl_interop),
		cmocka_unit_test(test_cbc_fd),
		cmocka_unit_test(test_cbc_fd_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
