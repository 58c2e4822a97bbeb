/* SPDX-License-Identifier: Apache-2.0 */
/* CIDs and the UnixFS importer against ipfs-unixfs-importer's answers (tests/vectors/cid). */
#include "test.h"

#include "decc/cid.h"

static void pattern_fill(uint8_t *out, size_t n, uint32_t *state)
{
	uint32_t s = *state;

	for (size_t i = 0; i < n; i++) {
		s = s * 1664525u + 1013904223u;
		out[i] = (uint8_t)(s >> 24);
	}
	*state = s;
}

struct last_block {
	struct decc_buf b;
	size_t blocks;
};

static int keep_last(void *ctx, const struct decc_cid *cid, const uint8_t *data, size_t n)
{
	struct last_block *lb = ctx;
	struct decc_cid again;

	/* every block handed out must hash to its CID */
	decc_cid_of(&again, cid->codec, data, n);
	assert_true(decc_cid_equal(&again, cid));
	lb->blocks++;
	decc_buf_reset(&lb->b);
	return decc_buf_append(&lb->b, data, n);
}

/* Import `len` bytes of the named content, written in awkward pieces. */
static void import(const char *name, size_t len, char cid_out[DECC_CID_STR_MAX], uint64_t *size,
		   struct last_block *lb)
{
	struct decc_unixfs_builder *b;
	struct decc_cid root;
	static uint8_t piece[100003];
	uint32_t state = 0x12345678;
	size_t done = 0;

	assert_int_equal(decc_unixfs_builder_new(&b, lb ? keep_last : NULL, lb), 0);
	if (strncmp(name, "pattern-", 8) == 0) {
		while (done < len) {
			size_t k = len - done < sizeof(piece) ? len - done : sizeof(piece);

			pattern_fill(piece, k, &state);
			assert_int_equal(decc_unixfs_builder_write(b, piece, k), 0);
			done += k;
		}
	} else if (strcmp(name, "hello-world") == 0) {
		assert_int_equal(decc_unixfs_builder_write(b, "hello world\n", 12), 0);
	} else if (strcmp(name, "one-byte-a") == 0) {
		assert_int_equal(decc_unixfs_builder_write(b, "a", 1), 0);
	} else {
		assert_string_equal(name, "empty");
		assert_int_equal(decc_unixfs_builder_write(b, "", 0), 0);
	}
	assert_int_equal(decc_unixfs_builder_bytes(b), len);
	assert_int_equal(decc_unixfs_builder_finish(b, &root, size), 0);
	/* spent: no more writes */
	assert_int_equal(decc_unixfs_builder_write(b, "x", 1), DECC_EINVAL);
	decc_unixfs_builder_free(b);
	decc_cid_to_string(cid_out, &root);
}

static void test_vectors(void **state)
{
	char *text = test_read_vector("cid/unixfs-v1.txt", NULL);
	char *save = NULL;
	int n = 0;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[64], want[128], got[DECC_CID_STR_MAX];
		unsigned long long len, size;
		uint64_t gsize = 0;

		if (line[0] == '#')
			continue;
		assert_int_equal(sscanf(line, "%63s %llu %127s %llu", name, &len, want, &size), 4);
		import(name, (size_t)len, got, &gsize, NULL);
		if (strcmp(got, want) != 0 || gsize != size)
			fail_msg("%s: got %s size %llu, want %s size %llu", name, got,
				 (unsigned long long)gsize, want, size);
		n++;
	}
	assert_int_equal(n, 14);
	free(text);
}

static void test_root_blocks(void **state)
{
	char *text = test_read_vector("cid/root-blocks.txt", NULL);
	char *save = NULL;
	int n = 0;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char want_cid[128], hex[4096], got[DECC_CID_STR_MAX], name[64];
		unsigned long long len;
		struct last_block lb = { .b = DECC_BUF_INIT };
		struct decc_buf want = DECC_BUF_INIT;
		struct decc_unixfs_node node;
		uint64_t sum = 0;

		if (line[0] == '#')
			continue;
		assert_int_equal(sscanf(line, "%llu %127s %4095s", &len, want_cid, hex), 3);
		snprintf(name, sizeof(name), "pattern-%llu", len);
		import(name, (size_t)len, got, NULL, &lb);
		assert_string_equal(got, want_cid);
		assert_int_equal(decc_hex_decode_buf(&want, hex, strlen(hex)), 0);
		assert_int_equal(lb.b.len, want.len);
		assert_memory_equal(lb.b.data, want.data, want.len);
		/* and it parses back into what was built */
		assert_int_equal(decc_unixfs_node_parse(&node, lb.b.data, lb.b.len), 0);
		assert_int_equal(node.type, DECC_UNIXFS_FILE);
		assert_true(node.has_filesize);
		assert_int_equal(node.filesize, len);
		assert_int_equal(node.nlinks, 2);
		for (size_t i = 0; i < node.nlinks; i++)
			sum += node.links[i].blocksize;
		assert_int_equal(sum, len);
		decc_unixfs_node_release(&node);
		decc_buf_release(&want);
		decc_buf_release(&lb.b);
		n++;
	}
	assert_int_equal(n, 2);
	free(text);
}

