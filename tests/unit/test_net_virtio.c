// SPDX-License-Identifier: GPL-2.0
/*
 * The NAT behind a real virtio-net device, driven the way the monitor
 * will: the guest's frames go through the transmit ring and a notify,
 * and an I/O loop polls the NAT's fds plus an epoll set holding the
 * device's backend fd (the monitor's existing loop, nested), calling
 * vireo_virtio_backend_event() when frames wait.  A DHCP DISCOVER from
 * the driver comes back as an OFFER in its receive buffers.
 */
#include <errno.h>
#include <poll.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <vireo/error.h>

#include "net/nat.h"
#include "test.h"
#include "test_net_guest.h"
#include "test_virtio_dev.h"

#define RXQ VIREO_VIRTIO_NET_RXQ
#define TXQ VIREO_VIRTIO_NET_TXQ

static struct tvdev tv;

/* One round of the monitor's I/O loop: NAT fds + its epoll set. */
static void io_round(struct vireo_nat *nat, struct vireo_pollset *ps, int ep, int wait_ms)
{
	struct epoll_event ev[4];
	int mon, r, n;

	vireo_pollset_reset(ps, wait_ms);
	mon = vireo_pollset_add(ps, ep, POLLIN);
	vireo_nat_poll_fill(nat, ps);
	r = poll(ps->fds, ps->n, ps->timeout_ms);
	vireo_nat_poll_dispatch(nat, ps, r < 0);
	if (!(vireo_pollset_revents(ps, mon) & POLLIN))
		return;
	n = epoll_wait(ep, ev, 4, 0);
	for (int i = 0; i < n; i++)
		if (vireo_virtio_backend_wanted(tv.vd))
			vireo_virtio_backend_event(tv.vd);
}

static void net_virtio_dhcp(void)
{
	uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	struct vireo_nat_config cfg = { .ipv6 = false };
	struct vireo_virtio_net_hdr hdr = { 0 };
	struct vireo_net_backend be;
	struct vireo_virtio_dev *vd;
	struct vireo_pollset ps;
	struct vireo_nat *nat;
	struct tguest shape;	/* only its MAC and address, for the frame builder */
	struct tg_frame f;
	struct tg_pkt p;
	uint64_t rx[4], h, fr;
	uint16_t rx_head[4];
	uint32_t id = 0, len = 0;
	g_autoptr(GError) err = NULL;
	bool got = false;
	int ep;

	T_EQ(tv_ram(&tv), 0);
	T_EQ(vireo_nat_create(&nat, &cfg, &err), 0);
	vireo_nat_backend(nat, &be);
	T_EQ(vireo_virtio_net_create(&vd, &tv.tr.ram, &be, mac), 0);	/* owns the NAT now */
	T_EQ(tv_attach(&tv, vd), 0);
	T_EQ(tv_bringup(&tv, VIRTIO_BIT(VIRTIO_NET_F_MAC) | VIRTIO_BIT(VIRTIO_NET_F_STATUS), 16), 0);

	ep = epoll_create1(0);
	T_TRUE(ep >= 0);
	{
		struct epoll_event ev = { .events = EPOLLIN };

		T_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, vireo_virtio_backend_fd(vd), &ev), 0);
	}
	vireo_pollset_init(&ps);

	/* The driver posts receive buffers (header + 1514), as Linux does. */
	for (unsigned int i = 0; i < 4; i++) {
		struct tbuf b = { tdrv_alloc(&tv.q[RXQ], 1526), 1526, VRING_DESC_F_WRITE };

		rx[i] = b.gpa;
		rx_head[i] = tdrv_add(&tv.q[RXQ], &b, 1);
	}
	tv_kick(&tv, RXQ);

	/* DISCOVER through the transmit ring: header, then the frame. */
	memset(&shape, 0, sizeof(shape));
	memcpy(shape.mac, mac, 6);
	f.len = tg_dhcp_discover(&shape, 0xfeedf00d, f.data);
	h = tdrv_alloc(&tv.q[TXQ], 12);
	fr = tdrv_alloc(&tv.q[TXQ], (uint32_t)f.len);
	memcpy(tram_ptr(&tv.tr, h), &hdr, 12);
	memcpy(tram_ptr(&tv.tr, fr), f.data, f.len);
	{
		struct tbuf b[2] = { { h, 12, 0 }, { fr, (uint32_t)f.len, 0 } };

		tdrv_add(&tv.q[TXQ], b, 2);
	}
	tv_kick(&tv, TXQ);

	for (int i = 0; i < 100 && !got; i++) {
		io_round(nat, &ps, ep, 20);
		got = tdrv_used_next(&tv.q[RXQ], &id, &len);
	}
	T_TRUE(got);
	T_TRUE(len > 12 && len - 12 <= sizeof(f.data));
	for (unsigned int i = 0; i < 4; i++) {
		const struct vireo_virtio_net_hdr *rh = tram_ptr(&tv.tr, rx[i]);

		if (rx_head[i] != id)
			continue;
		T_EQ(rh->num_buffers, 1);
		f.len = len - 12;
		memcpy(f.data, (uint8_t *)tram_ptr(&tv.tr, rx[i]) + 12, f.len);
	}
	T_TRUE(tg_parse(&f, &p));
	T_EQ(p.sport, 67);
	T_EQ(p.dport, 68);
	T_EQ(p.payload[16], 10);			/* yiaddr 10.0.2.15 */
	T_EQ(p.payload[19], 15);
	{
		struct vireo_net_stats st;

		vireo_virtio_net_stats(vd, &st);
		T_EQ(st.tx_frames, 1);
		T_EQ(st.rx_frames, 1);
	}
	close(ep);
	vireo_pollset_fini(&ps);
	tv_detach(&tv);		/* destroys the device, which closes the NAT */
}

static const struct vireo_test vireo_tests_net_virtio[] = {
	VIREO_TEST(net_virtio_dhcp),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(net_virtio, vireo_tests_net_virtio);
