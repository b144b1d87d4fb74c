// SPDX-License-Identifier: GPL-2.0
/* The IOAPIC (hw/ioapic.h) as a device of the PC: its MMIO page, MSIs out. */
#include <errno.h>
#include <stdlib.h>

#include "hw/ioapic.h"

#include "models.h"

static int create(const struct vireo_pc_services *svc, const struct vireo_pc_slot *slot,
		  unsigned int instance, void **dev)
{
	struct vireo_ioapic *io = calloc(1, sizeof(*io));
	int r;

	(void)slot;
	(void)instance;
	if (!io)
		return vireo_pc_device_fail(svc, -ENOMEM, "IOAPIC");
	r = vireo_ioapic_init(io, svc->msi, svc->machine);
	if (r) {
		free(io);
		return vireo_pc_device_fail(svc, r, "cannot set up the IOAPIC");
	}
	*dev = io;
	return 0;
}

static void destroy(void *dev)
{
	vireo_ioapic_fini(dev);
	free(dev);
}

const struct vireo_pc_device_model vireo_pc_dev_ioapic = {
	.name = "ioapic",
	.create = create,
	.destroy = destroy,
	.hw = &vireo_ioapic_desc,
	.state_section = "ioapic",
	.state_version = 1,
};
