// SPDX-License-Identifier: GPL-2.0
/*
 * The PC's vCPU threads: one per vCPU, each looping on VIREO_RUN and
 * handling the exits vireo.ko leaves to userland.  With the in-kernel
 * LAPIC, HLT sleeps in the kernel and application processors wait there
 * for the BSP's INIT-SIPI-SIPI, so a thread can block in VIREO_RUN for a
 * long time.
 *
 * Stopping: vireo_pc_vcpus_stop() sets pc->stopping and each run page's
 * immediate_exit, then sends SIGUSR1 to every thread until it has left
 * its loop.  A thread already in the kernel returns -EINTR (in the guest,
 * in HLT or waiting for SIPI); one about to enter sees immediate_exit.
 * Every thread blocks SIGINT, SIGTERM and SIGPWR: the I/O loop takes
 * those through a signalfd.
 *
 * Pausing (the control socket): the host's hold (pc.h) says "park"; each
 * thread checks it before every VIREO_RUN and waits on its condition
 * variable until resumed or stopped.  vireo_pc_vcpus_pause() kicks the
 * threads out of the kernel with the same signal, again until each one is
 * parked, so a vCPU in HLT or in the guest is held as surely as a busy one.
 * ACPI S3 (pc_sleep.c) holds them the same way, with the machine's
 * pc->asleep in place of the host's want: a resume does not end S3, nor
 * a wake a pause.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "pc.h"

#define KICK_SIGNAL	SIGUSR1

static void on_kick(int sig)
{
	(void)sig;
}

static void note_msr(struct vireo_pc_vcpu *v, const struct vireo_exit_msr *msr)
{
	if (!v->pc->opts->verbose)
		return;
	fprintf(v->pc->err, "vireo-run: note: vCPU %u: %s of MSR 0x%x not emulated: #GP\n", v->id,
		msr->is_write ? "wrmsr" : "rdmsr", msr->index);
}

static void handle_msr(struct vireo_pc_vcpu *v, struct vireo_exit_msr *msr)
{
	uint64_t data = msr->data;
	int r = vireo_pc_msr(&v->msrs, msr->index, msr->is_write, &data);

	msr->error = r != 0;
	if (!r && !msr->is_write)
		msr->data = data;
	if (r == -ENOENT)
		note_msr(v, msr);
}

static int handle_io(struct vireo_pc_vcpu *v, struct vireo_run *run)
{
	struct vireo_exit_io *io = &run->io;
	uint32_t data;
	int r;

	if (io->string) {
		g_autoptr(GError) error = NULL;

		r = vireo_emulate_string_io(v->vcpu, vireo_pc_pio, vireo_pc_mmio, v, &error);
		if (r) {
			fprintf(v->pc->err, "vireo-run: vCPU %u: string I/O on port 0x%x: %s\n",
				v->id, io->port, error->message);
			return VIREO_PC_CRASH;
		}
		return 0;
	}
	if (io->size != 1 && io->size != 2 && io->size != 4) {
		fprintf(v->pc->err, "vireo-run: vCPU %u: I/O exit with bad size %u\n", v->id,
			io->size);
		return VIREO_PC_ERROR;
	}
	data = io->data;
	vireo_pc_pio(v, io->port, io->size, io->direction == VIREO_IO_OUT, &data);
	if (io->direction == VIREO_IO_IN)
		io->data = data;
	return 0;
}

static int handle_mmio(struct vireo_pc_vcpu *v, struct vireo_run *run)
{
	g_autoptr(GError) error = NULL;

	if (vireo_emulate_mmio(v->vcpu, vireo_pc_mmio, v, &error) == 0)
		return 0;
	fprintf(v->pc->err,
		"vireo-run: vCPU %u: MMIO %s at 0x%" PRIx64 " (rip 0x%" PRIx64 "): %s\n", v->id,
		run->mmio.is_write ? "write" : "access", (uint64_t)run->mmio.gpa,
		(uint64_t)run->rip, error->message);
	return VIREO_PC_CRASH;
}

static int handle_failure(struct vireo_pc_vcpu *v, struct vireo_run *run)
{
	const struct vireo_exit_hw *hw = &run->hw;

	fprintf(v->pc->err,
		"vireo-run: vCPU %u: %s exit (hardware code 0x%" PRIx64 ", info 0x%" PRIx64
		"/0x%" PRIx64 ", suberror %u) at rip 0x%" PRIx64 "\n",
		v->id, vireo_exit_reason_name(run->exit_reason), (uint64_t)hw->hardware_code,
		(uint64_t)hw->info1, (uint64_t)hw->info2, hw->suberror, (uint64_t)run->rip);
	return VIREO_PC_CRASH;
}

/* 0: go on; otherwise the event that ends the machine. */
static int handle_exit(struct vireo_pc_vcpu *v, struct vireo_run *run)
{
	switch (run->exit_reason) {
	case VIREO_EXIT_IO:
		return handle_io(v, run);
	case VIREO_EXIT_MMIO:
		return handle_mmio(v, run);
	case VIREO_EXIT_MSR:
		handle_msr(v, &run->msr);
		return 0;
	case VIREO_EXIT_IOAPIC_EOI:
		vireo_ioapic_eoi(v->pc->ioapic, run->eoi.vector);
		return 0;
	case VIREO_EXIT_HLT:		/* the kernel sleeps on HLT; harmless */
	case VIREO_EXIT_IRQ_WINDOW:
	case VIREO_EXIT_INTR:
	case VIREO_EXIT_NONE:
		return 0;
	case VIREO_EXIT_SHUTDOWN:
		fprintf(v->pc->err, "vireo-run: vCPU %u: triple fault at rip 0x%" PRIx64 "\n",
			v->id, (uint64_t)run->rip);
		return VIREO_PC_CRASH;
	default:
		return handle_failure(v, run);
	}
}

