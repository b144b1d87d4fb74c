// SPDX-License-Identifier: GPL-2.0
/*
 * The hostile-guest cases (tests/guest/README.md) for virtio-blk, the
 * expectations every case file uses, and the runner.  Each case posts
 * something a virtio driver must not, notifies, and checks the reaction
 * the monitor documents (userland/virtio/virtqueue.h, virtio.h, blk.h):
 *
 *   - a malformed ring or chain, or a request without a header or status
 *     byte: DEVICE_NEEDS_RESET (0x40) with a configuration interrupt
 *     (ISR bit 1; no MSI-X here), and no used entry;
 *   - a well-formed request the disk cannot serve: a used entry whose
 *     status byte is IOERR or UNSUPP, and the queue keeps working;
 *   - bad queue registers: NEEDS_RESET when the queue is enabled.
 *
 * Then the follow-up: reset and reinitialise (or, for the request errors,
 * carry on with the same queue) and read a sector whose contents the
 * test script wrote, which must come back byte for byte.  A case passes
 * only when both the reaction and the follow-up are right.  The other
 * devices' cases (cases_net.c, cases_console.c, cases_rng.c, attack.c)
 * work the same way with their own follow-ups.  Every line on COM1 is
 * "CASE <name> PASS|FAIL <detail>"; the last is
 * "DONE cases=N pass=N fail=N resets=N" (resets: NEEDS_RESET incidents
 * the guest saw, which the script compares with the monitor's messages).
 */
#include "cases.h"

/* The disk the script makes: 2048 sectors, sectors 0-127 patterned. */
#define DISK_SECTORS		2048
#define PATTERN_SECTORS		128

#define FLOOD_ROUNDS		256

static struct vdev blk_dev = {
	.name = "virtio-blk",
	.type = VIRTIO_ID_BLK,
	.nr_queues = 1,
	.rings = VH_RING,
};

static struct vdev *const d = &blk_dev;
static struct vqueue *const q0 = &blk_dev.vq[0];
unsigned int vh_nr_resets;

#define HDR	((volatile struct blk_hdr *)phys(VH_HDR))
#define STATUS	((volatile uint8_t *)phys(VH_STATUS))
#define DATA	((uint8_t *)phys(VH_DATA))

/* ---- messages ------------------------------------------------------------ */

const char *errf(const char *fmt, ...)
{
	static char buf[4][192];
	static unsigned int next;
	char *b = buf[next++ % 4];
	va_list ap;

	va_start(ap, fmt);
	vh_vsnprintf(b, sizeof(buf[0]), fmt, ap);
	va_end(ap);
	return b;
}

/* ---- building requests --------------------------------------------------- */

void set_desc(volatile struct vring_desc *t, unsigned int i, uint64_t addr, uint32_t len,
	      uint16_t flags, uint16_t next)
{
	t[i].addr = addr;
	t[i].len = len;
	t[i].flags = flags;
	t[i].next = next;
}

static void prep(uint32_t type, uint64_t sector, uint32_t data_len)
{
	HDR->type = type;
	HDR->reserved = 0;
	HDR->sector = sector;
	memset(DATA, 0xaa, data_len);
	*STATUS = 0xff;
}

/* The usual read of one sector: 0 header, 1 data, 2 status. */
static void std_read(uint64_t sector)
{
	prep(BLK_T_IN, sector, BLK_SECTOR);
	set_desc(q0->desc, 0, VH_HDR, sizeof(struct blk_hdr), DESC_F_NEXT, 1);
	set_desc(q0->desc, 1, VH_DATA, BLK_SECTOR, DESC_F_WRITE | DESC_F_NEXT, 2);
	set_desc(q0->desc, 2, VH_STATUS, 1, DESC_F_WRITE, 0);
}

/* What the script wrote: 32 records "S%03uR%02u:abcdefg\n" per sector. */
static uint8_t pattern(uint32_t sector, uint32_t off)
{
	static const char tail[] = ":abcdefg\n";
	uint32_t rec = off / 16, i = off % 16;

	if (sector >= PATTERN_SECTORS)
		return 0;
	switch (i) {
	case 0:
		return 'S';
	case 1:
		return (uint8_t)('0' + sector / 100 % 10);
	case 2:
		return (uint8_t)('0' + sector / 10 % 10);
	case 3:
		return (uint8_t)('0' + sector % 10);
	case 4:
		return 'R';
	case 5:
		return (uint8_t)('0' + rec / 10);
	case 6:
		return (uint8_t)('0' + rec % 10);
	default:
		return (uint8_t)tail[i - 7];
	}
}

static const char *check_data(uint32_t sector, const uint8_t *buf, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len; i++) {
		uint8_t want = pattern(sector + i / BLK_SECTOR, i % BLK_SECTOR);

		if (buf[i] != want)
			return errf("sector %u byte %u: got 0x%x want 0x%x", sector + i / BLK_SECTOR,
				    i % BLK_SECTOR, buf[i], want);
	}
	return NULL;
}

/* ---- expectations -------------------------------------------------------- */

const char *vh_expect_used(struct vdev *dev, unsigned int q, uint16_t head, uint32_t *len)
{
	struct vqueue *vq = &dev->vq[q];
	volatile struct vring_used_elem *e;
	uint32_t id;

	switch (vd_wait(dev, q, WAIT_MS)) {
	case EV_NEEDS_RESET:
		return errf("device set NEEDS_RESET (status 0x%x) instead of completing",
			    vd_status(dev));
	case EV_TIMEOUT:
		return errf("no used entry in %u ms (status 0x%x, used idx %u)", WAIT_MS,
			    vd_status(dev), vq->used->idx);
	case EV_USED:
		break;
	}
	e = &vq->used->ring[vq->used_seen % vq->size];
	id = e->id;
	*len = e->len;
	vq->used_seen++;
	if (id != head)
		return errf("used id %u, want %u", id, head);
	return NULL;
}

