// SPDX-License-Identifier: GPL-2.0
/*
 * kfuzz executor: one program, in the process the supervisor forked.
 *
 * Threads: the main one makes the program's calls (gen.c); runners loop
 * VIREO_RUN on a vCPU meanwhile, so that the main thread's slot
 * deletions, munmaps, closes and register writes hit a running VM; a
 * watchdog kicks any thread that stays in an ioctl longer than the
 * program's kick time.
 *
 * The kick is a thread-directed SIGUSR1 (pthread_kill) whose handler does
 * nothing and is installed without SA_RESTART, as a VMM kicks a vCPU
 * thread: vireo.ko checks signal_pending() before each entry (with
 * interrupts off, kmod/svm/svm.c and kmod/vmx/vmx.c) and in its HLT wait,
 * and the signal's IPI ends a guest's run.  A process-directed timer
 * signal would not do: it may go to a thread asleep on the vCPU mutex
 * and leave the one in VIREO_RUN running.  A thread asleep on the vCPU
 * mutex (mutex_lock_killable) is not woken by it either; it waits for the
 * runner, which the watchdog kicks too.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "kfuzz.h"
#include "vtest.h"

/* The names are vireo-misuse's (tests/guest/vtest.c). */
const char *kf_exit_name(uint32_t reason)
{
	return vt_exit_name(reason);
}

/* ------------------------------------------------------------ tracing */

void kf_trace(struct kf_prog *p, int tid, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	if (!p->o->trace)
		return;
	n = snprintf(line, sizeof(line), "kfuzz[%llu] t%d ", (unsigned long long)p->seed, tid);
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	/* one write per line: threads do not interleave within a line */
	if (write(STDOUT_FILENO, line, n) < 0)
		return;
}

/* ------------------------------------------------------------ ioctl */

long kf_ioctl(struct kf_prog *p, int tid, const char *name, int fd, unsigned long req,
	      unsigned long arg)
{
	struct kf_thread *t = &p->threads[tid];
	long r;

	__atomic_store_n(&t->call, name, __ATOMIC_RELAXED);
	__atomic_store_n(&t->enter_ns, kf_now_ns(), __ATOMIC_RELEASE);
	r = ioctl(fd, req, arg);
	if (r < 0)
		r = -errno;
	__atomic_store_n(&t->enter_ns, 0, __ATOMIC_RELEASE);
	kf_add(&p->st->calls, 1);
	if (r >= 0)
		kf_add(&p->st->calls_ok, 1);
	return r;
}

static void kick_handler(int sig)
{
	(void)sig;
}

static uint64_t crash_seed;

/* A crash of the program itself: where, for addr2line on the static binary. */
static void crash_handler(int sig, siginfo_t *si, void *uc_)
{
	ucontext_t *uc = uc_;
	char line[160];
	int n = snprintf(line, sizeof(line), "kfuzz: seed %llu: signal %d at address %p, rip %#llx\n",
			 (unsigned long long)crash_seed, sig, si->si_addr,
			 (unsigned long long)uc->uc_mcontext.gregs[REG_RIP]);

	if (write(STDOUT_FILENO, line, n) < 0)
		(void)0;
	signal(sig, SIG_DFL);
	raise(sig);
}

