/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP client's parsers (src/net/parse.c, src/net/chunked.c): a response head, then its
 * body through the chunked decoder in pieces whose sizes come from the input; the first line
 * is also tried as a URL.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "decc/http_client.h"
#include "net/chunked.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sink(void *ctx, const uint8_t *p, size_t n)
{
	uint64_t *total = ctx;

	if (n)
		*total += p[0] + p[n - 1] + n; /* touch the bytes */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decc_http_response r;
	struct decc_http_url u;
	size_t head = 0, nl;
	char line[4096];

	nl = size < sizeof(line) - 1 ? size : sizeof(line) - 1;
	memcpy(line, data, nl);
	line[nl] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	if (decc_http_url_parse(&u, line) == 0 && u.port == 0)
		__builtin_trap();

	if (decc_http_parse_head(&r, data, size, &head) != 0)
		return 0;
	(void)decc_http_header(&r, "Content-Type");
	{
		struct decc_chunked c;
		uint64_t total = 0;
		size_t pos = head, step = (size_t)(r.status % 7) + 1;

		decc_chunked_init(&c, r.content_length > 0 ? (uint64_t)r.content_length : 0);
		while (pos < size && !c.done) {
			size_t used = 0, take = size - pos < step ? size - pos : step;

			if (decc_chunked_feed(&c, data + pos, take, &used, sink, &total) < 0)
				break;
			if (used > take)
				__builtin_trap();
			pos += used;
			step = step * 3 % 61 + 1;
		}
	}
	decc_http_response_clear(&r);
	return 0;
}
