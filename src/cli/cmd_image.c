/* SPDX-License-Identifier: Apache-2.0 */
/* decc image: build, digest and run iApp images (docs/cmd/decc-image.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decc/error.h"
#include "decc/file.h"
#include "decc/hex.h"
#include "decc/iapp.h"
#include "decc/oci.h"
#include "cli/image_cmds.h"

#define PAGE "image"
#define MAX_REPEAT 256
#define TAIL_BYTES 4096

/*
 * The option parser keeps one value per option; the repeatable ones (--entrypoint, --cmd,
 * --env) are taken out of argv first, in order. Returns the new argc or -1 (usage).
 */
struct multi {
	const char *name;
	const char *v[MAX_REPEAT + 1];
	size_t n;
};

static int take_multi(struct multi *m, size_t nm, int argc, char **argv, const char *cmd)
{
	int out = 0;

	for (int i = 0; i < argc; i++) {
		bool taken = false;

		if (strcmp(argv[i], "--") == 0) {
			while (i < argc)
				argv[out++] = argv[i++];
			break;
		}
		for (size_t k = 0; k < nm && !taken; k++) {
			size_t l = strlen(m[k].name);
			const char *val = NULL;

			if (strncmp(argv[i], "--", 2) != 0 ||
			    strncmp(argv[i] + 2, m[k].name, l) != 0)
				continue;
			if (argv[i][2 + l] == '=')
				val = argv[i] + 3 + l;
			else if (argv[i][2 + l] == 0) {
				if (i + 1 >= argc) {
					cli_usage_error(PAGE, cmd, "--%s needs a value", m[k].name);
					return -1;
				}
				val = argv[++i];
			} else {
				continue;
			}
			if (m[k].n >= MAX_REPEAT) {
				cli_usage_error(PAGE, cmd, "more than %d --%s", MAX_REPEAT,
						m[k].name);
				return -1;
			}
			m[k].v[m[k].n++] = val;
			m[k].v[m[k].n] = NULL;
			taken = true;
		}
		if (!taken)
			argv[out++] = argv[i];
	}
	return out;
}

static int default_cache(char *out, size_t cap, const char *given)
{
	const char *home = getenv("HOME");

	if (given) {
		snprintf(out, cap, "%s", given);
		return 0;
	}
	if (!home || !*home)
		return decc_error_set(DECC_EINVAL, "no $HOME: give --cache DIR");
	if ((size_t)snprintf(out, cap, "%s/.decc/image-cache", home) >= cap)
		return decc_error_set(DECC_ELIMIT, "cache path too long");
	return 0;
}

static int print_digest(const struct cli *cli, const char *digest, const char *file)
{
	if (cli->json) {
		char hex[70];
		json_t *o;
		int r;

		snprintf(hex, sizeof(hex), "0x%s", digest + 7);
		o = json_pack("{s:s,s:s,s:s}", "digest", hex, "image", digest, "file", file);
		r = cli_print_json(cli, o);
		json_decref(o);
		return r;
	}
	printf("0x%s\n", digest + 7);
	return CLI_EXIT_OK;
}

static int image_build(struct cli *cli, int argc, char **argv)
{
	struct multi m[3] = { { .name = "entrypoint" }, { .name = "cmd" }, { .name = "env" } };
	const char *output = NULL, *workdir = NULL, *user = NULL;
	bool gzip = false;
	const struct opt opts[] = {
		OPT_STRING("output", &output),	 OPT_STRING("o", &output),
		OPT_STRING("workdir", &workdir), OPT_STRING("user", &user),
		OPT_FLAG("gzip", &gzip),	 OPT_END,
	};
	struct decc_oci_build_spec spec = { 0 };
	struct opt_args args;
	char *pos[1], digest[72];
	bool done;
	int r;

	/* "-o OUT" is accepted as a short form of --output */
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "-o") == 0)
			argv[i] = "--output";
	argc = take_multi(m, 3, argc - 1, argv + 1, "image build") + 1;
	if (argc <= 0)
		return CLI_EXIT_USAGE;
	r = cli_parse(cli, PAGE, "image build", opts, argc - 1, argv + 1, &args, pos, 1, &done);
	if (done)
		return r;
	if (args.npos != 1 || !output)
		return cli_usage_error(PAGE, "image build", "give DIR and -o OUT.tar");
	spec.entrypoint = m[0].n ? m[0].v : NULL;
	spec.cmd = m[1].n ? m[1].v : NULL;
	spec.env = m[2].n ? m[2].v : NULL;
	spec.workdir = workdir;
	spec.user = user;
	spec.gzip = gzip;
	if (decc_oci_build(digest, pos[0], output, &spec) < 0)
		return cli_fail("image build");
	return print_digest(cli, digest, output);
}

