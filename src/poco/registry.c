/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The App, Dataset and Workerpool registries (§4): ERC-721 (OpenZeppelin 3.3 semantics and
 * revert strings, enumerable), Ownable, the CREATE2 factories and predictors, and the asset
 * contracts they create (App, Dataset, Workerpool: getters, owner(), changePolicy).
 *
 * Keys (kind = 1 app, 2 dataset, 3 workerpool):
 *   'O' kind token -> owner     'N' kind owner -> balance    'E' kind -> total supply
 *   'e' kind idx8 -> token      'h' kind owner idx8 -> token 'H' kind token -> idx in owner set
 *   'A' kind token -> approved  'X' kind owner operator -> approved for all
 *   'Y' kind -> registry owner  'U' kind -> base URI         'I' kind -> initialized, previous
 *
 * Entry addresses: CREATE2 as the registry does it, salt = keccak256(initializer || owner),
 * address = keccak256(0xff || registry || salt || proxyCodeHash)[12..]. There is no EVM here,
 * so proxyCode() is decc's own fixed byte string (documented in proxy_code below); predict*()
 * and create*() agree, and clients read the address from the Transfer log as with the real
 * registries.
 */
#include <stdio.h>

#include "internal.h"

static const char proxy_code[] =
    "decc native PoCo v5 registry entry (InitializableUpgradeabilityProxy)";

static const char *const reg_names[] = { "", "iExec Application Registry (V5)",
					 "iExec Dataset Registry (V5)",
					 "iExec Workerpool Registry (V5)" };
static const char *const reg_symbols[] = { "", "iExecAppsV5", "iExecDatasetsV5",
					   "iExecWorkerpoolV5" };

enum poco_kind poco_registry_kind(const struct poco *p, const decc_address *a)
{
	if (decc_address_eq(a, &p->cfg->app_registry))
		return POCO_APP;
	if (decc_address_eq(a, &p->cfg->dataset_registry))
		return POCO_DATASET;
	if (decc_address_eq(a, &p->cfg->workerpool_registry))
		return POCO_WORKERPOOL;
	return POCO_NONE;
}

const decc_address *poco_registry_addr(const struct poco *p, enum poco_kind k)
{
	switch (k) {
	case POCO_APP:
		return &p->cfg->app_registry;
	case POCO_DATASET:
		return &p->cfg->dataset_registry;
	default:
		return &p->cfg->workerpool_registry;
	}
}

static size_t rkey(uint8_t *k, char tag, enum poco_kind kind, const void *a, size_t an,
		   const void *b, size_t bn)
{
	k[0] = (uint8_t)tag;
	k[1] = (uint8_t)kind;
	if (an)
		memcpy(k + 2, a, an);
	if (bn)
		memcpy(k + 2 + an, b, bn);
	return 2 + an + bn;
}

static void be8(uint8_t out[8], uint64_t v)
{
	for (int i = 0; i < 8; i++)
		out[i] = (uint8_t)(v >> (56 - 8 * i));
}

int poco_nft_owner(struct poco *p, decc_address *out, enum poco_kind k, const decc_address *tok)
{
	uint8_t key[64];
	return poco_get_addr(p, out, key, rkey(key, 'O', k, tok->b, 20, NULL, 0));
}

static int get_u(struct poco *p, decc_u256 *v, char tag, enum poco_kind k, const void *a, size_t an,
		 const void *b, size_t bn)
{
	uint8_t key[80];
	return poco_get_u256(p, v, key, rkey(key, tag, k, a, an, b, bn));
}

static int put_u(struct poco *p, const decc_u256 *v, char tag, enum poco_kind k, const void *a,
		 size_t an, const void *b, size_t bn)
{
	uint8_t key[80];
	return poco_put_u256(p, key, rkey(key, tag, k, a, an, b, bn), v);
}

static int get_a(struct poco *p, decc_address *v, char tag, enum poco_kind k, const void *a,
		 size_t an, const void *b, size_t bn)
{
	uint8_t key[80];
	return poco_get_addr(p, v, key, rkey(key, tag, k, a, an, b, bn));
}

static int put_a(struct poco *p, const decc_address *v, char tag, enum poco_kind k, const void *a,
		 size_t an, const void *b, size_t bn)
{
	uint8_t key[80];
	return poco_put_addr(p, key, rkey(key, tag, k, a, an, b, bn), v);
}

static int emit_nft_transfer(struct poco *p, enum poco_kind k, const decc_address *from,
			     const decc_address *to, const decc_address *tok)
{
	uint8_t topics[4][32];

	poco_topic(topics[0], "Transfer(address,address,uint256)");
	poco_addr_word(topics[1], from);
	poco_addr_word(topics[2], to);
	poco_addr_word(topics[3], tok);
	return poco_log(p, poco_registry_addr(p, k), 4, topics, NULL, 0);
}

/* owner's enumerable set: append / swap-and-pop (OpenZeppelin EnumerableSet) */
static int holder_add(struct poco *p, enum poco_kind k, const decc_address *owner,
		      const decc_address *tok)
{
	decc_u256 n, one = decc_u256_from_u64(1);
	uint64_t i;
	uint8_t idx[8];

	DECC_TRY(get_u(p, &n, 'N', k, owner->b, 20, NULL, 0));
	if (!decc_u256_to_u64(&n, &i))
		return decc_error_set(DECC_EINVAL, "corrupt registry state");
	be8(idx, i);
	DECC_TRY(put_a(p, tok, 'h', k, owner->b, 20, idx, 8));
	n = decc_u256_from_u64(i + 1);
	DECC_TRY(put_u(p, &n, 'H', k, tok->b, 20, NULL, 0)); /* position + 1 */
	(void)one;
	return put_u(p, &n, 'N', k, owner->b, 20, NULL, 0);
}

