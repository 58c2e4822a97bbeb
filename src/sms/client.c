/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SMS client (`decc secret`): builds the same challenge as the server, signs it (EIP-191)
 * and sends the push as the iexec SDK does: the secret as the raw body, the signature in the
 * Authorization header. Works against decc sms and iExec's SMS.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/hex.h"
#include "decc/http_client.h"
#include "decc/sms.h"

#define MAX_ANSWER (64 * 1024)

/* The URL of a secret: base + path (+ query), names escaped. */
static int secret_url(struct decc_buf *out, const char *base, enum decc_sms_kind kind,
		      const decc_address *target, const char *name)
{
	size_t bl = strlen(base);
	char addr[43];

	while (bl > 0 && base[bl - 1] == '/')
		bl--;
	decc_address_to_checksum(addr, target);
	DECC_TRY(decc_buf_append(out, base, bl));
	switch (kind) {
	case DECC_SMS_WEB3:
		return decc_buf_appendf(out, "/secrets/web3?secretAddress=%s", addr);
	case DECC_SMS_APP:
		DECC_ENSURE(!name || strcmp(name, DECC_SMS_APP_SECRET_INDEX) == 0, DECC_EINVAL,
			    "an app has one developer secret, index 1");
		return decc_buf_appendf(out, "/apps/%s/secrets", addr);
	case DECC_SMS_REQUESTER:
		DECC_ENSURE(name && decc_sms_requester_key_valid(name), DECC_EINVAL,
			    "bad requester secret name '%s': use 1 to 64 of A-Z a-z 0-9 - _",
			    name ? name : "");
		return decc_buf_appendf(out, "/requesters/%s/secrets/%s", addr, name);
	case DECC_SMS_WEB2:
		DECC_ENSURE(name && *name && strlen(name) <= DECC_SMS_NAME_MAX, DECC_EINVAL,
			    "a web2 secret needs a name of 1 to %d bytes", DECC_SMS_NAME_MAX);
		DECC_TRY(decc_buf_appendf(out, "/secrets/web2?ownerAddress=%s&secretName=", addr));
		return decc_http_url_escape(out, name);
	default:
		return decc_error_set(DECC_EINVAL, "sms client: unknown kind of secret %d",
				      (int)kind);
	}
}

