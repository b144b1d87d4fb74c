// SPDX-License-Identifier: GPL-2.0
/*
 * Eventfd shortcuts between device threads and vCPUs:
 *  irqfd      a write to the eventfd delivers a fixed MSI message, from the
 *             eventfd's wakeup (atomic context), without any vCPU thread;
 *  ioeventfd  a guest OUT to a registered port signals the eventfd and
 *             completes in the kernel, without an exit to userland.
 */
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "vireo.h"

struct vireo_irqfd_entry {
	struct vireo_vm *vm;
	struct eventfd_ctx *ctx;
	u64 msi_address;
	u32 msi_data;
	wait_queue_entry_t wait;
	wait_queue_head_t *wqh;		/* the eventfd's, set by vfs_poll() */
	poll_table pt;
	struct list_head link;		/* (vm->eventfds_lock) */
};

struct vireo_ioeventfd_entry {
	struct eventfd_ctx *ctx;
	u16 port;
	u8 len;
	bool datamatch;
	u32 value;
	struct list_head link;		/* (vm->eventfds_lock) */
};

/* Eventfd wakeup: the wait-queue lock is held, interrupts are off. */
static int irqfd_wakeup(wait_queue_entry_t *wait, unsigned int mode, int sync, void *key)
{
	struct vireo_irqfd_entry *e = container_of(wait, struct vireo_irqfd_entry, wait);
	__poll_t flags = key_to_poll(key);

	if (flags & EPOLLIN) {
		u64 cnt;

		eventfd_ctx_do_read(e->ctx, &cnt);
		vireo_lapic_deliver_msi(e->vm, e->msi_address, e->msi_data);
	}
	/* EPOLLHUP (fd closed): the entry stays until deassign or VM exit. */
	return 0;
}

/*
 * The eventfd was written before the wakeup was installed: deliver it now.
 * Caller holds eventfds_lock (e stays on the list).
 */
static void irqfd_take_pending(struct vireo_irqfd_entry *e)
{
	unsigned long flags;
	u64 cnt;

	lockdep_assert_held(&e->vm->eventfds_lock);
	spin_lock_irqsave(&e->wqh->lock, flags);
	eventfd_ctx_do_read(e->ctx, &cnt);
	if (cnt)
		vireo_lapic_deliver_msi(e->vm, e->msi_address, e->msi_data);
	spin_unlock_irqrestore(&e->wqh->lock, flags);
}

static void irqfd_queue_proc(struct file *file, wait_queue_head_t *wqh, poll_table *pt)
{
	struct vireo_irqfd_entry *e = container_of(pt, struct vireo_irqfd_entry, pt);

	e->wqh = wqh;
	add_wait_queue(wqh, &e->wait);
}

static void irqfd_free(struct vireo_irqfd_entry *e)
{
	u64 cnt;

	eventfd_ctx_remove_wait_queue(e->ctx, &e->wait, &cnt);
	eventfd_ctx_put(e->ctx);
	kfree(e);
}

static int irqfd_deassign(struct vireo_vm *vm, struct eventfd_ctx *ctx)
{
	struct vireo_irqfd_entry *e, *tmp;
	int r = -ENOENT;

	mutex_lock(&vm->eventfds_lock);
	list_for_each_entry_safe(e, tmp, &vm->irqfds, link) {
		if (e->ctx != ctx)
			continue;
		list_del(&e->link);
		irqfd_free(e);
		r = 0;
	}
	mutex_unlock(&vm->eventfds_lock);
	return r;
}

/* Caller holds eventfds_lock.  One binding per eventfd, VIREO_MAX_IRQFDS in all. */
VIREO_VISIBLE_IF_KUNIT int irqfd_may_add(struct vireo_vm *vm, struct eventfd_ctx *ctx)
{
	struct vireo_irqfd_entry *e;
	unsigned int n = 0;

	lockdep_assert_held(&vm->eventfds_lock);
	list_for_each_entry(e, &vm->irqfds, link) {
		if (e->ctx == ctx)
			return -EBUSY;
		n++;
	}
	return n < VIREO_MAX_IRQFDS ? 0 : -ENOSPC;
}

