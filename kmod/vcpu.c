// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU file descriptor: run page, register ioctls, event injection and
 * the run loop around the backend's run_once().
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <linux/smp.h>

#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/fpu/xstate.h>
#include <asm/msr-index.h>

#include "vireo.h"
#include "state_check.h"



/* ------------------------------------------------------------ events */

bool vireo_vcpu_interruptible(struct vireo_vcpu *vcpu, bool interrupt_shadow)
{
	return (vcpu->regs[VIREO_REG_RFLAGS] & X86_EFLAGS_IF) && !interrupt_shadow &&
	       !vcpu->reinject.valid && !vcpu->exception.valid;
}

void vireo_vcpu_queue_exception(struct vireo_vcpu *vcpu, u8 vector, bool has_error,
				u32 error_code)
{
	vcpu->exception = (struct vireo_pending_event){
		.valid = true,
		.type = VIREO_EVENT_EXCEPTION,
		.vector = vector,
		.has_error_code = has_error,
		.error_code = error_code,
	};
}


static int vireo_vcpu_inject(struct vireo_vcpu *vcpu, const struct vireo_event __user *uev)
{
	struct vireo_event ev;

	if (copy_from_user(&ev, uev, sizeof(ev)))
		return -EFAULT;
	if (ev.reserved || ev.has_error_code > 1)
		return -EINVAL;

	switch (ev.type) {
	case VIREO_EVENT_EXTINT:
		if (vcpu->lapic)
			return -EINVAL;	/* use VIREO_SIGNAL_MSI */
		/* Vectors 0-15 are exceptions; an interrupt there is a bug. */
		if (ev.vector < 16 || ev.has_error_code || ev.error_code)
			return -EINVAL;
		/*
		 * -EBUSY also while an interrupted interrupt delivery waits to
		 * be delivered again: if the guest does not take it at the next
		 * entry (SVM's V_IRQ), it is handed back to the extint slot
		 * (vireo_vcpu_unpick_event), which must then be free.
		 */
		if (vcpu->extint.valid ||
		    (vcpu->reinject.valid && vcpu->reinject.type == VIREO_EVENT_EXTINT))
			return -EBUSY;
		vcpu->extint = (struct vireo_pending_event){
			.valid = true, .type = VIREO_EVENT_EXTINT, .vector = ev.vector,
		};
		return 0;
	case VIREO_EVENT_NMI:
		if (ev.vector != 2 || ev.has_error_code || ev.error_code)
			return -EINVAL;
		vcpu->nmi_pending = true;
		return 0;
	case VIREO_EVENT_EXCEPTION:
		/* VM entry takes 16-bit error codes only (SDM 27.2.1.3), all CPUs push. */
		if (!vireo_exception_vector_defined(ev.vector) || (ev.error_code >> 16) ||
		    (!ev.has_error_code && ev.error_code) ||
		    ev.has_error_code != vireo_exception_has_error_code(ev.vector))
			return -EINVAL;
		if (vcpu->exception.valid)
			return -EBUSY;
		vireo_vcpu_queue_exception(vcpu, ev.vector, ev.has_error_code, ev.error_code);
		return 0;
	default:
		return -EINVAL;
	}
}

/*
 * Events share one encoding on both vendors (APM 15.20 EVENTINJ, SDM
 * 24.8.3 VM-entry interruption information) for the types used here.
 */
#define EVENT_VALID		(1U << 31)
#define EVENT_ERROR_VALID	(1U << 11)
#define EVENT_TYPE_SHIFT	8
#define EVENT_TYPE_SOFT_INT	4

u32 vireo_event_encode(const struct vireo_pending_event *ev)
{
	u32 bits = EVENT_VALID | ev->vector | (u32)ev->type << EVENT_TYPE_SHIFT;

	return ev->has_error_code ? bits | EVENT_ERROR_VALID : bits;
}

/*
 * Records the event whose delivery an exit interrupted, so that it is
 * delivered again.  Software interrupts and exceptions are not: RIP still
 * points at the INTn/INT3/INTO, which simply executes again.
 */
void vireo_vcpu_interrupted_event(struct vireo_vcpu *vcpu, u32 info, u32 error_code)
{
	u8 type = (info >> EVENT_TYPE_SHIFT) & 7;

	if (!(info & EVENT_VALID) || type >= EVENT_TYPE_SOFT_INT)
		return;
	vcpu->reinject = (struct vireo_pending_event){
		.valid = true,
		.type = type,
		.vector = info & 0xff,
		.has_error_code = !!(info & EVENT_ERROR_VALID),
		.error_code = error_code,
	};
}

