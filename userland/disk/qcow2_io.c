// SPDX-License-Identifier: GPL-2.0
/*
 * qcow2 guest I/O: reads through L1/L2 (falling through to the backing
 * file), writes with cluster allocation and copy-on-write, discard, flush
 * and growth of the virtual size.
 *
 * Crash ordering
 * ==============
 * Invariant: at every instant, on disk, every cluster that some table
 * points to has a refcount at least as large as the number of pointers,
 * and a refcount of exactly 1 wherever the pointer carries the COPIED
 * flag.  A crash may leave refcounts *above* the pointers (leaked
 * clusters: `qemu-img check` reports leaks, not errors) but never below.
 * Two rules give it:
 *
 *  1. Pointers are added last.  To make an L2 (or L1, or refcount-table,
 *     or header) entry point to a new cluster we first write the new
 *     cluster's refcount, then its content, then fdatasync(), and only
 *     then write the pointer.  The fdatasync is what orders the pointer
 *     after the rest for a power failure; for a killed process the order of
 *     the pwrite() calls is enough, since the page cache outlives it.
 *  2. Pointers are removed first.  To drop a cluster (COW away from a
 *     compressed or shared cluster, discard, the old L1 or refcount table
 *     after a move), the new pointer is written and synced before the
 *     refcount is decremented.
 *
 * A write to unallocated clusters therefore costs one fdatasync per
 * request: its clusters are allocated and filled one after the other,
 * then one sync, then the L2 entries are written (pending[] below).  A
 * new L2 table costs one more (zeroed table + sync, then the L1 entry).
 * New refcount blocks and refcount-table growth follow the same two rules
 * inside qcow2_meta.c.  Writes into already-allocated clusters touch no
 * metadata and need no sync until the guest flushes.
 *
 * Allocation only appends (q->alloc_end): freed clusters become holes and
 * are never reused, so a crash can never leave one pointer to a cluster
 * that was reused for something else.  The dirty bit and lazy refcounts
 * are never used: refcounts are always exact.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qcow2.h"

#define PENDING_MAX 64

struct pending {
	uint64_t l2_off, idx;
	uint64_t entry;	/* the new L2 entry */
	uint64_t old;	/* the entry it replaces, whose clusters lose a reference */
};

struct write_batch {
	struct pending p[PENDING_MAX];
	int n;
	bool need_free;
};

static uint64_t l1_index(const struct qcow2 *q, uint64_t off)
{
	return off >> (q->cluster_bits + q->l2_bits);
}

static uint64_t l2_index(const struct qcow2 *q, uint64_t off)
{
	return (off >> q->cluster_bits) & (q->l2_entries - 1);
}

static uint64_t l2_reserved(const struct qcow2 *q)
{
	return QCOW2_L2_RESERVED | (q->version < 3 ? QCOW2_OFLAG_ZERO : 0);
}

/* The L2 entry for guest offset @off (0 when there is no L2 table). */
static int get_l2_entry(struct qcow2 *q, uint64_t off, uint64_t *entry)
{
	uint64_t l1i = l1_index(q, off), l2_off;
	uint8_t *tbl;
	int ret;

	*entry = 0;
	if (l1i >= q->l1_size)
		return 0;
	l2_off = q->l1[l1i] & QCOW2_L1_OFFSET_MASK;
	if (!l2_off)
		return 0;
	ret = qcow2_l2_load(q, l2_off, &tbl);
	if (ret)
		return ret;
	memcpy(entry, tbl + l2_index(q, off) * 8, 8);
	*entry = be64toh(*entry);
	return 0;
}

