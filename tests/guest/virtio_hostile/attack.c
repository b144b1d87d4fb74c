// SPDX-License-Identifier: GPL-2.0
/*
 * The generic attacks (cases.h, enum attack): what the virtio-blk cases
 * do to their queue, done to any queue of any device.  The good request
 * is two descriptors in the queue's direction, 12 and 64 bytes (a
 * virtio-net header and a frame on net's transmit queue, a line on the
 * console's, device-writable space on the receive and rng queues); each
 * attack changes one thing about it, or about the ring.
 *
 * The split virtqueue parser is shared (userland/virtio/virtqueue.c), so
 * the reaction is the same everywhere: DEVICE_NEEDS_RESET with a
 * configuration interrupt and no used entry, and one message naming the
 * device and the queue (the script checks that).  What differs per device
 * is whether it reaches the parser: a device that never takes buffers
 * from a queue without input (virtio-console's receive queue with no
 * input behind it) must leave them alone: nothing used, nothing written,
 * no reset.
 */
#include "cases.h"

#define REQ_HDR		12	/* the first descriptor's length */
#define REQ_BODY	64	/* the second's */
#define REQ_FILL	0x5a	/* what the request holds unless the target fills it */

static uint32_t req_buf(const struct vtarget *t)
{
	return t->writable ? VH_INBUF : VH_OUTBUF;
}

/* The good request at head 0: 0 -> 1, both in dir. */
static void base_request(const struct vtarget *t, volatile struct vring_desc *desc, uint16_t dir)
{
	uint32_t buf = req_buf(t);

	memset(phys(buf), REQ_FILL, REQ_HDR + REQ_BODY);
	if (t->fill)
		t->fill(phys(buf));
	set_desc(desc, 0, buf, REQ_HDR, dir | DESC_F_NEXT, 1);
	set_desc(desc, 1, buf + REQ_HDR, REQ_BODY, dir, 0);
}

/* The buffers of a queue the device must not touch are as they were put there. */
static const char *untouched(const struct vtarget *t)
{
	static uint8_t want[REQ_HDR + REQ_BODY];
	const uint8_t *got = phys(req_buf(t));
	unsigned int i;

	memset(want, REQ_FILL, sizeof(want));
	if (t->fill)
		t->fill(want);
	for (i = 0; i < sizeof(want); i++)
		if (got[i] != want[i])
			return errf("the device wrote byte %u of a buffer it did not use (0x%x)", i,
				    got[i]);
	return NULL;
}

/* Bad ring addresses for queue t->q when it is enabled, the queues before it good. */
static const char *ring_attack(const struct vtarget *t, enum attack a)
{
	struct vdev *d = t->on->dev;
	uint32_t ring = vd_ring(d, t->q);
	uint64_t desc = ring, avail = ring + 0x1000, used = ring + 0x2000;
	const char *err;
	unsigned int q;

	err = vd_reset(d);
	if (!err)
		err = vd_negotiate(d, t->on->features, true);
	if (err)
		return err;
	for (q = 0; q < t->q; q++) {
		uint32_t r = vd_ring(d, q);

		vd_queue_setup(d, q, VH_QSIZE, r, r + 0x1000, r + 0x2000);
		vd_queue_enable(d, q);
	}
	if (a == A_RING_DESC_OUTSIDE_RAM)
		desc = d->ram_end;
	else
		used = PCI_HOLE_ADDR;
	vd_queue_setup(d, t->q, VH_QSIZE, desc, avail, used);
	vd_queue_enable(d, t->q);
	err = vh_expect_reset(d, t->q, false);
	if (!err && vd_read16(d, CC_Q_ENABLE))
		err = "queue_enable reads 1 after the device refused the queue";
	return err;
}

