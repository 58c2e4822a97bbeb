/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON-RPC framing and transport: the client object, request building, response parsing
 * (bounded, strict about ids and shapes), and the HTTP transport (src/net/client.c).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/error.h"
#include "decc/hex.h"
#include "decc/http_client.h"
#include "internal.h"

/* ---- client lifecycle ---- */

int decc_chain_new(struct decc_chain **out, const char *rpc_url)
{
	struct decc_chain *c;

	if (!rpc_url || !*rpc_url)
		return decc_error_set(DECC_EINVAL, "no JSON-RPC URL given (use --rpc URL)");
	if (strncmp(rpc_url, "http://", 7) != 0 && strncmp(rpc_url, "https://", 8) != 0)
		return decc_error_set(
		    DECC_EINVAL, "JSON-RPC URL '%s' must start with http:// or https://", rpc_url);
	c = calloc(1, sizeof(*c));
	if (!c)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	c->url = strdup(rpc_url);
	if (!c->url) {
		free(c);
		return decc_error_set(DECC_ENOMEM, "out of memory");
	}
	c->transport = chain_http_transport;
	c->connect_ms = DECC_CHAIN_CONNECT_TIMEOUT_MS;
	c->request_ms = DECC_CHAIN_REQUEST_TIMEOUT_MS;
	c->poll_ms = 200;
	c->max_response = DECC_CHAIN_MAX_RESPONSE_DEFAULT;
	c->next_id = 1;
	*out = c;
	return 0;
}

void decc_chain_free(struct decc_chain *c)
{
	if (!c)
		return;
	decc_wipe(c->sk, sizeof(c->sk));
	free(c->url);
	free(c);
}

void decc_chain_set_transport(struct decc_chain *c, decc_chain_transport_fn fn, void *ctx)
{
	c->transport = fn ? fn : chain_http_transport;
	c->transport_ctx = ctx;
}

void decc_chain_set_timeouts(struct decc_chain *c, unsigned connect_ms, unsigned request_ms)
{
	c->connect_ms = connect_ms;
	c->request_ms = request_ms;
}

void decc_chain_set_max_response(struct decc_chain *c, size_t max)
{
	c->max_response = max;
}

void decc_chain_set_poll_interval(struct decc_chain *c, unsigned ms)
{
	c->poll_ms = ms;
}

void decc_chain_set_hub(struct decc_chain *c, const decc_address *hub)
{
	c->hub = *hub;
	c->has_hub = true;
}

int decc_chain_hub(const struct decc_chain *c, decc_address *out)
{
	if (!c->has_hub)
		return decc_error_set(DECC_ENOTFOUND, "no hub address set");
	*out = c->hub;
	return 0;
}

int chain_need_hub(const struct decc_chain *c, decc_address *out)
{
	if (!c->has_hub)
		return decc_error_set(DECC_ENOTFOUND,
				      "no hub address: pass --hub ADDR (the iExec PoCo proxy)");
	*out = c->hub;
	return 0;
}

int decc_chain_set_wallet(struct decc_chain *c, const uint8_t sk[32])
{
	decc_address a;

	DECC_TRY(decc_address_from_seckey(&a, sk));
	memcpy(c->sk, sk, 32);
	c->from = a;
	c->has_wallet = true;
	c->has_nonce = false;
	return 0;
}

int decc_chain_address(const struct decc_chain *c, decc_address *out)
{
	if (!c->has_wallet)
		return decc_error_set(DECC_ENOTFOUND, "no wallet: pass --wallet FILE");
	*out = c->from;
	return 0;
}

/* ---- framing ---- */

int decc_chain_rpc_request(struct decc_buf *out, uint64_t id, const char *method,
			   const char *params_json)
{
	json_t *params = NULL, *req;
	json_error_t jerr;
	char *text;
	int r;

	if (!method || !*method)
		return decc_error_set(DECC_EINVAL, "JSON-RPC request without a method");
	if (params_json) {
		params = json_loads(params_json, JSON_REJECT_DUPLICATES, &jerr);
		if (!params)
			return decc_error_set(DECC_EINVAL, "params of %s are not JSON: %s", method,
					      jerr.text);
		if (!json_is_array(params)) {
			json_decref(params);
			return decc_error_set(DECC_EINVAL, "params of %s must be a JSON array",
					      method);
		}
	} else {
		params = json_array();
	}
	req = json_pack("{s:s,s:I,s:s,s:o}", "jsonrpc", "2.0", "id", (json_int_t)id, "method",
			method, "params", params);
	if (!req)
		return decc_error_set(DECC_ENOMEM, "out of memory building a %s request", method);
	text = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (!text)
		return decc_error_set(DECC_ENOMEM, "out of memory building a %s request", method);
	r = decc_buf_append_str(out, text);
	free(text);
	return r;
}

