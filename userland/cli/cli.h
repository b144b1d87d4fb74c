/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The `vireo` command: git-style subcommands, one file per group
 * (cmd_*.c), sharing what is here.  `vireo help` and docs in
 * docs/man/ describe the behaviour; the exit codes (vireo_exit.h) are a
 * contract for scripts (and tests/vmlib/cli-e2e.sh checks them).
 */
#ifndef VIREO_CLI_H
#define VIREO_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "vmlib/vmdef.h"

/* Exit codes of every subcommand: the one table (include/vireo_exit.h). */
#include "vireo_exit.h"

struct vireo_cli_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);	/* argv[0] is the subcommand's name */
	const char *summary;
};

/* The subcommands, in `vireo help` order; NULL-terminated. */
extern const struct vireo_cli_cmd vireo_cli_cmds[];

int vireo_cli_main(int argc, char **argv);

/* Subcommands. */
int vireo_cmd_create(int argc, char **argv);
int vireo_cmd_list(int argc, char **argv);
int vireo_cmd_info(int argc, char **argv);
int vireo_cmd_start(int argc, char **argv);
int vireo_cmd_stop(int argc, char **argv);
int vireo_cmd_kill(int argc, char **argv);
int vireo_cmd_simple(int argc, char **argv);	/* pause, resume, reset */
int vireo_cmd_modify(int argc, char **argv);
int vireo_cmd_delete(int argc, char **argv);
int vireo_cmd_disk(int argc, char **argv);
int vireo_cmd_console(int argc, char **argv);

/* ------------------------------------------------------------ messages */

/*
 * "vireo: <message>\n" on stderr; returns code.  With --output=json (or
 * --json) anywhere on the command line, the first error of the command is
 * also printed on stdout as {"error": {"code": "not-found", "exit": 2,
 * "message": "..."}}, so that a script reading JSON gets JSON; the exit
 * status is the same.
 */
int vireo_cli_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * --output=FORMAT (text or json) and --json, for the commands that print
 * data; VIREO_CLI_OUTPUT_ENTRIES goes into their GOptionEntry tables.
 * vireo_cli_output() checks FORMAT (false: usage message printed) and
 * sets *json.
 */
#define VIREO_CLI_OUTPUT_ENTRIES(json, output)                                             \
	{ "output", 'o', 0, G_OPTION_ARG_STRING, &(output),                                \
	  "text (default) or json; with json, errors are JSON on stdout too", "FORMAT" },  \
	{ "json", 'j', 0, G_OPTION_ARG_NONE, &(json), "The same as --output=json", NULL }
bool vireo_cli_output(gboolean *json, const char *output);

/* @node as indented JSON text and a newline on stdout. */
void vireo_cli_print_json(JsonNode *node);

/* Whether --output=json or --json is on the command line (vireo_cli_main). */
extern bool vireo_cli_json;

/* Report a GError (VIREO_ERROR by its errno, VIREO_VM_ERROR, VIREO_CTL_ERROR,
 * VIREO_CTL_REMOTE_ERROR) and return the exit code it maps to; frees it. */
int vireo_cli_gerror(GError *error);
int vireo_cli_exit_of(const GError *error);

/*
 * Parse a subcommand's options with GOptionContext.  'args' describes the
 * positional arguments for the usage line ("NAME"); npos_min/npos_max
 * bound their number.  On success argv/argc keep only the positionals
 * (argv[0] is the subcommand).  false: usage already printed (exit 1).
 * --help prints the help and exits 0.
 */
bool vireo_cli_parse(int *argc, char ***argv, const char *args, const char *summary,
		     const char *description, const GOptionEntry *entries, int npos_min,
		     int npos_max);

/* ------------------------------------------------------------ machine state */

/*
 * What a machine is doing: the lock says whether a monitor runs it, the
 * control socket says the rest.  state is "stopped", or the monitor's
 * query-status "state" ("running", "paused", ...), or "unresponsive" when
 * the lock is held and the socket does not answer (a monitor starting up
 * or hung).
 */
struct vireo_cli_status {
	bool held;	/* a monitor holds the machine lock */
	pid_t pid;	/* from the lock file, 0 if unknown */
	char *state;	/* g_malloc'd */
};
void vireo_cli_status_get(const char *name, struct vireo_cli_status *st);
void vireo_cli_status_clear(struct vireo_cli_status *st);

/* Load a machine or report why not (exit code in *code). */
struct vireo_vmdef *vireo_cli_load(const char *name, int *code);

/*
 * Take the machine lock for an edit (modify, delete): 0 with *fd, or the
 * exit code after a message (running → VIREO_EXIT_STATE).
 */
int vireo_cli_lock(const char *name, int *fd);

/*
 * Run one control command on a running machine and return its result
 * (json_node_unref) or NULL with *code set after a message.
 */
JsonNode *vireo_cli_call(const char *name, const char *cmd, int timeout_ms, int *code);

/* ------------------------------------------------------------ specs (specs.c) */

/*
 * Command-line specs, parsed into definition pieces (strings g_malloc'd,
 * clear with the vmlib free helpers).  Relative paths are made absolute
 * against the current directory (they are stored in the definition, which
 * lives elsewhere); false with *error (VIREO_VM_ERROR_INVALID) naming the
 * problem.
 *
 *   disk:    PATH[,format=raw|qcow2][,ro][,cdrom]          (format: probed)
 *   new disk: SIZE[,format=qcow2|raw]                       (qcow2 default)
 *   nic:     nat[,mac=MAC][,fwd=FWD]... | tap,ifname=IF[,mac=MAC]
 *   forward: [tcp:|udp:][ADDR:]HOSTPORT:GUESTPORT           (tcp, 127.0.0.1)
 *   boot order: comma-separated disk, cdrom, net
 */
bool vireo_cli_parse_disk(const char *spec, struct vireo_vm_disk *disk, GError **error);
bool vireo_cli_parse_new_disk(const char *spec, uint64_t *size,
			      enum vireo_vm_disk_format *format, GError **error);
bool vireo_cli_parse_nic(const char *spec, struct vireo_vm_nic *nic, GError **error);
bool vireo_cli_parse_forward(const char *spec, struct vireo_vm_forward *fwd, GError **error);
bool vireo_cli_parse_boot_order(const char *spec, struct vireo_vm_boot *boot, GError **error);
/* Memory in MiB from "512M", "2G", "1024" (MiB when no suffix). */
bool vireo_cli_parse_memory(const char *spec, uint64_t *mib, GError **error);
void vireo_cli_nic_clear(struct vireo_vm_nic *nic);

/* A file name diskN.qcow2 / diskN.img for a new disk of def, with the
 * lowest N that no disk of def uses and no file in the machine dir has,
 * whatever its extension. */
char *vireo_cli_new_disk_name(const struct vireo_vmdef *def, enum vireo_vm_disk_format format);

/* Create the image of a new disk (libvireo-disk); false with *error. */
bool vireo_cli_create_image(const char *path, enum vireo_vm_disk_format format, uint64_t size,
			    GError **error);

/* Ask a yes/no question on stderr, answer read from stdin; default no. */
bool vireo_cli_confirm(const char *question);

#endif /* VIREO_CLI_H */