/*
 * Picks and consumes the event to deliver at this entry, in priority
 * order: an interrupted delivery, an exception, an NMI, an external
 * interrupt the guest can take now.  A debug trap of the instruction just
 * completed (pending_dbg) comes before NMIs and interrupts (SDM 6.9,
 * priority 4 against 5 and 6): the backend delivers it and they wait for
 * the next entry.  An NMI waits while NMIs are blocked (SDM 6.7.1), and
 * its delivery blocks them until the IRET that ends its handler.
 */
bool vireo_vcpu_pick_event(struct vireo_vcpu *vcpu, bool shadow, struct vireo_pending_event *ev)
{
	struct vireo_pending_event *src = NULL;

	if (vcpu->reinject.valid) {
		src = &vcpu->reinject;
	} else if (vcpu->exception.valid) {
		src = &vcpu->exception;
	} else if (vcpu->pending_dbg) {
		return false;
	} else if (READ_ONCE(vcpu->nmi_pending) && !vcpu->nmi_blocked && !shadow) {
		/* Another NMI may be latched meanwhile (the LAPIC, any context). */
		cmpxchg(&vcpu->nmi_pending, true, false);
		*ev = (struct vireo_pending_event){
			.valid = true, .type = VIREO_EVENT_NMI, .vector = 2,
			.source = VIREO_EVSRC_NMI,
		};
		vcpu->nmi_blocked = true;
		return true;
	} else if (vcpu->extint.valid && vireo_vcpu_interruptible(vcpu, shadow)) {
		src = &vcpu->extint;
	} else if (vcpu->lapic && vireo_vcpu_interruptible(vcpu, shadow)) {
		u32 pic = READ_ONCE(vcpu->pic_vector);
		u8 source = VIREO_EVSRC_PIC;
		int vec;

		if (pic & VIREO_PIC_VECTOR_VALID) {
			/* The 8259 through LINT0 (ExtINT): no IRR/ISR involved. */
			cmpxchg(&vcpu->pic_vector, pic, 0);
			vec = pic & 0xff;
		} else {
			vec = vireo_lapic_pending(vcpu);
			if (vec < 0)
				return false;
			vireo_lapic_ack(vcpu, vec);
			source = VIREO_EVSRC_LAPIC;
		}
		*ev = (struct vireo_pending_event){
			.valid = true, .type = VIREO_EVENT_EXTINT, .vector = vec,
			.source = source,
		};
		return true;
	}
	if (!src)
		return false;
	*ev = *src;
	ev->source = VIREO_EVSRC_QUEUED;
	src->valid = false;
	/* An NMI whose delivery an exit interrupted blocks NMIs once delivered. */
	if (ev->type == VIREO_EVENT_NMI)
		vcpu->nmi_blocked = true;
	return true;
}

/*
 * An interrupt whose delivery an exit interrupted is delivered again at
 * the next entry whatever RFLAGS.IF says (the CPU had taken it).  If
 * userland clears IF meanwhile (VIREO_SET_REGS), VM entry would refuse to
 * inject it (SDM vol. 3 27.3.1.5: an external interrupt needs IF = 1):
 * it waits in the extint slot until the guest takes interrupts again.
 * The slot is free: VIREO_INJECT_EVENT keeps it so while one waits here.
 */
void vireo_vcpu_hold_interrupted_irq(struct vireo_vcpu *vcpu)
{
	if (!vcpu->reinject.valid || vcpu->reinject.type != VIREO_EVENT_EXTINT ||
	    (vcpu->regs[VIREO_REG_RFLAGS] & X86_EFLAGS_IF) || WARN_ON_ONCE(vcpu->extint.valid))
		return;
	vcpu->extint = vcpu->reinject;
	vcpu->reinject.valid = false;
}

/*
 * Hands back an event that was picked but not delivered, so that a later
 * entry picks it again (for SVM's V_IRQ, which the guest takes only when
 * it can).  The slot it came from is free: one event is picked per entry,
 * and an interrupt in the reinject slot keeps VIREO_INJECT_EVENT from
 * filling the extint slot it is handed back to.
 */
