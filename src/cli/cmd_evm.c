/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decc evm: talk to an EVM chain through decc's own client (src/chain): deploy the PoCo
 * contracts from the @iexec/poco artifacts, send transactions, make calls, read the hub
 * (docs/cmd/decc-evm.md).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "decc/chain.h"
#include "decc/error.h"
#include "decc/file.h"
#include "decc/hex.h"
#include "decc/market.h"
#include "cli/cli.h"
#include "cli/evm.h"

#define PAGE "evm"
#define ARTIFACT_MAX ((size_t)8 << 20)
#define CODE_MAX ((size_t)1 << 20)
#define MAX_SELECTORS 512

struct evm_opts {
	const char *artifacts;
	const char *private_key_file;
	const char *to;
	const char *value;
	const char *data;
	const char *sig;
	const char *args;
	const char *returns;
	const char *gas;
	const char *code;
	const char *ctor;
	const char *data_dir;
	const char *listen;
	bool legacy;
	bool native;
	bool no_boost;
};

/* ---- setup ---- */

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

/* The client for --rpc, with --hub and the wallet when asked for. */
static int open_chain(struct cli *cli, const struct evm_opts *o, const char *cmd,
		      struct decc_chain **out, bool need_wallet, bool need_hub)
{
	struct decc_chain *c = NULL;
	uint8_t sk[32];
	decc_address a;
	int r;

	if (!cli->rpc)
		return cli_usage_error(PAGE, cmd, "missing --rpc URL");
	if (need_hub && !cli->hub)
		return cli_usage_error(PAGE, cmd, "missing --hub ADDR");
	if (decc_chain_new(&c, cli->rpc) < 0)
		return cli_fail("%s", cmd);
	if (cli->hub) {
		if (decc_address_parse(&a, cli->hub) < 0) {
			decc_chain_free(c);
			return cli_usage_error(PAGE, cmd, "--hub: %s", decc_error_last());
		}
		decc_chain_set_hub(c, &a);
	}
	if (need_wallet) {
		if (o->private_key_file)
			r = read_private_key(o->private_key_file, sk);
		else
			r = cli_wallet_open(cli, NULL, sk, &a);
		if (r == 0)
			r = decc_chain_set_wallet(c, sk);
		decc_wipe(sk, sizeof(sk));
		if (r < 0) {
			decc_chain_free(c);
			return cli_fail("%s", cmd);
		}
	}
	if (decc_chain_connect(c, NULL) < 0) {
		decc_chain_free(c);
		return cli_fail("%s: cannot reach the chain", cmd);
	}
	*out = c;
	return CLI_EXIT_OK;
}

static json_t *jaddr(const decc_address *a)
{
	char s[43];

	decc_address_to_checksum(s, a);
	return json_string(s);
}

static json_t *jhex(const uint8_t *p, size_t n)
{
	struct decc_buf b = DECC_BUF_INIT;
	json_t *j = NULL;

	if (decc_hex_append(&b, p, n) == 0)
		j = json_stringn(decc_buf_str(&b), b.len);
	decc_buf_release(&b);
	return j;
}

static json_t *ju256(const decc_u256 *v)
{
	char s[79];

	decc_u256_to_dec(s, v);
	return json_string(s);
}

/* ---- JSON <-> ABI values (for --args and --returns) ---- */

static struct decc_abi_value *json_to_abi(const struct decc_abi_type *t, json_t *j,
					  const char *where);

static struct decc_abi_value *bad(const char *where, const char *want)
{
	decc_error_set(DECC_EINVAL, "%s: expected %s", where, want);
	return NULL;
}

static struct decc_abi_value *json_to_list(const struct decc_abi_type *t, json_t *j,
					   const char *where)
{
	size_t n = json_array_size(j), want;
	struct decc_abi_value **items, *v;
	char sub[160];

	if (!json_is_array(j))
		return bad(where, "a JSON array");
	want = t->kind == DECC_ABI_TUPLE ? t->n_members : t->length;
	if (t->kind != DECC_ABI_ARRAY && n != want) {
		decc_error_set(DECC_EINVAL, "%s: expected %zu elements, got %zu", where, want, n);
		return NULL;
	}
	items = calloc(n ? n : 1, sizeof(*items));
	if (!items)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		snprintf(sub, sizeof(sub), "%s[%zu]", where, i);
		items[i] = json_to_abi(t->kind == DECC_ABI_TUPLE ? t->members[i] : t->elem,
				       json_array_get(j, i), sub);
		if (!items[i]) {
			for (size_t k = 0; k < i; k++)
				decc_abi_value_free(items[k]);
			free(items);
			return NULL;
		}
	}
	if (t->kind == DECC_ABI_TUPLE) {
		v = decc_abi_tuple(n, items);
	} else {
		v = decc_abi_array(n, items);
		if (v)
			v->kind = t->kind; /* T[k] encodes from the same shape */
	}
	free(items);
	return v;
}

