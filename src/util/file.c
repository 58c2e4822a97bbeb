/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decc/error.h"
#include "decc/file.h"

#define READ_CHUNK 16384

int decc_file_read(struct decc_buf *out, const char *path, size_t max)
{
	uint8_t chunk[READ_CHUNK];
	size_t start = out->len;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return decc_error_set(DECC_ENOTFOUND, "%s: no such file", path);
		return decc_error_set(DECC_ERROR, "%s: cannot open: %s", path, strerror(errno));
	}
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = decc_error_set(DECC_ERROR, "%s: read failed: %s", path,
					   strerror(errno));
			break;
		}
		if (n == 0)
			break;
		if ((size_t)n > max - (out->len - start)) {
			r = decc_error_set(DECC_ELIMIT, "%s: file too large (limit %zu bytes)",
					   path, max);
			break;
		}
		if (decc_buf_append(out, chunk, (size_t)n) < 0) {
			r = decc_error_wrap(decc_error_code(), "%s", path);
			break;
		}
	}
	if (out->secret)
		decc_wipe(chunk, sizeof(chunk));
	close(fd);
	if (r < 0) {
		if (out->secret)
			decc_wipe(out->data + start, out->len - start);
		out->len = start;
		if (out->cap)
			out->data[start] = 0;
	}
	return r;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Make the rename durable: fsync the directory that holds path. */
static int fsync_parent(const char *path)
{
	char *copy = strdup(path);
	int fd, r = 0;

	if (!copy)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		r = decc_error_set(DECC_ERROR, "%s: cannot sync its directory: %s", path,
				   strerror(errno));
	if (fd >= 0)
		close(fd);
	free(copy);
	return r;
}

int decc_file_write_atomic(const char *path, const void *data, size_t n, unsigned mode,
			   unsigned flags)
{
	static const char suffix[] = ".tmp-XXXXXX";
	size_t plen = strlen(path), tlen;
	char *tmp;
	int fd, r = 0;

	if (plen == 0)
		return decc_error_set(DECC_EINVAL, "cannot write a file with an empty name");
	if (decc_add_overflow(plen, sizeof(suffix), &tlen))
		return decc_error_set(DECC_ELIMIT, "path too long");
	tmp = malloc(tlen);
	if (!tmp)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, suffix, sizeof(suffix));

	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		r = decc_error_set(DECC_ERROR, "%s: cannot create a temporary file: %s", path,
				   strerror(errno));
		free(tmp);
		return r;
	}
	if (fchmod(fd, (mode_t)(mode & 07777)) < 0 || write_all(fd, data, n) < 0 || fsync(fd) < 0) {
		r = decc_error_set(DECC_ERROR, "%s: write failed: %s", path, strerror(errno));
		close(fd);
		goto out_unlink;
	}
	if (close(fd) < 0) {
		r = decc_error_set(DECC_ERROR, "%s: write failed: %s", path, strerror(errno));
		goto out_unlink;
	}
	if (flags & DECC_FILE_REPLACE) {
		if (rename(tmp, path) < 0) {
			r = decc_error_set(DECC_ERROR, "%s: cannot rename into place: %s", path,
					   strerror(errno));
			goto out_unlink;
		}
	} else {
		/* link() fails atomically when path exists, which rename() would overwrite */
		if (link(tmp, path) < 0) {
			if (errno == EEXIST)
				r = decc_error_set(DECC_EEXISTS,
						   "%s: already exists; refusing to overwrite it",
						   path);
			else
				r = decc_error_set(DECC_ERROR, "%s: cannot create: %s", path,
						   strerror(errno));
			goto out_unlink;
		}
		unlink(tmp);
	}
	free(tmp);
	return fsync_parent(path);

out_unlink:
	unlink(tmp);
	free(tmp);
	return r;
}

static int mkdir_one(const char *path, unsigned mode)
{
	struct stat st;

	if (mkdir(path, (mode_t)(mode & 07777)) == 0)
		return 0;
	if (errno != EEXIST)
		return decc_error_set(DECC_ERROR, "%s: cannot create directory: %s", path,
				      strerror(errno));
	if (stat(path, &st) < 0)
		return decc_error_set(DECC_ERROR, "%s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return decc_error_set(DECC_EEXISTS, "%s: exists and is not a directory", path);
	return 0;
}

int decc_file_mkdirs(const char *path, unsigned mode)
{
	size_t n = strlen(path);
	char *copy;
	int r = 0;

	if (n == 0)
		return decc_error_set(DECC_EINVAL, "cannot create a directory with an empty name");
	copy = strdup(path);
	if (!copy)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	for (size_t i = 1; i <= n && r == 0; i++) {
		if (copy[i] != '/' && copy[i] != '\0')
			continue;
		if (copy[i - 1] == '/')
			continue; /* "a//b" or a trailing slash */
		copy[i] = '\0';
		r = mkdir_one(copy, mode);
		copy[i] = path[i];
	}
	free(copy);
	return r;
}

bool decc_file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}
