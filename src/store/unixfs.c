/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The UnixFS importer of kubo (`ipfs add --cid-version=1`): fixed 256 KiB raw leaves under a
 * balanced tree of dag-pb nodes of at most 174 links. Built as a stream: one pending list of
 * links per tree level, so memory is bounded by the depth of the tree, not by the file.
 *
 * Level L collects the links of nodes of height L (leaves at level 0). When a level is full
 * and one more link arrives, its links become a node of height L+1; at the end, the levels
 * are folded bottom-up. This yields exactly the tree of the reference importers, which batch
 * the leaves 174 at a time and then batch the resulting nodes again until one remains.
 */
#include <stdlib.h>
#include <string.h>

#include "decc/cid.h"
#include "decc/error.h"
#include "store/pb.h"

#define MAX_LEVELS 8 /* 174^7 leaves of 256 KiB is far beyond any file */
#define MAX_PARSE_LINKS 4096

enum {
	PBNODE_DATA = 1,
	PBNODE_LINKS = 2
};
enum {
	PBLINK_HASH = 1,
	PBLINK_NAME = 2,
	PBLINK_TSIZE = 3
};
enum {
	UFS_TYPE = 1,
	UFS_DATA = 2,
	UFS_FILESIZE = 3,
	UFS_BLOCKSIZES = 4
};

struct link {
	struct decc_cid cid;
	uint64_t tsize;	    /* cumulative size of the subtree, blocks included */
	uint64_t blocksize; /* file bytes under it */
};

struct level {
	size_t n;
	struct link links[DECC_UNIXFS_MAX_LINKS];
};

struct decc_unixfs_builder {
	decc_unixfs_block_fn fn;
	void *ctx;
	uint8_t *chunk;
	size_t chunk_len;
	uint64_t total;
	uint64_t leaves;
	size_t height; /* number of levels in use */
	struct level levels[MAX_LEVELS];
	struct decc_buf node; /* scratch for encoding a node */
	struct decc_buf data; /* scratch for its UnixFS data */
	bool spent;
};

int decc_unixfs_builder_new(struct decc_unixfs_builder **out, decc_unixfs_block_fn fn, void *ctx)
{
	struct decc_unixfs_builder *b = calloc(1, sizeof(*b));

	if (!b)
		return decc_error_set(DECC_ENOMEM, "unixfs: out of memory");
	b->chunk = malloc(DECC_UNIXFS_CHUNK_SIZE);
	if (!b->chunk) {
		free(b);
		return decc_error_set(DECC_ENOMEM, "unixfs: out of memory");
	}
	b->fn = fn;
	b->ctx = ctx;
	decc_buf_init(&b->node, DECC_UNIXFS_MAX_BLOCK);
	decc_buf_init(&b->data, DECC_UNIXFS_MAX_BLOCK);
	*out = b;
	return 0;
}

void decc_unixfs_builder_free(struct decc_unixfs_builder *b)
{
	if (!b)
		return;
	decc_buf_release(&b->node);
	decc_buf_release(&b->data);
	free(b->chunk);
	free(b);
}

uint64_t decc_unixfs_builder_bytes(const struct decc_unixfs_builder *b)
{
	return b->total;
}

static int emit(struct decc_unixfs_builder *b, const struct decc_cid *cid, const uint8_t *p,
		size_t n)
{
	return b->fn ? b->fn(b->ctx, cid, p, n) : 0;
}

static int push(struct decc_unixfs_builder *b, size_t lvl, const struct link *l);

