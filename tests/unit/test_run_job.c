// SPDX-License-Identifier: GPL-2.0
/*
 * vireo-run --control's long operations (pc_job.c): disk-export and
 * disk-resize on a virtio-blk device driven through the PCI transport,
 * requested on a real socket as a script would, with the main thread's
 * part (vireo_pc_job_service) called by the test.
 *
 * The disk is wrapped in a gate: the job's read of a chosen
 * offset stops there until the test opens the gate, so that the test can
 * act while a copy is half done (guest writes, a second job, a cancel)
 * without sleeping; or the read fails, for the error path.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <vireo/error.h>

#include "disk/disk.h"
#include "disk/disk_priv.h"
#include "pc.h"
#include "pc_disk.h"
#include "test.h"
#include "test_line_reader.h"
#include "test_virtio_dev.h"
#include "virtio/blk.h"

#define MiB (1ULL << 20)
#define SEC 512
#define NONE UINT64_MAX

/* ---- the gated disk ------------------------------------------------------------ */

/*
 * A libvireo-disk handle of its own format (disk_priv.h's ops table) in
 * front of the image the monitor opened: the device cannot tell.
 */
struct gate {
	struct vireo_disk base;
	struct vireo_disk *inner;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint64_t at;		/* a read covering this offset waits for 'open' */
	uint64_t fail_at;	/* a read covering this offset fails with -EIO */
	bool reached, open;
};

static struct gate gate = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

static bool covers(uint64_t at, uint64_t off, size_t len)
{
	return at != NONE && at >= off && at - off < len;
}

static struct gate *to_gate(struct vireo_disk *d)
{
	return container_of(d, struct gate, base);
}

static int gate_pread(struct vireo_disk *d, void *buf, size_t len, uint64_t off)
{
	struct gate *g = to_gate(d);
	bool fail;

	pthread_mutex_lock(&g->lock);
	if (covers(g->at, off, len)) {
		g->reached = true;
		pthread_cond_broadcast(&g->cond);
		while (!g->open)
			pthread_cond_wait(&g->cond, &g->lock);
	}
	fail = covers(g->fail_at, off, len);
	pthread_mutex_unlock(&g->lock);
	return fail ? -EIO : vireo_disk_pread(g->inner, buf, len, off);
}

static int gate_pwrite(struct vireo_disk *d, const void *buf, size_t len, uint64_t off)
{
	return vireo_disk_pwrite(to_gate(d)->inner, buf, len, off);
}

static int gate_flush(struct vireo_disk *d)
{
	return vireo_disk_flush(to_gate(d)->inner);
}

static int gate_resize(struct vireo_disk *d, uint64_t size)
{
	int r = vireo_disk_resize(to_gate(d)->inner, size);

	if (!r)
		d->size = size;
	return r;
}

static void gate_info(struct vireo_disk *d, struct vireo_disk_info *info)
{
	vireo_disk_get_info(to_gate(d)->inner, info);
}

static void gate_close(struct vireo_disk *d)
{
	struct gate *g = to_gate(d);

	vireo_disk_close(g->inner);
	g->inner = NULL;
	vireo_disk_base_fini(d);
}

static const struct vireo_disk_ops gate_ops = {
	.name = "gate",
	.format = VIREO_DISK_RAW,
	.pread = gate_pread,
	.pwrite = gate_pwrite,
	.flush = gate_flush,
	.resize = gate_resize,
	.info = gate_info,
	.close = gate_close,
};

/* Put the gate in front of inner (which it then owns). */
static struct vireo_disk *gate_wrap(struct vireo_disk *inner)
{
	gate.inner = inner;
	vireo_disk_base_init(&gate.base, &gate_ops, vireo_disk_path(inner), -1,
			     vireo_disk_readonly(inner) ? VIREO_DISK_RDONLY : 0);
	gate.base.size = vireo_disk_size(inner);
	return &gate.base;
}

static void gate_set(uint64_t at, uint64_t fail_at)
{
	pthread_mutex_lock(&gate.lock);
	gate.at = at;
	gate.fail_at = fail_at;
	gate.reached = false;
	gate.open = false;
	pthread_mutex_unlock(&gate.lock);
}

/* Wait until the job's read stopped at the gate (the worker parks there). */
static void gate_wait_reached(void)
{
	pthread_mutex_lock(&gate.lock);
	while (!gate.reached)
		pthread_cond_wait(&gate.cond, &gate.lock);
	pthread_mutex_unlock(&gate.lock);
}

static void gate_open(void)
{
	pthread_mutex_lock(&gate.lock);
	gate.open = true;
	pthread_cond_broadcast(&gate.cond);
	pthread_mutex_unlock(&gate.lock);
}

/* ---- the machine: one disk, one control socket -------------------------------- */

