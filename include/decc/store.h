/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Content-addressed storage: the block store on disk, the streaming multipart parser, the
 * `decc store` HTTP server (the IPFS HTTP API subset clients use) and the client that talks to
 * it or to any real IPFS node's HTTP API.
 *
 * On disk, DIR/blocks/<xy>/<cid> holds one block each (xy = the two characters before the
 * last one of the CID, like flatfs). Uploads are written to DIR/tmp/ first and moved into
 * blocks/ only when the whole file was imported, so a failed upload leaves nothing behind.
 * Every block read back is hashed and compared with its CID: a corrupted block is an error
 * (DECC_EAUTH), never wrong data.
 */
#ifndef DECC_STORE_H
#define DECC_STORE_H

#include <sys/types.h>

#include "decc/cid.h"

/* ---- the block store ---- */

struct decc_store;

/* Open (creating DIR, DIR/blocks and DIR/tmp as needed) and clear stale uploads in DIR/tmp. */
DECC_EXTERN DECC_MUST_USE int decc_store_open(struct decc_store **out, const char *dir);
DECC_EXTERN void decc_store_free(struct decc_store *s);

/* Read one block, verified against its CID (DECC_ENOTFOUND, DECC_EAUTH if corrupted). */
DECC_EXTERN DECC_MUST_USE int decc_store_block_get(struct decc_store *s, struct decc_buf *out,
						   const struct decc_cid *cid);
DECC_EXTERN bool decc_store_has(struct decc_store *s, const struct decc_cid *cid);

/* Streaming import of one file. */
struct decc_store_import;

/* max_size: largest file accepted (0 = no limit); beyond it, writes fail with DECC_ELIMIT. */
DECC_EXTERN DECC_MUST_USE int
decc_store_import_begin(struct decc_store *s, struct decc_store_import **out, uint64_t max_size);
DECC_EXTERN DECC_MUST_USE int decc_store_import_write(struct decc_store_import *im, const void *p,
						      size_t n);
/*
 * Finish the DAG and move its blocks into the store. When expect is not NULL and the root
 * differs, nothing is stored and the result is DECC_EAUTH. size gets kubo's "Size" (see
 * decc_unixfs_builder_finish). The import is freed in every case.
 */
DECC_EXTERN DECC_MUST_USE int decc_store_import_commit(struct decc_store_import *im,
						       struct decc_cid *root, uint64_t *size,
						       const struct decc_cid *expect);
/* Drop an import and its staged blocks (NULL is fine). */
DECC_EXTERN void decc_store_import_abort(struct decc_store_import *im);

/* Streaming read of one file (a raw block or a UnixFS file DAG), every block verified. */
struct decc_store_reader;

DECC_EXTERN DECC_MUST_USE int decc_store_reader_open(struct decc_store *s,
						     struct decc_store_reader **out,
						     const struct decc_cid *cid);
/* Total length of the file, as its root announces it. */
DECC_EXTERN uint64_t decc_store_reader_size(const struct decc_store_reader *r);
/* Read up to cap bytes; *got == 0 means the end. A failure is final for this reader. */
DECC_EXTERN DECC_MUST_USE int decc_store_reader_read(struct decc_store_reader *r, void *buf,
						     size_t cap, size_t *got);
DECC_EXTERN void decc_store_reader_free(struct decc_store_reader *r);

/* ---- multipart/form-data, parsed as a stream ---- */

#define DECC_MULTIPART_BOUNDARY_MAX 70 /* RFC 2046 */

struct decc_multipart_part {
	const char *name;	  /* form field name ("" if absent) */
	const char *filename;	  /* as sent, not decoded ("" if absent) */
	const char *content_type; /* "" if absent */
	bool has_filename;
};

struct decc_multipart_cb {
	void *ctx;
	int (*part_begin)(void *ctx, const struct decc_multipart_part *part);
	int (*part_data)(void *ctx, const uint8_t *p, size_t n);
	int (*part_end)(void *ctx);
};

struct decc_multipart_limits {
	size_t max_header_bytes; /* per part, 0 = 8 KiB */
	size_t max_parts;	 /* 0 = 64 */
	uint64_t max_body;	 /* whole body, 0 = no limit */
};

/* Extract the boundary of a `multipart/form-data; boundary=…` Content-Type header. */
DECC_EXTERN DECC_MUST_USE int decc_multipart_boundary(char out[DECC_MULTIPART_BOUNDARY_MAX + 1],
						      const char *content_type);

struct decc_multipart;

DECC_EXTERN DECC_MUST_USE int decc_multipart_new(struct decc_multipart **out, const char *boundary,
						 const struct decc_multipart_cb *cb,
						 const struct decc_multipart_limits *limits);
/*
 * Feed the next bytes of the body, split anywhere. Callback failures are returned as they are;
 * a malformed body is DECC_EINVAL, a limit DECC_ELIMIT. After a failure, the parser refuses
 * further input.
 */
DECC_EXTERN DECC_MUST_USE int decc_multipart_feed(struct decc_multipart *m, const void *p,
						  size_t n);
/* The body ended: DECC_EINVAL unless the closing delimiter was seen. */
DECC_EXTERN DECC_MUST_USE int decc_multipart_finish(struct decc_multipart *m);
DECC_EXTERN void decc_multipart_free(struct decc_multipart *m);

/* ---- the server: `decc store` ---- */

struct decc_store_server_opts {
	const char *data_dir;
	const char *host;     /* listen address, e.g. "127.0.0.1" */
	uint16_t port;	      /* 0 = a free port chosen by the system */
	uint64_t max_size;    /* largest upload in bytes, 0 = no limit */
	unsigned max_uploads; /* concurrent uploads, 0 = 8 */
	/* Optional: one line per request and event (no trailing newline). */
	void (*log)(void *ctx, const char *line);
	void *log_ctx;
};

struct decc_store_server;

DECC_EXTERN DECC_MUST_USE int decc_store_server_start(struct decc_store_server **out,
						      const struct decc_store_server_opts *o);
DECC_EXTERN uint16_t decc_store_server_port(const struct decc_store_server *srv);
/* Stop accepting, finish or abort requests in flight, free. NULL is fine. */
DECC_EXTERN void decc_store_server_stop(struct decc_store_server *srv);

/* ---- the client: decc store or any IPFS HTTP API (e.g. http://127.0.0.1:5001) ---- */

/*
 * Upload a file (streamed, multipart) with cid-version=1; cid gets the "Hash" the API
 * answered, size its "Size" (may be NULL). progress (may be NULL) follows the file's bytes sent.
 */
DECC_EXTERN DECC_MUST_USE int decc_store_client_add(char cid[DECC_CID_STR_MAX], uint64_t *size,
						    const char *api_url, const char *path,
						    const struct decc_progress *progress);
/*
 * Download a file into out_path (temporary file in the same directory, renamed when the whole
 * file arrived and was verified). A CIDv1 (raw or dag-pb) is verified by re-importing the
 * stream with kubo's --cid-version=1 layout: other bytes, or content imported with another
 * layout, give DECC_EAUTH. A CIDv0 cannot be verified this way: it is refused (DECC_EINVAL)
 * when verify_strict, else downloaded unverified. On failure nothing is left at out_path.
 */
DECC_EXTERN DECC_MUST_USE int decc_store_client_cat(const char *api_url, const char *cid,
						    const char *out_path, bool verify_strict);
/* Same, to an open file descriptor; on a verification failure the bytes were already written. */
DECC_EXTERN DECC_MUST_USE int decc_store_client_cat_fd(const char *api_url, const char *cid, int fd,
						       bool verify_strict);

#endif
