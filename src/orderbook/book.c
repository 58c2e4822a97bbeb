/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The book: publication checks (signature of the asset owner, remaining volume, per-signer
 * limit), listing with liveness checks (remaining volume, owner unchanged) and lookups.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/error.h"
#include "decc/hex.h"
#include "orderbook/internal.h"

struct decc_orderbook {
	struct ob_store *store;
	struct decc_orderbook_checker checker;
	size_t max_per_signer;
	pthread_mutex_t lock; /* publication: check then insert */
	pthread_mutex_t dlock;
	bool has_domain;
	uint8_t domain[32];
	void *owned_ctx; /* freed with the book (decc_orderbook_open_eth) */
};

int decc_orderbook_open(struct decc_orderbook **out, const struct decc_orderbook_config *cfg)
{
	struct decc_orderbook *ob;
	int r;

	DECC_ENSURE(cfg && cfg->path && cfg->checker.asset_owner && cfg->checker.consumed &&
			cfg->checker.domain_separator,
		    DECC_EINVAL, "orderbook: a store path and a complete checker are required");
	ob = calloc(1, sizeof(*ob));
	if (!ob)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	r = ob_store_open(&ob->store, cfg->path);
	if (r < 0) {
		free(ob);
		return r;
	}
	ob->checker = cfg->checker;
	ob->max_per_signer =
	    cfg->max_per_signer ? cfg->max_per_signer : DECC_ORDERBOOK_MAX_PER_SIGNER;
	pthread_mutex_init(&ob->lock, NULL);
	pthread_mutex_init(&ob->dlock, NULL);
	*out = ob;
	return 0;
}

void decc_orderbook_free(struct decc_orderbook *ob)
{
	if (!ob)
		return;
	ob_store_close(ob->store);
	pthread_mutex_destroy(&ob->lock);
	pthread_mutex_destroy(&ob->dlock);
	free(ob->owned_ctx);
	free(ob);
}

void ob_own_ctx(struct decc_orderbook *ob, void *ctx)
{
	ob->owned_ctx = ctx;
}

/* The domain separator, asked once (it never changes for a hub). */
static int domain(struct decc_orderbook *ob, uint8_t out[32])
{
	int r = 0;

	pthread_mutex_lock(&ob->dlock);
	if (!ob->has_domain) {
		r = ob->checker.domain_separator(ob->checker.ctx, ob->domain);
		if (r < 0)
			r = decc_error_wrap(r, "cannot read the hub's EIP-712 domain separator");
		else
			ob->has_domain = true;
	}
	if (r == 0)
		memcpy(out, ob->domain, 32);
	pthread_mutex_unlock(&ob->dlock);
	return r;
}

static const decc_address *asset_of(const struct decc_order *o)
{
	switch (o->type) {
	case DECC_ORDER_APP:
		return &o->app;
	case DECC_ORDER_DATASET:
		return &o->dataset;
	case DECC_ORDER_WORKERPOOL:
		return &o->workerpool;
	default:
		return &o->requester;
	}
}

static void u256_text(char out[67], const decc_u256 *v)
{
	uint8_t be[32];

	decc_u256_to_be(be, v);
	decc_hex_encode(out, be, 32, true);
}

/* remaining = volume - consumed (0 when consumed >= volume). */
static int remaining_of(struct decc_orderbook *ob, decc_u256 *out, const decc_u256 *volume,
			const uint8_t hash[32])
{
	decc_u256 consumed;
	int r = ob->checker.consumed(ob->checker.ctx, &consumed, hash);

	if (r < 0)
		return decc_error_wrap(r, "cannot read the consumed volume of the order");
	if (decc_u256_sub(out, volume, &consumed))
		*out = DECC_U256_ZERO; /* borrow: over-consumed */
	return 0;
}

