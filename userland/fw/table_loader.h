/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ACPI linker/loader script ("etc/table-loader"), as QEMU writes it
 * (hw/acpi/bios-linker-loader.c) and SeaBIOS (src/fw/romfile_loader.c) and
 * OVMF (OvmfPkg/AcpiPlatformDxe/QemuFwCfgAcpi.c) run it: the firmware, not
 * the monitor, places the ACPI tables in guest memory, so the monitor
 * hands over the tables as fw_cfg files ("etc/acpi/tables", "etc/acpi/rsdp")
 * with every pointer between them relative to the start of the file it
 * points into, and a script that tells the firmware how to fix them up.
 *
 * The script is an array of 128-byte commands, little-endian:
 *
 *   +0   command            LE32: 1 ALLOCATE, 2 ADD_POINTER,
 *                           3 ADD_CHECKSUM, 4 WRITE_POINTER
 *   ALLOCATE       +4 file[56]  +60 align LE32 (power of 2)  +64 zone
 *                  (1 HIGH: anywhere, 2 FSEG: 0xe0000-0xfffff, where the
 *                  RSDP must be for a legacy BIOS scan)
 *   ADD_POINTER    +4 dest_file[56] +60 src_file[56] +116 offset LE32
 *                  +120 size (1, 2, 4, 8): adds the address where src_file
 *                  was allocated to the size-byte LE integer at dest_file +
 *                  offset
 *   ADD_CHECKSUM   +4 file[56] +60 offset LE32 +64 start LE32 +68 length
 *                  LE32: subtracts the byte sum of [start, start + length)
 *                  from the byte at offset (which lies inside the range,
 *                  so the range then sums to 0 whatever the byte was)
 *   WRITE_POINTER  +4 dest_file[56] +60 src_file[56] +116 dst_offset LE32
 *                  +120 src_offset LE32 +124 size: the firmware writes the
 *                  address of src_file + src_offset back into the fw_cfg
 *                  file dest_file (DMA write) at dst_offset
 *
 * Names are NUL-padded (at most 55 characters).  ALLOCATE must come once
 * per file and before any command naming it; checksums after the pointers
 * they cover.  The builder checks all of that against the sizes given to
 * ALLOCATE, so a bad script is a monitor bug caught here, not a firmware
 * warning at boot.
 */
#ifndef VIREO_FW_TABLE_LOADER_H
#define VIREO_FW_TABLE_LOADER_H

#include <stddef.h>
#include <stdint.h>

#define VIREO_LOADER_FILE		"etc/table-loader"
#define VIREO_LOADER_ACPI_TABLES	"etc/acpi/tables"
#define VIREO_LOADER_ACPI_RSDP		"etc/acpi/rsdp"

#define VIREO_LOADER_ENTRY_SIZE		128
#define VIREO_LOADER_NAME_SIZE		56

#define VIREO_LOADER_ALLOCATE		1
#define VIREO_LOADER_ADD_POINTER	2
#define VIREO_LOADER_ADD_CHECKSUM	3
#define VIREO_LOADER_WRITE_POINTER	4

#define VIREO_LOADER_ZONE_HIGH		1
#define VIREO_LOADER_ZONE_FSEG		2

#define VIREO_LOADER_MAX_FILES		16

struct vireo_loader_file {
	char name[VIREO_LOADER_NAME_SIZE];
	uint32_t size;
};

struct vireo_loader {
	uint8_t *script;		/* nr * 128 bytes */
	size_t len, cap;
	struct vireo_loader_file files[VIREO_LOADER_MAX_FILES];	/* allocated so far */
	unsigned int nr_files;
};

void vireo_loader_init(struct vireo_loader *l);
void vireo_loader_fini(struct vireo_loader *l);

/*
 * Each appends one command: 0, -EINVAL (a name too long or not yet
 * allocated, an offset or range outside the file, a size or alignment
 * that is not a power of two, an unknown zone), -EEXIST (file allocated
 * twice), -ENOSPC, -ENOMEM.  Nothing is appended on error.
 */
int vireo_loader_allocate(struct vireo_loader *l, const char *file, uint32_t file_size,
			  uint32_t align, uint8_t zone);
int vireo_loader_add_pointer(struct vireo_loader *l, const char *dest_file, uint32_t offset,
			     uint8_t size, const char *src_file);
int vireo_loader_add_checksum(struct vireo_loader *l, const char *file, uint32_t checksum_offset,
			      uint32_t start, uint32_t length);
/*
 * dest_file is a writable fw_cfg file, not one of the allocated ones: its
 * size is given here for the check.
 */
int vireo_loader_write_pointer(struct vireo_loader *l, const char *dest_file,
			       uint32_t dest_size, uint32_t dst_offset, uint8_t size,
			       const char *src_file, uint32_t src_offset);

#endif /* VIREO_FW_TABLE_LOADER_H */
