// SPDX-License-Identifier: GPL-2.0
/*
 * The Multiboot v1 loader on synthetic kernels: ELF32 segments (bss
 * zeroed, virtual entry translated), the a.out kludge, the information
 * structure field by field (memory sizes, memory map, command line,
 * modules, loader name), refusals naming the file, and hostile headers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <vireo/error.h>

#include "boot/image.h"
#include "boot/linux.h"
#include "boot/multiboot.h"
#include "test.h"
#include "test_boot_util.h"

#define MIB (1ULL << 20)
#define INFO VIREO_LAYOUT_ZERO_PAGE
#define ELF_SIZE 0x3000
#define MB_OFF 0x80

static void put_mb_header(uint8_t *p, size_t off, uint32_t flags)
{
	vireo_put_le32(p + off, VIREO_MB_HEADER_MAGIC);
	vireo_put_le32(p + off + 4, flags);
	vireo_put_le32(p + off + 8, -(VIREO_MB_HEADER_MAGIC + flags));
}

static void put_phdr(uint8_t *ph, uint32_t type, uint32_t off, uint32_t vaddr, uint32_t paddr,
		     uint32_t filesz, uint32_t memsz)
{
	vireo_put_le32(ph, type);
	vireo_put_le32(ph + 4, off);
	vireo_put_le32(ph + 8, vaddr);
	vireo_put_le32(ph + 12, paddr);
	vireo_put_le32(ph + 16, filesz);
	vireo_put_le32(ph + 20, memsz);
}

/*
 * An ELF32 kernel linked at 0xc0100000, loaded at 1 MiB: text 0x800 bytes
 * (file 0x1000), data 0x100 bytes + bss to 0x3000 (file 0x2000), and a
 * PT_NOTE that must be ignored.  Entry 0xc0100010.
 */
static uint8_t *make_elf(void)
{
	uint8_t *p = calloc(1, ELF_SIZE);
	size_t i;

	memcpy(p, "\177ELF", 4);
	p[4] = 1;	/* ELFCLASS32 */
	p[5] = 1;	/* little endian */
	p[6] = 1;
	vireo_put_le16(p + 16, 2);	/* ET_EXEC */
	vireo_put_le16(p + 18, 3);	/* EM_386 */
	vireo_put_le32(p + 20, 1);
	vireo_put_le32(p + 24, 0xc0100010);
	vireo_put_le32(p + 28, 0x34);	/* e_phoff */
	vireo_put_le16(p + 40, 52);
	vireo_put_le16(p + 42, 32);
	vireo_put_le16(p + 44, 3);
	put_phdr(p + 0x34, 1, 0x1000, 0xc0100000, 0x100000, 0x800, 0x800);
	put_phdr(p + 0x54, 4, 0x0, 0, 0, 0x10, 0x10);
	put_phdr(p + 0x74 - 0x0, 1, 0x2000, 0xc0101000, 0x101000, 0x100, 0x3000);
	put_mb_header(p, 0x100, VIREO_MB_PAGE_ALIGN | VIREO_MB_MEMORY_INFO);
	for (i = 0x1000; i < ELF_SIZE; i++)
		p[i] = (uint8_t)(i * 3 + 1);
	return p;
}

static int mb_load(struct tguest *g, const void *kernel, size_t size, const char *cmdline,
		   const struct vireo_multiboot_module *mods, unsigned int nr,
		   struct vireo_multiboot_info *info, GError **err)
{
	struct vireo_multiboot_config cfg = {
		.kernel_name = "mbkernel", .kernel = kernel, .kernel_size = size,
		.cmdline = cmdline, .modules = mods, .nr_modules = nr,
	};

	return vireo_multiboot_load(&g->l, &g->mem, &cfg, info, err);
}

