// SPDX-License-Identifier: GPL-2.0
/*
 * RSDP, XSDT, RSDT, FADT, FACS, MADT and MCFG (contents in tables.h;
 * formats from ACPI 6.3 5.2.5-5.2.12 and the PCI Firmware Specification
 * 3.2 4.1.2 for the MCFG).  Everything is built in one host buffer that
 * stands for the guest area, then written to the guest in one go.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vireo/paging.h>

#include <vireo/error.h>

#include "acpi/pm.h"
#include "acpi/tables.h"
#include "boot/image.h"

/* FADT offsets */
#define FADT_FIRMWARE_CTRL	36
#define FADT_DSDT		40
#define FADT_PM_PROFILE		45
#define FADT_SCI_INT		46
#define FADT_SMI_CMD		48
#define FADT_PM1A_EVT_BLK	56
#define FADT_PM1A_CNT_BLK	64
#define FADT_PM_TMR_BLK		76
#define FADT_PM1_EVT_LEN	88
#define FADT_PM1_CNT_LEN	89
#define FADT_PM_TMR_LEN		91
#define FADT_P_LVL2_LAT		96
#define FADT_P_LVL3_LAT		98
#define FADT_IAPC_BOOT_ARCH	109
#define FADT_FLAGS		112
#define FADT_RESET_REG		116
#define FADT_RESET_VALUE	128
#define FADT_MINOR_VERSION	131
#define FADT_X_FIRMWARE_CTRL	132
#define FADT_X_DSDT		140
#define FADT_X_PM1A_EVT_BLK	148
#define FADT_X_PM1A_CNT_BLK	172
#define FADT_X_PM_TMR_BLK	208
#define FADT_HYPERVISOR_ID	268

/* FADT flags (ACPI 6.3 table 5-35) */
#define FADT_WBINVD		(1U << 0)
#define FADT_PROC_C1		(1U << 2)
#define FADT_SLP_BUTTON		(1U << 5)	/* 1: no fixed sleep button */
#define FADT_FIX_RTC		(1U << 6)	/* 1: no RTC wake status */
#define FADT_TMR_VAL_EXT	(1U << 8)
#define FADT_RESET_REG_SUP	(1U << 10)

/* IA-PC boot architecture flags (table 5-36) */
#define IAPC_LEGACY_DEVICES	(1U << 0)
#define IAPC_8042		(1U << 1)
#define IAPC_VGA_NOT_PRESENT	(1U << 2)

/* Generic Address Structure (5.2.3.2) */
#define GAS_SYSTEM_IO		1
#define GAS_ACCESS_BYTE		1
#define GAS_ACCESS_WORD		2
#define GAS_ACCESS_DWORD	3

/* MADT (5.2.12) */
#define MADT_PCAT_COMPAT	(1U << 0)
#define MADT_LAPIC		0
#define MADT_IOAPIC		1
#define MADT_ISO		2
#define MADT_LAPIC_NMI		4
#define MADT_LAPIC_ENABLED	(1U << 0)
#define MPS_ACTIVE_HIGH		0x1
#define MPS_LEVEL		(0x3 << 2)

#define ALIGN16(x)		(((x) + 15) & ~(size_t)15)
#define ALIGN64(x)		(((x) + 63) & ~(size_t)63)

uint8_t vireo_acpi_sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

void vireo_acpi_header(uint8_t *t, const char sig[4], uint32_t len, uint8_t revision)
{
	memcpy(t, sig, 4);
	vireo_put_le32(t + 4, len);
	t[8] = revision;
	t[9] = 0;
	memcpy(t + 10, VIREO_ACPI_OEM_ID, 6);
	memcpy(t + 16, VIREO_ACPI_OEM_TABLE_ID, 8);
	vireo_put_le32(t + 24, 1);			/* OEM revision */
	memcpy(t + 28, VIREO_ACPI_CREATOR_ID, 4);
	vireo_put_le32(t + 32, 1);			/* creator revision */
}

void vireo_acpi_fix_checksum(uint8_t *t, size_t len)
{
	t[9] = 0;
	t[9] = (uint8_t)(0 - vireo_acpi_sum(t, len));
}

