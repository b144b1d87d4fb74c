// SPDX-License-Identifier: GPL-2.0
/*
 * What the firmware reads besides SMBIOS and ACPI: "etc/e820" (20-byte
 * packed entries as QEMU writes them), "bootorder" (QEMU's '\n'-separated,
 * NUL-terminated list; PCI paths "/pci@i0cf8/name@slot[,func]"), the
 * numbered items of a PC with QEMU's values, and a Linux kernel handed
 * over as the SETUP/KERNEL/INITRD/CMDLINE items with the setup header
 * patched as QEMU's loader does.  All read back through the data port.
 */
#include <errno.h>
#include <stdlib.h>

#include <vireo/error.h>

#include "fw/bootorder.h"
#include "fw/e820.h"
#include "fw/fw_cfg.h"
#include "fw/linux_items.h"
#include "fw/pc_items.h"
#include "test.h"

static const struct vireo_guest_ram no_ram;
static struct vireo_fw_cfg fw;

static void layout_of(struct vireo_layout *l, uint64_t ram)
{
	struct vireo_layout_config lc = { .ram_size = ram };
	g_autoptr(GError) err = NULL;

	vireo_layout_init(l, &lc, &err);
}

static uint64_t le_at(const uint8_t *p, unsigned int bytes)
{
	uint64_t v = 0;

	while (bytes--)
		v = v << 8 | p[bytes];
	return v;
}

/* Select key and read n bytes through the data port. */
static void read_item(uint16_t key, uint8_t *out, size_t n)
{
	uint32_t d = key;
	size_t i;

	vireo_fw_cfg_pio(&fw, 0, 2, true, &d);
	for (i = 0; i < n; i++) {
		vireo_fw_cfg_pio(&fw, 1, 1, false, &d);
		out[i] = (uint8_t)d;
	}
}

static uint64_t read_le(uint16_t key, unsigned int bytes)
{
	uint8_t b[8] = { 0 };

	read_item(key, b, bytes);
	return le_at(b, bytes);
}

static void test_e820(void)
{
	struct vireo_e820_entry extra = { 0xfeffc000, 0x4000, VIREO_E820_RESERVED };
	struct vireo_layout l;
	uint8_t *b;
	size_t len;

	/* 4 GiB of RAM: 3 GiB below the hole, 1 GiB from 4 GiB. */
	layout_of(&l, 4ULL << 30);
	T_EQ(vireo_fw_e820_build(&l, &extra, 1, &b, &len), 0);
	T_EQ(len, 3 * 20);
	T_EQ(le_at(b, 8), 0);
	T_EQ(le_at(b + 8, 8), 0xc0000000ULL);
	T_EQ(le_at(b + 16, 4), 1);		/* RAM */
	T_EQ(le_at(b + 20, 8), 0x100000000ULL);
	T_EQ(le_at(b + 28, 8), 0x40000000ULL);
	T_EQ(le_at(b + 36, 4), 1);
	T_EQ(le_at(b + 40, 8), 0xfeffc000ULL);
	T_EQ(le_at(b + 48, 8), 0x4000);
	T_EQ(le_at(b + 56, 4), 2);		/* reserved */
	free(b);

	/* Small RAM: one entry from 0, the first MiB left to the firmware. */
	layout_of(&l, 256ULL << 20);
	T_EQ(vireo_fw_e820_build(&l, NULL, 0, &b, &len), 0);
	T_EQ(len, 20);
	T_EQ(le_at(b, 8), 0);
	T_EQ(le_at(b + 8, 8), 256ULL << 20);
	free(b);

	extra.size = 0;
	T_EQ(vireo_fw_e820_build(&l, &extra, 1, &b, &len), -EINVAL);
	extra.addr = ~0ULL - 10;
	extra.size = 100;
	T_EQ(vireo_fw_e820_build(&l, &extra, 1, &b, &len), -EINVAL);
}

