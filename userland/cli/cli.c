// SPDX-License-Identifier: GPL-2.0
/*
 * `vireo`: subcommand dispatch, help, and what every subcommand shares —
 * messages and exit codes, option parsing, machine state, locking and a
 * one-shot control call.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <vireo/error.h>

#include "cli.h"
#include "vireo_version.h"
#include "control/client.h"
#include "vmlib/lock.h"
#include "vmlib/store.h"

const struct vireo_cli_cmd vireo_cli_cmds[] = {
	{ "create", vireo_cmd_create, "define a new machine" },
	{ "list", vireo_cmd_list, "list machines and their state" },
	{ "info", vireo_cmd_info, "show a machine's definition and state" },
	{ "start", vireo_cmd_start, "start a machine (headless, or --attach to its console)" },
	{ "stop", vireo_cmd_stop, "press the power button and wait (--force: then kill)" },
	{ "kill", vireo_cmd_kill, "end a machine's monitor at once" },
	{ "console", vireo_cmd_console,
	  "attach to a running machine's serial console (Ctrl-] detaches)" },
	{ "pause", vireo_cmd_simple, "pause a running machine" },
	{ "resume", vireo_cmd_simple, "resume a paused machine" },
	{ "reset", vireo_cmd_simple, "reset a running machine" },
	{ "modify", vireo_cmd_modify, "change memory, CPUs, disks, NICs, boot settings" },
	{ "delete", vireo_cmd_delete, "delete a machine (asks before deleting its disks)" },
	{ "disk", vireo_cmd_disk, "disk images: create, info, resize, convert" },
	{ NULL, NULL, NULL },
};

static const char exit_codes_text[] = VIREO_EXIT_TABLE_TEXT;

static void usage(FILE *f)
{
	const struct vireo_cli_cmd *c;

	fprintf(f, "usage: vireo [--version [--output=json]] [--help] COMMAND [ARGS]\n\n"
		   "Commands:\n");
	for (c = vireo_cli_cmds; c->name; c++)
		fprintf(f, "  %-8s %s\n", c->name, c->summary);
	fprintf(f,
		"\n'vireo COMMAND --help' or 'vireo help COMMAND' describes one command.\n"
		"Machines live in $XDG_DATA_HOME/vireo/machines (~/.local/share by default);\n"
		"running ones have a control socket in $XDG_RUNTIME_DIR/vireo.\n\n%s",
		exit_codes_text);
}

bool vireo_cli_json;
static bool json_error_printed;

/* --output=json / --output json / --json before a "--". */
static void scan_output_json(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "--output=json") ||
		    (!strcmp(argv[i], "--output") && i + 1 < argc && !strcmp(argv[i + 1], "json")))
			vireo_cli_json = true;
	}
}

int vireo_cli_main(int argc, char **argv)
{
	const struct vireo_cli_cmd *c;
	const char *name;

	scan_output_json(argc, argv);
	if (argc < 2) {
		usage(stderr);
		return VIREO_EXIT_USAGE;
	}
	name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
		usage(stdout);
		return VIREO_EXIT_OK;
	}
	if (!strcmp(name, "--version")) {
		if (vireo_cli_json)
			printf("{\n  \"version\" : \"%s\",\n  \"definition_format\" : %d,\n"
			       "  \"control_protocol\" : 1\n}\n",
			       VIREO_VERSION, VIREO_VMDEF_FORMAT);
		else
			printf("vireo %s\nmachine definition format %d, control protocol 1\n",
			       VIREO_VERSION, VIREO_VMDEF_FORMAT);
		return VIREO_EXIT_OK;
	}
	if (!strcmp(name, "help")) {
		if (argc < 3) {
			usage(stdout);
			return VIREO_EXIT_OK;
		}
		/* `vireo help X` is `vireo X --help`. */
		for (c = vireo_cli_cmds; c->name; c++) {
			if (!strcmp(c->name, argv[2])) {
				char *hargv[] = { argv[2], "--help", NULL };

				return c->fn(2, hargv);
			}
		}
		return vireo_cli_fail(VIREO_EXIT_USAGE, "no command '%s'; see 'vireo help'",
				      argv[2]);
	}
	for (c = vireo_cli_cmds; c->name; c++) {
		if (!strcmp(c->name, name))
			return c->fn(argc - 1, argv + 1);
	}
	return vireo_cli_fail(VIREO_EXIT_USAGE, "no command '%s'; see 'vireo help'", name);
}

