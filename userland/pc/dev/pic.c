// SPDX-License-Identifier: GPL-2.0
/* The 8259 pair (hw/pic.h) as a device of the PC: ports 0x20, 0xa0, ELCR; MSIs out. */
#include <errno.h>
#include <stdlib.h>

#include "hw/pic.h"

#include "models.h"

static int create(const struct vireo_pc_services *svc, const struct vireo_pc_slot *slot,
		  unsigned int instance, void **dev)
{
	struct vireo_pic *pic = calloc(1, sizeof(*pic));
	int r;

	(void)slot;
	(void)instance;
	if (!pic)
		return vireo_pc_device_fail(svc, -ENOMEM, "PIC");
	r = vireo_pic_init(pic, svc->msi, svc->machine);
	if (r) {
		free(pic);
		return vireo_pc_device_fail(svc, r, "cannot set up the PIC");
	}
	*dev = pic;
	return 0;
}

static void destroy(void *dev)
{
	vireo_pic_fini(dev);
	free(dev);
}

const struct vireo_pc_device_model vireo_pc_dev_pic = {
	.name = "pic",
	.create = create,
	.destroy = destroy,
	.hw = &vireo_pic_desc,
	.state_section = "pic",
	.state_version = 1,
};
