// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net with a socketpair standing in for the tap: transmit and
 * receive with and without a backend header, dropping what was not
 * negotiated, flow control when the guest has no receive buffers,
 * malformed buffers, MACs of several NICs.
 */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test.h"
#include "test_virtio_dev.h"
#include "virtio/net.h"

static struct tvdev tv;
static int peer = -1;	/* the host side of the "tap" */

#define RXQ VIREO_VIRTIO_NET_RXQ
#define TXQ VIREO_VIRTIO_NET_TXQ

static int setup(unsigned int hdr_len)
{
	struct vireo_net_backend be;
	struct vireo_virtio_dev *vd;
	uint8_t mac[6] = { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc };
	int sv[2];

	if (tv_ram(&tv) || socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv))
		return -1;
	peer = sv[1];
	if (vireo_net_fd_backend(sv[0], hdr_len, &be) ||
	    vireo_virtio_net_create(&vd, &tv.tr.ram, &be, mac) || tv_attach(&tv, vd))
		return -1;
	return tv_bringup(&tv, VIRTIO_BIT(VIRTIO_NET_F_MAC) | VIRTIO_BIT(VIRTIO_NET_F_STATUS), 16);
}

static void teardown(void)
{
	tv_detach(&tv);
	close(peer);
}

/* The guest sends: header (12 bytes, as given) and frame, split in pieces. */
static void guest_tx(const struct vireo_virtio_net_hdr *hdr, const void *frame, uint32_t len,
		     unsigned int pieces)
{
	struct tdrv *d = &tv.q[TXQ];
	struct tbuf b[8];
	uint64_t h = tdrv_alloc(d, 12), f = tdrv_alloc(d, len);
	unsigned int n = 0;

	memcpy(tram_ptr(&tv.tr, h), hdr, 12);
	memcpy(tram_ptr(&tv.tr, f), frame, len);
	b[n++] = (struct tbuf){ h, 12, 0 };
	for (unsigned int i = 0; i < pieces; i++) {
		uint32_t piece = len / pieces + (i == pieces - 1 ? len % pieces : 0);

		b[n++] = (struct tbuf){ f + (uint64_t)(len / pieces) * i, piece, 0 };
	}
	tdrv_add(d, b, n);
}

static uint64_t guest_rx_buffer(uint32_t len)
{
	struct tbuf b = { tdrv_alloc(&tv.q[RXQ], len), len, VRING_DESC_F_WRITE };

	tdrv_add(&tv.q[RXQ], &b, 1);
	return b.gpa;
}

static void fill_frame(uint8_t *f, unsigned int len, uint8_t seed)
{
	for (unsigned int i = 0; i < len; i++)
		f[i] = (uint8_t)(seed + i * 3);
}

static void net_tx_plain(void)
{
	struct vireo_virtio_net_hdr hdr = { 0 };
	uint8_t frame[1514], got[2000];
	struct vireo_net_stats st;
	uint32_t id, len;

	T_EQ(setup(0), 0);
	fill_frame(frame, sizeof(frame), 1);
	guest_tx(&hdr, frame, sizeof(frame), 3);
	tv_kick(&tv, TXQ);
	T_EQ(recv(peer, got, sizeof(got), MSG_DONTWAIT), sizeof(frame));
	T_TRUE(!memcmp(got, frame, sizeof(frame)));
	T_TRUE(tdrv_used_next(&tv.q[TXQ], &id, &len));
	T_EQ(len, 0);
	vireo_virtio_net_stats(tv.vd, &st);
	T_EQ(st.tx_frames, 1);
	teardown();
}

