/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The orderbook against a scripted checker (owners, consumed volumes, a domain separator):
 * publication checks, listing filters and pagination, dropping dead orders, limits, and the
 * HTTP routing.
 */
#include <jansson.h>
#include <unistd.h>

#include "test.h"
#include "decc/address.h"
#include "decc/orderbook.h"

/* anvil's first two dev keys */
#define SK_OWNER "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
#define SK_OTHER "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"

struct fake {
	decc_address app, dataset, owner, other;
	decc_address app_owner;
	uint8_t consumed_hash[4][32];
	uint64_t consumed[4];
	size_t n_consumed;
	uint8_t domain[32];
	int calls;
};

static struct fake F;

static int fake_owner(void *ctx, decc_address *out, enum decc_order_type t,
		      const decc_address *asset)
{
	(void)ctx;
	F.calls++;
	if (t == DECC_ORDER_APP && decc_address_eq(asset, &F.app)) {
		*out = F.app_owner;
		return 0;
	}
	if (t == DECC_ORDER_DATASET && decc_address_eq(asset, &F.dataset)) {
		*out = F.owner;
		return 0;
	}
	return decc_error_set(DECC_ENOTFOUND, "not registered");
}

static int fake_consumed(void *ctx, decc_u256 *out, const uint8_t h[32])
{
	(void)ctx;
	*out = DECC_U256_ZERO;
	for (size_t i = 0; i < F.n_consumed; i++)
		if (memcmp(F.consumed_hash[i], h, 32) == 0)
			out->w[0] = F.consumed[i];
	return 0;
}

static int fake_domain(void *ctx, uint8_t out[32])
{
	(void)ctx;
	memcpy(out, F.domain, 32);
	return 0;
}

static char dbpath[256];

static struct decc_orderbook *open_book(size_t max_per_signer)
{
	struct decc_orderbook_config cfg = {
		.path = dbpath,
		.checker = { fake_owner, fake_consumed, fake_domain, NULL },
		.max_per_signer = max_per_signer,
	};
	struct decc_orderbook *ob = NULL;
	uint8_t sk[32];

	memset(&F, 0, sizeof(F));
	snprintf(dbpath, sizeof(dbpath), "/tmp/decc-test-orderbook-%d.db", (int)getpid());
	unlink(dbpath);
	memset(F.app.b, 0xaa, 20);
	memset(F.dataset.b, 0xda, 20);
	test_unhex(sk, 32, SK_OWNER);
	assert_int_equal(decc_address_from_seckey(&F.owner, sk), 0);
	test_unhex(sk, 32, SK_OTHER);
	assert_int_equal(decc_address_from_seckey(&F.other, sk), 0);
	F.app_owner = F.owner;
	memset(F.domain, 0x42, 32);
	assert_int_equal(decc_orderbook_open(&ob, &cfg), 0);
	return ob;
}

static void close_book(struct decc_orderbook *ob)
{
	decc_orderbook_free(ob);
	unlink(dbpath);
}

/* A signed app order as JSON; salt from `salt`, signed with sk_hex (NULL: unsigned). */
static char *app_order(uint64_t price, uint64_t volume, const decc_address *dsrestrict,
		       uint8_t salt, const char *sk_hex, uint8_t hash[32])
{
	struct decc_order o;
	struct decc_buf js = DECC_BUF_INIT;
	uint8_t sk[32];
	char *s;

	decc_order_init(&o, DECC_ORDER_APP);
	o.app = F.app;
	o.price.w[0] = price;
	o.volume.w[0] = volume;
	if (dsrestrict)
		o.datasetrestrict = *dsrestrict;
	memset(o.salt, salt, 32);
	if (sk_hex) {
		test_unhex(sk, 32, sk_hex);
		assert_int_equal(decc_order_sign(&o, F.domain, sk), 0);
	}
	if (hash)
		decc_order_hash(hash, F.domain, &o);
	assert_int_equal(decc_order_to_json(&js, &o), 0);
	s = strdup(decc_buf_str(&js));
	decc_buf_release(&js);
	decc_order_release(&o);
	return s;
}

static json_t *list(struct decc_orderbook *ob, const struct decc_orderbook_query *q)
{
	struct decc_buf out = DECC_BUF_INIT;
	json_t *j;

	assert_int_equal(decc_orderbook_list(ob, &out, q), 0);
	j = json_loads(decc_buf_str(&out), 0, NULL);
	assert_non_null(j);
	decc_buf_release(&out);
	return j;
}

