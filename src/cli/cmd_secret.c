/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decc secret: push secrets to an SMS and check that they are there (docs/cmd/decc-secret.md).
 * The push is signed by the wallet (EIP-191 over the SMS challenge, see include/decc/sms.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/file.h"
#include "decc/hex.h"
#include "decc/sms.h"
#include "cli/cli.h"

#define PAGE "secret"
#define PEM_MAX 16384

struct secret_opts {
	const char *sms, *value_file, *key_file, *private_key_file;
	bool update;
};

/* 64 hex digits on the first line (dev chains). */
static int read_private_key(const char *path, uint8_t sk[32])
{
	struct decc_buf text;
	size_t n;
	int r;

	decc_buf_init_secret(&text, 4096);
	r = decc_file_read(&text, path, 4096);
	if (r < 0) {
		decc_buf_release(&text);
		return decc_error_wrap(r, "cannot read the private key file");
	}
	n = text.len;
	while (n > 0 &&
	       (text.data[n - 1] == '\n' || text.data[n - 1] == '\r' || text.data[n - 1] == ' '))
		n--;
	text.data[n] = 0;
	r = decc_hex_decode_exact(sk, 32, (const char *)text.data);
	decc_buf_release(&text);
	if (r < 0)
		return decc_error_set(
		    DECC_EINVAL, "%s: expected a private key, 64 hex digits (0x optional)", path);
	return 0;
}

static int open_wallet(struct cli *cli, const struct secret_opts *o, uint8_t sk[32],
		       decc_address *me)
{
	if (o->private_key_file) {
		DECC_TRY(read_private_key(o->private_key_file, sk));
		return decc_address_from_seckey(me, sk);
	}
	return cli_wallet_open(cli, NULL, sk, me);
}

/* A value file, byte for byte ("-": stdin), at most DECC_SMS_SECRET_MAX bytes. */
static int read_value(struct decc_buf *out, const char *path)
{
	if (strcmp(path, "-") == 0) {
		uint8_t chunk[1024];
		ssize_t n;

		while ((n = read(STDIN_FILENO, chunk, sizeof(chunk))) > 0) {
			int r = decc_buf_append(out, chunk, (size_t)n);

			decc_wipe(chunk, sizeof(chunk));
			if (r < 0)
				return decc_error_set(DECC_ELIMIT,
						      "the secret on stdin is larger than %d bytes",
						      DECC_SMS_SECRET_MAX);
		}
		DECC_ENSURE(n == 0, DECC_ERROR, "cannot read the secret from stdin");
		return 0;
	}
	return decc_file_read(out, path, DECC_SMS_SECRET_MAX);
}

/*
 * The dataset key as the SMS keeps it: base64 of the 32-byte AES-256 key. The file holds that
 * text (as 'iexec dataset encrypt' writes it; surrounding whitespace ignored) or the 32 raw
 * bytes.
 */
static int read_dataset_key(struct decc_buf *out, const char *path)
{
	struct decc_buf raw, dec;
	size_t b = 0, e;
	int r;

	decc_buf_init_secret(&raw, 4096);
	decc_buf_init_secret(&dec, 4096);
	r = decc_file_read(&raw, path, 4096);
	if (r == 0 && raw.len == 32) {
		r = decc_base64_encode(out, raw.data, 32);
		goto done;
	}
	e = raw.len;
	while (r == 0 && b < e && strchr(" \t\r\n", raw.data[b]))
		b++;
	while (r == 0 && e > b && strchr(" \t\r\n", raw.data[e - 1]))
		e--;
	if (r == 0 &&
	    (decc_base64_decode(&dec, (const char *)raw.data + b, e - b) < 0 || dec.len != 32))
		r = decc_error_set(DECC_EINVAL,
				   "%s: expected a dataset key, the base64 of 32 bytes (44 "
				   "characters) or 32 raw bytes",
				   path);
	if (r == 0)
		r = decc_buf_append(out, raw.data + b, e - b);
done:
	decc_buf_release(&raw);
	decc_buf_release(&dec);
	return r;
}

/* The result key as iExec keeps it: base64 of the PEM text of the RSA public key. */
static int read_result_key(struct decc_buf *out, const char *path)
{
	struct decc_buf pem, pub = DECC_BUF_INIT;
	struct decc_rsa *k = NULL;
	int r;

	decc_buf_init_secret(&pem, PEM_MAX);
	r = decc_file_read(&pem, path, PEM_MAX);
	if (r == 0)
		r = decc_rsa_from_pem(&k, (const char *)pem.data, pem.len);
	if (r == 0)
		r = decc_rsa_public_pem(&pub, k); /* a private key file gives its public half */
	if (r == 0)
		r = decc_base64_encode(out, pub.data, pub.len);
	if (r == 0 && out->len > DECC_SMS_SECRET_MAX)
		r = decc_error_set(DECC_ELIMIT, "%s: the encoded public key is over %d bytes", path,
				   DECC_SMS_SECRET_MAX);
	decc_rsa_free(k);
	decc_buf_release(&pem);
	decc_buf_release(&pub);
	return r;
}

static int print_result(struct cli *cli, const char *action, enum decc_sms_kind kind,
			const decc_address *target, const char *name, int exists)
{
	static const char *kinds[] = { "", "dataset", "web2", "app", "requester" };
	char a[43];
	json_t *o;
	int r;

	decc_address_to_checksum(a, target);
	if (cli->json) {
		o = json_pack("{s:s,s:s}", "kind", kinds[kind], "target", a);
		if (o && name && kind != DECC_SMS_WEB3)
			json_object_set_new(o, "name", json_string(name));
		if (o && exists >= 0)
			json_object_set_new(o, "exists", json_boolean(exists));
		else if (o)
			json_object_set_new(o, action, json_true());
		r = cli_print_json(cli, o);
		json_decref(o);
		return r;
	}
	if (exists >= 0)
		printf("%s secret%s%s of %s: %s\n", kinds[kind], name ? " " : "", name ? name : "",
		       a, exists ? "present" : "absent");
	else
		printf("%s %s secret%s%s of %s\n", action, kinds[kind], name ? " " : "",
		       name ? name : "", a);
	return CLI_EXIT_OK;
}

static int push(struct cli *cli, const struct secret_opts *o, const char *cmd,
		enum decc_sms_kind kind, const char *target_arg, const char *name,
		struct decc_buf *value)
{
	uint8_t sk[32];
	decc_address me, target;
	int r;

	if (open_wallet(cli, o, sk, &me) < 0)
		return cli_fail("%s", cmd);
	target = me;
	if (target_arg && decc_address_parse(&target, target_arg) < 0) {
		decc_wipe(sk, sizeof(sk));
		return cli_usage_error(PAGE, cmd, "%s: %s", target_arg, decc_error_last());
	}
	r = decc_sms_client_push(o->sms, kind, &target, name, value->data, value->len, o->update,
				 sk);
	decc_wipe(sk, sizeof(sk));
	if (r < 0)
		return cli_fail("%s", cmd);
	return print_result(cli, o->update ? "updated" : "pushed", kind, &target,
			    kind == DECC_SMS_WEB3 ? NULL : name, -1);
}

static int check(struct cli *cli, const struct secret_opts *o, struct opt_args *args)
{
	const char *what = args->npos > 1 ? args->pos[1] : "", *name = NULL, *addr = NULL;
	enum decc_sms_kind kind;
	uint8_t sk[32];
	decc_address target;
	bool exists = false;

	if (strcmp(what, "dataset") == 0 || strcmp(what, "app") == 0) {
		kind = what[0] == 'd' ? DECC_SMS_WEB3 : DECC_SMS_APP;
		if (args->npos != 3)
			return cli_usage_error(PAGE, "secret check", "expected: check %s ADDR",
					       what);
		addr = args->pos[2];
	} else if (strcmp(what, "requester") == 0 || strcmp(what, "web2") == 0) {
		kind = what[0] == 'r' ? DECC_SMS_REQUESTER : DECC_SMS_WEB2;
		if (args->npos < 3 || args->npos > 4)
			return cli_usage_error(PAGE, "secret check",
					       "expected: check %s NAME [ADDR]", what);
		name = args->pos[2];
		addr = args->npos == 4 ? args->pos[3] : NULL;
	} else if (strcmp(what, "result-key") == 0) {
		kind = DECC_SMS_WEB2;
		name = DECC_SMS_RESULT_KEY_NAME;
		if (args->npos > 3)
			return cli_usage_error(PAGE, "secret check",
					       "expected: check result-key [ADDR]");
		addr = args->npos == 3 ? args->pos[2] : NULL;
	} else {
		return cli_usage_error(PAGE, "secret check",
				       "expected: check dataset|app|requester|web2|result-key ...");
	}
	if (addr) {
		if (decc_address_parse(&target, addr) < 0)
			return cli_usage_error(PAGE, "secret check", "%s: %s", addr,
					       decc_error_last());
	} else {
		/* the owner defaults to the wallet's address */
		if (open_wallet(cli, o, sk, &target) < 0)
			return cli_fail("secret check: give ADDR or a wallet");
		decc_wipe(sk, sizeof(sk));
	}
	if (decc_sms_client_check(o->sms, &exists, kind, &target, name) < 0)
		return cli_fail("secret check");
	return print_result(cli, "", kind, &target, name, exists);
}

int cmd_secret(struct cli *cli, int argc, char **argv)
{
	struct secret_opts o = { .sms = DECC_SMS_DEFAULT_URL };
	const struct opt opts[] = {
		OPT_STRING("sms", &o.sms),
		OPT_STRING("value-file", &o.value_file),
		OPT_STRING("key-file", &o.key_file),
		OPT_STRING("private-key-file", &o.private_key_file),
		OPT_FLAG("update", &o.update),
		OPT_END,
	};
	struct decc_buf value;
	struct opt_args args;
	char *pos[4], cmd[64];
	const char *sub;
	bool done;
	int r;

	r = cli_parse(cli, PAGE, "secret", opts, argc - 1, argv + 1, &args, pos, 4, &done);
	if (done)
		return r;
	if (args.npos < 1)
		return cli_usage_error(PAGE, "secret",
				       "expected a subcommand: push-dataset, "
				       "push-app, push-requester, push-result-key, "
				       "push-web2, check");
	sub = args.pos[0];
	snprintf(cmd, sizeof(cmd), "secret %s", sub);
	if (strcmp(sub, "check") == 0)
		return check(cli, &o, &args);
	if (o.update && strcmp(sub, "push-result-key") != 0 && strcmp(sub, "push-web2") != 0)
		return cli_usage_error(PAGE, cmd, "--update: only web2 secrets can be updated");

	decc_buf_init_secret(&value, DECC_SMS_SECRET_MAX);
	if (strcmp(sub, "push-dataset") == 0) {
		if (args.npos != 2 || !o.key_file)
			r = cli_usage_error(PAGE, cmd,
					    "expected: push-dataset DATASET --key-file K");
		else if (read_dataset_key(&value, o.key_file) < 0)
			r = cli_fail("%s", cmd);
		else
			r = push(cli, &o, cmd, DECC_SMS_WEB3, args.pos[1], NULL, &value);
	} else if (strcmp(sub, "push-app") == 0) {
		if (args.npos != 2 || !o.value_file)
			r = cli_usage_error(PAGE, cmd, "expected: push-app APP --value-file F");
		else if (read_value(&value, o.value_file) < 0)
			r = cli_fail("%s", cmd);
		else
			r = push(cli, &o, cmd, DECC_SMS_APP, args.pos[1], DECC_SMS_APP_SECRET_INDEX,
				 &value);
	} else if (strcmp(sub, "push-requester") == 0 || strcmp(sub, "push-web2") == 0) {
		bool req = sub[5] == 'r';

		if (args.npos != 2 || !o.value_file)
			r = cli_usage_error(PAGE, cmd, "expected: %s NAME --value-file F", sub);
		else if (req && !decc_sms_requester_key_valid(args.pos[1]))
			r = cli_usage_error(PAGE, cmd,
					    "bad secret name '%s': use 1 to 64 of A-Z a-z 0-9 - _",
					    args.pos[1]);
		else if (read_value(&value, o.value_file) < 0)
			r = cli_fail("%s", cmd);
		else
			r = push(cli, &o, cmd, req ? DECC_SMS_REQUESTER : DECC_SMS_WEB2, NULL,
				 args.pos[1], &value);
	} else if (strcmp(sub, "push-result-key") == 0) {
		if (args.npos != 1 || !o.key_file)
			r = cli_usage_error(PAGE, cmd, "expected: push-result-key --key-file PEM");
		else if (read_result_key(&value, o.key_file) < 0)
			r = cli_fail("%s", cmd);
		else
			r = push(cli, &o, cmd, DECC_SMS_WEB2, NULL, DECC_SMS_RESULT_KEY_NAME,
				 &value);
	} else {
		r = cli_usage_error(PAGE, "secret", "unknown subcommand '%s'", sub);
	}
	decc_buf_release(&value);
	return r;
}
