// SPDX-License-Identifier: GPL-2.0
/*
 * Userland memory-slot table: the monitor's view of guest RAM.
 *
 * The checks mirror the kernel's (vireo.h, VIREO_SET_MEMORY_REGION) so that
 * libvireo can refuse a bad slot before the ioctl and, more importantly,
 * so that the table can never disagree with the kernel's about which
 * addresses are RAM.
 */
#include <errno.h>
#include <string.h>

#include <vireo/slots.h>
#include <vireo/x86.h>

void vireo_slots_init(struct vireo_slot_table *t)
{
	memset(t, 0, sizeof(*t));
}

int vireo_slots_check(const struct vireo_slot_table *t, uint32_t slot, uint64_t gpa,
		      uint64_t size, const void *host)
{
	uint32_t i;

	if (slot >= VIREO_MAX_MEM_SLOTS || !size)
		return -EINVAL;
	if ((gpa | size | (uintptr_t)host) & (VIREO_PAGE_SIZE - 1))
		return -EINVAL;
	if (gpa + size < gpa)
		return -EINVAL;
	if (t->slots[slot].used)
		return -EEXIST;
	for (i = 0; i < VIREO_MAX_MEM_SLOTS; i++) {
		const struct vireo_slot *s = &t->slots[i];

		if (s->used && gpa < s->gpa + s->size && s->gpa < gpa + size)
			return -EEXIST;
	}
	return 0;
}

int vireo_slots_add(struct vireo_slot_table *t, uint32_t slot, uint32_t flags, uint64_t gpa,
		    uint64_t size, void *host)
{
	struct vireo_slot *s;
	int ret;

	ret = vireo_slots_check(t, slot, gpa, size, host);
	if (ret)
		return ret;
	s = &t->slots[slot];
	s->used = true;
	s->flags = flags;
	s->gpa = gpa;
	s->size = size;
	s->host = host;
	return 0;
}

int vireo_slots_del(struct vireo_slot_table *t, uint32_t slot)
{
	if (slot >= VIREO_MAX_MEM_SLOTS || !t->slots[slot].used)
		return -EINVAL;
	memset(&t->slots[slot], 0, sizeof(t->slots[slot]));
	return 0;
}

const struct vireo_slot *vireo_slots_find(const struct vireo_slot_table *t, uint64_t gpa,
					  uint64_t len)
{
	uint32_t i;

	if (!len)
		len = 1;
	if (gpa + len < gpa)
		return NULL;
	for (i = 0; i < VIREO_MAX_MEM_SLOTS; i++) {
		const struct vireo_slot *s = &t->slots[i];

		/* Written so that nothing overflows: s->gpa + s->size fits. */
		if (s->used && gpa >= s->gpa && gpa - s->gpa < s->size &&
		    len <= s->size - (gpa - s->gpa))
			return s;
	}
	return NULL;
}

void *vireo_slots_to_host(const struct vireo_slot_table *t, uint64_t gpa, uint64_t len)
{
	const struct vireo_slot *s = vireo_slots_find(t, gpa, len);

	return s ? s->host + (gpa - s->gpa) : NULL;
}

static int slots_read(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	void *p = vireo_slots_to_host(opaque, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(buf, p, len);
	return 0;
}

static int slots_write(void *opaque, uint64_t gpa, const void *buf, size_t len)
{
	const struct vireo_slot *s = vireo_slots_find(opaque, gpa, len);

	if (!s || (s->flags & VIREO_MEM_READONLY))
		return -EFAULT;
	memcpy(s->host + (gpa - s->gpa), buf, len);
	return 0;
}

void vireo_slots_mem(struct vireo_slot_table *t, struct vireo_mem *mem)
{
	mem->read = slots_read;
	mem->write = slots_write;
	mem->opaque = t;
}
