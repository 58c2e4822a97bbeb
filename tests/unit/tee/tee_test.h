/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers of the tee unit tests: scratch directories and files. */
#ifndef DECC_TEE_TEST_H
#define DECC_TEE_TEST_H

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"

static inline char *tt_mkdtemp(void)
{
	char *d = strdup("/tmp/decc-tee-test-XXXXXX");

	assert_non_null(d);
	assert_non_null(mkdtemp(d));
	return d;
}

static inline char *tt_path(const char *dir, const char *name)
{
	char *p = NULL;

	assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

static inline void tt_write(const char *dir, const char *name, const char *content)
{
	char *p = tt_path(dir, name);
	FILE *f = fopen(p, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(content, 1, strlen(content), f), strlen(content));
	fclose(f);
	free(p);
}

static inline void tt_mkdir(const char *dir, const char *name)
{
	char *p = tt_path(dir, name);

	assert_int_equal(mkdir(p, 0700), 0);
	free(p);
}

static int tt_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

static inline void tt_rm_rf(char *dir)
{
	nftw(dir, tt_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

/* Read a whole file into a heap string. */
static inline char *tt_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long n;

	assert_non_null(f);
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

#endif