static void fill_row(struct ob_row *row, const struct decc_order *o, const char *hash,
		     const decc_address *signer)
{
	const decc_address *app = &o->app, *dataset = &o->dataset, *wp = &o->workerpool;
	const decc_address *req = &o->requester;

	memset(row, 0, sizeof(*row));
	snprintf(row->hash, sizeof(row->hash), "%s", hash);
	row->type = o->type;
	ob_addr_text(row->asset, asset_of(o));
	ob_addr_text(row->signer, signer);
	switch (o->type) {
	case DECC_ORDER_APP:
		dataset = &o->datasetrestrict, wp = &o->workerpoolrestrict;
		req = &o->requesterrestrict;
		break;
	case DECC_ORDER_DATASET:
		app = &o->apprestrict, wp = &o->workerpoolrestrict, req = &o->requesterrestrict;
		break;
	case DECC_ORDER_WORKERPOOL:
		app = &o->apprestrict, dataset = &o->datasetrestrict, req = &o->requesterrestrict;
		break;
	default:
		break;
	}
	ob_addr_text(row->app, app);
	ob_addr_text(row->dataset, dataset);
	ob_addr_text(row->workerpool, wp);
	ob_addr_text(row->requester, req);
	memcpy(row->tag, o->tag, 32);
	u256_text(row->volume, &o->volume);
	if (o->type == DECC_ORDER_REQUEST) {
		decc_u256 sum;

		/* a request is ranked by what it offers in total */
		if (decc_u256_add(&sum, &o->appmaxprice, &o->datasetmaxprice) ||
		    decc_u256_add(&sum, &sum, &o->workerpoolmaxprice))
			memset(&sum, 0xff, sizeof(sum));
		u256_text(row->price, &sum);
	} else {
		u256_text(row->price, &o->price);
	}
	if (!decc_u256_to_u64(&o->category, &row->category))
		row->category = UINT64_MAX;
	if (!decc_u256_to_u64(&o->trust, &row->trust))
		row->trust = UINT64_MAX;
}

int decc_orderbook_publish(struct decc_orderbook *ob, uint8_t hash[32], enum decc_order_type type,
			   const char *json, size_t n, uint64_t now)
{
	struct decc_buf canon = DECC_BUF_INIT;
	struct decc_order o;
	struct ob_row row;
	decc_address signer;
	decc_u256 remaining;
	uint8_t dom[32], h[32];
	char hs[67], ss[43], as[43];
	uint64_t count;
	bool has_salt = false;
	int r;

	decc_order_init(&o, type);
	r = decc_order_from_json(&o, &has_salt, type, json, n);
	if (r < 0) {
		r = decc_error_wrap(r, "malformed %s order", decc_order_type_name(type));
		goto out;
	}
	if (!has_salt) {
		r = decc_error_set(DECC_EINVAL, "the order has no salt: sign it first");
		goto out;
	}
	if (o.sign.len == 0) {
		r = decc_error_set(DECC_EINVAL, "the order has no sign field: sign it first");
		goto out;
	}
	r = domain(ob, dom);
	if (r < 0)
		goto out;
	decc_order_hash(h, dom, &o);
	decc_hex_encode(hs, h, 32, true);
	if (type == DECC_ORDER_REQUEST) {
		signer = o.requester;
	} else {
		decc_address_to_checksum(as, asset_of(&o));
		r = ob->checker.asset_owner(ob->checker.ctx, &signer, type, asset_of(&o));
		if (r == DECC_ENOTFOUND) {
			r = decc_error_set(DECC_EINVAL, "%s is not a registered %s", as,
					   decc_order_type_name(type));
			goto out;
		}
		if (r < 0) {
			r = decc_error_wrap(r, "cannot read the owner of %s %s",
					    decc_order_type_name(type), as);
			goto out;
		}
	}
	decc_address_to_checksum(ss, &signer);
	if (decc_order_verify(&o, dom, &signer) < 0) {
		r = decc_error_set(DECC_EAUTH,
				   "order %s is not signed by %s (the %s), or not for this hub and "
				   "chain",
				   hs, ss, type == DECC_ORDER_REQUEST ? "requester" : "owner");
		goto out;
	}
	r = remaining_of(ob, &remaining, &o.volume, h);
	if (r < 0)
		goto out;
	if (decc_u256_is_zero(&remaining)) {
		r = decc_error_set(DECC_EINVAL,
				   "order %s has no remaining volume (consumed or cancelled)", hs);
		goto out;
	}
	r = decc_order_to_json(&canon, &o);
	if (r < 0)
		goto out;
	fill_row(&row, &o, hs, &signer);
	row.json = (char *)decc_buf_str(&canon);
	row.published = now;
	pthread_mutex_lock(&ob->lock);
	r = ob_store_count_signer(ob->store, &count, row.signer);
	if (r == 0 && count >= ob->max_per_signer) {
		struct ob_row old;

		/* republishing is fine even at the limit */
		if (ob_store_get(ob->store, &old, hs) == 0) {
			ob_row_release(&old);
		} else {
			r = decc_error_set(DECC_ELIMIT,
					   "%s already has %llu orders in the book (the limit): "
					   "cancel some first",
					   ss, (unsigned long long)count);
		}
	}
	if (r == 0) {
		r = ob_store_insert(ob->store, &row);
		if (r == DECC_EEXISTS)
			r = 0; /* already published: same hash, same order */
	}
	pthread_mutex_unlock(&ob->lock);
	if (r == 0)
		memcpy(hash, h, 32);
out:
	decc_buf_release(&canon);
	decc_order_release(&o);
	return r;
}