static void *watchdog_main(void *arg)
{
	struct kf_prog *p = arg;
	const struct timespec tick = { 0, 1000000 };	/* 1 ms */
	int i;

	while (!p->wd_stop) {
		uint64_t now;

		nanosleep(&tick, NULL);
		now = kf_now_ns();
		pthread_mutex_lock(&p->wd_lock);
		for (i = 0; i < KF_MAX_THREADS; i++) {
			struct kf_thread *t = &p->threads[i];
			uint64_t enter = __atomic_load_n(&t->enter_ns, __ATOMIC_ACQUIRE);

			if (!t->used || !enter || now < enter)
				continue;
			if (now - enter >= p->kick_ns && now - t->last_kick_ns >= p->kick_ns / 2 + 1000000) {
				pthread_kill(t->tid, SIGUSR1);
				t->last_kick_ns = now;
			}
			if (now - enter >= p->hang_ns && !t->hang_reported) {
				const char *name = __atomic_load_n(&t->call, __ATOMIC_RELAXED);

				t->hang_reported = true;
				fprintf(stderr, "kfuzz: HANG seed %llu: thread %d in %s for %llu ms despite kicks every %llu ms\n",
					(unsigned long long)p->seed, i, name ? name : "?",
					(unsigned long long)((now - enter) / 1000000),
					(unsigned long long)(p->kick_ns / 1000000));
				kf_add(&p->st->hung_ioctls, 1);
				__atomic_store_n(&p->st->hung_seed, p->seed, __ATOMIC_RELAXED);
			}
		}
		pthread_mutex_unlock(&p->wd_lock);
	}
	return NULL;
}

/* ------------------------------------------------------------ exits */

