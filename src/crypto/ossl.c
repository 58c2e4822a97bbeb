/* SPDX-License-Identifier: Apache-2.0 */
/* OpenSSL error reporting: turn the library's error queue into one decc error message. */
#include <stdarg.h>
#include <stdio.h>

#include <openssl/err.h>

#include "crypto/internal.h"
#include "decc/error.h"

int decc_crypto_ossl_fail(int code, const char *fmt, ...)
{
	char ctx[256];
	char reason[256];
	unsigned long e = ERR_peek_error();
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	ERR_clear_error();
	if (e == 0)
		return decc_error_set(code, "%s", ctx);
	ERR_error_string_n(e, reason, sizeof(reason));
	return decc_error_set(code, "%s (OpenSSL: %s)", ctx, reason);
}

void decc_crypto_ossl_clear(void)
{
	ERR_clear_error();
}
