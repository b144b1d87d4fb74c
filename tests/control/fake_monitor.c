// SPDX-License-Identifier: GPL-2.0
/*
 * vireo-fake-monitor: stands in for vireo-run in the CLI tests
 * (tests/vmlib/cli-e2e.sh).  It takes the command line `vireo start` builds
 * (userland/vmlib/launch.h), takes the machine lock, serves the control
 * socket with the standard commands, and behaves like a guest would:
 *
 *   stop     the "guest" powers off after VIREO_FAKE_STOP_MS (default 200)
 *            unless VIREO_FAKE_IGNORE_POWER=1 (to test stop's kill path)
 *   kill     exits at once (status 0)
 *   pause / resume / reset / query-status / query-vcpus  as a monitor does
 *   query-disks / disk-export / disk-resize / job-cancel  vireo-run's disk
 *            jobs on its --disk images, done with libvireo-disk on a thread
 *            with the same replies and events (the real ones are tested in
 *            tests/unit/test_run_job.c); like vireo-run it holds QEMU's
 *            lock bytes on each image (vireo_disk_lock_fd) for as long as
 *            it runs, so that a CLI writing the image itself instead of
 *            asking the monitor fails
 *
 * It prints its arguments on stdout (the serial console: serial.log in a
 * headless start) so that the test can check the command line, and exits
 * 3 when the lock is held, as the real monitor must.  VIREO_FAKE_FAIL=1
 * makes it fail at once with status 4 after a message on stderr.  Its
 * statuses are vireo-run's (include/vireo_exit.h): 0 when the guest powers
 * off, 10 on SIGINT/SIGTERM; VIREO_FAKE_EXIT=N makes the running "guest"
 * end at once with status N (8: a crash), VIREO_FAKE_EXIT=signal makes
 * the monitor die of SIGKILL.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "control/server.h"
#include "disk/disk.h"
#include "vmlib/optsplit.h"
#include "pc/pc_console.h"
#include "vireo_exit.h"
#include "vmlib/lock.h"

enum { RUNNING, PAUSED };

static atomic_int state = RUNNING;
static atomic_int quit_status = -1;	/* >= 0: exit with it */
static atomic_long stop_at;		/* ms since start when the guest "powers off" */
static unsigned int cpus = 1;
static const char *name = "?";
static struct vireo_ctl_server *srv;
static volatile sig_atomic_t got_signal;

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void emit_state(const char *s, const char *reason)
{
	struct vireo_ctl_json *d = vireo_ctl_json_new();

	vireo_ctl_json_string(d, "state", s);
	vireo_ctl_json_string(d, "reason", reason);
	vireo_ctl_server_emit(srv, VIREO_CTL_EV_STATE_CHANGED, d);
}

static int h_status(void *o, const struct vireo_ctl_args *a, struct vireo_ctl_json *r,
		    struct vireo_ctl_error *e)
{
	(void)o;
	(void)a;
	(void)e;
	vireo_ctl_json_string(r, "state", state == PAUSED ? "paused" : "running");
	vireo_ctl_json_string(r, "name", name);
	vireo_ctl_json_int(r, "pid", getpid());
	vireo_ctl_json_int(r, "cpus", cpus);
	return 0;
}

static int h_stop(void *o, const struct vireo_ctl_args *a, struct vireo_ctl_json *r,
		  struct vireo_ctl_error *e)
{
	const char *ignore = getenv("VIREO_FAKE_IGNORE_POWER");
	const char *ms = getenv("VIREO_FAKE_STOP_MS");

	(void)o;
	(void)a;
	(void)r;
	if (state == PAUSED)
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_STATE, "paused: resume first");
	if (!ignore || strcmp(ignore, "1"))
		atomic_store(&stop_at, now_ms() + (ms ? atol(ms) : 200));
	return 0;
}

static int h_kill(void *o, const struct vireo_ctl_args *a, struct vireo_ctl_json *r,
		  struct vireo_ctl_error *e)
{
	(void)o;
	(void)a;
	(void)r;
	(void)e;
	atomic_store(&quit_status, 0);
	return 0;
}

static int h_pause(void *o, const struct vireo_ctl_args *a, struct vireo_ctl_json *r,
		   struct vireo_ctl_error *e)
{
	int expect = RUNNING;

	(void)o;
	(void)a;
	(void)r;
	if (!atomic_compare_exchange_strong(&state, &expect, PAUSED))
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_STATE, "already paused");
	emit_state("paused", "pause");
	return 0;
}

