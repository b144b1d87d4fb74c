/* SPDX-License-Identifier: GPL-2.0 */
/*
 * "etc/e820": the memory map the firmware starts from, in QEMU's format
 * (hw/i386/e820_memory_layout.h): packed 20-byte entries, little-endian
 * { u64 address; u64 length; u32 type; }, no count (the file's size says
 * it).  SeaBIOS (qemu_cfg_e820) and OVMF (PlatformScanE820) read it.
 *
 * What goes in is what QEMU puts there: the RAM ranges of the layout,
 * [0, low_end) and [4 GiB, ...), and reservations the firmware cannot know
 * of, given by the caller.  Not the layout's own reserved entries for the
 * first MiB, the ECAM window, the IOAPIC or the LAPIC: those are for a
 * boot without firmware, and here the firmware owns the first MiB and
 * reserves the chipset's ranges itself (OVMF turns every reserved entry
 * into a resource HOB, which must not overlap the ones it makes for them).
 */
#ifndef VIREO_FW_E820_H
#define VIREO_FW_E820_H

#include <stddef.h>
#include <stdint.h>

#include "boot/layout.h"

#define VIREO_FW_E820_FILE		"etc/e820"
#define VIREO_FW_E820_ENTRY_SIZE	20

/*
 * The file's bytes into *blob (malloc'd, *len bytes): the layout's RAM
 * ranges, then the nr_extra given entries in their order.  0, -EINVAL (an
 * extra entry of size 0 or that wraps), -ENOMEM.
 */
int vireo_fw_e820_build(const struct vireo_layout *l, const struct vireo_e820_entry *extra,
			unsigned int nr_extra, uint8_t **blob, size_t *len);

#endif /* VIREO_FW_E820_H */
