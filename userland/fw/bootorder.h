/* SPDX-License-Identifier: GPL-2.0 */
/*
 * "bootorder": the boot devices in order, as Open Firmware device paths,
 * in QEMU's format (softmmu/bootdevice.c get_boot_devices_list): one path
 * per line, lines separated by '\n', the whole NUL-terminated (the NUL is
 * part of the file), and with strict ordering a last line "HALT" (SeaBIOS:
 * boot nothing else).  SeaBIOS matches the paths against its devices
 * (src/boot.c); OVMF translates them to UEFI device paths
 * (QemuBootOrderLib).
 *
 * A PCI device's path is "/pci@i0cf8/NAME@SLOT" (",FUNC" when the function
 * is not 0), NAME the Open Firmware name of its class ("scsi" for
 * virtio-blk, class 0x0100; "ethernet" for a NIC), then what lies behind
 * it: virtio-blk's disk is "/disk@0,0".
 */
#ifndef VIREO_FW_BOOTORDER_H
#define VIREO_FW_BOOTORDER_H

#include <stdbool.h>
#include <stddef.h>

#define VIREO_FW_BOOTORDER_FILE		"bootorder"
#define VIREO_FW_BOOTORDER_PATH_MAX	256

/*
 * The path of PCI device slot.func on the root bus, then child (may be
 * NULL or "") into buf.  0, or -EINVAL (slot > 31, func > 7, name empty,
 * or the path does not fit in size bytes).
 */
int vireo_fw_bootorder_pci_path(char *buf, size_t size, unsigned int slot, unsigned int func,
				const char *name, const char *child);

/*
 * The file from nr paths (each non-empty, without '\n'), plus "HALT" if
 * strict, into *blob (malloc'd, *len bytes, NUL included).  No paths: an
 * empty file (len 0), which QEMU omits.  0, -EINVAL, -ENOMEM.
 */
int vireo_fw_bootorder_build(const char *const *paths, unsigned int nr, bool strict,
			     char **blob, size_t *len);

#endif /* VIREO_FW_BOOTORDER_H */
