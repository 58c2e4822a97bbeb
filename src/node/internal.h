/* SPDX-License-Identifier: Apache-2.0 */
/* Shared between the node's writer (node.c), JSON-RPC methods (rpc.c) and HTTP (http.c). */
#ifndef DECC_NODE_INTERNAL_H
#define DECC_NODE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>

#include "decc/http_server.h"
#include "decc/node.h"
#include "decc/orderbook.h"

#define NODE_SENDERS_BUCKETS 4096
#define NODE_MAX_QUEUE 50000

struct pending_tx {
	struct decc_ledger_submit sub;
	struct decc_tx tx;
	uint8_t *raw;
	bool done;
	struct pending_tx *next;
};

/* Senders with transactions queued or being mined: their next nonce. */
struct sender_slot {
	decc_address a;
	uint64_t next_nonce;
	size_t outstanding;
	struct sender_slot *next;
};

enum {
	RPC_M_OTHER = 0, /* unknown methods */
	RPC_M_COUNT_ = 40,
};

struct decc_node {
	struct decc_node_config cfg;
	struct decc_ledger *ledger;
	struct decc_orderbook *market; /* served under /market/ (http.c) */
	struct decc_http_server *http;
	uint16_t port;

	pthread_t writer;
	bool writer_started;
	pthread_mutex_t qlock;
	pthread_cond_t qcond;	 /* the writer waits for work */
	pthread_cond_t donecond; /* submitters wait for their block */
	struct pending_tx *qhead, *qtail;
	size_t qlen;
	struct sender_slot *senders[NODE_SENDERS_BUCKETS];
	size_t hold; /* > 0: a batch is being queued, don't mine yet (it shares one block) */
	uint64_t mine_requested, mine_done;
	int mine_status;
	bool stopping;

	_Atomic uint64_t n_txs, n_blocks_mined, n_rpc_errors, n_http;
	_Atomic uint64_t rpc_calls[RPC_M_COUNT_];
};

/* node.c */
int node_submit_start(struct decc_node *n, struct pending_tx **out, const uint8_t *raw, size_t len,
		      char *why, size_t whylen);
int node_submit_wait(struct decc_node *n, struct pending_tx *p, uint8_t hash[32], char *why,
		     size_t whylen);
int node_submit(struct decc_node *n, uint8_t hash[32], const uint8_t *raw, size_t len, char *why,
		size_t whylen);
int node_pending_nonce(struct decc_node *n, uint64_t *out, const decc_address *a);
int node_mine(struct decc_node *n);
void node_hold(struct decc_node *n, bool on);
void node_log(struct decc_node *n, const char *level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* rpc.c */
const char *rpc_method_name(size_t i);

/* http.c */
int http_start(struct decc_node *n);
int node_resolve_listen(struct sockaddr_storage *ss, socklen_t *sslen, const char *listen);
void http_stop(struct decc_node *n);

#endif
