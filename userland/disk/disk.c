// SPDX-License-Identifier: GPL-2.0
/*
 * The generic block-backend layer: opening with format probing and
 * locking, range checks, the per-handle mutex, error messages, and the
 * dispatch to the format's ops table.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk_priv.h"
#include "qcow2.h"

void vireo_disk_fmt_err(char *buf, size_t len, const char *path, const char *fmt, va_list ap)
{
	int n = snprintf(buf, len, "%s: ", path ? path : "(image)");

	if (n < 0 || (size_t)n >= len)
		return;
	vsnprintf(buf + n, len - n, fmt, ap);
}

int vireo_disk_fail(struct vireo_disk *d, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vireo_disk_fmt_err(d->err, sizeof(d->err), d->path, fmt, ap);
	va_end(ap);
	return ret;
}

void vireo_disk_base_init(struct vireo_disk *d, const struct vireo_disk_ops *ops,
			  const char *path, int fd, unsigned int flags)
{
	d->ops = ops;
	d->path = strdup(path);
	d->fd = fd;
	d->flags = flags;
	d->ro = flags & VIREO_DISK_RDONLY;
	d->err[0] = 0;
	pthread_mutex_init(&d->lock, NULL);
}

void vireo_disk_base_fini(struct vireo_disk *d)
{
	if (d->fd >= 0)
		close(d->fd);	/* drops the lock bytes too */
	d->fd = -1;
	pthread_mutex_destroy(&d->lock);
	free(d->path);
	d->path = NULL;
}

int vireo_disk_pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0) {	/* past EOF: sparse tail */
			memset(p, 0, len);
			return 0;
		}
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