static int image_digest(struct cli *cli, int argc, char **argv)
{
	const char *cache = NULL;
	const struct opt opts[] = { OPT_STRING("cache", &cache), OPT_END };
	struct opt_args args;
	char *pos[1], dir[4096], digest[72];
	uint8_t d[32];
	bool done;
	int r;

	r = cli_parse(cli, PAGE, "image digest", opts, argc - 1, argv + 1, &args, pos, 1, &done);
	if (done)
		return r;
	if (args.npos != 1)
		return cli_usage_error(PAGE, "image digest", "give the image FILE");
	if (default_cache(dir, sizeof(dir), cache) < 0 || decc_iapp_measure(d, pos[0], dir) < 0)
		return cli_fail("image digest %s", pos[0]);
	memcpy(digest, "sha256:", 7);
	decc_hex_encode(digest + 7, d, 32, false);
	return print_digest(cli, digest, pos[0]);
}

/* The last TAIL_BYTES of a file as a string ("" when absent). */
static char *tail_of(const char *path, bool *cut)
{
	FILE *f = fopen(path, "rb");
	char *s = calloc(1, TAIL_BYTES + 1);
	long n;
	size_t k = 0;

	*cut = false;
	if (!f || !s) {
		if (f)
			fclose(f);
		return s;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	if (n > TAIL_BYTES) {
		*cut = true;
		fseek(f, n - TAIL_BYTES, SEEK_SET);
	} else {
		fseek(f, 0, SEEK_SET);
	}
	k = fread(s, 1, TAIL_BYTES, f);
	s[k] = 0;
	fclose(f);
	return s;
}

static int image_run(struct cli *cli, int argc, char **argv)
{
	struct multi m[1] = { { .name = "env" } };
	const char *in = NULL, *out = NULL, *args_s = NULL, *timeout = NULL, *cache = NULL;
	const char *memory = NULL, *digest_opt = NULL;
	bool network = false;
	const struct opt opts[] = {
		OPT_STRING("in", &in),
		OPT_STRING("out", &out),
		OPT_STRING("args", &args_s),
		OPT_STRING("timeout", &timeout),
		OPT_STRING("cache", &cache),
		OPT_STRING("memory", &memory),
		OPT_STRING("digest", &digest_opt),
		OPT_FLAG("network", &network),
		OPT_END,
	};
	struct decc_iapp_spec s = { 0 };
	struct decc_iapp_result res;
	struct opt_args args;
	char *pos[1], dir[4096], tmpd[] = "/tmp/decc-image-run-XXXXXX", so[64], se[64];
	uint8_t want[32];
	uint64_t t = 0, mem = 0;
	char *otail = NULL, *etail = NULL;
	bool done, ocut, ecut;
	int r;

	argc = take_multi(m, 1, argc - 1, argv + 1, "image run") + 1;
	if (argc <= 0)
		return CLI_EXIT_USAGE;
	r = cli_parse(cli, PAGE, "image run", opts, argc - 1, argv + 1, &args, pos, 1, &done);
	if (done)
		return r;
	if (args.npos != 1 || !out)
		return cli_usage_error(PAGE, "image run", "give the image FILE and --out DIR");
	if (timeout && cli_parse_u64(&t, timeout) < 0)
		return cli_usage_error(PAGE, "image run", "--timeout: %s", decc_error_last());
	if (memory && cli_parse_u64(&mem, memory) < 0)
		return cli_usage_error(PAGE, "image run", "--memory: %s", decc_error_last());
	if (digest_opt) {
		const char *h = digest_opt;

		if (strncmp(h, "0x", 2) == 0)
			h += 2;
		else if (strncmp(h, "sha256:", 7) == 0)
			h += 7;
		if (decc_hex_decode_exact(want, 32, h) < 0)
			return cli_usage_error(PAGE, "image run", "--digest: not 32 bytes of hex");
		s.expect_digest = want;
	}
	for (size_t i = 0; i < m[0].n; i++)
		if (!strchr(m[0].v[i], '=') || m[0].v[i][0] == '=')
			return cli_usage_error(PAGE, "image run", "--env %s is not NAME=VALUE",
					       m[0].v[i]);
	if (default_cache(dir, sizeof(dir), cache) < 0)
		return cli_fail("image run");
	if (decc_file_mkdirs(out, 0755) < 0)
		return cli_fail("image run: --out %s", out);
	if (!mkdtemp(tmpd))
		return cli_failx("image run: cannot create a temp dir: %s", strerror(errno));
	snprintf(so, sizeof(so), "%s/stdout", tmpd);
	snprintf(se, sizeof(se), "%s/stderr", tmpd);
	s.image = pos[0];
	s.cache_dir = dir;
	s.in_dir = in;
	s.out_dir = out;
	s.args = args_s;
	s.env = m[0].n ? m[0].v : NULL;
	s.network = network;
	s.timeout_s = t;
	s.memory_bytes = mem;
	s.stdout_path = so;
	s.stderr_path = se;
	r = decc_iapp_run(&res, &s);
	if (r == 0) {
		otail = tail_of(so, &ocut);
		etail = tail_of(se, &ecut);
	}
	unlink(so);
	unlink(se);
	rmdir(tmpd);
	if (r < 0)
		return cli_fail("image run %s", pos[0]);
	if (cli->json) {
		char hex[67];
		json_t *o;

		decc_hex_encode(hex, res.digest, 32, true);
		o = json_pack("{s:s,s:i,s:b,s:i,s:I,s:s,s:s,s:I,s:I,s:s}", "digest", hex,
			      "exitCode", res.exit_code, "timedOut", res.timed_out, "signal",
			      res.sb.signal, "wallMs", (json_int_t)(res.sb.wall_us / 1000),
			      "stdout", otail ? otail : "", "stderr", etail ? etail : "",
			      "stdoutBytes", (json_int_t)res.sb.stdout_bytes, "stderrBytes",
			      (json_int_t)res.sb.stderr_bytes, "notes", res.sb.notes);
		if (o)
			cli_print_json(cli, o);
		json_decref(o);
	} else {
		printf("exit code: %d%s\n", res.exit_code, res.timed_out ? " (timed out)" : "");
		if (res.sb.signal && !res.timed_out)
			printf("killed by signal %d\n", res.sb.signal);
		printf("--- stdout%s ---\n%s", ocut ? " (last 4 KiB)" : "", otail ? otail : "");
		if (otail && *otail && otail[strlen(otail) - 1] != '\n')
			putchar('\n');
		printf("--- stderr%s ---\n%s", ecut ? " (last 4 KiB)" : "", etail ? etail : "");
		if (etail && *etail && etail[strlen(etail) - 1] != '\n')
			putchar('\n');
	}
	free(otail);
	free(etail);
	if (res.exit_code != 0)
		return cli_failx("image run: the app %s %d",
				 res.timed_out ? "timed out, exit" : "exited with", res.exit_code);
	return CLI_EXIT_OK;
}

int cmd_image(struct cli *cli, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		const char *text = cli_help_text(PAGE);

		fputs(text ? text : "decc image build|digest|run\n", argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "build") == 0)
		return image_build(cli, argc - 1, argv + 1);
	if (strcmp(argv[1], "digest") == 0)
		return image_digest(cli, argc - 1, argv + 1);
	if (strcmp(argv[1], "run") == 0)
		return image_run(cli, argc - 1, argv + 1);
	return cli_usage_error(PAGE, "image", "unknown subcommand '%s'", argv[1]);
}
