/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ACPI tables of the Vireo PC (ACPI 6.3 formats, chapter 5.2), built by
 * the monitor into guest memory:
 *
 *   RSDP  revision 2, at the area's start (0xe0000 by default, where the
 *         legacy scan of 0xe0000-0xfffff finds it; also handed to Linux in
 *         boot_params.acpi_rsdp_addr)
 *   XSDT  -> FADT, MADT, MCFG (and an RSDT with the same entries, for
 *         32-bit-only readers)
 *   FADT  revision 6.3, not hardware-reduced: PM1a event/control blocks
 *         and the PM timer of acpi/pm.h, SCI on IRQ 9, no SMI_CMD (always
 *         in ACPI mode), fixed-feature power button, no sleep button,
 *         RTC wake status in PM1 (FIX_RTC clear),
 *         RESET_REG = the configured port/value (default i8042 0x64/0xfe),
 *         IAPC boot flags: legacy devices, 8042, no VGA
 *   FACS  64 bytes, 64-byte aligned; the OS's waking vector for S3
 *   DSDT  (dsdt.c) \_SB.PCI0 (PNP0A08/PNP0A03, _CRS, _OSC, _PRT),
 *         processor devices \_SB.Cxxx (ACPI0007), \_S3, \_S5
 *   MADT  one Processor Local APIC per vCPU (APIC ID = UID = index), the
 *         IOAPIC (GSI base 0), overrides ISA IRQ 0 -> GSI 2 (conforming)
 *         and IRQ 9 -> GSI 9 level/active high, Local APIC NMI on LINT1
 *         for all processors, PCAT_COMPAT
 *   MCFG  the ECAM window of layout.h, segment 0
 *
 * PCI INTx: slot s, pin p (0 = INTA) is routed to IOAPIC GSI
 * vireo_acpi_intx_gsi(s, p) = 16 + ((s + p) mod 8) — the _PRT says so, and
 * the PCI models must raise the same line.  Linux programs these GSIs
 * level triggered, active low (ACPI's PCI default); the router's levels are
 * logical, so a device asserts its line with level = true.
 */
#ifndef VIREO_ACPI_TABLES_H
#define VIREO_ACPI_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/layout.h"

#define VIREO_ACPI_OEM_ID	"VIREO "	/* 6 bytes */
#define VIREO_ACPI_OEM_TABLE_ID	"VIREOPC "	/* 8 bytes */
#define VIREO_ACPI_CREATOR_ID	"VIRO"
#define VIREO_ACPI_HDR_SIZE	36
#define VIREO_ACPI_RSDP_SIZE	36
#define VIREO_ACPI_FADT_SIZE	276
#define VIREO_ACPI_FACS_SIZE	64
#define VIREO_ACPI_FACS_WAKING_VECTOR	12	/* 32 bits (ACPI 6.5 5.2.10) */
#define VIREO_ACPI_FACS_X_WAKING_VECTOR	24	/* 64 bits */
#define VIREO_ACPI_MAX_CPUS	255	/* xAPIC IDs in a type-0 MADT entry */

#define VIREO_ACPI_INTX_GSI_BASE	16
#define VIREO_ACPI_INTX_GSIS		8

static inline unsigned int vireo_acpi_intx_gsi(unsigned int slot, unsigned int pin)
{
	return VIREO_ACPI_INTX_GSI_BASE + ((slot + pin) % VIREO_ACPI_INTX_GSIS);
}

struct vireo_acpi_config {
	unsigned int nr_cpus;		/* 1 .. VIREO_ACPI_MAX_CPUS */
	uint32_t lapic_addr;
	uint32_t ioapic_addr;
	uint8_t ioapic_id;
	uint64_t ecam_base;
	uint8_t ecam_bus_end;		/* buses 0 .. ecam_bus_end */
	uint64_t mmio32_base, mmio32_size;
	uint64_t mmio64_base, mmio64_size;	/* size 0: none */
	uint16_t pm_base;
	bool pm_timer_32bit;
	uint16_t sci_irq;
	uint16_t reset_port;
	uint8_t reset_value;
	bool pci_intx;			/* emit the _PRT */
};

/* The defaults above for layout l and nr_cpus vCPUs. */
void vireo_acpi_config_init(struct vireo_acpi_config *c, const struct vireo_layout *l,
			    unsigned int nr_cpus);

/* Guest-physical addresses of what vireo_acpi_build() wrote. */
struct vireo_acpi_tables {
	uint64_t rsdp, xsdt, rsdt, fadt, facs, dsdt, madt, mcfg;
	uint64_t end;			/* first byte past the last table */
};

/*
 * Build every table into buf, which stands for guest-physical
 * [base, base + size): base 16-byte aligned, the tables below 4 GiB.
 * 0, or -EINVAL (bad config), -ENOSPC (does not fit) or -ENOMEM, with a
 * message.  buf is zeroed first.
 */
int vireo_acpi_build(const struct vireo_acpi_config *c, uint8_t *buf, size_t size,
		     uint64_t base, struct vireo_acpi_tables *t, GError **error);

/* The same into guest memory: [base, end), default 0xe0000-0x100000. */
struct vireo_mem;
int vireo_acpi_install(const struct vireo_acpi_config *c, const struct vireo_mem *mem,
		       uint64_t base, uint64_t end, struct vireo_acpi_tables *t, GError **error);

/* The DSDT, a complete table with header and checksum (dsdt.c). */
int vireo_acpi_dsdt(const struct vireo_acpi_config *c, uint8_t **table, size_t *len);

/* Sum of the bytes: 0 for a table whose checksum is right. */
uint8_t vireo_acpi_sum(const uint8_t *p, size_t len);

/* Fill a standard header (length, checksum 0: see vireo_acpi_fix_checksum). */
void vireo_acpi_header(uint8_t *t, const char sig[4], uint32_t len, uint8_t revision);
/* Set the checksum byte at offset 9 so that the table sums to 0. */
void vireo_acpi_fix_checksum(uint8_t *t, size_t len);

#endif /* VIREO_ACPI_TABLES_H */
