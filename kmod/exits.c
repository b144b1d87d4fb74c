// SPDX-License-Identifier: GPL-2.0
/*
 * Exit handling shared by the backends: each backend decodes its hardware
 * exit information (VMCB EXITINFO, VMCS qualification) into neutral terms
 * and calls these, which fill the run page or finish the exit in-kernel.
 */
#include <linux/string.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/fpu/xstate.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/pkru.h>
#include <asm/processor-flags.h>

#include "vireo.h"

int vireo_exit_to_user(struct vireo_vcpu *vcpu, u32 reason)
{
	struct vireo_run *run = vcpu->run;

	run->exit_reason = reason;
	run->rip = vcpu->regs[VIREO_REG_RIP];
	run->if_flag = !!(vcpu->regs[VIREO_REG_RFLAGS] & X86_EFLAGS_IF);
	run->ready_for_interrupt_injection =
		vireo_vcpu_interruptible(vcpu, vcpu->interrupt_shadow) && !vcpu->extint.valid;
	run->cr8 = vcpu->cr8;
	run->exit_count = vcpu->exit_count;
	return 1;
}

int vireo_exit_hw(struct vireo_vcpu *vcpu, u32 reason, u64 code, u64 info1, u64 info2,
		  u32 suberror)
{
	struct vireo_run *run = vcpu->run;

	memset(&run->hw, 0, sizeof(run->hw));
	run->hw.hardware_code = code;
	run->hw.info1 = info1;
	run->hw.info2 = info2;
	run->hw.suberror = suberror;
	return vireo_exit_to_user(vcpu, reason);
}

/*
 * The hypervisor has carried out the instruction at RIP: RIP moves past
 * it and, if it ran with RFLAGS.TF set, the single-step trap it owes
 * follows at the next entry (SDM 17.3.1.4: a trap after the instruction,
 * DR6.BS; APM vol. 2 13.1.3.5).  Every completion goes through here, so
 * that no path forgets the trap.
 */
void vireo_retire_insn(struct vireo_vcpu *vcpu, u64 next_rip)
{
	vcpu->regs[VIREO_REG_RIP] = next_rip;
	if (vcpu->regs[VIREO_REG_RFLAGS] & X86_EFLAGS_TF)
		vcpu->pending_dbg |= VIREO_DR6_BS;
}

/*
 * Port I/O at io_port that the hypervisor completed: a #DB trap if it met
 * an enabled I/O breakpoint (SDM 17.3.1.2).  The CPU cannot see these,
 * since every port access exits.
 */
void vireo_retire_io(struct vireo_vcpu *vcpu, u64 next_rip)
{
	vireo_retire_insn(vcpu, next_rip);
	vireo_dr_trap(vcpu, vireo_dr_io_hits(vcpu, vcpu->io_port, vcpu->io_size,
					     vireo_ops->get_cr4(vcpu)));
}

/* Userland will emulate the instruction at RIP (see vireo_complete_user_exit()). */
static void vireo_expect_emulation(struct vireo_vcpu *vcpu, bool io)
{
	vcpu->completion = VIREO_COMPLETE_NONE;
	vcpu->emulation_pending = true;
	vcpu->emulating_io = io;
	vcpu->emulation_rip = vcpu->regs[VIREO_REG_RIP];
	vcpu->run->nr_accesses = 0;
}

/* HLT: with the in-kernel LAPIC the vCPU sleeps here instead of exiting. */
int vireo_handle_hlt(struct vireo_vcpu *vcpu, unsigned int insn_len)
{
	vireo_retire_insn(vcpu, vcpu->regs[VIREO_REG_RIP] + insn_len);
	if (!vcpu->lapic)
		return vireo_exit_to_user(vcpu, VIREO_EXIT_HLT);
	vcpu->mp_state = VIREO_MP_HALTED;
	return 0;
}

int vireo_handle_io(struct vireo_vcpu *vcpu, const struct vireo_exit_io *io, u64 next_rip)
{
	struct vireo_run *run = vcpu->run;

	vcpu->io_port = io->port;
	vcpu->io_size = io->size;
	/* A registered notification port completes here, without an exit. */
	if (io->direction == VIREO_IO_OUT && !io->string) {
		u32 mask = io->size == 4 ? 0xffffffff : (1U << (io->size * 8)) - 1;

		if (vireo_ioeventfd_signal(vcpu->vm, io->port, io->size,
					   vcpu->regs[VIREO_REG_RAX] & mask)) {
			vireo_retire_io(vcpu, next_rip);
			return 0;
		}
	}

	run->io = *io;
	run->io.data = 0;
	if (io->string) {
		/* Userland emulates INS/OUTS, including RIP. */
		vireo_expect_emulation(vcpu, true);
	} else if (io->direction == VIREO_IO_OUT) {
		u32 mask = io->size == 4 ? 0xffffffff : (1U << (io->size * 8)) - 1;

		run->io.data = vcpu->regs[VIREO_REG_RAX] & mask;
		vcpu->completion = VIREO_COMPLETE_IO_OUT;
	} else {
		vcpu->completion = VIREO_COMPLETE_IO_IN;
	}
	vcpu->completion_rip = next_rip;
	return vireo_exit_to_user(vcpu, VIREO_EXIT_IO);
}

