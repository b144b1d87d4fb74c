/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A Linux kernel, initrd and command line handed to the firmware through
 * fw_cfg, so that --kernel also works with SeaBIOS (whose linuxboot_dma
 * option ROM reads the items) and OVMF (QemuKernelLoaderFsDxe), the way
 * QEMU's x86_load_linux() sets them for boot protocol 2.02 and later:
 *
 *   SETUP_ADDR 0x10000, SETUP_SIZE, SETUP_DATA   the real-mode part,
 *        (setup_sects or 4) + 1 sectors, its header patched as a loader
 *        would: type_of_loader 0xb0 (QEMU's), CAN_USE_HEAP with
 *        heap_end_ptr = cmdline - setup - 0x200, cmd_line_ptr,
 *        ramdisk_image and ramdisk_size
 *   KERNEL_ADDR 0x100000, KERNEL_SIZE, KERNEL_DATA   the rest of the file
 *   CMDLINE_ADDR 0x20000, CMDLINE_SIZE (NUL included), CMDLINE_DATA
 *   INITRD_ADDR, INITRD_SIZE, INITRD_DATA   the initrd page aligned as high
 *        as it may go: below initrd_addr_max and below the top of low RAM
 *        less 0x28000 bytes (QEMU's acpi_data_size: what the firmware
 *        keeps there for its ACPI tables and data); no initrd: all three
 *        absent
 * All the *_ADDR and *_SIZE items are LE32.
 */
#ifndef VIREO_FW_LINUX_ITEMS_H
#define VIREO_FW_LINUX_ITEMS_H

#include "boot/layout.h"
#include "boot/linux.h"
#include "fw/fw_cfg.h"

#define VIREO_FW_LINUX_SETUP_ADDR	0x10000U
#define VIREO_FW_LINUX_CMDLINE_ADDR	0x20000U
#define VIREO_FW_LINUX_KERNEL_ADDR	0x100000U
#define VIREO_FW_LINUX_FW_DATA		0x28000U
#define VIREO_FW_LINUX_LOADER_TYPE	0xb0

/*
 * Check the image (vireo_linux_parse) and add the items for cfg's kernel,
 * initrd and command line (cfg->acpi_rsdp is ignored: the firmware makes
 * the tables).  0, or -errno with "name: problem" (an image that is
 * not a bzImage of protocol 2.06+, a command line longer than the kernel
 * takes, an initrd that does not fit below its limit).
 */
int vireo_fw_linux_add(struct vireo_fw_cfg *fw, const struct vireo_layout *l,
		       const struct vireo_linux_config *cfg, GError **error);

#endif /* VIREO_FW_LINUX_ITEMS_H */
