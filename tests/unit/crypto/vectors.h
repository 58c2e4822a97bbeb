/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading the line-based vector files of tests/vectors/crypto/: '#' starts a comment line, other
 * non-empty lines are fields separated by spaces. "-" stands for an empty field.
 */
#ifndef DECC_TEST_CRYPTO_VECTORS_H
#define DECC_TEST_CRYPTO_VECTORS_H

#include "test.h"

#define VEC_MAX_FIELDS 8

struct vec_file {
	char *data;
	char *next;
	char *f[VEC_MAX_FIELDS];
	int nf;
	int line;
};

static inline void vec_open(struct vec_file *v, const char *rel)
{
	memset(v, 0, sizeof(*v));
	v->data = test_read_vector(rel, NULL);
	v->next = v->data;
}

/* Advance to the next data line; false at the end. Fields are NUL-terminated in place. */
static inline bool vec_next(struct vec_file *v)
{
	while (v->next && *v->next) {
		char *line = v->next;
		char *nl = strchr(line, '\n');

		v->next = nl ? nl + 1 : NULL;
		if (nl)
			*nl = 0;
		v->line++;
		if (line[0] == '#' || line[0] == 0)
			continue;
		v->nf = 0;
		for (char *tok = strtok(line, " \t"); tok && v->nf < VEC_MAX_FIELDS;
		     tok = strtok(NULL, " \t")) {
			v->f[v->nf++] = strcmp(tok, "-") == 0 ? tok + 1 : tok;
		}
		if (v->nf > 0)
			return true;
	}
	return false;
}

static inline void vec_close(struct vec_file *v)
{
	free(v->data);
	memset(v, 0, sizeof(*v));
}

/* Decode a hex field into a heap buffer (never NULL); *n gets the length. */
static inline uint8_t *vec_hex(const char *hex, size_t *n)
{
	struct decc_buf b = DECC_BUF_INIT;
	uint8_t *p;

	if (decc_hex_decode_buf(&b, hex, strlen(hex)) != 0)
		fail_msg("bad hex in vector: %s", hex);
	p = decc_buf_detach(&b, n);
	if (!p) {
		p = malloc(1);
		assert_non_null(p);
	}
	return p;
}

/* Build the input a "kind argument" pair describes (see keccak256.txt). */
static inline uint8_t *vec_input(const char *kind, const char *arg, size_t *n)
{
	uint8_t *p;

	*n = 0;
	if (strcmp(kind, "str") == 0) {
		*n = strlen(arg);
		p = malloc(*n + 1);
		assert_non_null(p);
		memcpy(p, arg, *n + 1);
	} else if (strcmp(kind, "repeat") == 0) {
		unsigned byte;
		size_t count;

		assert_int_equal(sscanf(arg, "%2x*%zu", &byte, &count), 2);
		*n = count;
		p = malloc(count + 1);
		assert_non_null(p);
		memset(p, (int)byte, count);
	} else if (strcmp(kind, "pattern") == 0) {
		*n = strtoul(arg, NULL, 10);
		p = malloc(*n + 1);
		assert_non_null(p);
		for (size_t i = 0; i < *n; i++)
			p[i] = (uint8_t)(i * 131 + 7);
	} else {
		fail_msg("unknown input kind %s", kind);
		return NULL;
	}
	return p;
}

#endif
