/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Post-compute (reference offchain.md §5.2 and §3): computed.json, the result digest, the
 * enclave signature, the file-name rule, the zip of /iexec_out and its encryption.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/file.h"
#include "decc/hex.h"
#include "decc/poco.h"
#include "decc/result.h"
#include "decc/tee.h"
#include "tee/internal.h"

static void seal_digest(uint8_t out[32], const decc_address *worker, const uint8_t taskid[32],
			const uint8_t digest[32])
{
	uint8_t both[64];

	decc_poco_result_hash(both, taskid, digest);
	decc_poco_result_seal(both + 32, worker, taskid, digest);
	decc_keccak256(out, both, sizeof(both));
}

int decc_tee_enclave_sign(uint8_t sig[65], const uint8_t sk[32], const decc_address *worker,
			  const uint8_t taskid[32], const uint8_t digest[32])
{
	uint8_t h[32];

	seal_digest(h, worker, taskid, digest);
	return decc_eip191_sign(sig, h, 32, sk);
}

int decc_tee_enclave_signer(decc_address *out, const uint8_t sig[65], const decc_address *worker,
			    const uint8_t taskid[32], const uint8_t digest[32])
{
	uint8_t h[32];

	seal_digest(h, worker, taskid, digest);
	return decc_eip191_recover(out, h, 32, sig, 65);
}

void decc_tee_result_release(struct decc_tee_result *r)
{
	if (!r)
		return;
	free(r->callback_data);
	free(r->upload_path);
	free(r->location);
	memset(r, 0, sizeof(*r));
}

static int env_need(const char **out, const struct decc_tee_env *env, const char *name)
{
	*out = decc_tee_env_get(env, name);
	DECC_ENSURE(*out && **out, DECC_EINVAL, "post-compute: %s is missing from the session",
		    name);
	return 0;
}

static bool is_true(const char *s)
{
	return s && strcmp(s, "true") == 0;
}

static int package(struct decc_tee_result *res, const struct decc_tee_env *env, const char *out_dir,
		   const char *work_dir)
{
	char *zip = tee_path_join(work_dir, "iexec_out.zip"), *enc = NULL;
	struct decc_buf pem;
	const char *b64;
	int r;

	if (!zip)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	r = decc_result_check_names(out_dir);
	if (r == 0)
		r = decc_result_zip_dir(zip, out_dir);
	if (r < 0 || !is_true(decc_tee_env_get(env, "RESULT_ENCRYPTION"))) {
		if (r == 0)
			res->upload_path = zip;
		else
			free(zip);
		return r;
	}
	decc_buf_init(&pem, 1 << 16);
	r = env_need(&b64, env, "RESULT_ENCRYPTION_PUBLIC_KEY");
	if (r == 0 && decc_base64_decode(&pem, b64, strlen(b64)) < 0)
		r = decc_error_set(DECC_EINVAL,
				   "post-compute: RESULT_ENCRYPTION_PUBLIC_KEY is not Base64");
	if (r == 0 && !(enc = tee_path_join(work_dir, "encrypted-iexec_out.zip")))
		r = decc_error_set(DECC_ENOMEM, "out of memory");
	if (r == 0)
		r = decc_result_encrypt(enc, zip, (const char *)pem.data, pem.len);
	/* the plain zip never leaves the enclave when encryption was asked */
	tee_rm_rf(zip);
	free(zip);
	decc_buf_release(&pem);
	if (r < 0) {
		free(enc);
		return r;
	}
	res->upload_path = enc;
	res->encrypted = true;
	return 0;
}

int decc_tee_postcompute(struct decc_tee_result *out, const struct decc_tee_env *env,
			 const char *out_dir, const char *work_dir)
{
	struct decc_tee_result res = { 0 };
	struct decc_result_computed c = { 0 };
	struct decc_buf cj = DECC_BUF_INIT;
	const char *tid, *wk, *sks;
	uint8_t taskid[32], sk[32];
	decc_address worker;
	char *cpath;
	int r;

	DECC_TRY(env_need(&tid, env, "IEXEC_TASK_ID"));
	DECC_TRY(env_need(&wk, env, "SIGN_WORKER_ADDRESS"));
	DECC_TRY(env_need(&sks, env, "SIGN_TEE_CHALLENGE_PRIVATE_KEY"));
	DECC_ENSURE(decc_hex_decode_exact(taskid, 32, tid) == 0, DECC_EINVAL,
		    "post-compute: IEXEC_TASK_ID is not a bytes32");
	DECC_ENSURE(decc_address_parse(&worker, wk) == 0, DECC_EINVAL,
		    "post-compute: SIGN_WORKER_ADDRESS is not an address");
	res.callback = is_true(decc_tee_env_get(env, "RESULT_STORAGE_CALLBACK"));
	cpath = tee_path_join(out_dir, "computed.json");
	if (!cpath)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	r = decc_file_read(&cj, cpath, DECC_RESULT_COMPUTED_MAX);
	free(cpath);
	if (r == DECC_ENOTFOUND)
		r = decc_error_set(DECC_ENOTFOUND, "the app wrote no /iexec_out/computed.json "
						   "(DETERMINISM_HASH_NOT_FOUND)");
	if (r == 0)
		r = decc_result_computed_parse(&c, (const char *)cj.data, cj.len);
	decc_buf_release(&cj);
	if (r == 0)
		r = decc_result_digest(res.result_digest, out_dir, &c, res.callback);
	if (r == 0 && res.callback && !(res.callback_data = strdup(c.callback_data)))
		r = decc_error_set(DECC_ENOMEM, "out of memory");
	decc_result_computed_release(&c);
	if (r == 0)
		r = decc_hex_decode_exact(sk, 32, sks);
	if (r == 0)
		r = decc_address_from_seckey(&res.enclave_challenge, sk);
	if (r == 0)
		r = decc_tee_enclave_sign(res.enclave_sign, sk, &worker, taskid, res.result_digest);
	decc_wipe(sk, sizeof(sk));
	if (r == 0) {
		decc_poco_result_hash(res.result_hash, taskid, res.result_digest);
		decc_poco_result_seal(res.result_seal, &worker, taskid, res.result_digest);
	}
	if (r == 0 && !res.callback)
		r = package(&res, env, out_dir, work_dir);
	if (r < 0) {
		decc_tee_result_release(&res);
		return r;
	}
	*out = res;
	return 0;
}

