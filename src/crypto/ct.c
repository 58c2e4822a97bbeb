/* SPDX-License-Identifier: Apache-2.0 */
/* Constant-time comparison, for MACs, tags and secrets. */
#include <openssl/crypto.h>

#include "decc/crypto.h"

bool decc_ct_equal(const void *a, const void *b, size_t n)
{
	/* CRYPTO_memcmp's running time depends on n only, not on where the bytes differ */
	return n == 0 || CRYPTO_memcmp(a, b, n) == 0;
}
