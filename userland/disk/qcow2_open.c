// SPDX-License-Identifier: GPL-2.0
/*
 * qcow2: reading and validating the header, its extensions, the L1 and
 * refcount tables; opening the backing file; info and close.
 *
 * Everything in the file is hostile input (it may be a corrupt download or
 * a fuzzer's output): every offset is checked against the file size and
 * every size against the others before anything is allocated from it, and
 * every refusal names the file and the field.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qcow2.h"

/* Names of the incompatible feature bits, for refusals when the image has no feature table. */
static const char *const incompat_names[] = {
	"dirty bit", "corrupt bit", "external data file", "compression type", "extended L2 entries",
};

static void header_from_be(struct qcow2_header *h)
{
	h->magic = be32toh(h->magic);
	h->version = be32toh(h->version);
	h->backing_file_offset = be64toh(h->backing_file_offset);
	h->backing_file_size = be32toh(h->backing_file_size);
	h->cluster_bits = be32toh(h->cluster_bits);
	h->size = be64toh(h->size);
	h->crypt_method = be32toh(h->crypt_method);
	h->l1_size = be32toh(h->l1_size);
	h->l1_table_offset = be64toh(h->l1_table_offset);
	h->refcount_table_offset = be64toh(h->refcount_table_offset);
	h->refcount_table_clusters = be32toh(h->refcount_table_clusters);
	h->nb_snapshots = be32toh(h->nb_snapshots);
	h->snapshots_offset = be64toh(h->snapshots_offset);
	h->incompatible_features = be64toh(h->incompatible_features);
	h->compatible_features = be64toh(h->compatible_features);
	h->autoclear_features = be64toh(h->autoclear_features);
	h->refcount_order = be32toh(h->refcount_order);
	h->header_length = be32toh(h->header_length);
}

