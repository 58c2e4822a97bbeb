/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Typed PoCo calls on the hub, its registries and their entries: views decoded into C structs,
 * and the transactions of the protocol. Signatures are those of IexecInterfaceToken 6.1.0.
 */
#include <stdlib.h>
#include <string.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "internal.h"

#define AO "(address,uint256,uint256,bytes32,address,address,address,bytes32,bytes)"
#define WO "(address,uint256,uint256,bytes32,uint256,uint256,address,address,address,bytes32,bytes)"
#define RO                                                                                         \
	"(address,uint256,address,uint256,address,uint256,address,uint256,bytes32,uint256,"        \
	"uint256,address,address,string,bytes32,bytes)"

/* keccak256("Transfer(address,address,uint256)") */
static const uint8_t TOPIC_TRANSFER[32] = {
	0xdd, 0xf2, 0x52, 0xad, 0x1b, 0xe2, 0xc8, 0x9b, 0x69, 0xc2, 0xb0,
	0x68, 0xfc, 0x37, 0x8d, 0xaa, 0x95, 0x2b, 0xa7, 0xf1, 0x63, 0xc4,
	0xa1, 0x16, 0x28, 0xf5, 0x5a, 0x4d, 0xf5, 0x23, 0xb3, 0xef,
};
/* keccak256("OrdersMatched(bytes32,bytes32,bytes32,bytes32,bytes32,uint256)") */
static const uint8_t TOPIC_ORDERS_MATCHED[32] = {
	0xd8, 0x11, 0xb5, 0x92, 0xed, 0x08, 0x99, 0x22, 0x57, 0x73, 0xe8,
	0x93, 0x3d, 0x8d, 0xf6, 0x4b, 0xd0, 0xb6, 0x27, 0x61, 0xa9, 0xd7,
	0xaa, 0xd4, 0xed, 0x5b, 0x22, 0x73, 0x5f, 0x46, 0x10, 0xa4,
};

/* ---- value helpers ---- */

static int item(const struct decc_abi_value **out, const struct decc_abi_value *v, size_t i)
{
	if (!v ||
	    (v->kind != DECC_ABI_TUPLE && v->kind != DECC_ABI_ARRAY &&
	     v->kind != DECC_ABI_FIXED_ARRAY) ||
	    i >= v->n_items)
		return decc_error_set(DECC_EINVAL, "decoded value has no item %zu", i);
	*out = v->items[i];
	return 0;
}

static int get_u64(uint64_t *out, const struct decc_abi_value *v, const char *what)
{
	decc_u256 u;

	DECC_TRY(decc_abi_get_u256(&u, v));
	if (!decc_u256_to_u64(&u, out))
		return decc_error_set(DECC_EINVAL, "%s does not fit in 64 bits", what);
	return 0;
}

static int get_str(char **out, const struct decc_abi_value *v)
{
	char *s;

	if (v->kind != DECC_ABI_STRING && v->kind != DECC_ABI_BYTES)
		return decc_error_set(DECC_EINVAL, "decoded value is not a string");
	s = malloc(v->bytes.len + 1);
	if (!s)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	memcpy(s, v->bytes.data, v->bytes.len);
	s[v->bytes.len] = 0;
	*out = s;
	return 0;
}

static int get_bytes(struct decc_buf *out, const struct decc_abi_value *v)
{
	if (v->kind != DECC_ABI_STRING && v->kind != DECC_ABI_BYTES)
		return decc_error_set(DECC_EINVAL, "decoded value is not bytes");
	decc_buf_init(out, DECC_BUF_DEFAULT_MAX);
	return decc_buf_append(out, v->bytes.data, v->bytes.len);
}

/* Call a hub view: signature, args (may be NULL), return tuple type. */
static int hub_call(struct decc_chain *c, struct decc_abi_value **out, const char *sig,
		    struct decc_abi_value *args, const char *returns)
{
	decc_address hub;
	int r;

	r = chain_need_hub(c, &hub);
	if (r == 0)
		r = decc_chain_call_fn(c, out, &hub, sig, args, returns);
	decc_abi_value_free(args);
	return r;
}

/* A view returning one value: *out is that value's tuple (free it). */
static int hub_u256(struct decc_chain *c, decc_u256 *out, const char *sig,
		    struct decc_abi_value *args)
{
	struct decc_abi_value *res = NULL;
	const struct decc_abi_value *v;
	int r;

	DECC_TRY(hub_call(c, &res, sig, args, "(uint256)"));
	r = item(&v, res, 0);
	if (r == 0)
		r = decc_abi_get_u256(out, v);
	decc_abi_value_free(res);
	return r;
}