static int holder_remove(struct poco *p, enum poco_kind k, const decc_address *owner,
			 const decc_address *tok)
{
	decc_u256 n, pos;
	uint64_t cnt, at;
	uint8_t idx[8];
	decc_address last;

	DECC_TRY(get_u(p, &n, 'N', k, owner->b, 20, NULL, 0));
	DECC_TRY(get_u(p, &pos, 'H', k, tok->b, 20, NULL, 0));
	if (!decc_u256_to_u64(&n, &cnt) || !decc_u256_to_u64(&pos, &at) || at == 0 || at > cnt)
		return decc_error_set(DECC_EINVAL, "corrupt registry state");
	at--;
	be8(idx, cnt - 1);
	DECC_TRY(get_a(p, &last, 'h', k, owner->b, 20, idx, 8));
	if (at != cnt - 1) {
		decc_u256 np = decc_u256_from_u64(at + 1);

		be8(idx, at);
		DECC_TRY(put_a(p, &last, 'h', k, owner->b, 20, idx, 8));
		DECC_TRY(put_u(p, &np, 'H', k, last.b, 20, NULL, 0));
		be8(idx, cnt - 1);
	}
	DECC_TRY(put_a(p, &DECC_ADDRESS_ZERO, 'h', k, owner->b, 20, idx, 8));
	DECC_TRY(put_u(p, &DECC_U256_ZERO, 'H', k, tok->b, 20, NULL, 0));
	n = decc_u256_from_u64(cnt - 1);
	return put_u(p, &n, 'N', k, owner->b, 20, NULL, 0);
}

static int nft_mint(struct poco *p, enum poco_kind k, const decc_address *to,
		    const decc_address *tok)
{
	decc_address cur;
	decc_u256 total;
	uint64_t t;
	uint8_t idx[8];

	if (decc_address_is_zero(to))
		return poco_revert(p, "ERC721: mint to the zero address");
	DECC_TRY(poco_nft_owner(p, &cur, k, tok));
	if (!decc_address_is_zero(&cur))
		return poco_revert(p, "ERC721: token already minted");
	DECC_TRY(holder_add(p, k, to, tok));
	DECC_TRY(put_a(p, to, 'O', k, tok->b, 20, NULL, 0));
	DECC_TRY(get_u(p, &total, 'E', k, NULL, 0, NULL, 0));
	if (!decc_u256_to_u64(&total, &t))
		return decc_error_set(DECC_EINVAL, "corrupt registry state");
	be8(idx, t);
	DECC_TRY(put_a(p, tok, 'e', k, idx, 8, NULL, 0));
	total = decc_u256_from_u64(t + 1);
	DECC_TRY(put_u(p, &total, 'E', k, NULL, 0, NULL, 0));
	return emit_nft_transfer(p, k, &DECC_ADDRESS_ZERO, to, tok);
}

static int emit_approval(struct poco *p, enum poco_kind k, const decc_address *owner,
			 const decc_address *approved, const decc_address *tok)
{
	uint8_t topics[4][32];

	poco_topic(topics[0], "Approval(address,address,uint256)");
	poco_addr_word(topics[1], owner);
	poco_addr_word(topics[2], approved);
	poco_addr_word(topics[3], tok);
	return poco_log(p, poco_registry_addr(p, k), 4, topics, NULL, 0);
}

static int owner_of(struct poco *p, decc_address *out, enum poco_kind k, const decc_address *tok)
{
	DECC_TRY(poco_nft_owner(p, out, k, tok));
	if (decc_address_is_zero(out))
		return poco_revert(p, "ERC721: owner query for nonexistent token");
	return 0;
}

static int is_approved_for_all(struct poco *p, bool *out, enum poco_kind k,
			       const decc_address *owner, const decc_address *op)
{
	decc_u256 v;

	DECC_TRY(get_u(p, &v, 'X', k, owner->b, 20, op->b, 20));
	*out = !decc_u256_is_zero(&v);
	return 0;
}

static int nft_transfer(struct poco *p, enum poco_kind k, const decc_address *from,
			const decc_address *to, const decc_address *tok, bool safe)
{
	decc_address owner, approved;
	bool all;
	int err = 0;

	/* _isApprovedOrOwner */
	DECC_TRY(poco_nft_owner(p, &owner, k, tok));
	if (decc_address_is_zero(&owner))
		return poco_revert(p, "ERC721: operator query for nonexistent token");
	DECC_TRY(get_a(p, &approved, 'A', k, tok->b, 20, NULL, 0));
	DECC_TRY(is_approved_for_all(p, &all, k, &owner, &p->sender));
	if (!decc_address_eq(&p->sender, &owner) && !decc_address_eq(&p->sender, &approved) && !all)
		return poco_revert(p, "ERC721: transfer caller is not owner nor approved");
	if (!decc_address_eq(&owner, from))
		return poco_revert(p, "ERC721: transfer of token that is not own");
	if (decc_address_is_zero(to))
		return poco_revert(p, "ERC721: transfer to the zero address");
	/* clear approval */
	if (!decc_address_is_zero(&approved)) {
		DECC_TRY(put_a(p, &DECC_ADDRESS_ZERO, 'A', k, tok->b, 20, NULL, 0));
	}
	DECC_TRY(emit_approval(p, k, &owner, &DECC_ADDRESS_ZERO, tok));
	DECC_TRY(holder_remove(p, k, from, tok));
	DECC_TRY(holder_add(p, k, to, tok));
	DECC_TRY(put_a(p, to, 'O', k, tok->b, 20, NULL, 0));
	DECC_TRY(emit_nft_transfer(p, k, from, to, tok));
	/* safeTransfer to a contract: no native contract implements onERC721Received */
	if (safe && poco_is_contract(p, to, &err))
		return poco_revert(p, "ERC721: transfer to non ERC721Receiver implementer");
	return err;
}

