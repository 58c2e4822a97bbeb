/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SMS request handling, independent of HTTP: route, check the value, recover the signer of
 * the challenge, compare it with the owner (the ledger for datasets and apps, the address
 * itself for web2 and requester secrets), store. Answers follow iExec's SMS: 204 stored or
 * present, 401 bad signature or not the owner, 404 absent, 409 exists (write-once), 413 too
 * large, 400 bad request; refusals carry {"error":["<reason>"]}.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "decc/error.h"
#include "decc/sms.h"

#define DEFAULT_MAX_SECRETS 1000000
#define NKINDS 5

struct decc_sms_service {
	struct decc_sms_store *store;
	decc_sms_owner_fn owner;
	void *owner_ctx;
	uint64_t max_secrets;
	atomic_ullong nsecrets;
	atomic_ullong requests, checks, pushes[NKINDS], updates;
	atomic_ullong r400, r401, r404, r405, r409, r413, r5xx;
};

int decc_sms_service_new(struct decc_sms_service **out, const struct decc_sms_service_config *cfg)
{
	struct decc_sms_service *s;
	uint64_t n = 0;

	DECC_ENSURE(cfg->store && cfg->owner, DECC_EINVAL,
		    "sms: a store and an owner lookup are "
		    "required");
	DECC_TRY(decc_sms_store_count(cfg->store, &n));
	s = calloc(1, sizeof(*s));
	if (!s)
		return decc_error_set(DECC_ENOMEM, "sms: out of memory");
	s->store = cfg->store;
	s->owner = cfg->owner;
	s->owner_ctx = cfg->owner_ctx;
	s->max_secrets = cfg->max_secrets ? cfg->max_secrets : DEFAULT_MAX_SECRETS;
	atomic_store(&s->nsecrets, n);
	*out = s;
	return 0;
}

void decc_sms_service_free(struct decc_sms_service *s)
{
	free(s);
}

static const char *kind_name(enum decc_sms_kind k)
{
	switch (k) {
	case DECC_SMS_WEB3:
		return "dataset";
	case DECC_SMS_WEB2:
		return "web2";
	case DECC_SMS_APP:
		return "app";
	case DECC_SMS_REQUESTER:
		return "requester";
	default:
		return "unknown";
	}
}

static void count_status(struct decc_sms_service *s, unsigned status)
{
	switch (status) {
	case 400:
		atomic_fetch_add(&s->r400, 1);
		break;
	case 401:
		atomic_fetch_add(&s->r401, 1);
		break;
	case 404:
		atomic_fetch_add(&s->r404, 1);
		break;
	case 405:
		atomic_fetch_add(&s->r405, 1);
		break;
	case 409:
		atomic_fetch_add(&s->r409, 1);
		break;
	case 413:
		atomic_fetch_add(&s->r413, 1);
		break;
	default:
		if (status >= 500)
			atomic_fetch_add(&s->r5xx, 1);
		break;
	}
}

/* A refusal: {"error":["<msg>"]}. */
static int refuse(struct decc_sms_service *s, struct decc_sms_response *resp, unsigned status,
		  const char *msg)
{
	char clean[700];
	json_t *o;
	char *text;
	int r;

	/* reasons quote request bytes, which need not be text: keep printable ASCII only */
	snprintf(clean, sizeof(clean), "%s", msg);
	for (char *p = clean; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	o = json_pack("{s:[s]}", "error", clean);
	text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!text)
		return decc_error_set(DECC_ENOMEM, "sms: out of memory");
	decc_buf_reset(&resp->body);
	r = decc_buf_append_str(&resp->body, text);
	if (r == 0)
		r = decc_buf_append_byte(&resp->body, '\n');
	free(text);
	resp->status = status;
	resp->content_type = "application/json";
	count_status(s, status);
	return r;
}

