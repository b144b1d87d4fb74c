// SPDX-License-Identifier: GPL-2.0
/*
 * The Bochs VBE registers as bochs-drm and the VGA BIOS program them,
 * malformed modes (refused, VBE stays off), the bank window, the linear
 * framebuffer's pixel formats, QEMU's MMIO BAR layout, and random
 * register and memory storms that end in a render and a text dump.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "display/vga.h"
#include "test.h"
#include "test_hw_fakes.h"
#include "test_vga_util.h"

static struct vireo_vga vga;
static struct vireo_surface surf;

static void setup_vram(size_t vram)
{
	if (vireo_vga_init(&vga, vram) != 0)
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

/* bochs-drm's bochs_hw_setmode(): disable, program, enable with the LFB. */
static void set_mode(unsigned int x, unsigned int y, unsigned int bpp, uint16_t flags)
{
	vbe_set(&vga, VIREO_VBE_INDEX_ENABLE, 0);
	vbe_set(&vga, VIREO_VBE_INDEX_BPP, (uint16_t)bpp);
	vbe_set(&vga, VIREO_VBE_INDEX_XRES, (uint16_t)x);
	vbe_set(&vga, VIREO_VBE_INDEX_YRES, (uint16_t)y);
	vbe_set(&vga, VIREO_VBE_INDEX_BANK, 0);
	vbe_set(&vga, VIREO_VBE_INDEX_VIRT_WIDTH, (uint16_t)x);
	vbe_set(&vga, VIREO_VBE_INDEX_VIRT_HEIGHT, (uint16_t)y);
	vbe_set(&vga, VIREO_VBE_INDEX_X_OFFSET, 0);
	vbe_set(&vga, VIREO_VBE_INDEX_Y_OFFSET, 0);
	vbe_set(&vga, VIREO_VBE_INDEX_ENABLE,
		(uint16_t)(VIREO_VBE_ENABLED | VIREO_VBE_LFB_ENABLED | flags));
}

static void test_identity_and_caps(void)
{
	setup_vram(0);
	T_EQ(vbe_get(&vga, VIREO_VBE_INDEX_ID), 0xb0c5);
	vbe_set(&vga, VIREO_VBE_INDEX_ID, 0xb0c2);
	T_EQ(vbe_get(&vga, VIREO_VBE_INDEX_ID), 0xb0c2);
	vbe_set(&vga, VIREO_VBE_INDEX_ID, 0x1234);	/* not an ID: ignored */
	T_EQ(vbe_get(&vga, VIREO_VBE_INDEX_ID), 0xb0c2);
	T_EQ(vbe_get(&vga, VIREO_VBE_INDEX_VIDEO_MEMORY_64K), 256);	/* 16 MiB */
	vbe_set(&vga, VIREO_VBE_INDEX_XRES, 640);
	vbe_set(&vga, VIREO_VBE_INDEX_ENABLE, VIREO_VBE_GETCAPS);
	T_EQ(vbe_get(&vga, VIREO_VBE_INDEX_XRES), 2560);
	T_EQ(vbe_get(&vga, VIREO_VBE_INDEX_YRES), 2048);
	T_EQ(vbe_get(&vga, VIREO_VBE_INDEX_BPP), 32);
	vbe_set(&vga, VIREO_VBE_INDEX_ENABLE, 0);
	T_EQ(vbe_get(&vga, VIREO_VBE_INDEX_XRES), 640);
	T_EQ(vbe_get(&vga, 0x77), 0);
	teardown();
}

