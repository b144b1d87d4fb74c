/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-net (virtio 1.1, 5.1): receiveq1 (queue 0) and transmitq1
 * (queue 1), a MAC address and link status in the configuration, no
 * offloads and no mergeable receive buffers.  Frames go to and come from
 * a backend: a tap device, any packet fd (a socketpair in the tests), or
 * later a libslirp NAT, which only needs its own ops.
 *
 * Each VM may have several NICs: one device, one backend and one MAC
 * each (vireo_net_default_mac() hands out distinct ones).
 */
#ifndef VIREO_VIRTIO_NET_H
#define VIREO_VIRTIO_NET_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "virtio/virtio.h"

#define VIREO_VIRTIO_NET_RXQ		0
#define VIREO_VIRTIO_NET_TXQ		1
#define VIREO_VIRTIO_NET_QUEUE_SIZE	256
#define VIREO_VIRTIO_NET_MAX_FRAME	65550	/* largest frame accepted from the guest */
#define VIREO_VIRTIO_NET_RX_BATCH	256	/* frames per backend event */

struct vireo_net_backend_ops {
	/*
	 * Send one frame, gathered from iov: hdr_len bytes of struct
	 * vireo_virtio_net_hdr first if the backend takes them.  0, or
	 * -errno: the frame is dropped, as a NIC would.
	 */
	int (*send)(void *opaque, const struct iovec *iov, int n);
	/*
	 * Receive one frame (after hdr_len header bytes if the backend gives
	 * them) into iov: its length, or -EAGAIN when nothing is waiting, or
	 * another -errno when the backend failed or ended (the device then
	 * stops polling it until the guest posts receive buffers again).  A
	 * frame longer than iov is truncated.
	 */
	ssize_t (*recv)(void *opaque, const struct iovec *iov, int n);
	/* The fd to poll for received frames, or -1. */
	int (*fd)(void *opaque);
	void (*close)(void *opaque);
};

struct vireo_net_backend {
	const struct vireo_net_backend_ops *ops;
	void *opaque;
	/* 0: bare frames; VIRTIO_NET_HDR_SIZE: each frame carries a virtio-net header. */
	unsigned int hdr_len;
};

/*
 * Open (or create) tap interface ifname ("" or NULL: the kernel names
 * it) with IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, a 12-byte header and no
 * offloads.  The name used is stored in name (at least 16 bytes) if
 * non-NULL.  0 or -errno (-EPERM without CAP_NET_ADMIN for a new one).
 */
int vireo_net_tap_open(const char *ifname, struct vireo_net_backend *be, char *name);

/*
 * A backend over any fd that keeps packet boundaries (tap, SOCK_SEQPACKET
 * or SOCK_DGRAM): writev/readv, made non-blocking.  Takes the fd.
 */
int vireo_net_fd_backend(int fd, unsigned int hdr_len, struct vireo_net_backend *be);

/* 52:54:00:56:49:xx, xx = 0x10 + index: distinct per NIC, locally administered range. */
void vireo_net_default_mac(unsigned int index, uint8_t mac[6]);

extern const struct vireo_virtio_ops vireo_virtio_net_ops;

/*
 * A virtio-net device over be (copied; once this succeeds the device
 * owns the backend).  0, -EINVAL (bad hdr_len), -ENOMEM.
 */
int vireo_virtio_net_create(struct vireo_virtio_dev **out, const struct vireo_guest_ram *ram,
			    const struct vireo_net_backend *be, const uint8_t mac[6]);

/* Frames counted by the device (for --stats and tests). */
struct vireo_net_stats {
	uint64_t tx_frames, tx_dropped, rx_frames;
};
void vireo_virtio_net_stats(struct vireo_virtio_dev *vd, struct vireo_net_stats *st);

#endif /* VIREO_VIRTIO_NET_H */
