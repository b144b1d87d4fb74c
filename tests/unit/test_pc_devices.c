// SPDX-License-Identifier: GPL-2.0
/*
 * The machine description built whole (pc_devices.c) without /dev/vireo:
 * every line of machine_table.c made as many times as the options ask,
 * its ports and MMIO on the buses where the guest expects them, and taken
 * apart again.  The ioeventfds of the virtio functions cannot be assigned
 * without a VM; the machine says so and goes on (notifications then exit).
 */
#include <stdio.h>
#include <string.h>

#include "boot/layout.h"
#include "hw/ioapic.h"
#include "dev/models.h"
#include "pc.h"
#include "test.h"
#include "test_pc_machine.h"

static void pc_machine_table_builds(void)
{
	static struct vireo_options o;
	static struct vireo_pc_host host;
	static struct vireo_pc pc;
	static struct vireo_pc_vcpu v;
	struct vireo_layout_config lc = { .ram_size = 64 << 20 };
	GError *err = NULL;
	unsigned int i, k, n, total = 0;
	uint64_t data64;
	uint32_t data;
	FILE *quiet;

	memset(&o, 0, sizeof(o));
	memset(&host, 0, sizeof(host));
	o.cpus = 1;
	o.debug_exit_port = 0x501;
	o.debug_exit_size = 2;
	T_TRUE(test_pc_machine_init(&pc, &host, &o));
	T_EQ(vireo_layout_init(&pc.layout, &lc, &err), 0);
	quiet = fopen("/dev/null", "w");
	T_TRUE(quiet != NULL);
	pc.err = pc.svc.err = quiet;
	v.pc = &pc;
	T_EQ(vireo_pc_devices_build(&pc), 0);

	for (i = 0; i < vireo_pc_machine_table_len; i++) {
		const struct vireo_pc_device_model *m = vireo_pc_machine_table[i].model;

		n = m->count ? m->count(&o) : 1;
		for (k = 0; k < n; k++)
			T_TRUE(vireo_pc_find(&pc, m, k) != NULL);
		T_TRUE(vireo_pc_find(&pc, m, n) == NULL);
		total += n;
	}
	T_EQ(pc.nr_devices, total);
	T_EQ(vireo_pc_find(&pc, &vireo_pc_dev_virtio_blk, 0), NULL);	/* no --disk */
	T_EQ(pc.nr_virtio, 2);		/* virtio-console, virtio-rng */
	T_EQ(pc.nr_timers, 2);		/* the PIT's, the RTC's */
	T_TRUE(pc.irq && pc.ioapic && pc.uart && pc.pm);

	/* The buses as a vCPU finds them. */
	data = 0;
	T_EQ(vireo_pc_pio(&v, 0x3fd, 1, false, &data), 0);
	T_EQ(data & 0x60, 0x60);	/* COM1's LSR: transmitter empty */
	data = VIREO_IOAPIC_REG_VER;
	data64 = data;
	T_EQ(vireo_pc_mmio(&v, VIREO_IOAPIC_BASE + VIREO_IOAPIC_IOREGSEL, 4, true, &data64), 0);
	T_EQ(vireo_pc_mmio(&v, VIREO_IOAPIC_BASE + VIREO_IOAPIC_IOWIN, 4, false, &data64), 0);
	T_EQ(data64, (VIREO_IOAPIC_PINS - 1) << 16 | VIREO_IOAPIC_VERSION);
	data = 0x80000000;		/* bus 0, device 0, function 0, register 0 */
	T_EQ(vireo_pc_pio(&v, 0xcf8, 4, true, &data), 0);
	T_EQ(vireo_pc_pio(&v, 0xcfc, 4, false, &data), 0);
	T_EQ(data & 0xffff, 0x1b36);	/* the host bridge's vendor */
	T_EQ(pc.unhandled_pio, 0);
	T_EQ(pc.unhandled_mmio, 0);
	data = 0;
	T_EQ(vireo_pc_pio(&v, 0x502, 1, false, &data), 0);
	T_EQ(data, 0);			/* --debug-exit's port, first in the table */

	test_pc_machine_fini(&pc);
	T_EQ(pc.nr_devices, 0);
	T_EQ(pc.nr_timers, 0);
	fclose(quiet);
}

static const struct vireo_test tests[] = {
	VIREO_TEST(pc_machine_table_builds),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(pc_devices, tests);
