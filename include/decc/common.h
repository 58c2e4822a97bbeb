/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decc public API conventions (every header follows them):
 *  - Functions return int: 0 on success or a negative DECC_E* code; the message is kept in a
 *    thread-local last error (decc_error_last()). Predicates return bool.
 *  - Output parameters are untouched on failure.
 *  - Argument order: context, outputs, in/out, inputs; a length follows its pointer.
 *  - Ownership: an object returned through `**out` belongs to the caller, who frees it with the
 *    matching decc_<type>_free() (which accepts NULL). Borrowed values live as long as their parent.
 */
#ifndef DECC_COMMON_H
#define DECC_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DECC_EXTERN __attribute__((visibility("default")))
#define DECC_MUST_USE __attribute__((warn_unused_result))

#define DECC_VERSION "0.1.0"

enum decc_error_code {
	DECC_OK = 0,
	DECC_ERROR = -1,     /* generic failure (I/O, library error) */
	DECC_EINVAL = -2,    /* malformed input */
	DECC_ENOTFOUND = -3, /* no such object */
	DECC_EEXISTS = -4,   /* already exists */
	DECC_EAUTH = -5,     /* bad signature, wrong password, wrong MAC, not the owner */
	DECC_ELIMIT = -6,    /* a size or count limit was exceeded */
	DECC_ENOMEM = -7,    /* allocation failed */
	DECC_EBUSY = -8,     /* resource busy, try later */
	DECC_EAGAIN = -9,    /* would block / not ready */
	DECC_EREVERT = -10,  /* a PoCo rule reverted (message = revert reason) */
};

#define DECC_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * How far a long operation (a file streamed through a function) got: fn(ctx, done, total) runs
 * on the caller's thread as the work advances (every chunk, ~1 MiB) and once more at the end
 * with done == total; total is 0 when not known. A NULL progress, or a NULL fn, reports nothing.
 */
struct decc_progress {
	void (*fn)(void *ctx, uint64_t done, uint64_t total);
	void *ctx;
};

static inline void decc_progress_report(const struct decc_progress *p, uint64_t done,
					uint64_t total)
{
	if (p && p->fn)
		p->fn(p->ctx, done, total);
}

#endif
