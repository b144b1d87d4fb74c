// SPDX-License-Identifier: GPL-2.0
/*
 * VM objects, memory slots and guest RAM allocation.
 *
 * The userland slot table is changed only after the kernel agreed, so it
 * always describes what the guest really sees as RAM; emulation relies on
 * that to tell RAM from MMIO.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

/* Used when the module reports no width: AMD's architectural maximum. */
#define VIREO_DEFAULT_PHYS_BITS 52

int vireo_vm_create(struct vireo_sys *sys, struct vireo_vm **vmp)
{
	struct vireo_vm *vm;
	int ret;

	*vmp = NULL;
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->sys = sys;
	vireo_slots_init(&vm->slots);
	vm->phys_bits = sys->caps.guest_phys_bits ? sys->caps.guest_phys_bits
						  : VIREO_DEFAULT_PHYS_BITS;
	ret = vireo_ioctl(sys->fd, VIREO_CREATE_VM, NULL);
	if (ret < 0) {
		free(vm);
		return ret;
	}
	vm->fd = ret;
	*vmp = vm;
	return 0;
}

void vireo_vm_destroy(struct vireo_vm *vm)
{
	if (!vm)
		return;
	close(vm->fd);
	free(vm);
}

int vireo_vm_fd(const struct vireo_vm *vm)
{
	return vm->fd;
}

unsigned int vireo_vm_phys_bits(const struct vireo_vm *vm)
{
	return vm->phys_bits;
}

int vireo_vm_set_memory(struct vireo_vm *vm, uint32_t slot, uint32_t flags, uint64_t gpa,
			uint64_t size, void *host)
{
	struct vireo_memory_region region = {
		.slot = slot,
		.flags = flags,
		.guest_phys_addr = gpa,
		.size = size,
		.userspace_addr = (uintptr_t)host,
	};
	int ret;

	ret = vireo_slots_check(&vm->slots, slot, gpa, size, host);
	if (ret)
		return ret;
	ret = vireo_ioctl(vm->fd, VIREO_SET_MEMORY_REGION, &region);
	if (ret < 0)
		return ret;
	return vireo_slots_add(&vm->slots, slot, flags, gpa, size, host);
}

int vireo_vm_delete_memory(struct vireo_vm *vm, uint32_t slot)
{
	int ret;

	ret = vireo_ioctl(vm->fd, VIREO_DELETE_MEMORY_REGION, &slot);
	if (ret < 0)
		return ret;
	return vireo_slots_del(&vm->slots, slot);
}

void *vireo_gpa_to_host(const struct vireo_vm *vm, uint64_t gpa, uint64_t len)
{
	return vireo_slots_to_host(&vm->slots, gpa, len);
}

void vireo_vm_mem(struct vireo_vm *vm, struct vireo_mem *mem)
{
	vireo_slots_mem(&vm->slots, mem);
}

int vireo_ram_alloc(uint64_t size, void **hostp)
{
	void *p;

	*hostp = NULL;
	if (!size || (size & (VIREO_PAGE_SIZE - 1)) || size != (size_t)size)
		return -EINVAL;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	*hostp = p;
	return 0;
}

void vireo_ram_free(void *host, uint64_t size)
{
	if (host)
		munmap(host, size);
}
