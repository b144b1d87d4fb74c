/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PC's PCI bus 0: a host bridge reachable through configuration
 * mechanism #1 (ports 0xcf8/0xcfc) and ECAM, and up to 31 single-function
 * devices with type 0 headers, BARs, a capability list and MSI-X.
 *
 * A device model is one const struct vireo_pci_dev_desc (identity, BARs,
 * hooks) plus a struct vireo_pci_dev instance that the model embeds and
 * reaches its own state from (container_of, or dev->opaque).
 *
 * How the monitor wires it:
 *   1. vireo_pci_bus_init() with the ECAM base, the BAR windows, the
 *      interrupt sinks (INTx through a GSI line, MSI messages) and an
 *      optional BAR-change callback;
 *   2. each device model's init, then vireo_pci_bus_add();
 *   3. vireo_pci_bus_assign(): what firmware would do before the OS,
 *      since vireo-run boots Linux without one (BAR addresses in the
 *      windows, I/O and memory decoding on, interrupt line = GSI);
 *   4. port I/O and MMIO the monitor does not own itself go to
 *      vireo_pci_pio() / vireo_pci_mmio(), which answer -ENOENT for
 *      addresses that are not the bridge's or a decoding BAR's;
 *   5. on a platform reset, vireo_pci_bus_reset() (which assigns again).
 *
 * Locking.  The bus lock (bus->lock) guards the CF8 latch, every
 * function's configuration space and BAR decode state.  Each function has
 * a device lock (*dev->lock) that guards its MSI-X table and the device
 * model's own state; a device model may point dev->lock at its own mutex
 * so that one lock covers both.  Order: bus lock, then device lock, then
 * the bus's INTx lock, then whatever the interrupt sinks take.  Config
 * accesses hold the bus and device locks; BAR accesses only the device
 * lock; device-side calls below say which lock they expect.  Callbacks
 * into the monitor (bar_change, the interrupt sinks) run with those locks
 * held and must not call back into the bus.
 */
#ifndef VIREO_PCI_H
#define VIREO_PCI_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pci/pci_regs.h"

#define VIREO_PCI_MAX_SLOTS	32
#define VIREO_PCI_NUM_BARS	6
/*
 * The expansion ROM BAR (register 0x30) as a seventh region: bar_change
 * reports it with this number, vireo_pci_bar_mapped() takes it.
 */
#define VIREO_PCI_ROM_BAR	VIREO_PCI_NUM_BARS
#define VIREO_PCI_NUM_REGIONS	(VIREO_PCI_NUM_BARS + 1)
#define VIREO_PCI_MSIX_MAX	64	/* vectors per function */
#define VIREO_PCI_MAX_GSI	64

/*
 * Defaults matching boot/layout.h's map with the default hole (the monitor
 * should pass its struct vireo_layout's ecam_base and mmio32 window): ECAM
 * for 256 buses at 0xe0000000 of which bus 0 is populated, BARs between
 * the hole's start and the ECAM, I/O BARs in 0xc000-0xffff.
 */
#define VIREO_PCI_ECAM_BASE	0xe0000000ULL
#define VIREO_PCI_ECAM_BUSES	256
#define VIREO_PCI_MEM_BASE	0xc0000000ULL
#define VIREO_PCI_MEM_END	0xe0000000ULL	/* exclusive */
#define VIREO_PCI_IO_BASE	0xc000U
#define VIREO_PCI_IO_END	0x10000U	/* exclusive */

enum vireo_pci_bar_type {
	VIREO_PCI_BAR_NONE = 0,
	VIREO_PCI_BAR_IO,
	VIREO_PCI_BAR_MEM32,
	VIREO_PCI_BAR_MEM64,	/* takes this BAR and the next */
};

struct vireo_pci_bar_desc {
	enum vireo_pci_bar_type type;
	bool prefetchable;
	uint64_t size;		/* power of two; I/O >= 4, memory >= 4096 */
};