static int addr_call(struct decc_chain *c, decc_address *out, const decc_address *to,
		     const char *sig, struct decc_abi_value *args)
{
	struct decc_abi_value *res = NULL;
	const struct decc_abi_value *v;
	int r;

	r = decc_chain_call_fn(c, &res, to, sig, args, "(address)");
	decc_abi_value_free(args);
	if (r < 0)
		return r;
	r = item(&v, res, 0);
	if (r == 0)
		r = decc_abi_get_address(out, v);
	decc_abi_value_free(res);
	return r;
}

static struct decc_abi_value *args1(struct decc_abi_value *a)
{
	return decc_abi_tuplev(1, a);
}

/* ---- views ---- */

int decc_chain_domain(struct decc_chain *c, struct decc_chain_domain *out)
{
	struct decc_abi_value *res = NULL;
	const struct decc_abi_value *d, *name, *version, *chain_id, *vc;
	struct decc_chain_domain dom;
	int r;

	memset(&dom, 0, sizeof(dom));
	DECC_TRY(hub_call(c, &res, "domain()", NULL, "((string,string,uint256,address))"));
	r = item(&d, res, 0);
	if (r == 0)
		r = item(&name, d, 0);
	if (r == 0)
		r = item(&version, d, 1);
	if (r == 0)
		r = item(&chain_id, d, 2);
	if (r == 0)
		r = item(&vc, d, 3);
	if (r == 0 &&
	    (name->bytes.len >= sizeof(dom.name) || version->bytes.len >= sizeof(dom.version)))
		r = decc_error_set(DECC_ELIMIT, "domain name or version too long");
	if (r == 0) {
		memcpy(dom.name, name->bytes.data, name->bytes.len);
		memcpy(dom.version, version->bytes.data, version->bytes.len);
		r = get_u64(&dom.chain_id, chain_id, "domain chainId");
	}
	if (r == 0)
		r = decc_abi_get_address(&dom.verifying_contract, vc);
	decc_abi_value_free(res);
	if (r == 0)
		*out = dom;
	return r;
}

int decc_chain_domain_separator(struct decc_chain *c, uint8_t out[32])
{
	struct decc_abi_value *res = NULL;
	const struct decc_abi_value *v;
	int r;

	DECC_TRY(hub_call(c, &res, "eip712domain_separator()", NULL, "(bytes32)"));
	r = item(&v, res, 0);
	if (r == 0)
		r = decc_abi_get_bytes32(out, v);
	decc_abi_value_free(res);
	return r;
}

int decc_chain_token(struct decc_chain *c, decc_address *out)
{
	decc_address hub;

	DECC_TRY(chain_need_hub(c, &hub));
	return addr_call(c, out, &hub, "token()", NULL);
}

int decc_chain_registries(struct decc_chain *c, decc_address *apps, decc_address *datasets,
			  decc_address *workerpools)
{
	decc_address hub, a, d, w;

	DECC_TRY(chain_need_hub(c, &hub));
	DECC_TRY(addr_call(c, &a, &hub, "appregistry()", NULL));
	DECC_TRY(addr_call(c, &d, &hub, "datasetregistry()", NULL));
	DECC_TRY(addr_call(c, &w, &hub, "workerpoolregistry()", NULL));
	if (apps)
		*apps = a;
	if (datasets)
		*datasets = d;
	if (workerpools)
		*workerpools = w;
	return 0;
}

int decc_chain_view_account(struct decc_chain *c, decc_u256 *stake, decc_u256 *locked,
			    const decc_address *a)
{
	struct decc_abi_value *res = NULL;
	const struct decc_abi_value *acc, *s, *l;
	decc_u256 vs, vl;
	int r;

	DECC_TRY(hub_call(c, &res, "viewAccount(address)", args1(decc_abi_address(a)),
			  "((uint256,uint256))"));
	r = item(&acc, res, 0);
	if (r == 0)
		r = item(&s, acc, 0);
	if (r == 0)
		r = item(&l, acc, 1);
	if (r == 0)
		r = decc_abi_get_u256(&vs, s);
	if (r == 0)
		r = decc_abi_get_u256(&vl, l);
	decc_abi_value_free(res);
	if (r == 0) {
		*stake = vs;
		*locked = vl;
	}
	return r;
}

int decc_chain_balance_of(struct decc_chain *c, decc_u256 *out, const decc_address *a)
{
	return hub_u256(c, out, "balanceOf(address)", args1(decc_abi_address(a)));
}

int decc_chain_frozen_of(struct decc_chain *c, decc_u256 *out, const decc_address *a)
{
	return hub_u256(c, out, "frozenOf(address)", args1(decc_abi_address(a)));
}

int decc_chain_view_consumed(struct decc_chain *c, decc_u256 *out, const uint8_t order_hash[32])
{
	return hub_u256(c, out, "viewConsumed(bytes32)",
			args1(decc_abi_fixed_bytes(order_hash, 32)));
}

