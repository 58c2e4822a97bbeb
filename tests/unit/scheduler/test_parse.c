/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scheduler's request parsers: status updates (statuses and causes by name, bounded
 * fields, log tails), login signatures, worker registration, the web3j-compatible challenge
 * digest; and the status names against iexec-core's spelling.
 */
#include "test.h"

#include "decc/crypto.h"
#include "scheduler/internal.h"

static int parse(struct sched_update *u, const char *body)
{
	sched_update_release(u);
	sched_update_init(u);
	return sched_parse_update(u, body, strlen(body));
}

static void test_update(void **state)
{
	struct sched_update u;
	char *big;

	(void)state;
	sched_update_init(&u);
	assert_int_equal(parse(&u, "{\"status\":\"COMPUTED\"}"), 0);
	assert_int_equal(u.status, R_COMPUTED);
	assert_int_equal(parse(&u,
			       "{\"status\":\"COMPUTE_FAILED\",\"details\":{\"cause\":"
			       "\"APP_COMPUTE_FAILED\",\"exitCode\":3,\"computeLogs\":{"
			       "\"stdout\":\"out\",\"stderr\":\"err\"},\"errorMessage\":\"x\"}}"),
			 0);
	assert_int_equal(u.status, R_COMPUTE_FAILED);
	assert_string_equal(u.cause, "APP_COMPUTE_FAILED");
	assert_true(u.has_exit_code);
	assert_int_equal(u.exit_code, 3);
	assert_string_equal(decc_buf_str(&u.stdout_tail), "out");
	assert_string_equal(decc_buf_str(&u.stderr_tail), "err");
	assert_int_equal(parse(&u, "{\"status\":\"REVEALED\",\"details\":{\"resultLink\":"
				   "\"/ipfs/Qm\",\"chainCallbackData\":null}}"),
			 0);
	assert_string_equal(u.result_link, "/ipfs/Qm");
	/* refusals */
	assert_int_equal(parse(&u, "{\"status\":\"NOPE\"}"), DECC_EINVAL);
	assert_int_equal(parse(&u, "{\"status\":3}"), DECC_EINVAL);
	assert_int_equal(parse(&u, "[]"), DECC_EINVAL);
	assert_int_equal(parse(&u, "{\"status\":\"COMPUTED\",\"status\":\"COMPUTED\"}"),
			 DECC_EINVAL);
	assert_int_equal(parse(&u, "{\"status\":\"COMPUTED\",\"details\":{\"cause\":\"BOGUS\"}}"),
			 DECC_EINVAL);
	assert_int_equal(parse(&u, "{\"status\":\"COMPUTED\",\"details\":{\"exitCode\":\"1\"}}"),
			 DECC_EINVAL);
	assert_int_equal(parse(&u, "{\"status\":\"COMPUTED\",\"details\":[]}"), DECC_EINVAL);
	assert_int_equal(parse(&u, "{\"status\":\"COMPUTED\",\"details\":{\"computeLogs\":1}}"),
			 DECC_EINVAL);
	/* a result link longer than the limit is refused, a long log is cut to its tail */
	big = malloc(SCHED_MAX_LOG_TAIL + 200);
	assert_non_null(big);
	snprintf(big, SCHED_MAX_LOG_TAIL + 200,
		 "{\"status\":\"REVEALED\",\"details\":{"
		 "\"resultLink\":\"");
	memset(big + strlen(big), 'a', SCHED_LINK_MAX);
	big[strlen("{\"status\":\"REVEALED\",\"details\":{\"resultLink\":\"") + SCHED_LINK_MAX] = 0;
	strcat(big, "\"}}");
	assert_int_equal(parse(&u, big), DECC_ELIMIT);
	strcpy(big, "{\"status\":\"COMPUTED\",\"details\":{\"computeLogs\":{\"stdout\":\"");
	{
		size_t at = strlen(big);

		memset(big + at, 'b', SCHED_MAX_LOG_TAIL + 50);
		big[at] = 'X'; /* the head is cut */
		big[at + SCHED_MAX_LOG_TAIL + 49] = 'E';
		big[at + SCHED_MAX_LOG_TAIL + 50] = 0;
	}
	strcat(big, "\"}}}");
	big = realloc(big, strlen(big) + 1);
	assert_int_equal(parse(&u, big), 0);
	assert_int_equal(u.stdout_tail.len, SCHED_MAX_LOG_TAIL);
	assert_int_equal(u.stdout_tail.data[0], 'b');
	assert_int_equal(u.stdout_tail.data[SCHED_MAX_LOG_TAIL - 1], 'E');
	free(big);
	/* a body over the bound is not even parsed */
	big = calloc(1, SCHED_MAX_BODY + 2);
	assert_non_null(big);
	memset(big, ' ', SCHED_MAX_BODY + 1);
	memcpy(big, "{\"status\":\"COMPUTED\"}", 21);
	sched_update_release(&u);
	sched_update_init(&u);
	assert_int_equal(sched_parse_update(&u, big, SCHED_MAX_BODY + 1), DECC_EINVAL);
	free(big);
	sched_update_release(&u);
}

