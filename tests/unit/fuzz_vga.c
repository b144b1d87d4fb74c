// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer over the VGA's guest-facing handlers: the input is a program
 * of port accesses (0x3b0-0x3df, the VBE index and data ports), accesses
 * to the legacy window and to QEMU's MMIO BAR, configuration writes to
 * the PCI function and memory accesses where its BARs and ROM may decode,
 * with renders and text dumps in between and at the end, so that any
 * register setting the program reaches is also drawn.  The device starts
 * every input from its reset state with cleared video memory.
 *
 * Each operation is 6 bytes: op, two address bytes, size, two data bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "display/vga_pci.h"
#include "pci/pci.h"

#define SLOT 2

static struct vireo_pci_bus bus;
static struct vireo_vga_pci vp;
static uint8_t rom_image[40000];
static struct vireo_surface surf;
static char text[256 * 1100];

static void draw(void)
{
	struct vireo_vga_frame f;

	if (vireo_vga_render(&vp.vga, &surf, &f) != 0)
		abort();	/* every frame fits the largest surface */
	if (f.kind == VIREO_VGA_FRAME_VBE &&
	    (size_t)f.width * f.height * (f.bpp == 15 ? 2 : f.bpp / 8) > vp.vga.vram_size)
		abort();	/* an enabled mode always fits video memory */
	vireo_vga_text_dump(&vp.vga, text, sizeof(text));
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	static bool ready;

	if (!ready) {
		struct vireo_pci_bus_config cfg = {
			.mem_base = VIREO_PCI_MEM_BASE, .mem_end = VIREO_PCI_MEM_END,
			.io_base = VIREO_PCI_IO_BASE, .io_end = VIREO_PCI_IO_END,
		};

		if (vireo_pci_bus_init(&bus, &cfg) || vireo_vga_pci_init(&vp, VIREO_VGA_VRAM_MIN, NULL))
			abort();
		/* A ROM image without a file: the bus only reads dev->rom. */
		rom_image[0] = 0x55;
		rom_image[1] = 0xaa;
		vp.pci.rom = rom_image;
		vp.pci.rom_len = sizeof(rom_image);
		if (vireo_pci_bus_add(&bus, &vp.pci, SLOT))
			abort();
		surf.width = surf.stride = VIREO_VGA_MAX_WIDTH;
		surf.height = VIREO_VGA_MAX_HEIGHT;
		surf.pixels = calloc((size_t)surf.width * surf.height, sizeof(uint32_t));
		if (!surf.pixels)
			abort();
		ready = true;
	}
	vireo_pci_bus_reset(&bus);
	memset(vp.vga.vram, 0, vp.vga.vram_size);

	for (size_t i = 0; i + 6 <= len; i += 6) {
		const uint8_t *op = in + i;
		unsigned int addr = op[1] | (unsigned int)op[2] << 8;
		unsigned int size = 1U << (op[3] & 3);
		uint64_t data = op[4] | (uint64_t)op[5] << 8 | (uint64_t)op[3] << 24;
		bool is_write = !(op[0] & 0x80);
		uint32_t d32 = (uint32_t)data;

		switch (op[0] & 0x7f) {
		case 0 ... 31:
			vireo_vga_pio(&vp.vga, (uint16_t)(addr % VIREO_VGA_PORTS), size > 4 ? 1 : size,
				      is_write, &d32);
			break;
		case 32 ... 47:
			vireo_vbe_pio(&vp.vga, (uint16_t)(addr % VIREO_VBE_PORTS), size > 4 ? 2 : size,
				      is_write, &d32);
			break;
		case 48 ... 79:
			vireo_vga_mmio(&vp.vga, (addr | (uint64_t)(op[3] >> 7) << 16) %
					       VIREO_VGA_WINDOW_SIZE,
				       size, is_write, &data);
			break;
		case 80 ... 111:
			pthread_mutex_lock(&vp.vga.lock);
			vireo_vga_mmio_bar_locked(&vp.vga, addr % VIREO_VGA_MMIO_BAR_SIZE, size,
						  is_write, &data);
			pthread_mutex_unlock(&vp.vga.lock);
			break;
		case 112 ... 119: {
			/* Configuration space of the function: header, BARs, ROM, command. */
			uint32_t a = 0x80000000U | SLOT << 11 | (op[1] & 0xfc);

			vireo_pci_pio(&bus, 0xcf8, 4, true, &a);
			d32 = (uint32_t)(data << 8) | op[2];
			vireo_pci_pio(&bus, (uint16_t)(0xcfc + (op[1] & 3)), size > 4 ? 4 : size,
				      is_write, &d32);
			break;
		}
		case 120 ... 125:
			/* Memory where the BARs and the ROM may decode (the PCI window). */
			vireo_pci_mmio(&bus, VIREO_PCI_MEM_BASE + ((uint64_t)addr << 12) +
					      (data & 0xfff), size, is_write, &data);
			break;
		default:
			draw();
			break;
		}
	}
	draw();
	return 0;
}