static int h_resume(void *o, const struct vireo_ctl_args *a, struct vireo_ctl_json *r,
		    struct vireo_ctl_error *e)
{
	int expect = PAUSED;

	(void)o;
	(void)a;
	(void)r;
	if (!atomic_compare_exchange_strong(&state, &expect, RUNNING))
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_STATE, "not paused");
	emit_state("running", "resume");
	return 0;
}

static int h_reset(void *o, const struct vireo_ctl_args *a, struct vireo_ctl_json *r,
		   struct vireo_ctl_error *e)
{
	(void)o;
	(void)a;
	(void)r;
	(void)e;
	emit_state(state == PAUSED ? "paused" : "running", "reset");
	return 0;
}

static int h_vcpus(void *o, const struct vireo_ctl_args *a, struct vireo_ctl_json *r,
		   struct vireo_ctl_error *e)
{
	unsigned int i;

	(void)o;
	(void)a;
	(void)e;
	vireo_ctl_json_begin_array(r, "vcpus");
	for (i = 0; i < cpus; i++) {
		vireo_ctl_json_begin_object(r, NULL);
		vireo_ctl_json_int(r, "id", i);
		vireo_ctl_json_string(r, "state", state == PAUSED ? "paused" : "running");
		vireo_ctl_json_int(r, "thread", getpid());
		vireo_ctl_json_end_object(r);
	}
	vireo_ctl_json_end_array(r);
	return 0;
}

/* ---- the console ------------------------------------------------------------ */

/*
 * --console-socket: the "guest" on the serial port echoes what it is sent,
 * in upper case (so that a test sees it went through), one client at a
 * time, as vireo-run serves it.
 */
static struct vireo_pc_console console;
static const char *console_path;

static void console_echo(void)
{
	char out[VIREO_CONSOLE_BUF];
	size_t n = 0;
	int i;

	if (console.listen_fd < 0)
		return;
	for (i = 0; i < 4 && vireo_pc_console_accept(&console) != -EAGAIN; i++)
		;
	if (vireo_pc_console_client_read(&console) <= 0 && !console.len)
		return;
	while (console.len && n < sizeof(out)) {
		char ch = (char)console.buf[console.head];

		out[n++] = ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch;
		vireo_pc_console_consume(&console, 1);
	}
	vireo_pc_console_write(&console, out, n);
}

/* ---- disks and jobs -------------------------------------------------------- */

#define MAX_DISKS 16

static struct {
	char path[4096];
	bool readonly;
	int lock_fd;
} disks[MAX_DISKS];
static unsigned int nr_disks;

/* One job at a time, as vireo-run: the fields are the worker's while busy. */
static pthread_mutex_t job_lock = PTHREAD_MUTEX_INITIALIZER;
static bool job_busy;
static long job_id;
static atomic_bool job_cancel;
static pthread_t job_thread;
static bool job_joinable;
static struct {
	bool resize;
	unsigned int disk;
	char path[4096];
	enum vireo_disk_format format;
	uint64_t size;
	bool grow_by;
	bool overwrite;
} job;

/*
 * --disk PATH[,ro][,format=F], ",," for a comma in PATH as vireo-run reads
 * it: keep the path, hold the image as the monitor does.  A disk that
 * cannot be opened ends the monitor (status 4), as in vireo-run, so that a
 * path cut short shows.
 */
static int add_disk(const char *spec)
{
	char *copy = strdup(spec), *rest;
	g_autoptr(GError) lerr = NULL;
	size_t n;

	if (!copy)
		return -1;
	rest = vireo_opt_take_field(copy);
	n = strlen(copy);
	if (nr_disks == MAX_DISKS || n >= sizeof(disks[0].path)) {
		free(copy);
		return 0;
	}
	memcpy(disks[nr_disks].path, copy, n + 1);
	disks[nr_disks].readonly = rest && (!strcmp(rest, "ro") || !strncmp(rest, "ro,", 3));
	free(copy);
	disks[nr_disks].lock_fd = open(disks[nr_disks].path, O_RDONLY | O_CLOEXEC);
	if (disks[nr_disks].lock_fd < 0) {
		fprintf(stderr, "fake-monitor: disk %s: %s\n", disks[nr_disks].path,
			strerror(errno));
		return -1;
	}
	if (vireo_disk_lock_fd(disks[nr_disks].lock_fd, !disks[nr_disks].readonly,
			       disks[nr_disks].path, &lerr))
		fprintf(stderr, "fake-monitor: %s\n", lerr->message);
	nr_disks++;
	return 0;
}

