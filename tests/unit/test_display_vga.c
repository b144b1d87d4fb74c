// SPDX-License-Identifier: GPL-2.0
/*
 * The VGA's register files, the legacy window's data path and rendering,
 * driven through the ports and the window as a guest drives them, with
 * expectations from the IBM VGA reference (FreeVGA) and the VGA BIOS's
 * own font and mode tables.
 */
#include <errno.h>
#include <stdlib.h>

#include "display/vga.h"
#include "test.h"
#include "test_vga_util.h"

static struct vireo_vga vga;
static struct vireo_surface surf;

static void setup(void)
{
	if (vireo_vga_init(&vga, 0) != 0)
		abort();
	surf = vga_test_surface();
}

static void teardown(void)
{
	free(surf.pixels);
	vireo_vga_fini(&vga);
}

static uint32_t pixel(unsigned int x, unsigned int y)
{
	return surf.pixels[(size_t)y * surf.stride + x];
}

/*
 * 'A' of the IBM VGA 8x16 font (SeaBIOS vgasrc/vgafonts.c, vgafont16 at
 * 0x41 * 16), as the VGA BIOS loads it into plane 2.
 */
static const uint8_t glyph_A[16] = {
	0x00, 0x00, 0x10, 0x38, 0x6c, 0xc6, 0xc6, 0xfe,
	0xc6, 0xc6, 0xc6, 0xc6, 0x00, 0x00, 0x00, 0x00,
};

/* The VGA BIOS's font load: plane 2 alone, sequential addressing, A0000. */
static void load_glyph(uint8_t ch, const uint8_t *rows, unsigned int n)
{
	vga_seq(&vga, 2, 0x04);
	vga_seq(&vga, 4, 0x07);
	vga_gc(&vga, 4, 0x02);
	vga_gc(&vga, 5, 0x00);
	vga_gc(&vga, 6, 0x04);
	for (unsigned int i = 0; i < n; i++)
		vga_poke(&vga, 0xa0000 + ch * 32U + i, rows[i]);
	/* Back to mode 3's text addressing. */
	vga_seq(&vga, 2, 0x03);
	vga_seq(&vga, 4, 0x02);
	vga_gc(&vga, 4, 0x00);
	vga_gc(&vga, 5, 0x10);
	vga_gc(&vga, 6, 0x0e);
}

static void test_text_glyph_from_plane2(void)
{
	struct vireo_vga_frame f;
	uint32_t blue = 0x0000aa, white = 0xffffff;

	setup();
	vga_set_mode(&vga, &vga_mode_03);
	/* Colour 1 -> palette 0x01 -> DAC 1; colour 15 -> palette 0x3f -> DAC 0x3f. */
	vga_dac_set(&vga, 0x01, 0x00, 0x00, 0x2a);
	vga_dac_set(&vga, 0x3f, 0x3f, 0x3f, 0x3f);
	load_glyph('A', glyph_A, 16);
	vga_poke(&vga, 0xb8000, 'A');
	vga_poke(&vga, 0xb8001, 0x1f);		/* white on blue */
	vga_crtc(&vga, 0x0f, 79);		/* the cursor (lines 13-14) off cell 0 */
	T_EQ(vireo_vga_render(&vga, &surf, &f), 0);
	T_EQ(f.kind, VIREO_VGA_FRAME_TEXT);
	T_EQ(f.width, 720);
	T_EQ(f.height, 400);
	T_EQ(f.cols, 80);
	T_EQ(f.rows, 25);
	T_TRUE(!f.blank);
	for (unsigned int l = 0; l < 16; l++) {
		for (unsigned int x = 0; x < 8; x++) {
			uint32_t want = (glyph_A[l] >> (7 - x)) & 1 ? white : blue;

			if (pixel(x, l) != want)
				vireo_test_fail(__FILE__, __LINE__, "glyph line %u x %u: 0x%x", l, x,
						pixel(x, l));
		}
		T_EQ(pixel(8, l), blue);	/* 'A' is no line character: 9th is background */
	}
	teardown();
}

