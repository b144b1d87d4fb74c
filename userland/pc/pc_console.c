// SPDX-License-Identifier: GPL-2.0
/* The PC's host console (pc_console.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "pc_console.h"

const char vireo_pc_console_help[] =
	"\r\nvireo-run console escapes (Ctrl-A then):\r\n"
	"  x       quit\r\n"
	"  p       press the power button\r\n"
	"  h       this help\r\n"
	"  Ctrl-A  send Ctrl-A\r\n";

/* The terminal to restore if the process leaves through exit(). */
static struct vireo_pc_console *raw_console;

static void restore_at_exit(void)
{
	if (raw_console)
		vireo_pc_console_fini(raw_console);
}

int vireo_pc_console_init(struct vireo_pc_console *c, bool input, int in_fd, int out_fd)
{
	static bool registered;
	struct termios t;

	memset(c, 0, sizeof(*c));
	c->input = input;
	c->in_fd = in_fd;
	c->out_fd = out_fd;
	c->listen_fd = -1;
	c->client_fd = -1;
	pthread_mutex_init(&c->client_lock, NULL);
	if (!input || !isatty(in_fd))
		return 0;
	if (tcgetattr(in_fd, &c->saved))
		return -errno;
	t = c->saved;
	cfmakeraw(&t);
	/* The guest's line discipline adds CRs; ours must not add more. */
	if (tcsetattr(in_fd, TCSAFLUSH, &t))
		return -errno;
	c->raw = true;
	raw_console = c;
	if (!registered) {
		atexit(restore_at_exit);
		registered = true;
	}
	return 0;
}

void vireo_pc_console_fini(struct vireo_pc_console *c)
{
	vireo_pc_console_detach(c);
	if (c->listen_fd >= 0) {
		close(c->listen_fd);
		c->listen_fd = -1;
	}
	if (c->listen_path) {
		unlink(c->listen_path);
		free(c->listen_path);
		c->listen_path = NULL;
	}
	if (!c->raw)
		return;
	tcsetattr(c->in_fd, TCSAFLUSH, &c->saved);
	c->raw = false;
	if (raw_console == c)
		raw_console = NULL;
}

size_t vireo_pc_console_room(const struct vireo_pc_console *c)
{
	return sizeof(c->buf) - c->len;
}

static void put(struct vireo_pc_console *c, uint8_t b)
{
	if (c->len == sizeof(c->buf))
		return;	/* the caller read more than the room: drop */
	c->buf[(c->head + c->len++) % sizeof(c->buf)] = b;
}

unsigned int vireo_pc_console_input(struct vireo_pc_console *c, const uint8_t *in, size_t n)
{
	unsigned int actions = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		uint8_t b = in[i];

		if (!c->escape) {
			if (b == VIREO_CONSOLE_ESCAPE)
				c->escape = true;
			else
				put(c, b);
			continue;
		}
		c->escape = false;
		switch (b) {
		case 'x':
		case 'X':
			actions |= VIREO_CONSOLE_QUIT;
			break;
		case 'p':
		case 'P':
			actions |= VIREO_CONSOLE_POWER;
			break;
		case 'h':
		case 'H':
		case '?':
			actions |= VIREO_CONSOLE_HELP;
			break;
		default:
			/* Ctrl-A Ctrl-A, or an unknown escape: the guest gets the byte. */
			put(c, b);
			break;
		}
	}
	return actions;
}

void vireo_pc_console_consume(struct vireo_pc_console *c, size_t n)
{
	if (n > c->len)
		n = c->len;
	c->head = (c->head + n) % sizeof(c->buf);
	c->len -= n;
	if (!c->len)
		c->head = 0;
}

