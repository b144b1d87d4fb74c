// SPDX-License-Identifier: GPL-2.0
/* The test kernel's virtio-pci driver (vdrv.h). */
#include "vdrv.h"

#define PCI_CF8		0xcf8
#define PCI_CFC		0xcfc
#define PCI_COMMAND	0x04
#define PCI_STATUS_CAP	0x0010	/* in the upper half of dword 0x04 */
#define PCI_BAR0	0x10
#define PCI_CAP_PTR	0x34
#define PCI_CAP_VNDR	0x09
#define PCI_CAP_MSIX	0x11
#define MSIX_ENABLE	(1U << 31)	/* message control bit 15, in the cap's dword */

#define VCAP_COMMON	1
#define VCAP_NOTIFY	2
#define VCAP_ISR	3
#define VCAP_DEVICE	4

static uint32_t cfg_read(uint8_t devfn, unsigned int reg)
{
	outl(PCI_CF8, 0x80000000U | (uint32_t)devfn << 8 | (reg & 0xfc));
	return inl(PCI_CFC);
}

static void cfg_write(uint8_t devfn, unsigned int reg, uint32_t v)
{
	outl(PCI_CF8, 0x80000000U | (uint32_t)devfn << 8 | (reg & 0xfc));
	outl(PCI_CFC, v);
}

static uint8_t cfg_read8(uint8_t devfn, unsigned int reg)
{
	return (uint8_t)(cfg_read(devfn, reg) >> (8 * (reg & 3)));
}

uint16_t vd_pci_command(struct vdev *d)
{
	return (uint16_t)cfg_read(d->devfn, PCI_COMMAND);
}

void vd_set_pci_command(struct vdev *d, uint16_t cmd)
{
	/* The status half is write-1-to-clear: write zeros there. */
	cfg_write(d->devfn, PCI_COMMAND, cmd);
}

static const char *read_bars(struct vdev *d)
{
	static char why[96];
	unsigned int i;

	for (i = 0; i < 6; i++) {
		uint32_t v = cfg_read(d->devfn, PCI_BAR0 + 4 * i);

		d->bar_io[i] = v & 1;
		if (v & 1) {
			d->bar[i] = v & ~3U;
			continue;
		}
		d->bar[i] = v & ~0xfU;
		if (((v >> 1) & 3) == 2 && i < 5) {
			uint32_t hi = cfg_read(d->devfn, PCI_BAR0 + 4 * (i + 1));

			if (hi) {
				vh_snprintf(why, sizeof(why), "BAR%u at 0x%x%08x: above 4 GiB", i,
					    hi, d->bar[i]);
				return why;
			}
			d->bar[++i] = 0;
		}
	}
	return NULL;
}

/* The address of a capability's window; 0 if its BAR is unusable. */
static uint32_t cap_addr(struct vdev *d, unsigned int cap, bool *io)
{
	unsigned int bar = cfg_read8(d->devfn, cap + 4);

	if (bar > 5 || !d->bar[bar])
		return 0;
	*io = d->bar_io[bar];
	return d->bar[bar] + cfg_read(d->devfn, cap + 8);
}

