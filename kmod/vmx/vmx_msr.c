// SPDX-License-Identifier: GPL-2.0
/*
 * The MSRs the VMX backend holds for the guest (VIREO_GET/SET_MSRS and the
 * guest's own RDMSR/WRMSR that msr.c passes on): one table says where each
 * lives, and get and set both walk it, so an MSR is one line there.  The
 * syscall MSRs have no VMCS field (VM entry and exit do not switch them):
 * they are kept in struct vmx_vcpu and swapped around the run (vmx_run.c).
 */
#include <linux/kernel.h>
#include <linux/stddef.h>
#include <asm/msr.h>

#include "vmx.h"

enum vmx_msr_home {
	VMX_MSR_VCPU,	/* a u64 of struct vmx_vcpu */
	VMX_MSR_VMCS,	/* a guest-state field of the VMCS */
	VMX_MSR_TSC,	/* the VMCS TSC offset: the guest reads the host's TSC plus it */
	VMX_MSR_EFER,	/* read from struct vmx_vcpu, written with vmx_write_efer() */
};

struct vmx_msr {
	u32 index;
	enum vmx_msr_home home;
	unsigned long where;		/* the VMCS field, or the offset in struct vmx_vcpu */
	bool (*valid)(u64 data);	/* if set, a write it refuses is -EINVAL */
};

static bool vmx_efer_valid(u64 efer)
{
	return !(efer & ~VMX_GUEST_EFER_MASK);
}

#define VCPU_MSR(index, member)	{ index, VMX_MSR_VCPU, offsetof(struct vmx_vcpu, member) }
#define VMCS_MSR(index, field)	{ index, VMX_MSR_VMCS, field }

static const struct vmx_msr vmx_msrs[] = {
	{ MSR_EFER, VMX_MSR_EFER, offsetof(struct vmx_vcpu, efer), vmx_efer_valid },
	VCPU_MSR(MSR_STAR, star),
	VCPU_MSR(MSR_LSTAR, lstar),
	VCPU_MSR(MSR_CSTAR, cstar),
	VCPU_MSR(MSR_SYSCALL_MASK, sfmask),
	VCPU_MSR(MSR_KERNEL_GS_BASE, kernel_gs_base),
	VMCS_MSR(MSR_FS_BASE, GUEST_FS_BASE),
	VMCS_MSR(MSR_GS_BASE, GUEST_GS_BASE),
	VMCS_MSR(MSR_IA32_SYSENTER_CS, GUEST_SYSENTER_CS),
	VMCS_MSR(MSR_IA32_SYSENTER_ESP, GUEST_SYSENTER_ESP),
	VMCS_MSR(MSR_IA32_SYSENTER_EIP, GUEST_SYSENTER_EIP),
	{ MSR_IA32_CR_PAT, VMX_MSR_VMCS, GUEST_IA32_PAT, vireo_pat_valid },
	{ MSR_IA32_TSC, VMX_MSR_TSC, TSC_OFFSET },
};

static const struct vmx_msr *vmx_msr_find(u32 index)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vmx_msrs); i++)
		if (vmx_msrs[i].index == index)
			return &vmx_msrs[i];
	return NULL;
}

static u64 *vmx_msr_in_vcpu(struct vmx_vcpu *vmx, const struct vmx_msr *msr)
{
	return (u64 *)((char *)vmx + msr->where);
}

int vmx_get_msr(struct vireo_vcpu *vcpu, u32 index, u64 *data)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	const struct vmx_msr *msr = vmx_msr_find(index);

	if (!msr)
		return -EINVAL;
	if (msr->home == VMX_MSR_VCPU || msr->home == VMX_MSR_EFER) {
		*data = *vmx_msr_in_vcpu(vmx, msr);
		return 0;
	}
	vmx_get(vmx);
	*data = vmcs_read(msr->where);
	vmx_put(vmx);
	if (msr->home == VMX_MSR_TSC)
		*data += rdtsc();
	return 0;
}

int vmx_set_msr(struct vireo_vcpu *vcpu, u32 index, u64 data, bool from_guest)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	const struct vmx_msr *msr = vmx_msr_find(index);

	if (!msr || (msr->valid && !msr->valid(data)))
		return -EINVAL;
	switch (msr->home) {
	case VMX_MSR_VCPU:
		*vmx_msr_in_vcpu(vmx, msr) = data;
		return 0;
	case VMX_MSR_EFER:
		/*
		 * LMA is the CPU's: it follows LME and CR0.PG (SDM vol. 3
		 * "Initializing IA-32e Mode"), so the guest's WRMSR keeps it;
		 * userland restoring a vCPU sets it with the rest.
		 */
		if (from_guest)
			data = (data & ~EFER_LMA) | (vmx->efer & EFER_LMA);
		vmx_get(vmx);
		vmx_write_efer(vmx, data);
		vmx_put(vmx);
		return 0;
	case VMX_MSR_TSC:
		data -= rdtsc();
		break;
	case VMX_MSR_VMCS:
		break;
	}
	vmx_get(vmx);
	vmcs_write(msr->where, data);
	vmx_put(vmx);
	return 0;
}
