// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk over a raw temp file opened through libvireo-disk, driven
 * through the PCI transport:
 * reads, writes, flush, GET_ID, every out-of-range shape, read-only
 * disks, unknown requests and malformed ones.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk/disk.h"
#include "test.h"
#include "test_virtio_dev.h"
#include "virtio/blk.h"

#define DISK_SECTORS 2048	/* 1 MiB */
#define SEC 512

static struct tvdev tv;
static char path[64];

/* Sector s of the test image is filled with bytes (s * 7 + i) & 0xff. */
static uint8_t pattern(uint64_t s, unsigned int i)
{
	return (uint8_t)(s * 7 + i);
}

static int make_image(uint64_t bytes)
{
	uint8_t buf[SEC];
	int fd;

	strcpy(path, "/tmp/vireo-blk-test-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	for (uint64_t s = 0; s * SEC < bytes; s++) {
		size_t n = bytes - s * SEC < SEC ? bytes - s * SEC : SEC;

		for (unsigned int i = 0; i < SEC; i++)
			buf[i] = pattern(s, i);
		if (write(fd, buf, n) != (ssize_t)n)
			return -1;
	}
	close(fd);
	return 0;
}

/* The image at path as vireo-run opens a raw --disk: 0 or -errno. */
static int open_raw(const char *file, bool readonly, struct vireo_disk **d)
{

	return vireo_disk_open(file, VIREO_DISK_RAW, readonly ? VIREO_DISK_RDONLY : 0, d, NULL);
}

static int setup(bool readonly, uint64_t bytes)
{
	struct vireo_virtio_dev *vd;
	struct vireo_disk *d;

	if (tv_ram(&tv) || make_image(bytes))
		return -1;
	if (open_raw(path, readonly, &d))
		return -2;
	if (vireo_virtio_blk_create(&vd, &tv.tr.ram, d, "vireo-disk-0123456789"))
		return -3;
	if (tv_attach(&tv, vd))
		return -4;
	return tv_bringup(&tv, VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) | VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) |
				       (readonly ? VIRTIO_BIT(VIRTIO_BLK_F_RO) : 0) |
				       VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC),
			  64);
}

static void teardown(void)
{
	tv_detach(&tv);
	unlink(path);
}

struct req {
	uint64_t hdr, data, status;
	uint16_t head;
};

/* Post a request: header, then data (split into nseg pieces), then status. */
static struct req post(uint32_t type, uint64_t sector, uint32_t len, unsigned int nseg,
		       bool indirect)
{
	struct tdrv *d = &tv.q[0];
	struct tbuf b[16];
	struct req r;
	unsigned int n = 0;
	uint16_t dflag = type == VIRTIO_BLK_T_OUT ? 0 : VRING_DESC_F_WRITE;
	uint32_t hdr[4] = { type, 0, (uint32_t)sector, (uint32_t)(sector >> 32) };

	r.hdr = tdrv_alloc(d, 16);
	r.data = tdrv_alloc(d, len ? len : 1);
	r.status = tdrv_alloc(d, 1);
	memcpy(tram_ptr(&tv.tr, r.hdr), hdr, 16);
	*(uint8_t *)tram_ptr(&tv.tr, r.status) = 0xee;
	b[n++] = (struct tbuf){ r.hdr, 16, 0 };
	for (unsigned int i = 0; i < nseg; i++) {
		uint32_t piece = len / nseg + (i == nseg - 1 ? len % nseg : 0);

		b[n++] = (struct tbuf){ r.data + (uint64_t)(len / nseg) * i, piece, dflag };
	}
	b[n++] = (struct tbuf){ r.status, 1, VRING_DESC_F_WRITE };
	if (indirect) {
		struct tbuf ind = { tdrv_indirect(d, b, n), 16 * n, VRING_DESC_F_INDIRECT };

		r.head = tdrv_add(d, &ind, 1);
	} else {
		r.head = tdrv_add(d, b, n);
	}
	return r;
}

static uint8_t status_of(const struct req *r)
{
	return *(uint8_t *)tram_ptr(&tv.tr, r->status);
}

