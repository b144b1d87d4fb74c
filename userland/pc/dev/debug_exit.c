// SPDX-License-Identifier: GPL-2.0
/*
 * --debug-exit PORT[,iosize=N]: QEMU's isa-debug-exit
 * (hw/misc/debugexit.c).  A write of any width ends the machine with
 * status (V << 1) | 1, V the value written; reads give 0.  At the port the
 * user chose, which outranks any device there (it is first in the table).
 */
#include <errno.h>
#include <stdlib.h>

#include "options.h"

#include "models.h"

struct debug_exit {
	const struct vireo_pc_services *svc;
	uint16_t port, len;
};

static unsigned int count(const struct vireo_options *o)
{
	return o->debug_exit_port >= 0;
}

static int pio(void *dev, uint16_t offset, unsigned int size, bool is_write, uint32_t *data)
{
	struct debug_exit *d = dev;
	uint32_t mask = size >= 4 ? 0xffffffffU : (1U << (8 * size)) - 1;

	(void)offset;
	if (is_write)
		d->svc->request(d->svc->machine, VIREO_PC_DEV_DEBUG_EXIT, *data & mask);
	else
		*data = 0;
	return 0;
}

static bool pio_at(void *dev, struct vireo_hw_pio_range *range)
{
	struct debug_exit *d = dev;

	range->base = d->port;
	range->len = d->len;
	range->handler = pio;
	return true;
}

static int create(const struct vireo_pc_services *svc, const struct vireo_pc_slot *slot,
		  unsigned int instance, void **dev)
{
	struct debug_exit *d = calloc(1, sizeof(*d));

	(void)slot;
	(void)instance;
	if (!d)
		return vireo_pc_device_fail(svc, -ENOMEM, "debug-exit");
	d->svc = svc;
	d->port = (uint16_t)svc->opts->debug_exit_port;
	d->len = (uint16_t)svc->opts->debug_exit_size;
	*dev = d;
	return 0;
}

const struct vireo_pc_device_model vireo_pc_dev_debug_exit = {
	.name = "debug-exit",
	.count = count,
	.create = create,
	.destroy = free,
	.pio_at = pio_at,
};
