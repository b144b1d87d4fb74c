// SPDX-License-Identifier: GPL-2.0
/*
 * machine.json: parse (strictly: every member known, every type checked,
 * every error naming the field), upgrade older formats, and write.
 * docs/vm-definition.md is the reference; keep the two in step.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "vmdef.h"

/* What the parser knows about the current file, for messages. */
struct rd {
	const char *what;	/* file name or NULL */
	GError **error;
};

static bool __attribute__((format(printf, 3, 4)))
rd_fail(struct rd *rd, const char *field, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(rd->error, VIREO_VM_ERROR, VIREO_VM_ERROR_INVALID, "%s%s%s: %s",
		    rd->what ? rd->what : "", rd->what ? ": " : "", field, msg);
	g_free(msg);
	return false;
}

/* "disks[1]" + "format" → "disks[1].format"; static buffer per call site is
 * not enough for nesting, so the caller owns a small array. */
#define FIELD_MAX 128
#define PREFIX_MAX 48	/* "nics[7].forwards[63]" and the like */
static const char *field_of(char buf[FIELD_MAX], const char *prefix, const char *key)
{
	if (prefix && *prefix)
		snprintf(buf, FIELD_MAX, "%s.%s", prefix, key);
	else
		snprintf(buf, FIELD_MAX, "%s", key);
	return buf;
}

static const char *node_type_name(JsonNode *n)
{
	if (JSON_NODE_HOLDS_NULL(n))
		return "null";
	if (JSON_NODE_HOLDS_OBJECT(n))
		return "an object";
	if (JSON_NODE_HOLDS_ARRAY(n))
		return "an array";
	switch (json_node_get_value_type(n)) {
	case G_TYPE_STRING:
		return "a string";
	case G_TYPE_BOOLEAN:
		return "a boolean";
	case G_TYPE_INT64:
		return "an integer";
	case G_TYPE_DOUBLE:
		return "a fraction";
	default:
		return "something else";
	}
}

/* Refuse members that are not in the NULL-terminated list 'known'. */
static bool check_members(struct rd *rd, JsonObject *o, const char *prefix,
			  const char *const *known)
{
	JsonObjectIter it;
	const char *key;
	JsonNode *n;
	char f[FIELD_MAX];

	json_object_iter_init(&it, o);
	while (json_object_iter_next(&it, &key, &n)) {
		const char *const *k;

		for (k = known; *k && strcmp(*k, key); k++)
			;
		if (!*k)
			return rd_fail(rd, field_of(f, prefix, key), "unknown member");
	}
	return true;
}

/*
 * Typed getters.  Each returns false (error set) when the member has the
 * wrong type, or is missing and 'required'; a missing optional member
 * leaves *out alone (the caller put the default there).
 */
static bool get_string(struct rd *rd, JsonObject *o, const char *prefix, const char *key,
		       bool required, bool nullable, char **out)
{
	JsonNode *n = json_object_get_member(o, key);
	char f[FIELD_MAX];

	if (!n) {
		if (required)
			return rd_fail(rd, field_of(f, prefix, key), "missing");
		return true;
	}
	if (nullable && JSON_NODE_HOLDS_NULL(n)) {
		g_free(*out);
		*out = NULL;
		return true;
	}
	if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
		return rd_fail(rd, field_of(f, prefix, key), "expected a string%s, found %s",
			       nullable ? " or null" : "", node_type_name(n));
	g_free(*out);
	*out = g_strdup(json_node_get_string(n));
	return true;
}

static bool get_int(struct rd *rd, JsonObject *o, const char *prefix, const char *key,
		    bool required, int64_t min, int64_t max, int64_t *out)
{
	JsonNode *n = json_object_get_member(o, key);
	char f[FIELD_MAX];
	int64_t v;

	if (!n) {
		if (required)
			return rd_fail(rd, field_of(f, prefix, key), "missing");
		return true;
	}
	if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64)
		return rd_fail(rd, field_of(f, prefix, key), "expected an integer, found %s",
			       node_type_name(n));
	v = json_node_get_int(n);
	if (v < min || v > max)
		return rd_fail(rd, field_of(f, prefix, key),
			       "%" G_GINT64_FORMAT " is not %" G_GINT64_FORMAT
			       " to %" G_GINT64_FORMAT,
			       v, min, max);
	*out = v;
	return true;
}

