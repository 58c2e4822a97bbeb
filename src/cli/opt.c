/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "decc/error.h"
#include "cli/opt.h"

static const struct opt *find(const struct opt *const *tables, const char *name, size_t n)
{
	for (; *tables; tables++)
		for (const struct opt *o = *tables; o->kind != OPT_KIND_END; o++)
			if (strlen(o->name) == n && memcmp(o->name, name, n) == 0)
				return o;
	return NULL;
}

static int parse(const struct opt *const *tables, int argc, char **argv, struct opt_args *args,
		 char **pos_storage, int max_pos, int *used)
{
	bool only_pos = false;
	bool help = false;

	args->pos = pos_storage;
	args->npos = 0;
	for (int i = 0; i < argc; i++) {
		char *a = argv[i];
		const struct opt *o;
		const char *name, *eq, *value;
		size_t n;

		if (only_pos || a[0] != '-' || strcmp(a, "-") == 0) {
			if (used) {
				*used = i;
				return help ? OPT_HELP : OPT_OK;
			}
			if (args->npos >= max_pos) {
				decc_error_set(DECC_EINVAL, "unexpected argument '%s'", a);
				return OPT_USAGE;
			}
			pos_storage[args->npos++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			if (used) {
				*used = i + 1;
				return help ? OPT_HELP : OPT_OK;
			}
			only_pos = true;
			continue;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			help = true;
			continue;
		}
		if (a[1] != '-') {
			decc_error_set(DECC_EINVAL, "unknown option '%s'", a);
			return OPT_USAGE;
		}
		name = a + 2;
		eq = strchr(name, '=');
		n = eq ? (size_t)(eq - name) : strlen(name);
		o = find(tables, name, n);
		if (!o) {
			decc_error_set(DECC_EINVAL, "unknown option '--%.*s'", (int)n, name);
			return OPT_USAGE;
		}
		switch (o->kind) {
		case OPT_KIND_FLAG:
			if (eq) {
				decc_error_set(DECC_EINVAL, "option '--%s' takes no value",
					       o->name);
				return OPT_USAGE;
			}
			*(bool *)o->dest = true;
			break;
		case OPT_KIND_STRING:
			if (eq) {
				value = eq + 1;
			} else if (i + 1 < argc) {
				value = argv[++i];
			} else {
				decc_error_set(DECC_EINVAL, "option '--%s' needs a value", o->name);
				return OPT_USAGE;
			}
			*(const char **)o->dest = value;
			break;
		default:
			decc_error_set(DECC_EINVAL, "internal error: bad option table");
			return OPT_USAGE;
		}
	}
	if (used)
		*used = argc;
	return help ? OPT_HELP : OPT_OK;
}

int opt_parse(const struct opt *const *tables, int argc, char **argv, struct opt_args *args,
	      char **pos_storage, int max_pos)
{
	return parse(tables, argc, argv, args, pos_storage, max_pos, NULL);
}

int opt_parse_head(const struct opt *const *tables, int argc, char **argv, int *used)
{
	struct opt_args args;

	return parse(tables, argc, argv, &args, NULL, 0, used);
}

int opt_take_repeated(int *argc, char **argv, const char *name, const char **v, size_t max,
		      size_t *n)
{
	size_t nl = strlen(name);
	int i = 1, w = 1;

	*n = 0;
	while (i < *argc) {
		const char *a = argv[i], *val = NULL;
		int used = 1;

		if (strcmp(a, "--") == 0) {
			while (i < *argc)
				argv[w++] = argv[i++];
			break;
		}
		if (strncmp(a, "--", 2) == 0 && strncmp(a + 2, name, nl) == 0) {
			if (a[2 + nl] == '=') {
				val = a + 3 + nl;
			} else if (a[2 + nl] == 0) {
				if (i + 1 >= *argc)
					return decc_error_set(DECC_EINVAL, "--%s needs a value",
							      name);
				val = argv[i + 1];
				used = 2;
			}
		}
		if (!val) {
			argv[w++] = argv[i++];
			continue;
		}
		if (*n == max)
			return decc_error_set(DECC_ELIMIT, "--%s is given more than %zu times",
					      name, max);
		v[(*n)++] = val;
		i += used;
	}
	*argc = w;
	argv[w] = NULL;
	return 0;
}
