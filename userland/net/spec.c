// SPDX-License-Identifier: GPL-2.0
/* --net arguments and hostfwd rules (contract in spec.h). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "net/spec.h"

/* Decimal 1..65535, digits only (no sign, space or 0x). */
static bool parse_port(const char *s, size_t len, uint16_t *port)
{
	unsigned long v = 0;

	if (len == 0 || len > 5)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return false;
	*port = (uint16_t)v;
	return true;
}

/* A dotted quad, exactly (inet_pton: no octal, no short forms). */
static bool parse_addr(const char *s, size_t len, struct in_addr *a)
{
	char buf[INET_ADDRSTRLEN];

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return inet_pton(AF_INET, buf, a) == 1;
}

/*
 * The guest side must be a guest: inside the NAT's network and none of
 * the addresses libslirp answers for itself.
 */
static const char *guest_addr_problem(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	if ((h & VIREO_NAT_NETMASK) != VIREO_NAT_NETWORK)
		return "is outside the NAT network 10.0.2.0/24";
	if (h == VIREO_NAT_GATEWAY)
		return "is the NAT's gateway";
	if (h == VIREO_NAT_DNS)
		return "is the NAT's DNS server";
	if (h == VIREO_NAT_NETWORK || h == (VIREO_NAT_NETWORK | ~VIREO_NAT_NETMASK))
		return "is the network or broadcast address";
	return NULL;
}

/* "ADDR:PORT" (ADDR may be empty) for one side of a rule. */
static int parse_side(const char *rule, const char *side, const char *s, size_t len,
		      struct in_addr *addr, uint16_t *port, GError **error)
{
	const char *colon = memchr(s, ':', len);
	size_t alen;

	if (!colon)
		return vireo_error_set(error, EINVAL, "hostfwd \"%s\": the %s side needs ADDR:PORT (ADDR may be empty)",
			    rule, side);
	alen = (size_t)(colon - s);
	if (alen && !parse_addr(s, alen, addr))
		return vireo_error_set(error, EINVAL, "hostfwd \"%s\": %s address \"%.*s\" is not an IPv4 address",
			    rule, side, (int)alen, s);
	if (!parse_port(colon + 1, len - alen - 1, port))
		return vireo_error_set(error, EINVAL, "hostfwd \"%s\": %s port \"%.*s\" is not a number from 1 to 65535",
			    rule, side, (int)(len - alen - 1), colon + 1);
	return 0;
}

int vireo_net_hostfwd_parse(const char *rule, struct vireo_hostfwd *fwd, GError **error)
{
	const char *colon, *dash, *problem;
	size_t plen;
	int r;

	memset(fwd, 0, sizeof(*fwd));
	fwd->host_addr.s_addr = htonl(INADDR_LOOPBACK);
	fwd->guest_addr.s_addr = htonl(VIREO_NAT_GUEST);

	colon = strchr(rule, ':');
	if (!colon)
		return vireo_error_set(error, EINVAL,
			    "hostfwd \"%s\": expected [tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT",
			    rule);
	plen = (size_t)(colon - rule);
	if (plen == 3 && !strncmp(rule, "udp", 3))
		fwd->proto = VIREO_NET_UDP;
	else if (plen && (plen != 3 || strncmp(rule, "tcp", 3)))
		return vireo_error_set(error, EINVAL, "hostfwd \"%s\": protocol \"%.*s\" is not tcp or udp", rule,
			    (int)plen, rule);

	/* IPv4 addresses and ports have no '-': exactly one separates the sides. */
	dash = strchr(colon + 1, '-');
	if (!dash || strchr(dash + 1, '-'))
		return vireo_error_set(error, EINVAL,
			    "hostfwd \"%s\": expected one '-' between HOSTADDR:HOSTPORT and GUESTADDR:GUESTPORT",
			    rule);
	r = parse_side(rule, "host", colon + 1, (size_t)(dash - colon - 1), &fwd->host_addr,
		       &fwd->host_port, error);
	if (r)
		return r;
	r = parse_side(rule, "guest", dash + 1, strlen(dash + 1), &fwd->guest_addr,
		       &fwd->guest_port, error);
	if (r)
		return r;
	problem = guest_addr_problem(fwd->guest_addr);
	if (problem) {
		char a[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &fwd->guest_addr, a, sizeof(a));
		return vireo_error_set(error, EINVAL, "hostfwd \"%s\": guest address %s %s", rule,
				       a, problem);
	}
	return 0;
}

void vireo_net_hostfwd_format(const struct vireo_hostfwd *fwd, char *buf, size_t len)
{
	char h[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &fwd->host_addr, h, sizeof(h));
	inet_ntop(AF_INET, &fwd->guest_addr, g, sizeof(g));
	snprintf(buf, len, "%s:%s:%u-%s:%u", fwd->proto == VIREO_NET_UDP ? "udp" : "tcp", h,
		 fwd->host_port, g, fwd->guest_port);
}

int vireo_net_mac_parse(const char *s, uint8_t mac[6])
{
	uint8_t m[6];

	for (unsigned int i = 0; i < 6; i++, s += 3) {
		unsigned int v;

		if (!isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1]) ||
		    s[2] != (i < 5 ? ':' : '\0') || sscanf(s, "%2x", &v) != 1)
			return -EINVAL;
		m[i] = (uint8_t)v;
	}
	/* A multicast address cannot be a NIC's; all zero is no address. */
	if ((m[0] & 1) || !(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]))
		return -EINVAL;
	memcpy(mac, m, 6);
	return 0;
}

