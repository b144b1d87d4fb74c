// SPDX-License-Identifier: GPL-2.0
/* The ACPI linker/loader script builder (table_loader.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fw/table_loader.h"

void vireo_loader_init(struct vireo_loader *l)
{
	memset(l, 0, sizeof(*l));
}

void vireo_loader_fini(struct vireo_loader *l)
{
	free(l->script);
	memset(l, 0, sizeof(*l));
}

static bool name_ok(const char *name)
{
	return name[0] && strlen(name) < VIREO_LOADER_NAME_SIZE;
}

static const struct vireo_loader_file *find(const struct vireo_loader *l, const char *name)
{
	unsigned int i;

	for (i = 0; i < l->nr_files; i++)
		if (!strcmp(l->files[i].name, name))
			return &l->files[i];
	return NULL;
}

static bool pointer_size_ok(uint8_t size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

/* [offset, offset + len) inside a file of size bytes. */
static bool inside(uint32_t size, uint32_t offset, uint64_t len)
{
	return offset <= size && len <= size - offset;
}

/* A zeroed command slot at the end of the script, or NULL. */
static uint8_t *append(struct vireo_loader *l, uint32_t command)
{
	uint8_t *e;

	if (l->len + VIREO_LOADER_ENTRY_SIZE > l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16 * VIREO_LOADER_ENTRY_SIZE;
		uint8_t *p = realloc(l->script, cap);

		if (!p)
			return NULL;
		l->script = p;
		l->cap = cap;
	}
	e = l->script + l->len;
	memset(e, 0, VIREO_LOADER_ENTRY_SIZE);
	l->len += VIREO_LOADER_ENTRY_SIZE;
	e[0] = (uint8_t)command;
	return e;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

int vireo_loader_allocate(struct vireo_loader *l, const char *file, uint32_t file_size,
			  uint32_t align, uint8_t zone)
{
	uint8_t *e;

	if (!name_ok(file) || !align || (align & (align - 1)) ||
	    (zone != VIREO_LOADER_ZONE_HIGH && zone != VIREO_LOADER_ZONE_FSEG))
		return -EINVAL;
	if (find(l, file))
		return -EEXIST;
	if (l->nr_files == VIREO_LOADER_MAX_FILES)
		return -ENOSPC;
	e = append(l, VIREO_LOADER_ALLOCATE);
	if (!e)
		return -ENOMEM;
	strcpy((char *)e + 4, file);
	put_le32(e + 60, align);
	e[64] = zone;
	strcpy(l->files[l->nr_files].name, file);
	l->files[l->nr_files].size = file_size;
	l->nr_files++;
	return 0;
}

int vireo_loader_add_pointer(struct vireo_loader *l, const char *dest_file, uint32_t offset,
			     uint8_t size, const char *src_file)
{
	const struct vireo_loader_file *dest = find(l, dest_file);
	uint8_t *e;

	if (!dest || !find(l, src_file) || !pointer_size_ok(size) ||
	    !inside(dest->size, offset, size))
		return -EINVAL;
	e = append(l, VIREO_LOADER_ADD_POINTER);
	if (!e)
		return -ENOMEM;
	strcpy((char *)e + 4, dest_file);
	strcpy((char *)e + 60, src_file);
	put_le32(e + 116, offset);
	e[120] = size;
	return 0;
}

int vireo_loader_add_checksum(struct vireo_loader *l, const char *file, uint32_t checksum_offset,
			      uint32_t start, uint32_t length)
{
	const struct vireo_loader_file *f = find(l, file);
	uint8_t *e;

	if (!f || !inside(f->size, start, length) || checksum_offset < start ||
	    checksum_offset - start >= length)
		return -EINVAL;
	e = append(l, VIREO_LOADER_ADD_CHECKSUM);
	if (!e)
		return -ENOMEM;
	strcpy((char *)e + 4, file);
	put_le32(e + 60, checksum_offset);
	put_le32(e + 64, start);
	put_le32(e + 68, length);
	return 0;
}

int vireo_loader_write_pointer(struct vireo_loader *l, const char *dest_file,
			       uint32_t dest_size, uint32_t dst_offset, uint8_t size,
			       const char *src_file, uint32_t src_offset)
{
	const struct vireo_loader_file *src = find(l, src_file);
	uint8_t *e;

	if (!name_ok(dest_file) || !src || !pointer_size_ok(size) ||
	    !inside(dest_size, dst_offset, size) || src_offset >= src->size)
		return -EINVAL;
	e = append(l, VIREO_LOADER_WRITE_POINTER);
	if (!e)
		return -ENOMEM;
	strcpy((char *)e + 4, dest_file);
	strcpy((char *)e + 60, src_file);
	put_le32(e + 116, dst_offset);
	put_le32(e + 120, src_offset);
	e[124] = size;
	return 0;
}
