/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The chain client: the one place of decc (besides the node) that speaks Ethereum JSON-RPC.
 * It knows an RPC URL, optionally a hub address and a wallet (private key), and works the same
 * against `decc node` and against any EVM chain running the PoCo contracts (anvil, Arbitrum).
 *
 * Errors: DECC_ERROR for transport and RPC failures (the message names the method and the
 * URL), DECC_EINVAL for malformed responses, DECC_ELIMIT for oversize responses,
 * DECC_EREVERT when a call or transaction reverted (the message is the decoded reason, e.g.
 * "iExecV5-matchOrders-0x10"), DECC_EAGAIN when a receipt did not come before the timeout.
 *
 * A client is not thread-safe; use one per thread.
 */
#ifndef DECC_CHAIN_H
#define DECC_CHAIN_H

#include "decc/abi.h"
#include "decc/order.h"
#include "decc/tx.h"

#define DECC_CHAIN_MAX_RESPONSE_DEFAULT ((size_t)32 << 20) /* bytes of one JSON-RPC response */
#define DECC_CHAIN_CONNECT_TIMEOUT_MS 5000
#define DECC_CHAIN_REQUEST_TIMEOUT_MS 30000
#define DECC_CHAIN_RECEIPT_TIMEOUT_MS 120000
#define DECC_CHAIN_LATEST UINT64_MAX	 /* block tag "latest" where a block number is asked */
#define DECC_CHAIN_GAS_MARGIN_PERCENT 20 /* added to eth_estimateGas */

struct decc_chain;

/*
 * How requests travel: POST `request` (n bytes of JSON) to url, append the response body to
 * `response` (whose max is the client's response limit). The default is libcurl over HTTP(S);
 * tests plug in a scripted transport.
 */
typedef int (*decc_chain_transport_fn)(void *ctx, struct decc_buf *response, const char *url,
				       const char *request, size_t n, unsigned connect_timeout_ms,
				       unsigned timeout_ms);

DECC_EXTERN DECC_MUST_USE int decc_chain_new(struct decc_chain **out, const char *rpc_url);
DECC_EXTERN void decc_chain_free(struct decc_chain *c); /* wipes the wallet key */
DECC_EXTERN void decc_chain_set_transport(struct decc_chain *c, decc_chain_transport_fn fn,
					  void *ctx);
DECC_EXTERN void decc_chain_set_timeouts(struct decc_chain *c, unsigned connect_ms,
					 unsigned request_ms);
DECC_EXTERN void decc_chain_set_max_response(struct decc_chain *c, size_t max);
/* Receipt polling: interval between eth_getTransactionReceipt calls (default 200 ms). */
DECC_EXTERN void decc_chain_set_poll_interval(struct decc_chain *c, unsigned ms);
DECC_EXTERN void decc_chain_set_hub(struct decc_chain *c, const decc_address *hub);
/* The hub address (DECC_ENOTFOUND when none was set). */
DECC_EXTERN DECC_MUST_USE int decc_chain_hub(const struct decc_chain *c, decc_address *out);
/* Use sk to sign transactions (copied into wiped memory); derives the sender address. */
DECC_EXTERN DECC_MUST_USE int decc_chain_set_wallet(struct decc_chain *c, const uint8_t sk[32]);
/* The wallet address (DECC_ENOTFOUND when no wallet was set). */
DECC_EXTERN DECC_MUST_USE int decc_chain_address(const struct decc_chain *c, decc_address *out);
/* eth_chainId, asked once and cached. */
DECC_EXTERN DECC_MUST_USE int decc_chain_connect(struct decc_chain *c, uint64_t *chain_id);

/* ---- raw JSON-RPC ---- */
/*
 * Call method with params (a JSON array text; NULL means []), append the JSON text of the
 * "result" member to result_json (may be NULL to discard it). A JSON-RPC error is DECC_ERROR
 * with "METHOD: MESSAGE (code N)", or DECC_EREVERT when it carries revert data.
 */
DECC_EXTERN DECC_MUST_USE int decc_chain_rpc(struct decc_chain *c, struct decc_buf *result_json,
					     const char *method, const char *params_json);

