/* SPDX-License-Identifier: GPL-2.0 */
/* --disk images as virtio-blk backends (raw or qcow2). */
#ifndef VIREO_RUN_PC_DISK_H
#define VIREO_RUN_PC_DISK_H

#include <stddef.h>

#include "virtio/blk.h"
#include "options.h"

/* Open o's image into be.  0, or -errno with a message naming the file in err. */
int vireo_pc_disk_open(const struct vireo_disk_opt *o, struct vireo_blk_backend *be, char *err,
		       size_t errlen);

#endif /* VIREO_RUN_PC_DISK_H */
