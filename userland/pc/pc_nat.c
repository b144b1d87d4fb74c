// SPDX-License-Identifier: GPL-2.0
/*
 * A --net NIC's backend while the machine is built: a dup of the tap the
 * host keeps across resets, or a fresh libslirp NAT (net/nat.h) that the
 * I/O loop drives (pc_io.c).  A NAT is made per machine, so a reboot
 * closes and reopens its forwarded ports; the virtio-net device owns it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "net/nat.h"
#include "net/open.h"

#include "pc.h"

static void nat_log(void *opaque, const char *msg)
{
	struct vireo_pc *pc = opaque;

	fprintf(pc->err, "vireo-run: note: NAT: %s\n", msg);
}

int vireo_pc_nic_backend(struct vireo_pc *pc, unsigned int i, struct vireo_net_backend *be,
			 GError **error)
{
	const struct vireo_net_opt *n = &pc->opts->nets[i];
	struct vireo_nat *nat;
	int fd, r;

	if (n->spec.kind == VIREO_NET_TAP) {
		fd = dup(pc->host->tap_fd[i]);
		if (fd < 0)
			return vireo_error_set(error, errno, "tap %s: %s", n->ifname, strerror(errno));
		r = vireo_net_fd_backend(fd, VIRTIO_NET_HDR_SIZE, be);
		if (r) {
			close(fd);
			vireo_error_set(error, r, "tap %s: %s", n->ifname, strerror(-r));
		}
		return r;
	}
	if (pc->nr_nat == VIREO_PC_MAX_NICS)
		return vireo_error_set(error, ENOSPC, "nat: too many NICs");
	r = vireo_net_open(&n->spec, be, &nat, error);
	if (r)
		return r;
	if (pc->opts->verbose)
		vireo_nat_set_log(nat, nat_log, pc);
	pc->nat[pc->nr_nat++] = nat;
	return 0;
}

void vireo_pc_nic_forget(struct vireo_pc *pc, unsigned int i)
{
	/* The NIC's backend was closed before its device existed: the NAT is gone. */
	if (pc->opts->nets[i].spec.kind == VIREO_NET_NAT && pc->nr_nat)
		pc->nat[--pc->nr_nat] = NULL;
}

const char *vireo_pc_nic_name(const struct vireo_net_opt *n)
{
	return n->spec.kind == VIREO_NET_TAP ? n->ifname : "nat";
}