/* Kick and take the one completion: its used length. */
static uint32_t complete(const struct req *r)
{
	uint32_t id, len;

	tv_kick(&tv, 0);
	if (!tdrv_used_next(&tv.q[0], &id, &len) || id != r->head)
		return 0xdeadbeef;
	return len;
}

static bool data_is_pattern(uint64_t gpa, uint64_t sector, uint32_t len)
{
	const uint8_t *p = tram_ptr(&tv.tr, gpa);

	for (uint32_t i = 0; i < len; i++)
		if (p[i] != pattern(sector + i / SEC, i % SEC))
			return false;
	return true;
}

static void blk_config(void)
{
	uint64_t f;

	T_EQ(setup(false, DISK_SECTORS * SEC + 100), 0);
	/* Capacity in whole sectors: the 100-byte tail is not addressable. */
	T_EQ(tv_read(&tv, VIREO_VIRTIO_PCI_DEVICE + VIRTIO_BLK_CFG_CAPACITY, 8), DISK_SECTORS);
	T_EQ(tv_read(&tv, VIREO_VIRTIO_PCI_DEVICE + VIRTIO_BLK_CFG_SEG_MAX, 4),
	     VIREO_VIRTIO_BLK_SEG_MAX);
	f = tv_device_features(&tv);
	T_TRUE(f & VIRTIO_BIT(VIRTIO_BLK_F_FLUSH));
	T_TRUE(!(f & VIRTIO_BIT(VIRTIO_BLK_F_RO)));
	T_EQ(tp_cf8_read(&tv.tb, TV_DEVFN, 2, 2), 0x1042);
	teardown();
}

static void blk_read(void)
{
	struct req r;

	T_EQ(setup(false, DISK_SECTORS * SEC), 0);
	r = post(VIRTIO_BLK_T_IN, 5, 3 * SEC, 1, false);
	T_EQ(complete(&r), 3 * SEC + 1);
	T_EQ(status_of(&r), VIRTIO_BLK_S_OK);
	T_TRUE(data_is_pattern(r.data, 5, 3 * SEC));
	/* Scattered over 7 descriptors, through an indirect table. */
	r = post(VIRTIO_BLK_T_IN, 100, 8 * SEC, 7, true);
	T_EQ(complete(&r), 8 * SEC + 1);
	T_EQ(status_of(&r), VIRTIO_BLK_S_OK);
	T_TRUE(data_is_pattern(r.data, 100, 8 * SEC));
	/* The last sector. */
	r = post(VIRTIO_BLK_T_IN, DISK_SECTORS - 1, SEC, 1, false);
	T_EQ(complete(&r), SEC + 1);
	T_TRUE(data_is_pattern(r.data, DISK_SECTORS - 1, SEC));
	/* Zero-length read: fine, nothing read. */
	r = post(VIRTIO_BLK_T_IN, 0, 0, 0, false);
	T_EQ(complete(&r), 1);
	T_EQ(status_of(&r), VIRTIO_BLK_S_OK);
	teardown();
}

static void blk_write_flush(void)
{
	uint8_t back[2 * SEC];
	struct req r;
	int fd;

	T_EQ(setup(false, DISK_SECTORS * SEC), 0);
	r = post(VIRTIO_BLK_T_OUT, 10, 2 * SEC, 3, false);
	memset(tram_ptr(&tv.tr, r.data), 0x5a, 2 * SEC);
	T_EQ(complete(&r), 1);
	T_EQ(status_of(&r), VIRTIO_BLK_S_OK);
	r = post(VIRTIO_BLK_T_FLUSH, 0, 0, 0, false);
	T_EQ(complete(&r), 1);
	T_EQ(status_of(&r), VIRTIO_BLK_S_OK);
	/* In the file ... */
	fd = open(path, O_RDONLY);
	T_TRUE(fd >= 0);
	T_EQ(pread(fd, back, sizeof(back), 10 * SEC), sizeof(back));
	close(fd);
	for (unsigned int i = 0; i < sizeof(back); i++)
		T_EQ(back[i], 0x5a);
	/* ... and read back by the guest, neighbours untouched. */
	r = post(VIRTIO_BLK_T_IN, 9, 4 * SEC, 1, false);
	T_EQ(complete(&r), 4 * SEC + 1);
	T_TRUE(data_is_pattern(r.data, 9, SEC));
	T_EQ(((uint8_t *)tram_ptr(&tv.tr, r.data))[SEC], 0x5a);
	T_TRUE(data_is_pattern(r.data + 3 * SEC, 12, SEC));
	teardown();
}