/* Turn the links pending at level lvl into one dag-pb node, and link it one level up. */
static int flush_level(struct decc_unixfs_builder *b, size_t lvl)
{
	struct level *L = &b->levels[lvl];
	uint8_t cidbin[DECC_CID_BIN_MAX];
	struct link parent = { 0 };
	uint64_t filesize = 0, tsum = 0;
	size_t n = L->n;

	decc_buf_reset(&b->node);
	decc_buf_reset(&b->data);
	/* dag-pb canonical form: Links (field 2) first, then Data (field 1). */
	for (size_t i = 0; i < n; i++) {
		uint8_t link[DECC_CID_BIN_MAX + 3 * DECC_PB_VARINT_MAX];
		struct decc_buf lb;
		size_t k = decc_cid_to_bytes(cidbin, &L->links[i].cid);
		int r;

		decc_buf_init(&lb, sizeof(link));
		r = decc_pb_put_bytes_field(&lb, PBLINK_HASH, cidbin, k);
		if (r == 0)
			r = decc_pb_put_bytes_field(&lb, PBLINK_NAME, "", 0);
		if (r == 0)
			r = decc_pb_put_varint_field(&lb, PBLINK_TSIZE, L->links[i].tsize);
		if (r == 0)
			r = decc_pb_put_bytes_field(&b->node, PBNODE_LINKS, lb.data, lb.len);
		decc_buf_release(&lb);
		DECC_TRY(r);
		filesize += L->links[i].blocksize;
		tsum += L->links[i].tsize;
	}
	DECC_TRY(decc_pb_put_varint_field(&b->data, UFS_TYPE, DECC_UNIXFS_FILE));
	DECC_TRY(decc_pb_put_varint_field(&b->data, UFS_FILESIZE, filesize));
	for (size_t i = 0; i < n; i++)
		DECC_TRY(decc_pb_put_varint_field(&b->data, UFS_BLOCKSIZES, L->links[i].blocksize));
	DECC_TRY(decc_pb_put_bytes_field(&b->node, PBNODE_DATA, b->data.data, b->data.len));

	decc_cid_of(&parent.cid, DECC_CID_DAG_PB, b->node.data, b->node.len);
	parent.tsize = tsum + b->node.len;
	parent.blocksize = filesize;
	DECC_TRY(emit(b, &parent.cid, b->node.data, b->node.len));
	L->n = 0;
	return push(b, lvl + 1, &parent);
}

static int push(struct decc_unixfs_builder *b, size_t lvl, const struct link *l)
{
	DECC_ENSURE(lvl < MAX_LEVELS, DECC_ELIMIT, "unixfs: file too large for the DAG depth");
	if (b->levels[lvl].n == DECC_UNIXFS_MAX_LINKS)
		DECC_TRY(flush_level(b, lvl));
	b->levels[lvl].links[b->levels[lvl].n++] = *l;
	if (lvl + 1 > b->height)
		b->height = lvl + 1;
	return 0;
}

static int emit_leaf(struct decc_unixfs_builder *b)
{
	struct link l;

	decc_cid_of(&l.cid, DECC_CID_RAW, b->chunk, b->chunk_len);
	l.tsize = b->chunk_len;
	l.blocksize = b->chunk_len;
	DECC_TRY(emit(b, &l.cid, b->chunk, b->chunk_len));
	b->chunk_len = 0;
	b->leaves++;
	return push(b, 0, &l);
}

int decc_unixfs_builder_write(struct decc_unixfs_builder *b, const void *p, size_t n)
{
	const uint8_t *in = p;

	DECC_ENSURE(!b->spent, DECC_EINVAL, "unixfs: write after finish or failure");
	DECC_ENSURE(b->total + n >= b->total, DECC_ELIMIT, "unixfs: file size overflows");
	while (n) {
		size_t k = DECC_UNIXFS_CHUNK_SIZE - b->chunk_len;
		int r;

		if (k > n)
			k = n;
		memcpy(b->chunk + b->chunk_len, in, k);
		b->chunk_len += k;
		b->total += k;
		in += k;
		n -= k;
		if (b->chunk_len == DECC_UNIXFS_CHUNK_SIZE) {
			r = emit_leaf(b);
			if (r < 0) {
				b->spent = true;
				return r;
			}
		}
	}
	return 0;
}

static int finish(struct decc_unixfs_builder *b, struct link *root)
{
	/* An empty file is one empty raw leaf; otherwise no chunk is ever empty. */
	if (b->chunk_len > 0 || b->leaves == 0)
		DECC_TRY(emit_leaf(b));
	if (b->leaves == 1) {
		*root = b->levels[0].links[0];
		return 0;
	}
	for (size_t lvl = 0; lvl < b->height; lvl++) {
		if (lvl + 1 == b->height && b->levels[lvl].n == 1 && lvl > 0) {
			*root = b->levels[lvl].links[0];
			return 0;
		}
		if (b->levels[lvl].n)
			DECC_TRY(flush_level(b, lvl));
	}
	return decc_error_set(DECC_ERROR, "unixfs: internal error, no root");
}

