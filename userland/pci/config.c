// SPDX-License-Identifier: GPL-2.0
/*
 * Type 0 configuration space semantics (PCI Local Bus 3.0, 6.2): which
 * bits are read-only, write-1-to-clear or writable, BARs and their sizing
 * protocol, the command register gating BAR decoding, the capability list.
 *
 * Every register is plain bytes in dev->cfg with a write mask: a write
 * merges the guest's bits where wmask has ones and clears bits where the
 * guest wrote ones into w1cmask.  BAR sizing falls out of that: a BAR's
 * address bits below its size are read-only zero, so writing all ones and
 * reading back yields ~(size - 1) plus the read-only type bits.
 */
#include <errno.h>
#include <string.h>

#include "pci/pci_internal.h"

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static unsigned int bar_reg(unsigned int bar)
{
	return VIREO_PCI_BAR0 + 4 * bar;
}

static int init_bars(struct vireo_pci_dev *dev)
{
	const struct vireo_pci_bar_desc *bars = dev->desc->bars;

	for (unsigned int i = 0; i < VIREO_PCI_NUM_BARS; i++) {
		const struct vireo_pci_bar_desc *b = &bars[i];
		uint8_t *reg = &dev->cfg[bar_reg(i)];
		uint8_t *mask = &dev->wmask[bar_reg(i)];
		uint32_t flags, wm;

		switch (b->type) {
		case VIREO_PCI_BAR_NONE:
			continue;
		case VIREO_PCI_BAR_IO:
			if (!is_pow2(b->size) || b->size < 4 || b->size > 256)
				return -EINVAL;
			flags = VIREO_PCI_BAR_SPACE_IO;
			wm = VIREO_PCI_BAR_IO_MASK & ~(uint32_t)(b->size - 1);
			break;
		case VIREO_PCI_BAR_MEM32:
			if (!is_pow2(b->size) || b->size < 4096 || b->size > (1ULL << 31))
				return -EINVAL;
			flags = b->prefetchable ? VIREO_PCI_BAR_MEM_PREFETCH : 0;
			wm = VIREO_PCI_BAR_MEM_MASK & ~(uint32_t)(b->size - 1);
			break;
		case VIREO_PCI_BAR_MEM64:
			if (!is_pow2(b->size) || b->size < 4096 || i == VIREO_PCI_NUM_BARS - 1 ||
			    bars[i + 1].type != VIREO_PCI_BAR_NONE)
				return -EINVAL;
			flags = VIREO_PCI_BAR_MEM_TYPE_64 |
				(b->prefetchable ? VIREO_PCI_BAR_MEM_PREFETCH : 0);
			wm = VIREO_PCI_BAR_MEM_MASK & ~(uint32_t)(b->size - 1);
			/* The upper dword: every address bit at or above the size. */
			vireo_pci_put(mask + 4, 4, (uint32_t)(~(b->size - 1) >> 32));
			break;
		default:
			return -EINVAL;
		}
		vireo_pci_put(reg, 4, flags);
		vireo_pci_put(mask, 4, wm);
		if (b->type == VIREO_PCI_BAR_MEM64)
			i++;
	}
	if (dev->desc->rom_size) {
		uint32_t size = dev->desc->rom_size;

		if (!is_pow2(size) || size < VIREO_PCI_ROM_MIN_SIZE)
			return -EINVAL;
		/* Off at reset; the address bits at or above the size and the enable. */
		vireo_pci_put(&dev->wmask[VIREO_PCI_ROM_ADDRESS], 4,
			      (VIREO_PCI_ROM_ADDR_MASK & ~(size - 1)) | VIREO_PCI_ROM_ENABLE);
	}
	return 0;
}