/* ---- calls made by the hub ---- */

int poco_call_is_registered(struct poco *p, bool *out, const decc_address *registry,
			    const decc_address *entry)
{
	enum poco_kind k = poco_registry_kind(p, registry);
	decc_address o;

	if (k == POCO_NONE)
		return poco_revert(p, NULL);
	DECC_TRY(poco_nft_owner(p, &o, k, entry));
	/* previous registry: always 0 on decc (initialize(address) is done at genesis) */
	*out = !decc_address_is_zero(&o);
	return 0;
}

int poco_call_owner(struct poco *p, decc_address *out, const decc_address *target)
{
	enum poco_kind k;

	if (decc_address_eq(target, &p->cfg->hub))
		return poco_config_addr(p, out, 'O');
	k = poco_registry_kind(p, target);
	if (k != POCO_NONE)
		return get_a(p, out, 'Y', k, NULL, 0, NULL, 0);
	DECC_TRY(poco_asset_kind(p, &k, target));
	if (k == POCO_NONE)
		return poco_revert(p, NULL);
	return owner_of(p, out, k, target);
}

bool poco_is_contract(struct poco *p, const decc_address *a, int *err)
{
	enum poco_kind k;
	int r;

	if (decc_address_eq(a, &p->cfg->hub) || poco_registry_kind(p, a) != POCO_NONE ||
	    poco_is_dataprotector(p, a))
		return true;
	r = poco_asset_kind(p, &k, a);
	if (r < 0) {
		*err = r;
		return false;
	}
	return k != POCO_NONE;
}

/* ---- factory ---- */

static int predict(struct poco *p, decc_address *out, enum poco_kind k, const char *init_sig,
		   const struct decc_abi_value *init_args, const decc_address *owner)
{
	struct decc_buf init = DECC_BUF_INIT;
	uint8_t salt[32], code_hash[32], buf[85], h[32];
	int r = decc_abi_encode_call(&init, init_sig, init_args);

	if (r == 0)
		r = decc_buf_append(&init, owner->b, 20);
	if (r == 0) {
		decc_keccak256(salt, init.data, init.len);
		decc_keccak256(code_hash, proxy_code, strlen(proxy_code));
		buf[0] = 0xff;
		memcpy(buf + 1, poco_registry_addr(p, k)->b, 20);
		memcpy(buf + 21, salt, 32);
		memcpy(buf + 53, code_hash, 32);
		decc_keccak256(h, buf, 85);
		memcpy(out->b, h + 12, 20);
	}
	decc_buf_release(&init);
	return r;
}

static struct decc_abi_value *init_args(enum poco_kind k, const struct decc_abi_value *a)
{
	const struct decc_buf *n = &a->items[1]->bytes;

	switch (k) {
	case POCO_APP:
		return decc_abi_tuplev(
		    5, decc_abi_bytes(n->data, n->len), /* string */
		    decc_abi_bytes(a->items[2]->bytes.data, a->items[2]->bytes.len),
		    decc_abi_bytes(a->items[3]->bytes.data, a->items[3]->bytes.len),
		    decc_abi_fixed_bytes(a->items[4]->word, 32),
		    decc_abi_bytes(a->items[5]->bytes.data, a->items[5]->bytes.len));
	case POCO_DATASET:
		return decc_abi_tuplev(
		    3, decc_abi_bytes(n->data, n->len),
		    decc_abi_bytes(a->items[2]->bytes.data, a->items[2]->bytes.len),
		    decc_abi_fixed_bytes(a->items[3]->word, 32));
	default:
		return decc_abi_tuplev(1, decc_abi_bytes(n->data, n->len));
	}
}

static const char *init_sig(enum poco_kind k)
{
	switch (k) {
	case POCO_APP:
		return "initialize(string,string,bytes,bytes32,bytes)";
	case POCO_DATASET:
		return "initialize(string,bytes,bytes32)";
	default:
		return "initialize(string)";
	}
}

static int entry_address(struct poco *p, decc_address *out, enum poco_kind k,
			 const struct decc_abi_value *args)
{
	struct decc_abi_value *ia = init_args(k, args);
	decc_address owner;
	int r;

	if (!ia)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	/* string values are encoded like bytes; mark them as strings for the encoder */
	ia->items[0]->kind = DECC_ABI_STRING;
	if (k == POCO_APP)
		ia->items[1]->kind = DECC_ABI_STRING;
	poco_arg_addr(&owner, args, 0);
	r = predict(p, out, k, init_sig(k), ia, &owner);
	decc_abi_value_free(ia);
	return r;
}