static void test_bootorder(void)
{
	char disk[VIREO_FW_BOOTORDER_PATH_MAX], nic[VIREO_FW_BOOTORDER_PATH_MAX];
	const char *paths[2] = { disk, nic };
	char *b;
	size_t len;

	T_EQ(vireo_fw_bootorder_pci_path(disk, sizeof(disk), 4, 0, "scsi", "/disk@0,0"), 0);
	T_EQ(strcmp(disk, "/pci@i0cf8/scsi@4/disk@0,0"), 0);
	T_EQ(vireo_fw_bootorder_pci_path(nic, sizeof(nic), 0x1a, 2, "ethernet", NULL), 0);
	T_EQ(strcmp(nic, "/pci@i0cf8/ethernet@1a,2"), 0);
	T_EQ(vireo_fw_bootorder_pci_path(nic, sizeof(nic), 32, 0, "ethernet", NULL), -EINVAL);
	T_EQ(vireo_fw_bootorder_pci_path(nic, sizeof(nic), 3, 8, "ethernet", NULL), -EINVAL);
	T_EQ(vireo_fw_bootorder_pci_path(nic, 12, 3, 0, "ethernet", NULL), -EINVAL);
	T_EQ(vireo_fw_bootorder_pci_path(nic, sizeof(nic), 3, 0, "ethernet", NULL), 0);

	T_EQ(vireo_fw_bootorder_build(paths, 2, false, &b, &len), 0);
	T_EQ(len, sizeof("/pci@i0cf8/scsi@4/disk@0,0\n/pci@i0cf8/ethernet@3"));
	T_TRUE(!memcmp(b, "/pci@i0cf8/scsi@4/disk@0,0\n/pci@i0cf8/ethernet@3", len));
	free(b);
	T_EQ(vireo_fw_bootorder_build(paths, 1, true, &b, &len), 0);
	T_EQ(len, sizeof("/pci@i0cf8/scsi@4/disk@0,0\nHALT"));
	T_TRUE(!memcmp(b, "/pci@i0cf8/scsi@4/disk@0,0\nHALT", len));
	free(b);
	T_EQ(vireo_fw_bootorder_build(paths, 0, true, &b, &len), 0);
	T_EQ(len, 0);
	T_TRUE(b == NULL);
	paths[1] = "two\nlines";
	T_EQ(vireo_fw_bootorder_build(paths, 2, false, &b, &len), -EINVAL);
	paths[1] = "";
	T_EQ(vireo_fw_bootorder_build(paths, 2, false, &b, &len), -EINVAL);
}

static void test_pc_items(void)
{
	static const uint8_t zeros[40];
	static const uint8_t uuid[16] = { 0x12, 0x34, 0x56, 0x78, 1, 2, 3, 4,
					  5, 6, 7, 8, 9, 10, 11, 12 };
	struct vireo_fw_pc_items c = {
		.nr_cpus = 2, .max_cpus = 4, .ram_size = 6ULL << 30,
		.nographic = true, .boot_menu = false, .uuid = uuid,
		.boot_fail_wait_ms = VIREO_FW_NEVER_REBOOT,
	};
	uint8_t b[48];
	int key;

	vireo_fw_cfg_init(&fw, &no_ram);
	T_EQ(vireo_fw_pc_add_items(&fw, &c), 0);
	T_EQ(read_le(0x05, 2), 2);			/* NB_CPUS */
	T_EQ(read_le(0x0f, 2), 4);			/* MAX_CPUS */
	T_EQ(read_le(0x03, 8), 6ULL << 30);		/* RAM_SIZE */
	T_EQ(read_le(0x04, 2), 1);			/* NOGRAPHIC */
	T_EQ(read_le(0x0e, 2), 0);			/* BOOT_MENU */
	T_EQ(read_le(0x8002, 4), 1);			/* IRQ0_OVERRIDE */
	read_item(0x02, b, 16);
	T_TRUE(!memcmp(b, uuid, 16));			/* network order, as given */
	read_item(0x0d, b, 48);				/* NUMA: 0 nodes, 4 CPUs, end */
	T_TRUE(!memcmp(b, zeros, 40));
	key = vireo_fw_cfg_file_key(&fw, "etc/boot-cpus");
	T_TRUE(key >= 0x20);
	T_EQ(read_le((uint16_t)key, 2), 2);
	key = vireo_fw_cfg_file_key(&fw, "etc/boot-fail-wait");
	T_TRUE(key >= 0x20);
	T_EQ(read_le((uint16_t)key, 4), 0xffffffffULL);
	vireo_fw_cfg_fini(&fw);

	vireo_fw_cfg_init(&fw, &no_ram);
	c.nr_cpus = 5;
	T_EQ(vireo_fw_pc_add_items(&fw, &c), -EINVAL);
	c.nr_cpus = 0;
	T_EQ(vireo_fw_pc_add_items(&fw, &c), -EINVAL);
	vireo_fw_cfg_fini(&fw);
}

