/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Dataset encryption: known answer (AES-256-CBC vector of NIST SP 800-38A F.2.5 inside the
 * IV||ciphertext layout), round trips across the 1 MiB buffer boundary, truncated and
 * wrong-key ciphertexts, key base64, checksums. (The openssl CLI cross-check is in
 * tests/integration/t0601-protect-crypt.sh.)
 */
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "decc/crypto.h"
#include "decc/file.h"
#include "decc/protect.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/decc-protect-crypt.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *tmp_path(const char *name)
{
	static char p[64][128]; /* a ring: paths stay valid for 64 calls */
	static int k;

	k = (k + 1) % 64;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	fclose(f);
}

static void read_file(struct decc_buf *out, const char *path)
{
	decc_buf_reset(out);
	assert_int_equal(decc_file_read(out, path, (size_t)64 << 20), 0);
}

/* SP 800-38A F.2.5 (CBC-AES256.Encrypt), first two blocks; the PKCS#7 block is ours. */
static void test_known_answer(void **state)
{
	uint8_t key[32], iv[16], pt[32];
	char sum[DECC_PROTECT_CHECKSUM_STR_MAX], want[DECC_PROTECT_CHECKSUM_STR_MAX];
	struct decc_buf enc = DECC_BUF_INIT;
	uint8_t digest[32];

	(void)state;
	test_unhex(key, 32, "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
	test_unhex(iv, 16, "000102030405060708090a0b0c0d0e0f");
	test_unhex(pt, 32, "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51");
	write_file(tmp_path("kat.in"), pt, 32);
	assert_int_equal(decc_protect_encrypt_file_iv(tmp_path("kat.enc"), sum, tmp_path("kat.in"),
						      key, iv, 0, NULL),
			 0);
	read_file(&enc, tmp_path("kat.enc"));
	assert_int_equal(enc.len, 16 + 32 + 16);
	assert_memory_equal(enc.data, iv, 16);
	assert_bytes_hex(enc.data + 16, 32,
			 "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d");
	decc_sha256(digest, enc.data, enc.len);
	decc_hex_encode(want, digest, 32, true);
	assert_string_equal(sum, want);
	assert_int_equal(decc_protect_checksum_file(sum, tmp_path("kat.enc")), 0);
	assert_string_equal(sum, want);
	decc_buf_release(&enc);
}

static void roundtrip(size_t n)
{
	uint8_t key[32];
	char sum[DECC_PROTECT_CHECKSUM_STR_MAX], sum2[DECC_PROTECT_CHECKSUM_STR_MAX];
	struct decc_buf a = DECC_BUF_INIT, b = DECC_BUF_INIT;
	uint8_t *data = malloc(n ? n : 1);

	assert_non_null(data);
	assert_int_equal(decc_random_bytes(data, n), 0);
	assert_int_equal(decc_protect_key_new(key), 0);
	write_file(tmp_path("rt.in"), data, n);
	assert_int_equal(decc_protect_encrypt_file(tmp_path("rt.enc"), sum, tmp_path("rt.in"), key,
						   DECC_PROTECT_REPLACE, NULL),
			 0);
	read_file(&a, tmp_path("rt.enc"));
	assert_int_equal(a.len, 16 + (n / 16 + 1) * 16);
	assert_int_equal(decc_protect_checksum_file(sum2, tmp_path("rt.enc")), 0);
	assert_string_equal(sum, sum2);
	assert_int_equal(decc_protect_decrypt_file(tmp_path("rt.out"), tmp_path("rt.enc"), key,
						   DECC_PROTECT_REPLACE),
			 0);
	read_file(&b, tmp_path("rt.out"));
	assert_int_equal(b.len, n);
	if (n)
		assert_memory_equal(b.data, data, n);
	/* a second encryption uses a fresh IV: different bytes, different checksum */
	assert_int_equal(decc_protect_encrypt_file(tmp_path("rt.enc"), sum2, tmp_path("rt.in"), key,
						   DECC_PROTECT_REPLACE, NULL),
			 0);
	assert_string_not_equal(sum, sum2);
	decc_buf_release(&a);
	decc_buf_release(&b);
	free(data);
}

static void test_roundtrip(void **state)
{
	static const size_t sizes[] = {
		0, 1, 15, 16, 17, 4096, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, (3 << 20) + 5
	};

	(void)state;
	for (size_t i = 0; i < DECC_ARRAY_SIZE(sizes); i++)
		roundtrip(sizes[i]);
}

static void test_bad_ciphertexts(void **state)
{
	uint8_t key[32], other[32];
	struct decc_buf enc = DECC_BUF_INIT;
	const char *out = tmp_path("bad.out");

	(void)state;
	assert_int_equal(decc_protect_key_new(key), 0);
	memcpy(other, key, 32);
	other[0] ^= 1;
	write_file(tmp_path("p.in"), "protected data, 33 bytes long...", 33);
	assert_int_equal(
	    decc_protect_encrypt_file(tmp_path("p.enc"), NULL, tmp_path("p.in"), key, 0, NULL), 0);
	read_file(&enc, tmp_path("p.enc"));
	assert_int_equal(enc.len, 64);

	/* wrong key: bad padding (the chance of valid padding is ~1/256, so fix the key) */
	{
		int r = decc_protect_decrypt_file(out, tmp_path("p.enc"), other, 0);

		if (r == 0) { /* valid padding by chance: the bytes must differ anyway */
			struct decc_buf b = DECC_BUF_INIT;

			read_file(&b, out);
			assert_true(b.len != 33 ||
				    memcmp(b.data, "protected data, 33 bytes long...", 33) != 0);
			decc_buf_release(&b);
			unlink(out);
		} else {
			assert_int_equal(r, DECC_EAUTH);
			assert_int_equal(access(out, F_OK), -1);
		}
	}
	/* truncated: not a whole number of blocks, only the IV, shorter than the IV */
	write_file(tmp_path("t1.enc"), enc.data, 63);
	assert_int_equal(decc_protect_decrypt_file(out, tmp_path("t1.enc"), key, 0), DECC_EINVAL);
	assert_int_equal(access(out, F_OK), -1);
	write_file(tmp_path("t2.enc"), enc.data, 16);
	assert_int_equal(decc_protect_decrypt_file(out, tmp_path("t2.enc"), key, 0), DECC_EINVAL);
	write_file(tmp_path("t3.enc"), enc.data, 5);
	assert_int_equal(decc_protect_decrypt_file(out, tmp_path("t3.enc"), key, 0), DECC_EINVAL);
	/* truncated on a block boundary: the last block is gone, padding check fails */
	write_file(tmp_path("t4.enc"), enc.data, 48);
	assert_int_equal(decc_protect_decrypt_file(out, tmp_path("t4.enc"), key, 0), DECC_EAUTH);
	assert_int_equal(access(out, F_OK), -1);
	/* missing input, existing output */
	assert_int_equal(decc_protect_decrypt_file(out, tmp_path("none"), key, 0), DECC_ENOTFOUND);
	assert_int_equal(
	    decc_protect_encrypt_file(tmp_path("p.enc"), NULL, tmp_path("p.in"), key, 0, NULL),
	    DECC_EEXISTS);
	/* nothing temporary left behind */
	{
		char cmd[160];

		snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s' | grep tmp-)\"", dir);
		assert_int_equal(system(cmd), 0);
	}
	decc_buf_release(&enc);
}

struct seen {
	uint64_t calls, last, total;
	bool backwards;
};

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct seen *s = ctx;

	s->backwards |= done < s->last;
	s->calls++;
	s->last = done;
	s->total = total;
}