const char *vh_expect_reset(struct vdev *dev, unsigned int q, bool want_isr)
{
	struct vqueue *vq = &dev->vq[q];
	volatile struct vring_used_elem *e;
	uint8_t isr;

	switch (vd_wait(dev, q, WAIT_MS)) {
	case EV_USED:
		e = &vq->used->ring[vq->used_seen % vq->size];
		return errf("device completed id %u (len %u) instead of NEEDS_RESET", e->id,
			    e->len);
	case EV_TIMEOUT:
		return errf("no NEEDS_RESET in %u ms (status 0x%x)", WAIT_MS, vd_status(dev));
	case EV_NEEDS_RESET:
		break;
	}
	vh_nr_resets++;
	if (vq->used->idx != vq->used_seen)
		return errf("NEEDS_RESET, but used idx moved too (%u -> %u)", vq->used_seen,
			    vq->used->idx);
	isr = vd_isr(dev);
	if (want_isr && !(isr & ISR_CONFIG))
		return errf("NEEDS_RESET without a configuration interrupt (ISR 0x%x)", isr);
	return NULL;
}

const char *vh_expect_quiet(struct vdev *dev, unsigned int q)
{
	switch (vd_wait(dev, q, QUIET_MS)) {
	case EV_USED:
		return errf("used entry (idx %u)", dev->vq[q].used->idx);
	case EV_NEEDS_RESET:
		return errf("NEEDS_RESET (status 0x%x)", vd_status(dev));
	case EV_TIMEOUT:
		break;
	}
	return NULL;
}

/* The next used entry must be head, len bytes written, status byte st. */
static const char *expect_used(uint16_t head, uint32_t len, uint8_t st)
{
	const char *err;
	uint32_t got_len;

	err = vh_expect_used(d, 0, head, &got_len);
	if (err)
		return err;
	if (*STATUS != st)
		return errf("status byte %u, want %u (used len %u)", *STATUS, st, got_len);
	if (got_len != len)
		return errf("used len %u, want %u", got_len, len);
	return NULL;
}

static const char *expect_reset(bool want_isr)
{
	return vh_expect_reset(d, 0, want_isr);
}

static const char *expect_quiet(void)
{
	return vh_expect_quiet(d, 0);
}

static const char *good_read(uint32_t sector)
{
	const char *err;

	std_read(sector);
	vd_submit(d, 0, 0);
	err = expect_used(0, BLK_SECTOR + 1, BLK_S_OK);
	return err ? err : check_data(sector, DATA, BLK_SECTOR);
}

/* Post the usual read with one thing changed by the caller, expect a reset. */
#define BROKEN_READ(tweak)                                                                  \
	do {                                                                                \
		std_read(0);                                                                \
		tweak;                                                                      \
		vd_submit(d, 0, 0);                                                         \
		return expect_reset(true);                                                  \
	} while (0)

/* ---- positive cases: the paths the hostile ones abuse do work ------------ */

static const char *c_good_read(void)
{
	return good_read(7);
}

static const char *c_capacity(void)
{
	uint64_t capacity;

	if (!d->devcfg)
		return "no device configuration capability";
	capacity = mmio_read32(d->devcfg) | (uint64_t)mmio_read32(d->devcfg + 4) << 32;
	if (capacity != DISK_SECTORS)
		return errf("capacity %u sectors, want %u", (uint32_t)capacity, DISK_SECTORS);
	return NULL;
}

static const char *c_good_scatter(void)
{
	const char *err;

	/* Sectors 9 and 10 into two buffers 8 KiB apart. */
	prep(BLK_T_IN, 9, 0x2000 + BLK_SECTOR);
	set_desc(q0->desc, 0, VH_HDR, 16, DESC_F_NEXT, 5);
	set_desc(q0->desc, 5, VH_DATA, BLK_SECTOR, DESC_F_WRITE | DESC_F_NEXT, 3);
	set_desc(q0->desc, 3, VH_DATA + 0x2000, BLK_SECTOR, DESC_F_WRITE | DESC_F_NEXT, 11);
	set_desc(q0->desc, 11, VH_STATUS, 1, DESC_F_WRITE, 0);
	vd_submit(d, 0, 0);
	err = expect_used(0, 2 * BLK_SECTOR + 1, BLK_S_OK);
	if (!err)
		err = check_data(9, DATA, BLK_SECTOR);
	if (!err)
		err = check_data(10, DATA + 0x2000, BLK_SECTOR);
	return err;
}

static const char *c_good_indirect(void)
{
	volatile struct vring_desc *t = ITABLE(0);

	prep(BLK_T_IN, 12, BLK_SECTOR);
	set_desc(t, 0, VH_HDR, 16, DESC_F_NEXT, 1);
	set_desc(t, 1, VH_DATA, BLK_SECTOR, DESC_F_WRITE | DESC_F_NEXT, 2);
	set_desc(t, 2, VH_STATUS, 1, DESC_F_WRITE, 0);
	set_desc(q0->desc, 4, VH_INDIRECT, 3 * 16, DESC_F_INDIRECT, 0);
	vd_submit(d, 0, 4);
	return expect_used(4, BLK_SECTOR + 1, BLK_S_OK) ?: check_data(12, DATA, BLK_SECTOR);
}

