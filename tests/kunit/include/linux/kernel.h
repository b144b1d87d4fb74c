/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim (tests/kunit): the odds and ends of <linux/kernel.h> and the
 * headers it drags in (err.h, bitops.h, atomic.h, printk.h, bug.h) that
 * kmod/ uses.  WARN_ON*() and BUG_ON() report through kshim_warn() and
 * kshim_bug() (kshim.c): a WARN fails the running KUnit case, a BUG aborts.
 */
#ifndef KSHIM_LINUX_KERNEL_H
#define KSHIM_LINUX_KERNEL_H

#include <errno.h>
#include <stdio.h>
#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/build_bug.h>
#include <linux/string.h>

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#define min_t(type, a, b)	((type)(a) < (type)(b) ? (type)(a) : (type)(b))
#define max_t(type, a, b)	((type)(a) > (type)(b) ? (type)(a) : (type)(b))
#define min(a, b)		((a) < (b) ? (a) : (b))
#define max(a, b)		((a) > (b) ? (a) : (b))

/* fls(0) = 0, fls(1) = 1, fls(0x80000000) = 32 */
static inline int fls(unsigned int x)
{
	return x ? 32 - __builtin_clz(x) : 0;
}

/* ------------------------------------------------------------ printk, bug */

#define KERN_ERR	""
#define KERN_INFO	""
#define pr_err(fmt, ...)	fprintf(stderr, "kmod: " fmt, ##__VA_ARGS__)
#define pr_warn(fmt, ...)	fprintf(stderr, "kmod: " fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...)	fprintf(stderr, "kmod: " fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...)	do { } while (0)

void kshim_warn(const char *file, int line, const char *cond);
void kshim_bug(const char *file, int line, const char *what) __attribute__((noreturn));

#define WARN_ON(cond) ({						\
	bool __w = !!(cond);						\
	if (__w)							\
		kshim_warn(__FILE__, __LINE__, #cond);			\
	__w;								\
})
#define WARN_ON_ONCE(cond)	WARN_ON(cond)
#define BUG_ON(cond) do {						\
	if (cond)							\
		kshim_bug(__FILE__, __LINE__, #cond);			\
} while (0)
#define BUG()			kshim_bug(__FILE__, __LINE__, "BUG()")

/* -------------------------------------------------------------- err.h */

#define MAX_ERRNO	4095
#define IS_ERR_VALUE(x)	((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)

static inline void *ERR_PTR(long error)
{
	return (void *)error;
}

static inline long PTR_ERR(const void *ptr)
{
	return (long)ptr;
}

static inline bool IS_ERR(const void *ptr)
{
	return IS_ERR_VALUE(ptr);
}

static inline bool IS_ERR_OR_NULL(const void *ptr)
{
	return !ptr || IS_ERR_VALUE(ptr);
}

#define u64_to_user_ptr(x)	((void __user *)(uintptr_t)(x))

/* ------------------------------------------------ bitops, atomics, sched */

static inline void set_bit(long nr, volatile unsigned long *addr)
{
	__atomic_fetch_or(addr, 1UL << nr, __ATOMIC_SEQ_CST);
}

static inline void clear_bit(long nr, volatile unsigned long *addr)
{
	__atomic_fetch_and(addr, ~(1UL << nr), __ATOMIC_SEQ_CST);
}

static inline bool test_bit(long nr, const volatile unsigned long *addr)
{
	return (*addr >> nr) & 1;
}

static inline bool test_and_clear_bit(long nr, volatile unsigned long *addr)
{
	return (__atomic_fetch_and(addr, ~(1UL << nr), __ATOMIC_SEQ_CST) >> nr) & 1;
}

/* Returns the old value, like the kernel's. */
#define cmpxchg(ptr, old, new) ({					\
	__typeof__(*(ptr)) __old = (old);				\
	__atomic_compare_exchange_n((ptr), &__old, (new), false,	\
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);\
	__old;								\
})

static inline int atomic_read(const atomic_t *v)
{
	return READ_ONCE(v->counter);
}

static inline void atomic_set(atomic_t *v, int i)
{
	WRITE_ONCE(v->counter, i);
}

static inline void atomic_inc(atomic_t *v)
{
	__atomic_fetch_add(&v->counter, 1, __ATOMIC_SEQ_CST);
}

/* Nothing to yield to: the harness is one thread. */
static inline void cond_resched(void)
{
}

static inline void might_sleep(void)
{
}

#endif
