// SPDX-License-Identifier: GPL-2.0
/* A PC machine without /dev/vireo for device tests (test_pc_machine.h). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "test_pc_machine.h"

bool test_pc_machine_init(struct vireo_pc *pc, struct vireo_pc_host *host,
			  const struct vireo_options *opts)
{
	memset(pc, 0, sizeof(*pc));
	pc->opts = opts;
	pc->host = host;
	pc->err = stderr;
	pc->vm_fd = -1;
	pthread_mutex_init(&pc->event_lock, NULL);
	pc->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	pc->uart_room_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	vireo_pc_services_init(pc);
	return pc->event_fd >= 0 && pc->uart_room_fd >= 0;
}

void test_pc_machine_fini(struct vireo_pc *pc)
{
	vireo_pc_devices_destroy(pc);
	if (pc->event_fd >= 0)
		close(pc->event_fd);
	if (pc->uart_room_fd >= 0)
		close(pc->uart_room_fd);
	pthread_mutex_destroy(&pc->event_lock);
}
