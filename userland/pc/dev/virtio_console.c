// SPDX-License-Identifier: GPL-2.0
/* virtio-console, hvc0: output with the serial console's, no input (that is ttyS0's). */
#include <string.h>

#include "virtio/console.h"

#include "models.h"

/* Everything the PC's serial and virtio consoles print goes here. */
#define PC_OUT_FD	1

static int create(const struct vireo_pc_services *svc, const struct vireo_pc_slot *slot,
		  unsigned int instance, void **dev)
{
	struct vireo_virtio_dev *vd = NULL;
	int r;

	(void)slot;
	(void)instance;
	r = vireo_virtio_console_create(&vd, svc->ram, -1, PC_OUT_FD);
	if (r)
		return vireo_pc_device_fail(svc, r, "virtio-console");
	return svc->virtio_plug(svc->machine, vd, strdup("console"), dev);
}

const struct vireo_pc_device_model vireo_pc_dev_virtio_console = {
	.name = "virtio-console",
	.create = create,
	.destroy = vireo_pc_virtio_unplug,
	.state_section = "virtio-console",
	.state_version = 1,
};