static struct tvdev tv;
static struct vireo_pc_control ctl;
static struct vireo_options opts;
static char dir[48], sock_path[96], img[96];
static uint8_t *orig;		/* the disk's content when the test began */
static uint64_t disk_bytes;
static int fd = -1;
static struct test_line_reader rd;

/* Every event line seen, in order. */
#define MAX_EVENTS 512
static char events[MAX_EVENTS][512];	/* cut at 511 bytes */
static unsigned int nr_events;

/*
 * Byte i of the test disk: data in the even MiBs, zeros in the odd ones
 * (whole chunks of the copy: they must stay holes in it).
 */
static uint8_t content(uint64_t i)
{
	return (i >> 20) & 1 ? 0 : (uint8_t)(i * 13 / 7 + (i >> 20) + 1);
}

static const char *tpath(const char *name)
{
	static char p[4][128];
	static unsigned int k;
	char *s = p[k++ % 4];

	snprintf(s, 128, "%s/%s", dir, name);
	return s;
}

/* The disk image: raw (written here) or qcow2 (through libvireo-disk). */
static int make_disk(bool qcow2, uint64_t bytes)
{
	struct vireo_disk_create_opts co = { .format = qcow2 ? VIREO_DISK_QCOW2 : VIREO_DISK_RAW,
					     .size = bytes };
	struct vireo_disk *d;
	int r;

	orig = malloc(bytes);
	if (!orig)
		return -ENOMEM;
	for (uint64_t i = 0; i < bytes; i++)
		orig[i] = content(i);
	snprintf(img, sizeof(img), "%s/disk.%s", dir, qcow2 ? "qcow2" : "img");
	r = vireo_disk_create(img, &co, NULL);
	if (r)
		return r;
	r = vireo_disk_open(img, VIREO_DISK_AUTO, 0, &d, NULL);
	if (r)
		return r;
	for (uint64_t off = 0; off < bytes && !r; off += 2 * MiB)
		r = vireo_disk_pwrite(d, orig + off, bytes - off < MiB ? bytes - off : MiB, off);
	vireo_disk_close(d);
	disk_bytes = bytes;
	return r;
}

static bool live;
static void teardown(void);

static bool setup(bool qcow2, uint64_t bytes, bool readonly)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vireo_virtio_dev *vd;
	struct vireo_disk *inner;
	g_autoptr(GError) error = NULL;

	/* A failed check returns early: clean up what the last test left. */
	if (live)
		teardown();
	live = true;

	snprintf(dir, sizeof(dir), "/tmp/vireo-run-job-XXXXXX");
	if (!mkdtemp(dir) || make_disk(qcow2, bytes))
		return false;
	memset(&opts, 0, sizeof(opts));
	opts.name = "deb";
	opts.cpus = 1;
	snprintf(sock_path, sizeof(sock_path), "%s/vm.sock", dir);
	opts.control = sock_path;
	opts.disks[0].path = img;
	opts.disks[0].readonly = readonly;
	opts.nr_disks = 1;
	/* The disk as the monitor opens it, behind the gate. */
	if (vireo_pc_disk_open(&opts.disks[0], &inner, &error)) {
		fprintf(stderr, "%s\n", error->message);
		return false;
	}
	gate_set(NONE, NONE);
	if (tv_ram(&tv) || vireo_virtio_blk_create(&vd, &tv.tr.ram, gate_wrap(inner), "vireo-disk0") ||
	    tv_attach(&tv, vd) ||
	    tv_bringup(&tv, VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) | VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) |
				    (readonly ? VIRTIO_BIT(VIRTIO_BLK_F_RO) : 0),
		       64))
		return false;
	if (vireo_pc_control_start(&ctl, &opts, stderr))
		return false;
	/* What the machine's build does (pc_machine.c). */
	atomic_store(&ctl.disk_size[0], bytes);
	nr_events = 0;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	test_line_reader_reset(&rd, fd);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	return fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
}

static void teardown(void)
{
	char cmd[160];

	live = false;
	if (fd >= 0)
		close(fd);
	fd = -1;
	gate_open();	/* a failed test may have left a worker at the gate */
	vireo_pc_control_stop(&ctl, "test");
	if (tv.vd)
		tv_detach(&tv);
	else if (tv.tr.ram.map)
		tram_fini(&tv.tr);
	memset(&tv, 0, sizeof(tv));
	free(orig);
	orig = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd)) {
		/* a leftover temp dir is not a test failure */
	}
}

/* ---- the socket ---------------------------------------------------------------- */

/* The next line from the server (events are also logged), or NULL after 5 s. */
static const char *next_line(void)
{
	const char *line = test_line_reader_next(&rd, 5000);

	if (line && strstr(line, "\"event\"") && nr_events < MAX_EVENTS) {
		size_t keep = strnlen(line, sizeof(events[0]) - 1);	/* cut as events[] says */

		memcpy(events[nr_events], line, keep);
		events[nr_events++][keep] = 0;
	}
	return line;
}

