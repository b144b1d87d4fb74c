// SPDX-License-Identifier: GPL-2.0
/*
 * Multiboot v1 loader (contract in multiboot.h).  The kernel is checked
 * whole before anything is written: a bad segment fails the load with
 * guest RAM untouched.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vireo/paging.h>

#include <vireo/error.h>

#include "boot/image.h"
#include "boot/multiboot.h"

#define PAGE_4K		0x1000ULL

/* ELF32 (System V ABI, Intel386 supplement) */
#define ELF_EHDR_SIZE	52
#define ELF_PHDR_SIZE	32
#define ELF_E_TYPE	16
#define ELF_E_MACHINE	18
#define ELF_E_ENTRY	24
#define ELF_E_PHOFF	28
#define ELF_E_PHENTSIZE	42
#define ELF_E_PHNUM	44
#define ELF_ET_EXEC	2
#define ELF_EM_386	3
#define ELF_PT_LOAD	1

/* One range to copy into the guest: file bytes, then zeros. */
struct mb_segment {
	uint64_t paddr;
	uint64_t offset;
	uint64_t filesz;
	uint64_t memsz;
};

struct mb_kernel {
	struct mb_segment seg[64];
	unsigned int nr;
	uint64_t entry;
};

long vireo_multiboot_find_header(const void *image, size_t size)
{
	const uint8_t *p = image;
	size_t limit = size < VIREO_MB_SEARCH ? size : VIREO_MB_SEARCH;
	size_t off;

	for (off = 0; off + 12 <= limit; off += 4) {
		uint32_t magic = vireo_le32(p + off), flags = vireo_le32(p + off + 4);

		if (magic != VIREO_MB_HEADER_MAGIC)
			continue;
		if ((uint32_t)(magic + flags + vireo_le32(p + off + 8)) != 0)
			continue;
		if ((flags & VIREO_MB_AOUT_KLUDGE) && off + 32 > limit)
			continue;
		return (long)off;
	}
	return -1;
}

#define INFO_AREA_SIZE	(VIREO_LAYOUT_INFO_END - VIREO_LAYOUT_ZERO_PAGE)

