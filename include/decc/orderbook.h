/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The orderbook: decc's off-chain market, like the iExec market API. Owners publish signed
 * orders; anyone lists them by type and asset with filters and pagination. An order is
 * accepted only when its signature is the asset owner's (the requester's for a request order)
 * and it still has volume; an order that became unusable (consumed, closed with
 * manage*Order CLOSE, or whose asset changed hands) is dropped when it is next listed.
 *
 * The book keeps its own SQLite store and asks the chain through a checker: the owner of an
 * asset, the consumed volume of an order hash and the EIP-712 domain separator. Inside
 * `decc node` the checker reads the ledger directly; standalone it can use any eth_call
 * (decc_orderbook_open_eth), e.g. the chain client against a real EVM chain.
 *
 * Thread-safe: one book may serve many HTTP threads.
 */
#ifndef DECC_ORDERBOOK_H
#define DECC_ORDERBOOK_H

#include "decc/order.h"

#define DECC_ORDERBOOK_MAX_BODY (64 * 1024) /* bytes of one POST body */
#define DECC_ORDERBOOK_MAX_PAGE_SIZE 1000   /* orders in one page */
#define DECC_ORDERBOOK_DEFAULT_PAGE_SIZE 20 /* when pageSize is not given */
#define DECC_ORDERBOOK_MAX_PER_SIGNER 1000  /* live orders of one signer (default) */
#define DECC_ORDERBOOK_MAX_SCAN 100000	    /* orders examined by one list request */

struct decc_orderbook;

struct decc_orderbook_checker {
	/* Owner of asset (an app, dataset or workerpool as t says); DECC_ENOTFOUND if it is
	 * not registered as such. */
	int (*asset_owner)(void *ctx, decc_address *out, enum decc_order_type t,
			   const decc_address *asset);
	/* Volume of the order already consumed on chain (closed orders: all of it). */
	int (*consumed)(void *ctx, decc_u256 *out, const uint8_t order_hash[32]);
	/* The hub's EIP-712 domain separator (orders are hashed with it). */
	int (*domain_separator)(void *ctx, uint8_t out[32]);
	void *ctx;
};

struct decc_orderbook_config {
	const char *path; /* SQLite file, created if missing */
	struct decc_orderbook_checker checker;
	size_t max_per_signer; /* 0: DECC_ORDERBOOK_MAX_PER_SIGNER */
};

DECC_EXTERN DECC_MUST_USE int decc_orderbook_open(struct decc_orderbook **out,
						  const struct decc_orderbook_config *cfg);
DECC_EXTERN void decc_orderbook_free(struct decc_orderbook *ob); /* NULL is fine */

/*
 * An eth_call: call `to` with data on the latest state, append the return data to out
 * (empty for an account without code); DECC_EREVERT when the call reverts.
 */
typedef int (*decc_orderbook_call_fn)(void *ctx, struct decc_buf *out, const decc_address *to,
				      const uint8_t *data, size_t n);
/*
 * Open a book whose checker asks the hub (and its registries, and the assets) with eth_call:
 * appregistry()/datasetregistry()/workerpoolregistry(), isRegistered(asset), asset.owner(),
 * viewConsumed(hash), eip712domain_separator(). call_ctx must outlive the book.
 */
DECC_EXTERN DECC_MUST_USE int decc_orderbook_open_eth(struct decc_orderbook **out, const char *path,
						      decc_orderbook_call_fn call, void *call_ctx,
						      const decc_address *hub);

/*
 * Publish a signed order (its JSON form, see order.h). Checks: the JSON parses, it has a
 * salt and a signature, the signature is the asset owner's (the requester's for a request),
 * the order has remaining volume, the signer has fewer than max_per_signer live orders.
 * Publishing an order already in the book is not an error. hash gets the order hash.
 * DECC_EAUTH: bad signature or not the owner; DECC_ELIMIT: too many orders; DECC_EINVAL:
 * malformed or fully consumed.
 */
DECC_EXTERN DECC_MUST_USE int decc_orderbook_publish(struct decc_orderbook *ob, uint8_t hash[32],
						     enum decc_order_type type, const char *json,
						     size_t n, uint64_t now);

