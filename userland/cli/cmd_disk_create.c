// SPDX-License-Identifier: GPL-2.0
/* vireo disk create: a new image, raw or qcow2, optionally a linked clone. */
#include <stdio.h>

#include "cli.h"
#include "cmd_disk.h"
#include "vireo_imgname.h"

int vireo_cli_disk_create(int argc, char **argv)
{
	char *format = NULL, *backing = NULL, *backing_format = NULL, *cluster = NULL;
	gboolean overwrite = FALSE;
	GOptionEntry entries[] = {
		{ "format", 'f', 0, G_OPTION_ARG_STRING, &format,
		  "qcow2 (default) or raw; needed when PATH's name says another (.img, .raw)",
		  "FORMAT" },
		{ "backing", 'b', 0, G_OPTION_ARG_FILENAME, &backing,
		  "Backing file (qcow2: a linked clone); relative to the new image's directory",
		  "FILE" },
		{ "backing-format", 'F', 0, G_OPTION_ARG_STRING, &backing_format,
		  "Format of the backing file (probed by default)", "FORMAT" },
		{ "cluster-size", 'c', 0, G_OPTION_ARG_STRING, &cluster,
		  "qcow2 cluster size (64K default)", "SIZE" },
		{ "overwrite", 0, 0, G_OPTION_ARG_NONE, &overwrite, "Replace an existing file",
		  NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	struct vireo_disk_create_opts o = { .format = VIREO_DISK_QCOW2 };
	GError *error = NULL;
	uint64_t cl = 0;
	int code = VIREO_EXIT_USAGE, ret;

	if (!vireo_cli_parse(&argc, &argv, "PATH [SIZE]", "Create a disk image.",
			     "SIZE takes K/M/G/T suffixes; with --backing it defaults to the "
			     "backing file's size.",
			     entries, 1, 2))
		goto out;
	if (!vireo_cli_disk_format(format, &o.format) ||
	    !vireo_cli_disk_format(backing_format, &o.backing_format))
		goto out;
	if (!format && !vireo_format_default_ok(argv[1], "qcow2")) {
		code = vireo_cli_fail(VIREO_EXIT_USAGE,
				      "%s: the name says %s but the default format is qcow2; give "
				      "-f raw or -f qcow2",
				      argv[1], vireo_format_by_name(argv[1]));
		goto out;
	}
	if (argc == 3 && !vireo_cli_disk_size(argv[2], &o.size))
		goto out;
	if (argc == 2 && !backing) {
		code = vireo_cli_fail(VIREO_EXIT_USAGE, "a SIZE is needed without --backing");
		goto out;
	}
	if (cluster && !vireo_cli_disk_size(cluster, &cl))
		goto out;
	o.cluster_size = cl;
	o.backing_file = backing;
	o.overwrite = overwrite;
	vireo_cli_disk_catch_signals();
	ret = vireo_disk_create(argv[1], &o, &error);
	if (ret < 0) {
		code = vireo_cli_disk_fail(ret, error);
		goto out;
	}
	printf("created %s (%s)\n", argv[1], vireo_disk_format_name(o.format));
	code = VIREO_EXIT_OK;
out:
	g_free(format);
	g_free(backing);
	g_free(backing_format);
	g_free(cluster);
	return code;
}