/* Validate a standard (uncompressed) L2 entry before following it. */
static int check_l2_entry(struct qcow2 *q, uint64_t guest, uint64_t e)
{
	uint64_t host = e & QCOW2_L2_OFFSET_MASK;

	if (e & l2_reserved(q))
		return vireo_disk_fail(&q->base, -EINVAL,
				       "L2 entry for guest offset 0x%llx (0x%016llx) has reserved bits set",
				       (unsigned long long)guest, (unsigned long long)e);
	if (host % q->cluster_size)
		return vireo_disk_fail(&q->base, -EINVAL,
				       "L2 entry for guest offset 0x%llx: data cluster 0x%llx is not cluster aligned",
				       (unsigned long long)guest, (unsigned long long)host);
	if (host >= q->file_size)
		return vireo_disk_fail(&q->base, -EINVAL,
				       "L2 entry for guest offset 0x%llx: data cluster at 0x%llx is beyond the end of the file (size %llu)",
				       (unsigned long long)guest, (unsigned long long)host,
				       (unsigned long long)q->file_size);
	return 0;
}

static int read_backing(struct qcow2 *q, void *buf, size_t len, uint64_t off)
{
	uint64_t bsize;
	size_t n;
	int ret;

	if (!q->backing) {
		memset(buf, 0, len);
		return 0;
	}
	bsize = vireo_disk_size(q->backing);
	n = off >= bsize ? 0 : (bsize - off < len ? bsize - off : len);
	if (n) {
		ret = vireo_disk_pread(q->backing, buf, n, off);
		if (ret)
			return vireo_disk_fail(&q->base, ret, "%s",
					       vireo_disk_errmsg(q->backing));
	}
	memset((uint8_t *)buf + n, 0, len - n);
	return 0;
}

/* Read @len bytes inside one cluster. */
static int read_in_cluster(struct qcow2 *q, uint8_t *buf, size_t len, uint64_t off)
{
	uint64_t in = off & (q->cluster_size - 1), e, host;
	uint8_t *cl;
	int ret;

	ret = get_l2_entry(q, off, &e);
	if (ret)
		return ret;
	if (e & QCOW2_OFLAG_COMPRESSED) {
		ret = qcow2_read_compressed(q, e, &cl);
		if (!ret)
			memcpy(buf, cl + in, len);
		return ret;
	}
	ret = check_l2_entry(q, off, e);
	if (ret)
		return ret;
	host = e & QCOW2_L2_OFFSET_MASK;
	if (e & QCOW2_OFLAG_ZERO) {
		memset(buf, 0, len);
		return 0;
	}
	if (!host)
		return read_backing(q, buf, len, off);
	ret = vireo_disk_pread_full(q->base.fd, buf, len, host + in);
	if (ret)
		return vireo_disk_fail(&q->base, ret, "read at 0x%llx: %s",
				       (unsigned long long)(host + in), strerror(-ret));
	return 0;
}

