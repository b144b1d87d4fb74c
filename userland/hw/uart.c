// SPDX-License-Identifier: GPL-2.0
/*
 * 16550A UART model (uart.h).  Datasheet: National Semiconductor (TI)
 * PC16550D, "Universal Asynchronous Receiver/Transmitter with FIFOs".
 */
#include <errno.h>

#include "hw/uart.h"

/* Register offsets (DLAB = 0 unless noted). */
#define REG_RBR_THR	0	/* DLL with DLAB */
#define REG_IER		1	/* DLM with DLAB */
#define REG_IIR_FCR	2
#define REG_LCR		3
#define REG_MCR		4
#define REG_LSR		5
#define REG_MSR		6
#define REG_SCR		7

#define IER_RDI		0x01	/* received data available */
#define IER_THRI	0x02	/* transmitter holding register empty */
#define IER_RLSI	0x04	/* receiver line status */
#define IER_MSI		0x08	/* modem status */
#define IER_MASK	0x0f

#define IIR_NO_INT	0x01
#define IIR_MSI		0x00
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_RLSI	0x06
#define IIR_TIMEOUT	0x0c
#define IIR_FIFO_ON	0xc0

#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define FCR_CLEAR_TX	0x04
#define FCR_KEPT	0xc9	/* enable, DMA mode, trigger level */

#define LCR_DLAB	0x80

#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define MCR_MASK	0x1f

#define LSR_DR		0x01
#define LSR_OE		0x02
#define LSR_ERRORS	0x1e	/* OE, PE, FE, BI */
#define LSR_THRE	0x20
#define LSR_TEMT	0x40

#define MSR_DCTS	0x01
#define MSR_DDSR	0x02
#define MSR_TERI	0x04
#define MSR_DDCD	0x08
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80

static const struct vireo_hw_pio_range uart_pio[] = {
	{ VIREO_UART_COM1, VIREO_UART_PORTS, vireo_uart_pio },
};

const struct vireo_hw_desc vireo_uart_desc = {
	.name = "uart",
	.pio = uart_pio,
	.nr_pio = 1,
	.line = VIREO_IRQ_COM1,
};

static bool fifo_on(const struct vireo_uart *u)
{
	return u->fcr & FCR_ENABLE;
}

static unsigned int rx_capacity(const struct vireo_uart *u)
{
	return fifo_on(u) ? VIREO_UART_FIFO : 1;
}

static unsigned int rx_trigger(const struct vireo_uart *u)
{
	static const uint8_t levels[4] = { 1, 4, 8, 14 };

	return fifo_on(u) ? levels[u->fcr >> 6] : 1;
}

/* The highest-priority pending interrupt, as IIR bits 3:0. */
static uint8_t pending(const struct vireo_uart *u)
{
	if ((u->ier & IER_RLSI) && (u->lsr_errors & LSR_ERRORS))
		return IIR_RLSI;
	if ((u->ier & IER_RDI) && u->rx_count)
		return u->rx_count >= rx_trigger(u) ? IIR_RDI : IIR_TIMEOUT;
	if ((u->ier & IER_THRI) && u->thr_pending)
		return IIR_THRI;
	if ((u->ier & IER_MSI) && u->msr_delta)
		return IIR_MSI;
	return IIR_NO_INT;
}

/* The PC routes INTR to the line only while OUT2 is set. */
static void update_irq(struct vireo_uart *u)
{
	bool level = pending(u) != IIR_NO_INT && (u->mcr & MCR_OUT2);

	if (level == u->irq_level)
		return;
	u->irq_level = level;
	vireo_irq_set(u->irq, u->line, level);
}

/* What MSR bits 7:4 see: in loopback the MCR outputs, else a modem that is there. */
static uint8_t modem_inputs(const struct vireo_uart *u)
{
	uint8_t v = 0;

	if (!(u->mcr & MCR_LOOP))
		return MSR_CTS | MSR_DSR | MSR_DCD;
	if (u->mcr & MCR_RTS)
		v |= MSR_CTS;
	if (u->mcr & MCR_DTR)
		v |= MSR_DSR;
	if (u->mcr & MCR_OUT1)
		v |= MSR_RI;
	if (u->mcr & MCR_OUT2)
		v |= MSR_DCD;
	return v;
}

static void modem_update(struct vireo_uart *u)
{
	uint8_t now = modem_inputs(u), changed = now ^ u->modem_in;

	if (changed & MSR_CTS)
		u->msr_delta |= MSR_DCTS;
	if (changed & MSR_DSR)
		u->msr_delta |= MSR_DDSR;
	if (changed & MSR_DCD)
		u->msr_delta |= MSR_DDCD;
	if ((u->modem_in & MSR_RI) && !(now & MSR_RI))
		u->msr_delta |= MSR_TERI;	/* trailing edge of RI */
	u->modem_in = now;
}

static void rx_push(struct vireo_uart *u, uint8_t byte)
{
	if (u->rx_count >= rx_capacity(u)) {
		u->lsr_errors |= LSR_OE;	/* the new character is lost */
		return;
	}
	u->rx[(u->rx_head + u->rx_count) % VIREO_UART_FIFO] = byte;
	u->rx_count++;
}

static uint8_t rx_pop(struct vireo_uart *u)
{
	uint8_t byte;

	if (!u->rx_count)
		return 0;
	byte = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % VIREO_UART_FIFO;
	u->rx_count--;
	return byte;
}

static void rx_clear(struct vireo_uart *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
}

static void transmit(struct vireo_uart *u, uint8_t byte)
{
	if (u->mcr & MCR_LOOP)
		rx_push(u, byte);
	else
		u->ops.tx(u->opaque, byte);
	u->tx_bytes++;
	/* Sent at once: the holding register is empty again. */
	u->thr_pending = true;
}

