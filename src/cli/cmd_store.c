/* SPDX-License-Identifier: Apache-2.0 */
/* decc store: the content store daemon, and its client (docs/cmd/decc-store.md). */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "decc/error.h"
#include "decc/store.h"
#include "cli/cli.h"

#define PAGE "store"
#define DEFAULT_API "http://127.0.0.1:5001"

/* Structured log line on stderr: ts=… level=… component=store msg="…" (logfmt). */
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
	fprintf(stderr, "ts=%s.%03ldZ level=%s component=store msg=\"", stamp, ts.tv_nsec / 1000000,
		level);
	for (const char *p = msg; *p; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', stderr);
		fputc(*p == '\n' ? ' ' : *p, stderr);
	}
	fputs("\"\n", stderr);
	pthread_mutex_unlock(&lock);
}

/* "1048576", "64K", "100M", "2G" (binary multiples). */
static int parse_bytes(uint64_t *out, const char *s, const char *name)
{
	char num[32];
	size_t n = strlen(s);
	uint64_t v, mul = 1;

	if (n && strchr("kKmMgG", s[n - 1])) {
		mul = s[n - 1] == 'k' || s[n - 1] == 'K'   ? 1ull << 10
		      : s[n - 1] == 'm' || s[n - 1] == 'M' ? 1ull << 20
							   : 1ull << 30;
		n--;
	}
	if (n == 0 || n >= sizeof(num))
		return cli_usage_error(PAGE, "store", "%s: expected a size like 1048576 or 64M",
				       name);
	memcpy(num, s, n);
	num[n] = 0;
	if (cli_parse_u64(&v, num) < 0 || v > UINT64_MAX / mul)
		return cli_usage_error(PAGE, "store", "%s: expected a size like 1048576 or 64M",
				       name);
	*out = v * mul;
	return 0;
}

static int split_listen(char *host, size_t cap, uint16_t *port, const char *listen)
{
	const char *colon = strrchr(listen, ':');
	uint64_t p;
	size_t hl;

	if (!colon || colon == listen)
		return -1;
	hl = (size_t)(colon - listen);
	if (listen[0] == '[' && hl >= 2 && listen[hl - 1] == ']') { /* [::1]:5001 */
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

static int store_daemon(struct cli *cli, int argc, char **argv)
{
	const char *data = NULL, *listen = "127.0.0.1:5001", *max_size = NULL, *max_up = NULL;
	const struct opt opts[] = {
		OPT_STRING("data", &data),
		OPT_STRING("listen", &listen),
		OPT_STRING("max-size", &max_size),
		OPT_STRING("max-uploads", &max_up),
		OPT_END,
	};
	struct decc_store_server_opts o = { 0 };
	struct decc_store_server *srv = NULL;
	struct opt_args args;
	char host[256], line[512], *pos[1];
	uint64_t v;
	sigset_t set;
	bool done;
	int r, sig = 0;

	r = cli_parse(cli, PAGE, "store", opts, argc - 1, argv + 1, &args, pos, 0, &done);
	if (done)
		return r;
	if (!data)
		return cli_usage_error(PAGE, "store", "--data DIR is required");
	if (split_listen(host, sizeof(host), &o.port, listen) < 0)
		return cli_usage_error(PAGE, "store", "--listen: expected HOST:PORT, got '%s'",
				       listen);
	if (max_size) {
		if ((r = parse_bytes(&v, max_size, "--max-size")) != 0)
			return r;
		o.max_size = v;
	}
	if (max_up) {
		if (cli_parse_u64(&v, max_up) < 0 || v == 0 || v > 1024)
			return cli_usage_error(PAGE, "store", "--max-uploads: expected 1 to 1024");
		o.max_uploads = (unsigned)v;
	}
	/* Signals go to this thread only (sigwait below); threads started later inherit it. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	o.data_dir = data;
	o.host = host;
	o.log = log_line;
	if (decc_store_server_start(&srv, &o) < 0)
		return cli_fail("store");
	snprintf(line, sizeof(line),
		 "listening on %s:%u, data in %s, max upload %llu bytes%s, %u concurrent uploads",
		 host, (unsigned)decc_store_server_port(srv), data, (unsigned long long)o.max_size,
		 o.max_size ? "" : " (no limit)", o.max_uploads ? o.max_uploads : 8);
	log_line(NULL, line);
	while (sigwait(&set, &sig) != 0)
		;
	log_line(NULL, sig == SIGTERM ? "SIGTERM: stopping" : "SIGINT: stopping");
	decc_store_server_stop(srv);
	log_line(NULL, "stopped");
	return CLI_EXIT_OK;
}

static int store_add(struct cli *cli, int argc, char **argv)
{
	const char *api = DEFAULT_API;
	const struct opt opts[] = { OPT_STRING("api", &api), OPT_END };
	struct opt_args args;
	char cid[DECC_CID_STR_MAX], *pos[1];
	uint64_t size = 0;
	bool done;
	int r;

	r = cli_parse(cli, PAGE, "store add", opts, argc - 1, argv + 1, &args, pos, 1, &done);
	if (done)
		return r;
	if (args.npos != 1)
		return cli_usage_error(PAGE, "store add", "expected one FILE");
	if (decc_store_client_add(cid, &size, api, pos[0], NULL) < 0)
		return cli_fail("store add");
	if (cli->json) {
		json_t *o = json_pack("{s:s,s:I}", "cid", cid, "size", (json_int_t)size);

		r = cli_print_json(cli, o);
		json_decref(o);
		return r;
	}
	printf("%s\n", cid);
	return CLI_EXIT_OK;
}

static int store_cat(struct cli *cli, int argc, char **argv)
{
	const char *api = DEFAULT_API, *output = NULL;
	bool no_verify = false;
	const struct opt opts[] = { OPT_STRING("api", &api), OPT_STRING("output", &output),
				    OPT_FLAG("no-verify", &no_verify), OPT_END };
	struct opt_args args;
	char *pos[1];
	bool done;
	int r;

	r = cli_parse(cli, PAGE, "store cat", opts, argc - 1, argv + 1, &args, pos, 1, &done);
	if (done)
		return r;
	if (args.npos != 1)
		return cli_usage_error(PAGE, "store cat", "expected one CID");
	if (output && strcmp(output, "-") != 0)
		r = decc_store_client_cat(api, pos[0], output, !no_verify);
	else
		r = decc_store_client_cat_fd(api, pos[0], STDOUT_FILENO, !no_verify);
	if (r < 0)
		return cli_fail("store cat");
	return CLI_EXIT_OK;
}

int cmd_store(struct cli *cli, int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "add") == 0)
		return store_add(cli, argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "cat") == 0)
		return store_cat(cli, argc - 1, argv + 1);
	return store_daemon(cli, argc, argv);
}
