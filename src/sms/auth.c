/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pure part of the SMS: push challenges (reference/offchain.md §4.1), Authorization
 * headers, and the routing and validation of requests. No I/O here, so the fuzz target and
 * the unit tests drive it directly.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/hex.h"
#include "decc/sms.h"

int decc_sms_id_init(struct decc_sms_id *out, enum decc_sms_kind kind, const decc_address *target,
		     const char *name)
{
	size_t n = name ? strlen(name) : 0;

	DECC_ENSURE(n <= DECC_SMS_NAME_MAX, DECC_EINVAL, "secret name longer than %d bytes",
		    DECC_SMS_NAME_MAX);
	memset(out, 0, sizeof(*out));
	out->kind = kind;
	memcpy(out->target, target->b, 20);
	out->target_len = 20;
	if (n)
		memcpy(out->name, name, n);
	return 0;
}

void decc_sms_id_init_task(struct decc_sms_id *out, enum decc_sms_kind kind,
			   const uint8_t taskid[32])
{
	memset(out, 0, sizeof(*out));
	out->kind = kind;
	memcpy(out->target, taskid, 32);
	out->target_len = 32;
}

void decc_sms_challenge(uint8_t out[32], enum decc_sms_kind kind, const decc_address *target,
			const char *name, size_t name_len, const uint8_t *value, size_t value_len)
{
	struct decc_keccak k;
	uint8_t h[32];

	decc_keccak_init(&k);
	decc_keccak256(h, DECC_SMS_DOMAIN, strlen(DECC_SMS_DOMAIN));
	decc_keccak_update(&k, h, 32);
	decc_keccak_update(&k, target->b, 20);
	if (kind != DECC_SMS_WEB3) {
		if (kind == DECC_SMS_APP) {
			name = DECC_SMS_APP_SECRET_INDEX;
			name_len = strlen(name);
		}
		decc_keccak256(h, name ? name : "", name ? name_len : 0);
		decc_keccak_update(&k, h, 32);
	}
	decc_keccak256(h, value_len ? value : (const uint8_t *)"", value_len);
	decc_keccak_update(&k, h, 32);
	decc_keccak_final(&k, out);
}

int decc_sms_sign(uint8_t sig[65], const uint8_t challenge[32], const uint8_t sk[32])
{
	return decc_eip191_sign(sig, challenge, 32, sk);
}

int decc_sms_recover(decc_address *out, const uint8_t challenge[32], const char *authorization)
{
	uint8_t sig[65];
	size_t n = 0, len;

	DECC_ENSURE(authorization && *authorization, DECC_EAUTH,
		    "missing Authorization header: sign the challenge (EIP-191) and send the "
		    "signature");
	len = strlen(authorization);
	DECC_ENSURE(len <= 2 + 2 * sizeof(sig) &&
			decc_hex_decode(sig, sizeof(sig), &n, authorization, len) == 0 &&
			(n == 65 || n == 64),
		    DECC_EAUTH,
		    "the Authorization header is not a signature (expected 0x + 130 hex digits)");
	if (decc_eip191_recover(out, challenge, 32, sig, n) < 0)
		return decc_error_wrap(DECC_EAUTH, "the Authorization signature is invalid");
	return 0;
}

bool decc_sms_requester_key_valid(const char *key)
{
	size_t n = 0;

	for (; key[n]; n++) {
		char c = key[n];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return false;
		if (n >= DECC_SMS_REQUESTER_KEY_MAX)
			return false;
	}
	return n > 0;
}

