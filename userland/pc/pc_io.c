// SPDX-License-Identifier: GPL-2.0
/*
 * The PC's I/O loop, on the main thread: one epoll set over everything
 * that is not a vCPU's business.
 *
 *   event_fd        a thread asked the machine to stop (pc.h): leave;
 *                   or the guest entered or left S3 (pc_sleep.c)
 *   signal_fd       SIGINT/SIGTERM stop; SIGPWR presses the power button
 *   timerfds        the devices' deadlines (the PIT's, the RTC's): call the device
 *   stdin           console input, through the escape filter, to the UART
 *   uart_room_fd    the UART's receiver has room again: offer the rest
 *   queue fds       ioeventfds of the virtio queues: process the queue
 *   backend fds     tap, console input: move input to the guest, polled
 *                   only while the device wants input (virtio.h), so a
 *                   device without receive buffers does not spin the loop
 *   wake fds        a device wants input again: resume polling its backend
 *   control wake    the control socket asked for something (pc_control.h)
 *   console socket  a `vireo console` client knocks (accept), or the
 *                   attached one typed: to the UART like stdin, polled
 *                   only while the input buffer has room (pc_console.h)
 *
 * Level-triggered throughout: an fd not drained now is seen again.
 *
 * With --net nat the loop sleeps in poll(2) instead, over the epoll fd
 * and every NAT's sockets (net/nat.h's loop): libslirp is driven from
 * this thread only, and the epoll set is then read without waiting.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "net/nat.h"
#include "net/pollset.h"

#include "pc.h"

enum watch_kind {
	W_EVENT,
	W_SIGNAL,
	W_TIMER,
	W_STDIN,
	W_UART_ROOM,
	W_QUEUE,
	W_BACKEND,
	W_WAKE,
	W_CONTROL,
	W_CONSOLE_LISTEN,
	W_CONSOLE_CLIENT,
};

struct watch {
	enum watch_kind kind;
	void *ptr;		/* timer or virtio device */
	unsigned int q;
};

#define MAX_WATCHES	(6 + VIREO_PC_MAX_TIMERS + VIREO_PC_MAX_VIRTIO * (VIREO_VIRTIO_MAX_QUEUES + 2))

struct io {
	struct vireo_pc *pc;
	int ep;
	struct watch w[MAX_WATCHES];
	unsigned int nr;
	bool stdin_polled;
	struct watch *stdin_watch;
	/* The console client comes and goes: its watch is not in w[]. */
	struct watch client_watch;
	int client_fd;		/* the fd in the epoll set, -1: none */
};