static void count_code(struct kf_code_count *tab, uint64_t code, uint64_t seed)
{
	uint64_t key = code + 1;
	int i;

	for (i = 0; i < KF_MAX_UNKNOWN; i++) {
		uint64_t k = __atomic_load_n(&tab[i].key, __ATOMIC_ACQUIRE);

		if (!k) {
			uint64_t zero = 0;

			if (__atomic_compare_exchange_n(&tab[i].key, &zero, key, false,
							__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
				__atomic_store_n(&tab[i].seed, seed, __ATOMIC_RELAXED);
				k = key;
			} else {
				k = zero;
			}
		}
		if (k == key) {
			kf_add(&tab[i].count, 1);
			return;
		}
	}
}

void kf_count_exit(struct kf_prog *p, const struct vireo_run *run)
{
	uint32_t reason = run->exit_reason;

	kf_add(&p->st->exits[reason < KF_NR_EXITS ? reason : KF_NR_EXITS - 1], 1);
	if (reason == VIREO_EXIT_UNKNOWN)
		count_code(p->st->unknown, run->hw.hardware_code, p->seed);
	else if (reason == VIREO_EXIT_FAIL_ENTRY)
		count_code(p->st->fail_entry, run->hw.hardware_code, p->seed);
	else if (reason == VIREO_EXIT_INTERNAL_ERROR)
		kf_add(&p->st->internal_suberror[run->hw.suberror < 4 ? run->hw.suberror : 0], 1);
}

void kf_vcpu_view(struct kf_prog *p, int obj, struct kf_vcpu_view *v)
{
	struct kf_obj *o = &p->objs[obj];

	memset(v, 0, sizeof(*v));
	v->obj = obj;
	v->fd = o->fd;
	/*
	 * A closed fd's number may belong to another vCPU by now: its exits
	 * would be read from the wrong page.  Without the page they are not
	 * counted at all.
	 */
	v->run = o->open && o->kind == KF_VCPU ? o->run : NULL;
	v->mode = o->mode;
	if (o->kind == KF_VCPU && o->vm >= 0) {
		struct kf_obj *vm = &p->objs[o->vm];

		v->nsnips = vm->nsnips;
		memcpy(v->snips, vm->snips, sizeof(v->snips));
	}
}

/* The first snippet start after rip, or 0 if none. */
static uint64_t next_snippet(const struct kf_vcpu_view *v, uint64_t rip)
{
	int i;

	for (i = 0; i < v->nsnips; i++)
		if (v->snips[i] > rip)
			return v->snips[i];
	return 0;
}

/* Moves RIP on (past an MMIO instruction, a fault loop) or re-sets the mode. */
static void steer(struct kf_prog *p, struct kf_rng *r, int tid, struct kf_vcpu_view *v,
		  bool reset_mode)
{
	struct vireo_regs regs;
	uint64_t next;

	if (reset_mode) {
		struct vireo_sregs sr;

		kf_guest_sregs(v->mode, &sr);
		kf_ioctl(p, tid, "VIREO_SET_SREGS", v->fd, VIREO_SET_SREGS, (unsigned long)&sr);
		kf_guest_regs(r, v->mode, &regs);
		if (v->nsnips)
			regs.rip = v->snips[kf_below(r, v->nsnips)];
		kf_ioctl(p, tid, "VIREO_SET_REGS", v->fd, VIREO_SET_REGS, (unsigned long)&regs);
		return;
	}
	if (kf_ioctl(p, tid, "VIREO_GET_REGS", v->fd, VIREO_GET_REGS, (unsigned long)&regs) < 0)
		return;
	next = next_snippet(v, regs.rip);
	if (!next || kf_pct(r, 10))
		next = v->nsnips ? v->snips[kf_below(r, v->nsnips)] : regs.rip + 1 + kf_below(r, 8);
	regs.rip = next;
	kf_ioctl(p, tid, "VIREO_SET_REGS", v->fd, VIREO_SET_REGS, (unsigned long)&regs);
}

static bool runners_active(struct kf_prog *p)
{
	int i;

	for (i = 1; i < KF_MAX_THREADS; i++)
		if (p->threads[i].used)
			return true;
	return false;
}

/*
 * The answer a VMM would give, with random data: IN and RDMSR values,
 * #GP for some MSRs, RIP moved past what userland would emulate, an
 * interrupt for a window or a HLT, the mode set up again after a
 * shutdown or a failed entry.
 */
static void answer_exit(struct kf_prog *p, struct kf_rng *r, int tid, struct kf_vcpu_view *v)
{
	struct vireo_run *run = v->run;
	struct vireo_event ev = { .type = VIREO_EVENT_EXTINT };

	switch (run->exit_reason) {
	case VIREO_EXIT_IO:
		if (run->io.direction == VIREO_IO_IN)
			run->io.data = kf_pct(r, 50) ? kf_rand(r) : kf_boundary(r);
		if (run->io.string && kf_pct(r, 80))
			steer(p, r, tid, v, false);
		break;
	case VIREO_EXIT_MSR:
		run->msr.data = kf_pct(r, 50) ? kf_rand(r) : kf_boundary(r);
		run->msr.error = kf_pct(r, 30) ? (kf_pct(r, 90) ? 1 : kf_rand(r)) : 0;
		break;
	case VIREO_EXIT_MMIO:
		if (kf_pct(r, 85))
			steer(p, r, tid, v, false);
		break;
	case VIREO_EXIT_HLT:
	case VIREO_EXIT_IRQ_WINDOW:
		if (kf_pct(r, 40)) {
			ev.vector = 32 + kf_below(r, 224);
			kf_ioctl(p, tid, "VIREO_INJECT_EVENT", v->fd, VIREO_INJECT_EVENT,
				 (unsigned long)&ev);
		}
		if (run->exit_reason == VIREO_EXIT_HLT && kf_pct(r, 30))
			steer(p, r, tid, v, false);
		break;
	case VIREO_EXIT_SHUTDOWN:
	case VIREO_EXIT_FAIL_ENTRY:
	case VIREO_EXIT_INTERNAL_ERROR:
	case VIREO_EXIT_UNKNOWN:
		if (kf_pct(r, 70))
			steer(p, r, tid, v, true);
		break;
	default:
		break;
	}
	/*
	 * Sometimes userland scribbles over the kernel's half of the page.
	 * Only the main thread with no runner: another thread reading its
	 * own exit from this vCPU's page would count the garbage.
	 */
	if (kf_pct(r, 3) && tid == 0 && !runners_active(p)) {
		uint8_t *b = (uint8_t *)run + offsetof(struct vireo_run, exit_reason);
		size_t i, len = sizeof(*run) - offsetof(struct vireo_run, exit_reason);

		for (i = 0; i < len; i++)
			b[i] = kf_rand(r);
	}
}


/* ------------------------------------------------------------ --dump-fail */

/* What a RUN started from, for --dump-fail: the boundary checks' blind spots. */
struct entry_state {
	bool valid;
	struct vireo_sregs sr;
	struct vireo_regs regs;
};

static void entry_state_get(int fd, struct entry_state *e)
{
	e->valid = ioctl(fd, VIREO_GET_SREGS, &e->sr) == 0 &&
		   ioctl(fd, VIREO_GET_REGS, &e->regs) == 0;
}

static int seg_text(char *b, size_t n, const char *name, const struct vireo_segment *s)
{
	return snprintf(b, n, " %s=%#x/%#llx/%#x t%u s%u d%u p%u db%u l%u g%u a%u u%u", name,
			s->selector, (unsigned long long)s->base, s->limit, s->type, s->s, s->dpl,
			s->present, s->db, s->l, s->g, s->avl, s->unusable);
}

static void entry_state_print(struct kf_prog *p, int tid, const char *when,
			      const struct entry_state *e)
{
	const struct vireo_sregs *sr = &e->sr;
	char line[1024];
	int n;

	if (!e->valid)
		return;
	n = snprintf(line, sizeof(line),
		     "kfuzz: FAIL-STATE seed %llu t%d %s cr0 %#llx cr3 %#llx cr4 %#llx efer %#llx cr8 %#llx rip %#llx rflags %#llx rsp %#llx gdt %#llx/%#x idt %#llx/%#x",
		     (unsigned long long)p->seed, tid, when, (unsigned long long)sr->cr0,
		     (unsigned long long)sr->cr3, (unsigned long long)sr->cr4,
		     (unsigned long long)sr->efer, (unsigned long long)sr->cr8,
		     (unsigned long long)e->regs.rip, (unsigned long long)e->regs.rflags,
		     (unsigned long long)e->regs.rsp, (unsigned long long)sr->gdt.base,
		     sr->gdt.limit, (unsigned long long)sr->idt.base, sr->idt.limit);
	printf("%s\n", line);
	n = snprintf(line, sizeof(line), "kfuzz: FAIL-STATE seed %llu t%d %s",
		     (unsigned long long)p->seed, tid, when);
	n += seg_text(line + n, sizeof(line) - n, "cs", &sr->cs);
	n += seg_text(line + n, sizeof(line) - n, "ss", &sr->ss);
	n += seg_text(line + n, sizeof(line) - n, "ds", &sr->ds);
	n += seg_text(line + n, sizeof(line) - n, "es", &sr->es);
	printf("%s\n", line);
	n = snprintf(line, sizeof(line), "kfuzz: FAIL-STATE seed %llu t%d %s",
		     (unsigned long long)p->seed, tid, when);
	n += seg_text(line + n, sizeof(line) - n, "fs", &sr->fs);
	n += seg_text(line + n, sizeof(line) - n, "gs", &sr->gs);
	n += seg_text(line + n, sizeof(line) - n, "tr", &sr->tr);
	n += seg_text(line + n, sizeof(line) - n, "ldt", &sr->ldt);
	printf("%s\n", line);
	fflush(stdout);
}

long kf_run_once(struct kf_prog *p, struct kf_rng *r, int tid, struct kf_vcpu_view *v,
		 char *desc, size_t n)
{
	struct vireo_run *run = v->run;
	unsigned long arg = kf_pct(r, 2) ? kf_boundary(r) : 0;
	struct entry_state before = { .valid = false }, after;
	long ret;

	if (run) {
		run->immediate_exit = kf_pct(r, 3);
		run->request_interrupt_window = kf_pct(r, 10);
		if (kf_pct(r, 2))
			memset(run->reserved_in, kf_rand(r), sizeof(run->reserved_in));
	}
	if (p->o->dump_fail)
		entry_state_get(v->fd, &before);
	ret = kf_ioctl(p, tid, "VIREO_RUN", v->fd, VIREO_RUN, arg);
	kf_add(&p->st->runs, 1);
	if (p->o->dump_fail && run && ret == 0 && run->exit_reason == VIREO_EXIT_FAIL_ENTRY) {
		printf("kfuzz: FAIL-STATE seed %llu t%d code %#llx info %#llx %#llx rip %#llx\n",
		       (unsigned long long)p->seed, tid, (unsigned long long)run->hw.hardware_code,
		       (unsigned long long)run->hw.info1, (unsigned long long)run->hw.info2,
		       (unsigned long long)run->rip);
		entry_state_print(p, tid, "before", &before);
		entry_state_get(v->fd, &after);
		entry_state_print(p, tid, "after", &after);
	}
	if (!run || (ret != 0 && ret != -EINTR)) {
		snprintf(desc, n, "VIREO_RUN(fd %d, %#lx) = %ld%s", v->fd, arg, ret,
			 run ? "" : " (run page not mapped)");
		return ret;
	}
	if (ret == 0)
		kf_add(&p->st->runs_ok, 1);
	kf_count_exit(p, run);
	switch (run->exit_reason) {
	case VIREO_EXIT_IO:
		snprintf(desc, n, "VIREO_RUN(fd %d) = %ld exit IO %s port %#x size %u%s rip %#llx",
			 v->fd, ret, run->io.direction ? "out" : "in", run->io.port, run->io.size,
			 run->io.string ? " string" : "", (unsigned long long)run->rip);
		break;
	case VIREO_EXIT_MMIO:
		snprintf(desc, n, "VIREO_RUN(fd %d) = %ld exit MMIO gpa %#llx %s rip %#llx", v->fd,
			 ret, (unsigned long long)run->mmio.gpa, run->mmio.is_write ? "write" : "read",
			 (unsigned long long)run->rip);
		break;
	case VIREO_EXIT_MSR:
		snprintf(desc, n, "VIREO_RUN(fd %d) = %ld exit MSR %#x %s rip %#llx", v->fd, ret,
			 run->msr.index, run->msr.is_write ? "write" : "read",
			 (unsigned long long)run->rip);
		break;
	case VIREO_EXIT_FAIL_ENTRY:
	case VIREO_EXIT_INTERNAL_ERROR:
	case VIREO_EXIT_UNKNOWN:
	case VIREO_EXIT_SHUTDOWN:
		snprintf(desc, n, "VIREO_RUN(fd %d) = %ld exit %s code %#llx info %#llx %#llx sub %u rip %#llx",
			 v->fd, ret, kf_exit_name(run->exit_reason),
			 (unsigned long long)run->hw.hardware_code, (unsigned long long)run->hw.info1,
			 (unsigned long long)run->hw.info2, run->hw.suberror,
			 (unsigned long long)run->rip);
		break;
	default:
		snprintf(desc, n, "VIREO_RUN(fd %d) = %ld exit %s rip %#llx", v->fd, ret,
			 kf_exit_name(run->exit_reason), (unsigned long long)run->rip);
		break;
	}
	answer_exit(p, r, tid, v);
	return ret;
}

/* ------------------------------------------------------------ runners */

struct runner {
	struct kf_prog *p;
	int tid;
	unsigned int runs;
	struct kf_rng rng;
	struct kf_vcpu_view v;
	bool own_map;		/* v.run is our own mapping of the run page */
	int own_fd;		/* a dup of the vCPU fd, or -1 */
};

static void *runner_main(void *arg)
{
	struct runner *rn = arg;
	struct kf_prog *p = rn->p;
	unsigned int i, errors = 0;
	char desc[512];

	for (i = 0; i < rn->runs && !p->stop && errors < 8; i++) {
		long r = kf_run_once(p, &rn->rng, rn->tid, &rn->v, desc, sizeof(desc));

		kf_trace(p, rn->tid, "%s", desc);
		if (r < 0 && r != -EINTR)
			errors++;
	}
	if (rn->own_map)
		munmap(rn->v.run, VIREO_RUN_PAGE_SIZE);
	if (rn->own_fd >= 0)
		close(rn->own_fd);
	return rn;
}

int kf_spawn_runner(struct kf_prog *p, int obj, unsigned int runs)
{
	struct runner *rn;
	void *run;
	int tid;

	for (tid = 1; tid < KF_MAX_THREADS && tid <= (int)p->o->runners; tid++)
		if (!p->threads[tid].used)
			break;
	if (tid == KF_MAX_THREADS || tid > (int)p->o->runners)
		return -1;
	rn = calloc(1, sizeof(*rn));
	if (!rn)
		return -1;
	rn->p = p;
	rn->tid = tid;
	rn->runs = runs;
	kf_rng_init(&rn->rng, p->seed, 100 + p->ncalls);
	kf_vcpu_view(p, obj, &rn->v);
	/*
	 * An fd and a mapping of its own: the main thread may close its fd
	 * meanwhile (the file lives on) and the number may come back as
	 * another vCPU, whose exits must not be read from this one's page.
	 */
	rn->own_fd = fcntl(rn->v.fd, F_DUPFD_CLOEXEC, 3);
	rn->v.fd = rn->own_fd;
	run = mmap(NULL, VIREO_RUN_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, rn->v.fd, 0);
	if (run != MAP_FAILED) {
		rn->v.run = run;
		rn->own_map = true;
	} else {
		rn->v.run = NULL;
	}
	pthread_mutex_lock(&p->wd_lock);
	memset(&p->threads[tid], 0, sizeof(p->threads[tid]));
	p->threads[tid].index = tid;
	if (pthread_create(&p->threads[tid].tid, NULL, runner_main, rn)) {
		pthread_mutex_unlock(&p->wd_lock);
		if (rn->own_map)
			munmap(rn->v.run, VIREO_RUN_PAGE_SIZE);
		if (rn->own_fd >= 0)
			close(rn->own_fd);
		free(rn);
		return -1;
	}
	p->threads[tid].used = true;
	pthread_mutex_unlock(&p->wd_lock);
	return tid;
}

void kf_join_runners(struct kf_prog *p)
{
	int tid;

	p->stop = true;
	for (tid = 1; tid < KF_MAX_THREADS; tid++) {
		void *rn;

		if (!p->threads[tid].used)
			continue;
		/* The watchdog keeps kicking it out of RUN until it sees stop. */
		while (__atomic_load_n(&p->threads[tid].enter_ns, __ATOMIC_ACQUIRE) ||
		       pthread_tryjoin_np(p->threads[tid].tid, &rn) == EBUSY) {
			const struct timespec ms = { 0, 1000000 };

			nanosleep(&ms, NULL);
		}
		pthread_mutex_lock(&p->wd_lock);
		p->threads[tid].used = false;
		pthread_mutex_unlock(&p->wd_lock);
		free(rn);
	}
	p->stop = false;
}

/* ------------------------------------------------------------ fork */

static void alarm_handler(int sig)
{
	(void)sig;
}

/*
 * The child: ioctls on the inherited fds (the VM's memory belongs to the
 * parent: vireo.ko answers -EIO), a VM of its own from an inherited
 * /dev/vireo fd, a RUN under a process timer (single-threaded: the
 * signal can only go to us), then exit with everything open.
 */
static void fork_child(struct kf_prog *p, struct kf_rng *r)
{
	struct sigaction sa = { .sa_handler = alarm_handler };
	struct itimerval it = { { 0, 2000 }, { 0, 2000 } };
	int i, n = 1 + kf_below(r, 6);

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	/* the watchdog is not here: only thread 0 exists */
	p->threads[0].tid = pthread_self();
	for (i = 0; i < n; i++) {
		int obj = kf_below(r, p->nobjs ? p->nobjs : 1);
		struct kf_obj *o = &p->objs[obj];
		long ret;

		if (!p->nobjs)
			break;
		switch (o->kind) {
		case KF_SYS: {
			long vm = kf_ioctl(p, 0, "VIREO_CREATE_VM", o->fd, VIREO_CREATE_VM, 0);

			if (vm >= 0) {
				long vcpu = kf_ioctl(p, 0, "VIREO_CREATE_VCPU", vm, VIREO_CREATE_VCPU, 0);

				if (vcpu >= 0 && kf_pct(r, 50))
					kf_ioctl(p, 0, "VIREO_RUN", vcpu, VIREO_RUN, 0);
			}
			break;
		}
		case KF_VM:
			ret = kf_ioctl(p, 0, "VIREO_CREATE_VCPU", o->fd, VIREO_CREATE_VCPU,
				       kf_below(r, 4));
			(void)ret;
			break;
		case KF_VCPU:
			kf_ioctl(p, 0, "VIREO_RUN", o->fd, VIREO_RUN, 0);
			if (o->run && kf_pct(r, 50))
				o->run->immediate_exit = 1;	/* a shared page the child can write */
			break;
		default:
			break;
		}
		if (kf_pct(r, 20) && o->open)
			close(o->fd);
	}
	if (kf_pct(r, 30)) {
		const struct timespec t = { 0, kf_below(r, 20) * 1000000 };

		nanosleep(&t, NULL);
	}
	_exit(0);
}

long kf_fork_child(struct kf_prog *p, struct kf_rng *r, char *desc, size_t n)
{
	uint64_t child_seed = kf_rand(r);
	pid_t pid;

	if (p->children >= 8) {
		snprintf(desc, n, "fork: skipped (8 children)");
		return -EAGAIN;
	}
	/* No runner may be inside RUN with a lock the child would copy: none is. */
	pid = fork();
	if (pid < 0) {
		snprintf(desc, n, "fork() = -%d", errno);
		return -errno;
	}
	if (pid == 0) {
		struct kf_rng cr;

		kf_rng_init(&cr, child_seed, 7);
		fork_child(p, &cr);
	}
	p->children++;
	snprintf(desc, n, "fork() = child %d", pid);
	/* Not waited for here: the supervisor reaps the process group. */
	return pid;
}

/* ------------------------------------------------------------ program */

int kf_program(uint64_t seed, const struct kf_opts *o, struct kf_stats *st)
{
	static struct kf_prog prog;
	struct kf_prog *p = &prog;
	struct sigaction sa = { .sa_handler = kick_handler };	/* no SA_RESTART */
	unsigned int i, ncalls;
	uint8_t *pages;

	memset(p, 0, sizeof(*p));
	p->seed = seed;
	p->o = o;
	p->st = st;
	kf_rng_init(&p->rng, seed, 0);
	pthread_mutex_init(&p->lock, NULL);
	pthread_mutex_init(&p->wd_lock, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	crash_seed = seed;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = crash_handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);

	/* ro page, edge page, hole (no access): for ill-formed pointers */
	pages = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pages == MAP_FAILED)
		return 1;
	memset(pages, 0xa5, 2 * 4096);
	mprotect(pages, 4096, PROT_READ);
	/*
	 * PROT_NONE, not munmap: an unmapped page would be handed out again
	 * by the next mmap, and a "bad" pointer would then point at memory.
	 */
	mprotect(pages + 2 * 4096, 4096, PROT_NONE);
	p->ro_page = pages;
	p->edge = pages + 4096;
	p->hole = pages + 2 * 4096;

	p->kick_ns = (1 + kf_below(&p->rng, 20)) * 1000000ULL * (o->slow ? o->slow : 1);
	p->hang_ns = 5000000000ULL * (o->slow ? o->slow : 1);
	p->threads[0].tid = pthread_self();
	p->threads[0].used = true;
	if (pthread_create(&p->watchdog, NULL, watchdog_main, p))
		return 1;

	ncalls = 5 + kf_below(&p->rng, o->max_calls);
	kf_trace(p, 0, "program: %u calls, kick after %llu ms", ncalls,
		 (unsigned long long)(p->kick_ns / 1000000));
	if (kf_pct(&p->rng, 85))
		kf_gen_setup(p);
	for (i = 0; i < ncalls; i++) {
		p->ncalls = i;
		kf_gen_call(p);
	}
	kf_join_runners(p);
	p->wd_stop = true;
	pthread_join(p->watchdog, NULL);
	/* Half the programs close everything in order, half leave it to exit. */
	if (kf_pct(&p->rng, 50)) {
		for (i = 0; i < (unsigned int)p->nobjs; i++)
			if (p->objs[i].open)
				close(p->objs[i].fd);
	}
	kf_trace(p, 0, "program: end");
	return 0;
}
