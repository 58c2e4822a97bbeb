/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Escrow of the hub (§5): the SRLC ledger (balances, frozen, allowances, supply), the four
 * internal moves of IexecEscrow.v8 (lock, unlock, reward, seize) and the native-mode facet
 * (deposit with msg.value, withdraw in wei) plus the ERC-20 facet (0.6 SafeMathExtended: bare requires).
 */
#include "internal.h"

static const uint8_t *topic_transfer(void)
{
	static const uint8_t t[32] = { 0xdd, 0xf2, 0x52, 0xad, 0x1b, 0xe2, 0xc8, 0x9b,
				       0x69, 0xc2, 0xb0, 0x68, 0xfc, 0x37, 0x8d, 0xaa,
				       0x95, 0x2b, 0xa7, 0xf1, 0x63, 0xc4, 0xa1, 0x16,
				       0x28, 0xf5, 0x5a, 0x4d, 0xf5, 0x23, 0xb3, 0xef };
	return t;
}

static int emit_transfer(struct poco *p, const decc_address *from, const decc_address *to,
			 const decc_u256 *v)
{
	uint8_t topics[3][32], data[32];

	memcpy(topics[0], topic_transfer(), 32);
	poco_addr_word(topics[1], from);
	poco_addr_word(topics[2], to);
	decc_u256_to_be(data, v);
	return poco_log(p, &p->cfg->hub, 3, topics, data, 32);
}

static int emit_amount(struct poco *p, const char *sig, const decc_address *a, const decc_u256 *v,
		       const uint8_t *ref)
{
	uint8_t topics[1][32], data[96];

	poco_topic(topics[0], sig);
	poco_addr_word(data, a);
	decc_u256_to_be(data + 32, v);
	if (ref)
		memcpy(data + 64, ref, 32);
	return poco_log(p, &p->cfg->hub, 1, topics, data, ref ? 96 : 64);
}

int poco_emit_lock(struct poco *p, const decc_address *a, const decc_u256 *v)
{
	return emit_amount(p, "Lock(address,uint256)", a, v, NULL);
}

int poco_emit_reward(struct poco *p, const decc_address *a, const decc_u256 *v,
		     const uint8_t ref[32])
{
	return emit_amount(p, "Reward(address,uint256,bytes32)", a, v, ref);
}

/* IexecEscrow.v8 _transfer */
static int escrow_transfer(struct poco *p, const decc_address *from, const decc_address *to,
			   const decc_u256 *v)
{
	decc_u256 fb, tb;

	if (decc_address_is_zero(from))
		return poco_revert(p, "IexecEscrow: Transfer from empty address");
	if (decc_address_is_zero(to))
		return poco_revert(p, "IexecEscrow: Transfer to empty address");
	DECC_TRY(poco_balance(p, &fb, from));
	if (decc_u256_cmp(v, &fb) > 0)
		return poco_revert(p, "IexecEscrow: Transfer amount exceeds balance");
	decc_u256_sub(&fb, &fb, v);
	DECC_TRY(poco_set_balance(p, from, &fb));
	DECC_TRY(poco_balance(p, &tb, to));
	/* unchecked in Solidity; cannot overflow since the supply is bounded */
	decc_u256_add(&tb, &tb, v);
	DECC_TRY(poco_set_balance(p, to, &tb));
	return emit_transfer(p, from, to, v);
}

int poco_lock(struct poco *p, const decc_address *a, const decc_u256 *v)
{
	decc_u256 f;

	DECC_TRY(escrow_transfer(p, a, &p->cfg->hub, v));
	DECC_TRY(poco_frozen(p, &f, a));
	DECC_TRY(poco_add(p, &f, &f, v));
	DECC_TRY(poco_set_frozen(p, a, &f));
	return poco_emit_lock(p, a, v);
}

int poco_unlock(struct poco *p, const decc_address *a, const decc_u256 *v)
{
	decc_u256 f;

	DECC_TRY(escrow_transfer(p, &p->cfg->hub, a, v));
	DECC_TRY(poco_frozen(p, &f, a));
	DECC_TRY(poco_sub(p, &f, &f, v));
	DECC_TRY(poco_set_frozen(p, a, &f));
	return emit_amount(p, "Unlock(address,uint256)", a, v, NULL);
}

