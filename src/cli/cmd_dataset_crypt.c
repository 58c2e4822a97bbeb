/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decc dataset encrypt|decrypt: the dataset file format of the iexec SDK (IV || AES-256-CBC,
 * base64 key file, 0x-sha256 checksum), documented in docs/cmd/decc-protect.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decc/error.h"
#include "decc/file.h"
#include "decc/protect.h"
#include "cli/protect_cmds.h"

#define PAGE "protect"

/* path + suffix, or path without suffix (strip), on the heap. */
static char *with_suffix(const char *path, const char *suffix)
{
	size_t n = strlen(path), s = strlen(suffix);
	char *out = malloc(n + s + 1);

	if (out)
		snprintf(out, n + s + 1, "%s%s", path, suffix);
	return out;
}

static int read_key_file(uint8_t key[DECC_PROTECT_KEY_LEN], const char *path)
{
	struct decc_buf b;
	int r;

	decc_buf_init_secret(&b, 4096);
	r = decc_file_read(&b, path, 4096);
	if (r == 0)
		r = decc_protect_key_decode(key, (const char *)b.data, b.len);
	decc_buf_release(&b);
	if (r < 0)
		return decc_error_wrap(r, "key file %s", path);
	return 0;
}

int cmd_dataset_encrypt(struct cli *cli, int argc, char **argv)
{
	const char *output = NULL, *key_file = NULL;
	bool force = false;
	const struct opt opts[] = {
		OPT_STRING("output", &output),
		OPT_STRING("key-file", &key_file),
		OPT_FLAG("force", &force),
		OPT_END,
	};
	char *def_out = NULL, *def_key = NULL, *pos[1];
	char sum[DECC_PROTECT_CHECKSUM_STR_MAX], b64[DECC_PROTECT_KEY_B64_LEN + 2];
	uint8_t key[DECC_PROTECT_KEY_LEN];
	unsigned flags;
	struct opt_args args;
	bool done;
	int r;

	r = cli_parse(cli, PAGE, "dataset encrypt", opts, argc - 1, argv + 1, &args, pos, 1, &done);
	if (done)
		return r;
	if (args.npos != 1)
		return cli_usage_error(PAGE, "dataset encrypt", "expected one FILE");
	flags = force ? DECC_PROTECT_REPLACE : 0;
	if (!output)
		output = def_out = with_suffix(pos[0], ".enc");
	if (!key_file)
		key_file = def_key = with_suffix(output, ".key");
	if (!output || !key_file) {
		r = cli_failx("dataset encrypt: out of memory");
		goto out;
	}
	if (!force && decc_file_exists(output)) {
		r = cli_failx("dataset encrypt: %s already exists (use --force to replace it)",
			      output);
		goto out;
	}
	if (decc_protect_key_new(key) < 0) {
		r = cli_fail("dataset encrypt: new key");
		goto out;
	}
	decc_protect_key_encode(b64, key);
	strcat(b64, "\n");
	/* the key first: an encrypted file without its key would be lost data */
	if (decc_file_write_atomic(key_file, b64, strlen(b64), 0600,
				   force ? DECC_FILE_REPLACE : 0) < 0) {
		r = cli_fail("dataset encrypt: write the key file");
		goto out;
	}
	if (decc_protect_encrypt_file(output, sum, pos[0], key, flags, NULL) < 0) {
		r = cli_fail("dataset encrypt");
		unlink(key_file);
		goto out;
	}
	if (cli->json) {
		json_t *o = json_pack("{s:s,s:s,s:s}", "encrypted", output, "keyFile", key_file,
				      "checksum", sum);

		r = cli_print_json(cli, o);
		json_decref(o);
	} else {
		printf("%s\n", sum);
		fprintf(stderr, "encrypted %s -> %s, key (base64) in %s\n", pos[0], output,
			key_file);
		r = CLI_EXIT_OK;
	}
out:
	decc_wipe(key, sizeof(key));
	decc_wipe(b64, sizeof(b64));
	free(def_out);
	free(def_key);
	return r;
}

int cmd_dataset_decrypt(struct cli *cli, int argc, char **argv)
{
	const char *output = NULL, *key_file = NULL;
	bool force = false;
	const struct opt opts[] = {
		OPT_STRING("output", &output),
		OPT_STRING("key-file", &key_file),
		OPT_FLAG("force", &force),
		OPT_END,
	};
	uint8_t key[DECC_PROTECT_KEY_LEN];
	char *def_out = NULL, *pos[1];
	struct opt_args args;
	bool done;
	int r;

	r = cli_parse(cli, PAGE, "dataset decrypt", opts, argc - 1, argv + 1, &args, pos, 1, &done);
	if (done)
		return r;
	if (args.npos != 1)
		return cli_usage_error(PAGE, "dataset decrypt", "expected one FILE.enc");
	if (!key_file)
		return cli_usage_error(PAGE, "dataset decrypt", "--key-file FILE is required");
	if (!output) {
		size_t n = strlen(pos[0]);

		if (n > 4 && strcmp(pos[0] + n - 4, ".enc") == 0) {
			def_out = strdup(pos[0]);
			if (def_out)
				def_out[n - 4] = 0;
		} else {
			def_out = with_suffix(pos[0], ".dec");
		}
		if (!def_out)
			return cli_failx("dataset decrypt: out of memory");
		output = def_out;
	}
	if (read_key_file(key, key_file) < 0) {
		free(def_out);
		return cli_fail("dataset decrypt");
	}
	r = decc_protect_decrypt_file(output, pos[0], key, force ? DECC_PROTECT_REPLACE : 0);
	decc_wipe(key, sizeof(key));
	if (r < 0) {
		free(def_out);
		return cli_fail("dataset decrypt");
	}
	if (cli->json) {
		json_t *o = json_pack("{s:s}", "decrypted", output);

		r = cli_print_json(cli, o);
		json_decref(o);
	} else {
		printf("%s\n", output);
		r = CLI_EXIT_OK;
	}
	free(def_out);
	return r;
}