int qcow2_pread(struct vireo_disk *d, void *buf, size_t len, uint64_t off)
{
	struct qcow2 *q = to_qcow2(d);
	uint8_t *p = buf;

	while (len) {
		uint64_t in = off & (q->cluster_size - 1);
		size_t n = q->cluster_size - in < len ? q->cluster_size - in : len;
		int ret = read_in_cluster(q, p, n, off);

		if (ret)
			return ret;
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

/*
 * The L2 table for guest offset @off, allocating it if @create: zeroed
 * table, sync, then the L1 entry (rule 1).
 */
static int get_l2_table(struct qcow2 *q, uint64_t off, bool create, uint64_t *l2_off)
{
	uint64_t l1i = l1_index(q, off), e, be, new;
	uint8_t *tbl = NULL;
	int ret;

	e = q->l1[l1i];
	*l2_off = e & QCOW2_L1_OFFSET_MASK;
	if (*l2_off) {
		if (create && !(e & QCOW2_OFLAG_COPIED))
			return vireo_disk_fail(&q->base, -ENOTSUP,
					       "L2 table at 0x%llx is shared (no COPIED flag in L1 entry %llu); writing to it is not supported",
					       (unsigned long long)*l2_off, (unsigned long long)l1i);
		return 0;
	}
	if (!create)
		return 0;
	ret = qcow2_alloc(q, 1, &new);
	if (ret)
		return ret;
	tbl = calloc(1, q->cluster_size);
	if (!tbl)
		return -ENOMEM;
	ret = qcow2_write_file(q, tbl, q->cluster_size, new);
	free(tbl);
	if (!ret)
		ret = qcow2_sync(q);
	if (ret)
		return ret;
	be = htobe64(new | QCOW2_OFLAG_COPIED);
	ret = qcow2_write_file(q, &be, 8, q->l1_offset + l1i * 8);
	if (ret)
		return ret;
	q->l1[l1i] = new | QCOW2_OFLAG_COPIED;
	*l2_off = new;
	return 0;
}

/* Drop the references an L2 entry held (compressed range or one cluster). */
static int release_entry(struct qcow2 *q, uint64_t e)
{
	uint64_t off, len;

	if (e & QCOW2_OFLAG_COMPRESSED) {
		if (qcow2_compressed_range(q, e, &off, &len))
			return 0;	/* was refused on read; nothing sane to free */
		q->zcache_off = 0;
		uint64_t first = off >> q->cluster_bits;
		uint64_t last = (off + len - 1) >> q->cluster_bits;

		return qcow2_free(q, first << q->cluster_bits, last - first + 1);
	}
	off = e & QCOW2_L2_OFFSET_MASK;
	return off ? qcow2_free(q, off, 1) : 0;
}

/* Rule 1 then rule 2 for everything batched: sync, pointers, sync, frees. */
static int commit(struct qcow2 *q, struct write_batch *b)
{
	int ret = 0;

	if (!b->n)
		return 0;
	ret = qcow2_sync(q);
	for (int i = 0; i < b->n && !ret; i++)
		ret = qcow2_l2_set(q, b->p[i].l2_off, b->p[i].idx, &b->p[i].entry, 1);
	if (!ret && b->need_free) {
		ret = qcow2_sync(q);
		for (int i = 0; i < b->n && !ret; i++)
			if (b->p[i].old)
				ret = release_entry(q, b->p[i].old);
	}
	b->n = 0;
	b->need_free = false;
	return ret;
}

static int batch_add(struct qcow2 *q, struct write_batch *b, uint64_t l2_off, uint64_t idx,
		     uint64_t entry, uint64_t old)
{
	b->p[b->n++] = (struct pending){ l2_off, idx, entry, old };
	if (old)
		b->need_free = true;
	return b->n == PENDING_MAX ? commit(q, b) : 0;
}

/*
 * Write @len bytes inside one cluster at guest @off.  @src NULL writes
 * zeros.  New clusters are appended to @b for commit().
 */
static int write_in_cluster(struct qcow2 *q, struct write_batch *b, const uint8_t *src,
			    size_t len, uint64_t off)
{
	uint64_t cs = q->cluster_size, in = off & (cs - 1), start = off - in;
	uint64_t l2_off, idx = l2_index(q, off), e, host, new;
	const uint8_t *data;
	uint8_t *tbl, *cl;
	int ret;

	ret = get_l2_table(q, off, true, &l2_off);
	if (!ret)
		ret = qcow2_l2_load(q, l2_off, &tbl);
	if (ret)
		return ret;
	memcpy(&e, tbl + idx * 8, 8);
	e = be64toh(e);
	if (!(e & QCOW2_OFLAG_COMPRESSED)) {
		ret = check_l2_entry(q, off, e);
		if (ret)
			return ret;
	}
	host = e & QCOW2_L2_OFFSET_MASK;

	/* In place: an allocated cluster we own alone. */
	if (!(e & QCOW2_OFLAG_COMPRESSED) && host && (e & QCOW2_OFLAG_COPIED) &&
	    !(e & QCOW2_OFLAG_ZERO)) {
		if (src)
			return qcow2_write_file(q, src, len, host + in);
		memset(q->bounce, 0, len);
		return qcow2_write_file(q, q->bounce, len, host + in);
	}

	/* The cluster's new content: old content (COW) + the request. */
	if (len == cs && src) {
		data = src;
	} else {
		if (e & QCOW2_OFLAG_COMPRESSED) {
			ret = qcow2_read_compressed(q, e, &cl);
			if (ret)
				return ret;
			memcpy(q->bounce, cl, cs);
		} else if (e & QCOW2_OFLAG_ZERO) {
			memset(q->bounce, 0, cs);
		} else if (host) {	/* shared: copy it */
			ret = vireo_disk_pread_full(q->base.fd, q->bounce, cs, host);
			if (ret)
				return vireo_disk_fail(&q->base, ret, "read at 0x%llx: %s",
						       (unsigned long long)host, strerror(-ret));
		} else if (len != cs) {
			ret = read_backing(q, q->bounce, cs, start);
			if (ret)
				return ret;
		}
		if (src)
			memcpy(q->bounce + in, src, len);
		else
			memset(q->bounce + in, 0, len);
		data = q->bounce;
	}

	/* A preallocated zero cluster: fill it, then clear the flag. */
	if (!(e & QCOW2_OFLAG_COMPRESSED) && host && (e & QCOW2_OFLAG_COPIED)) {
		ret = qcow2_write_file(q, data, cs, host);
		if (ret)
			return ret;
		return batch_add(q, b, l2_off, idx, host | QCOW2_OFLAG_COPIED, 0);
	}

	ret = qcow2_alloc(q, 1, &new);
	if (!ret)
		ret = qcow2_write_file(q, data, cs, new);
	if (ret)
		return ret;
	return batch_add(q, b, l2_off, idx, new | QCOW2_OFLAG_COPIED,
			 (e & QCOW2_OFLAG_COMPRESSED) || host ? e : 0);
}

static int write_range(struct qcow2 *q, const uint8_t *src, size_t len, uint64_t off)
{
	struct write_batch b = { .n = 0 };
	int ret = 0, cret;

	while (len && !ret) {
		uint64_t in = off & (q->cluster_size - 1);
		size_t n = q->cluster_size - in < len ? q->cluster_size - in : len;

		ret = write_in_cluster(q, &b, src, n, off);
		if (src)
			src += n;
		off += n;
		len -= n;
	}
	/* Commit what was written even after a failure: those clusters are good. */
	cret = commit(q, &b);
	return ret ? ret : cret;
}

int qcow2_pwrite(struct vireo_disk *d, const void *buf, size_t len, uint64_t off)
{
	return write_range(to_qcow2(d), buf, len, off);
}

int qcow2_flush(struct vireo_disk *d)
{
	if (fdatasync(d->fd) < 0)
		return vireo_disk_fail(d, -errno, "fdatasync: %s", strerror(errno));
	return 0;
}

/*
 * Whole clusters lose their data (pointer first, then the refcount: rule
 * 2); with a backing file they must read as zeros, not as the backing
 * file's data, so they get the zero flag.  Partial clusters are zeroed.
 */
int qcow2_discard(struct vireo_disk *d, uint64_t off, uint64_t len)
{
	struct qcow2 *q = to_qcow2(d);
	uint64_t cs = q->cluster_size;
	struct write_batch b = { .n = 0 };
	int ret = 0, cret;

	if (q->version < 3)
		return vireo_disk_fail(d, -EOPNOTSUPP,
				       "discard needs qcow2 version 3 (zero clusters)");
	while (len && !ret) {
		uint64_t in = off & (cs - 1), l2_off, e;
		uint64_t n = cs - in < len ? cs - in : len;
		uint64_t zero = q->backing ? QCOW2_OFLAG_ZERO : 0;
		uint8_t *tbl;

		if (n != cs) {
			ret = write_in_cluster(q, &b, NULL, n, off);
		} else {
			ret = get_l2_table(q, off, false, &l2_off);
			if (!ret && l2_off && !(q->l1[l1_index(q, off)] & QCOW2_OFLAG_COPIED))
				ret = vireo_disk_fail(d, -ENOTSUP, "discard in a shared L2 table");
			if (!ret && (l2_off || zero))
				ret = get_l2_table(q, off, true, &l2_off);
			if (!ret && l2_off)
				ret = qcow2_l2_load(q, l2_off, &tbl);
			if (!ret && l2_off) {
				memcpy(&e, tbl + l2_index(q, off) * 8, 8);
				e = be64toh(e);
				if (e != zero) {
					if (!(e & QCOW2_OFLAG_COMPRESSED) &&
					    (e & QCOW2_L2_OFFSET_MASK) % cs)
						e = 0;	/* malformed: drop, do not free */
					ret = batch_add(q, &b, l2_off, l2_index(q, off), zero,
							(e & QCOW2_OFLAG_COMPRESSED) ||
									(e & QCOW2_L2_OFFSET_MASK)
								? e
								: 0);
				}
			}
		}
		off += n;
		len -= n;
	}
	cret = commit(q, &b);
	return ret ? ret : cret;
}

/*
 * Grow: a bigger L1 is written at the end and synced, then the header
 * switches size, L1 size and L1 offset in one 24-byte write, synced, and
 * only then is the old L1 freed (rules 1 and 2).
 */
int qcow2_resize(struct vireo_disk *d, uint64_t new_size)
{
	struct qcow2 *q = to_qcow2(d);
	uint64_t need = qcow2_l1_entries(new_size, q->cluster_bits);
	uint64_t cs = q->cluster_size, clusters, off, old_off = q->l1_offset;
	uint32_t old_size = q->l1_size;
	uint64_t *nl1, *be;
	struct {
		uint64_t size;
		uint32_t crypt;
		uint32_t l1_size;
		uint64_t l1_offset;
	} __attribute__((packed)) hdr;
	int ret;

	if (new_size > (1ull << 62))
		return vireo_disk_fail(d, -EFBIG, "size %llu too large",
				       (unsigned long long)new_size);
	if (need <= q->l1_size) {
		uint64_t sz = htobe64(new_size);

		ret = qcow2_write_file(q, &sz, 8, offsetof(struct qcow2_header, size));
		if (!ret)
			ret = qcow2_flush(d);
		if (!ret)
			d->size = new_size;
		return ret;
	}
	if (need * 8 > QCOW2_MAX_L1_BYTES)
		return vireo_disk_fail(d, -EFBIG,
				       "size %llu needs an L1 table of %llu bytes, over the limit of %u for %llu-byte clusters",
				       (unsigned long long)new_size, (unsigned long long)need * 8,
				       QCOW2_MAX_L1_BYTES, (unsigned long long)cs);
	clusters = (need * 8 + cs - 1) / cs;
	nl1 = calloc(clusters * cs / 8, 8);
	be = calloc(clusters * cs / 8, 8);
	if (!nl1 || !be) {
		ret = -ENOMEM;
		goto out;
	}
	memcpy(nl1, q->l1, (size_t)q->l1_size * 8);
	for (uint64_t i = 0; i < need; i++)
		be[i] = htobe64(nl1[i]);
	ret = qcow2_alloc(q, clusters, &off);
	if (!ret)
		ret = qcow2_write_file(q, be, clusters * cs, off);
	if (!ret)
		ret = qcow2_flush(d);
	if (ret)
		goto out;
	hdr.size = htobe64(new_size);
	hdr.crypt = 0;
	hdr.l1_size = htobe32((uint32_t)need);
	hdr.l1_offset = htobe64(off);
	ret = qcow2_write_file(q, &hdr, sizeof(hdr), offsetof(struct qcow2_header, size));
	if (!ret)
		ret = qcow2_flush(d);
	if (ret)
		goto out;
	free(q->l1);
	q->l1 = nl1;
	nl1 = NULL;
	q->l1_size = need;
	q->l1_offset = off;
	d->size = new_size;
	if (old_off && old_size)
		ret = qcow2_free(q, old_off, ((uint64_t)old_size * 8 + cs - 1) / cs);
out:
	free(nl1);
	free(be);
	return ret;
}
