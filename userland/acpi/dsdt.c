// SPDX-License-Identifier: GPL-2.0
/*
 * The DSDT (contents listed in tables.h), written with the AML encoder.
 * In ASL it reads:
 *
 *   Scope (\_SB) {
 *     Device (PCI0) {
 *       Name (_HID, EisaId ("PNP0A08"))  Name (_CID, EisaId ("PNP0A03"))
 *       Name (_ADR, Zero)  Name (_UID, Zero)  Name (_SEG, Zero)  Name (_BBN, Zero)
 *       Name (_CRS, ResourceTemplate () {
 *         WordBusNumber 0-ecam_bus_end, IO 0xcf8/8 (config ports),
 *         WordIO 0x0000-0x0cf7, WordIO 0x0d00-0xffff,
 *         DWordMemory mmio32 window, QWordMemory mmio64 window (if any) })
 *       Method (_OSC, 4) { Return (Arg3) }      grant what the OS asks
 *       Name (_PRT, Package { Package { slot << 16 | 0xffff, pin, Zero, gsi } ... })
 *     }
 *     Device (Cnnn) { Name (_HID, "ACPI0007")  Name (_UID, n) }  per vCPU
 *   }
 *   Name (\_S3, Package { 1, 1, Zero, Zero })
 *   Name (\_S5, Package { 5, 5, Zero, Zero })
 *
 * _OSC returning its capabilities buffer unchanged grants every control
 * the OS requests and reports no error: there is no firmware here that
 * could want to keep hotplug, AER or PME for itself.
 *
 * \_S3 and \_S5 (ACPI 6.5 7.4.2, "\_Sx (System States)") carry the
 * SLP_TYP values acpi/pm.c acts on: S3 suspends to RAM, S5 powers off.
 * No \_S1, \_S2 or \_S4: the OS offers only what is listed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi/aml.h"
#include "acpi/pm.h"
#include "acpi/tables.h"
#include "boot/image.h"

/* Resource descriptors (ACPI 6.5 6.4) */
#define RES_IO			0x47	/* small, 7 bytes of data */
#define RES_END			0x79
#define RES_DWORD		0x87
#define RES_WORD		0x88
#define RES_QWORD		0x8a
#define RES_TYPE_MEM		0
#define RES_TYPE_IO		1
#define RES_TYPE_BUS		2
/* General flags: producer, positive decode, _MIF and _MAF fixed. */
#define RES_GFLAGS_WINDOW	0x0c
#define RES_MEM_RW		0x01
#define RES_IO_ENTIRE_RANGE	0x03

#define PCI_SLOTS		32

static void res_word(struct vireo_aml *a, uint8_t type, uint8_t tflags, uint16_t min,
		     uint16_t max)
{
	uint8_t d[16] = { RES_WORD, 13, 0, type, RES_GFLAGS_WINDOW, tflags };

	vireo_put_le16(d + 6, 0);			/* granularity */
	vireo_put_le16(d + 8, min);
	vireo_put_le16(d + 10, max);
	vireo_put_le16(d + 12, 0);			/* translation */
	vireo_put_le16(d + 14, (uint16_t)(max - min + 1));
	vireo_aml_bytes(a, d, sizeof(d));
}

static void res_dword_mem(struct vireo_aml *a, uint32_t min, uint32_t len)
{
	uint8_t d[26] = { RES_DWORD, 23, 0, RES_TYPE_MEM, RES_GFLAGS_WINDOW, RES_MEM_RW };

	vireo_put_le32(d + 6, 0);
	vireo_put_le32(d + 10, min);
	vireo_put_le32(d + 14, min + len - 1);
	vireo_put_le32(d + 18, 0);
	vireo_put_le32(d + 22, len);
	vireo_aml_bytes(a, d, sizeof(d));
}

static void res_qword_mem(struct vireo_aml *a, uint64_t min, uint64_t len)
{
	uint8_t d[46] = { RES_QWORD, 43, 0, RES_TYPE_MEM, RES_GFLAGS_WINDOW, RES_MEM_RW };

	vireo_put_le64(d + 6, 0);
	vireo_put_le64(d + 14, min);
	vireo_put_le64(d + 22, min + len - 1);
	vireo_put_le64(d + 30, 0);
	vireo_put_le64(d + 38, len);
	vireo_aml_bytes(a, d, sizeof(d));
}

static void res_io(struct vireo_aml *a, uint16_t port, uint8_t len)
{
	/* Decode16, min = max = port, alignment 1. */
	uint8_t d[8] = { RES_IO, 1, (uint8_t)port, (uint8_t)(port >> 8),
			 (uint8_t)port, (uint8_t)(port >> 8), 1, len };

	vireo_aml_bytes(a, d, sizeof(d));
}

