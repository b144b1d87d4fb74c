// SPDX-License-Identifier: GPL-2.0
/*
 * Image conversion: read the source's guest view chunk by chunk, write the
 * chunks that are not all zeros to a fresh image, report progress.  The
 * fresh image is a temporary file renamed over the destination at the end
 * (replace.c): a failure or cancel leaves the destination as it was.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "disk_priv.h"

#define CHUNK (1u << 20)

static bool all_zero(const uint8_t *p, size_t len)
{
	const uint64_t *w = (const uint64_t *)p;

	for (size_t i = 0; i < len / 8; i++)
		if (w[i])
			return false;
	for (size_t i = len & ~(size_t)7; i < len; i++)
		if (p[i])
			return false;
	return true;
}

static int image_read(void *opaque, void *buf, size_t len, uint64_t off, struct vireo_disk_err *err)
{
	struct vireo_disk *s = opaque;
	int ret = vireo_disk_pread(s, buf, len, off);

	if (ret && err)
		snprintf(err->msg, sizeof(err->msg), "%s", vireo_disk_errmsg(s));
	return ret;
}

static int convert_into(const struct vireo_disk_source *src, struct vireo_disk *s,
			const char *dst, const struct vireo_disk_convert_opts *o,
			struct vireo_disk_err *err)
{
	struct vireo_disk_create_opts copts = { 0 };
	struct vireo_disk *d = NULL;
	uint64_t size = src->size, done = 0;
	size_t chunk = CHUNK;
	struct vireo_disk_tmp t;
	uint8_t *buf = NULL;
	int ret;

	copts.format = o->dst_format;
	copts.size = size;
	copts.cluster_size = o->cluster_size;
	switch (o->dst_format) {
	case VIREO_DISK_RAW:
		if (!size) {
			vireo_disk_err_set(err, src->name, "convert: the source is empty");
			return -EINVAL;
		}
		break;
	case VIREO_DISK_QCOW2:
		ret = vireo_disk_qcow2_check_opts(dst, o->cluster_size, size, err);
		if (ret)
			return ret;
		break;
	default:
		vireo_disk_err_set(err, dst, "convert: the output format must be raw or qcow2");
		return -EINVAL;
	}
	ret = vireo_disk_tmp_begin(&t, dst, o->overwrite, err);
	if (ret)
		return ret;
	if (s) {
		ret = vireo_disk_tmp_not_in_chain(&t, s, false, err);
		if (ret)
			goto out;
	}
	if (o->dst_format == VIREO_DISK_RAW)
		ret = vireo_disk_raw_fill(dst, t.fd, size, err);
	else
		ret = vireo_disk_qcow2_fill(dst, t.tmp, t.fd, &copts, NULL, size, err);
	if (ret)
		goto out;
	/* t.fd holds the write lock; nobody else can know the name anyway. */
	ret = vireo_disk_open(t.tmp, o->dst_format,
			      VIREO_DISK_UNSAFE_NOSYNC | VIREO_DISK_NO_LOCK | VIREO_DISK_NO_BACKING |
				      VIREO_DISK_NO_CHAIN,
			      &d, err);
	if (ret)
		goto out;
	if (o->cluster_size > chunk)
		chunk = o->cluster_size;
	buf = malloc(chunk);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	if (o->progress && o->progress(o->opaque, 0, size)) {
		vireo_disk_err_set(err, dst, "conversion cancelled");
		ret = -ECANCELED;
		goto out;
	}
	while (done < size) {
		size_t n = size - done < chunk ? size - done : chunk;

		if (err)
			err->msg[0] = 0;
		ret = src->read(src->opaque, buf, n, done, err);
		if (ret) {
			if (err && !err->msg[0])
				vireo_disk_err_set(err, src->name, "read at %llu: %s",
						   (unsigned long long)done, strerror(-ret));
			goto out;
		}
		if (!all_zero(buf, n)) {
			ret = vireo_disk_pwrite(d, buf, n, done);
			if (ret) {
				vireo_disk_err_set(err, dst, "write at %llu: %s",
						   (unsigned long long)done, strerror(-ret));
				goto out;
			}
		}
		done += n;
		if (o->progress && o->progress(o->opaque, done, size)) {
			vireo_disk_err_set(err, dst, "conversion cancelled");
			ret = -ECANCELED;
			goto out;
		}
	}
	ret = vireo_disk_close(d);
	d = NULL;
	if (ret) {
		vireo_disk_err_set(err, dst, "flush: %s", strerror(-ret));
		goto out;
	}
	free(buf);
	return vireo_disk_tmp_commit(&t, err);
out:
	if (d)
		vireo_disk_close(d);
	vireo_disk_tmp_abort(&t);
	free(buf);
	return ret;
}

int vireo_disk_convert(const char *src, const char *dst, const struct vireo_disk_convert_opts *o,
		       struct vireo_disk_err *err)
{
	struct vireo_disk_source source = { .read = image_read, .name = src };
	struct vireo_disk *s = NULL;
	int ret;

	ret = vireo_disk_open(src, o->src_format, VIREO_DISK_RDONLY, &s, err);
	if (ret)
		return ret;
	source.opaque = s;
	source.size = vireo_disk_size(s);
	ret = convert_into(&source, s, dst, o, err);
	vireo_disk_close(s);
	return ret;
}

int vireo_disk_convert_from(const struct vireo_disk_source *src, const char *dst,
			    const struct vireo_disk_convert_opts *o, struct vireo_disk_err *err)
{
	return convert_into(src, NULL, dst, o, err);
}
