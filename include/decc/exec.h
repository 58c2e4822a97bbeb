/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The boundary between the ledger (blocks, transactions, SQLite; src/ledger) and the protocol
 * rules executed natively (src/poco). The ledger owns storage and native ether; the rules see
 * only a key-value state and a call, and return success or revert data plus logs.
 *
 * Atomicity is the ledger's job: it gives each call a state overlay and discards it when the
 * call reverts, so a rule may write freely before it reverts.
 */
#ifndef DECC_EXEC_H
#define DECC_EXEC_H

#include "decc/address.h"
#include "decc/buf.h"
#include "decc/u256.h"

#define DECC_STATE_MAX_KEY 128
#define DECC_STATE_MAX_VALUE (1 << 20)

struct decc_state_ops {
	/* Append the value of key to out; DECC_ENOTFOUND when absent (out untouched). */
	int (*get)(void *ctx, struct decc_buf *out, const uint8_t *key, size_t keylen);
	/* Set key to value; vallen == 0 deletes the key. */
	int (*put)(void *ctx, const uint8_t *key, size_t keylen, const uint8_t *val, size_t vallen);
	/* Native ether (wei): read a balance, move wei between accounts (DECC_EREVERT if short). */
	int (*balance)(void *ctx, decc_u256 *out, const decc_address *who);
	int (*transfer)(void *ctx, const decc_address *from, const decc_address *to,
			const decc_u256 *wei);
};

struct decc_state {
	const struct decc_state_ops *ops;
	void *ctx;
};

struct decc_log {
	decc_address address;
	uint8_t topics[4][32];
	size_t n_topics;
	struct decc_buf data;
};

struct decc_exec_env {
	struct decc_state *state;
	uint64_t chain_id;
	uint64_t block_number;
	uint64_t timestamp; /* seconds, block.timestamp */
	decc_address coinbase;
};

struct decc_exec_call {
	decc_address from;   /* msg.sender == tx.origin here: only EOAs send transactions */
	decc_address to;     /* hub, a registry, or an asset contract */
	decc_u256 value;     /* wei sent along (already moved to `to` by the ledger) */
	const uint8_t *data; /* calldata */
	size_t len;
	bool is_static; /* eth_call: writes are discarded by the ledger anyway */
};

struct decc_exec_result {
	bool success;
	struct decc_buf output; /* return data, or revert data (Error(string) encoded) */
	struct decc_log *logs;
	size_t n_logs;
	uint64_t gas_used; /* an estimate, for receipts and eth_estimateGas */
};

/*
 * An executor runs a call against the state: the ledger calls it for every transaction and
 * eth_call whose target is_contract() says is a native contract (the hub, registries, assets).
 * It returns 0 whether the call succeeded or reverted (see result->success); a negative code
 * only for an internal failure (I/O), which aborts the whole block.
 */
struct decc_executor {
	int (*execute)(void *ctx, const struct decc_exec_env *env,
		       const struct decc_exec_call *call, struct decc_exec_result *result);
	bool (*is_contract)(void *ctx, struct decc_state *state, const decc_address *a);
	void *ctx;
};

DECC_EXTERN void decc_exec_result_init(struct decc_exec_result *r);
DECC_EXTERN void decc_exec_result_release(struct decc_exec_result *r);
DECC_EXTERN DECC_MUST_USE int decc_exec_result_add_log(struct decc_exec_result *r,
						       const struct decc_log *log);

#endif
