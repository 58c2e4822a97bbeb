/* SPDX-License-Identifier: Apache-2.0 */
/* Borsh leaves, legacy/optimistic decoding, i128 text, MIME sniffing, key and type checks. */
#include <math.h>

#include "test.h"
#include "decc/protect.h"

static void hex_of(char *out, const struct decc_buf *b)
{
	decc_hex_encode(out, b->data, b->len, false);
}

static void check_ok(const char *type, const char *value, const char *hex)
{
	struct decc_buf enc = DECC_BUF_INIT;
	struct decc_protect_value v;
	uint8_t raw[64];
	size_t rawlen;
	char got[160];

	if (strcmp(type, "bool") == 0) {
		assert_int_equal(decc_protect_borsh_bool(&enc, strcmp(value, "true") == 0), 0);
	} else if (strcmp(type, "f64") == 0) {
		assert_int_equal(decc_protect_borsh_f64(&enc, strtod(value, NULL)), 0);
	} else if (strcmp(type, "i128") == 0) {
		__int128 x;

		assert_int_equal(decc_protect_i128_parse(&x, value), 0);
		assert_int_equal(decc_protect_borsh_i128(&enc, x), 0);
	} else {
		const char *s = strcmp(value, "-") == 0 ? "" : value;

		assert_int_equal(decc_protect_borsh_string(&enc, s, strlen(s)), 0);
	}
	hex_of(got, &enc);
	assert_string_equal(got, hex);

	/* and back, in borsh and optimistic modes */
	assert_int_equal(decc_hex_decode(raw, sizeof(raw), &rawlen, hex, strlen(hex)), 0);
	for (int mode = DECC_PROTECT_OPTIMISTIC; mode <= DECC_PROTECT_BORSH; mode++) {
		assert_int_equal(decc_protect_decode(&v, type, mode, raw, rawlen), 0);
		if (strcmp(type, "bool") == 0) {
			assert_int_equal(v.kind, DECC_PROTECT_BOOL);
			assert_int_equal(v.b, strcmp(value, "true") == 0);
		} else if (strcmp(type, "f64") == 0) {
			assert_int_equal(v.kind, DECC_PROTECT_F64);
			assert_true(v.f64 == strtod(value, NULL));
		} else if (strcmp(type, "i128") == 0) {
			char dec[DECC_PROTECT_I128_STR_MAX];

			assert_int_equal(v.kind, DECC_PROTECT_I128);
			decc_protect_i128_format(dec, v.i128);
			assert_string_equal(dec, value);
		} else {
			assert_int_equal(v.kind, DECC_PROTECT_STRING);
			assert_string_equal((const char *)v.bytes.data,
					    strcmp(value, "-") == 0 ? "" : value);
		}
		decc_protect_value_release(&v);
	}
	decc_buf_release(&enc);
}

static void check_bad(const char *type, const char *hex)
{
	struct decc_protect_value v;
	uint8_t raw[64];
	size_t rawlen = 0;

	if (strcmp(hex, "-") != 0)
		assert_int_equal(decc_hex_decode(raw, sizeof(raw), &rawlen, hex, strlen(hex)), 0);
	assert_int_equal(decc_protect_decode(&v, type, DECC_PROTECT_BORSH, raw, rawlen),
			 DECC_EINVAL);
}

static void test_vectors(void **state)
{
	char *text = test_read_vector("protect/borsh.txt", NULL);
	char *save = NULL;
	int nok = 0, nbad = 0;

	(void)state;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char what[8], type[16], value[64], hex[100];

		if (line[0] == '#')
			continue;
		assert_int_equal(sscanf(line, "%7s %15s %63s %99s", what, type, value, hex), 4);
		if (strcmp(what, "ok") == 0) {
			check_ok(type, value, hex);
			nok++;
		} else {
			check_bad(type, hex);
			nbad++;
		}
	}
	assert_true(nok >= 15);
	assert_true(nbad >= 10);
	free(text);
}

static void test_nonfinite(void **state)
{
	struct decc_buf b = DECC_BUF_INIT;

	(void)state;
	assert_int_equal(decc_protect_borsh_f64(&b, NAN), DECC_EINVAL);
	assert_int_equal(decc_protect_borsh_f64(&b, INFINITY), DECC_EINVAL);
	assert_int_equal(decc_protect_borsh_f64(&b, -INFINITY), DECC_EINVAL);
	assert_int_equal(b.len, 0);
	assert_int_equal(decc_protect_borsh_string(&b, "\xc3\x28", 2), DECC_EINVAL);
	assert_int_equal(b.len, 0);
	decc_buf_release(&b);
}

static void test_i128_text(void **state)
{
	static const char *const bad[] = {
		"",
		"-",
		"+1",
		"1a",
		" 1",
		"170141183460469231731687303715884105728",
		"-170141183460469231731687303715884105729",
		"999999999999999999999999999999999999999999",
	};
	__int128 x = 7;

	(void)state;
	for (size_t i = 0; i < DECC_ARRAY_SIZE(bad); i++) {
		assert_int_equal(decc_protect_i128_parse(&x, bad[i]), DECC_EINVAL);
		assert_true(x == 7); /* untouched */
	}
}

