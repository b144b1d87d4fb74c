// SPDX-License-Identifier: GPL-2.0
/*
 * `vireo disk` and the disks of running machines.  An image a running
 * machine uses as a disk is locked by its monitor (QEMU's lock bytes,
 * userland/disk/lock.c), and writing it from here would corrupt it:
 * `convert` and `resize` of such an image go through that machine's
 * control socket instead (disk-export, disk-resize:
 * docs/control-protocol.md), which the monitor runs as a job while the
 * guest goes on, and whose progress events are shown as a local convert
 * shows its own.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "cmd_disk.h"
#include "control/client.h"
#include "vmlib/lock.h"
#include "vmlib/store.h"

void vireo_cli_disk_owner_clear(struct vireo_cli_disk_owner *o)
{
	g_free(o->name);
	o->name = NULL;
}

bool vireo_cli_disk_same_file(const char *path, const struct stat *want)
{
	struct stat st;

	return path && !stat(path, &st) && st.st_dev == want->st_dev && st.st_ino == want->st_ino;
}

static JsonObject *call_obj(struct vireo_ctl_client *c, const char *cmd, JsonObject *args,
			    JsonNode **node, GError **err)
{
	*node = vireo_ctl_client_call(c, cmd, args, 5000, err);
	if (*node && JSON_NODE_HOLDS_OBJECT(*node))
		return json_node_get_object(*node);
	return NULL;
}

/*
 * The monitor's own index of the image (query-disks), matched by device
 * and inode; -1 if it does not list it, or def_index if it cannot say (a
 * monitor without query-disks runs the definition's disks in order).
 */
static int monitor_index(const char *name, const struct stat *want, int def_index)
{
	struct vireo_ctl_client *c = NULL;
	JsonNode *node = NULL;
	JsonObject *r = NULL;
	GError *err = NULL;
	char *sock = vireo_machine_socket_path(name, NULL);
	int index = def_index;

	if (sock)
		c = vireo_ctl_client_connect(sock, 2000, NULL);
	if (c)
		r = call_obj(c, "query-disks", NULL, &node, &err);
	if (r && json_object_has_member(r, "disks") &&
	    JSON_NODE_HOLDS_ARRAY(json_object_get_member(r, "disks"))) {
		JsonArray *a = json_object_get_array_member(r, "disks");

		index = -1;
		for (guint i = 0; i < json_array_get_length(a); i++) {
			JsonObject *d = json_array_get_object_element(a, i);
			const char *p = d ? json_object_get_string_member_with_default(d, "path", NULL)
					  : NULL;

			if (vireo_cli_disk_same_file(p, want))
				index = (int)json_object_get_int_member_with_default(d, "index", -1);
		}
	}
	if (node)
		json_node_unref(node);
	g_clear_error(&err);
	vireo_ctl_client_free(c);
	g_free(sock);
	return index;
}

/*
 * Which running machine has path as one of its disks (the same file,
 * however named)?  The definitions say which machine, its lock whether it
 * runs, its monitor which disk.  false: none (or path does not exist).
 */
bool vireo_cli_disk_running_owner(const char *path, struct vireo_cli_disk_owner *o)
{
	char **names = vireo_machine_list(NULL);
	struct stat want;
	bool found = false;

	memset(o, 0, sizeof(*o));
	if (!names || stat(path, &want)) {
		g_strfreev(names);
		return false;
	}
	for (char **n = names; *n && !found; n++) {
		char *lock = vireo_machine_file(*n, VIREO_MACHINE_LOCK);
		char *file = vireo_machine_file(*n, VIREO_MACHINE_FILE);
		struct vireo_vmdef *def = NULL;
		bool held = false;

		/* Running machines only; their definitions read as they are (no upgrade). */
		if (vireo_machine_lock_probe(lock, &held, NULL) == 0 && held)
			def = vireo_vmdef_load_file(file, NULL);
		g_free(lock);
		g_free(file);
		if (!def)
			continue;
		for (unsigned int i = 0; i < def->n_disks && !found; i++) {
			char *p = vireo_machine_resolve(*n, def->disks[i].path);

			if (vireo_cli_disk_same_file(p, &want)) {
				o->index = (int)i;
				o->readonly = def->disks[i].read_only;
				found = true;
			}
			g_free(p);
		}
		vireo_vmdef_free(def);
		if (found) {
			o->index = monitor_index(*n, &want, o->index);
			found = o->index >= 0;
		}
		if (found)
			o->name = g_strdup(*n);
	}
	g_strfreev(names);
	return found;
}

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

