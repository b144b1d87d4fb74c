// SPDX-License-Identifier: GPL-2.0
/*
 * The monitor command line of a definition (contract in launch.h).
 */
#include <stdlib.h>
#include <string.h>

#include "launch.h"
#include "lock.h"
#include "optsplit.h"
#include "store.h"

static void add(GPtrArray *a, const char *opt, char *value_owned)
{
	g_ptr_array_add(a, g_strdup(opt));
	if (value_owned)
		g_ptr_array_add(a, value_owned);
}

char **vireo_monitor_argv(const struct vireo_vmdef *def, const char *monitor, bool attach,
			  GError **error)
{
	GPtrArray *a;
	char *sock, *console;
	unsigned int i, j;

	if (def->boot.mode == VIREO_VM_BOOT_FIRMWARE) {
		g_set_error(error, VIREO_VM_ERROR, VIREO_VM_ERROR_INVALID,
			    "%s: boot.mode: firmware boot is not implemented yet; boot a kernel "
			    "with 'vireo modify %s --kernel PATH'",
			    def->name, def->name);
		return NULL;
	}
	if (!def->boot.kernel) {
		g_set_error(error, VIREO_VM_ERROR, VIREO_VM_ERROR_INVALID,
			    "%s: boot.kernel: no kernel to boot; set one with "
			    "'vireo modify %s --kernel PATH'",
			    def->name, def->name);
		return NULL;
	}
	sock = vireo_machine_socket_path(def->name, error);
	if (!sock)
		return NULL;
	console = vireo_machine_console_path(def->name, error);
	if (!console) {
		g_free(sock);
		return NULL;
	}

	a = g_ptr_array_new();
	g_ptr_array_add(a, g_strdup(monitor));
	add(a, "--name", g_strdup(def->name));
	add(a, "--lock", vireo_machine_file(def->name, VIREO_MACHINE_LOCK));
	add(a, "--control", sock);
	add(a, "--console-socket", console);
	add(a, "--mem", g_strdup_printf("%" G_GUINT64_FORMAT "M", def->memory_mib));
	add(a, "--cpus", g_strdup_printf("%u", def->cpus));
	add(a, "--kernel", vireo_machine_resolve(def->name, def->boot.kernel));
	if (def->boot.initrd)
		add(a, "--initrd", vireo_machine_resolve(def->name, def->boot.initrd));
	if (def->boot.cmdline)
		add(a, "--append", g_strdup(def->boot.cmdline));
	for (i = 0; i < def->n_disks; i++) {
		const struct vireo_vm_disk *d = &def->disks[i];
		char *path = vireo_machine_resolve(def->name, d->path);
		char *esc = vireo_opt_escape(path);

		if (!esc)
			g_error("out of memory");
		/* A cdrom is read-only (the validator sees to it): a read-only
		 * virtio disk until the monitor has a cdrom device.  A comma in
		 * the path is doubled (optsplit.h); the rest goes as it is. */
		add(a, "--disk",
		    g_strdup_printf("%s%s,format=%s", esc, d->read_only ? ",ro" : "",
				    vireo_vm_disk_format_name(d->format)));
		free(esc);
		g_free(path);
	}
	for (i = 0; i < def->n_nics; i++) {
		const struct vireo_vm_nic *n = &def->nics[i];
		GString *s = g_string_new(vireo_vm_nic_backend_name(n->backend));
		char mac[18];

		if (n->backend == VIREO_VM_NIC_TAP)
			g_string_append_printf(s, ",ifname=%s", n->ifname);
		vireo_vm_mac_format(n->mac, mac);
		g_string_append_printf(s, ",mac=%s", mac);
		for (j = 0; j < n->n_forwards; j++) {
			const struct vireo_vm_forward *f = &n->forwards[j];

			/* QEMU's hostfwd spelling, which libslirp users know. */
			g_string_append_printf(s, ",hostfwd=%s:%s:%u-:%u",
					       vireo_vm_fwd_proto_name(f->proto), f->host_addr,
					       f->host_port, f->guest_port);
		}
		add(a, "--net", g_string_free(s, FALSE));
	}
	/* The serial console always goes to the monitor's stdout; attached,
	 * the terminal's input goes to it too. */
	if (attach)
		add(a, "--console", NULL);
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}
