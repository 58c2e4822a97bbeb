/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The protected-data zip: same entries, bytes and schema as DataProtector's own serializer
 * (vector made by @iexec/dataprotector), read back, hostile archives refused, no partial
 * output on failure.
 */
#include <sys/stat.h>
#include <unistd.h>

#include <zip.h>

#include "test.h"
#include "decc/file.h"
#include "decc/protect.h"

/* The object of tests/vectors/protect/dataprotector/make.mjs, in decc's JSON form. */
static const char dp_json[] =
    "{\"email\":\"alice@example.org\",\"age\":42,\"ratio\":0.1,\"vip\":true,\"off\":false,"
    "\"big\":{\"$i128\":\"-170141183460469231731687303715884105728\"},"
    "\"nested\":{\"deeper\":{\"note\":\"h\\u00e9llo\"},\"score\":1.5},\"2\":\"two\",\"1\":\"one\","
    "\"pic\":{\"$bytes\":\"iVBORw0KGgoAAAAN\"},\"blob\":{\"$bytes\":\"AQID\"},\"empty\":\"\"}";

static char dir[64];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/decc-protect-test.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *tmp_path(const char *name)
{
	static char p[64][128]; /* a ring: paths stay valid for 64 calls */
	static int k;

	k = (k + 1) % 64;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

/* Names of all entries (directories included), in zip order, joined by ' '. */
static void all_names(char *out, size_t cap, const char *path)
{
	int err = 0;
	zip_t *za = zip_open(path, ZIP_RDONLY, &err);
	size_t o = 0;

	assert_non_null(za);
	for (zip_int64_t i = 0; i < zip_get_num_entries(za, 0); i++)
		o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? " " : "",
				      zip_get_name(za, (zip_uint64_t)i, 0));
	zip_discard(za);
}

static void test_dataprotector_interop(void **state)
{
	const char *ours = tmp_path("ours.zip");
	char *want_schema =
	    test_read_vector("protect/dataprotector/dataprotector.schema.json", NULL);
	const char *theirs = test_vector_path("protect/dataprotector/dataprotector.zip");
	struct decc_protect_reader *a = NULL, *b = NULL;
	char *schema = NULL, names_a[1024], names_b[1024];

	(void)state;
	assert_int_equal(decc_protect_serialize_json(ours, &schema, dp_json, strlen(dp_json), 0),
			 0);
	assert_string_equal(schema, want_schema);
	/* the same entries, directories included, in the same order */
	all_names(names_a, sizeof(names_a), ours);
	all_names(names_b, sizeof(names_b),
		  test_vector_path("protect/dataprotector/"
				   "dataprotector.zip"));
	assert_string_equal(names_a, names_b);
	assert_string_equal(names_a, "1 2 email age ratio vip off big nested/ nested/deeper/ "
				     "nested/deeper/note nested/score pic blob empty");
	/* and the same bytes in each */
	assert_int_equal(decc_protect_open(&a, ours, NULL), 0);
	assert_int_equal(decc_protect_open(&b, theirs, NULL), 0);
	assert_int_equal(decc_protect_count(a), decc_protect_count(b));
	assert_int_equal(decc_protect_count(a), 13);
	for (size_t i = 0; i < decc_protect_count(a); i++) {
		struct decc_buf x = DECC_BUF_INIT, y = DECC_BUF_INIT;

		assert_string_equal(decc_protect_name(a, i), decc_protect_name(b, i));
		assert_int_equal(decc_protect_read_raw(a, &x, i), 0);
		assert_int_equal(decc_protect_read_raw(b, &y, i), 0);
		assert_int_equal(x.len, y.len);
		assert_memory_equal(x.data, y.data, x.len);
		decc_buf_release(&x);
		decc_buf_release(&y);
	}
	/* stored, DOS platform, directory attribute on directories (as JSZip writes them) */
	{
		int err = 0;
		zip_t *za = zip_open(ours, ZIP_RDONLY, &err);
		zip_uint8_t opsys;
		zip_uint32_t attr;
		zip_stat_t st;

		assert_non_null(za);
		for (zip_int64_t i = 0; i < zip_get_num_entries(za, 0); i++) {
			const char *n = zip_get_name(za, (zip_uint64_t)i, 0);

			assert_int_equal(zip_stat_index(za, (zip_uint64_t)i, 0, &st), 0);
			assert_int_equal(st.comp_method, ZIP_CM_STORE);
			assert_int_equal(
			    zip_file_get_external_attributes(za, (zip_uint64_t)i, 0, &opsys, &attr),
			    0);
			assert_int_equal(opsys, ZIP_OPSYS_DOS);
			assert_int_equal(attr, n[strlen(n) - 1] == '/' ? 0x10 : 0);
		}
		zip_discard(za);
	}
	decc_protect_close(a);
	decc_protect_close(b);
	free(schema);
	free(want_schema);
}

