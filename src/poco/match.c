/* SPDX-License-Identifier: Apache-2.0 */
/*
 * matchOrders / sponsorMatchOrders (§2, IexecPoco1Facet): the checks in the order of the
 * contract with its revert strings, the deal record, consumption, fund locking and events;
 * plus computeDealVolume and assertDatasetDealCompatibility.
 */
#include "internal.h"

#define AO "(address,uint256,uint256,bytes32,address,address,address,bytes32,bytes)"
#define WO "(address,uint256,uint256,bytes32,uint256,uint256,address,address,address,bytes32,bytes)"
#define RO                                                                                         \
	"(address,uint256,address,uint256,address,uint256,address,uint256,bytes32,uint256,"        \
	"uint256,"                                                                                 \
	"address,address,string,bytes32,bytes)"

struct four {
	struct decc_order app, dataset, wp, req;
};

static int load_four(struct four *f, const struct decc_abi_value *args)
{
	int r;

	decc_order_init(&f->app, DECC_ORDER_APP);
	decc_order_init(&f->dataset, DECC_ORDER_DATASET);
	decc_order_init(&f->wp, DECC_ORDER_WORKERPOOL);
	decc_order_init(&f->req, DECC_ORDER_REQUEST);
	/* poco_order_from_abi re-initialises: release the placeholders first */
	decc_order_release(&f->app);
	r = poco_order_from_abi(&f->app, DECC_ORDER_APP, poco_arg(args, 0));
	decc_order_release(&f->dataset);
	if (r == 0)
		r = poco_order_from_abi(&f->dataset, DECC_ORDER_DATASET, poco_arg(args, 1));
	else
		decc_order_init(&f->dataset, DECC_ORDER_DATASET);
	decc_order_release(&f->wp);
	if (r == 0)
		r = poco_order_from_abi(&f->wp, DECC_ORDER_WORKERPOOL, poco_arg(args, 2));
	else
		decc_order_init(&f->wp, DECC_ORDER_WORKERPOOL);
	decc_order_release(&f->req);
	if (r == 0)
		r = poco_order_from_abi(&f->req, DECC_ORDER_REQUEST, poco_arg(args, 3));
	else
		decc_order_init(&f->req, DECC_ORDER_REQUEST);
	return r;
}

static void release_four(struct four *f)
{
	decc_order_release(&f->app);
	decc_order_release(&f->dataset);
	decc_order_release(&f->wp);
	decc_order_release(&f->req);
}

/* remaining = volume - consumed[hash] (Panic 0x11 when consumed > volume) */
static int remaining(struct poco *p, decc_u256 *out, const decc_u256 *volume, const uint8_t h[32])
{
	decc_u256 c;

	DECC_TRY(poco_consumed(p, &c, h));
	return poco_sub(p, out, volume, &c);
}

static void umin(decc_u256 *acc, const decc_u256 *v)
{
	if (decc_u256_cmp(v, acc) < 0)
		*acc = *v;
}

static int deal_volume(struct poco *p, decc_u256 *out, const struct four *f, bool has_dataset,
		       const uint8_t ah[32], const uint8_t dh[32], const uint8_t wh[32],
		       const uint8_t rh[32])
{
	decc_u256 acc, v;

	DECC_TRY(remaining(p, &acc, &f->app.volume, ah));
	if (has_dataset) {
		DECC_TRY(remaining(p, &v, &f->dataset.volume, dh));
		umin(&acc, &v);
	}
	DECC_TRY(remaining(p, &v, &f->wp.volume, wh));
	umin(&acc, &v);
	DECC_TRY(remaining(p, &v, &f->req.volume, rh));
	umin(&acc, &v);
	*out = acc;
	return 0;
}

static int require(struct poco *p, bool cond, const char *code)
{
	char msg[32];

	if (cond)
		return 0;
	memcpy(msg, "iExecV5-matchOrders-", 20);
	memcpy(msg + 20, code, 5);
	msg[25] = 0;
	return poco_revert(p, msg);
}

static int restriction(struct poco *p, const decc_address *r, const decc_address *a,
		       const char *code)
{
	bool ok;

	DECC_TRY(poco_restriction_ok(p, &ok, r, a));
	return require(p, ok, code);
}

static int add_consumed(struct poco *p, const uint8_t h[32], const decc_u256 *v)
{
	decc_u256 c;

	DECC_TRY(poco_consumed(p, &c, h));
	DECC_TRY(poco_add(p, &c, &c, v));
	return poco_set_consumed(p, h, &c);
}

