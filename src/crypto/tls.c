/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TLS client sessions for https:// URLs (include/decc/tls.h). One SSL_CTX per process, made on
 * first use (pthread_once) so that programs that never fetch an https URL never set up libssl.
 * The socket I/O goes through a small BIO of our own: send(MSG_NOSIGNAL) so that a peer that
 * went away gives EPIPE instead of killing the daemon with SIGPIPE.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "crypto/internal.h"
#include "decc/error.h"
#include "decc/tls.h"

struct decc_tls {
	SSL *ssl;
	int fd;
};

static pthread_once_t ctx_once = PTHREAD_ONCE_INIT;
static SSL_CTX *ctx;
static BIO_METHOD *bio_method;
static char ctx_error[256];

uint64_t decc_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int bio_write(BIO *b, const char *p, int n)
{
	ssize_t k;

	BIO_clear_retry_flags(b);
	do
		k = send(BIO_get_fd(b, NULL), p, (size_t)n, MSG_NOSIGNAL);
	while (k < 0 && errno == EINTR);
	if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		BIO_set_retry_write(b);
	return (int)k;
}

static int bio_read(BIO *b, char *p, int n)
{
	ssize_t k;

	BIO_clear_retry_flags(b);
	do
		k = recv(BIO_get_fd(b, NULL), p, (size_t)n, 0);
	while (k < 0 && errno == EINTR);
	if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		BIO_set_retry_read(b);
	return (int)k;
}

static int bio_puts(BIO *b, const char *s)
{
	return bio_write(b, s, (int)strlen(s));
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	switch (cmd) {
	case BIO_C_SET_FD:
		BIO_set_data(b, (void *)(intptr_t)(*(int *)ptr));
		BIO_set_init(b, 1);
		(void)num;
		return 1;
	case BIO_C_GET_FD:
		if (ptr)
			*(int *)ptr = (int)(intptr_t)BIO_get_data(b);
		return (long)(intptr_t)BIO_get_data(b);
	case BIO_CTRL_FLUSH:
		return 1;
	default:
		return 0;
	}
}

static int bio_create(BIO *b)
{
	BIO_set_data(b, (void *)(intptr_t)-1);
	BIO_set_init(b, 0);
	return 1;
}

