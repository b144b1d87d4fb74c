/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's DR0-3 in the CPU around an entry, for both backends.  Neither
 * VMRUN nor VM entry loads DR0-3 (only DR7, from the VMCB or VMCS), so with
 * any guest breakpoint enabled the CPU must hold the guest's for the
 * breakpoints on instructions it runs itself to fire.
 */
#ifndef VIREO_DEBUGREG_HW_H
#define VIREO_DEBUGREG_HW_H

#include <asm/debugreg.h>

#include "vireo.h"

/*
 * With interrupts off, before the entry.  An active host breakpoint is
 * disabled first, so that it cannot fire on the guest's addresses until
 * the entry loads the guest's DR7; after the exit hw_breakpoint_restore()
 * gives such a host its DR0-3 and DR7 back (as KVM does).  A host without
 * one keeps the guest's values in DR0-3, which nothing reads.
 */
static inline bool vireo_load_guest_dr0_3(const struct vireo_vcpu *vcpu)
{
	if (!vireo_dr7_enabled(vcpu->dr7))
		return false;
	if (hw_breakpoint_active())
		set_debugreg(0, 7);
	set_debugreg(vcpu->dr[0], 0);
	set_debugreg(vcpu->dr[1], 1);
	set_debugreg(vcpu->dr[2], 2);
	set_debugreg(vcpu->dr[3], 3);
	return true;
}

#endif /* VIREO_DEBUGREG_HW_H */
