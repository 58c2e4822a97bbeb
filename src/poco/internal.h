/* SPDX-License-Identifier: Apache-2.0 */
/* Shared internals of the native PoCo contracts (not a public header). */
#ifndef DECC_POCO_INTERNAL_H
#define DECC_POCO_INTERNAL_H

#include <string.h>

#include "decc/abi.h"
#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/order.h"
#include "decc/poco.h"

/* What a call runs with. Functions return 0, DECC_EREVERT (res->output holds the revert
 * data) or another negative code for a failure of the state (aborts the block). */
struct poco {
	const struct decc_poco_config *cfg;
	const struct decc_exec_env *env;
	const struct decc_exec_call *call;
	struct decc_state *st;
	struct decc_exec_result *res;
	decc_address sender;
	decc_u256 now;
};

enum poco_kind {
	POCO_NONE = 0,
	POCO_APP = 1,
	POCO_DATASET = 2,
	POCO_WORKERPOOL = 3
};

enum {
	TASK_UNSET,
	TASK_ACTIVE,
	TASK_REVEALING,
	TASK_COMPLETED,
	TASK_FAILED
};
enum {
	CONTRIB_UNSET,
	CONTRIB_CONTRIBUTED,
	CONTRIB_PROVED,
	CONTRIB_REJECTED
};

struct poco_resource {
	decc_address pointer, owner;
	decc_u256 price;
};

struct poco_deal {
	struct poco_resource app, dataset, workerpool;
	decc_u256 trust, category;
	uint8_t tag[32];
	decc_address requester, beneficiary, callback;
	struct decc_buf params;
	decc_u256 start_time, bot_first, bot_size, worker_stake, scheduler_ratio;
	decc_address sponsor;
};

struct poco_task {
	uint8_t status;
	uint8_t dealid[32];
	decc_u256 idx, timeref, contribution_deadline, reveal_deadline, final_deadline;
	uint8_t consensus_value[32];
	decc_u256 reveal_counter, winner_counter;
	decc_address *contributors;
	size_t n_contributors;
	uint8_t result_digest[32];
	struct decc_buf results;
	decc_u256 results_timestamp;
	struct decc_buf results_callback;
	decc_u256 consensus_total; /* Consensus.total, not exposed by any view */
};

struct poco_contribution {
	uint8_t status;
	uint8_t result_hash[32], result_seal[32];
	decc_address enclave;
	decc_u256 weight;
};

struct poco_asset {
	enum poco_kind kind;
	/* app: name, type, multiaddr, checksum, mrenclave; dataset: name, multiaddr, checksum;
	 * workerpool: description (in name) and the two policies */
	struct decc_buf name, type, multiaddr, mrenclave;
	uint8_t checksum[32];
	decc_u256 stake_ratio, scheduler_ratio;
};

/* ---- reverts (revert.c) ---- */
int poco_revert(struct poco *p, const char *reason); /* NULL: empty revert data */
int poco_panic(struct poco *p, unsigned code);	     /* Panic(uint256): 0x11 overflow, ... */
int poco_revert_error(struct poco *p, const uint8_t sel[4], const char *reason);
#define PANIC_OVERFLOW 0x11
#define PANIC_DIV_ZERO 0x12
#define PANIC_ARRAY 0x32
/* Checked arithmetic that reverts like Solidity 0.8 (Panic 0x11 / 0x12). */
int poco_add(struct poco *p, decc_u256 *out, const decc_u256 *a, const decc_u256 *b);
int poco_sub(struct poco *p, decc_u256 *out, const decc_u256 *a, const decc_u256 *b);
int poco_mul(struct poco *p, decc_u256 *out, const decc_u256 *a, const decc_u256 *b);
int poco_div(struct poco *p, decc_u256 *out, const decc_u256 *a, const decc_u256 *b);
/* SafeMathExtended of the 0.6 facets (ERC-20, native escrow): a bare require, no revert data. */
int poco_safe_add(struct poco *p, decc_u256 *out, const decc_u256 *a, const decc_u256 *b);
int poco_safe_sub(struct poco *p, decc_u256 *out, const decc_u256 *a, const decc_u256 *b);
int poco_safe_mul(struct poco *p, decc_u256 *out, const decc_u256 *a, const decc_u256 *b);

/* ---- logs and outputs (revert.c) ---- */
int poco_log(struct poco *p, const decc_address *emitter, size_t n_topics,
	     const uint8_t topics[][32], const uint8_t *data, size_t len);
/* Log whose data is the ABI encoding of v (of type text `type`); v is consumed. */
int poco_log_abi(struct poco *p, const decc_address *emitter, size_t n_topics,
		 const uint8_t topics[][32], const char *type, struct decc_abi_value *v);
void poco_topic(uint8_t out[32], const char *event_signature);
/* Set the return data to the ABI encoding of v (a tuple of type text `type`); v consumed. */
int poco_return(struct poco *p, const char *type, struct decc_abi_value *v);
int poco_return_word(struct poco *p, const uint8_t w[32]);
int poco_return_u256(struct poco *p, const decc_u256 *v);
int poco_return_address(struct poco *p, const decc_address *a);
int poco_return_bool(struct poco *p, bool b);

