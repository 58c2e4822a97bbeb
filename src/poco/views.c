/* SPDX-License-Identifier: Apache-2.0 */
/* Client-facing views of the hub (§6) and its owner-only configuration functions. */
#include <stdlib.h>

#include "internal.h"

#define DEAL_T                                                                                     \
	"((address,address,uint256),(address,address,uint256),(address,address,uint256),uint256,"  \
	"uint256,bytes32,address,address,address,string,uint256,uint256,uint256,uint256,uint256,"  \
	"address)"
#define TASK_T                                                                                     \
	"(uint8,bytes32,uint256,uint256,uint256,uint256,uint256,bytes32,uint256,uint256,address[]" \
	","                                                                                        \
	"bytes32,bytes,uint256,bytes)"

static struct decc_abi_value *vs(const void *p, size_t n)
{
	struct decc_abi_value *v = decc_abi_bytes((const uint8_t *)p, n);

	if (v)
		v->kind = DECC_ABI_STRING;
	return v;
}

static struct decc_abi_value *vb(const struct decc_buf *b)
{
	return decc_abi_bytes(b->data, b->len);
}

static struct decc_abi_value *wrap(struct decc_abi_value *v)
{
	struct decc_abi_value *items[1] = { v };

	return decc_abi_tuple(1, items);
}

static struct decc_abi_value *res(const struct poco_resource *r)
{
	return decc_abi_tuplev(3, decc_abi_address(&r->pointer), decc_abi_address(&r->owner),
			       decc_abi_uint(&r->price));
}

static int fn_view_deal(struct poco *p, const struct decc_abi_value *args)
{
	struct poco_deal d;
	uint8_t id[32];
	int r;

	poco_deal_init(&d);
	poco_arg_b32(id, args, 0);
	r = poco_deal_get(p, &d, id);
	if (r == 0)
		r = poco_return(
		    p, "(" DEAL_T ")",
		    wrap(decc_abi_tuplev(
			16, res(&d.app), res(&d.dataset), res(&d.workerpool),
			decc_abi_uint(&d.trust), decc_abi_uint(&d.category), poco_v_b32(d.tag),
			decc_abi_address(&d.requester), decc_abi_address(&d.beneficiary),
			decc_abi_address(&d.callback), vs(d.params.data, d.params.len),
			decc_abi_uint(&d.start_time), decc_abi_uint(&d.bot_first),
			decc_abi_uint(&d.bot_size), decc_abi_uint(&d.worker_stake),
			decc_abi_uint(&d.scheduler_ratio), decc_abi_address(&d.sponsor))));
	poco_deal_release(&d);
	return r;
}

static struct decc_abi_value *contributors(const struct poco_task *t)
{
	struct decc_abi_value **items = NULL;
	struct decc_abi_value *v;

	if (t->n_contributors) {
		items = calloc(t->n_contributors, sizeof(*items));
		if (!items)
			return NULL;
		for (size_t i = 0; i < t->n_contributors; i++)
			items[i] = decc_abi_address(&t->contributors[i]);
	}
	v = decc_abi_array(t->n_contributors, items);
	free(items);
	return v;
}

