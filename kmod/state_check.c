// SPDX-License-Identifier: GPL-2.0
/*
 * Guest state checked at the ioctl boundary (see state_check.h).
 *
 * Without these, userland could hand the backend a state the hardware
 * refuses: on SVM a failed VMRUN is VMEXIT_INVALID, and QEMU's model then
 * writes L1's own state into the VMCB; on VMX a failed entry.  The rules
 * are the ones both vendors check at entry, in the style of KVM's
 * kvm_is_valid_sregs(), kvm_is_valid_cr4() and kvm_valid_efer():
 *
 *   CR0   bits 63:32 zero; PG needs PE; NW needs CD
 *         (APM 15.5.1; SDM 27.3.1.1)
 *   CR4   no reserved bit, relative to the CPU and to the guest's CPUID
 *         (APM 15.5.1 "any MBZ bit of CR4"; SDM 27.3.1.1 via CR4_FIXED1)
 *   CR3   no bit above MAXPHYADDR (APM 15.5.1; SDM 27.3.1.1)
 *   EFER  LME && PG needs PAE and PE, and not CS.L && CS.D (APM 15.5.1);
 *         LMA == LME && PG (SDM 27.3.1.1: LMA is the "IA-32e mode guest"
 *         control and equals LME when PG is set)
 *   bases FS, GS, TR, LDTR, GDTR, IDTR canonical; CS, SS, DS, ES bases
 *         below 4 GiB (SDM 27.3.1.2-3; AMD canonicalises instead)
 *   TR    a present busy TSS (SDM 27.3.1.2)
 *   MSRs  FS/GS/KERNEL_GS_BASE, LSTAR, CSTAR, SYSENTER_ESP/EIP canonical
 *         (SDM 27.3.1.1 for SYSENTER; WRMSR #GPs on the others);
 *         EFER.LME does not change while CR0.PG is set (APM 14.6.1)
 *
 * DR6/DR7 are not part of any ioctl: the backends keep their reset values.
 */
#include <linux/string.h>
#include <asm/cpufeature.h>
#include <asm/msr-index.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>

#include "vireo.h"
#include "state_check.h"

/* CR4 bits with a meaning Vireo can give a guest (SDM vol. 3 2.5). */
#define CR4_DEFINED	(X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE |		\
			 X86_CR4_PSE | X86_CR4_PAE | X86_CR4_MCE | X86_CR4_PGE |	\
			 X86_CR4_PCE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT |		\
			 X86_CR4_UMIP | X86_CR4_LA57 | X86_CR4_FSGSBASE |		\
			 X86_CR4_PCIDE | X86_CR4_OSXSAVE | X86_CR4_SMEP |		\
			 X86_CR4_SMAP | X86_CR4_PKE)

/* A CR4 bit and the CPUID flag that makes it legal (leaf, sub-leaf, register, bit). */
struct cr4_feature {
	u64 cr4;
	u32 fn, idx;
	u8 reg;		/* 0 EAX, 1 EBX, 2 ECX, 3 EDX */
	u8 bit;
	u16 host;	/* X86_FEATURE_* */
};

static const struct cr4_feature cr4_features[] = {
	{ X86_CR4_OSXSAVE, 1, 0, 2, 26, X86_FEATURE_XSAVE },
	{ X86_CR4_PCIDE, 1, 0, 2, 17, X86_FEATURE_PCID },
	{ X86_CR4_FSGSBASE, 7, 0, 1, 0, X86_FEATURE_FSGSBASE },
	{ X86_CR4_SMEP, 7, 0, 1, 7, X86_FEATURE_SMEP },
	{ X86_CR4_SMAP, 7, 0, 1, 20, X86_FEATURE_SMAP },
	{ X86_CR4_UMIP, 7, 0, 2, 2, X86_FEATURE_UMIP },
	{ X86_CR4_PKE, 7, 0, 2, 3, X86_FEATURE_PKU },
	{ X86_CR4_LA57, 7, 0, 2, 16, X86_FEATURE_LA57 },
};

static bool guest_cpuid_bit(struct vireo_vcpu *vcpu, const struct cr4_feature *f)
{
	const struct vireo_cpuid_entry *e = vireo_cpuid_find(vcpu, f->fn, f->idx);
	u32 regs[4];

	if (!e)
		return false;
	regs[0] = e->eax;
	regs[1] = e->ebx;
	regs[2] = e->ecx;
	regs[3] = e->edx;
	return regs[f->reg] & (1U << f->bit);
}

u64 vireo_cr4_reserved_bits(struct vireo_vcpu *vcpu)
{
	u64 reserved = ~(u64)CR4_DEFINED;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cr4_features); i++) {
		const struct cr4_feature *f = &cr4_features[i];

		if (!boot_cpu_has(f->host) || !guest_cpuid_bit(vcpu, f))
			reserved |= f->cr4;
	}
	return reserved;
}

bool vireo_cr0_valid(u64 cr0)
{
	if (cr0 >> 32)
		return false;
	if ((cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PE))
		return false;
	return !((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD));
}