static struct decc_abi_value *json_to_abi(const struct decc_abi_type *t, json_t *j,
					  const char *where)
{
	const char *s = json_string_value(j);
	struct decc_buf b = DECC_BUF_INIT;
	struct decc_abi_value *v;
	decc_address a;
	decc_u256 u;
	uint8_t fixed[32];

	switch (t->kind) {
	case DECC_ABI_UINT:
		if (json_is_integer(j) && json_integer_value(j) >= 0)
			return decc_abi_uint64((uint64_t)json_integer_value(j));
		if (!s || decc_u256_parse(&u, s) < 0)
			return bad(where, "an unsigned integer (decimal or 0x-hex string)");
		return decc_abi_uint(&u);
	case DECC_ABI_INT:
		if (!json_is_integer(j))
			return bad(where, "a JSON integer");
		return decc_abi_int64(json_integer_value(j));
	case DECC_ABI_ADDRESS:
		if (!s || decc_address_parse(&a, s) < 0)
			return bad(where, "an address");
		return decc_abi_address(&a);
	case DECC_ABI_BOOL:
		if (!json_is_boolean(j))
			return bad(where, "true or false");
		return decc_abi_bool(json_is_true(j));
	case DECC_ABI_FIXED_BYTES:
		if (!s || decc_hex_decode_exact(fixed, t->size, s) < 0)
			return bad(where, "0x-hex of the exact size");
		return decc_abi_fixed_bytes(fixed, t->size);
	case DECC_ABI_BYTES:
		if (!s || decc_hex_decode_buf(&b, s, strlen(s)) < 0) {
			decc_buf_release(&b);
			return bad(where, "0x-hex bytes");
		}
		v = decc_abi_bytes(b.data, b.len);
		decc_buf_release(&b);
		return v;
	case DECC_ABI_STRING:
		if (!s)
			return bad(where, "a string");
		return decc_abi_string(s);
	case DECC_ABI_ARRAY:
	case DECC_ABI_FIXED_ARRAY:
	case DECC_ABI_TUPLE:
		return json_to_list(t, j, where);
	default:
		return bad(where, "a supported ABI type");
	}
}

static json_t *abi_to_json(const struct decc_abi_value *v)
{
	json_t *arr, *j;
	decc_address a;
	decc_u256 u;

	switch (v->kind) {
	case DECC_ABI_UINT:
		decc_u256_from_be(&u, v->word);
		return ju256(&u);
	case DECC_ABI_INT:
		decc_u256_from_be(&u, v->word);
		if (v->word[0] & 0x80) {
			char s[80];
			decc_u256 zero = DECC_U256_ZERO;

			(void)decc_u256_sub(&u, &zero, &u); /* two's complement magnitude */
			s[0] = '-';
			decc_u256_to_dec(s + 1, &u);
			return json_string(s);
		}
		return ju256(&u);
	case DECC_ABI_ADDRESS:
		memcpy(a.b, v->word + 12, 20);
		return jaddr(&a);
	case DECC_ABI_BOOL:
		return json_boolean(v->word[31] != 0);
	case DECC_ABI_FIXED_BYTES:
		return jhex(v->word, 32); /* the word; bytesN is left-aligned in it */
	case DECC_ABI_BYTES:
		return jhex(v->bytes.data, v->bytes.len);
	case DECC_ABI_STRING:
		j = json_stringn((const char *)v->bytes.data, v->bytes.len);
		return j ? j : jhex(v->bytes.data, v->bytes.len); /* not UTF-8 */
	default:
		arr = json_array();
		for (size_t i = 0; arr && i < v->n_items; i++)
			json_array_append_new(arr, abi_to_json(v->items[i]));
		return arr;
	}
}

/* calldata from --data, or --sig and --args (a JSON array) */
static int build_calldata(struct decc_buf *out, const struct evm_opts *o)
{
	struct decc_abi_type *t = NULL;
	struct decc_abi_value *v = NULL;
	const char *paren;
	json_error_t jerr;
	json_t *j;
	int r;

	if (o->data)
		return decc_hex_decode_buf(out, o->data, strlen(o->data));
	if (!o->sig)
		return 0;
	paren = strchr(o->sig, '(');
	if (!paren)
		return decc_error_set(DECC_EINVAL, "--sig '%s' is not name(types)", o->sig);
	DECC_TRY(decc_abi_type_parse(&t, paren));
	if (t->n_members == 0 && (!o->args || strcmp(o->args, "[]") == 0)) {
		uint8_t sel[4];

		decc_abi_type_free(t);
		decc_abi_selector(sel, o->sig);
		return decc_buf_append(out, sel, 4);
	}
	j = json_loads(o->args ? o->args : "[]", JSON_REJECT_DUPLICATES, &jerr);
	if (!j) {
		decc_abi_type_free(t);
		return decc_error_set(DECC_EINVAL, "--args is not JSON: %s", jerr.text);
	}
	v = json_to_abi(t, j, "--args");
	json_decref(j);
	decc_abi_type_free(t);
	if (!v)
		return decc_error_code() < 0 ? decc_error_code()
					     : decc_error_set(DECC_ENOMEM, "out of memory");
	r = decc_abi_encode_call(out, o->sig, v);
	decc_abi_value_free(v);
	return r;
}

static int parse_txopts(struct decc_chain_txopts *t, const struct evm_opts *o, const char *cmd)
{
	memset(t, 0, sizeof(*t));
	t->legacy = o->legacy;
	if (o->value && decc_u256_parse(&t->value, o->value) < 0)
		return cli_usage_error(PAGE, cmd, "--value: expected an amount in wei");
	if (o->gas && cli_parse_u64(&t->gas, o->gas) < 0)
		return cli_usage_error(PAGE, cmd, "--gas: %s", decc_error_last());
	return CLI_EXIT_OK;
}

static json_t *receipt_json(const struct decc_chain_receipt *rc)
{
	json_t *o = json_object(), *logs = json_array();

	json_object_set_new(o, "txHash", jhex(rc->tx_hash, 32));
	json_object_set_new(o, "status", json_integer(rc->status ? 1 : 0));
	json_object_set_new(o, "blockNumber", json_integer((json_int_t)rc->block_number));
	json_object_set_new(o, "gasUsed", json_integer((json_int_t)rc->gas_used));
	if (rc->has_contract_address)
		json_object_set_new(o, "contractAddress", jaddr(&rc->contract_address));
	for (size_t i = 0; i < rc->logs.n; i++) {
		const struct decc_chain_log *l = &rc->logs.items[i];
		json_t *lj = json_object(), *topics = json_array();

		for (size_t k = 0; k < l->n_topics; k++)
			json_array_append_new(topics, jhex(l->topics[k], 32));
		json_object_set_new(lj, "address", jaddr(&l->address));
		json_object_set_new(lj, "topics", topics);
		json_object_set_new(lj, "data", jhex(l->data.data, l->data.len));
		json_array_append_new(logs, lj);
	}
	json_object_set_new(o, "logs", logs);
	return o;
}

