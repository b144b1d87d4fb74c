// SPDX-License-Identifier: GPL-2.0
/* The raw-image backend of virtio-blk (blk.h): pread/pwrite/fdatasync. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk/disk.h"
#include "virtio/blk.h"
#include "virtio/iov.h"

struct raw {
	int fd;
};

static int raw_fd(struct vireo_blk_backend *be)
{
	return ((struct raw *)be->opaque)->fd;
}

/*
 * preadv/pwritev may stop short (signals, huge requests); carry on from
 * where they stopped.  iov is the caller's and is not modified.
 */
static int raw_io(struct vireo_blk_backend *be, const struct iovec *iov, int n, uint64_t off,
		  bool write)
{
	struct iovec rest[IOV_MAX];
	size_t total = vireo_iov_len(iov, (unsigned int)n), done = 0;

	if (n > IOV_MAX)
		return -EINVAL;
	while (done < total) {
		unsigned int cnt = vireo_iov_slice(iov, (unsigned int)n, done, total - done, rest,
						   IOV_MAX);
		ssize_t r = write ? pwritev(raw_fd(be), rest, (int)cnt, (off_t)(off + done))
				  : preadv(raw_fd(be), rest, (int)cnt, (off_t)(off + done));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EIO;	/* the file shrank under us */
		done += (size_t)r;
	}
	return 0;
}

static int raw_preadv(struct vireo_blk_backend *be, const struct iovec *iov, int n, uint64_t off)
{
	return raw_io(be, iov, n, off, false);
}

static int raw_pwritev(struct vireo_blk_backend *be, const struct iovec *iov, int n,
		       uint64_t off)
{
	return raw_io(be, iov, n, off, true);
}

static int raw_flush(struct vireo_blk_backend *be)
{
	return fdatasync(raw_fd(be)) ? -errno : 0;
}

static int raw_resize(struct vireo_blk_backend *be, uint64_t size)
{
	struct stat st;

	if (fstat(raw_fd(be), &st))
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EOPNOTSUPP;	/* a block device is as big as it is */
	return ftruncate(raw_fd(be), (off_t)size) ? -errno : 0;
}

static void raw_close(struct vireo_blk_backend *be)
{
	struct raw *r = be->opaque;

	close(r->fd);
	free(r);
}

static const struct vireo_blk_backend_ops raw_ops = {
	.preadv = raw_preadv,
	.pwritev = raw_pwritev,
	.flush = raw_flush,
	.close = raw_close,
	.resize = raw_resize,
};

int vireo_blk_raw_open(const char *path, bool readonly, struct vireo_blk_backend *be)
{
	struct raw *r = NULL;
	struct stat st;
	uint64_t size;
	int fd, err;

	fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		goto out;
	}
	if (S_ISREG(st.st_mode)) {
		size = (uint64_t)st.st_size;
	} else if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, &size)) {
			err = -errno;
			goto out;
		}
	} else {
		err = -EINVAL;
		goto out;
	}
	/*
	 * Two writers of one image corrupt it; readers may share.  QEMU's lock
	 * bytes (libvireo-disk's lock.c), so that QEMU and Vireo see each other.
	 */
	err = vireo_disk_lock_fd(fd, !readonly, path, NULL);
	if (err)
		goto out;
	r = malloc(sizeof(*r));
	if (!r) {
		err = -ENOMEM;
		goto out;
	}
	r->fd = fd;
	be->ops = &raw_ops;
	be->opaque = r;
	be->size = size;
	be->readonly = readonly;
	return 0;
out:
	close(fd);
	return err;
}
