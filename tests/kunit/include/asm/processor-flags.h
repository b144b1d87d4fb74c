/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim (tests/kunit): RFLAGS and CR4 bits (SDM vol. 3 2.3, 2.5). */
#ifndef KSHIM_ASM_PROCESSOR_FLAGS_H
#define KSHIM_ASM_PROCESSOR_FLAGS_H

#define X86_EFLAGS_FIXED	(1UL << 1)
#define X86_EFLAGS_TF		(1UL << 8)
#define X86_EFLAGS_IF		(1UL << 9)
#define X86_EFLAGS_DF		(1UL << 10)
#define X86_EFLAGS_NT		(1UL << 14)
#define X86_EFLAGS_VM		(1UL << 17)
#define X86_EFLAGS_AC		(1UL << 18)
#define X86_EFLAGS_ID		(1UL << 21)

#define X86_CR0_PE		(1UL << 0)
#define X86_CR0_TS		(1UL << 3)
#define X86_CR0_ET		(1UL << 4)
#define X86_CR0_WP		(1UL << 16)
#define X86_CR0_NW		(1UL << 29)
#define X86_CR0_CD		(1UL << 30)
#define X86_CR0_PG		(1UL << 31)

#define X86_CR4_VME		(1UL << 0)
#define X86_CR4_PVI		(1UL << 1)
#define X86_CR4_TSD		(1UL << 2)
#define X86_CR4_DE		(1UL << 3)
#define X86_CR4_PSE		(1UL << 4)
#define X86_CR4_PAE		(1UL << 5)
#define X86_CR4_MCE		(1UL << 6)
#define X86_CR4_PGE		(1UL << 7)
#define X86_CR4_PCE		(1UL << 8)
#define X86_CR4_OSFXSR		(1UL << 9)
#define X86_CR4_OSXMMEXCPT	(1UL << 10)
#define X86_CR4_UMIP		(1UL << 11)
#define X86_CR4_LA57		(1UL << 12)
#define X86_CR4_VMXE		(1UL << 13)
#define X86_CR4_FSGSBASE	(1UL << 16)
#define X86_CR4_PCIDE		(1UL << 17)
#define X86_CR4_OSXSAVE		(1UL << 18)
#define X86_CR4_SMEP		(1UL << 20)
#define X86_CR4_SMAP		(1UL << 21)
#define X86_CR4_PKE		(1UL << 22)

#endif