void vireo_vcpu_unpick_event(struct vireo_vcpu *vcpu, const struct vireo_pending_event *ev)
{
	u32 pic = ev->vector | VIREO_PIC_VECTOR_VALID;

	switch (ev->source) {
	case VIREO_EVSRC_NMI:
		/* Not delivered: it blocked nothing (pick saw NMIs unblocked). */
		WRITE_ONCE(vcpu->nmi_pending, true);
		vcpu->nmi_blocked = false;
		break;
	case VIREO_EVSRC_LAPIC:
		vireo_lapic_unack(vcpu, ev->vector);
		break;
	case VIREO_EVSRC_PIC:
		/*
		 * The 8259 has acknowledged it already; if it posted another
		 * meanwhile, the extint slot (unused with a LAPIC) holds ours.
		 */
		if (!cmpxchg(&vcpu->pic_vector, 0, pic))
			break;
		vcpu->extint = *ev;
		break;
	default:
		if (ev->type == VIREO_EVENT_EXCEPTION) {
			vcpu->exception = *ev;
			break;
		}
		/* An interrupt from the reinject or extint slot. */
		WARN_ON_ONCE(vcpu->extint.valid);
		vcpu->extint = *ev;
		break;
	}
}

/* Whether the backend must exit as soon as the guest can take an interrupt. */
bool vireo_vcpu_wants_irq_window(struct vireo_vcpu *vcpu)
{
	if (vcpu->extint.valid || vcpu->run->request_interrupt_window)
		return true;
	return vcpu->lapic && ((READ_ONCE(vcpu->pic_vector) & VIREO_PIC_VECTOR_VALID) ||
			       vireo_lapic_pending(vcpu) >= 0);
}

/*
 * Whether the backend must exit as soon as the guest's IRET unblocks NMIs:
 * one is waiting for it.
 */
bool vireo_vcpu_wants_nmi_window(struct vireo_vcpu *vcpu)
{
	return READ_ONCE(vcpu->nmi_pending) && vcpu->nmi_blocked;
}

/*
 * Makes the vCPU notice new work: wakes it from HLT or wait-for-SIPI, and
 * forces an exit if it is in guest mode (a reschedule IPI is enough: any
 * interrupt ends the guest's run).  Any context.
 */
void vireo_vcpu_kick(struct vireo_vcpu *vcpu)
{
	wake_up_interruptible(&vcpu->wq);
	smp_mb();	/* publish the work, then read mode (pairs with the entry) */
	if (READ_ONCE(vcpu->mode) == VIREO_IN_GUEST)
		smp_send_reschedule(READ_ONCE(vcpu->cpu));
}

/* Power-on/INIT register state (SDM vol. 3 10.1.1, table 10-1). */
int vireo_vcpu_init_state(struct vireo_vcpu *vcpu)
{
	struct vireo_segment data = { .limit = 0xffff, .type = 3, .s = 1, .present = 1 };
	struct vireo_sregs sr = {
		.cs = { .selector = 0xf000, .base = 0xffff0000, .limit = 0xffff,
			.type = 0xb, .s = 1, .present = 1 },
		.ds = data, .es = data, .fs = data, .gs = data, .ss = data,
		.ldt = { .limit = 0xffff, .type = 2, .present = 1 },
		.tr = { .limit = 0xffff, .type = 3, .present = 1 },
		.gdt = { .limit = 0xffff },
		.idt = { .limit = 0xffff },
		.cr0 = 0x60000010,
	};

	memset(vcpu->regs, 0, sizeof(vcpu->regs));
	vcpu->regs[VIREO_REG_RIP] = 0xfff0;
	vcpu->regs[VIREO_REG_RFLAGS] = 2;
	vcpu->reinject.valid = vcpu->exception.valid = vcpu->extint.valid = false;
	vcpu->nmi_blocked = false;
	vcpu->pending_dbg = 0;
	vireo_reset_debugregs(vcpu);
	vcpu->emulation_pending = false;
	vcpu->completion = VIREO_COMPLETE_NONE;
	vcpu->xcr0 = 1;
	vcpu->cr8 = 0;
	return vireo_ops->set_sregs(vcpu, &sr);
}

static bool vireo_vcpu_can_wake(struct vireo_vcpu *vcpu)
{
	if (READ_ONCE(vcpu->requests) || (READ_ONCE(vcpu->nmi_pending) && !vcpu->nmi_blocked))
		return true;
	if (vcpu->mp_state == VIREO_MP_WAIT_SIPI)
		return false;
	if (!(vcpu->regs[VIREO_REG_RFLAGS] & X86_EFLAGS_IF))
		return false;
	return vcpu->extint.valid || (READ_ONCE(vcpu->pic_vector) & VIREO_PIC_VECTOR_VALID) ||
	       vireo_lapic_pending(vcpu) >= 0;
}

