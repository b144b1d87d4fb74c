/* SPDX-License-Identifier: GPL-2.0 */
/*
 * qcow2 inside libvireo-disk: the on-disk layout (QEMU's
 * docs/interop/qcow2.txt; every field big-endian) and the handle shared by
 * qcow2_open.c (header, validation), qcow2_meta.c (table caches, refcounts,
 * cluster allocation), qcow2_io.c (guest reads and writes, resize),
 * qcow2_create.c and qcow2_check.c.
 */
#ifndef VIREO_DISK_QCOW2_H
#define VIREO_DISK_QCOW2_H

#include <endian.h>
#include <stdint.h>

#include "disk_priv.h"

#define QCOW2_MAGIC 0x514649fbu	/* "QFI\xfb" */

/* The fixed header.  Version 2 ends at incompatible_features (72 bytes). */
struct qcow2_header {
	uint32_t magic;
	uint32_t version;
	uint64_t backing_file_offset;
	uint32_t backing_file_size;
	uint32_t cluster_bits;
	uint64_t size;
	uint32_t crypt_method;
	uint32_t l1_size;
	uint64_t l1_table_offset;
	uint64_t refcount_table_offset;
	uint32_t refcount_table_clusters;
	uint32_t nb_snapshots;
	uint64_t snapshots_offset;
	/* version 3 */
	uint64_t incompatible_features;
	uint64_t compatible_features;
	uint64_t autoclear_features;
	uint32_t refcount_order;
	uint32_t header_length;
	uint8_t compression_type;	/* only if header_length > 104 */
	uint8_t padding[7];
} __attribute__((packed));

_Static_assert(sizeof(struct qcow2_header) == 112, "qcow2 header is 112 bytes");
_Static_assert(offsetof(struct qcow2_header, size) == 24, "qcow2: size at 24");
_Static_assert(offsetof(struct qcow2_header, l1_size) == 36, "qcow2: l1_size at 36");
_Static_assert(offsetof(struct qcow2_header, l1_table_offset) == 40, "qcow2: l1 offset at 40");
_Static_assert(offsetof(struct qcow2_header, refcount_table_offset) == 48, "qcow2: reftable at 48");
_Static_assert(offsetof(struct qcow2_header, incompatible_features) == 72, "qcow2: v3 at 72");
_Static_assert(offsetof(struct qcow2_header, refcount_order) == 96, "qcow2: refcount_order at 96");
_Static_assert(offsetof(struct qcow2_header, compression_type) == 104, "qcow2: compression at 104");

#define QCOW2_V2_HEADER_LEN 72
#define QCOW2_V3_HEADER_LEN 104

/* Incompatible feature bits. */
#define QCOW2_INCOMPAT_DIRTY	 (1ull << 0)
#define QCOW2_INCOMPAT_CORRUPT	 (1ull << 1)
#define QCOW2_INCOMPAT_DATA_FILE (1ull << 2)
#define QCOW2_INCOMPAT_COMPRESSION (1ull << 3)
#define QCOW2_INCOMPAT_EXTL2	 (1ull << 4)
#define QCOW2_COMPAT_LAZY_REFCOUNTS (1ull << 0)

/* Header extensions: { be32 type, be32 length, data padded to 8 }. */
#define QCOW2_EXT_END		0x00000000u
#define QCOW2_EXT_BACKING_FORMAT 0xe2792acau
#define QCOW2_EXT_FEATURE_TABLE	0x6803f857u
#define QCOW2_EXT_BITMAPS	0x23852875u
#define QCOW2_EXT_CRYPTO	0x0537be77u
#define QCOW2_EXT_DATA_FILE	0x44415441u

/* L1 entry: bits 9-55 L2 table offset, bit 63 COPIED (refcount == 1). */
#define QCOW2_OFLAG_COPIED	(1ull << 63)
#define QCOW2_OFLAG_COMPRESSED	(1ull << 62)
#define QCOW2_OFLAG_ZERO	(1ull << 0)	/* L2, version 3 */
#define QCOW2_L1_OFFSET_MASK	0x00fffffffffffe00ull
#define QCOW2_L1_RESERVED	0x7f000000000001ffull
#define QCOW2_L2_OFFSET_MASK	0x00fffffffffffe00ull
#define QCOW2_L2_RESERVED	0x3f000000000001feull
#define QCOW2_REFT_OFFSET_MASK	0xfffffffffffffe00ull

#define QCOW2_MAX_BACKING_NAME	1023
/* The bounds QEMU applies, so that a crafted header cannot make us allocate gigabytes. */
#define QCOW2_MAX_L1_BYTES	(32u << 20)
#define QCOW2_MAX_REFTABLE_BYTES (8u << 20)
#define QCOW2_MIN_CLUSTER_BITS	9
#define QCOW2_MAX_CLUSTER_BITS	21

