/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Orders on the hub (§1): ABI <-> struct decc_order, typed hashes with the stored domain
 * separator, SignatureVerifier (signature or presignature, EIP-191 messages, restrictions),
 * manage*Order (presign / close) and broadcast*Order.
 *
 * There are no user contracts on decc node: the only accounts with code are the native
 * contracts (hub, registries, assets), and none of them implements ERC-1271 isValidSignature
 * or ERC-734 keyHasPurpose. The contract paths of the Solidity code therefore always yield
 * "false" here, which is what the EVM would answer for these contracts.
 */
#include <stdlib.h>

#include "internal.h"

#define AO "(address,uint256,uint256,bytes32,address,address,address,bytes32,bytes)"
#define WO "(address,uint256,uint256,bytes32,uint256,uint256,address,address,address,bytes32,bytes)"
#define RO                                                                                         \
	"(address,uint256,address,uint256,address,uint256,address,uint256,bytes32,uint256,"        \
	"uint256,"                                                                                 \
	"address,address,string,bytes32,bytes)"

static void A(decc_address *o, const struct decc_abi_value *t, size_t i)
{
	memcpy(o->b, t->items[i]->word + 12, 20);
}

static void U(decc_u256 *o, const struct decc_abi_value *t, size_t i)
{
	decc_u256_from_be(o, t->items[i]->word);
}

static void B(uint8_t o[32], const struct decc_abi_value *t, size_t i)
{
	memcpy(o, t->items[i]->word, 32);
}

int poco_order_from_abi(struct decc_order *o, enum decc_order_type type,
			const struct decc_abi_value *t)
{
	size_t sign_i;

	decc_order_init(o, type);
	switch (type) {
	case DECC_ORDER_APP:
	case DECC_ORDER_DATASET:
		if (t->n_items != 9)
			return decc_error_set(DECC_EINVAL, "order tuple has %zu fields",
					      t->n_items);
		A(type == DECC_ORDER_APP ? &o->app : &o->dataset, t, 0);
		U(&o->price, t, 1);
		U(&o->volume, t, 2);
		B(o->tag, t, 3);
		A(type == DECC_ORDER_APP ? &o->datasetrestrict : &o->apprestrict, t, 4);
		A(&o->workerpoolrestrict, t, 5);
		A(&o->requesterrestrict, t, 6);
		B(o->salt, t, 7);
		sign_i = 8;
		break;
	case DECC_ORDER_WORKERPOOL:
		if (t->n_items != 11)
			return decc_error_set(DECC_EINVAL, "order tuple has %zu fields",
					      t->n_items);
		A(&o->workerpool, t, 0);
		U(&o->price, t, 1);
		U(&o->volume, t, 2);
		B(o->tag, t, 3);
		U(&o->category, t, 4);
		U(&o->trust, t, 5);
		A(&o->apprestrict, t, 6);
		A(&o->datasetrestrict, t, 7);
		A(&o->requesterrestrict, t, 8);
		B(o->salt, t, 9);
		sign_i = 10;
		break;
	case DECC_ORDER_REQUEST: {
		const struct decc_buf *ps;
		char *params;

		if (t->n_items != 16)
			return decc_error_set(DECC_EINVAL, "order tuple has %zu fields",
					      t->n_items);
		A(&o->app, t, 0);
		U(&o->appmaxprice, t, 1);
		A(&o->dataset, t, 2);
		U(&o->datasetmaxprice, t, 3);
		A(&o->workerpool, t, 4);
		U(&o->workerpoolmaxprice, t, 5);
		A(&o->requester, t, 6);
		U(&o->volume, t, 7);
		B(o->tag, t, 8);
		U(&o->category, t, 9);
		U(&o->trust, t, 10);
		A(&o->beneficiary, t, 11);
		A(&o->callback, t, 12);
		/* params is a string: keep every byte (struct hash = keccak of the bytes; an
		 * embedded NUL would be cut by the C-string field, see the report) */
		ps = &t->items[13]->bytes;
		params = malloc(ps->len + 1);
		if (!params)
			return decc_error_set(DECC_ENOMEM, "out of memory");
		memcpy(params, ps->data, ps->len);
		params[ps->len] = 0;
		o->params = params; /* replaces the static empty string of decc_order_init */
		B(o->salt, t, 14);
		sign_i = 15;
		break;
	}
	default:
		return decc_error_set(DECC_EINVAL, "unknown order type");
	}
	/* calldata may carry any length (the contract only looks at 64/65): no order limit */
	o->sign.max = DECC_STATE_MAX_VALUE;
	return decc_buf_append(&o->sign, t->items[sign_i]->bytes.data, t->items[sign_i]->bytes.len);
}