static int fn_predict(struct poco *p, enum poco_kind k, const struct decc_abi_value *args)
{
	decc_address a;

	DECC_TRY(entry_address(p, &a, k, args));
	return poco_return_address(p, &a);
}

int poco_registry_create(struct poco *p, decc_address *out, enum poco_kind k,
			 const struct decc_abi_value *args)
{
	struct poco_asset as;
	decc_address a, owner;
	enum poco_kind existing;
	int r;

	DECC_TRY(entry_address(p, &a, k, args));
	poco_arg_addr(&owner, args, 0);
	DECC_TRY(poco_asset_kind(p, &existing, &a));
	if (existing != POCO_NONE)
		return poco_revert(p, "Create2: Failed on deploy");
	poco_asset_init(&as);
	as.kind = k;
	r = decc_buf_append(&as.name, args->items[1]->bytes.data, args->items[1]->bytes.len);
	if (r == 0 && k == POCO_APP) {
		r = decc_buf_append(&as.type, args->items[2]->bytes.data,
				    args->items[2]->bytes.len);
		if (r == 0)
			r = decc_buf_append(&as.multiaddr, args->items[3]->bytes.data,
					    args->items[3]->bytes.len);
		memcpy(as.checksum, args->items[4]->word, 32);
		if (r == 0)
			r = decc_buf_append(&as.mrenclave, args->items[5]->bytes.data,
					    args->items[5]->bytes.len);
	} else if (r == 0 && k == POCO_DATASET) {
		r = decc_buf_append(&as.multiaddr, args->items[2]->bytes.data,
				    args->items[2]->bytes.len);
		memcpy(as.checksum, args->items[3]->word, 32);
	} else if (r == 0) {
		as.stake_ratio = decc_u256_from_u64(30);
		as.scheduler_ratio = decc_u256_from_u64(1);
	}
	if (r == 0)
		r = poco_asset_put(p, &a, &as);
	poco_asset_release(&as);
	if (r == 0)
		r = nft_mint(p, k, &owner, &a);
	if (r == 0)
		*out = a;
	return r;
}

static int fn_create(struct poco *p, enum poco_kind k, const struct decc_abi_value *args)
{
	decc_address a;

	DECC_TRY(poco_registry_create(p, &a, k, args));
	return poco_return_address(p, &a);
}

#define KIND_FNS(kind, lower)                                                                      \
	static int fn_create_##lower(struct poco *p, const struct decc_abi_value *a)               \
	{                                                                                          \
		return fn_create(p, kind, a);                                                      \
	}                                                                                          \
	static int fn_predict_##lower(struct poco *p, const struct decc_abi_value *a)              \
	{                                                                                          \
		return fn_predict(p, kind, a);                                                     \
	}
KIND_FNS(POCO_APP, app)
KIND_FNS(POCO_DATASET, dataset)
KIND_FNS(POCO_WORKERPOOL, workerpool)

/* ---- registry functions (the kind comes from the called address) ---- */

static enum poco_kind this_kind(struct poco *p)
{
	return poco_registry_kind(p, &p->call->to);
}

static int fn_is_registered(struct poco *p, const struct decc_abi_value *args)
{
	decc_address e;
	bool ok;

	poco_arg_addr(&e, args, 0);
	DECC_TRY(poco_call_is_registered(p, &ok, &p->call->to, &e));
	return poco_return_bool(p, ok);
}

static int fn_owner_of(struct poco *p, const struct decc_abi_value *args)
{
	decc_address t, o;

	poco_arg_addr(&t, args, 0);
	if (!poco_b32_zero(args->items[0]->word) &&
	    memcmp(args->items[0]->word, "\0\0\0\0\0\0\0\0\0\0\0\0", 12) != 0)
		return poco_revert(p, "ERC721: owner query for nonexistent token");
	DECC_TRY(owner_of(p, &o, this_kind(p), &t));
	return poco_return_address(p, &o);
}

static int fn_balance_of(struct poco *p, const struct decc_abi_value *args)
{
	decc_address o;
	decc_u256 n;

	poco_arg_addr(&o, args, 0);
	if (decc_address_is_zero(&o))
		return poco_revert(p, "ERC721: balance query for the zero address");
	DECC_TRY(get_u(p, &n, 'N', this_kind(p), o.b, 20, NULL, 0));
	return poco_return_u256(p, &n);
}

static int fn_total_supply(struct poco *p, const struct decc_abi_value *args)
{
	decc_u256 n;

	(void)args;
	DECC_TRY(get_u(p, &n, 'E', this_kind(p), NULL, 0, NULL, 0));
	return poco_return_u256(p, &n);
}

static int fn_token_by_index(struct poco *p, const struct decc_abi_value *args)
{
	decc_u256 n, i;
	uint64_t ii;
	uint8_t idx[8];
	decc_address t;

	poco_arg_u256(&i, args, 0);
	DECC_TRY(get_u(p, &n, 'E', this_kind(p), NULL, 0, NULL, 0));
	if (decc_u256_cmp(&i, &n) >= 0)
		return poco_revert(p, "EnumerableMap: index out of bounds");
	decc_u256_to_u64(&i, &ii);
	be8(idx, ii);
	DECC_TRY(get_a(p, &t, 'e', this_kind(p), idx, 8, NULL, 0));
	return poco_return_address(p, &t);
}

