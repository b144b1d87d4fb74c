// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID is answered in the kernel from the table userland set with
 * VIREO_SET_CPUID; a leaf not in the table reads as zeros.  A few bits
 * depend on live vCPU state and are patched in here.
 */
#include <asm/processor-flags.h>

#include "vireo.h"

#define CPUID_1_ECX_OSXSAVE	(1U << 27)
#define CPUID_7_ECX_OSPKE	(1U << 4)

static const struct vireo_cpuid_entry *vireo_cpuid_find(struct vireo_vcpu *vcpu, u32 fn, u32 idx)
{
	u32 i;

	for (i = 0; i < vcpu->cpuid_nent; i++) {
		const struct vireo_cpuid_entry *e = &vcpu->cpuid[i];

		if (e->function != fn)
			continue;
		if ((e->flags & VIREO_CPUID_FLAG_INDEXED) && e->index != idx)
			continue;
		return e;
	}
	return NULL;
}

int vireo_handle_cpuid(struct vireo_vcpu *vcpu, unsigned int insn_len)
{
	u64 *regs = vcpu->regs;
	u32 fn = regs[VIREO_REG_RAX], idx = regs[VIREO_REG_RCX];
	const struct vireo_cpuid_entry *e = vireo_cpuid_find(vcpu, fn, idx);
	u32 eax = 0, ebx = 0, ecx = 0, edx = 0;

	if (e) {
		eax = e->eax;
		ebx = e->ebx;
		ecx = e->ecx;
		edx = e->edx;
	}
	if (fn == 1) {
		u64 cr4 = vireo_ops->get_cr4(vcpu);

		/* The initial APIC ID is the vCPU id. */
		ebx = (ebx & 0x00ffffff) | (vcpu->id << 24);
		ecx &= ~CPUID_1_ECX_OSXSAVE;
		if (cr4 & X86_CR4_OSXSAVE)
			ecx |= CPUID_1_ECX_OSXSAVE;
	} else if (fn == 7 && idx == 0) {
		ecx &= ~CPUID_7_ECX_OSPKE;
		if (vireo_ops->get_cr4(vcpu) & X86_CR4_PKE)
			ecx |= CPUID_7_ECX_OSPKE;
	}
	regs[VIREO_REG_RAX] = eax;
	regs[VIREO_REG_RBX] = ebx;
	regs[VIREO_REG_RCX] = ecx;
	regs[VIREO_REG_RDX] = edx;
	regs[VIREO_REG_RIP] += insn_len;
	return 0;
}
