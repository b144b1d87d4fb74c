// SPDX-License-Identifier: GPL-2.0
/*
 * VMX plumbing: capability MSRs and control adjustment, VMXON per CPU,
 * the VMCS of each vCPU (allocation, VMCLEAR/VMPTRLD as it moves between
 * CPUs) and the host-state fields.
 *
 * A VMCS is active on at most one CPU (SDM vol. 3 25.1).  vmx_load() makes
 * it current on this CPU, first clearing it on the CPU it was last active
 * on with an IPI; every VMCS access runs between vmx_get() and vmx_put(),
 * which hold preemption off so the thread cannot move meanwhile.
 */
#include <linux/compiler.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/segment.h>
#include <asm/tlbflush.h>
#include <asm/tsc.h>
#include <asm/io.h>

#include "vmx.h"

struct vmx_cpu {
	void *vmxon_region;
	struct vmx_vcpu *current_vmcs;	/* the VMCS VMPTRLD'd here */
	struct list_head loaded;	/* VMCSs active here; changed with IRQs off */
	bool on;
};

static DEFINE_PER_CPU(struct vmx_cpu, vmx_cpu_data);
struct vmx_caps vmx_caps;

void vmx_vmwrite_error(unsigned long field, u64 value)
{
	pr_err_ratelimited(VIREO_LOG_PREFIX "VMWRITE %#lx = %#llx failed: %s\n", field, value,
			   vmx_instruction_error_name(vmcs_read(VM_INSTRUCTION_ERROR)));
}

