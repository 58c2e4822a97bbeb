/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ledger on SQLite (include/decc/ledger.h). One writer connection, guarded by wlock, mines
 * blocks: each block is one IMMEDIATE transaction committed with synchronous=FULL, so it is on
 * disk when decc_ledger_mine() returns. Readers take a connection from a small pool; WAL gives
 * each of them the last committed snapshot without blocking the writer.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/ledger.h"
#include "ledger/overlay.h"

#define MAX_READERS 32
/*
 * SQLite page caches (filled as pages are read, so an idle node stays small): the writer keeps
 * the state a block touches without pread()s from the OS, each reader a smaller share.
 */
#define CACHE_W "PRAGMA cache_size=-65536;" /* KiB */
#define CACHE_R "PRAGMA cache_size=-8192;"
#define SCHEMA_VERSION 1

enum stmt_id {
	ST_KV_GET,
	ST_KV_PUT,
	ST_KV_DEL,
	ST_ACC_GET,
	ST_BAL_PUT,
	ST_NONCE_PUT,
	ST_BLOCK_BY_NUM,
	ST_BLOCK_BY_HASH,
	ST_BLOCK_TXS,
	ST_TX_GET,
	ST_TX_LOGS,
	ST_INS_BLOCK,
	ST_INS_TX,
	ST_INS_RECEIPT,
	ST_INS_LOG,
	ST_META_GET,
	ST_META_PUT,
	ST_BEGIN,
	ST_BEGIN_W,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_COUNT_,
};

static const char *const stmt_sql[ST_COUNT_] = {
	[ST_KV_GET] = "SELECT v FROM state WHERE k = ?1",
	[ST_KV_PUT] = "INSERT OR REPLACE INTO state(k, v) VALUES (?1, ?2)",
	[ST_KV_DEL] = "DELETE FROM state WHERE k = ?1",
	[ST_ACC_GET] = "SELECT balance, nonce FROM accounts WHERE address = ?1",
	[ST_BAL_PUT] = "INSERT INTO accounts(address, balance, nonce) VALUES (?1, ?2, 0) "
		       "ON CONFLICT(address) DO UPDATE SET balance = excluded.balance",
	[ST_NONCE_PUT] =
	    "INSERT INTO accounts(address, balance, nonce) VALUES (?1, zeroblob(32), ?2) "
	    "ON CONFLICT(address) DO UPDATE SET nonce = excluded.nonce",
	[ST_BLOCK_BY_NUM] = "SELECT number, hash, parent, timestamp, gas_used, bloom FROM blocks "
			    "WHERE number = ?1",
	[ST_BLOCK_BY_HASH] = "SELECT number, hash, parent, timestamp, gas_used, bloom FROM blocks "
			     "WHERE hash = ?1",
	[ST_BLOCK_TXS] = "SELECT hash FROM txs WHERE block = ?1 ORDER BY idx",
	[ST_TX_GET] = "SELECT t.block, t.idx, t.sender, t.raw, b.hash, r.status, r.gas_used, "
		      "r.cumulative_gas, r.gas_price, r.bloom FROM txs t "
		      "JOIN blocks b ON b.number = t.block JOIN receipts r ON r.tx_hash = t.hash "
		      "WHERE t.hash = ?1",
	[ST_TX_LOGS] = "SELECT log_index, address, topic0, topic1, topic2, topic3, data "
		       "FROM logs WHERE tx_hash = ?1 ORDER BY log_index",
	[ST_INS_BLOCK] = "INSERT INTO blocks(number, hash, parent, timestamp, gas_used, bloom) "
			 "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_INS_TX] = "INSERT INTO txs(hash, block, idx, sender, raw) VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_INS_RECEIPT] = "INSERT INTO receipts(tx_hash, status, gas_used, cumulative_gas, "
			   "gas_price, bloom) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_INS_LOG] = "INSERT INTO logs(block, log_index, tx_index, tx_hash, address, topic0, "
		       "topic1, topic2, topic3, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
		       "?10)",
	[ST_META_GET] = "SELECT v FROM meta WHERE k = ?1",
	[ST_META_PUT] = "INSERT OR REPLACE INTO meta(k, v) VALUES (?1, ?2)",
	[ST_BEGIN] = "BEGIN",
	[ST_BEGIN_W] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
};

/* Migrations: entry i brings the schema from version i to i + 1. Never edit a shipped one. */
static const char *const migrations[SCHEMA_VERSION] = {
	"CREATE TABLE meta(k TEXT PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE blocks(number INTEGER PRIMARY KEY, hash BLOB NOT NULL UNIQUE,"
	" parent BLOB NOT NULL, timestamp INTEGER NOT NULL, gas_used INTEGER NOT NULL,"
	" bloom BLOB NOT NULL);"
	"CREATE TABLE txs(hash BLOB PRIMARY KEY, block INTEGER NOT NULL, idx INTEGER NOT NULL,"
	" sender BLOB NOT NULL, raw BLOB NOT NULL) WITHOUT ROWID;"
	"CREATE UNIQUE INDEX txs_block ON txs(block, idx);"
	"CREATE TABLE receipts(tx_hash BLOB PRIMARY KEY, status INTEGER NOT NULL,"
	" gas_used INTEGER NOT NULL, cumulative_gas INTEGER NOT NULL, gas_price BLOB NOT NULL,"
	" bloom BLOB NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE logs(block INTEGER NOT NULL, log_index INTEGER NOT NULL,"
	" tx_index INTEGER NOT NULL, tx_hash BLOB NOT NULL, address BLOB NOT NULL, topic0 BLOB,"
	" topic1 BLOB, topic2 BLOB, topic3 BLOB, data BLOB NOT NULL,"
	" PRIMARY KEY(block, log_index)) WITHOUT ROWID;"
	"CREATE INDEX logs_address ON logs(address, block);"
	"CREATE INDEX logs_topic0 ON logs(topic0, block);"
	"CREATE INDEX logs_tx ON logs(tx_hash);"
	"CREATE TABLE accounts(address BLOB PRIMARY KEY, balance BLOB NOT NULL,"
	" nonce INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE state(k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID;",
};

struct conn {
	sqlite3 *db;
	sqlite3_stmt *st[ST_COUNT_];
};

struct decc_ledger {
	char *path;
	uint64_t chain_id;
	struct decc_executor exec;
	bool has_exec;
	bool no_sync;

	pthread_mutex_t wlock; /* the writer connection and the head fields below */
	struct conn w;
	uint8_t head_hash[32];
	uint64_t head_ts;
	uint64_t time_offset;
	_Atomic uint64_t head;

	pthread_mutex_t plock; /* the reader pool */
	pthread_cond_t pcond;
	struct conn *readers[MAX_READERS];
	bool reader_busy[MAX_READERS];
	size_t n_readers;
};

/* ---- SQLite helpers ---------------------------------------------------------------------- */

static int sql_error(sqlite3 *db, const char *what)
{
	return decc_error_set(DECC_ERROR, "ledger: %s: %s", what, db ? sqlite3_errmsg(db) : "?");
}

