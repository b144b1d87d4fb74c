/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim (tests/kunit): one thread, so a mutex is a checked flag. */
#ifndef KSHIM_LINUX_MUTEX_H
#define KSHIM_LINUX_MUTEX_H

#include <linux/kernel.h>
#include <linux/lockdep.h>

struct mutex {
	int held;
};

static inline void mutex_init(struct mutex *m)
{
	m->held = 0;
}

static inline void kshim_mutex_acquire(struct mutex *m, const char *file, int line)
{
	if (m->held)
		kshim_bug(file, line, "mutex taken twice (deadlock in the kernel)");
	m->held = 1;
}

#define mutex_lock(m)		kshim_mutex_acquire((m), __FILE__, __LINE__)
#define mutex_lock_killable(m)	({ mutex_lock(m); 0; })
#define mutex_unlock(m) do {						\
	if (!(m)->held)							\
		kshim_bug(__FILE__, __LINE__, "mutex released but not held"); \
	(m)->held = 0;							\
} while (0)

static inline bool mutex_is_locked(struct mutex *m)
{
	return m->held;
}

#endif
