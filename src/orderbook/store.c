/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The orderbook's SQLite store (the only file of the book that sees SQLite). One row per
 * order: its hash, type, signer, the columns the list filters use, and its JSON.
 *
 * The columns app, dataset, workerpool and requester hold, for each role, the value the order
 * requires there (the zero address: any): an app order has app = itself and the others = its
 * restrictions; a dataset and a workerpool order likewise; a request order has its app, its
 * dataset (exact), its workerpool restriction and its requester.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/error.h"
#include "decc/hex.h"
#include "orderbook/internal.h"

#define ZERO_ADDR "0x0000000000000000000000000000000000000000"

struct ob_store {
	sqlite3 *db;
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS orders("
    " hash TEXT PRIMARY KEY, type INTEGER NOT NULL, asset TEXT NOT NULL,"
    " signer TEXT NOT NULL, app TEXT NOT NULL, dataset TEXT NOT NULL,"
    " workerpool TEXT NOT NULL, requester TEXT NOT NULL, tag BLOB NOT NULL,"
    " volume TEXT NOT NULL, price TEXT NOT NULL, category INTEGER NOT NULL,"
    " trust INTEGER NOT NULL, json TEXT NOT NULL, published INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS orders_by_asset ON orders(type, asset, price, published);"
    "CREATE INDEX IF NOT EXISTS orders_by_signer ON orders(signer);";

void ob_addr_text(char out[43], const decc_address *a)
{
	decc_hex_encode(out, a->b, 20, true);
}

void ob_row_release(struct ob_row *r)
{
	free(r->json);
	r->json = NULL;
}

static int db_error(struct ob_store *s, const char *what)
{
	return decc_error_set(DECC_ERROR, "orderbook store: %s: %s", what, sqlite3_errmsg(s->db));
}

/* tag_has(tag, mask): every bit of mask is in tag; tag_within(tag, max): no bit outside max */
static void tag_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const uint8_t *t = sqlite3_value_blob(argv[0]), *m = sqlite3_value_blob(argv[1]);
	bool within = sqlite3_user_data(ctx) != NULL;
	int ok = 1;

	(void)argc;
	if (!t || !m || sqlite3_value_bytes(argv[0]) != 32 || sqlite3_value_bytes(argv[1]) != 32) {
		sqlite3_result_int(ctx, 0);
		return;
	}
	for (int i = 0; i < 32; i++) {
		if (within ? (t[i] & (uint8_t)~m[i]) != 0 : (t[i] & m[i]) != m[i])
			ok = 0;
	}
	sqlite3_result_int(ctx, ok);
}

int ob_store_open(struct ob_store **out, const char *path)
{
	struct ob_store *s = calloc(1, sizeof(*s));
	char *err = NULL;

	if (!s)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	if (sqlite3_open_v2(path, &s->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
			    NULL) != SQLITE_OK) {
		int r = decc_error_set(DECC_ERROR, "cannot open the orderbook store %s: %s", path,
				       s->db ? sqlite3_errmsg(s->db) : "out of memory");

		sqlite3_close(s->db);
		free(s);
		return r;
	}
	sqlite3_busy_timeout(s->db, 5000);
	if (sqlite3_exec(s->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", NULL, NULL,
			 &err) != SQLITE_OK ||
	    sqlite3_exec(s->db, schema, NULL, NULL, &err) != SQLITE_OK) {
		int r = decc_error_set(DECC_ERROR, "cannot set up the orderbook store %s: %s", path,
				       err ? err : "?");

		sqlite3_free(err);
		sqlite3_close(s->db);
		free(s);
		return r;
	}
	if (sqlite3_create_function(s->db, "tag_has", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
				    tag_fn, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(s->db, "tag_within", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
				    (void *)1, tag_fn, NULL, NULL) != SQLITE_OK) {
		int r = db_error(s, "registering functions");

		sqlite3_close(s->db);
		free(s);
		return r;
	}
	*out = s;
	return 0;
}

void ob_store_close(struct ob_store *s)
{
	if (!s)
		return;
	sqlite3_close(s->db);
	free(s);
}

static int64_t clamp64(uint64_t v)
{
	return v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v;
}

int ob_store_insert(struct ob_store *s, const struct ob_row *r)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO orders(hash,type,asset,signer,app,dataset,workerpool,"
			       "requester,tag,volume,price,category,trust,json,published) VALUES"
			       "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		return db_error(s, "insert");
	sqlite3_bind_text(st, 1, r->hash, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, (int)r->type);
	sqlite3_bind_text(st, 3, r->asset, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r->signer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, r->app, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, r->dataset, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, r->workerpool, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, r->requester, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 9, r->tag, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, r->volume, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, r->price, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 12, clamp64(r->category));
	sqlite3_bind_int64(st, 13, clamp64(r->trust));
	sqlite3_bind_text(st, 14, r->json, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 15, clamp64(r->published));
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT)
		return decc_error_set(DECC_EEXISTS, "order %s is already in the book", r->hash);
	if (rc != SQLITE_DONE)
		return db_error(s, "insert");
	return 0;
}

int ob_store_delete(struct ob_store *s, const char *hash)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db, "DELETE FROM orders WHERE hash = ?", -1, &st, NULL) !=
	    SQLITE_OK)
		return db_error(s, "delete");
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(s, "delete");
}

int ob_store_count_signer(struct ob_store *s, uint64_t *out, const char *signer)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM orders WHERE signer = ?", -1, &st,
			       NULL) != SQLITE_OK)
		return db_error(s, "count");
	sqlite3_bind_text(st, 1, signer, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : db_error(s, "count");
}