/* Send {"id":id,"cmd":cmd,"args":args}; return the reply line. */
static const char *call(int id, const char *cmd, const char *args)
{
	char req[1024], want[32];
	const char *l;
	int n = snprintf(req, sizeof(req), "{\"id\":%d,\"cmd\":\"%s\",\"args\":%s}\n", id, cmd,
			 args ? args : "{}");

	if (write(fd, req, (size_t)n) != n)
		return NULL;
	snprintf(want, sizeof(want), "{\"id\":%d,", id);
	while ((l = next_line()))
		if (!strncmp(l, want, strlen(want)))
			return l;
	return NULL;
}

/* The event containing s, already seen or the next one that comes; NULL after 5 s. */
static const char *wait_event(const char *s)
{
	const char *l;

	for (unsigned int i = 0; i < nr_events; i++)
		if (strstr(events[i], s))
			return events[i];
	while ((l = next_line()))
		if (strstr(l, "\"event\"") && strstr(l, s))
			return l;
	return NULL;
}

static uint64_t num(const char *line, const char *key)
{
	char k[40];
	const char *p;

	snprintf(k, sizeof(k), "\"%s\":", key);
	p = line ? strstr(line, k) : NULL;
	return p ? strtoull(p + strlen(k), NULL, 10) : NONE;
}

static unsigned int take_requests(void)
{
	return atomic_exchange(&ctl.requests, 0);
}

/* The main thread's part: the request bit, then the start. */
static bool service(void)
{
	struct vireo_virtio_dev *disks[1] = { tv.vd };

	if (!(take_requests() & VIREO_PC_CTL_JOB))
		return false;
	vireo_pc_job_service(&ctl, disks, 1);
	return true;
}

/*
 * The progress events of job id: from 0, never going back, each with
 * the same total; *last gets the final "done", *count their number.
 */
static bool progress_ok(uint64_t id, uint64_t total, uint64_t *last, unsigned int *count)
{
	uint64_t prev = 0;
	unsigned int n = 0;

	for (unsigned int i = 0; i < nr_events; i++) {
		const char *e = events[i];
		uint64_t d;

		if (!strstr(e, "\"event\":\"progress\"") || num(e, "job") != id)
			continue;
		d = num(e, "done");
		if (num(e, "total") != total || d < prev || (!n && d != 0))
			return false;
		prev = d;
		n++;
	}
	*last = prev;
	*count = n;
	return n > 0;
}

/* A guest write of one sector of 0x5a at sector s; returns the head. */
static uint16_t guest_write(uint64_t s, uint64_t *status)
{
	struct tdrv *d = &tv.q[0];
	uint32_t hdr[4] = { VIRTIO_BLK_T_OUT, 0, (uint32_t)s, (uint32_t)(s >> 32) };
	uint64_t h = tdrv_alloc(d, 16), data = tdrv_alloc(d, SEC), st = tdrv_alloc(d, 1);
	struct tbuf b[3] = {
		{ h, 16, 0 },
		{ data, SEC, 0 },
		{ st, 1, VRING_DESC_F_WRITE },
	};

	memcpy(tram_ptr(&tv.tr, h), hdr, sizeof(hdr));
	memset(tram_ptr(&tv.tr, data), 0x5a, SEC);
	*(uint8_t *)tram_ptr(&tv.tr, st) = 0xee;
	*status = st;
	return tdrv_add(d, b, 3);
}

/* Does the image at path (any format; perhaps open in the device) read exactly as want? */
static bool image_equals(const char *path, const uint8_t *want)
{
	struct vireo_disk *d;
	uint8_t *buf = malloc(MiB);
	bool same = true;

	if (!buf || vireo_disk_open(path, VIREO_DISK_AUTO, VIREO_DISK_RDONLY | VIREO_DISK_NO_LOCK, &d,
				    NULL)) {
		free(buf);
		return false;
	}
	same = vireo_disk_size(d) == disk_bytes;
	for (uint64_t off = 0; same && off < disk_bytes; off += MiB)
		same = !vireo_disk_pread(d, buf, MiB, off) && !memcmp(buf, want + off, MiB);
	vireo_disk_close(d);
	free(buf);
	return same;
}

/* Is qemu-img there?  If not, say which check is skipped (the rest of the test runs). */
static bool have_qemu_img(const char *what)
{
	if (!system("qemu-img --version >/dev/null 2>&1"))
		return true;
	printf("      note: qemu-img is not installed: %s skipped\n", what);
	fflush(stdout);
	return false;
}

static int sh(const char *fmt, const char *a, const char *b)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), fmt, a, b);
	return system(cmd);
}