/* Direct descriptors followed by one indirect one (2.6.5.3.2 allows it). */
static const char *c_good_direct_then_indirect(void)
{
	volatile struct vring_desc *t = ITABLE(0);

	prep(BLK_T_IN, 13, BLK_SECTOR);
	set_desc(q0->desc, 0, VH_HDR, 16, DESC_F_NEXT, 1);
	set_desc(q0->desc, 1, VH_INDIRECT, 2 * 16, DESC_F_INDIRECT, 0);
	set_desc(t, 0, VH_DATA, BLK_SECTOR, DESC_F_WRITE | DESC_F_NEXT, 1);
	set_desc(t, 1, VH_STATUS, 1, DESC_F_WRITE, 0);
	vd_submit(d, 0, 0);
	return expect_used(0, BLK_SECTOR + 1, BLK_S_OK) ?: check_data(13, DATA, BLK_SECTOR);
}

static const char *c_good_get_id(void)
{
	static const char want[20] = "vireo-disk0";
	const char *err;

	prep(BLK_T_GET_ID, 0, 20);
	set_desc(q0->desc, 0, VH_HDR, 16, DESC_F_NEXT, 1);
	set_desc(q0->desc, 1, VH_DATA, 20, DESC_F_WRITE | DESC_F_NEXT, 2);
	set_desc(q0->desc, 2, VH_STATUS, 1, DESC_F_WRITE, 0);
	vd_submit(d, 0, 0);
	err = expect_used(0, 21, BLK_S_OK);
	if (!err && memcmp(DATA, want, sizeof(want)))
		err = errf("id '%c%c%c%c...', want 'vireo-disk0'", DATA[0], DATA[1], DATA[2],
			   DATA[3]);
	return err;
}

/* A zero-length descriptor maps nothing, wherever it points. */
static const char *c_zero_len_outside_ram(void)
{
	std_read(14);
	/* header, data, an empty writable one above 4 GiB, status */
	q0->desc[1].next = 3;
	set_desc(q0->desc, 3, ABOVE_4G, 0, DESC_F_WRITE | DESC_F_NEXT, 2);
	vd_submit(d, 0, 0);
	return expect_used(0, BLK_SECTOR + 1, BLK_S_OK) ?: check_data(14, DATA, BLK_SECTOR);
}

/* ---- requests the disk refuses: a status byte, the queue goes on --------- */

static const char *c_blk_sector_beyond_disk(void)
{
	std_read(DISK_SECTORS);
	vd_submit(d, 0, 0);
	return expect_used(0, 1, BLK_S_IOERR);
}

static const char *c_blk_sector_overflow(void)
{
	/* sector * 512 wraps 2^64 */
	std_read(0xffffffffffffff80ULL);
	vd_submit(d, 0, 0);
	return expect_used(0, 1, BLK_S_IOERR);
}

static const char *c_blk_partial_sector(void)
{
	std_read(1);
	q0->desc[1].len = 100;
	vd_submit(d, 0, 0);
	return expect_used(0, 1, BLK_S_IOERR);
}

static const char *c_blk_write_past_end(void)
{
	/* Two sectors from the last one; nothing may be written. */
	prep(BLK_T_OUT, DISK_SECTORS - 1, 0);
	set_desc(q0->desc, 0, VH_HDR, 16, DESC_F_NEXT, 1);
	set_desc(q0->desc, 1, VH_DATA, 2 * BLK_SECTOR, DESC_F_NEXT, 2);
	set_desc(q0->desc, 2, VH_STATUS, 1, DESC_F_WRITE, 0);
	vd_submit(d, 0, 0);
	return expect_used(0, 1, BLK_S_IOERR);
}

static const char *c_blk_unknown_type(void)
{
	std_read(1);
	HDR->type = 0x7f;
	vd_submit(d, 0, 0);
	return expect_used(0, 1, BLK_S_UNSUPP);
}

/* ---- buffers outside RAM ------------------------------------------------- */

static const char *c_addr_beyond_ram(void)
{
	BROKEN_READ(q0->desc[1].addr = d->ram_end);
}

static const char *c_addr_above_4g(void)
{
	BROKEN_READ(q0->desc[1].addr = ABOVE_4G);
}

static const char *c_addr_pci_hole(void)
{
	BROKEN_READ(q0->desc[1].addr = PCI_HOLE_ADDR);
}

static const char *c_addr_own_bar(void)
{
	/* DMA into the device's own registers. */
	BROKEN_READ(q0->desc[1].addr = d->common);
}

static const char *c_addr_lapic(void)
{
	BROKEN_READ(q0->desc[1].addr = LAPIC_ADDR);
}

static const char *c_addr_wrap_into_ram(void)
{
	/* [2^64 - 4 KiB, 2^64 + 4 KiB): the end wraps to 0x1000, RAM. */
	BROKEN_READ(q0->desc[1].addr = 0xfffffffffffff000ULL; q0->desc[1].len = 0x2000);
}

static const char *c_addr_straddles_ram_end(void)
{
	BROKEN_READ(q0->desc[1].addr = d->ram_end - 256);
}

static const char *c_len_beyond_ram(void)
{
	BROKEN_READ(q0->desc[1].len = d->ram_end);
}

static const char *c_len_4g(void)
{
	BROKEN_READ(q0->desc[1].len = 0xffffffffU);
}

static const char *c_hdr_outside_ram(void)
{
	BROKEN_READ(q0->desc[0].addr = d->ram_end + 0x1000);
}

