/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The DataProtector contract: createDatasetWithSchema creates the dataset through the dataset
 * registry for the given owner and emits DatasetSchema(address indexed, string); the
 * registry's reverts come back unchanged and leave the state as it was.
 */
#include "harness.h"

#define CDWS "createDatasetWithSchema(address,string,string,bytes,bytes32)"
#define SCHEMA "{\"email\":\"string\",\"age\":\"f64\"}"

static const uint8_t multiaddr[] = { 0xa5, 0x03, 0x22, 0x12, 0x20, 0x01, 0x02 };

/* order-independent digest of every present key and value of the state */
static void fingerprint(struct chain *c, uint8_t out[32], size_t *count)
{
	memset(out, 0, 32);
	*count = 0;
	for (size_t i = 0; i < c->m.cap; i++) {
		const struct mem_slot *s = &c->m.slots[i];
		struct decc_buf b = DECC_BUF_INIT;
		uint8_t h[32];

		if (!s->used || !s->val)
			continue;
		assert_int_equal(decc_buf_append(&b, s->key, s->klen), 0);
		assert_int_equal(decc_buf_append(&b, "=", 1), 0);
		assert_int_equal(decc_buf_append(&b, s->val, s->vlen), 0);
		decc_keccak256(h, b.data, b.len);
		decc_buf_release(&b);
		for (int j = 0; j < 32; j++)
			out[j] ^= h[j];
		(*count)++;
	}
}

static struct decc_abi_value *cdws_args(const decc_address *owner, const char *name,
					const char *schema, uint8_t ck)
{
	uint8_t checksum[32] = { ck, 0xcc };

	return decc_abi_tuplev(
	    5, decc_abi_address(owner), decc_abi_string(name), decc_abi_string(schema),
	    decc_abi_bytes(multiaddr, sizeof(multiaddr)), decc_abi_fixed_bytes(checksum, 32));
}

static void expect_bytes_out(struct chain *c, const char *type, const void *want, size_t n)
{
	struct decc_abi_type *t = NULL;
	struct decc_abi_value *v = NULL;

	assert_int_equal(decc_abi_type_parse(&t, type), 0);
	assert_int_equal(decc_abi_decode(&v, t, c->res.output.data, c->res.output.len), 0);
	assert_int_equal(v->items[0]->bytes.len, n);
	if (n)
		assert_memory_equal(v->items[0]->bytes.data, want, n);
	decc_abi_value_free(v);
	decc_abi_type_free(t);
}

static void test_address_and_registry(void **state)
{
	struct account owner = account_n(0), eve = account_n(7);
	struct chain c;
	decc_address want, reg;
	uint8_t zero32[32] = { 0 }, sel[4];
	struct poco p = { .cfg = &c.cfg };

	(void)state;
	chain_init(&c, &owner);
	/* the documented constant of include/decc/poco.h and DECC_CHAIN_DATAPROTECTOR_DECC */
	assert_int_equal(decc_address_parse(&want, "0x36baaaE8D4eB39b41331872b51796Bc91875Bb33"),
			 0);
	assert_memory_equal(c.cfg.dataprotector.b, want.b, 20);
	/* selectors of the contract's ABI (ethers.id(signature).slice(0, 10)) */
	decc_abi_selector(sel, CDWS);
	assert_memory_equal(sel, "\x16\x7f\xbf\x5f", 4);
	decc_abi_selector(sel, "registry()");
	assert_memory_equal(sel, "\x7b\x10\x39\x99", 4);
	assert_true(
	    chain_call(&c, &eve.a, &c.cfg.dataprotector, "registry()", decc_abi_tuple(0, NULL)));
	reg = out_addr(&c, 0);
	assert_memory_equal(reg.b, c.cfg.dataset_registry.b, 20);
	assert_true(c.ex.is_contract(c.ex.ctx, &c.m.st, &c.cfg.dataprotector));
	/* no receive(), no fallback, nothing payable, no owner() */
	assert_false(chain_call_value(&c, &eve.a, &c.cfg.dataprotector, NULL, NULL, 0));
	assert_reverted(&c, NULL);
	assert_false(
	    chain_call(&c, &eve.a, &c.cfg.dataprotector, "owner()", decc_abi_tuple(0, NULL)));
	assert_reverted(&c, NULL);
	assert_false(chain_call(
	    &c, &eve.a, &c.cfg.dataprotector, "createDataset(address,string,bytes,bytes32)",
	    decc_abi_tuplev(4, decc_abi_address(&eve.a), decc_abi_string("x"),
			    decc_abi_bytes(NULL, 0), decc_abi_fixed_bytes(zero32, 32))));
	assert_reverted(&c, NULL);
	{
		struct decc_buf data = DECC_BUF_INIT;
		decc_u256 one = decc_u256_from_u64(1);

		assert_int_equal(encode_free(&data, CDWS, cdws_args(&eve.a, "n", "{}", 1)), 0);
		assert_int_equal(mem_set_wei(&c.m, &eve.a, &one), 0);
		mem_commit(&c.m);
		assert_false(
		    chain_call_value(&c, &eve.a, &c.cfg.dataprotector, &one, data.data, data.len));
		assert_reverted(&c, NULL);
		/* truncated calldata: solc's decoder reverts without data */
		assert_false(chain_call_value(&c, &eve.a, &c.cfg.dataprotector, NULL, data.data,
					      data.len - 40));
		assert_reverted(&c, NULL);
		decc_buf_release(&data);
	}
	/* a config without a DataProtector serves none at the zero address */
	c.cfg.dataprotector = DECC_ADDRESS_ZERO;
	assert_false(poco_is_dataprotector(&p, &DECC_ADDRESS_ZERO));
	chain_release(&c);
}

