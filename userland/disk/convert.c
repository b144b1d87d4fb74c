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

static int image_read(void *opaque, void *buf, size_t len, uint64_t off, GError **error)
{
	struct vireo_disk *s = opaque;
	int ret = vireo_disk_pread(s, buf, len, off);

	if (ret)
		return vireo_error_set(error, ret, "%s", vireo_disk_errmsg(s));
	return 0;
}

static int convert_into(const struct vireo_disk_source *src, struct vireo_disk *s,
			const char *dst, const struct vireo_disk_convert_opts *o,
			GError **error)
{
	g_autoptr(GError) read_error = NULL;
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
		if (!size)
			return vireo_error_set(error, EINVAL, "%s: convert: the source is empty",
					       src->name);
		break;
	case VIREO_DISK_QCOW2:
		ret = vireo_disk_qcow2_check_opts(dst, o->cluster_size, size, error);
		if (ret)
			return ret;
		break;
	default:
		return vireo_error_set(error, EINVAL,
				       "%s: convert: the output format must be raw or qcow2", dst);
	}
	ret = vireo_disk_tmp_begin(&t, dst, o->overwrite, error);
	if (ret)
		return ret;
	if (s) {
		ret = vireo_disk_tmp_not_in_chain(&t, s, false, error);
		if (ret)
			goto out;
	}
	if (o->dst_format == VIREO_DISK_RAW)
		ret = vireo_disk_raw_fill(dst, t.fd, size, error);
	else
		ret = vireo_disk_qcow2_fill(dst, t.tmp, t.fd, &copts, NULL, size, error);
	if (ret)
		goto out;
	/* t.fd holds the write lock; nobody else can know the name anyway. */
	ret = vireo_disk_open(t.tmp, o->dst_format,
			      VIREO_DISK_UNSAFE_NOSYNC | VIREO_DISK_NO_LOCK | VIREO_DISK_NO_BACKING |
				      VIREO_DISK_NO_CHAIN,
			      &d, error);
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
		ret = vireo_error_set(error, ECANCELED, "%s: conversion cancelled", dst);
		goto out;
	}
	while (done < size) {
		size_t n = size - done < chunk ? size - done : chunk;

		ret = src->read(src->opaque, buf, n, done, &read_error);
		if (ret) {
			if (read_error)
				vireo_error_set(error, ret, "%s", read_error->message);
			else
				vireo_error_set(error, ret, "%s: read at %llu: %s", src->name,
						(unsigned long long)done, strerror(-ret));
			goto out;
		}
		if (!all_zero(buf, n)) {
			ret = vireo_disk_pwrite(d, buf, n, done);
			if (ret) {
				vireo_error_set(error, ret, "%s: write at %llu: %s", dst,
						(unsigned long long)done, strerror(-ret));
				goto out;
			}
		}
		done += n;
		if (o->progress && o->progress(o->opaque, done, size)) {
			ret = vireo_error_set(error, ECANCELED, "%s: conversion cancelled", dst);
			goto out;
		}
	}
	ret = vireo_disk_close(d);
	d = NULL;
	if (ret) {
		vireo_error_set(error, ret, "%s: flush: %s", dst, strerror(-ret));
		goto out;
	}
	free(buf);
	return vireo_disk_tmp_commit(&t, error);
out:
	if (d)
		vireo_disk_close(d);
	vireo_disk_tmp_abort(&t);
	free(buf);
	return ret;
}

int vireo_disk_convert(const char *src, const char *dst, const struct vireo_disk_convert_opts *o,
		       GError **error)
{
	struct vireo_disk_source source = { .read = image_read, .name = src };
	struct vireo_disk *s = NULL;
	int ret;

	ret = vireo_disk_open(src, o->src_format, VIREO_DISK_RDONLY, &s, error);
	if (ret)
		return ret;
	source.opaque = s;
	source.size = vireo_disk_size(s);
	ret = convert_into(&source, s, dst, o, error);
	vireo_disk_close(s);
	return ret;
}

int vireo_disk_convert_from(const struct vireo_disk_source *src, const char *dst,
			    const struct vireo_disk_convert_opts *o, GError **error)
{
	return convert_into(src, NULL, dst, o, error);
}
