/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Ethereum transactions. Legacy: rlp([nonce, gasPrice, gas, to, value, data, v, r, s]) with
 * v = chainId * 2 + 35 + yParity (EIP-155) or 27 + yParity (chain id 0, pre-EIP-155).
 * Type 2 (EIP-1559): 0x02 || rlp([chainId, nonce, maxPriorityFee, maxFee, gas, to, value, data,
 * accessList, yParity, r, s]). Decoding accepts only what encoding would produce byte for byte.
 */
#include <string.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/rlp.h"
#include "decc/tx.h"

/* secp256k1 group order n and n / 2 (big-endian): signatures must have 0 < r < n, 0 < s <= n/2 */
static const uint8_t curve_n[32] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
				     0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b,
				     0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41 };
static const uint8_t half_n[32] = { 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d,
				    0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0 };

#define MAX_LEGACY_CHAIN_ID ((UINT64_MAX - 36) / 2)

void decc_tx_init(struct decc_tx *tx)
{
	memset(tx, 0, sizeof(*tx));
	decc_buf_init(&tx->data, DECC_TX_MAX_SIZE);
	decc_buf_init(&tx->access_list, DECC_TX_MAX_SIZE);
}

void decc_tx_release(struct decc_tx *tx)
{
	if (!tx)
		return;
	decc_buf_release(&tx->data);
	decc_buf_release(&tx->access_list);
}

static int append_to(struct decc_buf *b, const struct decc_tx *tx)
{
	return decc_rlp_append_bytes(b, tx->to.b, tx->has_to ? 20 : 0);
}

static int append_access_list(struct decc_buf *b, const struct decc_tx *tx)
{
	static const uint8_t empty_list = 0xc0;

	if (tx->access_list.len == 0)
		return decc_rlp_append_raw(b, &empty_list, 1);
	return decc_rlp_append_raw(b, tx->access_list.data, tx->access_list.len);
}

static int append_scalar(struct decc_buf *b, const uint8_t v[32])
{
	decc_u256 x;

	decc_u256_from_be(&x, v);
	return decc_rlp_append_u256(b, &x);
}

static int check_type(const struct decc_tx *tx)
{
	if (tx->type != 0 && tx->type != 2)
		return decc_error_set(
		    DECC_EINVAL,
		    "unsupported transaction type %u (decc handles 0 legacy and 2 "
		    "EIP-1559)",
		    tx->type);
	if (tx->type == 0 && tx->chain_id > MAX_LEGACY_CHAIN_ID)
		return decc_error_set(DECC_EINVAL,
				      "chain id %llu too large for a legacy transaction",
				      (unsigned long long)tx->chain_id);
	if (tx->type == 2 && tx->access_list.len && tx->access_list.data[0] < 0xc0)
		return decc_error_set(DECC_EINVAL, "access list is not an RLP list");
	return 0;
}

/* The common fields, then (signed) the signature or (unsigned, EIP-155) chainId, 0, 0. */
static int encode_body(struct decc_buf *b, const struct decc_tx *tx, bool with_sig)
{
	size_t mark;

	DECC_TRY(check_type(tx));
	if (tx->type == 2)
		DECC_TRY(decc_buf_append_byte(b, 2));
	mark = decc_rlp_list_begin(b);
	if (tx->type == 2) {
		DECC_TRY(decc_rlp_append_u64(b, tx->chain_id));
		DECC_TRY(decc_rlp_append_u64(b, tx->nonce));
		DECC_TRY(decc_rlp_append_u256(b, &tx->max_priority_fee));
		DECC_TRY(decc_rlp_append_u256(b, &tx->max_fee));
	} else {
		DECC_TRY(decc_rlp_append_u64(b, tx->nonce));
		DECC_TRY(decc_rlp_append_u256(b, &tx->gas_price));
	}
	DECC_TRY(decc_rlp_append_u64(b, tx->gas));
	DECC_TRY(append_to(b, tx));
	DECC_TRY(decc_rlp_append_u256(b, &tx->value));
	DECC_TRY(decc_rlp_append_bytes(b, tx->data.data, tx->data.len));
	if (tx->type == 2) {
		DECC_TRY(append_access_list(b, tx));
		if (with_sig)
			DECC_TRY(decc_rlp_append_u64(b, tx->y_parity));
	} else if (with_sig) {
		uint64_t v = tx->chain_id ? tx->chain_id * 2 + 35 + tx->y_parity
					  : (uint64_t)27 + tx->y_parity;

		DECC_TRY(decc_rlp_append_u64(b, v));
	} else if (tx->chain_id) {
		DECC_TRY(decc_rlp_append_u64(b, tx->chain_id));
		DECC_TRY(decc_rlp_append_u64(b, 0));
		DECC_TRY(decc_rlp_append_u64(b, 0));
	}
	if (with_sig) {
		DECC_TRY(append_scalar(b, tx->r));
		DECC_TRY(append_scalar(b, tx->s));
	}
	return decc_rlp_list_end(b, mark);
}

