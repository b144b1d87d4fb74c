/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vireo-run's state: one VM, one vCPU, guest RAM at GPA 0 and the devices.
 * Legend: (i) set up before the vCPU first runs, then fixed; (v) changed
 * by the vCPU loop (the only thread).
 */
#ifndef VIREO_RUN_MONITOR_H
#define VIREO_RUN_MONITOR_H

#include <stdbool.h>
#include <stdint.h>

#include <libvireo.h>

#include "mmio_test.h"
#include "options.h"
#include "serial.h"
#include "stats.h"

#define VIREO_DEBUG_EXIT_PORT	0xf4	/* QEMU isa-debug-exit compatible */
#define VIREO_MSR_SCRATCH	0x4b564d00U
#define VIREO_MSR_SCRATCH_INIT	0x1122334455667788ULL

struct vireo_monitor {
	struct vireo_options opts;	/* (i) */
	struct vireo_sys *sys;		/* (i) */
	struct vireo_vm *vm;		/* (i) */
	struct vireo_vcpu *vcpu;	/* (i) */
	uint8_t *ram;			/* (i) opts.mem_size bytes at GPA 0 */

	struct vireo_serial serial;	/* (v) */
	struct vireo_mmio_test mmio_test;	/* (v) */
	uint64_t msr_scratch;		/* (v) */
	struct vireo_stats stats;	/* (v) */

	FILE *err;			/* (i) messages: stderr, or a test's file */
	bool done;			/* (v) a device ended the run ... */
	int status;			/* (v) ... with this exit status */
};

/* Reset the devices to their power-on state. */
void vireo_devices_init(struct vireo_monitor *m, FILE *out);

/* Port I/O, one element; the vireo_pio_fn for string I/O, too. */
int vireo_bus_pio(void *monitor, uint16_t port, unsigned int size, bool is_write,
		  uint32_t *data);

/* MMIO: the vireo_mmio_fn handed to vireo_emulate_mmio(). */
int vireo_bus_mmio(void *monitor, uint64_t gpa, unsigned int size, bool is_write,
		   uint64_t *data);

/* An MSR exit: fills msr->data or sets msr->error. */
void vireo_bus_msr(struct vireo_monitor *m, struct vireo_exit_msr *msr);

/* Copy each --load file into RAM; 0 or -errno with a message printed. */
int vireo_load_files(struct vireo_monitor *m);

/* vireo_handle_exit(): the run goes on. */
#define VIREO_CONTINUE (-1)

/*
 * Handle the exit described by run: VIREO_CONTINUE, or the exit status that
 * ends the run.  Needs m->vcpu only for MMIO, string I/O and interrupt
 * injection, so that the rest can be tested with synthetic exits.
 */
int vireo_handle_exit(struct vireo_monitor *m, struct vireo_run *run);

/* Run the vCPU until the guest or a signal ends the run: the exit status. */
int vireo_run_loop(struct vireo_monitor *m);

/* Called from SIGINT/SIGTERM handlers: async-signal-safe. */
void vireo_request_stop(void);

#endif /* VIREO_RUN_MONITOR_H */
