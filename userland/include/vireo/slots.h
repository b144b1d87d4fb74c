/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The userland copy of a VM's memory-slot table: which guest-physical
 * ranges are RAM and where that RAM is in the monitor's address space.
 * libvireo keeps it in step with VIREO_SET_MEMORY_REGION and
 * VIREO_DELETE_MEMORY_REGION so that emulation can translate guest-physical
 * addresses to host pointers without asking the kernel.  It is plain data,
 * usable (and unit-tested) without /dev/vireo.
 */
#ifndef VIREO_SLOTS_H
#define VIREO_SLOTS_H

#include <stdbool.h>
#include <stdint.h>

#include <vireo.h>
#include <vireo/paging.h>

struct vireo_slot {
	bool used;
	uint32_t flags;		/* VIREO_MEM_* */
	uint64_t gpa;
	uint64_t size;
	uint8_t *host;
};

struct vireo_slot_table {
	struct vireo_slot slots[VIREO_MAX_MEM_SLOTS];
};

void vireo_slots_init(struct vireo_slot_table *t);

/*
 * Validate and record a slot with the kernel's rules (see
 * VIREO_SET_MEMORY_REGION): -EINVAL for a bad slot number, alignment or
 * size, -EEXIST for a used slot number or an overlap.
 */
int vireo_slots_add(struct vireo_slot_table *t, uint32_t slot, uint32_t flags, uint64_t gpa,
		    uint64_t size, void *host);
int vireo_slots_check(const struct vireo_slot_table *t, uint32_t slot, uint64_t gpa,
		      uint64_t size, const void *host);
/* -EINVAL if slot is not in use. */
int vireo_slots_del(struct vireo_slot_table *t, uint32_t slot);

/* The slot holding all of [gpa, gpa + len), or NULL.  len 0 counts as 1. */
const struct vireo_slot *vireo_slots_find(const struct vireo_slot_table *t, uint64_t gpa,
					  uint64_t len);

/* Host pointer for [gpa, gpa + len), or NULL if not wholly inside one slot. */
void *vireo_slots_to_host(const struct vireo_slot_table *t, uint64_t gpa, uint64_t len);

/*
 * A struct vireo_mem over the table.  Writes to VIREO_MEM_READONLY slots
 * fail with -EFAULT, as the guest's own writes would exit.
 */
void vireo_slots_mem(struct vireo_slot_table *t, struct vireo_mem *mem);

#endif /* VIREO_SLOTS_H */
