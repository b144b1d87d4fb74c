/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-mode NAT for a virtio-net NIC, over libslirp: no root, no tap.
 *
 * The guest sees QEMU's user-mode network (numbers in net/spec.h):
 *
 *   10.0.2.0/24   the network
 *   10.0.2.2      gateway; TCP/UDP to it reach the host's 127.0.0.1
 *   10.0.2.3      DNS, forwarded to the host's resolver (/etc/resolv.conf)
 *   10.0.2.15     what DHCP hands out (the next guest MAC gets .16, ...)
 *   fec0::/64     IPv6 with config.ipv6: gateway fec0::2, DNS fec0::3,
 *                 addresses by router advertisement (SLAAC)
 *
 * and host ports can be forwarded into it (struct vireo_hostfwd).  Guest
 * connections to the outside are made by the monitor's own sockets, so
 * only TCP, UDP and ICMP echo (where the host allows ping sockets) leave.
 *
 * THREADS.  libslirp is not thread-safe, and 4.7 keeps its clock in one
 * process-wide variable that every instance's poll writes: so ONE thread
 * (call it the NAT thread; in vireo-run, the I/O thread) makes every
 * call marked [nat] below, for every NAT of the process.  Creation and
 * destruction are [nat] too, or happen while that thread does not poll
 * (before its loop starts, after it ends).  The virtio-net backend ops
 * (vireo_nat_backend) never call libslirp: they only move frames through
 * two locked queues, so the device may run them on any thread (vCPU
 * threads processing a notify on the spot, the I/O thread on backend
 * events).  Frames the guest sends wait in a queue whose eventfd is
 * part of the poll set until the NAT thread feeds them to libslirp; frames
 * for the guest wait in a queue whose eventfd is the backend fd that the
 * monitor already polls for the device.
 *
 * SIGNALS.  libslirp send()s to host sockets without MSG_NOSIGNAL: the
 * process must ignore SIGPIPE (vireo-run does), or a host peer that
 * closes first kills it.
 *
 * THE LOOP.  Per round, on the NAT thread:
 *
 *	vireo_pollset_reset(&ps, -1);
 *	mon = vireo_pollset_add(&ps, epoll_fd, POLLIN);	 // the monitor's own fds, if any
 *	for each nat: vireo_nat_poll_fill(nat, &ps);		 // fds, events, timeout
 *	r = poll(ps.fds, ps.n, ps.timeout_ms);
 *	for each nat: vireo_nat_poll_dispatch(nat, &ps, r < 0);
 *	if (vireo_pollset_revents(&ps, mon) & POLLIN)
 *		epoll_wait(epoll_fd, evs, N, 0) and handle them as before;
 *
 * Dispatch feeds the guest's frames to libslirp, services the sockets
 * that poll reported and runs expired timers; every dispatch must follow
 * a fill into the same, unreordered set.  libslirp needs a dispatch at
 * least once a second while TCP connections exist; fill's timeout says
 * when.  An epoll fd is itself pollable, so a monitor built on epoll nests
 * it like this without changing its handlers.
 */
#ifndef VIREO_NET_NAT_H
#define VIREO_NET_NAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/pollset.h"
#include "net/spec.h"
#include "virtio/net.h"

struct vireo_nat;

#define VIREO_NAT_RX_FRAMES	1024		/* queued for the guest, at most */
#define VIREO_NAT_RX_BYTES	(4u << 20)
#define VIREO_NAT_TX_FRAMES	512		/* queued from the guest, at most */
#define VIREO_NAT_TX_BYTES	(4u << 20)
#define VIREO_NAT_TX_BATCH	256		/* guest frames fed to libslirp per dispatch */

struct vireo_nat_config {
	const struct vireo_hostfwd *hostfwd;	/* copied; may be NULL when nr_hostfwd is 0 */
	unsigned int nr_hostfwd;
	bool ipv6;				/* also serve fec0::/64 */
};

/*
 * [nat] A NAT with cfg's port forwards listening.  0, or -errno with a
 * message: -EADDRINUSE (or another bind error) names the rule
 * whose host port could not be had; -ENOMEM; -EIO when libslirp refuses.
 */
int vireo_nat_create(struct vireo_nat **out, const struct vireo_nat_config *cfg, GError **error);

/* [nat] Close every socket, free everything (also the queues' frames). */
void vireo_nat_destroy(struct vireo_nat *nat);

/*
 * Messages about a guest that broke protocol rules (libslirp's
 * guest_error), for --verbose.  Set before the loop starts; log runs on
 * the NAT thread.
 */
void vireo_nat_set_log(struct vireo_nat *nat, void (*log)(void *opaque, const char *msg),
		       void *opaque);

/*
 * The virtio-net backend face of nat (bare frames, hdr_len 0).  Its close
 * destroys the NAT: once vireo_virtio_net_create() has taken be, the
 * device owns the NAT, and the monitor must stop dispatching it before
 * destroying the device.  If the device is never created, call
 * vireo_nat_destroy() instead.
 */
void vireo_nat_backend(struct vireo_nat *nat, struct vireo_net_backend *be);

/*
 * [nat] Before sleeping: append the fds libslirp wants (and the guest
 * frame queue's eventfd) to ps and lower ps->timeout_ms to the next
 * deadline.  0, or -ENOMEM (some sockets are then not polled this round;
 * dispatch is still correct).
 */
int vireo_nat_poll_fill(struct vireo_nat *nat, struct vireo_pollset *ps);

/*
 * [nat] After poll(2) on ps (poll_failed: it returned -1, e.g. EINTR):
 * move the guest's frames into libslirp, service sockets, run timers.
 */
void vireo_nat_poll_dispatch(struct vireo_nat *nat, const struct vireo_pollset *ps,
			     bool poll_failed);

/*
 * [nat] Add or remove a port forward while running (the control socket's
 * future "modify NIC").  Add: 0 or -errno with a message naming the rule;
 * remove: 0, or -ENOENT when no such forward listens.
 */
int vireo_nat_hostfwd_add(struct vireo_nat *nat, const struct vireo_hostfwd *fwd, GError **error);
int vireo_nat_hostfwd_remove(struct vireo_nat *nat, const struct vireo_hostfwd *fwd);

/* Frames through the two queues; any thread. */
struct vireo_nat_stats {
	uint64_t from_guest, from_guest_dropped;	/* queue full */
	uint64_t to_guest, to_guest_dropped;		/* guest not taking them */
};
void vireo_nat_stats(struct vireo_nat *nat, struct vireo_nat_stats *st);

#endif /* VIREO_NET_NAT_H */