static int publish(struct decc_orderbook *ob, const char *json, uint8_t hash[32])
{
	return decc_orderbook_publish(ob, hash, DECC_ORDER_APP, json, strlen(json), 1000);
}

static void test_publish_and_list(void **state)
{
	struct decc_orderbook *ob = open_book(0);
	struct decc_orderbook_query q = { .type = DECC_ORDER_APP };
	uint8_t want[32], got[32];
	char *o = app_order(3, 5, NULL, 1, SK_OWNER, want);
	json_t *j, *e;

	(void)state;
	assert_int_equal(publish(ob, o, got), 0);
	assert_memory_equal(want, got, 32);
	/* publishing it again is fine */
	assert_int_equal(publish(ob, o, got), 0);
	q.asset = &F.app;
	j = list(ob, &q);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 1);
	e = json_array_get(json_object_get(j, "orders"), 0);
	assert_int_equal(json_integer_value(json_object_get(e, "remaining")), 5);
	assert_int_equal(json_integer_value(json_object_get(e, "publicationTimestamp")), 1000);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(e, "order"), "appprice")), "3");
	json_decref(j);
	/* another asset: nothing */
	q.asset = &F.dataset;
	j = list(ob, &q);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 0);
	json_decref(j);
	free(o);
	close_book(ob);
}

static void test_publish_rejects(void **state)
{
	struct decc_orderbook *ob = open_book(0);
	uint8_t h[32];
	char *wrong = app_order(3, 5, NULL, 2, SK_OTHER, NULL);
	char *unsigned_ = app_order(3, 5, NULL, 3, NULL, NULL);
	char *zero = app_order(3, 0, NULL, 4, SK_OWNER, NULL);
	char *consumed = app_order(3, 5, NULL, 5, SK_OWNER, F.consumed_hash[0]);

	(void)state;
	memset(h, 0x77, 32);
	assert_int_equal(publish(ob, wrong, h), DECC_EAUTH);
	assert_non_null(strstr(decc_error_last(), "not signed by"));
	assert_int_equal(h[0], 0x77); /* output untouched on failure */
	assert_int_equal(publish(ob, unsigned_, h), DECC_EINVAL);
	assert_int_equal(publish(ob, zero, h), DECC_EINVAL);
	assert_non_null(strstr(decc_error_last(), "no remaining volume"));
	F.consumed[0] = 5;
	F.n_consumed = 1;
	assert_int_equal(publish(ob, consumed, h), DECC_EINVAL);
	assert_int_equal(publish(ob, "{\"app\":", h), DECC_EINVAL);
	/* an app the registry does not know */
	memset(F.app.b, 0xbb, 20);
	{
		char *unknown = app_order(3, 5, NULL, 6, SK_OWNER, NULL);

		memset(F.app.b, 0xaa, 20); /* the registry knows 0xaa…, the order is for 0xbb… */
		assert_int_equal(publish(ob, unknown, h), DECC_EINVAL);
		assert_non_null(strstr(decc_error_last(), "not a registered app"));
		free(unknown);
	}
	free(wrong), free(unsigned_), free(zero), free(consumed);
	close_book(ob);
}

static void test_dead_orders_dropped(void **state)
{
	struct decc_orderbook *ob = open_book(0);
	struct decc_orderbook_query q = { .type = DECC_ORDER_APP };
	struct decc_buf out = DECC_BUF_INIT;
	uint8_t h1[32], h2[32];
	char *o1 = app_order(3, 5, NULL, 1, SK_OWNER, NULL);
	char *o2 = app_order(4, 5, NULL, 2, SK_OWNER, NULL);
	json_t *j;

	(void)state;
	assert_int_equal(publish(ob, o1, h1), 0);
	assert_int_equal(publish(ob, o2, h2), 0);
	/* o1 partly consumed: remaining 2; o2 closed (consumed = volume) */
	memcpy(F.consumed_hash[0], h1, 32);
	F.consumed[0] = 3;
	memcpy(F.consumed_hash[1], h2, 32);
	F.consumed[1] = 5;
	F.n_consumed = 2;
	j = list(ob, &q);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 1);
	assert_int_equal(json_integer_value(json_object_get(
			     json_array_get(json_object_get(j, "orders"), 0), "remaining")),
			 2);
	json_decref(j);
	assert_int_equal(decc_orderbook_get(ob, &out, h2), DECC_ENOTFOUND);
	/* the app changes hands: its orders are dead too */
	F.app_owner = F.other;
	assert_int_equal(decc_orderbook_get(ob, &out, h1), DECC_ENOTFOUND);
	F.app_owner = F.owner;
	j = list(ob, &q);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 0);
	json_decref(j);
	decc_buf_release(&out);
	free(o1), free(o2);
	close_book(ob);
}

