/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parsers of what workers send (bounded, strict): ReplicateStatusUpdate, the login signature
 * {"value":"0x..."}, the WorkerModel of /workers/register; and the login challenge digest with
 * web3j's lenient hex decoding (offchain.md §2.4), reproduced for interoperability.
 */
#include <string.h>

#include <jansson.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/hex.h"
#include "scheduler/internal.h"

static json_t *load(const char *body, size_t n)
{
	json_error_t e;

	if (n > SCHED_MAX_BODY)
		return NULL;
	return json_loadb(body, n, JSON_REJECT_DUPLICATES, &e);
}

/* Copy a string member (absent or null: empty); too long or not a string: error. */
static int str_member(char *out, size_t cap, json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	const char *s;

	out[0] = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return decc_error_set(DECC_EINVAL, "status update: %s must be a string", key);
	s = json_string_value(v);
	if (strlen(s) >= cap)
		return decc_error_set(DECC_ELIMIT, "status update: %s is too long", key);
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

/* Keep the last bytes of a log, at most the buffer's max (ComputeLogs.MAX_LOG_LENGTH). */
static int tail(struct decc_buf *out, json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	const char *s;
	size_t n;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return decc_error_set(DECC_EINVAL, "status update: %s must be a string", key);
	s = json_string_value(v);
	n = json_string_length(v);
	if (n > out->max)
		s += n - out->max, n = out->max;
	decc_buf_reset(out);
	return decc_buf_append(out, s, n);
}

int sched_parse_update(struct sched_update *out, const char *body, size_t n)
{
	json_t *o = load(body, n), *d, *st, *logs, *ec;
	char status[48];
	int r = DECC_EINVAL;

	if (!o || !json_is_object(o)) {
		json_decref(o);
		return decc_error_set(DECC_EINVAL, "status update: not a JSON object");
	}
	st = json_object_get(o, "status");
	if (!json_is_string(st) || json_string_length(st) >= sizeof(status)) {
		decc_error_set(r, "status update: missing or bad \"status\"");
		goto out;
	}
	memcpy(status, json_string_value(st), json_string_length(st) + 1);
	out->status = sched_repl_status_parse(status);
	if (out->status < 0) {
		decc_error_set(r, "status update: unknown status '%s'", status);
		goto out;
	}
	d = json_object_get(o, "details");
	if (d && !json_is_null(d)) {
		if (!json_is_object(d)) {
			decc_error_set(r, "status update: details must be an object");
			goto out;
		}
		if ((r = str_member(out->cause, sizeof(out->cause), d, "cause")) < 0 ||
		    (r = str_member(out->result_link, sizeof(out->result_link), d, "resultLink")) <
			0 ||
		    (r = str_member(out->callback_data, sizeof(out->callback_data), d,
				    "chainCallbackData")) < 0 ||
		    (r = tail(&out->error_message, d, "errorMessage")) < 0)
			goto out;
		if (out->cause[0] && !sched_cause_valid(out->cause)) {
			r = decc_error_set(DECC_EINVAL, "status update: unknown cause '%s'",
					   out->cause);
			goto out;
		}
		ec = json_object_get(d, "exitCode");
		if (ec && !json_is_null(ec)) {
			if (!json_is_integer(ec) || json_integer_value(ec) < -1000000 ||
			    json_integer_value(ec) > 1000000) {
				r = decc_error_set(DECC_EINVAL, "status update: bad exitCode");
				goto out;
			}
			out->has_exit_code = true;
			out->exit_code = (int)json_integer_value(ec);
		}
		logs = json_object_get(d, "computeLogs");
		if (logs && !json_is_null(logs)) {
			if (!json_is_object(logs)) {
				r = decc_error_set(DECC_EINVAL,
						   "status update: computeLogs must be an object");
				goto out;
			}
			if ((r = tail(&out->stdout_tail, logs, "stdout")) < 0 ||
			    (r = tail(&out->stderr_tail, logs, "stderr")) < 0)
				goto out;
		}
	}
	r = 0;
out:
	json_decref(o);
	return r;
}

int sched_parse_signature(uint8_t sig[65], const char *body, size_t n)
{
	json_t *o = load(body, n), *v;
	int r;

	if (!o || !json_is_object(o) || !json_is_string(v = json_object_get(o, "value"))) {
		json_decref(o);
		return decc_error_set(DECC_EINVAL, "login: expected {\"value\":\"0x<signature>\"}");
	}
	r = decc_hex_decode_exact(sig, 65, json_string_value(v));
	json_decref(o);
	if (r < 0)
		return decc_error_set(DECC_EINVAL, "login: the signature must be 65 bytes of hex");
	return 0;
}

int sched_parse_register(uint64_t *slots, bool *tee, const char *body, size_t n)
{
	json_t *o = load(body, n), *c, *t, *g;
	json_int_t v = 1;

	if (!o || !json_is_object(o)) {
		json_decref(o);
		return decc_error_set(DECC_EINVAL, "register: not a JSON object");
	}
	c = json_object_get(o, "cpuNb");
	t = json_object_get(o, "teeEnabled");
	g = json_object_get(o, "gpuEnabled");
	if (c && !json_is_null(c)) {
		if (!json_is_integer(c) || (v = json_integer_value(c)) < 1 || v > 1024) {
			json_decref(o);
			return decc_error_set(DECC_EINVAL, "register: cpuNb must be 1..1024");
		}
	}
	if ((t && !json_is_null(t) && !json_is_boolean(t)) ||
	    (g && !json_is_null(g) && !json_is_boolean(g))) {
		json_decref(o);
		return decc_error_set(DECC_EINVAL, "register: teeEnabled/gpuEnabled are booleans");
	}
	*slots = json_is_true(g) ? 1 : (uint64_t)v;
	*tee = json_is_true(t);
	json_decref(o);
	return 0;
}

static int digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void sched_challenge_digest(uint8_t out[32], const char *challenge)
{
	struct decc_keccak k;
	size_t len, i = 0;

	if (challenge[0] == '0' && (challenge[1] == 'x' || challenge[1] == 'X'))
		challenge += 2;
	len = strlen(challenge);
	decc_keccak_init(&k);
	if (len % 2) {
		uint8_t b = (uint8_t)digit(challenge[0]);

		decc_keccak_update(&k, &b, 1);
		i = 1;
	}
	for (; i + 1 < len; i += 2) {
		/* web3j: (byte)((digit(c1) << 4) + digit(c2)), digit() = -1 for a non-hex char */
		uint8_t b = (uint8_t)(digit(challenge[i]) * 16 + digit(challenge[i + 1]));

		decc_keccak_update(&k, &b, 1);
	}
	decc_keccak_final(&k, out);
}