/* Pure helpers of the JSON-RPC framing (exposed for tests and fuzzing). */
DECC_EXTERN DECC_MUST_USE int decc_chain_rpc_request(struct decc_buf *out, uint64_t id,
						     const char *method, const char *params_json);
/*
 * Parse one response body: checks "jsonrpc" and the id, then either appends the result's JSON
 * text to result_json, or fails with the error (DECC_ERROR / DECC_EREVERT, message decoded;
 * revert_data, when not NULL, receives the raw revert bytes).
 */
DECC_EXTERN DECC_MUST_USE int decc_chain_rpc_response(struct decc_buf *result_json,
						      struct decc_buf *revert_data,
						      const char *method, const char *body,
						      size_t n, uint64_t id);
/* A JSON-RPC quantity ("0x1a", no leading zeros except "0x0") to a number. */
DECC_EXTERN DECC_MUST_USE int decc_chain_parse_quantity(decc_u256 *out, const char *s);
DECC_EXTERN DECC_MUST_USE int decc_chain_parse_quantity_u64(uint64_t *out, const char *s);

/* ---- chain state ---- */
DECC_EXTERN DECC_MUST_USE int decc_chain_block_number(struct decc_chain *c, uint64_t *out);
/* Timestamp of the latest block. */
DECC_EXTERN DECC_MUST_USE int decc_chain_timestamp(struct decc_chain *c, uint64_t *out);
DECC_EXTERN DECC_MUST_USE int decc_chain_balance(struct decc_chain *c, decc_u256 *out,
						 const decc_address *a);
/* eth_getTransactionCount(a, "pending" or "latest"). */
DECC_EXTERN DECC_MUST_USE int decc_chain_tx_count(struct decc_chain *c, uint64_t *out,
						  const decc_address *a, bool pending);
DECC_EXTERN DECC_MUST_USE int decc_chain_code(struct decc_chain *c, struct decc_buf *out,
					      const decc_address *a);
/* Dev chains (anvil, decc node): evm_increaseTime then evm_mine. */
DECC_EXTERN DECC_MUST_USE int decc_chain_increase_time(struct decc_chain *c, uint64_t seconds);

/* ---- calls ---- */
/*
 * eth_call to `to` with data, from the wallet address when there is one, at block (or
 * DECC_CHAIN_LATEST). Appends the return data to out. A revert is DECC_EREVERT with the
 * decoded reason as message.
 */
DECC_EXTERN DECC_MUST_USE int decc_chain_call(struct decc_chain *c, struct decc_buf *out,
					      const decc_address *to, const uint8_t *data, size_t n,
					      uint64_t block);
/*
 * Encode signature + args (a tuple, NULL for no argument), eth_call, decode the return data
 * as `returns`, a tuple type text such as "(uint256,string)". *out is the decoded tuple.
 */
DECC_EXTERN DECC_MUST_USE int decc_chain_call_fn(struct decc_chain *c, struct decc_abi_value **out,
						 const decc_address *to, const char *signature,
						 const struct decc_abi_value *args,
						 const char *returns);

/* ---- transactions ---- */
struct decc_chain_txopts {
	decc_u256 value;     /* wei sent with the transaction */
	uint64_t gas;	     /* 0: eth_estimateGas + DECC_CHAIN_GAS_MARGIN_PERCENT */
	bool legacy;	     /* force a legacy EIP-155 transaction */
	unsigned timeout_ms; /* receipt wait; 0: DECC_CHAIN_RECEIPT_TIMEOUT_MS */
};

struct decc_chain_log {
	decc_address address;
	uint8_t topics[4][32];
	size_t n_topics;
	struct decc_buf data;
	uint64_t block_number;
	uint64_t log_index;
	uint8_t tx_hash[32];
};

struct decc_chain_logs {
	struct decc_chain_log *items;
	size_t n;
};
DECC_EXTERN void decc_chain_logs_release(struct decc_chain_logs *l);