/*
 * INIT, SIPI and sleeping for the in-kernel LAPIC.  Returns 0 when the
 * vCPU may enter the guest, 1 for an exit to userland, -EINTR on a signal.
 */
static int vireo_vcpu_mp_step(struct vireo_vcpu *vcpu)
{
	int r;

	if (test_and_clear_bit(VIREO_REQ_INIT, &vcpu->requests)) {
		r = vireo_vcpu_init_state(vcpu);
		if (r)
			return r;
		vireo_lapic_init_signal(vcpu);
		vcpu->mp_state = VIREO_MP_WAIT_SIPI;
	}
	if (test_and_clear_bit(VIREO_REQ_SIPI, &vcpu->requests) &&
	    vcpu->mp_state == VIREO_MP_WAIT_SIPI) {
		struct vireo_sregs sr;
		u8 vec = READ_ONCE(vcpu->sipi_vector);

		vireo_ops->get_sregs(vcpu, &sr);
		sr.cs.selector = vec << 8;
		sr.cs.base = (u64)vec << 12;
		r = vireo_ops->set_sregs(vcpu, &sr);
		if (r)
			return r;
		vcpu->regs[VIREO_REG_RIP] = 0;
		vcpu->mp_state = VIREO_MP_RUNNABLE;
	}
	if (vcpu->level_eoi & VIREO_PIC_VECTOR_VALID) {
		memset(&vcpu->run->eoi, 0, sizeof(vcpu->run->eoi));
		vcpu->run->eoi.vector = vcpu->level_eoi & 0xff;
		vcpu->level_eoi = 0;
		return vireo_exit_to_user(vcpu, VIREO_EXIT_IOAPIC_EOI);
	}
	if (vcpu->mp_state == VIREO_MP_RUNNABLE)
		return 0;

	r = wait_event_interruptible(vcpu->wq, vireo_vcpu_can_wake(vcpu));
	if (r)
		return -EINTR;
	if (vcpu->mp_state == VIREO_MP_HALTED && vireo_vcpu_can_wake(vcpu))
		vcpu->mp_state = VIREO_MP_RUNNABLE;
	return 0;
}

/* --------------------------------------------------------------- run */

static void vireo_kick_nop(void *unused)
{
}

/*
 * Forces every vCPU out of guest mode and waits until each has left it; a
 * vCPU re-entering afterwards sees the new vm->tlb_generation (it publishes
 * mode before reading the generation, see the backends' entry paths).
 */
void vireo_vcpu_kick_all(struct vireo_vm *vm)
{
	int i;

	smp_mb();	/* publish the request, then read each mode (pairs with the entry) */
	for (i = 0; i < VIREO_MAX_VCPUS; i++) {
		struct vireo_vcpu *vcpu = READ_ONCE(vm->vcpus[i]);

		if (!vcpu || READ_ONCE(vcpu->mode) != VIREO_IN_GUEST)
			continue;
		smp_rmb();	/* mode before cpu: pairs with the entry's smp_wmb() */
		smp_call_function_single(READ_ONCE(vcpu->cpu), vireo_kick_nop, NULL, 1);
	}
}

/*
 * Userland has emulated the instruction at emulation_rip: a #DB trap
 * follows for the breakpoints its data accesses met, which it reports in
 * the run page, and for INS/OUTS for the port's I/O breakpoints.  If RIP
 * has not moved, userland did a batch of a REP string instruction's
 * iterations: the trap comes after that batch, RIP still at the
 * instruction and RCX/RSI/RDI where the batch left them, as after the
 * iteration that met the breakpoint (SDM 17.3.1.2), though possibly some
 * iterations later than that one.
 */
static void vireo_dr_emulated(struct vireo_vcpu *vcpu)
{
	const struct vireo_run *run = vcpu->run;
	u32 nr = min_t(u32, READ_ONCE(run->nr_accesses), VIREO_MAX_EMULATED_ACCESSES);
	u32 hits = 0, i;

	for (i = 0; i < nr; i++) {
		struct vireo_emulated_access a = run->accesses[i];

		hits |= vireo_dr_data_hits(vcpu, a.linear, a.len, a.is_write);
	}
	if (vcpu->emulating_io)
		hits |= vireo_dr_io_hits(vcpu, vcpu->io_port, vcpu->io_size,
					 vireo_ops->get_cr4(vcpu));
	vireo_dr_trap(vcpu, hits);
}

