// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory: slots of user memory, pinned page by page on first touch
 * and mapped into the nested page table (NPT/EPT, see tdp.c).
 *
 * Pinning (FOLL_LONGTERM) instead of MMU notifiers keeps the fault path
 * simple: a mapped page cannot move or be freed under the guest.  Pins are
 * dropped when the slot or the VM goes away, after every vCPU has been
 * forced out of guest mode and will flush its TLB before re-entering.
 *
 * Pinned memory cannot be reclaimed, so it is charged to the VM's owner
 * like mlock()ed memory (account_locked_vm(): mm->locked_vm against
 * RLIMIT_MEMLOCK, unless the caller has CAP_IPC_LOCK), as VFIO does for
 * the pages it pins.  The whole slot is charged when it is set, not page
 * by page as the guest touches it: a limit too small for the guest's RAM
 * is a clear -ENOMEM from VIREO_SET_MEMORY_REGION at start-up rather than
 * a guest stopped in the middle of its run.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/sched/mm.h>
#include <linux/uaccess.h>
#include <asm/io.h>

#include "vireo.h"

/* Caller holds vm->mmu_lock. */
static struct vireo_mem_slot *vireo_find_slot(struct vireo_vm *vm, u64 gpa)
{
	int i;

	lockdep_assert_held(&vm->mmu_lock);
	for (i = 0; i < VIREO_MAX_MEM_SLOTS; i++) {
		struct vireo_mem_slot *s = vm->slots[i];

		if (s && gpa >= s->gpa && gpa - s->gpa < (s->npages << PAGE_SHIFT))
			return s;
	}
	return NULL;
}

/* Page pointers per chunk of slot->chunks: one page of them. */
#define VIREO_SLOT_CHUNK	(PAGE_SIZE / sizeof(struct page *))

static u64 vireo_slot_nr_chunks(const struct vireo_mem_slot *slot)
{
	return DIV_ROUND_UP(slot->npages, VIREO_SLOT_CHUNK);
}

/* The pinned page at idx, or NULL.  Under vm->mmu_lock, which its callers assert. */
static struct page *vireo_slot_page(const struct vireo_mem_slot *slot, u64 idx)
{
	struct page **chunk = slot->chunks[idx / VIREO_SLOT_CHUNK];

	return chunk ? chunk[idx % VIREO_SLOT_CHUNK] : NULL;
}

/* Gives back a slot's charge; nothing to do once the owner's mm has exited. */
static void vireo_slot_uncharge(struct vireo_vm *vm, struct vireo_mem_slot *slot)
{
	if (!mmget_not_zero(vm->mm))
		return;
	account_locked_vm(vm->mm, slot->npages, false);
	mmput(vm->mm);
}

static void vireo_slot_unpin(struct vireo_vm *vm, struct vireo_mem_slot *slot)
{
	u64 c, i;

	for (c = 0; c < vireo_slot_nr_chunks(slot); c++) {
		struct page **chunk = slot->chunks[c];

		if (!chunk)
			continue;
		for (i = 0; i < VIREO_SLOT_CHUNK; i++)
			if (chunk[i])
				unpin_user_page(chunk[i]);
		free_page((unsigned long)chunk);
	}
	vireo_slot_uncharge(vm, slot);
	kvfree(slot->chunks);
	kfree(slot);
}

