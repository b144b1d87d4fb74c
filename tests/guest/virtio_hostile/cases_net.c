// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net cases (userland/virtio/net.c): receiveq1 (queue 0) and
 * transmitq1 (queue 1) of the NIC the script asks for with --net nat, so
 * the frames go to libslirp's user-mode network, where the gateway
 * 10.0.2.2 answers ARP requests.
 *
 * What net.c documents and the cases expect:
 *   - a transmit chain must be device-readable only and hold at least the
 *     12-byte header; a receive chain device-writable only, at least 12
 *     bytes: otherwise "malformed transmit/receive buffer", NEEDS_RESET;
 *   - a frame it will not send (segmentation asked for without the
 *     feature, longer than VIREO_VIRTIO_NET_MAX_FRAME) is dropped, as a
 *     NIC drops: the chain comes back with len 0 and the device goes on;
 *   - a checksum request without VIRTIO_NET_F_CSUM is ignored (the frame
 *     goes out); received frames carry flags 0, GSO_NONE, num_buffers 1
 *     (5.1.6.4.1 without the offload and mergeable-buffer features).
 * The follow-up sends an ARP request for the gateway and waits for its
 * answer in the receive buffers: the device sends and receives again.
 *
 * The device is started afresh before every case (vhdev.restart): the
 * follow-up leaves receive buffers posted, and a hostile receive chain
 * must be the first one the device looks at.  Frames slirp sends on its
 * own (IPv6 router advertisements) may arrive at any time and wait in
 * the NAT while no receive buffers are posted; await_reply() skips them.
 */
#include "cases.h"

#define NET_FEATURES	(DEFAULT_FEATURES | FBIT(F_NET_MAC) | FBIT(F_NET_STATUS))
#define ETH_FRAME	1514
#define ARP_LEN		60		/* an ARP request padded to Ethernet's minimum */
#define PKT_LEN		(NET_HDR_SIZE + ARP_LEN)
#define RX_LEN		(NET_HDR_SIZE + ETH_FRAME)
#define RX_BUFS		4
#define RX_STRIDE	0x800
#define MAX_FRAME	65550		/* VIREO_VIRTIO_NET_MAX_FRAME, userland/virtio/net.h */

static struct vdev net_dev = {
	.name = "virtio-net",
	.type = VIRTIO_ID_NET,
	.nr_queues = 2,
	.rings = VH_RINGS_NET,
};

static struct vdev *const d = &net_dev;

/* vireo_net_default_mac(0): the first NIC's, as no mac= is given. */
static const uint8_t default_mac[6] = { 0x52, 0x54, 0x00, 0x56, 0x49, 0x10 };
static const uint8_t my_ip[4] = { 10, 0, 2, 15 }, gw_ip[4] = { 10, 0, 2, 2 };
static uint8_t mac[6];		/* the device's, from its configuration */
static uint8_t pkt[PKT_LEN];	/* header + frame, before it is cut into buffers */

/* ---- frames -------------------------------------------------------------- */

static void read_mac(void)
{
	unsigned int i;

	for (i = 0; i < 6; i++)
		mac[i] = mmio_read8(d->devcfg + NET_CFG_MAC + i);
}

/* Who has 10.0.2.2?  Tell 10.0.2.15 (at p: ARP_LEN bytes). */
static void arp_request(uint8_t *p)
{
	memset(p, 0, ARP_LEN);
	memset(p, 0xff, 6);
	memcpy(p + 6, mac, 6);
	p[12] = 0x08;		/* ARP */
	p[13] = 0x06;
	p[15] = 1;		/* Ethernet */
	p[16] = 0x08;		/* IPv4 */
	p[18] = 6;
	p[19] = 4;
	p[21] = 1;		/* request */
	memcpy(p + 22, mac, 6);
	memcpy(p + 28, my_ip, 4);
	memcpy(p + 38, gw_ip, 4);
}

/* The gateway's answer to it? */
static bool is_arp_reply(const uint8_t *p, uint32_t len)
{
	return len >= 42 && !memcmp(p, mac, 6) && p[12] == 0x08 && p[13] == 0x06 && p[20] == 0 &&
	       p[21] == 2 && !memcmp(p + 28, gw_ip, 4) && !memcmp(p + 32, mac, 6) &&
	       !memcmp(p + 38, my_ip, 4);
}