struct vireo_pci_dev;

/*
 * One per device type, const.  Hooks are optional.  BAR hooks run with
 * the device lock held and see offsets within the BAR; accesses to the
 * MSI-X table and PBA never reach them.  Config hooks run after the
 * generic handling (read: may replace *val; write: sees the value the
 * guest wrote, after the generic write masks have been applied to
 * dev->cfg) with the bus and device locks held.
 */
struct vireo_pci_dev_desc {
	const char *name;
	uint16_t vendor_id;
	uint16_t device_id;
	uint16_t subsystem_vendor_id;
	uint16_t subsystem_id;
	uint8_t revision;
	uint32_t class_code;	/* base << 16 | sub-class << 8 | prog-if */
	uint8_t interrupt_pin;	/* 0: no INTx, 1: INTA# */
	struct vireo_pci_bar_desc bars[VIREO_PCI_NUM_BARS];
	/*
	 * Expansion ROM (PCI 3.0 6.2.5.2): the BAR's size, a power of two of
	 * at least 2 KiB, or 0 for none.  The image is the instance's
	 * dev->rom; the bus answers reads from it (bytes past its end read 0)
	 * and drops writes, so the ROM never reaches bar_read/bar_write.
	 */
	uint32_t rom_size;

	/* MSI-X (vireo_pci_dev_init's msix_vectors > 0): table and PBA here. */
	uint8_t msix_bar;
	uint32_t msix_table_offset;	/* 8-byte aligned */
	uint32_t msix_pba_offset;	/* 8-byte aligned */

	void (*bar_read)(struct vireo_pci_dev *dev, unsigned int bar, uint64_t offset,
			 unsigned int size, uint64_t *val);
	void (*bar_write)(struct vireo_pci_dev *dev, unsigned int bar, uint64_t offset,
			  unsigned int size, uint64_t val);
	void (*cfg_read)(struct vireo_pci_dev *dev, unsigned int offset, unsigned int size,
			 uint32_t *val);
	void (*cfg_write)(struct vireo_pci_dev *dev, unsigned int offset, unsigned int size,
			  uint32_t val);
	/* Platform reset: the device model's own state (device lock held). */
	void (*reset)(struct vireo_pci_dev *dev);
};

struct vireo_pci_msix_entry {
	uint32_t addr_lo;
	uint32_t addr_hi;
	uint32_t data;
	uint32_t ctrl;
};

/*
 * Legend: (i) set at init, then fixed; (b) bus lock; (d) device lock;
 * (bd) written with both held, so either suffices to read it.
 */
struct vireo_pci_dev {
	const struct vireo_pci_dev_desc *desc;	/* (i) */
	void *opaque;				/* (i) the device model's */
	struct vireo_pci_bus *bus;		/* (i) once added */
	uint8_t slot;				/* (i) device number; function 0 */
	unsigned int gsi;			/* (i) INTx route, see vireo_pci_intx_gsi() */
	pthread_mutex_t *lock;			/* (i) the device lock */
	pthread_mutex_t own_lock;		/* (i) dev->lock unless the model overrides */

	uint8_t cfg[VIREO_PCI_CFG_SIZE];	/* (bd) configuration space */
	uint8_t wmask[VIREO_PCI_CFG_SIZE];	/* (i) bits the guest may write */
	uint8_t w1cmask[VIREO_PCI_CFG_SIZE];	/* (i) bits a 1 clears */
	uint8_t defaults[VIREO_PCI_CFG_SIZE];	/* (i) cfg at reset */
	uint8_t cap_end;			/* (i) where the next capability goes */
	uint8_t cap_last;			/* (i) the last capability, 0: none */

	/* The ROM image (desc->rom_size): set by the model before bus_add. */
	const uint8_t *rom;			/* (i) */
	size_t rom_len;				/* (i) at most desc->rom_size */

