// SPDX-License-Identifier: GPL-2.0
/*
 * vireo-run --control (pc_control.c): the standard commands on a real
 * socket in a temporary directory, spoken to as a script would (plain
 * lines, no client library): replies, state conflicts, events, and the
 * requests handed to the main thread through the wake eventfd.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "pc.h"
#include "test.h"
#include "test_line_reader.h"

static struct vireo_pc_control ctl;
static struct vireo_options opts;
static char dir[48], sock_path[96];
static int fd = -1;
static struct test_line_reader rd;

static bool setup(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(dir, sizeof(dir), "/tmp/vireo-run-ctl-XXXXXX");
	if (!mkdtemp(dir))
		return false;
	snprintf(sock_path, sizeof(sock_path), "%s/vm.sock", dir);
	memset(&opts, 0, sizeof(opts));
	opts.name = "deb";
	opts.cpus = 2;
	opts.control = sock_path;
	if (vireo_pc_control_start(&ctl, &opts, stderr))
		return false;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	test_line_reader_reset(&rd, fd);
	return fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
}

static void teardown(void)
{
	if (fd >= 0)
		close(fd);
	fd = -1;
	vireo_pc_control_stop(&ctl, "test");
	rmdir(dir);
}

/* The next line from the server (without its newline), or NULL after 2 s. */
static const char *next_line(void)
{
	return test_line_reader_next(&rd, 2000);
}

/* Send a request; return its reply, skipping (and keeping the last) event. */
static char last_event[4096];

static const char *call(int id, const char *cmd)
{
	char req[256], want[32];
	const char *l;
	int n = snprintf(req, sizeof(req), "{\"id\":%d,\"cmd\":\"%s\"}\n", id, cmd);

	if (write(fd, req, (size_t)n) != n)
		return NULL;
	snprintf(want, sizeof(want), "{\"id\":%d,", id);
	while ((l = next_line())) {
		if (!strncmp(l, want, strlen(want)))
			return l;
		if (strstr(l, "\"event\""))
			snprintf(last_event, sizeof(last_event), "%s", l);
	}
	return NULL;
}

/* Wait for an event line containing s (or see it already kept). */
static bool event_seen(const char *s)
{
	const char *l;

	if (strstr(last_event, s))
		return true;
	while ((l = next_line()))
		if (strstr(l, "\"event\"") && strstr(l, s))
			return true;
	return false;
}

static unsigned int take_requests(void)
{
	return atomic_exchange(&ctl.requests, 0);
}

static void run_ctl_status(void)
{
	char pid[32];
	const char *r;

	if (!setup()) {
		teardown();
		vireo_test_fail(__FILE__, __LINE__, "setup");
		return;
	}
	r = call(1, "query-status");
	snprintf(pid, sizeof(pid), "\"pid\":%d", (int)getpid());
	if (!r || !strstr(r, "\"ok\":true") || !strstr(r, "\"state\":\"running\"") ||
	    !strstr(r, "\"name\":\"deb\"") || !strstr(r, pid) || !strstr(r, "\"cpus\":2")) {
		vireo_test_fail(__FILE__, __LINE__, "reply %s", r ? r : "(none)");
		teardown();
		return;
	}
	r = call(2, "query-commands");
	if (!r || !strstr(r, "\"query-vcpus\"") || !strstr(r, "\"reset\"")) {
		vireo_test_fail(__FILE__, __LINE__, "reply %s", r ? r : "(none)");
		teardown();
		return;
	}
	teardown();
}

static void run_ctl_pause_resume(void)
{
	const char *r;
	uint64_t n;

	if (!setup()) {
		teardown();
		vireo_test_fail(__FILE__, __LINE__, "setup");
		return;
	}
	last_event[0] = 0;
	r = call(1, "pause");
	T_TRUE(r && strstr(r, "\"ok\":true"));
	T_TRUE(atomic_load(&ctl.paused));
	T_EQ(take_requests(), VIREO_PC_CTL_PAUSE);
	/* The I/O loop was woken. */
	T_EQ(read(ctl.wake_fd, &n, sizeof(n)), sizeof(n));
	T_TRUE(event_seen("\"state\":\"paused\",\"reason\":\"pause\""));
	r = call(2, "pause");
	T_TRUE(r && strstr(r, "state-conflict"));
	r = call(3, "query-status");
	T_TRUE(r && strstr(r, "\"state\":\"paused\""));
	/* The guest cannot see a power button while paused. */
	r = call(4, "stop");
	T_TRUE(r && strstr(r, "state-conflict"));
	T_EQ(take_requests(), 0);
	last_event[0] = 0;
	r = call(5, "resume");
	T_TRUE(r && strstr(r, "\"ok\":true"));
	T_TRUE(!atomic_load(&ctl.paused));
	T_TRUE(event_seen("\"state\":\"running\",\"reason\":\"resume\""));
	r = call(6, "resume");
	T_TRUE(r && strstr(r, "state-conflict"));
	teardown();
}

