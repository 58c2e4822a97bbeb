/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Result digest rules (vectors computed with ethers by tests/vectors/tee/gen.mjs), names, zip,
 * encryption round trip, hostile zips on decrypt and unzip, enclave signature.
 */
#include <jansson.h>
#include <zip.h>

#include "decc/crypto.h"
#include "decc/file.h"
#include "decc/result.h"
#include "decc/tee.h"
#include "tee_test.h"

static json_t *vectors(void)
{
	size_t n;
	char *s = test_read_vector("tee/digest.json", &n);
	json_t *v = json_loadb(s, n, 0, NULL);

	assert_non_null(v);
	free(s);
	return v;
}

static const char *vs(json_t *v, const char *a, const char *b)
{
	const char *s = json_string_value(json_object_get(json_object_get(v, a), b));

	assert_non_null(s);
	return s;
}

static int digest_of(uint8_t out[32], const char *dir, const char *dop)
{
	struct decc_result_computed c = { .deterministic_output_path = (char *)dop };

	return decc_result_digest(out, dir, &c, false);
}

static void test_digest_file(void **state)
{
	json_t *v = vectors();
	char *d = tt_mkdtemp();
	uint8_t h[32];

	(void)state;
	tt_write(d, "result.txt", vs(v, "file", "content"));
	assert_int_equal(digest_of(h, d, "/iexec_out/result.txt"), 0);
	assert_bytes_hex(h, 32, vs(v, "file", "digest"));
	tt_write(d, "empty.txt", "");
	assert_int_equal(digest_of(h, d, "/iexec_out/empty.txt"), DECC_EINVAL);
	assert_int_equal(digest_of(h, d, "/iexec_out/missing.txt"), DECC_ENOTFOUND);
	assert_int_equal(digest_of(h, d, "/iexec_in/result.txt"), DECC_EINVAL);
	assert_int_equal(digest_of(h, d, "/iexec_outx/result.txt"), DECC_EINVAL);
	assert_int_equal(digest_of(h, d, "/iexec_out/../etc/passwd"), DECC_EINVAL);
	assert_int_equal(digest_of(h, d, NULL), DECC_EINVAL);
	tt_rm_rf(d);
	json_decref(v);
}

static void test_digest_dir(void **state)
{
	json_t *v = vectors(), *files = json_object_get(json_object_get(v, "dir"), "files"), *c;
	char *d = tt_mkdtemp(), *sub;
	const char *name;
	uint8_t h[32];

	(void)state;
	tt_mkdir(d, "out");
	sub = tt_path(d, "out");
	tt_mkdir(sub, "sub");
	json_object_foreach(files, name, c) tt_write(sub, name, json_string_value(c));
	assert_int_equal(digest_of(h, sub, "/iexec_out"), 0);
	assert_bytes_hex(h, 32, vs(v, "dir", "digest"));
	assert_int_equal(digest_of(h, d, "/iexec_out/out/"), 0);
	assert_bytes_hex(h, 32, vs(v, "dir", "digest"));
	/* a symlink escaping /iexec_out is refused, and so is one inside a hashed directory */
	{
		char *l = tt_path(sub, "link");

		assert_int_equal(symlink("/etc", l), 0);
		free(l);
	}
	assert_int_equal(digest_of(h, sub, "/iexec_out/link"), DECC_EINVAL);
	assert_int_equal(digest_of(h, sub, "/iexec_out"), DECC_EINVAL);
	/* empty directory, and a directory of only sub-directories */
	tt_mkdir(d, "empty");
	assert_int_equal(digest_of(h, d, "/iexec_out/empty"), DECC_EINVAL);
	{
		char *l = tt_path(sub, "sub");

		assert_int_equal(decc_result_digest_path(h, l), 0); /* has x.txt */
		free(l);
	}
	tt_mkdir(d, "nested");
	tt_mkdir(d, "nested/d");
	assert_int_equal(digest_of(h, d, "/iexec_out/nested"), DECC_EINVAL);
	free(sub);
	tt_rm_rf(d);
	json_decref(v);
}