static void test_1080p_32bpp_lfb(void)
{
	struct vireo_vga_frame f;

	setup_vram(0);
	memset(vga.vram, 0xee, 4096);
	set_mode(1920, 1080, 32, 0);
	T_EQ(vbe_get(&vga, VIREO_VBE_INDEX_ENABLE), VIREO_VBE_ENABLED | VIREO_VBE_LFB_ENABLED);
	T_EQ(vga.vram[0], 0);			/* cleared: no NOCLEARMEM */
	T_EQ(vbe_get(&vga, VIREO_VBE_INDEX_VIRT_HEIGHT), (16U << 20) / (1920 * 4));
	/* The guest's store through the LFB: XRGB, little endian. */
	{
		uint8_t *p = vga.vram + (1079 * 1920 + 1919) * 4;

		p[0] = 0x56;
		p[1] = 0x34;
		p[2] = 0x12;
	}
	T_EQ(vireo_vga_render(&vga, &surf, &f), 0);
	T_EQ(f.kind, VIREO_VGA_FRAME_VBE);
	T_EQ(f.width, 1920);
	T_EQ(f.height, 1080);
	T_EQ(f.bpp, 32);
	T_EQ(pixel(1919, 1079), 0x123456);
	T_EQ(pixel(0, 0), 0);
	/* Pan by one line (bochs-drm's setbase). */
	vbe_set(&vga, VIREO_VBE_INDEX_Y_OFFSET, 1);
	T_EQ(vireo_vga_render(&vga, &surf, &f), 0);
	T_EQ(pixel(1919, 1078), 0x123456);
	/* Mode registers do not move while enabled. */
	vbe_set(&vga, VIREO_VBE_INDEX_XRES, 800);
	T_EQ(vbe_get(&vga, VIREO_VBE_INDEX_XRES), 1920);
	teardown();
}

static void test_pixel_formats(void)
{
	setup_vram(0);
	set_mode(64, 8, 16, 0);
	vga.vram[0] = 0x00;
	vga.vram[1] = 0xf8;			/* 565 red */
	vga.vram[2] = 0xe0;
	vga.vram[3] = 0x07;			/* 565 green */
	T_EQ(vireo_vga_render(&vga, &surf, NULL), 0);
	T_EQ(pixel(0, 0), 0xff0000);
	T_EQ(pixel(1, 0), 0x00ff00);
	set_mode(64, 8, 15, VIREO_VBE_NOCLEARMEM);
	vga.vram[0] = 0x00;
	vga.vram[1] = 0x7c;			/* 555 red */
	vga.vram[2] = 0x1f;
	vga.vram[3] = 0x00;			/* 555 blue */
	T_EQ(vireo_vga_render(&vga, &surf, NULL), 0);
	T_EQ(pixel(0, 0), 0xff0000);
	T_EQ(pixel(1, 0), 0x0000ff);
	set_mode(64, 8, 24, 0);
	vga.vram[3] = 0x01;
	vga.vram[4] = 0x02;
	vga.vram[5] = 0x03;			/* B, G, R */
	T_EQ(vireo_vga_render(&vga, &surf, NULL), 0);
	T_EQ(pixel(1, 0), 0x030201);
	/* 8 bpp through the DAC, 8 bits wide with 8BIT_DAC. */
	set_mode(64, 8, 8, VIREO_VBE_8BIT_DAC);
	vga_dac_set(&vga, 9, 0x80, 0x81, 0x82);
	vga.vram[64 * 2 + 3] = 9;
	T_EQ(vireo_vga_render(&vga, &surf, NULL), 0);
	T_EQ(pixel(3, 2), 0x808182);
	teardown();
}

static void test_malformed_modes_refused(void)
{
	struct vireo_vga_frame f;
	static const struct {
		unsigned int x, y, bpp;
	} bad[] = {
		{ 2560, 1600, 32 },	/* 16000000 bytes: more than 4 MiB */
		{ 1024, 768, 12 },	/* no such depth */
		{ 1024, 768, 4 },	/* planar VBE: not offered */
		{ 0, 768, 32 },
		{ 640, 0, 32 },
		{ 2568, 8, 8 },		/* wider than 2560 */
		{ 8, 2056, 8 },		/* taller than 2048 */
		{ 0xffff, 0xffff, 0xffff },
	};

	setup_vram(4U << 20);
	vga_set_mode(&vga, &vga_mode_03);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		set_mode(bad[i].x, bad[i].y, bad[i].bpp, 0);
		T_EQ(vbe_get(&vga, VIREO_VBE_INDEX_ENABLE) & VIREO_VBE_ENABLED, 0);
		vireo_vga_frame_info(&vga, &f);
		T_EQ(f.kind, VIREO_VGA_FRAME_TEXT);
		T_EQ(vga.vbe_refused, i + 1);
		T_EQ(vga.vbe_refused_mode.xres, bad[i].x & 0xffff);
		T_EQ(vga.vbe_refused_mode.yres, bad[i].y & 0xffff);
		T_EQ(vga.vbe_refused_mode.bpp, bad[i].bpp & 0xffff);
		T_EQ(vireo_vga_render(&vga, &surf, &f), 0);
	}
	/* The largest that fits 4 MiB at 32 bpp is still fine. */
	set_mode(1024, 1024, 32, 0);
	T_EQ(vbe_get(&vga, VIREO_VBE_INDEX_ENABLE) & VIREO_VBE_ENABLED, VIREO_VBE_ENABLED);
	/* 2560x1600x32 and OVMF's 2048x2048x32 (exactly 16 MiB) fit the default. */
	teardown();
	setup_vram(0);
	set_mode(2560, 1600, 32, 0);
	T_EQ(vbe_get(&vga, VIREO_VBE_INDEX_ENABLE) & VIREO_VBE_ENABLED, VIREO_VBE_ENABLED);
	T_EQ(vireo_vga_render(&vga, &surf, &f), 0);
	T_EQ(f.width, 2560);
	T_EQ(f.height, 1600);
	set_mode(2048, 2048, 32, 0);
	T_EQ(vbe_get(&vga, VIREO_VBE_INDEX_ENABLE) & VIREO_VBE_ENABLED, VIREO_VBE_ENABLED);
	T_EQ(vireo_vga_render(&vga, &surf, &f), 0);
	T_EQ(f.height, 2048);
	set_mode(2056, 2048, 32, 0);		/* 8 pixels a line more: past 16 MiB */
	T_EQ(vbe_get(&vga, VIREO_VBE_INDEX_ENABLE) & VIREO_VBE_ENABLED, 0);
	teardown();
}