static struct decc_abi_value *va(const decc_address *a)
{
	return decc_abi_address(a);
}

static struct decc_abi_value *vu(const decc_u256 *u)
{
	return decc_abi_uint(u);
}

struct decc_abi_value *poco_order_to_abi(const struct decc_order *o)
{
	struct decc_abi_value *sign = decc_abi_bytes(o->sign.data, o->sign.len);

	switch (o->type) {
	case DECC_ORDER_APP:
		return decc_abi_tuplev(9, va(&o->app), vu(&o->price), vu(&o->volume),
				       poco_v_b32(o->tag), va(&o->datasetrestrict),
				       va(&o->workerpoolrestrict), va(&o->requesterrestrict),
				       poco_v_b32(o->salt), sign);
	case DECC_ORDER_DATASET:
		return decc_abi_tuplev(9, va(&o->dataset), vu(&o->price), vu(&o->volume),
				       poco_v_b32(o->tag), va(&o->apprestrict),
				       va(&o->workerpoolrestrict), va(&o->requesterrestrict),
				       poco_v_b32(o->salt), sign);
	case DECC_ORDER_WORKERPOOL:
		return decc_abi_tuplev(11, va(&o->workerpool), vu(&o->price), vu(&o->volume),
				       poco_v_b32(o->tag), vu(&o->category), vu(&o->trust),
				       va(&o->apprestrict), va(&o->datasetrestrict),
				       va(&o->requesterrestrict), poco_v_b32(o->salt), sign);
	case DECC_ORDER_REQUEST:
		return decc_abi_tuplev(16, va(&o->app), vu(&o->appmaxprice), va(&o->dataset),
				       vu(&o->datasetmaxprice), va(&o->workerpool),
				       vu(&o->workerpoolmaxprice), va(&o->requester),
				       vu(&o->volume), poco_v_b32(o->tag), vu(&o->category),
				       vu(&o->trust), va(&o->beneficiary), va(&o->callback),
				       decc_abi_string(o->params), poco_v_b32(o->salt), sign);
	default:
		decc_abi_value_free(sign);
		return NULL;
	}
}

int poco_order_hash(struct poco *p, uint8_t out[32], const struct decc_order *o)
{
	uint8_t ds[32];

	DECC_TRY(poco_domain_sep(p, ds));
	decc_order_hash(out, ds, o);
	return 0;
}

/* OpenZeppelin v5 ECDSA.tryRecover: address(0) on any failure (bad v, high s, bad point). */
static decc_address try_recover(const uint8_t hash[32], const uint8_t *sig, size_t n)
{
	decc_address a = DECC_ADDRESS_ZERO;

	if (n == 65 && sig[64] != 27 && sig[64] != 28)
		return a;
	if (decc_eth_recover_digest(&a, hash, sig, n) < 0)
		return DECC_ADDRESS_ZERO;
	return a;
}

int poco_verify_signature(struct poco *p, bool *ok, const decc_address *account,
			  const uint8_t hash[32], const uint8_t *sig, size_t siglen)
{
	int err = 0;
	decc_address rec;

	if (poco_is_contract(p, account, &err)) {
		/* ERC-1271: no native contract implements isValidSignature */
		*ok = false;
		return 0;
	}
	if (err)
		return err;
	if (siglen != 65 && siglen != 64)
		return poco_revert(p, "invalid-signature-format");
	rec = try_recover(hash, sig, siglen);
	*ok = decc_address_eq(&rec, account);
	return 0;
}

int poco_verify_presignature(struct poco *p, bool *ok, const decc_address *account,
			     const uint8_t hash[32])
{
	decc_address ps;

	DECC_TRY(poco_presigned(p, &ps, hash));
	*ok = !decc_address_is_zero(account) && decc_address_eq(account, &ps);
	return 0;
}

