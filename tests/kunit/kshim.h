/* SPDX-License-Identifier: GPL-2.0 */
/* The host KUnit harness's internals shared by runner.c and kshim.c. */
#ifndef KSHIM_H
#define KSHIM_H

#include <stdbool.h>

/* Before each case: fake clock at 0, fake CPU back to its defaults. */
void kshim_reset(void);
/* Drops the fake clock's queued timers; returns how many there were. */
int kshim_timers_forget(void);
/* Drops the fake fd table's open fds; returns how many there were. */
int kshim_eventfds_forget(void);

/* runner.c: a WARN fails the running case; a BUG ends it (false: no case). */
void kshim_runner_warn(const char *file, int line, const char *cond);
bool kshim_runner_bug(const char *file, int line, const char *what);

#endif
