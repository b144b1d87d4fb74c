/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal virtio-pci modern driver for the Vireo PC's virtio functions
 * (blk, net, console, rng), written to be misused: every step of the
 * initialisation (virtio 1.1, 3.1.1) is its own call, so that a case can
 * stop in the middle or put wrong values in, and the split virtqueues are
 * plain memory the cases write directly.
 *
 * A function is found by its device ID with configuration mechanism #1
 * (CF8/CFC) on bus 0, its registers through the virtio vendor
 * capabilities, in the BARs the monitor assigned (vireo-run assigns every
 * BAR and turns decoding on; a BAR that reads 0 or lies above 4 GiB fails
 * the setup).  The notification area may be port I/O (the Vireo PC) or
 * memory (QEMU).  Each device gets its queues at rings + q * VH_RING_STRIDE
 * (hw.h), every queue VH_QSIZE entries.
 */
#ifndef VH_VDRV_H
#define VH_VDRV_H

#include <stdbool.h>

#include "hw.h"

/* virtio 1.1 */
#define VIRTIO_VENDOR		0x1af4
#define VIRTIO_MODERN_ID(type)	(0x1040U + (type))
#define VIRTIO_ID_NET		1
#define VIRTIO_ID_BLK		2
#define VIRTIO_ID_CONSOLE	3
#define VIRTIO_ID_RNG		4

#define ST_ACKNOWLEDGE		0x01
#define ST_DRIVER		0x02
#define ST_DRIVER_OK		0x04
#define ST_FEATURES_OK		0x08
#define ST_NEEDS_RESET		0x40
#define ST_FAILED		0x80

#define F_NET_MAC		5
#define F_NET_STATUS		16
#define F_INDIRECT_DESC		28
#define F_VERSION_1		32
#define FBIT(b)			(1ULL << (b))

#define DESC_F_NEXT		1
#define DESC_F_WRITE		2
#define DESC_F_INDIRECT		4

#define ISR_QUEUE		0x01
#define ISR_CONFIG		0x02

/* common configuration (4.1.4.3) */
#define CC_DFSELECT		0x00
#define CC_DF			0x04
#define CC_GFSELECT		0x08
#define CC_GF			0x0c
#define CC_MSIX			0x10
#define CC_NUMQ			0x12
#define CC_STATUS		0x14
#define CC_Q_SELECT		0x16
#define CC_Q_SIZE		0x18
#define CC_Q_MSIX		0x1a
#define CC_Q_ENABLE		0x1c
#define CC_Q_NOFF		0x1e
#define CC_Q_DESC		0x20
#define CC_Q_AVAIL		0x28
#define CC_Q_USED		0x30

/* virtio-blk (5.2) */
#define BLK_T_IN		0
#define BLK_T_OUT		1
#define BLK_T_GET_ID		8
#define BLK_S_OK		0
#define BLK_S_IOERR		1
#define BLK_S_UNSUPP		2
#define BLK_SECTOR		512

/* virtio-net (5.1): no offloads, no mergeable buffers */
#define NET_RXQ			0
#define NET_TXQ			1
#define NET_CFG_MAC		0
#define NET_CFG_STATUS		6
#define NET_S_LINK_UP		1
#define NET_GSO_TCPV4		1
#define NET_HDR_SIZE		12

/* virtio-console (5.3): one port, no multiport */
#define CON_RXQ			0
#define CON_TXQ			1

/* virtio-rng (5.4) */
#define RNG_Q			0

#define VH_QSIZE		16	/* what the driver asks for (device max: 64 or more) */
#define VH_MAX_QUEUES		2

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct vring_used_elem {
	uint32_t id;
	uint32_t len;
};

struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vring_used_elem ring[];
};

struct blk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
};

/* The driver's side of one queue. */
struct vqueue {
	uint16_t size;			/* for ring indexing */
	uint16_t notify_off;
	uint16_t avail_idx;		/* next avail->idx to publish */
	uint16_t used_seen;		/* used->idx consumed so far */
	uint32_t posted;		/* for the cases; 0 after vd_queue_setup() */
	volatile struct vring_desc *desc;
	volatile struct vring_avail *avail;
	volatile struct vring_used *used;
};

