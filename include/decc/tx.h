/* SPDX-License-Identifier: Apache-2.0 */
/* Ethereum transactions: legacy with EIP-155 replay protection, and EIP-1559 (type 2). */
#ifndef DECC_TX_H
#define DECC_TX_H

#include "decc/address.h"
#include "decc/u256.h"

#define DECC_TX_MAX_SIZE (128 * 1024) /* like geth's txMaxSize */

struct decc_tx {
	uint8_t type; /* 0 legacy, 2 EIP-1559 */
	uint64_t chain_id;
	uint64_t nonce;
	decc_u256 gas_price;	    /* legacy */
	decc_u256 max_priority_fee; /* type 2 */
	decc_u256 max_fee;	    /* type 2 */
	uint64_t gas;
	bool has_to; /* false: contract creation */
	decc_address to;
	decc_u256 value;
	struct decc_buf data;
	struct decc_buf access_list; /* type 2: the access list's raw RLP (0xc0 when empty) */
	bool is_signed;
	uint8_t r[32], s[32];
	uint8_t y_parity; /* recovery id 0/1 */
};

DECC_EXTERN void decc_tx_init(struct decc_tx *tx);
DECC_EXTERN void decc_tx_release(struct decc_tx *tx);
/* The digest that is signed (EIP-155 for legacy with chain_id != 0). */
DECC_EXTERN DECC_MUST_USE int decc_tx_signing_hash(uint8_t out[32], const struct decc_tx *tx);
DECC_EXTERN DECC_MUST_USE int decc_tx_sign(struct decc_tx *tx, const uint8_t sk[32]);
/* The raw signed transaction, as sent with eth_sendRawTransaction. */
DECC_EXTERN DECC_MUST_USE int decc_tx_encode(struct decc_buf *out, const struct decc_tx *tx);
/* Decode a raw signed transaction (legacy or type 2); rejects oversize and unknown types. */
DECC_EXTERN DECC_MUST_USE int decc_tx_decode(struct decc_tx *out, const uint8_t *p, size_t n);
/* keccak256 of the raw encoding. */
DECC_EXTERN DECC_MUST_USE int decc_tx_hash(uint8_t out[32], const struct decc_tx *tx);
DECC_EXTERN DECC_MUST_USE int decc_tx_sender(decc_address *out, const struct decc_tx *tx);
/* Address of a contract created by sender at nonce: keccak(rlp([sender, nonce]))[12..]. */
DECC_EXTERN DECC_MUST_USE int decc_contract_address(decc_address *out, const decc_address *sender,
						    uint64_t nonce);

#endif
