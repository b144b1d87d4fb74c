// SPDX-License-Identifier: GPL-2.0
/* virtio-net frame moving between the rings and the backend (net.h). */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "virtio/iov.h"
#include "virtio/net.h"

struct net {
	struct vireo_net_backend be;
	struct vireo_net_stats stats;
	struct iovec iov[VIREO_VQ_MAX_SIZE + 1];	/* header + frame */
};

static void net_tx_one(struct net *n, struct vireo_vq_chain *c)
{
	struct vireo_virtio_net_hdr hdr;
	uint32_t frame = c->out_len - VIRTIO_NET_HDR_SIZE;
	unsigned int cnt = 0;

	vireo_vq_chain_read(c, 0, &hdr, sizeof(hdr));
	/*
	 * No offloads were offered, so a driver asking for segmentation is
	 * confused: drop the frame.  Checksum requests are dropped from the
	 * header (the kernel would trust them) and the header sent clean.
	 */
	if (hdr.gso_type != VIRTIO_NET_HDR_GSO_NONE || frame > VIREO_VIRTIO_NET_MAX_FRAME) {
		n->stats.tx_dropped++;
		return;
	}
	memset(&hdr, 0, sizeof(hdr));
	if (n->be.hdr_len) {
		n->iov[0].iov_base = &hdr;
		n->iov[0].iov_len = n->be.hdr_len;
		cnt = 1;
	}
	cnt += vireo_iov_slice(c->iov, c->nout, VIRTIO_NET_HDR_SIZE, frame, n->iov + cnt,
			       VIREO_VQ_MAX_SIZE);
	if (n->be.ops->send(n->be.opaque, n->iov, (int)cnt))
		n->stats.tx_dropped++;
	else
		n->stats.tx_frames++;
}

static void net_tx(struct vireo_virtio_dev *vd, struct net *n)
{
	struct vireo_vq_chain *c = &vd->chain;
	int r;

	do {
		while ((r = vireo_virtio_pop(vd, VIREO_VIRTIO_NET_TXQ, c)) > 0) {
			/* 5.1.6.2: header and frame, all device-readable. */
			if (c->nin || c->out_len < VIRTIO_NET_HDR_SIZE) {
				vireo_virtio_fail_queue(vd, VIREO_VIRTIO_NET_TXQ,
							"malformed transmit buffer");
				return;
			}
			net_tx_one(n, c);
			vireo_virtio_push(vd, VIREO_VIRTIO_NET_TXQ, c->head, 0);
		}
	} while (r == 0 && vireo_virtio_queue_rearm(vd, VIREO_VIRTIO_NET_TXQ));
	vireo_virtio_flush(vd, VIREO_VIRTIO_NET_TXQ);
}

/* One frame from the backend into chain c: its used length, or <= 0. */
static ssize_t net_rx_one(struct net *n, struct vireo_vq_chain *c)
{
	const struct iovec *in = c->iov + c->nout;
	struct vireo_virtio_net_hdr hdr;
	unsigned int cnt;
	uint16_t one = 1;
	ssize_t r;

	if (n->be.hdr_len) {
		r = n->be.ops->recv(n->be.opaque, in, c->nin);
		if (r <= 0)
			return r;
		if (r < VIRTIO_NET_HDR_SIZE)
			return -EIO;
		/* 5.1.6.4: num_buffers is 1 without mergeable buffers; tap leaves it. */
		vireo_vq_chain_write(c, offsetof(struct vireo_virtio_net_hdr, num_buffers), &one,
				     sizeof(one));
	} else {
		cnt = vireo_iov_slice(in, c->nin, VIRTIO_NET_HDR_SIZE,
				      c->in_len - VIRTIO_NET_HDR_SIZE, n->iov, VIREO_VQ_MAX_SIZE);
		r = n->be.ops->recv(n->be.opaque, n->iov, (int)cnt);
		if (r < 0)
			return r;
		memset(&hdr, 0, sizeof(hdr));
		hdr.num_buffers = 1;
		vireo_vq_chain_write(c, 0, &hdr, sizeof(hdr));
		r += VIRTIO_NET_HDR_SIZE;
	}
	return r > (ssize_t)c->in_len ? (ssize_t)c->in_len : r;
}

