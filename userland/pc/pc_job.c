// SPDX-License-Identifier: GPL-2.0
/*
 * vireo-run --control: disk-export, disk-resize and job-cancel, and the
 * worker that runs them (pc_job.h has the threads and the life of a job).
 */
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "virtio/blk.h"

#include "pc.h"

/* A progress event once the copy advanced by 1% of it or by this, whichever is less. */
#define PROGRESS_BYTES (64ULL << 20)

void vireo_pc_job_init(struct vireo_pc_job *j)
{
	memset(j, 0, sizeof(*j));
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->idle, NULL);
	j->inited = true;
}

void vireo_pc_job_fini(struct vireo_pc_job *j)
{
	if (!j->inited)
		return;
	pthread_cond_destroy(&j->idle);
	pthread_mutex_destroy(&j->lock);
	j->inited = false;
}

static const char *op_name(enum vireo_pc_job_kind k)
{
	return k == VIREO_PC_JOB_EXPORT ? VIREO_PC_CMD_DISK_EXPORT : VIREO_PC_CMD_DISK_RESIZE;
}

/* ---- events (any thread) -------------------------------------------------- */

static void emit_progress(struct vireo_pc_control *c, uint64_t done, uint64_t total)
{
	struct vireo_pc_job *j = &c->job;
	struct vireo_ctl_json *d;

	j->emitted = done;
	if (!c->srv)
		return;
	d = vireo_ctl_json_new();
	vireo_ctl_json_string(d, "operation", op_name(j->req.kind));
	vireo_ctl_json_int(d, "job", (int64_t)j->id);
	vireo_ctl_json_int(d, "disk", j->req.disk);
	vireo_ctl_json_int(d, "done", (int64_t)done);
	vireo_ctl_json_int(d, "total", (int64_t)total);
	vireo_ctl_server_emit(c->srv, VIREO_CTL_EV_PROGRESS, d);
}

/*
 * The job's end, under j->lock: job-finished, then IDLE.  msg: why it
 * failed (NULL: it did not).  size: the disk's size after a resize.
 */
static void finish_locked(struct vireo_pc_control *c, const char *msg, uint64_t size)
{
	struct vireo_pc_job *j = &c->job;
	struct vireo_ctl_json *d;

	if (c->srv) {
		d = vireo_ctl_json_new();
		vireo_ctl_json_string(d, "operation", op_name(j->req.kind));
		vireo_ctl_json_int(d, "job", (int64_t)j->id);
		vireo_ctl_json_int(d, "disk", j->req.disk);
		vireo_ctl_json_bool(d, "ok", !msg);
		if (j->req.kind == VIREO_PC_JOB_EXPORT)
			vireo_ctl_json_string(d, "path", j->req.path);
		else if (!msg)
			vireo_ctl_json_int(d, "size", (int64_t)size);
		if (msg)
			vireo_ctl_json_string(d, "error", msg);
		vireo_ctl_server_emit(c->srv, VIREO_CTL_EV_JOB_FINISHED, d);
	}
	j->state = VIREO_PC_JOB_IDLE;
	pthread_cond_broadcast(&j->idle);
}

/* ---- the worker --------------------------------------------------------------- */

static int held_read(void *opaque, void *buf, size_t len, uint64_t off,
		     GError **error)
{
	(void)error;	/* convert_from names the disk and the offset */
	return vireo_virtio_blk_read(opaque, buf, len, off);
}

/* convert's progress callback: a bounded number of events; non-zero cancels. */
static int export_progress(void *opaque, uint64_t done, uint64_t total)
{
	struct vireo_pc_control *c = opaque;
	struct vireo_pc_job *j = &c->job;
	uint64_t step = total / 100;

	if (atomic_load(&j->cancel))
		return 1;
	if (step > PROGRESS_BYTES)
		step = PROGRESS_BYTES;
	if (done == 0 || done == total || done - j->emitted >= step)
		emit_progress(c, done, total);
	return 0;
}

