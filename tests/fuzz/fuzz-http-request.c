/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP server's request-head parser (src/net/http_head.c): never crashes, never reads past
 * the input, every string it hands out lies in the storage and is NUL-terminated, and a head
 * found complete is found the same (same length and fields) when more bytes follow it, while
 * every shorter prefix is incomplete, refused, or ends earlier (the parser never looks ahead).
 */
#include <stdlib.h>
#include <string.h>

#include "decc/error.h"
#include "net/http_head.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char storage[DECC_HTTP_REQ_HEAD_MAX + 1];
static char storage2[DECC_HTTP_REQ_HEAD_MAX + 1];

static void in_storage(const char *s, const char *base)
{
	if (!s)
		return;
	if (s < base || s >= base + sizeof(storage))
		abort();
	if (!memchr(s, 0, (size_t)(base + sizeof(storage) - s)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct decc_http_req_head h, h2;
	size_t used = 0, used2 = 0;
	uint8_t *more;
	int r = decc_http_parse_request_head(&h, storage, sizeof(storage), data, size, &used);

	if (r == DECC_EAGAIN || r < 0)
		return 0;
	if (used == 0 || used > size || h.nheaders > DECC_HTTP_REQ_HEADERS_MAX ||
	    h.nargs > DECC_HTTP_REQ_ARGS_MAX || (h.minor != 0 && h.minor != 1))
		abort();
	in_storage(h.method, storage);
	in_storage(h.path, storage);
	if (h.path[0] != '/')
		abort();
	for (size_t i = 0; i < h.nheaders; i++) {
		in_storage(h.headers[i].name, storage);
		in_storage(h.headers[i].value, storage);
	}
	for (size_t i = 0; i < h.nargs; i++) {
		in_storage(h.args[i].name, storage);
		in_storage(h.args[i].value, storage);
	}
	if (h.chunked && h.has_length)
		abort();
	/* the same head with other bytes after it */
	more = malloc(used + 7);
	if (!more)
		return 0;
	memcpy(more, data, used);
	memcpy(more + used, "GET / H", 7);
	if (decc_http_parse_request_head(&h2, storage2, sizeof(storage2), more, used + 7, &used2) !=
		0 ||
	    used2 != used || h2.nheaders != h.nheaders || h2.nargs != h.nargs ||
	    strcmp(h2.path, h.path) != 0 || strcmp(h2.method, h.method) != 0 ||
	    h2.length != h.length || h2.chunked != h.chunked || h2.keep_alive != h.keep_alive)
		abort();
	free(more);
	return 0;
}
