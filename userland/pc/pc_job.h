/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vireo-run --control: long operations on the running machine's disks,
 * disk-export and disk-resize, one at a time, each on a worker thread of
 * its own (docs/control-protocol.md, "Long operations").
 *
 * The life of a job:
 *   server thread  the handler checks the request, takes the slot (IDLE
 *                  -> PENDING), replies {"job": ID} and wakes the I/O loop
 *                  (VIREO_PC_CTL_JOB).
 *   main thread    vireo_pc_job_service() finds the disk's virtio-blk
 *                  device on the machine that runs now and starts the
 *                  worker (RUNNING).
 *   worker         export: holds the disk's request queue for the whole
 *                  copy (virtio/blk.h), so the copy is the disk as it was
 *                  when the job started; resize: grows the disk and tells
 *                  the driver.  Emits `progress`, then `job-finished`, and
 *                  frees the slot (IDLE) under the same lock as that last
 *                  event: a client that has seen job-finished can start
 *                  the next job at once.
 *   main thread    before a machine is taken apart, vireo_pc_job_machine_end()
 *                  and vireo_pc_job_wait(): a worker never outlives the
 *                  device it uses.  On a guest reset the job runs to its
 *                  end first (the reboot waits for it); when the monitor
 *                  ends it is cancelled, and so it is by `kill`.
 *
 * The vCPUs are not paused: only the disk's requests wait.  The guest
 * goes on running, and its I/O to that disk stalls for the copy.
 */
#ifndef VIREO_RUN_PC_JOB_H
#define VIREO_RUN_PC_JOB_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "control/server.h"
#include "disk/disk.h"

struct vireo_pc_control;
struct vireo_virtio_dev;

/* Wire names (command, and "operation" in the events). */
#define VIREO_PC_CMD_DISK_EXPORT	"disk-export"
#define VIREO_PC_CMD_DISK_RESIZE	"disk-resize"
#define VIREO_PC_CMD_JOB_CANCEL		"job-cancel"
#define VIREO_PC_CMD_QUERY_DISKS	"query-disks"

enum vireo_pc_job_kind {
	VIREO_PC_JOB_EXPORT = 1,
	VIREO_PC_JOB_RESIZE,
};

enum vireo_pc_job_state {
	VIREO_PC_JOB_IDLE = 0,
	VIREO_PC_JOB_PENDING,	/* accepted; the main thread has not started it */
	VIREO_PC_JOB_RUNNING,	/* a worker has it */
};

/* A request as the handler checked it. */
struct vireo_pc_job_req {
	enum vireo_pc_job_kind kind;
	unsigned int disk;
	char path[PATH_MAX];		/* export: the new image (absolute) */
	enum vireo_disk_format format;	/* export: RAW or QCOW2 */
	uint32_t cluster_size;		/* export to qcow2; 0: the default */
	uint64_t size;			/* resize: the new size, or the growth */
	bool grow_by;			/* resize: size is the growth ("+1G") */
	bool overwrite;			/* export: replace an existing path when complete */
};

/*
 * Legend: (j) lock; (w) the worker while RUNNING (set by the main thread
 * before it starts the worker); (m) the main thread.
 */
struct vireo_pc_job {
	bool inited;			/* lock and cond exist */
	pthread_mutex_t lock;		/* short: never held across I/O */
	pthread_cond_t idle;		/* state became IDLE */
	enum vireo_pc_job_state state;	/* (j) */
	bool closed;			/* (j) the monitor is ending: no new job */
	uint64_t id;			/* (j) the current or last job's id, from 1 */
	struct vireo_pc_job_req req;	/* (j) written on IDLE -> PENDING, then fixed */
	atomic_bool cancel;		/* job-cancel, kill, the monitor's end */
	struct vireo_virtio_dev *vd;	/* (w) the disk's device */
	uint64_t emitted;		/* (w) "done" of the last progress event */
	pthread_t thread;		/* (m) */
	bool thread_live;		/* (m) started and not joined */
};

void vireo_pc_job_init(struct vireo_pc_job *j);
/* After vireo_pc_job_machine_end(cancel) and vireo_pc_job_wait(). */
void vireo_pc_job_fini(struct vireo_pc_job *j);

/* Handlers (server thread; opaque: the control), in pc_control.c's table. */
int vireo_pc_job_h_export(void *o, const struct vireo_ctl_args *a, struct vireo_ctl_json *r,
			  struct vireo_ctl_error *e);
int vireo_pc_job_h_resize(void *o, const struct vireo_ctl_args *a, struct vireo_ctl_json *r,
			  struct vireo_ctl_error *e);
int vireo_pc_job_h_cancel(void *o, const struct vireo_ctl_args *a, struct vireo_ctl_json *r,
			  struct vireo_ctl_error *e);

/*
 * Main thread, the I/O loop: start a pending job on disks[req.disk]
 * (disks: the machine's virtio-blk devices, nr of them).
 */
void vireo_pc_job_service(struct vireo_pc_control *c, struct vireo_virtio_dev *const *disks,
			  unsigned int nr);

/*
 * Main thread, the machine is going away.  cancel: the monitor ends (no
 * new jobs; a pending one finishes as cancelled, a running one is told to
 * stop at its next chunk); without it (a reset) the job carries on.
 * Neither waits: vireo_pc_job_wait() does, until no worker is running,
 * and joins it.
 */
void vireo_pc_job_machine_end(struct vireo_pc_control *c, bool cancel);
void vireo_pc_job_wait(struct vireo_pc_control *c);

#endif /* VIREO_RUN_PC_JOB_H */
