// SPDX-License-Identifier: GPL-2.0
/*
 * The CLI's spec parsers (userland/cli/specs.c): disks, NICs, port
 * forwards, boot order, memory.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "disk/disk.h"
#include "test.h"

static char *tmpfile_with(const char *name, const char *content, size_t len)
{
	char *p = g_build_filename(g_getenv("VIREO_TEST_TMP"), name, NULL);

	g_file_set_contents(p, content, len, NULL);
	return p;
}

static char *new_qcow2(const char *name, const char *backing)
{
	char *p = g_build_filename(g_getenv("VIREO_TEST_TMP"), name, NULL);
	struct vireo_disk_create_opts o = { .format = VIREO_DISK_QCOW2, .size = 1 << 20,
					    .backing_file = backing, .overwrite = true };
	g_autoptr(GError) err = NULL;

	/* A failure shows as the parse results below. */
	if (vireo_disk_create(p, &o, &err))
		fprintf(stderr, "new_qcow2: %s\n", err ? err->message : "?");
	return p;
}

static void test_disk_spec(void)
{
	char *q = new_qcow2("a.qcow2", NULL);
	char *r = tmpfile_with("b,c.img", "raw data", 8);
	struct vireo_vm_disk d;
	GError *err = NULL;
	char *spec;

	T_TRUE(vireo_cli_parse_disk(q, &d, &err));
	T_EQ(d.format, VIREO_VM_DISK_QCOW2);	/* probed */
	T_TRUE(!strcmp(d.path, q));
	T_TRUE(!d.read_only);
	g_free(d.path);
	/* ",," is a comma of the path. */
	spec = g_strdup_printf("%s/b,,c.img,ro", g_getenv("VIREO_TEST_TMP"));
	T_TRUE(vireo_cli_parse_disk(spec, &d, &err));
	T_TRUE(!strcmp(d.path, r));
	T_EQ(d.format, VIREO_VM_DISK_RAW);
	T_TRUE(d.read_only);
	g_free(d.path);
	g_free(spec);
	spec = g_strdup_printf("%s/b,,c.img,format=raw,cdrom", g_getenv("VIREO_TEST_TMP"));
	T_TRUE(vireo_cli_parse_disk(spec, &d, &err));
	T_EQ(d.format, VIREO_VM_DISK_RAW);	/* as told */
	T_EQ(d.media, VIREO_VM_MEDIA_CDROM);
	T_TRUE(d.read_only);
	g_free(d.path);
	g_free(spec);
	/* A declared format the file contradicts, either way. */
	spec = g_strdup_printf("%s,format=raw", q);
	T_TRUE(!vireo_cli_parse_disk(spec, &d, &err));
	T_EQ(err->code, VIREO_VM_ERROR_INVALID);
	T_STR_CONTAINS(err->message, q);
	g_clear_error(&err);
	g_free(spec);
	spec = g_strdup_printf("%s/b,,c.img,format=qcow2", g_getenv("VIREO_TEST_TMP"));
	T_TRUE(!vireo_cli_parse_disk(spec, &d, &err));
	T_EQ(err->code, VIREO_VM_ERROR_INVALID);
	T_STR_CONTAINS(err->message, r);
	g_clear_error(&err);
	g_free(spec);
	/* A backing loop: loop-a.qcow2 -> loop-b.qcow2 -> loop-a.qcow2. */
	{
		char *b = new_qcow2("loop-b.qcow2", NULL);
		char *a = new_qcow2("loop-a.qcow2", "loop-b.qcow2");
		char *b2 = new_qcow2("loop-b2.qcow2", "loop-a.qcow2");

		T_EQ(rename(b2, b), 0);
		T_TRUE(!vireo_cli_parse_disk(a, &d, &err));
		T_EQ(err->code, VIREO_VM_ERROR_INVALID);
		T_STR_CONTAINS(err->message, "loop-b.qcow2");
		g_clear_error(&err);
		g_free(a);
		g_free(b);
		g_free(b2);
	}
	/* A truncated qcow2 header. */
	{
		char *t = tmpfile_with("short.qcow2", "QFI\xfb\0\0\0\3", 8);

		T_TRUE(!vireo_cli_parse_disk(t, &d, &err));
		T_STR_CONTAINS(err->message, t);
		g_clear_error(&err);
		g_free(t);
	}

	spec = g_strdup_printf("%s,format=vmdk", q);
	T_TRUE(!vireo_cli_parse_disk(spec, &d, &err));
	T_STR_CONTAINS(err->message, "\"vmdk\" is not one of raw, qcow2");
	g_clear_error(&err);
	g_free(spec);
	spec = g_strdup_printf("%s,cache=none", q);
	T_TRUE(!vireo_cli_parse_disk(spec, &d, &err));
	T_STR_CONTAINS(err->message, "unknown option \"cache=none\"");
	g_clear_error(&err);
	g_free(spec);
	T_TRUE(!vireo_cli_parse_disk("/no/such/disk.img", &d, &err));
	T_EQ(err->code, VIREO_VM_ERROR_NOT_FOUND);
	g_clear_error(&err);
	T_TRUE(!vireo_cli_parse_disk("/no/such/disk.img,format=raw", &d, &err));
	T_EQ(err->code, VIREO_VM_ERROR_NOT_FOUND);
	g_clear_error(&err);
	T_TRUE(!vireo_cli_parse_disk(",ro", &d, &err));
	g_clear_error(&err);
	g_free(q);
	g_free(r);
}

