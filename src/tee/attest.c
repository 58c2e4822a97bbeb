/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Platform attestation: the quote format and the SIMULATED backend. A simulated quote is
 * signed by a platform key kept in a file; anyone holding that file can produce quotes for any
 * measurement, so it stands for hardware only in development. A TDX backend would fill the
 * same two operations (quote from the TDX module, verify with DCAP collateral).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/file.h"
#include "decc/hex.h"
#include "decc/tee.h"

#define QUOTE_DOMAIN "decc-tee-quote"

static void quote_body(uint8_t out[DECC_TEE_QUOTE_BODY_LEN], const struct decc_tee_quote *q)
{
	out[0] = q->version;
	memcpy(out + 1, q->measurement, 32);
	memcpy(out + 33, q->taskid, 32);
	memcpy(out + 65, q->ephemeral_pub, 64);
	memcpy(out + 129, q->nonce, 32);
}

void decc_tee_quote_encode(uint8_t out[DECC_TEE_QUOTE_LEN], const struct decc_tee_quote *q)
{
	quote_body(out, q);
	memcpy(out + DECC_TEE_QUOTE_BODY_LEN, q->signature, 65);
}

int decc_tee_quote_decode(struct decc_tee_quote *out, const uint8_t *p, size_t n)
{
	struct decc_tee_quote q;

	DECC_ENSURE(n == DECC_TEE_QUOTE_LEN, DECC_EINVAL, "quote: %zu bytes, expected %d", n,
		    DECC_TEE_QUOTE_LEN);
	DECC_ENSURE(p[0] == DECC_TEE_QUOTE_VERSION, DECC_EINVAL,
		    "quote: version %u is not supported (expected %d)", p[0],
		    DECC_TEE_QUOTE_VERSION);
	q.version = p[0];
	memcpy(q.measurement, p + 1, 32);
	memcpy(q.taskid, p + 33, 32);
	memcpy(q.ephemeral_pub, p + 65, 64);
	memcpy(q.nonce, p + 129, 32);
	memcpy(q.signature, p + DECC_TEE_QUOTE_BODY_LEN, 65);
	*out = q;
	return 0;
}

void decc_tee_quote_digest(uint8_t out[32], const struct decc_tee_quote *q)
{
	uint8_t buf[sizeof(QUOTE_DOMAIN) - 1 + DECC_TEE_QUOTE_BODY_LEN];

	memcpy(buf, QUOTE_DOMAIN, sizeof(QUOTE_DOMAIN) - 1);
	quote_body(buf + sizeof(QUOTE_DOMAIN) - 1, q);
	decc_keccak256(out, buf, sizeof(buf));
}

void decc_tee_platform_release(struct decc_tee_platform *p)
{
	if (!p)
		return;
	if (p->free)
		p->free(p->ctx);
	memset(p, 0, sizeof(*p));
}

/* ---- the simulated backend ---- */

int decc_tee_sim_key_create(decc_address *addr, const char *path)
{
	uint8_t sk[32];
	char hex[67];
	decc_address a;
	int r;

	r = decc_secp256k1_keygen(sk);
	if (r == 0)
		r = decc_address_from_seckey(&a, sk);
	if (r == 0) {
		decc_hex_encode(hex, sk, 32, true);
		hex[66] = '\n';
		r = decc_file_write_atomic(path, hex, sizeof(hex), 0600, 0);
		if (r == DECC_EEXISTS)
			r = decc_error_set(DECC_EEXISTS,
					   "%s: a platform key exists there; it is never replaced",
					   path);
	}
	decc_wipe(sk, sizeof(sk));
	decc_wipe(hex, sizeof(hex));
	if (r == 0 && addr)
		*addr = a;
	return r;
}

