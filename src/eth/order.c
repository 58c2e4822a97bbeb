/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PoCo v5 orders: EIP-712 hashing with the type strings of IexecLibOrders_v5, signatures, and
 * the iexec SDK's JSON form. One field table per order type drives parsing, printing and
 * struct hashing, so the three cannot disagree on field order.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/hex.h"
#include "decc/order.h"

/* params (escaped up to 6 bytes per byte) and sign dominate the size of an order */
#define ORDER_MAX_JSON ((size_t)256 * 1024)

static const char app_type[] =
    "AppOrder(address app,uint256 appprice,uint256 volume,bytes32 tag,address "
    "datasetrestrict,address workerpoolrestrict,address requesterrestrict,bytes32 salt)";
static const char dataset_type[] =
    "DatasetOrder(address dataset,uint256 datasetprice,uint256 volume,bytes32 tag,address "
    "apprestrict,address workerpoolrestrict,address requesterrestrict,bytes32 salt)";
static const char workerpool_type[] =
    "WorkerpoolOrder(address workerpool,uint256 workerpoolprice,uint256 volume,bytes32 "
    "tag,uint256 category,uint256 trust,address apprestrict,address datasetrestrict,address "
    "requesterrestrict,bytes32 salt)";
static const char request_type[] =
    "RequestOrder(address app,uint256 appmaxprice,address dataset,uint256 "
    "datasetmaxprice,address workerpool,uint256 workerpoolmaxprice,address requester,uint256 "
    "volume,bytes32 tag,uint256 category,uint256 trust,address beneficiary,address "
    "callback,string params,bytes32 salt)";

enum fkind {
	F_ADDR,
	F_U256,
	F_B32,
	F_STR,
};

struct fdesc {
	const char *name;
	enum fkind kind;
	size_t off;
};

#define FA(n, m)                                                                                   \
	{                                                                                          \
		n, F_ADDR, offsetof(struct decc_order, m)                                          \
	}
#define FU(n, m)                                                                                   \
	{                                                                                          \
		n, F_U256, offsetof(struct decc_order, m)                                          \
	}
#define FB(n, m)                                                                                   \
	{                                                                                          \
		n, F_B32, offsetof(struct decc_order, m)                                           \
	}
#define FS(n, m)                                                                                   \
	{                                                                                          \
		n, F_STR, offsetof(struct decc_order, m)                                           \
	}

/* In the order of the Solidity structs (= EIP-712 type strings = SDK JSON). */
static const struct fdesc app_fields[] = {
	FA("app", app),
	FU("appprice", price),
	FU("volume", volume),
	FB("tag", tag),
	FA("datasetrestrict", datasetrestrict),
	FA("workerpoolrestrict", workerpoolrestrict),
	FA("requesterrestrict", requesterrestrict),
	FB("salt", salt),
};
static const struct fdesc dataset_fields[] = {
	FA("dataset", dataset),
	FU("datasetprice", price),
	FU("volume", volume),
	FB("tag", tag),
	FA("apprestrict", apprestrict),
	FA("workerpoolrestrict", workerpoolrestrict),
	FA("requesterrestrict", requesterrestrict),
	FB("salt", salt),
};
static const struct fdesc workerpool_fields[] = {
	FA("workerpool", workerpool),
	FU("workerpoolprice", price),
	FU("volume", volume),
	FB("tag", tag),
	FU("category", category),
	FU("trust", trust),
	FA("apprestrict", apprestrict),
	FA("datasetrestrict", datasetrestrict),
	FA("requesterrestrict", requesterrestrict),
	FB("salt", salt),
};
static const struct fdesc request_fields[] = {
	FA("app", app),
	FU("appmaxprice", appmaxprice),
	FA("dataset", dataset),
	FU("datasetmaxprice", datasetmaxprice),
	FA("workerpool", workerpool),
	FU("workerpoolmaxprice", workerpoolmaxprice),
	FA("requester", requester),
	FU("volume", volume),
	FB("tag", tag),
	FU("category", category),
	FU("trust", trust),
	FA("beneficiary", beneficiary),
	FA("callback", callback),
	FS("params", params),
	FB("salt", salt),
};