static void test_new_disk_spec(void)
{
	enum vireo_vm_disk_format f;
	GError *err = NULL;
	uint64_t size;

	T_TRUE(vireo_cli_parse_new_disk("8G", &size, &f, &err));
	T_EQ(size, 8ULL << 30);
	T_EQ(f, VIREO_VM_DISK_QCOW2);
	T_TRUE(vireo_cli_parse_new_disk("512M,format=raw", &size, &f, &err));
	T_EQ(f, VIREO_VM_DISK_RAW);
	T_TRUE(!vireo_cli_parse_new_disk("big", &size, &f, &err));
	g_clear_error(&err);
	T_TRUE(!vireo_cli_parse_new_disk("0", &size, &f, &err));
	g_clear_error(&err);
	T_TRUE(!vireo_cli_parse_new_disk("1G,format=vdi", &size, &f, &err));
	g_clear_error(&err);
}

static void test_forward_spec(void)
{
	static const struct {
		const char *spec;
		bool ok;
		enum vireo_vm_fwd_proto proto;
		const char *addr;
		uint16_t host, guest;
	} cases[] = {
		{ "2222:22", true, VIREO_VM_FWD_TCP, "127.0.0.1", 2222, 22 },
		{ "udp:5353:53", true, VIREO_VM_FWD_UDP, "127.0.0.1", 5353, 53 },
		{ "0.0.0.0:8080:80", true, VIREO_VM_FWD_TCP, "0.0.0.0", 8080, 80 },
		{ "tcp:10.0.0.1:1:65535", true, VIREO_VM_FWD_TCP, "10.0.0.1", 1, 65535 },
		{ "22", false, 0, NULL, 0, 0 },
		{ "a:b", false, 0, NULL, 0, 0 },
		{ "0:22", false, 0, NULL, 0, 0 },
		{ "22:65536", false, 0, NULL, 0, 0 },
		{ "sctp:1.2.3.4:1:2", false, 0, NULL, 0, 0 },
		{ "tcp:1:2:3:4", false, 0, NULL, 0, 0 },
		{ "", false, 0, NULL, 0, 0 },
	};
	struct vireo_vm_forward f;
	GError *err = NULL;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		bool ok = vireo_cli_parse_forward(cases[i].spec, &f, &err);

		if (ok != cases[i].ok) {
			vireo_test_fail(__FILE__, __LINE__, "\"%s\": %s", cases[i].spec,
					ok ? "accepted" : err->message);
			g_clear_error(&err);
			if (ok)
				g_free(f.host_addr);
			return;
		}
		if (!ok) {
			T_STR_CONTAINS(err->message, "HOSTPORT:GUESTPORT");
			g_clear_error(&err);
			continue;
		}
		T_EQ(f.proto, cases[i].proto);
		T_TRUE(!strcmp(f.host_addr, cases[i].addr));
		T_EQ(f.host_port, cases[i].host);
		T_EQ(f.guest_port, cases[i].guest);
		g_free(f.host_addr);
	}
}

