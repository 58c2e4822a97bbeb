/* SPDX-License-Identifier: Apache-2.0 */
/* decc protect: serialize data into the DataProtector format and read it (docs/cmd/decc-protect.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/file.h"
#include "decc/protect.h"
#include "cli/protect_cmds.h"

#define PAGE "protect"
#define MAX_INPUT ((size_t)64 << 20)

static int protect_serialize(struct cli *cli, int argc, char **argv)
{
	const char *data = NULL, *data_file = NULL, *file = NULL, *key = NULL, *type = NULL;
	const char *output = NULL, *schema_out = NULL;
	bool force = false;
	const struct opt opts[] = {
		OPT_STRING("data", &data),
		OPT_STRING("data-file", &data_file),
		OPT_STRING("file", &file),
		OPT_STRING("key", &key),
		OPT_STRING("type", &type),
		OPT_STRING("output", &output),
		OPT_STRING("schema-out", &schema_out),
		OPT_FLAG("force", &force),
		OPT_END,
	};
	struct decc_buf in;
	struct opt_args args;
	char *schema = NULL, *pos[1];
	unsigned flags;
	bool done;
	int r, nsrc;

	r = cli_parse(cli, PAGE, "protect serialize", opts, argc - 1, argv + 1, &args, pos, 0,
		      &done);
	if (done)
		return r;
	nsrc = !!data + !!data_file + !!file;
	if (nsrc != 1)
		return cli_usage_error(PAGE, "protect serialize",
				       "give exactly one of --data JSON, --data-file FILE, --file "
				       "FILE");
	if (!output)
		return cli_usage_error(PAGE, "protect serialize", "--output ZIP is required");
	if ((key || type) && !file)
		return cli_usage_error(PAGE, "protect serialize",
				       "--key and --type go with --file");
	flags = (force ? DECC_PROTECT_REPLACE : 0) | DECC_PROTECT_ALLOW_FILES;
	decc_buf_init_secret(&in, MAX_INPUT);
	if (file) {
		r = decc_protect_serialize_file(output, &schema, file, key, type, flags, NULL);
	} else if (data) {
		r = decc_protect_serialize_json(output, &schema, data, strlen(data), flags);
	} else {
		r = strcmp(data_file, "-") == 0 ? 0 : decc_file_read(&in, data_file, MAX_INPUT);
		if (r == 0 && strcmp(data_file, "-") == 0) {
			char buf[65536];
			size_t n;

			while (r == 0 && (n = fread(buf, 1, sizeof(buf), stdin)) > 0)
				r = decc_buf_append(&in, buf, n);
			decc_wipe(buf, sizeof(buf));
		}
		if (r == 0)
			r = decc_protect_serialize_json(output, &schema, (const char *)in.data,
							in.len, flags);
	}
	decc_buf_release(&in);
	if (r < 0)
		return cli_fail("protect serialize");
	if (schema_out && decc_file_write_atomic(schema_out, schema, strlen(schema), 0644,
						 force ? DECC_FILE_REPLACE : 0) < 0) {
		free(schema);
		unlink(output);
		return cli_fail("protect serialize: schema");
	}
	if (cli->json) {
		json_t *o = json_pack("{s:s,s:s}", "zip", output, "schema", schema);

		r = cli_print_json(cli, o);
		json_decref(o);
	} else {
		printf("%s\n", schema);
		r = CLI_EXIT_OK;
	}
	free(schema);
	return r;
}

static json_t *number_json(double v)
{
	/* integers print as JavaScript prints them: 42, not 42.0 */
	if (v == floor(v) && fabs(v) < 9007199254740992.0)
		return json_integer((json_int_t)v);
	return json_real(v);
}

static json_t *bytes_json(const uint8_t *p, size_t n)
{
	struct decc_buf b = DECC_BUF_INIT;
	json_t *o = NULL;

	if (decc_base64_encode(&b, p, n) == 0)
		o = json_pack("{s:s#}", "$bytes", (const char *)b.data, b.len);
	decc_buf_release(&b);
	return o;
}

static json_t *value_json(const struct decc_protect_value *v)
{
	char dec[DECC_PROTECT_I128_STR_MAX];

	switch (v->kind) {
	case DECC_PROTECT_BOOL:
		return json_boolean(v->b);
	case DECC_PROTECT_F64:
	case DECC_PROTECT_NUMBER:
		return number_json(v->f64);
	case DECC_PROTECT_I128:
		decc_protect_i128_format(dec, v->i128);
		return json_pack("{s:s}", "$i128", dec);
	case DECC_PROTECT_STRING:
		return json_stringn((const char *)v->bytes.data, v->bytes.len);
	case DECC_PROTECT_BYTES:
	default:
		return bytes_json(v->bytes.data, v->bytes.len);
	}
}

