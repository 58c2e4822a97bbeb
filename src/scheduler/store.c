/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scheduler's state on SQLite (WAL, synchronous=FULL): the block cursor, the deals seen,
 * tasks, replicates, workers and per-task logs. The only file of the scheduler that includes
 * sqlite3.h. Callers serialise access (the scheduler lock).
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/error.h"
#include "decc/hex.h"
#include "scheduler/internal.h"

struct sched_store {
	sqlite3 *db;
	char *path;
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS cursor(k INTEGER PRIMARY KEY CHECK (k = 0), next_block "
    "INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS deals(id BLOB PRIMARY KEY, note TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS tasks(id BLOB PRIMARY KEY, deal BLOB NOT NULL, idx INTEGER "
    "NOT NULL, status INTEGER NOT NULL, trust INTEGER NOT NULL, tag BLOB NOT NULL, timeref "
    "INTEGER NOT NULL, cdl INTEGER NOT NULL, rdl INTEGER NOT NULL, fdl INTEGER NOT NULL, "
    "consensus BLOB NOT NULL, has_challenge INTEGER NOT NULL, challenge BLOB NOT NULL, "
    "callback BLOB NOT NULL, cause TEXT NOT NULL, updated INTEGER NOT NULL, "
    "UNIQUE(deal, idx));"
    "CREATE TABLE IF NOT EXISTS repls(task BLOB NOT NULL, worker BLOB NOT NULL, status "
    "INTEGER NOT NULL, lost_from INTEGER NOT NULL, verified INTEGER NOT NULL, hash BLOB NOT "
    "NULL, chain_status INTEGER NOT NULL, created INTEGER NOT NULL, cause TEXT NOT NULL, "
    "result_link TEXT NOT NULL, callback_data TEXT NOT NULL, PRIMARY KEY(task, worker));"
    "CREATE INDEX IF NOT EXISTS repls_worker ON repls(worker);"
    "CREATE TABLE IF NOT EXISTS workers(addr BLOB PRIMARY KEY, last_ping INTEGER NOT NULL, "
    "weight INTEGER NOT NULL, slots INTEGER NOT NULL, tee INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS logs(id INTEGER PRIMARY KEY AUTOINCREMENT, task BLOB NOT "
    "NULL, time INTEGER NOT NULL, text TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS logs_task ON logs(task);";

static int db_fail(struct sched_store *s, const char *what)
{
	return decc_error_set(DECC_ERROR, "scheduler database %s: %s: %s", s->path, what,
			      sqlite3_errmsg(s->db));
}

int sched_store_open(struct sched_store **out, const char *path)
{
	struct sched_store *s = calloc(1, sizeof(*s));

	if (!s)
		return decc_error_set(DECC_ENOMEM, "out of memory opening %s", path);
	s->path = strdup(path);
	if (!s->path) {
		free(s);
		return decc_error_set(DECC_ENOMEM, "out of memory opening %s", path);
	}
	if (sqlite3_open_v2(path, &s->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
			    NULL) != SQLITE_OK) {
		int r = db_fail(s, "open");

		sched_store_close(s);
		return r;
	}
	sqlite3_busy_timeout(s->db, 5000);
	if (sqlite3_exec(s->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", NULL, NULL,
			 NULL) != SQLITE_OK ||
	    sqlite3_exec(s->db, schema, NULL, NULL, NULL) != SQLITE_OK) {
		int r = db_fail(s, "create the schema");

		sched_store_close(s);
		return r;
	}
	*out = s;
	return 0;
}

void sched_store_close(struct sched_store *s)
{
	if (!s)
		return;
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

int sched_store_begin(struct sched_store *s)
{
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(s, "begin");
	return 0;
}

int sched_store_commit(struct sched_store *s)
{
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		int r = db_fail(s, "commit");

		sched_store_rollback(s);
		return r;
	}
	return 0;
}

bool sched_store_in_transaction(struct sched_store *s)
{
	return !sqlite3_get_autocommit(s->db);
}

void sched_store_rollback(struct sched_store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

static int prep(struct sched_store *s, sqlite3_stmt **st, const char *sql)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
		return db_fail(s, "prepare");
	return 0;
}

/* Run a statement that returns no row. */
static int done(struct sched_store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(s, what);
	return 0;
}

static void col_blob(sqlite3_stmt *st, int i, void *out, size_t n)
{
	const void *p = sqlite3_column_blob(st, i);

	memset(out, 0, n);
	if (p && (size_t)sqlite3_column_bytes(st, i) == n)
		memcpy(out, p, n);
}

static void col_text(sqlite3_stmt *st, int i, char *out, size_t cap)
{
	const unsigned char *p = sqlite3_column_text(st, i);

	snprintf(out, cap, "%s", p ? (const char *)p : "");
}

int sched_store_cursor(struct sched_store *s, uint64_t *out, bool *found)
{
	sqlite3_stmt *st;
	int rc;

	DECC_TRY(prep(s, &st, "SELECT next_block FROM cursor WHERE k = 0"));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = (uint64_t)sqlite3_column_int64(st, 0);
		*found = true;
	} else if (rc == SQLITE_DONE) {
		*found = false;
	} else {
		sqlite3_finalize(st);
		return db_fail(s, "read the cursor");
	}
	sqlite3_finalize(st);
	return 0;
}

int sched_store_set_cursor(struct sched_store *s, uint64_t next_block)
{
	sqlite3_stmt *st;

	DECC_TRY(prep(s, &st, "INSERT OR REPLACE INTO cursor(k, next_block) VALUES (0, ?)"));
	sqlite3_bind_int64(st, 1, (sqlite3_int64)next_block);
	return done(s, st, "write the cursor");
}

int sched_store_deal_seen(struct sched_store *s, bool *out, const uint8_t deal[32])
{
	sqlite3_stmt *st;
	int rc;

	DECC_TRY(prep(s, &st, "SELECT 1 FROM deals WHERE id = ?"));
	sqlite3_bind_blob(st, 1, deal, 32, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(s, "read a deal");
	*out = rc == SQLITE_ROW;
	return 0;
}

int sched_store_deal_add(struct sched_store *s, const uint8_t deal[32], const char *note)
{
	sqlite3_stmt *st;

	DECC_TRY(prep(s, &st, "INSERT OR REPLACE INTO deals(id, note) VALUES (?, ?)"));
	sqlite3_bind_blob(st, 1, deal, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, note, -1, SQLITE_STATIC);
	return done(s, st, "write a deal");
}

#define TASK_COLS                                                                                  \
	"id, deal, idx, status, trust, tag, timeref, cdl, rdl, fdl, consensus, has_challenge, "    \
	"challenge, callback, cause, updated"

int sched_store_task_put(struct sched_store *s, const struct sched_task *t)
{
	sqlite3_stmt *st;

	DECC_TRY(prep(s, &st,
		      "INSERT OR REPLACE INTO tasks(" TASK_COLS
		      ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
	sqlite3_bind_blob(st, 1, t->id, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, t->deal, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)t->idx);
	sqlite3_bind_int(st, 4, t->status);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)t->trust);
	sqlite3_bind_blob(st, 6, t->tag, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)t->timeref);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)t->contribution_deadline);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)t->reveal_deadline);
	sqlite3_bind_int64(st, 10, (sqlite3_int64)t->final_deadline);
	sqlite3_bind_blob(st, 11, t->consensus, 32, SQLITE_STATIC);
	sqlite3_bind_int(st, 12, t->has_challenge);
	sqlite3_bind_blob(st, 13, t->challenge.b, 20, SQLITE_STATIC);
	sqlite3_bind_blob(st, 14, t->callback.b, 20, SQLITE_STATIC);
	sqlite3_bind_text(st, 15, t->cause, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 16, (sqlite3_int64)t->updated);
	return done(s, st, "write a task");
}

