/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A bounded FIFO of Ethernet frames between threads, with an eventfd
 * that is readable exactly while the queue holds a frame (level
 * triggered, so poll and epoll see it without edge bookkeeping).
 *
 * The NAT (nat.c) has two: guest → slirp, filled by whichever thread
 * runs the virtio-net transmit queue and drained by the I/O thread; and
 * slirp → guest, filled by the I/O thread and drained by the device's
 * receive path.  Every function may be called from any thread.
 *
 * A full queue refuses frames (counted in dropped): a NIC drops, and
 * TCP, inside the guest or in libslirp, retransmits.
 */
#ifndef VIREO_NET_FRAMEQ_H
#define VIREO_NET_FRAMEQ_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

struct vireo_frame {
	struct vireo_frame *next;
	size_t len;
	uint8_t data[];
};

struct vireo_frameq {
	pthread_mutex_t lock;
	struct vireo_frame *head, *tail;	/* [lock] */
	unsigned int frames, max_frames;	/* [lock], (i) */
	size_t bytes, max_bytes;		/* [lock], (i) */
	uint64_t queued, dropped;		/* [lock] counters */
	int efd;				/* (i) readable iff frames > 0 */
};

/* 0, or -errno (eventfd). */
int vireo_frameq_init(struct vireo_frameq *q, unsigned int max_frames, size_t max_bytes);
/* Frees what is still queued. */
void vireo_frameq_fini(struct vireo_frameq *q);

/*
 * Queue a copy of the frame gathered from iov.  0, -ENOBUFS (full, or
 * the frame alone is larger than max_bytes: dropped and counted), or
 * -ENOMEM.
 */
int vireo_frameq_push(struct vireo_frameq *q, const struct iovec *iov, int n);

/*
 * Copy the oldest frame into iov and free it: the bytes copied (a frame
 * longer than iov is truncated), or -EAGAIN when the queue is empty.
 */
ssize_t vireo_frameq_pop(struct vireo_frameq *q, const struct iovec *iov, int n);

/* Unlink the oldest frame (the caller frees it with free()), or NULL. */
struct vireo_frame *vireo_frameq_take(struct vireo_frameq *q);

/* Counters, for statistics. */
void vireo_frameq_counts(struct vireo_frameq *q, uint64_t *queued, uint64_t *dropped);

#endif /* VIREO_NET_FRAMEQ_H */
