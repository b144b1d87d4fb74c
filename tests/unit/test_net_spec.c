// SPDX-License-Identifier: GPL-2.0
/*
 * --net arguments and hostfwd rules: what parses, the defaults, the
 * spelling vmlib writes, and every refusal naming what it refuses.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>

#include <vireo/error.h>

#include "net/spec.h"
#include "test.h"

static struct vireo_net_spec spec;
static GError *err;

static uint32_t addr(struct in_addr a)
{
	return ntohl(a.s_addr);
}

static void spec_nat_plain(void)
{
	T_EQ(vireo_net_spec_parse("nat", &spec, &err), 0);
	T_EQ(spec.kind, VIREO_NET_NAT);
	T_TRUE(!spec.has_mac);
	T_EQ(spec.nr_hostfwd, 0);
}

static void spec_nat_full(void)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0x01 };
	const struct vireo_hostfwd *f = spec.hostfwd;

	T_EQ(vireo_net_spec_parse("nat,hostfwd=tcp::2222-:22,mac=52:54:00:AB:cd:01,"
				  "hostfwd=udp:0.0.0.0:5353-10.0.2.20:53",
				  &spec, &err),
	     0);
	T_TRUE(spec.has_mac);
	T_TRUE(!memcmp(spec.mac, mac, 6));
	T_EQ(spec.nr_hostfwd, 2);
	T_EQ(f[0].proto, VIREO_NET_TCP);
	T_EQ(addr(f[0].host_addr), 0x7f000001);	/* empty: loopback only */
	T_EQ(f[0].host_port, 2222);
	T_EQ(addr(f[0].guest_addr), VIREO_NAT_GUEST);
	T_EQ(f[0].guest_port, 22);
	T_EQ(f[1].proto, VIREO_NET_UDP);
	T_EQ(addr(f[1].host_addr), 0);
	T_EQ(f[1].host_port, 5353);
	T_EQ(addr(f[1].guest_addr), 0x0a000214);
	T_EQ(f[1].guest_port, 53);
}

/* Exactly what vmlib's vireo_monitor_argv() writes for a NAT NIC. */
static void spec_vmlib_spelling(void)
{
	T_EQ(vireo_net_spec_parse("nat,mac=56:00:11:22:33:44,hostfwd=tcp:127.0.0.1:2222-:22,"
				  "hostfwd=udp:127.0.0.1:5353-:53",
				  &spec, &err),
	     0);
	T_EQ(spec.nr_hostfwd, 2);
	T_EQ(spec.hostfwd[1].proto, VIREO_NET_UDP);
	T_EQ(spec.hostfwd[1].guest_port, 53);
}

static void spec_hostfwd_defaults_and_format(void)
{
	static const char *const rules[][2] = {
		{ "::8080-:80", "tcp:127.0.0.1:8080-10.0.2.15:80" },
		{ "tcp::1-:65535", "tcp:127.0.0.1:1-10.0.2.15:65535" },
		{ "udp:192.168.1.9:65535-10.0.2.254:1", "udp:192.168.1.9:65535-10.0.2.254:1" },
		{ "tcp:0.0.0.0:2222-10.0.2.16:22", "tcp:0.0.0.0:2222-10.0.2.16:22" },
	};
	struct vireo_hostfwd f, again;
	char buf[VIREO_NET_HOSTFWD_STRLEN];

	for (unsigned int i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		T_EQ(vireo_net_hostfwd_parse(rules[i][0], &f, &err), 0);
		vireo_net_hostfwd_format(&f, buf, sizeof(buf));
		T_TRUE(!strcmp(buf, rules[i][1]));
		/* The formatted rule parses back to the same forward. */
		T_EQ(vireo_net_hostfwd_parse(buf, &again, &err), 0);
		T_TRUE(!memcmp(&f, &again, sizeof(f)));
	}
	/* The longest rule fits the documented buffer. */
	T_EQ(vireo_net_hostfwd_parse("udp:255.255.255.255:65535-10.0.2.254:65535", &f, &err),
	     0);
	vireo_net_hostfwd_format(&f, buf, sizeof(buf));
	T_TRUE(strlen(buf) < VIREO_NET_HOSTFWD_STRLEN - 1);
}

static void spec_tap(void)
{
	T_EQ(vireo_net_spec_parse("tap,ifname=vireo0", &spec, &err), 0);
	T_EQ(spec.kind, VIREO_NET_TAP);
	T_TRUE(!strcmp(spec.ifname, "vireo0"));
	T_TRUE(!spec.has_mac);
	T_EQ(vireo_net_spec_parse("tap,mac=02:00:00:00:00:01,ifname=0123456789abcde", &spec, &err),
	     0);
	T_TRUE(!strcmp(spec.ifname, "0123456789abcde"));
	T_EQ(spec.mac[0], 2);
}

