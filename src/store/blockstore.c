/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Blocks on disk, one file each, named by CID; imports staged then moved in; reads verified.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/file.h"
#include "decc/store.h"

#define MAX_DEPTH 16

struct decc_store {
	char *dir;
	char *blocks;
	char *tmp;
};

static char *path_join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s", a, b);
	return p;
}

/* Remove a staging directory and the files in it (it has no subdirectories). */
static void remove_stage(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d) {
		while ((e = readdir(d))) {
			char *p;

			if (e->d_name[0] == '.')
				continue;
			p = path_join(dir, e->d_name);
			if (p)
				unlink(p);
			free(p);
		}
		closedir(d);
	}
	rmdir(dir);
}

int decc_store_open(struct decc_store **out, const char *dir)
{
	struct decc_store *s = calloc(1, sizeof(*s));
	DIR *d;
	struct dirent *e;

	if (!s)
		return decc_error_set(DECC_ENOMEM, "store: out of memory");
	s->dir = strdup(dir);
	s->blocks = path_join(dir, "blocks");
	s->tmp = path_join(dir, "tmp");
	if (!s->dir || !s->blocks || !s->tmp) {
		decc_store_free(s);
		return decc_error_set(DECC_ENOMEM, "store: out of memory");
	}
	if (decc_file_mkdirs(s->blocks, 0755) < 0 || decc_file_mkdirs(s->tmp, 0700) < 0) {
		decc_store_free(s);
		return decc_error_wrap(decc_error_code(),
				       "store: cannot create the data directory");
	}
	/* Uploads that were in flight when the previous process died. */
	d = opendir(s->tmp);
	if (d) {
		while ((e = readdir(d))) {
			char *p;

			if (strncmp(e->d_name, "up-", 3) != 0)
				continue;
			p = path_join(s->tmp, e->d_name);
			if (p)
				remove_stage(p);
			free(p);
		}
		closedir(d);
	}
	*out = s;
	return 0;
}

void decc_store_free(struct decc_store *s)
{
	if (!s)
		return;
	free(s->dir);
	free(s->blocks);
	free(s->tmp);
	free(s);
}

/* Blocks are named by their CIDv1 string whatever the CID they were asked by. */
static void block_name(char name[DECC_CID_STR_MAX], const struct decc_cid *cid)
{
	struct decc_cid v1 = *cid;

	v1.version = 1;
	decc_cid_to_string(name, &v1);
}

static void shard_of(char shard[3], const char *name)
{
	size_t n = strlen(name);

	shard[0] = name[n - 3];
	shard[1] = name[n - 2];
	shard[2] = 0;
}

static int block_path(char *out, size_t cap, const struct decc_store *s, const struct decc_cid *cid)
{
	char name[DECC_CID_STR_MAX], shard[3];
	int n;

	block_name(name, cid);
	shard_of(shard, name);
	n = snprintf(out, cap, "%s/%s/%s", s->blocks, shard, name);
	DECC_ENSURE(n > 0 && (size_t)n < cap, DECC_ELIMIT, "store: path too long");
	return 0;
}

bool decc_store_has(struct decc_store *s, const struct decc_cid *cid)
{
	char path[4096];

	return block_path(path, sizeof(path), s, cid) == 0 && decc_file_exists(path);
}

int decc_store_block_get(struct decc_store *s, struct decc_buf *out, const struct decc_cid *cid)
{
	char path[4096], name[DECC_CID_STR_MAX];
	struct decc_buf b;
	uint8_t digest[32];
	int r;

	DECC_TRY(block_path(path, sizeof(path), s, cid));
	decc_cid_to_string(name, cid);
	decc_buf_init(&b, DECC_UNIXFS_MAX_BLOCK);
	r = decc_file_read(&b, path, DECC_UNIXFS_MAX_BLOCK);
	if (r == DECC_ENOTFOUND) {
		decc_buf_release(&b);
		return decc_error_set(DECC_ENOTFOUND, "block %s not found in this store", name);
	}
	if (r < 0) {
		decc_buf_release(&b);
		return decc_error_wrap(r, "block %s", name);
	}
	decc_sha256(digest, b.data, b.len);
	if (memcmp(digest, cid->digest, 32) != 0) {
		decc_buf_release(&b);
		return decc_error_set(DECC_EAUTH,
				      "block %s is corrupted on disk (its sha2-256 does not match "
				      "its CID): restore %s from a backup or delete it",
				      name, path);
	}
	r = decc_buf_append(out, b.data, b.len);
	decc_buf_release(&b);
	return r;
}

/* ---- import ---- */

