// SPDX-License-Identifier: GPL-2.0
/*
 * Debian's VGA BIOS (seabios: vgabios-stdvga.bin) run against the VGA
 * device model, on libx86emu's real-mode CPU: the option ROM's
 * initialisation as firmware calls it (PCI firmware spec: far call to
 * offset 3 with the function's bus/devfn in AX), then INT 10h calls as a
 * DOS program or a boot loader makes them -- mode 3 and teletype output,
 * modes 13h and 12h with pixel writes, VBE controller information and a
 * VBE linear mode.  Each step is judged by what the device shows: the
 * text dump, rendered pixels against the IBM 8x16 font and the BIOS's
 * default palette, the dispi registers.
 *
 * Mode 7 (monochrome) is not among them: this VGA BIOS writes the new
 * mode's CRTC at 0x3b4 before it switches misc output to monochrome
 * addressing, and a VGA does not decode 0x3b4 while misc output selects
 * colour (FreeVGA; QEMU's VGA drops those writes the same way).
 *
 * Prints "TEST name PASS/FAIL" lines and the unit tests' summary line;
 * exit status 1 if any failed.  Without the VGA BIOS (the seabios
 * package) the whole run is one skip.  VGABIOS_TRACE=1 logs every
 * instruction of the ROM's initialisation to stderr.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <x86emu.h>

#include "display/vga_pci.h"
#include "pci/pci.h"

#define RAM_SIZE	(2U << 20)
#define VGA_SLOT	2
#define CODE_AT		0x600U		/* our little programs, 0000:0600 */
#define STACK_TOP	0x7000U
#define IRET_AT		0xfff0U		/* F000:FFF0 holds an IRET for unhooked vectors */
#define BUF_AT		0x2000U		/* 0000:2000, VBE info buffers */
#define MAX_INSTR	200000000ULL

static uint8_t ram[RAM_SIZE];
static struct vireo_pci_bus bus;
static struct vireo_vga_pci vp;
static unsigned int passes, failures;

static unsigned int memio(x86emu_t *emu, u32 addr, u32 *val, unsigned int type)
{
	unsigned int size = 1U << (type & 0xff), op = type & ~0xffU;
	uint64_t v = *val;
	uint32_t d = *val;

	(void)emu;
	if ((type & 0xff) == X86EMU_MEMIO_8_NOPERM)
		size = 1;
	if (op == X86EMU_MEMIO_I || op == X86EMU_MEMIO_O) {
		bool w = op == X86EMU_MEMIO_O;
		uint16_t port = (uint16_t)addr;

		if (port >= VIREO_VGA_PORT_BASE && port < VIREO_VGA_PORT_BASE + VIREO_VGA_PORTS)
			vireo_vga_pio(&vp.vga, port - VIREO_VGA_PORT_BASE, size, w, &d);
		else if (port >= VIREO_VBE_PORT_BASE && port < VIREO_VBE_PORT_BASE + VIREO_VBE_PORTS)
			vireo_vbe_pio(&vp.vga, port - VIREO_VBE_PORT_BASE, size, w, &d);
		else if (vireo_pci_pio(&bus, port, size, w, &d) != 0 && !w)
			d = 0xffffffffU;	/* nothing there: a floating bus */
		if (!w)
			*val = size == 4 ? d : d & ((1U << (8 * size)) - 1);
		return 0;
	}
	if (addr >= VIREO_VGA_WINDOW_BASE && addr < VIREO_VGA_WINDOW_BASE + VIREO_VGA_WINDOW_SIZE) {
		vireo_vga_mmio(&vp.vga, addr - VIREO_VGA_WINDOW_BASE, size, op == X86EMU_MEMIO_W, &v);
		if (op != X86EMU_MEMIO_W)
			*val = (u32)v;
		return 0;
	}
	if (addr + size > RAM_SIZE) {
		if (op != X86EMU_MEMIO_W)
			*val = 0xffffffffU;
		return 0;
	}
	if (op == X86EMU_MEMIO_W) {
		for (unsigned int i = 0; i < size; i++)
			ram[addr + i] = (uint8_t)(*val >> (8 * i));
	} else {
		u32 r = 0;

		for (unsigned int i = 0; i < size; i++)
			r |= (u32)ram[addr + i] << (8 * i);
		*val = r;
	}
	return 0;
}

