// SPDX-License-Identifier: GPL-2.0
/*
 * Intel VT-x backend with EPT and unrestricted guest: guest state in the
 * VMCS, control-register ownership, event injection and exit dispatch.
 * VMXON and VMCS handling live in vmcs.c, EPT in ept.c, the world switch
 * in entry.S.  Exports one symbol: vireo_vmx_ops.
 */
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/apic.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/processor-flags.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <uapi/asm/vmx.h>

#include "vmx.h"
#include "../debugreg_hw.h"
#include "../state_check.h"
#include "../task_switch.h"

/* VMX access rights (SDM vol. 3 25.4.1, table 25-2). */
#define AR_UNUSABLE		(1U << 16)

#define VMX_GUEST_EFER_MASK	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)

/* Exception bitmap: #DB and #AC, see the SVM backend for why. */
#define VMX_EXCEPTIONS		((1U << 1) | (1U << 17))

/* Exit qualification of a control-register access (SDM table 28-3). */
#define CR_QUAL_NUMBER(q)	((q) & 15)
#define CR_QUAL_TYPE(q)		(((q) >> 4) & 3)
#define CR_QUAL_GPR(q)		(((q) >> 8) & 15)
/* Pending debug exceptions, bit 12: an enabled breakpoint was met. */
#define PENDING_DBG_ENABLED_BP	(1ULL << 12)
#define CR_QUAL_LMSW(q)		(((q) >> 16) & 0xffff)

static unsigned int preempt_us;
module_param_named(vmx_preempt_us, preempt_us, uint, 0444);
MODULE_PARM_DESC(vmx_preempt_us, "end every VMX guest run after this many microseconds (0: never; for emulators whose interrupts do not end a run)");

static bool trace_exits;
module_param_named(vmx_trace_exits, trace_exits, bool, 0644);
MODULE_PARM_DESC(vmx_trace_exits, "log every VMX exit (at most 100 a second; debugging only)");
static DEFINE_RATELIMIT_STATE(trace_exits_rs, HZ, 100);

/* ------------------------------------------------------------ module */

