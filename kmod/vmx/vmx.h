/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to the VMX backend.  VMCS field encodings and control bits come
 * from the kernel's <asm/vmx.h> (SDM vol. 3 appendix B and chapter 25).
 */
#ifndef VIREO_VMX_VMX_H
#define VIREO_VMX_VMX_H

#include <linux/types.h>
#include <asm/asm.h>
#include <asm/vmx.h>

#include "../vireo.h"

/* Capabilities read once at load (vmcs.c). */
struct vmx_caps {
	u32 vmcs_revision;
	u32 vmcs_size;
	u32 pin, proc, proc2, exit, entry;	/* adjusted controls */
	u64 ept_vpid;			/* IA32_VMX_EPT_VPID_CAP */
	u64 cr0_fixed0, cr0_fixed1;
	u64 cr4_fixed0, cr4_fixed1;
	bool ins_outs_info;		/* INS/OUTS report instruction info */
	bool vnmi;			/* virtual NMIs and NMI-window exiting */
	u32 preempt_ticks;		/* VMX-preemption timer per entry, 0: off */
};
extern struct vmx_caps vmx_caps;

struct vmx_vcpu {
	struct vireo_vcpu vcpu;
	void *vmcs;			/* (c) */
	u64 vmcs_pa;			/* (c) */
	u16 vpid;			/* (c) 0: none */
	int loaded_cpu;			/* where the VMCS is active, or -1 */
	struct list_head loaded_link;	/* in that CPU's list while active there */
	bool launched;			/* VMLAUNCH done since the last VMCLEAR */
	bool need_flush;		/* INVEPT/INVVPID before the next entry */

	/* Guest state not in the VMCS, or the guest's view of it. */
	u64 cr0;			/* guest view (read shadow) */
	u64 cr4;			/* guest view; cr4_cached has the live bits */
	u64 cr4_cached;			/* GUEST_CR4 as of the last exit */
	u64 cr2;
	u64 dr6;			/* the guest's; loaded only around the run */
	u64 efer;
	u64 star, lstar, cstar, sfmask, kernel_gs_base;
	u64 cr4_mask;			/* CR4_GUEST_HOST_MASK as written */
	u32 proc_ctl;			/* CPU_BASED_VM_EXEC_CONTROL as written */
	u32 proc2_ctl;		/* SECONDARY_VM_EXEC_CONTROL as written */
	bool event_pending;		/* VM_ENTRY_INTR_INFO_FIELD is valid */
};

static inline struct vmx_vcpu *to_vmx(struct vireo_vcpu *vcpu)
{
	return container_of(vcpu, struct vmx_vcpu, vcpu);
}

static inline u64 vmcs_read(unsigned long field)
{
	u64 value;

	asm volatile("vmread %[field], %[value]"
		     : [value] "=rm"(value) : [field] "r"(field) : "cc");
	return value;
}

void vmx_vmwrite_error(unsigned long field, u64 value);

static inline void vmcs_write(unsigned long field, u64 value)
{
	bool fail;

	asm volatile("vmwrite %[value], %[field]" CC_SET(na)
		     : CC_OUT(na)(fail) : [value] "rm"(value), [field] "r"(field) : "cc");
	if (unlikely(fail))
		vmx_vmwrite_error(field, value);
}

/* EFER bits a guest may set (SET_SREGS, WRMSR). */
#define VMX_GUEST_EFER_MASK	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)

/* The exit information fields of one exit (SDM vol. 3 25.9), read by vmx_run.c. */
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

/* vmx.c: the vCPU's power-on state (VMCS loaded). */
void vmx_reset_state(struct vmx_vcpu *vmx);

/* vmx_state.c: CR ownership, EFER, PDPTEs, segments. */
u64 vmx_cr0_host_bits(void);
u64 vmx_cr4_host_bits(void);
void vmx_write_efer(struct vmx_vcpu *vmx, u64 efer);
u64 vmx_guest_cr0(struct vmx_vcpu *vmx);
u64 vmx_guest_cr4(struct vmx_vcpu *vmx);
int vmx_set_cr0(struct vmx_vcpu *vmx, u64 cr0);
int vmx_set_cr4(struct vmx_vcpu *vmx, u64 cr4);
void vmx_read_cs(struct vireo_segment *cs);
u64 vmx_get_cr4(struct vireo_vcpu *vcpu);
void vmx_get_sregs(struct vireo_vcpu *vcpu, struct vireo_sregs *sr);
int vmx_set_sregs(struct vireo_vcpu *vcpu, const struct vireo_sregs *sr);

/* vmx_msr.c */
int vmx_get_msr(struct vireo_vcpu *vcpu, u32 index, u64 *data);
int vmx_set_msr(struct vireo_vcpu *vcpu, u32 index, u64 data, bool from_guest);

/* vmx_events.c: VMCS loaded, interrupts off. */
void vmx_inject_events(struct vmx_vcpu *vmx);
void vmx_sync_nmi_blocking(struct vmx_vcpu *vmx, const struct vmx_exit *e, u32 intr);

/* vmx_exits.c */
int vmx_handle_exit(struct vmx_vcpu *vmx, const struct vmx_exit *e);

/* vmx_run.c */
int vmx_run_once(struct vireo_vcpu *vcpu);

/* vmcs.c: capabilities, VMXON, VMCS lifetime and the host state. */
int vmx_read_caps(unsigned int preempt_us);
int vmx_cpu_on(void);
void vmx_cpu_off(void);
int vmx_vmcs_alloc(struct vmx_vcpu *vmx);
void vmx_vmcs_free(struct vmx_vcpu *vmx);
void vmx_load(struct vmx_vcpu *vmx);
void vmx_get(struct vmx_vcpu *vmx);
void vmx_put(struct vmx_vcpu *vmx);
void vmx_setup_controls(struct vmx_vcpu *vmx);
void vmx_refresh_host_state(void);
const char *vmx_instruction_error_name(u32 error);

/* ept.c */
extern struct vireo_tdp_format vireo_ept_format;
u64 vmx_eptp(u64 root_pa);
void vmx_flush_guest(struct vmx_vcpu *vmx);
int vmx_vpid_alloc(void);
void vmx_vpid_free(int vpid);

/* entry.S: 0 after a VM exit, 1 if VMLAUNCH/VMRESUME failed. */
int vireo_vmx_enter(u64 *regs, bool launched);
void vireo_vmx_exit_point(void);

#endif /* VIREO_VMX_VMX_H */
