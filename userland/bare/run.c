// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU loop: VIREO_RUN, dispatch the exit, repeat until the guest or a
 * signal ends the run.  Who completes what follows vireo.h: the kernel
 * finishes non-string IN (from run->io.data) and MSR reads (from
 * run->msr.data) on the next VIREO_RUN; userland finishes MMIO and string
 * I/O itself, RIP included.
 *
 * Stopping: the SIGINT/SIGTERM handler only records the signal and sets
 * run->immediate_exit.  A signal that lands while the vCPU runs makes
 * VIREO_RUN return -EINTR; one that lands between the flag check and the
 * ioctl is caught by immediate_exit, so the loop never sleeps in the guest
 * with a stop pending.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>

#include "monitor.h"
#include "status.h"

static volatile sig_atomic_t stop_requested;
static struct vireo_run *volatile stop_run;

void vireo_request_stop(void)
{
	struct vireo_run *run = stop_run;

	stop_requested = 1;
	if (run)
		run->immediate_exit = 1;
}

static int handle_io(struct vireo_monitor *m, struct vireo_run *run)
{
	struct vireo_exit_io *io = &run->io;
	uint32_t data;
	int ret;

	if (io->string) {
		g_autoptr(GError) error = NULL;

		m->stats.string_io++;
		ret = vireo_emulate_string_io(m->vcpu, vireo_bus_pio, vireo_bus_mmio, m, &error);
		if (ret) {
			fprintf(m->err, "vireo-run: string I/O on port 0x%x failed: %s\n", io->port,
				error->message);
			return VIREO_STATUS_CRASH;
		}
		return VIREO_CONTINUE;
	}
	if (io->size != 1 && io->size != 2 && io->size != 4) {
		fprintf(m->err, "vireo-run: I/O exit on port 0x%x with bad size %u\n", io->port,
			io->size);
		return VIREO_STATUS_ERROR;
	}
	data = io->data;
	vireo_bus_pio(m, io->port, io->size, io->direction == VIREO_IO_OUT, &data);
	if (io->direction == VIREO_IO_IN)
		io->data = data;
	return VIREO_CONTINUE;
}

static int handle_hlt(struct vireo_monitor *m, struct vireo_run *run)
{
	int ret;

	if (run->if_flag && m->opts.irq_on_hlt >= 0) {
		ret = vireo_inject_extint(m->vcpu, (uint8_t)m->opts.irq_on_hlt);
		/* -EBUSY: one is still pending, which will wake the guest. */
		if (ret && ret != -EBUSY) {
			fprintf(m->err, "vireo-run: cannot inject interrupt %d: %s\n",
				m->opts.irq_on_hlt, vireo_strerror(ret));
			return VIREO_STATUS_ERROR;
		}
		if (!ret)
			m->stats.injected_irqs++;
		return VIREO_CONTINUE;
	}
	fprintf(m->err, "vireo-run: guest halted\n");
	return VIREO_STATUS_HALTED;
}

static int handle_mmio(struct vireo_monitor *m, struct vireo_run *run)
{
	g_autoptr(GError) error = NULL;
	int ret = vireo_emulate_mmio(m->vcpu, vireo_bus_mmio, m, &error);

	if (ret) {
		fprintf(m->err, "vireo-run: MMIO %s at gpa 0x%" PRIx64 " (rip=0x%" PRIx64 "): %s\n",
			run->mmio.is_write ? "write" : "access", (uint64_t)run->mmio.gpa,
			(uint64_t)run->rip, error->message);
		return VIREO_STATUS_CRASH;
	}
	return VIREO_CONTINUE;
}

static const char *internal_name(uint32_t suberror)
{
	switch (suberror) {
	case VIREO_INTERNAL_NO_MEMORY:
		return "could not pin a guest page";
	case VIREO_INTERNAL_BAD_EXIT:
		return "exit in an impossible state";
	case VIREO_INTERNAL_EVENT_LOOP:
		return "exits during event delivery loop";
	case VIREO_INTERNAL_EMULATION:
		return "an emulated task switch touched memory outside guest RAM";
	default:
		return "unknown suberror";
	}
}

static int handle_hw_failure(struct vireo_monitor *m, struct vireo_run *run)
{
	const struct vireo_exit_hw *hw = &run->hw;

	switch (run->exit_reason) {
	case VIREO_EXIT_FAIL_ENTRY:
		fprintf(m->err, "vireo-run: VM entry failed (invalid guest state)");
		break;
	case VIREO_EXIT_INTERNAL_ERROR:
		fprintf(m->err, "vireo-run: vireo.ko internal error %u (%s)", hw->suberror,
			internal_name(hw->suberror));
		break;
	default:
		fprintf(m->err, "vireo-run: unhandled exit");
		break;
	}
	fprintf(m->err,
		": hardware code 0x%" PRIx64 ", info1 0x%" PRIx64 ", info2 0x%" PRIx64
		", rip=0x%" PRIx64 "\n",
		(uint64_t)hw->hardware_code, (uint64_t)hw->info1, (uint64_t)hw->info2,
		(uint64_t)run->rip);
	return VIREO_STATUS_CRASH;
}

int vireo_handle_exit(struct vireo_monitor *m, struct vireo_run *run)
{
	switch (run->exit_reason) {
	case VIREO_EXIT_IO:
		return handle_io(m, run);
	case VIREO_EXIT_MMIO:
		return handle_mmio(m, run);
	case VIREO_EXIT_HLT:
		return handle_hlt(m, run);
	case VIREO_EXIT_SHUTDOWN:
		fprintf(m->err, "vireo-run: guest triple fault (shutdown) at rip=0x%" PRIx64 "\n",
			(uint64_t)run->rip);
		return VIREO_STATUS_CRASH;
	case VIREO_EXIT_MSR:
		vireo_bus_msr(m, &run->msr);
		return VIREO_CONTINUE;
	case VIREO_EXIT_IRQ_WINDOW:
	case VIREO_EXIT_INTR:
	case VIREO_EXIT_NONE:
		return VIREO_CONTINUE;	/* the loop re-checks for a stop */
	case VIREO_EXIT_FAIL_ENTRY:
	case VIREO_EXIT_INTERNAL_ERROR:
	case VIREO_EXIT_UNKNOWN:
		return handle_hw_failure(m, run);
	default:
		fprintf(m->err, "vireo-run: exit reason %u unknown to this vireo-run\n",
			run->exit_reason);
		return VIREO_STATUS_CRASH;
	}
}

int vireo_run_loop(struct vireo_monitor *m)
{
	struct vireo_run *run = vireo_vcpu_run_page(m->vcpu);
	int ret, status;

	stop_run = run;
	if (stop_requested)
		run->immediate_exit = 1;
	for (;;) {
		if (stop_requested) {
			fprintf(m->err, "vireo-run: stopped by signal\n");
			status = VIREO_STATUS_SIGNAL;
			break;
		}
		ret = vireo_vcpu_run(m->vcpu);
		if (ret == -EINTR)
			continue;
		if (ret) {
			fprintf(m->err, "vireo-run: VIREO_RUN failed: %s\n", vireo_strerror(ret));
			status = VIREO_STATUS_ERROR;
			break;
		}
		vireo_stats_exit(&m->stats, run->exit_reason);
		status = vireo_handle_exit(m, run);
		if (m->done) {
			status = m->status;
			break;
		}
		if (status != VIREO_CONTINUE)
			break;
	}
	stop_run = NULL;
	return status;
}
