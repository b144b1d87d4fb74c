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
 *
 * It prints its arguments on stdout (the serial console: serial.log in a
 * headless start) so that the test can check the command line, and exits
 * 3 when the lock is held, as the real monitor must.  VIREO_FAKE_FAIL=1
 * makes it fail at once with status 4 after a message on stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "control/server.h"
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

static const struct vireo_ctl_command commands[] = {
	{ VIREO_CTL_CMD_QUERY_STATUS, h_status, "state, name, pid, cpus" },
	{ VIREO_CTL_CMD_STOP, h_stop, "ACPI power button" },
	{ VIREO_CTL_CMD_KILL, h_kill, "end the monitor now" },
	{ VIREO_CTL_CMD_PAUSE, h_pause, "pause the vCPUs" },
	{ VIREO_CTL_CMD_RESUME, h_resume, "resume the vCPUs" },
	{ VIREO_CTL_CMD_RESET, h_reset, "platform reset" },
	{ VIREO_CTL_CMD_QUERY_VCPUS, h_vcpus, "the vCPUs" },
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
	char err[256];
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
		case 'C':
			control = optarg;
			break;
		case 'c':
			cpus = (unsigned int)atoi(optarg);
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
	ret = vireo_ctl_server_start(&cfg, &srv, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "fake-monitor: %s\n", err);
		return 4;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	fprintf(stderr, "fake-monitor: %s running, pid %ld\n", name, (long)getpid());
	emit_state("running", "start");
	for (;;) {
		long at = atomic_load(&stop_at);

		if (got_signal) {
			status = 0;
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
		usleep(10 * 1000);
	}
	emit_state("shutdown", got_signal ? "signal" : "poweroff");
	vireo_ctl_server_stop(srv);
	vireo_machine_unlock(fd);
	fprintf(stderr, "fake-monitor: %s exits with %d\n", name, status);
	return status;
}