static int fn_view_task(struct poco *p, const struct decc_abi_value *args, bool legacy)
{
	struct poco_task t;
	uint8_t id[32];
	decc_u256 status;
	int r;

	poco_task_init(&t);
	poco_arg_b32(id, args, 0);
	r = poco_task_get(p, &t, id);
	status = decc_u256_from_u64(t.status);
	if (r == 0 && !legacy)
		r = poco_return(
		    p, "(" TASK_T ")",
		    wrap(decc_abi_tuplev(
			15, decc_abi_uint(&status), poco_v_b32(t.dealid), decc_abi_uint(&t.idx),
			decc_abi_uint(&t.timeref), decc_abi_uint(&t.contribution_deadline),
			decc_abi_uint(&t.reveal_deadline), decc_abi_uint(&t.final_deadline),
			poco_v_b32(t.consensus_value), decc_abi_uint(&t.reveal_counter),
			decc_abi_uint(&t.winner_counter), contributors(&t),
			poco_v_b32(t.result_digest), vb(&t.results),
			decc_abi_uint(&t.results_timestamp), vb(&t.results_callback))));
	else if (r == 0)
		r = poco_return(
		    p,
		    "(uint8,bytes32,uint256,uint256,uint256,uint256,uint256,bytes32,uint256,"
		    "uint256,"
		    "address[],bytes)",
		    decc_abi_tuplev(
			12, decc_abi_uint(&status), poco_v_b32(t.dealid), decc_abi_uint(&t.idx),
			decc_abi_uint(&t.timeref), decc_abi_uint(&t.contribution_deadline),
			decc_abi_uint(&t.reveal_deadline), decc_abi_uint(&t.final_deadline),
			poco_v_b32(t.consensus_value), decc_abi_uint(&t.reveal_counter),
			decc_abi_uint(&t.winner_counter), contributors(&t), vb(&t.results)));
	poco_task_release(&t);
	return r;
}

static int fn_view_task_new(struct poco *p, const struct decc_abi_value *a)
{
	return fn_view_task(p, a, false);
}

static int fn_view_task_legacy(struct poco *p, const struct decc_abi_value *a)
{
	return fn_view_task(p, a, true);
}

static int fn_view_contribution(struct poco *p, const struct decc_abi_value *args, bool legacy)
{
	struct poco_contribution c;
	uint8_t id[32];
	decc_address w;
	decc_u256 status;

	poco_arg_b32(id, args, 0);
	poco_arg_addr(&w, args, 1);
	DECC_TRY(poco_contrib_get(p, &c, id, &w));
	status = decc_u256_from_u64(c.status);
	if (legacy)
		return poco_return(
		    p, "(uint8,bytes32,bytes32,address)",
		    decc_abi_tuplev(4, decc_abi_uint(&status), poco_v_b32(c.result_hash),
				    poco_v_b32(c.result_seal), decc_abi_address(&c.enclave)));
	return poco_return(p, "(uint8,bytes32,bytes32,address,uint256)",
			   decc_abi_tuplev(5, decc_abi_uint(&status), poco_v_b32(c.result_hash),
					   poco_v_b32(c.result_seal), decc_abi_address(&c.enclave),
					   decc_abi_uint(&c.weight)));
}

static int fn_view_contribution_new(struct poco *p, const struct decc_abi_value *a)
{
	return fn_view_contribution(p, a, false);
}

static int fn_view_contribution_legacy(struct poco *p, const struct decc_abi_value *a)
{
	return fn_view_contribution(p, a, true);
}

static int fn_view_score(struct poco *p, const struct decc_abi_value *args)
{
	decc_address w;
	decc_u256 s;

	poco_arg_addr(&w, args, 0);
	DECC_TRY(poco_score(p, &s, &w));
	return poco_return_u256(p, &s);
}

static int fn_result_for(struct poco *p, const struct decc_abi_value *args)
{
	struct poco_task t;
	uint8_t id[32];
	int r;

	poco_task_init(&t);
	poco_arg_b32(id, args, 0);
	r = poco_task_get(p, &t, id);
	if (r == 0 && t.status != TASK_COMPLETED)
		r = poco_revert(p, "task-pending");
	if (r == 0)
		r = poco_return(p, "(bytes)", wrap(vb(&t.results_callback)));
	poco_task_release(&t);
	return r;
}

static int fn_view_consumed(struct poco *p, const struct decc_abi_value *args)
{
	uint8_t h[32];
	decc_u256 v;

	poco_arg_b32(h, args, 0);
	DECC_TRY(poco_consumed(p, &v, h));
	return poco_return_u256(p, &v);
}

static int fn_view_presigned(struct poco *p, const struct decc_abi_value *args)
{
	uint8_t h[32];
	decc_address a;

	poco_arg_b32(h, args, 0);
	DECC_TRY(poco_presigned(p, &a, h));
	return poco_return_address(p, &a);
}

