/* SPDX-License-Identifier: Apache-2.0 */
/* Transactions: what decodes re-encodes to the very same bytes (one encoding per value). */
#include <stdlib.h>
#include <string.h>

#include "decc/tx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decc_tx tx;
	struct decc_buf b = DECC_BUF_INIT;
	uint8_t h[32];
	decc_address from;

	if (decc_tx_decode(&tx, data, size) != 0)
		return 0;
	if (decc_tx_encode(&b, &tx) != 0 || b.len != size || memcmp(b.data, data, size) != 0)
		abort();
	if (decc_tx_hash(h, &tx) != 0 || decc_tx_signing_hash(h, &tx) != 0)
		abort();
	/* recovery may fail (r not on the curve), but must not crash */
	(void)!decc_tx_sender(&from, &tx);
	decc_tx_release(&tx);
	decc_buf_release(&b);
	return 0;
}