int vireo_pci_dev_init(struct vireo_pci_dev *dev, const struct vireo_pci_dev_desc *desc,
		       void *opaque, unsigned int msix_vectors)
{
	int err;

	memset(dev, 0, sizeof(*dev));
	dev->desc = desc;
	dev->opaque = opaque;
	dev->cap_end = VIREO_PCI_CAP_START;
	pthread_mutex_init(&dev->own_lock, NULL);
	dev->lock = &dev->own_lock;

	vireo_pci_put(&dev->cfg[VIREO_PCI_VENDOR_ID], 2, desc->vendor_id);
	vireo_pci_put(&dev->cfg[VIREO_PCI_DEVICE_ID], 2, desc->device_id);
	dev->cfg[VIREO_PCI_REVISION_ID] = desc->revision;
	vireo_pci_put(&dev->cfg[VIREO_PCI_CLASS_PROG], 3, desc->class_code);
	vireo_pci_put(&dev->cfg[VIREO_PCI_SUBSYSTEM_VENDOR_ID], 2, desc->subsystem_vendor_id);
	vireo_pci_put(&dev->cfg[VIREO_PCI_SUBSYSTEM_ID], 2, desc->subsystem_id);
	if (desc->interrupt_pin > 4)
		return -EINVAL;
	dev->cfg[VIREO_PCI_INTERRUPT_PIN] = desc->interrupt_pin;

	vireo_pci_put(&dev->wmask[VIREO_PCI_COMMAND], 2,
		      VIREO_PCI_COMMAND_IO | VIREO_PCI_COMMAND_MEMORY | VIREO_PCI_COMMAND_MASTER |
			      VIREO_PCI_COMMAND_PARITY | VIREO_PCI_COMMAND_SERR |
			      VIREO_PCI_COMMAND_INTX_DISABLE);
	vireo_pci_put(&dev->w1cmask[VIREO_PCI_STATUS], 2, VIREO_PCI_STATUS_W1C);
	dev->wmask[VIREO_PCI_CACHE_LINE_SIZE] = 0xff;
	dev->wmask[VIREO_PCI_LATENCY_TIMER] = 0xff;
	dev->wmask[VIREO_PCI_INTERRUPT_LINE] = 0xff;

	err = init_bars(dev);
	if (err)
		return err;
	if (msix_vectors) {
		err = vireo_pci_msix_init(dev, msix_vectors);
		if (err)
			return err;
	}
	vireo_pci_dev_commit_defaults(dev);
	return 0;
}

void vireo_pci_dev_fini(struct vireo_pci_dev *dev)
{
	pthread_mutex_destroy(&dev->own_lock);
}

void vireo_pci_dev_commit_defaults(struct vireo_pci_dev *dev)
{
	memcpy(dev->defaults, dev->cfg, sizeof(dev->defaults));
}

int vireo_pci_add_cap(struct vireo_pci_dev *dev, uint8_t id, unsigned int len)
{
	unsigned int off = dev->cap_end;

	if (len < 2 || off + len > VIREO_PCI_CFG_SIZE)
		return -ENOSPC;
	dev->cfg[off] = id;
	dev->cfg[off + 1] = 0;
	if (dev->cap_last)
		dev->cfg[dev->cap_last + 1] = (uint8_t)off;
	else
		dev->cfg[VIREO_PCI_CAPABILITY_LIST] = (uint8_t)off;
	dev->cap_last = (uint8_t)off;
	/* Capabilities are dword aligned (6.7: the bottom two bits are reserved). */
	dev->cap_end = (uint8_t)((off + len + 3) & ~3U);
	vireo_pci_put(&dev->cfg[VIREO_PCI_STATUS], 2,
		      vireo_pci_get(&dev->cfg[VIREO_PCI_STATUS], 2) | VIREO_PCI_STATUS_CAP_LIST);
	return (int)off;
}

uint64_t vireo_pci_bar_reg_addr(const struct vireo_pci_dev *dev, unsigned int bar)
{
	const struct vireo_pci_bar_desc *b = &dev->desc->bars[bar];
	uint32_t lo = vireo_pci_get(&dev->cfg[bar_reg(bar)], 4);

	switch (b->type) {
	case VIREO_PCI_BAR_IO:
		return lo & VIREO_PCI_BAR_IO_MASK;
	case VIREO_PCI_BAR_MEM32:
		return lo & VIREO_PCI_BAR_MEM_MASK;
	case VIREO_PCI_BAR_MEM64:
		return (lo & VIREO_PCI_BAR_MEM_MASK) |
		       (uint64_t)vireo_pci_get(&dev->cfg[bar_reg(bar + 1)], 4) << 32;
	default:
		return 0;
	}
}