int vireo_handle_tdp_fault(struct vireo_vcpu *vcpu, u64 gpa, bool is_write)
{
	struct vireo_run *run = vcpu->run;

	switch (vireo_mmu_fault(vcpu->vm, gpa, is_write)) {
	case VIREO_FAULT_MAPPED:
		return 0;
	case VIREO_FAULT_MMIO:
		memset(&run->mmio, 0, sizeof(run->mmio));
		run->mmio.gpa = gpa;
		run->mmio.is_write = is_write;
		vireo_expect_emulation(vcpu, false);
		return vireo_exit_to_user(vcpu, VIREO_EXIT_MMIO);
	case VIREO_FAULT_NO_MEMORY:
	default:
		return vireo_exit_hw(vcpu, VIREO_EXIT_INTERNAL_ERROR, 0, gpa, is_write,
				     VIREO_INTERNAL_NO_MEMORY);
	}
}

/* XSETBV (SDM vol. 2 XSETBV; APM vol. 2 15.8): only XCR0, what CPUID offers. */
int vireo_handle_xsetbv(struct vireo_vcpu *vcpu, unsigned int insn_len)
{
	const u64 xtile = XFEATURE_MASK_XTILE_CFG | XFEATURE_MASK_XTILE_DATA;
	u64 *regs = vcpu->regs;
	u64 value = (regs[VIREO_REG_RDX] << 32) | (u32)regs[VIREO_REG_RAX];
	const struct vireo_cpuid_entry *leaf = vireo_cpuid_find(vcpu, 0xd, 0);
	/*
	 * What the guest may enable: what its CPUID.(0DH,0):EDX:EAX lists
	 * (x87 always), within what the host has enabled.
	 */
	u64 offered = XFEATURE_MASK_FP | (leaf ? (u64)leaf->edx << 32 | leaf->eax : 0);
	u64 allowed = offered & xgetbv(XCR_XFEATURE_ENABLED_MASK);
	bool ok = (u32)regs[VIREO_REG_RCX] == 0 && (value & XFEATURE_MASK_FP) &&
		  !(value & ~allowed);

	/* AVX needs SSE; the AVX-512 components go together and need AVX. */
	if ((value & XFEATURE_MASK_YMM) && !(value & XFEATURE_MASK_SSE))
		ok = false;
	if (value & XFEATURE_MASK_AVX512) {
		if ((value & XFEATURE_MASK_AVX512) != XFEATURE_MASK_AVX512 ||
		    !(value & XFEATURE_MASK_YMM))
			ok = false;
	}
	/* AMX tile configuration and data go together, or the host's XSETBV faults. */
	if (value & xtile && (value & xtile) != xtile)
		ok = false;
	if (!ok) {
		vireo_vcpu_queue_exception(vcpu, 13, true, 0);
		return 0;
	}
	vcpu->xcr0 = value;
	vireo_retire_insn(vcpu, regs[VIREO_REG_RIP] + insn_len);
	return 0;
}

/*
 * The guest reads IA32_TSC_AUX with RDTSCP or RDPID when its CPUID offers
 * them; SVM cannot intercept RDPID, so a host with RDPID switches it for
 * every guest (a VMX guest without "enable RDTSCP" gets #UD instead).
 */
static bool vireo_tsc_aux_switched(struct vireo_vcpu *vcpu)
{
	if (!boot_cpu_has(X86_FEATURE_RDTSCP))
		return false;
	return vcpu->tsc_aux_offered || boot_cpu_has(X86_FEATURE_RDPID);
}

/*
 * The guest can see or change PKRU with CR4.PKE (RDPKRU, WRPKRU and the
 * protection-key checks, SDM vol. 3 4.6.2) or with XCR0[9] (XSAVE and
 * XRSTOR of the PKRU component, SDM vol. 1 13.2): only then does it run
 * on its own PKRU, as in KVM's kvm_load_guest_xsave_state().  Both exit
 * when they change (the CR4 write intercept on SVM, CR4.PKE owned by
 * vireo.ko on VMX, XSETBV), so the answer is the same at entry and exit.
 */