static void mb_elf(void)
{
	static uint8_t mod0[5000], mod1[10];
	struct vireo_multiboot_module mods[2] = {
		{ .name = "mod0.bin", .data = mod0, .size = sizeof(mod0), .cmdline = "mod0 arg=1" },
		{ .name = "mod1.bin", .data = mod1, .size = sizeof(mod1) },
	};
	struct vireo_multiboot_info info;
	g_autoptr(GError) err = NULL;
	struct tguest g;
	uint8_t *k = make_elf();
	uint32_t flags, mmap, mods_addr;
	unsigned int i;

	memset(mod0, 0x5a, sizeof(mod0));
	memset(mod1, 0xa5, sizeof(mod1));
	T_EQ(tguest_init(&g, 64 * MIB, 0), 0);
	memset(tguest_at(&g, 0x101000), 0xee, 0x3000);	/* bss must come back zero */
	T_EQ(vireo_boot_detect(k, ELF_SIZE), VIREO_IMAGE_MULTIBOOT);
	T_EQ(mb_load(&g, k, ELF_SIZE, "kernel -v", mods, 2, &info, &err), 0);

	T_EQ(info.entry.mode, VIREO_ENTRY_PROT32);
	T_EQ(info.entry.rip, 0x100010);
	T_EQ(info.entry.rax, 0x2badb002);
	T_EQ(info.entry.rbx, INFO);
	T_EQ(info.kernel_start, 0x100000);
	T_EQ(info.kernel_end, 0x104000);
	T_TRUE(!memcmp(tguest_at(&g, 0x100000), k + 0x1000, 0x800));
	T_EQ(*tguest_at(&g, 0x100800), 0);
	T_TRUE(!memcmp(tguest_at(&g, 0x101000), k + 0x2000, 0x100));
	for (i = 0x100; i < 0x3000; i++)
		T_EQ(*tguest_at(&g, 0x101000 + i), 0);

	flags = tg32(&g, INFO + VIREO_MBI_FLAGS);
	T_EQ(flags, VIREO_MBI_MEM | VIREO_MBI_CMDLINE | VIREO_MBI_MODS | VIREO_MBI_MMAP |
			    VIREO_MBI_LOADER_NAME);
	T_EQ(tg32(&g, INFO + VIREO_MBI_MEM_LOWER), 639);
	T_EQ(tg32(&g, INFO + VIREO_MBI_MEM_UPPER), 63 * 1024);
	/* The file name first, as GRUB and QEMU pass it. */
	T_TRUE(!strcmp((char *)tguest_at(&g, tg32(&g, INFO + VIREO_MBI_CMDLINE_PTR)),
		       "mbkernel kernel -v"));
	T_TRUE(!strcmp((char *)tguest_at(&g, tg32(&g, INFO + VIREO_MBI_LOADER_NAME_PTR)),
		       "Vireo"));

	/* Memory map: the layout's e820, each entry preceded by its size. */
	mmap = tg32(&g, INFO + VIREO_MBI_MMAP_ADDR);
	T_EQ(tg32(&g, INFO + VIREO_MBI_MMAP_LENGTH), 24 * g.l.nr_e820);
	for (i = 0; i < g.l.nr_e820; i++) {
		uint32_t e = mmap + 24 * i;

		T_EQ(tg32(&g, e), 20);
		T_EQ(tg64(&g, e + 4), g.l.e820[i].addr);
		T_EQ(tg64(&g, e + 12), g.l.e820[i].size);
		T_EQ(tg32(&g, e + 20), g.l.e820[i].type);
	}

	/* Modules: page aligned after the kernel, contents, strings. */
	T_EQ(tg32(&g, INFO + VIREO_MBI_MODS_COUNT), 2);
	mods_addr = tg32(&g, INFO + VIREO_MBI_MODS_ADDR);
	T_EQ(tg32(&g, mods_addr), 0x104000);
	T_EQ(tg32(&g, mods_addr + 4), 0x104000 + sizeof(mod0));
	T_TRUE(!strcmp((char *)tguest_at(&g, tg32(&g, mods_addr + 8)), "mod0 arg=1"));
	T_EQ(tg32(&g, mods_addr + 16), 0x106000);
	T_EQ(tg32(&g, mods_addr + 20), 0x106000 + sizeof(mod1));
	T_TRUE(!strcmp((char *)tguest_at(&g, tg32(&g, mods_addr + 24)), "mod1.bin"));
	T_TRUE(!memcmp(tguest_at(&g, 0x104000), mod0, sizeof(mod0)));
	T_TRUE(!memcmp(tguest_at(&g, 0x106000), mod1, sizeof(mod1)));
	/* Everything the structure points to lies inside the info area. */
	T_TRUE(mmap >= INFO && mods_addr + 32 <= VIREO_LAYOUT_INFO_END);
	tguest_fini(&g);
	free(k);
}

