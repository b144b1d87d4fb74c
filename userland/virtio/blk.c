// SPDX-License-Identifier: GPL-2.0
/* virtio-blk request processing (blk.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "disk/disk.h"
#include "virtio/blk.h"
#include "virtio/iov.h"

#define BLK_HDR_SIZE 16

/* Legend: (l) vd->lock; (i) set at creation. */
struct blk {
	struct vireo_disk *disk;		/* (i) has its own lock for its I/O */
	bool readonly;				/* (i) */
	uint64_t size;				/* (l) bytes; changes on resize */
	uint64_t sectors;			/* (l) size / 512 */
	bool held;				/* (l) see vireo_virtio_blk_hold() */
	char id[VIRTIO_BLK_ID_BYTES];		/* (i) */
	struct iovec data[VIREO_VQ_MAX_SIZE];	/* (l) a request's data part */
};

struct blk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

/* Does [sector, sector + len bytes) lie on the disk, in whole sectors? */
static bool in_range(const struct blk *b, uint64_t sector, uint64_t len)
{
	return !(len % VIRTIO_BLK_SECTOR_SIZE) && sector <= b->sectors &&
	       len / VIRTIO_BLK_SECTOR_SIZE <= b->sectors - sector;
}

static uint8_t do_read(struct blk *b, const struct vireo_vq_chain *c, uint64_t sector,
		       uint32_t *written)
{
	uint32_t len = c->in_len - 1;
	unsigned int n;

	if (!in_range(b, sector, len))
		return VIRTIO_BLK_S_IOERR;
	n = vireo_iov_slice(c->iov + c->nout, c->nin, 0, len, b->data, VIREO_VQ_MAX_SIZE);
	if (len && vireo_disk_preadv(b->disk, b->data, n, sector * VIRTIO_BLK_SECTOR_SIZE))
		return VIRTIO_BLK_S_IOERR;
	*written = len;
	return VIRTIO_BLK_S_OK;
}

static uint8_t do_write(struct blk *b, const struct vireo_vq_chain *c, uint64_t sector)
{
	uint32_t len = c->out_len - BLK_HDR_SIZE;
	unsigned int n;

	if (b->readonly || !in_range(b, sector, len))
		return VIRTIO_BLK_S_IOERR;
	n = vireo_iov_slice(c->iov, c->nout, BLK_HDR_SIZE, len, b->data, VIREO_VQ_MAX_SIZE);
	if (len && vireo_disk_pwritev(b->disk, b->data, n, sector * VIRTIO_BLK_SECTOR_SIZE))
		return VIRTIO_BLK_S_IOERR;
	return VIRTIO_BLK_S_OK;
}

static uint8_t do_get_id(struct blk *b, const struct vireo_vq_chain *c, uint32_t *written)
{
	uint32_t len = c->in_len - 1;

	/* 5.2.6: up to 20 bytes, NUL-padded, not terminated if all 20 are used. */
	if (len > VIRTIO_BLK_ID_BYTES)
		len = VIRTIO_BLK_ID_BYTES;
	*written = (uint32_t)vireo_vq_chain_write(c, 0, b->id, len);
	return VIRTIO_BLK_S_OK;
}

static void blk_request(struct vireo_virtio_dev *vd, unsigned int q, struct blk *b,
			struct vireo_vq_chain *c)
{
	struct blk_hdr h;
	uint32_t written = 0;
	uint8_t status;

	/* 5.2.6: header (readable), data, status byte (writable, last). */
	if (c->out_len < BLK_HDR_SIZE || c->in_len < 1) {
		vireo_virtio_fail_queue(vd, q, "request without header or status byte");
		return;
	}
	vireo_vq_chain_read(c, 0, &h, sizeof(h));
	switch (h.type) {
	case VIRTIO_BLK_T_IN:
		status = do_read(b, c, h.sector, &written);
		break;
	case VIRTIO_BLK_T_OUT:
		status = do_write(b, c, h.sector);
		break;
	case VIRTIO_BLK_T_FLUSH:
		status = vireo_disk_flush(b->disk) ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
		break;
	case VIRTIO_BLK_T_GET_ID:
		status = do_get_id(b, c, &written);
		break;
	default:
		status = VIRTIO_BLK_S_UNSUPP;
		break;
	}
	vireo_vq_chain_write(c, c->in_len - 1, &status, 1);
	vireo_virtio_push(vd, q, c->head, written + 1);
}