/*
 * Finish the instruction whose exit userland has just handled.
 *
 * Port I/O and MSR exits the kernel completes itself (it knows the next
 * RIP).  MMIO and string I/O userland emulates, and moves RIP with
 * VIREO_SET_REGS, which the kernel cannot tell from any other register
 * write: so RIP having moved off the instruction by the next VIREO_RUN
 * is taken as its completion, the same test the backends use to end an
 * interrupt shadow.  That needs no new field in the ABI and holds for any
 * userland that emulates per the exit contract; one that moves RIP for
 * another reason after such an exit (a reset) also rewrites RFLAGS.
 */
void vireo_complete_user_exit(struct vireo_vcpu *vcpu)
{
	struct vireo_run *run = vcpu->run;
	u64 *rax = &vcpu->regs[VIREO_REG_RAX];

	if (vcpu->emulation_pending) {
		vcpu->emulation_pending = false;
		if (vcpu->regs[VIREO_REG_RIP] != vcpu->emulation_rip) {
			vireo_dr_emulated(vcpu);
			vireo_retire_insn(vcpu, vcpu->regs[VIREO_REG_RIP]);
		} else if (READ_ONCE(run->nr_accesses) && !vcpu->exception.valid) {
			vireo_dr_emulated(vcpu);
		}
		run->nr_accesses = 0;
	}
	switch (vcpu->completion) {
	case VIREO_COMPLETE_NONE:
		return;
	case VIREO_COMPLETE_IO_IN:
		if (vcpu->io_size == 1)
			*rax = (*rax & ~0xffULL) | (run->io.data & 0xff);
		else if (vcpu->io_size == 2)
			*rax = (*rax & ~0xffffULL) | (run->io.data & 0xffff);
		else
			*rax = run->io.data;	/* 32-bit writes zero-extend */
		break;
	case VIREO_COMPLETE_IO_OUT:
		break;
	case VIREO_COMPLETE_MSR:
		if (run->msr.error) {
			vireo_vcpu_queue_exception(vcpu, 13, true, 0);
			vcpu->completion = VIREO_COMPLETE_NONE;
			return;		/* a faulting instruction does not retire */
		}
		if (!run->msr.is_write) {
			*rax = (u32)run->msr.data;
			vcpu->regs[VIREO_REG_RDX] = run->msr.data >> 32;
		}
		break;
	}
	if (vcpu->completion == VIREO_COMPLETE_MSR)
		vireo_retire_insn(vcpu, vcpu->completion_rip);
	else
		vireo_retire_io(vcpu, vcpu->completion_rip);
	vcpu->completion = VIREO_COMPLETE_NONE;
}

static int vireo_vcpu_run(struct vireo_vcpu *vcpu)
{
	struct vireo_run *run = vcpu->run;
	int r = 0;

	if (READ_ONCE(run->immediate_exit)) {
		run->exit_reason = VIREO_EXIT_INTR;
		return -EINTR;
	}
	vireo_complete_user_exit(vcpu);

	vireo_guest_fpu_run_begin(vcpu);
	vireo_coexist_vcpu_load(vcpu);
	while (r == 0) {
		if (signal_pending(current)) {
			r = -EINTR;
			break;
		}
		cond_resched();
		if (vcpu->lapic) {
			r = vireo_vcpu_mp_step(vcpu);
			if (r || vcpu->mp_state != VIREO_MP_RUNNABLE)
				continue;
		}
		r = vireo_ops->run_once(vcpu);
	}
	if (r == -EINTR)
		run->exit_reason = VIREO_EXIT_INTR;
	vireo_coexist_vcpu_put(vcpu);
	vireo_guest_fpu_run_end(vcpu);
	return r < 0 ? r : 0;
}

/* ------------------------------------------------------------ ioctls */

