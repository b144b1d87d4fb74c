// SPDX-License-Identifier: GPL-2.0
/*
 * BAR address assignment, the part of firmware's PCI enumeration that
 * vireo-run does itself because it boots Linux without a BIOS.
 *
 * Memory BARs (32- and 64-bit alike) go into the memory window and I/O
 * BARs into the I/O window, largest first so that natural alignment wastes
 * nothing; then I/O and memory decoding are turned on and the interrupt
 * line register is set to the GSI the function's INTx pin is routed to.
 * Linux keeps what it finds if it lies inside the host bridge windows
 * that the ACPI tables describe.
 */
#include <errno.h>
#include <stdlib.h>

#include "pci/pci_internal.h"

struct bar_ref {
	struct vireo_pci_dev *dev;
	unsigned int bar;
	uint64_t size;
};

static int by_size_desc(const void *a, const void *b)
{
	const struct bar_ref *x = a, *y = b;

	if (x->size != y->size)
		return x->size < y->size ? 1 : -1;
	/* Stable across runs: slot, then BAR number. */
	if (x->dev->slot != y->dev->slot)
		return x->dev->slot < y->dev->slot ? -1 : 1;
	return x->bar < y->bar ? -1 : (x->bar > y->bar);
}

static int place(struct bar_ref *refs, unsigned int n, uint64_t base, uint64_t end)
{
	uint64_t next = base;

	qsort(refs, n, sizeof(refs[0]), by_size_desc);
	for (unsigned int i = 0; i < n; i++) {
		uint64_t addr = (next + refs[i].size - 1) & ~(refs[i].size - 1);

		if (addr < next || addr > end || refs[i].size > end - addr)
			return -ENOSPC;
		vireo_pci_bar_reg_set(refs[i].dev, refs[i].bar, addr);
		next = addr + refs[i].size;
	}
	return 0;
}

int vireo_pci_bus_assign(struct vireo_pci_bus *bus)
{
	struct bar_ref io[VIREO_PCI_MAX_SLOTS * VIREO_PCI_NUM_BARS];
	struct bar_ref mem[VIREO_PCI_MAX_SLOTS * VIREO_PCI_NUM_BARS];
	unsigned int nio = 0, nmem = 0;
	int err;

	pthread_mutex_lock(&bus->lock);
	for (unsigned int s = 0; s < VIREO_PCI_MAX_SLOTS; s++) {
		struct vireo_pci_dev *dev = bus->slots[s];

		if (!dev)
			continue;
		for (unsigned int i = 0; i < VIREO_PCI_NUM_BARS; i++) {
			const struct vireo_pci_bar_desc *b = &dev->desc->bars[i];
			struct bar_ref r = { dev, i, b->size };

			if (b->type == VIREO_PCI_BAR_IO)
				io[nio++] = r;
			else if (b->type != VIREO_PCI_BAR_NONE)
				mem[nmem++] = r;
		}
	}

	/* The BAR registers change under the bus lock; decoding follows below. */
	err = place(io, nio, bus->cfg.io_base, bus->cfg.io_end);
	if (!err)
		err = place(mem, nmem, bus->cfg.mem_base, bus->cfg.mem_end);

	for (unsigned int s = 0; s < VIREO_PCI_MAX_SLOTS; s++) {
		struct vireo_pci_dev *dev = bus->slots[s];
		uint32_t cmd;

		if (!dev)
			continue;
		pthread_mutex_lock(dev->lock);
		if (dev->desc->interrupt_pin)
			vireo_pci_cfg_write_locked(dev, VIREO_PCI_INTERRUPT_LINE, 1, dev->gsi & 0xff);
		cmd = vireo_pci_get(&dev->cfg[VIREO_PCI_COMMAND], 2);
		if (!err)
			cmd |= VIREO_PCI_COMMAND_IO | VIREO_PCI_COMMAND_MEMORY;
		vireo_pci_cfg_write_locked(dev, VIREO_PCI_COMMAND, 2, cmd);
		pthread_mutex_unlock(dev->lock);
	}
	pthread_mutex_unlock(&bus->lock);
	return err;
}