static void blk_queue_notify(struct vireo_virtio_dev *vd, unsigned int q)
{
	struct vireo_vq_chain *c = &vd->chain;
	struct blk *b = vd->priv;
	int r;

	/* Held: leave the requests in the ring; the release comes back here. */
	if (b->held)
		return;
	do {
		while ((r = vireo_virtio_pop(vd, q, c)) > 0) {
			blk_request(vd, q, vd->priv, c);
			if (vd->broken)
				return;
		}
	} while (r == 0 && vireo_virtio_queue_rearm(vd, q));
	vireo_virtio_flush(vd, q);
}

static void blk_destroy(struct vireo_virtio_dev *vd)
{
	struct blk *b = vd->priv;

	vireo_disk_close(b->disk);
	free(b);
}

const struct vireo_virtio_ops vireo_virtio_blk_ops = {
	.name = "virtio-blk",
	.device_id = VIRTIO_ID_BLOCK,
	.num_queues = 1,
	.queue_max_size = VIREO_VIRTIO_BLK_QUEUE_SIZE,
	.config_size = VIRTIO_BLK_CFG_SIZE,
	.queue_notify = blk_queue_notify,
	.destroy = blk_destroy,
};

int vireo_virtio_blk_create(struct vireo_virtio_dev **out, const struct vireo_guest_ram *ram,
			    struct vireo_disk *disk, const char *serial)
{
	uint64_t features = VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) | VIRTIO_BIT(VIRTIO_BLK_F_FLUSH);
	struct vireo_virtio_dev *vd;
	struct blk *b;

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->disk = disk;
	b->readonly = vireo_disk_readonly(disk);
	b->size = vireo_disk_size(disk);
	b->sectors = b->size / VIRTIO_BLK_SECTOR_SIZE;
	if (serial)
		memcpy(b->id, serial, strnlen(serial, sizeof(b->id)));
	if (b->readonly)
		features |= VIRTIO_BIT(VIRTIO_BLK_F_RO);
	vd = vireo_virtio_alloc(&vireo_virtio_blk_ops, ram, b, features);
	if (!vd) {
		free(b);
		return -ENOMEM;
	}
	vireo_virtio_config_put(vd, VIRTIO_BLK_CFG_CAPACITY, 8, b->sectors);
	vireo_virtio_config_put(vd, VIRTIO_BLK_CFG_SEG_MAX, 4, VIREO_VIRTIO_BLK_SEG_MAX);
	*out = vd;
	return 0;
}

/* ---- the monitor's long operations (blk.h) ------------------------------ */

void vireo_virtio_blk_hold(struct vireo_virtio_dev *vd, bool hold)
{
	struct blk *b = vd->priv;

	pthread_mutex_lock(&vd->lock);
	b->held = hold;
	/* What the guest queued meanwhile (a no-op if the queue is not running). */
	if (!hold)
		vireo_virtio_notify_locked(vd, 0);
	pthread_mutex_unlock(&vd->lock);
}

int vireo_virtio_blk_read(struct vireo_virtio_dev *vd, void *buf, size_t len, uint64_t off)
{
	struct blk *b = vd->priv;
	uint64_t size;
	bool held;

	pthread_mutex_lock(&vd->lock);
	held = b->held;
	size = b->size;
	pthread_mutex_unlock(&vd->lock);
	if (!held)
		return -EPERM;
	if (off > size || len > size - off)
		return -EINVAL;
	return len ? vireo_disk_pread(b->disk, buf, len, off) : 0;
}

int vireo_virtio_blk_resize(struct vireo_virtio_dev *vd, uint64_t size)
{
	struct blk *b = vd->priv;
	int r = 0;

	pthread_mutex_lock(&vd->lock);
	if (b->readonly)
		r = -EROFS;
	else if (size % VIRTIO_BLK_SECTOR_SIZE || size < b->size)
		r = -EINVAL;
	else if (size == b->size)
		goto out;
	else
		r = vireo_disk_resize(b->disk, size);
	if (r)
		goto out;
	b->size = size;
	b->sectors = size / VIRTIO_BLK_SECTOR_SIZE;
	vireo_virtio_config_put(vd, VIRTIO_BLK_CFG_CAPACITY, 8, b->sectors);
	vireo_virtio_config_changed(vd);
out:
	pthread_mutex_unlock(&vd->lock);
	return r;
}

uint64_t vireo_virtio_blk_size(struct vireo_virtio_dev *vd)
{
	struct blk *b = vd->priv;
	uint64_t size;

	pthread_mutex_lock(&vd->lock);
	size = b->size;
	pthread_mutex_unlock(&vd->lock);
	return size;
}

bool vireo_virtio_blk_readonly(struct vireo_virtio_dev *vd)
{
	struct blk *b = vd->priv;

	return b->readonly;	/* fixed at creation */
}
