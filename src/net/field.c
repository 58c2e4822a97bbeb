/* SPDX-License-Identifier: Apache-2.0 */
/* Header-field rules shared by the request and response parsers (field.h). */
#include <string.h>
#include <strings.h>

#include "net/field.h"

bool decc_http_is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

bool decc_http_has_token(const char *v, const char *tok)
{
	size_t tl = strlen(tok);

	while (*v) {
		size_t n;

		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		n = strcspn(v, ",");
		while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
			n--;
		if (n == tl && strncasecmp(v, tok, tl) == 0)
			return true;
		v += strcspn(v, ",");
	}
	return false;
}