static int stmt(struct conn *c, sqlite3_stmt **out, enum stmt_id id)
{
	if (!c->st[id] && sqlite3_prepare_v3(c->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
					     &c->st[id], NULL) != SQLITE_OK)
		return sql_error(c->db, "preparing a statement");
	sqlite3_reset(c->st[id]);
	sqlite3_clear_bindings(c->st[id]);
	*out = c->st[id];
	return 0;
}

static int exec_simple(struct conn *c, enum stmt_id id)
{
	sqlite3_stmt *s;

	DECC_TRY(stmt(c, &s, id));
	if (sqlite3_step(s) != SQLITE_DONE) {
		int r = sql_error(c->db, stmt_sql[id]);

		sqlite3_reset(s);
		return r;
	}
	sqlite3_reset(s);
	return 0;
}

static int step_done(struct conn *c, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return sql_error(c->db, what);
	return 0;
}

static void conn_close(struct conn *c)
{
	if (!c->db)
		return;
	for (size_t i = 0; i < ST_COUNT_; i++)
		sqlite3_finalize(c->st[i]);
	sqlite3_close(c->db);
	memset(c, 0, sizeof(*c));
}

static int conn_open(struct conn *c, const char *path, bool writer, bool no_sync)
{
	char *err = NULL;
	const char *pragmas;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;

	memset(c, 0, sizeof(*c));
	if (writer)
		flags |= SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &c->db, flags, NULL) != SQLITE_OK) {
		int r = decc_error_set(DECC_ERROR,
				       "ledger: cannot open %s: %s (check the --data "
				       "directory and its permissions)",
				       path, c->db ? sqlite3_errmsg(c->db) : "out of memory");
		conn_close(c);
		return r;
	}
	sqlite3_busy_timeout(c->db, 10000);
	if (writer)
		pragmas = no_sync ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; " CACHE_W
				  : "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; " CACHE_W;
	else
		pragmas = "PRAGMA query_only=1; " CACHE_R;
	if (sqlite3_exec(c->db, pragmas, NULL, NULL, &err) != SQLITE_OK) {
		int r =
		    decc_error_set(DECC_ERROR, "ledger: configuring %s: %s", path, err ? err : "?");

		sqlite3_free(err);
		conn_close(c);
		return r;
	}
	return 0;
}

static int migrate(struct conn *c)
{
	sqlite3_stmt *s;
	int version = 0;
	char *err = NULL;

	if (sqlite3_prepare_v2(c->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
		return sql_error(c->db, "reading the schema version");
	if (sqlite3_step(s) == SQLITE_ROW)
		version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (version > SCHEMA_VERSION)
		return decc_error_set(DECC_EINVAL,
				      "ledger: the database has schema version %d, newer than this "
				      "decc (%d): upgrade decc",
				      version, SCHEMA_VERSION);
	for (int v = version; v < SCHEMA_VERSION; v++) {
		char sql[64];

		snprintf(sql, sizeof(sql), "PRAGMA user_version=%d; COMMIT;", v + 1);
		if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, &err) != SQLITE_OK ||
		    sqlite3_exec(c->db, migrations[v], NULL, NULL, &err) != SQLITE_OK ||
		    sqlite3_exec(c->db, sql, NULL, NULL, &err) != SQLITE_OK) {
			int r = decc_error_set(DECC_ERROR, "ledger: schema migration %d: %s", v + 1,
					       err ? err : "?");

			sqlite3_free(err);
			sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
			return r;
		}
	}
	return 0;
}

/* ---- accounts and state -------------------------------------------------------------------- */

static void be64(uint8_t out[8], uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		out[i] = (uint8_t)v;
}

static int account_get(struct conn *c, decc_u256 *bal, uint64_t *nonce, const decc_address *a)
{
	sqlite3_stmt *s;
	int rc;

	DECC_TRY(stmt(c, &s, ST_ACC_GET));
	sqlite3_bind_blob(s, 1, a->b, 20, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const uint8_t *p = sqlite3_column_blob(s, 0);

		if (sqlite3_column_bytes(s, 0) != 32 || !p) {
			sqlite3_reset(s);
			return decc_error_set(DECC_ERROR, "ledger: corrupt account record");
		}
		if (bal)
			decc_u256_from_be(bal, p);
		if (nonce)
			*nonce = (uint64_t)sqlite3_column_int64(s, 1);
	} else if (rc == SQLITE_DONE) {
		if (bal)
			*bal = DECC_U256_ZERO;
		if (nonce)
			*nonce = 0;
	} else {
		sqlite3_reset(s);
		return sql_error(c->db, "reading an account");
	}
	sqlite3_reset(s);
	return 0;
}

static int balance_put(struct conn *c, const decc_address *a, const uint8_t be[32])
{
	sqlite3_stmt *s;

	DECC_TRY(stmt(c, &s, ST_BAL_PUT));
	sqlite3_bind_blob(s, 1, a->b, 20, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, be, 32, SQLITE_STATIC);
	return step_done(c, s, "writing a balance");
}

static int nonce_put(struct conn *c, const decc_address *a, uint64_t nonce)
{
	sqlite3_stmt *s;

	DECC_TRY(stmt(c, &s, ST_NONCE_PUT));
	sqlite3_bind_blob(s, 1, a->b, 20, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)nonce);
	return step_done(c, s, "writing a nonce");
}

