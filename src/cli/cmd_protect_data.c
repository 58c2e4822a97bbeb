/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The data owner's commands, named after DataProtector's functions (docs/cmd/decc-protect.md):
 * decc protect data (protectData), list (getProtectedData), grant (grantAccess), access
 * (getGrantedAccess), revoke (revokeOneAccess / revokeAllAccess), transfer (transferOwnership).
 *
 * protect data chains the lower-level pieces: the zip (src/protect), the encryption with a
 * fresh key, the upload to the store, the registration (the DataProtector contract's
 * createDatasetWithSchema, or the PoCo dataset registry on a chain without it) and the key
 * pushed to the SMS. A failure says which steps were done: nothing is undone on chain.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/file.h"
#include "decc/hex.h"
#include "decc/orderbook.h"
#include "decc/protect.h"
#include "decc/sms.h"
#include "decc/store.h"
#include "cli/market.h"
#include "cli/pococli.h"
#include "cli/protect_cmds.h"

#define PAGE "protect"
#define DATA_JSON_MAX ((size_t)64 << 20)  /* --data-file */
#define KV_MAX 256			  /* KEY=VALUE arguments */
#define SCHEMA_FILTER_MAX 64		  /* --schema given at most this many times */
#define PROGRESS_MIN ((uint64_t)16 << 20) /* the steps on a terminal from this size on */
#define LIST_MAX 10000			  /* protected data listed */
#define ACCESS_MAX 10000		  /* accesses read from the market */
#define DEFAULT_API "http://127.0.0.1:5001"

static void addr_s(char out[43], const decc_address *a)
{
	decc_address_to_checksum(out, a);
}

/* uint256(address): the ERC-721 token id of an asset. */
static struct decc_abi_value *token_id(const decc_address *a)
{
	uint8_t w[32];
	decc_u256 v;

	decc_address_to_word(w, a);
	decc_u256_from_be(&v, w);
	return decc_abi_uint(&v);
}

/* ownerOf(uint256(asset)) in the registry of kind (0 app, 1 dataset). */
static int owner_of(struct decc_chain *c, int kind, const decc_address *asset, decc_address *out)
{
	struct decc_abi_value *ret = NULL, *args;
	decc_address reg;
	char s[43];
	int r;

	DECC_TRY(pcli_registry(c, kind, &reg));
	args = decc_abi_tuplev(1, token_id(asset));
	if (!args)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	r = decc_chain_call_fn(c, &ret, &reg, "ownerOf(uint256)", args, "(address)");
	decc_abi_value_free(args);
	if (r == 0)
		r = decc_abi_get_address(out, ret->items[0]);
	decc_abi_value_free(ret);
	if (r < 0) {
		addr_s(s, asset);
		return decc_error_set(DECC_ENOTFOUND, "%s is not a registered %s", s,
				      kind ? "dataset" : "app");
	}
	return 0;
}

/* The DataProtector contract to use: --dataprotector, else decc node's; *present: has code. */
static int dataprotector(struct decc_chain *c, const char *opt, decc_address *out, bool *present)
{
	struct decc_buf code = DECC_BUF_INIT;
	int r;

	if (opt)
		DECC_TRY(decc_address_parse(out, opt));
	else
		decc_chain_dataprotector_decc(out);
	r = decc_chain_code(c, &code, out);
	*present = r == 0 && code.len > 0;
	decc_buf_release(&code);
	return r;
}

/* ==== decc protect data ==== */

struct data_opts {
	const char *name, *data, *data_file, *file, *key, *type, *sms, *api, *key_file, *dp;
	const char *work_dir;
};

struct data_run {
	struct cli *cli;
	const struct data_opts *o;
	bool progress;
	char dir[4096], zip[4200], enc[4200];
	char *schema;
	uint8_t key[DECC_PROTECT_KEY_LEN];
	char b64[DECC_PROTECT_KEY_B64_LEN + 2];
	char sum[DECC_PROTECT_CHECKSUM_STR_MAX];
	char cid[DECC_CID_STR_MAX], multiaddr[DECC_CID_STR_MAX + 8];
	uint64_t size;
	uint8_t sk[32];
	decc_address me, dataset;
	bool with_schema;
	struct decc_chain_receipt rc;
	bool has_rc;
};

