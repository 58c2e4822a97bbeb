/* SPDX-License-Identifier: Apache-2.0 */
/* JSON-RPC framing of the chain client: requests, responses (malformed, errors, reverts),
 * quantities and receipts. Pure functions, no network. */
#include "test.h"

#include "decc/chain.h"

/* Error("iExecV5-matchOrders-0x10") as revert data */
#define REVERT_MATCH                                                                               \
	"0x08c379a0"                                                                               \
	"0000000000000000000000000000000000000000000000000000000000000020"                         \
	"0000000000000000000000000000000000000000000000000000000000000018"                         \
	"694578656356352d6d617463684f72646572732d307831300000000000000000"
/* Panic(0x11) */
#define REVERT_PANIC                                                                               \
	"0x4e487b71"                                                                               \
	"0000000000000000000000000000000000000000000000000000000000000011"

static void test_request(void **state)
{
	struct decc_buf b = DECC_BUF_INIT;

	(void)state;
	assert_int_equal(decc_chain_rpc_request(&b, 7, "eth_chainId", NULL), 0);
	assert_string_equal(
	    decc_buf_str(&b),
	    "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"eth_chainId\",\"params\":[]}");
	decc_buf_reset(&b);
	assert_int_equal(decc_chain_rpc_request(&b, 1, "eth_getBalance", "[\"0xab\",\"latest\"]"),
			 0);
	assert_string_equal(decc_buf_str(&b),
			    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
			    "\"eth_getBalance\",\"params\":[\"0xab\",\"latest\"]}");
	/* params must be a JSON array */
	decc_buf_reset(&b);
	assert_int_equal(decc_chain_rpc_request(&b, 1, "m", "{\"a\":1}"), DECC_EINVAL);
	assert_int_equal(decc_chain_rpc_request(&b, 1, "m", "[1,"), DECC_EINVAL);
	assert_int_equal(decc_chain_rpc_request(&b, 1, "", NULL), DECC_EINVAL);
	assert_int_equal(b.len, 0);
	decc_buf_release(&b);
}

static int parse(struct decc_buf *out, struct decc_buf *revert, const char *body, uint64_t id)
{
	decc_buf_reset(out);
	return decc_chain_rpc_response(out, revert, "eth_test", body, strlen(body), id);
}

static void test_response_ok(void **state)
{
	struct decc_buf out = DECC_BUF_INIT;

	(void)state;
	assert_int_equal(
	    parse(&out, NULL, "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":\"0x7a69\"}", 3), 0);
	assert_string_equal(decc_buf_str(&out), "\"0x7a69\"");
	/* a pending receipt is a null result, not an error */
	assert_int_equal(parse(&out, NULL, "{\"jsonrpc\":\"2.0\",\"id\":4,\"result\":null}", 4), 0);
	assert_string_equal(decc_buf_str(&out), "null");
	assert_int_equal(
	    parse(&out, NULL, "{\"id\":5,\"jsonrpc\":\"2.0\",\"result\":{\"a\":[1,2]}}", 5), 0);
	assert_string_equal(decc_buf_str(&out), "{\"a\":[1,2]}");
	decc_buf_release(&out);
}

static void test_response_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"not json",
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"",	      /* truncated */
		"[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}]",	      /* batch */
		"\"0x1\"",						      /* scalar */
		"{\"id\":1,\"result\":\"0x1\"}",			      /* no jsonrpc */
		"{\"jsonrpc\":\"1.0\",\"id\":1,\"result\":\"0x1\"}",	      /* wrong version */
		"{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":\"0x1\"}",	      /* wrong id */
		"{\"jsonrpc\":\"2.0\",\"id\":\"1\",\"result\":\"0x1\"}",      /* id as string */
		"{\"jsonrpc\":\"2.0\",\"result\":\"0x1\"}",		      /* no id */
		"{\"jsonrpc\":\"2.0\",\"id\":1}",			      /* no result */
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\",\"id\":1}", /* duplicate key */
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":\"boom\"}",	      /* error not object */
		"{\"jsonrpc\":\"2.0\",\"id\":9,\"error\":{\"code\":-1,\"message\":\"x\"}}", /* id */
	};
	struct decc_buf out = DECC_BUF_INIT;

	(void)state;
	for (size_t i = 0; i < DECC_ARRAY_SIZE(bad); i++) {
		int r = parse(&out, NULL, bad[i], 1);

		if (r != DECC_EINVAL)
			fail_msg("case %zu (%s): got %d (%s)", i, bad[i], r, decc_error_last());
		assert_int_equal(out.len, 0);
	}
	decc_buf_release(&out);
}