static int vireo_get_msrs(struct vireo_vcpu *vcpu, void __user *argp, bool set)
{
	struct vireo_msr_entry __user *uent;
	struct vireo_msrs msrs;
	u32 i;

	if (copy_from_user(&msrs, argp, sizeof(msrs)))
		return -EFAULT;
	if (msrs.reserved)
		return -EINVAL;
	if (msrs.nmsrs > VIREO_MAX_MSR_ENTRIES)
		return -E2BIG;
	uent = u64_to_user_ptr(msrs.entries);

	for (i = 0; i < msrs.nmsrs; i++) {
		struct vireo_msr_entry e;

		if (copy_from_user(&e, &uent[i], sizeof(e)))
			return -EFAULT;
		if (e.reserved || !vireo_msr_is_listed(e.index))
			break;
		if (e.index == MSR_TSC_AUX) {
			if (vireo_tsc_aux_access(vcpu, set, &e.data, false))
				break;
			if (!set && copy_to_user(&uent[i], &e, sizeof(e)))
				return -EFAULT;
		} else if (set) {
			if (vireo_check_msr(vcpu, e.index, &e.data, false) ||
			    vireo_ops->set_msr(vcpu, e.index, e.data, false))
				break;
		} else {
			if (vireo_ops->get_msr(vcpu, e.index, &e.data))
				break;
			if (copy_to_user(&uent[i], &e, sizeof(e)))
				return -EFAULT;
		}
	}
	return i;
}

/* Between runs the guest's FPU state is in memory (guest_fpu.c). */
static int vireo_xsave_ioctl(struct vireo_vcpu *vcpu, void __user *argp, bool set)
{
	struct vireo_xsave *x;
	int r = 0;

	x = kzalloc(sizeof(*x), GFP_KERNEL_ACCOUNT);
	if (!x)
		return -ENOMEM;
	if (set) {
		if (copy_from_user(x, argp, sizeof(*x)))
			r = -EFAULT;
		else
			r = vireo_guest_fpu_set(vcpu, x);
	} else {
		const struct vireo_cpuid_entry *leaf = vireo_cpuid_find(vcpu, 0xd, 0);
		/* What the guest may have enabled: its CPUID's components, x87 and SSE. */
		u64 offered = XFEATURE_MASK_FP | XFEATURE_MASK_SSE | (leaf ? (u64)leaf->edx << 32 | leaf->eax : 0);

		r = vireo_guest_fpu_get(vcpu, x, offered);
		if (!r && copy_to_user(argp, x, sizeof(*x)))
			r = -EFAULT;
	}
	kfree(x);
	return r;
}

static int vireo_set_cpuid(struct vireo_vcpu *vcpu, void __user *argp)
{
	struct vireo_cpuid_entry *entries;
	struct vireo_cpuid c;
	u32 i;
	int r;

	if (copy_from_user(&c, argp, sizeof(c)))
		return -EFAULT;
	if (c.reserved)
		return -EINVAL;
	if (c.nent > VIREO_MAX_CPUID_ENTRIES)
		return -E2BIG;
	entries = memdup_user(u64_to_user_ptr(c.entries), c.nent * sizeof(*entries));
	if (IS_ERR(entries))
		return PTR_ERR(entries);
	for (i = 0; i < c.nent; i++) {
		if (entries[i].reserved || entries[i].flags & ~VIREO_CPUID_FLAG_INDEXED) {
			kfree(entries);
			return -EINVAL;
		}
	}
	r = vireo_cpuid_check_features(entries, c.nent);
	if (r) {
		kfree(entries);
		return r;
	}
	kfree(vcpu->cpuid);
	vcpu->cpuid = entries;
	vcpu->cpuid_nent = c.nent;
	vcpu->cr4_reserved = vireo_cr4_reserved_bits(vcpu);
	vcpu->tsc_aux_offered = vireo_cpuid_has_tsc_aux(vcpu);
	return 0;
}

