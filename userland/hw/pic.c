// SPDX-License-Identifier: GPL-2.0
/*
 * 8259A PIC pair (pic.h).  Datasheet: Intel 231468, "8259A Programmable
 * Interrupt Controller"; ELCR: Intel 82371 (PIIX) datasheet.
 *
 * Priorities are kept as the IR with the lowest priority ("lowest"): the
 * one after it is the highest.  After ICW1 lowest is 7, so IR0 is highest;
 * rotation moves lowest to the IR just serviced.
 */
#include <errno.h>

#include "hw/pic.h"

#define ICW1_IC4	0x01
#define ICW1_SNGL	0x02
#define ICW1_LTIM	0x08
#define ICW1_INIT	0x10
#define ICW4_AEOI	0x02
#define ICW4_SFNM	0x10
#define OCW3_SELECT	0x08
#define OCW3_RIS	0x01
#define OCW3_RR		0x02
#define OCW3_POLL	0x04
#define OCW3_SMM	0x20
#define OCW3_ESMM	0x40

#define CASCADE_IR	2
#define ELCR_MASTER	0xf8	/* IRQ 0, 1, 2 are always edge (PIIX) */
#define ELCR_SLAVE	0xde	/* IRQ 8 and 13 too */

static const struct vireo_hw_pio_range pic_pio[] = {
	{ VIREO_PIC_MASTER_BASE, 2, vireo_pic_pio_master },
	{ VIREO_PIC_SLAVE_BASE, 2, vireo_pic_pio_slave },
	{ VIREO_PIC_ELCR_BASE, 2, vireo_pic_pio_elcr },
};

const struct vireo_hw_desc vireo_pic_desc = {
	.name = "pic",
	.pio = pic_pio,
	.nr_pio = 3,
	.line = -1,
};

static bool level_sensitive(const struct vireo_8259 *c, uint8_t bit)
{
	return c->ltim || (c->elcr & bit);
}

/* The highest-priority IR set in mask, or -1. */
static int highest(const struct vireo_8259 *c, uint8_t mask)
{
	unsigned int p;

	for (p = 1; p <= 8; p++) {
		unsigned int ir = (c->lowest + p) & 7;

		if (mask & (1U << ir))
			return (int)ir;
	}
	return -1;
}

/* 0 for the highest priority ... 7 for the lowest. */
static unsigned int rank(const struct vireo_8259 *c, unsigned int ir)
{
	return (ir - c->lowest - 1) & 7;
}

/*
 * The IR this chip raises INT for, or -1: the best unmasked request, if
 * nothing in service has the same or a higher priority.  In special mask
 * mode masked levels in service do not count; in special fully nested
 * mode neither does the master's cascade input.
 */
static int chip_pending(const struct vireo_8259 *c, bool master)
{
	uint8_t blocking = c->isr;
	int ir, busy;

	if (c->init_step)
		return -1;
	ir = highest(c, c->irr & ~c->imr);
	if (ir < 0)
		return -1;
	if (c->special_mask)
		blocking &= ~c->imr;
	if (master && c->sfnm)
		blocking &= ~(1U << CASCADE_IR);
	busy = highest(c, blocking);
	if (busy >= 0 && rank(c, (unsigned int)busy) <= rank(c, (unsigned int)ir))
		return -1;
	return ir;
}

static void chip_set_input(struct vireo_8259 *c, unsigned int ir, bool level)
{
	uint8_t bit = (uint8_t)(1U << ir);

	if (level) {
		if (level_sensitive(c, bit) || !(c->input & bit))
			c->irr |= bit;
		c->input |= bit;
	} else {
		c->input &= ~bit;
		if (level_sensitive(c, bit))
			c->irr &= ~bit;
	}
}

/* What INTA does to the chip for ir. */
static void chip_ack(struct vireo_8259 *c, unsigned int ir)
{
	uint8_t bit = (uint8_t)(1U << ir);

	if (!level_sensitive(c, bit))
		c->irr &= ~bit;
	if (c->auto_eoi) {
		if (c->rotate_on_aeoi)
			c->lowest = (uint8_t)ir;
	} else {
		c->isr |= bit;
	}
}

static void cascade(struct vireo_pic *pic)
{
	struct vireo_8259 *master = &pic->chip[0];

	if (!master->single)
		chip_set_input(master, CASCADE_IR, chip_pending(&pic->chip[1], false) >= 0);
}

