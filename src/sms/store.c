/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SMS store: the only file of the sms layer that speaks SQLite.
 *
 *   secrets(kind, target, name, iv, ct, mac, signer, created, updated)  key (kind, target, name)
 *   authorizations(tag, at)     one row per accepted push: tag = HMAC(k_auth, challenge)
 *   meta(k, v)                  "key-check": HMAC(master, label), to refuse a wrong key file
 *
 * ct = AES-256-CBC(k_enc, iv, value) with a random IV; mac = HMAC-SHA256(k_mac, "decc-sms/v1"
 * ‖ kind ‖ len(target) ‖ target ‖ len(name) ‖ name ‖ iv ‖ ct): encrypt-then-MAC, and the MAC
 * binds the row's identity so a row copied over another fails. The three keys are HMACs of
 * the master key with distinct labels. The target is a blob of up to 32 bytes, so per-task
 * rows of the compute release path (task ids) fit the same table without a migration.
 */
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/file.h"
#include "decc/hex.h"
#include "decc/sms.h"

#define SCHEMA_VERSION 1

struct decc_sms_store {
	sqlite3 *db;
	pthread_mutex_t lock;
	struct decc_secret *keys; /* k_enc ‖ k_mac ‖ k_auth ‖ key_check, 32 bytes each */
};

static const uint8_t *key(const struct decc_sms_store *s, int i)
{
	return s->keys->ptr + 32 * i;
}

enum {
	K_ENC,
	K_MAC,
	K_AUTH,
	K_CHECK
};

/* ---- master key ---- */

static int read_key(uint8_t out[32], const char *path)
{
	struct decc_buf text;
	struct stat st;
	size_t n;
	int r;

	if (stat(path, &st) != 0)
		return decc_error_set(errno == ENOENT ? DECC_ENOTFOUND : DECC_ERROR,
				      "cannot read the master key %s: %s", path, strerror(errno));
	DECC_ENSURE(S_ISREG(st.st_mode), DECC_EINVAL, "master key %s is not a regular file", path);
	DECC_ENSURE((st.st_mode & 077) == 0, DECC_EAUTH,
		    "master key %s is accessible by group or others (mode %03o): chmod 600 it",
		    path, (unsigned)(st.st_mode & 0777));
	decc_buf_init_secret(&text, 256);
	r = decc_file_read(&text, path, 256);
	if (r < 0) {
		decc_buf_release(&text);
		return r;
	}
	n = text.len;
	while (n > 0 && (text.data[n - 1] == '\n' || text.data[n - 1] == '\r'))
		n--;
	text.data[n] = 0;
	r = decc_hex_decode_exact(out, 32, (const char *)text.data);
	decc_buf_release(&text);
	if (r < 0)
		return decc_error_set(DECC_EINVAL,
				      "master key %s is damaged: expected 64 hex digits", path);
	return 0;
}

int decc_sms_master_key_load(uint8_t key_out[32], bool *created, const char *path)
{
	uint8_t k[32];
	char hex[66];
	int r;

	r = read_key(k, path);
	if (r == 0) {
		memcpy(key_out, k, 32);
		decc_wipe(k, sizeof(k));
		if (created)
			*created = false;
		return 0;
	}
	if (r != DECC_ENOTFOUND)
		return r;
	DECC_TRY(decc_random_bytes(k, sizeof(k)));
	decc_hex_encode(hex, k, 32, false);
	hex[64] = '\n';
	r = decc_file_write_atomic(path, hex, 65, 0600, 0);
	decc_wipe(hex, sizeof(hex));
	if (r == DECC_EEXISTS) { /* another process created it first: use theirs */
		decc_wipe(k, sizeof(k));
		r = read_key(k, path);
		if (r == 0) {
			memcpy(key_out, k, 32);
			if (created)
				*created = false;
		}
		decc_wipe(k, sizeof(k));
		return r;
	}
	if (r < 0) {
		decc_wipe(k, sizeof(k));
		return decc_error_wrap(r, "creating the master key");
	}
	memcpy(key_out, k, 32);
	decc_wipe(k, sizeof(k));
	if (created)
		*created = true;
	return 0;
}

/* ---- SQLite helpers ---- */

static int db_fail(struct decc_sms_store *s, const char *what)
{
	return decc_error_set(DECC_ERROR, "sms store: %s: %s", what, sqlite3_errmsg(s->db));
}

static int exec(struct decc_sms_store *s, const char *sql)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(s, sql);
	return 0;
}

static int prepare(struct decc_sms_store *s, sqlite3_stmt **st, const char *sql)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
		return db_fail(s, "prepare");
	return 0;
}

