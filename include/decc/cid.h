/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Content identifiers (CIDs) and the UnixFS file layout of IPFS, as `ipfs add --cid-version=1`
 * produces them with kubo's defaults: sha2-256, raw leaves, fixed 256 KiB chunks, a balanced
 * DAG of dag-pb nodes with at most 174 links each, a single-chunk file being its raw leaf.
 * The same bytes therefore get the same CID here and on a real IPFS node.
 *
 * Only sha2-256 multihashes are handled. CIDv1 is written in base32 (lowercase, "b" prefix);
 * CIDv0 ("Qm…", base58btc, dag-pb) is parsed and printed too, so that CIDs handed out by other
 * IPFS nodes can be passed through.
 */
#ifndef DECC_CID_H
#define DECC_CID_H

#include "decc/buf.h"

enum decc_cid_codec {
	DECC_CID_RAW = 0x55,
	DECC_CID_DAG_PB = 0x70,
};

#define DECC_CID_BIN_MAX 40 /* version, codec, multihash code, length, 32-byte digest */
#define DECC_CID_STR_MAX 72 /* "b" + base32 of 36 bytes (58 chars) + NUL, with room */

struct decc_cid {
	uint8_t version; /* 0 or 1 */
	uint64_t codec;	 /* DECC_CID_RAW or DECC_CID_DAG_PB (any codec is kept for v1) */
	uint8_t digest[32];
};

/* Parse a CID string: CIDv1 in base32 ("b…", either case) or CIDv0 ("Qm…"). */
DECC_EXTERN DECC_MUST_USE int decc_cid_parse(struct decc_cid *out, const char *s, size_t n);
/* Parse the binary form (as found in dag-pb links). */
DECC_EXTERN DECC_MUST_USE int decc_cid_from_bytes(struct decc_cid *out, const uint8_t *p, size_t n);
/* Binary form; returns its length. */
DECC_EXTERN size_t decc_cid_to_bytes(uint8_t out[DECC_CID_BIN_MAX], const struct decc_cid *c);
/* String form: base32 lowercase for v1, base58btc for v0. Always NUL-terminated. */
DECC_EXTERN void decc_cid_to_string(char out[DECC_CID_STR_MAX], const struct decc_cid *c);
/* CIDv1 of a block: sha2-256 of its bytes, with the given codec. */
DECC_EXTERN void decc_cid_of(struct decc_cid *out, uint64_t codec, const void *data, size_t n);
DECC_EXTERN bool decc_cid_equal(const struct decc_cid *a, const struct decc_cid *b);

/* ---- UnixFS importer: bytes in, blocks and a root CID out, in constant memory ---- */

#define DECC_UNIXFS_CHUNK_SIZE 262144
#define DECC_UNIXFS_MAX_LINKS 174
/* Largest block decc reads back (kubo refuses blocks above 2 MiB on the wire as well). */
#define DECC_UNIXFS_MAX_BLOCK (2u << 20)

/*
 * Called once per block, leaves first, the root last. A negative return aborts the import
 * and is returned by the write/finish call that triggered it.
 */
typedef int (*decc_unixfs_block_fn)(void *ctx, const struct decc_cid *cid, const uint8_t *data,
				    size_t n);

struct decc_unixfs_builder;

/* fn may be NULL to compute the CID only (e.g. to verify a download). */
DECC_EXTERN DECC_MUST_USE int decc_unixfs_builder_new(struct decc_unixfs_builder **out,
						      decc_unixfs_block_fn fn, void *ctx);
DECC_EXTERN DECC_MUST_USE int decc_unixfs_builder_write(struct decc_unixfs_builder *b,
							const void *p, size_t n);
/*
 * Flush the last chunk and the intermediate nodes; root gets the file's CID and, if not NULL,
 * cumulative_size the size kubo reports as "Size" (file length for a raw leaf, otherwise the
 * root block plus the sizes of all its descendants). The builder is spent afterwards.
 */
DECC_EXTERN DECC_MUST_USE int decc_unixfs_builder_finish(struct decc_unixfs_builder *b,
							 struct decc_cid *root,
							 uint64_t *cumulative_size);
DECC_EXTERN uint64_t decc_unixfs_builder_bytes(const struct decc_unixfs_builder *b);
DECC_EXTERN void decc_unixfs_builder_free(struct decc_unixfs_builder *b);

/* ---- dag-pb node with UnixFS data, as read back from a block ---- */

enum decc_unixfs_type {
	DECC_UNIXFS_RAW = 0,
	DECC_UNIXFS_DIRECTORY = 1,
	DECC_UNIXFS_FILE = 2,
	DECC_UNIXFS_METADATA = 3,
	DECC_UNIXFS_SYMLINK = 4,
	DECC_UNIXFS_HAMT = 5,
};

struct decc_pb_link {
	struct decc_cid cid;
	uint64_t tsize;
	uint64_t blocksize; /* from the UnixFS blocksizes list (0 if absent) */
};

struct decc_unixfs_node {
	enum decc_unixfs_type type;
	struct decc_span data; /* inline file bytes, borrowed from the parsed block */
	uint64_t filesize;
	bool has_filesize;
	size_t nlinks;
	struct decc_pb_link *links; /* owned */
};

/*
 * Parse a dag-pb block carrying UnixFS data. At most DECC_UNIXFS_MAX_BLOCK bytes and
 * 4096 links; anything malformed is DECC_EINVAL. Release with decc_unixfs_node_release().
 */
DECC_EXTERN DECC_MUST_USE int decc_unixfs_node_parse(struct decc_unixfs_node *out, const uint8_t *p,
						     size_t n);
DECC_EXTERN void decc_unixfs_node_release(struct decc_unixfs_node *node);

#endif
