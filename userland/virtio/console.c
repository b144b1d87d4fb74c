// SPDX-License-Identifier: GPL-2.0
/* virtio-console: bytes between the rings and a pair of fds (console.h). */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include "virtio/console.h"
#include "virtio/iov.h"

struct console {
	int in_fd, out_fd;
	bool eof;	/* input ended: never poll it again */
	struct iovec iov[VIREO_VQ_MAX_SIZE];
};

static bool readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLIN | POLLHUP));
}

/* Write all of iov, waiting for a blocked fd; false if the fd failed. */
static bool write_all(int fd, struct iovec *iov, unsigned int n)
{
	size_t total = vireo_iov_len(iov, n), done = 0;
	struct iovec rest[VIREO_VQ_MAX_SIZE];

	while (done < total) {
		unsigned int cnt = vireo_iov_slice(iov, n, done, total - done, rest,
						   VIREO_VQ_MAX_SIZE);
		ssize_t r = writev(fd, rest, (int)cnt);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };

			if (poll(&p, 1, 1000) <= 0)
				return false;
			continue;
		}
		if (r <= 0)
			return false;
		done += (size_t)r;
	}
	return true;
}

static void console_tx(struct vireo_virtio_dev *vd, struct console *con)
{
	struct vireo_vq_chain *c = &vd->chain;
	int r;

	do {
		while ((r = vireo_virtio_pop(vd, VIREO_VIRTIO_CONSOLE_TXQ, c)) > 0) {
			if (c->nin) {
				vireo_virtio_fail_queue(vd, VIREO_VIRTIO_CONSOLE_TXQ,
							"writable buffer in output");
				return;
			}
			/* Output the guest cannot get out is lost, as on a serial line. */
			if (con->out_fd >= 0)
				write_all(con->out_fd, c->iov, c->nout);
			vireo_virtio_push(vd, VIREO_VIRTIO_CONSOLE_TXQ, c->head, 0);
		}
	} while (r == 0 && vireo_virtio_queue_rearm(vd, VIREO_VIRTIO_CONSOLE_TXQ));
	vireo_virtio_flush(vd, VIREO_VIRTIO_CONSOLE_TXQ);
}

static void console_rx(struct vireo_virtio_dev *vd, struct console *con)
{
	struct vireo_vq_chain *c = &vd->chain;

	if (con->in_fd < 0 || con->eof) {
		vireo_virtio_backend_stall(vd, true);
		return;
	}
	while (readable(con->in_fd)) {
		ssize_t n;
		int r = vireo_virtio_pop(vd, VIREO_VIRTIO_CONSOLE_RXQ, c);

		if (r < 0)
			return;
		if (r == 0) {
			if (vireo_virtio_queue_rearm(vd, VIREO_VIRTIO_CONSOLE_RXQ))
				continue;
			vireo_virtio_backend_stall(vd, true);
			break;
		}
		if (c->nout) {
			vireo_virtio_fail_queue(vd, VIREO_VIRTIO_CONSOLE_RXQ,
						"readable buffer in input");
			return;
		}
		do {
			n = readv(con->in_fd, c->iov, c->nin);
		} while (n < 0 && errno == EINTR);
		if (n <= 0) {
			vireo_virtio_unpop(vd, VIREO_VIRTIO_CONSOLE_RXQ);
			/* End of input, or an fd that fails (a hung-up tty): stop for good. */
			if (n == 0 || errno != EAGAIN) {
				con->eof = true;
				vireo_virtio_backend_stall(vd, true);
			}
			break;
		}
		vireo_virtio_push(vd, VIREO_VIRTIO_CONSOLE_RXQ, c->head, (uint32_t)n);
	}
	vireo_virtio_flush(vd, VIREO_VIRTIO_CONSOLE_RXQ);
}

static void console_queue_notify(struct vireo_virtio_dev *vd, unsigned int q)
{
	struct console *con = vd->priv;

	if (q == VIREO_VIRTIO_CONSOLE_TXQ) {
		console_tx(vd, con);
		return;
	}
	if (!con->eof && con->in_fd >= 0)
		vireo_virtio_backend_stall(vd, false);
	console_rx(vd, con);
}

static void console_backend_event(struct vireo_virtio_dev *vd)
{
	console_rx(vd, vd->priv);
}

static int console_backend_fd(struct vireo_virtio_dev *vd)
{
	struct console *con = vd->priv;

	return con->eof ? -1 : con->in_fd;
}

static void console_destroy(struct vireo_virtio_dev *vd)
{
	free(vd->priv);
}

const struct vireo_virtio_ops vireo_virtio_console_ops = {
	.name = "virtio-console",
	.device_id = VIRTIO_ID_CONSOLE,
	.num_queues = 2,
	.queue_max_size = 64,
	.config_size = VIRTIO_CONSOLE_CFG_SIZE,
	.queue_notify = console_queue_notify,
	.backend_fd = console_backend_fd,
	.backend_event = console_backend_event,
	.destroy = console_destroy,
};

int vireo_virtio_console_create(struct vireo_virtio_dev **out, const struct vireo_guest_ram *ram,
				int in_fd, int out_fd)
{
	struct console *con = calloc(1, sizeof(*con));
	struct vireo_virtio_dev *vd;

	if (!con)
		return -ENOMEM;
	con->in_fd = in_fd;
	con->out_fd = out_fd;
	vd = vireo_virtio_alloc(&vireo_virtio_console_ops, ram, con, 0);
	if (!vd) {
		free(con);
		return -ENOMEM;
	}
	*out = vd;
	return 0;
}
