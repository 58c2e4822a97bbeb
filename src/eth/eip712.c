/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EIP-712 typed structured data. The fixed four-field domain used by PoCo is hashed directly;
 * eth_signTypedData_v4 JSON goes through a small interpreter: types are checked once, then
 * values are encoded recursively with bounded depth and sizes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "decc/crypto.h"
#include "decc/eip712.h"
#include "decc/error.h"
#include "decc/hex.h"

#define EIP712_MAX_JSON ((size_t)1 << 20)
#define EIP712_MAX_DEPTH 32
#define EIP712_MAX_TYPES 128
#define EIP712_MAX_FIELDS 128
#define EIP712_MAX_NAME 256
#define EIP712_MAX_ARRAY ((size_t)1 << 20)

static const char domain_type[] =
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)";

void decc_eip712_domain_separator(uint8_t out[32], const struct decc_eip712_domain *d)
{
	struct decc_keccak k;
	uint8_t w[32];
	const char *name = d->name ? d->name : "";
	const char *version = d->version ? d->version : "";

	decc_keccak_init(&k);
	decc_keccak256(w, domain_type, sizeof(domain_type) - 1);
	decc_keccak_update(&k, w, 32);
	decc_keccak256(w, name, strlen(name));
	decc_keccak_update(&k, w, 32);
	decc_keccak256(w, version, strlen(version));
	decc_keccak_update(&k, w, 32);
	decc_u256_to_be(w, &d->chain_id);
	decc_keccak_update(&k, w, 32);
	decc_address_to_word(w, &d->verifying_contract);
	decc_keccak_update(&k, w, 32);
	decc_keccak_final(&k, out);
}

void decc_eip712_digest(uint8_t out[32], const uint8_t domain_separator[32],
			const uint8_t struct_hash[32])
{
	uint8_t m[66];

	m[0] = 0x19;
	m[1] = 0x01;
	memcpy(m + 2, domain_separator, 32);
	memcpy(m + 34, struct_hash, 32);
	decc_keccak256(out, m, sizeof(m));
}

/* ---- generic typed data ---- */

struct field {
	const char *name;
	const char *type;
};

struct stype {
	const char *name;
	struct field *fields;
	size_t nfields;
	bool hashed;
	uint8_t hash[32];
};

struct ctx {
	struct stype types[EIP712_MAX_TYPES + 1]; /* + a synthesized EIP712Domain */
	size_t ntypes;
};

enum atom {
	ATOM_NONE,
	ATOM_ADDRESS,
	ATOM_BOOL,
	ATOM_STRING,
	ATOM_BYTES,
	ATOM_BYTESN,
	ATOM_UINT,
	ATOM_INT,
};

static void ctx_release(struct ctx *c)
{
	for (size_t i = 0; i < c->ntypes; i++)
		free(c->types[i].fields);
	c->ntypes = 0;
}

static bool is_ident(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > EIP712_MAX_NAME || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '$'))
			return false;
	}
	return true;
}

static struct stype *find_type(struct ctx *c, const char *name, size_t len)
{
	for (size_t i = 0; i < c->ntypes; i++) {
		if (strlen(c->types[i].name) == len && memcmp(c->types[i].name, name, len) == 0)
			return &c->types[i];
	}
	return NULL;
}

/* Parse a decimal width in [lo, hi] that is a multiple of step; s is NUL-terminated digits. */
static bool parse_width(const char *s, size_t len, unsigned lo, unsigned hi, unsigned step,
			unsigned *out)
{
	unsigned v = 0;

	if (len == 0 || len > 3 || s[0] == '0')
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v < lo || v > hi || v % step)
		return false;
	*out = v;
	return true;
}