static bool get_bool(struct rd *rd, JsonObject *o, const char *prefix, const char *key,
		     bool *out)
{
	JsonNode *n = json_object_get_member(o, key);
	char f[FIELD_MAX];

	if (!n)
		return true;
	if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_BOOLEAN)
		return rd_fail(rd, field_of(f, prefix, key), "expected true or false, found %s",
			       node_type_name(n));
	*out = json_node_get_boolean(n);
	return true;
}

/* An optional member that must be an object / array when present. */
static bool get_object(struct rd *rd, JsonObject *o, const char *prefix, const char *key,
		       JsonObject **out)
{
	JsonNode *n = json_object_get_member(o, key);
	char f[FIELD_MAX];

	*out = NULL;
	if (!n)
		return true;
	if (!JSON_NODE_HOLDS_OBJECT(n))
		return rd_fail(rd, field_of(f, prefix, key), "expected an object, found %s",
			       node_type_name(n));
	*out = json_node_get_object(n);
	return true;
}

static bool get_array(struct rd *rd, JsonObject *o, const char *prefix, const char *key,
		      unsigned int max, JsonArray **out)
{
	JsonNode *n = json_object_get_member(o, key);
	char f[FIELD_MAX];

	*out = NULL;
	if (!n)
		return true;
	if (!JSON_NODE_HOLDS_ARRAY(n))
		return rd_fail(rd, field_of(f, prefix, key), "expected an array, found %s",
			       node_type_name(n));
	*out = json_node_get_array(n);
	if (json_array_get_length(*out) > max)
		return rd_fail(rd, field_of(f, prefix, key), "more than %u entries", max);
	return true;
}

/* A string member that must name one of an enum's values. */
static bool get_enum(struct rd *rd, JsonObject *o, const char *prefix, const char *key,
		     int (*from_name)(const char *), const char *choices, int *out)
{
	char *s = NULL;
	char f[FIELD_MAX];
	int v;

	if (!get_string(rd, o, prefix, key, false, false, &s))
		return false;
	if (!s)
		return true;
	v = from_name(s);
	if (v < 0) {
		rd_fail(rd, field_of(f, prefix, key), "\"%s\" is not one of %s", s, choices);
		g_free(s);
		return false;
	}
	g_free(s);
	*out = v;
	return true;
}

static bool get_time(struct rd *rd, JsonObject *o, const char *key, int64_t *out)
{
	char *s = NULL;
	GDateTime *t;

	if (!get_string(rd, o, NULL, key, false, false, &s))
		return false;
	if (!s)
		return true;
	t = g_date_time_new_from_iso8601(s, NULL);
	if (!t) {
		rd_fail(rd, key, "\"%s\" is not an ISO 8601 time such as 2024-05-01T12:00:00Z", s);
		g_free(s);
		return false;
	}
	*out = g_date_time_to_unix(t);
	g_date_time_unref(t);
	g_free(s);
	return true;
}

/* ------------------------------------------------------------ v1 parse */

static bool parse_boot(struct rd *rd, JsonObject *o, struct vireo_vm_boot *b)
{
	static const char *const known[] = { "mode", "kernel", "initrd", "cmdline", "order", NULL };
	JsonArray *order;
	int mode = b->mode;
	unsigned int i;

	if (!check_members(rd, o, "boot", known))
		return false;
	if (!get_enum(rd, o, "boot", "mode", vireo_vm_boot_mode_from_name, "kernel, firmware",
		      &mode))
		return false;
	b->mode = mode;
	if (!get_string(rd, o, "boot", "kernel", false, true, &b->kernel) ||
	    !get_string(rd, o, "boot", "initrd", false, true, &b->initrd) ||
	    !get_string(rd, o, "boot", "cmdline", false, true, &b->cmdline))
		return false;
	if (!get_array(rd, o, "boot", "order", VIREO_VM_BOOTDEV_COUNT, &order))
		return false;
	if (!order)
		return true;
	b->n_order = 0;
	for (i = 0; i < json_array_get_length(order); i++) {
		JsonNode *n = json_array_get_element(order, i);
		char f[FIELD_MAX];
		int d;

		snprintf(f, sizeof(f), "boot.order[%u]", i);
		if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
			return rd_fail(rd, f, "expected a string, found %s", node_type_name(n));
		d = vireo_vm_boot_device_from_name(json_node_get_string(n));
		if (d < 0)
			return rd_fail(rd, f, "\"%s\" is not one of disk, cdrom, net",
				       json_node_get_string(n));
		b->order[b->n_order++] = d;
	}
	return true;
}

