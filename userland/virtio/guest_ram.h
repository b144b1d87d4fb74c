/* SPDX-License-Identifier: GPL-2.0 */
/* struct vireo_guest_ram (virtqueue.h) over what the monitor already has. */
#ifndef VIREO_VIRTIO_GUEST_RAM_H
#define VIREO_VIRTIO_GUEST_RAM_H

#include <libvireo.h>

#include "virtio/virtqueue.h"

/*
 * Guest RAM as the VM's slots describe it (vireo_gpa_to_host()).  The
 * slots must not change while devices run, which holds for vireo-run:
 * RAM is set up once before the first vCPU starts.
 */
void vireo_guest_ram_from_vm(struct vireo_guest_ram *ram, struct vireo_vm *vm);

#endif /* VIREO_VIRTIO_GUEST_RAM_H */
