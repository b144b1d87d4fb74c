// SPDX-License-Identifier: GPL-2.0
/*
 * vireo start, stop, kill, pause, resume, reset: starting the monitor and
 * talking to it through its control socket.
 */
#include <errno.h>
#include <linux/capability.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libvireo.h>

#include "cli.h"
#include "control/client.h"
#include "vmlib/launch.h"
#include "vmlib/lock.h"
#include "vmlib/store.h"

#define POLL_MS 50

/* $VIREO_MONITOR, else vireo-run beside this program, else on $PATH. */
static char *find_monitor(void)
{
	const char *env = g_getenv("VIREO_MONITOR");
	char *self, *cand = NULL;

	if (env && *env)
		return g_strdup(env);
	self = g_file_read_link("/proc/self/exe", NULL);
	if (self) {
		char *dir = g_path_get_dirname(self);

		cand = g_build_filename(dir, "vireo-run", NULL);
		g_free(dir);
		g_free(self);
		if (g_file_test(cand, G_FILE_TEST_IS_EXECUTABLE))
			return cand;
		g_free(cand);
	}
	return g_find_program_in_path("vireo-run");
}

static bool lock_held(const char *name, pid_t *pid)
{
	char *lock = vireo_machine_file(name, VIREO_MACHINE_LOCK);
	bool held = false;

	vireo_machine_lock_probe(lock, &held, pid);
	g_free(lock);
	return held;
}

/* Wait until no monitor holds the lock; false on timeout. */
static bool wait_released(const char *name, int timeout_ms)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

	while (lock_held(name, NULL)) {
		if (g_get_monotonic_time() >= deadline)
			return false;
		g_usleep(POLL_MS * 1000);
	}
	return true;
}

/* Print the end of the monitor's log after a failed start. */
static void print_log_tail(const char *path)
{
	char *text = NULL, **lines;
	guint n, i;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return;
	lines = g_strsplit(text, "\n", -1);
	n = g_strv_length(lines);
	if (n && !*lines[n - 1])
		n--;
	for (i = n > 10 ? n - 10 : 0; i < n; i++)
		fprintf(stderr, "  | %s\n", lines[i]);
	g_strfreev(lines);
	g_free(text);
}

/*
 * Whether the monitor we started answers: query-status must work and, if
 * it reports its pid, be ours (two concurrent starts: the loser's CLI must
 * not take the winner's socket for its own monitor).
 */
static bool monitor_answers(const char *sock, pid_t child)
{
	struct vireo_ctl_client *c = vireo_ctl_client_connect(sock, 200, NULL);
	JsonNode *r;
	bool ok = false;

	if (!c)
		return false;
	r = vireo_ctl_client_call(c, "query-status", NULL, 1000, NULL);
	if (r && JSON_NODE_HOLDS_OBJECT(r)) {
		JsonObject *o = json_node_get_object(r);

		ok = !json_object_has_member(o, "pid") ||
		     json_object_get_int_member_with_default(o, "pid", 0) == child;
	}
	if (r)
		json_node_unref(r);
	vireo_ctl_client_free(c);
	return ok;
}

static int open_log(const char *path)
{
	return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
}

static int start_headless(const struct vireo_vmdef *def, char **margv, int wait_s)
{
	char *serial = NULL, *mlog = vireo_machine_file(def->name, "monitor.log");
	char *sock = vireo_machine_socket_path(def->name, NULL);
	gint64 deadline = g_get_monotonic_time() + (gint64)wait_s * G_USEC_PER_SEC;
	int in = -1, out = -1, err = -1, code, status;
	pid_t pid;

	if (def->serial.enabled && def->serial.log)
		serial = vireo_machine_resolve(def->name, def->serial.log);
	in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	out = serial ? open_log(serial) : open("/dev/null", O_WRONLY | O_CLOEXEC);
	err = open_log(mlog);
	if (in < 0 || out < 0 || err < 0) {
		code = vireo_cli_fail(VIREO_EXIT_ERROR, "%s: cannot open the logs: %s", def->name,
				      g_strerror(errno));
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		code = vireo_cli_fail(VIREO_EXIT_ERROR, "fork: %s", g_strerror(errno));
		goto out;
	}
	if (pid == 0) {
		/* Its own session: the monitor outlives this terminal. */
		setsid();
		dup2(in, 0);
		dup2(out, 1);
		dup2(err, 2);
		execv(margv[0], margv);
		dprintf(2, "vireo: cannot run %s: %s\n", margv[0], g_strerror(errno));
		_exit(127);
	}
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid) {
			int st = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

			/* Its status in the table (3: the lock is taken); a
			 * monitor that ends before it answers has failed. */
			code = vireo_exit_from_wait(status);
			if (code == VIREO_EXIT_OK)
				code = VIREO_EXIT_ERROR;
			code = vireo_cli_fail(code,
					      "%s: the monitor exited with status %d; its log "
					      "(%s) ends:",
					      def->name, st, mlog);
			print_log_tail(mlog);
			goto out;
		}
		if (sock && monitor_answers(sock, pid)) {
			printf("started %s (monitor pid %ld)\n", def->name, (long)pid);
			code = VIREO_EXIT_OK;
			goto out;
		}
		if (g_get_monotonic_time() >= deadline) {
			kill(pid, SIGTERM);
			code = vireo_cli_fail(VIREO_EXIT_TIMEOUT,
					      "%s: the monitor did not answer on %s within %d s; "
					      "stopped it (log: %s)",
					      def->name, sock ? sock : "?", wait_s, mlog);
			goto out;
		}
		g_usleep(POLL_MS * 1000);
	}
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (err >= 0)
		close(err);
	g_free(serial);
	g_free(mlog);
	g_free(sock);
	return code;
}

