// SPDX-License-Identifier: GPL-2.0
/*
 * --disk images as virtio-blk backends: raw files through virtio/blk's
 * own raw backend, qcow2 through libvireo-disk (userland/disk) behind the
 * same ops table.  format=auto looks for the qcow2 magic.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "disk/disk.h"
#include "pc_disk.h"

static int qcow2_io(struct vireo_blk_backend *be, const struct iovec *iov, int n, uint64_t off,
		    bool write)
{
	struct vireo_disk *d = be->opaque;
	int i, r;

	for (i = 0; i < n; i++) {
		r = write ? vireo_disk_pwrite(d, iov[i].iov_base, iov[i].iov_len, off)
			  : vireo_disk_pread(d, iov[i].iov_base, iov[i].iov_len, off);
		if (r < 0)
			return r;
		off += iov[i].iov_len;
	}
	return 0;
}

static int qcow2_preadv(struct vireo_blk_backend *be, const struct iovec *iov, int n,
			uint64_t off)
{
	return qcow2_io(be, iov, n, off, false);
}

static int qcow2_pwritev(struct vireo_blk_backend *be, const struct iovec *iov, int n,
			 uint64_t off)
{
	return qcow2_io(be, iov, n, off, true);
}

static int qcow2_flush(struct vireo_blk_backend *be)
{
	return vireo_disk_flush(be->opaque);
}

static void qcow2_close(struct vireo_blk_backend *be)
{
	vireo_disk_close(be->opaque);
}

static int qcow2_resize(struct vireo_blk_backend *be, uint64_t size)
{
	return vireo_disk_resize(be->opaque, size);
}

static const struct vireo_blk_backend_ops qcow2_ops = {
	.preadv = qcow2_preadv,
	.pwritev = qcow2_pwritev,
	.flush = qcow2_flush,
	.close = qcow2_close,
	.resize = qcow2_resize,
};

/* Does the file start with the qcow2 magic "QFI\xfb"?  0/1 or -errno. */
static int is_qcow2(const char *path)
{
	unsigned char magic[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = pread(fd, magic, sizeof(magic), 0);
	close(fd);
	return n == 4 && !memcmp(magic, "QFI\xfb", 4);
}

int vireo_pc_disk_open(const struct vireo_disk_opt *o, struct vireo_blk_backend *be, char *err,
		       size_t errlen)
{
	enum vireo_disk_fmt_opt fmt = o->format;
	struct vireo_disk_err derr;
	struct vireo_disk *d;
	int r;

	memset(be, 0, sizeof(*be));
	if (fmt == VIREO_DISK_FMT_AUTO) {
		r = is_qcow2(o->path);
		if (r < 0) {
			snprintf(err, errlen, "%s: cannot open: %s", o->path, strerror(-r));
			return r;
		}
		fmt = r ? VIREO_DISK_FMT_QCOW2 : VIREO_DISK_FMT_RAW;
	}
	if (fmt == VIREO_DISK_FMT_RAW) {
		r = vireo_blk_raw_open(o->path, o->readonly, be);
		if (r)
			snprintf(err, errlen, "%s: cannot open as a raw image: %s%s", o->path,
				 strerror(-r),
				 r == -EBUSY ? " (in use by another process: QEMU or Vireo)" : "");
		return r;
	}
	r = vireo_disk_open(o->path, VIREO_DISK_QCOW2, o->readonly ? VIREO_DISK_RDONLY : 0, &d,
			    &derr);
	if (r) {
		snprintf(err, errlen, "%s", derr.msg);
		return r;
	}
	be->ops = &qcow2_ops;
	be->opaque = d;
	be->size = vireo_disk_size(d);
	be->readonly = o->readonly;
	return 0;
}