int decc_tx_signing_hash(uint8_t out[32], const struct decc_tx *tx)
{
	struct decc_buf b = DECC_BUF_INIT;
	int r;

	r = encode_body(&b, tx, false);
	if (r == 0)
		decc_keccak256(out, b.data, b.len);
	decc_buf_release(&b);
	return r;
}

int decc_tx_sign(struct decc_tx *tx, const uint8_t sk[32])
{
	uint8_t digest[32], sig[65];

	DECC_TRY(decc_tx_signing_hash(digest, tx));
	DECC_TRY(decc_secp256k1_sign(sig, digest, sk));
	if (sig[64] > 1)
		return decc_error_set(DECC_ERROR,
				      "signature has recovery id %u, which a "
				      "transaction cannot carry; sign again",
				      sig[64]);
	memcpy(tx->r, sig, 32);
	memcpy(tx->s, sig + 32, 32);
	tx->y_parity = sig[64];
	tx->is_signed = true;
	return 0;
}

int decc_tx_encode(struct decc_buf *out, const struct decc_tx *tx)
{
	struct decc_buf b = DECC_BUF_INIT;
	int r;

	if (!tx->is_signed)
		return decc_error_set(DECC_EINVAL, "transaction is not signed; call decc_tx_sign "
						   "first");
	if (tx->y_parity > 1)
		return decc_error_set(DECC_EINVAL, "transaction y parity %u is not 0 or 1",
				      tx->y_parity);
	r = encode_body(&b, tx, true);
	if (r == 0 && b.len > DECC_TX_MAX_SIZE)
		r = decc_error_set(DECC_ELIMIT,
				   "transaction of %zu bytes exceeds the %d-byte limit", b.len,
				   DECC_TX_MAX_SIZE);
	if (r == 0)
		r = decc_buf_append(out, b.data, b.len);
	decc_buf_release(&b);
	return r;
}

int decc_tx_hash(uint8_t out[32], const struct decc_tx *tx)
{
	struct decc_buf b = DECC_BUF_INIT;
	int r;

	r = decc_tx_encode(&b, tx);
	if (r == 0)
		decc_keccak256(out, b.data, b.len);
	decc_buf_release(&b);
	return r;
}

int decc_tx_sender(decc_address *out, const struct decc_tx *tx)
{
	uint8_t digest[32], sig[65], pub[64];
	int r;

	if (!tx->is_signed)
		return decc_error_set(DECC_EINVAL, "transaction is not signed: no sender");
	DECC_TRY(decc_tx_signing_hash(digest, tx));
	memcpy(sig, tx->r, 32);
	memcpy(sig + 32, tx->s, 32);
	sig[64] = tx->y_parity;
	r = decc_secp256k1_recover(pub, digest, sig);
	if (r < 0)
		return decc_error_wrap(r == DECC_EINVAL ? DECC_EAUTH : r,
				       "cannot recover the transaction sender");
	decc_address_from_pubkey(out, pub);
	return 0;
}

/* ---- decoding ---- */

struct fields {
	struct decc_rlp_item it[12];
	size_t n;
};

static int split(struct fields *f, const struct decc_rlp_item *list, size_t want)
{
	struct decc_cursor c;

	if (!list->is_list)
		return decc_error_set(DECC_EINVAL, "invalid transaction: not an RLP list");
	decc_cursor_init(&c, list->payload.ptr, list->payload.len);
	f->n = 0;
	while (decc_cursor_left(&c)) {
		if (f->n == want)
			return decc_error_set(DECC_EINVAL,
					      "invalid transaction: more than %zu fields", want);
		DECC_TRY(decc_rlp_next(&c, &f->it[f->n]));
		f->n++;
	}
	if (f->n != want)
		return decc_error_set(DECC_EINVAL, "invalid transaction: %zu fields, expected %zu",
				      f->n, want);
	return 0;
}

