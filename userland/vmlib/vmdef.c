// SPDX-License-Identifier: GPL-2.0
/*
 * VM definitions in memory: defaults, copies, the edit helpers the CLI
 * uses, and validation against the ranges of docs/vm-definition.md.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "vmdef.h"

G_DEFINE_QUARK(vireo-vm-error-quark, vireo_vm_error)

/* ------------------------------------------------------------ enum names */

static const char *const disk_format_names[] = { "raw", "qcow2" };
static const char *const disk_media_names[] = { "disk", "cdrom" };
static const char *const nic_backend_names[] = { "nat", "tap" };
static const char *const fwd_proto_names[] = { "tcp", "udp" };
static const char *const boot_mode_names[] = { "kernel", "firmware" };
static const char *const boot_device_names[] = { "disk", "cdrom", "net" };

static const char *enum_name(const char *const *names, size_t n, int v)
{
	return v >= 0 && (size_t)v < n ? names[v] : "?";
}

static int enum_value(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s && i < n; i++) {
		if (!strcmp(names[i], s))
			return (int)i;
	}
	return -1;
}

#define ENUM_FUNCS(type, prefix, names)                                                     \
	const char *prefix##_name(enum type v)                                              \
	{                                                                                   \
		return enum_name(names, G_N_ELEMENTS(names), v);                            \
	}                                                                                   \
	int prefix##_from_name(const char *s)                                               \
	{                                                                                   \
		return enum_value(names, G_N_ELEMENTS(names), s);                           \
	}

ENUM_FUNCS(vireo_vm_disk_format, vireo_vm_disk_format, disk_format_names)
ENUM_FUNCS(vireo_vm_disk_media, vireo_vm_disk_media, disk_media_names)
ENUM_FUNCS(vireo_vm_nic_backend, vireo_vm_nic_backend, nic_backend_names)
ENUM_FUNCS(vireo_vm_fwd_proto, vireo_vm_fwd_proto, fwd_proto_names)
ENUM_FUNCS(vireo_vm_boot_mode, vireo_vm_boot_mode, boot_mode_names)
ENUM_FUNCS(vireo_vm_boot_device, vireo_vm_boot_device, boot_device_names)

/* ------------------------------------------------------------ small parsers */

bool vireo_vm_name_valid(const char *name)
{
	size_t i, len;

	if (!name)
		return false;
	len = strlen(name);
	if (len == 0 || len > VIREO_VM_NAME_MAX || !g_ascii_isalnum(name[0]))
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!g_ascii_isalnum(c) && c != '.' && c != '_' && c != '-')
			return false;
	}
	return true;
}

void vireo_vm_mac_generate(uint8_t mac[6])
{
	guint32 a = g_random_int(), b = g_random_int();

	mac[0] = 0x56;	/* 'V': bit 1 set (locally administered), bit 0 clear (unicast) */
	mac[1] = a;
	mac[2] = a >> 8;
	mac[3] = a >> 16;
	mac[4] = a >> 24;
	mac[5] = b;
}

bool vireo_vm_mac_parse(const char *s, uint8_t mac[6])
{
	unsigned int i;

	if (!s || strlen(s) != 17)
		return false;
	for (i = 0; i < 6; i++) {
		const char *p = s + 3 * i;

		if (!g_ascii_isxdigit(p[0]) || !g_ascii_isxdigit(p[1]))
			return false;
		if (i < 5 && p[2] != ':')
			return false;
		mac[i] = g_ascii_xdigit_value(p[0]) << 4 | g_ascii_xdigit_value(p[1]);
	}
	return true;
}

