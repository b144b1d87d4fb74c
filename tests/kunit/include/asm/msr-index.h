/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim (tests/kunit): MSR numbers (Intel SDM vol. 4, AMD APM vol. 2). */
#ifndef KSHIM_ASM_MSR_INDEX_H
#define KSHIM_ASM_MSR_INDEX_H

#define MSR_IA32_TSC			0x00000010
#define MSR_IA32_APICBASE		0x0000001b
#define MSR_IA32_SYSENTER_CS		0x00000174
#define MSR_IA32_SYSENTER_ESP		0x00000175
#define MSR_IA32_SYSENTER_EIP		0x00000176
#define MSR_IA32_CR_PAT			0x00000277
#define MSR_IA32_TSC_DEADLINE		0x000006e0

#define MSR_EFER			0xc0000080
#define MSR_STAR			0xc0000081
#define MSR_LSTAR			0xc0000082
#define MSR_CSTAR			0xc0000083
#define MSR_SYSCALL_MASK		0xc0000084
#define MSR_FS_BASE			0xc0000100
#define MSR_GS_BASE			0xc0000101
#define MSR_KERNEL_GS_BASE		0xc0000102
#define MSR_TSC_AUX			0xc0000103

#define EFER_SCE			(1ULL << 0)
#define EFER_LME			(1ULL << 8)
#define EFER_LMA			(1ULL << 10)
#define EFER_NX				(1ULL << 11)

#endif
