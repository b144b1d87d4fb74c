// SPDX-License-Identifier: GPL-2.0
/*
 * VM definitions: defaults, JSON round trip, the format 0 upgrade, newer
 * formats refused, and a table of malformed fields, each of which must be
 * named (with the file) in the error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "test.h"
#include "vmlib/vmdef.h"

/* A definition using every field, as the tests' base. */
static const char base_json[] =
	"{\"format\":1,\"name\":\"full\",\"uuid\":\"0f8fad5b-d9cb-469f-a165-70867728950e\","
	"\"memory_mib\":1024,\"cpus\":2,"
	"\"boot\":{\"mode\":\"kernel\",\"kernel\":\"/boot/vmlinuz\",\"initrd\":\"initrd.img\","
	"\"cmdline\":\"console=ttyS0 quiet\",\"order\":[\"cdrom\",\"disk\"]},"
	"\"disks\":[{\"path\":\"disk0.qcow2\",\"format\":\"qcow2\",\"media\":\"disk\","
	"\"read_only\":false},"
	"{\"path\":\"/iso/debian.iso\",\"format\":\"raw\",\"media\":\"cdrom\",\"read_only\":true}],"
	"\"nics\":[{\"model\":\"virtio\",\"backend\":\"nat\",\"mac\":\"56:00:11:22:33:44\","
	"\"forwards\":[{\"proto\":\"tcp\",\"host_addr\":\"127.0.0.1\",\"host_port\":2222,"
	"\"guest_port\":22},{\"proto\":\"udp\",\"host_addr\":\"0.0.0.0\",\"host_port\":5353,"
	"\"guest_port\":53}]},"
	"{\"model\":\"virtio\",\"backend\":\"tap\",\"ifname\":\"tap0\",\"mac\":\"56:00:11:22:33:45\"}],"
	"\"serial\":{\"enabled\":true,\"log\":\"serial.log\"},"
	"\"created\":\"2024-05-01T12:00:00Z\",\"modified\":\"2024-05-02T13:30:00Z\"}";

static struct vireo_vmdef *load(const char *text, GError **err)
{
	return vireo_vmdef_from_json(text, strlen(text), "t/machine.json", err);
}

static void test_base_loads(void)
{
	GError *err = NULL;
	struct vireo_vmdef *d = load(base_json, &err);

	T_TRUE(d != NULL);
	T_TRUE(!strcmp(d->name, "full"));
	T_EQ(d->memory_mib, 1024);
	T_EQ(d->cpus, 2);
	T_EQ(d->boot.mode, VIREO_VM_BOOT_KERNEL);
	T_TRUE(!strcmp(d->boot.initrd, "initrd.img"));
	T_EQ(d->boot.n_order, 2);
	T_EQ(d->boot.order[0], VIREO_VM_BOOTDEV_CDROM);
	T_EQ(d->n_disks, 2);
	T_EQ(d->disks[0].format, VIREO_VM_DISK_QCOW2);
	T_EQ(d->disks[1].media, VIREO_VM_MEDIA_CDROM);
	T_TRUE(d->disks[1].read_only);
	T_EQ(d->n_nics, 2);
	T_EQ(d->nics[0].n_forwards, 2);
	T_EQ(d->nics[0].forwards[1].proto, VIREO_VM_FWD_UDP);
	T_EQ(d->nics[0].forwards[0].host_port, 2222);
	T_EQ(d->nics[1].backend, VIREO_VM_NIC_TAP);
	T_TRUE(!strcmp(d->nics[1].ifname, "tap0"));
	T_EQ(d->nics[1].mac[5], 0x45);
	T_EQ(d->created, 1714564800);
	T_TRUE(!d->upgraded);
	vireo_vmdef_free(d);
}

