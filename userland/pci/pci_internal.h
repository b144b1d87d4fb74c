/* SPDX-License-Identifier: GPL-2.0 */
/* Between the files of userland/pci; not for device models. */
#ifndef VIREO_PCI_INTERNAL_H
#define VIREO_PCI_INTERNAL_H

#include "pci/pci.h"

/* config.c: one function's configuration space (bus and device locks held). */
uint32_t vireo_pci_cfg_read_locked(struct vireo_pci_dev *dev, unsigned int offset,
				   unsigned int size);
void vireo_pci_cfg_write_locked(struct vireo_pci_dev *dev, unsigned int offset, unsigned int size,
				uint32_t val);
/* Re-derive BAR decoding from the command register and BARs; report changes. */
void vireo_pci_update_bars(struct vireo_pci_dev *dev);
/* Back to the reset state (both locks held); reports BARs that stop decoding. */
void vireo_pci_dev_reset_locked(struct vireo_pci_dev *dev);
/* A BAR register's current address (the BAR's low dword index). */
uint64_t vireo_pci_bar_reg_addr(const struct vireo_pci_dev *dev, unsigned int bar);
void vireo_pci_bar_reg_set(struct vireo_pci_dev *dev, unsigned int bar, uint64_t addr);

/* msix.c */
int vireo_pci_msix_init(struct vireo_pci_dev *dev, unsigned int vectors);
void vireo_pci_msix_reset(struct vireo_pci_dev *dev);
/* The message control register was written (both locks held). */
void vireo_pci_msix_control_written(struct vireo_pci_dev *dev);
/* A BAR access that hits the table or PBA: true if handled (device lock held). */
bool vireo_pci_msix_bar_access(struct vireo_pci_dev *dev, unsigned int bar, uint64_t offset,
			       unsigned int size, bool is_write, uint64_t *data);

/* host_bridge.c: tell the bus what the function's INTx output is now (device lock). */
void vireo_pci_intx_sync(struct vireo_pci_dev *dev);

static inline uint32_t vireo_pci_get(const uint8_t *p, unsigned int size)
{
	uint32_t v = 0;

	for (unsigned int i = 0; i < size; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static inline void vireo_pci_put(uint8_t *p, unsigned int size, uint32_t v)
{
	for (unsigned int i = 0; i < size; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

#endif /* VIREO_PCI_INTERNAL_H */
