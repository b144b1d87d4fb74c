// SPDX-License-Identifier: GPL-2.0
/*
 * vireo modify: edit a stopped machine's definition under its lock.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "vmlib/lock.h"
#include "vmlib/store.h"

struct modify_opts {
	char *memory, *kernel, *initrd, *append, *boot_order, *boot_mode, *serial, *serial_log;
	int cpus;
	gboolean no_initrd;
	char **add_disks, **new_disks, **remove_disks, **add_nics, **remove_nics;
	char **add_forwards, **remove_forwards;
};

static void modify_opts_free(struct modify_opts *o)
{
	g_free(o->memory);
	g_free(o->kernel);
	g_free(o->initrd);
	g_free(o->append);
	g_free(o->boot_order);
	g_free(o->boot_mode);
	g_free(o->serial);
	g_free(o->serial_log);
	g_strfreev(o->add_disks);
	g_strfreev(o->new_disks);
	g_strfreev(o->remove_disks);
	g_strfreev(o->add_nics);
	g_strfreev(o->remove_nics);
	g_strfreev(o->add_forwards);
	g_strfreev(o->remove_forwards);
}

static bool __attribute__((format(printf, 2, 3))) usage_err(GError **error, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error_literal(error, VIREO_VM_ERROR, VIREO_VM_ERROR_INVALID, msg);
	g_free(msg);
	return false;
}

/* "2" (an index) or a path as stored or as given (made absolute). */
static int find_disk(const struct vireo_vmdef *def, const char *what)
{
	char *abs = g_canonicalize_filename(what, NULL);
	guint64 idx;
	unsigned int i;
	int found = -1;

	if (g_ascii_string_to_unsigned(what, 10, 0, G_MAXUINT, &idx, NULL) && idx < def->n_disks) {
		found = (int)idx;
		goto out;
	}
	for (i = 0; i < def->n_disks; i++) {
		char *resolved = vireo_machine_resolve(def->name, def->disks[i].path);

		if (!strcmp(def->disks[i].path, what) || !strcmp(resolved, abs))
			found = (int)i;
		g_free(resolved);
		if (found >= 0)
			break;
	}
out:
	g_free(abs);
	return found;
}

/* "1" (an index) or a MAC address. */
static int find_nic(const struct vireo_vmdef *def, const char *what)
{
	uint8_t mac[6];
	guint64 idx;
	unsigned int i;

	if (g_ascii_string_to_unsigned(what, 10, 0, G_MAXUINT, &idx, NULL))
		return idx < def->n_nics ? (int)idx : -1;
	if (!vireo_vm_mac_parse(what, mac))
		return -1;
	for (i = 0; i < def->n_nics; i++) {
		if (!memcmp(def->nics[i].mac, mac, 6))
			return (int)i;
	}
	return -1;
}

static gint cmp_desc(gconstpointer a, gconstpointer b)
{
	return *(const int *)b - *(const int *)a;
}

/* Remove the entries named by 'specs' (indexes refer to the list before
 * any removal). */
static bool remove_entries(struct vireo_vmdef *def, char **specs, bool disks, GError **error)
{
	GArray *idx = g_array_new(FALSE, FALSE, sizeof(int));
	bool ok = false;
	char **s;
	guint i;

	for (s = specs; s && *s; s++) {
		int k = disks ? find_disk(def, *s) : find_nic(def, *s);

		if (k < 0) {
			usage_err(error, "no %s \"%s\" in %s (see 'vireo info %s')",
				  disks ? "disk" : "NIC", *s, def->name, def->name);
			goto out;
		}
		for (i = 0; i < idx->len; i++) {
			if (g_array_index(idx, int, i) == k)
				break;
		}
		if (i == idx->len)
			g_array_append_val(idx, k);
	}
	g_array_sort(idx, cmp_desc);
	for (i = 0; i < idx->len; i++) {
		int k = g_array_index(idx, int, i);

		if (disks) {
			printf("detached disk %s (the image is kept)\n", def->disks[k].path);
			vireo_vmdef_remove_disk(def, k);
		} else {
			vireo_vmdef_remove_nic(def, k);
		}
	}
	ok = true;
out:
	g_array_free(idx, TRUE);
	return ok;
}

