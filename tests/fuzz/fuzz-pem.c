/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RSA PEM import: never crashes or prompts; a key that imports exports a public PEM that imports
 * again to a key of the same size.
 */
#include <stdlib.h>

#include "decc/crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decc_rsa *k = NULL, *again = NULL;
	struct decc_buf pem = DECC_BUF_INIT;

	if (decc_rsa_from_pem(&k, (const char *)data, size) != 0)
		return 0;
	if (decc_rsa_bits(k) < 1024 || decc_rsa_public_pem(&pem, k) != 0 ||
	    decc_rsa_from_pem(&again, (const char *)pem.data, pem.len) != 0 ||
	    decc_rsa_has_private(again) || decc_rsa_bits(again) != decc_rsa_bits(k))
		abort();
	decc_buf_release(&pem);
	decc_rsa_free(again);
	decc_rsa_free(k);
	return 0;
}