static const char *c_status_in_pci_hole(void)
{
	BROKEN_READ(q0->desc[2].addr = PCI_HOLE_ADDR);
}

/* 14 x 20 MiB writable: each buffer is RAM, together more than 256 MiB. */
static const char *c_chain_bytes_overflow(void)
{
	unsigned int i;

	prep(BLK_T_IN, 0, 0);
	set_desc(q0->desc, 0, VH_HDR, 16, DESC_F_NEXT, 1);
	for (i = 1; i <= 14; i++)
		set_desc(q0->desc, i, VH_BIG, VH_BIG_LEN, DESC_F_WRITE | DESC_F_NEXT,
			 (uint16_t)(i + 1));
	set_desc(q0->desc, 15, VH_STATUS, 1, DESC_F_WRITE, 0);
	vd_submit(d, 0, 0);
	return expect_reset(true);
}

/* ---- malformed chains ---------------------------------------------------- */

static const char *c_next_out_of_range(void)
{
	BROKEN_READ(q0->desc[0].next = VH_QSIZE);
}

static const char *c_next_ffff(void)
{
	BROKEN_READ(q0->desc[1].next = 0xffff);
}

static const char *c_avail_entry_out_of_range(void)
{
	std_read(0);
	vd_submit(d, 0, VH_QSIZE);
	return expect_reset(true);
}

static const char *c_avail_entry_ffff(void)
{
	std_read(0);
	vd_submit(d, 0, 0xffff);
	return expect_reset(true);
}

static const char *c_loop_self(void)
{
	BROKEN_READ(q0->desc[0].next = 0);
}

static const char *c_loop_pair(void)
{
	/* 0 -> 1 -> 0, all readable */
	BROKEN_READ(q0->desc[1].flags = DESC_F_NEXT; q0->desc[1].next = 0);
}

static const char *c_loop_writable(void)
{
	/* 0 -> 1 -> 2 -> 1: the loop among the device-writable descriptors */
	BROKEN_READ(q0->desc[2].flags = DESC_F_WRITE | DESC_F_NEXT; q0->desc[2].next = 1);
}

static const char *c_loop_whole_table(void)
{
	unsigned int i;

	std_read(0);
	for (i = 0; i < VH_QSIZE; i++)
		set_desc(q0->desc, i, VH_DATA, 16, DESC_F_NEXT, (uint16_t)((i + 1) % VH_QSIZE));
	vd_submit(d, 0, 0);
	return expect_reset(true);
}

/* 10 direct + a 16-entry indirect table: 26 descriptors in a queue of 16. */
static const char *c_chain_longer_than_queue(void)
{
	volatile struct vring_desc *t = ITABLE(0);
	unsigned int i;

	prep(BLK_T_IN, 0, 0);
	set_desc(q0->desc, 0, VH_HDR, 16, DESC_F_NEXT, 1);
	for (i = 1; i < 10; i++)
		set_desc(q0->desc, i, VH_DATA, BLK_SECTOR, DESC_F_WRITE | DESC_F_NEXT,
			 (uint16_t)(i + 1));
	set_desc(q0->desc, 10, VH_INDIRECT, VH_QSIZE * 16, DESC_F_INDIRECT, 0);
	for (i = 0; i < VH_QSIZE; i++)
		set_desc(t, i, VH_DATA, BLK_SECTOR, DESC_F_WRITE | DESC_F_NEXT, (uint16_t)(i + 1));
	set_desc(t, VH_QSIZE - 1, VH_STATUS, 1, DESC_F_WRITE, 0);
	vd_submit(d, 0, 0);
	return expect_reset(true);
}

static const char *c_readable_after_writable(void)
{
	/* header, data (W), another readable, status (W) */
	BROKEN_READ(q0->desc[1].next = 6;
		    set_desc(q0->desc, 6, VH_HDR, 16, DESC_F_NEXT, 2));
}

static const char *c_write_only_header(void)
{
	BROKEN_READ(q0->desc[0].flags |= DESC_F_WRITE);
}

static const char *c_no_status_byte(void)
{
	BROKEN_READ(q0->desc[0].flags = 0);
}

static const char *c_short_header(void)
{
	BROKEN_READ(q0->desc[0].len = 8);
}

static const char *c_all_zero_length(void)
{
	BROKEN_READ(q0->desc[0].len = 0; q0->desc[1].len = 0; q0->desc[2].len = 0);
}

/* ---- indirect tables ----------------------------------------------------- */

/* desc 0 -> indirect table 0 holding the usual read (n entries used). */
static void std_indirect(void)
{
	volatile struct vring_desc *t = ITABLE(0);

	prep(BLK_T_IN, 0, BLK_SECTOR);
	set_desc(t, 0, VH_HDR, 16, DESC_F_NEXT, 1);
	set_desc(t, 1, VH_DATA, BLK_SECTOR, DESC_F_WRITE | DESC_F_NEXT, 2);
	set_desc(t, 2, VH_STATUS, 1, DESC_F_WRITE, 0);
	set_desc(q0->desc, 0, VH_INDIRECT, 3 * 16, DESC_F_INDIRECT, 0);
}

#define BROKEN_INDIRECT(tweak)                                                              \
	do {                                                                                \
		std_indirect();                                                             \
		tweak;                                                                      \
		vd_submit(d, 0, 0);                                                         \
		return expect_reset(true);                                                  \
	} while (0)

