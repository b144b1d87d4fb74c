// SPDX-License-Identifier: GPL-2.0
/* fw_cfg: items, the file directory, the ports and DMA (fw_cfg.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fw/fw_cfg.h"

static const struct vireo_hw_pio_range fw_cfg_pio_ranges[] = {
	{ VIREO_FW_CFG_PORT, VIREO_FW_CFG_PORTS, vireo_fw_cfg_pio },
	{ VIREO_FW_CFG_DMA_PORT, VIREO_FW_CFG_DMA_PORTS, vireo_fw_cfg_dma_pio },
};

const struct vireo_hw_desc vireo_fw_cfg_desc = {
	.name = "fw_cfg",
	.pio = fw_cfg_pio_ranges,
	.nr_pio = 2,
	.line = -1,
};

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, (uint16_t)(v >> 16));
	put_be16(p + 2, (uint16_t)v);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get_be64(const uint8_t *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

static void item_free(struct vireo_fw_cfg_item *item)
{
	free(item->data);
	memset(item, 0, sizeof(*item));
}

/* Copy data into item; an empty item still gets a buffer so it exists. */
static int item_set(struct vireo_fw_cfg_item *item, const void *data, size_t len)
{
	uint8_t *copy;

	if (len > VIREO_FW_CFG_MAX_ITEM)
		return -EFBIG;
	copy = malloc(len ? len : 1);
	if (!copy)
		return -ENOMEM;
	if (len)
		memcpy(copy, data, len);
	item_free(item);
	item->data = copy;
	item->len = (uint32_t)len;
	return 0;
}

/* The item a key names, or NULL (QEMU: FW_CFG_INVALID, or no data). */
static struct vireo_fw_cfg_item *item_of(struct vireo_fw_cfg *fw, uint16_t key)
{
	unsigned int index = key & VIREO_FW_CFG_INDEX_MASK;
	struct vireo_fw_cfg_item *item;

	if (key & VIREO_FW_CFG_ARCH_LOCAL)
		item = index < VIREO_FW_CFG_ARCH_ITEMS ? &fw->arch[index] : NULL;
	else if (index < VIREO_FW_CFG_FILE_FIRST)
		item = &fw->generic[index];
	else if (index - VIREO_FW_CFG_FILE_FIRST < fw->nr_files)
		item = &fw->files[index - VIREO_FW_CFG_FILE_FIRST].item;
	else
		item = NULL;
	return item && item->data ? item : NULL;
}

/* FILE_DIR from the sorted file table; called whenever a file is added. */
static int rebuild_dir(struct vireo_fw_cfg *fw)
{
	size_t len = 4 + (size_t)fw->nr_files * VIREO_FW_CFG_DIR_ENTRY_SIZE;
	uint8_t *dir = calloc(1, len);
	unsigned int i;

	if (!dir)
		return -ENOMEM;
	put_be32(dir, fw->nr_files);
	for (i = 0; i < fw->nr_files; i++) {
		uint8_t *e = dir + 4 + (size_t)i * VIREO_FW_CFG_DIR_ENTRY_SIZE;

		put_be32(e, fw->files[i].item.len);
		put_be16(e + 4, (uint16_t)(VIREO_FW_CFG_FILE_FIRST + i));
		memcpy(e + 8, fw->files[i].name, VIREO_FW_CFG_NAME_SIZE);
	}
	item_free(&fw->generic[VIREO_FW_CFG_FILE_DIR]);
	fw->generic[VIREO_FW_CFG_FILE_DIR].data = dir;
	fw->generic[VIREO_FW_CFG_FILE_DIR].len = (uint32_t)len;
	return 0;
}

static void select_key(struct vireo_fw_cfg *fw, uint16_t key)
{
	fw->key = key;
	fw->offset = 0;
}

int vireo_fw_cfg_init(struct vireo_fw_cfg *fw, const struct vireo_guest_ram *ram)
{
	static const uint8_t id[4] = { VIREO_FW_CFG_ID_TRADITIONAL | VIREO_FW_CFG_ID_DMA };
	int r;

	memset(fw, 0, sizeof(*fw));
	fw->ram = ram;
	r = item_set(&fw->generic[VIREO_FW_CFG_SIGNATURE], "QEMU", 4);
	if (!r)
		r = item_set(&fw->generic[VIREO_FW_CFG_ID], id, sizeof(id));
	if (!r)
		r = rebuild_dir(fw);
	if (!r)
		r = -pthread_mutex_init(&fw->lock, NULL);
	if (r) {
		unsigned int i;

		for (i = 0; i < VIREO_FW_CFG_FILE_FIRST; i++)
			item_free(&fw->generic[i]);
		return r;
	}
	return 0;
}