static void test_round_trip(void)
{
	GError *err = NULL;
	struct vireo_vmdef *a = load(base_json, &err), *b, *c;
	char *ja, *jb, *jc;

	T_TRUE(a != NULL);
	ja = vireo_vmdef_to_json(a);
	b = load(ja, &err);
	T_TRUE(b != NULL);
	jb = vireo_vmdef_to_json(b);
	T_TRUE(!strcmp(ja, jb));
	T_EQ(b->created, a->created);
	T_EQ(b->modified, a->modified);
	T_TRUE(!memcmp(b->nics[0].mac, a->nics[0].mac, 6));
	/* A copy serialises the same. */
	c = vireo_vmdef_copy(b);
	jc = vireo_vmdef_to_json(c);
	T_TRUE(!strcmp(ja, jc));
	g_free(ja);
	g_free(jb);
	g_free(jc);
	vireo_vmdef_free(a);
	vireo_vmdef_free(b);
	vireo_vmdef_free(c);
}

static void test_defaults(void)
{
	struct vireo_vmdef *d = vireo_vmdef_new("x"), *e;
	GError *err = NULL;
	char *j;

	T_TRUE(vireo_vmdef_validate(d, NULL, &err));
	T_EQ(d->memory_mib, 512);
	T_EQ(d->cpus, 1);
	T_EQ(d->n_nics, 1);
	T_EQ(d->nics[0].backend, VIREO_VM_NIC_NAT);
	T_EQ(d->nics[0].mac[0], 0x56);
	T_TRUE(g_uuid_string_is_valid(d->uuid));
	T_TRUE(d->serial.enabled);
	/* A fresh definition (no kernel yet) survives the round trip. */
	j = vireo_vmdef_to_json(d);
	e = load(j, &err);
	T_TRUE(e != NULL);
	T_TRUE(e->boot.kernel == NULL);
	T_TRUE(!strcmp(e->uuid, d->uuid));
	g_free(j);
	vireo_vmdef_free(d);
	vireo_vmdef_free(e);
}

static void test_macs_differ(void)
{
	struct vireo_vmdef *a = vireo_vmdef_new("a"), *b = vireo_vmdef_new("b");

	T_TRUE(memcmp(a->nics[0].mac, b->nics[0].mac, 6) != 0);
	T_TRUE(strcmp(a->uuid, b->uuid) != 0);
	vireo_vmdef_free(a);
	vireo_vmdef_free(b);
}

static void test_minimal(void)
{
	GError *err = NULL;
	struct vireo_vmdef *d = load("{\"format\":1,\"name\":\"m\",\"uuid\":"
				     "\"0F8FAD5B-D9CB-469F-A165-70867728950E\",\"memory_mib\":64,"
				     "\"cpus\":1}",
				     &err);

	T_TRUE(d != NULL);
	T_EQ(d->n_disks, 0);
	T_EQ(d->n_nics, 0);
	T_TRUE(!strcmp(d->uuid, "0f8fad5b-d9cb-469f-a165-70867728950e"));
	T_TRUE(!d->serial.enabled);
	vireo_vmdef_free(d);
}

/* ------------------------------------------------------------ format 0 */

static const char v0_json[] = "{\"name\":\"old\",\"memory\":\"256M\",\"cpus\":2,"
			      "\"kernel\":\"bzImage\",\"initrd\":\"initrd.gz\","
			      "\"cmdline\":\"console=ttyS0\","
			      "\"disks\":[\"root.qcow2\",\"data.img\"],\"net\":\"tap:tap7\"}";