static bool vireo_guest_pkru_live(struct vireo_vcpu *vcpu)
{
	return (vcpu->xcr0 & XFEATURE_MASK_PKRU) || (vireo_ops->get_cr4(vcpu) & X86_CR4_PKE);
}

static void vireo_put_guest_xcr0(struct vireo_vcpu *vcpu, u64 host_xcr0)
{
	u64 xcr0;

	/*
	 * XSETBV exits unconditionally on VMX (SDM vol. 3 26.1.2) and is
	 * intercepted on SVM, so XCR0 should still hold vcpu->xcr0 here.  QEMU's
	 * TCG SVM model (the rig's L1) ignores the XSETBV intercept: the guest
	 * writes XCR0 itself, and without this read-back the next entry would
	 * load the stale vcpu->xcr0 under its feet (the guest's XSAVE then
	 * writes frames its own XRSTOR refuses).  On hardware this reads back
	 * what vireo.ko loaded.
	 */
	xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	if (vireo_ops->get_cr4(vcpu) & X86_CR4_OSXSAVE)
		vcpu->xcr0 = xcr0;
	/* The guest may have cleared CR4.OSXSAVE meanwhile: compare, not guess. */
	if (xcr0 != host_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, host_xcr0);
}

/*
 * Guest XCR0 and PKRU are not switched by VMRUN/VM entry; swap them around
 * the world switch (interrupts off), as the kernel's FPU code expects the
 * host values whenever it runs.
 */
void vireo_load_guest_xstate(struct vireo_vcpu *vcpu, u64 *host_xcr0, u32 *host_pkru)
{
	bool osxsave = vireo_ops->get_cr4(vcpu) & X86_CR4_OSXSAVE;

	vireo_guest_fpu_load(vcpu);	/* under the host's XCR0 */
	*host_xcr0 = 0;
	if (boot_cpu_has(X86_FEATURE_XSAVE)) {
		*host_xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
		if (osxsave && vcpu->xcr0 != *host_xcr0)
			xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->xcr0);
	}
	/*
	 * IA32_TSC_AUX is what RDTSCP and RDPID read; the host keeps its CPU
	 * number there (vDSO getcpu).  Neither VMRUN nor VM entry switches
	 * it, so swap it while interrupts are off, when the guest has it.
	 */
	if (vireo_tsc_aux_switched(vcpu)) {
		u64 host;

		rdmsrq(MSR_TSC_AUX, host);
		vcpu->host_tsc_aux = host;
		if (vcpu->tsc_aux != vcpu->host_tsc_aux)
			wrmsrq(MSR_TSC_AUX, vcpu->tsc_aux);
	}
	*host_pkru = 0;
	if (cpu_feature_enabled(X86_FEATURE_OSPKE)) {
		*host_pkru = read_pkru();
		if (vcpu->pkru != *host_pkru && vireo_guest_pkru_live(vcpu))
			write_pkru(vcpu->pkru);
	}
}

void vireo_put_guest_xstate(struct vireo_vcpu *vcpu, u64 host_xcr0, u32 host_pkru)
{
	/* The guest cannot write TSC_AUX itself: WRMSR always exits for it. */
	if (vireo_tsc_aux_switched(vcpu) && vcpu->tsc_aux != vcpu->host_tsc_aux)
		wrmsrq(MSR_TSC_AUX, vcpu->host_tsc_aux);
	if (boot_cpu_has(X86_FEATURE_XSAVE))
		vireo_put_guest_xcr0(vcpu, host_xcr0);
	/*
	 * After XCR0, whose guest value decides whether PKRU was live.  A
	 * guest whose PKRU was not live could not change it (WRPKRU #UDs
	 * without CR4.PKE, XRSTOR leaves component 9 alone without XCR0[9]):
	 * then the register still holds the host's and vcpu->pkru, the
	 * guest's own, stays.  A PKRU that differs from the host's is the
	 * guest's whatever the bits say now, and the host must not keep it.
	 */
	if (cpu_feature_enabled(X86_FEATURE_OSPKE)) {
		u32 pkru = read_pkru();

		if (pkru != host_pkru || vireo_guest_pkru_live(vcpu))
			vcpu->pkru = pkru;
		if (pkru != host_pkru)
			write_pkru(host_pkru);
	}
	vireo_guest_fpu_put(vcpu);	/* the host's XCR0 is back */
}