int decc_chain_count_category(struct decc_chain *c, uint64_t *out)
{
	decc_u256 v;

	DECC_TRY(hub_u256(c, &v, "countCategory()", NULL));
	if (!decc_u256_to_u64(&v, out))
		return decc_error_set(DECC_EINVAL, "countCategory does not fit in 64 bits");
	return 0;
}

void decc_chain_category_release(struct decc_chain_category *cat)
{
	free(cat->name);
	free(cat->description);
	cat->name = cat->description = NULL;
}

int decc_chain_view_category(struct decc_chain *c, struct decc_chain_category *out, uint64_t id)
{
	struct decc_abi_value *res = NULL;
	const struct decc_abi_value *t, *n, *d, *w;
	struct decc_chain_category cat = { 0 };
	int r;

	r = hub_call(c, &res, "viewCategory(uint256)", args1(decc_abi_uint64(id)),
		     "((string,string,uint256))");
	if (r < 0)
		return r == DECC_EREVERT ? decc_error_set(DECC_ENOTFOUND, "no category %llu",
							  (unsigned long long)id)
					 : r;
	r = item(&t, res, 0);
	if (r == 0)
		r = item(&n, t, 0);
	if (r == 0)
		r = item(&d, t, 1);
	if (r == 0)
		r = item(&w, t, 2);
	if (r == 0)
		r = get_u64(&cat.work_clock_time_ref, w, "workClockTimeRef");
	if (r == 0)
		r = get_str(&cat.name, n);
	if (r == 0)
		r = get_str(&cat.description, d);
	decc_abi_value_free(res);
	if (r < 0) {
		decc_chain_category_release(&cat);
		return r;
	}
	*out = cat;
	return 0;
}

void decc_chain_deal_release(struct decc_chain_deal *d)
{
	free(d->params);
	d->params = NULL;
}

static int get_resource(struct decc_chain_resource *out, const struct decc_abi_value *v)
{
	const struct decc_abi_value *p, *o, *pr;

	DECC_TRY(item(&p, v, 0));
	DECC_TRY(item(&o, v, 1));
	DECC_TRY(item(&pr, v, 2));
	DECC_TRY(decc_abi_get_address(&out->pointer, p));
	DECC_TRY(decc_abi_get_address(&out->owner, o));
	return decc_abi_get_u256(&out->price, pr);
}

static int decode_deal(struct decc_chain_deal *d, const struct decc_abi_value *t)
{
	const struct decc_abi_value *v[16];

	for (size_t i = 0; i < 16; i++)
		DECC_TRY(item(&v[i], t, i));
	DECC_TRY(get_resource(&d->app, v[0]));
	DECC_TRY(get_resource(&d->dataset, v[1]));
	DECC_TRY(get_resource(&d->workerpool, v[2]));
	DECC_TRY(decc_abi_get_u256(&d->trust, v[3]));
	DECC_TRY(decc_abi_get_u256(&d->category, v[4]));
	DECC_TRY(decc_abi_get_bytes32(d->tag, v[5]));
	DECC_TRY(decc_abi_get_address(&d->requester, v[6]));
	DECC_TRY(decc_abi_get_address(&d->beneficiary, v[7]));
	DECC_TRY(decc_abi_get_address(&d->callback, v[8]));
	DECC_TRY(get_u64(&d->start_time, v[10], "deal startTime"));
	DECC_TRY(get_u64(&d->bot_first, v[11], "deal botFirst"));
	DECC_TRY(get_u64(&d->bot_size, v[12], "deal botSize"));
	DECC_TRY(decc_abi_get_u256(&d->worker_stake, v[13]));
	DECC_TRY(decc_abi_get_u256(&d->scheduler_reward_ratio, v[14]));
	DECC_TRY(decc_abi_get_address(&d->sponsor, v[15]));
	return get_str(&d->params, v[9]);
}

int decc_chain_view_deal(struct decc_chain *c, struct decc_chain_deal *out,
			 const uint8_t dealid[32])
{
	struct decc_abi_value *res = NULL;
	const struct decc_abi_value *t;
	struct decc_chain_deal d;
	int r;

	memset(&d, 0, sizeof(d));
	DECC_TRY(hub_call(c, &res, "viewDeal(bytes32)", args1(decc_abi_fixed_bytes(dealid, 32)),
			  "(((address,address,uint256),(address,address,uint256),"
			  "(address,address,uint256),uint256,uint256,bytes32,address,address,"
			  "address,string,uint256,uint256,uint256,uint256,uint256,address))"));
	r = item(&t, res, 0);
	if (r == 0)
		r = decode_deal(&d, t);
	decc_abi_value_free(res);
	if (r < 0) {
		decc_chain_deal_release(&d);
		return decc_error_wrap(r, "viewDeal");
	}
	*out = d;
	return 0;
}