static void test_upgrade_v0(void)
{
	GError *err = NULL;
	struct vireo_vmdef *d = load(v0_json, &err), *again;
	char *j;

	T_TRUE(d != NULL);
	T_TRUE(d->upgraded);
	T_TRUE(!strcmp(d->name, "old"));
	T_EQ(d->memory_mib, 256);
	T_EQ(d->cpus, 2);
	T_TRUE(!strcmp(d->boot.kernel, "bzImage"));
	T_TRUE(!strcmp(d->boot.initrd, "initrd.gz"));
	T_EQ(d->n_disks, 2);
	T_EQ(d->disks[0].format, VIREO_VM_DISK_QCOW2);
	T_EQ(d->disks[1].format, VIREO_VM_DISK_RAW);
	T_EQ(d->n_nics, 1);
	T_EQ(d->nics[0].backend, VIREO_VM_NIC_TAP);
	T_TRUE(!strcmp(d->nics[0].ifname, "tap7"));
	T_EQ(d->nics[0].mac[0], 0x56);
	T_TRUE(g_uuid_string_is_valid(d->uuid));
	T_TRUE(d->created > 0);
	/* What it writes back is format 1 and loads without upgrade. */
	j = vireo_vmdef_to_json(d);
	T_STR_CONTAINS(j, "\"format\" : 1");
	again = load(j, &err);
	T_TRUE(again != NULL);
	T_TRUE(!again->upgraded);
	T_TRUE(!strcmp(again->uuid, d->uuid));
	g_free(j);
	vireo_vmdef_free(d);
	vireo_vmdef_free(again);
}

static void test_upgrade_v0_explicit_and_no_net(void)
{
	GError *err = NULL;
	struct vireo_vmdef *d =
		load("{\"format\":0,\"name\":\"o\",\"memory\":\"1G\",\"net\":\"none\"}", &err);

	T_TRUE(d != NULL);
	T_TRUE(d->upgraded);
	T_EQ(d->memory_mib, 1024);
	T_EQ(d->cpus, 1);
	T_EQ(d->n_nics, 0);
	vireo_vmdef_free(d);
	d = load("{\"format\":0,\"name\":\"o\",\"memory\":\"1G\"}", &err);
	T_TRUE(d != NULL);
	T_EQ(d->n_nics, 1);
	T_EQ(d->nics[0].backend, VIREO_VM_NIC_NAT);
	vireo_vmdef_free(d);
}

static void expect_error(const char *text, int code, const char *needle)
{
	GError *err = NULL;
	struct vireo_vmdef *d = load(text, &err);

	if (d) {
		vireo_vmdef_free(d);
		T_TRUE(!"loaded");
	}
	T_TRUE(err != NULL);
	T_EQ(err->code, code);
	T_STR_CONTAINS(err->message, needle);
	g_error_free(err);
}

static void test_upgrade_v0_errors(void)
{
	T_CALL(expect_error("{\"name\":\"o\",\"memory\":\"lots\"}", VIREO_VM_ERROR_INVALID,
			    "t/machine.json: memory:"));
	T_CALL(expect_error("{\"name\":\"o\",\"memory\":\"1000K\"}", VIREO_VM_ERROR_INVALID,
			    "t/machine.json: memory:"));
	T_CALL(expect_error("{\"name\":\"o\"}", VIREO_VM_ERROR_INVALID, "t/machine.json: memory:"));
	T_CALL(expect_error("{\"name\":\"o\",\"memory\":\"1G\",\"net\":\"bridge\"}",
			    VIREO_VM_ERROR_INVALID, "t/machine.json: net:"));
	T_CALL(expect_error("{\"name\":\"o\",\"memory\":\"1G\",\"disks\":[5]}",
			    VIREO_VM_ERROR_INVALID, "t/machine.json: disks[0]:"));
	T_CALL(expect_error("{\"name\":\"o\",\"memory\":\"1G\",\"vga\":true}",
			    VIREO_VM_ERROR_INVALID, "t/machine.json: vga: unknown member"));
	/* The format 1 checks apply after the upgrade. */
	T_CALL(expect_error("{\"name\":\"o\",\"memory\":\"1G\",\"cpus\":0}", VIREO_VM_ERROR_INVALID,
			    "t/machine.json: cpus:"));
}

static void test_newer_format_refused(void)
{
	T_CALL(expect_error("{\"format\":2,\"name\":\"n\"}", VIREO_VM_ERROR_VERSION,
			    "t/machine.json: format: 2 is newer"));
	T_CALL(expect_error("{\"format\":99}", VIREO_VM_ERROR_VERSION, "format: 99"));
}

