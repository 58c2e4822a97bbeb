/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The market's HTTP API, independent of the HTTP server: the node (and a standalone daemon)
 * hand it method, path, query arguments and body, and send back the JSON body and status.
 *
 *   POST /market/orders              {"type":"app","order":{…signed…}} -> {"ok":true,"orderHash"}
 *   GET  /market/orders/<type>?…     filters and pagination -> {"ok":true,"count","orders":[…]}
 *   GET  /market/order/<hash>        one order
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/error.h"
#include "decc/hex.h"
#include "orderbook/internal.h"

static int reply_error(struct decc_buf *out, unsigned *status, unsigned code, const char *msg)
{
	json_t *o = json_pack("{s:b, s:s}", "ok", 0, "error", msg ? msg : "error");
	char *s;
	int r;

	if (!o)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!s)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	decc_buf_reset(out);
	r = decc_buf_append_str(out, s);
	free(s);
	*status = code;
	return r;
}

/* The HTTP status of a failed book operation. */
static unsigned status_of(int code)
{
	switch (code) {
	case DECC_EINVAL:
	case DECC_EAUTH:
	case DECC_ELIMIT:
	case DECC_EEXISTS:
		return 400;
	case DECC_ENOTFOUND:
		return 404;
	case DECC_ENOMEM:
		return 500;
	default:
		return 502; /* the chain could not be asked */
	}
}

static int fail_op(struct decc_buf *out, unsigned *status, int code)
{
	char msg[600];

	snprintf(msg, sizeof(msg), "%s", decc_error_last());
	return reply_error(out, status, status_of(code), msg);
}

static int publish(struct decc_orderbook *ob, struct decc_buf *out, unsigned *status,
		   const struct decc_orderbook_http_request *rq)
{
	enum decc_order_type type;
	json_error_t jerr;
	json_t *root, *order, *jtype, *given;
	uint8_t hash[32];
	char hs[67], msg[300];
	char *text;
	int r;

	if (!rq->body)
		return reply_error(out, status, 413, "request body too large");
	if (rq->body_len > DECC_ORDERBOOK_MAX_BODY) {
		snprintf(msg, sizeof(msg), "request body too large: at most %d bytes",
			 DECC_ORDERBOOK_MAX_BODY);
		return reply_error(out, status, 413, msg);
	}
	root = json_loadb((const char *)rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root || !json_is_object(root)) {
		snprintf(msg, sizeof(msg),
			 "the body must be a JSON object {\"type\",\"order\"}%s%s",
			 root ? "" : ": ", root ? "" : jerr.text);
		json_decref(root);
		return reply_error(out, status, 400, msg);
	}
	jtype = json_object_get(root, "type");
	order = json_object_get(root, "order");
	if (!json_is_string(jtype) || decc_order_type_parse(&type, json_string_value(jtype)) < 0) {
		json_decref(root);
		return reply_error(out, status, 400,
				   "\"type\" must be app, dataset, workerpool or request");
	}
	if (!json_is_object(order)) {
		json_decref(root);
		return reply_error(out, status, 400, "\"order\" must be a JSON object");
	}
	/* the output of 'decc order sign' carries its hash: check it, then drop it */
	given = json_object_get(order, "orderHash");
	snprintf(msg, sizeof(msg), "%s", json_is_string(given) ? json_string_value(given) : "");
	if (given && !json_is_string(given)) {
		json_decref(root);
		return reply_error(out, status, 400, "\"orderHash\" must be a 0x-hex string");
	}
	json_object_del(order, "orderHash");
	text = json_dumps(order, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!text)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	r = decc_orderbook_publish(ob, hash, type, text, strlen(text), rq->now);
	free(text);
	if (r < 0)
		return fail_op(out, status, r);
	decc_hex_encode(hs, hash, 32, true);
	if (msg[0] && strcasecmp(msg, hs) != 0) {
		char m[300];

		snprintf(m, sizeof(m), "orderHash %.70s is not the hash of this order (%s)", msg,
			 hs);
		return reply_error(out, status, 400, m);
	}
	*status = 200;
	return decc_buf_appendf(out, "{\"ok\":true,\"orderHash\":\"%s\"}", hs);
}

struct qparse {
	const struct decc_orderbook_http_request *rq;
	char msg[300];
};

static const char *arg(struct qparse *p, const char *name)
{
	const char *v = p->rq->arg ? p->rq->arg(p->rq->arg_ctx, name) : NULL;

	return v && v[0] ? v : NULL;
}

static bool arg_address(struct qparse *p, const char *name, decc_address *out, bool *has)
{
	const char *v = arg(p, name);

	*has = false;
	if (!v)
		return true;
	if (decc_address_parse(out, v) < 0) {
		snprintf(p->msg, sizeof(p->msg), "%s: %s", name, decc_error_last());
		return false;
	}
	*has = true;
	return true;
}

static bool arg_u64(struct qparse *p, const char *name, uint64_t *out, bool *has)
{
	const char *v = arg(p, name);
	decc_u256 u;

	*has = false;
	if (!v)
		return true;
	if (decc_u256_parse(&u, v) < 0 || !decc_u256_to_u64(&u, out)) {
		snprintf(p->msg, sizeof(p->msg), "%s: expected a decimal number, got \"%.40s\"",
			 name, v);
		return false;
	}
	*has = true;
	return true;
}

