// SPDX-License-Identifier: GPL-2.0
/*
 * vireo disk create|info|resize|convert|check: the dispatch to the subcommands
 * (one file each: cmd_disk_*.c) and what they share: messages, formats,
 * sizes, signals during a local create or convert, progress.  They work
 * through libvireo-disk (userland/disk/disk.h), the library vireo-run's
 * virtio-blk uses too; a disk a running machine uses goes through that
 * machine's monitor instead (disk_running.c).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cmd_disk.h"

int vireo_cli_disk_fail(int ret, GError *error)
{
	if (error)
		return vireo_cli_gerror(error);
	return vireo_cli_fail(vireo_exit_of_errno(ret), "%s", g_strerror(-ret));
}

/*
 * Ctrl-C, SIGTERM or SIGHUP during a local create or convert: the new
 * image is still a temporary file (libvireo-disk renames it over the
 * destination only when complete); remove it and end with the table's
 * "interrupted" status.  Only async-signal-safe calls here.
 */
static void on_local_signal(int sig)
{
	static const char msg[] = "\nvireo: interrupted: the destination was left as it was\n";
	ssize_t unused;

	(void)sig;
	vireo_disk_abort_cleanup();
	unused = write(2, msg, sizeof(msg) - 1);
	(void)unused;
	_exit(VIREO_EXIT_INTERRUPTED);
}

void vireo_cli_disk_catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_local_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

bool vireo_cli_disk_format(const char *s, enum vireo_disk_format *f)
{
	if (!s)
		return true;
	if (vireo_disk_parse_format(s, f) < 0) {
		vireo_cli_fail(VIREO_EXIT_USAGE, "format \"%s\" is not one of raw, qcow2", s);
		return false;
	}
	return true;
}

bool vireo_cli_disk_size(const char *s, uint64_t *v)
{
	if (vireo_disk_parse_size(s, v) < 0) {
		vireo_cli_fail(VIREO_EXIT_USAGE, "\"%s\" is not a size such as 8G or 512M", s);
		return false;
	}
	return true;
}

bool vireo_cli_disk_parse_reader(int *argc, char ***argv, const char *summary,
				 const char *description, enum vireo_disk_format *fmt,
				 gboolean *json)
{
	char *output = NULL, *format = NULL;
	GOptionEntry entries[] = {
		VIREO_CLI_DISK_FORMAT_ENTRY(format),
		VIREO_CLI_OUTPUT_ENTRIES(*json, output),
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	bool ok = vireo_cli_parse(argc, argv, "PATH", summary, description, entries, 1, 1) &&
		  vireo_cli_output(json, output) && vireo_cli_disk_format(format, fmt);

	g_free(output);
	g_free(format);
	return ok;
}

/* A rewritten percentage on a terminal, a line per 10% otherwise. */
int vireo_cli_disk_progress(void *opaque, uint64_t done, uint64_t total)
{
	struct vireo_cli_disk_progress *p = opaque;
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

static const struct vireo_cli_cmd disk_cmds[] = {
	{ "create", vireo_cli_disk_create,
	  "create an image (qcow2 or raw, optionally a linked clone)" },
	{ "info", vireo_cli_disk_info, "format, sizes, backing file" },
	{ "resize", vireo_cli_disk_resize,
	  "grow an image (a running machine's disk: through its monitor)" },
	{ "convert", vireo_cli_disk_convert,
	  "copy an image into a new one, possibly of another format (a running machine's disk: "
	  "through its monitor)" },
	{ "check", vireo_cli_disk_check,
	  "compare a qcow2 image's refcounts with its references (status 12: corrupt, 14: leaks)" },
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
	if (argc >= 2)
		return vireo_cli_fail(VIREO_EXIT_USAGE, "no disk command '%s'; see 'vireo disk --help'",
				      argv[1]);
	return vireo_cli_fail(VIREO_EXIT_USAGE,
			      "a disk command is needed: create, info, resize, convert or check "
			      "(see 'vireo disk --help')");
}
