/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim (tests/kunit): pages.  get_zeroed_page() and alloc_page() hand
 * out page-aligned host memory; "physical" addresses are the host virtual
 * addresses (asm/io.h), so a page table built by tdp.c can be walked.
 * Pages are counted: kshim_pages_outstanding() finds leaks.
 */
#ifndef KSHIM_LINUX_MM_H
#define KSHIM_LINUX_MM_H

#include <linux/kernel.h>
#include <linux/mm_types.h>
#include <linux/slab.h>

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE - 1))

#define VM_EXEC		0x00000004UL
#define VM_FAULT_SIGBUS	0x0002u

struct vm_fault {
	struct vm_area_struct *vma;
	unsigned long pgoff;
	struct page *page;
};

struct vm_operations_struct {
	vm_fault_t (*fault)(struct vm_fault *vmf);
};

unsigned long get_zeroed_page(gfp_t gfp_mask);
void free_page(unsigned long addr);
struct page *alloc_page(gfp_t gfp_mask);
void __free_page(struct page *page);

static inline void *page_address(const struct page *page)
{
	return page->kshim_addr;
}

static inline void get_page(struct page *page)
{
	page->kshim_refs++;
}

static inline unsigned long vma_pages(struct vm_area_struct *vma)
{
	return (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
}

/* Host only: pages from get_zeroed_page()/alloc_page() not yet freed. */
long kshim_pages_outstanding(void);

#endif
