/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The standard VGA adapter with the Bochs VBE ("dispi") extensions: what
 * QEMU calls -vga std.  This header is the device without its PCI
 * function (vga_pci.h adds that): the legacy ports, the legacy memory
 * window, the VBE registers, the video memory and the renderer.
 *
 * Modelled (register facts from the IBM VGA technical reference as
 * FreeVGA documents it, and the Bochs VBE interface):
 *  - misc output, sequencer, CRTC (CR11 bit 7 protects CR0-CR7 but the
 *    line compare bit of CR7), graphics controller, attribute controller
 *    (index/data flip-flop, reset by reading input status 1; PAS bit),
 *    DAC (read and write indices, 6-bit entries, 8-bit with VBE's
 *    8BIT_DAC), pixel mask, feature control, input status 0 and 1;
 *    CRTC, input status 1 and feature control answer at 0x3bx or 0x3dx
 *    as misc output bit 0 selects, and not at the other;
 *  - the window 0xa0000-0xbffff as GR6 maps it: chain-4, odd/even and
 *    planar access, write modes 0-3, read modes 0-1, the latches, map
 *    mask, bit mask, set/reset, rotate and logical function;
 *  - VBE: ports 0x1ce (index) and 0x1cf/0x1d0 (data); ID 0xb0c0-0xb0c5;
 *    modes up to 2560x2048 at 8, 15, 16, 24 and 32 bpp (OVMF's mode list
 *    ends with 2048x2048 and 2560x1600, both within 16 MiB); a mode that does
 *    not fit the video memory, or has a bpp not in that list, is refused
 *    when the guest enables it (ENABLE stays clear, the adapter stays in
 *    VGA mode, vbe_refused counts it) as Bochs's VBE does; virtual width,
 *    x/y offset; the 64 KiB bank window at 0xa0000; GETCAPS; NOCLEARMEM;
 *    VIDEO_MEMORY_64K (index 0xa).  Mode registers (XRES, YRES, BPP) only
 *    change while VBE is disabled: every driver (the VGA BIOS, bochs-drm,
 *    OVMF's QemuVideoDxe) disables, programs and enables again.
 *
 * Video memory is one memfd of vram_size bytes, mapped here; the VBE
 * linear framebuffer is all of it.  The four VGA planes live in its first
 * 256 KiB interleaved: byte 4 * offset + plane, so that chain-4 (mode
 * 13h) and the linear view agree (QEMU's arrangement; the VGA BIOS and
 * every guest only see it through the addressing modes).
 *
 * Not modelled: horizontal panning, the line compare split, CGA 2/4-colour
 * shift modes (GR5 bit 5) and the CRTC's word/doubleword address
 * rotation (the renderer takes QEMU's view: one CRTC address unit is one
 * 4-byte plane group), blinking (blink-enabled attributes show steadily,
 * the cursor always shows), light pen, the big-endian framebuffer switch
 * of the QEMU extended registers (it stays little endian), QEMU's EDID
 * block at the start of the MMIO BAR (it reads as all ones: no EDID).
 *
 * Locking: one mutex guards every register and the renderer's view of
 * them (vga_pci.c points the PCI function's device lock at it).  Guest
 * stores through the linear framebuffer, once the machine maps it as a
 * memory slot, bypass the device entirely.
 */
#ifndef VIREO_DISPLAY_VGA_H
#define VIREO_DISPLAY_VGA_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/hw.h"

#define VIREO_VGA_WINDOW_BASE	0xa0000ULL
#define VIREO_VGA_WINDOW_SIZE	0x20000ULL
#define VIREO_VGA_PORT_BASE	0x3b0
#define VIREO_VGA_PORTS		0x30	/* 0x3b0-0x3df */
#define VIREO_VBE_PORT_BASE	0x1ce
#define VIREO_VBE_PORTS		3	/* index, data, data (0x1d0) */

#define VIREO_VGA_VRAM_DEFAULT	(16U << 20)	/* QEMU's vgamem_mb default */
#define VIREO_VGA_VRAM_MIN	(1U << 20)
#define VIREO_VGA_VRAM_MAX	(256U << 20)

/* The largest frame any register setting can describe. */
#define VIREO_VGA_MAX_WIDTH	2560
#define VIREO_VGA_MAX_HEIGHT	2048

/* Bochs VBE (vbe.c). */
#define VIREO_VBE_MAX_XRES	2560
#define VIREO_VBE_MAX_YRES	2048
#define VIREO_VBE_MAX_BPP	32
#define VIREO_VBE_INDEX_ID		0x0
#define VIREO_VBE_INDEX_XRES		0x1
#define VIREO_VBE_INDEX_YRES		0x2
#define VIREO_VBE_INDEX_BPP		0x3
#define VIREO_VBE_INDEX_ENABLE		0x4
#define VIREO_VBE_INDEX_BANK		0x5
#define VIREO_VBE_INDEX_VIRT_WIDTH	0x6
#define VIREO_VBE_INDEX_VIRT_HEIGHT	0x7
#define VIREO_VBE_INDEX_X_OFFSET	0x8
#define VIREO_VBE_INDEX_Y_OFFSET	0x9
#define VIREO_VBE_INDEX_VIDEO_MEMORY_64K 0xa
#define VIREO_VBE_NUM_REGS		0xb
#define VIREO_VBE_ID0			0xb0c0
#define VIREO_VBE_ID5			0xb0c5
#define VIREO_VBE_ENABLED		0x01
#define VIREO_VBE_GETCAPS		0x02
#define VIREO_VBE_8BIT_DAC		0x20
#define VIREO_VBE_LFB_ENABLED		0x40
#define VIREO_VBE_NOCLEARMEM		0x80

/* Register file sizes (indices beyond read 0 and ignore writes). */
#define VIREO_VGA_SEQ_REGS	5
#define VIREO_VGA_CRTC_REGS	0x19
#define VIREO_VGA_GC_REGS	9
#define VIREO_VGA_ATTR_REGS	0x15

/* Legend: (i) set by init, then fixed; (l) guarded by lock. */
struct vireo_vga {
	pthread_mutex_t lock;
	uint8_t *vram;			/* (i) vram_size bytes, MAP_SHARED of vram_fd */
	size_t vram_size;		/* (i) a power of two */
	int vram_fd;			/* (i) the memfd, for a console client */

	uint8_t misc;			/* (l) misc output */
	uint8_t feature;		/* (l) feature control */
	uint8_t st01;			/* (l) input status 1's toggling bits */
	uint8_t seq_index, seq[VIREO_VGA_SEQ_REGS];		/* (l) */
	uint8_t crtc_index, crtc[VIREO_VGA_CRTC_REGS];		/* (l) */
	uint8_t gc_index, gc[VIREO_VGA_GC_REGS];		/* (l) */
	uint8_t attr_index;		/* (l) index with the PAS bit (5) */
	bool attr_data_next;		/* (l) the flip-flop: next 0x3c0 write is data */
	uint8_t attr[VIREO_VGA_ATTR_REGS];			/* (l) */
	uint8_t dac_read_index, dac_write_index;		/* (l) */
	uint8_t dac_component;		/* (l) 0-2: which of R, G, B is next */
	bool dac_reading;		/* (l) last index written was the read one */
	uint8_t dac_pel_mask;		/* (l) */
	uint8_t dac[256][3];		/* (l) R, G, B; 6 bits (8 with 8BIT_DAC) */
	uint8_t latch[4];		/* (l) */

	uint16_t vbe_index;				/* (l) */
	uint16_t vbe[VIREO_VBE_NUM_REGS];		/* (l) */

	/*
	 * (l) Bumped by every guest write that can change the picture
	 * (registers, DAC, the legacy window) -- the hook for the console
	 * model's dirty tracking.  Stores through the linear framebuffer do
	 * not bump it: they never reach the device (memory slot dirty
	 * logging has to see those).
	 */
	uint64_t generation;
	uint64_t vbe_refused;		/* (l) enables refused (bad mode) */
	/* (l) The last mode refused, for the monitor to say what was wrong. */
	struct {
		uint16_t xres, yres, bpp;
	} vbe_refused_mode;
};

extern const struct vireo_hw_desc vireo_vga_desc;

/*
 * vram_size: a power of two in [VIREO_VGA_VRAM_MIN, VIREO_VGA_VRAM_MAX];
 * 0 means VIREO_VGA_VRAM_DEFAULT.  Power-on state: every register 0
 * (the VGA BIOS sets a mode), pixel mask 0xff, VBE disabled with ID
 * 0xb0c5.  -EINVAL for a bad size, -errno if the memfd cannot be made.
 */
int vireo_vga_init(struct vireo_vga *vga, size_t vram_size);
void vireo_vga_fini(struct vireo_vga *vga);
/* A machine reset: registers back to power-on; video memory keeps its bytes. */
void vireo_vga_reset(struct vireo_vga *vga);

/* Ports 0x3b0-0x3df: port_offset from 0x3b0.  Sizes 1, 2, 4 (split into bytes). */
int vireo_vga_pio(void *dev, uint16_t port_offset, unsigned int size, bool is_write,
		  uint32_t *data);
/* Ports 0x1ce-0x1d0: port_offset from 0x1ce. */
int vireo_vbe_pio(void *dev, uint16_t port_offset, unsigned int size, bool is_write,
		  uint32_t *data);
/* The window 0xa0000-0xbffff: offset from 0xa0000. */
int vireo_vga_mmio(void *dev, uint64_t offset, unsigned int size, bool is_write, uint64_t *data);

/*
 * QEMU's stdvga MMIO BAR (BAR 2, 4 KiB) with the lock held: the VGA ports
 * 0x3c0-0x3df at 0x400, the VBE registers at 0x500 (16 bits each, index
 * * 2), the QEMU extended registers at 0x600 (size 8; framebuffer
 * endianness 0x1e1e1e1e, little).  Unclaimed offsets read all ones.
 */
#define VIREO_VGA_MMIO_BAR_SIZE	4096
void vireo_vga_mmio_bar_locked(struct vireo_vga *vga, uint64_t offset, unsigned int size,
			       bool is_write, uint64_t *data);

/* ---- for the machine and the console ------------------------------------- */

enum vireo_vga_frame_kind {
	VIREO_VGA_FRAME_TEXT,		/* alphanumeric modes */
	VIREO_VGA_FRAME_PLANAR4,	/* 16 colours, 4 planes (modes 0dh-12h) */
	VIREO_VGA_FRAME_CHAIN4,		/* 256 colours (mode 13h) */
	VIREO_VGA_FRAME_VBE,		/* the VBE linear modes */
};

struct vireo_vga_frame {
	enum vireo_vga_frame_kind kind;
	unsigned int width, height;	/* pixels; may be 0 (nothing to show) */
	unsigned int cols, rows;	/* text modes: the character grid */
	unsigned int cell_width, cell_height;	/* text modes: pixels per cell */
	unsigned int bpp;		/* VBE: 8, 15, 16, 24, 32 */
	bool blank;			/* screen off (SR1 bit 5) or palette access (PAS 0) */
};

/* A 32-bit XRGB8888 (0x00RRGGBB) image; stride in pixels. */
struct vireo_surface {
	uint32_t *pixels;
	unsigned int width, height, stride;
};

/* What the registers describe now. */
void vireo_vga_frame_info(struct vireo_vga *vga, struct vireo_vga_frame *frame);

/*
 * Render the whole frame into s's top-left corner (the full frame every
 * time: dirty tracking is the console model's, see generation).  Fills
 * *frame with what was rendered; -ENOSPC (nothing drawn) if the surface
 * is smaller than the frame.
 */
int vireo_vga_render(struct vireo_vga *vga, const struct vireo_surface *s,
		     struct vireo_vga_frame *frame);

/*
 * The text screen as text: rows lines of cols characters each ending in
 * '\n', NUL-terminated; printable ASCII as is, code page 437's line and
 * block characters as - | + #, others as '.', NUL and 0xff as spaces.
 * Returns the length, -ENOTSUP outside text modes, -ENOSPC if buf is too
 * small (needs rows * (cols + 1) + 1).
 */
int vireo_vga_text_dump(struct vireo_vga *vga, char *buf, size_t len);

#endif /* VIREO_DISPLAY_VGA_H */
