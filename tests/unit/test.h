/* SPDX-License-Identifier: Apache-2.0 */
/* Shared helpers for the cmocka unit tests. */
#ifndef DECC_TEST_H
#define DECC_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decc/buf.h"
#include "decc/error.h"
#include "decc/hex.h"

/* Path of a vector file: $DECC_VECTORS/<rel>. */
static inline const char *test_vector_path(const char *rel)
{
	static char path[4096];
	const char *dir = getenv("DECC_VECTORS");

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/vectors", rel);
	return path;
}

/* Read a whole vector file into a NUL-terminated heap string (fails the test if absent). */
static inline char *test_read_vector(const char *rel, size_t *len)
{
	const char *path = test_vector_path(rel);
	FILE *f = fopen(path, "rb");
	char *data;
	long n;

	if (!f)
		fail_msg("cannot open vector file %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	data = malloc((size_t)n + 1);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
	data[n] = 0;
	fclose(f);
	if (len)
		*len = (size_t)n;
	return data;
}

/* Decode hex into a fixed array or fail the test. */
static inline void test_unhex(uint8_t *out, size_t n, const char *hex)
{
	if (decc_hex_decode_exact(out, n, hex) != 0)
		fail_msg("bad hex in test: %s (%s)", hex, decc_error_last());
}

#define assert_bytes_hex(bytes, n, hex)                                                            \
	do {                                                                                       \
		char got_[2 * (n) + 3];                                                            \
		decc_hex_encode(got_, (bytes), (n), true);                                         \
		const char *want_ = (hex);                                                         \
		if (want_[0] != '0' || want_[1] != 'x') {                                          \
			assert_string_equal(got_ + 2, want_);                                      \
		} else {                                                                           \
			assert_string_equal(got_, want_);                                          \
		}                                                                                  \
	} while (0)

#endif
