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
 *   segs  each field in range; CS, SS, DS, ES, FS, GS in use: S and P
 *         set, the limit the G bit allows; CS type 9/11 (DPL = SS.DPL),
 *         13/15 (DPL <= SS.DPL) or 3 (DPL 0); SS type 3 or 7; DS..GS
 *         accessed, readable if code; SS.DPL 0 in real mode; LDTR in use
 *         an LDT with TI clear (SDM 27.3.1.2 with "unrestricted guest")
 *   VM86  RFLAGS.VM exactly with protected mode outside IA-32e and every
 *         segment base = selector << 4, limit 0xffff, attributes 0xf3
 *         (SET_SREGS of such a set sets VM, of another clears it)
 *   TR    a present busy TSS, TI clear; 32-bit/64-bit busy TSS in IA-32e
 *         mode (SDM 27.3.1.2)
 *   regs  RFLAGS bits 63:22, 15, 5, 3 clear (bit 1 reads as set); VM only
 *         in protected mode outside IA-32e; RIP canonical in 64-bit code,
 *         bits 63:32 clear outside it (SDM 27.3.1.4)
 *   MSRs  FS/GS/KERNEL_GS_BASE, LSTAR, CSTAR, SYSENTER_ESP/EIP canonical
 *         (SDM 27.3.1.1 for SYSENTER; WRMSR #GPs on the others); SFMASK
 *         bits 63:32 clear; EFER.LME does not change while CR0.PG is
 *         set (APM 14.6.1)
 *   event INJECT_EVENT's exceptions: a vector some CPU raises, an error
 *         code exactly for the vectors with one, of 16 bits (APM 15.20,
 *         SDM 27.2.1.3)
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

/* RFLAGS bits that are not reserved (SDM vol. 1 3.4.3): all but 63:22, 15, 5, 3. */
#define VIREO_RFLAGS_SETTABLE	0x3f7fd7ULL

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
	/* The host's own CR4.PKE: vireo.ko switches PKRU with WRPKRU (exits.c). */
	{ X86_CR4_PKE, 7, 0, 2, 3, X86_FEATURE_OSPKE },
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

/* Descriptor types (SDM vol. 3 3.4.5.1, 3.5). */
#define SEG_ACCESSED		0x1
#define SEG_CODE_READABLE	0x2
#define SEG_CODE		0x8
#define SEG_DATA_RW_A		0x3
#define SEG_DATA_RW_DOWN_A	0x7
#define SYS_LDT			0x2
#define SYS_TSS16_BUSY		0x3
#define SYS_TSS_BUSY		0xb
#define SEL_TI			0x4	/* selector: the LDT, not the GDT */

/* Every field holds what its descriptor bits can (the backends would truncate). */
static bool seg_fields_ok(const struct vireo_segment *s)
{
	return s->type <= 0xf && s->dpl <= 3 && (s->present | s->db | s->s | s->l | s->g |
						  s->avl | s->unusable) <= 1 && !s->reserved;
}

/* G scales the 20-bit limit by 4 KiB: the byte limit must be one it can give. */
static bool seg_limit_ok(const struct vireo_segment *s)
{
	return s->g ? (s->limit & 0xfff) == 0xfff : !(s->limit >> 20);
}

/* A code or data segment in use: S and P set, a limit its G allows. */
static bool seg_in_use_ok(const struct vireo_segment *s)
{
	return s->s && s->present && seg_limit_ok(s);
}

/* What a segment load in virtual-8086 mode gives (SDM vol. 3 20.1.1, 27.3.1.2). */
static bool seg_vm86_ok(const struct vireo_segment *s)
{
	return !s->unusable && s->base == (u64)s->selector << 4 && s->limit == 0xffff &&
	       s->type == SEG_DATA_RW_A && s->s && s->dpl == 3 && s->present && !s->db &&
	       !s->l && !s->g && !s->avl;
}

static bool sregs_vm86_ok(const struct vireo_sregs *sr)
{
	return (sr->cr0 & X86_CR0_PE) && !(sr->efer & EFER_LMA) && seg_vm86_ok(&sr->cs) &&
	       seg_vm86_ok(&sr->ss) && seg_vm86_ok(&sr->ds) && seg_vm86_ok(&sr->es) &&
	       seg_vm86_ok(&sr->fs) && seg_vm86_ok(&sr->gs);
}

/*
 * CS, SS, DS, ES, FS, GS outside virtual-8086 mode, as VM entry with
 * "unrestricted guest" checks them (SDM vol. 3 27.3.1.2); VMRUN does not,
 * but no CPU holds other segment caches (a descriptor load sets A, a
 * selector load in real mode keeps the attributes).
 */
static bool segs_ok(const struct vireo_sregs *sr)
{
	const struct vireo_segment *cs = &sr->cs, *ss = &sr->ss;
	const struct vireo_segment *data[] = { &sr->ds, &sr->es, &sr->fs, &sr->gs };
	unsigned int i;

	if (cs->unusable || !seg_in_use_ok(cs))
		return false;
	switch (cs->type) {
	case 0x9:
	case 0xb:		/* non-conforming code: CPL = DPL */
		if (cs->dpl != ss->dpl)
			return false;
		break;
	case 0xd:
	case 0xf:		/* conforming code: DPL <= CPL */
		if (cs->dpl > ss->dpl)
			return false;
		break;
	case SEG_DATA_RW_A:	/* real mode as entered by unrestricted guest */
		if (cs->dpl)
			return false;
		break;
	default:
		return false;
	}
	/* The CPL is SS.DPL: 0 in real mode. */
	if ((!(sr->cr0 & X86_CR0_PE) || cs->type == SEG_DATA_RW_A) && ss->dpl)
		return false;
	if (!ss->unusable && (!seg_in_use_ok(ss) ||
			      (ss->type != SEG_DATA_RW_A && ss->type != SEG_DATA_RW_DOWN_A)))
		return false;
	for (i = 0; i < ARRAY_SIZE(data); i++) {
		const struct vireo_segment *d = data[i];

		if (d->unusable)
			continue;
		if (!seg_in_use_ok(d) || !(d->type & SEG_ACCESSED) ||
		    ((d->type & SEG_CODE) && !(d->type & SEG_CODE_READABLE)))
			return false;
	}
	return true;
}

/*
 * TR: a present busy TSS from the GDT (SDM 27.3.1.2: type 3 or 11, S = 0,
 * TI = 0; only 11 in IA-32e mode).  VMRUN takes anything, and QEMU's
 * model then aborts at the first privilege change that reads the stack
 * from it (FINDINGS F7).  LDTR, when in use: an LDT from the GDT.
 */
static bool system_segs_ok(const struct vireo_sregs *sr, bool ia32e)
{
	const struct vireo_segment *tr = &sr->tr, *ldt = &sr->ldt;

	if (tr->unusable || !tr->present || tr->s || (tr->selector & SEL_TI) ||
	    !seg_limit_ok(tr) || (tr->type != SYS_TSS_BUSY &&
				  (tr->type != SYS_TSS16_BUSY || ia32e)))
		return false;
	return ldt->unusable || (!(ldt->selector & SEL_TI) && ldt->type == SYS_LDT &&
				 !ldt->s && ldt->present && seg_limit_ok(ldt));
}

static bool regs_rip_ok(const struct vireo_sregs *sr, u64 rip)
{
	if ((sr->efer & EFER_LMA) && sr->cs.l)
		return vireo_canonical(rip, sr->cr4);
	return !(rip >> 32);
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
	if (!seg_fields_ok(&sr->cs) || !seg_fields_ok(&sr->ss) || !seg_fields_ok(&sr->ds) ||
	    !seg_fields_ok(&sr->es) || !seg_fields_ok(&sr->fs) || !seg_fields_ok(&sr->gs) ||
	    !seg_fields_ok(&sr->tr) || !seg_fields_ok(&sr->ldt))
		return -EINVAL;
	if (!system_segs_ok(sr, long_mode))
		return -EINVAL;
	/* A virtual-8086 set is valid only with RFLAGS.VM, which it brings. */
	return sregs_vm86_ok(sr) || segs_ok(sr) ? 0 : -EINVAL;
}

/*
 * Outside 64-bit code RIP is EIP (SDM vol. 1 3.5): its high half goes.
 * RFLAGS.VM follows the segments: a virtual-8086 set is valid with it
 * only, any other set without it (SDM 27.3.1.2; VMRUN does not check, but
 * QEMU's model runs such a guest in virtual-8086 mode all the same).
 */
void vireo_sregs_fix_regs(struct vireo_vcpu *vcpu, const struct vireo_sregs *sr)
{
	if (!((sr->efer & EFER_LMA) && sr->cs.l))
		vcpu->regs[VIREO_REG_RIP] &= 0xffffffffULL;
	if (sregs_vm86_ok(sr))
		vcpu->regs[VIREO_REG_RFLAGS] |= X86_EFLAGS_VM;
	else
		vcpu->regs[VIREO_REG_RFLAGS] &= ~(u64)X86_EFLAGS_VM;
}

int vireo_check_regs(struct vireo_vcpu *vcpu, u64 rip, u64 *rflags)
{
	struct vireo_sregs sr;

	if (*rflags & ~VIREO_RFLAGS_SETTABLE)
		return -EINVAL;
	*rflags |= X86_EFLAGS_FIXED;
	memset(&sr, 0, sizeof(sr));
	vireo_ops->get_sregs(vcpu, &sr);
	if (!regs_rip_ok(&sr, rip))
		return -EINVAL;
	if (!(*rflags & X86_EFLAGS_VM) != !sregs_vm86_ok(&sr))
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
	case MSR_SYSCALL_MASK:
		/*
		 * Bits 63:32 are reserved (SDM vol. 4 table 2-2, APM vol. 2
		 * 6.1.1): WRMSR #GPs, and the VMX backend loads the value into
		 * the CPU's own MSR around each entry.
		 */
		return *data >> 32 ? -EINVAL : 0;
	case MSR_IA32_CR_PAT:
		return vireo_pat_valid(*data) ? 0 : -EINVAL;
	default:
		return 0;
	}
}

