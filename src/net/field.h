/* SPDX-License-Identifier: Apache-2.0 */
/* Header-field rules of RFC 9110 shared by the request parser (http_head.c) and the response
 * parser (parse.c). Internal to the net layer. */
#ifndef DECC_NET_FIELD_H
#define DECC_NET_FIELD_H

#include <stdbool.h>

/* A tchar: a character allowed in a token (a method, a field name). */
bool decc_http_is_tchar(unsigned char c);
/* true if one of the comma-separated tokens of field value v, trimmed, is tok (any case). */
bool decc_http_has_token(const char *v, const char *tok);

#endif
