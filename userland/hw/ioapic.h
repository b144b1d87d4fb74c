/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An Intel 82093AA-compatible IOAPIC: version 0x11, 24 inputs, MMIO at
 * 0xfec00000 (IOREGSEL at +0x00, IOWIN at +0x10), registers ID (0x00),
 * version (0x01), arbitration (0x02) and the redirection table (0x10 +
 * 2 * pin, low dword first).
 *
 * A pin that fires is turned into an MSI message (vireo_ioapic_entry_msi)
 * and handed to the delivery callback.  Edge pins fire on a rising input
 * while unmasked (82093AA: masked edges are ignored, not held).  Level pins
 * fire while the input is asserted, unmasked and remote IRR is clear;
 * remote IRR is set when a LAPIC accepted the message and cleared by
 * vireo_ioapic_eoi() (the LAPIC's EOI for a level vector; the 82093AA has
 * no EOI register) or by the entry being switched to edge, which is how
 * Linux clears it on IOAPICs older than version 0x20 when the local APIC
 * did not see the interrupt as level.  An asserted level pin fires again
 * as soon as remote IRR clears or the entry is unmasked.
 *
 * Delivery mode ExtINT is never sent from here: the 8259 PIC sends its own
 * ExtINT messages (pic.h), so an IOAPIC entry in ExtINT mode is inert.
 */
#ifndef VIREO_HW_IOAPIC_H
#define VIREO_HW_IOAPIC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "hw/hw.h"
#include "hw/irq.h"

#define VIREO_IOAPIC_BASE	0xfec00000ULL
#define VIREO_IOAPIC_SIZE	0x1000
#define VIREO_IOAPIC_PINS	24
#define VIREO_IOAPIC_VERSION	0x11

/* MMIO offsets and register indices. */
#define VIREO_IOAPIC_IOREGSEL	0x00
#define VIREO_IOAPIC_IOWIN	0x10
#define VIREO_IOAPIC_REG_ID	0x00
#define VIREO_IOAPIC_REG_VER	0x01
#define VIREO_IOAPIC_REG_ARB	0x02
#define VIREO_IOAPIC_REG_REDTBL	0x10

/* Redirection entry fields (82093AA 3.2.4). */
#define VIREO_IOAPIC_VECTOR_MASK	0xffULL
#define VIREO_IOAPIC_DM_SHIFT		8
#define VIREO_IOAPIC_LOGICAL		(1ULL << 11)
#define VIREO_IOAPIC_DELIVS		(1ULL << 12)	/* read-only */
#define VIREO_IOAPIC_ACTIVE_LOW		(1ULL << 13)
#define VIREO_IOAPIC_REMOTE_IRR		(1ULL << 14)	/* read-only */
#define VIREO_IOAPIC_LEVEL		(1ULL << 15)
#define VIREO_IOAPIC_MASKED		(1ULL << 16)
#define VIREO_IOAPIC_DEST_SHIFT		56

/* Legend: (i) set by init, then fixed; (l) guarded by lock. */
struct vireo_ioapic {
	pthread_mutex_t lock;
	vireo_msi_fn msi;			/* (i) */
	void *msi_opaque;			/* (i) */
	uint32_t regsel;			/* (l) IOREGSEL */
	uint32_t id;				/* (l) ID register, bits 27:24 */
	uint32_t arb;				/* (l) arbitration ID, loaded with id */
	uint64_t redir[VIREO_IOAPIC_PINS];	/* (l) */
	uint32_t input;				/* (l) input levels, bit per pin */
	uint64_t sent;				/* (l) messages accepted by a LAPIC */
	uint64_t refused;			/* (l) messages no LAPIC took */
};

extern const struct vireo_hw_desc vireo_ioapic_desc;

/* Power-on state: every entry masked, ID 0. */
int vireo_ioapic_init(struct vireo_ioapic *io, vireo_msi_fn msi, void *msi_opaque);
void vireo_ioapic_fini(struct vireo_ioapic *io);

/* The MMIO handler (vireo_mmio_handler_fn), dev is the ioapic. */
int vireo_ioapic_mmio(void *dev, uint64_t offset, unsigned int size, bool is_write,
		      uint64_t *data);

/* Input pin level, from the router. */
void vireo_ioapic_set_irq(struct vireo_ioapic *io, unsigned int pin, bool level);

/* A LAPIC's EOI of a level-triggered vector (to come from the kernel). */
void vireo_ioapic_eoi(struct vireo_ioapic *io, uint8_t vector);

/* Read a redirection entry as the guest would see it (tests, debugging). */
uint64_t vireo_ioapic_entry(struct vireo_ioapic *io, unsigned int pin);

/*
 * The MSI message an entry sends: false (nothing sent) for ExtINT and for
 * the reserved delivery modes 3 and 6.  Destination mode and ID go to the
 * address, with the redirection hint set for lowest priority; vector,
 * delivery mode and trigger to the data (see irq.h).
 */
bool vireo_ioapic_entry_msi(uint64_t entry, uint64_t *address, uint32_t *data);

#endif /* VIREO_HW_IOAPIC_H */