/*
 * Is the stored order still usable? *remaining gets its remaining volume. Returns 1 alive,
 * 0 dead, < 0 when the chain cannot be asked.
 */
static int alive(struct decc_orderbook *ob, decc_u256 *remaining, const struct ob_row *row)
{
	uint8_t h[32], vb[32];
	decc_address asset, owner, signer;
	decc_u256 volume;
	char ss[43];
	int r;

	if (decc_hex_decode_exact(h, 32, row->hash) < 0 ||
	    decc_hex_decode_exact(vb, 32, row->volume) < 0)
		return 0;
	decc_u256_from_be(&volume, vb);
	DECC_TRY(remaining_of(ob, remaining, &volume, h));
	if (decc_u256_is_zero(remaining))
		return 0;
	if (row->type == DECC_ORDER_REQUEST)
		return 1;
	if (decc_address_parse(&asset, row->asset) < 0 ||
	    decc_address_parse(&signer, row->signer) < 0)
		return 0;
	r = ob->checker.asset_owner(ob->checker.ctx, &owner, row->type, &asset);
	if (r == DECC_ENOTFOUND)
		return 0;
	if (r < 0) {
		decc_address_to_checksum(ss, &asset);
		return decc_error_wrap(r, "cannot read the owner of %s", ss);
	}
	return decc_address_eq(&owner, &signer) ? 1 : 0;
}

static json_t *order_entry(const struct ob_row *row, const decc_u256 *remaining, bool with_type)
{
	json_t *e, *order = json_loads(row->json, 0, NULL);
	char signer[43];
	decc_address a;
	uint64_t rem;

	if (!order)
		return NULL;
	if (decc_address_parse(&a, row->signer) == 0)
		decc_address_to_checksum(signer, &a);
	else
		snprintf(signer, sizeof(signer), "%s", row->signer);
	e = json_object();
	if (!e) {
		json_decref(order);
		return NULL;
	}
	json_object_set_new(e, "orderHash", json_string(row->hash));
	if (with_type)
		json_object_set_new(e, "type", json_string(decc_order_type_name(row->type)));
	json_object_set_new(e, "order", order);
	json_object_set_new(e, "signer", json_string(signer));
	if (decc_u256_to_u64(remaining, &rem) && rem <= (uint64_t)INT64_MAX) {
		json_object_set_new(e, "remaining", json_integer((json_int_t)rem));
	} else {
		char d[79];

		decc_u256_to_dec(d, remaining);
		json_object_set_new(e, "remaining", json_string(d));
	}
	json_object_set_new(e, "publicationTimestamp", json_integer((json_int_t)row->published));
	return e;
}

struct list_ctx {
	struct decc_orderbook *ob;
	const struct decc_orderbook_query *q;
	size_t first, page_size, count;
	json_t *orders;
	char (*dead)[67];
	size_t n_dead, cap_dead;
	int err;
};

