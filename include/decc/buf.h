/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The three byte types of decc:
 *  - struct decc_span: borrowed bytes, never freed.
 *  - struct decc_buf: owned, growable, with a maximum size; data is never NULL and is always
 *    followed by a NUL byte (so text can be used as a C string). Initialise with DECC_BUF_INIT
 *    or decc_buf_init(); take the memory only with decc_buf_detach().
 *  - struct decc_cursor: a bounded reader; every read fails with DECC_EINVAL instead of reading
 *    past the end. Wire and disk parsers read only through it.
 */
#ifndef DECC_BUF_H
#define DECC_BUF_H

#include "decc/common.h"

struct decc_span {
	const uint8_t *ptr;
	size_t len;
};

#define DECC_SPAN(p, n) ((struct decc_span){ .ptr = (const uint8_t *)(p), .len = (n) })
#define DECC_SPAN_STR(s) DECC_SPAN((s), strlen(s))

extern uint8_t decc_buf_empty_[1];

struct decc_buf {
	uint8_t *data; /* never NULL; data[len] == 0 */
	size_t len;
	size_t cap;  /* 0 while data points at the shared empty byte */
	size_t max;  /* growing past max fails with DECC_ELIMIT */
	bool secret; /* wipe the memory when it is released or moved */
};

#define DECC_BUF_DEFAULT_MAX ((size_t)1 << 30)
#define DECC_BUF_INIT                                                                              \
	{                                                                                          \
		.data = decc_buf_empty_, .len = 0, .cap = 0, .max = DECC_BUF_DEFAULT_MAX,          \
		.secret = false                                                                    \
	}

DECC_EXTERN void decc_buf_init(struct decc_buf *b, size_t max);
/* A buffer whose memory is wiped before it is freed or reallocated (keys, passwords). */
DECC_EXTERN void decc_buf_init_secret(struct decc_buf *b, size_t max);
DECC_EXTERN void decc_buf_release(struct decc_buf *b);
DECC_EXTERN void decc_buf_reset(struct decc_buf *b); /* len = 0, keeps memory */
DECC_EXTERN DECC_MUST_USE int decc_buf_reserve(struct decc_buf *b, size_t extra);
DECC_EXTERN DECC_MUST_USE int decc_buf_append(struct decc_buf *b, const void *p, size_t n);
DECC_EXTERN DECC_MUST_USE int decc_buf_append_byte(struct decc_buf *b, uint8_t c);
DECC_EXTERN DECC_MUST_USE int decc_buf_append_str(struct decc_buf *b, const char *s);
DECC_EXTERN DECC_MUST_USE int decc_buf_appendf(struct decc_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Append n zero bytes. */
DECC_EXTERN DECC_MUST_USE int decc_buf_append_zeros(struct decc_buf *b, size_t n);
/* Hand the memory to the caller (free() it); the buffer is re-initialised, empty. */
DECC_EXTERN uint8_t *decc_buf_detach(struct decc_buf *b, size_t *len_out);
static inline struct decc_span decc_buf_span(const struct decc_buf *b)
{
	return (struct decc_span){ .ptr = b->data, .len = b->len };
}
static inline const char *decc_buf_str(const struct decc_buf *b)
{
	return (const char *)b->data;
}

struct decc_cursor {
	const uint8_t *ptr;
	size_t len;
	size_t pos;
};

static inline void decc_cursor_init(struct decc_cursor *c, const void *p, size_t n)
{
	c->ptr = (const uint8_t *)p;
	c->len = n;
	c->pos = 0;
}
static inline size_t decc_cursor_left(const struct decc_cursor *c)
{
	return c->len - c->pos;
}
DECC_EXTERN DECC_MUST_USE int decc_cursor_read(struct decc_cursor *c, void *out, size_t n);
/* Borrow n bytes without copying. */
DECC_EXTERN DECC_MUST_USE int decc_cursor_take(struct decc_cursor *c, struct decc_span *out,
					       size_t n);
DECC_EXTERN DECC_MUST_USE int decc_cursor_skip(struct decc_cursor *c, size_t n);
DECC_EXTERN DECC_MUST_USE int decc_cursor_u8(struct decc_cursor *c, uint8_t *out);
DECC_EXTERN DECC_MUST_USE int decc_cursor_u16le(struct decc_cursor *c, uint16_t *out);
DECC_EXTERN DECC_MUST_USE int decc_cursor_u32le(struct decc_cursor *c, uint32_t *out);
DECC_EXTERN DECC_MUST_USE int decc_cursor_u64le(struct decc_cursor *c, uint64_t *out);
DECC_EXTERN DECC_MUST_USE int decc_cursor_u32be(struct decc_cursor *c, uint32_t *out);
/* Big-endian unsigned of n (1..8) bytes. */
DECC_EXTERN DECC_MUST_USE int decc_cursor_uint_be(struct decc_cursor *c, uint64_t *out, size_t n);

/* Wipe memory in a way the compiler does not remove. */
DECC_EXTERN void decc_wipe(void *p, size_t n);

/* Overflow-checked size arithmetic: true when the result overflowed. */
static inline bool decc_add_overflow(size_t a, size_t b, size_t *out)
{
	return __builtin_add_overflow(a, b, out);
}
static inline bool decc_mul_overflow(size_t a, size_t b, size_t *out)
{
	return __builtin_mul_overflow(a, b, out);
}

#endif
