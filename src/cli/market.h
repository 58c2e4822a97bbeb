/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the commands that read the market share (decc app run, decc protect process|grant|
 * access|revoke): query strings for the orderbook's list API, tags, and the orders of one
 * answer parsed into struct decc_order.
 */
#ifndef DECC_CLI_MARKET_H
#define DECC_CLI_MARKET_H

#include "decc/order.h"
#include "decc/buf.h"

#define MARKET_PAGE 100		      /* orders read per market query */
#define MARKET_ANSWER_MAX (16u << 20) /* one list answer */

/* Append "&k=0xADDR" ("k=0xADDR" when q is empty). */
int market_q_addr(struct decc_buf *q, const char *k, const decc_address *a);
/* Append "&k=0x<64 hex>". */
int market_q_tag(struct decc_buf *q, const char *k, const uint8_t tag[32]);
/* "tee", or 0x-hex (a bytes32 tag, left-padded). */
int market_parse_tag(uint8_t out[32], const char *s);
void market_tag_hex(char out[67], const uint8_t tag[32]);
bool market_tag_is_tee(const uint8_t tag[32]);

/* One live order of a list answer. */
struct market_entry {
	struct decc_order order;
	char hash[67];	     /* 0x + 64 hex, as the market gave it */
	decc_u256 remaining; /* volume not consumed yet */
};
struct market_page {
	struct market_entry *items;
	size_t n;
	long long count; /* how many orders the market counted for the query (all pages) */
};
/*
 * The orders of one list answer for query (a URL query string, no "?"); entries the market
 * sent malformed or unsigned are skipped. out is filled only on success.
 */
int market_list(struct market_page *out, const char *market, enum decc_order_type t,
		const char *query);
void market_page_release(struct market_page *p);
/*
 * The first (cheapest) order of the answer into *o and its hash (o untouched and *found false
 * when there is none). *total (may be NULL) gets the market's count.
 */
int market_first(struct decc_order *o, char hash[67], bool *found, long long *total,
		 const char *market, enum decc_order_type t, const char *query);

#endif
