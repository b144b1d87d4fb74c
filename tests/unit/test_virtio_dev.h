/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the virtio device suites: one virtio device on a PCI bus, driven
 * the way Linux's virtio_pci_modern does it, through configuration
 * space, the BARs and the notify ports, over a fake guest RAM.
 */
#ifndef VIREO_TEST_VIRTIO_DEV_H
#define VIREO_TEST_VIRTIO_DEV_H

#include <stdio.h>

#include "test_pci_util.h"
#include "test_virtio_util.h"
#include "virtio/virtio_pci.h"

#define TV_SLOT 2
#define TV_DEVFN (TV_SLOT << 3)
#define TV_RINGS (TRAM_BASE + 0x100000)	/* queue q's rings at TV_RINGS + q * 64 KiB */

struct tvdev {
	struct tp_bus tb;
	struct tram tr;
	struct vireo_virtio_dev *vd;
	struct vireo_virtio_pci vp;
	struct tdrv q[VIREO_VIRTIO_MAX_QUEUES];
	uint64_t cfg_bar, msix_bar;
	uint16_t notify_base;
	unsigned int logs;
	char last_log[128];
	unsigned int wakes;
};

static inline void tv_log(void *opaque, const char *device, const char *msg)
{
	struct tvdev *t = opaque;

	t->logs++;
	snprintf(t->last_log, sizeof(t->last_log), "%s: %s", device, msg);
}

static inline void tv_wake(void *opaque, struct vireo_virtio_dev *vd)
{
	struct tvdev *t = opaque;

	(void)vd;
	t->wakes++;
}

/* First the RAM (the device needs it), then tv_attach() with the device. */
static inline int tv_ram(struct tvdev *t)
{
	memset(t, 0, sizeof(*t));
	return tram_init(&t->tr);
}

static inline int tv_attach(struct tvdev *t, struct vireo_virtio_dev *vd)
{
	uint64_t io;
	int err;

	t->vd = vd;
	vireo_virtio_set_log(vd, tv_log, t);
	vireo_virtio_set_backend_wake(vd, tv_wake, t);
	err = tp_bus_init(&t->tb);
	if (!err)
		err = vireo_virtio_pci_init(&t->vp, vd);
	if (!err)
		err = vireo_pci_bus_add(&t->tb.bus, &t->vp.pci, TV_SLOT);
	if (!err)
		err = vireo_pci_bus_assign(&t->tb.bus);
	if (err)
		return err;
	if (!vireo_pci_bar_mapped(&t->vp.pci, VIREO_VIRTIO_PCI_CFG_BAR, &t->cfg_bar) ||
	    !vireo_pci_bar_mapped(&t->vp.pci, VIREO_VIRTIO_PCI_MSIX_BAR, &t->msix_bar) ||
	    !vireo_pci_bar_mapped(&t->vp.pci, VIREO_VIRTIO_PCI_NOTIFY_BAR, &io))
		return -1;
	t->notify_base = (uint16_t)io;
	/* What pci_set_master() does in virtio_pci_probe(). */
	tp_cf8_write(&t->tb, TV_DEVFN, 4, 2, 0x7);
	for (unsigned int q = 0; q < VIREO_VIRTIO_MAX_QUEUES; q++)
		tdrv_init(&t->q[q], &t->tr, 0, TV_RINGS + q * 0x10000ULL);
	return 0;
}

static inline void tv_detach(struct tvdev *t)
{
	vireo_virtio_pci_fini(&t->vp);
	vireo_virtio_destroy(t->vd);
	vireo_pci_bus_fini(&t->tb.bus);
	tram_fini(&t->tr);
}

static inline uint64_t tv_read(struct tvdev *t, uint64_t off, unsigned int size)
{
	return tp_mmio_read(&t->tb, t->cfg_bar + off, size);
}

