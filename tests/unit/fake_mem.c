// SPDX-License-Identifier: GPL-2.0
/*
 * Fake guest memory (fake_mem.h): one static arena, zeroed for each test,
 * so that a test returning early on a failed check leaks nothing.
 */
#include <errno.h>
#include <string.h>

#include "fake_mem.h"

static int fake_read(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	struct fake_mem *f = opaque;

	if (gpa >= f->size || len > f->size - gpa)
		return -EFAULT;
	memcpy(buf, f->buf + gpa, len);
	return 0;
}

static int fake_write(void *opaque, uint64_t gpa, const void *buf, size_t len)
{
	struct fake_mem *f = opaque;

	if (gpa >= f->size || len > f->size - gpa)
		return -EFAULT;
	memcpy(f->buf + gpa, buf, len);
	return 0;
}

static uint8_t arena[FAKE_MEM_MAX];

void fake_mem_init(struct fake_mem *f, uint64_t size)
{
	if (size > FAKE_MEM_MAX)
		size = FAKE_MEM_MAX;
	memset(arena, 0, size);
	f->buf = arena;
	f->size = size;
	f->mem.read = fake_read;
	f->mem.write = fake_write;
	f->mem.opaque = f;
}

void fake_put(struct fake_mem *f, uint64_t gpa, const void *bytes, size_t len)
{
	if (gpa < f->size && len <= f->size - gpa)
		memcpy(f->buf + gpa, bytes, len);
}

void fake_put64(struct fake_mem *f, uint64_t gpa, uint64_t v)
{
	fake_put(f, gpa, &v, 8);
}

void fake_put32(struct fake_mem *f, uint64_t gpa, uint32_t v)
{
	fake_put(f, gpa, &v, 4);
}
