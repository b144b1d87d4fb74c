// SPDX-License-Identifier: GPL-2.0
/* The "bootorder" fw_cfg file (bootorder.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw/bootorder.h"

int vireo_fw_bootorder_pci_path(char *buf, size_t size, unsigned int slot, unsigned int func,
				const char *name, const char *child)
{
	char fn[8] = "";
	int n;

	if (slot > 31 || func > 7 || !name || !*name)
		return -EINVAL;
	if (func)
		snprintf(fn, sizeof(fn), ",%x", func);
	n = snprintf(buf, size, "/pci@i0cf8/%s@%x%s%s", name, slot, fn, child ? child : "");
	return n < 0 || (size_t)n >= size ? -EINVAL : 0;
}

int vireo_fw_bootorder_build(const char *const *paths, unsigned int nr, bool strict,
			     char **blob, size_t *len)
{
	size_t total = 0;
	unsigned int i;
	char *p;

	*blob = NULL;
	*len = 0;
	for (i = 0; i < nr; i++) {
		if (!paths[i][0] || strchr(paths[i], '\n'))
			return -EINVAL;
		total += strlen(paths[i]) + 1;
	}
	if (!nr)
		return 0;
	if (strict)
		total += sizeof("HALT");
	p = malloc(total);
	if (!p)
		return -ENOMEM;
	*blob = p;
	*len = total;
	for (i = 0; i < nr; i++) {
		size_t n = strlen(paths[i]);

		memcpy(p, paths[i], n);
		p += n;
		*p++ = '\n';
	}
	if (strict)
		memcpy(p, "HALT", sizeof("HALT"));
	else
		p[-1] = '\0';	/* the last separator becomes the terminator */
	return 0;
}
