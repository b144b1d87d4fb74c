/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vireo-run exit statuses: a contract with the test suite (see --help).
 * The debug-exit port adds (V << 1) | 1, always odd, so it cannot be
 * confused with these even values.
 */
#ifndef VIREO_RUN_STATUS_H
#define VIREO_RUN_STATUS_H

#define VIREO_STATUS_HALTED	0	/* HLT with IF=0 (or no --irq-on-hlt) */
#define VIREO_STATUS_CRASH	2	/* triple fault, failed entry, bad MMIO */
/*
 * --lock: another monitor runs the machine.  Odd, like a debug exit of
 * V=1, but it is what `vireo` and the lock contract expect
 * (docs/vm-definition.md); it is returned before any guest runs.
 */
#define VIREO_STATUS_LOCKED	3
#define VIREO_STATUS_ERROR	4	/* monitor error: arguments, ioctls */
#define VIREO_STATUS_SIGNAL	6	/* SIGINT / SIGTERM */

#endif /* VIREO_RUN_STATUS_H */
