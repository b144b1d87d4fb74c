/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the boot and ACPI tests: a guest with the real memory map
 * over an anonymous mapping (untouched pages cost nothing, so multi-GiB
 * guests are cheap), and little-endian readers.
 */
#ifndef VIREO_UNIT_TEST_BOOT_UTIL_H
#define VIREO_UNIT_TEST_BOOT_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <vireo/paging.h>

#include "boot/layout.h"

struct tguest {
	struct vireo_layout l;
	uint8_t *ram;
	struct vireo_layout_mem lm;
	struct vireo_mem mem;
};

/* 0 on success; the guest's layout uses hole (0: default). */
int tguest_init(struct tguest *g, uint64_t ram_size, uint64_t hole);
void tguest_fini(struct tguest *g);
/* Host pointer to guest RAM at gpa (NULL if not RAM). */
uint8_t *tguest_at(struct tguest *g, uint64_t gpa);
uint16_t tg16(struct tguest *g, uint64_t gpa);
uint32_t tg32(struct tguest *g, uint64_t gpa);
uint64_t tg64(struct tguest *g, uint64_t gpa);

/* A small deterministic PRNG for the hostile-input loops. */
uint32_t trand(uint64_t *state);

/* Read a whole file (for the optional real-image tests); NULL if absent. */
void *tread_file(const char *path, size_t *size);

#endif /* VIREO_UNIT_TEST_BOOT_UTIL_H */
