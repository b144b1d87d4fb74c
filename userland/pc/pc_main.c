// SPDX-License-Identifier: GPL-2.0
/*
 * vireo-run --kernel: the PC's life.  Set up what outlives a reset (the
 * console, the taps, the signals), then build the machine, run it until
 * something ends it, take it apart, and on a guest reboot do it again.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "virtio/net.h"

#include "pc.h"
#include "status.h"

static int host_init(struct vireo_pc_host *h, const struct vireo_options *o, FILE *err)
{
	sigset_t set;
	unsigned int i;
	int r;

	memset(h, 0, sizeof(*h));
	h->signal_fd = -1;
	h->ctl.wake_fd = -1;
	for (i = 0; i < VIREO_PC_MAX_NICS; i++)
		h->tap_fd[i] = -1;
	pthread_mutex_init(&h->hold.lock, NULL);
	pthread_cond_init(&h->hold.cond, NULL);

	/*
	 * Every thread blocks these; the I/O loop reads them from a signalfd.
	 * Threads created later inherit the mask.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGPWR);
	sigaddset(&set, SIGUSR1);	/* only vCPU threads take their kick */
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return -EINVAL;
	sigdelset(&set, SIGUSR1);
	h->signal_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (h->signal_fd < 0) {
		r = -errno;
		fprintf(err, "vireo-run: signalfd: %s\n", strerror(errno));
		return r;
	}
	/* A console write to a reader that went away must not kill us. */
	signal(SIGPIPE, SIG_IGN);

	for (i = 0; i < o->nr_nets; i++) {
		struct vireo_net_backend be;

		/* A NAT is made with each machine (pc_nat.c). */
		if (o->nets[i].spec.kind != VIREO_NET_TAP)
			continue;
		r = vireo_net_tap_open(o->nets[i].ifname, &be, NULL);
		if (r) {
			fprintf(err, "vireo-run: tap %s: %s%s\n", o->nets[i].ifname, strerror(-r),
				r == -EPERM ? " (creating a tap needs CAP_NET_ADMIN)" : "");
			return r;
		}
		/* Keep the interface across resets; each machine gets a dup. */
		h->tap_fd[i] = dup(be.ops->fd(be.opaque));
		be.ops->close(be.opaque);
		if (h->tap_fd[i] < 0) {
			r = -errno;
			fprintf(err, "vireo-run: tap %s: %s\n", o->nets[i].ifname, strerror(errno));
			return r;
		}
	}

	r = vireo_pc_console_init(&h->console, o->console, STDIN_FILENO, STDOUT_FILENO);
	if (r) {
		fprintf(err, "vireo-run: cannot set up the terminal: %s\n", strerror(-r));
		return r;
	}
	if (o->console_socket) {
		r = vireo_pc_console_listen(&h->console, o->console_socket);
		if (r) {
			fprintf(err, "vireo-run: --console-socket %s: %s\n", o->console_socket,
				strerror(-r));
			return r;
		}
	}
	/* Last: `vireo start` takes an answering socket for a running monitor. */
	return vireo_pc_control_start(&h->ctl, o, err);
}

static void host_fini(struct vireo_pc_host *h, const char *reason)
{
	unsigned int i;

	vireo_pc_control_stop(&h->ctl, reason);
	vireo_pc_console_fini(&h->console);
	for (i = 0; i < VIREO_PC_MAX_NICS; i++)
		if (h->tap_fd[i] >= 0)
			close(h->tap_fd[i]);
	if (h->signal_fd >= 0)
		close(h->signal_fd);
	pthread_cond_destroy(&h->hold.cond);
	pthread_mutex_destroy(&h->hold.lock);
}

