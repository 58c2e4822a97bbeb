/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decc_iapp_run(): a busybox image built with decc_oci_build, run like a worker would (args,
 * IEXEC_* env, /iexec_in read-only, /iexec_out, /tmp, no network, uid 65534, exit code,
 * timeout), refused on a digest mismatch, and run from inside an outer nestable sandbox that
 * binds the host's /usr (the enclave's set-up; argv[1] = "inner" re-executes this binary).
 */
#include <sys/stat.h>

#include "decc/hex.h"
#include "decc/iapp.h"
#include "decc/oci.h"
#include "sandbox/busybox_rootfs.h"

static const char app_sh[] =
    "#!/bin/sh\n"
    "case \"$1\" in\n"
    "sleep) sleep 1000 ;;\n"
    "*)\n"
    "  echo \"args:$#:$1|$2\"; echo \"uid:$(id -u)\"; echo \"x:$IEXEC_X img:$IMG\"\n"
    "  touch /iexec_in/w 2>/dev/null && echo IN-WRITABLE\n"
    "  echo t > /tmp/t && echo TMP-OK\n"
    "  echo hi | nc 127.0.0.1 1 2>&1 | grep -q 'not permitted' && echo NO-NET\n"
    "  echo '{\"deterministic-output-path\":\"/iexec_out/result.txt\"}' > "
    "/iexec_out/computed.json\n"
    "  cat /iexec_in/input.txt > /iexec_out/result.txt\n"
    "  exit 5 ;;\n"
    "esac\n";

struct fx {
	char *dir;
	char image[4096], cache[4096], in[4096], out[4096], so[4096];
	char digest[72];
};

static const char *self_exe;