const char *vh_attack(const struct vtarget *t, enum attack a)
{
	struct vdev *d = t->on->dev;
	struct vqueue *vq = &d->vq[t->q];
	volatile struct vring_desc *desc = vq->desc;
	volatile struct vring_desc *it = ITABLE(0);
	uint16_t dir = t->writable ? DESC_F_WRITE : 0, head = 0;
	uint32_t buf = req_buf(t);
	const char *err;
	unsigned int i;

	if (a >= A_RING_DESC_OUTSIDE_RAM)
		return ring_attack(t, a);
	base_request(t, desc, dir);
	switch (a) {
	case A_NONE:
		break;
	case A_ADDR_BEYOND_RAM:
		desc[1].addr = d->ram_end;
		break;
	case A_ADDR_ABOVE_4G:
		desc[1].addr = ABOVE_4G;
		break;
	case A_ADDR_PCI_HOLE:
		desc[1].addr = PCI_HOLE_ADDR;
		break;
	case A_ADDR_WRAP_INTO_RAM:
		desc[1].addr = 0xfffffffffffff000ULL;
		desc[1].len = 0x2000;
		break;
	case A_LEN_4G:
		desc[1].len = 0xffffffffU;
		break;
	case A_CHAIN_BYTES_OVERFLOW:
		/* Each buffer RAM, together more than 256 MiB. */
		for (i = 0; i < VH_QSIZE; i++)
			set_desc(desc, i, VH_BIG, VH_BIG_LEN, dir | DESC_F_NEXT, (uint16_t)(i + 1));
		desc[VH_QSIZE - 1].flags = dir;
		break;
	case A_NEXT_OUT_OF_RANGE:
		desc[0].next = VH_QSIZE;
		break;
	case A_AVAIL_ENTRY_OUT_OF_RANGE:
		head = VH_QSIZE;
		break;
	case A_LOOP_SELF:
		desc[0].next = 0;
		break;
	case A_LOOP_PAIR:
		desc[1].flags = dir | DESC_F_NEXT;
		desc[1].next = 0;
		break;
	case A_CHAIN_LONGER_THAN_QUEUE:
		for (i = 0; i < 10; i++)
			set_desc(desc, i, buf, REQ_HDR, dir | DESC_F_NEXT, (uint16_t)(i + 1));
		set_desc(desc, 10, VH_INDIRECT, VH_QSIZE * 16, DESC_F_INDIRECT, 0);
		for (i = 0; i < VH_QSIZE; i++)
			set_desc(it, i, buf, REQ_HDR, dir | DESC_F_NEXT, (uint16_t)(i + 1));
		it[VH_QSIZE - 1].flags = dir;
		break;
	case A_INDIRECT_LOOP:
		set_desc(it, 0, buf, REQ_HDR, dir | DESC_F_NEXT, 1);
		set_desc(it, 1, buf + REQ_HDR, REQ_BODY, dir | DESC_F_NEXT, 0);
		set_desc(desc, 0, VH_INDIRECT, 2 * 16, DESC_F_INDIRECT, 0);
		break;
	case A_INDIRECT_OUTSIDE_RAM:
		set_desc(desc, 0, d->ram_end, 2 * 16, DESC_F_INDIRECT, 0);
		break;
	case A_INDIRECT_NESTED:
		set_desc(it, 0, buf, REQ_HDR, dir | DESC_F_NEXT, 1);
		set_desc(it, 1, VH_INDIRECT + 0x1000, 16, DESC_F_INDIRECT, 0);
		set_desc(ITABLE(1), 0, buf + REQ_HDR, REQ_BODY, dir, 0);
		set_desc(desc, 0, VH_INDIRECT, 2 * 16, DESC_F_INDIRECT, 0);
		break;
	case A_READABLE_AFTER_WRITABLE:
		desc[0].flags = DESC_F_WRITE | DESC_F_NEXT;
		desc[1].flags = 0;
		break;
	case A_WRONG_WAY:
		desc[0].flags = (dir ^ DESC_F_WRITE) | DESC_F_NEXT;
		desc[1].flags = dir ^ DESC_F_WRITE;
		break;
	case A_READABLE_THEN_WRITABLE:
		desc[0].flags = DESC_F_NEXT;
		desc[1].flags = DESC_F_WRITE;
		break;
	case A_AVAIL_IDX_JUMP:
		vq->avail->ring[0] = 0;
		vd_bump_avail(d, t->q, VH_QSIZE + 1);
		goto posted;
	default:
		return errf("attack %u is not a chain attack", a);
	}
	vd_submit(d, t->q, head);
posted:
	if (t->parsed)
		return vh_expect_reset(d, t->q, true);
	err = vh_expect_quiet(d, t->q);
	return err ? err : untouched(t);
}
