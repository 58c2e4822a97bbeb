/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Ownership, read from the ledger through the chain client: the asset must be registered in
 * the hub's registry of its kind (isRegistered), and its owner is owner() of the asset
 * contract at the latest block. For the TEE release, a task with its deal, app, dataset and
 * category. Calls are serialized: a chain client is not thread-safe.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "decc/chain.h"
#include "decc/error.h"
#include "decc/sms.h"

struct decc_sms_ledger {
	struct decc_chain *chain;
	pthread_mutex_t lock;
	bool have_registries;
	decc_address apps, datasets;
};

int decc_sms_ledger_new(struct decc_sms_ledger **out, const char *rpc_url, const decc_address *hub)
{
	struct decc_sms_ledger *l = calloc(1, sizeof(*l));
	int r;

	if (!l)
		return decc_error_set(DECC_ENOMEM, "sms: out of memory");
	r = decc_chain_new(&l->chain, rpc_url);
	if (r < 0) {
		free(l);
		return r;
	}
	decc_chain_set_hub(l->chain, hub);
	decc_chain_set_timeouts(l->chain, 3000, 10000);
	pthread_mutex_init(&l->lock, NULL);
	*out = l;
	return 0;
}

void decc_sms_ledger_free(struct decc_sms_ledger *l)
{
	if (!l)
		return;
	decc_chain_free(l->chain);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

static int registered(struct decc_sms_ledger *l, bool *out, const decc_address *registry,
		      const decc_address *asset)
{
	struct decc_abi_value *res = NULL, *args = decc_abi_tuplev(1, decc_abi_address(asset));
	int r;

	if (!args)
		return decc_error_set(DECC_ENOMEM, "sms: out of memory");
	r = decc_chain_call_fn(l->chain, &res, registry, "isRegistered(address)", args, "(bool)");
	decc_abi_value_free(args);
	if (r == 0) {
		r = res->n_items == 1 ? decc_abi_get_bool(out, res->items[0])
				      : decc_error_set(DECC_EINVAL, "isRegistered: bad answer");
		decc_abi_value_free(res);
	}
	return r;
}

static int owner_locked(struct decc_sms_ledger *l, decc_address *owner, enum decc_sms_kind kind,
			const decc_address *asset)
{
	const decc_address *registry;
	bool ok = false;
	int r;

	if (!l->have_registries) {
		r = decc_chain_registries(l->chain, &l->apps, &l->datasets, NULL);
		if (r < 0)
			return decc_error_wrap(r, "reading the registries from the hub");
		l->have_registries = true;
	}
	registry = kind == DECC_SMS_APP ? &l->apps : &l->datasets;
	r = registered(l, &ok, registry, asset);
	if (r < 0)
		return decc_error_wrap(r, "isRegistered");
	if (!ok)
		return decc_error_set(DECC_ENOTFOUND, "unknown to the %s registry of the hub",
				      kind == DECC_SMS_APP ? "app" : "dataset");
	r = decc_chain_owner(l->chain, owner, asset);
	if (r < 0)
		return decc_error_wrap(r, "owner()");
	return 0;
}

int decc_sms_ledger_owner(void *ctx, decc_address *owner, enum decc_sms_kind kind,
			  const decc_address *asset)
{
	struct decc_sms_ledger *l = ctx;
	int r;

	DECC_ENSURE(kind == DECC_SMS_WEB3 || kind == DECC_SMS_APP, DECC_EINVAL,
		    "sms: only datasets and apps have owners on the ledger");
	pthread_mutex_lock(&l->lock);
	r = owner_locked(l, owner, kind, asset);
	pthread_mutex_unlock(&l->lock);
	return r;
}

static int dup_bytes(char **out, const struct decc_buf *b)
{
	char *p = malloc(b->len + 1);

	if (!p)
		return decc_error_set(DECC_ENOMEM, "sms: out of memory");
	if (b->len)
		memcpy(p, b->data, b->len);
	p[b->len] = 0;
	*out = p;
	return 0;
}

static uint64_t u64_of(const decc_u256 *v)
{
	uint64_t x;

	return decc_u256_to_u64(v, &x) ? x : UINT64_MAX;
}

/* The deal's app, dataset and category into t. */
static int deal_assets(struct decc_sms_ledger *l, struct decc_tee_task_info *t,
		       const struct decc_chain_deal *d)
{
	struct decc_chain_app app = { 0 };
	struct decc_chain_dataset ds = { 0 };
	struct decc_chain_category cat = { 0 };
	int r;

	r = decc_chain_view_app(l->chain, &app, &d->app.pointer);
	if (r < 0)
		return decc_error_wrap(r, "reading the deal's app");
	r = dup_bytes(&t->app_multiaddr, &app.multiaddr);
	memcpy(t->app_checksum, app.checksum, 32);
	if (r == 0 && app.mrenclave.len) {
		t->app_mrenclave = malloc(app.mrenclave.len);
		if (!t->app_mrenclave)
			r = decc_error_set(DECC_ENOMEM, "sms: out of memory");
		else
			memcpy(t->app_mrenclave, app.mrenclave.data, app.mrenclave.len);
		t->app_mrenclave_len = app.mrenclave.len;
	}
	decc_chain_app_release(&app);
	if (r == 0 && !decc_address_is_zero(&d->dataset.pointer)) {
		r = decc_chain_view_dataset(l->chain, &ds, &d->dataset.pointer);
		if (r < 0)
			return decc_error_wrap(r, "reading the deal's dataset");
		r = dup_bytes(&t->dataset_multiaddr, &ds.multiaddr);
		memcpy(t->dataset_checksum, ds.checksum, 32);
		decc_chain_dataset_release(&ds);
	}
	if (r == 0) {
		r = decc_chain_view_category(l->chain, &cat, u64_of(&d->category));
		if (r < 0)
			return decc_error_wrap(r, "reading the deal's category");
		t->max_execution_time = cat.work_clock_time_ref;
		decc_chain_category_release(&cat);
	}
	return r;
}

static int task_locked(struct decc_sms_ledger *l, struct decc_tee_task_info *out,
		       const uint8_t taskid[32])
{
	struct decc_tee_task_info t = { 0 };
	struct decc_chain_task ct;
	struct decc_chain_deal d;
	int r;

	r = decc_chain_view_task(l->chain, &ct, taskid);
	if (r < 0)
		return decc_error_wrap(r, "viewTask");
	t.active = ct.status == DECC_TASK_ACTIVE;
	memcpy(t.dealid, ct.dealid, 32);
	t.task_index = ct.idx;
	r = ct.status == DECC_TASK_UNSET
		? decc_error_set(DECC_ENOTFOUND, "the task is not on the ledger (not initialized)")
		: 0;
	decc_chain_task_release(&ct);
	if (r < 0)
		return r;
	r = decc_chain_view_deal(l->chain, &d, t.dealid);
	if (r < 0)
		return decc_error_wrap(r, "viewDeal");
	if (decc_address_is_zero(&d.requester)) {
		decc_chain_deal_release(&d);
		return decc_error_set(DECC_ENOTFOUND, "the task's deal is not on the ledger");
	}
	t.bot_first = d.bot_first;
	t.bot_size = d.bot_size;
	memcpy(t.tag, d.tag, 32);
	t.app = d.app.pointer;
	t.dataset = d.dataset.pointer;
	t.workerpool_owner = d.workerpool.owner;
	t.requester = d.requester;
	t.beneficiary = d.beneficiary;
	t.callback = d.callback;
	r = 0;
	if (d.params && *d.params && !(t.params = strdup(d.params)))
		r = decc_error_set(DECC_ENOMEM, "sms: out of memory");
	if (r == 0)
		r = deal_assets(l, &t, &d);
	decc_chain_deal_release(&d);
	if (r < 0) {
		decc_tee_task_info_release(&t);
		return r;
	}
	*out = t;
	return 0;
}

int decc_sms_ledger_task(void *ctx, struct decc_tee_task_info *out, const uint8_t taskid[32])
{
	struct decc_sms_ledger *l = ctx;
	int r;

	pthread_mutex_lock(&l->lock);
	r = task_locked(l, out, taskid);
	pthread_mutex_unlock(&l->lock);
	return r;
}
