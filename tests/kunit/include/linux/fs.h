/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim (tests/kunit): just enough of struct file and file_operations
 * for vcpu.c's file descriptor to compile.  The harness tests vcpu.c's
 * event and state functions, not its fd: the fd paths are not run.
 */
#ifndef KSHIM_LINUX_FS_H
#define KSHIM_LINUX_FS_H

#include <linux/kernel.h>
#include <linux/mm_types.h>

#define O_RDWR		00000002
#define O_CLOEXEC	02000000

typedef long loff_t;		/* as glibc has it on x86-64, so both can be seen */

struct module;
extern struct module kshim_this_module;
#define THIS_MODULE	(&kshim_this_module)

struct inode {
	int kshim_unused;
};

struct file {
	void *private_data;
};

struct file_operations {
	struct module *owner;
	loff_t (*llseek)(struct file *file, loff_t offset, int whence);
	long (*unlocked_ioctl)(struct file *file, unsigned int cmd, unsigned long arg);
	long (*compat_ioctl)(struct file *file, unsigned int cmd, unsigned long arg);
	int (*mmap)(struct file *file, struct vm_area_struct *vma);
	int (*release)(struct inode *inode, struct file *file);
};

loff_t noop_llseek(struct file *file, loff_t offset, int whence);
long compat_ptr_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

#endif
