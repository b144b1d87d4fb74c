/* SPDX-License-Identifier: GPL-2.0 */
/*
 * National Semiconductor 16550A UART, 8 ports at any base (COM1: 0x3f8,
 * interrupt line 4).
 *
 * Registers: RBR/THR, IER (low 4 bits), IIR/FCR with the 16-byte FIFOs
 * and RX trigger levels, LCR with the divisor latch, MCR (low 5 bits,
 * loopback), LSR, MSR with delta bits, SCR.  Enough for Linux's 8250
 * driver: its autoconfig probe (IER, loopback MSR 0x90, FIFO IIR bits),
 * its THRE checks (enabling ETBEI with the transmitter empty raises THRE
 * at once, reading IIR clears it), FIFO mode and interrupt-driven TX/RX.
 *
 * Transmission is instantaneous: a THR write goes to the output callback
 * at once (in loopback mode to the receiver instead), so LSR always shows
 * THRE and TEMT, and every write raises THRE again.  Reception: the
 * monitor offers input with vireo_uart_receive(), which takes what fits
 * in the receiver (16 bytes with FIFOs, 1 without; none in loopback) and
 * returns the count; the rest waits in the monitor.  The character
 * timeout indication (IIR 0xcc) is given as soon as the FIFO holds data
 * below the trigger level, since there is no line to wait on.  Parity,
 * framing and break errors never happen; overrun only in loopback.  The
 * modem inputs read as connected (CTS, DSR, DCD), RI off.
 *
 * The interrupt line follows the PC wiring: asserted while an enabled
 * condition is pending and MCR.OUT2 is set (the 8250 driver sets OUT2 for
 * that reason).
 *
 * Callbacks: tx(opaque, byte) is called with the UART's lock held and must
 * not call back into the UART.  rx_room(opaque), optional, is called
 * without the lock after a guest read emptied a receiver that had been
 * full, so the monitor can offer more input.
 */
#ifndef VIREO_HW_UART_H
#define VIREO_HW_UART_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/hw.h"
#include "hw/irq.h"

#define VIREO_UART_COM1		0x3f8
#define VIREO_UART_PORTS	8
#define VIREO_UART_FIFO		16

struct vireo_uart_ops {
	void (*tx)(void *opaque, uint8_t byte);
	void (*rx_room)(void *opaque);		/* may be NULL */
};

/* Legend: (i) set by init, then fixed; (l) guarded by lock. */
struct vireo_uart {
	pthread_mutex_t lock;
	struct vireo_irq_router *irq;	/* (i) */
	unsigned int line;		/* (i) */
	struct vireo_uart_ops ops;	/* (i) */
	void *opaque;			/* (i) */
	uint8_t ier, lcr, mcr, scr, fcr;	/* (l) */
	uint8_t lsr_errors;		/* (l) OE (sticky until LSR is read) */
	uint8_t msr_delta;		/* (l) MSR bits 3:0 */
	uint8_t modem_in;		/* (l) MSR bits 7:4 as last reported */
	uint16_t divisor;		/* (l) */
	uint8_t rx[VIREO_UART_FIFO];	/* (l) receiver FIFO, rx_count from rx_head */
	unsigned int rx_head, rx_count;	/* (l) */
	bool rx_was_full;		/* (l) rx_room is owed */
	bool thr_pending;		/* (l) THRE interrupt pending */
	bool irq_level;			/* (l) what the line was last set to */
	uint64_t tx_bytes, rx_bytes;	/* (l) */
};

extern const struct vireo_hw_desc vireo_uart_desc;

/* Power-on state (all registers 0, LSR 0x60, MSR 0xb0). */
int vireo_uart_init(struct vireo_uart *u, struct vireo_irq_router *irq, unsigned int line,
		    const struct vireo_uart_ops *ops, void *opaque);
void vireo_uart_fini(struct vireo_uart *u);

/* Ports base+0 .. base+7 (offsets 0-7); dev is the uart. */
int vireo_uart_pio(void *dev, uint16_t port_offset, unsigned int size, bool is_write,
		   uint32_t *data);

/* Offer n input bytes; returns how many the receiver took (0..n). */
size_t vireo_uart_receive(struct vireo_uart *u, const uint8_t *bytes, size_t n);

/* Bytes the receiver would take now. */
size_t vireo_uart_rx_room(struct vireo_uart *u);

#endif /* VIREO_HW_UART_H */
