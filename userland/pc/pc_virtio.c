// SPDX-License-Identifier: GPL-2.0
/*
 * Virtio functions on the PC's PCI bus: what the machine adds to a virtio
 * device made by a device model in dev/ (the services' virtio_plug).  Each
 * queue gets an ioeventfd that follows the notify BAR, so a guest's OUT
 * completes in the kernel and only wakes the I/O loop; a device with a
 * backend (tap, console input) gets a wake eventfd for the loop too.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "dev/models.h"
#include "pc.h"

static void virtio_log(void *opaque, const char *device, const char *msg)
{
	struct vireo_pc_virtio *v = opaque;

	fprintf(v->pc->err, "vireo-run: %s (%s): the guest's driver broke the rules: %s\n",
		device, v->what, msg);
}

static void virtio_wake(void *opaque, struct vireo_virtio_dev *vd)
{
	struct vireo_pc_virtio *v = opaque;
	uint64_t one = 1;
	ssize_t n;

	(void)vd;
	n = write(v->wake_fd, &one, sizeof(one));
	(void)n;
}

void vireo_pc_virtio_bar_change(void *opaque, struct vireo_pci_dev *dev, unsigned int bar,
				bool is_io, uint64_t addr, uint64_t size, bool mapped)
{
	struct vireo_pc *pc = opaque;
	struct vireo_virtio_pci *vp = vireo_virtio_pci_from_pci(dev);
	struct vireo_pc_virtio *v = NULL;
	unsigned int i, q;

	(void)size;
	if (!vp || bar != VIREO_VIRTIO_PCI_NOTIFY_BAR || !is_io)
		return;
	for (i = 0; i < pc->nr_virtio; i++)
		if (&pc->virtio[i]->vp == vp)
			v = pc->virtio[i];
	if (!v)
		return;
	for (q = 0; q < vireo_virtio_num_queues(v->vd); q++) {
		uint16_t port = (uint16_t)(addr + VIREO_VIRTIO_PCI_NOTIFY_OFF(q));
		int r;

		if (v->queue_port[q]) {
			vireo_pc_ioeventfd(pc->vm_fd, v->queue_port[q], 2, v->queue_fd[q], q,
					   false);
			v->queue_port[q] = 0;
		}
		if (!mapped)
			continue;
		r = vireo_pc_ioeventfd(pc->vm_fd, port, 2, v->queue_fd[q], q, true);
		if (r) {
			/* The notification still works, through an exit. */
			fprintf(pc->err, "vireo-run: %s: ioeventfd on port 0x%x: %s\n", v->what,
				port, vireo_strerror(r));
			continue;
		}
		v->queue_port[q] = port;
	}
}

void vireo_pc_virtio_unplug(void *opaque)
{
	struct vireo_pc_virtio *v = opaque;
	struct vireo_pc *pc = v->pc;
	uint64_t unlogged = vireo_virtio_log_suppressed(v->vd);
	unsigned int q;

	if (unlogged)
		fprintf(pc->err, "vireo-run: %s (%s): %" PRIu64 " more driver errors not shown (rate limit)\n",
			v->vd->ops->name, v->what, unlogged);
	for (q = 0; q < VIREO_VIRTIO_MAX_QUEUES; q++) {
		if (v->queue_port[q])
			vireo_pc_ioeventfd(pc->vm_fd, v->queue_port[q], 2, v->queue_fd[q], q,
					   false);
		if (v->queue_fd[q] >= 0)
			close(v->queue_fd[q]);
	}
	if (v->wake_fd >= 0)
		close(v->wake_fd);
	if (v->vp.vd)
		vireo_virtio_pci_fini(&v->vp);
	vireo_virtio_destroy(v->vd);
	free((void *)v->what);
	free(v);
}

struct vireo_virtio_dev *vireo_pc_virtio_dev(void *v)
{
	return ((struct vireo_pc_virtio *)v)->vd;
}

/* Takes vd and what (malloc()ed, may be NULL) in any case. */
static int plug(struct vireo_pc *pc, struct vireo_virtio_dev *vd, char *what,
		struct vireo_pc_virtio **out)
{
	struct vireo_pci_bus *bus = vireo_pc_find(pc, &vireo_pc_dev_pci_host, 0);
	struct vireo_pc_virtio *v;
	unsigned int q;
	int r;

	v = calloc(1, sizeof(*v));
	if (!v || !bus || pc->nr_virtio == VIREO_PC_MAX_VIRTIO) {
		vireo_virtio_destroy(vd);
		free(what);
		free(v);
		return vireo_pc_device_fail(&pc->svc, bus ? -ENOMEM : 0,
					    bus ? "virtio device" : "virtio device without the PCI host above it");
	}
	if (!what)
		what = strdup("virtio device");
	v->pc = pc;
	v->vd = vd;
	v->what = what;
	v->wake_fd = -1;
	for (q = 0; q < VIREO_VIRTIO_MAX_QUEUES; q++)
		v->queue_fd[q] = -1;
	*out = v;	/* from here on, unplug frees it */

	vireo_virtio_set_log(vd, virtio_log, v);
	for (q = 0; q < vireo_virtio_num_queues(vd); q++) {
		v->queue_fd[q] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (v->queue_fd[q] < 0)
			return vireo_pc_device_fail(&pc->svc, -errno, "%s: eventfd", what);
	}
	v->backend_fd = vireo_virtio_backend_fd(vd);
	if (v->backend_fd >= 0) {
		v->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (v->wake_fd < 0)
			return vireo_pc_device_fail(&pc->svc, -errno, "%s: eventfd", what);
		vireo_virtio_set_backend_wake(vd, virtio_wake, v);
	}
	r = vireo_virtio_pci_init(&v->vp, vd);
	if (r)
		return vireo_pc_device_fail(&pc->svc, r, "%s: virtio-pci", what);
	r = vireo_pci_bus_add(bus, &v->vp.pci, -1);
	if (r)
		return vireo_pc_device_fail(&pc->svc, r, "%s: no PCI slot", what);
	pc->virtio[pc->nr_virtio++] = v;
	return 0;
}

int vireo_pc_virtio_plug(void *opaque, struct vireo_virtio_dev *vd, char *what, void **dev)
{
	struct vireo_pc_virtio *v = NULL;
	int r = plug(opaque, vd, what, &v);

	if (r && v)
		vireo_pc_virtio_unplug(v);
	if (!r)
		*dev = v;
	return r;
}
