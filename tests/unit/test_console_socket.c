// SPDX-License-Identifier: GPL-2.0
/*
 * vireo-run's console socket (--console-socket, pc_console.h): what
 * `vireo console` attaches to.  The relay on real sockets, without a
 * guest: the greeting, the backlog (the last output, replayed to a client
 * that attaches), output to stdout and the client, raw input (the
 * monitor's Ctrl-A escapes do not apply), one client at a time, a client
 * leaving, a new one after it, the socket removed at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "pc_console.h"
#include "test.h"

static int connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Read exactly n bytes, waiting at most 5 s for each; the count read. */
static size_t read_n(int fd, char *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (poll(&p, 1, 5000) != 1)
			break;
		r = read(fd, buf + got, n - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	buf[got] = 0;
	return got;
}

/* Wait (5 s at most) for the listening socket to have a client queued. */
static bool knocked(int listen_fd)
{
	struct pollfd p = { .fd = listen_fd, .events = POLLIN };

	return poll(&p, 1, 5000) == 1;
}

static void console_socket_relay(void)
{
	static struct vireo_pc_console c;
	static char big[10000], big_out[sizeof(big) + 1];
	char dir[] = "/tmp/vireo-console-XXXXXX", path[128], buf[64];
	size_t i;
	const char ok[] = VIREO_CONSOLE_GREETING_OK, busy[] = VIREO_CONSOLE_GREETING_BUSY;
	int out[2], a, b;
	struct stat st;

	T_TRUE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/m.console", dir);
	T_EQ(pipe(out), 0);
	T_EQ(vireo_pc_console_init(&c, false, -1, out[1]), 0);
	T_EQ(c.client_fd, -1);
	/* Nobody attached: output goes to stdout only. */
	vireo_pc_console_write(&c, "early", 5);
	T_EQ(read_n(out[0], buf, 5), 5);
	T_EQ(vireo_pc_console_listen(&c, path), 0);
	T_EQ(stat(path, &st), 0);
	T_EQ(st.st_mode & 0777, 0600);
	T_EQ(vireo_pc_console_accept(&c), -EAGAIN);

	a = connect_to(path);
	T_TRUE(a >= 0);
	T_TRUE(knocked(c.listen_fd));
	T_TRUE(vireo_pc_console_accept(&c) >= 0);
	T_EQ(read_n(a, buf, strlen(ok)), strlen(ok));
	T_TRUE(!strcmp(buf, ok));
	/* What was printed before it attached: the backlog. */
	T_EQ(read_n(a, buf, 5), 5);
	T_TRUE(!strcmp(buf, "early"));
	/* Output reaches both. */
	vireo_pc_console_write(&c, "login: ", 7);
	T_EQ(read_n(out[0], buf, 7), 7);
	T_TRUE(!strcmp(buf, "login: "));
	T_EQ(read_n(a, buf, 7), 7);
	T_TRUE(!strcmp(buf, "login: "));
	/* Input is raw: Ctrl-A x is two bytes for the guest, not a quit. */
	T_EQ(write(a, "ls\x01x", 4), 4);
	{
		struct pollfd p = { .fd = c.client_fd, .events = POLLIN };

		T_EQ(poll(&p, 1, 5000), 1);
	}
	T_EQ(vireo_pc_console_client_read(&c), 4);
	T_EQ(c.len, 4);
	T_EQ(c.buf[2], 1);
	T_EQ(c.buf[3], 'x');
	T_EQ(vireo_pc_console_client_read(&c), -EAGAIN);

	/* A second client is told and closed; the first stays. */
	b = connect_to(path);
	T_TRUE(b >= 0);
	T_TRUE(knocked(c.listen_fd));
	T_EQ(vireo_pc_console_accept(&c), -EBUSY);
	T_EQ(read_n(b, buf, sizeof(buf) - 1), strlen(busy));
	T_TRUE(!strcmp(buf, busy));
	close(b);
	T_TRUE(c.client_fd >= 0);

	/* The first leaves: detached, output goes on to stdout. */
	close(a);
	{
		struct pollfd p = { .fd = c.client_fd, .events = POLLIN };

		T_EQ(poll(&p, 1, 5000), 1);
	}
	T_EQ(vireo_pc_console_client_read(&c), 0);
	T_EQ(c.client_fd, -1);
	vireo_pc_console_write(&c, "more", 4);
	T_EQ(read_n(out[0], buf, 4), 4);

	/* More than the backlog holds, in pieces that wrap its ring. */
	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	for (i = 0; i < sizeof(big); i += 700)
		vireo_pc_console_write(&c, big + i, sizeof(big) - i < 700 ? sizeof(big) - i : 700);
	T_EQ(read_n(out[0], big_out, sizeof(big)), sizeof(big));

	/* Another client can attach now; it gets the last 4K, oldest first. */
	a = connect_to(path);
	T_TRUE(knocked(c.listen_fd));
	T_TRUE(vireo_pc_console_accept(&c) >= 0);
	T_EQ(read_n(a, buf, strlen(ok)), strlen(ok));
	T_TRUE(!strcmp(buf, ok));
	T_EQ(read_n(a, big_out, VIREO_CONSOLE_BACKLOG), VIREO_CONSOLE_BACKLOG);
	T_TRUE(!memcmp(big_out, big + sizeof(big) - VIREO_CONSOLE_BACKLOG, VIREO_CONSOLE_BACKLOG));
	close(a);

	vireo_pc_console_fini(&c);
	T_EQ(c.client_fd, -1);
	T_TRUE(stat(path, &st) < 0 && errno == ENOENT);	/* removed */
	close(out[0]);
	close(out[1]);
	rmdir(dir);
}

static const struct vireo_test vireo_tests_console_socket[] = {
	VIREO_TEST(console_socket_relay),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(console_socket, vireo_tests_console_socket);
