/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim (tests/kunit): RFLAGS and CR4 bits (SDM vol. 3 2.3, 2.5). */
#ifndef KSHIM_ASM_PROCESSOR_FLAGS_H
#define KSHIM_ASM_PROCESSOR_FLAGS_H

#define X86_EFLAGS_IF		(1UL << 9)
#define X86_CR4_OSXSAVE		(1UL << 18)
#define X86_CR4_PKE		(1UL << 22)

#endif
