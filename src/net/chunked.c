/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Incremental decoder of the chunked transfer coding (see chunked.h): a byte-level state
 * machine, so a chunk boundary or a CRLF may fall anywhere between two feeds.
 *
 *   chunk       = 1*16HEXDIG [ *( BWS ";" ext ) ] CRLF data CRLF
 *   last-chunk  = 1*("0") [ ext ] CRLF
 *   trailers    = *( field-line CRLF ) CRLF
 */
#include <string.h>

#include "decc/error.h"
#include "decc/hex.h"
#include "net/chunked.h"

enum {
	S_SIZE,	   /* hex digits of the size */
	S_EXT,	   /* after the digits: extensions up to CR */
	S_SIZE_LF, /* CR seen at the end of the size line */
	S_DATA,	   /* chunk data */
	S_DATA_CR, /* CRLF after the data */
	S_DATA_LF,
	S_TRAILER,    /* at the start of a trailer line (or the final CRLF) */
	S_TRAILER_IN, /* inside a trailer line */
	S_TRAILER_LF, /* CR seen at the end of a trailer line */
	S_END_LF,     /* CR seen on the empty line ending the message */
	S_DONE,
};

void decc_chunked_init(struct decc_chunked *c, uint64_t max_total)
{
	memset(c, 0, sizeof(*c));
	c->state = S_SIZE;
	c->max_total = max_total;
}

static int trailer_byte(struct decc_chunked *c)
{
	if (++c->trailer > DECC_CHUNKED_TRAILER_MAX)
		return decc_error_set(DECC_ELIMIT, "chunked body: trailers longer than %d bytes",
				      DECC_CHUNKED_TRAILER_MAX);
	return 0;
}

int decc_chunked_feed(struct decc_chunked *c, const uint8_t *p, size_t n, size_t *used,
		      int (*on_data)(void *ctx, const uint8_t *p, size_t n), void *ctx)
{
	size_t i = 0;
	int r = 0;

	while (i < n && c->state != S_DONE) {
		uint8_t ch = p[i];

		switch (c->state) {
		case S_SIZE: {
			int v = decc_hex_digit(ch);

			if (v >= 0) {
				if (c->digits == 16) {
					r = decc_error_set(DECC_ELIMIT,
							   "chunked body: chunk size too large");
					goto out;
				}
				c->left = (c->left << 4) | (uint64_t)v;
				c->digits++;
				c->line++;
				i++;
				break;
			}
			if (c->digits == 0) {
				r = decc_error_set(
				    DECC_EINVAL,
				    "chunked body: chunk size expected, got byte 0x%02x", ch);
				goto out;
			}
			c->state = S_EXT; /* this byte is read again as an extension / CR */
			break;
		}
		case S_EXT:
			if (++c->line > DECC_CHUNKED_LINE_MAX) {
				r = decc_error_set(
				    DECC_ELIMIT,
				    "chunked body: chunk-size line longer than %d bytes",
				    DECC_CHUNKED_LINE_MAX);
				goto out;
			}
			if (ch == '\r') {
				c->state = S_SIZE_LF;
			} else if (ch == '\n' || ch == 0 || (ch < 0x20 && ch != '\t') ||
				   ch == 0x7f) {
				r = decc_error_set(
				    DECC_EINVAL,
				    "chunked body: bad byte 0x%02x in a chunk-size line", ch);
				goto out;
			}
			i++;
			break;
		case S_SIZE_LF:
			if (ch != '\n') {
				r = decc_error_set(
				    DECC_EINVAL, "chunked body: chunk-size line not ended by CRLF");
				goto out;
			}
			i++;
			c->line = 0;
			c->digits = 0;
			if (c->left == 0) {
				c->state = S_TRAILER;
				break;
			}
			if (c->max_total && (c->left > c->max_total - c->total)) {
				r = decc_error_set(
				    DECC_ELIMIT,
				    "chunked body: larger than the limit of %llu bytes",
				    (unsigned long long)c->max_total);
				goto out;
			}
			if (!c->max_total && c->left > UINT64_MAX - c->total) {
				r = decc_error_set(DECC_ELIMIT, "chunked body: too large");
				goto out;
			}
			c->state = S_DATA;
			break;
		case S_DATA: {
			size_t take = n - i;

			if ((uint64_t)take > c->left)
				take = (size_t)c->left;
			if (on_data) {
				r = on_data(ctx, p + i, take);
				if (r < 0)
					goto out;
				r = 0;
			}
			i += take;
			c->left -= take;
			c->total += take;
			if (c->left == 0)
				c->state = S_DATA_CR;
			break;
		}
		case S_DATA_CR:
		case S_DATA_LF:
			if (ch != (c->state == S_DATA_CR ? '\r' : '\n')) {
				r = decc_error_set(DECC_EINVAL,
						   "chunked body: chunk data not followed by CRLF");
				goto out;
			}
			i++;
			c->state = c->state == S_DATA_CR ? S_DATA_LF : S_SIZE;
			break;
		case S_TRAILER:
		case S_TRAILER_IN:
			r = trailer_byte(c);
			if (r < 0)
				goto out;
			if (ch == '\r') {
				c->state = c->state == S_TRAILER ? S_END_LF : S_TRAILER_LF;
			} else if (ch == '\n' || ch == 0) {
				r = decc_error_set(DECC_EINVAL, "chunked body: bad trailer line");
				goto out;
			} else {
				c->state = S_TRAILER_IN;
			}
			i++;
			break;
		case S_TRAILER_LF:
		case S_END_LF:
			r = trailer_byte(c);
			if (r < 0)
				goto out;
			if (ch != '\n') {
				r = decc_error_set(DECC_EINVAL,
						   "chunked body: trailer line not ended by CRLF");
				goto out;
			}
			i++;
			if (c->state == S_END_LF) {
				c->state = S_DONE;
				c->done = true;
			} else {
				c->state = S_TRAILER;
			}
			break;
		default:
			r = decc_error_set(DECC_EINVAL, "chunked body: decoder in a bad state");
			goto out;
		}
	}
out:
	*used = i;
	return r;
}