static uint64_t disk_size(unsigned int i)
{
	struct vireo_disk *d;
	uint64_t size = 0;

	if (!vireo_disk_open(disks[i].path, VIREO_DISK_AUTO,
			     VIREO_DISK_RDONLY | VIREO_DISK_NO_LOCK | VIREO_DISK_NO_BACKING, &d, NULL)) {
		size = vireo_disk_size(d);
		vireo_disk_close(d);
	}
	return size;
}

static void emit_job(const char *event, uint64_t done, uint64_t total, const char *error,
		     uint64_t size)
{
	struct vireo_ctl_json *d = vireo_ctl_json_new();

	vireo_ctl_json_string(d, "operation", job.resize ? "disk-resize" : "disk-export");
	vireo_ctl_json_int(d, "job", job_id);
	vireo_ctl_json_int(d, "disk", job.disk);
	if (!strcmp(event, VIREO_CTL_EV_PROGRESS)) {
		vireo_ctl_json_int(d, "done", (int64_t)done);
		vireo_ctl_json_int(d, "total", (int64_t)total);
	} else {
		vireo_ctl_json_bool(d, "ok", !error);
		if (!job.resize)
			vireo_ctl_json_string(d, "path", job.path);
		else if (!error)
			vireo_ctl_json_int(d, "size", (int64_t)size);
		if (error)
			vireo_ctl_json_string(d, "error", error);
	}
	vireo_ctl_server_emit(srv, event, d);
}

static int image_read(void *opaque, void *buf, size_t len, uint64_t off,
		      GError **error)
{
	(void)error;
	return vireo_disk_pread(opaque, buf, len, off);
}

static int job_progress(void *opaque, uint64_t done, uint64_t total)
{
	static uint64_t last;

	(void)opaque;
	if (atomic_load(&job_cancel))
		return 1;
	/* Bounded, as vireo-run's: every 1%, the first and the last. */
	if (done == 0 || done == total || done - last >= total / 100) {
		emit_job(VIREO_CTL_EV_PROGRESS, done, total, NULL, 0);
		last = done;
	}
	return 0;
}

static void *job_worker(void *arg)
{
	g_autoptr(GError) err = NULL;
	struct vireo_disk *d = NULL;
	char msg[VIREO_DISK_ERR_MAX] = "";
	uint64_t size = 0;
	int r;

	(void)arg;
	/* The lock is ours already (vireo-run reads through its device). */
	r = vireo_disk_open(disks[job.disk].path, VIREO_DISK_AUTO,
			    (job.resize ? 0 : VIREO_DISK_RDONLY) | VIREO_DISK_NO_LOCK, &d, &err);
	if (!r && !job.resize) {
		struct vireo_disk_source src = { .read = image_read, .opaque = d,
						 .size = vireo_disk_size(d), .name = "disk" };
		struct vireo_disk_convert_opts o = { .dst_format = job.format,
						     .overwrite = job.overwrite,
						     .progress = job_progress };

		r = vireo_disk_convert_from(&src, job.path, &o, &err);
		if (r == -ECANCELED)
			vireo_error_set(&err, r, "cancelled");
	} else if (!r) {
		uint64_t old = vireo_disk_size(d);

		size = job.grow_by ? old + job.size : job.size;
		emit_job(VIREO_CTL_EV_PROGRESS, 0, size, NULL, 0);
		r = vireo_disk_resize(d, size);
		if (r)
			vireo_error_set(&err, r, "%s", vireo_disk_errmsg(d));
		else
			emit_job(VIREO_CTL_EV_PROGRESS, size, size, NULL, 0);
	}
	if (d)
		vireo_disk_close(d);
	if (r)
		snprintf(msg, sizeof(msg), "%s", err ? err->message : strerror(-r));
	pthread_mutex_lock(&job_lock);
	emit_job(VIREO_CTL_EV_JOB_FINISHED, 0, 0, r ? msg : NULL, size);
	job_busy = false;
	pthread_mutex_unlock(&job_lock);
	return NULL;
}

static int job_start(struct vireo_ctl_json *r, struct vireo_ctl_error *e)
{
	pthread_mutex_lock(&job_lock);
	if (job_busy) {
		pthread_mutex_unlock(&job_lock);
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_STATE, "another long operation is running");
	}
	if (job_joinable)
		pthread_join(job_thread, NULL);
	job_busy = true;
	job_id++;
	atomic_store(&job_cancel, false);
	job_joinable = !pthread_create(&job_thread, NULL, job_worker, NULL);
	if (!job_joinable)
		job_busy = false;
	pthread_mutex_unlock(&job_lock);
	vireo_ctl_json_int(r, "job", job_id);
	return 0;
}

