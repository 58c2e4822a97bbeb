/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decc_sandbox_run() against the real bwrap, with a busybox root file system made in a temp
 * dir: exit status, environment, identity, network cut, host files hidden, bind modes, the
 * wall-clock deadline, cgroup memory and pids limits, output capture and a nested sandbox.
 * The nested case re-executes this test binary inside an outer sandbox (argv[1] = "inner").
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "decc/sandbox.h"
#include "sandbox/busybox_rootfs.h"

struct fixture {
	char *dir; /* temp dir holding everything */
	char rootfs[4096], in[4096], out[4096], so[4096], se[4096];
};

static const char *self_exe;

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!test_busybox_path()) {
		free(f);
		skip();
	}
	f->dir = test_mkdtemp("sbtest");
	tpath(f->rootfs, sizeof(f->rootfs), "%s/root", f->dir);
	tpath(f->in, sizeof(f->in), "%s/in", f->dir);
	tpath(f->out, sizeof(f->out), "%s/out", f->dir);
	tpath(f->so, sizeof(f->so), "%s/stdout", f->dir);
	tpath(f->se, sizeof(f->se), "%s/stderr", f->dir);
	assert_int_equal(mkdir(f->rootfs, 0755), 0);
	assert_int_equal(mkdir(f->in, 0755), 0);
	assert_int_equal(mkdir(f->out, 0777), 0);
	chmod(f->out, 0777);
	test_make_busybox_rootfs(f->rootfs);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f) {
		test_rmtree(f->dir);
		free(f->dir);
		free(f);
	}
	return 0;
}

static const char *const base_env[] = { "PATH=/bin", NULL };

static struct decc_sandbox_spec sh_spec(struct fixture *f, const char *script)
{
	static const char *argv[4];
	static struct decc_sandbox_bind binds[2];
	static const char *const tmpfs[] = { "/tmp" };

	argv[0] = "sh";
	argv[1] = "-c";
	argv[2] = script;
	argv[3] = NULL;
	binds[0] = (struct decc_sandbox_bind){ .src = f->in, .dst = "/iexec_in", .rw = false };
	binds[1] = (struct decc_sandbox_bind){ .src = f->out, .dst = "/iexec_out", .rw = true };
	return (struct decc_sandbox_spec){ .rootfs = f->rootfs,
					   .binds = binds,
					   .nbinds = 2,
					   .tmpfs = tmpfs,
					   .ntmpfs = 1,
					   .argv = argv,
					   .env = base_env,
					   .stdout_path = f->so,
					   .stderr_path = f->se,
					   .limits = { .wall_ms = 60000 } };
}

/* Run and return stdout (heap); fails the test when the sandbox could not be made. */
static char *run(struct decc_sandbox_spec *s, struct decc_sandbox_result *res)
{
	int r = decc_sandbox_run(res, s);

	if (r != 0)
		fail_msg("decc_sandbox_run: %d %s", r, decc_error_last());
	return test_slurp(s->stdout_path, NULL);
}

static char *err_text(struct fixture *f)
{
	char *e = test_slurp(f->se, NULL);

	assert_non_null(e);
	return e;
}

static void test_exit_codes(void **state)
{
	struct fixture *f = *state;
	struct decc_sandbox_result res;
	struct decc_sandbox_spec s = sh_spec(f, "echo hello; exit 7");
	char *out = run(&s, &res);

	assert_int_equal(res.exit_code, 7);
	assert_int_equal(res.signal, 0);
	assert_false(res.timed_out);
	assert_string_equal(out, "hello\n");
	assert_int_equal(res.stdout_bytes, 6);
	free(out);

	s = sh_spec(f, "exit 0");
	free(run(&s, &res));
	assert_int_equal(res.exit_code, 0);

	s = sh_spec(f, "kill -9 $$");
	free(run(&s, &res));
	assert_int_equal(res.exit_code, -1);
	assert_int_equal(res.signal, 9);

	/* a program that does not exist: bwrap's execvp fails, reported as a setup error */
	static const char *const nothere[] = { "no-such-program", NULL };
	s = sh_spec(f, "");
	s.argv = nothere;
	assert_int_equal(decc_sandbox_run(&res, &s), DECC_ERROR);
	assert_non_null(strstr(decc_error_last(), "no-such-program"));
}