static bool parse_disk(struct rd *rd, JsonNode *n, unsigned int i, struct vireo_vm_disk *d)
{
	static const char *const known[] = { "path", "format", "media", "read_only", NULL };
	char prefix[PREFIX_MAX];
	JsonObject *o;
	int format = VIREO_VM_DISK_RAW, media = VIREO_VM_MEDIA_DISK;
	bool ro = false;

	snprintf(prefix, sizeof(prefix), "disks[%u]", i);
	if (!JSON_NODE_HOLDS_OBJECT(n))
		return rd_fail(rd, prefix, "expected an object, found %s", node_type_name(n));
	o = json_node_get_object(n);
	if (!check_members(rd, o, prefix, known) ||
	    !get_string(rd, o, prefix, "path", true, false, &d->path) ||
	    !get_enum(rd, o, prefix, "format", vireo_vm_disk_format_from_name, "raw, qcow2",
		      &format) ||
	    !get_enum(rd, o, prefix, "media", vireo_vm_disk_media_from_name, "disk, cdrom", &media) ||
	    !get_bool(rd, o, prefix, "read_only", &ro))
		return false;
	d->format = format;
	d->media = media;
	/* A cdrom without "read_only" is read-only; one that says false is an
	 * error the validator names. */
	d->read_only = media == VIREO_VM_MEDIA_CDROM && !json_object_has_member(o, "read_only") ?
			       true :
			       ro;
	return true;
}

static bool parse_forward(struct rd *rd, JsonNode *n, const char *prefix,
			  struct vireo_vm_forward *f)
{
	static const char *const known[] = { "proto", "host_addr", "host_port", "guest_port",
					     NULL };
	JsonObject *o;
	int proto = VIREO_VM_FWD_TCP;
	int64_t hp = 0, gp = 0;

	if (!JSON_NODE_HOLDS_OBJECT(n))
		return rd_fail(rd, prefix, "expected an object, found %s", node_type_name(n));
	o = json_node_get_object(n);
	f->host_addr = g_strdup("127.0.0.1");
	if (!check_members(rd, o, prefix, known) ||
	    !get_enum(rd, o, prefix, "proto", vireo_vm_fwd_proto_from_name, "tcp, udp", &proto) ||
	    !get_string(rd, o, prefix, "host_addr", false, false, &f->host_addr) ||
	    !get_int(rd, o, prefix, "host_port", true, 1, 65535, &hp) ||
	    !get_int(rd, o, prefix, "guest_port", true, 1, 65535, &gp))
		return false;
	f->proto = proto;
	f->host_port = hp;
	f->guest_port = gp;
	return true;
}

static bool parse_nic(struct rd *rd, JsonNode *n, unsigned int i, struct vireo_vm_nic *nic)
{
	static const char *const known[] = { "model", "backend", "ifname", "mac", "forwards",
					     NULL };
	char prefix[PREFIX_MAX], f[FIELD_MAX], fp[PREFIX_MAX + 24];
	JsonArray *fwds;
	JsonObject *o;
	char *mac = NULL;
	int backend = VIREO_VM_NIC_NAT;
	unsigned int j;

	snprintf(prefix, sizeof(prefix), "nics[%u]", i);
	if (!JSON_NODE_HOLDS_OBJECT(n))
		return rd_fail(rd, prefix, "expected an object, found %s", node_type_name(n));
	o = json_node_get_object(n);
	nic->model = g_strdup("virtio");
	if (!check_members(rd, o, prefix, known) ||
	    !get_string(rd, o, prefix, "model", false, false, &nic->model) ||
	    !get_enum(rd, o, prefix, "backend", vireo_vm_nic_backend_from_name, "nat, tap",
		      &backend) ||
	    !get_string(rd, o, prefix, "ifname", false, true, &nic->ifname) ||
	    !get_string(rd, o, prefix, "mac", true, false, &mac))
		return false;
	nic->backend = backend;
	if (!vireo_vm_mac_parse(mac, nic->mac)) {
		rd_fail(rd, field_of(f, prefix, "mac"),
			"\"%s\" is not a MAC address such as 56:12:34:56:78:9a", mac);
		g_free(mac);
		return false;
	}
	g_free(mac);
	if (!get_array(rd, o, prefix, "forwards", VIREO_VM_FORWARDS_MAX, &fwds))
		return false;
	if (!fwds)
		return true;
	nic->forwards = g_new0(struct vireo_vm_forward, json_array_get_length(fwds) + 1);
	for (j = 0; j < json_array_get_length(fwds); j++) {
		snprintf(fp, sizeof(fp), "%s.forwards[%u]", prefix, j);
		nic->n_forwards++;	/* counted first so that free sees host_addr */
		if (!parse_forward(rd, json_array_get_element(fwds, j), fp, &nic->forwards[j]))
			return false;
	}
	return true;
}