/* ------------------------------------------------------------ messages */

void vireo_cli_print_json(JsonNode *node)
{
	JsonGenerator *gen = json_generator_new();
	char *text;

	json_generator_set_pretty(gen, TRUE);
	json_generator_set_indent(gen, 2);
	json_generator_set_root(gen, node);
	text = json_generator_to_data(gen, NULL);
	printf("%s\n", text);
	fflush(stdout);
	g_free(text);
	g_object_unref(gen);
}

static void print_json_error(int code, const char *message)
{
	JsonBuilder *b = json_builder_new();
	const char *name = vireo_exit_name(code);
	JsonNode *root;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "error");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "code");
	json_builder_add_string_value(b, name ? name : "error");
	json_builder_set_member_name(b, "exit");
	json_builder_add_int_value(b, code);
	json_builder_set_member_name(b, "message");
	json_builder_add_string_value(b, message);
	json_builder_end_object(b);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	vireo_cli_print_json(root);
	json_node_unref(root);
	g_object_unref(b);
}

int vireo_cli_fail(int code, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
	fprintf(stderr, "vireo: %s\n", msg);
	if (vireo_cli_json && !json_error_printed && code != VIREO_EXIT_OK) {
		json_error_printed = true;
		print_json_error(code, msg);
	}
	g_free(msg);
	return code;
}

bool vireo_cli_output(gboolean *json, const char *output)
{
	if (!output)
		return true;
	if (!strcmp(output, "json")) {
		*json = TRUE;
		return true;
	}
	if (strcmp(output, "text")) {
		vireo_cli_fail(VIREO_EXIT_USAGE, "--output: \"%s\" is not text or json", output);
		return false;
	}
	if (*json) {
		vireo_cli_fail(VIREO_EXIT_USAGE, "--output=text and --json contradict each other");
		return false;
	}
	return true;
}

int vireo_cli_exit_of(const GError *error)
{
	if (error->domain == VIREO_ERROR)
		return vireo_exit_of_errno(-vireo_error_errno(error));
	if (error->domain == VIREO_VM_ERROR) {
		switch (error->code) {
		case VIREO_VM_ERROR_NOT_FOUND:
			return VIREO_EXIT_NOT_FOUND;
		case VIREO_VM_ERROR_EXISTS:
		case VIREO_VM_ERROR_LOCKED:
			return VIREO_EXIT_STATE;
		default:
			return VIREO_EXIT_ERROR;
		}
	}
	if (error->domain == VIREO_CTL_REMOTE_ERROR) {
		switch (error->code) {
		case VIREO_CTL_REMOTE_STATE:
		case VIREO_CTL_REMOTE_BUSY:
			return VIREO_EXIT_STATE;
		default:
			return VIREO_EXIT_ERROR;
		}
	}
	if (error->domain == VIREO_CTL_ERROR && error->code == VIREO_CTL_ERROR_TIMEOUT)
		return VIREO_EXIT_TIMEOUT;
	return VIREO_EXIT_ERROR;
}

int vireo_cli_gerror(GError *error)
{
	int code = vireo_cli_exit_of(error);

	vireo_cli_fail(code, "%s", error->message);
	g_error_free(error);
	return code;
}

bool vireo_cli_parse(int *argc, char ***argv, const char *args, const char *summary,
		     const char *description, const GOptionEntry *entries, int npos_min,
		     int npos_max)
{
	char *prgname = g_strdup_printf("vireo %s", (*argv)[0]);
	GOptionContext *ctx = g_option_context_new(args);
	GError *err = NULL;
	char *full;
	bool ok = false;
	int npos;

	g_set_prgname(prgname);
	g_option_context_set_summary(ctx, summary);
	full = g_strdup_printf("%s%s%s", description ? description : "",
			       description ? "\n\n" : "", exit_codes_text);
	g_option_context_set_description(ctx, full);
	if (entries)
		g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, argc, argv, &err)) {
		vireo_cli_fail(VIREO_EXIT_USAGE, "%s (see '%s --help')", err->message, prgname);
		g_error_free(err);
		goto out;
	}
	/* A lone "--" survives the parse as a positional; drop it. */
	if (*argc > 1 && !strcmp((*argv)[1], "--")) {
		memmove(&(*argv)[1], &(*argv)[2], (*argc - 1) * sizeof(char *));
		(*argc)--;
	}
	npos = *argc - 1;
	if (npos < npos_min || npos > npos_max) {
		vireo_cli_fail(VIREO_EXIT_USAGE, "usage: %s [OPTION...] %s (see '%s --help')",
			       prgname, args, prgname);
		goto out;
	}
	ok = true;