static void test_panning_past_memory_is_black(void)
{
	struct vireo_vga_frame f;

	setup_vram(4U << 20);
	set_mode(1024, 1024, 32, 0);
	memset(vga.vram, 0x77, vga.vram_size);
	vbe_set(&vga, VIREO_VBE_INDEX_VIRT_WIDTH, 0xffff);
	vbe_set(&vga, VIREO_VBE_INDEX_X_OFFSET, 0xffff);
	vbe_set(&vga, VIREO_VBE_INDEX_Y_OFFSET, 0xffff);
	T_EQ(vireo_vga_render(&vga, &surf, &f), 0);
	T_EQ(pixel(0, 0), 0);
	T_EQ(pixel(1023, 1023), 0);
	/* A virtual width below XRES reads back as XRES. */
	vbe_set(&vga, VIREO_VBE_INDEX_VIRT_WIDTH, 16);
	T_EQ(vbe_get(&vga, VIREO_VBE_INDEX_VIRT_WIDTH), 1024);
	vbe_set(&vga, VIREO_VBE_INDEX_X_OFFSET, 0);
	vbe_set(&vga, VIREO_VBE_INDEX_Y_OFFSET, 0);
	T_EQ(vireo_vga_render(&vga, &surf, &f), 0);
	T_EQ(pixel(1023, 1023), 0x777777);
	teardown();
}

static void test_bank_window(void)
{
	setup_vram(0);
	set_mode(800, 600, 8, 0);
	vbe_set(&vga, VIREO_VBE_INDEX_BANK, 3);
	vga_poke(&vga, 0xa0005, 0x42);
	T_EQ(vga.vram[3 * 0x10000 + 5], 0x42);
	T_EQ(vga_peek(&vga, 0xa0005), 0x42);
	T_EQ(vga_peek(&vga, 0xb8000), 0xff);	/* only the 64 KiB bank */
	/* A bank past video memory is refused. */
	vbe_set(&vga, VIREO_VBE_INDEX_BANK, 256);
	T_EQ(vbe_get(&vga, VIREO_VBE_INDEX_BANK), 3);
	/* Disabling VBE gives the window back to the VGA. */
	vbe_set(&vga, VIREO_VBE_INDEX_ENABLE, 0);
	vga_set_mode(&vga, &vga_mode_03);
	vga_poke(&vga, 0xb8000, 'x');
	T_EQ(vga_peek(&vga, 0xb8000), 'x');
	teardown();
}

static uint64_t bar_rw(uint64_t off, unsigned int size, bool is_write, uint64_t v)
{
	pthread_mutex_lock(&vga.lock);
	vireo_vga_mmio_bar_locked(&vga, off, size, is_write, &v);
	pthread_mutex_unlock(&vga.lock);
	return v;
}