struct otype {
	const char *name;
	const char *type_string;
	size_t type_len;
	const struct fdesc *fields;
	size_t nfields;
};

#define OT(n, s, f)                                                                                \
	{                                                                                          \
		n, s, sizeof(s) - 1, f, DECC_ARRAY_SIZE(f)                                         \
	}
static const struct otype otypes[] = {
	[DECC_ORDER_APP] = OT("app", app_type, app_fields),
	[DECC_ORDER_DATASET] = OT("dataset", dataset_type, dataset_fields),
	[DECC_ORDER_WORKERPOOL] = OT("workerpool", workerpool_type, workerpool_fields),
	[DECC_ORDER_REQUEST] = OT("request", request_type, request_fields),
};

/* An initialised order points here until it gets its own params: init cannot fail. */
static char empty_params[1];

static const struct otype *otype_of(enum decc_order_type t)
{
	return (unsigned)t < DECC_ARRAY_SIZE(otypes) ? &otypes[t] : &otypes[DECC_ORDER_APP];
}

void decc_order_init(struct decc_order *o, enum decc_order_type type)
{
	memset(o, 0, sizeof(*o));
	o->type = type;
	o->params = empty_params;
	decc_buf_init(&o->sign, DECC_ORDER_MAX_SIGN);
}

void decc_order_release(struct decc_order *o)
{
	if (!o)
		return;
	if (o->params && o->params != empty_params)
		free(o->params);
	o->params = empty_params;
	decc_buf_release(&o->sign);
}

const char *decc_order_type_name(enum decc_order_type t)
{
	return (unsigned)t < DECC_ARRAY_SIZE(otypes) ? otypes[t].name : "unknown";
}

int decc_order_type_parse(enum decc_order_type *out, const char *s)
{
	for (size_t i = 0; i < DECC_ARRAY_SIZE(otypes); i++) {
		if (s && strcmp(s, otypes[i].name) == 0) {
			*out = (enum decc_order_type)i;
			return 0;
		}
	}
	return decc_error_set(
	    DECC_EINVAL, "unknown order type \"%.40s\": use app, dataset, workerpool or request",
	    s ? s : "");
}

/* ---- hashing ---- */

void decc_order_type_hash(uint8_t out[32], enum decc_order_type t)
{
	const struct otype *ot = otype_of(t);

	decc_keccak256(out, ot->type_string, ot->type_len);
}

/* "<Name>Operation(<Name> order,uint256 operation)" followed by the order's type string */
void decc_order_operation_type_hash(uint8_t out[32], enum decc_order_type t)
{
	const struct otype *ot = otype_of(t);
	size_t nlen = (size_t)(strchr(ot->type_string, '(') - ot->type_string);
	struct decc_keccak k;

	decc_keccak_init(&k);
	decc_keccak_update(&k, ot->type_string, nlen);
	decc_keccak_update(&k, "Operation(", 10);
	decc_keccak_update(&k, ot->type_string, nlen);
	decc_keccak_update(&k, " order,uint256 operation)", 25);
	decc_keccak_update(&k, ot->type_string, ot->type_len);
	decc_keccak_final(&k, out);
}

static void field_word(uint8_t w[32], const struct decc_order *o, const struct fdesc *f)
{
	const uint8_t *p = (const uint8_t *)o + f->off;
	const char *s;

	switch (f->kind) {
	case F_ADDR:
		decc_address_to_word(w, (const decc_address *)p);
		break;
	case F_U256:
		decc_u256_to_be(w, (const decc_u256 *)p);
		break;
	case F_B32:
		memcpy(w, p, 32);
		break;
	case F_STR:
	default:
		s = *(char *const *)p;
		if (!s)
			s = "";
		decc_keccak256(w, s, strlen(s));
		break;
	}
}

