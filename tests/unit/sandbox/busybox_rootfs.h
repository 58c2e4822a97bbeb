/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test helpers shared by the sandbox, oci and iapp unit tests: temp dirs, a tiny root file
 * system made of Debian's static busybox (package busybox-static, scripts/setup.sh) and small
 * file utilities. Tests call test_busybox_path() first and skip when busybox is missing.
 */
#ifndef DECC_TEST_BUSYBOX_ROOTFS_H
#define DECC_TEST_BUSYBOX_ROOTFS_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"

/* snprintf that fails the test instead of truncating */
static inline void tpath(char *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline void tpath(char *out, size_t cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, cap, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap)
		fail_msg("path too long: %s", fmt);
}

static inline const char *test_busybox_path(void)
{
	const char *env = getenv("DECC_BUSYBOX");

	if (env && access(env, X_OK) == 0)
		return env;
	if (access("/bin/busybox", X_OK) == 0)
		return "/bin/busybox";
	if (access("/usr/bin/busybox", X_OK) == 0)
		return "/usr/bin/busybox";
	return NULL;
}

/* A fresh directory under $TMPDIR (or /tmp); free() the result. */
static inline char *test_mkdtemp(const char *tag)
{
	const char *base = getenv("TMPDIR");
	char *p = malloc(4096);

	assert_non_null(p);
	snprintf(p, 4096, "%s/decc-%s-XXXXXX", base && *base ? base : "/tmp", tag);
	assert_non_null(mkdtemp(p));
	chmod(p, 0755);
	return p;
}

static inline int test_rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP || flag == FTW_D)
		chmod(path, 0700), rmdir(path);
	else
		unlink(path);
	return 0;
}

/* rm -rf dir (does not follow symlinks) */
static inline void test_rmtree(const char *dir)
{
	if (dir)
		nftw(dir, test_rm_cb, 32, FTW_DEPTH | FTW_PHYS);
}

static inline void test_write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	chmod(path, mode);
}

/* Whole file as a NUL-terminated heap string, NULL if it cannot be read. */
static inline char *test_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	data = malloc((size_t)n + 1);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
	data[n] = 0;
	fclose(f);
	if (len)
		*len = (size_t)n;
	return data;
}

static inline void test_copy_file(const char *from, const char *to, mode_t mode)
{
	size_t n = 0;
	char *data = test_slurp(from, &n);
	int fd;

	assert_non_null(data);
	fd = open(to, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	close(fd);
	chmod(to, mode);
	free(data);
}

/* dir/bin/busybox plus applet symlinks (sh, ls, cat, ...), /etc/passwd; dir must exist. */
static inline void test_make_busybox_rootfs(const char *dir)
{
	static const char *const applets[] = {
		"sh",	  "ls",	   "cat",  "echo", "env",  "id",    "sleep", "touch",
		"nc",	  "head",  "tr",   "wc",   "true", "false", "mkdir", "kill",
		"printf", "unzip", "tail", "seq",  "test", "stat",  "grep",  "sed",
		"cut",	  "expr",  "yes",  "dd",   "rm",   "ps",    "awk",   "hostname",
	};
	const char *bb = test_busybox_path();
	char p[4096];

	assert_non_null(bb);
	tpath(p, sizeof(p), "%s/bin", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	tpath(p, sizeof(p), "%s/etc", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	tpath(p, sizeof(p), "%s/bin/busybox", dir);
	test_copy_file(bb, p, 0755);
	for (size_t i = 0; i < sizeof(applets) / sizeof(applets[0]); i++) {
		tpath(p, sizeof(p), "%s/bin/%s", dir, applets[i]);
		assert_int_equal(symlink("busybox", p), 0);
	}
	tpath(p, sizeof(p), "%s/etc/passwd", dir);
	test_write_file(p,
			"root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/:/bin/sh\n"
			"nobody:x:65534:65534::/:/bin/sh\n",
			0644);
}

#endif
