// SPDX-License-Identifier: GPL-2.0
/*
 * Sizes as people type them ("10G", "1.5T", "512") and as they read them.
 * Multiples are binary (K = 1024), as in qemu-img.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "disk.h"

static int suffix_shift(char c)
{
	switch (toupper((unsigned char)c)) {
	case 'B':
		return 0;
	case 'K':
		return 10;
	case 'M':
		return 20;
	case 'G':
		return 30;
	case 'T':
		return 40;
	case 'P':
		return 50;
	case 'E':
		return 60;
	default:
		return -1;
	}
}

int vireo_disk_parse_size(const char *s, uint64_t *out)
{
	uint64_t whole = 0, frac = 0, frac_div = 1;
	const char *p = s;
	int shift = 0;

	if (!s || !isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		if (whole > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		whole = whole * 10 + (*p - '0');
	}
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		for (; isdigit((unsigned char)*p); p++) {
			if (frac_div < 1000000000ull) {	/* 9 digits are plenty */
				frac = frac * 10 + (*p - '0');
				frac_div *= 10;
			}
		}
	}
	if (*p) {
		shift = suffix_shift(*p);
		if (shift < 0)
			return -EINVAL;
		p++;
		if (shift && (!strcmp(p, "iB") || !strcmp(p, "B") || !strcmp(p, "ib") ||
			      !strcmp(p, "b")))
			p += strlen(p);
		if (*p)
			return -EINVAL;
	}
	if (frac && !shift)
		return -EINVAL;	/* "1.5" bytes */
	if (shift && whole > (1ull << 63) >> shift)
		return -ERANGE;
	whole <<= shift;
	whole += (uint64_t)((((unsigned __int128)frac) << shift) / frac_div);
	if (whole > (1ull << 63))
		return -ERANGE;
	*out = whole;
	return 0;
}

void vireo_disk_format_size(uint64_t v, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	int u = 0;

	while (u < 6 && v >= (1ull << (10 * (u + 1))))
		u++;
	if (u == 0) {
		snprintf(buf, len, "%llu B", (unsigned long long)v);
		return;
	}
	uint64_t unit = 1ull << (10 * u);

	if (v % unit == 0)
		snprintf(buf, len, "%llu %s", (unsigned long long)(v / unit), units[u]);
	else
		snprintf(buf, len, "%.3g %s", (double)v / (double)unit, units[u]);
}