static int arg_disk(const struct vireo_ctl_args *a, unsigned int *i, struct vireo_ctl_error *e)
{
	int64_t v;

	if (vireo_ctl_args_int(a, "disk", &v) || v < 0 || v >= (int64_t)nr_disks)
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_ARGS, "no such disk");
	*i = (unsigned int)v;
	return 0;
}

static int h_disks(void *o, const struct vireo_ctl_args *a, struct vireo_ctl_json *r,
		   struct vireo_ctl_error *e)
{
	(void)o;
	(void)a;
	(void)e;
	vireo_ctl_json_begin_array(r, "disks");
	for (unsigned int i = 0; i < nr_disks; i++) {
		vireo_ctl_json_begin_object(r, NULL);
		vireo_ctl_json_int(r, "index", i);
		vireo_ctl_json_string(r, "path", disks[i].path);
		vireo_ctl_json_bool(r, "readonly", disks[i].readonly);
		vireo_ctl_json_int(r, "size", (int64_t)disk_size(i));
		vireo_ctl_json_end_object(r);
	}
	vireo_ctl_json_end_array(r);
	return 0;
}

static int h_export(void *o, const struct vireo_ctl_args *a, struct vireo_ctl_json *r,
		    struct vireo_ctl_error *e)
{
	const char *path, *fmt = "qcow2";
	enum vireo_disk_format f;
	unsigned int i = 0;
	bool overwrite = false;
	struct stat st;

	(void)o;
	if (arg_disk(a, &i, e))
		return -1;
	if (vireo_ctl_args_string(a, "path", &path) || path[0] != '/')
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_ARGS, "path: absolute");
	if (vireo_ctl_args_has(a, "overwrite") && vireo_ctl_args_bool(a, "overwrite", &overwrite))
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_ARGS, "overwrite");
	if (!overwrite && !lstat(path, &st))
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_ARGS, "%s exists; not overwritten", path);
	vireo_ctl_args_string(a, "format", &fmt);
	if (vireo_disk_parse_format(fmt, &f) < 0)
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_ARGS, "format");
	pthread_mutex_lock(&job_lock);
	if (!job_busy) {
		job.resize = false;
		job.disk = i;
		snprintf(job.path, sizeof(job.path), "%s", path);
		job.format = f;
		job.overwrite = overwrite;
	}
	pthread_mutex_unlock(&job_lock);
	return job_start(r, e);
}

static int h_resize(void *o, const struct vireo_ctl_args *a, struct vireo_ctl_json *r,
		    struct vireo_ctl_error *e)
{
	const char *s;
	uint64_t size;
	unsigned int i = 0;
	bool grow_by;

	(void)o;
	if (arg_disk(a, &i, e))
		return -1;
	if (vireo_ctl_args_string(a, "size", &s))
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_ARGS, "size");
	grow_by = s[0] == '+';
	if (vireo_disk_parse_size(s + grow_by, &size) < 0)
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_ARGS, "size");
	if (disks[i].readonly)
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_ARGS, "disk %u is read-only", i);
	if (!grow_by && size < disk_size(i))
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_ARGS,
					   "disk %u: shrinking would drop guest data", i);
	pthread_mutex_lock(&job_lock);
	if (!job_busy) {
		job.resize = true;
		job.disk = i;
		job.size = size;
		job.grow_by = grow_by;
	}
	pthread_mutex_unlock(&job_lock);
	return job_start(r, e);
}

static int h_cancel(void *o, const struct vireo_ctl_args *a, struct vireo_ctl_json *r,
		    struct vireo_ctl_error *e)
{
	(void)o;
	(void)a;
	pthread_mutex_lock(&job_lock);
	if (!job_busy) {
		pthread_mutex_unlock(&job_lock);
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_STATE, "no such job is running");
	}
	atomic_store(&job_cancel, true);
	pthread_mutex_unlock(&job_lock);
	vireo_ctl_json_int(r, "job", job_id);
	return 0;
}