/* A tag: 0x-hex up to 32 bytes (right-aligned, as a number). */
static bool arg_tag(struct qparse *p, const char *name, uint8_t out[32], bool *has)
{
	const char *v = arg(p, name);
	decc_u256 u;

	*has = false;
	if (!v)
		return true;
	if (strncmp(v, "0x", 2) != 0 || decc_u256_parse(&u, v) < 0) {
		snprintf(p->msg, sizeof(p->msg), "%s: expected a 0x-hex bytes32 tag, got \"%.70s\"",
			 name, v);
		return false;
	}
	decc_u256_to_be(out, &u);
	*has = true;
	return true;
}

static int list(struct decc_orderbook *ob, struct decc_buf *out, unsigned *status,
		const struct decc_orderbook_http_request *rq, const char *type_s)
{
	struct qparse p = { .rq = rq };
	struct decc_orderbook_query q = { 0 };
	decc_address app, dataset, wp, req;
	uint8_t min_tag[32], max_tag[32];
	decc_u256 min_volume;
	uint64_t page = 0, page_size = 0;
	bool has, ok = true;
	int r;

	if (decc_order_type_parse(&q.type, type_s) < 0)
		return reply_error(out, status, 404,
				   "unknown order type: use /market/orders/app, dataset, "
				   "workerpool or request");
	ok = ok && arg_address(&p, "app", &app, &has);
	q.app = ok && has ? &app : NULL;
	ok = ok && arg_address(&p, "dataset", &dataset, &has);
	q.dataset = ok && has ? &dataset : NULL;
	ok = ok && arg_address(&p, "workerpool", &wp, &has);
	q.workerpool = ok && has ? &wp : NULL;
	ok = ok && arg_address(&p, "requester", &req, &has);
	q.requester = ok && has ? &req : NULL;
	ok = ok && arg_tag(&p, "minTag", min_tag, &has);
	q.min_tag = ok && has ? min_tag : NULL;
	ok = ok && arg_tag(&p, "maxTag", max_tag, &has);
	q.max_tag = ok && has ? max_tag : NULL;
	if (ok && arg(&p, "minVolume")) {
		if (decc_u256_parse(&min_volume, arg(&p, "minVolume")) < 0) {
			snprintf(p.msg, sizeof(p.msg), "minVolume: expected a decimal number");
			ok = false;
		} else {
			q.min_volume = &min_volume;
		}
	}
	ok = ok && arg_u64(&p, "category", &q.category, &q.has_category);
	ok = ok && arg_u64(&p, "minTrust", &q.min_trust, &q.has_min_trust);
	ok = ok && arg_u64(&p, "maxTrust", &q.max_trust, &q.has_max_trust);
	ok = ok && arg_u64(&p, "page", &page, &has);
	ok = ok && arg_u64(&p, "pageSize", &page_size, &has);
	if (!ok)
		return reply_error(out, status, 400, p.msg);
	if (page_size > DECC_ORDERBOOK_MAX_PAGE_SIZE || page > (uint64_t)1 << 32) {
		snprintf(p.msg, sizeof(p.msg), "pageSize is at most %d and page at most 2^32",
			 DECC_ORDERBOOK_MAX_PAGE_SIZE);
		return reply_error(out, status, 400, p.msg);
	}
	q.page = (size_t)page;
	q.page_size = (size_t)page_size;
	r = decc_orderbook_list(ob, out, &q);
	if (r < 0)
		return fail_op(out, status, r);
	*status = 200;
	return 0;
}

static int get(struct decc_orderbook *ob, struct decc_buf *out, unsigned *status,
	       const char *hash_s)
{
	uint8_t h[32];
	int r;

	if (strncmp(hash_s, "0x", 2) != 0 || decc_hex_decode_exact(h, 32, hash_s) < 0)
		return reply_error(out, status, 400, "an order hash is 0x and 64 hex digits");
	r = decc_orderbook_get(ob, out, h);
	if (r < 0)
		return fail_op(out, status, r);
	*status = 200;
	return 0;
}

int decc_orderbook_http_handle(struct decc_orderbook *ob, struct decc_buf *out, unsigned *status,
			       const struct decc_orderbook_http_request *rq)
{
	const char *path = rq->path;
	bool is_get = strcmp(rq->method, "GET") == 0 || strcmp(rq->method, "HEAD") == 0;
	bool is_post = strcmp(rq->method, "POST") == 0;

	if (!ob)
		return reply_error(out, status, 503, "this server has no orderbook");
	if (strncmp(path, "/market", 7) == 0)
		path += 7;
	if (strcmp(path, "/orders") == 0) {
		if (!is_post)
			return reply_error(out, status, 405,
					   "POST an order to /market/orders; GET "
					   "/market/orders/<type> lists them");
		return publish(ob, out, status, rq);
	}
	if (strncmp(path, "/orders/", 8) == 0) {
		if (!is_get)
			return reply_error(out, status, 405, "use GET to list orders");
		return list(ob, out, status, rq, path + 8);
	}
	if (strncmp(path, "/order/", 7) == 0) {
		if (!is_get)
			return reply_error(out, status, 405, "use GET to read an order");
		return get(ob, out, status, path + 7);
	}
	return reply_error(out, status, 404,
			   "not found: the market API is POST /market/orders, GET "
			   "/market/orders/<type>, GET /market/order/<hash>");
}
