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
};

struct vireo_blk_backend {
	const struct vireo_blk_backend_ops *ops;
	void *opaque;
	uint64_t size;		/* bytes; the guest sees size / 512 sectors */
	bool readonly;
};

/*
 * A raw image: a regular file or a block device, with pread/pwrite and
 * fdatasync, locked against a second writer (flock).  0 or -errno.
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

#endif /* VIREO_VIRTIO_BLK_H */