int vireo_irqfd(struct vireo_vm *vm, const struct vireo_irqfd *args)
{
	struct vireo_irqfd_entry *e;
	struct eventfd_ctx *ctx;
	struct fd f;
	__poll_t events;
	int r;

	if (args->reserved || args->flags & ~VIREO_IRQFD_DEASSIGN)
		return -EINVAL;
	if (!vireo_vm_has_lapic(vm))
		return -ENXIO;
	ctx = eventfd_ctx_fdget(args->fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	if (args->flags & VIREO_IRQFD_DEASSIGN) {
		r = irqfd_deassign(vm, ctx);
		eventfd_ctx_put(ctx);
		return r;
	}
	if (!vireo_lapic_msi_address_valid(args->msi_address)) {
		eventfd_ctx_put(ctx);
		return -EINVAL;
	}

	e = kzalloc(sizeof(*e), GFP_KERNEL_ACCOUNT);
	if (!e) {
		eventfd_ctx_put(ctx);
		return -ENOMEM;
	}
	e->vm = vm;
	e->ctx = ctx;
	e->msi_address = args->msi_address;
	e->msi_data = args->msi_data;
	init_waitqueue_func_entry(&e->wait, irqfd_wakeup);
	init_poll_funcptr(&e->pt, irqfd_queue_proc);

	f = fdget(args->fd);
	if (!fd_file(f)) {
		eventfd_ctx_put(ctx);
		kfree(e);
		return -EBADF;
	}
	mutex_lock(&vm->eventfds_lock);
	r = irqfd_may_add(vm, ctx);
	if (r) {
		mutex_unlock(&vm->eventfds_lock);
		fdput(f);
		eventfd_ctx_put(ctx);
		kfree(e);
		return r;
	}
	list_add_tail(&e->link, &vm->irqfds);
	events = vfs_poll(fd_file(f), &e->pt);
	/*
	 * Writes made before we were listening count too.  The counter is
	 * read under the eventfd's wait-queue lock, as fs/eventfd.c requires
	 * and as irqfd_wakeup() has it: a write that came after vfs_poll()
	 * was delivered by the wakeup, which left the counter at 0.  Still
	 * under eventfds_lock: a deassign from another thread may not free
	 * the entry meanwhile.
	 */
	if (events & EPOLLIN)
		irqfd_take_pending(e);
	mutex_unlock(&vm->eventfds_lock);
	fdput(f);
	return 0;
}

int vireo_ioeventfd(struct vireo_vm *vm, const struct vireo_ioeventfd *args)
{
	struct vireo_ioeventfd_entry *e, *tmp;
	struct eventfd_ctx *ctx;
	bool datamatch = args->flags & VIREO_IOEVENTFD_DATAMATCH;
	unsigned int n = 0;
	int r = 0;

	if (args->reserved || !(args->flags & VIREO_IOEVENTFD_PIO) ||
	    args->flags & ~(VIREO_IOEVENTFD_PIO | VIREO_IOEVENTFD_DATAMATCH |
			    VIREO_IOEVENTFD_DEASSIGN))
		return -EINVAL;
	if (args->addr > 0xffff || (args->len != 1 && args->len != 2 && args->len != 4) ||
	    (datamatch && args->datamatch >> (args->len * 8)))
		return -EINVAL;
	ctx = eventfd_ctx_fdget(args->fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);

	mutex_lock(&vm->eventfds_lock);
	if (args->flags & VIREO_IOEVENTFD_DEASSIGN) {
		r = -ENOENT;
		list_for_each_entry_safe(e, tmp, &vm->ioeventfds, link) {
			if (e->ctx != ctx || e->port != args->addr)
				continue;
			list_del(&e->link);
			eventfd_ctx_put(e->ctx);
			kfree(e);
			r = 0;
		}
		goto out;
	}
	list_for_each_entry(e, &vm->ioeventfds, link) {
		if (e->port == args->addr && e->len == args->len &&
		    (!e->datamatch || !datamatch || e->value == args->datamatch)) {
			r = -EEXIST;
			goto out;
		}
		n++;
	}
	/* Every guest OUT walks this list: it stays short. */
	if (n >= VIREO_MAX_IOEVENTFDS) {
		r = -ENOSPC;
		goto out;
	}
	e = kzalloc(sizeof(*e), GFP_KERNEL_ACCOUNT);
	if (!e) {
		r = -ENOMEM;
		goto out;
	}
	e->ctx = ctx;
	e->port = args->addr;
	e->len = args->len;
	e->datamatch = datamatch;
	e->value = args->datamatch;
	list_add_tail(&e->link, &vm->ioeventfds);
	ctx = NULL;	/* the entry owns the reference now */
out:
	mutex_unlock(&vm->eventfds_lock);
	if (ctx)
		eventfd_ctx_put(ctx);
	return r;
}

/* vCPU thread, process context.  True if an eventfd took the OUT. */
bool vireo_ioeventfd_signal(struct vireo_vm *vm, u16 port, u8 size, u32 value)
{
	struct vireo_ioeventfd_entry *e;
	bool hit = false;

	if (list_empty_careful(&vm->ioeventfds))
		return false;
	mutex_lock(&vm->eventfds_lock);
	list_for_each_entry(e, &vm->ioeventfds, link) {
		if (e->port == port && e->len == size && (!e->datamatch || e->value == value)) {
			eventfd_signal(e->ctx);
			hit = true;
			break;
		}
	}
	mutex_unlock(&vm->eventfds_lock);
	return hit;
}

/* VM teardown. */
void vireo_eventfds_release(struct vireo_vm *vm)
{
	struct vireo_ioeventfd_entry *io, *iotmp;
	struct vireo_irqfd_entry *e, *tmp;

	mutex_lock(&vm->eventfds_lock);
	list_for_each_entry_safe(e, tmp, &vm->irqfds, link) {
		list_del(&e->link);
		irqfd_free(e);
	}
	list_for_each_entry_safe(io, iotmp, &vm->ioeventfds, link) {
		list_del(&io->link);
		eventfd_ctx_put(io->ctx);
		kfree(io);
	}
	mutex_unlock(&vm->eventfds_lock);
}
