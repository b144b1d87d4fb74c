/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The machine lock: <machine dir>/lock, held by the monitor that runs the
 * machine for as long as it runs, so that two monitors can never run one
 * machine.  It is an open file description lock (fcntl F_OFD_SETLK, a
 * write lock on the whole file): the kernel drops it when the last fd of
 * the description closes, which includes the process dying by SIGKILL, so
 * a crashed monitor never leaves a stale lock behind.  The file itself
 * stays; its content (the holder's pid and a newline) is informational,
 * read by `vireo kill` only while the lock is seen held.
 *
 * The CLI takes the same lock briefly around `modify` and `delete`, so that
 * a machine is never edited or deleted under a running monitor and a start
 * cannot slip in between the check and the edit.
 *
 * libc only (no GLib): the monitor links it without further dependencies.
 * Every function returns 0 or -errno.
 */
#ifndef VIREO_VMLIB_LOCK_H
#define VIREO_VMLIB_LOCK_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * Take the lock at 'path' (created 0644 if missing) without waiting.
 * Returns 0 and the held fd (O_CLOEXEC: a monitor's children do not keep
 * it) in *fd, -EBUSY if another open file description holds it, -errno.
 * With write_pid the file is rewritten to hold getpid().
 */
int vireo_machine_lock(const char *path, bool write_pid, int *fd);

/* Release: closes fd (negative fd: nothing). */
void vireo_machine_unlock(int fd);

/*
 * Whether someone holds the lock, without taking it (F_OFD_GETLK).  A
 * missing file is "not held".  *pid gets the pid written in the file when
 * held and readable, else 0; pid may be NULL.
 */
int vireo_machine_lock_probe(const char *path, bool *held, pid_t *pid);

#endif /* VIREO_VMLIB_LOCK_H */
