// SPDX-License-Identifier: GPL-2.0
/*
 * qcow2 metadata: the L2 and refcount-block caches, refcounts, cluster
 * allocation at the end of the file, refcount-table growth, compressed
 * clusters.
 *
 * The caches are write-through: every metadata update is a pwrite() issued
 * at the point of the sequence the caller chooses, so the crash ordering
 * described in qcow2_io.c is the order of the calls, with nothing written
 * back later behind the caller's back.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "qcow2.h"

int qcow2_sync(struct qcow2 *q)
{
	if (qcow2_nosync(q))
		return 0;
	if (fdatasync(q->base.fd) < 0)
		return vireo_disk_fail(&q->base, -errno, "fdatasync: %s", strerror(errno));
	return 0;
}

int qcow2_write_file(struct qcow2 *q, const void *buf, size_t len, uint64_t off)
{
	int ret = vireo_disk_pwrite_full(q->base.fd, buf, len, off);

	if (ret)
		return vireo_disk_fail(&q->base, ret, "write at 0x%llx: %s",
				       (unsigned long long)off, strerror(-ret));
	if (off + len > q->file_size)
		q->file_size = off + len;
	return 0;
}

/*
 * The cluster at @off from cache @c (@n slots), loading it on a miss
 * unless @fresh (a just-allocated cluster: zeros, nothing to read).
 */
static int cache_get(struct qcow2 *q, struct qcow2_table_cache *c, int n, uint64_t off,
		     bool fresh, uint8_t **data)
{
	struct qcow2_table_cache *victim = &c[0];
	int ret;

	for (int i = 0; i < n; i++) {
		if (c[i].offset == off) {
			c[i].lru = ++q->lru_clock;
			if (fresh)
				memset(c[i].data, 0, q->cluster_size);
			*data = c[i].data;
			return 0;
		}
		if (c[i].lru < victim->lru)
			victim = &c[i];
	}
	victim->offset = 0;
	if (!victim->data) {	/* slots fill lazily: 2 MiB clusters make big caches */
		victim->data = malloc(q->cluster_size);
		if (!victim->data)
			return vireo_disk_fail(&q->base, -ENOMEM, "out of memory for metadata cache");
	}
	if (fresh) {
		memset(victim->data, 0, q->cluster_size);
	} else {
		ret = vireo_disk_pread_full(q->base.fd, victim->data, q->cluster_size, off);
		if (ret)
			return vireo_disk_fail(&q->base, ret, "reading metadata at 0x%llx: %s",
					       (unsigned long long)off, strerror(-ret));
	}
	victim->offset = off;
	victim->lru = ++q->lru_clock;
	*data = victim->data;
	return 0;
}

void qcow2_cache_drop(struct qcow2 *q, uint64_t off)
{
	for (int i = 0; i < QCOW2_L2_CACHE; i++)
		if (q->l2c[i].offset == off)
			q->l2c[i].offset = 0;
	for (int i = 0; i < QCOW2_RB_CACHE; i++)
		if (q->rbc[i].offset == off)
			q->rbc[i].offset = 0;
}

int qcow2_l2_load(struct qcow2 *q, uint64_t l2_off, uint8_t **tbl)
{
	return cache_get(q, q->l2c, QCOW2_L2_CACHE, l2_off, false, tbl);
}

int qcow2_l2_set(struct qcow2 *q, uint64_t l2_off, uint64_t idx, const uint64_t *entries,
		 uint64_t n)
{
	uint64_t be[64];
	uint8_t *tbl;
	int ret;

	ret = cache_get(q, q->l2c, QCOW2_L2_CACHE, l2_off, false, &tbl);
	while (!ret && n) {
		uint64_t k = n < 64 ? n : 64;

		for (uint64_t i = 0; i < k; i++)
			be[i] = htobe64(entries[i]);
		memcpy(tbl + idx * 8, be, k * 8);
		ret = qcow2_write_file(q, be, k * 8, l2_off + idx * 8);
		idx += k;
		entries += k;
		n -= k;
	}
	return ret;
}

/* Refcount entry @i of a refcount block, any refcount_order (0..6). */
uint64_t qcow2_rb_get(const struct qcow2 *q, const uint8_t *blk, uint64_t i)
{
	uint32_t bits = q->refcount_bits;
	uint64_t v = 0;

	if (bits < 8)	/* packed from the least significant bit up */
		return (blk[i * bits / 8] >> ((i * bits) % 8)) & ((1u << bits) - 1);
	for (uint32_t b = 0; b < bits / 8; b++)
		v = (v << 8) | blk[i * (bits / 8) + b];
	return v;
}

int qcow2_refcount_get(struct qcow2 *q, uint64_t cluster, uint64_t *rc)
{
	uint64_t b = cluster / q->rb_entries;
	uint64_t rb;
	uint8_t *blk;
	int ret;

	*rc = 0;
	if (b >= q->rct_entries)
		return 0;
	rb = q->rct[b] & QCOW2_REFT_OFFSET_MASK;
	if (!rb)
		return 0;
	if (rb % q->cluster_size || rb + q->cluster_size > qcow2_align_up(q, q->file_size))
		return vireo_disk_fail(&q->base, -EINVAL,
				       "refcount block %llu at 0x%llx is unaligned or beyond the end of the file",
				       (unsigned long long)b, (unsigned long long)rb);
	ret = cache_get(q, q->rbc, QCOW2_RB_CACHE, rb, false, &blk);
	if (ret)
		return ret;
	*rc = qcow2_rb_get(q, blk, cluster % q->rb_entries);
	return 0;
}