struct decc_store_import {
	struct decc_store *s;
	char *stage;
	struct decc_unixfs_builder *b;
	uint64_t max;
	bool failed;
};

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t k = write(fd, p, n);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int stage_block(void *ctx, const struct decc_cid *cid, const uint8_t *data, size_t n)
{
	struct decc_store_import *im = ctx;
	char name[DECC_CID_STR_MAX];
	char *path;
	int fd, r = 0;

	block_name(name, cid);
	path = path_join(im->stage, name);
	if (!path)
		return decc_error_set(DECC_ENOMEM, "store: out of memory");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 && errno == EEXIST) {
		free(path); /* the same block twice in one file */
		return 0;
	}
	/* made durable all at once by syncfs() at commit */
	if (fd < 0 || write_all(fd, data, n) < 0)
		r = decc_error_set(DECC_ERROR, "store: cannot write %s: %s", path, strerror(errno));
	if (fd >= 0 && close(fd) < 0 && r == 0)
		r = decc_error_set(DECC_ERROR, "store: cannot write %s: %s", path, strerror(errno));
	if (r < 0)
		unlink(path);
	free(path);
	return r;
}

int decc_store_import_begin(struct decc_store *s, struct decc_store_import **out, uint64_t max_size)
{
	struct decc_store_import *im = calloc(1, sizeof(*im));
	char *tmpl;
	int r;

	if (!im)
		return decc_error_set(DECC_ENOMEM, "store: out of memory");
	im->s = s;
	im->max = max_size;
	tmpl = path_join(s->tmp, "up-XXXXXX");
	if (!tmpl) {
		free(im);
		return decc_error_set(DECC_ENOMEM, "store: out of memory");
	}
	if (!mkdtemp(tmpl)) {
		r = decc_error_set(DECC_ERROR, "store: cannot create a staging directory in %s: %s",
				   s->tmp, strerror(errno));
		free(tmpl);
		free(im);
		return r;
	}
	im->stage = tmpl;
	r = decc_unixfs_builder_new(&im->b, stage_block, im);
	if (r < 0) {
		decc_store_import_abort(im);
		return r;
	}
	*out = im;
	return 0;
}

int decc_store_import_write(struct decc_store_import *im, const void *p, size_t n)
{
	int r;

	DECC_ENSURE(!im->failed, DECC_EINVAL, "store: import already failed");
	if (im->max && (n > im->max || decc_unixfs_builder_bytes(im->b) > im->max - n)) {
		im->failed = true;
		return decc_error_set(DECC_ELIMIT, "upload larger than the limit of %llu bytes",
				      (unsigned long long)im->max);
	}
	r = decc_unixfs_builder_write(im->b, p, n);
	if (r < 0)
		im->failed = true;
	return r;
}

void decc_store_import_abort(struct decc_store_import *im)
{
	if (!im)
		return;
	decc_unixfs_builder_free(im->b);
	if (im->stage)
		remove_stage(im->stage);
	free(im->stage);
	free(im);
}