static uint8_t *make_aout(size_t *size)
{
	uint8_t *p = calloc(1, 0x1000);
	size_t i;

	for (i = 0; i < 0x1000; i++)
		p[i] = (uint8_t)(i + 9);
	put_mb_header(p, 0x40, VIREO_MB_AOUT_KLUDGE | VIREO_MB_MEMORY_INFO | VIREO_MB_VIDEO_MODE);
	vireo_put_le32(p + 0x40 + 12, 0x200040);	/* header_addr */
	vireo_put_le32(p + 0x40 + 16, 0x200000);	/* load_addr */
	vireo_put_le32(p + 0x40 + 20, 0x200c00);	/* load_end_addr */
	vireo_put_le32(p + 0x40 + 24, 0x204000);	/* bss_end_addr */
	vireo_put_le32(p + 0x40 + 28, 0x200100);	/* entry_addr */
	*size = 0x1000;
	return p;
}

static void mb_aout(void)
{
	struct vireo_multiboot_info info;
	g_autoptr(GError) err = NULL;
	struct tguest g;
	size_t size;
	uint8_t *k = make_aout(&size);

	T_EQ(tguest_init(&g, 16 * MIB, 0), 0);
	memset(tguest_at(&g, 0x200000), 0xee, 0x5000);
	T_EQ(mb_load(&g, k, size, NULL, NULL, 0, &info, &err), 0);
	T_EQ(info.entry.rip, 0x200100);
	T_EQ(info.kernel_end, 0x204000);
	T_TRUE(!memcmp(tguest_at(&g, 0x200000), k, 0xc00));
	T_EQ(*tguest_at(&g, 0x200c00), 0);
	T_EQ(*tguest_at(&g, 0x203fff), 0);
	T_EQ(*tguest_at(&g, 0x204000), 0xee);
	/* No command line given: the kernel's name, as GRUB does. */
	T_TRUE(!strcmp((char *)tguest_at(&g, tg32(&g, INFO + VIREO_MBI_CMDLINE_PTR)),
		       "mbkernel"));
	T_EQ(tg32(&g, INFO + VIREO_MBI_MODS_COUNT), 0);

	/* load_end_addr 0: to the end of the file; bss_end 0: no bss. */
	vireo_put_le32(k + 0x40 + 20, 0);
	vireo_put_le32(k + 0x40 + 24, 0);
	memset(tguest_at(&g, 0x200000), 0xee, 0x5000);
	T_EQ(mb_load(&g, k, size, NULL, NULL, 0, &info, &err), 0);
	T_EQ(info.kernel_end, 0x201000);
	T_EQ(*tguest_at(&g, 0x200fff), k[0xfff]);
	T_EQ(*tguest_at(&g, 0x201000), 0xee);
	tguest_fini(&g);
	free(k);
}

static void expect_mb_error(uint8_t *k, size_t size, int want, const char *msg)
{
	struct vireo_multiboot_info info;
	g_autoptr(GError) err = NULL;
	struct tguest g;
	int ret;

	T_EQ(tguest_init(&g, 16 * MIB, 0), 0);
	ret = mb_load(&g, k, size, NULL, NULL, 0, &info, &err);
	tguest_fini(&g);
	T_EQ(ret, want);
	T_STR_CONTAINS(ERRMSG(err), "mbkernel: ");
	T_STR_CONTAINS(ERRMSG(err), msg);
}

