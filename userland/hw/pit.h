/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intel 8254 programmable interval timer: three 16-bit counters at
 * 1.193182 MHz on ports 0x40-0x42, the control word register at 0x43, and
 * the bits of system control port B (0x61) that belong to it: bit 0 gates
 * counter 2, bit 5 reads counter 2's output (Linux calibrates the TSC by
 * polling it), bit 4 toggles every 15.085 us like the DRAM refresh signal;
 * bits 1-3 are stored, bits 6-7 (NMI sources) read 0.
 *
 * Modelled: modes 0-5 with their OUT waveforms and gate behaviour (only
 * counter 2 has a gate the guest controls; 0 and 1 are tied high), binary
 * and BCD counting, LSB / MSB / LSB-then-MSB access with its flip-flops,
 * the counter latch command, and read-back (count and status, NULL COUNT
 * included).  Simplified: a new count written in modes 2 and 3 restarts
 * the period at once instead of at the end of the current one.
 *
 * Time comes from the injected clock; nothing counts in the background:
 * a read computes the counter from the time since the count was loaded.
 * Counter 0's OUT is wired to interrupt line 0 (ISA IRQ0), which the
 * router sends to the PIC's IR0 and IOAPIC input 2.  The PIT arms the
 * injected timer for counter 0's next rising edge; when it expires the
 * monitor calls vireo_pit_timer(), which pulses the line (edges missed by
 * a late timer are coalesced into one) and arms the next.  Periodic
 * interrupts are held to at most one per VIREO_PIT_MIN_PERIOD_NS so that a
 * guest programming a count of 1 cannot make the timer thread spin.
 *
 * Power-on state, as firmware leaves it: counter 0 in mode 3 with count
 * 0x10000 (18.2 Hz on IRQ0), counter 1 in mode 2 with count 18 (refresh),
 * counter 2 in mode 3 with count 0x10000 and its gate low.
 */
#ifndef VIREO_HW_PIT_H
#define VIREO_HW_PIT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "hw/hw.h"
#include "hw/irq.h"

#define VIREO_PIT_BASE		0x40
#define VIREO_PIT_PORTS		4
#define VIREO_PIT_PORT_B	0x61
#define VIREO_PIT_HZ		1193182ULL
#define VIREO_PIT_MIN_PERIOD_NS	100000ULL

struct vireo_pit_counter {
	/* Control word. */
	uint8_t mode;		/* 0-5 */
	uint8_t rw;		/* 1 LSB, 2 MSB, 3 LSB then MSB */
	bool bcd;
	bool gate;
	/* Count register and counting element. */
	uint32_t reload;	/* programmed count: 1..0x10000 (1..10000 in BCD) */
	bool reload_valid;	/* a count was written since the control word */
	bool loaded;		/* counting element loaded (modes 1, 5: triggered) */
	bool null_count;
	uint16_t frozen;	/* what reads show while not loaded */
	/* Time: elapsed = base_ticks + ticks since start_ns while running. */
	uint64_t start_ns;
	uint64_t base_ticks;
	bool running;
	/* Access flip-flops and latches. */
	bool write_msb;		/* rw 3: the next write is the MSB */
	uint8_t write_lsb;
	bool read_msb;		/* rw 3: the next live read is the MSB */
	uint8_t latch_left;	/* latched count bytes still to read */
	uint16_t latch;
	bool status_latched;
	uint8_t status;
	/* Counter 0: output edges already turned into interrupts. */
	uint64_t irq_done;
};

/* Legend: (i) set by init, then fixed; (l) guarded by lock. */
struct vireo_pit {
	pthread_mutex_t lock;
	struct vireo_irq_router *irq;		/* (i) */
	unsigned int line;			/* (i) */
	struct vireo_clock clock;		/* (i) */
	struct vireo_timer timer;		/* (i) */
	struct vireo_pit_counter ctr[3];	/* (l) */
	uint8_t port_b;				/* (l) bits 0-3 of port 0x61 */
	uint64_t armed;				/* (l) last deadline given to the timer */
	uint64_t irqs;				/* (l) interrupts raised */
};

extern const struct vireo_hw_desc vireo_pit_desc;

int vireo_pit_init(struct vireo_pit *pit, struct vireo_irq_router *irq, unsigned int line,
		   struct vireo_clock clock, struct vireo_timer timer);
void vireo_pit_fini(struct vireo_pit *pit);

/* Ports 0x40-0x43 (offsets 0-3) and port 0x61 (offset 0); dev is the pit. */
int vireo_pit_pio(void *dev, uint16_t port_offset, unsigned int size, bool is_write,
		  uint32_t *data);
int vireo_pit_port_b(void *dev, uint16_t port_offset, unsigned int size, bool is_write,
		     uint32_t *data);

/* The timer armed by the PIT expired (or the monitor wants it checked). */
void vireo_pit_timer(struct vireo_pit *pit);

#endif /* VIREO_HW_PIT_H */
