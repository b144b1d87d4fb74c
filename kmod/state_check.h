/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest state checked where it enters vireo.ko (state_check.c): what
 * VMRUN (AMD APM vol. 2 15.5.1, "Canonicalization and Consistency
 * Checks") or VM entry (Intel SDM vol. 3 27.3.1, "Checks on the
 * Guest-State Area") would refuse is refused at the ioctl with -EINVAL,
 * and the same rules decide which of the guest's own writes vireo.ko
 * emulates must raise #GP.  Vendor-neutral: the backends call these and
 * keep only their hardware's own masks.
 */
#ifndef VIREO_STATE_CHECK_H
#define VIREO_STATE_CHECK_H

#include <linux/types.h>

struct vireo_vcpu;
struct vireo_sregs;

/* CR4 bits the guest may not set: undefined, or absent from its CPUID or the host. */
u64 vireo_cr4_reserved_bits(struct vireo_vcpu *vcpu);
/* CR0 alone: no high bits, PG needs PE, NW needs CD. */
bool vireo_cr0_valid(u64 cr0);
/*
 * The guest's own CR0/CR4 writes that vireo.ko emulates (MOV CR, LMSW,
 * CLTS), from old to new with the guest's EFER, CR4/CR3 and CS.L: 0, or
 * -EINVAL for the #GP(0) of SDM vol. 2 "MOV-Move to/from Control
 * Registers" (APM vol. 2 3.1.1, 3.1.3).  Both backends use them.
 */
int vireo_check_cr0_write(u64 old, u64 cr0, u64 efer, u64 cr4, bool cs_l);
int vireo_check_cr4_write(struct vireo_vcpu *vcpu, u64 old, u64 cr4, u64 efer, u64 cr3);
/* Canonical for the guest's linear-address width (57 bits with CR4.LA57). */
bool vireo_canonical(u64 addr, u64 cr4);
/*
 * VIREO_SET_SREGS: 0, or -EINVAL for a state the hardware would refuse.
 * Fixes EFER.LMA up to EFER.LME && CR0.PG (the CPU's own rule) when
 * userland left it clear.
 */
int vireo_check_sregs(struct vireo_vcpu *vcpu, struct vireo_sregs *sr);
/*
 * After a SET_SREGS: RIP's high half cleared unless the new mode is 64-bit
 * code; RFLAGS.VM set for a virtual-8086 set of segments, else cleared.
 */
void vireo_sregs_fix_regs(struct vireo_vcpu *vcpu, const struct vireo_sregs *sr);
/*
 * VIREO_SET_REGS: RIP and RFLAGS against the segment state the vCPU has
 * now (so userland sets SREGS first): 0, or -EINVAL.  Sets RFLAGS bit 1,
 * which always reads as 1.
 */
int vireo_check_regs(struct vireo_vcpu *vcpu, u64 rip, u64 *rflags);
/*
 * A write to one of vireo_msr_list, from userland (VIREO_SET_MSRS) or the
 * guest (WRMSR): 0, or -EINVAL (the guest gets #GP).  May adjust *data
 * (EFER.LMA is the CPU's, never the writer's).
 */
int vireo_check_msr(struct vireo_vcpu *vcpu, u32 index, u64 *data, bool from_guest);
/*
 * An exception VIREO_INJECT_EVENT may inject: a vector some x86 CPU
 * raises, not NMI's (that is its own event type).
 */
bool vireo_exception_vector_defined(u8 vector);
/* Whether that exception pushes an error code in protected mode. */
bool vireo_exception_has_error_code(u8 vector);

#endif /* VIREO_STATE_CHECK_H */