static void bind_id(sqlite3_stmt *st, int first, const struct decc_sms_id *id)
{
	sqlite3_bind_int(st, first, (int)id->kind);
	sqlite3_bind_blob(st, first + 1, id->target, (int)id->target_len, SQLITE_STATIC);
	sqlite3_bind_text(st, first + 2, id->name, (int)strlen(id->name), SQLITE_STATIC);
}

static int check_id(const struct decc_sms_id *id)
{
	DECC_ENSURE(id->target_len > 0 && id->target_len <= DECC_SMS_TARGET_MAX, DECC_EINVAL,
		    "sms store: bad target length %zu", id->target_len);
	DECC_ENSURE(memchr(id->name, 0, sizeof(id->name)) != NULL, DECC_EINVAL,
		    "sms store: unterminated secret name");
	return 0;
}

static int schema(struct decc_sms_store *s)
{
	sqlite3_stmt *st = NULL;
	int r;

	DECC_TRY(exec(s, "BEGIN IMMEDIATE"));
	r = exec(s,
		 "CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v BLOB NOT NULL);"
		 "CREATE TABLE IF NOT EXISTS secrets(kind INTEGER NOT NULL, target BLOB NOT NULL,"
		 " name TEXT NOT NULL, iv BLOB NOT NULL, ct BLOB NOT NULL, mac BLOB NOT NULL,"
		 " signer BLOB NOT NULL, created INTEGER NOT NULL, updated INTEGER NOT NULL,"
		 " PRIMARY KEY(kind, target, name)) WITHOUT ROWID;"
		 "CREATE TABLE IF NOT EXISTS authorizations(tag BLOB PRIMARY KEY,"
		 " at INTEGER NOT NULL) WITHOUT ROWID;"
		 "PRAGMA user_version=1;");
	if (r == 0)
		r = prepare(s, &st, "SELECT v FROM meta WHERE k='key-check'");
	if (r == 0) {
		int step = sqlite3_step(st);

		if (step == SQLITE_ROW) {
			if (sqlite3_column_bytes(st, 0) != 32 ||
			    !decc_ct_equal(sqlite3_column_blob(st, 0), key(s, K_CHECK), 32))
				r = decc_error_set(
				    DECC_EAUTH, "sms store: the database was encrypted under "
						"another master key: restore the master.key that "
						"goes with it");
		} else if (step == SQLITE_DONE) {
			sqlite3_finalize(st);
			st = NULL;
			r = prepare(s, &st, "INSERT INTO meta(k, v) VALUES('key-check', ?)");
			if (r == 0) {
				sqlite3_bind_blob(st, 1, key(s, K_CHECK), 32, SQLITE_STATIC);
				if (sqlite3_step(st) != SQLITE_DONE)
					r = db_fail(s, "writing the key check");
			}
		} else {
			r = db_fail(s, "reading the key check");
		}
	}
	sqlite3_finalize(st);
	if (r == 0)
		return exec(s, "COMMIT");
	(void)exec(s, "ROLLBACK");
	return r;
}

int decc_sms_store_open(struct decc_sms_store **out, const char *path, const uint8_t master[32])
{
	static const char *labels[] = { "decc-sms/v1/enc", "decc-sms/v1/mac", "decc-sms/v1/auth",
					"decc-sms/v1/key-check" };
	struct decc_sms_store *s;
	int r;

	s = calloc(1, sizeof(*s));
	if (!s)
		return decc_error_set(DECC_ENOMEM, "sms store: out of memory");
	r = decc_secret_new(&s->keys, 32 * DECC_ARRAY_SIZE(labels));
	if (r < 0) {
		free(s);
		return r;
	}
	for (size_t i = 0; i < DECC_ARRAY_SIZE(labels); i++)
		decc_hmac_sha256(s->keys->ptr + 32 * i, master, 32, labels[i], strlen(labels[i]));
	pthread_mutex_init(&s->lock, NULL);
	if (sqlite3_open_v2(path, &s->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
			    NULL) != SQLITE_OK) {
		r = decc_error_set(DECC_ERROR, "sms store: cannot open %s: %s", path,
				   s->db ? sqlite3_errmsg(s->db) : "out of memory");
		decc_sms_store_free(s);
		return r;
	}
	sqlite3_busy_timeout(s->db, 5000);
	r = exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA secure_delete=ON;");
	if (r == 0)
		r = schema(s);
	if (r < 0) {
		decc_sms_store_free(s);
		return r;
	}
	*out = s;
	return 0;
}

