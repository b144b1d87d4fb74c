// SPDX-License-Identifier: GPL-2.0
/*
 * vireo disk create|info|resize|convert: disk images through
 * libvireo-disk (userland/disk/disk.h), the library vireo-run's
 * virtio-blk uses too.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "disk/disk.h"

static int disk_exit(int ret)
{
	switch (ret) {
	case -ENOENT:
		return VIREO_EXIT_NOT_FOUND;
	case -EEXIST:
	case -EBUSY:
	case -EAGAIN:
		return VIREO_EXIT_STATE;	/* exists, or in use by a running machine */
	default:
		return VIREO_EXIT_ERROR;
	}
}

static int fail_disk(int ret, const char *msg)
{
	return vireo_cli_fail(disk_exit(ret), "%s", msg && *msg ? msg : g_strerror(-ret));
}

static bool parse_format(const char *s, enum vireo_disk_format *f)
{
	if (!s)
		return true;
	if (vireo_disk_parse_format(s, f) < 0) {
		vireo_cli_fail(VIREO_EXIT_USAGE, "format \"%s\" is not one of raw, qcow2", s);
		return false;
	}
	return true;
}

static bool parse_size(const char *s, uint64_t *v)
{
	if (vireo_disk_parse_size(s, v) < 0) {
		vireo_cli_fail(VIREO_EXIT_USAGE, "\"%s\" is not a size such as 8G or 512M", s);
		return false;
	}
	return true;
}