static int vmx_probe(void)
{
	u64 feat;

	if (!boot_cpu_has(X86_FEATURE_VMX)) {
		pr_info(VIREO_LOG_PREFIX "this Intel CPU has no usable VMX (VT-x), or the firmware disabled it; VMs are unavailable\n");
		return -ENODEV;
	}
	rdmsrq(MSR_IA32_FEAT_CTL, feat);
	if (!(feat & FEAT_CTL_LOCKED) || !(feat & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_info(VIREO_LOG_PREFIX "VMX is disabled in IA32_FEATURE_CONTROL; enable VT-x in the BIOS setup\n");
		return -ENODEV;
	}
	return vmx_read_caps(preempt_us);
}

static int vmx_setup(void)
{
	pr_info(VIREO_LOG_PREFIX "VMX: EPT, unrestricted guest, VPID %s, preemption timer %u ticks; controls pin %#x proc %#x proc2 %#x exit %#x entry %#x\n",
		vmx_caps.proc2 & SECONDARY_EXEC_ENABLE_VPID ? "yes" : "no", vmx_caps.preempt_ticks,
		vmx_caps.pin,
		vmx_caps.proc, vmx_caps.proc2, vmx_caps.exit, vmx_caps.entry);
	return 0;
}

static void vmx_unsetup(void)
{
}

static u64 vmx_caps_flags(void)
{
	return VIREO_CAP_NESTED_PAGING | VIREO_CAP_READONLY_MEM | VIREO_CAP_NEXT_RIP;
}

static u32 vmx_guest_phys_bits(void)
{
	return min_t(u32, boot_cpu_data.x86_phys_bits, 48);
}

/* ------------------------------------------------- control registers */

/* Bits the host owns: a guest write that changes them exits. */
static u64 vmx_cr0_host_bits(void)
{
	return X86_CR0_PE | X86_CR0_PG | X86_CR0_NE | (~vmx_caps.cr0_fixed1 & 0xffffffffULL);
}

static u64 vmx_cr4_host_bits(void)
{
	return X86_CR4_VMXE | (~vmx_caps.cr4_fixed1 & 0xffffffffULL);
}

/* The value the CPU runs with: forced bits on (PE/PG may be 0). */
static u64 vmx_real_cr0(u64 cr0)
{
	u64 forced = vmx_caps.cr0_fixed0 & ~(u64)(X86_CR0_PE | X86_CR0_PG);

	return (cr0 | forced) & vmx_caps.cr0_fixed1;
}

static u64 vmx_real_cr4(u64 cr4)
{
	return (cr4 | vmx_caps.cr4_fixed0) & vmx_caps.cr4_fixed1;
}

/* VMCS loaded.  Keeps EFER.LMA and the IA-32e entry control in step. */
static void vmx_write_efer(struct vmx_vcpu *vmx, u64 efer)
{
	u32 entry = vmcs_read(VM_ENTRY_CONTROLS);

	vmx->efer = efer;
	vmcs_write(GUEST_IA32_EFER, efer);
	if (efer & EFER_LMA) {
		u32 tr_ar = vmcs_read(GUEST_TR_AR_BYTES);

		entry |= VM_ENTRY_IA32E_MODE;
		/*
		 * VM entry into IA-32e mode wants a 64-bit busy TSS in TR (SDM
		 * 26.3.1.2), but a CPU entering long mode never looks at TR:
		 * an AP's trampoline still has the 16-bit busy TSS of INIT.
		 */
		if ((tr_ar & 0xf) != 11)
			vmcs_write(GUEST_TR_AR_BYTES, (tr_ar & ~0xfU) | 11);
	} else {
		entry &= ~VM_ENTRY_IA32E_MODE;
	}
	vmcs_write(VM_ENTRY_CONTROLS, entry);
}

/* PAE paging outside long mode reads its PDPTEs from the VMCS (SDM 26.3.2.4). */
/* A PDPTE with P set may not set bits 2:1, 8:5 or MAXPHYADDR and up (SDM vol. 3 4.4.1). */
static bool vmx_pdpte_ok(u64 pdpte)
{
	return !(pdpte & 1) || !(pdpte & (0x1e6ULL | ~0ULL << boot_cpu_data.x86_phys_bits));
}

/*
 * The four PDPTEs PAE paging loads with CR3: -EFAULT outside guest
 * memory, -EINVAL for one with a reserved bit (the MOV to CR0/CR3/CR4
 * raises #GP; VM entry would fail, SDM 27.3.1.6).  Reads guest memory:
 * may sleep, so not with the VMCS loaded.
 */
static int vmx_read_pdptrs(struct vmx_vcpu *vmx, u64 cr3, u64 pdpte[4])
{
	int i;

	if (vireo_read_guest(vmx->vcpu.vm, cr3 & ~0x1fULL, pdpte, 4 * sizeof(u64)))
		return -EFAULT;
	for (i = 0; i < 4; i++)
		if (!vmx_pdpte_ok(pdpte[i]))
			return -EINVAL;
	return 0;
}

/* VMCS loaded. */
static void vmx_write_pdptrs(const u64 pdpte[4])
{
	int i;

	for (i = 0; i < 4; i++)
		vmcs_write(GUEST_PDPTR0 + i * 2, pdpte[i]);
}

static int vmx_load_pdptrs(struct vmx_vcpu *vmx, u64 cr3)
{
	u64 pdpte[4];
	int r = vmx_read_pdptrs(vmx, cr3, pdpte);

	if (!r)
		vmx_write_pdptrs(pdpte);
	return r;
}

/*
 * CR4 as the guest sees it.  Bits it owns it writes without an exit, so
 * vmx->cr4 is stale for them (PAE, set by an AP's trampoline just before
 * it turns paging on): those come from GUEST_CR4 as of the last exit.
 */
static u64 vmx_guest_cr4(struct vmx_vcpu *vmx)
{
	u64 host = vmx_cr4_host_bits();

	return (vmx->cr4_cached & ~host) | (vmx->cr4 & host);
}

/* VMCS loaded.  CR0 as the guest sees it: its own bits are live in GUEST_CR0. */
static u64 vmx_guest_cr0(struct vmx_vcpu *vmx)
{
	u64 host = vmx_cr0_host_bits();

	return (vmcs_read(GUEST_CR0) & ~host) | (vmx->cr0 & host);
}

/* VMCS loaded.  Returns -EINVAL for a value that must raise #GP. */
static int vmx_set_cr0(struct vmx_vcpu *vmx, u64 cr0)
{
	u64 efer = vmx->efer, cr4 = vmx_guest_cr4(vmx);
	bool cs_l = vmcs_read(GUEST_CS_AR_BYTES) & (1U << 13);

	/* Paging off in 64-bit mode was let through, and entry then failed. */
	if (vireo_check_cr0_write(vmx->cr0, cr0, efer, cr4, cs_l))
		return -EINVAL;
	if ((cr0 & X86_CR0_PG) && !(vmx->cr0 & X86_CR0_PG) && (efer & EFER_LME))
		efer |= EFER_LMA;
	if (!(cr0 & X86_CR0_PG))
		efer &= ~EFER_LMA;
	if (efer != vmx->efer)
		vmx_write_efer(vmx, efer);
	if ((cr0 & X86_CR0_PG) && (cr4 & X86_CR4_PAE) && !(efer & EFER_LMA) &&
	    vmx_load_pdptrs(vmx, vmcs_read(GUEST_CR3)))
		return -EINVAL;
	vmx->cr0 = cr0;
	vmcs_write(CR0_READ_SHADOW, cr0);
	vmcs_write(GUEST_CR0, vmx_real_cr0(cr0));
	return 0;
}

static int vmx_set_cr4(struct vmx_vcpu *vmx, u64 cr4)
{
	/* The CPU's CR4_FIXED1, and what the guest's CPUID leaves reserved. */
	if (cr4 & vmx_cr4_host_bits() || cr4 & vmx->vcpu.cr4_reserved)
		return -EINVAL;
	vmx->cr4 = cr4;
	vmx->cr4_cached = vmx_real_cr4(cr4);
	vmcs_write(CR4_READ_SHADOW, cr4);
	vmcs_write(GUEST_CR4, vmx->cr4_cached);
	return 0;
}

static u64 vmx_get_cr4(struct vireo_vcpu *vcpu)
{
	return vmx_guest_cr4(to_vmx(vcpu));
}

/* ------------------------------------------------------ guest state */

struct vmx_seg_fields {
	u32 selector, base, limit, ar;
};

#define SEG_FIELDS(s) { GUEST_##s##_SELECTOR, GUEST_##s##_BASE, GUEST_##s##_LIMIT, GUEST_##s##_AR_BYTES }
static const struct vmx_seg_fields vmx_seg_cs = SEG_FIELDS(CS), vmx_seg_ds = SEG_FIELDS(DS),
				   vmx_seg_es = SEG_FIELDS(ES), vmx_seg_fs = SEG_FIELDS(FS),
				   vmx_seg_gs = SEG_FIELDS(GS), vmx_seg_ss = SEG_FIELDS(SS),
				   vmx_seg_tr = SEG_FIELDS(TR), vmx_seg_ldtr = SEG_FIELDS(LDTR);

static void vmx_seg_get(const struct vmx_seg_fields *f, struct vireo_segment *v)
{
	u32 ar = vmcs_read(f->ar);

	v->selector = vmcs_read(f->selector);
	v->base = vmcs_read(f->base);
	v->limit = vmcs_read(f->limit);
	v->type = ar & 0xf;
	v->s = (ar >> 4) & 1;
	v->dpl = (ar >> 5) & 3;
	v->present = (ar >> 7) & 1;
	v->avl = (ar >> 12) & 1;
	v->l = (ar >> 13) & 1;
	v->db = (ar >> 14) & 1;
	v->g = (ar >> 15) & 1;
	v->unusable = !!(ar & AR_UNUSABLE);
}

static void vmx_seg_set(const struct vmx_seg_fields *f, const struct vireo_segment *v)
{
	/*
	 * An unusable SS keeps its DPL: it is the CPL, entry loads it and
	 * checks CS.DPL against it (SDM vol. 3 27.3.1.2, 27.3.2.2).
	 */
	u32 ar = AR_UNUSABLE | (v->dpl & 3) << 5;

	if (!v->unusable)
		ar = (v->type & 0xf) | (v->s & 1) << 4 | (v->dpl & 3) << 5 |
		     (v->present & 1) << 7 | (v->avl & 1) << 12 | (v->l & 1) << 13 |
		     (v->db & 1) << 14 | (v->g & 1) << 15;
	vmcs_write(f->selector, v->selector);
	vmcs_write(f->base, v->base);
	vmcs_write(f->limit, v->limit);
	vmcs_write(f->ar, ar);
}

static void vmx_get_sregs(struct vireo_vcpu *vcpu, struct vireo_sregs *sr)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_get(vmx);
	vmx_seg_get(&vmx_seg_cs, &sr->cs);
	vmx_seg_get(&vmx_seg_ds, &sr->ds);
	vmx_seg_get(&vmx_seg_es, &sr->es);
	vmx_seg_get(&vmx_seg_fs, &sr->fs);
	vmx_seg_get(&vmx_seg_gs, &sr->gs);
	vmx_seg_get(&vmx_seg_ss, &sr->ss);
	vmx_seg_get(&vmx_seg_tr, &sr->tr);
	vmx_seg_get(&vmx_seg_ldtr, &sr->ldt);
	sr->gdt.base = vmcs_read(GUEST_GDTR_BASE);
	sr->gdt.limit = vmcs_read(GUEST_GDTR_LIMIT);
	sr->idt.base = vmcs_read(GUEST_IDTR_BASE);
	sr->idt.limit = vmcs_read(GUEST_IDTR_LIMIT);
	sr->cr0 = vmx_guest_cr0(vmx);
	sr->cr3 = vmcs_read(GUEST_CR3);
	vmx_put(vmx);
	sr->cr2 = vmx->cr2;
	sr->cr4 = vmx_get_cr4(vcpu);
	sr->cr8 = vcpu->cr8;
	sr->efer = vmx->efer;
}

