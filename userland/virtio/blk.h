/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-blk (virtio 1.1, 5.2): one request queue; IN, OUT, FLUSH and
 * GET_ID requests against a block backend.  Requests outside the disk,
 * of a length that is not whole sectors, or writes to a read-only disk
 * complete with VIRTIO_BLK_S_IOERR; unknown types with UNSUPP; a request
 * without a header or a status byte breaks the device (NEEDS_RESET).
 *
 * The backend is an ops table so that images other than raw files (the
 * qcow2 of libvireo-disk) plug in without touching the device.
 */
#ifndef VIREO_VIRTIO_BLK_H
#define VIREO_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "virtio/virtio.h"

#define VIREO_VIRTIO_BLK_QUEUE_SIZE	256
/* Data segments per request: the queue size less header and status. */
#define VIREO_VIRTIO_BLK_SEG_MAX	(VIREO_VIRTIO_BLK_QUEUE_SIZE - 2)

struct vireo_blk_backend;

struct vireo_blk_backend_ops {
	/* Read/write all of iov at byte offset off: 0 or -errno. */
	int (*preadv)(struct vireo_blk_backend *be, const struct iovec *iov, int n, uint64_t off);
	int (*pwritev)(struct vireo_blk_backend *be, const struct iovec *iov, int n, uint64_t off);
	/* Make completed writes durable: 0 or -errno. */
	int (*flush)(struct vireo_blk_backend *be);
	void (*close)(struct vireo_blk_backend *be);
	/* Grow the image to size bytes: 0 or -errno.  Optional (NULL: cannot grow). */
	int (*resize)(struct vireo_blk_backend *be, uint64_t size);
};

struct vireo_blk_backend {
	const struct vireo_blk_backend_ops *ops;
	void *opaque;
	uint64_t size;		/* bytes; the guest sees size / 512 sectors */
	bool readonly;
};

/*
 * A raw image: a regular file or a block device, with pread/pwrite and
 * fdatasync, locked with QEMU's lock bytes (vireo_disk_lock_fd(): -EBUSY
 * if another Vireo or QEMU has it open for writing, or read-only when we
 * want to write); a regular file grows with ftruncate (sparse), a block
 * device cannot.  0 or -errno.
 */
int vireo_blk_raw_open(const char *path, bool readonly, struct vireo_blk_backend *be);

extern const struct vireo_virtio_ops vireo_virtio_blk_ops;

/*
 * A virtio-blk device over be (copied; once this succeeds the device
 * owns the backend and closes it when destroyed).  serial is the GET_ID string (at most 20 bytes used; NULL:
 * empty).  A read-only backend offers VIRTIO_BLK_F_RO.  0 or -ENOMEM.
 */
int vireo_virtio_blk_create(struct vireo_virtio_dev **out, const struct vireo_guest_ram *ram,
			    const struct vireo_blk_backend *be, const char *serial);

/*
 * For the monitor's long operations on a disk the guest is using
 * (vireo-run's disk-export and disk-resize).  Any thread; each call takes
 * the device lock, so it is ordered with the guest's requests, which are
 * served whole under that lock.
 *
 * vireo_virtio_blk_hold(vd, true): from its return until the matching
 * release, the device takes no request off its queue, so nothing the
 * guest does changes the disk (its requests wait in the ring; the driver
 * is not told anything).  The release serves what arrived meanwhile.  A
 * device reset by the driver keeps the hold.  Holds do not nest.
 *
 * vireo_virtio_blk_read(): len bytes of the disk at byte offset off,
 * straight from the backend: 0, -EINVAL outside the disk, -EPERM when the
 * device is not held, or the backend's -errno.  It runs without the device
 * lock (the hold keeps the backend to the caller), so a vCPU touching the
 * device's registers never waits for the disk.
 *
 * vireo_virtio_blk_resize(): grow the backend to size bytes, then the
 * capacity in the configuration space, a new config generation and a
 * configuration-change interrupt (MSI-X config vector, or ISR bit 1 and
 * INTx), which is how a driver learns of it (virtio 1.1, 2.4 and
 * 4.1.5.3).  -EROFS for a read-only disk, -EINVAL when size is smaller
 * than the disk or not whole sectors, -EOPNOTSUPP when the backend cannot
 * grow, else the backend's -errno (nothing changed then).  The same size
 * is a no-op (no interrupt).
 */
void vireo_virtio_blk_hold(struct vireo_virtio_dev *vd, bool hold);
int vireo_virtio_blk_read(struct vireo_virtio_dev *vd, void *buf, size_t len, uint64_t off);
int vireo_virtio_blk_resize(struct vireo_virtio_dev *vd, uint64_t size);
/* The disk's size in bytes (the backend's, not rounded to sectors). */
uint64_t vireo_virtio_blk_size(struct vireo_virtio_dev *vd);
bool vireo_virtio_blk_readonly(struct vireo_virtio_dev *vd);

#endif /* VIREO_VIRTIO_BLK_H */