static long vireo_vcpu_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	struct vireo_vcpu *vcpu = filp->private_data;
	void __user *argp = (void __user *)arg;
	long r;

	if (vcpu->vm->mm != current->mm)
		return -EIO;
	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;

	switch (cmd) {
	case VIREO_RUN:
		r = arg ? -EINVAL : vireo_vcpu_run(vcpu);
		break;
	case VIREO_GET_REGS: {
		struct vireo_regs regs;

		BUILD_BUG_ON(sizeof(regs) != sizeof(u64) * VIREO_NR_REGS);
		/* struct vireo_regs is ordered rax, rbx, rcx, rdx, ...: map by name. */
		regs = (struct vireo_regs){
			.rax = vcpu->regs[VIREO_REG_RAX], .rbx = vcpu->regs[VIREO_REG_RBX],
			.rcx = vcpu->regs[VIREO_REG_RCX], .rdx = vcpu->regs[VIREO_REG_RDX],
			.rsi = vcpu->regs[VIREO_REG_RSI], .rdi = vcpu->regs[VIREO_REG_RDI],
			.rsp = vcpu->regs[VIREO_REG_RSP], .rbp = vcpu->regs[VIREO_REG_RBP],
			.r8 = vcpu->regs[VIREO_REG_R8], .r9 = vcpu->regs[VIREO_REG_R9],
			.r10 = vcpu->regs[VIREO_REG_R10], .r11 = vcpu->regs[VIREO_REG_R11],
			.r12 = vcpu->regs[VIREO_REG_R12], .r13 = vcpu->regs[VIREO_REG_R13],
			.r14 = vcpu->regs[VIREO_REG_R14], .r15 = vcpu->regs[VIREO_REG_R15],
			.rip = vcpu->regs[VIREO_REG_RIP], .rflags = vcpu->regs[VIREO_REG_RFLAGS],
		};
		r = copy_to_user(argp, &regs, sizeof(regs)) ? -EFAULT : 0;
		break;
	}
	case VIREO_SET_REGS: {
		struct vireo_regs regs;

		r = -EFAULT;
		if (copy_from_user(&regs, argp, sizeof(regs)))
			break;
		/* What VM entry would refuse (SDM 27.3.1.4) is refused here. */
		r = vireo_check_regs(vcpu, regs.rip, &regs.rflags);
		if (r)
			break;
		vcpu->regs[VIREO_REG_RAX] = regs.rax;
		vcpu->regs[VIREO_REG_RBX] = regs.rbx;
		vcpu->regs[VIREO_REG_RCX] = regs.rcx;
		vcpu->regs[VIREO_REG_RDX] = regs.rdx;
		vcpu->regs[VIREO_REG_RSI] = regs.rsi;
		vcpu->regs[VIREO_REG_RDI] = regs.rdi;
		vcpu->regs[VIREO_REG_RSP] = regs.rsp;
		vcpu->regs[VIREO_REG_RBP] = regs.rbp;
		vcpu->regs[VIREO_REG_R8] = regs.r8;
		vcpu->regs[VIREO_REG_R9] = regs.r9;
		vcpu->regs[VIREO_REG_R10] = regs.r10;
		vcpu->regs[VIREO_REG_R11] = regs.r11;
		vcpu->regs[VIREO_REG_R12] = regs.r12;
		vcpu->regs[VIREO_REG_R13] = regs.r13;
		vcpu->regs[VIREO_REG_R14] = regs.r14;
		vcpu->regs[VIREO_REG_R15] = regs.r15;
		vcpu->regs[VIREO_REG_RIP] = regs.rip;
		vcpu->regs[VIREO_REG_RFLAGS] = regs.rflags;
		vireo_vcpu_hold_interrupted_irq(vcpu);
		/* Userland now owns RIP: a pending completion would move it. */
		vcpu->completion = VIREO_COMPLETE_NONE;
		r = 0;
		break;
	}
	case VIREO_GET_SREGS: {
		struct vireo_sregs sregs;

		memset(&sregs, 0, sizeof(sregs));
		vireo_ops->get_sregs(vcpu, &sregs);
		r = copy_to_user(argp, &sregs, sizeof(sregs)) ? -EFAULT : 0;
		break;
	}
	case VIREO_SET_SREGS: {
		struct vireo_sregs sregs;

		r = -EFAULT;
		if (copy_from_user(&sregs, argp, sizeof(sregs)))
			break;
		/* What VMRUN/VM entry would refuse is refused here. */
		r = vireo_check_sregs(vcpu, &sregs);
		if (!r)
			r = vireo_ops->set_sregs(vcpu, &sregs);
		if (!r)
			vireo_sregs_fix_regs(vcpu, &sregs);
		break;
	}
	case VIREO_SET_CPUID:
		r = vireo_set_cpuid(vcpu, argp);
		break;
	case VIREO_GET_XSAVE:
	case VIREO_SET_XSAVE:
		r = vireo_xsave_ioctl(vcpu, argp, cmd == VIREO_SET_XSAVE);
		break;
	case VIREO_GET_MSRS:
		r = vireo_get_msrs(vcpu, argp, false);
		break;
	case VIREO_SET_MSRS:
		r = vireo_get_msrs(vcpu, argp, true);
		break;
	case VIREO_INJECT_EVENT:
		r = vireo_vcpu_inject(vcpu, argp);
		break;
	case VIREO_APIC_ACCESS: {
		struct vireo_apic_access acc;

		r = -EFAULT;
		if (copy_from_user(&acc, argp, sizeof(acc)))
			break;
		r = vireo_lapic_mmio(vcpu, &acc);
		if (!r && copy_to_user(argp, &acc, sizeof(acc)))
			r = -EFAULT;
		break;
	}
	default:
		r = -ENOTTY;
		break;
	}
	mutex_unlock(&vcpu->mutex);
	return r;
}