static int vmx_set_sregs(struct vireo_vcpu *vcpu, const struct vireo_sregs *sr)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u64 efer = sr->efer, pdpte[4];
	bool pae = (sr->cr0 & X86_CR0_PG) && (sr->cr4 & X86_CR4_PAE) && !(efer & EFER_LMA);
	int r;

	if (efer & ~VMX_GUEST_EFER_MASK || sr->cr8 > 0xf ||
	    sr->gdt.reserved[0] | sr->gdt.reserved[1] | sr->gdt.reserved[2] ||
	    sr->idt.reserved[0] | sr->idt.reserved[1] | sr->idt.reserved[2])
		return -EINVAL;
	/* The rest was checked by vireo_check_sregs(); CR4_FIXED1 is ours. */
	if (sr->cr4 & vmx_cr4_host_bits())
		return -EINVAL;
	/* PAE paging: its PDPTEs are part of the state (and refused before any is set). */
	if (pae) {
		r = vmx_read_pdptrs(vmx, sr->cr3, pdpte);
		if (r)
			return r;
	}

	vmx_get(vmx);
	/* With VPID, entry keeps the old address space's translations. */
	if (sr->cr3 != vmcs_read(GUEST_CR3))
		vmx->need_flush = true;
	vmx_seg_set(&vmx_seg_cs, &sr->cs);
	vmx_seg_set(&vmx_seg_ds, &sr->ds);
	vmx_seg_set(&vmx_seg_es, &sr->es);
	vmx_seg_set(&vmx_seg_fs, &sr->fs);
	vmx_seg_set(&vmx_seg_gs, &sr->gs);
	vmx_seg_set(&vmx_seg_ss, &sr->ss);
	vmx_seg_set(&vmx_seg_tr, &sr->tr);
	vmx_seg_set(&vmx_seg_ldtr, &sr->ldt);
	vmcs_write(GUEST_GDTR_BASE, sr->gdt.base);
	vmcs_write(GUEST_GDTR_LIMIT, sr->gdt.limit);
	vmcs_write(GUEST_IDTR_BASE, sr->idt.base);
	vmcs_write(GUEST_IDTR_LIMIT, sr->idt.limit);
	vmcs_write(GUEST_CR3, sr->cr3);
	vmx_set_cr4(vmx, sr->cr4);
	vmx_write_efer(vmx, efer);
	/* Set CR0 as a whole: no transition logic, userland gave all state. */
	vmx->cr0 = sr->cr0;
	vmcs_write(CR0_READ_SHADOW, sr->cr0);
	vmcs_write(GUEST_CR0, vmx_real_cr0(sr->cr0));
	if (pae)
		vmx_write_pdptrs(pdpte);
	vmx_put(vmx);
	vmx->cr2 = sr->cr2;
	vcpu->cr8 = sr->cr8;
	return 0;
}

static int vmx_get_msr(struct vireo_vcpu *vcpu, u32 index, u64 *data)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long field = 0;

	switch (index) {
	case MSR_EFER:
		*data = vmx->efer;
		return 0;
	case MSR_STAR:
		*data = vmx->star;
		return 0;
	case MSR_LSTAR:
		*data = vmx->lstar;
		return 0;
	case MSR_CSTAR:
		*data = vmx->cstar;
		return 0;
	case MSR_SYSCALL_MASK:
		*data = vmx->sfmask;
		return 0;
	case MSR_KERNEL_GS_BASE:
		*data = vmx->kernel_gs_base;
		return 0;
	case MSR_FS_BASE:
		field = GUEST_FS_BASE;
		break;
	case MSR_GS_BASE:
		field = GUEST_GS_BASE;
		break;
	case MSR_IA32_SYSENTER_CS:
		field = GUEST_SYSENTER_CS;
		break;
	case MSR_IA32_SYSENTER_ESP:
		field = GUEST_SYSENTER_ESP;
		break;
	case MSR_IA32_SYSENTER_EIP:
		field = GUEST_SYSENTER_EIP;
		break;
	case MSR_IA32_CR_PAT:
		field = GUEST_IA32_PAT;
		break;
	case MSR_IA32_TSC:
		field = TSC_OFFSET;
		break;
	default:
		return -EINVAL;
	}
	vmx_get(vmx);
	*data = vmcs_read(field);
	vmx_put(vmx);
	if (index == MSR_IA32_TSC)
		*data += rdtsc();
	return 0;
}

static int vmx_set_msr(struct vireo_vcpu *vcpu, u32 index, u64 data, bool from_guest)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long field = 0;

	switch (index) {
	case MSR_EFER:
		if (data & ~VMX_GUEST_EFER_MASK)
			return -EINVAL;
		if (from_guest)
			data = (data & ~EFER_LMA) | (vmx->efer & EFER_LMA);
		vmx_get(vmx);
		vmx_write_efer(vmx, data);
		vmx_put(vmx);
		return 0;
	case MSR_STAR:
		vmx->star = data;
		return 0;
	case MSR_LSTAR:
		vmx->lstar = data;
		return 0;
	case MSR_CSTAR:
		vmx->cstar = data;
		return 0;
	case MSR_SYSCALL_MASK:
		vmx->sfmask = data;
		return 0;
	case MSR_KERNEL_GS_BASE:
		vmx->kernel_gs_base = data;
		return 0;
	case MSR_FS_BASE:
		field = GUEST_FS_BASE;
		break;
	case MSR_GS_BASE:
		field = GUEST_GS_BASE;
		break;
	case MSR_IA32_SYSENTER_CS:
		field = GUEST_SYSENTER_CS;
		break;
	case MSR_IA32_SYSENTER_ESP:
		field = GUEST_SYSENTER_ESP;
		break;
	case MSR_IA32_SYSENTER_EIP:
		field = GUEST_SYSENTER_EIP;
		break;
	case MSR_IA32_CR_PAT:
		if (!vireo_pat_valid(data))
			return -EINVAL;
		field = GUEST_IA32_PAT;
		break;
	case MSR_IA32_TSC:
		field = TSC_OFFSET;
		data -= rdtsc();
		break;
	default:
		return -EINVAL;
	}
	vmx_get(vmx);
	vmcs_write(field, data);
	vmx_put(vmx);
	return 0;
}

/* ------------------------------------------------------------- vCPU */