static const char *c_indirect_loop(void)
{
	/* 0 -> 1 -> 0 inside the table */
	BROKEN_INDIRECT(ITABLE(0)[1].next = 0; ITABLE(0)[1].flags = DESC_F_NEXT);
}

static const char *c_indirect_self_loop(void)
{
	BROKEN_INDIRECT(ITABLE(0)[0].next = 0);
}

static const char *c_indirect_nested(void)
{
	volatile struct vring_desc *t1 = ITABLE(1);

	set_desc(t1, 0, VH_DATA, BLK_SECTOR, DESC_F_WRITE | DESC_F_NEXT, 1);
	set_desc(t1, 1, VH_STATUS, 1, DESC_F_WRITE, 0);
	BROKEN_INDIRECT(set_desc(ITABLE(0), 1, VH_INDIRECT + 0x1000, 2 * 16, DESC_F_INDIRECT, 0));
}

static const char *c_indirect_outside_ram(void)
{
	BROKEN_INDIRECT(q0->desc[0].addr = d->ram_end);
}

static const char *c_indirect_in_pci_hole(void)
{
	BROKEN_INDIRECT(q0->desc[0].addr = PCI_HOLE_ADDR);
}

static const char *c_indirect_straddles_ram_end(void)
{
	BROKEN_INDIRECT(q0->desc[0].addr = d->ram_end - 32);
}

static const char *c_indirect_wrap(void)
{
	BROKEN_INDIRECT(q0->desc[0].addr = 0xfffffffffffffff0ULL);
}

static const char *c_indirect_too_long(void)
{
	/* queue size + 1 entries, a proper chain through all of them */
	volatile struct vring_desc *t = ITABLE(0);
	unsigned int i;

	prep(BLK_T_IN, 0, 0);
	set_desc(t, 0, VH_HDR, 16, DESC_F_NEXT, 1);
	for (i = 1; i < VH_QSIZE; i++)
		set_desc(t, i, VH_DATA, BLK_SECTOR, DESC_F_WRITE | DESC_F_NEXT, (uint16_t)(i + 1));
	set_desc(t, VH_QSIZE, VH_STATUS, 1, DESC_F_WRITE, 0);
	set_desc(q0->desc, 0, VH_INDIRECT, (VH_QSIZE + 1) * 16, DESC_F_INDIRECT, 0);
	vd_submit(d, 0, 0);
	return expect_reset(true);
}

static const char *c_indirect_len_zero(void)
{
	BROKEN_INDIRECT(q0->desc[0].len = 0);
}

static const char *c_indirect_len_odd(void)
{
	BROKEN_INDIRECT(q0->desc[0].len = 40);
}

static const char *c_indirect_with_next(void)
{
	BROKEN_INDIRECT(q0->desc[0].flags = DESC_F_INDIRECT | DESC_F_NEXT; q0->desc[0].next = 1);
}

static const char *c_indirect_next_out_of_range(void)
{
	/* a table of 3: entry 1 points at entry 3 */
	BROKEN_INDIRECT(ITABLE(0)[1].next = 3);
}

static const char *c_indirect_not_negotiated(void)
{
	const char *err = vd_start(d, FBIT(F_VERSION_1));

	if (err)
		return errf("start without INDIRECT_DESC: %s", err);
	BROKEN_INDIRECT((void)0);
}

/* ---- ring indices -------------------------------------------------------- */

static const char *c_avail_idx_jump(void)
{
	std_read(0);
	q0->avail->ring[0] = 0;
	vd_bump_avail(d, 0, VH_QSIZE + 1);
	return expect_reset(true);
}

static const char *c_avail_idx_backwards(void)
{
	std_read(0);
	vd_bump_avail(d, 0, 0xffff);	/* idx - 1 */
	return expect_reset(true);
}

/* After NEEDS_RESET the device leaves the queue alone until the reset. */
static const char *c_broken_ignores_queue(void)
{
	const char *err;
	uint32_t t0;

	std_read(0);
	q0->desc[0].next = 0;	/* a loop */
	vd_submit(d, 0, 0);
	err = expect_reset(true);
	if (err)
		return err;
	/* A good request now: it must stay unserved. */
	std_read(3);
	vd_submit(d, 0, 0);
	t0 = vh_ms();
	while (vh_ms() - t0 < QUIET_MS) {
		if (q0->used->idx != q0->used_seen)
			return "the broken device completed a request before the reset";
	}
	if (!(vd_status(d) & ST_NEEDS_RESET))
		return errf("NEEDS_RESET went away without a reset (status 0x%x)", vd_status(d));
	return NULL;
}

/* ---- queue registers (checked when the queue is enabled) ----------------- */

static const char *bad_queue(uint16_t size, uint64_t desc, uint64_t avail, uint64_t used)
{
	const char *err = vd_reset(d);

	if (!err)
		err = vd_negotiate(d, DEFAULT_FEATURES, true);
	if (err)
		return err;
	vd_queue_setup(d, 0, size, desc, avail, used);
	vd_queue_enable(d, 0);
	err = expect_reset(false);
	if (!err && vd_read16(d, CC_Q_ENABLE))
		err = "queue_enable reads 1 after the device refused the queue";
	return err;
}

static const char *c_ring_desc_outside_ram(void)
{
	return bad_queue(VH_QSIZE, d->ram_end, VH_RING_AVAIL, VH_RING_USED);
}

static const char *c_ring_avail_in_pci_hole(void)
{
	return bad_queue(VH_QSIZE, VH_RING, PCI_HOLE_ADDR, VH_RING_USED);
}

static const char *c_ring_used_above_4g(void)
{
	return bad_queue(VH_QSIZE, VH_RING, VH_RING_AVAIL, ABOVE_4G);
}