/* "SPEC" or "SPEC@NIC" (NIC: index or MAC; default the first NAT NIC). */
static bool add_forward(struct vireo_vmdef *def, const char *arg, GError **error)
{
	char *spec = g_strdup(arg), *at = strrchr(spec, '@');
	struct vireo_vm_forward f;
	struct vireo_vm_nic *nic = NULL;
	unsigned int i;
	bool ok = false;

	if (at) {
		int k;

		*at = 0;
		k = find_nic(def, at + 1);
		if (k < 0) {
			usage_err(error, "--add-forward %s: no NIC \"%s\"", arg, at + 1);
			goto out;
		}
		nic = &def->nics[k];
	} else {
		for (i = 0; i < def->n_nics && !nic; i++) {
			if (def->nics[i].backend == VIREO_VM_NIC_NAT)
				nic = &def->nics[i];
		}
	}
	if (!nic || nic->backend != VIREO_VM_NIC_NAT) {
		usage_err(error, "--add-forward %s: port forwards need a NAT NIC", arg);
		goto out;
	}
	if (!vireo_cli_parse_forward(spec, &f, error))
		goto out;
	ok = vireo_vm_nic_add_forward(nic, &f, error);
	g_free(f.host_addr);
out:
	g_free(spec);
	return ok;
}

/* "[tcp:|udp:]HOSTPORT": every rule on that host port, on any NIC. */
static bool remove_forward(struct vireo_vmdef *def, const char *arg, GError **error)
{
	char **f = g_strsplit(arg, ":", -1);
	guint n = g_strv_length(f);
	int proto = -1;
	guint64 port;
	unsigned int i, j, removed = 0;
	bool ok = false;

	if (n == 2) {
		proto = vireo_vm_fwd_proto_from_name(f[0]);
		if (proto < 0)
			goto bad;
	} else if (n != 1) {
		goto bad;
	}
	if (!g_ascii_string_to_unsigned(f[n - 1], 10, 1, 65535, &port, NULL))
		goto bad;
	for (i = 0; i < def->n_nics; i++) {
		struct vireo_vm_nic *nic = &def->nics[i];

		for (j = 0; j < nic->n_forwards;) {
			struct vireo_vm_forward *fw = &nic->forwards[j];

			if (fw->host_port == port && (proto < 0 || (int)fw->proto == proto)) {
				g_free(fw->host_addr);
				memmove(fw, fw + 1, (nic->n_forwards - j - 1) * sizeof(*fw));
				nic->n_forwards--;
				removed++;
			} else {
				j++;
			}
		}
	}
	if (!removed) {
		usage_err(error, "--remove-forward %s: no such port forward", arg);
		goto out;
	}
	ok = true;
	goto out;
bad:
	usage_err(error, "--remove-forward %s: expected [tcp:|udp:]HOSTPORT", arg);
out:
	g_strfreev(f);
	return ok;
}

static char *existing_file(const char *path, GError **error)
{
	char *abs = g_canonicalize_filename(path, NULL);

	if (!g_file_test(abs, G_FILE_TEST_IS_REGULAR)) {
		g_set_error(error, VIREO_VM_ERROR, VIREO_VM_ERROR_NOT_FOUND, "%s: no such file", abs);
		g_free(abs);
		return NULL;
	}
	return abs;
}

