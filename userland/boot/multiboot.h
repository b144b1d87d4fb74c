/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Multiboot v1 loader (the Multiboot Specification 0.6.96), for test
 * kernels: header in the first 8 KiB, ELF32 program headers or the a.out
 * kludge address fields, the information structure with memory sizes, the
 * memory map, the command line and modules.
 *
 * Where things go (layout.h), as GRUB and QEMU place them:
 *   kernel         where its PT_LOAD segments (physical addresses) or the
 *                  a.out fields say: anywhere in RAM below the hole, below
 *                  1 MiB too, except over what the monitor writes there
 *                  (refused, naming it): 0-0x11ff (IVT, BIOS data area,
 *                  boot stack, GDT and TSS: entry.h, bda.h) and
 *                  0x9fc00-0xfffff (EBDA, VGA window, BIOS area with the
 *                  ACPI tables)
 *   modules        page aligned, one after the other from the first page
 *                  after the kernel at or above 1 MiB
 *   information    VIREO_LAYOUT_ZERO_PAGE (0x10000): the structure, then the
 *                  memory map, module list and strings up to 0x20000
 *   command line   VIREO_LAYOUT_CMDLINE (0x20000), at most 64 KiB: the
 *                  kernel's file name, a space and the configured line
 *                  (GRUB's "multiboot FILE ARGS", QEMU's -kernel/-append)
 *   If the kernel covers the information area or the command line, both
 *   move to the pages after the modules (information, then 64 KiB later
 *   the command line).
 *
 * Header flags: bit 0 (page-aligned modules) is always honoured, bit 1
 * (memory information) always provided; bit 2 (video mode) is accepted but
 * no video information is given (info flags 11/12 stay clear: there is no
 * framebuffer); any other requirement bit (3-15) makes the load fail, as
 * the specification asks.
 *
 * Entry: flat 32-bit protected mode, paging off, interrupts off,
 * EAX = 0x2BADB002, EBX = the information structure.
 */
#ifndef VIREO_BOOT_MULTIBOOT_H
#define VIREO_BOOT_MULTIBOOT_H

#include <stddef.h>
#include <stdint.h>

#include "boot/entry.h"
#include "boot/layout.h"

#define VIREO_MB_HEADER_MAGIC		0x1badb002U
#define VIREO_MB_BOOT_MAGIC		0x2badb002U
#define VIREO_MB_SEARCH			8192

/* Header flags */
#define VIREO_MB_PAGE_ALIGN		(1U << 0)
#define VIREO_MB_MEMORY_INFO		(1U << 1)
#define VIREO_MB_VIDEO_MODE		(1U << 2)
#define VIREO_MB_AOUT_KLUDGE		(1U << 16)
#define VIREO_MB_KNOWN_REQUIREMENTS	0x7U

/* Information structure flags and offsets */
#define VIREO_MBI_MEM			(1U << 0)
#define VIREO_MBI_CMDLINE		(1U << 2)
#define VIREO_MBI_MODS			(1U << 3)
#define VIREO_MBI_MMAP			(1U << 6)
#define VIREO_MBI_LOADER_NAME		(1U << 9)

#define VIREO_MBI_FLAGS			0
#define VIREO_MBI_MEM_LOWER		4
#define VIREO_MBI_MEM_UPPER		8
#define VIREO_MBI_CMDLINE_PTR		16
#define VIREO_MBI_MODS_COUNT		20
#define VIREO_MBI_MODS_ADDR		24
#define VIREO_MBI_MMAP_LENGTH		44
#define VIREO_MBI_MMAP_ADDR		48
#define VIREO_MBI_LOADER_NAME_PTR	64
#define VIREO_MBI_SIZE			116

/* Offsets of the pieces inside the information area. */
#define VIREO_MBI_MMAP_OFF		0x100
#define VIREO_MBI_MODS_OFF		0x400
#define VIREO_MBI_STRINGS_OFF		0x1000
#define VIREO_MB_MAX_MODULES		((VIREO_MBI_STRINGS_OFF - VIREO_MBI_MODS_OFF) / 16)

#define VIREO_MB_LOADER_NAME		"Vireo"

/*
 * Offset of a valid header (magic, checksum, 4-byte aligned, wholly in the
 * first 8 KiB and the file), or -1.
 */
long vireo_multiboot_find_header(const void *image, size_t size);

struct vireo_multiboot_module {
	const char *name;	/* for messages */
	const void *data;
	size_t size;
	const char *cmdline;	/* the module's string; NULL: its name */
};

struct vireo_multiboot_config {
	const char *kernel_name;
	const void *kernel;
	size_t kernel_size;
	const char *cmdline;	/* after the kernel's name; NULL: the name alone */
	const struct vireo_multiboot_module *modules;
	unsigned int nr_modules;
};

struct vireo_multiboot_info {
	uint32_t header_flags;
	uint64_t kernel_start, kernel_end;	/* lowest and highest loaded byte + 1 */
	uint64_t info_addr;
	uint64_t mod_addr[VIREO_MB_MAX_MODULES];
	struct vireo_boot_entry entry;
};

/*
 * One module of a list written as QEMU's -initrd for Multiboot kernels:
 * "FILE[ ARGS][,FILE[ ARGS]]...", ",," for a comma inside one.  string is
 * the module's string as GRUB's "module FILE ARGS" gives it (the file
 * name first); the file name is its first path_len bytes.
 */
struct vireo_multiboot_module_arg {
	const char *string;
	size_t path_len;
};

/*
 * Split s (edited in place) into at most max modules: the count, or
 * -EINVAL for an empty file name, -E2BIG for more than max.
 */
int vireo_multiboot_parse_modules(char *s, struct vireo_multiboot_module_arg *m,
				  unsigned int max);

/*
 * Load the kernel and modules, build the information structure.  0 or
 * -errno with "file: problem".
 */
int vireo_multiboot_load(const struct vireo_layout *l, const struct vireo_mem *mem,
			 const struct vireo_multiboot_config *cfg,
			 struct vireo_multiboot_info *info, GError **error);

#endif /* VIREO_BOOT_MULTIBOOT_H */
