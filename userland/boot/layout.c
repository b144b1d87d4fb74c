// SPDX-License-Identifier: GPL-2.0
/*
 * The guest-physical memory map (the map itself is drawn in layout.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <vireo/paging.h>

#include <vireo/error.h>

#include "boot/layout.h"

#define PAGE_MASK_4K	0xfffULL

static void e820_add(struct vireo_layout *l, uint64_t addr, uint64_t size, uint32_t type)
{
	/* The callers add at most 8 entries: VIREO_E820_MAX is not reachable. */
	if (size == 0 || l->nr_e820 >= VIREO_E820_MAX)
		return;
	l->e820[l->nr_e820].addr = addr;
	l->e820[l->nr_e820].size = size;
	l->e820[l->nr_e820].type = type;
	l->nr_e820++;
}

int vireo_layout_init(struct vireo_layout *l, const struct vireo_layout_config *cfg, GError **error)
{
	uint64_t hole = cfg->hole_start ? cfg->hole_start : VIREO_LAYOUT_HOLE_DEFAULT;
	uint64_t ram_top;

	memset(l, 0, sizeof(*l));
	if (cfg->ram_size < VIREO_LAYOUT_MIN_RAM || (cfg->ram_size & PAGE_MASK_4K))
		return vireo_error_set(error, EINVAL,
				       "memory size %#llx: must be a multiple of 4 KiB and at least 2 MiB",
				       (unsigned long long)cfg->ram_size);
	/* 2^46 bytes: far beyond any host, and no overflow anywhere below. */
	if (cfg->ram_size > (1ULL << 46))
		return vireo_error_set(error, EINVAL, "memory size %#llx: too large",
				       (unsigned long long)cfg->ram_size);
	if (hole < VIREO_LAYOUT_HOLE_MIN || hole > VIREO_LAYOUT_HOLE_MAX ||
	    (hole & (VIREO_LAYOUT_HOLE_ALIGN - 1))) {
		return vireo_error_set(error, EINVAL,
				       "PCI hole start %#llx: must be a multiple of 256 MiB in [%#llx, %#llx]",
				       (unsigned long long)hole, VIREO_LAYOUT_HOLE_MIN,
				       VIREO_LAYOUT_HOLE_MAX);
	}
	if (cfg->mmio64_size & (VIREO_GIB - 1) || cfg->mmio64_size > (1ULL << 46))
		return vireo_error_set(error, EINVAL,
				       "64-bit PCI window size %#llx: must be a multiple of 1 GiB, at most 64 TiB",
				       (unsigned long long)cfg->mmio64_size);

	l->ram_size = cfg->ram_size;
	l->hole_start = hole;
	l->low_end = cfg->ram_size < hole ? cfg->ram_size : hole;
	l->high_size = cfg->ram_size - l->low_end;

	l->ram[0] = (struct vireo_ram_region){ .gpa = 0, .size = l->low_end, .offset = 0 };
	l->nr_ram = 1;
	if (l->high_size) {
		l->ram[1] = (struct vireo_ram_region){
			.gpa = VIREO_4GIB, .size = l->high_size, .offset = l->low_end };
		l->nr_ram = 2;
	}

	l->ecam_base = VIREO_LAYOUT_ECAM_BASE;
	l->ecam_size = VIREO_LAYOUT_ECAM_SIZE;
	l->mmio32_base = hole;
	l->mmio32_size = VIREO_LAYOUT_ECAM_BASE - hole;
	ram_top = VIREO_4GIB + l->high_size;
	l->mmio64_size = cfg->mmio64_size;
	if (l->mmio64_size)
		l->mmio64_base = (ram_top + VIREO_GIB - 1) & ~(VIREO_GIB - 1);

	e820_add(l, 0, VIREO_LAYOUT_EBDA, VIREO_E820_RAM);
	e820_add(l, VIREO_LAYOUT_EBDA, VIREO_LAYOUT_BIOS_END - VIREO_LAYOUT_EBDA,
		 VIREO_E820_RESERVED);
	e820_add(l, VIREO_LAYOUT_HIGH_MEM, l->low_end - VIREO_LAYOUT_HIGH_MEM, VIREO_E820_RAM);
	e820_add(l, l->ecam_base, l->ecam_size, VIREO_E820_RESERVED);
	e820_add(l, VIREO_LAYOUT_IOAPIC_BASE, VIREO_LAYOUT_APIC_PAGE, VIREO_E820_RESERVED);
	e820_add(l, VIREO_LAYOUT_LAPIC_BASE, VIREO_LAYOUT_APIC_PAGE, VIREO_E820_RESERVED);
	e820_add(l, VIREO_4GIB, l->high_size, VIREO_E820_RAM);
	return 0;
}

uint64_t vireo_layout_ram_offset(const struct vireo_layout *l, uint64_t gpa, uint64_t len)
{
	unsigned int i;

	if (len == 0)
		len = 1;
	for (i = 0; i < l->nr_ram; i++) {
		const struct vireo_ram_region *r = &l->ram[i];

		/* Written so that no sum can wrap: len and gpa are guest data. */
		if (gpa >= r->gpa && gpa - r->gpa < r->size && len <= r->size - (gpa - r->gpa))
			return r->offset + (gpa - r->gpa);
	}
	return (uint64_t)-1;
}

bool vireo_layout_is_ram(const struct vireo_layout *l, uint64_t gpa, uint64_t len)
{
	return vireo_layout_ram_offset(l, gpa, len) != (uint64_t)-1;
}

static int lm_read(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	struct vireo_layout_mem *lm = opaque;
	uint64_t off = vireo_layout_ram_offset(lm->layout, gpa, len);

	if (off == (uint64_t)-1)
		return -EFAULT;
	memcpy(buf, lm->ram + off, len);
	return 0;
}

static int lm_write(void *opaque, uint64_t gpa, const void *buf, size_t len)
{
	struct vireo_layout_mem *lm = opaque;
	uint64_t off = vireo_layout_ram_offset(lm->layout, gpa, len);

	if (off == (uint64_t)-1)
		return -EFAULT;
	memcpy(lm->ram + off, buf, len);
	return 0;
}

void vireo_layout_mem_init(struct vireo_layout_mem *lm, struct vireo_mem *mem,
			   const struct vireo_layout *l, uint8_t *ram)
{
	lm->layout = l;
	lm->ram = ram;
	mem->read = lm_read;
	mem->write = lm_write;
	mem->opaque = lm;
}