struct decc_chain_receipt {
	uint8_t tx_hash[32];
	uint64_t block_number;
	bool status; /* true: success */
	uint64_t gas_used;
	bool has_contract_address;
	decc_address contract_address;
	struct decc_chain_logs logs;
};
DECC_EXTERN void decc_chain_receipt_release(struct decc_chain_receipt *r);
/* Parse an eth_getTransactionReceipt result (JSON object text). */
DECC_EXTERN DECC_MUST_USE int decc_chain_receipt_parse(struct decc_chain_receipt *out,
						       const char *json, size_t n);

/*
 * Build, sign and send a transaction from the wallet: nonce from the local counter
 * (eth_getTransactionCount "pending" the first time, resynchronised on "nonce too low"),
 * EIP-1559 fees when the latest block has a base fee (eth_feeHistory for the tip), else a
 * legacy EIP-155 transaction at eth_gasPrice; gas from eth_estimateGas with a margin (a
 * transaction that would revert fails here with DECC_EREVERT). to == NULL creates a contract.
 */
DECC_EXTERN DECC_MUST_USE int decc_chain_send(struct decc_chain *c, uint8_t tx_hash[32],
					      const decc_address *to, const uint8_t *data, size_t n,
					      const struct decc_chain_txopts *opts);
/* Poll the receipt until it is there (DECC_EAGAIN after timeout_ms; 0 = default). */
DECC_EXTERN DECC_MUST_USE int decc_chain_wait(struct decc_chain *c, struct decc_chain_receipt *out,
					      const uint8_t tx_hash[32], unsigned timeout_ms);
/*
 * Send and wait. A mined transaction with status 0 is DECC_EREVERT: the call is replayed with
 * eth_call at its block to get the revert reason, like ethers does. receipt may be NULL; when
 * given, it is filled even for a reverted transaction.
 */
DECC_EXTERN DECC_MUST_USE int decc_chain_transact(struct decc_chain *c,
						  struct decc_chain_receipt *receipt,
						  const decc_address *to, const uint8_t *data,
						  size_t n, const struct decc_chain_txopts *opts);
DECC_EXTERN DECC_MUST_USE int decc_chain_transact_fn(struct decc_chain *c,
						     struct decc_chain_receipt *receipt,
						     const decc_address *to, const char *signature,
						     const struct decc_abi_value *args,
						     const struct decc_chain_txopts *opts);
/*
 * Create a contract from creation code + ABI-encoded constructor arguments (ctor_types a tuple
 * type text, NULL with args NULL when there are none). *out gets the new contract's address.
 */
DECC_EXTERN DECC_MUST_USE int decc_chain_deploy(struct decc_chain *c, decc_address *out,
						const uint8_t *code, size_t n,
						const char *ctor_types,
						const struct decc_abi_value *ctor_args,
						const struct decc_chain_txopts *opts);

/* ---- logs ---- */
struct decc_chain_filter {
	bool has_address;
	decc_address address;
	bool has_topic[4]; /* false: any value at that position */
	uint8_t topics[4][32];
};
/* eth_getLogs over [from, to] (to may be DECC_CHAIN_LATEST). */
DECC_EXTERN DECC_MUST_USE int decc_chain_get_logs(struct decc_chain *c, struct decc_chain_logs *out,
						  const struct decc_chain_filter *f, uint64_t from,
						  uint64_t to);
/* A log cursor: each poll reads [next_block, min(latest, next_block + max_range - 1)]. */
struct decc_chain_watch {
	struct decc_chain_filter filter;
	uint64_t next_block;
	uint64_t max_range; /* 0: 2000 blocks */
};
/* Append the new logs to out (released and refilled) and advance the cursor. */
DECC_EXTERN DECC_MUST_USE int decc_chain_watch_poll(struct decc_chain *c,
						    struct decc_chain_logs *out,
						    struct decc_chain_watch *w);

/* ---- PoCo views (on the hub set with decc_chain_set_hub) ---- */
struct decc_chain_domain {
	char name[64];
	char version[32];
	uint64_t chain_id;
	decc_address verifying_contract;
};
DECC_EXTERN DECC_MUST_USE int decc_chain_domain(struct decc_chain *c,
						struct decc_chain_domain *out);
