// SPDX-License-Identifier: GPL-2.0
/*
 * vireo-run --control: the standard commands of the control protocol on
 * the PC machine (pc_control.h says which thread does what).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "control/server.h"

#include "pc.h"

void vireo_pc_control_wake(struct vireo_pc_control *c, unsigned int req)
{
	uint64_t one = 1;

	atomic_fetch_or(&c->requests, req);
	if (c->wake_fd >= 0 && write(c->wake_fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is saturated, the loop is woken anyway. */
	}
}

const char *vireo_pc_control_state(struct vireo_pc_control *c)
{
	if (atomic_load(&c->ending))
		return "shutting-down";
	if (atomic_load(&c->paused))
		return "paused";
	/* The power button (stop) wakes it. */
	return atomic_load(&c->suspended) ? "suspended" : "running";
}

void vireo_pc_control_emit_state(struct vireo_pc_control *c, const char *state,
				 const char *reason)
{
	struct vireo_ctl_json *d;

	if (!c->srv)
		return;
	d = vireo_ctl_json_new();
	vireo_ctl_json_string(d, "state", state);
	vireo_ctl_json_string(d, "reason", reason);
	vireo_ctl_server_emit(c->srv, VIREO_CTL_EV_STATE_CHANGED, d);
}

void vireo_pc_control_emit_panic(struct vireo_pc_control *c, const char *detail)
{
	struct vireo_ctl_json *d;

	if (!c->srv)
		return;
	d = vireo_ctl_json_new();
	vireo_ctl_json_string(d, "detail", detail);
	vireo_ctl_server_emit(c->srv, VIREO_CTL_EV_GUEST_PANICKED, d);
}

atomic_uint_fast64_t *vireo_pc_control_status_field(struct vireo_pc_control *c, const char *key)
{
	unsigned int i;

	for (i = 0; i < VIREO_PC_STATUS_FIELDS; i++) {
		const char *k = atomic_load(&c->status[i].key);

		if (k && !strcmp(k, key))
			return &c->status[i].value;
	}
	for (i = 0; i < VIREO_PC_STATUS_FIELDS; i++) {
		if (!atomic_load(&c->status[i].key)) {
			atomic_store(&c->status[i].value, 0);
			atomic_store(&c->status[i].key, key);
			return &c->status[i].value;
		}
	}
	return NULL;
}

/* ---- handlers: the server thread --------------------------------------- */

static int h_status(void *o, const struct vireo_ctl_args *a, struct vireo_ctl_json *r,
		    struct vireo_ctl_error *e)
{
	struct vireo_pc_control *c = o;
	unsigned int i;

	(void)a;
	(void)e;
	vireo_ctl_json_string(r, "state", vireo_pc_control_state(c));
	vireo_ctl_json_string(r, "name", c->name);
	vireo_ctl_json_int(r, "pid", getpid());
	vireo_ctl_json_int(r, "cpus", c->cpus);
	for (i = 0; i < VIREO_PC_STATUS_FIELDS; i++) {
		const char *key = atomic_load(&c->status[i].key);

		if (key)
			vireo_ctl_json_int(r, key, (int64_t)atomic_load(&c->status[i].value));
	}
	return 0;
}

static int h_stop(void *o, const struct vireo_ctl_args *a, struct vireo_ctl_json *r,
		  struct vireo_ctl_error *e)
{
	struct vireo_pc_control *c = o;

	(void)a;
	(void)r;
	/* A paused guest cannot see the button: the caller would wait for nothing. */
	if (atomic_load(&c->paused))
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_STATE, "paused: resume first");
	if (atomic_load(&c->ending))
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_STATE, "the machine is shutting down");
	vireo_pc_control_wake(c, VIREO_PC_CTL_STOP);
	return 0;
}

static int h_kill(void *o, const struct vireo_ctl_args *a, struct vireo_ctl_json *r,
		  struct vireo_ctl_error *e)
{
	struct vireo_pc_control *c = o;

