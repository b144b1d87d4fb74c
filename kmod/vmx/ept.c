// SPDX-License-Identifier: GPL-2.0
/*
 * EPT entries and the EPT pointer (SDM vol. 3 29.3.2-29.3.3), TLB
 * invalidation with INVEPT/INVVPID (29.4.3), and VPID allocation.
 */
#include <linux/bitmap.h>
#include <linux/spinlock.h>

#include "vmx.h"

#define EPT_READ	(1ULL << 0)
#define EPT_WRITE	(1ULL << 1)
#define EPT_EXEC	(1ULL << 2)
/* Leaf memory type WB; guest PAT still applies (IPAT clear). */
#define EPT_LEAF_WB	(6ULL << VMX_EPT_MT_EPTE_SHIFT)

struct vireo_tdp_format vireo_ept_format = {
	.levels = 4,
	.table_bits = EPT_READ | EPT_WRITE | EPT_EXEC,
	.leaf_bits = EPT_READ | EPT_EXEC | EPT_LEAF_WB,
	.write_bit = EPT_WRITE,
	.present_mask = EPT_READ | EPT_WRITE | EPT_EXEC,
};

u64 vmx_eptp(u64 root_pa)
{
	return root_pa | VMX_EPTP_PWL_4 | VMX_EPTP_MT_WB;
}

struct invept_desc {
	u64 eptp;
	u64 reserved;
};

struct invvpid_desc {
	u64 vpid;
	u64 gva;
};

static void vmx_invept(unsigned long type, u64 eptp)
{
	struct invept_desc desc = { .eptp = eptp };

	asm volatile("invept %0, %1" : : "m"(desc), "r"(type) : "cc", "memory");
}

static void vmx_invvpid(unsigned long type, u16 vpid)
{
	struct invvpid_desc desc = { .vpid = vpid };

	asm volatile("invvpid %0, %1" : : "m"(desc), "r"(type) : "cc", "memory");
}

/*
 * Drops this CPU's cached guest translations: guest-physical ones tagged
 * with our EPTP and combined/linear ones tagged with our VPID.  VMCS
 * current, interrupts off.
 */
void vmx_flush_guest(struct vmx_vcpu *vmx)
{
	u64 cap = vmx_caps.ept_vpid;

	if (cap & VMX_EPT_EXTENT_CONTEXT_BIT)
		vmx_invept(VMX_EPT_EXTENT_CONTEXT, vmx_eptp(vmx->vcpu.vm->tdp.root_pa));
	else
		vmx_invept(VMX_EPT_EXTENT_GLOBAL, 0);

	if (!vmx->vpid)
		return;		/* without VPID, entries and exits flush */
	if ((cap >> 32) & VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT)
		vmx_invvpid(VMX_VPID_EXTENT_SINGLE_CONTEXT, vmx->vpid);
	else
		vmx_invvpid(VMX_VPID_EXTENT_ALL_CONTEXT, 0);
}

#define VIREO_NR_VPIDS	4096	/* VPID 0 is the host's */
static DECLARE_BITMAP(vmx_vpid_used, VIREO_NR_VPIDS);
static DEFINE_SPINLOCK(vmx_vpid_lock);

/* Returns 0 when VPIDs are off or exhausted: the vCPU then runs without. */
int vmx_vpid_alloc(void)
{
	int vpid;

	if (!(vmx_caps.proc2 & SECONDARY_EXEC_ENABLE_VPID))
		return 0;
	spin_lock(&vmx_vpid_lock);
	vpid = find_next_zero_bit(vmx_vpid_used, VIREO_NR_VPIDS, 1);
	if (vpid < VIREO_NR_VPIDS)
		__set_bit(vpid, vmx_vpid_used);
	else
		vpid = 0;
	spin_unlock(&vmx_vpid_lock);
	return vpid;
}

void vmx_vpid_free(int vpid)
{
	if (!vpid)
		return;
	spin_lock(&vmx_vpid_lock);
	__clear_bit(vpid, vmx_vpid_used);
	spin_unlock(&vmx_vpid_lock);
}
