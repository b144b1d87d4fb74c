/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest-physical memory map of the Vireo PC, and what the monitor must
 * create for it: the RAM slots and the e820 map the loaders hand to the
 * guest.  Plain data and arithmetic; no /dev/vireo needed.
 *
 * The map (hole_start is a parameter, default 0xc0000000):
 *
 *   0x00000000-0x000004ff  RAM: real-mode IVT (zero) and BIOS data area
 *                          (as a BIOS leaves it: bda.h)
 *   0x00000500-0x00000fff  RAM: boot stack (entry RSP/ESP = 0x1000)
 *   0x00001000-0x00001fff  RAM: boot GDT           } built by entry.c;
 *   0x00002000-0x00007fff  RAM: boot page tables   } see entry.h
 *   0x00008000-0x0000ffff  RAM: not used by boot/ (vireo-run's --mode tables)
 *   0x00010000-0x0001ffff  RAM: Linux zero page / Multiboot information
 *   0x00020000-0x0002ffff  RAM: kernel command line (at most 64 KiB)
 *   0x00030000-0x0009fbff  RAM: free
 *   0x0009fc00-0x0009ffff  reserved: EBDA (its size word, else zero: bda.h)
 *   0x000a0000-0x000dffff  reserved: VGA window and option ROM area (no
 *                          device; RAM behind it, reported reserved)
 *   0x000e0000-0x000fffff  reserved: BIOS area; ACPI tables, RSDP at
 *                          0xe0000 where the legacy scan finds it
 *   0x00100000-low_end     RAM: kernel (1 MiB or its preferred address),
 *                          modules, initrd at the top
 *   low_end-hole_start     nothing (only when RAM is smaller than the hole)
 *   hole_start-0xdfffffff  PCI 32-bit MMIO window (BARs), not in e820
 *   0xe0000000-0xefffffff  reserved: PCIe ECAM, buses 0-255 (MCFG)
 *   0xf0000000-0xfebfffff  nothing
 *   0xfec00000-0xfec00fff  reserved: IOAPIC
 *   0xfee00000-0xfee00fff  reserved: local APIC (in the kernel)
 *   0x100000000-...        RAM: what did not fit below the hole
 *   after RAM, 1 GiB aligned: the optional PCI 64-bit MMIO window
 *
 * low_end = min(ram_size, hole_start).  ECAM sits at a fixed address inside
 * the hole (as on Intel chipsets, PCIEXBAR 0xe0000000), so hole_start may
 * move between 256 MiB and 0xd0000000 without moving any device: at least
 * 256 MiB of 32-bit MMIO window always remains below the ECAM.
 *
 * Slots: at most two, both carved from one host buffer of ram_size bytes:
 * [0, low_end) from offset 0 and [4 GiB, 4 GiB + ram_size - low_end) from
 * offset low_end.
 */
#ifndef VIREO_BOOT_LAYOUT_H
#define VIREO_BOOT_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* GLib's own declaration: device models include this without <glib.h> (vireo/error.h). */
typedef struct _GError GError;

#define VIREO_GIB			(1ULL << 30)
#define VIREO_4GIB			(4ULL << 30)

#define VIREO_LAYOUT_HOLE_DEFAULT	0xc0000000ULL
#define VIREO_LAYOUT_HOLE_ALIGN		0x10000000ULL	/* 256 MiB */
#define VIREO_LAYOUT_HOLE_MIN		0x10000000ULL
#define VIREO_LAYOUT_HOLE_MAX		0xd0000000ULL
#define VIREO_LAYOUT_MIN_RAM		(2ULL << 20)

/* Low memory the loaders and the ACPI builder use (see the map above). */
#define VIREO_LAYOUT_BOOT_STACK_TOP	0x1000ULL
#define VIREO_LAYOUT_BOOT_TABLES	0x1000ULL	/* GDT + page tables */
#define VIREO_LAYOUT_BOOT_TABLES_END	0x8000ULL
#define VIREO_LAYOUT_ZERO_PAGE		0x10000ULL	/* also Multiboot info */
#define VIREO_LAYOUT_INFO_END		0x20000ULL
#define VIREO_LAYOUT_CMDLINE		0x20000ULL
#define VIREO_LAYOUT_CMDLINE_MAX	0x10000ULL
#define VIREO_LAYOUT_EBDA		0x9fc00ULL
#define VIREO_LAYOUT_BIOS_END		0x100000ULL
#define VIREO_LAYOUT_ACPI_BASE		0xe0000ULL	/* RSDP first */
#define VIREO_LAYOUT_ACPI_END		0x100000ULL
#define VIREO_LAYOUT_HIGH_MEM		0x100000ULL	/* 1 MiB */

/* Fixed devices inside the hole. */
#define VIREO_LAYOUT_ECAM_BASE		0xe0000000ULL
#define VIREO_LAYOUT_ECAM_SIZE		0x10000000ULL	/* 256 buses x 1 MiB */
#define VIREO_LAYOUT_IOAPIC_BASE	0xfec00000ULL
#define VIREO_LAYOUT_LAPIC_BASE		0xfee00000ULL
#define VIREO_LAYOUT_APIC_PAGE		0x1000ULL

/* e820 types (ACPI 6.x 15.1, the values the BIOS call and Linux use). */
#define VIREO_E820_RAM			1
#define VIREO_E820_RESERVED		2
#define VIREO_E820_ACPI			3
#define VIREO_E820_NVS			4
#define VIREO_E820_MAX			16

struct vireo_e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;		/* VIREO_E820_* */
};

