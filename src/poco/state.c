/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The contracts' storage as typed records over the key-value state. A key is one tag byte
 * followed by its components (addresses 20 bytes, hashes 32, indices 8 big-endian):
 *   'B' addr balance        'F' addr frozen       'L' owner spender allowance   'S' supply
 *   'C' hash consumed       'P' hash presigned    'W' addr score                'w' addr imported
 *   'K' category count      'k' id category       'G' ... config (owner, broker, registries)
 *   'D' dealid deal         'T' taskid task       'c' taskid addr contribution
 *   'g' taskid hash consensus group
 *   'R' addr asset record (kind first), and the registries' ERC-721 keys (registry.c).
 * Values: u256 as 32 big-endian bytes, addresses as 20 bytes, records as a sequence of fixed
 * fields and length-prefixed (u32 BE) byte strings. A zero value deletes the key.
 */
#include <stdlib.h>

#include "internal.h"

size_t poco_key(uint8_t *k, char tag, const void *a, size_t an, const void *b, size_t bn)
{
	k[0] = (uint8_t)tag;
	if (an)
		memcpy(k + 1, a, an);
	if (bn)
		memcpy(k + 1 + an, b, bn);
	return 1 + an + bn;
}

int poco_get_raw(struct poco *p, struct decc_buf *out, bool *found, const uint8_t *k, size_t kn)
{
	int r = p->st->ops->get(p->st->ctx, out, k, kn);

	if (r == DECC_ENOTFOUND) {
		*found = false;
		return 0;
	}
	if (r < 0)
		return r;
	*found = true;
	return 0;
}

int poco_put_raw(struct poco *p, const uint8_t *k, size_t kn, const void *v, size_t vn)
{
	return p->st->ops->put(p->st->ctx, k, kn, v, vn);
}

int poco_get_u256(struct poco *p, decc_u256 *out, const uint8_t *k, size_t kn)
{
	struct decc_buf b = DECC_BUF_INIT;
	bool found;
	int r = poco_get_raw(p, &b, &found, k, kn);

	if (r == 0) {
		if (!found)
			*out = DECC_U256_ZERO;
		else if (b.len == 32)
			decc_u256_from_be(out, b.data);
		else
			r = decc_error_set(DECC_EINVAL, "corrupt PoCo state: u256 of %zu bytes",
					   b.len);
	}
	decc_buf_release(&b);
	return r;
}

int poco_put_u256(struct poco *p, const uint8_t *k, size_t kn, const decc_u256 *v)
{
	uint8_t w[32];

	if (decc_u256_is_zero(v))
		return poco_put_raw(p, k, kn, NULL, 0);
	decc_u256_to_be(w, v);
	return poco_put_raw(p, k, kn, w, 32);
}

int poco_get_addr(struct poco *p, decc_address *out, const uint8_t *k, size_t kn)
{
	struct decc_buf b = DECC_BUF_INIT;
	bool found;
	int r = poco_get_raw(p, &b, &found, k, kn);

	if (r == 0) {
		if (!found)
			*out = DECC_ADDRESS_ZERO;
		else if (b.len == 20)
			memcpy(out->b, b.data, 20);
		else
			r = decc_error_set(DECC_EINVAL, "corrupt PoCo state: address of %zu bytes",
					   b.len);
	}
	decc_buf_release(&b);
	return r;
}

int poco_put_addr(struct poco *p, const uint8_t *k, size_t kn, const decc_address *a)
{
	if (decc_address_is_zero(a))
		return poco_put_raw(p, k, kn, NULL, 0);
	return poco_put_raw(p, k, kn, a->b, 20);
}

#define ADDR_GET(name, tag)                                                                        \
	int poco_##name(struct poco *p, decc_u256 *out, const decc_address *a)                     \
	{                                                                                          \
		uint8_t k[21];                                                                     \
		return poco_get_u256(p, out, k, poco_key(k, tag, a->b, 20, NULL, 0));              \
	}
