// SPDX-License-Identifier: GPL-2.0
/*
 * The Linux boot protocol loader on synthetic bzImages (every field the
 * kernel reads from the zero page, placement, refusals with messages that
 * name the file), hostile headers in a loop, the entry state through the
 * page walker, and the real images on this host when there are some
 * (Debian's memtest86+ and the rig's Debian kernel).
 */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <libvireo.h>
#include <vireo/x86.h>

#include <vireo/error.h>

#include "boot/entry.h"
#include "boot/image.h"
#include "boot/linux.h"
#include "test.h"
#include "test_boot_util.h"

#define MIB (1ULL << 20)
#define GIB (1ULL << 30)
#define ZP VIREO_LAYOUT_ZERO_PAGE

struct fake_kernel {
	uint16_t version;
	uint8_t setup_sects;
	bool relocatable;
	uint32_t alignment;
	uint64_t pref;
	uint32_t init_size;
	uint16_t xlf;
	uint32_t cmdline_size;
	uint32_t initrd_max;
	size_t payload;		/* protected-mode bytes */
};

static const struct fake_kernel default_kernel = {
	.version = 0x020f, .setup_sects = 4, .relocatable = true, .alignment = 0x200000,
	.pref = 0x1000000, .init_size = 0x800000, .xlf = 1, .cmdline_size = 2047,
	.initrd_max = 0x7fffffff, .payload = 0x3000,
};

static void put16(uint8_t *p, uint16_t v)
{
	vireo_put_le16(p, v);
}

/* A bzImage whose protected-mode bytes are i & 0xff, i from 0. */
static uint8_t *make_kernel(const struct fake_kernel *k, size_t *size)
{
	size_t off = ((size_t)(k->setup_sects ? k->setup_sects : 4) + 1) * 512;
	uint8_t *p = calloc(1, off + k->payload);
	size_t i;

	p[VIREO_LINUX_SETUP_SECTS] = k->setup_sects;
	vireo_put_le32(p + VIREO_LINUX_SYSSIZE, (uint32_t)((k->payload + 15) / 16));
	put16(p + VIREO_LINUX_BOOT_FLAG, 0xaa55);
	p[VIREO_LINUX_JUMP] = 0xeb;
	p[VIREO_LINUX_JUMP + 1] = 0x6a;	/* header ends at 0x26c */
	vireo_put_le32(p + VIREO_LINUX_HDRS_OFF, VIREO_LINUX_HDRS_MAGIC);
	put16(p + VIREO_LINUX_VERSION, k->version);
	p[VIREO_LINUX_LOADFLAGS] = VIREO_LINUX_LOADED_HIGH;
	vireo_put_le32(p + VIREO_LINUX_CODE32_START, 0x100000);
	vireo_put_le32(p + VIREO_LINUX_INITRD_ADDR_MAX, k->initrd_max);
	vireo_put_le32(p + VIREO_LINUX_KERNEL_ALIGNMENT, k->alignment);
	p[VIREO_LINUX_RELOCATABLE] = k->relocatable;
	put16(p + VIREO_LINUX_XLOADFLAGS, k->xlf);
	vireo_put_le32(p + VIREO_LINUX_CMDLINE_SIZE, k->cmdline_size);
	vireo_put_le64(p + VIREO_LINUX_PREF_ADDRESS, k->pref);
	vireo_put_le32(p + VIREO_LINUX_INIT_SIZE, k->init_size);
	for (i = 0; i < k->payload; i++)
		p[off + i] = (uint8_t)i;
	*size = off + k->payload;
	return p;
}

static int load(struct tguest *g, const void *kernel, size_t size, const void *initrd,
		size_t initrd_size, const char *cmdline, struct vireo_linux_info *info, GError **err)
{
	struct vireo_linux_config cfg = {
		.kernel_name = "bzImage-test", .kernel = kernel, .kernel_size = size,
		.initrd_name = "initrd-test", .initrd = initrd, .initrd_size = initrd_size,
		.cmdline = cmdline, .acpi_rsdp = 0xe0000,
	};

	return vireo_linux_load(&g->l, &g->mem, &cfg, info, err);
}

