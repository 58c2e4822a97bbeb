/* SPDX-License-Identifier: Apache-2.0 */
#ifndef DECC_SCHEDULER_CHAINOPS_H
#define DECC_SCHEDULER_CHAINOPS_H

#include "scheduler/internal.h"

struct decc_chain;

struct sched_chainops {
	struct decc_chain *chain;
	decc_address hub, workerpool;
	uint64_t max_range;
	const char *sms_url;
	const uint8_t *sk;
};

extern const struct sched_chain_ops sched_chainops_table;	/* with an SMS */
extern const struct sched_chain_ops sched_chainops_table_nosms; /* TEE tasks fail to initialize */

#endif
