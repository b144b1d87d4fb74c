/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-blk (virtio 1.1, 5.2): one request queue; IN, OUT, FLUSH and
 * GET_ID requests against a disk image.  Requests outside the disk,
 * of a length that is not whole sectors, or writes to a read-only disk
 * complete with VIRTIO_BLK_S_IOERR; unknown types with UNSUPP; a request
 * without a header or a status byte breaks the device (NEEDS_RESET).
 *
 * The disk behind it is a libvireo-disk handle (userland/disk/disk.h), the
 * one block layer for raw and qcow2 images: the device never sees the format.
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

struct vireo_disk;

extern const struct vireo_virtio_ops vireo_virtio_blk_ops;

/*
 * A virtio-blk device over disk (once this succeeds the device owns it and
 * closes it when destroyed).  serial is the GET_ID string (at most 20
 * bytes used; NULL: empty).  A disk opened read-only offers
 * VIRTIO_BLK_F_RO.  The guest sees the disk's size in whole sectors.
 * 0 or -ENOMEM.
 */
int vireo_virtio_blk_create(struct vireo_virtio_dev **out, const struct vireo_guest_ram *ram,
			    struct vireo_disk *disk, const char *serial);

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
 * straight from the disk: 0, -EINVAL outside the disk, -EPERM when the
 * device is not held, or the disk's -errno.  It runs without the device
 * lock (the hold keeps the disk to the caller), so a vCPU touching the
 * device's registers never waits for the disk.
 *
 * vireo_virtio_blk_resize(): grow the image to size bytes, then the
 * capacity in the configuration space, a new config generation and a
 * configuration-change interrupt (MSI-X config vector, or ISR bit 1 and
 * INTx), which is how a driver learns of it (virtio 1.1, 2.4 and
 * 4.1.5.3).  -EROFS for a read-only disk, -EINVAL when size is smaller
 * than the disk or not whole sectors, -EOPNOTSUPP when the image cannot
 * grow (a block device), else the disk's -errno (nothing changed then).  The same size
 * is a no-op (no interrupt).
 */
void vireo_virtio_blk_hold(struct vireo_virtio_dev *vd, bool hold);
int vireo_virtio_blk_read(struct vireo_virtio_dev *vd, void *buf, size_t len, uint64_t off);
int vireo_virtio_blk_resize(struct vireo_virtio_dev *vd, uint64_t size);
/* The disk's size in bytes (the image's, not rounded to sectors). */
uint64_t vireo_virtio_blk_size(struct vireo_virtio_dev *vd);
bool vireo_virtio_blk_readonly(struct vireo_virtio_dev *vd);

#endif /* VIREO_VIRTIO_BLK_H */