static const char *c_ring_used_straddles_ram_end(void)
{
	return bad_queue(VH_QSIZE, VH_RING, VH_RING_AVAIL, d->ram_end - 64);
}

static const char *c_ring_desc_wrap(void)
{
	return bad_queue(VH_QSIZE, 0xfffffffffffffff0ULL, VH_RING_AVAIL, VH_RING_USED);
}

static const char *c_ring_desc_misaligned(void)
{
	return bad_queue(VH_QSIZE, VH_RING + 8, VH_RING_AVAIL, VH_RING_USED);
}

static const char *c_queue_size_not_pow2(void)
{
	return bad_queue(15, VH_RING, VH_RING_AVAIL, VH_RING_USED);
}

static const char *c_queue_size_too_big(void)
{
	return bad_queue(512, VH_RING, VH_RING_AVAIL, VH_RING_USED);
}

static const char *c_queue_size_zero(void)
{
	return bad_queue(0, VH_RING, VH_RING_AVAIL, VH_RING_USED);
}

static const char *c_queue_enable_before_features_ok(void)
{
	const char *err = vd_reset(d);

	if (err)
		return err;
	vd_set_status(d, ST_ACKNOWLEDGE);
	vd_set_status(d, ST_ACKNOWLEDGE | ST_DRIVER);
	vd_queue_setup(d, 0, VH_QSIZE, VH_RING, VH_RING_AVAIL, VH_RING_USED);
	vd_queue_enable(d, 0);
	return expect_reset(false);
}

/* FEATURES_OK must not stick without VERSION_1; enabling a queue then breaks. */
static const char *c_features_without_version1(void)
{
	const char *err = vd_reset(d);
	uint8_t st;

	if (!err)
		err = vd_negotiate(d, FBIT(F_INDIRECT_DESC), false);
	if (err)
		return err;
	st = vd_status(d);
	if (st & ST_FEATURES_OK)
		return errf("FEATURES_OK accepted without VERSION_1 (status 0x%x)", st);
	vd_queue_setup(d, 0, VH_QSIZE, VH_RING, VH_RING_AVAIL, VH_RING_USED);
	vd_queue_enable(d, 0);
	return expect_reset(false);
}

/* A feature the device did not offer: FEATURES_OK refused, nothing breaks. */
static const char *c_features_unoffered(void)
{
	const char *err = vd_reset(d);
	uint8_t st;

	if (!err)
		err = vd_negotiate(d, DEFAULT_FEATURES | FBIT(50), false);
	if (err)
		return err;
	st = vd_status(d);
	if (st & (ST_FEATURES_OK | ST_NEEDS_RESET))
		return errf("status 0x%x after unoffered feature bit 50", st);
	return NULL;
}

/* ---- notifications and DMA permission ------------------------------------ */

/* A notification for a queue that does not exist, and one with a wrong value. */
static const char *c_notify_bogus(void)
{
	const char *err;

	vd_notify(d, 5, 5);
	vd_notify(d, 7, 0xffff);
	err = expect_quiet();
	if (err)
		return errf("after a notify of queue 5: %s", err);
	/* Queue 0's doorbell with another value (no ioeventfd match: an exit). */
	std_read(15);
	q0->avail->ring[q0->avail_idx % q0->size] = 0;
	barrier();
	q0->avail->idx = ++q0->avail_idx;
	vd_notify(d, 0, 0x1234);
	return expect_used(0, BLK_SECTOR + 1, BLK_S_OK) ?: check_data(15, DATA, BLK_SECTOR);
}

/* Without bus mastering the device must not touch memory; with it, it serves. */
static const char *c_dma_without_bus_master(void)
{
	uint16_t cmd = vd_pci_command(d);
	const char *err;

	vd_set_pci_command(d, cmd & ~0x4);
	std_read(16);
	vd_submit(d, 0, 0);
	err = expect_quiet();
	vd_set_pci_command(d, cmd);
	if (err)
		return errf("bus mastering off: %s", err);
	vd_notify(d, 0, 0);
	return expect_used(0, BLK_SECTOR + 1, BLK_S_OK) ?: check_data(16, DATA, BLK_SECTOR);
}

/* The data lands on the descriptor table the device has just parsed. */
static const char *c_dma_over_desc_table(void)
{
	std_read(18);
	q0->desc[1].addr = VH_RING;	/* 512 bytes: all 16 descriptors and beyond */
	vd_submit(d, 0, 0);
	return expect_used(0, BLK_SECTOR + 1, BLK_S_OK) ?: check_data(18, phys(VH_RING), BLK_SECTOR);
}

/* ---- MSI-X messages the guest points anywhere ---------------------------- */

/*
 * The queue interrupt of a good read goes out as the message (addr,
 * data): the monitor passes it to vireo.ko, which delivers or refuses it;
 * either way the read completes and nothing else changes.
 */
static const char *msix_read(uint32_t addr, uint32_t data)
{
	const char *err = vd_msix_on(d, addr, data);

	if (!err)
		err = good_read(21);
	vd_msix_off(d);
	return err;
}

static const char *c_msix_bogus_address(void)
{
	return msix_read(0x12345000U, 0x41);	/* not the APIC window */
}

static const char *c_msix_illegal_vector(void)
{
	return msix_read(0xfee00000U, 0x02);	/* fixed, vector 2 (< 16: illegal) */
}

static const char *c_msix_smi(void)
{
	return msix_read(0xfee00000U, 0x200);	/* delivery mode SMI */
}