/* Propagate a change: the cascade, then at most one message.  Lock held. */
static void update(struct vireo_pic *pic)
{
	struct vireo_8259 *master = &pic->chip[0], *slave = &pic->chip[1];
	int ir, sir = -1;
	uint8_t vector;
	int ret;

	cascade(pic);
	ir = chip_pending(master, true);
	if (ir < 0)
		return;
	if (ir == CASCADE_IR && !master->single) {
		/* A request that vanished gives the slave's IR7: spurious. */
		sir = chip_pending(slave, false);
		vector = slave->vector_base | (sir < 0 ? 7 : sir);
	} else {
		vector = master->vector_base | ir;
	}
	ret = pic->msi(pic->msi_opaque, vireo_msi_address(0, false, false),
		       vireo_msi_data(vector, VIREO_DM_EXTINT, false));
	if (ret <= 0) {
		pic->refused++;
		return;
	}
	pic->sent++;
	chip_ack(master, (unsigned int)ir);
	if (sir >= 0)
		chip_ack(slave, (unsigned int)sir);
	cascade(pic);
}

static void icw1(struct vireo_8259 *c, uint8_t v)
{
	c->init_step = 2;
	c->icw4_needed = v & ICW1_IC4;
	c->single = v & ICW1_SNGL;
	c->ltim = v & ICW1_LTIM;
	/* The edge sense circuit is reset: only level inputs still request. */
	c->irr = c->input & (c->ltim ? 0xff : c->elcr);
	c->imr = 0;
	c->isr = 0;
	c->lowest = 7;
	c->special_mask = false;
	c->read_isr = false;
	c->poll = false;
	c->auto_eoi = false;
	c->rotate_on_aeoi = false;
	c->sfnm = false;
}

static void icw_next(struct vireo_8259 *c, uint8_t v)
{
	switch (c->init_step) {
	case 2:
		c->vector_base = v & 0xf8;
		c->init_step = !c->single ? 3 : c->icw4_needed ? 4 : 0;
		break;
	case 3:
		c->icw3 = v;
		c->init_step = c->icw4_needed ? 4 : 0;
		break;
	default:
		c->auto_eoi = v & ICW4_AEOI;
		c->sfnm = v & ICW4_SFNM;
		c->init_step = 0;
		break;
	}
}

static void ocw2(struct vireo_8259 *c, uint8_t v)
{
	unsigned int level = v & 7;
	int ir;

	switch (v >> 5) {
	case 0: /* clear rotate in automatic EOI mode */
	case 4: /* set rotate in automatic EOI mode */
		c->rotate_on_aeoi = v >> 7;
		break;
	case 1: /* non-specific EOI */
	case 5: /* rotate on non-specific EOI */
		ir = highest(c, c->isr);
		if (ir < 0)
			break;
		c->isr &= ~(1U << ir);
		if (v >> 5 == 5)
			c->lowest = (uint8_t)ir;
		break;
	case 3: /* specific EOI */
		c->isr &= ~(1U << level);
		break;
	case 7: /* rotate on specific EOI */
		c->isr &= ~(1U << level);
		c->lowest = (uint8_t)level;
		break;
	case 6: /* set priority: level becomes the lowest */
		c->lowest = (uint8_t)level;
		break;
	default: /* 2: no operation */
		break;
	}
}

static void ocw3(struct vireo_8259 *c, uint8_t v)
{
	if (v & OCW3_POLL)
		c->poll = true;
	if (v & OCW3_RR)
		c->read_isr = v & OCW3_RIS;
	if (v & OCW3_ESMM)
		c->special_mask = v & OCW3_SMM;
}

/* Poll command: the read acknowledges like INTA and names the level. */
static uint8_t poll_read(struct vireo_8259 *c, bool master)
{
	int ir = chip_pending(c, master);

	c->poll = false;
	if (ir < 0)
		return 0;
	chip_ack(c, (unsigned int)ir);
	return 0x80 | (uint8_t)ir;
}