/* ---- disk-export --------------------------------------------------------------- */

/*
 * The copy is the disk as it was when the job started: a guest write
 * made during the copy (to a part already copied and to one not yet) is
 * held until the end, and lands on the disk only then.
 */
static void job_export_qcow2_consistent(void)
{
	char args[512];
	const char *r, *fin;
	uint64_t st0, st1, last;
	uint32_t id, len;
	uint16_t h0, h1;
	unsigned int count;

	T_TRUE(setup(false, 8 * MiB, false));
	/* The disk before the job, for qemu-img compare. */
	{
		int f = open(tpath("orig.raw"), O_WRONLY | O_CREAT | O_EXCL, 0600);

		T_TRUE(f >= 0);
		T_EQ(write(f, orig, disk_bytes), disk_bytes);
		close(f);
	}
	gate_set(4 * MiB, NONE);
	snprintf(args, sizeof(args), "{\"disk\":0,\"path\":\"%s\",\"format\":\"qcow2\"}",
		 tpath("copy.qcow2"));
	r = call(1, "disk-export", args);
	T_STR_CONTAINS(r, "\"ok\":true");
	T_EQ(num(r, "job"), 1);
	T_TRUE(service());
	gate_wait_reached();

	/* Half copied.  The guest writes behind and ahead of the copy. */
	h0 = guest_write(0, &st0);
	h1 = guest_write(6 * MiB / SEC, &st1);
	tv_kick(&tv, 0);
	T_TRUE(!tdrv_used_next(&tv.q[0], &id, &len));
	T_EQ(*(uint8_t *)tram_ptr(&tv.tr, st0), 0xee);
	/* One job at a time, whatever it is; the machine is not paused. */
	snprintf(args, sizeof(args), "{\"disk\":0,\"path\":\"%s\"}", tpath("other.qcow2"));
	r = call(2, "disk-export", args);
	T_STR_CONTAINS(r, "state-conflict");
	T_STR_CONTAINS(r, "disk-export of disk 0 (job 1)");
	r = call(3, "disk-resize", "{\"disk\":0,\"size\":\"16M\"}");
	T_STR_CONTAINS(r, "state-conflict");
	r = call(4, "query-status", NULL);
	T_STR_CONTAINS(r, "\"state\":\"running\"");
	T_TRUE(access(tpath("other.qcow2"), F_OK) != 0);

	gate_open();
	fin = wait_event("\"event\":\"job-finished\"");
	T_STR_CONTAINS(fin, "\"operation\":\"disk-export\",\"job\":1,\"disk\":0,\"ok\":true");
	vireo_pc_job_wait(&ctl);
	/* Progress: from 0 to the total, monotonic, bounded in number. */
	T_TRUE(progress_ok(1, 8 * MiB, &last, &count));
	T_EQ(last, 8 * MiB);
	T_TRUE(count >= 2 && count <= 102);
	/* No state change for an export. */
	for (unsigned int i = 0; i < nr_events; i++)
		T_TRUE(!strstr(events[i], "state-changed"));

	/* The copy is the disk from before the writes ... */
	T_TRUE(image_equals(tpath("copy.qcow2"), orig));
	/* ... and the writes were served after it: both completed, both on the disk. */
	T_TRUE(tdrv_used_next(&tv.q[0], &id, &len));
	T_EQ(id, h0);
	T_TRUE(tdrv_used_next(&tv.q[0], &id, &len));
	T_EQ(id, h1);
	T_EQ(*(uint8_t *)tram_ptr(&tv.tr, st1), VIRTIO_BLK_S_OK);
	memset(orig, 0x5a, SEC);
	memset(orig + 6 * MiB, 0x5a, SEC);
	T_TRUE(image_equals(img, orig));
	/* Sparse: the zero half of every MiB took no clusters. */
	{
		struct stat s;

		T_EQ(stat(tpath("copy.qcow2"), &s), 0);
		T_TRUE((uint64_t)s.st_size < 6 * MiB);
	}
	if (have_qemu_img("qemu-img check and compare of the qcow2 export")) {
		T_EQ(sh("qemu-img check -q '%s'%s", tpath("copy.qcow2"), ""), 0);
		T_EQ(sh("qemu-img compare -q -f raw -F qcow2 '%s' '%s'", tpath("orig.raw"),
			tpath("copy.qcow2")), 0);
		/* The guest's two sectors differ from the live disk now. */
		T_EQ(sh("qemu-img compare -q -f raw -F qcow2 '%s' '%s'", img, tpath("copy.qcow2")),
		     1 << 8);
	}
	teardown();
}