static void build_image(const char *dir, const char *image, char digest[72])
{
	char root[4096], p[4096];
	static const char *const ep[] = { "/bin/sh", "/app.sh", NULL };
	static const char *const env[] = { "PATH=/bin", "IMG=yes", NULL };
	struct decc_oci_build_spec spec = { .entrypoint = ep, .env = env };

	tpath(root, sizeof(root), "%s/approot", dir);
	assert_int_equal(mkdir(root, 0755), 0);
	test_make_busybox_rootfs(root);
	tpath(p, sizeof(p), "%s/app.sh", root);
	test_write_file(p, app_sh, 0755);
	if (decc_oci_build(digest, root, image, &spec) != 0)
		fail_msg("build: %s", decc_error_last());
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char p[4096];

	if (!test_busybox_path()) {
		free(f);
		skip();
	}
	f->dir = test_mkdtemp("iapptest");
	tpath(f->image, sizeof(f->image), "%s/app.tar", f->dir);
	tpath(f->cache, sizeof(f->cache), "%s/cache", f->dir);
	tpath(f->in, sizeof(f->in), "%s/in", f->dir);
	tpath(f->out, sizeof(f->out), "%s/out", f->dir);
	tpath(f->so, sizeof(f->so), "%s/stdout", f->dir);
	assert_int_equal(mkdir(f->in, 0755), 0);
	assert_int_equal(mkdir(f->out, 0755), 0);
	tpath(p, sizeof(p), "%s/input.txt", f->in);
	test_write_file(p, "the input\n", 0644);
	build_image(f->dir, f->image, f->digest);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	test_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static void test_measure(void **state)
{
	struct fx *f = *state;
	uint8_t d[32];
	char hex[67];

	assert_int_equal(decc_iapp_measure(d, f->image, f->cache), 0);
	decc_hex_encode(hex, d, 32, false);
	assert_string_equal(hex, f->digest + 7);
	assert_true(decc_iapp_measure(d, "/nonexistent.tar", f->cache) < 0);
}

static void test_run(void **state)
{
	struct fx *f = *state;
	static const char *const env[] = { "IEXEC_X=task-1", NULL };
	struct decc_iapp_spec s = { .image = f->image,
				    .cache_dir = f->cache,
				    .in_dir = f->in,
				    .out_dir = f->out,
				    .args = "one 'two words'",
				    .env = env,
				    .timeout_s = 60,
				    .stdout_path = f->so };
	struct decc_iapp_result res;
	uint8_t want[32];
	char p[4096], *out, *txt;

	test_unhex(want, 32, f->digest + 7);
	s.expect_digest = want;
	if (decc_iapp_run(&res, &s) != 0)
		fail_msg("run: %s", decc_error_last());
	assert_int_equal(res.exit_code, 5);
	assert_false(res.timed_out);
	assert_memory_equal(res.digest, want, 32);
	out = test_slurp(f->so, NULL);
	assert_non_null(out);
	assert_non_null(strstr(out, "args:2:one|two words\n"));
	assert_non_null(strstr(out, "uid:65534\n"));
	assert_non_null(strstr(out, "x:task-1 img:yes\n"));
	assert_null(strstr(out, "IN-WRITABLE"));
	assert_non_null(strstr(out, "TMP-OK"));
	assert_non_null(strstr(out, "NO-NET"));
	free(out);
	tpath(p, sizeof(p), "%s/result.txt", f->out);
	txt = test_slurp(p, NULL);
	assert_string_equal(txt, "the input\n");
	free(txt);
	tpath(p, sizeof(p), "%s/computed.json", f->out);
	assert_int_equal(access(p, F_OK), 0);

	/* a wrong expected digest: refused before anything runs */
	test_rmtree(f->out);
	assert_int_equal(mkdir(f->out, 0755), 0);
	want[0] ^= 1;
	assert_int_equal(decc_iapp_run(&res, &s), DECC_EAUTH);
	tpath(p, sizeof(p), "%s/computed.json", f->out);
	assert_true(access(p, F_OK) != 0);

	/* timeout */
	s.expect_digest = NULL;
	s.args = "sleep";
	s.timeout_s = 1;
	assert_int_equal(decc_iapp_run(&res, &s), 0);
	assert_true(res.timed_out);
	assert_int_equal(res.exit_code, -1);

	/* a missing output dir is a bad spec */
	s.out_dir = "/nonexistent-out";
	assert_int_equal(decc_iapp_run(&res, &s), DECC_EINVAL);
}

/* ---- nested: this binary inside an outer NESTABLE|NETWORK sandbox binding host /usr ---- */

static int inner_main(const char *work)
{
	char image[512], cache[512], in[512], out[512], so[512];
	static const char *const env[] = { "IEXEC_X=nested", NULL };
	struct decc_iapp_result res;
	struct decc_iapp_spec s = { .image = image,
				    .cache_dir = cache,
				    .in_dir = in,
				    .out_dir = out,
				    .args = "a b",
				    .env = env,
				    .timeout_s = 60,
				    .memory_bytes = 256u << 20,
				    .pids = 64,
				    .stdout_path = so };
	char *text;

	snprintf(image, sizeof(image), "%s/app.tar", work);
	snprintf(cache, sizeof(cache), "%s/cache-inner", work);
	snprintf(in, sizeof(in), "%s/in", work);
	snprintf(out, sizeof(out), "%s/out", work);
	snprintf(so, sizeof(so), "%s/inner-stdout", work);
	if (decc_iapp_run(&res, &s) != 0) {
		printf("inner iapp failed: %s\n", decc_error_last());
		return 100;
	}
	text = test_slurp(so, NULL);
	printf("inner exit=%d notes=%s\n%s", res.exit_code, res.sb.notes, text ? text : "");
	free(text);
	return res.exit_code == 5 ? 0 : 101;
}

static void test_nested(void **state)
{
	struct fx *f = *state;
	char outer[4096], l[4096], so[4096], se[4096], *out;
	const char *links[][2] = { { "usr/bin", "bin" },
				   { "usr/lib", "lib" },
				   { "usr/lib64", "lib64" },
				   { "usr/sbin", "sbin" } };
	struct decc_sandbox_bind binds[3] = {
		{ .src = "/usr", .dst = "/usr" },
		{ .src = self_exe, .dst = "/test-iapp" },
		{ .src = f->dir, .dst = "/work", .rw = true },
	};
	const char *argv[] = { "/test-iapp", "inner", "/work", NULL };
	struct decc_sandbox_spec s = { .rootfs = outer,
				       .binds = binds,
				       .nbinds = 3,
				       .tmpfs = (const char *const[]){ "/tmp" },
				       .ntmpfs = 1,
				       .argv = argv,
				       /* LeakSanitizer needs ptrace, which the sandbox denies */
				       .env = (const char *const[]){ "PATH=/usr/bin",
								     "ASAN_OPTIONS=detect_leaks=0",
								     NULL },
				       .stdout_path = so,
				       .stderr_path = se,
				       .flags = DECC_SANDBOX_NESTABLE | DECC_SANDBOX_NETWORK,
				       .limits = { .wall_ms = 120000 } };
	struct decc_sandbox_result res;

	tpath(outer, sizeof(outer), "%s/outer", f->dir);
	tpath(so, sizeof(so), "%s/outer-stdout", f->dir);
	tpath(se, sizeof(se), "%s/outer-stderr", f->dir);
	assert_int_equal(mkdir(outer, 0755), 0);
	for (size_t i = 0; i < 4; i++) {
		tpath(l, sizeof(l), "%s/%s", outer, links[i][1]);
		assert_int_equal(symlink(links[i][0], l), 0);
	}
	if (decc_sandbox_run(&res, &s) != 0)
		fail_msg("outer: %s", decc_error_last());
	out = test_slurp(so, NULL);
	if (res.exit_code != 0) {
		char *err = test_slurp(se, NULL);

		fail_msg("nested iapp exit %d: %s / %s", res.exit_code, out ? out : "",
			 err ? err : "");
	}
	assert_non_null(strstr(out, "inner exit=5"));
	assert_non_null(strstr(out, "args:2:a|b\n"));
	assert_non_null(strstr(out, "uid:65534\n"));
	assert_non_null(strstr(out, "x:nested img:yes\n"));
	assert_non_null(strstr(out, "NO-NET")); /* the outer has network, the app not */
	assert_null(strstr(out, "IN-WRITABLE"));
	free(out);
	tpath(l, sizeof(l), "%s/out/result.txt", f->dir);
	out = test_slurp(l, NULL);
	assert_string_equal(out, "the input\n");
	free(out);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_measure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nested, setup, teardown),
	};
	static char exe[4096];
	ssize_t n;

	if (argc == 3 && strcmp(argv[1], "inner") == 0)
		return inner_main(argv[2]);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0)
		exe[n] = 0;
	self_exe = exe;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