void decc_chain_task_release(struct decc_chain_task *t)
{
	free(t->contributors);
	t->contributors = NULL;
	t->n_contributors = 0;
	decc_buf_release(&t->results);
	decc_buf_release(&t->results_callback);
}

static int decode_task(struct decc_chain_task *t, const struct decc_abi_value *tu)
{
	const struct decc_abi_value *v[15];
	uint64_t status;

	for (size_t i = 0; i < 15; i++)
		DECC_TRY(item(&v[i], tu, i));
	DECC_TRY(get_u64(&status, v[0], "task status"));
	if (status > DECC_TASK_FAILED)
		return decc_error_set(DECC_EINVAL, "unknown task status %llu",
				      (unsigned long long)status);
	t->status = (enum decc_chain_task_status)status;
	DECC_TRY(decc_abi_get_bytes32(t->dealid, v[1]));
	DECC_TRY(get_u64(&t->idx, v[2], "task idx"));
	DECC_TRY(get_u64(&t->timeref, v[3], "task timeref"));
	DECC_TRY(get_u64(&t->contribution_deadline, v[4], "task contributionDeadline"));
	DECC_TRY(get_u64(&t->reveal_deadline, v[5], "task revealDeadline"));
	DECC_TRY(get_u64(&t->final_deadline, v[6], "task finalDeadline"));
	DECC_TRY(decc_abi_get_bytes32(t->consensus_value, v[7]));
	DECC_TRY(get_u64(&t->reveal_counter, v[8], "task revealCounter"));
	DECC_TRY(get_u64(&t->winner_counter, v[9], "task winnerCounter"));
	DECC_TRY(decc_abi_get_bytes32(t->result_digest, v[11]));
	DECC_TRY(get_u64(&t->results_timestamp, v[13], "task resultsTimestamp"));
	DECC_TRY(get_bytes(&t->results, v[12]));
	DECC_TRY(get_bytes(&t->results_callback, v[14]));
	if (v[10]->kind != DECC_ABI_ARRAY)
		return decc_error_set(DECC_EINVAL, "task contributors is not an array");
	if (v[10]->n_items) {
		t->contributors = calloc(v[10]->n_items, sizeof(decc_address));
		if (!t->contributors)
			return decc_error_set(DECC_ENOMEM, "out of memory");
		for (size_t i = 0; i < v[10]->n_items; i++) {
			DECC_TRY(decc_abi_get_address(&t->contributors[i], v[10]->items[i]));
			t->n_contributors = i + 1;
		}
	}
	return 0;
}

int decc_chain_view_task(struct decc_chain *c, struct decc_chain_task *out,
			 const uint8_t taskid[32])
{
	struct decc_abi_value *res = NULL;
	const struct decc_abi_value *tu;
	struct decc_chain_task t;
	int r;

	memset(&t, 0, sizeof(t));
	decc_buf_init(&t.results, DECC_BUF_DEFAULT_MAX);
	decc_buf_init(&t.results_callback, DECC_BUF_DEFAULT_MAX);
	DECC_TRY(hub_call(c, &res, "viewTask(bytes32)", args1(decc_abi_fixed_bytes(taskid, 32)),
			  "((uint8,bytes32,uint256,uint256,uint256,uint256,uint256,bytes32,"
			  "uint256,uint256,address[],bytes32,bytes,uint256,bytes))"));
	r = item(&tu, res, 0);
	if (r == 0)
		r = decode_task(&t, tu);
	decc_abi_value_free(res);
	if (r < 0) {
		decc_chain_task_release(&t);
		return decc_error_wrap(r, "viewTask");
	}
	*out = t;
	return 0;
}

int decc_chain_owner(struct decc_chain *c, decc_address *out, const decc_address *contract)
{
	return addr_call(c, out, contract, "owner()", NULL);
}

/* A one-value getter on an entry contract: string, bytes, bytes32 or uint256. */
static int entry_get(struct decc_chain *c, struct decc_abi_value **out, const decc_address *to,
		     const char *sig, const char *returns)
{
	struct decc_abi_value *res = NULL;
	const struct decc_abi_value *v;
	int r;

	DECC_TRY(decc_chain_call_fn(c, &res, to, sig, NULL, returns));
	r = item(&v, res, 0);
	if (r < 0) {
		decc_abi_value_free(res);
		return r;
	}
	*out = res;
	return 0;
}

static int entry_str(struct decc_chain *c, char **out, const decc_address *to, const char *sig)
{
	struct decc_abi_value *res = NULL;
	int r;

	DECC_TRY(entry_get(c, &res, to, sig, "(string)"));
	r = get_str(out, res->items[0]);
	decc_abi_value_free(res);
	return r;
}

