// SPDX-License-Identifier: GPL-2.0
/*
 * The host bridge: bus 0, configuration mechanism #1 and ECAM, routing of
 * BAR accesses to the function that decodes them, and INTx lines shared
 * between functions.
 *
 * Both configuration mechanisms end in config_read()/config_write(), so
 * they agree by construction: ECAM offset bus << 20 | devfn << 12 | reg
 * and CF8 value 1 << 31 | bus << 16 | devfn << 8 | reg name the same
 * register.  Accesses must be naturally aligned and stay inside one
 * dword; anything else reads all ones and writes nothing, as does any
 * access to an absent function (so the guest's scan sees vendor 0xffff).
 */
#include <errno.h>
#include <string.h>

#include "pci/pci_internal.h"

/* Device 00.0: the bridge itself, as PC operating systems expect to find. */
static const struct vireo_pci_dev_desc host_bridge_desc = {
	.name = "host-bridge",
	.vendor_id = 0x1b36,	/* Red Hat, as QEMU's generic PCIe host bridge */
	.device_id = 0x0008,
	.subsystem_vendor_id = 0x1b36,
	.subsystem_id = 0x0008,
	.class_code = VIREO_PCI_CLASS_HOST_BRIDGE,
};

unsigned int vireo_pci_intx_gsi(unsigned int slot, unsigned int pin)
{
	return 16 + (slot + pin - 1) % 8;
}

int vireo_pci_bus_init(struct vireo_pci_bus *bus, const struct vireo_pci_bus_config *cfg)
{
	int err;

	if ((cfg->ecam_base & (VIREO_PCI_ECAM_BUS_SIZE - 1)) || cfg->ecam_buses > 256 ||
	    cfg->mem_base > cfg->mem_end || cfg->io_base > cfg->io_end || cfg->io_end > 0x10000)
		return -EINVAL;
	memset(bus, 0, sizeof(*bus));
	bus->cfg = *cfg;
	if (!bus->cfg.ecam_buses)
		bus->cfg.ecam_buses = 1;
	pthread_mutex_init(&bus->lock, NULL);
	pthread_mutex_init(&bus->intx_lock, NULL);
	err = vireo_pci_dev_init(&bus->host_bridge, &host_bridge_desc, bus, 0);
	if (err)
		return err;
	bus->host_bridge.bus = bus;
	bus->slots[0] = &bus->host_bridge;
	return 0;
}

void vireo_pci_bus_fini(struct vireo_pci_bus *bus)
{
	vireo_pci_dev_fini(&bus->host_bridge);
	pthread_mutex_destroy(&bus->intx_lock);
	pthread_mutex_destroy(&bus->lock);
}

int vireo_pci_bus_add(struct vireo_pci_bus *bus, struct vireo_pci_dev *dev, int slot)
{
	int err = 0;

	pthread_mutex_lock(&bus->lock);
	if (slot < 0) {
		for (slot = 1; slot < VIREO_PCI_MAX_SLOTS && bus->slots[slot]; slot++)
			;
		if (slot == VIREO_PCI_MAX_SLOTS) {
			err = -EBUSY;
			goto out;
		}
	}
	if (slot == 0 || slot >= VIREO_PCI_MAX_SLOTS) {
		err = -EINVAL;
		goto out;
	}
	if (bus->slots[slot]) {
		err = -EBUSY;
		goto out;
	}
	dev->bus = bus;
	dev->slot = (uint8_t)slot;
	if (dev->desc->interrupt_pin)
		dev->gsi = vireo_pci_intx_gsi((unsigned int)slot, dev->desc->interrupt_pin);
	bus->slots[slot] = dev;
out:
	pthread_mutex_unlock(&bus->lock);
	return err;
}

/* ---- configuration access ---------------------------------------------- */

static struct vireo_pci_dev *find_fn(struct vireo_pci_bus *bus, unsigned int busno,
				     unsigned int devfn)
{
	if (busno != 0 || (devfn & 7) || devfn >= VIREO_PCI_MAX_SLOTS << 3)
		return NULL;
	return bus->slots[devfn >> 3];
}

