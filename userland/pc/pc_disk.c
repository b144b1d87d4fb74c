// SPDX-License-Identifier: GPL-2.0
/*
 * --disk images: opened through libvireo-disk (userland/disk), the one
 * block layer, whatever their format; format=auto is its probe.
 */
#include <errno.h>
#include <stdio.h>

#include "disk/disk.h"
#include "pc_disk.h"

static enum vireo_disk_format disk_format(enum vireo_disk_fmt_opt fmt)
{
	switch (fmt) {
	case VIREO_DISK_FMT_RAW:
		return VIREO_DISK_RAW;
	case VIREO_DISK_FMT_QCOW2:
		return VIREO_DISK_QCOW2;
	default:
		return VIREO_DISK_AUTO;
	}
}

int vireo_pc_disk_open(const struct vireo_disk_opt *o, struct vireo_disk **out, GError **error)
{
	return vireo_disk_open(o->path, disk_format(o->format), o->readonly ? VIREO_DISK_RDONLY : 0,
			       out, error);
}