static void ctx_init(void)
{
	SSL_CTX *c;

	bio_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR,
				  "decc socket");
	if (!bio_method || !BIO_meth_set_write(bio_method, bio_write) ||
	    !BIO_meth_set_read(bio_method, bio_read) || !BIO_meth_set_puts(bio_method, bio_puts) ||
	    !BIO_meth_set_ctrl(bio_method, bio_ctrl) ||
	    !BIO_meth_set_create(bio_method, bio_create)) {
		snprintf(ctx_error, sizeof(ctx_error), "cannot create the socket BIO");
		return;
	}
	c = SSL_CTX_new(TLS_client_method());
	if (!c) {
		snprintf(ctx_error, sizeof(ctx_error), "cannot create the TLS context");
		return;
	}
	if (!SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION) ||
	    SSL_CTX_set_default_verify_paths(c) != 1) {
		snprintf(ctx_error, sizeof(ctx_error), "cannot load the system CA certificates");
		SSL_CTX_free(c);
		return;
	}
	SSL_CTX_set_verify(c, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_mode(c, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	ERR_clear_error();
	ctx = c;
}

/* Wait for what SSL asked for (ret = the failed call's result). */
static int wait_io(struct decc_tls *t, int ret, uint64_t deadline_ms, const char *what)
{
	int e = SSL_get_error(t->ssl, ret);
	struct pollfd pfd = { .fd = t->fd };
	int left = -1, k;

	if (e == SSL_ERROR_WANT_READ) {
		pfd.events = POLLIN;
	} else if (e == SSL_ERROR_WANT_WRITE) {
		pfd.events = POLLOUT;
	} else if (e == SSL_ERROR_SYSCALL) {
		int err = errno;

		ERR_clear_error();
		if (err == 0)
			return decc_error_set(DECC_ERROR, "TLS %s: connection closed by the peer",
					      what);
		return decc_error_set(DECC_ERROR, "TLS %s: %s", what, strerror(err));
	} else if (e == SSL_ERROR_SSL && SSL_get_verify_result(t->ssl) != X509_V_OK) {
		long v = SSL_get_verify_result(t->ssl);

		ERR_clear_error();
		return decc_error_set(DECC_EAUTH, "TLS %s: certificate verification failed: %s",
				      what, X509_verify_cert_error_string(v));
	} else {
		return decc_crypto_ossl_fail(DECC_ERROR, "TLS %s failed", what);
	}
	if (deadline_ms) {
		uint64_t now = decc_monotonic_ms();

		if (now >= deadline_ms)
			return decc_error_set(DECC_EAGAIN, "TLS %s: timed out", what);
		left = (int)(deadline_ms - now > 1000000 ? 1000000 : deadline_ms - now);
	}
	do
		k = poll(&pfd, 1, left);
	while (k < 0 && errno == EINTR);
	if (k < 0)
		return decc_error_set(DECC_ERROR, "TLS %s: poll: %s", what, strerror(errno));
	if (k == 0)
		return decc_error_set(DECC_EAGAIN, "TLS %s: timed out", what);
	return 0;
}

int decc_tls_connect(struct decc_tls **out, int fd, const char *host, uint64_t deadline_ms)
{
	struct decc_tls *t;
	BIO *bio;
	int r;

	pthread_once(&ctx_once, ctx_init);
	if (!ctx)
		return decc_error_set(DECC_ERROR, "TLS: %s", ctx_error);
	t = calloc(1, sizeof(*t));
	if (!t)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	t->fd = fd;
	t->ssl = SSL_new(ctx);
	bio = BIO_new(bio_method);
	if (!t->ssl || !bio) {
		BIO_free(bio);
		decc_tls_free(t);
		return decc_crypto_ossl_fail(DECC_ENOMEM, "TLS: cannot create a session");
	}
	BIO_set_fd(bio, fd, BIO_NOCLOSE);
	SSL_set_bio(t->ssl, bio, bio);
	/* SNI only for names (RFC 6066: not for IP literals); the check takes both */
	if (!strchr(host, ':') && strspn(host, "0123456789.") != strlen(host) &&
	    !SSL_set_tlsext_host_name(t->ssl, host)) {
		decc_tls_free(t);
		return decc_crypto_ossl_fail(DECC_EINVAL, "TLS: bad host name %s", host);
	}
	if (!SSL_set1_host(t->ssl, host)) {
		decc_tls_free(t);
		return decc_crypto_ossl_fail(DECC_EINVAL, "TLS: bad host name %s", host);
	}
	for (;;) {
		int k;

		errno = 0;
		k = SSL_connect(t->ssl);

		if (k == 1)
			break;
		r = wait_io(t, k, deadline_ms, "handshake");
		if (r < 0) {
			decc_tls_free(t);
			return decc_error_wrap(r, "%s", host);
		}
	}
	*out = t;
	return 0;
}

int decc_tls_read(struct decc_tls *t, void *buf, size_t cap, size_t *got, uint64_t deadline_ms)
{
	for (;;) {
		size_t n = 0;
		int k;

		errno = 0;
		k = SSL_read_ex(t->ssl, buf, cap, &n);

		if (k == 1) {
			*got = n;
			return 0;
		}
		if (SSL_get_error(t->ssl, k) == SSL_ERROR_ZERO_RETURN) {
			*got = 0;
			return 0;
		}
		if (SSL_get_error(t->ssl, k) == SSL_ERROR_SYSCALL && errno == 0) {
			/* TCP end without close_notify: the HTTP framing says if data is missing */
			ERR_clear_error();
			*got = 0;
			return 0;
		}
		DECC_TRY(wait_io(t, k, deadline_ms, "read"));
	}
}

int decc_tls_write(struct decc_tls *t, const void *buf, size_t n, uint64_t deadline_ms)
{
	const uint8_t *p = buf;

	while (n > 0) {
		size_t w = 0;
		int k;

		errno = 0;
		k = SSL_write_ex(t->ssl, p, n, &w);

		if (k == 1) {
			p += w;
			n -= w;
			continue;
		}
		DECC_TRY(wait_io(t, k, deadline_ms, "write"));
	}
	return 0;
}

bool decc_tls_pending(const struct decc_tls *t)
{
	return SSL_pending(t->ssl) > 0;
}

void decc_tls_free(struct decc_tls *t)
{
	if (!t)
		return;
	SSL_free(t->ssl);
	free(t);
}
