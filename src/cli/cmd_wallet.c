/* SPDX-License-Identifier: Apache-2.0 */
/* decc wallet: create, import, show, sign-message (keystore v3 files, EIP-191 signatures). */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/file.h"
#include "decc/hex.h"
#include "decc/keystore.h"
#include "cli/cli.h"

#define PAGE "wallet"
#define KEYFILE_MAX 1024 /* bytes of a private key file */

struct wallet_opts {
	const char *keystore_dir;
	const char *private_key_file;
	bool kdf_light;
	bool show_private_key;
};

/* geth's name: UTC--<ISO time with '-' for ':'>--<address, lowercase, no 0x> */
static int keystore_name(char *out, size_t cap, const decc_address *a)
{
	char hex[41], stamp[32];
	struct timespec ts;
	struct tm tm;

	if (clock_gettime(CLOCK_REALTIME, &ts) < 0 || !gmtime_r(&ts.tv_sec, &tm) ||
	    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H-%M-%S", &tm) == 0)
		return decc_error_set(DECC_ERROR, "cannot read the clock");
	decc_hex_encode(hex, a->b, sizeof(a->b), false);
	snprintf(out, cap, "UTC--%s.%03ld000000Z--%s", stamp, ts.tv_nsec / 1000000, hex);
	return 0;
}

/* An existing keystore of the same address in dir (file name ending in "--<hex>"), if any. */
static char *find_existing(const char *dir, const decc_address *a)
{
	char hex[41], *found = NULL;
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return NULL;
	decc_hex_encode(hex, a->b, sizeof(a->b), false);
	while (!found && (e = readdir(d))) {
		size_t n = strlen(e->d_name);

		if (n > 42 && strcmp(e->d_name + n - 40, hex) == 0 &&
		    memcmp(e->d_name + n - 42, "--", 2) == 0 && e->d_name[0] != '.' &&
		    !strstr(e->d_name, ".tmp-")) {
			if (asprintf(&found, "%s/%s", dir, e->d_name) < 0)
				found = NULL;
		}
	}
	closedir(d);
	return found;
}

/* Encrypt sk and write it into the keystore directory; prints the result. */
static int save_wallet(struct cli *cli, const char *what, const struct wallet_opts *wo,
		       const uint8_t sk[32])
{
	struct decc_keystore_params params;
	struct decc_buf pass, json = DECC_BUF_INIT;
	char *dir = NULL, *path = NULL, *existing;
	char name[128], addr_s[43];
	decc_address addr;
	int r, ret = CLI_EXIT_FAIL;

	decc_buf_init_secret(&pass, 4096);
	if (decc_address_from_seckey(&addr, sk) < 0)
		return cli_fail("%s", what);
	decc_address_to_checksum(addr_s, &addr);
	if (wo->keystore_dir) {
		dir = strdup(wo->keystore_dir);
		if (!dir)
			return cli_failx("%s: out of memory", what);
	} else if (cli_default_keystore_dir(&dir) < 0) {
		return cli_fail("%s", what);
	}
	existing = find_existing(dir, &addr);
	if (existing) {
		cli_failx("%s: a wallet for %s already exists: %s", what, addr_s, existing);
		free(existing);
		goto out;
	}
	if (cli_password(cli, &pass, true) < 0) {
		cli_fail("%s", what);
		goto out;
	}
	if (wo->kdf_light)
		decc_keystore_params_light(&params);
	else
		decc_keystore_params_default(&params);
	r = decc_keystore_encrypt(&json, sk, (const char *)pass.data, pass.len, &params);
	if (r < 0) {
		cli_fail("%s: cannot encrypt the key", what);
		goto out;
	}
	if (keystore_name(name, sizeof(name), &addr) < 0 || decc_file_mkdirs(dir, 0700) < 0) {
		cli_fail("%s", what);
		goto out;
	}
	if (asprintf(&path, "%s/%s", dir, name) < 0) {
		path = NULL;
		cli_failx("%s: out of memory", what);
		goto out;
	}
	if (decc_file_write_atomic(path, json.data, json.len, 0600, 0) < 0) {
		cli_fail("%s: cannot write the keystore", what);
		goto out;
	}
	if (cli->json) {
		json_t *o = json_pack("{s:s, s:s}", "address", addr_s, "keystore", path);

		ret = cli_print_json(cli, o);
		json_decref(o);
	} else {
		printf("%s\n", addr_s);
		ret = CLI_EXIT_OK;
	}
out:
	decc_buf_release(&pass);
	decc_buf_release(&json);
	free(dir);
	free(path);
	return ret;
}

static int wallet_create(struct cli *cli, struct wallet_opts *wo)
{
	uint8_t sk[32];
	int r;

	if (decc_secp256k1_keygen(sk) < 0)
		return cli_fail("wallet create: cannot generate a key");
	r = save_wallet(cli, "wallet create", wo, sk);
	decc_wipe(sk, sizeof(sk));
	return r;
}

/* A private key file: 64 hex digits, "0x" optional, surrounding white space ignored. */
static int read_private_key(uint8_t sk[32], const char *path)
{
	struct decc_buf b;
	size_t start = 0, end;
	uint8_t key[32];
	int r;

	decc_buf_init_secret(&b, KEYFILE_MAX);
	r = decc_file_read(&b, path, KEYFILE_MAX);
	if (r < 0) {
		decc_buf_release(&b);
		return decc_error_wrap(r, "cannot read the private key file");
	}
	end = b.len;
	while (start < end && isspace(b.data[start]))
		start++;
	while (end > start && isspace(b.data[end - 1]))
		end--;
	b.data[end] = 0;
	r = decc_hex_decode_exact(key, sizeof(key), (const char *)b.data + start);
	decc_buf_release(&b);
	if (r < 0)
		return decc_error_set(
		    DECC_EINVAL, "%s: not a private key (expected 64 hex digits, '0x' optional)",
		    path);
	if (!decc_secp256k1_seckey_valid(key)) {
		decc_wipe(key, sizeof(key));
		return decc_error_set(DECC_EINVAL,
				      "%s: not a valid secp256k1 private key (zero or >= the curve "
				      "order)",
				      path);
	}
	memcpy(sk, key, sizeof(key));
	decc_wipe(key, sizeof(key));
	return 0;
}

static int wallet_import(struct cli *cli, struct wallet_opts *wo)
{
	uint8_t sk[32];
	int r;

	if (!wo->private_key_file)
		return cli_usage_error(PAGE, "wallet import",
				       "--private-key-file FILE is required");
	if (read_private_key(sk, wo->private_key_file) < 0)
		return cli_fail("wallet import");
	r = save_wallet(cli, "wallet import", wo, sk);
	decc_wipe(sk, sizeof(sk));
	return r;
}

static int wallet_show(struct cli *cli, struct wallet_opts *wo)
{
	struct decc_buf out;
	char addr_s[43];
	uint8_t sk[32];
	decc_address addr;
	int r = 0;

	if (cli_wallet_open(cli, wo->keystore_dir, sk, &addr) < 0)
		return cli_fail("wallet show");
	decc_address_to_checksum(addr_s, &addr);
	/* built by hand so the key only ever lives in wiped memory */
	decc_buf_init_secret(&out, 4096);
	if (cli->json) {
		r = decc_buf_appendf(&out, "{\"address\":\"%s\"", addr_s);
		if (r == 0 && wo->show_private_key)
			r = decc_buf_append_str(&out, ",\"privateKey\":\"");
		if (r == 0 && wo->show_private_key)
			r = decc_hex_append(&out, sk, sizeof(sk));
		if (r == 0 && wo->show_private_key)
			r = decc_buf_append_str(&out, "\"");
		if (r == 0)
			r = decc_buf_append_str(&out, "}\n");
	} else {
		r = decc_buf_appendf(&out, "address: %s\n", addr_s);
		if (r == 0 && wo->show_private_key)
			r = decc_buf_append_str(&out, "private key: ");
		if (r == 0 && wo->show_private_key)
			r = decc_hex_append(&out, sk, sizeof(sk));
		if (r == 0 && wo->show_private_key)
			r = decc_buf_append_str(&out, "\n");
	}
	decc_wipe(sk, sizeof(sk));
	if (r == 0)
		fwrite(out.data, 1, out.len, stdout);
	decc_buf_release(&out);
	return r == 0 ? CLI_EXIT_OK : cli_fail("wallet show");
}

static int wallet_sign_message(struct cli *cli, struct wallet_opts *wo, const char *msg)
{
	char addr_s[43], sig_s[2 * 65 + 3];
	uint8_t sk[32], sig[65];
	decc_address addr;
	int r;

	if (cli_wallet_open(cli, wo->keystore_dir, sk, &addr) < 0)
		return cli_fail("wallet sign-message");
	r = decc_eip191_sign(sig, msg, strlen(msg), sk);
	decc_wipe(sk, sizeof(sk));
	if (r < 0)
		return cli_fail("wallet sign-message");
	decc_address_to_checksum(addr_s, &addr);
	decc_hex_encode(sig_s, sig, sizeof(sig), true);
	if (cli->json) {
		json_t *o = json_pack("{s:s, s:s, s:s}", "address", addr_s, "message", msg,
				      "signature", sig_s);

		if (!o)
			return cli_failx(
			    "wallet sign-message: the message is not valid UTF-8 text");
		r = cli_print_json(cli, o);
		json_decref(o);
		return r;
	}
	printf("%s\n", sig_s);
	return CLI_EXIT_OK;
}

int cmd_wallet(struct cli *cli, int argc, char **argv)
{
	struct wallet_opts wo = { 0 };
	const struct opt opts[] = {
		OPT_STRING("keystore-dir", &wo.keystore_dir),
		OPT_STRING("private-key-file", &wo.private_key_file),
		OPT_FLAG("kdf-light", &wo.kdf_light),
		OPT_FLAG("show-private-key", &wo.show_private_key),
		OPT_END,
	};
	struct opt_args args;
	char *pos[3];
	const char *sub;
	char cmd[64];
	bool done;
	int r;

	r = cli_parse(cli, PAGE, "wallet", opts, argc - 1, argv + 1, &args, pos, 3, &done);
	if (done)
		return r;
	if (args.npos == 0)
		return cli_usage_error(PAGE, "wallet",
				       "missing subcommand (create, import, show, sign-message)");
	sub = args.pos[0];
	if (strcmp(sub, "create") != 0 && strcmp(sub, "import") != 0 && strcmp(sub, "show") != 0 &&
	    strcmp(sub, "sign-message") != 0)
		return cli_usage_error(PAGE, "wallet", "unknown subcommand '%s'", sub);
	snprintf(cmd, sizeof(cmd), "wallet %s", sub);
	/* options that make no sense for a subcommand are refused, not ignored */
	if (wo.private_key_file && strcmp(sub, "import") != 0)
		return cli_usage_error(PAGE, cmd, "--private-key-file is only for 'wallet import'");
	if (wo.kdf_light && strcmp(sub, "create") != 0 && strcmp(sub, "import") != 0)
		return cli_usage_error(PAGE, cmd, "--kdf-light is only for create and import");
	if (wo.show_private_key && strcmp(sub, "show") != 0)
		return cli_usage_error(PAGE, cmd, "--show-private-key is only for 'wallet show'");
	if (strcmp(sub, "sign-message") == 0) {
		if (args.npos != 2)
			return cli_usage_error(PAGE, cmd, "expects exactly one MESSAGE argument");
		return wallet_sign_message(cli, &wo, args.pos[1]);
	}
	if (args.npos > 1)
		return cli_usage_error(PAGE, cmd, "unexpected argument '%s'", args.pos[1]);
	if (strcmp(sub, "create") == 0)
		return wallet_create(cli, &wo);
	if (strcmp(sub, "import") == 0)
		return wallet_import(cli, &wo);
	return wallet_show(cli, &wo);
}
