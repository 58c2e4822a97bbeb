/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Token mode: a hub whose token() is an ERC-20 (the RLC contract, 9 decimals) holds RLC in
 * escrow instead of the chain coin. The wallet balance of RLC, transfers and the mode itself.
 */
#include <string.h>

#include "decc/error.h"
#include "internal.h"

int decc_chain_escrow_mode(struct decc_chain *c, enum decc_chain_escrow *mode, decc_address *token)
{
	decc_address t;

	DECC_TRY(decc_chain_token(c, &t));
	if (mode)
		*mode = decc_address_is_zero(&t) ? DECC_ESCROW_NATIVE : DECC_ESCROW_TOKEN;
	if (token)
		*token = t;
	return 0;
}

/* The hub's token, DECC_EINVAL on a native-mode hub. */
static int need_token(struct decc_chain *c, decc_address *token)
{
	enum decc_chain_escrow mode;

	DECC_TRY(decc_chain_escrow_mode(c, &mode, token));
	if (mode != DECC_ESCROW_TOKEN)
		return decc_error_set(DECC_EINVAL,
				      "the hub is in native mode (token() is zero): there is no "
				      "RLC token, the chain coin is the RLC");
	return 0;
}

int decc_chain_rlc_balance(struct decc_chain *c, decc_u256 *out, const decc_address *a)
{
	struct decc_abi_value *args, *res = NULL;
	decc_address token;
	decc_u256 v;
	int r;

	DECC_TRY(need_token(c, &token));
	args = decc_abi_tuplev(1, decc_abi_address(a));
	if (!args)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	r = decc_chain_call_fn(c, &res, &token, "balanceOf(address)", args, "(uint256)");
	decc_abi_value_free(args);
	if (r < 0)
		return decc_error_wrap(r, "RLC balanceOf");
	if (res->kind != DECC_ABI_TUPLE || res->n_items != 1)
		r = decc_error_set(DECC_EINVAL, "RLC balanceOf: unexpected return value");
	else
		r = decc_abi_get_u256(&v, res->items[0]);
	decc_abi_value_free(res);
	if (r == 0)
		*out = v;
	return r;
}

int decc_chain_rlc_transfer(struct decc_chain *c, struct decc_chain_receipt *receipt,
			    const decc_address *to, const decc_u256 *nrlc)
{
	struct decc_abi_value *args;
	decc_address token, me;
	decc_u256 have;
	char h[79], w[79];
	int r;

	DECC_TRY(decc_chain_address(c, &me));
	DECC_TRY(need_token(c, &token));
	DECC_TRY(decc_chain_rlc_balance(c, &have, &me));
	if (decc_u256_cmp(&have, nrlc) < 0) {
		decc_u256_to_dec(h, &have);
		decc_u256_to_dec(w, nrlc);
		return decc_error_set(DECC_EINVAL,
				      "not enough RLC: the wallet holds %s nRLC, the transfer "
				      "needs %s",
				      h, w);
	}
	args = decc_abi_tuplev(2, decc_abi_address(to), decc_abi_uint(nrlc));
	if (!args)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	r = decc_chain_transact_fn(c, receipt, &token, "transfer(address,uint256)", args, NULL);
	decc_abi_value_free(args);
	return r < 0 ? decc_error_wrap(r, "RLC transfer") : 0;
}

int decc_chain_deposit_checked(struct decc_chain *c, const decc_u256 *nrlc)
{
	enum decc_chain_escrow mode;
	decc_address me;
	decc_u256 have;
	char h[79], w[79];

	DECC_TRY(decc_chain_address(c, &me));
	DECC_TRY(decc_chain_escrow_mode(c, &mode, NULL));
	if (mode == DECC_ESCROW_TOKEN) {
		DECC_TRY(decc_chain_rlc_balance(c, &have, &me));
		if (decc_u256_cmp(&have, nrlc) < 0) {
			decc_u256_to_dec(h, &have);
			decc_u256_to_dec(w, nrlc);
			return decc_error_set(DECC_EINVAL,
					      "not enough RLC: the wallet holds %s nRLC, the "
					      "deposit needs %s (token-mode hub: deposits come "
					      "from the wallet's RLC)",
					      h, w);
		}
	}
	return decc_chain_deposit(c, nrlc);
}
