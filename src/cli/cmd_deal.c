/* SPDX-License-Identifier: Apache-2.0 */
/* decc deal show: a deal of the hub and the ids of its tasks. */
#include <stdio.h>
#include <string.h>

#include "decc/error.h"
#include "decc/poco.h"
#include "cli/pococli.h"

#define PAGE "deal"
#define DEAL_MAX_TASK_IDS 1000 /* task ids listed by 'deal show' */

static json_t *resource(const struct decc_chain_resource *r)
{
	return json_pack("{s:o, s:o, s:o}", "pointer", pcli_jaddr(&r->pointer), "owner",
			 pcli_jaddr(&r->owner), "price", pcli_ju256(&r->price));
}

static int deal_show(struct cli *cli, const char *id_s)
{
	struct decc_chain_deal d;
	struct decc_chain *c;
	uint8_t dealid[32], taskid[32];
	json_t *tasks, *res;
	int r;

	if (pcli_parse_bytes32(dealid, id_s) < 0)
		return cli_usage_error(PAGE, "deal show", "DEALID: %s", decc_error_last());
	if ((r = pcli_open(cli, PAGE, "deal show", &c, false, NULL)) != CLI_EXIT_OK)
		return r;
	r = decc_chain_view_deal(c, &d, dealid);
	decc_chain_free(c);
	if (r < 0)
		return pcli_fail("deal show");
	if (decc_address_is_zero(&d.requester)) {
		decc_chain_deal_release(&d);
		return cli_failx("deal show: no deal %s on this hub", id_s);
	}
	tasks = json_array();
	for (uint64_t i = 0; tasks && i < d.bot_size && i < DEAL_MAX_TASK_IDS; i++) {
		decc_u256 idx = DECC_U256_ZERO;

		idx.w[0] = d.bot_first + i;
		decc_poco_task_id(taskid, dealid, &idx);
		json_array_append_new(tasks, pcli_jbytes32(taskid));
	}
	res = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:I, s:I, "
			"s:I, s:o, s:o, s:o, s:o}",
			"dealid", pcli_jbytes32(dealid), "app", resource(&d.app), "dataset",
			resource(&d.dataset), "workerpool", resource(&d.workerpool), "trust",
			pcli_ju256(&d.trust), "category", pcli_ju256(&d.category), "tag",
			pcli_jbytes32(d.tag), "requester", pcli_jaddr(&d.requester), "beneficiary",
			pcli_jaddr(&d.beneficiary), "callback", pcli_jaddr(&d.callback), "sponsor",
			pcli_jaddr(&d.sponsor), "params", d.params ? d.params : "", "startTime",
			(json_int_t)d.start_time, "botFirst", (json_int_t)d.bot_first, "botSize",
			(json_int_t)d.bot_size, "workerStake", pcli_ju256(&d.worker_stake),
			"schedulerRewardRatio", pcli_ju256(&d.scheduler_reward_ratio), "tasks",
			tasks, "tasksListed", json_integer((json_int_t)json_array_size(tasks)));
	decc_chain_deal_release(&d);
	return pcli_print(cli, res);
}

int cmd_deal(struct cli *cli, int argc, char **argv)
{
	struct opt_args args;
	char *pos[2];
	bool done;
	int r;

	r = cli_parse(cli, PAGE, "deal", (const struct opt[]){ OPT_END }, argc - 1, argv + 1, &args,
		      pos, 2, &done);
	if (done)
		return r;
	if (args.npos == 2 && strcmp(args.pos[0], "show") == 0)
		return deal_show(cli, args.pos[1]);
	if (args.npos >= 1 && strcmp(args.pos[0], "show") == 0)
		return cli_usage_error(PAGE, "deal show", "takes one DEALID");
	return cli_usage_error(
	    PAGE, "deal", args.npos ? "unknown subcommand (show)" : "missing subcommand (show)");
}
