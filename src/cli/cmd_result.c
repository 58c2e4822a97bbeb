/* SPDX-License-Identifier: Apache-2.0 */
/* decc result: beneficiary keys, download and decryption of task results (docs/cmd/decc-result.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/error.h"
#include "decc/file.h"
#include "decc/result.h"
#include "decc/store.h"
#include "cli/cli.h"
#include "cli/pococli.h"

#define PAGE "result"
#define DEFAULT_API "http://127.0.0.1:5001"
#define PEM_MAX (1 << 16)

/* $HOME/.decc/result-keys, or --dir. */
static int keys_dir(char **out, const char *dir)
{
	const char *home = getenv("HOME");

	if (dir)
		*out = strdup(dir);
	else if (!home || !*home || asprintf(out, "%s/.decc/result-keys", home) < 0)
		*out = NULL;
	if (!*out)
		return cli_failx("result: no key directory (set HOME or give --dir)");
	return 0;
}

/* --address, else the address recorded in the wallet's keystore file (no password needed). */
static int beneficiary(struct cli *cli, decc_address *out, const char *addr)
{
	struct decc_buf b = DECC_BUF_INIT;
	json_t *o = NULL;
	char *path = NULL, full[45];
	const char *a;
	int r = CLI_EXIT_FAIL;

	if (addr) {
		if (decc_address_parse(out, addr) < 0)
			return cli_usage_error(PAGE, "result", "--address: %s", decc_error_last());
		return 0;
	}
	if (cli_wallet_path(cli, NULL, &path) < 0)
		return cli_fail("result: no --address and no wallet");
	if (decc_file_read(&b, path, 1 << 20) == 0)
		o = json_loadb((const char *)b.data, b.len, 0, NULL);
	a = json_string_value(json_object_get(o, "address"));
	if (a) {
		snprintf(full, sizeof(full), "%s%s", strncmp(a, "0x", 2) == 0 ? "" : "0x", a);
		if (decc_address_parse(out, full) == 0)
			r = 0;
	}
	if (r)
		cli_failx("result: %s has no address; give --address", path);
	json_decref(o);
	decc_buf_release(&b);
	free(path);
	return r;
}

static int result_generate(struct cli *cli, int argc, char **argv)
{
	const char *dir = NULL, *addr = NULL;
	bool force = false;
	const struct opt opts[] = { OPT_STRING("dir", &dir), OPT_STRING("address", &addr),
				    OPT_FLAG("force", &force), OPT_END };
	struct opt_args args;
	char *kd = NULL, *pos[1], a[43];
	decc_address who;
	bool done;
	int r;

	r = cli_parse(cli, PAGE, "result generate-keys", opts, argc - 1, argv + 1, &args, pos, 0,
		      &done);
	if (done)
		return r;
	if ((r = beneficiary(cli, &who, addr)) != 0 || (r = keys_dir(&kd, dir)) != 0)
		return r;
	if (decc_result_keys_generate(kd, &who, 0, force) < 0) {
		free(kd);
		return cli_fail("result generate-keys");
	}
	decc_address_to_checksum(a, &who);
	if (cli->json) {
		json_t *o = json_pack("{s:s}", "address", a);

		json_object_set_new(o, "privateKey", json_sprintf("%s/%s_key", kd, a));
		json_object_set_new(o, "publicKey", json_sprintf("%s/%s_key.pub", kd, a));
		r = cli_print_json(cli, o);
		json_decref(o);
	} else {
		printf("private key: %s/%s_key\npublic key:  %s/%s_key.pub\n", kd, a, kd, a);
		printf("push the public key to the SMS for %s before requesting encrypted "
		       "results\n",
		       a);
	}
	free(kd);
	return r;
}

/* The private key PEM: --key, else <dir>/<beneficiary>_key. */
static int load_key(struct cli *cli, struct decc_buf *pem, const char *key, const char *dir,
		    const char *addr)
{
	char *kd = NULL, *path = NULL, a[43];
	decc_address who;
	int r;

	if (!key) {
		if ((r = beneficiary(cli, &who, addr)) != 0 || (r = keys_dir(&kd, dir)) != 0)
			return r;
		decc_address_to_checksum(a, &who);
		if (asprintf(&path, "%s/%s_key", kd, a) < 0)
			path = NULL;
		free(kd);
		if (!path)
			return cli_failx("result: out of memory");
		key = path;
	}
	r = decc_file_read(pem, key, PEM_MAX) < 0 ? cli_fail("result: private key") : 0;
	free(path);
	return r;
}

static int decrypt_to(struct cli *cli, const char *file, const char *output, const char *unzip,
		      const char *key, const char *dir, const char *addr)
{
	struct decc_buf pem;
	int r;

	decc_buf_init_secret(&pem, PEM_MAX);
	if ((r = load_key(cli, &pem, key, dir, addr)) != 0)
		return r;
	r = decc_result_decrypt(output, file, (const char *)pem.data, pem.len);
	decc_buf_release(&pem);
	if (r < 0)
		return cli_fail("result decrypt: %s", file);
	if (unzip && decc_result_unzip(unzip, output) < 0)
		return cli_fail("result decrypt: unzip %s", output);
	return 0;
}