static void test_qemu_mmio_bar(void)
{
	setup_vram(0);
	T_EQ(bar_rw(0x500, 2, false, 0), 0xb0c5);
	T_EQ(bar_rw(0x500 + 2 * VIREO_VBE_INDEX_VIDEO_MEMORY_64K, 2, false, 0), 256);
	T_EQ(bar_rw(0x600, 4, false, 0), 8);
	T_EQ(bar_rw(0x604, 4, false, 0), 0x1e1e1e1e);
	bar_rw(0x604, 4, true, 0xbebebebe);	/* big endian: not offered */
	T_EQ(bar_rw(0x604, 4, false, 0), 0x1e1e1e1e);
	T_EQ(bar_rw(0x700, 4, false, 0), 0xffffffff);
	/* VBE through the BAR, the way bochs-drm does with MMIO. */
	bar_rw(0x500 + 2 * VIREO_VBE_INDEX_XRES, 2, true, 640);
	bar_rw(0x500 + 2 * VIREO_VBE_INDEX_YRES, 2, true, 480);
	bar_rw(0x500 + 2 * VIREO_VBE_INDEX_BPP, 2, true, 32);
	bar_rw(0x500 + 2 * VIREO_VBE_INDEX_ENABLE, 2, true, VIREO_VBE_ENABLED);
	T_EQ(vbe_get(&vga, VIREO_VBE_INDEX_ENABLE), VIREO_VBE_ENABLED);
	/* VGA ports at 0x400 + port - 0x3c0; a word write is index then data. */
	bar_rw(0x400 + 0x08, 1, true, 7);	/* 0x3c8 */
	bar_rw(0x400 + 0x09, 1, true, 0x11);
	bar_rw(0x400 + 0x09, 1, true, 0x22);
	bar_rw(0x400 + 0x09, 1, true, 0x33);
	T_EQ(vga.dac[7][2], 0x33);
	bar_rw(0x400 + 0x04, 2, true, 0x0a02);	/* SR2 = 0x0a */
	T_EQ(vga.seq[2], 0x0a);
	T_EQ(bar_rw(0x400 + 0x0c, 1, false, 0), vga.misc);
	teardown();
}

static void test_reset_keeps_memory(void)
{
	setup_vram(0);
	set_mode(640, 480, 32, 0);
	vga.vram[100] = 0x5a;
	vireo_vga_reset(&vga);
	T_EQ(vbe_get(&vga, VIREO_VBE_INDEX_ENABLE), 0);
	T_EQ(vbe_get(&vga, VIREO_VBE_INDEX_ID), 0xb0c5);
	T_EQ(vga.vram[100], 0x5a);
	T_EQ(vga_in(&vga, 0x3c6), 0xff);
	teardown();
}

static void test_bad_sizes(void)
{
	struct vireo_vga v;

	T_EQ(vireo_vga_init(&v, 3U << 20), -EINVAL);
	T_EQ(vireo_vga_init(&v, 512U << 10), -EINVAL);
	T_EQ(vireo_vga_init(&v, 512U << 20), -EINVAL);
	setup_vram(0);
	{
		uint64_t d = 0;

		T_EQ(vireo_vga_mmio(&vga, VIREO_VGA_WINDOW_SIZE - 2, 4, false, &d), -EINVAL);
		T_EQ(d, ~0ULL);
		T_EQ(vireo_vga_mmio(&vga, 0, 3, true, &d), -EINVAL);
	}
	teardown();
}

/*
 * Register storms: random bytes to every port (both register files and
 * both CRTC mappings), random VBE index/data, random window traffic,
 * with a render and a text dump after each burst.  Nothing may crash or
 * describe a frame past the limits, and an enabled VBE mode always fits.
 */