static void task_row(sqlite3_stmt *st, struct sched_task *t)
{
	memset(t, 0, sizeof(*t));
	col_blob(st, 0, t->id, 32);
	col_blob(st, 1, t->deal, 32);
	t->idx = (uint64_t)sqlite3_column_int64(st, 2);
	t->status = sqlite3_column_int(st, 3);
	t->trust = (uint64_t)sqlite3_column_int64(st, 4);
	col_blob(st, 5, t->tag, 32);
	t->timeref = (uint64_t)sqlite3_column_int64(st, 6);
	t->contribution_deadline = (uint64_t)sqlite3_column_int64(st, 7);
	t->reveal_deadline = (uint64_t)sqlite3_column_int64(st, 8);
	t->final_deadline = (uint64_t)sqlite3_column_int64(st, 9);
	col_blob(st, 10, t->consensus, 32);
	t->has_challenge = sqlite3_column_int(st, 11) != 0;
	col_blob(st, 12, t->challenge.b, 20);
	col_blob(st, 13, t->callback.b, 20);
	col_text(st, 14, t->cause, sizeof(t->cause));
	t->updated = (uint64_t)sqlite3_column_int64(st, 15);
}

int sched_store_task_get(struct sched_store *s, struct sched_task *out, const uint8_t id[32])
{
	sqlite3_stmt *st;
	int rc;

	DECC_TRY(prep(s, &st, "SELECT " TASK_COLS " FROM tasks WHERE id = ?"));
	sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		task_row(st, out);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return decc_error_set(DECC_ENOTFOUND, "no such task in this scheduler");
	if (rc != SQLITE_ROW)
		return db_fail(s, "read a task");
	return 0;
}