static int fn_token_of_owner_by_index(struct poco *p, const struct decc_abi_value *args)
{
	decc_address o, t;
	decc_u256 n, i;
	uint64_t ii;
	uint8_t idx[8];

	poco_arg_addr(&o, args, 0);
	poco_arg_u256(&i, args, 1);
	DECC_TRY(get_u(p, &n, 'N', this_kind(p), o.b, 20, NULL, 0));
	if (decc_u256_cmp(&i, &n) >= 0)
		return poco_revert(p, "EnumerableSet: index out of bounds");
	decc_u256_to_u64(&i, &ii);
	be8(idx, ii);
	DECC_TRY(get_a(p, &t, 'h', this_kind(p), o.b, 20, idx, 8));
	return poco_return_address(p, &t);
}

static int return_string(struct poco *p, const char *s, size_t n)
{
	struct decc_abi_value *v[1] = { decc_abi_bytes((const uint8_t *)s, n) };

	if (v[0])
		v[0]->kind = DECC_ABI_STRING;
	return poco_return(p, "(string)", decc_abi_tuple(1, v));
}

static int fn_name(struct poco *p, const struct decc_abi_value *args)
{
	(void)args;
	return return_string(p, reg_names[this_kind(p)], strlen(reg_names[this_kind(p)]));
}

static int fn_symbol(struct poco *p, const struct decc_abi_value *args)
{
	(void)args;
	return return_string(p, reg_symbols[this_kind(p)], strlen(reg_symbols[this_kind(p)]));
}

static int base_uri(struct poco *p, struct decc_buf *out, enum poco_kind k)
{
	uint8_t key[2];
	bool found;

	return poco_get_raw(p, out, &found, key, rkey(key, 'U', k, NULL, 0, NULL, 0));
}

static int fn_base_uri(struct poco *p, const struct decc_abi_value *args)
{
	struct decc_buf b = DECC_BUF_INIT;
	int r = base_uri(p, &b, this_kind(p));

	(void)args;
	if (r == 0)
		r = return_string(p, (const char *)b.data, b.len);
	decc_buf_release(&b);
	return r;
}

static int fn_token_uri(struct poco *p, const struct decc_abi_value *args)
{
	struct decc_buf b = DECC_BUF_INIT;
	decc_address t, o;
	decc_u256 id;
	char dec[79];
	int r;

	poco_arg_addr(&t, args, 0);
	poco_arg_u256(&id, args, 0);
	DECC_TRY(poco_nft_owner(p, &o, this_kind(p), &t));
	if (decc_address_is_zero(&o) ||
	    memcmp(args->items[0]->word, "\0\0\0\0\0\0\0\0\0\0\0\0", 12))
		return poco_revert(p, "ERC721Metadata: URI query for nonexistent token");
	r = base_uri(p, &b, this_kind(p));
	decc_u256_to_dec(dec, &id);
	if (r == 0)
		r = decc_buf_append_str(&b, dec);
	if (r == 0)
		r = return_string(p, (const char *)b.data, b.len);
	decc_buf_release(&b);
	return r;
}

static int only_registry_owner(struct poco *p)
{
	decc_address o;

	DECC_TRY(get_a(p, &o, 'Y', this_kind(p), NULL, 0, NULL, 0));
	if (!decc_address_eq(&o, &p->sender))
		return poco_revert(p, "Ownable: caller is not the owner");
	return 0;
}

static int fn_set_base_uri(struct poco *p, const struct decc_abi_value *args)
{
	uint8_t key[2];
	const struct decc_buf *s = &args->items[0]->bytes;

	DECC_TRY(only_registry_owner(p));
	return poco_put_raw(p, key, rkey(key, 'U', this_kind(p), NULL, 0, NULL, 0), s->data,
			    s->len);
}

static int fn_registry_owner(struct poco *p, const struct decc_abi_value *args)
{
	decc_address o;

	(void)args;
	DECC_TRY(get_a(p, &o, 'Y', this_kind(p), NULL, 0, NULL, 0));
	return poco_return_address(p, &o);
}

static int set_registry_owner(struct poco *p, enum poco_kind k, const decc_address *old,
			      const decc_address *nw)
{
	uint8_t topics[3][32];

	DECC_TRY(put_a(p, nw, 'Y', k, NULL, 0, NULL, 0));
	poco_topic(topics[0], "OwnershipTransferred(address,address)");
	poco_addr_word(topics[1], old);
	poco_addr_word(topics[2], nw);
	return poco_log(p, poco_registry_addr(p, k), 3, topics, NULL, 0);
}

static int fn_transfer_ownership(struct poco *p, const struct decc_abi_value *args)
{
	decc_address n;

	poco_arg_addr(&n, args, 0);
	DECC_TRY(only_registry_owner(p));
	if (decc_address_is_zero(&n))
		return poco_revert(p, "Ownable: new owner is the zero address");
	return set_registry_owner(p, this_kind(p), &p->sender, &n);
}

static int fn_renounce_ownership(struct poco *p, const struct decc_abi_value *args)
{
	(void)args;
	DECC_TRY(only_registry_owner(p));
	return set_registry_owner(p, this_kind(p), &p->sender, &DECC_ADDRESS_ZERO);
}