/* Legacy (dataprotector 0.x) and optimistic reading, as the JS deserializer does. */
static void test_modes(void **state)
{
	struct decc_protect_value v;
	const uint8_t raw_text[] = "hello";
	const uint8_t borsh_str[] = { 2, 0, 0, 0, 'h', 'i' };
	const uint8_t one[] = { 1 };

	(void)state;
	/* raw UTF-8: not Borsh; optimistic falls back, borsh refuses, legacy reads it */
	assert_int_equal(decc_protect_decode(&v, "string", DECC_PROTECT_BORSH, raw_text, 5),
			 DECC_EINVAL);
	assert_int_equal(decc_protect_decode(&v, "string", DECC_PROTECT_OPTIMISTIC, raw_text, 5),
			 0);
	assert_string_equal((char *)v.bytes.data, "hello");
	decc_protect_value_release(&v);
	assert_int_equal(decc_protect_decode(&v, "string", DECC_PROTECT_LEGACY, borsh_str, 6), 0);
	assert_int_equal(v.bytes.len, 6); /* legacy does not strip a Borsh prefix */
	decc_protect_value_release(&v);
	/* legacy number: decimal text of a safe integer */
	assert_int_equal(
	    decc_protect_decode(&v, "number", DECC_PROTECT_OPTIMISTIC, (const uint8_t *)"-42", 3),
	    0);
	assert_true(v.f64 == -42);
	decc_protect_value_release(&v);
	assert_int_equal(
	    decc_protect_decode(&v, "number", DECC_PROTECT_BORSH, (const uint8_t *)"42", 2),
	    DECC_EINVAL);
	assert_int_equal(decc_protect_decode(&v, "number", DECC_PROTECT_LEGACY,
					     (const uint8_t *)"9007199254740993", 16),
			 DECC_EINVAL);
	assert_int_equal(
	    decc_protect_decode(&v, "number", DECC_PROTECT_LEGACY, (const uint8_t *)"1.5", 3),
	    DECC_EINVAL);
	/* boolean (legacy) vs bool (borsh) */
	assert_int_equal(decc_protect_decode(&v, "boolean", DECC_PROTECT_LEGACY, one, 1), 0);
	assert_true(v.b);
	decc_protect_value_release(&v);
	assert_int_equal(decc_protect_decode(&v, "boolean", DECC_PROTECT_BORSH, one, 1),
			 DECC_EINVAL);
	assert_int_equal(decc_protect_decode(&v, "bool", DECC_PROTECT_LEGACY, one, 1), DECC_EINVAL);
	assert_int_equal(decc_protect_decode(&v, "f64", DECC_PROTECT_LEGACY, raw_text, 5),
			 DECC_EINVAL);
	/* a MIME type: raw bytes whatever the mode */
	assert_int_equal(decc_protect_decode(&v, "image/png", DECC_PROTECT_BORSH, raw_text, 5), 0);
	assert_int_equal(v.kind, DECC_PROTECT_BYTES);
	assert_memory_equal(v.bytes.data, "hello", 5);
	decc_protect_value_release(&v);
}

static void test_mime(void **state)
{
	static const struct {
		const char *hex, *mime;
	} cases[] = {
		{ "89504e470d0a1a0a0000000d49484452", "image/png" },
		{ "ffd8ffdb0000", "image/jpeg" },
		{ "ffd8ffe000104a4649460001", "image/jpeg" },
		{ "ffd8ffe0001000000000", "application/octet-stream" }, /* no JFIF tag */
		{ "474946383961", "image/gif" },
		{ "474946383861", "video/mpeg" }, /* only 'G' matches: the TS sync byte */
		{ "25504446", "application/pdf" },
		{ "504b0304", "application/zip" },
		{ "524946462400000057415645666d7420", "audio/x-wav" },
		{ "524946462400000057454250", "image/webp" },
		{ "524946462400000041564920", "video/x-msvideo" },
		{ "52494646240000004142434400", "application/octet-stream" },
		{ "494433", "audio/mpeg" },
		{ "fffb9000", "audio/mpeg" },
		{ "424d", "image/bmp" },
		{ "4d546864", "audio/midi" },
		{ "3c3f786d6c20", "application/xml" },
		{ "3c3f786d6c3e", "application/octet-stream" },
		{ "000001ba", "video/mpeg" },
		{ "00000018667479706973366d", "video/mp4" },
		{ "7b226a736f6e223a317d", "application/octet-stream" },
		{ "", "application/octet-stream" },
	};

	(void)state;
	for (size_t i = 0; i < DECC_ARRAY_SIZE(cases); i++) {
		uint8_t b[32];
		size_t n = 0;

		assert_int_equal(
		    decc_hex_decode(b, sizeof(b), &n, cases[i].hex, strlen(cases[i].hex)), 0);
		assert_string_equal(decc_protect_sniff_mime(b, n), cases[i].mime);
		assert_true(decc_protect_type_valid(cases[i].mime));
	}
	assert_false(decc_protect_type_valid("text/plain"));
	assert_false(decc_protect_type_valid("int"));
	assert_true(decc_protect_type_valid("i128"));
}

static void test_keys(void **state)
{
	(void)state;
	assert_true(decc_protect_key_valid("email", 5));
	assert_true(decc_protect_key_valid("a-b_C9", 6));
	assert_false(decc_protect_key_valid("", 0));
	assert_false(decc_protect_key_valid("a.b", 3));
	assert_false(decc_protect_key_valid("a/b", 3));
	assert_false(decc_protect_key_valid("a b", 3));
	assert_false(decc_protect_key_valid("$i128", 5));
	assert_false(decc_protect_key_valid("\xc3\xa9", 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),	  cmocka_unit_test(test_nonfinite),
		cmocka_unit_test(test_i128_text), cmocka_unit_test(test_modes),
		cmocka_unit_test(test_mime),	  cmocka_unit_test(test_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