/* Collect rows of a query into a growing array of `size`-byte records. */
static int collect(struct sched_store *s, sqlite3_stmt *st, void **out, size_t *n, size_t size,
		   void (*row)(sqlite3_stmt *, void *))
{
	uint8_t *items = NULL;
	size_t count = 0, cap = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : 8, bytes;
			uint8_t *p;

			if (decc_mul_overflow(ncap, size, &bytes) || !(p = realloc(items, bytes))) {
				free(items);
				sqlite3_finalize(st);
				return decc_error_set(DECC_ENOMEM, "out of memory reading %s",
						      s->path);
			}
			items = p;
			cap = ncap;
		}
		row(st, items + count * size);
		count++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(items);
		return db_fail(s, "read rows");
	}
	*out = items;
	*n = count;
	return 0;
}

static void task_row_v(sqlite3_stmt *st, void *p)
{
	task_row(st, p);
}

int sched_store_tasks(struct sched_store *s, struct sched_task **out, size_t *n, bool all)
{
	sqlite3_stmt *st;
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT " TASK_COLS " FROM tasks %s ORDER BY cdl, idx",
		 all ? "" : "WHERE status NOT IN (19, 20)"); /* T_COMPLETED, T_FAILED */
	DECC_TRY(prep(s, &st, sql));
	return collect(s, st, (void **)out, n, sizeof(**out), task_row_v);
}

#define REPL_COLS                                                                                  \
	"task, worker, status, lost_from, verified, hash, chain_status, created, cause, "          \
	"result_link, callback_data"

int sched_store_repl_put(struct sched_store *s, const struct sched_repl *r)
{
	sqlite3_stmt *st;

	DECC_TRY(prep(
	    s, &st, "INSERT OR REPLACE INTO repls(" REPL_COLS ") VALUES (?,?,?,?,?,?,?,?,?,?,?)"));
	sqlite3_bind_blob(st, 1, r->task, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, r->worker.b, 20, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, r->status);
	sqlite3_bind_int(st, 4, r->lost_from);
	sqlite3_bind_int(st, 5, r->verified);
	sqlite3_bind_blob(st, 6, r->hash, 32, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, r->chain_status);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)r->created);
	sqlite3_bind_text(st, 9, r->cause, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, r->result_link, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, r->callback_data, -1, SQLITE_STATIC);
	return done(s, st, "write a replicate");
}

static void repl_row(sqlite3_stmt *st, void *p)
{
	struct sched_repl *r = p;

	memset(r, 0, sizeof(*r));
	col_blob(st, 0, r->task, 32);
	col_blob(st, 1, r->worker.b, 20);
	r->status = sqlite3_column_int(st, 2);
	r->lost_from = sqlite3_column_int(st, 3);
	r->verified = sqlite3_column_int(st, 4) != 0;
	col_blob(st, 5, r->hash, 32);
	r->chain_status = sqlite3_column_int(st, 6);
	r->created = (uint64_t)sqlite3_column_int64(st, 7);
	col_text(st, 8, r->cause, sizeof(r->cause));
	col_text(st, 9, r->result_link, sizeof(r->result_link));
	col_text(st, 10, r->callback_data, sizeof(r->callback_data));
}

