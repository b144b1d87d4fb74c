// SPDX-License-Identifier: GPL-2.0
/*
 * vireo-run: run a bare guest image on vireo.ko (bare/), or (--kernel) boot
 * a kernel on the PC machine (pc/).  This file only takes the options, the
 * machine lock and the check for missing files, then hands over to one of
 * the two.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libvireo.h>

#include "vireo_version.h"
#include "boot/multiboot.h"
#include "vmlib/lock.h"

#include "bare.h"
#include "machine.h"
#include "options.h"
#include "status.h"

/*
 * --initrd that is no file but a Multiboot module list ("a.gz,b args"):
 * its first missing module file, or NULL.  Written to name (size len).
 */
static const char *missing_module(const char *list, char *name, size_t len)
{
	struct vireo_multiboot_module_arg m[VIREO_MB_MAX_MODULES];
	char *copy = strdup(list);
	struct stat st;
	int n, i;

	if (!copy)
		return NULL;
	n = vireo_multiboot_parse_modules(copy, m, VIREO_MB_MAX_MODULES);
	for (i = 0; i < n; i++) {
		snprintf(name, len, "%.*s", (int)m[i].path_len, m[i].string);
		if (stat(name, &st) && errno == ENOENT)
			break;
	}
	free(copy);
	return i < n ? name : NULL;
}

/*
 * The files the command line names (kernel, initrd, disks, --load
 * images): a missing one is "not found" in the exit table, told before
 * anything is set up, rather than an error from deep in the boot.
 */
static int missing_file(const struct vireo_options *o)
{
	const char *paths[2 + VIREO_PC_MAX_DISKS + VIREO_MAX_LOADS];
	unsigned int n = 0, i;
	struct stat st;

	paths[n++] = o->kernel;
	paths[n++] = o->initrd;
	for (i = 0; i < o->nr_disks; i++)
		paths[n++] = o->disks[i].path;
	for (i = 0; i < o->nr_loads; i++)
		paths[n++] = o->loads[i].path;
	for (i = 0; i < n; i++) {
		const char *what = paths[i];
		char module[4096];

		if (!what || !stat(what, &st) || errno != ENOENT)
			continue;
		/* Not a file: a Multiboot kernel's module list, file by file. */
		if (what == o->initrd && strpbrk(what, ", ")) {
			what = missing_module(what, module, sizeof(module));
			if (!what)
				continue;
		}
		fprintf(stderr, "vireo-run: %s: no such file\n", what);
		return VIREO_EXIT_NOT_FOUND;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct vireo_options opts;
	struct vireo_options *o = &opts;
	g_autoptr(GError) error = NULL;
	int status;

	/* Guest output must reach a pipe as it is produced, not at exit. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (vireo_options_parse(argc, argv, o, &error)) {
		fprintf(stderr, "vireo-run: %s\n(vireo-run --help for usage)\n", error->message);
		return VIREO_STATUS_USAGE;
	}
	if (o->help) {
		vireo_usage(stdout);
		return 0;
	}
	if (o->version) {
		printf("vireo-run %s\n", VIREO_VERSION);
		return 0;
	}
	/*
	 * --lock before anything else: a second monitor of the machine must
	 * touch nothing (not the control socket, not the disks).  The fd stays
	 * open until exit; the kernel drops the lock with it, crash or not.
	 */
	if (o->lock) {
		int lock_fd, r = vireo_machine_lock(o->lock, true, &lock_fd);

		if (r == -EBUSY) {
			fprintf(stderr,
				"vireo-run: %s: the machine is running already (another monitor holds %s)\n",
				o->name ? o->name : "this machine", o->lock);
			return VIREO_STATUS_LOCKED;
		}
		if (r) {
			fprintf(stderr, "vireo-run: %s: %s\n", o->lock, vireo_strerror(r));
			return VIREO_STATUS_ERROR;
		}
	}
	status = missing_file(o);
	if (status)
		return status;
	return o->pc ? vireo_pc_main(o) : vireo_bare_main(o);
}