	(void)a;
	(void)r;
	(void)e;
	atomic_store(&c->killed, true);
	/* A copy in progress stops at its next chunk rather than delay the end. */
	atomic_store(&c->job.cancel, true);
	vireo_pc_control_wake(c, VIREO_PC_CTL_KILL);
	return 0;
}

static int h_pause(void *o, const struct vireo_ctl_args *a, struct vireo_ctl_json *r,
		   struct vireo_ctl_error *e)
{
	struct vireo_pc_control *c = o;
	bool expect = false;

	(void)a;
	(void)r;
	if (atomic_load(&c->ending))
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_STATE, "the machine is shutting down");
	if (!atomic_compare_exchange_strong(&c->paused, &expect, true))
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_STATE, "already paused");
	/* Emitted here, under the same ordering as the flag, so events never cross. */
	vireo_pc_control_emit_state(c, "paused", "pause");
	vireo_pc_control_wake(c, VIREO_PC_CTL_PAUSE);
	return 0;
}

static int h_resume(void *o, const struct vireo_ctl_args *a, struct vireo_ctl_json *r,
		    struct vireo_ctl_error *e)
{
	struct vireo_pc_control *c = o;
	bool expect = true;

	(void)a;
	(void)r;
	if (!atomic_compare_exchange_strong(&c->paused, &expect, false))
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_STATE, "not paused");
	vireo_pc_control_emit_state(c, "running", "resume");
	vireo_pc_control_wake(c, VIREO_PC_CTL_PAUSE);
	return 0;
}

static int h_reset(void *o, const struct vireo_ctl_args *a, struct vireo_ctl_json *r,
		   struct vireo_ctl_error *e)
{
	struct vireo_pc_control *c = o;

	(void)a;
	(void)r;
	if (atomic_load(&c->ending))
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_STATE, "the machine is shutting down");
	/* The event comes from the main thread once the new machine runs. */
	vireo_pc_control_wake(c, VIREO_PC_CTL_RESET);
	return 0;
}

static int h_vcpus(void *o, const struct vireo_ctl_args *a, struct vireo_ctl_json *r,
		   struct vireo_ctl_error *e)
{
	struct vireo_pc_control *c = o;
	bool paused = atomic_load(&c->paused);
	bool suspended = atomic_load(&c->suspended);
	unsigned int i;

	(void)a;
	(void)e;
	vireo_ctl_json_begin_array(r, "vcpus");
	for (i = 0; i < c->cpus && i < VIREO_PC_MAX_CPUS; i++) {
		int tid = atomic_load(&c->tid[i]);

		vireo_ctl_json_begin_object(r, NULL);
		vireo_ctl_json_int(r, "id", i);
		/* No thread: between machines (a reset) or not started yet. */
		vireo_ctl_json_string(r, "state", !tid ? "stopped" : paused ? "paused"
						  : suspended ? "suspended" : "running");
		vireo_ctl_json_int(r, "thread", tid);
		vireo_ctl_json_end_object(r);
	}
	vireo_ctl_json_end_array(r);
	return 0;
}

static int h_disks(void *o, const struct vireo_ctl_args *a, struct vireo_ctl_json *r,
		   struct vireo_ctl_error *e)
{
	struct vireo_pc_control *c = o;
	unsigned int i;

	(void)a;
	(void)e;
	vireo_ctl_json_begin_array(r, "disks");
	for (i = 0; i < c->nr_disks; i++) {
		vireo_ctl_json_begin_object(r, NULL);
		vireo_ctl_json_int(r, "index", i);
		vireo_ctl_json_string(r, "path", c->disks[i].path);
		vireo_ctl_json_bool(r, "readonly", c->disks[i].readonly);
		vireo_ctl_json_int(r, "size", (int64_t)atomic_load(&c->disk_size[i]));
		vireo_ctl_json_end_object(r);
	}
	vireo_ctl_json_end_array(r);
	return 0;
}

