/* SPDX-License-Identifier: GPL-2.0 */
/*
 * From a parsed --net spec (net/spec.h) to a virtio-net backend: what
 * the monitor calls once per NIC while it builds the machine.
 */
#ifndef VIREO_NET_OPEN_H
#define VIREO_NET_OPEN_H

#include <stddef.h>

#include "net/nat.h"
#include "net/spec.h"
#include "virtio/net.h"

/*
 * Open spec's backend into be, ready for vireo_virtio_net_create().
 * nat: VIREO_NET_NAT → the NAT (IPv4 and IPv6, spec's port forwards
 * listening), which the monitor must then drive from its NAT thread
 * (net/nat.h); VIREO_NET_TAP → NULL.  be owns what it opened: if the
 * device is not created, be->ops->close(be->opaque) releases it.
 * 0, or -errno with a message naming the interface or the rule.
 * [nat] for a NAT (see net/nat.h): call it before the loop starts.
 */
int vireo_net_open(const struct vireo_net_spec *spec, struct vireo_net_backend *be,
		   struct vireo_nat **nat, GError **error);

#endif /* VIREO_NET_OPEN_H */