/* `IWorkerpool(wp).m_xxxPolicy()`: reverts without data if wp is not a workerpool contract */
static int wp_policy(struct poco *p, decc_u256 *stake, decc_u256 *sched, const decc_address *wp)
{
	struct poco_asset a;
	int r;

	poco_asset_init(&a);
	r = poco_asset_get(p, &a, wp);
	if (r == 0 && a.kind != POCO_WORKERPOOL)
		r = poco_revert(p, NULL);
	if (r == 0) {
		*stake = a.stake_ratio;
		*sched = a.scheduler_ratio;
	}
	poco_asset_release(&a);
	return r;
}

static int match(struct poco *p, const struct decc_abi_value *args, bool sponsored)
{
	struct four f;
	struct poco_deal d;
	uint8_t tag[32], ah[32], dh[32] = { 0 }, wh[32], rh[32], dealid[32];
	decc_address app_owner, ds_owner = DECC_ADDRESS_ZERO, wp_owner, reg;
	decc_u256 volume, cnt, bot_first, stake_ratio, sched_ratio, sum, v, hundred;
	uint64_t ncat;
	bool has_dataset, ok, reg_ok;
	int r;

	poco_deal_init(&d);
	r = load_four(&f, args);
	if (r < 0)
		goto out;
#define CHECK(expr)                                                                                \
	do {                                                                                       \
		r = (expr);                                                                        \
		if (r < 0)                                                                         \
			goto out;                                                                  \
	} while (0)
	/* compatibility */
	CHECK(require(p, decc_u256_cmp(&f.req.category, &f.wp.category) == 0, "0x00"));
	CHECK(poco_category_count(p, &ncat));
	cnt = decc_u256_from_u64(ncat);
	CHECK(require(p, decc_u256_cmp(&f.req.category, &cnt) < 0, "0x01"));
	CHECK(require(p, decc_u256_cmp(&f.req.trust, &f.wp.trust) <= 0, "0x02"));
	CHECK(require(p, decc_u256_cmp(&f.req.appmaxprice, &f.app.price) >= 0, "0x03"));
	CHECK(require(p, decc_u256_cmp(&f.req.datasetmaxprice, &f.dataset.price) >= 0, "0x04"));
	CHECK(require(p, decc_u256_cmp(&f.req.workerpoolmaxprice, &f.wp.price) >= 0, "0x05"));
	ok = true;
	for (int i = 0; i < 32; i++) {
		tag[i] = f.app.tag[i] | f.dataset.tag[i] | f.req.tag[i];
		if (tag[i] & (uint8_t)~f.wp.tag[i])
			ok = false;
	}
	CHECK(require(p, ok, "0x06"));
	CHECK(require(p, ((tag[31] ^ f.app.tag[31]) & 1) == 0, "0x07"));
	CHECK(require(p, decc_address_eq(&f.req.app, &f.app.app), "0x10"));
	CHECK(require(p, decc_address_eq(&f.req.dataset, &f.dataset.dataset), "0x11"));
	CHECK(restriction(p, &f.req.workerpool, &f.wp.workerpool, "0x12"));
	CHECK(restriction(p, &f.app.datasetrestrict, &f.dataset.dataset, "0x13"));
	CHECK(restriction(p, &f.app.workerpoolrestrict, &f.wp.workerpool, "0x14"));
	CHECK(restriction(p, &f.app.requesterrestrict, &f.req.requester, "0x15"));
	CHECK(restriction(p, &f.dataset.apprestrict, &f.app.app, "0x16"));
	CHECK(restriction(p, &f.dataset.workerpoolrestrict, &f.wp.workerpool, "0x17"));
	CHECK(restriction(p, &f.dataset.requesterrestrict, &f.req.requester, "0x18"));
	CHECK(restriction(p, &f.wp.apprestrict, &f.app.app, "0x19"));
	CHECK(restriction(p, &f.wp.datasetrestrict, &f.dataset.dataset, "0x1a"));
	CHECK(restriction(p, &f.wp.requesterrestrict, &f.req.requester, "0x1b"));

	/* authenticity */
	has_dataset = !decc_address_is_zero(&f.dataset.dataset);
	CHECK(poco_order_hash(p, ah, &f.app));
	CHECK(poco_call_owner(p, &app_owner, &f.app.app));
	CHECK(poco_config_addr(p, &reg, 'a'));
	CHECK(poco_call_is_registered(p, &reg_ok, &reg, &f.app.app));
	CHECK(require(p, reg_ok, "0x20"));
	CHECK(poco_verify_sig_or_presig(p, &ok, &app_owner, ah, f.app.sign.data, f.app.sign.len));
	CHECK(require(p, ok, "0x21"));
	if (has_dataset) {
		CHECK(poco_order_hash(p, dh, &f.dataset));
		CHECK(poco_call_owner(p, &ds_owner, &f.dataset.dataset));
		CHECK(poco_config_addr(p, &reg, 'd'));
		CHECK(poco_call_is_registered(p, &reg_ok, &reg, &f.dataset.dataset));
		CHECK(require(p, reg_ok, "0x30"));
		CHECK(poco_verify_sig_or_presig(p, &ok, &ds_owner, dh, f.dataset.sign.data,
						f.dataset.sign.len));
		CHECK(require(p, ok, "0x31"));
	}
	CHECK(poco_order_hash(p, wh, &f.wp));
	CHECK(poco_call_owner(p, &wp_owner, &f.wp.workerpool));
	CHECK(poco_config_addr(p, &reg, 'w'));
	CHECK(poco_call_is_registered(p, &reg_ok, &reg, &f.wp.workerpool));
	CHECK(require(p, reg_ok, "0x40"));
	CHECK(poco_verify_sig_or_presig(p, &ok, &wp_owner, wh, f.wp.sign.data, f.wp.sign.len));
	CHECK(require(p, ok, "0x41"));
	CHECK(poco_order_hash(p, rh, &f.req));
	CHECK(poco_verify_sig_or_presig(p, &ok, &f.req.requester, rh, f.req.sign.data,
					f.req.sign.len));
	CHECK(require(p, ok, "0x50"));

	/* availability */
	CHECK(deal_volume(p, &volume, &f, has_dataset, ah, dh, wh, rh));
	CHECK(require(p, !decc_u256_is_zero(&volume), "0x60"));

	/* record */
	CHECK(poco_consumed(p, &bot_first, rh));
	decc_poco_deal_id(dealid, rh, &bot_first);
	d.app = (struct poco_resource){ f.app.app, app_owner, f.app.price };
	d.dataset = (struct poco_resource){ f.dataset.dataset, ds_owner,
					    has_dataset ? f.dataset.price : DECC_U256_ZERO };
	d.workerpool = (struct poco_resource){ f.wp.workerpool, wp_owner, f.wp.price };
	d.trust = decc_u256_is_zero(&f.req.trust) ? decc_u256_from_u64(1) : f.req.trust;
	d.category = f.req.category;
	memcpy(d.tag, tag, 32);
	d.requester = f.req.requester;
	d.beneficiary = f.req.beneficiary;
	d.callback = f.req.callback;
	CHECK(decc_buf_append_str(&d.params, f.req.params));
	d.start_time = p->now;
	d.bot_first = bot_first;
	d.bot_size = volume;
	CHECK(wp_policy(p, &stake_ratio, &sched_ratio, &f.wp.workerpool));
	hundred = decc_u256_from_u64(100);
	CHECK(poco_mul(p, &v, &f.wp.price, &stake_ratio));
	CHECK(poco_div(p, &d.worker_stake, &v, &hundred));
	d.scheduler_ratio = sched_ratio;
	d.sponsor = sponsored ? p->sender : f.req.requester;
	CHECK(poco_deal_put(p, dealid, &d));

	CHECK(add_consumed(p, ah, &volume));
	CHECK(add_consumed(p, dh, has_dataset ? &volume : &DECC_U256_ZERO));
	CHECK(add_consumed(p, wh, &volume));
	CHECK(add_consumed(p, rh, &volume));

	/* lock */
	CHECK(poco_add(p, &sum, &d.app.price, &d.dataset.price));
	CHECK(poco_add(p, &sum, &sum, &d.workerpool.price));
	CHECK(poco_mul(p, &sum, &sum, &volume));
	CHECK(poco_lock(p, &d.sponsor, &sum));
	v = decc_u256_from_u64(30);
	CHECK(poco_mul(p, &sum, &d.workerpool.price, &v));
	CHECK(poco_div(p, &sum, &sum, &hundred));
	CHECK(poco_mul(p, &sum, &sum, &volume));
	CHECK(poco_lock(p, &d.workerpool.owner, &sum));

	/* events */
	{
		uint8_t topics[2][32], data[192];

		poco_topic(topics[0], "SchedulerNotice(address,bytes32)");
		poco_addr_word(topics[1], &d.workerpool.pointer);
		CHECK(poco_log(p, &p->cfg->hub, 2, topics, dealid, 32));
		poco_topic(topics[0],
			   "OrdersMatched(bytes32,bytes32,bytes32,bytes32,bytes32,uint256)");
		memcpy(data, dealid, 32);
		memcpy(data + 32, ah, 32);
		memcpy(data + 64, dh, 32);
		memcpy(data + 96, wh, 32);
		memcpy(data + 128, rh, 32);
		decc_u256_to_be(data + 160, &volume);
		CHECK(poco_log(p, &p->cfg->hub, 1, topics, data, 192));
		if (sponsored) {
			poco_topic(topics[0], "DealSponsored(bytes32,address)");
			memcpy(data, dealid, 32);
			poco_addr_word(data + 32, &p->sender);
			CHECK(poco_log(p, &p->cfg->hub, 1, topics, data, 64));
		}
	}
	r = poco_return_word(p, dealid);
#undef CHECK
out:
	release_four(&f);
	poco_deal_release(&d);
	return r;
}