int vireo_mmu_set_region(struct vireo_vm *vm, const struct vireo_memory_region *mr)
{
	u64 limit = 1ULL << vireo_ops->guest_phys_bits();
	struct vireo_mem_slot *slot;
	int i, r;

	if (mr->slot >= VIREO_MAX_MEM_SLOTS || mr->flags & ~VIREO_MEM_READONLY)
		return -EINVAL;
	if (!mr->size || !PAGE_ALIGNED(mr->size) || !PAGE_ALIGNED(mr->guest_phys_addr) ||
	    !PAGE_ALIGNED(mr->userspace_addr))
		return -EINVAL;
	/* It sizes slot->chunks below: bounded before that is allocated. */
	if (mr->size > VIREO_MAX_SLOT_SIZE)
		return -EINVAL;
	if (mr->guest_phys_addr >= limit || mr->size > limit - mr->guest_phys_addr)
		return -EINVAL;
	if (mr->userspace_addr + mr->size < mr->userspace_addr ||
	    !access_ok((void __user *)(unsigned long)mr->userspace_addr, mr->size))
		return -EINVAL;

	slot = kzalloc(sizeof(*slot), GFP_KERNEL_ACCOUNT);
	if (!slot)
		return -ENOMEM;
	slot->id = mr->slot;
	slot->flags = mr->flags;
	slot->gpa = mr->guest_phys_addr;
	slot->npages = mr->size >> PAGE_SHIFT;
	slot->hva = mr->userspace_addr;
	slot->chunks = kvcalloc(vireo_slot_nr_chunks(slot), sizeof(*slot->chunks),
				GFP_KERNEL_ACCOUNT);
	if (!slot->chunks) {
		kfree(slot);
		return -ENOMEM;
	}
	/* vm.c made sure current->mm is vm->mm: the owner's limit applies. */
	r = account_locked_vm(vm->mm, slot->npages, true);
	if (r) {
		kvfree(slot->chunks);
		kfree(slot);
		return r;
	}

	mutex_lock(&vm->mmu_lock);
	r = -EEXIST;
	if (vm->slots[mr->slot])
		goto out_unlock;
	for (i = 0; i < VIREO_MAX_MEM_SLOTS; i++) {
		struct vireo_mem_slot *s = vm->slots[i];

		if (s && slot->gpa < s->gpa + (s->npages << PAGE_SHIFT) &&
		    s->gpa < slot->gpa + mr->size)
			goto out_unlock;
	}
	vm->slots[mr->slot] = slot;
	slot = NULL;
	r = 0;
out_unlock:
	mutex_unlock(&vm->mmu_lock);
	if (slot) {
		account_locked_vm(vm->mm, slot->npages, false);
		kvfree(slot->chunks);
		kfree(slot);
	}
	return r;
}

int vireo_mmu_delete_region(struct vireo_vm *vm, u32 id)
{
	struct vireo_mem_slot *slot;

	if (id >= VIREO_MAX_MEM_SLOTS)
		return -EINVAL;

	mutex_lock(&vm->mmu_lock);
	slot = vm->slots[id];
	if (!slot) {
		mutex_unlock(&vm->mmu_lock);
		return -EINVAL;
	}
	vm->slots[id] = NULL;
	vireo_tdp_unmap_range(&vm->tdp, slot->gpa, slot->npages << PAGE_SHIFT);
	atomic_inc(&vm->tlb_generation);
	/* No vCPU may run on stale translations once the pages are unpinned. */
	vireo_vcpu_kick_all(vm);
	mutex_unlock(&vm->mmu_lock);

	vireo_slot_unpin(vm, slot);
	return 0;
}

/* Called at VM teardown: no vCPU can run any more. */
void vireo_mmu_destroy(struct vireo_vm *vm)
{
	int i;

	vireo_tdp_destroy(&vm->tdp);
	for (i = 0; i < VIREO_MAX_MEM_SLOTS; i++)
		if (vm->slots[i])
			vireo_slot_unpin(vm, vm->slots[i]);
}

/*
 * Pins slot page idx and maps it.  Caller holds vm->mmu_lock.  Returns 0,
 * or -EFAULT if the user memory behind it is gone, -ENOMEM if a table or
 * chunk page is.
 */
