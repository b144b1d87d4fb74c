// SPDX-License-Identifier: GPL-2.0
/*
 * qcow2 consistency check, after `qemu-img check`: count the references
 * to every host cluster found by walking the header, the L1 tables (the
 * active one and each snapshot's), the L2 tables, the refcount table and
 * its blocks and the snapshot table, then compare them with the stored
 * refcounts.  Fewer refcounts than references is a corruption (a write
 * could free a cluster still in use); more is a leak (wasted space).  The
 * COPIED flags of the active tables must match refcount == 1.
 *
 * Read-only: it never repairs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "qcow2.h"

struct chk {
	struct qcow2 *q;
	uint32_t *refs;		/* references per host cluster */
	uint64_t nb;		/* host clusters in the file */
	struct vireo_disk_check *res;
	FILE *log;
	uint8_t *l2;
};

#define LOG(c, ...)                                      \
	do {                                             \
		if ((c)->log)                            \
			fprintf((c)->log, __VA_ARGS__); \
	} while (0)

static void inc_range(struct chk *c, uint64_t off, uint64_t len, const char *what)
{
	uint64_t first, last;

	if (!len)
		return;
	first = off >> c->q->cluster_bits;
	last = (off + len - 1) >> c->q->cluster_bits;
	for (uint64_t i = first; i <= last; i++) {
		if (i >= c->nb) {
			LOG(c, "ERROR %s at 0x%llx is beyond the end of the image file\n", what,
			    (unsigned long long)(i << c->q->cluster_bits));
			c->res->corruptions++;
			return;
		}
		if (c->refs[i] < UINT32_MAX)
			c->refs[i]++;
	}
}

static int read_l2(struct chk *c, uint64_t off)
{
	int ret = vireo_disk_pread_full(c->q->base.fd, c->l2, c->q->cluster_size, off);

	if (ret) {
		LOG(c, "ERROR reading L2 table at 0x%llx: %s\n", (unsigned long long)off,
		    strerror(-ret));
		c->res->check_errors++;
	}
	return ret;
}

static void walk_l2(struct chk *c, uint64_t l2_off, bool active)
{
	struct qcow2 *q = c->q;
	uint64_t reserved = QCOW2_L2_RESERVED | (q->version < 3 ? QCOW2_OFLAG_ZERO : 0);

	if (read_l2(c, l2_off))
		return;
	for (uint64_t i = 0; i < q->l2_entries; i++) {
		uint64_t e, host, len;

		memcpy(&e, c->l2 + i * 8, 8);
		e = be64toh(e);
		if (e & QCOW2_OFLAG_COMPRESSED) {
			if (e & QCOW2_OFLAG_COPIED) {
				LOG(c, "ERROR: compressed cluster %llu of L2 table 0x%llx has the COPIED flag\n",
				    (unsigned long long)i, (unsigned long long)l2_off);
				c->res->corruptions++;
			}
			qcow2_compressed_range(q, e, &host, &len);
			inc_range(c, host & ~511ull, len + (host & 511), "compressed cluster");
			if (active)
				c->res->allocated_clusters++;
			continue;
		}
		host = e & QCOW2_L2_OFFSET_MASK;
		if (e & reserved) {
			LOG(c, "ERROR: L2 table 0x%llx entry %llu (0x%016llx) has reserved bits set\n",
			    (unsigned long long)l2_off, (unsigned long long)i,
			    (unsigned long long)e);
			c->res->corruptions++;
			continue;
		}
		if (host % q->cluster_size) {
			LOG(c, "ERROR: L2 table 0x%llx entry %llu: offset 0x%llx is not cluster aligned\n",
			    (unsigned long long)l2_off, (unsigned long long)i,
			    (unsigned long long)host);
			c->res->corruptions++;
			continue;
		}
		if (host) {
			inc_range(c, host, q->cluster_size, "data cluster");
			if (active)
				c->res->allocated_clusters++;
		}
	}
}

