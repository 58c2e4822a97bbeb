/* SPDX-License-Identifier: Apache-2.0 */
/* The market API client (over src/net/client.c), used by the CLI. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/error.h"
#include "decc/hex.h"
#include "decc/http_client.h"
#include "orderbook/internal.h"

#define CLIENT_MAX_RESPONSE ((size_t)64 << 20)

/* One request; a JSON answer with "ok":true is appended to out. */
static int request(struct decc_buf *out, const char *url, const char *body, size_t n)
{
	static const char *const json_hdr[] = { "Content-Type: application/json", NULL };
	struct decc_buf resp;
	struct decc_http_response hr;
	struct decc_http_request q = {
		.method = body ? "POST" : "GET",
		.url = url,
		.headers = body ? json_hdr : NULL,
		.body = body,
		.body_len = body ? n : 0,
		.connect_timeout_ms = 5000,
		.timeout_ms = 60000,
	};
	long code = 0;
	json_t *root = NULL, *ok;
	int r;

	decc_buf_init(&resp, CLIENT_MAX_RESPONSE);
	q.out = &resp;
	r = decc_http_request(&hr, &q);
	if (r < 0) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", decc_error_last());
		r = decc_error_set(DECC_ERROR, "cannot reach the market at %s: %s", url, msg);
		goto out;
	}
	code = hr.status;
	decc_http_response_clear(&hr);
	root = json_loadb((const char *)resp.data, resp.len, 0, NULL);
	ok = root ? json_object_get(root, "ok") : NULL;
	if (!json_is_boolean(ok)) {
		r = decc_error_set(
		    DECC_ERROR,
		    "%s answered HTTP %ld without a market answer (is it a decc node "
		    "or market? see --market)",
		    url, code);
		goto out;
	}
	if (!json_is_true(ok)) {
		const char *e = json_string_value(json_object_get(root, "error"));

		r = decc_error_set(code == 404		       ? DECC_ENOTFOUND
				   : code >= 400 && code < 500 ? DECC_EINVAL
							       : DECC_ERROR,
				   "%s", e ? e : "the market refused the request");
		goto out;
	}
	r = decc_buf_append(out, resp.data, resp.len);
out:
	json_decref(root);
	decc_buf_release(&resp);
	return r;
}

static int make_url(char **out, const char *base, const char *path, const char *query)
{
	size_t bl = strlen(base);
	int n;

	while (bl > 0 && base[bl - 1] == '/')
		bl--;
	n = snprintf(NULL, 0, "%.*s%s%s%s", (int)bl, base, path, query ? "?" : "",
		     query ? query : "");
	if (n < 0)
		return decc_error_set(DECC_EINVAL, "bad market URL");
	*out = malloc((size_t)n + 1);
	if (!*out)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	snprintf(*out, (size_t)n + 1, "%.*s%s%s%s", (int)bl, base, path, query ? "?" : "",
		 query ? query : "");
	return 0;
}

int decc_orderbook_client_publish(struct decc_buf *out, const char *base, enum decc_order_type type,
				  const char *order_json, size_t n)
{
	struct decc_buf body = DECC_BUF_INIT;
	char *url = NULL;
	int r;

	r = decc_buf_appendf(&body, "{\"type\":\"%s\",\"order\":", decc_order_type_name(type));
	if (r == 0)
		r = decc_buf_append(&body, order_json, n);
	if (r == 0)
		r = decc_buf_append_byte(&body, '}');
	if (r == 0)
		r = make_url(&url, base, "/orders", NULL);
	if (r == 0)
		r = request(out, url, decc_buf_str(&body), body.len);
	free(url);
	decc_buf_release(&body);
	return r;
}

int decc_orderbook_client_list(struct decc_buf *out, const char *base, enum decc_order_type type,
			       const char *query)
{
	char path[64], *url = NULL;
	int r;

	snprintf(path, sizeof(path), "/orders/%s", decc_order_type_name(type));
	r = make_url(&url, base, path, query);
	if (r == 0)
		r = request(out, url, NULL, 0);
	free(url);
	return r;
}

int decc_orderbook_client_get(struct decc_buf *out, const char *base, const uint8_t hash[32])
{
	char path[80], *url = NULL;
	int r;

	memcpy(path, "/order/", 7);
	decc_hex_encode(path + 7, hash, 32, true);
	r = make_url(&url, base, path, NULL);
	if (r == 0)
		r = request(out, url, NULL, 0);
	free(url);
	return r;
}
