/* SPDX-License-Identifier: Apache-2.0 */
/* decc category: the hub's categories (time budgets of tasks): show INDEX, count. */
#include <stdio.h>
#include <string.h>

#include "decc/error.h"
#include "cli/pococli.h"

#define PAGE "category"

static int category_show(struct cli *cli, const char *idx_s)
{
	struct decc_chain_category cat;
	struct decc_chain *c;
	uint64_t idx, n;
	json_t *res;
	int r;

	if (cli_parse_u64(&idx, idx_s) < 0)
		return cli_usage_error(PAGE, "category show", "INDEX: %s", decc_error_last());
	if ((r = pcli_open(cli, PAGE, "category show", &c, false, NULL)) != CLI_EXIT_OK)
		return r;
	if (decc_chain_count_category(c, &n) < 0) {
		decc_chain_free(c);
		return pcli_fail("category show");
	}
	if (idx >= n) {
		decc_chain_free(c);
		return cli_failx("category show: no category %llu (the hub has %llu: 0 to %llu)",
				 (unsigned long long)idx, (unsigned long long)n,
				 (unsigned long long)(n ? n - 1 : 0));
	}
	r = decc_chain_view_category(c, &cat, idx);
	decc_chain_free(c);
	if (r < 0)
		return pcli_fail("category show");
	res = json_pack("{s:I, s:s, s:s, s:I}", "index", (json_int_t)idx, "name",
			cat.name ? cat.name : "", "description",
			cat.description ? cat.description : "", "workClockTimeRef",
			(json_int_t)cat.work_clock_time_ref);
	decc_chain_category_release(&cat);
	return pcli_print(cli, res);
}

static int category_count(struct cli *cli)
{
	struct decc_chain *c;
	uint64_t n;
	int r;

	if ((r = pcli_open(cli, PAGE, "category count", &c, false, NULL)) != CLI_EXIT_OK)
		return r;
	r = decc_chain_count_category(c, &n);
	decc_chain_free(c);
	if (r < 0)
		return pcli_fail("category count");
	if (!cli->json) {
		printf("%llu\n", (unsigned long long)n);
		return CLI_EXIT_OK;
	}
	return pcli_print(cli, json_pack("{s:I}", "count", (json_int_t)n));
}

int cmd_category(struct cli *cli, int argc, char **argv)
{
	struct opt_args args;
	char *pos[2];
	bool done;
	int r;

	r = cli_parse(cli, PAGE, "category", (const struct opt[]){ OPT_END }, argc - 1, argv + 1,
		      &args, pos, 2, &done);
	if (done)
		return r;
	if (args.npos == 2 && strcmp(args.pos[0], "show") == 0)
		return category_show(cli, args.pos[1]);
	if (args.npos == 1 && strcmp(args.pos[0], "count") == 0)
		return category_count(cli);
	return cli_usage_error(PAGE, "category", "expected 'show INDEX' or 'count'");
}