static void walk_l1(struct chk *c, uint64_t l1_off, uint32_t l1_size, const uint64_t *l1,
		    bool active)
{
	struct qcow2 *q = c->q;

	inc_range(c, l1_off, (uint64_t)l1_size * 8, "L1 table");
	for (uint32_t i = 0; i < l1_size; i++) {
		uint64_t l2 = l1[i] & QCOW2_L1_OFFSET_MASK;

		if (l1[i] & QCOW2_L1_RESERVED) {
			LOG(c, "ERROR: L1 entry %u (0x%016llx) has reserved bits set\n", i,
			    (unsigned long long)l1[i]);
			c->res->corruptions++;
			continue;
		}
		if (!l2)
			continue;
		if (l2 % q->cluster_size || (l2 >> q->cluster_bits) >= c->nb) {
			LOG(c, "ERROR: L1 entry %u: L2 table at 0x%llx is unaligned or outside the image\n",
			    i, (unsigned long long)l2);
			c->res->corruptions++;
			continue;
		}
		inc_range(c, l2, q->cluster_size, "L2 table");
		walk_l2(c, l2, active);
	}
}

/* Snapshot table: fixed 40-byte headers followed by extra data, id and name, 8-aligned. */
static void walk_snapshots(struct chk *c)
{
	struct qcow2 *q = c->q;
	uint64_t pos = q->snapshots_offset;

	for (uint32_t s = 0; s < q->nb_snapshots; s++) {
		struct {
			uint64_t l1_offset;
			uint32_t l1_size;
			uint16_t id_len, name_len;
			uint32_t date_sec, date_nsec;
			uint64_t vm_clock;
			uint32_t vm_state_size, extra_len;
		} __attribute__((packed)) sh;
		uint64_t *l1;
		uint32_t l1_size;

		if (vireo_disk_pread_full(q->base.fd, &sh, sizeof(sh), pos)) {
			c->res->check_errors++;
			return;
		}
		l1_size = be32toh(sh.l1_size);
		uint64_t l1_off = be64toh(sh.l1_offset);

		pos += sizeof(sh) + be32toh(sh.extra_len) + be16toh(sh.id_len) +
		       be16toh(sh.name_len);
		pos = (pos + 7) & ~7ull;
		if ((uint64_t)l1_size * 8 > QCOW2_MAX_L1_BYTES || l1_off % q->cluster_size ||
		    l1_off + (uint64_t)l1_size * 8 > q->file_size) {
			LOG(c, "ERROR: snapshot %u: L1 table at 0x%llx (%u entries) invalid\n", s,
			    (unsigned long long)l1_off, l1_size);
			c->res->corruptions++;
			continue;
		}
		l1 = calloc(l1_size ? l1_size : 1, 8);
		if (!l1 || vireo_disk_pread_full(q->base.fd, l1, (size_t)l1_size * 8, l1_off)) {
			free(l1);
			c->res->check_errors++;
			continue;
		}
		for (uint32_t i = 0; i < l1_size; i++)
			l1[i] = be64toh(l1[i]);
		walk_l1(c, l1_off, l1_size, l1, false);
		free(l1);
	}
	inc_range(c, q->snapshots_offset, pos - q->snapshots_offset, "snapshot table");
}

static uint64_t refcount_of(struct chk *c, uint64_t cluster)
{
	uint64_t rc = 0;

	if (qcow2_refcount_get(c->q, cluster, &rc))
		return 0;	/* reported by the refcount-table walk */
	return rc;
}