/* Each malformed rule is refused with a message naming it and the problem. */
static void spec_hostfwd_malformed(void)
{
	static const char *const bad[][2] = {
		{ "", "expected [tcp|udp]" },
		{ "tcp", "expected [tcp|udp]" },
		{ "icmp::1-:2", "protocol \"icmp\"" },
		{ "TCP::1-:2", "protocol \"TCP\"" },
		{ "tcp:2222-:22", "host side needs ADDR:PORT" },
		{ "tcp::2222-22", "guest side needs ADDR:PORT" },
		{ "tcp::22", "one '-'" },
		{ "tcp::1-:2-3", "one '-'" },
		{ "tcp::0-:22", "host port \"0\"" },
		{ "tcp::65536-:22", "host port \"65536\"" },
		{ "tcp::-:22", "host port \"\"" },
		{ "tcp::+22-:22", "host port \"+22\"" },
		{ "tcp:: 22-:22", "host port \" 22\"" },
		{ "tcp::0x16-:22", "host port \"0x16\"" },
		{ "tcp::22-:", "guest port \"\"" },
		{ "tcp::22-:99999", "guest port \"99999\"" },
		{ "tcp:1.2.3:22-:22", "host address \"1.2.3\"" },
		{ "tcp:localhost:22-:22", "host address \"localhost\"" },
		{ "tcp:[::1]:22-:22", "host address \"[\"" },
		{ "tcp::22-10.0.2.1000:22", "guest address \"10.0.2.1000\"" },
		{ "tcp::22-10.0.3.15:22", "outside the NAT network" },
		{ "tcp::22-10.0.2.2:22", "the NAT's gateway" },
		{ "tcp::22-10.0.2.3:22", "the NAT's DNS server" },
		{ "tcp::22-10.0.2.0:22", "network or broadcast" },
		{ "tcp::22-10.0.2.255:22", "network or broadcast" },
	};
	struct vireo_hostfwd f;

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char quoted[64];

		g_clear_error(&err);
		if (vireo_net_hostfwd_parse(bad[i][0], &f, &err) != -EINVAL) {
			vireo_test_fail(__FILE__, __LINE__, "\"%s\" was accepted", bad[i][0]);
			return;
		}
		snprintf(quoted, sizeof(quoted), "hostfwd \"%s\"", bad[i][0]);
		T_STR_CONTAINS(ERRMSG(err), quoted);
		T_STR_CONTAINS(ERRMSG(err), bad[i][1]);
	}
}

static void spec_malformed(void)
{
	static const char *const bad[][2] = {
		{ "", "\"\" is not a network backend" },
		{ "user", "\"user\" is not a network backend" },
		{ "natx", "\"natx\" is not a network backend" },
		{ ",nat", "\"\" is not a network backend" },
		{ "nat,", "empty option" },
		{ "nat,,mac=52:54:00:00:00:01", "empty option" },
		{ "nat,mac", "\"mac\" is not an option of nat" },
		{ "nat,foo=1", "\"foo=1\" is not an option of nat (mac=, hostfwd=)" },
		{ "nat,ifname=tap0", "ifname=tap0: only a tap" },
		{ "nat,mac=01:00:5e:00:00:01", "mac=01:00:5e:00:00:01: expected" },
		{ "nat,mac=00:00:00:00:00:00", "mac=00:00:00:00:00:00" },
		{ "nat,mac=52:54:00:12:34", "mac=52:54:00:12:34" },
		{ "nat,mac=52:54:00:12:34:567", "mac=52:54:00:12:34:567" },
		{ "nat,mac=52-54-00-12-34-56", "mac=52-54-00-12-34-56" },
		{ "nat,mac=52:54:00:12:34:5g", "mac=52:54:00:12:34:5g" },
		{ "nat,mac=52:54:00:12:34:56,mac=52:54:00:12:34:57", "mac= is given twice" },
		{ "nat,hostfwd=tcp::70000-:22", "hostfwd \"tcp::70000-:22\": host port" },
		{ "nat,hostfwd=", "hostfwd \"\"" },
		{ "tap", "tap needs ifname" },
		{ "tap,mac=52:54:00:12:34:56", "tap needs ifname" },
		{ "tap,ifname=", "ifname=: not a valid interface name" },
		{ "tap,ifname=0123456789abcdef", "ifname=0123456789abcdef: not a valid" },
		{ "tap,ifname=a/b", "ifname=a/b: not a valid" },
		{ "tap,ifname=a:b", "ifname=a:b: not a valid" },
		{ "tap,ifname=..", "ifname=..: not a valid" },
		{ "tap,ifname=a,ifname=b", "ifname= is given twice" },
		{ "tap,ifname=t0,hostfwd=tcp::22-:22", "needs the nat backend" },
		{ "tap,ifname=t0,foo", "\"foo\" is not an option of tap (ifname=, mac=)" },
	};

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		g_clear_error(&err);
		if (vireo_net_spec_parse(bad[i][0], &spec, &err) != -EINVAL) {
			vireo_test_fail(__FILE__, __LINE__, "\"%s\" was accepted", bad[i][0]);
			return;
		}
		T_STR_CONTAINS(ERRMSG(err), bad[i][1]);
	}
}