static void linux_load_64bit(void)
{
	static uint8_t initrd[10000];
	struct vireo_linux_info info;
	g_autoptr(GError) err = NULL;
	struct tguest g;
	uint8_t *kernel;
	size_t size, i;

	for (i = 0; i < sizeof(initrd); i++)
		initrd[i] = (uint8_t)(i * 7);
	kernel = make_kernel(&default_kernel, &size);
	T_EQ(tguest_init(&g, 256 * MIB, 0), 0);
	T_EQ(load(&g, kernel, size, initrd, sizeof(initrd), "console=ttyS0 panic=-1", &info, &err),
	     0);

	T_EQ(info.load_addr, 0x1000000);
	T_EQ(info.kernel_end, 0x1800000);
	T_EQ(info.entry.mode, VIREO_ENTRY_LONG64);
	T_EQ(info.entry.rip, 0x1000200);
	T_EQ(info.entry.rsi, ZP);
	/* The kernel bytes, all of them and no more. */
	T_EQ(*tguest_at(&g, 0x1000000), 0);
	T_EQ(*tguest_at(&g, 0x1000000 + 0x2fff), 0xff);
	T_EQ(*tguest_at(&g, 0x1000000 + 0x1234), 0x34);
	T_EQ(*tguest_at(&g, 0x1000000 + 0x3000), 0);

	/* Setup header copied, then filled in. */
	T_EQ(tg32(&g, ZP + VIREO_LINUX_HDRS_OFF), VIREO_LINUX_HDRS_MAGIC);
	T_EQ(tg16(&g, ZP + VIREO_LINUX_VERSION), 0x020f);
	T_EQ(tg16(&g, ZP + VIREO_LINUX_BOOT_FLAG), 0xaa55);
	T_EQ(*tguest_at(&g, ZP + VIREO_LINUX_TYPE_OF_LOADER), 0xff);
	T_EQ(*tguest_at(&g, ZP + VIREO_LINUX_LOADFLAGS),
	     VIREO_LINUX_LOADED_HIGH | VIREO_LINUX_CAN_USE_HEAP);
	T_EQ(tg16(&g, ZP + VIREO_LINUX_HEAP_END_PTR), 0xde00);
	T_EQ(tg32(&g, ZP + VIREO_LINUX_CODE32_START), 0x1000000);
	T_EQ(tg32(&g, ZP + VIREO_LINUX_CMD_LINE_PTR), 0x20000);
	T_EQ(tg32(&g, ZP + VIREO_BP_EXT_CMD_LINE_PTR), 0);
	T_TRUE(!strcmp((char *)tguest_at(&g, 0x20000), "console=ttyS0 panic=-1"));
	T_EQ(tg32(&g, ZP + VIREO_LINUX_HARDWARE_SUBARCH), 0);
	T_EQ(tg64(&g, ZP + VIREO_LINUX_SETUP_DATA), 0);
	T_EQ(tg64(&g, ZP + VIREO_BP_ACPI_RSDP_ADDR), 0xe0000);
	T_EQ(tg32(&g, ZP + VIREO_BP_ALT_MEM_K), 255 * 1024);

	/* initrd: page aligned, at the top of RAM, intact. */
	T_EQ(info.initrd_addr, (256 * MIB - sizeof(initrd)) & ~0xfffULL);
	T_EQ(tg32(&g, ZP + VIREO_LINUX_RAMDISK_IMAGE), info.initrd_addr);
	T_EQ(tg32(&g, ZP + VIREO_LINUX_RAMDISK_SIZE), sizeof(initrd));
	T_EQ(tg32(&g, ZP + VIREO_BP_EXT_RAMDISK_IMAGE), 0);
	T_EQ(tg32(&g, ZP + VIREO_BP_EXT_RAMDISK_SIZE), 0);
	T_TRUE(!memcmp(tguest_at(&g, info.initrd_addr), initrd, sizeof(initrd)));

	/* e820: the layout's table, 20 bytes an entry. */
	T_EQ(*tguest_at(&g, ZP + VIREO_BP_E820_ENTRIES), g.l.nr_e820);
	for (i = 0; i < g.l.nr_e820; i++) {
		uint64_t e = ZP + VIREO_BP_E820_TABLE + 20 * i;

		T_EQ(tg64(&g, e), g.l.e820[i].addr);
		T_EQ(tg64(&g, e + 8), g.l.e820[i].size);
		T_EQ(tg32(&g, e + 16), g.l.e820[i].type);
	}
	tguest_fini(&g);
	free(kernel);
}