/* ---- many incidents in a row (the monitor's message rate limit) ---------- */

static const char *c_flood(void)
{
	unsigned int i;
	const char *err;

	for (i = 0; i < FLOOD_ROUNDS; i++) {
		err = i ? vd_start(d, DEFAULT_FEATURES) : NULL;
		if (err)
			return errf("round %u: start: %s", i, err);
		std_read(0);
		q0->desc[0].next = 0;
		vd_submit(d, 0, 0);
		err = expect_reset(true);
		if (err)
			return errf("round %u: %s", i, err);
	}
	return NULL;
}

/* ---- the table ----------------------------------------------------------- */

static const struct vcase cases[] = {
	{ "good-read", c_good_read, AFTER_SAME_QUEUE },
	{ "config-capacity", c_capacity, AFTER_SAME_QUEUE },
	{ "good-scatter", c_good_scatter, AFTER_SAME_QUEUE },
	{ "good-indirect", c_good_indirect, AFTER_SAME_QUEUE },
	{ "good-direct-then-indirect", c_good_direct_then_indirect, AFTER_SAME_QUEUE },
	{ "good-get-id", c_good_get_id, AFTER_SAME_QUEUE },
	{ "zero-len-desc-outside-ram", c_zero_len_outside_ram, AFTER_SAME_QUEUE },

	{ "blk-sector-beyond-disk", c_blk_sector_beyond_disk, AFTER_SAME_QUEUE },
	{ "blk-sector-overflow", c_blk_sector_overflow, AFTER_SAME_QUEUE },
	{ "blk-partial-sector", c_blk_partial_sector, AFTER_SAME_QUEUE },
	{ "blk-write-past-end", c_blk_write_past_end, AFTER_SAME_QUEUE },
	{ "blk-unknown-type", c_blk_unknown_type, AFTER_SAME_QUEUE },

	{ "addr-beyond-ram", c_addr_beyond_ram, AFTER_RESET },
	{ "addr-above-4g", c_addr_above_4g, AFTER_RESET },
	{ "addr-pci-hole", c_addr_pci_hole, AFTER_RESET },
	{ "addr-own-bar", c_addr_own_bar, AFTER_RESET },
	{ "addr-lapic", c_addr_lapic, AFTER_RESET },
	{ "addr-wrap-into-ram", c_addr_wrap_into_ram, AFTER_RESET },
	{ "addr-straddles-ram-end", c_addr_straddles_ram_end, AFTER_RESET },
	{ "len-beyond-ram", c_len_beyond_ram, AFTER_RESET },
	{ "len-4g", c_len_4g, AFTER_RESET },
	{ "hdr-outside-ram", c_hdr_outside_ram, AFTER_RESET },
	{ "status-in-pci-hole", c_status_in_pci_hole, AFTER_RESET },
	{ "chain-bytes-overflow", c_chain_bytes_overflow, AFTER_RESET },

	{ "next-out-of-range", c_next_out_of_range, AFTER_RESET },
	{ "next-ffff", c_next_ffff, AFTER_RESET },
	{ "avail-entry-out-of-range", c_avail_entry_out_of_range, AFTER_RESET },
	{ "avail-entry-ffff", c_avail_entry_ffff, AFTER_RESET },
	{ "loop-self", c_loop_self, AFTER_RESET },
	{ "loop-pair", c_loop_pair, AFTER_RESET },
	{ "loop-writable", c_loop_writable, AFTER_RESET },
	{ "loop-whole-table", c_loop_whole_table, AFTER_RESET },
	{ "chain-longer-than-queue", c_chain_longer_than_queue, AFTER_RESET },
	{ "readable-after-writable", c_readable_after_writable, AFTER_RESET },
	{ "write-only-header", c_write_only_header, AFTER_RESET },
	{ "no-status-byte", c_no_status_byte, AFTER_RESET },
	{ "short-header", c_short_header, AFTER_RESET },
	{ "all-zero-length", c_all_zero_length, AFTER_RESET },

	{ "indirect-loop", c_indirect_loop, AFTER_RESET },
	{ "indirect-self-loop", c_indirect_self_loop, AFTER_RESET },
	{ "indirect-nested", c_indirect_nested, AFTER_RESET },
	{ "indirect-outside-ram", c_indirect_outside_ram, AFTER_RESET },
	{ "indirect-in-pci-hole", c_indirect_in_pci_hole, AFTER_RESET },
	{ "indirect-straddles-ram-end", c_indirect_straddles_ram_end, AFTER_RESET },
	{ "indirect-wrap", c_indirect_wrap, AFTER_RESET },
	{ "indirect-too-long", c_indirect_too_long, AFTER_RESET },
	{ "indirect-len-zero", c_indirect_len_zero, AFTER_RESET },
	{ "indirect-len-odd", c_indirect_len_odd, AFTER_RESET },
	{ "indirect-with-next", c_indirect_with_next, AFTER_RESET },
	{ "indirect-next-out-of-range", c_indirect_next_out_of_range, AFTER_RESET },
	{ "indirect-not-negotiated", c_indirect_not_negotiated, AFTER_RESET },

	{ "avail-idx-jump", c_avail_idx_jump, AFTER_RESET },
	{ "avail-idx-backwards", c_avail_idx_backwards, AFTER_RESET },
	{ "broken-ignores-queue", c_broken_ignores_queue, AFTER_RESET },

	{ "ring-desc-outside-ram", c_ring_desc_outside_ram, AFTER_RESET },
	{ "ring-avail-in-pci-hole", c_ring_avail_in_pci_hole, AFTER_RESET },
	{ "ring-used-above-4g", c_ring_used_above_4g, AFTER_RESET },
	{ "ring-used-straddles-ram-end", c_ring_used_straddles_ram_end, AFTER_RESET },
	{ "ring-desc-wrap", c_ring_desc_wrap, AFTER_RESET },
	{ "ring-desc-misaligned", c_ring_desc_misaligned, AFTER_RESET },
	{ "queue-size-not-pow2", c_queue_size_not_pow2, AFTER_RESET },
	{ "queue-size-too-big", c_queue_size_too_big, AFTER_RESET },
	{ "queue-size-zero", c_queue_size_zero, AFTER_RESET },
	{ "queue-enable-before-features-ok", c_queue_enable_before_features_ok, AFTER_RESET },
	{ "features-without-version1", c_features_without_version1, AFTER_RESET },
	{ "features-unoffered", c_features_unoffered, AFTER_RESET },

	{ "notify-bogus", c_notify_bogus, AFTER_SAME_QUEUE },
	{ "dma-without-bus-master", c_dma_without_bus_master, AFTER_SAME_QUEUE },
	{ "dma-over-desc-table", c_dma_over_desc_table, AFTER_SAME_QUEUE },
	{ "msix-bogus-address", c_msix_bogus_address, AFTER_SAME_QUEUE },
	{ "msix-illegal-vector", c_msix_illegal_vector, AFTER_SAME_QUEUE },
	{ "msix-smi", c_msix_smi, AFTER_SAME_QUEUE },

	/* Last of virtio-blk's: it uses up the device's message budget. */
	{ "flood", c_flood, AFTER_RESET },
};