static int key_load(uint8_t sk[32], const char *path)
{
	struct decc_buf b;
	struct stat st;
	size_t n;
	int r;

	if (stat(path, &st) < 0)
		return decc_error_set(DECC_ENOTFOUND, "platform key %s: %s", path, strerror(errno));
	if (st.st_mode & 077)
		return decc_error_set(DECC_EAUTH,
				      "platform key %s is readable by others; chmod 600 it", path);
	decc_buf_init_secret(&b, 256);
	r = decc_file_read(&b, path, 256);
	if (r == 0) {
		n = b.len;
		while (n &&
		       (b.data[n - 1] == '\n' || b.data[n - 1] == '\r' || b.data[n - 1] == ' '))
			n--;
		b.data[n] = 0;
		r = decc_hex_decode_exact(sk, 32, (const char *)b.data);
		if (r == 0 && !decc_secp256k1_seckey_valid(sk))
			r = decc_error_set(DECC_EINVAL, "platform key %s: not a valid key", path);
		if (r < 0)
			r = decc_error_wrap(DECC_EINVAL, "platform key %s", path);
	}
	decc_buf_release(&b);
	return r;
}

int decc_tee_sim_key_address(decc_address *addr, const char *path)
{
	uint8_t sk[32];
	int r = key_load(sk, path);

	if (r == 0)
		r = decc_address_from_seckey(addr, sk);
	decc_wipe(sk, sizeof(sk));
	return r;
}

struct sim {
	uint8_t sk[32];
	decc_address *trusted;
	size_t n;
};

static void sim_free(void *ctx)
{
	struct sim *s = ctx;

	if (!s)
		return;
	decc_wipe(s->sk, sizeof(s->sk));
	free(s->trusted);
	free(s);
}

static int sim_quote(void *ctx, struct decc_tee_quote *q)
{
	struct sim *s = ctx;
	uint8_t d[32];

	q->version = DECC_TEE_QUOTE_VERSION;
	decc_tee_quote_digest(d, q);
	return decc_eth_sign_digest(q->signature, d, s->sk);
}

static int sim_verify(void *ctx, const struct decc_tee_quote *q, decc_address *platform)
{
	struct sim *s = ctx;
	decc_address who;
	uint8_t d[32];

	DECC_ENSURE(q->version == DECC_TEE_QUOTE_VERSION, DECC_EINVAL, "quote: unknown version %u",
		    q->version);
	decc_tee_quote_digest(d, q);
	if (decc_eth_recover_digest(&who, d, q->signature, 65) < 0)
		return decc_error_set(DECC_EAUTH, "quote: bad signature");
	for (size_t i = 0; i < s->n; i++) {
		if (decc_address_eq(&who, &s->trusted[i])) {
			if (platform)
				*platform = who;
			return 0;
		}
	}
	char a[43];

	decc_address_to_checksum(a, &who);
	return decc_error_set(
	    DECC_EAUTH, "quote: signed by platform %s, which is not a trusted platform key", a);
}

int decc_tee_sim_platform(struct decc_tee_platform *out, const char *key_path)
{
	struct sim *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	r = key_load(s->sk, key_path);
	if (r < 0) {
		sim_free(s);
		return r;
	}
	*out = (struct decc_tee_platform){
		.name = "sim", .simulated = true, .ctx = s, .quote = sim_quote, .free = sim_free
	};
	return 0;
}

int decc_tee_sim_verifier(struct decc_tee_platform *out, const decc_address *trusted, size_t n)
{
	struct sim *s = calloc(1, sizeof(*s));

	if (!s)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	if (n) {
		s->trusted = calloc(n, sizeof(*trusted));
		if (!s->trusted) {
			free(s);
			return decc_error_set(DECC_ENOMEM, "out of memory");
		}
		memcpy(s->trusted, trusted, n * sizeof(*trusted));
	}
	s->n = n;
	*out = (struct decc_tee_platform){
		.name = "sim", .simulated = true, .ctx = s, .verify = sim_verify, .free = sim_free
	};
	return 0;
}