static void test_digest_callback(void **state)
{
	json_t *v = vectors();
	uint8_t h[32];
	struct decc_result_computed c = { .callback_data = (char *)vs(v, "callback", "data") };

	(void)state;
	assert_int_equal(decc_result_digest(h, "/nonexistent", &c, true), 0);
	assert_bytes_hex(h, 32, vs(v, "callback", "digest"));
	assert_int_equal(decc_result_digest_callback(h, "0x"), DECC_EINVAL);
	assert_int_equal(decc_result_digest_callback(h, "0x123"), DECC_EINVAL);
	assert_int_equal(decc_result_digest_callback(h, NULL), DECC_EINVAL);
	json_decref(v);
}

static void test_computed_parse(void **state)
{
	struct decc_result_computed c;
	const char *ok = "{\"deterministic-output-path\":\"/iexec_out/r.txt\",\"x\":1,"
			 "\"callback-data\":\"0x01\"}";

	(void)state;
	assert_int_equal(decc_result_computed_parse(&c, ok, strlen(ok)), 0);
	assert_string_equal(c.deterministic_output_path, "/iexec_out/r.txt");
	assert_string_equal(c.callback_data, "0x01");
	assert_null(c.error_message);
	decc_result_computed_release(&c);
	assert_int_equal(decc_result_computed_parse(&c, "[]", 2), DECC_EINVAL);
	assert_int_equal(decc_result_computed_parse(&c, "{", 1), DECC_EINVAL);
	assert_int_equal(decc_result_computed_parse(&c, "{\"deterministic-output-path\":1}", 31),
			 DECC_EINVAL);
}

static void test_names(void **state)
{
	char *d = tt_mkdtemp(), *sub;

	(void)state;
	tt_write(d, "1234567890123456789012345678901", "x"); /* 31 */
	assert_int_equal(decc_result_check_names(d), 0);
	tt_mkdir(d, "dir");
	sub = tt_path(d, "dir");
	tt_write(sub, "12345678901234567890123456789012", "x"); /* 32, nested */
	assert_int_equal(decc_result_check_names(d), DECC_ELIMIT);
	free(sub);
	tt_rm_rf(d);
}

static void test_enclave_sign(void **state)
{
	json_t *v = vectors();
	uint8_t sk[32], taskid[32], digest[32], sig[65];
	decc_address worker, who, want;

	(void)state;
	test_unhex(sk, 32, vs(v, "sign", "enclaveKey"));
	test_unhex(taskid, 32, vs(v, "sign", "taskid"));
	test_unhex(digest, 32, vs(v, "sign", "digest"));
	assert_int_equal(decc_address_parse(&worker, vs(v, "sign", "worker")), 0);
	assert_int_equal(decc_address_parse(&want, vs(v, "sign", "enclaveAddress")), 0);
	assert_int_equal(decc_tee_enclave_sign(sig, sk, &worker, taskid, digest), 0);
	assert_bytes_hex(sig, 65, vs(v, "sign", "enclaveSign"));
	assert_int_equal(decc_tee_enclave_signer(&who, sig, &worker, taskid, digest), 0);
	assert_true(decc_address_eq(&who, &want));
	digest[0] ^= 1; /* another digest: another signer */
	assert_int_equal(decc_tee_enclave_signer(&who, sig, &worker, taskid, digest), 0);
	assert_false(decc_address_eq(&who, &want));
	json_decref(v);
}

/* ---- zip, encryption, decryption ---- */

struct keys {
	struct decc_buf pub, priv, other;
};

static struct keys *keys;