static int entry_bytes(struct decc_chain *c, struct decc_buf *out, const decc_address *to,
		       const char *sig)
{
	struct decc_abi_value *res = NULL;
	int r;

	DECC_TRY(entry_get(c, &res, to, sig, "(bytes)"));
	r = get_bytes(out, res->items[0]);
	decc_abi_value_free(res);
	return r;
}

static int entry_b32(struct decc_chain *c, uint8_t out[32], const decc_address *to, const char *sig)
{
	struct decc_abi_value *res = NULL;
	int r;

	DECC_TRY(entry_get(c, &res, to, sig, "(bytes32)"));
	r = decc_abi_get_bytes32(out, res->items[0]);
	decc_abi_value_free(res);
	return r;
}

static int entry_u64(struct decc_chain *c, uint64_t *out, const decc_address *to, const char *sig)
{
	struct decc_abi_value *res = NULL;
	int r;

	DECC_TRY(entry_get(c, &res, to, sig, "(uint256)"));
	r = get_u64(out, res->items[0], sig);
	decc_abi_value_free(res);
	return r;
}

void decc_chain_app_release(struct decc_chain_app *a)
{
	free(a->name);
	free(a->type);
	a->name = a->type = NULL;
	decc_buf_release(&a->multiaddr);
	decc_buf_release(&a->mrenclave);
}

int decc_chain_view_app(struct decc_chain *c, struct decc_chain_app *out, const decc_address *app)
{
	struct decc_chain_app a;
	int r;

	memset(&a, 0, sizeof(a));
	decc_buf_init(&a.multiaddr, DECC_BUF_DEFAULT_MAX);
	decc_buf_init(&a.mrenclave, DECC_BUF_DEFAULT_MAX);
	r = decc_chain_owner(c, &a.owner, app);
	if (r == 0)
		r = entry_str(c, &a.name, app, "m_appName()");
	if (r == 0)
		r = entry_str(c, &a.type, app, "m_appType()");
	if (r == 0)
		r = entry_bytes(c, &a.multiaddr, app, "m_appMultiaddr()");
	if (r == 0)
		r = entry_b32(c, a.checksum, app, "m_appChecksum()");
	if (r == 0)
		r = entry_bytes(c, &a.mrenclave, app, "m_appMREnclave()");
	if (r < 0) {
		decc_chain_app_release(&a);
		return decc_error_wrap(r, "reading app");
	}
	*out = a;
	return 0;
}

void decc_chain_dataset_release(struct decc_chain_dataset *d)
{
	free(d->name);
	d->name = NULL;
	decc_buf_release(&d->multiaddr);
}

int decc_chain_view_dataset(struct decc_chain *c, struct decc_chain_dataset *out,
			    const decc_address *dataset)
{
	struct decc_chain_dataset d;
	int r;

	memset(&d, 0, sizeof(d));
	decc_buf_init(&d.multiaddr, DECC_BUF_DEFAULT_MAX);
	r = decc_chain_owner(c, &d.owner, dataset);
	if (r == 0)
		r = entry_str(c, &d.name, dataset, "m_datasetName()");
	if (r == 0)
		r = entry_bytes(c, &d.multiaddr, dataset, "m_datasetMultiaddr()");
	if (r == 0)
		r = entry_b32(c, d.checksum, dataset, "m_datasetChecksum()");
	if (r < 0) {
		decc_chain_dataset_release(&d);
		return decc_error_wrap(r, "reading dataset");
	}
	*out = d;
	return 0;
}

void decc_chain_workerpool_release(struct decc_chain_workerpool *w)
{
	free(w->description);
	w->description = NULL;
}

int decc_chain_view_workerpool(struct decc_chain *c, struct decc_chain_workerpool *out,
			       const decc_address *workerpool)
{
	struct decc_chain_workerpool w;
	int r;

	memset(&w, 0, sizeof(w));
	r = decc_chain_owner(c, &w.owner, workerpool);
	if (r == 0)
		r = entry_str(c, &w.description, workerpool, "m_workerpoolDescription()");
	if (r == 0)
		r = entry_u64(c, &w.worker_stake_ratio, workerpool, "m_workerStakeRatioPolicy()");
	if (r == 0)
		r = entry_u64(c, &w.scheduler_reward_ratio, workerpool,
			      "m_schedulerRewardRatioPolicy()");
	if (r < 0) {
		decc_chain_workerpool_release(&w);
		return decc_error_wrap(r, "reading workerpool");
	}
	*out = w;
	return 0;
}

/* ---- orders as ABI tuples ---- */

const char *decc_chain_order_tuple_type(enum decc_order_type t)
{
	switch (t) {
	case DECC_ORDER_APP:
	case DECC_ORDER_DATASET:
		return AO;
	case DECC_ORDER_WORKERPOOL:
		return WO;
	case DECC_ORDER_REQUEST:
		return RO;
	default:
		return NULL;
	}
}

