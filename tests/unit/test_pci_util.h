/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the test_pci_*.c and test_virtio_pci.c suites: a bus with
 * recording interrupt sinks and BAR-change log, and config accessors
 * through both mechanisms.
 */
#ifndef VIREO_TEST_PCI_UTIL_H
#define VIREO_TEST_PCI_UTIL_H

#include <string.h>

#include "pci/pci.h"

#define TP_MAX_EVENTS 64

struct tp_bar_event {
	struct vireo_pci_dev *dev;
	unsigned int bar;
	bool is_io;
	uint64_t addr, size;
	bool mapped;
};

struct tp_bus {
	struct vireo_pci_bus bus;
	struct {
		uint64_t address;
		uint32_t data;
	} msi[TP_MAX_EVENTS];
	unsigned int nmsi;
	bool gsi[VIREO_PCI_MAX_GSI];
	unsigned int gsi_changes;
	struct tp_bar_event bar[TP_MAX_EVENTS];
	unsigned int nbar;
};

static inline void tp_set_gsi(void *opaque, unsigned int gsi, bool level)
{
	struct tp_bus *t = opaque;

	t->gsi[gsi] = level;
	t->gsi_changes++;
}

static inline int tp_msi(void *opaque, uint64_t address, uint32_t data)
{
	struct tp_bus *t = opaque;

	if (t->nmsi < TP_MAX_EVENTS) {
		t->msi[t->nmsi].address = address;
		t->msi[t->nmsi].data = data;
	}
	t->nmsi++;
	return 1;
}

static inline void tp_bar_change(void *opaque, struct vireo_pci_dev *dev, unsigned int bar,
				 bool is_io, uint64_t addr, uint64_t size, bool mapped)
{
	struct tp_bus *t = opaque;

	if (t->nbar < TP_MAX_EVENTS)
		t->bar[t->nbar] = (struct tp_bar_event){ dev, bar, is_io, addr, size, mapped };
	t->nbar++;
}

static const struct vireo_pci_irq_ops tp_irq_ops = {
	.set_gsi = tp_set_gsi,
	.msi = tp_msi,
};

static inline int tp_bus_init(struct tp_bus *t)
{
	struct vireo_pci_bus_config cfg = {
		.ecam_base = VIREO_PCI_ECAM_BASE,
		.ecam_buses = VIREO_PCI_ECAM_BUSES,
		.mem_base = VIREO_PCI_MEM_BASE,
		.mem_end = VIREO_PCI_MEM_END,
		.io_base = VIREO_PCI_IO_BASE,
		.io_end = VIREO_PCI_IO_END,
		.irq = &tp_irq_ops,
		.irq_opaque = t,
		.bar_change = tp_bar_change,
		.bar_opaque = t,
	};

	memset(t, 0, sizeof(*t));
	return vireo_pci_bus_init(&t->bus, &cfg);
}

/* Configuration mechanism #1. */
static inline uint32_t tp_cf8_read(struct tp_bus *t, unsigned int devfn, unsigned int off,
				   unsigned int size)
{
	uint32_t addr = 0x80000000U | devfn << 8 | (off & 0xfc), v = 0;

	vireo_pci_pio(&t->bus, 0xcf8, 4, true, &addr);
	vireo_pci_pio(&t->bus, (uint16_t)(0xcfc + (off & 3)), size, false, &v);
	return v;
}

static inline void tp_cf8_write(struct tp_bus *t, unsigned int devfn, unsigned int off,
				unsigned int size, uint32_t v)
{
	uint32_t addr = 0x80000000U | devfn << 8 | (off & 0xfc);

	vireo_pci_pio(&t->bus, 0xcf8, 4, true, &addr);
	vireo_pci_pio(&t->bus, (uint16_t)(0xcfc + (off & 3)), size, true, &v);
}

/* ECAM. */
static inline uint32_t tp_ecam_read(struct tp_bus *t, unsigned int devfn, unsigned int off,
				    unsigned int size)
{
	uint64_t v = 0;

	vireo_pci_mmio(&t->bus, VIREO_PCI_ECAM_BASE + ((uint64_t)devfn << 12) + off, size, false,
		       &v);
	return (uint32_t)v;
}

static inline void tp_ecam_write(struct tp_bus *t, unsigned int devfn, unsigned int off,
				 unsigned int size, uint32_t val)
{
	uint64_t v = val;

	vireo_pci_mmio(&t->bus, VIREO_PCI_ECAM_BASE + ((uint64_t)devfn << 12) + off, size, true,
		       &v);
}

static inline uint64_t tp_mmio_read(struct tp_bus *t, uint64_t gpa, unsigned int size)
{
	uint64_t v = 0;

	if (vireo_pci_mmio(&t->bus, gpa, size, false, &v))
		return 0xdeadULL;	/* not the bus's */
	return v;
}

static inline void tp_mmio_write(struct tp_bus *t, uint64_t gpa, unsigned int size, uint64_t v)
{
	vireo_pci_mmio(&t->bus, gpa, size, true, &v);
}

#endif /* VIREO_TEST_PCI_UTIL_H */
