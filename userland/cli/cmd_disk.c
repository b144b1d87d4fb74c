// SPDX-License-Identifier: GPL-2.0
/*
 * vireo disk create|info|resize|convert: disk images through
 * libvireo-disk (userland/disk/disk.h), the library vireo-run's
 * virtio-blk uses too.
 *
 * An image a running machine uses as a disk is locked by its monitor
 * (QEMU's lock bytes, userland/disk/lock.c), and writing it from here
 * would corrupt it: `convert` and `resize` of such an image go through that machine's control socket
 * instead (disk-export, disk-resize: docs/control-protocol.md), which the
 * monitor runs as a job while the guest goes on, and whose progress
 * events this shows as a local convert shows its own.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "control/client.h"
#include "disk/disk.h"
#include "vireo_imgname.h"
#include "vmlib/lock.h"
#include "vmlib/store.h"

static int fail_disk(int ret, const char *msg)
{
	return vireo_cli_fail(vireo_exit_of_errno(ret), "%s", msg && *msg ? msg : g_strerror(-ret));
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

static void catch_local_signals(void)
{
	struct sigaction sa = { .sa_handler = on_local_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
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
		{ "format", 'f', 0, G_OPTION_ARG_STRING, &format,
		  "qcow2 (default) or raw; needed when PATH's name says another (.img, .raw)",
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
	if (!format && !vireo_format_default_ok(argv[1], "qcow2")) {
		code = vireo_cli_fail(VIREO_EXIT_USAGE,
				      "%s: the name says %s but the default format is qcow2; give "
				      "-f raw or -f qcow2",
				      argv[1], vireo_format_by_name(argv[1]));
		goto out;
	}
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
	catch_local_signals();
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
	char *output = NULL;
	GOptionEntry entries[] = {
		VIREO_CLI_OUTPUT_ENTRIES(json, output),
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	struct vireo_disk_err err = { { 0 } };
	struct vireo_disk_info in;
	struct vireo_disk *d;
	char vs[32], ds[32];
	int ret;

	if (!vireo_cli_parse(&argc, &argv, "PATH", "Show a disk image's format and sizes.", NULL,
			     entries, 1, 1) ||
	    !vireo_cli_output(&json, output))
		return VIREO_EXIT_USAGE;
	g_free(output);
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

/* ------------------------------------------------------------ disks of running machines */

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

/* The running machine that has an image as one of its disks. */
struct owner {
	char *name;
	int index;	/* in the monitor's --disk order */
	bool readonly;	/* the machine has it read-only */
};

static void owner_clear(struct owner *o)
{
	g_free(o->name);
	o->name = NULL;
}

