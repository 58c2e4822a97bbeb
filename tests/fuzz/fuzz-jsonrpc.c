/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The node's JSON-RPC request handler, without network: the input is fed as an HTTP body to
 * decc_node_handle_body(), then again as the raw transaction of an eth_sendRawTransaction, so
 * both the JSON-RPC layer and the raw transaction path (decode, sender, checks, mining) are
 * exercised. One node (temporary data dir, no fsync) serves the whole run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decc/hex.h"
#include "decc/node.h"

static struct decc_node *node;
static struct decc_genesis genesis;
static char dir[64];

static void cleanup(void)
{
	char cmd[128];

	decc_node_stop(node);
	decc_genesis_release(&genesis);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz-jsonrpc: could not remove %s\n", dir);
}

static void start(void)
{
	static const char g[] = "{\"chainId\": 65535, \"timestamp\": 1700000000, \"accounts\": {"
				"\"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266\": {\"balance\": "
				"\"1000000000000000000000\"}}}";
	struct decc_node_config cfg = { 0 };

	strcpy(dir, "/tmp/decc-fuzz-jsonrpc-XXXXXX");
	if (!mkdtemp(dir) || decc_genesis_parse(&genesis, g, sizeof(g) - 1) != 0)
		abort();
	cfg.data_dir = dir;
	cfg.genesis = &genesis;
	cfg.no_sync = true;
	cfg.max_batch = 20;
	if (decc_node_start(&node, &cfg) != 0)
		abort();
	atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decc_buf out = DECC_BUF_INIT, req = DECC_BUF_INIT;

	if (!node)
		start();
	if (decc_node_handle_body(node, &out, (const char *)data, size) != 0)
		abort();
	/* every non-empty response is one JSON value */
	if (out.len && out.data[0] != '{' && out.data[0] != '[')
		abort();
	decc_buf_reset(&out);
	if (size <= 4096 &&
	    decc_buf_append_str(&req,
				"{\"jsonrpc\":\"2.0\",\"id\":1,"
				"\"method\":\"eth_sendRawTransaction\",\"params\":[\"") == 0 &&
	    decc_hex_append(&req, data, size) == 0 && decc_buf_append_str(&req, "\"]}") == 0) {
		if (decc_node_handle_body(node, &out, decc_buf_str(&req), req.len) != 0)
			abort();
		if (out.len == 0 || out.data[0] != '{')
			abort();
	}
	decc_buf_release(&out);
	decc_buf_release(&req);
	return 0;
}