static void test_signature_register(void **state)
{
	uint8_t sig[65];
	uint64_t slots;
	bool tee;
	char body[200];
	const char *bad[] = { "{\"cpuNb\":0}",
			      "{\"cpuNb\":1025}",
			      "{\"cpuNb\":\"2\"}",
			      "{\"teeEnabled\":1}",
			      "[]",
			      "nope" };

	(void)state;
	snprintf(body, sizeof(body), "{\"value\":\"0x%0130d\"}", 0);
	assert_int_equal(sched_parse_signature(sig, body, strlen(body)), 0);
	assert_int_equal(sched_parse_signature(sig, "{\"value\":\"0x00\"}", 16), DECC_EINVAL);
	assert_int_equal(sched_parse_signature(sig, "{}", 2), DECC_EINVAL);
	assert_int_equal(
	    sched_parse_register(&slots, &tee, "{\"cpuNb\":4,\"teeEnabled\":true}", 29), 0);
	assert_int_equal(slots, 4);
	assert_true(tee);
	assert_int_equal(sched_parse_register(&slots, &tee, "{}", 2), 0);
	assert_int_equal(slots, 1);
	assert_false(tee);
	/* a GPU worker takes one task at a time */
	assert_int_equal(
	    sched_parse_register(&slots, &tee, "{\"cpuNb\":8,\"gpuEnabled\":true}", 29), 0);
	assert_int_equal(slots, 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(sched_parse_register(&slots, &tee, bad[i], strlen(bad[i])),
				 DECC_EINVAL);
}

static void test_challenge_digest(void **state)
{
	uint8_t got[32], want[32], b[2] = { 0xab, 0xcd };

	(void)state;
	/* plain hex is decoded; with or without 0x */
	decc_keccak256(want, b, 2);
	sched_challenge_digest(got, "0xabcd");
	assert_memory_equal(got, want, 32);
	sched_challenge_digest(got, "ABCD");
	assert_memory_equal(got, want, 32);
	/* web3j's lenient decoding: an odd length starts with one nibble, 'z' counts as -1 */
	b[0] = 0x0a;
	b[1] = 0xbc;
	decc_keccak256(want, b, 2);
	sched_challenge_digest(got, "abc");
	assert_memory_equal(got, want, 32);
	b[0] = (uint8_t)(-1 * 16 + 1);
	decc_keccak256(want, b, 1);
	sched_challenge_digest(got, "z1");
	assert_memory_equal(got, want, 32);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(sched_task_status_name(T_CONSENSUS_REACHED), "CONSENSUS_REACHED");
	assert_string_equal(sched_repl_status_name(R_CONTRIBUTE_AND_FINALIZE_DONE),
			    "CONTRIBUTE_AND_FINALIZE_DONE");
	assert_string_equal(sched_notice_name(N_PLEASE_REVEAL), "PLEASE_REVEAL");
	for (int i = 0; i < R_COUNT; i++)
		assert_int_equal(sched_repl_status_parse(sched_repl_status_name(i)), i);
	for (int i = 0; i < T_COUNT; i++)
		assert_int_equal(sched_task_status_parse(sched_task_status_name(i)), i);
	assert_int_equal(sched_repl_status_parse("computed"), -1);
	assert_true(sched_cause_valid("REVEAL_TIMEOUT"));
	assert_false(sched_cause_valid("REVEAL_TIMEOUTX"));
	/* the workflow: no skipping, nothing after a final status */
	assert_true(sched_repl_transition_ok(R_COMPUTED, R_CONTRIBUTING));
	assert_false(sched_repl_transition_ok(R_STARTED, R_COMPUTED));
	assert_false(sched_repl_transition_ok(R_COMPLETED, R_FAILED));
	assert_int_equal(sched_next_action(R_COMPUTED, true, NULL),
			 N_PLEASE_CONTRIBUTE_AND_FINALIZE);
	assert_int_equal(sched_next_action(R_COMPUTED, false, NULL), N_PLEASE_CONTRIBUTE);
	assert_int_equal(
	    sched_next_action(R_APP_DOWNLOAD_FAILED, false, "APP_IMAGE_DOWNLOAD_FAILED"),
	    N_PLEASE_CONTRIBUTE);
	assert_int_equal(sched_next_action(R_COMPUTE_FAILED, false, NULL), N_PLEASE_ABORT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_update),
		cmocka_unit_test(test_signature_register),
		cmocka_unit_test(test_challenge_digest),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