/* SDM vol. 3 31.4, table 31-1. */
const char *vmx_instruction_error_name(u32 error)
{
	static const char *const names[] = {
		[1] = "VMCALL executed in VMX root operation",
		[2] = "VMCLEAR with invalid physical address",
		[3] = "VMCLEAR with VMXON pointer",
		[4] = "VMLAUNCH with non-clear VMCS",
		[5] = "VMRESUME with non-launched VMCS",
		[6] = "VMRESUME after VMXOFF",
		[7] = "VM entry with invalid control field(s)",
		[8] = "VM entry with invalid host-state field(s)",
		[9] = "VMPTRLD with invalid physical address",
		[10] = "VMPTRLD with VMXON pointer",
		[11] = "VMPTRLD with incorrect VMCS revision identifier",
		[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
		[13] = "VMWRITE to read-only VMCS component",
		[15] = "VMXON executed in VMX root operation",
		[16] = "VM entry with invalid executive-VMCS pointer",
		[17] = "VM entry with non-launched executive VMCS",
		[18] = "VM entry with executive-VMCS pointer not VMXON pointer",
		[19] = "VMCALL with non-clear VMCS",
		[20] = "VMCALL with invalid VM-exit control fields",
		[22] = "VMCALL with incorrect MSEG revision identifier",
		[23] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
		[24] = "VMCALL with invalid SMM-monitor features",
		[25] = "VM entry with invalid VM-execution control fields in executive VMCS",
		[26] = "VM entry with events blocked by MOV SS",
		[28] = "invalid operand to INVEPT/INVVPID",
	};

	if (error < ARRAY_SIZE(names) && names[error])
		return names[error];
	return "unknown VM-instruction error";
}

/*
 * A control is (wanted | allowed-0) & allowed-1 (SDM vol. 3 A.3-A.5);
 * fails if a required bit cannot be set.
 */
static int vmx_adjust(const char *what, u32 msr, u32 required, u32 optional, u32 *out)
{
	u64 cap;
	u32 ctl;

	rdmsrq(msr, cap);
	ctl = ((required | optional) & (u32)(cap >> 32)) | (u32)cap;
	if ((ctl & required) != required) {
		pr_info(VIREO_LOG_PREFIX "this CPU's VMX lacks %s controls %#x; VMs are unavailable\n",
			what, required & ~ctl);
		return -ENODEV;
	}
	*out = ctl;
	return 0;
}

int vmx_read_caps(unsigned int preempt_us)
{
	bool true_msrs;
	u64 basic, misc;
	int r;

	rdmsrq(MSR_IA32_VMX_BASIC, basic);
	vmx_caps.vmcs_revision = basic & 0x7fffffff;
	vmx_caps.vmcs_size = (basic >> 32) & 0x1fff;
	vmx_caps.ins_outs_info = basic & (1ULL << 54);
	true_msrs = basic & (1ULL << 55);
	if (vmx_caps.vmcs_size > PAGE_SIZE || ((basic >> 50) & 0xf) != 6) {
		pr_info(VIREO_LOG_PREFIX "VMX: VMCS of %u bytes or not write-back; VMs are unavailable\n",
			vmx_caps.vmcs_size);
		return -ENODEV;
	}

	r = vmx_adjust("pin-based", true_msrs ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
			MSR_IA32_VMX_PINBASED_CTLS,
			PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING, PIN_BASED_VIRTUAL_NMIS,
			&vmx_caps.pin);
	r = r ?: vmx_adjust("processor-based", true_msrs ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
			     MSR_IA32_VMX_PROCBASED_CTLS,
			     CPU_BASED_HLT_EXITING | CPU_BASED_USE_TSC_OFFSETTING |
			     CPU_BASED_USE_IO_BITMAPS | CPU_BASED_USE_MSR_BITMAPS |
			     CPU_BASED_MWAIT_EXITING | CPU_BASED_MONITOR_EXITING |
			     /* No TPR shadow: MOV CR8 would reach the host's APIC. */
			     CPU_BASED_CR8_LOAD_EXITING | CPU_BASED_CR8_STORE_EXITING |
			     /* The guest's DR0-3 are kept by vireo.ko (debugreg.c). */
			     CPU_BASED_MOV_DR_EXITING |
			     CPU_BASED_ACTIVATE_SECONDARY_CONTROLS, CPU_BASED_NMI_WINDOW_EXITING,
			     &vmx_caps.proc);
	r = r ?: vmx_adjust("secondary", MSR_IA32_VMX_PROCBASED_CTLS2,
			     SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_UNRESTRICTED_GUEST,
			     SECONDARY_EXEC_ENABLE_VPID | SECONDARY_EXEC_ENABLE_RDTSCP |
			     SECONDARY_EXEC_ENABLE_INVPCID, &vmx_caps.proc2);
	r = r ?: vmx_adjust("VM-exit", true_msrs ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
			     MSR_IA32_VMX_EXIT_CTLS,
			     VM_EXIT_HOST_ADDR_SPACE_SIZE | VM_EXIT_SAVE_IA32_EFER |
			     VM_EXIT_LOAD_IA32_EFER | VM_EXIT_SAVE_IA32_PAT |
			     VM_EXIT_LOAD_IA32_PAT,
			     /* The guest's DR7 and DEBUGCTL survive exits (SDM 28.3.1). */
			     VM_EXIT_SAVE_DEBUG_CONTROLS, &vmx_caps.exit);
	r = r ?: vmx_adjust("VM-entry", true_msrs ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
			     MSR_IA32_VMX_ENTRY_CTLS,
			     VM_ENTRY_LOAD_IA32_EFER | VM_ENTRY_LOAD_IA32_PAT,
			     VM_ENTRY_LOAD_DEBUG_CONTROLS, &vmx_caps.entry);
	if (r)
		return r;
	/* IA-32e mode is per guest, set at entry; never a default. */
	vmx_caps.entry &= ~VM_ENTRY_IA32E_MODE;
	/*
	 * The guest's NMI blocking needs both virtual NMIs and NMI-window
	 * exiting (which requires the former: SDM "Checks on VMX Controls");
	 * without them NMIs are injected as soon as the guest can take them.
	 */
	vmx_caps.vnmi = (vmx_caps.pin & PIN_BASED_VIRTUAL_NMIS) &&
			(vmx_caps.proc & CPU_BASED_NMI_WINDOW_EXITING);
	if (!vmx_caps.vnmi)
		vmx_caps.pin &= ~PIN_BASED_VIRTUAL_NMIS;
	/* Whether an interrupt or NMI window exit is wanted is decided per entry. */
	vmx_caps.proc &= ~(CPU_BASED_INTR_WINDOW_EXITING | CPU_BASED_NMI_WINDOW_EXITING);

	/*
	 * The VMX-preemption timer (SDM 26.5.1) is off unless asked for: it
	 * bounds how long a guest runs without an exit, which only matters
	 * where external interrupts fail to end a run (Bochs, see entry.S).
	 */
	if (preempt_us) {
		u32 pin = vmx_caps.pin;

		rdmsrq(MSR_IA32_VMX_MISC, misc);
		if (!vmx_adjust("preemption-timer", true_msrs ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
				MSR_IA32_VMX_PINBASED_CTLS, pin | PIN_BASED_VMX_PREEMPTION_TIMER,
				0, &vmx_caps.pin)) {
			u64 ticks = ((u64)tsc_khz * preempt_us / 1000) >> (misc & 0x1f);

			vmx_caps.preempt_ticks = clamp_t(u64, ticks, 1, U32_MAX);
		} else {
			vmx_caps.pin = pin;
		}
	}

	rdmsrq(MSR_IA32_VMX_EPT_VPID_CAP, vmx_caps.ept_vpid);
	if (!(vmx_caps.ept_vpid & VMX_EPT_PAGE_WALK_4_BIT) ||
	    !(vmx_caps.ept_vpid & VMX_EPTP_WB_BIT) || !(vmx_caps.ept_vpid & VMX_EPT_INVEPT_BIT)) {
		pr_info(VIREO_LOG_PREFIX "VMX: EPT lacks 4-level walks, write-back or INVEPT; VMs are unavailable\n");
		return -ENODEV;
	}
	if (!((vmx_caps.ept_vpid >> 32) & VMX_VPID_INVVPID_BIT))
		vmx_caps.proc2 &= ~SECONDARY_EXEC_ENABLE_VPID;

	rdmsrq(MSR_IA32_VMX_CR0_FIXED0, vmx_caps.cr0_fixed0);
	rdmsrq(MSR_IA32_VMX_CR0_FIXED1, vmx_caps.cr0_fixed1);
	rdmsrq(MSR_IA32_VMX_CR4_FIXED0, vmx_caps.cr4_fixed0);
	rdmsrq(MSR_IA32_VMX_CR4_FIXED1, vmx_caps.cr4_fixed1);
	return 0;
}

/*
 * VMXON fails with CF or ZF set (VMfailInvalid/VMfailValid, SDM vol. 3
 * 31.2) and faults (#GP, #UD) if VMX is off or locked out.  The fault
 * resumes at 2 with the flags as before it: STC makes that a failure too.
 */
static int vmx_vmxon(u64 pa)
{
	asm goto("stc\n\t"
		 "1: vmxon %[pa]\n\t"
		 "2: jna %l[fail]\n\t"
		 _ASM_EXTABLE(1b, 2b)
		 : : [pa] "m"(pa) : "memory", "cc" : fail);
	return 0;
fail:
	return -EBUSY;
}

static void vmx_vmclear(u64 pa)
{
	asm volatile("vmclear %0" : : "m"(pa) : "cc", "memory");
}

int vmx_cpu_on(void)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu_data);

	if (cr4_read_shadow() & X86_CR4_VMXE) {
		pr_err_once(VIREO_LOG_PREFIX "VMX is already in use on CPU %d (is kvm_intel running a VM?); stop the other hypervisor and retry\n",
			    smp_processor_id());
		return -EBUSY;
	}
	if (!vc->vmxon_region) {
		vc->vmxon_region = (void *)get_zeroed_page(GFP_ATOMIC);
		if (!vc->vmxon_region)
			return -ENOMEM;
	}
	*(u32 *)vc->vmxon_region = vmx_caps.vmcs_revision;
	cr4_set_bits(X86_CR4_VMXE);
	if (vmx_vmxon(virt_to_phys(vc->vmxon_region))) {
		cr4_clear_bits(X86_CR4_VMXE);
		pr_err_once(VIREO_LOG_PREFIX "VMXON failed on CPU %d; is another hypervisor active?\n",
			    smp_processor_id());
		return -EBUSY;
	}
	vc->current_vmcs = NULL;
	INIT_LIST_HEAD(&vc->loaded);
	vc->on = true;
	return 0;
}