static int kv_get(struct conn *c, struct decc_buf *out, const uint8_t *key, size_t keylen)
{
	sqlite3_stmt *s;
	int rc, r = 0;

	DECC_TRY(stmt(c, &s, ST_KV_GET));
	sqlite3_bind_blob(s, 1, key, (int)keylen, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		r = decc_buf_append(out, sqlite3_column_blob(s, 0),
				    (size_t)sqlite3_column_bytes(s, 0));
	else if (rc == SQLITE_DONE)
		r = decc_error_set(DECC_ENOTFOUND, "no such state key");
	else
		r = sql_error(c->db, "reading state");
	sqlite3_reset(s);
	return r;
}

/* The decc_state a call sees: its overlay, then the connection's view. */
struct xstate {
	struct conn *c;
	struct overlay ov;
};

static int xs_get(void *ctx, struct decc_buf *out, const uint8_t *key, size_t keylen)
{
	struct xstate *x = ctx;
	const struct overlay_entry *e;

	DECC_ENSURE(keylen > 0 && keylen <= DECC_STATE_MAX_KEY, DECC_EINVAL,
		    "state key of %zu bytes", keylen);
	e = overlay_find(&x->ov, OVERLAY_KV, key, keylen);
	if (e) {
		if (e->vallen == 0)
			return decc_error_set(DECC_ENOTFOUND, "no such state key");
		return decc_buf_append(out, e->val, e->vallen);
	}
	return kv_get(x->c, out, key, keylen);
}

static int xs_put(void *ctx, const uint8_t *key, size_t keylen, const uint8_t *val, size_t vallen)
{
	struct xstate *x = ctx;

	return overlay_put(&x->ov, OVERLAY_KV, key, keylen, val, vallen);
}

static int xs_balance(void *ctx, decc_u256 *out, const decc_address *who)
{
	struct xstate *x = ctx;
	const struct overlay_entry *e = overlay_find(&x->ov, OVERLAY_BALANCE, who->b, 20);

	if (e && e->vallen == 32) {
		decc_u256_from_be(out, e->val);
		return 0;
	}
	return account_get(x->c, out, NULL, who);
}

static int set_balance(struct xstate *x, const decc_address *who, const decc_u256 *v)
{
	uint8_t be[32];

	decc_u256_to_be(be, v);
	return overlay_put(&x->ov, OVERLAY_BALANCE, who->b, 20, be, 32);
}

static int xs_transfer(void *ctx, const decc_address *from, const decc_address *to,
		       const decc_u256 *wei)
{
	struct xstate *x = ctx;
	decc_u256 a, b;

	DECC_TRY(xs_balance(x, &a, from));
	if (decc_u256_sub(&a, &a, wei))
		return decc_error_set(DECC_EREVERT, "insufficient balance for transfer");
	if (decc_address_eq(from, to))
		return 0;
	DECC_TRY(xs_balance(x, &b, to));
	if (decc_u256_add(&b, &b, wei))
		return decc_error_set(DECC_EREVERT, "balance overflow");
	DECC_TRY(set_balance(x, from, &a));
	return set_balance(x, to, &b);
}

static int credit(struct xstate *x, const decc_address *who, const decc_u256 *wei)
{
	decc_u256 b;

	DECC_TRY(xs_balance(x, &b, who));
	if (decc_u256_add(&b, &b, wei))
		return decc_error_set(DECC_ERROR, "ledger: balance overflow");
	return set_balance(x, who, &b);
}

static const struct decc_state_ops xstate_ops = {
	.get = xs_get,
	.put = xs_put,
	.balance = xs_balance,
	.transfer = xs_transfer,
};

/* Write an overlay into the writer's open block transaction. */
static int xs_flush(struct xstate *x)
{
	for (size_t i = 0; i < x->ov.cap; i++) {
		const struct overlay_entry *e = &x->ov.slots[i];
		sqlite3_stmt *s;

		if (!e->used)
			continue;
		if (e->kind == OVERLAY_BALANCE) {
			decc_address a;

			memcpy(a.b, e->key, 20);
			DECC_TRY(balance_put(x->c, &a, e->val));
		} else if (e->vallen == 0) {
			DECC_TRY(stmt(x->c, &s, ST_KV_DEL));
			sqlite3_bind_blob(s, 1, e->key, e->keylen, SQLITE_STATIC);
			DECC_TRY(step_done(x->c, s, "deleting state"));
		} else {
			DECC_TRY(stmt(x->c, &s, ST_KV_PUT));
			sqlite3_bind_blob(s, 1, e->key, e->keylen, SQLITE_STATIC);
			sqlite3_bind_blob(s, 2, e->val, (int)e->vallen, SQLITE_STATIC);
			DECC_TRY(step_done(x->c, s, "writing state"));
		}
	}
	return 0;
}

static void xs_init(struct xstate *x, struct conn *c, struct decc_state *st)
{
	x->c = c;
	overlay_init(&x->ov);
	st->ops = &xstate_ops;
	st->ctx = x;
}

/* ---- meta ---------------------------------------------------------------------------------- */

static int meta_get(struct conn *c, struct decc_buf *out, const char *k)
{
	sqlite3_stmt *s;
	int rc, r;

	DECC_TRY(stmt(c, &s, ST_META_GET));
	sqlite3_bind_text(s, 1, k, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		r = decc_buf_append(out, sqlite3_column_blob(s, 0),
				    (size_t)sqlite3_column_bytes(s, 0));
	else if (rc == SQLITE_DONE)
		r = DECC_ENOTFOUND;
	else
		r = sql_error(c->db, "reading meta");
	sqlite3_reset(s);
	return r;
}

static int meta_put(struct conn *c, const char *k, const void *v, size_t n)
{
	sqlite3_stmt *s;

	DECC_TRY(stmt(c, &s, ST_META_PUT));
	sqlite3_bind_text(s, 1, k, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, v, (int)n, SQLITE_STATIC);
	return step_done(c, s, "writing meta");
}

static int meta_get_u64(struct conn *c, uint64_t *out, const char *k)
{
	struct decc_buf b = DECC_BUF_INIT;
	int r = meta_get(c, &b, k);

	if (r == 0) {
		uint64_t v = 0;

		if (b.len != 8) {
			decc_buf_release(&b);
			return decc_error_set(DECC_ERROR, "ledger: corrupt meta %s", k);
		}
		for (size_t i = 0; i < 8; i++)
			v = v << 8 | b.data[i];
		*out = v;
	}
	decc_buf_release(&b);
	return r;
}

static int meta_put_u64(struct conn *c, const char *k, uint64_t v)
{
	uint8_t b[8];

	be64(b, v);
	return meta_put(c, k, b, 8);
}

/* ---- blocks ---------------------------------------------------------------------------------- */

void decc_bloom_add(uint8_t bloom[256], const uint8_t *p, size_t n)
{
	uint8_t h[32];

	decc_keccak256(h, p, n);
	for (int i = 0; i < 6; i += 2) {
		unsigned bit = ((unsigned)h[i] << 8 | h[i + 1]) & 2047;

		bloom[255 - bit / 8] |= (uint8_t)(1u << (bit % 8));
	}
}

uint64_t decc_intrinsic_gas(const uint8_t *data, size_t n)
{
	uint64_t g = DECC_LEDGER_TX_GAS;

	for (size_t i = 0; i < n; i++)
		g += data[i] ? 16 : 4;
	return g;
}

static uint64_t now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec;
}

static int insert_block(struct conn *c, uint64_t number, const uint8_t hash[32],
			const uint8_t parent[32], uint64_t ts, uint64_t gas_used,
			const uint8_t bloom[256])
{
	sqlite3_stmt *s;

	DECC_TRY(stmt(c, &s, ST_INS_BLOCK));
	sqlite3_bind_int64(s, 1, (sqlite3_int64)number);
	sqlite3_bind_blob(s, 2, hash, 32, SQLITE_STATIC);
	sqlite3_bind_blob(s, 3, parent, 32, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)ts);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)gas_used);
	sqlite3_bind_blob(s, 6, bloom, 256, SQLITE_STATIC);
	return step_done(c, s, "writing a block");
}

static void block_hash(uint8_t out[32], const uint8_t parent[32], uint64_t number, uint64_t ts,
		       const uint8_t txroot[32], uint64_t gas_used, uint64_t chain_id)
{
	struct decc_keccak k;
	uint8_t b[8];

	decc_keccak_init(&k);
	decc_keccak_update(&k, "decc-block", 10);
	be64(b, chain_id);
	decc_keccak_update(&k, b, 8);
	decc_keccak_update(&k, parent, 32);
	be64(b, number);
	decc_keccak_update(&k, b, 8);
	be64(b, ts);
	decc_keccak_update(&k, b, 8);
	decc_keccak_update(&k, txroot, 32);
	be64(b, gas_used);
	decc_keccak_update(&k, b, 8);
	decc_keccak_final(&k, out);
}

