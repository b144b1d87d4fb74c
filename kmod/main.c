// SPDX-License-Identifier: GPL-2.0
/*
 * vireo.ko entry point: /dev/vireo, the system ioctls, backend selection,
 * and turning virtualization on in every CPU only while VMs exist.
 */
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/smp.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/syscore_ops.h>
#include <linux/reboot.h>
#include <asm/processor.h>

#include "vireo.h"

const struct vireo_backend_ops *vireo_ops;

static bool share_kvm = true;
module_param(share_kvm, bool, 0644);
MODULE_PARM_DESC(share_kvm,
		 "Run inside KVM's enablement of the CPUs when KVM is installed (default); 0: always turn virtualization on ourselves (fails while KVM has it on)");

/*
 * (held to change vireo_hw_users and over the KVM VM's creation, which
 * takes the hotplug lock itself: so this lock is outside it)
 */
static DEFINE_MUTEX(vireo_share_lock);
static struct file *vireo_kvm_vm;	/* (vireo_share_lock) held in shared mode */
static int vireo_logged_mode = -1;	/* (vireo_share_lock) the mode last logged */

static DEFINE_MUTEX(vireo_hw_lock);
/*
 * (vireo_share_lock and vireo_hw_lock, under cpus_read_lock, to change;
 * either to read) live VMs; READ_ONCE in syscore ops
 */
static unsigned int vireo_hw_users;
static bool vireo_shared;	/* (as vireo_hw_users) mode of the live VMs */
static atomic_t vireo_hw_failed;
static int vireo_cpuhp_state;	/* (c) the dynamic cpuhp state, or 0 */

static void vireo_enable_cpu(void *unused)
{
	int r = vireo_ops->enable_cpu();

	if (r)
		atomic_cmpxchg(&vireo_hw_failed, 0, r);
}

static void vireo_disable_cpu(void *unused)
{
	vireo_ops->disable_cpu();
}

bool vireo_hw_shared(void)
{
	return READ_ONCE(vireo_shared);
}

static bool vireo_rebooting;	/* (a) set once, by vireo_reboot() */

bool vireo_hw_rebooting(void)
{
	return READ_ONCE(vireo_rebooting);
}

static void vireo_reboot_sync(void *unused)
{
}

/*
 * A reboot turns virtualization off on every CPU through KVM's reboot
 * notifier (priority 0), with tasks still running (reboot -f): in shared
 * mode a vCPU entering after that would VMRUN with EFER.SVME clear (#UD).
 * This notifier runs before KVM's; once the IPI has been taken everywhere
 * (an entry runs with interrupts off from its check to its exit), every
 * vCPU sees the flag before its next entry and leaves with an internal
 * error instead.
 */
static int vireo_reboot(struct notifier_block *nb, unsigned long action, void *data)
{
	WRITE_ONCE(vireo_rebooting, true);
	on_each_cpu(vireo_reboot_sync, NULL, 1);
	return NOTIFY_OK;
}

static struct notifier_block vireo_reboot_nb = {
	.notifier_call = vireo_reboot,
	.priority = 1,
};

/* The first VM's enablement, and each change of mode after, is logged once. */
static void vireo_log_mode(void)
{
	if (vireo_logged_mode == vireo_shared)
		return;
	vireo_logged_mode = vireo_shared;
	if (vireo_shared)
		pr_info(VIREO_LOG_PREFIX "mode: shared with KVM (%s keeps virtualization on; Vireo's VMs run inside it)\n",
			vireo_ops->kvm_module);
	else
		pr_info(VIREO_LOG_PREFIX "mode: own (Vireo turns virtualization on while its VMs exist%s)\n",
			vireo_ops->kvm_module && share_kvm ? "; KVM is not available" : "");
}

/*
 * Virtualization is on in every online CPU while VMs exist: a CPU coming
 * online turns it on (vireo_cpu_online()) before any task can be scheduled
 * there, a CPU going offline turns it off, and system suspend and resume
 * do the same for the CPU that stays (syscore ops, vireo_suspend()).
 *
 * Who turns it on is decided when the first VM is made.  Where KVM is
 * installed (and share_kvm is set), a KVM VM is held until the last Vireo
 * VM is gone: KVM turns virtualization on and keeps it on, and the backend
 * runs inside it (shared mode, kvm_coexist.c).  Otherwise Vireo turns it
 * on itself only while its VMs exist, so that another hypervisor can use
 * the CPUs in between (own mode).
 */
