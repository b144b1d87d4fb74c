/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-rng (virtio 1.1, 5.4): one request queue; the driver posts
 * device-writable buffers and gets them back filled from getrandom().
 */
#ifndef VIREO_VIRTIO_RNG_H
#define VIREO_VIRTIO_RNG_H

#include "virtio/virtio.h"

/* At most this many bytes per request: a driver asking for more gets less. */
#define VIREO_VIRTIO_RNG_MAX_REQUEST	65536

extern const struct vireo_virtio_ops vireo_virtio_rng_ops;

/* 0 or -ENOMEM; *out is freed with vireo_virtio_destroy(). */
int vireo_virtio_rng_create(struct vireo_virtio_dev **out, const struct vireo_guest_ram *ram);

#endif /* VIREO_VIRTIO_RNG_H */