static int view_category(struct poco *p, const struct decc_abi_value *args, bool legacy)
{
	struct decc_buf n = DECC_BUF_INIT, d = DECC_BUF_INIT;
	decc_u256 id, tr;
	bool found;
	int r;

	poco_arg_u256(&id, args, 0);
	r = poco_category_get(p, &found, &n, &d, &tr, &id);
	if (r == 0 && !found)
		r = legacy ? poco_panic(p, PANIC_ARRAY) : poco_revert(p, NULL);
	if (r == 0) {
		struct decc_abi_value *v =
		    decc_abi_tuplev(3, vs(n.data, n.len), vs(d.data, d.len), decc_abi_uint(&tr));

		r = legacy ? poco_return(p, "(string,string,uint256)", v)
			   : poco_return(p, "((string,string,uint256))", wrap(v));
	}
	decc_buf_release(&n);
	decc_buf_release(&d);
	return r;
}

static int fn_view_category(struct poco *p, const struct decc_abi_value *a)
{
	return view_category(p, a, false);
}

static int fn_view_category_legacy(struct poco *p, const struct decc_abi_value *a)
{
	return view_category(p, a, true);
}

static int fn_count_category(struct poco *p, const struct decc_abi_value *args)
{
	uint64_t n;
	decc_u256 v;

	(void)args;
	DECC_TRY(poco_category_count(p, &n));
	v = decc_u256_from_u64(n);
	return poco_return_u256(p, &v);
}

static int fn_view_account(struct poco *p, const struct decc_abi_value *args)
{
	decc_address a;
	decc_u256 b, f;
	uint8_t out[64];

	poco_arg_addr(&a, args, 0);
	DECC_TRY(poco_balance(p, &b, &a));
	DECC_TRY(poco_frozen(p, &f, &a));
	decc_u256_to_be(out, &b);
	decc_u256_to_be(out + 32, &f);
	decc_buf_reset(&p->res->output);
	return decc_buf_append(&p->res->output, out, 64);
}

static int fn_balance_of(struct poco *p, const struct decc_abi_value *args)
{
	decc_address a;
	decc_u256 v;

	poco_arg_addr(&a, args, 0);
	DECC_TRY(poco_balance(p, &v, &a));
	return poco_return_u256(p, &v);
}

static int fn_frozen_of(struct poco *p, const struct decc_abi_value *args)
{
	decc_address a;
	decc_u256 v;

	poco_arg_addr(&a, args, 0);
	DECC_TRY(poco_frozen(p, &v, &a));
	return poco_return_u256(p, &v);
}

static int fn_allowance(struct poco *p, const struct decc_abi_value *args)
{
	decc_address o, s;
	decc_u256 v;

	poco_arg_addr(&o, args, 0);
	poco_arg_addr(&s, args, 1);
	DECC_TRY(poco_allowance(p, &v, &o, &s));
	return poco_return_u256(p, &v);
}

static int fn_total_supply(struct poco *p, const struct decc_abi_value *args)
{
	decc_u256 v;

	(void)args;
	DECC_TRY(poco_supply(p, &v));
	return poco_return_u256(p, &v);
}

static int fn_name(struct poco *p, const struct decc_abi_value *args)
{
	(void)args;
	return poco_return(p, "(string)", wrap(vs("Staked RLC", 10)));
}

static int fn_symbol(struct poco *p, const struct decc_abi_value *args)
{
	(void)args;
	return poco_return(p, "(string)", wrap(vs("SRLC", 4)));
}

static int fn_u64(struct poco *p, uint64_t v)
{
	decc_u256 u = decc_u256_from_u64(v);

	return poco_return_u256(p, &u);
}

static int fn_decimals(struct poco *p, const struct decc_abi_value *args)
{
	(void)args;
	return fn_u64(p, 9);
}

static int fn_token(struct poco *p, const struct decc_abi_value *args)
{
	(void)args;
	return poco_return_address(p, &DECC_ADDRESS_ZERO); /* native mode */
}

