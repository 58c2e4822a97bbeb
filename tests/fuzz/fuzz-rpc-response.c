/* SPDX-License-Identifier: Apache-2.0 */
/* The chain client's response parsers: a JSON-RPC response body, then a receipt object. */
#include <stddef.h>
#include <stdint.h>

#include "decc/chain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decc_buf out = DECC_BUF_INIT, rev = DECC_BUF_INIT;
	struct decc_chain_receipt rc;

	if (decc_chain_rpc_response(&out, &rev, "fuzz", (const char *)data, size, 1) == 0 &&
	    decc_chain_receipt_parse(&rc, (const char *)out.data, out.len) == 0)
		decc_chain_receipt_release(&rc);
	decc_buf_release(&out);
	decc_buf_release(&rev);
	return 0;
}
