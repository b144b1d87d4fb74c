// SPDX-License-Identifier: GPL-2.0
/*
 * vireo disk resize: grow an image; a disk of a running machine is grown
 * by its monitor (disk-resize), so that the guest sees the new size.
 */
#include <stdio.h>

#include "cli.h"
#include "cmd_disk.h"

static int disk_resize_running(const struct vireo_cli_disk_owner *o, const char *path,
			       const char *size)
{
	JsonObject *args = json_object_new();
	uint64_t now = 0;
	int code;

	json_object_set_int_member(args, "disk", o->index);
	json_object_set_string_member(args, "size", size);
	code = vireo_cli_disk_remote_job(o, "disk-resize", args, NULL, NULL, &now);
	json_object_unref(args);
	if (code == VIREO_EXIT_OK)
		printf("resized %s to %llu bytes (disk %d of the running machine %s)\n", path,
		       (unsigned long long)now, o->index, o->name);
	return code;
}

static int resize_here(const char *path, enum vireo_disk_format fmt, uint64_t size,
		       bool grow_by)
{
	GError *error = NULL;
	struct vireo_disk *d;
	int ret;

	/* Growing reads no guest data: the backing files are not opened (nor locked). */
	ret = vireo_disk_open(path, fmt, VIREO_DISK_NO_BACKING, &d, &error);
	if (ret < 0)
		return vireo_cli_disk_fail(ret, error);
	if (grow_by)
		size += vireo_disk_size(d);
	ret = vireo_disk_resize(d, size);
	if (ret < 0) {
		vireo_error_set(&error, ret, "%s", vireo_disk_errmsg(d));
		vireo_disk_close(d);
		return vireo_cli_disk_fail(ret, error);
	}
	ret = vireo_disk_close(d);
	if (ret < 0) {
		vireo_error_set(&error, ret, "flushing the resized image failed");
		return vireo_cli_disk_fail(ret, error);
	}
	printf("resized %s to %llu bytes\n", path, (unsigned long long)size);
	return VIREO_EXIT_OK;
}

int vireo_cli_disk_resize(int argc, char **argv)
{
	char *format = NULL;
	GOptionEntry entries[] = {
		VIREO_CLI_DISK_FORMAT_ENTRY(format),
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	enum vireo_disk_format fmt = VIREO_DISK_AUTO;
	struct vireo_cli_disk_owner o;
	int code = VIREO_EXIT_USAGE;
	uint64_t size;
	bool grow_by;

	if (!vireo_cli_parse(&argc, &argv, "PATH [+]SIZE", "Grow a disk image.",
			     "SIZE is the new virtual size, or +SIZE the growth.  Shrinking is "
			     "refused: it would\ndrop guest data.  A disk of a running machine "
			     "is grown by its monitor (the guest\nsees the new size at once); "
			     "a read-only one cannot be.",
			     entries, 2, 2) ||
	    !vireo_cli_disk_format(format, &fmt))
		goto out;
	grow_by = argv[2][0] == '+';
	if (!vireo_cli_disk_size(argv[2] + grow_by, &size))
		goto out;
	if (vireo_cli_disk_running_owner(argv[1], &o)) {
		code = disk_resize_running(&o, argv[1], argv[2]);
		vireo_cli_disk_owner_clear(&o);
		goto out;
	}
	code = resize_here(argv[1], fmt, size, grow_by);
out:
	g_free(format);
	return code;
}

