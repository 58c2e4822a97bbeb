/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The `decc enclave` flow: attest, get the session from the SMS, pre-compute, run the app in
 * the nested sandbox, post-compute, upload. Runs inside the worker's sandbox: everything in
 * plaintext stays under work_dir; what goes out (to the worker) is digests and signatures.
 */
#include <stdarg.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/hex.h"
#include "decc/http_client.h"
#include "decc/store.h"
#include "decc/tee.h"
#include "tee/internal.h"

#define SMS_RESPONSE_MAX ((size_t)4 << 20)

int decc_tee_http_post(void *ctx, struct decc_buf *resp, unsigned *status, const char *url,
		       const char *body, size_t n)
{
	static const char *const hdrs[] = { "Content-Type: application/json", NULL };
	struct decc_http_request q = {
		.method = "POST",
		.url = url,
		.headers = hdrs,
		.body = body,
		.body_len = n,
		.out = resp,
		.connect_timeout_ms = 10000,
		.timeout_ms = 60000,
	};
	struct decc_http_response hr;
	int r;

	(void)ctx;
	r = decc_http_request(&hr, &q);
	if (r < 0) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", decc_error_last());
		return decc_error_set(r == DECC_ELIMIT ? r : DECC_ERROR, "%s", msg);
	}
	*status = (unsigned)hr.status;
	decc_http_response_clear(&hr);
	return 0;
}

