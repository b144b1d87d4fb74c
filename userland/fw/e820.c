// SPDX-License-Identifier: GPL-2.0
/* The "etc/e820" fw_cfg file (e820.h). */
#include <errno.h>
#include <stdlib.h>

#include "fw/e820.h"

static void put_le(uint8_t *p, uint64_t v, unsigned int bytes)
{
	unsigned int i;

	for (i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_entry(uint8_t *p, uint64_t addr, uint64_t size, uint32_t type)
{
	put_le(p, addr, 8);
	put_le(p + 8, size, 8);
	put_le(p + 16, type, 4);
}

int vireo_fw_e820_build(const struct vireo_layout *l, const struct vireo_e820_entry *extra,
			unsigned int nr_extra, uint8_t **blob, size_t *len)
{
	size_t n = (size_t)l->nr_ram + nr_extra;
	unsigned int i;
	uint8_t *p;

	*blob = NULL;
	*len = 0;
	for (i = 0; i < nr_extra; i++)
		if (!extra[i].size || extra[i].addr + extra[i].size < extra[i].addr)
			return -EINVAL;
	p = malloc(n * VIREO_FW_E820_ENTRY_SIZE);
	if (!p)
		return -ENOMEM;
	for (i = 0; i < l->nr_ram; i++)
		put_entry(p + (size_t)i * VIREO_FW_E820_ENTRY_SIZE, l->ram[i].gpa, l->ram[i].size,
			  VIREO_E820_RAM);
	for (i = 0; i < nr_extra; i++)
		put_entry(p + (size_t)(l->nr_ram + i) * VIREO_FW_E820_ENTRY_SIZE, extra[i].addr,
			  extra[i].size, extra[i].type);
	*blob = p;
	*len = n * VIREO_FW_E820_ENTRY_SIZE;
	return 0;
}
