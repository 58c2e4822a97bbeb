/* SPDX-License-Identifier: Apache-2.0 */
#include "vectors.h"

#include "decc/crypto.h"

static void test_vectors(void **state)
{
	struct vec_file v;
	int count = 0;

	(void)state;
	vec_open(&v, "crypto/keccak256.txt");
	while (vec_next(&v)) {
		size_t n;
		uint8_t *in = vec_input(v.f[0], v.f[1], &n);
		uint8_t out[32];

		assert_int_equal(v.nf, 3);
		decc_keccak256(out, in, n);
		assert_bytes_hex(out, 32, v.f[2]);
		free(in);
		count++;
	}
	vec_close(&v);
	assert_int_equal(count, 4);
}

/* Streaming in chunks of every awkward size gives the one-shot digest. */
static void test_streaming_chunks(void **state)
{
	static const size_t chunks[] = { 1, 7, 8, 135, 136, 137, 271, 272, 1000, 4099 };
	size_t n = 200000;
	uint8_t *in = vec_input("pattern", "200000", &n);
	uint8_t one[32], got[32];

	(void)state;
	decc_keccak256(one, in, n);
	for (size_t c = 0; c < DECC_ARRAY_SIZE(chunks); c++) {
		struct decc_keccak k;
		size_t off = 0;

		decc_keccak_init(&k);
		/* vary the chunk size along the way so partial blocks start anywhere */
		for (size_t i = 0; off < n; i++) {
			size_t step = chunks[c] + (i % 3);

			if (step > n - off)
				step = n - off;
			decc_keccak_update(&k, in + off, step);
			off += step;
		}
		decc_keccak_final(&k, got);
		assert_memory_equal(got, one, 32);
	}
	free(in);
}

/* Exactly one and two rate blocks, and zero-length updates, around the padding boundary. */
static void test_block_boundaries(void **state)
{
	uint8_t buf[272], a[32], b[32];
	struct decc_keccak k;

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)i;
	for (size_t n = 130; n <= 272; n++) {
		decc_keccak256(a, buf, n);
		decc_keccak_init(&k);
		decc_keccak_update(&k, buf, 0);
		decc_keccak_update(&k, buf, n / 2);
		decc_keccak_update(&k, NULL, 0);
		decc_keccak_update(&k, buf + n / 2, n - n / 2);
		decc_keccak_final(&k, b);
		assert_memory_equal(a, b, 32);
	}
	/* 135 bytes: the 0x01 and 0x80 padding bits land in the same byte */
	decc_keccak256(a, buf, 135);
	decc_keccak256(b, buf, 136);
	assert_memory_not_equal(a, b, 32);
}

/* Negative: a one-bit change changes the digest; Keccak is not SHA3-256. */
static void test_differs(void **state)
{
	uint8_t a[32], b[32];

	(void)state;
	decc_keccak256(a, "abc", 3);
	decc_keccak256(b, "abd", 3);
	assert_memory_not_equal(a, b, 32);
	/* SHA3-256("") = a7ffc6f8...: the Ethereum digest must not be that */
	decc_keccak256(a, "", 0);
	assert_int_not_equal(a[0], 0xa7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_streaming_chunks),
		cmocka_unit_test(test_block_boundaries),
		cmocka_unit_test(test_differs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
