/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PoCo v5 contracts executed natively: the hub (diamond), the App/Dataset/Workerpool
 * registries and every asset contract they create. Same selectors, ABI encodings, events and
 * revert data as the Solidity contracts of @iexec/poco 6.1.0 in native mode (escrow in nRLC,
 * 1 nRLC = 1e9 wei, deposit() payable). The rules are pure: all state goes through the
 * decc_state of include/decc/exec.h.
 */
#ifndef DECC_POCO_H
#define DECC_POCO_H

#include "decc/exec.h"

struct decc_poco_config {
	decc_address hub;
	decc_address app_registry;
	decc_address dataset_registry;
	decc_address workerpool_registry;
	/* iExec's DataProtector (dataprotector-sdk): createDatasetWithSchema through the dataset
	 * registry, DatasetSchema event; stateless, so it needs nothing at genesis */
	decc_address dataprotector;
	uint64_t chain_id; /* used by genesis for the EIP-712 domain separator */
};

/* A category as createCategory takes it. */
struct decc_poco_category {
	const char *name;
	const char *description;
	uint64_t work_clock_time_ref; /* seconds */
};

/* The default categories XS, S, M, L, XL (300, 1200, 3600, 10800, 36000 s; description ""). */
DECC_EXTERN extern const struct decc_poco_category decc_poco_default_categories[5];

/*
 * Fixed default addresses: the hub is the address of the native-mode v5 hub (Bellecour),
 * the registries are decc's own fixed addresses (clients read them from the hub anyway), and
 * the DataProtector is keccak256("decc.poco.DataProtector")[12..32] =
 * 0x36baaaE8D4eB39b41331872b51796Bc91875Bb33 (DECC_CHAIN_DATAPROTECTOR_DECC of chain.h: PoCo
 * has no view naming it, so clients know it as that constant).
 */
DECC_EXTERN void decc_poco_config_default(struct decc_poco_config *out, uint64_t chain_id);

/*
 * An executor for the native contracts of cfg. cfg is borrowed: it must outlive the executor.
 * execute() returns 0 for success and for reverts (see result->success), a negative code only
 * when the state itself fails.
 */
DECC_EXTERN void decc_poco_executor(struct decc_executor *out, const struct decc_poco_config *cfg);

/*
 * Initialise the contracts' state on an empty state: the hub configured as the deploy script
 * does ("Staked RLC"/"SRLC"/9, the registries, callback gas 100000, the domain separator for
 * cfg->chain_id), owner of the hub and of the three registries, and the categories (NULL, 0:
 * the default XS..XL).
 */
DECC_EXTERN DECC_MUST_USE int
decc_poco_genesis(struct decc_state *st, const struct decc_poco_config *cfg,
		  const decc_address *owner, const struct decc_poco_category *categories, size_t n);

/* Constants of the protocol (FacetBase). */
#define DECC_POCO_NRLC_WEI 1000000000ULL
#define DECC_POCO_KITTY_MIN 1000000000ULL
/* 0x99c2268479b93fDe36232351229815DF80837e23 */
DECC_EXTERN extern const decc_address decc_poco_kitty_address;

/* Typed reads of the hub's state, for tests and tools (absent entries read as zero). */
DECC_EXTERN DECC_MUST_USE int decc_poco_balance_of(decc_u256 *out, struct decc_state *st,
						   const decc_address *a);
DECC_EXTERN DECC_MUST_USE int decc_poco_frozen_of(decc_u256 *out, struct decc_state *st,
						  const decc_address *a);
DECC_EXTERN DECC_MUST_USE int decc_poco_total_supply(decc_u256 *out, struct decc_state *st);
DECC_EXTERN DECC_MUST_USE int decc_poco_consumed(decc_u256 *out, struct decc_state *st,
						 const uint8_t order_hash[32]);
DECC_EXTERN DECC_MUST_USE int decc_poco_score(decc_u256 *out, struct decc_state *st,
					      const decc_address *worker);
/* The stored EIP-712 domain separator (what orders are hashed with). */
DECC_EXTERN DECC_MUST_USE int decc_poco_domain_separator(uint8_t out[32], struct decc_state *st);
/* Owner of an app, dataset or workerpool (DECC_ENOTFOUND if a is not a registered asset). */
DECC_EXTERN DECC_MUST_USE int decc_poco_asset_owner(decc_address *out, struct decc_state *st,
						    const decc_address *a);

/* Ids: dealid = keccak(requestHash || botFirst), taskid = keccak(dealid || idx). */
DECC_EXTERN void decc_poco_deal_id(uint8_t out[32], const uint8_t request_hash[32],
				   const decc_u256 *bot_first);
DECC_EXTERN void decc_poco_task_id(uint8_t out[32], const uint8_t dealid[32], const decc_u256 *idx);
/* resultHash = keccak(taskid || digest), resultSeal = keccak(worker || taskid || digest). */
DECC_EXTERN void decc_poco_result_hash(uint8_t out[32], const uint8_t taskid[32],
				       const uint8_t digest[32]);
DECC_EXTERN void decc_poco_result_seal(uint8_t out[32], const decc_address *worker,
				       const uint8_t taskid[32], const uint8_t digest[32]);
/* The worker authorization hash keccak(worker || taskid || enclave) (signed with EIP-191). */
DECC_EXTERN void decc_poco_authorization_hash(uint8_t out[32], const decc_address *worker,
					      const uint8_t taskid[32],
					      const decc_address *enclave);

#endif
