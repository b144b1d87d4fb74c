// SPDX-License-Identifier: GPL-2.0
/*
 * vireo list, vireo info: machines, their definitions and state.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "vmlib/store.h"

/* The definition as JSON (the machine.json text, parsed back). */
static JsonNode *def_node(const struct vireo_vmdef *def)
{
	char *text = vireo_vmdef_to_json(def);
	JsonNode *n = json_from_string(text, NULL);

	g_free(text);
	return n;
}

int vireo_cmd_list(int argc, char **argv)
{
	gboolean json = FALSE;
	char *output = NULL;
	GOptionEntry entries[] = {
		VIREO_CLI_OUTPUT_ENTRIES(json, output),
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	JsonBuilder *b = NULL;
	GError *err = NULL;
	char **names;
	char **n;

	if (!vireo_cli_parse(&argc, &argv, "", "List the machines and their state.",
			     "Columns: name, state (stopped, running, paused, unresponsive, or "
			     "invalid when\nthe definition cannot be read), CPUs, memory, disks, "
			     "NICs.",
			     entries, 0, 0) ||
	    !vireo_cli_output(&json, output))
		return VIREO_EXIT_USAGE;
	g_free(output);
	names = vireo_machine_list(&err);
	if (!names)
		return vireo_cli_gerror(err);
	if (json) {
		b = json_builder_new();
		json_builder_begin_array(b);
	} else if (names[0]) {
		printf("%-24s %-13s %4s %9s %5s %4s\n", "NAME", "STATE", "CPUS", "MEMORY", "DISKS",
		       "NICS");
	}
	for (n = names; *n; n++) {
		struct vireo_vmdef *def = vireo_machine_load(*n, &err);
		struct vireo_cli_status st;

		if (!def) {
			/* One broken definition must not hide the others. */
			fprintf(stderr, "vireo: %s\n", err->message);
			g_clear_error(&err);
			if (json) {
				json_builder_begin_object(b);
				json_builder_set_member_name(b, "name");
				json_builder_add_string_value(b, *n);
				json_builder_set_member_name(b, "state");
				json_builder_add_string_value(b, "invalid");
				json_builder_end_object(b);
			} else {
				printf("%-24s %-13s\n", *n, "invalid");
			}
			continue;
		}
		vireo_cli_status_get(*n, &st);
		if (json) {
			json_builder_begin_object(b);
			json_builder_set_member_name(b, "name");
			json_builder_add_string_value(b, *n);
			json_builder_set_member_name(b, "state");
			json_builder_add_string_value(b, st.state);
			json_builder_set_member_name(b, "uuid");
			json_builder_add_string_value(b, def->uuid);
			json_builder_set_member_name(b, "cpus");
			json_builder_add_int_value(b, def->cpus);
			json_builder_set_member_name(b, "memory_mib");
			json_builder_add_int_value(b, def->memory_mib);
			json_builder_set_member_name(b, "disks");
			json_builder_add_int_value(b, def->n_disks);
			json_builder_set_member_name(b, "nics");
			json_builder_add_int_value(b, def->n_nics);
			json_builder_end_object(b);
		} else {
			char mem[32];

			snprintf(mem, sizeof(mem), "%" G_GUINT64_FORMAT "M", def->memory_mib);
			printf("%-24s %-13s %4u %9s %5u %4u\n", *n, st.state, def->cpus, mem,
			       def->n_disks, def->n_nics);
		}
		vireo_cli_status_clear(&st);
		vireo_vmdef_free(def);
	}
	if (json) {
		JsonNode *root;

		json_builder_end_array(b);
		root = json_builder_get_root(b);
		vireo_cli_print_json(root);
		json_node_unref(root);
		g_object_unref(b);
	}
	g_strfreev(names);
	return VIREO_EXIT_OK;
}

static const char *time_text(int64_t t, char *buf, size_t len)
{
	GDateTime *dt = g_date_time_new_from_unix_local(t);
	char *s = dt ? g_date_time_format(dt, "%Y-%m-%d %H:%M:%S %Z") : NULL;

	g_strlcpy(buf, s ? s : "?", len);
	g_free(s);
	if (dt)
		g_date_time_unref(dt);
	return buf;
}

static void print_human(const struct vireo_vmdef *def, const struct vireo_cli_status *st)
{
	char *dir = vireo_machine_dir(def->name);
	char t1[64], t2[64];
	unsigned int i, j;

	printf("name:      %s\n", def->name);
	printf("state:     %s", st->state);
	if (st->held && st->pid)
		printf(" (monitor pid %ld)", (long)st->pid);
	printf("\nuuid:      %s\n", def->uuid);
	printf("directory: %s\n", dir);
	printf("memory:    %" G_GUINT64_FORMAT " MiB\n", def->memory_mib);
	printf("cpus:      %u\n", def->cpus);
	printf("boot:      %s", vireo_vm_boot_mode_name(def->boot.mode));
	if (def->boot.mode == VIREO_VM_BOOT_KERNEL)
		printf(" %s", def->boot.kernel ? def->boot.kernel : "(no kernel set)");
	printf("\n");
	if (def->boot.initrd)
		printf("initrd:    %s\n", def->boot.initrd);
	if (def->boot.cmdline)
		printf("cmdline:   %s\n", def->boot.cmdline);
	printf("order:     ");
	for (i = 0; i < def->boot.n_order; i++)
		printf("%s%s", i ? "," : "", vireo_vm_boot_device_name(def->boot.order[i]));
	printf("\n");
	for (i = 0; i < def->n_disks; i++) {
		const struct vireo_vm_disk *d = &def->disks[i];

		printf("disk %u:    %s (%s%s%s)\n", i, d->path, vireo_vm_disk_format_name(d->format),
		       d->media == VIREO_VM_MEDIA_CDROM ? ", cdrom" : "",
		       d->read_only ? ", read-only" : "");
	}
	for (i = 0; i < def->n_nics; i++) {
		const struct vireo_vm_nic *n = &def->nics[i];
		char mac[18];

		vireo_vm_mac_format(n->mac, mac);
		printf("nic %u:     %s %s%s%s mac %s\n", i, n->model,
		       vireo_vm_nic_backend_name(n->backend), n->ifname ? " " : "",
		       n->ifname ? n->ifname : "", mac);
		for (j = 0; j < n->n_forwards; j++) {
			const struct vireo_vm_forward *f = &n->forwards[j];

			printf("           forward %s %s:%u -> guest :%u\n",
			       vireo_vm_fwd_proto_name(f->proto), f->host_addr, f->host_port,
			       f->guest_port);
		}
	}
	printf("serial:    %s", def->serial.enabled ? "on" : "off");
	if (def->serial.enabled && def->serial.log)
		printf(", headless log %s", def->serial.log);
	printf("\ncreated:   %s\nmodified:  %s\n", time_text(def->created, t1, sizeof(t1)),
	       time_text(def->modified, t2, sizeof(t2)));
	g_free(dir);
}

int vireo_cmd_info(int argc, char **argv)
{
	gboolean json = FALSE;
	char *output = NULL;
	GOptionEntry entries[] = {
		/* JSON: {"state", "pid", "definition"} */
		VIREO_CLI_OUTPUT_ENTRIES(json, output),
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	struct vireo_cli_status st;
	struct vireo_vmdef *def;
	int code;

	if (!vireo_cli_parse(&argc, &argv, "NAME", "Show a machine's definition and state.",
			     "--output=json prints {\"state\", \"pid\", \"definition\"}.", entries,
			     1, 1) ||
	    !vireo_cli_output(&json, output))
		return VIREO_EXIT_USAGE;
	g_free(output);
	def = vireo_cli_load(argv[1], &code);
	if (!def)
		return code;
	vireo_cli_status_get(argv[1], &st);
	if (json) {
		JsonObject *o = json_object_new();
		JsonNode *root = json_node_new(JSON_NODE_OBJECT);

		json_object_set_string_member(o, "state", st.state);
		json_object_set_int_member(o, "pid", st.held ? st.pid : 0);
		json_object_set_member(o, "definition", def_node(def));
		json_node_take_object(root, o);
		vireo_cli_print_json(root);
		json_node_unref(root);
	} else {
		print_human(def, &st);
	}
	vireo_cli_status_clear(&st);
	vireo_vmdef_free(def);
	return VIREO_EXIT_OK;
}