/* A qcow2 disk to raw while the machine is paused: it stays paused. */
static void job_export_raw_paused(void)
{
	char args[512];
	const char *r, *fin;
	uint64_t last;
	unsigned int count;
	struct stat s;

	T_TRUE(setup(true, 5 * MiB, false));
	r = call(1, "pause", NULL);
	T_STR_CONTAINS(r, "\"ok\":true");
	take_requests();
	T_TRUE(wait_event("\"reason\":\"pause\"") != NULL);
	snprintf(args, sizeof(args), "{\"disk\":0,\"path\":\"%s\",\"format\":\"raw\"}",
		 tpath("copy.raw"));
	r = call(2, "disk-export", args);
	T_STR_CONTAINS(r, "\"ok\":true");
	T_TRUE(service());
	fin = wait_event("\"event\":\"job-finished\"");
	T_STR_CONTAINS(fin, "\"ok\":true");
	vireo_pc_job_wait(&ctl);
	T_TRUE(progress_ok(1, 5 * MiB, &last, &count));
	T_EQ(last, 5 * MiB);
	/* Byte for byte, as a file, and sparse. */
	{
		size_t n = 0;
		uint8_t *raw = malloc(disk_bytes);
		int f = open(tpath("copy.raw"), O_RDONLY);

		T_TRUE(raw && f >= 0);
		n = (size_t)read(f, raw, disk_bytes);
		close(f);
		T_EQ(n, disk_bytes);
		T_TRUE(!memcmp(raw, orig, disk_bytes));
		free(raw);
	}
	T_EQ(stat(tpath("copy.raw"), &s), 0);
	T_TRUE((uint64_t)s.st_blocks * 512 < disk_bytes);
	r = call(3, "query-status", NULL);
	T_STR_CONTAINS(r, "\"state\":\"paused\"");
	T_EQ(take_requests(), 0);
	/* -U: the monitor holds the qcow2 disk with QEMU's own write locks. */
	if (have_qemu_img("qemu-img compare of the raw export"))
		T_EQ(sh("qemu-img compare -U -q -f qcow2 -F raw '%s' '%s'", img, tpath("copy.raw")),
		     0);
	teardown();
}

/* Refusals: an error reply each, no job, no request, no event, nothing made. */
static void job_export_errors(void)
{
	static const struct {
		const char *args, *code, *text;
	} bad[] = {
		{ "{\"path\":\"@/new\"}", "invalid-argument", "disk: the index" },
		{ "{\"disk\":1,\"path\":\"@/new\"}", "invalid-argument", "no disk 1" },
		{ "{\"disk\":-1,\"path\":\"@/new\"}", "invalid-argument", "no disk -1" },
		{ "{\"disk\":\"0\",\"path\":\"@/new\"}", "invalid-argument", "disk:" },
		{ "{\"disk\":0}", "invalid-argument", "path:" },
		{ "{\"disk\":0,\"path\":\"new.qcow2\"}", "invalid-argument", "absolute" },
		{ "{\"disk\":0,\"path\":\"@/exists\"}", "invalid-argument", "exists" },
		{ "{\"disk\":0,\"path\":\"@/nodir/new\"}", "invalid-argument", "no such directory" },
		{ "{\"disk\":0,\"path\":\"@/new\",\"format\":\"vmdk\"}", "invalid-argument",
		  "format" },
		{ "{\"disk\":0,\"path\":\"@/new\",\"cluster-size\":1000}", "invalid-argument",
		  "cluster-size" },
		{ "{\"disk\":0,\"path\":\"@/new\",\"format\":\"raw\",\"cluster-size\":65536}",
		  "invalid-argument", "cluster-size" },
	};
	char args[512], *at;
	const char *r;
	FILE *f;

	T_TRUE(setup(false, 2 * MiB, false));
	f = fopen(tpath("exists"), "w");
	T_TRUE(f != NULL);
	fputs("keep me", f);
	fclose(f);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(args, sizeof(args), "%s", bad[i].args);
		at = strchr(args, '@');
		if (at) {
			char tail[256];

			snprintf(tail, sizeof(tail), "%s", at + 1);
			snprintf(at, sizeof(args) - (size_t)(at - args), "%s%s", dir, tail);
		}
		r = call((int)i + 1, "disk-export", args);
		T_STR_CONTAINS(r, bad[i].code);
		T_STR_CONTAINS(r, bad[i].text);
	}
	T_EQ(take_requests(), 0);
	T_TRUE(access(tpath("new"), F_OK) != 0);
	{
		char keep[16] = "";

		f = fopen(tpath("exists"), "r");
		T_TRUE(f && fgets(keep, sizeof(keep), f));
		fclose(f);
		T_TRUE(!strcmp(keep, "keep me"));
	}
	/* Nothing to cancel. */
	r = call(40, "job-cancel", NULL);
	T_STR_CONTAINS(r, "state-conflict");
	r = call(41, "query-status", NULL);
	T_STR_CONTAINS(r, "\"state\":\"running\"");
	/* Shutting down: refused whatever the arguments. */
	atomic_store(&ctl.ending, true);
	snprintf(args, sizeof(args), "{\"disk\":0,\"path\":\"%s/new\"}", dir);
	r = call(42, "disk-export", args);
	T_STR_CONTAINS(r, "state-conflict");
	T_EQ(take_requests(), 0);
	T_EQ(nr_events, 0);
	teardown();
}