/* Reading DataProtector's zip by key path and schema type, like the JS deserializer. */
static void test_read_dataprotector(void **state)
{
	char *schema_text =
	    test_read_vector("protect/dataprotector/dataprotector.schema.json", NULL);
	struct decc_protect_schema *schema = NULL;
	struct decc_protect_reader *r = NULL;
	struct decc_protect_value v;
	char dec[DECC_PROTECT_I128_STR_MAX];

	(void)state;
	assert_int_equal(decc_protect_schema_parse(&schema, schema_text, strlen(schema_text)), 0);
	assert_int_equal(decc_protect_open(
			     &r, test_vector_path("protect/dataprotector/dataprotector.zip"), NULL),
			 0);
	assert_string_equal(decc_protect_schema_type(schema, "nested.deeper.note"), "string");
	assert_string_equal(decc_protect_schema_type(schema, "pic"), "image/png");
	assert_null(decc_protect_schema_type(schema, "nested"));
	assert_null(decc_protect_schema_type(schema, "nope"));

	assert_int_equal(decc_protect_get(r, &v, "email", "string", DECC_PROTECT_BORSH), 0);
	assert_string_equal((char *)v.bytes.data, "alice@example.org");
	decc_protect_value_release(&v);
	assert_int_equal(decc_protect_get(r, &v, "nested.deeper.note", "string", 0), 0);
	assert_string_equal((char *)v.bytes.data, "h\xc3\xa9llo");
	decc_protect_value_release(&v);
	assert_int_equal(decc_protect_get(r, &v, "nested/score", "f64", 0), 0);
	assert_true(v.f64 == 1.5);
	assert_int_equal(decc_protect_get(r, &v, "ratio", "f64", 0), 0);
	assert_true(v.f64 == 0.1);
	assert_int_equal(decc_protect_get(r, &v, "age", "f64", 0), 0);
	assert_true(v.f64 == 42);
	assert_int_equal(decc_protect_get(r, &v, "vip", "bool", 0), 0);
	assert_true(v.b);
	assert_int_equal(decc_protect_get(r, &v, "off", "bool", 0), 0);
	assert_false(v.b);
	assert_int_equal(decc_protect_get(r, &v, "big", "i128", 0), 0);
	decc_protect_i128_format(dec, v.i128);
	assert_string_equal(dec, "-170141183460469231731687303715884105728");
	assert_int_equal(decc_protect_get(r, &v, "empty", "string", 0), 0);
	assert_int_equal(v.bytes.len, 0);
	decc_protect_value_release(&v);
	assert_int_equal(decc_protect_get(r, &v, "blob", "application/octet-stream", 0), 0);
	assert_int_equal(v.bytes.len, 3);
	assert_memory_equal(v.bytes.data, "\x01\x02\x03", 3);
	decc_protect_value_release(&v);
	/* wrong type, missing key, a directory is not a value */
	assert_int_equal(decc_protect_get(r, &v, "email", "f64", 0), DECC_EINVAL);
	assert_int_equal(decc_protect_get(r, &v, "nope", "string", 0), DECC_ENOTFOUND);
	assert_int_equal(decc_protect_get(r, &v, "nested", "string", 0), DECC_ENOTFOUND);
	assert_int_equal(decc_protect_get(r, &v, "nested.deeper", "string", 0), DECC_ENOTFOUND);
	decc_protect_close(r);
	decc_protect_schema_free(schema);
	free(schema_text);
}

