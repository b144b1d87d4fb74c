// SPDX-License-Identifier: GPL-2.0
/*
 * From video memory and registers to an XRGB8888 picture: the frame the
 * registers describe, the colour path (attribute palette, DAC), and the
 * graphics modes -- 16-colour planar, 256-colour chain-4, the VBE linear
 * formats.  Text modes are vga_text.c's.
 *
 * The picture is drawn at the mode's own resolution: a mode whose pixels
 * the hardware doubles (the dot clock halved by SR1 bit 3, double scan)
 * is drawn once per pixel, as the guest addresses it -- 320x200 for mode
 * 13h, 640x480 for mode 12h.
 */
#include <errno.h>
#include <string.h>

#include "display/vga_internal.h"

static uint8_t widen6(uint8_t v)
{
	return (uint8_t)((v << 2) | (v >> 4));
}

uint32_t vga_dac_xrgb(const struct vireo_vga *vga, uint8_t index)
{
	const uint8_t *c = vga->dac[index & vga->dac_pel_mask];

	if (vga->vbe[VIREO_VBE_INDEX_ENABLE] & VIREO_VBE_8BIT_DAC)
		return (uint32_t)c[0] << 16 | (uint32_t)c[1] << 8 | c[2];
	return (uint32_t)widen6(c[0] & 0x3f) << 16 | (uint32_t)widen6(c[1] & 0x3f) << 8 |
	       widen6(c[2] & 0x3f);
}

/*
 * FreeVGA, attribute controller: the colour plane enable mask, the
 * palette register, then bits 5:4 from the colour select register if
 * AR10 bit 7 asks for them, and bits 7:6 from it always.
 */
uint8_t vga_attr_to_dac(const struct vireo_vga *vga, uint8_t colour)
{
	uint8_t v = vga->attr[colour & vga->attr[VGA_AR_PLANE_ENABLE] & 0x0f];
	uint8_t sel = vga->attr[VGA_AR_COLOR_SELECT];

	if (vga->attr[VGA_AR_MODE] & VGA_AR10_P54_SELECT)
		v = (uint8_t)((v & 0x0f) | (sel & 0x03) << 4);
	return (uint8_t)((v & 0x3f) | (sel & 0x0c) << 4);
}

static void frame_info_locked(const struct vireo_vga *vga, struct vireo_vga_frame *f)
{
	const uint8_t *cr = vga->crtc;
	unsigned int lines, scan;

	*f = (struct vireo_vga_frame){ 0 };
	if (vbe_enabled(vga)) {
		f->kind = VIREO_VGA_FRAME_VBE;
		f->width = vga->vbe[VIREO_VBE_INDEX_XRES];
		f->height = vga->vbe[VIREO_VBE_INDEX_YRES];
		f->bpp = vga->vbe[VIREO_VBE_INDEX_BPP];
		return;
	}
	f->blank = (vga->seq[VGA_SR_CLOCKING] & VGA_SR1_SCREEN_OFF) ||
		   !(vga->attr_index & VGA_AR_INDEX_PAS);
	if (!(vga->gc[VGA_GR_MISC] & VGA_GR6_GRAPHICS)) {
		vga_text_geometry(vga, f);
		return;
	}
	lines = vga_display_lines(vga);
	if (cr[VGA_CR_MAX_SCAN] & 0x80)		/* double scan */
		lines /= 2;
	scan = (cr[VGA_CR_MAX_SCAN] & 0x1f) + 1U;
	f->height = lines / scan;
	f->width = (cr[VGA_CR_HDISP_END] + 1U) * 8;
	if (vga->gc[VGA_GR_MODE] & VGA_GR5_256COLOR) {
		f->kind = VIREO_VGA_FRAME_CHAIN4;
		f->width /= 2;		/* two dot clocks per pixel */
	} else {
		f->kind = VIREO_VGA_FRAME_PLANAR4;
	}
}

void vireo_vga_frame_info(struct vireo_vga *vga, struct vireo_vga_frame *frame)
{
	pthread_mutex_lock(&vga->lock);
	frame_info_locked(vga, frame);
	pthread_mutex_unlock(&vga->lock);
}

static uint32_t start_address(const struct vireo_vga *vga)
{
	return (uint32_t)vga->crtc[VGA_CR_START_HI] << 8 | vga->crtc[VGA_CR_START_LO];
}