static void test_env_only_given(void **state)
{
	struct fixture *f = *state;
	struct decc_sandbox_result res;
	static const char *const argv[] = { "env", NULL };
	static const char *const env[] = { "PATH=/bin", "IEXEC_X=1 2", "EMPTY=", NULL };
	struct decc_sandbox_spec s = sh_spec(f, "");
	char *out;

	setenv("DECC_TEST_SECRET", "leak", 1);
	s.argv = argv;
	s.env = env;
	out = run(&s, &res);
	assert_int_equal(res.exit_code, 0);
	/* bwrap adds PWD (the working directory), nothing else */
	assert_string_equal(out, "PATH=/bin\nIEXEC_X=1 2\nEMPTY=\nPWD=/\n");
	free(out);
	unsetenv("DECC_TEST_SECRET");

	static const char *const bad[] = { "NOEQUALS", NULL };
	s.env = bad;
	assert_int_equal(decc_sandbox_run(&res, &s), DECC_EINVAL);
}

static void test_identity(void **state)
{
	struct fixture *f = *state;
	struct decc_sandbox_result res;
	struct decc_sandbox_spec s =
	    sh_spec(f, "id -u; id -g; hostname; grep CapEff /proc/self/status; "
		       "grep NoNewPrivs /proc/self/status; echo $$");
	char *out = run(&s, &res);

	assert_int_equal(res.exit_code, 0);
	assert_non_null(strstr(out, "65534\n65534\nsandbox\n"));
	assert_non_null(strstr(out, "CapEff:\t0000000000000000"));
	assert_non_null(strstr(out, "NoNewPrivs:\t1"));
	free(out);

	s.uid = 1000;
	s.gid = 1000;
	out = run(&s, &res);
	assert_non_null(strstr(out, "1000\n1000\n"));
	free(out);

	/* host root is dropped to 65534 outside too */
	if (geteuid() == 0) {
		char path[4096];
		struct stat st;

		/* files the program creates show who it is on the host */
		s = sh_spec(f, "echo > /iexec_out/by-nobody");
		s.flags = DECC_SANDBOX_DROP_HOST_IDS;
		free(run(&s, &res));
		assert_int_equal(res.exit_code, 0);
		tpath(path, sizeof(path), "%s/by-nobody", f->out);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_uid, DECC_SANDBOX_NOBODY);
		assert_int_equal(st.st_gid, DECC_SANDBOX_NOBODY);
		/* control: without the flag, host root stays root outside */
		s = sh_spec(f, "echo > /iexec_out/by-root");
		free(run(&s, &res));
		tpath(path, sizeof(path), "%s/by-root", f->out);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_uid, 0);
	}
}

