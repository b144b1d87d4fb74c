// SPDX-License-Identifier: GPL-2.0
/*
 * Comma escaping in option values (contract in optsplit.h).
 */
#include <stdlib.h>
#include <string.h>

#include "optsplit.h"

char *vireo_opt_escape(const char *s)
{
	size_t n = strlen(s), commas = 0, i;
	char *out, *p;

	for (i = 0; i < n; i++)
		commas += s[i] == ',';
	out = malloc(n + commas + 1);
	if (!out)
		return NULL;
	for (p = out, i = 0; i < n; i++) {
		*p++ = s[i];
		if (s[i] == ',')
			*p++ = ',';
	}
	*p = 0;
	return out;
}

char *vireo_opt_take_field(char *s)
{
	char *r = s, *w = s;

	for (; *r; r++) {
		if (*r == ',' && r[1] == ',') {
			*w++ = ',';
			r++;
		} else if (*r == ',') {
			*w = 0;
			return r + 1;
		} else {
			*w++ = *r;
		}
	}
	*w = 0;
	return NULL;
}