/* ---- state (state.c) ---- */
size_t poco_key(uint8_t *k, char tag, const void *a, size_t an, const void *b, size_t bn);
int poco_get_u256(struct poco *p, decc_u256 *out, const uint8_t *k, size_t kn);
int poco_put_u256(struct poco *p, const uint8_t *k, size_t kn, const decc_u256 *v);
int poco_get_addr(struct poco *p, decc_address *out, const uint8_t *k, size_t kn);
int poco_put_addr(struct poco *p, const uint8_t *k, size_t kn, const decc_address *a);
int poco_get_raw(struct poco *p, struct decc_buf *out, bool *found, const uint8_t *k, size_t kn);
int poco_put_raw(struct poco *p, const uint8_t *k, size_t kn, const void *v, size_t vn);

int poco_balance(struct poco *p, decc_u256 *out, const decc_address *a);
int poco_set_balance(struct poco *p, const decc_address *a, const decc_u256 *v);
int poco_frozen(struct poco *p, decc_u256 *out, const decc_address *a);
int poco_set_frozen(struct poco *p, const decc_address *a, const decc_u256 *v);
int poco_allowance(struct poco *p, decc_u256 *out, const decc_address *o, const decc_address *s);
int poco_set_allowance(struct poco *p, const decc_address *o, const decc_address *s,
		       const decc_u256 *v);
int poco_supply(struct poco *p, decc_u256 *out);
int poco_set_supply(struct poco *p, const decc_u256 *v);
int poco_consumed(struct poco *p, decc_u256 *out, const uint8_t h[32]);
int poco_set_consumed(struct poco *p, const uint8_t h[32], const decc_u256 *v);
int poco_presigned(struct poco *p, decc_address *out, const uint8_t h[32]);
int poco_set_presigned(struct poco *p, const uint8_t h[32], const decc_address *a);
int poco_score(struct poco *p, decc_u256 *out, const decc_address *w);
int poco_set_score(struct poco *p, const decc_address *w, const decc_u256 *v);

/* config words: 'O' hub owner, 'b' teebroker, 'a'/'d'/'w' hub's registries, 'v' v3 hub */
int poco_config_addr(struct poco *p, decc_address *out, char which);
int poco_set_config_addr(struct poco *p, char which, const decc_address *a);
int poco_callbackgas(struct poco *p, decc_u256 *out);
int poco_set_callbackgas(struct poco *p, const decc_u256 *v);
int poco_domain_sep(struct poco *p, uint8_t out[32]);
int poco_set_domain_sep(struct poco *p, const uint8_t ds[32]);

int poco_category_count(struct poco *p, uint64_t *out);
/* DECC_ENOTFOUND-free: *found false when id is out of range. */
int poco_category_get(struct poco *p, bool *found, struct decc_buf *name, struct decc_buf *desc,
		      decc_u256 *timeref, const decc_u256 *id);
int poco_category_push(struct poco *p, uint64_t *id, const char *name, size_t nlen,
		       const char *desc, size_t dlen, const decc_u256 *timeref);

void poco_deal_init(struct poco_deal *d);
void poco_deal_release(struct poco_deal *d);
int poco_deal_get(struct poco *p, struct poco_deal *d, const uint8_t id[32]); /* zeros if absent */
int poco_deal_put(struct poco *p, const uint8_t id[32], const struct poco_deal *d);
void poco_task_init(struct poco_task *t);
void poco_task_release(struct poco_task *t);
int poco_task_get(struct poco *p, struct poco_task *t, const uint8_t id[32]);
int poco_task_put(struct poco *p, const uint8_t id[32], const struct poco_task *t);
int poco_task_push_contributor(struct poco_task *t, const decc_address *w);
int poco_contrib_get(struct poco *p, struct poco_contribution *c, const uint8_t taskid[32],
		     const decc_address *w);
int poco_contrib_put(struct poco *p, const uint8_t taskid[32], const decc_address *w,
		     const struct poco_contribution *c);
int poco_group_get(struct poco *p, decc_u256 *out, const uint8_t taskid[32], const uint8_t h[32]);
int poco_group_put(struct poco *p, const uint8_t taskid[32], const uint8_t h[32],
		   const decc_u256 *v);

void poco_asset_init(struct poco_asset *a);
void poco_asset_release(struct poco_asset *a);
/* kind POCO_NONE (and *a empty) when addr is not an asset. */
int poco_asset_get(struct poco *p, struct poco_asset *a, const decc_address *addr);
int poco_asset_put(struct poco *p, const decc_address *addr, const struct poco_asset *a);
int poco_asset_kind(struct poco *p, enum poco_kind *out, const decc_address *addr);

/* ---- ERC-721 of the registries (registry.c) ---- */
enum poco_kind poco_registry_kind(const struct poco *p, const decc_address *a);
const decc_address *poco_registry_addr(const struct poco *p, enum poco_kind k);
int poco_nft_owner(struct poco *p, decc_address *out, enum poco_kind k, const decc_address *tok);
/* `isRegistered(entry)` called on `registry` by the hub: reverts (empty) if registry is not a
 * registry contract. */
