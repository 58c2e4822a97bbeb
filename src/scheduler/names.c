/* SPDX-License-Identifier: Apache-2.0 */
/* Status names, causes, ReplicateWorkflow transitions and next actions (offchain.md §2.3). */
#include <string.h>

#include "scheduler/internal.h"

static const char *const task_names[T_COUNT] = {
	"RECEIVED",
	"INITIALIZING",
	"INITIALIZED",
	"INITIALIZE_FAILED",
	"RUNNING",
	"RUNNING_FAILED",
	"CONTRIBUTION_TIMEOUT",
	"CONSENSUS_REACHED",
	"REOPENING",
	"REOPENED",
	"REOPEN_FAILED",
	"AT_LEAST_ONE_REVEALED",
	"RESULT_UPLOADING",
	"RESULT_UPLOADED",
	"RESULT_UPLOAD_TIMEOUT",
	"FINALIZING",
	"FINALIZED",
	"FINALIZE_FAILED",
	"FINAL_DEADLINE_REACHED",
	"COMPLETED",
	"FAILED",
};

static const char *const repl_names[R_COUNT] = {
	"CREATED",
	"STARTING",
	"START_FAILED",
	"STARTED",
	"APP_DOWNLOADING",
	"APP_DOWNLOAD_FAILED",
	"APP_DOWNLOADED",
	"DATA_DOWNLOADING",
	"DATA_DOWNLOAD_FAILED",
	"DATA_DOWNLOADED",
	"COMPUTING",
	"COMPUTE_FAILED",
	"COMPUTED",
	"CONTRIBUTING",
	"CONTRIBUTE_FAILED",
	"CONTRIBUTED",
	"REVEALING",
	"REVEAL_FAILED",
	"REVEALED",
	"RESULT_UPLOAD_REQUESTED",
	"RESULT_UPLOADING",
	"RESULT_UPLOAD_FAILED",
	"RESULT_UPLOADED",
	"CONTRIBUTE_AND_FINALIZE_ONGOING",
	"CONTRIBUTE_AND_FINALIZE_FAILED",
	"CONTRIBUTE_AND_FINALIZE_DONE",
	"COMPLETING",
	"COMPLETE_FAILED",
	"COMPLETED",
	"FAILED",
	"ABORTED",
	"RECOVERING",
	"WORKER_LOST",
};

static const char *const notice_names[N_COUNT] = {
	"PLEASE_CONTINUE",	"PLEASE_WAIT",
	"PLEASE_START",		"PLEASE_DOWNLOAD_APP",
	"PLEASE_DOWNLOAD_DATA", "PLEASE_COMPUTE",
	"PLEASE_CONTRIBUTE",	"PLEASE_REVEAL",
	"PLEASE_UPLOAD",	"PLEASE_CONTRIBUTE_AND_FINALIZE",
	"PLEASE_COMPLETE",	"PLEASE_ABORT",
};

/* ReplicateStatusCause (offchain.md §9); TEE_SESSION_GENERATION_* and PRE_/POST_COMPUTE_*
 * are accepted by prefix. */
static const char *const causes[] = {
	"CHAIN_UNREACHABLE",
	"BLOCK_NOT_REACHED",
	"STAKE_TOO_LOW",
	"OUT_OF_GAS",
	"TASK_NOT_ACTIVE",
	"TASK_DESCRIPTION_INVALID",
	"TASK_DESCRIPTION_NOT_FOUND",
	"CONTRIBUTION_ALREADY_SET",
	"CONSENSUS_REACHED",
	"CHAIN_RECEIPT_NOT_VALID",
	"CONSENSUS_BLOCK_MISSING",
	"APP_IMAGE_DOWNLOAD_FAILED",
	"INPUT_FILES_DOWNLOAD_FAILED",
	"DATASET_FILE_DOWNLOAD_FAILED",
	"DATASET_FILE_BAD_CHECKSUM",
	"APP_NOT_FOUND_LOCALLY",
	"APP_COMPUTE_FAILED",
	"APP_COMPUTE_TIMEOUT",
	"TEE_NOT_SUPPORTED",
	"DETERMINISM_HASH_NOT_FOUND",
	"ENCLAVE_SIGNATURE_NOT_FOUND",
	"WORKERPOOL_AUTHORIZATION_NOT_FOUND",
	"RESULT_LINK_MISSING",
	"TRUST_NOT_1",
	"TASK_ALREADY_CONTRIBUTED",
	"CONTRIBUTION_TIMEOUT",
	"REVEAL_TIMEOUT",
	"TEE_PREPARATION_FAILED",
	"UNKNOWN_SMS",
	"GET_TEE_SERVICES_CONFIGURATION_FAILED",
	"ABORTED_BY_WORKER",
	"CANNOT_REVEAL",
	"UNKNOWN",
};

