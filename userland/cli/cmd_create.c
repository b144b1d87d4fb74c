// SPDX-License-Identifier: GPL-2.0
/*
 * vireo create: a new machine definition, with new disk images if asked.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "vmlib/store.h"

/* Options that create and modify share, applied to a definition. */
struct edit_opts {
	char *memory, *kernel, *initrd, *append, *boot_order, *boot_mode;
	int cpus;
	char **disks, **new_disks, **nics, **forwards;
	gboolean no_nic, no_serial;
};

static void edit_opts_free(struct edit_opts *o)
{
	g_free(o->memory);
	g_free(o->kernel);
	g_free(o->initrd);
	g_free(o->append);
	g_free(o->boot_order);
	g_free(o->boot_mode);
	g_strfreev(o->disks);
	g_strfreev(o->new_disks);
	g_strfreev(o->nics);
	g_strfreev(o->forwards);
}

/* The first NAT NIC, where --forward rules go. */
static struct vireo_vm_nic *first_nat(struct vireo_vmdef *def)
{
	unsigned int i;

	for (i = 0; i < def->n_nics; i++) {
		if (def->nics[i].backend == VIREO_VM_NIC_NAT)
			return &def->nics[i];
	}
	return NULL;
}

int vireo_cmd_create(int argc, char **argv)
{
	struct edit_opts o = { .cpus = -1 };
	GOptionEntry entries[] = {
		{ "memory", 'm', 0, G_OPTION_ARG_STRING, &o.memory,
		  "Guest RAM (512M default; K/M/G/T, a bare number is MiB)", "SIZE" },
		{ "cpus", 'c', 0, G_OPTION_ARG_INT, &o.cpus, "Virtual CPUs (1 default)", "N" },
		{ "kernel", 'k', 0, G_OPTION_ARG_FILENAME, &o.kernel, "Linux kernel (bzImage) to boot",
		  "PATH" },
		{ "initrd", 'i', 0, G_OPTION_ARG_FILENAME, &o.initrd, "Initial ramdisk", "PATH" },
		{ "append", 'a', 0, G_OPTION_ARG_STRING, &o.append,
		  "Kernel command line (default console=ttyS0)", "CMDLINE" },
		{ "disk", 'd', 0, G_OPTION_ARG_STRING_ARRAY, &o.disks,
		  "Attach an existing image (repeatable)", "PATH[,format=raw|qcow2][,ro][,cdrom]" },
		{ "new-disk", 'D', 0, G_OPTION_ARG_STRING_ARRAY, &o.new_disks,
		  "Create a new image diskN.qcow2 in the machine's directory (repeatable)",
		  "SIZE[,format=qcow2|raw]" },
		{ "nic", 'n', 0, G_OPTION_ARG_STRING_ARRAY, &o.nics,
		  "A NIC instead of the default NAT one (repeatable)",
		  "nat[,mac=MAC][,fwd=FWD]|tap,ifname=IF[,mac=MAC]" },
		{ "no-nic", 0, 0, G_OPTION_ARG_NONE, &o.no_nic, "No network card at all", NULL },
		{ "forward", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &o.forwards,
		  "Host→guest port forward on the first NAT NIC (repeatable)",
		  "[tcp:|udp:][ADDR:]HOSTPORT:GUESTPORT" },
		{ "boot-order", 0, 0, G_OPTION_ARG_STRING, &o.boot_order,
		  "Firmware boot order (disk,cdrom default)", "LIST" },
		{ "no-serial", 0, 0, G_OPTION_ARG_NONE, &o.no_serial, "No serial console", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	struct vireo_vmdef *def = NULL;
	GPtrArray *created = g_ptr_array_new_with_free_func(g_free);
	GError *err = NULL;
	int code = VIREO_EXIT_ERROR;
	const char *name;
	unsigned int i;
	char **s;

	if (!vireo_cli_parse(&argc, &argv, "NAME", "Define a new machine.",
			     "The machine is stored in $XDG_DATA_HOME/vireo/machines/NAME/ "
			     "(docs/vm-definition.md).\nIt gets one NAT NIC with a fresh MAC "
			     "unless --nic or --no-nic say otherwise.\n\nExample:\n"
			     "  vireo create deb --memory 1G --cpus 2 --kernel vmlinuz "
			     "--initrd initrd.img \\\n"
			     "      --append 'console=ttyS0 root=/dev/vda1' --new-disk 8G "
			     "--forward 2222:22",
			     entries, 1, 1)) {
		code = VIREO_EXIT_USAGE;
		goto out;
	}
	name = argv[1];
	if (!vireo_vm_name_valid(name)) {
		code = vireo_cli_fail(VIREO_EXIT_USAGE,
				      "\"%s\" is not a machine name (1-%d of letters, digits, "
				      "'.', '_', '-', starting with a letter or digit)",
				      name, VIREO_VM_NAME_MAX);
		goto out;
	}
	if (vireo_machine_exists(name)) {
		code = vireo_cli_fail(VIREO_EXIT_STATE, "a machine named \"%s\" exists already",
				      name);
		goto out;
	}
	def = vireo_vmdef_new(name);
	if (o.memory && !vireo_cli_parse_memory(o.memory, &def->memory_mib, &err))
		goto usage;
	if (o.cpus != -1)
		def->cpus = o.cpus < 0 ? 0 : o.cpus;	/* 0: the validator names it */
	if (o.kernel) {
		def->boot.kernel = g_canonicalize_filename(o.kernel, NULL);
		if (!g_file_test(def->boot.kernel, G_FILE_TEST_IS_REGULAR)) {
			code = vireo_cli_fail(VIREO_EXIT_NOT_FOUND, "%s: no such file",
					      def->boot.kernel);
			goto out;
		}
	}
	if (o.initrd) {
		def->boot.initrd = g_canonicalize_filename(o.initrd, NULL);
		if (!g_file_test(def->boot.initrd, G_FILE_TEST_IS_REGULAR)) {
			code = vireo_cli_fail(VIREO_EXIT_NOT_FOUND, "%s: no such file",
					      def->boot.initrd);
			goto out;
		}
	}
	if (o.append) {
		g_free(def->boot.cmdline);
		def->boot.cmdline = g_strdup(o.append);
	}
	if (o.boot_order && !vireo_cli_parse_boot_order(o.boot_order, &def->boot, &err))
		goto usage;
	if (o.no_serial)
		def->serial.enabled = false;
	for (s = o.disks; s && *s; s++) {
		struct vireo_vm_disk d;
		bool ok;

		if (!vireo_cli_parse_disk(*s, &d, &err))
			goto fail;
		ok = vireo_vmdef_add_disk(def, &d, &err);
		g_free(d.path);
		if (!ok)
			goto usage;
	}
	if (o.nics || o.no_nic) {
		while (def->n_nics)
			vireo_vmdef_remove_nic(def, 0);
	}
	for (s = o.nics; s && *s && !o.no_nic; s++) {
		struct vireo_vm_nic n;
		bool ok;

		if (!vireo_cli_parse_nic(*s, &n, &err))
			goto usage;
		ok = vireo_vmdef_add_nic(def, &n, &err);
		vireo_cli_nic_clear(&n);
		if (!ok)
			goto usage;
	}
	for (s = o.forwards; s && *s; s++) {
		struct vireo_vm_forward f;
		struct vireo_vm_nic *nat = first_nat(def);
		bool ok;

		if (!nat) {
			code = vireo_cli_fail(VIREO_EXIT_USAGE, "--forward needs a NAT NIC");
			goto out;
		}
		if (!vireo_cli_parse_forward(*s, &f, &err))
			goto usage;
		ok = vireo_vm_nic_add_forward(nat, &f, &err);
		g_free(f.host_addr);
		if (!ok)
			goto usage;
	}
	/* New disks: names now, images once the directory exists. */
	for (s = o.new_disks; s && *s; s++) {
		struct vireo_vm_disk d = { 0 };
		uint64_t size;

		if (!vireo_cli_parse_new_disk(*s, &size, &d.format, &err))
			goto usage;
		d.path = vireo_cli_new_disk_name(def, d.format);
		if (!vireo_vmdef_add_disk(def, &d, &err)) {
			g_free(d.path);
			goto usage;
		}
		g_ptr_array_add(created, g_strdup_printf("%" G_GUINT64_FORMAT, size));
		g_ptr_array_add(created, d.path);
	}
	if (!vireo_vmdef_validate(def, NULL, &err))
		goto usage;
	if (!vireo_machine_create(def, &err))
		goto fail;
	for (i = 0; i + 1 < created->len; i += 2) {
		uint64_t size = g_ascii_strtoull(created->pdata[i], NULL, 10);
		const char *rel = created->pdata[i + 1];
		char *path = vireo_machine_resolve(name, rel);
		enum vireo_vm_disk_format f =
			g_str_has_suffix(rel, ".qcow2") ? VIREO_VM_DISK_QCOW2 : VIREO_VM_DISK_RAW;
		bool ok = vireo_cli_create_image(path, f, size, &err);

		if (!ok) {
			/* No half-made machine: take back what was created, and
			 * only that (the directory may hold kept disks). */
			guint k;

			for (k = 0; k < i; k += 2) {
				char *p = vireo_machine_resolve(name, created->pdata[k + 1]);

				unlink(p);
				g_free(p);
			}
			g_free(path);
			vireo_machine_delete(def, false, NULL, NULL);
			goto fail;
		}
		g_free(path);
	}
	printf("created %s (%s, %" G_GUINT64_FORMAT " MiB, %u CPU%s, %u disk%s, %u NIC%s)\n",
	       name, def->uuid, def->memory_mib, def->cpus, def->cpus == 1 ? "" : "s",
	       def->n_disks, def->n_disks == 1 ? "" : "s", def->n_nics,
	       def->n_nics == 1 ? "" : "s");
	code = VIREO_EXIT_OK;
	goto out;
usage:
	/* Bad values on the command line are usage errors. */
	code = vireo_cli_fail(VIREO_EXIT_USAGE, "%s", err->message);
	g_clear_error(&err);
	goto out;
fail:
	code = vireo_cli_gerror(err);
out:
	g_ptr_array_free(created, TRUE);
	vireo_vmdef_free(def);
	edit_opts_free(&o);
	return code;
}