static void test_not_json(void)
{
	T_CALL(expect_error("{\"format\":1,", VIREO_VM_ERROR_PARSE, "t/machine.json"));
	T_CALL(expect_error("[1,2]", VIREO_VM_ERROR_PARSE, "JSON object"));
	T_CALL(expect_error("", VIREO_VM_ERROR_PARSE, "t/machine.json"));
	T_CALL(expect_error("{\"name\":\"\xff\"}", VIREO_VM_ERROR_PARSE, "UTF-8"));
}

/* ------------------------------------------------------------ malformed fields */

/* Set (value != NULL) or remove the member at path "a.b[1].c" of root. */
static bool mutate(JsonNode *root, const char *path, const char *value)
{
	char **parts = g_strsplit(path, ".", -1);
	JsonNode *cur = root;
	bool ok = false;
	guint i, n = g_strv_length(parts);

	for (i = 0; i < n; i++) {
		char *key = parts[i], *br = strchr(key, '[');
		int idx = -1;
		JsonObject *o;

		if (br) {
			idx = atoi(br + 1);
			*br = 0;
		}
		if (!JSON_NODE_HOLDS_OBJECT(cur))
			goto out;
		o = json_node_get_object(cur);
		if (i == n - 1 && idx < 0) {
			if (value)
				json_object_set_member(o, key, json_from_string(value, NULL));
			else
				json_object_remove_member(o, key);
			ok = true;
			goto out;
		}
		cur = json_object_get_member(o, key);
		if (!cur)
			goto out;
		if (idx >= 0) {
			JsonArray *a;

			if (!JSON_NODE_HOLDS_ARRAY(cur))
				goto out;
			a = json_node_get_array(cur);
			if (i == n - 1) {
				/* Replace an element wholesale. */
				JsonNode *v = json_from_string(value, NULL);

				if ((guint)idx >= json_array_get_length(a))
					json_array_add_element(a, v);
				else {
					json_array_remove_element(a, idx);
					/* json-glib has no insert: append and
					 * accept the changed order (tests use
					 * the last index). */
					json_array_add_element(a, v);
				}
				ok = true;
				goto out;
			}
			if ((guint)idx >= json_array_get_length(a))
				goto out;
			cur = json_array_get_element(a, idx);
		}
	}
out:
	g_strfreev(parts);
	return ok;
}

struct bad_field {
	const char *path;	/* where to change base_json */
	const char *value;	/* JSON text, or NULL to remove the member */
	const char *field;	/* what the error must name */
};