static int fn_match(struct poco *p, const struct decc_abi_value *args)
{
	return match(p, args, false);
}

static int fn_sponsor_match(struct poco *p, const struct decc_abi_value *args)
{
	return match(p, args, true);
}

static int fn_compute_volume(struct poco *p, const struct decc_abi_value *args)
{
	struct four f;
	uint8_t ah[32], dh[32], wh[32], rh[32];
	decc_u256 v;
	int r = load_four(&f, args);

	if (r == 0)
		r = poco_order_hash(p, ah, &f.app);
	if (r == 0)
		r = poco_order_hash(p, dh, &f.dataset);
	if (r == 0)
		r = poco_order_hash(p, wh, &f.wp);
	if (r == 0)
		r = poco_order_hash(p, rh, &f.req);
	if (r == 0)
		r = deal_volume(p, &v, &f, !decc_address_is_zero(&f.dataset.dataset), ah, dh, wh,
				rh);
	if (r == 0)
		r = poco_return_u256(p, &v);
	release_four(&f);
	return r;
}

static int incompatible(struct poco *p, const char *reason)
{
	static const uint8_t sel[4] = { 0x0a, 0xfd, 0x93, 0x82 }; /* IncompatibleDatasetOrder */
	return poco_revert_error(p, sel, reason);
}