const char *sched_task_status_name(int s)
{
	return s >= 0 && s < T_COUNT ? task_names[s] : "UNKNOWN";
}

const char *sched_repl_status_name(int s)
{
	return s >= 0 && s < R_COUNT ? repl_names[s] : "UNKNOWN";
}

const char *sched_notice_name(int n)
{
	return n >= 0 && n < N_COUNT ? notice_names[n] : "PLEASE_WAIT";
}

int sched_task_status_parse(const char *s)
{
	for (int i = 0; i < T_COUNT; i++)
		if (strcmp(s, task_names[i]) == 0)
			return i;
	return -1;
}

int sched_repl_status_parse(const char *s)
{
	for (int i = 0; i < R_COUNT; i++)
		if (strcmp(s, repl_names[i]) == 0)
			return i;
	return -1;
}

static bool upper_ident(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

bool sched_cause_valid(const char *s)
{
	static const char *const prefixes[] = { "TEE_SESSION_GENERATION_", "PRE_COMPUTE_",
						"POST_COMPUTE_" };

	if (strlen(s) >= SCHED_CAUSE_MAX)
		return false;
	for (size_t i = 0; i < DECC_ARRAY_SIZE(causes); i++)
		if (strcmp(s, causes[i]) == 0)
			return true;
	for (size_t i = 0; i < DECC_ARRAY_SIZE(prefixes); i++)
		if (strncmp(s, prefixes[i], strlen(prefixes[i])) == 0 &&
		    upper_ident(s + strlen(prefixes[i])))
			return true;
	return false;
}

bool sched_repl_failed(int s)
{
	switch (s) {
	case R_START_FAILED:
	case R_APP_DOWNLOAD_FAILED:
	case R_DATA_DOWNLOAD_FAILED:
	case R_COMPUTE_FAILED:
	case R_CONTRIBUTE_FAILED:
	case R_REVEAL_FAILED:
	case R_RESULT_UPLOAD_FAILED:
	case R_CONTRIBUTE_AND_FINALIZE_FAILED:
	case R_COMPLETE_FAILED:
	case R_FAILED:
	case R_ABORTED:
		return true;
	default:
		return false;
	}
}

bool sched_repl_final(int s)
{
	return s == R_COMPLETED || s == R_FAILED || s == R_ABORTED;
}

bool sched_task_final(int s)
{
	return s == T_COMPLETED || s == T_FAILED;
}

bool sched_repl_transition_ok(int from, int to)
{
	if (from < 0 || from >= R_COUNT || to < 0 || to >= R_COUNT || from == to)
		return false;
	if (sched_repl_final(from))
		return false;
	/* any failable status may end in FAILED; any non-final one may be aborted or lost */
	if (to == R_FAILED || to == R_ABORTED || to == R_WORKER_LOST)
		return true;
	if (from == R_WORKER_LOST || from == R_RECOVERING)
		return to != R_CREATED && to != R_STARTING;
	switch (from) {
	case R_CREATED:
		return to == R_STARTING;
	case R_STARTING:
		return to == R_STARTED || to == R_START_FAILED;
	case R_STARTED:
		return to == R_APP_DOWNLOADING;
	case R_APP_DOWNLOADING:
		return to == R_APP_DOWNLOADED || to == R_APP_DOWNLOAD_FAILED;
	case R_APP_DOWNLOADED:
		return to == R_DATA_DOWNLOADING || to == R_COMPUTING;
	case R_DATA_DOWNLOADING:
		return to == R_DATA_DOWNLOADED || to == R_DATA_DOWNLOAD_FAILED;
	case R_APP_DOWNLOAD_FAILED:
	case R_DATA_DOWNLOAD_FAILED:
		return to == R_CONTRIBUTING;
	case R_DATA_DOWNLOADED:
		return to == R_COMPUTING;
	case R_COMPUTING:
		return to == R_COMPUTED || to == R_COMPUTE_FAILED;
	case R_COMPUTED:
		return to == R_CONTRIBUTING || to == R_CONTRIBUTE_AND_FINALIZE_ONGOING;
	case R_CONTRIBUTING:
		return to == R_CONTRIBUTED || to == R_CONTRIBUTE_FAILED;
	case R_CONTRIBUTED:
		return to == R_REVEALING;
	case R_REVEALING:
		return to == R_REVEALED || to == R_REVEAL_FAILED;
	case R_REVEALED:
		return to == R_RESULT_UPLOAD_REQUESTED || to == R_COMPLETING;
	case R_RESULT_UPLOAD_REQUESTED:
		return to == R_RESULT_UPLOADING;
	case R_RESULT_UPLOADING:
		return to == R_RESULT_UPLOADED || to == R_RESULT_UPLOAD_FAILED;
	case R_RESULT_UPLOADED:
	case R_RESULT_UPLOAD_FAILED:
		return to == R_COMPLETING;
	case R_CONTRIBUTE_AND_FINALIZE_ONGOING:
		return to == R_CONTRIBUTE_AND_FINALIZE_DONE ||
		       to == R_CONTRIBUTE_AND_FINALIZE_FAILED;
	case R_CONTRIBUTE_AND_FINALIZE_DONE:
		return to == R_COMPLETING;
	case R_COMPLETING:
		return to == R_COMPLETED || to == R_COMPLETE_FAILED;
	default:
		return false;
	}
}

int sched_next_action(int status, bool tee_fast, const char *cause)
{
	switch (status) {
	case R_STARTED:
		return N_PLEASE_DOWNLOAD_APP;
	case R_APP_DOWNLOADED:
		return N_PLEASE_DOWNLOAD_DATA;
	case R_DATA_DOWNLOADED:
		return N_PLEASE_COMPUTE;
	case R_COMPUTED:
		return tee_fast ? N_PLEASE_CONTRIBUTE_AND_FINALIZE : N_PLEASE_CONTRIBUTE;
	case R_CONTRIBUTED:
	case R_REVEALED:
	case R_RESULT_UPLOADED:
	case R_CONTRIBUTE_AND_FINALIZE_DONE:
	case R_COMPLETED:
		return N_PLEASE_WAIT;
	case R_APP_DOWNLOAD_FAILED:
	case R_DATA_DOWNLOAD_FAILED:
		/* failures the replicas can still agree on (offchain.md §1.5) */
		if (cause && (strcmp(cause, "APP_IMAGE_DOWNLOAD_FAILED") == 0 ||
			      strcmp(cause, "DATASET_FILE_DOWNLOAD_FAILED") == 0 ||
			      strcmp(cause, "DATASET_FILE_BAD_CHECKSUM") == 0 ||
			      strcmp(cause, "INPUT_FILES_DOWNLOAD_FAILED") == 0))
			return N_PLEASE_CONTRIBUTE;
		return N_PLEASE_ABORT;
	default:
		if (sched_repl_failed(status))
			return N_PLEASE_ABORT;
		return N_PLEASE_CONTINUE; /* every "-ING" status, CREATED, RECOVERING */
	}
}
