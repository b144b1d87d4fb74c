/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim (tests/kunit): a fake monotonic clock and hrtimers on it.
 * Time stands still until a test calls kshim_clock_advance(), which runs
 * every timer that expires on the way, in expiry order, with the clock set
 * to the expiry time, and re-arms those whose function returns
 * HRTIMER_RESTART (after hrtimer_forward*() moved their expiry on).
 */
#ifndef KSHIM_LINUX_HRTIMER_H
#define KSHIM_LINUX_HRTIMER_H

#include <linux/kernel.h>
#include <linux/list.h>

typedef s64 ktime_t;

#define NSEC_PER_USEC	1000L
#define NSEC_PER_MSEC	1000000L
#define NSEC_PER_SEC	1000000000L

static inline ktime_t ns_to_ktime(u64 ns)
{
	return (ktime_t)ns;
}

static inline s64 ktime_to_ns(ktime_t kt)
{
	return kt;
}

#define ktime_sub(a, b)		((a) - (b))
#define ktime_add_ns(kt, ns)	((kt) + (ns))

ktime_t ktime_get(void);

enum hrtimer_restart {
	HRTIMER_NORESTART,
	HRTIMER_RESTART,
};

enum hrtimer_mode {
	HRTIMER_MODE_ABS = 0x00,
	HRTIMER_MODE_REL = 0x01,
};

#define CLOCK_MONOTONIC		1

struct hrtimer {
	enum hrtimer_restart (*function)(struct hrtimer *timer);
	ktime_t expires;
	bool queued;
	bool running;		/* its function is being called */
	struct list_head link;	/* on the fake clock's list while initialised */
};

void hrtimer_setup(struct hrtimer *timer, enum hrtimer_restart (*function)(struct hrtimer *),
		   int clock_id, enum hrtimer_mode mode);
void hrtimer_start(struct hrtimer *timer, ktime_t tim, enum hrtimer_mode mode);
int hrtimer_try_to_cancel(struct hrtimer *timer);
int hrtimer_cancel(struct hrtimer *timer);
u64 hrtimer_forward(struct hrtimer *timer, ktime_t now, ktime_t interval);

static inline u64 hrtimer_forward_now(struct hrtimer *timer, ktime_t interval)
{
	return hrtimer_forward(timer, ktime_get(), interval);
}

static inline bool hrtimer_active(const struct hrtimer *timer)
{
	return timer->queued || timer->running;
}

static inline ktime_t hrtimer_get_expires(const struct hrtimer *timer)
{
	return timer->expires;
}

/* Host only: move the fake clock on by ns, firing what expires. */
void kshim_clock_advance(u64 ns);

#endif