static int grow_reftable(struct qcow2 *q, uint64_t need_b);

/*
 * Install a refcount block for block index @b, placed at the end of the
 * file.  Its own refcount is recorded first (in itself when it covers its
 * own offset, else in the block that does), its content is made durable,
 * and only then does the refcount table point to it.
 */
static int new_refblock(struct qcow2 *q, uint64_t b)
{
	uint64_t off = q->alloc_end, idx;
	uint8_t *blk;
	int ret;

	q->alloc_end += q->cluster_size;
	idx = off >> q->cluster_bits;
	if (idx / q->rb_entries != b) {
		ret = qcow2_refcount_set(q, idx, 1);
		if (ret)
			return ret;
	}
	ret = cache_get(q, q->rbc, QCOW2_RB_CACHE, off, true, &blk);
	if (ret)
		return ret;
	if (idx / q->rb_entries == b) {
		uint16_t one = htobe16(1);

		memcpy(blk + (idx % q->rb_entries) * 2, &one, 2);
	}
	ret = qcow2_write_file(q, blk, q->cluster_size, off);
	if (ret)
		goto fail;
	if (q->rct_building) {	/* published with the whole new table */
		q->rct[b] = off;
		return 0;
	}
	ret = qcow2_sync(q);
	if (ret)
		goto fail;
	uint64_t be = htobe64(off);

	ret = qcow2_write_file(q, &be, 8, q->rct_offset + b * 8);
	if (ret)
		goto fail;
	q->rct[b] = off;
	return 0;
fail:
	qcow2_cache_drop(q, off);
	return ret;
}

/* Set one 16-bit refcount (writing requires refcount_order 4). */
int qcow2_refcount_set(struct qcow2 *q, uint64_t cluster, uint64_t value)
{
	uint64_t b = cluster / q->rb_entries;
	uint16_t be = htobe16((uint16_t)value);
	uint64_t rb;
	uint8_t *blk;
	int ret;

	if (value > 0xffff)
		return vireo_disk_fail(&q->base, -EOVERFLOW, "refcount of cluster %llu overflows",
				       (unsigned long long)cluster);
	if (b >= q->rct_entries) {
		ret = grow_reftable(q, b);
		if (ret)
			return ret;
	}
	if (!(q->rct[b] & QCOW2_REFT_OFFSET_MASK)) {
		ret = new_refblock(q, b);
		if (ret)
			return ret;
	}
	rb = q->rct[b] & QCOW2_REFT_OFFSET_MASK;
	ret = cache_get(q, q->rbc, QCOW2_RB_CACHE, rb, false, &blk);
	if (ret)
		return ret;
	memcpy(blk + (cluster % q->rb_entries) * 2, &be, 2);
	return qcow2_write_file(q, &be, 2, rb + (cluster % q->rb_entries) * 2);
}

/*
 * Grow the refcount table so that it has an entry @need_b, by writing a
 * bigger copy at the end of the file.  The copy's own clusters get their
 * refcounts (creating refcount blocks that only the copy points to), the
 * copy is made durable, the header is switched to it in one 12-byte write,
 * and the old table is freed afterwards: a crash at any point leaves
 * either the old table, complete, or the new one, complete, plus leaks.
 */
static int grow_reftable(struct qcow2 *q, uint64_t need_b)
{
	uint64_t cs = q->cluster_size;
	uint64_t entries = (need_b + 1 > q->rct_entries ? need_b + 1 : q->rct_entries) * 2;
	uint64_t clusters = (entries * 8 + cs - 1) / cs;
	uint64_t *old = q->rct, old_entries = q->rct_entries, old_off = q->rct_offset;
	uint32_t old_clusters = q->rct_clusters;
	uint64_t *nt, off;
	struct {
		uint64_t offset;
		uint32_t clusters;
	} __attribute__((packed)) hdr;
	int ret = 0;

	if (q->rct_building)
		return vireo_disk_fail(&q->base, -EFBIG, "refcount table grew while growing");
	if (clusters * cs > QCOW2_MAX_REFTABLE_BYTES)
		return vireo_disk_fail(&q->base, -EFBIG,
				       "the image outgrew its refcount table (limit %u bytes)",
				       QCOW2_MAX_REFTABLE_BYTES);
	entries = clusters * cs / 8;
	nt = calloc(entries, 8);
	if (!nt)
		return -ENOMEM;
	memcpy(nt, old, old_entries * 8);
	off = q->alloc_end;
	q->alloc_end += clusters * cs;

	q->rct = nt;
	q->rct_entries = entries;
	q->rct_building = true;
	for (uint64_t i = 0; i < clusters && !ret; i++)
		ret = qcow2_refcount_set(q, (off >> q->cluster_bits) + i, 1);
	q->rct_building = false;
	if (ret)
		goto fail;

	for (uint64_t i = 0; i < entries; i++)
		nt[i] = htobe64(nt[i]);
	ret = qcow2_write_file(q, nt, entries * 8, off);
	for (uint64_t i = 0; i < entries; i++)
		nt[i] = be64toh(nt[i]);
	if (!ret)
		ret = qcow2_sync(q);
	if (ret)
		goto fail;
	hdr.offset = htobe64(off);
	hdr.clusters = htobe32((uint32_t)clusters);
	ret = qcow2_write_file(q, &hdr, sizeof(hdr),
			       offsetof(struct qcow2_header, refcount_table_offset));
	if (!ret)
		ret = qcow2_sync(q);
	if (ret)
		goto fail;
	q->rct_offset = off;
	q->rct_clusters = clusters;
	free(old);
	return qcow2_free(q, old_off, old_clusters);
fail:
	/* The old table is still the one on disk; what we allocated leaks. */
	q->rct = old;
	q->rct_entries = old_entries;
	free(nt);
	return ret;
}