static void mb_refuses(void)
{
	uint8_t *k = make_elf(), *a;
	size_t size;

	/* Header after the first 8 KiB, or with a bad checksum: none. */
	T_CALL(expect_mb_error(k, 0x100, -ENOEXEC, "no Multiboot header"));
	put_mb_header(k, 0x100, 0);
	k[0x108]++;
	T_CALL(expect_mb_error(k, ELF_SIZE, -ENOEXEC, "no Multiboot header"));
	put_mb_header(k, 0x100, 1U << 3);
	T_CALL(expect_mb_error(k, ELF_SIZE, -ENOEXEC, "requires features 0x8"));
	put_mb_header(k, 0x100, 0);

	/*
	 * Segments over the loader's own low memory (IVT, BDA, boot stack,
	 * GDT; EBDA, VGA, BIOS area), past RAM, past the file, filesz > memsz.
	 */
	put_phdr(k + 0x34, 1, 0x1000, 0xc0100000, 0x1000, 0x800, 0x800);
	T_CALL(expect_mb_error(k, ELF_SIZE, -ENOSPC,
			       "segment [0x1000, 0x1800) would overwrite the interrupt vector table"));
	put_phdr(k + 0x34, 1, 0x1000, 0xc0100000, 0x0, 0x800, 0x800);
	T_CALL(expect_mb_error(k, ELF_SIZE, -ENOSPC, "BIOS data area"));
	put_phdr(k + 0x34, 1, 0x1000, 0xc0100000, 0x9f000, 0x800, 0x1000);
	T_CALL(expect_mb_error(k, ELF_SIZE, -ENOSPC, "would overwrite the EBDA"));
	put_phdr(k + 0x34, 1, 0x1000, 0xc0100000, 0xe0000, 0x800, 0x800);
	T_CALL(expect_mb_error(k, ELF_SIZE, -ENOSPC, "[0x9fc00, 0x100000)"));
	put_phdr(k + 0x34, 1, 0x1000, 0xc0100000, 0xfff000, 0x800, 0x2000);
	T_CALL(expect_mb_error(k, ELF_SIZE, -ENOSPC, "not in guest RAM"));
	put_phdr(k + 0x34, 1, 0x1000, 0xc0100000, 0xfffff000, 0x800, 0x2000);
	T_CALL(expect_mb_error(k, ELF_SIZE, -ENOSPC, "not in guest RAM"));
	put_phdr(k + 0x34, 1, 0x2800, 0xc0100000, 0x100000, 0x1000, 0x1000);
	T_CALL(expect_mb_error(k, ELF_SIZE, -ENOEXEC, "past the end of the file"));
	put_phdr(k + 0x34, 1, 0x1000, 0xc0100000, 0x100000, 0x900, 0x800);
	T_CALL(expect_mb_error(k, ELF_SIZE, -ENOEXEC, "larger than its memory size"));
	put_phdr(k + 0x34, 1, 0x1000, 0xc0100000, 0x100000, 0x800, 0x800);

	/* Entry outside what is loaded. */
	vireo_put_le32(k + 24, 0x90000);
	T_CALL(expect_mb_error(k, ELF_SIZE, -ENOEXEC, "entry point 0x90000"));
	vireo_put_le32(k + 24, 0xc0100010);

	/* Program headers past the end, wrong size, not i386, no PT_LOAD. */
	vireo_put_le16(k + 44, 0xffff);
	T_CALL(expect_mb_error(k, ELF_SIZE, -ENOEXEC, "program headers"));
	vireo_put_le16(k + 44, 3);
	vireo_put_le16(k + 42, 40);
	T_CALL(expect_mb_error(k, ELF_SIZE, -ENOEXEC, "program headers"));
	vireo_put_le16(k + 42, 32);
	vireo_put_le16(k + 18, 62);
	T_CALL(expect_mb_error(k, ELF_SIZE, -ENOEXEC, "i386 ELF"));
	vireo_put_le16(k + 18, 3);
	vireo_put_le16(k + 44, 0);
	T_CALL(expect_mb_error(k, ELF_SIZE, -ENOEXEC, "no loadable ELF segment"));
	vireo_put_le16(k + 44, 3);
	k[0] = 0;
	T_CALL(expect_mb_error(k, ELF_SIZE, -ENOEXEC, "not an ELF file"));
	free(k);

	/* a.out kludge fields that contradict each other or the file. */
	a = make_aout(&size);
	vireo_put_le32(a + 0x40 + 16, 0x200080);	/* load_addr > header_addr */
	T_CALL(expect_mb_error(a, size, -ENOEXEC, "load_addr 0x200080"));
	vireo_put_le32(a + 0x40 + 16, 0x100000);	/* file offset would be negative */
	T_CALL(expect_mb_error(a, size, -ENOEXEC, "file offset"));
	vireo_put_le32(a + 0x40 + 16, 0x200000);
	vireo_put_le32(a + 0x40 + 20, 0x201001);	/* past the end of the file */
	T_CALL(expect_mb_error(a, size, -ENOEXEC, "load_end_addr"));
	vireo_put_le32(a + 0x40 + 20, 0x200c00);
	vireo_put_le32(a + 0x40 + 24, 0x200800);
	T_CALL(expect_mb_error(a, size, -ENOEXEC, "bss_end_addr"));
	vireo_put_le32(a + 0x40 + 24, 0x204000);
	vireo_put_le32(a + 0x40 + 28, 0x203000);	/* entry in bss */
	T_CALL(expect_mb_error(a, size, -ENOEXEC, "entry point"));
	free(a);
}