/* IApp(app).owner(), .m_appName(), ...: reverts (empty) if app is not that kind of asset */
static int load_kind(struct poco *p, struct poco_asset *a, decc_address *owner,
		     const decc_address *addr, enum poco_kind k)
{
	DECC_TRY(poco_call_owner(p, owner, addr));
	DECC_TRY(poco_asset_get(p, a, addr));
	if (a->kind != k)
		return poco_revert(p, NULL);
	return 0;
}

static int fn_view_app(struct poco *p, const struct decc_abi_value *args)
{
	struct poco_asset a;
	decc_address addr, owner;
	int r;

	poco_asset_init(&a);
	poco_arg_addr(&addr, args, 0);
	r = load_kind(p, &a, &owner, &addr, POCO_APP);
	if (r == 0)
		r = poco_return(
		    p, "((address,string,string,bytes,bytes32,bytes))",
		    wrap(decc_abi_tuplev(6, decc_abi_address(&owner), vs(a.name.data, a.name.len),
					 vs(a.type.data, a.type.len), vb(&a.multiaddr),
					 poco_v_b32(a.checksum), vb(&a.mrenclave))));
	poco_asset_release(&a);
	return r;
}

static int fn_view_dataset(struct poco *p, const struct decc_abi_value *args)
{
	struct poco_asset a;
	decc_address addr, owner;
	int r;

	poco_asset_init(&a);
	poco_arg_addr(&addr, args, 0);
	r = load_kind(p, &a, &owner, &addr, POCO_DATASET);
	if (r == 0)
		r = poco_return(
		    p, "((address,string,bytes,bytes32))",
		    wrap(decc_abi_tuplev(4, decc_abi_address(&owner), vs(a.name.data, a.name.len),
					 vb(&a.multiaddr), poco_v_b32(a.checksum))));
	poco_asset_release(&a);
	return r;
}

static int fn_view_workerpool(struct poco *p, const struct decc_abi_value *args)
{
	struct poco_asset a;
	decc_address addr, owner;
	int r;

	poco_asset_init(&a);
	poco_arg_addr(&addr, args, 0);
	r = load_kind(p, &a, &owner, &addr, POCO_WORKERPOOL);
	if (r == 0)
		r = poco_return(
		    p, "((address,string,uint256,uint256))",
		    wrap(decc_abi_tuplev(4, decc_abi_address(&owner), vs(a.name.data, a.name.len),
					 decc_abi_uint(&a.stake_ratio),
					 decc_abi_uint(&a.scheduler_ratio))));
	poco_asset_release(&a);
	return r;
}

static int fn_config(struct poco *p, char which)
{
	decc_address a;

	DECC_TRY(poco_config_addr(p, &a, which));
	return poco_return_address(p, &a);
}

static int fn_appregistry(struct poco *p, const struct decc_abi_value *x)
{
	(void)x;
	return fn_config(p, 'a');
}

static int fn_datasetregistry(struct poco *p, const struct decc_abi_value *x)
{
	(void)x;
	return fn_config(p, 'd');
}

static int fn_workerpoolregistry(struct poco *p, const struct decc_abi_value *x)
{
	(void)x;
	return fn_config(p, 'w');
}

static int fn_teebroker(struct poco *p, const struct decc_abi_value *x)
{
	(void)x;
	return fn_config(p, 'b');
}

static int fn_owner(struct poco *p, const struct decc_abi_value *x)
{
	(void)x;
	return fn_config(p, 'O');
}

static int fn_callbackgas(struct poco *p, const struct decc_abi_value *x)
{
	decc_u256 v;

	(void)x;
	DECC_TRY(poco_callbackgas(p, &v));
	return poco_return_u256(p, &v);
}

static int fn_domain(struct poco *p, const struct decc_abi_value *x)
{
	decc_u256 cid = decc_u256_from_u64(p->env->chain_id);

	(void)x;
	return poco_return(
	    p, "((string,string,uint256,address))",
	    wrap(decc_abi_tuplev(4, vs("iExecODB", 8), vs("5.0.0", 5), decc_abi_uint(&cid),
				 decc_abi_address(&p->cfg->hub))));
}