static int listener(uint16_t *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static void test_no_network(void **state)
{
	struct fixture *f = *state;
	struct decc_sandbox_result res;
	char script[256];
	uint16_t port;
	int lfd = listener(&port), c;
	struct decc_sandbox_spec s;
	char *out, *err;

	tpath(script, sizeof(script), "echo hi | nc -w 1 127.0.0.1 %u; echo rc=$?", port);
	s = sh_spec(f, script);
	out = run(&s, &res);
	err = err_text(f);
	assert_non_null(strstr(out, "rc=1"));
	assert_non_null(strstr(err, "Operation not permitted"));
	c = accept(lfd, NULL, NULL);
	assert_true(c < 0); /* nobody connected */
	free(out);
	free(err);

	/* only the loopback device exists */
	s = sh_spec(f, "tail -n +3 /proc/net/dev | cut -d: -f1");
	out = run(&s, &res);
	assert_string_equal(out, "    lo\n");
	free(out);

	/* positive control: with DECC_SANDBOX_NETWORK the same command reaches the listener */
	s = sh_spec(f, script);
	s.flags = DECC_SANDBOX_NETWORK;
	s.limits.wall_ms = 2000; /* nc waits for an answer that never comes */
	out = run(&s, &res);
	for (int i = 0; i < 100; i++) {
		c = accept(lfd, NULL, NULL);
		if (c >= 0)
			break;
		usleep(10000);
	}
	assert_true(c >= 0);
	close(c);
	free(out);
	close(lfd);
}

static void test_host_hidden_and_binds(void **state)
{
	struct fixture *f = *state;
	struct decc_sandbox_result res;
	char path[4096], *out, *x;
	struct decc_sandbox_spec s;

	tpath(path, sizeof(path), "%s/input.txt", f->in);
	test_write_file(path, "input data\n", 0644);
	s = sh_spec(f, "cat /etc/hostname 2>/dev/null && echo HOSTNAME-VISIBLE; "
		       "ls /work 2>/dev/null && echo WORK-VISIBLE; "
		       "ls /usr 2>/dev/null && echo USR-VISIBLE; ls /; "
		       "cat /iexec_in/input.txt; "
		       "touch /iexec_in/new 2>/dev/null && echo IN-WRITABLE; "
		       "touch /bin/new 2>/dev/null && echo ROOT-WRITABLE; "
		       "echo result > /iexec_out/result.txt && echo OUT-OK; "
		       "echo t > /tmp/t && echo TMP-OK; cat /etc/passwd | wc -l");
	out = run(&s, &res);
	assert_int_equal(res.exit_code, 0);
	assert_null(strstr(out, "VISIBLE"));
	assert_null(strstr(out, "WRITABLE"));
	assert_non_null(strstr(out, "input data\nOUT-OK\nTMP-OK\n3\n"));
	tpath(path, sizeof(path), "%s/result.txt", f->out);
	x = test_slurp(path, NULL);
	assert_non_null(x);
	assert_string_equal(x, "result\n");
	free(x);
	tpath(path, sizeof(path), "%s/new", f->in);
	assert_true(access(path, F_OK) != 0);
	free(out);

	/* bad specs are refused before anything runs */
	static const struct decc_sandbox_bind dotdot[] = { { .src = "/tmp", .dst = "/a/../b" } };
	s = sh_spec(f, "true");
	s.binds = dotdot;
	s.nbinds = 1;
	assert_int_equal(decc_sandbox_run(&res, &s), DECC_EINVAL);
	s = sh_spec(f, "true");
	s.rootfs = "/nonexistent-root";
	assert_int_equal(decc_sandbox_run(&res, &s), DECC_EINVAL);
}

static void test_symlinked_mountpoint_refused(void **state)
{
	struct fixture *f = *state;
	struct decc_sandbox_result res;
	char link[4096], victim[4096];
	struct decc_sandbox_spec s;

	/* a rootfs whose /iexec_out is a symlink to a host dir must not make us create there */
	tpath(victim, sizeof(victim), "%s/victim", f->dir);
	assert_int_equal(mkdir(victim, 0755), 0);
	tpath(link, sizeof(link), "%s/iexec_x", f->rootfs);
	assert_int_equal(symlink(victim, link), 0);
	static struct decc_sandbox_bind b[1];
	b[0] = (struct decc_sandbox_bind){ .src = f->out, .dst = "/iexec_x/sub", .rw = true };
	s = sh_spec(f, "true");
	s.binds = b;
	s.nbinds = 1;
	assert_true(decc_sandbox_run(&res, &s) < 0);
	tpath(link, sizeof(link), "%s/sub", victim);
	assert_true(access(link, F_OK) != 0);
}

static void test_timeout_kills_tree(void **state)
{
	struct fixture *f = *state;
	struct decc_sandbox_result res;
	char path[4096];
	struct decc_sandbox_spec s =
	    sh_spec(f, "(sleep 2; echo late > /iexec_out/late) & sleep 1000");

	s.limits.wall_ms = 300;
	free(run(&s, &res));
	assert_true(res.timed_out);
	assert_int_equal(res.exit_code, -1);
	assert_int_equal(res.signal, SIGKILL);
	/* the background child was killed with the tree: it never writes */
	sleep(3);
	tpath(path, sizeof(path), "%s/late", f->out);
	assert_true(access(path, F_OK) != 0);
}

static bool cgroups_usable(void)
{
	return geteuid() == 0 && access("/sys/fs/cgroup/memory", W_OK) == 0 &&
	       access("/sys/fs/cgroup/pids", W_OK) == 0;
}

static void test_memory_limit(void **state)
{
	struct fixture *f = *state;
	struct decc_sandbox_result res;
	/* a 100 MB shell variable under a 32 MiB limit */
	struct decc_sandbox_spec s =
	    sh_spec(f, "x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo survived ${#x}");
	char *out;

	if (!cgroups_usable())
		skip();
	s.limits.memory_bytes = 32u << 20;
	out = run(&s, &res);
	assert_true(res.cgroups);
	assert_null(strstr(out, "survived"));
	assert_true(res.memory_limit_hit);
	assert_true(res.memory_peak > 0 && res.memory_peak <= (32u << 20));
	free(out);

	/* control: the same job passes with enough memory */
	s = sh_spec(f, "x=$(head -c 1000000 /dev/zero | tr '\\0' a); echo survived ${#x}");
	s.limits.memory_bytes = 256u << 20;
	out = run(&s, &res);
	assert_string_equal(out, "survived 1000000\n");
	assert_false(res.memory_limit_hit);
	free(out);
}

/* without cgroups (nested sandboxes, unprivileged callers) memory falls back to RLIMIT_AS */
static void test_memory_rlimit(void **state)
{
	struct fixture *f = *state;
	struct decc_sandbox_result res;
	struct decc_sandbox_spec s =
	    sh_spec(f, "x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo survived ${#x}");
	char *out;

	s.flags = DECC_SANDBOX_NO_CGROUPS;
	s.limits.memory_bytes = 32u << 20;
	out = run(&s, &res);
	assert_false(res.cgroups);
	assert_non_null(strstr(res.notes, "rlimits"));
	assert_null(strstr(out, "survived"));
	assert_int_not_equal(res.exit_code, 0);
	free(out);

	/* control: a small job under a larger RLIMIT_AS */
	s = sh_spec(f, "x=$(head -c 1000000 /dev/zero | tr '\\0' a); echo survived ${#x}");
	s.flags = DECC_SANDBOX_NO_CGROUPS;
	s.limits.memory_bytes = 512u << 20;
	out = run(&s, &res);
	assert_string_equal(out, "survived 1000000\n");
	free(out);
}

static void test_pids_limit(void **state)
{
	struct fixture *f = *state;
	struct decc_sandbox_result res;
	struct decc_sandbox_spec s =
	    sh_spec(f, "n=0; for i in $(seq 1 30); do sleep 5 & n=$((n+1)); done 2>/dev/null; "
		       "echo started; kill $(jobs -p) 2>/dev/null; exit 0");
	char *err;

	if (!cgroups_usable())
		skip();
	s.limits.pids = 5;
	free(run(&s, &res));
	err = err_text(f);
	assert_true(res.cgroups);
	assert_true(res.pids_limit_hit);
	free(err);

	s.limits.pids = 100;
	free(run(&s, &res));
	assert_false(res.pids_limit_hit);
}

static void test_output_bounded(void **state)
{
	struct fixture *f = *state;
	struct decc_sandbox_result res;
	struct decc_sandbox_spec s =
	    sh_spec(f, "seq 1 2000; echo to-stderr >&2; seq 1 10 >&2; echo END");
	size_t n;
	char *out, *err;

	s.limits.output_bytes = 100;
	out = run(&s, &res);
	assert_non_null(out);
	n = strlen(out);
	assert_int_equal(n, 100);
	assert_true(res.stdout_truncated);
	assert_true(res.stdout_bytes > 8000);
	assert_non_null(strstr(out, "2000\nEND\n"));
	err = err_text(f);
	assert_string_equal(err, "to-stderr\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n");
	assert_false(res.stderr_truncated);
	free(out);
	free(err);

	s.limits.output_bytes = DECC_SANDBOX_OUTPUT_MAX + 1;
	assert_int_equal(decc_sandbox_run(&res, &s), DECC_ELIMIT);
}

/* ---- nesting: this binary, run inside an outer NESTABLE sandbox, runs the inner one ---- */

static int inner_main(const char *rootfs)
{
	struct decc_sandbox_result res;
	static const char *const argv[] = {
		"sh", "-c",
		"id -u; echo x | nc 127.0.0.1 1 2>&1; "
		"cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | "
		"grep -q ENCLAVE_SECRET && echo SECRET-VISIBLE; "
		"ls /proc/1/ >/dev/null && echo PROC-OK; exit 3",
		NULL
	};
	struct decc_sandbox_spec s = {
		.rootfs = rootfs,
		.argv = argv,
		.env = base_env,
		.tmpfs = (const char *const[]){ "/tmp" },
		.ntmpfs = 1,
		.stdout_path = "/tmp/inner.out",
		.limits = { .wall_ms = 30000, .memory_bytes = 64u << 20, .pids = 16 }
	};
	char *out;
	int r = decc_sandbox_run(&res, &s);

	if (r != 0) {
		printf("inner sandbox failed: %s\n", decc_error_last());
		return 100;
	}
	out = test_slurp("/tmp/inner.out", NULL);
	printf("inner exit=%d cgroups=%d notes=%s\n%s", res.exit_code, res.cgroups, res.notes,
	       out ? out : "(no output)");
	free(out);
	return res.exit_code == 3 ? 0 : 101;
}

static void test_nested(void **state)
{
	struct fixture *f = *state;
	struct decc_sandbox_result res;
	char outer[4096], l[4096], *out;
	const char *ls[][2] = { { "usr/bin", "bin" },
				{ "usr/lib", "lib" },
				{ "usr/lib64", "lib64" },
				{ "usr/sbin", "sbin" } };
	struct decc_sandbox_bind binds[3] = {
		{ .src = "/usr", .dst = "/usr" },
		{ .src = self_exe, .dst = "/test-sandbox" },
		{ .src = f->rootfs, .dst = "/inner", .rw = false },
	};
	const char *argv[] = { "/test-sandbox", "inner", "/inner", NULL };
	struct decc_sandbox_spec s = {
		.rootfs = outer,
		.binds = binds,
		.nbinds = 3,
		.tmpfs = (const char *const[]){ "/tmp" },
		.ntmpfs = 1,
		.argv = argv,
		.env =
		    (const char *const[]){
			"PATH=/usr/bin", "ENCLAVE_SECRET=s3cr3t",
			/* LeakSanitizer needs ptrace, which the sandbox denies */
			"ASAN_OPTIONS=detect_leaks=0", NULL },
		.stdout_path = f->so,
		.stderr_path = f->se,
		.flags = DECC_SANDBOX_NESTABLE | DECC_SANDBOX_NETWORK,
		.limits = { .wall_ms = 60000 }
	};
	/* the inner rootfs is read-only inside: its mount points must exist beforehand */
	tpath(l, sizeof(l), "%s/tmp", f->rootfs);
	mkdir(l, 0755);
	tpath(l, sizeof(l), "%s/proc", f->rootfs);
	mkdir(l, 0755);
	tpath(l, sizeof(l), "%s/dev", f->rootfs);
	mkdir(l, 0755);
	tpath(outer, sizeof(outer), "%s/outer", f->dir);
	assert_int_equal(mkdir(outer, 0755), 0);
	for (size_t i = 0; i < 4; i++) {
		tpath(l, sizeof(l), "%s/%s", outer, ls[i][1]);
		assert_int_equal(symlink(ls[i][0], l), 0);
	}
	if (decc_sandbox_run(&res, &s) != 0)
		fail_msg("outer: %s", decc_error_last());
	out = test_slurp(f->so, NULL);
	if (res.exit_code != 0) {
		char *err = test_slurp(f->se, NULL);

		fail_msg("nested run exit %d: %s / %s", res.exit_code, out ? out : "",
			 err ? err : "");
	}
	assert_non_null(strstr(out, "inner exit=3"));
	assert_non_null(strstr(out, "\n65534\n"));
	assert_non_null(strstr(out, "Operation not permitted")); /* inner has no network */
	assert_non_null(strstr(out, "PROC-OK"));
	assert_non_null(strstr(out, "nested: /proc"));
	assert_null(strstr(out, "SECRET-VISIBLE")); /* the enclave's environment stays hidden */
	free(out);
}

static void test_check(void **state)
{
	(void)state;
	assert_int_equal(decc_sandbox_check(NULL), 0);
	assert_int_equal(decc_sandbox_check("/nonexistent/bwrap"), DECC_ENOTFOUND);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check),
		cmocka_unit_test_setup_teardown(test_exit_codes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env_only_given, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_network, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_hidden_and_binds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlinked_mountpoint_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_kills_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_rlimit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pids_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_bounded, setup, teardown),
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