const struct vireo_ctl_command vireo_pc_control_commands[] = {
	{ VIREO_CTL_CMD_QUERY_STATUS, h_status, "state, name, pid, cpus, post-code" },
	{ VIREO_CTL_CMD_STOP, h_stop, "press the ACPI power button; the guest decides" },
	{ VIREO_CTL_CMD_KILL, h_kill, "end the monitor now" },
	{ VIREO_CTL_CMD_PAUSE, h_pause, "hold every vCPU" },
	{ VIREO_CTL_CMD_RESUME, h_resume, "let the vCPUs run again" },
	{ VIREO_CTL_CMD_RESET, h_reset, "platform reset, as the reset button" },
	{ VIREO_CTL_CMD_QUERY_VCPUS, h_vcpus, "the vCPUs: id, state, thread id" },
	{ VIREO_PC_CMD_QUERY_DISKS, h_disks, "the disks: index, path, readonly, size" },
	{ VIREO_PC_CMD_DISK_EXPORT, vireo_pc_job_h_export,
	  "copy disk N, as it is now, to a new image (job; progress events)" },
	{ VIREO_PC_CMD_DISK_RESIZE, vireo_pc_job_h_resize,
	  "grow disk N; the guest is told (job; progress events)" },
	{ VIREO_PC_CMD_JOB_CANCEL, vireo_pc_job_h_cancel, "cancel the running job" },
	{ NULL, NULL, NULL },
};

/* ---- life ---------------------------------------------------------------- */

int vireo_pc_control_start(struct vireo_pc_control *c, const struct vireo_options *o, FILE *err)
{
	struct vireo_ctl_server_config cfg = {
		.path = o->control,
		.commands = vireo_pc_control_commands,
		.opaque = c,
	};
	g_autoptr(GError) error = NULL;
	int r;

	memset(c, 0, sizeof(*c));
	c->name = o->name ? o->name : "";
	c->cpus = o->cpus;
	c->wake_fd = -1;
	c->disks = o->disks;
	c->nr_disks = o->nr_disks;
	vireo_pc_job_init(&c->job);
	if (!o->control)
		return 0;
	c->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (c->wake_fd < 0) {
		r = -errno;
		fprintf(err, "vireo-run: eventfd: %s\n", strerror(errno));
		return r;
	}
	r = vireo_ctl_server_start(&cfg, &c->srv, &error);
	if (r) {
		fprintf(err, "vireo-run: --control %s: %s\n", o->control, error->message);
		close(c->wake_fd);
		c->wake_fd = -1;
		c->srv = NULL;
		return r;
	}
	return 0;
}

void vireo_pc_control_stop(struct vireo_pc_control *c, const char *reason)
{
	atomic_store(&c->ending, true);
	vireo_pc_job_machine_end(c, true);
	vireo_pc_job_wait(c);
	if (c->srv) {
		vireo_pc_control_emit_state(c, "shutdown", reason);
		vireo_ctl_server_stop(c->srv);
		c->srv = NULL;
	}
	if (c->wake_fd >= 0)
		close(c->wake_fd);
	c->wake_fd = -1;
	vireo_pc_job_fini(&c->job);
}

/* ---- the main thread --------------------------------------------------- */

void vireo_pc_control_service(struct vireo_pc *pc)
{
	struct vireo_pc_control *c = &pc->host->ctl;
	uint64_t n;
	unsigned int req;

	if (c->wake_fd >= 0 && read(c->wake_fd, &n, sizeof(n)) < 0) {
		/* EAGAIN: called without a wake-up; the bits still count. */
	}
	req = atomic_exchange(&c->requests, 0);
	if (req & VIREO_PC_CTL_KILL) {
		vireo_pc_request(pc, VIREO_PC_STOP);
		return;
	}
	if (req & VIREO_PC_CTL_PAUSE) {
		if (atomic_load(&c->paused))
			vireo_pc_vcpus_pause(pc);
		else
			vireo_pc_vcpus_resume(pc);
	}
	if (req & VIREO_PC_CTL_RESET)
		vireo_pc_request(pc, VIREO_PC_RESET);
	if (req & VIREO_PC_CTL_STOP)
		vireo_pm_press_power_button(pc->pm);
	if (req & VIREO_PC_CTL_JOB)
		vireo_pc_job_service(c, pc->disks, pc->opts->nr_disks);
}