/* The atomic kind of a base type name (no array suffix), ATOM_NONE when not atomic. */
static enum atom atom_of(const char *s, size_t len, unsigned *width)
{
	*width = 0;
	if (len == 7 && memcmp(s, "address", 7) == 0)
		return ATOM_ADDRESS;
	if (len == 4 && memcmp(s, "bool", 4) == 0)
		return ATOM_BOOL;
	if (len == 6 && memcmp(s, "string", 6) == 0)
		return ATOM_STRING;
	if (len == 5 && memcmp(s, "bytes", 5) == 0)
		return ATOM_BYTES;
	if (len > 5 && memcmp(s, "bytes", 5) == 0)
		return parse_width(s + 5, len - 5, 1, 32, 1, width) ? ATOM_BYTESN : ATOM_NONE;
	if (len > 4 && memcmp(s, "uint", 4) == 0)
		return parse_width(s + 4, len - 4, 8, 256, 8, width) ? ATOM_UINT : ATOM_NONE;
	if (len > 3 && memcmp(s, "int", 3) == 0)
		return parse_width(s + 3, len - 3, 8, 256, 8, width) ? ATOM_INT : ATOM_NONE;
	return ATOM_NONE;
}

/* Length of the base type: the type string up to its first '['. */
static size_t base_len(const char *type)
{
	const char *b = strchr(type, '[');

	return b ? (size_t)(b - type) : strlen(type);
}

/* Check the array suffixes "[]" / "[N]" that follow the base type. */
static bool suffixes_ok(const char *s)
{
	while (*s) {
		if (*s++ != '[')
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
		if (*s++ != ']')
			return false;
	}
	return true;
}

static int check_field_type(struct ctx *c, const struct stype *t, const struct field *f)
{
	size_t bl = base_len(f->type);
	unsigned w;

	if (bl == 0 || !suffixes_ok(f->type + bl))
		return decc_error_set(DECC_EINVAL, "typed data: malformed type \"%.80s\" of %s.%s",
				      f->type, t->name, f->name);
	if (atom_of(f->type, bl, &w) == ATOM_NONE && !find_type(c, f->type, bl))
		return decc_error_set(DECC_EINVAL,
				      "typed data: unknown type \"%.80s\" of %s.%s (not an EIP-712 "
				      "atomic type and not defined in \"types\")",
				      f->type, t->name, f->name);
	return 0;
}

static int load_type(struct stype *t, const char *name, json_t *arr)
{
	size_t n, i;
	json_t *it;

	if (!is_ident(name))
		return decc_error_set(DECC_EINVAL, "typed data: invalid type name \"%.80s\"", name);
	if (!json_is_array(arr))
		return decc_error_set(DECC_EINVAL, "typed data: type %s must be an array of fields",
				      name);
	n = json_array_size(arr);
	if (n > EIP712_MAX_FIELDS)
		return decc_error_set(DECC_ELIMIT, "typed data: type %s has %zu fields, at most %d",
				      name, n, EIP712_MAX_FIELDS);
	t->name = name;
	t->fields = calloc(n ? n : 1, sizeof(*t->fields));
	if (!t->fields)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	t->nfields = n;
	json_array_foreach(arr, i, it)
	{
		json_t *fn = json_object_get(it, "name"), *ft = json_object_get(it, "type");

		if (!json_is_string(fn) || !json_is_string(ft))
			return decc_error_set(DECC_EINVAL,
					      "typed data: field %zu of %s needs string \"name\" "
					      "and \"type\"",
					      i, name);
		t->fields[i].name = json_string_value(fn);
		t->fields[i].type = json_string_value(ft);
		if (!is_ident(t->fields[i].name))
			return decc_error_set(DECC_EINVAL,
					      "typed data: invalid field name \"%.80s\" in %s",
					      t->fields[i].name, name);
		for (size_t j = 0; j < i; j++) {
			if (strcmp(t->fields[j].name, t->fields[i].name) == 0)
				return decc_error_set(DECC_EINVAL,
						      "typed data: duplicate field %s in %s",
						      t->fields[i].name, name);
		}
	}
	return 0;
}

static int load_types(struct ctx *c, json_t *types)
{
	const char *key;
	json_t *val;

	if (!json_is_object(types))
		return decc_error_set(DECC_EINVAL, "typed data: \"types\" must be an object");
	if (json_object_size(types) > EIP712_MAX_TYPES)
		return decc_error_set(DECC_ELIMIT, "typed data: %zu types, at most %d",
				      json_object_size(types), EIP712_MAX_TYPES);
	json_object_foreach(types, key, val)
	{
		struct stype *t = &c->types[c->ntypes];

		memset(t, 0, sizeof(*t));
		c->ntypes++;
		DECC_TRY(load_type(t, key, val));
	}
	for (size_t i = 0; i < c->ntypes; i++) {
		for (size_t j = 0; j < c->types[i].nfields; j++)
			DECC_TRY(check_field_type(c, &c->types[i], &c->types[i].fields[j]));
	}
	return 0;
}

