/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The standard runner of OCI iApps: the app's multiaddr is /ipfs/CID (an image archive that
 * decc image build made), downloaded once from the store (verified against its CID) into the
 * cache, its image digest checked against the app's registered checksum (a zero checksum is
 * refused: nothing would bind the image to the app), then run with decc_iapp_run (no network,
 * /iexec_in read-only, /iexec_out writable, the IEXEC_* environment, the category's time).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decc/error.h"
#include "decc/file.h"
#include "decc/hex.h"
#include "decc/iapp.h"
#include "decc/store.h"
#include "decc/worker.h"

struct oci {
	char *cache, *store;
};

static bool cid_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= DECC_CID_STR_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

/* The local path of the job's image, downloaded and checked when it is not there yet. */
static int image_path(struct oci *o, char *out, size_t cap, const struct decc_worker_job *job)
{
	static const uint8_t zero[32];
	const char *ma = job->app_multiaddr ? job->app_multiaddr : "";
	uint8_t digest[32];
	char want[67], got[67];
	int r;

	if (strncmp(ma, "/ipfs/", 6) != 0 || !cid_ok(ma + 6))
		return decc_error_set(DECC_ENOTFOUND,
				      "app multiaddr '%.80s' is not /ipfs/CID: this runner "
				      "takes images from the store",
				      ma);
	if (!job->app_checksum || memcmp(job->app_checksum, zero, 32) == 0)
		return decc_error_set(DECC_ENOTFOUND,
				      "the app has no checksum: its image cannot be verified");
	snprintf(out, cap, "%s/%s.tar", o->cache, ma + 6);
	if (access(out, R_OK) != 0) {
		const char *store = o->store ? o->store : job->store_url;

		if (!store || !*store)
			return decc_error_set(DECC_ENOTFOUND,
					      "no store configured to download %s from", ma);
		r = decc_store_client_cat(store, ma + 6, out, true);
		if (r < 0)
			return decc_error_wrap(DECC_ENOTFOUND, "downloading the app image %s", ma);
	}
	r = decc_iapp_measure(digest, out, o->cache);
	if (r < 0) {
		unlink(out);
		return decc_error_wrap(DECC_ENOTFOUND, "the app image %s", ma);
	}
	if (memcmp(digest, job->app_checksum, 32) != 0) {
		decc_hex_encode(want, job->app_checksum, 32, true);
		decc_hex_encode(got, digest, 32, true);
		unlink(out);
		return decc_error_set(DECC_ENOTFOUND,
				      "the app image digest %s is not the registered checksum %s",
				      got, want);
	}
	return 0;
}

static int oci_prepare(void *ctx, const struct decc_worker_job *job)
{
	char path[4200];

	return image_path(ctx, path, sizeof(path), job);
}

static int oci_run(void *ctx, struct decc_worker_run_result *res, const struct decc_worker_job *job)
{
	struct decc_iapp_spec spec = { 0 };
	struct decc_iapp_result ir;
	char path[4200];

	memset(res, 0, sizeof(*res));
	DECC_TRY(image_path(ctx, path, sizeof(path), job));
	spec.image = path;
	spec.cache_dir = ((struct oci *)ctx)->cache;
	spec.in_dir = job->in_dir;
	spec.out_dir = job->out_dir;
	spec.args = job->args_text ? job->args_text : "";
	spec.env = job->env;
	spec.timeout_s = job->timeout_s;
	spec.stdout_path = job->stdout_path;
	spec.stderr_path = job->stderr_path;
	spec.expect_digest = job->app_checksum;
	memset(&ir, 0, sizeof(ir));
	DECC_TRY(decc_iapp_run(&ir, &spec));
	res->exit_code = ir.exit_code;
	res->timed_out = ir.timed_out;
	return 0;
}

static void oci_free(void *ctx)
{
	struct oci *o = ctx;

	free(o->cache);
	free(o->store);
	free(o);
}

int decc_worker_runner_oci(struct decc_worker_runner *out, const char *cache_dir,
			   const char *store_url)
{
	struct oci *o = calloc(1, sizeof(*o));
	int r;

	if (!o)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	o->cache = strdup(cache_dir);
	o->store = store_url ? strdup(store_url) : NULL;
	if (!o->cache || (store_url && !o->store)) {
		oci_free(o);
		return decc_error_set(DECC_ENOMEM, "out of memory");
	}
	r = decc_file_mkdirs(cache_dir, 0700);
	if (r < 0) {
		oci_free(o);
		return r;
	}
	memset(out, 0, sizeof(*out));
	out->name = "oci+iapp";
	out->ctx = o;
	out->prepare = oci_prepare;
	out->run = oci_run;
	out->free = oci_free;
	return 0;
}
