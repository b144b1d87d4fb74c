// SPDX-License-Identifier: GPL-2.0
/*
 * vireo disk convert: copy an image's guest view into a new image; a disk
 * of a running machine is copied by its monitor (disk-export) while the
 * guest runs on.
 */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cmd_disk.h"
#include "vireo_imgname.h"

/*
 * Convert SRC, a disk of the running machine o, through its monitor
 * (disk-export).  DST is made absolute (the monitor has its own working
 * directory); --overwrite lets the monitor replace an existing DST once
 * the copy is complete (never SRC or a disk of a running machine).
 */
static int disk_convert_running(const struct vireo_cli_disk_owner *o, const char *src,
				const char *dst, const struct vireo_disk_convert_opts *opts,
				struct vireo_cli_disk_progress *p)
{
	char *abs = g_canonicalize_filename(dst, NULL), *note = NULL;
	JsonObject *args = json_object_new();
	struct vireo_cli_disk_owner other;
	struct stat st;
	uint64_t unused;
	int code;

	if (!lstat(abs, &st)) {
		if (!opts->overwrite) {
			code = vireo_cli_fail(VIREO_EXIT_STATE, "%s exists (--overwrite replaces it)",
					      dst);
			goto out;
		}
		if (vireo_cli_disk_running_owner(abs, &other)) {
			code = vireo_cli_fail(VIREO_EXIT_STATE,
					      "%s is a disk of the running machine %s: not replaced",
					      dst, other.name);
			vireo_cli_disk_owner_clear(&other);
			goto out;
		}
		if (!stat(src, &st) && vireo_cli_disk_same_file(abs, &st)) {
			code = vireo_cli_fail(VIREO_EXIT_USAGE, "%s and %s are the same file", src,
					      dst);
			goto out;
		}
		/* Replaced by the monitor when the copy is complete, never before. */
		json_object_set_boolean_member(args, "overwrite", TRUE);
	}
	json_object_set_int_member(args, "disk", o->index);
	json_object_set_string_member(args, "path", abs);
	json_object_set_string_member(args, "format", vireo_disk_format_name(opts->dst_format));
	if (opts->cluster_size)
		json_object_set_int_member(args, "cluster-size", opts->cluster_size);
	note = g_strdup_printf("%s is disk %d of the running machine %s: its monitor copies it "
			       "(the guest's I/O to it waits meanwhile)",
			       src, o->index, o->name);
	code = vireo_cli_disk_remote_job(o, "disk-export", args, p->quiet ? NULL : note, p, &unused);
	if (code == VIREO_EXIT_OK)
		printf("converted %s to %s (%s)\n", src, dst,
		       vireo_disk_format_name(opts->dst_format));
out:
	json_object_unref(args);
	g_free(note);
	g_free(abs);
	return code;
}

int vireo_cli_disk_convert(int argc, char **argv)
{
	char *format = NULL, *src_format = NULL, *cluster = NULL, *ambiguous = NULL;
	gboolean overwrite = FALSE, quiet = FALSE;
	GOptionEntry entries[] = {
		{ "output-format", 'O', 0, G_OPTION_ARG_STRING, &format,
		  "DST's format: qcow2 (default) or raw; needed when DST's name says another "
		  "(.img, .raw)", "FORMAT" },
		{ "source-format", 'f', 0, G_OPTION_ARG_STRING, &src_format,
		  "SRC's format (probed by default)", "FORMAT" },
		/* It meant the output once, -f the source: refused, not guessed. */
		{ "format", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &ambiguous, NULL, NULL },
		{ "cluster-size", 'c', 0, G_OPTION_ARG_STRING, &cluster,
		  "qcow2 output cluster size (64K default)", "SIZE" },
		{ "overwrite", 0, 0, G_OPTION_ARG_NONE, &overwrite, "Replace an existing DST", NULL },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "No progress output", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	struct vireo_disk_convert_opts o = { .dst_format = VIREO_DISK_QCOW2 };
	GError *error = NULL;
	struct vireo_cli_disk_progress p = { .last = -1 };
	uint64_t cl = 0;
	int code = VIREO_EXIT_USAGE, ret;

	struct vireo_cli_disk_owner own;

	if (!vireo_cli_parse(&argc, &argv, "SRC DST", "Copy a disk image into a new one.",
			     "The guest's view of SRC (its backing chain flattened) goes into a "
			     "new sparse image.\nProgress goes to stderr.  When SRC is a disk of a "
			     "running machine, that machine's\nmonitor makes the copy: it is SRC "
			     "as it was when the copy began (the guest\nruns on; its I/O to SRC "
			     "waits until the copy ends); Ctrl-C cancels it.",
			     entries, 2, 2))
		goto out;
	if (ambiguous) {
		code = vireo_cli_fail(VIREO_EXIT_USAGE,
				      "convert: --format is ambiguous; give -O/--output-format for "
				      "DST's format or -f/--source-format for SRC's (as qemu-img)");
		goto out;
	}
	if (!vireo_cli_disk_format(format, &o.dst_format) ||
	    !vireo_cli_disk_format(src_format, &o.src_format))
		goto out;
	if (!format && !vireo_format_default_ok(argv[2], "qcow2")) {
		code = vireo_cli_fail(VIREO_EXIT_USAGE,
				      "%s: the name says %s but the default output format is qcow2; "
				      "give -O raw or -O qcow2",
				      argv[2], vireo_format_by_name(argv[2]));
		goto out;
	}
	if (cluster && !vireo_cli_disk_size(cluster, &cl))
		goto out;
	o.cluster_size = cl;
	o.overwrite = overwrite;
	p.quiet = quiet;
	p.tty = isatty(2);
	o.progress = vireo_cli_disk_progress;
	o.opaque = &p;
	/* A read-only disk of a running machine cannot change: a local copy is fine. */
	if (vireo_cli_disk_running_owner(argv[1], &own) && !own.readonly) {
		code = disk_convert_running(&own, argv[1], argv[2], &o, &p);
		vireo_cli_disk_owner_clear(&own);
		goto out;
	}
	vireo_cli_disk_owner_clear(&own);
	vireo_cli_disk_catch_signals();
	ret = vireo_disk_convert(argv[1], argv[2], &o, &error);
	if (ret < 0) {
		if (p.tty && p.last >= 0 && p.last < 100)
			fputc('\n', stderr);
		code = vireo_cli_disk_fail(ret, error);
		goto out;
	}
	printf("converted %s to %s (%s)\n", argv[1], argv[2], vireo_disk_format_name(o.dst_format));
	code = VIREO_EXIT_OK;
out:
	g_free(format);
	g_free(src_format);
	g_free(cluster);
	g_free(ambiguous);
	return code;
}