static const struct bad_field bad_fields[] = {
	{ "format", "\"1\"", "format: expected an integer" },
	{ "name", NULL, "name: missing" },
	{ "name", "5", "name: expected a string" },
	{ "name", "\"\"", "name:" },
	{ "name", "\"a b\"", "name:" },
	{ "name", "\".hidden\"", "name:" },
	{ "name", "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"", "name:" },
	{ "uuid", NULL, "uuid: missing" },
	{ "uuid", "\"not-a-uuid\"", "uuid:" },
	{ "memory_mib", NULL, "memory_mib: missing" },
	{ "memory_mib", "8", "memory_mib: 8 is not" },
	{ "memory_mib", "2097152", "memory_mib:" },
	{ "memory_mib", "\"512\"", "memory_mib: expected an integer" },
	{ "memory_mib", "512.5", "memory_mib: expected an integer, found a fraction" },
	{ "cpus", "0", "cpus: 0 is not 1 to 64" },
	{ "cpus", "65", "cpus:" },
	{ "cpus", "true", "cpus: expected an integer" },
	{ "boot", "\"kernel\"", "boot: expected an object" },
	{ "boot.mode", "\"bios\"", "boot.mode: \"bios\" is not one of kernel, firmware" },
	{ "boot.kernel", "5", "boot.kernel: expected a string" },
	{ "boot.kernel", "\"\"", "boot.kernel:" },
	{ "boot.initrd", "[]", "boot.initrd:" },
	{ "boot.cmdline", "{}", "boot.cmdline:" },
	{ "boot.order", "\"disk\"", "boot.order: expected an array" },
	{ "boot.order", "[\"floppy\"]", "boot.order[0]: \"floppy\"" },
	{ "boot.order", "[\"disk\",\"disk\"]", "boot.order[1]: \"disk\" appears twice" },
	{ "boot.order", "[\"disk\",\"cdrom\",\"net\",\"disk\"]", "boot.order: more than" },
	{ "boot.order", "[1]", "boot.order[0]: expected a string" },
	{ "boot.speed", "1", "boot.speed: unknown member" },
	{ "disks", "{}", "disks: expected an array" },
	{ "disks[2]", "\"x.img\"", "disks[2]: expected an object" },
	{ "disks[0].path", NULL, "disks[0].path: missing" },
	{ "disks[0].path", "\"\"", "disks[0].path: not a path" },
	{ "disks[0].path", "\"a\\u0001b\"", "disks[0].path: not a path" },
	{ "disks[0].path", "\"/iso/debian.iso\"", "disks[1].path: \"/iso/debian.iso\" is also" },
	{ "disks[0].format", "\"qcow3\"", "disks[0].format: \"qcow3\" is not one of raw, qcow2" },
	{ "disks[0].media", "\"tape\"", "disks[0].media:" },
	{ "disks[0].read_only", "\"yes\"", "disks[0].read_only: expected true or false" },
	{ "disks[1].read_only", "false", "disks[1].read_only: a cdrom is always read-only" },
	{ "disks[0].cache", "\"none\"", "disks[0].cache: unknown member" },
	{ "nics", "[1]", "nics[0]: expected an object" },
	{ "nics[0].model", "\"e1000\"", "nics[0].model: \"e1000\" is not one of virtio" },
	{ "nics[0].backend", "\"bridge\"", "nics[0].backend:" },
	{ "nics[0].mac", NULL, "nics[0].mac: missing" },
	{ "nics[0].mac", "\"zz:00:11:22:33:44\"", "nics[0].mac:" },
	{ "nics[0].mac", "\"57:00:11:22:33:44\"", "nics[0].mac: not a unicast address" },
	{ "nics[0].mac", "\"00:00:00:00:00:00\"", "nics[0].mac: not a unicast address" },
	{ "nics[0].mac", "\"56:00:11:22:33:45\"", "nics[1].mac: the same as nics[0].mac" },
	{ "nics[0].ifname", "\"tap9\"", "nics[0].ifname: only a tap NIC" },
	{ "nics[1].ifname", NULL, "nics[1].ifname: a tap NIC needs" },
	{ "nics[1].ifname", "\"averyveryverylongname\"", "nics[1].ifname:" },
	{ "nics[1].ifname", "\"a/b\"", "nics[1].ifname:" },
	{ "nics[1].forwards", "[{\"host_port\":1,\"guest_port\":2}]",
	  "nics[1].forwards: port forwards need the nat backend" },
	{ "nics[0].forwards", "{}", "nics[0].forwards: expected an array" },
	{ "nics[0].forwards[0].proto", "\"sctp\"", "nics[0].forwards[0].proto:" },
	{ "nics[0].forwards[0].host_addr", "\"localhost\"", "nics[0].forwards[0].host_addr:" },
	{ "nics[0].forwards[0].host_port", "0", "nics[0].forwards[0].host_port: 0 is not 1" },
	{ "nics[0].forwards[0].host_port", "65536", "nics[0].forwards[0].host_port:" },
	{ "nics[0].forwards[0].host_port", NULL, "nics[0].forwards[0].host_port: missing" },
	{ "nics[0].forwards[0].guest_port", "\"22\"", "nics[0].forwards[0].guest_port:" },
	{ "nics[0].forwards[0].guest_port", "-1", "nics[0].forwards[0].guest_port:" },
	{ "nics[0].forwards[0].extra", "1", "nics[0].forwards[0].extra: unknown member" },
	{ "nics[0].forwards[2]",
	  "{\"proto\":\"tcp\",\"host_addr\":\"127.0.0.1\",\"host_port\":2222,\"guest_port\":80}",
	  "nics[0].forwards[2].host_port: tcp port 2222 is forwarded twice" },
	{ "nics[0].forwards[2]",
	  "{\"proto\":\"udp\",\"host_addr\":\"127.0.0.1\",\"host_port\":5353,\"guest_port\":1}",
	  "nics[0].forwards[2].host_port: udp port 5353 is forwarded twice" },
	{ "nics[2]",
	  "{\"mac\":\"56:00:11:22:33:46\",\"forwards\":[{\"host_port\":2222,\"guest_port\":1}]}",
	  "nics[2].forwards[0].host_port: tcp port 2222 is forwarded twice" },
	{ "nics[0].vlan", "3", "nics[0].vlan: unknown member" },
	{ "serial", "true", "serial: expected an object" },
	{ "serial.enabled", "\"yes\"", "serial.enabled: expected true or false" },
	{ "serial.log", "5", "serial.log: expected a string or null" },
	{ "serial.log", "\"\"", "serial.log: not a path" },
	{ "serial.baud", "9600", "serial.baud: unknown member" },
	{ "created", "\"yesterday\"", "created: \"yesterday\" is not an ISO 8601 time" },
	{ "modified", "5", "modified: expected a string" },
	{ "colour", "\"blue\"", "colour: unknown member" },
};

static void test_malformed_fields(void)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(bad_fields); i++) {
		const struct bad_field *b = &bad_fields[i];
		JsonNode *root = json_from_string(base_json, NULL);
		GError *err = NULL;
		struct vireo_vmdef *d;
		char *text, *want;

		T_TRUE(root != NULL);
		if (!mutate(root, b->path, b->value)) {
			json_node_unref(root);
			vireo_test_fail(__FILE__, __LINE__, "case %zu: cannot change %s", i,
					b->path);
			return;
		}
		text = json_to_string(root, FALSE);
		json_node_unref(root);
		d = load(text, &err);
		g_free(text);
		if (d) {
			vireo_vmdef_free(d);
			vireo_test_fail(__FILE__, __LINE__, "case %zu (%s = %s) loaded", i, b->path,
					b->value ? b->value : "(removed)");
			return;
		}
		want = g_strconcat("t/machine.json: ", b->field, NULL);
		if (!strstr(err->message, want)) {
			vireo_test_fail(__FILE__, __LINE__, "case %zu (%s): \"%s\" lacks \"%s\"", i,
					b->path, err->message, want);
			g_free(want);
			g_error_free(err);
			return;
		}
		g_free(want);
		g_error_free(err);
	}
}

