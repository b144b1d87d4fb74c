// SPDX-License-Identifier: GPL-2.0
/*
 * 8042 keyboard controller model (i8042.h).  References: the IBM PC AT
 * Technical Reference (keyboard controller commands) and the behaviour
 * Linux's drivers/input/serio/i8042.c expects of it.
 */
#include <errno.h>

#include "hw/i8042.h"

#define STR_OBF		0x01
#define STR_SYS		0x04
#define STR_CMD		0x08
#define STR_UNLOCKED	0x10
#define STR_AUXDATA	0x20
#define STR_TIMEOUT	0x40

#define CTR_KBDINT	0x01
#define CTR_AUXINT	0x02
#define CTR_SYS		0x04
#define CTR_KBDDIS	0x10
#define CTR_AUXDIS	0x20
#define CTR_XLATE	0x40

#define OUT_RESET	0x01	/* 0 asserts the CPU reset line */
#define OUT_A20		0x02
#define OUT_KBD_OBF	0x10
#define OUT_AUX_OBF	0x20

#define CMD_READ_RAM	0x20	/* ... 0x3f */
#define CMD_WRITE_RAM	0x60	/* ... 0x7f */
#define CMD_AUX_DISABLE	0xa7
#define CMD_AUX_ENABLE	0xa8
#define CMD_AUX_TEST	0xa9
#define CMD_SELF_TEST	0xaa
#define CMD_KBD_TEST	0xab
#define CMD_KBD_DISABLE	0xad
#define CMD_KBD_ENABLE	0xae
#define CMD_READ_INPUT	0xc0
#define CMD_READ_OUTPUT	0xd0
#define CMD_WRITE_OUTPUT 0xd1
#define CMD_WRITE_KBD_OB 0xd2
#define CMD_WRITE_AUX_OB 0xd3
#define CMD_WRITE_AUX	0xd4
#define CMD_A20_OFF	0xdd
#define CMD_A20_ON	0xdf
#define CMD_READ_TEST	0xe0
#define CMD_PULSE	0xf0	/* ... 0xff: low nibble 0 bits are pulsed */

#define REPLY_SELF_TEST	0x55
#define REPLY_NO_DEVICE	0xfe

static const struct vireo_hw_pio_range i8042_pio[] = {
	{ VIREO_I8042_DATA, 1, vireo_i8042_pio_data },
	{ VIREO_I8042_CMD, 1, vireo_i8042_pio_cmd },
};

const struct vireo_hw_desc vireo_i8042_desc = {
	.name = "i8042",
	.pio = i8042_pio,
	.nr_pio = 2,
	.line = VIREO_IRQ_KEYBOARD,
};

static void set_line(struct vireo_i8042 *k, unsigned int line, bool *cur, bool level)
{
	if (*cur == level)
		return;
	*cur = level;
	vireo_irq_set(k->irq, line, level);
}

/* The lines follow the byte at the head of the queue.  Lock held. */
static void update_irq(struct vireo_i8042 *k)
{
	bool kbd = false, aux = false;

	if (k->count) {
		if (k->queue[k->head].status & STR_AUXDATA)
			aux = k->ram[0] & CTR_AUXINT;
		else
			kbd = k->ram[0] & CTR_KBDINT;
	}
	set_line(k, k->kbd_line, &k->kbd_level, kbd);
	set_line(k, k->aux_line, &k->aux_level, aux);
}

static void push(struct vireo_i8042 *k, uint8_t data, uint8_t status)
{
	struct vireo_i8042_byte *b;

	if (k->count == VIREO_I8042_QUEUE)
		return;	/* a guest that never reads loses the newest bytes */
	b = &k->queue[(k->head + k->count) % VIREO_I8042_QUEUE];
	b->data = data;
	b->status = status;
	k->count++;
	update_irq(k);
}

static uint8_t pop(struct vireo_i8042 *k)
{
	if (!k->count)
		return k->last_read;
	k->last_read = k->queue[k->head].data;
	k->head = (k->head + 1) % VIREO_I8042_QUEUE;
	k->count--;
	/* The line drops with the read; the next byte raises it anew. */
	set_line(k, k->kbd_line, &k->kbd_level, false);
	set_line(k, k->aux_line, &k->aux_level, false);
	update_irq(k);
	return k->last_read;
}

static uint8_t status(const struct vireo_i8042 *k)
{
	uint8_t s = STR_UNLOCKED | (k->ram[0] & CTR_SYS ? STR_SYS : 0);

	if (k->last_was_command)
		s |= STR_CMD;
	if (k->count)
		s |= STR_OBF | k->queue[k->head].status;
	return s;
}

static void write_output_port(struct vireo_i8042 *k, uint8_t v)
{
	k->output_port = v & (OUT_RESET | OUT_A20);
	if (!(v & OUT_RESET)) {
		k->reset_owed = true;
		k->output_port |= OUT_RESET;	/* a pulse: the reset ends it */
	}
}

static uint8_t read_output_port(const struct vireo_i8042 *k)
{
	uint8_t v = k->output_port;

	if (k->count)
		v |= k->queue[k->head].status & STR_AUXDATA ? OUT_AUX_OBF : OUT_KBD_OBF;
	return v;
}

