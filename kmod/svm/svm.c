// SPDX-License-Identifier: GPL-2.0
/*
 * AMD-V (SVM) backend with nested paging: per-CPU enablement and ASIDs,
 * the VMCB of each vCPU, guest state access, event injection and exit
 * dispatch.  The world switch is in entry.S, the NPT format in npt.c.
 * Exports one symbol: vireo_svm_ops.
 */
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <asm/io.h>
#include <asm/cpufeature.h>
#include <asm/debugreg.h>
#include <asm/msr.h>
#include <asm/processor-flags.h>
#include <asm/tlbflush.h>
#include <uapi/asm/svm.h>

#include "../vireo.h"
#include "../debugreg_hw.h"
#include "../state_check.h"
#include "vmcb.h"
#include "svm.h"

/* CPUID Fn8000_000A EDX (APM vol. 3, E.4.10) */
#define SVM_FEATURE_NRIPS		(1U << 3)
#define SVM_FEATURE_DECODE_ASSISTS	(1U << 7)

#define MSR_VM_CR_SVMDIS		(1ULL << 4)

/* EFER bits a guest may set; SVME is forced on in the VMCB and hidden. */
#define SVM_GUEST_EFER_MASK	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX | EFER_FFXSR)

/* Per CPU; changed with interrupts off on that CPU. */
struct svm_cpu {
	struct page *hsave;		/* VM_HSAVE_PA: VMRUN's host area (own mode) */
	struct page *host_save;		/* VMSAVE/VMLOAD of host FS/GS/TR.. */
	struct page *scrub_vmcb;	/* shared mode: svm_scrub_tlb()'s guest */
	u64 asid_generation;
	u32 next_asid;
	bool enabled;
	bool shared;			/* KVM set EFER.SVME and VM_HSAVE_PA */
	bool tlb_dirty;			/* shared: Vireo ASIDs may hold entries */
	u64 kvm_tsc_ratio;		/* shared, with tlb_dirty: restored at put */
};

/* MSR_AMD64_TSC_RATIO's reset value: 1.0 in 8.32 fixed point (APM 15.30.5). */
#define SVM_TSC_RATIO_ONE	(1ULL << 32)

struct svm_vcpu {
	struct vireo_vcpu vcpu;
	struct vireo_vmcb *vmcb;	/* (c) */
	u64 vmcb_pa;			/* (c) */
	u64 efer;			/* the guest's EFER; see svm_sync_efer() */
	u32 asid;
	u64 asid_generation;
	int last_cpu;
	struct vireo_pending_event virq;	/* posted in V_IRQ for this entry */
	/*
	 * NMI blocking (svm_check_iret_done(), svm_set_iret_intercept()): the IRET intercept fired
	 * at iret_rip, and NMIs unblock once RIP has left it; nmi_singlestep:
	 * RFLAGS.TF is set to get an exit right after that IRET, and the
	 * guest's own TF and DR6 from before are kept here.
	 */
	bool awaiting_iret;
	u64 iret_rip;
	bool nmi_singlestep;
	bool guest_tf;
	u64 guest_dr6;
};

static DEFINE_PER_CPU(struct svm_cpu, svm_cpu_data);
static struct page *svm_iopm_pages;	/* 12 KiB: intercept every port */
static struct page *svm_msrpm_pages;	/* 8 KiB: intercept every MSR */
static u32 svm_max_asid;
static u32 svm_features;		/* Fn8000_000A EDX */
static u32 svm_phys_bits;

static inline struct svm_vcpu *to_svm(struct vireo_vcpu *vcpu)
{
	return container_of(vcpu, struct svm_vcpu, vcpu);
}

static inline void svm_clgi(void)
{
	asm volatile("clgi" ::: "memory");
}

static inline void svm_stgi(void)
{
	asm volatile("stgi" ::: "memory");
}

static inline void svm_vmsave(u64 pa)
{
	asm volatile("vmsave %%rax" : : "a"(pa) : "memory");
}

/* ------------------------------------------------- module and CPUs */

static int svm_probe(void)
{
	u64 vm_cr;

	if (!boot_cpu_has(X86_FEATURE_SVM)) {
		pr_info(VIREO_LOG_PREFIX "this AMD CPU has no SVM (AMD-V); VMs are unavailable\n");
		return -ENODEV;
	}
	if (!boot_cpu_has(X86_FEATURE_NPT)) {
		pr_info(VIREO_LOG_PREFIX "SVM without nested paging is not supported; VMs are unavailable\n");
		return -ENODEV;
	}
	rdmsrq(MSR_VM_CR, vm_cr);
	if (vm_cr & MSR_VM_CR_SVMDIS) {
		pr_info(VIREO_LOG_PREFIX "SVM is disabled by the firmware; enable it in the BIOS setup\n");
		return -ENODEV;
	}
	return 0;
}

static void svm_free_cpu_pages(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct svm_cpu *sd = per_cpu_ptr(&svm_cpu_data, cpu);

		if (sd->hsave)
			__free_page(sd->hsave);
		if (sd->host_save)
			__free_page(sd->host_save);
		if (sd->scrub_vmcb)
			__free_page(sd->scrub_vmcb);
		sd->hsave = sd->host_save = sd->scrub_vmcb = NULL;
	}
}

/*
 * Shared mode's scrub guest (svm_scrub_tlb()): a VMRUN whose TLB_CONTROL
 * flushes every ASID (APM 15.16.1) and whose guest cannot run one
 * instruction: its nested page table is empty (the zero page), so the
 * first fetch ends it with #VMEXIT(NPF) before any translation is made
 * (APM 15.25.6), and nothing it could meet instead (an interrupt, NMI,
 * exception, shutdown) is left unintercepted.  The state passes VMRUN's
 * consistency checks (APM 15.5.1): real mode, EFER.SVME, the VMRUN
 * intercept, ASID 1, a valid PAT.
 */
static void svm_init_scrub_vmcb(struct vireo_vmcb *vmcb)
{
	struct vireo_vmcb_control *c = &vmcb->control;
	struct vireo_vmcb_save *save = &vmcb->save;

	c->intercept_exceptions = ~0U;
	c->intercept_word3 = VMCB_INTERCEPT_INTR | VMCB_INTERCEPT_NMI | VMCB_INTERCEPT_SMI |
			     VMCB_INTERCEPT_SHUTDOWN;
	c->intercept_word4 = VMCB_INTERCEPT_VMRUN;
	c->iopm_base_pa = page_to_phys(svm_iopm_pages);
	c->msrpm_base_pa = page_to_phys(svm_msrpm_pages);
	c->asid = 1;
	c->tlb_ctl = VMCB_TLB_CONTROL_FLUSH_ALL;
	c->nested_ctl = VMCB_NESTED_CTL_NP_ENABLE;
	c->nested_cr3 = page_to_phys(ZERO_PAGE(0));
	save->cs.attrib = 0x9b;
	save->cs.limit = 0xffff;
	save->ds.attrib = save->es.attrib = save->ss.attrib = 0x93;
	save->ds.limit = save->es.limit = save->ss.limit = 0xffff;
	save->gdtr.limit = save->idtr.limit = 0xffff;
	save->cr0 = X86_CR0_ET;
	save->efer = EFER_SVME;
	save->rflags = X86_EFLAGS_FIXED;
	save->dr6 = 0xffff0ff0;
	save->dr7 = 0x400;
	save->g_pat = 0x0007040600070406ULL;
}