static void net_tx_vnet_hdr(void)
{
	struct vireo_virtio_net_hdr hdr = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
					    .csum_start = 14,
					    .csum_offset = 16,
					    .num_buffers = 7 };
	uint8_t frame[60], got[200];
	struct vireo_net_stats st;

	T_EQ(setup(VIRTIO_NET_HDR_SIZE), 0);
	fill_frame(frame, sizeof(frame), 9);
	/* A checksum request without VIRTIO_NET_F_CSUM: the header goes out clean. */
	guest_tx(&hdr, frame, sizeof(frame), 1);
	/* A segmentation request without offloads: dropped. */
	hdr.gso_type = 1;
	hdr.gso_size = 1448;
	guest_tx(&hdr, frame, sizeof(frame), 1);
	tv_kick(&tv, TXQ);
	T_EQ(recv(peer, got, sizeof(got), MSG_DONTWAIT), 12 + sizeof(frame));
	for (unsigned int i = 0; i < 12; i++)
		T_EQ(got[i], 0);
	T_TRUE(!memcmp(got + 12, frame, sizeof(frame)));
	T_EQ(recv(peer, got, sizeof(got), MSG_DONTWAIT), -1);
	vireo_virtio_net_stats(tv.vd, &st);
	T_EQ(st.tx_frames, 1);
	T_EQ(st.tx_dropped, 1);
	/* Both buffers went back to the guest. */
	T_EQ(tdrv_used(&tv.q[TXQ])->idx, 2);
	teardown();
}

static void net_tx_malformed(void)
{
	struct tbuf b[2];

	/* A header shorter than 12 bytes. */
	T_EQ(setup(0), 0);
	b[0] = (struct tbuf){ tdrv_alloc(&tv.q[TXQ], 10), 10, 0 };
	tdrv_add(&tv.q[TXQ], b, 1);
	tv_kick(&tv, TXQ);
	T_TRUE(tv_status(&tv) & VIRTIO_STATUS_NEEDS_RESET);
	T_STR_CONTAINS(tv.last_log, "malformed transmit");
	teardown();

	/* A writable buffer in a transmit chain. */
	T_EQ(setup(0), 0);
	b[0] = (struct tbuf){ tdrv_alloc(&tv.q[TXQ], 12), 12, 0 };
	b[1] = (struct tbuf){ tdrv_alloc(&tv.q[TXQ], 64), 64, VRING_DESC_F_WRITE };
	tdrv_add(&tv.q[TXQ], b, 2);
	tv_kick(&tv, TXQ);
	T_TRUE(tv_status(&tv) & VIRTIO_STATUS_NEEDS_RESET);
	teardown();
}

static void net_rx(void)
{
	uint8_t frame[600];
	uint64_t buf;
	uint32_t id, len;
	const struct vireo_virtio_net_hdr *h;
	struct vireo_net_stats st;

	T_EQ(setup(0), 0);
	buf = guest_rx_buffer(1526);
	tv_kick(&tv, RXQ);
	T_TRUE(vireo_virtio_backend_wanted(tv.vd));
	T_EQ(vireo_virtio_backend_fd(tv.vd) >= 0, 1);
	fill_frame(frame, sizeof(frame), 77);
	T_EQ(send(peer, frame, sizeof(frame), 0), sizeof(frame));
	vireo_virtio_backend_event(tv.vd);
	T_TRUE(tdrv_used_next(&tv.q[RXQ], &id, &len));
	T_EQ(len, 12 + sizeof(frame));
	h = tram_ptr(&tv.tr, buf);
	T_EQ(h->flags, 0);
	T_EQ(h->gso_type, VIRTIO_NET_HDR_GSO_NONE);
	T_EQ(h->num_buffers, 1);
	T_TRUE(!memcmp((uint8_t *)tram_ptr(&tv.tr, buf) + 12, frame, sizeof(frame)));
	vireo_virtio_net_stats(tv.vd, &st);
	T_EQ(st.rx_frames, 1);
	/* Out of buffers: stop polling until the guest posts more. */
	vireo_virtio_backend_event(tv.vd);
	T_TRUE(!vireo_virtio_backend_wanted(tv.vd));
	guest_rx_buffer(1526);
	tv_kick(&tv, RXQ);
	T_TRUE(vireo_virtio_backend_wanted(tv.vd));
	/* Buffers but nothing waiting: keep polling, keep the buffer. */
	vireo_virtio_backend_event(tv.vd);
	T_TRUE(vireo_virtio_backend_wanted(tv.vd));
	T_TRUE(!tdrv_used_next(&tv.q[RXQ], &id, &len));
	teardown();
}