void vireo_acpi_config_init(struct vireo_acpi_config *c, const struct vireo_layout *l,
			    unsigned int nr_cpus)
{
	memset(c, 0, sizeof(*c));
	c->nr_cpus = nr_cpus;
	c->lapic_addr = (uint32_t)VIREO_LAYOUT_LAPIC_BASE;
	c->ioapic_addr = (uint32_t)VIREO_LAYOUT_IOAPIC_BASE;
	c->ioapic_id = 0;
	c->ecam_base = l->ecam_base;
	c->ecam_bus_end = (uint8_t)((l->ecam_size >> 20) - 1);
	c->mmio32_base = l->mmio32_base;
	c->mmio32_size = l->mmio32_size;
	c->mmio64_base = l->mmio64_base;
	c->mmio64_size = l->mmio64_size;
	c->pm_base = VIREO_PM_BASE;
	c->pm_timer_32bit = true;
	c->sci_irq = VIREO_PM_SCI_IRQ;
	c->reset_port = 0x64;		/* i8042: command 0xfe pulses the reset line */
	c->reset_value = 0xfe;
	c->pci_intx = true;
}

static void gas_io(uint8_t *g, uint8_t bits, uint8_t access, uint16_t port)
{
	g[0] = GAS_SYSTEM_IO;
	g[1] = bits;
	g[2] = 0;
	g[3] = access;
	vireo_put_le64(g + 4, port);
}

static void build_fadt(uint8_t *t, const struct vireo_acpi_config *c, uint64_t facs,
		       uint64_t dsdt)
{
	/*
	 * FIX_RTC clear: RTC_STS and RTC_EN in PM1 are the RTC alarm's wake
	 * status and enable (ACPI 6.5 4.8.2.4), which acpi/pm.c implements.
	 */
	uint32_t flags = FADT_WBINVD | FADT_PROC_C1 | FADT_SLP_BUTTON | FADT_RESET_REG_SUP;

	if (c->pm_timer_32bit)
		flags |= FADT_TMR_VAL_EXT;
	vireo_acpi_header(t, "FACP", VIREO_ACPI_FADT_SIZE, 6);
	vireo_put_le32(t + FADT_FIRMWARE_CTRL, (uint32_t)facs);
	vireo_put_le32(t + FADT_DSDT, (uint32_t)dsdt);
	t[FADT_PM_PROFILE] = 0;				/* unspecified */
	vireo_put_le16(t + FADT_SCI_INT, c->sci_irq);
	vireo_put_le32(t + FADT_SMI_CMD, 0);		/* always in ACPI mode */
	vireo_put_le32(t + FADT_PM1A_EVT_BLK, c->pm_base + VIREO_PM1_STS);
	vireo_put_le32(t + FADT_PM1A_CNT_BLK, c->pm_base + VIREO_PM1_CNT);
	vireo_put_le32(t + FADT_PM_TMR_BLK, c->pm_base + VIREO_PM_TMR);
	t[FADT_PM1_EVT_LEN] = VIREO_PM1_EVT_LEN;
	t[FADT_PM1_CNT_LEN] = VIREO_PM1_CNT_LEN;
	t[FADT_PM_TMR_LEN] = VIREO_PM_TMR_LEN;
	/* Latencies past the limits: C2 and C3 are not supported. */
	vireo_put_le16(t + FADT_P_LVL2_LAT, 101);
	vireo_put_le16(t + FADT_P_LVL3_LAT, 1001);
	vireo_put_le16(t + FADT_IAPC_BOOT_ARCH,
		       IAPC_LEGACY_DEVICES | IAPC_8042 | IAPC_VGA_NOT_PRESENT);
	vireo_put_le32(t + FADT_FLAGS, flags);
	gas_io(t + FADT_RESET_REG, 8, GAS_ACCESS_BYTE, c->reset_port);
	t[FADT_RESET_VALUE] = c->reset_value;
	t[FADT_MINOR_VERSION] = 3;
	vireo_put_le64(t + FADT_X_FIRMWARE_CTRL, facs);
	vireo_put_le64(t + FADT_X_DSDT, dsdt);
	gas_io(t + FADT_X_PM1A_EVT_BLK, 8 * VIREO_PM1_EVT_LEN, GAS_ACCESS_WORD,
	       c->pm_base + VIREO_PM1_STS);
	gas_io(t + FADT_X_PM1A_CNT_BLK, 8 * VIREO_PM1_CNT_LEN, GAS_ACCESS_WORD,
	       c->pm_base + VIREO_PM1_CNT);
	gas_io(t + FADT_X_PM_TMR_BLK, 8 * VIREO_PM_TMR_LEN, GAS_ACCESS_DWORD,
	       c->pm_base + VIREO_PM_TMR);
	memcpy(t + FADT_HYPERVISOR_ID, "Vireo\0\0\0", 8);
	vireo_acpi_fix_checksum(t, VIREO_ACPI_FADT_SIZE);
}

/*
 * The FACS (ACPI 6.5 5.2.10): the OS writes its waking vector at offset
 * 12 (Firmware_Waking_Vector) before S3, which the monitor, the firmware
 * here, reads on the wake; X_Firmware_Waking_Vector at 24 (with flags
 * bit 1, 64BIT_WAKE_SUPPORTED, clear: no 64-bit wake environment).
 */
