/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CSPRNG: the kernel's, through getrandom(2) (blocks only until the pool is first seeded).
 *
 * Not OpenSSL's DRBG: RAND_bytes() initialises OpenSSL's provider machinery, ~2 MiB of resident
 * memory in each daemon that draws a nonce, for bytes the kernel gives directly.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "crypto/internal.h"
#include "decc/crypto.h"
#include "decc/error.h"

int decc_random_bytes(void *out, size_t n)
{
	uint8_t *p = out;

	while (n > 0) {
		ssize_t got = getrandom(p, n, 0);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			int e = got < 0 ? errno : EIO;

			/* leave nothing half-random behind: the caller must not use it */
			decc_wipe(out, (size_t)(p - (uint8_t *)out));
			return decc_error_set(
			    DECC_ERROR, "the random generator failed (getrandom: %s)", strerror(e));
		}
		p += got;
		n -= (size_t)got;
	}
	return 0;
}