static void net_rx(struct vireo_virtio_dev *vd, struct net *n)
{
	struct vireo_vq_chain *c = &vd->chain;
	unsigned int frames = 0;

	while (frames < VIREO_VIRTIO_NET_RX_BATCH) {
		ssize_t len;
		int r = vireo_virtio_pop(vd, VIREO_VIRTIO_NET_RXQ, c);

		if (r < 0)
			return;
		if (r == 0) {
			if (vireo_virtio_queue_rearm(vd, VIREO_VIRTIO_NET_RXQ))
				continue;
			/* Nowhere to put frames: stop polling the backend until buffers come. */
			vireo_virtio_backend_stall(vd, true);
			break;
		}
		if (c->nout || c->in_len < VIRTIO_NET_HDR_SIZE) {
			vireo_virtio_fail_queue(vd, VIREO_VIRTIO_NET_RXQ,
						"malformed receive buffer");
			return;
		}
		len = net_rx_one(n, c);
		if (len <= 0) {
			/* Nothing waiting, or the backend failed: keep the buffer. */
			vireo_virtio_unpop(vd, VIREO_VIRTIO_NET_RXQ);
			/* A failed backend stays "readable": do not let it spin the poller. */
			if (len != -EAGAIN && len != 0)
				vireo_virtio_backend_stall(vd, true);
			break;
		}
		vireo_virtio_push(vd, VIREO_VIRTIO_NET_RXQ, c->head, (uint32_t)len);
		n->stats.rx_frames++;
		frames++;
	}
	vireo_virtio_flush(vd, VIREO_VIRTIO_NET_RXQ);
}

static void net_queue_notify(struct vireo_virtio_dev *vd, unsigned int q)
{
	struct net *n = vd->priv;

	if (q == VIREO_VIRTIO_NET_TXQ) {
		net_tx(vd, n);
		return;
	}
	/* New receive buffers: take what is waiting and poll the backend again. */
	vireo_virtio_backend_stall(vd, false);
	net_rx(vd, n);
}

static void net_backend_event(struct vireo_virtio_dev *vd)
{
	net_rx(vd, vd->priv);
}

static int net_backend_fd(struct vireo_virtio_dev *vd)
{
	struct net *n = vd->priv;

	return n->be.ops->fd ? n->be.ops->fd(n->be.opaque) : -1;
}

static void net_destroy(struct vireo_virtio_dev *vd)
{
	struct net *n = vd->priv;

	n->be.ops->close(n->be.opaque);
	free(n);
}

const struct vireo_virtio_ops vireo_virtio_net_ops = {
	.name = "virtio-net",
	.device_id = VIRTIO_ID_NET,
	.num_queues = 2,
	.queue_max_size = VIREO_VIRTIO_NET_QUEUE_SIZE,
	.config_size = VIRTIO_NET_CFG_SIZE,
	.queue_notify = net_queue_notify,
	.backend_fd = net_backend_fd,
	.backend_event = net_backend_event,
	.destroy = net_destroy,
};

int vireo_virtio_net_create(struct vireo_virtio_dev **out, const struct vireo_guest_ram *ram,
			    const struct vireo_net_backend *be, const uint8_t mac[6])
{
	struct vireo_virtio_dev *vd;
	struct net *n;

	if (be->hdr_len != 0 && be->hdr_len != VIRTIO_NET_HDR_SIZE)
		return -EINVAL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->be = *be;
	vd = vireo_virtio_alloc(&vireo_virtio_net_ops, ram, n,
				VIRTIO_BIT(VIRTIO_NET_F_MAC) | VIRTIO_BIT(VIRTIO_NET_F_STATUS));
	if (!vd) {
		free(n);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < 6; i++)
		vireo_virtio_config_put(vd, VIRTIO_NET_CFG_MAC + i, 1, mac[i]);
	vireo_virtio_config_put(vd, VIRTIO_NET_CFG_STATUS, 2, VIRTIO_NET_S_LINK_UP);
	*out = vd;
	return 0;
}

void vireo_virtio_net_stats(struct vireo_virtio_dev *vd, struct vireo_net_stats *st)
{
	pthread_mutex_lock(&vd->lock);
	*st = ((struct net *)vd->priv)->stats;
	pthread_mutex_unlock(&vd->lock);
}