DECC_EXTERN DECC_MUST_USE int decc_chain_domain_separator(struct decc_chain *c, uint8_t out[32]);
/* token(): the RLC address, or zero on a native-mode hub. */
DECC_EXTERN DECC_MUST_USE int decc_chain_token(struct decc_chain *c, decc_address *out);
DECC_EXTERN DECC_MUST_USE int decc_chain_registries(struct decc_chain *c, decc_address *apps,
						    decc_address *datasets,
						    decc_address *workerpools);
/* viewAccount: (stake = free balance, locked = frozen), in nRLC. */
DECC_EXTERN DECC_MUST_USE int decc_chain_view_account(struct decc_chain *c, decc_u256 *stake,
						      decc_u256 *locked, const decc_address *a);
DECC_EXTERN DECC_MUST_USE int decc_chain_balance_of(struct decc_chain *c, decc_u256 *out,
						    const decc_address *a);
DECC_EXTERN DECC_MUST_USE int decc_chain_frozen_of(struct decc_chain *c, decc_u256 *out,
						   const decc_address *a);
DECC_EXTERN DECC_MUST_USE int decc_chain_view_consumed(struct decc_chain *c, decc_u256 *out,
						       const uint8_t order_hash[32]);
DECC_EXTERN DECC_MUST_USE int decc_chain_count_category(struct decc_chain *c, uint64_t *out);

struct decc_chain_category {
	char *name; /* owned */
	char *description;
	uint64_t work_clock_time_ref;
};
DECC_EXTERN DECC_MUST_USE int
decc_chain_view_category(struct decc_chain *c, struct decc_chain_category *out, uint64_t id);
DECC_EXTERN void decc_chain_category_release(struct decc_chain_category *cat);

struct decc_chain_resource {
	decc_address pointer, owner;
	decc_u256 price;
};
struct decc_chain_deal {
	struct decc_chain_resource app, dataset, workerpool;
	decc_u256 trust, category;
	uint8_t tag[32];
	decc_address requester, beneficiary, callback;
	char *params; /* owned */
	uint64_t start_time, bot_first, bot_size;
	decc_u256 worker_stake, scheduler_reward_ratio;
	decc_address sponsor;
};
/* A deal that does not exist reads as zeros (requester == 0). */
DECC_EXTERN DECC_MUST_USE int
decc_chain_view_deal(struct decc_chain *c, struct decc_chain_deal *out, const uint8_t dealid[32]);
DECC_EXTERN void decc_chain_deal_release(struct decc_chain_deal *d);

enum decc_chain_task_status {
	DECC_TASK_UNSET = 0,
	DECC_TASK_ACTIVE = 1,
	DECC_TASK_REVEALING = 2,
	DECC_TASK_COMPLETED = 3,
	DECC_TASK_FAILED = 4,
};
struct decc_chain_task {
	enum decc_chain_task_status status;
	uint8_t dealid[32];
	uint64_t idx, timeref, contribution_deadline, reveal_deadline, final_deadline;
	uint8_t consensus_value[32];
	uint64_t reveal_counter, winner_counter;
	decc_address *contributors; /* owned array */
	size_t n_contributors;
	uint8_t result_digest[32];
	struct decc_buf results;
	uint64_t results_timestamp;
	struct decc_buf results_callback;
};
DECC_EXTERN DECC_MUST_USE int
decc_chain_view_task(struct decc_chain *c, struct decc_chain_task *out, const uint8_t taskid[32]);
DECC_EXTERN void decc_chain_task_release(struct decc_chain_task *t);

/* Asset entries, read from the entry contract itself (owner() and its m_* getters). */
DECC_EXTERN DECC_MUST_USE int decc_chain_owner(struct decc_chain *c, decc_address *out,
					       const decc_address *contract);
struct decc_chain_app {
	decc_address owner;
	char *name, *type; /* owned */
	struct decc_buf multiaddr;
	uint8_t checksum[32];
	struct decc_buf mrenclave;
};
DECC_EXTERN DECC_MUST_USE int decc_chain_view_app(struct decc_chain *c, struct decc_chain_app *out,
						  const decc_address *app);
