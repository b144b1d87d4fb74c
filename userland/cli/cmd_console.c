// SPDX-License-Identifier: GPL-2.0
/*
 * vireo console NAME: this terminal on a running machine's serial console,
 * through its monitor's console socket (vireo-run --console-socket,
 * userland/pc/pc_console.h), until Ctrl-] detaches, as in
 * `virsh console`.  The machine runs on; its console output keeps going
 * to serial.log whether or not anyone is attached.  One client at a time.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "vmlib/lock.h"
#include "vmlib/store.h"

#define DETACH_KEY	0x1d	/* Ctrl-] */
#define GREETING_MAX	64

static volatile sig_atomic_t console_signal;

static void on_signal(int sig)
{
	console_signal = sig;
}

static int connect_console(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

/* The monitor's first line, byte by byte (nothing after it is consumed). */
static bool read_greeting(int fd, char *line, size_t size)
{
	size_t n = 0;

	while (n + 1 < size) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 5000) != 1 || read(fd, &line[n], 1) != 1)
			break;
		if (line[n++] == '\n')
			break;
	}
	line[n] = 0;
	return n && line[n - 1] == '\n';
}

static bool write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

enum relay_end { RELAY_DETACHED, RELAY_CLOSED, RELAY_SIGNAL, RELAY_ERROR };

/*
 * Copy stdin to the socket and the socket to stdout until Ctrl-] on stdin
 * (or its end), the monitor closing the socket, or SIGTERM/SIGHUP.
 */
static enum relay_end relay(int sock)
{
	char buf[4096];

	for (;;) {
		struct pollfd p[2] = { { .fd = STDIN_FILENO, .events = POLLIN },
				       { .fd = sock, .events = POLLIN } };
		ssize_t n;
		char *key;

		if (console_signal)
			return RELAY_SIGNAL;
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return RELAY_ERROR;
		}
		if (p[1].revents) {
			n = read(sock, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return RELAY_CLOSED;
			if (!write_all(STDOUT_FILENO, buf, (size_t)n))
				return RELAY_ERROR;
		}
		if (p[0].revents) {
			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return RELAY_DETACHED;	/* end of input: nothing to type */
			key = memchr(buf, DETACH_KEY, (size_t)n);
			if (key)
				n = key - buf;
			if (n && !write_all(sock, buf, (size_t)n))
				return RELAY_CLOSED;
			if (key)
				return RELAY_DETACHED;
		}
	}
}

int vireo_cmd_console(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal }, old_term, old_hup;
	struct termios saved, raw;
	char *lock = NULL, *path = NULL, line[GREETING_MAX];
	bool held = false, tty;
	GError *err = NULL;
	enum relay_end end;
	const char *name;
	int fd = -1, code;

	if (!vireo_cli_parse(&argc, &argv, "NAME",
			     "Attach this terminal to a machine's serial console.",
			     "The machine's serial console (ttyS0) comes to this terminal and what "
			     "you type goes to\nit, until Ctrl-] detaches (the machine runs on).  "
			     "Output goes on to serial.log\nwhether or not anyone is attached; "
			     "one client at a time.  When standard input\nends, vireo detaches.",
			     NULL, 1, 1))
		return VIREO_EXIT_USAGE;
	name = argv[1];
	if (!vireo_machine_exists(name))
		return vireo_cli_fail(VIREO_EXIT_NOT_FOUND, "no machine named \"%s\"", name);
	lock = vireo_machine_file(name, VIREO_MACHINE_LOCK);
	if (vireo_machine_lock_probe(lock, &held, NULL) < 0 || !held) {
		code = vireo_cli_fail(VIREO_EXIT_STATE, "%s is not running", name);
		goto out;
	}
	path = vireo_machine_console_path(name, &err);
	if (!path) {
		code = vireo_cli_gerror(err);
		goto out;
	}
	fd = connect_console(path);
	if (fd < 0) {
		code = vireo_cli_fail(VIREO_EXIT_ERROR,
				      "%s: cannot reach the console at %s: %s (a monitor started "
				      "without --console-socket has none)",
				      name, path, g_strerror(-fd));
		goto out;
	}
	if (!read_greeting(fd, line, sizeof(line))) {
		code = vireo_cli_fail(VIREO_EXIT_ERROR, "%s: %s: no greeting from the monitor",
				      name, path);
		goto out;
	}
	if (!strcmp(line, "VIREO-CONSOLE busy\n")) {
		code = vireo_cli_fail(VIREO_EXIT_STATE,
				      "%s: the console is in use: another client is attached",
				      name);
		goto out;
	}
	if (strcmp(line, "VIREO-CONSOLE ok\n")) {
		code = vireo_cli_fail(VIREO_EXIT_ERROR, "%s: %s: unexpected greeting \"%.*s\"",
				      name, path, (int)strcspn(line, "\n"), line);
		goto out;
	}
	tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
	fprintf(stderr, "Connected to %s's serial console; Ctrl-] detaches.%s\n", name,
		tty ? "\r" : "");
	if (tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	end = relay(fd);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	if (tty)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
	switch (end) {
	case RELAY_DETACHED:
	case RELAY_SIGNAL:
		fprintf(stderr, "\nDetached from %s (it is still running).\n", name);
		code = VIREO_EXIT_OK;
		break;
	case RELAY_CLOSED:
		fprintf(stderr, "\n%s: the monitor closed the console (the machine stopped).\n",
			name);
		code = VIREO_EXIT_OK;
		break;
	default:
		code = vireo_cli_fail(VIREO_EXIT_ERROR, "%s: console: %s", name, g_strerror(errno));
		break;
	}
out:
	if (fd >= 0)
		close(fd);
	g_free(path);
	g_free(lock);
	return code;
}
