/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The numbered fw_cfg items and small files a PC's firmware reads, with
 * the values QEMU's x86 machines give (hw/i386/fw_cfg.c,
 * fw_cfg_arch_create, and hw/i386/pc.c):
 *
 *   NB_CPUS (LE16)        vCPUs at boot
 *   MAX_CPUS (LE16)       highest APIC ID + 1 (IDs are 0 .. max_cpus - 1)
 *   RAM_SIZE (LE64)       all guest RAM, both sides of the hole
 *   NOGRAPHIC (LE16)      1: no display (SeaBIOS then prints to serial)
 *   BOOT_MENU (LE16)      1: offer the boot menu
 *   UUID (16 bytes)       as printed (network order); zeros if none
 *   NUMA (LE64s)          node count 0, then one zero per possible CPU
 *                         (SeaBIOS sizes "etc/numa-cpu-map" from it)
 *   IRQ0_OVERRIDE (LE32)  1: ISA IRQ 0 is GSI 2 (our MADT says so)
 *   "etc/boot-cpus"       LE16, NB_CPUS again (SeaBIOS prefers it to CMOS)
 *   "etc/boot-fail-wait"  LE32 ms before a reboot when nothing boots,
 *                         0xffffffff: never (QEMU's default)
 */
#ifndef VIREO_FW_PC_ITEMS_H
#define VIREO_FW_PC_ITEMS_H

#include <stdbool.h>
#include <stdint.h>

#include "fw/fw_cfg.h"

#define VIREO_FW_BOOT_CPUS_FILE		"etc/boot-cpus"
#define VIREO_FW_BOOT_FAIL_WAIT_FILE	"etc/boot-fail-wait"
#define VIREO_FW_NEVER_REBOOT		0xffffffffU

struct vireo_fw_pc_items {
	unsigned int nr_cpus;		/* 1 .. max_cpus */
	unsigned int max_cpus;		/* 1 .. 0xffff */
	uint64_t ram_size;
	bool nographic;
	bool boot_menu;
	const uint8_t *uuid;		/* 16 bytes, or NULL */
	uint32_t boot_fail_wait_ms;	/* VIREO_FW_NEVER_REBOOT: never */
};

/* Add them all to fw.  0, -EINVAL (CPU counts), or fw_cfg's -errno. */
int vireo_fw_pc_add_items(struct vireo_fw_cfg *fw, const struct vireo_fw_pc_items *c);

#endif /* VIREO_FW_PC_ITEMS_H */