int poco_verify_sig_or_presig(struct poco *p, bool *ok, const decc_address *account,
			      const uint8_t hash[32], const uint8_t *sig, size_t siglen)
{
	DECC_TRY(poco_verify_presignature(p, ok, account, hash));
	if (*ok)
		return 0;
	return poco_verify_signature(p, ok, account, hash, sig, siglen);
}

int poco_verify_eth_signed(struct poco *p, bool *ok, const decc_address *account, const void *msg,
			   size_t n, const uint8_t *sig, size_t siglen)
{
	uint8_t h[32], eh[32];

	decc_keccak256(h, msg, n);
	decc_eip191_hash(eh, h, 32);
	return poco_verify_signature(p, ok, account, eh, sig, siglen);
}

int poco_restriction_ok(struct poco *p, bool *ok, const decc_address *restriction,
			const decc_address *account)
{
	(void)p;
	/* a contract restriction would be an ERC-734 identity: none exists natively */
	*ok = decc_address_is_zero(restriction) || decc_address_eq(restriction, account);
	return 0;
}

/* ---- manage*Order ---- */

static const char *const signed_events[] = {
	"SignedAppOrder(bytes32)",
	"SignedDatasetOrder(bytes32)",
	"SignedWorkerpoolOrder(bytes32)",
	"SignedRequestOrder(bytes32)",
};
static const char *const closed_events[] = {
	"ClosedAppOrder(bytes32)",
	"ClosedDatasetOrder(bytes32)",
	"ClosedWorkerpoolOrder(bytes32)",
	"ClosedRequestOrder(bytes32)",
};

static int manage(struct poco *p, const struct decc_abi_value *args, enum decc_order_type type)
{
	const struct decc_abi_value *op = poco_arg(args, 0);
	struct decc_order o;
	decc_address owner;
	uint8_t ds[32], oph[32], h[32], topic[1][32];
	uint64_t operation = op->items[1]->word[31];
	const struct decc_buf *sign = &op->items[2]->bytes;
	bool ok = false;
	int r;

	if (!poco_b32_zero(op->items[1]->word) && op->items[1]->word[31] > 1) {
		/* enum out of range: the ABI decoder of solc reverts without data */
		return poco_revert(p, NULL);
	}
	r = poco_order_from_abi(&o, type, op->items[0]);
	if (r < 0)
		goto out;
	switch (type) {
	case DECC_ORDER_APP:
		r = poco_call_owner(p, &owner, &o.app);
		break;
	case DECC_ORDER_DATASET:
		r = poco_call_owner(p, &owner, &o.dataset);
		break;
	case DECC_ORDER_WORKERPOOL:
		r = poco_call_owner(p, &owner, &o.workerpool);
		break;
	default:
		owner = o.requester;
		break;
	}
	if (r < 0)
		goto out;
	r = poco_domain_sep(p, ds);
	if (r < 0)
		goto out;
	if (decc_address_eq(&owner, &p->sender)) {
		ok = true;
	} else {
		decc_order_operation_hash(oph, ds, &o, (enum decc_order_operation)operation);
		r = poco_verify_signature(p, &ok, &owner, oph, sign->data, sign->len);
		if (r < 0)
			goto out;
	}
	if (!ok) {
		r = poco_revert(p, "invalid-sender-or-signature");
		goto out;
	}
	decc_order_hash(h, ds, &o);
	if (operation == DECC_ORDER_OP_SIGN) {
		r = poco_set_presigned(p, h, &owner);
		poco_topic(topic[0], signed_events[type]);
	} else {
		r = poco_set_consumed(p, h, &o.volume);
		poco_topic(topic[0], closed_events[type]);
	}
	if (r == 0)
		r = poco_log(p, &p->cfg->hub, 1, topic, h, 32);
out:
	decc_order_release(&o);
	return r;
}

static int fn_manage_app(struct poco *p, const struct decc_abi_value *a)
{
	return manage(p, a, DECC_ORDER_APP);
}

static int fn_manage_dataset(struct poco *p, const struct decc_abi_value *a)
{
	return manage(p, a, DECC_ORDER_DATASET);
}

static int fn_manage_workerpool(struct poco *p, const struct decc_abi_value *a)
{
	return manage(p, a, DECC_ORDER_WORKERPOOL);
}