static void expect_serialize_fails(const char *json, int code)
{
	const char *out = tmp_path("fail.zip");
	char *schema = (char *)"untouched";

	assert_int_equal(decc_protect_serialize_json(out, &schema, json, strlen(json), 0), code);
	assert_string_equal(schema, "untouched");
	assert_int_equal(access(out, F_OK), -1); /* no output */
}

static void test_serialize_errors(void **state)
{
	(void)state;
	expect_serialize_fails("[1,2]", DECC_EINVAL);
	expect_serialize_fails("\"text\"", DECC_EINVAL);
	expect_serialize_fails("{\"a\":null}", DECC_EINVAL);
	expect_serialize_fails("{\"a\":[1]}", DECC_EINVAL);
	expect_serialize_fails("{\"a.b\":1}", DECC_EINVAL);
	expect_serialize_fails("{\"a/b\":1}", DECC_EINVAL);
	expect_serialize_fails("{\"\":1}", DECC_EINVAL);
	expect_serialize_fails("{\"ok\":1,\"n\":{\"bad key\":true}}", DECC_EINVAL);
	expect_serialize_fails("{\"a\":9007199254740993}", DECC_EINVAL);
	expect_serialize_fails("{\"a\":{\"$int\":\"1\"}}", DECC_EINVAL);
	expect_serialize_fails("{\"a\":{\"$i128\":\"1e3\"}}", DECC_EINVAL);
	expect_serialize_fails("{\"a\":{\"$i128\":true}}", DECC_EINVAL);
	expect_serialize_fails("{\"a\":{\"$bytes\":\"***\"}}", DECC_EINVAL);
	expect_serialize_fails("{\"a\":{\"$file\":\"/etc/hostname\"}}", DECC_EINVAL);
	expect_serialize_fails("{\"a\":1,\"a\":2}", DECC_EINVAL);
	expect_serialize_fails("{\"a\":", DECC_EINVAL);
	/* no temporary file left behind either */
	{
		char cmd[160];

		snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s' | grep tmp-)\"", dir);
		assert_int_equal(system(cmd), 0);
	}
}

static void test_exists_and_empty(void **state)
{
	const char *out = tmp_path("empty.zip");
	struct decc_protect_reader *r = NULL;
	char *schema = NULL;

	(void)state;
	assert_int_equal(decc_protect_serialize_json(out, &schema, "{}", 2, 0), 0);
	assert_string_equal(schema, "{}");
	free(schema);
	assert_int_equal(decc_protect_serialize_json(out, NULL, "{\"a\":1}", 7, 0), DECC_EEXISTS);
	assert_int_equal(decc_protect_open(&r, out, NULL), 0);
	assert_int_equal(decc_protect_count(r), 0);
	decc_protect_close(r);
	assert_int_equal(
	    decc_protect_serialize_json(out, NULL, "{\"a\":1}", 7, DECC_PROTECT_REPLACE), 0);
	assert_int_equal(decc_protect_open(&r, out, NULL), 0);
	assert_int_equal(decc_protect_count(r), 1);
	decc_protect_close(r);
}

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
	uint64_t *last = ctx;

	assert_true(done >= last[0]); /* never backwards */
	assert_true(done <= total);
	last[0] = done;
	last[1] = total;
}