/* All ones in an access of size bytes: what nothing answering reads as. */
static uint64_t ones(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

static bool cfg_access_ok(unsigned int offset, unsigned int size)
{
	return (size == 1 || size == 2 || size == 4) && !(offset & (size - 1));
}

static uint32_t config_read(struct vireo_pci_bus *bus, unsigned int busno, unsigned int devfn,
			    unsigned int offset, unsigned int size)
{
	struct vireo_pci_dev *dev = find_fn(bus, busno, devfn);
	uint32_t val;

	if (!dev || !cfg_access_ok(offset, size) || offset >= VIREO_PCI_ECAM_FN_SIZE)
		return (uint32_t)ones(size);
	/* Conventional functions: nothing past 256 bytes (no extended caps). */
	if (offset >= VIREO_PCI_CFG_SIZE)
		return 0;
	pthread_mutex_lock(dev->lock);
	val = vireo_pci_cfg_read_locked(dev, offset, size);
	pthread_mutex_unlock(dev->lock);
	return val;
}

static void config_write(struct vireo_pci_bus *bus, unsigned int busno, unsigned int devfn,
			 unsigned int offset, unsigned int size, uint32_t val)
{
	struct vireo_pci_dev *dev = find_fn(bus, busno, devfn);

	if (!dev || !cfg_access_ok(offset, size) || offset >= VIREO_PCI_CFG_SIZE)
		return;
	pthread_mutex_lock(dev->lock);
	vireo_pci_cfg_write_locked(dev, offset, size, val);
	pthread_mutex_unlock(dev->lock);
}

uint32_t vireo_pci_config_read(struct vireo_pci_bus *bus, unsigned int busno, unsigned int devfn,
			       unsigned int offset, unsigned int size)
{
	uint32_t val;

	pthread_mutex_lock(&bus->lock);
	val = config_read(bus, busno, devfn, offset, size);
	pthread_mutex_unlock(&bus->lock);
	return val;
}

void vireo_pci_config_write(struct vireo_pci_bus *bus, unsigned int busno, unsigned int devfn,
			    unsigned int offset, unsigned int size, uint32_t val)
{
	pthread_mutex_lock(&bus->lock);
	config_write(bus, busno, devfn, offset, size, val);
	pthread_mutex_unlock(&bus->lock);
}

/* ---- BAR routing --------------------------------------------------------- */

/* Straddling the end of a BAR: claimed, but not the device's. */
#define NO_BAR	(VIREO_PCI_NUM_REGIONS + 1)

/* Does region r of dev decode addr?  Sets *bar and *offset if so. */
static bool region_hit(const struct vireo_pci_dev *dev, unsigned int r, uint64_t rsize,
		       uint64_t addr, unsigned int size, unsigned int *bar, uint64_t *offset)
{
	if (!dev->bar_mapped[r] || addr < dev->bar_addr[r] || addr - dev->bar_addr[r] >= rsize)
		return false;
	*offset = addr - dev->bar_addr[r];
	*bar = *offset + size > rsize ? NO_BAR : r;
	return true;
}

/* The function and BAR (or ROM) that decode [addr, addr + size), under the bus lock. */
static struct vireo_pci_dev *find_bar(struct vireo_pci_bus *bus, bool is_io, uint64_t addr,
				      unsigned int size, unsigned int *bar, uint64_t *offset)
{
	for (unsigned int s = 0; s < VIREO_PCI_MAX_SLOTS; s++) {
		struct vireo_pci_dev *dev = bus->slots[s];

		if (!dev)
			continue;
		for (unsigned int i = 0; i < VIREO_PCI_NUM_BARS; i++) {
			const struct vireo_pci_bar_desc *b = &dev->desc->bars[i];

			if ((b->type == VIREO_PCI_BAR_IO) == is_io &&
			    region_hit(dev, i, b->size, addr, size, bar, offset))
				return dev;
		}
		if (!is_io && dev->desc->rom_size &&
		    region_hit(dev, VIREO_PCI_ROM_BAR, dev->desc->rom_size, addr, size, bar, offset))
			return dev;
	}
	return NULL;
}

/* The ROM reads as its image, zeros past it; writes do nothing. */
static void rom_read(const struct vireo_pci_dev *dev, uint64_t offset, unsigned int size,
		     uint64_t *data)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < size; i++)
		if (dev->rom && offset + i < dev->rom_len)
			v |= (uint64_t)dev->rom[offset + i] << (8 * i);
	*data = v;
}

static void bar_access(struct vireo_pci_dev *dev, unsigned int bar, uint64_t offset,
		       unsigned int size, bool is_write, uint64_t *data)
{
	const struct vireo_pci_dev_desc *d = dev->desc;

	if (!is_write)
		*data = ones(size);
	if (bar == VIREO_PCI_ROM_BAR) {
		if (!is_write)
			rom_read(dev, offset, size, data);
		return;
	}
	if (bar >= VIREO_PCI_NUM_BARS)
		return;
	pthread_mutex_lock(dev->lock);
	if (vireo_pci_msix_bar_access(dev, bar, offset, size, is_write, data))
		goto out;
	if (is_write && d->bar_write)
		d->bar_write(dev, bar, offset, size, *data);
	else if (!is_write && d->bar_read)
		d->bar_read(dev, bar, offset, size, data);
out:
	pthread_mutex_unlock(dev->lock);
}

static bool is_data_port(uint16_t port)
{
	return port >= VIREO_PCI_CONFIG_DATA && port < VIREO_PCI_CONFIG_DATA + 4;
}