/*
 * Segments below 1 MiB load as GRUB loads them (a kernel linked at 0x8000,
 * another over the information area's usual place, which then moves
 * after the modules); modules go to 1 MiB when the kernel ends lower.
 */
static void mb_low_segments(void)
{
	static uint8_t mod0[100];
	struct vireo_multiboot_module mod = { .name = "m0", .data = mod0, .size = sizeof(mod0),
					      .cmdline = "m0 x=1" };
	struct vireo_multiboot_info info;
	g_autoptr(GError) err = NULL;
	struct tguest g;
	uint8_t *k = make_elf();
	uint32_t mbi, mods;

	memset(mod0, 0x33, sizeof(mod0));
	T_EQ(tguest_init(&g, 16 * MIB, 0), 0);
	/* Text at 0x8000, data + bss to 0xa86c (the Xen-like layout). */
	put_phdr(k + 0x34, 1, 0x1000, 0xc0100000, 0x8000, 0x800, 0x800);
	put_phdr(k + 0x74, 1, 0x2000, 0xc0101000, 0x9000, 0x100, 0x186c);
	vireo_put_le32(k + 24, 0xc0100010);
	memset(tguest_at(&g, 0x9000), 0xee, 0x2000);
	T_EQ(mb_load(&g, k, ELF_SIZE, "a b", &mod, 1, &info, &err), 0);
	T_EQ(info.entry.rip, 0x8010);
	T_EQ(info.kernel_start, 0x8000);
	T_EQ(info.kernel_end, 0xa86c);
	T_TRUE(!memcmp(tguest_at(&g, 0x8000), k + 0x1000, 0x800));
	T_TRUE(!memcmp(tguest_at(&g, 0x9000), k + 0x2000, 0x100));
	T_EQ(*tguest_at(&g, 0xa86b), 0);
	T_EQ(*tguest_at(&g, 0xa86c), 0xee);
	T_EQ(info.info_addr, INFO);	/* clear of the kernel: where it always is */
	mods = tg32(&g, INFO + VIREO_MBI_MODS_ADDR);
	T_EQ(tg32(&g, mods), MIB);
	T_TRUE(!memcmp(tguest_at(&g, MIB), mod0, sizeof(mod0)));
	T_TRUE(!strcmp((char *)tguest_at(&g, tg32(&g, mods + 8)), "m0 x=1"));
	T_TRUE(!strcmp((char *)tguest_at(&g, tg32(&g, INFO + VIREO_MBI_CMDLINE_PTR)),
		       "mbkernel a b"));

	/* A kernel over 0x10000-0x2ffff: the information follows the module. */
	put_phdr(k + 0x34, 1, 0x1000, 0xc0100000, 0x10000, 0x800, 0x800);
	put_phdr(k + 0x74, 1, 0x2000, 0xc0101000, 0x11000, 0x100, 0x20000);
	memset(tguest_at(&g, 0x10000), 0xee, 0x21000);
	T_EQ(mb_load(&g, k, ELF_SIZE, NULL, &mod, 1, &info, &err), 0);
	T_EQ(info.entry.rip, 0x10010);
	mbi = (uint32_t)info.info_addr;
	T_EQ(mbi, MIB + 0x1000);		/* the page after the module */
	T_EQ(info.entry.rbx, mbi);
	T_TRUE(!memcmp(tguest_at(&g, 0x10000), k + 0x1000, 0x800));
	T_EQ(*tguest_at(&g, 0x11000 + 0x1fff), 0);	/* bss, not information */
	T_EQ(tg32(&g, mbi + VIREO_MBI_MEM_LOWER), 639);
	T_TRUE(!strcmp((char *)tguest_at(&g, tg32(&g, mbi + VIREO_MBI_CMDLINE_PTR)),
		       "mbkernel"));
	T_EQ(tg32(&g, mbi + VIREO_MBI_CMDLINE_PTR), mbi + 0x10000);
	mods = tg32(&g, mbi + VIREO_MBI_MODS_ADDR);
	T_TRUE(mods >= mbi && mods < mbi + 0x10000);
	T_EQ(tg32(&g, mods), MIB);
	T_TRUE(!strcmp((char *)tguest_at(&g, tg32(&g, mods + 8)), "m0 x=1"));
	T_TRUE(!strcmp((char *)tguest_at(&g, tg32(&g, mbi + VIREO_MBI_LOADER_NAME_PTR)),
		       "Vireo"));
	T_EQ(tg32(&g, tg32(&g, mbi + VIREO_MBI_MMAP_ADDR)), 20);
	tguest_fini(&g);
	free(k);
}

