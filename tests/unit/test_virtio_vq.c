// SPDX-License-Identifier: GPL-2.0
/*
 * The split virtqueue parser against a fake guest: well-formed chains,
 * and every hostile case virtqueue.h promises to stop.
 */
#include <errno.h>
#include <stdlib.h>

#include "test.h"
#include "test_virtio_util.h"
#include "virtio/iov.h"

#define QBASE (TRAM_BASE + 0x10000)
#define FEAT_ALL (VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX))

static struct tram tr;
static struct tdrv drv;
static struct vireo_vq vq;
static struct vireo_vq_chain ch;

static int setup(uint16_t size, uint64_t features)
{
	if (tram_init(&tr))
		return -ENOMEM;
	tdrv_init(&drv, &tr, size, QBASE);
	return tdrv_start(&drv, &vq, features);
}

static void teardown(void)
{
	tram_fini(&tr);
}

/* Pop must fail with the queue broken, for the reason given. */
#define T_BROKEN(reason)                                                                    \
	do {                                                                                \
		T_EQ(vireo_vq_pop(&vq, &ch), -EIO);                                          \
		T_STR_CONTAINS(vq.error, reason);                                           \
		T_EQ(vireo_vq_pop(&vq, &ch), -EIO);                                          \
		T_EQ(vireo_vq_push(&vq, 0, 0), -EIO);                                        \
	} while (0)

static void vq_simple_chain(void)
{
	struct tbuf b[3];
	uint32_t id, len;
	uint16_t head;

	T_EQ(setup(8, 0), 0);
	b[0] = (struct tbuf){ tdrv_alloc(&drv, 16), 16, 0 };
	b[1] = (struct tbuf){ tdrv_alloc(&drv, 100), 100, 0 };
	b[2] = (struct tbuf){ tdrv_alloc(&drv, 200), 200, VRING_DESC_F_WRITE };
	memcpy(tram_ptr(&tr, b[0].gpa), "0123456789abcdef", 16);
	head = tdrv_add(&drv, b, 3);
	T_EQ(vireo_vq_pop(&vq, &ch), 1);
	T_EQ(ch.head, head);
	T_EQ(ch.nout, 2);
	T_EQ(ch.nin, 1);
	T_EQ(ch.out_len, 116);
	T_EQ(ch.in_len, 200);
	T_TRUE(ch.iov[0].iov_base == tram_ptr(&tr, b[0].gpa));
	T_EQ(ch.iov[1].iov_len, 100);
	T_TRUE(ch.iov[2].iov_base == tram_ptr(&tr, b[2].gpa));
	{
		char hdr[8];

		T_EQ(vireo_vq_chain_read(&ch, 4, hdr, 8), 8);
		T_TRUE(!memcmp(hdr, "456789ab", 8));
		T_EQ(vireo_vq_chain_write(&ch, 190, "xyz0123456789", 13), 10);
		T_TRUE(!memcmp((char *)tram_ptr(&tr, b[2].gpa) + 190, "xyz0123456", 10));
	}
	T_EQ(vireo_vq_pop(&vq, &ch), 0);
	T_EQ(vireo_vq_push(&vq, head, 42), 0);
	T_TRUE(tdrv_used_next(&drv, &id, &len));
	T_EQ(id, head);
	T_EQ(len, 42);
	T_TRUE(vireo_vq_need_interrupt(&vq));
	/* Nothing new since: no interrupt. */
	T_TRUE(!vireo_vq_need_interrupt(&vq));
	T_EQ(vireo_vq_push(&vq, 8, 0), -EINVAL);	/* not a descriptor index */
	teardown();
}

static void vq_not_started(void)
{
	T_EQ(tram_init(&tr), 0);
	vireo_vq_init(&vq, 256);
	T_EQ(vireo_vq_pop(&vq, &ch), 0);
	T_EQ(vireo_vq_push(&vq, 0, 0), -EIO);
	T_TRUE(!vireo_vq_need_interrupt(&vq));
	T_TRUE(!vireo_vq_notify_enable(&vq));
	teardown();
}