/* Power-on state: the VMCS-only fields here, the rest is common.  VMCS loaded. */
static void vmx_reset_state(struct vmx_vcpu *vmx)
{
	vmcs_write(CR0_GUEST_HOST_MASK, vmx_cr0_host_bits());
	vmx->cr4_mask = vmx_cr4_host_bits();
	vmcs_write(CR4_GUEST_HOST_MASK, vmx->cr4_mask);
	vmcs_write(GUEST_DR7, 0x400);
	vmcs_write(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(GUEST_IA32_PAT, 0x0007040600070406ULL);
	vmcs_write(GUEST_SYSENTER_CS, 0);
	vmcs_write(GUEST_SYSENTER_ESP, 0);
	vmcs_write(GUEST_SYSENTER_EIP, 0);
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write(GUEST_ACTIVITY_STATE, 0);
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmx->dr6 = DR6_RESERVED;
	vmcs_write(EXCEPTION_BITMAP, VMX_EXCEPTIONS);
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmx->event_pending = false;
	vmx->star = vmx->lstar = vmx->cstar = vmx->sfmask = vmx->kernel_gs_base = 0;
	vireo_vcpu_init_state(&vmx->vcpu);
}

/* All-ones I/O and MSR bitmaps: every port and MSR access exits. */
static void *vmx_io_bitmaps;	/* 8 KiB: A (ports 0-7fff), B */
static void *vmx_msr_bitmap;	/* 4 KiB */

static int vmx_vcpu_init(struct vireo_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	int r;

	vmx->vpid = vmx_vpid_alloc();
	if (!vmx->vpid && (vmx_caps.proc2 & SECONDARY_EXEC_ENABLE_VPID))
		return -EBUSY;
	r = vmx_vmcs_alloc(vmx);
	if (r)
		return r;

	vmx_get(vmx);
	vmx_setup_controls(vmx);
	vmcs_write(IO_BITMAP_A, virt_to_phys(vmx_io_bitmaps));
	vmcs_write(IO_BITMAP_B, virt_to_phys(vmx_io_bitmaps) + PAGE_SIZE);
	vmcs_write(MSR_BITMAP, virt_to_phys(vmx_msr_bitmap));
	vmx_reset_state(vmx);
	vmx_put(vmx);
	return 0;
}

static struct vireo_vcpu *vmx_vcpu_alloc(void)
{
	struct vmx_vcpu *vmx = kzalloc(sizeof(*vmx), GFP_KERNEL_ACCOUNT);

	if (!vmx)
		return NULL;
	vmx->loaded_cpu = -1;
	return &vmx->vcpu;
}

static void vmx_vcpu_free(struct vireo_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_vmcs_free(vmx);
	vmx_vpid_free(vmx->vpid);
	kfree(vmx);
}

/* ---------------------------------------------------------- exits */

struct vmx_exit {
	u32 reason;
	u64 qual;
	u64 gpa;
	u32 intr_info;
	u32 intr_error;
	u32 insn_len;
	u32 insn_info;
	u32 idt_info;
	u32 idt_error;
};

static void vmx_skip(struct vmx_vcpu *vmx, const struct vmx_exit *e)
{
	vireo_retire_insn(&vmx->vcpu, vmx->vcpu.regs[VIREO_REG_RIP] + e->insn_len);
}

/*
 * A #DB that exited does not write DR6 (SDM "Architectural State Before a
 * VM Exit"): its exit qualification has the bits (B0-B3, BD, BS; table
 * "Exit Qualification for Debug Exceptions"), which go into the guest's
 * DR6 as the CPU would have put them (B0-B3 replaced, the rest sticky,
 * SDM 17.2.3) before the #DB is reflected.
 */
static void vmx_debug_exit_dr6(struct vmx_vcpu *vmx, u64 qual)
{
	u64 bits = qual & (DR_TRAP_BITS | DR_STEP | (1ULL << 13));

	vmx->dr6 = (vmx->dr6 & ~(u64)DR_TRAP_BITS) | DR6_RESERVED | bits;
}

/*
 * MOV DR (exit qualification: SDM table "Exit Qualification for MOV DR").
 * The CPU has checked CPL and DR4/DR5 with CR4.DE before exiting (SDM
 * "Relative Priority of Faults and VM Exits"); debugreg.c does the rest.
 */
static int vmx_handle_dr(struct vmx_vcpu *vmx, const struct vmx_exit *e)
{
	struct vireo_vcpu *vcpu = &vmx->vcpu;
	struct vireo_mov_dr m = {
		.dr = e->qual & 7,
		.gpr = CR_QUAL_GPR(e->qual),
		.write = !(e->qual & 16),
		.wide = (vmx->efer & EFER_LMA) && (vmcs_read(GUEST_CS_AR_BYTES) & (1U << 13)),
	};
	unsigned int cpl = (vmcs_read(GUEST_SS_AR_BYTES) >> 5) & 3;

	vireo_handle_mov_dr(vcpu, &m, vmx_guest_cr4(vmx), cpl, &vmx->dr6,
			    vcpu->regs[VIREO_REG_RIP] + e->insn_len);
	return 0;
}

static int vmx_handle_io(struct vmx_vcpu *vmx, const struct vmx_exit *e)
{
	struct vireo_exit_io io = {
		.direction = (e->qual & 8) ? VIREO_IO_IN : VIREO_IO_OUT,
		.size = (e->qual & 7) + 1,
		.string = !!(e->qual & 16),
		.rep = !!(e->qual & 32),
		.port = e->qual >> 16,
	};

	if (io.string) {
		if (vmx_caps.ins_outs_info) {
			io.address_size = 2 << ((e->insn_info >> 7) & 3);
		} else {
			struct vireo_segment cs;

			vmx_get(vmx);
			vmx_seg_get(&vmx_seg_cs, &cs);
			vmx_put(vmx);
			io.address_size = (vmx->efer & EFER_LMA) && cs.l ? 8 : cs.db ? 4 : 2;
		}
	}
	return vireo_handle_io(&vmx->vcpu, &io, vmx->vcpu.regs[VIREO_REG_RIP] + e->insn_len);
}

static int vmx_handle_cr(struct vmx_vcpu *vmx, const struct vmx_exit *e)
{
	struct vireo_vcpu *vcpu = &vmx->vcpu;
	u64 *reg = &vcpu->regs[CR_QUAL_GPR(e->qual)];
	int cr = CR_QUAL_NUMBER(e->qual);
	int r = 0;

	vmx_get(vmx);
	switch (CR_QUAL_TYPE(e->qual)) {
	case 0:	/* MOV to CR */
		if (cr == 0)
			r = vmx_set_cr0(vmx, *reg);
		else if (cr == 3 && (*reg & ~(1ULL << 63)) >> boot_cpu_data.x86_phys_bits)
			r = -EINVAL;	/* above MAXPHYADDR (bit 63: PCID no-flush) */
		else if (cr == 3)
			vmcs_write(GUEST_CR3, *reg);
		else if (cr == 4)
			r = vireo_check_cr4_write(vcpu, vmx_guest_cr4(vmx), *reg, vmx->efer,
						  vmcs_read(GUEST_CR3)) ?:
			    vmx_set_cr4(vmx, *reg);
		else if (cr == 8)
			r = *reg > 0xf ? -EINVAL : (vcpu->cr8 = *reg, 0);
		else
			r = -EINVAL;
		break;
	case 1:	/* MOV from CR */
		if (cr == 3)
			*reg = vmcs_read(GUEST_CR3);
		else if (cr == 8)
			*reg = vcpu->cr8;
		else
			r = -EINVAL;
		break;
	case 2:	/* CLTS */
		r = vmx_set_cr0(vmx, vmx_guest_cr0(vmx) & ~X86_CR0_TS);
		break;
	case 3:	/* LMSW: loads PE, MP, EM, TS; cannot clear PE */
		r = vmx_set_cr0(vmx, (vmx_guest_cr0(vmx) & ~0xeULL) |
					 (CR_QUAL_LMSW(e->qual) & 0xf));
		break;
	}
	vmx_put(vmx);
	if (r)
		vireo_vcpu_queue_exception(vcpu, 13, true, 0);
	else
		vmx_skip(vmx, e);
	return 0;
}

static int vmx_handle_exception_nmi(struct vmx_vcpu *vmx, const struct vmx_exit *e)
{
	u32 type = e->intr_info & INTR_INFO_INTR_TYPE_MASK;
	u8 vector = e->intr_info & INTR_INFO_VECTOR_MASK;

	if (type == INTR_TYPE_NMI_INTR)
		return 0;	/* passed to the host right after the exit */
	if (vector == 1)
		vmx_debug_exit_dr6(vmx, e->qual);
	if (vector == 1 || vector == 17) {
		vireo_vcpu_queue_exception(&vmx->vcpu, vector,
					   e->intr_info & INTR_INFO_DELIVER_CODE_MASK,
					   e->intr_error);
		return 0;
	}
	return vireo_exit_hw(&vmx->vcpu, VIREO_EXIT_UNKNOWN, e->reason, e->intr_info, e->qual, 0);
}

/*
 * A task switch (SDM 26.4.2: it exits once the gate or TSS privilege
 * checks pass; qualification in table 28-2).  Through a task gate the
 * interrupted event is delivered by the switch, not again; a hardware
 * exception's error code goes on the new task's stack.  CALL, JMP, IRET
 * and INT n / INT3 / INTO / INT1 save the EIP after the instruction
 * (the exit's instruction length, SDM 28.2.5), as KVM's handle_task_switch.
 */
static int vmx_handle_task_switch(struct vmx_vcpu *vmx, const struct vmx_exit *e)
{
	struct vireo_vcpu *vcpu = &vmx->vcpu;
	enum vireo_task_switch_source source = (e->qual >> 30) & 3;
	bool vectoring = e->idt_info & VECTORING_INFO_VALID_MASK;
	u32 type = e->idt_info & VECTORING_INFO_TYPE_MASK;
	bool has_error = false;

	if (source == VIREO_TS_GATE && vectoring) {
		vcpu->reinject.valid = false;
		has_error = type == INTR_TYPE_HARD_EXCEPTION &&
			    (e->idt_info & VECTORING_INFO_DELIVER_CODE_MASK);
		/*
		 * An NMI's handler runs with NMIs blocked until its IRET (SDM
		 * 6.7.1): vcpu->nmi_blocked, which the next entry writes into
		 * the interruptibility state (vmx_set_nmi_blocking()).
		 */
		if (type == INTR_TYPE_NMI_INTR)
			vcpu->nmi_blocked = vmx_caps.vnmi;
	}
	/* A task switch by IRET is an IRET: it ends NMI blocking. */
	if (source == VIREO_TS_IRET)
		vcpu->nmi_blocked = false;
	return vireo_task_switch(vcpu, e->qual & 0xffff, source,
				 !vectoring || type >= INTR_TYPE_SOFT_INTR ? e->insn_len : 0,
				 has_error, e->idt_error);
}

static int vmx_entry_failed(struct vmx_vcpu *vmx, const struct vmx_exit *e)
{
	pr_info_ratelimited(VIREO_LOG_PREFIX "VM entry failed: exit reason %u (%s), qualification %#llx\n",
			    e->reason & 0xffff,
			    (e->reason & 0xffff) == EXIT_REASON_INVALID_STATE ? "invalid guest state" :
			    (e->reason & 0xffff) == EXIT_REASON_MSR_LOAD_FAIL ? "MSR loading" :
			    (e->reason & 0xffff) == EXIT_REASON_MCE_DURING_VMENTRY ? "machine check" :
			    "other", e->qual);
	return vireo_exit_hw(&vmx->vcpu, VIREO_EXIT_FAIL_ENTRY, e->reason, e->qual, 0, 0);
}

static int vmx_handle_exit(struct vmx_vcpu *vmx, const struct vmx_exit *e)
{
	struct vireo_vcpu *vcpu = &vmx->vcpu;
	u64 *regs = vcpu->regs;

	if (trace_exits && __ratelimit(&trace_exits_rs))
		pr_info(VIREO_LOG_PREFIX "vcpu %u exit %u qual %#llx gpa %#llx rip %#llx rflags %#llx idt %#x\n",
			vcpu->id, e->reason, e->qual, e->gpa, regs[VIREO_REG_RIP],
			regs[VIREO_REG_RFLAGS], e->idt_info);
	if (e->reason & VMX_EXIT_REASONS_FAILED_VMENTRY)
		return vmx_entry_failed(vmx, e);

	switch (e->reason) {
	case EXIT_REASON_EXTERNAL_INTERRUPT:
	case EXIT_REASON_PREEMPTION_TIMER:
		return 0;	/* the host took it when we re-enabled */
	case EXIT_REASON_EXCEPTION_NMI:
		return vmx_handle_exception_nmi(vmx, e);
	case EXIT_REASON_INTERRUPT_WINDOW:
		if (!vcpu->extint.valid && vcpu->run->request_interrupt_window)
			return vireo_exit_to_user(vcpu, VIREO_EXIT_IRQ_WINDOW);
		return 0;
	case EXIT_REASON_NMI_WINDOW:
		return 0;	/* the waiting NMI goes in at this entry */
	case EXIT_REASON_CPUID:
		return vireo_handle_cpuid(vcpu, e->insn_len);
	case EXIT_REASON_HLT:
		return vireo_handle_hlt(vcpu, e->insn_len);
	case EXIT_REASON_IO_INSTRUCTION:
		return vmx_handle_io(vmx, e);
	case EXIT_REASON_MSR_READ:
	case EXIT_REASON_MSR_WRITE:
		return vireo_handle_msr(vcpu, e->reason == EXIT_REASON_MSR_WRITE,
					regs[VIREO_REG_RIP] + e->insn_len);
	case EXIT_REASON_EPT_VIOLATION:
		return vireo_handle_tdp_fault(vcpu, e->gpa, e->qual & 2);
	case EXIT_REASON_EPT_MISCONFIG:
		pr_err_ratelimited(VIREO_LOG_PREFIX "EPT misconfiguration at gpa %#llx\n", e->gpa);
		return vireo_exit_hw(vcpu, VIREO_EXIT_INTERNAL_ERROR, e->reason, e->qual, e->gpa,
				     VIREO_INTERNAL_BAD_EXIT);
	case EXIT_REASON_CR_ACCESS:
		return vmx_handle_cr(vmx, e);
	case EXIT_REASON_DR_ACCESS:
		return vmx_handle_dr(vmx, e);
	case EXIT_REASON_XSETBV:
		return vireo_handle_xsetbv(vcpu, e->insn_len);
	case EXIT_REASON_TASK_SWITCH:
		return vmx_handle_task_switch(vmx, e);
	case EXIT_REASON_INVD:
		vmx_skip(vmx, e);
		return 0;
	case EXIT_REASON_VMCALL:
	case EXIT_REASON_VMCLEAR:
	case EXIT_REASON_VMLAUNCH:
	case EXIT_REASON_VMPTRLD:
	case EXIT_REASON_VMPTRST:
	case EXIT_REASON_VMREAD:
	case EXIT_REASON_VMRESUME:
	case EXIT_REASON_VMWRITE:
	case EXIT_REASON_VMOFF:
	case EXIT_REASON_VMON:
	case EXIT_REASON_INVEPT:
	case EXIT_REASON_INVVPID:
	case EXIT_REASON_VMFUNC:
	case EXIT_REASON_MWAIT_INSTRUCTION:
	case EXIT_REASON_MONITOR_INSTRUCTION:
		vireo_vcpu_queue_exception(vcpu, 6, false, 0);	/* #UD */
		return 0;
	case EXIT_REASON_TRIPLE_FAULT: {
		u64 rip = regs[VIREO_REG_RIP];

		vmx_get(vmx);
		vmx_reset_state(vmx);
		vmx_put(vmx);
		vcpu->reinject.valid = vcpu->exception.valid = false;
		vireo_exit_hw(vcpu, VIREO_EXIT_SHUTDOWN, e->reason, rip, 0, 0);
		vcpu->run->rip = rip;
		return 1;
	}
	default:
		return vireo_exit_hw(vcpu, VIREO_EXIT_UNKNOWN, e->reason, e->qual, e->gpa, 0);
	}
}

/* ------------------------------------------------------ world switch */

/*
 * The guest's NMI blocking is virtual-NMI blocking (bit 3 of the
 * interruptibility state, SDM 25.4.2 "Guest Non-Register State"), from
 * vcpu->nmi_blocked; except when this entry injects an NMI, which entry
 * refuses with the bit set ("Checks on Guest Non-Register State") and
 * whose delivery sets it.  VMCS loaded.
 */
static void vmx_set_nmi_blocking(struct vmx_vcpu *vmx)
{
	u32 intr = vmcs_read(GUEST_INTERRUPTIBILITY_INFO);
	u32 want = intr & ~GUEST_INTR_STATE_NMI;
	u32 info = vmx->event_pending ? vmcs_read(VM_ENTRY_INTR_INFO_FIELD) : 0;

	if (vmx->vcpu.nmi_blocked && (info & INTR_INFO_INTR_TYPE_MASK) != INTR_TYPE_NMI_INTR)
		want |= GUEST_INTR_STATE_NMI;
	if (want != intr)
		vmcs_write(GUEST_INTERRUPTIBILITY_INFO, want);
}

/*
 * After an exit: blocking as the CPU left it, and set again when the exit
 * interrupted an IRET that had unblocked NMIs ("NMI unblocking due to
 * IRET", bit 12 of the exit interruption information or, for EPT
 * violations, of the qualification; SDM "Information for VM Exits Due to
 * Vectored Events" and the EPT-violation qualification table): that IRET
 * is executed again.  Not for an exit during
 * event delivery, where the bit is undefined.
 */
static void vmx_sync_nmi_blocking(struct vmx_vcpu *vmx, const struct vmx_exit *e, u32 intr)
{
	bool refault = false;

	if (!vmx_caps.vnmi) {
		vmx->vcpu.nmi_blocked = false;	/* no way to know: NMIs as before */
		return;
	}
	if (!(e->idt_info & VECTORING_INFO_VALID_MASK)) {
		if (e->reason == EXIT_REASON_EXCEPTION_NMI)
			refault = (e->intr_info & INTR_INFO_UNBLOCK_NMI) &&
				  (e->intr_info & INTR_INFO_VECTOR_MASK) != 8;
		else if (e->reason == EXIT_REASON_EPT_VIOLATION)
			refault = e->qual & INTR_INFO_UNBLOCK_NMI;
	}
	vmx->vcpu.nmi_blocked = (intr & GUEST_INTR_STATE_NMI) || refault;
}

/* VMCS loaded, interrupts off. */
static void vmx_inject_events(struct vmx_vcpu *vmx)
{
	struct vireo_vcpu *vcpu = &vmx->vcpu;
	struct vireo_pending_event ev;
	u32 intr = vmcs_read(GUEST_INTERRUPTIBILITY_INFO);
	u32 proc = vmx->proc_ctl & ~(CPU_BASED_INTR_WINDOW_EXITING | CPU_BASED_NMI_WINDOW_EXITING);
	bool shadow = intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS);

	if (!vmx->event_pending && vireo_vcpu_pick_event(vcpu, shadow, &ev)) {
		/*
		 * Real mode pushes no error codes, protected mode does for the
		 * vectors that have one; entry checks the bit against CR0.PE
		 * (SDM 26.2.1.3).  An exception an exit interrupted keeps the
		 * bit of the mode it was first delivered in: a SET_SREGS since
		 * may have changed the mode (the error code is then 0).
		 */
		if (!(vmx->cr0 & X86_CR0_PE))
			ev.has_error_code = false;
		else if (ev.type == VIREO_EVENT_EXCEPTION)
			ev.has_error_code = vireo_exception_has_error_code(ev.vector);
		vmcs_write(VM_ENTRY_INTR_INFO_FIELD, vireo_event_encode(&ev));
		vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, ev.error_code);
		vmx->event_pending = true;
	}
	/*
	 * A single-step trap owed for an instruction completed here goes in
	 * as a pending debug exception (BS), which the CPU delivers after
	 * entry as a trap of the previous instruction, before NMIs, interrupts
	 * and window exits, held by MOV SS blocking (SDM "Delivery of Pending
	 * Debug Exceptions after VM Entry"); pick has held NMIs and
	 * interrupts back for it.  An entry that injects a hardware event
	 * ignores the field, so the trap waits for an entry without one (as
	 * on SVM, behind a queued exception).
	 */
	if (vcpu->pending_dbg && !vmx->event_pending) {
		u64 pending = vcpu->pending_dbg;

		/* B0-B3 of a met enabled breakpoint need bit 12 (SDM "Guest Non-Register State"). */
		if (pending & DR_TRAP_BITS)
			pending |= PENDING_DBG_ENABLED_BP;
		vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS,
			   vmcs_read(GUEST_PENDING_DBG_EXCEPTIONS) | pending);
		vcpu->pending_dbg = 0;
	}
	if (vmx_caps.vnmi) {
		vmx_set_nmi_blocking(vmx);
		if (vireo_vcpu_wants_nmi_window(vcpu))
			proc |= CPU_BASED_NMI_WINDOW_EXITING;
	}
	if (vireo_vcpu_wants_irq_window(vcpu))
		proc |= CPU_BASED_INTR_WINDOW_EXITING;
	if (proc != vmx->proc_ctl) {
		vmx->proc_ctl = proc;
		vmcs_write(CPU_BASED_VM_EXEC_CONTROL, proc);
	}
}

