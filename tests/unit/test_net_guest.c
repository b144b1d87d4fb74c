// SPDX-License-Identifier: GPL-2.0
/* The fake guest of the net suites (test_net_guest.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "test_net_guest.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* The Internet checksum's running sum over len bytes (RFC 1071). */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void log_cb(void *opaque, const char *msg)
{
	struct tguest *g = opaque;

	(void)msg;
	g->logs++;
}

int tg_init(struct tguest *g, const struct vireo_hostfwd *fwd, unsigned int nfwd, GError **err)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	struct vireo_nat_config cfg = { .hostfwd = fwd, .nr_hostfwd = nfwd, .ipv6 = true };
	int r;

	memset(g, 0, sizeof(*g));
	memcpy(g->mac, mac, 6);
	g->ip = TG_IP(10, 0, 2, 15);
	vireo_pollset_init(&g->ps);
	r = vireo_nat_create(&g->nat, &cfg, err);
	if (r)
		return r;
	vireo_nat_set_log(g->nat, log_cb, g);
	vireo_nat_backend(g->nat, &g->be);
	return 0;
}

void tg_fini(struct tguest *g)
{
	if (g->nat)
		g->be.ops->close(g->be.opaque);
	g->nat = NULL;
	vireo_pollset_fini(&g->ps);
}

int tg_send(struct tguest *g, const void *frame, size_t len)
{
	struct iovec iov = { (void *)frame, len };

	return g->be.ops->send(g->be.opaque, &iov, 1);
}

/* Answer "who has g->ip" (a guest's ARP layer); true if f was one. */
static bool answer_arp(struct tguest *g, const struct tg_frame *f)
{
	const uint8_t *a = f->data + 14;
	uint8_t r[42];

	if (f->len < 42 || get16(f->data + 12) != 0x0806 || get16(a + 6) != 1 ||
	    get32(a + 24) != g->ip)
		return false;
	memcpy(r, a + 8, 6);			/* to the asker */
	memcpy(r + 6, g->mac, 6);
	put16(r + 12, 0x0806);
	put16(r + 14, 1);
	put16(r + 16, 0x0800);
	r[18] = 6;
	r[19] = 4;
	put16(r + 20, 2);			/* reply */
	memcpy(r + 22, g->mac, 6);
	put32(r + 28, g->ip);
	memcpy(r + 32, a + 8, 6);
	memcpy(r + 38, a + 14, 4);
	tg_send(g, r, sizeof(r));
	g->arp_answered++;
	return true;
}

void tg_round(struct tguest *g, int wait_ms)
{
	int r;

	vireo_pollset_reset(&g->ps, wait_ms);
	vireo_nat_poll_fill(g->nat, &g->ps);
	r = poll(g->ps.fds, g->ps.n, g->ps.timeout_ms);
	vireo_nat_poll_dispatch(g->nat, &g->ps, r < 0);
	for (;;) {
		struct tg_frame f;
		struct iovec iov = { f.data, sizeof(f.data) };
		ssize_t len = g->be.ops->recv(g->be.opaque, &iov, 1);

		if (len < 0)
			break;
		f.len = (size_t)len;
		if (g->answer_arp && answer_arp(g, &f))
			continue;
		if (g->n < TG_INBOX)
			g->inbox[g->n++] = f;
	}
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool tg_wait(struct tguest *g, bool (*match)(const struct tg_frame *f, void *arg), void *arg,
	     int timeout_ms, struct tg_frame *out)
{
	int64_t end = now_ms() + timeout_ms;

	for (;;) {
		for (unsigned int i = 0; i < g->n; i++) {
			if (!match(&g->inbox[i], arg))
				continue;
			if (out)
				*out = g->inbox[i];
			memmove(&g->inbox[i], &g->inbox[i + 1], (g->n - i - 1) * sizeof(g->inbox[0]));
			g->n--;
			return true;
		}
		if (now_ms() >= end)
			return false;
		tg_round(g, 20);
	}
}

static size_t eth(const uint8_t dst[6], const uint8_t src[6], uint16_t type, uint8_t *buf)
{
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	put16(buf + 12, type);
	return 14;
}

size_t tg_arp_request(const struct tguest *g, uint32_t target_ip, uint8_t *buf)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t *a = buf + eth(bcast, g->mac, 0x0806, buf);

	put16(a, 1);
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, 1);
	memcpy(a + 8, g->mac, 6);
	put32(a + 14, g->ip);
	memset(a + 18, 0, 6);
	put32(a + 24, target_ip);
	return 42;
}