static void vq_start_checks(void)
{
	static const uint16_t bad_sizes[] = { 0, 3, 100, 512, 0xffff };

	T_EQ(tram_init(&tr), 0);
	tdrv_init(&drv, &tr, 8, QBASE);
	for (unsigned int i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
		T_EQ(tdrv_start(&drv, &vq, 0), 0);
		vq.ready = false;
		vq.size = bad_sizes[i];
		T_EQ(vireo_vq_start(&vq, &tr.ram, 256, 0), -EINVAL);
		T_STR_CONTAINS(vq.error, "power of two");
		T_TRUE(!vq.ready);
		T_EQ(vireo_vq_pop(&vq, &ch), -EIO);
	}
	/* The maximum itself is fine; past VIREO_VQ_MAX_SIZE the device is wrong. */
	vireo_vq_init(&vq, 256);
	vq.desc_gpa = drv.desc;
	vq.avail_gpa = drv.avail;
	vq.used_gpa = drv.used;
	T_EQ(vireo_vq_start(&vq, &tr.ram, 256, 0), 0);
	T_EQ(vireo_vq_start(&vq, &tr.ram, 2048, 0), -EINVAL);

#define TRY_PLACE(d, a, u, why)                                                              \
	do {                                                                                \
		vireo_vq_init(&vq, 8);                                                      \
		vq.desc_gpa = (d);                                                          \
		vq.avail_gpa = (a);                                                         \
		vq.used_gpa = (u);                                                          \
		T_EQ(vireo_vq_start(&vq, &tr.ram, 8, 0), -EINVAL);                          \
		T_STR_CONTAINS(vq.error, why);                                              \
	} while (0)
	TRY_PLACE(QBASE + 8, drv.avail, drv.used, "misaligned");
	TRY_PLACE(drv.desc, drv.avail + 1, drv.used, "misaligned");
	TRY_PLACE(drv.desc, drv.avail, drv.used + 2, "misaligned");
	TRY_PLACE(0x1000, drv.avail, drv.used, "outside guest RAM");
	TRY_PLACE(drv.desc, TRAM_BASE + TRAM_SIZE - 16, drv.used, "outside guest RAM");
	TRY_PLACE(drv.desc, drv.avail, TRAM_BASE + TRAM_SIZE - 64, "outside guest RAM");
	TRY_PLACE(0xfffffffffffffff0ULL, drv.avail, drv.used, "outside guest RAM");
	TRY_PLACE(drv.desc, 0xfffffffffffffffeULL, drv.used, "outside guest RAM");
	teardown();
}

static void vq_head_out_of_range(void)
{
	T_EQ(setup(8, 0), 0);
	tdrv_publish(&drv, 8);
	T_BROKEN("not a descriptor index");
	teardown();
}

static void vq_next_out_of_range(void)
{
	struct tbuf b[2];
	uint16_t head;

	T_EQ(setup(8, 0), 0);
	b[0] = (struct tbuf){ tdrv_alloc(&drv, 8), 8, 0 };
	b[1] = (struct tbuf){ tdrv_alloc(&drv, 8), 8, 0 };
	head = tdrv_chain(&drv, b, 2);
	tdrv_desc(&drv, head)->next = 200;
	tdrv_publish(&drv, head);
	T_BROKEN("next index outside");
	teardown();
}