/* Apply everything; errors are usage errors (exit 1) unless NOT_FOUND. */
static bool apply(struct vireo_vmdef *def, struct modify_opts *o, GPtrArray *new_images,
		  GError **error)
{
	char **s;

	if (o->memory && !vireo_cli_parse_memory(o->memory, &def->memory_mib, error))
		return false;
	if (o->cpus != -1)
		def->cpus = o->cpus < 0 ? 0 : o->cpus;	/* 0: the validator names it */
	if (o->kernel) {
		g_free(def->boot.kernel);
		def->boot.kernel = NULL;
		if (*o->kernel && !(def->boot.kernel = existing_file(o->kernel, error)))
			return false;
	}
	if (o->no_initrd) {
		g_free(def->boot.initrd);
		def->boot.initrd = NULL;
	}
	if (o->initrd) {
		g_free(def->boot.initrd);
		if (!(def->boot.initrd = existing_file(o->initrd, error)))
			return false;
	}
	if (o->append) {
		g_free(def->boot.cmdline);
		def->boot.cmdline = g_strdup(o->append);
	}
	if (o->boot_mode) {
		int m = vireo_vm_boot_mode_from_name(o->boot_mode);

		if (m < 0)
			return usage_err(error, "--boot-mode %s: not one of kernel, firmware",
					 o->boot_mode);
		def->boot.mode = m;
	}
	if (o->boot_order && !vireo_cli_parse_boot_order(o->boot_order, &def->boot, error))
		return false;
	if (o->serial) {
		if (!strcmp(o->serial, "on"))
			def->serial.enabled = true;
		else if (!strcmp(o->serial, "off"))
			def->serial.enabled = false;
		else
			return usage_err(error, "--serial %s: expected on or off", o->serial);
	}
	if (o->serial_log) {
		g_free(def->serial.log);
		def->serial.log = strcmp(o->serial_log, "none") ? g_strdup(o->serial_log) : NULL;
	}
	if (!remove_entries(def, o->remove_disks, true, error) ||
	    !remove_entries(def, o->remove_nics, false, error))
		return false;
	for (s = o->remove_forwards; s && *s; s++) {
		if (!remove_forward(def, *s, error))
			return false;
	}
	for (s = o->add_disks; s && *s; s++) {
		struct vireo_vm_disk d;
		bool ok;

		if (!vireo_cli_parse_disk(*s, &d, error))
			return false;
		ok = vireo_vmdef_add_disk(def, &d, error);
		g_free(d.path);
		if (!ok)
			return false;
	}
	for (s = o->new_disks; s && *s; s++) {
		struct vireo_vm_disk d = { 0 };
		uint64_t size;

		if (!vireo_cli_parse_new_disk(*s, &size, &d.format, error))
			return false;
		d.path = vireo_cli_new_disk_name(def, d.format);
		if (!vireo_vmdef_add_disk(def, &d, error)) {
			g_free(d.path);
			return false;
		}
		g_ptr_array_add(new_images, g_strdup_printf("%" G_GUINT64_FORMAT, size));
		g_ptr_array_add(new_images, d.path);
	}
	for (s = o->add_nics; s && *s; s++) {
		struct vireo_vm_nic n;
		bool ok;

		if (!vireo_cli_parse_nic(*s, &n, error))
			return false;
		ok = vireo_vmdef_add_nic(def, &n, error);
		vireo_cli_nic_clear(&n);
		if (!ok)
			return false;
	}
	for (s = o->add_forwards; s && *s; s++) {
		if (!add_forward(def, *s, error))
			return false;
	}
	return vireo_vmdef_validate(def, NULL, error);
}