static int svm_setup(void)
{
	int cpu;

	svm_features = cpuid_edx(0x8000000a);
	/* ASID 0 is the host's; EBX is the number of ASIDs. */
	svm_max_asid = cpuid_ebx(0x8000000a) - 1;
	/* Four-level NPT reaches 48 bits whatever the CPU's width. */
	svm_phys_bits = min_t(u32, boot_cpu_data.x86_phys_bits, 48);
	vireo_npt_setup();

	svm_iopm_pages = alloc_pages(GFP_KERNEL, 2);
	svm_msrpm_pages = alloc_pages(GFP_KERNEL, 1);
	if (!svm_iopm_pages || !svm_msrpm_pages)
		goto fail;
	memset(page_address(svm_iopm_pages), 0xff, 4 * PAGE_SIZE);
	memset(page_address(svm_msrpm_pages), 0xff, 2 * PAGE_SIZE);

	for_each_possible_cpu(cpu) {
		struct svm_cpu *sd = per_cpu_ptr(&svm_cpu_data, cpu);

		sd->hsave = alloc_pages_node(cpu_to_node(cpu), GFP_KERNEL | __GFP_ZERO, 0);
		sd->host_save = alloc_pages_node(cpu_to_node(cpu), GFP_KERNEL | __GFP_ZERO, 0);
		sd->scrub_vmcb = alloc_pages_node(cpu_to_node(cpu), GFP_KERNEL | __GFP_ZERO, 0);
		if (!sd->hsave || !sd->host_save || !sd->scrub_vmcb)
			goto fail;
		svm_init_scrub_vmcb(page_address(sd->scrub_vmcb));
	}
	pr_info(VIREO_LOG_PREFIX "SVM: %u ASIDs, %u-level NPT, next-RIP %s, decode assists %s\n",
		svm_max_asid + 1, vireo_npt_format.levels, svm_features & SVM_FEATURE_NRIPS ? "yes" : "no",
		svm_features & SVM_FEATURE_DECODE_ASSISTS ? "yes" : "no");
	return 0;

fail:
	svm_free_cpu_pages();
	if (svm_iopm_pages)
		__free_pages(svm_iopm_pages, 2);
	if (svm_msrpm_pages)
		__free_pages(svm_msrpm_pages, 1);
	return -ENOMEM;
}

static void svm_unsetup(void)
{
	svm_free_cpu_pages();
	__free_pages(svm_iopm_pages, 2);
	__free_pages(svm_msrpm_pages, 1);
}

/* Whatever Vireo's ASIDs tagged in the TLB before is stale: a new generation. */
static void svm_new_asid_generation(struct svm_cpu *sd)
{
	sd->asid_generation++;
	sd->next_asid = svm_max_asid + 1;
}

/*
 * Shared mode: KVM turned SVM on here (its cpuhp state comes before
 * Vireo's on the way up), with its own host save area in VM_HSAVE_PA,
 * which VMRUN uses for Vireo's guests as well (APM 15.30.4: the area
 * holds the host state of whichever VMRUN runs).  Neither is Vireo's to
 * change: never write VM_HSAVE_PA or clear EFER.SVME.
 */
static int svm_share_cpu(struct svm_cpu *sd)
{
	u64 efer, hsave_pa;

	rdmsrq(MSR_EFER, efer);
	rdmsrq(MSR_VM_HSAVE_PA, hsave_pa);
	if (!(efer & EFER_SVME) || !hsave_pa) {
		pr_err(VIREO_LOG_PREFIX "CPU %d: KVM holds a VM but SVM is not on (EFER %#llx, VM_HSAVE_PA %#llx)\n",
		       smp_processor_id(), efer, hsave_pa);
		return -EIO;
	}
	svm_new_asid_generation(sd);
	sd->tlb_dirty = false;
	sd->shared = true;
	sd->enabled = true;
	return 0;
}

static int svm_enable_cpu(void)
{
	struct svm_cpu *sd = this_cpu_ptr(&svm_cpu_data);
	u64 efer;

	if (vireo_hw_shared())
		return svm_share_cpu(sd);
	rdmsrq(MSR_EFER, efer);
	if (efer & EFER_SVME) {
		pr_err_once(VIREO_LOG_PREFIX "SVM is already in use on CPU %d (is kvm_amd running a VM?); stop the other hypervisor and retry\n",
			    smp_processor_id());
		return -EBUSY;
	}
	wrmsrq(MSR_EFER, efer | EFER_SVME);
	wrmsrq(MSR_VM_HSAVE_PA, page_to_phys(sd->hsave));
	svm_new_asid_generation(sd);
	sd->enabled = true;
	return 0;
}

static void svm_disable_cpu(void)
{
	struct svm_cpu *sd = this_cpu_ptr(&svm_cpu_data);
	u64 efer;

	if (!sd->enabled)
		return;
	sd->enabled = false;
	/* Shared: nothing of Vireo's is left here (svm_vcpu_put() scrubbed it). */
	if (sd->shared) {
		sd->shared = false;
		return;
	}
	wrmsrq(MSR_VM_HSAVE_PA, 0);
	rdmsrq(MSR_EFER, efer);
	wrmsrq(MSR_EFER, efer & ~EFER_SVME);
}

static u64 svm_caps_flags(void)
{
	u64 flags = VIREO_CAP_NESTED_PAGING | VIREO_CAP_READONLY_MEM;

	if (svm_features & SVM_FEATURE_DECODE_ASSISTS)
		flags |= VIREO_CAP_INSN_BYTES;
	if (svm_features & SVM_FEATURE_NRIPS)
		flags |= VIREO_CAP_NEXT_RIP;
	return flags;
}

static u32 svm_guest_phys_bits(void)
{
	return svm_phys_bits;
}

/* ------------------------------------------------------ guest state */

static void svm_seg_get(const struct vireo_vmcb_seg *s, struct vireo_segment *v)
{
	v->base = s->base;
	v->limit = s->limit;
	v->selector = s->selector;
	v->type = s->attrib & 0xf;
	v->s = (s->attrib >> 4) & 1;
	v->dpl = (s->attrib >> 5) & 3;
	v->present = (s->attrib >> 7) & 1;
	v->avl = (s->attrib >> 8) & 1;
	v->l = (s->attrib >> 9) & 1;
	v->db = (s->attrib >> 10) & 1;
	v->g = (s->attrib >> 11) & 1;
	v->unusable = !v->present;
}

static void svm_seg_set(struct vireo_vmcb_seg *s, const struct vireo_segment *v)
{
	s->base = v->base;
	s->limit = v->limit;
	s->selector = v->selector;
	s->attrib = 0;
	if (v->unusable)
		return;
	s->attrib = (v->type & 0xf) | (v->s & 1) << 4 | (v->dpl & 3) << 5 |
		    (v->present & 1) << 7 | (v->avl & 1) << 8 | (v->l & 1) << 9 |
		    (v->db & 1) << 10 | (v->g & 1) << 11;
}

static void svm_get_sregs(struct vireo_vcpu *vcpu, struct vireo_sregs *sr)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vireo_vmcb_save *save = &svm->vmcb->save;

	svm_seg_get(&save->cs, &sr->cs);
	svm_seg_get(&save->ds, &sr->ds);
	svm_seg_get(&save->es, &sr->es);
	svm_seg_get(&save->fs, &sr->fs);
	svm_seg_get(&save->gs, &sr->gs);
	svm_seg_get(&save->ss, &sr->ss);
	svm_seg_get(&save->tr, &sr->tr);
	/* TR is a busy TSS; the VMCB holds it as available (svm_set_sregs()). */
	if (sr->tr.present)
		sr->tr.type |= 2;
	svm_seg_get(&save->ldtr, &sr->ldt);
	sr->gdt.base = save->gdtr.base;
	sr->gdt.limit = save->gdtr.limit;
	sr->idt.base = save->idtr.base;
	sr->idt.limit = save->idtr.limit;
	sr->cr0 = save->cr0;
	sr->cr2 = save->cr2;
	sr->cr3 = save->cr3;
	sr->cr4 = save->cr4;
	sr->cr8 = svm->vmcb->control.int_ctl & 0xf;
	sr->efer = svm->efer;
}