static void vq_descriptor_loop(void)
{
	struct vireo_vring_desc *d;
	uint64_t buf;

	/* A self loop. */
	T_EQ(setup(8, 0), 0);
	buf = tdrv_alloc(&drv, 8);
	d = tdrv_desc(&drv, 3);
	*d = (struct vireo_vring_desc){ buf, 8, VRING_DESC_F_NEXT, 3 };
	tdrv_publish(&drv, 3);
	T_BROKEN("longer than the queue");
	teardown();

	/* A cycle through every descriptor. */
	T_EQ(setup(16, 0), 0);
	buf = tdrv_alloc(&drv, 8);
	for (uint16_t i = 0; i < 16; i++)
		*tdrv_desc(&drv, i) = (struct vireo_vring_desc){ buf, 8, VRING_DESC_F_NEXT,
								 (uint16_t)((i + 5) % 16) };
	tdrv_publish(&drv, 0);
	T_BROKEN("longer than the queue");
	teardown();

	/* The longest legal chain: queue size descriptors, no loop. */
	T_EQ(setup(16, 0), 0);
	{
		struct tbuf b[16];

		for (unsigned int i = 0; i < 16; i++)
			b[i] = (struct tbuf){ tdrv_alloc(&drv, 4), 4, i >= 8 ? VRING_DESC_F_WRITE : 0 };
		tdrv_add(&drv, b, 16);
		T_EQ(vireo_vq_pop(&vq, &ch), 1);
		T_EQ(ch.nout, 8);
		T_EQ(ch.nin, 8);
	}
	teardown();
}

static void vq_buffer_outside_ram(void)
{
	static const struct {
		uint64_t gpa;
		uint32_t len;
	} bad[] = {
		{ 0, 16 },					/* below RAM */
		{ TRAM_BASE - 8, 16 },				/* straddles the start */
		{ TRAM_BASE + TRAM_SIZE - 8, 16 },		/* straddles the end */
		{ TRAM_BASE + TRAM_SIZE, 1 },			/* just past */
		{ 0xfee00000ULL + TRAM_SIZE, 4 },		/* far away */
		{ 0xfffffffffffffff8ULL, 16 },			/* wraps */
	};

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tbuf b[2];

		T_EQ(setup(8, 0), 0);
		b[0] = (struct tbuf){ tdrv_alloc(&drv, 8), 8, 0 };
		b[1] = (struct tbuf){ bad[i].gpa, bad[i].len, VRING_DESC_F_WRITE };
		tdrv_add(&drv, b, 2);
		T_BROKEN("outside guest RAM");
		teardown();
	}
}

static void vq_zero_length(void)
{
	struct tbuf b[4];

	T_EQ(setup(8, 0), 0);
	/* Zero-length descriptors yield no iovec and their address is never mapped. */
	b[0] = (struct tbuf){ 0xdead0000ULL, 0, 0 };
	b[1] = (struct tbuf){ tdrv_alloc(&drv, 8), 8, 0 };
	b[2] = (struct tbuf){ 0xbeef0000ULL, 0, VRING_DESC_F_WRITE };
	b[3] = (struct tbuf){ tdrv_alloc(&drv, 1), 1, VRING_DESC_F_WRITE };
	tdrv_add(&drv, b, 4);
	T_EQ(vireo_vq_pop(&vq, &ch), 1);
	T_EQ(ch.nout, 1);
	T_EQ(ch.nin, 1);
	T_EQ(ch.out_len, 8);
	T_EQ(ch.in_len, 1);
	/* A chain of nothing but a zero-length descriptor is empty, not an error. */
	b[0] = (struct tbuf){ 0, 0, 0 };
	tdrv_add(&drv, b, 1);
	T_EQ(vireo_vq_pop(&vq, &ch), 1);
	T_EQ(ch.nout + ch.nin, 0);
	/* ... but a zero-length writable one still orders the chain. */
	b[0] = (struct tbuf){ 0, 0, VRING_DESC_F_WRITE };
	b[1] = (struct tbuf){ tdrv_alloc(&drv, 8), 8, 0 };
	tdrv_add(&drv, b, 2);
	T_BROKEN("readable descriptor after a device-writable");
	teardown();
}

