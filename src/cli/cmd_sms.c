/* SPDX-License-Identifier: Apache-2.0 */
/* decc sms: the Secret Management Service daemon (docs/cmd/decc-sms.md). */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decc/error.h"
#include "decc/file.h"
#include "decc/sms.h"
#include "decc/tee.h"
#include "cli/cli.h"

#define PAGE "sms"
/* The native-mode v5 hub that decc node runs (reference/poco.md). */
#define DEFAULT_HUB "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f"
#define MAX_PLATFORMS 64
#define PLATFORM_FILE_MAX (64 * 1024)

/* Structured log line on stderr: ts=… level=… component=sms msg="…" (logfmt). */
static void log_line(void *ctx, const char *msg)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	const char *level = ctx ? ctx : "info";
	struct timespec ts;
	struct tm tm;
	char stamp[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	pthread_mutex_lock(&lock);
	fprintf(stderr, "ts=%s.%03ldZ level=%s component=sms msg=\"", stamp, ts.tv_nsec / 1000000,
		level);
	for (const char *p = msg; *p; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', stderr);
		fputc(*p == '\n' ? ' ' : *p, stderr);
	}
	fputs("\"\n", stderr);
	pthread_mutex_unlock(&lock);
}

static int split_listen(char *host, size_t cap, uint16_t *port, const char *listen)
{
	const char *colon = strrchr(listen, ':');
	uint64_t p;
	size_t hl;

	if (!colon || colon == listen)
		return -1;
	hl = (size_t)(colon - listen);
	if (listen[0] == '[' && hl >= 2 && listen[hl - 1] == ']') {
		listen++;
		hl -= 2;
	}
	if (hl >= cap || cli_parse_u64(&p, colon + 1) < 0 || p > 65535)
		return -1;
	memcpy(host, listen, hl);
	host[hl] = 0;
	*port = (uint16_t)p;
	return 0;
}

/*
 * The option parser keeps one value per option: the repeatable --trust-platform is taken out
 * of argv first. Returns the new argc, or -1 (usage).
 */
static int take_platforms(decc_address *out, size_t *n, int argc, char **argv)
{
	static const char name[] = "--trust-platform";
	const size_t l = sizeof(name) - 1;
	int w = 0;

	for (int i = 0; i < argc; i++) {
		const char *val = NULL;

		if (strcmp(argv[i], "--") == 0) {
			while (i < argc)
				argv[w++] = argv[i++];
			break;
		}
		if (strncmp(argv[i], name, l) != 0 || (argv[i][l] != 0 && argv[i][l] != '=')) {
			argv[w++] = argv[i];
			continue;
		}
		if (argv[i][l] == '=') {
			val = argv[i] + l + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			cli_usage_error(PAGE, "sms", "--trust-platform needs an address");
			return -1;
		}
		if (*n >= MAX_PLATFORMS) {
			cli_usage_error(PAGE, "sms", "more than %d trusted platforms",
					MAX_PLATFORMS);
			return -1;
		}
		if (decc_address_parse(&out[*n], val) < 0) {
			cli_usage_error(PAGE, "sms", "--trust-platform: %s", decc_error_last());
			return -1;
		}
		(*n)++;
	}
	return w;
}