static int refusef(struct decc_sms_service *s, struct decc_sms_response *resp, unsigned status,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int refusef(struct decc_sms_service *s, struct decc_sms_response *resp, unsigned status,
		   const char *fmt, ...)
{
	char msg[640];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return refuse(s, resp, status, msg);
}

static int text(struct decc_sms_response *resp, unsigned status, const char *ctype,
		const char *body, size_t n)
{
	resp->status = status;
	resp->content_type = ctype;
	decc_buf_reset(&resp->body);
	return decc_buf_append(&resp->body, body, n);
}

static unsigned store_status(int code)
{
	switch (code) {
	case DECC_EEXISTS:
		return 409;
	case DECC_ENOTFOUND:
		return 404;
	case DECC_ELIMIT:
		return 413;
	case DECC_EINVAL:
		return 400;
	default:
		return 500;
	}
}

/* Who must have signed: the ledger's owner for datasets and apps, else the target itself. */
static int expected_signer(struct decc_sms_service *s, struct decc_sms_response *resp,
			   decc_address *out, const struct decc_sms_op *op, bool *refused)
{
	char a[43];
	int r;

	*refused = false;
	if (op->id.kind != DECC_SMS_WEB3 && op->id.kind != DECC_SMS_APP) {
		*out = op->target;
		return 0;
	}
	r = s->owner(s->owner_ctx, out, op->id.kind, &op->target);
	if (r == 0)
		return 0;
	*refused = true;
	decc_address_to_checksum(a, &op->target);
	if (r == DECC_ENOTFOUND)
		return refusef(s, resp, 401, "%s is not a registered %s: %s", a,
			       kind_name(op->id.kind), decc_error_last());
	return refusef(s, resp, 502, "cannot read the owner of %s from the chain: %s", a,
		       decc_error_last());
}

static int push(struct decc_sms_service *s, struct decc_sms_response *resp,
		const struct decc_sms_op *op)
{
	uint8_t challenge[32];
	decc_address signer, owner;
	char a[43], b[43], t[43];
	bool refused;
	int r;

	decc_sms_challenge(challenge, op->id.kind, &op->target, op->id.name, strlen(op->id.name),
			   op->value, op->value_len);
	if (decc_sms_recover(&signer, challenge, op->authorization) < 0)
		return refuse(s, resp, 401, decc_error_last());
	r = expected_signer(s, resp, &owner, op, &refused);
	if (refused || r < 0)
		return r;
	if (!decc_address_eq(&signer, &owner)) {
		decc_address_to_checksum(a, &signer);
		decc_address_to_checksum(b, &owner);
		decc_address_to_checksum(t, &op->target);
		if (op->id.kind == DECC_SMS_WEB3 || op->id.kind == DECC_SMS_APP)
			return refusef(
			    s, resp, 401,
			    "signer %s is not the owner of %s %s (its owner is %s), or the "
			    "signature is for another target or value",
			    a, kind_name(op->id.kind), t, b);
		return refusef(s, resp, 401,
			       "signer %s is not %s, or the signature is for another target, name "
			       "or value",
			       a, t);
	}
	if (op->op == DECC_SMS_OP_PUSH && atomic_load(&s->nsecrets) >= s->max_secrets)
		return refusef(s, resp, 507, "the SMS holds its maximum of %llu secrets",
			       (unsigned long long)s->max_secrets);
	r = decc_sms_store_put(s->store, &op->id,
			       op->op == DECC_SMS_OP_UPDATE ? DECC_SMS_PUT_UPDATE
							    : DECC_SMS_PUT_CREATE,
			       op->value, op->value_len, &signer, challenge);
	if (r < 0)
		return refuse(s, resp, store_status(r), decc_error_last());
	if (op->op == DECC_SMS_OP_PUSH) {
		atomic_fetch_add(&s->nsecrets, 1);
		atomic_fetch_add(&s->pushes[op->id.kind % NKINDS], 1);
	} else {
		atomic_fetch_add(&s->updates, 1);
	}
	return text(resp, 204, "text/plain", "", 0);
}

int decc_sms_handle(struct decc_sms_service *s, struct decc_sms_response *resp,
		    const struct decc_sms_http_request *req)
{
	struct decc_sms_op op;
	unsigned status;
	bool exists;
	int r;

	decc_buf_init(&resp->body, 1 << 16);
	resp->status = 500;
	resp->content_type = "text/plain";
	atomic_fetch_add(&s->requests, 1);
	if (decc_sms_request_parse(&op, &status, req) < 0)
		return refuse(s, resp, status, decc_error_last());
	switch (op.op) {
	case DECC_SMS_OP_HEALTH:
		return text(resp, 200, "text/plain", "ok\n", 3);
	case DECC_SMS_OP_METRICS:
		resp->status = 200;
		resp->content_type = "text/plain; version=0.0.4";
		return decc_sms_metrics(s, &resp->body);
	case DECC_SMS_OP_CHECK:
		atomic_fetch_add(&s->checks, 1);
		r = decc_sms_store_exists(s->store, &exists, &op.id);
		if (r < 0)
			return refuse(s, resp, 500, decc_error_last());
		return text(resp, exists ? 204 : 404, "text/plain", "", 0);
	case DECC_SMS_OP_PUSH:
	case DECC_SMS_OP_UPDATE:
		return push(s, resp, &op);
	default:
		return refuse(s, resp, 500, "unknown operation");
	}
}

int decc_sms_metrics(struct decc_sms_service *s, struct decc_buf *out)
{
	int r;

	r = decc_buf_appendf(
	    out,
	    "# TYPE decc_sms_requests_total counter\ndecc_sms_requests_total %llu\n"
	    "# TYPE decc_sms_secrets gauge\ndecc_sms_secrets %llu\n"
	    "# TYPE decc_sms_checks_total counter\ndecc_sms_checks_total %llu\n"
	    "# TYPE decc_sms_updates_total counter\ndecc_sms_updates_total %llu\n"
	    "# TYPE decc_sms_pushes_total counter\n",
	    (unsigned long long)s->requests, (unsigned long long)s->nsecrets,
	    (unsigned long long)s->checks, (unsigned long long)s->updates);
	for (int k = DECC_SMS_WEB3; r == 0 && k <= DECC_SMS_REQUESTER; k++)
		r = decc_buf_appendf(out, "decc_sms_pushes_total{kind=\"%s\"} %llu\n",
				     kind_name((enum decc_sms_kind)k),
				     (unsigned long long)s->pushes[k]);
	if (r == 0)
		r = decc_buf_appendf(out,
				     "# TYPE decc_sms_refusals_total counter\n"
				     "decc_sms_refusals_total{status=\"400\"} %llu\n"
				     "decc_sms_refusals_total{status=\"401\"} %llu\n"
				     "decc_sms_refusals_total{status=\"404\"} %llu\n"
				     "decc_sms_refusals_total{status=\"405\"} %llu\n"
				     "decc_sms_refusals_total{status=\"409\"} %llu\n"
				     "decc_sms_refusals_total{status=\"413\"} %llu\n"
				     "decc_sms_refusals_total{status=\"5xx\"} %llu\n",
				     (unsigned long long)s->r400, (unsigned long long)s->r401,
				     (unsigned long long)s->r404, (unsigned long long)s->r405,
				     (unsigned long long)s->r409, (unsigned long long)s->r413,
				     (unsigned long long)s->r5xx);
	return r;
}