static void vq_length_limits(void)
{
	struct tbuf b[3];

	/* Two writable buffers of 200 MiB: valid RAM each, too much together. */
	T_EQ(setup(8, 0), 0);
	b[0] = (struct tbuf){ TRAM_BASE + (100ULL << 20), 200U << 20, VRING_DESC_F_WRITE };
	b[1] = (struct tbuf){ TRAM_BASE + (400ULL << 20), 200U << 20, VRING_DESC_F_WRITE };
	tdrv_add(&drv, b, 2);
	T_BROKEN("VIREO_VQ_MAX_BYTES");
	teardown();

	/* The same for readable ones, and the limit itself passes. */
	T_EQ(setup(8, 0), 0);
	b[0] = (struct tbuf){ TRAM_BASE + (100ULL << 20), 128U << 20, 0 };
	b[1] = (struct tbuf){ TRAM_BASE + (300ULL << 20), 128U << 20, 0 };
	tdrv_add(&drv, b, 2);
	T_EQ(vireo_vq_pop(&vq, &ch), 1);
	T_EQ(ch.out_len, VIREO_VQ_MAX_BYTES);
	b[2] = (struct tbuf){ TRAM_BASE + (600ULL << 20), 1, 0 };
	b[0].gpa += 4096;
	tdrv_add(&drv, b, 3);
	T_BROKEN("VIREO_VQ_MAX_BYTES");
	teardown();

	/* 32-bit lengths that would wrap a 32-bit sum. */
	T_EQ(setup(8, 0), 0);
	b[0] = (struct tbuf){ TRAM_BASE, 0xffffffffU, 0 };
	b[1] = (struct tbuf){ TRAM_BASE, 0xffffffffU, 0 };
	tdrv_add(&drv, b, 2);
	T_EQ(vireo_vq_pop(&vq, &ch), -EIO);	/* 4 GiB is not in the 1 GiB of RAM */
	teardown();
}

static void vq_write_before_read(void)
{
	struct tbuf b[3];

	T_EQ(setup(8, 0), 0);
	b[0] = (struct tbuf){ tdrv_alloc(&drv, 8), 8, 0 };
	b[1] = (struct tbuf){ tdrv_alloc(&drv, 8), 8, VRING_DESC_F_WRITE };
	b[2] = (struct tbuf){ tdrv_alloc(&drv, 8), 8, 0 };
	tdrv_add(&drv, b, 3);
	T_BROKEN("readable descriptor after a device-writable");
	teardown();
}

static void vq_indirect(void)
{
	struct tbuf t[3], b[2];
	uint64_t table;

	T_EQ(setup(8, FEAT_ALL), 0);
	t[0] = (struct tbuf){ tdrv_alloc(&drv, 16), 16, 0 };
	t[1] = (struct tbuf){ tdrv_alloc(&drv, 512), 512, VRING_DESC_F_WRITE };
	t[2] = (struct tbuf){ tdrv_alloc(&drv, 1), 1, VRING_DESC_F_WRITE };
	table = tdrv_indirect(&drv, t, 3);
	b[0] = (struct tbuf){ table, 48, VRING_DESC_F_INDIRECT };
	tdrv_add(&drv, b, 1);
	T_EQ(vireo_vq_pop(&vq, &ch), 1);
	T_EQ(ch.nout, 1);
	T_EQ(ch.nin, 2);
	T_EQ(ch.in_len, 513);
	T_TRUE(ch.iov[1].iov_base == tram_ptr(&tr, t[1].gpa));

	/* Direct descriptors, then an indirect one (2.6.5.3.2 says devices handle it). */
	b[0] = (struct tbuf){ tdrv_alloc(&drv, 4), 4, 0 };
	b[1] = (struct tbuf){ tdrv_indirect(&drv, t + 1, 2), 32, VRING_DESC_F_INDIRECT };
	tdrv_add(&drv, b, 2);
	T_EQ(vireo_vq_pop(&vq, &ch), 1);
	T_EQ(ch.nout, 1);
	T_EQ(ch.nin, 2);

	/* The write flag on the indirect descriptor itself is ignored. */
	b[0] = (struct tbuf){ table, 48, VRING_DESC_F_INDIRECT | VRING_DESC_F_WRITE };
	tdrv_add(&drv, b, 1);
	T_EQ(vireo_vq_pop(&vq, &ch), 1);
	T_EQ(ch.nout, 1);
	teardown();
}

