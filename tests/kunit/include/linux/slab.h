/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim (tests/kunit): kmalloc and friends on malloc(), counted so that
 * a test can check that what the code under test allocates it frees.
 */
#ifndef KSHIM_LINUX_SLAB_H
#define KSHIM_LINUX_SLAB_H

#include <linux/kernel.h>

#define __GFP_ZERO		0x100u
#define GFP_KERNEL		0x0cc0u
#define GFP_KERNEL_ACCOUNT	(GFP_KERNEL | 0x400000u)
#define GFP_ATOMIC		0x0a20u

void *kmalloc(size_t size, gfp_t flags);
void kfree(const void *ptr);

static inline void *kzalloc(size_t size, gfp_t flags)
{
	return kmalloc(size, flags | __GFP_ZERO);
}

static inline void *kcalloc(size_t n, size_t size, gfp_t flags)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return kmalloc(n * size, flags | __GFP_ZERO);
}

/* Host only: kmalloc()ed blocks not yet kfree()d. */
long kshim_kmalloc_outstanding(void);

#endif
