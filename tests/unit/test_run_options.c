// SPDX-License-Identifier: GPL-2.0
/*
 * vireo-run's control-plane options: --name, --lock, --control and
 * --net nat (the command line `vireo start` builds, docs/vm-definition.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vireo/error.h>

#include "options.h"
#include "vmlib/optsplit.h"
#include "test.h"

static int parse_argv(struct vireo_options *o, GError **err, const char *const *args)
{
	static char buf[32][256];
	char *argv[33];
	int argc = 0;

	argv[argc++] = "vireo-run";
	for (; *args && argc < 32; args++, argc++) {
		snprintf(buf[argc], sizeof(buf[argc]), "%s", *args);
		argv[argc] = buf[argc];
	}
	argv[argc] = NULL;
	return vireo_options_parse(argc, argv, o, err);
}

static struct vireo_options o;
static GError *err;

static void run_start_command_line(void)
{
	/* What vireo_monitor_argv() produces for a machine with a NAT NIC. */
	const char *const args[] = {
		"--name", "deb", "--lock", "/m/deb/lock", "--control", "/run/vireo/deb.sock",
		"--mem", "512M", "--cpus", "2", "--kernel", "/m/deb/vmlinuz",
		"--disk", "/m/deb/disk.qcow2,format=qcow2",
		"--net", "nat,mac=52:54:00:12:34:56,hostfwd=tcp:127.0.0.1:2222-:22", NULL,
	};

	T_EQ(parse_argv(&o, &err, args), 0);
	T_TRUE(o.pc);
	T_TRUE(!strcmp(o.name, "deb"));
	T_TRUE(!strcmp(o.lock, "/m/deb/lock"));
	T_TRUE(!strcmp(o.control, "/run/vireo/deb.sock"));
	T_EQ(o.cpus, 2);
	T_EQ(o.nr_disks, 1);
	T_EQ(o.disks[0].format, VIREO_DISK_FMT_QCOW2);
	T_EQ(o.nr_nets, 1);
	T_EQ(o.nets[0].spec.kind, VIREO_NET_NAT);
	T_EQ(o.nets[0].ifname[0], 0);
	T_TRUE(o.nets[0].has_mac);
	T_EQ(o.nets[0].mac[5], 0x56);
	T_EQ(o.nets[0].spec.nr_hostfwd, 1);
	T_EQ(o.nets[0].spec.hostfwd[0].host_port, 2222);
	T_EQ(o.nets[0].spec.hostfwd[0].guest_port, 22);
}

static void run_options_absent(void)
{
	const char *const args[] = { "--kernel", "k", NULL };

	T_EQ(parse_argv(&o, &err, args), 0);
	T_TRUE(!o.name && !o.lock && !o.control);
}

static void run_net_kinds(void)
{
	const char *const args[] = { "--kernel", "k", "--net", "nat", "--net",
				     "tap,ifname=vt0,mac=02:00:00:00:00:01", "--net",
				     "nat,hostfwd=udp::5353-:53,hostfwd=tcp::8080-:80", NULL };

	T_EQ(parse_argv(&o, &err, args), 0);
	T_EQ(o.nr_nets, 3);
	T_EQ(o.nets[0].spec.kind, VIREO_NET_NAT);
	T_TRUE(!o.nets[0].has_mac);
	T_EQ(o.nets[1].spec.kind, VIREO_NET_TAP);
	T_TRUE(!strcmp(o.nets[1].ifname, "vt0"));
	T_TRUE(o.nets[1].has_mac);
	T_EQ(o.nets[2].spec.nr_hostfwd, 2);
	T_EQ(o.nets[2].spec.hostfwd[0].proto, VIREO_NET_UDP);
}

