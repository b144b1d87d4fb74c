/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel image files: reading one into memory, telling a Linux bzImage
 * from a Multiboot kernel, and the helpers the two loaders share (messages
 * that name the file, guest writes that name what failed).
 *
 * Every image is hostile input: a loader checks each offset and size it
 * reads from the file against the file's size before using it, and each
 * guest range against the layout, with arithmetic that cannot wrap.
 */
#ifndef VIREO_BOOT_IMAGE_H
#define VIREO_BOOT_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "boot/layout.h"

/* Larger files are refused: 1 GiB is more than any kernel or initrd. */
#define VIREO_BOOT_MAX_FILE	(1ULL << 30)

enum vireo_image_kind {
	VIREO_IMAGE_UNKNOWN = 0,
	VIREO_IMAGE_LINUX,	/* "HdrS" at 0x202: the Linux boot protocol */
	VIREO_IMAGE_MULTIBOOT,	/* a valid Multiboot v1 header in the first 8 KiB */
};

/*
 * Which loader takes the image.  A file with both a Linux header and a
 * Multiboot header is a Linux image.
 */
enum vireo_image_kind vireo_boot_detect(const void *image, size_t size);

/*
 * Read all of path into a malloc()ed buffer (*data, *size; free() it).
 * 0 or -errno with "path: reason".
 */
int vireo_boot_read_file(const char *path, void **data, size_t *size, GError **error);


struct vireo_mem;

/* Write len bytes (or zeros, if data is NULL) at gpa; 0 or -EFAULT. */
int vireo_boot_write(const struct vireo_mem *mem, uint64_t gpa, const void *data, uint64_t len);

/* Little-endian fields of a file whose bounds the caller has checked. */
static inline uint16_t vireo_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t vireo_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t vireo_le64(const uint8_t *p)
{
	return (uint64_t)vireo_le32(p) | (uint64_t)vireo_le32(p + 4) << 32;
}

static inline void vireo_put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void vireo_put_le32(uint8_t *p, uint32_t v)
{
	vireo_put_le16(p, (uint16_t)v);
	vireo_put_le16(p + 2, (uint16_t)(v >> 16));
}

static inline void vireo_put_le64(uint8_t *p, uint64_t v)
{
	vireo_put_le32(p, (uint32_t)v);
	vireo_put_le32(p + 4, (uint32_t)(v >> 32));
}

#endif /* VIREO_BOOT_IMAGE_H */