/* IPv4 header at ip for a payload of len bytes; returns 20. */
static size_t ipv4(uint8_t *ip, uint8_t proto, uint32_t src, uint32_t dst, size_t len)
{
	static uint16_t id = 1;

	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + len));
	put16(ip + 4, id++);
	put16(ip + 6, 0x4000);		/* DF */
	ip[8] = 64;
	ip[9] = proto;
	put32(ip + 12, src);
	put32(ip + 16, dst);
	put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
	return 20;
}

/* The IPv4 pseudo-header's sum (RFC 793, 768). */
static uint32_t pseudo4(uint32_t src, uint32_t dst, uint8_t proto, size_t len)
{
	uint8_t ph[12];

	put32(ph, src);
	put32(ph + 4, dst);
	ph[8] = 0;
	ph[9] = proto;
	put16(ph + 10, (uint16_t)len);
	return csum_add(0, ph, 12);
}

size_t tg_udp(const struct tguest *g, const uint8_t dst_mac[6], uint32_t src, uint32_t dst,
	      uint16_t sport, uint16_t dport, const void *payload, size_t len, uint8_t *buf)
{
	size_t off = eth(dst_mac, g->mac, 0x0800, buf);
	uint8_t *u;
	uint16_t sum;

	off += ipv4(buf + off, 17, src, dst, 8 + len);
	u = buf + off;
	put16(u, sport);
	put16(u + 2, dport);
	put16(u + 4, (uint16_t)(8 + len));
	put16(u + 6, 0);
	memcpy(u + 8, payload, len);
	sum = csum_fold(csum_add(pseudo4(src, dst, 17, 8 + len), u, 8 + len));
	put16(u + 6, sum ? sum : 0xffff);
	return off + 8 + len;
}

size_t tg_tcp(const struct tguest *g, const uint8_t dst_mac[6], uint32_t dst, uint16_t sport,
	      uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, const void *payload,
	      size_t len, uint8_t *buf)
{
	size_t off = eth(dst_mac, g->mac, 0x0800, buf);
	size_t hlen = (flags & TCP_SYN) ? 24 : 20;	/* a SYN carries MSS */
	uint8_t *t;

	off += ipv4(buf + off, 6, g->ip, dst, hlen + len);
	t = buf + off;
	memset(t, 0, hlen);
	put16(t, sport);
	put16(t + 2, dport);
	put32(t + 4, seq);
	put32(t + 8, ack);
	t[12] = (uint8_t)((hlen / 4) << 4);
	t[13] = flags;
	put16(t + 14, 65535);
	if (hlen == 24) {
		t[20] = 2;			/* MSS 1460 */
		t[21] = 4;
		put16(t + 22, 1460);
	}
	if (len)
		memcpy(t + hlen, payload, len);
	put16(t + 16, csum_fold(csum_add(pseudo4(g->ip, dst, 6, hlen + len), t, hlen + len)));
	return off + hlen + len;
}

size_t tg_dhcp_discover(const struct tguest *g, uint32_t xid, uint8_t *buf)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t b[300];
	uint8_t *o = b + 240;

	/* BOOTP (RFC 951) with DHCP options (RFC 2131/2132), as a client starts. */
	memset(b, 0, sizeof(b));
	b[0] = 1;				/* BOOTREQUEST */
	b[1] = 1;				/* Ethernet */
	b[2] = 6;
	put32(b + 4, xid);
	put16(b + 10, 0x8000);			/* broadcast reply */
	memcpy(b + 28, g->mac, 6);
	put32(b + 236, 0x63825363);		/* magic cookie */
	*o++ = 53, *o++ = 1, *o++ = 1;		/* DHCPDISCOVER */
	*o++ = 55, *o++ = 3, *o++ = 1, *o++ = 3, *o++ = 6;	/* mask, router, DNS */
	*o++ = 255;
	return tg_udp(g, bcast, 0, 0xffffffff, 68, 67, b, sizeof(b), buf);
}