static int result_decrypt(struct cli *cli, int argc, char **argv)
{
	const char *key = NULL, *dir = NULL, *addr = NULL, *output = "iexec_out.zip", *unzip = NULL;
	const struct opt opts[] = { OPT_STRING("key", &key),	  OPT_STRING("dir", &dir),
				    OPT_STRING("address", &addr), OPT_STRING("output", &output),
				    OPT_STRING("unzip", &unzip),  OPT_END };
	struct opt_args args;
	char *pos[1];
	bool done;
	int r;

	r = cli_parse(cli, PAGE, "result decrypt", opts, argc - 1, argv + 1, &args, pos, 1, &done);
	if (done)
		return r;
	if (args.npos != 1)
		return cli_usage_error(PAGE, "result decrypt", "expected one FILE");
	if ((r = decrypt_to(cli, pos[0], output, unzip, key, dir, addr)) != 0)
		return r;
	if (cli->json) {
		json_t *o = json_pack("{s:s,s:s?}", "output", output, "unzipped", unzip);

		r = cli_print_json(cli, o);
		json_decref(o);
		return r;
	}
	printf("%s%s%s\n", output, unzip ? " -> " : "", unzip ? unzip : "");
	return CLI_EXIT_OK;
}

static int result_pull(struct cli *cli, int argc, char **argv)
{
	const char *api = DEFAULT_API, *output = NULL, *key = NULL, *dir = NULL, *addr = NULL;
	const char *unzip = NULL;
	bool decrypt = false;
	const struct opt opts[] = { OPT_STRING("api", &api),	   OPT_STRING("output", &output),
				    OPT_FLAG("decrypt", &decrypt), OPT_STRING("key", &key),
				    OPT_STRING("dir", &dir),	   OPT_STRING("address", &addr),
				    OPT_STRING("unzip", &unzip),   OPT_END };
	struct decc_chain_task t = { 0 };
	struct decc_chain *c = NULL;
	struct opt_args args;
	char *pos[1], *storage = NULL, *location = NULL, *out = NULL, *dec = NULL;
	uint8_t taskid[32];
	bool done, encrypted;
	int r;

	r = cli_parse(cli, PAGE, "result pull", opts, argc - 1, argv + 1, &args, pos, 1, &done);
	if (done)
		return r;
	if (args.npos != 1 || pcli_parse_bytes32(taskid, pos[0]) < 0)
		return cli_usage_error(PAGE, "result pull", "expected one TASK id (0x + 64 hex)");
	if ((r = pcli_open(cli, PAGE, "result pull", &c, false, NULL)) != 0)
		return r;
	if (decc_chain_view_task(c, &t, taskid) < 0) {
		decc_chain_free(c);
		return pcli_fail("result pull");
	}
	decc_chain_free(c);
	if (t.status != DECC_TASK_COMPLETED || t.results.len == 0) {
		decc_chain_task_release(&t);
		return cli_failx("result pull: task %s has no result on the ledger (not COMPLETED)",
				 pos[0]);
	}
	r = decc_result_link_parse(&storage, &location, t.results.data, t.results.len);
	decc_chain_task_release(&t);
	if (r < 0)
		return cli_fail("result pull");
	if (strcmp(storage, "ipfs") != 0 || strncmp(location, "/ipfs/", 6) != 0) {
		r = cli_failx("result pull: result stored on '%s' at '%s'; only ipfs is supported",
			      storage, location);
		goto out;
	}
	if (!output && asprintf(&out, "%s.zip", pos[0]) < 0) {
		r = cli_failx("result pull: out of memory");
		goto out;
	}
	if (decc_store_client_cat(api, location + 6, output ? output : out, true) < 0) {
		r = cli_fail("result pull: %s", location);
		goto out;
	}
	encrypted = decc_result_is_encrypted(output ? output : out);
	if (decrypt && encrypted) {
		if (asprintf(&dec, "%s.dec.zip", output ? output : out) < 0) {
			r = cli_failx("result pull: out of memory");
			goto out;
		}
		r = decrypt_to(cli, output ? output : out, dec, unzip, key, dir, addr);
		if (r)
			goto out;
	} else if (unzip && decc_result_unzip(unzip, output ? output : out) < 0) {
		r = cli_fail("result pull: unzip");
		goto out;
	}
	if (cli->json) {
		json_t *o = json_pack("{s:s,s:s,s:b,s:s?,s:s?}", "location", location, "file",
				      output ? output : out, "encrypted", encrypted, "decrypted",
				      dec, "unzipped", unzip);

		r = cli_print_json(cli, o);
		json_decref(o);
	} else {
		printf("%s%s\n", output ? output : out, encrypted ? " (encrypted)" : "");
		if (dec)
			printf("%s\n", dec);
		r = CLI_EXIT_OK;
	}
out:
	free(storage);
	free(location);
	free(out);
	free(dec);
	return r;
}

int cmd_result(struct cli *cli, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "generate-keys") == 0)
		return result_generate(cli, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "decrypt") == 0)
		return result_decrypt(cli, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "pull") == 0)
		return result_pull(cli, argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(cli_help_text(PAGE), stdout);
		return CLI_EXIT_OK;
	}
	return cli_usage_error(PAGE, "result", "expected generate-keys, decrypt or pull");
}
