/* SPDX-License-Identifier: Apache-2.0 */
/* The streaming multipart/form-data parser: good bodies split anywhere, tricks, truncation. */
#include "test.h"

#include "decc/store.h"

struct seen {
	struct decc_buf log; /* "[name|filename|type]data;" per part */
	int fail_at_begin;
};

static int on_begin(void *ctx, const struct decc_multipart_part *p)
{
	struct seen *s = ctx;

	if (s->fail_at_begin)
		return decc_error_set(DECC_EAUTH, "refused by the test");
	return decc_buf_appendf(&s->log, "[%s|%s%s|%s]", p->name, p->has_filename ? "=" : "",
				p->filename, p->content_type);
}

static int on_data(void *ctx, const uint8_t *p, size_t n)
{
	struct seen *s = ctx;

	assert_true(n > 0);
	return decc_buf_append(&s->log, p, n);
}

static int on_end(void *ctx)
{
	struct seen *s = ctx;

	return decc_buf_append_str(&s->log, ";");
}

/* Parse body fed in pieces of `step` bytes; returns the result of feed/finish. */
static int parse(struct seen *s, const char *boundary, const char *body, size_t n, size_t step,
		 const struct decc_multipart_limits *lim)
{
	struct decc_multipart *m;
	struct decc_multipart_cb cb = { s, on_begin, on_data, on_end };
	int r = 0;

	decc_buf_reset(&s->log);
	assert_int_equal(decc_multipart_new(&m, boundary, &cb, lim), 0);
	for (size_t off = 0; off < n && r == 0; off += step)
		r = decc_multipart_feed(m, body + off, off + step > n ? n - off : step);
	if (r == 0)
		r = decc_multipart_finish(m);
	decc_multipart_free(m);
	return r;
}

#define BODY(s) (s), sizeof(s) - 1

static const char two_parts[] =
    "preamble to ignore\r\n"
    "--AaB03x\r\n"
    "Content-Disposition: form-data; name=\"field\"\r\n"
    "\r\n"
    "value\r\n"
    "--AaB03x\r\n"
    "content-disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".txt\"\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "line1\r\n--AaB03 not a boundary\r\n-AaB03x\r\n\r\n"
    "--AaB03x--\r\n"
    "epilogue --AaB03x\r\n";

static void test_good_any_split(void **state)
{
	struct seen s = { .log = DECC_BUF_INIT };
	const char *want = "[field||]value;"
			   "[file|=a \"b\".txt|text/plain]line1\r\n--AaB03 not a boundary\r\n"
			   "-AaB03x\r\n;";

	for (size_t step = 1; step <= sizeof(two_parts); step++) {
		assert_int_equal(parse(&s, "AaB03x", BODY(two_parts), step, NULL), 0);
		if (strcmp(decc_buf_str(&s.log), want) != 0)
			fail_msg("step %zu: got %s", step, decc_buf_str(&s.log));
	}
	decc_buf_release(&s.log);
}

static void test_first_delimiter_at_start_and_empty(void **state)
{
	struct seen s = { .log = DECC_BUF_INIT };

	/* no preamble, no headers, empty data, transport padding after the delimiter */
	assert_int_equal(parse(&s, "b", BODY("--b  \r\n\r\n\r\n--b--"), 1, NULL), 0);
	assert_string_equal(decc_buf_str(&s.log), "[||];");
	/* a large part goes through the window in many pieces, intact */
	{
		struct decc_buf body = DECC_BUF_INIT;
		size_t n = 300000;

		assert_int_equal(decc_buf_append_str(&body,
						     "--zz\r\nContent-Disposition: form-data; "
						     "name=file; filename=x\r\n\r\n"),
				 0);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(decc_buf_append_byte(&body, (uint8_t)(i * 7 % 251)), 0);
		assert_int_equal(decc_buf_append_str(&body, "\r\n--zz--"), 0);
		assert_int_equal(parse(&s, "zz", (const char *)body.data, body.len, 70001, NULL),
				 0);
		assert_int_equal(s.log.len, strlen("[file|=x|]") + n + 1);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(s.log.data[strlen("[file|=x|]") + i],
					 (uint8_t)(i * 7 % 251));
		decc_buf_release(&body);
	}
	decc_buf_release(&s.log);
}

static void test_truncated(void **state)
{
	struct seen s = { .log = DECC_BUF_INIT };
	static const char *bodies[] = {
		"",
		"no delimiter at all",
		"--AaB03x\r\nContent-Disposition: form-data; name=f\r\n",
		"--AaB03x\r\nContent-Disposition: form-data; name=f\r\n\r\ndata",
		"--AaB03x\r\nContent-Disposition: form-data; name=f\r\n\r\ndata\r\n--AaB03x",
		"--AaB03x\r\nContent-Disposition: form-data; name=f\r\n\r\ndata\r\n--AaB03x-",
	};

	for (size_t i = 0; i < DECC_ARRAY_SIZE(bodies); i++)
		for (size_t step = 1; step < 4; step++)
			if (parse(&s, "AaB03x", bodies[i], strlen(bodies[i]), step, NULL) !=
			    DECC_EINVAL)
				fail_msg("accepted truncated body %zu", i);
	/* every prefix of a good body is refused */
	for (size_t n = 0; n < sizeof(two_parts) - 1; n++) {
		int r = parse(&s, "AaB03x", two_parts, n, 5, NULL);

		if (n < strlen(two_parts) - strlen("\r\nepilogue --AaB03x\r\n") && r == 0)
			fail_msg("accepted prefix of %zu bytes", n);
	}
	decc_buf_release(&s.log);
}

