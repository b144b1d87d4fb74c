// SPDX-License-Identifier: GPL-2.0
/*
 * The i8042 keyboard controller (hw/i8042.h) as a device of the PC: ports
 * 0x60 and 0x64, the keyboard's and the mouse's lines, and its reset line
 * (command 0xfe) as the machine's reset.
 */
#include <errno.h>
#include <stdlib.h>

#include "hw/i8042.h"

#include "models.h"

struct pc_i8042 {
	struct vireo_i8042 kbc;	/* first: the handlers' dev */
	const struct vireo_pc_services *svc;
};

static void reset(void *opaque)
{
	struct pc_i8042 *k = opaque;

	k->svc->request(k->svc->machine, VIREO_PC_DEV_RESET, 0);
}

static int create(const struct vireo_pc_services *svc, const struct vireo_pc_slot *slot,
		  unsigned int instance, void **dev)
{
	int kbd = vireo_pc_slot_line(slot, 0), aux = vireo_pc_slot_line(slot, 1);
	struct pc_i8042 *k;
	int r;

	(void)instance;
	if (kbd < 0 || aux < 0 || !svc->irq(svc->machine))
		return vireo_pc_device_fail(svc, 0, "the i8042 needs two interrupt lines and the router above it");
	k = calloc(1, sizeof(*k));
	if (!k)
		return vireo_pc_device_fail(svc, -ENOMEM, "i8042");
	k->svc = svc;
	r = vireo_i8042_init(&k->kbc, svc->irq(svc->machine), (unsigned int)kbd,
			     (unsigned int)aux, reset, k);
	if (r) {
		free(k);
		return vireo_pc_device_fail(svc, r, "cannot set up the i8042");
	}
	*dev = &k->kbc;
	return 0;
}

static void destroy(void *dev)
{
	vireo_i8042_fini(dev);
	free(dev);	/* the pc_i8042: kbc is its first member */
}

const struct vireo_pc_device_model vireo_pc_dev_i8042 = {
	.name = "i8042",
	.create = create,
	.destroy = destroy,
	.hw = &vireo_i8042_desc,
	.state_section = "i8042",
	.state_version = 1,
};