static int setup_keys(void **state)
{
	struct decc_rsa *k = NULL, *o = NULL;

	(void)state;
	keys = calloc(1, sizeof(*keys));
	decc_buf_init(&keys->pub, 1 << 16);
	decc_buf_init(&keys->priv, 1 << 16);
	decc_buf_init(&keys->other, 1 << 16);
	assert_int_equal(decc_rsa_generate(&k, 2048), 0);
	assert_int_equal(decc_rsa_generate(&o, 2048), 0);
	assert_int_equal(decc_rsa_public_pem(&keys->pub, k), 0);
	assert_int_equal(decc_rsa_private_pem(&keys->priv, k), 0);
	assert_int_equal(decc_rsa_private_pem(&keys->other, o), 0);
	decc_rsa_free(k);
	decc_rsa_free(o);
	return 0;
}

static int teardown_keys(void **state)
{
	(void)state;
	decc_buf_release(&keys->pub);
	decc_buf_release(&keys->priv);
	decc_buf_release(&keys->other);
	free(keys);
	return 0;
}

static void test_encrypt_roundtrip(void **state)
{
	char *d = tt_mkdtemp(), *out = tt_path(d, "iexec_out"), *zip = tt_path(d, "plain.zip");
	char *enc = tt_path(d, "enc.zip"), *dec = tt_path(d, "dec.zip"), *un = tt_path(d, "un");
	char *a, *b, *p;
	size_t na, nb;

	(void)state;
	tt_mkdir(d, "iexec_out");
	tt_write(out, "computed.json", "{\"deterministic-output-path\":\"/iexec_out/r\"}");
	tt_write(out, "r", "the result");
	tt_mkdir(out, "deep");
	tt_write(out, "deep/file.bin", "nested content");
	p = tt_path(out, "ln");
	assert_int_equal(symlink("/etc/passwd", p), 0);
	free(p);
	assert_int_equal(decc_result_zip_dir(zip, out), 0);
	assert_false(decc_result_is_encrypted(zip));
	assert_int_equal(decc_result_encrypt(enc, zip, (char *)keys->pub.data, keys->pub.len), 0);
	assert_true(decc_result_is_encrypted(enc));
	/* the wrong private key, a public key: refused, nothing written */
	assert_int_equal(decc_result_decrypt(dec, enc, (char *)keys->other.data, keys->other.len),
			 DECC_EAUTH);
	assert_false(decc_file_exists(dec));
	assert_int_equal(decc_result_decrypt(dec, enc, (char *)keys->pub.data, keys->pub.len),
			 DECC_EINVAL);
	assert_int_equal(decc_result_decrypt(dec, enc, (char *)keys->priv.data, keys->priv.len), 0);
	a = tt_read(zip, &na);
	b = tt_read(dec, &nb);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na);
	free(a);
	free(b);
	assert_int_equal(decc_result_unzip(un, dec), 0);
	p = tt_path(un, "deep/file.bin");
	a = tt_read(p, NULL);
	assert_string_equal(a, "nested content");
	free(a);
	free(p);
	p = tt_path(un, "ln");
	assert_false(decc_file_exists(p)); /* symlinks are not archived */
	free(p);
	assert_int_equal(decc_result_unzip(un, dec), DECC_EEXISTS);
	free(out);
	free(zip);
	free(enc);
	free(dec);
	free(un);
	tt_rm_rf(d);
}

/* A zip with the given entries (name, content; a NULL content makes a symlink entry). */
static void make_zip(const char *path, const char *const *ent, size_t n)
{
	int err;
	zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);

	assert_non_null(z);
	for (size_t i = 0; i < n; i += 2) {
		const char *c = ent[i + 1] ? ent[i + 1] : "/etc/passwd";
		zip_source_t *s = zip_source_buffer(z, c, strlen(c), 0);
		zip_int64_t idx = zip_file_add(z, ent[i], s, ZIP_FL_ENC_RAW);

		assert_true(idx >= 0);
		if (!ent[i + 1])
			assert_int_equal(zip_file_set_external_attributes(
					     z, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX,
					     (zip_uint32_t)(S_IFLNK | 0777) << 16),
					 0);
	}
	assert_int_equal(zip_close(z), 0);
}

