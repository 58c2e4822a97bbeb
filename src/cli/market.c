/* SPDX-License-Identifier: Apache-2.0 */
/* Market queries shared by the requester's and the data owner's commands (cli/market.h). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "decc/error.h"
#include "decc/hex.h"
#include "decc/orderbook.h"
#include "cli/market.h"

int market_q_addr(struct decc_buf *q, const char *k, const decc_address *a)
{
	char s[43];

	decc_hex_encode(s, a->b, 20, true);
	return decc_buf_appendf(q, "%s%s=%s", q->len ? "&" : "", k, s);
}

int market_q_tag(struct decc_buf *q, const char *k, const uint8_t tag[32])
{
	char s[67];

	market_tag_hex(s, tag);
	return decc_buf_appendf(q, "%s%s=%s", q->len ? "&" : "", k, s);
}

int market_parse_tag(uint8_t out[32], const char *s)
{
	decc_u256 v;

	if (strcmp(s, "tee") == 0) {
		memset(out, 0, 32);
		out[31] = 1;
		return 0;
	}
	if (strncmp(s, "0x", 2) != 0 || strlen(s) > 66 || decc_u256_parse(&v, s) < 0)
		return decc_error_set(DECC_EINVAL, "expected \"tee\" or a 0x-hex bytes32 tag");
	decc_u256_to_be(out, &v);
	return 0;
}

void market_tag_hex(char out[67], const uint8_t tag[32])
{
	decc_hex_encode(out, tag, 32, true);
}

bool market_tag_is_tee(const uint8_t tag[32])
{
	return tag[31] & 1;
}

void market_page_release(struct market_page *p)
{
	for (size_t i = 0; i < p->n; i++)
		decc_order_release(&p->items[i].order);
	free(p->items);
	p->items = NULL;
	p->n = 0;
}

/* One entry of the answer's "orders" array; false when it is to be skipped. */
static bool parse_entry(struct market_entry *e, enum decc_order_type t, json_t *j)
{
	const char *h = json_string_value(json_object_get(j, "orderHash"));
	json_t *rem = json_object_get(j, "remaining");
	char *js = json_dumps(json_object_get(j, "order"), JSON_COMPACT);
	bool has_salt = false;

	if (!js || !h || strlen(h) != 66) {
		free(js);
		return false;
	}
	if (json_is_integer(rem) && json_integer_value(rem) >= 0)
		e->remaining = decc_u256_from_u64((uint64_t)json_integer_value(rem));
	else if (!json_is_string(rem) || decc_u256_parse(&e->remaining, json_string_value(rem)) < 0)
		e->remaining = DECC_U256_ZERO;
	decc_order_init(&e->order, t);
	if (decc_order_from_json(&e->order, &has_salt, t, js, strlen(js)) < 0 || !has_salt ||
	    e->order.sign.len == 0) {
		decc_order_release(&e->order);
		free(js);
		return false;
	}
	free(js);
	memcpy(e->hash, h, 67);
	return true;
}

int market_list(struct market_page *out, const char *market, enum decc_order_type t,
		const char *query)
{
	struct decc_buf body;
	struct market_page p = { 0 };
	json_t *res = NULL, *orders, *j;
	size_t i;
	int ret;

	decc_buf_init(&body, MARKET_ANSWER_MAX);
	ret = decc_orderbook_client_list(&body, market, t, query);
	if (ret < 0) {
		ret = decc_error_wrap(ret, "market %s", market);
		goto out;
	}
	res = json_loadb((const char *)body.data, body.len, 0, NULL);
	orders = json_object_get(res, "orders");
	if (!json_is_array(orders)) {
		ret =
		    decc_error_set(DECC_EINVAL, "the market at %s answered malformed JSON", market);
		goto out;
	}
	p.count = (long long)json_integer_value(json_object_get(res, "count"));
	p.items = calloc(json_array_size(orders) + 1, sizeof(*p.items));
	if (!p.items) {
		ret = decc_error_set(DECC_ENOMEM, "out of memory");
		goto out;
	}
	json_array_foreach(orders, i, j)
	{
		/* a malformed entry is skipped; the next ones may do */
		if (parse_entry(&p.items[p.n], t, j))
			p.n++;
	}
	*out = p;
	p.items = NULL;
	p.n = 0;
	ret = 0;
out:
	market_page_release(&p);
	json_decref(res);
	decc_buf_release(&body);
	return ret;
}

int market_first(struct decc_order *o, char hash[67], bool *found, long long *total,
		 const char *market, enum decc_order_type t, const char *query)
{
	struct market_page p;

	*found = false;
	DECC_TRY(market_list(&p, market, t, query));
	if (total)
		*total = p.count;
	if (p.n > 0) {
		*o = p.items[0].order;
		memcpy(hash, p.items[0].hash, 67);
		decc_order_init(&p.items[0].order, t); /* its memory now belongs to *o */
		*found = true;
	}
	market_page_release(&p);
	return 0;
}