void vireo_pci_bar_reg_set(struct vireo_pci_dev *dev, unsigned int bar, uint64_t addr)
{
	unsigned int reg = bar_reg(bar);
	uint32_t lo = vireo_pci_get(&dev->cfg[reg], 4);
	uint32_t wm = vireo_pci_get(&dev->wmask[reg], 4);

	vireo_pci_put(&dev->cfg[reg], 4, (lo & ~wm) | ((uint32_t)addr & wm));
	if (dev->desc->bars[bar].type == VIREO_PCI_BAR_MEM64) {
		wm = vireo_pci_get(&dev->wmask[reg + 4], 4);
		vireo_pci_put(&dev->cfg[reg + 4], 4, (uint32_t)(addr >> 32) & wm);
	}
}

/* Does the BAR decode now, and where? */
static bool bar_decodes(const struct vireo_pci_dev *dev, unsigned int bar, uint64_t *addr)
{
	const struct vireo_pci_bar_desc *b = &dev->desc->bars[bar];
	uint64_t a = vireo_pci_bar_reg_addr(dev, bar);

	*addr = a;
	/*
	 * Address 0 is where an unprogrammed BAR sits; a range that wraps or
	 * leaves its space cannot decode either (e.g. all ones mid-sizing).
	 */
	if (!a)
		return false;
	switch (b->type) {
	case VIREO_PCI_BAR_IO:
		return (dev->command & VIREO_PCI_COMMAND_IO) && a + b->size <= 0x10000;
	case VIREO_PCI_BAR_MEM32:
		return (dev->command & VIREO_PCI_COMMAND_MEMORY) && a + b->size <= (1ULL << 32);
	case VIREO_PCI_BAR_MEM64:
		return (dev->command & VIREO_PCI_COMMAND_MEMORY) && a + b->size > a;
	default:
		return false;
	}
}

/*
 * The expansion ROM decodes when its enable bit and the command
 * register's memory space bit are both set (PCI 3.0 6.2.5.2).
 */
static void update_rom(struct vireo_pci_dev *dev, const struct vireo_pci_bus_config *bc)
{
	const unsigned int r = VIREO_PCI_ROM_BAR;
	uint32_t reg = vireo_pci_get(&dev->cfg[VIREO_PCI_ROM_ADDRESS], 4);
	uint64_t addr = reg & VIREO_PCI_ROM_ADDR_MASK, size = dev->desc->rom_size;
	bool mapped = (reg & VIREO_PCI_ROM_ENABLE) && (dev->command & VIREO_PCI_COMMAND_MEMORY) &&
		      addr && addr + size <= (1ULL << 32);

	if (mapped == dev->bar_mapped[r] && (!mapped || addr == dev->bar_addr[r]))
		return;
	if (dev->bar_mapped[r] && bc && bc->bar_change)
		bc->bar_change(bc->bar_opaque, dev, r, false, dev->bar_addr[r], size, false);
	dev->bar_mapped[r] = mapped;
	dev->bar_addr[r] = addr;
	if (mapped && bc && bc->bar_change)
		bc->bar_change(bc->bar_opaque, dev, r, false, addr, size, true);
}