static int fn_domain_separator(struct poco *p, const struct decc_abi_value *x)
{
	uint8_t ds[32];

	(void)x;
	DECC_TRY(poco_domain_sep(p, ds));
	return poco_return_word(p, ds);
}

#define CONST_FN(name, value)                                                                      \
	static int fn_##name(struct poco *p, const struct decc_abi_value *x)                       \
	{                                                                                          \
		(void)x;                                                                           \
		return fn_u64(p, value);                                                           \
	}
CONST_FN(contribution_deadline_ratio, 7)
CONST_FN(reveal_deadline_ratio, 2)
CONST_FN(final_deadline_ratio, 10)
CONST_FN(workerpool_stake_ratio, 30)
CONST_FN(kitty_ratio, 10)
CONST_FN(kitty_min, DECC_POCO_KITTY_MIN)
CONST_FN(groupmember_purpose, 4)

static int fn_kitty_address(struct poco *p, const struct decc_abi_value *x)
{
	(void)x;
	return poco_return_address(p, &decc_poco_kitty_address);
}

static int fn_deal_pt1(struct poco *p, const struct decc_abi_value *args)
{
	struct poco_deal d;
	uint8_t id[32];
	int r;

	poco_deal_init(&d);
	poco_arg_b32(id, args, 0);
	r = poco_deal_get(p, &d, id);
	if (r == 0)
		r = poco_return(
		    p, "(address,address,uint256,address,address,uint256,address,address,uint256)",
		    decc_abi_tuplev(
			9, decc_abi_address(&d.app.pointer), decc_abi_address(&d.app.owner),
			decc_abi_uint(&d.app.price), decc_abi_address(&d.dataset.pointer),
			decc_abi_address(&d.dataset.owner), decc_abi_uint(&d.dataset.price),
			decc_abi_address(&d.workerpool.pointer),
			decc_abi_address(&d.workerpool.owner), decc_abi_uint(&d.workerpool.price)));
	poco_deal_release(&d);
	return r;
}

static int fn_deal_pt2(struct poco *p, const struct decc_abi_value *args)
{
	struct poco_deal d;
	uint8_t id[32];
	int r;

	poco_deal_init(&d);
	poco_arg_b32(id, args, 0);
	r = poco_deal_get(p, &d, id);
	if (r == 0)
		r = poco_return(p, "(uint256,bytes32,address,address,address,string)",
				decc_abi_tuplev(6, decc_abi_uint(&d.trust), poco_v_b32(d.tag),
						decc_abi_address(&d.requester),
						decc_abi_address(&d.beneficiary),
						decc_abi_address(&d.callback),
						vs(d.params.data, d.params.len)));
	poco_deal_release(&d);
	return r;
}

static int fn_config_legacy(struct poco *p, const struct decc_abi_value *args)
{
	struct poco_deal d;
	uint8_t id[32];
	int r;

	poco_deal_init(&d);
	poco_arg_b32(id, args, 0);
	r = poco_deal_get(p, &d, id);
	if (r == 0)
		r = poco_return(
		    p, "(uint256,uint256,uint256,uint256,uint256,uint256)",
		    decc_abi_tuplev(6, decc_abi_uint(&d.category), decc_abi_uint(&d.start_time),
				    decc_abi_uint(&d.bot_first), decc_abi_uint(&d.bot_size),
				    decc_abi_uint(&d.worker_stake),
				    decc_abi_uint(&d.scheduler_ratio)));
	poco_deal_release(&d);
	return r;
}

/* ---- owner-only configuration ---- */

int poco_only_owner(struct poco *p);
int poco_only_owner(struct poco *p)
{
	decc_address o;

	DECC_TRY(poco_config_addr(p, &o, 'O'));
	if (!decc_address_eq(&o, &p->sender))
		return poco_revert(p, "Ownable: caller is not the owner");
	return 0;
}