/* One platform address a line; blank lines and '#' comments are skipped. */
static int read_platform_file(decc_address *out, size_t *n, const char *path)
{
	struct decc_buf text = DECC_BUF_INIT;
	char *line, *save = NULL;
	unsigned lineno = 0;
	int r;

	decc_buf_init(&text, PLATFORM_FILE_MAX);
	r = decc_file_read(&text, path, PLATFORM_FILE_MAX);
	if (r < 0) {
		decc_buf_release(&text);
		return decc_error_wrap(r, "--trust-platform-file %s", path);
	}
	for (line = strtok_r((char *)text.data, "\n", &save); line && r == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		char *e, *hash = strchr(line, '#');

		lineno++;
		if (hash)
			*hash = 0;
		while (*line == ' ' || *line == '\t')
			line++;
		e = line + strlen(line);
		while (e > line && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			*--e = 0;
		if (!*line)
			continue;
		if (*n >= MAX_PLATFORMS)
			r = decc_error_set(DECC_ELIMIT, "%s: more than %d trusted platforms", path,
					   MAX_PLATFORMS);
		else if (decc_address_parse(&out[*n], line) < 0)
			r = decc_error_set(DECC_EINVAL, "%s:%u: not a platform address", path,
					   lineno);
		else
			(*n)++;
	}
	decc_buf_release(&text);
	return r;
}

int cmd_sms(struct cli *cli, int argc, char **argv)
{
	const char *data = NULL, *listen = "127.0.0.1:13300", *max_secrets = NULL;
	const char *max_conn = NULL, *platform_file = NULL, *result_proxy = NULL;
	decc_address platforms[MAX_PLATFORMS];
	size_t nplatforms = 0;
	struct decc_tee_platform verifier = { 0 };
	const struct opt opts[] = {
		OPT_STRING("trust-platform-file", &platform_file),
		OPT_STRING("result-proxy", &result_proxy),
		OPT_STRING("data", &data),
		OPT_STRING("listen", &listen),
		OPT_STRING("max-secrets", &max_secrets),
		OPT_STRING("max-connections", &max_conn),
		OPT_END,
	};
	struct decc_sms_server_opts o = { 0 };
	struct decc_sms_server *srv = NULL;
	struct decc_sms_ledger *ledger = NULL;
	struct opt_args args;
	decc_address hub;
	char host[256], line[512], hubtext[43], *pos[1];
	uint64_t v;
	sigset_t set;
	bool done;
	int r, sig = 0;

	argc = take_platforms(platforms, &nplatforms, argc - 1, argv + 1);
	if (argc < 0)
		return CLI_EXIT_USAGE;
	r = cli_parse(cli, PAGE, "sms", opts, argc, argv + 1, &args, pos, 0, &done);
	if (done)
		return r;
	if (!data)
		return cli_usage_error(PAGE, "sms", "--data DIR is required");
	if (!cli->rpc)
		return cli_usage_error(PAGE, "sms",
				       "--rpc URL is required (the chain that says who owns what)");
	if (decc_address_parse(&hub, cli->hub ? cli->hub : DEFAULT_HUB) < 0)
		return cli_usage_error(PAGE, "sms", "--hub: %s", decc_error_last());
	if (split_listen(host, sizeof(host), &o.port, listen) < 0)
		return cli_usage_error(PAGE, "sms", "--listen: expected HOST:PORT, got '%s'",
				       listen);
	if (max_secrets) {
		if (cli_parse_u64(&v, max_secrets) < 0 || v == 0)
			return cli_usage_error(PAGE, "sms", "--max-secrets: expected a number > 0");
		o.max_secrets = v;
	}
	if (max_conn) {
		if (cli_parse_u64(&v, max_conn) < 0 || v == 0 || v > 65536)
			return cli_usage_error(PAGE, "sms",
					       "--max-connections: expected 1 to 65536");
		o.max_connections = (unsigned)v;
	}
	if (platform_file && read_platform_file(platforms, &nplatforms, platform_file) < 0)
		return cli_usage_error(PAGE, "sms", "%s", decc_error_last());
	if (nplatforms && decc_tee_sim_verifier(&verifier, platforms, nplatforms) < 0)
		return cli_fail("sms");
	/* Signals go to this thread only (sigwait below); threads started later inherit it. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (decc_sms_ledger_new(&ledger, cli->rpc, &hub) < 0) {
		decc_tee_platform_release(&verifier);
		return cli_fail("sms");
	}
	o.data_dir = data;
	o.host = host;
	o.owner = decc_sms_ledger_owner;
	o.owner_ctx = ledger;
	o.task = decc_sms_ledger_task;
	o.task_ctx = ledger;
	o.verifier = nplatforms ? &verifier : NULL;
	o.result_proxy = result_proxy;
	o.log = log_line;
	if (decc_sms_server_start(&srv, &o) < 0) {
		decc_sms_ledger_free(ledger);
		decc_tee_platform_release(&verifier);
		return cli_fail("sms");
	}
	decc_address_to_checksum(hubtext, &hub);
	if (decc_sms_server_created_key(srv))
		log_line(NULL, "created a new master key: back it up with the data directory, the "
			       "secrets cannot be read without it");
	snprintf(line, sizeof(line), "listening on %s:%u, data in %s, chain %s, hub %s", host,
		 (unsigned)decc_sms_server_port(srv), data, cli->rpc, hubtext);
	log_line(NULL, line);
	if (nplatforms) {
		for (size_t i = 0; i < nplatforms; i++) {
			char a[43];

			decc_address_to_checksum(a, &platforms[i]);
			snprintf(
			    line, sizeof(line),
			    "TEE sessions: trusting SIMULATED attestation platform %s. "
			    "DEVELOPMENT ONLY: a simulated quote proves nothing about hardware, "
			    "whoever holds that key receives the secrets",
			    a);
			log_line("warn", line);
		}
	} else {
		log_line(NULL, "TEE sessions: no trusted attestation platform "
			       "(--trust-platform): every session request is refused");
	}
	while (sigwait(&set, &sig) != 0)
		;
	log_line(NULL, sig == SIGTERM ? "SIGTERM: stopping" : "SIGINT: stopping");
	decc_sms_server_stop(srv);
	decc_sms_ledger_free(ledger);
	decc_tee_platform_release(&verifier);
	log_line(NULL, "stopped");
	return CLI_EXIT_OK;
}