/* Two rules wanting one host socket are refused, naming both. */
static void spec_hostfwd_clash(void)
{
	T_EQ(vireo_net_spec_parse("nat,hostfwd=tcp::2222-:22,hostfwd=tcp::2222-:23", &spec, &err),
	     -EINVAL);
	T_STR_CONTAINS(ERRMSG(err), "hostfwd \"tcp::2222-:23\": host port 2222/tcp is already forwarded by "
			    "\"tcp:127.0.0.1:2222-10.0.2.15:22\"");
	T_EQ(vireo_net_spec_parse("nat,hostfwd=tcp:0.0.0.0:80-:80,hostfwd=tcp:127.0.0.1:80-:81",
				  &spec, &err),
	     -EINVAL);
	/* Other protocol, or two distinct host addresses: no clash. */
	T_EQ(vireo_net_spec_parse("nat,hostfwd=tcp::53-:53,hostfwd=udp::53-:53", &spec, &err),
	     0);
	T_EQ(vireo_net_spec_parse("nat,hostfwd=tcp:127.0.0.1:80-:80,hostfwd=tcp:127.0.0.2:80-:81",
				  &spec, &err),
	     0);
}

static void spec_hostfwd_limit(void)
{
	char s[VIREO_NET_MAX_HOSTFWD * 24 + 64];
	size_t off = (size_t)snprintf(s, sizeof(s), "nat");

	for (unsigned int i = 0; i < VIREO_NET_MAX_HOSTFWD; i++)
		off += (size_t)snprintf(s + off, sizeof(s) - off, ",hostfwd=::%u-:%u", 1000 + i,
					i + 1);
	T_EQ(vireo_net_spec_parse(s, &spec, &err), 0);
	T_EQ(spec.nr_hostfwd, VIREO_NET_MAX_HOSTFWD);
	snprintf(s + off, sizeof(s) - off, ",hostfwd=::9999-:1");
	T_EQ(vireo_net_spec_parse(s, &spec, &err), -EINVAL);
	T_STR_CONTAINS(ERRMSG(err), "hostfwd \"::9999-:1\": at most 32 rules per NIC");
}

static void spec_mac(void)
{
	uint8_t mac[6] = { 9, 9, 9, 9, 9, 9 };

	T_EQ(vireo_net_mac_parse("fe:ff:ff:ff:ff:ff", mac), 0);
	T_EQ(mac[0], 0xfe);
	T_EQ(mac[5], 0xff);
	/* A refused address leaves mac alone. */
	T_EQ(vireo_net_mac_parse("ff:ff:ff:ff:ff:ff", mac), -EINVAL);
	T_EQ(vireo_net_mac_parse("", mac), -EINVAL);
	T_EQ(vireo_net_mac_parse("52:54:00:12:34:56:", mac), -EINVAL);
	T_EQ(vireo_net_mac_parse("5:54:00:12:34:56", mac), -EINVAL);
	T_EQ(vireo_net_mac_parse(" 52:54:00:12:34:5", mac), -EINVAL);
	T_EQ(mac[0], 0xfe);
}

static const struct vireo_test vireo_tests_net_spec[] = {
	VIREO_TEST(spec_nat_plain),
	VIREO_TEST(spec_nat_full),
	VIREO_TEST(spec_vmlib_spelling),
	VIREO_TEST(spec_hostfwd_defaults_and_format),
	VIREO_TEST(spec_tap),
	VIREO_TEST(spec_hostfwd_malformed),
	VIREO_TEST(spec_malformed),
	VIREO_TEST(spec_hostfwd_clash),
	VIREO_TEST(spec_hostfwd_limit),
	VIREO_TEST(spec_mac),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(net_spec, vireo_tests_net_spec);