static void test_create_with_schema(void **state)
{
	struct account owner = account_n(0), alice = account_n(2), eve = account_n(7);
	struct chain c;
	decc_address ds, pred, o;
	uint8_t topic0[32], want_topic0[32], checksum[32] = { 3, 0xcc };
	struct decc_abi_type *t = NULL;
	struct decc_abi_value *v = NULL;

	(void)state;
	chain_init(&c, &owner);
	/* the registry's own address for the same (owner, name, multiaddr, checksum) */
	assert_true(chain_call(
	    &c, &eve.a, &c.cfg.dataset_registry, "predictDataset(address,string,bytes,bytes32)",
	    decc_abi_tuplev(4, decc_abi_address(&alice.a), decc_abi_string("my data"),
			    decc_abi_bytes(multiaddr, sizeof(multiaddr)),
			    decc_abi_fixed_bytes(checksum, 32))));
	pred = out_addr(&c, 0);
	/* eve sends, alice owns */
	assert_true(chain_call(&c, &eve.a, &c.cfg.dataprotector, CDWS,
			       cdws_args(&alice.a, "my data", SCHEMA, 3)));
	ds = out_addr(&c, 0);
	assert_int_equal(c.res.output.len, 32);
	assert_memory_equal(ds.b, pred.b, 20);
	assert_int_equal(decc_poco_asset_owner(&o, &c.m.st, &ds), 0);
	assert_memory_equal(o.b, alice.a.b, 20);

	/* logs: the registry's Transfer(0, alice, dataset), then DatasetSchema */
	assert_int_equal(c.res.n_logs, 2);
	assert_memory_equal(c.res.logs[0].address.b, c.cfg.dataset_registry.b, 20);
	assert_int_equal(c.res.logs[0].n_topics, 4);
	assert_memory_equal(c.res.logs[0].topics[2] + 12, alice.a.b, 20);
	assert_memory_equal(c.res.logs[0].topics[3] + 12, ds.b, 20);
	assert_memory_equal(c.res.logs[1].address.b, c.cfg.dataprotector.b, 20);
	assert_int_equal(c.res.logs[1].n_topics, 2);
	/* keccak256("DatasetSchema(address,string)"), computed with ethers.id */
	assert_int_equal(decc_hex_decode_exact(
			     want_topic0, 32,
			     "37b19b8900a9b045473748167f459fa16828f33c13d71473bca4b5e52e5f4d5d"),
			 0);
	poco_topic(topic0, "DatasetSchema(address,string)");
	assert_memory_equal(topic0, want_topic0, 32);
	assert_memory_equal(c.res.logs[1].topics[0], want_topic0, 32);
	for (int i = 0; i < 12; i++)
		assert_int_equal(c.res.logs[1].topics[1][i], 0);
	assert_memory_equal(c.res.logs[1].topics[1] + 12, ds.b, 20);
	/* data: the ABI encoding of (string): offset 32, length, padded bytes */
	assert_int_equal(c.res.logs[1].data.len, 64 + (strlen(SCHEMA) + 31) / 32 * 32);
	assert_int_equal(c.res.logs[1].data.data[31], 32);
	assert_int_equal(c.res.logs[1].data.data[63], strlen(SCHEMA));
	assert_int_equal(decc_abi_type_parse(&t, "(string)"), 0);
	assert_int_equal(decc_abi_decode(&v, t, c.res.logs[1].data.data, c.res.logs[1].data.len),
			 0);
	assert_int_equal(v->items[0]->bytes.len, strlen(SCHEMA));
	assert_memory_equal(v->items[0]->bytes.data, SCHEMA, strlen(SCHEMA));
	decc_abi_value_free(v);
	decc_abi_type_free(t);

	/* the dataset's own fields, as createDataset would have set them */
	assert_true(chain_call(&c, &eve.a, &ds, "m_datasetName()", decc_abi_tuple(0, NULL)));
	expect_bytes_out(&c, "(string)", "my data", 7);
	assert_true(chain_call(&c, &eve.a, &ds, "m_datasetMultiaddr()", decc_abi_tuple(0, NULL)));
	expect_bytes_out(&c, "(bytes)", multiaddr, sizeof(multiaddr));
	assert_true(chain_call(&c, &eve.a, &ds, "m_datasetChecksum()", decc_abi_tuple(0, NULL)));
	assert_memory_equal(c.res.output.data, checksum, 32);
	assert_true(chain_call(&c, &eve.a, &ds, "owner()", decc_abi_tuple(0, NULL)));
	o = out_addr(&c, 0);
	assert_memory_equal(o.b, alice.a.b, 20);
	assert_true(chain_call(&c, &eve.a, &c.cfg.dataset_registry, "balanceOf(address)",
			       decc_abi_tuplev(1, decc_abi_address(&alice.a))));
	assert_int_equal(out_u64(&c, 0), 1);
	assert_true(chain_call(&c, &eve.a, &c.cfg.dataset_registry, "isRegistered(address)",
			       decc_abi_tuplev(1, decc_abi_address(&ds))));
	assert_int_equal(out_u64(&c, 0), 1);

	/* the real contract checks neither name nor schema: empty ones are accepted */
	assert_true(
	    chain_call(&c, &alice.a, &c.cfg.dataprotector, CDWS, cdws_args(&alice.a, "", "", 4)));
	assert_int_equal(c.res.n_logs, 2);
	assert_int_equal(c.res.logs[1].data.len, 64);
	assert_int_equal(c.res.logs[1].data.data[63], 0);
	chain_release(&c);
}