static void blk_out_of_range(void)
{
	static const struct {
		uint32_t type;
		uint64_t sector;
		uint32_t len;
	} bad[] = {
		{ VIRTIO_BLK_T_IN, DISK_SECTORS, SEC },		/* just past the end */
		{ VIRTIO_BLK_T_IN, DISK_SECTORS - 1, 2 * SEC },	/* straddles it */
		{ VIRTIO_BLK_T_OUT, DISK_SECTORS, SEC },
		{ VIRTIO_BLK_T_OUT, DISK_SECTORS - 1, 2 * SEC },
		{ VIRTIO_BLK_T_IN, 0xffffffffffffffffULL, SEC },	/* sector * 512 wraps */
		{ VIRTIO_BLK_T_IN, 0x0080000000000000ULL, SEC },	/* exactly 2^64 bytes */
		{ VIRTIO_BLK_T_OUT, 0xfffffffffffffff0ULL, 32 * SEC },
		{ VIRTIO_BLK_T_IN, 0, SEC + 1 },		/* not whole sectors */
		{ VIRTIO_BLK_T_OUT, 0, 100 },
	};

	T_EQ(setup(false, DISK_SECTORS * SEC), 0);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct req r = post(bad[i].type, bad[i].sector, bad[i].len, 1, false);

		T_EQ(complete(&r), 1);
		T_EQ(status_of(&r), VIRTIO_BLK_S_IOERR);
	}
	/* The disk is unchanged and the device still works. */
	{
		struct req r = post(VIRTIO_BLK_T_IN, DISK_SECTORS - 1, SEC, 1, false);

		T_EQ(complete(&r), SEC + 1);
		T_EQ(status_of(&r), VIRTIO_BLK_S_OK);
		T_TRUE(data_is_pattern(r.data, DISK_SECTORS - 1, SEC));
	}
	T_EQ(tv_status(&tv) & VIRTIO_STATUS_NEEDS_RESET, 0);
	teardown();
}

static void blk_readonly(void)
{
	struct req r;
	uint8_t back[SEC];
	int fd;

	T_EQ(setup(true, DISK_SECTORS * SEC), 0);
	T_TRUE(tv_device_features(&tv) & VIRTIO_BIT(VIRTIO_BLK_F_RO));
	r = post(VIRTIO_BLK_T_OUT, 3, SEC, 1, false);
	memset(tram_ptr(&tv.tr, r.data), 0, SEC);
	T_EQ(complete(&r), 1);
	T_EQ(status_of(&r), VIRTIO_BLK_S_IOERR);
	fd = open(path, O_RDONLY);
	T_TRUE(fd >= 0);
	T_EQ(pread(fd, back, SEC, 3 * SEC), SEC);
	close(fd);
	for (unsigned int i = 0; i < SEC; i++)
		T_EQ(back[i], pattern(3, i));
	/* Reads and flushes still work. */
	r = post(VIRTIO_BLK_T_IN, 3, SEC, 1, false);
	T_EQ(complete(&r), SEC + 1);
	T_EQ(status_of(&r), VIRTIO_BLK_S_OK);
	r = post(VIRTIO_BLK_T_FLUSH, 0, 0, 0, false);
	T_EQ(complete(&r), 1);
	T_EQ(status_of(&r), VIRTIO_BLK_S_OK);
	teardown();
}

