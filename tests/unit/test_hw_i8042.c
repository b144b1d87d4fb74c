// SPDX-License-Identifier: GPL-2.0
/*
 * 8042 keyboard controller: Linux's i8042 probe as port traffic
 * (flush, self-test, command byte, aux enable/disable, aux loopback with
 * IRQ 12, the multiplexer probe), absent devices, the reset line, A20,
 * interrupt edges per byte, and random port traffic.
 */
#include "hw/i8042.h"
#include "test.h"
#include "test_hw_fakes.h"

static struct vireo_irq_router router;
static struct vireo_i8042 kbc;
static unsigned int resets;

static void on_reset(void *opaque)
{
	(void)opaque;
	resets++;
}

static void setup(void)
{
	resets = 0;
	vireo_irq_router_init(&router, NULL, NULL);
	vireo_i8042_init(&kbc, &router, VIREO_IRQ_KEYBOARD, VIREO_IRQ_MOUSE, on_reset, NULL);
}

static void teardown(void)
{
	vireo_i8042_fini(&kbc);
	vireo_irq_router_fini(&router);
}

static uint8_t status(void)
{
	return fake_in(vireo_i8042_pio_cmd, &kbc, 0);
}

static void cmd(uint8_t v)
{
	fake_out(vireo_i8042_pio_cmd, &kbc, 0, v);
}

static void data_out(uint8_t v)
{
	fake_out(vireo_i8042_pio_data, &kbc, 0, v);
}

static uint8_t data_in(void)
{
	return fake_in(vireo_i8042_pio_data, &kbc, 0);
}

/* Like Linux's i8042_command(): the command, its parameter, one reply. */
static int command(uint8_t c, int param, uint8_t *reply)
{
	cmd(c);
	if (param >= 0)
		data_out((uint8_t)param);
	if (!reply)
		return 0;
	if (!(status() & 0x01))
		return -1;	/* Linux would time out */
	*reply = data_in();
	return 0;
}

static void i8042_linux_probe(void)
{
	uint8_t ctr, r, s;
	int i;

	setup();
	/* i8042_flush(): nothing buffered, and a status that is not 0xff. */
	s = status();
	T_TRUE(s != 0xff);
	T_EQ(s & 0x01, 0);
	/* Self-test (I8042_CMD_CTL_TEST). */
	T_EQ(command(0xaa, -1, &r), 0);
	T_EQ(r, 0x55);
	/* Read the command byte twice, as i8042_controller_init() does. */
	T_EQ(command(0x20, -1, &ctr), 0);
	T_EQ(ctr, 0x65);
	T_EQ(command(0x20, -1, &r), 0);
	T_EQ(r, ctr);
	/* Disable the keyboard interface and interrupt, then write it back. */
	ctr = (ctr | 0x10) & ~0x01;
	T_EQ(command(0x60, ctr, NULL), 0);
	T_EQ(command(0x20, -1, &r), 0);
	T_EQ(r, ctr);
	/* Multiplexer probe: a plain echo means no active multiplexing. */
	T_EQ(command(0xd3, 0xf0, &r), 0);
	T_EQ(r, 0xf0);
	T_EQ(command(0xd3, 0x56, &r), 0);
	T_EQ(r, 0x56);
	T_EQ(command(0xd3, 0xa4, &r), 0);
	T_EQ(r, 0xa4);
	/* i8042_check_aux(): the loop, then AUX disable/enable seen in CTR. */
	T_EQ(command(0xd3, 0x5a, NULL), 0);
	T_EQ(status() & 0x21, 0x21);	/* OBF with AUXDATA */
	T_EQ(data_in(), 0x5a);
	T_EQ(command(0xa7, -1, NULL), 0);
	T_EQ(command(0x20, -1, &r), 0);
	T_EQ(r & 0x20, 0x20);
	T_EQ(command(0xa8, -1, NULL), 0);
	T_EQ(command(0x20, -1, &r), 0);
	T_EQ(r & 0x20, 0);
	/* The IRQ 12 test: AUXINT on, a looped byte raises the aux line. */
	ctr = r | 0x02;
	T_EQ(command(0x60, ctr, NULL), 0);
	T_EQ(vireo_irq_raised(&router, VIREO_IRQ_MOUSE), 0);
	cmd(0xd3);
	data_out(0xa5);
	T_EQ(vireo_irq_level(&router, VIREO_IRQ_MOUSE), true);
	T_EQ(vireo_irq_level(&router, VIREO_IRQ_KEYBOARD), false);
	s = status();
	T_EQ(s & 0x21, 0x21);
	T_EQ(data_in(), 0xa5);
	T_EQ(vireo_irq_level(&router, VIREO_IRQ_MOUSE), false);
	/* Keyboard port test, then the buffer is empty again. */
	T_EQ(command(0xab, -1, &r), 0);
	T_EQ(r, 0x00);
	T_EQ(command(0xa9, -1, &r), 0);
	T_EQ(r, 0x00);
	for (i = 0; i < 16 && (status() & 0x01); i++)
		data_in();
	T_EQ(status() & 0x01, 0);
	T_EQ(resets, 0);
	teardown();
}