static void run_option_errors(void)
{
	static const struct {
		const char *args[6];
		const char *msg;	/* what the message must contain */
	} bad[] = {
		{ { "--load", "x", "--control", "/s", NULL }, "need --kernel" },
		{ { "--kernel", "k", "--name", "", NULL }, "--name" },
		{ { "--kernel", "k", "--name", "a/b", NULL }, "--name" },
		{ { "--kernel", "k", "--lock", "", NULL }, "--lock" },
		{ { "--kernel", "k", "--control", "", NULL }, "--control" },
		{ { "--kernel", "k", "--net", "nat,hostfwd=tcp::99999-:22", NULL }, "99999" },
		{ { "--kernel", "k", "--net", "nat,ifname=x", NULL }, "--net" },
		{ { "--kernel", "k", "--net", "tap", NULL }, "--net" },
		{ { "--kernel", "k", "--net", "slirp", NULL }, "slirp" },
		{ { "--kernel", "k", "--net", "nat,hostfwd=tcp::22-:22,hostfwd=tcp::22-:23",
		    NULL }, "--net" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		g_clear_error(&err);
		if (parse_argv(&o, &err, bad[i].args) != -EINVAL) {
			vireo_test_fail(__FILE__, __LINE__, "case %u accepted", i);
			return;
		}
		T_STR_CONTAINS(ERRMSG(err), bad[i].msg);
	}
}

static void run_net_spec_direct(void)
{
	struct vireo_net_opt n;

	T_EQ(vireo_parse_net_spec("nat,mac=52:54:00:00:00:09", &n, &err), 0);
	T_EQ(n.spec.kind, VIREO_NET_NAT);
	T_EQ(n.mac[5], 9);
	/* No GError to fill is fine. */
	T_EQ(vireo_parse_net_spec("bogus", &n, NULL), -EINVAL);
}

/*
 * Any byte a file name may hold reaches the monitor whole: a comma is
 * written ",," in --disk (QEMU's convention), the rest goes as it is;
 * --kernel, --initrd and --control are argv elements of their own.
 */
static void run_disk_path_bytes(void)
{
	static const char *const names[] = {
		"/data,dir/vireo/machines/a/disk0.qcow2",
		"/with space/and\nnewline/caf\xc3\xa9.img",
		"/ends/with,",
		",starts,,with",
		"/plain.img",
	};
	struct vireo_disk_opt d;
	unsigned int i;
	char buf[256];

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *esc = vireo_opt_escape(names[i]);
		const char *args[] = { "--kernel", names[i], "--initrd", names[i],
				       "--control", names[i], "--console-socket", names[i],
				       "--disk", buf, NULL };

		T_TRUE(esc != NULL);
		snprintf(buf, sizeof(buf), "%s,ro,format=raw", esc);
		free(esc);
		T_EQ(parse_argv(&o, &err, args), 0);
		T_EQ(o.nr_disks, 1);
		if (strcmp(o.disks[0].path, names[i]))
			vireo_test_fail(__FILE__, __LINE__, "--disk '%s' gave path '%s', want '%s'",
					buf, o.disks[0].path, names[i]);
		T_TRUE(o.disks[0].readonly);
		T_EQ(o.disks[0].format, VIREO_DISK_FMT_RAW);
		T_TRUE(!strcmp(o.kernel, names[i]));
		T_TRUE(!strcmp(o.initrd, names[i]));
		T_TRUE(!strcmp(o.control, names[i]));
		T_TRUE(!strcmp(o.console_socket, names[i]));
	}
	/* The spec parser alone: options after the path, errors. */
	snprintf(buf, sizeof(buf), "a,,b,,,,c");
	T_EQ(vireo_parse_disk_spec(buf, &d), 0);
	T_TRUE(!strcmp(d.path, "a,b,,c"));
	T_EQ(d.format, VIREO_DISK_FMT_AUTO);
	snprintf(buf, sizeof(buf), "a,,,format=qcow2");
	T_EQ(vireo_parse_disk_spec(buf, &d), 0);
	T_TRUE(!strcmp(d.path, "a,"));
	T_EQ(d.format, VIREO_DISK_FMT_QCOW2);
	snprintf(buf, sizeof(buf), ",ro");
	T_EQ(vireo_parse_disk_spec(buf, &d), -EINVAL);	/* no path */
	snprintf(buf, sizeof(buf), "a,b.img");
	T_EQ(vireo_parse_disk_spec(buf, &d), -EINVAL);	/* an unescaped comma */
	snprintf(buf, sizeof(buf), "a,ro,");
	T_EQ(vireo_parse_disk_spec(buf, &d), -EINVAL);	/* an empty option */
}

static const struct vireo_test vireo_tests_run_options[] = {
	VIREO_TEST(run_start_command_line),
	VIREO_TEST(run_options_absent),
	VIREO_TEST(run_net_kinds),
	VIREO_TEST(run_option_errors),
	VIREO_TEST(run_net_spec_direct),
	VIREO_TEST(run_disk_path_bytes),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(run_options, vireo_tests_run_options);