/* ------------------------------------------------------------ small parsers */

static void test_names(void)
{
	T_TRUE(vireo_vm_name_valid("deb"));
	T_TRUE(vireo_vm_name_valid("Deb-12.2_x"));
	T_TRUE(vireo_vm_name_valid("0"));
	T_TRUE(!vireo_vm_name_valid(""));
	T_TRUE(!vireo_vm_name_valid(".x"));
	T_TRUE(!vireo_vm_name_valid("-x"));
	T_TRUE(!vireo_vm_name_valid("a/b"));
	T_TRUE(!vireo_vm_name_valid(".."));
	T_TRUE(!vireo_vm_name_valid("a b"));
	T_TRUE(!vireo_vm_name_valid("é"));
	T_TRUE(!vireo_vm_name_valid(NULL));
}

static void test_mac(void)
{
	uint8_t mac[6];
	char s[18];

	T_TRUE(vireo_vm_mac_parse("56:aB:00:11:22:ff", mac));
	T_EQ(mac[1], 0xab);
	T_EQ(mac[5], 0xff);
	vireo_vm_mac_format(mac, s);
	T_TRUE(!strcmp(s, "56:ab:00:11:22:ff"));
	T_TRUE(!vireo_vm_mac_parse("56:ab:00:11:22", mac));
	T_TRUE(!vireo_vm_mac_parse("56-ab-00-11-22-ff", mac));
	T_TRUE(!vireo_vm_mac_parse("56:ab:00:11:22:fff", mac));
	T_TRUE(!vireo_vm_mac_parse("5g:ab:00:11:22:ff", mac));
	vireo_vm_mac_generate(mac);
	T_EQ(mac[0], 0x56);
}

