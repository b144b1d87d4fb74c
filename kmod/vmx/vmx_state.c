// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's register state the VMCS holds, as the guest sees it: which
 * CR0 and CR4 bits the host owns (a guest write that changes one exits)
 * and the read shadows, EFER kept in step with the IA-32e entry control,
 * the PAE PDPTEs VM entry loads from the VMCS, and the segment and
 * descriptor-table fields of VIREO_GET/SET_SREGS.  One file, because
 * the sregs ioctls, the CR-access exits and the EFER MSR all change the
 * same fields and must keep them consistent the same way.
 */
#include <linux/kernel.h>
#include <asm/processor-flags.h>

#include "vmx.h"
#include "../state_check.h"

/* VMX access rights (SDM vol. 3 25.4.1, table 25-2). */
#define AR_UNUSABLE		(1U << 16)

/* Bits the host owns: a guest write that changes them exits. */
u64 vmx_cr0_host_bits(void)
{
	return X86_CR0_PE | X86_CR0_PG | X86_CR0_NE | (~vmx_caps.cr0_fixed1 & 0xffffffffULL);
}

u64 vmx_cr4_host_bits(void)
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
void vmx_write_efer(struct vmx_vcpu *vmx, u64 efer)
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
u64 vmx_guest_cr4(struct vmx_vcpu *vmx)
{
	u64 host = vmx_cr4_host_bits();

	return (vmx->cr4_cached & ~host) | (vmx->cr4 & host);
}

/* VMCS loaded.  CR0 as the guest sees it: its own bits are live in GUEST_CR0. */
u64 vmx_guest_cr0(struct vmx_vcpu *vmx)
{
	u64 host = vmx_cr0_host_bits();

	return (vmcs_read(GUEST_CR0) & ~host) | (vmx->cr0 & host);
}

/* VMCS loaded.  Returns -EINVAL for a value that must raise #GP. */
int vmx_set_cr0(struct vmx_vcpu *vmx, u64 cr0)
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

int vmx_set_cr4(struct vmx_vcpu *vmx, u64 cr4)
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

u64 vmx_get_cr4(struct vireo_vcpu *vcpu)
{
	return vmx_guest_cr4(to_vmx(vcpu));
}


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

/* VMCS loaded.  For an exit handler that needs the guest's address size. */
void vmx_read_cs(struct vireo_segment *cs)
{
	vmx_seg_get(&vmx_seg_cs, cs);
}

void vmx_get_sregs(struct vireo_vcpu *vcpu, struct vireo_sregs *sr)
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

int vmx_set_sregs(struct vireo_vcpu *vcpu, const struct vireo_sregs *sr)
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
