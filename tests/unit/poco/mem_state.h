/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An in-memory struct decc_state for the PoCo tests: a hash table of keys, native wei
 * balances, and a journal so that a reverted call can be rolled back as the ledger's overlay
 * would be discarded.
 */
#ifndef DECC_TEST_MEM_STATE_H
#define DECC_TEST_MEM_STATE_H

#include <stdlib.h>
#include <string.h>

#include "decc/error.h"
#include "decc/exec.h"

struct mem_slot {
	uint8_t key[DECC_STATE_MAX_KEY];
	size_t klen;
	uint8_t *val; /* NULL: absent */
	size_t vlen;
	bool used;
};

struct mem_undo {
	size_t slot;
	uint8_t *val;
	size_t vlen;
};

struct mem_state {
	struct mem_slot *slots;
	size_t cap, count;
	struct mem_undo *journal;
	size_t n_journal, cap_journal;
	struct decc_state st;
};

static inline uint64_t mem_hash(const uint8_t *k, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ k[i]) * 1099511628211ULL;
	return h;
}

static inline size_t mem_find(struct mem_state *m, const uint8_t *k, size_t n, bool *found)
{
	size_t i = (size_t)mem_hash(k, n) & (m->cap - 1);

	for (;;) {
		struct mem_slot *s = &m->slots[i];

		if (!s->used) {
			*found = false;
			return i;
		}
		if (s->klen == n && memcmp(s->key, k, n) == 0) {
			*found = true;
			return i;
		}
		i = (i + 1) & (m->cap - 1);
	}
}

static inline void mem_grow(struct mem_state *m)
{
	struct mem_slot *old = m->slots;
	size_t oldcap = m->cap;

	m->cap = oldcap ? oldcap * 2 : 1024;
	m->slots = calloc(m->cap, sizeof(*m->slots));
	if (!m->slots)
		abort();
	for (size_t i = 0; i < oldcap; i++) {
		if (old[i].used) {
			bool f;
			size_t j = mem_find(m, old[i].key, old[i].klen, &f);

			m->slots[j] = old[i];
		}
	}
	free(old);
	/* slot indices changed: the journal refers to keys by slot, so it must be empty */
	if (m->n_journal)
		abort();
}

static inline void mem_journal(struct mem_state *m, size_t slot)
{
	struct mem_slot *s = &m->slots[slot];
	struct mem_undo *u;

	if (m->n_journal == m->cap_journal) {
		m->cap_journal = m->cap_journal ? 2 * m->cap_journal : 256;
		m->journal = realloc(m->journal, m->cap_journal * sizeof(*m->journal));
		if (!m->journal)
			abort();
	}
	u = &m->journal[m->n_journal++];
	u->slot = slot;
	u->vlen = s->vlen;
	u->val = NULL;
	if (s->val) {
		u->val = malloc(s->vlen ? s->vlen : 1);
		memcpy(u->val, s->val, s->vlen);
	}
}

static inline int mem_get(void *ctx, struct decc_buf *out, const uint8_t *k, size_t n)
{
	struct mem_state *m = ctx;
	bool f;
	size_t i;

	if (n > DECC_STATE_MAX_KEY)
		return decc_error_set(DECC_EINVAL, "key too long");
	i = mem_find(m, k, n, &f);
	if (!f || !m->slots[i].val)
		return DECC_ENOTFOUND;
	return decc_buf_append(out, m->slots[i].val, m->slots[i].vlen);
}

static inline int mem_put(void *ctx, const uint8_t *k, size_t n, const uint8_t *v, size_t vn)
{
	struct mem_state *m = ctx;
	bool f;
	size_t i;

	if (n > DECC_STATE_MAX_KEY || vn > DECC_STATE_MAX_VALUE)
		return decc_error_set(DECC_EINVAL, "key or value too long");
	i = mem_find(m, k, n, &f);
	if (!f) {
		if (vn == 0)
			return 0;
		m->slots[i].used = true;
		memcpy(m->slots[i].key, k, n);
		m->slots[i].klen = n;
		m->count++;
	}
	mem_journal(m, i);
	free(m->slots[i].val);
	m->slots[i].val = NULL;
	m->slots[i].vlen = 0;
	if (vn) {
		m->slots[i].val = malloc(vn);
		memcpy(m->slots[i].val, v, vn);
		m->slots[i].vlen = vn;
	}
	return 0;
}

/* wei balances live in the same table under a key no contract uses ("\xffwei" + address) */
static inline void mem_wei_key(uint8_t k[24], const decc_address *a)
{
	memcpy(k, "\xffwei", 4);
	memcpy(k + 4, a->b, 20);
}

static inline int mem_balance(void *ctx, decc_u256 *out, const decc_address *who)
{
	struct decc_buf b = DECC_BUF_INIT;
	uint8_t k[24];
	int r;

	mem_wei_key(k, who);
	r = mem_get(ctx, &b, k, 24);
	*out = DECC_U256_ZERO;
	if (r == 0 && b.len == 32)
		decc_u256_from_be(out, b.data);
	decc_buf_release(&b);
	return r == DECC_ENOTFOUND ? 0 : r;
}

static inline int mem_set_wei(struct mem_state *m, const decc_address *who, const decc_u256 *v)
{
	uint8_t k[24], w[32];

	mem_wei_key(k, who);
	decc_u256_to_be(w, v);
	return mem_put(m, k, 24, w, decc_u256_is_zero(v) ? 0 : 32);
}

static inline int mem_transfer(void *ctx, const decc_address *from, const decc_address *to,
			       const decc_u256 *wei)
{
	decc_u256 a, b;

	mem_balance(ctx, &a, from);
	if (decc_u256_sub(&a, &a, wei))
		return DECC_EREVERT;
	mem_set_wei(ctx, from, &a);
	mem_balance(ctx, &b, to);
	if (decc_u256_add(&b, &b, wei))
		return DECC_EREVERT;
	return mem_set_wei(ctx, to, &b);
}

static const struct decc_state_ops mem_ops = { mem_get, mem_put, mem_balance, mem_transfer };

static inline void mem_state_init(struct mem_state *m, size_t cap_pow2)
{
	memset(m, 0, sizeof(*m));
	m->cap = cap_pow2;
	m->slots = calloc(m->cap, sizeof(*m->slots));
	if (!m->slots)
		abort();
	m->st.ops = &mem_ops;
	m->st.ctx = m;
}

/* Commit: forget the journal (and grow the table between calls if needed). */
static inline void mem_commit(struct mem_state *m)
{
	for (size_t i = 0; i < m->n_journal; i++)
		free(m->journal[i].val);
	m->n_journal = 0;
	if (m->count * 2 > m->cap)
		mem_grow(m);
}

static inline void mem_rollback(struct mem_state *m)
{
	while (m->n_journal) {
		struct mem_undo *u = &m->journal[--m->n_journal];
		struct mem_slot *s = &m->slots[u->slot];

		free(s->val);
		s->val = u->val;
		s->vlen = u->vlen;
	}
}

static inline void mem_state_release(struct mem_state *m)
{
	mem_commit(m);
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].val);
	free(m->slots);
	free(m->journal);
	memset(m, 0, sizeof(*m));
}

#endif