/* Replace every occurrence of a (same length as b) in a file. */
static void rename_in_file(const char *path, const char *a, const char *b)
{
	size_t n, la = strlen(a);
	char *s = tt_read(path, &n);
	FILE *f;

	for (size_t i = 0; i + la <= n; i++)
		if (memcmp(s + i, a, la) == 0)
			memcpy(s + i, b, la);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(s, 1, n, f), n);
	fclose(f);
	free(s);
}

static void test_hostile_unzip(void **state)
{
	static const char *const cases[][4] = {
		{ "../evil", "x", NULL, NULL },
		{ "/abs", "x", NULL, NULL },
		{ "a/../../b", "x", NULL, NULL },
		{ "link", NULL, NULL, NULL },
		{ "a\\b", "x", NULL, NULL },
		{ "dup", "1", "dux", "2" }, /* renamed to "dup" below */
		{ "f", "x", "f/g", "y" },
	};
	char *d = tt_mkdtemp(), *zip = tt_path(d, "h.zip"), *un = tt_path(d, "un");

	(void)state;
	for (size_t i = 0; i < DECC_ARRAY_SIZE(cases); i++) {
		make_zip(zip, cases[i], cases[i][2] ? 4 : 2);
		if (cases[i][2] && strcmp(cases[i][2], "dux") == 0)
			rename_in_file(zip, "dux", "dup"); /* libzip refuses duplicate names */
		assert_int_equal(decc_result_unzip(un, zip), DECC_EINVAL);
		assert_false(decc_file_exists(un)); /* nothing left behind */
	}
	assert_int_equal(decc_result_unzip(un, "/nonexistent.zip"), DECC_ENOTFOUND);
	tt_write(d, "not.zip", "PK\x03\x04 garbage");
	free(zip);
	zip = tt_path(d, "not.zip");
	assert_int_equal(decc_result_unzip(un, zip), DECC_EINVAL);
	free(zip);
	free(un);
	tt_rm_rf(d);
}

static void test_hostile_decrypt(void **state)
{
	char *d = tt_mkdtemp(), *zip = tt_path(d, "h.zip"), *dec = tt_path(d, "dec.zip");
	const char *priv = (const char *)keys->priv.data;
	size_t np = keys->priv.len;
	char big[1200];

	(void)state;
	/* one entry missing */
	make_zip(zip, (const char *const[]){ "iexec_out.zip.aes", "0123456789abcdef" }, 2);
	assert_int_equal(decc_result_decrypt(dec, zip, priv, np), DECC_EINVAL);
	make_zip(zip, (const char *const[]){ "aes-key.rsa", "x" }, 2);
	assert_int_equal(decc_result_decrypt(dec, zip, priv, np), DECC_EINVAL);
	/* two key entries */
	make_zip(zip,
		 (const char *const[]){ "aes-key.rsa", "x", "d/aes-key.rsa", "y",
					"iexec_out.zip.aes", "z" },
		 6);
	assert_int_equal(decc_result_decrypt(dec, zip, priv, np), DECC_EINVAL);
	/* an oversize key entry */
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	make_zip(zip, (const char *const[]){ "aes-key.rsa", big, "iexec_out.zip.aes", "z" }, 4);
	assert_int_equal(decc_result_decrypt(dec, zip, priv, np), DECC_ELIMIT);
	/* garbage key */
	make_zip(zip, (const char *const[]){ "aes-key.rsa", "nope", "iexec_out.zip.aes", "z" }, 4);
	assert_int_equal(decc_result_decrypt(dec, zip, priv, np), DECC_EAUTH);
	assert_false(decc_file_exists(dec));
	free(zip);
	free(dec);
	tt_rm_rf(d);
}