static int load_head(struct decc_ledger *l)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(l->w.db,
			       "SELECT number, hash, timestamp FROM blocks ORDER BY number DESC "
			       "LIMIT 1",
			       -1, &s, NULL) != SQLITE_OK)
		return sql_error(l->w.db, "reading the head block");
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(s, 1) == 32) {
		atomic_store(&l->head, (uint64_t)sqlite3_column_int64(s, 0));
		memcpy(l->head_hash, sqlite3_column_blob(s, 1), 32);
		l->head_ts = (uint64_t)sqlite3_column_int64(s, 2);
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? DECC_ENOTFOUND : sql_error(l->w.db, "reading the head");
	}
	sqlite3_finalize(s);
	return rc;
}

static int apply_genesis(struct decc_ledger *l, const struct decc_ledger_config *cfg)
{
	const struct decc_genesis *g = cfg->genesis;
	uint8_t zero[32] = { 0 }, hash[32], bloom[256] = { 0 };
	struct decc_state st;
	struct xstate x;
	int r;

	xs_init(&x, &l->w, &st);
	for (size_t i = 0; i < g->n_accounts; i++) {
		r = set_balance(&x, &g->accounts[i].address, &g->accounts[i].balance);
		if (r < 0)
			goto out;
	}
	if (cfg->genesis_fn) {
		struct decc_exec_env env = {
			.state = &st,
			.chain_id = g->chain_id,
			.block_number = 0,
			.timestamp = g->timestamp,
		};

		r = cfg->genesis_fn(cfg->genesis_ctx, &st, &env, g);
		if (r < 0) {
			decc_error_wrap(r, "ledger: genesis of the native contracts");
			goto out;
		}
	}
	r = xs_flush(&x);
	if (r < 0)
		goto out;
	block_hash(hash, zero, 0, g->timestamp, zero, 0, g->chain_id);
	r = insert_block(&l->w, 0, hash, zero, g->timestamp, 0, bloom);
	if (r == 0)
		r = meta_put(&l->w, "genesis_hash", g->hash, 32);
	if (r == 0)
		r = meta_put_u64(&l->w, "chain_id", g->chain_id);
	if (r == 0)
		r = meta_put_u64(&l->w, "time_offset", 0);
out:
	overlay_release(&x.ov);
	return r;
}

static int init_or_check(struct decc_ledger *l, const struct decc_ledger_config *cfg)
{
	struct decc_buf gh = DECC_BUF_INIT;
	int r;

	DECC_TRY(exec_simple(&l->w, ST_BEGIN_W));
	r = meta_get(&l->w, &gh, "genesis_hash");
	if (r == DECC_ENOTFOUND) {
		r = apply_genesis(l, cfg);
		if (r == 0)
			r = exec_simple(&l->w, ST_COMMIT);
	} else if (r == 0) {
		if (gh.len != 32 || memcmp(gh.data, cfg->genesis->hash, 32) != 0)
			r = decc_error_set(DECC_EEXISTS,
					   "ledger: %s was created with a different genesis; use "
					   "the original genesis file or a new --data directory",
					   l->path);
		else
			r = meta_get_u64(&l->w, &l->chain_id, "chain_id");
		if (r == 0)
			r = meta_get_u64(&l->w, &l->time_offset, "time_offset");
		if (r == 0)
			r = exec_simple(&l->w, ST_COMMIT);
	}
	if (r < 0)
		sqlite3_exec(l->w.db, "ROLLBACK", NULL, NULL, NULL);
	decc_buf_release(&gh);
	if (r < 0)
		return r;
	return load_head(l);
}

int decc_ledger_open(struct decc_ledger **out, const struct decc_ledger_config *cfg)
{
	struct decc_ledger *l;
	int r;

	DECC_ENSURE(cfg && cfg->path && cfg->genesis, DECC_EINVAL,
		    "ledger: a database path and a genesis are required");
	l = calloc(1, sizeof(*l));
	if (!l)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	l->path = strdup(cfg->path);
	if (!l->path) {
		free(l);
		return decc_error_set(DECC_ENOMEM, "out of memory");
	}
	l->chain_id = cfg->genesis->chain_id;
	l->no_sync = cfg->no_sync;
	if (cfg->executor) {
		l->exec = *cfg->executor;
		l->has_exec = true;
	}
	pthread_mutex_init(&l->wlock, NULL);
	pthread_mutex_init(&l->plock, NULL);
	pthread_cond_init(&l->pcond, NULL);
	r = conn_open(&l->w, cfg->path, true, cfg->no_sync);
	if (r == 0)
		r = migrate(&l->w);
	if (r == 0)
		r = init_or_check(l, cfg);
	if (r < 0) {
		decc_ledger_free(l);
		return r;
	}
	*out = l;
	return 0;
}

void decc_ledger_free(struct decc_ledger *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n_readers; i++) {
		conn_close(l->readers[i]);
		free(l->readers[i]);
	}
	conn_close(&l->w);
	pthread_mutex_destroy(&l->wlock);
	pthread_mutex_destroy(&l->plock);
	pthread_cond_destroy(&l->pcond);
	free(l->path);
	free(l);
}

uint64_t decc_ledger_chain_id(const struct decc_ledger *l)
{
	return l->chain_id;
}

uint64_t decc_ledger_head(struct decc_ledger *l)
{
	return atomic_load(&l->head);
}

/* ---- the reader pool ------------------------------------------------------------------------ */

static int reader_get(struct decc_ledger *l, struct conn **out)
{
	int r = 0;

	pthread_mutex_lock(&l->plock);
	for (;;) {
		for (size_t i = 0; i < l->n_readers; i++) {
			if (!l->reader_busy[i]) {
				l->reader_busy[i] = true;
				*out = l->readers[i];
				goto done;
			}
		}
		if (l->n_readers < MAX_READERS) {
			struct conn *c = calloc(1, sizeof(*c));

			if (!c) {
				r = decc_error_set(DECC_ENOMEM, "out of memory");
				goto done;
			}
			r = conn_open(c, l->path, false, false);
			if (r < 0) {
				free(c);
				goto done;
			}
			l->readers[l->n_readers] = c;
			l->reader_busy[l->n_readers++] = true;
			*out = c;
			goto done;
		}
		pthread_cond_wait(&l->pcond, &l->plock);
	}
done:
	pthread_mutex_unlock(&l->plock);
	return r;
}

static void reader_put(struct decc_ledger *l, struct conn *c)
{
	pthread_mutex_lock(&l->plock);
	for (size_t i = 0; i < l->n_readers; i++)
		if (l->readers[i] == c)
			l->reader_busy[i] = false;
	pthread_cond_signal(&l->pcond);
	pthread_mutex_unlock(&l->plock);
}

/* ---- mining ------------------------------------------------------------------------------- */

struct block_ctx {
	uint64_t number;
	uint64_t ts;
	uint64_t gas_used;
	uint32_t n_txs;
	uint32_t n_logs;
	uint8_t bloom[256];
	decc_u256 fees;
	struct decc_keccak txroot;
};

static int reject(struct decc_ledger_submit *s, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int reject(struct decc_ledger_submit *s, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->reason, sizeof(s->reason), fmt, ap);
	va_end(ap);
	s->status = code;
	return 0;
}

