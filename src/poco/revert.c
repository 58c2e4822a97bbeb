/* SPDX-License-Identifier: Apache-2.0 */
/* Revert data, checked arithmetic, logs and return data of the native contracts. */
#include <stdlib.h>

#include "internal.h"

static int set_output_error(struct poco *p, const uint8_t sel[4], const char *reason)
{
	uint8_t w[32];
	size_t n = strlen(reason);
	size_t pad = (32 - n % 32) % 32;

	decc_buf_reset(&p->res->output);
	DECC_TRY(decc_buf_append(&p->res->output, sel, 4));
	poco_u64_word(w, 32);
	DECC_TRY(decc_buf_append(&p->res->output, w, 32));
	poco_u64_word(w, n);
	DECC_TRY(decc_buf_append(&p->res->output, w, 32));
	DECC_TRY(decc_buf_append(&p->res->output, reason, n));
	DECC_TRY(decc_buf_append_zeros(&p->res->output, pad));
	return DECC_EREVERT;
}

int poco_revert(struct poco *p, const char *reason)
{
	static const uint8_t error_sel[4] = { 0x08, 0xc3, 0x79, 0xa0 }; /* Error(string) */

	p->res->success = false;
	if (!reason) {
		decc_buf_reset(&p->res->output);
		return DECC_EREVERT;
	}
	return set_output_error(p, error_sel, reason);
}

int poco_revert_error(struct poco *p, const uint8_t sel[4], const char *reason)
{
	p->res->success = false;
	return set_output_error(p, sel, reason);
}

int poco_panic(struct poco *p, unsigned code)
{
	static const uint8_t panic_sel[4] = { 0x4e, 0x48, 0x7b, 0x71 }; /* Panic(uint256) */
	uint8_t w[32];

	p->res->success = false;
	decc_buf_reset(&p->res->output);
	DECC_TRY(decc_buf_append(&p->res->output, panic_sel, 4));
	poco_u64_word(w, code);
	DECC_TRY(decc_buf_append(&p->res->output, w, 32));
	return DECC_EREVERT;
}

int poco_add(struct poco *p, decc_u256 *out, const decc_u256 *a, const decc_u256 *b)
{
	decc_u256 r;

	if (decc_u256_add(&r, a, b))
		return poco_panic(p, PANIC_OVERFLOW);
	*out = r;
	return 0;
}

int poco_sub(struct poco *p, decc_u256 *out, const decc_u256 *a, const decc_u256 *b)
{
	decc_u256 r;

	if (decc_u256_sub(&r, a, b))
		return poco_panic(p, PANIC_OVERFLOW);
	*out = r;
	return 0;
}

int poco_mul(struct poco *p, decc_u256 *out, const decc_u256 *a, const decc_u256 *b)
{
	decc_u256 r;

	if (decc_u256_mul(&r, a, b))
		return poco_panic(p, PANIC_OVERFLOW);
	*out = r;
	return 0;
}

int poco_div(struct poco *p, decc_u256 *out, const decc_u256 *a, const decc_u256 *b)
{
	decc_u256 q, r;

	if (decc_u256_divmod(&q, &r, a, b))
		return poco_panic(p, PANIC_DIV_ZERO);
	*out = q;
	return 0;
}

/*
 * SafeMathExtended of @iexec/solidity, used by the 0.6 facets of PoCo 6.1.0 (ERC-20 core, native
 * escrow): a bare require, so an overflow reverts without a reason (no Error(string), no Panic).
 */
int poco_safe_add(struct poco *p, decc_u256 *out, const decc_u256 *a, const decc_u256 *b)
{
	decc_u256 r;

	if (decc_u256_add(&r, a, b))
		return poco_revert(p, NULL);
	*out = r;
	return 0;
}

int poco_safe_sub(struct poco *p, decc_u256 *out, const decc_u256 *a, const decc_u256 *b)
{
	decc_u256 r;

	if (decc_u256_sub(&r, a, b))
		return poco_revert(p, NULL);
	*out = r;
	return 0;
}

int poco_safe_mul(struct poco *p, decc_u256 *out, const decc_u256 *a, const decc_u256 *b)
{
	decc_u256 r;

	if (decc_u256_mul(&r, a, b))
		return poco_revert(p, NULL);
	*out = r;
	return 0;
}

void poco_topic(uint8_t out[32], const char *event_signature)
{
	decc_keccak256(out, event_signature, strlen(event_signature));
}

int poco_log(struct poco *p, const decc_address *emitter, size_t n_topics,
	     const uint8_t topics[][32], const uint8_t *data, size_t len)
{
	struct decc_log log;
	int r;

	memset(&log, 0, sizeof(log));
	log.address = *emitter;
	log.n_topics = n_topics;
	for (size_t i = 0; i < n_topics && i < 4; i++)
		memcpy(log.topics[i], topics[i], 32);
	decc_buf_init(&log.data, DECC_STATE_MAX_VALUE);
	r = decc_buf_append(&log.data, data, len);
	if (r == 0)
		r = decc_exec_result_add_log(p->res, &log);
	decc_buf_release(&log.data);
	return r;
}

static int encode_typed(struct decc_buf *out, const char *type, struct decc_abi_value *v)
{
	struct decc_abi_type *t = NULL;
	int r;

	if (!v)
		return decc_error_set(DECC_ENOMEM, "out of memory encoding %s", type);
	r = decc_abi_type_parse(&t, type);
	if (r == 0)
		r = decc_abi_encode(out, t, v);
	decc_abi_type_free(t);
	decc_abi_value_free(v);
	return r;
}

int poco_log_abi(struct poco *p, const decc_address *emitter, size_t n_topics,
		 const uint8_t topics[][32], const char *type, struct decc_abi_value *v)
{
	struct decc_buf data = DECC_BUF_INIT;
	int r = encode_typed(&data, type, v);

	if (r == 0)
		r = poco_log(p, emitter, n_topics, topics, data.data, data.len);
	decc_buf_release(&data);
	return r;
}

int poco_return(struct poco *p, const char *type, struct decc_abi_value *v)
{
	decc_buf_reset(&p->res->output);
	return encode_typed(&p->res->output, type, v);
}

int poco_return_word(struct poco *p, const uint8_t w[32])
{
	decc_buf_reset(&p->res->output);
	return decc_buf_append(&p->res->output, w, 32);
}

int poco_return_u256(struct poco *p, const decc_u256 *v)
{
	uint8_t w[32];

	decc_u256_to_be(w, v);
	return poco_return_word(p, w);
}

int poco_return_address(struct poco *p, const decc_address *a)
{
	uint8_t w[32];

	poco_addr_word(w, a);
	return poco_return_word(p, w);
}

int poco_return_bool(struct poco *p, bool b)
{
	uint8_t w[32];

	poco_u64_word(w, b ? 1 : 0);
	return poco_return_word(p, w);
}

void poco_arg_u256(decc_u256 *out, const struct decc_abi_value *args, size_t i)
{
	decc_u256_from_be(out, args->items[i]->word);
}

void poco_arg_addr(decc_address *out, const struct decc_abi_value *args, size_t i)
{
	memcpy(out->b, args->items[i]->word + 12, 20);
}

void poco_arg_b32(uint8_t out[32], const struct decc_abi_value *args, size_t i)
{
	memcpy(out, args->items[i]->word, 32);
}

struct decc_abi_value *poco_v_b32(const uint8_t b[32])
{
	return decc_abi_fixed_bytes(b, 32);
}