static inline void tv_write(struct tvdev *t, uint64_t off, unsigned int size, uint64_t v)
{
	tp_mmio_write(&t->tb, t->cfg_bar + off, size, v);
}

static inline uint8_t tv_status(struct tvdev *t)
{
	return (uint8_t)tv_read(t, VIRTIO_PCI_COMMON_STATUS, 1);
}

static inline void tv_set_status(struct tvdev *t, uint8_t s)
{
	tv_write(t, VIRTIO_PCI_COMMON_STATUS, 1, s);
}

static inline uint64_t tv_device_features(struct tvdev *t)
{
	uint64_t f;

	tv_write(t, VIRTIO_PCI_COMMON_DFSELECT, 4, 0);
	f = tv_read(t, VIRTIO_PCI_COMMON_DF, 4);
	tv_write(t, VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
	return f | tv_read(t, VIRTIO_PCI_COMMON_DF, 4) << 32;
}

static inline void tv_driver_features(struct tvdev *t, uint64_t f)
{
	tv_write(t, VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
	tv_write(t, VIRTIO_PCI_COMMON_GF, 4, (uint32_t)f);
	tv_write(t, VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
	tv_write(t, VIRTIO_PCI_COMMON_GF, 4, f >> 32);
}

/* 3.1.1 steps 1-6: the status FEATURES_OK reads back as. */
static inline uint8_t tv_negotiate(struct tvdev *t, uint64_t features)
{
	tv_set_status(t, 0);
	tv_set_status(t, VIRTIO_STATUS_ACKNOWLEDGE);
	tv_set_status(t, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	tv_driver_features(t, features);
	tv_set_status(t, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
				 VIRTIO_STATUS_FEATURES_OK);
	return tv_status(t);
}

/* Program queue q with size entries (its fake driver too) and enable it. */
static inline void tv_queue(struct tvdev *t, unsigned int q, uint16_t size)
{
	struct tdrv *d = &t->q[q];

	tdrv_init(d, &t->tr, size, TV_RINGS + q * 0x10000ULL);
	tv_write(t, VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
	tv_write(t, VIRTIO_PCI_COMMON_Q_SIZE, 2, size);
	tv_write(t, VIRTIO_PCI_COMMON_Q_DESC, 4, (uint32_t)d->desc);
	tv_write(t, VIRTIO_PCI_COMMON_Q_DESC + 4, 4, d->desc >> 32);
	tv_write(t, VIRTIO_PCI_COMMON_Q_AVAIL, 8, d->avail);
	tv_write(t, VIRTIO_PCI_COMMON_Q_USED, 4, (uint32_t)d->used);
	tv_write(t, VIRTIO_PCI_COMMON_Q_USED + 4, 4, d->used >> 32);
	tv_write(t, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
}

#define TV_STATUS_OK                                                                        \
	(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |     \
	 VIRTIO_STATUS_DRIVER_OK)

/* Whole bring-up with VERSION_1 + extra features and every queue at size. */
static inline int tv_bringup(struct tvdev *t, uint64_t extra, uint16_t size)
{
	if (!(tv_negotiate(t, VIRTIO_BIT(VIRTIO_F_VERSION_1) | extra) & VIRTIO_STATUS_FEATURES_OK))
		return -1;
	for (unsigned int q = 0; q < vireo_virtio_num_queues(t->vd); q++)
		tv_queue(t, q, size);
	tv_set_status(t, TV_STATUS_OK);
	return tv_status(t) == TV_STATUS_OK ? 0 : -1;
}

/* The guest's notification: a 16-bit OUT of q to the queue's port (trapped). */
static inline void tv_kick(struct tvdev *t, unsigned int q)
{
	uint32_t v = q;

	vireo_pci_pio(&t->tb.bus, (uint16_t)(t->notify_base + VIREO_VIRTIO_PCI_NOTIFY_OFF(q)), 2,
		      true, &v);
}

#endif /* VIREO_TEST_VIRTIO_DEV_H */