const char *vd_probe(struct vdev *d)
{
	static char why[96];
	unsigned int slot, cap, n;
	const char *err;
	bool io = false;

	for (slot = 0; slot < 32; slot++) {
		uint32_t id = cfg_read((uint8_t)(slot << 3), 0);

		if ((id & 0xffff) == VIRTIO_VENDOR && (id >> 16) == VIRTIO_MODERN_ID(d->type))
			break;
	}
	if (slot == 32) {
		vh_snprintf(why, sizeof(why), "no %s (1af4:%x) on bus 0", d->name,
			    VIRTIO_MODERN_ID(d->type));
		return why;
	}
	d->devfn = (uint8_t)(slot << 3);
	err = read_bars(d);
	if (err)
		return err;
	if (!(cfg_read(d->devfn, PCI_COMMAND) & (PCI_STATUS_CAP << 16)))
		return "no capability list";
	/* At most 48 capabilities fit in the 192 bytes after the header. */
	for (cap = cfg_read8(d->devfn, PCI_CAP_PTR) & 0xfc, n = 0; cap && n < 48;
	     cap = cfg_read8(d->devfn, cap + 1) & 0xfc, n++) {
		uint32_t addr;

		if (cfg_read8(d->devfn, cap) == PCI_CAP_MSIX) {
			uint32_t t = cfg_read(d->devfn, cap + 4);

			d->msix_cap = cap;
			if (d->bar[t & 7] && !d->bar_io[t & 7])
				d->msix_table = d->bar[t & 7] + (t & ~7U);
		}
		if (cfg_read8(d->devfn, cap) != PCI_CAP_VNDR)
			continue;
		addr = cap_addr(d, cap, &io);
		switch (cfg_read8(d->devfn, cap + 3)) {
		case VCAP_COMMON:
			if (!d->common && !io)
				d->common = addr;
			break;
		case VCAP_NOTIFY:
			if (!d->notify && addr) {
				d->notify = addr;
				d->notify_io = io;
				d->notify_mult = cfg_read(d->devfn, cap + 16);
			}
			break;
		case VCAP_ISR:
			if (!d->isr && !io)
				d->isr = addr;
			break;
		case VCAP_DEVICE:
			if (!d->devcfg && !io)
				d->devcfg = addr;
			break;
		}
	}
	/* No device configuration is fine for a device without one (virtio-rng). */
	if (!d->common || !d->notify || !d->isr) {
		vh_snprintf(why, sizeof(why),
			    "capabilities missing: common 0x%x notify 0x%x isr 0x%x device 0x%x",
			    d->common, d->notify, d->isr, d->devcfg);
		return why;
	}
	if ((vd_pci_command(d) & 3) != 3) {
		vh_snprintf(why, sizeof(why), "decoding off (command 0x%x): BARs not assigned?",
			    vd_pci_command(d));
		return why;
	}
	/* I/O, memory, bus mastering. */
	vd_set_pci_command(d, vd_pci_command(d) | 0x7);
	return NULL;
}

/* ---- MSI-X --------------------------------------------------------------- */

const char *vd_msix_on(struct vdev *d, uint32_t addr, uint32_t data)
{
	static char why[80];
	uint16_t cfg, v;
	unsigned int q;

	if (!d->msix_cap || !d->msix_table)
		return "no MSI-X capability or table";
	mmio_write32(d->msix_table + 0, addr);
	mmio_write32(d->msix_table + 4, 0);
	mmio_write32(d->msix_table + 8, data);
	mmio_write32(d->msix_table + 12, 0);	/* unmasked */
	cfg_write(d->devfn, d->msix_cap, cfg_read(d->devfn, d->msix_cap) | MSIX_ENABLE);
	vd_write16(d, CC_MSIX, 0);
	cfg = vd_read16(d, CC_MSIX);
	for (q = 0; q < d->nr_queues; q++) {
		vd_write16(d, CC_Q_SELECT, (uint16_t)q);
		vd_write16(d, CC_Q_MSIX, 0);
		v = vd_read16(d, CC_Q_MSIX);
		if (cfg || v) {
			vh_snprintf(why, sizeof(why),
				    "vector 0 refused: config 0x%x, queue %u 0x%x", cfg, q, v);
			return why;
		}
	}
	return NULL;
}

void vd_msix_off(struct vdev *d)
{
	unsigned int q;

	if (!d->msix_cap || !d->msix_table)
		return;
	vd_write16(d, CC_MSIX, 0xffff);
	for (q = 0; q < d->nr_queues; q++) {
		vd_write16(d, CC_Q_SELECT, (uint16_t)q);
		vd_write16(d, CC_Q_MSIX, 0xffff);
	}
	cfg_write(d->devfn, d->msix_cap, cfg_read(d->devfn, d->msix_cap) & ~MSIX_ENABLE);
	mmio_write32(d->msix_table + 12, 1);
}