/* ---- send, call, deploy ---- */

static int evm_send(struct cli *cli, const struct evm_opts *o)
{
	struct decc_buf data = DECC_BUF_INIT;
	struct decc_chain_receipt rc;
	struct decc_chain_txopts t;
	struct decc_chain *c = NULL;
	decc_address to;
	json_t *out;
	int r;

	if (!o->to)
		return cli_usage_error(PAGE, "evm send", "missing --to ADDR");
	if (decc_address_parse(&to, o->to) < 0)
		return cli_usage_error(PAGE, "evm send", "--to: %s", decc_error_last());
	if (o->data && o->sig)
		return cli_usage_error(PAGE, "evm send", "give --data or --sig, not both");
	r = parse_txopts(&t, o, "evm send");
	if (r != CLI_EXIT_OK)
		return r;
	if (build_calldata(&data, o) < 0) {
		decc_buf_release(&data);
		return cli_fail("evm send");
	}
	r = open_chain(cli, o, "evm send", &c, true, false);
	if (r != CLI_EXIT_OK) {
		decc_buf_release(&data);
		return r;
	}
	memset(&rc, 0, sizeof(rc));
	r = decc_chain_transact(c, &rc, &to, data.data, data.len, &t);
	if (r < 0) {
		r = cli_fail("evm send");
	} else {
		out = receipt_json(&rc);
		r = cli_print_json(cli, out);
		json_decref(out);
	}
	decc_chain_receipt_release(&rc);
	decc_chain_free(c);
	decc_buf_release(&data);
	return r;
}

static int evm_call(struct cli *cli, const struct evm_opts *o)
{
	struct decc_buf data = DECC_BUF_INIT, ret = DECC_BUF_INIT;
	struct decc_abi_type *t = NULL;
	struct decc_abi_value *v = NULL;
	struct decc_chain *c = NULL;
	decc_address to;
	json_t *out = NULL;
	int r;

	if (!o->to)
		return cli_usage_error(PAGE, "evm call", "missing --to ADDR");
	if (decc_address_parse(&to, o->to) < 0)
		return cli_usage_error(PAGE, "evm call", "--to: %s", decc_error_last());
	if (o->returns && decc_abi_type_parse(&t, o->returns) < 0)
		return cli_usage_error(PAGE, "evm call", "--returns: %s", decc_error_last());
	if (build_calldata(&data, o) < 0) {
		r = cli_fail("evm call");
		goto out;
	}
	r = open_chain(cli, o, "evm call", &c, o->private_key_file != NULL, false);
	if (r != CLI_EXIT_OK)
		goto out;
	if (decc_chain_call(c, &ret, &to, data.data, data.len, DECC_CHAIN_LATEST) < 0) {
		r = cli_fail("evm call");
		goto out;
	}
	if (t) {
		if (decc_abi_decode(&v, t, ret.data, ret.len) < 0) {
			r = cli_fail("evm call: decoding the result as %s", o->returns);
			goto out;
		}
		out = json_pack("{s:o}", "result", abi_to_json(v));
	} else {
		out = json_pack("{s:o}", "data", jhex(ret.data, ret.len));
	}
	r = cli_print_json(cli, out);
out:
	json_decref(out);
	decc_abi_value_free(v);
	decc_abi_type_free(t);
	decc_chain_free(c);
	decc_buf_release(&data);
	decc_buf_release(&ret);
	return r;
}

/* --code HEX or --code @FILE (hex text, or a Hardhat artifact's "bytecode") */
static int load_code(struct decc_buf *out, const char *arg)
{
	struct decc_buf text = DECC_BUF_INIT;
	json_t *j;
	int r;

	if (arg[0] != '@')
		return decc_hex_decode_buf(out, arg, strlen(arg));
	r = decc_file_read(&text, arg + 1, ARTIFACT_MAX);
	if (r < 0)
		return r;
	j = json_loadb((const char *)text.data, text.len, 0, NULL);
	if (j && json_is_string(json_object_get(j, "bytecode"))) {
		const char *s = json_string_value(json_object_get(j, "bytecode"));

		r = decc_hex_decode_buf(out, s, strlen(s));
	} else {
		size_t n = text.len;

		while (n > 0 && (text.data[n - 1] == '\n' || text.data[n - 1] == '\r'))
			n--;
		r = decc_hex_decode_buf(out, (const char *)text.data, n);
	}
	json_decref(j);
	decc_buf_release(&text);
	return r < 0 ? decc_error_wrap(r, "%s", arg + 1) : 0;
}

static int evm_deploy(struct cli *cli, const struct evm_opts *o)
{
	struct decc_buf code;
	struct decc_abi_type *t = NULL;
	struct decc_abi_value *v = NULL;
	struct decc_chain_txopts tx;
	struct decc_chain *c = NULL;
	decc_address addr;
	json_error_t jerr;
	json_t *j, *out;
	int r;

	decc_buf_init(&code, CODE_MAX);
	if (!o->code)
		return cli_usage_error(PAGE, "evm deploy", "missing --code HEX|@FILE");
	r = parse_txopts(&tx, o, "evm deploy");
	if (r != CLI_EXIT_OK)
		return r;
	if (o->ctor) {
		if (decc_abi_type_parse(&t, o->ctor) < 0)
			return cli_usage_error(PAGE, "evm deploy", "--ctor: %s", decc_error_last());
		j = json_loads(o->args ? o->args : "[]", 0, &jerr);
		v = j ? json_to_abi(t, j, "--args") : NULL;
		json_decref(j);
		if (!v) {
			decc_abi_type_free(t);
			return cli_usage_error(PAGE, "evm deploy", "--args: %s",
					       j ? decc_error_last() : jerr.text);
		}
	}
	if (load_code(&code, o->code) < 0) {
		r = cli_fail("evm deploy: --code");
		goto out;
	}
	r = open_chain(cli, o, "evm deploy", &c, true, false);
	if (r != CLI_EXIT_OK)
		goto out;
	if (decc_chain_deploy(c, &addr, code.data, code.len, o->ctor, v, &tx) < 0) {
		r = cli_fail("evm deploy");
		goto out;
	}
	out = json_pack("{s:o}", "address", jaddr(&addr));
	r = cli_print_json(cli, out);
	json_decref(out);
out:
	decc_abi_value_free(v);
	decc_abi_type_free(t);
	decc_chain_free(c);
	decc_buf_release(&code);
	return r;
}

