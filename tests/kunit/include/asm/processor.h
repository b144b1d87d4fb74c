/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim (tests/kunit): host CPU queries, answered by fakes a test
 * programs (kshim.c): CPUID from kshim_cpuid_set() (a leaf not set reads
 * as zeros), features from kshim_host_features.
 */
#ifndef KSHIM_ASM_PROCESSOR_H
#define KSHIM_ASM_PROCESSOR_H

#include <linux/types.h>
#include <asm/processor-flags.h>

void cpuid_count(unsigned int op, int count, unsigned int *eax, unsigned int *ebx,
		 unsigned int *ecx, unsigned int *edx);

static inline unsigned int cpuid_eax(unsigned int op)
{
	unsigned int eax, ebx, ecx, edx;

	cpuid_count(op, 0, &eax, &ebx, &ecx, &edx);
	return eax;
}

#define X86_FEATURE_XSAVE	(4 * 32 + 26)
#define X86_FEATURE_OSPKE	(16 * 32 + 4)
#define X86_FEATURE_RDTSCP	(1 * 32 + 27)
#define X86_FEATURE_RDPID	(16 * 32 + 22)
/* Features the fake host never has. */
#define X86_FEATURE_PCID	(4 * 32 + 17)
#define X86_FEATURE_FSGSBASE	(9 * 32 + 0)
#define X86_FEATURE_SMEP	(9 * 32 + 7)
#define X86_FEATURE_SMAP	(9 * 32 + 20)
#define X86_FEATURE_UMIP	(16 * 32 + 2)
#define X86_FEATURE_PKU		(16 * 32 + 3)
#define X86_FEATURE_LA57	(16 * 32 + 16)

struct cpuinfo_x86 {
	u8 x86_phys_bits;
};
extern struct cpuinfo_x86 boot_cpu_data;	/* kshim.c: 46 physical address bits */

extern bool kshim_host_xsave;		/* X86_FEATURE_XSAVE */
extern bool kshim_host_ospke;		/* X86_FEATURE_OSPKE */
extern bool kshim_host_rdtscp;		/* X86_FEATURE_RDTSCP */

static inline bool boot_cpu_has(int feature)
{
	if (feature == X86_FEATURE_XSAVE)
		return kshim_host_xsave;
	if (feature == X86_FEATURE_OSPKE)
		return kshim_host_ospke;
	if (feature == X86_FEATURE_RDTSCP)
		return kshim_host_rdtscp;
	return false;
}

#define cpu_feature_enabled(f)	boot_cpu_has(f)

#define TIF_NEED_FPU_LOAD	14
extern bool kshim_need_fpu_load;

static inline bool test_thread_flag(int flag)
{
	return flag == TIF_NEED_FPU_LOAD && kshim_need_fpu_load;
}

/* Host only: what cpuid_count(fn, idx) returns from now on. */
void kshim_cpuid_set(unsigned int fn, unsigned int idx, u32 eax, u32 ebx, u32 ecx, u32 edx);
void kshim_cpuid_reset(void);

#endif