static void test_response_errors(void **state)
{
	struct decc_buf out = DECC_BUF_INIT, rev = DECC_BUF_INIT;

	(void)state;
	/* a plain JSON-RPC error keeps the node's words, method and code */
	assert_int_equal(parse(&out, NULL,
			       "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32000,"
			       "\"message\":\"nonce too low\"}}",
			       1),
			 DECC_ERROR);
	assert_string_equal(decc_error_last(), "eth_test: nonce too low (code -32000)");
	/* errors with id null (server-side parse errors) are still errors */
	assert_int_equal(parse(&out, NULL,
			       "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,"
			       "\"message\":\"parse error\"}}",
			       1),
			 DECC_ERROR);
	/* anvil/geth: code 3 with the revert data */
	assert_int_equal(
	    parse(&out, &rev,
		  "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":3,\"message\":"
		  "\"execution reverted: iExecV5-matchOrders-0x10\",\"data\":\"" REVERT_MATCH
		  "\"}}",
		  1),
	    DECC_EREVERT);
	assert_string_equal(decc_error_last(), "iExecV5-matchOrders-0x10");
	assert_int_equal(rev.len, 100);
	assert_int_equal(rev.data[0], 0x08);
	/* some nodes nest the data */
	assert_int_equal(
	    parse(&out, NULL,
		  "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32015,\"message\":"
		  "\"VM execution error\",\"data\":{\"data\":\"" REVERT_PANIC "\"}}}",
		  1),
	    DECC_EREVERT);
	assert_non_null(strstr(decc_error_last(), "panic 0x11"));
	/* a revert without data: the node's text after "reverted: " */
	assert_int_equal(parse(&out, &rev,
			       "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32000,"
			       "\"message\":\"execution reverted: out of stock\"}}",
			       1),
			 DECC_EREVERT);
	assert_string_equal(decc_error_last(), "out of stock");
	assert_int_equal(rev.len, 0);
	assert_int_equal(parse(&out, NULL,
			       "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":3,\"message\":"
			       "\"execution reverted\",\"data\":\"0x\"}}",
			       1),
			 DECC_EREVERT);
	assert_string_equal(decc_error_last(), "reverted without a reason");
	/* undecodable hex in the data: still a revert, with the node's message */
	assert_int_equal(parse(&out, NULL,
			       "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":3,\"message\":"
			       "\"execution reverted\",\"data\":\"0xzz\"}}",
			       1),
			 DECC_EREVERT);
	assert_non_null(strstr(decc_error_last(), "execution reverted"));
	assert_int_equal(out.len, 0);
	decc_buf_release(&out);
	decc_buf_release(&rev);
}

