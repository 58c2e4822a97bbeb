/* SPDX-License-Identifier: Apache-2.0 */
/* What the files of the chain client share: the client object and the jansson-level helpers. */
#ifndef DECC_CHAIN_INTERNAL_H
#define DECC_CHAIN_INTERNAL_H

#include <jansson.h>

#include "decc/chain.h"

enum chain_fee_mode {
	FEE_UNKNOWN = 0,
	FEE_LEGACY,
	FEE_1559,
};

struct decc_chain {
	char *url;
	decc_chain_transport_fn transport;
	void *transport_ctx;
	unsigned connect_ms, request_ms, poll_ms;
	size_t max_response;
	uint64_t next_id;
	bool has_chain_id;
	uint64_t chain_id;
	bool has_hub;
	decc_address hub;
	bool has_wallet;
	uint8_t sk[32];
	decc_address from;
	bool has_nonce;
	uint64_t nonce;
	enum chain_fee_mode fee_mode;
};

/* Call method with params (stolen, may be NULL); *result owned by the caller on success. */
int chain_rpc(struct decc_chain *c, json_t **result, const char *method, json_t *params);
/* Same, with the raw revert data of a DECC_EREVERT kept in revert_data (may be NULL). */
int chain_rpc_ex(struct decc_chain *c, json_t **result, struct decc_buf *revert_data,
		 const char *method, json_t *params);
int chain_parse_response(json_t **result, struct decc_buf *revert_data, const char *method,
			 const char *body, size_t n, uint64_t id);

/* JSON value helpers: hex strings of the Ethereum JSON-RPC. */
json_t *chain_json_hex(const uint8_t *p, size_t n);
json_t *chain_json_address(const decc_address *a);
json_t *chain_json_quantity_u64(uint64_t v);
json_t *chain_json_quantity(const decc_u256 *v);
json_t *chain_json_block(uint64_t block); /* number or "latest" */
int chain_get_u64(uint64_t *out, json_t *v, const char *what);
int chain_get_u256(decc_u256 *out, json_t *v, const char *what);
int chain_get_hex(struct decc_buf *out, json_t *v, const char *what);
int chain_get_fixed(uint8_t *out, size_t n, json_t *v, const char *what);
int chain_get_address(decc_address *out, json_t *v, const char *what);
int chain_parse_log(struct decc_chain_log *out, json_t *o);
int chain_parse_logs(struct decc_chain_logs *out, json_t *arr);
int chain_parse_receipt(struct decc_chain_receipt *out, json_t *o);

/* The default transport: decc_http_request, a kept-alive connection per thread. */
int chain_http_transport(void *ctx, struct decc_buf *response, const char *url, const char *request,
			 size_t n, unsigned connect_timeout_ms, unsigned timeout_ms);

/* The hub, or DECC_ENOTFOUND with a message saying to pass --hub. */
int chain_need_hub(const struct decc_chain *c, decc_address *out);

#endif