static bool is_revert_message(const char *msg)
{
	return strstr(msg, "revert") != NULL;
}

/* error.data may be "0x..." or {"data": "0x..."} (some nodes nest it). */
static json_t *revert_data_of(json_t *err)
{
	json_t *d = json_object_get(err, "data");

	if (json_is_object(d))
		d = json_object_get(d, "data");
	if (json_is_string(d) && strncmp(json_string_value(d), "0x", 2) == 0)
		return d;
	return NULL;
}

static int rpc_error(struct decc_buf *revert_data, const char *method, json_t *err)
{
	json_t *jmsg = json_object_get(err, "message"), *jcode = json_object_get(err, "code");
	const char *msg = json_is_string(jmsg) ? json_string_value(jmsg) : "(no message)";
	long long code = json_is_integer(jcode) ? (long long)json_integer_value(jcode) : 0;
	json_t *data = revert_data_of(err);

	if (!json_is_object(err))
		return decc_error_set(DECC_EINVAL, "%s: malformed JSON-RPC error member", method);
	if (data || code == 3 || is_revert_message(msg)) {
		struct decc_buf raw = DECC_BUF_INIT, reason = DECC_BUF_INIT;
		int r = 0;

		decc_buf_init(&raw, 1 << 20);
		if (data) {
			const char *s = json_string_value(data);

			r = decc_hex_decode_buf(&raw, s, strlen(s));
		}
		if (r == 0 && data)
			r = decc_abi_revert_reason(&reason, raw.data, raw.len);
		if (r == 0 && !data) {
			/* no data: keep the node's own words ("execution reverted: ...") */
			const char *p = strstr(msg, "reverted");

			r = decc_buf_append_str(&reason, p && p[8] == ':'
							     ? p + 9 + (p[9] == ' ')
							     : "reverted without a reason");
		}
		if (r == 0 && revert_data) {
			decc_buf_reset(revert_data);
			r = decc_buf_append(revert_data, raw.data, raw.len);
		}
		if (r == 0)
			r = decc_error_set(DECC_EREVERT, "%s", decc_buf_str(&reason));
		else
			r = decc_error_set(DECC_EREVERT, "%s: %s (code %lld)", method, msg, code);
		decc_buf_release(&raw);
		decc_buf_release(&reason);
		return r;
	}
	return decc_error_set(DECC_ERROR, "%s: %s (code %lld)", method, msg, code);
}