static void test_nic_spec(void)
{
	struct vireo_vm_nic n;
	GError *err = NULL;

	T_TRUE(vireo_cli_parse_nic("nat", &n, &err));
	T_EQ(n.backend, VIREO_VM_NIC_NAT);
	T_EQ(n.mac[0], 0);	/* generated when added to a definition */
	vireo_cli_nic_clear(&n);
	T_TRUE(vireo_cli_parse_nic("nat,mac=56:aa:bb:cc:dd:ee,fwd=2222:22,fwd=udp:53:53", &n,
				   &err));
	T_EQ(n.mac[1], 0xaa);
	T_EQ(n.n_forwards, 2);
	T_EQ(n.forwards[1].proto, VIREO_VM_FWD_UDP);
	vireo_cli_nic_clear(&n);
	T_TRUE(vireo_cli_parse_nic("tap,ifname=tap3", &n, &err));
	T_EQ(n.backend, VIREO_VM_NIC_TAP);
	T_TRUE(!strcmp(n.ifname, "tap3"));
	vireo_cli_nic_clear(&n);

	T_TRUE(!vireo_cli_parse_nic("tap", &n, &err));
	T_STR_CONTAINS(err->message, "needs ifname=");
	g_clear_error(&err);
	T_TRUE(!vireo_cli_parse_nic("bridge", &n, &err));
	g_clear_error(&err);
	T_TRUE(!vireo_cli_parse_nic("nat,ifname=x", &n, &err));
	g_clear_error(&err);
	T_TRUE(!vireo_cli_parse_nic("tap,ifname=x,fwd=1:2", &n, &err));
	g_clear_error(&err);
	T_TRUE(!vireo_cli_parse_nic("nat,mac=57:00:00:00:00:01", &n, &err));
	T_STR_CONTAINS(err->message, "unicast");
	g_clear_error(&err);
	T_TRUE(!vireo_cli_parse_nic("nat,fwd=22", &n, &err));
	g_clear_error(&err);
}

static void test_boot_order_and_memory(void)
{
	struct vireo_vm_boot b = { 0 };
	GError *err = NULL;
	uint64_t mib;

	T_TRUE(vireo_cli_parse_boot_order("cdrom,disk,net", &b, &err));
	T_EQ(b.n_order, 3);
	T_EQ(b.order[0], VIREO_VM_BOOTDEV_CDROM);
	T_EQ(b.order[2], VIREO_VM_BOOTDEV_NET);
	T_TRUE(!vireo_cli_parse_boot_order("disk,disk", &b, &err));
	g_clear_error(&err);
	T_TRUE(!vireo_cli_parse_boot_order("floppy", &b, &err));
	g_clear_error(&err);
	T_TRUE(!vireo_cli_parse_boot_order("", &b, &err));
	g_clear_error(&err);
	T_EQ(b.n_order, 3);	/* unchanged by the failures */

	T_TRUE(vireo_cli_parse_memory("512", &mib, &err));
	T_EQ(mib, 512);
	T_TRUE(vireo_cli_parse_memory("2G", &mib, &err));
	T_EQ(mib, 2048);
	T_TRUE(vireo_cli_parse_memory("1536MiB", &mib, &err));
	T_EQ(mib, 1536);
	T_TRUE(!vireo_cli_parse_memory("1000K", &mib, &err));
	g_clear_error(&err);
	T_TRUE(!vireo_cli_parse_memory("lots", &mib, &err));
	g_clear_error(&err);
}

static const struct vireo_test vireo_tests_specs[] = {
	VIREO_TEST(test_disk_spec),
	VIREO_TEST(test_new_disk_spec),
	VIREO_TEST(test_forward_spec),
	VIREO_TEST(test_nic_spec),
	VIREO_TEST(test_boot_order_and_memory),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(specs, vireo_tests_specs);
