// SPDX-License-Identifier: GPL-2.0
/*
 * Command-line specs for disks, NICs, port forwards, boot order and
 * memory (syntax in cli.h), and creating a new disk's image.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "disk/disk.h"
#include "vmlib/store.h"

static bool __attribute__((format(printf, 3, 4)))
bad(GError **error, int code, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error_literal(error, VIREO_VM_ERROR, code, msg);
	g_free(msg);
	return false;
}

/*
 * Split "a,b=c,d" at commas; ",," is a literal comma (so that paths with
 * commas can be given, as in QEMU).  Returns a NULL-terminated vector.
 */
static char **split_spec(const char *spec)
{
	GPtrArray *parts = g_ptr_array_new();
	GString *cur = g_string_new(NULL);
	const char *p;

	for (p = spec; *p; p++) {
		if (*p == ',' && p[1] == ',') {
			g_string_append_c(cur, ',');
			p++;
		} else if (*p == ',') {
			g_ptr_array_add(parts, g_string_free(cur, FALSE));
			cur = g_string_new(NULL);
		} else {
			g_string_append_c(cur, *p);
		}
	}
	g_ptr_array_add(parts, g_string_free(cur, FALSE));
	g_ptr_array_add(parts, NULL);
	return (char **)g_ptr_array_free(parts, FALSE);
}

/* "key=value" → true with *value pointing after '='. */
static bool is_key(const char *part, const char *key, const char **value)
{
	size_t n = strlen(key);

	if (strncmp(part, key, n) || part[n] != '=')
		return false;
	*value = part + n + 1;
	return true;
}

static char *absolute(const char *path)
{
	return g_canonicalize_filename(path, NULL);
}

