/* SPDX-License-Identifier: Apache-2.0 */
#include <jansson.h>

#include "test.h"

#include "decc/abi.h"

static json_t *vectors;

static int setup(void **state)
{
	json_error_t err;
	char *text = test_read_vector("abi/abi.json", NULL);

	(void)state;
	vectors = json_loads(text, 0, &err);
	free(text);
	return vectors ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	json_decref(vectors);
	return 0;
}

static struct decc_abi_type *T(const char *text)
{
	struct decc_abi_type *t = NULL;

	if (decc_abi_type_parse(&t, text) != 0)
		fail_msg("cannot parse type %s: %s", text, decc_error_last());
	return t;
}

static void unhex(struct decc_buf *b, const char *hex)
{
	decc_buf_reset(b);
	if (decc_hex_decode_buf(b, hex, strlen(hex)) != 0)
		fail_msg("bad hex %s", hex);
}

/* Build a value of type t from the JSON form documented in tests/vectors/abi/README.md. */
static struct decc_abi_value *from_json(const struct decc_abi_type *t, const json_t *j)
{
	struct decc_buf b = DECC_BUF_INIT;
	struct decc_abi_value *v = NULL, **items;
	size_t n, i;
	decc_u256 u;
	decc_address a;

	switch (t->kind) {
	case DECC_ABI_UINT:
	case DECC_ABI_INT:
		assert_int_equal(decc_u256_parse(&u, json_string_value(j)), 0);
		return decc_abi_uint(&u);
	case DECC_ABI_ADDRESS:
		test_unhex(a.b, 20, json_string_value(j));
		return decc_abi_address(&a);
	case DECC_ABI_BOOL:
		return decc_abi_bool(json_is_true(j));
	case DECC_ABI_FIXED_BYTES:
		unhex(&b, json_string_value(j));
		v = decc_abi_fixed_bytes(b.data, b.len);
		break;
	case DECC_ABI_BYTES:
		unhex(&b, json_string_value(j));
		v = decc_abi_bytes(b.data, b.len);
		break;
	case DECC_ABI_STRING:
		return decc_abi_string(json_string_value(j));
	case DECC_ABI_ARRAY:
	case DECC_ABI_FIXED_ARRAY:
	case DECC_ABI_TUPLE:
		n = json_array_size(j);
		items = calloc(n ? n : 1, sizeof(*items));
		for (i = 0; i < n; i++)
			items[i] = from_json(t->kind == DECC_ABI_TUPLE ? t->members[i] : t->elem,
					     json_array_get(j, i));
		v = t->kind == DECC_ABI_TUPLE ? decc_abi_tuple(n, items) : decc_abi_array(n, items);
		free(items);
		break;
	default:
		fail_msg("kind %d", t->kind);
	}
	decc_buf_release(&b);
	return v;
}

static struct decc_abi_type *args_type(const char *signature)
{
	return T(strchr(signature, '('));
}

static void assert_buf_eq(const struct decc_buf *a, const uint8_t *p, size_t n)
{
	assert_int_equal(a->len, n);
	assert_memory_equal(a->data, p, n);
}

static void test_spec_and_poco_vectors(void **state)
{
	json_t *c;
	size_t i;
	struct decc_buf want = DECC_BUF_INIT, got = DECC_BUF_INIT;

	(void)state;
	json_array_foreach(json_object_get(vectors, "calls"), i, c)
	{
		const char *sig = json_string_value(json_object_get(c, "signature"));
		struct decc_abi_type *t = args_type(sig);
		struct decc_abi_value *v = from_json(t, json_object_get(c, "values")), *back = NULL;

		assert_non_null(v);
		unhex(&want, json_string_value(json_object_get(c, "calldata")));
		decc_buf_reset(&got);
		if (decc_abi_encode_call(&got, sig, v) != 0)
			fail_msg("%s: %s", sig, decc_error_last());
		if (got.len != want.len || memcmp(got.data, want.data, got.len))
			fail_msg("%s: encoding differs from the vector", sig);
		/* decode and re-encode: byte-identical */
		assert_int_equal(decc_abi_decode_call(&back, sig, want.data, want.len), 0);
		assert_int_equal(back->kind, DECC_ABI_TUPLE);
		decc_buf_reset(&got);
		assert_int_equal(decc_abi_encode_call(&got, sig, back), 0);
		assert_buf_eq(&got, want.data, want.len);
		/* a different selector is refused */
		want.data[0] ^= 1;
		assert_int_equal(decc_abi_decode_call(&back, sig, want.data, want.len),
				 DECC_EINVAL);
		decc_abi_value_free(v);
		decc_abi_value_free(back);
		decc_abi_type_free(t);
	}
	assert_int_equal(i, 6);
	decc_buf_release(&want);
	decc_buf_release(&got);
}