static void blk_get_id_unsupp(void)
{
	struct req r;

	T_EQ(setup(false, DISK_SECTORS * SEC), 0);
	r = post(VIRTIO_BLK_T_GET_ID, 0, VIRTIO_BLK_ID_BYTES, 1, false);
	T_EQ(complete(&r), VIRTIO_BLK_ID_BYTES + 1);
	T_EQ(status_of(&r), VIRTIO_BLK_S_OK);
	T_TRUE(!memcmp(tram_ptr(&tv.tr, r.data), "vireo-disk-012345678", 20));	/* cut at 20 */
	/* A smaller buffer gets what fits. */
	r = post(VIRTIO_BLK_T_GET_ID, 0, 5, 1, false);
	T_EQ(complete(&r), 6);
	T_TRUE(!memcmp(tram_ptr(&tv.tr, r.data), "vireo", 5));
	/* Unknown request types (discard, write zeroes: not offered). */
	r = post(11, 0, SEC, 1, false);
	T_EQ(complete(&r), 1);
	T_EQ(status_of(&r), VIRTIO_BLK_S_UNSUPP);
	r = post(0x12345678, 0, 0, 0, false);
	T_EQ(complete(&r), 1);
	T_EQ(status_of(&r), VIRTIO_BLK_S_UNSUPP);
	teardown();
}

static void blk_malformed(void)
{
	struct tbuf b[2];
	uint32_t id, len;

	/* A header of 8 bytes. */
	T_EQ(setup(false, DISK_SECTORS * SEC), 0);
	b[0] = (struct tbuf){ tdrv_alloc(&tv.q[0], 8), 8, 0 };
	b[1] = (struct tbuf){ tdrv_alloc(&tv.q[0], 1), 1, VRING_DESC_F_WRITE };
	tdrv_add(&tv.q[0], b, 2);
	tv_kick(&tv, 0);
	T_TRUE(tv_status(&tv) & VIRTIO_STATUS_NEEDS_RESET);
	T_STR_CONTAINS(tv.last_log, "header or status");
	T_TRUE(!tdrv_used_next(&tv.q[0], &id, &len));
	teardown();

	/* No status byte (nothing writable). */
	T_EQ(setup(false, DISK_SECTORS * SEC), 0);
	b[0] = (struct tbuf){ tdrv_alloc(&tv.q[0], 16), 16, 0 };
	tdrv_add(&tv.q[0], b, 1);
	tv_kick(&tv, 0);
	T_TRUE(tv_status(&tv) & VIRTIO_STATUS_NEEDS_RESET);
	teardown();

	/* Data in guest RAM that is not RAM: the ring check catches it. */
	T_EQ(setup(false, DISK_SECTORS * SEC), 0);
	b[0] = (struct tbuf){ tdrv_alloc(&tv.q[0], 16), 16, 0 };
	b[1] = (struct tbuf){ 0xfee00000ULL, 512, VRING_DESC_F_WRITE };
	tdrv_add(&tv.q[0], b, 2);
	tv_kick(&tv, 0);
	T_TRUE(tv_status(&tv) & VIRTIO_STATUS_NEEDS_RESET);
	T_STR_CONTAINS(tv.last_log, "outside guest RAM");
	teardown();
}

static void blk_batch(void)
{
	struct req r[20];
	uint32_t id, len;

	T_EQ(setup(false, DISK_SECTORS * SEC), 0);
	for (unsigned int i = 0; i < 20; i++)
		r[i] = post(VIRTIO_BLK_T_IN, i * 3, SEC, 1, false);
	tv_kick(&tv, 0);
	for (unsigned int i = 0; i < 20; i++) {
		T_TRUE(tdrv_used_next(&tv.q[0], &id, &len));
		T_EQ(id, r[i].head);
		T_EQ(status_of(&r[i]), VIRTIO_BLK_S_OK);
		T_TRUE(data_is_pattern(r[i].data, i * 3, SEC));
	}
	/* One interrupt for the batch (INTx level, ISR bit). */
	T_EQ(tv_read(&tv, VIREO_VIRTIO_PCI_ISR, 1), VIRTIO_PCI_ISR_QUEUE);
	teardown();
}

