// SPDX-License-Identifier: GPL-2.0
/* Helpers for the boot and ACPI tests (see test_boot_util.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <vireo/error.h>

#include "test_boot_util.h"

int tguest_init(struct tguest *g, uint64_t ram_size, uint64_t hole)
{
	struct vireo_layout_config cfg = { .ram_size = ram_size, .hole_start = hole };
	g_autoptr(GError) err = NULL;
	void *p;

	memset(g, 0, sizeof(*g));
	if (vireo_layout_init(&g->l, &cfg, &err))
		return -1;
	p = mmap(NULL, ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	if (p == MAP_FAILED)
		return -1;
	g->ram = p;
	vireo_layout_mem_init(&g->lm, &g->mem, &g->l, g->ram);
	return 0;
}

void tguest_fini(struct tguest *g)
{
	if (g->ram)
		munmap(g->ram, g->l.ram_size);
	g->ram = NULL;
}

uint8_t *tguest_at(struct tguest *g, uint64_t gpa)
{
	uint64_t off = vireo_layout_ram_offset(&g->l, gpa, 1);

	return off == (uint64_t)-1 ? NULL : g->ram + off;
}

uint16_t tg16(struct tguest *g, uint64_t gpa)
{
	uint16_t v = 0;

	g->mem.read(g->mem.opaque, gpa, &v, 2);
	return v;
}

uint32_t tg32(struct tguest *g, uint64_t gpa)
{
	uint32_t v = 0;

	g->mem.read(g->mem.opaque, gpa, &v, 4);
	return v;
}

uint64_t tg64(struct tguest *g, uint64_t gpa)
{
	uint64_t v = 0;

	g->mem.read(g->mem.opaque, gpa, &v, 8);
	return v;
}

uint32_t trand(uint64_t *state)
{
	/* xorshift64* */
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return (uint32_t)((x * 0x2545f4914f6cdd1dULL) >> 32);
}

void *tread_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	long n;
	void *buf = NULL;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc(n);
		if (buf && fread(buf, 1, n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*size = n;
	}
	fclose(f);
	return buf;
}
