// SPDX-License-Identifier: GPL-2.0
/*
 * Linux x86 boot protocol loader (contract in linux.h).  Facts from
 * Documentation/arch/x86/boot.rst ("Loading the rest of the kernel", "The
 * 64-bit boot protocol", the field descriptions) and zero-page.rst.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vireo/paging.h>

#include <vireo/error.h>

#include "boot/image.h"
#include "boot/linux.h"

#define PAGE_4K		0x1000ULL

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

int vireo_linux_parse(const char *name, const void *image, size_t size,
		      struct vireo_linux_header *h, GError **error)
{
	const uint8_t *p = image;
	size_t need, setup_sects;
	uint64_t syssize;

	memset(h, 0, sizeof(*h));
	if (size < VIREO_LINUX_HDRS_OFF + 4 ||
	    vireo_le32(p + VIREO_LINUX_HDRS_OFF) != VIREO_LINUX_HDRS_MAGIC) {
		return vireo_error_set(error, ENOEXEC,
				       "%s: not a Linux kernel image (no \"HdrS\" at 0x202)", name);
	}
	h->version = vireo_le16(p + VIREO_LINUX_VERSION);
	if (h->version < VIREO_LINUX_MIN_VERSION)
		return vireo_error_set(error, ENOEXEC,
				       "%s: boot protocol %u.%02u is older than 2.06, the oldest Vireo loads",
				       name, h->version >> 8, h->version & 0xff);
	if (vireo_le16(p + VIREO_LINUX_BOOT_FLAG) != 0xaa55)
		return vireo_error_set(error, ENOEXEC, "%s: boot_flag at 0x1fe is not 0xaa55",
				       name);
	h->header_end = 0x202 + (size_t)p[VIREO_LINUX_JUMP + 1];
	/* The fields this loader reads for the image's protocol version. */
	need = h->version >= 0x020a ? VIREO_LINUX_INIT_SIZE + 4 : VIREO_LINUX_CMDLINE_SIZE + 4;
	if (h->header_end < need)
		return vireo_error_set(error, ENOEXEC,
				       "%s: setup header ends at %#zx, before the fields of protocol %u.%02u",
				       name, h->header_end, h->version >> 8, h->version & 0xff);
	if (size < h->header_end)
		return vireo_error_set(error, ENOEXEC,
				       "%s: truncated: %zu bytes, the setup header ends at %#zx",
				       name, size, h->header_end);

	h->loadflags = p[VIREO_LINUX_LOADFLAGS];
	if (!(h->loadflags & VIREO_LINUX_LOADED_HIGH))
		return vireo_error_set(error, ENOEXEC,
				       "%s: a zImage (LOADED_HIGH clear): only bzImages load",
				       name);
	setup_sects = p[VIREO_LINUX_SETUP_SECTS] ? p[VIREO_LINUX_SETUP_SECTS] : 4;
	h->kernel_offset = (setup_sects + 1) * 512;
	if (h->kernel_offset >= size)
		return vireo_error_set(error, ENOEXEC,
				       "%s: truncated: %zu bytes, the protected-mode kernel starts at %#zx",
				       name, size, h->kernel_offset);
	/*
	 * syssize counts 16-byte paragraphs; builds round it up past the end
	 * of the file by less than one paragraph (memtest86+ does).
	 */
	syssize = (uint64_t)vireo_le32(p + VIREO_LINUX_SYSSIZE) * 16;
	h->kernel_size = size - h->kernel_offset;
	if (syssize == 0 || syssize >= (uint64_t)h->kernel_size + 16)
		return vireo_error_set(error, ENOEXEC,
				       "%s: truncated or corrupt: syssize says %#llx bytes of kernel, the file has %#zx",
				       name, (unsigned long long)syssize, h->kernel_size);
	if (syssize < h->kernel_size)
		h->kernel_size = syssize;

	h->relocatable = p[VIREO_LINUX_RELOCATABLE] != 0;
	h->kernel_alignment = vireo_le32(p + VIREO_LINUX_KERNEL_ALIGNMENT);
	h->initrd_addr_max = vireo_le32(p + VIREO_LINUX_INITRD_ADDR_MAX);
	h->cmdline_size = vireo_le32(p + VIREO_LINUX_CMDLINE_SIZE);
	h->pref_address = VIREO_LAYOUT_HIGH_MEM;
	if (h->version >= 0x020a) {
		h->pref_address = vireo_le64(p + VIREO_LINUX_PREF_ADDRESS);
		h->init_size = vireo_le32(p + VIREO_LINUX_INIT_SIZE);
	}
	if (h->version >= 0x020c)
		h->xloadflags = vireo_le16(p + VIREO_LINUX_XLOADFLAGS);
	if (h->relocatable &&
	    (!is_pow2(h->kernel_alignment) || h->kernel_alignment > (1U << 30))) {
		return vireo_error_set(error, ENOEXEC,
				       "%s: kernel_alignment %#x is not a power of two up to 1 GiB",
				       name, h->kernel_alignment);
	}
	return 0;
}