/* Each case: one indirect descriptor that must break the queue. */
static void vq_indirect_hostile(void)
{
	static const struct {
		uint32_t len;
		uint16_t flags;
		int table;	/* 0: good table, 1: nested, 2: loop, 3: outside RAM, 4: bad next */
		uint64_t feat;
		const char *why;
	} c[] = {
		{ 48, VRING_DESC_F_INDIRECT, 0, 0, "without VIRTIO_F_INDIRECT_DESC" },
		{ 0, VRING_DESC_F_INDIRECT, 0, FEAT_ALL, "indirect table length" },
		{ 17, VRING_DESC_F_INDIRECT, 0, FEAT_ALL, "indirect table length" },
		{ 16 * 9, VRING_DESC_F_INDIRECT, 0, FEAT_ALL, "indirect table length" },
		{ 48, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 0, FEAT_ALL, "NEXT" },
		{ 48, VRING_DESC_F_INDIRECT, 1, FEAT_ALL, "inside an indirect table" },
		{ 48, VRING_DESC_F_INDIRECT, 2, FEAT_ALL, "longer than the queue" },
		{ 48, VRING_DESC_F_INDIRECT, 3, FEAT_ALL, "indirect table outside" },
		{ 48, VRING_DESC_F_INDIRECT, 4, FEAT_ALL, "next index outside" },
	};

	for (unsigned int i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct tbuf t[9], b;
		uint64_t table;

		T_EQ(setup(8, c[i].feat), 0);
		for (unsigned int j = 0; j < 9; j++)
			t[j] = (struct tbuf){ tdrv_alloc(&drv, 8), 8, 0 };
		table = tdrv_indirect(&drv, t, 9);
		if (c[i].table == 1)
			((struct vireo_vring_desc *)tram_ptr(&tr, table))[1].flags |=
				VRING_DESC_F_INDIRECT;
		if (c[i].table == 2)
			((struct vireo_vring_desc *)tram_ptr(&tr, table))[2].next = 0;
		if (c[i].table == 3)
			table = TRAM_BASE + TRAM_SIZE - 16;
		if (c[i].table == 4)
			((struct vireo_vring_desc *)tram_ptr(&tr, table))[1].next = 3;
		b = (struct tbuf){ table, c[i].len, c[i].flags };
		/* tdrv_chain would add NEXT for multi-entry chains only: keep flags as given. */
		*tdrv_desc(&drv, 0) = (struct vireo_vring_desc){ b.gpa, b.len, b.flags, 1 };
		tdrv_publish(&drv, 0);
		T_BROKEN(c[i].why);
		teardown();
	}
}

static void vq_avail_jump(void)
{
	struct tbuf b = { 0, 0, 0 };

	T_EQ(setup(8, 0), 0);
	b.gpa = tdrv_alloc(&drv, 8);
	b.len = 8;
	tdrv_chain(&drv, &b, 1);
	/* Exactly a full ring is fine ... */
	for (unsigned int i = 0; i < 8; i++)
		tdrv_avail(&drv)->ring[i] = 0;
	tdrv_avail(&drv)->idx = 8;
	for (unsigned int i = 0; i < 8; i++)
		T_EQ(vireo_vq_pop(&vq, &ch), 1);
	T_EQ(vireo_vq_pop(&vq, &ch), 0);
	/* ... more than that is a driver lying about the ring. */
	tdrv_avail(&drv)->idx = 8 + 9;
	T_BROKEN("more than the queue size");
	teardown();

	/* Going backwards looks like a huge jump, too. */
	T_EQ(setup(8, 0), 0);
	tdrv_avail(&drv)->idx = 0xffff;
	T_BROKEN("more than the queue size");
	teardown();
}

static void vq_restart_clears_error(void)
{
	T_EQ(setup(8, 0), 0);
	tdrv_publish(&drv, 9);
	T_EQ(vireo_vq_pop(&vq, &ch), -EIO);
	/* What a device reset and re-enable does. */
	memset(tram_ptr(&tr, QBASE), 0, 4096);
	T_EQ(tdrv_start(&drv, &vq, 0), 0);
	T_TRUE(vq.error == NULL);
	T_EQ(vireo_vq_pop(&vq, &ch), 0);
	teardown();
}