	/* Decoding state of each BAR and the ROM, as last reported to bar_change. */
	bool bar_mapped[VIREO_PCI_NUM_REGIONS];		/* (bd) */
	uint64_t bar_addr[VIREO_PCI_NUM_REGIONS];	/* (bd) */

	uint16_t command;			/* (bd) mirror of the command register */
	bool intx_level;			/* (d) the device's INTx output */
	bool intx_raised;			/* (d) what the bus was last told */

	/* MSI-X. */
	uint16_t msix_vectors;			/* (i) 0: no MSI-X */
	uint8_t msix_cap;			/* (i) capability offset */
	bool msix_enabled;			/* (bd) */
	bool msix_masked;			/* (bd) function mask */
	struct vireo_pci_msix_entry msix_table[VIREO_PCI_MSIX_MAX];	/* (d) */
	uint64_t msix_pba;			/* (d) pending bits */
};

/* Interrupt sinks the monitor provides; both may be called from any thread. */
struct vireo_pci_irq_ops {
	/* Drive GSI gsi: true = asserted.  The bus ORs the devices sharing it. */
	void (*set_gsi)(void *opaque, unsigned int gsi, bool asserted);
	/*
	 * Deliver an MSI message (VIREO_SIGNAL_MSI in production); the same
	 * signature as hw/irq.h's vireo_msi_fn, so the IOAPIC's sink fits.
	 * The result is ignored (a message nobody accepts is lost, as on
	 * hardware).
	 */
	int (*msi)(void *opaque, uint64_t address, uint32_t data);
};

struct vireo_pci_bus_config {
	uint64_t ecam_base;	/* 0: no ECAM; 1 MiB aligned */
	unsigned int ecam_buses;	/* buses the window spans (MCFG); 0 means 1 */
	uint64_t mem_base;	/* window for memory BARs, [base, end) */
	uint64_t mem_end;
	uint32_t io_base;	/* window for I/O BARs, [base, end) */
	uint32_t io_end;
	const struct vireo_pci_irq_ops *irq;
	void *irq_opaque;
	/*
	 * A BAR started (mapped) or stopped (!mapped) decoding
	 * [addr, addr + size) in I/O (is_io) or memory space.  A move is an
	 * unmap then a map.  Optional: the monitor can route with
	 * vireo_pci_pio()/vireo_pci_mmio() alone; it needs this to move
	 * ioeventfds (see virtio/virtio_pci.h) and to build fast routes.
	 */
	void (*bar_change)(void *opaque, struct vireo_pci_dev *dev, unsigned int bar, bool is_io,
			   uint64_t addr, uint64_t size, bool mapped);
	void *bar_opaque;
};

struct vireo_pci_bus {
	struct vireo_pci_bus_config cfg;		/* (i) */
	pthread_mutex_t lock;				/* the bus lock */
	uint32_t cf8;					/* (b) CONFIG_ADDRESS latch */
	struct vireo_pci_dev *slots[VIREO_PCI_MAX_SLOTS];	/* (i) */
	struct vireo_pci_dev host_bridge;		/* (i) slot 0 */
	pthread_mutex_t intx_lock;
	uint32_t gsi_asserted[VIREO_PCI_MAX_GSI];	/* (intx_lock) slots asserting */
};

/* The INTx route of a slot's pin (1 = INTA#): GSI 16 + (slot + pin - 1) % 8. */
unsigned int vireo_pci_intx_gsi(unsigned int slot, unsigned int pin);

/* Bus setup.  0 or -EINVAL (bad windows or ECAM base). */
int vireo_pci_bus_init(struct vireo_pci_bus *bus, const struct vireo_pci_bus_config *cfg);
void vireo_pci_bus_fini(struct vireo_pci_bus *bus);

/*
 * Prepare dev from desc: configuration space defaults, write masks, BAR
 * types, the MSI-X capability with msix_vectors vectors (0: none).
 * -EINVAL if desc is inconsistent (BAR sizes, MSI-X placement).
 */
