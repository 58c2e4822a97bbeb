/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pre-compute (reference offchain.md §5.1): the dataset is downloaded, its checksum checked,
 * decrypted into /iexec_in; the input files are downloaded next to it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/hex.h"
#include "decc/http_client.h"
#include "decc/protect.h"
#include "decc/store.h"
#include "decc/tee.h"
#include "tee/internal.h"

#define FETCH_MAX_DEFAULT ((uint64_t)1 << 30)
#define FETCH_TIMEOUT_DEFAULT 300
#define INPUT_FILES_MAX 100

struct dl {
	int fd;
	uint64_t got, max;
	int err;
};

static int dl_write(void *ctx, const struct decc_http_response *r, const uint8_t *p, size_t n)
{
	struct dl *d = ctx;

	if (r->status < 200 || r->status > 299)
		return 0; /* an error page is not the content */
	if (d->got + n > d->max) {
		d->err = DECC_ELIMIT;
		return decc_error_set(DECC_ELIMIT, "too large");
	}
	if (tee_write_all(d->fd, p, n) < 0) {
		d->err = DECC_ERROR;
		return DECC_ERROR;
	}
	d->got += n;
	return 0;
}

static int fetch_http(const char *tmp, int fd, const char *url, uint64_t max, unsigned timeout)
{
	struct dl d = { .fd = fd, .max = max };
	struct decc_http_request q = {
		.url = url,
		.on_body = dl_write,
		.body_ctx = &d,
		.max_body = max,
		.connect_timeout_ms = 10000,
		.timeout_ms = timeout > 4000000 ? 4000000000u : timeout * 1000u,
		.max_redirects = 5,
		.no_reuse = true,
	};
	struct decc_http_response resp;
	long status = 0;
	int rc;

	(void)tmp;
	rc = decc_http_request(&resp, &q);
	if (rc == 0) {
		status = resp.status;
		decc_http_response_clear(&resp);
	}
	if (d.err == DECC_ELIMIT || (rc == DECC_ELIMIT && !strstr(decc_error_last(), "redirect")))
		return decc_error_set(DECC_ELIMIT, "%s: larger than %llu bytes", url,
				      (unsigned long long)max);
	if (rc < 0) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", decc_error_last());
		return decc_error_set(DECC_ERROR, "%s: download failed: %s", url, msg);
	}
	if (status < 200 || status > 299)
		return decc_error_set(DECC_ERROR, "%s: download failed: HTTP %ld", url, status);
	return 0;
}

int decc_tee_fetch(const char *path, const char *url, const struct decc_tee_fetch_opts *o)
{
	uint64_t max = o && o->max_bytes ? o->max_bytes : FETCH_MAX_DEFAULT;
	unsigned timeout = o && o->timeout_s ? o->timeout_s : FETCH_TIMEOUT_DEFAULT;
	char *tmp = NULL;
	int fd, r;

	if (strncmp(url, "/ipfs/", 6) == 0) {
		char cid[DECC_CID_STR_MAX];
		size_t n = strcspn(url + 6, "/");

		DECC_ENSURE(o && o->store_api, DECC_EINVAL,
			    "%s: a store API URL is needed to download /ipfs/ content", url);
		DECC_ENSURE(n > 0 && n < sizeof(cid) && url[6 + n] == 0, DECC_EINVAL,
			    "%s: expected /ipfs/<cid>", url);
		memcpy(cid, url + 6, n);
		cid[n] = 0;
		r = decc_store_client_cat(o->store_api, cid, path, true);
		return r < 0 ? decc_error_wrap(r, "downloading %s", url) : 0;
	}
	DECC_ENSURE(strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0,
		    DECC_EINVAL, "%.200s: only http(s) URLs and /ipfs/<cid> can be downloaded",
		    url);
	DECC_TRY(tee_tmpfile(&tmp, &fd, path));
	r = fetch_http(tmp, fd, url, max, timeout);
	if (r == 0 && fsync(fd) < 0)
		r = decc_error_set(DECC_ERROR, "%s: fsync: %s", tmp, strerror(errno));
	close(fd);
	if (r == 0 && rename(tmp, path) < 0)
		r = decc_error_set(DECC_ERROR, "%s: rename: %s", path, strerror(errno));
	if (r < 0)
		unlink(tmp);
	free(tmp);
	return r;
}

