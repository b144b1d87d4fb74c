// SPDX-License-Identifier: GPL-2.0
/*
 * fw_cfg as the PC machine places it (pc/dev/fw_cfg.c), driven through the
 * model's own port ranges as the buses would: the signature at 0x510, the
 * PC items and "etc/e820" read by DMA from guest RAM the way SeaBIOS reads
 * a file, and a wild DMA request that the monitor survives and reports on
 * its error stream, a bounded number of times.
 */
#include <stdio.h>
#include <stdlib.h>

#include "boot/layout.h"
#include "dev/models.h"
#include "fw/fw_cfg.h"
#include "options.h"
#include "test.h"

/* pc/dev/fw_cfg.c; machine_table.c declares it for the machine. */
extern const struct vireo_pc_device_model vireo_pc_dev_fw_cfg;

#define RAM_BYTES	(64ULL << 20)

static uint8_t *ram;
static struct vireo_layout layout;

static void *map(void *opaque, uint64_t gpa, uint64_t len)
{
	uint64_t off = vireo_layout_ram_offset(&layout, gpa, len);

	(void)opaque;
	return off == (uint64_t)-1 ? NULL : ram + off;
}

static struct vireo_guest_ram guest = { map, NULL };

/* The port range of the model that holds port, and the offset in it. */
static int port_io(void *dev, uint16_t port, unsigned int size, bool is_write, uint32_t *data)
{
	const struct vireo_hw_desc *hw = vireo_pc_dev_fw_cfg.hw;
	unsigned int i;

	for (i = 0; i < hw->nr_pio; i++)
		if (port >= hw->pio[i].base && port < hw->pio[i].base + hw->pio[i].len)
			return hw->pio[i].handler(dev, (uint16_t)(port - hw->pio[i].base), size,
						  is_write, data);
	return -1;
}

static void be32_to(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* SeaBIOS's qemu_cfg_dma_transfer: descriptor at 0x7000, one OUT to 0x518. */
static uint32_t dma(void *dev, uint32_t control, uint32_t length, uint32_t address)
{
	uint8_t *d = ram + 0x7000;
	uint32_t low = __builtin_bswap32(0x7000);

	be32_to(d, control);
	be32_to(d + 4, length);
	be32_to(d + 8, 0);
	be32_to(d + 12, address);
	port_io(dev, 0x518, 4, true, &low);
	return (uint32_t)d[0] << 24 | d[1] << 16 | d[2] << 8 | d[3];
}

static void fw_cfg_in_the_machine(void)
{
	struct vireo_layout_config lc = { .ram_size = RAM_BYTES };
	static struct vireo_options o;
	struct vireo_pc_services svc = { 0 };
	char *log = NULL;
	size_t log_len = 0;
	FILE *err;
	uint8_t dir[4 + 64 * 16], *e;
	uint32_t data, i, count;
	int e820_key = -1;
	void *dev = NULL;

	T_EQ(vireo_layout_init(&layout, &lc, NULL), 0);
	ram = calloc(1, RAM_BYTES);
	T_TRUE(ram != NULL);
	err = open_memstream(&log, &log_len);
	T_TRUE(err != NULL);
	memset(&o, 0, sizeof(o));
	o.cpus = 3;
	svc.opts = &o;
	svc.layout = &layout;
	svc.ram = &guest;
	svc.err = err;
	T_EQ(vireo_pc_dev_fw_cfg.create(&svc, NULL, 0, &dev), 0);

	/* Signature through the ports: select 0, four bytes of "QEMU". */
	data = 0;
	T_EQ(port_io(dev, 0x510, 2, true, &data), 0);
	for (i = 0; i < 4; i++) {
		T_EQ(port_io(dev, 0x511, 1, false, &data), 0);
		T_EQ(data, (uint32_t)"QEMU"[i]);
	}

	/* NB_CPUS by DMA: select 0x05 and read 2 bytes. */
	T_EQ(dma(dev, 0x05u << 16 | 0x0a, 2, 0x8000), 0);
	T_EQ(ram[0x8000], 3);
	T_EQ(ram[0x8001], 0);

	/* The directory, then etc/e820 by its key: one RAM entry, 64 MiB from 0. */
	T_EQ(dma(dev, 0x19u << 16 | 0x0a, sizeof(dir), 0x9000), 0);
	memcpy(dir, ram + 0x9000, sizeof(dir));
	count = (uint32_t)dir[0] << 24 | dir[1] << 16 | dir[2] << 8 | dir[3];
	T_TRUE(count >= 4 && count <= 16);
	for (i = 0; i < count; i++) {
		e = dir + 4 + 64 * i;
		if (!strcmp((const char *)e + 8, "etc/e820")) {
			T_EQ(e[3], 20);
			e820_key = e[4] << 8 | e[5];
		}
	}
	T_TRUE(e820_key >= 0x20);
	T_EQ(dma(dev, (uint32_t)e820_key << 16 | 0x0a, 20, 0xa000), 0);
	T_EQ(ram[0xa000], 0);			/* address 0 */
	T_EQ(ram[0xa008 + 3], 0x04);		/* length 0x04000000, LE */
	T_EQ(ram[0xa010], 1);			/* RAM */

	/* A read into the hole: refused, told once per request, bounded. */
	for (i = 0; i < 12; i++)
		T_EQ(dma(dev, 0x0a, 16, 0xfec00000), 1);
	fflush(err);
	T_STR_CONTAINS(log, "fw_cfg DMA read into a buffer outside guest RAM");
	T_STR_CONTAINS(log, "further ones not shown");
	count = 0;
	for (e = (uint8_t *)log; (e = (uint8_t *)strstr((char *)e, "vireo-run: guest:")); e++)
		count++;
	T_EQ(count, 8);

	/* Still serving after all that. */
	data = 0;
	port_io(dev, 0x510, 2, true, &data);
	port_io(dev, 0x511, 1, false, &data);
	T_EQ(data, 'Q');

	vireo_pc_dev_fw_cfg.destroy(dev);
	fclose(err);
	free(log);
	free(ram);
}

static const struct vireo_test tests[] = {
	VIREO_TEST(fw_cfg_in_the_machine),
	{ NULL, NULL },
};

VIREO_TEST_SUITE(fw_pc_device, tests);