/* The follow-up: sector 17 + n of the pattern reads back. */
static const char *blk_check(const struct vcase *c, unsigned int n)
{
	const char *err = good_read(17 + n % (PATTERN_SECTORS - 17));

	(void)c;
	return err ? errf("follow-up read: %s", err) : NULL;
}

const struct vhdev vh_blk = {
	.dev = &blk_dev,
	.features = DEFAULT_FEATURES,
	.check = blk_check,
	.cases = cases,
	.nr_cases = ARRAY_SIZE(cases),
};

/* ---- running them -------------------------------------------------------- */

static const struct vhdev *const devices[] = { &vh_blk, &vh_net, &vh_con, &vh_rng };

static unsigned int nr_pass, nr_fail;

static void verdict(const struct vcase *c, const char *err)
{
	if (err) {
		nr_fail++;
		vh_printf("CASE %s FAIL %s\n", c->name, err);
	} else {
		nr_pass++;
		vh_printf("CASE %s PASS\n", c->name);
	}
}

static const char *follow_up(const struct vhdev *v, const struct vcase *c, unsigned int n)
{
	const char *err;
	uint8_t st;

	if (c->after == AFTER_RESET) {
		err = vd_start(v->dev, v->features);
		if (err)
			return errf("restart: %s", err);
	} else {
		st = vd_status(v->dev);
		if (st != (ST_ACKNOWLEDGE | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK))
			return errf("device status 0x%x after the case, want 0xf", st);
	}
	return v->check(c, n);
}

/* One device's table: every case is reported, also when the device is missing. */
static void run_device(const struct vhdev *v, uint32_t ram_end)
{
	struct vdev *dv = v->dev;
	bool ready = false;
	const char *err;
	unsigned int i;

	dv->ram_end = ram_end;
	err = vd_probe(dv);
	if (err) {
		err = errf("probe: %s", err);
		for (i = 0; i < v->nr_cases; i++)
			verdict(&v->cases[i], err);
		return;
	}
	vh_printf("virtio-hostile: %s at 00:%02x.0, common 0x%x, notify 0x%x (%s, x%u), "
		  "isr 0x%x, RAM to 0x%x\n",
		  dv->name, dv->devfn >> 3, dv->common, dv->notify,
		  dv->notify_io ? "ports" : "memory", dv->notify_mult, dv->isr, dv->ram_end);

	for (i = 0; i < v->nr_cases; i++) {
		const struct vcase *c = &v->cases[i];

		err = NULL;
		if (!ready || v->restart) {
			err = vd_start(dv, v->features);
			if (err)
				err = errf("setup: %s", err);
		}
		if (!err)
			err = c->run ? c->run() : vh_attack(c->target, c->attack);
		if (!err)
			err = follow_up(v, c, i);
		ready = !err;
		verdict(c, err);
	}
}

void vh_main(uint32_t magic, uint32_t info);
void vh_main(uint32_t magic, uint32_t info)
{
	uint32_t ram_end;
	unsigned int i;

	vh_ms();
	vh_printf("virtio-hostile: start\n");
	if (magic != 0x2badb002U || !(*(volatile uint32_t *)phys(info) & 1)) {
		vh_printf("FATAL not booted by a Multiboot loader with memory information\n");
		goto out;
	}
	ram_end = (*(volatile uint32_t *)phys(info + 8) + 1024) * 1024;
	if (ram_end < VH_MIN_RAM) {
		vh_printf("FATAL %u KiB of RAM, the cases need %u\n", ram_end >> 10,
			  VH_MIN_RAM >> 10);
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(devices); i++)
		run_device(devices[i], ram_end);
out:
	vh_printf("DONE cases=%u pass=%u fail=%u resets=%u\n", nr_pass + nr_fail, nr_pass,
		  nr_fail, vh_nr_resets);
	vh_poweroff(nr_fail ? 1 : 0);
}