/* Mark every struct type reachable from t (t itself included). */
static void mark_deps(struct ctx *c, const struct stype *t, bool *seen)
{
	size_t idx = (size_t)(t - c->types);

	if (seen[idx])
		return;
	seen[idx] = true;
	for (size_t i = 0; i < t->nfields; i++) {
		const struct stype *d =
		    find_type(c, t->fields[i].type, base_len(t->fields[i].type));

		if (d)
			mark_deps(c, d, seen);
	}
}

static int append_type(struct decc_buf *b, const struct stype *t)
{
	DECC_TRY(decc_buf_appendf(b, "%s(", t->name));
	for (size_t i = 0; i < t->nfields; i++)
		DECC_TRY(decc_buf_appendf(b, "%s%s %s", i ? "," : "", t->fields[i].type,
					  t->fields[i].name));
	return decc_buf_append_byte(b, ')');
}

/* encodeType: the primary type, then the types it references sorted by name. */
static int encode_type(struct decc_buf *b, struct ctx *c, const struct stype *t)
{
	bool seen[EIP712_MAX_TYPES + 1] = { 0 };
	const struct stype *deps[EIP712_MAX_TYPES + 1];
	size_t nd = 0;

	mark_deps(c, t, seen);
	for (size_t i = 0; i < c->ntypes; i++) {
		if (seen[i] && &c->types[i] != t)
			deps[nd++] = &c->types[i];
	}
	/* insertion sort: a few dozen entries at most */
	for (size_t i = 1; i < nd; i++) {
		const struct stype *x = deps[i];
		size_t j = i;

		while (j > 0 && strcmp(deps[j - 1]->name, x->name) > 0) {
			deps[j] = deps[j - 1];
			j--;
		}
		deps[j] = x;
	}
	DECC_TRY(append_type(b, t));
	for (size_t i = 0; i < nd; i++)
		DECC_TRY(append_type(b, deps[i]));
	return 0;
}

static int type_hash(struct ctx *c, struct stype *t, uint8_t out[32])
{
	struct decc_buf b;
	int r;

	if (!t->hashed) {
		decc_buf_init(&b, (size_t)1 << 22);
		r = encode_type(&b, c, t);
		if (r < 0) {
			decc_buf_release(&b);
			return r;
		}
		decc_keccak256(t->hash, b.data, b.len);
		decc_buf_release(&b);
		t->hashed = true;
	}
	memcpy(out, t->hash, 32);
	return 0;
}

/* Bit length of a big-endian 256-bit value. */
static unsigned bit_len(const uint8_t be[32])
{
	for (int i = 0; i < 32; i++) {
		if (be[i])
			return (unsigned)(8 * (32 - i) - __builtin_clz(be[i]) + 24);
	}
	return 0;
}

static void negate(uint8_t w[32])
{
	unsigned carry = 1;

	for (int i = 31; i >= 0; i--) {
		unsigned v = (unsigned)(uint8_t)~w[i] + carry;

		w[i] = (uint8_t)v;
		carry = v >> 8;
	}
}