static void blk_raw_open_errors(void)
{
	struct vireo_disk *a, *b;

	T_EQ(open_raw("/nonexistent/vireo", false, &a), -ENOENT);
	T_EQ(open_raw("/tmp", true, &a), -EINVAL);
	T_EQ(make_image(4096), 0);
	/* One writer at a time; readers share. */
	T_EQ(open_raw(path, false, &a), 0);
	T_EQ(vireo_disk_size(a), 4096);
	T_EQ(open_raw(path, false, &b), -EBUSY);
	T_EQ(open_raw(path, true, &b), -EBUSY);
	vireo_disk_close(a);
	T_EQ(open_raw(path, true, &a), 0);
	T_EQ(open_raw(path, true, &b), 0);
	T_TRUE(vireo_disk_readonly(a) && vireo_disk_readonly(b));
	vireo_disk_close(a);
	vireo_disk_close(b);
	unlink(path);
}

/*
 * A raw disk takes QEMU's lock bytes (libvireo-disk's lock.c), so
 * that QEMU refuses to write an image a Vireo guest is using.
 */
static void blk_raw_locks_against_qemu(void)
{
	struct vireo_disk *a;
	char cmd[200];

	if (system("command -v qemu-io >/dev/null 2>&1")) {
		vireo_test_skip("qemu-io not installed (make deps installs qemu-utils)");
		return;
	}
	T_EQ(make_image(4096), 0);
	snprintf(cmd, sizeof(cmd), "qemu-io -f raw -c 'write 0 512' %s >/dev/null 2>&1", path);
	T_EQ(open_raw(path, false, &a), 0);
	T_TRUE(system(cmd) != 0);
	vireo_disk_close(a);
	T_EQ(open_raw(path, true, &a), 0);
	T_TRUE(system(cmd) != 0);	/* a reader does not share write either */
	vireo_disk_close(a);
	T_EQ(system(cmd), 0);
	unlink(path);
}

/* Is the file at path (written by make_image) still all pattern in [sector, +n)? */
static bool file_is_pattern(uint64_t sector, unsigned int n)
{
	uint8_t back[SEC];
	bool same = true;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return false;
	for (unsigned int s = 0; s < n && same; s++) {
		if (pread(fd, back, SEC, (off_t)((sector + s) * SEC)) != SEC)
			same = false;
		for (unsigned int i = 0; i < SEC && same; i++)
			same = back[i] == pattern(sector + s, i);
	}
	close(fd);
	return same;
}

static void blk_hold(void)
{
	uint8_t buf[2 * SEC];
	struct req w, r;
	uint32_t id, len;

	T_EQ(setup(false, DISK_SECTORS * SEC), 0);
	/* Not held: the monitor's read is refused. */
	T_EQ(vireo_virtio_blk_read(tv.vd, buf, SEC, 0), -EPERM);
	vireo_virtio_blk_hold(tv.vd, true);
	/* The guest writes and reads while held: nothing is served, the disk is as it was. */
	w = post(VIRTIO_BLK_T_OUT, 10, 2 * SEC, 1, false);
	memset(tram_ptr(&tv.tr, w.data), 0x5a, 2 * SEC);
	tv_kick(&tv, 0);
	r = post(VIRTIO_BLK_T_IN, 10, SEC, 1, false);
	tv_kick(&tv, 0);
	T_TRUE(!tdrv_used_next(&tv.q[0], &id, &len));
	T_EQ(status_of(&w), 0xee);
	T_TRUE(file_is_pattern(10, 2));
	/* The monitor reads the disk as it is, inside it only. */
	T_EQ(vireo_virtio_blk_read(tv.vd, buf, sizeof(buf), 10 * SEC), 0);
	for (unsigned int i = 0; i < sizeof(buf); i++)
		T_EQ(buf[i], pattern(10 + i / SEC, i % SEC));
	T_EQ(vireo_virtio_blk_read(tv.vd, buf, SEC, (DISK_SECTORS - 1) * SEC), 0);
	T_EQ(vireo_virtio_blk_read(tv.vd, buf, 2 * SEC, (DISK_SECTORS - 1) * SEC), -EINVAL);
	T_EQ(vireo_virtio_blk_read(tv.vd, buf, SEC, ~0ULL), -EINVAL);
	/* A driver reset does not end the hold. */
	vireo_virtio_reset(tv.vd);
	T_EQ(vireo_virtio_blk_read(tv.vd, buf, SEC, 0), 0);
	vireo_virtio_blk_hold(tv.vd, false);
	teardown();

	/* The release serves the requests that waited, in order. */
	T_EQ(setup(false, DISK_SECTORS * SEC), 0);
	vireo_virtio_blk_hold(tv.vd, true);
	w = post(VIRTIO_BLK_T_OUT, 10, 2 * SEC, 1, false);
	memset(tram_ptr(&tv.tr, w.data), 0x5a, 2 * SEC);
	r = post(VIRTIO_BLK_T_IN, 10, SEC, 1, false);
	tv_kick(&tv, 0);
	T_TRUE(!tdrv_used_next(&tv.q[0], &id, &len));
	vireo_virtio_blk_hold(tv.vd, false);
	T_TRUE(tdrv_used_next(&tv.q[0], &id, &len));
	T_EQ(id, w.head);
	T_EQ(status_of(&w), VIRTIO_BLK_S_OK);
	T_TRUE(tdrv_used_next(&tv.q[0], &id, &len));
	T_EQ(id, r.head);
	T_EQ(((uint8_t *)tram_ptr(&tv.tr, r.data))[0], 0x5a);
	T_TRUE(!file_is_pattern(10, 1));
	teardown();
}

