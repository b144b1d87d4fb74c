/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim (tests/kunit): eventfds, modelled on fs/eventfd.c: a counter,
 * a wait queue woken with EPOLLIN when the counter is signalled, and file
 * descriptors from a small fake fd table (kshim_eventfd_create()).
 */
#ifndef KSHIM_LINUX_EVENTFD_H
#define KSHIM_LINUX_EVENTFD_H

#include <linux/fs.h>
#include <linux/wait.h>

struct eventfd_ctx;

struct eventfd_ctx *eventfd_ctx_fdget(int fd);
void eventfd_ctx_put(struct eventfd_ctx *ctx);
void eventfd_signal(struct eventfd_ctx *ctx);
void eventfd_ctx_do_read(struct eventfd_ctx *ctx, __u64 *cnt);
int eventfd_ctx_remove_wait_queue(struct eventfd_ctx *ctx, wait_queue_entry_t *wait, __u64 *cnt);

/*
 * Host only: a new eventfd and its fd; its counter; the references held on
 * it (the fd's own included); closing the fd (EPOLLHUP to the waiters).
 */
int kshim_eventfd_create(void);
__u64 kshim_eventfd_count(int fd);
int kshim_eventfd_refs(int fd);
int kshim_eventfd_waiters(int fd);
void kshim_eventfd_close(int fd);

#endif
