// SPDX-License-Identifier: GPL-2.0
/*
 * The libslirp NAT behind a virtio-net NIC (contract and threads in
 * nat.h).  This file is the glue: libslirp's callbacks (frames out,
 * clock, timers), its poll protocol mapped onto a struct vireo_pollset,
 * and the two frame queues that keep libslirp on one thread.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <slirp/libslirp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/frameq.h"
#include "net/nat.h"

#define MAX_TIMER_RUNS	64	/* per dispatch: a timer re-armed in the past cannot spin us */

/* A libslirp timer: today only IPv6's router advertisements use one. */
struct nat_timer {
	struct nat_timer *next;
	SlirpTimerCb cb;		/* timer_new() style, or NULL */
	SlirpTimerId id;		/* timer_new_opaque() style */
	void *cb_opaque;
	int64_t expire_ms;		/* -1: not armed */
};

/*
 * Legend: (i) set by create, then fixed; [nat] NAT thread only; the
 * queues lock themselves.
 */
struct vireo_nat {
	Slirp *slirp;				/* [nat] */
	struct vireo_frameq from_guest;		/* device threads → NAT thread */
	struct vireo_frameq to_guest;		/* NAT thread → device threads */
	struct nat_timer *timers;		/* [nat] */
	int from_guest_idx;			/* [nat] its index in the last fill */
	void (*log)(void *opaque, const char *msg);	/* (i) */
	void *log_opaque;			/* (i) */
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- libslirp's callbacks (all on the NAT thread) ---- */

/* A frame for the guest.  Never an error: libslirp would print one per frame. */
static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
	struct vireo_nat *nat = opaque;
	struct iovec iov = { (void *)buf, len };

	/* Full: the guest is not taking frames; dropping is what a NIC does. */
	vireo_frameq_push(&nat->to_guest, &iov, 1);
	return (ssize_t)len;
}

static void cb_guest_error(const char *msg, void *opaque)
{
	struct vireo_nat *nat = opaque;

	if (nat->log)
		nat->log(nat->log_opaque, msg);
}

static int64_t cb_clock_get_ns(void *opaque)
{
	(void)opaque;
	return now_ns();
}

static struct nat_timer *timer_alloc(struct vireo_nat *nat)
{
	struct nat_timer *t = calloc(1, sizeof(*t));

	/* libslirp does not check: it would crash on NULL anyway, so do it here. */
	if (!t)
		abort();
	t->expire_ms = -1;
	t->next = nat->timers;
	nat->timers = t;
	return t;
}

static void *cb_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
	struct nat_timer *t = timer_alloc(opaque);

	t->cb = cb;
	t->cb_opaque = cb_opaque;
	return t;
}

static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
	struct nat_timer *t = timer_alloc(opaque);

	t->id = id;
	t->cb_opaque = cb_opaque;
	return t;
}

static void cb_timer_free(void *timer, void *opaque)
{
	struct vireo_nat *nat = opaque;

	for (struct nat_timer **p = &nat->timers; *p; p = &(*p)->next) {
		if (*p == timer) {
			*p = (*p)->next;
			free(timer);
			return;
		}
	}
}

/* expire_time: absolute, in milliseconds of cb_clock_get_ns's clock. */
static void cb_timer_mod(void *timer, int64_t expire_time, void *opaque)
{
	(void)opaque;
	((struct nat_timer *)timer)->expire_ms = expire_time < 0 ? 0 : expire_time;
}

/* For Windows' event loops; poll needs no registration. */
static void cb_register_poll_fd(int fd, void *opaque)
{
	(void)fd;
	(void)opaque;
}

/*
 * libslirp asks to be polled again because a socket buffer drained.  It
 * only says so from inside our own calls on the NAT thread, which fills
 * the poll set afresh before it sleeps: nothing to wake.
 */
static void cb_notify(void *opaque)
{
	(void)opaque;
}

static const SlirpCb nat_callbacks = {
	.send_packet = cb_send_packet,
	.guest_error = cb_guest_error,
	.clock_get_ns = cb_clock_get_ns,
	.timer_new = cb_timer_new,
	.timer_free = cb_timer_free,
	.timer_mod = cb_timer_mod,
	.register_poll_fd = cb_register_poll_fd,
	.unregister_poll_fd = cb_register_poll_fd,
	.notify = cb_notify,
	.timer_new_opaque = cb_timer_new_opaque,
};

/* ---- the poll protocol ---- */

/* add_poll's opaque during a fill. */
struct fill_ctx {
	struct vireo_pollset *ps;
	bool failed;
};

static int cb_add_poll(int fd, int events, void *opaque)
{
	struct fill_ctx *ctx = opaque;
	short ev = 0;
	int idx;

	if (events & SLIRP_POLL_IN)
		ev |= POLLIN;
	if (events & SLIRP_POLL_OUT)
		ev |= POLLOUT;
	if (events & SLIRP_POLL_PRI)
		ev |= POLLPRI;
	/* POLLERR and POLLHUP are always reported. */
	idx = vireo_pollset_add(ctx->ps, fd, ev);
	if (idx < 0) {
		ctx->failed = true;
		return -1;	/* libslirp skips the socket this round */
	}
	return idx;
}