static void test_text_ninth_column_line_graphics(void)
{
	static const uint8_t bar[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	setup();
	vga_set_mode(&vga, &vga_mode_03);
	vga_dac_set(&vga, 0x07, 0x2a, 0x2a, 0x2a);
	load_glyph(0xc4, bar, 16);
	load_glyph(0xb3, bar, 16);
	vga_poke(&vga, 0xb8000, 0xc4);
	vga_poke(&vga, 0xb8001, 0x07);
	vga_poke(&vga, 0xb8002, 0xb3);
	vga_poke(&vga, 0xb8003, 0x07);
	T_EQ(vireo_vga_render(&vga, &surf, NULL), 0);
	/* AR10 = 0x0c has line graphics on: 0xc4 repeats column 8, 0xb3 does not. */
	T_EQ(pixel(8, 5), 0xaaaaaa);
	T_EQ(pixel(9 + 8, 5), 0);
	teardown();
}

static void test_text_cursor_and_blink_attribute(void)
{
	setup();
	vga_set_mode(&vga, &vga_mode_03);
	vga_dac_set(&vga, 0x3f, 0x3f, 0x3f, 0x3f);
	vga_dac_set(&vga, 0x14, 0x2a, 0x15, 0x00);	/* palette[6] = 0x14 */
	vga_poke(&vga, 0xb8002, ' ');
	vga_poke(&vga, 0xb8003, 0xef);		/* blink bit + brown (6) + white */
	vga_crtc(&vga, 0x0e, 0x00);
	vga_crtc(&vga, 0x0f, 0x01);		/* cursor on cell 1, lines 13-14 */
	T_EQ(vireo_vga_render(&vga, &surf, NULL), 0);
	/* AR10 bit 3 (blink) set: bit 7 is blink, so the background is colour 6. */
	T_EQ(pixel(9 + 3, 12), 0xaa5500);
	T_EQ(pixel(9 + 3, 13), 0xffffff);
	T_EQ(pixel(9 + 8, 14), 0xffffff);
	T_EQ(pixel(9 + 3, 15), 0xaa5500);
	/* Cursor off (CR0A bit 5). */
	vga_crtc(&vga, 0x0a, 0x2d);
	T_EQ(vireo_vga_render(&vga, &surf, NULL), 0);
	T_EQ(pixel(9 + 3, 13), 0xaa5500);
	teardown();
}

static void test_text_dump(void)
{
	char buf[80 * 26 + 1];
	const char *hello = "Hello, VGA";
	int n;

	setup();
	vga_set_mode(&vga, &vga_mode_03);
	for (unsigned int i = 0; hello[i]; i++) {
		vga_poke(&vga, 0xb8000 + 80 * 2 * 3 + 2 * i, (uint8_t)hello[i]);
		vga_poke(&vga, 0xb8000 + 80 * 2 * 3 + 2 * i + 1, 0x07);
	}
	vga_poke(&vga, 0xb8000 + 80 * 2 * 4, 0xc9);	/* double-line corner */
	vga_poke(&vga, 0xb8000 + 80 * 2 * 4 + 2, 0xcd);
	vga_poke(&vga, 0xb8000 + 80 * 2 * 4 + 4, 0xba);
	n = vireo_vga_text_dump(&vga, buf, sizeof(buf));
	T_EQ(n, 25 * 81);
	T_TRUE(!strncmp(buf + 81 * 3, "Hello, VGA ", 11));
	T_TRUE(!strncmp(buf + 81 * 4, "+-| ", 4));
	T_EQ(buf[80], '\n');
	T_EQ(vireo_vga_text_dump(&vga, buf, 100), -ENOSPC);
	vga_set_mode(&vga, &vga_mode_13);
	T_EQ(vireo_vga_text_dump(&vga, buf, sizeof(buf)), -ENOTSUP);
	teardown();
}

static void test_mode13_pixel_is_palette_colour(void)
{
	struct vireo_vga_frame f;

	setup();
	vga_set_mode(&vga, &vga_mode_13);
	vga_dac_set(&vga, 5, 0x3f, 0x00, 0x15);
	vga_poke(&vga, 0xa0000 + 320 * 50 + 100, 5);
	vga_poke(&vga, 0xa0000 + 320 * 199 + 319, 5);
	T_EQ(vga_peek(&vga, 0xa0000 + 320 * 50 + 100), 5);
	T_EQ(vireo_vga_render(&vga, &surf, &f), 0);
	T_EQ(f.kind, VIREO_VGA_FRAME_CHAIN4);
	T_EQ(f.width, 320);
	T_EQ(f.height, 200);
	T_EQ(pixel(100, 50), 0xff0055);
	T_EQ(pixel(319, 199), 0xff0055);
	T_EQ(pixel(101, 50), 0);
	/* The pixel mask applies to the index (FreeVGA, 3C6h). */
	vga_out(&vga, 0x3c6, 0xfa);
	T_EQ(vireo_vga_render(&vga, &surf, &f), 0);
	T_EQ(pixel(100, 50), 0);
	teardown();
}

static void test_planar_write_mode2_and_read_mode1(void)
{
	struct vireo_vga_frame f;
	uint32_t at = 0xa0000 + 80 * 10 + 2;	/* pixels 16-23 of line 10 */

	setup();
	vga_set_mode(&vga, &vga_mode_12);
	vga_dac_set(&vga, 0x3c, 0x3f, 0x15, 0x15);	/* colour 12 -> palette 0x3c */
	(void)vga_peek(&vga, at);		/* latches: the zeros there */
	vga_gc(&vga, 5, 0x02);			/* write mode 2 */
	vga_gc(&vga, 8, 0xf0);			/* bit mask: left four pixels */
	vga_poke(&vga, at, 0x0c);
	T_EQ(vireo_vga_render(&vga, &surf, &f), 0);
	T_EQ(f.kind, VIREO_VGA_FRAME_PLANAR4);
	T_EQ(f.width, 640);
	T_EQ(f.height, 480);
	for (unsigned int x = 16; x < 20; x++)
		T_EQ(pixel(x, 10), 0xff5555);
	for (unsigned int x = 20; x < 24; x++)
		T_EQ(pixel(x, 10), 0);
	T_EQ(pixel(16, 11), 0);
	/* Planes 2 and 3 hold 0xf0, planes 0 and 1 nothing (read mode 0, GR4). */
	vga_gc(&vga, 5, 0x00);
	for (uint8_t p = 0; p < 4; p++) {
		vga_gc(&vga, 4, p);
		T_EQ(vga_peek(&vga, at), p >= 2 ? 0xf0 : 0x00);
	}
	/* Read mode 1: compare colour 12 over all planes. */
	vga_gc(&vga, 5, 0x08);
	vga_gc(&vga, 2, 0x0c);
	vga_gc(&vga, 7, 0x0f);
	T_EQ(vga_peek(&vga, at), 0xf0);
	/* Don't care about any plane: every pixel matches. */
	vga_gc(&vga, 7, 0x00);
	T_EQ(vga_peek(&vga, at), 0xff);
	teardown();
}

static void test_planar_write_modes_0_1_3(void)
{
	uint32_t a = 0xa0000, b = 0xa0001, c = 0xa0002, d = 0xa0003;

	setup();
	vga_set_mode(&vga, &vga_mode_12);
	/* Mode 0, rotate right by 1, no function: 0x81 -> 0xc0 in every plane. */
	vga_gc(&vga, 3, 0x01);
	vga_poke(&vga, a, 0x81);
	vga_gc(&vga, 3, 0x00);
	vga_gc(&vga, 4, 3);
	T_EQ(vga_peek(&vga, a), 0xc0);
	/* Mode 0 with set/reset enabled for planes 0 and 1 (set/reset 0x1). */
	vga_gc(&vga, 0, 0x01);
	vga_gc(&vga, 1, 0x03);
	vga_poke(&vga, b, 0x3c);
	vga_gc(&vga, 1, 0x00);
	vga_gc(&vga, 4, 0);
	T_EQ(vga_peek(&vga, b), 0xff);
	vga_gc(&vga, 4, 1);
	T_EQ(vga_peek(&vga, b), 0x00);
	vga_gc(&vga, 4, 2);
	T_EQ(vga_peek(&vga, b), 0x3c);
	/* Mode 0, AND with the latches loaded from a (0xc0 everywhere). */
	vga_gc(&vga, 3, 0x08);
	(void)vga_peek(&vga, a);
	vga_poke(&vga, c, 0x4f);
	vga_gc(&vga, 3, 0x00);
	vga_gc(&vga, 4, 3);
	T_EQ(vga_peek(&vga, c), 0x40);
	/* Mode 1: the latches (from b) copied to d. */
	(void)vga_peek(&vga, b);
	vga_gc(&vga, 5, 0x01);
	vga_poke(&vga, d, 0x00);
	vga_gc(&vga, 5, 0x00);
	for (uint8_t p = 0; p < 4; p++) {
		vga_gc(&vga, 4, p);
		T_EQ(vga_peek(&vga, d), vga_peek(&vga, b));
	}
	/* Mode 3: set/reset 0xa is the colour, data & bit mask the mask. */
	(void)vga_peek(&vga, 0xa0010);		/* zero latches */
	vga_gc(&vga, 5, 0x03);
	vga_gc(&vga, 0, 0x0a);
	vga_gc(&vga, 8, 0x0f);
	vga_poke(&vga, 0xa0010, 0x3c);
	vga_gc(&vga, 5, 0x00);
	for (uint8_t p = 0; p < 4; p++) {
		vga_gc(&vga, 4, p);
		T_EQ(vga_peek(&vga, 0xa0010), (0x0a >> p) & 1 ? 0x0c : 0x00);
	}
	/* The map mask keeps planes out of a write. */
	vga_gc(&vga, 8, 0xff);
	vga_gc(&vga, 0, 0x00);
	vga_seq(&vga, 2, 0x01);
	vga_poke(&vga, 0xa0020, 0x77);
	vga_gc(&vga, 4, 0);
	T_EQ(vga_peek(&vga, 0xa0020), 0x77);
	vga_gc(&vga, 4, 1);
	T_EQ(vga_peek(&vga, 0xa0020), 0x00);
	teardown();
}

static void test_memory_map_select(void)
{
	setup();
	vga_set_mode(&vga, &vga_mode_03);	/* GR6 map 3: B8000-BFFFF */
	T_EQ(vga_peek(&vga, 0xa0000), 0xff);
	vga_poke(&vga, 0xa0000, 0x12);
	T_EQ(vga_peek(&vga, 0xb0000), 0xff);
	vga_poke(&vga, 0xb8010, 0x5a);
	T_EQ(vga_peek(&vga, 0xb8010), 0x5a);
	/* Misc output bit 1 off: no memory decode. */
	vga_out(&vga, 0x3c2, 0x65);
	T_EQ(vga_peek(&vga, 0xb8010), 0xff);
	teardown();
}

static void test_attribute_flip_flop(void)
{
	setup();
	vga_set_mode(&vga, &vga_mode_03);
	vga_in(&vga, 0x3da);
	vga_out(&vga, 0x3c0, 0x32);		/* index 0x12, PAS */
	/* Reading input status 1 puts the flip-flop back to index. */
	vga_in(&vga, 0x3da);
	vga_out(&vga, 0x3c0, 0x33);
	T_EQ(vga_in(&vga, 0x3c0), 0x33);
	vga_out(&vga, 0x3c0, 0x05);		/* data for AR13 */
	T_EQ(vga_in(&vga, 0x3c1), 0x05);
	vga_out(&vga, 0x3c0, 0x32);
	T_EQ(vga_in(&vga, 0x3c1), 0x0f);	/* AR12 as mode 3 left it */
	vga_out(&vga, 0x3c0, 0x0f);
	/* Palette registers are read-only while PAS is 1. */
	vga_out(&vga, 0x3c0, 0x21);
	vga_out(&vga, 0x3c0, 0x3f);
	vga_out(&vga, 0x3c0, 0x21);
	T_EQ(vga_in(&vga, 0x3c1), 0x01);
	vga_out(&vga, 0x3c0, 0x00);
	vga_out(&vga, 0x3c0, 0x01);		/* index 1, PAS 0: writable, screen blank */
	vga_out(&vga, 0x3c0, 0x3f);
	vga_out(&vga, 0x3c0, 0x01);
	T_EQ(vga_in(&vga, 0x3c1), 0x3f);
	{
		struct vireo_vga_frame f;

		vireo_vga_frame_info(&vga, &f);
		T_TRUE(f.blank);
	}
	teardown();
}

static void test_crtc_protect(void)
{
	setup();
	vga_set_mode(&vga, &vga_mode_03);	/* leaves CR11 = 0x8e: protected */
	vga_crtc(&vga, 0x00, 0x12);
	vga_out(&vga, 0x3d4, 0x00);
	T_EQ(vga_in(&vga, 0x3d5), 0x5f);
	vga_crtc(&vga, 0x07, 0xff);
	vga_out(&vga, 0x3d4, 0x07);
	T_EQ(vga_in(&vga, 0x3d5), 0x1f);	/* only bit 4 (line compare 8), already set */
	vga_crtc(&vga, 0x07, 0x00);
	T_EQ(vga_in(&vga, 0x3d5), 0x0f);
	vga_crtc(&vga, 0x09, 0x47);		/* CR9 is not protected */
	vga_out(&vga, 0x3d4, 0x09);
	T_EQ(vga_in(&vga, 0x3d5), 0x47);
	vga_crtc(&vga, 0x11, 0x0e);
	vga_crtc(&vga, 0x00, 0x12);
	vga_out(&vga, 0x3d4, 0x00);
	T_EQ(vga_in(&vga, 0x3d5), 0x12);
	teardown();
}

static void test_mono_and_colour_addressing(void)
{
	setup();
	vga_out(&vga, 0x3c2, 0x01);		/* colour: CRTC at 0x3d4 */
	vga_out(&vga, 0x3d4, 0x0e);
	vga_out(&vga, 0x3d5, 0x07);
	T_EQ(vga_in(&vga, 0x3b4), 0xff);
	T_EQ(vga_in(&vga, 0x3ba), 0xff);
	vga_out(&vga, 0x3b5, 0x55);		/* not decoded */
	T_EQ(vga_in(&vga, 0x3d5), 0x07);
	vga_out(&vga, 0x3c2, 0x00);		/* mono: the same CRTC at 0x3b4 */
	T_EQ(vga_in(&vga, 0x3d4), 0xff);
	T_EQ(vga_in(&vga, 0x3b4), 0x0e);
	T_EQ(vga_in(&vga, 0x3b5), 0x07);
	T_EQ(vga_in(&vga, 0x3cc), 0x00);
	teardown();
}

static void test_vertical_retrace_toggles(void)
{
	uint8_t a, b;

	setup();
	vga_out(&vga, 0x3c2, 0x01);
	a = vga_in(&vga, 0x3da);
	b = vga_in(&vga, 0x3da);
	/* A guest waiting for retrace to start, then to end, sees both. */
	T_TRUE((a ^ b) & 0x08);
	T_TRUE((a ^ b) & 0x01);
	teardown();
}

static void test_dac_indices(void)
{
	setup();
	vga_out(&vga, 0x3c8, 10);
	T_EQ(vga_in(&vga, 0x3c7), 0x00);	/* write mode */
	vga_out(&vga, 0x3c9, 0xff);		/* 6 bits kept */
	vga_out(&vga, 0x3c9, 0x15);
	vga_out(&vga, 0x3c9, 0x2a);
	vga_out(&vga, 0x3c9, 0x01);		/* entry 11 */
	T_EQ(vga_in(&vga, 0x3c8), 11);
	vga_out(&vga, 0x3c7, 10);
	T_EQ(vga_in(&vga, 0x3c7), 0x03);	/* read mode */
	T_EQ(vga_in(&vga, 0x3c9), 0x3f);
	T_EQ(vga_in(&vga, 0x3c9), 0x15);
	T_EQ(vga_in(&vga, 0x3c9), 0x2a);
	T_EQ(vga_in(&vga, 0x3c9), 0x01);	/* entry 11 red */
	T_EQ(vga_in(&vga, 0x3c6), 0xff);
	teardown();
}

static void test_word_port_writes(void)
{
	uint32_t d = 0x0f02;			/* out 0x3c4, 0x0f02: SR2 = 0x0f */

	setup();
	vireo_vga_pio(&vga, 0x3c4 - VIREO_VGA_PORT_BASE, 2, true, &d);
	vga_out(&vga, 0x3c4, 0x02);
	T_EQ(vga_in(&vga, 0x3c5), 0x0f);
	d = 0;
	T_EQ(vireo_vga_pio(&vga, VIREO_VGA_PORTS, 1, false, &d), -EINVAL);
	teardown();
}

static void test_render_needs_room(void)
{
	struct vireo_surface small = { surf.pixels, 100, 100, 100 };
	struct vireo_vga_frame f;

	setup();
	small.pixels = surf.pixels;
	vga_set_mode(&vga, &vga_mode_12);
	T_EQ(vireo_vga_render(&vga, &small, &f), -ENOSPC);
	T_EQ(f.width, 640);
	teardown();
}

static const struct vireo_test tests[] = {
	VIREO_TEST(test_text_glyph_from_plane2),
	VIREO_TEST(test_text_ninth_column_line_graphics),
	VIREO_TEST(test_text_cursor_and_blink_attribute),
	VIREO_TEST(test_text_dump),
	VIREO_TEST(test_mode13_pixel_is_palette_colour),
	VIREO_TEST(test_planar_write_mode2_and_read_mode1),
	VIREO_TEST(test_planar_write_modes_0_1_3),
	VIREO_TEST(test_memory_map_select),
	VIREO_TEST(test_attribute_flip_flop),
	VIREO_TEST(test_crtc_protect),
	VIREO_TEST(test_mono_and_colour_addressing),
	VIREO_TEST(test_vertical_retrace_toggles),
	VIREO_TEST(test_dac_indices),
	VIREO_TEST(test_word_port_writes),
	VIREO_TEST(test_render_needs_room),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(display_vga, tests);
