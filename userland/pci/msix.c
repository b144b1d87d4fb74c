// SPDX-License-Identifier: GPL-2.0
/*
 * MSI-X (PCI Local Bus 3.0, 6.8.2): the capability in configuration
 * space, the vector table and the pending-bit array in a memory BAR.
 *
 * A vector is masked by its own mask bit (set at reset) or by the
 * function mask; a message raised while masked sets the vector's PBA bit
 * and is sent, bit cleared, as soon as neither mask applies.  While MSI-X
 * is enabled the function must not use INTx (6.8.2.3), so the INTx output
 * is gated here too.
 */
#include <errno.h>
#include <string.h>

#include "pci/pci_internal.h"

static uint64_t table_bytes(const struct vireo_pci_dev *dev)
{
	return (uint64_t)dev->msix_vectors * VIREO_PCI_MSIX_ENTRY_SIZE;
}

static uint64_t pba_bytes(const struct vireo_pci_dev *dev)
{
	return ((dev->msix_vectors + 63U) / 64U) * 8U;
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

int vireo_pci_msix_init(struct vireo_pci_dev *dev, unsigned int vectors)
{
	const struct vireo_pci_dev_desc *d = dev->desc;
	const struct vireo_pci_bar_desc *bar;
	int off;

	if (vectors > VIREO_PCI_MSIX_MAX || d->msix_bar >= VIREO_PCI_NUM_BARS)
		return -EINVAL;
	bar = &d->bars[d->msix_bar];
	if (bar->type != VIREO_PCI_BAR_MEM32 && bar->type != VIREO_PCI_BAR_MEM64)
		return -EINVAL;
	dev->msix_vectors = (uint16_t)vectors;
	if ((d->msix_table_offset | d->msix_pba_offset) & 7 ||
	    d->msix_table_offset + table_bytes(dev) > bar->size ||
	    d->msix_pba_offset + pba_bytes(dev) > bar->size ||
	    ranges_overlap(d->msix_table_offset, table_bytes(dev), d->msix_pba_offset,
			   pba_bytes(dev))) {
		dev->msix_vectors = 0;
		return -EINVAL;
	}

	off = vireo_pci_add_cap(dev, VIREO_PCI_CAP_ID_MSIX, VIREO_PCI_MSIX_CAP_LEN);
	if (off < 0) {
		dev->msix_vectors = 0;
		return off;
	}
	dev->msix_cap = (uint8_t)off;
	vireo_pci_put(&dev->cfg[off + VIREO_PCI_MSIX_FLAGS], 2, vectors - 1);
	/* Only the enable and function-mask bits are the guest's. */
	vireo_pci_put(&dev->wmask[off + VIREO_PCI_MSIX_FLAGS], 2,
		      VIREO_PCI_MSIX_FLAGS_ENABLE | VIREO_PCI_MSIX_FLAGS_MASKALL);
	vireo_pci_put(&dev->cfg[off + VIREO_PCI_MSIX_TABLE], 4, d->msix_table_offset | d->msix_bar);
	vireo_pci_put(&dev->cfg[off + VIREO_PCI_MSIX_PBA], 4, d->msix_pba_offset | d->msix_bar);
	vireo_pci_msix_reset(dev);
	return 0;
}

void vireo_pci_msix_reset(struct vireo_pci_dev *dev)
{
	memset(dev->msix_table, 0, sizeof(dev->msix_table));
	for (unsigned int i = 0; i < dev->msix_vectors; i++)
		dev->msix_table[i].ctrl = VIREO_PCI_MSIX_ENTRY_CTRL_MASKED;
	dev->msix_pba = 0;
	dev->msix_enabled = false;
	dev->msix_masked = false;
}

static void deliver(struct vireo_pci_dev *dev, unsigned int vec)
{
	const struct vireo_pci_msix_entry *e = &dev->msix_table[vec];
	const struct vireo_pci_bus_config *bc = &dev->bus->cfg;

	if (bc->irq && bc->irq->msi)
		bc->irq->msi(bc->irq_opaque, (uint64_t)e->addr_hi << 32 | e->addr_lo, e->data);
}

static bool vector_masked(const struct vireo_pci_dev *dev, unsigned int vec)
{
	return dev->msix_masked || (dev->msix_table[vec].ctrl & VIREO_PCI_MSIX_ENTRY_CTRL_MASKED);
}

/* Send what became deliverable: every pending vector no mask holds back. */
static void flush_pending(struct vireo_pci_dev *dev)
{
	if (!dev->msix_enabled || dev->msix_masked || !dev->bus)
		return;
	for (unsigned int v = 0; v < dev->msix_vectors; v++) {
		if (!(dev->msix_pba & (1ULL << v)) || vector_masked(dev, v))
			continue;
		dev->msix_pba &= ~(1ULL << v);
		deliver(dev, v);
	}
}

int vireo_pci_msix_notify(struct vireo_pci_dev *dev, unsigned int vec)
{
	if (!dev->msix_enabled)
		return -ENODEV;
	if (vec >= dev->msix_vectors)
		return -EINVAL;
	if (vector_masked(dev, vec)) {
		dev->msix_pba |= 1ULL << vec;
		return 0;
	}
	if (dev->bus)
		deliver(dev, vec);
	return 0;
}

bool vireo_pci_msix_enabled(const struct vireo_pci_dev *dev)
{
	return dev->msix_enabled;
}

bool vireo_pci_msix_pending(const struct vireo_pci_dev *dev, unsigned int vec)
{
	return vec < dev->msix_vectors && (dev->msix_pba & (1ULL << vec));
}

void vireo_pci_msix_control_written(struct vireo_pci_dev *dev)
{
	uint16_t ctl = (uint16_t)vireo_pci_get(&dev->cfg[dev->msix_cap + VIREO_PCI_MSIX_FLAGS], 2);

	dev->msix_enabled = ctl & VIREO_PCI_MSIX_FLAGS_ENABLE;
	dev->msix_masked = ctl & VIREO_PCI_MSIX_FLAGS_MASKALL;
	flush_pending(dev);
	vireo_pci_intx_sync(dev);
}

bool vireo_pci_msix_bar_access(struct vireo_pci_dev *dev, unsigned int bar, uint64_t offset,
			       unsigned int size, bool is_write, uint64_t *data)
{
	const struct vireo_pci_dev_desc *d = dev->desc;
	bool aligned = (size == 1 || size == 2 || size == 4 || size == 8) && !(offset & (size - 1));

	if (!dev->msix_vectors || bar != d->msix_bar)
		return false;

	if (offset >= d->msix_table_offset && offset - d->msix_table_offset < table_bytes(dev)) {
		uint64_t rel = offset - d->msix_table_offset;
		unsigned int vec = (unsigned int)(rel / VIREO_PCI_MSIX_ENTRY_SIZE);
		struct vireo_pci_msix_entry *e = &dev->msix_table[vec];
		uint8_t *bytes = (uint8_t *)e;
		unsigned int in = rel % VIREO_PCI_MSIX_ENTRY_SIZE;
		bool was_masked = vector_masked(dev, vec);

		/* Aligned accesses never cross an entry (entries are 16 bytes). */
		if (!aligned)
			return true;	/* bar_access() preset reads to all ones */
		if (!is_write) {
			uint64_t v = 0;

			memcpy(&v, bytes + in, size);
			*data = v;
			return true;
		}
		memcpy(bytes + in, data, size);
		e->ctrl &= VIREO_PCI_MSIX_ENTRY_CTRL_MASKED;	/* the rest is reserved */
		if (was_masked && !vector_masked(dev, vec))
			flush_pending(dev);
		return true;
	}

	if (offset >= d->msix_pba_offset && offset - d->msix_pba_offset < pba_bytes(dev)) {
		/* Read-only: writes are dropped. */
		if (!is_write) {
			uint64_t rel = offset - d->msix_pba_offset;

			if (aligned)
				*data = (dev->msix_pba >> (8 * rel)) &
					(size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1);
		}
		return true;
	}
	return false;
}
