// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-pci modern transport: identity and capabilities, feature
 * negotiation, the status machine, queue setup, notifications (trapped,
 * kick callback, ioeventfd ports), INTx + ISR and MSI-X, bus mastering,
 * NEEDS_RESET on a hostile ring, resets.  The device is virtio-rng (one
 * queue, simplest to drive) and virtio-net where two queues matter.
 */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test.h"
#include "test_virtio_dev.h"
#include "virtio/net.h"
#include "virtio/rng.h"

static struct tvdev tv;

static int setup_rng(void)
{
	struct vireo_virtio_dev *vd;

	if (tv_ram(&tv) || vireo_virtio_rng_create(&vd, &tv.tr.ram))
		return -1;
	return tv_attach(&tv, vd);
}

static int setup_net(void)
{
	struct vireo_virtio_dev *vd;
	struct vireo_net_backend be;
	uint8_t mac[6];
	int sv[2];

	if (tv_ram(&tv) || socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv))
		return -1;
	close(sv[1]);
	vireo_net_default_mac(0, mac);
	if (vireo_net_fd_backend(sv[0], 0, &be) || vireo_virtio_net_create(&vd, &tv.tr.ram, &be, mac))
		return -1;
	return tv_attach(&tv, vd);
}

/* Post one device-writable buffer of len bytes on queue q; its GPA. */
static uint64_t post_in(unsigned int q, uint32_t len)
{
	struct tbuf b = { tdrv_alloc(&tv.q[q], len), len, VRING_DESC_F_WRITE };

	tdrv_add(&tv.q[q], &b, 1);
	return b.gpa;
}

static void vpci_identity(void)
{
	T_EQ(setup_rng(), 0);
	T_EQ(tp_cf8_read(&tv.tb, TV_DEVFN, 0, 4), (0x1040U + VIRTIO_ID_RNG) << 16 | 0x1af4);
	T_EQ(tp_cf8_read(&tv.tb, TV_DEVFN, 8, 1), 1);	/* revision */
	T_EQ(tp_cf8_read(&tv.tb, TV_DEVFN, 0x2c, 4), 0x11001af4U);
	T_EQ(tp_cf8_read(&tv.tb, TV_DEVFN, 0x3d, 1), 1);
	tv_detach(&tv);
	T_EQ(setup_net(), 0);
	T_EQ(tp_cf8_read(&tv.tb, TV_DEVFN, 2, 2), 0x1041);
	T_EQ(tp_cf8_read(&tv.tb, TV_DEVFN, 8, 4) >> 8, 0x020000);
	tv_detach(&tv);
}

static void vpci_capabilities(void)
{
	bool seen[6] = { false };
	unsigned int ptr, n = 0, msix = 0;

	T_EQ(setup_net(), 0);
	for (ptr = tp_cf8_read(&tv.tb, TV_DEVFN, 0x34, 1); ptr && n < 16;
	     ptr = tp_cf8_read(&tv.tb, TV_DEVFN, ptr + 1, 1), n++) {
		unsigned int id = tp_cf8_read(&tv.tb, TV_DEVFN, ptr, 1);
		unsigned int type, bar;
		uint32_t off, len;

		T_EQ(ptr & 3, 0);
		if (id == VIREO_PCI_CAP_ID_MSIX) {
			msix = ptr;
			continue;
		}
		T_EQ(id, VIREO_PCI_CAP_ID_VNDR);
		type = tp_cf8_read(&tv.tb, TV_DEVFN, ptr + 3, 1);
		bar = tp_cf8_read(&tv.tb, TV_DEVFN, ptr + 4, 1);
		off = tp_cf8_read(&tv.tb, TV_DEVFN, ptr + 8, 4);
		len = tp_cf8_read(&tv.tb, TV_DEVFN, ptr + 12, 4);
		T_TRUE(type >= 1 && type <= 5 && !seen[type]);
		seen[type] = true;
		switch (type) {
		case VIRTIO_PCI_CAP_COMMON_CFG:
			T_EQ(tp_cf8_read(&tv.tb, TV_DEVFN, ptr + 2, 1), 16);
			T_TRUE(bar == 4 && off == 0 && len == 0x38);
			break;
		case VIRTIO_PCI_CAP_NOTIFY_CFG:
			/* In the I/O BAR: one 16-bit port per queue. */
			T_EQ(tp_cf8_read(&tv.tb, TV_DEVFN, ptr + 2, 1), 20);
			T_TRUE(bar == 0 && off == 0 && len == 4);
			T_EQ(tp_cf8_read(&tv.tb, TV_DEVFN, ptr + 16, 4), 2);
			T_EQ(tp_cf8_read(&tv.tb, TV_DEVFN, 0x10, 4) & 1, 1);	/* BAR0 is I/O */
			break;
		case VIRTIO_PCI_CAP_ISR_CFG:
			T_TRUE(bar == 4 && off == 0x1000 && len >= 1);
			break;
		case VIRTIO_PCI_CAP_DEVICE_CFG:
			T_TRUE(bar == 4 && off == 0x2000 && len == VIRTIO_NET_CFG_SIZE);
			break;
		case VIRTIO_PCI_CAP_PCI_CFG:
			T_EQ(tp_cf8_read(&tv.tb, TV_DEVFN, ptr + 2, 1), 20);
			break;
		}
	}
	T_TRUE(seen[1] && seen[2] && seen[3] && seen[4] && seen[5]);
	T_TRUE(msix != 0);
	T_EQ(tp_cf8_read(&tv.tb, TV_DEVFN, msix + 2, 2), 2);	/* 3 vectors: 2 queues + config */
	/* BAR4 is a 64-bit memory BAR, BAR1 32-bit memory. */
	T_EQ(tp_cf8_read(&tv.tb, TV_DEVFN, 0x20, 4) & 7, 4);
	T_EQ(tp_cf8_read(&tv.tb, TV_DEVFN, 0x14, 4) & 7, 0);
	tv_detach(&tv);
}