int vireo_pci_pio(struct vireo_pci_bus *bus, uint16_t port, unsigned int size, bool is_write,
		  uint32_t *data)
{
	struct vireo_pci_dev *dev;
	unsigned int bar;
	uint64_t offset, v;

	if (size != 1 && size != 2 && size != 4)
		return -ENOENT;

	pthread_mutex_lock(&bus->lock);
	if (port == VIREO_PCI_CONFIG_ADDRESS && size == 4) {
		/* Bits 30:24 are reserved, 1:0 read as zero. */
		if (is_write)
			bus->cf8 = *data & 0x80fffffcU;
		else
			*data = bus->cf8;
		pthread_mutex_unlock(&bus->lock);
		return 0;
	}
	if (is_data_port(port)) {
		unsigned int reg = VIREO_PCI_CF8_REG(bus->cf8) + (port - VIREO_PCI_CONFIG_DATA);
		bool on = bus->cf8 & VIREO_PCI_CF8_ENABLE;

		if (is_write && on)
			config_write(bus, VIREO_PCI_CF8_BUS(bus->cf8), VIREO_PCI_CF8_DEVFN(bus->cf8),
				     reg, size, *data);
		else if (!is_write && on && port + size <= VIREO_PCI_CONFIG_DATA + 4)
			*data = config_read(bus, VIREO_PCI_CF8_BUS(bus->cf8),
					    VIREO_PCI_CF8_DEVFN(bus->cf8), reg, size);
		else if (!is_write)
			*data = (uint32_t)ones(size);
		pthread_mutex_unlock(&bus->lock);
		return 0;
	}
	dev = find_bar(bus, true, port, size, &bar, &offset);
	pthread_mutex_unlock(&bus->lock);
	if (!dev)
		return -ENOENT;
	v = *data;
	bar_access(dev, bar, offset, size, is_write, &v);
	if (!is_write)
		*data = (uint32_t)v;
	return 0;
}

int vireo_pci_mmio(struct vireo_pci_bus *bus, uint64_t gpa, unsigned int size, bool is_write,
		   uint64_t *data)
{
	struct vireo_pci_dev *dev;
	unsigned int bar;
	uint64_t offset;

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return -ENOENT;
	if (bus->cfg.ecam_base && gpa >= bus->cfg.ecam_base &&
	    gpa - bus->cfg.ecam_base < bus->cfg.ecam_buses * VIREO_PCI_ECAM_BUS_SIZE) {
		uint64_t off = gpa - bus->cfg.ecam_base;
		unsigned int busno = (unsigned int)(off >> 20);
		unsigned int devfn = (unsigned int)(off >> 12) & 0xff;
		unsigned int reg = (unsigned int)off & 0xfff;

		pthread_mutex_lock(&bus->lock);
		if (is_write)
			config_write(bus, busno, devfn, reg, size, (uint32_t)*data);
		else if (size == 8)
			*data = ones(8);
		else
			*data = config_read(bus, busno, devfn, reg, size);
		pthread_mutex_unlock(&bus->lock);
		return 0;
	}

	pthread_mutex_lock(&bus->lock);
	dev = find_bar(bus, false, gpa, size, &bar, &offset);
	pthread_mutex_unlock(&bus->lock);
	if (!dev)
		return -ENOENT;
	bar_access(dev, bar, offset, size, is_write, data);
	return 0;
}

/* ---- INTx ------------------------------------------------------------------ */

void vireo_pci_intx_sync(struct vireo_pci_dev *dev)
{
	struct vireo_pci_bus *bus = dev->bus;
	bool want = dev->intx_level && dev->desc->interrupt_pin &&
		    !(dev->command & VIREO_PCI_COMMAND_INTX_DISABLE) && !dev->msix_enabled;
	uint32_t bit = 1U << dev->slot;
	bool was, now;

	if (!bus || want == dev->intx_raised || dev->gsi >= VIREO_PCI_MAX_GSI)
		return;
	dev->intx_raised = want;
	pthread_mutex_lock(&bus->intx_lock);
	was = bus->gsi_asserted[dev->gsi] != 0;
	if (want)
		bus->gsi_asserted[dev->gsi] |= bit;
	else
		bus->gsi_asserted[dev->gsi] &= ~bit;
	now = bus->gsi_asserted[dev->gsi] != 0;
	if (was != now && bus->cfg.irq && bus->cfg.irq->set_gsi)
		bus->cfg.irq->set_gsi(bus->cfg.irq_opaque, dev->gsi, now);
	pthread_mutex_unlock(&bus->intx_lock);
}

void vireo_pci_set_intx(struct vireo_pci_dev *dev, bool level)
{
	dev->intx_level = level;
	vireo_pci_intx_sync(dev);
}

/* ---- reset ------------------------------------------------------------------ */

int vireo_pci_bus_reset(struct vireo_pci_bus *bus)
{
	pthread_mutex_lock(&bus->lock);
	bus->cf8 = 0;
	for (unsigned int s = 0; s < VIREO_PCI_MAX_SLOTS; s++) {
		struct vireo_pci_dev *dev = bus->slots[s];

		if (!dev)
			continue;
		pthread_mutex_lock(dev->lock);
		vireo_pci_dev_reset_locked(dev);
		pthread_mutex_unlock(dev->lock);
	}
	pthread_mutex_unlock(&bus->lock);
	return vireo_pci_bus_assign(bus);
}
