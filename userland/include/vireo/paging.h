/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest memory accessors and the guest page-table walker.
 *
 * The walker translates a guest-virtual (linear) address to a
 * guest-physical one the way the CPU would, from CR0/CR3/CR4/EFER, reading
 * page-table entries through a struct vireo_mem.  It never injects
 * anything: a fault comes back as a struct vireo_fault and the caller
 * decides what to do with it.  It does not set accessed/dirty bits: every
 * caller emulates an instruction the hardware already translated (the
 * exit happened after the guest walk, at the nested level), so the CPU has
 * set them already.
 */
#ifndef VIREO_PAGING_H
#define VIREO_PAGING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vireo.h>

/*
 * Guest-physical memory as the emulation code sees it.  read/write copy
 * len bytes at gpa and return 0, or -EFAULT if [gpa, gpa + len) is not
 * wholly guest RAM (e.g. MMIO).  write may be NULL for read-only users
 * such as the walker.
 */
struct vireo_mem {
	int (*read)(void *opaque, uint64_t gpa, void *buf, size_t len);
	int (*write)(void *opaque, uint64_t gpa, const void *buf, size_t len);
	void *opaque;
};

/* Access kinds for vireo_gva_to_gpa(); OR them together. */
#define VIREO_ACCESS_READ	0U
#define VIREO_ACCESS_WRITE	(1U << 0)
#define VIREO_ACCESS_FETCH	(1U << 1)
#define VIREO_ACCESS_USER	(1U << 2)	/* CPL 3 */
#define VIREO_ACCESS_AC		(1U << 3)	/* RFLAGS.AC: SMAP override */

enum vireo_fault_kind {
	VIREO_FAULT_NONE = 0,
	VIREO_FAULT_NOT_PRESENT,	/* #PF, P=0 in some level */
	VIREO_FAULT_RESERVED,		/* #PF with RSVD: reserved bit set */
	VIREO_FAULT_PROTECTION,		/* #PF: U/S, R/W, NX, SMEP, SMAP */
	VIREO_FAULT_NONCANONICAL,	/* #GP: not a canonical address */
	VIREO_FAULT_TABLE_IO,		/* a table is not in guest RAM */
	VIREO_FAULT_NOT_RAM,		/* translated, but the page is not RAM */
};

/* What a failed translation would have raised on the real CPU. */
struct vireo_fault {
	enum vireo_fault_kind kind;
	uint8_t vector;		/* VIREO_VEC_PF or VIREO_VEC_GP */
	uint8_t level;		/* paging level the walk stopped at (1 = PTE) */
	uint32_t error_code;	/* #PF error code (VIREO_PF_*) */
	uint64_t address;	/* faulting linear address (CR2 for #PF) */
	uint64_t gpa;		/* TABLE_IO: the entry that could not be read;
				 * NOT_RAM: the translated address */
};

/* The paging state that determines a translation. */
struct vireo_paging {
	uint64_t cr0, cr3, cr4, efer;
	unsigned int phys_bits;	/* guest MAXPHYADDR; 0 means 52 */
};

/* Fill a struct vireo_paging from the vCPU's special registers. */
void vireo_paging_from_sregs(struct vireo_paging *pg, const struct vireo_sregs *sregs,
			     unsigned int phys_bits);

/*
 * Translate gva.  Returns 0 with *gpa set (and *page_size, if non-NULL, to
 * the size of the mapping: 4 KiB .. 1 GiB, or 0 without paging), or
 * -EFAULT with *fault describing the fault.
 */
int vireo_gva_to_gpa(const struct vireo_paging *pg, const struct vireo_mem *mem, uint64_t gva,
		     unsigned int access, uint64_t *gpa, uint64_t *page_size,
		     struct vireo_fault *fault);

/*
 * Copy len bytes at linear address gva to/from guest memory, translating
 * page by page (the range may cross page boundaries and map to
 * discontiguous physical pages).  Returns 0, or -EFAULT with *fault set
 * (kind NOT_RAM if a page translated to something that is not RAM).
 * *done, if non-NULL, receives the number of bytes copied before the
 * failure, so that an instruction fetch can use a partial read.
 */
int vireo_read_virt(const struct vireo_paging *pg, const struct vireo_mem *mem, uint64_t gva,
		    void *buf, size_t len, unsigned int access, size_t *done,
		    struct vireo_fault *fault);
int vireo_write_virt(const struct vireo_paging *pg, const struct vireo_mem *mem, uint64_t gva,
		     const void *buf, size_t len, unsigned int access, struct vireo_fault *fault);

/* One-line human description of a fault, for monitors' error messages. */
void vireo_fault_describe(const struct vireo_fault *fault, char *buf, size_t size);

#endif /* VIREO_PAGING_H */