static uint8_t cfg_generation(void)
{
	return (uint8_t)tv_read(&tv, VIRTIO_PCI_COMMON_CFGGEN, 1);
}

static uint64_t capacity(void)
{
	return tv_read(&tv, VIREO_VIRTIO_PCI_DEVICE + VIRTIO_BLK_CFG_CAPACITY, 8);
}

static void blk_resize(void)
{
	struct stat st;
	uint8_t gen;
	struct req r;

	T_EQ(setup(false, DISK_SECTORS * SEC), 0);
	gen = cfg_generation();
	T_EQ(tv_read(&tv, VIREO_VIRTIO_PCI_ISR, 1), 0);
	/* Refused: shrinking, part sectors; nothing changes, no interrupt. */
	T_EQ(vireo_virtio_blk_resize(tv.vd, (DISK_SECTORS - 1) * SEC), -EINVAL);
	T_EQ(vireo_virtio_blk_resize(tv.vd, DISK_SECTORS * SEC * 2 + 1), -EINVAL);
	T_EQ(vireo_virtio_blk_resize(tv.vd, DISK_SECTORS * SEC), 0);	/* the same: no-op */
	T_EQ(capacity(), DISK_SECTORS);
	T_EQ(cfg_generation(), gen);
	T_EQ(tv_read(&tv, VIREO_VIRTIO_PCI_ISR, 1), 0);
	/* Grown: file, capacity, generation, the config interrupt (INTx + ISR bit 1). */
	T_EQ(vireo_virtio_blk_resize(tv.vd, 3 * DISK_SECTORS * SEC), 0);
	T_EQ(stat(path, &st), 0);
	T_EQ(st.st_size, 3 * DISK_SECTORS * SEC);
	T_EQ(vireo_virtio_blk_size(tv.vd), 3 * DISK_SECTORS * SEC);
	T_EQ(capacity(), 3 * DISK_SECTORS);
	T_TRUE(cfg_generation() != gen);
	T_TRUE(tv.tb.gsi[tv.vp.pci.gsi]);
	T_EQ(tv_read(&tv, VIREO_VIRTIO_PCI_ISR, 1), VIRTIO_PCI_ISR_CONFIG);
	/* The new sectors are there for the guest: zeros, writable; the old ones kept. */
	r = post(VIRTIO_BLK_T_IN, 3 * DISK_SECTORS - 1, SEC, 1, false);
	T_EQ(complete(&r), SEC + 1);
	T_EQ(status_of(&r), VIRTIO_BLK_S_OK);
	T_EQ(((uint8_t *)tram_ptr(&tv.tr, r.data))[7], 0);
	r = post(VIRTIO_BLK_T_OUT, 2 * DISK_SECTORS, SEC, 1, false);
	T_EQ(complete(&r), 1);
	T_EQ(status_of(&r), VIRTIO_BLK_S_OK);
	T_TRUE(file_is_pattern(DISK_SECTORS - 1, 1));
	teardown();

	/* Read-only: refused. */
	T_EQ(setup(true, DISK_SECTORS * SEC), 0);
	gen = cfg_generation();
	T_TRUE(vireo_virtio_blk_readonly(tv.vd));
	T_EQ(vireo_virtio_blk_resize(tv.vd, 2 * DISK_SECTORS * SEC), -EROFS);
	T_EQ(capacity(), DISK_SECTORS);
	T_EQ(cfg_generation(), gen);
	T_EQ(stat(path, &st), 0);
	T_EQ(st.st_size, DISK_SECTORS * SEC);
	teardown();
}