/* qcow2 images start with "QFI\xfb"; anything else is taken as raw. */
static bool probe_format(const char *path, enum vireo_vm_disk_format *format, GError **error)
{
	unsigned char magic[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return bad(error, errno == ENOENT ? VIREO_VM_ERROR_NOT_FOUND : VIREO_VM_ERROR_IO,
			   "%s: %s (create one with 'vireo disk create' or --new-disk)", path,
			   g_strerror(errno));
	n = read(fd, magic, sizeof(magic));
	close(fd);
	*format = n == 4 && !memcmp(magic, "QFI\xfb", 4) ? VIREO_VM_DISK_QCOW2 : VIREO_VM_DISK_RAW;
	return true;
}

/*
 * The image as the monitor will open it: the declared format true to the
 * file, a valid header, and a backing chain that opens whole (no loop, no
 * missing file, not too deep), before the definition records it.
 */
static bool validate_image(const struct vireo_vm_disk *disk, bool declared, GError **error)
{
	g_autoptr(GError) disk_error = NULL;
	enum vireo_disk_format f = VIREO_DISK_AUTO;
	int ret;

	if (declared)
		f = disk->format == VIREO_VM_DISK_QCOW2 ? VIREO_DISK_QCOW2 : VIREO_DISK_RAW;
	ret = vireo_disk_validate(disk->path, f, &disk_error);
	if (ret < 0)
		return bad(error, ret == -ENOENT ? VIREO_VM_ERROR_NOT_FOUND : VIREO_VM_ERROR_INVALID,
			   "%s", disk_error ? disk_error->message : g_strerror(-ret));
	return true;
}

bool vireo_cli_parse_disk(const char *spec, struct vireo_vm_disk *disk, GError **error)
{
	char **parts = split_spec(spec);
	bool have_format = false, ok = false;
	const char *v;
	int f;
	char **p;

	memset(disk, 0, sizeof(*disk));
	if (!parts[0][0]) {
		bad(error, VIREO_VM_ERROR_INVALID, "disk \"%s\": no path", spec);
		goto out;
	}
	disk->path = absolute(parts[0]);
	for (p = parts + 1; *p; p++) {
		if (is_key(*p, "format", &v)) {
			f = vireo_vm_disk_format_from_name(v);
			if (f < 0) {
				bad(error, VIREO_VM_ERROR_INVALID,
				    "disk \"%s\": format \"%s\" is not one of raw, qcow2", spec, v);
				goto out;
			}
			disk->format = f;
			have_format = true;
		} else if (!strcmp(*p, "ro") || !strcmp(*p, "readonly")) {
			disk->read_only = true;
		} else if (!strcmp(*p, "cdrom")) {
			disk->media = VIREO_VM_MEDIA_CDROM;
			disk->read_only = true;
		} else {
			bad(error, VIREO_VM_ERROR_INVALID,
			    "disk \"%s\": unknown option \"%s\" (format=, ro, cdrom)", spec, *p);
			goto out;
		}
	}
	if (!have_format) {
		if (!probe_format(disk->path, &disk->format, error))
			goto out;
	} else if (!g_file_test(disk->path, G_FILE_TEST_EXISTS)) {
		bad(error, VIREO_VM_ERROR_NOT_FOUND,
		    "%s: no such file (create one with 'vireo disk create' or --new-disk)",
		    disk->path);
		goto out;
	}
	if (!validate_image(disk, have_format, error))
		goto out;
	ok = true;
out:
	if (!ok) {
		g_free(disk->path);
		disk->path = NULL;
	}
	g_strfreev(parts);
	return ok;
}

bool vireo_cli_parse_new_disk(const char *spec, uint64_t *size,
			      enum vireo_vm_disk_format *format, GError **error)
{
	char **parts = split_spec(spec);
	const char *v;
	bool ok = false;
	char **p;
	int f;

	*format = VIREO_VM_DISK_QCOW2;
	if (vireo_disk_parse_size(parts[0], size) < 0 || *size == 0) {
		bad(error, VIREO_VM_ERROR_INVALID,
		    "new disk \"%s\": \"%s\" is not a size such as 8G or 512M", spec, parts[0]);
		goto out;
	}
	for (p = parts + 1; *p; p++) {
		if (!is_key(*p, "format", &v) || (f = vireo_vm_disk_format_from_name(v)) < 0) {
			bad(error, VIREO_VM_ERROR_INVALID,
			    "new disk \"%s\": \"%s\" is not format=raw or format=qcow2", spec, *p);
			goto out;
		}
		*format = f;
	}
	ok = true;
out:
	g_strfreev(parts);
	return ok;
}

static bool parse_port(const char *s, uint16_t *port)
{
	guint64 v;

	if (!g_ascii_string_to_unsigned(s, 10, 1, 65535, &v, NULL))
		return false;
	*port = v;
	return true;
}

bool vireo_cli_parse_forward(const char *spec, struct vireo_vm_forward *fwd, GError **error)
{
	char **f = g_strsplit(spec, ":", -1);
	guint n = g_strv_length(f), i = 0;
	int proto;
	bool ok = false;

	memset(fwd, 0, sizeof(*fwd));
	fwd->proto = VIREO_VM_FWD_TCP;
	if (n < 2 || n > 4)
		goto bad;
	proto = vireo_vm_fwd_proto_from_name(f[0]);
	if (n == 4 || (n == 3 && proto >= 0)) {
		if (proto < 0)
			goto bad;
		fwd->proto = proto;
		i++;
	}
	if (n - i == 3)
		fwd->host_addr = g_strdup(f[i++]);
	else
		fwd->host_addr = g_strdup("127.0.0.1");
	if (!parse_port(f[i], &fwd->host_port) || !parse_port(f[i + 1], &fwd->guest_port))
		goto bad;
	ok = true;
	goto out;
bad:
	g_free(fwd->host_addr);
	fwd->host_addr = NULL;
	g_set_error(error, VIREO_VM_ERROR, VIREO_VM_ERROR_INVALID,
		    "port forward \"%s\" is not [tcp:|udp:][ADDR:]HOSTPORT:GUESTPORT, e.g. 2222:22",
		    spec);
out:
	g_strfreev(f);
	return ok;
}

void vireo_cli_nic_clear(struct vireo_vm_nic *nic)
{
	unsigned int i;

	g_free(nic->model);
	g_free(nic->ifname);
	for (i = 0; i < nic->n_forwards; i++)
		g_free(nic->forwards[i].host_addr);
	g_free(nic->forwards);
	memset(nic, 0, sizeof(*nic));
}

bool vireo_cli_parse_nic(const char *spec, struct vireo_vm_nic *nic, GError **error)
{
	char **parts = split_spec(spec);
	const char *v;
	bool ok = false;
	char **p;
	int b;

	memset(nic, 0, sizeof(*nic));
	nic->model = g_strdup("virtio");
	b = vireo_vm_nic_backend_from_name(parts[0]);
	if (b < 0) {
		bad(error, VIREO_VM_ERROR_INVALID, "NIC \"%s\": \"%s\" is not one of nat, tap", spec,
		    parts[0]);
		goto out;
	}
	nic->backend = b;
	for (p = parts + 1; *p; p++) {
		if (is_key(*p, "mac", &v)) {
			if (!vireo_vm_mac_parse(v, nic->mac) || (nic->mac[0] & 1)) {
				bad(error, VIREO_VM_ERROR_INVALID,
				    "NIC \"%s\": \"%s\" is not a unicast MAC address", spec, v);
				goto out;
			}
		} else if (is_key(*p, "ifname", &v) && nic->backend == VIREO_VM_NIC_TAP) {
			g_free(nic->ifname);
			nic->ifname = g_strdup(v);
		} else if (is_key(*p, "model", &v) && !strcmp(v, "virtio")) {
			/* the only model */
		} else if ((is_key(*p, "fwd", &v) || is_key(*p, "hostfwd", &v)) &&
			   nic->backend == VIREO_VM_NIC_NAT) {
			struct vireo_vm_forward f;

			if (!vireo_cli_parse_forward(v, &f, error))
				goto out;
			ok = vireo_vm_nic_add_forward(nic, &f, error);
			g_free(f.host_addr);
			if (!ok)
				goto out;
			ok = false;
		} else {
			bad(error, VIREO_VM_ERROR_INVALID,
			    "NIC \"%s\": unknown option \"%s\" (nat: mac=, fwd=; tap: ifname=, mac=)",
			    spec, *p);
			goto out;
		}
	}
	if (nic->backend == VIREO_VM_NIC_TAP && !nic->ifname) {
		bad(error, VIREO_VM_ERROR_INVALID, "NIC \"%s\": a tap NIC needs ifname=NAME", spec);
		goto out;
	}
	ok = true;
out:
	if (!ok)
		vireo_cli_nic_clear(nic);
	g_strfreev(parts);
	return ok;
}

bool vireo_cli_parse_boot_order(const char *spec, struct vireo_vm_boot *boot, GError **error)
{
	char **parts = g_strsplit(spec, ",", -1);
	enum vireo_vm_boot_device order[VIREO_VM_BOOTDEV_COUNT];
	unsigned int n = 0, i;
	bool ok = false;
	char **p;

	for (p = parts; *p; p++) {
		int d = vireo_vm_boot_device_from_name(*p);

		if (d < 0 || n >= VIREO_VM_BOOTDEV_COUNT) {
			bad(error, VIREO_VM_ERROR_INVALID,
			    "boot order \"%s\": \"%s\" is not one of disk, cdrom, net", spec, *p);
			goto out;
		}
		for (i = 0; i < n; i++) {
			if (order[i] == (enum vireo_vm_boot_device)d) {
				bad(error, VIREO_VM_ERROR_INVALID,
				    "boot order \"%s\": \"%s\" appears twice", spec, *p);
				goto out;
			}
		}
		order[n++] = d;
	}
	if (!n) {
		bad(error, VIREO_VM_ERROR_INVALID, "boot order: empty");
		goto out;
	}
	memcpy(boot->order, order, sizeof(order));
	boot->n_order = n;
	ok = true;
out:
	g_strfreev(parts);
	return ok;
}

bool vireo_cli_parse_memory(const char *spec, uint64_t *mib, GError **error)
{
	uint64_t bytes;
	guint64 v;

	/* A bare number is MiB: nobody means 512 bytes of guest RAM. */
	if (g_ascii_string_to_unsigned(spec, 10, 1, G_MAXUINT32, &v, NULL)) {
		*mib = v;
		return true;
	}
	if (!vireo_vm_parse_size(spec, &bytes) || bytes % (1024 * 1024))
		return bad(error, VIREO_VM_ERROR_INVALID,
			   "memory \"%s\" is not a whole number of MiB such as 512M or 2G", spec);
	*mib = bytes >> 20;
	return true;
}

bool vireo_cli_create_image(const char *path, enum vireo_vm_disk_format format, uint64_t size,
			    GError **error)
{
	struct vireo_disk_create_opts o = {
		.format = format == VIREO_VM_DISK_QCOW2 ? VIREO_DISK_QCOW2 : VIREO_DISK_RAW,
		.size = size,
	};
	g_autoptr(GError) disk_error = NULL;
	int ret = vireo_disk_create(path, &o, &disk_error);

	if (ret < 0)
		return bad(error, ret == -EEXIST ? VIREO_VM_ERROR_EXISTS : VIREO_VM_ERROR_IO, "%s",
			   disk_error ? disk_error->message : g_strerror(-ret));
	return true;
}

static bool disk_name_used(const struct vireo_vmdef *def, const char *name)
{
	char *path = vireo_machine_resolve(def->name, name);
	bool used = g_file_test(path, G_FILE_TEST_EXISTS);
	unsigned int i;

	for (i = 0; i < def->n_disks && !used; i++)
		used = !strcmp(def->disks[i].path, name) || !strcmp(def->disks[i].path, path);
	g_free(path);
	return used;
}

char *vireo_cli_new_disk_name(const struct vireo_vmdef *def, enum vireo_vm_disk_format format)
{
	unsigned int n;

	for (n = 0;; n++) {
		char *q = g_strdup_printf("disk%u.qcow2", n), *r = g_strdup_printf("disk%u.img", n);
		bool used = disk_name_used(def, q) || disk_name_used(def, r);

		if (!used) {
			if (format == VIREO_VM_DISK_QCOW2) {
				g_free(r);
				return q;
			}
			g_free(q);
			return r;
		}
		g_free(q);
		g_free(r);
	}
}