/* One RAM slot: guest range and where it is in the single host buffer. */
struct vireo_ram_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t offset;	/* into the ram_size-byte host buffer */
};

struct vireo_layout_config {
	uint64_t ram_size;	/* bytes, multiple of 4 KiB, >= 2 MiB */
	uint64_t hole_start;	/* 0: VIREO_LAYOUT_HOLE_DEFAULT */
	uint64_t mmio64_size;	/* 0: no 64-bit PCI window; else 1 GiB multiple */
};

struct vireo_layout {
	uint64_t ram_size;
	uint64_t hole_start;
	uint64_t low_end;		/* RAM is [0, low_end) ... */
	uint64_t high_size;		/* ... and [4 GiB, 4 GiB + high_size) */

	struct vireo_ram_region ram[2];
	unsigned int nr_ram;

	uint64_t mmio32_base, mmio32_size;	/* PCI window below the ECAM */
	uint64_t mmio64_base, mmio64_size;	/* size 0: none */
	uint64_t ecam_base, ecam_size;

	struct vireo_e820_entry e820[VIREO_E820_MAX];	/* sorted, disjoint */
	unsigned int nr_e820;
};

/* Compute the layout.  0, or -EINVAL with a message for a bad size or hole. */
int vireo_layout_init(struct vireo_layout *l, const struct vireo_layout_config *cfg,
		      GError **error);

/* True if all of [gpa, gpa + len) is RAM (len 0 counts as 1). */
bool vireo_layout_is_ram(const struct vireo_layout *l, uint64_t gpa, uint64_t len);

/*
 * Offset into the host RAM buffer of [gpa, gpa + len), which must be
 * wholly inside one RAM region; -1 (as uint64_t) if it is not.
 */
uint64_t vireo_layout_ram_offset(const struct vireo_layout *l, uint64_t gpa, uint64_t len);

/*
 * A struct vireo_mem (vireo/paging.h) over a host RAM buffer laid out as
 * the slots say: what the loaders write through, in the monitor before the
 * slots exist and in the tests.  Accesses outside RAM fail with -EFAULT.
 */
struct vireo_mem;
struct vireo_layout_mem {
	const struct vireo_layout *layout;
	uint8_t *ram;		/* ram_size bytes */
};
void vireo_layout_mem_init(struct vireo_layout_mem *lm, struct vireo_mem *mem,
			   const struct vireo_layout *l, uint8_t *ram);

#endif /* VIREO_BOOT_LAYOUT_H */