static void drain(int fd)
{
	uint64_t buf[16];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

static int watch_fd(struct io *io, int fd, enum watch_kind kind, void *ptr, unsigned int q,
		    bool enabled, struct watch **out)
{
	struct epoll_event ev = { .events = enabled ? EPOLLIN : 0 };
	struct watch *w;

	if (io->nr == MAX_WATCHES)
		return -ENOSPC;
	w = &io->w[io->nr++];
	w->kind = kind;
	w->ptr = ptr;
	w->q = q;
	ev.data.ptr = w;
	if (epoll_ctl(io->ep, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	if (out)
		*out = w;
	return 0;
}

static void set_polled(struct io *io, int fd, struct watch *w, bool on)
{
	struct epoll_event ev = { .events = on ? EPOLLIN : 0, .data.ptr = w };

	epoll_ctl(io->ep, EPOLL_CTL_MOD, fd, &ev);
}

/* ---- console ------------------------------------------------------------ */

/* Hand buffered input to the UART, as much as it takes. */
static void console_feed(struct io *io)
{
	struct vireo_pc_console *c = &io->pc->host->console;

	while (c->len) {
		size_t chunk = c->len, took;

		if (chunk > sizeof(c->buf) - c->head)
			chunk = sizeof(c->buf) - c->head;
		took = vireo_uart_receive(io->pc->uart, c->buf + c->head, chunk);
		vireo_pc_console_consume(c, took);
		if (took < chunk)
			break;
	}
}

static void stdin_update(struct io *io)
{
	struct vireo_pc_console *c = &io->pc->host->console;
	bool want = c->input && !c->eof && vireo_pc_console_room(c) > 0;

	if (want != io->stdin_polled && io->stdin_watch) {
		set_polled(io, c->in_fd, io->stdin_watch, want);
		io->stdin_polled = want;
	}
}

/*
 * Follow the console client: in the epoll set while the input buffer has
 * room, out of it otherwise (a hang-up is reported even without EPOLLIN,
 * and could not be read then) and once it is gone.
 */
static void client_update(struct io *io)
{
	struct vireo_pc_console *c = &io->pc->host->console;
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &io->client_watch };
	bool want = c->client_fd >= 0 && vireo_pc_console_room(c) > 0;

	if (io->client_fd >= 0 && (!want || io->client_fd != c->client_fd)) {
		epoll_ctl(io->ep, EPOLL_CTL_DEL, io->client_fd, NULL);
		io->client_fd = -1;
	}
	if (!want || io->client_fd >= 0)
		return;
	io->client_watch.kind = W_CONSOLE_CLIENT;
	if (epoll_ctl(io->ep, EPOLL_CTL_ADD, c->client_fd, &ev)) {
		vireo_pc_console_detach(c);	/* cannot serve it */
		return;
	}
	io->client_fd = c->client_fd;
}

static void console_listen_ready(struct io *io)
{
	struct vireo_pc_console *c = &io->pc->host->console;

	unsigned int i;

	/* A few at a time: -EBUSY, a second client, was told and closed. */
	for (i = 0; i < 4; i++)
		if (vireo_pc_console_accept(c) == -EAGAIN)
			break;
	client_update(io);
}

static void console_client_ready(struct io *io)
{
	struct vireo_pc_console *c = &io->pc->host->console;

	/* 0: the client left (or hung up) and is detached now. */
	vireo_pc_console_client_read(c);
	console_feed(io);
	client_update(io);
}

static void stdin_ready(struct io *io)
{
	struct vireo_pc *pc = io->pc;
	struct vireo_pc_console *c = &pc->host->console;
	uint8_t buf[VIREO_CONSOLE_BUF];
	size_t room = vireo_pc_console_room(c);
	unsigned int actions;
	ssize_t n;

	if (room > sizeof(buf))
		room = sizeof(buf);
	n = read(c->in_fd, buf, room);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		c->eof = true;	/* the guest keeps running without input */
		stdin_update(io);
		return;
	}
	actions = vireo_pc_console_input(c, buf, (size_t)n);
	if (actions & VIREO_CONSOLE_HELP)
		vireo_pc_console_write(c, vireo_pc_console_help, strlen(vireo_pc_console_help));
	if (actions & VIREO_CONSOLE_POWER)
		vireo_pm_press_power_button(pc->pm);
	if (actions & VIREO_CONSOLE_QUIT)
		vireo_pc_request(pc, VIREO_PC_STOP);
	console_feed(io);
	stdin_update(io);
}

/* ---- devices --------------------------------------------------------------- */

static void backend_update(struct io *io, struct vireo_pc_virtio *v, struct watch *w)
{
	bool want = vireo_virtio_backend_wanted(v->vd);

	if (want != v->backend_polled) {
		set_polled(io, v->backend_fd, w, want);
		v->backend_polled = want;
	}
}

/* The backend watch of v (the one after its wake watch, see setup). */
static struct watch *backend_watch(struct io *io, struct vireo_pc_virtio *v)
{
	unsigned int i;

	for (i = 0; i < io->nr; i++)
		if (io->w[i].kind == W_BACKEND && io->w[i].ptr == v)
			return &io->w[i];
	return NULL;
}

static void signal_ready(struct io *io)
{
	struct signalfd_siginfo si;

	while (read(io->pc->host->signal_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGPWR)
			vireo_pm_press_power_button(io->pc->pm);
		else
			vireo_pc_request(io->pc, VIREO_PC_STOP);
	}
}

static void dispatch(struct io *io, struct watch *w)
{
	struct vireo_pc *pc = io->pc;
	struct vireo_pc_timer *t;
	struct vireo_pc_virtio *v;

	switch (w->kind) {
	case W_EVENT:
		drain(pc->event_fd);
		vireo_pc_sleep_service(pc);
		break;
	case W_SIGNAL:
		signal_ready(io);
		break;
	case W_TIMER:
		t = w->ptr;
		drain(t->fd);
		t->expired(t->dev);
		break;
	case W_STDIN:
		stdin_ready(io);
		break;
	case W_UART_ROOM:
		drain(pc->uart_room_fd);
		console_feed(io);
		stdin_update(io);
		client_update(io);
		break;
	case W_CONSOLE_LISTEN:
		console_listen_ready(io);
		break;
	case W_CONSOLE_CLIENT:
		console_client_ready(io);
		break;
	case W_QUEUE:
		v = w->ptr;
		drain(v->queue_fd[w->q]);
		vireo_virtio_process(v->vd, w->q);
		break;
	case W_BACKEND:
		v = w->ptr;
		vireo_virtio_backend_event(v->vd);
		backend_update(io, v, w);
		break;
	case W_WAKE:
		v = w->ptr;
		drain(v->wake_fd);
		backend_update(io, v, backend_watch(io, v));
		break;
	case W_CONTROL:
		vireo_pc_control_service(pc);
		break;
	}
}

static int setup(struct io *io)
{
	struct vireo_pc *pc = io->pc;
	struct vireo_pc_console *c = &pc->host->console;
	struct watch *w;
	unsigned int i, q;
	int r;

	r = watch_fd(io, pc->event_fd, W_EVENT, NULL, 0, true, NULL);
	if (!r)
		r = watch_fd(io, pc->host->signal_fd, W_SIGNAL, NULL, 0, true, NULL);
	for (i = 0; !r && i < pc->nr_timers; i++)
		r = watch_fd(io, pc->timers[i].fd, W_TIMER, &pc->timers[i], 0, true, NULL);
	if (!r)
		r = watch_fd(io, pc->uart_room_fd, W_UART_ROOM, NULL, 0, true, NULL);
	if (!r && pc->host->ctl.wake_fd >= 0)
		r = watch_fd(io, pc->host->ctl.wake_fd, W_CONTROL, NULL, 0, true, NULL);
	if (!r && c->listen_fd >= 0)
		r = watch_fd(io, c->listen_fd, W_CONSOLE_LISTEN, NULL, 0, true, NULL);
	if (!r && c->input && !c->eof) {
		/* A regular file or /dev/null cannot go into epoll: it is always ready. */
		r = watch_fd(io, c->in_fd, W_STDIN, NULL, 0, true, &io->stdin_watch);
		if (r == -EPERM) {
			io->nr--;
			c->eof = true;
			r = 0;
		} else {
			io->stdin_polled = true;
		}
	}
	for (i = 0; !r && i < pc->nr_virtio; i++) {
		struct vireo_pc_virtio *v = pc->virtio[i];

		for (q = 0; !r && q < vireo_virtio_num_queues(v->vd); q++)
			r = watch_fd(io, v->queue_fd[q], W_QUEUE, v, q, true, NULL);
		if (!r && v->backend_fd >= 0) {
			r = watch_fd(io, v->wake_fd, W_WAKE, v, 0, true, NULL);
			v->backend_polled = false;	/* nobody to give input to yet */
			if (!r)
				r = watch_fd(io, v->backend_fd, W_BACKEND, v, 0, false, &w);
			if (!r)
				backend_update(io, v, w);
		}
	}
	if (r)
		fprintf(pc->err, "vireo-run: epoll: %s\n", strerror(-r));
	return r;
}

/*
 * One sleep with NATs: poll the epoll fd and the NATs' sockets, let each
 * NAT dispatch, then collect what epoll has without waiting.  As
 * epoll_wait: the number of events in evs, or -1 with errno.
 */
static int nat_wait(struct io *io, struct vireo_pollset *ps, struct epoll_event *evs, int max)
{
	struct vireo_pc *pc = io->pc;
	unsigned int i;
	int mon, r, saved;

	vireo_pollset_reset(ps, -1);
	mon = vireo_pollset_add(ps, io->ep, POLLIN);
	for (i = 0; i < pc->nr_nat; i++)
		vireo_nat_poll_fill(pc->nat[i], ps);
	r = mon < 0 ? -1 : poll(ps->fds, ps->n, ps->timeout_ms);
	saved = errno;
	for (i = 0; i < pc->nr_nat; i++)
		vireo_nat_poll_dispatch(pc->nat[i], ps, r < 0);
	if (mon < 0)
		return epoll_wait(io->ep, evs, max, 10);	/* out of memory: a slow tick */
	if (r < 0) {
		errno = saved;
		return -1;
	}
	if (!(vireo_pollset_revents(ps, mon) & POLLIN))
		return 0;
	return epoll_wait(io->ep, evs, max, 0);
}

int vireo_pc_io_loop(struct vireo_pc *pc)
{
	struct epoll_event evs[32];
	struct vireo_pollset ps;
	struct io *io;
	int r, n, i;

	vireo_pollset_init(&ps);
	io = calloc(1, sizeof(*io));
	if (!io)
		return -ENOMEM;
	io->pc = pc;
	io->client_fd = -1;
	io->ep = epoll_create1(EPOLL_CLOEXEC);
	if (io->ep < 0) {
		r = -errno;
		goto out;
	}
	r = setup(io);
	if (r)
		goto out;
	/* Input typed while the machine was being (re)built. */
	console_feed(io);
	stdin_update(io);
	client_update(io);	/* a client attached before a reset stays */

	while (vireo_pc_event(pc) == VIREO_PC_RUNNING) {
		if (pc->nr_nat)
			n = nat_wait(io, &ps, evs, 32);
		else
			n = epoll_wait(io->ep, evs, 32, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			fprintf(pc->err, "vireo-run: epoll_wait: %s\n", strerror(errno));
			break;
		}
		for (i = 0; i < n; i++)
			dispatch(io, evs[i].data.ptr);
	}
out:
	if (io->ep >= 0)
		close(io->ep);
	free(io);
	vireo_pollset_fini(&ps);
	return r;
}
