// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-linear memory for what vireo.ko emulates itself (emulate.c's
 * instruction fetch, task_switch.c's TSS and descriptor accesses): the
 * guest's own page tables walked in every paging mode, SDM vol. 3 4.3
 * (32-bit), 4.4 (PAE), 4.5 (4- and 5-level).
 *
 * The accesses are supervisor-mode; a write needs R/W at every level only
 * while CR0.WP is set (SDM 4.6.1).  Accessed and dirty bits are not set:
 * nothing here is on a path the guest's own TLB management depends on.
 * Outside long mode the PDPTEs are read from memory at CR3 rather than
 * from the copy the CPU loaded with CR3 (SDM 4.4.1); they differ only if
 * the guest rewrote its PDPT without reloading CR3.
 */
#include <linux/mm.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "vireo.h"

#define PTE_PRESENT	(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_LARGE	(1ULL << 7)
#define PTE_ADDR	0x000ffffffffff000ULL

/* #PF error code bits (SDM 4.7). */
#define PF_PRESENT	(1U << 0)
#define PF_WRITE	(1U << 1)

struct vireo_walk {
	struct vireo_vm *vm;
	bool write;
	bool wp;		/* CR0.WP: supervisor writes honour R/W */
	bool writable;		/* R/W at every level so far */
	struct vireo_linear_fault *fault;
	u64 la;
};

static int vireo_walk_fault(struct vireo_walk *w, bool present)
{
	w->fault->address = w->la;
	w->fault->error_code = (present ? PF_PRESENT : 0) | (w->write ? PF_WRITE : 0);
	return -EFAULT;
}

/* Reads the entry at gpa; -ENXIO if it is not in guest RAM. */
static int vireo_walk_entry(struct vireo_walk *w, u64 gpa, unsigned int size, u64 *pte)
{
	u32 e32;

	if (size == 4) {
		if (vireo_read_guest(w->vm, gpa, &e32, 4))
			return -ENXIO;
		*pte = e32;
	} else if (vireo_read_guest(w->vm, gpa, pte, 8)) {
		return -ENXIO;
	}
	if (!(*pte & PTE_PRESENT))
		return vireo_walk_fault(w, false);
	if (!(*pte & PTE_RW))
		w->writable = false;
	return 0;
}

/* The page (of 1 << shift bytes) at frame, offset by the linear address. */
static int vireo_walk_leaf(struct vireo_walk *w, u64 frame, unsigned int shift, u64 *gpa)
{
	u64 mask = (1ULL << shift) - 1;

	if (w->write && w->wp && !w->writable)
		return vireo_walk_fault(w, true);
	*gpa = (frame & ~mask) | (w->la & mask);
	return 0;
}

/* 4- or 5-level paging (SDM 4.5); 1 GiB and 2 MiB pages. */
static int vireo_walk_long(struct vireo_walk *w, u64 cr3, bool la57, u64 *gpa)
{
	int level = la57 ? 5 : 4, r;
	u64 table = cr3 & PTE_ADDR, pte;

	for (; level > 0; level--) {
		unsigned int shift = 12 + 9 * (level - 1);

		r = vireo_walk_entry(w, table + ((w->la >> shift) & 511) * 8, 8, &pte);
		if (r)
			return r;
		if ((level == 2 || level == 3) && (pte & PTE_LARGE))
			return vireo_walk_leaf(w, pte & PTE_ADDR, shift, gpa);
		table = pte & PTE_ADDR;
	}
	return vireo_walk_leaf(w, table, 12, gpa);
}

