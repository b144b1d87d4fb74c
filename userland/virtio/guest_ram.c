// SPDX-License-Identifier: GPL-2.0
/* Guest RAM for device models from the VM's slot table (guest_ram.h). */
#include "virtio/guest_ram.h"

static void *vm_map(void *opaque, uint64_t gpa, uint64_t len)
{
	return vireo_gpa_to_host(opaque, gpa, len);
}

void vireo_guest_ram_from_vm(struct vireo_guest_ram *ram, struct vireo_vm *vm)
{
	ram->map = vm_map;
	ram->opaque = vm;
}