static void vpci_features(void)
{
	uint64_t f;

	T_EQ(setup_net(), 0);
	f = tv_device_features(&tv);
	T_TRUE(f & VIRTIO_BIT(VIRTIO_F_VERSION_1));
	T_TRUE(f & VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC));
	T_TRUE(f & VIRTIO_BIT(VIRTIO_F_EVENT_IDX));
	T_TRUE(f & VIRTIO_BIT(VIRTIO_NET_F_MAC));
	T_TRUE(!(f & VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF)));
	T_TRUE(!(f & VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM)));
	/* Select values past 1 read 0. */
	tv_write(&tv, VIRTIO_PCI_COMMON_DFSELECT, 4, 7);
	T_EQ(tv_read(&tv, VIRTIO_PCI_COMMON_DF, 4), 0);

	/* A legacy driver (no VERSION_1) is refused. */
	T_EQ(tv_negotiate(&tv, VIRTIO_BIT(VIRTIO_NET_F_MAC)) & VIRTIO_STATUS_FEATURES_OK, 0);
	/* A feature the device did not offer is refused. */
	T_EQ(tv_negotiate(&tv, VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_NET_F_CSUM)) &
		     VIRTIO_STATUS_FEATURES_OK,
	     0);
	/* A subset is fine and reads back. */
	T_TRUE(tv_negotiate(&tv, VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_NET_F_MAC)) &
	       VIRTIO_STATUS_FEATURES_OK);
	tv_write(&tv, VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
	T_EQ(tv_read(&tv, VIRTIO_PCI_COMMON_GF, 4), VIRTIO_BIT(VIRTIO_NET_F_MAC));
	/* Frozen after FEATURES_OK. */
	tv_write(&tv, VIRTIO_PCI_COMMON_GF, 4, 0xffffffff);
	T_EQ(tv_read(&tv, VIRTIO_PCI_COMMON_GF, 4), VIRTIO_BIT(VIRTIO_NET_F_MAC));
	T_EQ(tv.vd->driver_features,
	     VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_NET_F_MAC));
	tv_detach(&tv);
}

