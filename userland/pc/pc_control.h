/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vireo-run --control: the PC monitor's side of the control socket
 * (docs/control-protocol.md, control/server.h).
 *
 * Threads.  The handlers run on the control server's thread and never
 * touch the machine: the machine is rebuilt on every guest reset, so what
 * they may see is only this structure, which lives in vireo_pc_host and
 * outlives resets.  A handler checks and flips the state clients see
 * (atomics), emits the matching event, sets a request bit and wakes the
 * I/O loop through wake_fd; the I/O loop (main thread, where the machine
 * is valid) carries the request out in vireo_pc_control_service().  A
 * request made while the machine is being rebuilt waits in the bits (the
 * eventfd stays readable) for the next machine's loop.
 *
 * Pause is a state, not a one-shot request: the handlers set 'paused',
 * and the main thread makes the vCPUs follow it (pc_vcpu.c holds them);
 * a machine rebuilt by a reset while paused starts held.
 *
 * Long operations on the disks (disk-export, disk-resize) run on a worker
 * thread of their own, started by the main thread: pc_job.h.
 */
#ifndef VIREO_RUN_PC_CONTROL_H
#define VIREO_RUN_PC_CONTROL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

#include "control/server.h"

#include "options.h"
#include "pc_job.h"

struct vireo_pc;

/* Request bits for the main thread. */
#define VIREO_PC_CTL_STOP	(1u << 0)	/* press the ACPI power button */
#define VIREO_PC_CTL_KILL	(1u << 1)	/* end the monitor */
#define VIREO_PC_CTL_RESET	(1u << 2)	/* platform reset */
#define VIREO_PC_CTL_PAUSE	(1u << 3)	/* make the vCPUs follow 'paused' */
#define VIREO_PC_CTL_JOB	(1u << 4)	/* start the pending job (pc_job.h) */

/*
 * A value a device shows in query-status (device.h's status_field): the
 * key is claimed once by the main thread, while building, and never
 * released, so a machine rebuilt by a reset finds it again.
 */
struct vireo_pc_status_field {
	_Atomic(const char *) key;		/* (a) a string that lives forever; NULL: free */
	atomic_uint_fast64_t value;		/* (a) */
};
#define VIREO_PC_STATUS_FIELDS	4

/* Legend: (i) set by vireo_pc_control_start, then fixed; (a) atomic. */
struct vireo_pc_control {
	struct vireo_ctl_server *srv;		/* (i) NULL: no --control */
	const char *name;			/* (i) --name, or "" */
	unsigned int cpus;			/* (i) */
	int wake_fd;				/* (i) eventfd, -1 without --control */
	atomic_uint requests;			/* (a) VIREO_PC_CTL_* */
	atomic_bool paused;			/* (a) what clients asked for */
	atomic_bool suspended;			/* (a) the guest is in ACPI S3 (pc_sleep.c) */
	atomic_bool killed;			/* (a) `kill` was asked */
	atomic_bool ending;			/* (a) the machine is going away */
	atomic_int tid[VIREO_PC_MAX_CPUS];	/* (a) vCPU threads' ids, 0: none */
	const struct vireo_disk_opt *disks;	/* (i) --disk, nr_disks of them */
	unsigned int nr_disks;			/* (i) */
	/* (a) each disk's size in bytes: set when a machine opens it, and by disk-resize; 0: unknown */
	atomic_uint_fast64_t disk_size[VIREO_PC_MAX_DISKS];
	struct vireo_pc_job job;		/* pc_job.h */
	struct vireo_pc_status_field status[VIREO_PC_STATUS_FIELDS];
};

/* The hook table (exported for the unit tests); opaque: the control. */
extern const struct vireo_ctl_command vireo_pc_control_commands[];

/*
 * Set c up for o (name, cpus); with o->control, make the wake eventfd and
 * start the server on that socket.  0 or -errno (message printed on err).
 */
int vireo_pc_control_start(struct vireo_pc_control *c, const struct vireo_options *o, FILE *err);

/*
 * Emit "shutdown" with reason, deliver what is queued and close the
 * socket.  The vCPU threads must have been joined, and a job's worker
 * too (pc_job.h; one still running is cancelled and waited for here).
 * Safe on a control that never started.
 */
void vireo_pc_control_stop(struct vireo_pc_control *c, const char *reason);

/* state-changed {state, reason} to every client (any thread; no-op without a server). */
void vireo_pc_control_emit_state(struct vireo_pc_control *c, const char *state,
				 const char *reason);
/* guest-panicked {detail} (any thread). */
void vireo_pc_control_emit_panic(struct vireo_pc_control *c, const char *detail);

/* Any thread: set request bits for the main thread and wake it. */
void vireo_pc_control_wake(struct vireo_pc_control *c, unsigned int req);

/* "running", "paused", "suspended" or "shutting-down", as query-status says it. */
const char *vireo_pc_control_state(struct vireo_pc_control *c);

/*
 * Main thread, while building: the status field named key (a string that
 * lives forever), claimed now if new; NULL when all are taken.
 */
atomic_uint_fast64_t *vireo_pc_control_status_field(struct vireo_pc_control *c, const char *key);

/* Main thread, the I/O loop: carry out pending requests on pc's machine. */
void vireo_pc_control_service(struct vireo_pc *pc);

#endif /* VIREO_RUN_PC_CONTROL_H */