void decc_order_struct_hash(uint8_t out[32], const struct decc_order *o)
{
	const struct otype *ot = otype_of(o->type);
	struct decc_keccak k;
	uint8_t w[32];

	decc_order_type_hash(w, o->type);
	decc_keccak_init(&k);
	decc_keccak_update(&k, w, 32);
	for (size_t i = 0; i < ot->nfields; i++) {
		field_word(w, o, &ot->fields[i]);
		decc_keccak_update(&k, w, 32);
	}
	decc_keccak_final(&k, out);
}

void decc_order_domain(struct decc_eip712_domain *out, uint64_t chain_id, const decc_address *hub)
{
	out->name = "iExecODB";
	out->version = "5.0.0";
	out->chain_id = decc_u256_from_u64(chain_id);
	out->verifying_contract = *hub;
}

void decc_order_hash(uint8_t out[32], const uint8_t domain_separator[32],
		     const struct decc_order *o)
{
	uint8_t sh[32];

	decc_order_struct_hash(sh, o);
	decc_eip712_digest(out, domain_separator, sh);
}

void decc_order_operation_hash(uint8_t out[32], const uint8_t domain_separator[32],
			       const struct decc_order *o, enum decc_order_operation op)
{
	struct decc_keccak k;
	uint8_t w[32], sh[32];

	decc_keccak_init(&k);
	decc_order_operation_type_hash(w, o->type);
	decc_keccak_update(&k, w, 32);
	decc_order_struct_hash(w, o);
	decc_keccak_update(&k, w, 32);
	memset(w, 0, 32);
	w[31] = (uint8_t)op;
	decc_keccak_update(&k, w, 32);
	decc_keccak_final(&k, sh);
	decc_eip712_digest(out, domain_separator, sh);
}

int decc_order_sign(struct decc_order *o, const uint8_t domain_separator[32], const uint8_t sk[32])
{
	uint8_t h[32], sig[65];

	decc_order_hash(h, domain_separator, o);
	DECC_TRY(decc_eth_sign_digest(sig, h, sk));
	decc_buf_reset(&o->sign);
	return decc_buf_append(&o->sign, sig, sizeof(sig));
}

int decc_order_verify(const struct decc_order *o, const uint8_t domain_separator[32],
		      const decc_address *signer)
{
	uint8_t h[32];
	decc_address who;
	char got[43], want[43];

	if (o->sign.len == 0)
		return decc_error_set(DECC_EAUTH, "%s order is not signed (empty \"sign\")",
				      decc_order_type_name(o->type));
	decc_order_hash(h, domain_separator, o);
	if (decc_eth_recover_digest(&who, h, o->sign.data, o->sign.len) < 0)
		return decc_error_wrap(DECC_EAUTH, "%s order signature",
				       decc_order_type_name(o->type));
	if (!decc_address_eq(&who, signer)) {
		decc_address_to_checksum(got, &who);
		decc_address_to_checksum(want, signer);
		return decc_error_set(
		    DECC_EAUTH,
		    "%s order signature is by %s, expected %s (wrong key, chain id "
		    "or hub?)",
		    decc_order_type_name(o->type), got, want);
	}
	return 0;
}

/* ---- JSON ---- */

static int parse_u256(decc_u256 *out, json_t *v, const char *what)
{
	const char *s;

	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0)
			return decc_error_set(DECC_EINVAL, "order field %s: negative integer",
					      what);
		*out = decc_u256_from_u64((uint64_t)json_integer_value(v));
		return 0;
	}
	if (!json_is_string(v))
		return decc_error_set(DECC_EINVAL,
				      "order field %s: expected a decimal integer string", what);
	s = json_string_value(v);
	if (!s[0] || strspn(s, "0123456789") != strlen(s) || strlen(s) != json_string_length(v))
		return decc_error_set(
		    DECC_EINVAL, "order field %s: \"%.80s\" is not a decimal integer", what, s);
	if (decc_u256_parse(out, s) < 0)
		return decc_error_wrap(DECC_EINVAL, "order field %s", what);
	return 0;
}