static void check(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("TEST vgabios-%s %s", name, ok ? "PASS" : "FAIL");
	if (ok)
		passes++;
	if (!ok) {
		failures++;
		printf(": ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	printf("\n");
}

/*
 * Run real-mode code from CS:IP until it halts; false if it never does.
 * Data segments get 4 GiB limits: SeaBIOS calls option ROMs in "big real
 * mode" (farcall16big), and the VGA BIOS reads the MMIO BAR (its EDID
 * area) with 32-bit addresses.
 */
static bool run(x86emu_t *emu, uint16_t cs, uint16_t ip)
{
	x86emu_set_seg_register(emu, emu->x86.R_CS_SEL, cs);
	emu->x86.R_DS_LIMIT = emu->x86.R_ES_LIMIT = 0xffffffffU;
	emu->x86.seg[R_FS_INDEX].limit = emu->x86.seg[R_GS_INDEX].limit = 0xffffffffU;
	emu->x86.R_EIP = ip;
	emu->x86.mode = 0;
	emu->max_instr = emu->x86.R_TSC + MAX_INSTR;
	x86emu_run(emu, X86EMU_RUN_MAX_INSTR);
	return emu->x86.mode & _MODE_HALTED;
}

/* Our program at 0000:0600: the bytes given, then HLT. */
static bool run_code(x86emu_t *emu, const uint8_t *code, size_t len)
{
	memcpy(ram + CODE_AT, code, len);
	ram[CODE_AT + len] = 0xf4;
	x86emu_set_seg_register(emu, emu->x86.R_SS_SEL, 0);
	emu->x86.R_ESP = STACK_TOP;
	x86emu_set_seg_register(emu, emu->x86.R_DS_SEL, 0);
	x86emu_set_seg_register(emu, emu->x86.R_ES_SEL, 0);
	return run(emu, 0, CODE_AT);
}

static bool bios_init(x86emu_t *emu)
{
	/* A far return into HLT at 0000:0500. */
	ram[0x500] = 0xf4;
	x86emu_set_seg_register(emu, emu->x86.R_SS_SEL, 0);
	emu->x86.R_ESP = STACK_TOP - 4;
	ram[STACK_TOP - 4] = 0x00;
	ram[STACK_TOP - 3] = 0x05;
	ram[STACK_TOP - 2] = 0x00;
	ram[STACK_TOP - 1] = 0x00;
	emu->x86.R_EAX = VGA_SLOT << 3;		/* bus 0, device 2, function 0 */
	return run(emu, 0xc000, 0x0003);
}

static uint32_t pixel(const struct vireo_surface *s, unsigned int x, unsigned int y)
{
	return s->pixels[(size_t)y * s->stride + x];
}

/* 'H' of the IBM VGA 8x16 font (SeaBIOS vgasrc/vgafonts.c, vgafont16 0x48). */
static const uint8_t glyph_H[16] = { 0x00, 0x00, 0xc6, 0xc6, 0xc6, 0xc6, 0xfe, 0xc6,
				     0xc6, 0xc6, 0xc6, 0xc6, 0x00, 0x00, 0x00, 0x00 };

static void test_text(x86emu_t *emu, const struct vireo_surface *s)
{
	static const uint8_t code[] = {
		0xb8, 0x03, 0x00, 0xcd, 0x10,		/* mov ax, 3; int 10h */
		0xb8, 0x48, 0x0e, 0xcd, 0x10,		/* mov ax, 0e48h; int 10h: 'H' */
		0xb8, 0x69, 0x0e, 0xcd, 0x10,		/* 'i' */
		0xb8, 0x21, 0x0e, 0xcd, 0x10,		/* '!' */
	};
	struct vireo_vga_frame f;
	char dump[81 * 26 + 1];
	int n;
	bool glyph_ok = true;
	/* Mode 3's light grey on black: palette 7 -> DAC 7 = 2a 2a 2a. */
	uint32_t fg = 0xaaaaaa, bg = 0;

	check(run_code(emu, code, sizeof(code)), "mode3-halts", "INT 10h did not return");
	n = vireo_vga_text_dump(&vp.vga, dump, sizeof(dump));
	check(n > 0 && !strncmp(dump, "Hi!", 3), "mode3-teletype", "dump %d: %.20s", n, dump);
	vireo_vga_render(&vp.vga, s, &f);
	check(f.kind == VIREO_VGA_FRAME_TEXT && f.cols == 80 && f.rows == 25 && f.width == 720 &&
		      f.height == 400,
	      "mode3-geometry", "kind %d %ux%u cells %ux%u", f.kind, f.cols, f.rows, f.width,
	      f.height);
	for (unsigned int l = 0; l < 16; l++)
		for (unsigned int x = 0; x < 8; x++)
			if (pixel(s, x, l) != ((glyph_H[l] >> (7 - x)) & 1 ? fg : bg))
				glyph_ok = false;
	check(glyph_ok, "mode3-font-H", "cell 0 does not show the IBM 8x16 'H' in grey");
}

static void test_mode13(x86emu_t *emu, const struct vireo_surface *s)
{
	static const uint8_t code[] = {
		0xb8, 0x13, 0x00, 0xcd, 0x10,		/* mov ax, 13h; int 10h */
		0xb8, 0x04, 0x0c,			/* mov ax, 0c04h: pixel, colour 4 */
		0xb9, 0x64, 0x00,			/* mov cx, 100 */
		0xba, 0x32, 0x00,			/* mov dx, 50 */
		0xcd, 0x10,
	};
	struct vireo_vga_frame f;

	check(run_code(emu, code, sizeof(code)), "mode13-halts", "INT 10h did not return");
	vireo_vga_render(&vp.vga, s, &f);
	check(f.kind == VIREO_VGA_FRAME_CHAIN4 && f.width == 320 && f.height == 200,
	      "mode13-geometry", "kind %d %ux%u", f.kind, f.width, f.height);
	/* The BIOS's 256-colour palette: entry 4 is red, 2a 00 00. */
	check(pixel(s, 100, 50) == 0xaa0000 && pixel(s, 101, 50) == 0, "mode13-pixel",
	      "(100,50) = %06x, (101,50) = %06x", pixel(s, 100, 50), pixel(s, 101, 50));
}

static void test_mode12(x86emu_t *emu, const struct vireo_surface *s)
{
	static const uint8_t code[] = {
		0xb8, 0x12, 0x00, 0xcd, 0x10,		/* mov ax, 12h; int 10h */
		0xb8, 0x0e, 0x0c,			/* mov ax, 0c0eh: pixel, yellow */
		0xb9, 0x2d, 0x01,			/* mov cx, 301 */
		0xba, 0xc8, 0x00,			/* mov dx, 200 */
		0xcd, 0x10,
	};
	struct vireo_vga_frame f;

	check(run_code(emu, code, sizeof(code)), "mode12-halts", "INT 10h did not return");
	vireo_vga_render(&vp.vga, s, &f);
	check(f.kind == VIREO_VGA_FRAME_PLANAR4 && f.width == 640 && f.height == 480,
	      "mode12-geometry", "kind %d %ux%u", f.kind, f.width, f.height);
	/* Colour 14 -> palette 0x3e -> DAC 3f 3f 15. */
	check(pixel(s, 301, 200) == 0xffff55 && pixel(s, 300, 200) == 0 &&
		      pixel(s, 302, 200) == 0,
	      "mode12-pixel", "(300..302,200) = %06x %06x %06x", pixel(s, 300, 200),
	      pixel(s, 301, 200), pixel(s, 302, 200));
}

static void test_vbe(x86emu_t *emu, const struct vireo_surface *s)
{
	static const uint8_t info[] = {
		0xbf, 0x00, 0x20,			/* mov di, 2000h (ES = 0) */
		0xb8, 0x00, 0x4f, 0xcd, 0x10,		/* mov ax, 4f00h; int 10h */
	};
	static const uint8_t setmode[] = {
		0xb8, 0x02, 0x4f,			/* mov ax, 4f02h */
		0xbb, 0x12, 0x41,			/* mov bx, 4112h: 640x480x24, LFB */
		0xcd, 0x10,
	};
	struct vireo_vga_frame f;
	const uint8_t *b = ram + BUF_AT;
	unsigned int total;

	memcpy(ram + BUF_AT, "VBE2", 4);
	check(run_code(emu, info, sizeof(info)), "vbe-info-halts", "INT 10h did not return");
	total = b[0x12] | b[0x13] << 8;
	check((emu->x86.R_EAX & 0xffff) == 0x004f && !memcmp(b, "VESA", 4) && total == 256,
	      "vbe-info", "ax %04x sig %.4s total %u x 64 KiB", emu->x86.R_EAX & 0xffff, b,
	      total);
	check(run_code(emu, setmode, sizeof(setmode)), "vbe-setmode-halts",
	      "INT 10h did not return");
	vireo_vga_render(&vp.vga, s, &f);
	check((emu->x86.R_EAX & 0xffff) == 0x004f && f.kind == VIREO_VGA_FRAME_VBE &&
		      f.width == 640 && f.height == 480 && f.bpp == 24,
	      "vbe-setmode", "ax %04x kind %d %ux%u %u bpp", emu->x86.R_EAX & 0xffff, f.kind,
	      f.width, f.height, f.bpp);
}

/*
 * Text services after mode 3: cursor position (CR0E/CR0F), write and read
 * back a character with its attribute (odd/even reads), a DAC register
 * set and read back, then the 8x8 font for 50 lines.
 */
static void test_text_services(x86emu_t *emu)
{
	static const uint8_t code[] = {
		0xb8, 0x03, 0x00, 0xcd, 0x10,		/* mov ax, 3; int 10h */
		0xb4, 0x02, 0x31, 0xdb,			/* mov ah, 2; xor bx, bx */
		0xba, 0x0a, 0x05, 0xcd, 0x10,		/* mov dx, 050ah: row 5, col 10 */
		0xb8, 0x5a, 0x09,			/* mov ax, 095ah: 'Z' */
		0xbb, 0x1e, 0x00,			/* mov bx, 001eh: yellow on blue */
		0xb9, 0x03, 0x00, 0xcd, 0x10,		/* mov cx, 3; int 10h */
		0xb4, 0x08, 0x31, 0xdb, 0xcd, 0x10,	/* mov ah, 8; xor bx, bx; int 10h */
		0xa3, 0x00, 0x30,			/* mov [3000h], ax */
		0xb8, 0x10, 0x10, 0xbb, 0x05, 0x00,	/* mov ax, 1010h; mov bx, 5 */
		0xb6, 0x11, 0xb5, 0x22, 0xb1, 0x33,	/* dh, ch, cl = 11h, 22h, 33h */
		0xcd, 0x10,
		0x31, 0xc9, 0x31, 0xd2,			/* xor cx, cx; xor dx, dx */
		0xb8, 0x15, 0x10, 0xbb, 0x05, 0x00,	/* mov ax, 1015h; mov bx, 5 */
		0xcd, 0x10,
		0x89, 0x16, 0x02, 0x30,			/* mov [3002h], dx */
		0x89, 0x0e, 0x04, 0x30,			/* mov [3004h], cx */
	};
	static const uint8_t font8[] = {
		0xb8, 0x12, 0x11, 0x30, 0xdb, 0xcd, 0x10,	/* mov ax, 1112h; xor bl, bl */
	};
	const uint8_t *r = ram + 0x3000;
	unsigned int cursor;
	struct vireo_vga_frame f;

	check(run_code(emu, code, sizeof(code)), "text-services-halts",
	      "INT 10h did not return");
	cursor = (unsigned int)vp.vga.crtc[0x0e] << 8 | vp.vga.crtc[0x0f];
	check(cursor == 5 * 80 + 10, "cursor-position", "CR0E:CR0F = %u", cursor);
	check(r[0] == 'Z' && r[1] == 0x1e, "read-char-attr", "AH=08h gave %02x %02x", r[0],
	      r[1]);
	check(r[3] == 0x11 && r[5] == 0x22 && r[4] == 0x33 && vp.vga.dac[5][0] == 0x11,
	      "dac-set-get", "AX=1015h gave %02x %02x %02x", r[3], r[5], r[4]);
	check(run_code(emu, font8, sizeof(font8)), "font8-halts", "INT 10h did not return");
	vireo_vga_frame_info(&vp.vga, &f);
	check(f.kind == VIREO_VGA_FRAME_TEXT && f.cols == 80 && f.rows == 50 &&
		      f.cell_height == 8,
	      "font8-50-lines", "%ux%u cells of %u lines", f.cols, f.rows, f.cell_height);
}

static void dump_log(x86emu_t *emu, char *buf, unsigned int size)
{
	(void)emu;
	fwrite(buf, 1, size, stderr);
}

/* Mode 1: 40x25 colour text, 8 KiB pages. */
static void test_mode1(x86emu_t *emu, const struct vireo_surface *s)
{
	static const uint8_t code[] = {
		0xb8, 0x01, 0x00, 0xcd, 0x10,		/* mov ax, 1; int 10h */
		0xb8, 0x34, 0x0e, 0xcd, 0x10,		/* '4' */
		0xb8, 0x30, 0x0e, 0xcd, 0x10,		/* '0' */
	};
	struct vireo_vga_frame f;
	char dump[41 * 26 + 1];
	int n;

	check(run_code(emu, code, sizeof(code)), "mode1-halts", "INT 10h did not return");
	n = vireo_vga_text_dump(&vp.vga, dump, sizeof(dump));
	vireo_vga_render(&vp.vga, s, &f);
	check(n == 41 * 25 && !strncmp(dump, "40", 2) && f.cols == 40 && f.rows == 25,
	      "mode1-text", "dump %d: %.10s, %ux%u", n, dump, f.cols, f.rows);
}

/* A banked VBE mode (0x105, 1024x768x8): a store through bank 2 of the window. */
static void test_vbe_bank(x86emu_t *emu, const struct vireo_surface *s)
{
	static const uint8_t code[] = {
		0xb8, 0x02, 0x4f,			/* mov ax, 4f02h */
		0xbb, 0x05, 0x01,			/* mov bx, 105h: banked */
		0xcd, 0x10,
		0xb8, 0x05, 0x4f,			/* mov ax, 4f05h */
		0x31, 0xdb,				/* xor bx, bx: window A, set */
		0xba, 0x02, 0x00,			/* mov dx, 2 */
		0xcd, 0x10,
		0xb8, 0x00, 0xa0, 0x8e, 0xc0,		/* mov ax, a000h; mov es, ax */
		0x26, 0xc6, 0x06, 0x10, 0x00, 0x5a,	/* mov byte es:[10h], 5ah */
	};
	struct vireo_vga_frame f;

	check(run_code(emu, code, sizeof(code)), "vbe-bank-halts", "INT 10h did not return");
	vireo_vga_render(&vp.vga, s, &f);
	check(f.kind == VIREO_VGA_FRAME_VBE && f.width == 1024 && f.height == 768 && f.bpp == 8 &&
		      vp.vga.vram[2 * 0x10000 + 0x10] == 0x5a,
	      "vbe-bank", "kind %d %ux%u %u bpp, byte %02x", f.kind, f.width, f.height, f.bpp,
	      vp.vga.vram[2 * 0x10000 + 0x10]);
}

static void no_log(x86emu_t *emu, char *buf, unsigned int size)
{
	(void)emu;
	(void)buf;
	(void)size;
}

int main(int argc, char **argv)
{
	const char *rom = argc > 1 ? argv[1] : VIREO_VGA_ROM_DEBIAN;
	struct vireo_pci_bus_config cfg = {
		.mem_base = VIREO_PCI_MEM_BASE,
		.mem_end = VIREO_PCI_MEM_END,
		.io_base = VIREO_PCI_IO_BASE,
		.io_end = VIREO_PCI_IO_END,
	};
	struct vireo_surface s = { 0 };
	x86emu_t *emu;

	if (access(rom, R_OK)) {
		printf("TEST vgabios SKIP: %s is not installed\n", rom);
		printf("0 passed, 0 failed, 1 skipped\n");
		return 0;
	}
	if (vireo_pci_bus_init(&bus, &cfg) || vireo_vga_pci_init(&vp, 0, rom) ||
	    vireo_pci_bus_add(&bus, &vp.pci, VGA_SLOT) || vireo_pci_bus_assign(&bus)) {
		fprintf(stderr, "vgabios_run: cannot set up the VGA\n");
		return 2;
	}
	/* The firmware's shadow copy of the ROM at C0000, and IRETs everywhere. */
	memcpy(ram + 0xc0000, vp.rom, vp.rom_len);
	ram[0xf0000 + IRET_AT] = 0xcf;
	for (unsigned int v = 0; v < 256; v++) {
		ram[v * 4] = IRET_AT & 0xff;
		ram[v * 4 + 1] = IRET_AT >> 8;
		ram[v * 4 + 2] = 0x00;
		ram[v * 4 + 3] = 0xf0;
	}
	s.width = s.stride = VIREO_VGA_MAX_WIDTH;
	s.height = VIREO_VGA_MAX_HEIGHT;
	s.pixels = calloc((size_t)s.width * s.height, sizeof(uint32_t));
	emu = x86emu_new(X86EMU_PERM_RWX, X86EMU_PERM_RW);
	if (!s.pixels || !emu)
		return 2;
	x86emu_set_log(emu, 4096, no_log);
	x86emu_set_memio_handler(emu, memio);

	if (getenv("VGABIOS_TRACE")) {
		emu->log.trace = X86EMU_TRACE_DEFAULT;
		x86emu_set_log(emu, 1 << 20, dump_log);
	}
	check(bios_init(emu), "init", "the option ROM's init did not return");
	if (getenv("VGABIOS_TRACE"))
		x86emu_clear_log(emu, 1);
	check(ram[0x10 * 4 + 3] == 0xc0, "int10-hooked", "INT 10h vector %02x%02x:%02x%02x",
	      ram[0x43], ram[0x42], ram[0x41], ram[0x40]);
	test_text(emu, &s);
	test_text_services(emu);
	test_mode13(emu, &s);
	test_mode12(emu, &s);
	test_vbe(emu, &s);
	test_vbe_bank(emu, &s);
	test_mode1(emu, &s);

	x86emu_done(emu);
	free(s.pixels);
	vireo_vga_pci_fini(&vp);
	vireo_pci_bus_fini(&bus);
	printf("%u passed, %u failed\n", passes, failures);
	return failures ? 1 : 0;
}
