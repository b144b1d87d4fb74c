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

const struct vireo_pc_slot vireo_pc_machine_table[] = {
	{ .model = &vireo_pc_dev_debug_exit },	/* first: the user's port outranks the rest */
	{ .model = &vireo_pc_dev_ioapic },
	{ .model = &vireo_pc_dev_pic },
	{ .model = &vireo_pc_dev_irq_router },
	{ .model = &vireo_pc_dev_pit, LINES(VIREO_IRQ_PIT) },
	{ .model = &vireo_pc_dev_pm, LINES(VIREO_IRQ_SCI) },
	{ .model = &vireo_pc_dev_rtc, LINES(VIREO_IRQ_RTC) },
	{ .model = &vireo_pc_dev_uart, LINES(VIREO_IRQ_COM1) },
	{ .model = &vireo_pc_dev_i8042, LINES(VIREO_IRQ_KEYBOARD, VIREO_IRQ_MOUSE) },
	{ .model = &vireo_pc_dev_post },
	{ .model = &vireo_pc_dev_fw_cfg },
	{ .model = &vireo_pc_dev_pci_host },
	{ .model = &vireo_pc_dev_virtio_blk },
	{ .model = &vireo_pc_dev_virtio_net },
	{ .model = &vireo_pc_dev_virtio_console },
	{ .model = &vireo_pc_dev_virtio_rng },
	{ .model = &vireo_pc_dev_vga },		/* --vga */
};

const unsigned int vireo_pc_machine_table_len =
	sizeof(vireo_pc_machine_table) / sizeof(vireo_pc_machine_table[0]);
