// SPDX-License-Identifier: GPL-2.0
/*
 * What happens after a VM exit: the dispatcher on the exit reason and the
 * handlers that turn the VMCS exit information (qualification,
 * interruption and instruction information) into the neutral calls of
 * exits.c, debugreg.c and task_switch.c, or into an exception for the
 * guest.  The world switch that reads the exit fields is vmx_run.c.
 */
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/ratelimit.h>
#include <asm/debugreg.h>
#include <uapi/asm/vmx.h>

#include "vmx.h"
#include "../state_check.h"
#include "../task_switch.h"

/* Exit qualification of a control-register access (SDM table 28-3). */
#define CR_QUAL_NUMBER(q)	((q) & 15)
#define CR_QUAL_TYPE(q)		(((q) >> 4) & 3)
#define CR_QUAL_GPR(q)		(((q) >> 8) & 15)
#define CR_QUAL_LMSW(q)		(((q) >> 16) & 0xffff)

static bool trace_exits;
module_param_named(vmx_trace_exits, trace_exits, bool, 0644);
MODULE_PARM_DESC(vmx_trace_exits, "log every VMX exit (at most 100 a second; debugging only)");
static DEFINE_RATELIMIT_STATE(trace_exits_rs, HZ, 100);

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
			vmx_read_cs(&cs);
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

int vmx_handle_exit(struct vmx_vcpu *vmx, const struct vmx_exit *e)
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