static void test_filters_and_pages(void **state)
{
	struct decc_orderbook *ob = open_book(0);
	struct decc_orderbook_query q = { .type = DECC_ORDER_APP };
	decc_address other_ds;
	decc_u256 minv = DECC_U256_ZERO;
	uint8_t h[32];
	json_t *j, *orders;

	(void)state;
	memset(other_ds.b, 0x01, 20);
	/* prices 5, 1, 3: listed cheapest first; the price-1 one is restricted to F.dataset */
	for (int i = 0; i < 3; i++) {
		static const uint64_t price[3] = { 5, 1, 3 };
		char *o = app_order(price[i], 2 + (uint64_t)i, i == 1 ? &F.dataset : NULL,
				    (uint8_t)(10 + i), SK_OWNER, NULL);

		assert_int_equal(publish(ob, o, h), 0);
		free(o);
	}
	j = list(ob, &q);
	orders = json_object_get(j, "orders");
	assert_int_equal(json_array_size(orders), 3);
	assert_string_equal(json_string_value(json_object_get(
				json_object_get(json_array_get(orders, 0), "order"), "appprice")),
			    "1");
	assert_string_equal(json_string_value(json_object_get(
				json_object_get(json_array_get(orders, 2), "order"), "appprice")),
			    "5");
	json_decref(j);
	/* a dataset restriction: compatible with F.dataset, not with another */
	q.dataset = &other_ds;
	j = list(ob, &q);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 2);
	json_decref(j);
	q.dataset = &F.dataset;
	j = list(ob, &q);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 3);
	json_decref(j);
	q.dataset = NULL;
	/* min volume 3: the orders of volume 3 and 4 */
	minv.w[0] = 3;
	q.min_volume = &minv;
	j = list(ob, &q);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 2);
	json_decref(j);
	q.min_volume = NULL;
	/* pages of 2: page 1 has the last one, count is the total */
	q.page_size = 2;
	q.page = 1;
	j = list(ob, &q);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 3);
	assert_int_equal(json_array_size(json_object_get(j, "orders")), 1);
	json_decref(j);
	/* too large a page */
	q.page_size = DECC_ORDERBOOK_MAX_PAGE_SIZE + 1;
	{
		struct decc_buf out = DECC_BUF_INIT;

		assert_int_equal(decc_orderbook_list(ob, &out, &q), DECC_ELIMIT);
		decc_buf_release(&out);
	}
	close_book(ob);
}

static void test_tags(void **state)
{
	struct decc_orderbook *ob = open_book(0);
	struct decc_orderbook_query q = { .type = DECC_ORDER_APP };
	struct decc_order o;
	struct decc_buf js = DECC_BUF_INIT;
	uint8_t sk[32], h[32], tee[32] = { 0 }, gpu[32] = { 0 };
	json_t *j;

	(void)state;
	tee[31] = 0x01;
	gpu[30] = 0x01;
	decc_order_init(&o, DECC_ORDER_APP);
	o.app = F.app;
	o.volume.w[0] = 1;
	o.tag[31] = 0x03; /* tee + scone */
	test_unhex(sk, 32, SK_OWNER);
	assert_int_equal(decc_order_sign(&o, F.domain, sk), 0);
	assert_int_equal(decc_order_to_json(&js, &o), 0);
	assert_int_equal(publish(ob, decc_buf_str(&js), h), 0);
	q.min_tag = tee;
	j = list(ob, &q);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 1);
	json_decref(j);
	q.min_tag = gpu;
	j = list(ob, &q);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 0);
	json_decref(j);
	q.min_tag = NULL;
	q.max_tag = tee; /* 0x03 has a bit outside 0x01 */
	j = list(ob, &q);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 0);
	json_decref(j);
	decc_buf_release(&js);
	decc_order_release(&o);
	close_book(ob);
}