/* Modes 0dh-12h: pixel x is bit 7 - x % 8 of byte x / 8 in each plane. */
static void render_planar4(const struct vireo_vga *vga, const struct vireo_vga_frame *f,
			   const struct vireo_surface *s)
{
	uint32_t stride = vga->crtc[VGA_CR_OFFSET] * 2U, start = start_address(vga);
	uint32_t palette[16];

	for (unsigned int c = 0; c < 16; c++)
		palette[c] = vga_dac_xrgb(vga, vga_attr_to_dac(vga, (uint8_t)c));
	for (unsigned int y = 0; y < f->height; y++) {
		uint32_t *row = s->pixels + (size_t)y * s->stride;
		uint32_t line = start + y * stride;

		for (unsigned int x = 0; x < f->width; x++) {
			uint32_t off = line + x / 8;
			unsigned int bit = 7 - x % 8, c = 0;

			for (unsigned int p = 0; p < 4; p++)
				c |= ((*vga_plane_byte(vga, p, off) >> bit) & 1U) << p;
			row[x] = palette[c];
		}
	}
}

/* Mode 13h: one byte per pixel, a DAC index, CR13 * 8 bytes a line. */
static void render_chain4(const struct vireo_vga *vga, const struct vireo_vga_frame *f,
			  const struct vireo_surface *s)
{
	uint32_t stride = vga->crtc[VGA_CR_OFFSET] * 8U, start = start_address(vga) * 4U;

	for (unsigned int y = 0; y < f->height; y++) {
		uint32_t *row = s->pixels + (size_t)y * s->stride;
		uint32_t line = start + y * stride;

		for (unsigned int x = 0; x < f->width; x++) {
			uint32_t at = line + x;

			row[x] = vga_dac_xrgb(vga, *vga_plane_byte(vga, at & 3, at >> 2));
		}
	}
}

static uint32_t widen5(uint32_t v)
{
	return (v << 3) | (v >> 2);
}

static uint32_t vbe_pixel(const struct vireo_vga *vga, const uint8_t *p, unsigned int bpp)
{
	uint32_t v;

	switch (bpp) {
	case 8:
		return vga_dac_xrgb(vga, p[0]);
	case 15:
		v = p[0] | (uint32_t)p[1] << 8;
		return widen5((v >> 10) & 31) << 16 | widen5((v >> 5) & 31) << 8 | widen5(v & 31);
	case 16:
		v = p[0] | (uint32_t)p[1] << 8;
		return widen5((v >> 11) & 31) << 16 |
		       (((v >> 5) & 63) << 2 | ((v >> 5) & 63) >> 4) << 8 | widen5(v & 31);
	default:		/* 24 and 32: blue, green, red (and an unused byte) */
		return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
	}
}

/* Pixels the panning registers put past video memory are black. */
static void render_vbe(const struct vireo_vga *vga, const struct vireo_vga_frame *f,
		       const struct vireo_surface *s)
{
	size_t line = vbe_line_bytes(vga), start = vbe_start_byte(vga);
	unsigned int bypp = f->bpp == 15 ? 2 : f->bpp / 8;

	for (unsigned int y = 0; y < f->height; y++) {
		uint32_t *row = s->pixels + (size_t)y * s->stride;
		size_t at = start + (size_t)y * line;

		/* 32 bpp is XRGB8888 already (x86 is little endian): copy the row. */
		if (f->bpp == 32 && at + (size_t)f->width * 4 <= vga->vram_size) {
			memcpy(row, vga->vram + at, (size_t)f->width * 4);
			for (unsigned int x = 0; x < f->width; x++)
				row[x] &= 0x00ffffff;
			continue;
		}
		for (unsigned int x = 0; x < f->width; x++, at += bypp)
			row[x] = at + bypp <= vga->vram_size ? vbe_pixel(vga, vga->vram + at, f->bpp)
							      : 0;
	}
}

int vireo_vga_render(struct vireo_vga *vga, const struct vireo_surface *s,
		     struct vireo_vga_frame *frame)
{
	struct vireo_vga_frame f;

	pthread_mutex_lock(&vga->lock);
	frame_info_locked(vga, &f);
	if (frame)
		*frame = f;
	if (f.width > s->width || f.height > s->height || s->stride < f.width) {
		pthread_mutex_unlock(&vga->lock);
		return -ENOSPC;
	}
	if (f.blank) {
		for (unsigned int y = 0; y < f.height; y++)
			for (unsigned int x = 0; x < f.width; x++)
				s->pixels[(size_t)y * s->stride + x] = 0;
	} else if (f.kind == VIREO_VGA_FRAME_TEXT) {
		vga_text_render(vga, &f, s);
	} else if (f.kind == VIREO_VGA_FRAME_PLANAR4) {
		render_planar4(vga, &f, s);
	} else if (f.kind == VIREO_VGA_FRAME_CHAIN4) {
		render_chain4(vga, &f, s);
	} else {
		render_vbe(vga, &f, s);
	}
	pthread_mutex_unlock(&vga->lock);
	return 0;
}
