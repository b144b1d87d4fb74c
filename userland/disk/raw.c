// SPDX-License-Identifier: GPL-2.0
/*
 * Raw images: the file is the disk.  Created sparse (ftruncate), so only
 * written blocks take host space; discard punches holes.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/fs.h>

#include "disk_priv.h"

struct raw_disk {
	struct vireo_disk base;
};

static int raw_pread(struct vireo_disk *d, void *buf, size_t len, uint64_t off)
{
	int ret = vireo_disk_pread_full(d->fd, buf, len, off);

	if (ret)
		return vireo_disk_fail(d, ret, "read at 0x%llx: %s", (unsigned long long)off,
				       strerror(-ret));
	return 0;
}

static int raw_pwrite(struct vireo_disk *d, const void *buf, size_t len, uint64_t off)
{
	int ret = vireo_disk_pwrite_full(d->fd, buf, len, off);

	if (ret)
		return vireo_disk_fail(d, ret, "write at 0x%llx: %s", (unsigned long long)off,
				       strerror(-ret));
	return 0;
}

/*
 * A scatter-gather list in as few preadv/pwritev calls as the kernel
 * allows (IOV_MAX buffers each, carrying on after a short transfer); a
 * read past the end of the file (it shrank under us) gives zeros, as
 * raw_pread() does.
 */
static int raw_io(struct vireo_disk *d, const struct iovec *iov, unsigned int niov,
		  uint64_t off, bool write)
{
	struct iovec rest[IOV_MAX];
	unsigned int i = 0, n;

	while (i < niov) {
		ssize_t done;

		if (!iov[i].iov_len) {
			i++;
			continue;
		}
		n = niov - i < IOV_MAX ? niov - i : IOV_MAX;
		memcpy(rest, iov + i, n * sizeof(*rest));
		done = write ? pwritev(d->fd, rest, (int)n, (off_t)off)
			     : preadv(d->fd, rest, (int)n, (off_t)off);
		if (done < 0 && errno == EINTR)
			continue;
		if (done < 0)
			return vireo_disk_fail(d, -errno, "%s at 0x%llx: %s",
					       write ? "write" : "read", (unsigned long long)off,
					       strerror(errno));
		if (!done) {
			if (write)
				return vireo_disk_fail(d, -EIO, "write at 0x%llx: no progress",
						       (unsigned long long)off);
			for (; i < niov; i++)
				memset(iov[i].iov_base, 0, iov[i].iov_len);
			return 0;
		}
		off += (uint64_t)done;
		/* Whole buffers done; a partly done one goes on as a single buffer. */
		while (i < niov && (size_t)done >= iov[i].iov_len)
			done -= (ssize_t)iov[i++].iov_len;
		if (i < niov && done) {
			int ret = write ? raw_pwrite(d, (const char *)iov[i].iov_base + done,
						     iov[i].iov_len - (size_t)done, off)
					: raw_pread(d, (char *)iov[i].iov_base + done,
						    iov[i].iov_len - (size_t)done, off);

			if (ret)
				return ret;
			off += iov[i].iov_len - (size_t)done;
			i++;
		}
	}
	return 0;
}

static int raw_preadv(struct vireo_disk *d, const struct iovec *iov, unsigned int niov,
		      uint64_t off)
{
	return raw_io(d, iov, niov, off, false);
}

static int raw_pwritev(struct vireo_disk *d, const struct iovec *iov, unsigned int niov,
		       uint64_t off)
{
	return raw_io(d, iov, niov, off, true);
}

static int raw_flush(struct vireo_disk *d)
{
	if (fdatasync(d->fd) < 0)
		return vireo_disk_fail(d, -errno, "fdatasync: %s", strerror(errno));
	return 0;
}

static int raw_discard(struct vireo_disk *d, uint64_t off, uint64_t len)
{
	static const uint8_t zeros[4096];

	if (fallocate(d->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len) == 0)
		return 0;
	/* No hole punching here (tmpfs of old, some filesystems): write zeros. */
	while (len) {
		size_t n = len < sizeof(zeros) ? len : sizeof(zeros);
		int ret = vireo_disk_pwrite_full(d->fd, zeros, n, off);

		if (ret)
			return vireo_disk_fail(d, ret, "discard at 0x%llx: %s",
					       (unsigned long long)off, strerror(-ret));
		off += n;
		len -= n;
	}
	return 0;
}

static int raw_resize(struct vireo_disk *d, uint64_t new_size)
{
	struct stat st;

	if (fstat(d->fd, &st) < 0)
		return vireo_disk_fail(d, -errno, "stat: %s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return vireo_disk_fail(d, -EOPNOTSUPP,
				       "a block device cannot grow (it is as big as it is)");
	if (ftruncate(d->fd, (off_t)new_size) < 0)
		return vireo_disk_fail(d, -errno, "resize to %llu: %s",
				       (unsigned long long)new_size, strerror(errno));
	d->size = new_size;
	return 0;
}

static void raw_info(struct vireo_disk *d, struct vireo_disk_info *info)
{
	(void)d;
	(void)info;
}

static void raw_close(struct vireo_disk *d)
{
	struct raw_disk *r = container_of(d, struct raw_disk, base);

	vireo_disk_base_fini(d);
	free(r);
}

const struct vireo_disk_ops vireo_disk_raw_ops = {
	.name = "raw",
	.format = VIREO_DISK_RAW,
	.pread = raw_pread,
	.pwrite = raw_pwrite,
	.preadv = raw_preadv,
	.pwritev = raw_pwritev,
	.flush = raw_flush,
	.discard = raw_discard,
	.resize = raw_resize,
	.info = raw_info,
	.close = raw_close,
};

int vireo_disk_raw_open(const char *path, int fd, unsigned int flags, struct vireo_disk **out,
			GError **error)
{
	struct raw_disk *r;
	struct stat st;
	uint64_t size;

	if (fstat(fd, &st) < 0) {
		vireo_error_set(error, EIO, "%s: stat: %s", path, strerror(errno));
		close(fd);
		return -EIO;
	}
	size = st.st_size;
	if (S_ISBLK(st.st_mode) && ioctl(fd, BLKGETSIZE64, &size) < 0) {
		vireo_error_set(error, EIO, "%s: BLKGETSIZE64: %s", path, strerror(errno));
		close(fd);
		return -EIO;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		close(fd);
		return -ENOMEM;
	}
	vireo_disk_base_init(&r->base, &vireo_disk_raw_ops, path, fd, flags);
	r->base.size = size;
	*out = &r->base;
	return 0;
}

int vireo_disk_raw_fill(const char *name, int fd, uint64_t size, GError **error)
{
	if (ftruncate(fd, (off_t)size) < 0) {
		int ret = -errno;

		vireo_error_set(error, ret, "%s: cannot size to %llu bytes: %s", name,
				(unsigned long long)size, strerror(errno));
		return ret;
	}
	return 0;
}