DECC_EXTERN void decc_chain_app_release(struct decc_chain_app *a);
struct decc_chain_dataset {
	decc_address owner;
	char *name; /* owned */
	struct decc_buf multiaddr;
	uint8_t checksum[32];
};
DECC_EXTERN DECC_MUST_USE int decc_chain_view_dataset(struct decc_chain *c,
						      struct decc_chain_dataset *out,
						      const decc_address *dataset);
DECC_EXTERN void decc_chain_dataset_release(struct decc_chain_dataset *d);
struct decc_chain_workerpool {
	decc_address owner;
	char *description; /* owned */
	uint64_t worker_stake_ratio, scheduler_reward_ratio;
};
DECC_EXTERN DECC_MUST_USE int decc_chain_view_workerpool(struct decc_chain *c,
							 struct decc_chain_workerpool *out,
							 const decc_address *workerpool);
DECC_EXTERN void decc_chain_workerpool_release(struct decc_chain_workerpool *w);

/* ---- PoCo transactions (from the wallet; receipt may be NULL) ---- */
/* Registries (addresses read from the hub): *out gets the new entry (ERC-721 Transfer log). */
DECC_EXTERN DECC_MUST_USE int decc_chain_create_app(struct decc_chain *c, decc_address *out,
						    const decc_address *owner, const char *name,
						    const char *type, const uint8_t *multiaddr,
						    size_t multiaddr_len,
						    const uint8_t checksum[32],
						    const uint8_t *mrenclave, size_t mrenclave_len);
DECC_EXTERN DECC_MUST_USE int decc_chain_create_dataset(struct decc_chain *c, decc_address *out,
							const decc_address *owner, const char *name,
							const uint8_t *multiaddr,
							size_t multiaddr_len,
							const uint8_t checksum[32]);
DECC_EXTERN DECC_MUST_USE int decc_chain_create_workerpool(struct decc_chain *c, decc_address *out,
							   const decc_address *owner,
							   const char *description);
/* ---- DataProtector: datasets with a schema ---- */
/*
 * The DataProtector contract (iExec dataprotector-sdk, packages/smart-contract):
 * createDatasetWithSchema(owner, name, schemaJSON, multiaddr, checksum) creates the dataset
 * through its DatasetRegistry (same address and fields as createDataset(owner, name, multiaddr,
 * checksum); the dataset belongs to owner, whoever sends) and emits
 * DatasetSchema(address indexed dataset, string schema) from the DataProtector's address.
 *
 * Where the contract is: PoCo has no view that names it (it sits outside the hub), so the
 * client does not look it up. Every function below takes the address explicitly; NULL means
 * decc node's DataProtector, a fixed address derived like the registries:
 * keccak256("decc.poco.DataProtector")[12..32] = DECC_CHAIN_DATAPROTECTOR_DECC. Against
 * another chain (iExec's deployments, anvil + the real contract) pass its address.
 */
#define DECC_CHAIN_DATAPROTECTOR_DECC "0x36baaaE8D4eB39b41331872b51796Bc91875Bb33"
#define DECC_CHAIN_SCHEMA_MAX ((size_t)64 << 10) /* bytes of one schema read from a log */
#define DECC_CHAIN_SCHEMAS_MAX_COUNT 10000	 /* entries of one decc_chain_dataset_schemas */
#define DECC_CHAIN_SCHEMAS_DEFAULT_COUNT 1000
#define DECC_CHAIN_SCHEMAS_MAX_BYTES ((size_t)16 << 20) /* schema bytes of one call */
#define DECC_CHAIN_SCHEMAS_DEFAULT_RANGE 2000		/* blocks per eth_getLogs */

/* decc node's DataProtector address (DECC_CHAIN_DATAPROTECTOR_DECC). */
DECC_EXTERN void decc_chain_dataprotector_decc(decc_address *out);
/*
 * createDatasetWithSchema on dataprotector (NULL: decc node's), from the wallet. *out gets the
 * dataset, read from the DatasetSchema log of the receipt; receipt (may be NULL) gets the
 * receipt (transaction hash, block). A revert of the registry (dataset
 * already created: "Create2: Failed on deploy"; owner zero: "ERC721: mint to the zero
 * address") is DECC_EREVERT with that reason. schema_json is stored as given (at most
 * DECC_CHAIN_SCHEMA_MAX bytes; DECC_ELIMIT beyond).
 */