int vireo_cmd_modify(int argc, char **argv)
{
	struct modify_opts o = { .cpus = -1 };
	GOptionEntry entries[] = {
		{ "memory", 'm', 0, G_OPTION_ARG_STRING, &o.memory, "Guest RAM", "SIZE" },
		{ "cpus", 'c', 0, G_OPTION_ARG_INT, &o.cpus, "Virtual CPUs", "N" },
		{ "kernel", 'k', 0, G_OPTION_ARG_FILENAME, &o.kernel,
		  "Kernel to boot ('' to unset)", "PATH" },
		{ "initrd", 'i', 0, G_OPTION_ARG_FILENAME, &o.initrd, "Initial ramdisk", "PATH" },
		{ "no-initrd", 0, 0, G_OPTION_ARG_NONE, &o.no_initrd, "Boot without an initrd",
		  NULL },
		{ "append", 'a', 0, G_OPTION_ARG_STRING, &o.append, "Kernel command line",
		  "CMDLINE" },
		{ "boot-mode", 0, 0, G_OPTION_ARG_STRING, &o.boot_mode,
		  "kernel (direct Linux boot) or firmware (not implemented yet)", "MODE" },
		{ "boot-order", 0, 0, G_OPTION_ARG_STRING, &o.boot_order,
		  "Firmware boot order, e.g. cdrom,disk", "LIST" },
		{ "add-disk", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.add_disks,
		  "Attach an existing image (repeatable)", "PATH[,format=F][,ro][,cdrom]" },
		{ "new-disk", 'D', 0, G_OPTION_ARG_STRING_ARRAY, &o.new_disks,
		  "Create and attach a new image in the machine's directory (repeatable)",
		  "SIZE[,format=qcow2|raw]" },
		{ "remove-disk", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.remove_disks,
		  "Detach a disk, by index or path; the image stays (repeatable)", "DISK" },
		{ "add-nic", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.add_nics, "Add a NIC (repeatable)",
		  "nat[,mac=MAC][,fwd=FWD]|tap,ifname=IF[,mac=MAC]" },
		{ "remove-nic", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.remove_nics,
		  "Remove a NIC, by index or MAC (repeatable)", "NIC" },
		{ "add-forward", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &o.add_forwards,
		  "Host→guest port forward, on the first NAT NIC or NIC (index or MAC)",
		  "[tcp:|udp:][ADDR:]HOSTPORT:GUESTPORT[@NIC]" },
		{ "remove-forward", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.remove_forwards,
		  "Remove the port forwards of a host port", "[tcp:|udp:]HOSTPORT" },
		{ "serial", 0, 0, G_OPTION_ARG_STRING, &o.serial, "Serial console on or off",
		  "on|off" },
		{ "serial-log", 0, 0, G_OPTION_ARG_STRING, &o.serial_log,
		  "Where a headless start writes the console (relative to the machine's "
		  "directory), or none",
		  "PATH" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	GPtrArray *new_images = g_ptr_array_new_with_free_func(g_free);
	struct vireo_vmdef *def = NULL;
	GError *err = NULL;
	const char *name;
	int code, fd = -1;
	guint i, made = 0;

	if (!vireo_cli_parse(&argc, &argv, "NAME", "Change a stopped machine's definition.",
			     "Removals apply before additions; disk and NIC indexes are those of "
			     "'vireo info'.\nThe machine must not be running.",
			     entries, 1, 1)) {
		code = VIREO_EXIT_USAGE;
		goto out;
	}
	name = argv[1];
	if (!vireo_machine_exists(name)) {
		code = vireo_cli_fail(VIREO_EXIT_NOT_FOUND, "no machine named \"%s\"", name);
		goto out;
	}
	code = vireo_cli_lock(name, &fd);
	if (code)
		goto out;
	def = vireo_cli_load(name, &code);
	if (!def)
		goto out;
	if (!apply(def, &o, new_images, &err)) {
		code = err->domain == VIREO_VM_ERROR && err->code == VIREO_VM_ERROR_NOT_FOUND ?
			       VIREO_EXIT_NOT_FOUND :
			       VIREO_EXIT_USAGE;
		vireo_cli_fail(code, "%s", err->message);
		g_clear_error(&err);
		goto out;
	}
	for (i = 0; i + 1 < new_images->len; i += 2) {
		uint64_t size = g_ascii_strtoull(new_images->pdata[i], NULL, 10);
		const char *rel = new_images->pdata[i + 1];
		char *path = vireo_machine_resolve(name, rel);
		bool ok = vireo_cli_create_image(path, g_str_has_suffix(rel, ".qcow2") ?
							       VIREO_VM_DISK_QCOW2 :
							       VIREO_VM_DISK_RAW,
						 size, &err);

		g_free(path);
		if (!ok)
			goto undo;
		made = i + 2;
	}
	if (!vireo_machine_save(def, false, &err))
		goto undo;
	printf("modified %s\n", name);
	code = VIREO_EXIT_OK;
	goto out;
undo:
	/* The definition was not changed: the new images must go again. */
	code = vireo_cli_gerror(err);
	for (i = 0; i + 1 < made; i += 2) {
		char *path = vireo_machine_resolve(name, new_images->pdata[i + 1]);

		unlink(path);
		g_free(path);
	}
out:
	vireo_machine_unlock(fd);
	g_ptr_array_free(new_images, TRUE);
	vireo_vmdef_free(def);
	modify_opts_free(&o);
	return code;
}