static int field_err(int r, const char *name)
{
	return decc_error_wrap(r, "invalid transaction field %s", name);
}

static int get_u64(uint64_t *out, const struct decc_rlp_item *it, const char *name)
{
	int r = decc_rlp_get_u64(out, it);

	return r < 0 ? field_err(r, name) : 0;
}

static int get_u256(decc_u256 *out, const struct decc_rlp_item *it, const char *name)
{
	int r = decc_rlp_get_u256(out, it);

	return r < 0 ? field_err(r, name) : 0;
}

static int get_bytes(struct decc_buf *out, const struct decc_rlp_item *it, const char *name)
{
	if (it->is_list)
		return decc_error_set(DECC_EINVAL, "invalid transaction field %s: got a list",
				      name);
	return decc_buf_append(out, it->payload.ptr, it->payload.len);
}

static int get_to(struct decc_tx *tx, const struct decc_rlp_item *it)
{
	if (it->is_list || (it->payload.len != 0 && it->payload.len != 20))
		return decc_error_set(DECC_EINVAL,
				      "invalid transaction field to: %zu bytes, expected 20 or "
				      "empty (contract creation)",
				      it->payload.len);
	tx->has_to = it->payload.len == 20;
	if (tx->has_to)
		memcpy(tx->to.b, it->payload.ptr, 20);
	return 0;
}

static int get_scalar(uint8_t out[32], const struct decc_rlp_item *it, const char *name)
{
	decc_u256 v;

	DECC_TRY(get_u256(&v, it, name));
	decc_u256_to_be(out, &v);
	return 0;
}

/* The signature must be usable as-is: 0 < r < n, 0 < s <= n/2 (EIP-2). */
static int check_sig(const uint8_t r[32], const uint8_t s[32])
{
	static const uint8_t zero[32];

	if (!memcmp(r, zero, 32) || !memcmp(s, zero, 32) || memcmp(r, curve_n, 32) >= 0)
		return decc_error_set(DECC_EAUTH, "invalid transaction signature: r or s out of "
						  "range");
	if (memcmp(s, half_n, 32) > 0)
		return decc_error_set(
		    DECC_EAUTH, "invalid transaction signature: s is in the upper half of the "
				"curve order (malleable form); re-sign with low-s");
	return 0;
}

/* [[address (20 bytes), [storageKey (32 bytes), ...]], ...] */
static int check_access_list(const struct decc_rlp_item *al)
{
	struct decc_cursor c;

	if (!al->is_list)
		return decc_error_set(DECC_EINVAL,
				      "invalid transaction: access list is not a list");
	decc_cursor_init(&c, al->payload.ptr, al->payload.len);
	while (decc_cursor_left(&c)) {
		struct decc_rlp_item entry, addr, keys, key;
		struct decc_cursor e, k;

		DECC_TRY(decc_rlp_next(&c, &entry));
		if (!entry.is_list)
			goto bad;
		decc_cursor_init(&e, entry.payload.ptr, entry.payload.len);
		DECC_TRY(decc_rlp_next(&e, &addr));
		DECC_TRY(decc_rlp_next(&e, &keys));
		if (decc_cursor_left(&e) || addr.is_list || addr.payload.len != 20 || !keys.is_list)
			goto bad;
		decc_cursor_init(&k, keys.payload.ptr, keys.payload.len);
		while (decc_cursor_left(&k)) {
			DECC_TRY(decc_rlp_next(&k, &key));
			if (key.is_list || key.payload.len != 32)
				goto bad;
		}
	}
	return 0;
bad:
	return decc_error_set(DECC_EINVAL, "invalid transaction: access list entries must be "
					   "[address, [32-byte storage keys]]");
}