/* The vCPUs must park: a pause (the host's hold) or S3 (the machine's). */
static bool held(struct vireo_pc *pc)
{
	return atomic_load(&pc->host->hold.want) || atomic_load(&pc->asleep);
}

/* Wait here while the vCPUs are held, unless stopping. */
static void hold_point(struct vireo_pc_vcpu *v)
{
	struct vireo_pc_hold *h = &v->pc->host->hold;

	if (!held(v->pc))
		return;
	pthread_mutex_lock(&h->lock);
	if (held(v->pc) && !atomic_load(&v->pc->stopping)) {
		h->parked++;
		pthread_cond_broadcast(&h->cond);
		while (held(v->pc) && !atomic_load(&v->pc->stopping))
			pthread_cond_wait(&h->cond, &h->lock);
		h->parked--;
	}
	pthread_mutex_unlock(&h->lock);
}

static void trace_exit(struct vireo_pc_vcpu *v, const struct vireo_run *run)
{
	struct vireo_pc_exit_trace *t = &v->trace[v->trace_next++ % VIREO_PC_TRACE];

	t->reason = run->exit_reason;
	t->rip = run->rip;
	t->detail = 0;
	t->addr = 0;
	switch (run->exit_reason) {
	case VIREO_EXIT_IO:
		t->detail = run->io.port | (uint32_t)run->io.direction << 16 |
			    (uint32_t)run->io.size << 20 | (uint32_t)run->io.string << 24;
		t->addr = run->io.data;
		break;
	case VIREO_EXIT_MMIO:
		t->detail = run->mmio.is_write;
		t->addr = run->mmio.gpa;
		break;
	case VIREO_EXIT_MSR:
		t->detail = run->msr.index;
		t->addr = run->msr.data;
		break;
	case VIREO_EXIT_IOAPIC_EOI:
		t->detail = run->eoi.vector;
		break;
	}
}

/* What a crash report needs: the registers and the last exits. */
static void report_crash(struct vireo_pc_vcpu *v)
{
	struct vireo_regs r;
	struct vireo_sregs sr;
	FILE *f = v->pc->err;
	unsigned int i;

	if (!vireo_get_regs(v->vcpu, &r) && !vireo_get_sregs(v->vcpu, &sr)) {
		fprintf(f,
			"vireo-run: vCPU %u: rip %016llx rsp %016llx rflags %llx rax %llx rcx %llx rdx %llx\n"
			"vireo-run: vCPU %u: cr0 %llx cr2 %llx cr3 %llx cr4 %llx efer %llx cs %x idt %llx/%x\n",
			v->id, (unsigned long long)r.rip, (unsigned long long)r.rsp,
			(unsigned long long)r.rflags, (unsigned long long)r.rax,
			(unsigned long long)r.rcx, (unsigned long long)r.rdx, v->id,
			(unsigned long long)sr.cr0, (unsigned long long)sr.cr2,
			(unsigned long long)sr.cr3, (unsigned long long)sr.cr4,
			(unsigned long long)sr.efer, sr.cs.selector, (unsigned long long)sr.idt.base,
			sr.idt.limit);
	}
	for (i = 0; i < VIREO_PC_TRACE; i++) {
		const struct vireo_pc_exit_trace *t =
			&v->trace[(v->trace_next + i) % VIREO_PC_TRACE];

		if (!t->reason)
			continue;
		fprintf(f, "vireo-run: vCPU %u: exit %-11s rip %016llx detail %x addr %llx\n", v->id,
			vireo_exit_reason_name(t->reason), (unsigned long long)t->rip, t->detail,
			(unsigned long long)t->addr);
	}
}