/* [addr, addr + len) is low RAM above 1 MiB, without wrapping. */
static bool fits_high_low(const struct vireo_layout *l, uint64_t addr, uint64_t len)
{
	return addr >= VIREO_LAYOUT_HIGH_MEM && addr <= l->low_end && len <= l->low_end - addr;
}

static int place_kernel(const struct vireo_layout *l, const char *name,
			struct vireo_linux_info *info, GError **error)
{
	const struct vireo_linux_header *h = &info->hdr;
	uint64_t load, span;

	if (h->relocatable) {
		load = h->pref_address > VIREO_LAYOUT_HIGH_MEM ? h->pref_address
							       : VIREO_LAYOUT_HIGH_MEM;
		/* pref_address is a u64 from the file: keep clear of wrapping. */
		if (load > (1ULL << 46))
			return vireo_error_set(error, ENOEXEC, "%s: pref_address %#llx is absurd",
					       name, (unsigned long long)h->pref_address);
		load = align_up(load, h->kernel_alignment);
	} else {
		load = h->pref_address;
	}
	span = h->init_size > h->kernel_size ? h->init_size : h->kernel_size;
	if (!fits_high_low(l, load, span))
		return vireo_error_set(error, ENOSPC,
				       "%s: needs RAM at [%#llx, %#llx) (load address and init_size) but guest RAM below the PCI hole is [1 MiB, %#llx)",
				       name, (unsigned long long)load,
				       (unsigned long long)(load + span),
				       (unsigned long long)l->low_end);
	info->load_addr = load;
	info->kernel_end = load + span;
	return 0;
}

static int place_initrd(const struct vireo_layout *l, const struct vireo_linux_config *cfg,
			struct vireo_linux_info *info, GError **error)
{
	const char *name = cfg->initrd_name ? cfg->initrd_name : "initrd";
	uint64_t top = l->low_end, floor = align_up(info->kernel_end, PAGE_4K);
	uint64_t max_end = (uint64_t)info->hdr.initrd_addr_max + 1;	/* inclusive field */
	uint64_t size = cfg->initrd_size;

	/* low_end is below the hole, so the initrd stays below 4 GiB. */
	if (max_end < top)
		top = max_end;
	top &= ~(PAGE_4K - 1);
	if (size > top || ((top - size) & ~(PAGE_4K - 1)) < floor)
		return vireo_error_set(error, ENOSPC,
				       "%s: %llu bytes do not fit between the kernel's end %#llx and %#llx (the lower of RAM below the PCI hole and initrd_addr_max); give the guest more memory",
				       name, (unsigned long long)size, (unsigned long long)floor,
				       (unsigned long long)top);
	info->initrd_addr = (top - size) & ~(PAGE_4K - 1);
	info->initrd_size = size;
	return 0;
}

static void build_zero_page(uint8_t *bp, const struct vireo_layout *l, const uint8_t *image,
			    const struct vireo_linux_config *cfg, const struct vireo_linux_info *info)
{
	const struct vireo_linux_header *h = &info->hdr;
	size_t hdr_end = h->header_end < VIREO_BP_HDR_LIMIT ? h->header_end : VIREO_BP_HDR_LIMIT;
	unsigned int i, n;

	memset(bp, 0, VIREO_BP_SIZE);
	/* The 64-bit protocol: copy the setup header, then fill it in. */
	memcpy(bp + VIREO_LINUX_SETUP_SECTS, image + VIREO_LINUX_SETUP_SECTS,
	       hdr_end - VIREO_LINUX_SETUP_SECTS);

	bp[VIREO_LINUX_TYPE_OF_LOADER] = VIREO_LINUX_LOADER_UNDEFINED;
	bp[VIREO_LINUX_LOADFLAGS] = h->loadflags | VIREO_LINUX_CAN_USE_HEAP;
	vireo_put_le16(bp + VIREO_LINUX_HEAP_END_PTR, VIREO_LINUX_HEAP_END);
	vireo_put_le32(bp + VIREO_LINUX_CODE32_START, (uint32_t)info->load_addr);
	vireo_put_le32(bp + VIREO_LINUX_CMD_LINE_PTR, (uint32_t)info->cmdline_addr);
	vireo_put_le32(bp + VIREO_BP_EXT_CMD_LINE_PTR, (uint32_t)(info->cmdline_addr >> 32));
	vireo_put_le32(bp + VIREO_LINUX_RAMDISK_IMAGE, (uint32_t)info->initrd_addr);
	vireo_put_le32(bp + VIREO_LINUX_RAMDISK_SIZE, (uint32_t)info->initrd_size);
	vireo_put_le32(bp + VIREO_BP_EXT_RAMDISK_IMAGE, (uint32_t)(info->initrd_addr >> 32));
	vireo_put_le32(bp + VIREO_BP_EXT_RAMDISK_SIZE, (uint32_t)(info->initrd_size >> 32));
	if (h->version >= 0x0207)
		vireo_put_le32(bp + VIREO_LINUX_HARDWARE_SUBARCH, 0);	/* a PC */
	if (h->version >= 0x0209)
		vireo_put_le64(bp + VIREO_LINUX_SETUP_DATA, 0);
	if (h->version >= VIREO_LINUX_RSDP_VERSION && cfg->acpi_rsdp)
		vireo_put_le64(bp + VIREO_BP_ACPI_RSDP_ADDR, cfg->acpi_rsdp);

	/* KiB above 1 MiB, for kernels that look before the e820 table. */
	vireo_put_le32(bp + VIREO_BP_ALT_MEM_K,
		       (uint32_t)((l->low_end - VIREO_LAYOUT_HIGH_MEM) >> 10));
	n = l->nr_e820 < VIREO_BP_E820_MAX ? l->nr_e820 : VIREO_BP_E820_MAX;
	for (i = 0; i < n; i++) {
		uint8_t *e = bp + VIREO_BP_E820_TABLE + 20 * i;

		vireo_put_le64(e, l->e820[i].addr);
		vireo_put_le64(e + 8, l->e820[i].size);
		vireo_put_le32(e + 16, l->e820[i].type);
	}
	bp[VIREO_BP_E820_ENTRIES] = (uint8_t)n;
}