static int parse_hex_string(json_t *v, const char *what, const char **s, size_t *slen)
{
	if (!json_is_string(v))
		return decc_error_set(DECC_EINVAL, "order field %s: expected a 0x-hex string",
				      what);
	*s = json_string_value(v);
	*slen = json_string_length(v);
	if (*slen < 2 || (*s)[0] != '0' || ((*s)[1] != 'x' && (*s)[1] != 'X') ||
	    strlen(*s) != *slen)
		return decc_error_set(DECC_EINVAL, "order field %s: expected a 0x-hex string",
				      what);
	return 0;
}

static int parse_field(struct decc_order *o, const struct fdesc *f, json_t *v)
{
	uint8_t *p = (uint8_t *)o + f->off;
	const char *s;
	size_t slen, got;

	switch (f->kind) {
	case F_ADDR:
		if (!json_is_string(v))
			return decc_error_set(DECC_EINVAL, "order field %s: expected an address",
					      f->name);
		if (decc_address_parse((decc_address *)p, json_string_value(v)) < 0)
			return decc_error_wrap(DECC_EINVAL, "order field %s", f->name);
		return 0;
	case F_U256:
		return parse_u256((decc_u256 *)p, v, f->name);
	case F_B32:
		DECC_TRY(parse_hex_string(v, f->name, &s, &slen));
		if (slen != 66)
			return decc_error_set(DECC_EINVAL,
					      "order field %s: expected 0x and 64 hex digits (32 "
					      "bytes), got %zu characters",
					      f->name, slen);
		if (decc_hex_decode(p, 32, &got, s, slen) < 0)
			return decc_error_wrap(DECC_EINVAL, "order field %s", f->name);
		return 0;
	case F_STR:
	default:
		if (!json_is_string(v))
			return decc_error_set(DECC_EINVAL, "order field %s: expected a string",
					      f->name);
		slen = json_string_length(v);
		if (slen > DECC_ORDER_MAX_PARAMS)
			return decc_error_set(DECC_ELIMIT, "order field %s: %zu bytes, at most %d",
					      f->name, slen, DECC_ORDER_MAX_PARAMS);
		if (strlen(json_string_value(v)) != slen)
			return decc_error_set(DECC_EINVAL, "order field %s: contains a NUL byte",
					      f->name);
		s = strdup(json_string_value(v));
		if (!s)
			return decc_error_set(DECC_ENOMEM, "out of memory");
		if (o->params != empty_params)
			free(o->params);
		o->params = (char *)s;
		return 0;
	}
}

static int parse_sign(struct decc_order *o, json_t *v)
{
	const char *s;
	size_t slen;

	DECC_TRY(parse_hex_string(v, "sign", &s, &slen));
	if ((slen - 2) / 2 > DECC_ORDER_MAX_SIGN)
		return decc_error_set(DECC_ELIMIT, "order field sign: %zu bytes, at most %d",
				      (slen - 2) / 2, DECC_ORDER_MAX_SIGN);
	if (decc_hex_decode_buf(&o->sign, s, slen) < 0)
		return decc_error_wrap(DECC_EINVAL, "order field sign");
	return 0;
}

static int parse_order(struct decc_order *o, bool *has_salt, const struct otype *ot, json_t *root)
{
	const char *key;
	json_t *v;

	if (!json_is_object(root))
		return decc_error_set(DECC_EINVAL, "%s order: a JSON object is expected", ot->name);
	json_object_foreach(root, key, v)
	{
		size_t i;

		if (strcmp(key, "sign") == 0)
			continue;
		for (i = 0; i < ot->nfields; i++) {
			if (strcmp(key, ot->fields[i].name) == 0)
				break;
		}
		if (i == ot->nfields)
			return decc_error_set(DECC_EINVAL,
					      "%s order: unknown field \"%.64s\" (check the order "
					      "type)",
					      ot->name, key);
	}
	*has_salt = false;
	for (size_t i = 0; i < ot->nfields; i++) {
		const struct fdesc *f = &ot->fields[i];

		v = json_object_get(root, f->name);
		if (!v) {
			if (strcmp(f->name, "salt") == 0)
				continue;
			return decc_error_set(DECC_EINVAL, "%s order: missing field \"%s\"",
					      ot->name, f->name);
		}
		DECC_TRY(parse_field(o, f, v));
		if (strcmp(f->name, "salt") == 0)
			*has_salt = true;
	}
	v = json_object_get(root, "sign");
	if (v)
		DECC_TRY(parse_sign(o, v));
	return 0;
}