struct decc_abi_value *decc_chain_order_tuple(const struct decc_order *o)
{
	const uint8_t *sign = o->sign.data;
	size_t sl = o->sign.len;

	switch (o->type) {
	case DECC_ORDER_APP:
		return decc_abi_tuplev(9, decc_abi_address(&o->app), decc_abi_uint(&o->price),
				       decc_abi_uint(&o->volume), decc_abi_fixed_bytes(o->tag, 32),
				       decc_abi_address(&o->datasetrestrict),
				       decc_abi_address(&o->workerpoolrestrict),
				       decc_abi_address(&o->requesterrestrict),
				       decc_abi_fixed_bytes(o->salt, 32), decc_abi_bytes(sign, sl));
	case DECC_ORDER_DATASET:
		return decc_abi_tuplev(9, decc_abi_address(&o->dataset), decc_abi_uint(&o->price),
				       decc_abi_uint(&o->volume), decc_abi_fixed_bytes(o->tag, 32),
				       decc_abi_address(&o->apprestrict),
				       decc_abi_address(&o->workerpoolrestrict),
				       decc_abi_address(&o->requesterrestrict),
				       decc_abi_fixed_bytes(o->salt, 32), decc_abi_bytes(sign, sl));
	case DECC_ORDER_WORKERPOOL:
		return decc_abi_tuplev(
		    11, decc_abi_address(&o->workerpool), decc_abi_uint(&o->price),
		    decc_abi_uint(&o->volume), decc_abi_fixed_bytes(o->tag, 32),
		    decc_abi_uint(&o->category), decc_abi_uint(&o->trust),
		    decc_abi_address(&o->apprestrict), decc_abi_address(&o->datasetrestrict),
		    decc_abi_address(&o->requesterrestrict), decc_abi_fixed_bytes(o->salt, 32),
		    decc_abi_bytes(sign, sl));
	case DECC_ORDER_REQUEST:
		return decc_abi_tuplev(
		    16, decc_abi_address(&o->app), decc_abi_uint(&o->appmaxprice),
		    decc_abi_address(&o->dataset), decc_abi_uint(&o->datasetmaxprice),
		    decc_abi_address(&o->workerpool), decc_abi_uint(&o->workerpoolmaxprice),
		    decc_abi_address(&o->requester), decc_abi_uint(&o->volume),
		    decc_abi_fixed_bytes(o->tag, 32), decc_abi_uint(&o->category),
		    decc_abi_uint(&o->trust), decc_abi_address(&o->beneficiary),
		    decc_abi_address(&o->callback), decc_abi_string(o->params ? o->params : ""),
		    decc_abi_fixed_bytes(o->salt, 32), decc_abi_bytes(sign, sl));
	default:
		return NULL;
	}
}

/* ---- transactions ---- */

/* Send signature(args) to `to`; args is consumed (NULL only for a function without one). */
static int tx_to(struct decc_chain *c, struct decc_chain_receipt *rc, const decc_address *to,
		 const char *sig, struct decc_abi_value *args, const decc_u256 *value)
{
	struct decc_chain_txopts opts = { 0 };
	int r;

	if (!args && !strstr(sig, "()"))
		return decc_error_set(DECC_ENOMEM, "out of memory encoding %s", sig);
	if (value)
		opts.value = *value;
	r = decc_chain_transact_fn(c, rc, to, sig, args, &opts);
	decc_abi_value_free(args);
	return r;
}

static int tx_hub(struct decc_chain *c, struct decc_chain_receipt *rc, const char *sig,
		  struct decc_abi_value *args)
{
	decc_address hub;

	if (chain_need_hub(c, &hub) < 0) {
		decc_abi_value_free(args);
		return decc_error_code();
	}
	return tx_to(c, rc, &hub, sig, args, NULL);
}

/* The entry minted by a registry: topic 3 of its ERC-721 Transfer log. */
static int minted_entry(decc_address *out, const struct decc_chain_receipt *rc,
			const decc_address *registry)
{
	for (size_t i = 0; i < rc->logs.n; i++) {
		const struct decc_chain_log *l = &rc->logs.items[i];

		if (l->n_topics == 4 && decc_address_eq(&l->address, registry) &&
		    memcmp(l->topics[0], TOPIC_TRANSFER, 32) == 0) {
			memcpy(out->b, l->topics[3] + 12, 20);
			return 0;
		}
	}
	return decc_error_set(DECC_EINVAL, "the registry emitted no Transfer event");
}

static int create_entry(struct decc_chain *c, decc_address *out, int which, const char *sig,
			struct decc_abi_value *args)
{
	decc_address regs[3], entry;
	struct decc_chain_receipt rc;
	int r;

