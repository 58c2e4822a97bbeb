/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Ownership, read from the ledger through the chain client: the asset must be registered in
 * the hub's registry of its kind (isRegistered), and its owner is owner() of the asset
 * contract at the latest block. Calls are serialized: a chain client is not thread-safe.
 */
#include <pthread.h>
#include <stdlib.h>

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