static const struct vireo_ctl_command commands[] = {
	{ VIREO_CTL_CMD_QUERY_STATUS, h_status, "state, name, pid, cpus" },
	{ VIREO_CTL_CMD_STOP, h_stop, "ACPI power button" },
	{ VIREO_CTL_CMD_KILL, h_kill, "end the monitor now" },
	{ VIREO_CTL_CMD_PAUSE, h_pause, "pause the vCPUs" },
	{ VIREO_CTL_CMD_RESUME, h_resume, "resume the vCPUs" },
	{ VIREO_CTL_CMD_RESET, h_reset, "platform reset" },
	{ VIREO_CTL_CMD_QUERY_VCPUS, h_vcpus, "the vCPUs" },
	{ "query-disks", h_disks, "the disks" },
	{ "disk-export", h_export, "copy a disk to a new image (job)" },
	{ "disk-resize", h_resize, "grow a disk (job)" },
	{ "job-cancel", h_cancel, "cancel the running job" },
	{ NULL, NULL, NULL },
};

static void on_signal(int sig)
{
	got_signal = sig;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'N' },
		{ "lock", required_argument, NULL, 'L' },
		{ "control", required_argument, NULL, 'C' },
		{ "console-socket", required_argument, NULL, 'S' },
		{ "mem", required_argument, NULL, 'm' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "append", required_argument, NULL, 'a' },
		{ "disk", required_argument, NULL, 'd' },
		{ "net", required_argument, NULL, 'n' },
		{ "console", no_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct vireo_ctl_server_config cfg = { .commands = commands };
	const char *lock = NULL, *control = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	g_autoptr(GError) error = NULL;
	int c, i, fd, ret, status;

	for (i = 0; i < argc; i++)
		printf("%s%s", i ? " " : "fake-monitor argv: ", argv[i]);
	printf("\n");
	fflush(stdout);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'N':
			name = optarg;
			break;
		case 'L':
			lock = optarg;
			break;
		case 'S':
			console_path = optarg;
			break;
		case 'C':
			control = optarg;
			break;
		case 'c':
			cpus = (unsigned int)atoi(optarg);
			break;
		case 'd':
			if (add_disk(optarg))
				return 4;
			break;
		case '?':
			return 1;
		default:
			break;
		}
	}
	if (!lock || !control) {
		fprintf(stderr, "fake-monitor: --lock and --control are required\n");
		return 1;
	}
	if (getenv("VIREO_FAKE_FAIL")) {
		fprintf(stderr, "fake-monitor: failing as asked (VIREO_FAKE_FAIL)\n");
		return 4;
	}
	ret = vireo_machine_lock(lock, true, &fd);
	if (ret == -EBUSY) {
		fprintf(stderr, "fake-monitor: %s: the machine runs already\n", lock);
		return 3;
	}
	if (ret < 0) {
		fprintf(stderr, "fake-monitor: %s: %s\n", lock, strerror(-ret));
		return 4;
	}
	cfg.path = control;
	ret = vireo_ctl_server_start(&cfg, &srv, &error);
	if (ret < 0) {
		fprintf(stderr, "fake-monitor: %s\n", error->message);
		return 4;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	fprintf(stderr, "fake-monitor: %s running, pid %ld\n", name, (long)getpid());
	/* The console socket: vireo-run's own code (pc_console.c). */
	vireo_pc_console_init(&console, false, -1, STDOUT_FILENO);
	ret = console_path ? vireo_pc_console_listen(&console, console_path) : 0;
	if (ret) {
		fprintf(stderr, "fake-monitor: --console-socket %s: %s\n", console_path,
			strerror(-ret));
		return 4;
	}
	emit_state("running", "start");
	for (;;) {
		long at = atomic_load(&stop_at);

		if (got_signal) {
			status = VIREO_EXIT_INTERRUPTED;
			break;
		}
		if (getenv("VIREO_FAKE_EXIT")) {
			if (!strcmp(getenv("VIREO_FAKE_EXIT"), "signal"))
				raise(SIGKILL);
			status = atoi(getenv("VIREO_FAKE_EXIT"));
			printf("fake-monitor: the guest ends with status %d\n", status);
			break;
		}
		status = atomic_load(&quit_status);
		if (status >= 0)
			break;
		if (at && now_ms() >= at) {
			printf("fake-monitor: guest powered off\n");
			status = 0;
			break;
		}
		console_echo();
		usleep(10 * 1000);
	}
	atomic_store(&job_cancel, true);
	pthread_mutex_lock(&job_lock);
	if (job_joinable) {
		pthread_mutex_unlock(&job_lock);
		pthread_join(job_thread, NULL);
	} else {
		pthread_mutex_unlock(&job_lock);
	}
	emit_state("shutdown", got_signal ? "signal" : "poweroff");
	vireo_ctl_server_stop(srv);
	vireo_pc_console_fini(&console);
	vireo_machine_unlock(fd);
	fprintf(stderr, "fake-monitor: %s exits with %d\n", name, status);
	return status;
}
