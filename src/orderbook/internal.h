/* SPDX-License-Identifier: Apache-2.0 */
/* Shared inside the orderbook: the store (store.c, the only SQLite user) and the book. */
#ifndef DECC_ORDERBOOK_INTERNAL_H
#define DECC_ORDERBOOK_INTERNAL_H

#include <pthread.h>

#include "decc/orderbook.h"

struct ob_store;

/* One stored order; the text fields are lower-case 0x-hex. */
struct ob_row {
	char hash[67];
	enum decc_order_type type;
	char asset[43];	 /* app / dataset / workerpool, requester for a request */
	char signer[43]; /* who signed (owner at publication, requester) */
	char app[43], dataset[43], workerpool[43], requester[43]; /* see store.c */
	uint8_t tag[32];
	char volume[67]; /* 0x + 64 hex digits */
	char price[67];	 /* 0x + 64 hex digits: sorts as a number */
	uint64_t category, trust;
	char *json; /* owned: the order JSON */
	uint64_t published;
};

void ob_row_release(struct ob_row *r);

int ob_store_open(struct ob_store **out, const char *path);
void ob_store_close(struct ob_store *s);
/* Insert (DECC_EEXISTS when the hash is there already). */
int ob_store_insert(struct ob_store *s, const struct ob_row *r);
int ob_store_delete(struct ob_store *s, const char *hash);
int ob_store_count_signer(struct ob_store *s, uint64_t *out, const char *signer);
/* DECC_ENOTFOUND when absent. */
int ob_store_get(struct ob_store *s, struct ob_row *out, const char *hash);
/*
 * Every row matching q's SQL-expressible filters (type, asset, app/dataset/workerpool/
 * requester compatibility, tags, category, trust), cheapest first then oldest, at most max
 * rows; fn returns < 0 to stop with that code, 1 to stop without error.
 */
typedef int (*ob_row_fn)(void *ctx, const struct ob_row *r);
int ob_store_query(struct ob_store *s, const struct decc_orderbook_query *q, size_t max,
		   ob_row_fn fn, void *ctx);

/* The checker's context belongs to the book from now on (freed with it). */
void ob_own_ctx(struct decc_orderbook *ob, void *ctx);

/* "0x" + 40 lower-case hex digits */
void ob_addr_text(char out[43], const decc_address *a);

#endif
