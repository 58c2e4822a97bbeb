/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "decc/file.h"

static char tmpdir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/decc-test-file-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static void rm_rf(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[1024];
	struct stat st;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			rm_rf(p);
		else
			unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

static int teardown(void **state)
{
	(void)state;
	rm_rf(tmpdir);
	return 0;
}

static const char *tpath(const char *name)
{
	static char p[512];

	snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
	return p;
}

/* Number of entries in the temp dir (no temporary files may be left behind). */
static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void test_write_read_roundtrip(void **state)
{
	struct decc_buf b = DECC_BUF_INIT;
	struct stat st;
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s", tpath("a.json"));
	assert_int_equal(decc_file_write_atomic(path, "{\"x\":1}\n", 8, 0600, 0), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_true(decc_file_exists(path));

	assert_int_equal(decc_buf_append_str(&b, "pre:"), 0);
	assert_int_equal(decc_file_read(&b, path, 1024), 0);
	assert_string_equal(decc_buf_str(&b), "pre:{\"x\":1}\n");
	decc_buf_release(&b);
	assert_int_equal(count_entries(tmpdir), 1);
}

static void test_no_replace_by_default(void **state)
{
	struct decc_buf b = DECC_BUF_INIT;
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s", tpath("k"));
	assert_int_equal(decc_file_write_atomic(path, "old", 3, 0644, 0), 0);
	assert_int_equal(decc_file_write_atomic(path, "new", 3, 0644, 0), DECC_EEXISTS);
	assert_non_null(strstr(decc_error_last(), "already exists"));
	assert_int_equal(decc_file_read(&b, path, 16), 0);
	assert_string_equal(decc_buf_str(&b), "old");
	/* the refused write left no temporary file */
	assert_int_equal(count_entries(tmpdir), 1);

	assert_int_equal(decc_file_write_atomic(path, "newer", 5, 0644, DECC_FILE_REPLACE), 0);
	decc_buf_reset(&b);
	assert_int_equal(decc_file_read(&b, path, 16), 0);
	assert_string_equal(decc_buf_str(&b), "newer");
	assert_int_equal(count_entries(tmpdir), 1);
	decc_buf_release(&b);
}

static void test_read_limits(void **state)
{
	struct decc_buf b = DECC_BUF_INIT;
	struct decc_buf small;
	char path[512];
	char big[40000];

	(void)state;
	memset(big, 'z', sizeof(big));
	snprintf(path, sizeof(path), "%s", tpath("big"));
	assert_int_equal(decc_file_write_atomic(path, big, sizeof(big), 0600, 0), 0);

	/* exactly at the limit is fine, one byte under is not */
	assert_int_equal(decc_file_read(&b, path, sizeof(big)), 0);
	assert_int_equal(b.len, sizeof(big));
	decc_buf_reset(&b);
	assert_int_equal(decc_buf_append_str(&b, "keep"), 0);
	assert_int_equal(decc_file_read(&b, path, sizeof(big) - 1), DECC_ELIMIT);
	assert_non_null(strstr(decc_error_last(), "too large"));
	/* output untouched on failure */
	assert_string_equal(decc_buf_str(&b), "keep");
	decc_buf_release(&b);

	/* the buffer's own maximum also applies */
	decc_buf_init_secret(&small, 100);
	assert_int_equal(decc_file_read(&small, path, SIZE_MAX), DECC_ELIMIT);
	assert_int_equal(small.len, 0);
	decc_buf_release(&small);
}

static void test_read_errors(void **state)
{
	struct decc_buf b = DECC_BUF_INIT;

	(void)state;
	assert_int_equal(decc_file_read(&b, tpath("missing"), 10), DECC_ENOTFOUND);
	assert_non_null(strstr(decc_error_last(), "missing"));
	assert_int_equal(decc_file_read(&b, tmpdir, 10), DECC_ERROR);
	assert_int_equal(b.len, 0);
	decc_buf_release(&b);
}

static void test_empty_file(void **state)
{
	struct decc_buf b = DECC_BUF_INIT;
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s", tpath("empty"));
	assert_int_equal(decc_file_write_atomic(path, "", 0, 0600, 0), 0);
	assert_int_equal(decc_file_read(&b, path, 0), 0);
	assert_int_equal(b.len, 0);
	decc_buf_release(&b);
}

static void test_write_into_missing_dir(void **state)
{
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s", tpath("nodir/file"));
	assert_int_equal(decc_file_write_atomic(path, "x", 1, 0600, 0), DECC_ERROR);
	assert_non_null(strstr(decc_error_last(), "nodir/file"));
	assert_false(decc_file_exists(path));
	assert_int_equal(decc_file_write_atomic("", "x", 1, 0600, 0), DECC_EINVAL);
}

static void test_mkdirs(void **state)
{
	struct stat st;
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s", tpath("a/b//c/"));
	assert_int_equal(decc_file_mkdirs(path, 0700), 0);
	assert_int_equal(stat(tpath("a/b/c"), &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	/* idempotent */
	assert_int_equal(decc_file_mkdirs(path, 0700), 0);

	/* a file in the way */
	assert_int_equal(decc_file_write_atomic(tpath("f"), "x", 1, 0600, 0), 0);
	snprintf(path, sizeof(path), "%s", tpath("f/sub"));
	assert_int_equal(decc_file_mkdirs(path, 0700), DECC_EEXISTS);
	assert_non_null(strstr(decc_error_last(), "not a directory"));
	assert_int_equal(decc_file_mkdirs("", 0700), DECC_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_read_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_replace_by_default, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_into_missing_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mkdirs, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
