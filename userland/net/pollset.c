// SPDX-License-Identifier: GPL-2.0
/* A growable poll(2) set (pollset.h). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "net/pollset.h"

void vireo_pollset_init(struct vireo_pollset *ps)
{
	memset(ps, 0, sizeof(*ps));
	ps->timeout_ms = -1;
}

void vireo_pollset_fini(struct vireo_pollset *ps)
{
	free(ps->fds);
	vireo_pollset_init(ps);
}

void vireo_pollset_reset(struct vireo_pollset *ps, int timeout_ms)
{
	ps->n = 0;
	ps->timeout_ms = timeout_ms < 0 ? -1 : timeout_ms;
}

int vireo_pollset_add(struct vireo_pollset *ps, int fd, short events)
{
	if (ps->n == ps->cap) {
		unsigned int cap = ps->cap ? ps->cap * 2 : 16;
		struct pollfd *fds;

		if (cap > INT_MAX / sizeof(*fds))
			return -ENOMEM;
		fds = realloc(ps->fds, cap * sizeof(*fds));
		if (!fds)
			return -ENOMEM;
		ps->fds = fds;
		ps->cap = cap;
	}
	ps->fds[ps->n] = (struct pollfd){ .fd = fd, .events = events };
	return (int)ps->n++;
}

void vireo_pollset_timeout(struct vireo_pollset *ps, int64_t ms)
{
	if (ms < 0)
		ms = 0;
	if (ms > INT_MAX)
		ms = INT_MAX;
	if (ps->timeout_ms < 0 || ms < ps->timeout_ms)
		ps->timeout_ms = (int)ms;
}

short vireo_pollset_revents(const struct vireo_pollset *ps, int idx)
{
	return idx >= 0 && (unsigned int)idx < ps->n ? ps->fds[idx].revents : 0;
}
