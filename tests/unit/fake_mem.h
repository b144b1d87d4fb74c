/* SPDX-License-Identifier: GPL-2.0 */
/* A fake guest-physical memory (at most 8 MiB at GPA 0) for the tests. */
#ifndef VIREO_UNIT_FAKE_MEM_H
#define VIREO_UNIT_FAKE_MEM_H

#include <libvireo.h>

#define FAKE_MEM_MAX (8U << 20)

struct fake_mem {
	uint8_t *buf;		/* guest RAM at GPA 0 */
	uint64_t size;
	struct vireo_mem mem;	/* accessor over buf */
};

void fake_mem_init(struct fake_mem *f, uint64_t size);
void fake_put64(struct fake_mem *f, uint64_t gpa, uint64_t v);
void fake_put32(struct fake_mem *f, uint64_t gpa, uint32_t v);
void fake_put(struct fake_mem *f, uint64_t gpa, const void *bytes, size_t len);

#endif /* VIREO_UNIT_FAKE_MEM_H */