#define QCOW2_L2_CACHE	16
#define QCOW2_RB_CACHE	8

struct qcow2_table_cache {
	uint64_t offset;	/* host offset of the cached cluster, 0 = empty */
	uint64_t lru;
	uint8_t *data;		/* one cluster, on-disk (big-endian) bytes */
};

struct qcow2 {
	struct vireo_disk base;

	/* (i) set at open from the validated header */
	uint32_t version;
	uint32_t cluster_bits;
	uint64_t cluster_size;
	uint32_t l2_bits;	/* log2(entries per L2 table) */
	uint64_t l2_entries;
	uint32_t refcount_order;
	uint32_t refcount_bits;
	uint64_t rb_entries;	/* refcounts per refcount block */
	uint32_t header_length;
	uint32_t nb_snapshots;
	uint64_t snapshots_offset;
	uint64_t incompat, compat, autoclear;
	uint32_t csize_shift;	/* compressed descriptor: offset bits */
	uint64_t csize_mask;

	/* [lock] tables that move on resize/growth */
	uint64_t *l1;		/* host byte order */
	uint32_t l1_size;
	uint64_t l1_offset;
	uint64_t *rct;		/* refcount table, host byte order */
	uint64_t rct_entries;
	uint64_t rct_offset;
	uint32_t rct_clusters;
	bool rct_building;	/* table growth: rct entries go to memory only */

	uint64_t file_size;	/* [lock] bytes in the file */
	uint64_t alloc_end;	/* [lock] next cluster to allocate (cluster aligned) */

	struct vireo_disk *backing;	/* (i) read-only, may be NULL */
	char backing_name[QCOW2_MAX_BACKING_NAME + 1];
	char backing_fmt[32];
	char *backing_path;

	struct qcow2_table_cache l2c[QCOW2_L2_CACHE];
	struct qcow2_table_cache rbc[QCOW2_RB_CACHE];
	uint64_t lru_clock;

	uint8_t *bounce;	/* one cluster */
	uint8_t *zbuf;		/* compressed input, two clusters */
	uint64_t zcache_off;	/* guest-independent: host descriptor of the decompressed cluster */
	uint8_t *zcache;	/* one cluster, valid when zcache_off != 0 */
	bool seen_compressed;
};

static inline struct qcow2 *to_qcow2(struct vireo_disk *d)
{
	return container_of(d, struct qcow2, base);
}

static inline uint64_t qcow2_align_up(const struct qcow2 *q, uint64_t v)
{
	return (v + q->cluster_size - 1) & ~(q->cluster_size - 1);
}

static inline bool qcow2_nosync(const struct qcow2 *q)
{
	return q->base.flags & VIREO_DISK_UNSAFE_NOSYNC;
}

/* qcow2_meta.c */
int qcow2_sync(struct qcow2 *q);
int qcow2_l2_load(struct qcow2 *q, uint64_t l2_off, uint8_t **tbl);
int qcow2_l2_set(struct qcow2 *q, uint64_t l2_off, uint64_t idx, const uint64_t *entries,
		 uint64_t n);
void qcow2_cache_drop(struct qcow2 *q, uint64_t off);
int qcow2_refcount_get(struct qcow2 *q, uint64_t cluster, uint64_t *rc);
int qcow2_refcount_set(struct qcow2 *q, uint64_t cluster, uint64_t value);
int qcow2_alloc(struct qcow2 *q, uint64_t n, uint64_t *off);
int qcow2_free(struct qcow2 *q, uint64_t off, uint64_t n);
uint64_t qcow2_rb_get(const struct qcow2 *q, const uint8_t *blk, uint64_t i);
int qcow2_write_file(struct qcow2 *q, const void *buf, size_t len, uint64_t off);
int qcow2_compressed_range(const struct qcow2 *q, uint64_t l2e, uint64_t *off, uint64_t *len);
int qcow2_read_compressed(struct qcow2 *q, uint64_t l2e, uint8_t **cluster);

/* qcow2_check.c */
int qcow2_check(struct vireo_disk *d, struct vireo_disk_check *res, FILE *log);

/* qcow2_io.c */
int qcow2_pread(struct vireo_disk *d, void *buf, size_t len, uint64_t off);
int qcow2_pwrite(struct vireo_disk *d, const void *buf, size_t len, uint64_t off);
int qcow2_flush(struct vireo_disk *d);
int qcow2_discard(struct vireo_disk *d, uint64_t off, uint64_t len);
int qcow2_resize(struct vireo_disk *d, uint64_t new_size);

/* qcow2_create.c: L1 entries needed for @size bytes with @cluster_bits. */
uint64_t qcow2_l1_entries(uint64_t size, uint32_t cluster_bits);

#endif /* VIREO_DISK_QCOW2_H */