out:
	g_free(full);
	g_free(prgname);
	g_option_context_free(ctx);
	return ok;
}

/* ------------------------------------------------------------ state */

void vireo_cli_status_get(const char *name, struct vireo_cli_status *st)
{
	char *lock = vireo_machine_file(name, VIREO_MACHINE_LOCK);
	struct vireo_ctl_client *c = NULL;
	JsonNode *r = NULL;
	char *sock = NULL;

	memset(st, 0, sizeof(*st));
	if (vireo_machine_lock_probe(lock, &st->held, &st->pid) < 0 || !st->held) {
		st->state = g_strdup("stopped");
		goto out;
	}
	sock = vireo_machine_socket_path(name, NULL);
	if (sock)
		c = vireo_ctl_client_connect(sock, 1000, NULL);
	if (c)
		r = vireo_ctl_client_call(c, "query-status", NULL, 2000, NULL);
	if (r && JSON_NODE_HOLDS_OBJECT(r) &&
	    json_object_get_string_member_with_default(json_node_get_object(r), "state", NULL))
		st->state = g_strdup(json_object_get_string_member(json_node_get_object(r),
								   "state"));
	else
		st->state = g_strdup("unresponsive");
out:
	if (r)
		json_node_unref(r);
	vireo_ctl_client_free(c);
	g_free(sock);
	g_free(lock);
}

void vireo_cli_status_clear(struct vireo_cli_status *st)
{
	g_free(st->state);
	st->state = NULL;
}

struct vireo_vmdef *vireo_cli_load(const char *name, int *code)
{
	GError *err = NULL;
	struct vireo_vmdef *def = vireo_machine_load(name, &err);

	if (!def) {
		*code = vireo_cli_gerror(err);
		return NULL;
	}
	if (def->upgraded)
		fprintf(stderr, "vireo: %s: definition upgraded to format %d (old file kept as "
				"%s.v0)\n",
			name, VIREO_VMDEF_FORMAT, VIREO_MACHINE_FILE);
	*code = VIREO_EXIT_OK;
	return def;
}

int vireo_cli_lock(const char *name, int *fd)
{
	char *path = vireo_machine_file(name, VIREO_MACHINE_LOCK);
	int ret = vireo_machine_lock(path, false, fd);
	int code = VIREO_EXIT_OK;

	if (ret == -EBUSY)
		code = vireo_cli_fail(VIREO_EXIT_STATE, "%s is running; stop it first", name);
	else if (ret == -ENOENT)
		code = vireo_cli_fail(VIREO_EXIT_NOT_FOUND, "no machine named \"%s\"", name);
	else if (ret < 0)
		code = vireo_cli_fail(VIREO_EXIT_ERROR, "%s: %s", path, g_strerror(-ret));
	g_free(path);
	return code;
}

JsonNode *vireo_cli_call(const char *name, const char *cmd, int timeout_ms, int *code)
{
	struct vireo_ctl_client *c;
	GError *err = NULL;
	JsonNode *r = NULL;
	char *sock;

	sock = vireo_machine_socket_path(name, &err);
	if (!sock) {
		*code = vireo_cli_gerror(err);
		return NULL;
	}
	c = vireo_ctl_client_connect(sock, timeout_ms, &err);
	if (!c) {
		*code = vireo_cli_fail(VIREO_EXIT_ERROR, "%s: cannot reach the monitor: %s", name,
				       err->message);
		g_error_free(err);
		goto out;
	}
	r = vireo_ctl_client_call(c, cmd, NULL, timeout_ms, &err);
	if (!r) {
		*code = vireo_cli_exit_of(err);
		vireo_cli_fail(*code, "%s: %s: %s", name, cmd, err->message);
		g_error_free(err);
	} else {
		*code = VIREO_EXIT_OK;
	}
out:
	vireo_ctl_client_free(c);
	g_free(sock);
	return r;
}

bool vireo_cli_confirm(const char *question)
{
	char line[64];

	fflush(stdout);
	fprintf(stderr, "%s [y/N] ", question);
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin)) {
		fputc('\n', stderr);
		return false;
	}
	g_strstrip(line);
	return !g_ascii_strcasecmp(line, "y") || !g_ascii_strcasecmp(line, "yes");
}
