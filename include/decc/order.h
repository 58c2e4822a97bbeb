/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PoCo v5 orders: the four order types, their EIP-712 hashes (domain "iExecODB" / "5.0.0"),
 * signatures and the JSON form used by the iexec SDK (field names app, appprice, volume, tag,
 * datasetrestrict, ..., salt, sign; integers as decimal strings, addresses and bytes32 as 0x-hex).
 */
#ifndef DECC_ORDER_H
#define DECC_ORDER_H

#include "decc/address.h"
#include "decc/eip712.h"
#include "decc/u256.h"

enum decc_order_type {
	DECC_ORDER_APP,
	DECC_ORDER_DATASET,
	DECC_ORDER_WORKERPOOL,
	DECC_ORDER_REQUEST,
};

enum decc_order_operation {
	DECC_ORDER_OP_SIGN = 0,
	DECC_ORDER_OP_CLOSE = 1,
};

#define DECC_ORDER_MAX_PARAMS 16384 /* bytes of a request's params string */
#define DECC_ORDER_MAX_SIGN 1024    /* bytes of a sign field (ERC-1271 signatures can be long) */

/* One struct for the four types; the fields a type does not have stay zero. */
struct decc_order {
	enum decc_order_type type;
	decc_address app;	 /* app, request */
	decc_address dataset;	 /* dataset, request */
	decc_address workerpool; /* workerpool, request (a restriction there) */
	decc_u256 price;	 /* appprice / datasetprice / workerpoolprice */
	decc_u256 appmaxprice, datasetmaxprice, workerpoolmaxprice; /* request */
	decc_u256 volume;
	uint8_t tag[32];
	decc_u256 category, trust; /* workerpool, request */
	decc_address apprestrict, datasetrestrict, workerpoolrestrict, requesterrestrict;
	decc_address requester, beneficiary, callback; /* request */
	char *params;				       /* request; owned, never NULL after init */
	uint8_t salt[32];
	struct decc_buf sign; /* empty when unsigned or presigned */
};

DECC_EXTERN void decc_order_init(struct decc_order *o, enum decc_order_type type);
DECC_EXTERN void decc_order_release(struct decc_order *o);
DECC_EXTERN const char *decc_order_type_name(enum decc_order_type t); /* "app", ... */
DECC_EXTERN DECC_MUST_USE int decc_order_type_parse(enum decc_order_type *out, const char *s);

/*
 * Parse the SDK JSON form. Unknown fields, missing required fields, bad checksums and
 * non-decimal integers are errors naming the field. *has_salt tells whether "salt" was given
 * (has_salt may be NULL); a missing "sign" leaves the order unsigned.
 */
DECC_EXTERN DECC_MUST_USE int decc_order_from_json(struct decc_order *out, bool *has_salt,
						   enum decc_order_type type, const char *json,
						   size_t n);
/* The SDK JSON form (sign included when present), as one compact JSON object. */
DECC_EXTERN DECC_MUST_USE int decc_order_to_json(struct decc_buf *out, const struct decc_order *o);

/* The PoCo domain for a hub: name "iExecODB", version "5.0.0". */
DECC_EXTERN void decc_order_domain(struct decc_eip712_domain *out, uint64_t chain_id,
				   const decc_address *hub);
DECC_EXTERN void decc_order_type_hash(uint8_t out[32], enum decc_order_type t);
DECC_EXTERN void decc_order_operation_type_hash(uint8_t out[32], enum decc_order_type t);
DECC_EXTERN void decc_order_struct_hash(uint8_t out[32], const struct decc_order *o);
/* The typed-data digest used on chain (consumed and presigned maps, events, deal ids). */
DECC_EXTERN void decc_order_hash(uint8_t out[32], const uint8_t domain_separator[32],
				 const struct decc_order *o);
DECC_EXTERN void decc_order_operation_hash(uint8_t out[32], const uint8_t domain_separator[32],
					   const struct decc_order *o,
					   enum decc_order_operation op);
/* Sign the order hash with sk (65 bytes, v = 27/28) into o->sign. */
DECC_EXTERN DECC_MUST_USE int
decc_order_sign(struct decc_order *o, const uint8_t domain_separator[32], const uint8_t sk[32]);
/* Check o->sign recovers to signer (DECC_EAUTH otherwise). */
DECC_EXTERN DECC_MUST_USE int decc_order_verify(const struct decc_order *o,
						const uint8_t domain_separator[32],
						const decc_address *signer);

#endif