/* A read error mid-copy, and a cancel mid-copy: an error event, no DEST left. */
static void job_export_failure_and_cancel(void)
{
	char args[512];
	const char *r, *fin;
	uint64_t st, last;
	uint32_t id, len;
	unsigned int count;

	T_TRUE(setup(false, 8 * MiB, false));
	gate_set(NONE, 3 * MiB + 4096);
	snprintf(args, sizeof(args), "{\"disk\":0,\"path\":\"%s\"}", tpath("fail.qcow2"));
	r = call(1, "disk-export", args);
	T_STR_CONTAINS(r, "\"ok\":true");
	T_TRUE(service());
	fin = wait_event("\"event\":\"job-finished\"");
	T_STR_CONTAINS(fin, "\"ok\":false");
	T_STR_CONTAINS(fin, "\"error\":\"disk 0: read at 3145728");
	vireo_pc_job_wait(&ctl);
	T_TRUE(access(tpath("fail.qcow2"), F_OK) != 0);
	T_TRUE(progress_ok(1, 8 * MiB, &last, &count));
	T_TRUE(last < 8 * MiB);

	/* Cancelled while the guest waits for a write: the write is served after. */
	gate_set(2 * MiB, NONE);
	snprintf(args, sizeof(args), "{\"disk\":0,\"path\":\"%s\"}", tpath("cancel.qcow2"));
	r = call(2, "disk-export", args);
	T_STR_CONTAINS(r, "\"job\":2");
	T_TRUE(service());
	gate_wait_reached();
	guest_write(100, &st);
	tv_kick(&tv, 0);
	r = call(3, "job-cancel", "{\"job\":1}");	/* not that one */
	T_STR_CONTAINS(r, "state-conflict");
	r = call(4, "job-cancel", "{\"job\":2}");
	T_STR_CONTAINS(r, "\"ok\":true");
	gate_open();
	fin = wait_event("\"job\":2,\"disk\":0,\"ok\":false");
	T_STR_CONTAINS(fin, "\"error\":\"cancelled\"");
	vireo_pc_job_wait(&ctl);
	T_TRUE(access(tpath("cancel.qcow2"), F_OK) != 0);
	T_TRUE(tdrv_used_next(&tv.q[0], &id, &len));
	T_EQ(*(uint8_t *)tram_ptr(&tv.tr, st), VIRTIO_BLK_S_OK);
	/* The slot is free again. */
	snprintf(args, sizeof(args), "{\"disk\":0,\"path\":\"%s\"}", tpath("after.qcow2"));
	r = call(5, "disk-export", args);
	T_STR_CONTAINS(r, "\"job\":3");
	T_TRUE(service());
	fin = wait_event("\"job\":3,\"disk\":0,\"ok\":true");
	T_TRUE(fin != NULL);
	vireo_pc_job_wait(&ctl);
	memset(orig + 100 * SEC, 0x5a, SEC);
	T_TRUE(image_equals(tpath("after.qcow2"), orig));
	teardown();
}

static bool file_holds(const char *path, const char *want)
{
	char got[64] = "";
	FILE *f = fopen(path, "r");
	bool ok = f && fgets(got, sizeof(got), f) && !strcmp(got, want);

	if (f)
		fclose(f);
	return ok;
}

/*
 * "overwrite": an existing DEST is replaced only by a complete copy; a
 * copy that fails leaves it as it was, and the machine's own disk (locked
 * by its device) is never replaced.
 */
