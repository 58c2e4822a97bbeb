/* SPDX-License-Identifier: Apache-2.0 */
/* The chunked transfer-coding decoder (src/net/chunked.c), fed whole and byte by byte. */
#include "test.h"

#include "net/chunked.h"

static int collect(void *ctx, const uint8_t *p, size_t n)
{
	return decc_buf_append(ctx, p, n);
}

/* Decode s in pieces of `step` bytes; returns the feed result, *used_total = bytes consumed. */
static int decode(const char *s, size_t step, uint64_t max, struct decc_buf *out,
		  size_t *used_total, bool *done)
{
	struct decc_chunked c;
	size_t n = strlen(s), pos = 0;
	int r = 0;

	decc_chunked_init(&c, max);
	while (pos < n && !c.done) {
		size_t take = n - pos < step ? n - pos : step, used = 0;

		r = decc_chunked_feed(&c, (const uint8_t *)s + pos, take, &used, collect, out);
		pos += used;
		if (r < 0)
			break;
		assert_true(used == take || c.done);
	}
	*used_total = pos;
	*done = c.done;
	return r;
}

static void test_valid(void **state)
{
	static const char *msg = "4\r\nWiki\r\n5;name=v\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n"
				 "0\r\nX-Trailer: 1\r\n\r\nNEXT";
	(void)state;
	for (size_t step = 1; step <= strlen(msg); step++) {
		struct decc_buf b = DECC_BUF_INIT;
		size_t used;
		bool done;

		assert_int_equal(decode(msg, step, 0, &b, &used, &done), 0);
		assert_true(done);
		assert_int_equal(used, strlen(msg) - 4); /* "NEXT" is the next message */
		assert_string_equal(decc_buf_str(&b), "Wikipedia in\r\n\r\nchunks.");
		decc_buf_release(&b);
	}
}

static void test_empty_and_incomplete(void **state)
{
	struct decc_buf b = DECC_BUF_INIT;
	size_t used;
	bool done;

	(void)state;
	assert_int_equal(decode("0\r\n\r\n", 1, 0, &b, &used, &done), 0);
	assert_true(done);
	assert_int_equal(b.len, 0);
	assert_int_equal(decode("5\r\nab", 100, 0, &b, &used, &done), 0);
	assert_false(done);
	assert_int_equal(used, 5);
	decc_buf_release(&b);
}

static void test_malformed(void **state)
{
	static const char *bad[] = {
		"\r\n",			/* no size */
		"x\r\n",		/* not hex */
		"4\nWiki\r\n0\r\n\r\n", /* bare LF */
		"4\r\nWikiX\r\n",	/* data longer than the size */
		"4\r\nWiki\n0\r\n\r\n", /* bare LF after data */
		"0\r\nBad\nTrailer\r\n\r\n",
		"0\r\n\r\r",
		"11111111111111111\r\n", /* 17 hex digits */
		"-1\r\n",
		"4;\x01\r\n",
	};
	(void)state;
	for (size_t i = 0; i < DECC_ARRAY_SIZE(bad); i++) {
		struct decc_buf b = DECC_BUF_INIT;
		size_t used;
		bool done;
		int r = decode(bad[i], 1, 0, &b, &used, &done);

		assert_true(r == DECC_EINVAL || r == DECC_ELIMIT);
		assert_false(done);
		decc_buf_release(&b);
	}
}

static void test_limits(void **state)
{
	struct decc_buf b = DECC_BUF_INIT;
	struct decc_buf line = DECC_BUF_INIT;
	size_t used;
	bool done;

	(void)state;
	assert_int_equal(decode("4\r\nabcd\r\n3\r\nefg\r\n0\r\n\r\n", 3, 7, &b, &used, &done), 0);
	decc_buf_reset(&b);
	assert_int_equal(decode("4\r\nabcd\r\n4\r\nefgh\r\n0\r\n\r\n", 3, 7, &b, &used, &done),
			 DECC_ELIMIT);
	assert_string_equal(decc_buf_str(&b), "abcd");
	assert_non_null(strstr(decc_error_last(), "limit"));
	/* the size line with its extensions is bounded */
	assert_int_equal(decc_buf_append_str(&line, "1;"), 0);
	for (int i = 0; i < DECC_CHUNKED_LINE_MAX; i++)
		assert_int_equal(decc_buf_append_byte(&line, 'a'), 0);
	assert_int_equal(decc_buf_append_str(&line, "\r\n"), 0);
	decc_buf_reset(&b);
	assert_int_equal(decode(decc_buf_str(&line), 4096, 0, &b, &used, &done), DECC_ELIMIT);
	/* so are the trailers */
	decc_buf_reset(&line);
	assert_int_equal(decc_buf_append_str(&line, "0\r\n"), 0);
	for (int i = 0; i < DECC_CHUNKED_TRAILER_MAX / 8 + 1; i++)
		assert_int_equal(decc_buf_append_str(&line, "X: abc\r\n"), 0);
	assert_int_equal(decode(decc_buf_str(&line), 4096, 0, &b, &used, &done), DECC_ELIMIT);
	decc_buf_release(&line);
	decc_buf_release(&b);
}

static int stop_cb(void *ctx, const uint8_t *p, size_t n)
{
	(void)ctx;
	(void)p;
	(void)n;
	return decc_error_set(DECC_EBUSY, "stop");
}

static void test_callback_stops(void **state)
{
	struct decc_chunked c;
	size_t used;
	static const char s[] = "3\r\nabc\r\n0\r\n\r\n";

	(void)state;
	decc_chunked_init(&c, 0);
	assert_int_equal(
	    decc_chunked_feed(&c, (const uint8_t *)s, sizeof(s) - 1, &used, stop_cb, NULL),
	    DECC_EBUSY);
	assert_int_equal(used, 3);
	assert_false(c.done);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),	       cmocka_unit_test(test_empty_and_incomplete),
		cmocka_unit_test(test_malformed),      cmocka_unit_test(test_limits),
		cmocka_unit_test(test_callback_stops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