	r = decc_chain_registries(c, &regs[0], &regs[1], &regs[2]);
	if (r < 0) {
		decc_abi_value_free(args);
		return r;
	}
	DECC_TRY(tx_to(c, &rc, &regs[which], sig, args, NULL));
	r = minted_entry(&entry, &rc, &regs[which]);
	decc_chain_receipt_release(&rc);
	if (r == 0 && out)
		*out = entry;
	return r;
}

int decc_chain_create_app(struct decc_chain *c, decc_address *out, const decc_address *owner,
			  const char *name, const char *type, const uint8_t *multiaddr,
			  size_t multiaddr_len, const uint8_t checksum[32],
			  const uint8_t *mrenclave, size_t mrenclave_len)
{
	return create_entry(c, out, 0, "createApp(address,string,string,bytes,bytes32,bytes)",
			    decc_abi_tuplev(6, decc_abi_address(owner), decc_abi_string(name),
					    decc_abi_string(type),
					    decc_abi_bytes(multiaddr, multiaddr_len),
					    decc_abi_fixed_bytes(checksum, 32),
					    decc_abi_bytes(mrenclave, mrenclave_len)));
}

int decc_chain_create_dataset(struct decc_chain *c, decc_address *out, const decc_address *owner,
			      const char *name, const uint8_t *multiaddr, size_t multiaddr_len,
			      const uint8_t checksum[32])
{
	return create_entry(c, out, 1, "createDataset(address,string,bytes,bytes32)",
			    decc_abi_tuplev(4, decc_abi_address(owner), decc_abi_string(name),
					    decc_abi_bytes(multiaddr, multiaddr_len),
					    decc_abi_fixed_bytes(checksum, 32)));
}

int decc_chain_create_workerpool(struct decc_chain *c, decc_address *out, const decc_address *owner,
				 const char *description)
{
	return create_entry(
	    c, out, 2, "createWorkerpool(address,string)",
	    decc_abi_tuplev(2, decc_abi_address(owner), decc_abi_string(description)));
}

int decc_chain_deposit(struct decc_chain *c, const decc_u256 *nrlc)
{
	decc_address hub, token;
	decc_u256 wei, gwei = decc_u256_from_u64(1000000000ull);

	DECC_TRY(chain_need_hub(c, &hub));
	DECC_TRY(decc_chain_token(c, &token));
	if (!decc_address_is_zero(&token))
		return tx_to(c, NULL, &token, "approveAndCall(address,uint256,bytes)",
			     decc_abi_tuplev(3, decc_abi_address(&hub), decc_abi_uint(nrlc),
					     decc_abi_bytes(NULL, 0)),
			     NULL);
	/* native mode: the chain coin has 18 decimals, nRLC 9 */
	if (decc_u256_mul(&wei, nrlc, &gwei))
		return decc_error_set(DECC_EINVAL, "deposit amount too large");
	return tx_to(c, NULL, &hub, "deposit()", NULL, &wei);
}

int decc_chain_withdraw(struct decc_chain *c, const decc_u256 *nrlc)
{
	return tx_hub(c, NULL, "withdraw(uint256)", args1(decc_abi_uint(nrlc)));
}

int decc_chain_match_orders(struct decc_chain *c, uint8_t dealid[32], decc_u256 *volume,
			    const struct decc_order *app, const struct decc_order *dataset,
			    const struct decc_order *workerpool, const struct decc_order *request)
{
	struct decc_order empty;
	struct decc_chain_receipt rc;
	decc_address hub;
	int r;

	if (app->type != DECC_ORDER_APP || workerpool->type != DECC_ORDER_WORKERPOOL ||
	    request->type != DECC_ORDER_REQUEST || (dataset && dataset->type != DECC_ORDER_DATASET))
		return decc_error_set(DECC_EINVAL, "matchOrders: orders given in the wrong slots");
	DECC_TRY(chain_need_hub(c, &hub));
	decc_order_init(&empty, DECC_ORDER_DATASET);
	r = tx_hub(c, &rc, "matchOrders(" AO "," AO "," WO "," RO ")",
		   decc_abi_tuplev(4, decc_chain_order_tuple(app),
				   decc_chain_order_tuple(dataset ? dataset : &empty),
				   decc_chain_order_tuple(workerpool),
				   decc_chain_order_tuple(request)));
	decc_order_release(&empty);
	if (r < 0)
		return r;
	r = decc_error_set(DECC_EINVAL, "matchOrders: no OrdersMatched event in the receipt");
	for (size_t i = 0; i < rc.logs.n; i++) {
		const struct decc_chain_log *l = &rc.logs.items[i];

		if (l->n_topics >= 1 && decc_address_eq(&l->address, &hub) &&
		    memcmp(l->topics[0], TOPIC_ORDERS_MATCHED, 32) == 0 && l->data.len == 192) {
			if (dealid)
				memcpy(dealid, l->data.data, 32);
			if (volume)
				decc_u256_from_be(volume, l->data.data + 160);
			r = 0;
			break;
		}
	}
	decc_chain_receipt_release(&rc);
	return r;
}

