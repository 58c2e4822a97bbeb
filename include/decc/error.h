/* SPDX-License-Identifier: Apache-2.0 */
#ifndef DECC_ERROR_H
#define DECC_ERROR_H

#include "decc/common.h"

/* The last error set on this thread: its code and a message a user can act on. */
DECC_EXTERN int decc_error_code(void);
DECC_EXTERN const char *decc_error_last(void);
DECC_EXTERN void decc_error_clear(void);

/*
 * Record an error and return `code`, so a failure reads `return decc_error_set(DECC_EINVAL, ...)`.
 * The message is formatted printf-style and truncated to 512 bytes.
 */
DECC_EXTERN int decc_error_set(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prefix the current message with context: "context: previous message". Returns `code`. */
DECC_EXTERN int decc_error_wrap(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Name of a code, e.g. "EINVAL". */
DECC_EXTERN const char *decc_error_name(int code);

/* Control-flow helpers; the only macros allowed to hide a return. */
#define DECC_TRY(expr)                                                                             \
	do {                                                                                       \
		int decc_try_r_ = (expr);                                                          \
		if (decc_try_r_ < 0)                                                               \
			return decc_try_r_;                                                        \
	} while (0)
#define DECC_ENSURE(cond, code, ...)                                                               \
	do {                                                                                       \
		if (!(cond))                                                                       \
			return decc_error_set((code), __VA_ARGS__);                                \
	} while (0)

#endif
