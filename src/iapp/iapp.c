/* SPDX-License-Identifier: Apache-2.0 */
/* One iApp for one task: image (decc_oci) verified and unpacked, then run (decc_sandbox). */
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "decc/error.h"
#include "decc/hex.h"
#include "decc/iapp.h"
#include "decc/oci.h"

static int digest_bytes(uint8_t out[32], const struct decc_oci_image *img)
{
	const char *d = decc_oci_digest(img);

	DECC_ENSURE(d && strncmp(d, "sha256:", 7) == 0, DECC_EINVAL, "iapp: image digest %s",
		    d ? d : "(none)");
	return decc_hex_decode_exact(out, 32, d + 7);
}

int decc_iapp_measure(uint8_t digest[32], const char *image, const char *cache_dir)
{
	struct decc_oci_image *img;
	int r;

	DECC_ENSURE(image && cache_dir, DECC_EINVAL, "iapp: image and cache dir are required");
	DECC_TRY(decc_oci_open(&img, image, cache_dir, NULL));
	r = digest_bytes(digest, img);
	decc_oci_free(img);
	return r;
}

static int check_dir(const char *p, const char *what)
{
	struct stat st;

	DECC_ENSURE(p, DECC_EINVAL, "iapp: %s directory is required", what);
	DECC_ENSURE(stat(p, &st) == 0 && S_ISDIR(st.st_mode), DECC_EINVAL,
		    "iapp: %s directory %s: %s", what, p,
		    errno && stat(p, &st) != 0 ? strerror(errno) : "not a directory");
	return 0;
}

int decc_iapp_run(struct decc_iapp_result *out, const struct decc_iapp_spec *s)
{
	struct decc_iapp_result res = { 0 };
	struct decc_oci_image *img = NULL;
	struct decc_oci_run run = { 0 };
	struct decc_sandbox_bind binds[2];
	static const char *const tmpfs[] = { "/tmp" };
	size_t nb = 0;
	char *rootfs = NULL;
	int r;

	DECC_ENSURE(out && s && s->image && s->cache_dir, DECC_EINVAL,
		    "iapp: image and cache dir are required");
	DECC_TRY(check_dir(s->out_dir, "output"));
	if (s->in_dir)
		DECC_TRY(check_dir(s->in_dir, "input"));
	DECC_ENSURE(s->timeout_s <= UINT64_MAX / 1000, DECC_EINVAL, "iapp: timeout too large");
	r = decc_oci_open(&img, s->image, s->cache_dir, NULL);
	if (r < 0)
		return decc_error_wrap(r, "iapp: image %s", s->image);
	r = digest_bytes(res.digest, img);
	if (r == 0 && s->expect_digest && memcmp(s->expect_digest, res.digest, 32) != 0) {
		char want[67], got[67];

		decc_hex_encode(want, s->expect_digest, 32, true);
		decc_hex_encode(got, res.digest, 32, true);
		r = decc_error_set(DECC_EAUTH,
				   "iapp: image digest %s is not the expected %s (the app's "
				   "registered checksum)",
				   got, want);
	}
	if (r == 0)
		r = decc_oci_rootfs(&rootfs, NULL, img);
	if (r == 0)
		r = decc_oci_run_params(&run, decc_oci_image_config(img), rootfs, s->args, s->env);
	if (r < 0)
		goto done;
	if (s->in_dir)
		binds[nb++] = (struct decc_sandbox_bind){ .src = s->in_dir, .dst = "/iexec_in" };
	binds[nb++] =
	    (struct decc_sandbox_bind){ .src = s->out_dir, .dst = "/iexec_out", .rw = true };
	{
		struct decc_sandbox_spec sb = {
			.rootfs = rootfs,
			.binds = binds,
			.nbinds = nb,
			.tmpfs = tmpfs,
			.ntmpfs = 1,
			.argv = (const char *const *)run.argv,
			.env = (const char *const *)run.env,
			.cwd = run.cwd,
			.uid = run.uid,
			.gid = run.gid,
			.hostname = "iexec-app",
			.stdout_path = s->stdout_path,
			.stderr_path = s->stderr_path,
			.limits = { .memory_bytes = s->memory_bytes,
				    .pids = s->pids,
				    .wall_ms =
					(s->timeout_s ? s->timeout_s : DECC_IAPP_TIMEOUT_DEFAULT) *
					1000u },
			.flags = s->sandbox_flags | (s->network ? DECC_SANDBOX_NETWORK : 0u),
		};

		r = decc_sandbox_run(&res.sb, &sb);
	}
	if (r == 0) {
		res.exit_code = res.sb.exit_code;
		res.timed_out = res.sb.timed_out;
		*out = res;
	}
done:
	decc_oci_run_release(&run);
	free(rootfs);
	decc_oci_free(img);
	return r;
}