static void linux_initrd_limits(void)
{
	static uint8_t initrd[0x1800];
	struct fake_kernel k = default_kernel;
	struct vireo_linux_info info;
	g_autoptr(GError) err = NULL;
	struct tguest g;
	uint8_t *kernel;
	size_t size;

	/* RAM past the hole: the initrd stays below initrd_addr_max. */
	k.initrd_max = 0x37ffffff;
	kernel = make_kernel(&k, &size);
	T_EQ(tguest_init(&g, 5 * GIB, 0), 0);
	T_EQ(load(&g, kernel, size, initrd, sizeof(initrd), NULL, &info, &err), 0);
	T_EQ(info.initrd_addr, 0x38000000 - 0x2000);
	T_TRUE(info.initrd_addr + sizeof(initrd) <= 0x38000000);
	tguest_fini(&g);
	free(kernel);

	/* An initrd_addr_max of ~0: below the hole, not at 4 GiB. */
	k.initrd_max = 0xffffffff;
	kernel = make_kernel(&k, &size);
	T_EQ(tguest_init(&g, 5 * GIB, 0), 0);
	T_EQ(load(&g, kernel, size, initrd, sizeof(initrd), NULL, &info, &err), 0);
	T_EQ(info.initrd_addr, 0xc0000000 - 0x2000);
	tguest_fini(&g);
	free(kernel);
}

static void linux_placement_variants(void)
{
	struct fake_kernel k = default_kernel;
	struct vireo_linux_info info;
	g_autoptr(GError) err = NULL;
	struct tguest g;
	uint8_t *kernel;
	size_t size;

	T_EQ(tguest_init(&g, 128 * MIB, 0), 0);
	/* pref_address not aligned: rounded up to kernel_alignment. */
	k.pref = 0x1100000;
	kernel = make_kernel(&k, &size);
	T_EQ(load(&g, kernel, size, NULL, 0, "", &info, &err), 0);
	T_EQ(info.load_addr, 0x1200000);
	free(kernel);

	/* Below 1 MiB: raised to 1 MiB, then aligned. */
	k.pref = 0x1000;
	kernel = make_kernel(&k, &size);
	T_EQ(load(&g, kernel, size, NULL, 0, "", &info, &err), 0);
	T_EQ(info.load_addr, 0x200000);
	free(kernel);

	/* Non-relocatable: exactly pref_address; 32-bit entry without XLF_KERNEL_64. */
	k = default_kernel;
	k.relocatable = false;
	k.pref = 0x100000;
	k.alignment = 0x1000;
	k.xlf = 0;
	kernel = make_kernel(&k, &size);
	T_EQ(load(&g, kernel, size, NULL, 0, "", &info, &err), 0);
	T_EQ(info.load_addr, 0x100000);
	T_EQ(info.entry.mode, VIREO_ENTRY_PROT32);
	T_EQ(info.entry.rip, 0x100000);
	T_EQ(info.entry.rsi, ZP);
	T_EQ(tg32(&g, ZP + VIREO_LINUX_RAMDISK_IMAGE), 0);
	free(kernel);

	/* Protocol 2.06 (no pref_address/init_size): 1 MiB aligned up, the image size. */
	k = default_kernel;
	k.version = 0x0206;
	k.xlf = 1;	/* not read before 2.12 */
	kernel = make_kernel(&k, &size);
	T_EQ(load(&g, kernel, size, NULL, 0, "", &info, &err), 0);
	T_EQ(info.load_addr, 0x200000);
	T_EQ(info.kernel_end, 0x200000 + 0x3000);
	T_EQ(info.entry.mode, VIREO_ENTRY_PROT32);
	/* acpi_rsdp_addr only from 2.14 on. */
	T_EQ(tg64(&g, ZP + VIREO_BP_ACPI_RSDP_ADDR), 0);
	free(kernel);
	tguest_fini(&g);
}

