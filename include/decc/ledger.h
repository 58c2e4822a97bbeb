/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ledger of `decc node`: blocks, transactions, receipts, logs, accounts (native ether and
 * nonces) and the key-value state of the native contracts, on SQLite (WAL, synchronous=FULL).
 *
 * One writer mines blocks (decc_ledger_mine: one block = one SQLite transaction, durable when
 * the call returns); any number of threads read the last committed state concurrently.
 * Each transaction runs in an in-memory overlay over the block, discarded when it reverts.
 */
#ifndef DECC_LEDGER_H
#define DECC_LEDGER_H

#include "decc/exec.h"
#include "decc/tx.h"

#define DECC_LEDGER_BLOCK_GAS_LIMIT 30000000ULL
#define DECC_LEDGER_BASE_FEE 1000000000ULL /* 1 gwei, constant */
#define DECC_LEDGER_TX_GAS 21000ULL

struct decc_ledger;

struct decc_genesis_account {
	decc_address address;
	decc_u256 balance; /* wei */
};

struct decc_genesis_category {
	char *name;
	char *description;
	uint64_t work_clock_time_ref; /* seconds */
};

/*
 * Genesis file (JSON): {"chainId": 65535, "timestamp": 1700000000,
 *   "accounts": {"0x…": {"balance": "<wei, decimal or 0x-hex>"}}, "hubOwner": "0x…",
 *   "categories": [{"name": "XS", "description": "", "workClockTimeRef": 300}, …]}
 */
struct decc_genesis {
	uint64_t chain_id;
	uint64_t timestamp;
	struct decc_genesis_account *accounts;
	size_t n_accounts;
	bool has_hub_owner;
	decc_address hub_owner;
	struct decc_genesis_category *categories;
	size_t n_categories;
	uint8_t hash[32]; /* keccak256 of the canonical JSON: identifies this genesis */
};

DECC_EXTERN DECC_MUST_USE int decc_genesis_parse(struct decc_genesis *out, const char *json,
						 size_t len);
DECC_EXTERN void decc_genesis_release(struct decc_genesis *g);

/* Writes the native contracts' initial state; called once, when a data dir is created. */
typedef int (*decc_genesis_fn)(void *ctx, struct decc_state *state, const struct decc_exec_env *env,
			       const struct decc_genesis *g);

struct decc_ledger_config {
	const char *path; /* the SQLite database file */
	const struct decc_genesis *genesis;
	const struct decc_executor *executor; /* NULL: ether transfers only */
	decc_genesis_fn genesis_fn;	      /* NULL: none */
	void *genesis_ctx;
	bool no_sync; /* synchronous=OFF: tests and fuzzing only, never durable */
};

/*
 * Open (or create) the ledger. A new database gets the genesis block; an existing one resumes
 * from its last committed block and must have been created with the same genesis
 * (DECC_EEXISTS otherwise).
 */
DECC_EXTERN DECC_MUST_USE int decc_ledger_open(struct decc_ledger **out,
					       const struct decc_ledger_config *cfg);
DECC_EXTERN void decc_ledger_free(struct decc_ledger *l);

DECC_EXTERN uint64_t decc_ledger_chain_id(const struct decc_ledger *l);
/* Number of the last committed block. */
DECC_EXTERN uint64_t decc_ledger_head(struct decc_ledger *l);

/* One transaction offered to decc_ledger_mine. */
struct decc_ledger_submit {
	const uint8_t *raw; /* the signed raw transaction */
	size_t raw_len;
	const struct decc_tx *tx; /* decoded raw */
	decc_address sender;
	uint8_t hash[32];
	/* out: 0 when included in the block (whatever its status), else a negative code */
	int status;
	char reason[160]; /* why it was not included ("nonce too low", …) */
};

/*
 * Mine one block with the acceptable transactions among txs (in order; each gets its own
 * status), durable on return. With n == 0, mines an empty block. Returns a negative code only
 * on an internal failure, in which case nothing of the block is kept.
 */
DECC_EXTERN DECC_MUST_USE int decc_ledger_mine(struct decc_ledger *l,
					       struct decc_ledger_submit *txs, size_t n,
					       uint64_t *number_out);