/* The SMS's reason: {"error":["…"]} or the raw text. */
static void reason(char *out, size_t cap, const struct decc_buf *body)
{
	json_t *j = json_loadb((const char *)body->data, body->len, 0, NULL);
	json_t *e = j ? json_object_get(j, "error") : NULL;

	if (json_is_array(e) && json_is_string(json_array_get(e, 0)))
		snprintf(out, cap, "%s", json_string_value(json_array_get(e, 0)));
	else if (json_is_string(e))
		snprintf(out, cap, "%s", json_string_value(e));
	else
		snprintf(out, cap, "%.*s", (int)(body->len > 300 ? 300 : body->len),
			 (const char *)body->data);
	json_decref(j);
	for (char *p = out; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

static int status_error(long status, const struct decc_buf *body, const char *url)
{
	char why[400];
	int code;

	reason(why, sizeof(why), body);
	switch (status) {
	case 400:
		code = DECC_EINVAL;
		break;
	case 401:
		code = DECC_EAUTH;
		break;
	case 404:
		code = DECC_ENOTFOUND;
		break;
	case 409:
		code = DECC_EEXISTS;
		break;
	case 413:
		code = DECC_ELIMIT;
		break;
	default:
		code = DECC_ERROR;
		break;
	}
	return decc_error_set(code, "the SMS refused (HTTP %ld): %s", status, why[0] ? why : url);
}

/* One exchange with the SMS: 5 s to connect, 30 s in all. */
static int perform(long *status, const char *method, const char *url, const char *const *hdrs,
		   const void *value, size_t n, struct decc_buf *body)
{
	struct decc_http_request q = {
		.method = method,
		.url = url,
		.headers = hdrs,
		.body = value,
		.body_len = n,
		.out = body,
		.connect_timeout_ms = 5000,
		.timeout_ms = 30000,
	};
	struct decc_http_response resp;
	int r = decc_http_request(&resp, &q);

	if (r < 0) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", decc_error_last());
		return decc_error_set(r == DECC_ELIMIT ? r : DECC_ERROR,
				      "cannot reach the SMS at %s: %s", url, msg);
	}
	*status = resp.status;
	decc_http_response_clear(&resp);
	return 0;
}

int decc_sms_client_push(const char *sms_url, enum decc_sms_kind kind, const decc_address *target,
			 const char *name, const uint8_t *value, size_t n, bool update,
			 const uint8_t sk[32])
{
	struct decc_buf url = DECC_BUF_INIT, body = DECC_BUF_INIT, auth = DECC_BUF_INIT;
	uint8_t challenge[32], sig[65];
	long status = 0;
	int r;

	DECC_ENSURE(n > 0 && n <= DECC_SMS_SECRET_MAX, n ? DECC_ELIMIT : DECC_EINVAL,
		    "a secret has 1 to %d bytes (got %zu)", DECC_SMS_SECRET_MAX, n);
	DECC_ENSURE(!update || kind == DECC_SMS_WEB2, DECC_EINVAL,
		    "only web2 secrets (such as the result key) can be updated");
	decc_buf_init(&body, MAX_ANSWER);
	r = secret_url(&url, sms_url, kind, target, name);
	if (r == 0) {
		decc_sms_challenge(challenge, kind, target, name, name ? strlen(name) : 0, value,
				   n);
		r = decc_sms_sign(sig, challenge, sk);
	}
	if (r == 0) {
		r = decc_buf_append_str(&auth, "Authorization: ");
		if (r == 0)
			r = decc_hex_append(&auth, sig, sizeof(sig));
	}
	if (r == 0) {
		const char *lines[] = { decc_buf_str(&auth), "Content-Type: text/plain", NULL };

		r = perform(&status, update ? "PUT" : "POST", decc_buf_str(&url), lines, value, n,
			    &body);
	}
	if (r == 0 && (status < 200 || status > 299))
		r = status_error(status, &body, decc_buf_str(&url));
	decc_buf_release(&url);
	decc_buf_release(&body);
	decc_buf_release(&auth);
	return r;
}

int decc_sms_client_check(const char *sms_url, bool *exists, enum decc_sms_kind kind,
			  const decc_address *target, const char *name)
{
	struct decc_buf url = DECC_BUF_INIT, body = DECC_BUF_INIT;
	long status = 0;
	int r;

	decc_buf_init(&body, MAX_ANSWER);
	r = secret_url(&url, sms_url, kind, target, name);
	if (r == 0)
		r = perform(&status, "HEAD", decc_buf_str(&url), NULL, NULL, 0, &body);
	if (r == 0) {
		if (status == 200 || status == 204)
			*exists = true;
		else if (status == 404)
			*exists = false;
		else
			r = status_error(status, &body, decc_buf_str(&url));
	}
	decc_buf_release(&url);
	decc_buf_release(&body);
	return r;
}

int decc_sms_client_challenge(const char *sms_url, decc_address *out, const uint8_t taskid[32],
			      const uint8_t sk[32])
{
	struct decc_buf url = DECC_BUF_INIT, body = DECC_BUF_INIT, auth = DECC_BUF_INIT;
	uint8_t h32[32], sig[65];
	char tid[67];
	long status = 0;
	int r;

	decc_buf_init(&body, MAX_ANSWER);
	decc_hex_encode(tid, taskid, 32, true);
	decc_keccak256(h32, taskid, 32);
	r = decc_eip191_sign(sig, h32, 32, sk);
	if (r == 0)
		r = decc_buf_appendf(&url, "%s/tee/challenges/%s", sms_url, tid);
	if (r == 0)
		r = decc_buf_append_str(&auth, "Authorization: ");
	if (r == 0)
		r = decc_hex_append(&auth, sig, sizeof(sig));
	if (r == 0) {
		const char *lines[] = { decc_buf_str(&auth), NULL };

		r = perform(&status, "POST", decc_buf_str(&url), lines, NULL, 0, &body);
	}
	if (r == 0 && status != 200)
		r = status_error(status, &body, decc_buf_str(&url));
	if (r == 0) {
		while (body.len &&
		       (body.data[body.len - 1] == '\n' || body.data[body.len - 1] == ' '))
			body.data[--body.len] = 0;
		if (decc_address_parse(out, decc_buf_str(&body)) < 0)
			r = decc_error_set(DECC_EINVAL, "the SMS answer is not an address");
	}
	decc_buf_release(&url);
	decc_buf_release(&body);
	decc_buf_release(&auth);
	return r;
}
