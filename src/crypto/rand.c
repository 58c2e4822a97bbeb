/* SPDX-License-Identifier: Apache-2.0 */
/* CSPRNG: OpenSSL's DRBG, seeded and reseeded from the operating system. */
#include <limits.h>

#include <openssl/rand.h>

#include "crypto/internal.h"
#include "decc/crypto.h"
#include "decc/error.h"

int decc_random_bytes(void *out, size_t n)
{
	uint8_t *p = out;

	while (n > 0) {
		int chunk = n > (size_t)INT_MAX ? INT_MAX : (int)n;

		if (RAND_bytes(p, chunk) != 1) {
			/* leave nothing half-random behind: the caller must not use it */
			decc_wipe(out, (size_t)(p - (uint8_t *)out));
			return decc_crypto_ossl_fail(
			    DECC_ERROR,
			    "the random generator failed (is the OS entropy source available?)");
		}
		p += chunk;
		n -= (size_t)chunk;
	}
	return 0;
}