static void run_export(struct vireo_pc_control *c, char *msg, size_t len)
{
	struct vireo_pc_job *j = &c->job;
	struct vireo_disk_convert_opts o = {
		.dst_format = j->req.format,
		.cluster_size = j->req.cluster_size,
		.overwrite = j->req.overwrite,
		.progress = export_progress,
		.opaque = c,
	};
	struct vireo_disk_source src = { .read = held_read, .opaque = j->vd };
	g_autoptr(GError) error = NULL;
	char name[32];
	int r;

	snprintf(name, sizeof(name), "disk %u", j->req.disk);
	src.name = name;
	vireo_virtio_blk_hold(j->vd, true);
	src.size = vireo_virtio_blk_size(j->vd);
	r = vireo_disk_convert_from(&src, j->req.path, &o, &error);
	vireo_virtio_blk_hold(j->vd, false);
	if (r == -ECANCELED)
		snprintf(msg, len, "cancelled");
	else if (r)
		snprintf(msg, len, "%s", error ? error->message : strerror(-r));
}

static void run_resize(struct vireo_pc_control *c, char *msg, size_t len, uint64_t *size)
{
	struct vireo_pc_job *j = &c->job;
	uint64_t old = vireo_virtio_blk_size(j->vd), want = j->req.size;
	int r;

	if (j->req.grow_by)
		want = old + j->req.size < old ? UINT64_MAX : old + j->req.size;
	emit_progress(c, 0, want);
	r = vireo_virtio_blk_resize(j->vd, want);
	switch (r) {
	case 0:
		atomic_store(&c->disk_size[j->req.disk], want);
		*size = want;
		emit_progress(c, want, want);
		return;
	case -EROFS:
		snprintf(msg, len, "disk %u is read-only", j->req.disk);
		return;
	case -EINVAL:
		if (want < old)
			snprintf(msg, len,
				 "disk %u: %" PRIu64 " bytes would shrink it from %" PRIu64
				 " (shrinking would drop guest data)",
				 j->req.disk, want, old);
		else
			snprintf(msg, len, "disk %u: %" PRIu64 " is not a whole number of 512-byte sectors",
				 j->req.disk, want);
		return;
	case -EOPNOTSUPP:
		snprintf(msg, len, "disk %u: its image cannot grow (a block device?)", j->req.disk);
		return;
	default:
		snprintf(msg, len, "disk %u: growing the image failed: %s", j->req.disk,
			 strerror(-r));
		return;
	}
}

static void *worker(void *opaque)
{
	struct vireo_pc_control *c = opaque;
	struct vireo_pc_job *j = &c->job;
	char msg[VIREO_DISK_ERR_MAX + 64] = "";
	uint64_t size = 0;

	j->emitted = 0;
	if (atomic_load(&j->cancel))
		snprintf(msg, sizeof(msg), "cancelled");
	else if (j->req.kind == VIREO_PC_JOB_EXPORT)
		run_export(c, msg, sizeof(msg));
	else
		run_resize(c, msg, sizeof(msg), &size);
	pthread_mutex_lock(&j->lock);
	finish_locked(c, msg[0] ? msg : NULL, size);
	pthread_mutex_unlock(&j->lock);
	return NULL;
}

/* ---- the main thread ---------------------------------------------------------- */

void vireo_pc_job_service(struct vireo_pc_control *c, struct vireo_virtio_dev *const *disks,
			  unsigned int nr)
{
	struct vireo_pc_job *j = &c->job;
	int r;

	pthread_mutex_lock(&j->lock);
	if (j->state != VIREO_PC_JOB_PENDING)
		goto out;
	/* The last worker set IDLE as its last act: this join does not wait. */
	if (j->thread_live) {
		pthread_join(j->thread, NULL);
		j->thread_live = false;
	}
	if (j->req.disk >= nr || !disks[j->req.disk]) {
		finish_locked(c, "the machine has no such disk", 0);	/* a monitor bug */
		goto out;
	}
	j->vd = disks[j->req.disk];
	j->state = VIREO_PC_JOB_RUNNING;
	r = pthread_create(&j->thread, NULL, worker, c);
	if (r) {
		char msg[80];

		snprintf(msg, sizeof(msg), "cannot start a thread: %s", strerror(r));
		finish_locked(c, msg, 0);
		goto out;
	}
	j->thread_live = true;
out:
	pthread_mutex_unlock(&j->lock);
}

void vireo_pc_job_machine_end(struct vireo_pc_control *c, bool cancel)
{
	struct vireo_pc_job *j = &c->job;

	if (!j->inited || !cancel)
		return;
	pthread_mutex_lock(&j->lock);
	j->closed = true;
	if (j->state != VIREO_PC_JOB_IDLE)
		atomic_store(&j->cancel, true);
	/* Never started: nobody else will end it. */
	if (j->state == VIREO_PC_JOB_PENDING)
		finish_locked(c, "cancelled: the machine stopped", 0);
	pthread_mutex_unlock(&j->lock);
}