int decc_unixfs_builder_finish(struct decc_unixfs_builder *b, struct decc_cid *root,
			       uint64_t *cumulative_size)
{
	struct link l = { 0 };
	int r;

	DECC_ENSURE(!b->spent, DECC_EINVAL, "unixfs: finish after finish or failure");
	b->spent = true;
	r = finish(b, &l);
	if (r < 0)
		return r;
	*root = l.cid;
	if (cumulative_size)
		*cumulative_size = l.tsize;
	return 0;
}

/* ---- parsing ---- */

static int skip_field(struct decc_cursor *c, unsigned wire)
{
	struct decc_span s;
	uint64_t v;

	if (wire == DECC_PB_VARINT)
		return decc_pb_varint_get(c, &v);
	return decc_pb_bytes(c, &s);
}

static int parse_link(struct decc_pb_link *out, struct decc_span s)
{
	struct decc_cursor c;
	bool has_hash = false;

	memset(out, 0, sizeof(*out));
	decc_cursor_init(&c, s.ptr, s.len);
	while (decc_cursor_left(&c)) {
		unsigned field, wire;
		struct decc_span v;

		DECC_TRY(decc_pb_key(&c, &field, &wire));
		switch (field) {
		case PBLINK_HASH:
			DECC_ENSURE(wire == DECC_PB_LEN && !has_hash, DECC_EINVAL,
				    "dag-pb: bad link hash");
			DECC_TRY(decc_pb_bytes(&c, &v));
			DECC_TRY(decc_cid_from_bytes(&out->cid, v.ptr, v.len));
			has_hash = true;
			break;
		case PBLINK_NAME:
			DECC_ENSURE(wire == DECC_PB_LEN, DECC_EINVAL, "dag-pb: bad link name");
			DECC_TRY(decc_pb_bytes(&c, &v));
			break;
		case PBLINK_TSIZE:
			DECC_ENSURE(wire == DECC_PB_VARINT, DECC_EINVAL, "dag-pb: bad link size");
			DECC_TRY(decc_pb_varint_get(&c, &out->tsize));
			break;
		default:
			return decc_error_set(DECC_EINVAL, "dag-pb: unknown link field %u", field);
		}
	}
	DECC_ENSURE(has_hash, DECC_EINVAL, "dag-pb: link without a hash");
	return 0;
}

/* UnixFS Data; blocksizes are counted in *nbs and, when bs is not NULL, stored. */
static int parse_unixfs(struct decc_unixfs_node *node, struct decc_span s, uint64_t *bs, size_t cap,
			size_t *nbs)
{
	struct decc_cursor c;
	bool has_type = false;
	size_t n = 0;

	decc_cursor_init(&c, s.ptr, s.len);
	while (decc_cursor_left(&c)) {
		unsigned field, wire;
		uint64_t v;
		struct decc_span sp;

		DECC_TRY(decc_pb_key(&c, &field, &wire));
		switch (field) {
		case UFS_TYPE:
			DECC_ENSURE(wire == DECC_PB_VARINT, DECC_EINVAL, "unixfs: bad type");
			DECC_TRY(decc_pb_varint_get(&c, &v));
			DECC_ENSURE(v <= DECC_UNIXFS_HAMT, DECC_EINVAL, "unixfs: unknown type %llu",
				    (unsigned long long)v);
			node->type = (enum decc_unixfs_type)v;
			has_type = true;
			break;
		case UFS_DATA:
			DECC_ENSURE(wire == DECC_PB_LEN, DECC_EINVAL, "unixfs: bad data");
			DECC_TRY(decc_pb_bytes(&c, &node->data));
			break;
		case UFS_FILESIZE:
			DECC_ENSURE(wire == DECC_PB_VARINT, DECC_EINVAL, "unixfs: bad filesize");
			DECC_TRY(decc_pb_varint_get(&c, &node->filesize));
			node->has_filesize = true;
			break;
		case UFS_BLOCKSIZES:
			if (wire == DECC_PB_VARINT) {
				DECC_TRY(decc_pb_varint_get(&c, &v));
				if (bs && n < cap)
					bs[n] = v;
				n++;
				break;
			}
			/* packed encoding */
			DECC_TRY(decc_pb_bytes(&c, &sp));
			{
				struct decc_cursor pc;

				decc_cursor_init(&pc, sp.ptr, sp.len);
				while (decc_cursor_left(&pc)) {
					DECC_TRY(decc_pb_varint_get(&pc, &v));
					if (bs && n < cap)
						bs[n] = v;
					n++;
				}
			}
			break;
		default:
			DECC_TRY(skip_field(&c, wire)); /* hashType, fanout, mode, mtime */
			break;
		}
		DECC_ENSURE(n <= MAX_PARSE_LINKS, DECC_ELIMIT, "unixfs: too many blocksizes");
	}
	DECC_ENSURE(has_type, DECC_EINVAL, "unixfs: data without a type");
	*nbs = n;
	return 0;
}

