/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim (tests/kunit): lockdep's "caller holds" assertions made real.
 * A spinlock and a mutex are both a held flag here (one thread), so
 * lockdep_assert_held() on a lock nobody took fails the case through
 * WARN_ON(), as CONFIG_PROVE_LOCKING would splat in the kernel.
 */
#ifndef KSHIM_LINUX_LOCKDEP_H
#define KSHIM_LINUX_LOCKDEP_H

#include <linux/kernel.h>

#define lockdep_assert_held(l)		WARN_ON(!(l)->held)
#define lockdep_assert_not_held(l)	WARN_ON((l)->held)

#endif
