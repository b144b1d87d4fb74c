/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `vireo disk`: what its subcommands (cmd_disk_*.c) share.  cmd_disk.c
 * dispatches and holds the small helpers; disk_running.c finds the
 * running machine that uses an image and runs a job on its monitor.
 */
#ifndef VIREO_CLI_CMD_DISK_H
#define VIREO_CLI_CMD_DISK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include <json-glib/json-glib.h>

#include "disk/disk.h"

/* The subcommands: argv[0] is "disk NAME"; they return an exit status. */
int vireo_cli_disk_create(int argc, char **argv);
int vireo_cli_disk_info(int argc, char **argv);
int vireo_cli_disk_resize(int argc, char **argv);
int vireo_cli_disk_convert(int argc, char **argv);
int vireo_cli_disk_check(int argc, char **argv);

/* -f/--format FORMAT: the image's format, for the commands that open one. */
#define VIREO_CLI_DISK_FORMAT_ENTRY(format)                                                 \
	{ "format", 'f', 0, G_OPTION_ARG_STRING, &(format),                                 \
	  "The image's format: raw or qcow2 (probed by default)", "FORMAT" }

/*
 * The command line of a command that reads one image and prints data
 * (info, check): PATH, -f/--format, --output/--json.  On success PATH is
 * (*argv)[1]; false after a usage message.
 */
bool vireo_cli_disk_parse_reader(int *argc, char ***argv, const char *summary,
				 const char *description, enum vireo_disk_format *fmt,
				 gboolean *json);

/* A libvireo-disk failure (-errno, and its GError or NULL, freed) as a message and an exit status. */
int vireo_cli_disk_fail(int ret, GError *error);
/*
 * From here on, SIGINT, SIGTERM and SIGHUP remove the temporary file of a
 * local create or convert and end with the "interrupted" status.
 */
void vireo_cli_disk_catch_signals(void);
/* Option values; false after a usage message.  A NULL format leaves *f. */
bool vireo_cli_disk_format(const char *s, enum vireo_disk_format *f);
bool vireo_cli_disk_size(const char *s, uint64_t *v);

/* Progress on stderr: a rewritten percentage on a terminal, a line per 10% otherwise. */
struct vireo_cli_disk_progress {
	bool tty, quiet;
	int last;	/* percent last shown, -1 before the first */
};
int vireo_cli_disk_progress(void *opaque, uint64_t done, uint64_t total);

/* The running machine that has an image as one of its disks. */
struct vireo_cli_disk_owner {
	char *name;
	int index;	/* in the monitor's --disk order */
	bool readonly;	/* the machine has it read-only */
};
/*
 * Which running machine has path as one of its disks (the same file,
 * however named)?  false: none (or path does not exist).
 */
bool vireo_cli_disk_running_owner(const char *path, struct vireo_cli_disk_owner *o);
void vireo_cli_disk_owner_clear(struct vireo_cli_disk_owner *o);
/* Is path the file want describes (device and inode)? */
bool vireo_cli_disk_same_file(const char *path, const struct stat *want);
/*
 * Run a job (disk-export, disk-resize) on o's monitor and follow it to its
 * job-finished: the exit status, after a message if it failed.  note (may
 * be NULL) goes to stderr first; progress events go to p (NULL: not
 * shown); *size gets job-finished's "size".  Ctrl-C (or SIGTERM) from the
 * moment the note is out cancels the job.
 */
int vireo_cli_disk_remote_job(const struct vireo_cli_disk_owner *o, const char *cmd,
			      JsonObject *args, const char *note,
			      struct vireo_cli_disk_progress *p, uint64_t *size);

#endif /* VIREO_CLI_CMD_DISK_H */
