/* SPDX-License-Identifier: Apache-2.0 */
/*
 * multipart/form-data parsing: never crashes, and the outcome does not depend on how the body
 * is split into pieces (byte 0 of the input picks the piece size, the rest is the body, with
 * the boundary "b0undary").
 */
#include <stdlib.h>
#include <string.h>

#include "decc/error.h"
#include "decc/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_begin(void *ctx, const struct decc_multipart_part *p)
{
	struct decc_buf *b = ctx;

	return decc_buf_appendf(b, "<%s|%d%s|%s>", p->name, p->has_filename, p->filename,
				p->content_type);
}

static int on_data(void *ctx, const uint8_t *p, size_t n)
{
	if (n == 0)
		abort(); /* empty data callbacks are never made */
	return decc_buf_append(ctx, p, n);
}

static int on_end(void *ctx)
{
	return decc_buf_append_byte(ctx, '|');
}

static int run(struct decc_buf *log, const uint8_t *body, size_t n, size_t step)
{
	struct decc_multipart *m;
	struct decc_multipart_cb cb = { log, on_begin, on_data, on_end };
	struct decc_multipart_limits lim = { .max_header_bytes = 512, .max_parts = 16 };
	int r = 0;

	if (decc_multipart_new(&m, "b0undary", &cb, &lim) < 0)
		abort();
	for (size_t off = 0; off < n && r == 0; off += step)
		r = decc_multipart_feed(m, body + off, off + step > n ? n - off : step);
	if (r == 0)
		r = decc_multipart_finish(m);
	/* a failed parser refuses more input */
	if (r < 0 && decc_multipart_feed(m, "x", 1) == 0)
		abort();
	decc_multipart_free(m);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decc_buf a = DECC_BUF_INIT, b = DECC_BUF_INIT;
	char boundary[DECC_MULTIPART_BOUNDARY_MAX + 1];
	char *ct;
	size_t step;
	int ra, rb;

	if (size == 0)
		return 0;
	step = (size_t)data[0] % 17 + 1;
	ra = run(&a, data + 1, size - 1, step);
	rb = run(&b, data + 1, size - 1, size);
	if (ra != rb || (ra == 0 && (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)))
		abort();
	decc_buf_release(&a);
	decc_buf_release(&b);

	/* the Content-Type parser on the same bytes */
	ct = malloc(size + 1);
	if (!ct)
		return 0;
	memcpy(ct, data, size);
	ct[size] = 0;
	if (decc_multipart_boundary(boundary, ct) == 0 &&
	    (strlen(boundary) == 0 || strlen(boundary) > DECC_MULTIPART_BOUNDARY_MAX))
		abort();
	free(ct);
	return 0;
}