void vireo_fw_cfg_fini(struct vireo_fw_cfg *fw)
{
	unsigned int i;

	for (i = 0; i < VIREO_FW_CFG_FILE_FIRST; i++)
		item_free(&fw->generic[i]);
	for (i = 0; i < VIREO_FW_CFG_ARCH_ITEMS; i++)
		item_free(&fw->arch[i]);
	for (i = 0; i < fw->nr_files; i++)
		item_free(&fw->files[i].item);
	fw->nr_files = 0;
	pthread_mutex_destroy(&fw->lock);
}

void vireo_fw_cfg_reset(struct vireo_fw_cfg *fw)
{
	pthread_mutex_lock(&fw->lock);
	select_key(fw, VIREO_FW_CFG_SIGNATURE);
	fw->dma_addr = 0;
	pthread_mutex_unlock(&fw->lock);
}

int vireo_fw_cfg_add_item(struct vireo_fw_cfg *fw, uint16_t key, const void *data, size_t len)
{
	unsigned int index = key & VIREO_FW_CFG_INDEX_MASK;
	struct vireo_fw_cfg_item *item;
	int r;

	if (key & VIREO_FW_CFG_WRITE_CHANNEL)
		return -EINVAL;
	if (key & VIREO_FW_CFG_ARCH_LOCAL) {
		if (index >= VIREO_FW_CFG_ARCH_ITEMS)
			return -EINVAL;
		item = &fw->arch[index];
	} else {
		/* The device's own items, and files, have their own calls. */
		if (index >= VIREO_FW_CFG_FILE_FIRST || index == VIREO_FW_CFG_SIGNATURE ||
		    index == VIREO_FW_CFG_ID || index == VIREO_FW_CFG_FILE_DIR)
			return -EINVAL;
		item = &fw->generic[index];
	}
	pthread_mutex_lock(&fw->lock);
	r = item_set(item, data, len);
	pthread_mutex_unlock(&fw->lock);
	return r;
}

int vireo_fw_cfg_add_u16(struct vireo_fw_cfg *fw, uint16_t key, uint16_t value)
{
	uint8_t le[2] = { (uint8_t)value, (uint8_t)(value >> 8) };

	return vireo_fw_cfg_add_item(fw, key, le, sizeof(le));
}

int vireo_fw_cfg_add_u32(struct vireo_fw_cfg *fw, uint16_t key, uint32_t value)
{
	uint8_t le[4];
	unsigned int i;

	for (i = 0; i < sizeof(le); i++)
		le[i] = (uint8_t)(value >> (8 * i));
	return vireo_fw_cfg_add_item(fw, key, le, sizeof(le));
}

int vireo_fw_cfg_add_u64(struct vireo_fw_cfg *fw, uint16_t key, uint64_t value)
{
	uint8_t le[8];
	unsigned int i;

	for (i = 0; i < sizeof(le); i++)
		le[i] = (uint8_t)(value >> (8 * i));
	return vireo_fw_cfg_add_item(fw, key, le, sizeof(le));
}

static int find_file(const struct vireo_fw_cfg *fw, const char *name)
{
	unsigned int i;

	for (i = 0; i < fw->nr_files; i++)
		if (!strcmp(fw->files[i].name, name))
			return (int)i;
	return -ENOENT;
}

int vireo_fw_cfg_add_file_writable(struct vireo_fw_cfg *fw, const char *name, const void *data,
				   size_t len, vireo_fw_cfg_write_fn on_write, void *opaque)
{
	struct vireo_fw_cfg_item item = { 0 };
	unsigned int at;
	int r;

	if (!name[0] || strlen(name) >= VIREO_FW_CFG_NAME_SIZE)
		return -EINVAL;
	r = item_set(&item, data, len);
	if (r)
		return r;
	item.writable = on_write != NULL;
	item.on_write = on_write;
	item.opaque = opaque;

	pthread_mutex_lock(&fw->lock);
	if (find_file(fw, name) >= 0)
		r = -EEXIST;
	else if (fw->nr_files == VIREO_FW_CFG_MAX_FILES)
		r = -ENOSPC;
	if (r)
		goto out;
	/* Sorted insert by strcmp, as QEMU's fw_cfg_add_file_callback(). */
	for (at = fw->nr_files; at > 0 && strcmp(name, fw->files[at - 1].name) < 0; at--)
		fw->files[at] = fw->files[at - 1];
	memset(&fw->files[at], 0, sizeof(fw->files[at]));
	strcpy(fw->files[at].name, name);
	fw->files[at].item = item;
	fw->nr_files++;
	item.data = NULL;
	r = rebuild_dir(fw);
	if (r) {
		/* Take it out again: the directory must describe the files. */
		item_free(&fw->files[at].item);
		memmove(&fw->files[at], &fw->files[at + 1],
			(fw->nr_files - at - 1) * sizeof(fw->files[0]));
		fw->nr_files--;
	}
out:
	pthread_mutex_unlock(&fw->lock);
	free(item.data);
	return r;
}