static void i8042_no_devices(void)
{
	uint8_t s;

	setup();
	/* ATKBD_CMD_GETID to the keyboard: a timeout reply at once, IRQ 1. */
	data_out(0xf2);
	s = status();
	T_EQ(s & 0x61, 0x41);	/* OBF, TIMEOUT, not AUXDATA */
	T_EQ(vireo_irq_level(&router, VIREO_IRQ_KEYBOARD), true);
	T_EQ(data_in(), 0xfe);
	T_EQ(status() & 0x41, 0);	/* the timeout bit went with the byte */
	T_EQ(vireo_irq_level(&router, VIREO_IRQ_KEYBOARD), false);
	/* A byte for the mouse (0xd4): the same, marked aux. */
	cmd(0xa8);
	cmd(0xd4);
	data_out(0xf2);
	T_EQ(status() & 0x61, 0x61);
	T_EQ(data_in(), 0xfe);
	/* The aux line stayed down: AUXINT is off in the power-on command byte. */
	T_EQ(vireo_irq_raised(&router, VIREO_IRQ_MOUSE), 0);
	teardown();
}

static void i8042_reset_line(void)
{
	uint8_t r;

	setup();
	/* Linux's reboot=kbd: 0xfe to port 0x64, after IBF is clear. */
	T_EQ(status() & 0x02, 0);
	cmd(0xfe);
	T_EQ(resets, 1);
	T_EQ(kbc.resets, 1);
	/* The other pulse commands: 0xf0 pulses everything, 0xff nothing. */
	cmd(0xff);
	T_EQ(resets, 1);
	cmd(0xf0);
	T_EQ(resets, 2);
	/* Output port bit 0 written low. */
	cmd(0xd1);
	data_out(0x03);
	T_EQ(resets, 2);
	cmd(0xd1);
	data_out(0x00);
	T_EQ(resets, 3);
	/* Without a callback it is only counted. */
	kbc.reset = NULL;
	cmd(0xfe);
	T_EQ(kbc.resets, 4);
	T_EQ(resets, 3);
	/* The output port reads back, reset line inactive after the pulse. */
	T_EQ(command(0xd0, -1, &r), 0);
	T_EQ(r & 0x01, 0x01);
	teardown();
}

static void i8042_a20(void)
{
	uint8_t r;

	setup();
	T_EQ(command(0xd0, -1, &r), 0);
	T_EQ(r & 0x03, 0x03);
	cmd(0xd1);
	data_out(0x01);	/* A20 off */
	T_EQ(command(0xd0, -1, &r), 0);
	T_EQ(r & 0x03, 0x01);
	cmd(0xdf);
	T_EQ(command(0xd0, -1, &r), 0);
	T_EQ(r & 0x02, 0x02);
	cmd(0xdd);
	T_EQ(command(0xd0, -1, &r), 0);
	T_EQ(r & 0x02, 0x00);
	T_EQ(resets, 0);
	teardown();
}