/* An altered ciphertext: bad padding or garbage, never a silent success with other bytes. */
static void test_altered_ciphertext(void **state)
{
	char *d = tt_mkdtemp(), *out = tt_path(d, "o"), *zip = tt_path(d, "p.zip");
	char *enc = tt_path(d, "e.zip"), *dec = tt_path(d, "d.zip"), *aes = tt_path(d, "aes");
	char *key = tt_path(d, "key");
	size_t n, nk;
	char *a, *k;
	zip_t *z;
	int err;

	(void)state;
	tt_mkdir(d, "o");
	tt_write(out, "r", "some result bytes");
	assert_int_equal(decc_result_zip_dir(zip, out), 0);
	assert_int_equal(decc_result_encrypt(enc, zip, (char *)keys->pub.data, keys->pub.len), 0);
	/* take the two entries out, cut the last block off the ciphertext, put them back */
	z = zip_open(enc, ZIP_RDONLY, &err);
	assert_non_null(z);
	{
		zip_stat_t st;
		zip_file_t *f;

		assert_int_equal(zip_stat(z, "iexec_out.zip.aes", 0, &st), 0);
		a = malloc(st.size);
		f = zip_fopen(z, "iexec_out.zip.aes", 0);
		assert_int_equal(zip_fread(f, a, st.size), (zip_int64_t)st.size);
		zip_fclose(f);
		n = st.size;
		assert_int_equal(zip_stat(z, "aes-key.rsa", 0, &st), 0);
		k = malloc(st.size);
		f = zip_fopen(z, "aes-key.rsa", 0);
		assert_int_equal(zip_fread(f, k, st.size), (zip_int64_t)st.size);
		zip_fclose(f);
		nk = st.size;
	}
	zip_discard(z);
	z = zip_open(enc, ZIP_TRUNCATE, &err);
	assert_non_null(z);
	assert_true(zip_file_add(z, "iexec_out.zip.aes", zip_source_buffer(z, a, n - 16, 0), 0) >=
		    0);
	assert_true(zip_file_add(z, "aes-key.rsa", zip_source_buffer(z, k, nk, 0), 0) >= 0);
	assert_int_equal(zip_close(z), 0);
	assert_true(decc_result_decrypt(dec, enc, (char *)keys->priv.data, keys->priv.len) < 0);
	assert_false(decc_file_exists(dec));
	free(a);
	free(k);
	free(out);
	free(zip);
	free(enc);
	free(dec);
	free(aes);
	free(key);
	tt_rm_rf(d);
}

/* Extract one entry of a zip to a file. */
static void extract(const char *zip, const char *entry, const char *to)
{
	int err;
	zip_t *z = zip_open(zip, ZIP_RDONLY, &err);
	zip_stat_t st;
	zip_file_t *f;
	char *buf;
	FILE *o;

	assert_non_null(z);
	assert_int_equal(zip_stat(z, entry, 0, &st), 0);
	buf = malloc(st.size + 1);
	f = zip_fopen(z, entry, 0);
	assert_int_equal(zip_fread(f, buf, st.size), (zip_int64_t)st.size);
	zip_fclose(f);
	zip_discard(z);
	o = fopen(to, "wb");
	assert_non_null(o);
	assert_int_equal(fwrite(buf, 1, st.size, o), st.size);
	fclose(o);
	free(buf);
}

