// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-pci modern transport (virtio_pci.h has the layout and the
 * notification contract).  Register handlers run with the device lock
 * held (the PCI layer takes *pci.lock, which is vd->lock).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "virtio/virtio_pci.h"

static void le_put(uint8_t *p, unsigned int size, uint64_t v)
{
	for (unsigned int i = 0; i < size; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t le_get(const uint8_t *p, unsigned int size)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < size; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static struct vireo_virtio_pci *to_vp(struct vireo_pci_dev *dev)
{
	return dev->opaque;
}

/* ---- common configuration (4.1.4.3) -------------------------------------- */

static uint16_t checked_vector(struct vireo_virtio_pci *vp, uint64_t v)
{
	/* A vector the table does not have reads back as NO_VECTOR (4.1.5.1.2). */
	return v < vp->pci.msix_vectors ? (uint16_t)v : VIRTIO_MSI_NO_VECTOR;
}

static uint64_t common_read(struct vireo_virtio_pci *vp, unsigned int off, unsigned int size)
{
	struct vireo_virtio_dev *vd = vp->vd;
	uint8_t img[VIRTIO_PCI_COMMON_SIZE + 8];
	unsigned int q = vp->queue_select;

	memset(img, 0, sizeof(img));
	le_put(img + VIRTIO_PCI_COMMON_DFSELECT, 4, vp->dfselect);
	le_put(img + VIRTIO_PCI_COMMON_DF, 4, vireo_virtio_device_features(vd, vp->dfselect));
	le_put(img + VIRTIO_PCI_COMMON_GFSELECT, 4, vp->gfselect);
	le_put(img + VIRTIO_PCI_COMMON_GF, 4, vireo_virtio_get_driver_features(vd, vp->gfselect));
	le_put(img + VIRTIO_PCI_COMMON_MSIX, 2, vd->config_vector);
	le_put(img + VIRTIO_PCI_COMMON_NUMQ, 2, vd->ops->num_queues);
	img[VIRTIO_PCI_COMMON_STATUS] = vd->status;
	img[VIRTIO_PCI_COMMON_CFGGEN] = vd->config_generation;
	le_put(img + VIRTIO_PCI_COMMON_Q_SELECT, 2, vp->queue_select);
	/* A queue that does not exist reads as size 0 and nothing else. */
	if (q < vd->ops->num_queues) {
		const struct vireo_vq *vq = &vd->queues[q].vq;

		le_put(img + VIRTIO_PCI_COMMON_Q_SIZE, 2, vq->size);
		le_put(img + VIRTIO_PCI_COMMON_Q_MSIX, 2, vd->queues[q].vector);
		le_put(img + VIRTIO_PCI_COMMON_Q_ENABLE, 2, vq->ready);
		le_put(img + VIRTIO_PCI_COMMON_Q_NOFF, 2, q);
		le_put(img + VIRTIO_PCI_COMMON_Q_DESC, 8, vq->desc_gpa);
		le_put(img + VIRTIO_PCI_COMMON_Q_AVAIL, 8, vq->avail_gpa);
		le_put(img + VIRTIO_PCI_COMMON_Q_USED, 8, vq->used_gpa);
	}
	if (off >= VIRTIO_PCI_COMMON_SIZE)
		return 0;
	return le_get(img + off, size);
}

/* A 64-bit queue address written whole or as two 32-bit halves (4.1.3.1). */
static void set_addr(uint64_t *addr, unsigned int rel, unsigned int size, uint64_t val)
{
	if (size == 8 && rel == 0)
		*addr = val;
	else if (size == 4 && rel == 0)
		*addr = (*addr & ~0xffffffffULL) | (uint32_t)val;
	else if (size == 4 && rel == 4)
		*addr = (*addr & 0xffffffffULL) | (uint64_t)(uint32_t)val << 32;
}

static void common_write(struct vireo_virtio_pci *vp, unsigned int off, unsigned int size,
			 uint64_t val)
{
	struct vireo_virtio_dev *vd = vp->vd;
	unsigned int q = vp->queue_select;
	struct vireo_vq *regs;

	/* Each field is written with its own width (4.1.3.1); others are dropped. */
	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT:
		if (size == 4)
			vp->dfselect = (uint32_t)val;
		return;
	case VIRTIO_PCI_COMMON_GFSELECT:
		if (size == 4)
			vp->gfselect = (uint32_t)val;
		return;
	case VIRTIO_PCI_COMMON_GF:
		if (size == 4)
			vireo_virtio_set_driver_features(vd, vp->gfselect, (uint32_t)val);
		return;
	case VIRTIO_PCI_COMMON_MSIX:
		if (size == 2)
			vd->config_vector = checked_vector(vp, val);
		return;
	case VIRTIO_PCI_COMMON_STATUS:
		if (size == 1)
			vireo_virtio_set_status(vd, (uint8_t)val);
		return;
	case VIRTIO_PCI_COMMON_Q_SELECT:
		if (size == 2)
			vp->queue_select = (uint16_t)val;
		return;
	case VIRTIO_PCI_COMMON_Q_MSIX:
		if (size == 2 && q < vd->ops->num_queues)
			vd->queues[q].vector = checked_vector(vp, val);
		return;
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		/* Writing 0 is not allowed without VIRTIO_F_RING_RESET: ignored. */
		if (size == 2 && val == 1)
			vireo_virtio_queue_enable(vd, q);
		return;
	default:
		break;
	}

	regs = vireo_virtio_queue_regs(vd, q);
	if (!regs)
		return;	/* no such queue, or already enabled: read-only now */
	if (off == VIRTIO_PCI_COMMON_Q_SIZE && size == 2)
		regs->size = (uint16_t)val;
	else if (off >= VIRTIO_PCI_COMMON_Q_DESC && off < VIRTIO_PCI_COMMON_Q_AVAIL)
		set_addr(&regs->desc_gpa, off - VIRTIO_PCI_COMMON_Q_DESC, size, val);
	else if (off >= VIRTIO_PCI_COMMON_Q_AVAIL && off < VIRTIO_PCI_COMMON_Q_USED)
		set_addr(&regs->avail_gpa, off - VIRTIO_PCI_COMMON_Q_AVAIL, size, val);
	else if (off >= VIRTIO_PCI_COMMON_Q_USED && off < VIRTIO_PCI_COMMON_SIZE)
		set_addr(&regs->used_gpa, off - VIRTIO_PCI_COMMON_Q_USED, size, val);
}

/* ---- BARs ---------------------------------------------------------------- */

static void notify(struct vireo_virtio_pci *vp, unsigned int q)
{
	if (q >= vp->vd->ops->num_queues)
		return;
	if (vp->kick)
		vp->kick(vp->kick_opaque, vp, q);
	else
		vireo_virtio_notify_locked(vp->vd, q);
}

static uint64_t isr_read(struct vireo_virtio_pci *vp)
{
	uint8_t v = vp->isr;

	/* Read-to-clear, and the read acknowledges INTx (4.1.4.5). */
	vp->isr = 0;
	vireo_pci_set_intx(&vp->pci, false);
	return v;
}

static void vp_bar_read(struct vireo_pci_dev *dev, unsigned int bar, uint64_t offset,
			unsigned int size, uint64_t *val)
{
	struct vireo_virtio_pci *vp = to_vp(dev);

	*val = 0;
	if (bar != VIREO_VIRTIO_PCI_CFG_BAR)
		return;	/* the notify ports read as 0 */
	if (offset < VIREO_VIRTIO_PCI_ISR)
		*val = common_read(vp, (unsigned int)offset, size);
	else if (offset == VIREO_VIRTIO_PCI_ISR)
		*val = isr_read(vp);
	else if (offset >= VIREO_VIRTIO_PCI_DEVICE)
		*val = vireo_virtio_config_read(vp->vd,
						(unsigned int)(offset - VIREO_VIRTIO_PCI_DEVICE),
						size);
}

static void vp_bar_write(struct vireo_pci_dev *dev, unsigned int bar, uint64_t offset,
			 unsigned int size, uint64_t val)
{
	struct vireo_virtio_pci *vp = to_vp(dev);

	if (bar == VIREO_VIRTIO_PCI_NOTIFY_BAR) {
		/* The port says which queue; the value (the index again) is not needed. */
		if (!(offset % VIREO_VIRTIO_PCI_NOTIFY_MULT))
			notify(vp, (unsigned int)(offset / VIREO_VIRTIO_PCI_NOTIFY_MULT));
		return;
	}
	if (bar != VIREO_VIRTIO_PCI_CFG_BAR)
		return;
	if (offset < VIREO_VIRTIO_PCI_ISR)
		common_write(vp, (unsigned int)offset, size, val);
	else if (offset >= VIREO_VIRTIO_PCI_DEVICE)
		vireo_virtio_config_write(vp->vd, (unsigned int)(offset - VIREO_VIRTIO_PCI_DEVICE),
					  size, val);
}

/* ---- the PCI configuration access capability (4.1.4.7) -------------------- */

static bool cfg_window(struct vireo_virtio_pci *vp, unsigned int *bar, uint64_t *off,
		       unsigned int *len)
{
	const uint8_t *cap = &vp->pci.cfg[vp->cfg_cap];
	const struct vireo_pci_bar_desc *b;

	*bar = cap[VIRTIO_PCI_CAP_BAR];
	*off = le_get(cap + VIRTIO_PCI_CAP_OFFSET, 4);
	*len = (unsigned int)le_get(cap + VIRTIO_PCI_CAP_LENGTH, 4);
	if (*len != 1 && *len != 2 && *len != 4)
		return false;
	if (*off % *len || (*bar != VIREO_VIRTIO_PCI_NOTIFY_BAR && *bar != VIREO_VIRTIO_PCI_CFG_BAR))
		return false;
	b = &vp->pci.desc->bars[*bar];
	return *off + *len <= b->size;
}

static bool touches_data(struct vireo_virtio_pci *vp, unsigned int offset, unsigned int size)
{
	unsigned int data = vp->cfg_cap + VIRTIO_PCI_CFG_CAP_DATA;

	return offset < data + 4 && data < offset + size;
}

static void vp_cfg_read(struct vireo_pci_dev *dev, unsigned int offset, unsigned int size,
			uint32_t *val)
{
	struct vireo_virtio_pci *vp = to_vp(dev);
	uint8_t *data = &dev->cfg[vp->cfg_cap + VIRTIO_PCI_CFG_CAP_DATA];
	unsigned int bar, len;
	uint64_t off, v = 0;

	if (!vp->cfg_cap || !touches_data(vp, offset, size))
		return;
	/* The access happens now, and the data field shows its result. */
	if (cfg_window(vp, &bar, &off, &len)) {
		vp_bar_read(dev, bar, off, len, &v);
		le_put(data, 4, 0);
		le_put(data, len, v);
	}
	*val = (uint32_t)le_get(&dev->cfg[offset], size);
}

static void vp_cfg_write(struct vireo_pci_dev *dev, unsigned int offset, unsigned int size,
			 uint32_t val)
{
	struct vireo_virtio_pci *vp = to_vp(dev);
	const uint8_t *data = &dev->cfg[vp->cfg_cap + VIRTIO_PCI_CFG_CAP_DATA];
	unsigned int bar, len;
	uint64_t off;

	(void)val;
	if (!vp->cfg_cap || !touches_data(vp, offset, size))
		return;
	if (cfg_window(vp, &bar, &off, &len))
		vp_bar_write(dev, bar, off, len, le_get(data, len));
}

/* Platform reset: the device goes back to its reset state with the function. */
static void vp_pci_reset(struct vireo_pci_dev *dev)
{
	vireo_virtio_reset(to_vp(dev)->vd);
}

/* ---- PCI identities ------------------------------------------------------ */

#define VIRTIO_PCI_DESC(id_, name_, class_)                                                 \
	{                                                                                   \
		.name = name_,                                                              \
		.vendor_id = VIRTIO_PCI_VENDOR_ID,                                          \
		.device_id = VIRTIO_PCI_DEVICE_ID_BASE + (id_),                             \
		.subsystem_vendor_id = VIRTIO_PCI_VENDOR_ID,                                \
		.subsystem_id = VIRTIO_PCI_SUBSYSTEM_ID,                                    \
		.revision = 1,	/* 4.1.2.1: non-transitional devices: >= 1 */              \
		.class_code = (class_),                                                     \
		.interrupt_pin = 1,                                                         \
		.bars = {                                                                   \
			[VIREO_VIRTIO_PCI_NOTIFY_BAR] = { VIREO_PCI_BAR_IO, false,          \
							  VIREO_VIRTIO_PCI_NOTIFY_SIZE },   \
			[VIREO_VIRTIO_PCI_MSIX_BAR] = { VIREO_PCI_BAR_MEM32, false, 4096 }, \
			[VIREO_VIRTIO_PCI_CFG_BAR] = { VIREO_PCI_BAR_MEM64, false,          \
						       VIREO_VIRTIO_PCI_CFG_SIZE },         \
		},                                                                          \
		.msix_bar = VIREO_VIRTIO_PCI_MSIX_BAR,                                      \
		.msix_table_offset = VIREO_VIRTIO_PCI_MSIX_TABLE,                           \
		.msix_pba_offset = VIREO_VIRTIO_PCI_MSIX_PBA,                               \
		.bar_read = vp_bar_read,                                                    \
		.bar_write = vp_bar_write,                                                  \
		.cfg_read = vp_cfg_read,                                                    \
		.cfg_write = vp_cfg_write,                                                  \
		.reset = vp_pci_reset,                                                      \
	}

/* One const descriptor per device type; class codes as other hypervisors use. */
static const struct vireo_pci_dev_desc virtio_pci_descs[] = {
	VIRTIO_PCI_DESC(VIRTIO_ID_NET, "virtio-net", 0x020000),		/* Ethernet */
	VIRTIO_PCI_DESC(VIRTIO_ID_BLOCK, "virtio-blk", 0x010000),	/* SCSI storage */
	VIRTIO_PCI_DESC(VIRTIO_ID_CONSOLE, "virtio-console", 0x078000),	/* other comm. */
	VIRTIO_PCI_DESC(VIRTIO_ID_RNG, "virtio-rng", 0x00ff00),		/* other */
};

#define NR_DESCS (sizeof(virtio_pci_descs) / sizeof(virtio_pci_descs[0]))

struct vireo_virtio_pci *vireo_virtio_pci_from_pci(struct vireo_pci_dev *dev)
{
	for (unsigned int i = 0; i < NR_DESCS; i++)
		if (dev->desc == &virtio_pci_descs[i])
			return to_vp(dev);
	return NULL;
}

/* ---- the transport's side of the device ----------------------------------- */

static void vp_interrupt(struct vireo_virtio_dev *vd, int q)
{
	struct vireo_virtio_pci *vp = vd->transport_priv;

	if (vireo_pci_msix_enabled(&vp->pci)) {
		uint16_t vec = q < 0 ? vd->config_vector : vd->queues[q].vector;

		if (vec != VIRTIO_MSI_NO_VECTOR)
			vireo_pci_msix_notify(&vp->pci, vec);
		return;
	}
	vp->isr |= q < 0 ? VIRTIO_PCI_ISR_CONFIG : VIRTIO_PCI_ISR_QUEUE;
	vireo_pci_set_intx(&vp->pci, true);
}

static bool vp_dma_allowed(struct vireo_virtio_dev *vd)
{
	struct vireo_virtio_pci *vp = vd->transport_priv;

	return vireo_pci_bus_master(&vp->pci);
}

static void vp_reset(struct vireo_virtio_dev *vd)
{
	struct vireo_virtio_pci *vp = vd->transport_priv;

	vp->isr = 0;
	vp->dfselect = 0;
	vp->gfselect = 0;
	vp->queue_select = 0;
	vireo_pci_set_intx(&vp->pci, false);
}

static const struct vireo_virtio_transport virtio_pci_transport = {
	.interrupt = vp_interrupt,
	.dma_allowed = vp_dma_allowed,
	.reset = vp_reset,
};

static int add_cap(struct vireo_virtio_pci *vp, uint8_t type, unsigned int len, uint8_t bar,
		   uint32_t offset, uint32_t length)
{
	int off = vireo_pci_add_cap(&vp->pci, VIREO_PCI_CAP_ID_VNDR, len);
	uint8_t *cap;

	if (off < 0)
		return off;
	cap = &vp->pci.cfg[off];
	cap[VIRTIO_PCI_CAP_LEN] = (uint8_t)len;
	cap[VIRTIO_PCI_CAP_CFG_TYPE] = type;
	cap[VIRTIO_PCI_CAP_BAR] = bar;
	le_put(cap + VIRTIO_PCI_CAP_OFFSET, 4, offset);
	le_put(cap + VIRTIO_PCI_CAP_LENGTH, 4, length);
	return off;
}

int vireo_virtio_pci_init(struct vireo_virtio_pci *vp, struct vireo_virtio_dev *vd)
{
	const struct vireo_pci_dev_desc *desc = NULL;
	uint16_t nq = vd->ops->num_queues;
	int err, off;

	for (unsigned int i = 0; i < NR_DESCS; i++)
		if (virtio_pci_descs[i].device_id == VIRTIO_PCI_DEVICE_ID_BASE + vd->ops->device_id)
			desc = &virtio_pci_descs[i];
	if (!desc)
		return -ENODEV;
	if (VIREO_VIRTIO_PCI_NOTIFY_OFF(nq) > VIREO_VIRTIO_PCI_NOTIFY_SIZE)
		return -EINVAL;

	memset(vp, 0, sizeof(*vp));
	vp->vd = vd;
	err = vireo_pci_dev_init(&vp->pci, desc, vp, nq + 1U);
	if (err)
		return err;
	vp->pci.lock = &vd->lock;

	err = add_cap(vp, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_CAP_SIZE, VIREO_VIRTIO_PCI_CFG_BAR,
		      VIREO_VIRTIO_PCI_COMMON, VIRTIO_PCI_COMMON_SIZE);
	if (err < 0)
		goto out;
	off = add_cap(vp, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_NOTIFY_CAP_SIZE,
		      VIREO_VIRTIO_PCI_NOTIFY_BAR, 0, VIREO_VIRTIO_PCI_NOTIFY_OFF(nq));
	if (off < 0) {
		err = off;
		goto out;
	}
	le_put(&vp->pci.cfg[off + VIRTIO_PCI_NOTIFY_CAP_MULT], 4, VIREO_VIRTIO_PCI_NOTIFY_MULT);
	err = add_cap(vp, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_CAP_SIZE, VIREO_VIRTIO_PCI_CFG_BAR,
		      VIREO_VIRTIO_PCI_ISR, 1);
	if (err < 0)
		goto out;
	if (vd->ops->config_size) {
		err = add_cap(vp, VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_PCI_CAP_SIZE,
			      VIREO_VIRTIO_PCI_CFG_BAR, VIREO_VIRTIO_PCI_DEVICE,
			      vd->ops->config_size);
		if (err < 0)
			goto out;
	}
	off = add_cap(vp, VIRTIO_PCI_CAP_PCI_CFG, VIRTIO_PCI_CFG_CAP_SIZE, 0, 0, 0);
	if (off < 0) {
		err = off;
		goto out;
	}
	/* bar, offset, length and the data window are the driver's to write. */
	vp->cfg_cap = (uint8_t)off;
	vp->pci.wmask[off + VIRTIO_PCI_CAP_BAR] = 0xff;
	memset(&vp->pci.wmask[off + VIRTIO_PCI_CAP_OFFSET], 0xff, 8 + 4);
	vireo_pci_dev_commit_defaults(&vp->pci);

	vd->transport = &virtio_pci_transport;
	vd->transport_priv = vp;
	err = 0;
out:
	if (err) {
		vireo_pci_dev_fini(&vp->pci);
		return -EINVAL;
	}
	return 0;
}

void vireo_virtio_pci_fini(struct vireo_virtio_pci *vp)
{
	vp->vd->transport = NULL;
	vp->vd->transport_priv = NULL;
	vireo_pci_dev_fini(&vp->pci);
}

void vireo_virtio_pci_set_kick(struct vireo_virtio_pci *vp,
			       void (*kick)(void *opaque, struct vireo_virtio_pci *vp,
					    unsigned int q),
			       void *opaque)
{
	vp->kick = kick;
	vp->kick_opaque = opaque;
}

int vireo_virtio_pci_notify_port(struct vireo_virtio_pci *vp, unsigned int q, uint16_t *port,
				 uint16_t *datamatch)
{
	uint64_t base;

	if (q >= vp->vd->ops->num_queues)
		return -EINVAL;
	if (!vireo_pci_bar_mapped(&vp->pci, VIREO_VIRTIO_PCI_NOTIFY_BAR, &base))
		return -ENOENT;
	*port = (uint16_t)(base + VIREO_VIRTIO_PCI_NOTIFY_OFF(q));
	*datamatch = (uint16_t)q;
	return 0;
}