static void progress(const struct data_run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void progress(const struct data_run *r, const char *fmt, ...)
{
	va_list ap;

	if (!r->progress)
		return;
	fputs("decc: protect data: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

/*
 * The progress meter of one step on a terminal: the library reports how far it got through a
 * struct decc_progress (every ~1 MiB) and the meter redraws one line on stderr, at most every
 * 200 ms.
 */
struct meter {
	bool on;
	const char *what;
	uint64_t total, shown; /* shown only grows */
	uint64_t drawn_ms;
	struct decc_progress hook; /* what the step is given: NULL fn when off */
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void meter_draw(const struct meter *m, uint64_t done)
{
	unsigned pct = m->total ? (unsigned)(done * 100 / m->total) : 100, bar = pct / 5;
	char b[21];

	for (unsigned i = 0; i < 20; i++)
		b[i] = i < bar ? '#' : '.';
	b[20] = 0;
	fprintf(stderr, "\r\033[Kdecc: protect data: %-10s [%s] %3u%% %llu/%llu MiB", m->what, b,
		pct, (unsigned long long)(done >> 20), (unsigned long long)(m->total >> 20));
	fflush(stderr);
}

static void meter_report(void *ctx, uint64_t done, uint64_t total)
{
	struct meter *m = ctx;
	uint64_t t = now_ms();

	if (total)
		m->total = total;
	if (done > m->total)
		done = m->total;
	if (done > m->shown)
		m->shown = done;
	if (t - m->drawn_ms >= 200) {
		m->drawn_ms = t;
		meter_draw(m, m->shown);
	}
}

static uint64_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* Start the meter of a step over total bytes (nothing when not on a terminal). */
static const struct decc_progress *meter_start(struct meter *m, bool on, const char *what,
					       uint64_t total)
{
	memset(m, 0, sizeof(*m));
	if (!on)
		return NULL;
	*m = (struct meter){ .on = true, .what = what, .total = total };
	m->hook = (struct decc_progress){ .fn = meter_report, .ctx = m };
	meter_draw(m, 0);
	m->drawn_ms = now_ms();
	return &m->hook;
}

/* Stop it: the line ends at 100% when the step succeeded, where it was otherwise. */
static void meter_stop(struct meter *m, bool ok)
{
	if (!m->on)
		return;
	meter_draw(m, ok ? m->total : m->shown);
	fputc('\n', stderr);
	fflush(stderr);
}

/*
 * KEY=VALUE arguments as one JSON object: KEY a path (a.b.c nests), VALUE a string, or
 * @PATH for a file's bytes.
 */
static int kv_json(char **out, char **kv, int n)
{
	json_t *root = json_object();
	int ret = 0;

	if (!root)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	for (int i = 0; i < n && ret == 0; i++) {
		const char *eq = strchr(kv[i], '=');
		char path[1024], *p, *dot;
		json_t *cur = root, *v;

		if (!eq || eq == kv[i] || (size_t)(eq - kv[i]) >= sizeof(path)) {
			ret = decc_error_set(DECC_EINVAL, "'%s': expected KEY=VALUE", kv[i]);
			break;
		}
		snprintf(path, sizeof(path), "%.*s", (int)(eq - kv[i]), kv[i]);
		for (p = path; ret == 0 && (dot = strchr(p, '.')) != NULL; p = dot + 1) {
			json_t *next;

			*dot = 0;
			next = json_object_get(cur, p);
			if (!next) {
				next = json_object();
				if (!next || json_object_set_new(cur, p, next) < 0)
					ret = decc_error_set(DECC_ENOMEM, "out of memory");
			} else if (!json_is_object(next)) {
				ret = decc_error_set(DECC_EINVAL, "'%s': %s is already a value",
						     kv[i], p);
			}
			cur = next;
		}
		if (ret < 0)
			break;
		if (json_object_get(cur, p)) {
			ret = decc_error_set(DECC_EINVAL, "'%s': the key is given twice", kv[i]);
			break;
		}
		v = eq[1] == '@' ? json_pack("{s:s}", "$file", eq + 2) : json_string(eq + 1);
		if (!v || json_object_set_new(cur, p, v) < 0)
			ret = decc_error_set(DECC_EINVAL, "'%s': not valid UTF-8", kv[i]);
	}
	if (ret == 0) {
		*out = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (!*out)
			ret = decc_error_set(DECC_ENOMEM, "out of memory");
	}
	json_decref(root);
	return ret;
}

static int data_serialize(struct data_run *r, char **kv, int nkv, const struct decc_progress *pg)
{
	const struct data_opts *o = r->o;
	unsigned flags = DECC_PROTECT_ALLOW_FILES;
	struct decc_buf in;
	char *text = NULL;
	int ret;

	if (o->file)
		return decc_protect_serialize_file(r->zip, &r->schema, o->file, o->key, o->type,
						   flags, pg);
	if (o->data)
		return decc_protect_serialize_json(r->zip, &r->schema, o->data, strlen(o->data),
						   flags);
	if (nkv) {
		DECC_TRY(kv_json(&text, kv, nkv));
		ret = decc_protect_serialize_json(r->zip, &r->schema, text, strlen(text), flags);
		decc_wipe(text, strlen(text));
		free(text);
		return ret;
	}
	decc_buf_init_secret(&in, DATA_JSON_MAX);
	if (strcmp(o->data_file, "-") == 0) {
		char buf[65536];
		size_t n;

		ret = 0;
		while (ret == 0 && (n = fread(buf, 1, sizeof(buf), stdin)) > 0)
			ret = decc_buf_append(&in, buf, n);
		decc_wipe(buf, sizeof(buf));
		if (ret == 0 && ferror(stdin))
			ret = decc_error_set(DECC_ERROR, "cannot read the data from stdin");
	} else {
		ret = decc_file_read(&in, o->data_file, DATA_JSON_MAX);
	}
	if (ret == 0)
		ret = decc_protect_serialize_json(r->zip, &r->schema, (const char *)in.data, in.len,
						  flags);
	decc_buf_release(&in);
	return ret;
}

/* Register the dataset: createDatasetWithSchema when the chain has the contract. */
static int data_register(struct data_run *r, struct decc_chain *c)
{
	decc_address dp;
	bool present = false;
	uint8_t checksum[32];

	DECC_TRY(pcli_parse_bytes32(checksum, r->sum));
	DECC_TRY(dataprotector(c, r->o->dp, &dp, &present));
	if (present) {
		r->with_schema = true;
		r->has_rc = true;
		return decc_chain_create_dataset_with_schema(
		    c, &r->dataset, &r->rc, &dp, &r->me, r->o->name, r->schema,
		    (const uint8_t *)r->multiaddr, strlen(r->multiaddr), checksum);
	}
	if (r->o->dp)
		return decc_error_set(DECC_ENOTFOUND, "no contract at --dataprotector %s",
				      r->o->dp);
	fprintf(stderr,
		"decc: protect data: this chain has no DataProtector contract: the dataset is "
		"registered in the PoCo registry without its schema (protect list cannot filter "
		"it by schema)\n");
	return decc_chain_create_dataset(c, &r->dataset, &r->me, r->o->name,
					 (const uint8_t *)r->multiaddr, strlen(r->multiaddr),
					 checksum);
}

/* The key kept for a later push: --key-file, else ./DATASET.key. */
static void keep_key(struct data_run *r, char *path, size_t cap)
{
	char a[43];

	if (r->o->key_file) {
		snprintf(path, cap, "%s", r->o->key_file);
		return;
	}
	addr_s(a, &r->dataset);
	snprintf(path, cap, "%s.key", a);
	if (decc_file_write_atomic(path, r->b64, strlen(r->b64), 0600, 0) < 0)
		snprintf(path, cap, "(not saved: %s)", decc_error_last());
}

static json_t *data_summary(const struct data_run *r)
{
	json_t *schema = json_loads(r->schema, 0, NULL);
	json_t *o = json_pack(
	    "{s:s, s:o, s:o, s:s, s:s, s:o, s:s, s:I, s:s}", "name", r->o->name, "address",
	    pcli_jaddr(&r->dataset), "owner", pcli_jaddr(&r->me), "cid", r->cid, "multiaddr",
	    r->multiaddr, "schema", schema ? schema : json_string(r->schema), "checksum", r->sum,
	    "size", (json_int_t)r->size, "registry", r->with_schema ? "dataprotector" : "poco");

	if (o && r->has_rc)
		json_object_set_new(o, "txHash", pcli_jbytes32(r->rc.tx_hash));
	if (o && r->o->key_file)
		json_object_set_new(o, "keyFile", json_string(r->o->key_file));
	return o;
}

static int data_run(struct data_run *r, char **kv, int nkv)
{
	const struct data_opts *o = r->o;
	struct decc_chain *c = NULL;
	char a[43], keypath[4200];
	const struct decc_progress *pg;
	struct meter m;
	struct stat st;
	bool exists;
	int e;

	if (cli_wallet_open(r->cli, NULL, r->sk, &r->me) < 0)
		return cli_fail("protect data: cannot open the wallet");
	if ((e = pcli_open(r->cli, PAGE, "protect data", &c, false, NULL)) != CLI_EXIT_OK)
		return e;
	if (decc_chain_set_wallet(c, r->sk) < 0) {
		decc_chain_free(c);
		return cli_fail("protect data");
	}
	/* an SMS that does not answer is found before anything is uploaded or registered */
	if (decc_sms_client_check(o->sms, &exists, DECC_SMS_WEB3, &r->me, NULL) < 0) {
		e = cli_fail("protect data: the SMS %s does not answer (nothing done)", o->sms);
		goto out;
	}
	r->progress = isatty(STDERR_FILENO) && o->file && stat(o->file, &st) == 0 &&
		      (uint64_t)st.st_size >= PROGRESS_MIN;

	pg = meter_start(&m, r->progress && o->file, "serialize",
			 r->progress ? (uint64_t)st.st_size : 0);
	e = data_serialize(r, kv, nkv, pg);
	meter_stop(&m, e == 0);
	if (e < 0) {
		e = cli_fail("protect data: serialize");
		goto out;
	}
	if (decc_protect_key_new(r->key) < 0) {
		e = cli_fail("protect data: new key");
		goto out;
	}
	decc_protect_key_encode(r->b64, r->key);
	if (o->key_file) {
		char line[sizeof(r->b64) + 1];

		snprintf(line, sizeof(line), "%s\n", r->b64);
		e = decc_file_write_atomic(o->key_file, line, strlen(line), 0600, 0);
		decc_wipe(line, sizeof(line));
		if (e < 0) {
			e = cli_fail("protect data: key file");
			goto out;
		}
	}
	pg = meter_start(&m, r->progress, "encrypt", file_size(r->zip));
	e = decc_protect_encrypt_file(r->enc, r->sum, r->zip, r->key, 0, pg);
	meter_stop(&m, e == 0);
	if (e < 0) {
		e = cli_fail("protect data: encrypt");
		goto out_key;
	}
	if (stat(r->enc, &st) == 0)
		r->size = (uint64_t)st.st_size;
	pg = meter_start(&m, r->progress, "upload", r->size);
	e = decc_store_client_add(r->cid, NULL, o->api, r->enc, pg);
	meter_stop(&m, e == 0);
	if (e < 0) {
		e = cli_fail("protect data: upload to the store %s (nothing registered)", o->api);
		goto out_key;
	}
	snprintf(r->multiaddr, sizeof(r->multiaddr), "/ipfs/%s", r->cid);
	progress(r, "registering the dataset");
	if (data_register(r, c) < 0) {
		e = cli_failx("protect data: register the dataset: %s (the encrypted file is in "
			      "the store as %s; nothing registered, no key pushed)",
			      decc_error_last(), r->multiaddr);
		goto out_key;
	}
	progress(r, "pushing the key to the SMS %s", o->sms);
	if (decc_sms_client_push(o->sms, DECC_SMS_WEB3, &r->dataset, NULL, (uint8_t *)r->b64,
				 strlen(r->b64), false, r->sk) < 0) {
		char why[512];

		snprintf(why, sizeof(why), "%s", decc_error_last());
		addr_s(a, &r->dataset);
		keep_key(r, keypath, sizeof(keypath));
		e = cli_failx("protect data: push the key to the SMS %s: %s (the dataset %s is "
			      "registered as %s but its key is not in the SMS; key file: %s; push "
			      "it with: decc dataset push-secret %s --key-file %s --sms URL)",
			      o->sms, why, a, r->multiaddr, keypath, a, keypath);
		goto out;
	}
	e = pcli_print(r->cli, data_summary(r));
	goto out;
out_key:
	/* nothing was registered: a key file we wrote would protect nothing */
	if (o->key_file)
		unlink(o->key_file);
out:
	decc_chain_free(c);
	return e;
}

int cmd_protect_data(struct cli *cli, int argc, char **argv)
{
	struct data_opts o = { .sms = DECC_SMS_DEFAULT_URL, .api = DEFAULT_API };
	const struct opt opts[] = {
		OPT_STRING("name", &o.name),
		OPT_STRING("data", &o.data),
		OPT_STRING("data-file", &o.data_file),
		OPT_STRING("file", &o.file),
		OPT_STRING("key", &o.key),
		OPT_STRING("type", &o.type),
		OPT_STRING("sms", &o.sms),
		OPT_STRING("api", &o.api),
		OPT_STRING("key-file", &o.key_file),
		OPT_STRING("dataprotector", &o.dp),
		OPT_STRING("work-dir", &o.work_dir),
		OPT_END,
	};
	struct data_run r = { .cli = cli, .o = &o };
	decc_address dp;
	char *pos[KV_MAX];
	struct opt_args args;
	const char *tmp;
	bool done;
	int e, nsrc;

	e = cli_parse(cli, PAGE, "protect data", opts, argc - 1, argv + 1, &args, pos, KV_MAX,
		      &done);
	if (done)
		return e;
	nsrc = !!o.data + !!o.data_file + !!o.file + (args.npos > 0);
	if (!o.name)
		return cli_usage_error(PAGE, "protect data", "--name NAME is required");
	if (nsrc != 1)
		return cli_usage_error(PAGE, "protect data",
				       "give exactly one of --data JSON, --data-file FILE, --file "
				       "PATH or KEY=VALUE...");
	if ((o.key || o.type) && !o.file)
		return cli_usage_error(PAGE, "protect data", "--key and --type go with --file");
	if (o.type && !decc_protect_type_valid(o.type))
		return cli_usage_error(PAGE, "protect data", "--type: unknown type '%s'", o.type);
	if (o.dp && decc_address_parse(&dp, o.dp) < 0)
		return cli_usage_error(PAGE, "protect data", "--dataprotector: %s",
				       decc_error_last());
	if (o.key_file && decc_file_exists(o.key_file))
		return cli_usage_error(PAGE, "protect data", "--key-file: %s already exists",
				       o.key_file);
	tmp = o.work_dir ? o.work_dir : getenv("TMPDIR");
	snprintf(r.dir, sizeof(r.dir), "%s/decc-protect-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(r.dir))
		return cli_failx("protect data: cannot make a work directory under %s",
				 tmp && *tmp ? tmp : "/tmp");
	snprintf(r.zip, sizeof(r.zip), "%s/data.zip", r.dir);
	snprintf(r.enc, sizeof(r.enc), "%s/data.zip.enc", r.dir);
	e = data_run(&r, args.pos, args.npos);
	unlink(r.zip);
	unlink(r.enc);
	rmdir(r.dir);
	free(r.schema);
	decc_wipe(r.key, sizeof(r.key));
	decc_wipe(r.b64, sizeof(r.b64));
	decc_wipe(r.sk, sizeof(r.sk));
	if (r.has_rc)
		decc_chain_receipt_release(&r.rc);
	return e;
}

/* ==== decc protect list ==== */

/* One --schema filter: "path:type" alternatives (a|b), any of which must be in the schema. */
struct schema_filter {
	const char *alt[8];
	size_t n;
	char text[512];
};

static bool schema_type_ok(const char *t)
{
	/* the legacy (dataprotector 0.x) names are searched too, as getProtectedData does */
	return decc_protect_type_valid(t) || strcmp(t, "boolean") == 0 || strcmp(t, "number") == 0;
}

static int filter_parse(struct schema_filter *f, const char *s)
{
	char *rest, *tok;

	if (strlen(s) >= sizeof(f->text))
		return decc_error_set(DECC_EINVAL, "--schema '%.40s...': too long", s);
	snprintf(f->text, sizeof(f->text), "%s", s);
	f->n = 0;
	rest = f->text;
	while ((tok = strsep(&rest, "|")) != NULL) {
		char *colon = strrchr(tok, ':'), *p, *dot;

		if (!colon || colon == tok || !colon[1])
			return decc_error_set(DECC_EINVAL, "--schema '%s': expected KEY:TYPE", s);
		*colon = 0;
		for (p = tok;; p = dot + 1) {
			dot = strchr(p, '.');
			if (!decc_protect_key_valid(p, dot ? (size_t)(dot - p) : strlen(p))) {
				*colon = ':';
				return decc_error_set(DECC_EINVAL,
						      "--schema '%s': bad key (letters, digits, - "
						      "and _, nested keys joined with .)",
						      s);
			}
			if (!dot)
				break;
		}
		if (!schema_type_ok(colon + 1))
			return decc_error_set(DECC_EINVAL, "--schema '%s': unknown type '%s'", s,
					      colon + 1);
		*colon = ':';
		if (f->n == DECC_ARRAY_SIZE(f->alt))
			return decc_error_set(DECC_ELIMIT, "--schema '%s': at most %zu types", s,
					      DECC_ARRAY_SIZE(f->alt));
		f->alt[f->n++] = tok;
	}
	if (f->n == 0)
		return decc_error_set(DECC_EINVAL, "--schema '%s': expected KEY:TYPE", s);
	return 0;
}

/* Flatten a schema object into "a.b:type" entries (into arr). */
static void schema_entries(json_t *arr, json_t *schema, const char *prefix)
{
	const char *k;
	json_t *v;

	json_object_foreach(schema, k, v)
	{
		char path[1024];

		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", k);
		if (json_is_object(v)) {
			schema_entries(arr, v, path);
		} else if (json_is_string(v)) {
			char e[1200];

			snprintf(e, sizeof(e), "%s:%s", path, json_string_value(v));
			json_array_append_new(arr, json_string(e));
		}
	}
}

static bool filters_match(json_t *entries, const struct schema_filter *f, size_t nf)
{
	for (size_t i = 0; i < nf; i++) {
		bool any = false;

		for (size_t a = 0; a < f[i].n && !any; a++) {
			size_t j;
			json_t *e;

			json_array_foreach(entries, j, e) if (strcmp(json_string_value(e),
								     f[i].alt[a]) == 0) any = true;
		}
		if (!any)
			return false;
	}
	return true;
}

/* A multiaddr as text (decc's /ipfs/CID), or 0x-hex (DataProtector's binary multiaddr). */
static json_t *jmultiaddr(const struct decc_buf *b)
{
	for (size_t i = 0; i < b->len; i++)
		if (b->data[i] < 0x20 || b->data[i] > 0x7e)
			return pcli_jhex(b->data, b->len);
	return json_stringn((const char *)b->data, b->len);
}

/* The entry of one dataset: name, current owner, multiaddr; NULL when it is filtered out. */
static int list_entry(struct decc_chain *c, json_t **out, const decc_address *ds,
		      const char *schema_text, const decc_address *owner,
		      const struct schema_filter *f, size_t nf)
{
	struct decc_chain_dataset v;
	decc_address cur;
	json_t *schema = NULL, *entries = json_array(), *name;
	int r;

	*out = NULL;
	if (!entries)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	if (schema_text) {
		schema = json_loads(schema_text, 0, NULL);
		if (json_is_object(schema))
			schema_entries(entries, schema, "");
	}
	if (nf && !filters_match(entries, f, nf)) {
		json_decref(schema);
		json_decref(entries);
		return 0;
	}
	r = owner_of(c, 1, ds, &cur);
	if (r == 0 && owner && !decc_address_eq(owner, &cur)) {
		json_decref(schema);
		json_decref(entries);
		return 0;
	}
	if (r == 0)
		r = decc_chain_view_dataset(c, &v, ds);
	if (r < 0) {
		json_decref(schema);
		json_decref(entries);
		return r;
	}
	name = json_string(v.name ? v.name : "");
	if (!name) /* anyone can register a dataset: its name may not be UTF-8 */
		name = json_string("(not UTF-8)");
	*out = json_pack("{s:o, s:o, s:o, s:o, s:o}", "address", pcli_jaddr(ds), "name", name,
			 "owner", pcli_jaddr(&cur), "multiaddr", jmultiaddr(&v.multiaddr),
			 "checksum", pcli_jbytes32(v.checksum));
	decc_chain_dataset_release(&v);
	if (*out) {
		json_object_set_new(*out, "schema", schema ? schema : json_null());
		json_object_set_new(*out, "schemaEntries", entries);
	} else {
		json_decref(schema);
		json_decref(entries);
		return decc_error_set(DECC_ENOMEM, "out of memory");
	}
	return 0;
}

/* Datasets with a schema: the DatasetSchema logs of the DataProtector, page by page. */
static int list_dataprotector(struct decc_chain *c, json_t *arr, const decc_address *dp,
			      const decc_address *owner, const struct schema_filter *f, size_t nf,
			      uint64_t from_block)
{
	struct decc_chain_dataset_schemas s = { 0 };
	struct decc_chain_schema_query q = { .dataprotector = dp,
					     .from_block = from_block,
					     .to_block = DECC_CHAIN_LATEST };
	size_t skipped = 0;
	int r = 0;

	do {
		r = decc_chain_dataset_schemas(c, &s, &q);
		skipped += r == 0 ? s.skipped : 0;
		for (size_t i = 0; r == 0 && i < s.n; i++) {
			json_t *e;

			r = list_entry(c, &e, &s.items[i].dataset, s.items[i].schema, owner, f, nf);
			if (r == 0 && e)
				json_array_append_new(arr, e);
			if (json_array_size(arr) >= LIST_MAX)
				break;
		}
		q.from_block = s.next_block;
	} while (r == 0 && s.truncated && json_array_size(arr) < LIST_MAX);
	decc_chain_dataset_schemas_release(&s);
	if (r == 0 && skipped)
		fprintf(stderr,
			"decc: protect list: %zu malformed DatasetSchema log(s) of the "
			"DataProtector left out\n",
			skipped);
	return r;
}

/* Without a DataProtector: the registry's datasets (of owner, or all), without schema. */
static int list_registry(struct decc_chain *c, json_t *arr, const decc_address *owner)
{
	struct decc_abi_value *ret, *args;
	decc_address reg, ds;
	uint64_t n;

	DECC_TRY(pcli_registry(c, 1, &reg));
	DECC_TRY(pcli_asset_count(c, 1, owner, &n));
	for (uint64_t i = 0; i < n && i < LIST_MAX; i++) {
		json_t *e;
		int r;

		ret = NULL;
		args = owner ? decc_abi_tuplev(2, decc_abi_address(owner), decc_abi_uint64(i))
			     : decc_abi_tuplev(1, decc_abi_uint64(i));
		if (!args)
			return decc_error_set(DECC_ENOMEM, "out of memory");
		r = decc_chain_call_fn(c, &ret, &reg,
				       owner ? "tokenOfOwnerByIndex(address,uint256)"
					     : "tokenByIndex(uint256)",
				       args, "(uint256)");
		decc_abi_value_free(args);
		if (r < 0)
			return r;
		memcpy(ds.b, ret->items[0]->word + 12, 20);
		decc_abi_value_free(ret);
		DECC_TRY(list_entry(c, &e, &ds, NULL, owner, NULL, 0));
		if (e)
			json_array_append_new(arr, e);
	}
	return 0;
}

static void print_list_human(json_t *arr)
{
	size_t i;
	json_t *e;

	json_array_foreach(arr, i, e)
	{
		json_t *schema = json_object_get(e, "schema");
		char *s = json_is_object(schema)
			      ? json_dumps(schema, JSON_COMPACT | JSON_PRESERVE_ORDER)
			      : NULL;

		printf("%s  %s  owner %s  %s  schema %s\n",
		       json_string_value(json_object_get(e, "address")),
		       json_string_value(json_object_get(e, "name")),
		       json_string_value(json_object_get(e, "owner")),
		       json_string_value(json_object_get(e, "multiaddr")), s ? s : "(none)");
		free(s);
	}
}

int cmd_protect_list(struct cli *cli, int argc, char **argv)
{
	const char *owner_s = NULL, *dp_s = NULL, *from_s = NULL, *fv[SCHEMA_FILTER_MAX];
	const struct opt opts[] = {
		OPT_STRING("owner", &owner_s),
		OPT_STRING("dataprotector", &dp_s),
		OPT_STRING("from-block", &from_s),
		OPT_END,
	};
	uint64_t from_block = 0;
	struct schema_filter f[SCHEMA_FILTER_MAX];
	struct decc_chain *c = NULL;
	decc_address owner, dp;
	struct opt_args args;
	bool done, present = false;
	size_t nf = 0;
	json_t *arr;
	char *pos[1];
	int e;

	if (opt_take_repeated(&argc, argv, "schema", fv, SCHEMA_FILTER_MAX, &nf) < 0)
		return cli_usage_error(PAGE, "protect list", "%s", decc_error_last());
	e = cli_parse(cli, PAGE, "protect list", opts, argc - 1, argv + 1, &args, pos, 0, &done);
	if (done)
		return e;
	for (size_t i = 0; i < nf; i++)
		if (filter_parse(&f[i], fv[i]) < 0)
			return cli_usage_error(PAGE, "protect list", "%s", decc_error_last());
	if (owner_s && decc_address_parse(&owner, owner_s) < 0)
		return cli_usage_error(PAGE, "protect list", "--owner: %s", decc_error_last());
	if (dp_s && decc_address_parse(&dp, dp_s) < 0)
		return cli_usage_error(PAGE, "protect list", "--dataprotector: %s",
				       decc_error_last());
	if (from_s && cli_parse_u64(&from_block, from_s) < 0)
		return cli_usage_error(PAGE, "protect list", "--from-block: %s", decc_error_last());
	if ((e = pcli_open(cli, PAGE, "protect list", &c, false, NULL)) != CLI_EXIT_OK)
		return e;
	if (dataprotector(c, dp_s, &dp, &present) < 0) {
		decc_chain_free(c);
		return pcli_fail("protect list");
	}
	if (!present && (dp_s || nf || from_s)) {
		decc_chain_free(c);
		return cli_failx(
		    "protect list: no DataProtector contract %s on this chain: no "
		    "schema to filter on (nor DatasetSchema logs to read from a block)",
		    dp_s ? dp_s : "at decc's address");
	}
	if (!present)
		fprintf(stderr, "decc: protect list: this chain has no DataProtector contract: "
				"datasets of the PoCo registry, without schema\n");
	arr = json_array();
	e = !arr      ? decc_error_set(DECC_ENOMEM, "out of memory")
	    : present ? list_dataprotector(c, arr, &dp, owner_s ? &owner : NULL, f, nf, from_block)
		      : list_registry(c, arr, owner_s ? &owner : NULL);
	decc_chain_free(c);
	if (e < 0) {
		json_decref(arr);
		return pcli_fail("protect list");
	}
	if (!cli->json) {
		print_list_human(arr);
		json_decref(arr);
		return CLI_EXIT_OK;
	}
	return pcli_print(cli, json_pack("{s:I, s:o}", "count", (json_int_t)json_array_size(arr),
					 "protectedData", arr));
}

/* ==== granted accesses: dataset orders on the market ==== */

struct access_filter {
	bool has_data, has_app, has_user;
	decc_address data, app, user;
	bool user_strict; /* requesterrestrict == user (else also the orders open to anyone) */
};

/* The live dataset orders matching f (app always strict, as getGrantedAccess does). */
static int access_find(struct market_page *out, const char *market, const struct access_filter *f)
{
	struct market_page all = { 0 }, pg;
	struct decc_buf q;
	size_t page = 0;
	int r = 0;

	decc_buf_init(&q, 4096);
	for (;;) {
		q.len = 0;
		r = f->has_data ? market_q_addr(&q, "dataset", &f->data) : 0;
		r = r ?: (f->has_app ? market_q_addr(&q, "app", &f->app) : 0);
		r = r ?: (f->has_user ? market_q_addr(&q, "requester", &f->user) : 0);
		r = r
			?: decc_buf_appendf(&q, "%sminVolume=1&page=%zu&pageSize=%d",
					    q.len ? "&" : "", page, MARKET_PAGE);
		r = r ?: market_list(&pg, market, DECC_ORDER_DATASET, decc_buf_str(&q));
		if (r < 0)
			break;
		for (size_t i = 0; i < pg.n; i++) {
			const struct decc_order *o = &pg.items[i].order;
			struct market_entry *grown;

			if ((f->has_app && !decc_address_eq(&o->apprestrict, &f->app)) ||
			    (f->has_user && f->user_strict &&
			     !decc_address_eq(&o->requesterrestrict, &f->user)))
				continue;
			grown = realloc(all.items, (all.n + 1) * sizeof(*all.items));
			if (!grown) {
				r = decc_error_set(DECC_ENOMEM, "out of memory");
				break;
			}
			all.items = grown;
			all.items[all.n++] = pg.items[i];
			decc_order_init(&pg.items[i].order, DECC_ORDER_DATASET);
		}
		market_page_release(&pg);
		page++;
		if (r < 0 || pg.count <= 0 || page * MARKET_PAGE >= (size_t)pg.count ||
		    page * MARKET_PAGE >= ACCESS_MAX)
			break;
	}
	decc_buf_release(&q);
	if (r < 0) {
		market_page_release(&all);
		return r;
	}
	all.count = (long long)all.n;
	*out = all;
	return 0;
}

/* A GrantedAccess as DataProtector returns it: the order's fields, lowercase, + remaining. */
static json_t *access_json(const struct market_entry *e)
{
	struct decc_buf js = DECC_BUF_INIT;
	json_t *o = NULL;
	char rem[79];

	if (decc_order_to_json(&js, &e->order) == 0)
		o = json_loadb((const char *)js.data, js.len, 0, NULL);
	decc_buf_release(&js);
	if (!o)
		return NULL;
	decc_u256_to_dec(rem, &e->remaining);
	json_object_set_new(o, "orderHash", json_string(e->hash));
	json_object_set_new(o, "remainingAccess", json_string(rem));
	return o;
}

static void access_print_human(const struct market_entry *e)
{
	char d[43], a[43], u[43], price[79], vol[79], rem[79];

	addr_s(d, &e->order.dataset);
	addr_s(a, &e->order.apprestrict);
	addr_s(u, &e->order.requesterrestrict);
	decc_u256_to_dec(price, &e->order.price);
	decc_u256_to_dec(vol, &e->order.volume);
	decc_u256_to_dec(rem, &e->remaining);
	printf("%s  data %s  app %s  user %s  price %s  remaining %s/%s\n", e->hash, d, a,
	       decc_address_is_zero(&e->order.requesterrestrict) ? "any" : u, price, rem, vol);
}

struct access_opts {
	const char *data, *app, *user, *price, *uses, *market, *order, *tag;
	bool all, strict;
};

static int access_parse(const struct access_opts *o, struct access_filter *f, const char *cmd)
{
	memset(f, 0, sizeof(*f));
	if (o->data) {
		if (decc_address_parse(&f->data, o->data) < 0)
			return cli_usage_error(PAGE, cmd, "--data: %s", decc_error_last());
		f->has_data = true;
	}
	if (o->app) {
		if (decc_address_parse(&f->app, o->app) < 0)
			return cli_usage_error(PAGE, cmd, "--app: %s", decc_error_last());
		f->has_app = true;
	}
	if (o->user) {
		if (decc_address_parse(&f->user, o->user) < 0)
			return cli_usage_error(PAGE, cmd, "--user: %s", decc_error_last());
		f->has_user = true;
	}
	f->user_strict = o->strict;
	return CLI_EXIT_OK;
}

static int access_opts_parse(struct cli *cli, const char *cmd, struct access_opts *o, int argc,
			     char **argv, bool *done)
{
	const struct opt opts[] = {
		OPT_STRING("data", &o->data),
		OPT_STRING("app", &o->app),
		OPT_STRING("user", &o->user),
		OPT_STRING("price", &o->price),
		OPT_STRING("uses", &o->uses),
		OPT_STRING("market", &o->market),
		OPT_STRING("order", &o->order),
		OPT_STRING("tag", &o->tag),
		OPT_FLAG("all", &o->all),
		OPT_FLAG("strict", &o->strict),
		OPT_END,
	};
	struct opt_args args;
	char *pos[1];

	return cli_parse(cli, PAGE, cmd, opts, argc - 1, argv + 1, &args, pos, 0, done);
}

/* ==== decc protect grant ==== */

static int grant_run(struct cli *cli, const struct access_opts *o, struct decc_order *ord,
		     char hash_s[67])
{
	struct decc_chain *c = NULL;
	struct market_page found = { 0 };
	struct access_filter f;
	struct decc_buf js = DECC_BUF_INIT, ans = DECC_BUF_INIT;
	char *market = NULL, d[43], me_s[43], own_s[43];
	uint8_t sk[32], domain[32], h[32];
	decc_address me, owner, app_owner;
	int e;

	if ((e = access_parse(o, &f, "protect grant")) != CLI_EXIT_OK)
		return e;
	f.user_strict = true;
	if (cli_wallet_open(cli, NULL, sk, &me) < 0)
		return cli_fail("protect grant: cannot open the wallet");
	if ((e = pcli_open(cli, PAGE, "protect grant", &c, false, NULL)) != CLI_EXIT_OK)
		goto out;
	if ((e = pcli_market_url(cli, PAGE, "protect grant", o->market, &market)) != CLI_EXIT_OK)
		goto out;
	if (owner_of(c, 1, &f.data, &owner) < 0 || owner_of(c, 0, &f.app, &app_owner) < 0 ||
	    decc_chain_domain_separator(c, domain) < 0) {
		e = pcli_fail("protect grant");
		goto out;
	}
	if (!decc_address_eq(&owner, &me)) {
		addr_s(d, &f.data);
		addr_s(me_s, &me);
		addr_s(own_s, &owner);
		e = cli_failx("protect grant: %s belongs to %s, not to the wallet's %s: only the "
			      "owner grants access",
			      d, own_s, me_s);
		goto out;
	}
	/* one access per (data, app, user), as DataProtector: the same grant twice is refused */
	f.has_user = true; /* zero when no --user: the orders open to anyone */
	if (access_find(&found, market, &f) < 0) {
		e = cli_fail("protect grant");
		goto out;
	}
	for (size_t i = 0; i < found.n; i++)
		if (decc_address_eq(&found.items[i].order.requesterrestrict, &f.user)) {
			e = cli_failx("protect grant: an access already exists for this data, app "
				      "and user: order %s (revoke it first with 'decc protect "
				      "revoke --order %s')",
				      found.items[i].hash, found.items[i].hash);
			goto out;
		}
	ord->dataset = f.data;
	ord->apprestrict = f.app;
	ord->requesterrestrict = f.user;
	if (decc_random_bytes(ord->salt, sizeof(ord->salt)) < 0 ||
	    decc_order_sign(ord, domain, sk) < 0 || decc_order_to_json(&js, ord) < 0) {
		e = cli_fail("protect grant: sign the dataset order");
		goto out;
	}
	decc_order_hash(h, domain, ord);
	decc_hex_encode(hash_s, h, 32, true);
	if (decc_orderbook_client_publish(&ans, market, DECC_ORDER_DATASET, decc_buf_str(&js),
					  js.len) < 0) {
		e = cli_fail("protect grant: publish the dataset order to %s", market);
		goto out;
	}
	e = CLI_EXIT_OK;
out:
	decc_wipe(sk, sizeof(sk));
	market_page_release(&found);
	decc_buf_release(&js);
	decc_buf_release(&ans);
	decc_chain_free(c);
	free(market);
	return e;
}

int cmd_protect_grant(struct cli *cli, int argc, char **argv)
{
	struct access_opts o = { 0 };
	struct market_entry e;
	uint64_t uses = 1;
	bool done;
	int r;

	r = access_opts_parse(cli, "protect grant", &o, argc, argv, &done);
	if (done)
		return r;
	if (o.order || o.all || o.strict)
		return cli_usage_error(PAGE, "protect grant",
				       "--order, --all and --strict are "
				       "for revoke and access");
	if (!o.data || !o.app)
		return cli_usage_error(PAGE, "protect grant",
				       "--data ADDR and --app ADDR are "
				       "required");
	decc_order_init(&e.order, DECC_ORDER_DATASET);
	if (o.price &&
	    (strncmp(o.price, "0x", 2) == 0 || decc_u256_parse(&e.order.price, o.price) < 0)) {
		decc_order_release(&e.order);
		return cli_usage_error(PAGE, "protect grant",
				       "--price: expected a decimal amount of nRLC");
	}
	if (o.uses && (cli_parse_u64(&uses, o.uses) < 0 || uses == 0)) {
		decc_order_release(&e.order);
		return cli_usage_error(PAGE, "protect grant", "--uses: expected a number from 1");
	}
	e.order.volume = decc_u256_from_u64(uses);
	e.order.tag[31] = 1; /* tee */
	if (o.tag && market_parse_tag(e.order.tag, o.tag) < 0) {
		decc_order_release(&e.order);
		return cli_usage_error(PAGE, "protect grant", "--tag: %s", decc_error_last());
	}
	if (o.app && decc_address_parse(&e.order.apprestrict, o.app) == 0 &&
	    decc_address_is_zero(&e.order.apprestrict)) {
		decc_order_release(&e.order);
		return cli_usage_error(PAGE, "protect grant",
				       "--app: the zero address would "
				       "grant every app");
	}
	r = grant_run(cli, &o, &e.order, e.hash);
	if (r == CLI_EXIT_OK) {
		e.remaining = e.order.volume;
		if (cli->json) {
			r = pcli_print(cli, access_json(&e));
		} else {
			access_print_human(&e);
			r = CLI_EXIT_OK;
		}
	}
	decc_order_release(&e.order);
	return r;
}

/* ==== decc protect access ==== */

int cmd_protect_access(struct cli *cli, int argc, char **argv)
{
	struct access_opts o = { 0 };
	struct access_filter f;
	struct market_page found = { 0 };
	char *market = NULL;
	json_t *arr;
	bool done;
	int r;

	r = access_opts_parse(cli, "protect access", &o, argc, argv, &done);
	if (done)
		return r;
	if (o.price || o.uses || o.order || o.all || o.tag)
		return cli_usage_error(PAGE, "protect access",
				       "takes --data, --app, --user, --strict and --market only");
	if ((r = access_parse(&o, &f, "protect access")) != CLI_EXIT_OK)
		return r;
	if ((r = pcli_market_url(cli, PAGE, "protect access", o.market, &market)) != CLI_EXIT_OK)
		return r;
	r = access_find(&found, market, &f);
	free(market);
	if (r < 0)
		return cli_fail("protect access");
	if (!cli->json) {
		for (size_t i = 0; i < found.n; i++)
			access_print_human(&found.items[i]);
		market_page_release(&found);
		return CLI_EXIT_OK;
	}
	arr = json_array();
	for (size_t i = 0; arr && i < found.n; i++)
		json_array_append_new(arr, access_json(&found.items[i]));
	market_page_release(&found);
	return pcli_print(cli, json_pack("{s:I, s:o}", "count", (json_int_t)json_array_size(arr),
					 "grantedAccess", arr));
}

/* ==== decc protect revoke ==== */

/* One order from the market by hash (DECC_ENOTFOUND: not there, or no longer usable). */
static int order_by_hash(struct market_entry *out, const char *market, const char *hash_s)
{
	struct decc_buf body = DECC_BUF_INIT;
	json_t *res = NULL, *ord;
	char *js = NULL;
	uint8_t h[32];
	bool has_salt = false;
	int r;

	if (strncmp(hash_s, "0x", 2) != 0 || decc_hex_decode_exact(h, 32, hash_s) < 0)
		return decc_error_set(DECC_EINVAL, "--order: expected 0x and 64 hex digits");
	r = decc_orderbook_client_get(&body, market, h);
	if (r == DECC_ENOTFOUND)
		r = decc_error_set(DECC_ENOTFOUND,
				   "no order %s on the market %s (unknown, already revoked or "
				   "fully used)",
				   hash_s, market);
	if (r < 0)
		goto out;
	res = json_loadb((const char *)body.data, body.len, 0, NULL);
	ord = json_object_get(res, "order");
	js = ord ? json_dumps(ord, JSON_COMPACT) : NULL;
	if (!js || !json_is_string(json_object_get(res, "type")) ||
	    strcmp(json_string_value(json_object_get(res, "type")), "dataset") != 0) {
		r = decc_error_set(DECC_EINVAL, "order %s is not a dataset order", hash_s);
		goto out;
	}
	r = decc_order_from_json(&out->order, &has_salt, DECC_ORDER_DATASET, js, strlen(js));
	if (r == 0)
		snprintf(out->hash, sizeof(out->hash), "%s", hash_s);
out:
	free(js);
	json_decref(res);
	decc_buf_release(&body);
	return r;
}

int cmd_protect_revoke(struct cli *cli, int argc, char **argv)
{
	struct access_opts o = { 0 };
	struct access_filter f;
	struct market_page found = { 0 };
	struct decc_chain *c = NULL;
	char *market = NULL, d[43], own_s[43];
	decc_address me, owner;
	json_t *arr = NULL;
	bool done;
	size_t closed = 0;
	int r;

	r = access_opts_parse(cli, "protect revoke", &o, argc, argv, &done);
	if (done)
		return r;
	if (!!o.order == o.all)
		return cli_usage_error(PAGE, "protect revoke",
				       "give --order HASH, or --all --data ADDR [--app ADDR] "
				       "[--user ADDR]");
	if (o.price || o.uses || o.tag || (o.order && (o.data || o.app || o.user)))
		return cli_usage_error(PAGE, "protect revoke",
				       "--order HASH alone, or --all with --data [--app] [--user]");
	if (o.all && !o.data)
		return cli_usage_error(PAGE, "protect revoke", "--all needs --data ADDR");
	if ((r = access_parse(&o, &f, "protect revoke")) != CLI_EXIT_OK)
		return r;
	f.user_strict = true;
	if ((r = pcli_market_url(cli, PAGE, "protect revoke", o.market, &market)) != CLI_EXIT_OK)
		return r;
	if ((r = pcli_open(cli, PAGE, "protect revoke", &c, true, &me)) != CLI_EXIT_OK)
		goto out;
	if (o.order) {
		found.items = calloc(1, sizeof(*found.items));
		if (!found.items) {
			r = cli_failx("protect revoke: out of memory");
			goto out;
		}
		decc_order_init(&found.items[0].order, DECC_ORDER_DATASET);
		found.n = 1;
		if (order_by_hash(&found.items[0], market, o.order) < 0) {
			r = cli_fail("protect revoke");
			goto out;
		}
		f.data = found.items[0].order.dataset;
	} else if (access_find(&found, market, &f) < 0) {
		r = cli_fail("protect revoke");
		goto out;
	}
	if (found.n && owner_of(c, 1, &f.data, &owner) == 0 && !decc_address_eq(&owner, &me)) {
		addr_s(d, &f.data);
		addr_s(own_s, &owner);
		r = cli_failx("protect revoke: %s belongs to %s: only its owner revokes access", d,
			      own_s);
		goto out;
	}
	arr = json_array();
	for (size_t i = 0; i < found.n; i++) {
		if (decc_chain_manage_order(c, &found.items[i].order, DECC_ORDER_OP_CLOSE, NULL,
					    0) < 0) {
			char what[120];

			snprintf(what, sizeof(what), "protect revoke: close order %s",
				 found.items[i].hash);
			r = closed ? cli_fail("%s (%zu order(s) closed before)", what, closed)
				   : cli_fail("%s", what);
			goto out;
		}
		closed++;
		json_array_append_new(arr, access_json(&found.items[i]));
		if (!cli->json)
			printf("revoked %s\n", found.items[i].hash);
	}
	if (!found.n && !cli->json)
		fprintf(stderr, "decc: protect revoke: no access to revoke\n");
	if (cli->json) {
		r = pcli_print(
		    cli, json_pack("{s:I, s:o}", "count", (json_int_t)closed, "revoked", arr));
		arr = NULL;
	} else {
		r = CLI_EXIT_OK;
	}
out:
	json_decref(arr);
	market_page_release(&found);
	decc_chain_free(c);
	free(market);
	return r;
}

/* ==== decc protect transfer ==== */

int cmd_protect_transfer(struct cli *cli, int argc, char **argv)
{
	const char *data_s = NULL, *to_s = NULL;
	const struct opt opts[] = {
		OPT_STRING("data", &data_s),
		OPT_STRING("to", &to_s),
		OPT_END,
	};
	struct decc_chain_receipt rc = { 0 };
	struct decc_abi_value *args;
	struct decc_chain *c = NULL;
	decc_address data, to, me, owner, reg;
	struct opt_args oa;
	char d[43], own_s[43], *pos[1];
	bool done;
	int r;

	r = cli_parse(cli, PAGE, "protect transfer", opts, argc - 1, argv + 1, &oa, pos, 0, &done);
	if (done)
		return r;
	if (!data_s || !to_s)
		return cli_usage_error(PAGE, "protect transfer",
				       "--data ADDR and --to ADDR are "
				       "required");
	if (decc_address_parse(&data, data_s) < 0)
		return cli_usage_error(PAGE, "protect transfer", "--data: %s", decc_error_last());
	if (decc_address_parse(&to, to_s) < 0 || decc_address_is_zero(&to))
		return cli_usage_error(PAGE, "protect transfer", "--to: %s",
				       decc_address_is_zero(&to) ? "not the zero address"
								 : decc_error_last());
	if ((r = pcli_open(cli, PAGE, "protect transfer", &c, true, &me)) != CLI_EXIT_OK)
		return r;
	if (owner_of(c, 1, &data, &owner) < 0 || pcli_registry(c, 1, &reg) < 0) {
		r = pcli_fail("protect transfer");
		goto out;
	}
	if (!decc_address_eq(&owner, &me)) {
		addr_s(d, &data);
		addr_s(own_s, &owner);
		r = cli_failx("protect transfer: %s belongs to %s: only its owner transfers it", d,
			      own_s);
		goto out;
	}
	args = decc_abi_tuplev(3, decc_abi_address(&me), decc_abi_address(&to), token_id(&data));
	if (!args) {
		r = cli_failx("protect transfer: out of memory");
		goto out;
	}
	r = decc_chain_transact_fn(c, &rc, &reg, "transferFrom(address,address,uint256)", args,
				   NULL);
	decc_abi_value_free(args);
	if (r < 0) {
		r = pcli_fail("protect transfer");
		goto out;
	}
	if (!cli->json) {
		addr_s(d, &to);
		printf("%s\n", d);
		r = CLI_EXIT_OK;
	} else {
		r = pcli_print(cli,
			       json_pack("{s:o, s:o, s:o}", "address", pcli_jaddr(&data), "to",
					 pcli_jaddr(&to), "txHash", pcli_jbytes32(rc.tx_hash)));
	}
out:
	decc_chain_receipt_release(&rc);
	decc_chain_free(c);
	return r;
}
