// SPDX-License-Identifier: GPL-2.0
/*
 * The legacy memory window 0xa0000-0xbffff: which bytes of which planes a
 * CPU access reaches, and the graphics controller's data path for planar
 * writes (IBM VGA technical reference; FreeVGA "Graphics Controller" and
 * "Sequencer Memory Mode"):
 *
 *   chain-4 (SR4 bit 3)        address bits 1:0 pick the plane, the rest
 *                              the offset; in the interleaved layout
 *                              that is simply video memory byte addr;
 *   odd/even (SR4 bit 2 clear  address bit 0 picks plane 0/1 (2/3 with
 *   for writes, GR5 bit 4 set  GR4 bit 1), the offset is addr / 2;
 *   for reads)
 *   planar                     offset addr in every plane; writes go
 *                              through rotate, set/reset, the logical
 *                              function and the bit mask against the
 *                              latches into the planes SR2 enables;
 *                              reads load all four latches and return
 *                              plane GR4 (read mode 0) or the colour
 *                              compare (read mode 1).
 *
 * While VBE is enabled the window's first 64 KiB is the bank: video
 * memory at BANK * 64 KiB, byte for byte.
 */
#include "display/vga_internal.h"

#define VBE_BANK_SIZE	0x10000U

/* Where GR6 bits 3:2 put the window: -1 if addr is outside it, else addr within. */
static int64_t window_offset(const struct vireo_vga *vga, uint32_t addr)
{
	static const uint32_t base[4] = { 0, 0, 0x10000, 0x18000 };
	static const uint32_t size[4] = { 0x20000, 0x10000, 0x8000, 0x8000 };
	unsigned int map = (vga->gc[VGA_GR_MISC] >> 2) & 3;

	if (!(vga->misc & VGA_MISC_RAM_ENABLE))
		return -1;
	if (addr < base[map] || addr - base[map] >= size[map])
		return -1;
	return addr - base[map];
}

static uint8_t *bank_byte(struct vireo_vga *vga, uint32_t addr)
{
	size_t at;

	if (addr >= VBE_BANK_SIZE)
		return NULL;
	at = (size_t)vga->vbe[VIREO_VBE_INDEX_BANK] * VBE_BANK_SIZE + addr;
	return at < vga->vram_size ? &vga->vram[at] : NULL;
}

static void load_latches(struct vireo_vga *vga, uint32_t offset)
{
	for (unsigned int p = 0; p < 4; p++)
		vga->latch[p] = *vga_plane_byte(vga, p, offset);
}

/* Read mode 1: a 1 for each pixel whose planes match the compare colour. */
static uint8_t colour_compare(const struct vireo_vga *vga)
{
	uint8_t cc = vga->gc[VGA_GR_COLOR_COMPARE], care = vga->gc[VGA_GR_DONT_CARE];
	uint8_t differ = 0;

	for (unsigned int p = 0; p < 4; p++) {
		uint8_t want = (cc >> p) & 1 ? 0xff : 0x00;

		if ((care >> p) & 1)
			differ |= vga->latch[p] ^ want;
	}
	return (uint8_t)~differ;
}

uint8_t vga_mem_read(struct vireo_vga *vga, uint32_t addr)
{
	int64_t w;
	uint32_t off;
	unsigned int plane;

	if (vbe_enabled(vga)) {
		uint8_t *b = bank_byte(vga, addr);

		return b ? *b : 0xff;
	}
	w = window_offset(vga, addr);
	if (w < 0)
		return 0xff;
	off = (uint32_t)w;
	if (vga->seq[VGA_SR_MEMORY_MODE] & VGA_SR4_CHAIN4)
		return *vga_plane_byte(vga, off & 3, off >> 2);
	if (vga->gc[VGA_GR_MODE] & VGA_GR5_HOST_ODD_EVEN) {
		plane = (vga->gc[VGA_GR_READ_MAP] & 2) | (off & 1);
		load_latches(vga, off >> 1);
		return vga->latch[plane];
	}
	load_latches(vga, off);
	if (vga->gc[VGA_GR_MODE] & VGA_GR5_READ_MODE1)
		return colour_compare(vga);
	return vga->latch[vga->gc[VGA_GR_READ_MAP] & 3];
}

static uint8_t logical_op(unsigned int func, uint8_t v, uint8_t latch)
{
	switch (func) {
	case 1:
		return v & latch;
	case 2:
		return v | latch;
	case 3:
		return v ^ latch;
	default:
		return v;
	}
}

/* The planar data path (write modes 0-3) into the planes SR2 enables. */
static void planar_write(struct vireo_vga *vga, uint32_t off, uint8_t val)
{
	const uint8_t *gc = vga->gc;
	unsigned int rot = gc[VGA_GR_ROTATE] & 7, func = (gc[VGA_GR_ROTATE] >> 3) & 3;
	unsigned int mode = gc[VGA_GR_MODE] & 3;
	uint8_t mask = gc[VGA_GR_BIT_MASK];
	uint8_t rotated = (uint8_t)((val >> rot) | (val << ((8 - rot) & 7)));
	uint8_t out[4];

	for (unsigned int p = 0; p < 4; p++) {
		uint8_t sr = (gc[VGA_GR_SET_RESET] >> p) & 1 ? 0xff : 0x00;
		uint8_t v;

		switch (mode) {
		case 0:
			v = (gc[VGA_GR_ENABLE_SR] >> p) & 1 ? sr : rotated;
			break;
		case 1:		/* the latches, unchanged */
			out[p] = vga->latch[p];
			continue;
		case 2:
			v = (val >> p) & 1 ? 0xff : 0x00;
			break;
		default:	/* 3: set/reset is the data, rotated value & bit mask the mask */
			v = sr;
			break;
		}
		v = logical_op(func, v, vga->latch[p]);
		if (mode == 3) {
			uint8_t m = rotated & mask;

			out[p] = (uint8_t)((v & m) | (vga->latch[p] & ~m));
		} else {
			out[p] = (uint8_t)((v & mask) | (vga->latch[p] & ~mask));
		}
	}
	for (unsigned int p = 0; p < 4; p++)
		if ((vga->seq[VGA_SR_MAP_MASK] >> p) & 1)
			*vga_plane_byte(vga, p, off) = out[p];
}

void vga_mem_write(struct vireo_vga *vga, uint32_t addr, uint8_t val)
{
	int64_t w;
	uint32_t off;
	unsigned int plane;

	if (vbe_enabled(vga)) {
		uint8_t *b = bank_byte(vga, addr);

		if (b)
			*b = val;
		vga->generation++;
		return;
	}
	w = window_offset(vga, addr);
	if (w < 0)
		return;
	off = (uint32_t)w;
	vga->generation++;
	if (vga->seq[VGA_SR_MEMORY_MODE] & VGA_SR4_CHAIN4) {
		plane = off & 3;
		if ((vga->seq[VGA_SR_MAP_MASK] >> plane) & 1)
			*vga_plane_byte(vga, plane, off >> 2) = val;
		return;
	}
	if (!(vga->seq[VGA_SR_MEMORY_MODE] & VGA_SR4_SEQUENTIAL)) {
		plane = (vga->gc[VGA_GR_READ_MAP] & 2) | (off & 1);
		if ((vga->seq[VGA_SR_MAP_MASK] >> plane) & 1)
			*vga_plane_byte(vga, plane, off >> 1) = val;
		return;
	}
	planar_write(vga, off, val);
}