/* uintN / intN from a JSON integer, a decimal string or a 0x-hex string (optionally "-"). */
static int encode_int(uint8_t out[32], json_t *v, bool is_signed, unsigned bits, const char *what)
{
	decc_u256 mag;
	bool neg = false;
	uint8_t w[32];

	if (json_is_integer(v)) {
		json_int_t x = json_integer_value(v);

		neg = x < 0;
		/* magnitude without overflowing on the most negative value */
		mag = decc_u256_from_u64(neg ? (uint64_t)0 - (uint64_t)x : (uint64_t)x);
	} else if (json_is_string(v)) {
		const char *s = json_string_value(v);

		if (s[0] == '-') {
			neg = true;
			s++;
		}
		if (!s[0] || s[0] == '-' || s[0] == '+' || decc_u256_parse(&mag, s) < 0)
			return decc_error_set(DECC_EINVAL,
					      "typed data: %s: invalid integer \"%.80s\"", what,
					      json_string_value(v));
	} else {
		return decc_error_set(DECC_EINVAL,
				      "typed data: %s: integer expected (number or string)", what);
	}
	decc_u256_to_be(w, &mag);
	if (decc_u256_is_zero(&mag))
		neg = false;
	if (neg && !is_signed)
		return decc_error_set(DECC_EINVAL, "typed data: %s: negative value for uint%u",
				      what, bits);
	if (neg) {
		/* -2^(bits-1) is the smallest: magnitude - 1 must fit in bits - 1 */
		uint8_t m1[32];
		decc_u256 one = decc_u256_from_u64(1), t;

		(void)decc_u256_sub(&t, &mag, &one);
		decc_u256_to_be(m1, &t);
		if (bit_len(m1) > bits - 1)
			return decc_error_set(
			    DECC_EINVAL, "typed data: %s: value out of range of int%u", what, bits);
		negate(w);
	} else if (bit_len(w) > (is_signed ? bits - 1 : bits)) {
		return decc_error_set(DECC_EINVAL, "typed data: %s: value out of range of %s%u",
				      what, is_signed ? "int" : "uint", bits);
	}
	memcpy(out, w, 32);
	return 0;
}