static int decode_legacy(struct decc_tx *tx, const struct decc_rlp_item *list)
{
	struct fields f;
	uint64_t v;

	DECC_TRY(split(&f, list, 9));
	tx->type = 0;
	DECC_TRY(get_u64(&tx->nonce, &f.it[0], "nonce"));
	DECC_TRY(get_u256(&tx->gas_price, &f.it[1], "gasPrice"));
	DECC_TRY(get_u64(&tx->gas, &f.it[2], "gas"));
	DECC_TRY(get_to(tx, &f.it[3]));
	DECC_TRY(get_u256(&tx->value, &f.it[4], "value"));
	DECC_TRY(get_bytes(&tx->data, &f.it[5], "data"));
	DECC_TRY(get_u64(&v, &f.it[6], "v"));
	if (v == 27 || v == 28) {
		tx->chain_id = 0;
		tx->y_parity = (uint8_t)(v - 27);
	} else if (v >= 37) {
		tx->chain_id = (v - 35) / 2;
		tx->y_parity = (uint8_t)((v - 35) % 2);
		if (tx->chain_id > MAX_LEGACY_CHAIN_ID)
			return decc_error_set(DECC_EINVAL, "invalid transaction field v: chain id "
							   "too large");
	} else {
		return decc_error_set(DECC_EINVAL,
				      "invalid transaction field v: %llu (expected 27, 28, or "
				      "chainId * 2 + 35/36 per EIP-155)",
				      (unsigned long long)v);
	}
	DECC_TRY(get_scalar(tx->r, &f.it[7], "r"));
	DECC_TRY(get_scalar(tx->s, &f.it[8], "s"));
	return check_sig(tx->r, tx->s);
}

static int decode_1559(struct decc_tx *tx, const struct decc_rlp_item *list)
{
	struct fields f;
	uint64_t y;

	DECC_TRY(split(&f, list, 12));
	tx->type = 2;
	DECC_TRY(get_u64(&tx->chain_id, &f.it[0], "chainId"));
	DECC_TRY(get_u64(&tx->nonce, &f.it[1], "nonce"));
	DECC_TRY(get_u256(&tx->max_priority_fee, &f.it[2], "maxPriorityFeePerGas"));
	DECC_TRY(get_u256(&tx->max_fee, &f.it[3], "maxFeePerGas"));
	DECC_TRY(get_u64(&tx->gas, &f.it[4], "gas"));
	DECC_TRY(get_to(tx, &f.it[5]));
	DECC_TRY(get_u256(&tx->value, &f.it[6], "value"));
	DECC_TRY(get_bytes(&tx->data, &f.it[7], "data"));
	DECC_TRY(check_access_list(&f.it[8]));
	DECC_TRY(decc_buf_append(&tx->access_list, f.it[8].raw.ptr, f.it[8].raw.len));
	DECC_TRY(get_u64(&y, &f.it[9], "yParity"));
	if (y > 1)
		return decc_error_set(DECC_EINVAL,
				      "invalid transaction field yParity: %llu, expected 0 or 1",
				      (unsigned long long)y);
	tx->y_parity = (uint8_t)y;
	DECC_TRY(get_scalar(tx->r, &f.it[10], "r"));
	DECC_TRY(get_scalar(tx->s, &f.it[11], "s"));
	return check_sig(tx->r, tx->s);
}

int decc_tx_decode(struct decc_tx *out, const uint8_t *p, size_t n)
{
	struct decc_tx tx;
	struct decc_rlp_item list;
	int r;

	if (n > DECC_TX_MAX_SIZE)
		return decc_error_set(DECC_ELIMIT,
				      "transaction of %zu bytes exceeds the %d-byte limit", n,
				      DECC_TX_MAX_SIZE);
	if (n == 0)
		return decc_error_set(DECC_EINVAL, "invalid transaction: empty");
	if (p[0] < 0xc0 && p[0] != 2)
		return decc_error_set(
		    DECC_EINVAL,
		    "unsupported transaction type 0x%02x (decc accepts legacy and "
		    "type 2 / EIP-1559)",
		    p[0]);
	decc_tx_init(&tx);
	if (p[0] == 2)
		r = decc_rlp_decode(&list, p + 1, n - 1);
	else
		r = decc_rlp_decode(&list, p, n);
	if (r == 0)
		r = p[0] == 2 ? decode_1559(&tx, &list) : decode_legacy(&tx, &list);
	if (r < 0) {
		decc_tx_release(&tx);
		return r;
	}
	tx.is_signed = true;
	*out = tx;
	return 0;
}

int decc_contract_address(decc_address *out, const decc_address *sender, uint64_t nonce)
{
	struct decc_buf b = DECC_BUF_INIT;
	uint8_t h[32];
	size_t mark = decc_rlp_list_begin(&b);
	int r;

	r = decc_rlp_append_bytes(&b, sender->b, 20);
	if (r == 0)
		r = decc_rlp_append_u64(&b, nonce);
	if (r == 0)
		r = decc_rlp_list_end(&b, mark);
	if (r == 0) {
		decc_keccak256(h, b.data, b.len);
		memcpy(out->b, h + 12, 20);
	}
	decc_buf_release(&b);
	return r;
}
