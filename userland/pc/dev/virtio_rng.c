// SPDX-License-Identifier: GPL-2.0
/* virtio-rng: the host's getrandom() for the guest's entropy. */
#include <string.h>

#include "virtio/rng.h"

#include "models.h"

static int create(const struct vireo_pc_services *svc, const struct vireo_pc_slot *slot,
		  unsigned int instance, void **dev)
{
	struct vireo_virtio_dev *vd = NULL;
	int r;

	(void)slot;
	(void)instance;
	r = vireo_virtio_rng_create(&vd, svc->ram);
	if (r)
		return vireo_pc_device_fail(svc, r, "virtio-rng");
	return svc->virtio_plug(svc->machine, vd, strdup("rng"), dev);
}

const struct vireo_pc_device_model vireo_pc_dev_virtio_rng = {
	.name = "virtio-rng",
	.create = create,
	.destroy = vireo_pc_virtio_unplug,
	.state_section = "virtio-rng",
	.state_version = 1,
};
