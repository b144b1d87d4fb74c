/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KSHIM_LINUX_SCHED_SIGNAL_H
#define KSHIM_LINUX_SCHED_SIGNAL_H

#include <linux/mm_types.h>

struct task_struct {
	struct mm_struct *mm;
	bool kshim_signal_pending;
};

extern struct task_struct kshim_current_task;
#define current		(&kshim_current_task)

static inline bool signal_pending(struct task_struct *p)
{
	return p->kshim_signal_pending;
}

#endif