/* [addr, addr + len) is RAM below the hole (a 32-bit address), no wrap. */
static bool fits(const struct vireo_layout *l, uint64_t addr, uint64_t len)
{
	return addr <= l->low_end && len <= l->low_end - addr;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/*
 * Low memory a kernel may not be loaded over, as GRUB refuses its own
 * structures: what the monitor writes there besides the loader's
 * information (which moves out of the kernel's way).
 */
static const struct {
	uint64_t start, end;
	const char *what;
} reserved[] = {
	{ 0, VIREO_ENTRY_PROT32_END,
	  "the interrupt vector table, BIOS data area, boot stack and GDT" },
	{ VIREO_LAYOUT_EBDA, VIREO_LAYOUT_HIGH_MEM,
	  "the EBDA, VGA window and BIOS area (ACPI tables)" },
};

/* Where the information area and the command line go. */
struct mb_place {
	uint64_t info;
	uint64_t cmdline;
	size_t cmdline_len;	/* with the NUL */
};

static bool place_clear_of(const struct mb_kernel *k, uint64_t info, uint64_t cmdline,
			   size_t cmdline_len)
{
	unsigned int i;

	for (i = 0; i < k->nr; i++)
		if (overlaps(k->seg[i].paddr, k->seg[i].memsz, info, INFO_AREA_SIZE) ||
		    overlaps(k->seg[i].paddr, k->seg[i].memsz, cmdline, cmdline_len))
			return false;
	return true;
}

static bool entry_inside(const struct mb_kernel *k, uint64_t entry)
{
	unsigned int i;

	for (i = 0; i < k->nr; i++) {
		if (entry >= k->seg[i].paddr && entry - k->seg[i].paddr < k->seg[i].filesz)
			return true;
	}
	return false;
}

int vireo_multiboot_parse_modules(char *s, struct vireo_multiboot_module_arg *m,
				  unsigned int max)
{
	unsigned int n = 0;
	char *out = s;

	for (;;) {
		char *start = out;
		bool last;

		/* Copy the field down over the ",," escapes it had. */
		while (*s && !(*s == ',' && s[1] != ',')) {
			if (*s == ',')
				s++;		/* ",," is one comma */
			*out++ = *s++;
		}
		last = !*s;
		*out++ = 0;
		s++;
		if (n == max)
			return -E2BIG;
		m[n].string = start;
		m[n].path_len = strcspn(start, " ");
		if (!m[n].path_len)
			return -EINVAL;
		n++;
		if (last)
			return (int)n;
	}
}

static int parse_aout(const char *name, const uint8_t *p, size_t size, size_t hoff,
		      struct mb_kernel *k, GError **error)
{
	uint32_t header_addr = vireo_le32(p + hoff + 12), load_addr = vireo_le32(p + hoff + 16);
	uint32_t load_end = vireo_le32(p + hoff + 20), bss_end = vireo_le32(p + hoff + 24);
	struct mb_segment *s = &k->seg[0];

	if (load_addr > header_addr || header_addr - load_addr > hoff)
		return vireo_error_set(error, ENOEXEC,
				       "%s: a.out kludge: load_addr %#x and header_addr %#x do not match the header's file offset %#zx",
				       name, load_addr, header_addr, hoff);
	s->paddr = load_addr;
	s->offset = hoff - (header_addr - load_addr);
	if (load_end == 0) {
		s->filesz = size - s->offset;
	} else if (load_end < load_addr || load_end - load_addr > size - s->offset) {
		return vireo_error_set(error, ENOEXEC,
				       "%s: a.out kludge: load_end_addr %#x is before load_addr %#x or past the end of the file",
				       name, load_end, load_addr);
	} else {
		s->filesz = load_end - load_addr;
	}
	s->memsz = s->filesz;
	if (bss_end) {
		if (bss_end < load_addr + s->filesz)
			return vireo_error_set(error, ENOEXEC,
					       "%s: a.out kludge: bss_end_addr %#x is inside the loaded image",
					       name, bss_end);
		s->memsz = bss_end - load_addr;
	}
	k->nr = 1;
	k->entry = vireo_le32(p + hoff + 28);
	return 0;
}

static int parse_elf(const char *name, const uint8_t *p, size_t size, struct mb_kernel *k,
		     GError **error)
{
	uint64_t phoff, entry;
	unsigned int i, phnum;

	if (size < ELF_EHDR_SIZE || memcmp(p, "\177ELF", 4))
		return vireo_error_set(error, ENOEXEC,
				       "%s: Multiboot header without the a.out kludge, and not an ELF file",
				       name);
	if (p[4] != 1 || p[5] != 1 || vireo_le16(p + ELF_E_MACHINE) != ELF_EM_386 ||
	    vireo_le16(p + ELF_E_TYPE) != ELF_ET_EXEC) {
		return vireo_error_set(error, ENOEXEC,
				       "%s: not a little-endian 32-bit i386 ELF executable (Multiboot v1 loads only those)",
				       name);
	}
	phoff = vireo_le32(p + ELF_E_PHOFF);
	phnum = vireo_le16(p + ELF_E_PHNUM);
	if (vireo_le16(p + ELF_E_PHENTSIZE) != ELF_PHDR_SIZE || phoff > size ||
	    (uint64_t)phnum * ELF_PHDR_SIZE > size - phoff) {
		return vireo_error_set(error, ENOEXEC,
				       "%s: ELF program headers (%u at %#llx) are malformed or past the end of the file",
				       name, phnum, (unsigned long long)phoff);
	}

	entry = vireo_le32(p + ELF_E_ENTRY);
	k->nr = 0;
	k->entry = entry;
	for (i = 0; i < phnum; i++) {
		const uint8_t *ph = p + phoff + (uint64_t)i * ELF_PHDR_SIZE;
		uint64_t off = vireo_le32(ph + 4), vaddr = vireo_le32(ph + 8);
		uint64_t paddr = vireo_le32(ph + 12), filesz = vireo_le32(ph + 16);
		uint64_t memsz = vireo_le32(ph + 20);
		struct mb_segment *s;

		if (vireo_le32(ph) != ELF_PT_LOAD || memsz == 0)
			continue;
		if (filesz > memsz || off > size || filesz > size - off)
			return vireo_error_set(error, ENOEXEC,
					       "%s: ELF segment %u: file range [%#llx, +%#llx) is past the end of the file or larger than its memory size",
					       name, i, (unsigned long long)off,
					       (unsigned long long)filesz);
		if (k->nr == sizeof(k->seg) / sizeof(k->seg[0]))
			return vireo_error_set(error, ENOEXEC,
					       "%s: more than %zu loadable ELF segments", name,
					       sizeof(k->seg) / sizeof(k->seg[0]));
		s = &k->seg[k->nr++];
		*s = (struct mb_segment){ paddr, off, filesz, memsz };
		/* e_entry is virtual; the kernel runs with paging off. */
		if (entry >= vaddr && entry - vaddr < memsz)
			k->entry = paddr + (entry - vaddr);
	}
	if (k->nr == 0)
		return vireo_error_set(error, ENOEXEC, "%s: no loadable ELF segment", name);
	return 0;
}

/* Appends a NUL-terminated string to the information area's strings. */
static uint64_t put_string(uint8_t *area, uint64_t base, size_t *used, const char *s)
{
	size_t n = strlen(s) + 1;
	uint64_t at;

	if (n > INFO_AREA_SIZE - *used)
		return 0;
	at = base + *used;
	memcpy(area + *used, s, n);
	*used += n;
	return at;
}

static int build_info(const struct vireo_layout *l, const struct vireo_multiboot_config *cfg,
		      const struct mb_place *at, struct vireo_multiboot_info *info, uint8_t *area,
		      GError **error)
{
	const char *name = cfg->kernel_name ? cfg->kernel_name : "kernel";
	size_t used = VIREO_MBI_STRINGS_OFF;
	uint64_t loader;
	unsigned int i;
	uint8_t *m = area;

	vireo_put_le32(m + VIREO_MBI_FLAGS, VIREO_MBI_MEM | VIREO_MBI_CMDLINE | VIREO_MBI_MODS |
						   VIREO_MBI_MMAP | VIREO_MBI_LOADER_NAME);
	vireo_put_le32(m + VIREO_MBI_MEM_LOWER, (uint32_t)(VIREO_LAYOUT_EBDA >> 10));
	/* KiB from 1 MiB to the first hole, the 32-bit field's reach. */
	vireo_put_le32(m + VIREO_MBI_MEM_UPPER,
		       (uint32_t)((l->low_end - VIREO_LAYOUT_HIGH_MEM) >> 10));
	vireo_put_le32(m + VIREO_MBI_CMDLINE_PTR, (uint32_t)at->cmdline);
	vireo_put_le32(m + VIREO_MBI_MODS_COUNT, cfg->nr_modules);
	vireo_put_le32(m + VIREO_MBI_MODS_ADDR, (uint32_t)(at->info + VIREO_MBI_MODS_OFF));
	vireo_put_le32(m + VIREO_MBI_MMAP_LENGTH, 24 * l->nr_e820);
	vireo_put_le32(m + VIREO_MBI_MMAP_ADDR, (uint32_t)(at->info + VIREO_MBI_MMAP_OFF));
	loader = put_string(area, at->info, &used, VIREO_MB_LOADER_NAME);
	vireo_put_le32(m + VIREO_MBI_LOADER_NAME_PTR, (uint32_t)loader);

	/* size (of the rest: 20), base, length, type; size is at -4. */
	for (i = 0; i < l->nr_e820; i++) {
		uint8_t *e = area + VIREO_MBI_MMAP_OFF + 24 * i;

		vireo_put_le32(e, 20);
		vireo_put_le64(e + 4, l->e820[i].addr);
		vireo_put_le64(e + 12, l->e820[i].size);
		vireo_put_le32(e + 20, l->e820[i].type);
	}

	for (i = 0; i < cfg->nr_modules; i++) {
		const struct vireo_multiboot_module *mod = &cfg->modules[i];
		const char *s = mod->cmdline ? mod->cmdline : (mod->name ? mod->name : "");
		uint8_t *e = area + VIREO_MBI_MODS_OFF + 16 * i;
		uint64_t str = put_string(area, at->info, &used, s);

		if (!str)
			return vireo_error_set(error, E2BIG,
					       "%s: module command lines exceed the %llu bytes of the information area",
					       name, INFO_AREA_SIZE - VIREO_MBI_STRINGS_OFF);
		vireo_put_le32(e, (uint32_t)info->mod_addr[i]);
		vireo_put_le32(e + 4, (uint32_t)(info->mod_addr[i] + mod->size));
		vireo_put_le32(e + 8, (uint32_t)str);
	}
	return 0;
}

/*
 * Modules one after the other from the first page at or above 1 MiB
 * after the kernel; the information area and the command line at their
 * usual low addresses, or after the modules when the kernel is there.
 */
static int place_modules(const struct vireo_layout *l, const struct vireo_multiboot_config *cfg,
			 const struct mb_kernel *k, struct mb_place *place,
			 struct vireo_multiboot_info *info, GError **error)
{
	uint64_t at = (info->kernel_end + PAGE_4K - 1) & ~(PAGE_4K - 1);
	unsigned int i;

	if (at < VIREO_LAYOUT_HIGH_MEM)
		at = VIREO_LAYOUT_HIGH_MEM;
	if (cfg->nr_modules > VIREO_MB_MAX_MODULES)
		return vireo_error_set(error, E2BIG, "%s: %u modules: at most %zu",
				       cfg->kernel_name, cfg->nr_modules,
				       (size_t)VIREO_MB_MAX_MODULES);
	for (i = 0; i < cfg->nr_modules; i++) {
		const struct vireo_multiboot_module *mod = &cfg->modules[i];

		if (!fits(l, at, mod->size))
			return vireo_error_set(error, ENOSPC,
					       "%s: %zu bytes do not fit in guest RAM after %#llx (RAM below the PCI hole ends at %#llx)",
					       mod->name ? mod->name : "module", mod->size,
					       (unsigned long long)at,
					       (unsigned long long)l->low_end);
		info->mod_addr[i] = at;
		at = (at + mod->size + PAGE_4K - 1) & ~(PAGE_4K - 1);
	}
	place->info = VIREO_LAYOUT_ZERO_PAGE;
	place->cmdline = VIREO_LAYOUT_CMDLINE;
	if (place_clear_of(k, place->info, place->cmdline, place->cmdline_len))
		return 0;
	place->info = at;
	place->cmdline = at + INFO_AREA_SIZE;
	if (!fits(l, at, INFO_AREA_SIZE + place->cmdline_len))
		return vireo_error_set(error, ENOSPC,
				       "%s: no room for the Multiboot information after %#llx (RAM below the PCI hole ends at %#llx)",
				       cfg->kernel_name, (unsigned long long)at,
				       (unsigned long long)l->low_end);
	return 0;
}

/*
 * The command line as GRUB and QEMU pass it: the kernel's file name, then
 * what the user gave.  NULL if out of memory.
 */
static char *full_cmdline(const char *name, const char *args)
{
	size_t n = strlen(name) + (args ? 1 + strlen(args) : 0) + 1;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s%s%s", name, args ? " " : "", args ? args : "");
	return s;
}

int vireo_multiboot_load(const struct vireo_layout *l, const struct vireo_mem *mem,
			 const struct vireo_multiboot_config *cfg,
			 struct vireo_multiboot_info *info, GError **error)
{
	const char *name = cfg->kernel_name ? cfg->kernel_name : "kernel";
	const uint8_t *p = cfg->kernel;
	struct mb_kernel *k = NULL;
	struct mb_place place;
	uint8_t *area = NULL;
	char *cmdline = NULL;
	unsigned int i, j;
	long hoff;
	int ret;

	memset(info, 0, sizeof(*info));
	hoff = vireo_multiboot_find_header(cfg->kernel, cfg->kernel_size);
	if (hoff < 0)
		return vireo_error_set(error, ENOEXEC, "%s: no Multiboot header in the first 8 KiB",
				       name);
	info->header_flags = vireo_le32(p + hoff + 4);
	if (info->header_flags & 0xffff & ~VIREO_MB_KNOWN_REQUIREMENTS)
		return vireo_error_set(error, ENOEXEC,
				       "%s: Multiboot header requires features %#x Vireo lacks",
				       name,
				       info->header_flags & 0xffff & ~VIREO_MB_KNOWN_REQUIREMENTS);

	k = calloc(1, sizeof(*k));
	area = calloc(1, INFO_AREA_SIZE);
	cmdline = full_cmdline(name, cfg->cmdline);
	if (!k || !area || !cmdline) {
		ret = vireo_error_set(error, ENOMEM, "%s: out of memory", name);
		goto out;
	}
	if (info->header_flags & VIREO_MB_AOUT_KLUDGE)
		ret = parse_aout(name, p, cfg->kernel_size, (size_t)hoff, k, error);
	else
		ret = parse_elf(name, p, cfg->kernel_size, k, error);
	if (ret)
		goto out;
	place.cmdline_len = strlen(cmdline) + 1;
	if (place.cmdline_len > VIREO_LAYOUT_CMDLINE_MAX) {
		ret = vireo_error_set(error, E2BIG,
				      "%s: the command line (the file name first) is longer than %llu bytes",
				      name, VIREO_LAYOUT_CMDLINE_MAX - 1);
		goto out;
	}

	ret = -ENOSPC;
	info->kernel_start = UINT64_MAX;
	for (i = 0; i < k->nr; i++) {
		const struct mb_segment *s = &k->seg[i];

		if (!fits(l, s->paddr, s->memsz)) {
			vireo_error_set(error, ret,
					"%s: segment [%#llx, %#llx) is not in guest RAM below %#llx",
					name, (unsigned long long)s->paddr,
					(unsigned long long)(s->paddr + s->memsz),
					(unsigned long long)l->low_end);
			goto out;
		}
		for (j = 0; j < sizeof(reserved) / sizeof(reserved[0]); j++) {
			if (!overlaps(s->paddr, s->memsz, reserved[j].start,
				      reserved[j].end - reserved[j].start))
				continue;
			vireo_error_set(error, ret,
					"%s: segment [%#llx, %#llx) would overwrite %s at [%#llx, %#llx)",
					name, (unsigned long long)s->paddr,
					(unsigned long long)(s->paddr + s->memsz), reserved[j].what,
					(unsigned long long)reserved[j].start,
					(unsigned long long)reserved[j].end);
			goto out;
		}
		if (s->paddr < info->kernel_start)
			info->kernel_start = s->paddr;
		if (s->paddr + s->memsz > info->kernel_end)
			info->kernel_end = s->paddr + s->memsz;
	}
	if (!entry_inside(k, k->entry)) {
		ret = vireo_error_set(error, ENOEXEC,
				      "%s: entry point %#llx is outside the loaded image", name,
				      (unsigned long long)k->entry);
		goto out;
	}
	ret = place_modules(l, cfg, k, &place, info, error);
	if (ret)
		goto out;
	ret = build_info(l, cfg, &place, info, area, error);
	if (ret)
		goto out;

	ret = -EFAULT;
	for (i = 0; i < k->nr; i++) {
		const struct mb_segment *s = &k->seg[i];

		if (vireo_boot_write(mem, s->paddr, p + s->offset, s->filesz) ||
		    vireo_boot_write(mem, s->paddr + s->filesz, NULL, s->memsz - s->filesz)) {
			vireo_error_set(error, ret, "%s: cannot write to guest RAM at %#llx", name,
					(unsigned long long)s->paddr);
			goto out;
		}
	}
	for (i = 0; i < cfg->nr_modules; i++) {
		const struct vireo_multiboot_module *mod = &cfg->modules[i];

		if (vireo_boot_write(mem, info->mod_addr[i], mod->data, mod->size)) {
			vireo_error_set(error, ret, "%s: cannot write to guest RAM at %#llx",
					mod->name ? mod->name : "module",
					(unsigned long long)info->mod_addr[i]);
			goto out;
		}
	}
	if (vireo_boot_write(mem, place.cmdline, cmdline, place.cmdline_len) ||
	    vireo_boot_write(mem, place.info, area, INFO_AREA_SIZE)) {
		vireo_error_set(error, ret,
				"%s: cannot write the information structure to guest RAM", name);
		goto out;
	}

	info->info_addr = place.info;
	info->entry.mode = VIREO_ENTRY_PROT32;
	info->entry.rip = k->entry;
	info->entry.rax = VIREO_MB_BOOT_MAGIC;
	info->entry.rbx = info->info_addr;
	ret = 0;
out:
	free(cmdline);
	free(area);
	free(k);
	return ret;
}