/* Put value at "a/b/c" in a nested object. */
static int put_path(json_t *root, const char *path, json_t *value)
{
	char part[4096];
	const char *p = path, *slash;
	json_t *cur = root;

	while ((slash = strchr(p, '/')) != NULL) {
		size_t n = (size_t)(slash - p);
		json_t *next;

		if (n >= sizeof(part))
			break;
		memcpy(part, p, n);
		part[n] = 0;
		next = json_object_get(cur, part);
		if (!next) {
			next = json_object();
			json_object_set_new(cur, part, next);
		}
		if (!json_is_object(next))
			break;
		cur = next;
		p = slash + 1;
	}
	if (slash || json_object_set_new(cur, p, value) != 0) {
		json_decref(value);
		return decc_error_set(DECC_EINVAL, "cannot place '%s' in the output", path);
	}
	return 0;
}

static int print_value(const struct decc_protect_value *v)
{
	char dec[DECC_PROTECT_I128_STR_MAX];

	switch (v->kind) {
	case DECC_PROTECT_BOOL:
		printf("%s\n", v->b ? "true" : "false");
		break;
	case DECC_PROTECT_F64:
	case DECC_PROTECT_NUMBER:
		if (v->f64 == floor(v->f64) && fabs(v->f64) < 9007199254740992.0)
			printf("%.0f\n", v->f64);
		else
			printf("%.17g\n", v->f64);
		break;
	case DECC_PROTECT_I128:
		decc_protect_i128_format(dec, v->i128);
		printf("%s\n", dec);
		break;
	case DECC_PROTECT_STRING:
		fwrite(v->bytes.data, 1, v->bytes.len, stdout);
		putchar('\n');
		break;
	case DECC_PROTECT_BYTES:
	default:
		fwrite(v->bytes.data, 1, v->bytes.len, stdout);
		break;
	}
	return fflush(stdout) == 0 ? CLI_EXIT_OK : cli_failx("protect read: cannot write stdout");
}

static int parse_mode(enum decc_protect_mode *mode, const char *s)
{
	if (!s || strcmp(s, "optimistic") == 0)
		*mode = DECC_PROTECT_OPTIMISTIC;
	else if (strcmp(s, "borsh") == 0)
		*mode = DECC_PROTECT_BORSH;
	else if (strcmp(s, "legacy") == 0)
		*mode = DECC_PROTECT_LEGACY;
	else
		return -1;
	return 0;
}

struct read_opts {
	const char *schema, *schema_file, *mode_s, *get, *type, *output;
	bool force;
	enum decc_protect_mode mode;
};

static int read_one(struct cli *cli, struct decc_protect_reader *r,
		    const struct decc_protect_schema *schema, const struct read_opts *o)
{
	const char *type = o->type  ? o->type
			   : schema ? decc_protect_schema_type(schema, o->get)
				    : NULL;
	struct decc_protect_value v;
	size_t i;
	int rc;

	if (decc_protect_find(r, &i, o->get) < 0)
		return cli_fail("protect read");
	if (o->output) {
		if (decc_protect_extract(r, o->output, i, o->force ? DECC_PROTECT_REPLACE : 0) < 0)
			return cli_fail("protect read");
		return CLI_EXIT_OK;
	}
	if (!type)
		return cli_failx("protect read: no type for '%s': give --type TYPE or the schema "
				 "(--schema JSON, --schema-file FILE)",
				 o->get);
	if (decc_protect_get(r, &v, o->get, type, o->mode) < 0)
		return cli_fail("protect read");
	if (cli->json) {
		json_t *j = json_pack("{s:s,s:s,s:o}", "path", o->get, "type", type, "value",
				      value_json(&v));

		rc = j ? cli_print_json(cli, j) : cli_failx("protect read: out of memory");
		json_decref(j);
	} else {
		rc = print_value(&v);
	}
	decc_protect_value_release(&v);
	return rc;
}

static int read_all(struct cli *cli, struct decc_protect_reader *r,
		    const struct decc_protect_schema *schema, const struct read_opts *o)
{
	json_t *root = json_object();
	bool untyped = false;
	int rc;

	if (!root)
		return cli_failx("protect read: out of memory");
	for (size_t i = 0; i < decc_protect_count(r); i++) {
		const char *name = decc_protect_name(r, i);
		const char *type = schema ? decc_protect_schema_type(schema, name) : NULL;
		struct decc_protect_value v;
		json_t *j;

		if (!type) {
			/* no type: the raw bytes (never guessed: a guess could mislead) */
			untyped = true;
			type = "application/octet-stream";
		}
		if (decc_protect_get(r, &v, name, type, o->mode) < 0) {
			json_decref(root);
			return cli_fail("protect read");
		}
		j = value_json(&v);
		decc_protect_value_release(&v);
		if (!j || put_path(root, name, j) < 0) {
			json_decref(root);
			return cli_fail("protect read");
		}
	}
	if (untyped)
		fprintf(stderr, "decc: protect read: %s; values shown as raw bytes\n",
			schema ? "some entries are not in the schema" : "no schema given");
	rc = cli_print_json(cli, root);
	json_decref(root);
	return rc;
}

