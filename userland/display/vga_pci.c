// SPDX-License-Identifier: GPL-2.0
/*
 * The VGA's PCI function (vga_pci.h): configuration identity, the two
 * BARs' accesses when they reach the device, the ROM image, reset.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "display/vga_internal.h"
#include "display/vga_pci.h"

static struct vireo_vga_pci *to_vp(struct vireo_pci_dev *dev)
{
	return dev->opaque;
}

/* Device lock (= vga.lock) held by the bus; offsets are inside the BAR. */
static void vga_bar_read(struct vireo_pci_dev *dev, unsigned int bar, uint64_t offset,
			 unsigned int size, uint64_t *val)
{
	struct vireo_vga *vga = &to_vp(dev)->vga;
	uint64_t v = 0;

	if (bar == VIREO_VGA_PCI_MMIO_BAR) {
		vireo_vga_mmio_bar_locked(vga, offset, size, false, val);
		return;
	}
	for (unsigned int i = 0; i < size; i++)
		v |= (uint64_t)vga->vram[offset + i] << (8 * i);
	*val = v;
}

static void vga_bar_write(struct vireo_pci_dev *dev, unsigned int bar, uint64_t offset,
			  unsigned int size, uint64_t val)
{
	struct vireo_vga *vga = &to_vp(dev)->vga;

	if (bar == VIREO_VGA_PCI_MMIO_BAR) {
		vireo_vga_mmio_bar_locked(vga, offset, size, true, &val);
		return;
	}
	for (unsigned int i = 0; i < size; i++)
		vga->vram[offset + i] = (uint8_t)(val >> (8 * i));
}

static void vga_pci_reset(struct vireo_pci_dev *dev)
{
	struct vireo_vga *vga = &to_vp(dev)->vga;

	vga_regs_reset(vga);
	vbe_reset(vga);
}

#define VGA_PCI_DESC(vram_mib, rom)                                                        \
	{                                                                                  \
		.name = "vga",                                                             \
		.vendor_id = VIREO_VGA_PCI_VENDOR,                                         \
		.device_id = VIREO_VGA_PCI_DEVICE,                                         \
		.subsystem_vendor_id = 0x1af4,                                             \
		.subsystem_id = 0x1100,                                                    \
		.revision = 2,                                                             \
		.class_code = VIREO_VGA_PCI_CLASS,                                         \
		.bars = { [VIREO_VGA_PCI_LFB_BAR] = { VIREO_PCI_BAR_MEM32, true,           \
						      (vram_mib) << 20 },                  \
			  [VIREO_VGA_PCI_MMIO_BAR] = { VIREO_PCI_BAR_MEM32, false,         \
						       VIREO_VGA_MMIO_BAR_SIZE } },        \
		.rom_size = (rom),                                                         \
		.bar_read = vga_bar_read,                                                  \
		.bar_write = vga_bar_write,                                                \
		.reset = vga_pci_reset,                                                    \
	}

#define VGA_PCI_DESCS(rom)                                                                 \
	{                                                                                  \
		VGA_PCI_DESC(1ULL, rom), VGA_PCI_DESC(2ULL, rom), VGA_PCI_DESC(4ULL, rom), \
		VGA_PCI_DESC(8ULL, rom), VGA_PCI_DESC(16ULL, rom),                         \
		VGA_PCI_DESC(32ULL, rom), VGA_PCI_DESC(64ULL, rom),                        \
		VGA_PCI_DESC(128ULL, rom), VGA_PCI_DESC(256ULL, rom),                      \
	}

/* BAR 0's size is video memory's: one descriptor per size (1-256 MiB) and ROM choice. */
#define VRAM_SIZES 9
static const struct vireo_pci_dev_desc descs[2][VRAM_SIZES] = {
	VGA_PCI_DESCS(0),
	VGA_PCI_DESCS(VIREO_VGA_PCI_ROM_SIZE),
};

struct vireo_vga_pci *vireo_vga_pci_from_pci(struct vireo_pci_dev *dev)
{
	const struct vireo_pci_dev_desc *d = dev->desc;

	if (d >= &descs[0][0] && d < &descs[0][0] + 2 * VRAM_SIZES)
		return to_vp(dev);
	return NULL;
}

static int read_rom(struct vireo_vga_pci *vp, const char *path)
{
	struct stat st;
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		err = -errno;
	} else if (st.st_size <= 0 || st.st_size > VIREO_VGA_PCI_ROM_SIZE) {
		err = st.st_size <= 0 ? -EINVAL : -EFBIG;
	} else {
		vp->rom = malloc((size_t)st.st_size);
		if (!vp->rom)
			err = -ENOMEM;
	}
	if (!err) {
		n = read(fd, vp->rom, (size_t)st.st_size);
		if (n != st.st_size)
			err = n < 0 ? -errno : -EIO;
		vp->rom_len = (size_t)st.st_size;
	}
	close(fd);
	if (err) {
		free(vp->rom);
		vp->rom = NULL;
		vp->rom_len = 0;
	}
	return err;
}

int vireo_vga_pci_init(struct vireo_vga_pci *vp, size_t vram_size, const char *rom_path)
{
	unsigned int log = 0;
	int err;

	vp->rom = NULL;
	vp->rom_len = 0;
	err = vireo_vga_init(&vp->vga, vram_size);
	if (err)
		return err;
	while (((size_t)VIREO_VGA_VRAM_MIN << log) < vp->vga.vram_size)
		log++;
	if (rom_path) {
		err = read_rom(vp, rom_path);
		if (err)
			goto fail_vga;
	}
	err = vireo_pci_dev_init(&vp->pci, &descs[rom_path ? 1 : 0][log], vp, 0);
	if (err)
		goto fail_rom;
	vp->pci.lock = &vp->vga.lock;
	vp->pci.rom = vp->rom;
	vp->pci.rom_len = vp->rom_len;
	return 0;
fail_rom:
	free(vp->rom);
	vp->rom = NULL;
fail_vga:
	vireo_vga_fini(&vp->vga);
	return err;
}

void vireo_vga_pci_fini(struct vireo_vga_pci *vp)
{
	vireo_pci_dev_fini(&vp->pci);
	free(vp->rom);
	vp->rom = NULL;
	vireo_vga_fini(&vp->vga);
}