static json_t *hexj(const uint8_t *p, size_t n)
{
	char buf[2 * 65 + 3];

	decc_hex_encode(buf, p, n, true);
	return json_string(buf);
}

int decc_tee_result_json(struct decc_buf *out, const struct decc_tee_result *r)
{
	struct decc_buf link = DECC_BUF_INIT;
	char addr[43], *s;
	json_t *o;
	int rc = 0;

	decc_address_to_checksum(addr, &r->enclave_challenge);
	o = json_pack("{s:o,s:o,s:o,s:s,s:o,s:b,s:i,s:b}", "resultDigest",
		      hexj(r->result_digest, 32), "resultHash", hexj(r->result_hash, 32),
		      "resultSeal", hexj(r->result_seal, 32), "enclaveChallenge", addr,
		      "enclaveSignature", hexj(r->enclave_sign, 65), "encrypted", r->encrypted,
		      "appExitCode", r->app_exit, "appTimedOut", r->app_timed_out);
	if (!o)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	if (r->callback_data)
		json_object_set_new(o, "callbackData", json_string(r->callback_data));
	if (r->location) {
		rc = decc_result_link(&link, "ipfs", r->location);
		if (rc == 0) {
			json_object_set_new(o, "location", json_string(r->location));
			json_object_set_new(o, "resultLink", json_string(decc_buf_str(&link)));
		}
		decc_buf_release(&link);
	}
	if (rc == 0) {
		s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		rc = s ? decc_buf_append_str(out, s) : decc_error_set(DECC_ENOMEM, "out of memory");
		free(s);
	}
	json_decref(o);
	return rc;
}

static int hex_field(uint8_t *out, size_t n, json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v) || decc_hex_decode_exact(out, n, json_string_value(v)) < 0)
		return decc_error_set(DECC_EINVAL, "enclave result: \"%s\" is not %zu bytes of hex",
				      key, n);
	return 0;
}

int decc_tee_result_parse(struct decc_tee_result *out, const char *json, size_t n)
{
	struct decc_tee_result r = { 0 };
	json_error_t err;
	json_t *o, *v;
	int rc;

	DECC_ENSURE(n <= ((size_t)1 << 20), DECC_ELIMIT, "enclave result: larger than 1 MiB");
	o = json_loadb(json, n, JSON_REJECT_DUPLICATES, &err);
	if (!json_is_object(o)) {
		json_decref(o);
		return decc_error_set(DECC_EINVAL, "enclave result: not a JSON object");
	}
	rc = hex_field(r.result_digest, 32, o, "resultDigest");
	if (rc == 0)
		rc = hex_field(r.result_hash, 32, o, "resultHash");
	if (rc == 0)
		rc = hex_field(r.result_seal, 32, o, "resultSeal");
	if (rc == 0)
		rc = hex_field(r.enclave_sign, 65, o, "enclaveSignature");
	v = json_object_get(o, "enclaveChallenge");
	if (rc == 0 && (!json_is_string(v) ||
			decc_address_parse(&r.enclave_challenge, json_string_value(v)) < 0))
		rc = decc_error_set(DECC_EINVAL, "enclave result: bad \"enclaveChallenge\"");
	r.encrypted = json_is_true(json_object_get(o, "encrypted"));
	r.app_timed_out = json_is_true(json_object_get(o, "appTimedOut"));
	v = json_object_get(o, "appExitCode");
	r.app_exit = json_is_integer(v) ? (int)json_integer_value(v) : 0;
	v = json_object_get(o, "location");
	if (rc == 0 && json_is_string(v) && !(r.location = strdup(json_string_value(v))))
		rc = decc_error_set(DECC_ENOMEM, "out of memory");
	v = json_object_get(o, "callbackData");
	if (rc == 0 && json_is_string(v)) {
		r.callback = true;
		if (!(r.callback_data = strdup(json_string_value(v))))
			rc = decc_error_set(DECC_ENOMEM, "out of memory");
	}
	json_decref(o);
	if (rc < 0) {
		decc_tee_result_release(&r);
		return rc;
	}
	*out = r;
	return 0;
}