/* pkt: a header (flags, gso_type as given) and the ARP request. */
static void make_packet(uint8_t flags, uint8_t gso_type)
{
	struct net_hdr *h = (struct net_hdr *)pkt;

	read_mac();
	memset(pkt, 0, sizeof(pkt));
	h->flags = flags;
	h->gso_type = gso_type;
	arp_request(pkt + NET_HDR_SIZE);
}

/* The generic attacks' transmit request: a clean header and the ARP request. */
static void fill_tx(uint8_t *buf)
{
	make_packet(0, 0);
	memcpy(buf, pkt, PKT_LEN);
}

/* ---- transmitting -------------------------------------------------------- */

/*
 * Send pkt cut into pieces of the given lengths, each in its own buffer
 * 4 KiB apart (indirect: the pieces in an indirect table), and wait for
 * the chain to come back with nothing written.
 */
static const char *transmit(const uint32_t *cut, unsigned int n, bool indirect)
{
	struct vqueue *tq = &d->vq[NET_TXQ];
	volatile struct vring_desc *t = indirect ? ITABLE(0) : tq->desc;
	uint32_t off = 0, len;
	const char *err;
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint32_t buf = VH_OUTBUF + i * 0x1000;

		memcpy(phys(buf), pkt + off, cut[i]);
		set_desc(t, i, buf, cut[i], i + 1 < n ? DESC_F_NEXT : 0, (uint16_t)(i + 1));
		off += cut[i];
	}
	if (indirect)
		set_desc(tq->desc, 0, VH_INDIRECT, n * 16, DESC_F_INDIRECT, 0);
	vd_submit(d, NET_TXQ, 0);
	err = vh_expect_used(d, NET_TXQ, 0, &len);
	if (err)
		return errf("transmit: %s", err);
	if (len)
		return errf("transmit: used len %u, want 0", len);
	return NULL;
}

static const uint32_t std_cut[] = { NET_HDR_SIZE, ARP_LEN };

/* ---- receiving ----------------------------------------------------------- */

/* A receive chain: segments, direct at descriptors head.., or in ITABLE(2). */
struct rxchain {
	uint16_t head;
	bool indirect;
	unsigned int nseg;
	uint32_t addr[3], len[3];
};

#define RX_STD(i) { (i), false, 1, { VH_INBUF + (i) * RX_STRIDE }, { RX_LEN } }
static const struct rxchain rx_std[RX_BUFS] = { RX_STD(0), RX_STD(1), RX_STD(2), RX_STD(3) };

static void post_rx(const struct rxchain *c)
{
	struct vqueue *rq = &d->vq[NET_RXQ];
	volatile struct vring_desc *t = c->indirect ? ITABLE(2) : rq->desc;
	unsigned int i, first = c->indirect ? 0 : c->head;

	for (i = 0; i < c->nseg; i++) {
		uint16_t flags = DESC_F_WRITE | (i + 1 < c->nseg ? DESC_F_NEXT : 0);

		memset(phys(c->addr[i]), 0xcc, c->len[i]);
		set_desc(t, first + i, c->addr[i], c->len[i], flags, (uint16_t)(first + i + 1));
	}
	if (c->indirect)
		set_desc(rq->desc, c->head, VH_INDIRECT + 0x2000, c->nseg * 16, DESC_F_INDIRECT, 0);
	vd_submit(d, NET_RXQ, c->head);
}

/* The standard receive buffers, posted once per start (vqueue.posted). */
static void post_std_rx(void)
{
	struct vqueue *rq = &d->vq[NET_RXQ];
	unsigned int i;

	if (rq->posted)
		return;
	for (i = 0; i < RX_BUFS; i++)
		post_rx(&rx_std[i]);
	rq->posted = 1;
}