static void *vcpu_thread(void *arg)
{
	struct vireo_pc_vcpu *v = arg;
	struct vireo_pc *pc = v->pc;
	struct vireo_run *run = v->run;
	sigset_t set;
	int r, ev;

	sigemptyset(&set);
	sigaddset(&set, KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	if (v->id < VIREO_PC_MAX_CPUS)
		atomic_store(&pc->host->ctl.tid[v->id], (int)syscall(SYS_gettid));

	while (!atomic_load(&pc->stopping)) {
		hold_point(v);
		if (atomic_load(&pc->stopping))
			break;
		r = vireo_vcpu_run(v->vcpu);
		if (r == -EINTR)
			continue;
		if (r) {
			fprintf(pc->err, "vireo-run: vCPU %u: VIREO_RUN failed: %s\n", v->id,
				vireo_strerror(r));
			vireo_pc_request(pc, VIREO_PC_ERROR);
			break;
		}
		trace_exit(v, run);
		ev = handle_exit(v, run);
		if (ev) {
			if (ev == VIREO_PC_CRASH)
				report_crash(v);
			vireo_pc_request(pc, ev);
			break;
		}
	}
	if (v->id < VIREO_PC_MAX_CPUS)
		atomic_store(&pc->host->ctl.tid[v->id], 0);
	atomic_store(&v->exited, true);
	return NULL;
}

int vireo_pc_vcpus_start(struct vireo_pc *pc)
{
	struct sigaction sa;
	unsigned int i;
	int r;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_kick;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: VIREO_RUN must come back with -EINTR. */
	if (sigaction(KICK_SIGNAL, &sa, NULL))
		return -errno;
	for (i = 0; i < pc->nr_vcpus; i++) {
		struct vireo_pc_vcpu *v = &pc->vcpus[i];

		atomic_store(&v->exited, false);
		r = pthread_create(&v->thread, NULL, vcpu_thread, v);
		if (r) {
			fprintf(pc->err, "vireo-run: cannot start vCPU %u's thread: %s\n", i,
				strerror(r));
			return -r;
		}
		v->thread_started = true;
	}
	return 0;
}

void vireo_pc_vcpus_stop(struct vireo_pc *pc)
{
	struct timespec pause = { .tv_nsec = 1000000 };
	unsigned int i, left;

	atomic_store(&pc->stopping, true);
	/* Parked threads wake up and see 'stopping'. */
	pthread_mutex_lock(&pc->host->hold.lock);
	pthread_cond_broadcast(&pc->host->hold.cond);
	pthread_mutex_unlock(&pc->host->hold.lock);
	for (i = 0; i < pc->nr_vcpus; i++)
		if (pc->vcpus[i].run)
			pc->vcpus[i].run->immediate_exit = 1;
	/* Signal until each has left: one signal may land just before it blocks. */
	do {
		left = 0;
		for (i = 0; i < pc->nr_vcpus; i++) {
			struct vireo_pc_vcpu *v = &pc->vcpus[i];

			if (!v->thread_started || atomic_load(&v->exited))
				continue;
			pthread_kill(v->thread, KICK_SIGNAL);
			left++;
		}
		if (left)
			nanosleep(&pause, NULL);
	} while (left);
	for (i = 0; i < pc->nr_vcpus; i++) {
		struct vireo_pc_vcpu *v = &pc->vcpus[i];

		if (v->thread_started)
			pthread_join(v->thread, NULL);
		v->thread_started = false;
	}
}

/* Threads that are neither parked nor gone; call with the hold's lock. */
static unsigned int unheld(struct vireo_pc *pc)
{
	unsigned int i, live = 0;

	for (i = 0; i < pc->nr_vcpus; i++)
		if (pc->vcpus[i].thread_started && !atomic_load(&pc->vcpus[i].exited))
			live++;
	return live > pc->host->hold.parked ? live - pc->host->hold.parked : 0;
}

void vireo_pc_vcpus_pause(struct vireo_pc *pc)
{
	struct vireo_pc_hold *h = &pc->host->hold;

	pthread_mutex_lock(&h->lock);
	atomic_store(&h->want, true);
	pthread_mutex_unlock(&h->lock);
	vireo_pc_vcpus_hold_wait(pc);
}

void vireo_pc_vcpus_hold_wait(struct vireo_pc *pc)
{
	struct vireo_pc_hold *h = &pc->host->hold;
	unsigned int i;

	pthread_mutex_lock(&h->lock);
	while (held(pc) && unheld(pc) && !atomic_load(&pc->stopping)) {
		struct timespec until;

		/*
		 * Kick everyone (a parked thread just takes the signal and goes
		 * on waiting): the ones in VIREO_RUN come back with -EINTR and
		 * park.  Again after 1 ms, for a signal that landed just before
		 * a thread entered the kernel.
		 */
		for (i = 0; i < pc->nr_vcpus; i++)
			if (pc->vcpus[i].thread_started && !atomic_load(&pc->vcpus[i].exited))
				pthread_kill(pc->vcpus[i].thread, KICK_SIGNAL);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 1000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&h->cond, &h->lock, &until);
	}
	pthread_mutex_unlock(&h->lock);
}

void vireo_pc_vcpus_resume(struct vireo_pc *pc)
{
	struct vireo_pc_hold *h = &pc->host->hold;

	pthread_mutex_lock(&h->lock);
	atomic_store(&h->want, false);
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
}