static int encode_hex_bytes(uint8_t out[32], json_t *v, bool fixed, unsigned width,
			    const char *what)
{
	const char *s = json_string_value(v);
	size_t slen;
	struct decc_buf b;
	int r;

	if (!s || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return decc_error_set(DECC_EINVAL, "typed data: %s: expected a 0x-hex string",
				      what);
	slen = json_string_length(v);
	decc_buf_init(&b, slen / 2 + 1);
	r = decc_hex_decode_buf(&b, s, slen);
	if (r < 0) {
		decc_buf_release(&b);
		return decc_error_wrap(r, "typed data: %s", what);
	}
	if (fixed) {
		if (b.len != width) {
			decc_buf_release(&b);
			return decc_error_set(DECC_EINVAL,
					      "typed data: %s: expected %u bytes for bytes%u", what,
					      width, width);
		}
		memset(out, 0, 32);
		memcpy(out, b.data, width);
	} else {
		decc_keccak256(out, b.data, b.len);
	}
	decc_buf_release(&b);
	return 0;
}

static int encode_atom(uint8_t out[32], enum atom a, unsigned width, json_t *v, const char *what)
{
	decc_address addr;

	switch (a) {
	case ATOM_ADDRESS:
		if (!json_is_string(v))
			return decc_error_set(DECC_EINVAL,
					      "typed data: %s: address string expected", what);
		if (decc_address_parse(&addr, json_string_value(v)) < 0)
			return decc_error_wrap(DECC_EINVAL, "typed data: %s", what);
		decc_address_to_word(out, &addr);
		return 0;
	case ATOM_BOOL:
		if (!json_is_boolean(v))
			return decc_error_set(DECC_EINVAL, "typed data: %s: true or false expected",
					      what);
		memset(out, 0, 32);
		out[31] = json_is_true(v) ? 1 : 0;
		return 0;
	case ATOM_STRING:
		if (!json_is_string(v))
			return decc_error_set(DECC_EINVAL, "typed data: %s: string expected", what);
		decc_keccak256(out, json_string_value(v), json_string_length(v));
		return 0;
	case ATOM_BYTES:
		return encode_hex_bytes(out, v, false, 0, what);
	case ATOM_BYTESN:
		return encode_hex_bytes(out, v, true, width, what);
	case ATOM_UINT:
		return encode_int(out, v, false, width, what);
	case ATOM_INT:
		return encode_int(out, v, true, width, what);
	case ATOM_NONE:
	default:
		return decc_error_set(DECC_EINVAL, "typed data: %s: not an atomic type", what);
	}
}

static int hash_struct(struct ctx *c, uint8_t out[32], struct stype *t, json_t *v, int depth);

/* The 32-byte encodeData word of one value of type `type` (a field type string). */
static int encode_value(struct ctx *c, uint8_t out[32], const char *type, size_t tlen, json_t *v,
			int depth, const char *what)
{
	if (depth > EIP712_MAX_DEPTH)
		return decc_error_set(DECC_ELIMIT, "typed data: nested deeper than %d levels",
				      EIP712_MAX_DEPTH);
	if (tlen > 0 && type[tlen - 1] == ']') {
		size_t open = tlen - 1, want = SIZE_MAX, n, i;
		struct decc_keccak k;
		json_t *it;

		while (open > 0 && type[open] != '[')
			open--;
		if (open + 2 < tlen) {
			want = 0;
			for (size_t j = open + 1; j < tlen - 1; j++) {
				if (want > EIP712_MAX_ARRAY)
					break;
				want = want * 10 + (size_t)(type[j] - '0');
			}
		}
		if (!json_is_array(v))
			return decc_error_set(DECC_EINVAL, "typed data: %s: array expected", what);
		n = json_array_size(v);
		if (want != SIZE_MAX && n != want)
			return decc_error_set(DECC_EINVAL,
					      "typed data: %s: array of %zu elements, type %.*s "
					      "needs %zu",
					      what, n, (int)tlen, type, want);
		decc_keccak_init(&k);
		json_array_foreach(v, i, it)
		{
			uint8_t w[32];

			DECC_TRY(encode_value(c, w, type, open, it, depth + 1, what));
			decc_keccak_update(&k, w, 32);
		}
		decc_keccak_final(&k, out);
		return 0;
	}

	struct stype *t = find_type(c, type, tlen);
	unsigned width;
	enum atom a;

	if (t)
		return hash_struct(c, out, t, v, depth + 1);
	a = atom_of(type, tlen, &width);
	return encode_atom(out, a, width, v, what);
}

static int hash_struct(struct ctx *c, uint8_t out[32], struct stype *t, json_t *v, int depth)
{
	struct decc_keccak k;
	uint8_t w[32];

	if (depth > EIP712_MAX_DEPTH)
		return decc_error_set(DECC_ELIMIT, "typed data: nested deeper than %d levels",
				      EIP712_MAX_DEPTH);
	if (!json_is_object(v))
		return decc_error_set(DECC_EINVAL, "typed data: a %s value must be an object",
				      t->name);
	DECC_TRY(type_hash(c, t, w));
	decc_keccak_init(&k);
	decc_keccak_update(&k, w, 32);
	for (size_t i = 0; i < t->nfields; i++) {
		const struct field *f = &t->fields[i];
		json_t *fv = json_object_get(v, f->name);
		char what[2 * EIP712_MAX_NAME + 2];

		snprintf(what, sizeof(what), "%s.%s", t->name, f->name);
		if (!fv || json_is_null(fv))
			return decc_error_set(DECC_EINVAL, "typed data: missing value for %s",
					      what);
		DECC_TRY(encode_value(c, w, f->type, strlen(f->type), fv, depth, what));
		decc_keccak_update(&k, w, 32);
	}
	decc_keccak_final(&k, out);
	return 0;
}

/* Without an "EIP712Domain" type, the domain's type is made of the standard fields present. */
static int synth_domain(struct ctx *c, json_t *domain, struct stype **out)
{
	static const struct field std[] = {
		{ "name", "string" },	  { "version", "string" },
		{ "chainId", "uint256" }, { "verifyingContract", "address" },
		{ "salt", "bytes32" },
	};
	struct stype *t = &c->types[c->ntypes];
	const char *key;
	json_t *val;

	json_object_foreach(domain, key, val)
	{
		size_t i;

		for (i = 0; i < DECC_ARRAY_SIZE(std); i++) {
			if (strcmp(key, std[i].name) == 0)
				break;
		}
		if (i == DECC_ARRAY_SIZE(std))
			return decc_error_set(DECC_EINVAL,
					      "typed data: unknown domain field \"%.80s\" (no "
					      "EIP712Domain type given)",
					      key);
	}
	memset(t, 0, sizeof(*t));
	t->name = "EIP712Domain";
	t->fields = calloc(DECC_ARRAY_SIZE(std), sizeof(*t->fields));
	if (!t->fields)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	c->ntypes++;
	for (size_t i = 0; i < DECC_ARRAY_SIZE(std); i++) {
		if (json_object_get(domain, std[i].name))
			t->fields[t->nfields++] = std[i];
	}
	*out = t;
	return 0;
}

static int load_json(json_t **out, const char *json, size_t n)
{
	json_error_t jerr;

	if (n > EIP712_MAX_JSON)
		return decc_error_set(DECC_ELIMIT, "typed data: %zu bytes of JSON, at most %zu", n,
				      EIP712_MAX_JSON);
	*out = json_loadb(json, n, JSON_REJECT_DUPLICATES, &jerr);
	if (!*out)
		return decc_error_set(DECC_EINVAL, "typed data: invalid JSON at line %d: %s",
				      jerr.line, jerr.text);
	if (!json_is_object(*out)) {
		json_decref(*out);
		return decc_error_set(DECC_EINVAL, "typed data: a JSON object is expected");
	}
	return 0;
}

static int hash_typed(struct ctx *c, uint8_t digest[32], uint8_t sep[32], uint8_t sh[32],
		      json_t *root)
{
	json_t *types = json_object_get(root, "types"), *domain = json_object_get(root, "domain");
	json_t *primary = json_object_get(root, "primaryType"),
	       *message = json_object_get(root, "message");
	struct stype *pt, *dt;

	if (!types || !domain || !primary || !message)
		return decc_error_set(DECC_EINVAL, "typed data: \"types\", \"primaryType\", "
						   "\"domain\" and \"message\" are required");
	if (!json_is_string(primary) || !json_is_object(domain))
		return decc_error_set(DECC_EINVAL, "typed data: \"primaryType\" must be a string "
						   "and \"domain\" an object");
	DECC_TRY(load_types(c, types));
	pt = find_type(c, json_string_value(primary), strlen(json_string_value(primary)));
	if (!pt)
		return decc_error_set(DECC_EINVAL, "typed data: primary type %.80s is not defined",
				      json_string_value(primary));
	if (strcmp(pt->name, "EIP712Domain") == 0)
		return decc_error_set(DECC_EINVAL,
				      "typed data: EIP712Domain cannot be the primary type");
	dt = find_type(c, "EIP712Domain", 12);
	if (!dt)
		DECC_TRY(synth_domain(c, domain, &dt));
	DECC_TRY(hash_struct(c, sep, dt, domain, 0));
	DECC_TRY(hash_struct(c, sh, pt, message, 0));
	decc_eip712_digest(digest, sep, sh);
	return 0;
}

int decc_eip712_hash_json(uint8_t out[32], uint8_t *domain_separator, uint8_t *struct_hash,
			  const char *json, size_t n)
{
	struct ctx *c;
	json_t *root;
	uint8_t d[32], sep[32], sh[32];
	int r;

	DECC_TRY(load_json(&root, json, n));
	c = calloc(1, sizeof(*c));
	if (!c) {
		json_decref(root);
		return decc_error_set(DECC_ENOMEM, "out of memory");
	}
	r = hash_typed(c, d, sep, sh, root);
	ctx_release(c);
	free(c);
	json_decref(root);
	if (r < 0)
		return r;
	memcpy(out, d, 32);
	if (domain_separator)
		memcpy(domain_separator, sep, 32);
	if (struct_hash)
		memcpy(struct_hash, sh, 32);
	return 0;
}

int decc_eip712_type_hash_json(uint8_t out[32], const char *types_json, size_t n,
			       const char *type_name)
{
	struct ctx *c;
	json_t *root, *types;
	struct stype *t;
	uint8_t h[32];
	int r;

	DECC_TRY(load_json(&root, types_json, n));
	types = json_object_get(root, "types");
	/* a whole typed-data document or its "types" member (whose values are arrays) */
	if (!json_is_object(types))
		types = root;
	c = calloc(1, sizeof(*c));
	if (!c) {
		json_decref(root);
		return decc_error_set(DECC_ENOMEM, "out of memory");
	}
	r = load_types(c, types);
	if (r == 0) {
		t = type_name ? find_type(c, type_name, strlen(type_name)) : NULL;
		if (!t)
			r = decc_error_set(DECC_ENOTFOUND, "typed data: type %.80s is not defined",
					   type_name ? type_name : "(null)");
		else
			r = type_hash(c, t, h);
	}
	ctx_release(c);
	free(c);
	json_decref(root);
	if (r < 0)
		return r;
	memcpy(out, h, 32);
	return 0;
}