static int fn_manage_request(struct poco *p, const struct decc_abi_value *a)
{
	return manage(p, a, DECC_ORDER_REQUEST);
}

/* ---- broadcast*Order: events only ---- */

static int broadcast(struct poco *p, const struct decc_abi_value *args, enum decc_order_type type)
{
	static const char *const ev[] = {
		"BroadcastAppOrder(" AO ")",
		"BroadcastDatasetOrder(" AO ")",
		"BroadcastWorkerpoolOrder(" WO ")",
		"BroadcastRequestOrder(" RO ")",
	};
	static const char *const ty[] = { "(" AO ")", "(" AO ")", "(" WO ")", "(" RO ")" };
	struct decc_order o;
	uint8_t topic[1][32];
	int r = poco_order_from_abi(&o, type, poco_arg(args, 0));

	if (r == 0) {
		struct decc_abi_value *items[1] = { poco_order_to_abi(&o) };

		poco_topic(topic[0], ev[type]);
		r = poco_log_abi(p, &p->cfg->hub, 1, topic, ty[type], decc_abi_tuple(1, items));
	}
	decc_order_release(&o);
	return r;
}

static int fn_broadcast_app(struct poco *p, const struct decc_abi_value *a)
{
	return broadcast(p, a, DECC_ORDER_APP);
}

static int fn_broadcast_dataset(struct poco *p, const struct decc_abi_value *a)
{
	return broadcast(p, a, DECC_ORDER_DATASET);
}

static int fn_broadcast_workerpool(struct poco *p, const struct decc_abi_value *a)
{
	return broadcast(p, a, DECC_ORDER_WORKERPOOL);
}

static int fn_broadcast_request(struct poco *p, const struct decc_abi_value *a)
{
	return broadcast(p, a, DECC_ORDER_REQUEST);
}

/* ---- signature views ---- */

static int fn_verify_signature(struct poco *p, const struct decc_abi_value *args)
{
	decc_address a;
	uint8_t h[32];
	bool ok;

	poco_arg_addr(&a, args, 0);
	poco_arg_b32(h, args, 1);
	DECC_TRY(poco_verify_signature(p, &ok, &a, h, args->items[2]->bytes.data,
				       args->items[2]->bytes.len));
	return poco_return_bool(p, ok);
}

static int fn_verify_presignature(struct poco *p, const struct decc_abi_value *args)
{
	decc_address a;
	uint8_t h[32];
	bool ok;

	poco_arg_addr(&a, args, 0);
	poco_arg_b32(h, args, 1);
	DECC_TRY(poco_verify_presignature(p, &ok, &a, h));
	return poco_return_bool(p, ok);
}

static int fn_verify_either(struct poco *p, const struct decc_abi_value *args)
{
	decc_address a;
	uint8_t h[32];
	bool ok;

	poco_arg_addr(&a, args, 0);
	poco_arg_b32(h, args, 1);
	DECC_TRY(poco_verify_sig_or_presig(p, &ok, &a, h, args->items[2]->bytes.data,
					   args->items[2]->bytes.len));
	return poco_return_bool(p, ok);
}

const struct poco_fn poco_order_fns[] = {
	{ "manageAppOrder((" AO ",uint8,bytes))", fn_manage_app, false },
	{ "manageDatasetOrder((" AO ",uint8,bytes))", fn_manage_dataset, false },
	{ "manageWorkerpoolOrder((" WO ",uint8,bytes))", fn_manage_workerpool, false },
	{ "manageRequestOrder((" RO ",uint8,bytes))", fn_manage_request, false },
	{ "broadcastAppOrder(" AO ")", fn_broadcast_app, false },
	{ "broadcastDatasetOrder(" AO ")", fn_broadcast_dataset, false },
	{ "broadcastWorkerpoolOrder(" WO ")", fn_broadcast_workerpool, false },
	{ "broadcastRequestOrder(" RO ")", fn_broadcast_request, false },
	{ "verifySignature(address,bytes32,bytes)", fn_verify_signature, false },
	{ "verifyPresignature(address,bytes32)", fn_verify_presignature, false },
	{ "verifyPresignatureOrSignature(address,bytes32,bytes)", fn_verify_either, false },
};
const size_t poco_n_order_fns = DECC_ARRAY_SIZE(poco_order_fns);
