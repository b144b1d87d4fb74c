// SPDX-License-Identifier: GPL-2.0
/*
 * The BIOS data area of a PC after POST (bda.h has the map and why).
 */
#include <errno.h>
#include <string.h>

#include <vireo/paging.h>

#include "boot/bda.h"
#include "boot/image.h"

#define COM1_PORT		0x3f8
#define EQUIP_FPU		(1U << 1)
#define EQUIP_VIDEO_80X25	(2U << 4)	/* bits 5:4 = 10b: 80x25 colour */
#define EQUIP_SERIAL_SHIFT	9		/* bits 11:9: serial ports */
#define TEXT_MODE		3
#define TEXT_COLS		80
#define TEXT_ROWS		25

int vireo_bda_install(const struct vireo_mem *mem)
{
	uint8_t bda[VIREO_BDA_SIZE];
	uint8_t ebda_size = 1;		/* KiB: 0x9fc00-0x9ffff */

#define AT(gpa)	(bda + ((gpa) - VIREO_BDA_BASE))
	memset(bda, 0, sizeof(bda));
	vireo_put_le16(AT(VIREO_BDA_COM1), COM1_PORT);
	vireo_put_le16(AT(VIREO_BDA_EBDA_SEG), (uint16_t)(VIREO_LAYOUT_EBDA >> 4));
	vireo_put_le16(AT(VIREO_BDA_EQUIPMENT),
		       EQUIP_FPU | EQUIP_VIDEO_80X25 | 1U << EQUIP_SERIAL_SHIFT);
	vireo_put_le16(AT(VIREO_BDA_BASE_MEM_KB), (uint16_t)(VIREO_LAYOUT_EBDA >> 10));
	*AT(VIREO_BDA_VIDEO_MODE) = TEXT_MODE;
	vireo_put_le16(AT(VIREO_BDA_VIDEO_COLS), TEXT_COLS);
	vireo_put_le16(AT(0x44c), TEXT_COLS * TEXT_ROWS * 2);
	vireo_put_le16(AT(0x460), 0x0607);
	vireo_put_le16(AT(VIREO_BDA_CRTC_PORT), 0x3d4);
	*AT(0x465) = 0x29;
	*AT(0x466) = 0x30;
	*AT(VIREO_BDA_VIDEO_ROWS) = TEXT_ROWS - 1;
	vireo_put_le16(AT(0x485), 16);
	*AT(0x487) = 0x60;
	*AT(0x488) = 0xf9;
	*AT(0x489) = 0x51;
#undef AT
	if (vireo_boot_write(mem, VIREO_BDA_BASE, bda, sizeof(bda)) ||
	    vireo_boot_write(mem, VIREO_LAYOUT_EBDA, &ebda_size, 1))
		return -EFAULT;
	return 0;
}