static int fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r;

	if (fd < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

static int move_in(struct decc_store_import *im, const char *name, uint8_t *touched)
{
	char shard[3], *from, *dir = NULL, *to = NULL;
	int r = 0, idx;

	shard_of(shard, name);
	from = path_join(im->stage, name);
	dir = path_join(im->s->blocks, shard);
	to = dir ? path_join(dir, name) : NULL;
	if (!from || !dir || !to) {
		r = decc_error_set(DECC_ENOMEM, "store: out of memory");
		goto out;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		r = decc_error_set(DECC_ERROR, "store: cannot create %s: %s", dir, strerror(errno));
		goto out;
	}
	if (rename(from, to) < 0) {
		r = decc_error_set(DECC_ERROR, "store: cannot move a block into %s: %s", dir,
				   strerror(errno));
		goto out;
	}
	/* base32 characters: a-z and 2-7, 32 values each */
	idx = ((shard[0] >= 'a' ? shard[0] - 'a' : shard[0] - '2' + 26) & 31) * 32 +
	      ((shard[1] >= 'a' ? shard[1] - 'a' : shard[1] - '2' + 26) & 31);
	touched[idx / 8] |= (uint8_t)(1u << (idx % 8));
out:
	free(from);
	free(dir);
	free(to);
	return r;
}

int decc_store_import_commit(struct decc_store_import *im, struct decc_cid *root, uint64_t *size,
			     const struct decc_cid *expect)
{
	struct decc_cid cid;
	uint64_t cum;
	char rootname[DECC_CID_STR_MAX], want[DECC_CID_STR_MAX];
	uint8_t touched[128] = { 0 };
	DIR *d = NULL;
	struct dirent *e;
	int r;

	if (im->failed) {
		r = decc_error_set(DECC_EINVAL, "store: import already failed");
		goto out;
	}
	r = decc_unixfs_builder_finish(im->b, &cid, &cum);
	if (r < 0)
		goto out;
	block_name(rootname, &cid);
	if (expect &&
	    !(decc_cid_equal(expect, &cid) || (expect->version == 0 && expect->codec == cid.codec &&
					       memcmp(expect->digest, cid.digest, 32) == 0))) {
		char got[DECC_CID_STR_MAX];

		decc_cid_to_string(want, expect);
		decc_cid_to_string(got, &cid);
		r = decc_error_set(
		    DECC_EAUTH,
		    "uploaded bytes do not match the expected CID %s (they hash to %s); "
		    "nothing was stored",
		    want, got);
		goto out;
	}
	/* Every block but the root first, so the root never names a partial DAG. */
	d = opendir(im->stage);
	if (!d) {
		r = decc_error_set(DECC_ERROR, "store: cannot list %s: %s", im->stage,
				   strerror(errno));
		goto out;
	}
	/* One flush of the file system for all the staged blocks (cheaper than one per block). */
	if (syncfs(dirfd(d)) < 0) {
		r = decc_error_set(DECC_ERROR, "store: cannot flush %s to disk: %s", im->stage,
				   strerror(errno));
		goto out;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || strcmp(e->d_name, rootname) == 0)
			continue;
		if ((r = move_in(im, e->d_name, touched)) < 0)
			goto out;
	}
	for (int i = 0; i < 1024; i++) {
		char sh[3], *p;

		if (!(touched[i / 8] & (1u << (i % 8))))
			continue;
		sh[0] = (char)(i / 32 < 26 ? 'a' + i / 32 : '2' + i / 32 - 26);
		sh[1] = (char)(i % 32 < 26 ? 'a' + i % 32 : '2' + i % 32 - 26);
		sh[2] = 0;
		p = path_join(im->s->blocks, sh);
		if (!p || fsync_dir(p) < 0) {
			free(p);
			r = decc_error_set(DECC_ERROR, "store: cannot sync %s/%s", im->s->blocks,
					   sh);
			goto out;
		}
		free(p);
	}
	memset(touched, 0, sizeof(touched));
	if ((r = move_in(im, rootname, touched)) < 0)
		goto out;
	{
		char shard[3], *p;

		shard_of(shard, rootname);
		p = path_join(im->s->blocks, shard);
		if (!p || fsync_dir(p) < 0 || fsync_dir(im->s->blocks) < 0)
			r = decc_error_set(DECC_ERROR, "store: cannot sync %s", im->s->blocks);
		free(p);
		if (r < 0)
			goto out;
	}
	*root = cid;
	if (size)
		*size = cum;
out:
	if (d)
		closedir(d);
	decc_store_import_abort(im);
	return r;
}

/* ---- reader ---- */

struct frame {
	struct decc_buf block;
	struct decc_unixfs_node node;
	size_t next;	/* next link */
	bool data_done; /* inline data handed out */
};

struct decc_store_reader {
	struct decc_store *s;
	struct frame stack[MAX_DEPTH];
	size_t depth;
	struct decc_buf leaf; /* current raw leaf */
	const uint8_t *cur;   /* bytes being handed out */
	size_t cur_len;
	uint64_t size, emitted;
	bool failed;
};

static int push_node(struct decc_store_reader *r, struct decc_buf *block, const char *name)
{
	struct frame *f;
	struct decc_unixfs_node node;

	DECC_ENSURE(r->depth < MAX_DEPTH, DECC_ELIMIT, "%s: DAG deeper than %d levels", name,
		    MAX_DEPTH);
	if (decc_unixfs_node_parse(&node, block->data, block->len) < 0)
		return decc_error_wrap(DECC_EINVAL, "%s", name);
	if (node.type != DECC_UNIXFS_FILE && node.type != DECC_UNIXFS_RAW) {
		decc_unixfs_node_release(&node);
		return decc_error_set(DECC_EINVAL, "%s is not a file (UnixFS type %d)", name,
				      (int)node.type);
	}
	f = &r->stack[r->depth++];
	f->block = *block; /* take ownership; node.data points into it */
	decc_buf_init(block, DECC_UNIXFS_MAX_BLOCK);
	f->node = node;
	f->next = 0;
	f->data_done = false;
	return 0;
}

