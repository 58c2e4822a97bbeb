/* SPDX-License-Identifier: Apache-2.0 */
/* EIP-712 typed structured data hashing. */
#ifndef DECC_EIP712_H
#define DECC_EIP712_H

#include "decc/address.h"
#include "decc/u256.h"

struct decc_eip712_domain {
	const char *name;
	const char *version;
	decc_u256 chain_id;
	decc_address verifying_contract;
};

/* keccak256(abi.encode(EIP712Domain typehash, keccak(name), keccak(version), chainId, contract)) */
DECC_EXTERN void decc_eip712_domain_separator(uint8_t out[32], const struct decc_eip712_domain *d);
/* keccak256(0x19 || 0x01 || domainSeparator || structHash) */
DECC_EXTERN void decc_eip712_digest(uint8_t out[32], const uint8_t domain_separator[32],
				    const uint8_t struct_hash[32]);

/*
 * Generic typed data as eth_signTypedData_v4 takes it: a JSON object with "types",
 * "primaryType", "domain" and "message". Nested structs, arrays, bytes and strings are
 * supported. out gets the final digest; domain_separator and struct_hash may be NULL.
 */
DECC_EXTERN DECC_MUST_USE int decc_eip712_hash_json(uint8_t out[32], uint8_t *domain_separator,
						    uint8_t *struct_hash, const char *json,
						    size_t n);
/* The encodeType string and type hash of a type in a typed-data JSON ("types" member). */
DECC_EXTERN DECC_MUST_USE int decc_eip712_type_hash_json(uint8_t out[32], const char *types_json,
							 size_t n, const char *type_name);

#endif
