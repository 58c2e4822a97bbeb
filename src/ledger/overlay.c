/* SPDX-License-Identifier: Apache-2.0 */
/* Open-addressing hash map of pending writes (see overlay.h). */
#include <stdlib.h>
#include <string.h>

#include "decc/error.h"
#include "decc/exec.h"
#include "ledger/overlay.h"

#define OVERLAY_MAX_BYTES ((size_t)64 << 20) /* one transaction's writes */

void overlay_init(struct overlay *o)
{
	memset(o, 0, sizeof(*o));
}

void overlay_release(struct overlay *o)
{
	for (size_t i = 0; i < o->cap; i++)
		free(o->slots[i].val);
	free(o->slots);
	overlay_init(o);
}

static uint64_t hash_key(uint8_t kind, const uint8_t *key, size_t keylen)
{
	uint64_t h = 1469598103934665603ULL ^ kind;

	for (size_t i = 0; i < keylen; i++) {
		h ^= key[i];
		h *= 1099511628211ULL;
	}
	return h ^ (h >> 29);
}

static struct overlay_entry *lookup(struct overlay_entry *slots, size_t cap, uint8_t kind,
				    const uint8_t *key, size_t keylen)
{
	size_t i = hash_key(kind, key, keylen) & (cap - 1);

	for (;;) {
		struct overlay_entry *e = &slots[i];

		if (!e->used)
			return e;
		if (e->kind == kind && e->keylen == keylen && memcmp(e->key, key, keylen) == 0)
			return e;
		i = (i + 1) & (cap - 1);
	}
}

const struct overlay_entry *overlay_find(const struct overlay *o, uint8_t kind, const uint8_t *key,
					 size_t keylen)
{
	const struct overlay_entry *e;

	if (o->cap == 0 || keylen > sizeof(o->slots[0].key))
		return NULL;
	e = lookup(o->slots, o->cap, kind, key, keylen);
	return e->used ? e : NULL;
}

static int grow(struct overlay *o)
{
	size_t cap = o->cap ? o->cap * 2 : 16;
	struct overlay_entry *slots;

	if (cap > ((size_t)1 << 24))
		return decc_error_set(DECC_ELIMIT, "too many state writes in one transaction");
	slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return decc_error_set(DECC_ENOMEM, "out of memory (state overlay)");
	for (size_t i = 0; i < o->cap; i++) {
		struct overlay_entry *e = &o->slots[i];

		if (e->used)
			*lookup(slots, cap, e->kind, e->key, e->keylen) = *e;
	}
	free(o->slots);
	o->slots = slots;
	o->cap = cap;
	return 0;
}

int overlay_put(struct overlay *o, uint8_t kind, const uint8_t *key, size_t keylen,
		const uint8_t *val, size_t vallen)
{
	struct overlay_entry *e;
	uint8_t *copy = NULL;

	DECC_ENSURE(keylen > 0 && keylen <= DECC_STATE_MAX_KEY, DECC_EINVAL,
		    "state key of %zu bytes (1..%d allowed)", keylen, DECC_STATE_MAX_KEY);
	DECC_ENSURE(vallen <= DECC_STATE_MAX_VALUE, DECC_ELIMIT,
		    "state value of %zu bytes (limit %d)", vallen, DECC_STATE_MAX_VALUE);
	DECC_ENSURE(o->bytes + vallen <= OVERLAY_MAX_BYTES, DECC_ELIMIT,
		    "a transaction writes more than %zu bytes of state", OVERLAY_MAX_BYTES);
	if ((o->count + 1) * 4 > o->cap * 3)
		DECC_TRY(grow(o));
	if (vallen) {
		copy = malloc(vallen);
		if (!copy)
			return decc_error_set(DECC_ENOMEM, "out of memory (state overlay)");
		memcpy(copy, val, vallen);
	}
	e = lookup(o->slots, o->cap, kind, key, keylen);
	if (e->used) {
		o->bytes -= e->vallen;
		free(e->val);
	} else {
		e->used = true;
		e->kind = kind;
		e->keylen = (uint8_t)keylen;
		memcpy(e->key, key, keylen);
		o->count++;
	}
	e->val = copy;
	e->vallen = vallen;
	o->bytes += vallen;
	return 0;
}