#define COLUMNS                                                                                    \
	"hash,type,asset,signer,app,dataset,workerpool,requester,tag,volume,price,category,"       \
	"trust,json,published"

static void copy_text(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

/* Fill r from the current row (r->json borrowed from the statement). */
static void read_row(struct ob_row *r, sqlite3_stmt *st)
{
	const void *tag = sqlite3_column_blob(st, 8);

	memset(r, 0, sizeof(*r));
	copy_text(r->hash, sizeof(r->hash), st, 0);
	r->type = (enum decc_order_type)sqlite3_column_int(st, 1);
	copy_text(r->asset, sizeof(r->asset), st, 2);
	copy_text(r->signer, sizeof(r->signer), st, 3);
	copy_text(r->app, sizeof(r->app), st, 4);
	copy_text(r->dataset, sizeof(r->dataset), st, 5);
	copy_text(r->workerpool, sizeof(r->workerpool), st, 6);
	copy_text(r->requester, sizeof(r->requester), st, 7);
	if (tag && sqlite3_column_bytes(st, 8) == 32)
		memcpy(r->tag, tag, 32);
	copy_text(r->volume, sizeof(r->volume), st, 9);
	copy_text(r->price, sizeof(r->price), st, 10);
	r->category = (uint64_t)sqlite3_column_int64(st, 11);
	r->trust = (uint64_t)sqlite3_column_int64(st, 12);
	r->json = (char *)sqlite3_column_text(st, 13);
	r->published = (uint64_t)sqlite3_column_int64(st, 14);
}

int ob_store_get(struct ob_store *s, struct ob_row *out, const char *hash)
{
	sqlite3_stmt *st = NULL;
	struct ob_row r;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT " COLUMNS " FROM orders WHERE hash = ?", -1, &st,
			       NULL) != SQLITE_OK)
		return db_error(s, "get");
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE)
			return decc_error_set(DECC_ENOTFOUND, "no order %s in the book", hash);
		return db_error(s, "get");
	}
	read_row(&r, st);
	r.json = strdup(r.json ? r.json : "");
	sqlite3_finalize(st);
	if (!r.json)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	*out = r;
	return 0;
}

/* The column of a role, and whether the type's value there is exact (not a restriction). */
static bool role_exact(enum decc_order_type t, int role)
{
	/* roles: 0 app, 1 dataset, 2 workerpool, 3 requester */
	switch (t) {
	case DECC_ORDER_APP:
		return role == 0;
	case DECC_ORDER_DATASET:
		return role == 1;
	case DECC_ORDER_WORKERPOOL:
		return role == 2;
	case DECC_ORDER_REQUEST:
		return role != 2;
	default:
		return false;
	}
}

int ob_store_query(struct ob_store *s, const struct decc_orderbook_query *q, size_t max,
		   ob_row_fn fn, void *ctx)
{
	static const char *const roles[4] = { "app", "dataset", "workerpool", "requester" };
	const decc_address *vals[4] = { q->app, q->dataset, q->workerpool, q->requester };
	char sql[1024], addr[5][43];
	size_t len;
	sqlite3_stmt *st = NULL;
	int rc, r = 0, bind = 2;

	len = (size_t)snprintf(sql, sizeof(sql), "SELECT " COLUMNS " FROM orders WHERE type = ?1");
	if (q->asset)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, " AND asset = ?%d", bind++);
	for (int i = 0; i < 4; i++) {
		if (!vals[i])
			continue;
		if (role_exact(q->type, i))
			len += (size_t)snprintf(sql + len, sizeof(sql) - len, " AND %s = ?%d",
						roles[i], bind++);
		else
			len += (size_t)snprintf(sql + len, sizeof(sql) - len,
						" AND (%s = '" ZERO_ADDR "' OR %s = ?%d)", roles[i],
						roles[i], bind++);
	}
	if (q->min_tag)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, " AND tag_has(tag, ?%d)",
					bind++);
	if (q->max_tag)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, " AND tag_within(tag, ?%d)",
					bind++);
	if (q->has_category)
		len +=
		    (size_t)snprintf(sql + len, sizeof(sql) - len, " AND category = ?%d", bind++);
	if (q->has_min_trust)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, " AND trust >= ?%d", bind++);
	if (q->has_max_trust)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, " AND trust <= ?%d", bind++);
	snprintf(sql + len, sizeof(sql) - len, " ORDER BY price, published, hash LIMIT %zu", max);

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_error(s, "query");
	bind = 1;
	sqlite3_bind_int(st, bind++, (int)q->type);
	if (q->asset) {
		ob_addr_text(addr[4], q->asset);
		sqlite3_bind_text(st, bind++, addr[4], -1, SQLITE_STATIC);
	}
	for (int i = 0; i < 4; i++) {
		if (!vals[i])
			continue;
		ob_addr_text(addr[i], vals[i]);
		sqlite3_bind_text(st, bind++, addr[i], -1, SQLITE_STATIC);
	}
	if (q->min_tag)
		sqlite3_bind_blob(st, bind++, q->min_tag, 32, SQLITE_STATIC);
	if (q->max_tag)
		sqlite3_bind_blob(st, bind++, q->max_tag, 32, SQLITE_STATIC);
	if (q->has_category)
		sqlite3_bind_int64(st, bind++, clamp64(q->category));
	if (q->has_min_trust)
		sqlite3_bind_int64(st, bind++, clamp64(q->min_trust));
	if (q->has_max_trust)
		sqlite3_bind_int64(st, bind++, clamp64(q->max_trust));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ob_row row;

		read_row(&row, st);
		r = fn(ctx, &row);
		if (r != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = db_error(s, "query");
	sqlite3_finalize(st);
	return r < 0 ? r : 0;
}