/* serialize_file reports how much of the file went into the zip, ending at its size. */
static void test_file_progress(void **state)
{
	const size_t n = 2u << 20;
	const char *in = tmp_path("big.bin"), *out = tmp_path("big.zip");
	uint64_t last[2] = { 0, 0 };
	const struct decc_progress pg = { .fn = on_progress, .ctx = last };
	uint8_t *data = malloc(n);
	FILE *f = fopen(in, "wb");

	(void)state;
	assert_non_null(data);
	assert_non_null(f);
	for (size_t i = 0; i < n; i++)
		data[i] = (uint8_t)(i * 7919u >> 3);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
	assert_int_equal(decc_protect_serialize_file(out, NULL, in, NULL,
						     "application/octet-stream",
						     DECC_PROTECT_REPLACE, &pg),
			 0);
	assert_int_equal(last[1], n);
	assert_int_equal(last[0], n);
	free(data);
}

static void test_file(void **state)
{
	static const uint8_t png[] = { 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 7, 7, 7 };
	const char *in = tmp_path("pic.png"), *out = tmp_path("file.zip");
	const char *out2 = tmp_path("file2.zip"), *back = tmp_path("back.png");
	struct decc_protect_reader *r = NULL;
	struct decc_buf got = DECC_BUF_INIT;
	char *schema = NULL, json[256];
	FILE *f = fopen(in, "wb");
	size_t i;

	(void)state;
	assert_non_null(f);
	assert_int_equal(fwrite(png, 1, sizeof(png), f), sizeof(png));
	fclose(f);
	assert_int_equal(decc_protect_serialize_file(out, &schema, in, NULL, NULL, 0, NULL), 0);
	assert_string_equal(schema, "{\"file\":\"image/png\"}");
	free(schema);
	assert_int_equal(decc_protect_open(&r, out, NULL), 0);
	assert_int_equal(decc_protect_find(r, &i, "file"), 0);
	assert_int_equal(decc_protect_extract(r, back, i, 0), 0);
	assert_int_equal(decc_protect_extract(r, back, i, 0), DECC_EEXISTS);
	decc_protect_close(r);
	assert_int_equal(decc_file_read(&got, back, 1 << 20), 0);
	assert_int_equal(got.len, sizeof(png));
	assert_memory_equal(got.data, png, sizeof(png));
	decc_buf_release(&got);
	/* key and MIME overrides; unsupported MIME and bad keys refused */
	assert_int_equal(
	    decc_protect_serialize_file(out2, &schema, in, "photo", "image/jpeg", 0, NULL), 0);
	assert_string_equal(schema, "{\"photo\":\"image/jpeg\"}");
	free(schema);
	assert_int_equal(
	    decc_protect_serialize_file(tmp_path("x.zip"), NULL, in, "a.b", NULL, 0, NULL),
	    DECC_EINVAL);
	assert_int_equal(
	    decc_protect_serialize_file(tmp_path("x.zip"), NULL, in, NULL, "text/plain", 0, NULL),
	    DECC_EINVAL);
	assert_int_equal(
	    decc_protect_serialize_file(tmp_path("x.zip"), NULL, in, NULL, "f64", 0, NULL),
	    DECC_EINVAL);
	assert_int_equal(decc_protect_serialize_file(tmp_path("x.zip"), NULL, tmp_path("none"),
						     NULL, NULL, 0, NULL),
			 DECC_ENOTFOUND);
	assert_int_equal(access(tmp_path("x.zip"), F_OK), -1);
	/* a {"$file": ...} leaf inside JSON, when allowed */
	snprintf(json, sizeof(json), "{\"doc\":{\"pic\":{\"$file\":\"%s\"},\"n\":1}}", in);
	assert_int_equal(decc_protect_serialize_json(tmp_path("j.zip"), &schema, json, strlen(json),
						     DECC_PROTECT_ALLOW_FILES),
			 0);
	assert_string_equal(schema, "{\"doc\":{\"pic\":\"image/png\",\"n\":\"f64\"}}");
	free(schema);
}

struct hostile {
	const char *file;
	int code;
};

