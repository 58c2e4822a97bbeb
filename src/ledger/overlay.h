/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An in-memory write set over the ledger's state: one per transaction (or eth_call). Reads
 * look here first, then fall through to SQLite; on success the entries are flushed to the
 * block's SQLite transaction, on revert they are simply dropped.
 */
#ifndef DECC_LEDGER_OVERLAY_H
#define DECC_LEDGER_OVERLAY_H

#include "decc/buf.h"

enum overlay_kind {
	OVERLAY_KV = 'k',      /* contract state: key -> value (empty value = deleted) */
	OVERLAY_BALANCE = 'b', /* account balance: address -> 32-byte big-endian wei */
};

struct overlay_entry {
	uint8_t kind;
	uint8_t keylen;
	uint8_t key[128];
	uint8_t *val; /* malloc'd, NULL when vallen == 0 */
	size_t vallen;
	bool used;
};

struct overlay {
	struct overlay_entry *slots;
	size_t cap; /* power of two, 0 when empty */
	size_t count;
	size_t bytes; /* total size of values, bounded */
};

void overlay_init(struct overlay *o);
void overlay_release(struct overlay *o);
/* The entry for (kind, key) or NULL. */
const struct overlay_entry *overlay_find(const struct overlay *o, uint8_t kind, const uint8_t *key,
					 size_t keylen);
int overlay_put(struct overlay *o, uint8_t kind, const uint8_t *key, size_t keylen,
		const uint8_t *val, size_t vallen);

#endif
