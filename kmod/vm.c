// SPDX-License-Identifier: GPL-2.0
/*
 * The VM file descriptor: lifetime, memory-slot ioctls and vCPU creation.
 *
 * A VM lives while its fd or any vCPU fd is open (each holds a reference);
 * the last put tears down vCPUs, the nested page table and the pins.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/sched/mm.h>
#include <linux/uaccess.h>

#include "vireo.h"

static void vireo_vm_destroy(struct vireo_vm *vm)
{
	int i;

	vireo_eventfds_release(vm);
	for (i = 0; i < VIREO_MAX_VCPUS; i++)
		if (vm->vcpus[i])
			vireo_vcpu_destroy(vm->vcpus[i]);
	vireo_mmu_destroy(vm);
	mmdrop(vm->mm);
	kfree(vm);
	vireo_hardware_put();
}

void vireo_vm_put(struct vireo_vm *vm)
{
	if (refcount_dec_and_test(&vm->refs))
		vireo_vm_destroy(vm);
}

static int vireo_vm_release(struct inode *inode, struct file *filp)
{
	vireo_vm_put(filp->private_data);
	return 0;
}

static long vireo_vm_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	struct vireo_vm *vm = filp->private_data;
	void __user *argp = (void __user *)arg;

	/* Memory belongs to the creating process; a forked child may not use it. */
	if (vm->mm != current->mm)
		return -EIO;

	switch (cmd) {
	case VIREO_SET_MEMORY_REGION: {
		struct vireo_memory_region mr;

		if (copy_from_user(&mr, argp, sizeof(mr)))
			return -EFAULT;
		return vireo_mmu_set_region(vm, &mr);
	}
	case VIREO_DELETE_MEMORY_REGION: {
		u32 slot;

		if (get_user(slot, (u32 __user *)argp))
			return -EFAULT;
		return vireo_mmu_delete_region(vm, slot);
	}
	case VIREO_CREATE_VCPU:
		return vireo_vcpu_create(vm, arg);
	case VIREO_ENABLE_LAPIC: {
		int r = 0;

		if (arg)
			return -EINVAL;
		mutex_lock(&vm->vcpus_lock);
		if (vm->nr_vcpus)
			r = -EBUSY;	/* existing vCPUs would have none */
		else
			vm->lapic_enabled = true;
		mutex_unlock(&vm->vcpus_lock);
		return r;
	}
	case VIREO_SIGNAL_MSI: {
		struct vireo_msi msi;

		if (copy_from_user(&msi, argp, sizeof(msi)))
			return -EFAULT;
		if (msi.reserved)
			return -EINVAL;
		if (!vireo_vm_has_lapic(vm))
			return -ENXIO;
		return vireo_lapic_deliver_msi(vm, msi.address, msi.data);
	}
	case VIREO_IRQFD: {
		struct vireo_irqfd irqfd;

		if (copy_from_user(&irqfd, argp, sizeof(irqfd)))
			return -EFAULT;
		return vireo_irqfd(vm, &irqfd);
	}
	case VIREO_IOEVENTFD: {
		struct vireo_ioeventfd ioev;

		if (copy_from_user(&ioev, argp, sizeof(ioev)))
			return -EFAULT;
		return vireo_ioeventfd(vm, &ioev);
	}
	default:
		return -ENOTTY;
	}
}

static const struct file_operations vireo_vm_fops = {
	.owner = THIS_MODULE,
	.release = vireo_vm_release,
	.unlocked_ioctl = vireo_vm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

int vireo_vm_create(void)
{
	struct vireo_vm *vm;
	int r;

	r = vireo_hardware_get();
	if (r)
		return r;

	r = -ENOMEM;
	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		goto out_hw;
	refcount_set(&vm->refs, 1);
	mutex_init(&vm->mmu_lock);
	mutex_init(&vm->vcpus_lock);
	mutex_init(&vm->eventfds_lock);
	INIT_LIST_HEAD(&vm->irqfds);
	INIT_LIST_HEAD(&vm->ioeventfds);
	r = vireo_tdp_init(&vm->tdp, vireo_ops->tdp_format);
	if (r)
		goto out_free;
	vm->mm = current->mm;
	mmgrab(vm->mm);

	r = anon_inode_getfd("vireo-vm", &vireo_vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (r < 0)
		vireo_vm_put(vm);	/* undoes everything above */
	return r;

out_free:
	kfree(vm);
out_hw:
	vireo_hardware_put();
	return r;
}
