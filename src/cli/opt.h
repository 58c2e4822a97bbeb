/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small declarative option parser shared by every command: long options only ("--name value",
 * "--name=value", flags), positional arguments in any order, "--" ends the options, "-h" and
 * "--help" ask for help. An unknown option or a missing value is a usage error naming it.
 */
#ifndef DECC_CLI_OPT_H
#define DECC_CLI_OPT_H

#include <stdbool.h>

enum opt_kind {
	OPT_KIND_END,
	OPT_KIND_FLAG,	 /* sets a bool */
	OPT_KIND_STRING, /* stores the value (a pointer into argv) */
};

struct opt {
	enum opt_kind kind;
	const char *name; /* without the leading "--" */
	void *dest;	  /* bool * or const char ** */
};

#define OPT_FLAG(n, p)                                                                             \
	{                                                                                          \
		.kind = OPT_KIND_FLAG, .name = (n), .dest = (bool *)(p)                            \
	}
#define OPT_STRING(n, p)                                                                           \
	{                                                                                          \
		.kind = OPT_KIND_STRING, .name = (n), .dest = (const char **)(p)                   \
	}
#define OPT_END                                                                                    \
	{                                                                                          \
		.kind = OPT_KIND_END                                                               \
	}

enum opt_result {
	OPT_OK = 0,
	OPT_HELP = 1,	/* --help or -h was given */
	OPT_USAGE = -2, /* message in decc_error_last() */
};

struct opt_args {
	char **pos; /* positional arguments (pointers into argv) */
	int npos;
};

/*
 * Parse argv[0..argc) against the option tables (a NULL-terminated list, searched in order, so
 * a command's own table and the global one can be combined). Positional arguments are
 * collected into args->pos (at most max_pos; more is a usage error).
 */
int opt_parse(const struct opt *const *tables, int argc, char **argv, struct opt_args *args,
	      char **pos_storage, int max_pos);

/*
 * Parse the options at the head of argv, up to the first positional argument (or after "--");
 * *used gets the number of words consumed. For global options before a command.
 */
int opt_parse_head(const struct opt *const *tables, int argc, char **argv, int *used);

/*
 * Take every "--NAME V" and "--NAME=V" out of argv[1..*argc) (up to a "--") into v[0..*n),
 * at most max (opt_parse keeps one value per option); argv and *argc are compacted. Returns 0,
 * or DECC_EINVAL / DECC_ELIMIT with a usage message in decc_error_last().
 */
int opt_take_repeated(int *argc, char **argv, const char *name, const char **v, size_t max,
		      size_t *n);

#endif
