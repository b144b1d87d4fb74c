// SPDX-License-Identifier: GPL-2.0
/*
 * 16550A UART: Linux 8250 autoconfig and startup checks, transmit,
 * receive FIFO and trigger levels, interrupt identification and
 * priorities, the OUT2-gated interrupt line, loopback, modem status,
 * and random port traffic.
 */
#include "hw/uart.h"
#include "test.h"
#include "test_hw_fakes.h"

static struct vireo_irq_router router;
static struct vireo_uart uart;
static uint8_t txbuf[256];
static unsigned int txn;
static unsigned int rooms;

static void tx(void *opaque, uint8_t byte)
{
	(void)opaque;
	if (txn < sizeof(txbuf))
		txbuf[txn] = byte;
	txn++;
}

static void rx_room(void *opaque)
{
	(void)opaque;
	rooms++;
}

static const struct vireo_uart_ops ops = { tx, rx_room };

static void setup(void)
{
	txn = 0;
	rooms = 0;
	vireo_irq_router_init(&router, NULL, NULL);
	vireo_uart_init(&uart, &router, VIREO_IRQ_COM1, &ops, NULL);
}

static void teardown(void)
{
	vireo_uart_fini(&uart);
	vireo_irq_router_fini(&router);
}

static void out(uint16_t reg, uint8_t v)
{
	fake_out(vireo_uart_pio, &uart, reg, v);
}

static uint8_t in(uint16_t reg)
{
	return fake_in(vireo_uart_pio, &uart, reg);
}

static bool irq(void)
{
	return vireo_irq_level(&router, VIREO_IRQ_COM1);
}

static size_t give(const char *s)
{
	return vireo_uart_receive(&uart, (const uint8_t *)s, strlen(s));
}

/* drivers/tty/serial/8250/8250_port.c autoconfig(), as port traffic. */
static void uart_linux_autoconfig(void)
{
	uint8_t save_ier, save_mcr, save_lcr;

	setup();
	/* "Do a simple existence test first": IER must hold 0 and 0x0f. */
	save_ier = in(1);
	out(1, 0);
	T_EQ(in(1) & 0x0f, 0);
	out(1, 0x0f);
	T_EQ(in(1) & 0x0f, 0x0f);
	out(1, save_ier);
	/* Loopback test: MCR LOOP|OUT2|RTS, MSR high nibble must be 0x90. */
	save_mcr = in(4);
	save_lcr = in(3);
	out(4, 0x10 | 0x0a);
	T_EQ(in(6) & 0xf0, 0x90);
	out(4, save_mcr);
	/* EFR probe with LCR 0xbf: a 16550A has none (reads IIR, not 0). */
	out(3, 0xbf);
	T_TRUE(in(2) != 0);
	out(3, 0);
	/* FIFO enable: IIR bits 7:6 = 11, a 16550A. */
	out(2, 0x01);
	T_EQ(in(2) >> 6, 3);
	/* 16750 check: the 64-byte bit is ignored, IIR bits 7:5 are 110. */
	out(3, 0x80);
	out(2, 0x21);
	T_EQ(in(2) >> 5, 6);
	out(3, 0);
	out(2, 0x21);
	T_EQ(in(2) >> 5, 6);
	/* NS16550 EXCR1 check (LCR 0xe0, offset 2): never follows MCR LOOP. */
	out(3, 0xe0);
	T_EQ(in(2) & 0x10, 0);
	out(3, 0);
	/* XScale UUE bit (IER bit 6) must not stick. */
	out(1, 0x40);
	T_EQ(in(1) & 0x40, 0);
	/* 8250 scratch check. */
	out(7, 0xa5);
	T_EQ(in(7), 0xa5);
	out(7, 0x5a);
	T_EQ(in(7), 0x5a);
	out(3, save_lcr);
	/* Nothing was transmitted by the probe, no interrupt raised. */
	T_EQ(txn, 0);
	T_EQ(vireo_irq_raised(&router, VIREO_IRQ_COM1), 0);
	teardown();
}

/* serial8250_do_startup(): the TXEN and THRE re-assertion tests. */
static void uart_linux_startup(void)
{
	uint8_t lsr, iir, iir1;

	setup();
	out(2, 0x07);	/* FIFOs on and cleared */
	out(3, 0x03);	/* 8N1 */
	out(4, 0x0b);	/* DTR, RTS, OUT2: the IRQ line is connected */
	/* UART_BUG_TXEN: enabling THRI with TEMT set must interrupt. */
	out(1, 0x02);
	lsr = in(5);
	iir = in(2);
	out(1, 0);
	T_TRUE(lsr & 0x40);
	T_EQ(iir & 0x01, 0);
	T_EQ(iir & 0x0f, 0x02);
	/* UART_BUG_THRE: THRE re-asserts on every 0 -> THRI transition. */
	out(1, 0x02);
	iir1 = in(2);
	out(1, 0);
	out(1, 0x02);
	iir = in(2);
	out(1, 0);
	T_EQ(iir1 & 0x01, 0);
	T_EQ(iir & 0x01, 0);
	teardown();
}