static inline u16 vmx_read_ldt(void)
{
	u16 ldt;

	asm volatile("sldt %0" : "=g"(ldt));
	return ldt;
}

static inline void vmx_load_ldt(u16 sel)
{
	asm volatile("lldt %0" : : "rm"(sel));
}

/* The syscall MSRs are not switched by VM entry/exit: swap them here. */
struct vmx_host_msrs {
	u64 star, lstar, cstar, sfmask, kernel_gs_base;
	u16 ds, es, fs, gs, ldt;
};

static void vmx_switch_to_guest_msrs(struct vmx_vcpu *vmx, struct vmx_host_msrs *h)
{
	rdmsrq(MSR_STAR, h->star);
	rdmsrq(MSR_LSTAR, h->lstar);
	rdmsrq(MSR_CSTAR, h->cstar);
	rdmsrq(MSR_SYSCALL_MASK, h->sfmask);
	rdmsrq(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
	savesegment(ds, h->ds);
	savesegment(es, h->es);
	savesegment(fs, h->fs);
	savesegment(gs, h->gs);
	h->ldt = vmx_read_ldt();
	wrmsrq(MSR_STAR, vmx->star);
	wrmsrq(MSR_LSTAR, vmx->lstar);
	wrmsrq(MSR_CSTAR, vmx->cstar);
	wrmsrq(MSR_SYSCALL_MASK, vmx->sfmask);
	wrmsrq(MSR_KERNEL_GS_BASE, vmx->kernel_gs_base);
}

static void vmx_switch_to_host_msrs(struct vmx_vcpu *vmx, const struct vmx_host_msrs *h)
{
	rdmsrq(MSR_KERNEL_GS_BASE, vmx->kernel_gs_base);	/* SWAPGS changes it */
	wrmsrq(MSR_STAR, h->star);
	wrmsrq(MSR_LSTAR, h->lstar);
	wrmsrq(MSR_CSTAR, h->cstar);
	wrmsrq(MSR_SYSCALL_MASK, h->sfmask);
	/* VM exit zeroed the data selectors and the LDT (SDM 28.5.2). */
	if (h->ds)
		loadsegment(ds, h->ds);
	if (h->es)
		loadsegment(es, h->es);
	if (h->ldt || (h->gs & 7)) {
		vmx_load_ldt(h->ldt);
		load_gs_index(h->gs);
	}
	if (h->fs & 7)
		loadsegment(fs, h->fs);
	wrmsrq(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
	/* Exit set the TR limit to 0x67 and the GDT limit to 0xffff. */
	invalidate_tss_limit();
	load_fixmap_gdt(smp_processor_id());
}

/*
 * "Enable RDTSCP" follows the guest's CPUID: without RDTSCP and RDPID
 * there, both raise #UD (SDM vol. 3 26.3, "RDTSCP", "RDPID"), as on a CPU
 * without them.  The VMCS must be current (vmx_load()).
 */
static void vmx_update_rdtscp(struct vmx_vcpu *vmx)
{
	u32 want = vmx_caps.proc2;

	if (!vmx->vcpu.tsc_aux_offered)
		want &= ~SECONDARY_EXEC_ENABLE_RDTSCP;
	if (want != vmx->proc2_ctl) {
		vmx->proc2_ctl = want;
		vmcs_write(SECONDARY_VM_EXEC_CONTROL, want);
	}
}

static int vmx_run_once(struct vireo_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_host_msrs host;
	struct vmx_exit e = {};
	u64 host_xcr0;
	u32 host_pkru;
	int gen, failed;
	u32 intr;

	if (vcpu->run->request_interrupt_window && !vcpu->extint.valid &&
	    vireo_vcpu_interruptible(vcpu, vcpu->interrupt_shadow))
		return vireo_exit_to_user(vcpu, VIREO_EXIT_IRQ_WINDOW);

	preempt_disable();
	vmx_load(vmx);
	vmx_update_rdtscp(vmx);
	local_irq_disable();
	WRITE_ONCE(vcpu->cpu, smp_processor_id());
	smp_wmb();	/* cpu before mode: pairs with vireo_vcpu_kick_all() */
	WRITE_ONCE(vcpu->mode, VIREO_IN_GUEST);
	smp_mb();	/* pairs with vireo_vcpu_kick_all() */
	if (need_resched() || signal_pending(current)) {
		WRITE_ONCE(vcpu->mode, VIREO_OUTSIDE_GUEST);
		local_irq_enable();
		preempt_enable();
		return 0;
	}

	/* A moved RIP means the instruction under an STI shadow retired. */
	if (vcpu->regs[VIREO_REG_RIP] != vmcs_read(GUEST_RIP) || vcpu->interrupt_shadow) {
		u32 intr = vmcs_read(GUEST_INTERRUPTIBILITY_INFO);

		if (vcpu->regs[VIREO_REG_RIP] != vmcs_read(GUEST_RIP) ||
		    !(vcpu->regs[VIREO_REG_RFLAGS] & X86_EFLAGS_IF))
			intr &= ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS);
		vmcs_write(GUEST_INTERRUPTIBILITY_INFO, intr);
	}
	vmx_inject_events(vmx);
	/*
	 * CR4 bits the guest's CPUID leaves out are the host's too: the
	 * guest's MOV CR4 setting one exits, and vmx_set_cr4() #GPs it, as
	 * a CPU without the feature would.  PKE stays the host's as well:
	 * whether the guest's PKRU is loaded around entry follows it
	 * (vireo_load_guest_xstate()), so every change of it must exit.
	 */
	if ((vmx_cr4_host_bits() | X86_CR4_PKE | vcpu->cr4_reserved) != vmx->cr4_mask) {
		vmx->cr4_mask = vmx_cr4_host_bits() | X86_CR4_PKE | vcpu->cr4_reserved;
		vmcs_write(CR4_GUEST_HOST_MASK, vmx->cr4_mask);
	}

	gen = atomic_read(&vcpu->vm->tlb_generation);
	if (vmx->need_flush || vcpu->tlb_generation != gen) {
		vmx_flush_guest(vmx);
		vmx->need_flush = false;
		vcpu->tlb_generation = gen;
	}
	vmx_refresh_host_state();
	if (vmx_caps.preempt_ticks)
		vmcs_write(VMX_PREEMPTION_TIMER_VALUE, vmx_caps.preempt_ticks);
	vmcs_write(GUEST_RSP, vcpu->regs[VIREO_REG_RSP]);
	vmcs_write(GUEST_RIP, vcpu->regs[VIREO_REG_RIP]);
	vmcs_write(GUEST_RFLAGS, vcpu->regs[VIREO_REG_RFLAGS]);

	vireo_load_guest_xstate(vcpu, &host_xcr0, &host_pkru);
	vmx_switch_to_guest_msrs(vmx, &host);
	if (native_read_cr2() != vmx->cr2)
		native_write_cr2(vmx->cr2);
	/* DR6 is not in the VMCS: the guest has the CPU's. */
	if (vmx->dr6 != DR6_RESERVED)
		set_debugreg(vmx->dr6, 6);
	vmcs_write(GUEST_DR7, vcpu->dr7);
	vireo_load_guest_dr0_3(vcpu);

	failed = vireo_vmx_enter(vcpu->regs, vmx->launched);

	vmx->cr2 = native_read_cr2();
	vcpu->dr7 = vmcs_read(GUEST_DR7);
	get_debugreg(vmx->dr6, 6);
	if (vmx->dr6 != DR6_RESERVED)
		set_debugreg(DR6_RESERVED, 6);
	vmx_switch_to_host_msrs(vmx, &host);
	vireo_put_guest_xstate(vcpu, host_xcr0, host_pkru);
	if (hw_breakpoint_active())
		hw_breakpoint_restore();

	if (failed) {
		e.reason = vmcs_read(VM_INSTRUCTION_ERROR);
		/*
		 * VMfail: nothing was entered.  An event in the entry fields is
		 * dropped, so that one the CPU refuses (error 7) cannot make
		 * every later entry fail too.
		 */
		vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);
		vmx->event_pending = false;
	} else {
		e.reason = vmcs_read(VM_EXIT_REASON);
		/* A failed VM entry (bit 31) does not launch the VMCS (SDM 27.8). */
		if (!(e.reason & VMX_EXIT_REASONS_FAILED_VMENTRY))
			vmx->launched = true;
		e.qual = vmcs_read(EXIT_QUALIFICATION);
		e.gpa = vmcs_read(GUEST_PHYSICAL_ADDRESS);
		e.intr_info = vmcs_read(VM_EXIT_INTR_INFO);
		e.intr_error = vmcs_read(VM_EXIT_INTR_ERROR_CODE);
		e.insn_len = vmcs_read(VM_EXIT_INSTRUCTION_LEN);
		e.insn_info = vmcs_read(VMX_INSTRUCTION_INFO);
		e.idt_info = vmcs_read(IDT_VECTORING_INFO_FIELD);
		e.idt_error = vmcs_read(IDT_VECTORING_ERROR_CODE);
		/* An NMI that ended the run belongs to the host: raise it again. */
		if (e.reason == EXIT_REASON_EXCEPTION_NMI &&
		    (e.intr_info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR)
			apic->send_IPI(smp_processor_id(), NMI_VECTOR);
		vcpu->regs[VIREO_REG_RSP] = vmcs_read(GUEST_RSP);
		vcpu->regs[VIREO_REG_RIP] = vmcs_read(GUEST_RIP);
		vcpu->regs[VIREO_REG_RFLAGS] = vmcs_read(GUEST_RFLAGS);
		intr = vmcs_read(GUEST_INTERRUPTIBILITY_INFO);
		vcpu->interrupt_shadow = intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS);
		vmx_sync_nmi_blocking(vmx, &e, intr);
		vmx->cr4_cached = vmcs_read(GUEST_CR4);
		vmx->efer = vmcs_read(GUEST_IA32_EFER);
		/* Entry delivered (or the exit reports in IDT-vectoring info). */
		vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);
		vmx->event_pending = false;
	}
	WRITE_ONCE(vcpu->mode, VIREO_OUTSIDE_GUEST);
	local_irq_enable();
	preempt_enable();

	if (failed) {
		pr_info_ratelimited(VIREO_LOG_PREFIX "VMLAUNCH/VMRESUME failed: VM-instruction error %u (%s)\n",
				    e.reason, vmx_instruction_error_name(e.reason));
		return vireo_exit_hw(vcpu, VIREO_EXIT_FAIL_ENTRY, e.reason, 0, 0, 0);
	}
	vcpu->exit_count++;
	vireo_vcpu_interrupted_event(vcpu, e.idt_info, e.idt_error);
	return vmx_handle_exit(vmx, &e);
}