void vireo_pci_update_bars(struct vireo_pci_dev *dev)
{
	const struct vireo_pci_bus_config *bc = dev->bus ? &dev->bus->cfg : NULL;

	for (unsigned int i = 0; i < VIREO_PCI_NUM_BARS; i++) {
		const struct vireo_pci_bar_desc *b = &dev->desc->bars[i];
		bool is_io = b->type == VIREO_PCI_BAR_IO;
		uint64_t addr;
		bool mapped;

		if (b->type == VIREO_PCI_BAR_NONE)
			continue;
		mapped = bar_decodes(dev, i, &addr);
		if (mapped == dev->bar_mapped[i] && (!mapped || addr == dev->bar_addr[i]))
			continue;
		if (dev->bar_mapped[i] && bc && bc->bar_change)
			bc->bar_change(bc->bar_opaque, dev, i, is_io, dev->bar_addr[i], b->size,
				       false);
		dev->bar_mapped[i] = mapped;
		dev->bar_addr[i] = addr;
		if (mapped && bc && bc->bar_change)
			bc->bar_change(bc->bar_opaque, dev, i, is_io, addr, b->size, true);
	}
	if (dev->desc->rom_size)
		update_rom(dev, bc);
}

static bool overlaps(unsigned int off, unsigned int size, unsigned int reg, unsigned int len)
{
	return off < reg + len && reg < off + size;
}

uint32_t vireo_pci_cfg_read_locked(struct vireo_pci_dev *dev, unsigned int offset,
				   unsigned int size)
{
	uint8_t bytes[4];
	uint32_t val;

	memcpy(bytes, &dev->cfg[offset], size);
	/* Status bit 3 follows the INTx output, whether or not it is disabled. */
	if (overlaps(offset, size, VIREO_PCI_STATUS, 1)) {
		unsigned int i = VIREO_PCI_STATUS - offset;

		bytes[i] &= (uint8_t)~VIREO_PCI_STATUS_INTERRUPT;
		if (dev->intx_level)
			bytes[i] |= VIREO_PCI_STATUS_INTERRUPT;
	}
	val = vireo_pci_get(bytes, size);
	if (dev->desc->cfg_read)
		dev->desc->cfg_read(dev, offset, size, &val);
	return val;
}

void vireo_pci_cfg_write_locked(struct vireo_pci_dev *dev, unsigned int offset, unsigned int size,
				uint32_t val)
{
	for (unsigned int i = 0; i < size; i++) {
		unsigned int o = offset + i;
		uint8_t b = (uint8_t)(val >> (8 * i));

		dev->cfg[o] = (uint8_t)((dev->cfg[o] & ~dev->wmask[o]) | (b & dev->wmask[o]));
		dev->cfg[o] &= (uint8_t)~(b & dev->w1cmask[o]);
	}

	if (overlaps(offset, size, VIREO_PCI_COMMAND, 2)) {
		dev->command = (uint16_t)vireo_pci_get(&dev->cfg[VIREO_PCI_COMMAND], 2);
		vireo_pci_intx_sync(dev);
	}
	if (overlaps(offset, size, VIREO_PCI_COMMAND, 2) ||
	    overlaps(offset, size, VIREO_PCI_BAR0, 4 * VIREO_PCI_NUM_BARS) ||
	    overlaps(offset, size, VIREO_PCI_ROM_ADDRESS, 4))
		vireo_pci_update_bars(dev);
	if (dev->msix_vectors &&
	    overlaps(offset, size, dev->msix_cap + VIREO_PCI_MSIX_FLAGS, 2))
		vireo_pci_msix_control_written(dev);
	if (dev->desc->cfg_write)
		dev->desc->cfg_write(dev, offset, size, val);
}

void vireo_pci_dev_reset_locked(struct vireo_pci_dev *dev)
{
	memcpy(dev->cfg, dev->defaults, sizeof(dev->cfg));
	dev->command = 0;
	dev->intx_level = false;
	vireo_pci_update_bars(dev);
	if (dev->msix_vectors)
		vireo_pci_msix_reset(dev);
	if (dev->desc->reset)
		dev->desc->reset(dev);
	vireo_pci_intx_sync(dev);
}

bool vireo_pci_bus_master(const struct vireo_pci_dev *dev)
{
	return dev->command & VIREO_PCI_COMMAND_MASTER;
}

bool vireo_pci_bar_mapped(const struct vireo_pci_dev *dev, unsigned int bar, uint64_t *addr)
{
	if (bar >= VIREO_PCI_NUM_REGIONS || !dev->bar_mapped[bar])
		return false;
	*addr = dev->bar_addr[bar];
	return true;
}