static void write_fcr(struct vireo_uart *u, uint8_t v)
{
	/* Switching the FIFOs on or off empties them. */
	if ((v ^ u->fcr) & FCR_ENABLE)
		rx_clear(u);
	if (!(v & FCR_ENABLE)) {
		u->fcr = 0;	/* the other bits are only written with FIFOs on */
		return;
	}
	if (v & FCR_CLEAR_RX)
		rx_clear(u);
	u->fcr = v & FCR_KEPT;
}

static void write_ier(struct vireo_uart *u, uint8_t v)
{
	uint8_t old = u->ier;

	u->ier = v & IER_MASK;
	/*
	 * Enabling THRI while the transmitter is empty raises THRE at once;
	 * Linux's 8250 driver tests for it (UART_BUG_TXEN, UART_BUG_THRE).
	 */
	if ((u->ier & IER_THRI) && !(old & IER_THRI))
		u->thr_pending = true;
	else if (!(u->ier & IER_THRI))
		u->thr_pending = false;
}

static uint8_t read_iir(struct vireo_uart *u)
{
	uint8_t id = pending(u);

	/* Reading IIR is how THRE is acknowledged, when it is the source. */
	if (id == IIR_THRI)
		u->thr_pending = false;
	return id | (fifo_on(u) ? IIR_FIFO_ON : 0);
}

static uint8_t read_lsr(struct vireo_uart *u)
{
	uint8_t v = u->lsr_errors | LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0);

	u->lsr_errors = 0;
	return v;
}

static uint8_t read_msr(struct vireo_uart *u)
{
	uint8_t v = u->modem_in | u->msr_delta;

	u->msr_delta = 0;
	return v;
}

static void uart_byte(void *dev, uint16_t port_offset, bool is_write, uint8_t *byte)
{
	struct vireo_uart *u = dev;
	bool dlab = u->lcr & LCR_DLAB;
	uint8_t v = *byte;

	if (is_write) {
		switch (port_offset) {
		case REG_RBR_THR:
			if (dlab)
				u->divisor = (u->divisor & 0xff00) | v;
			else
				transmit(u, v);
			break;
		case REG_IER:
			if (dlab)
				u->divisor = (uint16_t)((u->divisor & 0x00ff) | v << 8);
			else
				write_ier(u, v);
			break;
		case REG_IIR_FCR:
			write_fcr(u, v);
			break;
		case REG_LCR:
			u->lcr = v;
			break;
		case REG_MCR:
			u->mcr = v & MCR_MASK;
			modem_update(u);
			break;
		case REG_SCR:
			u->scr = v;
			break;
		default:
			break;	/* LSR and MSR: factory test, read-only here */
		}
	} else {
		switch (port_offset) {
		case REG_RBR_THR:
			v = dlab ? (uint8_t)u->divisor : rx_pop(u);
			break;
		case REG_IER:
			v = dlab ? (uint8_t)(u->divisor >> 8) : u->ier;
			break;
		case REG_IIR_FCR:
			v = read_iir(u);
			break;
		case REG_LCR:
			v = u->lcr;
			break;
		case REG_MCR:
			v = u->mcr;
			break;
		case REG_LSR:
			v = read_lsr(u);
			break;
		case REG_MSR:
			v = read_msr(u);
			break;
		default:
			v = u->scr;
			break;
		}
		*byte = v;
	}
	update_irq(u);
}

/* After a guest access: is the monitor owed an rx_room call?  Lock held. */
static bool room_owed(struct vireo_uart *u)
{
	if (!u->rx_was_full || (u->mcr & MCR_LOOP) || u->rx_count >= rx_capacity(u))
		return false;
	u->rx_was_full = false;
	return true;
}

int vireo_uart_pio(void *dev, uint16_t port_offset, unsigned int size, bool is_write,
		   uint32_t *data)
{
	struct vireo_uart *u = dev;
	bool notify;
	int ret;

	pthread_mutex_lock(&u->lock);
	ret = vireo_hw_pio_bytes(u, port_offset, VIREO_UART_PORTS, size, is_write, data, uart_byte);
	notify = room_owed(u);
	pthread_mutex_unlock(&u->lock);
	if (notify && u->ops.rx_room)
		u->ops.rx_room(u->opaque);
	return ret;
}

size_t vireo_uart_rx_room(struct vireo_uart *u)
{
	size_t room;

	pthread_mutex_lock(&u->lock);
	room = (u->mcr & MCR_LOOP) ? 0 : rx_capacity(u) - u->rx_count;
	pthread_mutex_unlock(&u->lock);
	return room;
}

size_t vireo_uart_receive(struct vireo_uart *u, const uint8_t *bytes, size_t n)
{
	size_t taken = 0;

	pthread_mutex_lock(&u->lock);
	/* In loopback the receiver hears only the transmitter. */
	if (!(u->mcr & MCR_LOOP)) {
		while (taken < n && u->rx_count < rx_capacity(u))
			rx_push(u, bytes[taken++]);
	}
	if (taken < n)
		u->rx_was_full = true;
	u->rx_bytes += taken;
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
	return taken;
}

int vireo_uart_init(struct vireo_uart *u, struct vireo_irq_router *irq, unsigned int line,
		    const struct vireo_uart_ops *ops, void *opaque)
{
	*u = (struct vireo_uart){ 0 };
	u->irq = irq;
	u->line = line;
	u->ops = *ops;
	u->opaque = opaque;
	u->modem_in = modem_inputs(u);
	return -pthread_mutex_init(&u->lock, NULL);
}

void vireo_uart_fini(struct vireo_uart *u)
{
	pthread_mutex_destroy(&u->lock);
}