int vireo_pc_console_listen(struct vireo_pc_console *c, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *slash;
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* Its directory, as the control server makes its own (mode 0700). */
	slash = strrchr(sa.sun_path, '/');
	if (slash && slash != sa.sun_path) {
		*slash = 0;
		mkdir(sa.sun_path, 0700);
		*slash = '/';
	}
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || chmod(path, 0600) || listen(fd, 4)) {
		r = -errno;
		close(fd);
		unlink(path);
		return r;
	}
	c->listen_path = strdup(path);
	if (!c->listen_path) {
		close(fd);
		unlink(path);
		return -ENOMEM;
	}
	c->listen_fd = fd;
	return 0;
}

/* All of a short greeting, on a socket that was just accepted. */
static void greet(int fd, const char *line)
{
	send(fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT);
}

int vireo_pc_console_accept(struct vireo_pc_console *c)
{
	int fd = accept4(c->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	pthread_mutex_lock(&c->client_lock);
	if (c->client_fd >= 0) {
		pthread_mutex_unlock(&c->client_lock);
		greet(fd, VIREO_CONSOLE_GREETING_BUSY);
		close(fd);
		return -EBUSY;
	}
	/*
	 * The greeting and the backlog (oldest first) in one message, before
	 * any new output can reach it (the lock is held): a client that has
	 * read the greeting has the backlog waiting too.
	 */
	{
		struct iovec iov[3] = {
			{ .iov_base = (void *)VIREO_CONSOLE_GREETING_OK,
			  .iov_len = strlen(VIREO_CONSOLE_GREETING_OK) },
			{ .iov_base = c->backlog + c->backlog_end,
			  .iov_len = c->backlog_full ? sizeof(c->backlog) - c->backlog_end : 0 },
			{ .iov_base = c->backlog, .iov_len = c->backlog_end },
		};
		struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 3 };

		sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
	}
	c->client_fd = fd;
	pthread_mutex_unlock(&c->client_lock);
	return fd;
}

void vireo_pc_console_detach(struct vireo_pc_console *c)
{
	pthread_mutex_lock(&c->client_lock);
	if (c->client_fd >= 0)
		close(c->client_fd);
	c->client_fd = -1;
	pthread_mutex_unlock(&c->client_lock);
}

ssize_t vireo_pc_console_client_read(struct vireo_pc_console *c)
{
	uint8_t in[VIREO_CONSOLE_BUF];
	size_t room = vireo_pc_console_room(c), i;
	ssize_t n;

	if (c->client_fd < 0)
		return 0;
	if (!room)
		return -EAGAIN;
	n = read(c->client_fd, in, room < sizeof(in) ? room : sizeof(in));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return -EAGAIN;
	if (n <= 0) {
		vireo_pc_console_detach(c);
		return 0;
	}
	for (i = 0; i < (size_t)n; i++)
		put(c, in[i]);
	return n;
}

/* Keep the last VIREO_CONSOLE_BACKLOG bytes of output; client_lock held. */
static void backlog_add(struct vireo_pc_console *c, const uint8_t *b, size_t n)
{
	size_t room;

	if (n >= sizeof(c->backlog)) {
		memcpy(c->backlog, b + n - sizeof(c->backlog), sizeof(c->backlog));
		c->backlog_end = 0;
		c->backlog_full = true;
		return;
	}
	room = sizeof(c->backlog) - c->backlog_end;
	if (n < room) {
		memcpy(c->backlog + c->backlog_end, b, n);
		c->backlog_end += n;
		return;
	}
	memcpy(c->backlog + c->backlog_end, b, room);
	memcpy(c->backlog, b + room, n - room);
	c->backlog_end = n - room;
	c->backlog_full = true;
}

void vireo_pc_console_write(struct vireo_pc_console *c, const void *p, size_t n)
{
	const uint8_t *b = p;

	/* Uncontended but for an attach or a detach; a UART exit costs far more. */
	pthread_mutex_lock(&c->client_lock);
	backlog_add(c, b, n);
	if (c->client_fd >= 0)
		send(c->client_fd, b, n, MSG_NOSIGNAL | MSG_DONTWAIT);
	pthread_mutex_unlock(&c->client_lock);
	while (n) {
		ssize_t w = write(c->out_fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		b += w;
		n -= (size_t)w;
	}
}