static void test_cid_strings(void **state)
{
	const char *v0 = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o";
	const char *v1 = "bafybeicg2rebjoofv4kbyovkw7af3rpiitvnl6i7ckcywaq6xjcxnc2mby";
	const char *raw = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4";
	struct decc_cid a, b, c, d;
	char s[DECC_CID_STR_MAX];
	uint8_t bin[DECC_CID_BIN_MAX];
	size_t n;

	assert_int_equal(decc_cid_parse(&a, v0, strlen(v0)), 0);
	assert_int_equal(decc_cid_parse(&b, v1, strlen(v1)), 0);
	assert_int_equal(a.version, 0);
	assert_int_equal(b.version, 1);
	assert_int_equal(a.codec, DECC_CID_DAG_PB);
	assert_int_equal(b.codec, DECC_CID_DAG_PB);
	assert_memory_equal(a.digest, b.digest, 32);
	assert_false(decc_cid_equal(&a, &b));
	decc_cid_to_string(s, &a);
	assert_string_equal(s, v0);
	decc_cid_to_string(s, &b);
	assert_string_equal(s, v1);

	assert_int_equal(decc_cid_parse(&c, raw, strlen(raw)), 0);
	assert_int_equal(c.codec, DECC_CID_RAW);
	decc_cid_of(&d, DECC_CID_RAW, "hello world\n", 12);
	assert_true(decc_cid_equal(&c, &d));
	n = decc_cid_to_bytes(bin, &c);
	assert_int_equal(n, 36);
	assert_bytes_hex(bin, 4, "01551220");
	assert_int_equal(decc_cid_from_bytes(&d, bin, n), 0);
	assert_true(decc_cid_equal(&c, &d));
	n = decc_cid_to_bytes(bin, &a);
	assert_int_equal(n, 34);

	/* uppercase multibase 'B' */
	{
		char up[DECC_CID_STR_MAX];

		for (size_t i = 0; raw[i]; i++)
			up[i] = (char)(raw[i] >= 'a' && raw[i] <= 'z' ? raw[i] - 32 : raw[i]);
		up[strlen(raw)] = 0;
		assert_int_equal(decc_cid_parse(&d, up, strlen(up)), 0);
		assert_true(decc_cid_equal(&c, &d));
	}
}

static void test_cid_negative(void **state)
{
	static const char *bad[] = {
		"",
		"b",
		"zb2rhe5P4gXftAwvA4eXQ5HJwsER2owDyS9sKaQRRVQPn93bA", /* base58 v1: unsupported */
		"bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei",	/* truncated */
		"bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei41", /* too long */
		"bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei5",	/* trailing bits */
		"bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2deVei4",	/* mixed case */
		"bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2dev1i4",	/* '1' not base32 */
		"QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff50",		/* '0' not base58 */
		"QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5",		/* v0 too short */
		"ciqbed3k6ya5i3qqwljochwxdrk5exzqilbckapedujenz5b5hj5r3a", /* base32 v0, no prefix */
	};
	struct decc_cid c = { .version = 9 };
	/* binary: version 2; sha2-512; short digest; non-minimal varint version */
	static const uint8_t v2[] = { 0x02, 0x55, 0x12, 0x20 };
	static const uint8_t nonmin[] = { 0x81, 0x00, 0x55, 0x12, 0x20 };
	uint8_t sha512[4 + 64] = { 0x01, 0x55, 0x13, 0x40 };
	uint8_t shortd[4 + 20] = { 0x01, 0x55, 0x12, 0x14 };

	for (size_t i = 0; i < DECC_ARRAY_SIZE(bad); i++) {
		if (decc_cid_parse(&c, bad[i], strlen(bad[i])) != DECC_EINVAL)
			fail_msg("accepted %s", bad[i]);
		assert_int_equal(c.version, 9); /* untouched */
	}
	assert_int_equal(decc_cid_from_bytes(&c, v2, sizeof(v2)), DECC_EINVAL);
	assert_int_equal(decc_cid_from_bytes(&c, nonmin, sizeof(nonmin)), DECC_EINVAL);
	assert_int_equal(decc_cid_from_bytes(&c, sha512, sizeof(sha512)), DECC_EINVAL);
	assert_int_equal(decc_cid_from_bytes(&c, shortd, sizeof(shortd)), DECC_EINVAL);
	assert_int_equal(c.version, 9);
}