static bool parse_serial(struct rd *rd, JsonObject *o, struct vireo_vm_serial *s)
{
	static const char *const known[] = { "enabled", "log", NULL };

	return check_members(rd, o, "serial", known) &&
	       get_bool(rd, o, "serial", "enabled", &s->enabled) &&
	       get_string(rd, o, "serial", "log", false, true, &s->log);
}

static struct vireo_vmdef *parse_v1(struct rd *rd, JsonObject *root)
{
	static const char *const known[] = { "format", "name", "uuid", "memory_mib", "cpus",
					     "boot", "disks", "nics", "serial", "created",
					     "modified", NULL };
	struct vireo_vmdef *def = g_new0(struct vireo_vmdef, 1);
	JsonObject *boot, *serial;
	JsonArray *disks, *nics;
	char *uuid = NULL;
	int64_t mem = 0, cpus = 0;
	unsigned int i;

	def->boot.mode = VIREO_VM_BOOT_KERNEL;
	def->disks = g_new0(struct vireo_vm_disk, 1);
	def->nics = g_new0(struct vireo_vm_nic, 1);
	if (!check_members(rd, root, NULL, known) ||
	    !get_string(rd, root, NULL, "name", true, false, &def->name) ||
	    !get_string(rd, root, NULL, "uuid", true, false, &uuid))
		goto fail;
	if (!g_uuid_string_is_valid(uuid)) {
		rd_fail(rd, "uuid", "\"%s\" is not a UUID", uuid);
		goto fail;
	}
	g_strlcpy(def->uuid, uuid, sizeof(def->uuid));
	/* UUIDs are compared as text; keep one spelling. */
	for (i = 0; def->uuid[i]; i++)
		def->uuid[i] = g_ascii_tolower(def->uuid[i]);
	if (!get_int(rd, root, NULL, "memory_mib", true, VIREO_VM_MEM_MIN_MIB,
		     VIREO_VM_MEM_MAX_MIB, &mem) ||
	    !get_int(rd, root, NULL, "cpus", true, 1, VIREO_VM_CPUS_MAX, &cpus))
		goto fail;
	def->memory_mib = mem;
	def->cpus = cpus;

	if (!get_object(rd, root, NULL, "boot", &boot) || (boot && !parse_boot(rd, boot, &def->boot)))
		goto fail;

	if (!get_array(rd, root, NULL, "disks", VIREO_VM_DISKS_MAX, &disks))
		goto fail;
	if (disks) {
		def->disks = g_renew(struct vireo_vm_disk, def->disks,
				     json_array_get_length(disks) + 1);
		for (i = 0; i < json_array_get_length(disks); i++) {
			memset(&def->disks[i], 0, sizeof(def->disks[i]));
			def->n_disks++;
			if (!parse_disk(rd, json_array_get_element(disks, i), i, &def->disks[i]))
				goto fail;
		}
	}

	if (!get_array(rd, root, NULL, "nics", VIREO_VM_NICS_MAX, &nics))
		goto fail;
	if (nics) {
		def->nics = g_renew(struct vireo_vm_nic, def->nics, json_array_get_length(nics) + 1);
		for (i = 0; i < json_array_get_length(nics); i++) {
			memset(&def->nics[i], 0, sizeof(def->nics[i]));
			def->n_nics++;
			if (!parse_nic(rd, json_array_get_element(nics, i), i, &def->nics[i]))
				goto fail;
		}
	}

