/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Secret buffers: their own anonymous mapping, locked in RAM and kept out of core dumps when the
 * system allows it (both best effort: an unprivileged process may have a small RLIMIT_MEMLOCK),
 * and wiped before they are unmapped.
 */
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "decc/crypto.h"
#include "decc/error.h"

#define SECRET_MAX ((size_t)1 << 30)

static size_t map_size(size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	if (len == 0)
		len = 1;
	return (len + page - 1) / page * page;
}

int decc_secret_new(struct decc_secret **out, size_t len)
{
	struct decc_secret *s;
	size_t size;
	void *p;

	if (len > SECRET_MAX)
		return decc_error_set(DECC_ELIMIT, "secret of %zu bytes is too large (limit %zu)",
				      len, SECRET_MAX);
	size = map_size(len);
	s = malloc(sizeof(*s));
	if (!s)
		return decc_error_set(DECC_ENOMEM, "out of memory for a secret");
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		free(s);
		return decc_error_set(DECC_ENOMEM, "cannot map %zu bytes for a secret", size);
	}
	/* best effort: failures leave a working, merely swappable / dumpable, buffer */
	(void)mlock(p, size);
	(void)madvise(p, size, MADV_DONTDUMP);
	s->ptr = p; /* anonymous mappings start zeroed */
	s->len = len;
	*out = s;
	return 0;
}

void decc_secret_free(struct decc_secret *s)
{
	size_t size;

	if (!s)
		return;
	size = map_size(s->len);
	decc_wipe(s->ptr, size);
	(void)munlock(s->ptr, size);
	munmap(s->ptr, size);
	free(s);
}