static void expect_refusal(const struct fake_kernel *k, int want, const char *msg)
{
	struct vireo_linux_info info;
	g_autoptr(GError) err = NULL;
	struct tguest g;
	uint8_t *kernel;
	size_t size;
	int ret;

	kernel = make_kernel(k, &size);
	T_EQ(tguest_init(&g, 64 * MIB, 0), 0);
	ret = load(&g, kernel, size, NULL, 0, "", &info, &err);
	tguest_fini(&g);
	free(kernel);
	T_EQ(ret, want);
	T_STR_CONTAINS(ERRMSG(err), "bzImage-test: ");
	T_STR_CONTAINS(ERRMSG(err), msg);
}

static void linux_refuses(void)
{
	struct fake_kernel k = default_kernel;

	k.version = 0x0205;
	T_CALL(expect_refusal(&k, -ENOEXEC, "boot protocol 2.05 is older than 2.06"));
	k = default_kernel;
	k.alignment = 0x300000;
	T_CALL(expect_refusal(&k, -ENOEXEC, "kernel_alignment"));
	k = default_kernel;
	k.init_size = 0x4000000;	/* 16 + 64 MiB > 64 MiB of RAM */
	T_CALL(expect_refusal(&k, -ENOSPC, "needs RAM at [0x1000000, 0x5000000)"));
	k = default_kernel;
	k.relocatable = false;
	k.pref = 0x8000;	/* would clobber the boot area */
	T_CALL(expect_refusal(&k, -ENOSPC, "needs RAM"));
	k.pref = 0xfffffffffffff000ULL;
	T_CALL(expect_refusal(&k, -ENOSPC, "needs RAM"));
	k.relocatable = true;
	T_CALL(expect_refusal(&k, -ENOEXEC, "pref_address"));
}

static void linux_refuses_bad_files(void)
{
	struct vireo_linux_info info;
	g_autoptr(GError) err = NULL;
	struct tguest g;
	uint8_t *kernel;
	size_t size;

	kernel = make_kernel(&default_kernel, &size);
	T_EQ(tguest_init(&g, 64 * MIB, 0), 0);

	T_EQ(load(&g, kernel, 0x100, NULL, 0, "", &info, &err), -ENOEXEC);
	T_STR_CONTAINS(ERRMSG(err), "bzImage-test: not a Linux kernel image");
	T_EQ(load(&g, kernel, 0x240, NULL, 0, "", &info, &err), -ENOEXEC);
	T_STR_CONTAINS(ERRMSG(err), "truncated");
	T_EQ(load(&g, kernel, 5 * 512, NULL, 0, "", &info, &err), -ENOEXEC);
	T_STR_CONTAINS(ERRMSG(err), "protected-mode kernel starts at 0xa00");
	T_EQ(load(&g, kernel, size - 0x100, NULL, 0, "", &info, &err), -ENOEXEC);
	T_STR_CONTAINS(ERRMSG(err), "syssize");

	kernel[VIREO_LINUX_JUMP + 1] = 0x30;	/* header ends at 0x232 */
	T_EQ(load(&g, kernel, size, NULL, 0, "", &info, &err), -ENOEXEC);
	T_STR_CONTAINS(ERRMSG(err), "setup header ends at 0x232");
	kernel[VIREO_LINUX_JUMP + 1] = 0x6a;

	kernel[VIREO_LINUX_LOADFLAGS] = 0;
	T_EQ(load(&g, kernel, size, NULL, 0, "", &info, &err), -ENOEXEC);
	T_STR_CONTAINS(ERRMSG(err), "zImage");
	kernel[VIREO_LINUX_LOADFLAGS] = VIREO_LINUX_LOADED_HIGH;

	kernel[VIREO_LINUX_BOOT_FLAG] = 0;
	T_EQ(load(&g, kernel, size, NULL, 0, "", &info, &err), -ENOEXEC);
	T_STR_CONTAINS(ERRMSG(err), "boot_flag");
	kernel[VIREO_LINUX_BOOT_FLAG] = 0x55;

	vireo_put_le32(kernel + VIREO_LINUX_SYSSIZE, 0);
	T_EQ(load(&g, kernel, size, NULL, 0, "", &info, &err), -ENOEXEC);
	tguest_fini(&g);
	free(kernel);
}

