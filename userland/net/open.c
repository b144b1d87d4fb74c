// SPDX-License-Identifier: GPL-2.0
/* A --net spec's backend (open.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "net/open.h"

int vireo_net_open(const struct vireo_net_spec *spec, struct vireo_net_backend *be,
		   struct vireo_nat **nat, GError **error)
{
	struct vireo_nat_config cfg = {
		.hostfwd = spec->hostfwd,
		.nr_hostfwd = spec->nr_hostfwd,
		.ipv6 = true,
	};
	int r;

	*nat = NULL;
	if (spec->kind == VIREO_NET_TAP) {
		r = vireo_net_tap_open(spec->ifname, be, NULL);
		if (r)
			vireo_error_set(error, r, "tap %s: %s%s", spec->ifname, strerror(-r),
					r == -EPERM ? " (creating a tap needs CAP_NET_ADMIN; "
						      "or use nat, which needs no privileges)" : "");
		return r;
	}
	r = vireo_nat_create(nat, &cfg, error);
	if (r)
		return r;
	vireo_nat_backend(*nat, be);
	return 0;
}