static int cb_get_revents(int idx, void *opaque)
{
	short rev = vireo_pollset_revents(opaque, idx);
	int r = 0;

	if (rev & POLLIN)
		r |= SLIRP_POLL_IN;
	if (rev & POLLOUT)
		r |= SLIRP_POLL_OUT;
	if (rev & POLLPRI)
		r |= SLIRP_POLL_PRI;
	if (rev & POLLERR)
		r |= SLIRP_POLL_ERR;
	if (rev & POLLHUP)
		r |= SLIRP_POLL_HUP;
	return r;
}

int vireo_nat_poll_fill(struct vireo_nat *nat, struct vireo_pollset *ps)
{
	uint32_t timeout = ps->timeout_ms < 0 ? UINT32_MAX : (uint32_t)ps->timeout_ms;
	int64_t now_ms = now_ns() / 1000000;
	struct fill_ctx ctx = { .ps = ps };

	nat->from_guest_idx = vireo_pollset_add(ps, nat->from_guest.efd, POLLIN);
	slirp_pollfds_fill(nat->slirp, &timeout, cb_add_poll, &ctx);
	if (timeout != UINT32_MAX)
		vireo_pollset_timeout(ps, timeout);
	for (struct nat_timer *t = nat->timers; t; t = t->next)
		if (t->expire_ms >= 0)
			vireo_pollset_timeout(ps, t->expire_ms - now_ms);
	if (nat->from_guest_idx < 0 || ctx.failed) {
		/* Without the queue's fd, come back soon rather than never. */
		vireo_pollset_timeout(ps, 10);
		return -ENOMEM;
	}
	return 0;
}

/* Feed what the guest sent to libslirp, a bounded batch per round. */
static void nat_input(struct vireo_nat *nat)
{
	for (unsigned int i = 0; i < VIREO_NAT_TX_BATCH; i++) {
		struct vireo_frame *f = vireo_frameq_take(&nat->from_guest);

		if (!f)
			return;
		slirp_input(nat->slirp, f->data, (int)f->len);
		free(f);
	}
}

static void nat_run_timers(struct vireo_nat *nat)
{
	int64_t now_ms = now_ns() / 1000000;

	/*
	 * A callback may re-arm or free any timer, so look for the next
	 * expired one afresh after each run.
	 */
	for (unsigned int runs = 0; runs < MAX_TIMER_RUNS; runs++) {
		struct nat_timer *t;

		for (t = nat->timers; t; t = t->next)
			if (t->expire_ms >= 0 && t->expire_ms <= now_ms)
				break;
		if (!t)
			return;
		t->expire_ms = -1;
		if (t->cb)
			t->cb(t->cb_opaque);
		else
			slirp_handle_timer(nat->slirp, t->id, t->cb_opaque);
	}
}

void vireo_nat_poll_dispatch(struct vireo_nat *nat, const struct vireo_pollset *ps,
			     bool poll_failed)
{
	/* The sockets first, while the indexes of the fill still describe them. */
	slirp_pollfds_poll(nat->slirp, poll_failed, cb_get_revents, (void *)ps);
	nat_input(nat);
	nat_run_timers(nat);
}

/* ---- port forwards ---- */

int vireo_nat_hostfwd_add(struct vireo_nat *nat, const struct vireo_hostfwd *fwd, GError **error)
{
	char rule[VIREO_NET_HOSTFWD_STRLEN], host[INET_ADDRSTRLEN];
	int e;

	errno = 0;
	if (!slirp_add_hostfwd(nat->slirp, fwd->proto == VIREO_NET_UDP, fwd->host_addr,
			       fwd->host_port, fwd->guest_addr, fwd->guest_port))
		return 0;
	e = errno ? errno : EIO;
	vireo_net_hostfwd_format(fwd, rule, sizeof(rule));
	inet_ntop(AF_INET, &fwd->host_addr, host, sizeof(host));
	return vireo_error_set(error, e, "hostfwd \"%s\": cannot listen on %s port %u/%s: %s", rule,
			       host, fwd->host_port, fwd->proto == VIREO_NET_UDP ? "udp" : "tcp",
			       strerror(e));
}

int vireo_nat_hostfwd_remove(struct vireo_nat *nat, const struct vireo_hostfwd *fwd)
{
	return slirp_remove_hostfwd(nat->slirp, fwd->proto == VIREO_NET_UDP, fwd->host_addr,
				    fwd->host_port) ? -ENOENT : 0;
}

/* ---- the virtio-net backend (any thread: queues only) ---- */

static int be_send(void *opaque, const struct iovec *iov, int n)
{
	struct vireo_nat *nat = opaque;

	return vireo_frameq_push(&nat->from_guest, iov, n);
}

