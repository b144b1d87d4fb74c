/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The low-memory state a PC BIOS leaves behind, for kernels the monitor
 * loads without firmware (Linux and Multiboot alike): the BIOS data area
 * at 0x400 and the first word of the EBDA.  Kernels read it unguarded:
 * Linux and Xen take the EBDA's segment from 0x40e and the base memory
 * size from 0x413 to know what to keep clear of; Multiboot test kernels
 * find COM1 at 0x400 and the text-mode state at 0x449.
 *
 * What is filled (the IBM PC/AT BIOS's layout, as SeaBIOS keeps it):
 *   0x400  COM1-COM4 base ports   0x3f8, 0, 0, 0 (COM1 only)
 *   0x408  LPT1-LPT3, EBDA seg    0, 0, 0, and 0x40e the EBDA's segment
 *   0x410  equipment word         1 serial port, 80x25 colour, no
 *                                 diskette, a maths coprocessor
 *   0x413  base memory            639 KiB (RAM below the EBDA)
 *   0x449  video mode             3 (80x25 colour text), as the BIOS
 *   0x44a  columns                80        leaves it after POST
 *   0x44c  page size              4000 bytes (80 x 25 x 2)
 *   0x44e  page start             0
 *   0x450  cursor positions       0 (all eight pages)
 *   0x460  cursor shape           0x0607 (lines 6-7)
 *   0x462  active page            0
 *   0x463  CRT controller port    0x3d4 (colour)
 *   0x465  mode select register   0x29, 0x466 palette 0x30
 *   0x475  hard disks             0 (the disks are virtio, no INT 13h)
 *   0x484  rows - 1               24
 *   0x485  character height       16 scan lines
 *   0x487  EGA/VGA control        0x60, 0x488 switches 0xf9, 0x489 VGA
 *                                 mode-set options 0x51
 *   EBDA   0x9fc00: its size in KiB (1), the rest zero
 * The interrupt vector table stays zero: there is no BIOS code to point
 * to, and a kernel loaded in protected mode never calls the BIOS.  Nor is
 * there a VGA device: 0xb8000 is RAM the e820 map calls reserved, so a
 * kernel that writes text there writes into nothing visible.
 */
#ifndef VIREO_BOOT_BDA_H
#define VIREO_BOOT_BDA_H

#include <stdint.h>

#include "boot/layout.h"

#define VIREO_BDA_BASE		0x400ULL
#define VIREO_BDA_COM1		0x400ULL
#define VIREO_BDA_EBDA_SEG	0x40eULL
#define VIREO_BDA_EQUIPMENT	0x410ULL
#define VIREO_BDA_BASE_MEM_KB	0x413ULL
#define VIREO_BDA_VIDEO_MODE	0x449ULL
#define VIREO_BDA_VIDEO_COLS	0x44aULL
#define VIREO_BDA_CRTC_PORT	0x463ULL
#define VIREO_BDA_VIDEO_ROWS	0x484ULL
#define VIREO_BDA_SIZE		0x100ULL	/* 0x400-0x4ff */

struct vireo_mem;

/* Fill the BDA and the EBDA's size word.  0 or -EFAULT (not RAM). */
int vireo_bda_install(const struct vireo_mem *mem);

#endif /* VIREO_BOOT_BDA_H */
