// SPDX-License-Identifier: GPL-2.0
/*
 * vireo delete: remove a stopped machine; its disks only when the user
 * says so (a prompt, --yes) — disk images are the one thing here that
 * cannot be made again.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "vmlib/lock.h"
#include "vmlib/store.h"

int vireo_cmd_delete(int argc, char **argv)
{
	gboolean yes = FALSE, keep = FALSE;
	GOptionEntry entries[] = {
		{ "yes", 'y', 0, G_OPTION_ARG_NONE, &yes,
		  "Delete the machine's disks without asking", NULL },
		{ "keep-disks", 'k', 0, G_OPTION_ARG_NONE, &keep,
		  "Delete the definition, keep the disk images", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	struct vireo_vmdef *def = NULL;
	GPtrArray *inside = g_ptr_array_new_with_free_func(g_free);
	GError *err = NULL;
	char **kept = NULL, **k;
	const char *name;
	int code, fd = -1;
	unsigned int i;

	if (!vireo_cli_parse(&argc, &argv, "NAME", "Delete a stopped machine.",
			     "Disk images inside the machine's directory are deleted with it "
			     "after a question\n(or with --yes); --keep-disks keeps them in that "
			     "directory.  Images elsewhere are\nnever deleted.  Answering no "
			     "exits with status 6 and changes nothing.\nA definition that cannot "
			     "be read is deleted only with --yes (its disks are kept).",
			     entries, 1, 1)) {
		code = VIREO_EXIT_USAGE;
		goto out;
	}
	if (yes && keep) {
		code = vireo_cli_fail(VIREO_EXIT_USAGE, "--yes and --keep-disks contradict");
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
	def = vireo_machine_load(name, &err);
	if (!def) {
		if (!yes) {
			code = vireo_cli_fail(vireo_cli_exit_of(err),
					      "%s\n(use --yes to delete the definition anyway; "
					      "disks are then kept)",
					      err->message);
			g_clear_error(&err);
			goto out;
		}
		g_clear_error(&err);
		/* Only the name is known: the definition goes, everything else stays. */
		def = vireo_vmdef_new(name);
		while (def->n_nics)
			vireo_vmdef_remove_nic(def, 0);
		g_free(def->serial.log);
		def->serial.log = NULL;
		keep = TRUE;
	}
	for (i = 0; i < def->n_disks; i++) {
		if (vireo_machine_path_inside(name, def->disks[i].path))
			g_ptr_array_add(inside, vireo_machine_resolve(name, def->disks[i].path));
	}
	if (inside->len && !yes && !keep) {
		GString *q = g_string_new(NULL);

		g_string_printf(q, "Delete machine %s and its disk image%s", name,
				inside->len == 1 ? "" : "s");
		for (i = 0; i < inside->len; i++)
			g_string_append_printf(q, "%s %s", i ? "," : "", (char *)inside->pdata[i]);
		g_string_append(q, "?");
		if (!vireo_cli_confirm(q->str)) {
			g_string_free(q, TRUE);
			code = vireo_cli_fail(VIREO_EXIT_DECLINED, "nothing deleted");
			goto out;
		}
		g_string_free(q, TRUE);
	}
	if (!vireo_machine_delete(def, !keep, &kept, &err)) {
		code = vireo_cli_gerror(err);
		goto out;
	}
	printf("deleted %s\n", name);
	for (k = kept; k && *k; k++)
		printf("kept disk %s\n", *k);
	code = VIREO_EXIT_OK;
out:
	g_strfreev(kept);
	vireo_machine_unlock(fd);
	g_ptr_array_free(inside, TRUE);
	vireo_vmdef_free(def);
	return code;
}
