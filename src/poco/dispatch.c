/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The executor: routes a call by its target (hub, registry, asset contract) and selector,
 * decodes the arguments with the function's ABI signature and runs the handler. Like the
 * diamond without a fallback facet, an unknown selector reverts with empty data; value sent
 * to a non-payable function reverts with empty data; malformed calldata reverts with empty
 * data (solc's ABI decoder). A revert discards the call's logs (the ledger discards its
 * state overlay).
 */
#include <pthread.h>
#include <stdlib.h>

#include "internal.h"

int poco_registry_genesis(struct poco *p, enum poco_kind k, const decc_address *owner,
			  uint64_t chain_id);

const decc_address decc_poco_kitty_address = { { 0x99, 0xc2, 0x26, 0x84, 0x79, 0xb9, 0x3f,
						 0xde, 0x36, 0x23, 0x23, 0x51, 0x22, 0x98,
						 0x15, 0xdf, 0x80, 0x83, 0x7e, 0x23 } };

const struct decc_poco_category decc_poco_default_categories[5] = {
	{ "XS", "", 300 },  { "S", "", 1200 },	 { "M", "", 3600 },
	{ "L", "", 10800 }, { "XL", "", 36000 },
};

struct entry {
	uint8_t sel[4];
	const struct poco_fn *fn;
};

struct table {
	struct entry *e;
	size_t n;
};

static struct table hub_table, registry_table, asset_table, dataprotector_table;
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;
static bool tables_ok;

static bool add_all(struct table *t, const struct poco_fn *fns, size_t n)
{
	struct entry *e = realloc(t->e, (t->n + n) * sizeof(*e));

	if (!e)
		return false;
	t->e = e;
	for (size_t i = 0; i < n; i++) {
		decc_abi_selector(e[t->n].sel, fns[i].sig);
		e[t->n].fn = &fns[i];
		t->n++;
	}
	return true;
}

static void build_tables(void)
{
	tables_ok = add_all(&hub_table, poco_order_fns, poco_n_order_fns) &&
		    add_all(&hub_table, poco_match_fns, poco_n_match_fns) &&
		    add_all(&hub_table, poco_task_fns, poco_n_task_fns) &&
		    add_all(&hub_table, poco_escrow_fns, poco_n_escrow_fns) &&
		    add_all(&hub_table, poco_view_fns, poco_n_view_fns) &&
		    add_all(&registry_table, poco_registry_fns, poco_n_registry_fns) &&
		    add_all(&asset_table, poco_asset_fns, poco_n_asset_fns) &&
		    add_all(&dataprotector_table, poco_dataprotector_fns, poco_n_dataprotector_fns);
}

static const struct poco_fn *lookup(const struct table *t, const uint8_t sel[4])
{
	for (size_t i = 0; i < t->n; i++)
		if (memcmp(t->e[i].sel, sel, 4) == 0)
			return t->e[i].fn;
	return NULL;
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* functions that exist only on one registry or one asset type */
static bool registry_has(enum poco_kind k, const char *sig)
{
	if (starts(sig, "createApp") || starts(sig, "predictApp"))
		return k == POCO_APP;
	if (starts(sig, "createDataset") || starts(sig, "predictDataset"))
		return k == POCO_DATASET;
	if (starts(sig, "createWorkerpool") || starts(sig, "predictWorkerpool"))
		return k == POCO_WORKERPOOL;
	return true;
}

static bool asset_has(enum poco_kind k, const char *sig)
{
	if (starts(sig, "m_app"))
		return k == POCO_APP;
	if (starts(sig, "m_dataset"))
		return k == POCO_DATASET;
	if (starts(sig, "m_worker") || starts(sig, "m_scheduler") || starts(sig, "changePolicy"))
		return k == POCO_WORKERPOOL;
	return true;
}

static int run(struct poco *p, const struct poco_fn *fn)
{
	struct decc_abi_value *args = NULL;
	int r;

	if (!fn)
		return poco_revert(p, NULL);
	if (!fn->payable && !decc_u256_is_zero(&p->call->value))
		return poco_revert(p, NULL);
	r = decc_abi_decode_call(&args, fn->sig, p->call->data, p->call->len);
	if (r == DECC_ENOMEM)
		return r;
	if (r < 0)
		return poco_revert(p, NULL);
	r = fn->fn(p, args);
	decc_abi_value_free(args);
	return r;
}

static int route(struct poco *p)
{
	const uint8_t *sel = p->call->data;
	enum poco_kind k;
	const struct poco_fn *fn;

	if (decc_address_eq(&p->call->to, &p->cfg->hub)) {
		if (p->call->len == 0) /* receive(): native deposit */
			return poco_deposit_value(p, &p->sender);
		if (p->call->len < 4)
			return poco_revert(p, NULL);
		return run(p, lookup(&hub_table, sel));
	}
	if (poco_is_dataprotector(p, &p->call->to)) {
		/* no receive() nor fallback: plain value transfers and short calldata revert */
		if (p->call->len < 4)
			return poco_revert(p, NULL);
		return run(p, lookup(&dataprotector_table, sel));
	}
	k = poco_registry_kind(p, &p->call->to);
	if (k != POCO_NONE) {
		if (p->call->len < 4)
			return poco_revert(p, NULL);
		fn = lookup(&registry_table, sel);
		return run(p, fn && registry_has(k, fn->sig) ? fn : NULL);
	}
	DECC_TRY(poco_asset_kind(p, &k, &p->call->to));
	if (k != POCO_NONE) {
		if (p->call->len < 4)
			return poco_revert(p, NULL);
		fn = lookup(&asset_table, sel);
		return run(p, fn && asset_has(k, fn->sig) ? fn : NULL);
	}
	return 0; /* not a native contract: a plain call to an account succeeds */
}

static void drop_logs(struct decc_exec_result *r)
{
	for (size_t i = 0; i < r->n_logs; i++)
		decc_buf_release(&r->logs[i].data);
	free(r->logs);
	r->logs = NULL;
	r->n_logs = 0;
}

static void init_poco(struct poco *p, const struct decc_poco_config *cfg,
		      const struct decc_exec_env *env, const struct decc_exec_call *call,
		      struct decc_exec_result *res)
{
	memset(p, 0, sizeof(*p));
	p->cfg = cfg;
	p->env = env;
	p->call = call;
	p->st = env->state;
	p->res = res;
	p->sender = call->from;
	p->now = decc_u256_from_u64(env->timestamp);
}

static int execute(void *ctx, const struct decc_exec_env *env, const struct decc_exec_call *call,
		   struct decc_exec_result *result)
{
	struct poco p;
	int r;

	pthread_once(&tables_once, build_tables);
	if (!tables_ok)
		return decc_error_set(DECC_ENOMEM, "out of memory building PoCo selector tables");
	init_poco(&p, ctx, env, call, result);
	result->success = true;
	decc_buf_reset(&result->output);
	r = route(&p);
	if (r == DECC_EREVERT) {
		result->success = false;
		drop_logs(result);
		r = 0;
	}
	if (r < 0)
		return r;
	result->gas_used = 21000 + 16 * (uint64_t)call->len +
			   (result->success ? 25000 + 8000 * (uint64_t)result->n_logs : 0);
	return 0;
}

static bool is_contract(void *ctx, struct decc_state *state, const decc_address *a)
{
	struct decc_exec_env env = { .state = state };
	struct decc_exec_call call = { 0 };
	struct decc_exec_result res;
	struct poco p;
	int err = 0;
	bool yes;

	decc_exec_result_init(&res);
	init_poco(&p, ctx, &env, &call, &res);
	yes = poco_is_contract(&p, a, &err);
	decc_exec_result_release(&res);
	return yes;
}

void decc_poco_executor(struct decc_executor *out, const struct decc_poco_config *cfg)
{
	out->execute = execute;
	out->is_contract = is_contract;
	out->ctx = (void *)cfg;
}

static void derived(decc_address *out, const char *label)
{
	uint8_t h[32];

	decc_keccak256(h, label, strlen(label));
	memcpy(out->b, h + 12, 20);
}

void decc_poco_config_default(struct decc_poco_config *out, uint64_t chain_id)
{
	/* 0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f: the native-mode v5 hub (Bellecour) */
	static const decc_address hub = { { 0x3e, 0xca, 0x1b, 0x21, 0x6a, 0x7d, 0xf1,
					    0xc7, 0x68, 0x9a, 0xeb, 0x25, 0x9f, 0xfb,
					    0x83, 0xad, 0xfb, 0x89, 0x4e, 0x7f } };

	memset(out, 0, sizeof(*out));
	out->hub = hub;
	derived(&out->app_registry, "decc.poco.AppRegistry");
	derived(&out->dataset_registry, "decc.poco.DatasetRegistry");
	derived(&out->workerpool_registry, "decc.poco.WorkerpoolRegistry");
	derived(&out->dataprotector, "decc.poco.DataProtector");
	out->chain_id = chain_id;
}

/* a context for direct state access outside a call */
struct direct {
	struct decc_exec_env env;
	struct decc_exec_call call;
	struct decc_exec_result res;
	struct decc_poco_config cfg;
	struct poco p;
};

static void direct_init(struct direct *d, struct decc_state *st, const struct decc_poco_config *cfg)
{
	memset(d, 0, sizeof(*d));
	d->env.state = st;
	if (cfg) {
		d->cfg = *cfg;
		d->env.chain_id = cfg->chain_id;
	}
	decc_exec_result_init(&d->res);
	init_poco(&d->p, &d->cfg, &d->env, &d->call, &d->res);
}

int decc_poco_genesis(struct decc_state *st, const struct decc_poco_config *cfg,
		      const decc_address *owner, const struct decc_poco_category *cats, size_t n)
{
	struct direct d;
	struct decc_eip712_domain dom;
	uint8_t ds[32];
	decc_u256 gas = decc_u256_from_u64(100000);
	int r;

	if (!cats) {
		cats = decc_poco_default_categories;
		n = DECC_ARRAY_SIZE(decc_poco_default_categories);
	}
	direct_init(&d, st, cfg);
	decc_order_domain(&dom, cfg->chain_id, &cfg->hub);
	decc_eip712_domain_separator(ds, &dom);
	r = poco_set_config_addr(&d.p, 'O', owner);
	if (r == 0)
		r = poco_set_config_addr(&d.p, 'a', &cfg->app_registry);
	if (r == 0)
		r = poco_set_config_addr(&d.p, 'd', &cfg->dataset_registry);
	if (r == 0)
		r = poco_set_config_addr(&d.p, 'w', &cfg->workerpool_registry);
	if (r == 0)
		r = poco_set_callbackgas(&d.p, &gas);
	if (r == 0)
		r = poco_set_domain_sep(&d.p, ds);
	for (int k = POCO_APP; r == 0 && k <= POCO_WORKERPOOL; k++)
		r = poco_registry_genesis(&d.p, (enum poco_kind)k, owner, cfg->chain_id);
	for (size_t i = 0; r == 0 && i < n; i++) {
		decc_u256 tr = decc_u256_from_u64(cats[i].work_clock_time_ref);
		uint64_t id;

		r = poco_category_push(&d.p, &id, cats[i].name, strlen(cats[i].name),
				       cats[i].description, strlen(cats[i].description), &tr);
	}
	decc_exec_result_release(&d.res);
	if (r < 0)
		return decc_error_wrap(r, "PoCo genesis");
	return 0;
}

#define DIRECT_READ(body)                                                                          \
	do {                                                                                       \
		struct direct d;                                                                   \
		int r;                                                                             \
		direct_init(&d, st, NULL);                                                         \
		r = (body);                                                                        \
		decc_exec_result_release(&d.res);                                                  \
		return r;                                                                          \
	} while (0)

int decc_poco_balance_of(decc_u256 *out, struct decc_state *st, const decc_address *a)
{
	DIRECT_READ(poco_balance(&d.p, out, a));
}

int decc_poco_frozen_of(decc_u256 *out, struct decc_state *st, const decc_address *a)
{
	DIRECT_READ(poco_frozen(&d.p, out, a));
}

int decc_poco_total_supply(decc_u256 *out, struct decc_state *st)
{
	DIRECT_READ(poco_supply(&d.p, out));
}

int decc_poco_consumed(decc_u256 *out, struct decc_state *st, const uint8_t order_hash[32])
{
	DIRECT_READ(poco_consumed(&d.p, out, order_hash));
}

int decc_poco_score(decc_u256 *out, struct decc_state *st, const decc_address *worker)
{
	DIRECT_READ(poco_score(&d.p, out, worker));
}

int decc_poco_domain_separator(uint8_t out[32], struct decc_state *st)
{
	DIRECT_READ(poco_domain_sep(&d.p, out));
}

int decc_poco_asset_owner(decc_address *out, struct decc_state *st, const decc_address *a)
{
	struct direct d;
	enum poco_kind k;
	int r;

	direct_init(&d, st, NULL);
	r = poco_asset_kind(&d.p, &k, a);
	if (r == 0 && k == POCO_NONE)
		r = decc_error_set(DECC_ENOTFOUND, "%s", "not a registered PoCo asset");
	if (r == 0)
		r = poco_nft_owner(&d.p, out, k, a);
	decc_exec_result_release(&d.res);
	return r;
}

void decc_poco_deal_id(uint8_t out[32], const uint8_t request_hash[32], const decc_u256 *bot_first)
{
	uint8_t b[64];

	memcpy(b, request_hash, 32);
	decc_u256_to_be(b + 32, bot_first);
	decc_keccak256(out, b, 64);
}

void decc_poco_task_id(uint8_t out[32], const uint8_t dealid[32], const decc_u256 *idx)
{
	decc_poco_deal_id(out, dealid, idx);
}

void decc_poco_result_hash(uint8_t out[32], const uint8_t taskid[32], const uint8_t digest[32])
{
	uint8_t b[64];

	memcpy(b, taskid, 32);
	memcpy(b + 32, digest, 32);
	decc_keccak256(out, b, 64);
}

void decc_poco_result_seal(uint8_t out[32], const decc_address *worker, const uint8_t taskid[32],
			   const uint8_t digest[32])
{
	uint8_t b[84];

	memcpy(b, worker->b, 20);
	memcpy(b + 20, taskid, 32);
	memcpy(b + 52, digest, 32);
	decc_keccak256(out, b, 84);
}

void decc_poco_authorization_hash(uint8_t out[32], const decc_address *worker,
				  const uint8_t taskid[32], const decc_address *enclave)
{
	uint8_t b[72];

	memcpy(b, worker->b, 20);
	memcpy(b + 20, taskid, 32);
	memcpy(b + 52, enclave->b, 20);
	decc_keccak256(out, b, 72);
}