static void test_malformed(void **state)
{
	struct seen s = { .log = DECC_BUF_INIT };

	/* garbage right after a delimiter; also a line that merely starts with it (RFC 2046:
	 * the delimiter must not occur in the data) */
	assert_int_equal(parse(&s, "b", BODY("--b\r\n\r\nx\r\n--by\r\n--b--"), 3, NULL),
			 DECC_EINVAL);
	assert_int_equal(parse(&s, "b", BODY("--bX\r\n\r\n\r\n--b--"), 3, NULL), DECC_EINVAL);
	/* header line without a colon */
	assert_int_equal(parse(&s, "b", BODY("--b\r\nnocolon\r\n\r\nx\r\n--b--"), 3, NULL),
			 DECC_EINVAL);
	/* folded header */
	assert_int_equal(parse(&s, "b", BODY("--b\r\nA: 1\r\n  2\r\n\r\nx\r\n--b--"), 3, NULL),
			 DECC_EINVAL);
	/* unterminated quote */
	assert_int_equal(
	    parse(&s, "b",
		  BODY("--b\r\nContent-Disposition: form-data; name=\"f\r\n\r\nx\r\n--b--"), 64,
		  NULL),
	    DECC_EINVAL);
	/* NUL in headers */
	assert_int_equal(parse(&s, "b", BODY("--b\r\nA: \0\r\n\r\nx\r\n--b--"), 64, NULL),
			 DECC_EINVAL);
	/* a callback failure is returned as it is, and the parser stays failed */
	s.fail_at_begin = 1;
	assert_int_equal(parse(&s, "AaB03x", BODY(two_parts), 64, NULL), DECC_EAUTH);
	decc_buf_release(&s.log);
}

static void test_limits(void **state)
{
	struct seen s = { .log = DECC_BUF_INIT };
	struct decc_multipart_limits lim = { .max_header_bytes = 64 };
	struct decc_buf body = DECC_BUF_INIT;

	/* headers over the limit, whether the end of headers has arrived or not */
	assert_int_equal(decc_buf_append_str(&body, "--b\r\nX-Long: "), 0);
	for (int i = 0; i < 100; i++)
		assert_int_equal(decc_buf_append_byte(&body, 'a'), 0);
	assert_int_equal(parse(&s, "b", (const char *)body.data, body.len, 7, &lim), DECC_ELIMIT);
	assert_int_equal(decc_buf_append_str(&body, "\r\n\r\nx\r\n--b--"), 0);
	assert_int_equal(parse(&s, "b", (const char *)body.data, body.len, 1000, &lim),
			 DECC_ELIMIT);
	/* too many parts */
	lim = (struct decc_multipart_limits){ .max_parts = 2 };
	assert_int_equal(parse(&s, "b", BODY("--b\r\n\r\n1\r\n--b\r\n\r\n2\r\n--b--"), 5, &lim), 0);
	assert_int_equal(
	    parse(&s, "b", BODY("--b\r\n\r\n1\r\n--b\r\n\r\n2\r\n--b\r\n\r\n3\r\n--b--"), 5, &lim),
	    DECC_ELIMIT);
	/* body size */
	lim = (struct decc_multipart_limits){ .max_body = 20 };
	assert_int_equal(parse(&s, "b", BODY("--b\r\n\r\n1\r\n--b--"), 5, &lim), 0);
	assert_int_equal(parse(&s, "b", BODY("--b\r\n\r\n1234567890\r\n--b--"), 5, &lim),
			 DECC_ELIMIT);
	decc_buf_release(&body);
	decc_buf_release(&s.log);
}

static void test_boundary(void **state)
{
	char b[DECC_MULTIPART_BOUNDARY_MAX + 1] = "untouched";
	char long71[100];

	assert_int_equal(decc_multipart_boundary(b, "multipart/form-data; boundary=AaB03x"), 0);
	assert_string_equal(b, "AaB03x");
	assert_int_equal(
	    decc_multipart_boundary(b, "Multipart/Form-Data; charset=\"a;b\"; BOUNDARY=\"x y:z\""),
	    0);
	assert_string_equal(b, "x y:z");
	assert_int_equal(
	    decc_multipart_boundary(
		b, "multipart/form-data; boundary=------------------------d74496d66958873e"),
	    0);
	assert_string_equal(b, "------------------------d74496d66958873e");
	strcpy(b, "untouched");
	assert_int_equal(decc_multipart_boundary(b, NULL), DECC_EINVAL);
	assert_int_equal(decc_multipart_boundary(b, "application/json"), DECC_EINVAL);
	assert_int_equal(decc_multipart_boundary(b, "multipart/form-data"), DECC_EINVAL);
	assert_int_equal(decc_multipart_boundary(b, "multipart/form-data; boundary="), DECC_EINVAL);
	assert_int_equal(decc_multipart_boundary(b, "multipart/form-data; boundary=\"abc"),
			 DECC_EINVAL);
	assert_int_equal(decc_multipart_boundary(b, "multipart/form-data; boundary=a\x01"),
			 DECC_EINVAL);
	assert_int_equal(decc_multipart_boundary(b, "multipart/form-dataX; boundary=a"),
			 DECC_EINVAL);
	memset(long71, 'a', 71);
	strcpy(long71 + 71, "");
	{
		char ct[200];

		snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", long71);
		assert_int_equal(decc_multipart_boundary(b, ct), DECC_EINVAL);
		long71[70] = 0;
		snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", long71);
		assert_int_equal(decc_multipart_boundary(b, ct), 0);
		assert_int_equal(strlen(b), 70);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_any_split),
		cmocka_unit_test(test_first_delimiter_at_start_and_empty),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_boundary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