int sched_store_repl_get(struct sched_store *s, struct sched_repl *out, const uint8_t task[32],
			 const decc_address *w)
{
	sqlite3_stmt *st;
	int rc;

	DECC_TRY(prep(s, &st, "SELECT " REPL_COLS " FROM repls WHERE task = ? AND worker = ?"));
	sqlite3_bind_blob(st, 1, task, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, w->b, 20, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		repl_row(st, out);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return decc_error_set(DECC_ENOTFOUND, "this worker has no replicate of the task");
	if (rc != SQLITE_ROW)
		return db_fail(s, "read a replicate");
	return 0;
}

int sched_store_repls(struct sched_store *s, struct sched_repl **out, size_t *n,
		      const uint8_t task[32])
{
	sqlite3_stmt *st;

	DECC_TRY(prep(s, &st, "SELECT " REPL_COLS " FROM repls WHERE task = ? ORDER BY created"));
	sqlite3_bind_blob(st, 1, task, 32, SQLITE_TRANSIENT);
	return collect(s, st, (void **)out, n, sizeof(**out), repl_row);
}

int sched_store_repls_of(struct sched_store *s, struct sched_repl **out, size_t *n,
			 const decc_address *w)
{
	sqlite3_stmt *st;

	DECC_TRY(prep(s, &st, "SELECT " REPL_COLS " FROM repls WHERE worker = ? ORDER BY created"));
	sqlite3_bind_blob(st, 1, w->b, 20, SQLITE_TRANSIENT);
	return collect(s, st, (void **)out, n, sizeof(**out), repl_row);
}

int sched_store_worker_put(struct sched_store *s, const struct sched_worker *w)
{
	sqlite3_stmt *st;

	DECC_TRY(prep(s, &st,
		      "INSERT OR REPLACE INTO workers(addr, last_ping, weight, slots, tee) VALUES "
		      "(?,?,?,?,?)"));
	sqlite3_bind_blob(st, 1, w->addr.b, 20, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)w->last_ping);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)w->weight);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)w->slots);
	sqlite3_bind_int(st, 5, w->tee);
	return done(s, st, "write a worker");
}

static void worker_row(sqlite3_stmt *st, void *p)
{
	struct sched_worker *w = p;

	memset(w, 0, sizeof(*w));
	col_blob(st, 0, w->addr.b, 20);
	w->last_ping = (uint64_t)sqlite3_column_int64(st, 1);
	w->weight = (uint64_t)sqlite3_column_int64(st, 2);
	w->slots = (uint64_t)sqlite3_column_int64(st, 3);
	w->tee = sqlite3_column_int(st, 4) != 0;
}

int sched_store_worker_get(struct sched_store *s, struct sched_worker *out, const decc_address *a)
{
	sqlite3_stmt *st;
	int rc;

	DECC_TRY(
	    prep(s, &st, "SELECT addr, last_ping, weight, slots, tee FROM workers WHERE addr = ?"));
	sqlite3_bind_blob(st, 1, a->b, 20, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		worker_row(st, out);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return decc_error_set(DECC_ENOTFOUND, "unknown worker");
	if (rc != SQLITE_ROW)
		return db_fail(s, "read a worker");
	return 0;
}

int sched_store_workers(struct sched_store *s, struct sched_worker **out, size_t *n)
{
	sqlite3_stmt *st;

	DECC_TRY(prep(s, &st, "SELECT addr, last_ping, weight, slots, tee FROM workers"));
	return collect(s, st, (void **)out, n, sizeof(**out), worker_row);
}

int sched_store_log(struct sched_store *s, const uint8_t task[32], uint64_t time, const char *text)
{
	sqlite3_stmt *st;

	DECC_TRY(prep(s, &st, "INSERT INTO logs(task, time, text) VALUES (?,?,?)"));
	sqlite3_bind_blob(st, 1, task, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time);
	sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
	return done(s, st, "write a log line");
}

/* JSON string escaping of UTF-8 text (control characters as \u00XX). */
static int json_str(struct decc_buf *out, const char *p)
{
	DECC_TRY(decc_buf_append_byte(out, '"'));
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '"' || c == '\\') {
			DECC_TRY(decc_buf_append_byte(out, '\\'));
			DECC_TRY(decc_buf_append_byte(out, c));
		} else if (c < 0x20) {
			DECC_TRY(decc_buf_appendf(out, "\\u%04x", c));
		} else {
			DECC_TRY(decc_buf_append_byte(out, c));
		}
	}
	return decc_buf_append_byte(out, '"');
}

int sched_store_logs_json(struct sched_store *s, struct decc_buf *out, const uint8_t task[32])
{
	sqlite3_stmt *st;
	bool first = true;
	int rc, r = 0;

	DECC_TRY(prep(s, &st, "SELECT time, text FROM logs WHERE task = ? ORDER BY id"));
	sqlite3_bind_blob(st, 1, task, 32, SQLITE_STATIC);
	r = decc_buf_append_byte(out, '[');
	while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 1);

		r = decc_buf_appendf(out, "%s{\"time\":%lld,\"text\":", first ? "" : ",",
				     (long long)sqlite3_column_int64(st, 0));
		if (r == 0)
			r = json_str(out, t ? (const char *)t : "");
		if (r == 0)
			r = decc_buf_append_byte(out, '}');
		first = false;
	}
	sqlite3_finalize(st);
	if (r == 0)
		r = decc_buf_append_byte(out, ']');
	return r;
}