static void net_rx_vnet_hdr(void)
{
	uint8_t pkt[12 + 100];
	uint64_t buf;
	uint32_t id, len;
	const struct vireo_virtio_net_hdr *h;

	T_EQ(setup(VIRTIO_NET_HDR_SIZE), 0);
	buf = guest_rx_buffer(1526);
	tv_kick(&tv, RXQ);
	/* What tap writes: a 10-byte header plus 2 untouched bytes, then the frame. */
	memset(pkt, 0, 12);
	pkt[10] = 0xaa;
	pkt[11] = 0xbb;
	fill_frame(pkt + 12, 100, 5);
	T_EQ(send(peer, pkt, sizeof(pkt), 0), sizeof(pkt));
	vireo_virtio_backend_event(tv.vd);
	T_TRUE(tdrv_used_next(&tv.q[RXQ], &id, &len));
	T_EQ(len, sizeof(pkt));
	h = tram_ptr(&tv.tr, buf);
	T_EQ(h->num_buffers, 1);
	T_TRUE(!memcmp((uint8_t *)tram_ptr(&tv.tr, buf) + 12, pkt + 12, 100));
	teardown();
}

static void net_rx_flow_control(void)
{
	uint8_t frame[64];
	uint32_t id, len;
	unsigned int wakes;

	T_EQ(setup(0), 0);
	fill_frame(frame, sizeof(frame), 1);
	for (unsigned int i = 0; i < 3; i++)
		T_EQ(send(peer, frame, sizeof(frame), 0), sizeof(frame));
	/* No receive buffers: the device asks not to be polled. */
	vireo_virtio_backend_event(tv.vd);
	T_TRUE(!vireo_virtio_backend_wanted(tv.vd));
	T_TRUE(!tdrv_used_next(&tv.q[RXQ], &id, &len));
	/* Two buffers arrive: the monitor is woken, two frames land at once. */
	wakes = tv.wakes;
	guest_rx_buffer(1526);
	guest_rx_buffer(1526);
	tv_kick(&tv, RXQ);
	T_EQ(tv.wakes, wakes + 1);
	T_TRUE(tdrv_used_next(&tv.q[RXQ], &id, &len));
	T_TRUE(tdrv_used_next(&tv.q[RXQ], &id, &len));
	T_TRUE(!tdrv_used_next(&tv.q[RXQ], &id, &len));
	T_TRUE(!vireo_virtio_backend_wanted(tv.vd));	/* out of buffers again */
	/* The third once another buffer comes. */
	guest_rx_buffer(1526);
	tv_kick(&tv, RXQ);
	T_TRUE(tdrv_used_next(&tv.q[RXQ], &id, &len));
	T_EQ(len, 12 + sizeof(frame));
	teardown();
}

static void net_rx_small_buffer(void)
{
	uint8_t frame[300];
	uint32_t id, len;

	/* A buffer too small for the frame: truncated, not overrun. */
	T_EQ(setup(0), 0);
	guest_rx_buffer(12 + 100);
	tv_kick(&tv, RXQ);
	fill_frame(frame, sizeof(frame), 3);
	T_EQ(send(peer, frame, sizeof(frame), 0), sizeof(frame));
	vireo_virtio_backend_event(tv.vd);
	T_TRUE(tdrv_used_next(&tv.q[RXQ], &id, &len));
	T_EQ(len, 12 + 100);
	teardown();

	/* Smaller than the header: the driver broke the rules. */
	T_EQ(setup(0), 0);
	guest_rx_buffer(8);
	T_EQ(send(peer, frame, sizeof(frame), 0), sizeof(frame));
	tv_kick(&tv, RXQ);
	T_TRUE(tv_status(&tv) & VIRTIO_STATUS_NEEDS_RESET);
	T_STR_CONTAINS(tv.last_log, "malformed receive");
	teardown();

	/* A readable buffer in the receive queue. */
	T_EQ(setup(0), 0);
	{
		struct tbuf b = { tdrv_alloc(&tv.q[RXQ], 1526), 1526, 0 };

		tdrv_add(&tv.q[RXQ], &b, 1);
	}
	T_EQ(send(peer, frame, sizeof(frame), 0), sizeof(frame));
	tv_kick(&tv, RXQ);
	T_TRUE(tv_status(&tv) & VIRTIO_STATUS_NEEDS_RESET);
	teardown();
}

