// SPDX-License-Identifier: GPL-2.0
/*
 * The libslirp NAT with a fake guest (test_net_guest.h) on its backend:
 * DHCP, ARP, a guest TCP connection to a server on the host's loopback,
 * TCP and UDP port forwards into the guest, a port already taken, IPv6
 * router advertisements, hostile frames, both queues overflowing, and
 * the NAT thread apart from the guest's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vireo/error.h>

#include "test.h"
#include "test_net_guest.h"

#define GATEWAY TG_IP(10, 0, 2, 2)
#define DNS	TG_IP(10, 0, 2, 3)
#define GUEST	TG_IP(10, 0, 2, 15)
#define WAIT_MS 3000

static struct tguest g;
static GError *err;

static int tcp_listener(uint16_t *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 4) ||
	    getsockname(s, (struct sockaddr *)&a, &alen)) {
		if (s >= 0)
			close(s);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return s;
}

/* ---- matchers for tg_wait ---- */

static bool is_dhcp_reply(const struct tg_frame *f, void *arg)
{
	struct tg_pkt p;

	(void)arg;
	return tg_parse(f, &p) && p.proto == 17 && p.sport == 67 && p.dport == 68;
}

static bool is_arp_reply(const struct tg_frame *f, void *arg)
{
	(void)arg;
	return f->len >= 42 && f->data[12] == 0x08 && f->data[13] == 0x06 && f->data[20] == 0 &&
	       f->data[21] == 2;
}

struct tcp_want {
	uint16_t sport, dport;
	uint8_t flags, mask;
	size_t min_payload;
};

static bool is_tcp(const struct tg_frame *f, void *arg)
{
	const struct tcp_want *w = arg;
	struct tg_pkt p;

	return tg_parse(f, &p) && p.proto == 6 && p.sport == w->sport && p.dport == w->dport &&
	       (p.flags & w->mask) == w->flags && p.payload_len >= w->min_payload;
}

static bool is_udp_to(const struct tg_frame *f, void *arg)
{
	struct tg_pkt p;

	return tg_parse(f, &p) && p.proto == 17 && p.dport == *(uint16_t *)arg;
}

static bool is_router_advert(const struct tg_frame *f, void *arg)
{
	(void)arg;
	/* Ethernet, IPv6 (next header ICMPv6 at 14 + 6), type 134 at 14 + 40. */
	return f->len >= 14 + 40 + 16 && f->data[12] == 0x86 && f->data[13] == 0xdd &&
	       f->data[14 + 6] == 58 && f->data[14 + 40] == 134;
}

