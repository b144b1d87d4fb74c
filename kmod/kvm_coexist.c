// SPDX-License-Identifier: GPL-2.0
/*
 * Running beside KVM ("shared" mode; docs/ARCHITECTURE.md, "Beside KVM").
 *
 * When KVM is installed, Vireo does not turn virtualization on itself: it
 * holds an empty KVM VM for as long as any Vireo VM exists, which makes
 * KVM turn it on in every CPU (6.1 does so for its first VM, 6.12 already
 * at load) and keep it on, CPUs coming online and resume included, and
 * which pins kvm and the vendor module (rmmod is refused).  The backends
 * then run their VMCBs/VMCSs inside KVM's enablement and, whenever a vCPU's
 * thread leaves a CPU, leave that CPU as KVM expects to find it
 * (vireo_backend_ops.vcpu_put, called from a preempt notifier).
 *
 * No unexported symbol is used: the VM is made through /dev/kvm's own
 * ioctl, as a process would make it.
 */
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/fdtable.h>
#include <linux/kmod.h>
#include <linux/preempt.h>
#include <linux/string.h>
#include <uapi/linux/kvm.h>

#include "vireo.h"

/* Errors of opening /dev/kvm that mean "no KVM here". */
static bool vireo_kvm_absent(long err)
{
	return err == -ENOENT || err == -ENODEV || err == -ENXIO;
}

static struct file *vireo_kvm_open(const char *vendor_module)
{
	struct file *dev = filp_open("/dev/kvm", O_RDWR, 0);

	/* KVM installed but not loaded: load it, so that it is not locked out later. */
	if (IS_ERR(dev) && vireo_kvm_absent(PTR_ERR(dev)) &&
	    request_module("%s", vendor_module) == 0)
		dev = filp_open("/dev/kvm", O_RDWR, 0);
	return dev;
}

/*
 * A KVM VM for the caller's VM-create ioctl, as a struct file the caller
 * keeps (fput() lets it go), or NULL when KVM is not there (not installed,
 * no /dev/kvm in this mount namespace, or the caller may not open it: then
 * Vireo turns virtualization on itself, as before KVM existed), or an
 * ERR_PTR when KVM is there but refused a VM.
 *
 * Opened with the caller's credentials: the VM's fd passes through the
 * caller's file table, which must not hand out more than the caller could
 * get from /dev/kvm itself.
 */
struct file *vireo_kvm_hold(const char *vendor_module)
{
	struct file *dev, *vm;
	long fd;

	dev = vireo_kvm_open(vendor_module);
	if (IS_ERR(dev)) {
		if (PTR_ERR(dev) == -EACCES || PTR_ERR(dev) == -EPERM)
			pr_info_once(VIREO_LOG_PREFIX "/dev/kvm is there but this user may not open it: Vireo cannot share the CPUs with KVM\n");
		return NULL;
	}
	fd = -ENOTTY;
	if (dev->f_op->unlocked_ioctl)
		fd = dev->f_op->unlocked_ioctl(dev, KVM_CREATE_VM, 0);
	fput(dev);
	if (fd < 0)
		return ERR_PTR(fd);
	/*
	 * KVM installed the VM in the caller's file table; take it out again
	 * (atomically: another thread of the caller may race for the fd) and
	 * check that what came out is a KVM VM.
	 */
	vm = file_close_fd(fd);
	if (!vm)
		return ERR_PTR(-EBADF);
	if (strcmp(vm->f_path.dentry->d_name.name, "kvm-vm") != 0) {
		fput(vm);
		return ERR_PTR(-EBADF);
	}
	return vm;
}

#ifdef CONFIG_PREEMPT_NOTIFIERS
static struct vireo_vcpu *vireo_notifier_vcpu(struct preempt_notifier *pn)
{
	return container_of(pn, struct vireo_vcpu, preempt_notifier);
}

/* Nothing to take back: each entry loads what it needs (the backends' run_once). */
static void vireo_sched_in(struct preempt_notifier *pn, int cpu)
{
}

/* With interrupts off, on the CPU the thread leaves. */
static void vireo_sched_out(struct preempt_notifier *pn, struct task_struct *next)
{
	vireo_ops->vcpu_put(vireo_notifier_vcpu(pn));
}

static struct preempt_ops vireo_preempt_ops = {
	.sched_in = vireo_sched_in,
	.sched_out = vireo_sched_out,
};

/*
 * VIREO_RUN begins: in shared mode, the vCPU's thread tells the backend
 * whenever it leaves a CPU, as KVM's vcpu_load() arranges for its own.
 */
void vireo_coexist_vcpu_load(struct vireo_vcpu *vcpu)
{
	vcpu->put_on_sched_out = vireo_hw_shared() && vireo_ops->vcpu_put;
	if (!vcpu->put_on_sched_out)
		return;
	preempt_notifier_init(&vcpu->preempt_notifier, &vireo_preempt_ops);
	preempt_disable();
	preempt_notifier_register(&vcpu->preempt_notifier);
	preempt_enable();
}

/* VIREO_RUN returns: the thread leaves guest business on this CPU too. */
void vireo_coexist_vcpu_put(struct vireo_vcpu *vcpu)
{
	if (!vcpu->put_on_sched_out)
		return;
	preempt_disable();
	preempt_notifier_unregister(&vcpu->preempt_notifier);
	vireo_ops->vcpu_put(vcpu);
	preempt_enable();
	vcpu->put_on_sched_out = false;
}

/*
 * Shared mode begins and ends (main.c, outside the hotplug lock, which the
 * static key behind preempt notifiers takes).
 */
void vireo_coexist_begin(void)
{
	preempt_notifier_inc();
}

void vireo_coexist_end(void)
{
	preempt_notifier_dec();
}
#else
/* Without preempt notifiers there is no KVM (it selects them): never shared. */
void vireo_coexist_vcpu_load(struct vireo_vcpu *vcpu)
{
}

void vireo_coexist_vcpu_put(struct vireo_vcpu *vcpu)
{
}

void vireo_coexist_begin(void)
{
}

void vireo_coexist_end(void)
{
}
#endif