int vireo_hardware_get(void)
{
	struct file *kvm_vm = NULL;
	int r = 0;

	if (!vireo_ops)
		return -ENODEV;

	mutex_lock(&vireo_share_lock);
	if (vireo_hw_users == 0 && vireo_ops->kvm_module && READ_ONCE(share_kvm)) {
		kvm_vm = vireo_kvm_hold(vireo_ops->kvm_module);
		if (IS_ERR(kvm_vm)) {
			r = PTR_ERR(kvm_vm);
			pr_err_ratelimited(VIREO_LOG_PREFIX "KVM is there but refused the VM that keeps its virtualization on (%d)\n",
					   r);
			goto out;
		}
		if (kvm_vm)
			vireo_coexist_begin();
	}

	/* The hotplug lock first: the order vireo.h gives, and cpuhp callbacks' */
	cpus_read_lock();
	mutex_lock(&vireo_hw_lock);
	if (vireo_hw_users++ == 0) {
		WRITE_ONCE(vireo_shared, kvm_vm != NULL);
		atomic_set(&vireo_hw_failed, 0);
		on_each_cpu(vireo_enable_cpu, NULL, 1);
		r = atomic_read(&vireo_hw_failed);
		if (r) {
			on_each_cpu(vireo_disable_cpu, NULL, 1);
			vireo_hw_users = 0;
		}
	}
	mutex_unlock(&vireo_hw_lock);
	cpus_read_unlock();

	if (r == 0 && vireo_hw_users == 1)
		vireo_log_mode();
	if (kvm_vm) {
		if (r) {
			vireo_coexist_end();
			fput(kvm_vm);
		} else {
			vireo_kvm_vm = kvm_vm;
		}
	}
out:
	mutex_unlock(&vireo_share_lock);
	return r;
}

void vireo_hardware_put(void)
{
	struct file *kvm_vm = NULL;

	mutex_lock(&vireo_share_lock);
	cpus_read_lock();
	mutex_lock(&vireo_hw_lock);
	if (--vireo_hw_users == 0) {
		on_each_cpu(vireo_disable_cpu, NULL, 1);
		kvm_vm = vireo_kvm_vm;
		vireo_kvm_vm = NULL;
	}
	mutex_unlock(&vireo_hw_lock);
	cpus_read_unlock();
	/* Only now may KVM turn virtualization off: no Vireo guest runs. */
	if (kvm_vm) {
		vireo_coexist_end();
		fput(kvm_vm);
	}
	mutex_unlock(&vireo_share_lock);
}

/*
 * cpuhp callbacks run in the CPU's hotplug thread, bound to it, under the
 * hotplug lock: vireo_hardware_get()/put() cannot run meanwhile.  The
 * backends' enable/disable expect interrupts off, as from on_each_cpu().
 */
static int vireo_cpu_online(unsigned int cpu)
{
	int r = 0;

	mutex_lock(&vireo_hw_lock);
	if (vireo_hw_users) {
		local_irq_disable();
		r = vireo_ops->enable_cpu();
		local_irq_enable();
		if (r)
			pr_err(VIREO_LOG_PREFIX "CPU %u cannot come online: virtualization did not turn on (%d)\n",
			       cpu, r);
	}
	mutex_unlock(&vireo_hw_lock);
	return r;
}

static int vireo_cpu_offline(unsigned int cpu)
{
	mutex_lock(&vireo_hw_lock);
	if (vireo_hw_users) {
		local_irq_disable();
		vireo_ops->disable_cpu();
		local_irq_enable();
	}
	mutex_unlock(&vireo_hw_lock);
	return 0;
}

/*
 * System suspend: the other CPUs are offline already (the cpuhp callbacks
 * did them); this one, with interrupts off and tasks frozen, is left.  The
 * count cannot change under us (VM creation is frozen) and no lock may be
 * taken here.
 */
static int vireo_suspend(void *unused)
{
	if (READ_ONCE(vireo_hw_users) && !vireo_hw_shared())
		vireo_ops->disable_cpu();
	return 0;
}

/*
 * Shared mode: KVM's own syscore ops turn virtualization off and on again,
 * in an order relative to these that depends on which module loaded first,
 * and Vireo leaves nothing of its own on a CPU between its vCPUs' stays:
 * nothing to do, here or in vireo_suspend().
 */
static void vireo_resume(void *unused)
{
	if (READ_ONCE(vireo_hw_users) && !vireo_hw_shared() && vireo_ops->enable_cpu())
		pr_err(VIREO_LOG_PREFIX "virtualization did not turn on again after resume on CPU %d\n",
		       smp_processor_id());
}

static const struct syscore_ops vireo_syscore_ops = {
	.suspend = vireo_suspend,
	.resume = vireo_resume,
};

static struct syscore vireo_syscore = {
	.ops = &vireo_syscore_ops,
};