int vireo_fw_cfg_add_file(struct vireo_fw_cfg *fw, const char *name, const void *data,
			  size_t len)
{
	return vireo_fw_cfg_add_file_writable(fw, name, data, len, NULL, NULL);
}

int vireo_fw_cfg_file_key(struct vireo_fw_cfg *fw, const char *name)
{
	int i;

	pthread_mutex_lock(&fw->lock);
	i = find_file(fw, name);
	pthread_mutex_unlock(&fw->lock);
	return i < 0 ? i : VIREO_FW_CFG_FILE_FIRST + i;
}

/* The next data byte: 0 past the end or with nothing selected. */
static uint8_t read_data_byte(struct vireo_fw_cfg *fw)
{
	struct vireo_fw_cfg_item *item = item_of(fw, fw->key);

	if (!item || fw->offset >= item->len)
		return 0;
	return item->data[fw->offset++];
}

int vireo_fw_cfg_pio(void *dev, uint16_t port_offset, unsigned int size, bool is_write,
		     uint32_t *data)
{
	struct vireo_fw_cfg *fw = dev;

	if (port_offset >= VIREO_FW_CFG_PORTS || (size != 1 && size != 2 && size != 4)) {
		if (!is_write)
			*data = 0xffffffffU;
		return -EINVAL;
	}
	pthread_mutex_lock(&fw->lock);
	if (is_write) {
		/* Only the 16-bit selector write does something. */
		if (size == 2 && port_offset == 0)
			select_key(fw, (uint16_t)*data);
	} else if (size == 1) {
		*data = read_data_byte(fw);
	} else {
		*data = 0xffffffffU;
	}
	pthread_mutex_unlock(&fw->lock);
	return 0;
}

/*
 * Guest RAM [gpa, gpa + len) page by page: each piece goes to fn (host
 * pointer, length, position in the buffer); false if a piece is not RAM.
 * fn NULL only checks.  A buffer may wrap past 2^64: that is not RAM.
 */
typedef void (*piece_fn)(uint8_t *host, uint64_t n, uint64_t pos, void *arg);

static bool walk_guest_buffer(const struct vireo_guest_ram *ram, uint64_t gpa, uint64_t len,
			   piece_fn fn, void *arg)
{
	uint64_t pos = 0;

	if (gpa + len < gpa)
		return false;
	while (pos < len) {
		uint64_t at = gpa + pos;
		uint64_t n = 0x1000 - (at & 0xfff);
		uint8_t *host;

		if (n > len - pos)
			n = len - pos;
		host = vireo_guest_map(ram, at, n);
		if (!host)
			return false;
		if (fn)
			fn(host, n, pos, arg);
		pos += n;
	}
	return true;
}

/* Bytes on the monitor's side of a transfer. */
struct host_bytes {
	uint8_t *p;
	uint64_t len;		/* a guest buffer longer than this gets zeros */
};

static void copy_to_guest(uint8_t *host, uint64_t n, uint64_t pos, void *arg)
{
	const struct host_bytes *c = arg;
	uint64_t from_host = pos < c->len ? c->len - pos : 0;

	if (from_host > n)
		from_host = n;
	if (from_host)
		memcpy(host, c->p + pos, from_host);
	memset(host + from_host, 0, n - from_host);
}

static void copy_from_guest(uint8_t *host, uint64_t n, uint64_t pos, void *arg)
{
	const struct host_bytes *c = arg;

	memcpy(c->p + pos, host, n);
}

/* All of [gpa, gpa + len) to or from guest RAM, or nothing: false. */
static bool guest_copy(const struct vireo_guest_ram *ram, uint64_t gpa, uint64_t len,
		       struct host_bytes *c, bool to_guest)
{
	if (!walk_guest_buffer(ram, gpa, len, NULL, NULL))
		return false;
	walk_guest_buffer(ram, gpa, len, to_guest ? copy_to_guest : copy_from_guest, c);
	return true;
}