/*
 * Receive until the gateway's ARP reply comes, at most ms: the chains
 * posted are chains[0..n); a frame that is something else has its chain
 * posted again, and so has the reply's if repost.  The frame, gathered,
 * is left at VH_SCRATCH.  *timeout tells a plain timeout from an error.
 */
static const char *await_reply(const struct rxchain *chains, unsigned int n, bool repost,
			       uint32_t ms, bool *timeout)
{
	struct vqueue *rq = &d->vq[NET_RXQ];
	const struct net_hdr *h = phys(VH_SCRATCH);
	uint8_t *frame = phys(VH_SCRATCH);
	unsigned int others = 0, i, k;
	uint32_t t0 = vh_ms(), now, len, got, id;

	*timeout = false;
	for (;;) {
		volatile struct vring_used_elem *e;
		const struct rxchain *c;
		bool reply;

		now = vh_ms() - t0;
		if (now >= ms) {
			*timeout = true;
			return errf("no ARP reply from 10.0.2.2 in %u ms (%u other frames)", ms,
				    others);
		}
		switch (vd_wait(d, NET_RXQ, ms - now)) {
		case EV_NEEDS_RESET:
			return errf("receive: NEEDS_RESET (status 0x%x)", vd_status(d));
		case EV_TIMEOUT:
			continue;
		case EV_USED:
			break;
		}
		e = &rq->used->ring[rq->used_seen % rq->size];
		id = e->id;
		len = e->len;
		rq->used_seen++;
		for (i = 0; i < n && chains[i].head != id; i++)
			;
		if (i == n)
			return errf("receive: used id %u, which was not posted", id);
		c = &chains[i];
		for (k = 0, got = 0; k < c->nseg && got < len; k++) {
			uint32_t chunk = c->len[k] < len - got ? c->len[k] : len - got;

			memcpy(frame + got, phys(c->addr[k]), chunk);
			got += chunk;
		}
		if (got < len)
			return errf("receive: used len %u, more than the chain's %u", len, got);
		if (len < NET_HDR_SIZE)
			return errf("receive: used len %u, shorter than the header", len);
		if (h->flags || h->gso_type || h->num_buffers != 1)
			return errf("receive: header flags 0x%x gso_type %u num_buffers %u, "
				    "want 0, 0, 1", h->flags, h->gso_type, h->num_buffers);
		reply = is_arp_reply(frame + NET_HDR_SIZE, len - NET_HDR_SIZE);
		if (!reply || repost)
			post_rx(c);
		if (reply)
			return NULL;
		others++;
	}
}

/* ARP for the gateway with pkt cut as given; its answer in the standard buffers. */
static const char *arp_exchange(const uint32_t *cut, unsigned int n, bool indirect)
{
	const char *err;
	bool timeout;

	post_std_rx();
	err = transmit(cut, n, indirect);
	return err ?: await_reply(rx_std, RX_BUFS, true, WAIT_MS, &timeout);
}

/* pkt went in, and must not have come out: the gateway must not answer. */
static const char *expect_no_reply(void)
{
	const char *err;
	bool timeout;

	err = await_reply(rx_std, RX_BUFS, true, 3 * QUIET_MS, &timeout);
	if (!err)
		return "the gateway answered: the device sent a frame it should have dropped";
	return timeout ? NULL : err;
}

/* ---- cases --------------------------------------------------------------- */

static const char *c_net_config(void)
{
	uint16_t st;

	if (!d->devcfg)
		return "no device configuration capability";
	st = mmio_read16(d->devcfg + NET_CFG_STATUS);
	read_mac();
	if (memcmp(mac, default_mac, 6))
		return errf("MAC %x:%x:%x:%x:%x:%x, want 52:54:0:56:49:10", mac[0], mac[1], mac[2],
			    mac[3], mac[4], mac[5]);
	if (!(st & NET_S_LINK_UP))
		return errf("link status 0x%x: not up", st);
	if (vd_read16(d, CC_NUMQ) != 2)
		return errf("%u queues, want 2", vd_read16(d, CC_NUMQ));
	return NULL;
}

static const char *c_net_arp(void)
{
	make_packet(0, 0);
	return arp_exchange(std_cut, ARRAY_SIZE(std_cut), false);
}