/* The progress hook follows the input, chunk by chunk, and ends at its size. */
static void test_progress(void **state)
{
	const size_t n = (3u << 20) + 5;
	uint8_t key[32], *data = calloc(1, n);
	struct seen s = { 0 };
	const struct decc_progress pg = { .fn = on_progress, .ctx = &s };

	(void)state;
	assert_non_null(data);
	assert_int_equal(decc_protect_key_new(key), 0);
	write_file(tmp_path("pg.in"), data, n);
	assert_int_equal(decc_protect_encrypt_file(tmp_path("pg.enc"), NULL, tmp_path("pg.in"), key,
						   DECC_PROTECT_REPLACE, &pg),
			 0);
	assert_true(s.calls >= 4); /* 1 MiB chunks */
	assert_false(s.backwards);
	assert_int_equal(s.last, n);
	assert_int_equal(s.total, n);
	free(data);
}

static void test_key_text(void **state)
{
	uint8_t key[32], back[32];
	char b64[DECC_PROTECT_KEY_B64_LEN + 1];

	(void)state;
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	decc_protect_key_encode(b64, key);
	/* base64 of 00..1f, by the RFC 4648 alphabet */
	assert_string_equal(b64, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
	assert_int_equal(decc_protect_key_decode(back, b64, strlen(b64)), 0);
	assert_memory_equal(back, key, 32);
	assert_int_equal(
	    decc_protect_key_decode(back, " AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n", 46),
	    0);
	assert_memory_equal(back, key, 32);
	memset(back, 0xaa, 32);
	/* 16 bytes (an AES-128 key), not base64, empty: refused, output untouched */
	assert_int_equal(decc_protect_key_decode(back, "AAECAwQFBgcICQoLDA0ODw==", 24),
			 DECC_EINVAL);
	assert_int_equal(decc_protect_key_decode(back, "not base64 at all!!", 19), DECC_EINVAL);
	assert_int_equal(decc_protect_key_decode(back, "", 0), DECC_EINVAL);
	for (int i = 0; i < 32; i++)
		assert_int_equal(back[i], 0xaa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answer),	cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_bad_ciphertexts), cmocka_unit_test(test_progress),
		cmocka_unit_test(test_key_text),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