int decc_order_from_json(struct decc_order *out, bool *has_salt, enum decc_order_type type,
			 const char *json, size_t n)
{
	struct decc_order o;
	json_error_t jerr;
	json_t *root;
	bool salt = false;
	int r;

	if ((unsigned)type >= DECC_ARRAY_SIZE(otypes))
		return decc_error_set(DECC_EINVAL, "unknown order type %d", (int)type);
	if (n > ORDER_MAX_JSON)
		return decc_error_set(DECC_ELIMIT, "%s order: %zu bytes of JSON, at most %zu",
				      otypes[type].name, n, ORDER_MAX_JSON);
	root = json_loadb(json, n, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return decc_error_set(DECC_EINVAL, "%s order: invalid JSON at line %d: %s",
				      otypes[type].name, jerr.line, jerr.text);
	decc_order_init(&o, type);
	r = parse_order(&o, &salt, &otypes[type], root);
	json_decref(root);
	if (r < 0) {
		decc_order_release(&o);
		return r;
	}
	*out = o;
	if (has_salt)
		*has_salt = salt;
	return 0;
}

static int put(json_t *obj, const char *key, json_t *v)
{
	if (!v || json_object_set_new(obj, key, v) < 0)
		return decc_error_set(DECC_EINVAL,
				      "cannot build the JSON of field %s (invalid "
				      "UTF-8?)",
				      key);
	return 0;
}

static int build_json(json_t *obj, const struct decc_order *o, const struct otype *ot)
{
	char text[160];

	for (size_t i = 0; i < ot->nfields; i++) {
		const struct fdesc *f = &ot->fields[i];
		const uint8_t *p = (const uint8_t *)o + f->off;
		const char *s;

		switch (f->kind) {
		case F_ADDR:
			decc_address_to_checksum(text, (const decc_address *)p);
			DECC_TRY(put(obj, f->name, json_string(text)));
			break;
		case F_U256:
			decc_u256_to_dec(text, (const decc_u256 *)p);
			DECC_TRY(put(obj, f->name, json_string(text)));
			break;
		case F_B32:
			decc_hex_encode(text, p, 32, true);
			DECC_TRY(put(obj, f->name, json_string(text)));
			break;
		case F_STR:
		default:
			s = *(char *const *)p;
			DECC_TRY(put(obj, f->name, json_string(s ? s : "")));
			break;
		}
	}
	if (o->sign.len) {
		struct decc_buf b = DECC_BUF_INIT;
		int r = decc_hex_append(&b, o->sign.data, o->sign.len);

		if (r == 0)
			r = put(obj, "sign", json_string(decc_buf_str(&b)));
		decc_buf_release(&b);
		DECC_TRY(r);
	}
	return 0;
}

int decc_order_to_json(struct decc_buf *out, const struct decc_order *o)
{
	json_t *obj;
	char *text;
	int r;

	if ((unsigned)o->type >= DECC_ARRAY_SIZE(otypes))
		return decc_error_set(DECC_EINVAL, "unknown order type %d", (int)o->type);
	obj = json_object();
	if (!obj)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	r = build_json(obj, o, &otypes[o->type]);
	if (r < 0) {
		json_decref(obj);
		return decc_error_wrap(r, "%s order", otypes[o->type].name);
	}
	text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(obj);
	if (!text)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	if (strlen(text) > out->max) {
		free(text);
		return decc_error_set(DECC_ELIMIT, "order JSON does not fit the output buffer");
	}
	decc_buf_reset(out);
	r = decc_buf_append_str(out, text);
	free(text);
	return r;
}