/* The encrypted result opened with the openssl CLI only: pkeyutl for the key, enc for the zip. */
static void test_openssl_interop(void **state)
{
	char *d = tt_mkdtemp(), *out = tt_path(d, "o"), *zip = tt_path(d, "p.zip");
	char *enc = tt_path(d, "e.zip"), cmd[4096], keyhex[65], ivhex[33];
	uint8_t iv[16];
	char *a, *b, *k, *ct;
	size_t na, nb, nk, nc;
	FILE *f;

	char *p_key = tt_path(d, "aes-key.rsa"), *p_ct = tt_path(d, "ct");
	char *p_priv = tt_path(d, "priv.pem"), *p_kb = tt_path(d, "key.bin");
	char *p_plain = tt_path(d, "plain.zip");

	(void)state;
	if (system("openssl version > /dev/null 2>&1") != 0)
		skip();
	tt_mkdir(d, "o");
	tt_write(out, "r", "interop with openssl");
	assert_int_equal(decc_result_zip_dir(zip, out), 0);
	assert_int_equal(decc_result_encrypt(enc, zip, (char *)keys->pub.data, keys->pub.len), 0);
	extract(enc, "aes-key.rsa", p_key);
	extract(enc, "iexec_out.zip.aes", p_ct);
	f = fopen(p_priv, "wb");
	assert_int_equal(fwrite(keys->priv.data, 1, keys->priv.len, f), keys->priv.len);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "cd %s && openssl pkeyutl -decrypt -inkey priv.pem -in aes-key.rsa -out key.bin "
		 "-pkeyopt rsa_padding_mode:pkcs1",
		 d);
	assert_int_equal(system(cmd), 0);
	k = tt_read(p_kb, &nk);
	assert_int_equal(nk, 32);
	decc_hex_encode(keyhex, (uint8_t *)k, 32, false);
	ct = tt_read(p_ct, &nc);
	assert_true(nc > 16);
	memcpy(iv, ct, 16);
	decc_hex_encode(ivhex, iv, 16, false);
	snprintf(cmd, sizeof(cmd),
		 "cd %s && tail -c +17 ct > body && openssl enc -d -aes-256-cbc -K %s -iv %s "
		 "-in body -out plain.zip",
		 d, keyhex, ivhex);
	assert_int_equal(system(cmd), 0);
	a = tt_read(zip, &na);
	b = tt_read(p_plain, &nb);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na);
	free(a);
	free(b);
	free(k);
	free(ct);
	free(out);
	free(zip);
	free(enc);
	free(p_key);
	free(p_ct);
	free(p_priv);
	free(p_kb);
	free(p_plain);
	tt_rm_rf(d);
}

static void test_keys_generate(void **state)
{
	char *d = tt_mkdtemp(), *pk = NULL;
	decc_address a;
	struct stat st;

	(void)state;
	assert_int_equal(decc_address_parse(&a, "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A"), 0);
	assert_int_equal(decc_result_keys_generate(d, &a, 2048, false), 0);
	pk = tt_path(d, "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A_key");
	assert_int_equal(stat(pk, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(decc_result_keys_generate(d, &a, 2048, false), DECC_EEXISTS);
	assert_int_equal(decc_result_keys_generate(d, &a, 2048, true), 0);
	free(pk);
	tt_rm_rf(d);
}

static void test_link(void **state)
{
	struct decc_buf b = DECC_BUF_INIT;
	char *s, *l;

	(void)state;
	assert_int_equal(decc_result_link(&b, "ipfs", "/ipfs/bafkexample"), 0);
	assert_string_equal(decc_buf_str(&b),
			    "{ \"storage\": \"ipfs\", \"location\": \"/ipfs/bafkexample\" }");
	assert_int_equal(decc_result_link_parse(&s, &l, b.data, b.len), 0);
	assert_string_equal(s, "ipfs");
	assert_string_equal(l, "/ipfs/bafkexample");
	free(s);
	free(l);
	assert_int_equal(decc_result_link_parse(&s, &l, (const uint8_t *)"{}", 2), DECC_EINVAL);
	assert_int_equal(decc_result_link(&b, "ipfs", "\"bad"), DECC_EINVAL);
	decc_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_digest_file),
		cmocka_unit_test(test_digest_dir),
		cmocka_unit_test(test_digest_callback),
		cmocka_unit_test(test_computed_parse),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_enclave_sign),
		cmocka_unit_test(test_encrypt_roundtrip),
		cmocka_unit_test(test_hostile_unzip),
		cmocka_unit_test(test_hostile_decrypt),
		cmocka_unit_test(test_altered_ciphertext),
		cmocka_unit_test(test_openssl_interop),
		cmocka_unit_test(test_keys_generate),
		cmocka_unit_test(test_link),
	};

	return cmocka_run_group_tests(tests, setup_keys, teardown_keys);
}