int decc_chain_manage_order(struct decc_chain *c, const struct decc_order *o,
			    enum decc_order_operation op, const uint8_t *sign, size_t sign_len)
{
	static const char *const fn[] = {
		[DECC_ORDER_APP] = "manageAppOrder((" AO ",uint8,bytes))",
		[DECC_ORDER_DATASET] = "manageDatasetOrder((" AO ",uint8,bytes))",
		[DECC_ORDER_WORKERPOOL] = "manageWorkerpoolOrder((" WO ",uint8,bytes))",
		[DECC_ORDER_REQUEST] = "manageRequestOrder((" RO ",uint8,bytes))",
	};

	if ((unsigned)o->type >= DECC_ARRAY_SIZE(fn))
		return decc_error_set(DECC_EINVAL, "unknown order type");
	return tx_hub(c, NULL, fn[o->type],
		      args1(decc_abi_tuplev(3, decc_chain_order_tuple(o), decc_abi_uint64(op),
					    decc_abi_bytes(sign, sign_len))));
}

int decc_chain_initialize(struct decc_chain *c, uint8_t taskid[32], const uint8_t dealid[32],
			  uint64_t idx)
{
	uint8_t pre[64];
	decc_u256 u = decc_u256_from_u64(idx);

	DECC_TRY(
	    tx_hub(c, NULL, "initialize(bytes32,uint256)",
		   decc_abi_tuplev(2, decc_abi_fixed_bytes(dealid, 32), decc_abi_uint64(idx))));
	if (taskid) {
		memcpy(pre, dealid, 32);
		decc_u256_to_be(pre + 32, &u);
		decc_keccak256(taskid, pre, sizeof(pre));
	}
	return 0;
}

int decc_chain_contribute(struct decc_chain *c, const uint8_t taskid[32],
			  const uint8_t result_hash[32], const uint8_t result_seal[32],
			  const decc_address *enclave_challenge, const uint8_t *enclave_sign,
			  size_t enclave_len, const uint8_t *auth_sign, size_t auth_len)
{
	decc_address zero = DECC_ADDRESS_ZERO;

	return tx_hub(
	    c, NULL, "contribute(bytes32,bytes32,bytes32,address,bytes,bytes)",
	    decc_abi_tuplev(
		6, decc_abi_fixed_bytes(taskid, 32), decc_abi_fixed_bytes(result_hash, 32),
		decc_abi_fixed_bytes(result_seal, 32),
		decc_abi_address(enclave_challenge ? enclave_challenge : &zero),
		decc_abi_bytes(enclave_sign, enclave_len), decc_abi_bytes(auth_sign, auth_len)));
}

int decc_chain_reveal(struct decc_chain *c, const uint8_t taskid[32],
		      const uint8_t result_digest[32])
{
	return tx_hub(c, NULL, "reveal(bytes32,bytes32)",
		      decc_abi_tuplev(2, decc_abi_fixed_bytes(taskid, 32),
				      decc_abi_fixed_bytes(result_digest, 32)));
}

int decc_chain_finalize(struct decc_chain *c, const uint8_t taskid[32], const uint8_t *results,
			size_t results_len, const uint8_t *callback, size_t callback_len)
{
	return tx_hub(c, NULL, "finalize(bytes32,bytes,bytes)",
		      decc_abi_tuplev(3, decc_abi_fixed_bytes(taskid, 32),
				      decc_abi_bytes(results, results_len),
				      decc_abi_bytes(callback, callback_len)));
}

int decc_chain_contribute_and_finalize(struct decc_chain *c, const uint8_t taskid[32],
				       const uint8_t result_digest[32], const uint8_t *results,
				       size_t results_len, const uint8_t *callback,
				       size_t callback_len, const decc_address *enclave_challenge,
				       const uint8_t *enclave_sign, size_t enclave_len,
				       const uint8_t *auth_sign, size_t auth_len)
{
	decc_address zero = DECC_ADDRESS_ZERO;

	return tx_hub(
	    c, NULL, "contributeAndFinalize(bytes32,bytes32,bytes,bytes,address,bytes,bytes)",
	    decc_abi_tuplev(
		7, decc_abi_fixed_bytes(taskid, 32), decc_abi_fixed_bytes(result_digest, 32),
		decc_abi_bytes(results, results_len), decc_abi_bytes(callback, callback_len),
		decc_abi_address(enclave_challenge ? enclave_challenge : &zero),
		decc_abi_bytes(enclave_sign, enclave_len), decc_abi_bytes(auth_sign, auth_len)));
}

int decc_chain_claim(struct decc_chain *c, const uint8_t taskid[32])
{
	return tx_hub(c, NULL, "claim(bytes32)", args1(decc_abi_fixed_bytes(taskid, 32)));
}
