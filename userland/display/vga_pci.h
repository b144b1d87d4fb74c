/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VGA as QEMU's "-vga std" PCI function: vendor 1234, device 1111,
 * class 0300 (VGA-compatible display controller), subsystem 1af4:1100.
 *
 *   BAR 0   the linear framebuffer: all of video memory, 32-bit,
 *           prefetchable, vram_size bytes (16 MiB by default)
 *   BAR 2   4 KiB of MMIO registers (vga.h, vireo_vga_mmio_bar_locked)
 *   ROM     64 KiB expansion ROM holding the VGA BIOS (Debian's
 *           seabios: vgabios-stdvga.bin), which the firmware copies to
 *           0xc0000 and runs
 *
 * The legacy ports and window (vireo_vga_desc) stay where they are
 * whatever the BARs do, as on every PC VGA.
 *
 * Wiring, for the machine:
 *   1. vireo_vga_pci_init(), then vireo_pci_bus_add(&bus, &vp->pci, slot)
 *      and the legacy ranges of vireo_vga_desc with &vp->vga as dev;
 *   2. in the bus's bar_change callback, for a dev that
 *      vireo_vga_pci_from_pci() recognises and bar ==
 *      VIREO_VGA_PCI_LFB_BAR: when mapped, map vp->vga.vram (or
 *      vp->vga.vram_fd) as a memory slot of vp->vga.vram_size bytes at
 *      addr, so guest framebuffer stores never exit; when unmapped,
 *      remove that slot.  Until then, accesses through vireo_pci_mmio()
 *      reach video memory too (slowly).
 *   3. the platform reset resets the function with the bus.
 */
#ifndef VIREO_DISPLAY_VGA_PCI_H
#define VIREO_DISPLAY_VGA_PCI_H

#include "display/vga.h"
#include "pci/pci.h"

#define VIREO_VGA_PCI_VENDOR	0x1234
#define VIREO_VGA_PCI_DEVICE	0x1111
#define VIREO_VGA_PCI_CLASS	0x030000U
#define VIREO_VGA_PCI_LFB_BAR	0
#define VIREO_VGA_PCI_MMIO_BAR	2
#define VIREO_VGA_PCI_ROM_SIZE	(64U << 10)
#define VIREO_VGA_ROM_DEBIAN	"/usr/share/seabios/vgabios-stdvga.bin"

struct vireo_vga_pci {
	struct vireo_vga vga;
	struct vireo_pci_dev pci;	/* its device lock is vga.lock */
	uint8_t *rom;			/* the image read at init, or NULL */
	size_t rom_len;
};

/*
 * vram_size as for vireo_vga_init().  rom_path: the VGA BIOS image (at
 * most 64 KiB), or NULL for a function without a ROM BAR (a machine
 * booting without firmware).  0, -EINVAL, -EFBIG (ROM too large) or the
 * -errno of reading the ROM or making video memory.
 */
int vireo_vga_pci_init(struct vireo_vga_pci *vp, size_t vram_size, const char *rom_path);
void vireo_vga_pci_fini(struct vireo_vga_pci *vp);

/* The VGA function dev belongs to, or NULL if dev is another device's. */
struct vireo_vga_pci *vireo_vga_pci_from_pci(struct vireo_pci_dev *dev);

#endif /* VIREO_DISPLAY_VGA_PCI_H */