void vireo_vm_mac_format(const uint8_t mac[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
}

bool vireo_vm_parse_size(const char *s, uint64_t *bytes)
{
	guint64 v;
	unsigned int shift = 0;
	char *end;

	if (!s || !g_ascii_isdigit(s[0]))
		return false;
	errno = 0;
	v = g_ascii_strtoull(s, &end, 10);
	if (errno || end == s)
		return false;
	switch (g_ascii_toupper(*end)) {
	case 'K':
		shift = 10;
		break;
	case 'M':
		shift = 20;
		break;
	case 'G':
		shift = 30;
		break;
	case 'T':
		shift = 40;
		break;
	case 0:
		break;
	default:
		return false;
	}
	if (shift) {
		end++;
		if (!strcmp(end, "iB") || !strcmp(end, "B"))
			end += strlen(end);
	}
	if (*end || v == 0 || v > (G_MAXUINT64 >> shift))
		return false;
	*bytes = v << shift;
	return true;
}

/* ------------------------------------------------------------ lifetime */

struct vireo_vmdef *vireo_vmdef_new(const char *name)
{
	struct vireo_vmdef *def = g_new0(struct vireo_vmdef, 1);
	struct vireo_vm_nic nic = { .model = "virtio", .backend = VIREO_VM_NIC_NAT };
	char *uuid = g_uuid_string_random();

	def->name = g_strdup(name);
	g_strlcpy(def->uuid, uuid, sizeof(def->uuid));
	g_free(uuid);
	def->memory_mib = 512;
	def->cpus = 1;
	def->boot.mode = VIREO_VM_BOOT_KERNEL;
	def->boot.order[0] = VIREO_VM_BOOTDEV_DISK;
	def->boot.order[1] = VIREO_VM_BOOTDEV_CDROM;
	def->boot.n_order = 2;
	def->boot.cmdline = g_strdup("console=ttyS0");
	def->serial.enabled = true;
	def->serial.log = g_strdup("serial.log");
	def->created = def->modified = g_get_real_time() / G_USEC_PER_SEC;
	vireo_vmdef_add_nic(def, &nic, NULL);	/* cannot fail: the first NIC */
	return def;
}

static void nic_clear(struct vireo_vm_nic *nic)
{
	unsigned int i;

	g_free(nic->model);
	g_free(nic->ifname);
	for (i = 0; i < nic->n_forwards; i++)
		g_free(nic->forwards[i].host_addr);
	g_free(nic->forwards);
}

static void disk_clear(struct vireo_vm_disk *disk)
{
	g_free(disk->path);
}

void vireo_vmdef_free(struct vireo_vmdef *def)
{
	unsigned int i;

	if (!def)
		return;
	g_free(def->name);
	g_free(def->boot.kernel);
	g_free(def->boot.initrd);
	g_free(def->boot.cmdline);
	for (i = 0; i < def->n_disks; i++)
		disk_clear(&def->disks[i]);
	g_free(def->disks);
	for (i = 0; i < def->n_nics; i++)
		nic_clear(&def->nics[i]);
	g_free(def->nics);
	g_free(def->serial.log);
	g_free(def);
}

static void disk_copy(struct vireo_vm_disk *dst, const struct vireo_vm_disk *src)
{
	*dst = *src;
	dst->path = g_strdup(src->path);
}

static void forward_copy(struct vireo_vm_forward *dst, const struct vireo_vm_forward *src)
{
	*dst = *src;
	dst->host_addr = g_strdup(src->host_addr ? src->host_addr : "127.0.0.1");
}

static void nic_copy(struct vireo_vm_nic *dst, const struct vireo_vm_nic *src)
{
	unsigned int i;

	*dst = *src;
	dst->model = g_strdup(src->model ? src->model : "virtio");
	dst->ifname = g_strdup(src->ifname);
	dst->forwards = g_new0(struct vireo_vm_forward, src->n_forwards ? src->n_forwards : 1);
	for (i = 0; i < src->n_forwards; i++)
		forward_copy(&dst->forwards[i], &src->forwards[i]);
}

struct vireo_vmdef *vireo_vmdef_copy(const struct vireo_vmdef *def)
{
	struct vireo_vmdef *c = g_new0(struct vireo_vmdef, 1);
	unsigned int i;

	*c = *def;
	c->name = g_strdup(def->name);
	c->boot.kernel = g_strdup(def->boot.kernel);
	c->boot.initrd = g_strdup(def->boot.initrd);
	c->boot.cmdline = g_strdup(def->boot.cmdline);
	c->serial.log = g_strdup(def->serial.log);
	c->disks = g_new0(struct vireo_vm_disk, def->n_disks ? def->n_disks : 1);
	for (i = 0; i < def->n_disks; i++)
		disk_copy(&c->disks[i], &def->disks[i]);
	c->nics = g_new0(struct vireo_vm_nic, def->n_nics ? def->n_nics : 1);
	for (i = 0; i < def->n_nics; i++)
		nic_copy(&c->nics[i], &def->nics[i]);
	return c;
}

/* ------------------------------------------------------------ edits */

bool vireo_vmdef_add_disk(struct vireo_vmdef *def, const struct vireo_vm_disk *disk,
			  GError **error)
{
	if (def->n_disks >= VIREO_VM_DISKS_MAX) {
		g_set_error(error, VIREO_VM_ERROR, VIREO_VM_ERROR_INVALID,
			    "disks: at most %d disks per machine", VIREO_VM_DISKS_MAX);
		return false;
	}
	def->disks = g_renew(struct vireo_vm_disk, def->disks, def->n_disks + 1);
	disk_copy(&def->disks[def->n_disks], disk);
	if (disk->media == VIREO_VM_MEDIA_CDROM)
		def->disks[def->n_disks].read_only = true;
	def->n_disks++;
	return true;
}

bool vireo_vmdef_add_nic(struct vireo_vmdef *def, const struct vireo_vm_nic *nic, GError **error)
{
	static const uint8_t zero[6];
	struct vireo_vm_nic *n;

	if (def->n_nics >= VIREO_VM_NICS_MAX) {
		g_set_error(error, VIREO_VM_ERROR, VIREO_VM_ERROR_INVALID,
			    "nics: at most %d NICs per machine", VIREO_VM_NICS_MAX);
		return false;
	}
	def->nics = g_renew(struct vireo_vm_nic, def->nics, def->n_nics + 1);
	n = &def->nics[def->n_nics++];
	nic_copy(n, nic);
	if (!memcmp(n->mac, zero, 6))
		vireo_vm_mac_generate(n->mac);
	return true;
}

void vireo_vmdef_remove_disk(struct vireo_vmdef *def, unsigned int index)
{
	if (index >= def->n_disks)
		return;
	disk_clear(&def->disks[index]);
	memmove(&def->disks[index], &def->disks[index + 1],
		(def->n_disks - index - 1) * sizeof(def->disks[0]));
	def->n_disks--;
}

void vireo_vmdef_remove_nic(struct vireo_vmdef *def, unsigned int index)
{
	if (index >= def->n_nics)
		return;
	nic_clear(&def->nics[index]);
	memmove(&def->nics[index], &def->nics[index + 1],
		(def->n_nics - index - 1) * sizeof(def->nics[0]));
	def->n_nics--;
}

bool vireo_vm_nic_add_forward(struct vireo_vm_nic *nic, const struct vireo_vm_forward *fwd,
			   GError **error)
{
	if (nic->n_forwards >= VIREO_VM_FORWARDS_MAX) {
		g_set_error(error, VIREO_VM_ERROR, VIREO_VM_ERROR_INVALID,
			    "forwards: at most %d port forwards per NIC", VIREO_VM_FORWARDS_MAX);
		return false;
	}
	nic->forwards = g_renew(struct vireo_vm_forward, nic->forwards, nic->n_forwards + 1);
	forward_copy(&nic->forwards[nic->n_forwards++], fwd);
	return true;
}

/* ------------------------------------------------------------ validation */

/* Sets "<what>: <field>: <message>" and returns false. */
static bool __attribute__((format(printf, 4, 5)))
invalid(GError **error, const char *what, const char *field, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(error, VIREO_VM_ERROR, VIREO_VM_ERROR_INVALID, "%s%s%s: %s", what ? what : "",
		    what ? ": " : "", field, msg);
	g_free(msg);
	return false;
}

static bool ifname_valid(const char *s)
{
	size_t i, len = s ? strlen(s) : 0;

	if (len == 0 || len > VIREO_VM_IFNAME_MAX || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] == '/' || s[i] == ':' || g_ascii_isspace(s[i]) || !g_ascii_isprint(s[i]))
			return false;
	}
	return true;
}

