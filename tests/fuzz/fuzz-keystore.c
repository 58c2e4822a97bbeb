/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Keystore v3 reading: never crashes, whatever the JSON. The cost caps are set low (64 KiB of
 * scrypt memory, 1000 pbkdf2 iterations) so every input runs fast: bigger parameters stop at
 * DECC_ELIMIT before any key derivation. A file that opens yields a key whose address is the
 * one returned.
 */
#include <stdlib.h>
#include <string.h>

#include "decc/keystore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t sk[32];
	decc_address a, b;
	int r;

	r = decc_keystore_decrypt_capped(sk, &a, (const char *)data, size, "fuzz", 4, 1 << 16,
					 1000);
	if (r == 0) {
		if (decc_address_from_seckey(&b, sk) != 0 || !decc_address_eq(&a, &b))
			abort();
	} else if (r != DECC_EINVAL && r != DECC_EAUTH && r != DECC_ELIMIT) {
		abort();
	}
	return 0;
}
