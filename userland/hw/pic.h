/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PC's two cascaded Intel 8259A PICs: master at ports 0x20/0x21,
 * slave at 0xa0/0xa1 on the master's IR2, and the PIIX edge/level control
 * registers (ELCR) at 0x4d0/0x4d1.
 *
 * Modelled: ICW1-ICW4 (LTIM, single mode, AEOI, special fully nested
 * mode), OCW1 (IMR), OCW2 (non-specific and specific EOI, rotation on EOI
 * and in AEOI mode, set priority), OCW3 (IRR/ISR read, poll, special mask
 * mode), edge or level sensing per input through ELCR (or LTIM for the
 * whole chip).  Not modelled: the 8080/8085 call format (ICW4 bit 0
 * clear is treated as 8086 mode) and buffered mode (meaningless here).
 *
 * Delivery.  There is no INTA cycle: with the in-kernel LAPIC, the pair's
 * INT output is pushed as an MSI with delivery mode ExtINT to APIC ID 0
 * (physical), the vector in the data.  Whenever the pair's state changes
 * (an input, an EOI, a mask, an initialisation) and the master's output
 * is up, the PIC performs the acknowledge itself (the vector comes from
 * the highest-priority request, IRR moves to ISR unless auto-EOI, a
 * spurious request gives IR7 of the chip) and sends the message; if the
 * callback reports that no LAPIC accepted it (<= 0), the acknowledge is
 * not done and the request stays pending until the next change or
 * vireo_pic_update().  At most one message is sent per change, so a level
 * input still asserted in auto-EOI mode is not resent in a loop.
 *
 * Power-on state, as firmware leaves it for a kernel: both chips
 * initialised (vectors 0x08 and 0x70, cascade on IR2, 8086 mode, normal
 * EOI), every input masked except the master's cascade input, all inputs
 * edge-sensitive.
 */
#ifndef VIREO_HW_PIC_H
#define VIREO_HW_PIC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "hw/hw.h"
#include "hw/irq.h"

#define VIREO_PIC_MASTER_BASE	0x20
#define VIREO_PIC_SLAVE_BASE	0xa0
#define VIREO_PIC_ELCR_BASE	0x4d0

/* One 8259A. */
struct vireo_8259 {
	uint8_t irr, isr, imr;
	uint8_t input;		/* current input levels */
	uint8_t elcr;		/* level-sensitive inputs (ELCR) */
	uint8_t elcr_mask;	/* ELCR bits that exist */
	uint8_t vector_base;	/* ICW2, bits 7:3 */
	uint8_t icw3;
	uint8_t lowest;		/* IR with the lowest priority (rotation) */
	uint8_t init_step;	/* 0: ready; 2, 3, 4: the next ICW expected */
	bool icw4_needed, single, ltim, auto_eoi, rotate_on_aeoi, sfnm;
	bool special_mask, poll, read_isr;
};

/* Legend: (i) set by init, then fixed; (l) guarded by lock. */
struct vireo_pic {
	pthread_mutex_t lock;
	vireo_msi_fn msi;		/* (i) */
	void *msi_opaque;		/* (i) */
	struct vireo_8259 chip[2];	/* (l) 0 master, 1 slave */
	uint64_t sent;			/* (l) acknowledged messages */
	uint64_t refused;		/* (l) messages no LAPIC took */
};

extern const struct vireo_hw_desc vireo_pic_desc;

int vireo_pic_init(struct vireo_pic *pic, vireo_msi_fn msi, void *msi_opaque);
void vireo_pic_fini(struct vireo_pic *pic);

/* Handlers (vireo_pio_handler_fn), dev is the pic: offsets 0-1 each. */
int vireo_pic_pio_master(void *dev, uint16_t port_offset, unsigned int size, bool is_write,
			 uint32_t *data);
int vireo_pic_pio_slave(void *dev, uint16_t port_offset, unsigned int size, bool is_write,
			uint32_t *data);
int vireo_pic_pio_elcr(void *dev, uint16_t port_offset, unsigned int size, bool is_write,
		       uint32_t *data);

/* Input irq (0-15) level, from the router.  Input 2 is the cascade. */
void vireo_pic_set_irq(struct vireo_pic *pic, unsigned int irq, bool level);

/* Try again to deliver a request a LAPIC refused. */
void vireo_pic_update(struct vireo_pic *pic);

#endif /* VIREO_HW_PIC_H */