/* The price per gas the sender pays (EIP-1559 rules with a constant base fee). */
static int effective_price(decc_u256 *out, struct decc_ledger_submit *s)
{
	const struct decc_tx *tx = s->tx;
	decc_u256 base = decc_u256_from_u64(DECC_LEDGER_BASE_FEE), p;

	if (tx->type == 2) {
		if (decc_u256_cmp(&tx->max_priority_fee, &tx->max_fee) > 0)
			return reject(s, DECC_EINVAL,
				      "max priority fee per gas higher than max fee per gas"),
			       1;
		if (decc_u256_cmp(&tx->max_fee, &base) < 0)
			return reject(s, DECC_EINVAL,
				      "max fee per gas less than block base fee: maxFeePerGas "
				      "too low, base fee 1000000000"),
			       1;
		if (decc_u256_add(&p, &base, &tx->max_priority_fee) ||
		    decc_u256_cmp(&p, &tx->max_fee) > 0)
			p = tx->max_fee;
		*out = p;
		return 0;
	}
	if (decc_u256_cmp(&tx->gas_price, &base) < 0)
		return reject(s, DECC_EINVAL,
			      "transaction underpriced: gas price below the base fee 1000000000"),
		       1;
	*out = tx->gas_price;
	return 0;
}

static int insert_tx_records(struct decc_ledger *l, struct block_ctx *b,
			     struct decc_ledger_submit *s, const struct decc_exec_result *res,
			     uint64_t gas_used, const decc_u256 *price)
{
	uint8_t bloom[256] = { 0 }, pbe[32];
	sqlite3_stmt *st;
	struct conn *c = &l->w;
	size_t n_logs = res && res->success ? res->n_logs : 0;

	for (size_t i = 0; i < n_logs; i++) {
		const struct decc_log *lg = &res->logs[i];

		decc_bloom_add(bloom, lg->address.b, 20);
		for (size_t t = 0; t < lg->n_topics; t++)
			decc_bloom_add(bloom, lg->topics[t], 32);
		DECC_TRY(stmt(c, &st, ST_INS_LOG));
		sqlite3_bind_int64(st, 1, (sqlite3_int64)b->number);
		sqlite3_bind_int64(st, 2, b->n_logs + (sqlite3_int64)i);
		sqlite3_bind_int64(st, 3, b->n_txs);
		sqlite3_bind_blob(st, 4, s->hash, 32, SQLITE_STATIC);
		sqlite3_bind_blob(st, 5, lg->address.b, 20, SQLITE_STATIC);
		for (size_t t = 0; t < 4; t++) {
			if (t < lg->n_topics)
				sqlite3_bind_blob(st, 6 + (int)t, lg->topics[t], 32, SQLITE_STATIC);
			else
				sqlite3_bind_null(st, 6 + (int)t);
		}
		sqlite3_bind_blob(st, 10, lg->data.data, (int)lg->data.len, SQLITE_STATIC);
		DECC_TRY(step_done(c, st, "writing a log"));
	}
	DECC_TRY(stmt(c, &st, ST_INS_TX));
	sqlite3_bind_blob(st, 1, s->hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)b->number);
	sqlite3_bind_int64(st, 3, b->n_txs);
	sqlite3_bind_blob(st, 4, s->sender.b, 20, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, s->raw, (int)s->raw_len, SQLITE_STATIC);
	DECC_TRY(step_done(c, st, "writing a transaction"));
	b->gas_used += gas_used;
	decc_u256_to_be(pbe, price);
	DECC_TRY(stmt(c, &st, ST_INS_RECEIPT));
	sqlite3_bind_blob(st, 1, s->hash, 32, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, res && res->success ? 1 : 0);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)gas_used);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)b->gas_used);
	sqlite3_bind_blob(st, 5, pbe, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 6, bloom, 256, SQLITE_STATIC);
	DECC_TRY(step_done(c, st, "writing a receipt"));
	for (size_t i = 0; i < 256; i++)
		b->bloom[i] |= bloom[i];
	decc_keccak_update(&b->txroot, s->hash, 32);
	b->n_txs++;
	b->n_logs += (uint32_t)n_logs;
	return 0;
}

static bool is_contract(struct decc_ledger *l, struct decc_state *st, const decc_address *a)
{
	return l->has_exec && l->exec.is_contract(l->exec.ctx, st, a);
}

/* Run one transaction in its own overlay; a negative return aborts the block. */
static int apply_tx(struct decc_ledger *l, struct block_ctx *b, struct decc_ledger_submit *s)
{
	const struct decc_tx *tx = s->tx;
	decc_u256 price, bal, cost, fee, gas256;
	uint64_t nonce, intrinsic, gas_used;
	struct decc_exec_result res;
	struct decc_state st;
	struct xstate x;
	int r;

	s->status = 0;
	s->reason[0] = 0;
	if (tx->chain_id != l->chain_id)
		return reject(s, DECC_EINVAL, "invalid chain id %llu (this chain is %llu)",
			      (unsigned long long)tx->chain_id, (unsigned long long)l->chain_id);
	if (!tx->has_to)
		return reject(s, DECC_EINVAL,
			      "contract creation is not supported: decc node runs native "
			      "contracts only");
	intrinsic = decc_intrinsic_gas(tx->data.data, tx->data.len);
	if (tx->gas < intrinsic)
		return reject(s, DECC_EINVAL, "intrinsic gas too low: have %llu, want %llu",
			      (unsigned long long)tx->gas, (unsigned long long)intrinsic);
	if (tx->gas > DECC_LEDGER_BLOCK_GAS_LIMIT)
		return reject(s, DECC_EINVAL, "exceeds block gas limit");
	if (effective_price(&price, s))
		return 0;
	DECC_TRY(account_get(&l->w, &bal, &nonce, &s->sender));
	if (tx->nonce < nonce)
		return reject(s, DECC_EINVAL, "nonce too low: next nonce %llu, tx nonce %llu",
			      (unsigned long long)nonce, (unsigned long long)tx->nonce);
	if (tx->nonce > nonce)
		return reject(s, DECC_EINVAL, "nonce too high: next nonce %llu, tx nonce %llu",
			      (unsigned long long)nonce, (unsigned long long)tx->nonce);
	gas256 = decc_u256_from_u64(tx->gas);
	if (decc_u256_mul(&cost, &gas256, &price) || decc_u256_add(&cost, &cost, &tx->value) ||
	    decc_u256_cmp(&bal, &cost) < 0) {
		char have[79];

		decc_u256_to_dec(have, &bal);
		return reject(s, DECC_EINVAL,
			      "insufficient funds for gas * price + value: address has %s wei",
			      have);
	}
	DECC_TRY(nonce_put(&l->w, &s->sender, nonce + 1));

	decc_exec_result_init(&res);
	xs_init(&x, &l->w, &st);
	r = xs_transfer(&x, &s->sender, &tx->to, &tx->value);
	if (r < 0)
		goto out;
	res.success = true;
	if (is_contract(l, &st, &tx->to)) {
		struct decc_exec_env env = {
			.state = &st,
			.chain_id = l->chain_id,
			.block_number = b->number,
			.timestamp = b->ts,
		};
		struct decc_exec_call call = {
			.from = s->sender,
			.to = tx->to,
			.value = tx->value,
			.data = tx->data.data,
			.len = tx->data.len,
		};

		res.success = false;
		r = l->exec.execute(l->exec.ctx, &env, &call, &res);
		if (r < 0) {
			decc_error_wrap(r, "ledger: executing a transaction");
			goto out;
		}
	}
	gas_used = intrinsic + res.gas_used;
	if (gas_used < intrinsic || gas_used > tx->gas) {
		gas_used = tx->gas; /* out of gas: the call's effects are dropped */
		res.success = false;
	}
	if (res.success) {
		r = xs_flush(&x);
		if (r < 0)
			goto out;
	}
	/*
	 * The fee goes to the coinbase (the zero address), credited once per block: the total
	 * supply never changes.
	 */
	gas256 = decc_u256_from_u64(gas_used);
	(void)decc_u256_mul(&fee, &gas256, &price); /* <= gas * price, checked above */
	overlay_release(&x.ov);
	xs_init(&x, &l->w, &st);
	r = xs_balance(&x, &bal, &s->sender);
	if (r == 0 && (decc_u256_sub(&bal, &bal, &fee) || decc_u256_add(&b->fees, &b->fees, &fee)))
		r = decc_error_set(DECC_ERROR, "ledger: fee arithmetic overflow");
	if (r == 0)
		r = set_balance(&x, &s->sender, &bal);
	if (r == 0)
		r = xs_flush(&x);
	if (r == 0)
		r = insert_tx_records(l, b, s, &res, gas_used, &price);
out:
	overlay_release(&x.ov);
	decc_exec_result_release(&res);
	return r;
}

