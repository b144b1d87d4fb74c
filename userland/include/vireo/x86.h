/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Architectural x86 constants libvireo and the monitor need: control
 * register, EFER and RFLAGS bits, page-table entry bits, segment attribute
 * values.  Names follow the SDM/APM so that a reader can look them up; only
 * what the userland code actually uses is here.
 */
#ifndef VIREO_X86_H
#define VIREO_X86_H

/* CR0 (SDM vol. 3 2.5) */
#define VIREO_CR0_PE	(1ULL << 0)
#define VIREO_CR0_MP	(1ULL << 1)
#define VIREO_CR0_EM	(1ULL << 2)
#define VIREO_CR0_TS	(1ULL << 3)
#define VIREO_CR0_ET	(1ULL << 4)
#define VIREO_CR0_NE	(1ULL << 5)
#define VIREO_CR0_WP	(1ULL << 16)
#define VIREO_CR0_AM	(1ULL << 18)
#define VIREO_CR0_NW	(1ULL << 29)
#define VIREO_CR0_CD	(1ULL << 30)
#define VIREO_CR0_PG	(1ULL << 31)

/* CR4 */
#define VIREO_CR4_PSE	(1ULL << 4)
#define VIREO_CR4_PAE	(1ULL << 5)
#define VIREO_CR4_OSFXSR	(1ULL << 9)
#define VIREO_CR4_LA57	(1ULL << 12)
#define VIREO_CR4_OSXSAVE	(1ULL << 18)
#define VIREO_CR4_SMEP	(1ULL << 20)
#define VIREO_CR4_SMAP	(1ULL << 21)

/* EFER (MSR 0xc0000080) */
#define VIREO_MSR_EFER	0xc0000080U
#define VIREO_EFER_SCE	(1ULL << 0)
#define VIREO_EFER_LME	(1ULL << 8)
#define VIREO_EFER_LMA	(1ULL << 10)
#define VIREO_EFER_NXE	(1ULL << 11)

/* RFLAGS */
#define VIREO_RFLAGS_CF		(1ULL << 0)
#define VIREO_RFLAGS_FIXED	(1ULL << 1)	/* reserved, always 1 */
#define VIREO_RFLAGS_PF		(1ULL << 2)
#define VIREO_RFLAGS_AF		(1ULL << 4)
#define VIREO_RFLAGS_ZF		(1ULL << 6)
#define VIREO_RFLAGS_SF		(1ULL << 7)
#define VIREO_RFLAGS_TF		(1ULL << 8)
#define VIREO_RFLAGS_OF		(1ULL << 11)
/* The status flags (SDM vol. 1 3.4.3.1) */
#define VIREO_RFLAGS_STATUS	(VIREO_RFLAGS_CF | VIREO_RFLAGS_PF | VIREO_RFLAGS_AF | \
				 VIREO_RFLAGS_ZF | VIREO_RFLAGS_SF | VIREO_RFLAGS_OF)
#define VIREO_RFLAGS_IF		(1ULL << 9)
#define VIREO_RFLAGS_DF		(1ULL << 10)
#define VIREO_RFLAGS_AC		(1ULL << 18)
#define VIREO_RFLAGS_VM		(1ULL << 17)

/* Page-table entry bits common to every paging mode (SDM vol. 3 4.3-4.5) */
#define VIREO_PTE_P	(1ULL << 0)
#define VIREO_PTE_RW	(1ULL << 1)
#define VIREO_PTE_US	(1ULL << 2)
#define VIREO_PTE_PWT	(1ULL << 3)
#define VIREO_PTE_PCD	(1ULL << 4)
#define VIREO_PTE_A	(1ULL << 5)
#define VIREO_PTE_D	(1ULL << 6)
#define VIREO_PTE_PS	(1ULL << 7)
#define VIREO_PTE_G	(1ULL << 8)
#define VIREO_PTE_NX	(1ULL << 63)

/* #PF error code bits (SDM vol. 3 4.7) */
#define VIREO_PF_P	(1U << 0)	/* protection violation, not not-present */
#define VIREO_PF_W	(1U << 1)
#define VIREO_PF_U	(1U << 2)
#define VIREO_PF_RSVD	(1U << 3)
#define VIREO_PF_I	(1U << 4)	/* instruction fetch */

/* Exception vectors the userland code reports (SDM vol. 3 table 6-1) */
#define VIREO_VEC_DE	0
#define VIREO_VEC_UD	6
#define VIREO_VEC_NM	7
#define VIREO_VEC_SS	12
#define VIREO_VEC_GP	13
#define VIREO_VEC_PF	14
#define VIREO_VEC_AC	17

/* Segment descriptor types (S=1 code/data, S=0 system) */
#define VIREO_SEG_TYPE_DATA_RW_A	0x3
#define VIREO_SEG_TYPE_CODE_RX_A	0xb
#define VIREO_SEG_TYPE_LDT		0x2
#define VIREO_SEG_TYPE_TSS_BUSY		0xb	/* 32/64-bit busy TSS, S=0 */

/* Maximum length of one x86 instruction (SDM vol. 2 2.3.11) */
#define VIREO_X86_MAX_INSN_LEN	15

#define VIREO_PAGE_SIZE		4096ULL
#define VIREO_PAGE_MASK		(~(VIREO_PAGE_SIZE - 1))

#endif /* VIREO_X86_H */