/* --initrd's module list for Multiboot kernels, QEMU's syntax. */
static void mb_module_list(void)
{
	struct vireo_multiboot_module_arg m[3];
	char one[] = "/boot/xen-initrd.gz";
	char list[] = "/boot/vmlinuz console=hvc0 root=/dev/vda,/boot/initrd.gz,a,,b.img x,,y";
	char empty[] = "a,,b, args";
	char blank[] = "";
	char many[] = "a,b,c,d";

	T_EQ(vireo_multiboot_parse_modules(one, m, 3), 1);
	T_TRUE(!strcmp(m[0].string, "/boot/xen-initrd.gz"));
	T_EQ(m[0].path_len, strlen("/boot/xen-initrd.gz"));

	T_EQ(vireo_multiboot_parse_modules(list, m, 3), 3);
	T_TRUE(!strcmp(m[0].string, "/boot/vmlinuz console=hvc0 root=/dev/vda"));
	T_EQ(m[0].path_len, strlen("/boot/vmlinuz"));
	T_TRUE(!strcmp(m[1].string, "/boot/initrd.gz"));
	T_TRUE(!strcmp(m[2].string, "a,b.img x,y"));	/* ",," is a comma */
	T_EQ(m[2].path_len, strlen("a,b.img"));

	T_EQ(vireo_multiboot_parse_modules(empty, m, 3), -EINVAL);	/* " args": no file */
	T_EQ(vireo_multiboot_parse_modules(blank, m, 3), -EINVAL);
	T_EQ(vireo_multiboot_parse_modules(many, m, 3), -E2BIG);
}

static void mb_module_limits(void)
{
	static uint8_t big[1];
	struct vireo_multiboot_module mod = { .name = "huge.img", .data = big, .size = 16 * MIB };
	struct vireo_multiboot_module many[VIREO_MB_MAX_MODULES + 1];
	struct vireo_multiboot_info info;
	g_autoptr(GError) err = NULL;
	static char longname[0x8000];
	struct tguest g;
	uint8_t *k = make_elf();
	unsigned int i;

	T_EQ(tguest_init(&g, 16 * MIB, 0), 0);
	T_EQ(mb_load(&g, k, ELF_SIZE, NULL, &mod, 1, &info, &err), -ENOSPC);
	T_STR_CONTAINS(ERRMSG(err), "huge.img: ");
	memset(many, 0, sizeof(many));
	T_EQ(mb_load(&g, k, ELF_SIZE, NULL, many, VIREO_MB_MAX_MODULES + 1, &info, &err), -E2BIG);
	/* Strings that overflow the information area. */
	memset(longname, 'm', sizeof(longname) - 1);
	for (i = 0; i < 3; i++)
		many[i] = (struct vireo_multiboot_module){ .name = "m", .data = big, .size = 1,
							   .cmdline = longname };
	T_EQ(mb_load(&g, k, ELF_SIZE, NULL, many, 3, &info, &err), -E2BIG);
	T_STR_CONTAINS(ERRMSG(err), "module command lines");
	tguest_fini(&g);
	free(k);
}