static int fn_initialize_registry(struct poco *p, const struct decc_abi_value *args)
{
	decc_u256 v;

	(void)args;
	DECC_TRY(only_registry_owner(p));
	DECC_TRY(get_u(p, &v, 'I', this_kind(p), NULL, 0, NULL, 0));
	if (!decc_u256_is_zero(&v))
		return poco_revert(p, NULL);
	/* a previous registry is not supported on decc (there is none to point to) */
	return poco_revert(p, NULL);
}

static int fn_initialized(struct poco *p, const struct decc_abi_value *args)
{
	decc_u256 v;

	(void)args;
	DECC_TRY(get_u(p, &v, 'I', this_kind(p), NULL, 0, NULL, 0));
	return poco_return_bool(p, !decc_u256_is_zero(&v));
}

static int fn_previous(struct poco *p, const struct decc_abi_value *args)
{
	(void)args;
	return poco_return_address(p, &DECC_ADDRESS_ZERO);
}

static int fn_master(struct poco *p, const struct decc_abi_value *args)
{
	uint8_t h[32];
	decc_address m;
	char label[48];

	(void)args;
	snprintf(label, sizeof(label), "decc.poco.master.%d", (int)this_kind(p));
	decc_keccak256(h, label, strlen(label));
	memcpy(m.b, h + 12, 20);
	return poco_return_address(p, &m);
}

static int fn_proxy_code(struct poco *p, const struct decc_abi_value *args)
{
	struct decc_abi_value *v[1] = { decc_abi_bytes((const uint8_t *)proxy_code,
						       strlen(proxy_code)) };

	(void)args;
	return poco_return(p, "(bytes)", decc_abi_tuple(1, v));
}

static int fn_proxy_code_hash(struct poco *p, const struct decc_abi_value *args)
{
	uint8_t h[32];

	(void)args;
	decc_keccak256(h, proxy_code, strlen(proxy_code));
	return poco_return_word(p, h);
}

static int fn_set_name(struct poco *p, const struct decc_abi_value *args)
{
	(void)args;
	DECC_TRY(only_registry_owner(p));
	return poco_revert(p, "Operation not supported on this chain");
}

static int token_arg(struct poco *p, decc_address *t, const struct decc_abi_value *args, size_t i)
{
	if (memcmp(args->items[i]->word, "\0\0\0\0\0\0\0\0\0\0\0\0", 12) != 0)
		return poco_revert(p, "ERC721: operator query for nonexistent token");
	poco_arg_addr(t, args, i);
	return 0;
}

static int fn_transfer_from(struct poco *p, const struct decc_abi_value *args)
{
	decc_address f, t, tok;

	poco_arg_addr(&f, args, 0);
	poco_arg_addr(&t, args, 1);
	DECC_TRY(token_arg(p, &tok, args, 2));
	return nft_transfer(p, this_kind(p), &f, &t, &tok, false);
}

static int fn_safe_transfer_from(struct poco *p, const struct decc_abi_value *args)
{
	decc_address f, t, tok;

	poco_arg_addr(&f, args, 0);
	poco_arg_addr(&t, args, 1);
	DECC_TRY(token_arg(p, &tok, args, 2));
	return nft_transfer(p, this_kind(p), &f, &t, &tok, true);
}

static int fn_approve(struct poco *p, const struct decc_abi_value *args)
{
	decc_address to, tok, owner;
	bool all;
	enum poco_kind k = this_kind(p);

	poco_arg_addr(&to, args, 0);
	if (memcmp(args->items[1]->word, "\0\0\0\0\0\0\0\0\0\0\0\0", 12) != 0)
		return poco_revert(p, "ERC721: owner query for nonexistent token");
	poco_arg_addr(&tok, args, 1);
	DECC_TRY(owner_of(p, &owner, k, &tok));
	if (decc_address_eq(&to, &owner))
		return poco_revert(p, "ERC721: approval to current owner");
	DECC_TRY(is_approved_for_all(p, &all, k, &owner, &p->sender));
	if (!decc_address_eq(&p->sender, &owner) && !all)
		return poco_revert(p, "ERC721: approve caller is not owner nor approved for all");
	DECC_TRY(put_a(p, &to, 'A', k, tok.b, 20, NULL, 0));
	return emit_approval(p, k, &owner, &to, &tok);
}

static int fn_get_approved(struct poco *p, const struct decc_abi_value *args)
{
	decc_address tok, owner, a;

	poco_arg_addr(&tok, args, 0);
	DECC_TRY(poco_nft_owner(p, &owner, this_kind(p), &tok));
	if (decc_address_is_zero(&owner) ||
	    memcmp(args->items[0]->word, "\0\0\0\0\0\0\0\0\0\0\0\0", 12) != 0)
		return poco_revert(p, "ERC721: approved query for nonexistent token");
	DECC_TRY(get_a(p, &a, 'A', this_kind(p), tok.b, 20, NULL, 0));
	return poco_return_address(p, &a);
}

static int fn_set_approval_for_all(struct poco *p, const struct decc_abi_value *args)
{
	decc_address op;
	uint8_t topics[3][32], data[32];
	decc_u256 v;

	poco_arg_addr(&op, args, 0);
	if (decc_address_eq(&op, &p->sender))
		return poco_revert(p, "ERC721: approve to caller");
	v = decc_u256_from_u64(args->items[1]->word[31] ? 1 : 0);
	DECC_TRY(put_u(p, &v, 'X', this_kind(p), p->sender.b, 20, op.b, 20));
	poco_topic(topics[0], "ApprovalForAll(address,address,bool)");
	poco_addr_word(topics[1], &p->sender);
	poco_addr_word(topics[2], &op);
	memcpy(data, args->items[1]->word, 32);
	return poco_log(p, &p->call->to, 3, topics, data, 32);
}