static void command(struct vireo_i8042 *k, uint8_t cmd)
{
	k->pending = 0;
	if (cmd >= CMD_READ_RAM && cmd < CMD_READ_RAM + 0x20) {
		push(k, k->ram[cmd & 0x1f], 0);
		return;
	}
	if (cmd >= CMD_WRITE_RAM && cmd < CMD_WRITE_RAM + 0x20) {
		k->pending = cmd;
		return;
	}
	if (cmd >= CMD_PULSE) {
		if (!(cmd & OUT_RESET))
			k->reset_owed = true;
		return;
	}
	switch (cmd) {
	case CMD_AUX_DISABLE:
		k->ram[0] |= CTR_AUXDIS;
		break;
	case CMD_AUX_ENABLE:
		k->ram[0] &= ~CTR_AUXDIS;
		break;
	case CMD_AUX_TEST:
	case CMD_KBD_TEST:
		push(k, 0x00, 0);	/* no clock or data line stuck */
		break;
	case CMD_SELF_TEST:
		push(k, REPLY_SELF_TEST, 0);
		break;
	case CMD_KBD_DISABLE:
		k->ram[0] |= CTR_KBDDIS;
		break;
	case CMD_KBD_ENABLE:
		k->ram[0] &= ~CTR_KBDDIS;
		break;
	case CMD_READ_INPUT:
		push(k, 0x80, 0);	/* keyboard not inhibited */
		break;
	case CMD_READ_OUTPUT:
		push(k, read_output_port(k), 0);
		break;
	case CMD_WRITE_OUTPUT:
	case CMD_WRITE_KBD_OB:
	case CMD_WRITE_AUX_OB:
	case CMD_WRITE_AUX:
		k->pending = cmd;
		break;
	case CMD_A20_OFF:
		k->output_port &= ~OUT_A20;
		break;
	case CMD_A20_ON:
		k->output_port |= OUT_A20;
		break;
	case CMD_READ_TEST:
		push(k, 0x00, 0);
		break;
	default:
		break;	/* unknown or vendor commands: nothing */
	}
}

static void data_write(struct vireo_i8042 *k, uint8_t v)
{
	uint8_t cmd = k->pending;

	k->pending = 0;
	if (cmd >= CMD_WRITE_RAM && cmd < CMD_WRITE_RAM + 0x20) {
		k->ram[cmd & 0x1f] = v;
		update_irq(k);	/* the interrupt enables may have changed */
		return;
	}
	switch (cmd) {
	case CMD_WRITE_OUTPUT:
		write_output_port(k, v);
		break;
	case CMD_WRITE_KBD_OB:
		push(k, v, 0);
		break;
	case CMD_WRITE_AUX_OB:
		push(k, v, STR_AUXDATA);
		break;
	case CMD_WRITE_AUX:
		push(k, REPLY_NO_DEVICE, STR_AUXDATA | STR_TIMEOUT);
		break;
	default:
		/* A byte for the keyboard, which is not there. */
		push(k, REPLY_NO_DEVICE, STR_TIMEOUT);
		break;
	}
}

static void data_byte(void *dev, uint16_t port_offset, bool is_write, uint8_t *byte)
{
	struct vireo_i8042 *k = dev;

	(void)port_offset;
	if (is_write) {
		k->last_was_command = false;
		data_write(k, *byte);
	} else {
		*byte = pop(k);
	}
}

static void cmd_byte(void *dev, uint16_t port_offset, bool is_write, uint8_t *byte)
{
	struct vireo_i8042 *k = dev;

	(void)port_offset;
	if (is_write) {
		k->last_was_command = true;
		command(k, *byte);
	} else {
		*byte = status(k);
	}
}

static int locked_pio(struct vireo_i8042 *k, uint16_t port_offset, unsigned int size,
		      bool is_write, uint32_t *data,
		      void (*byte_fn)(void *, uint16_t, bool, uint8_t *))
{
	bool reset;
	int ret;

	pthread_mutex_lock(&k->lock);
	ret = vireo_hw_pio_bytes(k, port_offset, 1, size, is_write, data, byte_fn);
	reset = k->reset_owed;
	k->reset_owed = false;
	if (reset)
		k->resets++;
	pthread_mutex_unlock(&k->lock);
	if (reset && k->reset)
		k->reset(k->opaque);
	return ret;
}

int vireo_i8042_pio_data(void *dev, uint16_t port_offset, unsigned int size, bool is_write,
			 uint32_t *data)
{
	return locked_pio(dev, port_offset, size, is_write, data, data_byte);
}

int vireo_i8042_pio_cmd(void *dev, uint16_t port_offset, unsigned int size, bool is_write,
			uint32_t *data)
{
	return locked_pio(dev, port_offset, size, is_write, data, cmd_byte);
}

int vireo_i8042_init(struct vireo_i8042 *k, struct vireo_irq_router *irq, unsigned int kbd_line,
		     unsigned int aux_line, void (*reset)(void *opaque), void *opaque)
{
	*k = (struct vireo_i8042){ 0 };
	k->irq = irq;
	k->kbd_line = kbd_line;
	k->aux_line = aux_line;
	k->reset = reset;
	k->opaque = opaque;
	k->ram[0] = CTR_XLATE | CTR_AUXDIS | CTR_SYS | CTR_KBDINT;
	k->output_port = OUT_RESET | OUT_A20;
	return -pthread_mutex_init(&k->lock, NULL);
}

void vireo_i8042_fini(struct vireo_i8042 *k)
{
	pthread_mutex_destroy(&k->lock);
}
