/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The market's HTTP API on arbitrary input: the first byte picks the request (POST body,
 * list with a query value, get by hash); the rest is the body, the query value or the path.
 * A checker that says every asset belongs to a fixed owner and nothing is consumed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decc/error.h"
#include "decc/orderbook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int owner(void *ctx, decc_address *out, enum decc_order_type t, const decc_address *a)
{
	(void)ctx, (void)t, (void)a;
	memset(out->b, 0x11, 20);
	return 0;
}

static int consumed(void *ctx, decc_u256 *out, const uint8_t h[32])
{
	(void)ctx, (void)h;
	*out = DECC_U256_ZERO;
	return 0;
}

static int domain(void *ctx, uint8_t out[32])
{
	(void)ctx;
	memset(out, 0x42, 32);
	return 0;
}

static const char *arg_value;

static const char *arg(void *ctx, const char *name)
{
	(void)ctx;
	return strcmp(name, "page") == 0 ? NULL : arg_value;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct decc_orderbook *ob;
	static const char *const types[] = { "app", "dataset", "workerpool", "request" };
	struct decc_orderbook_http_request rq = { .arg = arg, .now = 1 };
	struct decc_buf out = DECC_BUF_INIT;
	char *text, path[200];
	unsigned status = 0;

	if (!ob) {
		struct decc_orderbook_config cfg = {
			.path = ":memory:",
			.checker = { owner, consumed, domain, NULL },
		};

		if (decc_orderbook_open(&ob, &cfg) < 0)
			abort();
	}
	if (size == 0)
		return 0;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = 0;
	switch (data[0] % 4) {
	case 0: /* publish */
		rq.method = "POST";
		rq.path = "/market/orders";
		rq.body = (const uint8_t *)text;
		rq.body_len = size - 1;
		break;
	case 1: /* list with every filter set to the input */
		rq.method = "GET";
		snprintf(path, sizeof(path), "/market/orders/%s", types[(data[0] >> 2) % 4]);
		rq.path = path;
		arg_value = text;
		break;
	case 2: /* any path */
		rq.method = (data[0] & 4) ? "GET" : "POST";
		rq.path = text;
		break;
	default: /* get */
		rq.method = "GET";
		snprintf(path, sizeof(path), "/market/order/%.150s", text);
		rq.path = path;
		break;
	}
	if (decc_orderbook_http_handle(ob, &out, &status, &rq) < 0)
		abort();
	if (status < 200 || status > 599 || out.len == 0)
		abort(); /* every answer has a status and a JSON body */
	arg_value = NULL;
	decc_buf_release(&out);
	free(text);
	return 0;
}
