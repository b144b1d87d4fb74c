// SPDX-License-Identifier: GPL-2.0
/*
 * The MSRs vireo.ko keeps for the guest.  Guest RDMSR/WRMSR of these is
 * handled in the kernel; every other MSR exits to userland
 * (VIREO_EXIT_MSR), which answers or has #GP injected.
 */
#include <asm/msr-index.h>

#include "vireo.h"
#include "state_check.h"

const u32 vireo_msr_list[] = {
	MSR_EFER, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
	MSR_KERNEL_GS_BASE, MSR_FS_BASE, MSR_GS_BASE,
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
	MSR_IA32_CR_PAT, MSR_IA32_TSC, MSR_TSC_AUX,
};
const unsigned int vireo_msr_list_len = ARRAY_SIZE(vireo_msr_list);

int vireo_tsc_aux_access(struct vireo_vcpu *vcpu, bool is_write, u64 *data, bool from_guest)
{
	if (from_guest && !vcpu->tsc_aux_offered)
		return -EINVAL;
	if (!is_write) {
		*data = vcpu->tsc_aux;
		return 0;
	}
	if (*data >> 32)
		return -EINVAL;
	vcpu->tsc_aux = *data;
	return 0;
}

bool vireo_msr_is_listed(u32 index)
{
	unsigned int i;

	for (i = 0; i < vireo_msr_list_len; i++)
		if (vireo_msr_list[i] == index)
			return true;
	return false;
}

/* IA32_PAT: each byte UC(0) WC(1) WT(4) WP(5) WB(6) UC-(7) (SDM 13.12.2). */
bool vireo_pat_valid(u64 pat)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 type = pat >> (i * 8);

		if (type == 2 || type == 3 || type > 7)
			return false;
	}
	return true;
}

/*
 * The end of an RDMSR/WRMSR the kernel handled: #GP if it failed (r != 0),
 * else a read's value in EDX:EAX and the instruction retired.
 */
static int msr_complete(struct vireo_vcpu *vcpu, int r, bool is_write, u64 data, u64 next_rip)
{
	if (r) {
		vireo_vcpu_queue_exception(vcpu, 13, true, 0);
		return 0;
	}
	if (!is_write) {
		vcpu->regs[VIREO_REG_RAX] = (u32)data;
		vcpu->regs[VIREO_REG_RDX] = data >> 32;
	}
	vireo_retire_insn(vcpu, next_rip);
	return 0;
}

/* Guest RDMSR/WRMSR: ECX is the index, EDX:EAX the value. */
int vireo_handle_msr(struct vireo_vcpu *vcpu, bool is_write, u64 next_rip)
{
	u64 *regs = vcpu->regs;
	u32 index = regs[VIREO_REG_RCX];
	u64 data = (regs[VIREO_REG_RDX] << 32) | (u32)regs[VIREO_REG_RAX];
	struct vireo_run *run = vcpu->run;

	if (vcpu->lapic) {
		u64 tsc = 0;
		int r;

		if (index == MSR_IA32_TSC_DEADLINE)
			vireo_ops->get_msr(vcpu, MSR_IA32_TSC, &tsc);
		r = vireo_lapic_msr(vcpu, index, is_write, &data, tsc);
		if (r != -ENOENT)
			return msr_complete(vcpu, r, is_write, data, next_rip);
	}

	if (index == MSR_TSC_AUX) {
		int r = vireo_tsc_aux_access(vcpu, is_write, &data, true);

		return msr_complete(vcpu, r, is_write, data, next_rip);
	}

	if (vireo_msr_is_listed(index)) {
		int r;

		if (is_write) {
			r = vireo_check_msr(vcpu, index, &data, true);
			if (!r)
				r = vireo_ops->set_msr(vcpu, index, data, true);
		} else {
			r = vireo_ops->get_msr(vcpu, index, &data);
		}
		return msr_complete(vcpu, r, is_write, data, next_rip);
	}

	memset(&run->msr, 0, sizeof(run->msr));
	run->msr.index = index;
	run->msr.is_write = is_write;
	run->msr.data = is_write ? data : 0;
	vcpu->completion = VIREO_COMPLETE_MSR;
	vcpu->completion_rip = next_rip;
	return vireo_exit_to_user(vcpu, VIREO_EXIT_MSR);
}
