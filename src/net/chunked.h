/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP/1.1 chunked transfer coding (RFC 9112 section 7.1), decoded incrementally: bytes are
 * fed as they arrive from the socket, data goes to a callback without being copied, and the
 * decoder stops exactly after the last chunk's trailers so that pipelined bytes stay with the
 * caller. Shared by the client (responses) and the server (requests); a pure function over
 * bytes, so it is fuzzed (tests/fuzz/fuzz-http-response.c).
 *
 * Strict on purpose (a lenient chunk parser is a request-smuggling vector): lines end in CRLF,
 * the size is 1..16 hex digits, the size line (with extensions) and the trailers are bounded.
 */
#ifndef DECC_NET_CHUNKED_H
#define DECC_NET_CHUNKED_H

#include "decc/common.h"

#define DECC_CHUNKED_LINE_MAX 4096     /* a chunk-size line, extensions included */
#define DECC_CHUNKED_TRAILER_MAX 16384 /* all trailer lines together */

struct decc_chunked {
	int state;
	uint64_t left;	    /* data bytes left in the current chunk */
	uint64_t total;	    /* data bytes decoded so far */
	uint64_t max_total; /* 0: no limit */
	size_t line;	    /* bytes of the current size line */
	size_t trailer;	    /* bytes of trailers so far */
	unsigned digits;    /* hex digits of the current size */
	bool done;	    /* the last chunk and its trailers were read */
};

void decc_chunked_init(struct decc_chunked *c, uint64_t max_total /* 0 = none */);

/*
 * Decodes up to n bytes at p: data bytes go to on_data (return 0 to go on, <0 to stop with that
 * code). *used = bytes consumed; stops after the last chunk and its trailers (c->done = true),
 * bytes after that belong to the next message. Returns 0, or a negative DECC_E* with a message
 * on a malformed stream / over max_total. Feeding a done decoder consumes nothing.
 */
int decc_chunked_feed(struct decc_chunked *c, const uint8_t *p, size_t n, size_t *used,
		      int (*on_data)(void *ctx, const uint8_t *p, size_t n), void *ctx);

#endif