static void job_export_overwrite(void)
{
	char args[512];
	const char *r, *fin;
	FILE *f;

	T_TRUE(setup(false, 4 * MiB, false));
	f = fopen(tpath("old"), "w");
	T_TRUE(f != NULL);
	fputs("keep me", f);
	fclose(f);
	/* A read error at 1 MiB: job-finished not ok, "old" untouched. */
	gate_set(NONE, MiB + 4096);
	snprintf(args, sizeof(args), "{\"disk\":0,\"path\":\"%s\",\"overwrite\":true}",
		 tpath("old"));
	T_STR_CONTAINS(call(1, "disk-export", args), "\"ok\":true");
	T_TRUE(service());
	fin = wait_event("\"event\":\"job-finished\"");
	T_STR_CONTAINS(fin, "\"ok\":false");
	vireo_pc_job_wait(&ctl);
	T_TRUE(file_holds(tpath("old"), "keep me"));
	/* Onto the machine's own disk: refused as in use, the disk intact. */
	gate_set(NONE, NONE);
	snprintf(args, sizeof(args), "{\"disk\":0,\"path\":\"%s\",\"overwrite\":true}", img);
	T_STR_CONTAINS(call(2, "disk-export", args), "\"ok\":true");
	T_TRUE(service());
	fin = wait_event("\"job\":2,\"disk\":0,\"ok\":false");
	T_STR_CONTAINS(fin, "in use");
	vireo_pc_job_wait(&ctl);
	T_TRUE(image_equals(img, orig));
	/* A bad "overwrite", then a complete copy that replaces "old". */
	snprintf(args, sizeof(args), "{\"disk\":0,\"path\":\"%s\",\"overwrite\":1}",
		 tpath("old"));
	r = call(3, "disk-export", args);
	T_STR_CONTAINS(r, "invalid-argument");
	snprintf(args, sizeof(args), "{\"disk\":0,\"path\":\"%s\",\"overwrite\":true}",
		 tpath("old"));
	T_STR_CONTAINS(call(4, "disk-export", args), "\"ok\":true");
	T_TRUE(service());
	fin = wait_event("\"job\":3,\"disk\":0,\"ok\":true");
	T_TRUE(fin != NULL);
	vireo_pc_job_wait(&ctl);
	T_TRUE(image_equals(tpath("old"), orig));
	teardown();
}

/* The machine's end: a pending job and a running one are cancelled; a reset waits. */
static void job_machine_end(void)
{
	char args[512];
	const char *r, *fin;

	/* A reset: the running job carries on to its end. */
	T_TRUE(setup(false, 4 * MiB, false));
	gate_set(MiB, NONE);
	snprintf(args, sizeof(args), "{\"disk\":0,\"path\":\"%s\"}", tpath("a.qcow2"));
	T_STR_CONTAINS(call(1, "disk-export", args), "\"ok\":true");
	T_TRUE(service());
	gate_wait_reached();
	vireo_pc_job_machine_end(&ctl, false);
	gate_open();
	vireo_pc_job_wait(&ctl);
	fin = wait_event("\"event\":\"job-finished\"");
	T_STR_CONTAINS(fin, "\"ok\":true");
	T_TRUE(image_equals(tpath("a.qcow2"), orig));

	/* The end: the running job stops at its next chunk and leaves nothing. */
	gate_set(MiB, NONE);
	snprintf(args, sizeof(args), "{\"disk\":0,\"path\":\"%s\"}", tpath("b.qcow2"));
	T_STR_CONTAINS(call(2, "disk-export", args), "\"job\":2");
	T_TRUE(service());
	gate_wait_reached();
	vireo_pc_job_machine_end(&ctl, true);
	gate_open();
	vireo_pc_job_wait(&ctl);
	fin = wait_event("\"job\":2,\"disk\":0,\"ok\":false");
	T_STR_CONTAINS(fin, "cancelled");
	T_TRUE(access(tpath("b.qcow2"), F_OK) != 0);
	/* ... and no new job is taken. */
	snprintf(args, sizeof(args), "{\"disk\":0,\"path\":\"%s\"}", tpath("c.qcow2"));
	r = call(3, "disk-export", args);
	T_STR_CONTAINS(r, "state-conflict");
	teardown();

	/* A job accepted but never started finishes as cancelled. */
	T_TRUE(setup(false, 2 * MiB, false));
	snprintf(args, sizeof(args), "{\"disk\":0,\"path\":\"%s\"}", tpath("d.qcow2"));
	T_STR_CONTAINS(call(1, "disk-export", args), "\"ok\":true");
	vireo_pc_job_machine_end(&ctl, true);
	fin = wait_event("\"event\":\"job-finished\"");
	T_STR_CONTAINS(fin, "\"ok\":false,\"path\":");
	T_STR_CONTAINS(fin, "the machine stopped");
	T_TRUE(access(tpath("d.qcow2"), F_OK) != 0);
	teardown();
}

/* ---- disk-resize ---------------------------------------------------------------- */

static uint64_t capacity(void)
{
	return tv_read(&tv, VIREO_VIRTIO_PCI_DEVICE + VIRTIO_BLK_CFG_CAPACITY, 8);
}

static uint8_t generation(void)
{
	return (uint8_t)tv_read(&tv, VIRTIO_PCI_COMMON_CFGGEN, 1);
}