static void linux_cmdline_and_initrd_limits(void)
{
	struct fake_kernel k = default_kernel;
	struct vireo_linux_info info;
	g_autoptr(GError) err = NULL;
	static char cmdline[0x11000];
	struct tguest g;
	uint8_t *kernel, *initrd;
	size_t size;

	k.cmdline_size = 10;
	kernel = make_kernel(&k, &size);
	T_EQ(tguest_init(&g, 64 * MIB, 0), 0);
	T_EQ(load(&g, kernel, size, NULL, 0, "0123456789", &info, &err), 0);
	T_EQ(load(&g, kernel, size, NULL, 0, "0123456789a", &info, &err), -E2BIG);
	T_STR_CONTAINS(ERRMSG(err), "command line is 11 bytes");
	free(kernel);

	/* A kernel that accepts anything still gets at most 64 KiB - 1. */
	k.cmdline_size = 0xffffffff;
	kernel = make_kernel(&k, &size);
	memset(cmdline, 'a', sizeof(cmdline) - 1);
	T_EQ(load(&g, kernel, size, NULL, 0, cmdline, &info, &err), -E2BIG);

	/* The initrd must fit between the kernel's end (24 MiB) and RAM's. */
	initrd = calloc(1, 40 * MIB + 1);	/* untouched pages: cheap */
	T_EQ(load(&g, kernel, size, initrd, 40 * MIB, "", &info, &err), 0);
	T_EQ(info.initrd_addr, 24 * MIB);
	T_EQ(load(&g, kernel, size, initrd, 40 * MIB + 1, "", &info, &err), -ENOSPC);
	T_STR_CONTAINS(ERRMSG(err), "initrd-test: ");
	T_STR_CONTAINS(ERRMSG(err), "give the guest more memory");
	/* Refused before the data is looked at: the pointer is never read. */
	T_EQ(load(&g, kernel, size, initrd, 1ULL << 40, "", &info, &err), -ENOSPC);
	free(initrd);
	tguest_fini(&g);
	free(kernel);
}

/* Random corruption of the header: refusals or loads, never a crash. */
static void linux_hostile_headers(void)
{
	static uint8_t initrd[32 << 20];	/* never written: bss costs nothing */
	struct vireo_linux_info info;
	g_autoptr(GError) err = NULL;
	uint64_t seed = 0x1234567;
	unsigned int iter, loaded = 0;
	struct tguest g;
	uint8_t *good, *bad;
	size_t size;

	good = make_kernel(&default_kernel, &size);
	bad = malloc(size);
	T_EQ(tguest_init(&g, 32 * MIB, 0), 0);
	for (iter = 0; iter < 20000; iter++) {
		unsigned int n = 1 + trand(&seed) % 8, i;
		size_t len = size;

		memcpy(bad, good, size);
		for (i = 0; i < n; i++) {
			uint32_t where = 0x1f1 + trand(&seed) % (0x270 - 0x1f1);

			bad[where] = (uint8_t)trand(&seed);
		}
		if (trand(&seed) % 4 == 0)
			len = trand(&seed) % size;
		if (load(&g, bad, len, initrd, trand(&seed) % sizeof(initrd), "x", &info, &err) ==
		    0) {
			loaded++;
			T_TRUE(info.kernel_end <= g.l.low_end);
			T_TRUE(info.load_addr >= MIB);
		} else {
			T_STR_CONTAINS(ERRMSG(err), "-test: ");
		}
	}
	/* Both outcomes happened: the loop did test something. */
	T_TRUE(loaded > 0 && loaded < 20000);
	tguest_fini(&g);
	free(bad);
	free(good);
}