DECC_EXTERN DECC_MUST_USE int decc_chain_create_dataset_with_schema(
    struct decc_chain *c, decc_address *out, struct decc_chain_receipt *receipt,
    const decc_address *dataprotector, const decc_address *owner, const char *name,
    const char *schema_json, const uint8_t *multiaddr, size_t multiaddr_len,
    const uint8_t checksum[32]);

struct decc_chain_dataset_schema {
	decc_address dataset;
	char *schema; /* owned, NUL-terminated JSON text as emitted */
	uint64_t block_number;
	uint64_t log_index;
	uint8_t tx_hash[32];
};
struct decc_chain_dataset_schemas {
	struct decc_chain_dataset_schema *items; /* in chain order */
	size_t n;
	/* true when the limits stopped the scan before to_block: call again from next_block */
	bool truncated;
	uint64_t next_block;
	/* logs left out: not a well-formed DatasetSchema (anyone can call the contract, so a bad
	 * schema must not hide the others): data not one ABI string, a NUL in it, longer than
	 * DECC_CHAIN_SCHEMA_MAX, or not matching the filter */
	size_t skipped;
};
struct decc_chain_schema_query {
	const decc_address *dataprotector; /* NULL: decc node's */
	const decc_address *dataset;	   /* NULL: every dataset */
	uint64_t from_block;
	uint64_t to_block;  /* DECC_CHAIN_LATEST for the latest block */
	size_t max_count;   /* 0: DECC_CHAIN_SCHEMAS_DEFAULT_COUNT; at most ..._MAX_COUNT */
	size_t max_bytes;   /* 0 or more than DECC_CHAIN_SCHEMAS_MAX_BYTES: that maximum */
	uint64_t max_range; /* blocks per eth_getLogs; 0: DECC_CHAIN_SCHEMAS_DEFAULT_RANGE */
};
/*
 * Read DatasetSchema logs of q->dataprotector over [from_block, to_block], by pages of
 * max_range blocks (chains limit eth_getLogs ranges). A page stops at a block boundary: when
 * the next block's entries would pass max_count or max_bytes, out->truncated is set and
 * out->next_block is that block (DECC_ELIMIT if one block alone passes them); otherwise
 * next_block is to_block + 1. Malformed logs are counted in out->skipped. On success out is
 * released and refilled; on failure it is untouched.
 */
DECC_EXTERN DECC_MUST_USE int decc_chain_dataset_schemas(struct decc_chain *c,
							 struct decc_chain_dataset_schemas *out,
							 const struct decc_chain_schema_query *q);
DECC_EXTERN void decc_chain_dataset_schemas_release(struct decc_chain_dataset_schemas *s);
/*
 * The schema of one dataset: its first DatasetSchema log over [0, latest]. *schema (owned,
 * NUL-terminated) and *block (may be NULL); DECC_ENOTFOUND when there is none.
 */
DECC_EXTERN DECC_MUST_USE int decc_chain_dataset_schema(struct decc_chain *c, char **schema,
							uint64_t *block,
							const decc_address *dataprotector,
							const decc_address *dataset);

/*
 * Deposit nRLC into the escrow. Token mode (token() != 0): RLC.approveAndCall(hub, amount, "")
 * in one transaction. Native mode: deposit() with value = amount * 1e9 wei.
 */
DECC_EXTERN DECC_MUST_USE int decc_chain_deposit(struct decc_chain *c, const decc_u256 *nrlc);
DECC_EXTERN DECC_MUST_USE int decc_chain_withdraw(struct decc_chain *c, const decc_u256 *nrlc);
/*
 * matchOrders(app, dataset, workerpool, request); dataset may be NULL (the empty dataset
 * order). dealid and volume (either may be NULL) come from the OrdersMatched log.
 */
