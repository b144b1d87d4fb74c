/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KSHIM_LINUX_REFCOUNT_H
#define KSHIM_LINUX_REFCOUNT_H

#include <linux/kernel.h>

typedef struct {
	int refs;
} refcount_t;

static inline void refcount_set(refcount_t *r, int n)
{
	r->refs = n;
}

static inline unsigned int refcount_read(const refcount_t *r)
{
	return r->refs;
}

static inline void refcount_inc(refcount_t *r)
{
	WARN_ON(r->refs <= 0);	/* increment on 0: use after free */
	r->refs++;
}

static inline void refcount_dec(refcount_t *r)
{
	WARN_ON(r->refs <= 1);	/* the kernel's refcount_dec() must not hit 0 */
	r->refs--;
}

static inline bool refcount_dec_and_test(refcount_t *r)
{
	WARN_ON(r->refs <= 0);
	return --r->refs == 0;
}

#endif
