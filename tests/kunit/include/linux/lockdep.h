/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim (tests/kunit): lockdep's "caller holds" assertions made real.
 * A spinlock and a mutex are both a held flag here (one thread), so
 * lockdep_assert_held() on a lock nobody took fails the running case, as
 * CONFIG_PROVE_LOCKING would splat in the kernel.  kshim_lockdep_expect()
 * lets a case that calls a "caller holds" function without its lock on
 * purpose count the splats instead (vt_lockdep_splats() in the suites).
 */
#ifndef KSHIM_LINUX_LOCKDEP_H
#define KSHIM_LINUX_LOCKDEP_H

#include <linux/kernel.h>

void kshim_lockdep_check(bool held, bool want_held, const char *lock, const char *file,
			 int line);
/* true: splats from now on are counted, not failures; false: returns the count. */
int kshim_lockdep_expect(bool on);

#define lockdep_assert_held(l)	\
	kshim_lockdep_check((l)->held, true, #l, __FILE__, __LINE__)
#define lockdep_assert_not_held(l)	\
	kshim_lockdep_check((l)->held, false, #l, __FILE__, __LINE__)

#endif
