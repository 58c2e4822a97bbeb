/* SPDX-License-Identifier: Apache-2.0 */
/* The block store: import, verified reads, corruption, limits, nothing left on failure. */
#include <dirent.h>
#include <ftw.h>
#include <unistd.h>

#include "test.h"

#include "decc/store.h"

static char dir[256];

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(p);
}

static int setup(void **state)
{
	strcpy(dir, "/tmp/decc-test-store.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static size_t count_files(const char *sub)
{
	char cmd[512];
	FILE *f;
	size_t n = 0;

	snprintf(cmd, sizeof(cmd), "find %s/%s -type f | wc -l", dir, sub);
	f = popen(cmd, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%zu", &n), 1);
	pclose(f);
	return n;
}

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1664525u + 1013904223u;
		p[i] = (uint8_t)(seed >> 24);
	}
}

static void import_bytes(struct decc_store *s, struct decc_cid *root, const uint8_t *p, size_t n)
{
	struct decc_store_import *im;
	uint64_t size;

	assert_int_equal(decc_store_import_begin(s, &im, 0), 0);
	for (size_t off = 0; off < n; off += 65537)
		assert_int_equal(
		    decc_store_import_write(im, p + off, n - off < 65537 ? n - off : 65537), 0);
	assert_int_equal(decc_store_import_commit(im, root, &size, NULL), 0);
}

static void read_all(struct decc_store *s, const struct decc_cid *cid, struct decc_buf *out,
		     int *rc)
{
	struct decc_store_reader *r;
	uint8_t buf[10007];
	size_t got;

	*rc = decc_store_reader_open(s, &r, cid);
	if (*rc < 0)
		return;
	for (;;) {
		*rc = decc_store_reader_read(r, buf, sizeof(buf), &got);
		if (*rc < 0 || got == 0)
			break;
		assert_int_equal(decc_buf_append(out, buf, got), 0);
	}
	if (*rc == 0)
		assert_int_equal(out->len, decc_store_reader_size(r));
	decc_store_reader_free(r);
}

static void test_roundtrip(void **state)
{
	struct decc_store *s;
	size_t n = 3 * 262144 + 12345;
	uint8_t *data = malloc(n);
	struct decc_cid root, small;
	struct decc_buf out = DECC_BUF_INIT;
	char name[DECC_CID_STR_MAX];
	int rc;

	fill(data, n, 7);
	assert_int_equal(decc_store_open(&s, dir), 0);
	import_bytes(s, &root, data, n);
	assert_int_equal(root.codec, DECC_CID_DAG_PB);
	assert_int_equal(count_files("blocks"), 5); /* 4 leaves + root */
	assert_int_equal(count_files("tmp"), 0);
	assert_true(decc_store_has(s, &root));
	read_all(s, &root, &out, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(out.len, n);
	assert_memory_equal(out.data, data, n);

	/* a single-block file is its raw leaf; importing again changes nothing */
	import_bytes(s, &small, (const uint8_t *)"hello world\n", 12);
	decc_cid_to_string(name, &small);
	assert_string_equal(name, "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4");
	import_bytes(s, &small, (const uint8_t *)"hello world\n", 12);
	assert_int_equal(count_files("blocks"), 6);
	decc_buf_reset(&out);
	read_all(s, &small, &out, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(decc_buf_str(&out), "hello world\n");
	decc_buf_release(&out);
	decc_store_free(s);
	free(data);
}

static void corrupt_leaf(const struct decc_cid *leaf)
{
	char name[DECC_CID_STR_MAX], path[512];
	size_t n;
	FILE *f;

	decc_cid_to_string(name, leaf);
	n = strlen(name);
	snprintf(path, sizeof(path), "%s/blocks/%c%c/%s", dir, name[n - 3], name[n - 2], name);
	f = fopen(path, "r+b");
	assert_non_null(f);
	fseek(f, 100, SEEK_SET);
	fputc('!', f);
	fclose(f);
}

static void test_corruption(void **state)
{
	struct decc_store *s;
	size_t n = 2 * 262144;
	uint8_t *data = malloc(n);
	struct decc_cid root, leaf;
	struct decc_buf out = DECC_BUF_INIT;
	int rc;

	fill(data, n, 9);
	assert_int_equal(decc_store_open(&s, dir), 0);
	import_bytes(s, &root, data, n);
	decc_cid_of(&leaf, DECC_CID_RAW, data + 262144, 262144);
	corrupt_leaf(&leaf);
	read_all(s, &root, &out, &rc);
	assert_int_equal(rc, DECC_EAUTH);
	assert_non_null(strstr(decc_error_last(), "corrupted on disk"));
	/* the good first leaf was handed out, nothing of the bad one */
	assert_int_equal(out.len, 262144);
	assert_memory_equal(out.data, data, 262144);
	/* the bad block alone */
	decc_buf_reset(&out);
	assert_int_equal(decc_store_block_get(s, &out, &leaf), DECC_EAUTH);
	assert_int_equal(out.len, 0);
	/* unknown */
	decc_cid_of(&leaf, DECC_CID_RAW, "nope", 4);
	assert_int_equal(decc_store_block_get(s, &out, &leaf), DECC_ENOTFOUND);
	decc_buf_release(&out);
	decc_store_free(s);
	free(data);
}

static void test_failures_leave_nothing(void **state)
{
	struct decc_store *s;
	struct decc_store_import *im;
	static uint8_t data[600000];
	struct decc_cid root = { .version = 7 }, expect;
	uint64_t size = 42;

	fill(data, sizeof(data), 3);
	assert_int_equal(decc_store_open(&s, dir), 0);
	/* over the limit */
	assert_int_equal(decc_store_import_begin(s, &im, 500000), 0);
	assert_int_equal(decc_store_import_write(im, data, 300000), 0);
	assert_int_equal(count_files("tmp"), 1); /* one leaf staged */
	assert_int_equal(decc_store_import_write(im, data, 300000), DECC_ELIMIT);
	assert_int_equal(decc_store_import_commit(im, &root, &size, NULL), DECC_EINVAL);
	assert_int_equal(root.version, 7);
	assert_int_equal(size, 42);
	/* not the expected CID */
	decc_cid_of(&expect, DECC_CID_RAW, "x", 1);
	assert_int_equal(decc_store_import_begin(s, &im, 0), 0);
	assert_int_equal(decc_store_import_write(im, data, sizeof(data)), 0);
	assert_int_equal(decc_store_import_commit(im, &root, &size, &expect), DECC_EAUTH);
	/* abandoned */
	assert_int_equal(decc_store_import_begin(s, &im, 0), 0);
	assert_int_equal(decc_store_import_write(im, data, sizeof(data)), 0);
	decc_store_import_abort(im);
	assert_int_equal(count_files("blocks"), 0);
	assert_int_equal(count_files("tmp"), 0);
	/* a staged upload of a crashed process is removed when the store opens */
	assert_int_equal(decc_store_import_begin(s, &im, 0), 0);
	assert_int_equal(decc_store_import_write(im, data, sizeof(data)), 0);
	{
		struct decc_store *s2;

		assert_int_equal(decc_store_open(&s2, dir), 0);
		assert_int_equal(count_files("tmp"), 0);
		decc_store_free(s2);
	}
	assert_int_equal(decc_store_import_commit(im, &root, &size, NULL), DECC_ERROR);
	assert_int_equal(count_files("blocks"), 0);
	/* the same bytes with the right expected CID are stored */
	assert_int_equal(decc_store_import_begin(s, &im, 0), 0);
	assert_int_equal(decc_store_import_write(im, data, sizeof(data)), 0);
	{
		struct decc_unixfs_builder *b;

		assert_int_equal(decc_unixfs_builder_new(&b, NULL, NULL), 0);
		assert_int_equal(decc_unixfs_builder_write(b, data, sizeof(data)), 0);
		assert_int_equal(decc_unixfs_builder_finish(b, &expect, NULL), 0);
		decc_unixfs_builder_free(b);
	}
	assert_int_equal(decc_store_import_commit(im, &root, &size, &expect), 0);
	assert_true(decc_cid_equal(&root, &expect));
	assert_int_equal(count_files("blocks"), 4);
	decc_store_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corruption, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failures_leave_nothing, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
