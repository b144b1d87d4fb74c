// SPDX-License-Identifier: GPL-2.0
/* vireo disk info: an image's format, sizes and backing file, as text or JSON. */
#include <stdio.h>

#include "cli.h"
#include "cmd_disk.h"

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

int vireo_cli_disk_info(int argc, char **argv)
{
	gboolean json = FALSE;
	enum vireo_disk_format fmt = VIREO_DISK_AUTO;
	GError *error = NULL;
	struct vireo_disk_info in;
	struct vireo_disk *d;
	char vs[32], ds[32];
	int ret;

	if (!vireo_cli_disk_parse_reader(&argc, &argv, "Show a disk image's format and sizes.",
					 NULL, &fmt, &json))
		return VIREO_EXIT_USAGE;
	/* Read-only and without following the backing file, so that info
	 * works on an image a running machine has open, and on one whose
	 * backing file is gone. */
	ret = vireo_disk_open(argv[1], fmt,
			      VIREO_DISK_RDONLY | VIREO_DISK_NO_BACKING | VIREO_DISK_NO_LOCK, &d,
			      &error);
	if (ret < 0)
		return vireo_cli_disk_fail(ret, error);
	vireo_disk_get_info(d, &in);
	vireo_disk_close(d);
	if (json) {
		JsonBuilder *b = json_builder_new();
		JsonNode *root;

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
		vireo_cli_print_json(root);
		json_node_unref(root);
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