/*
 * Vectors 0-31 are exceptions (SDM vol. 3 6.15, APM vol. 2 8.2); 15, 22-27
 * and 31 are reserved on both vendors, and 2 is NMI, which EVENTINJ may
 * not name as an exception (APM 15.20: VMRUN fails).  QEMU's VMRUN also
 * fails on an injected exception with vector 31 (svm_helper.c checks
 * "vector >= 31"): kfuzz's INJECT_EVENT of vector 31 was nearly every
 * VIREO_EXIT_FAIL_ENTRY of the SVM leg (FINDINGS.md F11).
 */
bool vireo_exception_vector_defined(u8 vector)
{
	if (vector >= 32 || vector == 2 || vector == 15 || vector == 31)
		return false;
	return vector < 22 || vector > 27;
}

/*
 * The exceptions that push an error code in protected mode (SDM vol. 1
 * 6.5.1 table 6-1 / vol. 3 6.15; AMD APM vol. 2 8.2): #DF, #TS, #NP, #SS,
 * #GP, #PF, #AC, #CP.  VM entry refuses an event whose deliver-error-code
 * bit says otherwise (SDM 27.2.1.3), and would refuse it again at every
 * entry; real mode drops the code at delivery (the backends see to it).
 */
bool vireo_exception_has_error_code(u8 vector)
{
	return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21;
}