static int fn_configure(struct poco *p, const struct decc_abi_value *args)
{
	uint8_t ds[32];

	(void)args;
	DECC_TRY(poco_only_owner(p));
	DECC_TRY(poco_domain_sep(p, ds));
	if (!poco_b32_zero(ds))
		return poco_revert(p, "already-configured");
	/* genesis always configures the hub: this point is not reachable on decc */
	return poco_revert(p, "already-configured");
}

static int fn_create_category(struct poco *p, const struct decc_abi_value *args)
{
	const struct decc_buf *n = &args->items[0]->bytes, *d = &args->items[1]->bytes;
	decc_u256 tr, idv;
	uint64_t id;
	uint8_t topic[1][32];

	DECC_TRY(poco_only_owner(p));
	poco_arg_u256(&tr, args, 2);
	DECC_TRY(poco_category_push(p, &id, (const char *)n->data, n->len, (const char *)d->data,
				    d->len, &tr));
	idv = decc_u256_from_u64(id);
	poco_topic(topic[0], "CreateCategory(uint256,string,string,uint256)");
	DECC_TRY(poco_log_abi(p, &p->cfg->hub, 1, topic, "(uint256,string,string,uint256)",
			      decc_abi_tuplev(4, decc_abi_uint(&idv), vs(n->data, n->len),
					      vs(d->data, d->len), decc_abi_uint(&tr))));
	return poco_return_u256(p, &idv);
}

static int fn_set_tee_broker(struct poco *p, const struct decc_abi_value *args)
{
	decc_address a;

	DECC_TRY(poco_only_owner(p));
	poco_arg_addr(&a, args, 0);
	return poco_set_config_addr(p, 'b', &a);
}

static int fn_set_callback_gas(struct poco *p, const struct decc_abi_value *args)
{
	decc_u256 v;

	DECC_TRY(poco_only_owner(p));
	poco_arg_u256(&v, args, 0);
	return poco_set_callbackgas(p, &v);
}

static int fn_update_domain_separator(struct poco *p, const struct decc_abi_value *args)
{
	struct decc_eip712_domain d;
	uint8_t ds[32];

	(void)args;
	DECC_TRY(poco_domain_sep(p, ds));
	if (poco_b32_zero(ds))
		return poco_revert(p, "not-configured");
	decc_order_domain(&d, p->env->chain_id, &p->cfg->hub);
	decc_eip712_domain_separator(ds, &d);
	return poco_set_domain_sep(p, ds);
}

static int fn_import_score(struct poco *p, const struct decc_abi_value *args)
{
	decc_address w, v3;
	uint8_t k[21];
	decc_u256 done;

	poco_arg_addr(&w, args, 0);
	DECC_TRY(poco_get_u256(p, &done, k, poco_key(k, 'w', w.b, 20, NULL, 0)));
	if (!decc_u256_is_zero(&done))
		return poco_revert(p, "score-already-imported");
	/* m_v3_iexecHub.viewScore(worker): there is no v3 hub on decc (address 0, no code) */
	DECC_TRY(poco_config_addr(p, &v3, 'v'));
	return poco_revert(p, NULL);
}

static int fn_change_registries(struct poco *p, const struct decc_abi_value *args)
{
	decc_address a;

	DECC_TRY(poco_only_owner(p));
	poco_arg_addr(&a, args, 0);
	DECC_TRY(poco_set_config_addr(p, 'a', &a));
	poco_arg_addr(&a, args, 1);
	DECC_TRY(poco_set_config_addr(p, 'd', &a));
	poco_arg_addr(&a, args, 2);
	return poco_set_config_addr(p, 'w', &a);
}

/* mudgen OwnershipFacet (LibDiamond) */
static int fn_transfer_ownership(struct poco *p, const struct decc_abi_value *args)
{
	decc_address o, n;
	uint8_t topics[3][32];

	DECC_TRY(poco_config_addr(p, &o, 'O'));
	if (!decc_address_eq(&o, &p->sender))
		return poco_revert(p, "LibDiamond: Must be contract owner");
	poco_arg_addr(&n, args, 0);
	DECC_TRY(poco_set_config_addr(p, 'O', &n));
	poco_topic(topics[0], "OwnershipTransferred(address,address)");
	poco_addr_word(topics[1], &o);
	poco_addr_word(topics[2], &n);
	return poco_log(p, &p->cfg->hub, 3, topics, NULL, 0);
}