static void build_facs(uint8_t *t)
{
	memcpy(t, "FACS", 4);
	vireo_put_le32(t + 4, VIREO_ACPI_FACS_SIZE);
	t[32] = 2;	/* version */
}

static size_t madt_size(const struct vireo_acpi_config *c)
{
	return VIREO_ACPI_HDR_SIZE + 8 + 8 * c->nr_cpus + 12 + 2 * 10 + 6;
}

static void iso(uint8_t *e, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	e[0] = MADT_ISO;
	e[1] = 10;
	e[2] = 0;		/* bus: ISA */
	e[3] = irq;
	vireo_put_le32(e + 4, gsi);
	vireo_put_le16(e + 8, flags);
}

static void build_madt(uint8_t *t, const struct vireo_acpi_config *c)
{
	size_t len = madt_size(c);
	uint8_t *e = t + VIREO_ACPI_HDR_SIZE + 8;
	unsigned int i;

	vireo_acpi_header(t, "APIC", (uint32_t)len, 5);
	vireo_put_le32(t + 36, c->lapic_addr);
	vireo_put_le32(t + 40, MADT_PCAT_COMPAT);
	for (i = 0; i < c->nr_cpus; i++, e += 8) {
		e[0] = MADT_LAPIC;
		e[1] = 8;
		e[2] = (uint8_t)i;	/* ACPI processor UID */
		e[3] = (uint8_t)i;	/* APIC ID */
		vireo_put_le32(e + 4, MADT_LAPIC_ENABLED);
	}
	e[0] = MADT_IOAPIC;
	e[1] = 12;
	e[2] = c->ioapic_id;
	e[3] = 0;
	vireo_put_le32(e + 4, c->ioapic_addr);
	vireo_put_le32(e + 8, 0);	/* GSI base */
	e += 12;
	/* The PIT's IRQ 0 is IOAPIC input 2; flags 0: conforms to ISA (edge, high). */
	iso(e, 0, 2, 0);
	e += 10;
	iso(e, (uint8_t)c->sci_irq, c->sci_irq, MPS_ACTIVE_HIGH | MPS_LEVEL);
	e += 10;
	/* NMI is wired to LINT1 of every local APIC, as on a PC. */
	e[0] = MADT_LAPIC_NMI;
	e[1] = 6;
	e[2] = 0xff;		/* all processors */
	vireo_put_le16(e + 3, 0);
	e[5] = 1;		/* LINT1 */
	vireo_acpi_fix_checksum(t, len);
}

#define MCFG_SIZE	(VIREO_ACPI_HDR_SIZE + 8 + 16)

static void build_mcfg(uint8_t *t, const struct vireo_acpi_config *c)
{
	uint8_t *e = t + VIREO_ACPI_HDR_SIZE + 8;

	vireo_acpi_header(t, "MCFG", MCFG_SIZE, 1);
	vireo_put_le64(e, c->ecam_base);
	vireo_put_le16(e + 8, 0);	/* segment */
	e[10] = 0;			/* start bus */
	e[11] = c->ecam_bus_end;
	vireo_acpi_fix_checksum(t, MCFG_SIZE);
}

static void build_rsdp(uint8_t *t, uint64_t rsdt, uint64_t xsdt)
{
	memcpy(t, "RSD PTR ", 8);
	memcpy(t + 9, VIREO_ACPI_OEM_ID, 6);
	t[15] = 2;			/* revision: ACPI 2.0+ */
	vireo_put_le32(t + 16, (uint32_t)rsdt);
	vireo_put_le32(t + 20, VIREO_ACPI_RSDP_SIZE);
	vireo_put_le64(t + 24, xsdt);
	t[8] = (uint8_t)(0 - vireo_acpi_sum(t, 20));
	t[32] = (uint8_t)(0 - vireo_acpi_sum(t, VIREO_ACPI_RSDP_SIZE));
}

static int check_config(const struct vireo_acpi_config *c, uint64_t base, GError **error)
{
	const char *what = NULL;

	if (c->nr_cpus < 1 || c->nr_cpus > VIREO_ACPI_MAX_CPUS)
		what = "vCPU count out of range 1-255";
	else if (base & 15)
		what = "table area not 16-byte aligned";
	else if (!c->mmio32_size || c->mmio32_base + c->mmio32_size > (1ULL << 32))
		what = "32-bit PCI window empty or above 4 GiB";
	else if (c->mmio64_size && c->mmio64_base + c->mmio64_size < c->mmio64_base)
		what = "64-bit PCI window wraps";
	else if ((uint64_t)c->pm_base + VIREO_PM_PORTS > 0x10000)
		what = "PM block past port 0xffff";
	else if (c->sci_irq > 15)
		what = "SCI is not an ISA IRQ";
	if (what)
		return vireo_error_set(error, EINVAL, "%s: %s", "ACPI", what);
	return 0;
}

