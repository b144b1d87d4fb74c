/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the VGA tests: port and memory accessors as a guest would use
 * them, and mode setting the way the VGA BIOS does it, from the IBM
 * register tables (the values of SeaBIOS's vgasrc/vgatables.c, which
 * copies them: sequencer 1-4, misc, CRTC 0-0x18, attribute 0-0x13,
 * graphics 0-8).
 */
#ifndef VIREO_TEST_VGA_UTIL_H
#define VIREO_TEST_VGA_UTIL_H

#include <stdlib.h>

#include "display/vga.h"

struct vga_mode_regs {
	uint8_t seq[4];
	uint8_t misc;
	uint8_t crtc[25];
	uint8_t attr[20];
	uint8_t gc[9];
};

/* Mode 03h: 80x25 text, 9x16 cells, colour. */
static const struct vga_mode_regs vga_mode_03 = {
	{ 0x00, 0x03, 0x00, 0x02 },
	0x67,
	{ 0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e, 0x00,
	  0x00, 0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff },
	{ 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b, 0x3c,
	  0x3d, 0x3e, 0x3f, 0x0c, 0x00, 0x0f, 0x08 },
	{ 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x0f, 0xff },
};

/* Mode 12h: 640x480, 16 colours, planar. */
static const struct vga_mode_regs vga_mode_12 = {
	{ 0x01, 0x0f, 0x00, 0x06 },
	0xe3,
	{ 0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0x0b, 0x3e, 0x00, 0x40, 0x00, 0x00, 0x00,
	  0x00, 0x00, 0x00, 0xea, 0x8c, 0xdf, 0x28, 0x00, 0xe7, 0x04, 0xe3, 0xff },
	{ 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b, 0x3c,
	  0x3d, 0x3e, 0x3f, 0x01, 0x00, 0x0f, 0x00 },
	{ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x0f, 0xff },
};

/* Mode 13h: 320x200, 256 colours, chain-4. */
static const struct vga_mode_regs vga_mode_13 = {
	{ 0x01, 0x0f, 0x00, 0x0e },
	0x63,
	{ 0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0xbf, 0x1f, 0x00, 0x41, 0x00, 0x00, 0x00,
	  0x00, 0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x28, 0x40, 0x96, 0xb9, 0xa3, 0xff },
	{ 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c,
	  0x0d, 0x0e, 0x0f, 0x41, 0x00, 0x0f, 0x00 },
	{ 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0f, 0xff },
};

static inline void vga_out(struct vireo_vga *vga, uint16_t port, uint8_t v)
{
	uint32_t d = v;

	if (port >= VIREO_VBE_PORT_BASE && port < VIREO_VBE_PORT_BASE + VIREO_VBE_PORTS)
		vireo_vbe_pio(vga, (uint16_t)(port - VIREO_VBE_PORT_BASE), 1, true, &d);
	else
		vireo_vga_pio(vga, (uint16_t)(port - VIREO_VGA_PORT_BASE), 1, true, &d);
}

static inline uint8_t vga_in(struct vireo_vga *vga, uint16_t port)
{
	uint32_t d = 0x5a5a5a5a;

	vireo_vga_pio(vga, (uint16_t)(port - VIREO_VGA_PORT_BASE), 1, false, &d);
	return (uint8_t)d;
}

static inline void vbe_set(struct vireo_vga *vga, uint16_t index, uint16_t val)
{
	uint32_t d = index;

	vireo_vbe_pio(vga, 0, 2, true, &d);
	d = val;
	vireo_vbe_pio(vga, 1, 2, true, &d);
}

static inline uint16_t vbe_get(struct vireo_vga *vga, uint16_t index)
{
	uint32_t d = index;

	vireo_vbe_pio(vga, 0, 2, true, &d);
	vireo_vbe_pio(vga, 1, 2, false, &d);
	return (uint16_t)d;
}

/* A byte at a guest physical address in 0xa0000-0xbffff. */
static inline void vga_poke(struct vireo_vga *vga, uint32_t gpa, uint8_t v)
{
	uint64_t d = v;

	vireo_vga_mmio(vga, gpa - VIREO_VGA_WINDOW_BASE, 1, true, &d);
}

static inline uint8_t vga_peek(struct vireo_vga *vga, uint32_t gpa)
{
	uint64_t d = 0;

	vireo_vga_mmio(vga, gpa - VIREO_VGA_WINDOW_BASE, 1, false, &d);
	return (uint8_t)d;
}

static inline void vga_seq(struct vireo_vga *vga, uint8_t i, uint8_t v)
{
	vga_out(vga, 0x3c4, i);
	vga_out(vga, 0x3c5, v);
}

static inline void vga_gc(struct vireo_vga *vga, uint8_t i, uint8_t v)
{
	vga_out(vga, 0x3ce, i);
	vga_out(vga, 0x3cf, v);
}

static inline void vga_crtc(struct vireo_vga *vga, uint8_t i, uint8_t v)
{
	uint16_t base = (vga_in(vga, 0x3cc) & 1) ? 0x3d4 : 0x3b4;

	vga_out(vga, base, i);
	vga_out(vga, (uint16_t)(base + 1), v);
}

static inline void vga_dac_set(struct vireo_vga *vga, uint8_t index, uint8_t r, uint8_t g,
			       uint8_t b)
{
	vga_out(vga, 0x3c8, index);
	vga_out(vga, 0x3c9, r);
	vga_out(vga, 0x3c9, g);
	vga_out(vga, 0x3c9, b);
}

/* What the VGA BIOS's mode set does with a table (SeaBIOS stdvga_set_mode). */
static inline void vga_set_mode(struct vireo_vga *vga, const struct vga_mode_regs *m)
{
	uint16_t crtc;

	vga_seq(vga, 0, 0x01);
	for (unsigned int i = 0; i < 4; i++)
		vga_seq(vga, (uint8_t)(i + 1), m->seq[i]);
	vga_seq(vga, 0, 0x03);
	vga_out(vga, 0x3c2, m->misc);
	crtc = (m->misc & 1) ? 0x3d4 : 0x3b4;
	vga_out(vga, crtc, 0x11);		/* unprotect CR0-CR7 first */
	vga_out(vga, (uint16_t)(crtc + 1), 0x00);
	for (unsigned int i = 0; i < 25; i++) {
		vga_out(vga, crtc, (uint8_t)i);
		vga_out(vga, (uint16_t)(crtc + 1), m->crtc[i]);
	}
	vga_in(vga, (uint16_t)(crtc + 6));	/* the attribute flip-flop to index */
	for (unsigned int i = 0; i < 20; i++) {
		vga_out(vga, 0x3c0, (uint8_t)i);
		vga_out(vga, 0x3c0, m->attr[i]);
	}
	vga_out(vga, 0x3c0, 0x14);
	vga_out(vga, 0x3c0, 0x00);
	for (unsigned int i = 0; i < 9; i++)
		vga_gc(vga, (uint8_t)i, m->gc[i]);
	vga_out(vga, 0x3c0, 0x20);		/* PAS: the palette to the display */
}

/* A surface large enough for any frame; free() its pixels. */
static inline struct vireo_surface vga_test_surface(void)
{
	struct vireo_surface s = { 0 };

	s.width = s.stride = VIREO_VGA_MAX_WIDTH;
	s.height = VIREO_VGA_MAX_HEIGHT;
	s.pixels = calloc((size_t)s.width * s.height, sizeof(uint32_t));
	return s;
}

#endif /* VIREO_TEST_VGA_UTIL_H */