static int fn_is_approved_for_all(struct poco *p, const struct decc_abi_value *args)
{
	decc_address o, op;
	bool all;

	poco_arg_addr(&o, args, 0);
	poco_arg_addr(&op, args, 1);
	DECC_TRY(is_approved_for_all(p, &all, this_kind(p), &o, &op));
	return poco_return_bool(p, all);
}

static int fn_supports_interface(struct poco *p, const struct decc_abi_value *args)
{
	static const uint8_t ids[][4] = {
		{ 0x01, 0xff, 0xc9, 0xa7 }, /* ERC-165 */
		{ 0x80, 0xac, 0x58, 0xcd }, /* ERC-721 */
		{ 0x5b, 0x5e, 0x13, 0x9f }, /* metadata */
		{ 0x78, 0x0e, 0x9d, 0x63 }, /* enumerable */
	};
	bool ok = false;

	for (size_t i = 0; i < DECC_ARRAY_SIZE(ids); i++)
		if (memcmp(args->items[0]->word, ids[i], 4) == 0)
			ok = true;
	return poco_return_bool(p, ok);
}

/* create/predict are only valid on their own registry: dispatch.c checks the kind */
const struct poco_fn poco_registry_fns[] = {
	{ "createApp(address,string,string,bytes,bytes32,bytes)", fn_create_app, false },
	{ "predictApp(address,string,string,bytes,bytes32,bytes)", fn_predict_app, false },
	{ "createDataset(address,string,bytes,bytes32)", fn_create_dataset, false },
	{ "predictDataset(address,string,bytes,bytes32)", fn_predict_dataset, false },
	{ "createWorkerpool(address,string)", fn_create_workerpool, false },
	{ "predictWorkerpool(address,string)", fn_predict_workerpool, false },
	{ "isRegistered(address)", fn_is_registered, false },
	{ "ownerOf(uint256)", fn_owner_of, false },
	{ "balanceOf(address)", fn_balance_of, false },
	{ "totalSupply()", fn_total_supply, false },
	{ "tokenByIndex(uint256)", fn_token_by_index, false },
	{ "tokenOfOwnerByIndex(address,uint256)", fn_token_of_owner_by_index, false },
	{ "name()", fn_name, false },
	{ "symbol()", fn_symbol, false },
	{ "baseURI()", fn_base_uri, false },
	{ "tokenURI(uint256)", fn_token_uri, false },
	{ "setBaseURI(string)", fn_set_base_uri, false },
	{ "owner()", fn_registry_owner, false },
	{ "transferOwnership(address)", fn_transfer_ownership, false },
	{ "renounceOwnership()", fn_renounce_ownership, false },
	{ "initialize(address)", fn_initialize_registry, false },
	{ "initialized()", fn_initialized, false },
	{ "previous()", fn_previous, false },
	{ "master()", fn_master, false },
	{ "proxyCode()", fn_proxy_code, false },
	{ "proxyCodeHash()", fn_proxy_code_hash, false },
	{ "setName(address,string)", fn_set_name, false },
	{ "transferFrom(address,address,uint256)", fn_transfer_from, false },
	{ "safeTransferFrom(address,address,uint256)", fn_safe_transfer_from, false },
	{ "safeTransferFrom(address,address,uint256,bytes)", fn_safe_transfer_from, false },
	{ "approve(address,uint256)", fn_approve, false },
	{ "getApproved(uint256)", fn_get_approved, false },
	{ "setApprovalForAll(address,bool)", fn_set_approval_for_all, false },
	{ "isApprovedForAll(address,address)", fn_is_approved_for_all, false },
	{ "supportsInterface(bytes4)", fn_supports_interface, false },
};
const size_t poco_n_registry_fns = DECC_ARRAY_SIZE(poco_registry_fns);

/* ---- the asset contracts ---- */

static int load_asset(struct poco *p, struct poco_asset *a)
{
	poco_asset_init(a);
	return poco_asset_get(p, a, &p->call->to);
}

static int asset_bytes(struct poco *p, int which, bool as_string)
{
	struct poco_asset a;
	const struct decc_buf *b;
	struct decc_abi_value *v[1];
	int r = load_asset(p, &a);

	if (r == 0) {
		b = which == 0	 ? &a.name
		    : which == 1 ? &a.type
		    : which == 2 ? &a.multiaddr
				 : &a.mrenclave;
		v[0] = decc_abi_bytes(b->data, b->len);
		if (v[0] && as_string)
			v[0]->kind = DECC_ABI_STRING;
		r = poco_return(p, as_string ? "(string)" : "(bytes)", decc_abi_tuple(1, v));
	}
	poco_asset_release(&a);
	return r;
}

static int fn_a_name(struct poco *p, const struct decc_abi_value *x)
{
	(void)x;
	return asset_bytes(p, 0, true);
}

static int fn_a_type(struct poco *p, const struct decc_abi_value *x)
{
	(void)x;
	return asset_bytes(p, 1, true);
}

static int fn_a_multiaddr(struct poco *p, const struct decc_abi_value *x)
{
	(void)x;
	return asset_bytes(p, 2, false);
}

