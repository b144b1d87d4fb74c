// SPDX-License-Identifier: GPL-2.0
/* virtio-console over a pair of pipes. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "test.h"
#include "test_virtio_dev.h"
#include "virtio/console.h"

#define RXQ VIREO_VIRTIO_CONSOLE_RXQ
#define TXQ VIREO_VIRTIO_CONSOLE_TXQ

static struct tvdev tv;
static int in_pipe[2], out_pipe[2];	/* [0] read end, [1] write end */

static int setup_console(void)
{
	struct vireo_virtio_dev *vd;

	if (tv_ram(&tv) || pipe(in_pipe) || pipe(out_pipe))
		return -1;
	fcntl(out_pipe[0], F_SETFL, O_NONBLOCK);
	if (vireo_virtio_console_create(&vd, &tv.tr.ram, in_pipe[0], out_pipe[1]) ||
	    tv_attach(&tv, vd))
		return -1;
	return tv_bringup(&tv, 0, 16);
}

static void teardown_console(void)
{
	tv_detach(&tv);
	for (unsigned int i = 0; i < 2; i++) {
		close(in_pipe[i]);
		close(out_pipe[i]);
	}
}

static uint64_t post(unsigned int q, uint32_t len, uint16_t flags)
{
	struct tbuf b = { tdrv_alloc(&tv.q[q], len), len, flags };

	tdrv_add(&tv.q[q], &b, 1);
	return b.gpa;
}

static void console_output(void)
{
	struct tbuf b[3];
	char got[64];
	uint32_t id, len;

	T_EQ(setup_console(), 0);
	T_EQ(tp_cf8_read(&tv.tb, TV_DEVFN, 2, 2), 0x1043);
	b[0] = (struct tbuf){ tdrv_alloc(&tv.q[TXQ], 6), 6, 0 };
	b[1] = (struct tbuf){ tdrv_alloc(&tv.q[TXQ], 0), 0, 0 };
	b[2] = (struct tbuf){ tdrv_alloc(&tv.q[TXQ], 7), 7, 0 };
	memcpy(tram_ptr(&tv.tr, b[0].gpa), "hello ", 6);
	memcpy(tram_ptr(&tv.tr, b[2].gpa), "world\n", 7);
	tdrv_add(&tv.q[TXQ], b, 3);
	tv_kick(&tv, TXQ);
	T_EQ(read(out_pipe[0], got, sizeof(got)), 13);
	T_TRUE(!memcmp(got, "hello world\n", 13));
	T_TRUE(tdrv_used_next(&tv.q[TXQ], &id, &len));
	T_EQ(len, 0);
	/* Writable buffers in the output queue break the device. */
	post(TXQ, 8, VRING_DESC_F_WRITE);
	tv_kick(&tv, TXQ);
	T_TRUE(tv_status(&tv) & VIRTIO_STATUS_NEEDS_RESET);
	teardown_console();
}

static void console_input(void)
{
	uint64_t a, b;
	uint32_t id, len;

	T_EQ(setup_console(), 0);
	T_EQ(vireo_virtio_backend_fd(tv.vd), in_pipe[0]);
	/* Input with no buffers: stall. */
	T_EQ(write(in_pipe[1], "ls -l\n", 6), 6);
	vireo_virtio_backend_event(tv.vd);
	T_TRUE(!vireo_virtio_backend_wanted(tv.vd));
	/* Buffers arrive: delivered right away. */
	a = post(RXQ, 4, VRING_DESC_F_WRITE);
	b = post(RXQ, 64, VRING_DESC_F_WRITE);
	tv_kick(&tv, RXQ);
	T_TRUE(tdrv_used_next(&tv.q[RXQ], &id, &len));
	T_EQ(len, 4);
	T_TRUE(!memcmp(tram_ptr(&tv.tr, a), "ls -", 4));
	T_TRUE(tdrv_used_next(&tv.q[RXQ], &id, &len));
	T_EQ(len, 2);
	T_TRUE(!memcmp(tram_ptr(&tv.tr, b), "l\n", 2));
	/* A blocking, empty input fd is not read (no hang). */
	post(RXQ, 64, VRING_DESC_F_WRITE);
	vireo_virtio_backend_event(tv.vd);
	T_TRUE(!tdrv_used_next(&tv.q[RXQ], &id, &len));
	T_TRUE(vireo_virtio_backend_wanted(tv.vd));
	/* End of input: never polled again, the buffer stays with the guest. */
	close(in_pipe[1]);
	in_pipe[1] = -1;
	vireo_virtio_backend_event(tv.vd);
	T_TRUE(!vireo_virtio_backend_wanted(tv.vd));
	T_EQ(vireo_virtio_backend_fd(tv.vd), -1);
	T_TRUE(!tdrv_used_next(&tv.q[RXQ], &id, &len));
	teardown_console();
}

static void console_readable_input_buffer(void)
{
	T_EQ(setup_console(), 0);
	post(RXQ, 16, 0);
	T_EQ(write(in_pipe[1], "x", 1), 1);
	tv_kick(&tv, RXQ);
	T_TRUE(tv_status(&tv) & VIRTIO_STATUS_NEEDS_RESET);
	T_STR_CONTAINS(tv.last_log, "readable buffer in input");
	teardown_console();
}

static const struct vireo_test vireo_tests_virtio_console[] = {
	VIREO_TEST(console_output),
	VIREO_TEST(console_input),
	VIREO_TEST(console_readable_input_buffer),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(virtio_console, vireo_tests_virtio_console);