size_t tg_router_solicit(const struct tguest *g, uint8_t *buf)
{
	static const uint8_t all_routers_mac[6] = { 0x33, 0x33, 0, 0, 0, 2 };
	uint8_t *ip6, *icmp, ph[40];
	uint32_t sum;
	size_t off = eth(all_routers_mac, g->mac, 0x86dd, buf);

	/* IPv6 header: fe80::5054:ff:fe12:3456 → ff02::2, ICMPv6, hop limit 255. */
	ip6 = buf + off;
	memset(ip6, 0, 40);
	ip6[0] = 0x60;
	put16(ip6 + 4, 16);
	ip6[6] = 58;
	ip6[7] = 255;
	ip6[8] = 0xfe;
	ip6[9] = 0x80;
	ip6[16] = g->mac[0] ^ 2;
	ip6[17] = g->mac[1];
	ip6[18] = g->mac[2];
	ip6[19] = 0xff;
	ip6[20] = 0xfe;
	memcpy(ip6 + 21, g->mac + 3, 3);
	ip6[24] = 0xff;
	ip6[25] = 0x02;
	ip6[39] = 2;
	/* Router Solicitation (RFC 4861 4.1) with the source link-layer address. */
	icmp = ip6 + 40;
	memset(icmp, 0, 16);
	icmp[0] = 133;
	icmp[8] = 1;
	icmp[9] = 1;
	memcpy(icmp + 10, g->mac, 6);
	/* Pseudo-header (RFC 8200 8.1): addresses, length, next header. */
	memcpy(ph, ip6 + 8, 32);
	put32(ph + 32, 16);
	put32(ph + 36, 58);
	sum = csum_add(csum_add(0, ph, 40), icmp, 16);
	put16(icmp + 2, csum_fold(sum));
	return off + 40 + 16;
}

bool tg_parse(const struct tg_frame *f, struct tg_pkt *p)
{
	const uint8_t *ip = f->data + 14, *l4;
	size_t ihl, tot, l4len;

	memset(p, 0, sizeof(*p));
	if (f->len < 34 || get16(f->data + 12) != 0x0800 || (ip[0] >> 4) != 4)
		return false;
	ihl = (size_t)(ip[0] & 15) * 4;
	tot = get16(ip + 2);
	if (ihl < 20 || tot < ihl || 14 + tot > f->len || csum_fold(csum_add(0, ip, ihl)))
		return false;
	p->proto = ip[9];
	p->src = get32(ip + 12);
	p->dst = get32(ip + 16);
	l4 = ip + ihl;
	l4len = tot - ihl;
	if (p->proto == 6) {
		size_t doff;

		if (l4len < 20 || csum_fold(csum_add(pseudo4(p->src, p->dst, 6, l4len), l4, l4len)))
			return false;
		doff = (size_t)(l4[12] >> 4) * 4;
		if (doff < 20 || doff > l4len)
			return false;
		p->seq = get32(l4 + 4);
		p->ack = get32(l4 + 8);
		p->flags = l4[13];
		p->payload = l4 + doff;
		p->payload_len = l4len - doff;
	} else if (p->proto == 17) {
		if (l4len < 8 || get16(l4 + 4) != l4len ||
		    (get16(l4 + 6) &&
		     csum_fold(csum_add(pseudo4(p->src, p->dst, 17, l4len), l4, l4len))))
			return false;
		p->payload = l4 + 8;
		p->payload_len = l4len - 8;
	} else {
		p->payload = l4;
		p->payload_len = l4len;
		return true;
	}
	p->sport = get16(l4);
	p->dport = get16(l4 + 2);
	return true;
}

void tg_slirp_mac(uint32_t ip, uint8_t mac[6])
{
	mac[0] = 0x52;
	mac[1] = 0x55;
	put32(mac + 2, ip);
}

uint16_t tg_free_port(int type)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int s = socket(AF_INET, type, 0);
	uint16_t port = 0;

	if (s < 0)
		return 0;
	if (!bind(s, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(s, (struct sockaddr *)&a, &alen))
		port = ntohs(a.sin_port);
	close(s);
	return port;
}
