// SPDX-License-Identifier: GPL-2.0
/* virtio-rng: fill the driver's buffers with getrandom() bytes (rng.h). */
#include <errno.h>
#include <sys/random.h>

#include "virtio/rng.h"

/* Fill up to len bytes of the chain's writable part; returns bytes filled. */
static uint32_t fill(const struct vireo_vq_chain *c, uint32_t len)
{
	uint32_t done = 0;

	for (unsigned int i = c->nout; i < (unsigned int)c->nout + c->nin && done < len; i++) {
		uint8_t *p = c->iov[i].iov_base;
		size_t want = c->iov[i].iov_len, got = 0;

		if (want > len - done)
			want = len - done;
		while (got < want) {
			ssize_t n = getrandom(p + got, want - got, 0);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return done + (uint32_t)got;
			got += (size_t)n;
		}
		done += (uint32_t)got;
	}
	return done;
}

static void rng_queue_notify(struct vireo_virtio_dev *vd, unsigned int q)
{
	struct vireo_vq_chain *c = &vd->chain;
	int r;

	do {
		while ((r = vireo_virtio_pop(vd, q, c)) > 0) {
			uint32_t want = c->in_len;

			if (c->nout) {
				vireo_virtio_fail_queue(vd, q,
							"device-readable buffer in a request");
				return;
			}
			if (want > VIREO_VIRTIO_RNG_MAX_REQUEST)
				want = VIREO_VIRTIO_RNG_MAX_REQUEST;
			vireo_virtio_push(vd, q, c->head, fill(c, want));
		}
	} while (r == 0 && vireo_virtio_queue_rearm(vd, q));
	vireo_virtio_flush(vd, q);
}

const struct vireo_virtio_ops vireo_virtio_rng_ops = {
	.name = "virtio-rng",
	.device_id = VIRTIO_ID_RNG,
	.num_queues = 1,
	.queue_max_size = 64,
	.config_size = 0,
	.queue_notify = rng_queue_notify,
};

int vireo_virtio_rng_create(struct vireo_virtio_dev **out, const struct vireo_guest_ram *ram)
{
	*out = vireo_virtio_alloc(&vireo_virtio_rng_ops, ram, NULL, 0);
	return *out ? 0 : -ENOMEM;
}
