// SPDX-License-Identifier: GPL-2.0
/* virtio-net backends over a packet fd: tap, or a socket (net.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "virtio/net.h"

struct fd_backend {
	int fd;
};

static int fdb_send(void *opaque, const struct iovec *iov, int n)
{
	struct fd_backend *f = opaque;
	ssize_t r;

	do {
		r = writev(f->fd, iov, n);
	} while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

static ssize_t fdb_recv(void *opaque, const struct iovec *iov, int n)
{
	struct fd_backend *f = opaque;
	ssize_t r;

	do {
		r = readv(f->fd, iov, n);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	/* 0: a socket whose peer left; nothing will ever come. */
	return r ? r : -EPIPE;
}

static int fdb_fd(void *opaque)
{
	return ((struct fd_backend *)opaque)->fd;
}

static void fdb_close(void *opaque)
{
	struct fd_backend *f = opaque;

	close(f->fd);
	free(f);
}

static const struct vireo_net_backend_ops fd_backend_ops = {
	.send = fdb_send,
	.recv = fdb_recv,
	.fd = fdb_fd,
	.close = fdb_close,
};

int vireo_net_fd_backend(int fd, unsigned int hdr_len, struct vireo_net_backend *be)
{
	struct fd_backend *f;
	int flags = fcntl(fd, F_GETFL);

	if (hdr_len != 0 && hdr_len != VIRTIO_NET_HDR_SIZE)
		return -EINVAL;
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK))
		return -errno;
	f = malloc(sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->fd = fd;
	be->ops = &fd_backend_ops;
	be->opaque = f;
	be->hdr_len = hdr_len;
	return 0;
}

int vireo_net_tap_open(const char *ifname, struct vireo_net_backend *be, char *name)
{
	struct ifreq ifr;
	int fd, err, hdr = VIRTIO_NET_HDR_SIZE;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ifname) {
		if (strlen(ifname) >= IFNAMSIZ) {
			err = -ENAMETOOLONG;
			goto out;
		}
		memcpy(ifr.ifr_name, ifname, strlen(ifname));
	}
	/*
	 * The virtio 1.x header (12 bytes, with num_buffers) and no offloads:
	 * the kernel then checksums and segments before frames reach us.
	 */
	if (ioctl(fd, TUNSETIFF, &ifr) || ioctl(fd, TUNSETVNETHDRSZ, &hdr) ||
	    ioctl(fd, TUNSETOFFLOAD, 0)) {
		err = -errno;
		goto out;
	}
	if (name)
		memcpy(name, ifr.ifr_name, IFNAMSIZ);
	err = vireo_net_fd_backend(fd, VIRTIO_NET_HDR_SIZE, be);
	if (!err)
		return 0;
out:
	close(fd);
	return err;
}

void vireo_net_default_mac(unsigned int index, uint8_t mac[6])
{
	static const uint8_t base[6] = { 0x52, 0x54, 0x00, 0x56, 0x49, 0x10 };

	memcpy(mac, base, 6);
	mac[5] = (uint8_t)(base[5] + index);
	mac[4] = (uint8_t)(base[4] + ((base[5] + index) >> 8));
}