struct vdev {
	/* Set before vd_probe(). */
	const char *name;		/* "virtio-blk" */
	uint16_t type;			/* VIRTIO_ID_* */
	uint16_t nr_queues;		/* set up by vd_start(), at most VH_MAX_QUEUES */
	uint32_t rings;			/* queue q's rings at rings + q * VH_RING_STRIDE */
	uint32_t ram_end;		/* end of the RAM below 4 GiB */

	uint8_t devfn;
	uint32_t bar[6];		/* decoded addresses (below 4 GiB) */
	bool bar_io[6];
	uint32_t common, isr, devcfg;	/* MMIO addresses (devcfg: 0 if none) */
	uint32_t notify;		/* address of the notify area's start */
	bool notify_io;
	uint32_t notify_mult;
	uint32_t msix_cap;		/* config offset of the MSI-X capability, or 0 */
	uint32_t msix_table;		/* address of its table, or 0 */

	struct vqueue vq[VH_MAX_QUEUES];
};

/* Find the function (d->type) and its capabilities; NULL, or why not. */
const char *vd_probe(struct vdev *d);

/* PCI command register (bus mastering on/off for the DMA case). */
uint16_t vd_pci_command(struct vdev *d);
void vd_set_pci_command(struct vdev *d, uint16_t cmd);

/*
 * MSI-X on, table entry 0 = (addr, data) unmasked, and entry 0 the
 * configuration and every queue's vector: NULL or why not.  Off: MSI-X
 * disabled, entry 0 masked, no vectors.
 */
const char *vd_msix_on(struct vdev *d, uint32_t addr, uint32_t data);
void vd_msix_off(struct vdev *d);

/* Common configuration access. */
uint8_t vd_status(struct vdev *d);
void vd_set_status(struct vdev *d, uint8_t st);
uint8_t vd_isr(struct vdev *d);	/* read-to-clear */
uint16_t vd_read16(struct vdev *d, unsigned int off);
void vd_write16(struct vdev *d, unsigned int off, uint16_t v);
void vd_write64(struct vdev *d, unsigned int off, uint64_t v);	/* two 32-bit halves */

/* Status 0, and wait until it reads 0: NULL or why not. */
const char *vd_reset(struct vdev *d);
/* ACKNOWLEDGE, DRIVER, write features, FEATURES_OK; NULL or why not (want_ok: must stick). */
const char *vd_negotiate(struct vdev *d, uint64_t features, bool want_ok);
/* The default rings of queue q: rings + q * VH_RING_STRIDE. */
uint32_t vd_ring(struct vdev *d, unsigned int q);
/*
 * Queue q's registers: size and ring addresses.  The driver side always
 * uses the (zeroed) default rings of q, whatever the device is told.
 */
void vd_queue_setup(struct vdev *d, unsigned int q, uint16_t size, uint64_t desc, uint64_t avail,
		    uint64_t used);
void vd_queue_enable(struct vdev *d, unsigned int q);
/* The whole sequence, d->nr_queues queues on their default rings; NULL or why not. */
const char *vd_start(struct vdev *d, uint64_t features);

/* Publish head in queue q's avail ring (idx + 1) and notify q. */
void vd_submit(struct vdev *d, unsigned int q, uint16_t head);
/* Queue q's avail->idx += n without ring entries, then notify. */
void vd_bump_avail(struct vdev *d, unsigned int q, uint16_t n);
/* Notify queue q through its notify address, writing value. */
void vd_notify(struct vdev *d, uint16_t q, uint16_t value);

enum vd_event { EV_USED, EV_NEEDS_RESET, EV_TIMEOUT };
/* Wait for a used entry on queue q or NEEDS_RESET, at most ms milliseconds. */
enum vd_event vd_wait(struct vdev *d, unsigned int q, uint32_t ms);

#endif /* VH_VDRV_H */
