// SPDX-License-Identifier: GPL-2.0
/*
 * The PC machine description: which devices, in which order, on which
 * interrupt lines of the router (hw/irq.h).  Ports and MMIO come with
 * each model (its hw/ descriptor); the machine registers them.  Built top
 * to bottom and torn down bottom to top, so a line may use any device
 * above it: the router takes the IOAPIC and the PIC, the devices with
 * lines take the router, the RTC's alarm takes the PM block, the virtio
 * functions plug into the PCI host.  The counts of the per-option lines
 * (disks, NICs, --debug-exit) are the models' own.
 */
#include "hw/irq.h"

#include "dev/models.h"

#define LINES(...)	.lines = { __VA_ARGS__ }, \
			.nr_lines = sizeof((unsigned int[]){ __VA_ARGS__ }) / sizeof(unsigned int)

/*
 * One line per device: DEVICE(model, slot fields).  The line declares the
 * model (pc/dev/<model>.c defines vireo_pc_dev_<model>) and places it, so
 * a new device is its own file plus one line here; dev/models.h names only
 * the models that other code finds by pointer.
 */
#define PC_MACHINE(DEVICE)							\
	DEVICE(debug_exit)	/* first: the user's port outranks the rest */	\
	DEVICE(ioapic)								\
	DEVICE(pic)								\
	DEVICE(irq_router)							\
	DEVICE(pit, LINES(VIREO_IRQ_PIT))					\
	DEVICE(pm, LINES(VIREO_IRQ_SCI))					\
	DEVICE(rtc, LINES(VIREO_IRQ_RTC))					\
	DEVICE(uart, LINES(VIREO_IRQ_COM1))					\
	DEVICE(i8042, LINES(VIREO_IRQ_KEYBOARD, VIREO_IRQ_MOUSE))		\
	DEVICE(post)								\
	DEVICE(fw_cfg)								\
	DEVICE(pci_host)							\
	DEVICE(virtio_blk)							\
	DEVICE(virtio_net)							\
	DEVICE(virtio_console)							\
	DEVICE(virtio_rng)							\
	DEVICE(vga)		/* --vga */

#define DECLARE_MODEL(name, ...) extern const struct vireo_pc_device_model vireo_pc_dev_##name;
#define PLACE_MODEL(name, ...) { .model = &vireo_pc_dev_##name, __VA_ARGS__ },

PC_MACHINE(DECLARE_MODEL)

const struct vireo_pc_slot vireo_pc_machine_table[] = {
	PC_MACHINE(PLACE_MODEL)
};

const unsigned int vireo_pc_machine_table_len =
	sizeof(vireo_pc_machine_table) / sizeof(vireo_pc_machine_table[0]);
