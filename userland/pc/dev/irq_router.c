// SPDX-License-Identifier: GPL-2.0
/*
 * The interrupt router (hw/irq.h): the lines the other devices drive, fed
 * to the IOAPIC and the PIC, which must come before it in the table.
 */
#include <errno.h>
#include <stdlib.h>

#include "hw/ioapic.h"
#include "hw/irq.h"
#include "hw/pic.h"

#include "models.h"

static int create(const struct vireo_pc_services *svc, const struct vireo_pc_slot *slot,
		  unsigned int instance, void **dev)
{
	struct vireo_ioapic *ioapic = svc->find(svc->machine, &vireo_pc_dev_ioapic, 0);
	struct vireo_pic *pic = svc->find(svc->machine, &vireo_pc_dev_pic, 0);
	struct vireo_irq_router *irq;
	int r;

	(void)slot;
	(void)instance;
	if (!ioapic || !pic)
		return vireo_pc_device_fail(svc, 0, "the interrupt router needs the IOAPIC and the PIC above it in the machine table");
	irq = calloc(1, sizeof(*irq));
	if (!irq)
		return vireo_pc_device_fail(svc, -ENOMEM, "interrupt router");
	r = vireo_irq_router_init(irq, ioapic, pic);
	if (r) {
		free(irq);
		return vireo_pc_device_fail(svc, r, "cannot set up the interrupt router");
	}
	*dev = irq;
	return 0;
}

static void destroy(void *dev)
{
	vireo_irq_router_fini(dev);
	free(dev);
}

const struct vireo_pc_device_model vireo_pc_dev_irq_router = {
	.name = "irq-router",
	.create = create,
	.destroy = destroy,
	.state_section = "irq-router",
	.state_version = 1,
};