const struct poco_fn poco_view_fns[] = {
	{ "viewDeal(bytes32)", fn_view_deal, false },
	{ "viewTask(bytes32)", fn_view_task_new, false },
	{ "viewContribution(bytes32,address)", fn_view_contribution_new, false },
	{ "viewScore(address)", fn_view_score, false },
	{ "resultFor(bytes32)", fn_result_for, false },
	{ "viewConsumed(bytes32)", fn_view_consumed, false },
	{ "viewPresigned(bytes32)", fn_view_presigned, false },
	{ "viewCategory(uint256)", fn_view_category, false },
	{ "countCategory()", fn_count_category, false },
	{ "viewAccount(address)", fn_view_account, false },
	{ "viewAccountABILegacy(address)", fn_view_account, false },
	{ "balanceOf(address)", fn_balance_of, false },
	{ "frozenOf(address)", fn_frozen_of, false },
	{ "allowance(address,address)", fn_allowance, false },
	{ "totalSupply()", fn_total_supply, false },
	{ "name()", fn_name, false },
	{ "symbol()", fn_symbol, false },
	{ "decimals()", fn_decimals, false },
	{ "token()", fn_token, false },
	{ "viewApp(address)", fn_view_app, false },
	{ "viewDataset(address)", fn_view_dataset, false },
	{ "viewWorkerpool(address)", fn_view_workerpool, false },
	{ "appregistry()", fn_appregistry, false },
	{ "datasetregistry()", fn_datasetregistry, false },
	{ "workerpoolregistry()", fn_workerpoolregistry, false },
	{ "teebroker()", fn_teebroker, false },
	{ "callbackgas()", fn_callbackgas, false },
	{ "domain()", fn_domain, false },
	{ "eip712domain_separator()", fn_domain_separator, false },
	{ "contribution_deadline_ratio()", fn_contribution_deadline_ratio, false },
	{ "reveal_deadline_ratio()", fn_reveal_deadline_ratio, false },
	{ "final_deadline_ratio()", fn_final_deadline_ratio, false },
	{ "workerpool_stake_ratio()", fn_workerpool_stake_ratio, false },
	{ "kitty_ratio()", fn_kitty_ratio, false },
	{ "kitty_min()", fn_kitty_min, false },
	{ "kitty_address()", fn_kitty_address, false },
	{ "groupmember_purpose()", fn_groupmember_purpose, false },
	{ "viewDealABILegacy_pt1(bytes32)", fn_deal_pt1, false },
	{ "viewDealABILegacy_pt2(bytes32)", fn_deal_pt2, false },
	{ "viewConfigABILegacy(bytes32)", fn_config_legacy, false },
	{ "viewTaskABILegacy(bytes32)", fn_view_task_legacy, false },
	{ "viewContributionABILegacy(bytes32,address)", fn_view_contribution_legacy, false },
	{ "viewCategoryABILegacy(uint256)", fn_view_category_legacy, false },
	{ "owner()", fn_owner, false },
	{ "configure(address,string,string,uint8,address,address,address,address)", fn_configure,
	  false },
	{ "createCategory(string,string,uint256)", fn_create_category, false },
	{ "setTeeBroker(address)", fn_set_tee_broker, false },
	{ "setCallbackGas(uint256)", fn_set_callback_gas, false },
	{ "updateDomainSeparator()", fn_update_domain_separator, false },
	{ "importScore(address)", fn_import_score, false },
	{ "changeRegistries(address,address,address)", fn_change_registries, false },
	{ "transferOwnership(address)", fn_transfer_ownership, false },
};
const size_t poco_n_view_fns = DECC_ARRAY_SIZE(poco_view_fns);