/* The "reason" of the last state-changed (docs/control-protocol.md). */
static const char *reason_of(enum vireo_pc_event ev, bool killed)
{
	if (killed)
		return "kill";
	switch (ev) {
	case VIREO_PC_POWEROFF:
		return "poweroff";
	case VIREO_PC_DEBUG_EXIT:
		return "debug-exit";
	case VIREO_PC_STOP:
		return "signal";
	case VIREO_PC_CRASH:
		return "crash";
	default:
		return "error";
	}
}

int vireo_pc_debug_exit_status(uint32_t value)
{
	/* exit(3) passes the low 8 bits on, for QEMU's exit() as for ours. */
	return (int)(((value << 1) | 1) & 0xff);
}

static int status_of(enum vireo_pc_event ev, uint32_t debug_exit_value)
{
	switch (ev) {
	case VIREO_PC_DEBUG_EXIT:
		return vireo_pc_debug_exit_status(debug_exit_value);
	case VIREO_PC_POWEROFF:
		return VIREO_STATUS_HALTED;
	case VIREO_PC_STOP:
		return VIREO_STATUS_SIGNAL;
	case VIREO_PC_CRASH:
		return VIREO_STATUS_CRASH;
	default:
		return VIREO_STATUS_ERROR;
	}
}

/* One machine from power-on to its end: the event that ended it. */
static enum vireo_pc_event run_once(struct vireo_pc *pc, const struct vireo_options *o,
				    struct vireo_pc_host *h)
{
	enum vireo_pc_event ev = VIREO_PC_ERROR;

	if (vireo_pc_build(pc, o, h, stderr) == 0 && vireo_pc_vcpus_start(pc) == 0) {
		vireo_pc_control_emit_state(&h->ctl, vireo_pc_control_state(&h->ctl),
					    h->boots > 1 ? "reset" : "start");
		if (vireo_pc_io_loop(pc) == 0)
			ev = vireo_pc_event(pc);
	}
	vireo_pc_vcpus_stop(pc);
	/*
	 * A disk job's worker must be done with the disks before they go: on
	 * a reset it runs to its end (the reboot waits), else it is cancelled.
	 */
	vireo_pc_job_machine_end(&h->ctl, ev != VIREO_PC_RESET);
	vireo_pc_job_wait(&h->ctl);
	/*
	 * No pvpanic device yet: what the guest cannot survive (a triple
	 * fault, a failed entry) is the panic clients hear of.
	 */
	if (ev == VIREO_PC_CRASH)
		vireo_pc_control_emit_panic(&h->ctl, "the guest crashed (triple fault or failed VM entry)");
	if (o->verbose)
		fprintf(stderr,
			"vireo-run: note: machine %u ended (%d): MSIs sent %lu, refused %lu; unclaimed port accesses %lu, MMIO %lu\n",
			h->boots, ev, (unsigned long)atomic_load(&pc->msi_sent),
			(unsigned long)atomic_load(&pc->msi_refused),
			(unsigned long)atomic_load(&pc->unhandled_pio),
			(unsigned long)atomic_load(&pc->unhandled_mmio));
	h->debug_exit_value = pc->debug_exit_value;
	vireo_pc_destroy(pc);
	return ev;
}

int vireo_pc_main(const struct vireo_options *o)
{
	static struct vireo_pc pc;	/* large; one at a time */
	struct vireo_pc_host *h;
	enum vireo_pc_event ev = VIREO_PC_ERROR;
	int status;

	h = calloc(1, sizeof(*h));
	if (!h)
		return VIREO_STATUS_ERROR;
	if (host_init(h, o, stderr)) {
		status = VIREO_STATUS_ERROR;
		goto out;
	}
	for (;;) {
		h->boots++;
		ev = run_once(&pc, o, h);
		if (ev != VIREO_PC_RESET)
			break;
		if (o->verbose)
			fprintf(stderr, "vireo-run: note: the guest reset the machine; booting again\n");
	}
	status = status_of(ev, h->debug_exit_value);
out:
	host_fini(h, reason_of(ev, atomic_load(&h->ctl.killed)));
	free(h);
	return status;
}