static bool same_file(const char *path, const struct stat *want)
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

			if (same_file(p, want))
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
static bool running_owner(const char *path, struct owner *o)
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

			if (same_file(p, &want)) {
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
static int remote_job(const struct owner *o, const char *cmd, JsonObject *args,
		      const char *note, struct progress *p, uint64_t *size)
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
				show_progress(p, (uint64_t)json_object_get_int_member_with_default(d, "done", 0),
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

static int disk_resize_running(const struct owner *o, const char *path, const char *size)
{
	JsonObject *args = json_object_new();
	uint64_t now = 0;
	int code;

	json_object_set_int_member(args, "disk", o->index);
	json_object_set_string_member(args, "size", size);
	code = remote_job(o, "disk-resize", args, NULL, NULL, &now);
	json_object_unref(args);
	if (code == VIREO_EXIT_OK)
		printf("resized %s to %llu bytes (disk %d of the running machine %s)\n", path,
		       (unsigned long long)now, o->index, o->name);
	return code;
}

static int disk_resize(int argc, char **argv)
{
	struct vireo_disk_err err = { { 0 } };
	struct vireo_disk *d;
	uint64_t size;
	bool grow_by;
	int ret;

	struct owner o;

	if (!vireo_cli_parse(&argc, &argv, "PATH [+]SIZE", "Grow a disk image.",
			     "SIZE is the new virtual size, or +SIZE the growth.  Shrinking is "
			     "refused: it would\ndrop guest data.  A disk of a running machine "
			     "is grown by its monitor (the guest\nsees the new size at once); "
			     "a read-only one cannot be.",
			     NULL, 2, 2))
		return VIREO_EXIT_USAGE;
	grow_by = argv[2][0] == '+';
	if (!parse_size(argv[2] + grow_by, &size))
		return VIREO_EXIT_USAGE;
	if (running_owner(argv[1], &o)) {
		ret = disk_resize_running(&o, argv[1], argv[2]);
		owner_clear(&o);
		return ret;
	}
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

/*
 * Convert SRC, a disk of the running machine o, through its monitor
 * (disk-export).  DST is made absolute (the monitor has its own working
 * directory); --overwrite lets the monitor replace an existing DST once
 * the copy is complete (never SRC or a disk of a running machine).
 */
static int disk_convert_running(const struct owner *o, const char *src, const char *dst,
				const struct vireo_disk_convert_opts *opts, struct progress *p)
{
	char *abs = g_canonicalize_filename(dst, NULL), *note = NULL;
	JsonObject *args = json_object_new();
	struct owner other;
	struct stat st;
	uint64_t unused;
	int code;

	if (!lstat(abs, &st)) {
		if (!opts->overwrite) {
			code = vireo_cli_fail(VIREO_EXIT_STATE, "%s exists (--overwrite replaces it)",
					      dst);
			goto out;
		}
		if (running_owner(abs, &other)) {
			code = vireo_cli_fail(VIREO_EXIT_STATE,
					      "%s is a disk of the running machine %s: not replaced",
					      dst, other.name);
			owner_clear(&other);
			goto out;
		}
		if (!stat(src, &st) && same_file(abs, &st)) {
			code = vireo_cli_fail(VIREO_EXIT_USAGE, "%s and %s are the same file", src,
					      dst);
			goto out;
		}
		/* Replaced by the monitor when the copy is complete, never before. */
		json_object_set_boolean_member(args, "overwrite", TRUE);
	}
	json_object_set_int_member(args, "disk", o->index);
	json_object_set_string_member(args, "path", abs);
	json_object_set_string_member(args, "format", vireo_disk_format_name(opts->dst_format));
	if (opts->cluster_size)
		json_object_set_int_member(args, "cluster-size", opts->cluster_size);
	note = g_strdup_printf("%s is disk %d of the running machine %s: its monitor copies it "
			       "(the guest's I/O to it waits meanwhile)",
			       src, o->index, o->name);
	code = remote_job(o, "disk-export", args, p->quiet ? NULL : note, p, &unused);
	if (code == VIREO_EXIT_OK)
		printf("converted %s to %s (%s)\n", src, dst,
		       vireo_disk_format_name(opts->dst_format));
out:
	json_object_unref(args);
	g_free(note);
	g_free(abs);
	return code;
}

static int disk_convert(int argc, char **argv)
{
	char *format = NULL, *src_format = NULL, *cluster = NULL, *ambiguous = NULL;
	gboolean overwrite = FALSE, quiet = FALSE;
	GOptionEntry entries[] = {
		{ "output-format", 'O', 0, G_OPTION_ARG_STRING, &format,
		  "DST's format: qcow2 (default) or raw; needed when DST's name says another "
		  "(.img, .raw)", "FORMAT" },
		{ "source-format", 'f', 0, G_OPTION_ARG_STRING, &src_format,
		  "SRC's format (probed by default)", "FORMAT" },
		/* It meant the output once, -f the source: refused, not guessed. */
		{ "format", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &ambiguous, NULL, NULL },
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

	struct owner own;

	if (!vireo_cli_parse(&argc, &argv, "SRC DST", "Copy a disk image into a new one.",
			     "The guest's view of SRC (its backing chain flattened) goes into a "
			     "new sparse image.\nProgress goes to stderr.  When SRC is a disk of a "
			     "running machine, that machine's\nmonitor makes the copy: it is SRC "
			     "as it was when the copy began (the guest\nruns on; its I/O to SRC "
			     "waits until the copy ends); Ctrl-C cancels it.",
			     entries, 2, 2))
		goto out;
	if (ambiguous) {
		code = vireo_cli_fail(VIREO_EXIT_USAGE,
				      "convert: --format is ambiguous; give -O/--output-format for "
				      "DST's format or -f/--source-format for SRC's (as qemu-img)");
		goto out;
	}
	if (!parse_format(format, &o.dst_format) || !parse_format(src_format, &o.src_format))
		goto out;
	if (!format && !vireo_format_default_ok(argv[2], "qcow2")) {
		code = vireo_cli_fail(VIREO_EXIT_USAGE,
				      "%s: the name says %s but the default output format is qcow2; "
				      "give -O raw or -O qcow2",
				      argv[2], vireo_format_by_name(argv[2]));
		goto out;
	}
	if (cluster && !parse_size(cluster, &cl))
		goto out;
	o.cluster_size = cl;
	o.overwrite = overwrite;
	p.quiet = quiet;
	p.tty = isatty(2);
	o.progress = show_progress;
	o.opaque = &p;
	/* A read-only disk of a running machine cannot change: a local copy is fine. */
	if (running_owner(argv[1], &own) && !own.readonly) {
		code = disk_convert_running(&own, argv[1], argv[2], &o, &p);
		owner_clear(&own);
		goto out;
	}
	owner_clear(&own);
	catch_local_signals();
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
	g_free(ambiguous);
	return code;
}

static const struct vireo_cli_cmd disk_cmds[] = {
	{ "create", disk_create, "create an image (qcow2 or raw, optionally a linked clone)" },
	{ "info", disk_info, "format, sizes, backing file" },
	{ "resize", disk_resize, "grow an image (a running machine's disk: through its monitor)" },
	{ "convert", disk_convert,
	  "copy an image into a new one, possibly of another format (a running machine's disk: "
	  "through its monitor)" },
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
