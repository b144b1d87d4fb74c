/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim (tests/kunit): access-once and barriers.  The harness is single
 * threaded, so the barriers only need to stop the compiler.
 */
#ifndef KSHIM_LINUX_COMPILER_H
#define KSHIM_LINUX_COMPILER_H

#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, val)	(*(volatile __typeof__(x) *)&(x) = (val))

#define barrier()		__asm__ __volatile__("" ::: "memory")
#define smp_mb()		__sync_synchronize()
#define smp_rmb()		barrier()
#define smp_wmb()		barrier()

#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#ifndef __always_inline
#define __always_inline		inline __attribute__((always_inline))
#endif
#define __maybe_unused		__attribute__((unused))
#define __used			__attribute__((used))
#define __aligned(x)		__attribute__((aligned(x)))
#define __section(s)		__attribute__((section(s)))
#define __printf(a, b)		__attribute__((format(printf, a, b)))
#define noinline		__attribute__((noinline))

#endif
