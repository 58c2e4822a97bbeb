/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iExec's DataProtector contract (dataprotector-sdk, packages/smart-contract), the one that
 * protectData sends its DEPLOY_PROTECTED_DATA transaction to:
 *
 *   createDatasetWithSchema(address owner, string name, string schema, bytes multiaddr,
 *                           bytes32 checksum) returns (address dataset)
 *     calls DatasetRegistry.createDataset(owner, name, multiaddr, checksum) (so the dataset
 *     gets the same address and fields, and belongs to owner, whoever sends), then emits
 *     DatasetSchema(address indexed dataset, string schema). The contract checks nothing
 *     itself: an empty name or schema is accepted; the registry's reverts come back as they
 *     are (Solidity bubbles a callee's revert data): "ERC721: mint to the zero address" for
 *     owner 0, "Create2: Failed on deploy" for a dataset that already exists.
 *   registry() returns (address): the dataset registry it creates through.
 *
 * The contract has no state of its own, no receive() and no fallback.
 */
#include "internal.h"

bool poco_is_dataprotector(const struct poco *p, const decc_address *a)
{
	return !decc_address_is_zero(&p->cfg->dataprotector) &&
	       decc_address_eq(a, &p->cfg->dataprotector);
}

static struct decc_abi_value *bytes_of(const struct decc_abi_value *v)
{
	return decc_abi_bytes(v->bytes.data, v->bytes.len);
}

static struct decc_abi_value *string_of(const struct decc_abi_value *v)
{
	struct decc_abi_value *s = bytes_of(v);

	if (s)
		s->kind = DECC_ABI_STRING;
	return s;
}

static int fn_create_dataset_with_schema(struct poco *p, const struct decc_abi_value *args)
{
	/* the registry's own argument tuple: (owner, name, multiaddr, checksum) */
	struct decc_abi_value *reg = decc_abi_tuplev(
	    4, decc_abi_fixed_bytes(poco_arg(args, 0)->word, 32), string_of(poco_arg(args, 1)),
	    bytes_of(poco_arg(args, 3)), decc_abi_fixed_bytes(poco_arg(args, 4)->word, 32));
	uint8_t topics[2][32];
	decc_address dataset;
	int r;

	if (!reg)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	r = poco_registry_create(p, &dataset, POCO_DATASET, reg);
	decc_abi_value_free(reg);
	if (r < 0)
		return r;
	poco_topic(topics[0], "DatasetSchema(address,string)");
	poco_addr_word(topics[1], &dataset);
	DECC_TRY(poco_log_abi(p, &p->cfg->dataprotector, 2, topics, "(string)",
			      decc_abi_tuplev(1, string_of(poco_arg(args, 2)))));
	return poco_return_address(p, &dataset);
}

static int fn_registry(struct poco *p, const struct decc_abi_value *args)
{
	(void)args;
	return poco_return_address(p, &p->cfg->dataset_registry);
}

const struct poco_fn poco_dataprotector_fns[] = {
	{ "createDatasetWithSchema(address,string,string,bytes,bytes32)",
	  fn_create_dataset_with_schema, false },
	{ "registry()", fn_registry, false },
};
const size_t poco_n_dataprotector_fns = DECC_ARRAY_SIZE(poco_dataprotector_fns);