/* COPIED must be set exactly where the refcount is 1 (active L1 and its L2 tables). */
static void check_copied(struct chk *c)
{
	struct qcow2 *q = c->q;

	for (uint32_t i = 0; i < q->l1_size; i++) {
		uint64_t l2 = q->l1[i] & QCOW2_L1_OFFSET_MASK;

		if (!l2 || l2 % q->cluster_size || (l2 >> q->cluster_bits) >= c->nb ||
		    (q->l1[i] & QCOW2_L1_RESERVED))
			continue;
		if ((refcount_of(c, l2 >> q->cluster_bits) == 1) !=
		    !!(q->l1[i] & QCOW2_OFLAG_COPIED)) {
			LOG(c, "ERROR OFLAG_COPIED L2 cluster: l1_index=%u l1_entry=0x%llx refcount=%llu\n",
			    i, (unsigned long long)q->l1[i],
			    (unsigned long long)refcount_of(c, l2 >> q->cluster_bits));
			c->res->corruptions++;
		}
		if (read_l2(c, l2))
			continue;
		for (uint64_t j = 0; j < q->l2_entries; j++) {
			uint64_t e, host;

			memcpy(&e, c->l2 + j * 8, 8);
			e = be64toh(e);
			host = e & QCOW2_L2_OFFSET_MASK;
			if ((e & QCOW2_OFLAG_COMPRESSED) || !host || host % q->cluster_size ||
			    (host >> q->cluster_bits) >= c->nb)
				continue;
			if ((refcount_of(c, host >> q->cluster_bits) == 1) !=
			    !!(e & QCOW2_OFLAG_COPIED)) {
				LOG(c, "ERROR OFLAG_COPIED data cluster: l2_entry=0x%llx refcount=%llu\n",
				    (unsigned long long)e,
				    (unsigned long long)refcount_of(c, host >> q->cluster_bits));
				c->res->corruptions++;
			}
		}
	}
}

int qcow2_check(struct vireo_disk *d, struct vireo_disk_check *res, FILE *log)
{
	struct qcow2 *q = to_qcow2(d);
	struct chk c = { .q = q, .res = res, .log = log };
	uint64_t cs = q->cluster_size;
	int ret = 0;

	c.nb = (q->file_size + cs - 1) / cs;
	c.refs = calloc(c.nb ? c.nb : 1, sizeof(*c.refs));
	c.l2 = malloc(cs);
	if (!c.refs || !c.l2) {
		ret = -ENOMEM;
		goto out;
	}
	res->total_clusters = (d->size + cs - 1) / cs;

	inc_range(&c, 0, cs, "header");
	walk_l1(&c, q->l1_offset, q->l1_size, q->l1, true);
	if (q->nb_snapshots)
		walk_snapshots(&c);
	inc_range(&c, q->rct_offset, (uint64_t)q->rct_clusters * cs, "refcount table");
	for (uint64_t i = 0; i < q->rct_entries; i++) {
		uint64_t rb = q->rct[i] & QCOW2_REFT_OFFSET_MASK;

		if (!q->rct[i])
			continue;
		if ((q->rct[i] & ~QCOW2_REFT_OFFSET_MASK) || rb % cs) {
			LOG(&c, "ERROR refcount block %llu is not cluster aligned; refcount table entry corrupted\n",
			    (unsigned long long)i);
			res->corruptions++;
			continue;
		}
		if ((rb >> q->cluster_bits) >= c.nb) {
			LOG(&c, "ERROR refcount block %llu is outside image\n",
			    (unsigned long long)i);
			res->corruptions++;
			continue;
		}
		inc_range(&c, rb, cs, "refcount block");
	}
	if (q->autoclear & 1)
		LOG(&c, "Warning: persistent bitmaps are not checked; their clusters show as leaks\n");

	for (uint64_t i = 0; i < c.nb; i++) {
		uint64_t rc = refcount_of(&c, i);

		if (c.refs[i])
			res->image_end_offset = (i + 1) * cs;
		if (rc == c.refs[i])
			continue;
		if (rc < c.refs[i]) {
			LOG(&c, "ERROR cluster %llu refcount=%llu reference=%u\n",
			    (unsigned long long)i, (unsigned long long)rc, c.refs[i]);
			res->corruptions++;
		} else {
			LOG(&c, "Leaked cluster %llu refcount=%llu reference=%u\n",
			    (unsigned long long)i, (unsigned long long)rc, c.refs[i]);
			res->leaks++;
		}
	}
	check_copied(&c);
out:
	free(c.refs);
	free(c.l2);
	return ret;
}