/* The header in two pieces, the frame in two more (2.6.4: no framing). */
static const char *c_net_tx_split(void)
{
	static const uint32_t cut[] = { 5, 7, 20, ARP_LEN - 20 };

	make_packet(0, 0);
	return arp_exchange(cut, ARRAY_SIZE(cut), false);
}

static const char *c_net_tx_indirect(void)
{
	static const uint32_t cut[] = { NET_HDR_SIZE + 14, ARP_LEN - 14 };

	make_packet(0, 0);
	return arp_exchange(cut, ARRAY_SIZE(cut), true);
}

/* The reply into one chain, header alone, then 20 bytes, then the rest. */
static const char *rx_custom(const struct rxchain *c)
{
	const char *err;
	bool timeout;

	make_packet(0, 0);
	post_rx(c);
	err = transmit(std_cut, ARRAY_SIZE(std_cut), false);
	return err ?: await_reply(c, 1, false, WAIT_MS, &timeout);
}

static const char *c_net_rx_scatter(void)
{
	static const struct rxchain c = {
		8, false, 3,
		{ VH_INBUF + 0x4000, VH_INBUF + 0x5000, VH_INBUF + 0x6000 },
		{ NET_HDR_SIZE, 20, ETH_FRAME - 20 },
	};

	return rx_custom(&c);
}

static const char *c_net_rx_indirect(void)
{
	static const struct rxchain c = {
		12, true, 2,
		{ VH_INBUF + 0x4000, VH_INBUF + 0x5000 },
		{ NET_HDR_SIZE + 6, ETH_FRAME - 6 },
	};

	return rx_custom(&c);
}

/* NEEDS_CSUM without VIRTIO_NET_F_CSUM: ignored, the frame goes out. */
static const char *c_net_tx_needs_csum_unoffered(void)
{
	make_packet(1, 0);
	return arp_exchange(std_cut, ARRAY_SIZE(std_cut), false);
}

/* Segmentation without the feature: dropped, the chain back with len 0. */
static const char *c_net_tx_gso_unoffered(void)
{
	const char *err;

	post_std_rx();
	make_packet(0, NET_GSO_TCPV4);
	err = transmit(std_cut, ARRAY_SIZE(std_cut), false);
	return err ?: expect_no_reply();
}

/* The ARP request padded to MAX_FRAME + 1 bytes: dropped. */
static const char *c_net_tx_frame_too_long(void)
{
	struct vqueue *tq = &d->vq[NET_TXQ];
	uint32_t len;
	const char *err;

	post_std_rx();
	make_packet(0, 0);
	memset(phys(VH_BIG), 0, NET_HDR_SIZE + MAX_FRAME + 1);
	memcpy(phys(VH_BIG), pkt, PKT_LEN);
	set_desc(tq->desc, 0, VH_BIG, NET_HDR_SIZE + MAX_FRAME + 1, 0, 0);
	vd_submit(d, NET_TXQ, 0);
	err = vh_expect_used(d, NET_TXQ, 0, &len);
	if (!err && len)
		err = errf("used len %u, want 0", len);
	return err ?: expect_no_reply();
}

/* A header and no frame: nothing to send, but nothing wrong with the chain. */
static const char *c_net_tx_empty_frame(void)
{
	static const uint32_t cut[] = { NET_HDR_SIZE };

	make_packet(0, 0);
	return transmit(cut, ARRAY_SIZE(cut), false);
}

static const char *c_net_tx_short_header(void)
{
	struct vqueue *tq = &d->vq[NET_TXQ];

	make_packet(0, 0);
	memcpy(phys(VH_OUTBUF), pkt, NET_HDR_SIZE);
	set_desc(tq->desc, 0, VH_OUTBUF, NET_HDR_SIZE - 1, 0, 0);
	vd_submit(d, NET_TXQ, 0);
	return vh_expect_reset(d, NET_TXQ, true);
}

static const char *c_net_tx_all_zero_length(void)
{
	struct vqueue *tq = &d->vq[NET_TXQ];

	set_desc(tq->desc, 0, VH_OUTBUF, 0, DESC_F_NEXT, 1);
	set_desc(tq->desc, 1, VH_OUTBUF, 0, 0, 0);
	vd_submit(d, NET_TXQ, 0);
	return vh_expect_reset(d, NET_TXQ, true);
}