static void test_size(void)
{
	uint64_t v;

	T_TRUE(vireo_vm_parse_size("512M", &v));
	T_EQ(v, 512ULL << 20);
	T_TRUE(vireo_vm_parse_size("2GiB", &v));
	T_EQ(v, 2ULL << 30);
	T_TRUE(vireo_vm_parse_size("1t", &v));
	T_EQ(v, 1ULL << 40);
	T_TRUE(vireo_vm_parse_size("4096", &v));
	T_EQ(v, 4096);
	T_TRUE(!vireo_vm_parse_size("0", &v));
	T_TRUE(!vireo_vm_parse_size("-1G", &v));
	T_TRUE(!vireo_vm_parse_size("1X", &v));
	T_TRUE(!vireo_vm_parse_size("1GG", &v));
	T_TRUE(!vireo_vm_parse_size("99999999999T", &v));
	T_TRUE(!vireo_vm_parse_size("", &v));
}

static void test_edit_limits(void)
{
	struct vireo_vmdef *d = vireo_vmdef_new("x");
	struct vireo_vm_disk disk = { .path = "d.img" };
	struct vireo_vm_nic nic = { .model = "virtio" };
	GError *err = NULL;
	unsigned int i;

	for (i = 0; i < VIREO_VM_DISKS_MAX; i++) {
		char p[16];

		snprintf(p, sizeof(p), "d%u.img", i);
		disk.path = p;
		T_TRUE(vireo_vmdef_add_disk(d, &disk, &err));
	}
	T_TRUE(!vireo_vmdef_add_disk(d, &disk, &err));
	T_STR_CONTAINS(err->message, "disks:");
	g_clear_error(&err);
	while (d->n_nics < VIREO_VM_NICS_MAX)
		T_TRUE(vireo_vmdef_add_nic(d, &nic, &err));
	T_TRUE(!vireo_vmdef_add_nic(d, &nic, &err));
	g_clear_error(&err);
	T_TRUE(vireo_vmdef_validate(d, NULL, &err));
	vireo_vmdef_remove_disk(d, 0);
	T_EQ(d->n_disks, VIREO_VM_DISKS_MAX - 1);
	T_TRUE(!strcmp(d->disks[0].path, "d1.img"));
	vireo_vmdef_remove_nic(d, 3);
	T_EQ(d->n_nics, VIREO_VM_NICS_MAX - 1);
	vireo_vmdef_free(d);
}

static const struct vireo_test vireo_tests_vmdef[] = {
	VIREO_TEST(test_base_loads),
	VIREO_TEST(test_round_trip),
	VIREO_TEST(test_defaults),
	VIREO_TEST(test_macs_differ),
	VIREO_TEST(test_minimal),
	VIREO_TEST(test_upgrade_v0),
	VIREO_TEST(test_upgrade_v0_explicit_and_no_net),
	VIREO_TEST(test_upgrade_v0_errors),
	VIREO_TEST(test_newer_format_refused),
	VIREO_TEST(test_not_json),
	VIREO_TEST(test_malformed_fields),
	VIREO_TEST(test_names),
	VIREO_TEST(test_mac),
	VIREO_TEST(test_size),
	VIREO_TEST(test_edit_limits),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(vmdef, vireo_tests_vmdef);
