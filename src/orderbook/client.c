/* SPDX-License-Identifier: Apache-2.0 */
/* The market API client (libcurl), used by the CLI. */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/error.h"
#include "decc/hex.h"
#include "orderbook/internal.h"

#define CLIENT_MAX_RESPONSE ((size_t)64 << 20)

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
	struct decc_buf *b = ctx;

	if (size && n > SIZE_MAX / size)
		return 0;
	return decc_buf_append(b, p, size * n) == 0 ? size * n : 0;
}

/* One request; a JSON answer with "ok":true is appended to out. */
static int request(struct decc_buf *out, const char *url, const char *body, size_t n)
{
	struct decc_buf resp;
	struct curl_slist *hdr = NULL;
	char cerr[CURL_ERROR_SIZE] = "";
	long code = 0;
	CURL *c;
	CURLcode cc;
	json_t *root = NULL, *ok;
	int r;

	c = curl_easy_init();
	if (!c)
		return decc_error_set(DECC_ENOMEM, "cannot start an HTTP request");
	decc_buf_init(&resp, CLIENT_MAX_RESPONSE);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 60000L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	if (body) {
		hdr = curl_slist_append(hdr, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
	}
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	curl_slist_free_all(hdr);
	if (cc != CURLE_OK) {
		r = decc_error_set(DECC_ERROR, "cannot reach the market at %s: %s", url,
				   cerr[0] ? cerr : curl_easy_strerror(cc));
		goto out;
	}
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