int vireo_pci_dev_init(struct vireo_pci_dev *dev, const struct vireo_pci_dev_desc *desc,
		       void *opaque, unsigned int msix_vectors);
void vireo_pci_dev_fini(struct vireo_pci_dev *dev);

/*
 * Append a capability of len bytes with ID id to dev's list (before
 * vireo_pci_bus_add).  Returns its offset, or -ENOSPC.  Bytes after the
 * ID and next pointer are zero and read-only until the caller sets
 * dev->cfg / dev->wmask for them.
 */
int vireo_pci_add_cap(struct vireo_pci_dev *dev, uint8_t id, unsigned int len);

/* Make the current dev->cfg the reset state (after filling capabilities). */
void vireo_pci_dev_commit_defaults(struct vireo_pci_dev *dev);

/* Put dev in slot (1-31), or the first free slot if slot < 0.  -EBUSY, -EINVAL. */
int vireo_pci_bus_add(struct vireo_pci_bus *bus, struct vireo_pci_dev *dev, int slot);

/*
 * Firmware's job: give every BAR an address in the windows (naturally
 * aligned, largest first), turn on I/O and memory decoding, set the
 * interrupt line to the GSI.  -ENOSPC if the windows are too small.
 */
int vireo_pci_bus_assign(struct vireo_pci_bus *bus);

/* Platform reset: every function back to defaults, then assigned again. */
int vireo_pci_bus_reset(struct vireo_pci_bus *bus);

/*
 * The monitor's bus: one port I/O or MMIO access.  0 if the PCI bus owns
 * the address (CF8/CFC, ECAM, a decoding BAR), -ENOENT if not.  Port 0xcf8
 * is the bridge's only for dword accesses (byte 0xcf9 is the reset
 * register).  Reads of unimplemented registers return all ones.
 */
int vireo_pci_pio(struct vireo_pci_bus *bus, uint16_t port, unsigned int size, bool is_write,
		  uint32_t *data);
int vireo_pci_mmio(struct vireo_pci_bus *bus, uint64_t gpa, unsigned int size, bool is_write,
		   uint64_t *data);

/* Configuration access by address (bus 0 only): what both mechanisms use. */
uint32_t vireo_pci_config_read(struct vireo_pci_bus *bus, unsigned int busno, unsigned int devfn,
			       unsigned int offset, unsigned int size);
void vireo_pci_config_write(struct vireo_pci_bus *bus, unsigned int busno, unsigned int devfn,
			    unsigned int offset, unsigned int size, uint32_t val);

/* ---- for device models ------------------------------------------------ */

/* Drive the function's INTx pin (device lock held).  Honours INTx disable. */
void vireo_pci_set_intx(struct vireo_pci_dev *dev, bool level);

/*
 * Signal MSI-X vector vec (device lock held): delivered now, or left
 * pending while masked.  -ENODEV if MSI-X is disabled (use INTx), -EINVAL
 * for a vector past the table.
 */
int vireo_pci_msix_notify(struct vireo_pci_dev *dev, unsigned int vec);
bool vireo_pci_msix_enabled(const struct vireo_pci_dev *dev);	/* (bd) */
/* Is the vector's PBA bit set?  For tests and device models. */
bool vireo_pci_msix_pending(const struct vireo_pci_dev *dev, unsigned int vec);

/* May the function master the bus (DMA into guest RAM)?  (bd) */
bool vireo_pci_bus_master(const struct vireo_pci_dev *dev);

/*
 * Where BAR bar (or VIREO_PCI_ROM_BAR) decodes now: true with *addr set,
 * or false. (b) or (d)
 */
bool vireo_pci_bar_mapped(const struct vireo_pci_dev *dev, unsigned int bar, uint64_t *addr);

#endif /* VIREO_PCI_H */