/* What a list request asks; NULL/zero members do not filter. */
struct decc_orderbook_query {
	enum decc_order_type type;
	const decc_address *asset; /* the app/dataset/workerpool, or the requester */
	const decc_address *app, *dataset, *workerpool, *requester; /* compatible with */
	const uint8_t *min_tag;	     /* 32 bytes: the order's tag has every bit of it */
	const uint8_t *max_tag;	     /* 32 bytes: the order's tag has no bit outside it */
	const decc_u256 *min_volume; /* remaining volume at least */
	bool has_category;
	uint64_t category;
	bool has_min_trust, has_max_trust;
	uint64_t min_trust, max_trust;
	size_t page;	  /* 0-based */
	size_t page_size; /* 0: DECC_ORDERBOOK_DEFAULT_PAGE_SIZE; at most the max */
};

/*
 * List orders, cheapest first (then oldest): appends to out one JSON object
 * {"ok":true,"count":TOTAL,"page":P,"pageSize":S,"orders":[{"orderHash","order","signer",
 * "remaining","publicationTimestamp"},…]}. Dead orders met on the way are deleted.
 */
DECC_EXTERN DECC_MUST_USE int decc_orderbook_list(struct decc_orderbook *ob, struct decc_buf *out,
						  const struct decc_orderbook_query *q);

/* One order by hash: {"ok":true,"orderHash","type","order","signer","remaining",
 * "publicationTimestamp"}; DECC_ENOTFOUND when absent (or dead, and then deleted). */
DECC_EXTERN DECC_MUST_USE int decc_orderbook_get(struct decc_orderbook *ob, struct decc_buf *out,
						 const uint8_t hash[32]);

/* ---- HTTP (framework-neutral: the node and a standalone daemon adapt their server) ---- */
struct decc_orderbook_http_request {
	const char *method; /* "GET", "POST" */
	const char *path;   /* e.g. "/market/orders/app", without the query string */
	/* Value of a query argument, NULL when absent. */
	const char *(*arg)(void *ctx, const char *name);
	void *arg_ctx;
	const uint8_t *body; /* POST body, NULL when it was too large */
	size_t body_len;
	uint64_t now; /* seconds */
};

/*
 * Serve one request under /market/: POST /market/orders {"type","order"}, GET
 * /market/orders/<type>?filters, GET /market/order/<hash>. out gets a JSON body (errors
 * {"ok":false,"error":"…"}) and *status the HTTP status. Returns a negative code only when out
 * cannot grow.
 */
DECC_EXTERN DECC_MUST_USE int
decc_orderbook_http_handle(struct decc_orderbook *ob, struct decc_buf *out, unsigned *status,
			   const struct decc_orderbook_http_request *rq);

/* ---- the node's book ---- */
struct decc_ledger;
/*
 * The book of `decc node`: DIR/orderbook.db, checks through decc_ledger_call on the native
 * hub of the ledger's chain (decc_poco_config_default).
 */
DECC_EXTERN DECC_MUST_USE int decc_orderbook_open_node(struct decc_orderbook **out,
						       const char *data_dir,
						       struct decc_ledger *ledger);

/* ---- client (libcurl), for the CLI ---- */
/*
 * base is the market URL, e.g. "http://127.0.0.1:8545/market". Each call appends the JSON
 * answer of the server to out when it says "ok":true; otherwise it fails with the server's
 * error message (DECC_EINVAL for 4xx answers, DECC_ENOTFOUND for 404, DECC_ERROR for
 * transport failures).
 */
DECC_EXTERN DECC_MUST_USE int decc_orderbook_client_publish(struct decc_buf *out, const char *base,
							    enum decc_order_type type,
							    const char *order_json, size_t n);
/* query is a URL query string without "?" (already escaped), may be NULL. */
DECC_EXTERN DECC_MUST_USE int decc_orderbook_client_list(struct decc_buf *out, const char *base,
							 enum decc_order_type type,
							 const char *query);
DECC_EXTERN DECC_MUST_USE int decc_orderbook_client_get(struct decc_buf *out, const char *base,
							const uint8_t hash[32]);

#endif