/* PAE paging (SDM 4.4): a PDPTE (no R/W bit there), then 2 MiB or 4 KiB pages. */
static int vireo_walk_pae(struct vireo_walk *w, u64 cr3, u64 *gpa)
{
	u64 pte;
	int r;

	if (vireo_read_guest(w->vm, (cr3 & 0xffffffe0) + ((w->la >> 30) & 3) * 8, &pte, 8))
		return -ENXIO;
	if (!(pte & PTE_PRESENT))
		return vireo_walk_fault(w, false);
	r = vireo_walk_entry(w, (pte & PTE_ADDR) + ((w->la >> 21) & 511) * 8, 8, &pte);
	if (r)
		return r;
	if (pte & PTE_LARGE)
		return vireo_walk_leaf(w, pte & PTE_ADDR, 21, gpa);
	r = vireo_walk_entry(w, (pte & PTE_ADDR) + ((w->la >> 12) & 511) * 8, 8, &pte);
	return r ?: vireo_walk_leaf(w, pte & PTE_ADDR, 12, gpa);
}

/* 32-bit paging (SDM 4.3): 4 MiB pages with CR4.PSE (PSE-36 bits 20:13). */
static int vireo_walk_32(struct vireo_walk *w, u64 cr3, bool pse, u64 *gpa)
{
	u64 pte;
	int r;

	r = vireo_walk_entry(w, (cr3 & 0xfffff000) + ((w->la >> 22) & 1023) * 4, 4, &pte);
	if (r)
		return r;
	if (pse && (pte & PTE_LARGE))
		return vireo_walk_leaf(w, (pte & 0xffc00000) | ((pte & 0x1fe000) << 19), 22, gpa);
	r = vireo_walk_entry(w, (pte & 0xfffff000) + ((w->la >> 12) & 1023) * 4, 4, &pte);
	return r ?: vireo_walk_leaf(w, pte & 0xfffff000, 12, gpa);
}

int vireo_linear_to_gpa(struct vireo_vm *vm, const struct vireo_sregs *sr, u64 la,
			bool write, u64 *gpa, struct vireo_linear_fault *fault)
{
	struct vireo_walk w = {
		.vm = vm, .write = write, .wp = sr->cr0 & X86_CR0_WP, .writable = true,
		.fault = fault, .la = la,
	};

	if (!(sr->efer & EFER_LMA))
		w.la = (u32)la;
	if (!(sr->cr0 & X86_CR0_PG)) {
		*gpa = w.la;
		return 0;
	}
	if (sr->efer & EFER_LMA)
		return vireo_walk_long(&w, sr->cr3, sr->cr4 & X86_CR4_LA57, gpa);
	if (sr->cr4 & X86_CR4_PAE)
		return vireo_walk_pae(&w, sr->cr3, gpa);
	return vireo_walk_32(&w, sr->cr3, sr->cr4 & X86_CR4_PSE, gpa);
}

/* Copies len bytes page by page, in whichever direction. */
static int vireo_linear_copy(struct vireo_vm *vm, const struct vireo_sregs *sr, u64 la,
			     void *buf, size_t len, bool write, struct vireo_linear_fault *fault)
{
	size_t done = 0;

	while (done < len) {
		size_t chunk = min_t(u64, len - done, PAGE_SIZE - ((la + done) & 0xfff));
		u64 gpa;
		int r;

		r = vireo_linear_to_gpa(vm, sr, la + done, write, &gpa, fault);
		if (r)
			return r;
		if (write ? vireo_write_guest(vm, gpa, (u8 *)buf + done, chunk) :
			    vireo_read_guest(vm, gpa, (u8 *)buf + done, chunk))
			return -ENXIO;
		done += chunk;
	}
	return 0;
}

int vireo_read_linear(struct vireo_vm *vm, const struct vireo_sregs *sr, u64 la,
		      void *buf, size_t len, struct vireo_linear_fault *fault)
{
	return vireo_linear_copy(vm, sr, la, buf, len, false, fault);
}

int vireo_write_linear(struct vireo_vm *vm, const struct vireo_sregs *sr, u64 la,
		       const void *buf, size_t len, struct vireo_linear_fault *fault)
{
	return vireo_linear_copy(vm, sr, la, (void *)buf, len, true, fault);
}
