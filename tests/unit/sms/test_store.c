/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SMS store: master key file (created 0600, reused, unsafe modes and damage refused),
 * write-once and updates, used authorizations, encryption at rest (the database files never
 * hold the plaintext), and rows that fail their MAC when altered or moved to another identity.
 */
#include "test.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decc/file.h"
#include "decc/sms.h"

#define PLAIN "plaintext-dataset-key-Zx8Qw2Lm5Nb7Vc9Xa1Sd3Fg4Hj6Kl0"

struct fx {
	char dir[64], key[128], db[160];
	uint8_t master[32];
	struct decc_sms_store *s;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	bool created = false;

	snprintf(f->dir, sizeof(f->dir), "/tmp/decc-sms-test.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->key, sizeof(f->key), "%s/master.key", f->dir);
	snprintf(f->db, sizeof(f->db), "%s/sms.db", f->dir);
	assert_int_equal(decc_sms_master_key_load(f->master, &created, f->key), 0);
	assert_true(created);
	assert_int_equal(decc_sms_store_open(&f->s, f->db, f->master), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[200];

	decc_sms_store_free(f->s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void id_of(struct decc_sms_id *id, enum decc_sms_kind k, uint8_t t, const char *name)
{
	decc_address a = { { t, 0xaa } };

	assert_int_equal(decc_sms_id_init(id, k, &a, name), 0);
}

static void ch_of(uint8_t ch[32], uint8_t n)
{
	memset(ch, n, 32);
}

static int put(struct fx *f, const struct decc_sms_id *id, enum decc_sms_put_mode m, const char *v,
	       uint8_t ch)
{
	decc_address signer = { { 0x42 } };
	uint8_t c[32];

	ch_of(c, ch);
	return decc_sms_store_put(f->s, id, m, (const uint8_t *)v, strlen(v), &signer, c);
}

static void stored_is(struct fx *f, const struct decc_sms_id *id, const char *want)
{
	struct decc_buf b;

	decc_buf_init_secret(&b, 8192);
	assert_int_equal(decc_sms_store_get(f->s, &b, id), 0);
	assert_int_equal(b.len, strlen(want));
	assert_memory_equal(b.data, want, b.len);
	decc_buf_release(&b);
}

static void test_master_key(void **state)
{
	struct fx *f = *state;
	uint8_t k2[32], k3[32];
	bool created = true;
	struct stat st;
	char path[160];

	assert_int_equal(stat(f->key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(decc_sms_master_key_load(k2, &created, f->key), 0);
	assert_false(created);
	assert_memory_equal(k2, f->master, 32);
	/* readable by others: refused */
	assert_int_equal(chmod(f->key, 0644), 0);
	memset(k3, 0x77, 32);
	assert_int_equal(decc_sms_master_key_load(k3, NULL, f->key), DECC_EAUTH);
	assert_non_null(strstr(decc_error_last(), "chmod 600"));
	assert_int_equal(k3[0], 0x77);
	assert_int_equal(chmod(f->key, 0600), 0);
	/* damaged */
	snprintf(path, sizeof(path), "%s/bad.key", f->dir);
	assert_int_equal(decc_file_write_atomic(path, "zz\n", 3, 0600, 0), 0);
	assert_int_equal(decc_sms_master_key_load(k3, NULL, path), DECC_EINVAL);
	/* a database opened with another key is refused */
	{
		struct decc_sms_store *s2 = NULL;

		k3[0] = (uint8_t)(f->master[0] ^ 1);
		memcpy(k3 + 1, f->master + 1, 31);
		assert_int_equal(decc_sms_store_open(&s2, f->db, k3), DECC_EAUTH);
		assert_null(s2);
	}
}

static void test_write_once(void **state)
{
	struct fx *f = *state;
	struct decc_sms_id ds, other, req;
	bool ex = true;
	uint64_t n = 99;

	id_of(&ds, DECC_SMS_WEB3, 1, NULL);
	id_of(&other, DECC_SMS_WEB3, 2, NULL);
	id_of(&req, DECC_SMS_REQUESTER, 1, "k");
	assert_int_equal(decc_sms_store_exists(f->s, &ex, &ds), 0);
	assert_false(ex);
	{
		struct decc_buf none = DECC_BUF_INIT;

		assert_int_equal(decc_sms_store_get(f->s, &none, &ds), DECC_ENOTFOUND);
	}
	assert_int_equal(put(f, &ds, DECC_SMS_PUT_CREATE, PLAIN, 1), 0);
	assert_int_equal(decc_sms_store_exists(f->s, &ex, &ds), 0);
	assert_true(ex);
	stored_is(f, &ds, PLAIN);
	/* second push: refused, value unchanged */
	assert_int_equal(put(f, &ds, DECC_SMS_PUT_CREATE, "other", 2), DECC_EEXISTS);
	assert_non_null(strstr(decc_error_last(), "write-once"));
	stored_is(f, &ds, PLAIN);
	/* the same target under another kind is another secret */
	assert_int_equal(decc_sms_store_exists(f->s, &ex, &req), 0);
	assert_false(ex);
	assert_int_equal(decc_sms_store_exists(f->s, &ex, &other), 0);
	assert_false(ex);
	/* an authorization already used cannot create another secret */
	assert_int_equal(put(f, &other, DECC_SMS_PUT_CREATE, "v", 1), DECC_EEXISTS);
	assert_int_equal(decc_sms_store_exists(f->s, &ex, &other), 0);
	assert_false(ex);
	/* limits */
	{
		static uint8_t big[DECC_SMS_SECRET_MAX + 1];
		decc_address sg = { { 1 } };
		uint8_t c[32] = { 9 };

		assert_int_equal(
		    decc_sms_store_put(f->s, &other, DECC_SMS_PUT_CREATE, big, sizeof(big), &sg, c),
		    DECC_ELIMIT);
		assert_int_equal(
		    decc_sms_store_put(f->s, &other, DECC_SMS_PUT_CREATE, big, 0, &sg, c),
		    DECC_EINVAL);
	}
	assert_int_equal(decc_sms_store_count(f->s, &n), 0);
	assert_int_equal(n, 1);
}

static void test_update(void **state)
{
	struct fx *f = *state;
	struct decc_sms_id w;

	id_of(&w, DECC_SMS_WEB2, 3, "iexec-result-encryption-public-key");
	assert_int_equal(put(f, &w, DECC_SMS_PUT_UPDATE, "k0", 10), DECC_ENOTFOUND);
	assert_int_equal(put(f, &w, DECC_SMS_PUT_CREATE, "k1", 11), 0);
	assert_int_equal(put(f, &w, DECC_SMS_PUT_UPDATE, "k2", 12), 0);
	stored_is(f, &w, "k2");
	/* replaying the authorization of k1 would revert the update: refused */
	assert_int_equal(put(f, &w, DECC_SMS_PUT_UPDATE, "k1", 11), DECC_EEXISTS);
	assert_non_null(strstr(decc_error_last(), "already used"));
	stored_is(f, &w, "k2");
}

/* memmem over a whole file (absent file: not found). */
static bool file_has(const char *path, const char *needle)
{
	struct decc_buf b = DECC_BUF_INIT;
	bool found;

	if (decc_file_read(&b, path, 64 << 20) < 0)
		return false;
	found = memmem(b.data, b.len, needle, strlen(needle)) != NULL;
	decc_buf_release(&b);
	return found;
}

static void test_at_rest(void **state)
{
	struct fx *f = *state;
	struct decc_sms_id a, b;
	char wal[200], name_probe[] = "requester-secret-name";

	id_of(&a, DECC_SMS_WEB3, 4, NULL);
	id_of(&b, DECC_SMS_REQUESTER, 5, name_probe);
	assert_int_equal(put(f, &a, DECC_SMS_PUT_CREATE, PLAIN, 20), 0);
	assert_int_equal(put(f, &b, DECC_SMS_PUT_CREATE, PLAIN "-2", 21), 0);
	snprintf(wal, sizeof(wal), "%s-wal", f->db);
	/* the probe itself is written (names are not secret): the search works */
	assert_true(file_has(wal, name_probe) || file_has(f->db, name_probe));
	assert_false(file_has(wal, PLAIN));
	assert_false(file_has(f->db, PLAIN));
	/* and after a checkpoint moved everything into the main file */
	decc_sms_store_free(f->s);
	f->s = NULL;
	assert_int_equal(decc_sms_store_open(&f->s, f->db, f->master), 0);
	assert_false(file_has(f->db, PLAIN));
	assert_false(file_has(wal, PLAIN));
	assert_false(file_has(f->key, PLAIN));
	stored_is(f, &a, PLAIN);
	stored_is(f, &b, PLAIN "-2");
}

static void sql(struct fx *f, const char *q)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, q, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void test_tamper(void **state)
{
	struct fx *f = *state;
	struct decc_sms_id a, b, c;
	struct decc_buf out = DECC_BUF_INIT;

	id_of(&a, DECC_SMS_WEB3, 6, NULL);
	id_of(&b, DECC_SMS_WEB3, 7, NULL);
	id_of(&c, DECC_SMS_REQUESTER, 8, "k");
	assert_int_equal(put(f, &a, DECC_SMS_PUT_CREATE, "value-a", 30), 0);
	assert_int_equal(put(f, &b, DECC_SMS_PUT_CREATE, "value-b", 31), 0);
	assert_int_equal(put(f, &c, DECC_SMS_PUT_CREATE, "value-c", 32), 0);
	/* copy a's crypto over b: b must not decrypt to a's key */
	sql(f, "UPDATE secrets SET iv=(SELECT iv FROM secrets WHERE target=x'06aa000000000000000000"
	       "000000000000000000'), ct=(SELECT ct FROM secrets WHERE target=x'06aa00000000000000"
	       "0000000000000000000000'), mac=(SELECT mac FROM secrets WHERE target=x'06aa000000"
	       "000000000000000000000000000000') WHERE target=x'07aa0000000000000000000000000000"
	       "00000000'");
	assert_int_equal(decc_sms_store_get(f->s, &out, &b), DECC_EAUTH);
	assert_int_equal(out.len, 0);
	stored_is(f, &a, "value-a");
	/* a row moved to another kind or name */
	sql(f, "UPDATE secrets SET name='j' WHERE kind=4");
	id_of(&c, DECC_SMS_REQUESTER, 8, "j");
	assert_int_equal(decc_sms_store_get(f->s, &out, &c), DECC_EAUTH);
	/* an altered ciphertext byte */
	sql(f, "UPDATE secrets SET ct=(substr(ct,1,3) || CASE WHEN substr(ct,4,1)=x'ff' THEN x'fe' "
	       "ELSE x'ff' END || substr(ct,5)) WHERE "
	       "target=x'06aa000000000000000000000000000000000000'");
	assert_int_equal(decc_sms_store_get(f->s, &out, &a), DECC_EAUTH);
	assert_non_null(strstr(decc_error_last(), "integrity"));
	/* a truncated row */
	sql(f, "UPDATE secrets SET mac=x'00' WHERE kind=3 OR kind=1");
	assert_int_equal(decc_sms_store_get(f->s, &out, &a), DECC_EAUTH);
	assert_int_equal(out.len, 0);
	decc_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_master_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_at_rest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