static void vq_wraparound(void)
{
	struct tbuf b = { 0, 4, VRING_DESC_F_WRITE };
	uint32_t id, len;

	T_EQ(setup(4, 0), 0);
	b.gpa = tdrv_alloc(&drv, 4);
	/* Start both sides just below the 16-bit wrap. */
	drv.avail_idx = 0xfffe;
	drv.used_seen = 0xfffe;
	vq.last_avail = 0xfffe;
	vq.used_idx = 0xfffe;
	for (unsigned int i = 0; i < 10; i++) {
		uint16_t head = tdrv_add(&drv, &b, 1);

		T_EQ(vireo_vq_pop(&vq, &ch), 1);
		T_EQ(ch.head, head);
		T_EQ(vireo_vq_push(&vq, head, i), 0);
		T_TRUE(tdrv_used_next(&drv, &id, &len));
		T_EQ(id, head);
		T_EQ(len, i);
	}
	T_EQ(tdrv_used(&drv)->idx, 8);
	teardown();
}

static void vq_unpop(void)
{
	struct tbuf b = { 0, 4, 0 };
	uint16_t h1, h2;

	T_EQ(setup(8, 0), 0);
	b.gpa = tdrv_alloc(&drv, 4);
	h1 = tdrv_add(&drv, &b, 1);
	h2 = tdrv_add(&drv, &b, 1);
	T_EQ(vireo_vq_pop(&vq, &ch), 1);
	T_EQ(ch.head, h1);
	vireo_vq_unpop(&vq);
	T_EQ(vireo_vq_pop(&vq, &ch), 1);
	T_EQ(ch.head, h1);
	T_EQ(vireo_vq_pop(&vq, &ch), 1);
	T_EQ(ch.head, h2);
	teardown();
}

static void vq_interrupt_suppression(void)
{
	struct tbuf b = { 0, 4, 0 };
	uint16_t head;

	T_EQ(setup(8, 0), 0);
	b.gpa = tdrv_alloc(&drv, 4);
	tdrv_avail(&drv)->flags = VRING_AVAIL_F_NO_INTERRUPT;
	head = tdrv_add(&drv, &b, 1);
	T_EQ(vireo_vq_pop(&vq, &ch), 1);
	T_EQ(vireo_vq_push(&vq, head, 0), 0);
	T_TRUE(!vireo_vq_need_interrupt(&vq));
	tdrv_avail(&drv)->flags = 0;
	head = tdrv_add(&drv, &b, 1);
	T_EQ(vireo_vq_pop(&vq, &ch), 1);
	T_EQ(vireo_vq_push(&vq, head, 0), 0);
	T_TRUE(vireo_vq_need_interrupt(&vq));

	/* Notification suppression without event index: the used flags. */
	vireo_vq_notify_disable(&vq);
	T_EQ(tdrv_used(&drv)->flags, VRING_USED_F_NO_NOTIFY);
	T_TRUE(!vireo_vq_notify_enable(&vq));
	T_EQ(tdrv_used(&drv)->flags, 0);
	tdrv_add(&drv, &b, 1);
	T_TRUE(vireo_vq_notify_enable(&vq));	/* arrived meanwhile: go on */
	teardown();
}