static uint32_t dma_fail(struct vireo_fw_cfg *fw, const char *why)
{
	fw->dma_errors++;
	fw->last_error = why;
	return VIREO_FW_CFG_DMA_ERROR;
}

/* One FWCfgDmaAccess operation; returns the control word to write back. */
static uint32_t dma_execute(struct vireo_fw_cfg *fw, uint32_t control, uint32_t length,
			    uint64_t address)
{
	struct vireo_fw_cfg_item *item;
	struct host_bytes c;
	uint32_t left;

	if (control & VIREO_FW_CFG_DMA_SELECT)
		select_key(fw, (uint16_t)(control >> 16));
	item = item_of(fw, fw->key);
	left = item && fw->offset < item->len ? item->len - fw->offset : 0;
	c.p = item ? item->data + fw->offset : NULL;
	c.len = length < left ? length : left;

	if (!(control & (VIREO_FW_CFG_DMA_READ | VIREO_FW_CFG_DMA_WRITE | VIREO_FW_CFG_DMA_SKIP)) ||
	    !length)
		return 0;
	if (control & VIREO_FW_CFG_DMA_READ) {
		if (!guest_copy(fw->ram, address, length, &c, true))
			return dma_fail(fw, "fw_cfg DMA read into a buffer outside guest RAM");
	} else if (control & VIREO_FW_CFG_DMA_WRITE) {
		if (!item || !item->writable)
			return dma_fail(fw, "fw_cfg DMA write to a read-only item");
		if (length > left)
			return dma_fail(fw, "fw_cfg DMA write past the end of the item");
		if (!guest_copy(fw->ram, address, length, &c, false))
			return dma_fail(fw, "fw_cfg DMA write from a buffer outside guest RAM");
		if (item->on_write)
			item->on_write(item->opaque, item->data, fw->offset, length);
	}
	fw->offset += (uint32_t)c.len;
	return 0;
}

/*
 * The descriptor is read and its control word written back through the
 * same page-wise copy as the data, so a descriptor across two adjacent
 * RAM slots works as it does in QEMU.
 */
static void dma_run(struct vireo_fw_cfg *fw)
{
	uint64_t at = fw->dma_addr;
	uint8_t access[VIREO_FW_CFG_DMA_ACCESS_SIZE], control[4];
	struct host_bytes desc = { access, sizeof(access) };
	struct host_bytes back = { control, sizeof(control) };
	uint32_t result;

	fw->dma_addr = 0;
	fw->dma_ops++;
	/* One snapshot: a vCPU may rewrite the descriptor while we work. */
	if (!guest_copy(fw->ram, at, sizeof(access), &desc, false)) {
		/* As QEMU: report on the control word if at least it is RAM. */
		put_be32(control, dma_fail(fw, "fw_cfg DMA descriptor outside guest RAM"));
		guest_copy(fw->ram, at, sizeof(control), &back, true);
		return;
	}
	result = dma_execute(fw, get_be32(access), get_be32(access + 4), get_be64(access + 8));
	put_be32(control, result);
	guest_copy(fw->ram, at, sizeof(control), &back, true);
}

int vireo_fw_cfg_dma_pio(void *dev, uint16_t port_offset, unsigned int size, bool is_write,
			 uint32_t *data)
{
	static const char signature[] = VIREO_FW_CFG_DMA_SIGNATURE;
	struct vireo_fw_cfg *fw = dev;
	unsigned int i;

	if (port_offset >= VIREO_FW_CFG_DMA_PORTS || (size != 1 && size != 2 && size != 4)) {
		if (!is_write)
			*data = 0xffffffffU;
		return -EINVAL;
	}
	if (!is_write) {
		/* The big-endian register read byte-wise: "QEMU CFG" in order. */
		*data = 0;
		for (i = 0; i < size; i++) {
			unsigned int at = port_offset + i;
			uint8_t byte = at < VIREO_FW_CFG_DMA_PORTS ? (uint8_t)signature[at] : 0xff;

			*data |= (uint32_t)byte << (8 * i);
		}
		return 0;
	}
	if (size != 4 || (port_offset != 0 && port_offset != 4))
		return 0;
	pthread_mutex_lock(&fw->lock);
	/* The guest wrote the half in big-endian byte order (cpu_to_be32). */
	if (port_offset == 0) {
		fw->dma_addr = (uint64_t)__builtin_bswap32(*data) << 32;
	} else {
		fw->dma_addr |= __builtin_bswap32(*data);
		dma_run(fw);
	}
	pthread_mutex_unlock(&fw->lock);
	return 0;
}