/* With MSI-X, the resize interrupt is the config vector's message. */
static void blk_resize_msix(void)
{
	uint64_t table;
	unsigned int cap;

	T_EQ(tv_ram(&tv) || make_image(DISK_SECTORS * SEC), 0);
	{
		struct vireo_virtio_dev *vd;
		struct vireo_disk *d;

		T_EQ(open_raw(path, false, &d), 0);
		T_EQ(vireo_virtio_blk_create(&vd, &tv.tr.ram, d, NULL), 0);
		T_EQ(tv_attach(&tv, vd), 0);
	}
	table = tv.msix_bar + VIREO_VIRTIO_PCI_MSIX_TABLE;
	cap = tv.vp.pci.msix_cap;
	tp_cf8_write(&tv.tb, TV_DEVFN, cap + 2, 2, VIREO_PCI_MSIX_FLAGS_ENABLE);
	for (unsigned int v = 0; v < 2; v++) {
		tp_mmio_write(&tv.tb, table + 16 * v, 4, 0xfee00000);
		tp_mmio_write(&tv.tb, table + 16 * v + 4, 4, 0);
		tp_mmio_write(&tv.tb, table + 16 * v + 8, 4, 0x50 + v);
		tp_mmio_write(&tv.tb, table + 16 * v + 12, 4, 0);
	}
	T_TRUE(tv_negotiate(&tv, VIRTIO_BIT(VIRTIO_F_VERSION_1)) & VIRTIO_STATUS_FEATURES_OK);
	tv_write(&tv, VIRTIO_PCI_COMMON_MSIX, 2, 0);	/* config: vector 0 */
	tv_queue(&tv, 0, 64);
	tv_write(&tv, VIRTIO_PCI_COMMON_Q_MSIX, 2, 1);
	tv_set_status(&tv, TV_STATUS_OK);
	T_EQ(tv.tb.nmsi, 0);
	T_EQ(vireo_virtio_blk_resize(tv.vd, 2 * DISK_SECTORS * SEC), 0);
	T_EQ(tv.tb.nmsi, 1);
	T_EQ(tv.tb.msi[0].address, 0xfee00000);
	T_EQ(tv.tb.msi[0].data, 0x50);
	T_EQ(capacity(), 2 * DISK_SECTORS);
	T_EQ(tv.vp.isr, 0);
	teardown();
}

static const struct vireo_test vireo_tests_virtio_blk[] = {
	VIREO_TEST(blk_config),
	VIREO_TEST(blk_read),
	VIREO_TEST(blk_write_flush),
	VIREO_TEST(blk_out_of_range),
	VIREO_TEST(blk_readonly),
	VIREO_TEST(blk_get_id_unsupp),
	VIREO_TEST(blk_malformed),
	VIREO_TEST(blk_batch),
	VIREO_TEST(blk_raw_open_errors),
	VIREO_TEST(blk_raw_locks_against_qemu),
	VIREO_TEST(blk_hold),
	VIREO_TEST(blk_resize),
	VIREO_TEST(blk_resize_msix),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(virtio_blk, vireo_tests_virtio_blk);
