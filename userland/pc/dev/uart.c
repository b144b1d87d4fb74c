// SPDX-License-Identifier: GPL-2.0
/*
 * COM1, the 16550A (hw/uart.h), as a device of the PC: ports 0x3f8-0x3ff,
 * one line; what the guest sends goes to the console, and the I/O loop
 * offers more input when the receiver has room again.
 */
#include <errno.h>
#include <stdlib.h>

#include "hw/uart.h"

#include "models.h"

struct pc_uart {
	struct vireo_uart uart;	/* first: the handlers' and the machine's dev */
	const struct vireo_pc_services *svc;
};

static void tx(void *opaque, uint8_t byte)
{
	struct pc_uart *u = opaque;

	u->svc->console_write(u->svc->machine, &byte, 1);
}

static void rx_room(void *opaque)
{
	struct pc_uart *u = opaque;

	u->svc->console_room(u->svc->machine);
}

static const struct vireo_uart_ops uart_ops = { .tx = tx, .rx_room = rx_room };

static int create(const struct vireo_pc_services *svc, const struct vireo_pc_slot *slot,
		  unsigned int instance, void **dev)
{
	int line = vireo_pc_slot_line(slot, 0);
	struct pc_uart *u;
	int r;

	(void)instance;
	if (line < 0 || !svc->irq(svc->machine))
		return vireo_pc_device_fail(svc, 0, "the UART needs an interrupt line and the router above it");
	u = calloc(1, sizeof(*u));
	if (!u)
		return vireo_pc_device_fail(svc, -ENOMEM, "UART");
	u->svc = svc;
	r = vireo_uart_init(&u->uart, svc->irq(svc->machine), (unsigned int)line, &uart_ops, u);
	if (r) {
		free(u);
		return vireo_pc_device_fail(svc, r, "cannot set up the UART");
	}
	*dev = &u->uart;
	return 0;
}

static void destroy(void *dev)
{
	vireo_uart_fini(dev);
	free(dev);	/* the pc_uart: uart is its first member */
}

const struct vireo_pc_device_model vireo_pc_dev_uart = {
	.name = "uart",
	.create = create,
	.destroy = destroy,
	.hw = &vireo_uart_desc,
	.state_section = "uart",
	.state_version = 1,
};
