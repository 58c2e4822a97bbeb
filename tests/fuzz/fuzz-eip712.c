/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eth_signTypedData_v4 JSON: never crashes, bounded work (size, depth and type limits); a
 * document that hashes hashes the same way twice, and its digest is the EIP-712 digest of
 * the separator and struct hash returned with it.
 */
#include <stdlib.h>
#include <string.h>

#include "decc/eip712.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t d1[32], d2[32], sep[32], sh[32], d3[32], th[32];

	if (decc_eip712_hash_json(d1, sep, sh, (const char *)data, size) == 0) {
		if (decc_eip712_hash_json(d2, NULL, NULL, (const char *)data, size) != 0 ||
		    memcmp(d1, d2, 32) != 0)
			abort();
		decc_eip712_digest(d3, sep, sh);
		if (memcmp(d1, d3, 32) != 0)
			abort();
	}
	if (decc_eip712_type_hash_json(th, (const char *)data, size, "Mail") == 0 &&
	    decc_eip712_type_hash_json(d2, (const char *)data, size, "Mail") == 0 &&
	    memcmp(th, d2, 32) != 0)
		abort();
	return 0;
}