/*
 * Run a job (disk-export, disk-resize) on o's monitor and follow it to its
 * job-finished: the exit code, after a message if it failed.  note (may
 * be NULL) goes to stderr first.  Progress events of the job go to p
 * (NULL: not shown); *size gets job-finished's "size".  Ctrl-C (or
 * SIGTERM) from the moment the note is out cancels the job (the monitor
 * removes what it wrote).
 */
int vireo_cli_disk_remote_job(const struct vireo_cli_disk_owner *o, const char *cmd,
			      JsonObject *args, const char *note,
			      struct vireo_cli_disk_progress *p, uint64_t *size)
{
	struct sigaction sa = { .sa_handler = on_interrupt }, old_int, old_term;
	struct vireo_ctl_client *c;
	JsonNode *node = NULL;
	JsonObject *r;
	GError *err = NULL;
	gint64 job, quiet_since = g_get_monotonic_time();
	char *sock;
	bool cancelled = false;
	int code = VIREO_EXIT_ERROR;

	sock = vireo_machine_socket_path(o->name, &err);
	if (!sock)
		return vireo_cli_gerror(err);
	c = vireo_ctl_client_connect(sock, 2000, &err);
	g_free(sock);
	if (!c) {
		code = vireo_cli_fail(VIREO_EXIT_ERROR, "%s: cannot reach the monitor: %s", o->name,
				      err->message);
		g_error_free(err);
		return code;
	}
	/* Before the request: an interrupt from now on cancels the job. */
	interrupted = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	if (note)
		fprintf(stderr, "%s\n", note);
	r = call_obj(c, cmd, args, &node, &err);
	if (!r) {
		code = err ? vireo_cli_exit_of(err) : VIREO_EXIT_ERROR;
		vireo_cli_fail(code, "%s: %s: %s", o->name, cmd, err ? err->message : "no result");
		g_clear_error(&err);
		goto out;
	}
	job = json_object_get_int_member_with_default(r, "job", -1);
	for (;;) {
		char *ev = NULL;
		JsonNode *data = NULL;
		JsonObject *d;

		if (interrupted && !cancelled) {
			JsonObject *a = json_object_new();
			JsonNode *n = NULL;

			json_object_set_int_member(a, "job", job);
			call_obj(c, "job-cancel", a, &n, NULL);
			json_object_unref(a);
			if (n)
				json_node_unref(n);
			cancelled = true;
		}
		if (!vireo_ctl_client_next_event(c, 500, &ev, &data, &err)) {
			if (err) {
				code = vireo_cli_fail(VIREO_EXIT_ERROR,
						      "%s: lost the monitor during %s: %s", o->name,
						      cmd, err->message);
				g_clear_error(&err);
				break;
			}
			/* Quiet for a minute: is the monitor still there? */
			if (g_get_monotonic_time() - quiet_since > 60 * G_USEC_PER_SEC) {
				JsonNode *n = NULL;

				if (!call_obj(c, "query-status", NULL, &n, &err)) {
					code = vireo_cli_fail(VIREO_EXIT_TIMEOUT,
							      "%s: the monitor does not answer: %s",
							      o->name, err ? err->message : "?");
					g_clear_error(&err);
					break;
				}
				json_node_unref(n);
				quiet_since = g_get_monotonic_time();
			}
			continue;
		}
		quiet_since = g_get_monotonic_time();
		d = data && JSON_NODE_HOLDS_OBJECT(data) ? json_node_get_object(data) : NULL;
		if (d && json_object_get_int_member_with_default(d, "job", -2) == job) {
			if (!strcmp(ev, "progress") && p)
				vireo_cli_disk_progress(p, (uint64_t)json_object_get_int_member_with_default(d, "done", 0),
					      (uint64_t)json_object_get_int_member_with_default(d, "total", 0));
			if (!strcmp(ev, "job-finished")) {
				bool ok = json_object_get_boolean_member_with_default(d, "ok", false);

				if (p && p->tty && !ok && p->last >= 0 && p->last < 100)
					fputc('\n', stderr);
				if (ok) {
					*size = (uint64_t)json_object_get_int_member_with_default(d, "size", 0);
					code = VIREO_EXIT_OK;
				} else {
					code = vireo_cli_fail(VIREO_EXIT_ERROR, "%s: %s",
							      o->name,
							      json_object_get_string_member_with_default(
								      d, "error", "failed"));
				}
				g_free(ev);
				json_node_unref(data);
				break;
			}
		}
		g_free(ev);
		if (data)
			json_node_unref(data);
	}
out:
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (node)
		json_node_unref(node);
	vireo_ctl_client_free(c);
	return code;
}