void vmx_cpu_off(void)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu_data);

	struct vmx_vcpu *vmx, *tmp;
	unsigned long flags;

	if (!vc->on)
		return;
	/*
	 * A CPU going offline or into suspend while VMs exist: VMCLEAR every
	 * VMCS active here first, so that its data reach memory and the next
	 * load (here or elsewhere) starts from a clear VMCS (SDM vol. 3 25.11.1).
	 * The vCPU then takes the first-load path of vmx_load().
	 */
	local_irq_save(flags);
	list_for_each_entry_safe(vmx, tmp, &vc->loaded, loaded_link) {
		vmx_vmclear(vmx->vmcs_pa);
		list_del_init(&vmx->loaded_link);
		vmx->launched = false;
		WRITE_ONCE(vmx->loaded_cpu, -1);
	}
	local_irq_restore(flags);
	asm volatile("vmxoff" ::: "cc", "memory");
	cr4_clear_bits(X86_CR4_VMXE);
	vc->on = false;
	vc->current_vmcs = NULL;
	free_page((unsigned long)vc->vmxon_region);
	vc->vmxon_region = NULL;
}

static void vmx_vmptrld(u64 pa)
{
	asm volatile("vmptrld %0" : : "m"(pa) : "cc", "memory");
}

/* Runs on the CPU where the VMCS is active (IPI or local). */
static void vmx_clear_here(void *arg)
{
	struct vmx_vcpu *vmx = arg;
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu_data);

	if (vmx->loaded_cpu != smp_processor_id())
		return;
	vmx_vmclear(vmx->vmcs_pa);
	list_del_init(&vmx->loaded_link);
	if (vc->current_vmcs == vmx)
		vc->current_vmcs = NULL;
	vmx->launched = false;
	WRITE_ONCE(vmx->loaded_cpu, -1);
}

