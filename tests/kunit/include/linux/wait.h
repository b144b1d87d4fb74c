/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim (tests/kunit): wait queues.  Entries with a wake function are
 * called on a wake-up as in the kernel (irqfd relies on that); nothing can
 * sleep in the one-threaded harness, so wait_event*() with a false
 * condition is a bug here.
 */
#ifndef KSHIM_LINUX_WAIT_H
#define KSHIM_LINUX_WAIT_H

#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/spinlock.h>

#define TASK_INTERRUPTIBLE	0x0001
#define TASK_NORMAL		0x0003

typedef struct wait_queue_entry wait_queue_entry_t;
typedef int (*wait_queue_func_t)(struct wait_queue_entry *wq_entry, unsigned int mode,
				 int flags, void *key);

struct wait_queue_entry {
	unsigned int flags;
	void *private;
	wait_queue_func_t func;
	struct list_head entry;
};

struct wait_queue_head {
	spinlock_t lock;
	struct list_head head;
	unsigned long kshim_wakeups;	/* host only: wake-ups so far */
};
typedef struct wait_queue_head wait_queue_head_t;

static inline void init_waitqueue_head(struct wait_queue_head *wq_head)
{
	spin_lock_init(&wq_head->lock);
	INIT_LIST_HEAD(&wq_head->head);
	wq_head->kshim_wakeups = 0;
}

static inline void init_waitqueue_func_entry(struct wait_queue_entry *wq_entry,
					     wait_queue_func_t func)
{
	wq_entry->flags = 0;
	wq_entry->private = NULL;
	wq_entry->func = func;
}

static inline void __add_wait_queue(struct wait_queue_head *wq_head,
				    struct wait_queue_entry *wq_entry)
{
	list_add(&wq_entry->entry, &wq_head->head);
}

static inline void add_wait_queue(struct wait_queue_head *wq_head,
				  struct wait_queue_entry *wq_entry)
{
	spin_lock(&wq_head->lock);
	__add_wait_queue(wq_head, wq_entry);
	spin_unlock(&wq_head->lock);
}

static inline void __remove_wait_queue(struct wait_queue_head *wq_head,
				       struct wait_queue_entry *wq_entry)
{
	list_del(&wq_entry->entry);
}

static inline void remove_wait_queue(struct wait_queue_head *wq_head,
				     struct wait_queue_entry *wq_entry)
{
	spin_lock(&wq_head->lock);
	__remove_wait_queue(wq_head, wq_entry);
	spin_unlock(&wq_head->lock);
}

/* Calls each entry's wake function with the queue's lock held. */
static inline void __wake_up_locked_key(struct wait_queue_head *wq_head, unsigned int mode,
					void *key)
{
	struct wait_queue_entry *curr, *next;

	wq_head->kshim_wakeups++;
	list_for_each_entry_safe(curr, next, &wq_head->head, entry)
		if (curr->func)
			curr->func(curr, mode, 0, key);
}

static inline void __wake_up(struct wait_queue_head *wq_head, unsigned int mode,
			     int nr_exclusive, void *key)
{
	spin_lock(&wq_head->lock);
	__wake_up_locked_key(wq_head, mode, key);
	spin_unlock(&wq_head->lock);
}

#define wake_up(x)			__wake_up(x, TASK_NORMAL, 1, NULL)
#define wake_up_interruptible(x)	__wake_up(x, TASK_INTERRUPTIBLE, 1, NULL)

#define wait_event_interruptible(wq_head, condition) ({			\
	if (!(condition))						\
		kshim_bug(__FILE__, __LINE__, "wait_event would sleep");\
	0;								\
})

#endif
