/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A device model of the PC machine: one const descriptor per device type
 * (struct vireo_pc_device_model), placed by one line of the machine
 * description (struct vireo_pc_slot, machine_table.c).  The machine
 * (pc_devices.c) walks the description to build and to tear down: it
 * creates each device, registers its ports and MMIO regions on the buses,
 * and destroys them in the reverse order.  A device sees the machine only
 * through struct vireo_pc_services, never struct vireo_pc, so that a
 * device model is one file in pc/dev/ and one line in the table.
 */
#ifndef VIREO_PC_DEVICE_H
#define VIREO_PC_DEVICE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hw/hw.h"

/* GLib's own declaration: device models need not see <glib.h> (vireo/error.h). */
typedef struct _GError GError;

struct vireo_guest_ram;
struct vireo_irq_router;
struct vireo_layout;
struct vireo_net_backend;
struct vireo_options;
struct vireo_pc_device_model;
struct vireo_pci_dev;
struct vireo_virtio_dev;

/* What a device may ask of the machine; see pc.h for their precedence. */
enum vireo_pc_device_request {
	VIREO_PC_DEV_RESET,		/* the platform resets (a reboot) */
	VIREO_PC_DEV_POWEROFF,		/* ACPI S5 */
	VIREO_PC_DEV_DEBUG_EXIT,	/* --debug-exit: end with (value << 1) | 1 */
	VIREO_PC_DEV_SLEEP,		/* ACPI S3 entered: park the vCPUs */
	VIREO_PC_DEV_WAKE,		/* a wake event ended S3 */
};

/* Everything a device may ask of the machine: the machine's services. */
struct vireo_pc_services {
	void *machine;					/* the first argument of each call */
	const struct vireo_options *opts;		/* the command line */
	const struct vireo_layout *layout;		/* RAM and holes */
	struct vireo_guest_ram *ram;			/* guest RAM for DMA */
	FILE *err;					/* messages */

	/* Interrupt lines, once the router of the table exists (NULL before). */
	struct vireo_irq_router *(*irq)(void *machine);
	/* The MSI sink: VIREO_SIGNAL_MSI, from any thread. */
	int (*msi)(void *machine, uint64_t address, uint32_t data);
	/*
	 * A one-shot timer (hw/hw.h) calling expired(dev) on the I/O thread;
	 * the machine closes it at teardown.  0 or -errno.
	 */
	int (*timer)(void *machine, void (*expired)(void *dev), void *dev,
		     struct vireo_timer *out);
	/* The serial console: bytes out; and "the guest can take input again". */
	void (*console_write)(void *machine, const uint8_t *buf, size_t len);
	void (*console_room)(void *machine);
	/* A machine event (any thread); value for VIREO_PC_DEV_DEBUG_EXIT. */
	void (*request)(void *machine, enum vireo_pc_device_request req, uint32_t value);
	/*
	 * A value query-status reports under key (a string that lives
	 * forever), e.g. "post-code": the slot outlives a reset, and the
	 * control server reads it on its own thread.  NULL if the table of
	 * them is full.
	 */
	atomic_uint_fast64_t *(*status_field)(void *machine, const char *key);
	/* Another device of the machine, created earlier in the table, or NULL. */
	void *(*find)(void *machine, const struct vireo_pc_device_model *model,
		      unsigned int instance);
	/*
	 * A virtio function onto the PCI host's bus, with the fds the I/O
	 * loop watches, into *dev; takes vd (and what, malloc()ed or NULL: a
	 * name for messages) in any case.  vireo_pc_virtio_unplug(*dev)
	 * undoes it.  0 or -errno (message printed).
	 */
	int (*virtio_plug)(void *machine, struct vireo_virtio_dev *vd, char *what, void **dev);
	/* NIC instance's backend (tap or NAT); 0 or -errno with a message. */
	int (*nic_backend)(void *machine, unsigned int instance, struct vireo_net_backend *be,
			   GError **error);
	void (*nic_forget)(void *machine, unsigned int instance);
	/* The PCI host's bar_change (pci/pci.h): ioeventfds follow the virtio notify BARs. */
	void (*pci_bar_change)(void *machine, struct vireo_pci_dev *dev, unsigned int bar,
			       bool is_io, uint64_t addr, uint64_t size, bool mapped);
};