/* ---- typed views of the hub ---- */

static int evm_hub(struct cli *cli, const struct evm_opts *o)
{
	struct decc_chain *c = NULL;
	struct decc_chain_domain dom;
	decc_address token, apps, datasets, pools, owner;
	uint64_t ncat;
	json_t *out = NULL, *cats;
	int r;

	r = open_chain(cli, o, "evm hub", &c, false, true);
	if (r != CLI_EXIT_OK)
		return r;
	if (decc_chain_domain(c, &dom) < 0 || decc_chain_token(c, &token) < 0 ||
	    decc_chain_registries(c, &apps, &datasets, &pools) < 0 ||
	    decc_chain_count_category(c, &ncat) < 0 ||
	    decc_chain_owner(c, &owner, &dom.verifying_contract) < 0) {
		r = cli_fail("evm hub");
		goto out;
	}
	cats = json_array();
	for (uint64_t i = 0; i < ncat && i < 1000; i++) {
		struct decc_chain_category cat;

		if (decc_chain_view_category(c, &cat, i) < 0) {
			json_decref(cats);
			r = cli_fail("evm hub: category %llu", (unsigned long long)i);
			goto out;
		}
		json_array_append_new(cats, json_pack("{s:I,s:s,s:s,s:I}", "id", (json_int_t)i,
						      "name", cat.name, "description",
						      cat.description, "workClockTimeRef",
						      (json_int_t)cat.work_clock_time_ref));
		decc_chain_category_release(&cat);
	}
	out = json_pack("{s:{s:s,s:s,s:I,s:o},s:o,s:o,s:o,s:o,s:o,s:I,s:o}", "domain", "name",
			dom.name, "version", dom.version, "chainId", (json_int_t)dom.chain_id,
			"verifyingContract", jaddr(&dom.verifying_contract), "owner", jaddr(&owner),
			"token", jaddr(&token), "appRegistry", jaddr(&apps), "datasetRegistry",
			jaddr(&datasets), "workerpoolRegistry", jaddr(&pools), "countCategory",
			(json_int_t)ncat, "categories", cats);
	r = cli_print_json(cli, out);
out:
	json_decref(out);
	decc_chain_free(c);
	return r;
}

static int evm_view(struct cli *cli, const struct evm_opts *o, const char *what, const char *arg)
{
	struct decc_chain *c = NULL;
	decc_address a;
	json_t *out = NULL;
	int r;

	if (!arg)
		return cli_usage_error(PAGE, "evm view", "missing the address");
	if (decc_address_parse(&a, arg) < 0)
		return cli_usage_error(PAGE, "evm view", "%s: %s", arg, decc_error_last());
	r = open_chain(cli, o, "evm view", &c, false, strcmp(what, "account") == 0);
	if (r != CLI_EXIT_OK)
		return r;
	if (strcmp(what, "app") == 0) {
		struct decc_chain_app app;

		if (decc_chain_view_app(c, &app, &a) < 0) {
			r = cli_fail("evm view app %s", arg);
			goto out;
		}
		out = json_pack("{s:o,s:s,s:s,s:o,s:o,s:o}", "owner", jaddr(&app.owner), "name",
				app.name, "type", app.type, "multiaddr",
				jhex(app.multiaddr.data, app.multiaddr.len), "checksum",
				jhex(app.checksum, 32), "mrenclave",
				jhex(app.mrenclave.data, app.mrenclave.len));
		decc_chain_app_release(&app);
	} else if (strcmp(what, "dataset") == 0) {
		struct decc_chain_dataset d;

		if (decc_chain_view_dataset(c, &d, &a) < 0) {
			r = cli_fail("evm view dataset %s", arg);
			goto out;
		}
		out = json_pack("{s:o,s:s,s:o,s:o}", "owner", jaddr(&d.owner), "name", d.name,
				"multiaddr", jhex(d.multiaddr.data, d.multiaddr.len), "checksum",
				jhex(d.checksum, 32));
		decc_chain_dataset_release(&d);
	} else if (strcmp(what, "workerpool") == 0) {
		struct decc_chain_workerpool w;

		if (decc_chain_view_workerpool(c, &w, &a) < 0) {
			r = cli_fail("evm view workerpool %s", arg);
			goto out;
		}
		out = json_pack("{s:o,s:s,s:I,s:I}", "owner", jaddr(&w.owner), "description",
				w.description, "workerStakeRatio", (json_int_t)w.worker_stake_ratio,
				"schedulerRewardRatio", (json_int_t)w.scheduler_reward_ratio);
		decc_chain_workerpool_release(&w);
	} else if (strcmp(what, "account") == 0) {
		decc_u256 stake, locked;

		if (decc_chain_view_account(c, &stake, &locked, &a) < 0) {
			r = cli_fail("evm view account %s", arg);
			goto out;
		}
		out = json_pack("{s:o,s:o}", "stake", ju256(&stake), "locked", ju256(&locked));
	} else {
		r = cli_usage_error(PAGE, "evm view",
				    "unknown view '%s' (app, dataset, workerpool,"
				    " account)",
				    what);
		goto out;
	}
	r = cli_print_json(cli, out);
out:
	json_decref(out);
	decc_chain_free(c);
	return r;
}