static void logf_(const struct decc_tee_enclave_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void logf_(const struct decc_tee_enclave_opts *o, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!o->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	o->log(o->log_ctx, line);
}

/* Record the cause of a failure (the first one wins). */
static void set_cause(const struct decc_tee_enclave_opts *o, const char *cause)
{
	if (o->cause && !o->cause[0])
		snprintf(o->cause, DECC_TEE_CAUSE_MAX, "%s", cause);
}

/* Ask the SMS for the session; the answer is {"sessionId","box"} (box: Base64). */
static int get_session(struct decc_tee_session *out, const struct decc_tee_enclave_opts *o,
		       const struct decc_tee_session_request *req, const uint8_t eph_sk[32])
{
	struct decc_buf body = DECC_BUF_INIT, resp = DECC_BUF_INIT, box = DECC_BUF_INIT, plain;
	decc_tee_post_fn post = o->post ? o->post : decc_tee_http_post;
	unsigned status = 0;
	char *url = NULL;
	json_t *j = NULL;
	int r;

	decc_buf_init(&resp, SMS_RESPONSE_MAX);
	decc_buf_init_secret(&plain, SMS_RESPONSE_MAX);
	r = decc_tee_session_request_json(&body, req);
	if (r == 0 && asprintf(&url, "%s/tee/session", o->sms_url) < 0) {
		url = NULL;
		r = decc_error_set(DECC_ENOMEM, "out of memory");
	}
	if (r == 0) {
		r = post(o->post_ctx, &resp, &status, url, decc_buf_str(&body), body.len);
		if (r < 0)
			set_cause(o, "UNKNOWN_SMS");
	}
	if (r == 0) {
		j = json_loadb((const char *)resp.data, resp.len, 0, NULL);
		if (status != 200) {
			json_t *e = json_object_get(j, "error"), *c = json_object_get(j, "cause");

			set_cause(o, json_is_string(c) ? json_string_value(c)
						       : "TEE_SESSION_GENERATION_UNKNOWN_ISSUE");
			r = decc_error_set(status == 401 || status == 403 ? DECC_EAUTH : DECC_ERROR,
					   "the SMS refused the session (HTTP %u): %s", status,
					   json_is_string(e) ? json_string_value(e)
							     : "no reason given");
		} else if (!json_is_string(json_object_get(j, "box"))) {
			r = decc_error_set(DECC_EINVAL, "the SMS answer has no sealed session");
		}
	}
	if (r == 0) {
		const char *b = json_string_value(json_object_get(j, "box"));

		r = decc_base64_decode(&box, b, strlen(b));
	}
	if (r == 0)
		r = decc_tee_open(&plain, eph_sk, req->auth.taskid, box.data, box.len);
	if (r == 0)
		r = decc_tee_session_parse(out, (const char *)plain.data, plain.len);
	if (r < 0)
		set_cause(o, "TEE_SESSION_GENERATION_SECURE_SESSION_GENERATION_FAILED");
	json_decref(j);
	free(url);
	decc_buf_release(&body);
	decc_buf_release(&resp);
	decc_buf_release(&box);
	decc_buf_release(&plain);
	return r;
}

static int make_dir(char **out, const char *base, const char *name)
{
	char *p = tee_path_join(base, name);

	if (!p)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	if (mkdir(p, 0700) < 0 && errno != EEXIST) {
		int r = decc_error_set(DECC_ERROR, "%s: cannot create: %s", p, strerror(errno));

		free(p);
		return r;
	}
	*out = p;
	return 0;
}

static void free_envv(char **v)
{
	for (size_t i = 0; v && v[i]; i++) {
		decc_wipe(v[i], strlen(v[i]));
		free(v[i]);
	}
	free(v);
}

static int envv(char ***out, const struct decc_tee_env *e)
{
	char **v = calloc(e->n + 1, sizeof(char *));

	if (!v)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	for (size_t i = 0; i < e->n; i++) {
		if (asprintf(&v[i], "%s=%s", e->names[i], e->values[i]) < 0) {
			v[i] = NULL;
			free_envv(v);
			return decc_error_set(DECC_ENOMEM, "out of memory");
		}
	}
	*out = v;
	return 0;
}

static int upload(struct decc_tee_result *res, const struct decc_tee_enclave_opts *o,
		  const struct decc_tee_session *s)
{
	const char *prov = decc_tee_env_get(&s->post, "RESULT_STORAGE_PROVIDER");
	const char *api = o->store_api;
	char cid[DECC_CID_STR_MAX];
	int r;

	if (prov && *prov && strcmp(prov, "ipfs") != 0)
		return decc_error_set(
		    DECC_EINVAL, "result storage provider '%.32s' is not supported (ipfs only)",
		    prov);
	if (!api || !*api)
		api = decc_tee_env_get(&s->post, "RESULT_STORAGE_PROXY");
	DECC_ENSURE(api && *api, DECC_EINVAL, "no store API to upload the result to");
	r = decc_store_client_add(cid, NULL, api, res->upload_path, NULL);
	if (r < 0)
		return decc_error_wrap(r, "uploading the result");
	if (asprintf(&res->location, "/ipfs/%s", cid) < 0) {
		res->location = NULL;
		return decc_error_set(DECC_ENOMEM, "out of memory");
	}
	return 0;
}

int decc_tee_enclave_run(struct decc_tee_result *out, const struct decc_tee_enclave_opts *o)
{
	struct decc_tee_session_request req = { 0 };
	struct decc_tee_session s = { 0 };
	struct decc_tee_result res = { 0 };
	struct decc_tee_fetch_opts fo = { .store_api = o->store_api };
	char *in = NULL, *outd = NULL, *post = NULL, **env = NULL;
	uint8_t eph_sk[32];
	int r, code = 0;
	bool timed_out = false;

	DECC_ENSURE(o->platform && o->platform->quote && o->runner && o->runner->measure &&
			o->runner->run && o->sms_url && o->work_dir && o->image,
		    DECC_EINVAL, "enclave: incomplete options");
	if (o->platform->simulated)
		logf_(o,
		      "attestation platform '%s' is SIMULATED (development only: no hardware "
		      "guarantee)",
		      o->platform->name);
	/* attest */
	req.auth = o->auth;
	memcpy(req.worker_signature, o->worker_signature, 65);
	req.quote.version = DECC_TEE_QUOTE_VERSION;
	memcpy(req.quote.taskid, o->auth.taskid, 32);
	r = o->runner->measure(o->runner->ctx, req.quote.measurement, o->image);
	if (r < 0) {
		set_cause(o, "APP_NOT_FOUND_LOCALLY");
		return decc_error_wrap(r, "enclave: measuring the app image");
	}
	r = decc_secp256k1_keygen(eph_sk);
	if (r == 0)
		r = decc_secp256k1_pubkey(req.quote.ephemeral_pub, eph_sk);
	if (r == 0)
		r = decc_random_bytes(req.quote.nonce, 32);
	if (r == 0)
		r = o->platform->quote(o->platform->ctx, &req.quote);
	if (r < 0)
		set_cause(o, "TEE_PREPARATION_FAILED");
	if (r == 0) {
		logf_(o, "quote made; asking the SMS for the session");
		r = get_session(&s, o, &req, eph_sk);
	}
	decc_wipe(eph_sk, sizeof(eph_sk));
	if (r < 0)
		return r;
	/* the SMS checked the measurement; check the session is for what we run, too */
	if (memcmp(s.taskid, o->auth.taskid, 32) != 0 ||
	    !decc_ct_equal(s.app_fingerprint, req.quote.measurement, 32)) {
		decc_tee_session_release(&s);
		set_cause(o, "TEE_SESSION_GENERATION_SECURE_SESSION_GENERATION_FAILED");
		return decc_error_set(DECC_EAUTH,
				      "enclave: the session is for another task or app image");
	}
	logf_(o, "session %s received", s.name);
	r = make_dir(&in, o->work_dir, "iexec_in");
	if (r == 0)
		r = make_dir(&outd, o->work_dir, "iexec_out");
	if (r == 0)
		r = make_dir(&post, o->work_dir, "post");
	if (r == 0 && s.has_pre) {
		logf_(o, "pre-compute");
		r = decc_tee_precompute(&s.pre, in, &fo);
		if (r < 0)
			set_cause(o, r == DECC_EAUTH ? "PRE_COMPUTE_INVALID_DATASET_CHECKSUM"
						     : "PRE_COMPUTE_FAILED_UNKNOWN_ISSUE");
	}
	if (r == 0)
		r = envv(&env, &s.app);
	if (r == 0) {
		struct decc_tee_app_spec spec = {
			.image = o->image,
			.env = env,
			.args = s.app_args,
			.in_dir = in,
			.out_dir = outd,
			.network = s.app_network,
			.max_seconds = s.app_max_seconds,
		};

		logf_(o, "running the app (network %s, time limit %llu s)",
		      s.app_network ? "on" : "off", (unsigned long long)s.app_max_seconds);
		r = o->runner->run(o->runner->ctx, &code, &timed_out, &spec);
		if (r < 0) {
			set_cause(o, "APP_COMPUTE_FAILED");
			r = decc_error_wrap(r, "enclave: running the app");
		} else {
			logf_(o, "app exited with %d%s", code, timed_out ? " (time limit)" : "");
		}
		/* stopped at the category's time limit: no result, whatever it wrote */
		if (r == 0 && timed_out) {
			set_cause(o, "APP_COMPUTE_TIMEOUT");
			r = decc_error_set(DECC_ELIMIT,
					   "enclave: the app ran over its time limit of %llu s "
					   "(the category's maxExecutionTime) and was stopped",
					   (unsigned long long)s.app_max_seconds);
		}
	}
	if (r == 0) {
		logf_(o, "post-compute");
		r = decc_tee_postcompute(&res, &s.post, outd, post);
		if (r < 0)
			set_cause(o, r == DECC_ENOTFOUND ? "POST_COMPUTE_COMPUTED_FILE_NOT_FOUND"
							 : "POST_COMPUTE_FAILED_UNKNOWN_ISSUE");
	}
	if (r == 0) {
		res.app_exit = code;
		res.app_timed_out = timed_out;
	}
	if (r == 0 && res.upload_path) {
		r = upload(&res, o, &s);
		if (r < 0)
			set_cause(o, "POST_COMPUTE_IPFS_UPLOAD_FAILED");
	}
	if (r == 0 && res.location)
		logf_(o, "result uploaded to %s", res.location);
	free_envv(env);
	free(in);
	free(outd);
	free(post);
	decc_tee_session_release(&s);
	if (r < 0) {
		decc_tee_result_release(&res);
		return r;
	}
	*out = res;
	return 0;
}
