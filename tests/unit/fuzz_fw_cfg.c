// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for fw_cfg (make fuzz-fw-cfg): the input is a hostile
 * firmware driving the selector, data and DMA ports, with DMA descriptors
 * it writes into a fake guest RAM that has two adjacent slots, a hole and
 * a third slot, and addresses anywhere (inside, across the seams, in the
 * hole, past 2^64).  Whatever it does, the device must not touch memory
 * outside the fake RAM (ASan), must keep its offset within the selected
 * item, must never change a read-only item, must tell a writable item's
 * owner only about bytes inside that item, and must run exactly one DMA
 * operation per low-half write.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw/fw_cfg.h"

#define SLOT0		0x0000ULL
#define SLOT1		0x8000ULL	/* touches slot 0 */
#define HOLE		0xc000ULL
#define SLOT2		0x10000ULL
#define SLOT_END	0x14000ULL
#define ADDR_SPAN	0x18000ULL	/* addresses the fuzzer picks fall here */

static uint8_t ram0[SLOT1 - SLOT0], ram1[HOLE - SLOT1], ram2[SLOT_END - SLOT2];

#define check(ok)                                                                           \
	do {                                                                                \
		if (!(ok)) {                                                                \
			fprintf(stderr, "fuzz_fw_cfg.c:%d: %s\n", __LINE__, #ok);           \
			abort();                                                            \
		}                                                                           \
	} while (0)

static void *fake_map(void *opaque, uint64_t gpa, uint64_t len)
{
	(void)opaque;
	if (gpa < SLOT1)
		return len <= SLOT1 - gpa ? ram0 + gpa : NULL;
	if (gpa < HOLE)
		return len <= HOLE - gpa ? ram1 + (gpa - SLOT1) : NULL;
	if (gpa >= SLOT2 && gpa < SLOT_END)
		return len <= SLOT_END - gpa ? ram2 + (gpa - SLOT2) : NULL;
	return NULL;
}

static const struct vireo_guest_ram fake_ram = { fake_map, NULL };

static const uint8_t ro_data[] = "read-only, never to change";
#define WR_SIZE 24

static void on_write(void *opaque, const uint8_t *data, uint32_t offset, uint32_t len)
{
	(void)opaque;
	(void)data;
	check(len > 0 && offset <= WR_SIZE && len <= WR_SIZE - offset);
}

struct input {
	const uint8_t *p;
	size_t left;
};

static uint64_t take(struct input *in, unsigned int bytes)
{
	uint64_t v = 0;

	while (bytes-- && in->left) {
		v = v << 8 | *in->p++;
		in->left--;
	}
	return v;
}

/* Mostly near RAM; sometimes any 64-bit value. */
static uint64_t take_addr(struct input *in)
{
	uint8_t how = (uint8_t)take(in, 1);

	if (how & 0x80)
		return take(in, 8);
	return take(in, 4) % ADDR_SPAN;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* The offset stays within the selected item (or 0 for none). */
static void check_offset(struct vireo_fw_cfg *fw)
{
	unsigned int index = fw->key & VIREO_FW_CFG_INDEX_MASK;
	const struct vireo_fw_cfg_item *item = NULL;

	if (fw->key & VIREO_FW_CFG_ARCH_LOCAL) {
		if (index < VIREO_FW_CFG_ARCH_ITEMS)
			item = &fw->arch[index];
	} else if (index < VIREO_FW_CFG_FILE_FIRST) {
		item = &fw->generic[index];
	} else if (index - VIREO_FW_CFG_FILE_FIRST < fw->nr_files) {
		item = &fw->files[index - VIREO_FW_CFG_FILE_FIRST].item;
	}
	if (item && item->data)
		check(fw->offset <= item->len);
	else
		check(fw->offset == 0);
}

static void dma(struct vireo_fw_cfg *fw, struct input *in)
{
	uint64_t desc = take_addr(in);
	uint32_t control = (uint32_t)take(in, 4);
	uint32_t length = (uint32_t)take(in, 4);
	uint64_t address = take_addr(in);
	bool write_high = desc >> 32 || (take(in, 1) & 1);
	uint64_t ops = fw->dma_ops;
	uint32_t half;
	uint8_t *d;

	/*
	 * Without a high-half write the device takes the high half it holds
	 * (a stray write to 0x514 may have set it): so does the check.
	 */
	if (!write_high)
		desc = (fw->dma_addr & ~0xffffffffULL) | (uint32_t)desc;
	d = fake_map(NULL, desc, 16);
	/* Keys mostly among those that exist, lengths mostly small. */
	if (!(control & 0x80000000U))
		control = (control & 0x003f001fU);
	if (!(length & 0x80000000U))
		length &= 0x1ffff;
	if (d) {
		put_be32(d, control);
		put_be32(d + 4, length);
		put_be32(d + 8, (uint32_t)(address >> 32));
		put_be32(d + 12, (uint32_t)address);
	}
	if (write_high) {
		half = __builtin_bswap32((uint32_t)(desc >> 32));
		vireo_fw_cfg_dma_pio(fw, 0, 4, true, &half);
	}
	half = __builtin_bswap32((uint32_t)desc);
	vireo_fw_cfg_dma_pio(fw, 4, 4, true, &half);
	check(fw->dma_ops == ops + 1);
	check(fw->dma_addr == 0);
	if (d)
		check(d[0] == 0 && d[1] == 0 && d[2] == 0 && (d[3] == 0 || d[3] == 1));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	static uint8_t wr_init[WR_SIZE];
	struct vireo_fw_cfg fw;
	unsigned int steps = 0;
	int key;

	memset(ram0, 0, sizeof(ram0));
	memset(ram1, 0, sizeof(ram1));
	memset(ram2, 0, sizeof(ram2));
	check(vireo_fw_cfg_init(&fw, &fake_ram) == 0);
	check(vireo_fw_cfg_add_u16(&fw, VIREO_FW_CFG_NB_CPUS, 2) == 0);
	check(vireo_fw_cfg_add_item(&fw, VIREO_FW_CFG_E820_TABLE, "", 0) == 0);
	check(vireo_fw_cfg_add_file(&fw, "etc/ro", ro_data, sizeof(ro_data)) == 0);
	check(vireo_fw_cfg_add_file_writable(&fw, "etc/wr", wr_init, WR_SIZE, on_write,
					     NULL) == 0);
	check(vireo_fw_cfg_add_file(&fw, "etc/empty", NULL, 0) == 0);

	while (in.left && steps++ < 256) {
		uint8_t op = (uint8_t)take(&in, 1);
		uint32_t d;
		unsigned int n;

		switch (op & 3) {
		case 0:				/* select */
			d = (uint32_t)take(&in, 2);
			vireo_fw_cfg_pio(&fw, 0, 2, true, &d);
			break;
		case 1:				/* a run of data-port reads */
			for (n = op >> 2; n; n--)
				vireo_fw_cfg_pio(&fw, 1, 1, false, &d);
			break;
		case 2:
			dma(&fw, &in);
			break;
		default: {			/* any access to any port */
			static const unsigned int sizes[] = { 1, 2, 4, 3 };
			uint16_t off = (uint16_t)((op >> 2) & 7);
			unsigned int sz = sizes[(op >> 5) & 3];
			bool is_write = op & 0x80;

			bool dma_ports = take(&in, 1) & 1;

			d = (uint32_t)take(&in, 4);
			if (off < VIREO_FW_CFG_PORTS && !dma_ports)
				vireo_fw_cfg_pio(&fw, off, sz, is_write, &d);
			else
				vireo_fw_cfg_dma_pio(&fw, off, sz, is_write, &d);
			break;
		}
		}
		check_offset(&fw);
	}

	key = vireo_fw_cfg_file_key(&fw, "etc/ro");
	check(key >= VIREO_FW_CFG_FILE_FIRST);
	check(!memcmp(fw.files[key - VIREO_FW_CFG_FILE_FIRST].item.data, ro_data,
		      sizeof(ro_data)));
	check(!memcmp(fw.generic[VIREO_FW_CFG_SIGNATURE].data, "QEMU", 4));
	vireo_fw_cfg_fini(&fw);
	return 0;
}