int vireo_disk_pwrite_full(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

char *vireo_disk_resolve_relative(const char *path, const char *name)
{
	const char *slash = strrchr(path, '/');
	char *out;

	if (name[0] == '/' || !slash)
		return strdup(name);
	if (asprintf(&out, "%.*s/%s", (int)(slash - path), path, name) < 0)
		return NULL;
	return out;
}

const char *vireo_disk_format_name(enum vireo_disk_format fmt)
{
	switch (fmt) {
	case VIREO_DISK_RAW:
		return "raw";
	case VIREO_DISK_QCOW2:
		return "qcow2";
	default:
		return "auto";
	}
}

int vireo_disk_parse_format(const char *name, enum vireo_disk_format *fmt)
{
	if (!strcmp(name, "raw"))
		*fmt = VIREO_DISK_RAW;
	else if (!strcmp(name, "qcow2"))
		*fmt = VIREO_DISK_QCOW2;
	else
		return -EINVAL;
	return 0;
}

static bool has_qcow2_magic(const uint8_t *m)
{
	return m[0] == 'Q' && m[1] == 'F' && m[2] == 'I' && m[3] == 0xfb;
}

/* "a.qcow2 -> b.qcow2 -> a.qcow2": the chain from the top down to @path. */
static void loop_names(char *buf, size_t len, const struct vireo_disk_chain *c, const char *path)
{
	const struct vireo_disk_chain *v[VIREO_DISK_MAX_CHAIN + 2];
	size_t n = 0, pos = 0;

	for (; c && n < sizeof(v) / sizeof(v[0]); c = c->child)
		v[n++] = c;
	buf[0] = 0;
	while (n--) {
		int k = snprintf(buf + pos, len - pos, "%s -> ", v[n]->path);

		if (k < 0 || (size_t)k >= len - pos)
			return;
		pos += k;
	}
	snprintf(buf + pos, len - pos, "%s", path);
}

int vireo_disk_open_chain(const char *path, enum vireo_disk_format fmt, unsigned int flags,
			  const struct vireo_disk_chain *child, struct vireo_disk **out,
			  GError **error)
{
	struct vireo_disk_chain self = { .child = child, .path = path,
					 .depth = child ? child->depth + 1 : 0 };
	bool ro = flags & VIREO_DISK_RDONLY;
	enum vireo_disk_format declared = fmt;
	uint8_t magic[4] = { 0 };
	struct stat st;
	int fd, ret;

	*out = NULL;
	if (self.depth > VIREO_DISK_MAX_CHAIN) {
		const struct vireo_disk_chain *top = child;

		while (top->child)
			top = top->child;
		return vireo_error_set(error, ELOOP,
				       "%s: backing chain deeper than %d images (at %s)", top->path,
				       VIREO_DISK_MAX_CHAIN, path);
	}
	fd = open(path, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		vireo_error_set(error, ret, "%s: cannot open: %s", path, strerror(errno));
		return ret;
	}
	if (fstat(fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
		ret = -EINVAL;
		vireo_error_set(error, ret, "%s: not a regular file or block device", path);
		goto fail;
	}
	self.dev = st.st_dev;
	self.ino = st.st_ino;
	for (const struct vireo_disk_chain *c = child; c; c = c->child) {
		char names[VIREO_DISK_ERR_MAX - 100];

		if (c->dev != st.st_dev || c->ino != st.st_ino)
			continue;
		const struct vireo_disk_chain *top = child;

		while (top->child)
			top = top->child;
		loop_names(names, sizeof(names), child, path);
		if (strcmp(c->path, path))
			ret = vireo_error_set(error, ELOOP,
					      "%s: backing file loop: %s (%s and %s are the same file)",
					      top->path, names, c->path, path);
		else
			ret = vireo_error_set(error, ELOOP, "%s: backing file loop: %s", top->path,
					      names);
		goto fail;
	}
	if (!(flags & VIREO_DISK_NO_LOCK)) {
		ret = vireo_disk_lock_fd(fd, !ro, path, error);
		if (ret)
			goto fail;
	}
	ret = vireo_disk_pread_full(fd, magic, sizeof(magic), 0);
	if (ret) {
		vireo_error_set(error, ret, "%s: cannot read: %s", path, strerror(-ret));
		goto fail;
	}
	if (fmt == VIREO_DISK_AUTO)
		fmt = has_qcow2_magic(magic) ? VIREO_DISK_QCOW2 : VIREO_DISK_RAW;
	if (declared == VIREO_DISK_QCOW2 && !has_qcow2_magic(magic)) {
		ret = vireo_error_set(error, EINVAL,
				      "%s: not a qcow2 image (bad magic 0x%02x%02x%02x%02x), though declared qcow2",
				      path, magic[0], magic[1], magic[2], magic[3]);
		goto fail;
	}
	if (declared == VIREO_DISK_RAW && (flags & VIREO_DISK_F_STRICT) && has_qcow2_magic(magic)) {
		ret = vireo_error_set(error, EINVAL,
				      "%s: declared raw, but the file is a qcow2 image (the guest would see and could rewrite its metadata); declare it qcow2",
				      path);
		goto fail;
	}
	if (fmt == VIREO_DISK_QCOW2)
		return vireo_disk_qcow2_open(path, fd, flags, &self, out, error);
	return vireo_disk_raw_open(path, fd, flags, out, error);
fail:
	close(fd);
	return ret;
}

int vireo_disk_open(const char *path, enum vireo_disk_format fmt, unsigned int flags,
		    struct vireo_disk **out, GError **error)
{
	return vireo_disk_open_chain(path, fmt, flags & ~VIREO_DISK_F_STRICT,
				     NULL, out, error);
}

int vireo_disk_validate(const char *path, enum vireo_disk_format declared,
			GError **error)
{
	struct vireo_disk *d;
	int ret;

	ret = vireo_disk_open_chain(path, declared,
				    VIREO_DISK_RDONLY | VIREO_DISK_NO_LOCK | VIREO_DISK_F_STRICT, NULL,
				    &d, error);
	if (!ret)
		vireo_disk_close(d);
	return ret;
}

struct vireo_disk *vireo_disk_backing(struct vireo_disk *d)
{
	return d->ops == &vireo_disk_qcow2_ops ? to_qcow2(d)->backing : NULL;
}

int vireo_disk_close(struct vireo_disk *d)
{
	int ret = 0;

	if (!d)
		return 0;
	if (!d->ro)
		ret = vireo_disk_flush(d);
	d->ops->close(d);
	return ret;
}

static int check_range(struct vireo_disk *d, uint64_t off, uint64_t len)
{
	if (off > d->size || len > d->size - off)
		return vireo_disk_fail(d, -EINVAL,
				       "request at 0x%llx (+%llu bytes) beyond the virtual size %llu",
				       (unsigned long long)off, (unsigned long long)len,
				       (unsigned long long)d->size);
	return 0;
}

int vireo_disk_pread(struct vireo_disk *d, void *buf, size_t len, uint64_t off)
{
	struct iovec one = { .iov_base = buf, .iov_len = len };

	return vireo_disk_preadv(d, &one, 1, off);
}

int vireo_disk_pwrite(struct vireo_disk *d, const void *buf, size_t len, uint64_t off)
{
	struct iovec one = { .iov_base = (void *)buf, .iov_len = len };	/* only read */

	return vireo_disk_pwritev(d, &one, 1, off);
}

static size_t iov_total(const struct iovec *iov, unsigned int niov)
{
	size_t len = 0;

	for (unsigned int i = 0; i < niov; i++)
		len += iov[i].iov_len;
	return len;
}

/* One buffer after the other, for formats without a vectored path. */
static int each_buffer(struct vireo_disk *d, const struct iovec *iov, unsigned int niov,
		       uint64_t off, bool write)
{
	for (unsigned int i = 0; i < niov; i++) {
		int ret = !iov[i].iov_len ? 0
			  : write ? d->ops->pwrite(d, iov[i].iov_base, iov[i].iov_len, off)
				  : d->ops->pread(d, iov[i].iov_base, iov[i].iov_len, off);

		if (ret)
			return ret;
		off += iov[i].iov_len;
	}
	return 0;
}

int vireo_disk_preadv(struct vireo_disk *d, const struct iovec *iov, unsigned int niov,
		      uint64_t off)
{
	size_t len = iov_total(iov, niov);
	int ret;

	pthread_mutex_lock(&d->lock);
	ret = check_range(d, off, len);
	if (!ret && len)
		ret = d->ops->preadv ? d->ops->preadv(d, iov, niov, off)
				     : each_buffer(d, iov, niov, off, false);
	pthread_mutex_unlock(&d->lock);
	return ret;
}

int vireo_disk_pwritev(struct vireo_disk *d, const struct iovec *iov, unsigned int niov,
		       uint64_t off)
{
	size_t len = iov_total(iov, niov);
	int ret;

	pthread_mutex_lock(&d->lock);
	if (d->ro)
		ret = vireo_disk_fail(d, -EROFS, "opened read-only");
	else
		ret = check_range(d, off, len);
	if (!ret && len)
		ret = d->ops->pwritev ? d->ops->pwritev(d, iov, niov, off)
				      : each_buffer(d, iov, niov, off, true);
	pthread_mutex_unlock(&d->lock);
	return ret;
}

int vireo_disk_flush(struct vireo_disk *d)
{
	int ret = 0;

	pthread_mutex_lock(&d->lock);
	if (!d->ro)
		ret = d->ops->flush(d);
	pthread_mutex_unlock(&d->lock);
	return ret;
}

int vireo_disk_discard(struct vireo_disk *d, uint64_t off, uint64_t len)
{
	int ret;

	pthread_mutex_lock(&d->lock);
	if (d->ro)
		ret = vireo_disk_fail(d, -EROFS, "opened read-only");
	else if (!d->ops->discard)
		ret = vireo_disk_fail(d, -EOPNOTSUPP, "%s images cannot discard", d->ops->name);
	else
		ret = check_range(d, off, len);
	if (!ret && len)
		ret = d->ops->discard(d, off, len);
	pthread_mutex_unlock(&d->lock);
	return ret;
}

int vireo_disk_resize(struct vireo_disk *d, uint64_t new_size)
{
	int ret;

	pthread_mutex_lock(&d->lock);
	if (d->ro)
		ret = vireo_disk_fail(d, -EROFS, "opened read-only");
	else if (new_size % 512)
		ret = vireo_disk_fail(d, -EINVAL, "new size %llu is not a multiple of 512",
				      (unsigned long long)new_size);
	else if (new_size < d->size)
		ret = vireo_disk_fail(d, -EINVAL,
				      "shrinking from %llu to %llu bytes is not supported (it would drop data)",
				      (unsigned long long)d->size, (unsigned long long)new_size);
	else if (new_size == d->size)
		ret = 0;
	else
		ret = d->ops->resize(d, new_size);
	pthread_mutex_unlock(&d->lock);
	return ret;
}

uint64_t vireo_disk_size(const struct vireo_disk *d)
{
	return d->size;
}

bool vireo_disk_readonly(const struct vireo_disk *d)
{
	return d->ro;
}

enum vireo_disk_format vireo_disk_format(const struct vireo_disk *d)
{
	return d->ops->format;
}

const char *vireo_disk_path(const struct vireo_disk *d)
{
	return d->path;
}

const char *vireo_disk_errmsg(const struct vireo_disk *d)
{
	return d->err;
}

void vireo_disk_get_info(struct vireo_disk *d, struct vireo_disk_info *info)
{
	struct stat st;

	memset(info, 0, sizeof(*info));
	pthread_mutex_lock(&d->lock);
	info->format = d->ops->format;
	info->virtual_size = d->size;
	if (fstat(d->fd, &st) == 0) {
		info->disk_size = (uint64_t)st.st_blocks * 512;
		info->file_size = st.st_size;
	}
	d->ops->info(d, info);
	pthread_mutex_unlock(&d->lock);
}

int vireo_disk_check(struct vireo_disk *d, struct vireo_disk_check *res, FILE *log)
{
	int ret = 0;

	memset(res, 0, sizeof(*res));
	pthread_mutex_lock(&d->lock);
	if (d->ops->check)
		ret = d->ops->check(d, res, log);
	pthread_mutex_unlock(&d->lock);
	return ret;
}

/*
 * The backing file of a new image: opened read-only (locked, its chain
 * validated, its declared format checked strictly) for its format and size.
 */
static int open_new_backing(const char *path, const struct vireo_disk_create_opts *o,
			    struct vireo_disk **bd, GError **error)
{
	GError *backing_error = NULL;
	char *bpath;
	int ret;

	if (strlen(o->backing_file) > QCOW2_MAX_BACKING_NAME)
		return vireo_error_set(error, ENAMETOOLONG,
				       "%s: backing file name longer than %d bytes", path,
				       QCOW2_MAX_BACKING_NAME);
	bpath = vireo_disk_resolve_relative(path, o->backing_file);
	if (!bpath)
		return -ENOMEM;
	/* The new image is the top of the chain: the backing file is one level down. */
	struct vireo_disk_chain top = { .path = path, .dev = (dev_t)-1, .ino = 0 };

	ret = vireo_disk_open_chain(bpath, o->backing_format,
				    VIREO_DISK_RDONLY |
					    (o->backing_format != VIREO_DISK_AUTO ? VIREO_DISK_F_STRICT : 0),
				    &top, bd, &backing_error);
	free(bpath);
	if (ret)
		vireo_error_set(error, ret, "%s: backing file: %s", path,
				backing_error ? backing_error->message : strerror(-ret));
	g_clear_error(&backing_error);
	return ret;
}

int vireo_disk_create(const char *path, const struct vireo_disk_create_opts *o,
		      GError **error)
{
	struct vireo_disk_tmp t;
	struct vireo_disk *bd = NULL;
	uint64_t size = o->size;
	int ret;

	switch (o->format) {
	case VIREO_DISK_RAW:
		if (o->backing_file)
			return vireo_error_set(error, EINVAL,
					       "%s: raw images cannot have a backing file", path);
		if (!size)
			return vireo_error_set(error, EINVAL,
					       "%s: create: a raw image needs a size", path);
		break;
	case VIREO_DISK_QCOW2:
		if (o->backing_file) {
			ret = open_new_backing(path, o, &bd, error);
			if (ret)
				return ret;
			if (!size)
				size = vireo_disk_size(bd);
		}
		size = (size + 511) & ~511ull;
		ret = vireo_disk_qcow2_check_opts(path, o->cluster_size, size, error);
		if (ret)
			goto out_backing;
		break;
	default:
		return vireo_error_set(error, EINVAL, "%s: create: the format must be raw or qcow2",
				       path);
	}
	ret = vireo_disk_tmp_begin(&t, path, o->overwrite, error);
	if (ret)
		goto out_backing;
	if (bd) {
		ret = vireo_disk_tmp_not_in_chain(&t, bd, true, error);
		if (ret)
			goto abort;
	}
	if (o->format == VIREO_DISK_RAW)
		ret = vireo_disk_raw_fill(path, t.fd, size, error);
	else
		ret = vireo_disk_qcow2_fill(path, t.tmp, t.fd, o,
					    bd ? vireo_disk_format_name(vireo_disk_format(bd)) : NULL,
					    size, error);
	if (ret)
		goto abort;
	ret = vireo_disk_tmp_commit(&t, error);
	goto out_backing;
abort:
	vireo_disk_tmp_abort(&t);
out_backing:
	if (bd)
		vireo_disk_close(bd);
	return ret;
}