void decc_sms_store_free(struct decc_sms_store *s)
{
	if (!s)
		return;
	if (s->db)
		sqlite3_close(s->db);
	decc_secret_free(s->keys);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* ---- rows ---- */

static int row_mac(const struct decc_sms_store *s, uint8_t out[32], const struct decc_sms_id *id,
		   const uint8_t *iv, const uint8_t *ct, size_t ct_len)
{
	struct decc_buf m = DECC_BUF_INIT;
	size_t nl = strlen(id->name);
	uint8_t hdr[4] = { (uint8_t)id->kind, (uint8_t)id->target_len, (uint8_t)(nl >> 8),
			   (uint8_t)nl };

	/* name and target lengths are bounded (256, 32): the encoding is unambiguous */
	if (decc_buf_append_str(&m, "decc-sms/v1") < 0 || decc_buf_append(&m, hdr, 2) < 0 ||
	    decc_buf_append(&m, id->target, id->target_len) < 0 ||
	    decc_buf_append(&m, hdr + 2, 2) < 0 || decc_buf_append(&m, id->name, nl) < 0 ||
	    decc_buf_append(&m, iv, 16) < 0 || decc_buf_append(&m, ct, ct_len) < 0) {
		decc_buf_release(&m);
		return decc_error_set(DECC_ENOMEM, "sms store: out of memory");
	}
	decc_hmac_sha256(out, key(s, K_MAC), 32, m.data, m.len);
	decc_buf_release(&m);
	return 0;
}

static int find(struct decc_sms_store *s, bool *out, const struct decc_sms_id *id)
{
	sqlite3_stmt *st;
	int step;

	DECC_TRY(prepare(s, &st, "SELECT 1 FROM secrets WHERE kind=? AND target=? AND name=?"));
	bind_id(st, 1, id);
	step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return db_fail(s, "reading a secret");
	*out = step == SQLITE_ROW;
	return 0;
}

static int write_row(struct decc_sms_store *s, const struct decc_sms_id *id,
		     enum decc_sms_put_mode mode, const uint8_t *value, size_t n,
		     const decc_address *signer, const uint8_t challenge[32])
{
	struct decc_buf ct = DECC_BUF_INIT;
	uint8_t iv[16], mac[32], tag[32];
	sqlite3_stmt *st = NULL;
	int64_t now = (int64_t)time(NULL);
	bool exists = false;
	int r, used;

	decc_hmac_sha256(tag, key(s, K_AUTH), 32, challenge, 32);
	DECC_TRY(prepare(s, &st, "SELECT 1 FROM authorizations WHERE tag=?"));
	sqlite3_bind_blob(st, 1, tag, 32, SQLITE_STATIC);
	used = sqlite3_step(st);
	sqlite3_finalize(st);
	if (used != SQLITE_ROW && used != SQLITE_DONE)
		return db_fail(s, "reading authorizations");
	DECC_TRY(find(s, &exists, id));
	if (mode == DECC_SMS_PUT_CREATE && exists)
		return decc_error_set(
		    DECC_EEXISTS, "the secret already exists and cannot be changed (write-once)");
	if (mode == DECC_SMS_PUT_UPDATE && !exists)
		return decc_error_set(DECC_ENOTFOUND,
				      "no such secret to update: push it first (POST)");
	if (used == SQLITE_ROW)
		return decc_error_set(
		    DECC_EEXISTS, "this authorization was already used: a signature is accepted "
				  "once (sign the new value)");

	DECC_TRY(decc_random_bytes(iv, sizeof(iv)));
	r = decc_aes_cbc_buf(&ct, true, key(s, K_ENC), iv, value, n);
	if (r == 0)
		r = row_mac(s, mac, id, iv, ct.data, ct.len);
	if (r == 0 && mode == DECC_SMS_PUT_CREATE)
		r = prepare(s, &st,
			    "INSERT INTO secrets(kind, target, name, iv, ct, mac, signer, created,"
			    " updated) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)");
	else if (r == 0)
		r = prepare(s, &st,
			    "UPDATE secrets SET iv=?4, ct=?5, mac=?6, signer=?7, updated=?9"
			    " WHERE kind=?1 AND target=?2 AND name=?3");
	if (r == 0) {
		bind_id(st, 1, id);
		sqlite3_bind_blob(st, 4, iv, 16, SQLITE_STATIC);
		sqlite3_bind_blob(st, 5, ct.data, (int)ct.len, SQLITE_STATIC);
		sqlite3_bind_blob(st, 6, mac, 32, SQLITE_STATIC);
		sqlite3_bind_blob(st, 7, signer->b, 20, SQLITE_STATIC);
		sqlite3_bind_int64(st, 8, now);
		sqlite3_bind_int64(st, 9, now);
		if (sqlite3_step(st) != SQLITE_DONE || sqlite3_changes(s->db) != 1)
			r = db_fail(s, "writing the secret");
		sqlite3_finalize(st);
		st = NULL;
	}
	if (r == 0)
		r = prepare(s, &st, "INSERT INTO authorizations(tag, at) VALUES(?, ?)");
	if (r == 0) {
		sqlite3_bind_blob(st, 1, tag, 32, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, now);
		if (sqlite3_step(st) != SQLITE_DONE)
			r = db_fail(s, "recording the authorization");
		sqlite3_finalize(st);
	}
	decc_buf_release(&ct);
	return r;
}

int decc_sms_store_put(struct decc_sms_store *s, const struct decc_sms_id *id,
		       enum decc_sms_put_mode mode, const uint8_t *value, size_t n,
		       const decc_address *signer, const uint8_t challenge[32])
{
	int r;

	DECC_TRY(check_id(id));
	DECC_ENSURE(n > 0 && n <= DECC_SMS_SECRET_MAX, n ? DECC_ELIMIT : DECC_EINVAL,
		    "sms store: a secret has 1 to %d bytes (got %zu)", DECC_SMS_SECRET_MAX, n);
	pthread_mutex_lock(&s->lock);
	r = exec(s, "BEGIN IMMEDIATE");
	if (r == 0) {
		r = write_row(s, id, mode, value, n, signer, challenge);
		if (r == 0)
			r = exec(s, "COMMIT");
		if (r < 0) {
			char msg[512];
			int code = decc_error_code();

			/* keep the reason, not the rollback's status */
			snprintf(msg, sizeof(msg), "%s", decc_error_last());
			(void)exec(s, "ROLLBACK");
			r = decc_error_set(code, "%s", msg);
		}
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}

int decc_sms_store_exists(struct decc_sms_store *s, bool *out, const struct decc_sms_id *id)
{
	int r;

	DECC_TRY(check_id(id));
	pthread_mutex_lock(&s->lock);
	r = find(s, out, id);
	pthread_mutex_unlock(&s->lock);
	return r;
}

static int get_locked(struct decc_sms_store *s, struct decc_buf *out, const struct decc_sms_id *id)
{
	struct decc_buf plain;
	sqlite3_stmt *st;
	uint8_t mac[32];
	const uint8_t *iv, *ct, *want;
	size_t ct_len;
	int step, r;

	DECC_TRY(prepare(s, &st,
			 "SELECT iv, ct, mac FROM secrets WHERE kind=? AND target=? AND "
			 "name=?"));
	bind_id(st, 1, id);
	step = sqlite3_step(st);
	if (step == SQLITE_DONE) {
		sqlite3_finalize(st);
		return decc_error_set(DECC_ENOTFOUND, "no such secret");
	}
	if (step != SQLITE_ROW) {
		sqlite3_finalize(st);
		return db_fail(s, "reading a secret");
	}
	iv = sqlite3_column_blob(st, 0);
	ct = sqlite3_column_blob(st, 1);
	ct_len = (size_t)sqlite3_column_bytes(st, 1);
	want = sqlite3_column_blob(st, 2);
	if (sqlite3_column_bytes(st, 0) != 16 || sqlite3_column_bytes(st, 2) != 32 || !ct ||
	    ct_len == 0 || ct_len % DECC_AES_BLOCK) {
		sqlite3_finalize(st);
		return decc_error_set(DECC_EAUTH, "sms store: a secret row is damaged");
	}
	r = row_mac(s, mac, id, iv, ct, ct_len);
	if (r < 0) {
		sqlite3_finalize(st);
		return r;
	}
	if (!decc_ct_equal(mac, want, 32)) {
		sqlite3_finalize(st);
		return decc_error_set(DECC_EAUTH,
				      "sms store: a secret failed its integrity check (altered or "
				      "moved row)");
	}
	decc_buf_init_secret(&plain, DECC_SMS_SECRET_MAX + DECC_AES_BLOCK);
	r = decc_aes_cbc_buf(&plain, false, key(s, K_ENC), iv, ct, ct_len);
	sqlite3_finalize(st);
	if (r == 0)
		r = decc_buf_append(out, plain.data, plain.len);
	decc_buf_release(&plain);
	return r;
}

int decc_sms_store_get(struct decc_sms_store *s, struct decc_buf *out, const struct decc_sms_id *id)
{
	int r;

	DECC_TRY(check_id(id));
	pthread_mutex_lock(&s->lock);
	r = get_locked(s, out, id);
	pthread_mutex_unlock(&s->lock);
	return r;
}

int decc_sms_store_count(struct decc_sms_store *s, uint64_t *out)
{
	sqlite3_stmt *st;
	int r = 0;

	pthread_mutex_lock(&s->lock);
	if (prepare(s, &st, "SELECT COUNT(*) FROM secrets") < 0) {
		pthread_mutex_unlock(&s->lock);
		return DECC_ERROR;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		*out = (uint64_t)sqlite3_column_int64(st, 0);
	else
		r = db_fail(s, "counting secrets");
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	return r;
}