/* ---- registers ----------------------------------------------------------- */

uint8_t vd_status(struct vdev *d)
{
	return mmio_read8(d->common + CC_STATUS);
}

void vd_set_status(struct vdev *d, uint8_t st)
{
	mmio_write8(d->common + CC_STATUS, st);
}

uint8_t vd_isr(struct vdev *d)
{
	return mmio_read8(d->isr);
}

uint16_t vd_read16(struct vdev *d, unsigned int off)
{
	return mmio_read16(d->common + off);
}

void vd_write16(struct vdev *d, unsigned int off, uint16_t v)
{
	mmio_write16(d->common + off, v);
}

void vd_write64(struct vdev *d, unsigned int off, uint64_t v)
{
	mmio_write32(d->common + off, (uint32_t)v);
	mmio_write32(d->common + off + 4, (uint32_t)(v >> 32));
}

/* ---- initialisation (3.1.1) ---------------------------------------------- */

const char *vd_reset(struct vdev *d)
{
	static char why[64];
	uint32_t t0 = vh_ms();
	uint8_t st;

	vd_set_status(d, 0);
	/* 4.1.4.3.2: the driver waits for 0 before reinitialising. */
	while ((st = vd_status(d)) != 0) {
		if (vh_ms() - t0 > 2000) {
			vh_snprintf(why, sizeof(why), "reset: status still 0x%x", st);
			return why;
		}
	}
	return NULL;
}

const char *vd_negotiate(struct vdev *d, uint64_t features, bool want_ok)
{
	static char why[96];
	uint32_t lo, hi;
	uint8_t st;

	vd_set_status(d, ST_ACKNOWLEDGE);
	vd_set_status(d, ST_ACKNOWLEDGE | ST_DRIVER);
	mmio_write32(d->common + CC_DFSELECT, 0);
	lo = mmio_read32(d->common + CC_DF);
	mmio_write32(d->common + CC_DFSELECT, 1);
	hi = mmio_read32(d->common + CC_DF);
	if (want_ok && (features & ~((uint64_t)hi << 32 | lo))) {
		vh_snprintf(why, sizeof(why), "features 0x%llx not all offered (0x%x%08x)",
			    (unsigned long long)features, hi, lo);
		return why;
	}
	mmio_write32(d->common + CC_GFSELECT, 0);
	mmio_write32(d->common + CC_GF, (uint32_t)features);
	mmio_write32(d->common + CC_GFSELECT, 1);
	mmio_write32(d->common + CC_GF, (uint32_t)(features >> 32));
	vd_set_status(d, ST_ACKNOWLEDGE | ST_DRIVER | ST_FEATURES_OK);
	st = vd_status(d);
	if (want_ok && !(st & ST_FEATURES_OK)) {
		vh_snprintf(why, sizeof(why), "FEATURES_OK refused (status 0x%x)", st);
		return why;
	}
	return NULL;
}

uint32_t vd_ring(struct vdev *d, unsigned int q)
{
	return d->rings + q * VH_RING_STRIDE;
}

void vd_queue_setup(struct vdev *d, unsigned int q, uint16_t size, uint64_t desc, uint64_t avail,
		    uint64_t used)
{
	struct vqueue *vq = &d->vq[q];
	uint32_t ring = vd_ring(d, q);

	/* The driver's view stays on our own rings, whatever the device is told. */
	memset(phys(ring), 0, 0x3000);
	vq->desc = phys(ring);
	vq->avail = phys(ring + 0x1000);
	vq->used = phys(ring + 0x2000);
	vd_write16(d, CC_Q_SELECT, (uint16_t)q);
	vd_write16(d, CC_Q_SIZE, size);
	vd_write64(d, CC_Q_DESC, desc);
	vd_write64(d, CC_Q_AVAIL, avail);
	vd_write64(d, CC_Q_USED, used);
	vd_write16(d, CC_Q_MSIX, 0xffff);	/* no vector: INTx and ISR */
	vq->notify_off = vd_read16(d, CC_Q_NOFF);
	vq->size = size && !(size & (size - 1)) ? size : VH_QSIZE;	/* for ring indexing */
	vq->avail_idx = 0;
	vq->used_seen = 0;
	vq->posted = 0;
}

