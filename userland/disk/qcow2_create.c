// SPDX-License-Identifier: GPL-2.0
/*
 * qcow2 creation: a version 3 image with 16-bit refcounts and zlib
 * compression type.  The file is written with an empty L1 table and one
 * refcount block (header, refcount table, refcount block: clusters 0-2),
 * synced, then opened and grown to the requested size by the ordinary
 * resize path, so that big L1 tables and refcount-table growth go through
 * the same (tested) code as everything else.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qcow2.h"

uint64_t qcow2_l1_entries(uint64_t size, uint32_t cluster_bits)
{
	uint64_t per_l2 = 1ull << (cluster_bits + cluster_bits - 3);

	return (size + per_l2 - 1) / per_l2;
}

struct feature {
	uint8_t type, bit;
	const char *name;
};

static const struct feature features[] = {
	{ 0, 0, "dirty bit" },		{ 0, 1, "corrupt bit" },
	{ 0, 2, "external data file" }, { 0, 3, "compression type" },
	{ 0, 4, "extended L2 entries" }, { 1, 0, "lazy refcounts" },
	{ 2, 0, "bitmaps" },		{ 2, 1, "raw external data" },
};

static size_t put_ext(uint8_t *p, uint32_t type, const void *data, uint32_t len)
{
	uint32_t be;

	be = htobe32(type);
	memcpy(p, &be, 4);
	be = htobe32(len);
	memcpy(p + 4, &be, 4);
	memcpy(p + 8, data, len);
	return 8 + (((size_t)len + 7) & ~(size_t)7);
}

/* Header cluster: header, extensions, backing name.  Returns 0 or -ENOSPC. */
static int build_header(uint8_t *c, uint64_t cs, const char *backing, const char *bfmt)
{
	struct qcow2_header h;
	size_t pos = sizeof(h), blen = backing ? strlen(backing) : 0;
	size_t ftab_len = sizeof(features) / sizeof(features[0]) * 48;

	memset(&h, 0, sizeof(h));
	h.magic = htobe32(QCOW2_MAGIC);
	h.version = htobe32(3);
	h.cluster_bits = htobe32(__builtin_ctzll(cs));
	h.refcount_table_offset = htobe64(cs);
	h.refcount_table_clusters = htobe32(1);
	h.refcount_order = htobe32(4);
	h.header_length = htobe32(sizeof(h));
	if (backing) {
		if (pos + 16 + 8 + blen > cs)
			return -ENOSPC;
		pos += put_ext(c + pos, QCOW2_EXT_BACKING_FORMAT, bfmt, strlen(bfmt));
	}
	/* The feature name table is a courtesy to other tools; skipped if it does not fit. */
	if (pos + 8 + ftab_len + 8 + blen <= cs) {
		uint8_t tab[sizeof(features) / sizeof(features[0]) * 48];

		memset(tab, 0, sizeof(tab));
		for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
			tab[i * 48] = features[i].type;
			tab[i * 48 + 1] = features[i].bit;
			strncpy((char *)tab + i * 48 + 2, features[i].name, 46);
		}
		pos += put_ext(c + pos, QCOW2_EXT_FEATURE_TABLE, tab, sizeof(tab));
	}
	pos += 8;	/* end of extensions: type 0, length 0 (already zero) */
	if (backing) {
		h.backing_file_offset = htobe64(pos);
		h.backing_file_size = htobe32((uint32_t)blen);
		memcpy(c + pos, backing, blen);
	}
	memcpy(c, &h, sizeof(h));
	return 0;
}

int vireo_disk_qcow2_check_opts(const char *name, uint64_t cluster, uint64_t size,
				GError **error)
{
	uint64_t cs = cluster ? cluster : 65536;

	if (cs < 512 || cs > (2u << 20) || (cs & (cs - 1)))
		return vireo_error_set(error, EINVAL,
				       "%s: cluster size %llu invalid (a power of two from 512 to 2M)",
				       name, (unsigned long long)cs);
	if (!size)
		return vireo_error_set(error, EINVAL,
				       "%s: create: a size is needed (at least 512 bytes)", name);
	if (qcow2_l1_entries(size, __builtin_ctzll(cs)) * 8 > QCOW2_MAX_L1_BYTES)
		return vireo_error_set(error, EFBIG,
				       "%s: size %llu is too large for %llu-byte clusters (L1 table over %u bytes)",
				       name, (unsigned long long)size, (unsigned long long)cs,
				       QCOW2_MAX_L1_BYTES);
	return 0;
}

int vireo_disk_qcow2_fill(const char *name, const char *tmp, int fd,
			  const struct vireo_disk_create_opts *o, const char *bfmt, uint64_t size,
			  GError **error)
{
	uint64_t cs = o->cluster_size ? o->cluster_size : 65536;
	struct vireo_disk *d = NULL;
	uint8_t *buf;
	int ret;

	buf = calloc(3, cs);
	if (!buf)
		return -ENOMEM;
	ret = build_header(buf, cs, o->backing_file, bfmt);
	if (ret) {
		vireo_error_set(error, ret,
				"%s: backing file name does not fit in a %llu-byte cluster", name,
				(unsigned long long)cs);
		goto out;
	}
	/* Cluster 1: refcount table -> block at cluster 2; cluster 2: refcounts of 0..2. */
	uint64_t rb = htobe64(2 * cs);
	uint16_t one = htobe16(1);

	memcpy(buf + cs, &rb, 8);
	for (int i = 0; i < 3; i++)
		memcpy(buf + 2 * cs + i * 2, &one, 2);
	ret = vireo_disk_pwrite_full(fd, buf, 3 * cs, 0);
	if (!ret && fsync(fd) < 0)
		ret = -errno;
	if (ret) {
		vireo_error_set(error, ret, "%s: write: %s", name, strerror(-ret));
		goto out;
	}
	/* Our @fd holds the write lock; this second description must not ask for it. */
	ret = vireo_disk_open(tmp, VIREO_DISK_QCOW2,
			      VIREO_DISK_NO_BACKING | VIREO_DISK_NO_CHAIN | VIREO_DISK_NO_LOCK, &d, error);
	if (ret)
		goto out;
	ret = vireo_disk_resize(d, size);
	if (ret) {
		const char *m = vireo_disk_errmsg(d);
		size_t l = strlen(tmp);

		if (!strncmp(m, tmp, l) && m[l] == ':')	/* name the destination, not the temporary */
			m += l + 1 + (m[l + 1] == ' ');
		vireo_error_set(error, ret, "%s: %s", name, m);
	}
	if (vireo_disk_close(d) && !ret)
		ret = -EIO;
out:
	free(buf);
	return ret;
}