static void vpci_status_machine(void)
{
	T_EQ(setup_rng(), 0);
	T_EQ(tv_status(&tv), 0);
	tv_set_status(&tv, VIRTIO_STATUS_ACKNOWLEDGE);
	tv_set_status(&tv, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	/* DRIVER_OK before FEATURES_OK does not stick. */
	tv_set_status(&tv, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
				   VIRTIO_STATUS_DRIVER_OK);
	T_EQ(tv_status(&tv), VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	/* The driver cannot set NEEDS_RESET, nor clear bits without a reset. */
	tv_set_status(&tv, VIRTIO_STATUS_NEEDS_RESET);
	T_EQ(tv_status(&tv), VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	T_EQ(tv_bringup(&tv, 0, 16), 0);
	T_EQ(tv_read(&tv, VIRTIO_PCI_COMMON_CFGGEN, 1), 0);
	/* FAILED is the driver's to set. */
	tv_set_status(&tv, TV_STATUS_OK | VIRTIO_STATUS_FAILED);
	T_EQ(tv_status(&tv), TV_STATUS_OK | VIRTIO_STATUS_FAILED);
	/* Reset: status, features, queues, vectors. */
	tv_write(&tv, VIRTIO_PCI_COMMON_MSIX, 2, 0);
	tv_set_status(&tv, 0);
	T_EQ(tv_status(&tv), 0);
	T_EQ(tv.vd->driver_features, 0);
	T_EQ(tv_read(&tv, VIRTIO_PCI_COMMON_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	tv_write(&tv, VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
	T_EQ(tv_read(&tv, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
	T_EQ(tv_read(&tv, VIRTIO_PCI_COMMON_Q_SIZE, 2), 64);
	T_EQ(tv_read(&tv, VIRTIO_PCI_COMMON_Q_DESC, 8), 0);
	tv_detach(&tv);
}

static void vpci_queue_registers(void)
{
	T_EQ(setup_net(), 0);
	T_EQ(tv_read(&tv, VIRTIO_PCI_COMMON_NUMQ, 2), 2);
	T_TRUE(tv_negotiate(&tv, VIRTIO_BIT(VIRTIO_F_VERSION_1)) & VIRTIO_STATUS_FEATURES_OK);
	for (unsigned int q = 0; q < 2; q++) {
		tv_write(&tv, VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
		T_EQ(tv_read(&tv, VIRTIO_PCI_COMMON_Q_SELECT, 2), q);
		T_EQ(tv_read(&tv, VIRTIO_PCI_COMMON_Q_SIZE, 2), 256);
		T_EQ(tv_read(&tv, VIRTIO_PCI_COMMON_Q_NOFF, 2), q);
		T_EQ(tv_read(&tv, VIRTIO_PCI_COMMON_Q_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	}
	/* A queue that does not exist: size 0, writes go nowhere. */
	tv_write(&tv, VIRTIO_PCI_COMMON_Q_SELECT, 2, 2);
	T_EQ(tv_read(&tv, VIRTIO_PCI_COMMON_Q_SIZE, 2), 0);
	tv_write(&tv, VIRTIO_PCI_COMMON_Q_SIZE, 2, 16);
	tv_write(&tv, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
	T_EQ(tv_read(&tv, VIRTIO_PCI_COMMON_Q_SIZE, 2), 0);
	T_EQ(tv_status(&tv) & VIRTIO_STATUS_NEEDS_RESET, 0);
	/* 64-bit fields: halves and whole, low and high. */
	tv_write(&tv, VIRTIO_PCI_COMMON_Q_SELECT, 2, 1);
	tv_write(&tv, VIRTIO_PCI_COMMON_Q_DESC, 8, 0x1122334455667780ULL);
	T_EQ(tv_read(&tv, VIRTIO_PCI_COMMON_Q_DESC, 8), 0x1122334455667780ULL);
	tv_write(&tv, VIRTIO_PCI_COMMON_Q_DESC + 4, 4, 0xaabbccdd);
	T_EQ(tv_read(&tv, VIRTIO_PCI_COMMON_Q_DESC, 4), 0x55667780);
	T_EQ(tv_read(&tv, VIRTIO_PCI_COMMON_Q_DESC + 4, 4), 0xaabbccdd);
	tv_write(&tv, VIRTIO_PCI_COMMON_Q_AVAIL + 2, 2, 0xffff);	/* odd width: ignored */
	T_EQ(tv_read(&tv, VIRTIO_PCI_COMMON_Q_AVAIL, 8), 0);
	/* Enabled: the registers freeze. */
	tv_queue(&tv, 1, 64);
	T_EQ(tv_read(&tv, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 1);
	tv_write(&tv, VIRTIO_PCI_COMMON_Q_SIZE, 2, 32);
	tv_write(&tv, VIRTIO_PCI_COMMON_Q_DESC, 8, 0);
	T_EQ(tv_read(&tv, VIRTIO_PCI_COMMON_Q_SIZE, 2), 64);
	T_EQ(tv_read(&tv, VIRTIO_PCI_COMMON_Q_DESC, 8), tv.q[1].desc);
	/* Writing 0 to queue_enable does nothing (no VIRTIO_F_RING_RESET). */
	tv_write(&tv, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 0);
	T_EQ(tv_read(&tv, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 1);
	tv_detach(&tv);
}

static void vpci_bad_queue_enable(void)
{
	/* Size not a power of two. */
	T_EQ(setup_rng(), 0);
	T_TRUE(tv_negotiate(&tv, VIRTIO_BIT(VIRTIO_F_VERSION_1)) & VIRTIO_STATUS_FEATURES_OK);
	tv_queue(&tv, 0, 24);
	T_TRUE(tv_status(&tv) & VIRTIO_STATUS_NEEDS_RESET);
	T_EQ(tv.logs, 1);
	T_STR_CONTAINS(tv.last_log, "power of two");
	/* A reset clears it. */
	tv_set_status(&tv, 0);
	T_EQ(tv_status(&tv), 0);
	T_TRUE(tv.vd->broken == NULL);
	/* Rings outside RAM. */
	T_TRUE(tv_negotiate(&tv, VIRTIO_BIT(VIRTIO_F_VERSION_1)) & VIRTIO_STATUS_FEATURES_OK);
	tv_write(&tv, VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
	tv_write(&tv, VIRTIO_PCI_COMMON_Q_DESC, 8, 0xfee00000);
	tv_write(&tv, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
	T_TRUE(tv_status(&tv) & VIRTIO_STATUS_NEEDS_RESET);
	T_STR_CONTAINS(tv.last_log, "outside guest RAM");
	/* Enabling before FEATURES_OK. */
	tv_set_status(&tv, 0);
	tv_set_status(&tv, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	tv_queue(&tv, 0, 16);
	T_TRUE(tv_status(&tv) & VIRTIO_STATUS_NEEDS_RESET);
	T_STR_CONTAINS(tv.last_log, "before FEATURES_OK");
	tv_detach(&tv);
}

static void vpci_notify_and_intx(void)
{
	uint32_t id, len;
	uint64_t buf;

	T_EQ(setup_rng(), 0);
	T_EQ(tv_bringup(&tv, 0, 16), 0);
	buf = post_in(0, 32);
	T_TRUE(!tv.tb.gsi[tv.vp.pci.gsi]);
	tv_kick(&tv, 0);
	T_TRUE(tdrv_used_next(&tv.q[0], &id, &len));
	T_EQ(len, 32);
	{
		static const uint8_t zero[32];

		T_TRUE(memcmp(tram_ptr(&tv.tr, buf), zero, 32) != 0);
	}
	/* No MSI-X: ISR bit 0 and INTA#. */
	T_TRUE(tv.tb.gsi[tv.vp.pci.gsi]);
	T_TRUE(tp_cf8_read(&tv.tb, TV_DEVFN, 6, 2) & VIREO_PCI_STATUS_INTERRUPT);
	T_EQ(tv_read(&tv, VIREO_VIRTIO_PCI_ISR, 1), VIRTIO_PCI_ISR_QUEUE);
	T_TRUE(!tv.tb.gsi[tv.vp.pci.gsi]);
	T_EQ(tv_read(&tv, VIREO_VIRTIO_PCI_ISR, 1), 0);
	/* Reading a notify port does nothing; a port past the queues neither. */
	{
		uint32_t v = 0x55;

		T_EQ(vireo_pci_pio(&tv.tb.bus, tv.notify_base, 2, false, &v), 0);
		T_EQ(v, 0);
		v = 5;
		T_EQ(vireo_pci_pio(&tv.tb.bus, (uint16_t)(tv.notify_base + 10), 2, true, &v), 0);
	}
	tv_detach(&tv);
}

static unsigned int kicks[4];

static void count_kick(void *opaque, struct vireo_virtio_pci *vp, unsigned int q)
{
	(void)opaque;
	(void)vp;
	kicks[q]++;
}

static void vpci_kick_callback(void)
{
	uint32_t id, len;

	T_EQ(setup_net(), 0);
	T_EQ(tv_bringup(&tv, 0, 16), 0);
	memset(kicks, 0, sizeof(kicks));
	vireo_virtio_pci_set_kick(&tv.vp, count_kick, NULL);
	post_in(0, 64);
	tv_kick(&tv, 1);
	tv_kick(&tv, 0);
	T_EQ(kicks[0], 1);
	T_EQ(kicks[1], 1);
	/* The monitor's thread then processes the queue. */
	T_TRUE(!tdrv_used_next(&tv.q[0], &id, &len));
	vireo_virtio_process(tv.vd, 1);
	tv_detach(&tv);
}

static void vpci_ioeventfd_ports(void)
{
	uint16_t port, data;

	T_EQ(setup_net(), 0);
	for (unsigned int q = 0; q < 2; q++) {
		T_EQ(vireo_virtio_pci_notify_port(&tv.vp, q, &port, &data), 0);
		T_EQ(port, tv.notify_base + 2 * q);
		T_EQ(data, q);
	}
	T_EQ(vireo_virtio_pci_notify_port(&tv.vp, 2, &port, &data), -EINVAL);
	T_TRUE(vireo_virtio_pci_from_pci(&tv.vp.pci) == &tv.vp);
	T_TRUE(vireo_virtio_pci_from_pci(&tv.tb.bus.host_bridge) == NULL);
	/* The guest moves BAR0: the monitor hears it and re-registers. */
	tv.tb.nbar = 0;
	tp_cf8_write(&tv.tb, TV_DEVFN, 0x10, 4, 0xe000);
	T_EQ(tv.tb.nbar, 2);
	T_TRUE(tv.tb.bar[0].is_io && !tv.tb.bar[0].mapped && tv.tb.bar[0].addr == tv.notify_base);
	T_TRUE(tv.tb.bar[1].is_io && tv.tb.bar[1].mapped && tv.tb.bar[1].addr == 0xe000);
	T_TRUE(vireo_virtio_pci_from_pci(tv.tb.bar[1].dev) == &tv.vp);
	T_EQ(tv.tb.bar[1].bar, VIREO_VIRTIO_PCI_NOTIFY_BAR);
	T_EQ(vireo_virtio_pci_notify_port(&tv.vp, 1, &port, &data), 0);
	T_EQ(port, 0xe002);
	/* I/O decoding off: no ports. */
	tp_cf8_write(&tv.tb, TV_DEVFN, 4, 2, VIREO_PCI_COMMAND_MEMORY);
	T_EQ(vireo_virtio_pci_notify_port(&tv.vp, 0, &port, &data), -ENOENT);
	tv_detach(&tv);
}

static void vpci_msix(void)
{
	uint64_t table;
	unsigned int cap = 0;

	T_EQ(setup_net(), 0);
	table = tv.msix_bar + VIREO_VIRTIO_PCI_MSIX_TABLE;
	cap = tv.vp.pci.msix_cap;
	/* What the driver does: enable MSI-X, program 3 vectors, assign them. */
	tp_cf8_write(&tv.tb, TV_DEVFN, cap + 2, 2, VIREO_PCI_MSIX_FLAGS_ENABLE);
	for (unsigned int v = 0; v < 3; v++) {
		tp_mmio_write(&tv.tb, table + 16 * v, 4, 0xfee00000);
		tp_mmio_write(&tv.tb, table + 16 * v + 4, 4, 0);
		tp_mmio_write(&tv.tb, table + 16 * v + 8, 4, 0x40 + v);
		tp_mmio_write(&tv.tb, table + 16 * v + 12, 4, 0);
	}
	T_TRUE(tv_negotiate(&tv, VIRTIO_BIT(VIRTIO_F_VERSION_1)) & VIRTIO_STATUS_FEATURES_OK);
	tv_write(&tv, VIRTIO_PCI_COMMON_MSIX, 2, 0);
	T_EQ(tv_read(&tv, VIRTIO_PCI_COMMON_MSIX, 2), 0);
	for (unsigned int q = 0; q < 2; q++) {
		tv_queue(&tv, q, 16);
		tv_write(&tv, VIRTIO_PCI_COMMON_Q_MSIX, 2, q + 1);
		T_EQ(tv_read(&tv, VIRTIO_PCI_COMMON_Q_MSIX, 2), q + 1);
	}
	/* A vector past the table reads back as NO_VECTOR. */
	tv_write(&tv, VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
	tv_write(&tv, VIRTIO_PCI_COMMON_Q_MSIX, 2, 3);
	T_EQ(tv_read(&tv, VIRTIO_PCI_COMMON_Q_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	tv_write(&tv, VIRTIO_PCI_COMMON_Q_MSIX, 2, 1);
	tv_set_status(&tv, TV_STATUS_OK);

	/* A transmitted frame: queue 1's vector 2, no INTx, no ISR. */
	{
		struct tbuf b = { tdrv_alloc(&tv.q[1], 60), 60, 0 };

		tdrv_add(&tv.q[1], &b, 1);
		tv_kick(&tv, 1);
	}
	T_EQ(tv.tb.nmsi, 1);
	T_EQ(tv.tb.msi[0].address, 0xfee00000);
	T_EQ(tv.tb.msi[0].data, 0x42);
	T_TRUE(!tv.tb.gsi[tv.vp.pci.gsi]);
	T_EQ(tv.vp.isr, 0);
	/* Masked vector: pending, then delivered on unmask. */
	tp_mmio_write(&tv.tb, table + 16 * 2 + 12, 4, 1);
	{
		struct tbuf b = { tdrv_alloc(&tv.q[1], 60), 60, 0 };

		tdrv_add(&tv.q[1], &b, 1);
		tv_kick(&tv, 1);
	}
	T_EQ(tv.tb.nmsi, 1);
	T_TRUE(vireo_pci_msix_pending(&tv.vp.pci, 2));
	tp_mmio_write(&tv.tb, table + 16 * 2 + 12, 4, 0);
	T_EQ(tv.tb.nmsi, 2);
	/* A hostile ring: NEEDS_RESET and the config vector. */
	tdrv_publish(&tv.q[1], 99);
	tv_kick(&tv, 1);
	T_TRUE(tv_status(&tv) & VIRTIO_STATUS_NEEDS_RESET);
	T_EQ(tv.tb.nmsi, 3);
	T_EQ(tv.tb.msi[2].data, 0x40);
	tv_detach(&tv);
}

static void vpci_bus_master(void)
{
	uint32_t id, len;

	T_EQ(setup_rng(), 0);
	T_EQ(tv_bringup(&tv, 0, 16), 0);
	post_in(0, 16);
	tp_cf8_write(&tv.tb, TV_DEVFN, 4, 2, 0x3);	/* bus master off */
	tv_kick(&tv, 0);
	T_TRUE(!tdrv_used_next(&tv.q[0], &id, &len));
	tp_cf8_write(&tv.tb, TV_DEVFN, 4, 2, 0x7);
	vireo_virtio_process(tv.vd, 0);
	T_TRUE(tdrv_used_next(&tv.q[0], &id, &len));
	tv_detach(&tv);
}

static void vpci_early_kick(void)
{
	uint32_t id, len;

	T_EQ(setup_rng(), 0);
	T_TRUE(tv_negotiate(&tv, VIRTIO_BIT(VIRTIO_F_VERSION_1)) & VIRTIO_STATUS_FEATURES_OK);
	tv_queue(&tv, 0, 16);
	post_in(0, 16);
	tv_kick(&tv, 0);	/* before DRIVER_OK: remembered, not processed */
	T_TRUE(!tdrv_used_next(&tv.q[0], &id, &len));
	tv_set_status(&tv, TV_STATUS_OK);
	T_TRUE(tdrv_used_next(&tv.q[0], &id, &len));
	tv_detach(&tv);
}

static void vpci_hostile_ring(void)
{
	uint32_t id, len;

	T_EQ(setup_rng(), 0);
	T_EQ(tv_bringup(&tv, 0, 16), 0);
	/* A descriptor loop. */
	*tdrv_desc(&tv.q[0], 0) = (struct vireo_vring_desc){ TRAM_BASE, 4,
							     VRING_DESC_F_WRITE | VRING_DESC_F_NEXT,
							     0 };
	tdrv_publish(&tv.q[0], 0);
	tv_kick(&tv, 0);
	T_TRUE(tv_status(&tv) & VIRTIO_STATUS_NEEDS_RESET);
	T_EQ(tv.logs, 1);
	T_STR_CONTAINS(tv.last_log, "virtio-rng");
	T_STR_CONTAINS(tv.last_log, "loop");
	/* Config change interrupt via INTx: ISR bit 1. */
	T_EQ(tv_read(&tv, VIREO_VIRTIO_PCI_ISR, 1), VIRTIO_PCI_ISR_CONFIG);
	/* Ignored from now on, logged once. */
	post_in(0, 16);
	tv_kick(&tv, 0);
	vireo_virtio_process(tv.vd, 0);
	T_TRUE(!tdrv_used_next(&tv.q[0], &id, &len));
	T_EQ(tv.logs, 1);
	/* The driver resets and starts over: all good again. */
	memset(tram_ptr(&tv.tr, TV_RINGS), 0, 0x10000);
	T_EQ(tv_bringup(&tv, 0, 16), 0);
	post_in(0, 16);
	tv_kick(&tv, 0);
	T_TRUE(tdrv_used_next(&tv.q[0], &id, &len));
	T_EQ(len, 16);
	tv_detach(&tv);
}

/*
 * A driver that breaks the device, resets it and breaks it again: the
 * messages stop after the burst, the rest are counted, and the next one
 * that gets through says how many were left out.
 */
static void vpci_fault_log_limit(void)
{
	const unsigned int n = VIREO_VIRTIO_LOG_BURST + 50;
	unsigned int i;

	T_EQ(setup_rng(), 0);
	for (i = 0; i <= n; i++) {
		if (i == n) {
			/* Two periods later: one token back. */
			tv.vd->log_stamp_ns -= 2 * VIREO_VIRTIO_LOG_PERIOD_NS;
			tv.logs = 0;
		}
		memset(tram_ptr(&tv.tr, TV_RINGS), 0, 0x10000);
		T_EQ(tv_bringup(&tv, 0, 16), 0);
		*tdrv_desc(&tv.q[0], 0) = (struct vireo_vring_desc){ TRAM_BASE, 4,
								     VRING_DESC_F_WRITE |
									     VRING_DESC_F_NEXT,
								     0 };
		tdrv_publish(&tv.q[0], 0);
		tv_kick(&tv, 0);
		T_TRUE(tv_status(&tv) & VIRTIO_STATUS_NEEDS_RESET);
		if (i == n - 1) {
			/* The burst (one more if a period went by meanwhile). */
			T_TRUE(tv.logs >= VIREO_VIRTIO_LOG_BURST);
			T_TRUE(tv.logs <= VIREO_VIRTIO_LOG_BURST + 1);
			T_EQ(tv.logs + vireo_virtio_log_suppressed(tv.vd), n);
			T_STR_CONTAINS(tv.last_log, "queue 0: ");
			T_STR_CONTAINS(tv.last_log, "loop");
		}
	}
	T_EQ(tv.logs, 1);
	T_STR_CONTAINS(tv.last_log, "earlier messages not shown)");
	T_EQ(vireo_virtio_log_suppressed(tv.vd), 0);
	tv_detach(&tv);
}

static void vpci_event_idx(void)
{
	uint16_t *used_event, *avail_event;
	uint32_t id, len;

	T_EQ(setup_rng(), 0);
	T_EQ(tv_bringup(&tv, VIRTIO_BIT(VIRTIO_F_EVENT_IDX), 16), 0);
	used_event = &tdrv_avail(&tv.q[0])->ring[16];
	avail_event = (uint16_t *)&tdrv_used(&tv.q[0])->ring[16];
	post_in(0, 8);
	tv_kick(&tv, 0);
	T_TRUE(tdrv_used_next(&tv.q[0], &id, &len));
	T_EQ(tv_read(&tv, VIREO_VIRTIO_PCI_ISR, 1), VIRTIO_PCI_ISR_QUEUE);	/* the first */
	T_EQ(*avail_event, 1);	/* "kick me when you pass 1" */
	/* The driver wants an interrupt only after the 5th buffer. */
	*used_event = 4;
	for (unsigned int i = 0; i < 3; i++) {
		post_in(0, 8);
		tv_kick(&tv, 0);
		T_TRUE(tdrv_used_next(&tv.q[0], &id, &len));
		T_EQ(tv_read(&tv, VIREO_VIRTIO_PCI_ISR, 1), 0);
	}
	post_in(0, 8);
	tv_kick(&tv, 0);
	T_EQ(tv_read(&tv, VIREO_VIRTIO_PCI_ISR, 1), VIRTIO_PCI_ISR_QUEUE);
	T_EQ(*avail_event, 5);
	tv_detach(&tv);
}

static void vpci_cfg_window(void)
{
	unsigned int cap = 0;

	T_EQ(setup_net(), 0);
	/* Find the PCI configuration access capability. */
	for (unsigned int p = tp_cf8_read(&tv.tb, TV_DEVFN, 0x34, 1); p;
	     p = tp_cf8_read(&tv.tb, TV_DEVFN, p + 1, 1))
		if (tp_cf8_read(&tv.tb, TV_DEVFN, p, 1) == VIREO_PCI_CAP_ID_VNDR &&
		    tp_cf8_read(&tv.tb, TV_DEVFN, p + 3, 1) == VIRTIO_PCI_CAP_PCI_CFG)
			cap = p;
	T_TRUE(cap != 0);
	/* Read num_queues through the window. */
	tp_cf8_write(&tv.tb, TV_DEVFN, cap + 4, 1, 4);
	tp_cf8_write(&tv.tb, TV_DEVFN, cap + 8, 4, VIRTIO_PCI_COMMON_NUMQ);
	tp_cf8_write(&tv.tb, TV_DEVFN, cap + 12, 4, 2);
	T_EQ(tp_cf8_read(&tv.tb, TV_DEVFN, cap + 16, 4), 2);
	/* Write the status through it. */
	tp_cf8_write(&tv.tb, TV_DEVFN, cap + 8, 4, VIRTIO_PCI_COMMON_STATUS);
	tp_cf8_write(&tv.tb, TV_DEVFN, cap + 12, 4, 1);
	tp_cf8_write(&tv.tb, TV_DEVFN, cap + 16, 1, VIRTIO_STATUS_ACKNOWLEDGE);
	T_EQ(tv_status(&tv), VIRTIO_STATUS_ACKNOWLEDGE);
	/* The MAC through the device window, a byte at a time. */
	tp_cf8_write(&tv.tb, TV_DEVFN, cap + 8, 4, VIREO_VIRTIO_PCI_DEVICE);
	T_EQ(tp_cf8_read(&tv.tb, TV_DEVFN, cap + 16, 1), 0x52);
	/* Bad windows do nothing: length 3, misaligned, past the BAR, the MSI-X BAR. */
	tp_cf8_write(&tv.tb, TV_DEVFN, cap + 12, 4, 3);
	tp_cf8_write(&tv.tb, TV_DEVFN, cap + 16, 4, 0);
	T_EQ(tv_status(&tv), VIRTIO_STATUS_ACKNOWLEDGE);
	tp_cf8_write(&tv.tb, TV_DEVFN, cap + 12, 4, 2);
	tp_cf8_write(&tv.tb, TV_DEVFN, cap + 8, 4, VIRTIO_PCI_COMMON_STATUS + 1);
	tp_cf8_write(&tv.tb, TV_DEVFN, cap + 16, 2, 0);
	tp_cf8_write(&tv.tb, TV_DEVFN, cap + 8, 4, VIREO_VIRTIO_PCI_CFG_SIZE);
	tp_cf8_write(&tv.tb, TV_DEVFN, cap + 16, 2, 0);
	tp_cf8_write(&tv.tb, TV_DEVFN, cap + 4, 1, 1);
	tp_cf8_write(&tv.tb, TV_DEVFN, cap + 8, 4, 0);
	tp_cf8_write(&tv.tb, TV_DEVFN, cap + 16, 2, 0);
	T_EQ(tv_status(&tv), VIRTIO_STATUS_ACKNOWLEDGE);
	tv_detach(&tv);
}

static void vpci_platform_reset(void)
{
	T_EQ(setup_rng(), 0);
	T_EQ(tv_bringup(&tv, 0, 16), 0);
	T_EQ(vireo_pci_bus_reset(&tv.tb.bus), 0);
	T_EQ(tv_status(&tv), 0);
	tv_write(&tv, VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
	T_EQ(tv_read(&tv, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
	tv_detach(&tv);
}

static void vpci_device_config(void)
{
	T_EQ(setup_net(), 0);
	T_EQ(tv_read(&tv, VIREO_VIRTIO_PCI_DEVICE, 4), 0x56005452);	/* 52:54:00:56, LE */
	T_EQ(tv_read(&tv, VIREO_VIRTIO_PCI_DEVICE + 4, 2), 0x1049);
	T_EQ(tv_read(&tv, VIREO_VIRTIO_PCI_DEVICE + 6, 2), VIRTIO_NET_S_LINK_UP);
	/* Past the structure: 0.  Writes: read-only fields stay. */
	T_EQ(tv_read(&tv, VIREO_VIRTIO_PCI_DEVICE + VIRTIO_NET_CFG_SIZE, 4), 0);
	tv_write(&tv, VIREO_VIRTIO_PCI_DEVICE, 4, 0);
	T_EQ(tv_read(&tv, VIREO_VIRTIO_PCI_DEVICE, 1), 0x52);
	tv_detach(&tv);
}

static const struct vireo_test vireo_tests_virtio_pci[] = {
	VIREO_TEST(vpci_identity),
	VIREO_TEST(vpci_capabilities),
	VIREO_TEST(vpci_features),
	VIREO_TEST(vpci_status_machine),
	VIREO_TEST(vpci_queue_registers),
	VIREO_TEST(vpci_bad_queue_enable),
	VIREO_TEST(vpci_notify_and_intx),
	VIREO_TEST(vpci_kick_callback),
	VIREO_TEST(vpci_ioeventfd_ports),
	VIREO_TEST(vpci_msix),
	VIREO_TEST(vpci_bus_master),
	VIREO_TEST(vpci_early_kick),
	VIREO_TEST(vpci_hostile_ring),
	VIREO_TEST(vpci_fault_log_limit),
	VIREO_TEST(vpci_event_idx),
	VIREO_TEST(vpci_cfg_window),
	VIREO_TEST(vpci_platform_reset),
	VIREO_TEST(vpci_device_config),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(virtio_pci, vireo_tests_virtio_pci);