static void linux_detect(void)
{
	uint8_t *kernel;
	size_t size;

	kernel = make_kernel(&default_kernel, &size);
	T_EQ(vireo_boot_detect(kernel, size), VIREO_IMAGE_LINUX);
	T_EQ(vireo_boot_detect(kernel, 0x205), VIREO_IMAGE_UNKNOWN);
	kernel[VIREO_LINUX_HDRS_OFF] = 'X';
	T_EQ(vireo_boot_detect(kernel, size), VIREO_IMAGE_UNKNOWN);
	free(kernel);
}

static void linux_read_file_errors(void)
{
	g_autoptr(GError) err = NULL;
	void *data;
	size_t size;

	T_EQ(vireo_boot_read_file("/nonexistent/vmlinuz", &data, &size, &err), -ENOENT);
	T_STR_CONTAINS(ERRMSG(err), "/nonexistent/vmlinuz: ");
	T_EQ(vireo_boot_read_file("/", &data, &size, &err), -EINVAL);
	T_STR_CONTAINS(ERRMSG(err), "not a regular file");
}

/* The entry state: long mode whose page tables map the kernel 1:1. */
static void linux_entry_state(void)
{
	struct vireo_boot_entry e = { .mode = VIREO_ENTRY_LONG64, .rip = 0x1000200, .rsi = ZP };
	struct vireo_paging pg;
	struct vireo_fault fault;
	struct vireo_regs regs;
	struct vireo_sregs s;
	struct tguest g;
	uint64_t gpa, gva;

	T_EQ(tguest_init(&g, 64 * MIB, 0), 0);
	T_EQ(vireo_boot_entry_setup(&e, &g.mem, &regs, &s), 0);
	T_EQ(regs.rip, 0x1000200);
	T_EQ(regs.rsi, ZP);
	T_EQ(regs.rbx | regs.rdi | regs.rbp, 0);
	T_EQ(regs.rflags, 2);
	T_EQ(s.cs.selector, 0x10);
	T_EQ(s.cs.l, 1);
	T_EQ(s.cs.db, 0);
	T_EQ(s.ds.selector, 0x18);
	T_EQ(s.ss.selector, 0x18);
	T_EQ(s.es.selector, 0x18);
	T_EQ(s.tr.selector, 0x20);
	T_EQ(s.gdt.base, 0x1000);
	T_EQ(s.cr3, 0x2000);
	T_EQ(s.efer & (VIREO_EFER_LME | VIREO_EFER_LMA), VIREO_EFER_LME | VIREO_EFER_LMA);
	T_EQ(vireo_cpu_mode(&s, regs.rflags), VIREO_MODE_64);
	/* The descriptors behind the selectors agree with the cached state. */
	T_EQ(tg64(&g, 0x1010), 0x00af9b000000ffffULL);
	T_EQ(tg64(&g, 0x1018), 0x00cf93000000ffffULL);
	T_EQ((tg64(&g, 0x1020) >> 40) & 0xf, 0xb);
	vireo_paging_from_sregs(&pg, &s, 40);
	for (gva = 0; gva < 4 * GIB; gva += 0x3fff000) {
		T_EQ(vireo_gva_to_gpa(&pg, &g.mem, gva, VIREO_ACCESS_FETCH, &gpa, NULL, &fault), 0);
		T_EQ(gpa, gva);
	}
	T_EQ(vireo_gva_to_gpa(&pg, &g.mem, 4 * GIB, 0, &gpa, NULL, &fault), -EFAULT);

	e.mode = VIREO_ENTRY_PROT32;
	T_EQ(vireo_boot_entry_setup(&e, &g.mem, &regs, &s), 0);
	T_EQ(s.cs.db, 1);
	T_EQ(s.cs.l, 0);
	T_EQ(s.cr0 & VIREO_CR0_PG, 0);
	T_EQ(s.efer, 0);
	T_EQ(tg64(&g, 0x1010), 0x00cf9b000000ffffULL);
	T_EQ(vireo_cpu_mode(&s, regs.rflags), VIREO_MODE_32);
	e.mode = 0;
	T_EQ(vireo_boot_entry_setup(&e, &g.mem, &regs, &s), -EINVAL);
	tguest_fini(&g);
}

