/* SPDX-License-Identifier: Apache-2.0 */
/* Execution results shared by the ledger and the native contracts (include/decc/exec.h). */
#include <stdlib.h>
#include <string.h>

#include "decc/error.h"
#include "decc/exec.h"

#define MAX_LOGS 4096

void decc_exec_result_init(struct decc_exec_result *r)
{
	memset(r, 0, sizeof(*r));
	decc_buf_init(&r->output, DECC_STATE_MAX_VALUE);
}

void decc_exec_result_release(struct decc_exec_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_logs; i++)
		decc_buf_release(&r->logs[i].data);
	free(r->logs);
	decc_buf_release(&r->output);
	decc_exec_result_init(r);
}

int decc_exec_result_add_log(struct decc_exec_result *r, const struct decc_log *log)
{
	struct decc_log *logs;
	struct decc_log *l;

	if (r->n_logs >= MAX_LOGS)
		return decc_error_set(DECC_ELIMIT, "too many logs in one call (limit %d)",
				      MAX_LOGS);
	if (log->n_topics > 4)
		return decc_error_set(DECC_EINVAL, "a log has at most 4 topics");
	logs = realloc(r->logs, (r->n_logs + 1) * sizeof(*logs));
	if (!logs)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	r->logs = logs;
	l = &logs[r->n_logs];
	l->address = log->address;
	memcpy(l->topics, log->topics, sizeof(l->topics));
	l->n_topics = log->n_topics;
	decc_buf_init(&l->data, DECC_STATE_MAX_VALUE);
	if (decc_buf_append(&l->data, log->data.data, log->data.len) < 0)
		return DECC_ENOMEM;
	r->n_logs++;
	return 0;
}