static void test_node_negative(void **state)
{
	struct decc_unixfs_node node;
	/* Data { Type: File, filesize 5 } without links: valid */
	static const uint8_t ok[] = { 0x0a, 0x04, 0x08, 0x02, 0x18, 0x05 };
	/* truncated Data */
	static const uint8_t trunc[] = { 0x0a, 0x05, 0x08, 0x02, 0x18, 0x05 };
	/* no Data at all */
	static const uint8_t nodata[] = { 0x12, 0x00 };
	/* a link without hash */
	static const uint8_t nohash[] = { 0x12, 0x02, 0x18, 0x01, 0x0a, 0x02, 0x08, 0x02 };
	/* unknown PBNode field 3 */
	static const uint8_t unknown[] = { 0x1a, 0x00, 0x0a, 0x02, 0x08, 0x02 };
	/* fixed64 wire type */
	static const uint8_t wire1[] = { 0x09, 0, 0, 0, 0, 0, 0, 0, 0 };
	/* Data without Type */
	static const uint8_t notype[] = { 0x0a, 0x02, 0x18, 0x05 };
	/* one link, no blocksizes */
	uint8_t onelink[64];
	size_t n = 0;
	struct decc_cid cid;
	uint8_t bin[DECC_CID_BIN_MAX];
	size_t k;

	assert_int_equal(decc_unixfs_node_parse(&node, ok, sizeof(ok)), 0);
	assert_int_equal(node.filesize, 5);
	assert_int_equal(node.nlinks, 0);
	decc_unixfs_node_release(&node);
	assert_int_equal(decc_unixfs_node_parse(&node, trunc, sizeof(trunc)), DECC_EINVAL);
	assert_int_equal(decc_unixfs_node_parse(&node, nodata, sizeof(nodata)), DECC_EINVAL);
	assert_int_equal(decc_unixfs_node_parse(&node, nohash, sizeof(nohash)), DECC_EINVAL);
	assert_int_equal(decc_unixfs_node_parse(&node, unknown, sizeof(unknown)), DECC_EINVAL);
	assert_int_equal(decc_unixfs_node_parse(&node, wire1, sizeof(wire1)), DECC_EINVAL);
	assert_int_equal(decc_unixfs_node_parse(&node, notype, sizeof(notype)), DECC_EINVAL);

	decc_cid_of(&cid, DECC_CID_RAW, "x", 1);
	k = decc_cid_to_bytes(bin, &cid);
	onelink[n++] = 0x12;
	onelink[n++] = (uint8_t)(k + 2 + 2);
	onelink[n++] = 0x0a;
	onelink[n++] = (uint8_t)k;
	memcpy(onelink + n, bin, k);
	n += k;
	onelink[n++] = 0x18;
	onelink[n++] = 0x01;
	memcpy(onelink + n, ok, sizeof(ok));
	n += sizeof(ok);
	assert_int_equal(decc_unixfs_node_parse(&node, onelink, n), DECC_EINVAL); /* 0 blocksizes */
	onelink[n - 5] += 2; /* Data grows by one blocksize */
	onelink[n++] = 0x20;
	onelink[n++] = 0x01;
	assert_int_equal(decc_unixfs_node_parse(&node, onelink, n), 0);
	assert_int_equal(node.nlinks, 1);
	assert_int_equal(node.links[0].blocksize, 1);
	assert_int_equal(node.links[0].tsize, 1);
	assert_true(decc_cid_equal(&node.links[0].cid, &cid));
	decc_unixfs_node_release(&node);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cid_strings),   cmocka_unit_test(test_cid_negative),
		cmocka_unit_test(test_node_negative), cmocka_unit_test(test_root_blocks),
		cmocka_unit_test(test_vectors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
