// SPDX-License-Identifier: GPL-2.0
/*
 * Intel VT-x backend with EPT and unrestricted guest: the module's side
 * (probe, setup, the I/O and MSR bitmaps every vCPU shares), the vCPU's
 * lifetime and power-on state, and the ops table that ties the files of
 * the backend together.  Exports one symbol: vireo_vmx_ops.
 *
 *   vmx_state.c   control registers, EFER, PDPTEs, segments (sregs)
 *   vmx_msr.c     the MSRs the backend holds, one table for get and set
 *   vmx_events.c  event injection, interrupt/NMI windows, NMI blocking
 *   vmx_exits.c   the exit dispatcher and handlers
 *   vmx_run.c     one run: state in, vireo_vmx_enter(), exit info out
 *   vmcs.c        capabilities, VMXON, VMCS lifetime and host state
 *   ept.c         EPT entry bits, INVEPT/INVVPID, VPIDs
 *   entry.S       the VMLAUNCH/VMRESUME world switch
 */
#include <linux/kernel.h>
#include <linux/gfp.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <asm/debugreg.h>
#include <asm/io.h>
#include <asm/msr.h>

#include "vmx.h"

/* Exception bitmap: #DB and #AC, see the SVM backend for why. */
#define VMX_EXCEPTIONS		((1U << 1) | (1U << 17))

static unsigned int preempt_us;
module_param_named(vmx_preempt_us, preempt_us, uint, 0444);
MODULE_PARM_DESC(vmx_preempt_us, "end every VMX guest run after this many microseconds (0: never; for emulators whose interrupts do not end a run)");

/* ------------------------------------------------------------ module */

