/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TEE runner: prepare downloads the app image (/ipfs/CID from the store) into the cache
 * and checks its digest against the registered checksum; run starts `decc enclave` in a
 * sandbox (nestable, for the app's inner sandbox; with the network, to reach the SMS and the
 * store) whose root is an empty directory with the host's /usr, the decc binary, the image,
 * the authorization and the platform key bound read-only and a tmpfs work dir. Plaintext
 * exists only in that tmpfs; the worker reads the enclave's stdout JSON (digests, signatures,
 * location) or its failure cause.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decc/error.h"
#include "decc/file.h"
#include "decc/hex.h"
#include "decc/iapp.h"
#include "decc/sandbox.h"
#include "decc/store.h"
#include "decc/tee.h"
#include "decc/worker.h"

#define ENCLAVE_OUT_MAX ((size_t)1 << 20)
#define ENCLAVE_GRACE_S 300 /* download, attestation, pre/post-compute on top of the app */
#define TMPFS_BYTES ((uint64_t)2 << 30)

struct tee {
	char *decc, *sms, *store, *key, *cache, *work;
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

static const char *store_of(const struct tee *t, const struct decc_worker_job *job)
{
	return t->store ? t->store : job->store_url;
}

/* The cached image of the job, downloaded and checked when it is not there yet. */
static int image_path(struct tee *t, char *out, size_t cap, const struct decc_worker_job *job)
{
	static const uint8_t zero[32];
	const char *ma = job->app_multiaddr ? job->app_multiaddr : "";
	const char *store = store_of(t, job);
	uint8_t digest[32];
	char want[67], got[67];
	int r;

	if (strncmp(ma, "/ipfs/", 6) != 0 || !cid_ok(ma + 6))
		return decc_error_set(DECC_ENOTFOUND, "app multiaddr '%.80s' is not /ipfs/CID", ma);
	if (!job->app_checksum || memcmp(job->app_checksum, zero, 32) == 0)
		return decc_error_set(DECC_ENOTFOUND,
				      "the app has no checksum: its image cannot be verified");
	if ((size_t)snprintf(out, cap, "%s/%s.tar", t->cache, ma + 6) >= cap)
		return decc_error_set(DECC_ELIMIT, "cache path too long");
	if (access(out, R_OK) != 0) {
		if (!store || !*store)
			return decc_error_set(DECC_ENOTFOUND, "no store to download %s from", ma);
		r = decc_store_client_cat(store, ma + 6, out, true);
		if (r < 0)
			return decc_error_wrap(DECC_ENOTFOUND, "downloading the app image %s", ma);
	}
	r = decc_iapp_measure(digest, out, t->cache);
	if (r == 0 && memcmp(digest, job->app_checksum, 32) != 0) {
		decc_hex_encode(want, job->app_checksum, 32, true);
		decc_hex_encode(got, digest, 32, true);
		r = decc_error_set(DECC_ENOTFOUND,
				   "the app image digest %s is not the registered checksum %s", got,
				   want);
	}
	if (r < 0)
		unlink(out);
	return r;
}

static int prepare(void *ctx, const struct decc_worker_job *job)
{
	char path[4096];

	return image_path(ctx, path, sizeof(path), job);
}

/* An empty file or dir in the sandbox root, as a mount point. */
static int mount_point(const char *root, const char *name, bool dir)
{
	char p[4096];
	int fd;

	if ((size_t)snprintf(p, sizeof(p), "%s/%s", root, name) >= sizeof(p))
		return decc_error_set(DECC_ELIMIT, "path too long");
	if (dir)
		return mkdir(p, 0755) == 0 || errno == EEXIST
			   ? 0
			   : decc_error_set(DECC_ERROR, "%s: %s", p, strerror(errno));
	fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0)
		return decc_error_set(DECC_ERROR, "%s: %s", p, strerror(errno));
	close(fd);
	return 0;
}

