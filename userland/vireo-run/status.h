/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vireo-run exit statuses: the monitor's names for codes of the one table
 * every Vireo program keeps (include/vireo_exit.h, --help, vireo-run(1)).
 * The bare-image debug-exit port adds (V << 1) | 1, always odd, so it
 * cannot be confused with the even outcome codes.
 */
#ifndef VIREO_RUN_STATUS_H
#define VIREO_RUN_STATUS_H

#include "vireo_exit.h"

#define VIREO_STATUS_HALTED	VIREO_EXIT_OK		/* S5; bare: HLT with IF=0 */
#define VIREO_STATUS_USAGE	VIREO_EXIT_USAGE	/* bad command line */
#define VIREO_STATUS_CRASH	VIREO_EXIT_GUEST_CRASH	/* triple fault, failed entry, bad MMIO */
/* --lock: another monitor runs the machine (before any guest runs). */
#define VIREO_STATUS_LOCKED	VIREO_EXIT_STATE
#define VIREO_STATUS_ERROR	VIREO_EXIT_ERROR	/* monitor error: /dev/vireo, ioctls */
#define VIREO_STATUS_SIGNAL	VIREO_EXIT_INTERRUPTED	/* SIGINT / SIGTERM / console escape */

#endif /* VIREO_RUN_STATUS_H */