#define ADDR_SET(name, tag)                                                                        \
	int poco_set_##name(struct poco *p, const decc_address *a, const decc_u256 *v)             \
	{                                                                                          \
		uint8_t k[21];                                                                     \
		return poco_put_u256(p, k, poco_key(k, tag, a->b, 20, NULL, 0), v);                \
	}
ADDR_GET(balance, 'B')
ADDR_SET(balance, 'B')
ADDR_GET(frozen, 'F')
ADDR_SET(frozen, 'F')
ADDR_GET(score, 'W')
ADDR_SET(score, 'W')

int poco_allowance(struct poco *p, decc_u256 *out, const decc_address *o, const decc_address *s)
{
	uint8_t k[41];
	return poco_get_u256(p, out, k, poco_key(k, 'L', o->b, 20, s->b, 20));
}

int poco_set_allowance(struct poco *p, const decc_address *o, const decc_address *s,
		       const decc_u256 *v)
{
	uint8_t k[41];
	return poco_put_u256(p, k, poco_key(k, 'L', o->b, 20, s->b, 20), v);
}

int poco_supply(struct poco *p, decc_u256 *out)
{
	uint8_t k[1] = { 'S' };
	return poco_get_u256(p, out, k, 1);
}

int poco_set_supply(struct poco *p, const decc_u256 *v)
{
	uint8_t k[1] = { 'S' };
	return poco_put_u256(p, k, 1, v);
}

int poco_consumed(struct poco *p, decc_u256 *out, const uint8_t h[32])
{
	uint8_t k[33];
	return poco_get_u256(p, out, k, poco_key(k, 'C', h, 32, NULL, 0));
}

int poco_set_consumed(struct poco *p, const uint8_t h[32], const decc_u256 *v)
{
	uint8_t k[33];
	return poco_put_u256(p, k, poco_key(k, 'C', h, 32, NULL, 0), v);
}

int poco_presigned(struct poco *p, decc_address *out, const uint8_t h[32])
{
	uint8_t k[33];
	return poco_get_addr(p, out, k, poco_key(k, 'P', h, 32, NULL, 0));
}

int poco_set_presigned(struct poco *p, const uint8_t h[32], const decc_address *a)
{
	uint8_t k[33];
	return poco_put_addr(p, k, poco_key(k, 'P', h, 32, NULL, 0), a);
}

int poco_config_addr(struct poco *p, decc_address *out, char which)
{
	uint8_t k[2] = { 'G', (uint8_t)which };
	return poco_get_addr(p, out, k, 2);
}

int poco_set_config_addr(struct poco *p, char which, const decc_address *a)
{
	uint8_t k[2] = { 'G', (uint8_t)which };
	return poco_put_addr(p, k, 2, a);
}

int poco_callbackgas(struct poco *p, decc_u256 *out)
{
	uint8_t k[2] = { 'G', 'g' };
	return poco_get_u256(p, out, k, 2);
}

int poco_set_callbackgas(struct poco *p, const decc_u256 *v)
{
	uint8_t k[2] = { 'G', 'g' };
	return poco_put_u256(p, k, 2, v);
}

int poco_domain_sep(struct poco *p, uint8_t out[32])
{
	uint8_t k[2] = { 'G', 's' };
	decc_u256 v;

	DECC_TRY(poco_get_u256(p, &v, k, 2));
	decc_u256_to_be(out, &v);
	return 0;
}

int poco_set_domain_sep(struct poco *p, const uint8_t ds[32])
{
	uint8_t k[2] = { 'G', 's' };
	return poco_put_raw(p, k, 2, ds, 32);
}

/* ---- records ---- */

struct rec {
	struct decc_buf b;
	int err;
};

static void w_raw(struct rec *w, const void *p, size_t n)
{
	if (!w->err)
		w->err = decc_buf_append(&w->b, p, n);
}

static void w_u256(struct rec *w, const decc_u256 *v)
{
	uint8_t x[32];

	decc_u256_to_be(x, v);
	w_raw(w, x, 32);
}