int chain_parse_response(json_t **result, struct decc_buf *revert_data, const char *method,
			 const char *body, size_t n, uint64_t id)
{
	json_error_t jerr;
	json_t *root, *jid, *res, *err;
	int r;

	root = json_loadb(body, n, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return decc_error_set(DECC_EINVAL, "%s: response is not JSON (%s at byte %d)",
				      method, jerr.text, jerr.position);
	if (!json_is_object(root)) {
		r = decc_error_set(DECC_EINVAL,
				   "%s: response is not a JSON-RPC object "
				   "(batch or scalar)",
				   method);
		goto out;
	}
	if (!json_is_string(json_object_get(root, "jsonrpc")) ||
	    strcmp(json_string_value(json_object_get(root, "jsonrpc")), "2.0") != 0) {
		r = decc_error_set(DECC_EINVAL, "%s: response lacks \"jsonrpc\": \"2.0\"", method);
		goto out;
	}
	jid = json_object_get(root, "id");
	err = json_object_get(root, "error");
	res = json_object_get(root, "result");
	if (err && !json_is_null(err)) {
		/* an error may come with id null (parse errors on the server side) */
		if (jid && !json_is_null(jid) &&
		    (!json_is_integer(jid) || (uint64_t)json_integer_value(jid) != id)) {
			r = decc_error_set(DECC_EINVAL,
					   "%s: response id does not match the request", method);
			goto out;
		}
		r = rpc_error(revert_data, method, err);
		goto out;
	}
	if (!json_is_integer(jid) || (uint64_t)json_integer_value(jid) != id) {
		r = decc_error_set(DECC_EINVAL, "%s: response id does not match the request",
				   method);
		goto out;
	}
	if (!res) {
		r = decc_error_set(DECC_EINVAL, "%s: response has neither result nor error",
				   method);
		goto out;
	}
	*result = json_incref(res);
	r = 0;
out:
	json_decref(root);
	return r;
}

int decc_chain_rpc_response(struct decc_buf *result_json, struct decc_buf *revert_data,
			    const char *method, const char *body, size_t n, uint64_t id)
{
	json_t *res = NULL;
	char *text;
	int r;

	DECC_TRY(chain_parse_response(&res, revert_data, method, body, n, id));
	text = json_dumps(res, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(res);
	if (!text)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	r = result_json ? decc_buf_append_str(result_json, text) : 0;
	free(text);
	return r;
}

/* ---- calls ---- */

int chain_rpc_ex(struct decc_chain *c, json_t **result, struct decc_buf *revert_data,
		 const char *method, json_t *params)
{
	struct decc_buf req = DECC_BUF_INIT, resp;
	uint64_t id = c->next_id++;
	json_t *root;
	char *text;
	int r;

	if (!params)
		params = json_array();
	root = json_pack("{s:s,s:I,s:s,s:o}", "jsonrpc", "2.0", "id", (json_int_t)id, "method",
			 method, "params", params);
	if (!root)
		return decc_error_set(DECC_ENOMEM, "out of memory building a %s request", method);
	text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (!text)
		return decc_error_set(DECC_ENOMEM, "out of memory building a %s request", method);
	r = decc_buf_append_str(&req, text);
	free(text);
	if (r < 0)
		return r;
	decc_buf_init(&resp, c->max_response);
	r = c->transport(c->transport_ctx, &resp, c->url, decc_buf_str(&req), req.len,
			 c->connect_ms, c->request_ms);
	decc_buf_release(&req);
	if (r < 0) {
		if (r == DECC_ELIMIT)
			r = decc_error_set(DECC_ELIMIT,
					   "%s: response from %s is larger than %zu bytes", method,
					   c->url, c->max_response);
		else
			r = decc_error_wrap(r, "%s to %s", method, c->url);
		decc_buf_release(&resp);
		return r;
	}
	r = chain_parse_response(result, revert_data, method, decc_buf_str(&resp), resp.len, id);
	decc_buf_release(&resp);
	return r;
}

int chain_rpc(struct decc_chain *c, json_t **result, const char *method, json_t *params)
{
	return chain_rpc_ex(c, result, NULL, method, params);
}

int decc_chain_rpc(struct decc_chain *c, struct decc_buf *result_json, const char *method,
		   const char *params_json)
{
	json_t *params = NULL, *res = NULL;
	json_error_t jerr;
	char *text;
	int r;

	if (params_json) {
		params = json_loads(params_json, JSON_REJECT_DUPLICATES, &jerr);
		if (!params || !json_is_array(params)) {
			json_decref(params);
			return decc_error_set(DECC_EINVAL, "params of %s must be a JSON array",
					      method);
		}
	}
	DECC_TRY(chain_rpc(c, &res, method, params));
	text = json_dumps(res, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(res);
	if (!text)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	r = result_json ? decc_buf_append_str(result_json, text) : 0;
	free(text);
	return r;
}

int decc_chain_connect(struct decc_chain *c, uint64_t *chain_id)
{
	json_t *res = NULL;
	uint64_t id;
	int r;

	if (!c->has_chain_id) {
		DECC_TRY(chain_rpc(c, &res, "eth_chainId", NULL));
		r = chain_get_u64(&id, res, "eth_chainId result");
		json_decref(res);
		if (r < 0)
			return r;
		c->chain_id = id;
		c->has_chain_id = true;
	}
	if (chain_id)
		*chain_id = c->chain_id;
	return 0;
}

/* ---- JSON helpers ---- */

json_t *chain_json_hex(const uint8_t *p, size_t n)
{
	struct decc_buf b = DECC_BUF_INIT;
	json_t *j = NULL;

	if (decc_hex_append(&b, p, n) == 0)
		j = json_stringn(decc_buf_str(&b), b.len);
	decc_buf_release(&b);
	return j;
}

json_t *chain_json_address(const decc_address *a)
{
	return chain_json_hex(a->b, 20);
}

json_t *chain_json_quantity(const decc_u256 *v)
{
	char s[67];

	decc_u256_to_hex(s, v);
	return json_string(s);
}

json_t *chain_json_quantity_u64(uint64_t v)
{
	decc_u256 u = decc_u256_from_u64(v);

	return chain_json_quantity(&u);
}

json_t *chain_json_block(uint64_t block)
{
	return block == DECC_CHAIN_LATEST ? json_string("latest") : chain_json_quantity_u64(block);
}

int decc_chain_parse_quantity(decc_u256 *out, const char *s)
{
	size_t n = strlen(s);

	if (n < 3 || n > 66 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return decc_error_set(DECC_EINVAL, "'%.80s' is not a JSON-RPC quantity", s);
	/* leading zeros are tolerated (some nodes pad), but the digits must be hex */
	for (size_t i = 2; i < n; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]))
			return decc_error_set(DECC_EINVAL, "'%.80s' is not a JSON-RPC quantity", s);
	return decc_u256_parse(out, s);
}

int decc_chain_parse_quantity_u64(uint64_t *out, const char *s)
{
	decc_u256 v;

	DECC_TRY(decc_chain_parse_quantity(&v, s));
	if (!decc_u256_to_u64(&v, out))
		return decc_error_set(DECC_EINVAL, "quantity %.80s does not fit in 64 bits", s);
	return 0;
}

int chain_get_u256(decc_u256 *out, json_t *v, const char *what)
{
	if (!json_is_string(v))
		return decc_error_set(DECC_EINVAL, "%s: expected a hex quantity", what);
	if (decc_chain_parse_quantity(out, json_string_value(v)) < 0)
		return decc_error_wrap(DECC_EINVAL, "%s", what);
	return 0;
}

int chain_get_u64(uint64_t *out, json_t *v, const char *what)
{
	if (!json_is_string(v))
		return decc_error_set(DECC_EINVAL, "%s: expected a hex quantity", what);
	if (decc_chain_parse_quantity_u64(out, json_string_value(v)) < 0)
		return decc_error_wrap(DECC_EINVAL, "%s", what);
	return 0;
}

int chain_get_hex(struct decc_buf *out, json_t *v, const char *what)
{
	const char *s;
	size_t len;

	if (!json_is_string(v))
		return decc_error_set(DECC_EINVAL, "%s: expected 0x-hex data", what);
	s = json_string_value(v);
	len = json_string_length(v);
	if (len < 2 || s[0] != '0' || s[1] != 'x')
		return decc_error_set(DECC_EINVAL, "%s: expected 0x-hex data", what);
	if (decc_hex_decode_buf(out, s, len) < 0)
		return decc_error_wrap(decc_error_code(), "%s", what);
	return 0;
}

int chain_get_fixed(uint8_t *out, size_t n, json_t *v, const char *what)
{
	uint8_t tmp[32];

	if (n > sizeof(tmp) || !json_is_string(v) || json_string_length(v) != 2 + 2 * n ||
	    decc_hex_decode_exact(tmp, n, json_string_value(v)) < 0)
		return decc_error_set(DECC_EINVAL, "%s: expected 0x + %zu hex digits", what, 2 * n);
	memcpy(out, tmp, n);
	return 0;
}

int chain_get_address(decc_address *out, json_t *v, const char *what)
{
	return chain_get_fixed(out->b, 20, v, what);
}

void decc_chain_logs_release(struct decc_chain_logs *l)
{
	for (size_t i = 0; i < l->n; i++)
		decc_buf_release(&l->items[i].data);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

int chain_parse_log(struct decc_chain_log *out, json_t *o)
{
	struct decc_chain_log l;
	json_t *topics, *t, *bn, *li, *th;
	size_t i;
	int r;

	memset(&l, 0, sizeof(l));
	decc_buf_init(&l.data, DECC_BUF_DEFAULT_MAX);
	if (!json_is_object(o))
		return decc_error_set(DECC_EINVAL, "log entry is not an object");
	DECC_TRY(chain_get_address(&l.address, json_object_get(o, "address"), "log address"));
	topics = json_object_get(o, "topics");
	if (!json_is_array(topics) || json_array_size(topics) > 4)
		return decc_error_set(DECC_EINVAL, "log topics: expected an array of at most 4");
	json_array_foreach(topics, i, t) DECC_TRY(chain_get_fixed(l.topics[i], 32, t, "log topic"));
	l.n_topics = json_array_size(topics);
	/* pending logs have null (or, on some nodes, missing) numbers; they read as 0 */
	bn = json_object_get(o, "blockNumber");
	if (bn && !json_is_null(bn))
		DECC_TRY(chain_get_u64(&l.block_number, bn, "log blockNumber"));
	li = json_object_get(o, "logIndex");
	if (li && !json_is_null(li))
		DECC_TRY(chain_get_u64(&l.log_index, li, "log logIndex"));
	th = json_object_get(o, "transactionHash");
	if (th && !json_is_null(th))
		DECC_TRY(chain_get_fixed(l.tx_hash, 32, th, "log transactionHash"));
	r = chain_get_hex(&l.data, json_object_get(o, "data"), "log data");
	if (r < 0) {
		decc_buf_release(&l.data);
		return r;
	}
	*out = l;
	return 0;
}

int chain_parse_logs(struct decc_chain_logs *out, json_t *arr)
{
	struct decc_chain_logs l = { 0 };
	json_t *o;
	size_t i;
	int r;

	if (!json_is_array(arr))
		return decc_error_set(DECC_EINVAL, "logs: expected an array");
	if (json_array_size(arr) > 0) {
		l.items = calloc(json_array_size(arr), sizeof(*l.items));
		if (!l.items)
			return decc_error_set(DECC_ENOMEM, "out of memory for %zu logs",
					      json_array_size(arr));
	}
	json_array_foreach(arr, i, o)
	{
		r = chain_parse_log(&l.items[i], o);
		if (r < 0) {
			decc_chain_logs_release(&l);
			return r;
		}
		l.n = i + 1;
	}
	*out = l;
	return 0;
}

void decc_chain_receipt_release(struct decc_chain_receipt *r)
{
	decc_chain_logs_release(&r->logs);
}

int chain_parse_receipt(struct decc_chain_receipt *out, json_t *o)
{
	struct decc_chain_receipt rc;
	json_t *ca, *st;
	uint64_t status;

	memset(&rc, 0, sizeof(rc));
	if (!json_is_object(o))
		return decc_error_set(DECC_EINVAL, "receipt is not an object");
	DECC_TRY(chain_get_fixed(rc.tx_hash, 32, json_object_get(o, "transactionHash"),
				 "receipt transactionHash"));
	DECC_TRY(chain_get_u64(&rc.block_number, json_object_get(o, "blockNumber"),
			       "receipt blockNumber"));
	DECC_TRY(chain_get_u64(&rc.gas_used, json_object_get(o, "gasUsed"), "receipt gasUsed"));
	st = json_object_get(o, "status");
	DECC_TRY(chain_get_u64(&status, st, "receipt status (pre-Byzantium chains unsupported)"));
	if (status > 1)
		return decc_error_set(DECC_EINVAL, "receipt status %llu is neither 0 nor 1",
				      (unsigned long long)status);
	rc.status = status == 1;
	ca = json_object_get(o, "contractAddress");
	if (ca && !json_is_null(ca)) {
		DECC_TRY(chain_get_address(&rc.contract_address, ca, "receipt contractAddress"));
		rc.has_contract_address = true;
	}
	DECC_TRY(chain_parse_logs(&rc.logs, json_object_get(o, "logs")));
	*out = rc;
	return 0;
}

int decc_chain_receipt_parse(struct decc_chain_receipt *out, const char *json, size_t n)
{
	json_error_t jerr;
	json_t *o = json_loadb(json, n, JSON_REJECT_DUPLICATES, &jerr);
	int r;

	if (!o)
		return decc_error_set(DECC_EINVAL, "receipt is not JSON: %s", jerr.text);
	r = chain_parse_receipt(out, o);
	json_decref(o);
	return r;
}

/* ---- HTTP transport ---- */

int chain_http_transport(void *ctx, struct decc_buf *response, const char *url, const char *request,
			 size_t n, unsigned connect_timeout_ms, unsigned timeout_ms)
{
	static const char *const hdrs[] = { "Content-Type: application/json", NULL };
	struct decc_http_request q = {
		.method = "POST",
		.url = url,
		.headers = hdrs,
		.body = request,
		.body_len = n,
		.out = response,
		.connect_timeout_ms = connect_timeout_ms,
		.timeout_ms = timeout_ms,
	};
	struct decc_http_response resp;
	int r, status;

	(void)ctx;
	r = decc_http_request(&resp, &q);
	if (r == DECC_ELIMIT)
		return decc_error_set(DECC_ELIMIT, "response too large");
	if (r < 0) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", decc_error_last());
		return decc_error_set(r == DECC_EINVAL ? r : DECC_ERROR,
				      "%s (is the node running at that address?)", msg);
	}
	status = resp.status;
	decc_http_response_clear(&resp);
	/* JSON-RPC errors may come with 4xx/5xx; keep a JSON body so its message is shown */
	if ((status < 200 || status >= 300) && (response->len == 0 || response->data[0] != '{'))
		return decc_error_set(DECC_ERROR, "HTTP status %d", status);
	return 0;
}
