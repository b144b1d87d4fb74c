/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The exit statuses of every Vireo program (vireo, vireo-run):
 * one table, a contract for scripts.  The man pages ("EXIT STATUS") and
 * README.md print it; tests/vmlib/test_exit.c and cli-e2e.sh check each
 * code.
 *
 * 0-6 are the command line's outcomes; the monitor's and the image
 * checker's own outcomes have codes of their own, so that `vireo start
 * --attach` can hand the monitor's status on as it is and a guest crash
 * never reads as "not found".  The outcome codes are even: vireo-run's
 * debug-exit port (port 0xf4 of bare images, tests/guest; --debug-exit
 * PORT on the PC, QEMU's isa-debug-exit) ends with (V << 1) | 1, odd, of
 * which exit(3) keeps the low 8 bits (V = 0x80 gives 1).
 * VIREO_EXIT_USAGE (1) and VIREO_EXIT_STATE (3) are also debug exits V=0
 * and V=1; the monitor gives those two only before the guest runs, and
 * no test guest writes 0 or 1.  vireo_exit_from_wait() maps every odd
 * status above 3 to VIREO_EXIT_ERROR for `vireo start --attach`.
 *
 * libc only: vireo-run includes it as well as the CLI.
 */
#ifndef VIREO_EXIT_H
#define VIREO_EXIT_H

#include <errno.h>
#include <sys/wait.h>

enum vireo_exit {
	VIREO_EXIT_OK = 0,		/* success; vireo-run: the guest powered off */
	VIREO_EXIT_USAGE = 1,		/* bad command line (every program) */
	VIREO_EXIT_NOT_FOUND = 2,	/* no such machine, disk or file */
	VIREO_EXIT_STATE = 3,		/* conflicts with the state: running, not running,
					 * exists already; vireo-run: another monitor
					 * holds the machine lock */
	VIREO_EXIT_ERROR = 4,		/* anything else: I/O, invalid definition,
					 * monitor error (no /dev/vireo, ioctls) */
	VIREO_EXIT_TIMEOUT = 5,		/* not done in time: the monitor did not answer,
					 * the guest did not power off */
	VIREO_EXIT_DECLINED = 6,	/* the user answered no; nothing was changed */
	VIREO_EXIT_GUEST_CRASH = 8,	/* the guest crashed: triple fault, failed VM
					 * entry, an exit vireo.ko cannot handle */
	VIREO_EXIT_INTERRUPTED = 10,	/* the monitor ended on a signal (SIGINT,
					 * SIGTERM, killed) or the console escape;
					 * the guest did not power off */
	VIREO_EXIT_CORRUPT = 12,	/* check: the image has corruptions */
	VIREO_EXIT_LEAKS = 14,		/* check: only leaked clusters, no harm to data */
};

/* The name of a code in JSON errors ("not-found"), NULL if not in the table. */
static inline const char *vireo_exit_name(int code)
{
	switch (code) {
	case VIREO_EXIT_OK:
		return "ok";
	case VIREO_EXIT_USAGE:
		return "usage";
	case VIREO_EXIT_NOT_FOUND:
		return "not-found";
	case VIREO_EXIT_STATE:
		return "state";
	case VIREO_EXIT_ERROR:
		return "error";
	case VIREO_EXIT_TIMEOUT:
		return "timeout";
	case VIREO_EXIT_DECLINED:
		return "declined";
	case VIREO_EXIT_GUEST_CRASH:
		return "guest-crash";
	case VIREO_EXIT_INTERRUPTED:
		return "interrupted";
	case VIREO_EXIT_CORRUPT:
		return "corrupt";
	case VIREO_EXIT_LEAKS:
		return "leaks";
	default:
		return NULL;
	}
}

/*
 * A library's -errno as a code of the table: a missing file is "not
 * found"; a file that exists already, or is in use (locked by QEMU or
 * another Vireo program), a state conflict; anything else an error.
 */
static inline int vireo_exit_of_errno(int neg_errno)
{
	switch (neg_errno) {
	case -ENOENT:
		return VIREO_EXIT_NOT_FOUND;
	case -EEXIST:
	case -EBUSY:
	case -EAGAIN:
		return VIREO_EXIT_STATE;
	default:
		return VIREO_EXIT_ERROR;
	}
}

/*
 * A monitor's wait status as a code of the table: its own exit status
 * when that is one, a death by a signal as VIREO_EXIT_INTERRUPTED, and
 * anything else (a status from outside the table) as VIREO_EXIT_ERROR.
 */
static inline int vireo_exit_from_wait(int wstatus)
{
	if (WIFSIGNALED(wstatus))
		return VIREO_EXIT_INTERRUPTED;
	if (!WIFEXITED(wstatus))
		return VIREO_EXIT_ERROR;
	switch (WEXITSTATUS(wstatus)) {
	case VIREO_EXIT_OK:
	case VIREO_EXIT_STATE:
	case VIREO_EXIT_ERROR:
	case VIREO_EXIT_GUEST_CRASH:
	case VIREO_EXIT_INTERRUPTED:
		return WEXITSTATUS(wstatus);
	default:
		/* usage (vireo built a bad command line) or a stranger's */
		return VIREO_EXIT_ERROR;
	}
}

/* The table as --help prints it (vireo, vireo-run). */
#define VIREO_EXIT_TABLE_TEXT                                                          \
	"Exit status (the same for vireo and vireo-run):\n"                           \
	"   0  success; vireo-run: the guest powered off\n"                           \
	"   1  bad usage\n"                                                           \
	"   2  no such machine, disk or file\n"                                       \
	"   3  state conflict: running, not running, exists already, locked\n"        \
	"   4  other error (I/O, invalid definition, monitor error)\n"                \
	"   5  timeout: the monitor did not answer, the guest did not power off\n"   \
	"   6  declined at a prompt; nothing was changed\n"                           \
	"   8  the guest crashed (triple fault, failed VM entry)\n"                   \
	"  10  the monitor was interrupted: a signal or the console escape\n"         \
	"  12  check: the image is corrupt\n"                                         \
	"  14  check: leaked clusters only\n"                                      \
	" odd  vireo-run: the guest wrote V to the debug-exit port: (V << 1) | 1\n"

#endif /* VIREO_EXIT_H */