static void net_rx_before_driver(void)
{
	uint8_t frame[64] = { 1 };

	/* No driver yet: input waits in the backend and polling stops. */
	T_EQ(tv_ram(&tv), 0);
	{
		struct vireo_net_backend be;
		struct vireo_virtio_dev *vd;
		uint8_t mac[6];
		int sv[2];

		T_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
		peer = sv[1];
		vireo_net_default_mac(0, mac);
		T_EQ(vireo_net_fd_backend(sv[0], 0, &be), 0);
		T_EQ(vireo_virtio_net_create(&vd, &tv.tr.ram, &be, mac), 0);
		T_EQ(tv_attach(&tv, vd), 0);
	}
	T_EQ(send(peer, frame, sizeof(frame), 0), sizeof(frame));
	vireo_virtio_backend_event(tv.vd);
	T_TRUE(!vireo_virtio_backend_wanted(tv.vd));
	/* DRIVER_OK wakes the monitor. */
	T_EQ(tv_bringup(&tv, VIRTIO_BIT(VIRTIO_NET_F_MAC), 16), 0);
	T_TRUE(vireo_virtio_backend_wanted(tv.vd));
	T_TRUE(tv.wakes >= 1);
	teardown();
}

static void net_backend_gone(void)
{
	uint32_t id, len;

	/* The far end closes: the fd reads EOF forever, the device stops asking. */
	T_EQ(setup(0), 0);
	guest_rx_buffer(1526);
	tv_kick(&tv, RXQ);
	T_TRUE(vireo_virtio_backend_wanted(tv.vd));
	close(peer);
	peer = -1;
	vireo_virtio_backend_event(tv.vd);
	T_TRUE(!vireo_virtio_backend_wanted(tv.vd));
	T_TRUE(!tdrv_used_next(&tv.q[RXQ], &id, &len));
	T_EQ(tv_status(&tv) & VIRTIO_STATUS_NEEDS_RESET, 0);
	teardown();
}

static void net_macs(void)
{
	uint8_t a[6], b[6], c[6];

	vireo_net_default_mac(0, a);
	vireo_net_default_mac(1, b);
	vireo_net_default_mac(0xf0, c);
	T_TRUE(memcmp(a, b, 6) != 0);
	T_TRUE(memcmp(b, c, 6) != 0);
	T_EQ(a[0] & 1, 0);	/* unicast */
	T_EQ(a[0] & 2, 2);	/* locally administered */
	/* The configured MAC reads back through the device configuration. */
	T_EQ(setup(0), 0);
	for (unsigned int i = 0; i < 6; i++)
		T_EQ(tv_read(&tv, VIREO_VIRTIO_PCI_DEVICE + i, 1),
		     ((const uint8_t[]){ 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc })[i]);
	teardown();
}

static void net_backend_errors(void)
{
	struct vireo_net_backend be;
	struct vireo_virtio_dev *vd;
	uint8_t mac[6] = { 0 };
	char name[16];
	int sv[2];

	T_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	T_EQ(vireo_net_fd_backend(sv[0], 10, &be), -EINVAL);
	T_EQ(vireo_net_fd_backend(sv[0], 0, &be), 0);
	be.hdr_len = 4;
	T_EQ(tram_init(&tv.tr), 0);
	T_EQ(vireo_virtio_net_create(&vd, &tv.tr.ram, &be, mac), -EINVAL);
	be.ops->close(be.opaque);
	close(sv[1]);
	tram_fini(&tv.tr);
	/* A name too long for an interface, whatever /dev/net/tun says. */
	T_TRUE(vireo_net_tap_open("a-name-much-too-long-for-ifnamsiz", &be, name) < 0);
}

static const struct vireo_test vireo_tests_virtio_net[] = {
	VIREO_TEST(net_tx_plain),
	VIREO_TEST(net_tx_vnet_hdr),
	VIREO_TEST(net_tx_malformed),
	VIREO_TEST(net_rx),
	VIREO_TEST(net_rx_vnet_hdr),
	VIREO_TEST(net_rx_flow_control),
	VIREO_TEST(net_rx_small_buffer),
	VIREO_TEST(net_rx_before_driver),
	VIREO_TEST(net_backend_gone),
	VIREO_TEST(net_macs),
	VIREO_TEST(net_backend_errors),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(virtio_net, vireo_tests_virtio_net);