/*
 * EFER in the VMCB is the guest's, except that LME (and LMA) stay out of
 * it until the guest turns paging on (APM vol. 2 14.6.1: long mode is
 * activated by CR0.PG with LME set; LME alone changes nothing).
 *
 * QEMU's SVM model restores the host's CR0 at #VMEXIT before the host's
 * CR4 and EFER, and cpu_x86_update_cr0() refuses a PG 0->1 change while
 * EFER.LME = 1 and CR4.PAE = 0: a guest exiting with LME set, paging off
 * and PAE clear (legal: a guest may set LME before PAE) left L1 running on
 * the guest's CR0 and hung it (RIG-NOTES.md).  Real hardware switches
 * atomically, but the VMCB need not show LME before it matters.
 *
 * CR0 writes that change more than TS/MP exit (the selective CR0 write
 * intercept, APM 15.9.1) and are emulated in svm_handle_cr_write(), which
 * moves LME+LMA into the VMCB when PG goes to 1 and out when it goes to 0,
 * and raises the #GP hardware raises for NW without CD or PG without PE:
 * QEMU's model takes such a MOV to CR0 from an L2, and its next VMRUN then
 * fails (VMEXIT_INVALID, with L1's own state written over the VMCB;
 * FINDINGS F13).  So the intercept is always on.
 */
static void svm_sync_efer(struct svm_vcpu *svm)
{
	struct vireo_vmcb *vmcb = svm->vmcb;
	bool paging = vmcb->save.cr0 & X86_CR0_PG;
	u64 efer = svm->efer & ~(EFER_LME | EFER_LMA);

	svm->efer &= ~EFER_LMA;
	if ((svm->efer & EFER_LME) && paging) {
		svm->efer |= EFER_LMA;
		efer |= EFER_LME | EFER_LMA;
	}
	vmcb->save.efer = efer | EFER_SVME;
	vmcb->control.intercept_word3 |= VMCB_INTERCEPT_CR0_SEL;
}

static int svm_set_sregs(struct vireo_vcpu *vcpu, const struct vireo_sregs *sr)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vireo_vmcb_save *save = &svm->vmcb->save;

	/* The rest was checked by vireo_check_sregs(). */
	if (sr->efer & ~SVM_GUEST_EFER_MASK || sr->cr8 > 0xf ||
	    sr->gdt.reserved[0] | sr->gdt.reserved[1] | sr->gdt.reserved[2] ||
	    sr->idt.reserved[0] | sr->idt.reserved[1] | sr->idt.reserved[2])
		return -EINVAL;

	svm_seg_set(&save->cs, &sr->cs);
	svm_seg_set(&save->ds, &sr->ds);
	svm_seg_set(&save->es, &sr->es);
	svm_seg_set(&save->fs, &sr->fs);
	svm_seg_set(&save->gs, &sr->gs);
	svm_seg_set(&save->ss, &sr->ss);
	svm_seg_set(&save->tr, &sr->tr);
	/*
	 * As LTR leaves it in AMD's hidden TR (KVM's svm_get_segment() sets
	 * the busy bit back for the same reason): QEMU's model aborts on a
	 * busy type when an interrupt switches stacks through the TSS.
	 */
	save->tr.attrib &= ~2;
	svm_seg_set(&save->ldtr, &sr->ldt);
	save->gdtr.base = sr->gdt.base;
	save->gdtr.limit = sr->gdt.limit;
	save->idtr.base = sr->idt.base;
	save->idtr.limit = sr->idt.limit;
	save->cr0 = sr->cr0;
	save->cr2 = sr->cr2;
	save->cr3 = sr->cr3;
	save->cr4 = sr->cr4;
	svm->vmcb->control.int_ctl = (svm->vmcb->control.int_ctl & ~VMCB_V_TPR_MASK) | sr->cr8;
	vcpu->cr8 = sr->cr8;
	svm->efer = sr->efer;
	svm_sync_efer(svm);
	svm->last_cpu = -1;	/* a new ASID: the guest's paging changed */
	/* The CPL is SS.DPL in protected mode (APM 15.5.1). */
	save->cpl = (sr->cr0 & X86_CR0_PE) ? sr->ss.dpl & 3 : 0;
	return 0;
}

static u64 svm_get_cr4(struct vireo_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->save.cr4;
}

