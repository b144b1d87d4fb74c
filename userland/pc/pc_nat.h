/* SPDX-License-Identifier: GPL-2.0 */
/* A NIC's name for messages (pc_nat.c; the backends themselves: pc.h). */
#ifndef VIREO_PC_NAT_H
#define VIREO_PC_NAT_H

#include "options.h"

/* The tap's name, or "nat". */
const char *vireo_pc_nic_name(const struct vireo_net_opt *n);

#endif /* VIREO_PC_NAT_H */