int vireo_acpi_build(const struct vireo_acpi_config *c, uint8_t *buf, size_t size,
		     uint64_t base, struct vireo_acpi_tables *t, GError **error)
{
	uint8_t *dsdt = NULL;
	size_t dsdt_len, at, xsdt_len = VIREO_ACPI_HDR_SIZE + 3 * 8;
	size_t rsdt_len = VIREO_ACPI_HDR_SIZE + 3 * 4;
	uint64_t entries[3];
	unsigned int i;
	int ret;

	memset(t, 0, sizeof(*t));
	ret = check_config(c, base, error);
	if (ret)
		return ret;
	ret = vireo_acpi_dsdt(c, &dsdt, &dsdt_len);
	if (ret) {
		vireo_error_set(error, ret, "%s: DSDT: %s", "ACPI", ret == -ENOMEM ? "out of memory"
									: "encoder error");
		return ret;
	}

	/* Lay out: RSDP, FACS (64-aligned), DSDT, FADT, MADT, MCFG, XSDT, RSDT. */
	t->rsdp = base;
	at = ALIGN64(VIREO_ACPI_RSDP_SIZE);
	t->facs = base + at;
	at = ALIGN16(at + VIREO_ACPI_FACS_SIZE);
	t->dsdt = base + at;
	at = ALIGN16(at + dsdt_len);
	t->fadt = base + at;
	at = ALIGN16(at + VIREO_ACPI_FADT_SIZE);
	t->madt = base + at;
	at = ALIGN16(at + madt_size(c));
	t->mcfg = base + at;
	at = ALIGN16(at + MCFG_SIZE);
	t->xsdt = base + at;
	at = ALIGN16(at + xsdt_len);
	t->rsdt = base + at;
	at += rsdt_len;
	t->end = base + at;
	if (at > size || t->end > (1ULL << 32)) {
		ret = vireo_error_set(error, ENOSPC,
				      "%s: tables need %zu bytes, the area at %#llx has %zu",
				      "ACPI", at, (unsigned long long)base, size);
		goto out;
	}

	memset(buf, 0, size);
	build_facs(buf + (t->facs - base));
	memcpy(buf + (t->dsdt - base), dsdt, dsdt_len);
	build_fadt(buf + (t->fadt - base), c, t->facs, t->dsdt);
	build_madt(buf + (t->madt - base), c);
	build_mcfg(buf + (t->mcfg - base), c);

	entries[0] = t->fadt;
	entries[1] = t->madt;
	entries[2] = t->mcfg;
	vireo_acpi_header(buf + (t->xsdt - base), "XSDT", (uint32_t)xsdt_len, 1);
	vireo_acpi_header(buf + (t->rsdt - base), "RSDT", (uint32_t)rsdt_len, 1);
	for (i = 0; i < 3; i++) {
		vireo_put_le64(buf + (t->xsdt - base) + VIREO_ACPI_HDR_SIZE + 8 * i, entries[i]);
		vireo_put_le32(buf + (t->rsdt - base) + VIREO_ACPI_HDR_SIZE + 4 * i,
			       (uint32_t)entries[i]);
	}
	vireo_acpi_fix_checksum(buf + (t->xsdt - base), xsdt_len);
	vireo_acpi_fix_checksum(buf + (t->rsdt - base), rsdt_len);
	build_rsdp(buf, t->rsdt, t->xsdt);
	ret = 0;
out:
	free(dsdt);
	return ret;
}

int vireo_acpi_install(const struct vireo_acpi_config *c, const struct vireo_mem *mem,
		       uint64_t base, uint64_t end, struct vireo_acpi_tables *t, GError **error)
{
	uint8_t *buf;
	int ret;

	if (end <= base || end - base > (16ULL << 20))
		return vireo_error_set(error, EINVAL, "%s: bad table area [%#llx, %#llx)", "ACPI",
				       (unsigned long long)base, (unsigned long long)end);
	buf = malloc(end - base);
	if (!buf)
		return vireo_error_set(error, ENOMEM, "%s: out of memory", "ACPI");
	ret = vireo_acpi_build(c, buf, end - base, base, t, error);
	if (!ret && vireo_boot_write(mem, base, buf, t->end - base)) {
		ret = vireo_error_set(error, EFAULT,
				      "%s: cannot write the tables to guest RAM at %#llx", "ACPI",
				      (unsigned long long)base);
	}
	free(buf);
	return ret;
}
