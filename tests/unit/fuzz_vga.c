// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer over the VGA's guest-facing handlers: the input is a program
 * of port accesses (0x3b0-0x3df, the VBE index and data ports), accesses
 * to the legacy window and to QEMU's MMIO BAR, with renders and text
 * dumps in between and at the end, so that any register setting the
 * program reaches is also drawn.  The device starts every input from its
 * reset state with cleared video memory.
 *
 * Each operation is 6 bytes: op, two address bytes, size, two data bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "display/vga.h"

static struct vireo_vga vga;
static struct vireo_surface surf;
static char text[256 * 1100];

static void draw(void)
{
	struct vireo_vga_frame f;

	if (vireo_vga_render(&vga, &surf, &f) != 0)
		abort();	/* every frame fits the largest surface */
	if (f.kind == VIREO_VGA_FRAME_VBE &&
	    (size_t)f.width * f.height * (f.bpp == 15 ? 2 : f.bpp / 8) > vga.vram_size)
		abort();	/* an enabled mode always fits video memory */
	vireo_vga_text_dump(&vga, text, sizeof(text));
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	static bool ready;

	if (!ready) {
		if (vireo_vga_init(&vga, VIREO_VGA_VRAM_MIN) != 0)
			abort();
		surf.width = surf.stride = VIREO_VGA_MAX_WIDTH;
		surf.height = VIREO_VGA_MAX_HEIGHT;
		surf.pixels = calloc((size_t)surf.width * surf.height, sizeof(uint32_t));
		if (!surf.pixels)
			abort();
		ready = true;
	}
	vireo_vga_reset(&vga);
	memset(vga.vram, 0, vga.vram_size);

	for (size_t i = 0; i + 6 <= len; i += 6) {
		const uint8_t *op = in + i;
		unsigned int addr = op[1] | (unsigned int)op[2] << 8;
		unsigned int size = 1U << (op[3] & 3);
		uint64_t data = op[4] | (uint64_t)op[5] << 8 | (uint64_t)op[3] << 24;
		bool is_write = !(op[0] & 0x80);
		uint32_t d32 = (uint32_t)data;

		switch (op[0] & 0x7f) {
		case 0 ... 31:
			vireo_vga_pio(&vga, (uint16_t)(addr % VIREO_VGA_PORTS), size > 4 ? 1 : size,
				      is_write, &d32);
			break;
		case 32 ... 47:
			vireo_vbe_pio(&vga, (uint16_t)(addr % VIREO_VBE_PORTS), size > 4 ? 2 : size,
				      is_write, &d32);
			break;
		case 48 ... 79:
			vireo_vga_mmio(&vga, (addr | (uint64_t)(op[3] >> 7) << 16) %
					       VIREO_VGA_WINDOW_SIZE,
				       size, is_write, &data);
			break;
		case 80 ... 111:
			pthread_mutex_lock(&vga.lock);
			vireo_vga_mmio_bar_locked(&vga, addr % VIREO_VGA_MMIO_BAR_SIZE, size,
						  is_write, &data);
			pthread_mutex_unlock(&vga.lock);
			break;
		default:
			draw();
			break;
		}
	}
	draw();
	return 0;
}
