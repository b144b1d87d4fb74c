/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Between the files of the VGA device; not for the machine.  Register
 * indices and bits are the IBM VGA's (FreeVGA's names); every function
 * here expects vga->lock held.
 */
#ifndef VIREO_DISPLAY_VGA_INTERNAL_H
#define VIREO_DISPLAY_VGA_INTERNAL_H

#include "display/vga.h"

/* Misc output (0x3c2 write, 0x3cc read). */
#define VGA_MISC_COLOR_IO	0x01	/* I/OAS: CRTC at 0x3dx, else 0x3bx */
#define VGA_MISC_RAM_ENABLE	0x02

/* Sequencer. */
#define VGA_SR_CLOCKING		1
#define VGA_SR1_8DOT		0x01
#define VGA_SR1_SCREEN_OFF	0x20
#define VGA_SR_MAP_MASK		2
#define VGA_SR_CHARMAP		3
#define VGA_SR_MEMORY_MODE	4
#define VGA_SR4_SEQUENTIAL	0x04	/* odd/even host writes off */
#define VGA_SR4_CHAIN4		0x08

/* CRTC. */
#define VGA_CR_HDISP_END	0x01
#define VGA_CR_OVERFLOW		0x07
#define VGA_CR7_LINE_COMPARE8	0x10	/* the one bit CR11's protect leaves writable */
#define VGA_CR_MAX_SCAN		0x09
#define VGA_CR_CURSOR_START	0x0a
#define VGA_CR_CURSOR_END	0x0b
#define VGA_CR_START_HI		0x0c
#define VGA_CR_START_LO		0x0d
#define VGA_CR_CURSOR_HI	0x0e
#define VGA_CR_CURSOR_LO	0x0f
#define VGA_CR_VRETRACE_END	0x11
#define VGA_CR11_PROTECT	0x80
#define VGA_CR_VDISP_END	0x12
#define VGA_CR_OFFSET		0x13
#define VGA_CR_UNDERLINE	0x14

/* Graphics controller. */
#define VGA_GR_SET_RESET	0
#define VGA_GR_ENABLE_SR	1
#define VGA_GR_COLOR_COMPARE	2
#define VGA_GR_ROTATE		3
#define VGA_GR_READ_MAP		4
#define VGA_GR_MODE		5
#define VGA_GR5_READ_MODE1	0x08
#define VGA_GR5_HOST_ODD_EVEN	0x10
#define VGA_GR5_256COLOR	0x40
#define VGA_GR_MISC		6
#define VGA_GR6_GRAPHICS	0x01
#define VGA_GR_DONT_CARE	7
#define VGA_GR_BIT_MASK		8

/* Attribute controller. */
#define VGA_AR_INDEX_PAS	0x20	/* 0: the palette is the CPU's, screen blank */
#define VGA_AR_MODE		0x10
#define VGA_AR10_GRAPHICS	0x01
#define VGA_AR10_LINE_GRAPHICS	0x04	/* 9th column repeats 0xc0-0xdf's 8th */
#define VGA_AR10_BLINK		0x08
#define VGA_AR10_P54_SELECT	0x80
#define VGA_AR_PLANE_ENABLE	0x12
#define VGA_AR_COLOR_SELECT	0x14

/* Input status 1 (0x3ba/0x3da read). */
#define VGA_ST01_DISP_DISABLED	0x01
#define VGA_ST01_VRETRACE	0x08

/* vga.c: one byte at a legacy port (an absolute port number). */
uint8_t vga_port_read(struct vireo_vga *vga, uint16_t port);
void vga_port_write(struct vireo_vga *vga, uint16_t port, uint8_t val);
void vga_regs_reset(struct vireo_vga *vga);

/* vga_mem.c: one byte of the window, addr from 0xa0000. */
uint8_t vga_mem_read(struct vireo_vga *vga, uint32_t addr);
void vga_mem_write(struct vireo_vga *vga, uint32_t addr, uint8_t val);

/* vbe.c */
void vbe_reset(struct vireo_vga *vga);
uint16_t vbe_read(struct vireo_vga *vga, uint16_t index);
void vbe_write(struct vireo_vga *vga, uint16_t index, uint16_t val);
bool vbe_enabled(const struct vireo_vga *vga);
/* Bytes per scanline of the enabled mode (virtual width), and its first byte. */
size_t vbe_line_bytes(const struct vireo_vga *vga);
size_t vbe_start_byte(const struct vireo_vga *vga);

/* vga_render.c: colours. */
uint32_t vga_dac_xrgb(const struct vireo_vga *vga, uint8_t index);
/* A 4-bit attribute colour through the palette registers to a DAC index. */
uint8_t vga_attr_to_dac(const struct vireo_vga *vga, uint8_t colour);

/* vga_text.c */
void vga_text_geometry(const struct vireo_vga *vga, struct vireo_vga_frame *frame);
void vga_text_render(const struct vireo_vga *vga, const struct vireo_vga_frame *frame,
		     const struct vireo_surface *s);

/* A plane byte: the planes are interleaved in the first 256 KiB of vram. */
#define VGA_PLANE_SIZE		0x10000U
static inline uint8_t *vga_plane_byte(const struct vireo_vga *vga, unsigned int plane,
				      uint32_t offset)
{
	return &vga->vram[(size_t)(offset & (VGA_PLANE_SIZE - 1)) * 4 + (plane & 3)];
}

/* Rows of scanlines the CRTC displays (CR12 with CR7's bits 8 and 9). */
static inline unsigned int vga_display_lines(const struct vireo_vga *vga)
{
	const uint8_t *cr = vga->crtc;

	return (cr[VGA_CR_VDISP_END] | (cr[VGA_CR_OVERFLOW] & 0x02) << 7 |
		(cr[VGA_CR_OVERFLOW] & 0x40) << 3) + 1;
}

#endif /* VIREO_DISPLAY_VGA_INTERNAL_H */
