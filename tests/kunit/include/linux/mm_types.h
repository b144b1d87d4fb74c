/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim (tests/kunit): the memory-management types kmod/ names. */
#ifndef KSHIM_LINUX_MM_TYPES_H
#define KSHIM_LINUX_MM_TYPES_H

#include <linux/types.h>

struct file;

/* A page: on the host, a page-aligned 4 KiB block and its address. */
struct page {
	void *kshim_addr;
	int kshim_refs;
};

struct mm_struct {
	int kshim_unused;
};

struct vm_operations_struct;

struct vm_area_struct {
	unsigned long vm_start, vm_end;
	unsigned long vm_pgoff;
	unsigned long vm_flags;
	struct file *vm_file;
	const struct vm_operations_struct *vm_ops;
};

#endif