static void resize_one(bool qcow2)
{
	const char *r, *fin;
	struct vireo_disk *d;
	uint8_t gen;
	uint64_t last;
	unsigned int count;

	T_TRUE(setup(qcow2, MiB, false));
	gen = generation();
	r = call(1, "query-disks", NULL);
	T_STR_CONTAINS(r, "\"index\":0");
	T_STR_CONTAINS(r, img);
	T_STR_CONTAINS(r, "\"readonly\":false,\"size\":1048576");
	/* Refused at once: shrinking, part sectors, junk. */
	T_STR_CONTAINS(call(2, "disk-resize", "{\"disk\":0,\"size\":\"512K\"}"), "shrink");
	T_STR_CONTAINS(call(3, "disk-resize", "{\"disk\":0,\"size\":3000000}"), "512-byte");
	T_STR_CONTAINS(call(4, "disk-resize", "{\"disk\":0,\"size\":\"lots\"}"), "invalid-argument");
	T_STR_CONTAINS(call(5, "disk-resize", "{\"disk\":0}"), "invalid-argument");
	T_STR_CONTAINS(call(6, "disk-resize", "{\"disk\":2,\"size\":\"4M\"}"), "no disk 2");
	T_EQ(take_requests(), 0);
	T_EQ(capacity(), MiB / SEC);

	r = call(7, "disk-resize", "{\"disk\":0,\"size\":\"4M\"}");
	T_STR_CONTAINS(r, "\"job\":1");
	T_TRUE(service());
	fin = wait_event("\"event\":\"job-finished\"");
	T_STR_CONTAINS(fin, "\"operation\":\"disk-resize\",\"job\":1,\"disk\":0,\"ok\":true,"
			    "\"size\":4194304");
	vireo_pc_job_wait(&ctl);
	T_TRUE(progress_ok(1, 4 * MiB, &last, &count));
	T_EQ(last, 4 * MiB);
	T_EQ(count, 2);
	/* The guest's view: capacity, a new generation, the config interrupt. */
	T_EQ(capacity(), 4 * MiB / SEC);
	T_TRUE(generation() != gen);
	T_EQ(tv_read(&tv, VIREO_VIRTIO_PCI_ISR, 1), VIRTIO_PCI_ISR_CONFIG);
	T_STR_CONTAINS(call(8, "query-disks", NULL), "\"size\":4194304");
	/* Relative growth. */
	T_STR_CONTAINS(call(9, "disk-resize", "{\"disk\":0,\"size\":\"+1M\"}"), "\"job\":2");
	T_TRUE(service());
	T_STR_CONTAINS(wait_event("\"job\":2,\"disk\":0,\"ok\":true"), "\"size\":5242880");
	vireo_pc_job_wait(&ctl);
	T_EQ(capacity(), 5 * MiB / SEC);
	/* The image itself, after the device closed it. */
	tv_detach(&tv);
	memset(&tv, 0, sizeof(tv));
	T_EQ(vireo_disk_open(img, VIREO_DISK_AUTO, VIREO_DISK_RDONLY, &d, NULL), 0);
	T_EQ(vireo_disk_size(d), 5 * MiB);
	vireo_disk_close(d);
	if (qcow2 && have_qemu_img("qemu-img check of the grown qcow2"))
		T_EQ(sh("qemu-img check -q '%s'%s", img, ""), 0);
	teardown();
}

static void job_resize_raw(void)
{
	T_CALL(resize_one(false));
}

static void job_resize_qcow2(void)
{
	T_CALL(resize_one(true));
}

static void job_resize_refused(void)
{
	const char *fin;

	/* A read-only disk. */
	T_TRUE(setup(false, MiB, true));
	T_STR_CONTAINS(call(1, "disk-resize", "{\"disk\":0,\"size\":\"2M\"}"), "read-only");
	T_EQ(take_requests(), 0);
	teardown();

	/* A shrink the handler could not see (size not known yet): the worker refuses. */
	T_TRUE(setup(false, 2 * MiB, false));
	atomic_store(&ctl.disk_size[0], 0);
	T_STR_CONTAINS(call(1, "disk-resize", "{\"disk\":0,\"size\":\"1M\"}"), "\"ok\":true");
	T_TRUE(service());
	fin = wait_event("\"event\":\"job-finished\"");
	T_STR_CONTAINS(fin, "\"ok\":false");
	T_STR_CONTAINS(fin, "shrink");
	vireo_pc_job_wait(&ctl);
	T_EQ(capacity(), 2 * MiB / SEC);
	teardown();
}

static const struct vireo_test vireo_tests_run_job[] = {
	VIREO_TEST(job_export_qcow2_consistent),
	VIREO_TEST(job_export_raw_paused),
	VIREO_TEST(job_export_errors),
	VIREO_TEST(job_export_failure_and_cancel),
	VIREO_TEST(job_export_overwrite),
	VIREO_TEST(job_machine_end),
	VIREO_TEST(job_resize_raw),
	VIREO_TEST(job_resize_qcow2),
	VIREO_TEST(job_resize_refused),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(run_job, vireo_tests_run_job);