int poco_call_is_registered(struct poco *p, bool *out, const decc_address *registry,
			    const decc_address *entry);
/* `owner()` of any native contract; reverts (empty) for an address without that function. */
int poco_call_owner(struct poco *p, decc_address *out, const decc_address *target);
bool poco_is_contract(struct poco *p, const decc_address *a, int *err);
int poco_registry_call(struct poco *p, enum poco_kind k, const uint8_t sel[4]);
/* create<Kind>(owner, ...) as the registry of kind k runs it (args: that function's argument
 * tuple): the entry's state, its ERC-721 mint and Transfer log; *out = the new entry. Reverts
 * like the registry ("Create2: Failed on deploy", "ERC721: mint to the zero address"). */
int poco_registry_create(struct poco *p, decc_address *out, enum poco_kind k,
			 const struct decc_abi_value *args);
int poco_asset_call(struct poco *p, const struct poco_asset *a, const uint8_t sel[4]);

/* ---- escrow (escrow.c) ---- */
int poco_lock(struct poco *p, const decc_address *a, const decc_u256 *v);
int poco_unlock(struct poco *p, const decc_address *a, const decc_u256 *v);
int poco_reward(struct poco *p, const decc_address *a, const decc_u256 *v, const uint8_t ref[32]);
int poco_seize(struct poco *p, const decc_address *a, const decc_u256 *v, const uint8_t ref[32]);
int poco_emit_lock(struct poco *p, const decc_address *a, const decc_u256 *v);
int poco_emit_reward(struct poco *p, const decc_address *a, const decc_u256 *v,
		     const uint8_t ref[32]);

/* ---- orders (orders.c) ---- */
int poco_order_from_abi(struct decc_order *o, enum decc_order_type t,
			const struct decc_abi_value *v);
struct decc_abi_value *poco_order_to_abi(const struct decc_order *o);
int poco_order_hash(struct poco *p, uint8_t out[32], const struct decc_order *o);
int poco_verify_signature(struct poco *p, bool *ok, const decc_address *account,
			  const uint8_t hash[32], const uint8_t *sig, size_t siglen);
int poco_verify_presignature(struct poco *p, bool *ok, const decc_address *account,
			     const uint8_t hash[32]);
int poco_verify_sig_or_presig(struct poco *p, bool *ok, const decc_address *account,
			      const uint8_t hash[32], const uint8_t *sig, size_t siglen);
int poco_verify_eth_signed(struct poco *p, bool *ok, const decc_address *account, const void *msg,
			   size_t n, const uint8_t *sig, size_t siglen);
int poco_restriction_ok(struct poco *p, bool *ok, const decc_address *restriction,
			const decc_address *account);

/* ---- protocol entry points, args = decoded argument tuple ---- */
typedef int (*poco_handler)(struct poco *p, const struct decc_abi_value *args);

struct poco_fn {
	const char *sig;
	poco_handler fn;
	bool payable;
};

/* per-file tables that dispatch.c merges */
extern const struct poco_fn poco_order_fns[];
extern const size_t poco_n_order_fns;
extern const struct poco_fn poco_match_fns[];
extern const size_t poco_n_match_fns;
extern const struct poco_fn poco_task_fns[];
extern const size_t poco_n_task_fns;
extern const struct poco_fn poco_escrow_fns[];
extern const size_t poco_n_escrow_fns;
extern const struct poco_fn poco_view_fns[];
extern const size_t poco_n_view_fns;
extern const struct poco_fn poco_registry_fns[];
extern const size_t poco_n_registry_fns;
extern const struct poco_fn poco_asset_fns[];
extern const size_t poco_n_asset_fns;
extern const struct poco_fn poco_dataprotector_fns[];
extern const size_t poco_n_dataprotector_fns;
/* a is the configured DataProtector (a zero address in the config means there is none) */
bool poco_is_dataprotector(const struct poco *p, const decc_address *a);

int poco_deposit_value(struct poco *p, const decc_address *target);

/* ---- argument access ---- */
static inline const struct decc_abi_value *poco_arg(const struct decc_abi_value *args, size_t i)
{
	return args->items[i];
}
void poco_arg_u256(decc_u256 *out, const struct decc_abi_value *args, size_t i);
void poco_arg_addr(decc_address *out, const struct decc_abi_value *args, size_t i);
void poco_arg_b32(uint8_t out[32], const struct decc_abi_value *args, size_t i);

/* value constructors (NULL on OOM, which the tuple constructors propagate) */
struct decc_abi_value *poco_v_b32(const uint8_t b[32]);

static inline void poco_addr_word(uint8_t w[32], const decc_address *a)
{
	memset(w, 0, 12);
	memcpy(w + 12, a->b, 20);
}
static inline void poco_u64_word(uint8_t w[32], uint64_t v)
{
	memset(w, 0, 24);
	for (int i = 0; i < 8; i++)
		w[31 - i] = (uint8_t)(v >> (8 * i));
}
static inline bool poco_b32_zero(const uint8_t b[32])
{
	static const uint8_t z[32];
	return memcmp(b, z, 32) == 0;
}

#endif