/* ---- deploy-poco ---- */

struct artifacts {
	const char *dir;
};

static int load_json(json_t **out, const char *dir, const char *rel)
{
	struct decc_buf text = DECC_BUF_INIT, path = DECC_BUF_INIT;
	json_error_t jerr;
	int r;

	r = decc_buf_appendf(&path, "%s/%s", dir, rel);
	if (r == 0)
		r = decc_file_read(&text, decc_buf_str(&path), ARTIFACT_MAX);
	if (r == 0) {
		*out = json_loadb((const char *)text.data, text.len, 0, &jerr);
		if (!*out)
			r = decc_error_set(DECC_EINVAL, "%s: not JSON: %s", decc_buf_str(&path),
					   jerr.text);
	} else {
		r = decc_error_wrap(r, "PoCo artifacts (is --artifacts the unpacked "
				       "@iexec/poco package?)");
	}
	decc_buf_release(&text);
	decc_buf_release(&path);
	return r;
}

/* Canonical ABI type of an artifact input ("tuple[]" -> "(...)[]"). */
static int canonical_type(struct decc_buf *out, json_t *in)
{
	const char *type = json_string_value(json_object_get(in, "type"));
	json_t *comps, *c;
	size_t i;

	if (!type)
		return decc_error_set(DECC_EINVAL, "ABI input without a type");
	if (strncmp(type, "tuple", 5) != 0)
		return decc_buf_append_str(out, type);
	comps = json_object_get(in, "components");
	DECC_TRY(decc_buf_append_byte(out, '('));
	json_array_foreach(comps, i, c)
	{
		if (i)
			DECC_TRY(decc_buf_append_byte(out, ','));
		DECC_TRY(canonical_type(out, c));
	}
	DECC_TRY(decc_buf_append_byte(out, ')'));
	return decc_buf_append_str(out, type + 5);
}

struct selectors {
	uint8_t s[MAX_SELECTORS][4];
	size_t n;
};

static bool has_selector(const struct selectors *all, const uint8_t sel[4])
{
	for (size_t i = 0; i < all->n; i++)
		if (memcmp(all->s[i], sel, 4) == 0)
			return true;
	return false;
}

static int add_selector(struct selectors *all, struct selectors *mine, const uint8_t sel[4])
{
	if (has_selector(all, sel))
		return 0; /* the first facet to claim a selector keeps it */
	if (all->n >= MAX_SELECTORS || mine->n >= MAX_SELECTORS)
		return decc_error_set(DECC_ELIMIT, "too many selectors");
	memcpy(all->s[all->n++], sel, 4);
	memcpy(mine->s[mine->n++], sel, 4);
	return 0;
}