static void vq_event_idx(void)
{
	struct tbuf b = { 0, 4, 0 };
	uint16_t *used_event, *avail_event;

	T_EQ(setup(8, FEAT_ALL), 0);
	b.gpa = tdrv_alloc(&drv, 4);
	used_event = &tdrv_avail(&drv)->ring[8];
	avail_event = (uint16_t *)&tdrv_used(&drv)->ring[8];
	/* The driver wants an interrupt when used idx passes 2 (i.e. after the third). */
	*used_event = 2;
	for (unsigned int i = 0; i < 4; i++)
		tdrv_add(&drv, &b, 1);
	T_EQ(vireo_vq_pop(&vq, &ch), 1);
	T_EQ(vireo_vq_push(&vq, ch.head, 0), 0);
	T_TRUE(vireo_vq_need_interrupt(&vq));	/* the first one always signals */
	T_EQ(vireo_vq_pop(&vq, &ch), 1);
	T_EQ(vireo_vq_push(&vq, ch.head, 0), 0);
	T_TRUE(!vireo_vq_need_interrupt(&vq));	/* used idx 2: event 2 not yet crossed */
	T_EQ(vireo_vq_pop(&vq, &ch), 1);
	T_EQ(vireo_vq_push(&vq, ch.head, 0), 0);
	T_TRUE(vireo_vq_need_interrupt(&vq));	/* 3 crosses it */
	T_EQ(vireo_vq_pop(&vq, &ch), 1);
	T_EQ(vireo_vq_push(&vq, ch.head, 0), 0);
	T_TRUE(!vireo_vq_need_interrupt(&vq));	/* event still 2 */
	/* The flags field is ignored with event index. */
	tdrv_avail(&drv)->flags = VRING_AVAIL_F_NO_INTERRUPT;
	*used_event = 4;
	tdrv_add(&drv, &b, 1);
	T_EQ(vireo_vq_pop(&vq, &ch), 1);
	T_EQ(vireo_vq_push(&vq, ch.head, 0), 0);
	T_TRUE(vireo_vq_need_interrupt(&vq));	/* used idx 5 = event + 1 */

	/* Notifications: avail_event tells the driver where to kick next. */
	vireo_vq_notify_disable(&vq);
	T_EQ(tdrv_used(&drv)->flags, 0);
	T_TRUE(!vireo_vq_notify_enable(&vq));
	T_EQ(*avail_event, 5);
	tdrv_add(&drv, &b, 1);
	T_TRUE(vireo_vq_notify_enable(&vq));
	teardown();
}

static void vq_iov_helpers(void)
{
	char a[5] = "abcde", b[3] = "fgh", c[4] = "ijkl", out[16];
	struct iovec iov[3] = { { a, 5 }, { b, 3 }, { c, 4 } }, s[3];
	unsigned int n;

	T_EQ(vireo_iov_len(iov, 3), 12);
	memset(out, 0, sizeof(out));
	T_EQ(vireo_iov_to_buf(iov, 3, 4, out, 6), 6);
	T_TRUE(!memcmp(out, "efghij", 6));
	T_EQ(vireo_iov_to_buf(iov, 3, 10, out, 6), 2);
	T_EQ(vireo_iov_to_buf(iov, 3, 20, out, 6), 0);
	n = vireo_iov_slice(iov, 3, 3, 7, s, 3);
	T_EQ(n, 3);
	T_TRUE(s[0].iov_base == a + 3 && s[0].iov_len == 2);
	T_TRUE(s[1].iov_base == b && s[1].iov_len == 3);
	T_TRUE(s[2].iov_base == c && s[2].iov_len == 2);
	T_EQ(vireo_iov_slice(iov, 3, 3, 7, s, 1), 1);
	T_EQ(vireo_iov_from_buf(iov, 3, 7, "XYZ", 3), 3);
	T_TRUE(b[2] == 'X' && c[0] == 'Y' && c[1] == 'Z');
}

static const struct vireo_test vireo_tests_virtio_vq[] = {
	VIREO_TEST(vq_simple_chain),
	VIREO_TEST(vq_not_started),
	VIREO_TEST(vq_start_checks),
	VIREO_TEST(vq_head_out_of_range),
	VIREO_TEST(vq_next_out_of_range),
	VIREO_TEST(vq_descriptor_loop),
	VIREO_TEST(vq_buffer_outside_ram),
	VIREO_TEST(vq_zero_length),
	VIREO_TEST(vq_length_limits),
	VIREO_TEST(vq_write_before_read),
	VIREO_TEST(vq_indirect),
	VIREO_TEST(vq_indirect_hostile),
	VIREO_TEST(vq_avail_jump),
	VIREO_TEST(vq_restart_clears_error),
	VIREO_TEST(vq_wraparound),
	VIREO_TEST(vq_unpop),
	VIREO_TEST(vq_interrupt_suppression),
	VIREO_TEST(vq_event_idx),
	VIREO_TEST(vq_iov_helpers),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(virtio_vq, vireo_tests_virtio_vq);