static int make_root(const char root[3100])
{
	static const char *const dirs[] = { "usr", "tmp", "work", "proc", "dev", "etc" };
	static const char *const files[] = { "decc", "image.tar", "authorization.json",
					     "platform.key" };
	static const char *const links[][2] = { { "usr/bin", "bin" },
						{ "usr/lib", "lib" },
						{ "usr/lib64", "lib64" },
						{ "usr/sbin", "sbin" } };
	char p[4096];

	DECC_TRY(mount_point(root, "", true));
	for (size_t i = 0; i < DECC_ARRAY_SIZE(dirs); i++)
		DECC_TRY(mount_point(root, dirs[i], true));
	for (size_t i = 0; i < DECC_ARRAY_SIZE(files); i++)
		DECC_TRY(mount_point(root, files[i], false));
	for (size_t i = 0; i < DECC_ARRAY_SIZE(links); i++) {
		snprintf(p, sizeof(p), "%s/%s", root, links[i][1]);
		if (symlink(links[i][0], p) < 0 && errno != EEXIST)
			return decc_error_set(DECC_ERROR, "%s: %s", p, strerror(errno));
	}
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path); /* symlinks are removed, never followed (FTW_PHYS) */
	return 0;
}

/* Remove the task dir and everything under it. */
static void rm_rf(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* The enclave's stdout: the result, or {"cause","error"}. */
/* The last line of the enclave's stderr (progress lines, no secret), for a silent failure. */
static void stderr_tail(char *out, size_t cap, const char *path)
{
	struct decc_buf b;
	char *nl;
	size_t n;

	decc_buf_init(&b, DECC_SANDBOX_OUTPUT_DEFAULT);
	if (decc_file_read(&b, path, DECC_SANDBOX_OUTPUT_DEFAULT) == 0 && b.len) {
		n = b.len;
		while (n && (b.data[n - 1] == '\n' || b.data[n - 1] == '\r'))
			b.data[--n] = 0;
		nl = memrchr(b.data, '\n', n);
		snprintf(out, cap, "the enclave failed without saying why; its last words: %s",
			 nl ? nl + 1 : (const char *)b.data);
	}
	decc_buf_release(&b);
}

static int read_answer(struct decc_worker_run_result *res, const char *path, int exit_code,
		       const char *err_path)
{
	struct decc_buf out;
	json_t *o = NULL;
	int r;

	decc_buf_init(&out, ENCLAVE_OUT_MAX);
	r = decc_file_read(&out, path, ENCLAVE_OUT_MAX);
	if (r == 0 && exit_code == 0) {
		r = decc_tee_result_parse(&res->tee, (const char *)out.data, out.len);
		if (r == 0) {
			res->exit_code = res->tee.app_exit;
			res->timed_out = res->tee.app_timed_out;
		}
	} else if (r == 0) {
		const char *cause = NULL, *err = NULL;

		o = json_loadb((const char *)out.data, out.len, 0, NULL);
		if (json_is_string(json_object_get(o, "cause")))
			cause = json_string_value(json_object_get(o, "cause"));
		if (json_is_string(json_object_get(o, "error")))
			err = json_string_value(json_object_get(o, "error"));
		snprintf(res->cause, sizeof(res->cause), "%s", cause ? cause : "UNKNOWN");
		snprintf(res->error, sizeof(res->error), "%s",
			 err ? err : "the enclave failed without saying why");
		if (!err)
			stderr_tail(res->error, sizeof(res->error), err_path);
		res->exit_code = exit_code;
		json_decref(o);
	}
	decc_buf_release(&out);
	return r;
}

static int run(void *ctx, struct decc_worker_run_result *res, const struct decc_worker_job *job)
{
	struct tee *t = ctx;
	char image[4096], dir[3000], root[3100], authp[3100], outp[3100], errp[3100], work[32];
	char sig[133], cache[] = "/work/cache";
	struct decc_buf aj = DECC_BUF_INIT;
	struct decc_sandbox_result sr;
	const char *store = store_of(t, job);
	int r;

	DECC_ENSURE(job->auth && job->worker_signature, DECC_EINVAL,
		    "TEE runner: the job has no authorization");
	DECC_TRY(image_path(t, image, sizeof(image), job));
	if ((size_t)snprintf(dir, sizeof(dir), "%s/tee-XXXXXX", t->work) >= sizeof(dir))
		return decc_error_set(DECC_ELIMIT, "work path too long");
	DECC_TRY(decc_file_mkdirs(t->work, 0700));
	if (!mkdtemp(dir))
		return decc_error_set(DECC_ERROR, "%s: %s", dir, strerror(errno));
	snprintf(root, sizeof(root), "%s/root", dir);
	snprintf(authp, sizeof(authp), "%s/authorization.json", dir);
	snprintf(outp, sizeof(outp), "%s/enclave.out", dir);
	snprintf(errp, sizeof(errp), "%s/enclave.err", dir);
	snprintf(work, sizeof(work), "--work-dir=/work");
	decc_hex_encode(sig, job->worker_signature, 65, true);
	r = make_root(root);
	if (r == 0)
		r = decc_tee_authorization_json(&aj, job->auth);
	if (r == 0)
		r = decc_file_write_atomic(authp, aj.data, aj.len, 0600, DECC_FILE_REPLACE);
	decc_buf_release(&aj);
	if (r == 0) {
		const struct decc_sandbox_bind binds[] = {
			{ .src = "/usr", .dst = "/usr" },
			{ .src = t->decc, .dst = "/decc" },
			{ .src = image, .dst = "/image.tar" },
			{ .src = authp, .dst = "/authorization.json" },
			{ .src = t->key, .dst = "/platform.key" },
		};
		const char *const tmpfs[] = { "/work", "/tmp" };
		const char *argv[] = { "/decc",
				       "enclave",
				       "--sms",
				       t->sms,
				       "--store",
				       store ? store : "",
				       work,
				       "--image",
				       "/image.tar",
				       "--platform-key",
				       "/platform.key",
				       "--authorization",
				       "/authorization.json",
				       "--worker-signature",
				       sig,
				       "--cache-dir",
				       cache,
				       NULL };
		const char *const env[] = { "PATH=/usr/bin:/bin", "HOME=/work", NULL };
		struct decc_sandbox_spec spec = {
			.rootfs = root,
			.binds = binds,
			.nbinds = DECC_ARRAY_SIZE(binds),
			.tmpfs = tmpfs,
			.ntmpfs = DECC_ARRAY_SIZE(tmpfs),
			.argv = argv,
			.env = env,
			.cwd = "/work",
			.hostname = "enclave",
			.stdout_path = outp,
			.stderr_path = job->stderr_path ? job->stderr_path : errp,
			.limits = { .wall_ms = (job->timeout_s + ENCLAVE_GRACE_S) * 1000,
				    .tmpfs_bytes = TMPFS_BYTES },
			.flags = DECC_SANDBOX_NESTABLE | DECC_SANDBOX_NETWORK,
		};

		r = decc_sandbox_run(&sr, &spec);
	}
	if (r == 0 && sr.timed_out) {
		snprintf(res->cause, sizeof(res->cause), "APP_COMPUTE_TIMEOUT");
		snprintf(res->error, sizeof(res->error), "the enclave hit its time limit");
		res->exit_code = -1;
		res->timed_out = true;
	} else if (r == 0) {
		r = read_answer(res, outp, sr.exit_code,
				job->stderr_path ? job->stderr_path : errp);
	}
	rm_rf(dir);
	return r;
}

static void tee_free(void *ctx)
{
	struct tee *t = ctx;

	if (!t)
		return;
	free(t->decc);
	free(t->sms);
	free(t->store);
	free(t->key);
	free(t->cache);
	free(t->work);
	free(t);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

int decc_worker_runner_tee(struct decc_worker_runner *out, const struct decc_worker_tee_opts *o)
{
	struct tee *t;

	DECC_ENSURE(o->decc_bin && o->sms_url && o->platform_key && o->cache_dir && o->work_dir,
		    DECC_EINVAL,
		    "TEE runner: the decc binary, SMS URL, platform key, cache and work dirs are "
		    "required");
	DECC_TRY(decc_file_mkdirs(o->cache_dir, 0700));
	t = calloc(1, sizeof(*t));
	if (!t)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	t->decc = strdup(o->decc_bin);
	t->sms = strdup(o->sms_url);
	t->store = dup_or_null(o->store_url);
	t->key = strdup(o->platform_key);
	t->cache = strdup(o->cache_dir);
	t->work = strdup(o->work_dir);
	if (!t->decc || !t->sms || (o->store_url && !t->store) || !t->key || !t->cache ||
	    !t->work) {
		tee_free(t);
		return decc_error_set(DECC_ENOMEM, "out of memory");
	}
	*out = (struct decc_worker_runner){
		.name = "tee",
		.tee = true,
		.ctx = t,
		.prepare = prepare,
		.run = run,
		.free = tee_free,
	};
	return 0;
}
