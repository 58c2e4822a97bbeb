/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Random calldata against the native PoCo contracts on a fresh genesis state (with one app,
 * dataset and workerpool registered). Input: byte 0 picks the target (hub, a registry, an
 * asset, the DataProtector), byte 1 the function of that target (its real selector replaces
 * the first 4 bytes), byte 2 whether wei is sent; the rest is the argument data. The executor
 * must never crash and must answer success or revert (never an internal error) for any input.
 */
#include <stdlib.h>
#include <string.h>

#include "../unit/poco/mem_state.h"
#include "decc/abi.h"
#include "decc/poco.h"
#include "poco/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run(struct mem_state *m, const struct decc_executor *ex,
		const struct decc_poco_config *cfg, const decc_address *from,
		const decc_address *to, const decc_u256 *value, const uint8_t *cd, size_t n,
		struct decc_exec_result *res)
{
	struct decc_exec_env env = { .state = &m->st,
				     .chain_id = cfg->chain_id,
				     .timestamp = 1700000000 };
	struct decc_exec_call call = { .from = *from, .to = *to, .data = cd, .len = n };

	call.value = *value;
	decc_exec_result_release(res);
	if (ex->execute(ex->ctx, &env, &call, res) != 0)
		abort();
	if (res->success)
		mem_commit(m);
	else
		mem_rollback(m);
}

static decc_address create(struct mem_state *m, const struct decc_executor *ex,
			   const struct decc_poco_config *cfg, const decc_address *owner,
			   const decc_address *reg, const char *sig, struct decc_abi_value *args)
{
	struct decc_buf cd = DECC_BUF_INIT;
	struct decc_exec_result res;
	decc_address a = DECC_ADDRESS_ZERO;

	decc_exec_result_init(&res);
	if (decc_abi_encode_call(&cd, sig, args) != 0)
		abort();
	decc_abi_value_free(args);
	run(m, ex, cfg, owner, reg, &DECC_U256_ZERO, cd.data, cd.len, &res);
	if (!res.success || res.output.len != 32)
		abort();
	memcpy(a.b, res.output.data + 12, 20);
	decc_exec_result_release(&res);
	decc_buf_release(&cd);
	return a;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mem_state m;
	struct decc_poco_config cfg;
	struct decc_executor ex;
	struct decc_exec_result res;
	decc_address owner = { { 0x01 } }, user = { { 0x02 } }, targets[7];
	uint8_t sum[32] = { 0 };
	const struct poco_fn *fns;
	size_t n_fns, t;
	decc_u256 value = DECC_U256_ZERO;
	uint8_t *cd;

	if (size < 3)
		return 0;
	mem_state_init(&m, 1 << 12);
	decc_poco_config_default(&cfg, 65535);
	decc_poco_executor(&ex, &cfg);
	if (decc_poco_genesis(&m.st, &cfg, &owner, NULL, 0) != 0)
		abort();
	mem_commit(&m);
	targets[0] = cfg.hub;
	targets[1] = cfg.app_registry;
	targets[2] =
	    create(&m, &ex, &cfg, &owner, &cfg.app_registry,
		   "createApp(address,string,string,bytes,bytes32,bytes)",
		   decc_abi_tuplev(6, decc_abi_address(&owner), decc_abi_string("a"),
				   decc_abi_string("DOCKER"), decc_abi_bytes(NULL, 0),
				   decc_abi_fixed_bytes(sum, 32), decc_abi_bytes(NULL, 0)));
	targets[3] =
	    create(&m, &ex, &cfg, &owner, &cfg.dataset_registry,
		   "createDataset(address,string,bytes,bytes32)",
		   decc_abi_tuplev(4, decc_abi_address(&owner), decc_abi_string("d"),
				   decc_abi_bytes(NULL, 0), decc_abi_fixed_bytes(sum, 32)));
	targets[4] = create(&m, &ex, &cfg, &owner, &cfg.workerpool_registry,
			    "createWorkerpool(address,string)",
			    decc_abi_tuplev(2, decc_abi_address(&owner), decc_abi_string("p")));
	targets[5] = cfg.workerpool_registry;
	targets[6] = cfg.dataprotector;
	t = data[0] % 7;
	if (t == 0) {
		fns = data[1] & 0x80   ? poco_match_fns
		      : data[1] & 0x40 ? poco_task_fns
		      : data[1] & 0x20 ? poco_order_fns
		      : data[1] & 0x10 ? poco_escrow_fns
				       : poco_view_fns;
		n_fns = fns == poco_match_fns	 ? poco_n_match_fns
			: fns == poco_task_fns	 ? poco_n_task_fns
			: fns == poco_order_fns	 ? poco_n_order_fns
			: fns == poco_escrow_fns ? poco_n_escrow_fns
						 : poco_n_view_fns;
	} else if (t == 6) {
		fns = poco_dataprotector_fns;
		n_fns = poco_n_dataprotector_fns;
	} else if (t == 1 || t == 5) {
		fns = poco_registry_fns;
		n_fns = poco_n_registry_fns;
	} else {
		fns = poco_asset_fns;
		n_fns = poco_n_asset_fns;
	}
	if (data[2] & 1) {
		/* fund the sender and send some wei */
		value = decc_u256_from_u64((uint64_t)data[2] * 123456789ULL);
		if (mem_set_wei(&m, &user, &value) != 0)
			abort();
		mem_commit(&m);
		if (mem_transfer(&m, &user, &targets[t], &value) != 0)
			abort();
		mem_commit(&m);
	}
	cd = malloc(size + 1);
	if (!cd)
		abort();
	decc_abi_selector(cd, fns[data[1] % n_fns].sig);
	memcpy(cd + 4, data + 3, size - 3);
	decc_exec_result_init(&res);
	run(&m, &ex, &cfg, (data[2] & 2) ? &owner : &user, &targets[t], &value, cd, size + 1, &res);
	decc_exec_result_release(&res);
	/* and the raw input as calldata, unmapped */
	decc_exec_result_init(&res);
	run(&m, &ex, &cfg, &user, &targets[t], &DECC_U256_ZERO, data, size, &res);
	decc_exec_result_release(&res);
	free(cd);
	mem_state_release(&m);
	return 0;
}