/* CAP_IPC_LOCK in the effective set: the kernel then charges no limit. */
static bool may_lock_unlimited(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };

	if (syscall(SYS_capget, &hdr, data) != 0)
		return false;
	return data[CAP_IPC_LOCK / 32].effective & (1U << (CAP_IPC_LOCK % 32));
}

/*
 * vireo.ko charges guest RAM to the locked-memory limit of the monitor's
 * user (account_locked_vm, which exempts CAP_IPC_LOCK), and libvireo
 * raises the soft limit to the hard one: a machine larger than the hard
 * limit cannot start, so say so before starting it.
 */
static bool memlock_fits(const struct vireo_vmdef *def)
{
	struct rlimit rl;

	if (may_lock_unlimited() || getrlimit(RLIMIT_MEMLOCK, &rl) != 0 ||
	    rl.rlim_max == RLIM_INFINITY)
		return true;
	return def->memory_mib <= rl.rlim_max >> 20;
}

/* --attach: the monitor in the foreground; its status into the table. */
static pid_t attached_pid;

static void forward_signal(int sig)
{
	if (attached_pid > 0)
		kill(attached_pid, sig);
}

static int start_attached(const struct vireo_vmdef *def, char **margv)
{
	struct sigaction fwd = { .sa_handler = forward_signal }, ign = { .sa_handler = SIG_IGN };
	struct sigaction old_int, old_quit, old_term, old_hup;
	int status, code;
	pid_t pid, w;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return vireo_cli_fail(VIREO_EXIT_ERROR, "fork: %s", g_strerror(errno));
	if (pid == 0) {
		execv(margv[0], margv);
		dprintf(2, "vireo: cannot run %s: %s\n", margv[0], g_strerror(errno));
		_exit(127);
	}
	/*
	 * The terminal's Ctrl-C and Ctrl-\ reach the monitor (its process
	 * group is ours) and it decides; a SIGTERM or SIGHUP sent to vireo is
	 * passed on.  Either way vireo waits and reports how it ended.
	 */
	attached_pid = pid;
	sigemptyset(&fwd.sa_mask);
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	sigaction(SIGTERM, &fwd, &old_term);
	sigaction(SIGHUP, &fwd, &old_hup);
	do
		w = waitpid(pid, &status, 0);
	while (w < 0 && errno == EINTR);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	attached_pid = 0;
	if (w < 0)
		return vireo_cli_fail(VIREO_EXIT_ERROR, "waitpid: %s", g_strerror(errno));
	code = vireo_exit_from_wait(status);
	switch (code) {
	case VIREO_EXIT_OK:
		break;
	case VIREO_EXIT_STATE:
		vireo_cli_fail(code, "%s is running already (another monitor holds its lock)",
			       def->name);
		break;
	case VIREO_EXIT_GUEST_CRASH:
		vireo_cli_fail(code, "%s: the guest crashed (see the monitor's messages above)",
			       def->name);
		break;
	case VIREO_EXIT_INTERRUPTED:
		if (WIFSIGNALED(status))
			vireo_cli_fail(code, "%s: the monitor was killed by signal %d (%s)",
				       def->name, WTERMSIG(status), g_strsignal(WTERMSIG(status)));
		else
			vireo_cli_fail(code, "%s: the monitor stopped on a signal or the console "
					     "escape; the guest did not power off",
				       def->name);
		break;
	default:
		vireo_cli_fail(code, "%s: the monitor failed (exit status %d)", def->name,
			       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		break;
	}
	return code;
}

int vireo_cmd_start(int argc, char **argv)
{
	gboolean attach = FALSE;
	int wait_s = 10;
	GOptionEntry entries[] = {
		{ "attach", 'a', 0, G_OPTION_ARG_NONE, &attach,
		  "Run in the foreground with the serial console on this terminal", NULL },
		{ "wait", 'w', 0, G_OPTION_ARG_INT, &wait_s,
		  "Headless: seconds to wait for the monitor to answer (10)", "SECONDS" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	struct vireo_vmdef *def;
	GError *err = NULL;
	char *monitor = NULL, **margv = NULL;
	int code;

	if (!vireo_cli_parse(&argc, &argv, "NAME", "Start a machine.",
			     "Headless (the default): the monitor runs in the background, the "
			     "serial console goes\nto the machine's serial.log and the monitor's "
			     "messages to monitor.log; vireo\nreturns once the control socket "
			     "answers.\n--attach: the monitor runs in the foreground with the "
			     "console on this terminal;\nvireo exits when it does: 0 when the "
			     "guest powered off, 8 when it crashed,\n10 when the monitor was "
			     "interrupted (signal, console escape) (EXIT STATUS).\n"
			     "The monitor is $VIREO_MONITOR, else vireo-run beside vireo, else "
			     "vireo-run on $PATH.",
			     entries, 1, 1))
		return VIREO_EXIT_USAGE;
	if (wait_s <= 0)
		return vireo_cli_fail(VIREO_EXIT_USAGE, "--wait takes a positive number");
	def = vireo_cli_load(argv[1], &code);
	if (!def)
		return code;
	if (lock_held(def->name, NULL)) {
		code = vireo_cli_fail(VIREO_EXIT_STATE, "%s is running already", def->name);
		goto out;
	}
	if (!memlock_fits(def)) {
		code = vireo_cli_fail(VIREO_EXIT_ERROR,
				      "%s: its %" G_GUINT64_FORMAT " MiB of RAM exceed the locked-memory limit",
				      def->name, (guint64)def->memory_mib);
		vireo_memlock_explain(stderr, "vireo");
		goto out;
	}
	monitor = find_monitor();
	if (!monitor) {
		code = vireo_cli_fail(VIREO_EXIT_ERROR,
				      "no monitor: vireo-run is neither beside vireo nor on $PATH "
				      "(or set VIREO_MONITOR)");
		goto out;
	}
	margv = vireo_monitor_argv(def, monitor, attach, &err);
	if (!margv) {
		code = vireo_cli_gerror(err);
		goto out;
	}
	if (attach) {
		code = start_attached(def, margv);
		goto out;
	}
	code = start_headless(def, margv, wait_s);
out:
	g_strfreev(margv);
	g_free(monitor);
	vireo_vmdef_free(def);
	return code;
}

/* ------------------------------------------------------------ kill */

/* Ask the monitor to quit; failing that, SIGKILL the pid in the lock
 * file (only read while the lock is seen held, so it is the holder's).
 * Then wait for the lock to go. */
static int do_kill(const char *name, int timeout_ms)
{
	JsonNode *r;
	pid_t pid = 0;
	int code;

	r = vireo_cli_call(name, "kill", 2000, &code);
	if (r) {
		json_node_unref(r);
	} else if (lock_held(name, &pid) && pid > 0) {
		fprintf(stderr, "vireo: %s: sending SIGKILL to monitor pid %ld\n", name, (long)pid);
		if (kill(pid, SIGKILL) < 0)
			return vireo_cli_fail(VIREO_EXIT_ERROR, "kill %ld: %s", (long)pid,
					      g_strerror(errno));
	} else if (!lock_held(name, NULL)) {
		return VIREO_EXIT_OK;	/* it went away on its own meanwhile */
	} else {
		return code;
	}
	if (!wait_released(name, timeout_ms))
		return vireo_cli_fail(VIREO_EXIT_TIMEOUT, "%s: the monitor is still running",
				      name);
	return VIREO_EXIT_OK;
}

static int need_running(const char *name)
{
	if (!vireo_machine_exists(name))
		return vireo_cli_fail(VIREO_EXIT_NOT_FOUND, "no machine named \"%s\"", name);
	if (!lock_held(name, NULL))
		return vireo_cli_fail(VIREO_EXIT_STATE, "%s is not running", name);
	return VIREO_EXIT_OK;
}

int vireo_cmd_kill(int argc, char **argv)
{
	int code;

	if (!vireo_cli_parse(&argc, &argv, "NAME", "End a machine's monitor at once.",
			     "Like pulling the plug: the guest gets no chance to shut down.  "
			     "Uses the control\nsocket's kill command, or SIGKILL when the "
			     "monitor does not answer.",
			     NULL, 1, 1))
		return VIREO_EXIT_USAGE;
	code = need_running(argv[1]);
	if (code)
		return code;
	code = do_kill(argv[1], 10000);
	if (!code)
		printf("killed %s\n", argv[1]);
	return code;
}

/* ------------------------------------------------------------ stop */

int vireo_cmd_stop(int argc, char **argv)
{
	int timeout_s = 60;
	gboolean force = FALSE, no_kill = FALSE;
	GOptionEntry entries[] = {
		{ "timeout", 't', 0, G_OPTION_ARG_INT, &timeout_s,
		  "Seconds to wait for the guest to power off (60)", "SECONDS" },
		{ "force", 'f', 0, G_OPTION_ARG_NONE, &force,
		  "After the timeout, kill the monitor (like 'vireo kill')", NULL },
		/* The default since --force came; still accepted. */
		{ "no-kill", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &no_kill, NULL, NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	struct vireo_cli_status st;
	const char *name;
	JsonNode *r;
	int code;

	if (!vireo_cli_parse(&argc, &argv, "NAME", "Stop a machine cleanly.",
			     "Presses the ACPI power button and waits for the guest to power "
			     "off.  After --timeout\nseconds it says the machine is still "
			     "running and exits with status 5; it never\nkills without --force "
			     "(which kills the monitor then).  A paused machine is\nresumed "
			     "first (a paused guest cannot see the button).",
			     entries, 1, 1))
		return VIREO_EXIT_USAGE;
	if (timeout_s < 0)
		return vireo_cli_fail(VIREO_EXIT_USAGE, "--timeout takes a number >= 0");
	if (force && no_kill)
		return vireo_cli_fail(VIREO_EXIT_USAGE,
				      "--force and --no-kill contradict each other");
	name = argv[1];
	code = need_running(name);
	if (code)
		return code;
	vireo_cli_status_get(name, &st);
	if (!strcmp(st.state, "paused")) {
		r = vireo_cli_call(name, "resume", 2000, &code);
		if (r)
			json_node_unref(r);
	}
	vireo_cli_status_clear(&st);
	r = vireo_cli_call(name, "stop", 2000, &code);
	if (!r && lock_held(name, NULL))
		return code;
	if (r)
		json_node_unref(r);
	if (wait_released(name, timeout_s * 1000)) {
		printf("stopped %s\n", name);
		return VIREO_EXIT_OK;
	}
	if (!force)
		return vireo_cli_fail(VIREO_EXIT_TIMEOUT,
				      "%s did not power off within %d s and is still running "
				      "('vireo stop --force' kills it after the timeout)",
				      name, timeout_s);
	fprintf(stderr, "vireo: %s did not power off within %d s; killing it (--force)\n", name,
		timeout_s);
	code = do_kill(name, 10000);
	if (!code)
		printf("killed %s\n", name);
	return code;
}

/* ------------------------------------------------------------ pause, resume, reset */

int vireo_cmd_simple(int argc, char **argv)
{
	const char *cmd = argv[0];
	const char *summary = !strcmp(cmd, "pause")  ? "Pause a running machine (its vCPUs stop)." :
			      !strcmp(cmd, "resume") ? "Resume a paused machine." :
						       "Reset a running machine (like the reset "
						       "button).";
	JsonNode *r;
	int code;

	if (!vireo_cli_parse(&argc, &argv, "NAME", summary, NULL, NULL, 1, 1))
		return VIREO_EXIT_USAGE;
	code = need_running(argv[1]);
	if (code)
		return code;
	r = vireo_cli_call(argv[1], cmd, 5000, &code);
	if (!r)
		return code;
	json_node_unref(r);
	printf("%s %s\n", !strcmp(cmd, "pause") ? "paused" : !strcmp(cmd, "resume") ? "resumed" : "reset",
	       argv[1]);
	return VIREO_EXIT_OK;
}
