/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a worker sends the scheduler: the first byte picks the parser (status update, login
 * signature, registration, challenge digest), the rest is the body. Invariants: a refused
 * body leaves an error message; an accepted update has a known status, bounded fields and
 * log tails within their limits; an accepted registration has 1..1024 slots.
 */
#include <stdlib.h>
#include <string.h>

#include "decc/error.h"
#include "scheduler/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)(data + 1);
	size_t n = size ? size - 1 : 0;

	if (size == 0)
		return 0;
	switch (data[0] % 4) {
	case 0: {
		struct sched_update u;

		sched_update_init(&u);
		if (sched_parse_update(&u, body, n) == 0) {
			if (u.status < 0 || u.status >= R_COUNT ||
			    strlen(u.cause) >= sizeof(u.cause) ||
			    strlen(u.result_link) >= sizeof(u.result_link) ||
			    u.stdout_tail.len > SCHED_MAX_LOG_TAIL ||
			    u.stderr_tail.len > SCHED_MAX_LOG_TAIL)
				abort();
			if (u.cause[0] && !sched_cause_valid(u.cause))
				abort();
		} else if (!decc_error_last()[0]) {
			abort();
		}
		sched_update_release(&u);
		break;
	}
	case 1: {
		uint8_t sig[65];

		(void)sched_parse_signature(sig, body, n);
		break;
	}
	case 2: {
		uint64_t slots = 0;
		bool tee;

		if (sched_parse_register(&slots, &tee, body, n) == 0 && (slots < 1 || slots > 1024))
			abort();
		break;
	}
	default: {
		char *s = malloc(n + 1);
		uint8_t out[32];

		if (!s)
			return 0;
		memcpy(s, body, n);
		s[n] = 0;
		sched_challenge_digest(out, s);
		free(s);
		break;
	}
	}
	return 0;
}