static void test_reverts_change_nothing(void **state)
{
	struct account owner = account_n(0), alice = account_n(2), eve = account_n(7);
	struct chain c;
	uint8_t before[32], after[32];
	size_t nb, na;

	(void)state;
	chain_init(&c, &owner);
	assert_true(chain_call(&c, &eve.a, &c.cfg.dataprotector, CDWS,
			       cdws_args(&alice.a, "d", SCHEMA, 5)));
	fingerprint(&c, before, &nb);

	/* the same dataset again: the registry's CREATE2 collision, whoever sends */
	assert_false(chain_call(&c, &alice.a, &c.cfg.dataprotector, CDWS,
				cdws_args(&alice.a, "d", SCHEMA, 5)));
	assert_reverted(&c, "Create2: Failed on deploy");
	assert_int_equal(c.res.n_logs, 0);
	/* a different schema does not make it a different dataset */
	assert_false(chain_call(&c, &eve.a, &c.cfg.dataprotector, CDWS,
				cdws_args(&alice.a, "d", "{\"other\":\"bool\"}", 5)));
	assert_reverted(&c, "Create2: Failed on deploy");
	/* a dataset created straight through the registry collides too */
	{
		uint8_t checksum[32] = { 6, 0xcc };

		assert_true(
		    chain_call(&c, &alice.a, &c.cfg.dataset_registry,
			       "createDataset(address,string,bytes,bytes32)",
			       decc_abi_tuplev(4, decc_abi_address(&alice.a), decc_abi_string("d"),
					       decc_abi_bytes(multiaddr, sizeof(multiaddr)),
					       decc_abi_fixed_bytes(checksum, 32))));
		fingerprint(&c, before, &nb);
		assert_false(chain_call(&c, &eve.a, &c.cfg.dataprotector, CDWS,
					cdws_args(&alice.a, "d", SCHEMA, 6)));
		assert_reverted(&c, "Create2: Failed on deploy");
	}
	/* owner 0: OpenZeppelin's mint check */
	assert_false(chain_call(&c, &eve.a, &c.cfg.dataprotector, CDWS,
				cdws_args(&DECC_ADDRESS_ZERO, "z", SCHEMA, 7)));
	assert_reverted(&c, "ERC721: mint to the zero address");
	assert_int_equal(c.res.n_logs, 0);
	fingerprint(&c, after, &na);
	assert_int_equal(na, nb);
	assert_memory_equal(after, before, 32);
	/* the registry still counts two datasets */
	assert_true(chain_call(&c, &eve.a, &c.cfg.dataset_registry, "totalSupply()",
			       decc_abi_tuple(0, NULL)));
	assert_int_equal(out_u64(&c, 0), 2);
	chain_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_address_and_registry),
		cmocka_unit_test(test_create_with_schema),
		cmocka_unit_test(test_reverts_change_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