static void mb_header_search(void)
{
	uint8_t *p = calloc(1, 0x3000);

	/* Unaligned, then beyond 8 KiB: not found; at 8 KiB - 12: found. */
	put_mb_header(p, 0x102, 0);
	T_EQ(vireo_multiboot_find_header(p, 0x3000), -1);
	memset(p, 0, 0x3000);
	put_mb_header(p, 0x2000, 0);
	T_EQ(vireo_multiboot_find_header(p, 0x3000), -1);
	put_mb_header(p, 0x2000 - 12, 0);
	T_EQ(vireo_multiboot_find_header(p, 0x3000), 0x2000 - 12);
	/* The a.out fields must be inside the searched area too. */
	put_mb_header(p, 0x2000 - 12, VIREO_MB_AOUT_KLUDGE);
	T_EQ(vireo_multiboot_find_header(p, 0x3000), -1);
	/* Linux header wins over a Multiboot one. */
	put_mb_header(p, 0x100, 0);
	T_EQ(vireo_boot_detect(p, 0x3000), VIREO_IMAGE_MULTIBOOT);
	vireo_put_le32(p + VIREO_LINUX_HDRS_OFF, VIREO_LINUX_HDRS_MAGIC);
	T_EQ(vireo_boot_detect(p, 0x3000), VIREO_IMAGE_LINUX);
	free(p);
}

static void mb_hostile(void)
{
	struct vireo_multiboot_info info;
	g_autoptr(GError) err = NULL;
	uint64_t seed = 99;
	unsigned int iter, loaded = 0;
	struct tguest g;
	uint8_t *good = make_elf(), *bad = malloc(ELF_SIZE);
	size_t asize;
	uint8_t *aout = make_aout(&asize);

	T_EQ(tguest_init(&g, 8 * MIB, 0), 0);
	for (iter = 0; iter < 20000; iter++) {
		bool elf = iter & 1;
		size_t size = elf ? ELF_SIZE : asize, len = size;
		unsigned int n = 1 + trand(&seed) % 6, i;

		memcpy(bad, elf ? good : aout, size);
		for (i = 0; i < n; i++) {
			/* Headers: the ELF ones, or the a.out fields. */
			uint32_t where = elf ? trand(&seed) % 0x94 : 0x4c + trand(&seed) % 20;

			bad[where] = (uint8_t)trand(&seed);
		}
		if (trand(&seed) % 4 == 0)
			len = trand(&seed) % size;
		if (mb_load(&g, bad, len, NULL, NULL, 0, &info, &err) == 0) {
			loaded++;
			T_TRUE(info.kernel_start >= VIREO_ENTRY_PROT32_END &&
			       info.kernel_end <= g.l.low_end);
		} else {
			T_STR_CONTAINS(ERRMSG(err), "mbkernel: ");
		}
	}
	T_TRUE(loaded > 0 && loaded < 20000);
	tguest_fini(&g);
	free(good);
	free(bad);
	free(aout);
}

static const struct vireo_test tests[] = {
	VIREO_TEST(mb_elf),
	VIREO_TEST(mb_aout),
	VIREO_TEST(mb_refuses),
	VIREO_TEST(mb_low_segments),
	VIREO_TEST(mb_module_list),
	VIREO_TEST(mb_module_limits),
	VIREO_TEST(mb_header_search),
	VIREO_TEST(mb_hostile),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(boot_multiboot, tests);