/* Selectors of every function of an ABI; receive/fallback too when routing is asked. */
static int abi_selectors(struct selectors *all, struct selectors *mine, json_t *abi,
			 bool with_fallbacks)
{
	static const uint8_t receive_sel[4] = { 0, 0, 0, 0 };
	static const uint8_t fallback_sel[4] = { 0xff, 0xff, 0xff, 0xff };
	json_t *e, *in;
	size_t i, k;

	if (!json_is_array(abi))
		return decc_error_set(DECC_EINVAL, "artifact without an ABI array");
	json_array_foreach(abi, i, e)
	{
		const char *kind = json_string_value(json_object_get(e, "type"));
		struct decc_buf sig = DECC_BUF_INIT;
		uint8_t sel[4];
		int r = 0;

		if (kind && with_fallbacks && strcmp(kind, "receive") == 0)
			DECC_TRY(add_selector(all, mine, receive_sel));
		if (kind && with_fallbacks && strcmp(kind, "fallback") == 0)
			DECC_TRY(add_selector(all, mine, fallback_sel));
		if (!kind || strcmp(kind, "function") != 0)
			continue;
		r = decc_buf_append_str(&sig, json_string_value(json_object_get(e, "name")));
		if (r == 0)
			r = decc_buf_append_byte(&sig, '(');
		json_array_foreach(json_object_get(e, "inputs"), k, in)
		{
			if (r == 0 && k)
				r = decc_buf_append_byte(&sig, ',');
			if (r == 0)
				r = canonical_type(&sig, in);
		}
		if (r == 0)
			r = decc_buf_append_byte(&sig, ')');
		if (r == 0) {
			decc_abi_selector(sel, decc_buf_str(&sig));
			r = add_selector(all, mine, sel);
		}
		decc_buf_release(&sig);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Artifact bytecode with every library placeholder replaced by the library's address. */
static int linked_bytecode(struct decc_buf *out, json_t *art, const char *lib_name,
			   const decc_address *lib)
{
	const char *bc = json_string_value(json_object_get(art, "bytecode"));
	json_t *refs = json_object_get(art, "linkReferences"), *libs, *list, *ref;
	const char *file, *name;
	char libhex[41];
	char *text;
	size_t n, i;
	int r;

	if (!bc || strncmp(bc, "0x", 2) != 0)
		return decc_error_set(DECC_EINVAL, "artifact without bytecode");
	text = strdup(bc + 2);
	if (!text)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	n = strlen(text);
	decc_hex_encode(libhex, lib->b, 20, false);
	json_object_foreach(refs, file, libs)
	{
		json_object_foreach(libs, name, list)
		{
			if (strcmp(name, lib_name) != 0) {
				free(text);
				return decc_error_set(DECC_EINVAL, "unknown library %s to link",
						      name);
			}
			json_array_foreach(list, i, ref)
			{
				json_int_t start =
				    json_integer_value(json_object_get(ref, "start"));
				json_int_t len = json_integer_value(json_object_get(ref, "length"));

				if (len != 20 || start < 0 || (size_t)start > (n / 2) - 20) {
					free(text);
					return decc_error_set(DECC_EINVAL,
							      "bad link reference in artifact");
				}
				memcpy(text + 2 * start, libhex, 40);
			}
		}
	}
	r = decc_hex_decode_buf(out, text, n);
	free(text);
	return r < 0 ? decc_error_wrap(r, "bytecode (an unlinked library left?)") : 0;
}

static int deploy_artifact(struct decc_chain *c, decc_address *out, json_t *art,
			   const char *lib_name, const decc_address *lib, const char *what)
{
	struct decc_buf code;
	int r;

	decc_buf_init(&code, CODE_MAX);
	r = linked_bytecode(&code, art, lib_name, lib);
	if (r == 0)
		r = decc_chain_deploy(c, out, code.data, code.len, NULL, NULL, NULL);
	decc_buf_release(&code);
	return r < 0 ? decc_error_wrap(r, "deploying %s", what) : 0;
}

static struct decc_abi_value *cut_value(const decc_address *facet, const struct selectors *s)
{
	struct decc_abi_value **items = calloc(s->n ? s->n : 1, sizeof(*items)), *arr, *v;

	if (!items)
		return NULL;
	for (size_t i = 0; i < s->n; i++)
		items[i] = decc_abi_fixed_bytes(s->s[i], 4);
	arr = decc_abi_array(s->n, items);
	free(items);
	v = decc_abi_tuplev(3, decc_abi_address(facet), decc_abi_uint64(0), arr);
	return v;
}

int evm_deploy_poco_on(struct decc_chain *c, struct poco_deployment *d, const char *dir,
		       bool native, bool boost)
{
	static const char *const base[] = { "DiamondCutFacet", "DiamondLoupeFacet",
					    "OwnershipFacet" };
	static const char *const facets[] = {
		"IexecAccessorsABILegacyFacet",
		"IexecCategoryManagerFacet",
		"IexecConfigurationExtraFacet",
		"IexecConfigurationFacet",
		"IexecERC20Facet",
		"IexecEscrowTokenFacet",
		"IexecOrderManagementFacet",
		"IexecPoco1Facet",
		"IexecPoco2Facet",
		"IexecPocoAccessorsFacet",
		"IexecRelayFacet",
		"IexecPocoBoostFacet",
		"IexecPocoBoostAccessorsFacet",
	};
	static const char *const reg_names[] = { "AppRegistry", "DatasetRegistry",
						 "WorkerpoolRegistry" };
	static const char *const reg_dirs[] = { "apps", "datasets", "workerpools" };
	static const struct {
		const char *name;
		uint64_t ref;
	} categories[] = {
		{ "XS", 300 }, { "S", 1200 }, { "M", 3600 }, { "L", 10800 }, { "XL", 36000 }
	};
	static const uint8_t init_sel[4] = { 0xe1, 0xc7, 0x39, 0x2a }; /* DiamondInit.init() */
	const char *lib_name = "IexecLibOrders_v5";
	struct selectors *all = calloc(1, sizeof(*all)), *mine = calloc(1, sizeof(*mine));
	struct decc_abi_value *cuts[N_FACETS_MAX] = { 0 }, *args = NULL;
	decc_address me, zero = DECC_ADDRESS_ZERO;
	char rel[256];
	json_t *j = NULL;
	size_t ncuts = 0;
	int r;

	if (!all || !mine) {
		r = decc_error_set(DECC_ENOMEM, "out of memory");
		goto out;
	}
	r = decc_chain_address(c, &me);
	/* 1. RLC (token mode): the deployer holds the whole supply */
	if (r == 0 && !native) {
		r = load_json(&j, dir, "deployments/arbitrumSepolia/RLC.json");
		if (r == 0)
			r = deploy_artifact(c, &d->rlc, j, lib_name, &zero, "RLC");
		json_decref(j);
		j = NULL;
	}
	/* 2. the orders library */
	if (r == 0)
		r = load_json(
		    &j, dir,
		    "artifacts/contracts/libs/IexecLibOrders_v5.sol/IexecLibOrders_v5.json");
	if (r == 0)
		r = deploy_artifact(c, &d->lib, j, lib_name, &zero, lib_name);
	json_decref(j);
	j = NULL;
	/* 3. the mudgen base facets and DiamondInit, from the deployment records */
	for (size_t i = 0; r == 0 && i < DECC_ARRAY_SIZE(base); i++) {
		snprintf(rel, sizeof(rel), "deployments/arbitrumSepolia/%s.json", base[i]);
		r = load_json(&j, dir, rel);
		if (r == 0)
			r = deploy_artifact(c, &d->facet_addr[d->n_facets], j, lib_name, &d->lib,
					    base[i]);
		mine->n = 0;
		if (r == 0)
			r = abi_selectors(all, mine, json_object_get(j, "abi"), false);
		if (r == 0) {
			d->facet_name[d->n_facets] = base[i];
			cuts[ncuts] = cut_value(&d->facet_addr[d->n_facets], mine);
			if (!cuts[ncuts++])
				r = decc_error_set(DECC_ENOMEM, "out of memory");
			d->n_facets++;
		}
		json_decref(j);
		j = NULL;
	}
	if (r == 0)
		r = load_json(&j, dir, "deployments/arbitrumSepolia/DiamondInit.json");
	if (r == 0)
		r = deploy_artifact(c, &d->init, j, lib_name, &d->lib, "DiamondInit");
	json_decref(j);
	j = NULL;
	/* 4. the PoCo facets, library linked */
	for (size_t i = 0; r == 0 && i < DECC_ARRAY_SIZE(facets); i++) {
		const char *name = facets[i];

		if (native && strcmp(name, "IexecEscrowTokenFacet") == 0)
			name = "IexecEscrowNativeFacet";
		if (!boost && strncmp(name, "IexecPocoBoost", 14) == 0)
			continue;
		snprintf(rel, sizeof(rel), "artifacts/contracts/facets/%s.sol/%s.json", name, name);
		r = load_json(&j, dir, rel);
		if (r == 0)
			r = deploy_artifact(c, &d->facet_addr[d->n_facets], j, lib_name, &d->lib,
					    name);
		mine->n = 0;
		if (r == 0)
			r = abi_selectors(all, mine, json_object_get(j, "abi"),
					  strncmp(name, "IexecEscrow", 11) == 0);
		if (r == 0 && mine->n > 0) {
			cuts[ncuts] = cut_value(&d->facet_addr[d->n_facets], mine);
			if (!cuts[ncuts++])
				r = decc_error_set(DECC_ENOMEM, "out of memory");
		}
		if (r == 0)
			d->facet_name[d->n_facets++] = name;
		json_decref(j);
		j = NULL;
	}
	d->n_selectors = all->n;
	/* 5. the diamond, every facet cut in its constructor */
	if (r == 0)
		r = load_json(&j, dir, "artifacts/contracts/Diamond.sol/Diamond.json");
	if (r == 0) {
		struct decc_buf code;

		decc_buf_init(&code, CODE_MAX);
		args = decc_abi_tuplev(2, decc_abi_array(ncuts, cuts),
				       decc_abi_tuplev(3, decc_abi_address(&me),
						       decc_abi_address(&d->init),
						       decc_abi_bytes(init_sel, 4)));
		ncuts = 0; /* owned by args now */
		r = args ? linked_bytecode(&code, j, lib_name, &d->lib)
			 : decc_error_set(DECC_ENOMEM, "out of memory");
		if (r == 0)
			r = decc_chain_deploy(
			    c, &d->hub, code.data, code.len,
			    "((address,uint8,bytes4[])[],(address,address,bytes))", args, NULL);
		if (r < 0)
			r = decc_error_wrap(r, "deploying the Diamond");
		decc_buf_release(&code);
	}
	json_decref(j);
	j = NULL;
	decc_chain_set_hub(c, &d->hub);
	/* 6. registries */
	for (size_t i = 0; r == 0 && i < 3; i++) {
		snprintf(rel, sizeof(rel), "artifacts/contracts/registries/%s/%s.sol/%s.json",
			 reg_dirs[i], reg_names[i], reg_names[i]);
		r = load_json(&j, dir, rel);
		if (r == 0)
			r = deploy_artifact(c, &d->regs[i], j, lib_name, &d->lib, reg_names[i]);
		if (r == 0) {
			struct decc_abi_value *v = decc_abi_tuplev(1, decc_abi_address(&zero));

			r = decc_chain_transact_fn(c, NULL, &d->regs[i], "initialize(address)", v,
						   NULL);
			decc_abi_value_free(v);
		}
		json_decref(j);
		j = NULL;
	}
	/* 7. configure, categories, callback gas */
	if (r == 0) {
		struct decc_abi_value *v =
		    decc_abi_tuplev(8, decc_abi_address(native ? &zero : &d->rlc),
				    decc_abi_string(native ? "Staked RLC" : "Staked RLC"),
				    decc_abi_string("SRLC"), decc_abi_uint64(9),
				    decc_abi_address(&d->regs[0]), decc_abi_address(&d->regs[1]),
				    decc_abi_address(&d->regs[2]), decc_abi_address(&zero));

		r = decc_chain_transact_fn(
		    c, NULL, &d->hub,
		    "configure(address,string,string,uint8,address,address,address,address)", v,
		    NULL);
		decc_abi_value_free(v);
	}
	for (size_t i = 0; r == 0 && i < DECC_ARRAY_SIZE(categories); i++) {
		struct decc_abi_value *v =
		    decc_abi_tuplev(3, decc_abi_string(categories[i].name), decc_abi_string("{}"),
				    decc_abi_uint64(categories[i].ref));

		r = decc_chain_transact_fn(c, NULL, &d->hub,
					   "createCategory(string,string,uint256)", v, NULL);
		decc_abi_value_free(v);
	}
	if (r == 0) {
		struct decc_abi_value *v = decc_abi_tuplev(1, decc_abi_uint64(100000));

		r = decc_chain_transact_fn(c, NULL, &d->hub, "setCallbackGas(uint256)", v, NULL);
		decc_abi_value_free(v);
	}
out:
	for (size_t i = 0; i < ncuts; i++)
		decc_abi_value_free(cuts[i]);
	decc_abi_value_free(args);
	free(all);
	free(mine);
	return r;
}

static int evm_deploy_poco(struct cli *cli, const struct evm_opts *o)
{
	struct poco_deployment d;
	struct decc_chain *c = NULL;
	decc_address me;
	uint64_t chain_id = 0;
	json_t *out, *facets;
	int r;

	if (!o->artifacts)
		return cli_usage_error(
		    PAGE, "evm deploy-poco",
		    "missing --artifacts DIR (the unpacked @iexec/poco package)");
	memset(&d, 0, sizeof(d));
	r = open_chain(cli, o, "evm deploy-poco", &c, true, false);
	if (r != CLI_EXIT_OK)
		return r;
	if (decc_chain_connect(c, &chain_id) < 0 || decc_chain_address(c, &me) < 0 ||
	    evm_deploy_poco_on(c, &d, o->artifacts, o->native, !o->no_boost) < 0) {
		r = cli_fail("evm deploy-poco");
		decc_chain_free(c);
		return r;
	}
	facets = json_object();
	for (size_t i = 0; i < d.n_facets; i++)
		json_object_set_new(facets, d.facet_name[i], jaddr(&d.facet_addr[i]));
	out = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:I,s:o,s:s,s:I,s:o}", "hub", jaddr(&d.hub),
			"rlc", o->native ? json_null() : jaddr(&d.rlc), "appRegistry",
			jaddr(&d.regs[0]), "datasetRegistry", jaddr(&d.regs[1]),
			"workerpoolRegistry", jaddr(&d.regs[2]), "ordersLibrary", jaddr(&d.lib),
			"owner", jaddr(&me), "chainId", (json_int_t)chain_id, "diamondInit",
			jaddr(&d.init), "mode", o->native ? "native" : "token", "selectors",
			(json_int_t)d.n_selectors, "facets", facets);
	r = cli_print_json(cli, out);
	json_decref(out);
	decc_chain_free(c);
	return r;
}

