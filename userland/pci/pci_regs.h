/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCI configuration-space layout (PCI Local Bus Specification 3.0, 6.1-6.2,
 * type 0 header; 6.8.2 MSI-X) and the two configuration mechanisms of a PC
 * host bridge: mechanism #1 through ports 0xcf8/0xcfc, and the PCI Express
 * enhanced configuration access mechanism (ECAM, "MMCONFIG").
 */
#ifndef VIREO_PCI_REGS_H
#define VIREO_PCI_REGS_H

/* Configuration mechanism #1: a dword address latch and a 4-byte window. */
#define VIREO_PCI_CONFIG_ADDRESS	0xcf8
#define VIREO_PCI_CONFIG_DATA		0xcfc
#define VIREO_PCI_CF8_ENABLE		(1U << 31)
#define VIREO_PCI_CF8_BUS(a)		(((a) >> 16) & 0xff)
#define VIREO_PCI_CF8_DEVFN(a)		(((a) >> 8) & 0xff)
#define VIREO_PCI_CF8_REG(a)		((a) & 0xfc)

/* ECAM: bus << 20 | device << 15 | function << 12 | register. */
#define VIREO_PCI_ECAM_BUS_SIZE		(1ULL << 20)
#define VIREO_PCI_ECAM_FN_SIZE		4096

#define VIREO_PCI_CFG_SIZE		256	/* conventional configuration space */

/* Type 0 header. */
#define VIREO_PCI_VENDOR_ID		0x00
#define VIREO_PCI_DEVICE_ID		0x02
#define VIREO_PCI_COMMAND		0x04
#define VIREO_PCI_STATUS		0x06
#define VIREO_PCI_REVISION_ID		0x08
#define VIREO_PCI_CLASS_PROG		0x09
#define VIREO_PCI_CACHE_LINE_SIZE	0x0c
#define VIREO_PCI_LATENCY_TIMER		0x0d
#define VIREO_PCI_HEADER_TYPE		0x0e
#define VIREO_PCI_BAR0			0x10
#define VIREO_PCI_SUBSYSTEM_VENDOR_ID	0x2c
#define VIREO_PCI_SUBSYSTEM_ID		0x2e
#define VIREO_PCI_ROM_ADDRESS		0x30
#define VIREO_PCI_CAPABILITY_LIST	0x34
#define VIREO_PCI_INTERRUPT_LINE	0x3c
#define VIREO_PCI_INTERRUPT_PIN		0x3d
#define VIREO_PCI_CAP_START		0x40	/* first byte after the header */

#define VIREO_PCI_COMMAND_IO		(1U << 0)
#define VIREO_PCI_COMMAND_MEMORY	(1U << 1)
#define VIREO_PCI_COMMAND_MASTER	(1U << 2)
#define VIREO_PCI_COMMAND_PARITY	(1U << 6)
#define VIREO_PCI_COMMAND_SERR		(1U << 8)
#define VIREO_PCI_COMMAND_INTX_DISABLE	(1U << 10)

#define VIREO_PCI_STATUS_INTERRUPT	(1U << 3)	/* INTx asserted (RO) */
#define VIREO_PCI_STATUS_CAP_LIST	(1U << 4)
/* Error bits, write 1 to clear. */
#define VIREO_PCI_STATUS_W1C		0xf900U

#define VIREO_PCI_BAR_SPACE_IO		0x1U
#define VIREO_PCI_BAR_MEM_TYPE_64	0x4U
#define VIREO_PCI_BAR_MEM_PREFETCH	0x8U
#define VIREO_PCI_BAR_IO_MASK		0xfffcU		/* 16-bit I/O decode */
#define VIREO_PCI_BAR_MEM_MASK		0xfffffff0U
#define VIREO_PCI_ROM_ENABLE		0x1U		/* address decode enable */
#define VIREO_PCI_ROM_ADDR_MASK		0xfffff800U
#define VIREO_PCI_ROM_MIN_SIZE		2048U

/* Capability IDs. */
#define VIREO_PCI_CAP_ID_VNDR		0x09
#define VIREO_PCI_CAP_ID_MSIX		0x11

/* MSI-X capability (PCI 3.0 6.8.2). */
#define VIREO_PCI_MSIX_FLAGS		2	/* message control, 16 bits */
#define VIREO_PCI_MSIX_TABLE		4	/* offset | BIR */
#define VIREO_PCI_MSIX_PBA		8	/* offset | BIR */
#define VIREO_PCI_MSIX_CAP_LEN		12
#define VIREO_PCI_MSIX_FLAGS_QSIZE	0x07ffU
#define VIREO_PCI_MSIX_FLAGS_MASKALL	(1U << 14)
#define VIREO_PCI_MSIX_FLAGS_ENABLE	(1U << 15)
#define VIREO_PCI_MSIX_BIR_MASK		0x7U
#define VIREO_PCI_MSIX_ENTRY_SIZE	16
#define VIREO_PCI_MSIX_ENTRY_ADDR_LO	0
#define VIREO_PCI_MSIX_ENTRY_ADDR_HI	4
#define VIREO_PCI_MSIX_ENTRY_DATA	8
#define VIREO_PCI_MSIX_ENTRY_CTRL	12
#define VIREO_PCI_MSIX_ENTRY_CTRL_MASKED	0x1U

/* Class codes (base << 16 | sub-class << 8 | programming interface). */
#define VIREO_PCI_CLASS_HOST_BRIDGE	0x060000U

#endif /* VIREO_PCI_REGS_H */
