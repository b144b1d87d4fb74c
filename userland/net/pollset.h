/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A growable poll(2) set with a timeout, rebuilt before every sleep of an
 * I/O loop.  Several parties append their fds to one set (the monitor its
 * epoll fd, each NAT its sockets), the loop polls once, and each party
 * reads back the revents of the indexes it was given.
 */
#ifndef VIREO_NET_POLLSET_H
#define VIREO_NET_POLLSET_H

#include <poll.h>
#include <stdint.h>

struct vireo_pollset {
	struct pollfd *fds;
	unsigned int n, cap;
	int timeout_ms;		/* for poll(): -1 is forever */
};

void vireo_pollset_init(struct vireo_pollset *ps);
void vireo_pollset_fini(struct vireo_pollset *ps);

/* Empty the set for the next round, with timeout_ms (-1: forever). */
void vireo_pollset_reset(struct vireo_pollset *ps, int timeout_ms);

/* Append fd: its index, or -ENOMEM. */
int vireo_pollset_add(struct vireo_pollset *ps, int fd, short events);

/* Lower the timeout to ms (clamped at 0); never raises it. */
void vireo_pollset_timeout(struct vireo_pollset *ps, int64_t ms);

/* revents of index idx, 0 for an index the set does not have. */
short vireo_pollset_revents(const struct vireo_pollset *ps, int idx);

#endif /* VIREO_NET_POLLSET_H */
