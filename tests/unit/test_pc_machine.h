/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A PC machine without /dev/vireo for device tests: the event plumbing and
 * the services (pc_devices.c), so single lines of the machine description
 * can be built with vireo_pc_device_add() and driven through vireo_pc_pio().
 */
#ifndef VIREO_TEST_PC_MACHINE_H
#define VIREO_TEST_PC_MACHINE_H

#include "pc.h"

/* pc and host zeroed and wired; host's control not started.  false on failure. */
bool test_pc_machine_init(struct vireo_pc *pc, struct vireo_pc_host *host,
			  const struct vireo_options *opts);
/* Devices torn down (vireo_pc_devices_destroy), fds closed. */
void test_pc_machine_fini(struct vireo_pc *pc);

#endif /* VIREO_TEST_PC_MACHINE_H */
