/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim (tests/kunit): the harness is one thread, so a spinlock is a
 * flag.  Taking a lock that is already held is what would deadlock in the
 * kernel (a self IPI sent under the sender's lock, say): kshim_bug().
 */
#ifndef KSHIM_LINUX_SPINLOCK_H
#define KSHIM_LINUX_SPINLOCK_H

#include <linux/kernel.h>
#include <linux/lockdep.h>

typedef struct {
	int held;
} spinlock_t;

#define __SPIN_LOCK_UNLOCKED(name)	{ 0 }
#define DEFINE_SPINLOCK(name)		spinlock_t name = __SPIN_LOCK_UNLOCKED(name)

static inline void spin_lock_init(spinlock_t *l)
{
	l->held = 0;
}

static inline void kshim_spin_acquire(spinlock_t *l, const char *file, int line)
{
	if (l->held)
		kshim_bug(file, line, "spinlock taken twice (deadlock in the kernel)");
	l->held = 1;
}

static inline void kshim_spin_release(spinlock_t *l, const char *file, int line)
{
	if (!l->held)
		kshim_bug(file, line, "spinlock released but not held");
	l->held = 0;
}

#define spin_lock(l)			kshim_spin_acquire((l), __FILE__, __LINE__)
#define spin_unlock(l)			kshim_spin_release((l), __FILE__, __LINE__)
#define spin_lock_irq(l)		spin_lock(l)
#define spin_unlock_irq(l)		spin_unlock(l)
#define spin_lock_irqsave(l, flags)	do { (flags) = 0; spin_lock(l); } while (0)
#define spin_unlock_irqrestore(l, flags) do { (void)(flags); spin_unlock(l); } while (0)

static inline bool spin_is_locked(spinlock_t *l)
{
	return l->held;
}

#endif