/* The DHCP option code in a BOOTP payload, or NULL. */
static const uint8_t *dhcp_option(const struct tg_pkt *p, uint8_t code)
{
	const uint8_t *o = p->payload + 240, *end = p->payload + p->payload_len;

	while (o < end && *o != 255) {
		if (*o == 0) {
			o++;
			continue;
		}
		if (o + 2 > end || o + 2 + o[1] > end)
			return NULL;
		if (*o == code)
			return o;
		o += 2 + o[1];
	}
	return NULL;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- tests ---- */

static void nat_dhcp_offer(void)
{
	uint8_t frame[TG_MAX_FRAME];
	struct tg_frame f;
	struct tg_pkt p;
	const uint8_t *o;

	T_EQ(tg_init(&g, NULL, 0, &err), 0);
	T_EQ(tg_send(&g, frame, tg_dhcp_discover(&g, 0x1234abcd, frame)), 0);
	T_TRUE(tg_wait(&g, is_dhcp_reply, NULL, WAIT_MS, &f));
	T_TRUE(tg_parse(&f, &p));
	T_TRUE(p.payload_len >= 244);
	T_EQ(p.payload[0], 2);				/* BOOTREPLY */
	T_EQ(be32(p.payload + 4), 0x1234abcd);		/* our xid */
	T_EQ(be32(p.payload + 16), GUEST);		/* yiaddr 10.0.2.15 */
	T_TRUE(!memcmp(p.payload + 28, g.mac, 6));
	T_EQ(be32(p.payload + 236), 0x63825363);
	T_TRUE((o = dhcp_option(&p, 53)) && o[1] == 1 && o[2] == 2);	/* DHCPOFFER */
	T_TRUE((o = dhcp_option(&p, 1)) && o[1] == 4 && be32(o + 2) == 0xffffff00);
	T_TRUE((o = dhcp_option(&p, 3)) && o[1] == 4 && be32(o + 2) == GATEWAY);
	T_TRUE((o = dhcp_option(&p, 6)) && o[1] == 4 && be32(o + 2) == DNS);
	T_TRUE((o = dhcp_option(&p, 54)) && o[1] == 4 && be32(o + 2) == GATEWAY);
	tg_fini(&g);
}

static void nat_arp(void)
{
	uint8_t frame[64], slirp_mac[6];
	struct tg_frame f;

	T_EQ(tg_init(&g, NULL, 0, &err), 0);
	/* The gateway answers, from 52:55 + its address, to our MAC. */
	T_EQ(tg_send(&g, frame, tg_arp_request(&g, GATEWAY, frame)), 0);
	T_TRUE(tg_wait(&g, is_arp_reply, NULL, WAIT_MS, &f));
	tg_slirp_mac(GATEWAY, slirp_mac);
	T_TRUE(!memcmp(f.data, g.mac, 6));			/* Ethernet destination */
	T_TRUE(!memcmp(f.data + 22, slirp_mac, 6));		/* sender MAC */
	T_EQ(be32(f.data + 28), GATEWAY);			/* sender IP */
	T_TRUE(!memcmp(f.data + 32, g.mac, 6));			/* target MAC */
	T_EQ(be32(f.data + 38), GUEST);				/* target IP */
	/* So does the DNS server. */
	T_EQ(tg_send(&g, frame, tg_arp_request(&g, DNS, frame)), 0);
	T_TRUE(tg_wait(&g, is_arp_reply, NULL, WAIT_MS, &f));
	T_EQ(be32(f.data + 28), DNS);
	/* Nobody else lives on the network. */
	T_EQ(tg_send(&g, frame, tg_arp_request(&g, TG_IP(10, 0, 2, 77), frame)), 0);
	T_TRUE(!tg_wait(&g, is_arp_reply, NULL, 200, NULL));
	tg_fini(&g);
}

/*
 * The guest connects to 10.0.2.2:port, which libslirp maps to the
 * host's 127.0.0.1:port, where this test listens; bytes go both ways.
 */
static void nat_tcp_to_host(void)
{
	static const char ping[] = "ping from the guest", pong[] = "pong from the host";
	uint8_t frame[TG_MAX_FRAME], gw_mac[6];
	struct tcp_want w;
	struct tg_frame f;
	struct tg_pkt p;
	uint16_t port;
	uint32_t gseq = 1000, hseq;
	char buf[64];
	int ls, cs = -1;
	ssize_t n = -1;

	T_EQ(tg_init(&g, NULL, 0, &err), 0);
	ls = tcp_listener(&port);
	T_TRUE(ls >= 0);
	tg_slirp_mac(GATEWAY, gw_mac);
	g.answer_arp = true;

	/* A guest resolves its gateway first, which also tells libslirp our MAC. */
	tg_send(&g, frame, tg_arp_request(&g, GATEWAY, frame));
	T_TRUE(tg_wait(&g, is_arp_reply, NULL, WAIT_MS, NULL));

	tg_send(&g, frame, tg_tcp(&g, gw_mac, GATEWAY, 40000, port, gseq, 0, TCP_SYN, NULL, 0,
				  frame));
	w = (struct tcp_want){ port, 40000, TCP_SYN | TCP_ACK, TCP_SYN | TCP_ACK | TCP_RST, 0 };
	T_TRUE(tg_wait(&g, is_tcp, &w, WAIT_MS, &f));
	T_TRUE(tg_parse(&f, &p));
	T_EQ(p.src, GATEWAY);
	T_EQ(p.dst, GUEST);
	T_EQ(p.ack, gseq + 1);
	hseq = p.seq + 1;
	gseq++;

	/* The host side has its connection. */
	for (int i = 0; i < 100 && cs < 0; i++) {
		cs = accept(ls, NULL, NULL);
		if (cs < 0)
			tg_round(&g, 10);
	}
	T_TRUE(cs >= 0);

	/* Guest → host. */
	tg_send(&g, frame, tg_tcp(&g, gw_mac, GATEWAY, 40000, port, gseq, hseq, TCP_ACK, NULL, 0,
				  frame));
	tg_send(&g, frame, tg_tcp(&g, gw_mac, GATEWAY, 40000, port, gseq, hseq, TCP_ACK | TCP_PSH,
				  ping, sizeof(ping), frame));
	gseq += sizeof(ping);
	for (int i = 0; i < 200 && n < 0; i++) {
		n = recv(cs, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0)
			tg_round(&g, 10);
	}
	T_EQ(n, sizeof(ping));
	T_TRUE(!memcmp(buf, ping, sizeof(ping)));

	/* Host → guest. */
	T_EQ(send(cs, pong, sizeof(pong), 0), sizeof(pong));
	w = (struct tcp_want){ port, 40000, TCP_ACK, TCP_ACK | TCP_SYN | TCP_RST, sizeof(pong) };
	T_TRUE(tg_wait(&g, is_tcp, &w, WAIT_MS, &f));
	T_TRUE(tg_parse(&f, &p));
	T_EQ(p.seq, hseq);
	T_EQ(p.ack, gseq);
	T_EQ(p.payload_len, sizeof(pong));
	T_TRUE(!memcmp(p.payload, pong, sizeof(pong)));
	tg_send(&g, frame, tg_tcp(&g, gw_mac, GATEWAY, 40000, port, gseq, hseq + sizeof(pong),
				  TCP_ACK, NULL, 0, frame));
	tg_round(&g, 0);
	T_EQ(g.logs, 0);
	close(cs);
	close(ls);
	tg_fini(&g);
}

/*
 * hostfwd=tcp:127.0.0.1:P-:2222: a host client's connection arrives in
 * the guest as a SYN to 10.0.2.15:2222; after the guest's handshake,
 * bytes go both ways.
 */
static void nat_hostfwd_tcp(void)
{
	static const char hello_guest[] = "hello guest", hello_host[] = "hello host";
	struct vireo_hostfwd fwd;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	uint8_t frame[TG_MAX_FRAME], gw_mac[6];
	char rule[64], buf[64];
	struct tcp_want w;
	struct tg_frame f;
	struct tg_pkt p;
	uint32_t gseq = 5000, hseq;
	uint16_t port = tg_free_port(SOCK_STREAM), sport;
	ssize_t n = -1;
	int cs;

	T_TRUE(port != 0);
	snprintf(rule, sizeof(rule), "tcp:127.0.0.1:%u-:2222", port);
	T_EQ(vireo_net_hostfwd_parse(rule, &fwd, &err), 0);
	T_EQ(tg_init(&g, &fwd, 1, &err), 0);
	g.answer_arp = true;	/* libslirp has not met the guest: it asks who 10.0.2.15 is */
	tg_slirp_mac(GATEWAY, gw_mac);

	cs = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	T_TRUE(cs >= 0);
	a.sin_port = htons(port);
	T_TRUE(!connect(cs, (struct sockaddr *)&a, sizeof(a)) || errno == EINPROGRESS);

	w = (struct tcp_want){ 0, 2222, TCP_SYN, TCP_SYN | TCP_ACK | TCP_RST, 0 };
	/* Any source port: match on the destination, then learn the source. */
	for (int i = 0; i < WAIT_MS / 20; i++) {
		tg_round(&g, 20);
		for (unsigned int j = 0; j < g.n; j++)
			if (tg_parse(&g.inbox[j], &p) && p.proto == 6 && p.dport == 2222)
				w.sport = p.sport;
		if (w.sport)
			break;
	}
	T_TRUE(w.sport != 0);
	T_TRUE(tg_wait(&g, is_tcp, &w, WAIT_MS, &f));
	T_TRUE(tg_parse(&f, &p));
	T_EQ(p.dst, GUEST);
	T_EQ(p.src, GATEWAY);		/* the host's loopback, as the guest sees it */
	T_TRUE(g.arp_answered >= 1);
	sport = p.sport;
	hseq = p.seq + 1;

	/* The guest accepts: SYN-ACK; the host already sent its greeting. */
	T_EQ(send(cs, hello_guest, sizeof(hello_guest), 0), sizeof(hello_guest));
	tg_send(&g, frame, tg_tcp(&g, gw_mac, GATEWAY, 2222, sport, gseq, hseq, TCP_SYN | TCP_ACK,
				  NULL, 0, frame));
	gseq++;
	w = (struct tcp_want){ sport, 2222, TCP_ACK, TCP_ACK | TCP_SYN | TCP_RST,
			       sizeof(hello_guest) };
	T_TRUE(tg_wait(&g, is_tcp, &w, WAIT_MS, &f));
	T_TRUE(tg_parse(&f, &p));
	T_EQ(p.payload_len, sizeof(hello_guest));
	T_TRUE(!memcmp(p.payload, hello_guest, sizeof(hello_guest)));
	hseq += sizeof(hello_guest);

	tg_send(&g, frame, tg_tcp(&g, gw_mac, GATEWAY, 2222, sport, gseq, hseq,
				  TCP_ACK | TCP_PSH, hello_host, sizeof(hello_host), frame));
	for (int i = 0; i < 200 && n < 0; i++) {
		n = recv(cs, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0)
			tg_round(&g, 10);
	}
	T_EQ(n, sizeof(hello_host));
	T_TRUE(!memcmp(buf, hello_host, sizeof(hello_host)));
	close(cs);
	tg_fini(&g);
}

static void nat_hostfwd_udp(void)
{
	static const char dgram[] = "udp into the guest";
	struct vireo_hostfwd fwd;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	uint16_t port = tg_free_port(SOCK_DGRAM), gport = 5353;
	char rule[64];
	struct tg_frame f;
	struct tg_pkt p;
	int s;

	T_TRUE(port != 0);
	snprintf(rule, sizeof(rule), "udp::%u-10.0.2.15:%u", port, gport);
	T_EQ(vireo_net_hostfwd_parse(rule, &fwd, &err), 0);
	T_EQ(tg_init(&g, &fwd, 1, &err), 0);
	g.answer_arp = true;
	s = socket(AF_INET, SOCK_DGRAM, 0);
	T_TRUE(s >= 0);
	a.sin_port = htons(port);
	T_EQ(sendto(s, dgram, sizeof(dgram), 0, (struct sockaddr *)&a, sizeof(a)), sizeof(dgram));
	T_TRUE(tg_wait(&g, is_udp_to, &gport, WAIT_MS, &f));
	T_TRUE(tg_parse(&f, &p));
	T_EQ(p.dst, GUEST);
	T_EQ(p.payload_len, sizeof(dgram));
	T_TRUE(!memcmp(p.payload, dgram, sizeof(dgram)));
	close(s);
	tg_fini(&g);
}

/* A host port someone else holds: refused, naming the rule and the reason. */
static void nat_hostfwd_port_taken(void)
{
	struct vireo_hostfwd fwd[2];
	struct vireo_nat *nat = NULL;
	struct vireo_nat_config cfg = { .hostfwd = fwd, .nr_hostfwd = 2 };
	uint16_t port;
	char rule[64];
	int ls = tcp_listener(&port);

	T_TRUE(ls >= 0);
	T_EQ(vireo_net_hostfwd_parse("tcp::0-:1", fwd, &err), -EINVAL);
	T_EQ(vireo_net_hostfwd_parse("udp::9-:9", &fwd[0], &err), 0);
	fwd[0].host_port = tg_free_port(SOCK_DGRAM);
	snprintf(rule, sizeof(rule), "tcp:127.0.0.1:%u-:22", port);
	T_EQ(vireo_net_hostfwd_parse(rule, &fwd[1], &err), 0);
	/* The message names the rule in full, as vireo_net_hostfwd_format() writes it. */
	snprintf(rule, sizeof(rule), "hostfwd \"tcp:127.0.0.1:%u-10.0.2.15:22\": cannot listen", port);
	g_clear_error(&err);
	T_EQ(vireo_nat_create(&nat, &cfg, &err), -EADDRINUSE);
	T_TRUE(nat == NULL);
	T_STR_CONTAINS(ERRMSG(err), rule);
	T_STR_CONTAINS(ERRMSG(err), "Address already in use");
	close(ls);

	/* Freed, the port can be had; at runtime too, and removed again. */
	T_EQ(vireo_nat_create(&nat, &cfg, &err), 0);
	T_EQ(vireo_nat_hostfwd_remove(nat, &fwd[1]), 0);
	T_EQ(vireo_nat_hostfwd_remove(nat, &fwd[1]), -ENOENT);
	T_EQ(vireo_nat_hostfwd_add(nat, &fwd[1], &err), 0);
	T_TRUE(vireo_nat_hostfwd_add(nat, &fwd[1], &err) < 0);
	T_STR_CONTAINS(ERRMSG(err), rule);
	vireo_nat_destroy(nat);
}

/* IPv6: a Router Solicitation is answered with an advertisement of fec0::/64. */
static void nat_ipv6_router_advert(void)
{
	static const uint8_t prefix[8] = { 0xfe, 0xc0 };
	uint8_t frame[TG_MAX_FRAME];
	struct tg_frame f;
	const uint8_t *o, *end;
	bool found = false;

	T_EQ(tg_init(&g, NULL, 0, &err), 0);
	/* libslirp's advertisement timer is armed: the loop must not sleep forever. */
	vireo_pollset_reset(&g.ps, -1);
	T_EQ(vireo_nat_poll_fill(g.nat, &g.ps), 0);
	T_TRUE(g.ps.timeout_ms >= 0);
	vireo_nat_poll_dispatch(g.nat, &g.ps, true);

	T_EQ(tg_send(&g, frame, tg_router_solicit(&g, frame)), 0);
	T_TRUE(tg_wait(&g, is_router_advert, NULL, WAIT_MS, &f));
	/* Options after the 16-byte RA header: find the prefix information (3). */
	o = f.data + 14 + 40 + 16;
	end = f.data + f.len;
	while (o + 2 <= end && o[1] && o + o[1] * 8 <= end) {
		if (o[0] == 3 && o[1] == 4 && o[2] == 64 && !memcmp(o + 16, prefix, 8))
			found = true;
		o += o[1] * 8;
	}
	T_TRUE(found);
	tg_fini(&g);
}

/*
 * Whatever the guest sends (runts, truncated headers, lies in length
 * fields, a jumbo frame, noise), the NAT survives and still answers.
 */
static void nat_hostile_frames(void)
{
	uint8_t frame[TG_MAX_FRAME];
	static uint8_t big[65550];
	uint32_t seed = 12345;
	size_t len;

	T_EQ(tg_init(&g, NULL, 0, &err), 0);
	tg_send(&g, frame, 1);
	tg_send(&g, frame, 0);
	len = tg_arp_request(&g, GATEWAY, frame);
	for (size_t cut = 13; cut < len; cut += 3)
		tg_send(&g, frame, cut);
	len = tg_dhcp_discover(&g, 1, frame);
	for (size_t cut = 14; cut < len; cut += 7)
		tg_send(&g, frame, cut);
	/* IPv4 total length larger than the frame, and smaller than the header. */
	frame[14 + 2] = 0xff;
	tg_send(&g, frame, len);
	frame[14 + 2] = 0;
	frame[14 + 3] = 4;
	tg_send(&g, frame, len);
	/* Header length 60 in a short packet, and 0. */
	len = tg_udp(&g, frame, GUEST, DNS, 1000, 53, "x", 1, frame);
	frame[14] = 0x4f;
	tg_send(&g, frame, len);
	frame[14] = 0x40;
	tg_send(&g, frame, len);
	memset(big, 0, sizeof(big));
	tg_send(&g, big, tg_udp(&g, frame, GUEST, DNS, 1000, 53, "x", 1, big) + 60000);
	for (int i = 0; i < 300; i++) {
		size_t n = 14 + (seed % 1500);

		for (size_t j = 0; j < n; j++) {
			seed = seed * 1103515245 + 12345;
			frame[j] = (uint8_t)(seed >> 16);
		}
		/* Half of them as IPv4 or ARP, so they get past the Ethernet switch. */
		if (i & 1) {
			frame[12] = 0x08;
			frame[13] = (i & 2) ? 0x06 : 0x00;
		}
		tg_send(&g, frame, n);
		if (i % 64 == 0)
			tg_round(&g, 0);
	}
	for (int i = 0; i < 5; i++)
		tg_round(&g, 0);
	g.n = 0;
	tg_send(&g, frame, tg_arp_request(&g, GATEWAY, frame));
	T_TRUE(tg_wait(&g, is_arp_reply, NULL, WAIT_MS, NULL));
	tg_fini(&g);
}

/*
 * A guest sending faster than the NAT thread runs: the queue holds
 * VIREO_NAT_TX_FRAMES, refuses the rest (the device counts them as
 * dropped), and the batch per dispatch is bounded.  A guest not taking
 * frames: the queue to it holds VIREO_NAT_RX_FRAMES, the rest is dropped.
 */
static void nat_queues_overflow(void)
{
	uint8_t frame[64];
	size_t len;
	struct vireo_nat_stats st;
	unsigned int refused = 0;

	T_EQ(tg_init(&g, NULL, 0, &err), 0);
	len = tg_arp_request(&g, GATEWAY, frame);
	for (unsigned int i = 0; i < VIREO_NAT_TX_FRAMES + 10; i++)
		if (tg_send(&g, frame, len) == -ENOBUFS)
			refused++;
	T_EQ(refused, 10);
	vireo_nat_stats(g.nat, &st);
	T_EQ(st.from_guest, VIREO_NAT_TX_FRAMES);
	T_EQ(st.from_guest_dropped, 10);

	/* Dispatch without taking the replies: one batch at a time reaches libslirp. */
	vireo_pollset_reset(&g.ps, 0);
	vireo_nat_poll_fill(g.nat, &g.ps);
	poll(g.ps.fds, g.ps.n, 0);
	vireo_nat_poll_dispatch(g.nat, &g.ps, false);
	vireo_nat_stats(g.nat, &st);
	T_EQ(st.to_guest, VIREO_NAT_TX_BATCH);

	/* Keep the guest deaf until the queue to it is full. */
	while (st.to_guest + st.to_guest_dropped < VIREO_NAT_RX_FRAMES + 100) {
		for (unsigned int i = 0; i < VIREO_NAT_TX_BATCH; i++)
			tg_send(&g, frame, len);
		vireo_pollset_reset(&g.ps, 0);
		vireo_nat_poll_fill(g.nat, &g.ps);
		poll(g.ps.fds, g.ps.n, 0);
		vireo_nat_poll_dispatch(g.nat, &g.ps, false);
		vireo_nat_stats(g.nat, &st);
	}
	T_EQ(st.to_guest, VIREO_NAT_RX_FRAMES);
	T_TRUE(st.to_guest_dropped >= 100);

	/* The backend fd stays readable while frames wait, and all of them come out. */
	{
		struct pollfd pfd = { .fd = g.be.ops->fd(g.be.opaque), .events = POLLIN };
		unsigned int got = 0;

		T_EQ(poll(&pfd, 1, 0), 1);
		for (;;) {
			uint8_t buf[128];
			struct iovec iov = { buf, sizeof(buf) };

			if (g.be.ops->recv(g.be.opaque, &iov, 1) < 0)
				break;
			got++;
		}
		T_EQ(got, VIREO_NAT_RX_FRAMES);
		T_EQ(poll(&pfd, 1, 0), 0);
	}
	tg_fini(&g);
}

/*
 * The threading contract: the NAT thread runs the loop alone while a
 * "vCPU" thread sends and receives through the backend ops.  Every
 * request gets its reply, so no frame is lost between the threads and the
 * NAT thread wakes for frames queued from elsewhere.
 */
struct nat_thread {
	struct vireo_nat *nat;
	int stop;		/* eventfd: leave the loop */
	unsigned int rounds;
};

static void *nat_thread_fn(void *arg)
{
	struct nat_thread *t = arg;
	struct vireo_pollset ps;

	vireo_pollset_init(&ps);
	for (;;) {
		int stop, r;

		vireo_pollset_reset(&ps, -1);
		stop = vireo_pollset_add(&ps, t->stop, POLLIN);
		vireo_nat_poll_fill(t->nat, &ps);
		r = poll(ps.fds, ps.n, ps.timeout_ms);
		vireo_nat_poll_dispatch(t->nat, &ps, r < 0);
		t->rounds++;
		if (vireo_pollset_revents(&ps, stop) & POLLIN)
			break;
	}
	vireo_pollset_fini(&ps);
	return NULL;
}

static void nat_threads(void)
{
	enum { TOTAL = 5000, WINDOW = 64 };
	struct nat_thread t;
	pthread_t th;
	uint8_t frame[64], buf[128];
	size_t len;
	unsigned int sent = 0, replies = 0;
	struct pollfd pfd;
	uint64_t one = 1;
	struct vireo_nat_stats st;

	T_EQ(tg_init(&g, NULL, 0, &err), 0);
	t.nat = g.nat;
	t.rounds = 0;
	t.stop = eventfd(0, EFD_CLOEXEC);
	T_TRUE(t.stop >= 0);
	T_EQ(pthread_create(&th, NULL, nat_thread_fn, &t), 0);
	len = tg_arp_request(&g, GATEWAY, frame);
	pfd = (struct pollfd){ .fd = g.be.ops->fd(g.be.opaque), .events = POLLIN };
	while (replies < TOTAL) {
		while (sent < TOTAL && sent - replies < WINDOW && !tg_send(&g, frame, len))
			sent++;
		if (poll(&pfd, 1, 2000) != 1)
			break;
		for (;;) {
			struct iovec iov = { buf, sizeof(buf) };

			if (g.be.ops->recv(g.be.opaque, &iov, 1) < 0)
				break;
			replies++;
		}
	}
	T_EQ(write(t.stop, &one, sizeof(one)), sizeof(one));
	pthread_join(th, NULL);
	close(t.stop);
	T_EQ(replies, TOTAL);
	vireo_nat_stats(g.nat, &st);
	T_EQ(st.from_guest_dropped, 0);
	T_EQ(st.to_guest_dropped, 0);
	tg_fini(&g);
}

static const struct vireo_test vireo_tests_net_nat[] = {
	VIREO_TEST(nat_dhcp_offer),
	VIREO_TEST(nat_arp),
	VIREO_TEST(nat_tcp_to_host),
	VIREO_TEST(nat_hostfwd_tcp),
	VIREO_TEST(nat_hostfwd_udp),
	VIREO_TEST(nat_hostfwd_port_taken),
	VIREO_TEST(nat_ipv6_router_advert),
	VIREO_TEST(nat_hostile_frames),
	VIREO_TEST(nat_queues_overflow),
	VIREO_TEST(nat_threads),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(net_nat, vireo_tests_net_nat);
