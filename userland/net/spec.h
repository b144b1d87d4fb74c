/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The text form of a NIC: vireo-run's --net argument and the host → guest
 * port-forwarding rules in it.  Parsing only; net/open.h turns a parsed
 * spec into a virtio-net backend.
 *
 *   --net nat[,mac=XX:XX:XX:XX:XX:XX][,hostfwd=RULE]...
 *   --net tap,ifname=NAME[,mac=XX:XX:XX:XX:XX:XX]
 *
 *   RULE = [tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT
 *
 * QEMU's hostfwd spelling, which libslirp users know, with one deliberate
 * difference: an empty HOSTADDR is 127.0.0.1, not every interface, so
 * that a guest's port is reachable from the network only when the rule
 * says 0.0.0.0 (the VM definitions in vmlib default to 127.0.0.1 too).
 * An empty GUESTADDR is the address DHCP hands out (10.0.2.15); an empty
 * protocol is tcp.  Options come in any order; hostfwd may repeat.
 *
 * Every error message names what it refuses (the option or the rule, as
 * written), has no program name and no newline.
 */
#ifndef VIREO_NET_SPEC_H
#define VIREO_NET_SPEC_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vireo/error.h>

/*
 * The NAT's network (net/nat.h), fixed: QEMU's user-mode numbers, which
 * guides and guests' expectations are written against.  Host byte order.
 */
#define VIREO_NAT_NETWORK	0x0a000200u	/* 10.0.2.0/24 */
#define VIREO_NAT_NETMASK	0xffffff00u
#define VIREO_NAT_GATEWAY	0x0a000202u	/* 10.0.2.2: also the host's loopback */
#define VIREO_NAT_DNS		0x0a000203u	/* 10.0.2.3: forwarded to the host's resolver */
#define VIREO_NAT_GUEST		0x0a00020fu	/* 10.0.2.15: what DHCP hands out first */

#define VIREO_NET_MAX_HOSTFWD	32	/* rules per NIC */
#define VIREO_NET_IFNAMSIZ	16	/* IFNAMSIZ, without <net/if.h> and its clashes */
#define VIREO_NET_HOSTFWD_STRLEN 48	/* "udp:255.255.255.255:65535-255.255.255.255:65535" + NUL */

enum vireo_net_proto {
	VIREO_NET_TCP,
	VIREO_NET_UDP,
};

/* One host → guest port forward.  Addresses in network byte order. */
struct vireo_hostfwd {
	enum vireo_net_proto proto;
	struct in_addr host_addr;	/* 0.0.0.0: every host interface */
	uint16_t host_port;		/* 1..65535 */
	struct in_addr guest_addr;	/* inside 10.0.2.0/24, not a NAT address */
	uint16_t guest_port;		/* 1..65535 */
};

enum vireo_net_kind {
	VIREO_NET_NAT,	/* libslirp user-mode NAT in the monitor: no privileges */
	VIREO_NET_TAP,	/* an existing or new tap interface, for bridges */
};

struct vireo_net_spec {
	enum vireo_net_kind kind;
	char ifname[VIREO_NET_IFNAMSIZ];	/* tap: 1..15 bytes, a valid interface name */
	bool has_mac;			/* false: the monitor picks vireo_net_default_mac() */
	uint8_t mac[6];			/* unicast, not all zero */
	unsigned int nr_hostfwd;	/* nat only */
	struct vireo_hostfwd hostfwd[VIREO_NET_MAX_HOSTFWD];
};

/*
 * Parse one forwarding rule, without the "hostfwd=" key:
 * "tcp:127.0.0.1:2222-10.0.2.15:22", "udp::5353-:53", "::8080-:80".
 * 0, or -EINVAL with a message naming the rule.
 */
int vireo_net_hostfwd_parse(const char *rule, struct vireo_hostfwd *fwd, GError **error);

/* The rule in full ("tcp:127.0.0.1:2222-10.0.2.15:22"); len >= VIREO_NET_HOSTFWD_STRLEN. */
void vireo_net_hostfwd_format(const struct vireo_hostfwd *fwd, char *buf, size_t len);

/*
 * Parse a --net argument (s is not modified).  Besides each rule's own
 * checks: at most VIREO_NET_MAX_HOSTFWD rules, no two rules on the same
 * host port and protocol (unless their host addresses differ and neither
 * is 0.0.0.0), hostfwd only for nat, ifname required for tap and refused
 * for nat, mac at most once.  0, or -EINVAL with a message.
 */
int vireo_net_spec_parse(const char *s, struct vireo_net_spec *spec, GError **error);

/* "52:54:00:12:34:56" (hex, either case): 0, or -EINVAL (syntax, multicast, all zero). */
int vireo_net_mac_parse(const char *s, uint8_t mac[6]);

#endif /* VIREO_NET_SPEC_H */
