/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `decc node`: the ledger served as Ethereum JSON-RPC 2.0 over HTTP (docs/cmd/decc-node.md).
 * A single writer thread mines blocks; with automine it groups the transactions that arrive
 * while it commits into the next block (group commit), and every eth_sendRawTransaction answers
 * only once its block is durable.
 */
#ifndef DECC_NODE_H
#define DECC_NODE_H

#include "decc/ledger.h"

struct decc_node;

struct decc_node_config {
	const char *data_dir; /* created if missing; holds ledger.db */
	const struct decc_genesis *genesis;
	const struct decc_executor *executor; /* NULL: ether only */
	decc_genesis_fn genesis_fn;
	void *genesis_ctx;
	const char *listen;	/* "HOST:PORT" (port 0: any free port); NULL: no HTTP server */
	uint64_t block_time_ms; /* 0: automine (a block as soon as transactions arrive) */
	size_t max_body;	/* bytes of one HTTP request body (default 1 MiB) */
	size_t max_batch;	/* requests in one batch (default 100) */
	uint64_t max_log_range; /* blocks in one eth_getLogs (default 10000) */
	size_t max_connections; /* concurrent HTTP connections (default 512) */
	size_t max_block_txs;	/* transactions per block (default 4096) */
	bool no_sync;		/* tests/fuzzing only: no fsync, not crash-safe */
	/* Where the node reports events (the daemon prints them); NULL: silent. */
	void (*log)(void *ctx, const char *level, const char *msg);
	void *log_ctx;
};

/* Open the ledger, start the writer thread and, with cfg->listen, the HTTP server. */
DECC_EXTERN DECC_MUST_USE int decc_node_start(struct decc_node **out,
					      const struct decc_node_config *cfg);
/* Stop serving, finish the block being mined, close the ledger, free. NULL is fine. */
DECC_EXTERN void decc_node_stop(struct decc_node *n);
/* The TCP port the HTTP server listens on (0 without one). */
DECC_EXTERN uint16_t decc_node_port(const struct decc_node *n);
DECC_EXTERN struct decc_ledger *decc_node_ledger(struct decc_node *n);

/*
 * Handle one JSON-RPC HTTP body (a request or a batch) and append the response body to out;
 * nothing is appended when the body holds only notifications. Never fails on bad input: bad
 * input gets JSON-RPC error objects. Returns a negative code only when out cannot grow.
 */
DECC_EXTERN DECC_MUST_USE int decc_node_handle_body(struct decc_node *n, struct decc_buf *out,
						    const char *body, size_t len);

/* Prometheus text of the node's counters. */
DECC_EXTERN DECC_MUST_USE int decc_node_metrics(struct decc_node *n, struct decc_buf *out);

#endif