static vm_fault_t vireo_run_page_fault(struct vm_fault *vmf)
{
	struct vireo_vcpu *vcpu = vmf->vma->vm_file->private_data;

	if (vmf->pgoff != 0)
		return VM_FAULT_SIGBUS;
	get_page(vcpu->run_page);
	vmf->page = vcpu->run_page;
	return 0;
}

static const struct vm_operations_struct vireo_run_vm_ops = {
	.fault = vireo_run_page_fault,
};

static int vireo_vcpu_mmap(struct file *filp, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff != 0 || vma_pages(vma) != 1)
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;
	vma->vm_ops = &vireo_run_vm_ops;
	return 0;
}

static int vireo_vcpu_release(struct inode *inode, struct file *filp)
{
	struct vireo_vcpu *vcpu = filp->private_data;

	vireo_vm_put(vcpu->vm);
	return 0;
}

static const struct file_operations vireo_vcpu_fops = {
	.owner = THIS_MODULE,
	.release = vireo_vcpu_release,
	.unlocked_ioctl = vireo_vcpu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = vireo_vcpu_mmap,
	.llseek = noop_llseek,
};

/* Freed only with its VM; the vCPU fd holds a VM reference. */
void vireo_vcpu_destroy(struct vireo_vcpu *vcpu)
{
	vireo_lapic_free(vcpu);
	vireo_guest_fpu_free(vcpu);
	kfree(vcpu->cpuid);
	__free_page(vcpu->run_page);
	vireo_ops->vcpu_free(vcpu);
}

int vireo_vcpu_create(struct vireo_vm *vm, unsigned long id)
{
	struct vireo_vcpu *vcpu;
	int r;

	if (id >= VIREO_MAX_VCPUS)
		return -EINVAL;

	vcpu = vireo_ops->vcpu_alloc();
	if (!vcpu)
		return -ENOMEM;
	vcpu->vm = vm;
	vcpu->id = id;
	mutex_init(&vcpu->mutex);
	vcpu->xcr0 = 1;		/* x87 only, the architectural reset value */
	vcpu->cpu = -1;
	vcpu->cr4_reserved = vireo_cr4_reserved_bits(vcpu);	/* no CPUID table yet */
	vcpu->tlb_generation = atomic_read(&vm->tlb_generation);

	r = -ENOMEM;
	vcpu->run_page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!vcpu->run_page)
		goto out_free;
	vcpu->run = page_address(vcpu->run_page);
	r = vireo_guest_fpu_alloc(vcpu);
	if (r)
		goto out_page;
	init_waitqueue_head(&vcpu->wq);
	r = vireo_ops->vcpu_init(vcpu);
	if (r)
		goto out_fpu;

	mutex_lock(&vm->vcpus_lock);
	if (vm->lapic_enabled && !vcpu->lapic) {
		r = vireo_lapic_create(vcpu);
		if (r) {
			mutex_unlock(&vm->vcpus_lock);
			goto out_fpu;
		}
		/* Application processors wait for the BSP's INIT-SIPI-SIPI. */
		vcpu->mp_state = id ? VIREO_MP_WAIT_SIPI : VIREO_MP_RUNNABLE;
	}
	if (vm->vcpus[id]) {
		mutex_unlock(&vm->vcpus_lock);
		r = -EEXIST;
		goto out_fpu;
	}
	refcount_inc(&vm->refs);
	r = anon_inode_getfd("vireo-vcpu", &vireo_vcpu_fops, vcpu, O_RDWR | O_CLOEXEC);
	if (r < 0) {
		refcount_dec(&vm->refs);
		mutex_unlock(&vm->vcpus_lock);
		goto out_fpu;
	}
	WRITE_ONCE(vm->vcpus[id], vcpu);
	vm->nr_vcpus++;
	mutex_unlock(&vm->vcpus_lock);
	return r;

out_fpu:
	vireo_lapic_free(vcpu);
	vireo_guest_fpu_free(vcpu);
out_page:
	__free_page(vcpu->run_page);
out_free:
	vireo_ops->vcpu_free(vcpu);
	return r;
}