int poco_reward(struct poco *p, const decc_address *a, const decc_u256 *v, const uint8_t ref[32])
{
	DECC_TRY(escrow_transfer(p, &p->cfg->hub, a, v));
	return poco_emit_reward(p, a, v, ref);
}

int poco_seize(struct poco *p, const decc_address *a, const decc_u256 *v, const uint8_t ref[32])
{
	decc_u256 f;

	DECC_TRY(poco_frozen(p, &f, a));
	DECC_TRY(poco_sub(p, &f, &f, v));
	DECC_TRY(poco_set_frozen(p, a, &f));
	return emit_amount(p, "Seize(address,uint256,bytes32)", a, v, ref);
}

/* ---- ERC-20 core (0.6.12, SafeMathExtended) ---- */

static int erc20_transfer(struct poco *p, const decc_address *from, const decc_address *to,
			  const decc_u256 *v)
{
	decc_u256 b;

	if (decc_address_is_zero(from))
		return poco_revert(p, "ERC20: transfer from the zero address");
	if (decc_address_is_zero(to))
		return poco_revert(p, "ERC20: transfer to the zero address");
	DECC_TRY(poco_balance(p, &b, from));
	DECC_TRY(poco_safe_sub(p, &b, &b, v));
	DECC_TRY(poco_set_balance(p, from, &b));
	DECC_TRY(poco_balance(p, &b, to));
	DECC_TRY(poco_safe_add(p, &b, &b, v));
	DECC_TRY(poco_set_balance(p, to, &b));
	return emit_transfer(p, from, to, v);
}

static int erc20_mint(struct poco *p, const decc_address *to, const decc_u256 *v)
{
	decc_u256 s, b;

	if (decc_address_is_zero(to))
		return poco_revert(p, "ERC20: mint to the zero address");
	DECC_TRY(poco_supply(p, &s));
	DECC_TRY(poco_safe_add(p, &s, &s, v));
	DECC_TRY(poco_set_supply(p, &s));
	DECC_TRY(poco_balance(p, &b, to));
	DECC_TRY(poco_safe_add(p, &b, &b, v));
	DECC_TRY(poco_set_balance(p, to, &b));
	return emit_transfer(p, &DECC_ADDRESS_ZERO, to, v);
}

static int erc20_burn(struct poco *p, const decc_address *from, const decc_u256 *v)
{
	decc_u256 s, b;

	if (decc_address_is_zero(from))
		return poco_revert(p, "ERC20: burn from the zero address");
	DECC_TRY(poco_supply(p, &s));
	DECC_TRY(poco_safe_sub(p, &s, &s, v));
	DECC_TRY(poco_set_supply(p, &s));
	DECC_TRY(poco_balance(p, &b, from));
	DECC_TRY(poco_safe_sub(p, &b, &b, v));
	DECC_TRY(poco_set_balance(p, from, &b));
	return emit_transfer(p, from, &DECC_ADDRESS_ZERO, v);
}

static int erc20_approve(struct poco *p, const decc_address *o, const decc_address *s,
			 const decc_u256 *v)
{
	uint8_t topics[3][32], data[32];

	if (decc_address_is_zero(o))
		return poco_revert(p, "ERC20: approve from the zero address");
	if (decc_address_is_zero(s))
		return poco_revert(p, "ERC20: approve to the zero address");
	DECC_TRY(poco_set_allowance(p, o, s, v));
	poco_topic(topics[0], "Approval(address,address,uint256)");
	poco_addr_word(topics[1], o);
	poco_addr_word(topics[2], s);
	decc_u256_to_be(data, v);
	return poco_log(p, &p->cfg->hub, 3, topics, data, 32);
}

/* ---- native escrow ---- */

/* `to.call{value: wei}("")`: an EOA accepts; the hub's receive() deposits; other native
 * contracts have no receive function and fail. */