static int vireo_mmu_map_page(struct vireo_vm *vm, struct vireo_mem_slot *slot, u64 idx)
{
	bool writable = !(slot->flags & VIREO_MEM_READONLY);
	struct page ***chunk = &slot->chunks[idx / VIREO_SLOT_CHUNK];
	struct page *page;

	lockdep_assert_held(&vm->mmu_lock);
	if (!*chunk) {
		*chunk = (struct page **)get_zeroed_page(GFP_KERNEL_ACCOUNT);
		if (!*chunk)
			return -ENOMEM;
	}
	page = (*chunk)[idx % VIREO_SLOT_CHUNK];
	if (!page) {
		unsigned long hva = slot->hva + (idx << PAGE_SHIFT);
		unsigned int gup = FOLL_LONGTERM | (writable ? FOLL_WRITE : 0);

		if (pin_user_pages_fast(hva, 1, gup, &page) != 1)
			return -EFAULT;
		(*chunk)[idx % VIREO_SLOT_CHUNK] = page;
	}
	return vireo_tdp_map(&vm->tdp, slot->gpa + (idx << PAGE_SHIFT), page_to_phys(page),
			     writable);
}

/*
 * Guests touch memory in runs (a kernel clearing its page tables, a
 * 1 GiB test writing every page): each fault also maps its neighbours in
 * an aligned block, so one exit serves up to this many pages.
 */
#define VIREO_FAULT_AROUND	16

enum vireo_fault_result vireo_mmu_fault(struct vireo_vm *vm, u64 gpa, bool is_write)
{
	enum vireo_fault_result res = VIREO_FAULT_MMIO;
	struct vireo_mem_slot *slot;
	u64 idx, first, last;

	mutex_lock(&vm->mmu_lock);
	slot = vireo_find_slot(vm, gpa);
	if (!slot)
		goto out;
	if (is_write && (slot->flags & VIREO_MEM_READONLY))
		goto out;	/* ROM: the write is userland's to handle */

	idx = (gpa - slot->gpa) >> PAGE_SHIFT;
	if (vireo_mmu_map_page(vm, slot, idx)) {
		res = VIREO_FAULT_NO_MEMORY;
		goto out;
	}
	res = VIREO_FAULT_MAPPED;

	first = idx & ~(u64)(VIREO_FAULT_AROUND - 1);
	last = min(first + VIREO_FAULT_AROUND, slot->npages);
	for (; first < last; first++) {
		/* A neighbour that cannot be mapped now faults on its own later. */
		if (first != idx && !vireo_slot_page(slot, first) &&
		    vireo_mmu_map_page(vm, slot, first))
			break;
	}
out:
	mutex_unlock(&vm->mmu_lock);
	return res;
}

/*
 * Copies guest-physical memory (within one slot) for the few structures
 * the kernel itself must read, such as PAE PDPTEs.  Process context of the
 * VM's creator; -EFAULT if the range is not RAM.
 */
int vireo_read_guest(struct vireo_vm *vm, u64 gpa, void *buf, size_t len)
{
	struct vireo_mem_slot *slot;
	unsigned long hva;

	mutex_lock(&vm->mmu_lock);
	slot = vireo_find_slot(vm, gpa);
	if (!slot || len > (slot->npages << PAGE_SHIFT) - (gpa - slot->gpa)) {
		mutex_unlock(&vm->mmu_lock);
		return -EFAULT;
	}
	hva = slot->hva + (gpa - slot->gpa);
	mutex_unlock(&vm->mmu_lock);
	return copy_from_user(buf, (void __user *)hva, len) ? -EFAULT : 0;
}

int vireo_write_guest(struct vireo_vm *vm, u64 gpa, const void *buf, size_t len)
{
	struct vireo_mem_slot *slot;
	unsigned long hva;

	mutex_lock(&vm->mmu_lock);
	slot = vireo_find_slot(vm, gpa);
	if (!slot || (slot->flags & VIREO_MEM_READONLY) ||
	    len > (slot->npages << PAGE_SHIFT) - (gpa - slot->gpa)) {
		mutex_unlock(&vm->mmu_lock);
		return -EFAULT;
	}
	hva = slot->hva + (gpa - slot->gpa);
	mutex_unlock(&vm->mmu_lock);
	return copy_to_user((void __user *)hva, buf, len) ? -EFAULT : 0;
}