static int fn_a_mrenclave(struct poco *p, const struct decc_abi_value *x)
{
	(void)x;
	return asset_bytes(p, 3, false);
}

static int fn_a_checksum(struct poco *p, const struct decc_abi_value *x)
{
	struct poco_asset a;
	int r = load_asset(p, &a);

	(void)x;
	if (r == 0)
		r = poco_return_word(p, a.checksum);
	poco_asset_release(&a);
	return r;
}

static int fn_a_policy(struct poco *p, bool stake)
{
	struct poco_asset a;
	int r = load_asset(p, &a);

	if (r == 0)
		r = poco_return_u256(p, stake ? &a.stake_ratio : &a.scheduler_ratio);
	poco_asset_release(&a);
	return r;
}

static int fn_a_stake(struct poco *p, const struct decc_abi_value *x)
{
	(void)x;
	return fn_a_policy(p, true);
}

static int fn_a_sched(struct poco *p, const struct decc_abi_value *x)
{
	(void)x;
	return fn_a_policy(p, false);
}

static int fn_a_owner(struct poco *p, const struct decc_abi_value *x)
{
	decc_address o;

	(void)x;
	DECC_TRY(poco_call_owner(p, &o, &p->call->to));
	return poco_return_address(p, &o);
}

static int fn_a_registry(struct poco *p, const struct decc_abi_value *x)
{
	enum poco_kind k;

	(void)x;
	DECC_TRY(poco_asset_kind(p, &k, &p->call->to));
	return poco_return_address(p, poco_registry_addr(p, k));
}

static int asset_only_owner(struct poco *p)
{
	decc_address o;

	DECC_TRY(poco_call_owner(p, &o, &p->call->to));
	if (!decc_address_eq(&o, &p->sender))
		return poco_revert(p, "caller is not the owner");
	return 0;
}

static int fn_a_set_name(struct poco *p, const struct decc_abi_value *x)
{
	(void)x;
	DECC_TRY(asset_only_owner(p));
	return poco_revert(p, "Operation not supported on this chain");
}

static int fn_a_change_policy(struct poco *p, const struct decc_abi_value *args)
{
	struct poco_asset a;
	decc_u256 ns, nr, hundred = decc_u256_from_u64(100);
	uint8_t topics[1][32], data[128];
	int r;

	DECC_TRY(asset_only_owner(p));
	poco_arg_u256(&ns, args, 0);
	poco_arg_u256(&nr, args, 1);
	if (decc_u256_cmp(&nr, &hundred) > 0)
		return poco_revert(p, NULL);
	r = load_asset(p, &a);
	if (r == 0) {
		poco_topic(topics[0], "PolicyUpdate(uint256,uint256,uint256,uint256)");
		decc_u256_to_be(data, &a.stake_ratio);
		decc_u256_to_be(data + 32, &ns);
		decc_u256_to_be(data + 64, &a.scheduler_ratio);
		decc_u256_to_be(data + 96, &nr);
		r = poco_log(p, &p->call->to, 1, topics, data, 128);
	}
	if (r == 0) {
		a.stake_ratio = ns;
		a.scheduler_ratio = nr;
		r = poco_asset_put(p, &p->call->to, &a);
	}
	poco_asset_release(&a);
	return r;
}

/* The kind mask says which asset type has the function (bit 1 app, 2 dataset, 3 pool). */
const struct poco_fn poco_asset_fns[] = {
	{ "m_appName()", fn_a_name, false },
	{ "m_appType()", fn_a_type, false },
	{ "m_appMultiaddr()", fn_a_multiaddr, false },
	{ "m_appChecksum()", fn_a_checksum, false },
	{ "m_appMREnclave()", fn_a_mrenclave, false },
	{ "m_datasetName()", fn_a_name, false },
	{ "m_datasetMultiaddr()", fn_a_multiaddr, false },
	{ "m_datasetChecksum()", fn_a_checksum, false },
	{ "m_workerpoolDescription()", fn_a_name, false },
	{ "m_workerStakeRatioPolicy()", fn_a_stake, false },
	{ "m_schedulerRewardRatioPolicy()", fn_a_sched, false },
	{ "changePolicy(uint256,uint256)", fn_a_change_policy, false },
	{ "owner()", fn_a_owner, false },
	{ "registry()", fn_a_registry, false },
	{ "setName(address,string)", fn_a_set_name, false },
};
const size_t poco_n_asset_fns = DECC_ARRAY_SIZE(poco_asset_fns);

/* genesis helpers */
int poco_registry_genesis(struct poco *p, enum poco_kind k, const decc_address *owner,
			  uint64_t chain_id);
int poco_registry_genesis(struct poco *p, enum poco_kind k, const decc_address *owner,
			  uint64_t chain_id)
{
	static const char *const kinds[] = { "", "app", "dataset", "workerpool" };
	char uri[128];
	uint8_t key[2];
	decc_u256 one = decc_u256_from_u64(1);

	DECC_TRY(put_a(p, owner, 'Y', k, NULL, 0, NULL, 0));
	DECC_TRY(put_u(p, &one, 'I', k, NULL, 0, NULL, 0));
	snprintf(uri, sizeof(uri), "https://nfts-metadata.iex.ec/%s/%llu/", kinds[k],
		 (unsigned long long)chain_id);
	return poco_put_raw(p, key, rkey(key, 'U', k, NULL, 0, NULL, 0), uri, strlen(uri));
}