static json_t *call_vec(const char *prefix)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(vectors, "calls"), i, c)
	{
		if (!strncmp(json_string_value(json_object_get(c, "signature")), prefix,
			     strlen(prefix)))
			return c;
	}
	fail_msg("no vector %s", prefix);
	return NULL;
}

/* Decoded values read back as the originals. */
static void test_decoded_values(void **state)
{
	struct decc_buf cd = DECC_BUF_INIT;
	struct decc_abi_value *v;
	json_t *c;
	decc_u256 u;
	bool b;
	decc_address a;
	uint8_t w[32];
	uint64_t x;

	(void)state;
	c = call_vec("baz(");
	unhex(&cd, json_string_value(json_object_get(c, "calldata")));
	assert_int_equal(decc_abi_decode_call(&v, "baz(uint32,bool)", cd.data, cd.len), 0);
	assert_int_equal(v->n_items, 2);
	assert_int_equal(decc_abi_get_u256(&u, v->items[0]), 0);
	assert_true(decc_u256_to_u64(&u, &x));
	assert_int_equal(x, 69);
	assert_int_equal(decc_abi_get_bool(&b, v->items[1]), 0);
	assert_true(b);
	assert_int_equal(decc_abi_get_address(&a, v->items[0]), DECC_EINVAL);
	decc_abi_value_free(v);

	c = call_vec("g(");
	unhex(&cd, json_string_value(json_object_get(c, "calldata")));
	assert_int_equal(decc_abi_decode_call(&v, "g(uint256[][],string[])", cd.data, cd.len), 0);
	assert_int_equal(v->items[0]->n_items, 2);
	assert_int_equal(v->items[0]->items[0]->n_items, 2);
	assert_int_equal(v->items[0]->items[1]->n_items, 1);
	assert_int_equal(v->items[1]->n_items, 3);
	assert_string_equal(decc_buf_str(&v->items[1]->items[2]->bytes), "three");
	decc_abi_value_free(v);

	c = call_vec("matchOrders(");
	unhex(&cd, json_string_value(json_object_get(c, "calldata")));
	assert_int_equal(decc_abi_decode_call(&v,
					      json_string_value(json_object_get(c, "signature")),
					      cd.data, cd.len),
			 0);
	assert_int_equal(v->n_items, 4);
	assert_int_equal(v->items[2]->n_items, 11);
	assert_int_equal(v->items[3]->n_items, 16);
	assert_int_equal(decc_abi_get_address(&a, v->items[1]->items[0]), 0);
	assert_bytes_hex(a.b, 20, "dddddddddddddddddddddddddddddddddddddddd");
	assert_int_equal(decc_abi_get_bytes32(w, v->items[1]->items[3]), 0);
	assert_int_equal(w[31], 3);
	assert_int_equal(v->items[0]->items[8]->bytes.len, 65);
	assert_string_equal(decc_buf_str(&v->items[3]->items[13]->bytes),
			    "{\"iexec_args\":\"--in alice.json\",\"iexec_input_files\":[]}");
	decc_abi_value_free(v);
	decc_buf_release(&cd);
}

static void expect_decode(const char *sig, const struct decc_buf *cd, int code, const char *what)
{
	struct decc_abi_value *v = (struct decc_abi_value *)0x1;
	int r = decc_abi_decode_call(&v, sig, cd->data, cd->len);

	if (r != code)
		fail_msg("%s: got %d (%s), expected %d", what, r, decc_error_last(), code);
	assert_ptr_equal(v, (struct decc_abi_value *)0x1);
}

static void set_word(struct decc_buf *cd, size_t word, const char *hex)
{
	test_unhex(cd->data + 4 + 32 * word, 32, hex);
}

