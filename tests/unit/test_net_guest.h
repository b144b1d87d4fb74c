/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake guest on a NAT NIC, for the net suites: it speaks to the NAT
 * through the virtio-net backend ops (as the device does), drives the
 * NAT's poll loop as the monitor's I/O thread would, builds Ethernet,
 * ARP, IPv4, UDP, TCP, DHCP and ICMPv6 frames with correct checksums,
 * parses what comes back, and answers ARP for its own address.
 */
#ifndef VIREO_TEST_NET_GUEST_H
#define VIREO_TEST_NET_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/nat.h"

#define TG_MAX_FRAME	2048
#define TG_INBOX	256

#define TG_IP(a, b, c, d) (((uint32_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10

struct tg_frame {
	size_t len;
	uint8_t data[TG_MAX_FRAME];
};

struct tguest {
	struct vireo_nat *nat;
	struct vireo_net_backend be;
	struct vireo_pollset ps;
	uint8_t mac[6];
	uint32_t ip;			/* host order: 10.0.2.15 */
	bool answer_arp;		/* reply to "who has ip" as a guest would */
	unsigned int arp_answered;
	unsigned int logs;		/* guest_error messages from libslirp */
	struct tg_frame inbox[TG_INBOX];	/* what arrived and nobody took yet */
	unsigned int n;
};

/* A parsed IPv4 TCP or UDP frame (host byte order). */
struct tg_pkt {
	uint8_t proto;			/* 6 TCP, 17 UDP, 1 ICMP */
	uint32_t src, dst;
	uint16_t sport, dport;
	uint32_t seq, ack;		/* TCP */
	uint8_t flags;			/* TCP */
	const uint8_t *payload;
	size_t payload_len;
};

/* The NAT with these forwards, and the guest.  0 or -errno (err says why). */
int tg_init(struct tguest *g, const struct vireo_hostfwd *fwd, unsigned int nfwd, GError **err);
void tg_fini(struct tguest *g);

/* The guest sends a frame (through the backend's send, as the device would). */
int tg_send(struct tguest *g, const void *frame, size_t len);

/* One round of the I/O loop (fill, poll up to wait_ms, dispatch), then collect frames. */
void tg_round(struct tguest *g, int wait_ms);

/*
 * Run rounds until a frame in the inbox satisfies match, for at most
 * timeout_ms: the frame, moved out of the inbox into *out, or false.
 */
bool tg_wait(struct tguest *g, bool (*match)(const struct tg_frame *f, void *arg), void *arg,
	     int timeout_ms, struct tg_frame *out);

/* Builders: each writes a whole frame into buf and returns its length. */
size_t tg_arp_request(const struct tguest *g, uint32_t target_ip, uint8_t *buf);
size_t tg_udp(const struct tguest *g, const uint8_t dst_mac[6], uint32_t src, uint32_t dst,
	      uint16_t sport, uint16_t dport, const void *payload, size_t len, uint8_t *buf);
size_t tg_tcp(const struct tguest *g, const uint8_t dst_mac[6], uint32_t dst, uint16_t sport,
	      uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, const void *payload,
	      size_t len, uint8_t *buf);
size_t tg_dhcp_discover(const struct tguest *g, uint32_t xid, uint8_t *buf);
size_t tg_router_solicit(const struct tguest *g, uint8_t *buf);

/* Parse an IPv4 TCP/UDP frame, checking the IP and transport checksums. */
bool tg_parse(const struct tg_frame *f, struct tg_pkt *p);

/* The MAC libslirp uses for its addresses: 52:55 + the IPv4 address. */
void tg_slirp_mac(uint32_t ip, uint8_t mac[6]);

/* A TCP or UDP port on 127.0.0.1 that was free a moment ago. */
uint16_t tg_free_port(int type);

#endif /* VIREO_TEST_NET_GUEST_H */