	if (!get_object(rd, root, NULL, "serial", &serial) ||
	    (serial && !parse_serial(rd, serial, &def->serial)))
		goto fail;
	if (!get_time(rd, root, "created", &def->created) ||
	    !get_time(rd, root, "modified", &def->modified))
		goto fail;
	if (!vireo_vmdef_validate(def, rd->what, rd->error))
		goto fail;
	g_free(uuid);
	return def;
fail:
	g_free(uuid);
	vireo_vmdef_free(def);
	return NULL;
}

/* ------------------------------------------------------------ v0 upgrade */

/*
 * Format 0 was the flat development format (docs/vm-definition.md, "Format
 * 0"): memory as a size string, kernel/initrd/cmdline at the top, disks as
 * an array of paths, "net" as "nat", "tap:IFNAME" or "none"; no UUID, no
 * MACs, no times.  Upgrading builds the format 1 object, generating what
 * format 0 lacked; the format 1 parser then checks everything.
 */
static JsonObject *upgrade_v0(struct rd *rd, JsonObject *v0)
{
	static const char *const known[] = { "format", "name", "memory", "cpus", "kernel",
					     "initrd", "cmdline", "disks", "net", NULL };
	JsonObject *v1 = json_object_new(), *boot = json_object_new();
	char *memory = NULL, *net = NULL, *uuid = g_uuid_string_random();
	JsonArray *disks = NULL;
	JsonNode *n;
	uint64_t bytes;
	unsigned int i;
	GDateTime *now = g_date_time_new_now_utc();
	char *stamp = g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");

	g_date_time_unref(now);
	if (!check_members(rd, v0, NULL, known))
		goto fail;
	json_object_set_int_member(v1, "format", 1);
	if ((n = json_object_get_member(v0, "name")))
		json_object_set_member(v1, "name", json_node_copy(n));
	json_object_set_string_member(v1, "uuid", uuid);
	if (!get_string(rd, v0, NULL, "memory", true, false, &memory))
		goto fail;
	if (!vireo_vm_parse_size(memory, &bytes) || bytes % (1024 * 1024)) {
		rd_fail(rd, "memory", "\"%s\" is not a whole number of MiB such as 512M or 2G",
			memory);
		goto fail;
	}
	json_object_set_int_member(v1, "memory_mib", bytes >> 20);
	if ((n = json_object_get_member(v0, "cpus")))
		json_object_set_member(v1, "cpus", json_node_copy(n));
	else
		json_object_set_int_member(v1, "cpus", 1);

	json_object_set_string_member(boot, "mode", "kernel");
	if ((n = json_object_get_member(v0, "kernel")))
		json_object_set_member(boot, "kernel", json_node_copy(n));
	if ((n = json_object_get_member(v0, "initrd")))
		json_object_set_member(boot, "initrd", json_node_copy(n));
	if ((n = json_object_get_member(v0, "cmdline")))
		json_object_set_member(boot, "cmdline", json_node_copy(n));
	json_object_set_object_member(v1, "boot", boot);
	boot = NULL;

	if (!get_array(rd, v0, NULL, "disks", VIREO_VM_DISKS_MAX, &disks))
		goto fail;
	if (disks) {
		JsonArray *out = json_array_new();

		json_object_set_array_member(v1, "disks", out);
		for (i = 0; i < json_array_get_length(disks); i++) {
			JsonNode *e = json_array_get_element(disks, i);
			JsonObject *d;
			const char *path;
			char f[FIELD_MAX];

			snprintf(f, sizeof(f), "disks[%u]", i);
			if (!JSON_NODE_HOLDS_VALUE(e) || json_node_get_value_type(e) != G_TYPE_STRING) {
				rd_fail(rd, f, "expected a string, found %s", node_type_name(e));
				goto fail;
			}
			path = json_node_get_string(e);
			d = json_object_new();
			json_object_set_string_member(d, "path", path);
			json_object_set_string_member(d, "format",
						      g_str_has_suffix(path, ".qcow2") ? "qcow2" :
											 "raw");
			json_array_add_object_element(out, d);
		}
	}

	if (!get_string(rd, v0, NULL, "net", false, false, &net))
		goto fail;
	if (!net || strcmp(net, "none")) {
		JsonArray *nics = json_array_new();
		JsonObject *nic = json_object_new();
		uint8_t mac[6];
		char macs[18];

		vireo_vm_mac_generate(mac);
		vireo_vm_mac_format(mac, macs);
		json_object_set_string_member(nic, "mac", macs);
		json_array_add_object_element(nics, nic);
		json_object_set_array_member(v1, "nics", nics);
		if (!net || !strcmp(net, "nat")) {
			json_object_set_string_member(nic, "backend", "nat");
		} else if (g_str_has_prefix(net, "tap:")) {
			json_object_set_string_member(nic, "backend", "tap");
			json_object_set_string_member(nic, "ifname", net + 4);
		} else {
			rd_fail(rd, "net", "\"%s\" is not one of nat, tap:IFNAME, none", net);
			goto fail;
		}
	}
	json_object_set_string_member(v1, "created", stamp);
	json_object_set_string_member(v1, "modified", stamp);
	g_free(memory);
	g_free(net);
	g_free(uuid);
	g_free(stamp);
	return v1;
fail:
	if (boot)
		json_object_unref(boot);
	json_object_unref(v1);
	g_free(memory);
	g_free(net);
	g_free(uuid);
	g_free(stamp);
	return NULL;
}