/* A bzImage of protocol 2.15: 2 setup sectors + boot sector, then kernel. */
#define SETUP_SECTS	2
#define KERNEL_BYTES	0x2000
#define IMAGE_BYTES	((SETUP_SECTS + 1) * 512 + KERNEL_BYTES)

static void make_bzimage(uint8_t *p)
{
	size_t i;

	memset(p, 0, IMAGE_BYTES);
	p[0x1f1] = SETUP_SECTS;
	p[0x1f4] = (KERNEL_BYTES / 16) & 0xff;
	p[0x1f5] = (KERNEL_BYTES / 16) >> 8;
	p[0x1fe] = 0x55;
	p[0x1ff] = 0xaa;
	p[0x201] = 0x6a;			/* header ends at 0x26c */
	memcpy(p + 0x202, "HdrS", 4);
	p[0x206] = 0x0f;			/* 2.15 */
	p[0x207] = 0x02;
	p[0x211] = 0x01;			/* LOADED_HIGH */
	p[0x22c] = 0xff;			/* initrd_addr_max 0x7fffffff */
	p[0x22d] = 0xff;
	p[0x22e] = 0xff;
	p[0x22f] = 0x7f;
	p[0x232] = 0x20;			/* kernel_alignment 2 MiB */
	p[0x234] = 1;				/* relocatable */
	p[0x238] = 0xff;			/* cmdline_size 2047 */
	p[0x239] = 0x07;
	p[0x25a] = 0x00;			/* pref_address 16 MiB */
	p[0x25b] = 0x01;
	for (i = (SETUP_SECTS + 1) * 512; i < IMAGE_BYTES; i++)
		p[i] = (uint8_t)(i * 7);
}

