// SPDX-License-Identifier: GPL-2.0
/* The PC's host console (pc_console.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
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

void vireo_pc_console_write(struct vireo_pc_console *c, const void *p, size_t n)
{
	const uint8_t *b = p;

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