static ssize_t be_recv(void *opaque, const struct iovec *iov, int n)
{
	struct vireo_nat *nat = opaque;

	return vireo_frameq_pop(&nat->to_guest, iov, n);
}

static int be_fd(void *opaque)
{
	return ((struct vireo_nat *)opaque)->to_guest.efd;
}

static void be_close(void *opaque)
{
	vireo_nat_destroy(opaque);
}

static const struct vireo_net_backend_ops nat_backend_ops = {
	.send = be_send,
	.recv = be_recv,
	.fd = be_fd,
	.close = be_close,
};

void vireo_nat_backend(struct vireo_nat *nat, struct vireo_net_backend *be)
{
	be->ops = &nat_backend_ops;
	be->opaque = nat;
	be->hdr_len = 0;
}

/* ---- life cycle ---- */

void vireo_nat_set_log(struct vireo_nat *nat, void (*log)(void *opaque, const char *msg),
		       void *opaque)
{
	nat->log = log;
	nat->log_opaque = opaque;
}

void vireo_nat_stats(struct vireo_nat *nat, struct vireo_nat_stats *st)
{
	vireo_frameq_counts(&nat->from_guest, &st->from_guest, &st->from_guest_dropped);
	vireo_frameq_counts(&nat->to_guest, &st->to_guest, &st->to_guest_dropped);
}

static struct in_addr in4(uint32_t host_order)
{
	return (struct in_addr){ .s_addr = htonl(host_order) };
}

static struct in6_addr in6(const char *s)
{
	struct in6_addr a;

	inet_pton(AF_INET6, s, &a);
	return a;
}

int vireo_nat_create(struct vireo_nat **out, const struct vireo_nat_config *cfg, GError **error)
{
	SlirpConfig sc = {
		/* 4: timer_new_opaque and disable_dhcp; what libslirp 4.7 knows. */
		.version = 4,
		.in_enabled = true,
		.vnetwork = in4(VIREO_NAT_NETWORK),
		.vnetmask = in4(VIREO_NAT_NETMASK),
		.vhost = in4(VIREO_NAT_GATEWAY),
		.in6_enabled = cfg->ipv6,
		.vprefix_addr6 = in6("fec0::"),
		.vprefix_len = 64,
		.vhost6 = in6("fec0::2"),
		.vdhcp_start = in4(VIREO_NAT_GUEST),
		.vnameserver = in4(VIREO_NAT_DNS),
		.vnameserver6 = in6("fec0::3"),
		/*
		 * 10.0.2.2 is the host's loopback (so a guest reaches the
		 * developer's servers); protocol emulation (FTP, IRC) stays off:
		 * libslirp itself calls it unsafe.
		 */
		.disable_host_loopback = false,
		.enable_emu = false,
	};
	struct vireo_nat *nat;
	int r;

	if (cfg->nr_hostfwd > VIREO_NET_MAX_HOSTFWD)
		return vireo_error_set(error, EINVAL, "at most %u port forwards per NIC",
				       VIREO_NET_MAX_HOSTFWD);
	nat = calloc(1, sizeof(*nat));
	if (!nat)
		return vireo_error_set(error, ENOMEM, "out of memory");
	r = vireo_frameq_init(&nat->from_guest, VIREO_NAT_TX_FRAMES, VIREO_NAT_TX_BYTES);
	if (r) {
		free(nat);
		return vireo_error_set(error, r, "eventfd: %s", strerror(-r));
	}
	r = vireo_frameq_init(&nat->to_guest, VIREO_NAT_RX_FRAMES, VIREO_NAT_RX_BYTES);
	if (r) {
		vireo_frameq_fini(&nat->from_guest);
		free(nat);
		return vireo_error_set(error, r, "eventfd: %s", strerror(-r));
	}
	nat->from_guest_idx = -1;
	nat->slirp = slirp_new(&sc, &nat_callbacks, nat);
	if (!nat->slirp) {
		r = vireo_error_set(error, EIO, "libslirp %s refused the network configuration",
				    slirp_version_string());
		goto out;
	}
	for (unsigned int i = 0; i < cfg->nr_hostfwd; i++) {
		r = vireo_nat_hostfwd_add(nat, &cfg->hostfwd[i], error);
		if (r)
			goto out;
	}
	*out = nat;
	return 0;
out:
	vireo_nat_destroy(nat);
	return r;
}

void vireo_nat_destroy(struct vireo_nat *nat)
{
	if (!nat)
		return;
	if (nat->slirp)
		slirp_cleanup(nat->slirp);
	/* libslirp frees its timers in cleanup; anything left is ours to free. */
	while (nat->timers) {
		struct nat_timer *t = nat->timers;

		nat->timers = t->next;
		free(t);
	}
	vireo_frameq_fini(&nat->to_guest);
	vireo_frameq_fini(&nat->from_guest);
	free(nat);
}