/* The host fields that differ between CPUs (SDM vol. 3 25.5). */
static void vmx_set_host_cpu_fields(int cpu)
{
	u64 msr;

	vmcs_write(HOST_TR_BASE, (unsigned long)&get_cpu_entry_area(cpu)->tss.x86_tss);
	vmcs_write(HOST_GDTR_BASE, (unsigned long)get_current_gdt_ro());
	rdmsrq(MSR_IA32_SYSENTER_ESP, msr);
	vmcs_write(HOST_IA32_SYSENTER_ESP, msr);
	rdmsrq(MSR_GS_BASE, msr);
	vmcs_write(HOST_GS_BASE, msr);
}

/* Preemption off. */
void vmx_load(struct vmx_vcpu *vmx)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu_data);
	int cpu = smp_processor_id();
	int old = READ_ONCE(vmx->loaded_cpu);
	unsigned long flags;

	if (old == cpu) {
		if (vc->current_vmcs != vmx) {
			vmx_vmptrld(vmx->vmcs_pa);
			vc->current_vmcs = vmx;
		}
		return;
	}
	if (old >= 0)
		smp_call_function_single(old, vmx_clear_here, vmx, 1);
	local_irq_save(flags);
	list_add(&vmx->loaded_link, &vc->loaded);
	local_irq_restore(flags);
	vmx->loaded_cpu = cpu;
	vmx_vmptrld(vmx->vmcs_pa);
	vc->current_vmcs = vmx;
	vmx_set_host_cpu_fields(cpu);
	/* Translations cached here for this VPID/EPTP may be stale. */
	vmx->need_flush = true;
}

void vmx_get(struct vmx_vcpu *vmx)
{
	preempt_disable();
	vmx_load(vmx);
}

void vmx_put(struct vmx_vcpu *vmx)
{
	preempt_enable();
}