static void test_malformed(void **state)
{
	struct decc_buf cd = DECC_BUF_INIT;
	const char *sam = "sam(bytes,bool,uint256[])", *mo;
	const char *orig;

	(void)state;
	/* sam: heads [0x60, 1, 0xa0], then "dave" (len, data), then [3, 1, 2, 3] */
	orig = json_string_value(json_object_get(call_vec("sam("), "calldata"));
	unhex(&cd, orig);
	cd.len -= 1;
	expect_decode(sam, &cd, DECC_EINVAL, "truncated by one byte");
	cd.len = 4 + 32 * 2;
	expect_decode(sam, &cd, DECC_EINVAL, "truncated heads");
	unhex(&cd, orig);
	set_word(&cd, 0, "0000000000000000000000000000000000000000000000000000000000001000");
	expect_decode(sam, &cd, DECC_EINVAL, "offset beyond the data");
	unhex(&cd, orig);
	set_word(&cd, 0, "8000000000000000000000000000000000000000000000000000000000000060");
	expect_decode(sam, &cd, DECC_EINVAL, "offset with high bits");
	unhex(&cd, orig);
	set_word(&cd, 0, "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe0");
	expect_decode(sam, &cd, DECC_EINVAL, "offset of -32");
	unhex(&cd, orig);
	set_word(&cd, 3, "00000000000000000000000000000000000000000000000000000000000000a1");
	expect_decode(sam, &cd, DECC_EINVAL, "bytes length past the data");
	unhex(&cd, orig);
	set_word(&cd, 3, "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
	expect_decode(sam, &cd, DECC_EINVAL, "huge bytes length");
	unhex(&cd, orig);
	set_word(&cd, 5, "0000000000000000000000000000000000000000000000000000000000000004");
	expect_decode(sam, &cd, DECC_EINVAL, "array length past the data");
	unhex(&cd, orig);
	set_word(&cd, 5, "00000000000000000000000000000000000000000000000000000000ffffffff");
	expect_decode(sam, &cd, DECC_ELIMIT, "array length above DECC_ABI_MAX_ITEMS");
	unhex(&cd, orig);
	set_word(&cd, 5, "0000000000000000000000000000000000000000000000010000000000000000");
	expect_decode(sam, &cd, DECC_EINVAL, "array length of 2^64");
	unhex(&cd, orig);
	set_word(&cd, 1, "0000000000000000000000000000000000000000000000000000000000000002");
	expect_decode(sam, &cd, DECC_EINVAL, "bool = 2");
	unhex(&cd, orig);
	set_word(&cd, 1, "0100000000000000000000000000000000000000000000000000000000000001");
	expect_decode(sam, &cd, DECC_EINVAL, "bool with a dirty high byte");

	/* baz: uint32 with a bit above 32 */
	unhex(&cd, json_string_value(json_object_get(call_vec("baz("), "calldata")));
	set_word(&cd, 0, "0000000000000000000000000000000000000000000000000000000100000045");
	expect_decode("baz(uint32,bool)", &cd, DECC_EINVAL, "uint32 dirty high bits");

	/* bar: bytes3 with a non-zero padding byte */
	unhex(&cd, json_string_value(json_object_get(call_vec("bar("), "calldata")));
	cd.data[4 + 3] = 1;
	expect_decode("bar(bytes3[2])", &cd, DECC_EINVAL, "bytes3 dirty padding");

	/* matchOrders: dirty padding in the app order's address */
	mo = json_string_value(json_object_get(call_vec("matchOrders("), "signature"));
	unhex(&cd, json_string_value(json_object_get(call_vec("matchOrders("), "calldata")));
	/* head 0 is the offset of the app order (0x80); its first word is the app address */
	assert_int_equal(cd.data[4 + 31], 0x80);
	cd.data[4 + 0x80] = 0x01;
	expect_decode(mo, &cd, DECC_EINVAL, "dirty address padding");
	cd.data[4 + 0x80] = 0;
	cd.data[4 + 0x80 + 11] = 0x01;
	expect_decode(mo, &cd, DECC_EINVAL, "dirty address padding (last pad byte)");
	cd.data[4 + 0x80 + 11] = 0;
	cd.len = 4 + 3;
	expect_decode(mo, &cd, DECC_EINVAL, "shorter than a selector");
	decc_buf_release(&cd);
}

static void put_word(uint8_t *p, uint64_t v)
{
	memset(p, 0, 24);
	for (int i = 0; i < 8; i++)
		p[24 + i] = (uint8_t)(v >> (56 - 8 * i));
}

/* Heads that all point at one tail must not multiply the work. */
static void test_shared_tails(void **state)
{
	struct decc_abi_type *t = T("(bytes[])"), *e = T("(()[][])");
	struct decc_abi_value *v = NULL;
	const size_t heads = 4000, blob = 65536;
	size_t n = 32 + 32 + 32 * heads + 32 + blob, tail;
	uint8_t *d = calloc(1, n);

	(void)state;
	put_word(d, 32);
	put_word(d + 32, heads);
	tail = 32 * heads; /* offsets are relative to the first head */
	for (size_t i = 0; i < heads; i++)
		put_word(d + 64 + 32 * i, tail);
	put_word(d + 64 + tail, blob);
	assert_int_equal(decc_abi_decode(&v, t, d, n), DECC_ELIMIT);
	assert_null(v);
	/* sanity: with one head the same data decodes */
	put_word(d + 32, 1);
	put_word(d + 64, 32);
	put_word(d + 96, 0);
	assert_int_equal(decc_abi_decode(&v, t, d, n), 0);
	assert_int_equal(v->items[0]->n_items, 1);
	assert_int_equal(v->items[0]->items[0]->bytes.len, 0);
	decc_abi_value_free(v);
	v = NULL;

	/* zero-sized elements: 1000 heads at one array of 65536 empty tuples */
	memset(d, 0, n);
	put_word(d, 32);
	put_word(d + 32, 1000);
	for (size_t i = 0; i < 1000; i++)
		put_word(d + 64 + 32 * i, 32 * 1000);
	put_word(d + 64 + 32 * 1000, DECC_ABI_MAX_ITEMS);
	assert_int_equal(decc_abi_decode(&v, e, d, 64 + 32 * 1000 + 32), DECC_ELIMIT);
	assert_null(v);
	free(d);
	decc_abi_type_free(t);
	decc_abi_type_free(e);
}

static void test_types(void **state)
{
	static const char *const ok[][2] = {
		{ "uint", "uint256" },
		{ "int", "int256" },
		{ "uint8", "uint8" },
		{ "int256", "int256" },
		{ "bytes1", "bytes1" },
		{ "bytes32", "bytes32" },
		{ "address[]", "address[]" },
		{ "uint[][]", "uint256[][]" },
		{ "string[2][]", "string[2][]" },
		{ "()", "()" },
		{ "(uint,(bool,bytes)[3])[]", "(uint256,(bool,bytes)[3])[]" },
	};
	static const char *const bad[] = {
		"",	    "uint7",	      "uint0",		 "uint264", "uint08",  "int1",
		"bytes0",   "bytes33",	      "bytes01",	 "byte",    "fixed",   "function",
		"Uint",	    "uint256 ",	      " bool",		 "bool[",   "bool[0]", "bool[01]",
		"bool[-1]", "bool[x]",	      "(bool",		 "(bool,)", "(,bool)", "bool]",
		"(bool))",  "uint256[65537]", "address payable",
	};
	struct decc_buf b = DECC_BUF_INIT;
	struct decc_abi_type *t;
	char deep[128];

	(void)state;
	for (size_t i = 0; i < DECC_ARRAY_SIZE(ok); i++) {
		t = T(ok[i][0]);
		decc_buf_reset(&b);
		assert_int_equal(decc_abi_type_text(&b, t), 0);
		assert_string_equal(decc_buf_str(&b), ok[i][1]);
		decc_abi_type_free(t);
	}
	for (size_t i = 0; i < DECC_ARRAY_SIZE(bad); i++) {
		t = (struct decc_abi_type *)0x1;
		if (decc_abi_type_parse(&t, bad[i]) != DECC_EINVAL)
			fail_msg("accepted type \"%s\"", bad[i]);
		assert_ptr_equal(t, (struct decc_abi_type *)0x1);
	}
	/* nesting: DECC_ABI_MAX_DEPTH levels parse, one more is a limit error */
	strcpy(deep, "uint8");
	for (int i = 0; i < DECC_ABI_MAX_DEPTH; i++)
		strcat(deep, "[]");
	t = T(deep);
	decc_abi_type_free(t);
	strcat(deep, "[]");
	assert_int_equal(decc_abi_type_parse(&t, deep), DECC_ELIMIT);
	memset(deep, '(', DECC_ABI_MAX_DEPTH + 1);
	strcpy(deep + DECC_ABI_MAX_DEPTH + 1, "bool");
	memset(deep + DECC_ABI_MAX_DEPTH + 5, ')', DECC_ABI_MAX_DEPTH + 1);
	deep[2 * DECC_ABI_MAX_DEPTH + 6] = 0;
	assert_int_equal(decc_abi_type_parse(&t, deep), DECC_ELIMIT);

	t = T("(uint256,bytes32[2])");
	assert_false(decc_abi_type_is_dynamic(t));
	decc_abi_type_free(t);
	t = T("(uint256,string[2])");
	assert_true(decc_abi_type_is_dynamic(t));
	decc_abi_type_free(t);
	decc_buf_release(&b);
}

static void test_encode_checks(void **state)
{
	struct decc_buf b = DECC_BUF_INIT;
	struct decc_abi_type *t;
	struct decc_abi_value *v, *back;
	decc_u256 u;

	(void)state;
	/* negative integers: two's complement words, and they round-trip */
	t = T("(int256,int8,int64)");
	v = decc_abi_tuplev(3, decc_abi_int64(-1), decc_abi_int64(-128), decc_abi_int64(INT64_MIN));
	assert_int_equal(decc_abi_encode(&b, t, v), 0);
	assert_int_equal(b.len, 96);
	assert_bytes_hex(b.data, 32,
			 "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
	assert_bytes_hex(b.data + 32, 32,
			 "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff80");
	assert_bytes_hex(b.data + 64, 32,
			 "ffffffffffffffffffffffffffffffffffffffffffffffff8000000000000000");
	assert_int_equal(decc_abi_decode(&back, t, b.data, b.len), 0);
	assert_int_equal(back->items[1]->kind, DECC_ABI_INT);
	assert_memory_equal(back->items[1]->word, v->items[1]->word, 32);
	decc_abi_value_free(back);
	decc_abi_value_free(v);
	decc_abi_type_free(t);

	/* values that do not fit their type: refused, output untouched */
	decc_buf_reset(&b);
	assert_int_equal(decc_buf_append_str(&b, "keep"), 0);
	t = T("uint8");
	v = decc_abi_uint64(256);
	assert_int_equal(decc_abi_encode(&b, t, v), DECC_EINVAL);
	assert_string_equal(decc_buf_str(&b), "keep");
	decc_abi_value_free(v);
	v = decc_abi_int64(-1);
	assert_int_equal(decc_abi_encode(&b, t, v), DECC_EINVAL);
	decc_abi_value_free(v);
	decc_abi_type_free(t);
	t = T("int8");
	v = decc_abi_uint64(128);
	assert_int_equal(decc_abi_encode(&b, t, v), DECC_EINVAL);
	decc_abi_value_free(v);
	v = decc_abi_int64(-129);
	assert_int_equal(decc_abi_encode(&b, t, v), DECC_EINVAL);
	decc_abi_value_free(v);
	v = decc_abi_uint64(127);
	assert_int_equal(decc_abi_encode(&b, t, v), 0);
	decc_abi_value_free(v);
	decc_abi_type_free(t);
	t = T("bytes2");
	v = decc_abi_fixed_bytes((const uint8_t *)"abc", 3);
	assert_int_equal(decc_abi_encode(&b, t, v), DECC_EINVAL);
	decc_abi_value_free(v);
	decc_abi_type_free(t);
	assert_null(
	    decc_abi_fixed_bytes((const uint8_t *)"0123456789012345678901234567890123", 33));
	/* shape mismatches */
	t = T("(uint256,bool)");
	v = decc_abi_tuplev(1, decc_abi_uint64(1));
	assert_int_equal(decc_abi_encode(&b, t, v), DECC_EINVAL);
	decc_abi_value_free(v);
	v = decc_abi_tuplev(2, decc_abi_bool(true), decc_abi_bool(true));
	assert_int_equal(decc_abi_encode(&b, t, v), DECC_EINVAL);
	decc_abi_value_free(v);
	decc_abi_type_free(t);
	t = T("uint256[2]");
	v = decc_abi_array(1, (struct decc_abi_value *[]){ decc_abi_uint64(1) });
	assert_int_equal(decc_abi_encode(&b, t, v), DECC_EINVAL);
	decc_abi_value_free(v);
	decc_abi_type_free(t);
	/* NULL items make the constructor fail (and free the others) */
	assert_null(decc_abi_tuplev(2, decc_abi_uint64(1), NULL));
	/* argument-less calls: an empty tuple, the calldata is the selector alone */
	v = decc_abi_tuplev(0);
	assert_non_null(v);
	decc_buf_reset(&b);
	assert_int_equal(decc_abi_encode_call(&b, "totalSupply()", v), 0);
	assert_int_equal(b.len, 4);
	assert_bytes_hex(b.data, 4, "18160ddd");
	decc_abi_value_free(v);
	assert_int_equal(decc_abi_decode_call(&v, "totalSupply()", b.data, b.len), 0);
	assert_int_equal(v->kind, DECC_ABI_TUPLE);
	assert_int_equal(v->n_items, 0);
	decc_abi_value_free(v);
	v = decc_abi_tuple(0, NULL);
	assert_non_null(v);
	decc_abi_value_free(v);
	/* "uint" in a signature selects like "uint256" */
	v = decc_abi_tuplev(1, decc_abi_uint64(5));
	decc_buf_reset(&b);
	assert_int_equal(decc_abi_encode_call(&b, "f(uint)", v), 0);
	{
		uint8_t sel[4];

		decc_abi_selector(sel, "f(uint256)");
		assert_memory_equal(b.data, sel, 4);
		decc_abi_selector(sel, "transfer(address,uint256)");
		assert_bytes_hex(sel, 4, "a9059cbb");
	}
	assert_int_equal(decc_abi_encode_call(&b, "f(uint)[]", v), DECC_EINVAL);
	assert_int_equal(decc_abi_encode_call(&b, "(uint)", v), DECC_EINVAL);
	assert_int_equal(decc_abi_encode_call(&b, "f uint", v), DECC_EINVAL);
	decc_abi_value_free(v);
	u = decc_u256_from_u64(3);
	v = decc_abi_uint(&u);
	assert_int_equal(decc_abi_get_u256(&u, v), 0);
	decc_abi_value_free(v);
	decc_buf_release(&b);
}

static void revert(struct decc_buf *out, const uint8_t *d, size_t n, const char *want)
{
	decc_buf_reset(out);
	assert_int_equal(decc_abi_revert_reason(out, d, n), 0);
	assert_string_equal(decc_buf_str(out), want);
}

static void test_revert_reason(void **state)
{
	struct decc_buf data = DECC_BUF_INIT, out = DECC_BUF_INIT;
	struct decc_abi_value *v;
	static const struct {
		uint64_t code;
		const char *text;
	} panics[] = {
		{ 0x01, "panic 0x01 (assertion failed)" },
		{ 0x11, "panic 0x11 (arithmetic overflow)" },
		{ 0x12, "panic 0x12 (division or modulo by zero)" },
		{ 0x21, "panic 0x21 (invalid enum value)" },
		{ 0x22, "panic 0x22 (invalid storage byte array encoding)" },
		{ 0x31, "panic 0x31 (pop on an empty array)" },
		{ 0x32, "panic 0x32 (array index out of bounds)" },
		{ 0x41, "panic 0x41 (out of memory)" },
		{ 0x51, "panic 0x51 (call to a zero-initialized function)" },
		{ 0x99, "panic 0x99 (unknown panic code)" },
	};

	(void)state;
	revert(&out, NULL, 0, "reverted without a reason");
	/* Error(string), as PoCo reverts */
	v = decc_abi_tuplev(1, decc_abi_string("iExecV5-matchOrders-0x10"));
	assert_int_equal(decc_abi_encode_call(&data, "Error(string)", v), 0);
	decc_abi_value_free(v);
	assert_bytes_hex(data.data, 4, "08c379a0");
	revert(&out, data.data, data.len, "iExecV5-matchOrders-0x10");
	/* a truncated Error(string) is reported as an unknown error, not misread */
	revert(&out, data.data, data.len - 40, "custom error 0x08c379a0");
	for (size_t i = 0; i < DECC_ARRAY_SIZE(panics); i++) {
		decc_buf_reset(&data);
		v = decc_abi_tuplev(1, decc_abi_uint64(panics[i].code));
		assert_int_equal(decc_abi_encode_call(&data, "Panic(uint256)", v), 0);
		decc_abi_value_free(v);
		revert(&out, data.data, data.len, panics[i].text);
	}
	assert_bytes_hex(data.data, 4, "4e487b71");
	revert(&out, (const uint8_t *)"\xde\xad\xbe\xef\x00", 5, "custom error 0xdeadbeef");
	decc_buf_release(&data);
	decc_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_and_poco_vectors),
		cmocka_unit_test(test_decoded_values),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_shared_tails),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_encode_checks),
		cmocka_unit_test(test_revert_reason),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