static void test_linux_items(void)
{
	static uint8_t image[IMAGE_BYTES];
	static const uint8_t initrd[5000] = { 0x1f, 0x8b };
	static uint8_t got[IMAGE_BYTES];
	struct vireo_linux_config cfg = {
		.kernel_name = "bzImage", .kernel = image, .kernel_size = IMAGE_BYTES,
		.initrd_name = "initrd", .initrd = initrd, .initrd_size = sizeof(initrd),
		.cmdline = "console=ttyS0",
	};
	g_autoptr(GError) err = NULL;
	struct vireo_layout l;
	uint32_t initrd_addr;

	make_bzimage(image);
	layout_of(&l, 512ULL << 20);
	vireo_fw_cfg_init(&fw, &no_ram);
	T_EQ(vireo_fw_linux_add(&fw, &l, &cfg, &err), 0);

	T_EQ(read_le(0x16, 4), 0x10000);		/* SETUP_ADDR */
	T_EQ(read_le(0x17, 4), 3 * 512);		/* SETUP_SIZE */
	T_EQ(read_le(0x07, 4), 0x100000);		/* KERNEL_ADDR */
	T_EQ(read_le(0x08, 4), KERNEL_BYTES);		/* KERNEL_SIZE */
	T_EQ(read_le(0x13, 4), 0x20000);		/* CMDLINE_ADDR */
	T_EQ(read_le(0x14, 4), sizeof("console=ttyS0"));
	read_item(0x15, got, sizeof("console=ttyS0"));
	T_TRUE(!memcmp(got, "console=ttyS0", sizeof("console=ttyS0")));

	/* Below 512 MiB - 0x28000, page aligned, 5000 bytes: 0x1ffd6000. */
	initrd_addr = (uint32_t)read_le(0x0a, 4);
	T_EQ(initrd_addr, 0x1ffd6000);
	T_EQ(read_le(0x0b, 4), sizeof(initrd));
	read_item(0x12, got, 2);
	T_EQ(got[0], 0x1f);
	T_EQ(got[1], 0x8b);

	/* The kernel part verbatim. */
	read_item(0x11, got, KERNEL_BYTES);
	T_TRUE(!memcmp(got, image + 3 * 512, KERNEL_BYTES));

	/* The setup part with the loader's fields filled in. */
	read_item(0x18, got, 3 * 512);
	T_EQ(got[0x210], 0xb0);				/* type_of_loader */
	T_EQ(got[0x211], 0x81);				/* LOADED_HIGH | CAN_USE_HEAP */
	T_EQ(le_at(got + 0x224, 2), 0xfe00);		/* heap_end_ptr */
	T_EQ(le_at(got + 0x228, 4), 0x20000);		/* cmd_line_ptr */
	T_EQ(le_at(got + 0x218, 4), initrd_addr);	/* ramdisk_image */
	T_EQ(le_at(got + 0x21c, 4), sizeof(initrd));	/* ramdisk_size */
	T_TRUE(!memcmp(got, image, 0x210));		/* the rest as in the file */
	vireo_fw_cfg_fini(&fw);
}

static void test_linux_refusals(void)
{
	static uint8_t image[IMAGE_BYTES];
	struct vireo_linux_config cfg = {
		.kernel_name = "bzImage", .kernel = image, .kernel_size = IMAGE_BYTES,
	};
	g_autoptr(GError) err = NULL;
	char *longline;
	struct vireo_layout l;

	layout_of(&l, 512ULL << 20);
	vireo_fw_cfg_init(&fw, &no_ram);
	make_bzimage(image);
	memcpy(image + 0x202, "HdrX", 4);
	T_EQ(vireo_fw_linux_add(&fw, &l, &cfg, &err), -ENOEXEC);
	T_STR_CONTAINS(ERRMSG(err), "bzImage");

	make_bzimage(image);
	longline = malloc(3000);
	T_TRUE(longline != NULL);
	memset(longline, 'x', 2999);
	longline[2999] = 0;
	cfg.cmdline = longline;
	T_EQ(vireo_fw_linux_add(&fw, &l, &cfg, &err), -EINVAL);
	T_STR_CONTAINS(ERRMSG(err), "2047");
	free(longline);

	/* An initrd larger than RAM below its limit. */
	cfg.cmdline = NULL;
	cfg.initrd_name = "big";
	cfg.initrd = image;
	cfg.initrd_size = 600ULL << 20;
	T_EQ(vireo_fw_linux_add(&fw, &l, &cfg, &err), -EINVAL);
	T_STR_CONTAINS(ERRMSG(err), "big");
	/* Nothing was added by the refusals. */
	T_EQ(read_le(0x08, 4), 0);
	vireo_fw_cfg_fini(&fw);
}

static const struct vireo_test tests[] = {
	VIREO_TEST(test_e820),
	VIREO_TEST(test_bootorder),
	VIREO_TEST(test_pc_items),
	VIREO_TEST(test_linux_items),
	VIREO_TEST(test_linux_refusals),
	{ NULL, NULL },
};

VIREO_TEST_SUITE(fw_content, tests);
