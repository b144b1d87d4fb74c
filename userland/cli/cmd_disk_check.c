// SPDX-License-Identifier: GPL-2.0
/*
 * vireo disk check: compare a qcow2 image's refcounts with the references
 * its tables hold, as `qemu-img check` does.  The verdict is the exit
 * status (vireo_exit.h): 0 clean, 12 corrupt, 14 leaked clusters only,
 * 4 when the check itself failed.  A raw image has nothing to check.
 */
#include <stdio.h>

#include "cli.h"
#include "cmd_disk.h"

static void print_text(const struct vireo_disk_check *r)
{
	if (!r->corruptions && !r->leaks && !r->check_errors)
		printf("No errors were found on the image.\n");
	if (r->corruptions)
		printf("\n%llu errors were found on the image.\n"
		       "Data may be corrupted, or further writes to the image may corrupt it.\n",
		       (unsigned long long)r->corruptions);
	if (r->leaks)
		printf("\n%llu leaked clusters were found on the image.\n"
		       "This means waste of disk space, but no harm to data.\n",
		       (unsigned long long)r->leaks);
	if (r->check_errors)
		printf("\n%llu internal errors have occurred during the check.\n",
		       (unsigned long long)r->check_errors);
	if (r->total_clusters)
		printf("%llu/%llu = %.2f%% allocated\n", (unsigned long long)r->allocated_clusters,
		       (unsigned long long)r->total_clusters,
		       100.0 * r->allocated_clusters / r->total_clusters);
	printf("Image end offset: %llu\n", (unsigned long long)r->image_end_offset);
}

static void print_json(const char *path, const struct vireo_disk_check *r)
{
	JsonObject *o = json_object_new();
	JsonNode *root = json_node_new(JSON_NODE_OBJECT);

	json_object_set_string_member(o, "path", path);
	json_object_set_int_member(o, "corruptions", (gint64)r->corruptions);
	json_object_set_int_member(o, "leaks", (gint64)r->leaks);
	json_object_set_int_member(o, "check_errors", (gint64)r->check_errors);
	json_object_set_int_member(o, "allocated_clusters", (gint64)r->allocated_clusters);
	json_object_set_int_member(o, "total_clusters", (gint64)r->total_clusters);
	json_object_set_int_member(o, "image_end_offset", (gint64)r->image_end_offset);
	json_node_take_object(root, o);
	vireo_cli_print_json(root);
	json_node_unref(root);
}

int vireo_cli_disk_check(int argc, char **argv)
{
	enum vireo_disk_format fmt = VIREO_DISK_AUTO;
	GError *error = NULL;
	struct vireo_disk_check r;
	struct vireo_disk *d;
	gboolean json = FALSE;
	int ret;

	if (!vireo_cli_disk_parse_reader(&argc, &argv, "Check a qcow2 image's metadata.",
					 "Like qemu-img check: the refcount of every cluster against "
					 "the references to it.\nThe problems found go to stderr, one "
					 "a line.  Exit status 12: the image is corrupt;\n14: it only "
					 "leaks clusters (space lost, no harm to data).",
					 &fmt, &json))
		return VIREO_EXIT_USAGE;
	/* Read-only, locked as a reader: an image being written is refused as in use. */
	ret = vireo_disk_open(argv[1], fmt, VIREO_DISK_RDONLY | VIREO_DISK_NO_BACKING, &d, &error);
	if (ret < 0)
		return vireo_cli_disk_fail(ret, error);
	ret = vireo_disk_check(d, &r, json ? NULL : stderr);
	vireo_disk_close(d);
	if (ret < 0)
		return vireo_cli_fail(VIREO_EXIT_ERROR, "%s: check failed: %s", argv[1],
				      g_strerror(-ret));
	if (json)
		print_json(argv[1], &r);
	else
		print_text(&r);
	if (r.check_errors)
		return VIREO_EXIT_ERROR;
	if (r.corruptions)
		return VIREO_EXIT_CORRUPT;
	return r.leaks ? VIREO_EXIT_LEAKS : VIREO_EXIT_OK;
}