static void w_bytes(struct rec *w, const void *p, size_t n)
{
	uint8_t l[4] = { (uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n };

	w_raw(w, l, 4);
	w_raw(w, p, n);
}

static void r_raw(struct decc_cursor *c, int *err, void *out, size_t n)
{
	if (!*err && decc_cursor_read(c, out, n) < 0)
		*err = decc_error_set(DECC_EINVAL, "corrupt PoCo state record");
}

static void r_u256(struct decc_cursor *c, int *err, decc_u256 *v)
{
	uint8_t x[32] = { 0 };

	r_raw(c, err, x, 32);
	decc_u256_from_be(v, x);
}

static void r_bytes(struct decc_cursor *c, int *err, struct decc_buf *out)
{
	uint32_t n = 0;
	struct decc_span s;

	if (*err)
		return;
	if (decc_cursor_u32be(c, &n) < 0 || decc_cursor_take(c, &s, n) < 0) {
		*err = decc_error_set(DECC_EINVAL, "corrupt PoCo state record");
		return;
	}
	decc_buf_reset(out);
	*err = decc_buf_append(out, s.ptr, s.len);
}

static int load(struct poco *p, struct decc_buf *b, bool *found, char tag, const void *a, size_t an,
		const void *x, size_t xn)
{
	uint8_t k[DECC_STATE_MAX_KEY];

	return poco_get_raw(p, b, found, k, poco_key(k, tag, a, an, x, xn));
}

static int store(struct poco *p, struct rec *w, char tag, const void *a, size_t an, const void *x,
		 size_t xn)
{
	uint8_t k[DECC_STATE_MAX_KEY];
	int r = w->err;

	if (!r)
		r = poco_put_raw(p, k, poco_key(k, tag, a, an, x, xn), w->b.data, w->b.len);
	decc_buf_release(&w->b);
	return r;
}

/* categories: 'K' count (u256), 'k' + id (8 BE) -> name, desc, timeref */
int poco_category_count(struct poco *p, uint64_t *out)
{
	uint8_t k[1] = { 'K' };
	decc_u256 v;

	DECC_TRY(poco_get_u256(p, &v, k, 1));
	if (!decc_u256_to_u64(&v, out))
		return decc_error_set(DECC_EINVAL, "corrupt PoCo state: category count");
	return 0;
}

int poco_category_get(struct poco *p, bool *found, struct decc_buf *name, struct decc_buf *desc,
		      decc_u256 *timeref, const decc_u256 *id)
{
	uint64_t n, i;
	uint8_t be[8];
	struct decc_buf b = DECC_BUF_INIT;
	struct decc_cursor c;
	bool f;
	int err;

	DECC_TRY(poco_category_count(p, &n));
	if (!decc_u256_to_u64(id, &i) || i >= n) {
		*found = false;
		return 0;
	}
	for (int j = 0; j < 8; j++)
		be[j] = (uint8_t)(i >> (56 - 8 * j));
	err = load(p, &b, &f, 'k', be, 8, NULL, 0);
	if (!err && !f)
		err = decc_error_set(DECC_EINVAL, "corrupt PoCo state: category %llu missing",
				     (unsigned long long)i);
	decc_cursor_init(&c, b.data, b.len);
	r_bytes(&c, &err, name);
	r_bytes(&c, &err, desc);
	r_u256(&c, &err, timeref);
	decc_buf_release(&b);
	if (!err)
		*found = true;
	return err;
}

int poco_category_push(struct poco *p, uint64_t *id, const char *name, size_t nlen,
		       const char *desc, size_t dlen, const decc_u256 *timeref)
{
	uint64_t n;
	uint8_t be[8];
	uint8_t kc[1] = { 'K' };
	struct rec w = { DECC_BUF_INIT, 0 };
	decc_u256 cnt;

	DECC_TRY(poco_category_count(p, &n));
	for (int j = 0; j < 8; j++)
		be[j] = (uint8_t)(n >> (56 - 8 * j));
	w_bytes(&w, name, nlen);
	w_bytes(&w, desc, dlen);
	w_u256(&w, timeref);
	DECC_TRY(store(p, &w, 'k', be, 8, NULL, 0));
	cnt = decc_u256_from_u64(n + 1);
	DECC_TRY(poco_put_u256(p, kc, 1, &cnt));
	*id = n;
	return 0;
}

/* ---- deals ---- */

void poco_deal_init(struct poco_deal *d)
{
	memset(d, 0, sizeof(*d));
	decc_buf_init(&d->params, DECC_STATE_MAX_VALUE);
}

void poco_deal_release(struct poco_deal *d)
{
	decc_buf_release(&d->params);
}

static void w_res(struct rec *w, const struct poco_resource *r)
{
	w_raw(w, r->pointer.b, 20);
	w_raw(w, r->owner.b, 20);
	w_u256(w, &r->price);
}

static void r_res(struct decc_cursor *c, int *err, struct poco_resource *r)
{
	r_raw(c, err, r->pointer.b, 20);
	r_raw(c, err, r->owner.b, 20);
	r_u256(c, err, &r->price);
}

int poco_deal_get(struct poco *p, struct poco_deal *d, const uint8_t id[32])
{
	struct decc_buf b = DECC_BUF_INIT;
	struct decc_cursor c;
	bool found;
	int err = load(p, &b, &found, 'D', id, 32, NULL, 0);

	if (err || !found) {
		decc_buf_release(&b);
		return err;
	}
	decc_cursor_init(&c, b.data, b.len);
	r_res(&c, &err, &d->app);
	r_res(&c, &err, &d->dataset);
	r_res(&c, &err, &d->workerpool);
	r_u256(&c, &err, &d->trust);
	r_u256(&c, &err, &d->category);
	r_raw(&c, &err, d->tag, 32);
	r_raw(&c, &err, d->requester.b, 20);
	r_raw(&c, &err, d->beneficiary.b, 20);
	r_raw(&c, &err, d->callback.b, 20);
	r_bytes(&c, &err, &d->params);
	r_u256(&c, &err, &d->start_time);
	r_u256(&c, &err, &d->bot_first);
	r_u256(&c, &err, &d->bot_size);
	r_u256(&c, &err, &d->worker_stake);
	r_u256(&c, &err, &d->scheduler_ratio);
	r_raw(&c, &err, d->sponsor.b, 20);
	decc_buf_release(&b);
	return err;
}

int poco_deal_put(struct poco *p, const uint8_t id[32], const struct poco_deal *d)
{
	struct rec w = { DECC_BUF_INIT, 0 };

	w_res(&w, &d->app);
	w_res(&w, &d->dataset);
	w_res(&w, &d->workerpool);
	w_u256(&w, &d->trust);
	w_u256(&w, &d->category);
	w_raw(&w, d->tag, 32);
	w_raw(&w, d->requester.b, 20);
	w_raw(&w, d->beneficiary.b, 20);
	w_raw(&w, d->callback.b, 20);
	w_bytes(&w, d->params.data, d->params.len);
	w_u256(&w, &d->start_time);
	w_u256(&w, &d->bot_first);
	w_u256(&w, &d->bot_size);
	w_u256(&w, &d->worker_stake);
	w_u256(&w, &d->scheduler_ratio);
	w_raw(&w, d->sponsor.b, 20);
	return store(p, &w, 'D', id, 32, NULL, 0);
}

/* ---- tasks ---- */

void poco_task_init(struct poco_task *t)
{
	memset(t, 0, sizeof(*t));
	decc_buf_init(&t->results, DECC_STATE_MAX_VALUE);
	decc_buf_init(&t->results_callback, DECC_STATE_MAX_VALUE);
}

void poco_task_release(struct poco_task *t)
{
	free(t->contributors);
	t->contributors = NULL;
	t->n_contributors = 0;
	decc_buf_release(&t->results);
	decc_buf_release(&t->results_callback);
}

int poco_task_push_contributor(struct poco_task *t, const decc_address *w)
{
	decc_address *n;

	if (t->n_contributors >= 65536)
		return decc_error_set(DECC_ELIMIT, "too many contributors on one task");
	n = realloc(t->contributors, (t->n_contributors + 1) * sizeof(*n));
	if (!n)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	n[t->n_contributors++] = *w;
	t->contributors = n;
	return 0;
}

int poco_task_get(struct poco *p, struct poco_task *t, const uint8_t id[32])
{
	struct decc_buf b = DECC_BUF_INIT;
	struct decc_cursor c;
	bool found;
	uint32_t n = 0;
	int err = load(p, &b, &found, 'T', id, 32, NULL, 0);

	if (err || !found) {
		decc_buf_release(&b);
		return err;
	}
	decc_cursor_init(&c, b.data, b.len);
	r_raw(&c, &err, &t->status, 1);
	r_raw(&c, &err, t->dealid, 32);
	r_u256(&c, &err, &t->idx);
	r_u256(&c, &err, &t->timeref);
	r_u256(&c, &err, &t->contribution_deadline);
	r_u256(&c, &err, &t->reveal_deadline);
	r_u256(&c, &err, &t->final_deadline);
	r_raw(&c, &err, t->consensus_value, 32);
	r_u256(&c, &err, &t->reveal_counter);
	r_u256(&c, &err, &t->winner_counter);
	if (!err && decc_cursor_u32be(&c, &n) < 0)
		err = decc_error_set(DECC_EINVAL, "corrupt PoCo state record");
	for (uint32_t i = 0; !err && i < n; i++) {
		decc_address a;

		r_raw(&c, &err, a.b, 20);
		if (!err)
			err = poco_task_push_contributor(t, &a);
	}
	r_raw(&c, &err, t->result_digest, 32);
	r_bytes(&c, &err, &t->results);
	r_u256(&c, &err, &t->results_timestamp);
	r_bytes(&c, &err, &t->results_callback);
	r_u256(&c, &err, &t->consensus_total);
	decc_buf_release(&b);
	return err;
}

int poco_task_put(struct poco *p, const uint8_t id[32], const struct poco_task *t)
{
	struct rec w = { DECC_BUF_INIT, 0 };
	uint8_t l[4];
	size_t n = t->n_contributors;

	w_raw(&w, &t->status, 1);
	w_raw(&w, t->dealid, 32);
	w_u256(&w, &t->idx);
	w_u256(&w, &t->timeref);
	w_u256(&w, &t->contribution_deadline);
	w_u256(&w, &t->reveal_deadline);
	w_u256(&w, &t->final_deadline);
	w_raw(&w, t->consensus_value, 32);
	w_u256(&w, &t->reveal_counter);
	w_u256(&w, &t->winner_counter);
	l[0] = (uint8_t)(n >> 24), l[1] = (uint8_t)(n >> 16), l[2] = (uint8_t)(n >> 8);
	l[3] = (uint8_t)n;
	w_raw(&w, l, 4);
	for (size_t i = 0; i < n; i++)
		w_raw(&w, t->contributors[i].b, 20);
	w_raw(&w, t->result_digest, 32);
	w_bytes(&w, t->results.data, t->results.len);
	w_u256(&w, &t->results_timestamp);
	w_bytes(&w, t->results_callback.data, t->results_callback.len);
	w_u256(&w, &t->consensus_total);
	return store(p, &w, 'T', id, 32, NULL, 0);
}

int poco_contrib_get(struct poco *p, struct poco_contribution *ct, const uint8_t taskid[32],
		     const decc_address *wk)
{
	struct decc_buf b = DECC_BUF_INIT;
	struct decc_cursor c;
	bool found;
	int err = load(p, &b, &found, 'c', taskid, 32, wk->b, 20);

	memset(ct, 0, sizeof(*ct));
	if (err || !found) {
		decc_buf_release(&b);
		return err;
	}
	decc_cursor_init(&c, b.data, b.len);
	r_raw(&c, &err, &ct->status, 1);
	r_raw(&c, &err, ct->result_hash, 32);
	r_raw(&c, &err, ct->result_seal, 32);
	r_raw(&c, &err, ct->enclave.b, 20);
	r_u256(&c, &err, &ct->weight);
	decc_buf_release(&b);
	return err;
}

int poco_contrib_put(struct poco *p, const uint8_t taskid[32], const decc_address *wk,
		     const struct poco_contribution *ct)
{
	struct rec w = { DECC_BUF_INIT, 0 };

	w_raw(&w, &ct->status, 1);
	w_raw(&w, ct->result_hash, 32);
	w_raw(&w, ct->result_seal, 32);
	w_raw(&w, ct->enclave.b, 20);
	w_u256(&w, &ct->weight);
	return store(p, &w, 'c', taskid, 32, wk->b, 20);
}

int poco_group_get(struct poco *p, decc_u256 *out, const uint8_t taskid[32], const uint8_t h[32])
{
	uint8_t k[65];
	return poco_get_u256(p, out, k, poco_key(k, 'g', taskid, 32, h, 32));
}

int poco_group_put(struct poco *p, const uint8_t taskid[32], const uint8_t h[32],
		   const decc_u256 *v)
{
	uint8_t k[65];
	return poco_put_u256(p, k, poco_key(k, 'g', taskid, 32, h, 32), v);
}

/* ---- assets ---- */

void poco_asset_init(struct poco_asset *a)
{
	memset(a, 0, sizeof(*a));
	decc_buf_init(&a->name, DECC_STATE_MAX_VALUE);
	decc_buf_init(&a->type, DECC_STATE_MAX_VALUE);
	decc_buf_init(&a->multiaddr, DECC_STATE_MAX_VALUE);
	decc_buf_init(&a->mrenclave, DECC_STATE_MAX_VALUE);
}

void poco_asset_release(struct poco_asset *a)
{
	decc_buf_release(&a->name);
	decc_buf_release(&a->type);
	decc_buf_release(&a->multiaddr);
	decc_buf_release(&a->mrenclave);
}

int poco_asset_get(struct poco *p, struct poco_asset *a, const decc_address *addr)
{
	struct decc_buf b = DECC_BUF_INIT;
	struct decc_cursor c;
	bool found;
	uint8_t kind = 0;
	int err = load(p, &b, &found, 'R', addr->b, 20, NULL, 0);

	a->kind = POCO_NONE;
	if (err || !found) {
		decc_buf_release(&b);
		return err;
	}
	decc_cursor_init(&c, b.data, b.len);
	r_raw(&c, &err, &kind, 1);
	r_bytes(&c, &err, &a->name);
	r_bytes(&c, &err, &a->type);
	r_bytes(&c, &err, &a->multiaddr);
	r_raw(&c, &err, a->checksum, 32);
	r_bytes(&c, &err, &a->mrenclave);
	r_u256(&c, &err, &a->stake_ratio);
	r_u256(&c, &err, &a->scheduler_ratio);
	decc_buf_release(&b);
	if (!err && (kind < POCO_APP || kind > POCO_WORKERPOOL))
		err = decc_error_set(DECC_EINVAL, "corrupt PoCo state: asset kind %u", kind);
	if (!err)
		a->kind = (enum poco_kind)kind;
	return err;
}

int poco_asset_put(struct poco *p, const decc_address *addr, const struct poco_asset *a)
{
	struct rec w = { DECC_BUF_INIT, 0 };
	uint8_t kind = (uint8_t)a->kind;

	w_raw(&w, &kind, 1);
	w_bytes(&w, a->name.data, a->name.len);
	w_bytes(&w, a->type.data, a->type.len);
	w_bytes(&w, a->multiaddr.data, a->multiaddr.len);
	w_raw(&w, a->checksum, 32);
	w_bytes(&w, a->mrenclave.data, a->mrenclave.len);
	w_u256(&w, &a->stake_ratio);
	w_u256(&w, &a->scheduler_ratio);
	return store(p, &w, 'R', addr->b, 20, NULL, 0);
}

int poco_asset_kind(struct poco *p, enum poco_kind *out, const decc_address *addr)
{
	struct decc_buf b = DECC_BUF_INIT;
	bool found;
	int err = load(p, &b, &found, 'R', addr->b, 20, NULL, 0);

	if (!err)
		*out = (found && b.len > 0) ? (enum poco_kind)b.data[0] : POCO_NONE;
	decc_buf_release(&b);
	return err;
}