static int fn_assert_dataset_compat(struct poco *p, const struct decc_abi_value *args)
{
	struct decc_order o;
	struct poco_deal d;
	uint8_t h[32], dealid[32];
	decc_u256 c;
	decc_address owner;
	bool ok;
	int r;

	poco_deal_init(&d);
	poco_arg_b32(dealid, args, 1);
	r = poco_order_from_abi(&o, DECC_ORDER_DATASET, poco_arg(args, 0));
	if (r == 0)
		r = poco_order_hash(p, h, &o);
	if (r == 0)
		r = poco_consumed(p, &c, h);
	if (r == 0 && decc_u256_cmp(&c, &o.volume) >= 0)
		r = incompatible(p, "Dataset order is revoked or fully consumed");
	if (r == 0)
		r = poco_call_owner(p, &owner, &o.dataset);
	if (r == 0)
		r = poco_verify_sig_or_presig(p, &ok, &owner, h, o.sign.data, o.sign.len);
	if (r == 0 && !ok)
		r = incompatible(p, "Invalid dataset order signature");
	if (r == 0)
		r = poco_deal_get(p, &d, dealid);
	if (r == 0 && decc_address_is_zero(&d.requester))
		r = incompatible(p, "Deal not found");
	if (r == 0 && !decc_address_is_zero(&d.dataset.pointer))
		r = incompatible(p, "Deal already has a dataset");
	if (r == 0 && (poco_restriction_ok(p, &ok, &o.apprestrict, &d.app.pointer), !ok))
		r = incompatible(p, "App restriction not satisfied");
	if (r == 0 &&
	    (poco_restriction_ok(p, &ok, &o.workerpoolrestrict, &d.workerpool.pointer), !ok))
		r = incompatible(p, "Workerpool restriction not satisfied");
	if (r == 0 && (poco_restriction_ok(p, &ok, &o.requesterrestrict, &d.requester), !ok))
		r = incompatible(p, "Requester restriction not satisfied");
	if (r == 0) {
		ok = true;
		for (int i = 0; i < 32; i++)
			if ((d.tag[i] & o.tag[i]) != o.tag[i])
				ok = false;
		if (!ok)
			r = incompatible(p, "Tag compatibility not satisfied");
	}
	decc_order_release(&o);
	poco_deal_release(&d);
	return r;
}

const struct poco_fn poco_match_fns[] = {
	{ "matchOrders(" AO "," AO "," WO "," RO ")", fn_match, false },
	{ "sponsorMatchOrders(" AO "," AO "," WO "," RO ")", fn_sponsor_match, false },
	{ "computeDealVolume(" AO "," AO "," WO "," RO ")", fn_compute_volume, false },
	{ "assertDatasetDealCompatibility(" AO ",bytes32)", fn_assert_dataset_compat, false },
};
const size_t poco_n_match_fns = DECC_ARRAY_SIZE(poco_match_fns);
