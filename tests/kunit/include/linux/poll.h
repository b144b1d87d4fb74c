/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim (tests/kunit): poll tables, for eventfd.c's irqfd. */
#ifndef KSHIM_LINUX_POLL_H
#define KSHIM_LINUX_POLL_H

#include <linux/fs.h>
#include <linux/wait.h>

#define EPOLLIN		((__poll_t)0x00000001)
#define EPOLLERR	((__poll_t)0x00000008)
#define EPOLLHUP	((__poll_t)0x00000010)

struct poll_table_struct;
typedef void (*poll_queue_proc)(struct file *file, wait_queue_head_t *wqh,
				struct poll_table_struct *pt);

typedef struct poll_table_struct {
	poll_queue_proc _qproc;
	__poll_t _key;
} poll_table;

static inline void init_poll_funcptr(poll_table *pt, poll_queue_proc qproc)
{
	pt->_qproc = qproc;
	pt->_key = ~(__poll_t)0;
}

static inline __poll_t key_to_poll(void *key)
{
	return (__poll_t)(uintptr_t)key;
}

static inline void *poll_to_key(__poll_t m)
{
	return (void *)(uintptr_t)m;
}

/* The file's poll method: the fake eventfd's (kshim.c). */
__poll_t vfs_poll(struct file *file, struct poll_table_struct *pt);

#endif
