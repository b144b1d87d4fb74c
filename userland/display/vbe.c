// SPDX-License-Identifier: GPL-2.0
/*
 * The Bochs VBE ("dispi") registers: the display mode a driver programs
 * with XRES, YRES and BPP and turns on with ENABLE, the virtual screen
 * and its offsets for panning, and the bank for the 64 KiB window.
 *
 * A mode is checked when it is enabled, against the limits and against
 * video memory (Bochs's vbe.cc refuses the same way: "VBE mode not
 * supported"), so a bad mode leaves VBE off rather than describing a
 * framebuffer past the end of video memory.  The panning registers are
 * taken as written (a virtual width below XRES reads back as XRES); the
 * renderer shows black for any part of the screen they put past the end
 * of video memory.
 */
#include <string.h>

#include "display/vga_internal.h"

#define VBE_ENABLE_BITS (VIREO_VBE_ENABLED | VIREO_VBE_GETCAPS | VIREO_VBE_8BIT_DAC | \
			 VIREO_VBE_LFB_ENABLED | VIREO_VBE_NOCLEARMEM)

static unsigned int bytes_per_pixel(unsigned int bpp)
{
	return bpp == 15 ? 2 : bpp / 8;
}

static bool bpp_supported(unsigned int bpp)
{
	return bpp == 8 || bpp == 15 || bpp == 16 || bpp == 24 || bpp == 32;
}

bool vbe_enabled(const struct vireo_vga *vga)
{
	return vga->vbe[VIREO_VBE_INDEX_ENABLE] & VIREO_VBE_ENABLED;
}

size_t vbe_line_bytes(const struct vireo_vga *vga)
{
	return (size_t)vga->vbe[VIREO_VBE_INDEX_VIRT_WIDTH] *
	       bytes_per_pixel(vga->vbe[VIREO_VBE_INDEX_BPP]);
}

size_t vbe_start_byte(const struct vireo_vga *vga)
{
	return (size_t)vga->vbe[VIREO_VBE_INDEX_Y_OFFSET] * vbe_line_bytes(vga) +
	       (size_t)vga->vbe[VIREO_VBE_INDEX_X_OFFSET] *
		       bytes_per_pixel(vga->vbe[VIREO_VBE_INDEX_BPP]);
}

void vbe_reset(struct vireo_vga *vga)
{
	memset(vga->vbe, 0, sizeof(vga->vbe));
	vga->vbe[VIREO_VBE_INDEX_ID] = VIREO_VBE_ID5;
	vga->vbe_index = 0;
	vga->generation++;
}

/* Lines of virt_width pixels that video memory holds. */
static void update_virt_height(struct vireo_vga *vga)
{
	size_t line = vbe_line_bytes(vga);
	size_t lines = line ? vga->vram_size / line : 0;

	vga->vbe[VIREO_VBE_INDEX_VIRT_HEIGHT] = (uint16_t)(lines > 0xffff ? 0xffff : lines);
}

static void set_virt_width(struct vireo_vga *vga, uint16_t val)
{
	if (val < vga->vbe[VIREO_VBE_INDEX_XRES])
		val = vga->vbe[VIREO_VBE_INDEX_XRES];
	vga->vbe[VIREO_VBE_INDEX_VIRT_WIDTH] = val;
	update_virt_height(vga);
}

/* Does the mode in XRES/YRES/BPP exist and fit in video memory? */
static bool mode_valid(const struct vireo_vga *vga)
{
	unsigned int x = vga->vbe[VIREO_VBE_INDEX_XRES], y = vga->vbe[VIREO_VBE_INDEX_YRES];
	unsigned int bpp = vga->vbe[VIREO_VBE_INDEX_BPP];

	if (!bpp_supported(bpp) || !x || !y || x > VIREO_VBE_MAX_XRES || y > VIREO_VBE_MAX_YRES)
		return false;
	return (size_t)x * y * bytes_per_pixel(bpp) <= vga->vram_size;
}

static void enable_write(struct vireo_vga *vga, uint16_t val)
{
	val &= VBE_ENABLE_BITS;
	if ((val & VIREO_VBE_ENABLED) && !vbe_enabled(vga)) {
		if (!mode_valid(vga)) {
			vga->vbe_refused++;
			vga->vbe_refused_mode.xres = vga->vbe[VIREO_VBE_INDEX_XRES];
			vga->vbe_refused_mode.yres = vga->vbe[VIREO_VBE_INDEX_YRES];
			vga->vbe_refused_mode.bpp = vga->vbe[VIREO_VBE_INDEX_BPP];
			val &= (uint16_t)~VIREO_VBE_ENABLED;
		} else {
			set_virt_width(vga, vga->vbe[VIREO_VBE_INDEX_VIRT_WIDTH]);
			if (!(val & VIREO_VBE_NOCLEARMEM)) {
				size_t n = vbe_line_bytes(vga) * vga->vbe[VIREO_VBE_INDEX_YRES];

				memset(vga->vram, 0, n < vga->vram_size ? n : vga->vram_size);
			}
		}
	}
	vga->vbe[VIREO_VBE_INDEX_ENABLE] = val;
}

uint16_t vbe_read(struct vireo_vga *vga, uint16_t index)
{
	bool caps = vga->vbe[VIREO_VBE_INDEX_ENABLE] & VIREO_VBE_GETCAPS;

	switch (index) {
	case VIREO_VBE_INDEX_XRES:
		return caps ? VIREO_VBE_MAX_XRES : vga->vbe[index];
	case VIREO_VBE_INDEX_YRES:
		return caps ? VIREO_VBE_MAX_YRES : vga->vbe[index];
	case VIREO_VBE_INDEX_BPP:
		return caps ? VIREO_VBE_MAX_BPP : vga->vbe[index];
	case VIREO_VBE_INDEX_VIDEO_MEMORY_64K:
		return (uint16_t)(vga->vram_size >> 16);
	default:
		return index < VIREO_VBE_NUM_REGS ? vga->vbe[index] : 0;
	}
}

void vbe_write(struct vireo_vga *vga, uint16_t index, uint16_t val)
{
	vga->generation++;
	switch (index) {
	case VIREO_VBE_INDEX_ID:
		if (val >= VIREO_VBE_ID0 && val <= VIREO_VBE_ID5)
			vga->vbe[index] = val;
		break;
	case VIREO_VBE_INDEX_XRES:
	case VIREO_VBE_INDEX_YRES:
	case VIREO_VBE_INDEX_BPP:
		if (!vbe_enabled(vga))
			vga->vbe[index] = val;
		break;
	case VIREO_VBE_INDEX_ENABLE:
		enable_write(vga, val);
		break;
	case VIREO_VBE_INDEX_BANK:
		if ((size_t)val << 16 < vga->vram_size)
			vga->vbe[index] = val;
		break;
	case VIREO_VBE_INDEX_VIRT_WIDTH:
		if (vbe_enabled(vga))
			set_virt_width(vga, val);
		else
			vga->vbe[index] = val;
		break;
	case VIREO_VBE_INDEX_VIRT_HEIGHT:
		/* Derived from video memory while enabled (update_virt_height). */
		if (!vbe_enabled(vga))
			vga->vbe[index] = val;
		break;
	case VIREO_VBE_INDEX_X_OFFSET:
	case VIREO_VBE_INDEX_Y_OFFSET:
		vga->vbe[index] = val;
		break;
	default:		/* VIDEO_MEMORY_64K is read-only; others do not exist */
		break;
	}
}