static int list_row(void *vctx, const struct ob_row *row)
{
	struct list_ctx *c = vctx;
	decc_u256 remaining;
	json_t *e;
	int r = alive(c->ob, &remaining, row);

	if (r < 0)
		return r;
	if (r == 0) {
		if (c->n_dead == c->cap_dead) {
			size_t cap = c->cap_dead ? c->cap_dead * 2 : 16;
			void *p = realloc(c->dead, cap * sizeof(*c->dead));

			if (!p)
				return decc_error_set(DECC_ENOMEM, "out of memory");
			c->dead = p;
			c->cap_dead = cap;
		}
		memcpy(c->dead[c->n_dead++], row->hash, 67);
		return 0;
	}
	if (c->q->min_volume && decc_u256_cmp(&remaining, c->q->min_volume) < 0)
		return 0;
	if (c->count >= c->first && c->count - c->first < c->page_size) {
		e = order_entry(row, &remaining, false);
		if (!e || json_array_append_new(c->orders, e) < 0)
			return decc_error_set(DECC_ENOMEM, "out of memory listing orders");
	}
	c->count++;
	return 0;
}

static int append_json(struct decc_buf *out, json_t *obj)
{
	char *s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	int r;

	if (!s)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	r = decc_buf_append_str(out, s);
	free(s);
	return r;
}

int decc_orderbook_list(struct decc_orderbook *ob, struct decc_buf *out,
			const struct decc_orderbook_query *q)
{
	struct list_ctx c = { .ob = ob, .q = q };
	json_t *res;
	int r;

	c.page_size = q->page_size ? q->page_size : DECC_ORDERBOOK_DEFAULT_PAGE_SIZE;
	DECC_ENSURE(c.page_size <= DECC_ORDERBOOK_MAX_PAGE_SIZE, DECC_ELIMIT,
		    "page size %zu is too large: at most %d", c.page_size,
		    DECC_ORDERBOOK_MAX_PAGE_SIZE);
	DECC_ENSURE(q->page <= SIZE_MAX / c.page_size, DECC_EINVAL, "page number too large");
	c.first = q->page * c.page_size;
	c.orders = json_array();
	if (!c.orders)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	r = ob_store_query(ob->store, q, DECC_ORDERBOOK_MAX_SCAN, list_row, &c);
	for (size_t i = 0; i < c.n_dead; i++)
		if (ob_store_delete(ob->store, c.dead[i]) < 0 && r == 0)
			r = decc_error_code();
	free(c.dead);
	if (r < 0) {
		json_decref(c.orders);
		return r;
	}
	res =
	    json_pack("{s:b, s:I, s:I, s:I, s:o}", "ok", 1, "count", (json_int_t)c.count, "page",
		      (json_int_t)q->page, "pageSize", (json_int_t)c.page_size, "orders", c.orders);
	if (!res)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	r = append_json(out, res);
	json_decref(res);
	return r;
}

int decc_orderbook_get(struct decc_orderbook *ob, struct decc_buf *out, const uint8_t hash[32])
{
	struct ob_row row;
	decc_u256 remaining;
	char hs[67];
	json_t *e;
	int r;

	decc_hex_encode(hs, hash, 32, true);
	DECC_TRY(ob_store_get(ob->store, &row, hs));
	r = alive(ob, &remaining, &row);
	if (r == 0) {
		r = ob_store_delete(ob->store, hs);
		if (r == 0)
			r = decc_error_set(DECC_ENOTFOUND,
					   "order %s is no longer in the book (consumed, "
					   "cancelled or its asset changed hands)",
					   hs);
	}
	if (r < 0) {
		ob_row_release(&row);
		return r;
	}
	e = order_entry(&row, &remaining, true);
	ob_row_release(&row);
	if (!e || json_object_set_new(e, "ok", json_true()) < 0) {
		json_decref(e);
		return decc_error_set(DECC_ENOMEM, "out of memory");
	}
	r = append_json(out, e);
	json_decref(e);
	return r;
}
