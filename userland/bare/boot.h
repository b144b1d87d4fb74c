/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Initial vCPU state for --mode real|protected|long, and the guest memory
 * the monitor builds for it.  Layout in protected and long mode
 * (0x8000-0xffff is reserved for the monitor; loads may not overlap it):
 *
 *   0x8000  GDT   0x00 null, 0x08 flat 32-bit code, 0x10 flat data,
 *                 0x18 64-bit code, 0x20 TSS (16-byte system descriptor)
 *   0x8100  TSS   104 bytes, no I/O bitmap; TR = 0x20, busy
 *   0x9000  PML4  (long mode) one entry -> PDPT
 *   0xa000  PDPT  four entries -> the page directories
 *   0xb000  PDs   0xb000-0xefff, 2048 2 MiB pages: identity map of 0-4 GiB
 *
 * The TR must hold a busy 32/64-bit TSS (type 11) outside real mode or the
 * hardware refuses VM entry; the LDT is unusable.  Real mode builds nothing
 * in memory.
 */
#ifndef VIREO_RUN_BOOT_H
#define VIREO_RUN_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include <vireo.h>

#include "options.h"

#define VIREO_BOOT_RESERVED_START	0x8000ULL
#define VIREO_BOOT_RESERVED_END		0x10000ULL
#define VIREO_BOOT_GDT			0x8000ULL
#define VIREO_BOOT_TSS			0x8100ULL
#define VIREO_BOOT_PML4			0x9000ULL
#define VIREO_BOOT_PDPT			0xa000ULL
#define VIREO_BOOT_PD			0xb000ULL	/* four pages */

#define VIREO_BOOT_SEL_CODE32		0x08
#define VIREO_BOOT_SEL_DATA		0x10
#define VIREO_BOOT_SEL_CODE64		0x18
#define VIREO_BOOT_SEL_TSS		0x20

#define VIREO_BOOT_REAL_RSP		0x7000ULL
#define VIREO_BOOT_PROT_RSP		0x7fff0ULL
#define VIREO_BOOT_REAL_CR0		0x60000010ULL	/* CD | NW | ET */

/* The least RAM a mode needs: its stack and, outside real mode, tables. */
uint64_t vireo_boot_min_mem(enum vireo_boot_mode mode);

/*
 * Build the mode's tables in ram (ram_size bytes at GPA 0) and fill regs and
 * sregs completely.  Returns 0 or -EINVAL if RAM is too small.
 */
int vireo_boot_setup(uint8_t *ram, uint64_t ram_size, enum vireo_boot_mode mode, uint64_t entry,
		     struct vireo_regs *regs, struct vireo_sregs *sregs);

#endif /* VIREO_RUN_BOOT_H */
