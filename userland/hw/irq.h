/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interrupt routing for the PC platform: devices raise and lower lines
 * here; the router feeds the userland IOAPIC (all 24 lines) and, for the
 * ISA lines 0-15, the 8259 PIC pair.  The IOAPIC and the PIC turn what
 * they decide to deliver into MSI messages (vireo_msi_fn): in production
 * the VIREO_SIGNAL_MSI ioctl on the VM fd, in tests a recorder.
 *
 * Line numbers.  Lines 0-15 are the ISA IRQs, 16-23 the PCI GSIs.  The
 * router applies the PC's one interrupt source override: ISA IRQ 0 (the
 * PIT) is IOAPIC input 2, as on every chipset since the PIIX, so the MADT
 * must carry "bus 0, source 0 -> GSI 2, conforming" (vireo_irq_gsi()
 * gives the mapping for the table builder).  Line 2 is the PIC cascade and
 * cannot be raised.  Every other line n is IOAPIC input n.
 *
 * Levels are logical ("asserted"), whatever the polarity the guest
 * programs: polarity describes wiring, and the MADT/DSDT and the device
 * models agree on it by construction.
 *
 * Shared lines: a line is asserted while any of its sources is, so PCI
 * functions sharing an INTx line each use their own source number with
 * vireo_irq_set_source(); vireo_irq_set() is source 0.
 */
#ifndef VIREO_HW_IRQ_H
#define VIREO_HW_IRQ_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define VIREO_IRQ_LINES		24
#define VIREO_IRQ_ISA_LINES	16
#define VIREO_IRQ_SOURCES	32	/* per line */

/* The PC's ISA assignments. */
#define VIREO_IRQ_PIT		0
#define VIREO_IRQ_KEYBOARD	1
#define VIREO_IRQ_CASCADE	2	/* not a device line */
#define VIREO_IRQ_COM2		3
#define VIREO_IRQ_COM1		4
#define VIREO_IRQ_RTC		8
#define VIREO_IRQ_SCI		9
#define VIREO_IRQ_MOUSE		12

/*
 * Delivers one MSI message: the address and data a PCI device would write
 * (Intel SDM vol. 3 12.11; layout below).  Returns how many local APICs
 * accepted it (0: none, the interrupt was not taken) or -errno.  Called
 * with the caller's device lock held: must not call back into the router,
 * the IOAPIC or the PIC.
 */
typedef int (*vireo_msi_fn)(void *opaque, uint64_t address, uint32_t data);

/* MSI address: 0xfee00000 | dest << 12 | RH << 3 | DM << 2. */
#define VIREO_MSI_ADDR_BASE		0xfee00000ULL
#define VIREO_MSI_ADDR_DEST_SHIFT	12
#define VIREO_MSI_ADDR_RH		(1U << 3)	/* redirection hint */
#define VIREO_MSI_ADDR_LOGICAL		(1U << 2)	/* destination mode */

/* MSI data: vector | delivery mode << 8 | level << 14 | trigger << 15. */
#define VIREO_MSI_DATA_DM_SHIFT		8
#define VIREO_MSI_DATA_ASSERT		(1U << 14)
#define VIREO_MSI_DATA_LEVEL		(1U << 15)	/* level triggered */

/* Delivery modes, as in an IOAPIC redirection entry and in MSI data. */
enum vireo_delivery_mode {
	VIREO_DM_FIXED = 0,
	VIREO_DM_LOWEST = 1,
	VIREO_DM_SMI = 2,
	VIREO_DM_NMI = 4,
	VIREO_DM_INIT = 5,
	VIREO_DM_EXTINT = 7,
};

static inline uint64_t vireo_msi_address(uint8_t dest, bool logical, bool redirection_hint)
{
	return VIREO_MSI_ADDR_BASE | (uint64_t)dest << VIREO_MSI_ADDR_DEST_SHIFT |
	       (redirection_hint ? VIREO_MSI_ADDR_RH : 0) | (logical ? VIREO_MSI_ADDR_LOGICAL : 0);
}

/* Always "assert", as Linux writes its own MSIs; level only for level pins. */
static inline uint32_t vireo_msi_data(uint8_t vector, unsigned int delivery_mode, bool level)
{
	return vector | (delivery_mode & 7) << VIREO_MSI_DATA_DM_SHIFT | VIREO_MSI_DATA_ASSERT |
	       (level ? VIREO_MSI_DATA_LEVEL : 0);
}

struct vireo_ioapic;
struct vireo_pic;

/* Legend: (i) set by init, then fixed; (l) guarded by lock. */
struct vireo_irq_router {
	pthread_mutex_t lock;
	struct vireo_ioapic *ioapic;		/* (i) may be NULL */
	struct vireo_pic *pic;			/* (i) may be NULL */
	uint32_t sources[VIREO_IRQ_LINES];	/* (l) asserted sources, bit per source */
	uint64_t raised[VIREO_IRQ_LINES];	/* (l) rising edges seen, for stats and tests */
};

/* Either controller may be NULL (unit tests of a single device). */
int vireo_irq_router_init(struct vireo_irq_router *r, struct vireo_ioapic *ioapic,
			  struct vireo_pic *pic);
void vireo_irq_router_fini(struct vireo_irq_router *r);

/*
 * Set line gsi (0-23, see above) for source 0.  Returns 0, or -EINVAL for
 * a line that does not exist or is the cascade (a monitor bug).
 */
int vireo_irq_set(struct vireo_irq_router *r, unsigned int gsi, bool level);
int vireo_irq_set_source(struct vireo_irq_router *r, unsigned int gsi, unsigned int source,
			 bool level);

/* An edge: source 0 goes up and down again (edge-triggered ISA devices). */
int vireo_irq_pulse(struct vireo_irq_router *r, unsigned int gsi);

/* The line's current level and its number of rising edges so far. */
bool vireo_irq_level(struct vireo_irq_router *r, unsigned int gsi);
uint64_t vireo_irq_raised(struct vireo_irq_router *r, unsigned int gsi);

/* The IOAPIC input (ACPI GSI) of a router line: 0 -> 2, else the same. */
unsigned int vireo_irq_gsi(unsigned int line);

#endif /* VIREO_HW_IRQ_H */