/* ---- market: the off-chain orderbook for a hub on any EVM chain ---- */

/* The book's eth_call, from many HTTP threads: one client, one call at a time. */
struct market_ctx {
	pthread_mutex_t lock;
	struct decc_chain *c;
};

static int market_call(void *ctx, struct decc_buf *out, const decc_address *to, const uint8_t *data,
		       size_t n)
{
	struct market_ctx *m = ctx;
	int r;

	pthread_mutex_lock(&m->lock);
	r = decc_chain_call(m->c, out, to, data, n, DECC_CHAIN_LATEST);
	pthread_mutex_unlock(&m->lock);
	return r;
}

static void market_log(const char *msg)
{
	time_t t = time(NULL);
	struct tm tm;
	char ts[32];

	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s decc evm market: %s\n", ts, msg);
}

static int evm_market(struct cli *cli, const struct evm_opts *o)
{
	struct market_ctx m = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct decc_market_server *srv = NULL;
	struct decc_orderbook *ob = NULL;
	char path[4096], line[4200];
	decc_address hub;
	unsigned port = 0;
	sigset_t set;
	int r, sig = 0;

	if (!o->data_dir)
		return cli_usage_error(PAGE, "evm market",
				       "missing --book DIR (where the order book is kept)");
	if (!o->listen)
		return cli_usage_error(PAGE, "evm market", "missing --listen HOST:PORT");
	r = open_chain(cli, o, "evm market", &m.c, false, true);
	if (r != CLI_EXIT_OK)
		return r;
	if (decc_chain_hub(m.c, &hub) < 0 ||
	    decc_chain_domain(m.c, &(struct decc_chain_domain){ 0 }) < 0) {
		decc_chain_free(m.c);
		return cli_fail("evm market: no PoCo hub at %s", cli->hub);
	}
	if (mkdir(o->data_dir, 0700) < 0 && errno != EEXIST) {
		decc_chain_free(m.c);
		return cli_failx("evm market: %s: %s", o->data_dir, strerror(errno));
	}
	snprintf(path, sizeof(path), "%s/orderbook.db", o->data_dir);
	/* Signals go to this thread only (sigwait below); threads started later inherit it. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (decc_orderbook_open_eth(&ob, path, market_call, &m, &hub) < 0 ||
	    decc_market_server_start(&srv, ob, o->listen, &port) < 0) {
		r = cli_fail("evm market");
		decc_orderbook_free(ob);
		decc_chain_free(m.c);
		return r;
	}
	snprintf(line, sizeof(line),
		 "listening on %s (port %u): /market/ for hub %s on %s, book in %s", o->listen,
		 port, cli->hub, cli->rpc, path);
	market_log(line);
	while (sigwait(&set, &sig) != 0)
		;
	market_log(sig == SIGTERM ? "SIGTERM: stopping" : "SIGINT: stopping");
	decc_market_server_stop(srv);
	decc_orderbook_free(ob);
	decc_chain_free(m.c);
	market_log("stopped");
	return CLI_EXIT_OK;
}

int cmd_evm(struct cli *cli, int argc, char **argv)
{
	struct evm_opts o = { 0 };
	const struct opt opts[] = {
		OPT_STRING("artifacts", &o.artifacts),
		OPT_STRING("private-key-file", &o.private_key_file),
		OPT_STRING("to", &o.to),
		OPT_STRING("value", &o.value),
		OPT_STRING("data", &o.data),
		OPT_STRING("sig", &o.sig),
		OPT_STRING("args", &o.args),
		OPT_STRING("returns", &o.returns),
		OPT_STRING("gas", &o.gas),
		OPT_STRING("code", &o.code),
		OPT_STRING("ctor", &o.ctor),
		OPT_STRING("book", &o.data_dir),
		OPT_STRING("listen", &o.listen),
		OPT_FLAG("legacy", &o.legacy),
		OPT_FLAG("native", &o.native),
		OPT_FLAG("no-boost", &o.no_boost),
		OPT_END,
	};
	struct opt_args args;
	char *pos[3];
	const char *sub;
	bool done;
	int r;

	r = cli_parse(cli, PAGE, "evm", opts, argc - 1, argv + 1, &args, pos, 3, &done);
	if (done)
		return r;
	if (args.npos == 0)
		return cli_usage_error(PAGE, "evm",
				       "missing subcommand (deploy-poco, hub, view, send, call, "
				       "deploy, market)");
	sub = args.pos[0];
	if (strcmp(sub, "view") == 0)
		return args.npos < 2
			   ? cli_usage_error(PAGE, "evm view",
					     "missing what to view (app, dataset, "
					     "workerpool, account)")
			   : evm_view(cli, &o, args.pos[1], args.npos > 2 ? args.pos[2] : NULL);
	if (args.npos > 1)
		return cli_usage_error(PAGE, "evm", "too many arguments");
	if (strcmp(sub, "deploy-poco") == 0)
		return evm_deploy_poco(cli, &o);
	if (strcmp(sub, "hub") == 0)
		return evm_hub(cli, &o);
	if (strcmp(sub, "send") == 0)
		return evm_send(cli, &o);
	if (strcmp(sub, "call") == 0)
		return evm_call(cli, &o);
	if (strcmp(sub, "deploy") == 0)
		return evm_deploy(cli, &o);
	if (strcmp(sub, "market") == 0)
		return evm_market(cli, &o);
	return cli_usage_error(PAGE, "evm", "unknown subcommand '%s'", sub);
}