int decc_ledger_mine(struct decc_ledger *l, struct decc_ledger_submit *txs, size_t n,
		     uint64_t *number_out)
{
	struct block_ctx b;
	uint8_t root[32], hash[32];
	uint64_t now;
	int r;

	memset(&b, 0, sizeof(b));
	pthread_mutex_lock(&l->wlock);
	b.number = atomic_load(&l->head) + 1;
	now = now_seconds() + l->time_offset;
	b.ts = now > l->head_ts ? now : l->head_ts;
	decc_keccak_init(&b.txroot);
	r = exec_simple(&l->w, ST_BEGIN_W);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < n && r == 0; i++)
		r = apply_tx(l, &b, &txs[i]);
	if (r == 0 && !decc_u256_is_zero(&b.fees)) {
		struct decc_state st;
		struct xstate x;

		xs_init(&x, &l->w, &st);
		r = credit(&x, &DECC_ADDRESS_ZERO, &b.fees);
		if (r == 0)
			r = xs_flush(&x);
		overlay_release(&x.ov);
	}
	if (r == 0) {
		decc_keccak_final(&b.txroot, root);
		block_hash(hash, l->head_hash, b.number, b.ts, root, b.gas_used, l->chain_id);
		r = insert_block(&l->w, b.number, hash, l->head_hash, b.ts, b.gas_used, b.bloom);
	}
	if (r == 0)
		r = exec_simple(&l->w, ST_COMMIT);
	if (r < 0) {
		sqlite3_exec(l->w.db, "ROLLBACK", NULL, NULL, NULL);
		goto out;
	}
	memcpy(l->head_hash, hash, 32);
	l->head_ts = b.ts;
	atomic_store(&l->head, b.number);
	if (number_out)
		*number_out = b.number;
out:
	pthread_mutex_unlock(&l->wlock);
	return r;
}

int decc_ledger_increase_time(struct decc_ledger *l, uint64_t secs, uint64_t *total)
{
	uint64_t t;
	int r;

	pthread_mutex_lock(&l->wlock);
	t = l->time_offset + secs;
	if (t < l->time_offset || t > (1ULL << 40)) {
		r = decc_error_set(DECC_EINVAL, "time shift out of range");
		goto out;
	}
	r = meta_put_u64(&l->w, "time_offset", t);
	if (r == 0) {
		l->time_offset = t;
		if (total)
			*total = t;
	}
out:
	pthread_mutex_unlock(&l->wlock);
	return r;
}

/* ---- reads ------------------------------------------------------------------------------- */

int decc_ledger_account(struct decc_ledger *l, decc_u256 *balance, uint64_t *nonce,
			const decc_address *a)
{
	struct conn *c;
	decc_u256 b;
	uint64_t n;
	int r;

	DECC_TRY(reader_get(l, &c));
	r = account_get(c, &b, &n, a);
	reader_put(l, c);
	if (r == 0) {
		if (balance)
			*balance = b;
		if (nonce)
			*nonce = n;
	}
	return r;
}

int decc_ledger_state_get(struct decc_ledger *l, struct decc_buf *out, const uint8_t *key,
			  size_t keylen)
{
	struct conn *c;
	int r;

	DECC_TRY(reader_get(l, &c));
	r = kv_get(c, out, key, keylen);
	reader_put(l, c);
	return r;
}

int decc_ledger_is_contract(struct decc_ledger *l, bool *out, const decc_address *a)
{
	struct decc_state st;
	struct xstate x;
	struct conn *c;

	if (!l->has_exec) {
		*out = false;
		return 0;
	}
	DECC_TRY(reader_get(l, &c));
	xs_init(&x, c, &st);
	*out = is_contract(l, &st, a);
	overlay_release(&x.ov);
	reader_put(l, c);
	return 0;
}

int decc_ledger_call(struct decc_ledger *l, struct decc_exec_result *result,
		     const struct decc_exec_call *call)
{
	struct decc_exec_result res;
	struct decc_state st;
	struct xstate x;
	struct conn *c;
	uint64_t intrinsic = decc_intrinsic_gas(call->data, call->len), now;
	int r;

	DECC_TRY(reader_get(l, &c));
	decc_exec_result_init(&res);
	xs_init(&x, c, &st);
	r = exec_simple(c, ST_BEGIN); /* one snapshot for the whole call */
	if (r < 0)
		goto out;
	if (!decc_u256_is_zero(&call->value)) {
		r = xs_transfer(&x, &call->from, &call->to, &call->value);
		if (r == DECC_EREVERT) {
			r = decc_error_set(DECC_EINVAL, "insufficient funds for value");
			goto end;
		}
		if (r < 0)
			goto end;
	}
	res.success = true;
	if (is_contract(l, &st, &call->to)) {
		struct decc_exec_env env = {
			.state = &st,
			.chain_id = l->chain_id,
			.block_number = decc_ledger_head(l) + 1,
		};

		pthread_mutex_lock(&l->wlock);
		now = now_seconds() + l->time_offset;
		env.timestamp = now > l->head_ts ? now : l->head_ts;
		pthread_mutex_unlock(&l->wlock);
		res.success = false;
		r = l->exec.execute(l->exec.ctx, &env, call, &res);
	}
end:
	exec_simple(c, ST_COMMIT) < 0 ? (void)sqlite3_exec(c->db, "ROLLBACK", 0, 0, 0) : (void)0;
out:
	overlay_release(&x.ov);
	reader_put(l, c);
	if (r < 0) {
		decc_exec_result_release(&res);
		return r;
	}
	res.gas_used += intrinsic;
	decc_exec_result_release(result);
	*result = res;
	return 0;
}

