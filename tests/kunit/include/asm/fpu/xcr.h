/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim (tests/kunit): XCR0 is a variable, kshim_xcr0. */
#ifndef KSHIM_ASM_FPU_XCR_H
#define KSHIM_ASM_FPU_XCR_H

#include <linux/types.h>

#define XCR_XFEATURE_ENABLED_MASK	0x00000000

extern u64 kshim_xcr0;
extern unsigned long kshim_xsetbv_calls;

static inline u64 xgetbv(u32 index)
{
	return index == XCR_XFEATURE_ENABLED_MASK ? kshim_xcr0 : 0;
}

static inline void xsetbv(u32 index, u64 value)
{
	kshim_xsetbv_calls++;
	if (index == XCR_XFEATURE_ENABLED_MASK)
		kshim_xcr0 = value;
}

#endif