static void pci_crs(struct vireo_aml *a, const struct vireo_acpi_config *c)
{
	static const uint8_t end[2] = { RES_END, 0 };	/* checksum 0: "correct" */

	vireo_aml_name(a, "_CRS");
	vireo_aml_buffer(a);
	res_word(a, RES_TYPE_BUS, 0, 0, c->ecam_bus_end);
	res_io(a, 0xcf8, 8);
	res_word(a, RES_TYPE_IO, RES_IO_ENTIRE_RANGE, 0x0000, 0x0cf7);
	res_word(a, RES_TYPE_IO, RES_IO_ENTIRE_RANGE, 0x0d00, 0xffff);
	res_dword_mem(a, (uint32_t)c->mmio32_base, (uint32_t)c->mmio32_size);
	if (c->mmio64_size)
		res_qword_mem(a, c->mmio64_base, c->mmio64_size);
	vireo_aml_bytes(a, end, sizeof(end));
	vireo_aml_close(a);
}

static void pci_prt(struct vireo_aml *a)
{
	unsigned int slot, pin;

	vireo_aml_name(a, "_PRT");
	vireo_aml_package(a, PCI_SLOTS * 4);
	for (slot = 0; slot < PCI_SLOTS; slot++) {
		for (pin = 0; pin < 4; pin++) {
			vireo_aml_package(a, 4);
			vireo_aml_int(a, (uint64_t)slot << 16 | 0xffff);
			vireo_aml_int(a, pin);
			vireo_aml_int(a, 0);	/* Source: none, a GSI */
			vireo_aml_int(a, vireo_acpi_intx_gsi(slot, pin));
			vireo_aml_close(a);
		}
	}
	vireo_aml_close(a);
}

static void pci_root(struct vireo_aml *a, const struct vireo_acpi_config *c)
{
	vireo_aml_device(a, "PCI0");
	vireo_aml_name(a, "_HID");
	vireo_aml_eisaid(a, "PNP0A08");
	vireo_aml_name(a, "_CID");
	vireo_aml_eisaid(a, "PNP0A03");
	vireo_aml_name(a, "_ADR");
	vireo_aml_int(a, 0);
	vireo_aml_name(a, "_UID");
	vireo_aml_int(a, 0);
	vireo_aml_name(a, "_SEG");
	vireo_aml_int(a, 0);
	vireo_aml_name(a, "_BBN");
	vireo_aml_int(a, 0);
	pci_crs(a, c);
	vireo_aml_method(a, "_OSC", 4, false);
	vireo_aml_return(a);
	vireo_aml_arg(a, 3);
	vireo_aml_close(a);
	if (c->pci_intx)
		pci_prt(a);
	vireo_aml_close(a);
}

static void processors(struct vireo_aml *a, const struct vireo_acpi_config *c)
{
	unsigned int i;
	char name[8];

	for (i = 0; i < c->nr_cpus; i++) {
		snprintf(name, sizeof(name), "C%03X", i & 0xfff);
		vireo_aml_device(a, name);
		vireo_aml_name(a, "_HID");
		vireo_aml_string(a, "ACPI0007");
		vireo_aml_name(a, "_UID");
		vireo_aml_int(a, i);
		vireo_aml_close(a);
	}
}

/* Name (name, Package { typ, typ, Zero, Zero }): SLP_TYPa, SLP_TYPb (no PM1b block). */
static void sleep_state(struct vireo_aml *a, const char *name, unsigned int slp_typ)
{
	vireo_aml_name(a, name);
	vireo_aml_package(a, 4);
	vireo_aml_int(a, slp_typ);
	vireo_aml_int(a, slp_typ);
	vireo_aml_int(a, 0);
	vireo_aml_int(a, 0);
	vireo_aml_close(a);
}

int vireo_acpi_dsdt(const struct vireo_acpi_config *c, uint8_t **table, size_t *len)
{
	struct vireo_aml a;
	int ret;

	*table = NULL;
	*len = 0;
	vireo_aml_init(&a);
	/* The header first, filled in once the length is known. */
	vireo_aml_bytes(&a, (uint8_t[VIREO_ACPI_HDR_SIZE]){ 0 }, VIREO_ACPI_HDR_SIZE);

	vireo_aml_scope(&a, "\\_SB");
	pci_root(&a, c);
	processors(&a, c);
	vireo_aml_close(&a);

	sleep_state(&a, "\\_S3", VIREO_PM_S3_SLP_TYP);
	sleep_state(&a, "\\_S5", VIREO_PM_S5_SLP_TYP);

	ret = vireo_aml_finish(&a);
	if (ret) {
		vireo_aml_fini(&a);
		return ret;
	}
	/* Revision 2: integers are 64 bits wide. */
	vireo_acpi_header(a.buf, "DSDT", (uint32_t)a.len, 2);
	vireo_acpi_fix_checksum(a.buf, a.len);
	*table = a.buf;
	*len = a.len;
	return 0;
}
