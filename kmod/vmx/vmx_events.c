// SPDX-License-Identifier: GPL-2.0
/*
 * Events into the guest at each entry: the one vcpu.c picks goes into the
 * VM-entry interruption fields, a single-step trap owed by an instruction
 * the hypervisor completed into the pending debug exceptions, and the
 * interrupt- and NMI-window exits asked for when an event must wait.  And
 * the guest's NMI blocking, kept in step with the VMCS before and after
 * each run (virtual NMIs).  Exits and the world switch stay out of it.
 */
#include <linux/kernel.h>
#include <asm/debugreg.h>
#include <asm/processor-flags.h>

#include "vmx.h"
#include "../state_check.h"

/* Pending debug exceptions, bit 12: an enabled breakpoint was met. */
#define PENDING_DBG_ENABLED_BP	(1ULL << 12)

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
void vmx_sync_nmi_blocking(struct vmx_vcpu *vmx, const struct vmx_exit *e, u32 intr)
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
void vmx_inject_events(struct vmx_vcpu *vmx)
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