static int protect_read(struct cli *cli, int argc, char **argv)
{
	struct read_opts o = { 0 };
	const struct opt opts[] = {
		OPT_STRING("schema", &o.schema), OPT_STRING("schema-file", &o.schema_file),
		OPT_STRING("mode", &o.mode_s),	 OPT_STRING("get", &o.get),
		OPT_STRING("type", &o.type),	 OPT_STRING("output", &o.output),
		OPT_FLAG("force", &o.force),	 OPT_END,
	};
	struct decc_protect_schema *schema = NULL;
	struct decc_protect_reader *r = NULL;
	struct decc_buf sb = DECC_BUF_INIT;
	struct opt_args args;
	char *pos[1];
	bool done;
	int rc;

	rc = cli_parse(cli, PAGE, "protect read", opts, argc - 1, argv + 1, &args, pos, 1, &done);
	if (done)
		return rc;
	if (args.npos != 1)
		return cli_usage_error(PAGE, "protect read", "expected one ZIP file");
	if (parse_mode(&o.mode, o.mode_s) < 0)
		return cli_usage_error(PAGE, "protect read",
				       "--mode: expected borsh, legacy or optimistic");
	if (o.schema && o.schema_file)
		return cli_usage_error(PAGE, "protect read", "give --schema or --schema-file");
	if ((o.output || o.type) && !o.get)
		return cli_usage_error(PAGE, "protect read", "--output and --type go with --get");
	if (o.type && !decc_protect_type_valid(o.type))
		return cli_usage_error(PAGE, "protect read", "--type: unknown type '%s'", o.type);
	if (o.schema_file && decc_file_read(&sb, o.schema_file, MAX_INPUT) < 0)
		return cli_fail("protect read");
	if (o.schema || o.schema_file) {
		const char *text = o.schema ? o.schema : (const char *)sb.data;

		if (decc_protect_schema_parse(&schema, text, o.schema ? strlen(text) : sb.len) <
		    0) {
			decc_buf_release(&sb);
			return cli_fail("protect read");
		}
	}
	decc_buf_release(&sb);
	if (decc_protect_open(&r, pos[0], NULL) < 0) {
		decc_protect_schema_free(schema);
		return cli_fail("protect read");
	}
	rc = o.get ? read_one(cli, r, schema, &o) : read_all(cli, r, schema, &o);
	decc_protect_close(r);
	decc_protect_schema_free(schema);
	return rc;
}

static int protect_checksum(struct cli *cli, int argc, char **argv)
{
	char sum[DECC_PROTECT_CHECKSUM_STR_MAX], *pos[1];
	struct opt_args args;
	bool done;
	int r;

	r = cli_parse(cli, PAGE, "protect checksum", (const struct opt[]){ OPT_END }, argc - 1,
		      argv + 1, &args, pos, 1, &done);
	if (done)
		return r;
	if (args.npos != 1)
		return cli_usage_error(PAGE, "protect checksum", "expected one FILE");
	if (decc_protect_checksum_file(sum, pos[0]) < 0)
		return cli_fail("protect checksum");
	if (cli->json) {
		json_t *o = json_pack("{s:s}", "checksum", sum);

		r = cli_print_json(cli, o);
		json_decref(o);
		return r;
	}
	printf("%s\n", sum);
	return CLI_EXIT_OK;
}

int cmd_protect(struct cli *cli, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(struct cli *cli, int argc, char **argv);
	} subs[] = {
		{ "serialize", protect_serialize }, { "read", protect_read },
		{ "checksum", protect_checksum },   { "encrypt", cmd_dataset_encrypt },
		{ "decrypt", cmd_dataset_decrypt }, { "process", cmd_protect_process },
		{ "data", cmd_protect_data },	    { "list", cmd_protect_list },
		{ "grant", cmd_protect_grant },	    { "access", cmd_protect_access },
		{ "revoke", cmd_protect_revoke },   { "transfer", cmd_protect_transfer },
	};
	struct opt_args args;
	char *pos[1];
	bool done;
	int r;

	for (size_t i = 0; argc > 1 && i < DECC_ARRAY_SIZE(subs); i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			return subs[i].run(cli, argc - 1, argv + 1);
	r = cli_parse(cli, PAGE, "protect", (const struct opt[]){ OPT_END }, argc - 1, argv + 1,
		      &args, pos, 1, &done);
	if (done)
		return r;
	if (args.npos == 0)
		return cli_usage_error(PAGE, "protect",
				       "missing subcommand (data, list, grant, access, revoke, "
				       "transfer, process, serialize, read, checksum, encrypt, "
				       "decrypt)");
	return cli_usage_error(PAGE, "protect", "unknown subcommand '%s'", pos[0]);
}