static void test_quantity(void **state)
{
	decc_u256 v;
	uint64_t u;

	(void)state;
	assert_int_equal(decc_chain_parse_quantity_u64(&u, "0x0"), 0);
	assert_int_equal(u, 0);
	assert_int_equal(decc_chain_parse_quantity_u64(&u, "0x7a69"), 0);
	assert_int_equal(u, 31337);
	assert_int_equal(decc_chain_parse_quantity_u64(&u, "0xffffffffffffffff"), 0);
	assert_int_equal(u, UINT64_MAX);
	u = 42;
	assert_int_equal(decc_chain_parse_quantity_u64(&u, "0x10000000000000000"), DECC_EINVAL);
	assert_int_equal(u, 42);
	assert_int_equal(
	    decc_chain_parse_quantity(
		&v, "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
	    0);
	assert_int_equal(v.w[3], UINT64_MAX);
	assert_int_equal(
	    decc_chain_parse_quantity(
		&v, "0x1ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
	    DECC_EINVAL);
	assert_int_equal(decc_chain_parse_quantity(&v, "0x"), DECC_EINVAL);
	assert_int_equal(decc_chain_parse_quantity(&v, "12"), DECC_EINVAL);
	assert_int_equal(decc_chain_parse_quantity(&v, "0x1g"), DECC_EINVAL);
	assert_int_equal(decc_chain_parse_quantity(&v, "0x-1"), DECC_EINVAL);
	assert_int_equal(decc_chain_parse_quantity(&v, ""), DECC_EINVAL);
}

#define RECEIPT_HEAD                                                                               \
	"{\"transactionHash\":\"0x" HASH "\",\"blockNumber\":\"0x22\",\"gasUsed\":\"0x5208\","
#define HASH "fb86af6df997f6decdac4516f1374d337acdbddf9ac060316d1381510e9675b2"
#define TOPIC "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"

static void test_receipt(void **state)
{
	static const char *const good =
	    RECEIPT_HEAD "\"status\":\"0x1\",\"contractAddress\":null,\"logs\":[{\"address\":"
			 "\"0xc6e7df5e7b4f2a278906862b61205850344d4e7d\",\"topics\":[\"0x" TOPIC
			 "\"],\"data\":\"0x0102\",\"blockNumber\":\"0x22\",\"logIndex\":\"0x3\","
			 "\"transactionHash\":\"0x" HASH "\"}]}";
	static const char *const bad[] = {
		RECEIPT_HEAD "\"status\":\"0x2\",\"logs\":[]}",
		RECEIPT_HEAD "\"logs\":[]}", /* pre-Byzantium: no status */
		RECEIPT_HEAD "\"status\":\"0x1\"}",
		RECEIPT_HEAD "\"status\":\"0x1\",\"logs\":[{\"address\":\"0x00\",\"topics\":[],"
			     "\"data\":\"0x\"}]}",
		RECEIPT_HEAD "\"status\":\"0x1\",\"logs\":[{\"address\":"
			     "\"0xc6e7df5e7b4f2a278906862b61205850344d4e7d\",\"topics\":[\"0x12\"],"
			     "\"data\":\"0x\"}]}",
		RECEIPT_HEAD "\"status\":\"0x1\",\"logs\":[{\"address\":"
			     "\"0xc6e7df5e7b4f2a278906862b61205850344d4e7d\",\"topics\":[\"0x" TOPIC
			     "\",\"0x" TOPIC "\",\"0x" TOPIC "\",\"0x" TOPIC "\",\"0x" TOPIC "\"],"
			     "\"data\":\"0x\"}]}",
		RECEIPT_HEAD "\"status\":\"0x1\",\"logs\":[{\"address\":"
			     "\"0xc6e7df5e7b4f2a278906862b61205850344d4e7d\",\"topics\":[],"
			     "\"data\":\"0x123\"}]}",
		"{\"transactionHash\":\"0x12\",\"blockNumber\":\"0x1\",\"gasUsed\":\"0x1\","
		"\"status\":\"0x1\",\"logs\":[]}",
		"[]",
	};
	struct decc_chain_receipt rc;

	(void)state;
	assert_int_equal(decc_chain_receipt_parse(&rc, good, strlen(good)), 0);
	assert_true(rc.status);
	assert_int_equal(rc.block_number, 0x22);
	assert_int_equal(rc.gas_used, 21000);
	assert_false(rc.has_contract_address);
	assert_int_equal(rc.logs.n, 1);
	assert_int_equal(rc.logs.items[0].n_topics, 1);
	assert_int_equal(rc.logs.items[0].log_index, 3);
	assert_bytes_hex(rc.logs.items[0].topics[0], 32, TOPIC);
	assert_bytes_hex(rc.logs.items[0].data.data, 2, "0102");
	assert_bytes_hex(rc.tx_hash, 32, HASH);
	decc_chain_receipt_release(&rc);
	for (size_t i = 0; i < DECC_ARRAY_SIZE(bad); i++) {
		int r = decc_chain_receipt_parse(&rc, bad[i], strlen(bad[i]));

		if (r != DECC_EINVAL)
			fail_msg("bad receipt %zu accepted (%d)", i, r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_response_ok),
		cmocka_unit_test(test_response_malformed),
		cmocka_unit_test(test_response_errors),
		cmocka_unit_test(test_quantity),
		cmocka_unit_test(test_receipt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