static void test_register_storm(void)
{
	uint64_t seed = 0x5eed0f1a7e;
	char text[256 * 65 + 1];

	setup_vram(VIREO_VGA_VRAM_MIN);
	for (unsigned int burst = 0; burst < 1000; burst++) {
		struct vireo_vga_frame f;

		for (unsigned int i = 0; i < 200; i++) {
			uint64_t r = fake_rand(&seed);

			switch (r & 3) {
			case 0:
				fake_random_pio(vireo_vga_pio, &vga, VIREO_VGA_PORTS, &seed);
				break;
			case 1: {
				uint32_t d = (uint32_t)(r >> 8) % (VIREO_VBE_NUM_REGS + 2);

				vireo_vbe_pio(&vga, 0, 2, true, &d);
				d = (uint32_t)(r >> 24);
				vireo_vbe_pio(&vga, 1 + ((r >> 4) & 1), 2, (r >> 5) & 1, &d);
				break;
			}
			default: {
				uint64_t d = r >> 17;
				unsigned int size = 1U << ((r >> 2) & 3);

				vireo_vga_mmio(&vga, (r >> 32) % VIREO_VGA_WINDOW_SIZE, size,
					       (r >> 6) & 1, &d);
				break;
			}
			}
		}
		T_EQ(vireo_vga_render(&vga, &surf, &f), 0);
		T_TRUE(f.width <= VIREO_VGA_MAX_WIDTH && f.height <= VIREO_VGA_MAX_HEIGHT);
		if (f.kind == VIREO_VGA_FRAME_VBE)
			T_TRUE((size_t)f.width * f.height * (f.bpp == 15 ? 2 : f.bpp / 8) <=
			       vga.vram_size);
		vireo_vga_text_dump(&vga, text, sizeof(text));
	}
	teardown();
}

/*
 * The console's hook: every guest write the device sees moves generation;
 * a store through the mapped framebuffer (straight into video memory)
 * cannot, and reads do not.
 */
static void test_generation_hook(void)
{
	uint64_t g;

	setup_vram(0);
	vga_set_mode(&vga, &vga_mode_03);
	g = vga.generation;
	vga_poke(&vga, 0xb8000, 'x');
	T_TRUE(vga.generation != g);
	g = vga.generation;
	vga_dac_set(&vga, 1, 2, 3, 4);
	T_TRUE(vga.generation != g);
	g = vga.generation;
	(void)vga_peek(&vga, 0xb8000);
	(void)vga_in(&vga, 0x3cc);
	T_EQ(vga.generation, g);
	set_mode(640, 480, 32, 0);
	g = vga.generation;
	vga.vram[0] = 0xff;			/* the guest's LFB store */
	T_EQ(vga.generation, g);
	teardown();
}

/* A vCPU thread's storm while the console renders: the one lock keeps them apart. */
static void *storm_thread(void *arg)
{
	uint64_t seed = (uintptr_t)arg;

	for (unsigned int i = 0; i < 200000; i++) {
		uint64_t r = fake_rand(&seed);
		uint64_t d = r >> 17;

		if (r & 1) {
			fake_random_pio(vireo_vga_pio, &vga, VIREO_VGA_PORTS, &seed);
		} else if (r & 2) {
			vbe_set(&vga, (uint16_t)((r >> 8) % VIREO_VBE_NUM_REGS), (uint16_t)(r >> 24));
		} else {
			vireo_vga_mmio(&vga, (r >> 32) % VIREO_VGA_WINDOW_SIZE, 1, (r >> 6) & 1, &d);
		}
	}
	return NULL;
}

static void test_storm_while_rendering(void)
{
	pthread_t t[2];
	struct vireo_vga_frame f;

	setup_vram(VIREO_VGA_VRAM_MIN);
	for (uintptr_t i = 0; i < 2; i++)
		T_EQ(pthread_create(&t[i], NULL, storm_thread, (void *)(0x1234 + i)), 0);
	for (unsigned int i = 0; i < 50; i++)
		T_EQ(vireo_vga_render(&vga, &surf, &f), 0);
	for (unsigned int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	/* Still a working device: reset, then a register round trip. */
	vireo_vga_reset(&vga);
	T_EQ(vbe_get(&vga, VIREO_VBE_INDEX_ID), 0xb0c5);
	vga_out(&vga, 0x3c4, 0x02);
	vga_out(&vga, 0x3c5, 0x05);
	T_EQ(vga_in(&vga, 0x3c5), 0x05);
	teardown();
}

static const struct vireo_test tests[] = {
	VIREO_TEST(test_identity_and_caps),
	VIREO_TEST(test_1080p_32bpp_lfb),
	VIREO_TEST(test_pixel_formats),
	VIREO_TEST(test_malformed_modes_refused),
	VIREO_TEST(test_panning_past_memory_is_black),
	VIREO_TEST(test_bank_window),
	VIREO_TEST(test_qemu_mmio_bar),
	VIREO_TEST(test_reset_keeps_memory),
	VIREO_TEST(test_bad_sizes),
	VIREO_TEST(test_register_storm),
	VIREO_TEST(test_generation_hook),
	VIREO_TEST(test_storm_while_rendering),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(display_vbe, tests);