int decc_store_reader_open(struct decc_store *s, struct decc_store_reader **out,
			   const struct decc_cid *cid)
{
	struct decc_store_reader *r;
	struct decc_buf b;
	char name[DECC_CID_STR_MAX];
	int rc;

	decc_cid_to_string(name, cid);
	DECC_ENSURE(cid->codec == DECC_CID_RAW || cid->codec == DECC_CID_DAG_PB, DECC_EINVAL,
		    "%s: codec 0x%llx is not a file", name, (unsigned long long)cid->codec);
	decc_buf_init(&b, DECC_UNIXFS_MAX_BLOCK);
	DECC_TRY(decc_store_block_get(s, &b, cid));
	r = calloc(1, sizeof(*r));
	if (!r) {
		decc_buf_release(&b);
		return decc_error_set(DECC_ENOMEM, "store: out of memory");
	}
	r->s = s;
	decc_buf_init(&r->leaf, DECC_UNIXFS_MAX_BLOCK);
	if (cid->codec == DECC_CID_RAW) {
		r->leaf = b;
		r->cur = r->leaf.data;
		r->cur_len = r->leaf.len;
		r->size = b.len;
	} else {
		rc = push_node(r, &b, name);
		decc_buf_release(&b);
		if (rc < 0) {
			decc_store_reader_free(r);
			return rc;
		}
		r->size = r->stack[0].node.has_filesize ? r->stack[0].node.filesize
							: r->stack[0].node.data.len;
	}
	*out = r;
	return 0;
}

uint64_t decc_store_reader_size(const struct decc_store_reader *r)
{
	return r->size;
}

/* Find the next bytes to hand out; cur_len == 0 afterwards means the end. */
static int advance(struct decc_store_reader *r)
{
	while (r->depth) {
		struct frame *f = &r->stack[r->depth - 1];
		struct decc_pb_link *l;
		struct decc_buf b;
		char name[DECC_CID_STR_MAX];

		if (!f->data_done) {
			f->data_done = true;
			if (f->node.data.len) {
				r->cur = f->node.data.ptr;
				r->cur_len = f->node.data.len;
				return 0;
			}
		}
		if (f->next == f->node.nlinks) {
			decc_unixfs_node_release(&f->node);
			decc_buf_release(&f->block);
			r->depth--;
			continue;
		}
		l = &f->node.links[f->next++];
		decc_cid_to_string(name, &l->cid);
		if (l->cid.codec == DECC_CID_RAW) {
			decc_buf_reset(&r->leaf);
			DECC_TRY(decc_store_block_get(r->s, &r->leaf, &l->cid));
			DECC_ENSURE(r->leaf.len == l->blocksize, DECC_EINVAL,
				    "%s: leaf of %zu bytes where its parent announces %llu", name,
				    r->leaf.len, (unsigned long long)l->blocksize);
			r->cur = r->leaf.data;
			r->cur_len = r->leaf.len;
			if (r->cur_len)
				return 0;
			continue;
		}
		DECC_ENSURE(l->cid.codec == DECC_CID_DAG_PB, DECC_EINVAL,
			    "%s: unexpected codec in a file DAG", name);
		decc_buf_init(&b, DECC_UNIXFS_MAX_BLOCK);
		{
			int rc = decc_store_block_get(r->s, &b, &l->cid);

			if (rc == 0)
				rc = push_node(r, &b, name);
			decc_buf_release(&b);
			DECC_TRY(rc);
		}
	}
	r->cur_len = 0;
	return 0;
}

int decc_store_reader_read(struct decc_store_reader *r, void *buf, size_t cap, size_t *got)
{
	int rc;

	DECC_ENSURE(!r->failed, DECC_EINVAL, "store: reader already failed");
	if (r->cur_len == 0) {
		rc = advance(r);
		if (rc < 0) {
			r->failed = true;
			return rc;
		}
	}
	if (r->cur_len == 0) {
		if (r->emitted != r->size) {
			r->failed = true;
			return decc_error_set(
			    DECC_EINVAL, "file DAG holds %llu bytes but its root announces %llu",
			    (unsigned long long)r->emitted, (unsigned long long)r->size);
		}
		*got = 0;
		return 0;
	}
	if (cap > r->cur_len)
		cap = r->cur_len;
	if (r->emitted + cap > r->size) {
		r->failed = true;
		return decc_error_set(DECC_EINVAL,
				      "file DAG holds more bytes than its root announces");
	}
	memcpy(buf, r->cur, cap);
	r->cur += cap;
	r->cur_len -= cap;
	r->emitted += cap;
	*got = cap;
	return 0;
}

void decc_store_reader_free(struct decc_store_reader *r)
{
	if (!r)
		return;
	while (r->depth) {
		r->depth--;
		decc_unixfs_node_release(&r->stack[r->depth].node);
		decc_buf_release(&r->stack[r->depth].block);
	}
	decc_buf_release(&r->leaf);
	free(r);
}
