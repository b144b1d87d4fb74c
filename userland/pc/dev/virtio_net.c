// SPDX-License-Identifier: GPL-2.0
/* virtio-net, one per --net: a tap or the NAT as its backend, given by the machine. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "virtio/net.h"

#include "models.h"
#include "options.h"
#include "pc_nat.h"

static unsigned int count(const struct vireo_options *o)
{
	return o->nr_nets;
}

static int create(const struct vireo_pc_services *svc, const struct vireo_pc_slot *slot,
		  unsigned int i, void **dev)
{
	const struct vireo_net_opt *opt = &svc->opts->nets[i];
	struct vireo_virtio_dev *vd = NULL;
	struct vireo_net_backend be;
	g_autoptr(GError) error = NULL;
	uint8_t mac[6];
	char *what;
	int r;

	(void)slot;
	r = svc->nic_backend(svc->machine, i, &be, &error);
	if (r) {
		vireo_pc_device_fail(svc, 0, "%s", error->message);
		return r;
	}
	if (opt->has_mac)
		memcpy(mac, opt->mac, 6);
	else
		vireo_net_default_mac(i, mac);
	r = vireo_virtio_net_create(&vd, svc->ram, &be, mac);
	if (r) {
		be.ops->close(be.opaque);
		svc->nic_forget(svc->machine, i);
		return vireo_pc_device_fail(svc, r, "%s: virtio-net", vireo_pc_nic_name(opt));
	}
	if (asprintf(&what, "%s %s", opt->spec.kind == VIREO_NET_TAP ? "tap" : "net",
		     vireo_pc_nic_name(opt)) < 0)
		what = NULL;
	return svc->virtio_plug(svc->machine, vd, what, dev);
}

const struct vireo_pc_device_model vireo_pc_dev_virtio_net = {
	.name = "virtio-net",
	.count = count,
	.create = create,
	.destroy = vireo_pc_virtio_unplug,
	.state_section = "virtio-net",
	.state_version = 1,
};