static const char *c_net_rx_short_header(void)
{
	struct vqueue *rq = &d->vq[NET_RXQ];

	set_desc(rq->desc, 0, VH_INBUF, NET_HDR_SIZE - 1, DESC_F_WRITE, 0);
	vd_submit(d, NET_RXQ, 0);
	return vh_expect_reset(d, NET_RXQ, true);
}

static const char *c_net_rx_all_zero_length(void)
{
	struct vqueue *rq = &d->vq[NET_RXQ];

	set_desc(rq->desc, 0, VH_INBUF, 0, DESC_F_WRITE | DESC_F_NEXT, 1);
	set_desc(rq->desc, 1, VH_INBUF, 0, DESC_F_WRITE, 0);
	vd_submit(d, NET_RXQ, 0);
	return vh_expect_reset(d, NET_RXQ, true);
}

/* ---- the table ----------------------------------------------------------- */

static const struct vtarget net_rx = { &vh_net, NET_RXQ, true, true, NULL };
static const struct vtarget net_tx = { &vh_net, NET_TXQ, false, true, fill_tx };

static const struct vcase net_cases[] = {
	{ "net-config", c_net_config, AFTER_SAME_QUEUE },
	{ "net-arp", c_net_arp, AFTER_SAME_QUEUE },
	{ "net-tx-split", c_net_tx_split, AFTER_SAME_QUEUE },
	{ "net-tx-indirect", c_net_tx_indirect, AFTER_SAME_QUEUE },
	{ "net-rx-scatter", c_net_rx_scatter, AFTER_SAME_QUEUE },
	{ "net-rx-indirect", c_net_rx_indirect, AFTER_SAME_QUEUE },
	{ "net-tx-needs-csum-unoffered", c_net_tx_needs_csum_unoffered, AFTER_SAME_QUEUE },
	{ "net-tx-gso-unoffered", c_net_tx_gso_unoffered, AFTER_SAME_QUEUE },
	{ "net-tx-frame-too-long", c_net_tx_frame_too_long, AFTER_SAME_QUEUE },
	{ "net-tx-empty-frame", c_net_tx_empty_frame, AFTER_SAME_QUEUE },

	{ "net-tx-short-header", c_net_tx_short_header, AFTER_RESET },
	{ "net-tx-all-zero-length", c_net_tx_all_zero_length, AFTER_RESET },
	ATTACK("net-tx-write-only-buffer", net_tx, A_WRONG_WAY, AFTER_RESET),
	ATTACK("net-tx-readable-then-writable", net_tx, A_READABLE_THEN_WRITABLE, AFTER_RESET),
	CHAIN_ATTACKS("net-tx", net_tx),
	RING_ATTACKS("net-tx", net_tx),

	{ "net-rx-short-header", c_net_rx_short_header, AFTER_RESET },
	{ "net-rx-all-zero-length", c_net_rx_all_zero_length, AFTER_RESET },
	ATTACK("net-rx-read-only-buffer", net_rx, A_WRONG_WAY, AFTER_RESET),
	ATTACK("net-rx-readable-then-writable", net_rx, A_READABLE_THEN_WRITABLE, AFTER_RESET),
	CHAIN_ATTACKS("net-rx", net_rx),
	RING_ATTACKS("net-rx", net_rx),
};

/* The follow-up: an ARP request goes out, the gateway's answer comes in. */
static const char *net_check(const struct vcase *c, unsigned int n)
{
	const char *err;

	(void)c;
	(void)n;
	make_packet(0, 0);
	err = arp_exchange(std_cut, ARRAY_SIZE(std_cut), false);
	return err ? errf("follow-up: %s", err) : NULL;
}

const struct vhdev vh_net = {
	.dev = &net_dev,
	.features = NET_FEATURES,
	.restart = true,
	.check = net_check,
	.cases = net_cases,
	.nr_cases = ARRAY_SIZE(net_cases),
};
