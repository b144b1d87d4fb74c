/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim (tests/kunit): one CPU.  Cross-CPU calls are counted (kshim.c)
 * and run nothing: no vCPU is ever in guest mode on the host.
 */
#ifndef KSHIM_LINUX_SMP_H
#define KSHIM_LINUX_SMP_H

#include <linux/kernel.h>

typedef void (*smp_call_func_t)(void *info);

void smp_send_reschedule(int cpu);
int smp_call_function_single(int cpu, smp_call_func_t func, void *info, int wait);

static inline int smp_processor_id(void)
{
	return 0;
}

/* Host only: smp_send_reschedule() + smp_call_function_single() calls. */
extern unsigned long kshim_ipis_sent;

#endif
