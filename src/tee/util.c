/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "tee/internal.h"

char *tee_path_join(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name), n;
	char *p;

	if (decc_add_overflow(a, b, &n) || decc_add_overflow(n, 2, &n))
		return NULL;
	p = malloc(n);
	if (!p)
		return NULL;
	memcpy(p, dir, a);
	p[a] = '/';
	memcpy(p + a + 1, name, b + 1);
	return p;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void tee_rm_rf(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int tee_write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n > 0) {
		ssize_t w = write(fd, b, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return decc_error_set(DECC_ERROR, "write failed: %s", strerror(errno));
		}
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

int tee_sha256_file(uint8_t out[32], uint64_t *size, const char *path)
{
	struct decc_sha256 *h = NULL;
	uint8_t chunk[65536];
	uint64_t total = 0;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return decc_error_set(errno == ENOENT ? DECC_ENOTFOUND : DECC_ERROR,
				      "%s: cannot open: %s", path, strerror(errno));
	r = decc_sha256_new(&h);
	while (r == 0) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = decc_error_set(DECC_ERROR, "%s: read failed: %s", path,
					   strerror(errno));
			break;
		}
		if (n == 0)
			break;
		total += (uint64_t)n;
		r = decc_sha256_update(h, chunk, (size_t)n);
	}
	if (r == 0)
		r = decc_sha256_final(h, out);
	decc_sha256_free(h);
	close(fd);
	if (r == 0 && size)
		*size = total;
	return r;
}

int tee_tmpfile(char **tmp, int *fd, const char *path)
{
	size_t n = strlen(path) + sizeof(".tmpXXXXXX");
	char *t = malloc(n);
	int f;

	if (!t)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	snprintf(t, n, "%s.tmpXXXXXX", path);
	f = mkostemp(t, O_CLOEXEC);
	if (f < 0) {
		int e = errno;

		free(t);
		return decc_error_set(DECC_ERROR, "%s: cannot create a temporary file: %s", path,
				      strerror(e));
	}
	fchmod(f, 0600);
	*tmp = t;
	*fd = f;
	return 0;
}