void vireo_pc_job_wait(struct vireo_pc_control *c)
{
	struct vireo_pc_job *j = &c->job;

	if (!j->inited)
		return;
	pthread_mutex_lock(&j->lock);
	while (j->state == VIREO_PC_JOB_RUNNING)
		pthread_cond_wait(&j->idle, &j->lock);
	pthread_mutex_unlock(&j->lock);
	if (j->thread_live) {
		pthread_join(j->thread, NULL);
		j->thread_live = false;
	}
}

/* ---- handlers: the server thread ------------------------------------------------ */

/* Take the slot for req: 0 with {"job": ID} in r, or an error reply. */
static int submit(struct vireo_pc_control *c, const struct vireo_pc_job_req *req,
		  struct vireo_ctl_json *r, struct vireo_ctl_error *e)
{
	struct vireo_pc_job *j = &c->job;
	uint64_t id;

	if (atomic_load(&c->ending))
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_STATE, "the machine is shutting down");
	pthread_mutex_lock(&j->lock);
	if (j->closed) {
		pthread_mutex_unlock(&j->lock);
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_STATE, "the machine is shutting down");
	}
	if (j->state != VIREO_PC_JOB_IDLE) {
		char busy[96];

		snprintf(busy, sizeof(busy), "%s of disk %u (job %" PRIu64 ")",
			 op_name(j->req.kind), j->req.disk, j->id);
		pthread_mutex_unlock(&j->lock);
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_STATE,
					   "another long operation is running: %s", busy);
	}
	j->req = *req;
	id = ++j->id;
	atomic_store(&j->cancel, false);
	j->state = VIREO_PC_JOB_PENDING;
	pthread_mutex_unlock(&j->lock);
	vireo_ctl_json_int(r, "job", (int64_t)id);
	vireo_pc_control_wake(c, VIREO_PC_CTL_JOB);
	return 0;
}

/* args "disk": an index of --disk. */
static int arg_disk(struct vireo_pc_control *c, const struct vireo_ctl_args *a,
		    unsigned int *disk, struct vireo_ctl_error *e)
{
	int64_t v;

	if (vireo_ctl_args_int(a, "disk", &v))
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_ARGS,
					   "disk: the index of a disk is required (see query-disks)");
	if (v < 0 || v >= (int64_t)c->nr_disks)
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_ARGS, "no disk %" PRId64
					   " (the machine has %u)", v, c->nr_disks);
	*disk = (unsigned int)v;
	return 0;
}

/*
 * The export's destination: absolute, in a directory that exists, and not
 * there yet unless overwrite.  An existing file is replaced only when the
 * copy is complete (vireo_disk_convert_from() renames over it, after
 * taking the writer's locks on it: one of this machine's own disks, or an
 * image QEMU or another machine uses, is refused as in use then).
 */
static int arg_new_path(const struct vireo_ctl_args *a, bool overwrite, char *out, size_t len,
			struct vireo_ctl_error *e)
{
	char dir[PATH_MAX];
	const char *p;
	struct stat st;

	if (vireo_ctl_args_string(a, "path", &p) || p[0] != '/')
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_ARGS,
					   "path: the absolute name of the new image is required");
	if (strlen(p) >= len)
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_ARGS, "path: too long");
	if (!lstat(p, &st)) {
		if (!overwrite)
			return vireo_ctl_error_set(e, VIREO_CTL_ERR_ARGS,
						   "%s exists; not overwritten without \"overwrite\"",
						   p);
	} else if (errno != ENOENT) {
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_ARGS, "%s: %s", p, strerror(errno));
	}
	snprintf(dir, sizeof(dir), "%s", p);
	if (stat(dirname(dir), &st) || !S_ISDIR(st.st_mode))
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_ARGS, "%s: no such directory", dir);
	snprintf(out, len, "%s", p);
	return 0;
}

int vireo_pc_job_h_export(void *o, const struct vireo_ctl_args *a, struct vireo_ctl_json *r,
			  struct vireo_ctl_error *e)
{
	struct vireo_pc_control *c = o;
	struct vireo_pc_job_req req;
	const char *fmt = "qcow2";
	int64_t cl = 0;

