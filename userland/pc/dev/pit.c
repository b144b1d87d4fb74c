// SPDX-License-Identifier: GPL-2.0
/* The 8254 PIT (hw/pit.h) as a device of the PC: ports 0x40-0x43 and 0x61, one line, a timer. */
#include <errno.h>
#include <stdlib.h>

#include "hw/pit.h"

#include "models.h"

static void expired(void *dev)
{
	vireo_pit_timer(dev);
}

static int create(const struct vireo_pc_services *svc, const struct vireo_pc_slot *slot,
		  unsigned int instance, void **dev)
{
	int line = vireo_pc_slot_line(slot, 0);
	struct vireo_timer timer;
	struct vireo_pit *pit;
	int r;

	(void)instance;
	if (line < 0 || !svc->irq(svc->machine))
		return vireo_pc_device_fail(svc, 0, "the PIT needs an interrupt line and the router above it");
	pit = calloc(1, sizeof(*pit));
	if (!pit)
		return vireo_pc_device_fail(svc, -ENOMEM, "PIT");
	r = svc->timer(svc->machine, expired, pit, &timer);
	if (!r)
		r = vireo_pit_init(pit, svc->irq(svc->machine), (unsigned int)line,
				   vireo_clock_monotonic, timer);
	if (r) {
		free(pit);
		return vireo_pc_device_fail(svc, r, "cannot set up the PIT");
	}
	*dev = pit;
	return 0;
}

static void destroy(void *dev)
{
	vireo_pit_fini(dev);
	free(dev);
}

const struct vireo_pc_device_model vireo_pc_dev_pit = {
	.name = "pit",
	.create = create,
	.destroy = destroy,
	.hw = &vireo_pit_desc,
	.state_section = "pit",
	.state_version = 1,
};