static void run_ctl_requests(void)
{
	const char *r;

	if (!setup()) {
		teardown();
		vireo_test_fail(__FILE__, __LINE__, "setup");
		return;
	}
	r = call(1, "stop");
	T_TRUE(r && strstr(r, "\"ok\":true"));
	T_EQ(take_requests(), VIREO_PC_CTL_STOP);
	r = call(2, "reset");
	T_TRUE(r && strstr(r, "\"ok\":true"));
	T_EQ(take_requests(), VIREO_PC_CTL_RESET);
	r = call(3, "kill");
	T_TRUE(r && strstr(r, "\"ok\":true"));
	T_TRUE(atomic_load(&ctl.killed));
	T_EQ(take_requests(), VIREO_PC_CTL_KILL);
	/* Once the machine is going away, nothing more is taken on. */
	atomic_store(&ctl.ending, true);
	r = call(4, "pause");
	T_TRUE(r && strstr(r, "state-conflict"));
	r = call(5, "query-status");
	T_TRUE(r && strstr(r, "\"state\":\"shutting-down\""));
	teardown();
}

static void run_ctl_vcpus(void)
{
	const char *r;

	if (!setup()) {
		teardown();
		vireo_test_fail(__FILE__, __LINE__, "setup");
		return;
	}
	atomic_store(&ctl.tid[0], 4242);
	r = call(1, "query-vcpus");
	T_TRUE(r && strstr(r, "{\"id\":0,\"state\":\"running\",\"thread\":4242}"));
	T_TRUE(r && strstr(r, "{\"id\":1,\"state\":\"stopped\",\"thread\":0}"));
	teardown();
}

static void run_ctl_shutdown_event(void)
{
	const char *l;
	bool seen = false;

	if (!setup()) {
		teardown();
		vireo_test_fail(__FILE__, __LINE__, "setup");
		return;
	}
	vireo_pc_control_emit_panic(&ctl, "triple fault");
	vireo_pc_control_stop(&ctl, "poweroff");
	while ((l = next_line()))
		if (strstr(l, "\"state\":\"shutdown\",\"reason\":\"poweroff\""))
			seen = true;
	close(fd);
	fd = -1;
	rmdir(dir);
	T_TRUE(seen);
	/* The socket is gone with the server. */
	T_TRUE(access(sock_path, F_OK) != 0);
}

static void run_ctl_without_socket(void)
{
	struct vireo_options o = { .cpus = 1 };
	struct vireo_pc_control c;

	T_EQ(vireo_pc_control_start(&c, &o, stderr), 0);
	T_TRUE(c.srv == NULL);
	T_EQ(c.wake_fd, -1);
	T_TRUE(!strcmp(c.name, ""));
	/* Emitting and stopping without a server are no-ops. */
	vireo_pc_control_emit_state(&c, "running", "start");
	vireo_pc_control_stop(&c, "poweroff");
}

static void run_ctl_live_socket_refused(void)
{
	struct vireo_pc_control second;
	FILE *devnull = fopen("/dev/null", "w");
	int r;

	if (!setup()) {
		teardown();
		vireo_test_fail(__FILE__, __LINE__, "setup");
		return;
	}
	r = vireo_pc_control_start(&second, &opts, devnull ? devnull : stderr);
	if (devnull)
		fclose(devnull);
	teardown();
	T_EQ(r, -EADDRINUSE);
}

static const struct vireo_test vireo_tests_run_control[] = {
	VIREO_TEST(run_ctl_status),
	VIREO_TEST(run_ctl_pause_resume),
	VIREO_TEST(run_ctl_requests),
	VIREO_TEST(run_ctl_vcpus),
	VIREO_TEST(run_ctl_shutdown_event),
	VIREO_TEST(run_ctl_without_socket),
	VIREO_TEST(run_ctl_live_socket_refused),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(run_control, vireo_tests_run_control);
