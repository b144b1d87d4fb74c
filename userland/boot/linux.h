/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Linux x86 boot protocol (Documentation/arch/x86/boot.rst and
 * zero-page.rst): load a bzImage's protected-mode kernel, an initrd and a
 * command line into guest RAM, build the zero page (struct boot_params) and
 * say how to enter the kernel.
 *
 * Protocol 2.06 or later is required (kernel 2.6.22, 2007): it gives the
 * command-line size limit and the relocatable fields this loader relies on.
 *
 * Where things go (layout.h):
 *   zero page      VIREO_LAYOUT_ZERO_PAGE (0x10000)
 *   command line   VIREO_LAYOUT_CMDLINE (0x20000), at most the kernel's
 *                  cmdline_size and 64 KiB
 *   kernel         non-relocatable: its pref_address (2.10+) or 1 MiB;
 *                  relocatable: pref_address (at least 1 MiB) rounded up to
 *                  kernel_alignment.  [load, load + max(init_size, image))
 *                  must be RAM below the hole: that is where the kernel
 *                  decompresses itself.
 *   initrd         page aligned, as high as it goes below the hole, below
 *                  4 GiB and ending at or below initrd_addr_max, above the
 *                  kernel's init_size region
 *
 * Entry (struct vireo_boot_entry, then vireo_boot_entry_setup()):
 *   XLF_KERNEL_64 (2.12+): 64-bit protocol, long mode with the identity map,
 *                  RIP = load address + 0x200, RSI = zero page
 *   otherwise:     32-bit protocol, flat protected mode,
 *                  EIP = load address, ESI = zero page
 * with CS = __BOOT_CS (0x10), DS/ES/SS = __BOOT_DS (0x18), interrupts off,
 * RBP = RDI = RBX = 0, as the protocol asks.
 */
#ifndef VIREO_BOOT_LINUX_H
#define VIREO_BOOT_LINUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/entry.h"
#include "boot/layout.h"

/* Setup header (offsets in the file and in boot_params alike). */
#define VIREO_LINUX_SETUP_SECTS		0x1f1
#define VIREO_LINUX_SYSSIZE		0x1f4
#define VIREO_LINUX_BOOT_FLAG		0x1fe	/* 0xaa55 */
#define VIREO_LINUX_JUMP		0x200	/* header end = 0x202 + byte at 0x201 */
#define VIREO_LINUX_HDRS_OFF		0x202
#define VIREO_LINUX_HDRS_MAGIC		0x53726448U	/* "HdrS" */
#define VIREO_LINUX_VERSION		0x206
#define VIREO_LINUX_TYPE_OF_LOADER	0x210
#define VIREO_LINUX_LOADFLAGS		0x211
#define VIREO_LINUX_CODE32_START	0x214
#define VIREO_LINUX_RAMDISK_IMAGE	0x218
#define VIREO_LINUX_RAMDISK_SIZE	0x21c
#define VIREO_LINUX_HEAP_END_PTR	0x224
#define VIREO_LINUX_CMD_LINE_PTR	0x228
#define VIREO_LINUX_INITRD_ADDR_MAX	0x22c
#define VIREO_LINUX_KERNEL_ALIGNMENT	0x230
#define VIREO_LINUX_RELOCATABLE		0x234
#define VIREO_LINUX_XLOADFLAGS		0x236
#define VIREO_LINUX_CMDLINE_SIZE	0x238
#define VIREO_LINUX_HARDWARE_SUBARCH	0x23c
#define VIREO_LINUX_SETUP_DATA		0x250
#define VIREO_LINUX_PREF_ADDRESS	0x258
#define VIREO_LINUX_INIT_SIZE		0x260

/* boot_params fields outside the setup header. */
#define VIREO_BP_ACPI_RSDP_ADDR		0x070
#define VIREO_BP_EXT_RAMDISK_IMAGE	0x0c0
#define VIREO_BP_EXT_RAMDISK_SIZE	0x0c4
#define VIREO_BP_EXT_CMD_LINE_PTR	0x0c8
#define VIREO_BP_ALT_MEM_K		0x1e0
#define VIREO_BP_E820_ENTRIES		0x1e8
#define VIREO_BP_HDR_LIMIT		0x290	/* edd_mbr_sig_buffer follows the header */
#define VIREO_BP_E820_TABLE		0x2d0
#define VIREO_BP_E820_MAX		128
#define VIREO_BP_SIZE			0x1000

#define VIREO_LINUX_LOADED_HIGH		(1U << 0)
#define VIREO_LINUX_CAN_USE_HEAP	(1U << 7)
#define VIREO_LINUX_XLF_KERNEL_64	(1U << 0)
#define VIREO_LINUX_LOADER_UNDEFINED	0xff
#define VIREO_LINUX_HEAP_END		0xde00	/* 0xe000 - 0x200, boot.rst's advice */
#define VIREO_LINUX_ENTRY64_OFFSET	0x200

#define VIREO_LINUX_MIN_VERSION		0x0206
#define VIREO_LINUX_RSDP_VERSION	0x020e	/* acpi_rsdp_addr: 2.14 */

/* What vireo_linux_parse() found in the setup header. */
struct vireo_linux_header {
	uint16_t version;		/* 0x020f is 2.15 */
	uint8_t loadflags;
	uint16_t xloadflags;		/* 0 before 2.12 */
	bool relocatable;
	uint32_t kernel_alignment;
	uint64_t pref_address;		/* 1 MiB before 2.10 */
	uint32_t init_size;		/* 0 before 2.10 */
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;		/* longest command line, NUL excluded */
	size_t header_end;		/* 0x202 + byte at 0x201 */
	size_t kernel_offset;		/* protected-mode code in the file ... */
	size_t kernel_size;		/* ... and its length */
};

/*
 * Check image (size bytes; name is for messages) and fill h.  0, or
 * -EINVAL/-ENOEXEC with "name: problem".
 */
int vireo_linux_parse(const char *name, const void *image, size_t size,
		      struct vireo_linux_header *h, GError **error);

struct vireo_linux_config {
	const char *kernel_name;	/* for messages */
	const void *kernel;
	size_t kernel_size;
	const char *initrd_name;	/* NULL/0 size: no initrd */
	const void *initrd;
	size_t initrd_size;
	const char *cmdline;		/* NULL: empty */
	uint64_t acpi_rsdp;		/* 0: none (the kernel scans 0xe0000) */
};

/* Where the loader put things. */
struct vireo_linux_info {
	struct vireo_linux_header hdr;
	uint64_t load_addr;
	uint64_t kernel_end;		/* load + max(init_size, kernel_size) */
	uint64_t initrd_addr, initrd_size;
	uint64_t zero_page;
	uint64_t cmdline_addr;
	struct vireo_boot_entry entry;
};

/*
 * Load everything into guest memory as layout l describes and fill info.
 * 0 or -errno with a message naming the file and the problem.
 */
int vireo_linux_load(const struct vireo_layout *l, const struct vireo_mem *mem,
		     const struct vireo_linux_config *cfg, struct vireo_linux_info *info,
		     GError **error);

#endif /* VIREO_BOOT_LINUX_H */
