/* SPDX-License-Identifier: Apache-2.0 */
/* Output files of the protect layer: temporary name, then rename, so no partial file shows. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decc/error.h"
#include "decc/protect.h"
#include "protect/internal.h"

int decc_protect_out_open(struct decc_protect_out *o, const char *path, unsigned flags)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	const char *base = slash ? slash + 1 : path;
	size_t n;
	char *tmp;
	int fd;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	if (*base == 0)
		return decc_error_set(DECC_EINVAL, "output path '%s' names a directory", path);
	if (!(flags & DECC_PROTECT_REPLACE) && access(path, F_OK) == 0)
		return decc_error_set(DECC_EEXISTS,
				      "%s already exists (remove it or ask to replace it)", path);
	if (decc_add_overflow(strlen(path), sizeof(".tmp-XXXXXX") + 1, &n))
		return decc_error_set(DECC_ELIMIT, "output path too long");
	tmp = malloc(n);
	if (!tmp)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	snprintf(tmp, n, "%.*s.%s.tmp-XXXXXX", (int)dirlen, path, base);
	fd = mkstemp(tmp);
	if (fd < 0) {
		int e = errno;

		free(tmp);
		return decc_error_set(DECC_ERROR, "cannot create a temporary file next to %s: %s",
				      path, strerror(e));
	}
	o->path = strdup(path);
	if (!o->path) {
		close(fd);
		unlink(tmp);
		free(tmp);
		return decc_error_set(DECC_ENOMEM, "out of memory");
	}
	o->tmp = tmp;
	o->fd = fd;
	o->flags = flags;
	return 0;
}

int decc_protect_out_commit(struct decc_protect_out *o)
{
	if (o->fd >= 0) {
		int r = close(o->fd);

		o->fd = -1;
		if (r != 0) {
			decc_error_set(DECC_ERROR, "cannot write %s: %s", o->path, strerror(errno));
			decc_protect_out_abort(o);
			return DECC_ERROR;
		}
	}
	if (o->flags & DECC_PROTECT_REPLACE) {
		if (rename(o->tmp, o->path) != 0) {
			decc_error_set(DECC_ERROR, "cannot rename the output to %s: %s", o->path,
				       strerror(errno));
			decc_protect_out_abort(o);
			return DECC_ERROR;
		}
	} else {
		/* link() refuses to replace a file that appeared meanwhile */
		if (link(o->tmp, o->path) != 0) {
			int e = errno;

			if (e == EEXIST)
				decc_error_set(DECC_EEXISTS, "%s already exists", o->path);
			else
				decc_error_set(DECC_ERROR, "cannot create %s: %s", o->path,
					       strerror(e));
			decc_protect_out_abort(o);
			return e == EEXIST ? DECC_EEXISTS : DECC_ERROR;
		}
		unlink(o->tmp);
	}
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = NULL;
	return 0;
}

void decc_protect_out_abort(struct decc_protect_out *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	if (o->tmp)
		unlink(o->tmp);
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = NULL;
}

int decc_protect_write_all(int fd, const void *p, size_t n, const char *what)
{
	const uint8_t *b = p;

	while (n > 0) {
		ssize_t w = write(fd, b, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return decc_error_set(DECC_ERROR, "cannot write %s: %s", what,
					      strerror(errno));
		}
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

int decc_protect_read_full(int fd, void *p, size_t n, size_t *got, const char *what)
{
	uint8_t *b = p;
	size_t have = 0;

	while (have < n) {
		ssize_t r = read(fd, b + have, n - have);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return decc_error_set(DECC_ERROR, "cannot read %s: %s", what,
					      strerror(errno));
		}
		if (r == 0)
			break;
		have += (size_t)r;
	}
	*got = have;
	return 0;
}