/* Interrupt lines of one table line. */
#define VIREO_PC_SLOT_LINES	2

/* One line of the machine description. */
struct vireo_pc_slot {
	const struct vireo_pc_device_model *model;
	/* Lines of the interrupt router (hw/irq.h) the device drives. */
	unsigned int lines[VIREO_PC_SLOT_LINES];
	unsigned int nr_lines;
};

/*
 * Ports decoded at run time (PCI BARs, config space) rather than from a
 * fixed range: asked after every fixed range.  0 if the access was the
 * device's, -ENOENT if not.
 */
typedef int (*vireo_pc_decode_pio_fn)(void *dev, uint16_t port, unsigned int size,
				      bool is_write, uint32_t *data);
typedef int (*vireo_pc_decode_mmio_fn)(void *dev, uint64_t gpa, unsigned int size,
				       bool is_write, uint64_t *data);

/* The state of one device in a snapshot (none is written yet). */
struct vireo_pc_state_writer;
struct vireo_pc_state_reader;

struct vireo_pc_device_model {
	const char *name;
	/*
	 * How many of it the options ask for (the disks, the NICs, whether
	 * --debug-exit was given); NULL: one.
	 */
	unsigned int (*count)(const struct vireo_options *opts);
	/* Make instance (0 .. count - 1) into *dev.  0, or -errno with a message on svc->err. */
	int (*create)(const struct vireo_pc_services *svc, const struct vireo_pc_slot *slot,
		      unsigned int instance, void **dev);
	/* Every device exists: finish what needs them all (PCI assigns the BARs). */
	int (*complete)(void *dev);
	/* Back to the power-on state (NULL: the machine's reboot rebuilds it). */
	void (*reset)(void *dev);
	void (*destroy)(void *dev);

	/*
	 * Its fixed port ranges and MMIO region (hw/hw.h), registered by the
	 * machine; dev is the handlers' first argument.  NULL: none.
	 */
	const struct vireo_hw_desc *hw;
	/* A port range known once created (the --debug-exit port); false: none. */
	bool (*pio_at)(void *dev, struct vireo_hw_pio_range *range);
	vireo_pc_decode_pio_fn decode_pio;
	vireo_pc_decode_mmio_fn decode_mmio;

	/* Snapshot: section name and version; the functions may be NULL until snapshots exist. */
	const char *state_section;
	unsigned int state_version;
	int (*save)(void *dev, struct vireo_pc_state_writer *w);
	int (*load)(void *dev, struct vireo_pc_state_reader *r, unsigned int version);
};

/* The machine description: table lines in build order (machine_table.c). */
extern const struct vireo_pc_slot vireo_pc_machine_table[];
extern const unsigned int vireo_pc_machine_table_len;

/*
 * For create: "vireo-run: <what>: <err>" on svc->err; returns err, or
 * -EINVAL when err is 0 (the message says it all).
 */
int vireo_pc_device_fail(const struct vireo_pc_services *svc, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The virtio device models' destroy: what virtio_plug made, with its device. */
void vireo_pc_virtio_unplug(void *dev);
/* The virtio device of a plugged function. */
struct vireo_virtio_dev *vireo_pc_virtio_dev(void *dev);

/* The interrupt line i of a slot, or -1 when the table gives none. */
static inline int vireo_pc_slot_line(const struct vireo_pc_slot *slot, unsigned int i)
{
	return i < slot->nr_lines ? (int)slot->lines[i] : -1;
}

#endif /* VIREO_PC_DEVICE_H */