/* ------------------------------------------------------------ entry points */

struct vireo_vmdef *vireo_vmdef_from_json(const char *text, size_t len, const char *what,
					  GError **error)
{
	struct rd rd = { .what = what, .error = error };
	JsonParser *parser = json_parser_new_immutable();
	struct vireo_vmdef *def = NULL;
	JsonObject *root, *upgraded = NULL;
	GError *perr = NULL;
	int64_t format = 0;
	JsonNode *n;

	if (len > G_MAXSSIZE || !g_utf8_validate(text, len, NULL)) {
		g_set_error(error, VIREO_VM_ERROR, VIREO_VM_ERROR_PARSE, "%s%snot UTF-8 text",
			    what ? what : "", what ? ": " : "");
		goto out;
	}
	if (!json_parser_load_from_data(parser, text, len, &perr)) {
		g_set_error(error, VIREO_VM_ERROR, VIREO_VM_ERROR_PARSE, "%s%s%s",
			    what ? what : "", what ? ": " : "", perr->message);
		g_error_free(perr);
		goto out;
	}
	n = json_parser_get_root(parser);
	if (!n || !JSON_NODE_HOLDS_OBJECT(n)) {
		g_set_error(error, VIREO_VM_ERROR, VIREO_VM_ERROR_PARSE,
			    "%s%sexpected a JSON object at the top", what ? what : "",
			    what ? ": " : "");
		goto out;
	}
	root = json_node_get_object(n);
	/* A file without "format" predates versioning: format 0. */
	if (!get_int(&rd, root, NULL, "format", false, 0, G_MAXINT64, &format))
		goto out;
	if (format > VIREO_VMDEF_FORMAT) {
		g_set_error(error, VIREO_VM_ERROR, VIREO_VM_ERROR_VERSION,
			    "%s%sformat: %" G_GINT64_FORMAT
			    " is newer than this Vireo understands (%d); use a newer vireo",
			    what ? what : "", what ? ": " : "", format, VIREO_VMDEF_FORMAT);
		goto out;
	}
	if (format == 0) {
		upgraded = upgrade_v0(&rd, root);
		if (!upgraded)
			goto out;
		root = upgraded;
	}
	def = parse_v1(&rd, root);
	if (def && upgraded)
		def->upgraded = true;
out:
	if (upgraded)
		json_object_unref(upgraded);
	g_object_unref(parser);
	return def;
}

static void add_string_or_null(JsonBuilder *b, const char *key, const char *v)
{
	json_builder_set_member_name(b, key);
	if (v)
		json_builder_add_string_value(b, v);
	else
		json_builder_add_null_value(b);
}

static void add_time(JsonBuilder *b, const char *key, int64_t t)
{
	GDateTime *dt = g_date_time_new_from_unix_utc(t);
	char *s = dt ? g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ") : g_strdup("1970-01-01T00:00:00Z");

	json_builder_set_member_name(b, key);
	json_builder_add_string_value(b, s);
	g_free(s);
	if (dt)
		g_date_time_unref(dt);
}