static int send_wei(struct poco *p, const decc_address *to, const decc_u256 *wei)
{
	int err = 0;
	int r;

	if (decc_address_eq(to, &p->cfg->hub)) {
		/* The hub calling itself: receive() mints to the hub; the wei stay where they
		 * are. */
		decc_u256 q, rem, unit = decc_u256_from_u64(DECC_POCO_NRLC_WEI);

		decc_u256_divmod(&q, &rem, wei, &unit);
		return erc20_mint(p, &p->cfg->hub, &q);
	}
	if (poco_is_contract(p, to, &err))
		return poco_revert(p, "native-transfer-failed");
	if (err)
		return err;
	if (decc_u256_is_zero(wei))
		return 0;
	r = p->st->ops->transfer(p->st->ctx, &p->cfg->hub, to, wei);
	if (r == DECC_EREVERT)
		return poco_revert(p, "native-transfer-failed");
	return r;
}

int poco_deposit_value(struct poco *p, const decc_address *target)
{
	decc_u256 q, rem, unit = decc_u256_from_u64(DECC_POCO_NRLC_WEI);

	decc_u256_divmod(&q, &rem, &p->call->value, &unit);
	DECC_TRY(erc20_mint(p, target, &q));
	return send_wei(p, &p->sender, &rem);
}

static int fn_deposit(struct poco *p, const struct decc_abi_value *args)
{
	(void)args;
	DECC_TRY(poco_deposit_value(p, &p->sender));
	return poco_return_bool(p, true);
}

static int fn_deposit_for(struct poco *p, const struct decc_abi_value *args)
{
	decc_address t;

	poco_arg_addr(&t, args, 0);
	DECC_TRY(poco_deposit_value(p, &t));
	return poco_return_bool(p, true);
}

static int fn_deposit_for_array(struct poco *p, const struct decc_abi_value *args)
{
	const struct decc_abi_value *amounts = poco_arg(args, 0), *targets = poco_arg(args, 1);
	decc_u256 remaining = p->call->value, unit = decc_u256_from_u64(DECC_POCO_NRLC_WEI);

	if (amounts->n_items != targets->n_items)
		return poco_revert(p, "invalid-array-length");
	for (size_t i = 0; i < amounts->n_items; i++) {
		decc_u256 a, wei;
		decc_address t;

		decc_u256_from_be(&a, amounts->items[i]->word);
		memcpy(t.b, targets->items[i]->word + 12, 20);
		DECC_TRY(erc20_mint(p, &t, &a));
		DECC_TRY(poco_safe_mul(p, &wei, &a, &unit));
		DECC_TRY(poco_safe_sub(p, &remaining, &remaining, &wei));
	}
	DECC_TRY(send_wei(p, &p->sender, &remaining));
	return poco_return_bool(p, true);
}

static int withdraw_to(struct poco *p, const decc_u256 *amount, const decc_address *to)
{
	decc_u256 wei, unit = decc_u256_from_u64(DECC_POCO_NRLC_WEI);

	DECC_TRY(erc20_burn(p, &p->sender, amount));
	DECC_TRY(poco_safe_mul(p, &wei, amount, &unit));
	DECC_TRY(send_wei(p, to, &wei));
	return poco_return_bool(p, true);
}

static int fn_withdraw(struct poco *p, const struct decc_abi_value *args)
{
	decc_u256 a;

	poco_arg_u256(&a, args, 0);
	return withdraw_to(p, &a, &p->sender);
}

static int fn_withdraw_to(struct poco *p, const struct decc_abi_value *args)
{
	decc_u256 a;
	decc_address t;

	poco_arg_u256(&a, args, 0);
	poco_arg_addr(&t, args, 1);
	return withdraw_to(p, &a, &t);
}

static int only_owner(struct poco *p)
{
	decc_address o;

	DECC_TRY(poco_config_addr(p, &o, 'O'));
	if (!decc_address_eq(&o, &p->sender))
		return poco_revert(p, "Ownable: caller is not the owner");
	return 0;
}

static int fn_recover(struct poco *p, const struct decc_abi_value *args)
{
	decc_u256 bal, q, rem, s, delta, unit = decc_u256_from_u64(DECC_POCO_NRLC_WEI);
	decc_address o;

	(void)args;
	DECC_TRY(only_owner(p));
	DECC_TRY(p->st->ops->balance(p->st->ctx, &bal, &p->cfg->hub));
	decc_u256_divmod(&q, &rem, &bal, &unit);
	DECC_TRY(poco_supply(p, &s));
	DECC_TRY(poco_safe_sub(p, &delta, &q, &s));
	DECC_TRY(poco_config_addr(p, &o, 'O'));
	DECC_TRY(erc20_mint(p, &o, &delta));
	return poco_return_u256(p, &delta);
}