int vireo_check_cr0_write(u64 old, u64 cr0, u64 efer, u64 cr4, bool cs_l)
{
	if (!vireo_cr0_valid(cr0))
		return -EINVAL;
	/* Activating long mode needs PAE, and not from a 64-bit code segment. */
	if ((cr0 & X86_CR0_PG) && !(old & X86_CR0_PG) && (efer & EFER_LME) &&
	    (!(cr4 & X86_CR4_PAE) || cs_l))
		return -EINVAL;
	/* Paging cannot be turned off in 64-bit mode, nor with CR4.PCIDE. */
	if (!(cr0 & X86_CR0_PG) && (old & X86_CR0_PG) &&
	    (((efer & EFER_LMA) && cs_l) || (cr4 & X86_CR4_PCIDE)))
		return -EINVAL;
	return 0;
}

int vireo_check_cr4_write(struct vireo_vcpu *vcpu, u64 old, u64 cr4, u64 efer, u64 cr3)
{
	if (cr4 & vcpu->cr4_reserved)
		return -EINVAL;
	/* Long mode keeps PAE and its paging depth. */
	if ((efer & EFER_LMA) && (!(cr4 & X86_CR4_PAE) || ((cr4 ^ old) & X86_CR4_LA57)))
		return -EINVAL;
	/* PCIDE is turned on only in long mode, with CR3[11:0] = 0. */
	if ((cr4 & X86_CR4_PCIDE) && !(old & X86_CR4_PCIDE) &&
	    (!(efer & EFER_LMA) || (cr3 & 0xfff)))
		return -EINVAL;
	return 0;
}

bool vireo_canonical(u64 addr, u64 cr4)
{
	unsigned int shift = 64 - ((cr4 & X86_CR4_LA57) ? 57 : 48);

	return (u64)((s64)(addr << shift) >> shift) == addr;
}

static bool seg_base_ok(const struct vireo_segment *s)
{
	return s->unusable || !(s->base >> 32);
}

int vireo_check_sregs(struct vireo_vcpu *vcpu, struct vireo_sregs *sr)
{
	bool long_mode = (sr->efer & EFER_LME) && (sr->cr0 & X86_CR0_PG);

	if (!vireo_cr0_valid(sr->cr0) || sr->cr4 & vireo_cr4_reserved_bits(vcpu))
		return -EINVAL;
	if (sr->cr3 >> boot_cpu_data.x86_phys_bits)
		return -EINVAL;
	if (long_mode) {
		if (!(sr->cr4 & X86_CR4_PAE) || (sr->cs.l && sr->cs.db))
			return -EINVAL;
		sr->efer |= EFER_LMA;
	} else if (sr->efer & EFER_LMA || sr->cr4 & X86_CR4_PCIDE) {
		/* PCIDE outside long mode: SDM 27.3.1.1, MOV CR4 #GP. */
		return -EINVAL;
	}
	if (!vireo_canonical(sr->fs.base, sr->cr4) || !vireo_canonical(sr->gs.base, sr->cr4) ||
	    !vireo_canonical(sr->tr.base, sr->cr4) || !vireo_canonical(sr->gdt.base, sr->cr4) ||
	    !vireo_canonical(sr->idt.base, sr->cr4) ||
	    (!sr->ldt.unusable && !vireo_canonical(sr->ldt.base, sr->cr4)))
		return -EINVAL;
	if (!seg_base_ok(&sr->cs) || !seg_base_ok(&sr->ss) || !seg_base_ok(&sr->ds) ||
	    !seg_base_ok(&sr->es))
		return -EINVAL;
	/*
	 * TR: a present, busy TSS (SDM 27.3.1.2: type 3 or 11, S = 0).  VMRUN
	 * takes anything, and QEMU's model then aborts at the first privilege
	 * change that reads the stack from it (FINDINGS F7).
	 */
	if (sr->tr.unusable || !sr->tr.present || sr->tr.s ||
	    (sr->tr.type != 3 && sr->tr.type != 11))
		return -EINVAL;
	return 0;
}

int vireo_check_msr(struct vireo_vcpu *vcpu, u32 index, u64 *data, bool from_guest)
{
	struct vireo_sregs sr;
	u64 efer;

	switch (index) {
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_KERNEL_GS_BASE:
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		return vireo_canonical(*data, vireo_ops->get_cr4(vcpu)) ? 0 : -EINVAL;
	case MSR_EFER:
		memset(&sr, 0, sizeof(sr));
		vireo_ops->get_sregs(vcpu, &sr);
		efer = *data & ~EFER_LMA;
		if (sr.cr0 & X86_CR0_PG) {
			/* Long mode is entered and left through CR0.PG only. */
			if ((efer ^ sr.efer) & EFER_LME)
				return -EINVAL;
			if (efer & EFER_LME)
				efer |= EFER_LMA;
		}
		*data = efer;
		return 0;
	case MSR_IA32_CR_PAT:
		return vireo_pat_valid(*data) ? 0 : -EINVAL;
	default:
		return 0;
	}
}