static bool ipv4_valid(const char *s)
{
	struct in_addr a;

	return s && inet_pton(AF_INET, s, &a) == 1;
}

static bool path_valid(const char *s)
{
	const char *p;

	if (!s || !*s)
		return false;
	for (p = s; *p; p++) {
		if ((unsigned char)*p < 0x20)
			return false;	/* control characters: surely a mistake */
	}
	return g_utf8_validate(s, -1, NULL);
}

static bool validate_nic(const struct vireo_vmdef *def, unsigned int i, const char *what,
			 GError **error)
{
	const struct vireo_vm_nic *nic = &def->nics[i];
	static const uint8_t zero[6];
	char field[64];
	unsigned int j, k;

	snprintf(field, sizeof(field), "nics[%u].model", i);
	if (!nic->model || strcmp(nic->model, "virtio"))
		return invalid(error, what, field, "\"%s\" is not one of virtio",
			       nic->model ? nic->model : "");
	snprintf(field, sizeof(field), "nics[%u].backend", i);
	if ((unsigned int)nic->backend > VIREO_VM_NIC_TAP)
		return invalid(error, what, field, "not one of nat, tap");
	snprintf(field, sizeof(field), "nics[%u].ifname", i);
	if (nic->backend == VIREO_VM_NIC_TAP && !ifname_valid(nic->ifname))
		return invalid(error, what, field,
			       "a tap NIC needs an interface name of 1 to %d printable bytes "
			       "without '/', ':' or spaces",
			       VIREO_VM_IFNAME_MAX);
	if (nic->backend == VIREO_VM_NIC_NAT && nic->ifname)
		return invalid(error, what, field, "only a tap NIC has an interface name");
	snprintf(field, sizeof(field), "nics[%u].mac", i);
	if (!memcmp(nic->mac, zero, 6) || (nic->mac[0] & 1))
		return invalid(error, what, field, "not a unicast address");
	for (j = 0; j < i; j++) {
		if (!memcmp(def->nics[j].mac, nic->mac, 6))
			return invalid(error, what, field, "the same as nics[%u].mac", j);
	}
	if (nic->backend != VIREO_VM_NIC_NAT && nic->n_forwards) {
		snprintf(field, sizeof(field), "nics[%u].forwards", i);
		return invalid(error, what, field, "port forwards need the nat backend");
	}
	for (j = 0; j < nic->n_forwards; j++) {
		const struct vireo_vm_forward *f = &nic->forwards[j];

		snprintf(field, sizeof(field), "nics[%u].forwards[%u].proto", i, j);
		if ((unsigned int)f->proto > VIREO_VM_FWD_UDP)
			return invalid(error, what, field, "not one of tcp, udp");
		snprintf(field, sizeof(field), "nics[%u].forwards[%u].host_addr", i, j);
		if (!ipv4_valid(f->host_addr))
			return invalid(error, what, field, "\"%s\" is not an IPv4 address",
				       f->host_addr ? f->host_addr : "");
		snprintf(field, sizeof(field), "nics[%u].forwards[%u].host_port", i, j);
		if (f->host_port == 0)
			return invalid(error, what, field, "must be 1 to 65535");
		/* Two rules on one host port, on this NIC or an earlier one:
		 * the second could never bind (0.0.0.0 takes every address). */
		for (k = 0; k <= i; k++) {
			const struct vireo_vm_nic *o = &def->nics[k];
			unsigned int l, n = k == i ? j : o->n_forwards;

			for (l = 0; l < n; l++) {
				const struct vireo_vm_forward *g = &o->forwards[l];

				if (g->proto == f->proto && g->host_port == f->host_port &&
				    (!strcmp(g->host_addr, f->host_addr) ||
				     !strcmp(g->host_addr, "0.0.0.0") ||
				     !strcmp(f->host_addr, "0.0.0.0")))
					return invalid(error, what, field,
						       "%s port %u is forwarded twice",
						       vireo_vm_fwd_proto_name(f->proto),
						       f->host_port);
			}
		}
		snprintf(field, sizeof(field), "nics[%u].forwards[%u].guest_port", i, j);
		if (f->guest_port == 0)
			return invalid(error, what, field, "must be 1 to 65535");
	}
	return true;
}