/* Strict UTF-8 (no overlong forms, no surrogates, at most U+10FFFF). */
static bool utf8_valid(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t c = p[i];
		size_t len;
		uint32_t cp, min;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			len = 2;
			cp = c & 0x1f;
			min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			len = 3;
			cp = c & 0x0f;
			min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			len = 4;
			cp = c & 0x07;
			min = 0x10000;
		} else {
			return false;
		}
		if (n - i < len)
			return false;
		for (size_t j = 1; j < len; j++) {
			if ((p[i + j] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + j] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

static int fail(unsigned *status, unsigned code, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(unsigned *status, unsigned code, int err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	*status = code;
	return decc_error_set(err, "%s", msg);
}

static int parse_addr(decc_address *out, unsigned *status, const char *s, const char *what)
{
	if (!s || !*s)
		return fail(status, 400, DECC_EINVAL, "missing %s", what);
	if (decc_address_parse(out, s) < 0) {
		*status = 400;
		return decc_error_wrap(DECC_EINVAL, "%s", what);
	}
	return 0;
}

/* The value of a push: 1..DECC_SMS_SECRET_MAX bytes of UTF-8. */
static int check_value(unsigned *status, const struct decc_sms_http_request *req)
{
	if (req->body_truncated || req->body_len > DECC_SMS_SECRET_MAX) {
		*status = 413;
		return decc_error_set(DECC_ELIMIT, "secret larger than %d bytes",
				      DECC_SMS_SECRET_MAX);
	}
	if (req->body_len == 0)
		return fail(status, 400, DECC_EINVAL, "empty secret: the body is the secret value");
	if (!utf8_valid(req->body, req->body_len))
		return fail(status, 400, DECC_EINVAL, "the secret is not valid UTF-8 text");
	return 0;
}

/* Copy the segment of path up to the next '/' (or the end) into out; advances *path. */
static bool segment(char *out, size_t cap, const char **path)
{
	const char *p = *path, *e = strchr(p, '/');
	size_t n = e ? (size_t)(e - p) : strlen(p);

	if (n == 0 || n >= cap)
		return false;
	memcpy(out, p, n);
	out[n] = 0;
	*path = p + n;
	return true;
}

static bool is(const char *m, const char *want)
{
	return strcmp(m, want) == 0;
}

static int route(struct decc_sms_op *op, unsigned *status, const struct decc_sms_http_request *req)
{
	const char *m = req->method, *p = req->path;
	char addr[64], name[DECC_SMS_NAME_MAX + 2];
	bool post = is(m, "POST"), head = is(m, "HEAD");

	if (is(p, "/healthz") || is(p, "/metrics")) {
		if (!is(m, "GET") && !head)
			return fail(status, 405, DECC_EINVAL, "%s needs GET", p);
		op->op = is(p, "/healthz") ? DECC_SMS_OP_HEALTH : DECC_SMS_OP_METRICS;
		return 0;
	}
	if (is(p, "/secrets/web3")) {
		if (!post && !head)
			return fail(status, 405, DECC_EINVAL,
				    "/secrets/web3 takes POST (push) or HEAD (check)");
		op->op = post ? DECC_SMS_OP_PUSH : DECC_SMS_OP_CHECK;
		DECC_TRY(parse_addr(&op->target, status, req->secret_address,
				    "query parameter secretAddress"));
		return decc_sms_id_init(&op->id, DECC_SMS_WEB3, &op->target, NULL);
	}
	if (is(p, "/secrets/web2")) {
		const char *n = req->secret_name;

		if (!post && !head && !is(m, "PUT"))
			return fail(
			    status, 405, DECC_EINVAL,
			    "/secrets/web2 takes POST (push), PUT (update) or HEAD (check)");
		op->op = post ? DECC_SMS_OP_PUSH : head ? DECC_SMS_OP_CHECK : DECC_SMS_OP_UPDATE;
		DECC_TRY(parse_addr(&op->target, status, req->owner_address,
				    "query parameter ownerAddress"));
		if (!n || !*n)
			return fail(status, 400, DECC_EINVAL, "missing query parameter secretName");
		if (strlen(n) > DECC_SMS_NAME_MAX || !utf8_valid((const uint8_t *)n, strlen(n)))
			return fail(status, 400, DECC_EINVAL,
				    "secretName must be UTF-8 text of at most 256 bytes");
		return decc_sms_id_init(&op->id, DECC_SMS_WEB2, &op->target, n);
	}
	if (strncmp(p, "/apps/", 6) == 0) {
		p += 6;
		op->compute = true;
		if (!segment(addr, sizeof(addr), &p) || strncmp(p, "/secrets", 8) != 0)
			return fail(status, 404, DECC_ENOTFOUND, "no such path: %s", req->path);
		p += 8;
		if (*p == '/') { /* the SDK's /apps/{app}/secrets/{index} */
			p++;
			if (!segment(name, sizeof(name), &p) || *p)
				return fail(status, 404, DECC_ENOTFOUND, "no such path: %s",
					    req->path);
			if (!is(name, DECC_SMS_APP_SECRET_INDEX))
				return fail(status, 400, DECC_EINVAL,
					    "an app has one developer secret, index 1 (got %s)",
					    name);
		} else if (*p) {
			return fail(status, 404, DECC_ENOTFOUND, "no such path: %s", req->path);
		}
		if (!post && !head)
			return fail(status, 405, DECC_EINVAL,
				    "app secrets take POST (push) or HEAD (check)");
		op->op = post ? DECC_SMS_OP_PUSH : DECC_SMS_OP_CHECK;
		DECC_TRY(parse_addr(&op->target, status, addr, "app address in the path"));
		return decc_sms_id_init(&op->id, DECC_SMS_APP, &op->target,
					DECC_SMS_APP_SECRET_INDEX);
	}
	if (strncmp(p, "/requesters/", 12) == 0) {
		p += 12;
		op->compute = true;
		if (!segment(addr, sizeof(addr), &p) || strncmp(p, "/secrets/", 9) != 0)
			return fail(status, 404, DECC_ENOTFOUND, "no such path: %s", req->path);
		p += 9;
		if (!segment(name, sizeof(name), &p) || *p)
			return fail(status, 404, DECC_ENOTFOUND, "no such path: %s", req->path);
		if (!post && !head)
			return fail(status, 405, DECC_EINVAL,
				    "requester secrets take POST (push) or HEAD (check)");
		op->op = post ? DECC_SMS_OP_PUSH : DECC_SMS_OP_CHECK;
		DECC_TRY(parse_addr(&op->target, status, addr, "requester address in the path"));
		if (!decc_sms_requester_key_valid(name))
			return fail(status, 400, DECC_EINVAL,
				    "bad secret key '%s': expected 1 to 64 of A-Z a-z 0-9 - _",
				    name);
		return decc_sms_id_init(&op->id, DECC_SMS_REQUESTER, &op->target, name);
	}
	if (strncmp(p, "/tee/challenges/", 16) == 0) {
		p += 16;
		if (!segment(name, sizeof(name), &p) || *p)
			return fail(status, 404, DECC_ENOTFOUND, "no such path: %s", req->path);
		if (!post)
			return fail(status, 405, DECC_EINVAL, "/tee/challenges/TASKID takes POST");
		if (decc_hex_decode_exact(op->taskid, 32, name) < 0)
			return fail(status, 400, DECC_EINVAL,
				    "the task id in the path is not 32 bytes of hex");
		op->op = DECC_SMS_OP_CHALLENGE;
		decc_sms_id_init_task(&op->id, DECC_SMS_ENCLAVE_KEY, op->taskid);
		return 0;
	}
	if (is(p, "/tee/session")) {
		if (!post)
			return fail(status, 405, DECC_EINVAL, "/tee/session takes POST");
		op->op = DECC_SMS_OP_SESSION;
		return 0;
	}
	return fail(status, 404, DECC_ENOTFOUND, "no such path: %s", req->path);
}

/* The body of a session request: 1..DECC_SMS_SESSION_REQUEST_MAX bytes. */
static int check_session_body(unsigned *status, const struct decc_sms_http_request *req)
{
	if (req->body_truncated || req->body_len > DECC_SMS_SESSION_REQUEST_MAX) {
		*status = 413;
		return decc_error_set(DECC_ELIMIT, "session request larger than %d bytes",
				      DECC_SMS_SESSION_REQUEST_MAX);
	}
	if (req->body_len == 0)
		return fail(status, 400, DECC_EINVAL,
			    "empty session request: the body is the enclave's request JSON");
	return 0;
}

int decc_sms_request_parse(struct decc_sms_op *out, unsigned *status,
			   const struct decc_sms_http_request *req)
{
	struct decc_sms_op op = { 0 };
	int r;

	*status = 400;
	DECC_ENSURE(req->method && req->path, DECC_EINVAL, "request without method or path");
	*status = 0;
	r = route(&op, status, req);
	if (r < 0) {
		if (!*status)
			*status = 400;
		return r;
	}
	if (op.op == DECC_SMS_OP_PUSH || op.op == DECC_SMS_OP_UPDATE) {
		r = check_value(status, req);
		if (r < 0)
			return r;
		op.authorization = req->authorization;
		op.value = req->body;
		op.value_len = req->body_len;
	}
	if (op.op == DECC_SMS_OP_CHALLENGE)
		op.authorization = req->authorization;
	if (op.op == DECC_SMS_OP_SESSION) {
		r = check_session_body(status, req);
		if (r < 0)
			return r;
		op.value = req->body;
		op.value_len = req->body_len;
	}
	*out = op;
	return 0;
}