DECC_EXTERN DECC_MUST_USE int
decc_chain_match_orders(struct decc_chain *c, uint8_t dealid[32], decc_u256 *volume,
			const struct decc_order *app, const struct decc_order *dataset,
			const struct decc_order *workerpool, const struct decc_order *request);
/*
 * manage<Type>Order((order, operation, sign)): sign is the owner's signature of the operation
 * (may be empty when the wallet is the owner).
 */
DECC_EXTERN DECC_MUST_USE int decc_chain_manage_order(struct decc_chain *c,
						      const struct decc_order *o,
						      enum decc_order_operation op,
						      const uint8_t *sign, size_t sign_len);
/* initialize(dealid, idx); *taskid (may be NULL) = keccak256(dealid ‖ idx). */
DECC_EXTERN DECC_MUST_USE int decc_chain_initialize(struct decc_chain *c, uint8_t taskid[32],
						    const uint8_t dealid[32], uint64_t idx);
DECC_EXTERN DECC_MUST_USE int decc_chain_contribute(struct decc_chain *c, const uint8_t taskid[32],
						    const uint8_t result_hash[32],
						    const uint8_t result_seal[32],
						    const decc_address *enclave_challenge,
						    const uint8_t *enclave_sign, size_t enclave_len,
						    const uint8_t *auth_sign, size_t auth_len);
DECC_EXTERN DECC_MUST_USE int decc_chain_reveal(struct decc_chain *c, const uint8_t taskid[32],
						const uint8_t result_digest[32]);
DECC_EXTERN DECC_MUST_USE int decc_chain_finalize(struct decc_chain *c, const uint8_t taskid[32],
						  const uint8_t *results, size_t results_len,
						  const uint8_t *callback, size_t callback_len);
DECC_EXTERN DECC_MUST_USE int decc_chain_contribute_and_finalize(
    struct decc_chain *c, const uint8_t taskid[32], const uint8_t result_digest[32],
    const uint8_t *results, size_t results_len, const uint8_t *callback, size_t callback_len,
    const decc_address *enclave_challenge, const uint8_t *enclave_sign, size_t enclave_len,
    const uint8_t *auth_sign, size_t auth_len);
DECC_EXTERN DECC_MUST_USE int decc_chain_claim(struct decc_chain *c, const uint8_t taskid[32]);

/* The ABI tuple of an order, as matchOrders and manage*Order take it. */
DECC_EXTERN struct decc_abi_value *decc_chain_order_tuple(const struct decc_order *o);
/* The tuple type text of an order type, e.g. "(address,uint256,...,bytes)". */
DECC_EXTERN const char *decc_chain_order_tuple_type(enum decc_order_type t);

/* ---- token mode (src/chain/token.c) ---- */
/* How the hub holds the escrow: token() == 0 is native mode (the chain coin is the RLC). */
enum decc_chain_escrow {
	DECC_ESCROW_NATIVE = 0,
	DECC_ESCROW_TOKEN = 1,
};
/* The hub's mode, read from token(); token (may be NULL) gets token() (zero when native). */
DECC_EXTERN DECC_MUST_USE int
decc_chain_escrow_mode(struct decc_chain *c, enum decc_chain_escrow *mode, decc_address *token);
/* RLC balanceOf(a) on the hub's token, nRLC; DECC_EINVAL on a native-mode hub. */
DECC_EXTERN DECC_MUST_USE int decc_chain_rlc_balance(struct decc_chain *c, decc_u256 *out,
						     const decc_address *a);
/* RLC transfer(to, nrlc) from the wallet; refused (DECC_EINVAL) above the wallet's balance. */
DECC_EXTERN DECC_MUST_USE int decc_chain_rlc_transfer(struct decc_chain *c,
						      struct decc_chain_receipt *receipt,
						      const decc_address *to,
						      const decc_u256 *nrlc);
/*
 * decc_chain_deposit after a check that a token-mode wallet holds the RLC (DECC_EINVAL with
 * both amounts otherwise, nothing sent).
 */
DECC_EXTERN DECC_MUST_USE int decc_chain_deposit_checked(struct decc_chain *c,
							 const decc_u256 *nrlc);

#endif
