/* SPDX-License-Identifier: GPL-2.0 */
/* --disk images, opened for virtio-blk (raw or qcow2: libvireo-disk). */
#ifndef VIREO_RUN_PC_DISK_H
#define VIREO_RUN_PC_DISK_H

#include <stddef.h>

#include <vireo/error.h>

#include "options.h"

struct vireo_disk;

/* Open o's image into *out.  0, or -errno with a message naming the file. */
int vireo_pc_disk_open(const struct vireo_disk_opt *o, struct vireo_disk **out, GError **error);

#endif /* VIREO_RUN_PC_DISK_H */