static int read_block(struct conn *c, struct decc_block_info *out, sqlite3_stmt *s)
{
	struct decc_block_info b;
	sqlite3_stmt *t;
	size_t cap = 0;
	int rc;

	memset(&b, 0, sizeof(b));
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		if (rc == SQLITE_DONE)
			return decc_error_set(DECC_ENOTFOUND, "no such block");
		return sql_error(c->db, "reading a block");
	}
	b.number = (uint64_t)sqlite3_column_int64(s, 0);
	if (sqlite3_column_bytes(s, 1) != 32 || sqlite3_column_bytes(s, 2) != 32 ||
	    sqlite3_column_bytes(s, 5) != 256) {
		sqlite3_reset(s);
		return decc_error_set(DECC_ERROR, "ledger: corrupt block record");
	}
	memcpy(b.hash, sqlite3_column_blob(s, 1), 32);
	memcpy(b.parent, sqlite3_column_blob(s, 2), 32);
	b.timestamp = (uint64_t)sqlite3_column_int64(s, 3);
	b.gas_used = (uint64_t)sqlite3_column_int64(s, 4);
	memcpy(b.bloom, sqlite3_column_blob(s, 5), 256);
	sqlite3_reset(s);
	DECC_TRY(stmt(c, &t, ST_BLOCK_TXS));
	sqlite3_bind_int64(t, 1, (sqlite3_int64)b.number);
	while ((rc = sqlite3_step(t)) == SQLITE_ROW) {
		if (b.n_txs == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			void *p = realloc(b.tx_hashes, ncap * 32);

			if (!p) {
				rc = SQLITE_NOMEM;
				break;
			}
			b.tx_hashes = p;
			cap = ncap;
		}
		if (sqlite3_column_bytes(t, 0) == 32)
			memcpy(b.tx_hashes[b.n_txs++], sqlite3_column_blob(t, 0), 32);
	}
	sqlite3_reset(t);
	if (rc != SQLITE_DONE) {
		free(b.tx_hashes);
		return sql_error(c->db, "reading a block's transactions");
	}
	*out = b;
	return 0;
}

int decc_ledger_block_by_number(struct decc_ledger *l, struct decc_block_info *out, uint64_t number)
{
	sqlite3_stmt *s;
	struct conn *c;
	int r;

	DECC_ENSURE(number <= INT64_MAX, DECC_ENOTFOUND, "no such block");
	DECC_TRY(reader_get(l, &c));
	r = exec_simple(c, ST_BEGIN);
	if (r == 0) {
		r = stmt(c, &s, ST_BLOCK_BY_NUM);
		if (r == 0) {
			sqlite3_bind_int64(s, 1, (sqlite3_int64)number);
			r = read_block(c, out, s);
		}
		(void)exec_simple(c, ST_COMMIT);
	}
	reader_put(l, c);
	return r;
}

int decc_ledger_block_by_hash(struct decc_ledger *l, struct decc_block_info *out,
			      const uint8_t hash[32])
{
	sqlite3_stmt *s;
	struct conn *c;
	int r;

	DECC_TRY(reader_get(l, &c));
	r = exec_simple(c, ST_BEGIN);
	if (r == 0) {
		r = stmt(c, &s, ST_BLOCK_BY_HASH);
		if (r == 0) {
			sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
			r = read_block(c, out, s);
		}
		(void)exec_simple(c, ST_COMMIT);
	}
	reader_put(l, c);
	return r;
}

void decc_block_info_release(struct decc_block_info *b)
{
	if (!b)
		return;
	free(b->tx_hashes);
	memset(b, 0, sizeof(*b));
}

void decc_log_infos_free(struct decc_log_info *logs, size_t n)
{
	for (size_t i = 0; logs && i < n; i++)
		decc_buf_release(&logs[i].log.data);
	free(logs);
}

/* Fill a log from columns address, topic0..3, data starting at col. */
static int read_log(struct decc_log *lg, sqlite3_stmt *s, int col)
{
	memset(lg, 0, sizeof(*lg));
	decc_buf_init(&lg->data, DECC_STATE_MAX_VALUE);
	if (sqlite3_column_bytes(s, col) != 20)
		return decc_error_set(DECC_ERROR, "ledger: corrupt log record");
	memcpy(lg->address.b, sqlite3_column_blob(s, col), 20);
	for (int t = 0; t < 4; t++) {
		if (sqlite3_column_type(s, col + 1 + t) == SQLITE_NULL)
			break;
		if (sqlite3_column_bytes(s, col + 1 + t) != 32)
			return decc_error_set(DECC_ERROR, "ledger: corrupt log topic");
		memcpy(lg->topics[t], sqlite3_column_blob(s, col + 1 + t), 32);
		lg->n_topics++;
	}
	return decc_buf_append(&lg->data, sqlite3_column_blob(s, col + 5),
			       (size_t)sqlite3_column_bytes(s, col + 5));
}

static int read_tx(struct conn *c, struct decc_tx_info *t, const uint8_t hash[32])
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc, r = 0;

	DECC_TRY(stmt(c, &s, ST_TX_GET));
	sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		if (rc == SQLITE_DONE)
			return decc_error_set(DECC_ENOTFOUND, "no such transaction");
		return sql_error(c->db, "reading a transaction");
	}
	memcpy(t->hash, hash, 32);
	t->block = (uint64_t)sqlite3_column_int64(s, 0);
	t->index = (uint32_t)sqlite3_column_int64(s, 1);
	if (sqlite3_column_bytes(s, 2) != 20 || sqlite3_column_bytes(s, 4) != 32 ||
	    sqlite3_column_bytes(s, 8) != 32 || sqlite3_column_bytes(s, 9) != 256) {
		sqlite3_reset(s);
		return decc_error_set(DECC_ERROR, "ledger: corrupt transaction record");
	}
	memcpy(t->from.b, sqlite3_column_blob(s, 2), 20);
	r = decc_buf_append(&t->raw, sqlite3_column_blob(s, 3), (size_t)sqlite3_column_bytes(s, 3));
	memcpy(t->block_hash, sqlite3_column_blob(s, 4), 32);
	t->success = sqlite3_column_int(s, 5) != 0;
	t->gas_used = (uint64_t)sqlite3_column_int64(s, 6);
	t->cumulative_gas_used = (uint64_t)sqlite3_column_int64(s, 7);
	decc_u256_from_be(&t->effective_gas_price, sqlite3_column_blob(s, 8));
	memcpy(t->bloom, sqlite3_column_blob(s, 9), 256);
	sqlite3_reset(s);
	if (r < 0)
		return r;
	DECC_TRY(stmt(c, &s, ST_TX_LOGS));
	sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct decc_log_info *li;

		if (t->n_logs == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			void *p = realloc(t->logs, ncap * sizeof(*t->logs));

			if (!p) {
				r = decc_error_set(DECC_ENOMEM, "out of memory");
				break;
			}
			t->logs = p;
			cap = ncap;
		}
		li = &t->logs[t->n_logs];
		r = read_log(&li->log, s, 1);
		t->n_logs++;
		if (r < 0)
			break;
		li->block = t->block;
		memcpy(li->block_hash, t->block_hash, 32);
		memcpy(li->tx_hash, hash, 32);
		li->tx_index = t->index;
		li->log_index = (uint32_t)sqlite3_column_int64(s, 0);
	}
	sqlite3_reset(s);
	if (r == 0 && rc != SQLITE_DONE)
		r = sql_error(c->db, "reading logs");
	return r;
}

