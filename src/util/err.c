/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "decc/error.h"

#define ERR_MAX 512

static _Thread_local int last_code;
static _Thread_local char last_msg[ERR_MAX];

int decc_error_code(void)
{
	return last_code;
}

const char *decc_error_last(void)
{
	return last_msg[0] ? last_msg : "no error recorded";
}

void decc_error_clear(void)
{
	last_code = 0;
	last_msg[0] = '\0';
}

int decc_error_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_msg, sizeof(last_msg), fmt, ap);
	va_end(ap);
	last_code = code;
	return code;
}

int decc_error_wrap(int code, const char *fmt, ...)
{
	char prev[ERR_MAX];
	char ctx[ERR_MAX];
	va_list ap;

	memcpy(prev, last_msg, sizeof(prev));
	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	/* truncation is acceptable: the message is bounded on purpose */
	size_t n = strnlen(ctx, sizeof(ctx) - 1);

	memcpy(last_msg, ctx, n);
	if (prev[0] && n + 2 < sizeof(last_msg)) {
		size_t m = strnlen(prev, sizeof(last_msg) - n - 3);

		memcpy(last_msg + n, ": ", 2);
		memcpy(last_msg + n + 2, prev, m);
		n += 2 + m;
	}
	last_msg[n] = '\0';
	last_code = code;
	return code;
}

const char *decc_error_name(int code)
{
	switch (code) {
	case DECC_OK:
		return "OK";
	case DECC_EINVAL:
		return "EINVAL";
	case DECC_ENOTFOUND:
		return "ENOTFOUND";
	case DECC_EEXISTS:
		return "EEXISTS";
	case DECC_EAUTH:
		return "EAUTH";
	case DECC_ELIMIT:
		return "ELIMIT";
	case DECC_ENOMEM:
		return "ENOMEM";
	case DECC_EBUSY:
		return "EBUSY";
	case DECC_EAGAIN:
		return "EAGAIN";
	case DECC_EREVERT:
		return "EREVERT";
	default:
		return "ERROR";
	}
}
