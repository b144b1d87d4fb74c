/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim (tests/kunit): PKRU is a variable. */
#ifndef KSHIM_ASM_PKRU_H
#define KSHIM_ASM_PKRU_H

#include <linux/types.h>

extern u32 kshim_pkru;

static inline u32 read_pkru(void)
{
	return kshim_pkru;
}

static inline void write_pkru(u32 pkru)
{
	kshim_pkru = pkru;
}

#endif