static int vmx_probe(void)
{
	u64 feat;

	if (!boot_cpu_has(X86_FEATURE_VMX)) {
		pr_info(VIREO_LOG_PREFIX "this Intel CPU has no usable VMX (VT-x), or the firmware disabled it; VMs are unavailable\n");
		return -ENODEV;
	}
	rdmsrq(MSR_IA32_FEAT_CTL, feat);
	if (!(feat & FEAT_CTL_LOCKED) || !(feat & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_info(VIREO_LOG_PREFIX "VMX is disabled in IA32_FEATURE_CONTROL; enable VT-x in the BIOS setup\n");
		return -ENODEV;
	}
	return vmx_read_caps(preempt_us);
}

static int vmx_setup(void)
{
	pr_info(VIREO_LOG_PREFIX "VMX: EPT, unrestricted guest, VPID %s, preemption timer %u ticks; controls pin %#x proc %#x proc2 %#x exit %#x entry %#x\n",
		vmx_caps.proc2 & SECONDARY_EXEC_ENABLE_VPID ? "yes" : "no", vmx_caps.preempt_ticks,
		vmx_caps.pin,
		vmx_caps.proc, vmx_caps.proc2, vmx_caps.exit, vmx_caps.entry);
	return 0;
}

static void vmx_unsetup(void)
{
}

static u64 vmx_caps_flags(void)
{
	return VIREO_CAP_NESTED_PAGING | VIREO_CAP_READONLY_MEM | VIREO_CAP_NEXT_RIP;
}

static u32 vmx_guest_phys_bits(void)
{
	return min_t(u32, boot_cpu_data.x86_phys_bits, 48);
}

/* ------------------------------------------------------------- vCPU */

/* Power-on state: the VMCS-only fields here, the rest is common.  VMCS loaded. */
void vmx_reset_state(struct vmx_vcpu *vmx)
{
	vmcs_write(CR0_GUEST_HOST_MASK, vmx_cr0_host_bits());
	vmx->cr4_mask = vmx_cr4_host_bits();
	vmcs_write(CR4_GUEST_HOST_MASK, vmx->cr4_mask);
	vmcs_write(GUEST_DR7, 0x400);
	vmcs_write(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(GUEST_IA32_PAT, 0x0007040600070406ULL);
	vmcs_write(GUEST_SYSENTER_CS, 0);
	vmcs_write(GUEST_SYSENTER_ESP, 0);
	vmcs_write(GUEST_SYSENTER_EIP, 0);
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write(GUEST_ACTIVITY_STATE, 0);
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmx->dr6 = DR6_RESERVED;
	vmcs_write(EXCEPTION_BITMAP, VMX_EXCEPTIONS);
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmx->event_pending = false;
	vmx->star = vmx->lstar = vmx->cstar = vmx->sfmask = vmx->kernel_gs_base = 0;
	vireo_vcpu_init_state(&vmx->vcpu);
}

/* All-ones I/O and MSR bitmaps: every port and MSR access exits. */
static void *vmx_io_bitmaps;	/* 8 KiB: A (ports 0-7fff), B */
static void *vmx_msr_bitmap;	/* 4 KiB */

static int vmx_vcpu_init(struct vireo_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	int r;

	vmx->vpid = vmx_vpid_alloc();
	if (!vmx->vpid && (vmx_caps.proc2 & SECONDARY_EXEC_ENABLE_VPID))
		return -EBUSY;
	r = vmx_vmcs_alloc(vmx);
	if (r)
		return r;

	vmx_get(vmx);
	vmx_setup_controls(vmx);
	vmcs_write(IO_BITMAP_A, virt_to_phys(vmx_io_bitmaps));
	vmcs_write(IO_BITMAP_B, virt_to_phys(vmx_io_bitmaps) + PAGE_SIZE);
	vmcs_write(MSR_BITMAP, virt_to_phys(vmx_msr_bitmap));
	vmx_reset_state(vmx);
	vmx_put(vmx);
	return 0;
}

static struct vireo_vcpu *vmx_vcpu_alloc(void)
{
	struct vmx_vcpu *vmx = kzalloc(sizeof(*vmx), GFP_KERNEL_ACCOUNT);

	if (!vmx)
		return NULL;
	vmx->loaded_cpu = -1;
	return &vmx->vcpu;
}

static void vmx_vcpu_free(struct vireo_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_vmcs_free(vmx);
	vmx_vpid_free(vmx->vpid);
	kfree(vmx);
}

/* ---------------------------------------------------------- CPUs */

static int vmx_setup_bitmaps(void)
{
	vmx_io_bitmaps = (void *)__get_free_pages(GFP_KERNEL, 1);
	vmx_msr_bitmap = (void *)__get_free_page(GFP_KERNEL);
	if (!vmx_io_bitmaps || !vmx_msr_bitmap) {
		free_pages((unsigned long)vmx_io_bitmaps, 1);
		free_page((unsigned long)vmx_msr_bitmap);
		return -ENOMEM;
	}
	memset(vmx_io_bitmaps, 0xff, 2 * PAGE_SIZE);
	memset(vmx_msr_bitmap, 0xff, PAGE_SIZE);
	return 0;
}

static int vmx_setup_all(void)
{
	int r = vmx_setup_bitmaps();

	return r ?: vmx_setup();
}

static void vmx_unsetup_all(void)
{
	vmx_unsetup();
	free_pages((unsigned long)vmx_io_bitmaps, 1);
	free_page((unsigned long)vmx_msr_bitmap);
}

const struct vireo_backend_ops vireo_vmx_ops = {
	.name = "Intel VT-x (VMX+EPT)",
	.id = VIREO_BACKEND_VMX,
	.probe = vmx_probe,
	.setup = vmx_setup_all,
	.unsetup = vmx_unsetup_all,
	.enable_cpu = vmx_cpu_on,
	.disable_cpu = vmx_cpu_off,
	.caps_flags = vmx_caps_flags,
	.guest_phys_bits = vmx_guest_phys_bits,
	.tdp_format = &vireo_ept_format,
	.vcpu_alloc = vmx_vcpu_alloc,
	.vcpu_init = vmx_vcpu_init,
	.vcpu_free = vmx_vcpu_free,
	.get_sregs = vmx_get_sregs,
	.set_sregs = vmx_set_sregs,
	.get_cr4 = vmx_get_cr4,
	.get_msr = vmx_get_msr,
	.set_msr = vmx_set_msr,
	.run_once = vmx_run_once,
};