static long vireo_get_caps(void __user *argp)
{
	struct vireo_caps caps = {
		.api_version = VIREO_API_VERSION,
		.max_vcpus = VIREO_MAX_VCPUS,
		.max_mem_slots = VIREO_MAX_MEM_SLOTS,
		.run_page_size = VIREO_RUN_PAGE_SIZE,
		.max_cpuid_entries = VIREO_MAX_CPUID_ENTRIES,
		.max_msr_entries = VIREO_MAX_MSR_ENTRIES,
	};
	unsigned int i;

	if (vireo_ops) {
		caps.backend = vireo_ops->id;
		/* The backend's hardware features, then what common code always has. */
		caps.flags = vireo_ops->caps_flags() | VIREO_CAP_LAPIC | VIREO_CAP_SIGNAL_MSI |
			     VIREO_CAP_IRQFD | VIREO_CAP_IOEVENTFD | VIREO_CAP_XSAVE_STATE |
			     VIREO_CAP_SUPPORTED_CPUID;
		if (vireo_hw_shared())
			caps.flags |= VIREO_CAP_SHARED_WITH_KVM;
		caps.guest_phys_bits = vireo_ops->guest_phys_bits();
	}
	caps.nr_msrs = min_t(u32, vireo_msr_list_len, ARRAY_SIZE(caps.msr_list));
	for (i = 0; i < caps.nr_msrs; i++)
		caps.msr_list[i] = vireo_msr_list[i];

	return copy_to_user(argp, &caps, sizeof(caps)) ? -EFAULT : 0;
}

static long vireo_dev_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case VIREO_GET_API_VERSION:
		return arg ? -EINVAL : VIREO_API_VERSION;
	case VIREO_GET_CAPS:
		return vireo_get_caps((void __user *)arg);
	case VIREO_GET_SUPPORTED_CPUID:
		return vireo_get_supported_cpuid((void __user *)arg);
	case VIREO_CREATE_VM:
		if (arg)
			return -EINVAL;
		return vireo_vm_create();
	default:
		return -ENOTTY;
	}
}

static const struct file_operations vireo_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = vireo_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice vireo_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "vireo",
	.fops = &vireo_dev_fops,
	.mode = 0660,
};

static const struct vireo_backend_ops *vireo_pick_backend(void)
{
#ifdef CONFIG_VIREO_SVM
	if (boot_cpu_data.x86_vendor == X86_VENDOR_AMD ||
	    boot_cpu_data.x86_vendor == X86_VENDOR_HYGON)
		return &vireo_svm_ops;
#endif
#ifdef CONFIG_VIREO_VMX
	if (boot_cpu_data.x86_vendor == X86_VENDOR_INTEL ||
	    boot_cpu_data.x86_vendor == X86_VENDOR_ZHAOXIN ||
	    boot_cpu_data.x86_vendor == X86_VENDOR_CENTAUR)
		return &vireo_vmx_ops;
#endif
	pr_info(VIREO_LOG_PREFIX "no backend in this vireo.ko for this CPU vendor; VMs are unavailable\n");
	return NULL;
}

static int __init vireo_init(void)
{
	const struct vireo_backend_ops *ops = vireo_pick_backend();
	int r;

	/*
	 * Without a usable backend the module still loads, so /dev/vireo can
	 * answer VIREO_GET_CAPS (backend NONE) and VIREO_CREATE_VM fails with
	 * -ENODEV; probe() has logged the reason.
	 */
	if (ops && ops->probe() == 0) {
		r = ops->setup();
		if (r)
			return r;
		vireo_ops = ops;
		/* No VM yet: the callbacks have nothing to do on today's CPUs. */
		r = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "vireo:online", vireo_cpu_online,
				      vireo_cpu_offline);
		if (r < 0)
			goto out_unsetup;
		vireo_cpuhp_state = r;
		register_syscore(&vireo_syscore);
		register_reboot_notifier(&vireo_reboot_nb);
		pr_info(VIREO_LOG_PREFIX "%s backend ready\n", ops->name);
	}

	r = misc_register(&vireo_dev);
	if (r && vireo_ops) {
		unregister_reboot_notifier(&vireo_reboot_nb);
		unregister_syscore(&vireo_syscore);
		cpuhp_remove_state(vireo_cpuhp_state);
		goto out_unsetup;
	}
	return r;

out_unsetup:
	ops->unsetup();
	vireo_ops = NULL;
	return r;
}

static void __exit vireo_exit(void)
{
	misc_deregister(&vireo_dev);
	if (vireo_ops) {
		unregister_reboot_notifier(&vireo_reboot_nb);
		unregister_syscore(&vireo_syscore);
		cpuhp_remove_state(vireo_cpuhp_state);
		vireo_ops->unsetup();
	}
}

module_init(vireo_init);
module_exit(vireo_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Vireo hypervisor");
