/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The boot processor's state at a kernel's entry point, for the loaders of
 * this directory: 64-bit long mode for the Linux 64-bit boot protocol,
 * flat 32-bit protected mode for the Linux 32-bit protocol and Multiboot.
 * Application processors need nothing: with the in-kernel LAPIC they wait
 * for INIT/SIPI.
 *
 * Guest memory it builds (all inside the boot area of layout.h):
 *
 *   0x1000  GDT   0x00 null
 *                 0x08 flat 32-bit code
 *                 0x10 __BOOT_CS: flat 64-bit code (LONG64) or flat 32-bit
 *                      code (PROT32), as Documentation/arch/x86/boot.rst asks
 *                 0x18 __BOOT_DS: flat read/write data
 *                 0x20 TSS (16-byte system descriptor; VM entry wants a
 *                      busy TSS in TR outside real mode)
 *   0x1100  TSS   104 bytes, no I/O bitmap
 *   0x2000  PML4  (LONG64 only) -> PDPT
 *   0x3000  PDPT  four entries -> the page directories
 *   0x4000  PDs   0x4000-0x7fff, 2048 2 MiB pages: identity map of 0-4 GiB,
 *                 which covers the kernel, zero page, command line and
 *                 initrd (all below 4 GiB by construction)
 *   stack         RSP/ESP = 0x1000, growing down over 0x500-0xfff
 *
 * PROT32 writes only 0x1000-0x11ff (GDT and TSS): Multiboot kernels may
 * be loaded from 0x1200 up.
 *
 * Interrupts are off (RFLAGS = 2); the IDT is empty: the kernel installs
 * its own before it enables them.
 */
#ifndef VIREO_BOOT_ENTRY_H
#define VIREO_BOOT_ENTRY_H

#include <stdbool.h>
#include <stdint.h>

#include <vireo.h>

#define VIREO_ENTRY_GDT		0x1000ULL
#define VIREO_ENTRY_TSS		0x1100ULL
#define VIREO_ENTRY_PML4	0x2000ULL
#define VIREO_ENTRY_PDPT	0x3000ULL
#define VIREO_ENTRY_PD		0x4000ULL	/* four pages */
#define VIREO_ENTRY_END		0x8000ULL
#define VIREO_ENTRY_PROT32_END	0x1200ULL	/* PROT32 writes only GDT and TSS */
#define VIREO_ENTRY_STACK	0x1000ULL

#define VIREO_ENTRY_SEL_CODE32	0x08
#define VIREO_ENTRY_SEL_CS	0x10	/* Linux __BOOT_CS */
#define VIREO_ENTRY_SEL_DS	0x18	/* Linux __BOOT_DS */
#define VIREO_ENTRY_SEL_TSS	0x20

enum vireo_entry_mode {
	VIREO_ENTRY_PROT32 = 1,	/* CR0.PE, no paging */
	VIREO_ENTRY_LONG64 = 2,	/* CR0.PG, EFER.LMA, CR3 = identity map */
};

/* What a loader wants the boot processor to hold at entry. */
struct vireo_boot_entry {
	enum vireo_entry_mode mode;
	uint64_t rip;
	uint64_t rax;		/* Multiboot: 0x2BADB002 */
	uint64_t rbx;		/* Multiboot: information structure */
	uint64_t rsi;		/* Linux: struct boot_params (zero page) */
};

struct vireo_mem;

/*
 * A flat 4 GiB segment as a GDT descriptor with base 0, limit 0xfffff and
 * G=1 would load it (SDM vol. 3 3.4.5): type, D/B and L as given.
 */
void vireo_boot_seg_flat(struct vireo_segment *s, uint16_t sel, uint8_t type, bool db, bool l);

/*
 * Write the GDT, TSS and (LONG64) page tables into guest memory and fill
 * regs and sregs completely.  0, -EINVAL for a bad mode, -ENOMEM, or -EFAULT if
 * the boot area is not RAM.
 */
int vireo_boot_entry_setup(const struct vireo_boot_entry *e, const struct vireo_mem *mem,
			   struct vireo_regs *regs, struct vireo_sregs *sregs);

#endif /* VIREO_BOOT_ENTRY_H */