static void test_signer_limit(void **state)
{
	struct decc_orderbook *ob = open_book(2);
	uint8_t h[32];
	char *o[3];

	(void)state;
	for (int i = 0; i < 3; i++)
		o[i] = app_order(1, 1, NULL, (uint8_t)(20 + i), SK_OWNER, NULL);
	assert_int_equal(publish(ob, o[0], h), 0);
	assert_int_equal(publish(ob, o[1], h), 0);
	assert_int_equal(publish(ob, o[2], h), DECC_ELIMIT);
	assert_int_equal(publish(ob, o[1], h), 0); /* republishing is not a new order */
	for (int i = 0; i < 3; i++)
		free(o[i]);
	close_book(ob);
}

static const char *no_args(void *ctx, const char *name)
{
	(void)ctx, (void)name;
	return NULL;
}

static const char *big_page(void *ctx, const char *name)
{
	(void)ctx;
	return strcmp(name, "pageSize") == 0 ? "5000" : NULL;
}

static unsigned http(struct decc_orderbook *ob, const char *method, const char *path,
		     const char *body, const char *(*arg)(void *, const char *), json_t **res)
{
	struct decc_orderbook_http_request rq = {
		.method = method,
		.path = path,
		.arg = arg,
		.body = (const uint8_t *)body,
		.body_len = body ? strlen(body) : 0,
		.now = 7,
	};
	struct decc_buf out = DECC_BUF_INIT;
	unsigned status = 0;

	assert_int_equal(decc_orderbook_http_handle(ob, &out, &status, &rq), 0);
	*res = json_loads(decc_buf_str(&out), 0, NULL);
	assert_non_null(*res);
	decc_buf_release(&out);
	return status;
}

static void test_http(void **state)
{
	struct decc_orderbook *ob = open_book(0);
	uint8_t h[32];
	char *o = app_order(3, 5, NULL, 1, SK_OWNER, h), *body, path[100], hs[67];
	json_t *r;

	(void)state;
	decc_hex_encode(hs, h, 32, true);
	assert_true(asprintf(&body, "{\"type\":\"app\",\"order\":%s}", o) > 0);
	assert_int_equal(http(ob, "POST", "/market/orders", body, no_args, &r), 200);
	assert_string_equal(json_string_value(json_object_get(r, "orderHash")), hs);
	json_decref(r);
	assert_int_equal(http(ob, "GET", "/market/orders/app", NULL, no_args, &r), 200);
	assert_int_equal(json_integer_value(json_object_get(r, "count")), 1);
	json_decref(r);
	snprintf(path, sizeof(path), "/market/order/%s", hs);
	assert_int_equal(http(ob, "GET", path, NULL, no_args, &r), 200);
	assert_string_equal(json_string_value(json_object_get(r, "type")), "app");
	json_decref(r);
	/* errors */
	assert_int_equal(http(ob, "POST", "/market/orders", "{\"type\":\"app\"}", no_args, &r),
			 400);
	assert_false(json_is_true(json_object_get(r, "ok")));
	json_decref(r);
	assert_int_equal(http(ob, "POST", "/market/orders", "not json", no_args, &r), 400);
	json_decref(r);
	assert_int_equal(http(ob, "POST", "/market/orders", NULL, no_args, &r), 413);
	json_decref(r);
	assert_int_equal(http(ob, "GET", "/market/orders", NULL, no_args, &r), 405);
	json_decref(r);
	assert_int_equal(http(ob, "GET", "/market/orders/bogus", NULL, no_args, &r), 404);
	json_decref(r);
	assert_int_equal(http(ob, "GET", "/market/orders/app", NULL, big_page, &r), 400);
	json_decref(r);
	assert_int_equal(http(ob, "GET", "/market/order/0x12", NULL, no_args, &r), 400);
	json_decref(r);
	assert_int_equal(http(ob, "GET", "/market/nothing", NULL, no_args, &r), 404);
	json_decref(r);
	free(body);
	free(o);
	close_book(ob);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_publish_and_list),
		cmocka_unit_test(test_publish_rejects),
		cmocka_unit_test(test_dead_orders_dropped),
		cmocka_unit_test(test_filters_and_pages),
		cmocka_unit_test(test_tags),
		cmocka_unit_test(test_signer_limit),
		cmocka_unit_test(test_http),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