static int disk_create(int argc, char **argv)
{
	char *format = NULL, *backing = NULL, *backing_format = NULL, *cluster = NULL;
	gboolean overwrite = FALSE;
	GOptionEntry entries[] = {
		{ "format", 'f', 0, G_OPTION_ARG_STRING, &format, "qcow2 (default) or raw",
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
	struct vireo_disk_err err = { { 0 } };
	uint64_t cl = 0;
	int code = VIREO_EXIT_USAGE, ret;

	if (!vireo_cli_parse(&argc, &argv, "PATH [SIZE]", "Create a disk image.",
			     "SIZE takes K/M/G/T suffixes; with --backing it defaults to the "
			     "backing file's size.",
			     entries, 1, 2))
		goto out;
	if (!parse_format(format, &o.format) || !parse_format(backing_format, &o.backing_format))
		goto out;
	if (argc == 3 && !parse_size(argv[2], &o.size))
		goto out;
	if (argc == 2 && !backing) {
		code = vireo_cli_fail(VIREO_EXIT_USAGE, "a SIZE is needed without --backing");
		goto out;
	}
	if (cluster && !parse_size(cluster, &cl))
		goto out;
	o.cluster_size = cl;
	o.backing_file = backing;
	o.overwrite = overwrite;
	ret = vireo_disk_create(argv[1], &o, &err);
	if (ret < 0) {
		code = fail_disk(ret, err.msg);
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

static void json_member_str(JsonBuilder *b, const char *k, const char *v)
{
	json_builder_set_member_name(b, k);
	json_builder_add_string_value(b, v);
}

static void json_member_int(JsonBuilder *b, const char *k, int64_t v)
{
	json_builder_set_member_name(b, k);
	json_builder_add_int_value(b, v);
}

static int disk_info(int argc, char **argv)
{
	gboolean json = FALSE;
	GOptionEntry entries[] = {
		{ "json", 'j', 0, G_OPTION_ARG_NONE, &json, "Machine-readable output", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	struct vireo_disk_err err = { { 0 } };
	struct vireo_disk_info in;
	struct vireo_disk *d;
	char vs[32], ds[32];
	int ret;

	if (!vireo_cli_parse(&argc, &argv, "PATH", "Show a disk image's format and sizes.", NULL,
			     entries, 1, 1))
		return VIREO_EXIT_USAGE;
	/* Read-only and without following the backing file, so that info
	 * works on an image a running machine has open, and on one whose
	 * backing file is gone. */
	ret = vireo_disk_open(argv[1], VIREO_DISK_AUTO,
			      VIREO_DISK_RDONLY | VIREO_DISK_NO_BACKING | VIREO_DISK_NO_LOCK, &d,
			      &err);
	if (ret < 0)
		return fail_disk(ret, err.msg);
	vireo_disk_get_info(d, &in);
	vireo_disk_close(d);
	if (json) {
		JsonBuilder *b = json_builder_new();
		JsonGenerator *gen = json_generator_new();
		JsonNode *root;
		char *text;

		json_builder_begin_object(b);
		json_member_str(b, "path", argv[1]);
		json_member_str(b, "format", vireo_disk_format_name(in.format));
		json_member_int(b, "virtual_size", in.virtual_size);
		json_member_int(b, "disk_size", in.disk_size);
		json_member_int(b, "file_size", in.file_size);
		if (in.format == VIREO_DISK_QCOW2) {
			json_member_int(b, "cluster_size", in.cluster_size);
			json_member_int(b, "qcow2_version", in.qcow2_version);
			json_builder_set_member_name(b, "dirty");
			json_builder_add_boolean_value(b, in.dirty);
			json_builder_set_member_name(b, "corrupt");
			json_builder_add_boolean_value(b, in.corrupt);
			if (in.backing_file[0]) {
				json_member_str(b, "backing_file", in.backing_file);
				json_member_str(b, "backing_path", in.backing_path);
			}
		}
		json_builder_end_object(b);
		root = json_builder_get_root(b);
		json_generator_set_pretty(gen, TRUE);
		json_generator_set_root(gen, root);
		text = json_generator_to_data(gen, NULL);
		printf("%s\n", text);
		g_free(text);
		json_node_unref(root);
		g_object_unref(gen);
		g_object_unref(b);
		return VIREO_EXIT_OK;
	}
	vireo_disk_format_size(in.virtual_size, vs, sizeof(vs));
	vireo_disk_format_size(in.disk_size, ds, sizeof(ds));
	printf("image:        %s\n", argv[1]);
	printf("format:       %s\n", vireo_disk_format_name(in.format));
	printf("virtual size: %s (%llu bytes)\n", vs, (unsigned long long)in.virtual_size);
	printf("disk size:    %s\n", ds);
	if (in.format == VIREO_DISK_QCOW2) {
		printf("cluster size: %u\n", in.cluster_size);
		printf("qcow2:        version %u%s%s\n", in.qcow2_version, in.dirty ? ", dirty" : "",
		       in.corrupt ? ", CORRUPT" : "");
		if (in.backing_file[0])
			printf("backing file: %s (%s)\n", in.backing_file, in.backing_path);
	}
	return VIREO_EXIT_OK;
}

static int disk_resize(int argc, char **argv)
{
	struct vireo_disk_err err = { { 0 } };
	struct vireo_disk *d;
	uint64_t size;
	bool grow_by;
	int ret;

	if (!vireo_cli_parse(&argc, &argv, "PATH [+]SIZE", "Grow a disk image.",
			     "SIZE is the new virtual size, or +SIZE the growth.  Shrinking is "
			     "refused: it would\ndrop guest data.  An image a running machine "
			     "uses cannot be resized.",
			     NULL, 2, 2))
		return VIREO_EXIT_USAGE;
	grow_by = argv[2][0] == '+';
	if (!parse_size(argv[2] + grow_by, &size))
		return VIREO_EXIT_USAGE;
	ret = vireo_disk_open(argv[1], VIREO_DISK_AUTO, 0, &d, &err);
	if (ret < 0)
		return fail_disk(ret, err.msg);
	if (grow_by)
		size += vireo_disk_size(d);
	ret = vireo_disk_resize(d, size);
	if (ret < 0) {
		char *msg = g_strdup(vireo_disk_errmsg(d));

		vireo_disk_close(d);
		ret = fail_disk(ret, msg);
		g_free(msg);
		return ret;
	}
	ret = vireo_disk_close(d);
	if (ret < 0)
		return fail_disk(ret, "flushing the resized image failed");
	printf("resized %s to %llu bytes\n", argv[1], (unsigned long long)size);
	return VIREO_EXIT_OK;
}

struct progress {
	bool tty, quiet;
	int last;
};

/* A rewritten percentage on a terminal, a line per 10% otherwise. */
static int show_progress(void *opaque, uint64_t done, uint64_t total)
{
	struct progress *p = opaque;
	int pct = total ? (int)(done * 100 / total) : 100;

	if (p->quiet || pct == p->last)
		return 0;
	if (p->tty)
		fprintf(stderr, "\rconverting: %3d%%%s", pct, pct == 100 ? "\n" : "");
	else if (pct / 10 != p->last / 10 || pct == 100)
		fprintf(stderr, "converting: %d%%\n", pct);
	p->last = pct;
	return 0;
}

static int disk_convert(int argc, char **argv)
{
	char *format = NULL, *src_format = NULL, *cluster = NULL;
	gboolean overwrite = FALSE, quiet = FALSE;
	GOptionEntry entries[] = {
		{ "format", 'O', 0, G_OPTION_ARG_STRING, &format,
		  "Output format: qcow2 (default) or raw", "FORMAT" },
		{ "source-format", 'f', 0, G_OPTION_ARG_STRING, &src_format,
		  "Source format (probed by default)", "FORMAT" },
		{ "cluster-size", 'c', 0, G_OPTION_ARG_STRING, &cluster,
		  "qcow2 output cluster size (64K default)", "SIZE" },
		{ "overwrite", 0, 0, G_OPTION_ARG_NONE, &overwrite, "Replace an existing DST", NULL },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "No progress output", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	struct vireo_disk_convert_opts o = { .dst_format = VIREO_DISK_QCOW2 };
	struct vireo_disk_err err = { { 0 } };
	struct progress p = { .last = -1 };
	uint64_t cl = 0;
	int code = VIREO_EXIT_USAGE, ret;

	if (!vireo_cli_parse(&argc, &argv, "SRC DST", "Copy a disk image into a new one.",
			     "The guest's view of SRC (its backing chain flattened) goes into a "
			     "new sparse image.\nProgress goes to stderr.",
			     entries, 2, 2))
		goto out;
	if (!parse_format(format, &o.dst_format) || !parse_format(src_format, &o.src_format))
		goto out;
	if (cluster && !parse_size(cluster, &cl))
		goto out;
	o.cluster_size = cl;
	o.overwrite = overwrite;
	p.quiet = quiet;
	p.tty = isatty(2);
	o.progress = show_progress;
	o.opaque = &p;
	ret = vireo_disk_convert(argv[1], argv[2], &o, &err);
	if (ret < 0) {
		if (p.tty && p.last >= 0 && p.last < 100)
			fputc('\n', stderr);
		code = fail_disk(ret, err.msg);
		goto out;
	}
	printf("converted %s to %s (%s)\n", argv[1], argv[2], vireo_disk_format_name(o.dst_format));
	code = VIREO_EXIT_OK;
out:
	g_free(format);
	g_free(src_format);
	g_free(cluster);
	return code;
}

static const struct vireo_cli_cmd disk_cmds[] = {
	{ "create", disk_create, "create an image (qcow2 or raw, optionally a linked clone)" },
	{ "info", disk_info, "format, sizes, backing file" },
	{ "resize", disk_resize, "grow an image" },
	{ "convert", disk_convert, "copy an image into a new one, possibly of another format" },
	{ NULL, NULL, NULL },
};

int vireo_cmd_disk(int argc, char **argv)
{
	const struct vireo_cli_cmd *c;

	if (argc >= 2) {
		for (c = disk_cmds; c->name; c++) {
			if (!strcmp(c->name, argv[1])) {
				/* "disk create" as the program name in messages. */
				char *name = g_strdup_printf("disk %s", argv[1]);
				char *saved = argv[1];
				int code;

				argv[1] = name;
				code = c->fn(argc - 1, argv + 1);
				argv[1] = saved;
				g_free(name);
				return code;
			}
		}
	}
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: vireo disk COMMAND [ARGS]\n\n");
		for (c = disk_cmds; c->name; c++)
			printf("  %-8s %s\n", c->name, c->summary);
		printf("\n'vireo disk COMMAND --help' describes one.\n");
		return VIREO_EXIT_OK;
	}
	fprintf(stderr, "usage: vireo disk create|info|resize|convert ARGS (see 'vireo disk "
			"--help')\n");
	return VIREO_EXIT_USAGE;
}
