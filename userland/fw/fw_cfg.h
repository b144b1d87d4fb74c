/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fw_cfg, QEMU's firmware configuration device, as Debian's unmodified
 * SeaBIOS and OVMF read it (QEMU docs/specs/fw_cfg.rst; the x86 I/O port
 * flavour).  It follows the device contract of hw/hw.h.
 *
 * Ports:
 *   0x510  selector, 16-bit write (little-endian): selects an item and
 *          resets its offset to 0.  A byte read returns the next data byte
 *          as 0x511 does (QEMU's "comb" region covers both ports).
 *   0x511  data, 8-bit: the next byte of the selected item, 0 past its end
 *          or for a key that names nothing.  Writes are ignored (QEMU 2.4+:
 *          items are written only through DMA).
 *   0x514  DMA address, two 32-bit halves in big-endian byte order: the
 *          high half at 0x514, the low half at 0x518.  Writing the high
 *          half sets the address to high << 32; writing the low half ORs it
 *          in and runs the transfer at once; the address is 0 afterwards.
 *          Reads return "QEMU CFG" byte by byte (the DMA signature).
 * Other widths read all-ones and are ignored on write (hw.h), and so are
 * ports 0x512-0x513.
 *
 * Keys: bit 15 selects the architecture-specific bank, bit 14 (the old
 * write channel) is ignored, bits 13:0 index the bank.  Generic keys below
 * 0x20 are the numbered items (VIREO_FW_CFG_*); 0x20 + i is the i-th named
 * file, files sorted by name (strcmp) as QEMU does for its current machine
 * types, so adding a file renumbers the ones after it.  FILE_DIR (0x19) is
 * a big-endian count followed by one 64-byte entry per file: size (BE32),
 * key (BE16), reserved, a NUL-terminated name of at most 55 characters.
 *
 * DMA (FWCfgDmaAccess, 16 bytes at the written address, every field
 * big-endian): control (bit 0 error, 1 read, 2 skip, 3 select with the key
 * in bits 31:16, 4 write), length, address.  Select is done first; then
 * read (wins over write), write (wins over skip), or skip of length bytes.
 * A read copies what is left of the item and zero-fills the rest of the
 * guest buffer; a skip advances the offset, at most to the item's end; a
 * write must fit in an item added writable.  The device writes control
 * back as 0 (done) or 1 (error).  Every guest-supplied address and length
 * is hostile: the whole guest buffer is checked against guest RAM (page by
 * page, so a buffer that spans adjacent RAM slots is fine and one that
 * touches the PCI hole is not) before a byte moves.  A bad buffer, a write
 * to a read-only item, or one past the item's end sets the error bit and
 * changes nothing else (the offset stays).  A descriptor not wholly in RAM
 * is not run: the error bit goes to its control word if those 4 bytes are
 * RAM (as QEMU), else nowhere.  Descriptors and buffers may span adjacent
 * RAM slots.  QEMU moves the part of a buffer before a bad page; the
 * all-or-nothing rule is ours.  Nothing the
 * guest does fails the handler: errors are counted and the last one is
 * kept in words (last_error) for the monitor to report.
 */
#ifndef VIREO_FW_FW_CFG_H
#define VIREO_FW_FW_CFG_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/hw.h"
#include "virtio/virtqueue.h"	/* struct vireo_guest_ram */

#define VIREO_FW_CFG_PORT		0x510	/* selector; data at +1 */
#define VIREO_FW_CFG_PORTS		2
#define VIREO_FW_CFG_DMA_PORT		0x514	/* high half; low half at +4 */
#define VIREO_FW_CFG_DMA_PORTS		8

/* Generic numbered items (QEMU include/standard-headers/linux/qemu_fw_cfg.h). */
#define VIREO_FW_CFG_SIGNATURE		0x00	/* "QEMU" */
#define VIREO_FW_CFG_ID			0x01	/* LE32 feature bits */
#define VIREO_FW_CFG_UUID		0x02	/* 16 bytes */
#define VIREO_FW_CFG_RAM_SIZE		0x03	/* LE64 */
#define VIREO_FW_CFG_NOGRAPHIC		0x04	/* LE16 */
#define VIREO_FW_CFG_NB_CPUS		0x05	/* LE16 */
#define VIREO_FW_CFG_MACHINE_ID		0x06
#define VIREO_FW_CFG_KERNEL_ADDR	0x07	/* LE32 */
#define VIREO_FW_CFG_KERNEL_SIZE	0x08	/* LE32 */
#define VIREO_FW_CFG_KERNEL_CMDLINE	0x09
#define VIREO_FW_CFG_INITRD_ADDR	0x0a	/* LE32 */
#define VIREO_FW_CFG_INITRD_SIZE	0x0b	/* LE32 */
#define VIREO_FW_CFG_BOOT_DEVICE	0x0c
#define VIREO_FW_CFG_NUMA		0x0d	/* LE64 node count, then maps */
#define VIREO_FW_CFG_BOOT_MENU		0x0e	/* LE16 */
#define VIREO_FW_CFG_MAX_CPUS		0x0f	/* LE16 */
#define VIREO_FW_CFG_KERNEL_ENTRY	0x10
#define VIREO_FW_CFG_KERNEL_DATA	0x11
#define VIREO_FW_CFG_INITRD_DATA	0x12
#define VIREO_FW_CFG_CMDLINE_ADDR	0x13	/* LE32 */
#define VIREO_FW_CFG_CMDLINE_SIZE	0x14	/* LE32, NUL included */
#define VIREO_FW_CFG_CMDLINE_DATA	0x15
#define VIREO_FW_CFG_SETUP_ADDR		0x16	/* LE32 */
#define VIREO_FW_CFG_SETUP_SIZE		0x17	/* LE32 */
#define VIREO_FW_CFG_SETUP_DATA		0x18
#define VIREO_FW_CFG_FILE_DIR		0x19
#define VIREO_FW_CFG_FILE_FIRST		0x20

/* x86 items of the architecture bank (QEMU hw/i386/fw_cfg.h). */
#define VIREO_FW_CFG_ARCH_LOCAL		0x8000
#define VIREO_FW_CFG_ACPI_TABLES	(VIREO_FW_CFG_ARCH_LOCAL + 0)
#define VIREO_FW_CFG_SMBIOS_ENTRIES	(VIREO_FW_CFG_ARCH_LOCAL + 1)
#define VIREO_FW_CFG_IRQ0_OVERRIDE	(VIREO_FW_CFG_ARCH_LOCAL + 2)	/* LE32 */
#define VIREO_FW_CFG_E820_TABLE		(VIREO_FW_CFG_ARCH_LOCAL + 3)
#define VIREO_FW_CFG_HPET		(VIREO_FW_CFG_ARCH_LOCAL + 4)

#define VIREO_FW_CFG_WRITE_CHANNEL	0x4000	/* ignored since QEMU 2.4 */
#define VIREO_FW_CFG_INDEX_MASK		0x3fff
#define VIREO_FW_CFG_ARCH_ITEMS		0x20	/* arch keys 0x8000-0x801f */
#define VIREO_FW_CFG_MAX_FILES		128
#define VIREO_FW_CFG_NAME_SIZE		56	/* NUL included */
#define VIREO_FW_CFG_DIR_ENTRY_SIZE	64
#define VIREO_FW_CFG_MAX_ITEM		0xfffffffeU	/* bytes, as QEMU (< UINT32_MAX) */

/* FW_CFG_ID bits. */
#define VIREO_FW_CFG_ID_TRADITIONAL	0x01
#define VIREO_FW_CFG_ID_DMA		0x02

/* FWCfgDmaAccess.control bits. */
#define VIREO_FW_CFG_DMA_ERROR		0x01
#define VIREO_FW_CFG_DMA_READ		0x02
#define VIREO_FW_CFG_DMA_SKIP		0x04
#define VIREO_FW_CFG_DMA_SELECT		0x08
#define VIREO_FW_CFG_DMA_WRITE		0x10
#define VIREO_FW_CFG_DMA_ACCESS_SIZE	16

#define VIREO_FW_CFG_DMA_SIGNATURE	"QEMU CFG"

/*
 * Called after a DMA write into a writable item landed: data is the whole
 * item, [offset, offset + len) the bytes just written.  Called with the
 * device's lock held: it must not call into this fw_cfg.
 */
typedef void (*vireo_fw_cfg_write_fn)(void *opaque, const uint8_t *data, uint32_t offset,
				      uint32_t len);

struct vireo_fw_cfg_item {
	uint8_t *data;			/* owned copy; NULL: no item */
	uint32_t len;
	bool writable;
	vireo_fw_cfg_write_fn on_write;
	void *opaque;
};

struct vireo_fw_cfg_file {
	char name[VIREO_FW_CFG_NAME_SIZE];
	struct vireo_fw_cfg_item item;
};

/* Legend: (i) set by init, then fixed; (l) guarded by lock. */
struct vireo_fw_cfg {
	pthread_mutex_t lock;
	const struct vireo_guest_ram *ram;			/* (i) */
	struct vireo_fw_cfg_item generic[VIREO_FW_CFG_FILE_FIRST];	/* (l) */
	struct vireo_fw_cfg_item arch[VIREO_FW_CFG_ARCH_ITEMS];	/* (l) */
	struct vireo_fw_cfg_file files[VIREO_FW_CFG_MAX_FILES];	/* (l) sorted by name */
	unsigned int nr_files;					/* (l) */
	uint16_t key;				/* (l) last selected key */
	uint32_t offset;			/* (l) into the selected item */
	uint64_t dma_addr;			/* (l) the address register */
	uint64_t dma_ops, dma_errors;		/* (l) stats */
	const char *last_error;			/* (l) static string, or NULL */
};

extern const struct vireo_hw_desc vireo_fw_cfg_desc;

/*
 * ram: guest RAM for DMA (lives as long as the device).  Adds the
 * signature, the ID (traditional + DMA) and an empty file directory;
 * selects the signature.  0 or -errno.
 */
int vireo_fw_cfg_init(struct vireo_fw_cfg *fw, const struct vireo_guest_ram *ram);
void vireo_fw_cfg_fini(struct vireo_fw_cfg *fw);

/* Power-on state: signature selected, offset 0, DMA address 0. */
void vireo_fw_cfg_reset(struct vireo_fw_cfg *fw);

/* Ports 0x510-0x511 (offsets 0-1) and 0x514-0x51b (offsets 0-7). */
int vireo_fw_cfg_pio(void *dev, uint16_t port_offset, unsigned int size, bool is_write,
		     uint32_t *data);
int vireo_fw_cfg_dma_pio(void *dev, uint16_t port_offset, unsigned int size, bool is_write,
			 uint32_t *data);

/*
 * A numbered item (generic key below 0x20 other than SIGNATURE, ID and
 * FILE_DIR, or an arch key below 0x8020), read-only, data copied; replaces
 * what the key held.  0, -EINVAL (key), -EFBIG, -ENOMEM.
 */
int vireo_fw_cfg_add_item(struct vireo_fw_cfg *fw, uint16_t key, const void *data, size_t len);
int vireo_fw_cfg_add_u16(struct vireo_fw_cfg *fw, uint16_t key, uint16_t value);	/* LE */
int vireo_fw_cfg_add_u32(struct vireo_fw_cfg *fw, uint16_t key, uint32_t value);	/* LE */
int vireo_fw_cfg_add_u64(struct vireo_fw_cfg *fw, uint16_t key, uint64_t value);	/* LE */

/*
 * A named file, data copied.  on_write NULL: read-only; otherwise the
 * guest may overwrite it through DMA (never resize it) and on_write is
 * told.  0, -EINVAL (name empty or longer than 55 bytes), -EEXIST,
 * -ENOSPC (VIREO_FW_CFG_MAX_FILES), -EFBIG, -ENOMEM.
 */
int vireo_fw_cfg_add_file(struct vireo_fw_cfg *fw, const char *name, const void *data,
			  size_t len);
int vireo_fw_cfg_add_file_writable(struct vireo_fw_cfg *fw, const char *name, const void *data,
				   size_t len, vireo_fw_cfg_write_fn on_write, void *opaque);

/* The key of a file (0x20 + its sorted index), or -ENOENT. */
int vireo_fw_cfg_file_key(struct vireo_fw_cfg *fw, const char *name);

#endif /* VIREO_FW_FW_CFG_H */