/* ---------------------------------------------------------- CPUs */

static int vmx_setup_bitmaps(void)
{
	vmx_io_bitmaps = (void *)__get_free_pages(GFP_KERNEL, 1);
	vmx_msr_bitmap = (void *)__get_free_page(GFP_KERNEL);
	if (!vmx_io_bitmaps || !vmx_msr_bitmap) {
		free_pages((unsigned long)vmx_io_bitmaps, 1);
		free_page((unsigned long)vmx_msr_bitmap);
		return -ENOMEM;
	}
	memset(vmx_io_bitmaps, 0xff, 2 * PAGE_SIZE);
	memset(vmx_msr_bitmap, 0xff, PAGE_SIZE);
	return 0;
}

static int vmx_setup_all(void)
{
	int r = vmx_setup_bitmaps();

	return r ?: vmx_setup();
}

static void vmx_unsetup_all(void)
{
	vmx_unsetup();
	free_pages((unsigned long)vmx_io_bitmaps, 1);
	free_page((unsigned long)vmx_msr_bitmap);
}

const struct vireo_backend_ops vireo_vmx_ops = {
	.name = "Intel VT-x (VMX+EPT)",
	.id = VIREO_BACKEND_VMX,
	.probe = vmx_probe,
	.setup = vmx_setup_all,
	.unsetup = vmx_unsetup_all,
	.enable_cpu = vmx_cpu_on,
	.disable_cpu = vmx_cpu_off,
	.caps_flags = vmx_caps_flags,
	.guest_phys_bits = vmx_guest_phys_bits,
	.tdp_format = &vireo_ept_format,
	.vcpu_alloc = vmx_vcpu_alloc,
	.vcpu_init = vmx_vcpu_init,
	.vcpu_free = vmx_vcpu_free,
	.get_sregs = vmx_get_sregs,
	.set_sregs = vmx_set_sregs,
	.get_cr4 = vmx_get_cr4,
	.get_msr = vmx_get_msr,
	.set_msr = vmx_set_msr,
	.run_once = vmx_run_once,
};