int vireo_linux_load(const struct vireo_layout *l, const struct vireo_mem *mem,
		     const struct vireo_linux_config *cfg, struct vireo_linux_info *info,
		     GError **error)
{
	const char *name = cfg->kernel_name ? cfg->kernel_name : "kernel";
	const char *cmdline = cfg->cmdline ? cfg->cmdline : "";
	const uint8_t *image = cfg->kernel;
	size_t cmdline_len = strlen(cmdline);
	uint8_t *bp = NULL;
	int ret;

	memset(info, 0, sizeof(*info));
	ret = vireo_linux_parse(name, cfg->kernel, cfg->kernel_size, &info->hdr, error);
	if (ret)
		return ret;
	if (cmdline_len > info->hdr.cmdline_size || cmdline_len >= VIREO_LAYOUT_CMDLINE_MAX)
		return vireo_error_set(error, E2BIG,
				       "%s: the command line is %zu bytes; this kernel takes at most %u (and Vireo %llu)",
				       name, cmdline_len, info->hdr.cmdline_size,
				       VIREO_LAYOUT_CMDLINE_MAX - 1);
	ret = place_kernel(l, name, info, error);
	if (ret)
		return ret;
	if (cfg->initrd_size) {
		ret = place_initrd(l, cfg, info, error);
		if (ret)
			return ret;
	}
	info->zero_page = VIREO_LAYOUT_ZERO_PAGE;
	info->cmdline_addr = VIREO_LAYOUT_CMDLINE;

	bp = malloc(VIREO_BP_SIZE);
	if (!bp)
		return vireo_error_set(error, ENOMEM, "%s: no memory for the zero page", name);
	build_zero_page(bp, l, image, cfg, info);

	ret = -EFAULT;
	if (vireo_boot_write(mem, info->load_addr, image + info->hdr.kernel_offset,
			     info->hdr.kernel_size)) {
		vireo_error_set(error, ret, "%s: cannot write the kernel to guest RAM at %#llx",
				name, (unsigned long long)info->load_addr);
		goto out;
	}
	if (cfg->initrd_size &&
	    vireo_boot_write(mem, info->initrd_addr, cfg->initrd, cfg->initrd_size)) {
		vireo_error_set(error, ret, "%s: cannot write the initrd to guest RAM at %#llx",
				cfg->initrd_name ? cfg->initrd_name : "initrd",
				(unsigned long long)info->initrd_addr);
		goto out;
	}
	if (vireo_boot_write(mem, info->cmdline_addr, cmdline, cmdline_len + 1) ||
	    vireo_boot_write(mem, info->zero_page, bp, VIREO_BP_SIZE)) {
		vireo_error_set(error, ret,
				"%s: cannot write the zero page or command line to guest RAM",
				name);
		goto out;
	}

	if (info->hdr.xloadflags & VIREO_LINUX_XLF_KERNEL_64) {
		info->entry.mode = VIREO_ENTRY_LONG64;
		info->entry.rip = info->load_addr + VIREO_LINUX_ENTRY64_OFFSET;
	} else {
		info->entry.mode = VIREO_ENTRY_PROT32;
		info->entry.rip = info->load_addr;
	}
	info->entry.rsi = info->zero_page;
	ret = 0;
out:
	free(bp);
	return ret;
}
