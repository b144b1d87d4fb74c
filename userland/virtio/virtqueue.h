/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The split virtqueue (virtio 1.1, 2.6) as a device sees it, with every
 * value the driver controls treated as hostile.
 *
 * What the parser guarantees (and tests/unit/test_virtio_vq.c and the
 * fuzzer check):
 *  - the queue size is a power of two no larger than the device's maximum;
 *    the three ring areas are aligned and lie wholly in guest RAM;
 *  - avail->idx may not run ahead of the device by more than the queue
 *    size; ring entries and next indices are bounded by their table;
 *  - a chain visits at most queue-size data descriptors (so loops end);
 *    an indirect table is only followed when VIRTIO_F_INDIRECT_DESC was
 *    negotiated, has a length that is a non-zero multiple of 16 and at
 *    most queue-size entries, lies in RAM, and holds no further indirect
 *    descriptors; an indirect descriptor carries no NEXT flag;
 *  - device-writable descriptors come after all device-readable ones;
 *  - every buffer lies wholly in guest RAM (one host mapping) and the
 *    readable and writable totals are each at most VIREO_VQ_MAX_BYTES;
 *    zero-length descriptors are allowed and yield no iovec;
 *  - each descriptor is read from guest memory exactly once, so a driver
 *    rewriting it meanwhile cannot make the checks and the use disagree.
 * Anything else stops the queue: the error is kept in vq->error and every
 * later call fails with -EIO until the driver resets the device (the
 * device core turns this into DEVICE_NEEDS_RESET).
 *
 * Not thread-safe: the device model serialises calls on one queue.
 */
#ifndef VIREO_VIRTQUEUE_H
#define VIREO_VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "virtio/virtio_regs.h"

/*
 * Guest RAM as the monitor lends it to device models.  map() returns the
 * host address of [gpa, gpa + len) if that range is wholly guest RAM in
 * one host mapping, else NULL (MMIO, holes, wrap-around, len 0).  It is
 * called from device threads.  Mappings must stay valid while the device
 * may use them: RAM is not unplugged under a running device.
 */
struct vireo_guest_ram {
	void *(*map)(void *opaque, uint64_t gpa, uint64_t len);
	void *opaque;
};

static inline void *vireo_guest_map(const struct vireo_guest_ram *ram, uint64_t gpa, uint64_t len)
{
	if (!len || gpa + len < gpa)
		return NULL;
	return ram->map(ram->opaque, gpa, len);
}

#define VIREO_VQ_MAX_SIZE	1024
#define VIREO_VQ_MAX_BYTES	(256U << 20)	/* per direction, per chain */

/*
 * One popped chain: iov[0, nout) device-readable, then iov[nout, nout +
 * nin) device-writable, host pointers into guest RAM.
 */
struct vireo_vq_chain {
	uint16_t head;
	uint16_t nout;
	uint16_t nin;
	uint32_t out_len;
	uint32_t in_len;
	struct iovec iov[VIREO_VQ_MAX_SIZE];
};

struct vireo_vq {
	/* Written by the driver through the transport while !ready. */
	uint16_t size;
	uint64_t desc_gpa;
	uint64_t avail_gpa;
	uint64_t used_gpa;

	/* Set by vireo_vq_start(). */
	bool ready;
	bool indirect;		/* VIRTIO_F_INDIRECT_DESC negotiated */
	bool event_idx;		/* VIRTIO_F_EVENT_IDX negotiated */
	const struct vireo_guest_ram *ram;
	struct vireo_vring_desc *desc;
	struct vireo_vring_avail *avail;
	struct vireo_vring_used *used;

	/* Device-side indices. */
	uint16_t last_avail;	/* next avail entry to pop */
	uint16_t used_idx;	/* our copy of used->idx */
	uint16_t signalled_used;	/* used_idx at the last interrupt */
	bool signalled_valid;

	const char *error;	/* why the queue stopped, or NULL */
};

/* Back to the reset state: size max_size, nothing mapped. */
void vireo_vq_init(struct vireo_vq *vq, uint16_t max_size);

/*
 * The driver enabled the queue: check size and ring placement and map the
 * rings.  features are the negotiated ones.  0, or -EINVAL with vq->error.
 */
int vireo_vq_start(struct vireo_vq *vq, const struct vireo_guest_ram *ram, uint16_t max_size,
		   uint64_t features);

/*
 * Pop the next available chain into c: 1 if one was popped, 0 if the ring
 * is empty (or the queue not started), -EIO if the queue is (now) broken.
 */
int vireo_vq_pop(struct vireo_vq *vq, struct vireo_vq_chain *c);

/* Give back the chain just popped (e.g. no packet to put in it after all). */
void vireo_vq_unpop(struct vireo_vq *vq);

/* Return a chain to the driver with len bytes written.  0, -EIO, -EINVAL. */
int vireo_vq_push(struct vireo_vq *vq, uint16_t head, uint32_t len);

/*
 * Should the driver be interrupted for what was pushed since the last
 * interrupt?  Honours VRING_AVAIL_F_NO_INTERRUPT, or used_event with
 * VIRTIO_F_EVENT_IDX.  Records the interrupt as sent when it says yes.
 */
bool vireo_vq_need_interrupt(struct vireo_vq *vq);

/*
 * Notification suppression while the device works through the ring:
 * disable, pop until empty, then enable, which re-checks the ring and
 * returns true if the driver added buffers in between (pop again).
 */
void vireo_vq_notify_disable(struct vireo_vq *vq);
bool vireo_vq_notify_enable(struct vireo_vq *vq);

/* Bytes copied between a chain's readable/writable part and a buffer. */
size_t vireo_vq_chain_read(const struct vireo_vq_chain *c, size_t offset, void *buf, size_t len);
size_t vireo_vq_chain_write(const struct vireo_vq_chain *c, size_t offset, const void *buf,
			    size_t len);

#endif /* VIREO_VIRTQUEUE_H */