static void uart_transmit(void)
{
	setup();
	T_EQ(in(5), 0x60);
	out(0, 'h');
	out(0, 'i');
	T_EQ(txn, 2);
	T_EQ(txbuf[0], 'h');
	T_EQ(txbuf[1], 'i');
	/* The divisor latch: 115200 / 3 = 38400 baud, nothing sent. */
	out(3, 0x83);
	out(0, 0x03);
	out(1, 0x00);
	T_EQ(in(0), 0x03);
	T_EQ(in(1), 0x00);
	T_EQ(uart.divisor, 3);
	out(3, 0x03);
	T_EQ(txn, 2);
	T_EQ(in(3), 0x03);
	T_EQ(in(5), 0x60);
	T_EQ(uart.tx_bytes, 2);
	teardown();
}

static void uart_thre_interrupt(void)
{
	setup();
	out(1, 0x02);
	/* Pending, but the line needs OUT2. */
	T_EQ(irq(), false);
	out(4, 0x08);
	T_EQ(irq(), true);
	T_EQ(in(2), 0x02);	/* FIFOs off: bits 7:6 clear */
	/* Reading IIR acknowledged THRE. */
	T_EQ(irq(), false);
	T_EQ(in(2), 0x01);
	/* A write empties at once and raises THRE again. */
	out(0, 'x');
	T_EQ(irq(), true);
	T_EQ(vireo_irq_raised(&router, VIREO_IRQ_COM1), 2);
	/* Disabling THRI drops it. */
	out(1, 0x00);
	T_EQ(irq(), false);
	T_EQ(in(2), 0x01);
	/* OUT2 off disconnects a pending interrupt. */
	out(1, 0x02);
	T_EQ(irq(), true);
	out(4, 0x00);
	T_EQ(irq(), false);
	T_EQ(in(2), 0x02);
	teardown();
}

static void uart_receive_fifo(void)
{
	char buf[32];
	unsigned int i;

	setup();
	out(4, 0x08);
	out(1, 0x01);	/* RDI */
	/* Without FIFOs the receiver holds one byte. */
	T_EQ(vireo_uart_rx_room(&uart), 1);
	T_EQ(give("ab"), 1);
	T_EQ(in(5) & 0x01, 1);
	T_EQ(in(2), 0x04);
	T_EQ(irq(), true);
	T_EQ(rooms, 0);
	T_EQ(in(0), 'a');
	/* The read made room for what was refused. */
	T_EQ(rooms, 1);
	T_EQ(in(5) & 0x01, 0);
	T_EQ(irq(), false);
	T_EQ(in(0), 0);	/* empty */
	/* FIFOs with trigger level 8: below it, a timeout indication. */
	out(2, 0x81);
	T_EQ(vireo_uart_rx_room(&uart), 16);
	T_EQ(give("0123"), 4);
	T_EQ(in(2), 0xcc);
	T_EQ(irq(), true);
	T_EQ(give("4567"), 4);
	T_EQ(in(2), 0xc4);
	/* 16 at most; the rest is refused. */
	for (i = 0; i < 20; i++)
		buf[i] = (char)('A' + i);
	buf[20] = 0;
	T_EQ(give(buf), 8);
	T_EQ(vireo_uart_rx_room(&uart), 0);
	T_EQ(give("z"), 0);
	for (i = 0; i < 8; i++)
		T_EQ(in(0), '0' + i);
	T_EQ(rooms, 2);
	for (i = 0; i < 8; i++)
		T_EQ(in(0), 'A' + i);
	T_EQ(in(5) & 0x01, 0);
	T_EQ(irq(), false);
	/* Trigger levels 1, 4, 14. */
	out(2, 0x01);
	give("q");
	T_EQ(in(2), 0xc4);
	out(2, 0x41);
	T_EQ(in(2), 0xcc);
	give("rst");
	T_EQ(in(2), 0xc4);
	out(2, 0xc1);
	T_EQ(in(2), 0xcc);
	/* FCR clear RX empties the FIFO. */
	out(2, 0xc3);
	T_EQ(in(5) & 0x01, 0);
	T_EQ(in(2), 0xc1);
	/* Turning the FIFOs off empties them too. */
	give("uv");
	out(2, 0x00);
	T_EQ(in(5) & 0x01, 0);
	T_EQ(uart.rx_bytes, 1 + 8 + 8 + 1 + 3 + 2);
	teardown();
}

