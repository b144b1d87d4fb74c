// SPDX-License-Identifier: GPL-2.0
/*
 * One run of the guest (the run_once op): VMCS loaded and current, the
 * guest's registers, events, CR4 ownership and TLB flush written in, the
 * state VM entry and exit do not switch (syscall MSRs, data segments and
 * LDT, CR2, DR6, XCR0/PKRU) swapped around vireo_vmx_enter(), then the
 * exit information read out for vmx_exits.c, which acts on it.
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <asm/apic.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/processor-flags.h>
#include <asm/special_insns.h>
#include <uapi/asm/vmx.h>

#include "vmx.h"
#include "../debugreg_hw.h"

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

int vmx_run_once(struct vireo_vcpu *vcpu)
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
	vireo_restore_host_dr(vcpu);

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
