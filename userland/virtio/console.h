/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-console (virtio 1.1, 5.3) with one port and no multiport
 * support: receiveq0 (queue 0, host to guest) fed from in_fd, transmitq0
 * (queue 1, guest to host) written to out_fd.  In Linux it is hvc0.
 */
#ifndef VIREO_VIRTIO_CONSOLE_H
#define VIREO_VIRTIO_CONSOLE_H

#include "virtio/virtio.h"

#define VIREO_VIRTIO_CONSOLE_RXQ	0
#define VIREO_VIRTIO_CONSOLE_TXQ	1

extern const struct vireo_virtio_ops vireo_virtio_console_ops;

/*
 * in_fd (may be -1: no input) is read only when poll() says it is
 * readable, so it may be a blocking terminal; output blocks until
 * written.  The fds stay the caller's.  0 or -ENOMEM.
 */
int vireo_virtio_console_create(struct vireo_virtio_dev **out, const struct vireo_guest_ram *ram,
				int in_fd, int out_fd);

#endif /* VIREO_VIRTIO_CONSOLE_H */