/* Shift block time forward by secs (evm_increaseTime); *total gets the whole shift. */
DECC_EXTERN DECC_MUST_USE int decc_ledger_increase_time(struct decc_ledger *l, uint64_t secs,
							uint64_t *total);

/* Read the last committed state. */
DECC_EXTERN DECC_MUST_USE int decc_ledger_account(struct decc_ledger *l, decc_u256 *balance,
						  uint64_t *nonce, const decc_address *a);
DECC_EXTERN DECC_MUST_USE int decc_ledger_is_contract(struct decc_ledger *l, bool *out,
						      const decc_address *a);
/* Raw state value (tests, debugging); DECC_ENOTFOUND when absent. */
DECC_EXTERN DECC_MUST_USE int decc_ledger_state_get(struct decc_ledger *l, struct decc_buf *out,
						    const uint8_t *key, size_t keylen);

/*
 * eth_call / eth_estimateGas: run call on the last committed state in a throw-away overlay.
 * result->gas_used is the gas a transaction with this call would use (intrinsic included).
 * A call to an account without code succeeds with empty output.
 */
DECC_EXTERN DECC_MUST_USE int decc_ledger_call(struct decc_ledger *l,
					       struct decc_exec_result *result,
					       const struct decc_exec_call *call);

struct decc_block_info {
	uint64_t number;
	uint8_t hash[32];
	uint8_t parent[32];
	uint64_t timestamp;
	uint64_t gas_used;
	uint8_t bloom[256];
	size_t n_txs;
	uint8_t (*tx_hashes)[32];
};

DECC_EXTERN DECC_MUST_USE int
decc_ledger_block_by_number(struct decc_ledger *l, struct decc_block_info *out, uint64_t number);
DECC_EXTERN DECC_MUST_USE int decc_ledger_block_by_hash(struct decc_ledger *l,
							struct decc_block_info *out,
							const uint8_t hash[32]);
DECC_EXTERN void decc_block_info_release(struct decc_block_info *b);

struct decc_log_info {
	struct decc_log log;
	uint64_t block;
	uint8_t block_hash[32];
	uint8_t tx_hash[32];
	uint32_t tx_index;
	uint32_t log_index; /* in the block */
};

struct decc_tx_info {
	uint8_t hash[32];
	uint64_t block;
	uint8_t block_hash[32];
	uint32_t index;
	decc_address from;
	struct decc_buf raw;
	/* receipt */
	bool success;
	uint64_t gas_used;
	uint64_t cumulative_gas_used;
	decc_u256 effective_gas_price;
	uint8_t bloom[256];
	struct decc_log_info *logs;
	size_t n_logs;
};

DECC_EXTERN DECC_MUST_USE int
decc_ledger_tx_by_hash(struct decc_ledger *l, struct decc_tx_info *out, const uint8_t hash[32]);
DECC_EXTERN void decc_tx_info_release(struct decc_tx_info *t);

#define DECC_LOG_FILTER_MAX_ADDRESSES 64
#define DECC_LOG_FILTER_MAX_TOPICS 16

struct decc_log_filter {
	uint64_t from_block, to_block; /* inclusive */
	const decc_address *addresses; /* any of; n_addresses == 0: any address */
	size_t n_addresses;
	/* topics[i]: any of n_topics[i] values at position i; n_topics[i] == 0: any */
	const uint8_t (*topics[4])[32];
	size_t n_topics[4];
	size_t max_results; /* more matches: DECC_ELIMIT */
};

DECC_EXTERN DECC_MUST_USE int decc_ledger_logs(struct decc_ledger *l, struct decc_log_info **out,
					       size_t *n_out, const struct decc_log_filter *f);
DECC_EXTERN void decc_log_infos_free(struct decc_log_info *logs, size_t n);

/* The 2048-bit bloom filter of Ethereum headers and receipts: add an address or topic. */
DECC_EXTERN void decc_bloom_add(uint8_t bloom[256], const uint8_t *p, size_t n);

/* Gas of calldata as Ethereum counts it: 21000 + 4 per zero byte + 16 per other byte. */
DECC_EXTERN uint64_t decc_intrinsic_gas(const uint8_t *data, size_t n);

#endif