static void real_image(const char *path, uint64_t ram)
{
	struct vireo_linux_config cfg = { .kernel_name = path, .cmdline = "console=ttyS0" };
	struct vireo_linux_info info;
	g_autoptr(GError) err = NULL;
	struct tguest g;
	void *data;
	size_t size;

	T_EQ(vireo_boot_read_file(path, &data, &size, &err), 0);
	cfg.kernel = data;
	cfg.kernel_size = size;
	T_EQ(vireo_boot_detect(data, size), VIREO_IMAGE_LINUX);
	T_EQ(tguest_init(&g, ram, 0), 0);
	if (vireo_linux_load(&g.l, &g.mem, &cfg, &info, &err)) {
		vireo_test_fail(__FILE__, __LINE__, "%s", ERRMSG(err));
		goto out;
	}
	if (info.entry.mode != VIREO_ENTRY_LONG64 ||
	    info.entry.rip != info.load_addr + 0x200 ||
	    memcmp(tguest_at(&g, info.load_addr), (uint8_t *)data + info.hdr.kernel_offset,
		   info.hdr.kernel_size))
		vireo_test_fail(__FILE__, __LINE__, "%s: entry %#llx mode %d", path,
				(unsigned long long)info.entry.rip, info.entry.mode);
	printf("      %s: protocol %u.%02u, loaded at %#llx, entry %#llx, init_size %#x\n", path,
	       info.hdr.version >> 8, info.hdr.version & 0xff,
	       (unsigned long long)info.load_addr, (unsigned long long)info.entry.rip,
	       info.hdr.init_size);
out:
	tguest_fini(&g);
	free(data);
}

static void linux_real_images(void)
{
	const char *memtest = "/boot/memtest86+x64.bin";
	glob_t gl;
	size_t i;

	if (access(memtest, R_OK) == 0)
		T_CALL(real_image(memtest, 64 * MIB));
	else
		printf("      note: %s absent (Debian package memtest86+): not loaded\n", memtest);
	if (glob("build/rig/cache/linux-image-*/boot/vmlinuz-*", 0, NULL, &gl) == 0) {
		for (i = 0; i < gl.gl_pathc; i++)
			T_CALL(real_image(gl.gl_pathv[i], 256 * MIB));
		globfree(&gl);
	} else {
		printf("      note: no rig kernel in build/rig/cache: not loaded\n");
	}
}

static const struct vireo_test tests[] = {
	VIREO_TEST(linux_load_64bit),
	VIREO_TEST(linux_initrd_limits),
	VIREO_TEST(linux_placement_variants),
	VIREO_TEST(linux_refuses),
	VIREO_TEST(linux_refuses_bad_files),
	VIREO_TEST(linux_cmdline_and_initrd_limits),
	VIREO_TEST(linux_hostile_headers),
	VIREO_TEST(linux_detect),
	VIREO_TEST(linux_read_file_errors),
	VIREO_TEST(linux_entry_state),
	VIREO_TEST(linux_real_images),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(boot_linux, tests);