	memset(&req, 0, sizeof(req));
	req.kind = VIREO_PC_JOB_EXPORT;
	if (vireo_ctl_args_has(a, "overwrite") &&
	    vireo_ctl_args_bool(a, "overwrite", &req.overwrite))
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_ARGS, "overwrite: true or false");
	if (arg_disk(c, a, &req.disk, e) ||
	    arg_new_path(a, req.overwrite, req.path, sizeof(req.path), e))
		return -1;
	if (vireo_ctl_args_has(a, "format") &&
	    (vireo_ctl_args_string(a, "format", &fmt) ||
	     vireo_disk_parse_format(fmt, &req.format) < 0))
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_ARGS, "format: \"qcow2\" or \"raw\"");
	if (!vireo_ctl_args_has(a, "format"))
		req.format = VIREO_DISK_QCOW2;
	if (vireo_ctl_args_has(a, "cluster-size")) {
		if (vireo_ctl_args_int(a, "cluster-size", &cl) || cl < 512 || cl > (2 << 20) ||
		    (cl & (cl - 1)) || req.format != VIREO_DISK_QCOW2)
			return vireo_ctl_error_set(e, VIREO_CTL_ERR_ARGS,
						   "cluster-size: a power of two from 512 to 2M, "
						   "for qcow2 only");
		req.cluster_size = (uint32_t)cl;
	}
	return submit(c, &req, r, e);
}

int vireo_pc_job_h_resize(void *o, const struct vireo_ctl_args *a, struct vireo_ctl_json *r,
			  struct vireo_ctl_error *e)
{
	struct vireo_pc_control *c = o;
	struct vireo_pc_job_req req;
	const char *s;
	uint64_t now;
	int64_t v;
	int ret;

	memset(&req, 0, sizeof(req));
	req.kind = VIREO_PC_JOB_RESIZE;
	if (arg_disk(c, a, &req.disk, e))
		return -1;
	ret = vireo_ctl_args_int(a, "size", &v);
	if (!ret && v > 0) {
		req.size = (uint64_t)v;
	} else if (ret == -EINVAL && !vireo_ctl_args_string(a, "size", &s)) {
		req.grow_by = s[0] == '+';
		if (vireo_disk_parse_size(s + req.grow_by, &req.size) < 0 ||
		    (!req.size && !req.grow_by))
			return vireo_ctl_error_set(e, VIREO_CTL_ERR_ARGS,
						   "size: \"%s\" is not a size such as 20G, +1G or "
						   "a number of bytes", s);
	} else {
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_ARGS,
					   "size: bytes, or a string such as \"20G\" or \"+1G\"");
	}
	if (req.size % 512)
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_ARGS,
					   "size: %" PRIu64 " is not a whole number of 512-byte "
					   "sectors", req.size);
	if (c->disks[req.disk].readonly)
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_ARGS, "disk %u is read-only",
					   req.disk);
	/* The worker checks again against the disk itself. */
	now = atomic_load(&c->disk_size[req.disk]);
	if (!req.grow_by && now && req.size < now)
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_ARGS,
					   "disk %u: %" PRIu64 " bytes would shrink it from %" PRIu64
					   " (shrinking would drop guest data)",
					   req.disk, req.size, now);
	return submit(c, &req, r, e);
}

int vireo_pc_job_h_cancel(void *o, const struct vireo_ctl_args *a, struct vireo_ctl_json *r,
			  struct vireo_ctl_error *e)
{
	struct vireo_pc_control *c = o;
	struct vireo_pc_job *j = &c->job;
	int64_t want = 0;
	uint64_t id;
	int ret;

	ret = vireo_ctl_args_int(a, "job", &want);
	if (ret == -EINVAL)
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_ARGS, "job: an integer id");
	pthread_mutex_lock(&j->lock);
	id = j->id;
	if (j->state == VIREO_PC_JOB_IDLE || (!ret && (uint64_t)want != id)) {
		pthread_mutex_unlock(&j->lock);
		return vireo_ctl_error_set(e, VIREO_CTL_ERR_STATE, "no such job is running");
	}
	atomic_store(&j->cancel, true);
	pthread_mutex_unlock(&j->lock);
	vireo_ctl_json_int(r, "job", (int64_t)id);
	return 0;
}