int decc_unixfs_node_parse(struct decc_unixfs_node *out, const uint8_t *p, size_t n)
{
	struct decc_unixfs_node node = { 0 };
	struct decc_cursor c;
	struct decc_span data = { 0 };
	bool has_data = false;
	size_t nlinks = 0, i = 0, nbs = 0;
	uint64_t *bs = NULL;
	int r = 0;

	DECC_ENSURE(n <= DECC_UNIXFS_MAX_BLOCK, DECC_ELIMIT, "dag-pb: block of %zu bytes too large",
		    n);
	/* First pass: validate the outer structure and count the links. */
	decc_cursor_init(&c, p, n);
	while (decc_cursor_left(&c)) {
		unsigned field, wire;
		struct decc_span s;

		DECC_TRY(decc_pb_key(&c, &field, &wire));
		DECC_ENSURE(wire == DECC_PB_LEN && (field == PBNODE_DATA || field == PBNODE_LINKS),
			    DECC_EINVAL, "dag-pb: unexpected field %u", field);
		DECC_TRY(decc_pb_bytes(&c, &s));
		if (field == PBNODE_DATA) {
			DECC_ENSURE(!has_data, DECC_EINVAL, "dag-pb: two Data fields");
			data = s;
			has_data = true;
		} else {
			DECC_ENSURE(++nlinks <= MAX_PARSE_LINKS, DECC_ELIMIT,
				    "dag-pb: more than %d links", MAX_PARSE_LINKS);
		}
	}
	DECC_ENSURE(has_data, DECC_EINVAL, "dag-pb: node without UnixFS data");
	if (nlinks) {
		node.links = calloc(nlinks, sizeof(*node.links));
		bs = calloc(nlinks, sizeof(*bs));
		if (!node.links || !bs) {
			r = decc_error_set(DECC_ENOMEM, "dag-pb: out of memory");
			goto out;
		}
	}
	r = parse_unixfs(&node, data, bs, nlinks, &nbs);
	if (r < 0)
		goto out;
	if (nlinks && nbs != nlinks) {
		r = decc_error_set(DECC_EINVAL, "unixfs: %zu blocksizes for %zu links", nbs,
				   nlinks);
		goto out;
	}
	decc_cursor_init(&c, p, n);
	while (decc_cursor_left(&c)) {
		unsigned field, wire;
		struct decc_span s;

		if ((r = decc_pb_key(&c, &field, &wire)) < 0 || (r = decc_pb_bytes(&c, &s)) < 0)
			goto out;
		if (field != PBNODE_LINKS)
			continue;
		if ((r = parse_link(&node.links[i], s)) < 0)
			goto out;
		node.links[i].blocksize = bs[i];
		i++;
	}
	node.nlinks = nlinks;
	*out = node;
	node.links = NULL;
out:
	free(bs);
	free(node.links);
	return r;
}

void decc_unixfs_node_release(struct decc_unixfs_node *node)
{
	if (!node)
		return;
	free(node->links);
	memset(node, 0, sizeof(*node));
}