static int fn_transfer(struct poco *p, const struct decc_abi_value *args)
{
	decc_address to;
	decc_u256 v;

	poco_arg_addr(&to, args, 0);
	poco_arg_u256(&v, args, 1);
	DECC_TRY(erc20_transfer(p, &p->sender, &to, &v));
	return poco_return_bool(p, true);
}

static int fn_transfer_from(struct poco *p, const struct decc_abi_value *args)
{
	decc_address from, to;
	decc_u256 v, al;

	poco_arg_addr(&from, args, 0);
	poco_arg_addr(&to, args, 1);
	poco_arg_u256(&v, args, 2);
	DECC_TRY(erc20_transfer(p, &from, &to, &v));
	DECC_TRY(poco_allowance(p, &al, &from, &p->sender));
	DECC_TRY(poco_safe_sub(p, &al, &al, &v));
	DECC_TRY(erc20_approve(p, &from, &p->sender, &al));
	return poco_return_bool(p, true);
}

static int fn_approve(struct poco *p, const struct decc_abi_value *args)
{
	decc_address s;
	decc_u256 v;

	poco_arg_addr(&s, args, 0);
	poco_arg_u256(&v, args, 1);
	DECC_TRY(erc20_approve(p, &p->sender, &s, &v));
	return poco_return_bool(p, true);
}

static int change_allowance(struct poco *p, const struct decc_abi_value *args, bool up)
{
	decc_address s;
	decc_u256 v, al;

	poco_arg_addr(&s, args, 0);
	poco_arg_u256(&v, args, 1);
	DECC_TRY(poco_allowance(p, &al, &p->sender, &s));
	if (up)
		DECC_TRY(poco_safe_add(p, &al, &al, &v));
	else
		DECC_TRY(poco_safe_sub(p, &al, &al, &v));
	DECC_TRY(erc20_approve(p, &p->sender, &s, &al));
	return poco_return_bool(p, true);
}

static int fn_increase_allowance(struct poco *p, const struct decc_abi_value *args)
{
	return change_allowance(p, args, true);
}

static int fn_decrease_allowance(struct poco *p, const struct decc_abi_value *args)
{
	return change_allowance(p, args, false);
}

/*
 * approveAndCall calls spender.receiveApproval(...). On decc no contract implements it (the
 * native-mode hub has no receiveApproval and there are no user contracts); a call to an EOA
 * reverts in Solidity (no code), so the whole call always reverts with empty data after the
 * approval, exactly as the EVM would here.
 */
static int fn_approve_and_call(struct poco *p, const struct decc_abi_value *args)
{
	decc_address s;
	decc_u256 v;

	poco_arg_addr(&s, args, 0);
	poco_arg_u256(&v, args, 1);
	DECC_TRY(erc20_approve(p, &p->sender, &s, &v));
	return poco_revert(p, NULL);
}

const struct poco_fn poco_escrow_fns[] = {
	{ "deposit()", fn_deposit, true },
	{ "depositFor(address)", fn_deposit_for, true },
	{ "depositForArray(uint256[],address[])", fn_deposit_for_array, true },
	{ "withdraw(uint256)", fn_withdraw, false },
	{ "withdrawTo(uint256,address)", fn_withdraw_to, false },
	{ "recover()", fn_recover, false },
	{ "transfer(address,uint256)", fn_transfer, false },
	{ "transferFrom(address,address,uint256)", fn_transfer_from, false },
	{ "approve(address,uint256)", fn_approve, false },
	{ "increaseAllowance(address,uint256)", fn_increase_allowance, false },
	{ "decreaseAllowance(address,uint256)", fn_decrease_allowance, false },
	{ "approveAndCall(address,uint256,bytes)", fn_approve_and_call, false },
};
const size_t poco_n_escrow_fns = DECC_ARRAY_SIZE(poco_escrow_fns);
