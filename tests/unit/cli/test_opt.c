/* SPDX-License-Identifier: Apache-2.0 */
/* The CLI's option parser (src/cli/opt.c is compiled into this test: it is not in a library). */
#include "test.h"
#include "cli/opt.c"

struct vals {
	bool json, light;
	const char *hub, *order;
};

static int tparse(struct vals *v, struct opt_args *a, char **pos, int max_pos, int argc,
		  char **argv)
{
	const struct opt cmd[] = { OPT_STRING("order", &v->order), OPT_FLAG("kdf-light", &v->light),
				   OPT_END };
	const struct opt glob[] = { OPT_FLAG("json", &v->json), OPT_STRING("hub", &v->hub),
				    OPT_END };
	const struct opt *const tables[] = { cmd, glob, NULL };

	return opt_parse(tables, argc, argv, a, pos, max_pos);
}

static void test_forms(void **state)
{
	char *argv[] = {
		"sign", "--order", "o.json", "app", "--hub=0xab", "--json", "--kdf-light"
	};
	struct vals v = { 0 };
	struct opt_args a;
	char *pos[4];

	(void)state;
	assert_int_equal(tparse(&v, &a, pos, 4, 7, argv), OPT_OK);
	assert_int_equal(a.npos, 2);
	assert_string_equal(a.pos[0], "sign");
	assert_string_equal(a.pos[1], "app");
	assert_string_equal(v.order, "o.json");
	assert_string_equal(v.hub, "0xab");
	assert_true(v.json);
	assert_true(v.light);
}

static void test_double_dash_and_dash(void **state)
{
	char *argv[] = { "-", "--", "--json", "-x" };
	struct vals v = { 0 };
	struct opt_args a;
	char *pos[4];

	(void)state;
	assert_int_equal(tparse(&v, &a, pos, 4, 4, argv), OPT_OK);
	assert_int_equal(a.npos, 3);
	assert_string_equal(a.pos[0], "-");
	assert_string_equal(a.pos[1], "--json");
	assert_string_equal(a.pos[2], "-x");
	assert_false(v.json);
}

static void test_errors(void **state)
{
	struct vals v = { 0 };
	struct opt_args a;
	char *pos[1];

	(void)state;
	assert_int_equal(tparse(&v, &a, pos, 1, 1, (char *[]){ "--frob" }), OPT_USAGE);
	assert_string_equal(decc_error_last(), "unknown option '--frob'");
	assert_int_equal(tparse(&v, &a, pos, 1, 1, (char *[]){ "--frob=3" }), OPT_USAGE);
	assert_string_equal(decc_error_last(), "unknown option '--frob'");
	assert_int_equal(tparse(&v, &a, pos, 1, 1, (char *[]){ "-q" }), OPT_USAGE);
	assert_string_equal(decc_error_last(), "unknown option '-q'");
	assert_int_equal(tparse(&v, &a, pos, 1, 1, (char *[]){ "--order" }), OPT_USAGE);
	assert_string_equal(decc_error_last(), "option '--order' needs a value");
	assert_int_equal(tparse(&v, &a, pos, 1, 1, (char *[]){ "--json=yes" }), OPT_USAGE);
	assert_string_equal(decc_error_last(), "option '--json' takes no value");
	/* a prefix is not an abbreviation */
	assert_int_equal(tparse(&v, &a, pos, 1, 1, (char *[]){ "--ord=x" }), OPT_USAGE);
	assert_null(v.order);
	assert_int_equal(tparse(&v, &a, pos, 1, 2, (char *[]){ "a", "b" }), OPT_USAGE);
	assert_string_equal(decc_error_last(), "unexpected argument 'b'");
}

static void test_help(void **state)
{
	struct vals v = { 0 };
	struct opt_args a;
	char *pos[2];

	(void)state;
	assert_int_equal(tparse(&v, &a, pos, 2, 2, (char *[]){ "create", "-h" }), OPT_HELP);
	assert_int_equal(tparse(&v, &a, pos, 2, 2, (char *[]){ "--help", "x" }), OPT_HELP);
	/* an error wins over help */
	assert_int_equal(tparse(&v, &a, pos, 2, 2, (char *[]){ "--help", "--nope" }), OPT_USAGE);
}

static void test_head(void **state)
{
	bool json = false;
	const char *hub = NULL;
	const struct opt glob[] = { OPT_FLAG("json", &json), OPT_STRING("hub", &hub), OPT_END };
	const struct opt *const tables[] = { glob, NULL };
	char *argv[] = { "--json", "--hub", "0x1", "wallet", "--json" };
	int used = -1;

	(void)state;
	assert_int_equal(opt_parse_head(tables, 5, argv, &used), OPT_OK);
	assert_int_equal(used, 3);
	assert_true(json);
	assert_string_equal(hub, "0x1");
	assert_int_equal(opt_parse_head(tables, 2, (char *[]){ "--", "x" }, &used), OPT_OK);
	assert_int_equal(used, 1);
	assert_int_equal(opt_parse_head(tables, 1, (char *[]){ "--json" }, &used), OPT_OK);
	assert_int_equal(used, 1);
	assert_int_equal(opt_parse_head(tables, 1, (char *[]){ "--bad" }, &used), OPT_USAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),  cmocka_unit_test(test_double_dash_and_dash),
		cmocka_unit_test(test_errors), cmocka_unit_test(test_help),
		cmocka_unit_test(test_head),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
