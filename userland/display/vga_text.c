// SPDX-License-Identifier: GPL-2.0
/*
 * The alphanumeric modes: a grid of character cells, each a character
 * code in plane 0 and an attribute in plane 1 (one CRTC address per
 * cell), drawn with the font the VGA BIOS loaded into plane 2: 32 bytes
 * per character, one byte per scanline, in one of the eight 8 KiB font
 * areas SR3 selects (attribute bit 3 picks map A or B).  FreeVGA,
 * "VGA Text Mode Operation" and the sequencer's character map select.
 *
 * The ninth column of 9-dot cells is background, except for the line
 * drawing characters 0xc0-0xdf with AR10's line graphics bit, which
 * repeat their eighth.  Attribute bit 7 is blink when AR10 enables
 * blinking -- shown steadily here -- and background intensity when not.
 * The cursor (CR0A-CR0F) is always on.
 */
#include <errno.h>

#include "display/vga_internal.h"

#define FONT_BYTES_PER_CHAR	32

void vga_text_geometry(const struct vireo_vga *vga, struct vireo_vga_frame *f)
{
	unsigned int lines = vga_display_lines(vga);

	if (vga->crtc[VGA_CR_MAX_SCAN] & 0x80)		/* double scan */
		lines /= 2;
	f->kind = VIREO_VGA_FRAME_TEXT;
	f->cell_width = (vga->seq[VGA_SR_CLOCKING] & VGA_SR1_8DOT) ? 8 : 9;
	f->cell_height = (vga->crtc[VGA_CR_MAX_SCAN] & 0x1f) + 1U;
	f->cols = vga->crtc[VGA_CR_HDISP_END] + 1U;
	f->rows = lines / f->cell_height;
	f->width = f->cols * f->cell_width;
	f->height = f->rows * f->cell_height;
}

/* Plane 2 offset of a font area: SR3's 3-bit select, the high bit worth 8 KiB. */
static uint32_t font_base(unsigned int low2, unsigned int high)
{
	return (low2 & 3) * 0x4000U + (high & 1) * 0x2000U;
}

static uint32_t cell_address(const struct vireo_vga *vga, unsigned int row, unsigned int col)
{
	uint32_t start = (uint32_t)vga->crtc[VGA_CR_START_HI] << 8 | vga->crtc[VGA_CR_START_LO];

	return start + row * vga->crtc[VGA_CR_OFFSET] * 2U + col;
}

void vga_text_render(const struct vireo_vga *vga, const struct vireo_vga_frame *f,
		     const struct vireo_surface *s)
{
	uint8_t sr3 = vga->seq[VGA_SR_CHARMAP];
	uint32_t map_a = font_base(sr3 >> 2, sr3 >> 5), map_b = font_base(sr3, sr3 >> 4);
	uint8_t cur_start = vga->crtc[VGA_CR_CURSOR_START];
	unsigned int cur_end = vga->crtc[VGA_CR_CURSOR_END] & 0x1f;
	uint32_t cursor = (uint32_t)vga->crtc[VGA_CR_CURSOR_HI] << 8 | vga->crtc[VGA_CR_CURSOR_LO];
	bool cursor_on = !(cur_start & 0x20) && (cur_start & 0x1f) <= cur_end;
	unsigned int underline = vga->crtc[VGA_CR_UNDERLINE] & 0x1f;
	bool line_graphics = vga->attr[VGA_AR_MODE] & VGA_AR10_LINE_GRAPHICS;
	bool blink = vga->attr[VGA_AR_MODE] & VGA_AR10_BLINK;
	uint32_t palette[16];

	for (unsigned int c = 0; c < 16; c++)
		palette[c] = vga_dac_xrgb(vga, vga_attr_to_dac(vga, (uint8_t)c));

	for (unsigned int r = 0; r < f->rows; r++) {
		for (unsigned int c = 0; c < f->cols; c++) {
			uint32_t cell = cell_address(vga, r, c);
			uint8_t ch = *vga_plane_byte(vga, 0, cell);
			uint8_t at = *vga_plane_byte(vga, 1, cell);
			uint32_t fg = palette[at & 0x0f];
			uint32_t bg = palette[(at >> 4) & (blink ? 0x07 : 0x0f)];
			uint32_t glyph = ((at & 0x08) ? map_a : map_b) + ch * FONT_BYTES_PER_CHAR;
			bool ninth = line_graphics && ch >= 0xc0 && ch <= 0xdf;

			for (unsigned int l = 0; l < f->cell_height; l++) {
				uint32_t *px = s->pixels + (size_t)(r * f->cell_height + l) * s->stride +
					       c * f->cell_width;
				uint8_t bits = *vga_plane_byte(vga, 2, glyph + l);
				bool solid = (l == underline && (at & 0x77) == 0x01) ||
					     (cursor_on && cell == cursor &&
					      l >= (cur_start & 0x1fU) && l <= cur_end);

				if (solid)
					bits = 0xff;
				for (unsigned int x = 0; x < 8; x++)
					px[x] = (bits >> (7 - x)) & 1 ? fg : bg;
				if (f->cell_width == 9)
					px[8] = (solid || (ninth && (bits & 1))) ? fg : bg;
			}
		}
	}
}

/* Code page 437 to the nearest ASCII, for dumps a test or a person can grep. */
static char cp437_ascii(uint8_t ch)
{
	if (ch == 0 || ch == 0x20 || ch == 0xff)
		return ' ';
	if (ch > 0x20 && ch < 0x7f)
		return (char)ch;
	if (ch == 0xb3 || ch == 0xba)
		return '|';
	if (ch == 0xc4 || ch == 0xcd)
		return '-';
	if ((ch >= 0xb0 && ch <= 0xb2) || (ch >= 0xdb && ch <= 0xdf))
		return '#';
	if (ch >= 0xb4 && ch <= 0xda)
		return '+';
	return '.';
}

int vireo_vga_text_dump(struct vireo_vga *vga, char *buf, size_t len)
{
	struct vireo_vga_frame f = { 0 };
	size_t n = 0;

	pthread_mutex_lock(&vga->lock);
	if (vbe_enabled(vga) || (vga->gc[VGA_GR_MISC] & VGA_GR6_GRAPHICS)) {
		pthread_mutex_unlock(&vga->lock);
		return -ENOTSUP;
	}
	vga_text_geometry(vga, &f);
	if ((size_t)f.rows * (f.cols + 1) + 1 > len) {
		pthread_mutex_unlock(&vga->lock);
		return -ENOSPC;
	}
	for (unsigned int r = 0; r < f.rows; r++) {
		for (unsigned int c = 0; c < f.cols; c++)
			buf[n++] = cp437_ascii(*vga_plane_byte(vga, 0, cell_address(vga, r, c)));
		buf[n++] = '\n';
	}
	buf[n] = '\0';
	pthread_mutex_unlock(&vga->lock);
	return (int)n;
}
