// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-console cases (userland/virtio/console.c): receiveq0 (queue 0)
 * and transmitq0 (queue 1) of the console every Vireo PC has.  vireo-run
 * writes its output to stdout, with the serial port's, and gives it no
 * input (pc_machine.c), so:
 *   - a transmit chain must be device-readable only, else "writable
 *     buffer in output" and NEEDS_RESET; the bytes of a good one come out
 *     on the monitor's stdout in order, and the chain comes back with
 *     len 0;
 *   - the receive queue is never taken from: whatever is posted there,
 *     good or malformed, stays unused and unwritten, the device running
 *     (only bad ring addresses, checked when the queue is enabled, break
 *     it).
 * Every line written starts "vcon <case> ": the follow-up writes
 * "vcon <case> ok", and the script checks which lines came out during
 * each case (run-virtio-hostile.sh).  A line is written whole before the
 * guest prints anything more on COM1: the device writes it before it
 * returns the chain.
 */
#include "cases.h"

static struct vdev con_dev = {
	.name = "virtio-console",
	.type = VIRTIO_ID_CONSOLE,
	.nr_queues = 2,
	.rings = VH_RINGS_CON,
};

static struct vdev *const d = &con_dev;

/* Put s at addr (no terminating NUL): its length. */
static uint32_t put_str(uint32_t addr, const char *s)
{
	uint32_t n = (uint32_t)strlen(s);

	memcpy(phys(addr), s, n);
	return n;
}

/* Post the chain at head 0 of the transmit queue; it must come back with len 0. */
static const char *expect_written(void)
{
	const char *err;
	uint32_t len;

	vd_submit(d, CON_TXQ, 0);
	err = vh_expect_used(d, CON_TXQ, 0, &len);
	if (!err && len)
		err = errf("used len %u, want 0", len);
	return err;
}

static const char *write_line(const char *name, const char *what)
{
	struct vqueue *tq = &d->vq[CON_TXQ];
	char line[128];

	vh_snprintf(line, sizeof(line), "vcon %s %s\n", name, what);
	set_desc(tq->desc, 0, VH_OUTBUF, put_str(VH_OUTBUF, line), 0, 0);
	return expect_written();
}

/* The generic attacks' output: a line the script would catch if it came out. */
static void fill_tx(uint8_t *buf)
{
	static const char line[] = "vcon LEAKED by a request the device should have refused\n";

	memset(buf, '.', 12 + 64);
	memcpy(buf, line, 12);
	memcpy(buf + 12 + 64 - (sizeof(line) - 13), line + 12, sizeof(line) - 13);
}

/* ---- cases --------------------------------------------------------------- */

static const char *c_con_write(void)
{
	return write_line("con-write", "hello");
}

/*
 * "vcon con-write-scatter abcdef" from: the start, an empty descriptor
 * above 4 GiB (zero length: no buffer), and an indirect table of two.
 */
static const char *c_con_write_scatter(void)
{
	struct vqueue *tq = &d->vq[CON_TXQ];
	volatile struct vring_desc *t = ITABLE(0);

	set_desc(tq->desc, 0, VH_OUTBUF, put_str(VH_OUTBUF, "vcon con-write-scatter a"),
		 DESC_F_NEXT, 1);
	set_desc(tq->desc, 1, ABOVE_4G, 0, DESC_F_NEXT, 2);
	set_desc(tq->desc, 2, VH_INDIRECT, 2 * 16, DESC_F_INDIRECT, 0);
	set_desc(t, 0, VH_OUTBUF + 0x1000, put_str(VH_OUTBUF + 0x1000, "bc"), DESC_F_NEXT, 1);
	set_desc(t, 1, VH_OUTBUF + 0x2000, put_str(VH_OUTBUF + 0x2000, "def\n"), 0, 0);
	return expect_written();
}

/* ---- the table ----------------------------------------------------------- */

static const struct vtarget con_rx = { &vh_con, CON_RXQ, true, false, NULL };
static const struct vtarget con_tx = { &vh_con, CON_TXQ, false, true, fill_tx };

static const struct vcase con_cases[] = {
	{ "con-write", c_con_write, AFTER_SAME_QUEUE },
	{ "con-write-scatter", c_con_write_scatter, AFTER_SAME_QUEUE },

	ATTACK("con-tx-write-only-buffer", con_tx, A_WRONG_WAY, AFTER_RESET),
	ATTACK("con-tx-readable-then-writable", con_tx, A_READABLE_THEN_WRITABLE, AFTER_RESET),
	CHAIN_ATTACKS("con-tx", con_tx),
	RING_ATTACKS("con-tx", con_tx),

	/* No input: the receive queue is left alone, whatever is in it. */
	ATTACK("con-rx-no-input", con_rx, A_NONE, AFTER_SAME_QUEUE),
	ATTACK("con-rx-read-only-buffer", con_rx, A_WRONG_WAY, AFTER_SAME_QUEUE),
	ATTACK("con-rx-addr-beyond-ram", con_rx, A_ADDR_BEYOND_RAM, AFTER_SAME_QUEUE),
	ATTACK("con-rx-loop-self", con_rx, A_LOOP_SELF, AFTER_SAME_QUEUE),
	ATTACK("con-rx-avail-idx-jump", con_rx, A_AVAIL_IDX_JUMP, AFTER_SAME_QUEUE),
	RING_ATTACKS("con-rx", con_rx),
};

/* The follow-up: "vcon <case> ok" comes out (the script looks for it). */
static const char *con_check(const struct vcase *c, unsigned int n)
{
	const char *err = write_line(c->name, "ok");

	(void)n;
	return err ? errf("follow-up write: %s", err) : NULL;
}

const struct vhdev vh_con = {
	.dev = &con_dev,
	.features = DEFAULT_FEATURES,
	.restart = true,
	.check = con_check,
	.cases = con_cases,
	.nr_cases = ARRAY_SIZE(con_cases),
};