static void i8042_status_bits(void)
{
	uint8_t r;

	setup();
	/* SYS follows command byte bit 2; CMD/DATA the last port written. */
	T_EQ(status() & 0x14, 0x14);
	cmd(0x60);
	T_EQ(status() & 0x08, 0x08);
	data_out(0x01);
	T_EQ(status() & 0x1c, 0x10);
	/* Controller RAM beyond the command byte. */
	cmd(0x7f);
	data_out(0x99);
	T_EQ(command(0x3f, -1, &r), 0);
	T_EQ(r, 0x99);
	/* Input port and test inputs read something harmless. */
	T_EQ(command(0xc0, -1, &r), 0);
	T_EQ(command(0xe0, -1, &r), 0);
	/* An empty buffer reads the last byte again. */
	T_EQ(data_in(), r);
	teardown();
}

static void i8042_interrupt_edges(void)
{
	setup();
	/* Three replies queued: one edge on IRQ 1 per byte read. */
	cmd(0xaa);
	cmd(0xab);
	cmd(0x20);
	T_EQ(vireo_irq_raised(&router, VIREO_IRQ_KEYBOARD), 1);
	T_EQ(data_in(), 0x55);
	T_EQ(vireo_irq_raised(&router, VIREO_IRQ_KEYBOARD), 2);
	T_EQ(data_in(), 0x00);
	T_EQ(vireo_irq_raised(&router, VIREO_IRQ_KEYBOARD), 3);
	T_EQ(data_in(), 0x65);
	T_EQ(vireo_irq_level(&router, VIREO_IRQ_KEYBOARD), false);
	/* KBDINT off: replies raise nothing; turning it on with a byte waiting does. */
	cmd(0x60);
	data_out(0x64);
	cmd(0xaa);
	T_EQ(vireo_irq_level(&router, VIREO_IRQ_KEYBOARD), false);
	cmd(0x60);
	data_out(0x65);
	/* (0x60 consumed no byte: the self-test reply still waits.) */
	T_EQ(vireo_irq_level(&router, VIREO_IRQ_KEYBOARD), true);
	T_EQ(data_in(), 0x55);
	/* A full queue drops the newest bytes, nothing else. */
	{
		unsigned int i;

		for (i = 0; i < 20; i++)
			cmd(0xaa);
		for (i = 0; i < 16; i++)
			T_EQ(data_in(), 0x55);
		T_EQ(status() & 0x01, 0);
	}
	teardown();
}

static void i8042_bad_access(void)
{
	uint32_t v = 0;

	setup();
	T_EQ(vireo_i8042_pio_cmd(&kbc, 0, 2, false, &v), 0);
	T_EQ(v >> 8, 0xff);
	T_EQ(vireo_i8042_pio_cmd(&kbc, 1, 1, false, &v), -22);
	v = 0xfe;
	T_EQ(vireo_i8042_pio_cmd(&kbc, 0, 3, true, &v), -22);
	T_EQ(resets, 0);
	T_EQ(vireo_i8042_desc.nr_pio, 2);
	teardown();
}

static void i8042_random(void)
{
	uint64_t state = 0x8042804280428042ULL;
	unsigned int i;

	setup();
	for (i = 0; i < 200000; i++) {
		uint64_t r = fake_rand(&state);

		if (r & 1)
			fake_random_pio(vireo_i8042_pio_cmd, &kbc, 1, &state);
		else
			fake_random_pio(vireo_i8042_pio_data, &kbc, 1, &state);
		T_TRUE(kbc.count <= VIREO_I8042_QUEUE);
	}
	teardown();
}

static const struct vireo_test tests[] = {
	VIREO_TEST(i8042_linux_probe),
	VIREO_TEST(i8042_no_devices),
	VIREO_TEST(i8042_reset_line),
	VIREO_TEST(i8042_a20),
	VIREO_TEST(i8042_status_bits),
	VIREO_TEST(i8042_interrupt_edges),
	VIREO_TEST(i8042_bad_access),
	VIREO_TEST(i8042_random),
	{ NULL, NULL },
};

VIREO_TEST_SUITE(hw_i8042, tests);