void vd_queue_enable(struct vdev *d, unsigned int q)
{
	vd_write16(d, CC_Q_SELECT, (uint16_t)q);
	vd_write16(d, CC_Q_ENABLE, 1);
}

const char *vd_start(struct vdev *d, uint64_t features)
{
	static char why[96];
	const char *err;
	unsigned int q;
	uint32_t ring;
	uint8_t st;

	err = vd_reset(d);
	if (!err)
		err = vd_negotiate(d, features, true);
	if (err)
		return err;
	for (q = 0; q < d->nr_queues; q++) {
		vd_write16(d, CC_Q_SELECT, (uint16_t)q);
		if (vd_read16(d, CC_Q_SIZE) < VH_QSIZE) {
			vh_snprintf(why, sizeof(why), "queue %u maximum size %u < %u", q,
				    vd_read16(d, CC_Q_SIZE), VH_QSIZE);
			return why;
		}
		ring = vd_ring(d, q);
		vd_queue_setup(d, q, VH_QSIZE, ring, ring + 0x1000, ring + 0x2000);
		vd_queue_enable(d, q);
		if (vd_read16(d, CC_Q_ENABLE) != 1) {
			vh_snprintf(why, sizeof(why), "queue %u did not enable (status 0x%x)", q,
				    vd_status(d));
			return why;
		}
	}
	vd_set_status(d, ST_ACKNOWLEDGE | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK);
	st = vd_status(d);
	if (st != (ST_ACKNOWLEDGE | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK)) {
		vh_snprintf(why, sizeof(why), "status 0x%x after DRIVER_OK", st);
		return why;
	}
	(void)vd_isr(d);
	return NULL;
}

/* ---- the queue ----------------------------------------------------------- */

void vd_notify(struct vdev *d, uint16_t q, uint16_t value)
{
	/* A queue the driver does not use (a bogus notification): offset q. */
	uint32_t off = q < d->nr_queues ? d->vq[q].notify_off : q;
	uint32_t addr = d->notify + off * d->notify_mult;

	barrier();
	if (d->notify_io)
		outw((uint16_t)addr, value);
	else
		mmio_write16(addr, value);
}

void vd_submit(struct vdev *d, unsigned int q, uint16_t head)
{
	struct vqueue *vq = &d->vq[q];

	vq->avail->ring[vq->avail_idx % vq->size] = head;
	barrier();
	vq->avail->idx = ++vq->avail_idx;
	vd_notify(d, (uint16_t)q, (uint16_t)q);
}

void vd_bump_avail(struct vdev *d, unsigned int q, uint16_t n)
{
	struct vqueue *vq = &d->vq[q];

	vq->avail_idx = (uint16_t)(vq->avail_idx + n);
	barrier();
	vq->avail->idx = vq->avail_idx;
	vd_notify(d, (uint16_t)q, (uint16_t)q);
}

enum vd_event vd_wait(struct vdev *d, unsigned int q, uint32_t ms)
{
	struct vqueue *vq = &d->vq[q];
	uint32_t t0 = vh_ms();

	for (;;) {
		if (vq->used->idx != vq->used_seen)
			return EV_USED;
		if (vd_status(d) & ST_NEEDS_RESET)
			return EV_NEEDS_RESET;
		if (vh_ms() - t0 > ms)
			return EV_TIMEOUT;
	}
}
