// SPDX-License-Identifier: GPL-2.0
/* virtio-blk, one per --disk: the image opened through userland/disk (raw or qcow2). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "disk/disk.h"
#include "virtio/blk.h"

#include "models.h"
#include "options.h"
#include "pc_disk.h"

static unsigned int count(const struct vireo_options *o)
{
	return o->nr_disks;
}

static int create(const struct vireo_pc_services *svc, const struct vireo_pc_slot *slot,
		  unsigned int i, void **dev)
{
	const struct vireo_disk_opt *opt = &svc->opts->disks[i];
	struct vireo_virtio_dev *vd = NULL;
	g_autoptr(GError) error = NULL;
	struct vireo_disk *disk;
	char serial[21], *what;
	int r;

	(void)slot;
	r = vireo_pc_disk_open(opt, &disk, &error);
	if (r)
		return vireo_pc_device_fail(svc, 0, "%s", error ? error->message : opt->path);
	snprintf(serial, sizeof(serial), "vireo-disk%u", i);
	r = vireo_virtio_blk_create(&vd, svc->ram, disk, serial);
	if (r) {
		vireo_disk_close(disk);
		return vireo_pc_device_fail(svc, r, "%s: virtio-blk", opt->path);
	}
	if (asprintf(&what, "disk %s", opt->path) < 0)
		what = NULL;
	return svc->virtio_plug(svc->machine, vd, what, dev);
}

const struct vireo_pc_device_model vireo_pc_dev_virtio_blk = {
	.name = "virtio-blk",
	.count = count,
	.create = create,
	.destroy = vireo_pc_virtio_unplug,
	.state_section = "virtio-blk",
	.state_version = 1,
};