/*
 * Allocate @n contiguous clusters at the end of the file with refcount 1
 * each (set, not incremented: a cluster past the old end can only have a
 * refcount leaked by an earlier crash).  The refcounts are written, not
 * yet synced: the caller syncs before anything points to the clusters.
 */
int qcow2_alloc(struct qcow2 *q, uint64_t n, uint64_t *off)
{
	uint64_t start = q->alloc_end;
	int ret;

	q->alloc_end += n * q->cluster_size;
	for (uint64_t i = 0; i < n; i++) {
		ret = qcow2_refcount_set(q, (start >> q->cluster_bits) + i, 1);
		if (ret)
			return ret;
	}
	*off = start;
	return 0;
}

/*
 * Drop one reference from each of @n clusters at @off.  Callers have
 * already removed (and synced) the reference: a crash here leaks.  Freed
 * clusters are not reused (allocation only appends); their space is given
 * back to the host with a hole.
 */
int qcow2_free(struct qcow2 *q, uint64_t off, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		uint64_t c = (off >> q->cluster_bits) + i, rc;
		int ret = qcow2_refcount_get(q, c, &rc);

		if (!ret && rc)
			ret = qcow2_refcount_set(q, c, rc - 1);
		if (ret)
			return ret;
		if (rc == 1) {
			qcow2_cache_drop(q, c << q->cluster_bits);
			/* Best effort: a filesystem without holes just keeps the bytes. */
			(void)fallocate(q->base.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
					(off_t)(c << q->cluster_bits), (off_t)q->cluster_size);
		}
	}
	return 0;
}

/* Host byte range of a compressed cluster descriptor. */
int qcow2_compressed_range(const struct qcow2 *q, uint64_t l2e, uint64_t *off, uint64_t *len)
{
	uint64_t o = l2e & ((1ull << q->csize_shift) - 1);
	uint64_t nsec = (l2e >> q->csize_shift) & q->csize_mask;
	uint64_t l = (nsec + 1) * 512 - (o & 511);

	*off = o;
	*len = l;
	return o < q->file_size && l <= 2 * q->cluster_size ? 0 : -EINVAL;
}

/* Inflate the compressed cluster of L2 entry @l2e into q->zcache (one-entry cache). */
int qcow2_read_compressed(struct qcow2 *q, uint64_t l2e, uint8_t **cluster)
{
	uint64_t off, len;
	z_stream z;
	int ret, zr;

	q->seen_compressed = true;
	if (q->zcache_off == l2e) {
		*cluster = q->zcache;
		return 0;
	}
	q->zcache_off = 0;
	if (qcow2_compressed_range(q, l2e, &off, &len))
		return vireo_disk_fail(&q->base, -EINVAL,
				       "compressed cluster descriptor 0x%016llx points beyond the end of the file (size %llu)",
				       (unsigned long long)l2e, (unsigned long long)q->file_size);
	if (len > q->file_size - off)
		len = q->file_size - off;
	ret = vireo_disk_pread_full(q->base.fd, q->zbuf, len, off);
	if (ret)
		return vireo_disk_fail(&q->base, ret, "reading a compressed cluster at 0x%llx: %s",
				       (unsigned long long)off, strerror(-ret));
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, -12) != Z_OK)	/* raw deflate, 4 KiB window (QEMU's) */
		return vireo_disk_fail(&q->base, -ENOMEM, "zlib init failed");
	z.next_in = q->zbuf;
	z.avail_in = len;
	z.next_out = q->zcache;
	z.avail_out = q->cluster_size;
	zr = inflate(&z, Z_FINISH);
	inflateEnd(&z);
	if ((zr != Z_STREAM_END && zr != Z_BUF_ERROR) || z.avail_out != 0)
		return vireo_disk_fail(&q->base, -EIO,
				       "compressed cluster at 0x%llx (%llu bytes) does not inflate to a cluster",
				       (unsigned long long)off, (unsigned long long)len);
	q->zcache_off = l2e;
	*cluster = q->zcache;
	return 0;
}