static void chip_byte(struct vireo_pic *pic, unsigned int n, uint16_t port_offset, bool is_write,
		      uint8_t *byte)
{
	struct vireo_8259 *c = &pic->chip[n];
	uint8_t v = *byte;

	if (!is_write) {
		if (port_offset == 1) {
			*byte = c->imr;
		} else if (c->poll) {
			*byte = poll_read(c, n == 0);
			update(pic);
		} else {
			*byte = c->read_isr ? c->isr : c->irr;
		}
		return;
	}
	if (port_offset == 0 && (v & ICW1_INIT)) {
		icw1(c, v);
	} else if (port_offset == 0 && (v & OCW3_SELECT)) {
		ocw3(c, v);
		/* Register selection and poll change nothing to deliver. */
		if (!(v & OCW3_ESMM))
			return;
	} else if (port_offset == 0) {
		ocw2(c, v);
	} else if (c->init_step) {
		icw_next(c, v);
	} else {
		c->imr = v;
	}
	update(pic);
}

static void master_byte(void *dev, uint16_t port_offset, bool is_write, uint8_t *byte)
{
	chip_byte(dev, 0, port_offset, is_write, byte);
}

static void slave_byte(void *dev, uint16_t port_offset, bool is_write, uint8_t *byte)
{
	chip_byte(dev, 1, port_offset, is_write, byte);
}

static void elcr_byte(void *dev, uint16_t port_offset, bool is_write, uint8_t *byte)
{
	struct vireo_pic *pic = dev;
	struct vireo_8259 *c = &pic->chip[port_offset & 1];

	if (!is_write) {
		*byte = c->elcr;
		return;
	}
	c->elcr = *byte & c->elcr_mask;
	/* A level input requests exactly while it is asserted. */
	c->irr = (c->irr & ~c->elcr) | (c->input & c->elcr);
	update(pic);
}

static int locked_pio(struct vireo_pic *pic, uint16_t port_offset, unsigned int size,
		      bool is_write, uint32_t *data,
		      void (*byte_fn)(void *, uint16_t, bool, uint8_t *))
{
	int ret;

	pthread_mutex_lock(&pic->lock);
	ret = vireo_hw_pio_bytes(pic, port_offset, 2, size, is_write, data, byte_fn);
	pthread_mutex_unlock(&pic->lock);
	return ret;
}

int vireo_pic_pio_master(void *dev, uint16_t port_offset, unsigned int size, bool is_write,
			 uint32_t *data)
{
	return locked_pio(dev, port_offset, size, is_write, data, master_byte);
}

int vireo_pic_pio_slave(void *dev, uint16_t port_offset, unsigned int size, bool is_write,
			uint32_t *data)
{
	return locked_pio(dev, port_offset, size, is_write, data, slave_byte);
}

int vireo_pic_pio_elcr(void *dev, uint16_t port_offset, unsigned int size, bool is_write,
		       uint32_t *data)
{
	return locked_pio(dev, port_offset, size, is_write, data, elcr_byte);
}

void vireo_pic_set_irq(struct vireo_pic *pic, unsigned int irq, bool level)
{
	if (irq >= 16 || irq == CASCADE_IR)
		return;
	pthread_mutex_lock(&pic->lock);
	chip_set_input(&pic->chip[irq >> 3], irq & 7, level);
	update(pic);
	pthread_mutex_unlock(&pic->lock);
}

void vireo_pic_update(struct vireo_pic *pic)
{
	pthread_mutex_lock(&pic->lock);
	update(pic);
	pthread_mutex_unlock(&pic->lock);
}

/* What firmware leaves: initialised, all masked but the cascade. */
static void chip_reset(struct vireo_8259 *c, uint8_t vector_base, uint8_t icw3, uint8_t imr,
		       uint8_t elcr_mask)
{
	*c = (struct vireo_8259){ 0 };
	icw1(c, ICW1_INIT | ICW1_IC4);
	icw_next(c, vector_base);
	icw_next(c, icw3);
	icw_next(c, 0x01);	/* ICW4: 8086 mode, normal EOI */
	c->imr = imr;
	c->elcr_mask = elcr_mask;
}

int vireo_pic_init(struct vireo_pic *pic, vireo_msi_fn msi, void *msi_opaque)
{
	pic->msi = msi;
	pic->msi_opaque = msi_opaque;
	pic->sent = 0;
	pic->refused = 0;
	chip_reset(&pic->chip[0], 0x08, 1U << CASCADE_IR, 0xfb, ELCR_MASTER);
	chip_reset(&pic->chip[1], 0x70, CASCADE_IR, 0xff, ELCR_SLAVE);
	return -pthread_mutex_init(&pic->lock, NULL);
}

void vireo_pic_fini(struct vireo_pic *pic)
{
	pthread_mutex_destroy(&pic->lock);
}