static void uart_loopback(void)
{
	setup();
	out(2, 0x01);
	out(4, 0x10);
	/* The transmitter feeds the receiver; nothing leaves. */
	out(0, 'L');
	T_EQ(txn, 0);
	T_EQ(in(5) & 0x01, 1);
	T_EQ(in(0), 'L');
	/* Outside input is not heard. */
	T_EQ(give("x"), 0);
	T_EQ(vireo_uart_rx_room(&uart), 0);
	/* 17 characters into 16 places: overrun, a line status interrupt. */
	{
		unsigned int i;

		out(1, 0x05);	/* RLSI, RDI */
		for (i = 0; i < 17; i++)
			out(0, (uint8_t)i);
	}
	T_EQ(in(2), 0xc6);
	T_EQ(in(5), 0x63);	/* THRE, TEMT, OE, DR */
	T_EQ(in(5), 0x61);	/* OE cleared by the read */
	T_EQ(in(2), 0xc4);
	T_EQ(in(0), 0);
	/* No line in loopback without OUT2 (MCR is 0x10 here). */
	T_EQ(irq(), false);
	/* Leaving loopback: the outside is heard again, and a room call is owed. */
	out(4, 0x00);
	T_EQ(rooms, 1);
	teardown();
}

static void uart_modem_status(void)
{
	setup();
	/* A connected modem, no deltas. */
	T_EQ(in(6), 0xb0);
	T_EQ(in(6), 0xb0);
	/* Loopback: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD, with deltas. */
	out(4, 0x10);
	T_EQ(in(6), 0x0b);	/* CTS, DSR, DCD fell */
	out(4, 0x1f);
	T_EQ(in(6), 0xfb);
	out(4, 0x1b);		/* RI falls: trailing edge */
	T_EQ(in(6), 0xb4);
	T_EQ(in(6), 0xb0);
	/* A modem status interrupt with EDSSI, lowest priority. */
	out(1, 0x0a);		/* MSI and THRI */
	out(4, 0x19);		/* RTS off: DCTS */
	T_EQ(in(2), 0x02);	/* THRE first */
	T_EQ(in(2), 0x00);	/* then modem status */
	T_EQ(irq(), true);	/* OUT2 is on */
	T_EQ(in(6) & 0x0f, 0x01);
	T_EQ(in(2), 0x01);
	T_EQ(irq(), false);
	teardown();
}

static void uart_priorities(void)
{
	unsigned int i;

	setup();
	out(2, 0x01);
	out(4, 0x18);
	out(1, 0x0f);
	/* All four pending: line status, data, THRE, modem status. */
	for (i = 0; i < 17; i++)
		out(0, 'p');
	out(4, 0x1a);
	T_EQ(in(2), 0xc6);
	in(5);
	T_EQ(in(2), 0xc4);
	for (i = 0; i < 16; i++)
		in(0);
	/* THRE was raised by the writes; reading IIR consumes it. */
	T_EQ(in(2), 0xc2);
	T_EQ(in(2), 0xc0);
	in(6);
	T_EQ(in(2), 0xc1);
	teardown();
}

static void uart_bad_access(void)
{
	uint32_t v = 0;

	setup();
	/* A 16-bit read of THR/IER (offset 0 and 1). */
	out(1, 0x05);
	T_EQ(vireo_uart_pio(&uart, 0, 2, false, &v), 0);
	T_EQ(v, 0x0500);
	T_EQ(vireo_uart_pio(&uart, 7, 2, false, &v), 0);
	T_EQ(v >> 8, 0xff);
	T_EQ(vireo_uart_pio(&uart, 8, 1, false, &v), -22);
	v = 'w';
	T_EQ(vireo_uart_pio(&uart, 0, 5, true, &v), -22);
	T_EQ(txn, 0);	/* a bad size has no side effect */
	/* Writes to LSR and MSR change nothing. */
	out(5, 0xff);
	out(6, 0xff);
	T_EQ(in(5), 0x60);
	T_EQ(in(6), 0xb0);
	T_EQ(vireo_uart_desc.pio[0].base, 0x3f8);
	T_EQ(vireo_uart_desc.line, 4);
	teardown();
}

static void uart_random(void)
{
	uint64_t state = 0x16550a16550aULL;
	unsigned int i;

	setup();
	for (i = 0; i < 200000; i++) {
		uint64_t r = fake_rand(&state);

		if ((r & 15) == 0) {
			uint8_t bytes[40];
			size_t n = (r >> 8) % sizeof(bytes), j;

			for (j = 0; j < n; j++)
				bytes[j] = (uint8_t)(r >> (j % 56));
			T_TRUE(vireo_uart_receive(&uart, bytes, n) <= n);
		} else {
			fake_random_pio(vireo_uart_pio, &uart, VIREO_UART_PORTS, &state);
		}
		T_TRUE(uart.rx_count <= VIREO_UART_FIFO);
	}
	teardown();
}

static const struct vireo_test tests[] = {
	VIREO_TEST(uart_linux_autoconfig),
	VIREO_TEST(uart_linux_startup),
	VIREO_TEST(uart_transmit),
	VIREO_TEST(uart_thre_interrupt),
	VIREO_TEST(uart_receive_fifo),
	VIREO_TEST(uart_loopback),
	VIREO_TEST(uart_modem_status),
	VIREO_TEST(uart_priorities),
	VIREO_TEST(uart_bad_access),
	VIREO_TEST(uart_random),
	{ NULL, NULL },
};

VIREO_TEST_SUITE(hw_uart, tests);