char *vireo_vmdef_to_json(const struct vireo_vmdef *def)
{
	JsonBuilder *b = json_builder_new_immutable();
	JsonGenerator *gen;
	JsonNode *root;
	unsigned int i, j;
	char *text, *out;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "format");
	json_builder_add_int_value(b, VIREO_VMDEF_FORMAT);
	json_builder_set_member_name(b, "name");
	json_builder_add_string_value(b, def->name);
	json_builder_set_member_name(b, "uuid");
	json_builder_add_string_value(b, def->uuid);
	json_builder_set_member_name(b, "memory_mib");
	json_builder_add_int_value(b, def->memory_mib);
	json_builder_set_member_name(b, "cpus");
	json_builder_add_int_value(b, def->cpus);

	json_builder_set_member_name(b, "boot");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "mode");
	json_builder_add_string_value(b, vireo_vm_boot_mode_name(def->boot.mode));
	add_string_or_null(b, "kernel", def->boot.kernel);
	add_string_or_null(b, "initrd", def->boot.initrd);
	add_string_or_null(b, "cmdline", def->boot.cmdline);
	json_builder_set_member_name(b, "order");
	json_builder_begin_array(b);
	for (i = 0; i < def->boot.n_order; i++)
		json_builder_add_string_value(b, vireo_vm_boot_device_name(def->boot.order[i]));
	json_builder_end_array(b);
	json_builder_end_object(b);

	json_builder_set_member_name(b, "disks");
	json_builder_begin_array(b);
	for (i = 0; i < def->n_disks; i++) {
		const struct vireo_vm_disk *d = &def->disks[i];

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "path");
		json_builder_add_string_value(b, d->path);
		json_builder_set_member_name(b, "format");
		json_builder_add_string_value(b, vireo_vm_disk_format_name(d->format));
		json_builder_set_member_name(b, "media");
		json_builder_add_string_value(b, vireo_vm_disk_media_name(d->media));
		json_builder_set_member_name(b, "read_only");
		json_builder_add_boolean_value(b, d->read_only);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);

	json_builder_set_member_name(b, "nics");
	json_builder_begin_array(b);
	for (i = 0; i < def->n_nics; i++) {
		const struct vireo_vm_nic *nic = &def->nics[i];
		char mac[18];

		vireo_vm_mac_format(nic->mac, mac);
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "model");
		json_builder_add_string_value(b, nic->model);
		json_builder_set_member_name(b, "backend");
		json_builder_add_string_value(b, vireo_vm_nic_backend_name(nic->backend));
		if (nic->ifname) {
			json_builder_set_member_name(b, "ifname");
			json_builder_add_string_value(b, nic->ifname);
		}
		json_builder_set_member_name(b, "mac");
		json_builder_add_string_value(b, mac);
		if (nic->backend == VIREO_VM_NIC_NAT) {
			json_builder_set_member_name(b, "forwards");
			json_builder_begin_array(b);
			for (j = 0; j < nic->n_forwards; j++) {
				const struct vireo_vm_forward *f = &nic->forwards[j];

				json_builder_begin_object(b);
				json_builder_set_member_name(b, "proto");
				json_builder_add_string_value(b, vireo_vm_fwd_proto_name(f->proto));
				json_builder_set_member_name(b, "host_addr");
				json_builder_add_string_value(b, f->host_addr);
				json_builder_set_member_name(b, "host_port");
				json_builder_add_int_value(b, f->host_port);
				json_builder_set_member_name(b, "guest_port");
				json_builder_add_int_value(b, f->guest_port);
				json_builder_end_object(b);
			}
			json_builder_end_array(b);
		}
		json_builder_end_object(b);
	}
	json_builder_end_array(b);

	json_builder_set_member_name(b, "serial");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "enabled");
	json_builder_add_boolean_value(b, def->serial.enabled);
	add_string_or_null(b, "log", def->serial.log);
	json_builder_end_object(b);

	add_time(b, "created", def->created);
	add_time(b, "modified", def->modified);
	json_builder_end_object(b);

	root = json_builder_get_root(b);
	gen = json_generator_new();
	json_generator_set_pretty(gen, TRUE);
	json_generator_set_indent(gen, 2);
	json_generator_set_root(gen, root);
	text = json_generator_to_data(gen, NULL);
	out = g_strconcat(text, "\n", NULL);
	g_free(text);
	g_object_unref(gen);
	json_node_unref(root);
	g_object_unref(b);
	return out;
}