int vmx_vmcs_alloc(struct vmx_vcpu *vmx)
{
	vmx->vmcs = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vmx->vmcs)
		return -ENOMEM;
	vmx->vmcs_pa = virt_to_phys(vmx->vmcs);
	*(u32 *)vmx->vmcs = vmx_caps.vmcs_revision;
	vmx->loaded_cpu = -1;
	INIT_LIST_HEAD(&vmx->loaded_link);
	vmx_vmclear(vmx->vmcs_pa);
	return 0;
}

void vmx_vmcs_free(struct vmx_vcpu *vmx)
{
	int cpu;

	if (!vmx->vmcs)
		return;
	cpu = READ_ONCE(vmx->loaded_cpu);
	if (cpu >= 0)
		smp_call_function_single(cpu, vmx_clear_here, vmx, 1);
	free_page((unsigned long)vmx->vmcs);
	vmx->vmcs = NULL;
}

/* Host state that is the same on every CPU; per-entry parts in vmx.c. */
static void vmx_set_host_constant_fields(void)
{
	struct desc_ptr idt;
	u64 msr;

	vmcs_write(HOST_CR0, read_cr0() & ~X86_CR0_TS);
	vmcs_write(HOST_CR3, __read_cr3());
	vmcs_write(HOST_CR4, cr4_read_shadow());
	vmcs_write(HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write(HOST_SS_SELECTOR, __KERNEL_DS);
	vmcs_write(HOST_DS_SELECTOR, 0);
	vmcs_write(HOST_ES_SELECTOR, 0);
	vmcs_write(HOST_FS_SELECTOR, 0);
	vmcs_write(HOST_GS_SELECTOR, 0);
	vmcs_write(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	store_idt(&idt);
	vmcs_write(HOST_IDTR_BASE, idt.address);
	vmcs_write(HOST_RIP, (unsigned long)vireo_vmx_exit_point);
	rdmsrq(MSR_IA32_SYSENTER_CS, msr);
	vmcs_write(HOST_IA32_SYSENTER_CS, msr);
	rdmsrq(MSR_IA32_SYSENTER_EIP, msr);
	vmcs_write(HOST_IA32_SYSENTER_EIP, msr);
	rdmsrq(MSR_IA32_CR_PAT, msr);
	vmcs_write(HOST_IA32_PAT, msr);
	rdmsrq(MSR_EFER, msr);
	vmcs_write(HOST_IA32_EFER, msr);
}

/*
 * HOST_CR3 and HOST_CR4 change under us (PCID generations, TLB flush
 * tricks, CR4 bits toggled at run time): refresh them at every entry.
 * Interrupts off.
 */
void vmx_refresh_host_state(void)
{
	u64 fs;

	vmcs_write(HOST_CR3, __read_cr3());
	vmcs_write(HOST_CR4, cr4_read_shadow());
	rdmsrq(MSR_FS_BASE, fs);
	vmcs_write(HOST_FS_BASE, fs);
}

void vmx_setup_controls(struct vmx_vcpu *vmx)
{
	vmcs_write(PIN_BASED_VM_EXEC_CONTROL, vmx_caps.pin);
	vmx->proc_ctl = vmx_caps.proc;
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, vmx->proc_ctl);
	vmx->proc2_ctl = vmx_caps.proc2;
	vmcs_write(SECONDARY_VM_EXEC_CONTROL, vmx->proc2_ctl);
	vmcs_write(VM_EXIT_CONTROLS, vmx_caps.exit);
	vmcs_write(VM_ENTRY_CONTROLS, vmx_caps.entry);
	vmcs_write(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write(CR3_TARGET_COUNT, 0);
	vmcs_write(VMCS_LINK_POINTER, ~0ULL);
	vmcs_write(TSC_OFFSET, 0);
	if (vmx_caps.proc2 & SECONDARY_EXEC_ENABLE_VPID)
		vmcs_write(VIRTUAL_PROCESSOR_ID, vmx->vpid);
	vmcs_write(EPT_POINTER, vmx_eptp(vmx->vcpu.vm->tdp.root_pa));
	vmx_set_host_constant_fields();
}