/* What the kernel's dev_valid_name() accepts. */
static bool ifname_valid(const char *s, size_t len)
{
	if (len == 0 || len >= VIREO_NET_IFNAMSIZ || (len == 1 && s[0] == '.') ||
	    (len == 2 && !strncmp(s, "..", 2)))
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] == '/' || s[i] == ':' || isspace((unsigned char)s[i]))
			return false;
	return true;
}

/* Do rules a and b want the same host socket? */
static bool hostfwd_clash(const struct vireo_hostfwd *a, const struct vireo_hostfwd *b)
{
	return a->proto == b->proto && a->host_port == b->host_port &&
	       (a->host_addr.s_addr == b->host_addr.s_addr || a->host_addr.s_addr == INADDR_ANY ||
		b->host_addr.s_addr == INADDR_ANY);
}

static int add_hostfwd(struct vireo_net_spec *spec, const char *rule, GError **error)
{
	struct vireo_hostfwd *f = &spec->hostfwd[spec->nr_hostfwd];
	int r;

	if (spec->nr_hostfwd == VIREO_NET_MAX_HOSTFWD)
		return vireo_error_set(error, EINVAL, "hostfwd \"%s\": at most %u rules per NIC", rule,
			    VIREO_NET_MAX_HOSTFWD);
	r = vireo_net_hostfwd_parse(rule, f, error);
	if (r)
		return r;
	for (unsigned int i = 0; i < spec->nr_hostfwd; i++) {
		char other[VIREO_NET_HOSTFWD_STRLEN];

		if (!hostfwd_clash(f, &spec->hostfwd[i]))
			continue;
		vireo_net_hostfwd_format(&spec->hostfwd[i], other, sizeof(other));
		return vireo_error_set(error, EINVAL, "hostfwd \"%s\": host port %u/%s is already forwarded by \"%s\"",
			    rule, f->host_port, f->proto == VIREO_NET_UDP ? "udp" : "tcp", other);
	}
	spec->nr_hostfwd++;
	return 0;
}

/* One "key=value" or "key" option of length len at opt. */
static int parse_option(struct vireo_net_spec *spec, const char *opt, size_t len, GError **error)
{
	const char *eq = memchr(opt, '=', len);
	size_t klen = eq ? (size_t)(eq - opt) : len;
	const char *v = eq ? eq + 1 : opt + len;
	size_t vlen = len - klen - (eq ? 1 : 0);
	const char *kind = spec->kind == VIREO_NET_NAT ? "nat" : "tap";
	char buf[128];

	if (vlen >= sizeof(buf))
		return vireo_error_set(error, EINVAL, "%.*s=: the value is too long", (int)klen,
				       opt);
	memcpy(buf, v, vlen);
	buf[vlen] = '\0';

	if (eq && klen == 3 && !strncmp(opt, "mac", 3)) {
		if (spec->has_mac)
			return vireo_error_set(error, EINVAL, "mac= is given twice");
		if (vireo_net_mac_parse(buf, spec->mac))
			return vireo_error_set(error, EINVAL,
				    "mac=%s: expected six hex bytes XX:XX:XX:XX:XX:XX, unicast and not all zero",
				    buf);
		spec->has_mac = true;
		return 0;
	}
	if (eq && klen == 7 && !strncmp(opt, "hostfwd", 7)) {
		if (spec->kind != VIREO_NET_NAT)
			return vireo_error_set(error, EINVAL,
				    "hostfwd=%s: port forwarding needs the nat backend (a tap is bridged: forward on the host)",
				    buf);
		return add_hostfwd(spec, buf, error);
	}
	if (eq && klen == 6 && !strncmp(opt, "ifname", 6)) {
		if (spec->kind != VIREO_NET_TAP)
			return vireo_error_set(error, EINVAL,
					       "ifname=%s: only a tap has an interface name", buf);
		if (spec->ifname[0])
			return vireo_error_set(error, EINVAL, "ifname= is given twice");
		if (!ifname_valid(buf, vlen))
			return vireo_error_set(error, EINVAL,
				    "ifname=%s: not a valid interface name (1 to 15 bytes, no '/', ':' or spaces)",
				    buf);
		memcpy(spec->ifname, buf, vlen + 1);
		return 0;
	}
	return vireo_error_set(error, EINVAL, "\"%.*s\" is not an option of %s (%s)", (int)len, opt, kind,
		    spec->kind == VIREO_NET_NAT ? "mac=, hostfwd=" : "ifname=, mac=");
}

int vireo_net_spec_parse(const char *s, struct vireo_net_spec *spec, GError **error)
{
	const char *p = strchr(s, ','), *next;
	size_t klen = p ? (size_t)(p - s) : strlen(s);
	int r;

	memset(spec, 0, sizeof(*spec));
	if (klen == 3 && !strncmp(s, "nat", 3))
		spec->kind = VIREO_NET_NAT;
	else if (klen == 3 && !strncmp(s, "tap", 3))
		spec->kind = VIREO_NET_TAP;
	else
		return vireo_error_set(error, EINVAL,
				       "\"%.*s\" is not a network backend (nat, tap)", (int)klen,
				       s);

	for (; p; p = next) {
		p++;
		next = strchr(p, ',');
		klen = next ? (size_t)(next - p) : strlen(p);
		if (!klen)
			return vireo_error_set(error, EINVAL,
					       "empty option (two commas, or one at the end)");
		r = parse_option(spec, p, klen, error);
		if (r)
			return r;
	}
	if (spec->kind == VIREO_NET_TAP && !spec->ifname[0])
		return vireo_error_set(error, EINVAL, "tap needs ifname=NAME");
	return 0;
}
