/* SPDX-License-Identifier: Apache-2.0 */
/* Private helpers shared by the files of the crypto layer (never included outside it). */
#ifndef DECC_CRYPTO_INTERNAL_H
#define DECC_CRYPTO_INTERNAL_H

#include "decc/common.h"

/*
 * Record an error whose cause is in OpenSSL: the message is the printf-style context followed
 * by OpenSSL's first queued reason, and the OpenSSL error queue is emptied so that a later
 * failure does not report a stale reason. Returns `code`.
 */
int decc_crypto_ossl_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Empty OpenSSL's thread-local error queue (after an expected, handled failure). */
void decc_crypto_ossl_clear(void);

#endif
