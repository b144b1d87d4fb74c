/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim (tests/kunit): identity "physical" mapping (see linux/mm.h). */
#ifndef KSHIM_ASM_IO_H
#define KSHIM_ASM_IO_H

#include <linux/types.h>

static inline phys_addr_t virt_to_phys(const volatile void *address)
{
	return (phys_addr_t)(uintptr_t)address;
}

static inline void *phys_to_virt(phys_addr_t address)
{
	return (void *)(uintptr_t)address;
}

#endif
