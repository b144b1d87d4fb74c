/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intel 8042 keyboard controller with nothing plugged in: data port 0x60,
 * status/command port 0x64, keyboard interrupt line 1, mouse line 12.
 *
 * The controller itself is complete enough for Linux's i8042 driver to
 * probe it without complaint: status register, command byte (and the
 * rest of the 32-byte RAM, commands 0x20-0x3f / 0x60-0x7f), self-test
 * (0xaa -> 0x55), interface tests (0xab, 0xa9 -> 0x00), interface
 * enable/disable (0xad/0xae, 0xa7/0xa8, reflected in the command byte as
 * Linux checks), output port read/write (0xd0/0xd1), writing the
 * keyboard or aux output buffer (0xd2/0xd3: the aux loopback Linux uses
 * to find the aux port and test IRQ 12; its multiplexer probe sees a
 * plain echo, so no active multiplexing), and A20 (0xd1 bit 1, 0xdd/0xdf),
 * which is recorded and otherwise ignored.
 *
 * No keyboard or mouse: a byte sent to either (port 0x60, or 0xd4 then a
 * byte) is answered at once with 0xfe and the status timeout bit, as a
 * controller does when the device does not clock, so libps2 gives up
 * without waiting for its timeouts.
 *
 * Reset: command 0xfe (any pulse command 0xf0-0xfe with bit 0 clear), or
 * output port bit 0 written 0, calls reset(opaque).  It is called without
 * the controller's lock held, after the port access, and may stop vCPUs.
 *
 * Output: responses queue in a 16-byte FIFO; the status and the lines
 * describe the byte at its head.  IRQ 1 (command byte bit 0) for keyboard
 * bytes and controller replies, IRQ 12 (bit 1) for aux bytes; the line
 * drops when the byte is read and rises again for the next, so each byte
 * is an edge.
 */
#ifndef VIREO_HW_I8042_H
#define VIREO_HW_I8042_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "hw/hw.h"
#include "hw/irq.h"

#define VIREO_I8042_DATA	0x60
#define VIREO_I8042_CMD		0x64
#define VIREO_I8042_QUEUE	16

struct vireo_i8042_byte {
	uint8_t data;
	uint8_t status;		/* the AUXDATA and TIMEOUT status bits for it */
};

/* Legend: (i) set by init, then fixed; (l) guarded by lock. */
struct vireo_i8042 {
	pthread_mutex_t lock;
	struct vireo_irq_router *irq;		/* (i) */
	unsigned int kbd_line, aux_line;	/* (i) */
	void (*reset)(void *opaque);		/* (i) may be NULL */
	void *opaque;				/* (i) */
	uint8_t ram[32];			/* (l) ram[0] is the command byte */
	uint8_t pending;			/* (l) command waiting for its data byte */
	bool last_was_command;			/* (l) status bit 3 */
	uint8_t output_port;			/* (l) bit 0 reset (active low), bit 1 A20 */
	struct vireo_i8042_byte queue[VIREO_I8042_QUEUE];	/* (l) */
	unsigned int head, count;		/* (l) */
	uint8_t last_read;			/* (l) what an empty buffer reads */
	bool kbd_level, aux_level;		/* (l) the lines as last set */
	bool reset_owed;			/* (l) reset() to call once unlocked */
	uint64_t resets;			/* (l) */
};

extern const struct vireo_hw_desc vireo_i8042_desc;

/* Power-on: command byte 0x65 (translate, aux disabled, SYS, IRQ 1 on). */
int vireo_i8042_init(struct vireo_i8042 *k, struct vireo_irq_router *irq, unsigned int kbd_line,
		     unsigned int aux_line, void (*reset)(void *opaque), void *opaque);
void vireo_i8042_fini(struct vireo_i8042 *k);

/* Port 0x60 and port 0x64 (offset 0 each); dev is the controller. */
int vireo_i8042_pio_data(void *dev, uint16_t port_offset, unsigned int size, bool is_write,
			 uint32_t *data);
int vireo_i8042_pio_cmd(void *dev, uint16_t port_offset, unsigned int size, bool is_write,
			uint32_t *data);

#endif /* VIREO_HW_I8042_H */
