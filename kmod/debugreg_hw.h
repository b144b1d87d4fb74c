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
 * With interrupts off, before the entry.  A host with an active hardware
 * breakpoint (the kernel's cpu_dr7) has its DR0-3 kept in vcpu->host_dr for
 * vireo_restore_host_dr(); with a guest breakpoint enabled it is disabled
 * first, so that it cannot fire on the guest's addresses until the entry
 * loads the guest's DR7.  A host without one keeps the guest's values in
 * DR0-3, which nothing reads.
 */
static inline bool vireo_load_guest_dr0_3(struct vireo_vcpu *vcpu)
{
	bool guest = vireo_dr7_enabled(vcpu->dr7);

	if (hw_breakpoint_active()) {
		get_debugreg(vcpu->host_dr[0], 0);
		get_debugreg(vcpu->host_dr[1], 1);
		get_debugreg(vcpu->host_dr[2], 2);
		get_debugreg(vcpu->host_dr[3], 3);
		if (guest)
			set_debugreg(0, 7);
	}
	if (!guest)
		return false;
	set_debugreg(vcpu->dr[0], 0);
	set_debugreg(vcpu->dr[1], 1);
	set_debugreg(vcpu->dr[2], 2);
	set_debugreg(vcpu->dr[3], 3);
	return true;
}

/*
 * With interrupts off, after a VMRUN that did not load DR0-3: a host with
 * an active breakpoint gets a clean DR6 and its DR7 back (#VMEXIT and VM
 * exit leave DR7 disabled: APM vol. 2 15.5.1, SDM vol. 3 28.3.1), as the
 * kernel's hw_breakpoint_restore() would, which newer kernels export to
 * KVM only.  Returns whether it did.
 */
static inline bool vireo_restore_host_dr7(void)
{
	if (!hw_breakpoint_active())
		return false;
	set_debugreg(DR6_RESERVED, 6);
	set_debugreg(__this_cpu_read(cpu_dr7), 7);
	return true;
}

/*
 * After an entry prepared by vireo_load_guest_dr0_3(): also the host's
 * DR0-3.  Interrupts have been off since then, so no breakpoint was
 * installed on this CPU meanwhile.
 */
static inline bool vireo_restore_host_dr(struct vireo_vcpu *vcpu)
{
	if (!hw_breakpoint_active())
		return false;
	set_debugreg(vcpu->host_dr[0], 0);
	set_debugreg(vcpu->host_dr[1], 1);
	set_debugreg(vcpu->host_dr[2], 2);
	set_debugreg(vcpu->host_dr[3], 3);
	return vireo_restore_host_dr7();
}

#endif /* VIREO_DEBUGREG_HW_H */