bool vireo_vmdef_validate(const struct vireo_vmdef *def, const char *what, GError **error)
{
	const struct vireo_vm_boot *b = &def->boot;
	char field[64];
	unsigned int i, j;

	if (!vireo_vm_name_valid(def->name))
		return invalid(error, what, "name",
			       "\"%s\" is not 1 to %d characters of letters, digits, '.', '_', '-' "
			       "starting with a letter or digit",
			       def->name ? def->name : "", VIREO_VM_NAME_MAX);
	if (!g_uuid_string_is_valid(def->uuid))
		return invalid(error, what, "uuid", "\"%s\" is not a UUID", def->uuid);
	if (def->memory_mib < VIREO_VM_MEM_MIN_MIB || def->memory_mib > VIREO_VM_MEM_MAX_MIB)
		return invalid(error, what, "memory_mib", "%" G_GUINT64_FORMAT
			       " is not %d to %d", def->memory_mib, VIREO_VM_MEM_MIN_MIB,
			       VIREO_VM_MEM_MAX_MIB);
	if (def->cpus < 1 || def->cpus > VIREO_VM_CPUS_MAX)
		return invalid(error, what, "cpus", "%u is not 1 to %d", def->cpus,
			       VIREO_VM_CPUS_MAX);

	if ((unsigned int)b->mode > VIREO_VM_BOOT_FIRMWARE)
		return invalid(error, what, "boot.mode", "not one of kernel, firmware");
	if (b->mode == VIREO_VM_BOOT_KERNEL && b->kernel && !path_valid(b->kernel))
		return invalid(error, what, "boot.kernel", "not a path");
	if (b->initrd && !path_valid(b->initrd))
		return invalid(error, what, "boot.initrd", "not a path");
	if (b->cmdline && strlen(b->cmdline) > VIREO_VM_CMDLINE_MAX)
		return invalid(error, what, "boot.cmdline", "longer than %d bytes",
			       VIREO_VM_CMDLINE_MAX);
	if (b->cmdline && !g_utf8_validate(b->cmdline, -1, NULL))
		return invalid(error, what, "boot.cmdline", "not UTF-8");
	if (b->n_order > VIREO_VM_BOOTDEV_COUNT)
		return invalid(error, what, "boot.order", "more than %d entries",
			       VIREO_VM_BOOTDEV_COUNT);
	for (i = 0; i < b->n_order; i++) {
		snprintf(field, sizeof(field), "boot.order[%u]", i);
		if ((unsigned int)b->order[i] >= VIREO_VM_BOOTDEV_COUNT)
			return invalid(error, what, field, "not one of disk, cdrom, net");
		for (j = 0; j < i; j++) {
			if (b->order[j] == b->order[i])
				return invalid(error, what, field, "\"%s\" appears twice",
					       vireo_vm_boot_device_name(b->order[i]));
		}
	}

	if (def->n_disks > VIREO_VM_DISKS_MAX)
		return invalid(error, what, "disks", "more than %d disks", VIREO_VM_DISKS_MAX);
	for (i = 0; i < def->n_disks; i++) {
		const struct vireo_vm_disk *d = &def->disks[i];

		snprintf(field, sizeof(field), "disks[%u].path", i);
		if (!path_valid(d->path))
			return invalid(error, what, field, "not a path");
		for (j = 0; j < i; j++) {
			if (!strcmp(def->disks[j].path, d->path))
				return invalid(error, what, field, "\"%s\" is also disks[%u]",
					       d->path, j);
		}
		snprintf(field, sizeof(field), "disks[%u].format", i);
		if ((unsigned int)d->format > VIREO_VM_DISK_QCOW2)
			return invalid(error, what, field, "not one of raw, qcow2");
		snprintf(field, sizeof(field), "disks[%u].media", i);
		if ((unsigned int)d->media > VIREO_VM_MEDIA_CDROM)
			return invalid(error, what, field, "not one of disk, cdrom");
		snprintf(field, sizeof(field), "disks[%u].read_only", i);
		if (d->media == VIREO_VM_MEDIA_CDROM && !d->read_only)
			return invalid(error, what, field, "a cdrom is always read-only");
	}

	if (def->n_nics > VIREO_VM_NICS_MAX)
		return invalid(error, what, "nics", "more than %d NICs", VIREO_VM_NICS_MAX);
	for (i = 0; i < def->n_nics; i++) {
		if (!validate_nic(def, i, what, error))
			return false;
	}

	if (def->serial.log && !path_valid(def->serial.log))
		return invalid(error, what, "serial.log", "not a path");
	if (def->created < 0)
		return invalid(error, what, "created", "before 1970");
	if (def->modified < 0)
		return invalid(error, what, "modified", "before 1970");
	return true;
}