static int svm_get_msr(struct vireo_vcpu *vcpu, u32 index, u64 *data)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vireo_vmcb_save *save = &svm->vmcb->save;

	switch (index) {
	case MSR_EFER:
		*data = svm->efer;
		break;
	case MSR_STAR:
		*data = save->star;
		break;
	case MSR_LSTAR:
		*data = save->lstar;
		break;
	case MSR_CSTAR:
		*data = save->cstar;
		break;
	case MSR_SYSCALL_MASK:
		*data = save->sfmask;
		break;
	case MSR_KERNEL_GS_BASE:
		*data = save->kernel_gs_base;
		break;
	case MSR_FS_BASE:
		*data = save->fs.base;
		break;
	case MSR_GS_BASE:
		*data = save->gs.base;
		break;
	case MSR_IA32_SYSENTER_CS:
		*data = save->sysenter_cs;
		break;
	case MSR_IA32_SYSENTER_ESP:
		*data = save->sysenter_esp;
		break;
	case MSR_IA32_SYSENTER_EIP:
		*data = save->sysenter_eip;
		break;
	case MSR_IA32_CR_PAT:
		*data = save->g_pat;
		break;
	case MSR_IA32_TSC:
		*data = rdtsc() + svm->vmcb->control.tsc_offset;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

static int svm_set_msr(struct vireo_vcpu *vcpu, u32 index, u64 data, bool from_guest)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vireo_vmcb_save *save = &svm->vmcb->save;

	switch (index) {
	case MSR_EFER:
		if (data & ~SVM_GUEST_EFER_MASK)
			return -EINVAL;
		/* LMA follows LME and CR0.PG (vireo_check_msr() kept LME fixed under PG). */
		svm->efer = data;
		svm_sync_efer(svm);
		break;
	case MSR_STAR:
		save->star = data;
		break;
	case MSR_LSTAR:
		save->lstar = data;
		break;
	case MSR_CSTAR:
		save->cstar = data;
		break;
	case MSR_SYSCALL_MASK:
		save->sfmask = data;
		break;
	case MSR_KERNEL_GS_BASE:
		save->kernel_gs_base = data;
		break;
	case MSR_FS_BASE:
		save->fs.base = data;
		break;
	case MSR_GS_BASE:
		save->gs.base = data;
		break;
	case MSR_IA32_SYSENTER_CS:
		save->sysenter_cs = data;
		break;
	case MSR_IA32_SYSENTER_ESP:
		save->sysenter_esp = data;
		break;
	case MSR_IA32_SYSENTER_EIP:
		save->sysenter_eip = data;
		break;
	case MSR_IA32_CR_PAT:
		if (!vireo_pat_valid(data))
			return -EINVAL;
		save->g_pat = data;
		break;
	case MSR_IA32_TSC:
		svm->vmcb->control.tsc_offset = data - rdtsc();
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

/* ------------------------------------------------------------- vCPU */

/* Power-on state: the VMCB-only fields here, the rest is common. */
static void svm_reset_state(struct svm_vcpu *svm)
{
	struct vireo_vmcb_save *save = &svm->vmcb->save;

	save->dr6 = 0xffff0ff0;
	save->dr7 = 0x400;
	svm->awaiting_iret = svm->nmi_singlestep = false;
	save->g_pat = 0x0007040600070406ULL;
	vireo_vcpu_init_state(&svm->vcpu);
}

/*
 * Intercepts: everything that could reach the host (I/O, MSRs, the SVM
 * instructions), what vireo emulates (CPUID, HLT, XSETBV), and #AC/#DB,
 * which a guest could otherwise turn into an endless microcode loop that
 * keeps the host CPU from taking interrupts (CVE-2015-5307, -8104).
 * CR4 writes, so that bits the guest's CPUID leaves out #GP as on a CPU
 * without them (the hardware only knows its own reserved bits).
 */
static void svm_init_vmcb(struct svm_vcpu *svm)
{
	struct vireo_vmcb_control *c = &svm->vmcb->control;

	memset(svm->vmcb, 0, sizeof(*svm->vmcb));
	c->intercept_cr = VMCB_INTERCEPT_CR4_WRITE;
	c->intercept_dr = 0x00ff00ff;	/* reads 0-7, writes 16-23 */
	c->intercept_exceptions = (1U << 1) | (1U << 17);
	c->intercept_word3 = VMCB_INTERCEPT_INTR | VMCB_INTERCEPT_NMI | VMCB_INTERCEPT_SMI |
			     VMCB_INTERCEPT_CPUID | VMCB_INTERCEPT_INVD | VMCB_INTERCEPT_HLT |
			     VMCB_INTERCEPT_INVLPGA | VMCB_INTERCEPT_IOIO | VMCB_INTERCEPT_MSR |
			     VMCB_INTERCEPT_SHUTDOWN;
	c->intercept_word4 = VMCB_INTERCEPT_VMRUN | VMCB_INTERCEPT_VMMCALL |
			     VMCB_INTERCEPT_VMLOAD | VMCB_INTERCEPT_VMSAVE | VMCB_INTERCEPT_STGI |
			     VMCB_INTERCEPT_CLGI | VMCB_INTERCEPT_SKINIT | VMCB_INTERCEPT_MONITOR |
			     VMCB_INTERCEPT_MWAIT | VMCB_INTERCEPT_XSETBV;
	c->iopm_base_pa = page_to_phys(svm_iopm_pages);
	c->msrpm_base_pa = page_to_phys(svm_msrpm_pages);
	c->int_ctl = VMCB_V_INTR_MASKING;
	c->nested_ctl = VMCB_NESTED_CTL_NP_ENABLE;
	c->nested_cr3 = svm->vcpu.vm->tdp.root_pa;
	svm_reset_state(svm);
	svm->asid_generation = 0;	/* forces a fresh ASID */
}

static struct vireo_vcpu *svm_vcpu_alloc(void)
{
	struct svm_vcpu *svm = kzalloc(sizeof(*svm), GFP_KERNEL_ACCOUNT);

	return svm ? &svm->vcpu : NULL;
}

static int svm_vcpu_init(struct vireo_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct page *page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);

	if (!page)
		return -ENOMEM;
	svm->vmcb = page_address(page);
	svm->vmcb_pa = page_to_phys(page);
	svm->last_cpu = -1;
	svm_init_vmcb(svm);
	return 0;
}

static void svm_vcpu_free(struct vireo_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	if (svm->vmcb)
		free_page((unsigned long)svm->vmcb);
	kfree(svm);
}

/* ------------------------------------------------------ world switch */

void vireo_svm_enter(u64 vmcb_pa, u64 *regs, u64 host_save_pa);

/* Called with interrupts off on the CPU that will run the vCPU. */
static void svm_prepare_asid(struct svm_vcpu *svm, struct svm_cpu *sd, int cpu)
{
	struct vireo_vcpu *vcpu = &svm->vcpu;
	int gen = atomic_read(&vcpu->vm->tlb_generation);

	if (svm->last_cpu == cpu && svm->asid_generation == sd->asid_generation &&
	    vcpu->tlb_generation == gen)
		return;

	/* A new ASID is the cheapest full flush of this vCPU's translations. */
	if (sd->next_asid > svm_max_asid) {
		sd->asid_generation++;
		sd->next_asid = 1;
		svm->vmcb->control.tlb_ctl = VMCB_TLB_CONTROL_FLUSH_ALL;
	}
	svm->asid = sd->next_asid++;
	svm->asid_generation = sd->asid_generation;
	svm->last_cpu = cpu;
	vcpu->tlb_generation = gen;
	svm->vmcb->control.asid = svm->asid;
}

/*
 * Shared mode: KVM hands out ASIDs on each CPU in generations and takes an
 * ASID it gives out within a generation to hold no stale translations
 * (new_asid() and pre_svm_run() in KVM's svm.c: it flushes only when a
 * generation starts).  Vireo's guests use the same ASID space, so
 * translations tagged with one of them must not outlive Vireo's stay on
 * the CPU: SVM has no instruction that flushes an ASID outside VMRUN
 * (INVLPGA takes one page), so one more VMRUN does it, of a guest that
 * runs nothing, with TLB_CONTROL flushing all ASIDs (svm_init_scrub_vmcb()).
 * The other direction, KVM's entries met by Vireo's ASIDs, is the first
 * allocation of each stay (svm_run_once() starts a generation), which
 * flushes all ASIDs too.  VMCB clean bits need nothing: the processor
 * keys cached VMCB state by the VMCB's address (APM 15.15.1) and Vireo
 * never marks anything clean.
 */
static void svm_scrub_tlb(struct svm_cpu *sd)
{
	struct vireo_vmcb *vmcb = page_address(sd->scrub_vmcb);
	unsigned long flags;

	local_irq_save(flags);
	svm_clgi();
	/* The guest runs no instruction: the GPRs and hidden state stay the host's. */
	asm volatile("vmrun %%rax" : : "a"(page_to_phys(sd->scrub_vmcb)) : "memory");
	svm_stgi();
	/* #VMEXIT leaves DR7 disabled (APM 15.5). */
	vireo_restore_host_dr7();
	local_irq_restore(flags);
	if ((u32)vmcb->control.exit_code == (u32)SVM_EXIT_ERR)
		pr_err_once(VIREO_LOG_PREFIX "the TLB scrub's VMRUN failed its consistency checks: Vireo's guest translations may reach KVM's guests\n");
	sd->tlb_dirty = false;
}

/* Shared mode: the vCPU's thread leaves this CPU (preemption off). */
static void svm_vcpu_put(struct vireo_vcpu *vcpu)
{
	struct svm_cpu *sd = this_cpu_ptr(&svm_cpu_data);

	if (!sd->shared || !sd->tlb_dirty)
		return;
	/* Rebooting: SVM may be off already, and nothing runs after. */
	if (!vireo_hw_rebooting())
		svm_scrub_tlb(sd);
	if (sd->kvm_tsc_ratio != SVM_TSC_RATIO_ONE)
		wrmsrq(MSR_AMD64_TSC_RATIO, sd->kvm_tsc_ratio);
}

/*
 * Shared mode, first entry of a stay on this CPU.  KVM may have run here
 * since Vireo's last stay: its ASIDs' entries go with Vireo's next
 * generation (svm_scrub_tlb()'s comment).  KVM leaves its last vCPU's TSC
 * ratio in MSR_AMD64_TSC_RATIO (it writes the MSR lazily, comparing with
 * a per-CPU copy): Vireo's guests run at 1.0 and svm_vcpu_put() puts the
 * value found back, so that KVM's copy stays true.
 */
static void svm_begin_stay(struct svm_cpu *sd)
{
	svm_new_asid_generation(sd);
	sd->kvm_tsc_ratio = SVM_TSC_RATIO_ONE;
	if (boot_cpu_has(X86_FEATURE_TSCRATEMSR)) {
		rdmsrq(MSR_AMD64_TSC_RATIO, sd->kvm_tsc_ratio);
		if (sd->kvm_tsc_ratio != SVM_TSC_RATIO_ONE)
			wrmsrq(MSR_AMD64_TSC_RATIO, SVM_TSC_RATIO_ONE);
	}
}

static void svm_set_vintr(struct svm_vcpu *svm, bool on)
{
	struct vireo_vmcb_control *c = &svm->vmcb->control;

	if (on) {
		/* A virtual interrupt nobody takes: it only opens the window. */
		c->int_ctl |= VMCB_V_IRQ | VMCB_V_IGN_TPR | (0xfU << VMCB_V_INTR_PRIO_SHIFT);
		c->intercept_word3 |= VMCB_INTERCEPT_VINTR;
	} else {
		c->int_ctl &= ~(VMCB_V_IRQ | VMCB_V_IGN_TPR | (0xfU << VMCB_V_INTR_PRIO_SHIFT));
		c->intercept_word3 &= ~VMCB_INTERCEPT_VINTR;
	}
}

/*
 * External interrupts go in through V_IRQ rather than EVENTINJ, so the
 * guest takes them as it would a real INTR.  QEMU's TCG SVM (the rig's L1,
 * 7.2 at least) delivers an EVENTINJ interrupt at VMRUN but also leaves it
 * as its pending exception, so the next exit from its CPU loop delivers
 * it a second time as an exception, IF=0 or not: about one Linux boot in
 * twenty then deadlocked on an irq descriptor lock.
 */
static void svm_post_virq(struct svm_vcpu *svm, const struct vireo_pending_event *ev)
{
	struct vireo_vmcb_control *c = &svm->vmcb->control;

	/* Picked only when deliverable: the TPR has been checked already. */
	c->int_ctl |= VMCB_V_IRQ | VMCB_V_IGN_TPR | (0xfU << VMCB_V_INTR_PRIO_SHIFT);
	c->int_vector = ev->vector;
	svm->virq = *ev;
}

/*
 * After an exit: an interrupt posted in V_IRQ that the guest did not take
 * goes back where it came from, to be picked again (perhaps behind a
 * higher one).  One whose delivery the exit interrupted is in EXITINTINFO
 * and is re-injected from there; QEMU leaves V_IRQ set in that case.
 */
static void svm_complete_virq(struct svm_vcpu *svm, bool entered)
{
	struct vireo_vmcb_control *c = &svm->vmcb->control;
	bool taken;

	if (!svm->virq.valid)
		return;
	taken = entered && (!(c->int_ctl & VMCB_V_IRQ) ||
			    ((c->exit_int_info & VMCB_EVENT_VALID) &&
			     (c->exit_int_info & 0xff) == svm->virq.vector));
	c->int_ctl &= ~(VMCB_V_IRQ | VMCB_V_IGN_TPR | (0xfU << VMCB_V_INTR_PRIO_SHIFT));
	if (!taken)
		vireo_vcpu_unpick_event(&svm->vcpu, &svm->virq);
	svm->virq.valid = false;
}

/*
 * QEMU's TCG SVM reports any event it was delivering as an exception
 * (type 3), and its VMRUN refuses to inject an exception past vector 31.
 * Exceptions end at 31: a higher vector was an external interrupt.
 */
static u32 svm_exit_int_info(const struct vireo_vmcb_control *c)
{
	u32 info = c->exit_int_info;

	if ((info & VMCB_EVENT_VALID) && (info & 0xff) >= 32 &&
	    ((info >> 8) & 7) == VIREO_EVENT_EXCEPTION)
		info &= ~(7U << 8);	/* type 0: INTR */
	return info;
}

/*
 * A debug trap the hypervisor owes the guest (vireo_retire_insn()): SVM
 * has no pending-debug-exceptions field, so DR6 gets the trap's bits (the
 * breakpoint bits B0-B3 are cleared, as by a #DB the CPU raises, SDM
 * 17.2.3) and #DB goes in through EVENTINJ, before NMIs and interrupts.
 */
static void svm_queue_debug_trap(struct svm_vcpu *svm)
{
	struct vireo_vcpu *vcpu = &svm->vcpu;
	struct vireo_vmcb_save *save = &svm->vmcb->save;

	if (!vcpu->pending_dbg || vcpu->reinject.valid || vcpu->exception.valid)
		return;
	save->dr6 = (save->dr6 & ~(u64)DR_TRAP_BITS) | vcpu->pending_dbg;
	vireo_vcpu_queue_exception(vcpu, 1, false, 0);
	vcpu->pending_dbg = 0;
}

/*
 * NMI blocking without the CPU's help (QEMU's SVM model offers no virtual
 * NMI, CPUID Fn8000_000A EDX[25]): while NMIs are blocked, IRET is
 * intercepted.  That intercept fires before the IRET executes (APM vol. 2
 * 15.9), so NMIs unblock only once the IRET has completed, which RIP
 * leaving it shows at a later exit.  An NMI waiting for that asks for an
 * exit right after the IRET by single-stepping it: TF set before IRET
 * traps after it whatever RFLAGS the IRET loads (SDM 17.3.1.4), and #DB
 * is intercepted.
 */
static void svm_check_iret_done(struct svm_vcpu *svm)
{
	if (svm->awaiting_iret && svm->vcpu.regs[VIREO_REG_RIP] != svm->iret_rip) {
		svm->awaiting_iret = false;
		svm->vcpu.nmi_blocked = false;
	}
	/* Unblocked otherwise (INIT): no single step is under way any more. */
	if (!svm->vcpu.nmi_blocked)
		svm->nmi_singlestep = false;
}

/* After the event for this entry is chosen (an NMI blocks NMIs). */
static void svm_set_iret_intercept(struct svm_vcpu *svm)
{
	struct vireo_vmcb_control *c = &svm->vmcb->control;

	if (!svm->vcpu.nmi_blocked)
		svm->awaiting_iret = false;
	if (svm->vcpu.nmi_blocked && !svm->awaiting_iret)
		c->intercept_word3 |= VMCB_INTERCEPT_IRET;
	else
		c->intercept_word3 &= ~VMCB_INTERCEPT_IRET;
}

static void svm_open_nmi_window(struct svm_vcpu *svm)
{
	struct vireo_vcpu *vcpu = &svm->vcpu;

	if (!svm->awaiting_iret || svm->nmi_singlestep)
		return;
	svm->nmi_singlestep = true;
	svm->guest_tf = vcpu->regs[VIREO_REG_RFLAGS] & X86_EFLAGS_TF;
	svm->guest_dr6 = svm->vmcb->save.dr6;
	vcpu->regs[VIREO_REG_RFLAGS] |= X86_EFLAGS_TF;
}

/*
 * The #DB of that single step: the IRET is done.  The guest sees it only
 * if it had TF set itself; otherwise DR6 is as it was.
 */
static bool svm_nmi_singlestep_done(struct svm_vcpu *svm)
{
	if (!svm->nmi_singlestep)
		return false;
	svm->nmi_singlestep = false;
	if (svm->guest_tf)
		return false;
	svm->vmcb->save.dr6 = svm->guest_dr6;
	return true;
}

/*
 * QEMU's TCG (the rig's L1; 7.2 and later, target/i386/tcg/sysemu/
 * svm_helper.c) takes DR7 from the VMCB at VMRUN without arming its
 * breakpoints: only MOV DR7 does that (bpt_helper.c,
 * cpu_x86_update_dr7()), so a guest's data breakpoints would never fire
 * there.  Writing them into the host's DR7 right before VMRUN arms them;
 * on a real CPU VMRUN loads the VMCB's DR7 over the value at once, so
 * this costs one MOV.  Only data breakpoints wholly in the lower half of
 * the address space go in: from here to VMRUN the host touches only
 * kernel addresses (upper half), so none can fire in the host.  Not
 * instruction breakpoints (QEMU aborts when one fires in an L2 whose CS
 * base is not 0, tests/kfuzz/FINDINGS.md F4) nor I/O ones (every port
 * exits; debugreg.c matches them).  QEMU's #VMEXIT restores the DR7
 * written here, so the caller writes it again after the exit.  Interrupts
 * and GIF are off.
 *
 * Known price, in QEMU only: with guest data breakpoints armed, kfuzz
 * --snippets dr,pio,cpuid,mmio --known=dr7 (seeds 1-120) aborts QEMU 7.2
 * within 5 seeds ("qemu_mutex_lock_iothread_impl: assertion failed"), and
 * runs clean without the arming.  QEMU's cpu_check_watchpoint() takes the
 * I/O thread lock when a watchpoint fires again; our reading is that
 * it does so while delivering an event to the L2 (an exception frame
 * pushed on a watched address), which holds that lock already.  kfuzz
 * makes no MOV DR on the SVM leg by default (FINDINGS.md F4).
 */
static bool svm_arm_qemu_breakpoints(const struct vireo_vcpu *vcpu)
{
	u64 dr7 = 0;
	unsigned int n;

	for (n = 0; n < 4; n++) {
		u64 en = (vcpu->dr7 >> (2 * n)) & 3;
		u64 ctl = (vcpu->dr7 >> (16 + 4 * n)) & 0xf;
		u64 rw = ctl & 3;

		if (!en || (rw != DR_RW_WRITE && rw != DR_RW_READ) ||
		    vcpu->dr[n] >= (1ULL << 47) - 8)
			continue;
		dr7 |= (en << (2 * n)) | (ctl << (16 + 4 * n));
	}
	if (!dr7)
		return false;
	set_debugreg(dr7, 7);
	return true;
}

static void svm_inject_events(struct svm_vcpu *svm)
{
	struct vireo_vcpu *vcpu = &svm->vcpu;
	struct vireo_vmcb_control *c = &svm->vmcb->control;
	struct vireo_pending_event ev;

	bool virq = false;

	svm_set_vintr(svm, false);
	svm_check_iret_done(svm);
	svm_queue_debug_trap(svm);
	/* Left from an entry that was abandoned before VMRUN: still valid. */
	if (!(c->event_inj & VMCB_EVENT_VALID) &&
	    vireo_vcpu_pick_event(vcpu, c->int_state & VMCB_INT_SHADOW, &ev)) {
		if (ev.type == VIREO_EVENT_EXTINT) {
			svm_post_virq(svm, &ev);
			virq = true;
		} else {
			/* Real mode pushes no error codes. */
			if (!(svm->vmcb->save.cr0 & X86_CR0_PE))
				ev.has_error_code = false;
			c->event_inj = vireo_event_encode(&ev);
			c->event_inj_err = ev.error_code;
		}
	}
	svm_set_iret_intercept(svm);
	if (vireo_vcpu_wants_nmi_window(vcpu))
		svm_open_nmi_window(svm);
	/* With V_IRQ taken there is no window exit until the next entry. */
	if (!virq && vireo_vcpu_wants_irq_window(vcpu))
		svm_set_vintr(svm, true);
}

/* Length of the intercepted instruction: next_rip if the CPU gives it. */
static unsigned int svm_insn_len(struct svm_vcpu *svm, unsigned int fixed)
{
	if (svm_features & SVM_FEATURE_NRIPS) {
		u64 len = svm->vmcb->control.next_rip - svm->vcpu.regs[VIREO_REG_RIP];

		if (len && len <= 15)
			return len;
	}
	return fixed;
}

static int svm_handle_ioio(struct svm_vcpu *svm)
{
	u64 info = svm->vmcb->control.exit_info_1;
	struct vireo_exit_io io = {
		.direction = (info & VMCB_IOIO_TYPE_IN) ? VIREO_IO_IN : VIREO_IO_OUT,
		.size = (info >> VMCB_IOIO_SZ_SHIFT) & 7,
		.string = !!(info & VMCB_IOIO_STR),
		.rep = !!(info & VMCB_IOIO_REP),
		.port = info >> VMCB_IOIO_PORT_SHIFT,
	};

	switch ((info >> VMCB_IOIO_A_SHIFT) & 7) {
	case 1:
		io.address_size = 2;
		break;
	case 2:
		io.address_size = 4;
		break;
	default:
		io.address_size = 8;
		break;
	}
	if (io.size == 3 || io.size > 4)
		return vireo_exit_hw(&svm->vcpu, VIREO_EXIT_INTERNAL_ERROR, SVM_EXIT_IOIO, info,
				     0, VIREO_INTERNAL_BAD_EXIT);
	/* EXITINFO2 is the next RIP for IOIO, with or without NRIPS. */
	return vireo_handle_io(&svm->vcpu, &io, svm->vmcb->control.exit_info_2);
}

static int svm_handle_npf(struct svm_vcpu *svm)
{
	struct vireo_vmcb_control *c = &svm->vmcb->control;
	struct vireo_run *run = svm->vcpu.run;
	int r = vireo_handle_tdp_fault(&svm->vcpu, c->exit_info_2,
				       c->exit_info_1 & VMCB_NPF_WRITE);

	if (r == 1 && run->exit_reason == VIREO_EXIT_MMIO &&
	    (svm_features & SVM_FEATURE_DECODE_ASSISTS) && c->insn_len <= 15) {
		run->mmio.insn_len = c->insn_len;
		memcpy(run->mmio.insn_bytes, c->insn_bytes, c->insn_len);
	}
	return r;
}

#define SVM_SEG_L	(1U << 9)	/* CS.L in the packed attributes */

/* A guest CR0 write: 0, or -EINVAL for #GP (vireo_check_cr0_write()). */
static int svm_write_cr0(struct svm_vcpu *svm, u64 cr0)
{
	struct vireo_vmcb_save *save = &svm->vmcb->save;
	bool cs_l = save->cs.attrib & SVM_SEG_L;
	u64 old = save->cr0;

	if (vireo_check_cr0_write(old, cr0, svm->efer, save->cr4, cs_l))
		return -EINVAL;
	save->cr0 = cr0;
	/* MOV CR0 changing PG or WP flushes the TLB: a new ASID does. */
	if ((cr0 ^ old) & (X86_CR0_PG | X86_CR0_WP))
		svm->last_cpu = -1;
	svm_sync_efer(svm);
	return 0;
}

/* A guest CR4 write: 0, or -EINVAL for #GP (vireo_check_cr4_write()). */
static int svm_write_cr4(struct svm_vcpu *svm, u64 cr4)
{
	struct vireo_vmcb_save *save = &svm->vmcb->save;
	u64 old = save->cr4;

	if (vireo_check_cr4_write(&svm->vcpu, old, cr4, svm->efer, save->cr3))
		return -EINVAL;
	save->cr4 = cr4;
	/* Bits that change translations flush the TLB: a new ASID does. */
	if ((cr4 ^ old) & (X86_CR4_PGE | X86_CR4_PAE | X86_CR4_PSE | X86_CR4_PCIDE |
			   X86_CR4_SMEP | X86_CR4_SMAP | X86_CR4_PKE | X86_CR4_LA57))
		svm->last_cpu = -1;
	return 0;
}

/*
 * CR0 (the selective intercept, set while the guest's EFER.LME is, see
 * svm_sync_efer()) and CR4 write intercepts.  They report no operand
 * without decode assists (QEMU's model has none): decode the instruction
 * at RIP.
 */
static int svm_handle_cr_write(struct svm_vcpu *svm, int cr)
{
	struct vireo_vcpu *vcpu = &svm->vcpu;
	u64 cr0 = svm->vmcb->save.cr0;
	struct vireo_cr_write w;
	struct vireo_sregs sr;
	int r;

	memset(&sr, 0, sizeof(sr));
	svm_get_sregs(vcpu, &sr);
	r = vireo_decode_cr_write(vcpu, &sr, &w);
	if (r || (w.kind == VIREO_CR_MOV && w.cr != cr) || (cr != 0 && w.kind != VIREO_CR_MOV))
		return vireo_exit_hw(vcpu, VIREO_EXIT_INTERNAL_ERROR, svm->vmcb->control.exit_code,
				     r ? r : w.cr, vcpu->regs[VIREO_REG_RIP],
				     VIREO_INTERNAL_BAD_EXIT);
	if (cr == 4)
		r = svm_write_cr4(svm, w.value);
	else if (w.kind == VIREO_CR_MOV)
		r = svm_write_cr0(svm, w.value);
	else if (w.kind == VIREO_CR_LMSW)	/* PE, MP, EM, TS; PE cannot be cleared */
		r = svm_write_cr0(svm, (cr0 & ~0xeULL) | (w.value & 0xf));
	else
		r = svm_write_cr0(svm, cr0 & ~(u64)X86_CR0_TS);
	if (r)
		vireo_vcpu_queue_exception(vcpu, 13, true, 0);
	else
		vireo_retire_insn(vcpu, vcpu->regs[VIREO_REG_RIP] + w.len);
	return 0;
}

/*
 * MOV to or from DR0-7, all intercepted (debugreg.c keeps the guest's
 * DR0-3 and DR7).  VMRUN switches only DR6 and DR7, so a guest writing
 * DR0-3 itself would write the host's, and another guest's would be
 * what it reads; a guest's MOV DR7 also arms QEMU's breakpoint lists in
 * a way its world switch never disarms (svm_arm_qemu_breakpoints()).
 */
static int svm_handle_dr(struct svm_vcpu *svm)
{
	struct vireo_vcpu *vcpu = &svm->vcpu;
	struct vireo_vmcb_save *save = &svm->vmcb->save;
	struct vireo_cr_write w;
	struct vireo_sregs sr;
	struct vireo_mov_dr m;
	int r;

	memset(&sr, 0, sizeof(sr));
	svm_get_sregs(vcpu, &sr);
	r = vireo_decode_cr_write(vcpu, &sr, &w);
	if (r || (w.kind != VIREO_DR_WRITE && w.kind != VIREO_DR_READ))
		return vireo_exit_hw(vcpu, VIREO_EXIT_INTERNAL_ERROR, svm->vmcb->control.exit_code,
				     r, vcpu->regs[VIREO_REG_RIP], VIREO_INTERNAL_BAD_EXIT);
	m.dr = w.cr;
	m.gpr = w.gpr;
	m.write = w.kind == VIREO_DR_WRITE;
	m.wide = w.wide;
	vireo_handle_mov_dr(vcpu, &m, sr.cr4, save->cpl, &save->dr6,
			    vcpu->regs[VIREO_REG_RIP] + w.len);
	return 0;
}

/*
 * VMEXIT_INVALID.  QEMU's model stores its code as 0xffffffff, and uses
 * it also for a guest's MOV to CR3 or CR4 with a bit its CPU reserves
 * (helper_write_crN), where hardware raises #GP in the guest.  The state
 * userland gave was checked (vireo_check_sregs()), so such an instruction
 * at RIP is the guest's own fault: it gets that #GP.  When VMRUN itself
 * refused the state, the model wrote L1's own state over the VMCB
 * (do_vmexit): its CR3 is then this kernel's, and there is no guest
 * instruction to blame (the vCPU's first exit too: FINDINGS F13).
 */
static int svm_handle_invalid(struct svm_vcpu *svm)
{
	struct vireo_vcpu *vcpu = &svm->vcpu;
	struct vireo_vmcb_control *c = &svm->vmcb->control;
	bool vmrun_refused = !((svm->vmcb->save.cr3 ^ __read_cr3()) & CR3_ADDR_MASK);
	struct vireo_cr_write w;
	struct vireo_sregs sr;

	memset(&sr, 0, sizeof(sr));
	svm_get_sregs(vcpu, &sr);
	if (!vmrun_refused && !vireo_decode_cr_write(vcpu, &sr, &w) &&
	    w.kind == VIREO_CR_MOV && (w.cr == 3 || w.cr == 4)) {
		vireo_vcpu_queue_exception(vcpu, 13, true, 0);
		return 0;
	}
	return vireo_exit_hw(vcpu, VIREO_EXIT_FAIL_ENTRY, c->exit_code, c->exit_info_1,
			     c->exit_info_2, 0);
}

static bool trace_exits;
module_param(trace_exits, bool, 0644);
MODULE_PARM_DESC(trace_exits, "log every SVM exit (at most 100 a second; debugging only)");
static DEFINE_RATELIMIT_STATE(trace_exits_rs, HZ, 100);

static int svm_handle_exit(struct svm_vcpu *svm)
{
	struct vireo_vcpu *vcpu = &svm->vcpu;
	struct vireo_vmcb_control *c = &svm->vmcb->control;
	u64 *regs = vcpu->regs;

	if (trace_exits && __ratelimit(&trace_exits_rs))
		pr_info(VIREO_LOG_PREFIX "vcpu %u exit %#llx info %#llx %#llx rip %#llx rflags %#llx intinfo %#x\n",
			vcpu->id, c->exit_code, c->exit_info_1, c->exit_info_2,
			regs[VIREO_REG_RIP], regs[VIREO_REG_RFLAGS], c->exit_int_info);

	switch (c->exit_code) {
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
	case SVM_EXIT_SMI:
		return 0;	/* the host took it when we re-enabled */
	case SVM_EXIT_VINTR:
		svm_set_vintr(svm, false);
		if (!vcpu->extint.valid && vcpu->run->request_interrupt_window)
			return vireo_exit_to_user(vcpu, VIREO_EXIT_IRQ_WINDOW);
		return 0;
	case SVM_EXIT_CPUID:
		return vireo_handle_cpuid(vcpu, svm_insn_len(svm, 2));
	case SVM_EXIT_HLT:
		return vireo_handle_hlt(vcpu, svm_insn_len(svm, 1));
	case SVM_EXIT_IOIO:
		return svm_handle_ioio(svm);
	case SVM_EXIT_MSR:
		return vireo_handle_msr(vcpu, c->exit_info_1 & 1,
					regs[VIREO_REG_RIP] + svm_insn_len(svm, 2));
	case SVM_EXIT_NPF:
		return svm_handle_npf(svm);
	case SVM_EXIT_XSETBV:
		return vireo_handle_xsetbv(vcpu, svm_insn_len(svm, 3));
	case SVM_EXIT_RDTSCP:
		vireo_vcpu_queue_exception(vcpu, 6, false, 0);
		return 0;
	case SVM_EXIT_INVD:
		/* Dropping the caches without writeback would hurt the host. */
		vireo_retire_insn(vcpu, regs[VIREO_REG_RIP] + svm_insn_len(svm, 2));
		return 0;
	case SVM_EXIT_EXCP_BASE + 1:	/* #DB: reflect */
		if (!svm_nmi_singlestep_done(svm))
			vireo_vcpu_queue_exception(vcpu, 1, false, 0);
		return 0;
	case SVM_EXIT_IRET:
		/* The IRET ending an NMI handler is about to run. */
		svm->awaiting_iret = true;
		svm->iret_rip = regs[VIREO_REG_RIP];
		return 0;
	case SVM_EXIT_EXCP_BASE + 17:	/* #AC: reflect */
		vireo_vcpu_queue_exception(vcpu, 17, true, c->exit_info_1);
		return 0;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMMCALL:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
		vireo_vcpu_queue_exception(vcpu, 6, false, 0);	/* #UD */
		return 0;
	case SVM_EXIT_SHUTDOWN: {
		u64 rip = regs[VIREO_REG_RIP];

		/* The VMCB is undefined after SHUTDOWN (APM 15.11): reset it. */
		svm_init_vmcb(svm);
		vcpu->reinject.valid = vcpu->exception.valid = false;
		/* The reset cleared c->exit_code: report the code itself. */
		vireo_exit_hw(vcpu, VIREO_EXIT_SHUTDOWN, SVM_EXIT_SHUTDOWN, rip, 0, 0);
		vcpu->run->rip = rip;
		return 1;
	}
	case SVM_EXIT_CR0_SEL_WRITE:
		return svm_handle_cr_write(svm, 0);
	case SVM_EXIT_WRITE_CR4:
		return svm_handle_cr_write(svm, 4);
	case SVM_EXIT_READ_DR0 ... SVM_EXIT_READ_DR0 + 7:
	case SVM_EXIT_WRITE_DR0 ... SVM_EXIT_WRITE_DR0 + 7:
		return svm_handle_dr(svm);
	case SVM_EXIT_ERR:
	case (u32)SVM_EXIT_ERR:		/* QEMU's 32-bit exit code */
		return svm_handle_invalid(svm);
	default:
		return vireo_exit_hw(vcpu, VIREO_EXIT_UNKNOWN, c->exit_code, c->exit_info_1,
				     c->exit_info_2, 0);
	}
}

static int svm_run_once(struct vireo_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vireo_vmcb *vmcb = svm->vmcb;
	struct vireo_vmcb_control *c = &vmcb->control;
	struct svm_cpu *sd;
	u64 host_xcr0;
	u32 host_pkru;
	bool qemu_armed;
	int cpu;

	/*
	 * If RIP moved since the exit, the instruction under an STI/MOV SS
	 * shadow has retired (an emulated HLT, say): the shadow is over.
	 */
	if (vcpu->regs[VIREO_REG_RIP] != vmcb->save.rip)
		c->int_state &= ~VMCB_INT_SHADOW;

	if (vcpu->run->request_interrupt_window && !vcpu->extint.valid &&
	    vireo_vcpu_interruptible(vcpu, c->int_state & VMCB_INT_SHADOW))
		return vireo_exit_to_user(vcpu, VIREO_EXIT_IRQ_WINDOW);
	/*
	 * RDTSCP would read IA32_TSC_AUX natively: without it in the guest's
	 * CPUID, intercept it and raise #UD (APM vol. 3 RDTSCP).  RDPID has
	 * no intercept on SVM: hidden, it still reads IA32_TSC_AUX, which
	 * vireo_load_guest_xstate() switches to the guest's (0 unless
	 * userland set it) so that the host's CPU number does not leak.
	 */
	if (vcpu->tsc_aux_offered)
		c->intercept_word4 &= ~VMCB_INTERCEPT_RDTSCP;
	else
		c->intercept_word4 |= VMCB_INTERCEPT_RDTSCP;
	svm_inject_events(svm);

	local_irq_disable();
	cpu = smp_processor_id();
	sd = per_cpu_ptr(&svm_cpu_data, cpu);
	if (unlikely(!sd->enabled || vireo_hw_rebooting())) {
		local_irq_enable();
		svm_complete_virq(svm, false);
		return vireo_exit_hw(vcpu, VIREO_EXIT_INTERNAL_ERROR, 0, cpu, 0,
				     VIREO_INTERNAL_BAD_EXIT);
	}
	WRITE_ONCE(vcpu->cpu, cpu);
	smp_wmb();	/* cpu before mode: pairs with vireo_vcpu_kick_all() */
	WRITE_ONCE(vcpu->mode, VIREO_IN_GUEST);
	/* Pairs with vireo_vcpu_kick_all(): publish mode, then read requests. */
	smp_mb();
	if (need_resched() || signal_pending(current)) {
		WRITE_ONCE(vcpu->mode, VIREO_OUTSIDE_GUEST);
		local_irq_enable();
		svm_complete_virq(svm, false);
		return 0;	/* the run loop reschedules or returns -EINTR */
	}
	if (sd->shared && !sd->tlb_dirty)
		svm_begin_stay(sd);
	svm_prepare_asid(svm, sd, cpu);

	/* The TPR may have been written through the LAPIC: V_TPR is CR8. */
	c->int_ctl = (c->int_ctl & ~VMCB_V_TPR_MASK) | (vcpu->cr8 & 0xf);
	vmcb->save.rax = vcpu->regs[VIREO_REG_RAX];
	vmcb->save.rsp = vcpu->regs[VIREO_REG_RSP];
	vmcb->save.rip = vcpu->regs[VIREO_REG_RIP];
	vmcb->save.rflags = vcpu->regs[VIREO_REG_RFLAGS];

	vmcb->save.dr7 = vcpu->dr7;

	vireo_load_guest_xstate(vcpu, &host_xcr0, &host_pkru);
	vireo_load_guest_dr0_3(vcpu);
	svm_clgi();
	svm_vmsave(page_to_phys(sd->host_save));
	qemu_armed = svm_arm_qemu_breakpoints(vcpu);
	vireo_svm_enter(svm->vmcb_pa, vcpu->regs, page_to_phys(sd->host_save));
	/* #VMEXIT leaves DR7 disabled (APM 15.5); give the host its own back. */
	if (!vireo_restore_host_dr(vcpu) && qemu_armed)
		set_debugreg(0, 7);
	vireo_put_guest_xstate(vcpu, host_xcr0, host_pkru);
	svm_stgi();
	sd->tlb_dirty = sd->shared;
	WRITE_ONCE(vcpu->mode, VIREO_OUTSIDE_GUEST);
	c->tlb_ctl = VMCB_TLB_CONTROL_DO_NOTHING;
	local_irq_enable();

	vcpu->regs[VIREO_REG_RAX] = vmcb->save.rax;
	vcpu->regs[VIREO_REG_RSP] = vmcb->save.rsp;
	vcpu->regs[VIREO_REG_RIP] = vmcb->save.rip;
	vcpu->regs[VIREO_REG_RFLAGS] = vmcb->save.rflags;
	vcpu->dr7 = vmcb->save.dr7;
	vcpu->interrupt_shadow = c->int_state & VMCB_INT_SHADOW;
	vcpu->cr8 = c->int_ctl & VMCB_V_TPR_MASK;
	vcpu->exit_count++;

	svm_complete_virq(svm, true);
	/* An event whose delivery the exit interrupted goes in again. */
	c->event_inj = 0;
	vireo_vcpu_interrupted_event(vcpu, svm_exit_int_info(c), c->exit_int_info_err);
	return svm_handle_exit(svm);
}

const struct vireo_backend_ops vireo_svm_ops = {
	.name = "AMD-V (SVM+NPT)",
	.id = VIREO_BACKEND_SVM,
	.probe = svm_probe,
	.setup = svm_setup,
	.unsetup = svm_unsetup,
	.enable_cpu = svm_enable_cpu,
	.disable_cpu = svm_disable_cpu,
	.kvm_module = "kvm-amd",
	.vcpu_put = svm_vcpu_put,
	.caps_flags = svm_caps_flags,
	.guest_phys_bits = svm_guest_phys_bits,
	.tdp_format = &vireo_npt_format,
	.vcpu_alloc = svm_vcpu_alloc,
	.vcpu_init = svm_vcpu_init,
	.vcpu_free = svm_vcpu_free,
	.get_sregs = svm_get_sregs,
	.set_sregs = svm_set_sregs,
	.get_cr4 = svm_get_cr4,
	.get_msr = svm_get_msr,
	.set_msr = svm_set_msr,
	.run_once = svm_run_once,
};
