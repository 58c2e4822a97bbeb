/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A TLS client over an already connected socket (libssl, in the crypto layer so that OpenSSL
 * headers stay there), for the HTTP client's https:// URLs. The certificate is checked against
 * the system CAs (SSL_CERT_FILE / SSL_CERT_DIR are honoured) and the host name; TLS >= 1.2.
 * The library context is created on the first connection only.
 *
 * The socket must be non-blocking: every call waits with poll() up to `deadline_ms`, an
 * absolute CLOCK_MONOTONIC time in milliseconds (0: no deadline). Writes never raise SIGPIPE.
 */
#ifndef DECC_TLS_H
#define DECC_TLS_H

#include "decc/common.h"

struct decc_tls;

/* Handshake with `host` (SNI + certificate name); the fd stays the caller's. */
DECC_EXTERN DECC_MUST_USE int decc_tls_connect(struct decc_tls **out, int fd, const char *host,
					       uint64_t deadline_ms);
/* Up to cap bytes into buf; *got = 0 at the end of the stream. */
DECC_EXTERN DECC_MUST_USE int decc_tls_read(struct decc_tls *t, void *buf, size_t cap, size_t *got,
					    uint64_t deadline_ms);
/* All n bytes. */
DECC_EXTERN DECC_MUST_USE int decc_tls_write(struct decc_tls *t, const void *buf, size_t n,
					     uint64_t deadline_ms);
/* Decrypted bytes already buffered (a read returns them without waiting). */
DECC_EXTERN bool decc_tls_pending(const struct decc_tls *t);
/* Frees the session (no close_notify: the connection may be shared after a fork); NULL ok. */
DECC_EXTERN void decc_tls_free(struct decc_tls *t);

/* CLOCK_MONOTONIC in milliseconds, the clock of the deadlines above. */
DECC_EXTERN uint64_t decc_monotonic_ms(void);

#endif
