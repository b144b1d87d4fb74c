/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SMBIOS tables for the firmware (DMTF DSP0134 3.0), in QEMU's fw_cfg
 * shape: "etc/smbios/smbios-tables" holds the structures, end-of-table
 * included, and "etc/smbios/smbios-anchor" a 24-byte SMBIOS 3.0 entry
 * point ("_SM3_", 3.0, structure table maximum size = the size of the
 * tables file, address 0).  SeaBIOS (src/fw/biostables.c) and OVMF
 * (SmbiosVersionLib) insist on that size match; the firmware places the
 * tables, fills in the address and fixes the checksum.
 *
 * Structures, with the lengths of the 3.0 spec and handles type << 8 | n
 * as QEMU numbers them:
 *   0    BIOS Information (only if bios_vendor is set: otherwise SeaBIOS
 *        and OVMF each add their own, which names the real firmware)
 *   1    System Information: manufacturer, product, version, serial, UUID,
 *        wake-up type "power switch", SKU, family
 *   3    System Enclosure: type "other", states "safe", no elements
 *   4    Processor Information, one per vCPU ("CPU n"), central
 *        processor, the CPUID leaf 1 signature and feature words, one
 *        core and thread each, 64-bit capable, populated and enabled
 *   16   Physical Memory Array: system memory, its size
 *   17   Memory Device per 16 GiB of RAM ("DIMM n"), as QEMU splits it
 *   19   Memory Array Mapped Address per RAM range of the layout
 *   32   System Boot Information: no errors
 *   127  End-of-Table
 * Every string set ends in a double NUL; a structure without strings has
 * two NULs after it (DSP0134 6.1.3).
 */
#ifndef VIREO_FW_SMBIOS_H
#define VIREO_FW_SMBIOS_H

#include <stddef.h>
#include <stdint.h>

#include "boot/layout.h"

#define VIREO_SMBIOS_TABLES_FILE	"etc/smbios/smbios-tables"
#define VIREO_SMBIOS_ANCHOR_FILE	"etc/smbios/smbios-anchor"
#define VIREO_SMBIOS_ANCHOR_SIZE	24
#define VIREO_SMBIOS_DIMM_SIZE		(16ULL << 30)
#define VIREO_SMBIOS_MAX_CPUS		1024

struct vireo_smbios_config {
	/* Type 0, all optional: no bios_vendor, no type 0. */
	const char *bios_vendor, *bios_version, *bios_date;
	/* Type 1 (manufacturer also names the enclosure of type 3). */
	const char *manufacturer;	/* "Vireo" */
	const char *product, *version, *serial, *sku, *family;
	uint8_t uuid[16];		/* as printed: 00112233-4455-... */
	/* Type 4. */
	unsigned int nr_cpus;		/* 1 .. VIREO_SMBIOS_MAX_CPUS */
	const char *cpu_manufacturer;	/* CPUID vendor, e.g. "AuthenticAMD" */
	const char *cpu_version;	/* brand string, may be NULL */
	uint32_t cpuid_1_eax, cpuid_1_edx;
	uint16_t cpu_mhz;		/* 0: unknown */
};

/*
 * Build both files: *tables (malloc'd, *tables_len bytes) and anchor.
 * RAM size and ranges come from l.  0, -EINVAL (nr_cpus, a missing
 * manufacturer or product, more than 255 strings in a structure, or tables
 * over 4 GiB), -ENOMEM.
 */
int vireo_smbios_build(const struct vireo_smbios_config *c, const struct vireo_layout *l,
		       uint8_t **tables, size_t *tables_len,
		       uint8_t anchor[VIREO_SMBIOS_ANCHOR_SIZE]);

#endif /* VIREO_FW_SMBIOS_H */