/* Is [off, off+len) inside a file of @size bytes (no overflow)? */
static bool in_file(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

struct open_ctx {
	const char *path;
	GError **error;
	uint8_t *first;		/* the first cluster (or the file, if smaller) */
	uint64_t first_len;
	char feature_names[64][47];	/* from the feature name table, incompatible bits */
};

static int parse_extensions(struct qcow2 *q, struct open_ctx *c)
{
	uint64_t pos = q->header_length;
	uint64_t end = c->first_len;

	if (q->version < 3)
		pos = QCOW2_V2_HEADER_LEN;
	while (pos + 8 <= end) {
		uint32_t type, len;

		memcpy(&type, c->first + pos, 4);
		memcpy(&len, c->first + pos + 4, 4);
		type = be32toh(type);
		len = be32toh(len);
		if (type == QCOW2_EXT_END)
			return 0;
		if (len > end - pos - 8)
			return vireo_error_set(c->error, EINVAL,
					       "%s: header extension 0x%08x at 0x%llx (length %u) extends beyond the first cluster",
					       c->path, type, (unsigned long long)pos, len);
		const uint8_t *data = c->first + pos + 8;

		switch (type) {
		case QCOW2_EXT_BACKING_FORMAT:
			if (len >= sizeof(q->backing_fmt))
				return vireo_error_set(c->error, EINVAL,
						       "%s: backing format extension too long (%u bytes)",
						       c->path, len);
			memcpy(q->backing_fmt, data, len);
			q->backing_fmt[len] = 0;
			break;
		case QCOW2_EXT_FEATURE_TABLE:
			for (uint32_t i = 0; i + 48 <= len; i += 48) {
				if (data[i] == 0 && data[i + 1] < 64) {
					memcpy(c->feature_names[data[i + 1]], data + i + 2, 46);
					c->feature_names[data[i + 1]][46] = 0;
				}
			}
			break;
		case QCOW2_EXT_CRYPTO:
			return vireo_error_set(c->error, ENOTSUP,
					       "%s: encrypted images are not supported", c->path);
		case QCOW2_EXT_DATA_FILE:
			return vireo_error_set(c->error, ENOTSUP,
					       "%s: images with an external data file are not supported",
					       c->path);
		default:
			break;	/* unknown extensions may be ignored */
		}
		pos += 8 + (((uint64_t)len + 7) & ~7ull);
	}
	return 0;
}

static int check_features(struct qcow2 *q, struct open_ctx *c, bool ro)
{
	uint64_t unknown = q->incompat & ~(QCOW2_INCOMPAT_DIRTY | QCOW2_INCOMPAT_CORRUPT);

	if (unknown) {
		int bit = __builtin_ctzll(unknown);
		const char *name = c->feature_names[bit][0] ? c->feature_names[bit]
				   : bit < (int)(sizeof(incompat_names) / sizeof(incompat_names[0]))
					   ? incompat_names[bit]
					   : "unknown";

		return vireo_error_set(c->error, ENOTSUP,
				       "%s: unsupported incompatible feature: %s (bit %d of 0x%llx)",
				       c->path, name, bit, (unsigned long long)q->incompat);
	}
	if (ro)
		return 0;
	if (q->incompat & QCOW2_INCOMPAT_CORRUPT)
		return vireo_error_set(c->error, EROFS,
				       "%s: the image is marked corrupt; it can only be opened read-only (repair it with 'qemu-img check -r all')",
				       c->path);
	if (q->incompat & QCOW2_INCOMPAT_DIRTY)
		return vireo_error_set(c->error, EROFS,
				       "%s: the dirty bit is set (lazy refcounts were not written back after a crash); it can only be opened read-only (repair it with 'qemu-img check -r all')",
				       c->path);
	if (q->refcount_bits != 16)
		return vireo_error_set(c->error, ENOTSUP,
				       "%s: %u-bit refcounts (refcount_order %u): only 16-bit refcounts can be written; open it read-only or convert it",
				       c->path, q->refcount_bits, q->refcount_order);
	if (q->nb_snapshots)
		return vireo_error_set(c->error, ENOTSUP,
				       "%s: the image has %u internal snapshots; writing to it is not supported",
				       c->path, q->nb_snapshots);
	return 0;
}

static int validate_header(struct qcow2 *q, const struct qcow2_header *h, struct open_ctx *c)
{
	uint64_t fsize = q->file_size, cs, need;
	const char *p = c->path;

	if (h->version != 2 && h->version != 3)
		return vireo_error_set(c->error, ENOTSUP,
				       "%s: qcow2 version %u is not supported (only 2 and 3)", p,
				       h->version);
	if (h->version == 3 && fsize < QCOW2_V3_HEADER_LEN)
		return vireo_error_set(c->error, EINVAL,
				       "%s: file too small (%llu bytes) for a version 3 header", p,
				       (unsigned long long)fsize);
	if (h->cluster_bits < QCOW2_MIN_CLUSTER_BITS || h->cluster_bits > QCOW2_MAX_CLUSTER_BITS)
		return vireo_error_set(c->error, EINVAL,
				       "%s: cluster_bits %u out of range (%d..%d)", p,
				       h->cluster_bits, QCOW2_MIN_CLUSTER_BITS,
				       QCOW2_MAX_CLUSTER_BITS);
	q->version = h->version;
	q->cluster_bits = h->cluster_bits;
	cs = q->cluster_size = 1ull << h->cluster_bits;
	q->l2_bits = h->cluster_bits - 3;
	q->l2_entries = cs / 8;
	if (h->version == 3) {
		if (h->header_length < QCOW2_V3_HEADER_LEN || h->header_length % 8 ||
		    h->header_length > cs) {
			return vireo_error_set(c->error, EINVAL,
					       "%s: header_length %u invalid (at least %d, a multiple of 8, at most the cluster size %llu)",
					       p, h->header_length, QCOW2_V3_HEADER_LEN,
					       (unsigned long long)cs);
		}
		if (h->refcount_order > 6)
			return vireo_error_set(c->error, EINVAL,
					       "%s: refcount_order %u out of range (0..6)", p,
					       h->refcount_order);
		q->header_length = h->header_length;
		q->refcount_order = h->refcount_order;
		q->incompat = h->incompatible_features;
		q->compat = h->compatible_features;
		q->autoclear = h->autoclear_features;
		if (h->header_length > 104 && h->compression_type != 0)
			return vireo_error_set(c->error, ENOTSUP,
					       "%s: compression type %u is not supported (only zlib)",
					       p, h->compression_type);
	} else {
		q->header_length = QCOW2_V2_HEADER_LEN;
		q->refcount_order = 4;
	}
	q->refcount_bits = 1u << q->refcount_order;
	q->rb_entries = cs * 8 / q->refcount_bits;
	q->csize_shift = 62 - (h->cluster_bits - 8);
	q->csize_mask = (1ull << (h->cluster_bits - 8)) - 1;

	if (h->crypt_method)
		return vireo_error_set(c->error, ENOTSUP,
				       "%s: encrypted images are not supported (crypt_method %u)",
				       p, h->crypt_method);
	if (h->size % 512 || h->size > (1ull << 62))
		return vireo_error_set(c->error, EINVAL,
				       "%s: virtual size %llu invalid (a multiple of 512 up to 2^62)",
				       p, (unsigned long long)h->size);
	/* L1 */
	need = qcow2_l1_entries(h->size, h->cluster_bits);
	if ((uint64_t)h->l1_size * 8 > QCOW2_MAX_L1_BYTES)
		return vireo_error_set(c->error, EFBIG,
				       "%s: L1 table of %u entries is too large (limit %u bytes)",
				       p, h->l1_size, QCOW2_MAX_L1_BYTES);
	if (h->l1_size < need)
		return vireo_error_set(c->error, EINVAL,
				       "%s: L1 table has %u entries, too few for the virtual size %llu (needs %llu)",
				       p, h->l1_size, (unsigned long long)h->size,
				       (unsigned long long)need);
	if (h->l1_size) {
		if (h->l1_table_offset % cs)
			return vireo_error_set(c->error, EINVAL,
					       "%s: L1 table offset 0x%llx is not cluster aligned",
					       p, (unsigned long long)h->l1_table_offset);
		if (h->l1_table_offset == 0)
			return vireo_error_set(c->error, EINVAL,
					       "%s: L1 table at offset 0 overlaps the header", p);
		if (!in_file(h->l1_table_offset, (uint64_t)h->l1_size * 8, fsize))
			return vireo_error_set(c->error, EINVAL,
					       "%s: L1 table at 0x%llx (%llu bytes) extends beyond the end of the file (size %llu)",
					       p, (unsigned long long)h->l1_table_offset,
					       (unsigned long long)h->l1_size * 8,
					       (unsigned long long)fsize);
	}
	/* refcount table */
	if (h->refcount_table_clusters == 0 ||
	    (uint64_t)h->refcount_table_clusters * cs > QCOW2_MAX_REFTABLE_BYTES) {
		return vireo_error_set(c->error, EINVAL,
				       "%s: refcount table of %u clusters invalid (1..%llu)", p,
				       h->refcount_table_clusters,
				       (unsigned long long)(QCOW2_MAX_REFTABLE_BYTES / cs));
	}
	if (h->refcount_table_offset % cs || h->refcount_table_offset == 0)
		return vireo_error_set(c->error, EINVAL,
				       "%s: refcount table offset 0x%llx invalid (cluster aligned, not the header)",
				       p, (unsigned long long)h->refcount_table_offset);
	if (!in_file(h->refcount_table_offset, (uint64_t)h->refcount_table_clusters * cs, fsize))
		return vireo_error_set(c->error, EINVAL,
				       "%s: refcount table at 0x%llx (%llu bytes) extends beyond the end of the file (size %llu)",
				       p, (unsigned long long)h->refcount_table_offset,
				       (unsigned long long)h->refcount_table_clusters * cs,
				       (unsigned long long)fsize);
	if (h->l1_size && h->l1_table_offset < h->refcount_table_offset +
				  (uint64_t)h->refcount_table_clusters * cs &&
	    h->refcount_table_offset < h->l1_table_offset + (uint64_t)h->l1_size * 8) {
		return vireo_error_set(c->error, EINVAL,
				       "%s: L1 table at 0x%llx overlaps the refcount table at 0x%llx",
				       p, (unsigned long long)h->l1_table_offset,
				       (unsigned long long)h->refcount_table_offset);
	}
	/* snapshots */
	if (h->nb_snapshots) {
		if (h->nb_snapshots > 65536 || h->snapshots_offset % cs ||
		    !in_file(h->snapshots_offset, (uint64_t)h->nb_snapshots * 40, fsize)) {
			return vireo_error_set(c->error, EINVAL,
					       "%s: snapshot table (%u entries at 0x%llx) invalid or beyond the end of the file (size %llu)",
					       p, h->nb_snapshots,
					       (unsigned long long)h->snapshots_offset,
					       (unsigned long long)fsize);
		}
	}
	q->nb_snapshots = h->nb_snapshots;
	q->snapshots_offset = h->snapshots_offset;
	/* backing file name */
	if (h->backing_file_offset) {
		if (h->backing_file_size > QCOW2_MAX_BACKING_NAME || h->backing_file_size == 0 ||
		    h->backing_file_offset > cs || h->backing_file_size > cs - h->backing_file_offset ||
		    !in_file(h->backing_file_offset, h->backing_file_size, fsize)) {
			return vireo_error_set(c->error, EINVAL,
					       "%s: backing file name at 0x%llx (%u bytes) invalid (at most %d bytes inside the first cluster)",
					       p, (unsigned long long)h->backing_file_offset,
					       h->backing_file_size, QCOW2_MAX_BACKING_NAME);
		}
	}
	return 0;
}

static int load_tables(struct qcow2 *q, const struct qcow2_header *h, struct open_ctx *c)
{
	uint64_t cs = q->cluster_size;
	int ret;

	q->l1_size = h->l1_size;
	q->l1_offset = h->l1_table_offset;
	q->l1 = calloc(q->l1_size ? q->l1_size : 1, 8);
	q->rct_clusters = h->refcount_table_clusters;
	q->rct_offset = h->refcount_table_offset;
	q->rct_entries = (uint64_t)q->rct_clusters * cs / 8;
	q->rct = calloc(q->rct_entries, 8);
	if (!q->l1 || !q->rct)
		return -ENOMEM;
	ret = vireo_disk_pread_full(q->base.fd, q->l1, (size_t)q->l1_size * 8, q->l1_offset);
	if (!ret)
		ret = vireo_disk_pread_full(q->base.fd, q->rct, q->rct_entries * 8, q->rct_offset);
	if (ret) {
		vireo_error_set(c->error, ret, "%s: reading the tables: %s", c->path,
				strerror(-ret));
		return ret;
	}
	for (uint32_t i = 0; i < q->l1_size; i++) {
		uint64_t e = q->l1[i] = be64toh(q->l1[i]);
		uint64_t l2 = e & QCOW2_L1_OFFSET_MASK;

		if (e & QCOW2_L1_RESERVED)
			return vireo_error_set(c->error, EINVAL,
					       "%s: L1 entry %u (0x%016llx) has reserved bits set",
					       c->path, i, (unsigned long long)e);
		if (!l2)
			continue;
		if (l2 % cs)
			return vireo_error_set(c->error, EINVAL,
					       "%s: L1 entry %u: L2 table offset 0x%llx is not cluster aligned",
					       c->path, i, (unsigned long long)l2);
		if (!in_file(l2, cs, q->file_size))
			return vireo_error_set(c->error, EINVAL,
					       "%s: L1 entry %u: L2 table at 0x%llx extends beyond the end of the file (size %llu)",
					       c->path, i, (unsigned long long)l2,
					       (unsigned long long)q->file_size);
	}
	for (uint64_t i = 0; i < q->rct_entries; i++) {
		uint64_t e = q->rct[i] = be64toh(q->rct[i]);
		uint64_t rb = e & QCOW2_REFT_OFFSET_MASK;

		/*
		 * Refcounts matter only for writing: a read-only open (check
		 * included, which reports these itself) lets them be.
		 */
		if (q->base.ro || !e)
			continue;
		if ((e & ~QCOW2_REFT_OFFSET_MASK) || rb % cs || !in_file(rb, cs, q->file_size))
			return vireo_error_set(c->error, EINVAL,
					       "%s: refcount table entry %llu: refcount block at 0x%llx is unaligned or beyond the end of the file (size %llu)",
					       c->path, (unsigned long long)i,
					       (unsigned long long)rb,
					       (unsigned long long)q->file_size);
	}
	return 0;
}

/*
 * The backing file: opened read-only (data comes from it), or with
 * NO_BACKING only walked (no locks, closed at once) so that loops, depth
 * and declared formats are refused for every open, `info` included.
 */
static int open_backing(struct qcow2 *q, const struct vireo_disk_chain *self, struct open_ctx *c)
{
	enum vireo_disk_format fmt = VIREO_DISK_AUTO;
	GError *backing_error = NULL;
	unsigned int flags = q->base.flags;
	unsigned int bflags = VIREO_DISK_RDONLY | (flags & VIREO_DISK_NO_LOCK);
	struct vireo_disk *walked = NULL;
	int ret;

	if (!q->backing_name[0] || (flags & VIREO_DISK_NO_CHAIN))
		return 0;
	if (q->backing_fmt[0]) {
		if (vireo_disk_parse_format(q->backing_fmt, &fmt))
			return vireo_error_set(c->error, ENOTSUP,
					       "%s: backing file format '%s' is not supported",
					       c->path, q->backing_fmt);
		bflags |= VIREO_DISK_F_STRICT;	/* the header declares it: it must be true */
	}
	q->backing_path = vireo_disk_resolve_relative(c->path, q->backing_name);
	if (!q->backing_path)
		return -ENOMEM;
	if (flags & VIREO_DISK_NO_BACKING)
		bflags |= VIREO_DISK_NO_BACKING | VIREO_DISK_NO_LOCK;
	ret = vireo_disk_open_chain(q->backing_path, fmt, bflags, self,
				    (flags & VIREO_DISK_NO_BACKING) ? &walked : &q->backing,
				    &backing_error);
	if (walked)
		vireo_disk_close(walked);
	/* Walking names only: a backing file that is not there is not this image's fault. */
	if ((flags & VIREO_DISK_NO_BACKING) && (ret == -ENOENT || ret == -EACCES || ret == -ENOTDIR))
		ret = 0;
	if (ret == -ELOOP && backing_error)	/* the message names the whole chain already */
		vireo_error_set(c->error, ret, "%s", backing_error->message);
	else if (ret)
		vireo_error_set(c->error, ret, "%s: backing file: %s", c->path,
				backing_error ? backing_error->message : strerror(-ret));
	g_clear_error(&backing_error);
	return ret;
}

static void qcow2_free_handle(struct qcow2 *q)
{
	if (q->backing)
		vireo_disk_close(q->backing);
	for (int i = 0; i < QCOW2_L2_CACHE; i++)
		free(q->l2c[i].data);
	for (int i = 0; i < QCOW2_RB_CACHE; i++)
		free(q->rbc[i].data);
	free(q->l1);
	free(q->rct);
	free(q->bounce);
	free(q->zbuf);
	free(q->zcache);
	free(q->backing_path);
	vireo_disk_base_fini(&q->base);
	free(q);
}

static void qcow2_close(struct vireo_disk *d)
{
	qcow2_free_handle(to_qcow2(d));
}

static void qcow2_info(struct vireo_disk *d, struct vireo_disk_info *info)
{
	struct qcow2 *q = to_qcow2(d);

	info->cluster_size = q->cluster_size;
	info->qcow2_version = q->version;
	info->refcount_bits = q->refcount_bits;
	info->nb_snapshots = q->nb_snapshots;
	info->dirty = q->incompat & QCOW2_INCOMPAT_DIRTY;
	info->corrupt = q->incompat & QCOW2_INCOMPAT_CORRUPT;
	info->lazy_refcounts = q->compat & QCOW2_COMPAT_LAZY_REFCOUNTS;
	info->compressed_clusters_seen = q->seen_compressed;
	snprintf(info->backing_file, sizeof(info->backing_file), "%s", q->backing_name);
	if (q->backing_name[0]) {
		char *bp = vireo_disk_resolve_relative(d->path, q->backing_name);

		snprintf(info->backing_path, sizeof(info->backing_path), "%s", bp ? bp : "");
		free(bp);
	}
	snprintf(info->backing_format, sizeof(info->backing_format), "%s", q->backing_fmt);
}

const struct vireo_disk_ops vireo_disk_qcow2_ops = {
	.name = "qcow2",
	.format = VIREO_DISK_QCOW2,
	.pread = qcow2_pread,
	.pwrite = qcow2_pwrite,
	.flush = qcow2_flush,
	.discard = qcow2_discard,
	.resize = qcow2_resize,
	.info = qcow2_info,
	.check = qcow2_check,
	.close = qcow2_close,
};

int vireo_disk_qcow2_open(const char *path, int fd, unsigned int flags,
			  const struct vireo_disk_chain *self, struct vireo_disk **out,
			  GError **error)
{
	struct open_ctx c = { .path = path, .error = error };
	struct qcow2_header h;
	struct qcow2 *q;
	struct stat st;
	int ret;

	q = calloc(1, sizeof(*q));
	if (!q) {
		close(fd);
		return -ENOMEM;
	}
	vireo_disk_base_init(&q->base, &vireo_disk_qcow2_ops, path, fd, flags);
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		vireo_error_set(error, ret, "%s: stat: %s", path, strerror(errno));
		goto fail;
	}
	q->file_size = st.st_size;
	if (q->file_size < QCOW2_V2_HEADER_LEN) {
		ret = vireo_error_set(error, EINVAL,
				      "%s: file too small (%llu bytes) to hold a qcow2 header",
				      path, (unsigned long long)q->file_size);
		goto fail;
	}
	memset(&h, 0, sizeof(h));
	ret = vireo_disk_pread_full(fd, &h, sizeof(h), 0);
	if (ret) {
		vireo_error_set(error, ret, "%s: reading the header: %s", path, strerror(-ret));
		goto fail;
	}
	header_from_be(&h);
	if (h.magic != QCOW2_MAGIC) {
		ret = vireo_error_set(error, EINVAL, "%s: not a qcow2 image (bad magic 0x%08x)",
				      path, h.magic);
		goto fail;
	}
	if (h.version == 2)	/* v2 has no such fields: whatever follows is not header */
		memset((uint8_t *)&h + QCOW2_V2_HEADER_LEN, 0, sizeof(h) - QCOW2_V2_HEADER_LEN);
	ret = validate_header(q, &h, &c);
	if (ret)
		goto fail;
	c.first_len = q->file_size < q->cluster_size ? q->file_size : q->cluster_size;
	c.first = malloc(c.first_len);
	if (!c.first) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = vireo_disk_pread_full(fd, c.first, c.first_len, 0);
	if (ret) {
		vireo_error_set(error, ret, "%s: reading the header: %s", path, strerror(-ret));
		goto fail;
	}
	/* The backing name comes from the first cluster (validated to lie inside it). */
	if (h.backing_file_offset) {
		memcpy(q->backing_name, c.first + h.backing_file_offset, h.backing_file_size);
		q->backing_name[h.backing_file_size] = 0;
		if (strlen(q->backing_name) != h.backing_file_size) {
			ret = vireo_error_set(error, EINVAL,
					      "%s: backing file name contains a NUL byte", path);
			goto fail;
		}
	}
	/* Extensions end where the backing name starts, if it starts first. */
	if (h.backing_file_offset && h.backing_file_offset < c.first_len)
		c.first_len = h.backing_file_offset;
	ret = parse_extensions(q, &c);
	if (!ret)
		ret = check_features(q, &c, q->base.ro);
	if (ret)
		goto fail;
	ret = load_tables(q, &h, &c);
	if (ret)
		goto fail;
	q->alloc_end = qcow2_align_up(q, q->file_size);
	q->bounce = malloc(q->cluster_size);
	q->zcache = malloc(q->cluster_size);
	q->zbuf = malloc(2 * q->cluster_size);
	if (!q->bounce || !q->zcache || !q->zbuf) {
		ret = -ENOMEM;
		goto fail;
	}
	q->base.size = h.size;
	/* Autoclear bits we do not understand must be cleared by a writer (spec). */
	if (!q->base.ro && q->version >= 3 && q->autoclear) {
		uint64_t zero = 0;

		ret = vireo_disk_pwrite_full(fd, &zero, 8,
					     offsetof(struct qcow2_header, autoclear_features));
		if (!ret)
			ret = qcow2_sync(q);
		if (ret) {
			vireo_error_set(error, ret, "%s: clearing the autoclear features: %s", path,
					strerror(-ret));
			goto fail;
		}
		q->autoclear = 0;
	}
	ret = open_backing(q, self, &c);
	if (ret)
		goto fail;
	free(c.first);
	*out = &q->base;
	return 0;
fail:
	free(c.first);
	qcow2_free_handle(q);
	return ret;
}
