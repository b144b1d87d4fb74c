/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtio-pci modern transport (virtio 1.1, 4.1): a non-transitional
 * PCI function (vendor 0x1af4, device 0x1040 + virtio ID, revision 1)
 * whose registers are found through vendor capabilities.
 *
 * Layout of every virtio-pci function:
 *   BAR0  I/O, 64 ports     notifications: queue q at port BAR0 + 2 * q
 *                           (notify_off_multiplier 2, queue_notify_off q);
 *                           the driver writes the 16-bit queue index there
 *   BAR1  memory, 4 KiB     MSI-X table (0x000) and PBA (0x800),
 *                           one vector per queue + one for configuration
 *   BAR4  memory 64-bit,    common configuration (0x0000), ISR (0x1000),
 *         16 KiB            device configuration (0x2000)
 *   capabilities: MSI-X, common, notify, ISR, device, PCI config access
 *   INTA#, routed to the GSI the bus assigns (ISR + INTx without MSI-X)
 *
 * Notifications are port I/O, "one 16-bit port per queue", so that the
 * kernel's VIREO_IOEVENTFD can complete them without an exit: for each
 * queue the monitor registers an ioeventfd with VIREO_IOEVENTFD_PIO |
 * VIREO_IOEVENTFD_DATAMATCH, len 2, addr = BAR0 + VIREO_VIRTIO_PCI_NOTIFY_OFF(q),
 * datamatch q, and calls vireo_virtio_process(vd, q) when it fires.  The
 * BAR's address comes from the bus's bar_change callback (bar ==
 * VIREO_VIRTIO_PCI_NOTIFY_BAR, is_io): unassign on unmap, assign on map
 * (Linux may move BARs; it disables decoding while it sizes them).  A
 * notification that exits anyway (no ioeventfd yet, or another value)
 * reaches the transport through vireo_pci_pio() and is handed to the
 * kick callback if the monitor set one, or processed on the spot.
 */
#ifndef VIREO_VIRTIO_PCI_H
#define VIREO_VIRTIO_PCI_H

#include "pci/pci.h"
#include "virtio/virtio.h"

#define VIREO_VIRTIO_PCI_NOTIFY_BAR	0
#define VIREO_VIRTIO_PCI_NOTIFY_SIZE	64
#define VIREO_VIRTIO_PCI_NOTIFY_MULT	2
#define VIREO_VIRTIO_PCI_NOTIFY_OFF(q)	((q) * VIREO_VIRTIO_PCI_NOTIFY_MULT)
#define VIREO_VIRTIO_PCI_MSIX_BAR	1
#define VIREO_VIRTIO_PCI_MSIX_TABLE	0x000
#define VIREO_VIRTIO_PCI_MSIX_PBA	0x800
#define VIREO_VIRTIO_PCI_CFG_BAR	4
#define VIREO_VIRTIO_PCI_CFG_SIZE	0x4000
#define VIREO_VIRTIO_PCI_COMMON		0x0000
#define VIREO_VIRTIO_PCI_ISR		0x1000
#define VIREO_VIRTIO_PCI_DEVICE		0x2000

/* Legend: (i) set by init; (l) the device lock (vd->lock = *pci.lock). */
struct vireo_virtio_pci {
	struct vireo_pci_dev pci;		/* (i) add to the bus with vireo_pci_bus_add() */
	struct vireo_virtio_dev *vd;		/* (i) */
	uint32_t dfselect;			/* (l) device_feature_select */
	uint32_t gfselect;			/* (l) driver_feature_select */
	uint16_t queue_select;			/* (l) */
	uint8_t isr;				/* (l) ISR status */
	uint8_t cfg_cap;			/* (i) the PCI config access capability */
	/* A trapped notification; NULL: process it on the vCPU thread. */
	void (*kick)(void *opaque, struct vireo_virtio_pci *vp, unsigned int q);	/* (i) */
	void *kick_opaque;			/* (i) */
};

/*
 * Make vp the PCI face of vd (which must outlive it).  -ENODEV for a
 * device type without a PCI identity here, -EINVAL if the PCI layer
 * refuses the layout.  Then: vireo_pci_bus_add(bus, &vp->pci, slot).
 */
int vireo_virtio_pci_init(struct vireo_virtio_pci *vp, struct vireo_virtio_dev *vd);
void vireo_virtio_pci_fini(struct vireo_virtio_pci *vp);

/* See the header comment; the callback runs with the device lock held. */
void vireo_virtio_pci_set_kick(struct vireo_virtio_pci *vp,
			       void (*kick)(void *opaque, struct vireo_virtio_pci *vp,
					    unsigned int q),
			       void *opaque);

/* The virtio-pci function behind a PCI function, or NULL (for bar_change). */
struct vireo_virtio_pci *vireo_virtio_pci_from_pci(struct vireo_pci_dev *dev);

/*
 * Port and datamatch for queue q's ioeventfd while BAR0 decodes: 0, or
 * -ENOENT (BAR0 not decoding), -EINVAL (no such queue).  Reads PCI state:
 * call it from bar_change or while no vCPU runs.
 */
int vireo_virtio_pci_notify_port(struct vireo_virtio_pci *vp, unsigned int q, uint16_t *port,
				 uint16_t *datamatch);

#endif /* VIREO_VIRTIO_PCI_H */
