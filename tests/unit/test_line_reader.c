// SPDX-License-Identifier: GPL-2.0
/* Reading lines from the control socket (see test_line_reader.h). */
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "test_line_reader.h"

void test_line_reader_reset(struct test_line_reader *r, int fd)
{
	r->fd = fd;
	r->len = 0;
}

const char *test_line_reader_next(struct test_line_reader *r, int timeout_ms)
{
	for (;;) {
		char *nl = memchr(r->buf, '\n', r->len);
		struct pollfd p = { .fd = r->fd, .events = POLLIN };
		ssize_t n;

		if (nl) {
			size_t len = (size_t)(nl - r->buf);

			memcpy(r->line, r->buf, len);
			r->line[len] = 0;
			memmove(r->buf, nl + 1, r->len - len - 1);
			r->len -= len + 1;
			return r->line;
		}
		if (poll(&p, 1, timeout_ms) != 1)
			return NULL;
		n = read(r->fd, r->buf + r->len, sizeof(r->buf) - r->len - 1);
		if (n <= 0)
			return NULL;
		r->len += (size_t)n;
	}
}