static void test_hostile(void **state)
{
	static const struct hostile cases[] = {
		{ "dotdot.zip", DECC_EINVAL },	   { "dotdot-inner.zip", DECC_EINVAL },
		{ "absolute.zip", DECC_EINVAL },   { "backslash.zip", DECC_EINVAL },
		{ "dot.zip", DECC_EINVAL },	   { "empty-component.zip", DECC_EINVAL },
		{ "duplicate.zip", DECC_EINVAL },  { "leaf-and-dir.zip", DECC_EINVAL },
		{ "nul.zip", DECC_EINVAL },	   { "bomb.zip", DECC_ELIMIT },
		{ "bomb-total.zip", DECC_ELIMIT }, { "many.zip", DECC_ELIMIT },
		{ "not-a-zip.zip", DECC_EINVAL },  { "truncated.zip", DECC_EINVAL },
	};
	const struct decc_protect_limits lim = {
		.max_entry_size = 1 << 20,
		.max_total_size = 1 << 20,
	};

	(void)state;
	for (size_t i = 0; i < DECC_ARRAY_SIZE(cases); i++) {
		char rel[128];
		struct decc_protect_reader *r = (struct decc_protect_reader *)&rel;

		snprintf(rel, sizeof(rel), "protect/hostile/%s", cases[i].file);
		if (decc_protect_open(&r, test_vector_path(rel), &lim) != cases[i].code)
			fail_msg("%s: expected %s, got: %s", cases[i].file,
				 decc_error_name(cases[i].code), decc_error_last());
		assert_ptr_equal(r, (void *)&rel); /* output untouched */
	}
}

/* Archives that open but whose data lies: caught while reading, no partial output. */
static void test_lying_data(void **state)
{
	struct decc_protect_reader *r = NULL;
	struct decc_buf b = DECC_BUF_INIT;
	const char *out = tmp_path("lie.out");
	int rc;

	(void)state;
	rc = decc_protect_open(&r, test_vector_path("protect/hostile/crc.zip"), NULL);
	assert_int_equal(rc, 0);
	assert_int_equal(decc_protect_read_raw(r, &b, 0), DECC_EINVAL);
	assert_int_equal(b.len, 0);
	assert_int_equal(decc_protect_extract(r, out, 0, 0), DECC_EINVAL);
	assert_int_equal(access(out, F_OK), -1);
	decc_protect_close(r);

	/* a declared size larger than the data: refused at open (ZIP_CHECKCONS) or at read */
	rc = decc_protect_open(&r, test_vector_path("protect/hostile/size-lie.zip"), NULL);
	if (rc == 0) {
		assert_int_not_equal(decc_protect_read_raw(r, &b, 0), 0);
		decc_protect_close(r);
	} else {
		assert_int_equal(rc, DECC_EINVAL);
	}
	assert_int_equal(b.len, 0);
	decc_buf_release(&b);
}

/* The in-memory value limit and the extract path for big leaves. */
static void test_value_limit(void **state)
{
	const char *out = tmp_path("limit.zip");
	const struct decc_protect_limits lim = { .max_value_size = 4 };
	struct decc_protect_reader *r = NULL;
	struct decc_protect_value v;

	(void)state;
	assert_int_equal(
	    decc_protect_serialize_json(out, NULL, "{\"s\":\"hello\",\"b\":true}", 22, 0), 0);
	assert_int_equal(decc_protect_open(&r, out, &lim), 0);
	assert_int_equal(decc_protect_get(r, &v, "s", "string", 0), DECC_ELIMIT);
	assert_int_equal(decc_protect_get(r, &v, "b", "bool", 0), 0);
	assert_true(v.b);
	assert_int_equal(decc_protect_extract(r, tmp_path("s.bin"), 0, 0), 0);
	decc_protect_close(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dataprotector_interop),
		cmocka_unit_test(test_read_dataprotector),
		cmocka_unit_test(test_serialize_errors),
		cmocka_unit_test(test_exists_and_empty),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_lying_data),
		cmocka_unit_test(test_value_limit),
		cmocka_unit_test(test_file_progress),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