int decc_ledger_tx_by_hash(struct decc_ledger *l, struct decc_tx_info *out, const uint8_t hash[32])
{
	struct decc_tx_info t;
	struct conn *c;
	int r;

	memset(&t, 0, sizeof(t));
	decc_buf_init(&t.raw, DECC_TX_MAX_SIZE);
	DECC_TRY(reader_get(l, &c));
	r = exec_simple(c, ST_BEGIN);
	if (r == 0) {
		r = read_tx(c, &t, hash);
		(void)exec_simple(c, ST_COMMIT);
	}
	reader_put(l, c);
	if (r < 0) {
		decc_tx_info_release(&t);
		return r;
	}
	*out = t;
	return 0;
}

void decc_tx_info_release(struct decc_tx_info *t)
{
	if (!t)
		return;
	decc_buf_release(&t->raw);
	decc_log_infos_free(t->logs, t->n_logs);
	memset(t, 0, sizeof(*t));
}

static bool topics_match(const struct decc_log *lg, const struct decc_log_filter *f)
{
	for (size_t i = 0; i < 4; i++) {
		bool any = false;

		if (f->n_topics[i] == 0)
			continue;
		if (i >= lg->n_topics)
			return false;
		for (size_t j = 0; j < f->n_topics[i] && !any; j++)
			any = memcmp(lg->topics[i], f->topics[i][j], 32) == 0;
		if (!any)
			return false;
	}
	return true;
}

static int build_logs_query(struct decc_buf *sql, const struct decc_log_filter *f)
{
	DECC_TRY(decc_buf_append_str(
	    sql,
	    "SELECT l.block, l.log_index, l.tx_index, l.tx_hash, l.address, l.topic0, l.topic1, "
	    "l.topic2, l.topic3, l.data, b.hash FROM logs l JOIN blocks b ON b.number = "
	    "l.block WHERE l.block BETWEEN ?1 AND ?2"));
	if (f->n_addresses) {
		DECC_TRY(decc_buf_append_str(sql, " AND l.address IN (?"));
		for (size_t i = 1; i < f->n_addresses; i++)
			DECC_TRY(decc_buf_append_str(sql, ",?"));
		DECC_TRY(decc_buf_append_str(sql, ")"));
	}
	if (f->n_topics[0]) {
		DECC_TRY(decc_buf_append_str(sql, " AND l.topic0 IN (?"));
		for (size_t i = 1; i < f->n_topics[0]; i++)
			DECC_TRY(decc_buf_append_str(sql, ",?"));
		DECC_TRY(decc_buf_append_str(sql, ")"));
	}
	return decc_buf_append_str(sql, " ORDER BY l.block, l.log_index");
}

static int query_logs(struct conn *c, struct decc_log_info **out, size_t *n_out,
		      const struct decc_log_filter *f)
{
	struct decc_buf sql = DECC_BUF_INIT;
	struct decc_log_info *logs = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s = NULL;
	int rc, r, k = 3;

	r = build_logs_query(&sql, f);
	if (r < 0)
		goto out;
	if (sqlite3_prepare_v2(c->db, decc_buf_str(&sql), -1, &s, NULL) != SQLITE_OK) {
		r = sql_error(c->db, "preparing a log query");
		goto out;
	}
	sqlite3_bind_int64(s, 1, (sqlite3_int64)f->from_block);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)f->to_block);
	for (size_t i = 0; i < f->n_addresses; i++)
		sqlite3_bind_blob(s, k++, f->addresses[i].b, 20, SQLITE_STATIC);
	for (size_t i = 0; i < f->n_topics[0]; i++)
		sqlite3_bind_blob(s, k++, f->topics[0][i], 32, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct decc_log_info li;

		memset(&li, 0, sizeof(li));
		r = read_log(&li.log, s, 4);
		if (r < 0 || !topics_match(&li.log, f)) {
			decc_buf_release(&li.log.data);
			if (r < 0)
				goto out;
			continue;
		}
		if (n >= f->max_results) {
			decc_buf_release(&li.log.data);
			r = decc_error_set(DECC_ELIMIT,
					   "query returned more than %zu results; narrow the block "
					   "range or add address/topic filters",
					   f->max_results);
			goto out;
		}
		li.block = (uint64_t)sqlite3_column_int64(s, 0);
		li.log_index = (uint32_t)sqlite3_column_int64(s, 1);
		li.tx_index = (uint32_t)sqlite3_column_int64(s, 2);
		if (sqlite3_column_bytes(s, 3) == 32)
			memcpy(li.tx_hash, sqlite3_column_blob(s, 3), 32);
		if (sqlite3_column_bytes(s, 10) == 32)
			memcpy(li.block_hash, sqlite3_column_blob(s, 10), 32);
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			void *p = realloc(logs, ncap * sizeof(*logs));

			if (!p) {
				decc_buf_release(&li.log.data);
				r = decc_error_set(DECC_ENOMEM, "out of memory");
				goto out;
			}
			logs = p;
			cap = ncap;
		}
		logs[n++] = li;
	}
	if (rc != SQLITE_DONE) {
		r = sql_error(c->db, "querying logs");
		goto out;
	}
	*out = logs;
	*n_out = n;
	logs = NULL;
	n = 0;
	r = 0;
out:
	sqlite3_finalize(s);
	decc_buf_release(&sql);
	decc_log_infos_free(logs, n);
	return r;
}

int decc_ledger_logs(struct decc_ledger *l, struct decc_log_info **out, size_t *n_out,
		     const struct decc_log_filter *f)
{
	struct conn *c;
	int r;

	DECC_ENSURE(f->n_addresses <= DECC_LOG_FILTER_MAX_ADDRESSES, DECC_ELIMIT,
		    "at most %d addresses in a log filter", DECC_LOG_FILTER_MAX_ADDRESSES);
	for (size_t i = 0; i < 4; i++)
		DECC_ENSURE(f->n_topics[i] <= DECC_LOG_FILTER_MAX_TOPICS, DECC_ELIMIT,
			    "at most %d alternatives per topic", DECC_LOG_FILTER_MAX_TOPICS);
	DECC_ENSURE(f->from_block <= INT64_MAX && f->to_block <= INT64_MAX, DECC_EINVAL,
		    "block number out of range");
	if (f->from_block > f->to_block) {
		*out = NULL;
		*n_out = 0;
		return 0;
	}
	DECC_TRY(reader_get(l, &c));
	r = exec_simple(c, ST_BEGIN);
	if (r == 0) {
		r = query_logs(c, out, n_out, f);
		(void)exec_simple(c, ST_COMMIT);
	}
	reader_put(l, c);
	return r;
}