static bool plain_name(const char *s)
{
	return s && *s && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0 &&
	       strlen(s) < 256;
}

static int dataset(const struct decc_tee_env *env, const char *in_dir,
		   const struct decc_tee_fetch_opts *o)
{
	const char *url = decc_tee_env_get(env, "IEXEC_DATASET_URL");
	const char *sum = decc_tee_env_get(env, "IEXEC_DATASET_CHECKSUM");
	const char *b64 = decc_tee_env_get(env, "IEXEC_DATASET_KEY");
	const char *name = decc_tee_env_get(env, "IEXEC_DATASET_FILENAME");
	char got[DECC_PROTECT_CHECKSUM_STR_MAX], *enc = NULL, *out = NULL, encname[300];
	uint8_t key[32];
	int r;

	DECC_ENSURE(url && *url, DECC_EINVAL, "pre-compute: IEXEC_DATASET_URL is missing");
	DECC_ENSURE(sum && b64, DECC_EINVAL,
		    "pre-compute: the dataset checksum or key is missing from the session");
	DECC_ENSURE(plain_name(name), DECC_EINVAL, "pre-compute: bad IEXEC_DATASET_FILENAME");
	snprintf(encname, sizeof(encname), ".%s.enc", name);
	enc = tee_path_join(in_dir, encname);
	out = tee_path_join(in_dir, name);
	if (!enc || !out) {
		free(enc);
		free(out);
		return decc_error_set(DECC_ENOMEM, "out of memory");
	}
	r = decc_tee_fetch(enc, url, o);
	if (r < 0)
		r = decc_error_wrap(r, "DATASET_FILE_DOWNLOAD_FAILED");
	if (r == 0)
		r = decc_protect_checksum_file(got, enc);
	if (r == 0 && strcasecmp(got, sum) != 0)
		r = decc_error_set(DECC_EAUTH,
				   "PRE_COMPUTE_INVALID_DATASET_CHECKSUM: the dataset's sha256 is "
				   "%s, the ledger says %s",
				   got, sum);
	if (r == 0)
		r = decc_protect_key_decode(key, b64, strlen(b64));
	if (r == 0)
		r = decc_protect_decrypt_file(out, enc, key, 0);
	if (r < 0 && decc_error_code() != DECC_EAUTH)
		r = decc_error_wrap(r, "pre-compute: dataset");
	decc_wipe(key, sizeof(key));
	unlink(enc);
	free(enc);
	free(out);
	return r;
}

int decc_tee_precompute(const struct decc_tee_env *env, const char *in_dir,
			const struct decc_tee_fetch_opts *o)
{
	const char *req = decc_tee_env_get(env, "IS_DATASET_REQUIRED");
	const char *num = decc_tee_env_get(env, "IEXEC_INPUT_FILES_NUMBER");
	unsigned long n = 0;

	if (req && strcmp(req, "true") == 0)
		DECC_TRY(dataset(env, in_dir, o));
	if (num) {
		char *end;

		n = strtoul(num, &end, 10);
		DECC_ENSURE(*num && !*end && n <= INPUT_FILES_MAX, DECC_EINVAL,
			    "pre-compute: IEXEC_INPUT_FILES_NUMBER '%.20s' (at most %d)", num,
			    INPUT_FILES_MAX);
	}
	for (unsigned long i = 1; i <= n; i++) {
		char k[48], name[67], *path;
		const char *url;
		uint8_t h[32];
		int r;

		snprintf(k, sizeof(k), "IEXEC_INPUT_FILE_URL_%lu", i);
		url = decc_tee_env_get(env, k);
		DECC_ENSURE(url && *url, DECC_EINVAL, "pre-compute: %s is missing", k);
		decc_sha256(h, url, strlen(url));
		decc_hex_encode(name, h, 32, true);
		path = tee_path_join(in_dir, name);
		if (!path)
			return decc_error_set(DECC_ENOMEM, "out of memory");
		r = decc_tee_fetch(path, url, o);
		free(path);
		if (r < 0)
			return decc_error_wrap(r, "INPUT_FILES_DOWNLOAD_FAILED");
	}
	return 0;
}
