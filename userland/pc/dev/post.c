// SPDX-License-Identifier: GPL-2.0
/*
 * Port 0x80, the POST code latch of PC mainboards: firmware writes its
 * progress codes there, and a diagnostic card shows the last one.  Linux
 * writes it as an I/O delay (io_delay.c), so a write is only stored, never
 * logged.  A read returns the last code written (0 before any), as the
 * latch of many chipsets does.  query-status shows the code as
 * "post-code".
 */
#include <errno.h>
#include <stdlib.h>

#include "device.h"

#define POST_PORT	0x80

struct post {
	/* The last code; the control server reads it on its own thread. */
	atomic_uint_fast64_t *code;
	atomic_uint_fast64_t own;	/* when query-status has no room for it */
};

static int pio(void *dev, uint16_t offset, unsigned int size, bool is_write, uint32_t *data)
{
	struct post *p = dev;

	(void)offset;
	(void)size;	/* one port: the bus gives it bytes only */
	if (is_write)
		atomic_store(p->code, *data & 0xff);
	else
		*data = (uint32_t)atomic_load(p->code);
	return 0;
}

static const struct vireo_hw_pio_range post_ports = { POST_PORT, 1, pio };

static const struct vireo_hw_desc post_desc = {
	.name = "post",
	.pio = &post_ports,
	.nr_pio = 1,
	.line = -1,
};

static int create(const struct vireo_pc_services *svc, const struct vireo_pc_slot *slot,
		  unsigned int instance, void **dev)
{
	struct post *p = calloc(1, sizeof(*p));

	(void)slot;
	(void)instance;
	if (!p)
		return vireo_pc_device_fail(svc, -ENOMEM, "POST code port");
	p->code = svc->status_field(svc->machine, "post-code");
	if (!p->code)
		p->code = &p->own;
	atomic_store(p->code, 0);	/* a new machine has shown no code yet */
	*dev = p;
	return 0;
}

static void reset(void *dev)
{
	struct post *p = dev;

	atomic_store(p->code, 0);
}

const struct vireo_pc_device_model vireo_pc_dev_post = {
	.name = "post",
	.create = create,
	.reset = reset,
	.destroy = free,
	.hw = &post_desc,
	.state_section = "post",
	.state_version = 1,
};
