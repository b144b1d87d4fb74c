// SPDX-License-Identifier: GPL-2.0
/*
 * --vga in the PC (pc/dev/vga.c): the table line makes the VGA only when
 * asked; on a machine with the PCI host it answers as a vCPU's IN, OUT and
 * MMIO reach the PC's buses: the VBE and VGA ports, configuration space
 * showing 1234:1111, the framebuffer BAR where the firmware's assignment
 * put it, the legacy window's handler.
 */
#include <string.h>

#include "boot/layout.h"
#include "dev/models.h"
#include "display/vga_pci.h"
#include "pc.h"
#include "test.h"
#include "test_pc_machine.h"

static const struct vireo_pc_slot slots[] = {
	{ .model = &vireo_pc_dev_ioapic },
	{ .model = &vireo_pc_dev_pic },
	{ .model = &vireo_pc_dev_irq_router },
	{ .model = &vireo_pc_dev_pci_host },
	{ .model = &vireo_pc_dev_vga },
};

static uint32_t cfg_read(struct vireo_pc_vcpu *v, unsigned int slot, unsigned int reg)
{
	uint32_t a = 0x80000000U | slot << 11 | reg, d = 0;

	vireo_pc_pio(v, 0xcf8, 4, true, &a);
	vireo_pc_pio(v, 0xcfc, 4, false, &d);
	return d;
}

static void pc_vga_only_when_asked(void)
{
	struct vireo_options o;
	unsigned int n = 0;

	memset(&o, 0, sizeof(o));
	T_EQ(vireo_pc_dev_vga.count(&o), 0);
	o.vga = true;
	T_EQ(vireo_pc_dev_vga.count(&o), 1);
	for (unsigned int i = 0; i < vireo_pc_machine_table_len; i++)
		n += vireo_pc_machine_table[i].model == &vireo_pc_dev_vga;
	T_EQ(n, 1);
}

static void pc_vga_on_the_buses(void)
{
	static struct vireo_options o;
	static struct vireo_pc_host host;
	static struct vireo_pc pc;
	static struct vireo_pc_vcpu v;
	struct vireo_layout_config lc = { .ram_size = 64ULL << 20 };
	struct vireo_vga_pci *vp;
	unsigned int slot = 0;
	uint64_t lfb, d;
	uint32_t data;

	memset(&o, 0, sizeof(o));
	memset(&host, 0, sizeof(host));
	o.debug_exit_port = -1;
	o.vga = true;
	T_TRUE(test_pc_machine_init(&pc, &host, &o));
	v.pc = &pc;
	T_EQ(vireo_layout_init(&pc.layout, &lc, NULL), 0);
	for (unsigned int i = 0; i < sizeof(slots) / sizeof(slots[0]); i++)
		T_EQ(vireo_pc_device_add(&pc, &slots[i], 0), 0);
	T_EQ(vireo_pc_dev_pci_host.complete(vireo_pc_find(&pc, &vireo_pc_dev_pci_host, 0)), 0);
	vp = vireo_pc_find(&pc, &vireo_pc_dev_vga, 0);
	T_TRUE(vp != NULL);

	/* The VBE ID through 0x1ce/0x1cf, misc output through 0x3c2/0x3cc. */
	data = VIREO_VBE_INDEX_ID;
	T_EQ(vireo_pc_pio(&v, 0x1ce, 2, true, &data), 0);
	T_EQ(vireo_pc_pio(&v, 0x1cf, 2, false, &data), 0);
	T_EQ(data, 0xb0c5);
	data = 0x67;
	T_EQ(vireo_pc_pio(&v, 0x3c2, 1, true, &data), 0);
	data = 0;
	T_EQ(vireo_pc_pio(&v, 0x3cc, 1, false, &data), 0);
	T_EQ(data, 0x67);

	/* Configuration space: 1234:1111 in some slot, BAR 0 assigned and decoding. */
	for (unsigned int s = 1; s < 32 && !slot; s++)
		if (cfg_read(&v, s, 0) == 0x11111234)
			slot = s;
	T_TRUE(slot != 0);
	lfb = cfg_read(&v, slot, 0x10) & ~0xfULL;
	T_TRUE(lfb >= pc.layout.mmio32_base);
	d = 0xa5;
	T_EQ(vireo_pc_mmio(&v, lfb + 0x123, 1, true, &d), 0);
	T_EQ(vp->vga.vram[0x123], 0xa5);

	/* The legacy window's handler (in a real machine RAM still covers it). */
	data = 0x02;
	vireo_pc_pio(&v, 0x3c4, 1, true, &data);
	data = 0x0f;				/* SR2: all planes */
	vireo_pc_pio(&v, 0x3c5, 1, true, &data);
	data = 0x04;
	vireo_pc_pio(&v, 0x3c4, 1, true, &data);
	data = 0x08;				/* SR4: chain-4 */
	vireo_pc_pio(&v, 0x3c5, 1, true, &data);
	d = 0x5a;
	T_EQ(vireo_pc_mmio(&v, 0xa0010, 1, true, &d), 0);
	T_EQ(vp->vga.vram[0x10], 0x5a);
	T_EQ(pc.unhandled_pio, 0);
	test_pc_machine_fini(&pc);
}

static const struct vireo_test tests[] = {
	VIREO_TEST(pc_vga_only_when_asked),
	VIREO_TEST(pc_vga_on_the_buses),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(pc_vga, tests);
